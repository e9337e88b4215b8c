"""Quality gate on the exhaustive real-document gold (dev and test splits).

Floors live in tests/gold/real_floors.json with the digest of the gold and of the shipped model
they were measured with; lowering one is an explicit, reviewed edit of that file. The test split
is scored here to report and to guard against regressions, never to tune.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from tests.conftest import REPO, shared_path

from redline.gold.annotations import GOLD_FILE, Split
from redline.gold.evaluation import evaluate_real

FLOORS = json.loads((REPO / "tests" / "gold" / "real_floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    digest = hashlib.sha1(GOLD_FILE.read_bytes()).hexdigest()
    assert digest == FLOORS["gold_sha1"], "the gold changed: re-measure tests/gold/real_floors.json"
    return evaluate_real("learned", shared_path(), [Split.TEST, Split.DEV])


@pytest.mark.parametrize("split", ["test", "dev"])
def test_real_gold_meets_floors(measured: dict[str, Any], split: str) -> None:
    got = measured["splits"][split]
    low = {}
    for name, floor in FLOORS["floors"][split].items():
        kind, metric = name.split(".", 1)
        value = got[kind][metric]["value"] if metric != "f1" else got[kind]["f1"]
        if value is None or value + 1e-9 < floor:
            low[name] = (value, floor)
    assert not low, f"{split}: below floor (got, floor): {low}"


def test_agreement_is_reported(measured: dict[str, Any]) -> None:
    agreement = measured["agreement"]
    assert agreement["documents"] >= 60
    assert agreement["kappa"] >= FLOORS["floors"]["agreement_kappa"]


@pytest.mark.parametrize("split", ["test", "dev"])
def test_episodes_meet_floors(measured: dict[str, Any], split: str) -> None:
    from redline.gold.episodes import EPISODE_FILE

    digest = hashlib.sha1(EPISODE_FILE.read_bytes()).hexdigest()
    assert digest == FLOORS["episode_gold_sha1"], "the episode gold changed: re-measure the floors"
    got = measured["episodes"]["splits"][split]
    low = {
        name: (got[name]["value"], floor)
        for name, floor in FLOORS["episode_floors"][split].items()
        if got[name]["value"] is None or got[name]["value"] + 1e-9 < floor
    }
    assert not low, f"{split} episodes: below floor (got, floor): {low}"
    assert got["wrong_side"] <= FLOORS["episode_floors"]["wrong_side_max"][split]


def test_episode_analysts_agree(measured: dict[str, Any]) -> None:
    agreement = measured["episodes"]["agreement"]
    assert agreement["a_found_by_b"]["total"] >= 40
    assert agreement["a_found_by_b"]["value"] >= FLOORS["episode_floors"]["agreement_found"]


def test_the_report_names_the_splits_the_model_learned_from(measured: dict[str, Any]) -> None:
    """A figure on a split the classifier learned from is not held out, and says so; the
    test split is never among them."""
    learned = measured["learned_from"]
    assert "train" in learned and "test" not in learned


def test_the_shipped_measured_figures_are_the_live_ones(measured: dict[str, Any]) -> None:
    """The report shows ``data/measured.json`` as how often this release was right on real
    news; a change to extraction or linking that moves a test figure must re-record it
    (``python -m redline.gold.measured EVAL.json``), so the figures shown never go stale."""
    from redline.gold.measured import from_eval, load

    live = from_eval(measured)["figures"]
    stale = {
        f.name: ((f.hits, f.total), (live[f.name]["hits"], live[f.name]["total"]))
        for f in load().figures
        if (f.hits, f.total) != (live[f.name]["hits"], live[f.name]["total"])
    }
    assert not stale, f"data/measured.json is stale (shipped, live): {stale}"
