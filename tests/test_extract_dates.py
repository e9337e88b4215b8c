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
        ("on 17 August 2024 the US", (date(2024, 8, 17), "day")),
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


def test_a_date_after_publication_or_out_of_range_dates_nothing() -> None:
    """Nothing the document reports as said or done happened after it was published (a day's
    slack), and a date line of 2999 dates nothing even when the publication date is unknown;
    the next time expression is read instead."""
    assert resolve("on 17 November 2024 the US", PUB, "day") is None
    assert resolve("Lavrov said on 13 September 2024", PUB, "day") is not None  # time zones
    got = resolve("By 1 May 2025 troops must leave, Lavrov said on Monday.", PUB, "day")
    assert got is not None and got.value == date(2024, 9, 9)
    assert resolve("MOSCOW, 17 November 2999. The minister warned", None) is None
    assert resolve("MOSCOW, 17 November 1850.", None) is None
    # known to the month or the year only: up to its end
    assert resolve("on 30 September 2024", date(2024, 9, 1), "month") is not None
    assert resolve("on 1 October 2024", date(2024, 9, 1), "month") is None
    assert resolve("in December 2024", date(2024, 1, 1), "year") is not None


FRIDAY = date(2024, 9, 13)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # told as said or done: the last such weekday (codebook §1, the statement date)
        ("The foreign minister said on Saturday that the bridge was a target.", date(2024, 9, 7)),
        ("On Thursday the council warned of a firm answer.", date(2024, 9, 12)),
        ("Last Friday the envoy cautioned the alliance.", date(2024, 9, 6)),
        # a day ahead dates nothing said: the next time expression does, else none
        ("The envoys will meet on Saturday, the ministry said on Wednesday.", date(2024, 9, 11)),
        ("The premier is due to speak on Sunday, officials said yesterday.", date(2024, 9, 12)),
        ("Moscow said on Tuesday it will answer any strike on Monday.", date(2024, 9, 10)),
        # a comma, a speech verb or a relative clause ends the clause the future holds
        ('"We will respond," the spokesman said on Saturday.', date(2024, 9, 7)),
        ("They will review the strike that hit the port on Saturday.", date(2024, 9, 7)),
    ],
)
def test_weekday_by_tense(sentence: str, expected: date) -> None:
    got = resolve(sentence, FRIDAY, "day")
    assert got is not None and (got.value, got.precision) == (expected, "day")


@pytest.mark.parametrize(
    "sentence",
    [
        "The two leaders will meet on Saturday to discuss the pipeline.",
        "The defence minister is due to speak on Saturday.",
        "The cabinet is expected to decide on Sunday whether to send the jets.",
        "Officials plan to announce the package on Monday.",
        "We'll answer on Monday, the general vowed.",
        "The summit opens next Tuesday in the capital.",
        "The parliament won't vote before Wednesday.",
    ],
)
def test_a_weekday_ahead_dates_nothing(sentence: str) -> None:
    assert resolve(sentence, FRIDAY, "day") is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The envoy said on 3rd March that the talks had failed.", date(2024, 3, 3)),
        ("On the 21st of August the ministry issued a warning.", date(2024, 8, 21)),
        ("The navy was put on alert on 24th February 2022.", date(2022, 2, 24)),
        ("On February 24th, 2022, the troops crossed the border.", date(2022, 2, 24)),
        ("the 2nd of June, 2023, was the day he spoke", date(2023, 6, 2)),
    ],
)
def test_an_ordinal_day_is_a_day(sentence: str, expected: date) -> None:
    """An ordinal: "February 24th, 2022" named no time, "24th February 2022" only a month."""
    got = resolve(sentence, PUB, "day")
    assert got is not None and (got.value, got.precision) == (expected, "day")


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        ("The minister warned last April that the port would be shut.", PUB, date(2024, 4, 1)),
        ("Last November the council threatened a boycott.", date(2025, 1, 8), date(2024, 11, 1)),
        ("He said last January that talks were over.", date(2025, 1, 8), date(2024, 1, 1)),
    ],
)
def test_last_and_a_month(sentence: str, published: date, expected: date) -> None:
    """The codebook's own case: "last April" dates a statement to that April, the most recent
    one before the month of publication; it named no time, so the publication date was used."""
    got = resolve(sentence, published, "day")
    assert got is not None and (got.value, got.precision) == (expected, "month")


