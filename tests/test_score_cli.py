"""``redline credibility``: tables, JSON against its schema, priors, the timeline."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from redline.cli import app, common
from redline.link import link
from redline.schemas import validate
from redline.store import Ledger
from test_link_factories import seeds_ledger

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_credibility_outputs(sqlite_ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    # the private width, so teardown restores None (the terminal's width, read per call):
    # setting the ``width`` property pinned the console at 80 columns for every later test
    monkeypatch.setattr(common.console, "_width", 160)
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger)
    db = sqlite_ledger.url
    doc = json.loads(run("credibility", "--db", db, "--as-of", "2024-09-30", "-f", "json"))
    validate(doc)
    (rus,) = doc["items"]
    assert rus["mean"] < 0.35 and rus["evidence"] == "evidence: 2 documents, both opinion pieces"
    assert doc["prior"]["name"] == "uniform" and doc["by"] == ["actor"]

    doc = json.loads(
        run(
            "credibility",
            "--db",
            db,
            "--as-of",
            "2024-09-30",
            "--prior",
            "sechser",
            "--by",
            "class",
            "-f",
            "json",
        )
    )
    validate(doc)
    assert doc["prior"]["alpha"] == 3 and {e["group"] for e in doc["items"]} == {
        "war_or_nuclear",
        "military_force",
        "unspecified",  # threat implied by outcome claims only
    }

    doc = json.loads(
        run(
            "credibility",
            "--db",
            db,
            "--as-of",
            "2024-09-30",
            "--timeline",
            "--actor",
            "RUS",
            "-f",
            "json",
        )
    )
    validate(doc)
    assert doc["hindsight"] is True and doc["window_days"] == 90
    assert [p["step"] for p in doc["items"]] == [1, 2, 3, 4, 5]
    assert doc["items"][-1]["mean"] == rus["mean"]

    # CSV carries every field JSON has (it had lost two, then the decided episodes and group),
    # as the export's credibility.csv does
    header = run("credibility", "--db", db, "--as-of", "2024-09-30", "-f", "csv").splitlines()[0]
    assert set(header.split(",")) == set(rus)

    table = run("credibility", "--db", db, "--as-of", "2024-09-30")
    # five decided episodes make four trials (two share their crossing): 1/6, to the report's
    # two decimals
    assert (
        "0.17" in table
        and "0.167" not in table
        and "both opinion" in table
        and "5 episodes as 4 trials" in table
    )


def test_bad_prior_is_a_clear_error(sqlite_ledger: Ledger) -> None:
    result = runner.invoke(app, ["credibility", "--db", sqlite_ledger.url, "--prior", "nope"])
    assert result.exit_code != 0 and "unknown prior 'nope'" in str(result.exception)


def test_the_timeline_is_grouped_as_by_asks(
    sqlite_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`credibility --by class --timeline` drew one series per actor whatever --by said: a
    series per actor and class (or year) now, each ending at its group's estimate."""
    from datetime import date

    monkeypatch.setattr(common.console, "_width", 160)

    from redline.score import credibility, credibility_timeline
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    d = b.doc("2024-06-01")
    b.threat(d, "RUS", "f16_delivery", stated="2022-01-01", consequence="diplomatic")
    b.crossing(d, "USA", "f16_delivery", "2023-05-01")
    b.response(d, "RUS", "f16_delivery", "diplomatic", "2023-05-02")
    b.threat(d, "RUS", "atacms_delivery", stated="2022-01-01", consequence="war_or_nuclear")
    b.crossing(d, "USA", "atacms_delivery", "2024-01-10")
    b.claim(d, "RUS", "atacms_delivery", "no_response", "2024-05")
    link(sqlite_ledger, as_of=date(2024, 6, 1))
    day = date(2024, 6, 1)
    for by in ("class", "year"):
        doc = json.loads(
            run(
                "credibility",
                "--db",
                sqlite_ledger.url,
                "--as-of",
                "2024-06-01",
                "--by",
                by,
                "--timeline",
                "-f",
                "json",
            )
        )
        validate(doc)
        assert doc["by"] == ["actor", by]
        series = [(p["group"], p["step"], p["episode_key"]) for p in doc["items"]]
        groups = {e.group: e.mean for e in credibility(sqlite_ledger, by=by, as_of=day)}
        assert len(groups) == 2 and [step for _, step, _ in series] == [1, 1]
        assert {g: p["mean"] for p in doc["items"] for g in [p["group"]]} == groups
        table = run(
            "credibility",
            "--db",
            sqlite_ledger.url,
            "--as-of",
            "2024-06-01",
            "--by",
            by,
            "--timeline",
        )
        assert f"by {by}" in table and " group " in table
    points = credibility_timeline(sqlite_ledger, as_of=day, by="class")
    assert [(p.group, p.episode_key) for p in points] == [
        ("diplomatic", "RUS:f16_delivery"),
        ("war_or_nuclear", "RUS:atacms_delivery"),
    ]
    # grouped by actor, one series, as before, with no group
    assert [(p.group, p.step) for p in credibility_timeline(sqlite_ledger, as_of=day)] == [
        (None, 1),
        (None, 2),
    ]


