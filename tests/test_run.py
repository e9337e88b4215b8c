"""`redline run` end to end on the bundled sample corpus: the demo's promises hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from tests.conftest import REPO
from typer.testing import CliRunner

from redline.cli import app
from redline.link import list_episodes
from redline.run import STAGES, Tick, run
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
    statuses = {e.status for e in episodes}
    assert "crossed_enforced" in statuses and "open" in statuses
    assert len({e.key.split(":")[0] for e in episodes}) >= 4
    enforced = {e.key for e in episodes if e.status == "crossed_enforced"}
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
    # the first verdicts a newcomer reads come with how often verdicts were right on real news
    assert "real-news test split" in " ".join(res.output.split())


def test_cli_run_reports_follow_through_at_the_level_asked_for(tmp_path: Path) -> None:
    """`run` printed "90% interval" whatever was asked: its table names the level it used, and
    the report and export it writes are at that level too."""
    import json

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
            "--level",
            "0.95",
            "--report",
            str(tmp_path / "r.html"),
            "--export",
            str(tmp_path / "out"),
            "--export-format",
            "json",
        ],
        env={"COLUMNS": "160"},
    )
    assert res.exit_code == 0, res.output
    assert "95% interval" in res.output and "90%" not in res.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<th>95% interval</th>" in html and "90%" not in html
    assert json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))["level"] == 0.95


def test_every_stage_reports_its_progress(demo, tmp_path: Path) -> None:
    ledger, _, _ = demo
    seen: dict[str, list[tuple[int, int | None]]] = {}

    @contextmanager
    def stages(name: str) -> Iterator[Tick]:
        seen[name] = []
        yield lambda done, total: seen[name].append((done, total))

    run(ledger, [SAMPLE], report=tmp_path / "r.html", export=tmp_path / "x", stages=stages)
    assert list(seen) == list(STAGES)
    files = len([p for p in SAMPLE.iterdir() if not p.name.startswith(".")])
    assert seen["ingest"][0] == (0, files) and seen["ingest"][-1] == (files, files)
    assert seen["link"] == seen["report"] and seen["link"][0][0] > 0  # episodes
    assert seen["export"][-1][0] == seen["export"][-1][1] > 10  # every table


_BAR = re.compile(r"^(ingest|extract|link|score|report|export) +━+ (.*)$", re.M)


def test_cli_run_draws_a_bar_for_every_stage_unless_told_not_to(tmp_path: Path) -> None:
    """Six bars on standard error, each finished with its count; --no-progress draws none."""
    args = ["run", str(SAMPLE), "--db", str(tmp_path / "l.db"), "--as-of", "2025-06-30"]
    args += ["--report", str(tmp_path / "r.html"), "--export", str(tmp_path / "x")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    bars = dict(_BAR.findall(res.stderr))
    assert list(bars) == list(STAGES), res.stderr
    assert re.match(r"(\d+)/\1 files ", bars["ingest"])
    assert re.match(r"(\d+)/\1 documents ", bars["extract"])
    assert re.match(r"[1-9]\d* episodes ", bars["link"])
    assert re.match(r"(\d+)/\1 tables ", bars["export"])
    assert not _BAR.search(res.stdout)  # the tables on standard output stay clean
    quiet = CliRunner().invoke(app, [*args, "--no-progress"])
    assert quiet.exit_code == 0, quiet.output
    assert not _BAR.search(quiet.output) and "Follow-through" in quiet.output


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--prior", "bogus"], "unknown prior 'bogus'"),
        (["--export", "EXPORT", "--export-format", "xlsx"], "'xlsx' is not one of 'parquet'"),
    ],
)
def test_a_bad_option_stops_a_run_before_any_work(
    tmp_path: Path, option: list[str], said: str
) -> None:
    """A bad prior or export format was found only after ingest, extraction and linking."""
    from redline.store.schema import documents

    db = tmp_path / "l.db"
    args = [str(tmp_path / "out") if a == "EXPORT" else a for a in option]
    result = CliRunner().invoke(app, ["run", str(SAMPLE), "--db", str(db), "--no-progress", *args])
    assert result.exit_code != 0 and said in f"{result.exception} {result.output}"
    if db.exists():  # the command line refuses a format before any ledger is opened
        ledger = Ledger.open(str(db), create=False)
        assert ledger.count(documents) == 0
        ledger.dispose()


@pytest.mark.parametrize(
    ("option", "said"),
    [
        ({"as_of": "2024-02-30"}, "no day of the calendar"),
        ({"window_days": 0}, "window_days must be a whole number"),
        ({"workers": "2"}, "workers must be a whole number"),
        ({"workers": 0}, "workers must be a whole number"),
    ],
)
def test_the_api_s_bad_date_window_or_workers_stop_a_run_before_any_work(
    tmp_path: Path, option: dict, said: str
) -> None:
    """`run(...)` read the as-of date and the window in link, and the workers in extract,
    after ingest (and extraction) had run: a date naming no day failed only then."""
    from redline.errors import ConfigError
    from redline.store.schema import documents, runs

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    with pytest.raises(ConfigError, match=said):
        run(ledger, [SAMPLE / "2022-02-08_meridian-wire-sanctions-warning.txt"], **option)
    assert (ledger.count(documents), ledger.count(runs)) == (0, 0)
    ledger.dispose()


@pytest.mark.parametrize(
    ("option", "said"),
    [
        ({"report": "FILE/report.html"}, "FILE is a file, not a folder"),
        ({"report": "."}, "is a folder; give the report a file name"),
        ({"report": "LOCKED/report.html"}, "the folder LOCKED is not writable"),
        ({"export": "FILE"}, "a file, not a folder"),
        ({"export": "FILE/out"}, "FILE is a file"),
        ({"export": "LOCKED/out"}, "the folder LOCKED is not writable"),
    ],
)
def test_a_report_or_export_path_that_cannot_be_written_stops_a_run_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: dict, said: str
) -> None:
    """A report or export path with a file in its way, or in a folder the user may not write
    (a read-only disk), was found only once ingest, extraction and linking had run (hours on a
    large corpus), then the last stage failed."""
    import os

    from redline.errors import ConfigError
    from redline.store.schema import documents, runs

    (tmp_path / "FILE").write_text("a file", encoding="utf-8")
    locked = tmp_path / "LOCKED"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real(p, mode))
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    where = {k: tmp_path / v for k, v in option.items()}
    with pytest.raises(ConfigError, match=re.escape(said.replace("LOCKED", str(locked)))):
        run(ledger, [SAMPLE / "2022-02-08_meridian-wire-sanctions-warning.txt"], **where)
    assert (ledger.count(documents), ledger.count(runs)) == (0, 0)
    ledger.dispose()


def test_one_path_given_alone_is_one_path(tmp_path: Path, monkeypatch) -> None:
    """`ingest_paths(ledger, "corpus")` (and `run`) read a lone string as its letters, paths
    "c", "o", ...: "/work/corpus" began with "/", the whole file system."""
    import shutil

    from redline.ingest import ingest_paths

    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SAMPLE / "2022-02-08_meridian-wire-sanctions-warning.txt", folder)
    monkeypatch.chdir(tmp_path)
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    report = ingest_paths(ledger, "corpus")
    assert (len(report.ingested), report.problems) == (1, [])
    assert ingest_paths(ledger, Path("corpus")).skipped != []
    ledger.dispose()


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[object, str]:
    """The exit status and standard error of ``redline ARGS`` through its entry point, which
    prints a RedlineError as one line."""
    import sys

    import redline.cli as cli

    monkeypatch.setattr(sys, "argv", ["redline", *args])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    return stopped.value.code, capsys.readouterr().err


def test_a_run_that_reads_nothing_says_so_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The error was cut at 80 columns when stderr was a pipe, splitting the folder's name."""
    empty = tmp_path / ("a-folder-whose-name-is-long-enough-to-pass-eighty-columns-" * 2)
    empty.mkdir()
    code, err = _main(
        monkeypatch, capsys, "run", str(empty), "--db", str(tmp_path / "l.db"), "--no-progress"
    )
    assert code == 2
    assert err == f"redline: error: read no files from {empty} (no supported documents there)\n"


