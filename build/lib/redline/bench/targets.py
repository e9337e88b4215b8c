"""The performance targets, checked against merged benchmark results: met, missed and by how much."""

from __future__ import annotations

import math
from typing import Any

E2E_ARTICLES_PER_S = 100.0  # end to end, 2 workers
BASELINE_RATIO = 10.0  # end to end (2 workers) against the naive baseline
PEAK_MIB_100K = 1024.0
SCALE_100K_OVER_10K = 12.0
NOT_QUADRATIC_EXPONENT = 1.5  # time ~ size^k between the smallest and largest size; 2 is quadratic
WORKER_SPEEDUP = 1.7  # extraction, 2 workers against 1
BIG_DOCUMENT_RATIO = 1.5  # extraction time per MB, largest single document against smallest


def _target(
    name: str, goal: str, measured: str, met: bool | None, note: str = ""
) -> dict[str, Any]:
    return {"target": name, "goal": goal, "measured": measured, "met": met, "note": note}


def _missed_by(value: float, goal: float, higher_is_better: bool = True) -> str:
    if higher_is_better and value < goal:
        return f"missed by {(1 - value / goal) * 100:.0f}% ({goal / value:.1f}x short)"
    if not higher_is_better and value > goal:
        return f"missed by {(value / goal - 1) * 100:.0f}%"
    return ""


def check(
    runs: dict[tuple[int, int], dict[str, Any]],
    baselines: dict[int, Any],
    big_documents: dict[float, Any] | None = None,
) -> list[Any]:
    """One entry per target and size (or size pair) that the results can answer."""
    out = []
    sizes = sorted({s for s, _ in runs})
    for size in sizes:
        run = runs.get((size, 2))
        if run is None:
            continue
        e2e = run["stages"]["end_to_end"]
        rate = e2e["articles_per_s"]
        out.append(
            _target(
                f"end to end, {size} articles, 2 workers",
                f">= {E2E_ARTICLES_PER_S:.0f} articles/s",
                f"{rate:.1f} articles/s",
                rate >= E2E_ARTICLES_PER_S,
                _missed_by(rate, E2E_ARTICLES_PER_S),
            )
        )
        if size in baselines:
            ratio = baselines[size]["extrapolated_seconds"] / max(e2e["seconds"], 1e-9)
            out.append(
                _target(
                    f"against naive baseline, {size} articles, 2 workers",
                    f">= {BASELINE_RATIO:.0f}x",
                    f"{ratio:.1f}x",
                    ratio >= BASELINE_RATIO,
                    _missed_by(ratio, BASELINE_RATIO),
                )
            )
        one = runs.get((size, 1))
        if one is not None:
            speedup = one["stages"]["extract"]["seconds"] / max(
                run["stages"]["extract"]["seconds"], 1e-9
            )
            out.append(
                _target(
                    f"2 workers against 1 (extraction), {size} articles",
                    f">= {WORKER_SPEEDUP}x",
                    f"{speedup:.2f}x",
                    speedup >= WORKER_SPEEDUP,
                    _missed_by(speedup, WORKER_SPEEDUP),
                )
            )
    big = [r for (s, _), r in runs.items() if s == 100000]
    if big:
        peak = max(r["stages"]["end_to_end"]["peak_rss_mib"] for r in big)
        out.append(
            _target(
                "peak memory, 100000 articles",
                f"<= {PEAK_MIB_100K:.0f} MiB",
                f"{peak:.0f} MiB",
                peak <= PEAK_MIB_100K,
                _missed_by(peak, PEAK_MIB_100K, higher_is_better=False),
            )
        )
    for workers in sorted({w for _, w in runs}):
        small, large = runs.get((10000, workers)), runs.get((100000, workers))
        if small and large:
            factor = (
                large["stages"]["end_to_end"]["seconds"] / small["stages"]["end_to_end"]["seconds"]
            )
            out.append(
                _target(
                    f"100000 against 10000 articles, {workers} worker(s)",
                    f"<= {SCALE_100K_OVER_10K:.0f}x the time",
                    f"{factor:.1f}x",
                    factor <= SCALE_100K_OVER_10K,
                    _missed_by(factor, SCALE_100K_OVER_10K, higher_is_better=False),
                )
            )
    out.extend(_not_quadratic(runs, sizes))
    out.extend(_big_document_ratio(big_documents or {}))
    return out


def _big_document_ratio(big: dict[float, Any]) -> list[Any]:
    """Extraction CPU time per MB of the largest single document against the smallest."""
    if len(big) < 2:
        return []
    lo, hi = min(big), max(big)
    small, large = big[lo]["cpu_seconds_per_mb"], big[hi]["cpu_seconds_per_mb"]
    ratio = large / max(small, 1e-9)
    return [
        _target(
            f"extraction time per MB, one {hi:g} MB document against one of {lo:g} MB",
            f"<= {BIG_DOCUMENT_RATIO}x",
            f"{ratio:.2f}x ({large:.1f} against {small:.1f} CPU s/MB)",
            ratio <= BIG_DOCUMENT_RATIO,
            _missed_by(ratio, BIG_DOCUMENT_RATIO, higher_is_better=False),
        )
    ]


def _not_quadratic(runs: dict[tuple[int, int], dict[str, Any]], sizes: list[int]) -> list[Any]:
    if len(sizes) < 2:
        return []
    lo, hi = sizes[0], sizes[-1]
    out = []
    for stage in ("link", "score"):
        pairs = [
            (runs[(lo, w)]["stages"][stage]["seconds"], runs[(hi, w)]["stages"][stage]["seconds"])
            for w in (1, 2)
            if (lo, w) in runs and (hi, w) in runs
        ]
        if not pairs:
            continue
        t_lo, t_hi = min(p[0] for p in pairs), min(p[1] for p in pairs)
        exponent = math.log(max(t_hi, 1e-6) / max(t_lo, 1e-6)) / math.log(hi / lo)
        out.append(
            _target(
                f"{stage} not quadratic ({lo} to {hi} articles)",
                f"time ~ size^k with k < {NOT_QUADRATIC_EXPONENT}",
                f"k = {exponent:.2f}",
                exponent < NOT_QUADRATIC_EXPONENT,
                "" if exponent < NOT_QUADRATIC_EXPONENT else "grows faster than n^1.5",
            )
        )
    return out
