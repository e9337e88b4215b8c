"""Render rows as a rich table, JSON or CSV: the one place the CLI formats its listings."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


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
            writer.writerow({k: jsonable(r.get(k)) for k in columns})
        return buf.getvalue()
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        table.add_column(col.replace("_", " "), overflow="fold")
    for r in rows:
        table.add_row(*("" if r.get(c) is None else str(jsonable(r.get(c))) for c in columns))
    (console or Console()).print(table)
    return None