def test_the_api_s_run_stops_on_a_path_to_nothing_as_redline_run_does(tmp_path: Path) -> None:
    """`redline run` refuses a mistyped path before any work; `run(ledger, ["corpsu"])` went on
    through every stage (relinking the ledger, writing the report) and the path was only one
    problem in `result.ingest.problems`. A folder of nothing supported was linked, reported
    and exported before `redline run` said it read no files."""
    from redline.errors import ConfigError, InputError, RedlineError
    from redline.store.schema import documents, episodes, runs

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    page = tmp_path / "report.html"
    with pytest.raises(InputError, match="corpsu: no such file or folder"):
        run(ledger, [SAMPLE, tmp_path / "corpsu"], report=page)
    with pytest.raises(ConfigError, match="run needs a file or folder to read"):
        run(ledger, [], report=page)
    assert (ledger.count(documents), ledger.count(runs)) == (0, 0)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RedlineError, match="read no files from .*empty \\(no supported"):
        run(ledger, empty, report=page)
    assert not page.exists() and ledger.count(episodes) == 0
    ledger.dispose()
    result = CliRunner().invoke(
        app, ["run", str(empty), "--db", str(tmp_path / "l.db"), "--no-progress", "-o", str(page)]
    )
    assert "read no files" in str(result.exception) and not page.exists()


