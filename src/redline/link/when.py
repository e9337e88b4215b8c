"""Fuzzy dates: an item's date as the interval its precision allows, and when it became known."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from redline.vocab import Precision


def as_of_date(value: object, name: str = "as_of") -> date | None:
    """An as-of date given to the API: a ``date`` (a ``datetime`` gives its day), an ISO string
    ("2024-06-01"), or None for today; anything else is a ConfigError naming ``name`` and what
    was given."""
    from datetime import datetime

    from redline.errors import ConfigError, NoSuchDay

    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            why = no_such_day(value)
            if why:  # the form is right, the day is not ("2023-02-30"): say that, not the form
                raise NoSuchDay(
                    f"{name} {value.strip()!r} is no day of the calendar ({why})"
                ) from None
    raise ConfigError(f"{name} must be a date or a YYYY-MM-DD string, not {value!r}")


def item_date(value: str, name: str) -> tuple[date, Precision]:
    """An item's date as an analyst gives it, with its precision: "2024-10-05" (a day),
    "2024-10" (a month) or "2024" (a year), each stored as its first day, as extraction stores a
    date it read to the month or the year ("in October 2024"). Anything else is a ConfigError
    naming ``name`` (a day the calendar lacks, a NoSuchDay)."""
    from redline.errors import ConfigError, NoSuchDay

    text = value.strip()
    month = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if month is not None:
        if not 1 <= int(month[2]) <= 12:
            raise ConfigError(f"{name} {text!r} names no month of the year")
        return date(int(month[1]), int(month[2]), 1), Precision.MONTH
    if re.fullmatch(r"\d{4}", text) and int(text) >= 1:
        return date(int(text), 1, 1), Precision.YEAR
    if re.fullmatch(r"\d{4}-?W\d{2}", text):
        # Python reads an ISO week as its Monday: stored as that day, a week the sources gave
        # would read as a day nobody named
        raise ConfigError(f"{name} {text!r} is a week; give its day, its month or its year")
    try:
        day = as_of_date(text, name)
    except NoSuchDay:
        raise
    except ConfigError:
        day = None
    if day is None:
        raise ConfigError(
            f"{name} must be a date YYYY-MM-DD, a month YYYY-MM or a year YYYY, not {value!r}"
        )
    return day, Precision.DAY


def date_words(day: date, precision: str) -> str:
    """A stored date as an analyst would give it (``item_date`` reads it back)."""
    if precision == Precision.YEAR:
        return f"{day.year:04d}"
    if precision == Precision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def not_after_today(day: date, today: date, what: str, why: str) -> None:
    """A ConfigError when ``day`` (the date named ``what``) comes after ``today`` (the
    reader's: every default date is the local one), saying ``why`` a day not yet come is
    refused. The one check behind every such refusal (a status's effective date, a link's
    as-of date)."""
    from redline.errors import ConfigError

    if day > today:
        raise ConfigError(f"{what} {day.isoformat()} is after today ({today.isoformat()}); {why}")


_DAY_FORM = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def no_such_day(text: str) -> str | None:
    """Why ``text``, written YYYY-MM-DD in ASCII digits, names no day of the calendar ("day is
    out of range for month"); None when it names one or is not of that form. The one check
    behind every "no day of the calendar" (as-of, effective and corrected dates, the CLI's)."""
    text = text.strip()
    if not _DAY_FORM.fullmatch(text):
        return None
    try:
        date.fromisoformat(text)
    except ValueError as exc:
        return str(exc)
    return None


# The longest response window: a century (a window reaching past the calendar's last day,
# 100000000 days, ended every listing in an OverflowError)
MAX_WINDOW_DAYS = 36_500


def window_days_of(value: object) -> int | None:
    """A response window given to the API: a whole number of days, at least 1 and at most
    ``MAX_WINDOW_DAYS``, or None for the last link's; anything else is a ConfigError (0 was
    read as "the last link's", and a negative window turned enforced lines unenforced)."""
    from redline.errors import ConfigError

    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_WINDOW_DAYS:
        return value
    raise ConfigError(
        f"window_days must be a whole number of days, from 1 to {MAX_WINDOW_DAYS}, not {value!r}"
    )


def as_of_words(day: date | str, reported: bool) -> str:
    """How a status's date is read: "as of DAY" (hindsight), or "as reported by DAY" (each item
    from its article's publication, ``when_of(reported=True)``)."""
    return f"as reported by {day}" if reported else f"as of {day}"


def span(day: date, precision: str) -> tuple[date, date]:
    """The first and last day a date of ``precision`` may stand for (month dates are the 1st)."""
    if precision == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


@dataclass(frozen=True)
class When:
    """When an item happened (``lo``..``hi``), when the ledger could know of it, and a sort date.

    An item without a date of its own happened at some unknown time before its document was
    published: ``lo`` is ``date.min``, ``hi`` the end of the publication date, and it is
    ``known_from`` the publication date (or the ingestion date when that is unknown too).
    Comparing intervals compares at the coarser precision: a 2024 (year) crossing is not
    before a threat of 2024-03-05, because ``crossing.hi >= threat.lo``.
    """

    lo: date
    hi: date
    precision: str
    known_from: date
    sort: date
    # a crossing no event dates, implied by a later response or outcome claim: it happened by
    # ``hi``, which is that item's date, not a report's
    implied: bool = False
    # when the item happened, or (undated) was first published: ``known_from`` in hindsight.
    # The silence rule reads coverage after a crossing by it, so both readings count the same
    # documents once they are published (None: the same as ``known_from``)
    happened_from: date | None = None
    # an implied crossing the owner's own response implies (not an outcome claim)
    by_response: bool = False
    # an implied crossing only an analyst's crossed status implies: it happened by the day
    # that status holds from (the day named with ``--effective``, else the review's day)
    by_review: bool = False

    @property
    def since(self) -> date:
        """When the item happened, or was first published if undated (both readings agree)."""
        return self.happened_from or self.known_from

    def before(self, other: When) -> bool:
        """Certainly earlier than ``other``."""
        return self.hi < other.lo

    def known_by(self, as_of: date) -> bool:
        return self.known_from <= as_of

    @property
    def label(self) -> str:
        """``2024-05-03``, ``2024-05``, ``2024``, ``undated, reported 2024-09`` for undated items,
        ``by 2024-09-11 (implied by a later item)`` for a crossing a response or claim implies,
        or ``by 2024-09-11 (an analyst's decision)`` for one only an analyst's status implies."""
        if self.precision != "unknown":
            return interval_label(self.lo, self.hi)
        if self.implied:
            why = "an analyst's decision" if self.by_review else "implied by a later item"
            return f"by {self.hi.isoformat()} ({why})"
        return f"undated, reported {interval_label(self.known_from, self.hi)}"


def interval_label(lo: date, hi: date) -> str:
    """The shortest way to write a day, month or year span: ``2024-05-03``, ``2024-05``, ``2024``."""
    if lo == hi:
        return lo.isoformat()
    if (lo.year, lo.month) == (hi.year, hi.month):
        return lo.isoformat()[:7]
    if lo.year == hi.year:
        return str(lo.year)
    return f"{lo.isoformat()}..{hi.isoformat()}"


def when_of(
    own: date | None,
    precision: str | None,
    published: date | None,
    published_precision: str | None,
    ingested: date,
    reported: bool = False,
) -> When:
    """The fuzzy date of an item from its own date, else from its document's publication date.

    An item with its own date is known once it had certainly happened (hindsight: what had
    happened by a date, even if reported later): on its day; for a month or a year, at the
    period's end, or at its article's publication if that came first (an act of "June 2022"
    had not certainly happened by 1 June, and one of "2022" reported in 2024 not by 20 January
    2022). With ``reported`` it is known only once its document was published, at the latest
    day its publication date allows (an article of "2024-08" may be of the 31st: what the
    ledger's sources had certainly said by then)."""
    if published is not None and published_precision in ("day", "month", "year"):
        plo, phi = span(published, published_precision)
    else:
        plo, phi = ingested, ingested
    if own is not None and precision in ("day", "month", "year"):
        lo, hi = span(own, precision)
        known = max(lo, phi) if reported else max(lo, min(hi, phi))
        return When(lo, hi, precision, known, lo, False, lo)
    return When(date.min, phi, "unknown", phi if reported else plo, plo, False, plo)
