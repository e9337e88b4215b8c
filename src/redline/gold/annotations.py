"""Exhaustive gold annotations of real documents: items located by document id and offsets.

One JSON line per item (``src/redline/data/gold/real.jsonl``)::

    {"doc": "news/2022...", "annotator": "A", "sentence": [120, 245], "sha1": "3f2a...",
     "kind": "threat", "borderline": false, "speaker_country": "RUS", ...}

and one line per finished document (``{"doc": ..., "annotator": "A", "done": true}``): a
document counts as annotated exhaustively only with that line. No article text is stored: the
``sha1`` of the sentence (first 12 hex digits) checks that the corpus has not changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from redline.errors import GoldError, RedlineError
from redline.gold.corpus import GoldDocument
from redline.store.schema import CONSEQUENCE_CLASSES

GOLD_FILE = Path(__file__).resolve().parent.parent / "data" / "gold" / "real.jsonl"


class Kind(StrEnum):
    THREAT = "threat"
    CROSSING = "crossing"
    RESPONSE = "response"
    OUTCOME_CLAIM = "outcome_claim"
    NOT_THREAT = "not_threat"


# The sentence classes a statement classifier predicts (not_threat is a kind of "none").
CLASSES: tuple[str, ...] = ("threat", "crossing", "response", "outcome_claim")

NOT_THREAT_REASONS = (
    "prediction",
    "report_of_being_threatened",
    "refusal",
    "pledge",
    "demand",
    "inflicted",
    "no_standing",
    "history",
    "other",
)
_FIELDS = (
    "speaker",
    "speaker_country",
    "target",
    "trigger",
    "trigger_key",
    "consequence_class",
    "statement_date",
    "actor",
    "actor_country",
    "actors",
    "act",
    "event_date",
    "subject_country",
    "claim",
    "reason",
)


class Split(StrEnum):
    TRAIN = "train"
    DEV = "dev"
    TEST = "test"


def learned_splits(learn_dev: bool) -> frozenset[Split]:
    """The splits a model learns from: train, and dev too for ``redline train --learn-dev``
    (test never)."""
    return frozenset({Split.TRAIN, Split.DEV} if learn_dev else {Split.TRAIN})


def split_of(group: str) -> Split:
    """Documents are split by a hash of their group (``GoldDocument.group``: near-copies share
    one): 60% train, 20% dev, 20% test, stable forever."""
    bucket = int(hashlib.sha1(group.encode("utf-8")).hexdigest(), 16) % 10
    if bucket < 2:
        return Split.TEST
    if bucket < 4:
        return Split.DEV
    return Split.TRAIN


def sentence_sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class GoldItem:
    doc: str
    annotator: str
    start: int
    end: int
    kind: Kind
    borderline: bool
    fields: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def get(self, name: str) -> Any:
        return self.fields.get(name)


@dataclass
class GoldSet:
    """Every annotator's items and finished documents."""

    items: list[GoldItem]
    done: dict[str, set[str]]  # annotator -> documents finished

    def annotators(self, doc: str) -> list[str]:
        return sorted(a for a, docs in self.done.items() if doc in docs)

    def documents(self, annotator: str | None = None) -> set[str]:
        """Documents finished by ``annotator`` (by anyone when None)."""
        if annotator is not None:
            return set(self.done.get(annotator, set()))
        return set().union(*self.done.values()) if self.done else set()

    def primary(self) -> dict[str, str]:
        """For each document, the annotator whose labels are the gold (the first letter)."""
        return {doc: self.annotators(doc)[0] for doc in self.documents()}

    def items_of(self, doc: str, annotator: str) -> list[GoldItem]:
        return [i for i in self._by_doc().get(doc, []) if i.annotator == annotator]

    def _by_doc(self) -> dict[str, list[GoldItem]]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {}
            for item in self.items:
                cached.setdefault(item.doc, []).append(item)
            self.__dict__["_index"] = cached
        return cached


