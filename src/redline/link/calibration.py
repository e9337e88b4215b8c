"""Episode confidence that means something: raw evidence scores mapped to the probability that
a status is right, fitted on annotated real-news episodes (the dev part of
``data/gold/episodes.json``; ``scripts/calibrate_episodes.py`` refits it, docs/linking.md shows
the reliability table).

The map is isotonic (monotone, piecewise constant over raw-score bins, pooled adjacent
violators), each bin shrunk towards its raw scores, so a higher raw score never means a lower
probability and a handful of episodes cannot push a weak score to certainty. Below the lowest
fitted score the map is flat (the isotonic convention): it has no evidence there, and on the
test episodes such low scores are mostly wrong (docs/linking.md). Without a
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


PRIOR_WEIGHT = 2.0  # pseudo-episodes at the raw score behind each bin of the fitted map


def isotonic(points: list[tuple[float, bool]]) -> tuple[list[float], list[float]]:
    """Pool-adjacent-violators over (raw score, correct?) sorted by score: bin upper bounds and
    each bin's estimate, non-decreasing. Each bin is shrunk towards its mean raw score by
    ``PRIOR_WEIGHT`` pseudo-episodes, so a bin of one or two episodes moves the hand-set score
    only part of the way (the dev episodes are few)."""

    def estimate(block: list[float]) -> float:
        hits, n, raw_sum = block[0], block[1], block[3]
        return (hits + PRIOR_WEIGHT * raw_sum / n) / (n + PRIOR_WEIGHT)

    blocks: list[list[float]] = []  # [hits, n, max raw, sum raw]
    for raw, ok in sorted(points):
        blocks.append([float(ok), 1.0, raw, raw])
        while len(blocks) > 1 and estimate(blocks[-2]) > estimate(blocks[-1]):
            hits, n, hi, raw_sum = blocks.pop()
            blocks[-1][0] += hits
            blocks[-1][1] += n
            blocks[-1][2] = hi
            blocks[-1][3] += raw_sum
    return [b[2] for b in blocks], [round(estimate(b), 3) for b in blocks]
