"""The ``redline`` entry point: how a RedlineError and Ctrl-C end a command."""

from __future__ import annotations

from pathlib import Path

import pytest

import redline.cli as cli
from redline.errors import RedlineError


def _ending(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], raised: BaseException
) -> tuple[object, str]:
    def app() -> None:
        raise raised

    monkeypatch.setattr(cli, "app", app)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    return stopped.value.code, capsys.readouterr().err


def test_a_redline_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _ending(monkeypatch, capsys, RedlineError("ledger.db: no ledger there"))
    assert code == 2 and err.strip() == "redline: error: ledger.db: no ledger there"


def test_a_long_error_stays_one_line_whatever_the_width(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Written to a pipe (80 columns), an error longer than that was cut into lines, and an
    episode key or a path in it split mid-word: a script reading stderr, or a user copying the
    key, got pieces of it."""
    key = "RUS:" + "a_line_whose_key_is_long_enough_to_pass_the_width_" * 2
    message = f"no episode {key!r} in sqlite:////tmp/some/where/ledger.db; `redline episodes`"
    code, err = _ending(monkeypatch, capsys, RedlineError(message))
    assert code == 2 and err == f"redline: error: {message}\n"
    code, err = _ending(monkeypatch, capsys, SystemExit(130))
    assert len(err.splitlines()) == 1


def test_ctrl_c_says_what_is_kept_and_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """typer turns Ctrl-C into a silent exit 130; the entry point adds why and what is left."""
    code, err = _ending(monkeypatch, capsys, SystemExit(130))
    assert code == 130 and "interrupted" in err and "again resumes" in err
    code, err = _ending(monkeypatch, capsys, SystemExit(1))
    assert code == 1 and err == ""


# Ctrl-C (SIGINT to the process itself) at one moment of the start: as a library named by
# ``sys.argv[1]`` is imported, or as typer builds the commands ("commands")
_CTRL_C_AT = """
import importlib.abc, os, signal, sys
import typer.main
at = sys.argv[1]

def ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)

class Stop(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == at:
            sys.meta_path.remove(self)
            ctrl_c()
        return None

sys.meta_path.insert(0, Stop())
real = typer.main.get_command

def get_command(*args):
    if at == "commands":
        ctrl_c()
    return real(*args)

typer.main.get_command = get_command
sys.argv = ["redline", "--help"]
from redline.cli import main
main()
"""


@pytest.mark.parametrize("at", ["sqlalchemy.sql", "alembic", "redline.cli.ledger_cmd", "commands"])
def test_ctrl_c_while_the_libraries_load_is_one_line_and_exit_130(at: str) -> None:
    """Ctrl-C in the seconds the command line spends loading SQLAlchemy, Alembic and its
    commands printed a Python traceback from deep inside a library and ended killed by SIGINT
    (no status of its own). It is one line now, and the Ctrl-C status."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_AT, at], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == "redline: interrupted while starting; nothing was done\n"
    assert done.stdout == ""  # no help: it stopped before any command ran


def test_sigterm_says_what_is_kept_and_exits_143(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An extraction stopped by SIGTERM (``Terminated`` from its handler) ends as Ctrl-C does:
    one line on what is kept, no traceback, the shell's status for SIGTERM."""
    from redline.errors import Terminated

    code, err = _ending(monkeypatch, capsys, Terminated(15))
    assert len(err.splitlines()) == 1
    assert code == 143
    assert err.startswith("redline: stopped by SIGTERM") and "again resumes" in err
    assert "Traceback" not in err


def test_a_read_only_ledger_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A write to a ledger file the user may only read (`chmod 444`, an immutable file) made
    SQLite raise OperationalError, which `redline ingest` and `redline link` printed as a
    traceback with the SQL of the refused insert."""
    import sqlite3

    import sqlalchemy as sa

    refused = sa.exc.OperationalError(
        "INSERT INTO runs (stage) VALUES (?)",
        ("ingest",),
        sqlite3.OperationalError("attempt to write a readonly database"),
    )
    code, err = _ending(monkeypatch, capsys, refused)
    err = " ".join(err.split())
    assert code == 2
    assert err == (
        "redline: error: the ledger database refused the command: "
        "attempt to write a readonly database"
    )


def test_every_error_exits_2_as_the_readme_says(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    """`redline ingest` or `redline run` that read no file exited 1, while the same mistyped
    path given to `run` exited 2, as every other error does (a bad option, a missing ledger, a
    refused write); the README said neither. Every error now exits 2, as it documents."""
    from pathlib import Path

    from tests.conftest import REPO

    folder = Path(str(tmp_path))
    (folder / "empty").mkdir()
    db = str(folder / "l.db")
    for args in (
        ["ingest", str(folder / "missing"), "--db", db],
        ["ingest", str(folder / "empty"), "--db", db, "--no-progress"],
        ["run", str(folder / "empty"), "--db", db, "--no-progress"],
        ["run", str(folder / "missing"), "--db", db],
        ["episodes", "--db", str(folder / "none.db")],
        ["episodes", "--no-such-option"],
    ):
        monkeypatch.setattr("sys.argv", ["redline", *args])
        with pytest.raises(SystemExit) as stopped:
            cli.main()
        assert stopped.value.code == 2, (args, capsys.readouterr())
        assert "rror" in capsys.readouterr().err, args  # "redline: error:" or click's "Error:"
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "exits 0 when it did what it was asked, 2 on any error" in readme


def test_a_ledger_kept_busy_too_long_is_named_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A write that waited out SQLite's busy timeout (another process writing for longer, as a
    long `redline link` does) ended in "the ledger database refused the command: database is
    locked": no ledger named (REDLINE_DB may point at one the user did not think of), no cause
    and nothing on what to do."""
    import sqlite3
    import sys

    from redline.store import Ledger
    from redline.store import db as store_db

    path = tmp_path / "ledger.db"
    Ledger.open(str(path)).dispose()
    monkeypatch.setattr(store_db, "BUSY_SECONDS", 0.2)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process's write under way
    try:
        monkeypatch.setattr(sys, "argv", ["redline", "link", "--db", str(path)])
        with pytest.raises(SystemExit) as stopped:
            cli.main()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    err = " ".join(capsys.readouterr().err.split())
    assert stopped.value.code == 2 and "Traceback" not in err
    assert err.startswith(f"redline: error: the ledger sqlite:///{path} refused the command")
    assert "database is locked (another process has been writing to it for over 0.2 seconds" in err
    assert "running the command again" in err
