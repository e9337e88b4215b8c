"""The document a reader hands on: raw text and whatever metadata its format carried."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Precision = Literal["day", "month", "year", "unknown"]
DateSource = Literal["metadata", "date_line", "filename", "text", "none"]


@dataclass(frozen=True, slots=True)
class DateGuess:
    """A publication date, how precise it is and where it came from.

    A month-precise date is the first day of its month, a year-precise one the first of January
    (the ledger's convention, see ``store/schema.py``).
    """

    value: date | None
    precision: Precision
    source: DateSource


NO_DATE = DateGuess(None, "unknown", "none")


@dataclass(slots=True)
class Draft:
    """One document as its reader found it, before cleaning, dating and duplicate checks.

    ``locator`` says where a record sits inside a corpus file ("line 7", "row 3", "item 2").
    Metadata fields are None when the format did not carry them; ``published`` is a date the
    format's own metadata gave (source ``metadata``).
    """

    source_path: str
    source_format: str
    text: str
    locator: str | None = None
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: DateGuess | None = None
