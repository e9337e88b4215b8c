"""RSS and Atom feed files: feedparser reads them, each entry is a document and the feed's title its outlet."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

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


def _entry_date(entry: Any) -> DateGuess | None:
    for key in ("published", "updated", "created"):
        guess = metadata_date(entry.get(key))
        if guess is not None:
            return guess
        parsed: time.struct_time | None = entry.get(f"{key}_parsed")
        if parsed is not None:
            return metadata_date(time.strftime("%Y-%m-%d", parsed))
    return None
