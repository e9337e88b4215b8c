"""Score the extractor on a probe of wording (tests/fixtures/probe/*.jsonl; redline.gold.probe).

A probe is made-up news passages, each labelled by an annotator who saw only the codebook. It
says which wordings the extractor reads, not how often it is right on real news (``redline
eval`` measures that on the real gold).

    python scripts/probe_forms.py tests/fixtures/probe/heldout.jsonl [--misses]

Probes (docs/extraction.md): ``threat_forms`` (one form each; pinned by
tests/test_probe_forms.py), ``wire_dev`` and ``outlets_dev`` (used to develop the rules), and
``heldout`` (written unseen, scored once per change to measure it; never tune on it). The
event probes (``events_dev``, ``events_heldout``) label crossings and responses instead; the
script tells them by their ``items``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from redline.errors import GoldError
from redline.gold import probe
from redline.score.intervals import Proportion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe", type=Path)
    parser.add_argument("--misses", action="store_true", help="list the threats not found")
    args = parser.parse_args()
    try:
        rows = probe.read(args.probe)
    except GoldError as exc:  # names the file and the line
        raise SystemExit(f"error: {exc}") from None
    if probe.is_event_probe(rows):
        events(rows, args.misses)
        return
    got = probe.score(rows)
    if args.misses:
        for row in got.missed:
            print(f"missed {row['id']} [{row.get('form')}]: {row['sentence'][:160]}")
    print(f"threats found: {got.found_share().label()}")
    print(f"  speaker country right: {Proportion(got.speaker_right, got.found).label()}")
    print(f"  consequence class right: {Proportion(got.class_right, got.found).label()}")
    print(f"look-alikes taken as threats: {Proportion(got.false_alarms, got.look_alikes).label()}")


def events(rows: list[dict[str, object]], misses: bool) -> None:
    """Crossings and responses of an event probe (``probe.score_events``)."""
    got = probe.score_events(rows)  # type: ignore[arg-type]
    if misses:
        for pid, item in got.missed:
            print(f"missed {pid} {item['kind']}: {str(item['sentence'])[:160]}")
        for pid, kind, sentence in got.wrong:
            print(f"wrong {pid} {kind}: {sentence[:160]}")
    for kind in ("crossing", "response"):
        print(f"{kind}s found: {got.recall(kind).label()}")
        print(f"  actor right: {Proportion(got.actor_right[kind], got.found[kind]).label()}")
        print(f"  line right: {Proportion(got.line_right[kind], got.lines_given[kind]).label()}")
        print(f"  predicted that hold one: {got.precision(kind).label()}")
    print(
        f"look-alikes taken as crossings or responses: {Proportion(got.taken, got.look_alikes).label()}"
    )


if __name__ == "__main__":
    main()
