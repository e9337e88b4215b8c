"""``redline export``: every table and the computed credibility, streamed, in three formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from redline import export as export_module
from redline.cli import app
from redline.export import export
from redline.link import link
from redline.store import Ledger
from redline.store.schema import metadata
from test_link_factories import Builder, seeds_ledger

AS_OF = date(2024, 9, 30)
# every stored table but the runs' working state (an extraction's claims on documents)
TABLES = {t.name for t in metadata.sorted_tables} - {"extract_claims"}


@pytest.fixture
def linked(ledger: Ledger) -> Ledger:
    seeds_ledger(ledger)
    link(ledger, as_of=AS_OF)
    return ledger


def test_parquet_round_trip(linked: Ledger, tmp_path: Path) -> None:
    written = export(linked, tmp_path, fmt="parquet", as_of=AS_OF)
    assert set(written) == TABLES | {"episode_status", "credibility", "credibility_timeline"}
    docs = pq.read_table(tmp_path / "documents.parquet")
    assert "minhash" not in docs.column_names and docs.num_rows == 2
    assert docs.column("genre").to_pylist() == ["opinion", "opinion"]
    assert docs.column("published").to_pylist() == [date(2023, 6, 27), date(2024, 9, 1)]
    episodes = pq.read_table(tmp_path / "episodes.parquet").to_pylist()
    assert {e["key"]: e["status"] for e in episodes}["RUS:f16_delivery"] == "crossed_unenforced"
    assert (
        pq.read_table(tmp_path / "episode_members.parquet").num_rows == written["episode_members"]
    )
    (cred,) = pq.read_table(tmp_path / "credibility.parquet").to_pylist()
    # five unenforced lines, two of them crossed by one act: four trials, Beta(1, 5)
    assert cred["actor"] == "RUS" and cred["mean"] == pytest.approx(1 / 6)
    assert (cred["decided"], cred["trials"]) == (5, 4)
    assert cred["evidence"] == "evidence: 2 documents, both opinion pieces"
    assert "RUS:f16_delivery" in cred["decided_episodes"]
    runs = pq.read_table(tmp_path / "runs.parquet").to_pylist()
    assert json.loads(runs[0]["params"])["window_days"] == 90
    assert pq.read_table(tmp_path / "gdelt_events.parquet").num_rows == 0  # empty, with a schema
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["tables"]["threats"] == {"file": "threats.parquet", "rows": 4}
    assert manifest["window_days"] == 90  # it moves statuses and scores: the export names it


def test_csv_and_json(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=AS_OF)
    export(sqlite_ledger, tmp_path / "csv", fmt="csv", as_of=AS_OF)
    with (tmp_path / "csv" / "threats.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 and rows[0]["speaker_country"] == "RUS"
    export(sqlite_ledger, tmp_path / "json", fmt="json", as_of=AS_OF)
    evidence = json.loads((tmp_path / "json" / "evidence.json").read_text(encoding="utf-8"))
    assert len(evidence) == 12 and "sentence" in evidence[0]
    assert json.loads((tmp_path / "json" / "reviews.json").read_text()) == []
    # the CSV manifest says what the spreadsheet guard does to text, and how to undo it;
    # JSON is written unchanged and says nothing of it
    manifest = json.loads((tmp_path / "csv" / "manifest.json").read_text(encoding="utf-8"))
    assert (
        "apostrophe" in manifest["csv_formula_guard"] and "offsets" in manifest["csv_formula_guard"]
    )
    assert "csv_formula_guard" not in json.loads(
        (tmp_path / "json" / "manifest.json").read_text(encoding="utf-8")
    )


def test_the_csv_guard_is_undone_by_the_rule_the_manifest_gives(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """Text that already began with an apostrophe before a formula character ("'=x", a quote
    in single marks) was written as it was, so the manifest's rule (drop the apostrophe before
    such a character) turned it into "=x": the guard could not be undone."""
    titles = ["'=1+1 in single quotes", "''-two apostrophes", "=SUM(A1)", "'plain", "-3 dead"]
    build = Builder(sqlite_ledger)
    for title in titles:
        build.doc("2024-01-01", title=title)
    export(sqlite_ledger, tmp_path, fmt="csv")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert "apostrophes" in manifest["csv_formula_guard"]
    with (tmp_path / "documents.csv").open(encoding="utf-8", newline="") as f:
        cells = [row["title"] for row in csv.DictReader(f)]

    def undone(cell: str) -> str:  # the manifest's rule
        guarded = cell.startswith("'") and cell.lstrip("'").startswith(
            ("=", "+", "-", "@", "\t", "\r")
        )
        return cell[1:] if guarded else cell

    assert [undone(c) for c in cells] == titles
    assert all(not c.lstrip("'").startswith(("=", "-")) or c.startswith("'") for c in cells)


def test_every_format_gives_a_stored_moment_in_utc(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    """SQLite gives a stored moment back without its zone: Parquet wrote it as UTC, while JSON
    and CSV wrote the bare local-looking time ("2024-01-01T10:00:00"), which a PostgreSQL
    ledger's export wrote with "+00:00", so the same export said two things."""
    Builder(sqlite_ledger).doc("2024-01-01", title="A moment")
    for fmt in ("json", "csv", "parquet"):
        export(sqlite_ledger, tmp_path / fmt, fmt=fmt)
    parquet = pq.read_table(tmp_path / "parquet" / "documents.parquet").to_pylist()[0]
    (doc,) = json.loads((tmp_path / "json" / "documents.json").read_text(encoding="utf-8"))
    with (tmp_path / "csv" / "documents.csv").open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert doc["ingested_at"] == row["ingested_at"] == parquet["ingested_at"].isoformat()
    assert doc["ingested_at"].endswith("+00:00")


