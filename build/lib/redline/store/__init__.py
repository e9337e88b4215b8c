"""The ledger store: schema, connection and migrations (SQLite by default, PostgreSQL for teams)."""

from redline.store.db import DEFAULT_DB_URL, Ledger, resolve_db_url

__all__ = ["DEFAULT_DB_URL", "Ledger", "resolve_db_url"]
