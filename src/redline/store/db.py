"""Open a ledger database from a URL or a path, and bring its schema up to date with Alembic."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from redline.errors import StoreError
from redline.signals import held
from redline.store import schema
from redline.store.schema import utc

DEFAULT_DB_URL = "sqlite:///redline.db"
_MIGRATIONS = Path(__file__).with_name("migrations")


MAX_ID = 2**63 - 1  # the largest id a database integer key holds


def row_id(text: str) -> int | None:
    """``text`` as a row id: ASCII digits naming a number a database integer key can hold, else
    None. ``str.isdigit`` takes "²", which ``int`` refuses, and SQLite refuses a number past its
    integers: both ended a lookup by id in a traceback."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def resolve_db_url(db: str | os.PathLike[str] | None = None) -> str:
    """``--db`` wins over ``REDLINE_DB``, which wins over ``./redline.db``; a bare path (text or
    a ``Path``) means SQLite."""
    if isinstance(db, os.PathLike):
        db = os.fspath(db)  # Ledger.open(Path("ledger.db")) ended in a TypeError
    if db is not None and not isinstance(db, str):
        raise StoreError(
            f"a ledger is a database URL or a file path, not {db!r} ({type(db).__name__})"
        )
    if db is not None and not db.strip():
        # `--db "$LEDGER"` with the variable unset read ./redline.db (ingest started one there)
        raise StoreError("the ledger given is empty: give a file path or a database URL")
    value = db or os.environ.get("REDLINE_DB") or DEFAULT_DB_URL
    if "://" not in value:
        value = f"sqlite:///{value}"
    if value.startswith("postgresql://") or value.startswith("postgres://"):
        # psycopg 3 is the driver we ship; SQLAlchemy's bare scheme would look for psycopg2.
        value = "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def _shown(url: str) -> str:
    """The URL as it may appear in an error message: never with its password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url.split("@")[-1] if "@" in url else url


# How long a SQLite write waits for another process's write to end before it fails with
# "database is locked"
BUSY_SECONDS = 30


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={round(BUSY_SECONDS * 1000)}")
    cur.close()


def _name_the_ledger(context: sa.engine.ExceptionContext) -> None:
    """Tag an error the database raised with its ledger (``ledger``, no password), which the
    command line's one line names (``ledger_of``): "database is locked" or a lost server named
    no ledger, and REDLINE_DB may name one the user did not think of. The driver's own error
    carries the tag too: it alone keeps it when an extraction worker's error is pickled back
    to the parent."""
    if context.engine is None:
        return
    shown = context.engine.url.render_as_string(hide_password=True)
    for exc in (context.sqlalchemy_exception, context.original_exception):
        if exc is not None:
            with contextlib.suppress(AttributeError):  # an error without a __dict__
                exc.ledger = shown  # type: ignore[attr-defined]


def ledger_of(exc: BaseException) -> str | None:
    """The ledger a database error came from (``_name_the_ledger``), or None."""
    found = getattr(exc, "ledger", None) or getattr(getattr(exc, "orig", None), "ledger", None)
    return found if isinstance(found, str) else None


def alembic_config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


_LOCK_KEY = 0x5265644C696E65  # "RedLine": the advisory lock that serialises schema work
# the lock between analysts' decisions (held shared) and an audit drawing or judging its sample
# (held alone), and the file beside a SQLite ledger that stands for each lock
_DECISIONS_KEY = _LOCK_KEY + 1
LOCK_FILES = {_LOCK_KEY: ".lock", _DECISIONS_KEY: ".decisions.lock"}


def _create_sqlite_ledger(url: str, file: Path) -> None:
    """A new SQLite ledger, created whole or not at all: its schema is built in a file beside
    it and linked into place only when complete. SQLite commits each CREATE TABLE of a
    migration on its own, so an interrupted first migration left a file no later command could
    open ("table actors already exists"). Two processes creating one ledger: the first link
    wins, the other's copy is dropped."""
    partial = file.with_name(f".{file.name}.{os.getpid()}.creating")
    # the file, SQLite's journal beside it and the lock ``Ledger.exclusive`` takes
    beside = [partial, *(Path(f"{partial}{x}") for x in ("-wal", "-shm", "-journal", ".lock"))]
    for stale in beside:
        stale.unlink(missing_ok=True)
    engine = _sqlite_engine(sa.make_url(url).set(database=str(partial)))
    try:
        Ledger(engine).migrate()
        with engine.connect() as conn:  # back to one file: the new ledger carries no WAL
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        engine.dispose()
        if file.exists() and file.stat().st_size == 0:
            file.unlink(missing_ok=True)  # an empty file is no ledger (e.g. from `touch`)
        with contextlib.suppress(FileExistsError):  # another process's came first: it wins
            os.link(partial, file)
    finally:
        engine.dispose()
        for leftover in beside:
            leftover.unlink(missing_ok=True)


