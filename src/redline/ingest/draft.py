"""The document a reader hands on: raw text and whatever metadata its format carried."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from redline.ingest.authors import clean_author
from redline.ingest.fields import FieldMap, first_given, pick

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
    format's own metadata gave (source ``metadata``), ``unusable_date`` a value it gave that is
    none (``field_date``).
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
    # a date field's value that is no date the ledger can use ("2024-02-30", "9999-12-31",
    # true), as a problem quotes it: ingest says so and dates the document from its other
    # sources
    unusable_date: str | None = None


def field_date(
    record: Mapping[str, Any], names: tuple[str, ...]
) -> tuple[DateGuess | None, str | None]:
    """The date ``record``'s first date field among ``names`` gives, and that field's value,
    written as the problem shows it, when it is given but is no date the ledger can use (not a
    date, before 1900, in the future, or no text at all: JSON's ``true``): (guess, unusable)."""
    from redline.ingest.dates import metadata_date

    value = pick(record, names)
    if value is None:
        # a value ``pick`` passes over (true, false, an object with no name) was given all the
        # same: storing the record undated without a word hid it
        given = first_given(record, names)
        shown = json.dumps(given[1], default=str, ensure_ascii=False) if given else None
        return None, (shown[:60] if shown else None)
    guess = metadata_date(value)
    return guess, (repr(value[:60]) if guess is None else None)


def metadata_fields(record: Mapping[str, Any], fields: FieldMap) -> dict[str, Any]:
    """A file's own metadata (Markdown front matter, a text file's ``Title:`` header lines),
    read with the record field names: ``Draft`` keyword arguments for title, author, outlet,
    url, published and unusable_date."""
    published, unusable = field_date(record, fields.date)
    return {
        "title": pick(record, fields.title),
        "author": clean_author(pick(record, fields.author)),
        "outlet": pick(record, fields.outlet),
        "url": pick(record, fields.url),
        "published": published,
        "unusable_date": unusable,
    }
