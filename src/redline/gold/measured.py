"""The project's own measured accuracy, shipped with the package so that what a ledger shows
can be read beside how often such output has been right.

``data/measured.json`` holds the figures ``redline eval`` gave on the **test split** of the
exhaustively annotated real documents (never tuned on): precision and recall of threats,
crossings and responses, threats with every field right, and the episode verdicts. The report
shows them in "How true is this ledger?" until (and beside) the user's own audit, because a
user's corpus is not ours. ``tests/test_eval_real_gate.py`` compares the file with a live
evaluation, so the figures shown cannot drift from what the shipped extractor does.

    redline eval --db ledger.db -f json > eval.json
    python -m redline.gold.measured eval.json    # rewrite data/measured.json from it
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from redline.errors import ConfigError
from redline.score.intervals import share_label

SPLIT = "test"
MEASURED_FILE = Path(str(resources.files("redline") / "data" / "measured.json"))

# (name, what it measures, where in ``redline eval``'s JSON: item figures under the split,
# episode figures under episodes.splits.<split>)
ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("threat_precision", "threats right", ("threat", "precision")),
    ("threat_recall", "threats found", ("threat", "recall")),
    ("threat_all_fields", "threats with every field right", ("threat", "all_fields_right")),
    ("crossing_precision", "crossings right", ("crossing", "precision")),
    ("crossing_recall", "crossings found", ("crossing", "recall")),
    ("response_precision", "responses right", ("response", "precision")),
    ("response_recall", "responses found", ("response", "recall")),
    ("episode_precision", "episodes right", ("episodes", "episode_precision")),
    (
        "crossed_verdict_precision",
        "crossed verdicts right",
        ("episodes", "crossed_verdict_precision"),
    ),
    ("episode_recall", "annotated episodes found", ("episodes", "recall")),
    # a crossed verdict right every time it is given can still be given rarely: how many of
    # the lines the analysts saw crossed got one
    (
        "crossed_verdict_recall",
        "annotated crossed lines given a crossed verdict",
        ("episodes", "crossed_verdict_recall"),
    ),
)


@dataclass(frozen=True)
class Figure:
    """One measured proportion: ``hits`` of ``total`` with its 95% interval."""

    name: str
    what: str
    hits: int
    total: int
    low: float | None
    high: float | None

    def label(self) -> str:
        if not self.total or self.low is None or self.high is None:
            return f"n/a ({self.hits}/{self.total})"
        return share_label(self.hits, self.total, self.low, self.high)


@dataclass(frozen=True)
class Measured:
    """The shipped test-split figures and what they were measured with."""

    split: str
    documents: int
    episodes_as_of: str | None
    extractor_version: str
    measured_on: str
    figures: tuple[Figure, ...]

    def figure(self, name: str) -> Figure:
        for f in self.figures:
            if f.name == name:
                return f
        raise KeyError(name)


def from_eval(result: Mapping[str, Any], *, measured_on: date | None = None) -> dict[str, Any]:
    """The file's content from ``redline eval``'s JSON (it must hold the test split and its
    episodes): a ``ConfigError`` naming what is missing otherwise."""
    split = result.get("splits", {}).get(SPLIT)
    episodes = result.get("episodes", {}).get("splits", {}).get(SPLIT)
    if split is None or episodes is None:
        raise ConfigError(
            f"the evaluation holds no {SPLIT} split with its episodes: run `redline eval` "
            "without --split (it scores test and dev) and with episodes"
        )
    figures: dict[str, Any] = {}
    for name, _, (kind, metric) in ROWS:
        node = episodes if kind == "episodes" else split[kind]
        got = node[metric]
        figures[name] = {k: got[k] for k in ("hits", "total", "low", "high")}
    return {
        "split": SPLIT,
        "documents": int(split["documents"]),
        "episodes_as_of": result["episodes"].get("as_of"),
        "extractor_version": str(result["version"]),
        "measured_on": (measured_on or date.today()).isoformat(),
        "command": "redline eval --db ledger.db -f json  (test split first; never tuned on)",
        "figures": figures,
    }


def load(path: Path = MEASURED_FILE) -> Measured:
    """The shipped figures; a ``ConfigError`` naming the file when it is missing or damaged."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        figures = tuple(
            Figure(name, what, int(f["hits"]), int(f["total"]), f["low"], f["high"])
            for name, what, _ in ROWS
            for f in (raw["figures"][name],)
        )
        return Measured(
            split=str(raw["split"]),
            documents=int(raw["documents"]),
            episodes_as_of=raw.get("episodes_as_of"),
            extractor_version=str(raw["extractor_version"]),
            measured_on=str(raw["measured_on"]),
            figures=figures,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: the shipped accuracy figures cannot be read ({exc})") from exc


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m redline.gold.measured EVAL.json", file=sys.stderr)
        return 2
    source = Path(args[0])
    try:
        content = from_eval(json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError, ConfigError) as exc:
        print(f"{source}: {exc}", file=sys.stderr)
        return 1
    MEASURED_FILE.write_text(
        json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {MEASURED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
