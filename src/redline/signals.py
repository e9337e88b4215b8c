"""SIGTERM stops a long run as Ctrl-C does (``redline extract``, ``redline ingest``), and
neither lands inside a ledger transaction."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from redline.errors import Terminated

# How many ledger transactions the main thread is inside (``held``); only the main thread
# runs signal handlers, so only its transactions count.
_held = 0


class StopOnSigterm:
    """While a run (an extraction, an ingest) works in the main thread, SIGTERM (a plain
    ``kill``, a service manager stopping it) raises ``Terminated``, so the run stops as on
    Ctrl-C: what it read is kept, an extraction's pool and workers end and its claims are
    released, and the run is recorded as interrupted. It died silently before (an extraction's
    workers went on and its claims held the batch for a whole lease). A second SIGTERM kills
    as usual. The previous handlers come back afterwards.

    Both stops wait for the ledger transaction under way, if any (``held``), to end: raised in
    the middle of one (while SQLAlchemy committed or returned the connection, say), the
    exception left the connection in its transaction, kept alive by the traceback, so on SQLite
    its write lock stayed; releasing the run's claims and recording the run then each waited
    out the 30-second busy timeout and failed, and the run's row said nothing of what it had
    stored."""

    active: ClassVar[StopOnSigterm | None] = None

    def __enter__(self) -> None:
        self.installed = threading.current_thread() is threading.main_thread()
        self.pending: BaseException | None = None
        if not self.installed:  # Python sets handlers in the main thread only
            return
        self.previous: Any = signal.signal(signal.SIGTERM, self._on_sigterm)
        # Ctrl-C is taken over only from Python's own handler (someone else's is left alone)
        self.previous_int: Any = signal.getsignal(signal.SIGINT)
        self.own_int = self.previous_int is signal.default_int_handler
        if self.own_int:
            signal.signal(signal.SIGINT, self._on_sigint)
        self.outer, StopOnSigterm.active = StopOnSigterm.active, self

    def _on_sigterm(self, signum: int, _frame: Any) -> None:
        self._restore_sigterm()  # a second SIGTERM kills as usual
        self._stop(Terminated(signum))

    def _on_sigint(self, _signum: int, _frame: Any) -> None:
        self._stop(KeyboardInterrupt())

    def _stop(self, exc: BaseException) -> None:
        if _held:
            # the transaction under way ends first (``held`` raises it then)
            self.pending = self.pending or exc
            return
        raise exc

    def raise_pending(self) -> None:
        exc, self.pending = self.pending, None
        if exc is not None:
            raise exc

    def _restore_sigterm(self) -> None:
        # None: a handler set outside Python, which cannot be put back; the default then
        signal.signal(signal.SIGTERM, signal.SIG_DFL if self.previous is None else self.previous)

    def __exit__(self, *_: object) -> None:
        if not self.installed:
            return
        self._restore_sigterm()
        if self.own_int:
            signal.signal(signal.SIGINT, self.previous_int)
        StopOnSigterm.active = self.outer


@contextmanager
def held() -> Iterator[None]:
    """A ledger transaction runs in here: a stop (SIGTERM or Ctrl-C) that comes during it is
    raised once it has committed or rolled back (``StopOnSigterm`` says why). Outside a run
    that stops on SIGTERM this only counts."""
    global _held
    main = threading.current_thread() is threading.main_thread()
    if main:
        _held += 1
    try:
        yield
    finally:
        if main:
            _held -= 1
            run = StopOnSigterm.active
            if not _held and run is not None:
                run.raise_pending()
