"""``redline audit``: measure the ledger's truth on your own corpus.

Every corpus differs from the one Redline's figures were measured on, so an analyst draws a
stratified random sample of the ledger's threats, crossings, responses and episodes, judges each
one against the codebook with its context, and gets precision per kind with a 95% Wilson
interval.

- ``draw`` picks up to ``n`` items of each kind (seeded, so a sample can be redrawn), records the
  audit as a run (stage ``audit``) and returns the items with their context and the question;
- judgments are stored as reviews (``confirm`` for right, ``reject`` for wrong; an episode whose
  line is real but whose status is wrong gets a ``note``, so the line stays), each review's note
  starting ``audit #<id>``, so they also change the ledger as any review does;
- ``figures`` computes precision per kind from the latest (or a given) audit's reviews.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from redline.errors import RedlineError, StoreError
from redline.link import EpisodeView, evaluate
from redline.link.episodes import agreeing
from redline.link.when import as_of_date
from redline.output import without_controls
from redline.processes import alive, machine
from redline.review import ITEMS, apply_review, reviewer_name
from redline.score.intervals import Proportion
from redline.store import Ledger
from redline.store.db import MAX_ID
from redline.store.items import _reviewed
from redline.store.schema import documents, episodes, events, evidence, reviews, runs, threats
from redline.vocab import ANALYST

KINDS: tuple[str, ...] = ("threat", "crossing", "response", "episode")
JUDGMENTS: dict[str, tuple[str, ...]] = {
    "threat": ("right", "wrong"),
    "crossing": ("right", "wrong"),
    "response": ("right", "wrong"),
    # an episode can be a real line with the wrong status: wrong, but not rejected
    "episode": ("right", "wrong_status", "not_a_line"),
}
CONTEXT_CHARS = 300
# The most of one sentence `audit start` shows: a document with no punctuation is one
# "sentence" of thousands of characters, and it filled screens around a threat of ten words
SENTENCE_SHOWN = 600
_QUESTIONS = {
    "threat": (
        "Is this a threat by {who} (a conditional warning of harm meant to deter an act, "
        "codebook §1) over '{trigger}'? Not a prediction, refusal, pledge, appeal or history."
    ),
    "crossing": (
        "Does this report, as news or with its own date, an act by {who} that does what a "
        "threat over '{trigger}' warned against (codebook §2)? Not background, not a plan."
    ),
    "response": (
        "Does this report a harmful act by {who}, carried out after a crossing of "
        "'{trigger}', that carries out (fully or partly) a threatened consequence (codebook "
        "§3)? A statement is not a response."
    ),
    "episode": (
        "Did {who} draw this red line over '{trigger}' (codebook §4), and is '{status}' its "
        "status as of {as_of} by the evidence shown?"
    ),
}


def item_type(kind: str) -> str:
    """What a review of an audited item names: crossings and responses are events."""
    return "event" if kind in ("crossing", "response") else kind


@dataclass
class AuditItem:
    number: int
    kind: str
    item_type: str  # what a review of it names: threat | event | episode
    item_id: int
    question: str
    summary: str
    context: dict[str, str] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    judgment: str | None = None
    note: str | None = None
    # where the sentence and the item's span are in its document (characters; none for an
    # episode): the context's sentence is the whole of it, the terminal shows an excerpt
    offsets: dict[str, int] = field(default_factory=dict)

    def shown(self) -> list[tuple[str, str]]:
        """The context as `audit start` shows it, as (part, text): the text before, the
        sentence and the text after; a sentence longer than ``SENTENCE_SHOWN`` is cut to that
        many characters around the item's span, each cut a "cut" part saying how many
        characters it leaves out, and the text beyond a cut is not shown (it is not beside
        what is)."""
        return shown(
            self.context.get("sentence", ""),
            self.offsets,
            self.context.get("before", ""),
            self.context.get("after", ""),
        )


def shown(
    sentence: str, offsets: dict[str, int], before: str = "", after: str = ""
) -> list[tuple[str, str]]:
    """``sentence`` (with the text ``before`` and ``after`` it) as a terminal shows it, as
    (part, text): one longer than ``SENTENCE_SHOWN`` cut around the item's span (``offsets``:
    ``sentence_start``, ``span_start``, ``span_end`` in its document), each cut a "cut" part
    saying how many characters it leaves out (``AuditItem.shown``, `triage --start`)."""
    if len(sentence) <= SENTENCE_SHOWN:
        return [("before", before), ("sentence", sentence), ("after", after)]
    start = offsets.get("sentence_start", 0)
    lo = min(max(offsets.get("span_start", start) - start, 0), len(sentence))
    hi = min(max(offsets.get("span_end", start) - start, lo), len(sentence))
    # the span in the middle of what is shown (its start, when it is longer than that)
    first = max(min(lo - (SENTENCE_SHOWN - (hi - lo)) // 2, len(sentence) - SENTENCE_SHOWN), 0)
    first = min(first, lo)
    last = first + SENTENCE_SHOWN
    # cut between words where there is a space near the cut, never into the span
    if first > 0:
        space = sentence.find(" ", first, min(first + 20, lo))
        first = first if space < 0 else space + 1
    if last < len(sentence):
        space = sentence.rfind(" ", max(last - 20, hi), last)
        last = last if space < 0 else space
    parts = [("before", before)] if first == 0 else [("cut", _cut(first, "before"))]
    parts.append(("sentence", sentence[first:last]))
    if last < len(sentence):
        parts.append(("cut", _cut(len(sentence) - last, "after")))
    else:
        parts.append(("after", after))
    return parts


def _cut(chars: int, where: str) -> str:
    """The mark where `audit start` cuts a long sentence."""
    return f"[… {chars:,} more characters of this sentence {where} …]"


@dataclass
class Audit:
    id: int
    seed: int
    per_kind: int
    as_of: date
    items: list[AuditItem]
    # drawn items no one has judged that are no longer in the ledger (``reopen``): each one's
    # number, kind, the id it was drawn under and what that id named then
    gone: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "audit": {
                "id": self.id,
                "seed": self.seed,
                "per_kind": self.per_kind,
                "as_of": self.as_of.isoformat(),
                "how": (
                    "Set each item's 'judgment' to one of its 'choices' (or leave it null to "
                    "skip), then run: redline audit judge THIS_FILE --by YOUR_NAME"
                ),
            },
            "items": [asdict(i) | {"choices": list(i.choices)} for i in self.items],
        }


def draw(
    ledger: Ledger,
    *,
    per_kind: int = 10,
    seed: int = 0,
    kinds: Sequence[str] = KINDS,
    as_of: date | None = None,
    view: EpisodeView | None = None,
    to_file: Path | None = None,
) -> Audit:
    """A seeded random sample of up to ``per_kind`` items of each kind, recorded as an audit;
    one drawn ``to_file`` is recorded as being written there until ``written`` says it is
    (``unwritten``)."""
    if isinstance(kinds, str):
        kinds = [kinds]  # one kind named alone, not its letters ("unknown kind(s) ['t', 'h', ...]")
    kinds = list(dict.fromkeys(kinds))  # a kind named twice is drawn once
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise RedlineError(f"unknown audit kind(s) {unknown}; use {', '.join(KINDS)}")
    for name, value in (("per_kind", per_kind), ("seed", seed)):
        if not _whole(value):
            # per_kind "3" or 2.5 ended in a TypeError, and a seed "x" was stored and ended
            # the audit's `reopen` in a ValueError
            raise RedlineError(f"{name} must be a whole number, not {_json_name(value)}")
    if per_kind < 1:
        raise RedlineError("an audit needs at least one item per kind (--n)")
    # "2024-12-31" ended in an AttributeError once the sample was drawn
    as_of = as_of_date(as_of)
    # the audit is recorded as of the date its episodes' statuses were read: the view's (it was
    # recorded as of today beside a view of another day)
    dated = as_of is not None or view is not None  # else the episodes are read as of today
    as_of = agreeing(view, as_of=as_of).as_of if view is not None else as_of or date.today()
    # no analyst's decision is stored while the sample is drawn (``Ledger.deciding``): the
    # last one the draw reads is then the last one stored before it (a review in flight was
    # given an id below it, read as made before the draw, and a judgment "right" undid it)
    with ledger.deciding(audit=True) as conn:
        audit = _drawn(ledger, conn, per_kind, seed, list(kinds), as_of, view, dated, to_file)
    return audit


def _drawn(
    ledger: Ledger,
    drawing: sa.Connection,
    per_kind: int,
    seed: int,
    kinds: list[str],
    as_of: date,
    view: EpisodeView | None,
    dated: bool,
    to_file: Path | None = None,
) -> Audit:
    """``draw``'s sample, recorded in ``drawing``'s transaction (``dated``: the episodes'
    date was given, not today's; ``to_file``: the file it is to be written to)."""
    rng = random.Random(seed)
    items: list[AuditItem] = []
    with ledger.connect() as conn:
        for kind in kinds:
            if kind == "episode":
                continue
            ids = _item_ids(conn, kind)
            for item_id in sorted(rng.sample(ids, min(per_kind, len(ids)))):
                items.append(_item(conn, kind, item_id, len(items) + 1))
    set_by_analyst = 0
    if "episode" in kinds:
        # an episode whose status an analyst set is the analyst's, not the machine's to score
        every = list(view if view is not None else evaluate(ledger, as_of=as_of))
        states = [s for s in every if s.assessment.basis != "review"]
        set_by_analyst = len(every) - len(states)
        for s in sorted(rng.sample(states, min(per_kind, len(states))), key=lambda s: s.row["id"]):
            items.append(_episode_item(s, len(items) + 1))
    if not items:
        asked = ", ".join(f"{k}s" for k in kinds)
        with ledger.connect() as conn:
            counts = [_not_drawn(conn, k) for k in kinds if k != "episode"]
            has_documents = conn.execute(sa.select(documents.c.id).limit(1)).first() is not None
        rejected, added = sum(c[0] for c in counts), sum(c[1] for c in counts)
        if rejected or added or set_by_analyst:
            # a ledger whose items an analyst rejected was called empty ("run `redline run`")
            why = [f"{rejected} rejected by an analyst"] if rejected else []
            why += [f"{added} added by an analyst"] * bool(added)
            why += [f"{set_by_analyst} episodes whose status an analyst set"] * bool(set_by_analyst)
            raise RedlineError(
                f"nothing to audit in {ledger.url}: it holds no {asked} but "
                f"{' and '.join(why)} (an audit measures the machine's items, not the analysts')"
            )
        raise RedlineError(
            f"nothing to audit in {ledger.url}: it holds {_none_of(kinds, as_of, dated)} "
            + (
                "(extraction found none in its documents)"
                if has_documents
                else "(an empty ledger: run `redline run PATH` first)"
            )
        )
    with ledger.connect() as conn:
        held = [_fingerprint(conn, i.item_type, i.item_id) for i in items]
        # the last decision stored before the draw: a later one is told apart by its place in
        # the trail, not by the clock of the analyst who made it
        last_review = conn.execute(sa.select(sa.func.max(reviews.c.id))).scalar() or 0
    audit_id = ledger.start_run(
        "audit",
        {
            "seed": seed,
            "per_kind": per_kind,
            "as_of": as_of.isoformat(),
            "kinds": list(kinds),
            "sample": [[i.kind, i.item_id] for i in items],
            # what each id named when drawn: ids can be reused (SQLite gives a deleted
            # episode's id to the next new one), and a judgment must not land on another item
            "fingerprints": held,
            "last_review": int(last_review),
            **writing_to(to_file),
        },
        drawing,
    )
    return Audit(audit_id, seed, per_kind, as_of, items)


def _none_of(kinds: Sequence[str], as_of: date, dated: bool) -> str:
    """What a ledger with nothing to audit holds none of: "no threats or crossings, and no
    episodes as of today (2024-06-01)". Only the episodes are read as of a date (threats and
    events are drawn from the whole ledger), and one not given is today's: the message read
    "no threats as of 2024-06-01" for a date that had no part in it, and named today's date
    as if the analyst had asked for it."""
    items = [f"{k}s" for k in kinds if k != "episode"]
    said = []
    if items:
        said.append("no " + (f"{', '.join(items[:-1])} or {items[-1]}" if items[1:] else items[0]))
    if "episode" in kinds:
        said.append(f"no episodes as of {as_of}" if dated else f"no episodes as of today ({as_of})")
    return ", and ".join(said)


def reopen(ledger: Ledger, audit_id: int, *, reviewer: str | None = None) -> tuple[Audit, int, int]:
    """Audit ``audit_id`` with the items ``reviewer`` has not judged in it yet (an interrupted
    ``audit start`` goes on where it stopped), how many they judged and how many were drawn.

    Each item keeps its number and the id it was drawn under (``record`` finds an item
    re-extracted or relinked since by what it named then); one no longer in the ledger is
    left out and listed in the audit's ``gone`` (it was dropped without a word). Raises
    RedlineError when there is no such audit."""
    run = _audit_params(ledger, audit_id)
    as_of = date.fromisoformat(run["as_of"])
    sample = [(str(k), int(i)) for k, i in run["sample"]]
    held = _drawn_as(run)
    states: dict[int, Any] = {}
    by_key: dict[str, Any] = {}
    if any(k == "episode" for k, _ in sample):
        states = {int(s.row["id"]): s for s in evaluate(ledger, as_of=as_of)}
        by_key = {str(s.row["key"]): s for s in states.values()}
    items: list[AuditItem] = []
    gone: list[dict[str, Any]] = []
    judged = 0
    with ledger.connect() as conn:
        done = set(_latest_notes(_audit_reviews(conn, audit_id, reviewer_name(reviewer))))
        for number, (kind, drawn_id) in enumerate(sample, 1):
            fingerprint = held.get((kind, drawn_id))
            current = _current_id(conn, kind, drawn_id, fingerprint)
            if (item_type(kind), drawn_id) in done or (item_type(kind), current) in done:
                judged += 1
                continue
            state = None
            if current is not None and kind == "episode":
                state = states.get(current) or by_key.get(str(fingerprint))
            if current is None or (kind == "episode" and state is None):
                # gone from the ledger (or, an episode, from its view): nothing left to judge
                gone.append(
                    {"number": number, "kind": kind, "item_id": drawn_id, "was": fingerprint}
                )
                continue
            item = (
                _episode_item(state, number)
                if state is not None
                else _item(conn, kind, current, number)
            )
            item.item_id = drawn_id  # ``record`` checks it against the sample and follows it
            items.append(item)
    audit = Audit(audit_id, int(run["seed"]), int(run["per_kind"]), as_of, items, gone)
    return audit, judged, len(sample)


def _drawn_as(params: dict[str, Any]) -> dict[tuple[str, int], str | None]:
    """What each (kind, id) of an audit's sample named when it was drawn (``_fingerprint``),
    from the audit's recorded ``params``; audits drawn before that was recorded name none."""
    sample = [(str(k), int(i)) for k, i in params.get("sample", [])]
    return dict(zip(sample, params.get("fingerprints") or [], strict=False))


def _current_id(
    conn: sa.Connection, kind: str, drawn_id: int, fingerprint: str | None
) -> int | None:
    """The id the item drawn as ``drawn_id`` has now: that id while it names what it named
    when drawn (``fingerprint``), the one item found again by that (re-extracted, relinked),
    or None when it is gone from the ledger."""
    probe = AuditItem(0, kind, item_type(kind), drawn_id, "", "")
    now_named = _fingerprint(conn, probe.item_type, drawn_id)
    if fingerprint is not None and now_named != fingerprint:
        if _sentence_of(now_named) != fingerprint:
            return _named(conn, probe, fingerprint)
        return drawn_id
    return None if now_named is None else drawn_id


def extracted_since_linked(ledger: Ledger) -> bool:
    """Did an extraction run after the last `link` (whose episodes then stand on items since
    replaced, until `link` runs again)?"""
    with ledger.connect() as conn:
        last = dict(
            conn.execute(
                sa.select(runs.c.stage, sa.func.max(runs.c.id))
                .where(runs.c.stage.in_(("extract", "link")))
                .group_by(runs.c.stage)
            ).all()
        )
    return int(last.get("extract") or 0) > int(last.get("link") or 0)


def discard(ledger: Ledger, audit_id: int) -> None:
    """Forget audit ``audit_id``, drawn but never handed to anyone (its file could not be
    written): only while no judgment names it."""
    with ledger.begin() as conn:
        if not _audit_reviews(conn, audit_id):
            conn.execute(sa.delete(runs).where(runs.c.id == audit_id, runs.c.stage == "audit"))


def writing_to(path: Path | None) -> dict[str, Any]:
    """What a sample drawn to the file ``path`` records in its run's params until the file is
    written whole (``written``): the file and the process writing it. A draw killed between
    recording its sample and writing the file (kill -9, a power cut) left an audit nobody could
    judge standing as the latest; ``unwritten`` finds it by this."""
    if path is None:
        return {}
    return {"writing": {"file": str(path.resolve()), "holder": f"{os.getpid()}@{machine()}"}}


def written(ledger: Ledger, run_id: int) -> None:
    """Sample ``run_id``'s file is written whole: it is no longer being written (``writing_to``)."""
    with ledger.begin() as conn:
        params = conn.execute(sa.select(runs.c.params).where(runs.c.id == run_id)).scalar()
        if params and "writing" in params:
            kept = {k: v for k, v in params.items() if k != "writing"}
            conn.execute(sa.update(runs).where(runs.c.id == run_id).values(params=kept))


def unwritten(ledger: Ledger) -> list[tuple[int, str, str]]:
    """Forget the samples (audits and samples of misses) whose draw was killed after recording
    them and before their file was written whole, by a process of this machine that is gone (one
    elsewhere, or still running, is left alone), as ``discard`` forgets a sample whose file
    could not be written. One whose file holds it (killed just after writing it), or that a
    person judged meanwhile (`audit start --resume`), stands. Returns (number, stage, file) of
    each sample forgotten."""
    from redline.misses import STAGE as MISSES

    here = machine()
    forgotten: list[tuple[int, str, str]] = []
    with ledger.connect() as conn:
        pending = [
            r
            for r in conn.execute(
                sa.select(runs.c.id, runs.c.stage, runs.c.params, runs.c.stats).where(
                    runs.c.stage.in_(("audit", MISSES))
                )
            )
            if isinstance(r.params, dict) and isinstance(r.params.get("writing"), dict)
        ]
    for run in pending:
        run_id, writing = int(run.id), run.params["writing"]
        pid, _, where = str(writing.get("holder", "")).partition("@")
        if where != here or not pid.isdigit() or alive(int(pid)):
            continue
        file = str(writing.get("file", ""))
        try:
            with ledger.begin() as conn:
                judged = (
                    bool(_audit_reviews(conn, run_id))
                    if run.stage == "audit"
                    else bool((run.stats or {}).get("judgments"))
                )
                if not judged and not _holds(Path(file), run_id):
                    conn.execute(sa.delete(runs).where(runs.c.id == run_id))
                    forgotten.append((run_id, str(run.stage), file))
                    continue
            written(ledger, run_id)
        except StoreError:
            # a ledger this user may only read: `audit report` still reads it, and one who may
            # write forgets the sample
            return forgotten
    return forgotten


def _holds(path: Path, run_id: int) -> bool:
    """Does the file ``path`` hold sample ``run_id`` (an audit's or a sample of misses')?"""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    head = data.get("audit")
    return data.get("audit_misses") == run_id or (
        isinstance(head, dict) and head.get("id") == run_id
    )


def _fingerprint(conn: sa.Connection, item_type_: str, item_id: int) -> str | None:
    """What an id names: an episode's key, an item's document, sentence and span (None: gone).
    The span tells apart the items of one sentence (a joint statement's issuers, one threat
    each)."""
    if item_type_ == "episode":
        key = conn.execute(sa.select(episodes.c.key).where(episodes.c.id == item_id)).scalar()
        return None if key is None else str(key)
    table = ITEMS[item_type_]
    row = conn.execute(
        sa.select(
            table.c.document_id,
            evidence.c.sentence_start,
            evidence.c.span_start,
            evidence.c.span_end,
        )
        .join(evidence, evidence.c.id == table.c.evidence_id)
        .where(table.c.id == item_id)
    ).first()
    if row is None:
        return None
    return (
        f"document {row.document_id}, sentence at {row.sentence_start}, "
        f"span {row.span_start}-{row.span_end}"
    )


def _item_ids(conn: sa.Connection, kind: str) -> list[int]:
    """The machine's items of ``kind`` an audit draws from: not those an analyst rejected, nor
    those an analyst added (``redline add``), which are the analyst's, not the machine's, and
    were drawn and judged right, so that adding what extraction missed raised its precision."""
    table = threats if kind == "threat" else events
    query = (
        sa.select(table.c.id)
        .where(table.c.review_state != "rejected", table.c.extractor != ANALYST)
        .order_by(table.c.id)
    )
    if kind != "threat":
        query = query.where(events.c.kind == kind)
    return [int(i) for i in conn.execute(query).scalars()]


def _not_drawn(conn: sa.Connection, kind: str) -> tuple[int, int]:
    """How many items of ``kind`` an analyst rejected, and how many an analyst added (an audit
    draws neither)."""
    table = threats if kind == "threat" else events
    rejected = table.c.review_state == "rejected"
    added = sa.and_(table.c.extractor == ANALYST, sa.not_(rejected))
    query = sa.select(sa.func.count().filter(rejected), sa.func.count().filter(added)).select_from(
        table
    )
    if kind != "threat":
        query = query.where(events.c.kind == kind)
    row = conn.execute(query).one()
    return int(row[0] or 0), int(row[1] or 0)


def _item(conn: sa.Connection, kind: str, item_id: int, number: int) -> AuditItem:
    table = threats if kind == "threat" else events
    who_col = table.c.speaker_country if kind == "threat" else table.c.actor_country
    name_col = table.c.speaker if kind == "threat" else table.c.actor
    row = conn.execute(
        sa.select(
            who_col.label("who"),
            name_col.label("name"),
            table.c.trigger_key,
            table.c.confidence,
            evidence.c.sentence,
            evidence.c.sentence_start,
            evidence.c.sentence_end,
            evidence.c.span_start,
            evidence.c.span_end,
            documents.c.id.label("doc_id"),
            documents.c.title,
            documents.c.outlet,
            documents.c.published,
            documents.c.url,
            documents.c.source_path,
        )
        .join(evidence, evidence.c.id == table.c.evidence_id)
        .join(documents, documents.c.id == table.c.document_id)
        .where(table.c.id == item_id)
    ).one()
    lo = max(row.sentence_start - CONTEXT_CHARS, 0)
    before, after = conn.execute(  # substr counts from 1, on SQLite and PostgreSQL alike
        sa.select(
            sa.func.substr(documents.c.text, lo + 1, row.sentence_start - lo),
            sa.func.substr(documents.c.text, row.sentence_end + 1, CONTEXT_CHARS),
        ).where(documents.c.id == row.doc_id)
    ).one()
    who = f"{row.name} ({row.who})" if row.name else str(row.who or "an unknown actor")
    trigger = row.trigger_key or "no trigger"
    return AuditItem(
        number=number,
        kind=kind,
        item_type=item_type(kind),
        item_id=item_id,
        question=_QUESTIONS[kind].format(who=who, trigger=trigger),
        summary=f"{kind} #{item_id}: {who}, trigger {trigger}, confidence {row.confidence:.2f}",
        context={"before": before or "", "sentence": row.sentence, "after": after or ""},
        document=_document(row),
        choices=JUDGMENTS[kind],
        offsets={
            "sentence_start": row.sentence_start,
            "sentence_end": row.sentence_end,
            "span_start": row.span_start,
            "span_end": row.span_end,
        },
    )


def _document(row: Any) -> dict[str, Any]:
    from redline.documents import source_name

    return {
        "id": row.doc_id,
        "title": row.title,
        "outlet": row.outlet,
        "published": row.published.isoformat() if row.published else None,
        "source": source_name(row.url, row.source_path),
    }


def _episode_item(state: Any, number: int) -> AuditItem:
    a = state.assessment
    row = state.row
    evidence_lines = {
        "sentence": " | ".join(a.explanation),
    }
    return AuditItem(
        number=number,
        kind="episode",
        item_type="episode",
        item_id=int(row["id"]),
        question=_QUESTIONS["episode"].format(
            who=row["threatener_country"],
            trigger=row["trigger_key"],
            status=a.status,
            as_of=a.as_of.isoformat(),
        ),
        summary=(
            f"episode #{row['id']} {row['key']}: {a.status} as of {a.as_of.isoformat()}, "
            f"confidence {a.confidence:.2f}{'' if a.verdict else ' (no verdict)'}"
        ),
        context=evidence_lines,
        document={"threats": len(a.threats), "sources": a.n_sources},
        choices=JUDGMENTS["episode"],
    )


def record(
    ledger: Ledger,
    audit_id: int,
    judged: Iterable[AuditItem],
    *,
    reviewer: str | None,
    where: str | None = None,
    unjudged_only: bool = False,
    changed: list[tuple[int, str, str]] | None = None,
) -> dict[str, int]:
    """Store each judgment as a review; returns counts of judged, unchanged and skipped items.
    ``unjudged_only`` (a session in the terminal, which shows each item ``reviewer`` has not
    judged): an item they judged in this audit meanwhile, in another session, keeps that
    judgment and is counted ``elsewhere`` (the later answer was stored over it unseen).
    ``changed``, when given, hears each item whose judgment by ``reviewer`` this changes (item
    number, the judgment before, the new one): a second copy of a sample changed them unsaid.

    The whole file is checked before anything is stored (a bad judgment stores none), and a
    judgment the item's latest review for this audit already holds is not stored again, so
    judging the same file twice leaves the audit trail as it was; a changed judgment is stored
    and, being the latest, counts. An error names the file ``where`` when given (a judgment
    that is no choice, an id not in the audit, an item judged twice did not)."""
    try:
        return _record(
            ledger,
            audit_id,
            judged,
            reviewer=reviewer,
            unjudged_only=unjudged_only,
            changed=changed,
        )
    except RedlineError as exc:
        if where is None:
            raise
        message = str(exc)
        if "nothing was stored" not in message:  # it is stored in one transaction, or not
            message += "; nothing was stored"
        raise RedlineError(f"{where}: {message}") from exc


def _audit_params(ledger: Ledger, audit_id: int) -> dict[str, Any]:
    """What audit ``audit_id`` recorded when drawn (its run's params); RedlineError when the
    ledger holds no such audit."""
    _audit_number(audit_id)
    run = None
    if 1 <= audit_id <= MAX_ID:  # a number past the database's integers is no audit's
        with ledger.connect() as conn:
            run = conn.execute(
                sa.select(runs.c.params).where(runs.c.id == audit_id, runs.c.stage == "audit")
            ).scalar()
    if run is None:
        raise RedlineError(f"no audit #{audit_id} in {ledger.url}; draw one with `redline audit`")
    return dict(run)


def _record(
    ledger: Ledger,
    audit_id: int,
    judged: Iterable[AuditItem],
    *,
    reviewer: str | None,
    unjudged_only: bool = False,
    changed: list[tuple[int, str, str]] | None = None,
) -> dict[str, int]:
    run = _audit_params(ledger, audit_id)
    drawn = {(k, int(i)) for k, i in run["sample"]}
    items = list(judged)
    seen: set[tuple[str, int]] = set()
    for item in items:
        if item.judgment is None:
            continue
        if (item.kind, item.item_id) in seen:
            raise RedlineError(
                f"item {item.number} ({item.kind} #{item.item_id}) is judged twice in the file; "
                "nothing was stored: keep one judgment"
            )
        seen.add((item.kind, item.item_id))
        if (item.kind, item.item_id) not in drawn:
            raise RedlineError(
                f"item {item.number} ({item.kind} #{item.item_id}) is not in audit #{audit_id}"
            )
        if item.judgment not in JUDGMENTS[item.kind]:
            raise RedlineError(
                f"item {item.number}: judgment {item.judgment!r} is not one of "
                f"{', '.join(JUDGMENTS[item.kind])}"
            )
    held = _drawn_as(run)
    moved = _locate(ledger, [i for i in items if i.judgment is not None], held)
    out = {"judged": 0, "unchanged": 0, "skipped": 0, "measured_only": 0, "followed": len(moved)}
    out["elsewhere"] = 0
    # one transaction no other judging runs beside: the file is stored whole or not at all,
    # and two judges of one file at once store each judgment once; and no analyst's decision
    # is stored meanwhile, so that one made since the draw is among those read here (one in
    # flight was stored after this read, and the judgment undid it)
    with ledger.deciding(exclusive=True, audit=True) as conn:
        if moved:  # the audit's sample follows its items to their new ids
            params = dict(run)
            params["sample"] = [[k, moved.get((k, int(i)), int(i))] for k, i in run["sample"]]
            conn.execute(sa.update(runs).where(runs.c.id == audit_id).values(params=params))
        # a judgment counts as already stored only when the same person stored it: a second
        # analyst agreeing with the first is a second opinion (the agreement figures need it)
        stored = _latest_notes(_audit_reviews(conn, audit_id, reviewer_name(reviewer)))
        since = _reviewed_since_the_draw(conn, audit_id, run)
        for item in items:
            if item.judgment is None:
                out["skipped"] += 1
                continue
            # as ``apply_review`` stores it (no control characters), so that the note judged
            # again compares equal to the one stored
            note = without_controls(
                f"audit #{audit_id}: {item.judgment}" + (f" — {item.note}" if item.note else "")
            )
            key = (item.item_type, item.item_id)
            if unjudged_only and key in stored:
                out["elsewhere"] += 1
                continue
            if stored.get(key) == note:
                out["unchanged"] += 1
                continue
            before = _judgment(stored[key], audit_id) if key in stored else None
            if changed is not None and before is not None and before != item.judgment:
                changed.append((item.number, before, item.judgment))
            action = {"right": "confirm", "wrong": "reject", "not_a_line": "reject"}.get(
                item.judgment, "note"
            )
            if key in since and action != "note":
                # an analyst decided on the item after the sample was drawn: the judgment
                # counts in the audit's figures, and the later decision stands
                action = "note"
                out["measured_only"] += 1
            apply_review(
                conn,
                ledger.url,
                item.item_type,
                item.item_id,
                action,
                reviewer=reviewer,
                note=note,
            )
            stored[key] = note
            out["judged"] += 1
    return out


def _reviewed_since_the_draw(
    conn: sa.Connection, audit_id: int, params: dict[str, Any]
) -> set[tuple[str, int]]:
    """The items a review outside this audit decided on after the audit was drawn: stored
    after the last review the draw saw (a review's time is its analyst's clock, and one
    running behind put a later rejection before the draw, where a judgment undid it); audits
    drawn before that was recorded go by the time."""
    if "last_review" in params:
        after = reviews.c.id > int(params["last_review"])
    else:
        drawn_at = conn.execute(sa.select(runs.c.started_at).where(runs.c.id == audit_id)).scalar()
        if drawn_at is None:
            return set()
        after = reviews.c.created_at >= drawn_at
    rows = conn.execute(
        sa.select(reviews.c.item_type, reviews.c.item_id).where(
            after,
            reviews.c.action != "note",
            sa.or_(reviews.c.note.is_(None), ~reviews.c.note.like(f"audit #{audit_id}: %")),
        )
    ).all()
    return {(t, int(i)) for t, i in rows}


# an item's fingerprint (``_fingerprint``); audits drawn before the span was added name the
# sentence alone
_SENTENCE = re.compile(r"document (\d+), sentence at (\d+)(?:, span (\d+)-(\d+))?")


def _locate(
    ledger: Ledger, judged: Sequence[AuditItem], held: dict[tuple[Any, ...], str | None]
) -> dict[tuple[str, int], int]:
    """Check, before anything is stored, that every judged item is the one drawn; returns
    {(kind, old id): new id} for those found again under a new id (whose ``item_id`` is
    updated). ``held`` says what each (kind, id) named when drawn (``_fingerprint``).

    An item re-extracted (or an episode relinked) since the draw is found again by what it
    named then: the one item of the same kind on the same sentence, the episode of the same
    key (a teammate's `extract --redo` gives every unreviewed item a new id, and voided an
    audit judged meanwhile). An item gone, or an id that now names another item (a relink can
    give a deleted episode's id to another), is refused, naming the first such item."""
    moved: dict[tuple[str, int], int] = {}
    with ledger.connect() as conn:
        for item in judged:
            now_named = _fingerprint(conn, item.item_type, item.item_id)
            drawn = held.get((item.kind, item.item_id))
            if drawn is None or now_named == drawn or _sentence_of(now_named) == drawn:
                if now_named is not None:
                    continue
            else:
                found = _named(conn, item, drawn)
                if found is not None:
                    moved[(item.kind, item.item_id)] = found
                    item.item_id = found
                    continue
                if _moved_in_its_sentence(conn, item, drawn, now_named):
                    continue
            if now_named is None:
                raise RedlineError(
                    f"item {item.number} ({item.kind} #{item.item_id}) is no longer in the "
                    "ledger (re-extracted since the audit was drawn?); nothing was stored: draw "
                    "a new audit"
                )
            raise RedlineError(
                f"item {item.number} ({item.kind} #{item.item_id}) was {drawn} when the audit "
                f"was drawn and is now {now_named} (relinked or re-extracted since?); nothing "
                "was stored: draw a new audit"
            )
    return moved


def _moved_in_its_sentence(
    conn: sa.Connection, item: AuditItem, drawn: str, now_named: str | None
) -> bool:
    """Is the id the reviewed item drawn, which a re-extraction moved to another span of its
    sentence (``redline.store.items`` keeps a reviewed item's id when it does)? An unreviewed
    item's id that names another span may be a new item's (SQLite hands a deleted id out again)."""
    if item.item_type == "episode" or _sentence_of(now_named) != _sentence_of(drawn):
        return False
    table = ITEMS[item.item_type]
    held = sa.select(table.c.id).where(table.c.id == item.item_id, _reviewed(table))
    return conn.execute(held).first() is not None


def _sentence_of(fingerprint: str | None) -> str | None:
    """An item's fingerprint as audits drawn before the span was added wrote it: such an audit
    still names the item it drew when nothing was re-extracted."""
    return None if fingerprint is None else fingerprint.split(", span ")[0]


def _named(conn: sa.Connection, item: AuditItem, drawn: str) -> int | None:
    """The id of the one item of ``item``'s kind that ``drawn`` names now, or None."""
    if item.item_type == "episode":
        found = conn.execute(sa.select(episodes.c.id).where(episodes.c.key == drawn)).all()
    else:
        where = _SENTENCE.fullmatch(drawn)
        if where is None:
            return None
        table = ITEMS[item.item_type]
        query = (
            sa.select(table.c.id)
            .join(evidence, evidence.c.id == table.c.evidence_id)
            .where(
                table.c.document_id == int(where.group(1)),
                evidence.c.sentence_start == int(where.group(2)),
            )
        )
        if where.group(3) is not None:
            query = query.where(
                evidence.c.span_start == int(where.group(3)),
                evidence.c.span_end == int(where.group(4)),
            )
        if item.item_type == "event":
            query = query.where(events.c.kind == item.kind)
        found = conn.execute(query).all()
    return int(found[0][0]) if len(found) == 1 else None


def _audit_reviews(conn: sa.Connection, audit_id: int, reviewer: str | None = None) -> list[Any]:
    """The reviews recording judgments in audit ``audit_id`` (item type, item id, reviewer,
    note), by anyone or by ``reviewer``, in the order they were stored."""
    query = sa.select(
        reviews.c.item_type, reviews.c.item_id, reviews.c.reviewer, reviews.c.note
    ).where(reviews.c.note.like(f"audit #{audit_id}: %"))
    if reviewer is not None:
        query = query.where(reviews.c.reviewer == reviewer)
    return list(conn.execute(query.order_by(reviews.c.id)).all())


def _latest_notes(rows: Sequence[Any]) -> dict[tuple[str, int], str]:
    """The note of each item's latest review among ``rows`` (``_audit_reviews``): its
    judgment."""
    return {(t, int(i)): note for t, i, _, note in rows}


@dataclass
class AuditFigures:
    audit_id: int
    as_of: date
    drawn: int
    precision: dict[str, Proportion]
    # items two or more people judged, and those their latest judgments differ on: the
    # precision counts each item's last judgment, which hid that two analysts disagreed
    judged_by_several: int = 0
    disagreed: int = 0
    # per kind, the drawn items nobody judged that are no longer in the ledger (re-extracted
    # away, relinked out): they can never be judged, so that kind's precision rests on fewer
    # items than were drawn, and not on a random few (a rule change drops wrong items first)
    gone: dict[str, int] = field(default_factory=dict)

    @property
    def judged(self) -> int:
        """How many of the drawn items a person has judged."""
        return sum(p.total for p in self.precision.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "audit_id": self.audit_id,
            "as_of": self.as_of.isoformat(),
            "drawn": self.drawn,
            "judged": self.judged,
            "precision": {k: v.as_dict() for k, v in self.precision.items()},
            "judged_by_several": self.judged_by_several,
            "disagreed": self.disagreed,
            "gone": self.gone,
        }


def audit_ids(ledger: Ledger) -> list[int]:
    """The ledger's audits, oldest first (an audit's number is its run's id)."""
    with ledger.connect() as conn:
        return [
            int(i)
            for i in conn.execute(
                sa.select(runs.c.id).where(runs.c.stage == "audit").order_by(runs.c.id)
            ).scalars()
        ]


def figures(ledger: Ledger, audit_id: int | None = None) -> AuditFigures | None:
    """Precision per kind from one audit's judgments: by default the latest audit a person
    has judged items of (the latest drawn when none is judged yet), so a sample drawn to look
    at does not hide the figures of one that was judged."""
    if audit_id is not None:
        _audit_number(audit_id)
    if audit_id is not None and not 1 <= audit_id <= MAX_ID:
        return None  # past the database's integers (a typo): no audit's number
    with ledger.connect() as conn:
        query = sa.select(runs.c.id, runs.c.params).where(runs.c.stage == "audit")
        if audit_id is not None:
            query = query.where(runs.c.id == audit_id)
        candidates = conn.execute(query.order_by(runs.c.id.desc())).all()
        if not candidates:
            return None
        for run in candidates:  # the latest with judgments (the one asked for, when asked)
            judged = _audit_reviews(conn, int(run.id))
            if judged or audit_id is not None:
                break
        else:  # none judged yet: the latest drawn
            run, judged = candidates[0], []
        notes = _latest_notes(judged)
        params = run.params or {}
        held = _drawn_as(params)
        gone: dict[str, int] = {}
        for kind, drawn_id in params.get("sample", []):
            if (item_type(kind), int(drawn_id)) not in notes and (
                _current_id(conn, kind, int(drawn_id), held.get((kind, drawn_id))) is None
            ):
                gone[kind] = gone.get(kind, 0) + 1
    by_person = _judgments_by_person(judged, int(run.id))
    kind_of = {(item_type(k), int(i)): k for k, i in params.get("sample", [])}
    # the last judgment of an item wins
    latest = {key: _judgment(note, int(run.id)) for key, note in notes.items()}
    counts: dict[str, list[int]] = {k: [0, 0] for k in params.get("kinds", KINDS)}
    for key, judgment in latest.items():
        kind = kind_of.get(key)
        if kind is None:
            continue
        counts.setdefault(kind, [0, 0])
        counts[kind][0] += judgment == "right"
        counts[kind][1] += 1
    several = [set(j.values()) for k, j in by_person.items() if k in kind_of and len(j) >= 2]
    return AuditFigures(
        audit_id=int(run.id),
        as_of=date.fromisoformat(params.get("as_of", date.today().isoformat())),
        drawn=len(params.get("sample", [])),
        precision={k: Proportion(hit, n) for k, (hit, n) in counts.items()},
        judged_by_several=len(several),
        disagreed=sum(len(judgments) > 1 for judgments in several),
        gone=gone,
    )


def judged_elsewhere(ledger: Ledger, found: AuditFigures) -> dict[str, int]:
    """For each kind ``found``'s audit has no judgment of, the latest other audit that has
    (kind -> its number): the default figures are the latest judged audit's, and a small audit
    of episodes alone hid the precision of the threats, crossings and responses judged before."""
    missing = [k for k in KINDS if not found.precision.get(k, Proportion(0, 0)).total]
    out: dict[str, int] = {}
    for other in reversed(audit_ids(ledger)):
        if not missing:
            break
        if other == found.audit_id:
            continue
        figures_ = figures(ledger, other)
        if figures_ is None:
            continue
        for kind in [k for k in missing if figures_.precision.get(k, Proportion(0, 0)).total]:
            out[kind] = other
            missing.remove(kind)
    return out


def _judgment(note: str, audit_id: int) -> str:
    """The judgment an audit's review note records ("audit #7: wrong — a forecast")."""
    return note[len(f"audit #{audit_id}: ") :].split(" — ", 1)[0]


def _judgments_by_person(
    rows: Sequence[Any], audit_id: int
) -> dict[tuple[str, int], dict[str, str]]:
    """Each item's latest judgment in audit ``audit_id`` by each person who judged it, from its
    review ``rows`` (``_audit_reviews``)."""
    out: dict[tuple[str, int], dict[str, str]] = {}
    for kind, item, who, note in rows:
        out.setdefault((kind, int(item)), {})[who] = _judgment(note, audit_id)
    return out


def _json_name(value: Any) -> str:
    """What a JSON value is, for a message: 'an object {"x": 1}', 'the number 25.9'."""
    shown = json.dumps(value, ensure_ascii=False, default=str)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if isinstance(value, bool):
        return shown
    if isinstance(value, dict):
        return f"an object {shown}"
    if isinstance(value, list):
        return f"a list {shown}"
    if isinstance(value, str):
        return f"the text {shown}"
    if isinstance(value, int | float):
        return f"the number {shown}"
    return shown


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _audit_number(audit_id: Any) -> None:
    """A RedlineError unless ``audit_id`` is a whole number: "3" ended ``figures``, ``record``
    and ``reopen`` in a TypeError comparing text with a number."""
    if not _whole(audit_id):
        raise RedlineError(f"an audit number is a whole number, not {_json_name(audit_id)}")


def from_dict(data: Any, where: str) -> tuple[int, list[AuditItem]]:
    """Read a judged audit file (the JSON ``draw`` wrote), checking every item before any is
    used: errors name the file, the item and the field. A value of the wrong type is refused,
    never converted (an item id 25.9 was stored as 25, a note given as an object as Python
    text, and an item given as text ended in a traceback)."""

    def bad(problem: str) -> RedlineError:
        return RedlineError(f"{where}: {problem}; nothing was stored")

    head = data.get("audit") if isinstance(data, dict) else None
    if not isinstance(head, dict) or "id" not in head or "items" not in data:
        raise bad("not an audit file (no audit.id / items)")
    audit_id = head["id"]
    if not _whole(audit_id):
        raise bad(f"audit.id must be a whole number, not {_json_name(audit_id)}")
    raw = data["items"]
    if not isinstance(raw, list):
        raise bad(f"items must be a list of items, not {_json_name(raw)}")
    items = []
    for n, r in enumerate(raw, 1):
        if not isinstance(r, dict):
            raise bad(
                f"item {n} must be an object with kind, item_type and item_id, not {_json_name(r)}"
            )
        for key in ("kind", "item_type", "item_id"):
            if key not in r:
                raise bad(f"item {n} lacks {key}")
        for key in ("kind", "item_type"):
            if not isinstance(r[key], str):
                raise bad(f"item {n}: {key} must be text, not {_json_name(r[key])}")
        for key in ("item_id", "number"):
            if key in r and not _whole(r[key]):
                raise bad(f"item {n}: {key} must be a whole number, not {_json_name(r[key])}")
        for key in ("judgment", "note"):
            if r.get(key) is not None and not isinstance(r[key], str):
                raise bad(f"item {n}: {key} must be text or null, not {_json_name(r[key])}")
        kind = r["kind"]
        if kind not in KINDS:
            raise bad(f"item {n} has an unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
        if r["item_type"] != item_type(kind):
            # a known kind with the wrong item_type was called "an unknown kind 'threat'"
            raise bad(
                f"item {n}: a {kind}'s item_type is {item_type(kind)!r}, not {r['item_type']!r}"
            )
        judgment = r.get("judgment")
        if judgment is not None and judgment not in JUDGMENTS[kind]:
            raise bad(f"item {n}: judgment {judgment!r} is not one of {', '.join(JUDGMENTS[kind])}")
        items.append(
            AuditItem(
                number=r.get("number", n),
                kind=kind,
                item_type=r["item_type"],
                item_id=r["item_id"],
                question=str(r.get("question", "")),
                summary=str(r.get("summary", "")),
                judgment=judgment,
                note=r.get("note"),
            )
        )
    return audit_id, items


__all__ = [
    "JUDGMENTS",
    "KINDS",
    "Audit",
    "AuditFigures",
    "AuditItem",
    "discard",
    "draw",
    "figures",
    "from_dict",
    "record",
    "reopen",
]
