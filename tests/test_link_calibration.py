"""Episode confidence calibration (redline.link.calibration): monotone, shrunk towards the raw
score, and silent where it has no evidence."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from redline.link.calibration import PATH, PRIOR_WEIGHT, Calibration, isotonic, load


def test_the_map_is_monotone_and_shrunk_towards_the_raw_score() -> None:
    points = [(0.3, False), (0.4, True), (0.5, False), (0.6, True), (0.7, True), (0.8, True)]
    bounds, values = isotonic(points)
    assert bounds == sorted(bounds) and values == sorted(values)
    # one right episode at 0.8 alone cannot claim certainty
    assert values[-1] < 1.0
    top = [ok for raw, ok in points if raw > bounds[-2]] if len(bounds) > 1 else []
    if top:
        raw_mean = sum(r for r, _ in points if r > bounds[-2]) / len(top)
        expected = (sum(top) + PRIOR_WEIGHT * raw_mean) / (len(top) + PRIOR_WEIGHT)
        assert abs(values[-1] - expected) < 1e-3


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=40))
def test_a_higher_raw_score_never_means_a_lower_probability(points) -> None:
    bounds, values = isotonic(points)
    cal = Calibration(0.5, {"*": (bounds, values)}, {})
    scores = [cal(x / 100, "any") for x in range(101)]
    assert all(a <= b + 1e-9 for a, b in zip(scores, scores[1:], strict=False))


def test_the_shipped_map_records_where_its_evidence_starts() -> None:
    """Below the lowest fitted score the map is flat (it has no evidence there): the file says
    where that is, so the report and the docs can say which verdicts rest on extrapolation."""
    cal = load()
    lowest = json.loads(PATH.read_text(encoding="utf-8"))["maps"]["*"]["lowest"]
    assert cal.maps and isinstance(lowest, float)
    bounds, values = cal.maps["*"]
    assert cal(lowest - 0.1, "any") == values[0]
