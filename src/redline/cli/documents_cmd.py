"""``redline documents`` and ``redline show``: list the ledger's documents and read one."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.panel import Panel
from rich.text import Text

from redline import documents as docs_api
from redline.cli.common import DbOption, FormatOption, app, console, emit
from redline.output import Format, counted, every_field, render, terminal_text, to_json
from redline.schemas import envelope
from redline.store import Ledger

LIST_COLUMNS = [
    "id",
    "published",
    "published_precision",
    "outlet",
    "author",
    "title",
    "n_chars",
    "source_path",
]
LIST_COLUMNS_NARROW = ["id", "published", "outlet", "title"]


@app.command("documents")
def documents_command(
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    limit: Annotated[
        int, typer.Option(min=0, help="Show at most this many documents (0 = all).")
    ] = 0,
) -> None:
    """List stored documents with their metadata (newest first)."""
    ledger = Ledger.open(db, create=False)
    rows = [d.as_dict() for d in docs_api.list_documents(ledger, limit=limit or None)]
    # CSV carries every field JSON has (it had the table's eight)
    csv = fmt is Format.csv
    emit(
        render(
            rows,
            fmt,
            every_field(LIST_COLUMNS, docs_api.LISTED_FIELDS) if csv else LIST_COLUMNS,
            narrow=LIST_COLUMNS_NARROW,
            title=f"{counted(len(rows), 'document')} in {ledger.url}",
            console=console,
            envelope=envelope("documents"),
        )
    )


@app.command("show")
def show_command(
    doc: Annotated[
        str, typer.Argument(help="Document id, or a unique part of its source path or title.")
    ],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Show one document: its metadata and cleaned text."""
    ledger = Ledger.open(db, create=False)
    row = docs_api.get_document(ledger, doc).as_dict()
    if fmt is not Format.table:
        columns = every_field([*LIST_COLUMNS, "text"], docs_api.SHOWN_FIELDS)
        if fmt is Format.json:
            emit(to_json({**envelope("document"), "document": row}))
        else:
            emit(render([row], fmt, columns))
        return
    meta = Text("\n").join(
        Text.assemble((f"{k}: ", "bold"), terminal_text(row.get(k)))
        for k in (
            "id",
            "title",
            "outlet",
            "author",
            "published",
            "published_precision",
            "published_source",
            "genre",
            "language",
            "url",
            "source_path",
            "source_locator",
            "content_hash",
        )
    )
    console.print(Panel(meta, title=f"document {row['id']}", expand=False))
    console.print(terminal_text(row["text"]), highlight=False)
