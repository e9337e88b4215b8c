"""Score extraction and linking against a gold annotation file (the format of shared/gold/seeds.json).

Matching is by meaning, as the gold file's ``about`` says: a predicted item matches a gold item
when it comes from the same file and its evidence sentence contains the gold ``evidence``
(case-insensitive, quotes and spaces normalised); fields are compared where the gold gives them.
Gold files for corpora we may not copy give ``evidence_span`` (offsets into the raw file) and
``evidence_sha1`` instead of the text; the text is read from the corpus at evaluation time.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from redline import knowledge
from redline.errors import GoldError
from redline.output import counted
from redline.store import Ledger
from redline.store.schema import (
    documents,
    duplicates,
    episode_members,
    episodes,
    events,
    evidence,
    threats,
)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().lower()


@dataclass
class ItemScore:
    """Precision/recall for one item kind, with every miss and false alarm spelled out."""

    kind: str
    required: int = 0
    found: int = 0  # required items matched by evidence
    found_exact: int = 0  # ... and every given field agrees
    false_alarms: list[dict[str, Any]] = field(default_factory=list)
    negatives_extracted: list[dict[str, Any]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    field_checks: dict[str, list[int]] = field(default_factory=dict)  # field -> [agree, total]
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return len(self.false_alarms) + len(self.negatives_extracted)

    @property
    def precision(self) -> float:
        denom = self.found + self.errors
        return self.found / denom if denom else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.required if self.required else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        agree, total = self.field_checks.get(name, [0, 0])
        return agree / total if total else None

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "required": self.required,
            "found": self.found,
            "found_with_fields": self.found_exact,
            "false_alarms": len(self.false_alarms),
            "negatives_extracted": len(self.negatives_extracted),
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "field_accuracy": {
                k: round(v[0] / v[1], 3) for k, v in self.field_checks.items() if v[1]
            },
        }


@dataclass
class EpisodeScore:
    expected: int = 0
    matched: int = 0
    status_correct: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)
    separation_errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "matched": self.matched,
            "status_correct": self.status_correct,
            "status_accuracy": round(self.status_correct / self.matched, 3)
            if self.matched
            else None,
            "separation_errors": self.separation_errors,
        }


@dataclass
class EvalResult:
    gold: str
    corpus: str
    threats: ItemScore
    crossings: ItemScore
    episodes: EpisodeScore
    credibility: list[dict[str, Any]] = field(default_factory=list)
    database: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "corpus": self.corpus,
            "threats": self.threats.summary(),
            "crossings": self.crossings.summary(),
            "episodes": self.episodes.summary(),
            "credibility": self.credibility,
            "threat_misses": self.threats.misses,
            "threat_false_alarms": self.threats.false_alarms,
            "threat_negatives_extracted": self.threats.negatives_extracted,
            "threat_field_disagreements": self.threats.disagreements,
            "crossing_misses": self.crossings.misses,
            "crossing_false_alarms": self.crossings.false_alarms,
            "crossing_field_disagreements": self.crossings.disagreements,
            "episode_details": self.episodes.details,
        }


# ---------------------------------------------------------------------------- gold loading


def load_gold(gold_path: Path, corpus_dir: Path) -> dict[str, Any]:
    """Read a gold file and resolve span-located evidence against the corpus files."""
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: not JSON, or not UTF-8
        raise GoldError(f"{gold_path}: cannot read gold file: {exc}") from exc
    if not isinstance(gold, dict) or "threats" not in gold:
        raise GoldError(f"{gold_path}: a gold file is an object with at least a 'threats' section")
    _check_shape(gold, gold_path)
    raw_cache: dict[str, str] = {}
    for section in ("threats", "crossings"):
        for group in ("required", "lenient", "negatives"):
            for i, item in enumerate(gold.get(section, {}).get(group, [])):
                where = f"{gold_path}: {section}.{group}[{i}]"
                if not isinstance(item.get("file"), str):
                    raise GoldError(f"{where}: no 'file'")
                if not isinstance(item.get("evidence", ""), str):
                    raise GoldError(f"{where}: 'evidence' is the quoted text")
                if "evidence" not in item:
                    item["evidence"] = _span_text(item, corpus_dir, raw_cache, where)
                if not normalise(item["evidence"]):
                    # empty evidence is in every sentence: it matched each prediction in the file
                    raise GoldError(
                        f"{where}: its evidence is empty"
                        + ("" if "evidence_span" not in item else " (is the span inside the file?)")
                    )
    return gold


def _check_shape(gold: dict[str, Any], gold_path: Path) -> None:
    """The containers of a gold file as scoring reads them, or a ``GoldError`` naming the part
    (a list where an object belongs, or a number where a list does, ended in a traceback)."""

    def wrong(part: str, should: str) -> GoldError:
        return GoldError(f"{gold_path}: '{part}' must be {should}")

    for section in ("threats", "crossings"):
        groups = gold.get(section, {})
        if not isinstance(groups, dict):
            raise wrong(section, "an object of 'required', 'lenient' and 'negatives' lists")
        for group in ("required", "lenient", "negatives"):
            if not _objects(groups.get(group, [])):
                raise wrong(f"{section}.{group}", "a list of objects")
    for part in ("documents", "episodes"):
        if not _objects(gold.get(part, [])):
            raise wrong(part, "a list of objects")
    named = gold.get("annotated_files", [])
    if not isinstance(named, list) or not all(isinstance(n, str) for n in named):
        raise wrong("annotated_files", "a list of file names")
    spec = gold.get("credibility")
    if spec and not (isinstance(spec, dict) or _objects(spec)):
        raise wrong("credibility", "an object or a list of objects")


def _objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _span_text(item: dict[str, Any], corpus_dir: Path, cache: dict[str, str], where: str) -> str:
    span = item.get("evidence_span")
    if not (isinstance(span, list) and len(span) == 2 and all(type(n) is int for n in span)):
        raise GoldError(f"{where}: needs 'evidence' or 'evidence_span': [start, end]")
    name = item["file"].split("#")[0]
    if name not in cache:
        try:
            cache[name] = (corpus_dir / name).read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:  # ValueError: not UTF-8
            raise GoldError(f"{where}: cannot read corpus file {corpus_dir / name}: {exc}") from exc
    text = cache[name][span[0] : span[1]]
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    if item.get("evidence_sha1") and digest != item["evidence_sha1"]:
        raise GoldError(f"{where}: the span no longer matches its sha1: has {name} changed?")
    return text


def annotated_files(gold: dict[str, Any]) -> set[str]:
    files = {d["file"] for d in gold.get("documents", []) if "file" in d}
    files |= set(gold.get("annotated_files", []))
    for section in ("threats", "crossings"):
        for group in ("required", "lenient", "negatives"):
            files |= {it["file"] for it in gold.get(section, {}).get(group, [])}
    return files


# ---------------------------------------------------------------------------- running


def evaluate(
    gold_path: Path,
    corpus_dir: Path,
    *,
    db: str | None = None,
    workers: int = 1,
    window_days: int = 90,
    on_stage: Callable[[str], None] | None = None,
) -> EvalResult:
    """Ingest and extract ``corpus_dir`` into a scratch ledger (or ``db``) and score it against gold."""
    from redline.extract import extract_documents
    from redline.ingest import ingest_paths

    if not corpus_dir.is_dir():
        raise GoldError(
            f"{corpus_dir}: not a folder; give the folder holding the files {gold_path} annotates"
        )
    gold = load_gold(gold_path, corpus_dir)
    files = annotated_files(gold)
    if files and not any((corpus_dir / f.split("#")[0]).exists() for f in files):
        # every score was 0 and the command ended as done: the wrong folder looked like a
        # broken extractor
        raise GoldError(
            f"{corpus_dir}: holds none of the {counted(len(files), 'file')} {gold_path} "
            f"annotates ({sorted(files)[0]}, ...): is it the right folder?"
        )
    with tempfile.TemporaryDirectory(prefix="redline-eval-") as tmp:
        ledger = Ledger.open(db or f"sqlite:///{Path(tmp) / 'eval.db'}")
        try:
            stage = on_stage or (lambda _s: None)
            stage("ingest")
            paths = sorted({corpus_dir / f.split("#")[0] for f in files}) or [corpus_dir]
            ingest_paths(ledger, [p for p in paths if p.exists()], progress=False)
            stage("extract")
            extract_documents(ledger, workers=workers)
            stage("link")
            from redline.link import link

            link(ledger, window_days=window_days)
            stage("score")
            return _score(ledger, gold, gold_path, corpus_dir, files, window_days)
        finally:
            ledger.dispose()


def _gold_name(path: str, locator: str | None) -> str:
    name = Path(path).name
    if locator and locator.startswith("line "):
        name = f"{name}#{locator.split()[1]}"
    return name


def _doc_index(ledger: Ledger) -> dict[int, tuple[str, date | None]]:
    """document id -> (gold-style file name, publication date)."""
    with ledger.connect() as conn:
        rows = conn.execute(
            sa.select(
                documents.c.id,
                documents.c.source_path,
                documents.c.source_locator,
                documents.c.published,
            )
        )
        return {r.id: (_gold_name(r.source_path, r.source_locator), r.published) for r in rows}


def _duplicate_names(ledger: Ledger) -> dict[int, set[str]]:
    """document id -> names of the files that were not stored because they duplicate it."""
    out: dict[int, set[str]] = {}
    with ledger.connect() as conn:
        for r in conn.execute(
            sa.select(
                duplicates.c.source_path, duplicates.c.source_locator, duplicates.c.duplicate_of
            )
        ):
            out.setdefault(r.duplicate_of, set()).add(_gold_name(r.source_path, r.source_locator))
    return out


def _score(
    ledger: Ledger,
    gold: dict[str, Any],
    gold_path: Path,
    corpus_dir: Path,
    files: set[str],
    window_days: int,
) -> EvalResult:
    docs = _doc_index(ledger)
    with ledger.connect() as conn:
        pred_threats = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(threats, evidence.c.sentence, evidence.c.context).join(
                    evidence, evidence.c.id == threats.c.evidence_id
                )
            )
        ]
        pred_crossings = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(events, evidence.c.sentence, evidence.c.context)
                .join(evidence, evidence.c.id == events.c.evidence_id)
                .where(events.c.kind == "crossing")
            )
        ]
    dups = _duplicate_names(ledger)
    for p in pred_threats + pred_crossings:
        p["file"] = docs[p["document_id"]][0]
        p["files"] = {p["file"], *dups.get(p["document_id"], set())}
    tree = knowledge.triggers()
    threat_score = _score_items(
        "threats", gold.get("threats", {}), pred_threats, files, _threat_fields(tree)
    )
    crossing_score = _score_items(
        "crossings", gold.get("crossings", {}), pred_crossings, files, _crossing_fields(tree)
    )
    episode_score = _score_episodes(ledger, gold, docs, window_days)
    credibility = _score_credibility(ledger, gold)
    return EvalResult(
        gold=str(gold_path),
        corpus=str(corpus_dir),
        threats=threat_score,
        crossings=crossing_score,
        episodes=episode_score,
        credibility=credibility,
    )


FieldCheck = Callable[[dict[str, Any], dict[str, Any]], bool | None]


def _mentions_agree(tree: knowledge.TriggerTree) -> FieldCheck:
    def check(g: dict[str, Any], p: dict[str, Any]) -> bool | None:
        if g.get("trigger_key"):
            return p.get("trigger_key") == g["trigger_key"]
        mentions = g.get("trigger_mentions")
        if not mentions:
            return None
        haystack = normalise(
            " ".join(
                filter(
                    None,
                    [
                        p.get("trigger_text"),
                        tree.label(p.get("trigger_key")) if p.get("trigger_key") else "",
                        p.get("sentence"),
                        p.get("context"),
                    ],
                )
            )
        )
        # a line of the vocabulary that the mention names: a key the extractor coined
        # (``knowledge.is_coined``) names no line the gold's mention could be checked against
        key = p.get("trigger_key")
        return (
            key is not None
            and not knowledge.is_coined(key)
            and any(normalise(m) in haystack for m in mentions)
        )

    return check


def _year_agrees(date_field: str) -> FieldCheck:
    def check(g: dict[str, Any], p: dict[str, Any]) -> bool | None:
        if "year" not in g:
            return None
        d = p.get(date_field)
        ok = d is not None and d.year == g["year"]
        if "month" in g:
            ok = (
                ok
                and d is not None
                and d.month == g["month"]
                and p.get("stated_precision", p.get("date_precision")) in ("day", "month")
            )
        return ok

    return check


def _threat_fields(tree: knowledge.TriggerTree) -> dict[str, FieldCheck]:
    return {
        "speaker": lambda g, p: (
            None
            if "speaker" not in g
            else normalise(g["speaker"]) in normalise(p.get("speaker") or "")
            or normalise(p.get("speaker") or "~") in normalise(g["speaker"])
        ),
        "speaker_country": lambda g, p: (
            None if "speaker_country" not in g else p.get("speaker_country") == g["speaker_country"]
        ),
        "trigger": _mentions_agree(tree),
        "consequence_class": lambda g, p: (
            None
            if "consequence_class" not in g
            else p.get("consequence_class") == g["consequence_class"]
        ),
        "date": _year_agrees("stated_date"),
    }


def _crossing_fields(tree: knowledge.TriggerTree) -> dict[str, FieldCheck]:
    return {
        "actor_country": lambda g, p: (
            None if "actor_country" not in g else p.get("actor_country") == g["actor_country"]
        ),
        "trigger": _mentions_agree(tree),
        "date": _year_agrees("event_date"),
    }


def _matches(g: dict[str, Any], p: dict[str, Any]) -> bool:
    return g["file"] in p["files"] and normalise(g["evidence"]) in normalise(
        p.get("sentence") or ""
    )


def _describe(p: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "file",
        "speaker",
        "speaker_country",
        "actor_country",
        "trigger_key",
        "consequence_class",
        "sentence",
    )
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in p.items()
        if k in keep and v is not None
    }


def _score_items(
    kind: str,
    section: dict[str, Any],
    preds: Sequence[dict[str, Any]],
    files: set[str],
    checks: dict[str, FieldCheck],
) -> ItemScore:
    score = ItemScore(kind)
    required = section.get("required", [])
    lenient = section.get("lenient", [])
    negatives = section.get("negatives", [])
    score.required = len(required)
    for g in required:
        hits = [p for p in preds if _matches(g, p)]
        if not hits:
            score.misses.append(
                {"file": g["file"], "evidence": g["evidence"], "note": g.get("note")}
            )
            continue
        score.found += 1
        # the best-agreeing prediction for this gold item
        best, best_results = None, {}
        for p in hits:
            results = {name: fn(g, p) for name, fn in checks.items()}
            agree = sum(1 for r in results.values() if r)
            if best is None or agree > sum(1 for r in best_results.values() if r):
                best, best_results = p, results
        assert best is not None
        all_ok = True
        for name, ok in best_results.items():
            if ok is None:
                continue
            tally = score.field_checks.setdefault(name, [0, 0])
            tally[1] += 1
            tally[0] += int(bool(ok))
            if not ok:
                all_ok = False
                score.disagreements.append(
                    {
                        "field": name,
                        "gold": {
                            k: v
                            for k, v in g.items()
                            if k not in ("evidence_span", "evidence_sha1")
                        },
                        "predicted": _describe(best),
                    }
                )
        score.found_exact += int(all_ok)
    for p in preds:
        if not p["files"] & files:
            continue  # unannotated documents count neither way
        if any(_matches(g, p) for g in required) or any(_matches(g, p) for g in lenient):
            continue
        if any(_matches(g, p) for g in negatives):
            score.negatives_extracted.append(_describe(p))
        else:
            score.false_alarms.append(_describe(p))
    return score


def _episode_text(ledger: Ledger, episode_id: int, label: str, trigger_key: str) -> str:
    """What an episode is about, for matching gold label mentions: labels and trigger texts."""
    tree = knowledge.triggers()
    parts = [label, tree.label(trigger_key), trigger_key.replace("_", " ")]
    with ledger.connect() as conn:
        members = conn.execute(
            sa.select(episode_members.c.item_type, episode_members.c.item_id).where(
                episode_members.c.episode_id == episode_id
            )
        ).all()
        threat_ids = [m.item_id for m in members if m.item_type == "threat"]
        event_ids = [m.item_id for m in members if m.item_type == "crossing"]
        if threat_ids:
            parts += [
                r[0] or ""
                for r in conn.execute(
                    sa.select(threats.c.trigger_text).where(threats.c.id.in_(threat_ids))
                )
            ]
        if event_ids:
            parts += [
                r[0]
                for r in conn.execute(
                    sa.select(evidence.c.sentence)
                    .join(events, events.c.evidence_id == evidence.c.id)
                    .where(events.c.id.in_(event_ids))
                )
            ]
    return normalise(" ".join(parts))


def _score_episodes(
    ledger: Ledger, gold: dict[str, Any], docs: dict[int, tuple[str, date | None]], window_days: int
) -> EpisodeScore:
    from redline.link import episode_status

    score = EpisodeScore()
    gold_eps = gold.get("episodes", [])
    with ledger.connect() as conn:
        preds = [dict(r._mapping) for r in conn.execute(sa.select(episodes))]
    texts = {p["id"]: _episode_text(ledger, p["id"], p["label"], p["trigger_key"]) for p in preds}
    by_file = {name: published for name, published in docs.values()}
    assignment: dict[str, int | None] = {}
    for g in gold_eps:
        mentions = [normalise(m) for m in g.get("label_mentions", [])]
        candidates = []
        for p in preds:
            if g.get("threatener_country") and p["threatener_country"] != g["threatener_country"]:
                continue
            label_hits = sum(
                m in normalise(p["label"] + " " + p["trigger_key"].replace("_", " "))
                for m in mentions
            )
            text_hits = sum(m in texts[p["id"]] for m in mentions)
            if text_hits:
                candidates.append((label_hits, text_hits, -p["id"], p))
        lenient = bool(g.get("lenient"))
        if not lenient:
            score.expected += 1
        if not candidates:
            assignment[g["id"]] = None
            score.details.append({"gold": g["id"], "matched": None, "lenient": lenient})
            continue
        best = max(candidates, key=lambda c: c[:3])[3]
        assignment[g["id"]] = best["id"]
        checks = []
        for when, allowed in _status_expectations(g, by_file):
            status = episode_status(ledger, best["id"], as_of=when, window_days=window_days)
            got = (
                status["status"] if isinstance(status, dict) else getattr(status, "status", status)
            )
            checks.append(
                {
                    "as_of": when.isoformat() if when else None,
                    "status": got,
                    "allowed": allowed,
                    "ok": got in allowed,
                }
            )
        ok = all(c["ok"] for c in checks)
        if not lenient:
            score.matched += 1
            score.status_correct += int(ok)
        score.details.append(
            {
                "gold": g["id"],
                "matched": best["key"],
                "lenient": lenient,
                "status_checks": checks,
                "ok": ok,
            }
        )
    for g in gold_eps:
        mine = assignment.get(g["id"])
        if mine is None:
            continue
        merge_ok = set(g.get("may_merge_with", []))
        for other in g.get("must_differ_from", []):
            if other not in merge_ok and assignment.get(other) == mine:
                score.separation_errors.append(
                    f"{g['id']} and {other} were linked into one episode"
                )
    return score


def _status_expectations(
    g: dict[str, Any], published: dict[str, date | None]
) -> list[tuple[date | None, list[str]]]:
    out: list[tuple[date | None, list[str]]] = []
    for key, allowed in g.get("status_as_of", {}).items():
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", key):
            out.append((date.fromisoformat(key), allowed))
        else:
            when = published.get(key)
            # a year-precise article is read as of the end of that year
            out.append(
                (
                    date(when.year, 12, 31) if when and when.month == 1 and when.day == 1 else when,
                    allowed,
                )
            )
    if "status" in g:
        out.append((None, g["status"]))
    return out


def _score_credibility(ledger: Ledger, gold: dict[str, Any]) -> list[dict[str, Any]]:
    spec = gold.get("credibility")
    specs = spec if isinstance(spec, list) else [spec] if spec else []
    if not specs:
        return []
    from redline.score import credibility

    estimates = credibility(ledger)
    out = []
    for s in specs:
        actor = s.get("actor_country")
        est = next((e for e in estimates if _get(e, "actor") == actor), None)
        out.append({"actor": actor, "expect": s.get("expect"), "estimate": _plain(est)})
    return out


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _plain(obj: Any) -> Any:
    if obj is None or isinstance(obj, dict):
        return obj
    if hasattr(obj, "as_dict"):
        return obj.as_dict()
    from dataclasses import asdict, is_dataclass

    return asdict(obj) if is_dataclass(obj) and not isinstance(obj, type) else str(obj)
