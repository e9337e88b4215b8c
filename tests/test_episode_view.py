"""One episode view: link assesses each episode once; score, report, export and the CLI read that
view and agree on every status for the same as-of date."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from tests.conftest import REPO
from typer.testing import CliRunner

from redline.cli import app
from redline.link import assess as assess_module
from redline.link import evaluate
from redline.report.context import gather
from redline.run import run
from redline.score.credibility import counts
from redline.store import Ledger
from redline.vocab import Status

SAMPLE = REPO / "examples" / "corpus"
AS_OF = date(2025, 6, 30)


def test_a_run_assesses_each_episode_once_and_every_layer_agrees(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{db}")
    before = assess_module.stats.calls
    result = run(
        ledger, [SAMPLE], as_of=AS_OF, report=tmp_path / "r.html", export=tmp_path / "export"
    )
    view = result.link.view
    assert view is not None and len(view) == result.link.episodes > 5
    # link assessed each episode once; credibility, report and export assessed nothing
    assert assess_module.stats.calls - before == result.link.episodes

    statuses = {s.row["key"]: s.assessment.status for s in view}
    assert {Status(v) for v in statuses.values()} >= {Status.OPEN}

    # the stored episodes (what export writes) carry the same statuses
    stored = pq.read_table(tmp_path / "export" / "episodes.parquet").to_pylist()
    assert {r["key"]: r["status"] for r in stored} == statuses
    assert {r["status_as_of"] for r in stored} == {AS_OF}
    # and the export's status table is the view itself
    viewed = pq.read_table(tmp_path / "export" / "episode_status.parquet").to_pylist()
    assert {r["key"]: r["status"] for r in viewed} == statuses

    # a fresh read (another process, the report, the API) computes the same statuses
    again = evaluate(ledger, as_of=AS_OF)
    assert {s.row["key"]: s.assessment.status for s in again} == statuses
    report = gather(ledger, as_of=AS_OF)
    # (typed: each episode's story, its anchor and its items in the page's order)
    assert {e.summary.key: e.summary.status for e in report.episodes} == statuses
    # and its status table's rows (typed: an actor, its counts by status, the total)
    by_row = {r.actor: r.counts for r in report.status_rows}
    assert sum(r.total for r in report.status_rows) == len(statuses)
    assert {k: by_row[k.split(":")[0]][Status(v)] > 0 for k, v in statuses.items()} == {
        k: True for k in statuses
    }
    # and the documents it cites (typed: each quoted item's document, once)
    cited = {i.document.id for e in report.episodes for i in e.items}
    assert [d.id for d in report.documents] and {d.id for d in report.documents} == cited
    assert all(d.cites and d.published_label for d in report.documents)
    assert all(e in report.episodes for d in report.documents for c in d.cites for e in c.episodes)

    # the CLI too
    out = CliRunner().invoke(
        app, ["episodes", "--db", str(db), "--as-of", AS_OF.isoformat(), "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    listed = json.loads(out.output)["items"]
    assert {e["key"]: e["status"] for e in listed} == statuses

    # follow-through counts are the view's counts: every open episode, and the decided ones
    # the estimate rests on (one with no verdict, or crossed only by its owner's own response,
    # is counted apart: `no_verdict`, `self_implied`)
    by_actor: dict[str, Counter[str]] = {}
    apart: Counter[str] = Counter()
    for s in view:
        actor, status = s.row["key"].split(":")[0], s.assessment.status
        if Status(status).decided and not counts(s):
            apart[actor] += 1
        else:
            by_actor.setdefault(actor, Counter())[status] += 1
    for e in result.credibility:
        assert e.enforced == by_actor[e.actor][Status.CROSSED_ENFORCED]
        assert e.unenforced == by_actor[e.actor][Status.CROSSED_UNENFORCED]
        assert e.open == by_actor[e.actor][Status.OPEN]
        assert e.no_verdict + e.self_implied == apart[e.actor]
    ledger.dispose()


def test_export_given_no_view_uses_the_link_window(tmp_path: Path) -> None:
    """Export without a view reads the window of the last link (it once used the default)."""
    db = tmp_path / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{db}")
    run(ledger, [SAMPLE], as_of=AS_OF, window_days=30)
    view = evaluate(ledger, as_of=AS_OF)
    assert view.window_days == 30
    ledger.dispose()


def test_a_view_given_with_another_date_window_or_reading_is_refused(tmp_path: Path) -> None:
    """A view is read in its own date and window: credibility, the report, the export, the
    listing and an audit given one with another `as_of` (or window, or `reported=True`) read it
    silently as of its own day (a report of 2023 titled by the view's day; an audit recorded as
    of the day asked beside the view's statuses)."""
    import pytest

    from redline.audit import draw
    from redline.errors import ConfigError
    from redline.export import export
    from redline.link import link, list_episodes
    from redline.report import write_report
    from redline.score import credibility

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    view = link(ledger, as_of=AS_OF).view
    assert view is not None
    other = date(2023, 1, 1)
    calls = {
        "credibility": lambda **kw: credibility(ledger, view=view, **kw),
        "report": lambda **kw: write_report(ledger, tmp_path / "r.html", view=view, **kw),
        "list_episodes": lambda **kw: list_episodes(ledger, view=view, **kw),
    }
    for call in calls.values():
        for asked, said in (
            ({"as_of": other}, "as of 2025-06-30, not 2023-01-01"),
            ({"window_days": 30}, "90-day response window, not 30"),
            ({"reported": True}, "in hindsight, not as reported"),
        ):
            with pytest.raises(ConfigError, match=said):
                call(**asked)
        call(as_of=AS_OF, window_days=90)  # what agrees with the view is no conflict
    with pytest.raises(ConfigError, match="as of 2025-06-30, not 2023-01-01"):
        export(ledger, tmp_path / "out", view=view, as_of=other)
    with pytest.raises(ConfigError, match="as of 2025-06-30, not 2023-01-01"):
        draw(ledger, view=view, as_of=other)
    ledger.dispose()
