"""``redline ingest``: the CLI shell over ingest_paths (options, summary, JSON, problem lines)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from redline.cli import app
from redline.documents import list_documents
from redline.schemas import validate
from redline.store import Ledger

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_ingest_prints_a_summary_and_problem_lines(db: str) -> None:
    result = runner.invoke(app, ["ingest", str(FIXTURES), "--db", db, "--no-progress"])

    assert result.exit_code == 0, result.output
    assert "documents added" in result.stdout and "near duplicates" in result.stdout
    assert "duplicates (not stored)" in result.stdout
    jsonl = FIXTURES / "articles.jsonl"
    assert f"redline: ingest: {jsonl}:line 3: invalid JSON" in result.stderr
    assert (
        len([line for line in result.stderr.splitlines() if line.startswith("redline: ingest:")])
        == 4
    )


def test_a_missing_path_is_one_problem_and_the_other_paths_are_read(
    db: str, tmp_path: Path
) -> None:
    """As docs/ingest.md says: one mistyped path among several does not stop the run."""
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(
        app, ["ingest", str(FIXTURES), str(missing), "--db", db, "--no-progress", "--no-extract"]
    )
    assert result.exit_code == 0, result.output
    assert f"redline: ingest: {missing}: no such file or folder" in result.stderr
    assert list_documents(Ledger.open(db, create=False))
    # alone, it reads nothing: an error, after the problem line
    alone = runner.invoke(app, ["ingest", str(missing), "--db", db, "--no-progress"])
    assert alone.exit_code == 2 and "no such file or folder" in alone.stderr
    assert "read no files" in alone.stderr
    # and no ledger is started for nothing (an empty one was left behind)
    fresh = tmp_path / "fresh.db"
    nothing = runner.invoke(app, ["ingest", str(missing), "--db", str(fresh), "--no-progress"])
    assert nothing.exit_code == 2 and "read no files" in nothing.stderr and not fresh.exists()


def test_an_unreadable_path_on_the_command_line_is_one_problem_and_the_others_are_read(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """click refused the whole command for one path this user may not read ("Invalid value
    for 'PATH': path '...' is not readable"), storing none of the others."""
    import builtins
    import os

    locked = tmp_path / "locked.txt"
    locked.write_text("The harbour master said the pier would stay shut until the spring.")
    real_access, real_open = os.access, builtins.open

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        return Path(str(path)) != locked and real_access(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    def deny(file: object, *args: object, **kwargs: object) -> object:
        if Path(str(file)) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "access", access)  # as an unprivileged user sees it
    monkeypatch.setattr(builtins, "open", deny)
    result = runner.invoke(
        app, ["ingest", str(locked), str(FIXTURES), "--db", db, "--no-progress", "--no-extract"]
    )

    assert result.exit_code == 0, result.output
    assert f"redline: ingest: {locked}: cannot read: Permission denied" in result.stderr
    assert list_documents(Ledger.open(db, create=False))


def test_a_broken_symlink_alone_is_named_a_broken_symbolic_link(db: str, tmp_path: Path) -> None:
    """Named alone, a dangling link was called a missing path ("no such file or folder"), on a
    line cut at 80 columns; beside a path that is read it was, as docs/ingest.md says, a
    "broken symbolic link", on one line as every problem."""
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "gone.txt")
    alone = runner.invoke(app, ["ingest", str(dangling), "--db", db, "--no-progress"])
    assert alone.exit_code == 2 and "read no files" in alone.stderr
    assert f"redline: ingest: {dangling}: broken symbolic link" in alone.stderr
    beside = runner.invoke(
        app, ["ingest", str(dangling), str(FIXTURES), "--db", db, "--no-progress", "--no-extract"]
    )
    assert f"redline: ingest: {dangling}: broken symbolic link" in beside.stderr


def test_json_report_and_a_second_run_that_adds_nothing(db: str) -> None:
    first = runner.invoke(app, ["ingest", str(FIXTURES), "--db", db, "--format", "json"])
    second = runner.invoke(app, ["ingest", str(FIXTURES), "--db", db, "--format", "json"])

    assert first.exit_code == 0 and second.exit_code == 0
    report = json.loads(first.stdout)
    # the versioned envelope every JSON output has: it named a schema shipped nowhere
    validate(report)
    assert report["kind"] == "ingest" and report["schema"].endswith("/ingest-v1.json")
    assert report["stats"]["ingested"] == 9 and report["stats"]["gdelt_events_added"] == 6
    assert report["stats"]["exact_duplicates"] == 1 and len(report["problems"]) == 4
    assert report["problems"][0]["source_locator"] == "line 3"
    again = json.loads(second.stdout)["stats"]
    assert (again["ingested"], again["skipped"], again["gdelt_events_already_stored"]) == (0, 9, 6)