def _sqlite_engine(url: str | sa.URL) -> sa.Engine:
    """An engine on a SQLite file, with the ledger's pragmas on every connection."""
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_SECONDS})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    sa.event.listen(engine, "handle_error", _name_the_ledger)
    return engine


def read_only_problem(path: str | None) -> str | None:
    """Why the SQLite ledger at ``path`` cannot be written by this user, naming the file (the
    ledger, its folder, or a file SQLite or Redline keeps beside it), or None when nothing is
    read-only. SQLite said only "attempt to write a readonly database" or "disk I/O error"."""
    if not path or path == ":memory:":
        return None
    file = Path(path).expanduser().absolute()
    problems = []
    if file.exists() and not os.access(file, os.W_OK):
        problems.append(f"{file} is read-only for you")
    if file.parent.exists() and not os.access(file.parent, os.W_OK):
        problems.append(
            f"the folder {file.parent} is not writable by you (SQLite keeps the journal of "
            f"{file.name} beside it, even to read it)"
        )
    for suffix in ("-wal", "-shm", "-journal", *LOCK_FILES.values()):
        beside = Path(f"{file}{suffix}")
        if beside.exists() and not os.access(beside, os.W_OK):
            problems.append(f"{beside}, kept beside the ledger {file}, is read-only for you")
    return "; ".join(problems) or None


def _read_only_error(url: str | sa.URL, exc: Exception) -> StoreError | None:
    """A clear error for a ledger the user may not write (a SQLite ledger in another user's
    file or folder, a PostgreSQL ledger whose user lacks a privilege), or None when that is
    not why ``exc`` happened."""
    url = sa.make_url(url)
    if isinstance(exc, sa.exc.DBAPIError) and getattr(exc.orig, "sqlstate", None) == "42501":
        # PostgreSQL's insufficient_privilege: a traceback with the SQL of the refused write
        reason = " ".join(str(exc.orig).split())
        return StoreError(
            f"{_shown(url.render_as_string(hide_password=False))}: {reason}: your database user "
            "may only read this ledger (or lacks that privilege); ask its owner for the "
            "privilege; nothing was changed"
        )
    if not isinstance(exc, sa.exc.OperationalError | PermissionError):
        return None
    if url.get_backend_name() != "sqlite":
        return None
    problem = read_only_problem(url.database)
    if problem is None:
        return None
    return StoreError(
        f"{problem} (a ledger another user made?): ask its owner for write access, or work "
        "on a copy you own; nothing was changed"
    )


def _refuse_a_foreign_database(engine: sa.Engine, url: str) -> None:
    """A SQLite file with tables but no Redline schema version is another application's
    database (or a ledger whose creation an older version left half done): Redline adds no
    table to it."""
    tables = set(sa.inspect(engine).get_table_names())
    if tables and "alembic_version" not in tables:
        raise StoreError(
            f"{_shown(url)} holds tables but no Redline ledger ({', '.join(sorted(tables)[:5])}"
            f"{'...' if len(tables) > 5 else ''}): another application's database, or a ledger "
            "whose creation was interrupted; point --db at a new file or an existing ledger"
        )


