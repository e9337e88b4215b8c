"""The whole pipeline in one call: ingest, extract, link, score, report and export.

The stages run in this order (each reads what the previous one stored):
``ingest -> extract -> link -> score -> report -> export``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from redline.extract import ExtractReport, extract_documents
from redline.ingest import IngestReport, ingest_paths
from redline.link import DEFAULT_WINDOW_DAYS, LinkReport, link
from redline.score import credibility
from redline.store import Ledger

STAGES = ("ingest", "extract", "link", "score", "report", "export")


@dataclass
class RunResult:
    ingest: IngestReport
    extract: ExtractReport
    link: LinkReport
    credibility: list[Any]
    report_path: Path | None = None
    export_dir: Path | None = None
    stages: list[str] = field(default_factory=list)


def run(
    ledger: Ledger,
    paths: Sequence[Path],
    *,
    workers: int = 1,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    prior: str = "uniform",
    report: Path | None = None,
    export: Path | None = None,
    export_format: str = "parquet",
    progress: bool = False,
    on_stage: Callable[[str], None] | None = None,
) -> RunResult:
    """Run every stage over ``paths``; idempotent, so a second run adds nothing new."""
    stage = on_stage or (lambda _name: None)
    stage("ingest")
    ingested = ingest_paths(ledger, list(paths), progress=progress)
    stage("extract")
    extracted = extract_documents(ledger, workers=workers)
    stage("link")
    linked = link(ledger, as_of=as_of, window_days=window_days)
    stage("score")
    view = linked.view  # assessed once, by link; every later stage reads it
    estimates = credibility(ledger, prior=prior, view=view)
    result = RunResult(ingested, extracted, linked, estimates, stages=list(STAGES[:4]))
    if report is not None:
        from redline.report import write_report

        stage("report")
        write_report(ledger, report, prior=prior, view=view)
        result.report_path = report
        result.stages.append("report")
    if export is not None:
        from redline.export import export as export_tables

        stage("export")
        export_tables(ledger, export, fmt=export_format, prior=prior, view=view)
        result.export_dir = export
        result.stages.append("export")
    return result
