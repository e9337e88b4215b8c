"""A tiny benchmark run through the Python API: every stage measured, the recall check present.

Benchmarks are not tests: nothing here asserts a timing, only that the results are complete.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, shared_path

from redline.bench import BenchConfig, GoldSet, merge, render, run_benchmark, write_results

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
