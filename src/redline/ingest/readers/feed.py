"""RSS and Atom feed files: feedparser reads them, each entry is a document and the feed's title its outlet."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat
from xml.sax import SAXParseException

import feedparser

from redline.errors import InputError
from redline.ingest.authors import clean_author
from redline.ingest.dates import metadata_date
from redline.ingest.draft import DateGuess, Draft
from redline.ingest.html_text import html_to_text
from redline.ingest.readers.source import Source


def read(source: Source) -> Iterator[Draft | InputError]:
    # Raw bytes, so that feedparser honours the encoding the XML declaration names.
    try:
        parsed = feedparser.parse(source.data)
    except Exception as exc:  # feedparser lets some errors escape (a mangled encoding name)
        yield InputError(
            source.key, f"not a readable RSS/Atom feed: {exc.__class__.__name__}: {exc}"
        )
        return
    if not parsed.entries:
        if parsed.get("bozo"):
            reason = f"not a readable RSS/Atom feed: {parsed.get('bozo_exception')}"
        else:
            reason = "feed has no entries"
        yield InputError(source.key, reason)
        return
    broken = _not_well_formed(parsed.get("bozo_exception"), source.data)
    if broken is not None:
        # the entries are read in feedparser's recovery mode: one beside the fault can be gone
        # (a stray "<<" dropped the next entry without a word) or cut short
        yield InputError(
            source.key,
            f"feed is not well-formed XML ({broken}); the entries that could be recovered are "
            "read, one near that place may be missing or cut short",
        )
    outlet = parsed.feed.get("title") or None
    for number, entry in enumerate(parsed.entries, start=1):
        locator = f"item {number}"
        contents = entry.get("content") or []
        markup = contents[0].get("value") if contents else entry.get("summary")
        if not markup:
            yield InputError(source.key, "entry has no content or summary", locator)
            continue
        try:
            text = html_to_text(markup)
        except ValueError as exc:
            yield InputError(source.key, str(exc), locator)
            continue
        yield Draft(
            source_path=source.key,
            source_format="feed",
            text=text,
            locator=locator,
            title=entry.get("title") or None,
            author=clean_author(entry.get("author")),
            outlet=outlet,
            url=entry.get("link") or None,
            published=_entry_date(entry),
        )


def _not_well_formed(exc: object, data: bytes) -> str | None:
    """Where and why the feed's XML broke (a stray character, an unescaped ``&``, a file cut
    short), or None: feedparser's other complaints (a declared encoding it overrode) cost no
    entry. The place is found again in the file's own bytes: feedparser parses a copy with its
    own XML declaration, so its line and column are off by that."""
    if not isinstance(exc, SAXParseException):
        return None
    try:
        expat.ParserCreate().Parse(data, True)
    except expat.ExpatError as fault:
        return f"{expat.ErrorString(fault.code)} at line {fault.lineno}, column {fault.offset + 1}"
    except Exception:  # an encoding expat does not know: say what feedparser said
        pass
    return exc.getMessage()


def _entry_date(entry: Any) -> DateGuess | None:
    for key in ("published", "updated", "created"):
        guess = metadata_date(entry.get(key))
        if guess is not None:
            return guess
        parsed: time.struct_time | None = entry.get(f"{key}_parsed")
        if parsed is not None:
            return metadata_date(time.strftime("%Y-%m-%d", parsed))
    return None