def json_lines(
    path: Path, error: type[RedlineError], what: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each non-empty line of a JSON Lines data file of the project's, as (``file:line``, the
    object); a file that cannot be read, or a line that is not a JSON object, raises ``error``
    naming the file (and the line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{where}: not JSON: {exc.msg}") from exc
        if not isinstance(rec, dict):
            raise error(f"{where}: not a JSON object")
        yield where, rec


def load(path: Path = GOLD_FILE, documents: dict[str, GoldDocument] | None = None) -> GoldSet:
    """Read a gold file; with ``documents``, check every span against the corpus text."""
    items: list[GoldItem] = []
    done: dict[str, set[str]] = {}
    for where, rec in json_lines(path, GoldError, "the gold annotations"):
        if "doc" not in rec or "annotator" not in rec:
            raise GoldError(f"{where}: each line needs 'doc' and 'annotator'")
        if rec.get("done"):
            done.setdefault(rec["annotator"], set()).add(rec["doc"])
            continue
        item = _item(rec, where)
        if documents is not None:
            _check_span(item, rec.get("sha1"), documents, where)
        items.append(item)
    return GoldSet(items, done)


def _item(rec: dict[str, Any], where: str) -> GoldItem:
    try:
        kind = Kind(rec["kind"])
    except (KeyError, ValueError) as exc:
        raise GoldError(f"{where}: unknown kind {rec.get('kind')!r}") from exc
    span = rec.get("sentence")
    if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)):
        raise GoldError(f"{where}: 'sentence' must be [start, end]")
    cls = rec.get("consequence_class")
    if cls is not None and cls not in CONSEQUENCE_CLASSES:
        raise GoldError(f"{where}: unknown consequence_class {cls!r}")
    fields = {k: rec[k] for k in _FIELDS if rec.get(k) is not None}
    return GoldItem(
        doc=rec["doc"],
        annotator=rec["annotator"],
        start=span[0],
        end=span[1],
        kind=kind,
        borderline=bool(rec.get("borderline", False)),
        fields=fields,
    )


def _check_span(
    item: GoldItem, sha: str | None, documents: dict[str, GoldDocument], where: str
) -> None:
    doc = documents.get(item.doc)
    if doc is None:
        raise GoldError(f"{where}: document {item.doc} is not in the corpus")
    if sha and sentence_sha(doc.text[item.start : item.end]) != sha:
        raise GoldError(f"{where}: the span no longer matches its sha1: has {item.doc} changed?")


# ---------------------------------------------------------------------------- import


def import_raw(
    raw_lines: Iterable[tuple[str, str, dict[str, Any]]],
    documents: dict[str, GoldDocument],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Annotators' output (sentence numbers) to gold records (offsets); returns (records, problems).

    ``raw_lines`` yields (where, annotator, record) with ``doc`` and the 1-based sentence number ``s``.
    """
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for where, annotator, rec in raw_lines:
        doc = documents.get(str(rec.get("doc")))
        if doc is None:
            problems.append(f"{where}: unknown document {rec.get('doc')!r}")
            continue
        if rec.get("done"):
            out = {"doc": doc.id, "annotator": annotator, "done": True}
        else:
            spans = doc.sentences
            s = rec.get("s")
            if not isinstance(s, int) or not 1 <= s <= len(spans):
                problems.append(f"{where}: {doc.id} has no sentence {s!r}")
                continue
            start, end = spans[s - 1]
            out = {
                "doc": doc.id,
                "annotator": annotator,
                "sentence": [start, end],
                "sha1": sentence_sha(doc.text[start:end]),
            }
            try:
                out["kind"] = Kind(str(rec.get("kind"))).value
            except ValueError:
                problems.append(f"{where}: unknown kind {rec.get('kind')!r}")
                continue
            out["borderline"] = bool(rec.get("borderline", False))
            for name in _FIELDS:
                value = rec.get(name)
                if value not in (None, "", []):
                    out[name] = value
            cls = out.get("consequence_class")
            if cls is not None and cls not in CONSEQUENCE_CLASSES:
                problems.append(f"{where}: unknown consequence_class {cls!r} (dropped)")
                del out["consequence_class"]
        key = json.dumps(out, sort_keys=True)
        if key not in seen:
            seen.add(key)
            records.append(out)
    return records, problems


def iter_raw(paths: Iterable[Path]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Lines of annotators' files named ``<batch>.<annotator>.jsonl``."""
    for path in paths:
        annotator = path.name.split(".")[-2]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                yield f"{path}:{number}", annotator, {"doc": None}
                continue
            if isinstance(rec, dict):
                yield f"{path}:{number}", annotator, rec
