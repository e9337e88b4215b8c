"""Shared fixtures: a fresh ledger on SQLite and, where available, on a real PostgreSQL.

PostgreSQL tests read ``REDLINE_TEST_POSTGRES_URL``. Without it they skip with a reason,
unless ``REDLINE_REQUIRE_SERVICES=1`` (set by ``.ci/run``), where a missing service fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from redline.store import Ledger
from redline.store.schema import metadata

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REQUIRE_SERVICES = os.environ.get("REDLINE_REQUIRE_SERVICES") == "1"


def need_service(what: str, available: bool, how: str) -> None:
    """Skip when a service is missing locally; fail when CI promised it."""
    if available:
        return
    message = f"{what} is not available ({how})"
    if REQUIRE_SERVICES:
        pytest.fail(f"REDLINE_REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    need_service(f"shared data {path}", path.exists(), "the ../shared folder sits beside the repo")
    return path


def _truncate_all(engine: sa.Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def _postgres_ledger() -> Iterator[Ledger | None]:
    url = os.environ.get("REDLINE_TEST_POSTGRES_URL")
    if not url:
        yield None
        return
    ledger = Ledger.open(url)
    yield ledger
    ledger.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """A migrated, empty ledger, once per backend."""
    if request.param == "sqlite":
        led = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
        yield led
        led.dispose()
        return
    pg: Ledger | None = request.getfixturevalue("_postgres_ledger")
    need_service("PostgreSQL", pg is not None, "set REDLINE_TEST_POSTGRES_URL")
    assert pg is not None
    _truncate_all(pg.engine)
    yield pg


@pytest.fixture
def sqlite_ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A migrated, empty SQLite ledger, for tests whose subject is not the backend."""
    led = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield led
    led.dispose()


@pytest.fixture
def chromium_binary() -> str:
    path = (
        os.environ.get("REDLINE_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    need_service("Chromium", path is not None, "install Debian's chromium or set REDLINE_CHROMIUM")
    assert path is not None
    return path
