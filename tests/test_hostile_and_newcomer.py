"""What a newcomer and a hostile input meet: clear refusals, safe CSV, safe terminal output,
records read whole (issue: a newcomer's first hour and a hostile input's worst)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import unicodedata
from pathlib import Path, PurePath
from typing import Any

import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import ConfigError
from redline.knowledge import actor_code
from redline.output import Format, csv_cell, render, terminal_text, to_json

runner = CliRunner()


def test_read_commands_refuse_a_missing_ledger(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "ledger.db"
    for command in (
        ["episodes"],
        ["threats"],
        ["documents"],
        ["report", "-o", str(tmp_path / "r.html")],
    ):
        result = runner.invoke(app, [*command, "--db", str(missing)])
        assert result.exit_code != 0, command
        assert not missing.parent.exists()  # nothing created on the way
    result = runner.invoke(app, ["threats", "--db", "mysql://u@h/db"])
    assert result.exit_code != 0


def test_missing_input_path_is_named(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    result = runner.invoke(app, ["run", str(tmp_path / "nosuchdir"), "--db", db])
    assert result.exit_code == 2 and "nosuchdir" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["ingest", str(empty), "--db", db, "--no-progress"])
    assert result.exit_code == 2 and "read no files" in result.output


def test_bad_dates_and_windows_are_option_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    folder = tmp_path / "in"
    folder.mkdir()
    bad = runner.invoke(app, ["run", str(folder), "--db", db, "--as-of", "notadate"])
    assert bad.exit_code == 2
    assert "'notadate' is not a date; write it as YYYY-MM-DD" in bad.output
    assert "Value error" not in bad.output
    # the right form naming no day is told so, as the API tells it (not to write YYYY-MM-DD)
    for command in (["run", str(folder)], ["episodes"], ["export", str(tmp_path / "out")]):
        no_day = runner.invoke(app, [*command, "--db", db, "--as-of", "2024-02-30"])
        assert no_day.exit_code == 2, no_day.output
        assert "'2024-02-30' is no day of the calendar" in " ".join(no_day.output.split())
    assert runner.invoke(app, ["run", str(folder), "--db", db, "--window-days", "0"]).exit_code == 2
    # a window past the calendar's last day ended `episodes` in an OverflowError traceback
    for command in (["episodes"], ["link"], ["credibility"], ["episode", "RUS:f16_delivery"]):
        far = runner.invoke(app, [*command, "--db", db, "--window-days", "100000000"])
        assert far.exit_code == 2 and "--window-days" in far.output, far.output


def test_help_speaks_command_line_not_python() -> None:
    for command in ("ingest", "run", "episodes"):
        shown = runner.invoke(app, [command, "--help"]).output
        assert "<list[" not in shown and "{PATH}" not in shown and "%Y" not in shown, command
    assert "PATH..." in runner.invoke(app, ["ingest", "--help"]).output


def test_report_refuses_an_empty_ledger(tmp_path: Path) -> None:
    from redline.store import Ledger

    db = tmp_path / "empty.db"
    Ledger.open(f"sqlite:///{db}").dispose()
    result = runner.invoke(app, ["report", "--db", str(db), "-o", str(tmp_path / "r.html")])
    assert result.exit_code != 0 and "no documents" in str(result.exception) + result.output
    assert not (tmp_path / "r.html").exists()


def test_actor_filters_take_names_and_suggest() -> None:
    assert actor_code("Russia") == actor_code("rus") == "RUS"
    assert actor_code("United States") == "USA"
    with pytest.raises(ConfigError, match="did you mean"):
        actor_code("Rusia")


@pytest.mark.parametrize(
    "bad", ['=HYPERLINK("http://x")', "=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_csv_cells_never_start_a_formula(bad: str) -> None:
    assert csv_cell(bad).startswith("'")
    out = render([{"title": bad}], Format.csv, ["title"])
    assert out is not None
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["title"] == "'" + bad
    assert csv_cell("plain text") == "plain text" and csv_cell(3) == 3


def test_terminal_text_strips_control_and_markup() -> None:
    text = terminal_text(
        "[/] [link=http://evil]click[/link] \x1b[31mred\x1b[0m \x1b]8;;http://x\x07y\x1b]8;;\x07 \x07bell"
    )
    assert "\x1b" not in text.plain and "\x07" not in text.plain
    assert "[link=http://evil]" in text.plain  # shown as text, never as a link
    assert not text.spans


def test_json_for_the_terminal_escapes_bidirectional_and_c1_controls() -> None:
    title = "report\u202egnp.exe\u202c \u2066x\u2069 \u200f\x85\x9b31m end"
    text = to_json({"title": title, "items": [title]})
    assert not any(ch in text for ch in "\u202e\u202c\u2066\u2069\u200f\x85\x9b")
    assert "\\u202e" in text  # escaped, not dropped: the value read back is the stored one
    assert json.loads(text) == {"title": title, "items": [title]}
    assert to_json({"t": "Kyiv – Київ"}) == '{\n  "t": "Kyiv – Київ"\n}'


def test_markup_in_titles_does_not_break_listings(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        '{"title": "[/] [link=http://evil]x[/link] \\u001b[31m", "author": "[bold]", '
        '"text": "The ministry said on Monday that it would respond to any attack with force. '
        'More text follows here to make it an article of some length."}\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "l.db")
    assert runner.invoke(app, ["ingest", str(folder), "--db", db, "--no-progress"]).exit_code == 0
    listed = runner.invoke(app, ["documents", "--db", db])
    assert listed.exit_code == 0, listed.output
    assert "\x1b" not in listed.output
    shown = runner.invoke(app, ["show", "1", "--db", db])
    assert shown.exit_code == 0, shown.output
    assert "[link=http://evil]" in shown.output


def test_an_id_no_database_holds_is_refused_not_a_traceback(sqlite_ledger) -> None:  # type: ignore[no-untyped-def]
    """An id typed as "²" (a digit to ``str.isdigit``, not to ``int``) or past the database's
    integers ended `show`, `episode` and `review` in a ValueError or OverflowError traceback."""
    from datetime import date

    from redline.errors import RedlineError
    from redline.link import link
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01", title="Note ²"), "RUS", "f16_delivery", stated="2024-04")
    link(sqlite_ledger, as_of=date(2024, 6, 1))
    db = sqlite_ledger.url
    huge = str(10**30)
    for args in (
        ["show", huge],
        ["episode", huge],
        ["episode", "²"],
        ["review", "threat", "²", "confirm", "--by", "ana"],
        ["review", "threat", huge, "confirm", "--by", "ana"],
        ["review", "episode", "²", "confirm", "--by", "ana"],
    ):
        res = runner.invoke(app, [*args, "--db", db])
        assert isinstance(res.exception, RedlineError), (args, res.exception)
    # a text that is no id is still looked up in titles and paths
    shown = runner.invoke(app, ["show", "²", "--db", db])
    assert shown.exit_code == 0 and "Note ²" in shown.output, shown.output


def test_csv_listings_carry_no_escape_sequence_from_a_file_name(tmp_path: Path) -> None:
    """A file's name was stored with its control characters, and CSV listings printed them: on a terminal an OSC sequence set the window title,
    and redirected (the CLI drops colour codes from output that is not a terminal) a name
    "\x1b[31m=x" left "=x" first in its cell, past the formula guard."""
    folder = tmp_path / "in"
    folder.mkdir()
    text = (
        "MOSCOW - Kremlin spokesman Dmitry Peskov warned on Monday that the delivery of F-16 "
        "jets to Ukraine would be met with a military response. More text follows here.\n"
    )
    (folder / "\x1b]0;pwned\x07news.txt").write_text(text, encoding="utf-8")
    (folder / "\x1b[31m=HYPERLINK(1).txt").write_text(text.replace("Monday", "Friday"), "utf-8")
    db = str(tmp_path / "l.db")
    res = runner.invoke(app, ["ingest", str(folder), "--db", db, "--no-progress"])
    assert res.exit_code == 0, res.output
    listed = runner.invoke(app, ["documents", "--db", db, "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    assert "\x1b" not in listed.output and "\x07" not in listed.output
    paths = [row["source_path"] for row in csv.DictReader(io.StringIO(listed.output))]
    # the name's control characters are stored as visible escapes (so two names differing only
    # by them stay apart), never as the characters themselves
    assert sorted(PurePath(p).name for p in paths) == [
        "\\x1b[31m=HYPERLINK(1).txt",
        "\\x1b]0;pwned\\x07news.txt",
    ]
    assert all(p.startswith(str(folder)) for p in paths)  # absolute paths: no formula


def test_a_document_is_found_by_the_text_typed_without_wildcards(sqlite_ledger) -> None:  # type: ignore[no-untyped-def]
    """`show` matched its text as a LIKE pattern: "%" named every document and "2023_01"
    found a file named 2023-01-..."""
    from redline.documents import get_document
    from redline.errors import RedlineError
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.doc(title="Tanks 2023-01 delivered")
    wanted = b.doc(title="Tariffs up 50% in 2023_01")
    assert get_document(sqlite_ledger, "50%").id == wanted
    assert get_document(sqlite_ledger, "2023_01").id == wanted
    with pytest.raises(RedlineError, match="no document matches '%%'"):
        get_document(sqlite_ledger, "%%")


def test_a_huge_csv_field_is_read_whole_and_a_broken_quote_refused(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    big = "word " * 40_000  # 200 KB in one cell, past the csv module's default limit
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["title", "text"])
    writer.writerow(["big one", big])
    writer.writerow(["small one", "A short statement about nothing much at all, told twice over."])
    (folder / "s.csv").write_text(buf.getvalue(), encoding="utf-8")
    (folder / "broken.csv").write_text(
        'title,text\nok,"A fine first record with enough words to count as text."\n'
        'bad,"an unterminated quote swallows\nnext,"the next record"\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "l.db")
    result = runner.invoke(
        app, ["ingest", str(folder), "--db", db, "--no-progress", "--no-extract", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    docs = runner.invoke(app, ["documents", "--db", db, "-f", "json"])
    titles = sorted(d["title"] for d in json.loads(docs.stdout)["items"])
    assert titles == ["big one", "ok", "small one"]
    assert "malformed CSV" in result.stderr and "rest of the file not read" in result.stderr


def test_help_version_and_module_entry_point() -> None:
    assert runner.invoke(app, ["-h"]).exit_code == 0
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("redline ")
    proc = subprocess.run(
        [sys.executable, "-m", "redline", "--version"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and proc.stdout.startswith("redline ")


def test_a_deeply_nested_json_line_costs_only_itself(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    first = '{"title": "t1", "text": "The ministry said on Monday it would answer any strike with force."}'
    second = '{"title": "t2", "text": "Farmers in the valley reported a late harvest after weeks of rain."}'
    (folder / "a.jsonl").write_text(
        "\n".join([first, "[" * 100_000, second]) + "\n", encoding="utf-8"
    )
    db = str(tmp_path / "l.db")
    result = runner.invoke(
        app, ["ingest", str(folder), "--db", db, "--no-progress", "--no-extract"]
    )
    assert result.exit_code == 0, result.output
    assert "a.jsonl:line 2: JSON nested deeper than 64 levels" in result.stderr
    docs = runner.invoke(app, ["documents", "--db", db, "-f", "json"])
    assert sorted(d["title"] for d in json.loads(docs.stdout)["items"]) == ["t1", "t2"]


def test_symlinks_out_of_the_folder_are_not_followed_and_a_file_is_stored_once(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n" * 20, encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "The foreign ministry warned on Tuesday that any new deployment would be met with a "
        "firm response, according to a statement published in the capital.\n",
        encoding="utf-8",
    )
    (folder / "passwd.txt").symlink_to(outside)
    alias = tmp_path / "alias"
    alias.symlink_to(folder, target_is_directory=True)
    db = str(tmp_path / "l.db")
    first = runner.invoke(app, ["ingest", str(folder), "--db", db, "--no-progress", "--no-extract"])
    assert first.exit_code == 0, first.output
    assert "passwd.txt: symbolic link to" in first.stderr and "not followed" in first.stderr
    again = runner.invoke(app, ["ingest", str(alias), "--db", db, "--no-progress", "--no-extract"])
    assert again.exit_code == 0, again.output
    docs = runner.invoke(app, ["documents", "--db", db, "-f", "json"])
    stored = json.loads(docs.stdout)["items"]
    assert len(stored) == 1 and "root:x" not in docs.stdout


def test_a_linked_folder_out_of_the_folder_is_said_not_skipped_without_a_word(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.txt").write_text(
        "The defence minister said on Monday that any strike on the bridge would bring a swift "
        "reply from the army, officials in the capital confirmed.\n",
        encoding="utf-8",
    )
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text((elsewhere / "b.txt").read_text().replace("bridge", "port"))
    (folder / "sub" / "loop").symlink_to(folder / "sub", target_is_directory=True)
    (folder / "away").symlink_to(elsewhere, target_is_directory=True)
    db = str(tmp_path / "l.db")
    result = runner.invoke(
        app, ["ingest", str(folder), "--db", db, "--no-progress", "--no-extract"]
    )
    assert result.exit_code == 0, result.output
    assert f"away: symbolic link to {elsewhere}, outside {folder}: not followed" in result.stderr
    assert "loop" not in result.stderr  # a link within the folder loses nothing: no problem


@pytest.mark.parametrize(
    "value", ["Mon, 01 Jan 0001 00:00:00 +0000", "0001-01-01", "1 January 0001", "0999-05-05"]
)
def test_a_year_before_1000_is_no_date_not_2001(value: str) -> None:
    from redline.ingest.dates import metadata_date

    assert metadata_date(value) is None


def test_ordinary_dates_with_zone_offsets_still_parse() -> None:
    from redline.ingest.dates import metadata_date

    for value in ("Tue, 15 Mar 2022 10:00:00 +0000", "Tue, 15 Mar 2022 10:00:00 -0500"):
        guess = metadata_date(value)
        assert guess is not None and guess.value.isoformat() == "2022-03-15"


def test_two_processes_can_open_one_new_ledger(tmp_path: Path) -> None:
    """Both migrate and sync the actor table under one lock; neither fails, nothing is doubled."""
    sample = Path(__file__).resolve().parents[1] / "examples" / "corpus"
    db = str(tmp_path / "new.db")
    command = [sys.executable, "-m", "redline", "ingest", str(sample), "--db", db, "--no-progress"]
    procs = [
        subprocess.Popen([*command, "-w", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()[-2000:]
    listed = runner.invoke(app, ["documents", "--db", db, "-f", "json"])
    once = {d["content_hash"] for d in json.loads(listed.stdout)["items"]}
    assert len(once) == len(json.loads(listed.stdout)["items"]) > 0


def test_two_extractions_at_once_store_each_item_once(ledger) -> None:  # type: ignore[no-untyped-def]
    """Two `redline extract --redo` processes over one ledger (SQLite and PostgreSQL) leave the
    same items as one process does: the document row is locked while its items are stored."""
    import sqlalchemy as sa

    from redline.ingest import ingest_paths

    sample = Path(__file__).resolve().parents[1] / "examples" / "corpus"
    ingest_paths(ledger, [sample], progress=False)
    url = ledger.engine.url.render_as_string(hide_password=False)
    command = [sys.executable, "-m", "redline", "extract", "--redo", "--db", url, "--no-progress"]

    def counts() -> list[int]:
        with ledger.connect() as conn:
            return [
                conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608
                for t in ("threats", "events", "outcome_claims", "evidence")
            ]

    subprocess.run([*command, "-w", "1"], check=True, capture_output=True, timeout=600)
    single = counts()
    assert single[0] > 0
    procs = [
        subprocess.Popen([*command, "-w", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()[-2000:]
    assert counts() == single


def test_report_to_a_folder_or_a_full_device_is_a_one_line_error(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "The foreign ministry warned on Tuesday that any new deployment would be met with a "
        "firm response, according to a statement published in the capital.\\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "l.db")
    assert runner.invoke(app, ["ingest", str(folder), "--db", db, "--no-progress"]).exit_code == 0
    result = runner.invoke(app, ["report", "-o", str(tmp_path), "--db", db])
    assert result.exit_code != 0 and "is a folder" in str(result.exception or result.output)
    # a file where the report's folder would go is named as such, and nothing is written
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    under = runner.invoke(app, ["report", "-o", str(tmp_path / "afile" / "r.html"), "--db", db])
    said = " ".join(str(under.exception or under.output).split())
    assert under.exit_code != 0 and f"{tmp_path / 'afile'} is a file, not a folder" in said
    if Path("/dev/full").exists():
        full = runner.invoke(app, ["report", "-o", "/dev/full", "--db", db])
        assert full.exit_code != 0 and "cannot write the report" in str(
            full.exception or full.output
        )


def test_an_ingest_problem_never_prints_a_file_names_escape_sequences(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad\x1b[31mred.txt").write_bytes(b"\x00\x01binary")
    result = CliRunner().invoke(
        app, ["ingest", str(folder), "--db", str(tmp_path / "l.db"), "--no-extract"]
    )
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "binary file" in shown
    assert "\x1b" not in shown


def test_a_table_that_fits_shows_every_short_value_whole() -> None:
    """`fits` and the layout agree: a short column is never narrower than three, so a table of
    one-digit columns that "fitted" by its values then cut its intervals at 80 columns."""
    from redline.output import _LONG_COLUMNS, column_widths, fits

    rows = [
        {"actor": "USA", "crossed": 5, "n": 2, "left": 3, "mean": "no evidence"}
        | {"interval": "0.368–0.983", "bounds": "0.33–0.80", "evidence": "28 documents, none"}
    ]
    columns = list(rows[0])
    for total in range(40, 120):
        if not fits(rows, columns, total):
            continue
        widths = column_widths(rows, columns, total)
        for c, w in zip(columns, widths, strict=True):
            assert c in _LONG_COLUMNS or w >= len(str(rows[0][c])), (total, c, w)


def test_at_80_columns_statuses_and_confidences_stay_whole_and_headers_shorten() -> None:
    """The narrow episode list keeps a status and its confidence whole beside the vocabulary's
    longest key (the confidence had shrunk to "0…" and the status to "crossed_partially_enf…"),
    and a listing too narrow for "actor country" says "country" (it folded to act/or/cou/ntr/y)."""
    from rich.console import Console

    from redline.cli.ledger_cmd import EPISODE_COLUMNS, EPISODE_COLUMNS_NARROW
    from redline.output import render

    row = {c: "" for c in EPISODE_COLUMNS} | {
        "id": 7,
        "key": "RUS:western_weapons_on_russian_territory",
        "status": "crossed_partially_enforced",
        "confidence": 0.63,
        "label": "RUS: Western weapons used on Russian territory " * 2,
    }
    console = Console(width=80, record=True)
    render([row], "table", EPISODE_COLUMNS, narrow=EPISODE_COLUMNS_NARROW, console=console)
    shown = console.export_text()
    assert "crossed_partially_enforced" in shown and "0.63" in shown
    events = [
        {"id": 1, "kind": "crossing", "actor_country": "USA", "trigger_key": "tanks_to_ukraine"}
        | {"event_date": "2023-01-25", "sentence": "The tanks are on their way. " * 4}
    ]
    console = Console(width=72, record=True)
    render(events, "table", list(events[0]), console=console)
    shown = console.export_text()
    assert "cou" in shown and "acto" not in shown and "tanks_to_ukraine" in shown


def test_no_column_vanishes_when_a_table_cannot_fit() -> None:
    """A column at the minimum width stopped the shrinking for every other column, so a
    timeline at 80 columns left Rich to squeeze five of its columns to nothing."""
    from redline.output import NARROW_MIN, column_widths

    rows = [
        {"actor": "USA", "step": 1, "date": "2022-02-03", "episode_key": "USA:" + "x" * 40}
        | {"status": "crossed_partially_enforced", "mean": "0.50", "lower": "0.10"}
        | {"upper": "0.90", "level": "0.90"}
    ]
    columns = list(rows[0])
    for total in range(50, 100):
        widths = column_widths(rows, columns, total)
        assert min(widths) >= NARROW_MIN, (total, widths)
        assert sum(widths) + 3 * len(columns) + 1 <= max(total, 3 * len(columns) + 1 + 3 * 9)


def test_a_document_is_found_by_its_title_in_any_letter_case(ledger) -> None:  # type: ignore[no-untyped-def]
    """SQLite's LIKE ignores the case of letters and PostgreSQL's does not: `show tariffs` found
    "Tariffs up" on SQLite and "no document matches" on PostgreSQL. Both ignore it now."""
    from redline.documents import get_document
    from test_link_factories import Builder

    b = Builder(ledger)
    b.doc(title="Tanks delivered")
    wanted = b.doc(title="Tariffs up 50% on Steel")
    assert get_document(ledger, "tariffs up 50%").id == wanted
    assert get_document(ledger, "STEEL").id == wanted


def test_a_run_whose_documents_failed_does_not_say_they_are_extracted_already(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document extraction fails on (a text too long for the parser, say) stays pending; the
    run said "1 errors" and then "every stored document is extracted with this extractor
    already", which it is not, and the next run fails on it again."""
    import redline.cli.extract_cmd as extract_cmd
    from redline.store import Ledger

    def failing(_ledger: Ledger, *, report: Any, **_options: Any) -> None:
        report.errors.append("document 1: ValueError: text too long")

    db = str(tmp_path / "l.db")
    Ledger.open(db).dispose()
    monkeypatch.setattr(extract_cmd, "extract_documents", failing)
    result = runner.invoke(app, ["extract", "--db", db, "--no-progress"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "1 errors" in said and "document 1: ValueError" in said
    assert "extracted with this extractor already" not in said


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (unicodedata.normalize("NFD", "Türkiye"), "TUR"),  # decomposed, as macOS types it
        ("ＲＵＳ", "RUS"),  # full width
        ("RUS\u200b", "RUS"),  # a zero-width space copied with it
        ("\u200eRussia\u00a0", "RUS"),  # a direction mark and a no-break space
    ],
)
def test_an_actor_filter_reads_a_name_as_it_looks(typed: str, code: str) -> None:
    """A name that looks right was refused: "Türkiye" decomposed got "unknown actor 'Türkiye';
    did you mean Türkiye", a full-width or zero-width-spaced RUS was unknown."""
    assert actor_code(typed) == code
    # a ledger's own code spelt decomposed is found however it is typed
    decomposed = unicodedata.normalize("NFD", "KÜR")
    assert actor_code("kür", present=[decomposed]) == decomposed


