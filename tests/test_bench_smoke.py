"""A tiny benchmark run through the Python API: every stage measured, the recall check present.

Benchmarks are not tests: nothing here asserts a timing, only that the results are complete.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import REPO, shared_path
from typer.testing import CliRunner

from redline.bench import BenchConfig, GoldSet, merge, render, run_benchmark, write_results
from redline.cli import app
from redline.cli.bench_cmd import MAX_SIZE

STAGES = ("ingest", "extract", "link", "score", "end_to_end")


def test_tiny_benchmark_reports_every_stage_and_the_recall_check(tmp_path: Path) -> None:
    seeds = GoldSet("seeds", shared_path("gold", "seeds.json"), shared_path("seeds"))
    config = BenchConfig(
        sizes=(100,),
        workers=(1,),
        sources=[REPO / "examples" / "corpus"],
        baseline_sample=20,
        profile_sample=0,
        gold_sets=[seeds],
        work_dir=tmp_path,
        stage_timeout=300,
        command="pytest tests/test_bench_smoke.py",
    )
    result = run_benchmark(config)

    (run,) = result["runs"]
    assert (run["size"], run["workers"]) == (100, 1)
    for stage in STAGES:
        measured = run["stages"][stage]
        assert measured["articles_per_s"] > 0, stage
        assert measured["mb_per_s"] > 0, stage
        assert measured["peak_rss_mib"] > 0, stage
        # what the stage waited on besides the CPU: reads from disk and voluntary switches
        assert measured["read_mib"] >= 0 and measured["voluntary_switches"] >= 0, stage
    assert run["stages"]["end_to_end"]["voluntary_switches"] == sum(
        run["stages"][stage]["voluntary_switches"] for stage in STAGES if stage != "end_to_end"
    )
    corpus = result["corpora"]["100"]
    assert corpus["articles"] == 100
    assert corpus["stored"] + corpus["duplicates_dropped"] == 100
    baseline = result["baselines"]["100"]
    assert baseline["sample"] == 20
    assert baseline["seconds_per_article"] > 0

    recall = result["recall"]
    assert isinstance(recall["ok"], bool)
    assert isinstance(recall["failures"], list)
    (checked,) = recall["gold_sets"]
    for path in ("fast", "naive"):
        for kind in ("threats", "crossings"):
            assert 0 <= checked[path][kind]["recall"] <= 1

    write_results(result, tmp_path / "results")
    page = render(merge([result]))
    assert "### Targets" in page and "### Recall" in page


@pytest.mark.parametrize(
    ("sizes", "said"),
    [
        ("0", "0 is not a positive number"),
        ("100,-5", "-5 is not a positive number"),
        (str(10**12), "1,000,000,000,000 is above the limit of 1,000,000"),
        ("ten", "expected comma-separated numbers, got 'ten'"),
    ],
)
def test_bench_refuses_absurd_sizes_naming_the_option(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sizes: str, said: str
) -> None:
    """`--sizes 1000000000000` started generating a trillion articles (it would fill the disk
    before failing), and 0 or -5 was refused without naming the option: each is now a usage
    error naming --sizes, before anything runs; --help states the limit."""
    import redline.bench

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the benchmark ran")

    monkeypatch.setattr(redline.bench, "run_benchmark", never)
    result = CliRunner().invoke(app, ["bench", "--sizes", sizes, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '--sizes': {said}" in " ".join(result.stderr.split())
    shown = CliRunner().invoke(app, ["bench", "--help"])
    assert f"each from 1 to {MAX_SIZE:,}" in " ".join(shown.stdout.split())


def test_the_extraction_split_times_the_extractor_the_pipeline_runs(tmp_path: Path) -> None:
    """`--profile-sample`'s split of extraction timed the rule extractor the learned one
    replaced, so its parts said nothing about where the shipped pipeline's time goes. It now
    times the learned extractor's screen, encoder and the rest, and says which extractor."""
    from redline.bench.profiling import extraction_split
    from redline.extract.pipeline import default_extractor
    from redline.ingest import ingest_paths
    from redline.store import Ledger

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'split.db'}")
    try:
        report = ingest_paths(ledger, [REPO / "examples" / "corpus"], progress=False)
        ids = sorted(report.ingested)[:4]
        split = extraction_split(ledger, ids)
    finally:
        ledger.dispose()
    assert split["extractor"] == default_extractor().version
    assert split["articles"] == 4
    assert 0 < split["encoded_sentences"] <= split["screened_sentences"] <= split["sentences"]
    parts = ("screen_seconds", "encoder_seconds", "parse_and_arguments_seconds")
    assert all(split[p] >= 0 for p in parts)
    assert split["extract_seconds"] > 0
    from redline.bench.report import _render_profile

    (line,) = [
        ln for ln in _render_profile({"sample": 4, "size": 100, "extract_split": split}) if ln
    ][1:2]
    assert split["extractor"] in line and "encoder" in line and "parse and arguments" in line


