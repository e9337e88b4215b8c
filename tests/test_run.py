"""`redline run` end to end on the bundled sample corpus: the demo's promises hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.conftest import REPO
from typer.testing import CliRunner

from redline.cli import app
from redline.link import list_episodes
from redline.run import run
from redline.store import Ledger

SAMPLE = REPO / "examples" / "corpus"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("demo")
    ledger = Ledger.open(f"sqlite:///{out / 'redline.db'}")
    result = run(ledger, [SAMPLE], report=out / "report.html", export=out / "export")
    yield ledger, result, out
    ledger.dispose()


def test_sample_has_enforced_and_open_episodes_by_several_actors(demo) -> None:
    ledger, result, _ = demo
    episodes = list_episodes(ledger, as_of=date(2025, 6, 30))
    statuses = {e["status"] for e in episodes}
    assert "crossed_enforced" in statuses and "open" in statuses
    assert len({e["key"].split(":")[0] for e in episodes}) >= 4
    enforced = {e["key"] for e in episodes if e["status"] == "crossed_enforced"}
    assert "USA:invasion_of_ukraine" in enforced  # sanctions after the invasion were imposed
    assert result.ingest.problems == []


def test_report_and_export_are_written(demo) -> None:
    _, result, out = demo
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "USA:invasion_of_ukraine" in html
    assert (out / "export" / "episodes.parquet").exists()
    assert result.stages == ["ingest", "extract", "link", "score", "report", "export"]


def test_second_run_adds_nothing(demo) -> None:
    ledger, result, _ = demo
    again = run(ledger, [SAMPLE])
    assert again.ingest.ingested == [] and again.extract.documents == 0
    assert again.link.episodes == result.link.episodes


def test_cli_run_prints_episodes_and_follow_through(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app,
        [
            "run",
            str(SAMPLE / "2022-02-08_meridian-wire-sanctions-warning.txt"),
            str(SAMPLE / "2022-02-25_harbour-gazette-sanctions-imposed.html"),
            "--db",
            str(tmp_path / "l.db"),
            "--no-progress",
            "--as-of",
            "2022-06-01",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "USA:invasion" in res.output and "Follow-through" in res.output
