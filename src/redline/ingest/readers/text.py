"""Plain-text articles: the whole file is one document (cleaning and dating come later, for every format).

A file may open with header lines, one field a line ("Title: ...", "Date: ...", "URL: ..."), as
scrapers and export tools write them: read with the record field names, as Markdown front matter
is. The header lines leave the text; the title opens it as its first paragraph."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.errors import InputError
from redline.ingest.draft import Draft, metadata_fields
from redline.ingest.fields import FieldMap
from redline.ingest.readers.source import Source

_HEADER_LINE = re.compile(r"^[ \t]*([A-Za-z][\w -]{0,30}?)[ \t]*:[ \t]*(.*?)[ \t\r]*$")


def read(source: Source) -> Iterator[Draft | InputError]:
    header, text = split_header(source.text, source.fields)
    if not header:
        yield Draft(source_path=source.key, source_format="text", text=source.text)
        return
    given = metadata_fields(header, source.fields)
    if given["title"]:
        # the headline opens the text, as a text file's first-line title and a Markdown
        # heading do: a threat a headline carries is read there (codebook §5)
        text = f"{given['title']}\n\n{text.lstrip()}"
    yield Draft(source_path=source.key, source_format="text", text=text, **given)


def split_header(text: str, fields: FieldMap) -> tuple[dict[str, str], str]:
    """The header lines at the top of ``text`` (a field name of title, date, author, outlet or
    url, a colon, its value) as a record, and the text after them. A block that names no title,
    date or url, or a line whose name is none of those fields, is no header ("EXCLUSIVE: ...",
    "Source: officials say ..." opening an article): ({}, text)."""
    names = {
        name.lower(): attr
        for attr in ("title", "date", "author", "outlet", "url")
        for name in getattr(fields, attr)
    }
    header: dict[str, str] = {}
    attrs: set[str] = set()
    lines = text.split("\n")
    taken = 0
    for line in lines:
        if not line.strip() and not header:  # blank lines above the header
            taken += 1
            continue
        m = _HEADER_LINE.match(line)
        if m is None or m[1].lower() not in names:
            break
        if m[2]:  # "URL:" with nothing after it is a header line that says nothing
            header.setdefault(m[1], m[2])
            attrs.add(names[m[1].lower()])
        taken += 1
    if not attrs & {"title", "date", "url"}:
        return {}, text
    return header, "\n".join(lines[taken:])
