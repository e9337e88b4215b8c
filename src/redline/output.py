"""Render rows as a rich table, JSON or CSV: the one place the CLI formats its listings."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

# Free-text columns that take the width left over in a table.
_LONG_COLUMNS = frozenset({"sentence", "title", "text", "label", "note", "source", "action", "key"})


# Spreadsheets run a cell that starts with one of these as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Terminal control: ESC sequences (CSI, OSC, ...) and the other C0/C1 control characters.
_CONTROL = re.compile(
    r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|.)|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def csv_cell(value: Any) -> Any:
    """A value safe for a spreadsheet: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def terminal_text(value: Any) -> Text:
    """Untrusted text for the terminal: control sequences removed, and as a ``Text`` object so
    that Rich never reads ``[link=...]`` or ``[/]`` in it as markup."""
    return Text(_CONTROL.sub("", "" if value is None else str(value)))


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def to_json(payload: Any) -> str:
    return json.dumps(payload, default=jsonable, ensure_ascii=False, indent=2)


def render(
    rows: Iterable[Mapping[str, Any]],
    fmt: Format | str,
    columns: Sequence[str],
    *,
    title: str | None = None,
    console: Console | None = None,
    envelope: Mapping[str, Any] | None = None,
) -> str | None:
    """Table goes to ``console``; JSON and CSV are returned as text for the caller to print.

    ``envelope`` wraps JSON output (``{"schema": ..., "items": [...]}``) so that JSON has a
    documented, versioned shape; table and CSV show ``columns`` only.
    """
    rows = list(rows)
    fmt = Format(fmt)
    if fmt is Format.json:
        items = [{k: jsonable(v) for k, v in r.items()} for r in rows]
        return to_json({**envelope, "items": items} if envelope is not None else items)
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: csv_cell(jsonable(r.get(k))) for k in columns})
        return buf.getvalue()
    table = Table(title=title and terminal_text(title), show_lines=False, header_style="bold")
    for col in columns:
        # One line per row: long text ends in an ellipsis (JSON and CSV carry it whole).
        wide = col in _LONG_COLUMNS
        table.add_column(
            col.replace("_", " "),
            overflow="ellipsis",
            no_wrap=True,
            ratio=3 if wide else None,
            min_width=8 if wide else None,
        )
    for r in rows:
        table.add_row(*(terminal_text(jsonable(r.get(c))) for c in columns))
    (console or Console()).print(table)
    return None
