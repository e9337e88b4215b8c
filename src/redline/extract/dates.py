"""Resolve the time expressions of a sentence ("On Wednesday", "last week", "In June", "in 2023")
against the document's publication date, keeping the precision: day, month, year or unknown."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(_WEEKDAYS)

# "seven months ago" as "six months ago": the number words an "ago" counts in
_NUMBER_WORDS = "two three four five six seven eight nine ten eleven twelve"
_NUMBERS = {word: n for n, word in enumerate(_NUMBER_WORDS.split(), start=2)}
# a day of the month, as an ordinal too: "24 February", "24th February", "the 24th of February",
# "February 24th, 2022"
_DAY = r"(\d{1,2})"
_ORDINAL = "(?:st|nd|rd|th)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    (
        "day_month_year",
        re.compile(rf"\b{_DAY}(?:{_ORDINAL}(?: of)?)? ({_MONTH_RE})\.?,? (\d{{4}})\b", re.I),
    ),
    (
        "month_day_year",
        re.compile(rf"\b({_MONTH_RE})\.? {_DAY}{_ORDINAL}?,? (\d{{4}})\b", re.I),
    ),
    ("month_year", re.compile(rf"\b({_MONTH_RE})\.? (?:of )?(\d{{4}})\b", re.I)),
    ("day_month", re.compile(rf"\b{_DAY}(?:{_ORDINAL}(?: of)?)? ({_MONTH_RE})\b", re.I)),
    (
        "month_day",
        re.compile(rf"\b({_MONTH_RE})\.? {_DAY}{_ORDINAL}?\b(?!,? \d{{4}})", re.I),
    ),
    # "mid-March" and "mid-2023" are written without a space
    (
        "in_month",
        re.compile(rf"\b(?:(?:in|since|by|during|early|late|mid)\s+|mid-)({_MONTH_RE})\b", re.I),
    ),
    # "last April" (codebook §1's example): the month's name capitalised, so "the last march"
    # is no date
    ("last_month", re.compile(rf"\b[Ll]ast ({'|'.join(calendar.month_name[1:])})\b")),
    (
        "weekday",
        re.compile(rf"\b(?:on |last |this |next |(?:this )?coming )?({_WEEKDAY_RE})\b", re.I),
    ),
    (
        "relative",
        re.compile(
            r"\b(yesterday|today|last (?:week|month|year)|this (?:week|month|year)|"
            r"earlier (?:this|in the) (?:week|month|year)|(?:a|one) (?:week|month|year) ago|"
            rf"(\d+|{'|'.join(_NUMBERS)}) (days|weeks|months|years) ago)\b",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(
            r"\b(?:(?:in|since|during|by|of|early|late|mid)\s+|mid-)((?:19|20)\d{2})\b", re.I
        ),
    ),
]
# a date right after a weekday names that date's day: "On Thursday, 24 February 2022" is read
# by its date when the weekday would resolve to another day
_DATE_AFTER = re.compile(
    rf"[,\s(]+(?:{_DAY}{_ORDINAL}?(?: of)? (?:{_MONTH_RE})\b|(?:{_MONTH_RE})\.? {_DAY}\b)", re.I
)
# what sets the time after it ahead of the report, in the same clause: "will meet on Saturday",
# "is due to speak on Saturday", "plans to travel on Saturday", "will decide in October" (a
# weekday, or a day or month without its year). A statement's date is when it was said
# (codebook §1), so such a time dates nothing the report tells as said or done; a comma, a
# quotation mark, a speech verb or a relative or time clause between them ends the clause ("we
# will respond," he said on Saturday; will discuss the strike that hit Kyiv on Saturday), and so
# does a past-tense verb after its subject, a name or a pronoun: a relative clause without its
# "that" (will answer the strike Russia launched on Saturday; will study the plan he presented
# on Monday). Not a participle after "be" or "have" (will be announced on Monday), nor one
# after a possessive (will discuss Ukraine's expanded request on Monday), nor "need", "proceed"
_PAST_AFTER_SUBJECT = (
    r"(?-i:\b(?:I|[Ww]e|[Yy]ou|[Hh]e|[Ss]he|[Ii]t|[Tt]hey|[A-Z]\w*)\s+"
    r"(?:[a-z]+[a-df-z]ed|agreed|began|brought|built|came|fought|gave|held|knew|left|lost|"
    r"made|met|sent|spoke|struck|took|went|won|wrote)\b)"
)
_AHEAD = re.compile(
    r"(?:\b(?:will|shall|(?:is|are|am) (?:due|set|scheduled|expected|going|to)|plans? to|"
    r"intends? to)\b|['’]ll\b|\bwon['’]t\b)"
    r"(?:(?!\b(?:that|which|who|after|since|when|following|said|says|told|warned)\b"
    rf"|{_PAST_AFTER_SUBJECT})"
    r"[^,;:.!?\"“”()]){0,60}$",
    re.I,
)
# a deadline: a day or a month right after "by" ("must leave by March", "by 18 March") is the next
# such time from the publication on, not the last one before it ("by March" in a September
# statement is next March, which dates nothing said; it had been the March before)
_BY = re.compile(r"\bby\s+(?:the\s+)?$", re.I)
# the year a month or a day names after it: "in April last year", "on 3 March of last year",
# "in October this year" (the month's own year then, not the last such month's)
_NAMED_YEAR = re.compile(r" (?:of )?(last|this|next) year\b", re.I)
_YEAR_OFFSET = {"last": -1, "this": 0, "next": 1}
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "unknown": 3}


@dataclass(frozen=True)
class Resolved:
    value: date | None
    precision: str  # day | month | year | unknown
    text: str = ""


UNKNOWN = Resolved(None, "unknown")
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


def coarser(a: str, b: str) -> str:
    return a if _PRECISION_RANK[a] >= _PRECISION_RANK[b] else b


def resolve(sentence: str, published: date | None, pub_precision: str = "day") -> Resolved | None:
    """The first time expression in ``sentence`` that could date what it reports, resolved
    (``_possible``); None when it names no such time."""
    found: list[tuple[int, int, int, Resolved]] = []  # start, end, specificity, result
    for rank, (kind, pattern) in enumerate(_PATTERNS):
        for m in pattern.finditer(sentence):
            res = _resolve_one(kind, m, published, pub_precision)
            if res is not None:
                found.append((m.start(), m.end(), rank, res))
    while found:
        first = min(found, key=lambda f: (f[0], f[2]))
        # "In May 2024": the more specific pattern that overlaps the leftmost match wins
        overlapping = [f for f in found if f[0] < first[1] and first[0] < f[1]]
        best = min(overlapping, key=lambda f: f[2])[3]
        if _possible(best, published, pub_precision):
            return best
        # an impossible date is not read again in part ("17 November" of "17 November 2999")
        found = [f for f in found if f not in overlapping]
    return None


def _possible(res: Resolved, pub: date | None, pub_precision: str) -> bool:
    """Could ``res`` date something the document reports as said or done? Not after the
    document was published (a day's slack for time zones; to the end of its month or year when
    that is all that is known of it), and within 1900-2100 whatever is known: a date line of
    "17 November 2999" dates nothing."""
    if res.value is None:
        return True
    if not EARLIEST <= res.value <= LATEST:
        return False
    last = _latest(pub, pub_precision)
    return last is None or res.value <= last


def _latest(pub: date | None, pub_precision: str) -> date | None:
    """The last day the document may have been published (``_possible``); None: unknown."""
    if pub is None or pub_precision not in ("day", "month", "year"):
        return None
    if pub_precision == "day":
        return pub + timedelta(days=1)
    if pub_precision == "month":
        return date(pub.year, pub.month, calendar.monthrange(pub.year, pub.month)[1])
    return date(pub.year, 12, 31)


def _earliest(pub: date, pub_precision: str) -> date:
    """The first day the document may have been published (its precision known)."""
    if pub_precision == "day":
        return pub
    return pub.replace(day=1) if pub_precision == "month" else date(pub.year, 1, 1)


def _first_from(earliest: date, month: int, mday: int) -> date | None:
    """The first such day on or after ``earliest`` (a deadline, ``_BY``); for 29 February the
    next leap year's."""
    for year in range(earliest.year, earliest.year + 9):
        d = _safe_date(year, month, mday)
        if d is not None and d >= earliest:
            return d
    return None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _resolve_one(kind: str, m: re.Match[str], pub: date | None, pub_prec: str) -> Resolved | None:
    text = m.group(0)
    known_year = pub.year if pub and pub_prec in ("day", "month", "year") else None
    if kind == "iso":
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return Resolved(d, "day", text) if d else None
    if kind == "day_month_year":
        d = _safe_date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        return Resolved(d, "day", text) if d else None
    if kind == "month_day_year":
        d = _safe_date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
        return Resolved(d, "day", text) if d else None
    if kind == "month_year":
        return Resolved(date(int(m[2]), _MONTHS[m[1].lower()], 1), "month", text)
    if kind in ("day_month", "month_day", "in_month") and _ahead(m):
        return None  # "will meet on 14 September": no last September's 14th
    if kind in ("day_month", "month_day"):
        if known_year is None:
            return None
        day_s, month_s = (m[1], m[2]) if kind == "day_month" else (m[2], m[1])
        named = _named_year(m, known_year)
        month, mday = _MONTHS[month_s.lower()], int(day_s)
        if named is not None:
            d = _safe_date(named, month, mday)
            return Resolved(d, "day", text) if d else None
        if pub and _deadline(m):
            d = _first_from(_earliest(pub, pub_prec), month, mday)
            return Resolved(d, "day", text) if d else None
        # the last such day by the publication: this year's, else the year before's ("on 30
        # December", written on 2 January or in a document known only to be of January), and
        # for 29 February the last leap year's
        latest = _latest(pub, pub_prec)
        for year in range(known_year, known_year - 8, -1):
            d = _safe_date(year, month, mday)
            if d is not None and (latest is None or d <= latest):
                return Resolved(d, "day", text)
        return None
    if kind == "in_month":
        if known_year is None:
            return None
        month = _MONTHS[m[1].lower()]
        named = _named_year(m, known_year)
        if pub and named is None and _deadline(m):
            first = _first_from(_earliest(pub, pub_prec).replace(day=1), month, 1)
            return Resolved(first, "month", text) if first else None
        year = named or known_year
        if named is None and pub and pub_prec in ("day", "month") and month > pub.month:
            year -= 1  # "In June", written in March, means last June
        return Resolved(date(year, month, 1), "month", text)
    if kind == "last_month":
        if pub is None or pub_prec not in ("day", "month"):
            return None  # this year's or the year before's: no telling
        month = _MONTHS[m[1].lower()]
        year = pub.year if month < pub.month else pub.year - 1  # "last April" in April: a year ago
        return Resolved(date(year, month, 1), "month", text)
    if kind == "weekday":
        if text.lower().startswith(("next", "coming", "this coming")) or _ahead(m):
            return None  # a day ahead (``_AHEAD``): the next time expression dates the report
        if pub is None or pub_prec != "day":
            return Resolved(date(known_year, 1, 1), "year", text) if known_year else None
        weekday = _WEEKDAYS[m[1].lower()]
        if text.lower().startswith("this") and weekday > pub.weekday():
            return None  # "this Saturday", written on a Friday: tomorrow, not six days ago
        back = (pub.weekday() - weekday) % 7
        if text.lower().startswith("last"):
            back = back or 7
        day = pub - timedelta(days=back)
        if _DATE_AFTER.match(m.string, m.end()):
            dated = resolve(m.string[m.end() :], pub, pub_prec)
            if dated is not None and dated.value != day:
                return None  # another week's day: the date after it is read instead
        return Resolved(day, "day", text)
    if kind == "relative":
        return _relative(m[0].lower(), pub, pub_prec, known_year)
    if kind == "year":
        return Resolved(date(int(m[1]), 1, 1), "year", text)
    return None


