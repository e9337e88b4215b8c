"""Confidence intervals for proportions (precision, recall, audit figures): one place computes them."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Proportion:
    """``hits`` of ``total`` with a 95% Wilson score interval (sound at small counts and at 0 or 1)."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.hits, self.total)

    def label(self) -> str:
        if not self.total:
            return "n/a (0 items)"
        lo, hi = wilson(self.hits, self.total) or (0.0, 1.0)
        return f"{self.hits / self.total:.2f} [{lo:.2f}-{hi:.2f}] ({self.hits}/{self.total})"

    def as_dict(self) -> dict[str, object]:
        iv = self.interval
        return {
            "value": round(self.value, 3) if self.value is not None else None,
            "low": round(iv[0], 3) if iv else None,
            "high": round(iv[1], 3) if iv else None,
            "hits": self.hits,
            "total": self.total,
        }


def wilson(hits: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for ``hits`` successes in ``total`` trials (None when total is 0)."""
    if total <= 0:
        return None
    if not 0 <= hits <= total:
        raise ValueError(f"hits must lie in 0..{total}, got {hits}")
    p = hits / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