class Ledger:
    """A connection to one ledger database. ``Ledger.open(url)`` migrates it to the newest schema."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self.t = schema  # tables, as ``ledger.t.documents``

    @classmethod
    def open(
        cls,
        db: str | os.PathLike[str] | None = None,
        *,
        migrate: bool = True,
        create: bool = True,
    ) -> Ledger:
        """Open (and migrate) a ledger: ``db`` is a database URL (``sqlite:///PATH``,
        ``postgresql://USER@HOST/DB``) or a SQLite file's path, as text or a ``Path`` (None:
        ``REDLINE_DB``, else ``./redline.db``). With ``create=False`` a ledger that does not
        exist yet is an error, not a new empty one: only ``ingest`` and ``run`` start a ledger."""
        url = resolve_db_url(db)
        if not url.startswith(("sqlite", "postgresql")):
            raise StoreError(
                f"unsupported database URL {_shown(url)!r}: use a file path, sqlite:///PATH "
                "or postgresql://USER@HOST/DB"
            )
        try:
            if url.startswith("sqlite"):
                path = sa.make_url(url).database
                if path and path != ":memory:":
                    file = Path(path).expanduser()
                    if file.is_dir():
                        # SQLite said only "unable to open database file"
                        raise StoreError(
                            f"{file} is a folder, not a ledger file: point --db / REDLINE_DB "
                            f"at a file (such as {file / 'redline.db'})"
                        )
                    if not create and not file.exists():
                        raise StoreError(
                            f"no ledger at {file} (start one with `redline ingest` or "
                            "`redline run`, or point --db / REDLINE_DB at an existing one)"
                        )
                    file.parent.mkdir(parents=True, exist_ok=True)
                    if migrate and (not file.exists() or file.stat().st_size == 0):
                        _create_sqlite_ledger(url, file)
                engine = _sqlite_engine(url)
                if migrate:  # only a migration adds tables (workers open without one)
                    _refuse_a_foreign_database(engine, url)
            else:
                engine = sa.create_engine(url, pool_pre_ping=True)
                sa.event.listen(engine, "handle_error", _name_the_ledger)
            ledger = cls(engine)
            if not create and not sa.inspect(engine).has_table("alembic_version"):
                raise StoreError(
                    f"{_shown(url)} holds no Redline ledger (start one with `redline ingest` "
                    "or `redline run`)"
                )
            if migrate:
                ledger.migrate()
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            read_only = _read_only_error(url, exc)
            if read_only is not None:
                raise read_only from exc
            if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
                # the driver's words, on one line: SQLAlchemy's text named the driver's error
                # twice and ended in a second line "(Background on this error at:
                # https://sqlalche.me/...)", and psycopg breaks "Connection refused" in lines
                reason = " ".join(str(exc.orig).split())
            else:
                reason = f"{exc.__class__.__name__}: {exc}"
            raise StoreError(f"cannot open ledger {_shown(url)!r}: {reason}") from exc
        return ledger

    @contextmanager
    def exclusive(self) -> Iterator[sa.Connection]:
        """A transaction no other process runs at the same time: schema migration and the actor
        table's sync, which several processes opening one new ledger would otherwise race on
        ("table alembic_version already exists", "UNIQUE constraint failed: actors.key").
        PostgreSQL: a transaction-scoped advisory lock; SQLite: a lock on a file beside the
        database (``<db>.lock``)."""
        with self._holding((_LOCK_KEY, False)) as conn:
            yield conn

    @contextmanager
    def deciding(self, *, exclusive: bool = False, audit: bool = False) -> Iterator[sa.Connection]:
        """A transaction that stores analysts' decisions (``exclusive``: inside ``exclusive``'s
        lock too, as a decision on an episode or an audit's judging is taken). Any number of
        decisions are stored at once, but none while an ``audit`` transaction draws or judges a
        sample: an audit then reads every decision stored before it and none half-stored. A
        review in flight as a sample was drawn or judged was read as made before it (its id
        fell below the draw's last one, or it was stored after the judging read which items
        were decided since the draw), and the judgment undid the analyst's later decision."""
        locks = [(_LOCK_KEY, False)] if exclusive else []
        with self._holding(*locks, (_DECISIONS_KEY, not audit)) as conn:
            yield conn

    @contextmanager
    def _holding(self, *locks: tuple[int, bool]) -> Iterator[sa.Connection]:
        """A transaction holding each of ``locks`` (key, shared?), taken in the order given:
        transaction-scoped advisory locks on PostgreSQL, locks on files beside a SQLite
        database (``LOCK_FILES``); none for a database in memory (one process). A stop
        (SIGTERM, Ctrl-C) waits for it to end (``redline.signals.held``)."""
        with held(), self._told_if_read_only(), self._locked(*locks) as conn:
            yield conn

    @contextmanager
    def _told_if_read_only(self) -> Iterator[None]:
        """A write SQLite refuses because the user may only read the ledger (or a lock file
        beside it cannot be made), or PostgreSQL because the user lacks the privilege, ends
        in a ``StoreError`` naming the ledger and the problem, not "attempt to write a
        readonly database" or a traceback."""
        try:
            yield
        except (sa.exc.DBAPIError, PermissionError) as exc:
            read_only = _read_only_error(self.engine.url, exc)
            if read_only is None:
                raise
            raise read_only from exc

    @contextmanager
    def _locked(self, *locks: tuple[int, bool]) -> Iterator[sa.Connection]:
        if self.engine.dialect.name == "postgresql":
            with self.engine.begin() as conn:
                for key, shared in locks:
                    take = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
                    conn.execute(sa.text(f"SELECT {take}(:key)"), {"key": key})
                yield conn
            return
        path = self.engine.url.database
        if not path or path == ":memory:":
            with self.engine.begin() as conn:
                yield conn
            return
        import fcntl

        with contextlib.ExitStack() as stack:
            for key, shared in locks:
                lock = stack.enter_context(open(f"{path}{LOCK_FILES[key]}", "a+b"))
                fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
                stack.callback(fcntl.flock, lock, fcntl.LOCK_UN)
            with self.engine.begin() as conn:
                yield conn

    def migrate(self) -> None:
        """Upgrade the schema to the newest Alembic revision (a no-op when it is current)."""
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with self.engine.connect() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                # current: no lock needed, so a ledger on a read-only disk (whose lock file
                # cannot be made) can still be read
                return
        with self.exclusive() as conn:
            # the revision read again under the lock (another run may have migrated meanwhile);
            # the head is the one read above
            current = MigrationContext.configure(conn).get_current_revision()
            if current != head:
                command.upgrade(alembic_config(conn), "head")

    @contextmanager
    def snapshot(self) -> Iterator[sa.Connection]:
        """A connection whose reads all see one committed state of the ledger, whatever other
        processes commit meanwhile (a `link` during an export gave tables of two runs):
        PostgreSQL's REPEATABLE READ, SQLite's read transaction. Nothing is written through it."""
        if self.engine.dialect.name == "postgresql":
            with (
                self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
                conn.begin(),
            ):
                yield conn
            return
        with self.engine.connect() as conn:
            # the driver starts no transaction for reads: a deferred one holds the snapshot
            # from the first read to the end (left by the rollback on closing)
            conn.exec_driver_sql("BEGIN")
            yield conn

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """One transaction: committed when the block ends, rolled back on an exception. A stop
        (SIGTERM, Ctrl-C) that comes during it is raised once it has ended
        (``redline.signals.held``)."""
        with held(), self._told_if_read_only(), self.engine.begin() as conn:
            yield conn

    def connect(self) -> sa.Connection:
        return self.engine.connect()

    def count(self, table: sa.Table) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())

    def start_run(
        self, stage: str, params: dict[str, Any] | None = None, conn: sa.Connection | None = None
    ) -> int:
        """Record a run's start; in ``conn``'s transaction when given (the run's id then
        follows the order in which such transactions commit)."""
        if conn is None:
            with self.begin() as own:
                return self.start_run(stage, params, own)
        res = conn.execute(
            sa.insert(schema.runs).values(stage=stage, started_at=now(), params=params or {})
        )
        return int(res.inserted_primary_key[0])  # type: ignore[index]

    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None:
        with self.begin() as conn:
            conn.execute(
                sa.update(schema.runs)
                .where(schema.runs.c.id == run_id)
                .values(finished_at=now(), stats=stats)
            )

    def dispose(self) -> None:
        self.engine.dispose()


def now() -> datetime:
    return datetime.now(UTC)


def local_day(moment: datetime) -> date:
    """The day ``moment`` (stored in UTC; SQLite gives it back without its zone) fell on
    here: the calendar every default date reads (``date.today()``). A review made at 20:00 in
    California is stored on the next UTC day, and its status held from a day not yet come."""
    return utc(moment).astimezone().date()
