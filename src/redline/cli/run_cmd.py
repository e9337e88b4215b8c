"""``redline run``: ingest, extract, link, score, report and export in one go (the demo's command)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from redline.cli.common import (
    AsOfOption,
    DbOption,
    app,
    console,
    err_console,
    measured_verdicts,
)
from redline.cli.extract_cmd import DEFAULT_WORKERS, WorkersOption, warn_unextracted
from redline.cli.ingest_cmd import print_problem
from redline.cli.ledger_cmd import (
    EPISODE_COLUMNS_NARROW,
    ExportFormat,
    LevelOption,
    PriorOption,
    export_notice,
    follow_through_columns,
    follow_through_narrow,
    follow_through_row,
)
from redline.link import list_episodes
from redline.link.when import MAX_WINDOW_DAYS
from redline.output import Format, counted, render, terminal_text
from redline.run import run, stage_bars
from redline.score import LEVEL, level_text
from redline.store import Ledger


@app.command("run")
def run_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders of articles to process.", exists=True, metavar="PATH"
        ),
    ],
    db: DbOption = None,
    report: Annotated[
        Path | None, typer.Option("--report", "-o", help="Write the HTML report here.")
    ] = None,
    export: Annotated[
        Path | None, typer.Option("--export", help="Export every table into this folder.")
    ] = None,
    export_format: Annotated[
        ExportFormat, typer.Option("--export-format", help="File format of --export.")
    ] = ExportFormat.parquet,
    as_of: AsOfOption = None,
    window_days: Annotated[
        int,
        typer.Option(
            "--window-days",
            min=1,
            max=MAX_WINDOW_DAYS,
            help="Days after a crossing in which a response counts.",
        ),
    ] = 90,
    prior: PriorOption = "uniform",
    level: LevelOption = LEVEL,
    workers: WorkersOption = DEFAULT_WORKERS,
    no_progress: Annotated[
        bool, typer.Option("--no-progress", help="No progress bar for any stage.")
    ] = False,
) -> None:
    """Run the whole pipeline over PATHS and print the episodes and each actor's follow-through."""
    ledger = Ledger.open(db)
    when = as_of.date() if as_of else None
    result = run(
        ledger,
        paths,
        workers=workers,
        as_of=when,
        window_days=window_days,
        prior=prior,
        level=level,
        report=report,
        export=export,
        export_format=export_format,
        stages=None if no_progress else stage_bars(err_console),
        notice=export_notice,
        # each bad file named as `redline ingest` names it: the summary only counted them
        on_problem=print_problem,
    )
    stats = result.ingest.stats()
    # a second run over the same folder read "ingested 0 documents" and "extracted 0 threats"
    # beside the episodes: what it found stored already is said too
    stored = f", {stats['skipped']} already in the ledger" if stats["skipped"] else ""
    console.print(
        f"ingested {counted(stats.get('ingested', 0), 'document')} "
        f"({stats['exact_duplicates'] + stats['near_duplicates']} duplicates, {stats['problems']} problems"
        f"{stored}); "
        f"extracted {counted(result.extract.threats, 'threat')}, "
        f"{counted(result.extract.crossings, 'crossing')}, "
        f"{counted(result.extract.responses, 'response')}, "
        f"{counted(result.extract.claims, 'outcome claim')}; "
        f"linked {counted(result.link.episodes, 'episode')}"
    )
    # another `redline run` or `redline extract` at work on the same ledger: the episodes,
    # report and export below leave out what it had not extracted yet
    warn_unextracted(result.extract, err_console, again="redline run")
    episodes = list_episodes(ledger, view=result.link.view)
    render(
        [
            {
                "key": ep.key,
                "status": ep.status,
                "confidence": f"{ep.confidence:.2f}" + ("" if ep.verdict else " (no verdict)"),
                "sources": ep.n_sources,
                "opinion only": "yes" if ep.opinion_only else "",
            }
            for ep in episodes
        ],
        Format.table,
        ["key", "status", "confidence", "sources", "opinion only"],
        # at 80 columns beside a long key and status the headers folded to "sou/rce/s" and
        # "opi/nio/n/onl/y": keep what `redline episodes` keeps there
        narrow=EPISODE_COLUMNS_NARROW,
        title=f"Episodes as of {when or date.today()}",
        console=console,
    )
    render(
        [follow_through_row(e) for e in result.credibility],
        Format.table,
        [c for c in follow_through_columns(level) if c != "group"],
        narrow=follow_through_narrow(level),
        title=f"Follow-through (Beta-Binomial, prior {prior}, {level_text(level)} interval)",
        console=console,
    )
    if result.credibility and (measured := measured_verdicts()):
        console.print(measured.strip(), markup=False, style="dim", highlight=False)
    # the paths as given, never as Rich markup: "report[v2].html" was said as "report.html"
    if result.report_path:
        console.print(terminal_text(f"report: {result.report_path}"), highlight=False)
    if result.export_dir:
        console.print(terminal_text(f"export: {result.export_dir}"), highlight=False)
