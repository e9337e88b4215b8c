"""Every error Redline raises on purpose, each with a message that names the file and the problem.

RedlineError
 ├── ConfigError          bad option, database URL or data file
 ├── StoreError           the ledger cannot be opened or migrated
 ├── InputError           one input file (or one line of it) cannot be read as a document
 ├── ModelError           the spaCy pipeline is missing or is not the pinned one
 └── GoldError            a gold annotation file is malformed

Terminated (a BaseException, like KeyboardInterrupt): SIGTERM stopped a long run.
"""

from __future__ import annotations


class RedlineError(Exception):
    """Base class: the CLI prints these as one line and exits with status 2."""


class ConfigError(RedlineError):
    pass


class NoSuchDay(ConfigError):
    """A date written YYYY-MM-DD that names no day of the calendar ("2024-02-30")."""


class StoreError(RedlineError):
    pass


class ModelError(RedlineError):
    pass


class GoldError(RedlineError):
    pass


class InputError(RedlineError):
    """A problem with one input: ``path`` and optional ``locator`` ("line 7") say where."""

    def __init__(self, path: str, reason: str, locator: str | None = None) -> None:
        self.path = path
        self.reason = reason
        self.locator = locator
        where = f"{path}:{locator}" if locator else path
        super().__init__(f"{where}: {reason}")


class Terminated(BaseException):
    """SIGTERM reached a run that stops cleanly on it (``redline extract``): raised from the
    signal handler, so it unwinds as Ctrl-C does. Not an ``Exception``: a handler that keeps a
    run going past one bad document must not swallow it."""
