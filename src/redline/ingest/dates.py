"""Publication dates with their precision, from metadata, a date line, a file name or the text itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_tz
from functools import lru_cache
from typing import Any

from redline.ingest.draft import DateGuess, DateSource, Precision

# Only the top of an article is searched for a date: a dateline ("KYIV, 17 November 2024 —")
# sits there, while dates further down are the dates of the events it reports.
TEXT_HEAD_CHARS = 400
_EARLIEST = date(1900, 1, 1)
_ANCIENT_YEAR = re.compile(r"(?<![\d:.+-])0\d{3}(?![\d:])")  # a four-digit year before 1000

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_SLASH_DAY = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:$|[T\s])")
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?\d{4,6}(?:\.\d+)?Z?)?$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR_ONLY = re.compile(r"^(\d{4})$")
_EPOCH = re.compile(r"^\d{10}(?:\.\d+)?$")
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# a date the text measures from or to ("Since 24 February 2022 ...", "after 3 March 2023"):
# a reference point of what it reports, not the day it was published
_REFERENCE_POINT = re.compile(
    r"\b(?:since|after|before|until|till|following)\s+(?:the\s+)?\Z", re.I
)
# File names that start with a date: 20220212T201500Z_PL_en_6001743bb8.txt, 2022-02-24_x.txt,
# or carry one between separators (news_2022-02-24.txt).
_FILENAME_DATE = re.compile(
    r"(?<![0-9])((?:19|20)\d{2})(?:(\d{2})(\d{2})(?=T\d{4,6}|[^0-9]|$)|-(\d{2})-(\d{2})(?![0-9]))"
)
_DATEPARSER_SETTINGS = {
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_DAY_OF_MONTH": "first",
    "PREFER_DATES_FROM": "past",
}
_PERIODS: dict[str, Precision] = {
    "time": "day",
    "day": "day",
    "week": "day",
    "month": "month",
    "year": "year",
}


def metadata_date(value: Any) -> DateGuess | None:
    """A date from a metadata field (ISO, RFC 2822, compact GDELT ``20240315T120000Z``, epoch, or prose)."""
    return _parse(str(value).strip(), "metadata") if value not in (None, "") else None


def stated_date(value: str) -> DateGuess | None:
    """A date written on a date line or byline ("2023-06-27", "12 March 2024")."""
    return _parse(value.strip(), "date_line")


def filename_date(name: str) -> DateGuess | None:
    """The date a file name carries, day precision."""
    for day in _filename_days(name):
        guess = _make(day.year, day.month, day.day, "day", "filename")
        if guess is not None:
            return guess
    return None


def unusable_filename_date(name: str) -> date | None:
    """The day a file name carries when the ledger cannot use it (it is in the future:
    ``20991231T000000Z_US_en_abcd.txt``) and the name carries no usable one. A date-shaped part
    that names no day of the calendar (``20221399``) is taken for no date: hashes and ids have
    such digits."""
    if filename_date(name) is not None:
        return None
    return next(_filename_days(name), None)


def _filename_days(name: str) -> Iterator[date]:
    """Each day of the calendar that a date-shaped part of a file name names, in order."""
    for m in _FILENAME_DATE.finditer(name):
        year, month, day = m.group(1), m.group(2) or m.group(4), m.group(3) or m.group(5)
        with suppress(ValueError):
            yield date(int(year), int(month), int(day))


def year_date(year: int) -> DateGuess | None:
    """A year read from the text (a copyright line): year precision."""
    return _make(year, 1, 1, "year", "text")


def text_date(text: str) -> DateGuess | None:
    """The first full date (with a year) near the top of ``text``, found by dateparser's search.

    Relative dates ("today", "on Wednesday") are ignored: they give the reader's date, not the
    article's; so is a date the text measures from or to ("since 24 February 2022"). Costs a
    few milliseconds, so callers try every cheaper source first.
    """
    head = text[:TEXT_HEAD_CHARS]
    if not _HAS_YEAR.search(head):
        return None
    from dateparser.search import search_dates  # slow import, needed for few documents

    try:
        found = search_dates(head, languages=["en"], settings=_DATEPARSER_SETTINGS) or []
    except Exception:  # dateparser raises assorted errors on odd input; a missing date is fine
        return None
    at = 0
    for phrase, _when in found:
        where = head.find(phrase, at)
        at = where + len(phrase) if where >= 0 else at
        # the words before the phrase, and its own first word ("After 3 March 2023")
        lead = head[max(0, where - 20) : where] if where >= 0 else ""
        if any(_REFERENCE_POINT.search(t) for t in (lead, phrase.split(" ", 1)[0] + " ")):
            continue
        if _HAS_YEAR.search(phrase):
            guess = _parse_prose(phrase, "text")
            if guess is not None and guess.precision in ("day", "month"):
                return guess
    return None


def _parse(value: str, source: DateSource) -> DateGuess | None:
    if not value or _ANCIENT_YEAR.search(value):
        # "Mon, 01 Jan 0001": the RFC 2822 parser and dateparser read such years as 2001.
        return None
    for pattern in (_ISO_DAY, _SLASH_DAY, _COMPACT_DAY):
        m = pattern.match(value)
        if m:
            return _make(int(m[1]), int(m[2]), int(m[3]), "day", source)
    m = _ISO_MONTH.match(value)
    if m:
        return _make(int(m[1]), int(m[2]), 1, "month", source)
    m = _YEAR_ONLY.match(value)
    if m:
        return _make(int(m[1]), 1, 1, "year", source)
    if _EPOCH.match(value):
        day = datetime.fromtimestamp(float(value), tz=UTC).date()
        return _make(day.year, day.month, day.day, "day", source)
    parts = parsedate_tz(value)
    if parts is not None and parts[0] and parts[1] and parts[2]:
        return _make(parts[0], parts[1], parts[2], "day", source)
    return _parse_prose(value, source)


def _parse_prose(value: str, source: DateSource) -> DateGuess | None:
    if not _HAS_YEAR.search(value):  # "Monday", "3 days ago": relative to the reader, not dated
        return None
    try:
        data = _date_parser().get_date_data(value)
    except Exception:  # see text_date
        return None
    if data.date_obj is None:
        return None
    precision = _PERIODS.get(data.period or "", "day")
    when = data.date_obj.date()
    month = when.month if precision != "year" else 1
    day = when.day if precision == "day" else 1
    return _make(when.year, month, day, precision, source)


@lru_cache(maxsize=1)
def _date_parser() -> Any:
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings=_DATEPARSER_SETTINGS)


def _make(
    year: int, month: int, day: int, precision: Precision, source: DateSource
) -> DateGuess | None:
    try:
        when = date(year, month, day)
    except (ValueError, OverflowError):  # OverflowError: a 40-digit year in an RFC 2822 date
        return None
    if not _EARLIEST <= when <= date.today() + timedelta(days=1):
        return None
    return DateGuess(when, precision, source)
