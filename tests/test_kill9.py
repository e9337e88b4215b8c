"""kill -9 in the middle of ingest and of extraction, on SQLite and PostgreSQL: a rerun leaves
the ledger exactly as one uninterrupted run does (nothing lost, nothing doubled)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from redline.store import Ledger

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
