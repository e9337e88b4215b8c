"""Confidence intervals for proportions (precision, recall, audit figures): one place computes them.

Items drawn from one document are not independent trials: a joint statement's three threats,
or six copies of one wire story, are right or wrong together. A ``Proportion`` given its
counts per cluster (document group) widens its Wilson interval by the Kish design effect of
those clusters: the interval is Wilson's at the same proportion over the effective number of
trials, ``total / deff``, where ``deff`` is the variance of the ratio estimator across clusters
over the binomial variance (never below 1: clustering is not allowed to narrow an interval).
At a proportion of 0 or 1, or with one cluster, the effect cannot be estimated and the
interval is Wilson's: read a figure whose items all come from one story with that in mind
(``as_dict`` gives the number of clusters).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Proportion:
    """``hits`` of ``total`` with a 95% Wilson score interval (sound at small counts and at 0 or 1)."""

    hits: int
    total: int
    # (hits, total) of each cluster the trials fall in (their documents); empty: independent
    clusters: tuple[tuple[int, int], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.clusters and (
            sum(h for h, _ in self.clusters) != self.hits
            or sum(n for _, n in self.clusters) != self.total
        ):
            raise ValueError(
                f"clusters sum to {sum(h for h, _ in self.clusters)}/"
                f"{sum(n for _, n in self.clusters)}, not {self.hits}/{self.total}"
            )

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    @property
    def design_effect(self) -> float:
        """How much the clusters inflate the variance (1.0 without clusters)."""
        return design_effect(self.clusters)

    @property
    def interval(self) -> tuple[float, float] | None:
        if not self.total:
            return None
        deff = self.design_effect
        if deff == 1.0:
            return wilson(self.hits, self.total)
        return _wilson_at(self.hits / self.total, self.total / deff)

    def label(self) -> str:
        if not self.total:
            return "n/a (0 items)"
        lo, hi = self.interval or (0.0, 1.0)
        return share_label(self.hits, self.total, lo, hi)

    def as_dict(self) -> dict[str, object]:
        iv = self.interval
        out: dict[str, object] = {
            # unrounded: a reader shows two places, and rounding an already rounded figure
            # again can go the wrong way (0.5953 -> 0.595 -> "0.59")
            "value": self.value,
            "low": iv[0] if iv else None,
            "high": iv[1] if iv else None,
            "hits": self.hits,
            "total": self.total,
        }
        if self.clusters:
            out["clusters"] = sum(1 for _, n in self.clusters if n)
            out["design_effect"] = round(self.design_effect, 2)
        return out


def design_effect(clusters: Sequence[tuple[int, int]]) -> float:
    """Kish's design effect of a proportion whose trials come in ``clusters`` of (hits, total):
    the variance of the ratio estimator across clusters over the binomial variance, each with
    its small-sample factor (k/(k-1) over k clusters, N/(N-1) over N trials, so trials each
    alone in a cluster give exactly 1), never below 1. With fewer than two non-empty clusters,
    or at a proportion of 0 or 1, the data cannot estimate it and it is 1 (the survey
    convention: a cautious rule there, one trial per cluster, made the interval at 100/100
    wider than at 99/100, so that one more error could raise the lower bound)."""
    used = [(h, n) for h, n in clusters if n]
    k = len(used)
    total = sum(n for _, n in used)
    if k < 2 or total < 2:
        return 1.0
    p = sum(h for h, _ in used) / total
    if p <= 0 or p >= 1:
        return 1.0
    between = k / (k - 1) * sum((h - p * n) ** 2 for h, n in used) / (total * total)
    binomial = p * (1 - p) / (total - 1)
    return max(1.0, between / binomial)


def share_label(hits: int, total: int, low: float, high: float) -> str:
    """``hits`` of ``total`` (> 0) with its interval as every figure prints it:
    "0.89 [0.71–0.96] (24/27)"."""
    return f"{hits / total:.2f} [{low:.2f}–{high:.2f}] ({hits}/{total})"


def wilson(hits: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for ``hits`` successes in ``total`` trials (None when total is 0)."""
    if total <= 0:
        return None
    if not 0 <= hits <= total:
        raise ValueError(f"hits must lie in 0..{total}, got {hits}")
    return _wilson_at(hits / total, total, z)


def _wilson_at(p: float, total: float, z: float = Z95) -> tuple[float, float]:
    """Wilson's interval at proportion ``p`` over ``total`` trials (an effective number of
    trials may be fractional)."""
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
