"""Probes of wording: made-up passages, each labelled by an annotator who saw only the codebook
(``tests/fixtures/probe/``). Scoring one says which wordings the extractor reads, not how often
it is right on real news (``redline.gold.evaluation`` measures that on the real gold).

Each line of a probe: ``id``, ``text``, ``threat`` (true or false), the threat's ``sentence``
(verbatim in ``text``), ``speaker_country``, ``consequence_class`` and a ``form`` tag.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from redline.extract.base import DocumentInput, Extractor
from redline.extract.learned import LearnedExtractor
from redline.score.intervals import Proportion

PUBLISHED = date(2023, 5, 1)  # the passages are undated; any date inside the war will do


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
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def score(rows: list[dict[str, Any]], extractor: Extractor | None = None) -> ProbeScore:
    """A threat is found when the extractor gives a threat on its sentence; a look-alike is
    taken when the extractor gives any threat in its passage."""
    extractor = extractor or LearnedExtractor()
    docs = [DocumentInput(i, r["text"], PUBLISHED, "day") for i, r in enumerate(rows)]
    many = getattr(extractor, "extract_many", None)
    results = many(docs) if many else [extractor.extract(d) for d in docs]
    out = ProbeScore()
    for row, result in zip(rows, results, strict=True):
        if not row["threat"]:
            out.look_alikes += 1
            out.false_alarms += bool(result.threats)
            continue
        out.threats += 1
        start = row["text"].index(row["sentence"])
        end = start + len(row["sentence"])
        hit = [
            t
            for t in result.threats
            if t.provenance.sentence_start < end and t.provenance.sentence_end > start
        ]
        if not hit:
            out.missed.append(row)
            continue
        out.found += 1
        out.speaker_right += hit[0].speaker_country == row["speaker_country"]
        out.class_right += hit[0].consequence_class == row["consequence_class"]
    return out