def test_the_last_march_is_no_month() -> None:
    assert resolve("They joined the last march to the square.", PUB, "day") is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("In April last year the minister warned the alliance.", (date(2023, 4, 1), "month")),
        ("in June of last year, the envoy said", (date(2023, 6, 1), "month")),
        ("On 3 March last year the council voted.", (date(2023, 3, 3), "day")),
        ("On March 3 last year the council voted.", (date(2023, 3, 3), "day")),
        ("in May this year the ministry cautioned", (date(2024, 5, 1), "month")),
        # a month ahead this year or next dates nothing: the next time expression does
        ("Talks in March next year were agreed on Monday.", (date(2024, 9, 9), "day")),
    ],
)
def test_a_month_with_its_year_named_after_it(sentence: str, expected: tuple[date, str]) -> None:
    """A year named after the month: "In April last year" took this year's April (the month
    being before publication), "on 3 March last year" this year's day."""
    got = resolve(sentence, PUB, "day")
    assert got is not None and (got.value, got.precision) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("In mid-March the ministry warned the neighbours.", (date(2024, 3, 1), "month")),
        ("The threat, first made in mid-2023, was repeated.", (date(2023, 1, 1), "year")),
    ],
)
def test_mid_with_a_hyphen(sentence: str, expected: tuple[date, str]) -> None:
    """A "mid March" was read; "mid-March", as it is mostly written, was no time at all."""
    got = resolve(sentence, PUB, "day")
    assert got is not None and (got.value, got.precision) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The two ministers will meet on 14 September, the embassy said.", None),
        ("The alliance is due to decide in October whether to send the jets.", None),
        ("The summit is set to open on October 3 in the capital.", None),
        ("The council will vote in November, the chair said in June.", date(2024, 6, 1)),
        # a date before the future marker is the report's: untouched
        ("In March the envoy said that Moscow will respond.", date(2024, 3, 1)),
    ],
)
def test_a_day_or_month_ahead_dates_nothing(sentence: str, expected: date | None) -> None:
    """Written on 12 September, "will meet on 14 September" was 14 September of the year before
    and "will decide in October" last October; a time ahead dates nothing said, as a weekday
    ahead does not."""
    got = resolve(sentence, PUB, "day")
    assert (got.value if got else None) == expected


def test_earlier_this_week_is_this_week() -> None:
    """Written on a Thursday, "earlier this week" was the Thursday before, in the week before;
    it is this week's Monday."""
    got = resolve("Earlier this week the minister threatened to cut supplies.", PUB, "day")
    assert got is not None and (got.value, got.precision) == (date(2024, 9, 9), "day")
    monday = resolve("earlier in the week, the envoy said", date(2024, 9, 9), "day")
    assert monday is not None and monday.value == date(2024, 9, 9)


def test_a_day_after_a_month_precise_publication_is_the_year_before() -> None:
    """Known only to be of January 2024, a document's "on 30 December" dated nothing (this
    year's 30 December is after January, and only a day-precise publication moved it back)."""
    january = date(2024, 1, 1)
    got = resolve("On 30 December the ministry warned of a response.", january, "month")
    assert got is not None and (got.value, got.precision) == (date(2023, 12, 30), "day")
    same = resolve("On 20 January the ministry warned of a response.", january, "month")
    assert same is not None and same.value == date(2024, 1, 20)


def test_this_and_a_weekday_is_this_week() -> None:
    """Written on a Friday, "this Saturday" was the Saturday six days before; it is tomorrow,
    ahead of the report, and dates nothing. "This Monday" is still this week's Monday."""
    assert resolve("The ministers meet this Saturday in the capital.", FRIDAY, "day") is None
    got = resolve("This Monday the envoy warned of a blockade.", FRIDAY, "day")
    assert got is not None and got.value == date(2024, 9, 9)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Seven months ago the minister warned of a blockade.", (date(2024, 2, 1), "month")),
        ("ten days ago the envoy said", (date(2024, 9, 2), "day")),
        ("Twelve years ago the treaty was signed.", (date(2012, 1, 1), "year")),
    ],
)
def test_ago_counts_past_six(sentence: str, expected: tuple[date, str]) -> None:
    """Only "two" to "six" were counted: "seven months ago" named no time."""
    got = resolve(sentence, PUB, "day")
    assert got is not None and (got.value, got.precision) == expected


