"""The whole pipeline in one call: ingest, extract, link, score, report and export.

The stages run in this order (each reads what the previous one stored):
``ingest -> extract -> link -> score -> report -> export``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from redline.errors import ConfigError, InputError, RedlineError
from redline.extract import ExtractReport, extract_documents
from redline.extract.pipeline import check_workers
from redline.ingest import IngestReport, ingest_paths
from redline.ingest.discover import absent, shown_path
from redline.link import DEFAULT_WINDOW_DAYS, LinkReport, link
from redline.link.when import as_of_date, window_days_of
from redline.score import LEVEL, Estimate, check_level, credibility, get_prior
from redline.store import Ledger

STAGES = ("ingest", "extract", "link", "score", "report", "export")
# what each stage's bar counts
UNITS = {
    "ingest": "files",
    "extract": "documents",
    "link": "episodes",
    "score": "actors",
    "report": "episodes",
    "export": "tables",
}

Tick = Callable[[float, int | None], None]
"""``tick(done, total)``: how far the running stage has got; ``total`` None while unknown."""
StageProgress = Callable[[str], AbstractContextManager[Tick]]
"""``with stages(name) as tick:`` wraps each stage of a run (see ``stage_bars``)."""


@dataclass
class RunResult:
    """What each stage of ``run`` did: its reports, the follow-through estimates, and where the
    report and the export were written (None when not asked for)."""

    ingest: IngestReport
    extract: ExtractReport
    link: LinkReport
    credibility: list[Estimate]
    report_path: Path | None = None
    export_dir: Path | None = None
    stages: list[str] = field(default_factory=list)


def stage_bars(console: Console | None = None) -> StageProgress:
    """One rich progress bar per stage on ``console`` (default: standard error): a count where
    the stage knows its total (files, documents, tables), a moving bar where it does not (link,
    score, report). A finished bar stays, so a log keeps one line per stage with its time."""

    @contextmanager
    def stage(name: str) -> Iterator[Tick]:
        unit = UNITS.get(name, "")
        columns = (
            TextColumn(f"{name:<8}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console or Console(stderr=True)) as bar:
            task = bar.add_task(name, total=None, count="")

            def tick(done: float, total: int | None) -> None:
                shown = int(done)  # extraction moves in fractions of a document
                count = f"{shown}/{total} {unit}" if total is not None else f"{shown} {unit}"
                bar.update(task, completed=done, total=total, count=count)

            yield tick
            if bar.tasks[0].total is None:  # a stage without a count: show it done
                bar.update(task, total=1, completed=1)

    return stage


@contextmanager
def _unseen(_name: str) -> Iterator[Tick]:
    yield lambda _done, _total: None


def run(
    ledger: Ledger,
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    workers: int = 1,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    prior: str = "uniform",
    level: float = LEVEL,
    report: str | os.PathLike[str] | None = None,
    export: str | os.PathLike[str] | None = None,
    export_format: str = "parquet",
    progress: bool = False,
    stages: StageProgress | None = None,
    notice: Callable[[str], None] | None = None,
    on_problem: Callable[[InputError], None] | None = None,
) -> RunResult:
    """Run every stage over ``paths``; idempotent, so a second run adds nothing new.

    ``progress`` draws a bar per stage on standard error (``stage_bars``); ``stages`` replaces
    it with a caller's own (``redline run`` draws them on its error console). ``notice(line)``
    is told what the export did with partial folders earlier exports left (``export``'s).
    ``on_problem(error)`` is told each bad file or record as ingest meets it (``ingest_paths``'s).
    ``level``: that of the follow-through intervals the scores, report and export give
    (``check_level``).
    """
    # options are checked before any work: a bad export format or prior, or a report or export
    # path that cannot be written, was found only after ingest, extraction and linking had run
    from redline.export import check_export_folder, check_format
    from redline.report import check_report_path

    # a mistyped path: `redline run` refuses it before any work (its PATH must exist), while
    # this went on, linked the ledger and wrote the report and export, and the path was one
    # problem in ``result.ingest.problems``
    named = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not named:
        raise ConfigError("run needs a file or folder to read (paths is empty)")
    for path in named:
        why = absent(Path(path))
        if why is not None:
            raise InputError(shown_path(path), why)
    get_prior(prior)
    check_level(level)
    # the date and the window are read by link, and the workers by extract, after ingest
    # (hours on a large corpus) had run: a date that names no day failed only then
    as_of = as_of_date(as_of)
    window_days_of(window_days)
    check_workers(workers)
    if export is not None:
        check_format(export_format)
        check_export_folder(Path(export))
    if report is not None:
        check_report_path(Path(report))
    stage = stages or (stage_bars() if progress else _unseen)
    with stage("ingest") as tick:
        ingested = ingest_paths(ledger, named, on_progress=tick, on_problem=on_problem)
    if ingested.files == 0:
        # nothing read: stopped before the ledger is linked and a report or export written
        # (`redline run` wrote them, then said so)
        raise RedlineError(
            f"read no files from {', '.join(map(str, named))} (no supported documents there)"
        )
    with stage("extract") as tick:
        extracted = extract_documents(ledger, workers=workers, progress=tick)
    with stage("link") as tick:
        linked = link(ledger, as_of=as_of, window_days=window_days)
        tick(linked.episodes, None)
    view = linked.view  # assessed once, by link; every later stage reads it
    with stage("score") as tick:
        estimates = credibility(ledger, prior=prior, view=view, level=level)
        tick(len(estimates), None)
    result = RunResult(ingested, extracted, linked, estimates, stages=list(STAGES[:4]))
    if report is not None:
        from redline.report import write_report

        with stage("report") as tick:
            write_report(ledger, Path(report), prior=prior, view=view, level=level)
            tick(linked.episodes, None)
        result.report_path = Path(report)
        result.stages.append("report")
    if export is not None:
        from redline.export import export as export_tables

        with stage("export") as tick:
            export_tables(
                ledger,
                Path(export),
                fmt=export_format,
                prior=prior,
                view=view,
                progress=tick,
                notice=notice,
                level=level,
            )
        result.export_dir = Path(export)
        result.stages.append("export")
    return result
