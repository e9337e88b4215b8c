"""Plain-text articles: the whole file is one document (cleaning and dating come later, for every format)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.errors import InputError
from redline.ingest.draft import Draft
from redline.ingest.readers.source import Source


def read(source: Source) -> Iterator[Draft | InputError]:
    yield Draft(source_path=source.key, source_format="text", text=source.text)
