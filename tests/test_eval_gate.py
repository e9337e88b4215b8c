"""Quality gate: extraction and linking scores on the gold files may not drop below pinned floors.

Floors live in tests/gold/floors.json with the sha1 of each gold file; lowering one is an
explicit, reviewed edit of that file (like trafilatura's eval gate).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from tests.conftest import REPO, shared_path

from redline.evaluate import EvalResult, evaluate

FLOORS = {
    k: v
    for k, v in json.loads(
        (REPO / "tests" / "gold" / "floors.json").read_text(encoding="utf-8")
    ).items()
    if k != "about"
}


def _gold_and_corpus(name: str) -> tuple[Path, Path]:
    spec = FLOORS[name]
    gold = (
        REPO / spec["gold"]
        if spec["gold"].startswith(("tests/", "examples/"))
        else shared_path(*spec["gold"].split("/"))
    )
    corpus = (
        REPO / spec["corpus"]
        if spec["corpus"].startswith("examples/")
        else shared_path(*spec["corpus"].split("/"))
    )
    digest = hashlib.sha1(gold.read_bytes()).hexdigest()
    assert digest == spec["gold_sha1"], (
        f"{gold} changed: re-measure and update tests/gold/floors.json"
    )
    return gold, corpus


@pytest.fixture(scope="module", params=sorted(FLOORS))
def result(request: pytest.FixtureRequest) -> tuple[str, EvalResult]:
    gold, corpus = _gold_and_corpus(request.param)
    return request.param, evaluate(gold, corpus)


def test_scores_meet_floors(result: tuple[str, EvalResult]) -> None:
    name, res = result
    floors = FLOORS[name]["floors"]
    got = {
        "threat_precision": res.threats.precision,
        "threat_recall": res.threats.recall,
        "threat_f1": res.threats.f1,
        "crossing_recall": res.crossings.recall,
        "negatives_extracted": -len(res.threats.negatives_extracted),
        "episodes_matched": res.episodes.matched,
        "episode_status_correct": res.episodes.status_correct,
    }
    low = {k: (round(got[k], 3), v) for k, v in floors.items() if got[k] + 1e-9 < v}
    assert not low, f"{name}: below floor (got, floor): {low}"


def test_seed_episodes_are_separate_and_low_credibility() -> None:
    """The seeds' acceptance test: separate episodes, and a low RUS estimate from opinion pieces."""
    res = evaluate(*_gold_and_corpus("seeds"))
    assert res.episodes.separation_errors == []
    (cred,) = res.credibility
    est = cred["estimate"]
    assert est is not None and est["mean"] < 0.35
    assert est["lower"] < est["mean"] < est["upper"]
    assert "opinion" in est["evidence"]
