"""The ledger store: URL resolution, migrations, and round trips on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from redline.errors import StoreError
from redline.store import Ledger, resolve_db_url
from redline.store.db import now
from redline.store.schema import documents, metadata


def test_resolve_db_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDLINE_DB", raising=False)
    assert resolve_db_url() == "sqlite:///redline.db"
    monkeypatch.setenv("REDLINE_DB", "team.db")
    assert resolve_db_url() == "sqlite:///team.db"
    assert resolve_db_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"


def test_migrations_match_schema(ledger: Ledger) -> None:
    """The Alembic head creates exactly the tables and columns that schema.py declares."""
    with ledger.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_migrate_is_idempotent(ledger: Ledger) -> None:
    ledger.migrate()
    ledger.migrate()
    assert ledger.count(documents) == 0


def test_document_round_trip_keeps_unicode_and_dates(ledger: Ledger) -> None:
    text = "Грушко warned of “enormous risks” — 🚀"
    with ledger.begin() as conn:
        conn.execute(
            sa.insert(documents).values(
                content_hash="a" * 64,
                source_path="x.txt",
                source_format="text",
                text=text,
                n_chars=len(text),
                published=date(2023, 5, 1),
                published_precision="month",
                ingested_at=now(),
            )
        )
    with ledger.connect() as conn:
        row = conn.execute(sa.select(documents)).one()
    assert row.text == text and row.published == date(2023, 5, 1)


def test_content_hash_is_unique(ledger: Ledger) -> None:
    values = dict(
        content_hash="b" * 64,
        source_path="y.txt",
        source_format="text",
        text="t",
        n_chars=1,
        ingested_at=now(),
    )
    with ledger.begin() as conn:
        conn.execute(sa.insert(documents).values(**values))
    with pytest.raises(sa.exc.IntegrityError), ledger.begin() as conn:
        conn.execute(sa.insert(documents).values(**values))
    assert ledger.count(documents) == 1


def test_the_listing_puts_undated_documents_last_on_every_backend(ledger: Ledger) -> None:
    """Newest first, undated last: PostgreSQL sorts NULL first in a descending order and SQLite
    last, so `redline documents` began with the undated ones on a team's ledger only (and
    `--limit 5` showed them instead of the newest)."""
    from redline.documents import list_documents

    for n, published in enumerate((date(2024, 1, 5), None, date(2024, 3, 9))):
        with ledger.begin() as conn:
            conn.execute(
                sa.insert(documents).values(
                    content_hash=str(n) * 64,
                    source_path=f"{n}.txt",
                    source_format="text",
                    text="t",
                    n_chars=1,
                    published=published,
                    ingested_at=now(),
                )
            )
    listed = [d.published for d in list_documents(ledger)]
    assert listed == [date(2024, 3, 9), date(2024, 1, 5), None]
    assert [d.published for d in list_documents(ledger, limit=1)] == [date(2024, 3, 9)]


def test_a_document_id_given_as_a_number_is_only_ever_an_id(sqlite_ledger: Ledger) -> None:
    """`get_document(ledger, 7)`, an id no document has, gave the document "report-7.txt" (the
    number read as a part of its path), and `add(ledger, "threat", 7, ...)` put an analyst's
    item on it; -1 "matched several documents". Text typed on the command line ("7") is still
    an id first, then a part of a path."""
    from redline.documents import get_document
    from redline.errors import RedlineError

    with sqlite_ledger.begin() as conn:
        conn.execute(
            sa.insert(documents).values(
                content_hash="a" * 64,
                source_path="/data/report-7.txt",
                source_format="text",
                text="t",
                n_chars=1,
                ingested_at=now(),
            )
        )
    for number in (7, -1):
        with pytest.raises(RedlineError, match=f"no document with id {number} in"):
            get_document(sqlite_ledger, number)
    assert get_document(sqlite_ledger, 1).source_path == "/data/report-7.txt"
    assert get_document(sqlite_ledger, "7").id == 1


def test_a_reference_to_several_documents_names_the_same_ones_on_every_backend(
    ledger: Ledger,
) -> None:
    """`redline show lakeside` named documents (3, 1) on PostgreSQL, which returns rows in no
    set order (an updated row moves), and (1, 3) on SQLite; of more than five, other ids."""
    from redline.documents import get_document
    from redline.errors import RedlineError

    for n in range(7):
        with ledger.begin() as conn:
            conn.execute(
                sa.insert(documents).values(
                    content_hash=str(n) * 64,
                    source_path=f"{n}_harbour-notes.txt",
                    source_format="text",
                    text="t",
                    n_chars=1,
                    ingested_at=now(),
                )
            )
    with ledger.begin() as conn:  # as extraction stamps a document
        conn.execute(sa.update(documents).where(documents.c.id <= 2).values(extracted_version="x"))
    with pytest.raises(RedlineError, match=r"several documents \(1, 2, 3, 4, 5\)"):
        get_document(ledger, "HARBOUR")


def test_a_stored_moment_reads_back_in_utc_on_every_backend(ledger: Ledger) -> None:
    """SQLite gave a moment back without its zone and PostgreSQL in its session's: the API's
    `ingested_at` and `created_at` were naive on one backend and aware on the other (`review`
    gave the decision's moment with its zone, `audit_trail` the same one without on SQLite), and
    a server in Tokyo printed `+09:00` in the JSON listings and exports where SQLite's read UTC."""
    from datetime import UTC

    from redline.documents import list_documents
    from redline.review import audit_trail, review
    from test_link_factories import Builder

    b = Builder(ledger)
    threat = b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04-20")
    reader = ledger
    if ledger.engine.dialect.name == "postgresql":  # a team's server in another time zone
        zoned = ledger.engine.url.update_query_dict({"options": "-c timezone=Asia/Tokyo"})
        reader = Ledger(sa.create_engine(zoned))
    try:
        decided = review(reader, "threat", threat, "confirm", reviewer="ana")
        (trail,) = audit_trail(reader)
        assert trail.created_at == decided.created_at
        (doc,) = list_documents(reader)
        for moment in (decided.created_at, trail.created_at, doc.ingested_at):
            assert moment.tzinfo is UTC, moment
    finally:
        if reader is not ledger:
            reader.dispose()


def test_unreachable_database_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(StoreError, match="cannot open ledger"):
        Ledger.open("sqlite:////proc/redline-test/ledger.db")


def test_a_failed_open_never_shows_the_password() -> None:
    # Port 9 (discard) has no PostgreSQL behind it, so connecting fails at once.
    with pytest.raises(StoreError) as err:
        Ledger.open("postgresql://analyst:s3cret-pw@127.0.0.1:9/redline")
    assert "s3cret-pw" not in str(err.value)
    assert "127.0.0.1:9/redline" in str(err.value)


def test_a_server_that_cannot_be_reached_is_one_line_in_the_drivers_words() -> None:
    """The README promises one line on standard error: a PostgreSQL ledger that could not be
    opened (no server, a wrong password, no such database) gave SQLAlchemy's text, over two or
    three lines ending in "(Background on this error at: https://sqlalche.me/e/...)"."""
    with pytest.raises(StoreError) as err:
        Ledger.open("postgresql://analyst@127.0.0.1:9/redline")
    message = str(err.value)
    assert "\n" not in message and "sqlalche.me" not in message, message
    assert message.startswith("cannot open ledger 'postgresql+psycopg://analyst@127.0.0.1:9/")
    assert "connection failed" in message and "(psycopg.OperationalError)" not in message


def test_a_new_sqlite_ledger_is_created_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite commits each CREATE TABLE on its own, so a first migration stopped halfway left a
    file no later command could open ("table actors already exists"). The schema is now built
    beside the file and linked into place once whole: a stopped creation leaves nothing, and
    the next open creates the ledger."""
    import sqlalchemy as sa

    from redline.store import db as db_module

    target = tmp_path / "new.db"
    real = db_module.Ledger.migrate

    def interrupted(self: Ledger) -> None:
        with self.engine.begin() as conn:  # one table of the schema, then Ctrl-C
            conn.exec_driver_sql("CREATE TABLE actors (id INTEGER PRIMARY KEY)")
        raise KeyboardInterrupt

    monkeypatch.setattr(db_module.Ledger, "migrate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Ledger.open(str(target))
    assert not target.exists() and [p.name for p in tmp_path.iterdir()] == []
    monkeypatch.setattr(db_module.Ledger, "migrate", real)
    ledger = Ledger.open(str(target))
    assert sa.inspect(ledger.engine).has_table("alembic_version")
    ledger.dispose()


def test_a_database_of_another_application_is_refused_and_left_alone(tmp_path: Path) -> None:
    """A SQLite file with tables but no Redline schema is not made into a ledger: the error
    says what it is, and no table is added to it (a failed ingest had left four)."""
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, note TEXT)")
    with pytest.raises(StoreError, match="holds tables but no Redline ledger \\(runs\\)"):
        Ledger.open(str(other))
    with sqlite3.connect(other) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["runs"]


def test_a_folder_given_as_the_ledger_is_named_a_folder(tmp_path: Path) -> None:
    """`--db corpus/` (a folder) said only "cannot open ledger ...: unable to open database
    file", for reading and for starting a ledger alike."""
    for create in (False, True):
        with pytest.raises(StoreError, match=f"{tmp_path} is a folder, not a ledger file"):
            Ledger.open(str(tmp_path), create=create)


def test_an_empty_ledger_name_is_refused_not_read_as_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`redline ingest x --db "$LEDGER"` with the variable unset started ./redline.db: an empty
    --db read as no --db at all."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REDLINE_DB", raising=False)
    for empty in ("", "  "):
        with pytest.raises(StoreError, match="the ledger given is empty"):
            Ledger.open(empty)
    assert not (tmp_path / "redline.db").exists()


