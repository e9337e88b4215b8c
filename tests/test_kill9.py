"""kill -9 in the middle of ingest and of extraction, on SQLite and PostgreSQL: a rerun leaves
the ledger exactly as one uninterrupted run does (nothing lost, nothing doubled). An extraction
with workers killed (kill -9 or SIGTERM) takes its workers with it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from redline.ingest import ingest_paths
from redline.store import Ledger
from redline.store.schema import documents, extract_claims, runs

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus"
TABLES = ("documents", "evidence", "threats", "events", "outcome_claims")


def _counts(ledger: Ledger) -> dict[str, int]:
    with ledger.connect() as conn:
        return {
            t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608
            for t in TABLES
        }


def _kill_when(ledger: Ledger, table: str, command: list[str]) -> None:
    """Start ``command`` and kill -9 it once ``table`` has rows (or when it ends by itself)."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if _counts(ledger)[table] > 0:
                break
        except sa.exc.OperationalError:  # the ledger is being created or is locked
            pass
        time.sleep(0.05)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)


def test_kill_9_during_ingest_and_extraction_then_rerun(ledger: Ledger, tmp_path: Path) -> None:
    url = ledger.engine.url.render_as_string(hide_password=False)
    cli = [sys.executable, "-m", "redline"]
    ingest = [*cli, "ingest", str(SAMPLE), "--db", url, "--no-progress", "-w", "1"]

    # the reference: one uninterrupted run in a ledger of its own
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    subprocess.run(
        [*cli, "ingest", str(SAMPLE), "--db", clean_url, "--no-progress", "-w", "1"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    clean = Ledger.open(clean_url, create=False)
    expected = _counts(clean)
    clean.dispose()
    assert expected["threats"] > 0

    # killed while documents are being stored (and extracted), then run again
    _kill_when(ledger, "documents", ingest)
    assert _counts(ledger)["documents"] <= expected["documents"]
    subprocess.run(ingest, check=True, capture_output=True, timeout=600)
    assert _counts(ledger) == expected

    # killed while extraction stores items, then extraction run again
    extract = [*cli, "extract", "--redo", "--db", url, "--no-progress", "-w", "1"]
    with ledger.begin() as conn:  # start the extraction over from nothing
        for table in ("threats", "events", "outcome_claims", "evidence"):
            conn.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608
        conn.execute(sa.text("UPDATE documents SET extracted_version = NULL"))
    _kill_when(ledger, "threats", extract)
    subprocess.run(
        [*cli, "extract", "--db", url, "--no-progress", "-w", "1"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert _counts(ledger) == expected


MARKER = "REDLINE_TEST_EXTRACTION"  # in the environment of a test's extraction processes


def _running(marker: str) -> list[int]:
    """The live processes (a zombie has ended) whose environment holds ``MARKER=marker``:
    an extraction and its forked workers, which inherit the environment."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:  # gone meanwhile, or another user's
            continue
        if f"{MARKER}={marker}".encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == pid:
                out.append(int(entry.name))
    return out


@contextlib.contextmanager
def _stores_noted(ledger: Ledger) -> Iterator[None]:
    """Every store of a document's extraction (its ``extracted_version`` set) noted in a table
    ``stores`` by a trigger, in the storing transaction: a document stored twice shows twice."""
    postgres = ledger.engine.dialect.name == "postgresql"
    if postgres:
        create = [
            "CREATE FUNCTION note_store() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN INSERT INTO stores VALUES (NEW.id); RETURN NEW; END $$",
            "CREATE TRIGGER note_store AFTER UPDATE OF extracted_version ON documents FOR EACH ROW "
            "WHEN (NEW.extracted_version IS NOT NULL) EXECUTE FUNCTION note_store()",
        ]
        drop = ["DROP TRIGGER note_store ON documents", "DROP FUNCTION note_store()"]
    else:
        create = [
            "CREATE TRIGGER note_store AFTER UPDATE OF extracted_version ON documents "
            "WHEN NEW.extracted_version IS NOT NULL "
            "BEGIN INSERT INTO stores VALUES (NEW.id); END"
        ]
        drop = ["DROP TRIGGER note_store"]
    with ledger.begin() as conn:
        for statement in ["CREATE TABLE stores (document_id INTEGER)", *create]:
            conn.execute(sa.text(statement))
    try:
        yield
    finally:  # the PostgreSQL ledger outlives the test
        with ledger.begin() as conn:
            for statement in [*drop, "DROP TABLE stores"]:
                conn.execute(sa.text(statement))


@pytest.fixture
def extraction(ledger: Ledger, tmp_path: Path) -> Iterator[tuple[Ledger, list[str], str]]:
    """The example corpus stored, not extracted, every store noted in ``stores``; the command
    of an extraction with two workers, and the marker in its environment that tells its
    processes from any other's. Whatever of it still runs at the end is killed."""
    ingest_paths(ledger, [SAMPLE], progress=False)
    url = ledger.engine.url.render_as_string(hide_password=False)
    command = [sys.executable, "-m", "redline", "extract", "--db", url, "--no-progress", "-w", "2"]
    marker = str(tmp_path)
    try:
        with _stores_noted(ledger):
            yield ledger, command, marker
    finally:
        for pid in _running(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _start_with_workers(ledger: Ledger, command: list[str], marker: str) -> subprocess.Popen[str]:
    """Start ``command`` and return once it has claimed documents and started both workers."""
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, MARKER: marker},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        with ledger.connect() as conn:
            claimed = conn.execute(sa.select(sa.func.count()).select_from(extract_claims))
            if claimed.scalar_one() and len(_children(proc.pid)) >= 2:
                return proc
        time.sleep(0.05)
    raise AssertionError("the extraction claimed nothing or started no workers in 2 minutes")


def _gone(marker: str, seconds: float = 30) -> list[int]:
    """Wait until no process of ``marker`` runs; those still running after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (alive := _running(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def test_kill_9_of_an_extraction_takes_its_workers_with_it(
    extraction: tuple[Ledger, list[str], str],
) -> None:
    """kill -9 of `extract --workers 2`: its workers went on (re-parented to init), extracted
    and stored their batches after the run had died, while the next run, finding the parent
    gone, dropped its claims and extracted the same documents again (73 stores for 57
    documents in a probe). Now the workers die with the parent, and after a run again each
    document is stored exactly once; the killed run is recorded as interrupted.

    The workers are stopped (SIGSTOP) before the parent is killed: whatever they are doing,
    they must not outlive it, and a stopped orphan stays until killed, where a busy one would
    leave in its own time and make the test a race."""
    ledger, command, marker = extraction
    proc = _start_with_workers(ledger, command, marker)
    for worker in _children(proc.pid):
        os.kill(worker, signal.SIGSTOP)
    proc.kill()
    proc.wait(timeout=60)
    assert _gone(marker) == []
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    with ledger.connect() as conn:
        stores = conn.execute(sa.text("SELECT document_id FROM stores")).scalars().all()
        ids = conn.execute(sa.select(documents.c.id)).scalars().all()
        pending = conn.execute(
            sa.select(documents.c.id).where(documents.c.extracted_version.is_(None))
        ).all()
        killed = conn.execute(
            sa.select(runs).where(runs.c.stage == "extract").order_by(runs.c.id)
        ).first()
    assert pending == []
    assert sorted(stores) == sorted(ids)  # each document stored once
    assert killed is not None and killed.finished_at is not None
    assert killed.stats["interrupted"] is True
    assert _gone(marker) == []


def test_sigterm_stops_an_extraction_as_ctrl_c_does(
    extraction: tuple[Ledger, list[str], str],
) -> None:
    """SIGTERM (a plain `kill`) to `extract --workers 2` ended it with no word, its workers
    went on storing, its claims held the batch and its run stayed unfinished. Now it stops as
    on Ctrl-C: workers gone, claims released, the run recorded as interrupted, a message and
    the status a shell gives SIGTERM."""
    ledger, command, marker = extraction
    proc = _start_with_workers(ledger, command, marker)
    proc.terminate()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    assert _gone(marker) == []
    with ledger.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(extract_claims)).scalar() == 0
        (run,) = conn.execute(sa.select(runs).where(runs.c.stage == "extract")).all()
    assert run.finished_at is not None and run.stats["interrupted"] is True
