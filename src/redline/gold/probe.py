"""Probes of wording: made-up passages, each labelled by an annotator who saw only the codebook
(``tests/fixtures/probe/``). Scoring one says which wordings the extractor reads, not how often
it is right on real news (``redline.gold.evaluation`` measures that on the real gold).

Each line of a threat probe: ``id``, ``text``, ``threat`` (true or false), the threat's
``sentence`` (verbatim in ``text``), ``speaker_country``, ``consequence_class`` and a ``form``
tag. An event probe's lines list crossings and responses (``items``) and ``lookalikes`` instead
(``score_events``; ``tests/fixtures/probe/README.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from redline.extract.base import DocumentInput, EventItem, Extraction, Extractor, ThreatItem
from redline.extract.learned import LearnedExtractor
from redline.gold.annotations import GoldError, json_lines
from redline.score.intervals import Proportion

PUBLISHED = date(2023, 5, 1)  # the passages are undated; any date inside the war will do
_Item = TypeVar("_Item", ThreatItem, EventItem)


@dataclass
class ProbeScore:
    threats: int = 0
    found: int = 0
    speaker_right: int = 0
    class_right: int = 0
    look_alikes: int = 0
    false_alarms: int = 0
    missed: list[dict[str, Any]] = field(default_factory=list)

    def found_share(self) -> Proportion:
        return Proportion(self.found, self.threats)


def read(path: Path) -> list[dict[str, Any]]:
    """The probe's passages; a line that is not a JSON object raises ``GoldError`` naming the
    file and the line (the reader the gold annotations use)."""
    return [rec for _, rec in json_lines(path, GoldError, "the probe")]


def _extract(rows: list[dict[str, Any]], extractor: Extractor | None) -> list[Extraction]:
    """Each passage extracted, published on its ``published`` date (``PUBLISHED`` if none)."""
    extractor = extractor or LearnedExtractor()
    docs = [
        DocumentInput(
            i,
            r["text"],
            date.fromisoformat(r["published"]) if r.get("published") else PUBLISHED,
            "day",
        )
        for i, r in enumerate(rows)
    ]
    many = getattr(extractor, "extract_many", None)
    return many(docs) if many else [extractor.extract(d) for d in docs]


def _span(text: str, sentence: str) -> tuple[int, int]:
    """Where a labelled sentence stands in its passage."""
    start = text.index(sentence)
    return start, start + len(sentence)


def _on(items: Sequence[_Item], span: tuple[int, int]) -> list[_Item]:
    """The items extracted from the sentence at ``span``."""
    lo, hi = span
    return [i for i in items if i.provenance.sentence_start < hi and i.provenance.sentence_end > lo]


def score(rows: list[dict[str, Any]], extractor: Extractor | None = None) -> ProbeScore:
    """A threat is found when the extractor gives a threat on its sentence; a look-alike is
    taken when the extractor gives any threat in its passage."""
    out = ProbeScore()
    for row, result in zip(rows, _extract(rows, extractor), strict=True):
        if not row["threat"]:
            out.look_alikes += 1
            out.false_alarms += bool(result.threats)
            continue
        out.threats += 1
        hit = _on(result.threats, _span(row["text"], row["sentence"]))
        if not hit:
            out.missed.append(row)
            continue
        out.found += 1
        out.speaker_right += hit[0].speaker_country == row["speaker_country"]
        out.class_right += hit[0].consequence_class == row["consequence_class"]
    return out


# ------------------------------------------------------------------ crossings and responses


EVENT_KINDS = ("crossing", "response")


def _per_kind() -> dict[str, int]:
    return dict.fromkeys(EVENT_KINDS, 0)


@dataclass
class EventProbeScore:
    """Crossings and responses on an event probe (``score_events``), per kind."""

    items: dict[str, int] = field(default_factory=_per_kind)
    found: dict[str, int] = field(default_factory=_per_kind)
    actor_right: dict[str, int] = field(default_factory=_per_kind)
    line_right: dict[str, int] = field(default_factory=_per_kind)
    lines_given: dict[str, int] = field(default_factory=_per_kind)
    predicted: dict[str, int] = field(default_factory=_per_kind)
    right: dict[str, int] = field(default_factory=_per_kind)
    look_alikes: int = 0
    taken: int = 0
    missed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # (id, kind, sentence)

    def precision(self, kind: str) -> Proportion:
        """Events of ``kind`` on a sentence that holds an item of that kind, of all predicted."""
        return Proportion(self.right[kind], self.predicted[kind])

    def recall(self, kind: str) -> Proportion:
        return Proportion(self.found[kind], self.items[kind])


def is_event_probe(rows: list[dict[str, Any]]) -> bool:
    """An event probe's lines list ``items`` and ``lookalikes``; a threat probe's say ``threat``."""
    return bool(rows) and "items" in rows[0]


def score_events(rows: list[dict[str, Any]], extractor: Extractor | None = None) -> EventProbeScore:
    """A gold crossing or response is found when the extractor gives an event of its kind on its
    sentence; its actor is right when one such event names its country (a joint act is one item
    per actor), its line when the event's key is the gold one or a narrower line of it. Every
    event the extractor gives counts as predicted: right when its sentence holds an item of its
    kind, else a false alarm. A look-alike is taken when any crossing or response falls on it."""
    from redline.gold.score import trigger_matcher

    same_line = trigger_matcher()
    out = EventProbeScore()
    for row, result in zip(rows, _extract(rows, extractor), strict=True):
        events = [e for e in result.events if e.kind in EVENT_KINDS]
        gold_spans: dict[str, list[tuple[int, int]]] = {k: [] for k in EVENT_KINDS}
        for item in row["items"]:
            kind = item["kind"]
            where = _span(row["text"], item["sentence"])
            gold_spans[kind].append(where)
            out.items[kind] += 1
            hits = [e for e in _on(events, where) if e.kind == kind]
            if not hits:
                out.missed.append((row["id"], item))
                continue
            out.found[kind] += 1
            mine = [e for e in hits if e.actor_country == item.get("actor_country")]
            out.actor_right[kind] += bool(mine)
            if item.get("trigger_key"):
                out.lines_given[kind] += 1
                out.line_right[kind] += any(
                    same_line(item["trigger_key"], e.trigger_key) for e in (mine or hits)
                )
        for e in events:
            out.predicted[e.kind] += 1
            if any(_on([e], where) for where in gold_spans[e.kind]):
                out.right[e.kind] += 1
            else:
                out.wrong.append((row["id"], e.kind, e.provenance.sentence))
        for look in row.get("lookalikes", []):
            out.look_alikes += 1
            out.taken += bool(_on(events, _span(row["text"], look["sentence"])))
    return out