@pytest.mark.parametrize(
    ("gold", "said"),
    [
        ({"threats": 5}, "'threats' must be an object"),
        ({"threats": [{"file": "a.txt"}]}, "'threats' must be an object"),
        ({"threats": {"required": {"file": "a.txt"}}}, "'threats.required' must be a list"),
        ({"threats": {"lenient": [3]}}, "'threats.lenient' must be a list of objects"),
        ({"threats": {}, "crossings": "none"}, "'crossings' must be an object"),
        ({"threats": {}, "episodes": {"key": "RUS:x"}}, "'episodes' must be a list"),
        ({"threats": {}, "annotated_files": "a.txt"}, "'annotated_files' must be a list"),
        ({"threats": {"required": [{"file": 1}]}}, "threats.required[0]: no 'file'"),
        ({"threats": {"required": [{"file": "a.txt", "evidence": 2}]}}, "quoted text"),
        (
            {"threats": {"required": [{"file": "a.txt", "evidence_span": ["0", 4]}]}},
            "needs 'evidence' or 'evidence_span'",
        ),
        # empty evidence is in every sentence: it matched each prediction of its file
        ({"threats": {"lenient": [{"file": "a.txt", "evidence": " "}]}}, "its evidence is empty"),
        (
            {"threats": {"required": [{"file": "a.txt", "evidence_span": [500, 520]}]}},
            "threats.required[0]: its evidence is empty (is the span inside the file?)",
        ),
    ],
)
def test_a_gold_file_of_the_wrong_shape_is_named_not_a_traceback(
    tmp_path: Path, gold: dict[str, Any], said: str
) -> None:
    """`redline eval GOLD CORPUS` with a list where the gold's object belongs, or a number
    where a list does, ended in an AttributeError's traceback and exit status 1."""
    from redline.errors import GoldError
    from redline.evaluate import load_gold

    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    (tmp_path / "a.txt").write_text("The minister said the talks would go on.", encoding="utf-8")
    with pytest.raises(GoldError) as refused:
        load_gold(path, tmp_path)
    assert str(refused.value).startswith(f"{path}: ") and said in str(refused.value)