def test_a_stage_that_outlives_stage_timeout_is_one_error_naming_the_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--stage-timeout` promised that a hung stage fails the run; it ended in a 20-line
    traceback (`subprocess.TimeoutExpired`), and `--stage-timeout 0` or `-5` was taken and
    timed out every stage at once. A stage past its time is one error naming the stage, the
    time and the option; a time of no seconds is a usage error."""
    import subprocess

    from redline.bench import child
    from redline.errors import RedlineError

    def hung(args: list[str], **kwargs: object) -> None:
        raise subprocess.TimeoutExpired(args, kwargs["timeout"])  # type: ignore[arg-type]

    monkeypatch.setattr(child.subprocess, "run", hung)
    with pytest.raises(RedlineError) as stopped:
        child.run_in_child({"stage": "extract"}, timeout=90)
    assert str(stopped.value) == (
        "benchmark stage extract did not end within 90 s (--stage-timeout): it counts as hung"
    )
    for seconds in ("0", "-5"):
        result = CliRunner().invoke(app, ["bench", "--stage-timeout", seconds])
        assert result.exit_code == 2 and "--stage-timeout" in result.output, result.output


def test_an_out_or_write_doc_it_cannot_write_is_refused_before_the_benchmark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`redline bench --out /dev/null` (or a file, or a folder under one) ran the whole
    benchmark, minutes to hours, then failed to store it ("File exists") and lost every figure;
    `--write-doc` at a folder did the same. Both are checked before anything runs."""
    import redline.bench

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the benchmark ran")

    monkeypatch.setattr(redline.bench, "run_benchmark", never)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    for args, option in (
        (["--out", str(a_file)], "--out"),
        (["--out", str(a_file / "results")], "--out"),
        (["--out", str(tmp_path / "out"), "--write-doc", str(tmp_path)], "--write-doc"),
        (["--out", str(tmp_path / "out"), "--write-doc", str(a_file / "p.md")], "--write-doc"),
    ):
        result = CliRunner().invoke(app, ["bench", "--sizes", "10", *args])
        assert result.exit_code == 2, (args, result.output)
        assert f"Invalid value for {option}" in " ".join(result.output.split()), result.output


def test_bench_names_its_results_and_doc_as_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`redline bench --out "out[v2]"` said "results: out/..." (the "[v2]" read as Rich markup),
    and so did the page --write-doc rewrote."""
    import redline.bench

    out, doc = tmp_path / "out[v2]", tmp_path / "perf[bold].md"
    doc.write_text("page\n", encoding="utf-8")
    monkeypatch.setattr(redline.bench, "run_benchmark", lambda *a, **k: None)
    monkeypatch.setattr(redline.bench, "write_results", lambda result, folder: folder / "r.json")
    monkeypatch.setattr(redline.bench, "load_results", lambda folder: [])
    monkeypatch.setattr(redline.bench, "merge", lambda results: results)
    monkeypatch.setattr(redline.bench, "render", lambda merged: "section")
    monkeypatch.setattr(redline.bench, "update_doc", lambda page, section: None)
    args = ["bench", "--sizes", "1", "--out", str(out), "--write-doc", str(doc)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    said = result.stdout
    assert f"results: {out / 'r.json'}" in said and f"generated section of {doc}" in said
