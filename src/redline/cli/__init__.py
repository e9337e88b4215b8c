"""Command-line interface: a thin layer over the Python API (``redline --help``)."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

INTERRUPTED = 130  # typer's exit status on Ctrl-C (128 + SIGINT), used by no command
TERMINATED = 143  # 128 + SIGTERM, the status a shell reports for a process SIGTERM ended


def _stopped_while_starting() -> NoReturn:
    """Ctrl-C while the command line loads its libraries and builds its commands (seconds,
    before any command runs): it printed a Python traceback from deep inside SQLAlchemy,
    Alembic or Typer and ended killed by the signal. One line now, and the Ctrl-C status.

    The process ends at once: nothing was done to finish, and a Ctrl-C that lands in the
    ``eval`` of a command's annotations (Typer reads them so) makes Python end killed by
    SIGINT whatever status ``SystemExit`` names."""
    sys.stderr.write("redline: interrupted while starting; nothing was done\n")
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(INTERRUPTED)


try:
    import sqlalchemy as sa

    from redline.cli import (  # noqa: F401  (registers commands)
        add_cmd,
        audit_cmd,
        bench_cmd,
        documents_cmd,
        extract_cmd,
        ingest_cmd,
        ledger_cmd,
        misses_cmd,
        review_cmd,
        run_cmd,
        train_cmd,
        triage_cmd,
    )
    from redline.cli.common import ERROR, app, err_console
    from redline.errors import RedlineError, Terminated
    from redline.store import db as store_db
except KeyboardInterrupt:
    _stopped_while_starting()

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        # typer turns a command's Ctrl-C into the status below (``SystemExit``); one that
        # escapes it came while typer built the commands, before any ran
        _stopped_while_starting()
    except RedlineError as exc:
        err_console.print(f"redline: error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(ERROR)
    except OSError as exc:
        # the system refused a read or write the commands do not catch themselves (the output
        # on a full disk: `redline episodes -f csv > /dev/full`): one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        err_console.print(
            f"redline: error: {where}{exc.strerror or exc}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(ERROR)
    except sa.exc.OperationalError as exc:
        # the database refused what a command asked of it: a read-only ledger file ("attempt
        # to write a readonly database"), a full disk, a lost server: one line, not a traceback,
        # naming the ledger (``Ledger`` tags the error with it)
        reason = " ".join(str(exc.orig or exc).split())
        ledger = store_db.ledger_of(exc)
        if reason == "database is locked":
            # SQLite's busy timeout ran out: that alone named neither the cause nor what to do
            reason += (
                f" (another process has been writing to it for over {store_db.BUSY_SECONDS:g} seconds, "
                "a `redline link` or `ingest` say; what was stored stays stored, and running the "
                "command again once that one has ended resumes)"
            )
        err_console.print(
            f"redline: error: the ledger {ledger or 'database'} refused the command: {reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(ERROR)
    except Terminated:
        # SIGTERM during extraction: the run stopped as on Ctrl-C (``extract.pipeline``)
        err_console.print(
            "redline: stopped by SIGTERM; what was stored stays stored, the run is recorded as "
            "interrupted, and running the command again resumes",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(TERMINATED)
    except SystemExit as exc:
        if exc.code == INTERRUPTED:  # typer stops silently on Ctrl-C: say what is left
            err_console.print(
                getattr(exc, "note", None)
                or "redline: interrupted; what was stored stays stored, and running the command "
                "again resumes",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        raise
