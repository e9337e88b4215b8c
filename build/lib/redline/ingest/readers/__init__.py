"""One reader per input format: each turns a file into drafts (documents) and problems (bad records)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from redline.errors import InputError
from redline.ingest.draft import Draft
from redline.ingest.readers import feed, html, markdown, records, text
from redline.ingest.readers.source import Source

Reader = Callable[[Source], Iterator[Draft | InputError]]

READERS: dict[str, Reader] = {
    "text": text.read,
    "html": html.read,
    "markdown": markdown.read,
    "jsonl": records.read_jsonl,
    "json": records.read_json,
    "csv": records.read_csv,
    "feed": feed.read,
}

__all__ = ["READERS", "Reader", "Source"]
