"""SIGTERM stops a long run as Ctrl-C does (``redline extract``, ``redline ingest``)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from redline.errors import Terminated


class StopOnSigterm:
    """While a run (an extraction, an ingest) works in the main thread, SIGTERM (a plain
    ``kill``, a service manager stopping it) raises ``Terminated``, so the run stops as on
    Ctrl-C: what it read is kept, an extraction's pool and workers end and its claims are
    released, and the run is recorded as interrupted. It died silently before (an extraction's
    workers went on and its claims held the batch for a whole lease). A second SIGTERM kills
    as usual. The previous handler comes back afterwards."""

    def __enter__(self) -> None:
        self.installed = threading.current_thread() is threading.main_thread()
        if self.installed:  # Python sets handlers in the main thread only
            self.previous: Any = signal.signal(signal.SIGTERM, self._raise)

    def _raise(self, signum: int, _frame: Any) -> None:
        self._restore()
        raise Terminated(signum)

    def _restore(self) -> None:
        # None: a handler set outside Python, which cannot be put back; the default then
        signal.signal(signal.SIGTERM, signal.SIG_DFL if self.previous is None else self.previous)

    def __exit__(self, *_: object) -> None:
        if self.installed:
            self._restore()