def test_field_options_and_max_bytes(db: str, tmp_path: Path) -> None:
    dump = tmp_path / "in" / "dump.jsonl"
    dump.parent.mkdir()
    dump.write_text(
        json.dumps(
            {
                "story": "Moscow said it would answer any NATO deployment to Ukraine.",
                "paper": "Wire",
            }
        )
        + "\n"
    )
    shutil.copy(FIXTURES / "article.html", dump.parent / "big.html")

    result = runner.invoke(
        app,
        [
            "ingest",
            str(dump.parent),
            "--db",
            db,
            "--text-field",
            "story",
            "--outlet-field",
            "paper",
            "--max-bytes",
            "1000",
            "--format",
            "json",
        ],
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [p["reason"] for p in report["problems"]] == [
        "file is 0.0 MB, above the limit of 0.0 MB; not read (raise --max-bytes to ingest it)"
    ]
    [row] = list_documents(Ledger.open(db))
    assert row.outlet == "Wire"


def test_ingest_is_listed_with_help() -> None:
    top = runner.invoke(app, ["--help"])
    assert "ingest" in top.stdout
    help_text = runner.invoke(app, ["ingest", "--help"]).stdout
    for option in (
        "--text-field",
        "--title-field",
        "--date-field",
        "--author-field",
        "--outlet-field",
        "--url-field",
    ):
        assert option in help_text
    assert "--no-progress" in help_text and "--max-bytes" in help_text


def test_every_ingest_option_is_documented() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "ingest.md").read_text(encoding="utf-8")
    command = typer.main.get_command(app).commands["ingest"]
    options = [opt for param in command.params for opt in param.opts if opt.startswith("--")]
    assert len(options) >= 10
    for option in options:
        if option != "--help":
            assert option in docs, f"{option} is not in docs/ingest.md"