def test_a_json_export_writes_bidirectional_controls_as_escapes(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A title's U+202E stood raw in documents.json (the listings escape it), reversing the
    rest of its line wherever the file was shown; the value read back is unchanged."""
    title = "Report \u202egnp.exe\u202c on the talks"
    Builder(sqlite_ledger).doc("2024-01-01", title=title)
    export(sqlite_ledger, tmp_path / "json", fmt="json")
    raw = (tmp_path / "json" / "documents.json").read_text(encoding="utf-8")
    assert "\u202e" not in raw and "\\u202e" in raw
    (doc,) = json.loads(raw)
    assert doc["title"] == title


def test_a_csv_export_drops_bidirectional_controls_as_every_csv_listing_does(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """documents.csv kept a title's U+202E raw (the listings' CSV drops it), so a spreadsheet
    showed "Report exe.png" for a file named "gnp.exe"; the export's cell is now the listing's,
    and the formula guard still applies after the controls are gone."""
    titles = ["Report \u202egnp.exe\u202c on \u2066the\u2069 talks\u200f", "\u202d=SUM(A1)"]
    build = Builder(sqlite_ledger)
    for title in titles:
        build.doc("2024-01-01", title=title)
    export(sqlite_ledger, tmp_path, fmt="csv")
    raw = (tmp_path / "documents.csv").read_text(encoding="utf-8")
    assert not any(ch in raw for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069\u200e\u200f")
    with (tmp_path / "documents.csv").open(encoding="utf-8", newline="") as f:
        exported = sorted(row["title"] for row in csv.DictReader(f))
    assert exported == ["'=SUM(A1)", "Report gnp.exe on the talks"]
    listed = CliRunner().invoke(app, ["documents", "-f", "csv", "--db", sqlite_ledger.url])
    assert listed.exit_code == 0, listed.output
    assert sorted(r["title"] for r in csv.DictReader(io.StringIO(listed.output))) == exported
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert "bidirectional" in manifest["csv_formula_guard"]


def test_every_csv_spells_a_flag_true_or_false(linked: Ledger, tmp_path: Path) -> None:
    """A flag read "True"/"False" (Python's spelling) in every CSV while JSON says true/false
    and docs/architecture.md promised one spelling: every CSV the tool writes, the listings'
    `-f csv` and the export's files, now spells a flag as JSON does."""
    from redline.link import list_episodes
    from redline.review import review

    (first, *_) = list_episodes(linked, as_of=AS_OF)
    review(linked, "episode", first.id, "note", reviewer="ana", note="a note")
    url = linked.engine.url.render_as_string(hide_password=False)
    commands = [
        ["documents"],
        ["show", "1"],
        ["threats"],
        ["events"],
        ["claims"],
        ["episodes", "--as-of", AS_OF.isoformat()],
        ["episode", "RUS:f16_delivery", "--as-of", AS_OF.isoformat()],
        ["credibility", "--as-of", AS_OF.isoformat()],
        ["credibility", "--timeline", "--as-of", AS_OF.isoformat()],
        ["reviews"],
        ["triage", "--as-of", AS_OF.isoformat()],
    ]
    tables: dict[str, list[dict[str, str]]] = {}
    for command in commands:
        result = CliRunner().invoke(app, [*command, "-f", "csv", "--db", url])
        assert result.exit_code == 0, (command, result.output)
        tables[" ".join(command)] = list(csv.DictReader(io.StringIO(result.output)))
    export(linked, tmp_path, fmt="csv", as_of=AS_OF)
    for path in sorted(tmp_path.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            tables[path.name] = list(csv.DictReader(f))
    cells = {(name, k, v) for name, rows in tables.items() for r in rows for k, v in r.items()}
    assert {c for c in cells if c[2] in ("True", "False")} == set()
    assert ("episodes --as-of 2024-09-30", "opinion_only", "true") in cells
    assert ("episode_status.csv", "self_implied", "false") in cells
    assert ("episodes.csv", "analyst_rejected", "false") in cells


def test_the_follow_through_table_says_how_often_verdicts_were_right_on_real_news(
    linked: Ledger,
) -> None:
    """The follow-through table is what people quote; under it the note now gives the
    project's own test-split figures for episode and crossed verdicts (``data/measured.json``,
    checked against a live evaluation), so a reader sees how far a verdict is to be trusted."""
    from redline.gold.measured import load

    url = linked.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["credibility", "--as-of", AS_OF.isoformat(), "--db", url])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    shipped = load()
    assert (
        f"episode verdicts were right {shipped.figure('episode_precision').label()} and crossed "
        f"verdicts {shipped.figure('crossed_verdict_precision').label()}, given to "
        f"{shipped.figure('crossed_verdict_recall').label()} of the lines annotators saw crossed"
    ) in text


def test_the_credibility_csvs_of_listing_and_export_agree(linked: Ledger, tmp_path: Path) -> None:
    """`credibility -f csv` left out `decided_episodes` and `group` (and `--timeline` its
    `group`), which its JSON and the export's credibility.csv carry: the same estimates
    read as two different files. They now have one header and the same rows."""
    url = linked.engine.url.render_as_string(hide_password=False)
    export(linked, tmp_path, fmt="csv", as_of=AS_OF)
    for args, name in (([], "credibility"), (["--timeline"], "credibility_timeline")):
        res = CliRunner().invoke(
            app, ["credibility", *args, "--as-of", AS_OF.isoformat(), "-f", "csv", "--db", url]
        )
        assert res.exit_code == 0, res.output
        with (tmp_path / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            exported = list(csv.reader(f))
        assert list(csv.reader(io.StringIO(res.output))) == exported, name
    assert '[""RUS:' in (tmp_path / "credibility.csv").read_text(encoding="utf-8")


def test_export_streams_in_batches(
    sqlite_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds_ledger(sqlite_ledger)
    sizes: list[int] = []
    real = export_module._ParquetWriter.write

    def spy(self: export_module._ParquetWriter, rows: list[dict]) -> None:
        sizes.append(len(rows))
        real(self, rows)

    monkeypatch.setattr(export_module._ParquetWriter, "write", spy)
    written = export(sqlite_ledger, tmp_path, batch_rows=5)
    assert written["evidence"] == 12
    assert max(sizes) <= 5  # never more than one batch of rows in memory
    assert pq.read_table(tmp_path / "evidence.parquet").num_rows == 12


def test_export_command(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    seeds_ledger(sqlite_ledger)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["export", str(out), "--db", sqlite_ledger.url, "--format", "csv"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert (out / "documents.csv").exists() and (out / "credibility.csv").exists()
    assert f"wrote {len(TABLES) + 3} files and manifest.json" in result.output


def test_export_into_a_file_is_refused_with_the_path_named(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """An existing file where the folder should be is a clear error naming it (the CLI prints
    a RedlineError as one line and exits 2), and the file is left as it was."""
    from redline.errors import ConfigError

    seeds_ledger(sqlite_ledger)
    taken = tmp_path / "report.html"
    taken.write_text("<p>kept</p>", encoding="utf-8")
    for target in (taken, taken / "below"):
        result = CliRunner().invoke(
            app, ["export", str(target), "--db", sqlite_ledger.url, "--format", "csv"]
        )
        assert isinstance(result.exception, ConfigError), result.output
        # the file in the way is named as a file (below it, "Not a directory" named nothing)
        assert f"{taken} is a file" in str(result.exception) or (
            target == taken and "a file, not a folder" in str(result.exception)
        )
    assert taken.read_text(encoding="utf-8") == "<p>kept</p>"


def test_exporting_again_in_another_format_leaves_only_what_the_manifest_lists(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A csv export, then a json one into the same folder: the csv files the first manifest
    listed are gone, a file of the user's is not."""
    seeds_ledger(sqlite_ledger)
    out = tmp_path / "out"
    export(sqlite_ledger, out, fmt="csv", as_of=AS_OF)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    export(sqlite_ledger, out, fmt="json", as_of=AS_OF)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {t["file"] for t in manifest["tables"].values()}
    assert {p.name for p in out.iterdir()} == listed | {"manifest.json", "notes.txt"}


def test_an_export_stands_on_one_date(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    """The episode tables are written as the last link stored them: the computed credibility
    is as of that date by default, and another date is refused instead of mixed in (it wrote
    episodes as of the link beside credibility as of the date asked)."""
    from redline.errors import ConfigError

    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=AS_OF)
    export(sqlite_ledger, tmp_path / "a", fmt="csv")
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == AS_OF.isoformat()
    with pytest.raises(
        ConfigError, match="linked as of 2024-09-30.*redline link --as-of 2023-07-01"
    ):
        export(sqlite_ledger, tmp_path / "b", fmt="csv", as_of=date(2023, 7, 1))
    link(sqlite_ledger, as_of=date(2023, 7, 1))
    export(sqlite_ledger, tmp_path / "b", fmt="csv", as_of=date(2023, 7, 1))
    with (tmp_path / "b" / "episodes.csv").open(encoding="utf-8") as fh:
        assert {row["status_as_of"] for row in csv.DictReader(fh)} == {"2023-07-01"}


def test_the_episodes_table_says_which_episodes_an_analyst_rejected_or_settled(
    linked: Ledger, tmp_path: Path
) -> None:
    """A rejected episode stays in the stored table (listings and scores hide it); the export
    carries the standing decision, so a reader of episodes.csv alone does not take it as a
    line."""
    from redline.review import review

    export(linked, tmp_path / "before", as_of=AS_OF)
    episodes = pq.read_table(tmp_path / "before" / "episodes.parquet").to_pylist()
    assert all(e["analyst_rejected"] is False and e["analyst_status"] is None for e in episodes)
    first, second = (e["id"] for e in episodes[:2])
    review(linked, "episode", first, "reject", reviewer="ana", note="a forecast, not a line")
    review(linked, "episode", second, "withdraw", reviewer="ana")
    review(linked, "episode", second, "reject", reviewer="ana")
    review(linked, "episode", second, "confirm", reviewer="ana")  # undoes the rejection only
    export(linked, tmp_path / "after", fmt="csv", as_of=AS_OF)
    with (tmp_path / "after" / "episodes.csv").open(encoding="utf-8") as f:
        rows = {int(r["id"]): r for r in csv.DictReader(f)}
    assert (rows[first]["analyst_rejected"], rows[first]["analyst_status"]) == ("true", "")
    assert (rows[second]["analyst_rejected"], rows[second]["analyst_status"]) == (
        "false",
        "withdrawn",
    )
    assert all(
        r["analyst_rejected"] == "false" for i, r in rows.items() if i not in (first, second)
    )
    # the computed status table reads the episodes with the decisions, as `redline episodes`
    # does: the rejected one is gone from it; the withdrawal, recorded today, holds from today
    # (as of the export's date in 2024 the evidence's status stands)
    with (tmp_path / "after" / "episode_status.csv").open(encoding="utf-8") as f:
        status = {int(r["id"]): r["status"] for r in csv.DictReader(f)}
    assert first not in status and status[second] == rows[second]["status"] != "withdrawn"


def test_the_export_carries_each_episode_status_in_the_reading_asked_for(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """episode_status holds the rows `redline episodes -f json` gives for the export's date;
    with --as-reported, the record as the sources had reported it by then (a crossing made
    before the date but reported after it leaves the line open), and the manifest says which
    reading it is. Before, an export could only be read in hindsight."""
    from redline.link import list_episodes
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    warned = b.doc("2024-01-10")
    b.threat(warned, "RUS", "atacms_delivery", stated="2024-01-05", consequence="military_force")
    b.crossing(b.doc("2024-03-01"), "USA", "atacms_delivery", "2024-02-01")
    day = date(2024, 2, 15)
    link(sqlite_ledger, as_of=day)
    for reported, folder in ((False, "hindsight"), (True, "reported")):
        written = export(sqlite_ledger, tmp_path / folder, as_of=day, reported=reported)
        assert set(written) == TABLES | {"episode_status", "credibility", "credibility_timeline"}
        rows = pq.read_table(tmp_path / folder / "episode_status.parquet").to_pylist()
        expected = list_episodes(sqlite_ledger, as_of=day, reported=reported)
        assert [(r["key"], r["status"]) for r in rows] == [(e.key, str(e.status)) for e in expected]
        assert {r["status_as_of"] for r in rows} == {day}
        manifest = json.loads((tmp_path / folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["as_reported"] is reported
        assert manifest["tables"]["episode_status"]["rows"] == len(rows) == 1
    hindsight = pq.read_table(tmp_path / "hindsight" / "episode_status.parquet").to_pylist()
    reported_rows = pq.read_table(tmp_path / "reported" / "episode_status.parquet").to_pylist()
    assert hindsight[0]["status"] != "open" and hindsight[0]["crossing_date"] == date(2024, 2, 1)
    assert reported_rows[0]["status"] == "open" and reported_rows[0]["crossing_date"] is None
    result = CliRunner().invoke(
        app,
        ["export", str(tmp_path / "cli"), "--db", sqlite_ledger.url, "-f", "json"]
        + ["--as-of", "2024-02-15", "--as-reported"],
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads((tmp_path / "cli" / "episode_status.json").read_text(encoding="utf-8"))
    assert row["status"] == "open" and row["key"] == "RUS:atacms_delivery"


def test_the_status_table_has_a_column_for_every_field_of_an_episode_row(linked: Ledger) -> None:
    """The export's episode_status schema names exactly the fields of the episodes listing, so
    a field added to the listing cannot go missing from the export unnoticed."""
    from redline.export import EPISODE_STATUS_SCHEMA
    from redline.link import list_episodes

    (first, *_) = list_episodes(linked, as_of=AS_OF)
    assert EPISODE_STATUS_SCHEMA.names == list(first.as_dict())


def test_an_episode_kept_only_for_its_reviews_says_it_holds_no_item(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A reviewed episode whose threats were all rejected stays in the stored table (for its
    reviews) but is in no listing: the export marks it not listed, and the row no longer
    carries the status, sources and story of the last link that had items for it."""
    from redline.link import list_episodes
    from redline.review import review
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    threat = b.threat(b.doc("2024-01-10"), "RUS", "f16_delivery", stated="2024-01-05")
    b.threat(b.doc("2024-01-12"), "RUS", "tanks_to_ukraine", stated="2024-01-11")
    day = date(2024, 3, 1)
    link(sqlite_ledger, as_of=day)
    (kept,) = [e for e in list_episodes(sqlite_ledger, as_of=day) if e.key == "RUS:f16_delivery"]
    review(sqlite_ledger, "episode", kept.id, "note", reviewer="ana", note="check this")
    review(sqlite_ledger, "threat", threat, "reject", reviewer="ana")
    link(sqlite_ledger, as_of=day)
    assert [e.key for e in list_episodes(sqlite_ledger, as_of=day)] == ["RUS:tanks_to_ukraine"]
    export(sqlite_ledger, tmp_path / "out", fmt="csv", as_of=day)
    with (tmp_path / "out" / "episodes.csv").open(encoding="utf-8") as fh:
        rows = {r["key"]: r for r in csv.DictReader(fh)}
    stale = rows["RUS:f16_delivery"]
    assert stale["listed"] == "false" and rows["RUS:tanks_to_ukraine"]["listed"] == "true"
    assert stale["n_sources"] == "0" and stale["status_as_of"] == day.isoformat()
    assert "kept only because an analyst reviewed it" in stale["explanation"]


def test_a_failed_export_leaves_the_earlier_one_whole(
    linked: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export that cannot be written (a full disk, here a writer that fails on the third
    table) is one clear error naming the file, and the folder keeps the earlier export as its
    manifest lists it: it had a mix of two ledgers under the old manifest, and a traceback."""
    from redline.errors import ConfigError

    out = tmp_path / "out"
    export(linked, out, fmt="csv", as_of=AS_OF)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = export_module._write
    calls = {"n": 0}

    def failing(path: Path, *args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device", str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export_module, "_write", failing)
    with pytest.raises(ConfigError, match="cannot write the export: No space left on device"):
        export(linked, out, fmt="csv", as_of=AS_OF)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no partial folder left


def test_a_killed_exports_partial_folder_is_cleared_by_the_next_but_a_live_ones_is_not(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """An export killed with kill -9 (no ``finally`` runs) left its hidden
    ``.export-partial-*`` folder in the export folder for ever. The next export into it removes
    such a folder once its process is gone, and says so; one whose process still runs (another
    export under way) is left alone, and one whose writer cannot be told is left and named."""
    import signal
    import subprocess
    import sys

    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=AS_OF)
    out = tmp_path / "out"
    url = sqlite_ledger.engine.url.render_as_string(hide_password=False)
    killed = subprocess.run(  # an export that kills itself with SIGKILL on its third table
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "from redline import export as e\n"
            "from redline.store import Ledger\n"
            "real, n = e._write, []\n"
            "def w(*a, **k):\n"
            "    n.append(1)\n"
            "    if len(n) == 3:\n"
            "        os.kill(os.getpid(), signal.SIGKILL)\n"
            "    return real(*a, **k)\n"
            "e._write = w\n"
            "e.export(Ledger.open(sys.argv[1], create=False), sys.argv[2], fmt='csv')\n",
            url,
            str(out),
        ],
        capture_output=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (left,) = [p.name for p in out.iterdir() if p.name.startswith(".export-partial-")]
    # a live export's folder (its process still runs) and one named as before this fix
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        name = left.split("-")
        live = out / "-".join([*name[:2], str(running.pid), name[3], "live1234"])
        (live / "threats.csv").parent.mkdir()
        (live / "threats.csv").write_text("being written", "utf-8")
        (out / ".export-partial-k3j4h5g6").mkdir()
        said: list[str] = []
        export(sqlite_ledger, out, fmt="csv", as_of=AS_OF, notice=said.append)
        partial = sorted(p.name for p in out.iterdir() if p.name.startswith(".export-partial-"))
        assert partial == sorted([live.name, ".export-partial-k3j4h5g6"])
        assert (live / "threats.csv").read_text("utf-8") == "being written"
        assert said[0].startswith("removed 1 partial folder(s)") and left in said[0]
        assert ".export-partial-k3j4h5g6" in said[1] and live.name not in " ".join(said)
    finally:
        running.kill()
        running.wait()
    assert json.loads((out / "manifest.json").read_text())["format"] == "csv"


def test_a_failed_report_leaves_the_earlier_one_whole(
    linked: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report is written beside its path and moved over it once whole: a failed write
    leaves the earlier report as it was (a full disk had left a fragment in its place)."""
    import os

    from redline.errors import ConfigError
    from redline.report import write_report

    path = tmp_path / "report.html"
    write_report(linked, path, as_of=AS_OF)
    path.write_bytes(path.read_bytes() + b"<!-- the earlier one -->")
    before = path.read_bytes()
    real_replace = os.replace

    def full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(ConfigError, match="cannot write the report"):
        write_report(linked, path, as_of=AS_OF)
    monkeypatch.setattr(os, "replace", real_replace)
    assert path.read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if "partial" in p.name]


def test_a_report_written_through_a_link_or_to_a_device_replaces_neither(
    tmp_path: Path,
) -> None:
    """The whole-file write replaces a regular file only: a link is written through (it stays a
    link) and a device or pipe is written to (a report to /dev/full had replaced the device
    with a file when run as root)."""
    import os

    from redline.output import write_whole

    target = tmp_path / "real.html"
    target.write_text("old", encoding="utf-8")
    link_path = tmp_path / "link.html"
    link_path.symlink_to(target)
    write_whole(link_path, "new")
    assert link_path.is_symlink() and target.read_text(encoding="utf-8") == "new"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_whole(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert not fifo.is_file() and sorted(p.name for p in tmp_path.iterdir()) == [
        "link.html",
        "pipe",
        "real.html",
    ]


def test_an_exported_item_is_the_listings_item_and_each_file_names_its_row_schema(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """`threats.json` and `events.json` held bare table rows (no sentence, span, document),
    unlike `redline threats -f json`, with no word of it. A row of each item table is now an
    item of its listing (rejected items too, which listings leave out), every format carries
    the same columns, and the manifest names the schema each such file's rows follow."""
    from redline.schemas import row_schema, validate, validate_rows

    b = seeds_ledger(sqlite_ledger)
    doc = b.doc("2024-09-20", outlet="Test Wire", title="A wire story")
    b.threat(doc, "RUS", "f16_delivery", quote="A rejected threat.", review_state="rejected")
    link(sqlite_ledger, as_of=AS_OF)
    export(sqlite_ledger, tmp_path / "json", fmt="json", as_of=AS_OF)
    export(sqlite_ledger, tmp_path / "pq", fmt="parquet", as_of=AS_OF)
    export(sqlite_ledger, tmp_path / "csv", fmt="csv", as_of=AS_OF)
    manifest = json.loads((tmp_path / "json" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["export_version"] == 2
    kinds = {
        "threats": "threats",
        "events": "events",
        "outcome_claims": "claims",
        "episode_status": "episodes",
        "credibility": "credibility",
        "credibility_timeline": "credibility-timeline",
    }
    assert manifest["row_schemas"] == {name: row_schema(kind) for name, kind in kinds.items()}
    runner = CliRunner()
    for table, kind in kinds.items():
        rows = json.loads((tmp_path / "json" / f"{table}.json").read_text(encoding="utf-8"))
        validate_rows(kind, rows)
        columns = pq.read_table(tmp_path / "pq" / f"{table}.parquet").column_names
        with (tmp_path / "csv" / f"{table}.csv").open(encoding="utf-8") as f:
            assert next(csv.reader(f)) == columns
        assert not rows or list(rows[0]) == columns
        if kind in ("threats", "events", "claims"):
            result = runner.invoke(app, [kind, "--db", sqlite_ledger.url, "-f", "json"])
            listed = json.loads(result.output)
            validate(listed)  # `redline claims -f json` printed a bare list, with no schema
            by_id = {r["id"]: r for r in rows}
            assert listed["items"] and all(by_id[i["id"]] == i for i in listed["items"])
            assert "sentence" in columns and "document_title" in columns
    (rejected,) = [
        r
        for r in json.loads((tmp_path / "json" / "threats.json").read_text(encoding="utf-8"))
        if r["review_state"] == "rejected"
    ]
    assert rejected["sentence"] == "A rejected threat." and rejected["outlet"] == "Test Wire"


def test_a_line_first_drawn_in_a_month_is_shown_as_that_month(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """An episode whose first threat is dated only to a month read as the first day of that
    month in `episodes -f json|csv` and the export's episode_status (2024-10-01: a day no
    source gave), while its crossing's date came with its precision. The first threat's date
    now comes with its precision too, and `triage --leads` prints it as the month."""
    from redline.link import list_episodes
    from redline.triage import Lead
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-11-10"), "RUS", "f16_delivery", stated="2024-10")
    day = date(2024, 12, 31)
    link(sqlite_ledger, as_of=day)
    (row,) = list_episodes(sqlite_ledger, as_of=day)
    assert (str(row.first_threat_date), row.first_threat_precision) == ("2024-10-01", "month")
    res = CliRunner().invoke(
        app, ["episodes", "--db", sqlite_ledger.url, "--as-of", "2024-12-31", "-f", "csv"]
    )
    (listed,) = csv.DictReader(io.StringIO(res.output))
    assert listed["first_threat_precision"] == "month"
    export(sqlite_ledger, tmp_path / "out", as_of=day)
    (exported,) = pq.read_table(tmp_path / "out" / "episode_status.parquet").to_pylist()
    assert exported["first_threat_precision"] == "month"
    first = row.first_threat_date
    lead = Lead(1, row.key, first, 1, 0, 9, "A sentence.", 0.5, None, None, None, "month")
    assert (
        lead.first_threat_text() == "2024-10"
        and lead.as_dict()["first_threat_precision"] == "month"
    )


def test_the_stored_episodes_agree_with_the_listing_field_by_field(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """The export's stored `episodes` gave a line first drawn in October 2024 as "2024-10-01"
    and its crossing in November as "2024-11-01", with no precision beside either (the
    ledger's other dates all have one), so a reader of episodes.csv took them for days no
    source gave, while `redline episodes -f json` said "month". Every field the two share now
    agrees, in every format."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-11-10"), "RUS", "f16_delivery", stated="2024-10")
    b.crossing(b.doc("2024-11-20"), "USA", "f16_delivery", "2024-11")
    b.threat(b.doc("2024-03-02"), "RUS", "tanks_to_ukraine", stated="2024-03-01")
    day = "2024-12-31"
    link(sqlite_ledger, as_of=date.fromisoformat(day))
    res = CliRunner().invoke(
        app, ["episodes", "--db", sqlite_ledger.url, "--as-of", day, "-f", "json"]
    )
    listed = {e["id"]: e for e in json.loads(res.output)["items"]}
    assert {e["first_threat_precision"] for e in listed.values()} == {"month", "day"}
    for fmt in ("json", "csv"):
        export(sqlite_ledger, tmp_path / fmt, fmt=fmt)
    (stored,) = [t for t in metadata.sorted_tables if t.name == "episodes"]
    shared = [c.name for c in stored.c if c.name in next(iter(listed.values()))]
    assert {"first_threat_precision", "crossing_precision"} <= set(shared)
    exported = json.loads((tmp_path / "json" / "episodes.json").read_text(encoding="utf-8"))
    with (tmp_path / "csv" / "episodes.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(exported) == len(rows) == len(listed) == 2
    for row, cells in zip(exported, rows, strict=True):
        episode = listed[row["id"]]
        assert row["threatener_country"] == episode["threatener"]
        for name in shared:
            assert row[name] == episode[name], name
            want = episode[name]
            spelt = "" if want is None else str(want).lower() if isinstance(want, bool) else want
            assert cells[name] == str(spelt), name


def test_an_item_s_document_date_comes_with_its_precision(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """`threats`, `events` and `claims` (and the export's rows of them) gave each item's
    document date as "2024-09-01" for an article dated only to September 2024, with no
    precision beside it, where `documents` and the episode story give `published_precision`."""
    b = Builder(sqlite_ledger)
    doc = b.doc("2024-09")
    b.threat(doc, "RUS", "f16_delivery", stated="2024-08-20")
    b.crossing(doc, "USA", "f16_delivery", "2024-08-30")
    b.claim(doc, "RUS", "f16_delivery", "no_response", "2024-09")
    for listing in ("threats", "events", "claims"):
        for fmt in ("json", "csv"):
            res = CliRunner().invoke(app, [listing, "--db", sqlite_ledger.url, "-f", fmt])
            assert res.exit_code == 0, res.output
            rows = (
                json.loads(res.output)["items"]
                if fmt == "json"
                else list(csv.DictReader(io.StringIO(res.output)))
            )
            assert [(r["published"], r["published_precision"]) for r in rows] == [
                ("2024-09-01", "month")
            ], (listing, fmt)
    export(sqlite_ledger, tmp_path, fmt="json")
    for table in ("threats", "events", "outcome_claims"):
        (row,) = json.loads((tmp_path / f"{table}.json").read_text(encoding="utf-8"))
        assert row["published_precision"] == "month", table


def test_listings_print_an_item_dated_to_a_month_as_that_month(sqlite_ledger: Ledger) -> None:
    """`redline threats` in a terminal of 80 columns keeps the date and drops its precision
    column, and `claims` has none: a threat dated to October 2024 read 2024-10-01, a day no
    source gave. Tables print each item's date as precisely as it is known; JSON and CSV
    keep the day with its precision beside it."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-11-10"), "RUS", "f16_delivery", stated="2024-10")
    b.crossing(b.doc("2024-11-20"), "USA", "f16_delivery", "2024-11")
    for listing in ("threats", "events"):
        args = [listing, "--db", sqlite_ledger.url]
        res = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
        assert res.exit_code == 0, res.output
        assert "-01 " not in res.output and ("2024-10 " in res.output or "2024-11 " in res.output)
        (row,) = json.loads(CliRunner().invoke(app, [*args, "-f", "json"]).output)["items"]
        assert str(row.get("stated_date") or row.get("event_date")).endswith("-01")


def test_a_whole_file_write_clears_the_partial_file_a_killed_writer_left(tmp_path: Path) -> None:
    """A report or audit sample written while its process was killed (kill -9) left its hidden
    partial file beside the target for ever. The next write to that file removes such leftovers
    whose process on this machine is gone; a writer still running, or one on another machine
    (its tag differs), keeps its own."""
    import os
    import subprocess
    import sys

    from redline.output import write_whole
    from redline.processes import machine_tag

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its process id names no running process now
    tag = machine_tag()
    target = tmp_path / "report.html"
    left = tmp_path / f".report.html.{dead.pid}-{tag}.partial"
    running = tmp_path / f".report.html.{os.getppid()}-{tag}.partial"
    elsewhere = tmp_path / f".report.html.{dead.pid}-{'0' * 12}.partial"
    other_file = tmp_path / f".other.html.{dead.pid}-{tag}.partial"
    for path in (left, running, elsewhere, other_file):
        path.write_text("cut short", encoding="utf-8")
    write_whole(target, "whole")
    assert target.read_text(encoding="utf-8") == "whole"
    assert not left.exists()
    assert running.exists() and elsewhere.exists() and other_file.exists()
