"""``redline ingest``: read files and folders into the ledger (a thin shell over ``redline.ingest.ingest_paths``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from redline.cli.common import ERROR, DbOption, FormatOption, app, console, emit, err_console
from redline.cli.extract_cmd import DEFAULT_WORKERS, WorkersOption, run_extraction
from redline.errors import InputError
from redline.ingest import DEFAULT_MAX_BYTES, FieldMap, IngestReport, ingest_paths
from redline.ingest.discover import absent
from redline.output import Format, render, terminal_text, to_json
from redline.schemas import envelope
from redline.store import Ledger

# Rows of duplicates and problems shown in the table summary; JSON lists them all.
SHOWN_ROWS = 20


def _field_option(what: str, defaults: tuple[str, ...]) -> Any:
    return typer.Option(
        help=f"JSONL/CSV field(s) holding the {what}, comma-separated (default: {','.join(defaults)}).",
        show_default=False,
    )


_DEFAULTS = FieldMap()


@app.command("ingest")
def ingest_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders to ingest (folders recursively; hidden files and folders are "
            "skipped). A path that does not exist is one problem; the others are read.",
            metavar="PATH",
            # click refused the whole command for one unreadable path ("path 'x' is not
            # readable"), reading none of the others: ingest names it as one problem instead
            readable=False,
        ),
    ],
    db: DbOption = None,
    text_field: Annotated[str | None, _field_option("article text", _DEFAULTS.text)] = None,
    title_field: Annotated[str | None, _field_option("title", _DEFAULTS.title)] = None,
    date_field: Annotated[str | None, _field_option("publication date", _DEFAULTS.date)] = None,
    author_field: Annotated[str | None, _field_option("author", _DEFAULTS.author)] = None,
    outlet_field: Annotated[str | None, _field_option("outlet", _DEFAULTS.outlet)] = None,
    url_field: Annotated[str | None, _field_option("URL", _DEFAULTS.url)] = None,
    max_bytes: Annotated[
        int,
        typer.Option(
            min=0, help="Refuse, unread, any file larger than this many bytes (0 = no limit)."
        ),
    ] = DEFAULT_MAX_BYTES,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    fmt: FormatOption = Format.table,
    no_extract: Annotated[
        bool, typer.Option("--no-extract", help="Only ingest; run `redline extract` later.")
    ] = False,
    workers: WorkersOption = DEFAULT_WORKERS,
) -> None:
    """Ingest articles (text, HTML, Markdown, JSONL/CSV, RSS/Atom, GDELT exports) into the ledger.

    Each problem is printed as one line on standard error as it happens; the run goes on. A
    summary follows at the end. Running it again over the same paths adds nothing.
    """
    if all(absent(p) for p in paths):
        # nothing to read: no ledger is started for it (an empty one was, and later commands
        # then said "0 documents" instead of "no ledger")
        for p in paths:
            # one line, as every problem, with the reason ingest gives the same path when
            # another one is read (a dangling link was called a missing path here)
            print_problem(InputError(str(p), absent(p) or "no such file or folder"))
        _read_nothing(paths)
    ledger = Ledger.open(db)
    fields = FieldMap().with_names(
        text=text_field,
        title=title_field,
        date=date_field,
        author=author_field,
        outlet=outlet_field,
        url=url_field,
    )
    report = ingest_paths(
        ledger,
        paths,
        fields=fields,
        max_bytes=max_bytes,
        progress=not no_progress,
        on_problem=print_problem,
        console=err_console,
    )
    if fmt is Format.table:
        _print_summary(report, ledger.url)
    if not no_extract:
        run_extraction(
            ledger, workers=workers, show_progress=not no_progress, quiet=fmt is not Format.table
        )
    if fmt is Format.json:
        # the versioned envelope every JSON output has (`ingest-v1.json`): it named a schema
        # of its own, "redline.ingest-report/1", which shipped nowhere
        emit(to_json({**envelope("ingest"), **report.to_dict()}))
    elif fmt is Format.csv:
        stats = report.stats()
        emit(render([{"run_id": report.run_id, **stats}], fmt, ["run_id", *stats]))
    if report.files == 0:
        _read_nothing(paths)


def _read_nothing(paths: list[Path]) -> NoReturn:
    err_console.print(
        terminal_text(f"redline: error: read no files from {', '.join(map(str, paths))}"),
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(ERROR)


def print_problem(problem: InputError) -> None:
    """One bad file or record on standard error, as ``redline ingest`` and ``redline run`` say it."""
    # a file name or a reason quoting the file can hold escape sequences: never print them raw
    err_console.print(terminal_text(f"redline: ingest: {problem}"), highlight=False, soft_wrap=True)


def _print_summary(report: IngestReport, url: str) -> None:
    stats = report.stats()
    documents_read = len(report.ingested) + len(report.duplicates) + len(report.skipped)
    per_second = documents_read / report.seconds if report.seconds else 0.0
    summary = Table(title=f"ingest run {report.run_id} into {url}", show_header=False)
    summary.add_column("what")
    summary.add_column("count", justify="right")
    for label, key in (
        ("files read", "files"),
        ("documents added", "ingested"),
        ("exact duplicates", "exact_duplicates"),
        ("near duplicates", "near_duplicates"),
        ("already in the ledger", "skipped"),
        ("problems", "problems"),
    ):
        summary.add_row(label, str(stats[key]))
    if report.gdelt_events_added or report.gdelt_events_already_stored:
        summary.add_row("GDELT events added", str(report.gdelt_events_added))
        summary.add_row("GDELT events already stored", str(report.gdelt_events_already_stored))
    summary.add_row("seconds", f"{report.seconds:.2f} ({per_second:.0f} documents read/s)")
    console.print(summary)
    if report.duplicates:
        rows = [
            {
                "source": _where(d.source_path, d.source_locator),
                "kind": d.kind,
                "similarity": f"{d.similarity:.2f}",
                "duplicate of": f"{d.duplicate_of} ({os.path.basename(d.duplicate_of_path)})",
            }
            for d in report.duplicates[:SHOWN_ROWS]
        ]
        render(rows, Format.table, list(rows[0]), title="duplicates (not stored)", console=console)
        _more(len(report.duplicates))
    if report.problems:
        console.print("[bold]problems[/bold] (also in the ingest_problems table):")
        for problem in report.problems[:SHOWN_ROWS]:
            console.print(terminal_text(f"  {problem}"), highlight=False, soft_wrap=True)
        _more(len(report.problems))


def _where(path: str, locator: str | None) -> str:
    name = os.path.basename(path)
    return f"{name}:{locator}" if locator else name


def _more(total: int) -> None:
    if total > SHOWN_ROWS:
        console.print(f"  ... and {total - SHOWN_ROWS} more (--format json lists them all)")
