"""Time expressions resolved against the publication date, with their precision."""

from __future__ import annotations

from datetime import date

import pytest

from redline.extract.dates import resolve

PUB = date(2024, 9, 12)  # a Thursday


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("On Wednesday, the Kremlin said", (date(2024, 9, 11), "day")),
        ("Last week, Lavrov warned", (date(2024, 9, 5), "day")),
        ("In June, Moscow claimed", (date(2024, 6, 1), "month")),
        ("In November, officials said", (date(2023, 11, 1), "month")),
        ("in 2023, Russia's deputy minister warned", (date(2023, 1, 1), "year")),
        ("In May 2024, Mr. Biden allowed", (date(2024, 5, 1), "month")),
        ("on 17 November 2024 the US", (date(2024, 11, 17), "day")),
        ("yesterday the ministry said", (date(2024, 9, 11), "day")),
        ("earlier this year Washington sent", (date(2024, 1, 1), "year")),
        ("last year the minister said", (date(2023, 1, 1), "year")),
        ("two weeks ago he said", (date(2024, 8, 29), "day")),
    ],
)
def test_resolve(sentence: str, expected: tuple[date, str]) -> None:
    got = resolve(sentence, PUB, "day")
    assert got is not None and (got.value, got.precision) == expected


def test_no_time_expression() -> None:
    assert resolve("The minister warned of consequences.", PUB, "day") is None


def test_weekday_needs_a_day_precise_publication() -> None:
    got = resolve("On Wednesday, the Kremlin said", date(2024, 1, 1), "year")
    assert got is not None and (got.value, got.precision) == (date(2024, 1, 1), "year")