def test_csv_listings_carry_every_field_their_json_has(sqlite_ledger: Ledger) -> None:
    """`episodes -f csv` gave the table's nine columns (no crossing date, threatener, trigger,
    class or verdict) and `credibility --timeline -f csv` the table's (no date precision, so a
    "crossed by" date read as a day): a spreadsheet got less than JSON, as credibility's CSV
    once did."""
    import csv
    import io

    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger)
    db = sqlite_ledger.url
    for command in (["episodes"], ["credibility", "--timeline"]):
        base = [*command, "--db", db, "--as-of", "2024-09-30"]
        items = json.loads(run(*base, "-f", "json"))["items"]
        rows = list(csv.DictReader(io.StringIO(run(*base, "-f", "csv"))))
        assert items and len(rows) == len(items)
        assert list(rows[0]) == list(items[0])
        assert rows[0]["key" if command == ["episodes"] else "episode_key"]
    rows = list(
        csv.DictReader(
            io.StringIO(run("credibility", "--timeline", "--by", "class", "--db", db, "-f", "csv"))
        )
    )
    # in the fields' order, as JSON and the export's credibility_timeline.csv give them
    assert list(rows[0])[0] == "actor" and rows[0]["group"] and "date_precision" in rows[0]


@pytest.mark.parametrize("command", ["credibility", "report", "export", "run"])
@pytest.mark.parametrize("level", ["1", "0.5", "95", "nan"])
def test_a_level_outside_half_to_one_is_refused_naming_the_option(
    sqlite_ledger: Ledger, tmp_path, command: str, level: str
) -> None:
    """Every command that gives follow-through intervals takes --level, and refuses one that
    can be no credible interval's level before any work, naming the option."""
    from redline.store.schema import documents

    where = {"report": ["-o", str(tmp_path / "r.html")], "export": [str(tmp_path / "out")]}
    where["run"] = [str(tmp_path)]
    args = [command, *where.get(command, []), "--db", sqlite_ledger.url, "--level", level]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "Invalid value for '--level'" in said and "strictly between 0.5 and 1" in said
    assert ("0.95, not 95" in said) == (level == "95")
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "out").exists()
    assert sqlite_ledger.count(documents) == 0


