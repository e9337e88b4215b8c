"""A stop (SIGTERM, Ctrl-C) during a run waits for the ledger transaction under way."""

from __future__ import annotations

import os
import signal
import time

import pytest
import sqlalchemy as sa

from redline.errors import Terminated
from redline.signals import StopOnSigterm, held
from redline.store import Ledger
from redline.store.schema import runs


def _runs(ledger: Ledger) -> int:
    return ledger.count(runs)


@pytest.mark.parametrize(
    ("signum", "stop"), [(signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt)]
)
def test_a_stop_during_a_transaction_comes_after_it_commits(
    sqlite_ledger: Ledger, signum: int, stop: type[BaseException]
) -> None:
    """Raised inside the transaction, the stop rolled back what the block had written, and when
    it came while SQLAlchemy was ending the transaction it left the connection (and SQLite's
    write lock) held by the traceback: the run's claims could not be released nor its row
    written, each after a 30-second wait (a multi-worker extraction stopped by SIGTERM recorded
    nothing of what it had stored). Now the block ends first, then the stop is raised."""
    reached_the_end = False
    with pytest.raises(stop), StopOnSigterm():
        with sqlite_ledger.begin() as conn:
            conn.execute(sa.insert(runs).values(stage="probe", started_at=sa.func.now()))
            os.kill(os.getpid(), signum)
            time.sleep(0.2)  # the handler runs here, inside the transaction
            reached_the_end = True
        pytest.fail("the stop was not raised once the transaction ended")
    assert reached_the_end
    assert _runs(sqlite_ledger) == 1  # committed, not rolled back
    # and nothing holds the write lock: another connection writes at once
    other = sa.create_engine(sqlite_ledger.engine.url, connect_args={"timeout": 0.5})
    with other.begin() as conn:
        conn.execute(sa.insert(runs).values(stage="after", started_at=sa.func.now()))
    other.dispose()
    assert _runs(sqlite_ledger) == 2


def test_an_exclusive_transaction_is_held_too(sqlite_ledger: Ledger) -> None:
    with pytest.raises(Terminated), StopOnSigterm(), sqlite_ledger.exclusive() as conn:
        conn.execute(sa.insert(runs).values(stage="probe", started_at=sa.func.now()))
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)
    assert _runs(sqlite_ledger) == 1


def test_outside_a_transaction_a_stop_is_raised_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(Terminated), StopOnSigterm():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    assert time.monotonic() - started < 4


def test_handlers_come_back_and_held_alone_changes_nothing() -> None:
    before_term = signal.getsignal(signal.SIGTERM)
    before_int = signal.getsignal(signal.SIGINT)
    with StopOnSigterm():
        assert signal.getsignal(signal.SIGTERM) is not before_term
    assert signal.getsignal(signal.SIGTERM) is before_term
    assert signal.getsignal(signal.SIGINT) is before_int
    # with no run that stops on SIGTERM, Ctrl-C inside a transaction is Python's as ever
    with pytest.raises(KeyboardInterrupt), held():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
