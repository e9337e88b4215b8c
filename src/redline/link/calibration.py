"""Episode confidence that means something: raw evidence scores mapped to the probability that
a status is right, fitted on annotated real-news episodes (the dev part of
``data/gold/episodes.json``; ``scripts/calibrate_episodes.py`` refits it, docs/linking.md shows
the reliability table).

The map is isotonic (monotone, piecewise constant over raw-score bins, pooled adjacent
violators) per basis family, so a higher raw score never means a lower probability. Without a
fitted file the raw score is used as it is. Episodes whose calibrated confidence is below
``verdict_threshold()`` have no verdict: they are listed, but follow-through leaves them out.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_THRESHOLD = 0.5  # a verdict when the status is more likely right than wrong
FILE = "episode_calibration.json"
PATH = Path(__file__).resolve().parent.parent / "data" / FILE


@dataclass(frozen=True)
class Calibration:
    threshold: float
    # basis -> (upper bounds of raw-score bins, probability per bin)
    maps: dict[str, tuple[list[float], list[float]]]
    fitted_on: dict[str, Any]

    def __call__(self, raw: float, basis: str) -> float:
        found = self.maps.get(basis) or self.maps.get("*")
        if found is None:
            return raw
        bounds, values = found
        i = min(bisect_left(bounds, raw), len(values) - 1)
        return values[i]


@cache
def load() -> Calibration:
    path = PATH
    if not path.is_file():
        return Calibration(DEFAULT_THRESHOLD, {}, {})
    data = json.loads(path.read_text(encoding="utf-8"))
    maps = {k: (list(v["bounds"]), list(v["values"])) for k, v in data["maps"].items()}
    return Calibration(float(data["threshold"]), maps, data.get("fitted_on", {}))


def calibrated(raw: float, basis: str) -> float:
    return round(load()(raw, basis), 3)


def verdict_threshold() -> float:
    return load().threshold


def isotonic(points: list[tuple[float, bool]]) -> tuple[list[float], list[float]]:
    """Pool-adjacent-violators over (raw score, correct?) sorted by score: bin upper bounds and
    the fraction correct in each bin, non-decreasing. Adds one pseudo-count of 0.5 per bin so a
    bin of two right answers reads 0.83, not 1.0."""
    pts = sorted(points)
    blocks: list[list[float]] = []  # [sum correct, n, max raw]
    for raw, ok in pts:
        blocks.append([float(ok), 1.0, raw])
        while len(blocks) > 1 and (
            (blocks[-2][0] + 0.5) / (blocks[-2][1] + 1)
            > (blocks[-1][0] + 0.5) / (blocks[-1][1] + 1)
        ):
            c, n, hi = blocks.pop()
            blocks[-1][0] += c
            blocks[-1][1] += n
            blocks[-1][2] = hi
    bounds = [b[2] for b in blocks]
    values = [round((b[0] + 0.5) / (b[1] + 1), 3) for b in blocks]
    return bounds, values