def test_a_snapshot_reads_one_committed_state(ledger: Ledger) -> None:
    """Reads through ``Ledger.snapshot`` see the ledger as it was at their first read, whatever
    another process commits meanwhile: an export read a link's manifest date and another
    link's episodes (SQLite and PostgreSQL alike)."""
    with ledger.begin() as conn:
        conn.execute(
            sa.insert(documents).values(
                content_hash="b" * 64,
                source_path="y.txt",
                source_format="text",
                text="snow",
                n_chars=4,
                ingested_at=now(),
            )
        )
    count = sa.select(sa.func.count()).select_from(documents)
    with ledger.snapshot() as conn:
        before = conn.execute(count).scalar_one()
        with ledger.begin() as other:  # another process deletes meanwhile
            other.execute(sa.delete(documents))
        assert conn.execute(count).scalar_one() == before == 1
    assert ledger.count(documents) == 0


def test_a_current_ledger_opens_without_its_lock_file(tmp_path: Path) -> None:
    """Opening a ledger took its schema lock (a file beside it) even when there was nothing to
    migrate: on a read-only disk, where that file cannot be made, even `redline documents`
    failed with "cannot open ledger ... ledger.db.lock: Read-only file system". A lock path
    that cannot be opened stands in for that disk here (root writes to read-only files)."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger.open(url).dispose()
    (tmp_path / "ledger.db.lock").unlink(missing_ok=True)
    (tmp_path / "ledger.db.lock").mkdir()  # open(..., "a+b") fails, as on a read-only disk
    ledger = Ledger.open(url, create=False)
    try:
        assert ledger.count(documents) == 0
    finally:
        ledger.dispose()


def test_a_ledger_the_user_may_only_read_is_one_clear_line_naming_it(tmp_path: Path) -> None:
    """A ledger another user made (a read-only file, or a folder the user cannot write, where
    SQLite keeps its journal) gave "attempt to write a readonly database" (with SQLAlchemy's
    background link) or "disk I/O error", naming neither the file nor permissions. Root writes
    to read-only files: the commands run as root without the capability that lets it."""
    import os
    import shutil
    import subprocess
    import sys

    if os.geteuid() != 0 or shutil.which("capsh") is None:
        pytest.skip("needs root and capsh to run a command without write permission")
    from tests.conftest import REPO

    folder = tmp_path / "theirs"
    folder.mkdir()
    db = folder / "ledger.db"
    Ledger.open(f"sqlite:///{db}").dispose()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}

    def run(*args: str) -> tuple[int, str]:
        command = " ".join([sys.executable, "-m", "redline", *args, "--db", str(db)])
        done = subprocess.run(
            [
                "capsh",
                "--drop=cap_dac_override,cap_dac_read_search,cap_fowner",
                "--",
                "-c",
                command,
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        return done.returncode, " ".join(done.stderr.split())

    try:
        db.chmod(0o444)
        article = tmp_path / "a.txt"
        article.write_text("A ferry left the harbour on time.\n", encoding="utf-8")
        code, err = run("ingest", str(article), "--no-extract")
        assert code == 2 and "Traceback" not in err, err
        assert f"{db} is read-only for you" in err and "nothing was changed" in err, err
        for beside in ("-wal", "-shm"):  # as the owner's last connection leaves it
            Path(f"{db}{beside}").unlink(missing_ok=True)
        folder.chmod(0o555)
        code, err = run("documents")
        assert code == 2 and "Traceback" not in err and "sqlalche.me" not in err, err
        assert str(db) in err and f"folder {folder} is not writable" in err, err
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    assert Ledger.open(f"sqlite:///{db}", create=False).count(documents) == 0


def test_a_postgresql_user_who_may_only_read_gets_one_clear_line(
    _postgres_ledger: Ledger | None,
) -> None:
    """A team ledger on PostgreSQL whose user may only read it (`GRANT SELECT`): `redline
    link` ended in a ProgrammingError traceback ("permission denied for table runs") with the
    SQL of the refused insert. It is one error naming the ledger and the privilege."""
    from tests.conftest import need_service

    need_service("PostgreSQL", _postgres_ledger is not None, "set REDLINE_TEST_POSTGRES_URL")
    assert _postgres_ledger is not None
    url = _postgres_ledger.engine.url.set(query={"options": "-crole=pg_read_all_data"})
    try:
        with sa.create_engine(url).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.DBAPIError:
        pytest.skip("the test database user cannot take the role pg_read_all_data")
    reader = Ledger.open(url.render_as_string(hide_password=False), create=False)
    try:
        with pytest.raises(StoreError) as refused:
            reader.start_run("link")
        message = str(refused.value)
        assert "permission denied for table runs" in message and "only read" in message
        assert "INSERT" not in message and "nothing was changed" in message
    finally:
        reader.dispose()