def test_run_export_says_which_partial_folders_it_removed_as_export_does(tmp_path: Path) -> None:
    """`redline run --export` removed the partial folder a killed export had left without a
    word, and left one whose writer it cannot tell unnamed; `redline export` says both."""
    import subprocess
    import sys

    from redline.processes import machine_tag

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id no export runs under any more
    out = tmp_path / "export"
    dead = out / f".export-partial-{gone.pid}-{machine_tag()}-abcd1234"
    (dead / "threats.csv").parent.mkdir(parents=True)
    (dead / "threats.csv").write_text("half written", "utf-8")
    (out / ".export-partial-k3j4h5g6").mkdir()
    res = CliRunner().invoke(
        app,
        [
            "run",
            str(SAMPLE / "2022-02-08_meridian-wire-sanctions-warning.txt"),
            "--db",
            str(tmp_path / "l.db"),
            "--no-progress",
            "--export",
            str(out),
            "--export-format",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert f"removed 1 partial folder(s) an interrupted export left in {out}: {dead.name}" in said
    assert f"left 1 partial folder(s) in {out}" in said and ".export-partial-k3j4h5g6" in said
    assert not dead.exists()


def test_cli_run_at_80_columns_keeps_its_episode_headers_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make demo` in an 80-column terminal printed the episodes under headers folded to
    "conf/.", "sou/rce/s" and "opi/nio/n/onl/y" beside the sample's long keys and statuses;
    `redline episodes` keeps key, status and confidence there, and so does `run` now."""
    import redline.cli.run_cmd as run_cmd

    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "2024-09-02_river-post.txt").write_text(
        "Moscow warns over missile permission\n\nThe Kremlin warned on Monday that letting "
        "Ukraine strike deep inside Russia with Western missiles would make NATO a party to the "
        "war.\n",
        encoding="utf-8",
    )
    long_row = {
        "key": "RUS:long_range_strikes_inside_russia",
        "status": "crossed_partially_enforced",
        "confidence": 0.62,
        "verdict": True,
        "n_sources": 12,
        "opinion_only": True,
    }
    # the fields of an ``EpisodeSummary`` that `run` prints
    monkeypatch.setattr(run_cmd, "list_episodes", lambda *_a, **_k: [SimpleNamespace(**long_row)])
    res = CliRunner().invoke(
        app,
        ["run", str(corpus), "--db", str(tmp_path / "l.db"), "--no-progress"],
        env={"COLUMNS": "80"},
    )
    assert res.exit_code == 0, res.output
    table = res.output.split("Episodes as of", 1)[1].split("Follow-through", 1)[0]
    header = table.split("┡", 1)[0]
    words = set(re.findall(r"[a-z][a-z.]*", header))  # the title's date left out
    assert words <= {"key", "status", "confidence", "conf."}, words
    assert "RUS:long_range_strikes_inside_russia" in table and "0.62" in table
    assert "crossed_partially_enforced" in table


def test_a_second_cli_run_says_what_it_found_stored_already(tmp_path: Path) -> None:
    """Run again over the same files, the summary read "ingested 0 documents (0 duplicates, 0
    problems)" and "extracted 0 threats" above the episodes, as if it had read nothing: it says
    how many documents were in the ledger already."""
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "date 2023-04-02 Harbour report\n\nThe harbour master said the ferry would run late.\n",
        encoding="utf-8",
    )
    args = ["run", str(folder), "--db", str(tmp_path / "l.db"), "--no-progress", "-w", "1"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "already in the ledger" not in first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    said = " ".join(again.output.split())
    assert "ingested 0 documents (0 duplicates, 0 problems, 1 already in the ledger)" in said


def test_cli_run_names_each_bad_file_as_ingest_does(tmp_path: Path) -> None:
    """`redline run` counted its problems ("2 problems") and named no file: which one was bad,
    and why, was only in the ledger's ingest_problems table."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("", "utf-8")
    (folder / "wire.jsonl").write_text('{"title": "x", "text": \n', "utf-8")
    res = CliRunner().invoke(
        app, ["run", str(folder), "--db", str(tmp_path / "l.db"), "--no-progress"]
    )
    assert res.exit_code == 0, res.output
    assert f"redline: ingest: {folder / 'empty.txt'}: empty file" in res.stderr
    assert f"redline: ingest: {folder / 'wire.jsonl'}:line 1: invalid JSON" in res.stderr
    assert "2 problems" in res.stdout


def test_the_readme_s_call_gets_paths_and_typed_estimates_back(tmp_path: Path, monkeypatch) -> None:
    """The README calls `run(..., report="report.html")` with a string, as a script does: the
    signature took a Path only (mypy refused the README's own example) and the result's
    `report_path` was then a string typed as a Path; `credibility` was typed a list of Any."""
    import typing

    from redline.run import RunResult
    from redline.score import Estimate

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "2024-05-02_note.txt").write_text(
        "date 2024-05-02 Test Wire\nMinisters met in a quiet town on Thursday to talk about trade.\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    ledger = Ledger.open("sqlite:///ledger.db")
    result = run(ledger, ["corpus"], report="report.html", export="export", export_format="csv")
    ledger.dispose()
    assert result.report_path == Path("report.html") and result.report_path.is_file()
    assert result.export_dir == Path("export") and (result.export_dir / "manifest.json").is_file()
    assert typing.get_type_hints(RunResult)["credibility"] == list[Estimate]


def test_cli_run_names_its_report_and_export_as_given(tmp_path: Path) -> None:
    """`redline run -o "report[v2].html"` wrote that file and said "report: report.html": the
    paths were read as Rich markup."""
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "date 2023-04-02 Harbour report\n\nThe harbour master said the ferry would run late.\n",
        encoding="utf-8",
    )
    report, export = tmp_path / "report[v2].html", tmp_path / "export[bold]"
    args = ["run", str(folder), "--db", str(tmp_path / "l.db"), "--no-progress", "-w", "1"]
    res = CliRunner().invoke(
        app, [*args, "-o", str(report), "--export", str(export), "--export-format", "csv"]
    )
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert f"report: {report}" in said and f"export: {export}" in said
    assert report.exists() and export.is_dir()
