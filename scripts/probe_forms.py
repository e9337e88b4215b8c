"""Score the extractor on a probe of wording (tests/fixtures/probe/*.jsonl; redline.gold.probe).

A probe is made-up news passages, each labelled by an annotator who saw only the codebook. It
says which wordings the extractor reads, not how often it is right on real news (``redline
eval`` measures that on the real gold).

    python scripts/probe_forms.py tests/fixtures/probe/heldout.jsonl [--misses]

Probes (docs/extraction.md): ``threat_forms`` (one form each; pinned by
tests/test_probe_forms.py), ``wire_dev`` and ``outlets_dev`` (used to develop the rules), and
``heldout`` (written unseen, scored once per change to measure it; never tune on it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from redline.gold import probe
from redline.score.intervals import Proportion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe", type=Path)
    parser.add_argument("--misses", action="store_true", help="list the threats not found")
    args = parser.parse_args()
    got = probe.score(probe.read(args.probe))
    if args.misses:
        for row in got.missed:
            print(f"missed {row['id']} [{row.get('form')}]: {row['sentence'][:160]}")
    print(f"threats found: {got.found_share().label()}")
    print(f"  speaker country right: {Proportion(got.speaker_right, got.found).label()}")
    print(f"  consequence class right: {Proportion(got.class_right, got.found).label()}")
    print(f"look-alikes taken as threats: {Proportion(got.false_alarms, got.look_alikes).label()}")


if __name__ == "__main__":
    main()