def _ahead(m: re.Match[str]) -> bool:
    """Does the clause before the match set it ahead of the report (``_AHEAD``)?"""
    return _AHEAD.search(m.string[: m.start()]) is not None


def _deadline(m: re.Match[str]) -> bool:
    """Is the match a deadline, right after "by" or opening with it (``_BY``)?"""
    return m[0].lower().startswith("by") or _BY.search(m.string[: m.start()]) is not None


def _named_year(m: re.Match[str], known_year: int) -> int | None:
    """The year ``_NAMED_YEAR`` names right after the match, if it names one."""
    after = _NAMED_YEAR.match(m.string, m.end())
    return known_year + _YEAR_OFFSET[after[1].lower()] if after else None


def _relative(
    phrase: str, pub: date | None, pub_prec: str, known_year: int | None
) -> Resolved | None:
    if pub is None or known_year is None:
        return None
    if "year" in phrase and not phrase.endswith("ago"):
        year = known_year - 1 if phrase.startswith("last") else known_year
        return Resolved(date(year, 1, 1), "year", phrase)
    if pub_prec != "day":
        if "month" in phrase and pub_prec == "month":
            month = pub.month - 1 if phrase.startswith("last") else pub.month
            y = pub.year - (month == 0)
            return Resolved(date(y, month or 12, 1), "month", phrase)
        return Resolved(date(known_year, 1, 1), "year", phrase)
    if phrase in ("today", "this week"):
        return Resolved(pub, "day", phrase)
    if phrase == "yesterday":
        return Resolved(pub - timedelta(days=1), "day", phrase)
    if phrase == "last week":
        return Resolved(pub - timedelta(days=7), "day", phrase)
    if phrase in ("earlier this week", "earlier in the week"):
        # the week's Monday, not the last week's day a week ago (its own day when a Monday)
        return Resolved(pub - timedelta(days=pub.weekday()), "day", phrase)
    if phrase in ("this month", "earlier this month", "earlier in the month"):
        return Resolved(pub.replace(day=1), "month", phrase)
    if phrase == "last month":
        first = pub.replace(day=1) - timedelta(days=1)
        return Resolved(first.replace(day=1), "month", phrase)
    if phrase.endswith("ago"):
        num_s, unit = phrase.split()[0], phrase.split()[1]
        n = _NUMBERS.get(num_s, 1) if not num_s.isdigit() else int(num_s)
        if unit.startswith("day"):
            return Resolved(pub - timedelta(days=n), "day", phrase)
        if unit.startswith("week"):
            return Resolved(pub - timedelta(weeks=n), "day", phrase)
        if unit.startswith("month"):
            month_index = pub.year * 12 + pub.month - 1 - n
            return Resolved(date(month_index // 12, month_index % 12 + 1, 1), "month", phrase)
        return Resolved(date(pub.year - n, 1, 1), "year", phrase)
    return None