def test_a_gold_or_corpus_file_not_in_utf8_is_named_not_a_traceback(tmp_path: Path) -> None:
    from redline.errors import GoldError
    from redline.evaluate import load_gold

    path = tmp_path / "gold.json"
    path.write_bytes(b'{"threats": {"required": []}, "note": "caf\xe9"}')
    with pytest.raises(GoldError, match="gold.json: cannot read gold file: 'utf-8' codec"):
        load_gold(path, tmp_path)
    (tmp_path / "a.txt").write_bytes(b"caf\xe9 au lait")
    item = {"file": "a.txt", "evidence_span": [0, 3]}
    path.write_text(json.dumps({"threats": {"required": [item]}}), encoding="utf-8")
    with pytest.raises(GoldError, match=r"threats.required\[0\]: cannot read corpus file"):
        load_gold(path, tmp_path)
    # on the command line, a RedlineError: `main` prints it as one line, exit status 2
    path.write_bytes(b"\xff\xfe")
    result = runner.invoke(app, ["eval", str(path), str(tmp_path)])
    assert isinstance(result.exception, GoldError), result.exception


def test_eval_refuses_a_corpus_that_is_no_folder_or_holds_none_of_the_gold_s_files(
    tmp_path: Path,
) -> None:
    """`redline eval GOLD CORPUS` with CORPUS a file, or the wrong folder, ingested nothing,
    scored every kind 0 and ended as done (exit status 0): a wrong path read as a broken
    extractor."""
    from redline.errors import GoldError
    from redline.evaluate import evaluate

    gold = tmp_path / "gold.json"
    item = {"file": "warning.txt", "evidence": "would answer"}
    gold.write_text(json.dumps({"threats": {"required": [item]}}), encoding="utf-8")
    with pytest.raises(GoldError, match="gold.json: not a folder; give the folder"):
        evaluate(gold, gold)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.txt").write_text("Nothing here.", encoding="utf-8")
    with pytest.raises(GoldError, match=r"elsewhere: holds none of the 1 file .*warning.txt"):
        evaluate(gold, elsewhere)


def test_eval_s_table_shows_gold_names_as_typed_and_no_raw_controls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table of `redline eval GOLD CORPUS` read its title as Rich markup ("gold[v2].json"
    lost "[v2]", a "[bold]" in a folder's name set the style), and its misses printed a
    sentence's U+202E and C1 controls raw, reordering the rest of the line."""
    import redline.evaluate
    from redline.evaluate import EpisodeScore, EvalResult, ItemScore

    alarm = {"sentence": "The minister said \u202ethis\x9b would stop.", "file": "a.txt"}
    threats = ItemScore("threats", required=1, false_alarms=[alarm])
    seeds = EvalResult("g", "c", threats, ItemScore("crossings"), EpisodeScore())
    monkeypatch.setattr(redline.evaluate, "evaluate", lambda *a, **k: seeds)
    gold = tmp_path / "gold[v2].json"
    gold.write_text("{}", encoding="utf-8")
    corpus = tmp_path / "[bold]news"
    corpus.mkdir()
    result = runner.invoke(app, ["eval", str(gold), str(corpus)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "gold[v2].json on" in result.output and "[bold]news" in result.output
    assert "\u202e" not in result.output and "\x9b" not in result.output
    assert "\\u202ethis\\u009b would stop" in result.output
