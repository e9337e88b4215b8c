"""Acceptance on the two seed articles: every required threat and crossing, no negative."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from tests.conftest import shared_path
from tests.extract_helpers import as_predictions, read, run

from redline import evaluate, knowledge

# Publication facts as the gold file states them (the ingest tests check that ingest finds them).
SEEDS = {
    "000_011600ba6834ec35.txt": (date(2023, 6, 27), "day"),
    "003_f7462113cfc78c1f.txt": (date(2024, 1, 1), "year"),
}


@pytest.fixture(scope="module")
def scored() -> tuple[evaluate.ItemScore, evaluate.ItemScore]:
    seeds = shared_path("seeds")
    gold = evaluate.load_gold(shared_path("gold", "seeds.json"), seeds)
    threats, crossings = [], []
    for name, (published, precision) in SEEDS.items():
        t, c = as_predictions(run(read(seeds / name), published, precision), name)
        threats += t
        crossings += c
    tree = knowledge.triggers()
    files = evaluate.annotated_files(gold)
    return (
        evaluate._score_items(
            "threats", gold["threats"], threats, files, evaluate._threat_fields(tree)
        ),
        evaluate._score_items(
            "crossings", gold["crossings"], crossings, files, evaluate._crossing_fields(tree)
        ),
    )


def test_all_required_threats_found_with_their_fields(scored) -> None:
    threats, _ = scored
    assert threats.misses == []
    assert threats.found == 6
    assert threats.disagreements == []
    assert threats.found_exact == 6


def test_no_negative_becomes_a_threat(scored) -> None:
    threats, _ = scored
    assert threats.negatives_extracted == []


def test_all_required_crossings_found(scored) -> None:
    _, crossings = scored
    assert crossings.misses == []
    assert crossings.found == 4
    assert crossings.disagreements == []


def test_the_eval_command_reads_as_a_report() -> None:
    """`redline eval GOLD CORPUS` as a table: each gold episode one line (ok or NO, what it
    matched, the status against the allowed ones) and each actor's follow-through as a figure
    with its interval, not raw JSON."""
    from typer.testing import CliRunner

    from redline.cli import app

    gold = shared_path("gold", "seeds.json")
    result = CliRunner().invoke(
        app, ["eval", str(gold), str(shared_path("seeds"))], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert (
        "ok  atacms_delivery -> RUS:atacms_delivery: crossed_unenforced (allowed:" in result.output
    )
    assert "credibility RUS: 0." in result.output and "decided episodes" in result.output
    assert "90% interval" in result.output  # beside tables of 95% intervals, its level named
    assert '{"gold"' not in result.output and '"mean"' not in result.output


def test_the_eval_command_says_no_evidence_for_an_actor_without_a_decided_episode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An actor whose estimate rests on no decided episode has no mean (``Estimate.mean`` is
    None): the eval report says so instead of failing to format it."""
    import dataclasses

    from typer.testing import CliRunner

    import redline.score
    from redline.cli import app

    real = redline.score.credibility

    def undecided(*args: Any, **kwargs: Any) -> list[Any]:
        return [
            dataclasses.replace(e, decided=0, mean=None, lower=None, upper=None)
            for e in real(*args, **kwargs)
        ]

    monkeypatch.setattr(redline.score, "credibility", undecided)
    gold = shared_path("gold", "seeds.json")
    result = CliRunner().invoke(
        app, ["eval", str(gold), str(shared_path("seeds"))], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "credibility RUS: no evidence (no decided episode with a verdict)" in result.output