def test_a_weekday_with_its_date_is_that_date() -> None:
    """A 2024 article's "On Thursday, 24 February 2022" resolved to the Thursday of the
    publication's week: the weekday names the date's day, and when it would resolve to another
    day, the date is read. A weekday agreeing with its date keeps its own words."""
    got = resolve("On Thursday, 24 February 2022, the troops crossed the border.", PUB, "day")
    assert got is not None and (got.value, got.text) == (date(2022, 2, 24), "24 February 2022")
    same = resolve("On Monday, September 9, the minister spoke.", PUB, "day")
    assert same is not None and (same.value, same.text) == (date(2024, 9, 9), "On Monday")


def test_29_february_without_its_year_is_the_last_leap_day() -> None:
    """In a 2025 article, "on 29 February" named no date (2025 has none); it is the last leap
    day by the publication: 2024's, or 2020's in an article of January 2024."""
    sentence = "On 29 February the minister warned of a response."
    got = resolve(sentence, date(2025, 3, 5), "day")
    assert got is not None and got.value == date(2024, 2, 29)
    earlier = resolve(sentence, date(2024, 1, 10), "day")
    assert earlier is not None and earlier.value == date(2020, 2, 29)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # next March, after the statement: it dates nothing said, and the item keeps its
        # publication date (it had been dated to the March before)
        ("The envoy said the troops must leave by March.", None),
        ("Kyiv must withdraw by 18 March, the council warned.", None),
        ("Talks must end by October, the minister said on Tuesday.", (date(2024, 9, 10), "day")),
        ("The fleet must sail by the 3rd of May, he said on Monday.", (date(2024, 9, 9), "day")),
        # the publication's own month is not yet over: this September, as before
        ("The talks must end by September, he said.", (date(2024, 9, 1), "month")),
        # no "by": the last such month, as before
        ("In March the envoy said the troops must leave.", (date(2024, 3, 1), "month")),
    ],
)
def test_a_deadline_is_the_next_such_time(sentence: str, expected: tuple[date, str] | None) -> None:
    """Written on 12 September, "by March" resolved to the March before, "by October" to the
    October a year before: a deadline is the next such day or month from the publication on."""
    got = resolve(sentence, PUB, "day")
    assert (got.value, got.precision) == expected if got else expected is None


def test_a_deadline_on_a_leap_day_is_the_next_one() -> None:
    got = resolve("The bill must be paid by 29 February, they said on Monday.", date(2025, 3, 5))
    assert got is not None and got.value == date(2025, 3, 3)  # 2028's 29 February dates nothing


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a past-tense verb after its subject ends the clause "will" opened: the day is the
        # past act's (the relative clause has no "that")
        ("Ukraine will answer the strike Russia launched on Saturday.", date(2024, 9, 7)),
        ("Kyiv will study the plan he presented on Wednesday.", date(2024, 9, 11)),
        ("The ministry will review the convoy Moscow sent on Tuesday.", date(2024, 9, 10)),
        ("They will honour the truce they agreed on Tuesday.", date(2024, 9, 10)),
        # a participle after "be", a possessive or "need" is still the future's: nothing
        ("The package will be announced on Monday.", None),
        ("The council will discuss Ukraine's expanded request on Monday.", None),
        ("They will need more time on Monday.", None),
    ],
)
def test_a_past_verb_ends_the_clause_ahead(sentence: str, expected: date | None) -> None:
    """Written on a Friday, "will answer the strike Russia launched on Saturday" dated nothing:
    the clause "will" opens ran on past "launched" to the Saturday of the strike."""
    got = resolve(sentence, FRIDAY, "day")
    assert (got.value if got else None) == expected
