"""``redline bench``: measure throughput, memory and scaling against a naive baseline."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from redline.cli.common import app, console
from redline.output import file_in_the_way

MAX_SIZE = 1_000_000
"""The largest corpus ``--sizes`` builds: ten times the largest measured, whose 100,000 articles
took 38 minutes end to end on the development machine (``docs/performance.md``); a million takes
hours and gigabytes of disk, and a mistyped 10**12 would fill the disk before failing."""


def _writable(path: Path, option: str, *, folder: bool) -> None:
    """A usage error when ``path`` cannot become the folder (or file) ``option`` writes."""
    blocking = file_in_the_way(path)
    if blocking is not None:
        raise typer.BadParameter(f"{blocking} is a file, not a folder", param_hint=option)
    if path.exists() and path.is_dir() != folder:
        kind = "a folder" if folder else "a file"
        raise typer.BadParameter(f"{path} is not {kind}", param_hint=option)


def _seconds(value: float | None) -> float | None:
    """``--stage-timeout``: 0 or less timed every stage out at once."""
    if value is not None and not value > 0:
        raise typer.BadParameter(f"{value:g} is not a positive number of seconds")
    return value


def _ints(value: str, option: str, *, most: int | None = None) -> list[int]:
    """Comma-separated whole numbers from 1 to ``most``; otherwise a usage error naming ``option``."""
    hint = f"'{option}'"
    try:
        numbers = [int(v) for v in value.split(",") if v.strip()]
    except ValueError as exc:
        raise typer.BadParameter(
            f"expected comma-separated numbers, got {value!r}", param_hint=hint
        ) from exc
    if not numbers:
        raise typer.BadParameter(
            f"expected comma-separated numbers, got {value!r}", param_hint=hint
        )
    if min(numbers) < 1:
        raise typer.BadParameter(f"{min(numbers)} is not a positive number", param_hint=hint)
    if most is not None and max(numbers) > most:
        raise typer.BadParameter(
            f"{max(numbers):,} is above the limit of {most:,}", param_hint=hint
        )
    return numbers


def _megabytes(value: str) -> list[float]:
    try:
        numbers = [float(v) for v in value.split(",") if v.strip()]
    except ValueError as exc:
        raise typer.BadParameter(
            f"expected comma-separated sizes in MB, got {value!r}", param_hint="'--big-documents'"
        ) from exc
    if any(n <= 0 for n in numbers):
        raise typer.BadParameter("expected positive sizes in MB", param_hint="'--big-documents'")
    return numbers


@app.command("bench")
def bench_command(
    sizes: Annotated[
        str,
        typer.Option(
            help=f"Corpus sizes (articles), comma-separated, each from 1 to {MAX_SIZE:,}.",
        ),
    ] = "1000,10000,100000",
    workers: Annotated[
        str, typer.Option(help="Extraction worker counts to measure, comma-separated.")
    ] = "1,2",
    source: Annotated[
        list[Path] | None,
        typer.Option(
            help="Folder or file of real articles to resample (repeatable). "
            "Default: ../shared/corpus/ukraine-news-dev beside the repo, and examples/corpus.",
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for the JSON results.")] = Path(
        "benchmarks/results"
    ),
    doc: Annotated[
        Path | None,
        typer.Option(
            "--write-doc",
            help="Rewrite the generated section of this page (e.g. docs/performance.md) from "
            "every result in --out. Default: write nothing outside --out.",
        ),
    ] = None,
    baseline_sample: Annotated[
        int, typer.Option(help="Articles the naive baseline runs on (then extrapolated).", min=1)
    ] = 500,
    profile_sample: Annotated[
        int,
        typer.Option(
            help="Articles of the largest corpus profiled with pyinstrument (0: no profile).",
            min=0,
        ),
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the corpus generator and samples.")] = 13,
    stage_timeout: Annotated[
        float | None,
        typer.Option(
            callback=_seconds,
            help="Seconds after which a stage counts as hung and the run fails (default: never).",
        ),
    ] = None,
    work_dir: Annotated[
        Path | None,
        typer.Option(help="Where to generate corpora and ledgers (default: a temporary folder)."),
    ] = None,
    big_documents: Annotated[
        str,
        typer.Option(
            "--big-documents",
            help="Also time the extraction of one document of each of these sizes in MB "
            "(e.g. 1,4,16; `make bench` does) against the per-MB target. Default: none.",
        ),
    ] = "",
) -> None:
    """Benchmark ingest, extract, link and score (and end to end) on resampled corpora."""
    from redline.bench import (
        BenchConfig,
        load_results,
        merge,
        render,
        run_benchmark,
        update_doc,
        write_results,
    )
    from redline.bench.runner import default_sources

    # checked before the run, which takes minutes to hours: a place it cannot write lost it all
    _writable(out, "--out", folder=True)
    if doc is not None:
        _writable(doc, "--write-doc", folder=False)
    config = BenchConfig(
        sizes=_ints(sizes, "--sizes", most=MAX_SIZE),
        workers=_ints(workers, "--workers"),
        sources=source or default_sources(),
        baseline_sample=baseline_sample,
        profile_sample=profile_sample,
        seed=seed,
        work_dir=work_dir,
        stage_timeout=stage_timeout,
        command="redline " + shlex.join(sys.argv[1:]),
        big_documents=_megabytes(big_documents),
    )
    result = run_benchmark(config, log=lambda m: console.print(m, markup=False, highlight=False))
    path = write_results(result, out)
    # paths as given, never as Rich markup ("out[v2]" was said as "out")
    console.print(f"results: {path}", markup=False, highlight=False)
    section = render(merge(load_results(out)))
    if doc is not None:
        update_doc(doc, section)
        console.print(f"rewrote the generated section of {doc}", markup=False, highlight=False)
    typer.echo(section)
