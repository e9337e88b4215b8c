"""Record dumps: JSON lines, JSON arrays and CSV/TSV tables, one document per record, fields chosen by a FieldMap."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from redline.errors import InputError
from redline.ingest.authors import clean_author
from redline.ingest.draft import Draft, field_date
from redline.ingest.fields import first_given, pick
from redline.ingest.html_text import html_to_text
from redline.ingest.readers.source import Source

# Keys under which JSON API dumps nest their list of articles (NewsAPI: "articles").
_LIST_KEYS = ("articles", "items", "documents", "data", "results", "entries")
# No article record nests this deep; a line that does is refused before the parser recurses.
MAX_JSON_DEPTH = 64
_BRACKETS = frozenset("[{")


def _too_deep(text: str) -> bool:
    """Does ``text`` open more than MAX_JSON_DEPTH brackets at once (strings skipped)? A linear
    scan, so ``[`` x 100,000 is refused in milliseconds instead of exhausting the stack."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in _BRACKETS:
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def read_jsonl(source: Source) -> Iterator[Draft | InputError]:
    # Records end at a newline only: str.splitlines also broke a record at the U+2028, U+2029
    # and U+0085 that JSON strings may hold raw (scraped text often does), losing it and every
    # line number after it. A CR before the newline is JSON whitespace.
    for number, line in enumerate(source.text.split("\n"), start=1):
        if not line.strip():
            continue
        locator = f"line {number}"
        if _too_deep(line):
            yield InputError(
                source.key, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", locator
            )
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(source.key, f"invalid JSON: {exc.msg} (column {exc.colno})", locator)
            continue
        if not isinstance(record, dict):
            yield InputError(source.key, f"not a JSON object but {type(record).__name__}", locator)
            continue
        yield record_draft(source, record, "jsonl", locator)


def read_json(source: Source) -> Iterator[Draft | InputError]:
    if _too_deep(source.text):
        yield InputError(source.key, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return
    try:
        data = json.loads(source.text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # JSON lines saved under a .json name
            yield from read_jsonl(source)
            return
        yield InputError(
            source.key, f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        )
        return
    if isinstance(data, dict):
        nested = next((data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)), None)
        if nested is None:
            yield record_draft(source, data, "json", None)
            return
        data = nested
    if not isinstance(data, list):
        yield InputError(
            source.key, f"expected a JSON object or array, found {type(data).__name__}"
        )
        return
    if not data:  # it was read, and nothing came of it, without a word
        yield InputError(source.key, "no records: the JSON array is empty")
        return
    for number, record in enumerate(data, start=1):
        locator = f"item {number}"
        if isinstance(record, dict):
            yield record_draft(source, record, "json", locator)
        else:
            yield InputError(source.key, f"not a JSON object but {type(record).__name__}", locator)


# the cell separators a table may use, by name; on a tie in the header the first one wins
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


def csv_delimiter(suffix: str, header: str) -> str:
    """The separator of a table's cells: a tab in a ``.tsv`` file, else whichever of comma,
    semicolon and tab the header line holds most of (a comma when none: one column). A header
    ``title;text;date`` (as spreadsheets write CSV where the comma is the decimal mark) was read
    as one column named "title;text;date", and every row was "no text"."""
    if suffix.lower() == ".tsv":
        return "\t"
    return max(_DELIMITERS, key=header.count)


def read_csv(source: Source) -> Iterator[Draft | InputError]:
    text = source.text
    delimiter = csv_delimiter(source.path.suffix, text.split("\n", 1)[0])
    # A field can be as long as the file (a 134 KB communique in one cell): raise the csv
    # module's default limit (128 KiB) to the text's length, so a record is read whole.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    yield from _repeated_columns(source, reader)
    number = 0
    while True:
        number += 1
        locator = f"row {number}"
        try:
            row = next(reader)
        except StopIteration:
            if number == 1:
                # a header and no row (or one article without a header line, read as the
                # header): the file was counted as read and gave nothing, without a word
                header = text.split("\n", 1)[0].strip()
                shown = header if len(header) <= 60 else header[:57] + "..."
                yield InputError(
                    source.key,
                    f"no rows under the header line {shown!r}: a table needs a header line "
                    "naming its columns (text, title, ...) and then a row per article",
                )
            return
        except csv.Error as exc:
            # After a malformed record (an unterminated quote, say) the reader's position is
            # no longer a record boundary: refuse the rest rather than store fragments.
            yield InputError(
                source.key,
                f"malformed CSV: {exc}; this row and the rest of the file not read",
                locator,
            )
            return
        if None in row:  # more cells than header columns
            extra = [cell for cell in row[None] if cell.strip()]
            if extra:
                # an unquoted comma in the text split it: storing the cells up to the header's
                # end kept a cut text (and a date read from the text), with no word of it
                yield InputError(
                    source.key,
                    f"malformed CSV: {len(reader.fieldnames or []) + len(row[None])} cells "
                    f"for {len(reader.fieldnames or [])} columns (a {_DELIMITERS[delimiter]} in "
                    "an unquoted value?); row not read",
                    locator,
                )
                continue
            row = {k: v for k, v in row.items() if k is not None}
        yield record_draft(source, row, "csv", locator)


def _repeated_columns(source: Source, reader: csv.DictReader[str]) -> Iterator[InputError]:
    """A problem for each column name the header line repeats: a row keeps only the last
    column of a name, so the text of a first ``text`` column was dropped without a word."""
    try:
        names = [name for name in reader.fieldnames or [] if name.strip()]
    except csv.Error:
        return  # a malformed header line: the first row's read says so
    for name in sorted({n for n in names if names.count(n) > 1}, key=names.index):
        yield InputError(
            source.key,
            f"the header line names the column {name!r} {names.count(name)} times; only the "
            "last of them is read",
        )


# what a JSON value that is no text is, in words
_KINDS = {
    bool: "true or false",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
}


def record_draft(
    source: Source, record: Mapping[str, Any], fmt: str, locator: str | None
) -> Draft | InputError:
    """A draft from one record, or a problem when no configured text field has a value."""
    fields = source.fields
    # the first text field that holds anything must hold text (a later field is not read)
    found = first_given(record, fields.text)
    if found is not None and not isinstance(found[1], str):
        # a number, list or object is no article (``{"text": 5}`` was stored as "5")
        name, value = found
        return InputError(
            source.key,
            f"no text: the field {name!r} holds {_KINDS.get(type(value), 'a value')}, not text",
            locator,
        )
    raw_text = pick(record, fields.text)
    if raw_text is None:
        tried = ", ".join(fields.text)
        return InputError(
            source.key,
            f"no text: none of the fields {tried} has a value (see --text-field)",
            locator,
        )
    try:
        text = html_to_text(raw_text)
        title = pick(record, fields.title)
        title = html_to_text(title) if title else None
    except ValueError as exc:
        return InputError(source.key, str(exc), locator)
    published, unusable = field_date(record, fields.date)
    return Draft(
        source_path=source.key,
        source_format=fmt,
        text=text,
        locator=locator,
        title=title,
        author=clean_author(pick(record, fields.author)),
        outlet=pick(record, fields.outlet),
        url=pick(record, fields.url),
        published=published,
        unusable_date=unusable,
    )
