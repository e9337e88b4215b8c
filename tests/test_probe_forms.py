"""A regression probe of the wordings a threat takes, and of the look-alikes that are not
threats (codebook §1), written for the project by an annotator who saw only the codebook.

It is synthetic text, so it measures nothing about real news (the real-document gold does,
``redline eval``); it pins that the forms the rules read keep being read. Each line of
``fixtures/probe/threat_forms.jsonl``: the passage, whether it holds a threat, the threat's
sentence, speaker country, consequence class and a tag for its wording."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from redline.extract.base import DocumentInput
from redline.extract.learned import LearnedExtractor

PROBE = Path(__file__).parent / "fixtures" / "probe" / "threat_forms.jsonl"


def test_the_threat_forms_are_read_and_the_look_alikes_are_not() -> None:
    rows = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line]
    docs = [DocumentInput(i, r["text"], date(2023, 5, 1), "day") for i, r in enumerate(rows)]
    results = LearnedExtractor().extract_many(docs)
    found: Counter[str] = Counter()
    for row, result in zip(rows, results, strict=True):
        if not row["threat"]:
            found["false alarm" if result.threats else "rejected"] += 1
            continue
        start = row["text"].index(row["sentence"])
        end = start + len(row["sentence"])
        hit = [
            t
            for t in result.threats
            if t.provenance.sentence_start < end and t.provenance.sentence_end > start
        ]
        if not hit:
            found["missed"] += 1
            continue
        found["found"] += 1
        found["speaker right"] += hit[0].speaker_country == row["speaker_country"]
        found["class right"] += hit[0].consequence_class == row["consequence_class"]
    assert (
        found["found"] + found["missed"] == 100 and found["rejected"] + found["false alarm"] == 60
    )
    # measured 2026-11-30: 92 found (67 before the named-line, unlisted-line and speaker fixes),
    # 91 of them with the right speaker, 80 with the right class; 3 false alarms
    assert found["found"] >= 90, found
    assert found["speaker right"] >= found["found"] - 2, found
    assert found["class right"] >= 77, found
    assert found["false alarm"] <= 3, found
