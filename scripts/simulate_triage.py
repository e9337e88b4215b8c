"""Does reviewing triage's items first mend more episode verdicts than other orders?

A ledger of the news and the statements (as `redline eval` builds it) is reviewed by an oracle
analyst: the exhaustive item gold (`src/redline/data/gold/real.jsonl`) says whether each item
is real (a gold item of its kind in its sentence, borderline included: confirm) or not (reject).
Items read from test-split documents are never judged (the oracle skips them, in every order).
For each budget of k decisions the first k judgeable items of each order are decided, the
ledger is linked again as of the episode gold's date, and the dev episodes are scored against
the analysts' episode gold: how many predicted episodes are right, how many crossed verdicts,
how many gold episodes are found. Test episodes are not scored.

Orders: `redline triage` (the items a status turns on, by priority), the lowest confidence
first (every unreviewed episode member), and random orders of the same members.

Then the leads (`redline triage --leads`): the oracle reads N sentences per open line and, where
the item gold marks one as a crossing, or the episode gold gives it as a dev line's crossing
(train or dev documents only), adds it with the gold's fields (`redline add crossing`); the dev
episodes are scored again.

    python scripts/simulate_triage.py --db /tmp/triage.db --budgets 5,10,20,40 --seeds 10 --leads 5,10
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Any

import sqlalchemy as sa

from redline.add import add
from redline.errors import RedlineError
from redline.gold.annotations import GOLD_FILE, Split, split_of
from redline.gold.corpus import GoldDocument, default_shared, load_documents
from redline.gold.episodes import AS_OF, EPISODE_FILE, build_ledger, judge, load, score
from redline.link import evaluate, link
from redline.review import review
from redline.store import Ledger
from redline.store.schema import documents, events, evidence, outcome_claims, threats
from redline.triage import leads, triage

Ref = tuple[str, int]  # (review type, id)
_KIND_OF = {"threat": "threat", "outcome_claim": "outcome_claim"}


def _gold_rows() -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for line in GOLD_FILE.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if "sentence" in r:
            rows.setdefault(r["doc"], []).append(r)
    return rows


def _gold_doc(source_path: str | None, url: str | None, docs: dict[str, GoldDocument]) -> str:
    names = []
    if source_path and source_path.endswith(".txt"):
        names.append("news/" + PurePath(source_path).stem)
    if url:
        names.append("statements/" + url.rstrip("/").split("/")[-1])
    return next((n for n in names if n in docs), "")


def oracle(ledger: Ledger, docs: dict[str, GoldDocument]) -> dict[Ref, str | None]:
    """confirm / reject for every item read from a train or dev document; None: not judged."""
    gold = _gold_rows()
    out: dict[Ref, str | None] = {}
    with ledger.connect() as conn:
        for review_type, table in (
            ("threat", threats),
            ("event", events),
            ("outcome_claim", outcome_claims),
        ):
            kind_col = table.c.kind if review_type == "event" else sa.literal(review_type)
            rows = conn.execute(
                sa.select(
                    table.c.id,
                    kind_col.label("kind"),
                    evidence.c.sentence,
                    documents.c.source_path,
                    documents.c.url,
                )
                .join(evidence, evidence.c.id == table.c.evidence_id)
                .join(documents, documents.c.id == table.c.document_id)
            ).all()
            for r in rows:
                name = _gold_doc(r.source_path, r.url, docs)
                if not name or split_of(docs[name].group) == Split.TEST:
                    out[(review_type, r.id)] = None
                    continue
                text = docs[name].text
                at = text.find(r.sentence)
                if at < 0:
                    out[(review_type, r.id)] = None
                    continue
                end = at + len(r.sentence)
                kind = _KIND_OF.get(review_type, r.kind)
                real = any(
                    g["kind"] == kind and g["sentence"][0] < end and g["sentence"][1] > at
                    for g in gold.get(name, [])
                )
                out[(review_type, r.id)] = "confirm" if real else "reject"
    return out


def _members(ledger: Ledger) -> list[tuple[Ref, float]]:
    """Every unreviewed item serving in an episode, with its confidence."""
    view = evaluate(ledger, as_of=AS_OF)
    seen: dict[Ref, float] = {}
    kinds = {"threat": "threat", "crossing": "event", "response": "event", "claim": "outcome_claim"}
    for state in view:
        for item in state.members.all():
            seen[(kinds[item.kind.value], item.id)] = item.confidence
    return sorted(seen.items())


def _score(path: Path, decisions: list[tuple[Ref, str]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "l.db"
        shutil.copy(path, copy)
        ledger = Ledger.open(f"sqlite:///{copy}", create=False)
        try:
            for (review_type, item_id), action in decisions:
                review(ledger, review_type, item_id, action, reviewer="oracle")
            link(ledger, as_of=AS_OF)
            s = score(judge(evaluate(ledger, as_of=AS_OF), load()), load(), Split.DEV)
        finally:
            ledger.dispose()
    return {
        "right": s["episode_precision"]["hits"],
        "predicted": s["episode_precision"]["total"],
        "crossed_right": s["crossed_verdict_precision"]["hits"],
        "crossed": s["crossed_verdict_precision"]["total"],
        "found": s["recall"]["hits"],
        "gold": s["recall"]["total"],
    }


def _added_from_leads(
    path: Path, docs: dict[str, GoldDocument], per_line: int
) -> tuple[list[dict[str, Any]], int]:
    """What an oracle reading ``per_line`` leads of each open line would add: a crossing for each
    lead the item gold marks as one (in a train or dev document), with the gold's fields; and
    how many leads it read."""
    gold = _gold_rows()
    ledger = Ledger.open(f"sqlite:///{path}", create=False)
    try:
        with ledger.connect() as conn:
            names = {
                r.id: _gold_doc(r.source_path, r.url, docs)
                for r in conn.execute(
                    sa.select(documents.c.id, documents.c.source_path, documents.c.url)
                )
            }
        found = leads(ledger, as_of=AS_OF, per_line=per_line)
    finally:
        ledger.dispose()
    # the crossing sentence the episode gold gives each dev line (the analysts' own reading)
    lines = {
        f"{g['owner']}:{g['trigger_key']}": g
        for g in json.loads(EPISODE_FILE.read_text(encoding="utf-8"))["episodes"]
        if g["annotator"] == "A" and g["split"] == "dev" and g["crossing"] and g["addressee"]
    }
    adds: dict[tuple[int, int], dict[str, Any]] = {}
    for lead in found:
        name = names.get(lead.document_id, "")
        if not name or split_of(docs[name].group) == Split.TEST:
            continue
        line = lines.get(lead.key)
        if line is not None and line["crossing"]["doc"] == name:
            a, b = line["crossing"]["sentence"]
            at = docs[name].text.find(lead.sentence)
            if at >= 0 and a < at + len(lead.sentence) and b > at:
                adds[(lead.document_id, lead.start)] = {
                    "document": lead.document_id,
                    "span": (lead.start, lead.end),
                    "fields": {
                        "actor_country": line["addressee"],
                        "trigger_key": line["trigger_key"],
                        "event_date": line["crossing"]["date"],
                    },
                }
                continue
        for g in gold.get(name, []):
            if g["kind"] != "crossing" or not g.get("actor_country") or not g.get("trigger_key"):
                continue
            if g["sentence"][0] < lead.end and g["sentence"][1] > lead.start:
                fields = {"actor_country": g["actor_country"], "trigger_key": g["trigger_key"]}
                if g.get("event_date"):
                    fields["event_date"] = g["event_date"]
                adds[(lead.document_id, lead.start)] = {
                    "document": lead.document_id,
                    "span": (lead.start, lead.end),
                    "fields": fields,
                }
    return list(adds.values()), len(found)


def _score_added(path: Path, adds: list[dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "l.db"
        shutil.copy(path, copy)
        ledger = Ledger.open(f"sqlite:///{copy}", create=False)
        try:
            for a in adds:
                try:
                    add(ledger, "crossing", a["document"], span=a["span"], fields=a["fields"])
                except RedlineError as exc:  # a trigger key the vocabulary lacks, say
                    print(f"  not added: {exc}")
        finally:
            ledger.dispose()
        return _score(copy, [])


def _words(s: dict[str, Any]) -> str:
    return (
        f"{s['right']}/{s['predicted']} right, crossed {s['crossed_right']}/{s['crossed']}, "
        f"found {s['found']}/{s['gold']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="SQLite file (built if missing)")
    parser.add_argument("--budgets", default="5,10,20,40")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--leads", default="5,10", help="leads read per open line")
    args = parser.parse_args()
    shared = default_shared()
    if not args.db.exists():
        build_ledger(f"sqlite:///{args.db}", shared).dispose()
    docs = load_documents(shared)
    ledger = Ledger.open(f"sqlite:///{args.db}", create=False)
    link(ledger, as_of=AS_OF)
    judged = oracle(ledger, docs)
    members = _members(ledger)
    queue = [((t.review_type, t.item_id)) for t in triage(ledger, as_of=AS_OF)]
    ledger.dispose()

    def first(order: list[Ref], k: int) -> list[tuple[Ref, str]]:
        out = [(ref, judged[ref]) for ref in order if judged.get(ref) is not None]
        return [(ref, str(a)) for ref, a in out[:k]]

    lowest = [ref for ref, _ in sorted(members, key=lambda m: (m[1], m[0]))]
    print(
        f"judgeable: {sum(1 for r, _ in members if judged.get(r) is not None)} of "
        f"{len(members)} episode members; triage lists {len(queue)} items, "
        f"{sum(1 for r in queue if judged.get(r) is not None)} judgeable"
    )
    print(f"no review: {_words(_score(args.db, []))}")
    for k in (int(b) for b in args.budgets.split(",")):
        tri = first(queue, k)
        rejects = sum(1 for _, a in tri if a == "reject")
        print(
            f"k={k} triage ({len(tri)} decided, {rejects} rejected): {_words(_score(args.db, tri))}"
        )
        low = first(lowest, k)
        print(f"k={k} lowest confidence: {_words(_score(args.db, low))}")
        rights = []
        for seed in range(args.seeds):
            order = [ref for ref, _ in members]
            random.Random(seed).shuffle(order)
            rights.append(_score(args.db, first(order, k))["right"])
        print(f"k={k} random ({args.seeds} orders): right {sorted(rights)}")
    for per_line in (int(b) for b in args.leads.split(",") if b):
        adds, read = _added_from_leads(args.db, docs, per_line)
        print(
            f"leads, {per_line} per open line ({read} read, {len(adds)} crossings added): "
            f"{_words(_score_added(args.db, adds))}"
        )


if __name__ == "__main__":
    main()