def test_every_output_of_follow_through_names_its_level(
    sqlite_ledger: Ledger, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table, its title, JSON (envelope and items), CSV, the timeline, the HTML report and
    the export (rows and manifest) each say at which level their intervals are: the terminal
    and the report said "90%" in fixed text."""
    import csv
    import io

    monkeypatch.setattr(common.console, "_width", 160)
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger)
    db = sqlite_ledger.url
    base = ["credibility", "--db", db, "--as-of", "2024-09-30"]
    table = run(*base, "--level", "0.95")
    assert "95% interval" in table and "90%" not in table
    assert "90% interval" in run(*base)  # the default stays 0.90
    doc = json.loads(run(*base, "--level", "0.95", "-f", "json"))
    validate(doc)
    assert doc["level"] == 0.95 and {e["level"] for e in doc["items"]} == {0.95}
    at90 = json.loads(run(*base, "-f", "json"))
    assert at90["level"] == 0.9 and doc["items"][0]["upper"] > at90["items"][0]["upper"]
    (row,) = csv.DictReader(io.StringIO(run(*base, "--level", "0.8", "-f", "csv")))
    assert row["level"] == "0.8"
    timeline = run(*base, "--timeline", "--level", "0.975")
    assert "97.5% interval" in " ".join(timeline.split())
    doc = json.loads(run(*base, "--timeline", "--level", "0.975", "-f", "json"))
    validate(doc)
    assert doc["level"] == 0.975 and {p["level"] for p in doc["items"]} == {0.975}
    points = list(
        csv.DictReader(io.StringIO(run(*base, "--timeline", "--level", "0.8", "-f", "csv")))
    )
    assert points and {p["level"] for p in points} == {"0.8"}

    run(
        "report",
        "--db",
        db,
        "--as-of",
        "2024-09-30",
        "-o",
        str(tmp_path / "r.html"),
        "--level",
        "0.95",
    )
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Interval: <b>95%</b> equal-tailed" in html and "<th>95% interval</th>" in html
    assert "band: 95% credible interval" in html and "95% interval 0." in html  # the chart's tips
    assert "90%" not in html

    for fmt in ("csv", "parquet"):
        out = tmp_path / fmt
        run("export", str(out), "--db", db, "-f", fmt, "--level", "0.95")
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        assert manifest["level"] == 0.95
    (exported,) = csv.DictReader((tmp_path / "csv" / "credibility.csv").open(encoding="utf-8"))
    assert exported["level"] == "0.95"
    import pyarrow.parquet as pq

    assert set(
        pq.read_table(tmp_path / "parquet" / "credibility_timeline.parquet")["level"].to_pylist()
    ) == {0.95}


def test_an_empty_follow_through_table_says_why(sqlite_ledger: Ledger) -> None:
    """As of a day before any episode, for an actor without one, or in the timeline of an actor
    no decided episode speaks for, the terminal showed an empty frame and nothing else."""
    from datetime import date

    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-01"), "BLR", "attack_on_belarus", stated="2023-01-01")  # open
    link(sqlite_ledger, as_of=date(2024, 1, 1))
    base = ["credibility", "--db", sqlite_ledger.url]

    def said(*args: str) -> str:
        return " ".join(run(*base, *args).split())

    assert "No episode as of 2000-01-01: nothing to show." in said("--as-of", "2000-01-01")
    assert "No episode of CHN as of 2024-01-01" in said("--as-of", "2024-01-01", "--actor", "CHN")
    assert "No decided episode with a verdict of BLR as of 2024-01-01" in said(
        "--as-of", "2024-01-01", "--actor", "BLR", "--timeline"
    )
    table = said("--as-of", "2024-01-01")
    assert "no evidence" in table and "nothing to show" not in table
    assert run(*base, "--as-of", "2000-01-01", "-f", "csv").count("\n") == 1  # the header alone


def test_the_timeline_table_shows_a_crossing_dated_to_a_month_as_that_month(
    sqlite_ledger: Ledger,
) -> None:
    """A timeline point sits at its crossing's date; one dated only to a month was printed as
    that month's first day in the table (2024-03-01, a day no source gave), though the CSV
    and JSON carry its precision. The table prints it as item dates are printed: 2024-03."""
    from datetime import date

    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "RUS", "f16_delivery", stated="2024-01-05")
    b.crossing(b.doc("2024-04-10"), "USA", "f16_delivery", "2024-03")
    b.response(b.doc("2024-04-12"), "RUS", "f16_delivery", "military_force", "2024-04-11")
    link(sqlite_ledger, as_of=date(2024, 12, 31))
    args = ["credibility", "--timeline", "--as-of", "2024-12-31", "--db", sqlite_ledger.url]
    res = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "2024-03 " in res.output and "2024-03-01" not in res.output
    res = CliRunner().invoke(app, [*args, "-f", "json"])
    (point,) = json.loads(res.output)["items"]
    assert (point["date"], point["date_precision"]) == ("2024-03-01", "month")
    # the report's chart says it in each point's tip the same way
    from redline.report.charts import credibility_chart
    from redline.score import credibility_timeline, get_prior

    points = credibility_timeline(sqlite_ledger, as_of=date(2024, 12, 31))
    svg = credibility_chart(points, get_prior("uniform"), {})
    assert "crossed 2024-03:" in svg or "2024-03: estimate" in svg
    assert "2024-03-01: estimate" not in svg


def test_the_timeline_shows_keys_and_statuses_whole_at_80_columns(sqlite_ledger: Ledger) -> None:
    """At 80 columns the timeline cut the episode key and the status it means to show whole
    ("RUS:weapons_to_…", "crossed_enforc…") and folded "act/or", "lowe/r", "uppe/r": a narrow
    terminal now leaves out the actor (the key begins with it) and shows the interval in one
    cell, as `credibility` does. JSON keeps lower, upper and level."""
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    doc = b.doc("2023-03-01")
    b.threat(doc, "RUS", "weapons_to_ukraine", stated="2023-01-05", consequence="military_force")
    b.crossing(doc, "USA", "weapons_to_ukraine", "2023-02-01")
    b.response(doc, "RUS", "weapons_to_ukraine", "military_force", "2023-02-10")
    db = sqlite_ledger.url
    run("link", "--db", db, "--as-of", "2024-01-01")
    args = ["credibility", "--db", db, "--as-of", "2024-01-01", "--timeline"]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "RUS:weapons_to_ukraine" in result.output and "crossed_enforced" in result.output
    (row,) = [line for line in result.output.splitlines() if "RUS:weapons_to_ukraine" in line]
    assert re.search(r"\d\.\d\d–\d\.\d\d", row), row
    assert all(len(line) <= 80 for line in result.output.splitlines())
    point = json.loads(run(*args, "-f", "json"))["items"][0]
    assert {"lower", "upper", "level"} <= set(point)
