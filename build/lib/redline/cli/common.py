"""The typer application and the options every command shares."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console

from redline.output import Format

app = typer.Typer(
    name="redline",
    help=(
        "Redline turns news into an evidence ledger of political threats and red lines: "
        "ingest articles, extract threats and crossings, link them into episodes, score each "
        "actor's follow-through and publish a report. Every command works on one ledger "
        "database (--db or REDLINE_DB; default ./redline.db)."
    ),
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="REDLINE_DB",
        help="Ledger database: a SQLAlchemy URL (sqlite:///x.db, postgresql://...) or a file path. Default ./redline.db.",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Status as of this date (YYYY-MM-DD). Default: today.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


def emit(text: str | None) -> None:
    """Print JSON/CSV text exactly (no rich markup or wrapping)."""
    if text is not None:
        typer.echo(text.rstrip("\n"))


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"redline {version('redline')}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Redline: an evidence ledger of political threats and red lines."""
