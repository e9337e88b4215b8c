"""Score the extractor on a probe of wording (tests/fixtures/probe/*.jsonl).

A probe is made-up news passages, each labelled by an annotator who saw only the codebook:
``threat`` (true or false), the threat's ``sentence``, ``speaker_country``,
``consequence_class`` and a ``form`` tag. It says which wordings the extractor reads, not how
often it is right on real news (``redline eval`` measures that on the real gold).

    python scripts/probe_forms.py tests/fixtures/probe/heldout.jsonl [--misses]

Probes (docs/extraction.md): ``threat_forms`` (one form each; pinned by
tests/test_probe_forms.py), ``wire_dev`` and ``outlets_dev`` (used to develop the rules), and
``heldout`` (written unseen, scored once per change to measure it; never tune on it).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import date
from pathlib import Path

from redline.extract.base import DocumentInput
from redline.extract.learned import LearnedExtractor
from redline.score.intervals import Proportion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe", type=Path)
    parser.add_argument("--misses", action="store_true", help="list the threats not found")
    args = parser.parse_args()
    rows = [
        json.loads(line) for line in args.probe.read_text(encoding="utf-8").splitlines() if line
    ]
    docs = [DocumentInput(i, r["text"], date(2023, 5, 1), "day") for i, r in enumerate(rows)]
    results = LearnedExtractor().extract_many(docs)
    n: Counter[str] = Counter()
    for row, result in zip(rows, results, strict=True):
        if not row["threat"]:
            n["look-alikes"] += 1
            n["false alarms"] += bool(result.threats)
            continue
        n["threats"] += 1
        start = row["text"].index(row["sentence"])
        end = start + len(row["sentence"])
        hit = [
            t
            for t in result.threats
            if t.provenance.sentence_start < end and t.provenance.sentence_end > start
        ]
        if not hit:
            if args.misses:
                print(f"missed {row['id']} [{row.get('form')}]: {row['sentence'][:160]}")
            continue
        n["found"] += 1
        n["speaker right"] += hit[0].speaker_country == row["speaker_country"]
        n["class right"] += hit[0].consequence_class == row["consequence_class"]
    print(f"threats found: {Proportion(n['found'], n['threats']).label()}")
    print(f"  speaker country right: {Proportion(n['speaker right'], n['found']).label()}")
    print(f"  consequence class right: {Proportion(n['class right'], n['found']).label()}")
    print(
        f"look-alikes taken as threats: {Proportion(n['false alarms'], n['look-alikes']).label()}"
    )


if __name__ == "__main__":
    main()
