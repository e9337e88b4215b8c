"""How well the trigger vocabulary names a line in words it was not written from.

Two writers, each seeing only the 39 lines' keys and labels (never the patterns, the corpora
or each other's work), wrote 12 phrasings per line: 6 noun phrases, 4 clauses as they follow
"if" or "warned that", and 2 look-alikes that share words with the line but name another act
or none (`tests/gold/trigger_phrasings_a.jsonl`, `..._b.jsonl`). Set A was read to write the
stop-36 patterns; **set B was held out** and read only to measure them (docs/extraction.md).

    python tests/test_trigger_phrasings.py     # the table in docs/extraction.md
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from redline import knowledge

GOLD = Path(__file__).parent / "gold"
HELD_OUT = GOLD / "trigger_phrasings_b.jsonl"
WRITTEN_FROM = GOLD / "trigger_phrasings_a.jsonl"


def coverage(path: Path) -> Counter[str]:
    """For each phrasing of a line: the line first (``first``), named but after a broader or
    other line (``named``), another line only (``other``), none (``none``); for each
    look-alike, whether its line is named (``lookalike_named``) or not (``lookalike_clear``)."""
    tree = knowledge.triggers()
    tally: Counter[str] = Counter()
    for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        keys = [key for key, _, _ in tree.match(row["text"])]
        if row["kind"] == "lookalike":
            tally["lookalike_named" if row["key"] in keys else "lookalike_clear"] += 1
        elif keys[:1] == [row["key"]]:
            tally["first"] += 1
        else:
            tally["named" if row["key"] in keys else "other" if keys else "none"] += 1
    return tally


def test_the_sets_are_whole() -> None:
    """Every line of the vocabulary has its 12 phrasings in each set, and no other key."""
    lines = set(knowledge.triggers().triggers)
    for path in (HELD_OUT, WRITTEN_FROM):
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        per_key = Counter(r["key"] for r in rows)
        assert set(per_key) == lines, path.name
        assert set(per_key.values()) == {12}, path.name


def test_held_out_phrasings_name_their_line() -> None:
    """Held-out set B, stop 36: before the new patterns the vocabulary named 117 of the 390
    phrasings' lines first; after, 236 (look-alikes named: 5 of 78 before and after). The
    floors keep that gain; they are not targets."""
    got = coverage(HELD_OUT)
    assert got["first"] >= 230, got
    assert got["lookalike_named"] <= 5, got


if __name__ == "__main__":
    for path in (WRITTEN_FROM, HELD_OUT):
        print(path.name, dict(sorted(coverage(path).items())))