def test_many_bad_records_in_one_file_are_listed_twenty_then_counted(
    db: str, tmp_path: Path
) -> None:
    """A CSV without its text column printed one line per row (2,000 lines for 2,000 rows);
    as with GDELT rows, the first twenty are listed and the rest counted in one line."""
    folder = tmp_path / "in"
    folder.mkdir()
    rows = "\n".join(f"Headline {i},2024-05-01" for i in range(50))
    (folder / "notext.csv").write_text("headline,date\n" + rows + "\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder), "--db", db, "--no-progress"])
    lines = [line for line in result.stderr.splitlines() if line.startswith("redline: ingest:")]
    assert len(lines) == 21, result.stderr
    assert "30 more records with problems skipped (the first 20 are listed)" in lines[-1]


def test_a_date_field_that_is_no_date_is_said_and_the_record_kept(db: str, tmp_path: Path) -> None:
    """'2024-02-30' or '9999-12-31' in a date field used to leave the document undated without
    a word; now each is one problem naming the record, and the record is stored all the same."""
    folder = tmp_path / "in"
    folder.mkdir()
    records = [
        {"date": "2024-02-30", "text": "The ministry in Riga reported heavy snow on the roads."},
        {"date": "9999-12-31", "text": "Farmers in Bavaria expect a late harvest of barley."},
        {"date": "2024-05-01", "text": "A new bridge over the Danube opened to traffic."},
    ]
    (folder / "r.jsonl").write_text(
        "\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["ingest", str(folder), "--db", db, "--no-progress", "--no-extract"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("redline: ingest:")]
    assert len(lines) == 2, result.stderr
    assert "line 1: date '2024-02-30' is no date the ledger can use" in lines[0]
    assert "line 2: date '9999-12-31'" in lines[1] and "stored undated" in lines[1]
    assert len(list_documents(Ledger.open(db, create=False))) == 3


def test_a_future_file_name_date_or_a_date_that_is_no_text_is_said_and_the_document_kept(
    db: str, tmp_path: Path
) -> None:
    """A file named for a day in the future (20991231T000000Z_...) and a JSONL record whose date
    is ``true`` were stored undated without a word: each is now one problem naming the file (and
    record), in the summary and the ledger's problems, and the document is stored all the same."""
    folder = tmp_path / "in"
    folder.mkdir()
    future = folder / "20991231T000000Z_US_en_abcd.txt"
    future.write_text("Farmers in the valley expect a late harvest of oats.\n", encoding="utf-8")
    records = [
        {"date": True, "text": "The ministry reported heavy snow on the mountain roads."},
        {"date": {"day": 3}, "text": "A new ferry crossed the lake for the first time."},
        {"date": [], "text": "Traders in the port counted fewer ships than last winter."},
    ]
    (folder / "r.jsonl").write_text(
        "\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["ingest", str(folder), "--db", db, "--no-progress", "--no-extract"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("redline: ingest:")]
    assert lines == [
        f"redline: ingest: {future}: the file name's date 2099-12-31 is in the future; "
        "stored undated",
        f"redline: ingest: {folder / 'r.jsonl'}:line 1: date true is no date the ledger can use "
        "(not a date, before 1900 or in the future); stored undated",
        f'redline: ingest: {folder / "r.jsonl"}:line 2: date {{"day": 3}} is no date the ledger '
        "can use (not a date, before 1900 or in the future); stored undated",
    ], result.stderr  # an empty list is no date given
    assert "problems" in result.stdout and "the file name's date 2099-12-31" in result.stdout
    ledger = Ledger.open(db, create=False)
    docs = list_documents(ledger)
    assert len(docs) == 4 and all(d.published is None for d in docs)


def test_show_and_documents_refuse_odd_numbers_in_one_line(db: str, tmp_path: Path) -> None:
    """`redline show 99999999999999999999` and `redline documents --limit` past 64 bits or
    below 0 ended in a database traceback (SQLite's OverflowError, PostgreSQL's DataError);
    `show a_b` read "_" as LIKE's any character and matched documents without it."""
    from redline.errors import RedlineError

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a_b.txt").write_text(
        "The talks went on for a third day, the ministry said on Monday.\n", encoding="utf-8"
    )
    (folder / "axb.txt").write_text(
        "Farmers in the valley expect a late harvest after the cold spring.\n", encoding="utf-8"
    )
    assert runner.invoke(app, ["ingest", str(folder), "--db", db, "--no-extract"]).exit_code == 0
    huge = "99999999999999999999"
    for ref in (huge, "²"):
        shown = runner.invoke(app, ["show", ref, "--db", db])
        assert isinstance(shown.exception, RedlineError), shown.exception
        assert f"no document matches {ref!r}" in str(shown.exception)
    shown = runner.invoke(app, ["show", "a_b", "--db", db])
    # the panel folds a long temporary path at any character: read it without the folds
    unfolded = "".join(c for c in shown.output if not c.isspace() and c != "│")
    assert shown.exit_code == 0 and "a_b.txt" in unfolded, shown.exception
    listed = runner.invoke(app, ["documents", "--db", db, "--limit", huge, "-f", "csv"])
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 3, listed.exception
    negative = runner.invoke(app, ["documents", "--db", db, "--limit", "-1"])
    assert negative.exit_code == 2 and "--limit" in negative.output


def test_documents_and_show_in_csv_carry_every_field_their_json_has(
    db: str, tmp_path: Path
) -> None:
    """`documents -f csv` had the table's eight columns and `show -f csv` nine, where JSON has
    the content hash, locator, format, URL, date source, genre, language, run, extractor version
    and the moment of ingest; the columns they had come first, and the formula guard holds."""
    import csv
    import io

    record = {
        "title": "=HYPERLINK(1)",
        "text": "The harbour reopened on Monday after the storm passed over the coast at night.",
        "date": "2024-03-01",
        "url": "https://example.org/harbour",
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(tmp_path), "--db", db, "--no-extract"]).exit_code == 0
    for command in (["documents"], ["show", "1"]):
        as_json = runner.invoke(app, [*command, "--db", db, "-f", "json"])
        whole = json.loads(as_json.output)
        (whole,) = whole["items"] if "items" in whole else [whole["document"]]
        as_csv = runner.invoke(app, [*command, "--db", db, "-f", "csv"])
        (row,) = csv.DictReader(io.StringIO(as_csv.output))
        assert list(row)[:8] == [
            "id",
            "published",
            "published_precision",
            "outlet",
            "author",
            "title",
            "n_chars",
            "source_path",
        ]
        assert sorted(row) == sorted(whole), command
        assert row["title"] == "'=HYPERLINK(1)"
        assert row["url"] == "https://example.org/harbour"
        assert row["ingested_at"] == whole["ingested_at"]
        assert row["content_hash"] == whole["content_hash"]


def test_a_csv_report_starts_on_the_first_line_when_extraction_follows(
    db: str, tmp_path: Path
) -> None:
    """`redline ingest DIR -f csv` printed an empty line before its header when extraction
    followed (the extraction bar was drawn on standard output, where a pipe got the line it
    leaves), so a CSV reader took an empty header; ingest's own bar, and `run`'s, are drawn on
    standard error."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "2024-05-02_note.txt").write_text(
        "Warning over the bridge\n\nThe ministry said on Thursday that any convoy crossing the "
        "bridge would be stopped by force.\n",
        encoding="utf-8",
    )
    csv_out = runner.invoke(app, ["ingest", str(folder), "--db", db, "-f", "csv"])
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.stdout.splitlines()[0].startswith("run_id,files,")
    again = runner.invoke(app, ["extract", "--db", db, "--redo"])
    assert again.exit_code == 0 and again.stdout.startswith("extracted 1 document:")


def test_a_negative_max_bytes_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    """`--max-bytes -1` refused every file as "0.0 MB, above the limit of -0.0 MB" and the run
    exited 0 having read nothing; the help says 0 means no limit, and less means nothing."""
    note = tmp_path / "note.txt"
    note.write_text("The council met on Tuesday.\n", encoding="utf-8")
    db = tmp_path / "l.db"
    result = CliRunner().invoke(
        app, ["ingest", str(note), "--db", str(db), "--max-bytes", "-1", "--no-extract"]
    )
    assert result.exit_code == 2 and "--max-bytes" in result.output, result.output
    assert not db.exists()
