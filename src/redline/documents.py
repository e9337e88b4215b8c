"""Read documents back out of the ledger (listing and lookup by id, path or title)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import sqlalchemy as sa

from redline.errors import RedlineError
from redline.store import Ledger
from redline.store.db import MAX_ID, row_id
from redline.store.schema import documents

_LIST_COLS = [c for c in documents.c if c.name not in ("text", "minhash")]
_SHOWN_COLS = [c for c in documents.c if c.name != "minhash"]
LISTED_FIELDS = [c.name for c in _LIST_COLS]
"""The fields of each document ``list_documents`` gives."""
SHOWN_FIELDS = [c.name for c in _SHOWN_COLS]
"""The fields of the document ``get_document`` gives (the listing's and its text)."""


def source_name(url: str | None, source_path: str | None) -> str | None:
    """Where a document came from, as a reader finds it again: its URL, else its file's name."""
    return url or (PurePath(source_path).name if source_path else None)


def list_documents(ledger: Ledger, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The stored documents without their text (``LISTED_FIELDS``), newest first and undated
    last on every backend; ``limit``: at most that many (0 or None: every one)."""
    # PostgreSQL puts NULL first in a descending order, SQLite last
    query = sa.select(*_LIST_COLS).order_by(
        documents.c.published.desc().nulls_last(), documents.c.id
    )
    if limit is not None and limit < 0:
        raise RedlineError(f"limit {limit} is below 0 (0 or None: every document)")
    if limit and limit <= MAX_ID:  # beyond what a ledger can hold: every document
        query = query.limit(limit)
    with ledger.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def get_document(ledger: Ledger, ref: str | int) -> dict[str, Any]:
    """A document by id, or by a substring of its source path or title that matches only one."""
    cols = _SHOWN_COLS
    with ledger.connect() as conn:
        number = row_id(str(ref))
        if number is not None:
            row = conn.execute(sa.select(*cols).where(documents.c.id == number)).first()
            if row is not None:
                return dict(row._mapping)
        # the text as typed: "%" and "_" in it are no wildcards ("2023_01" matched 2023-01);
        # in any case of letters on every database (SQLite's LIKE ignored it, PostgreSQL's not)
        part = str(ref)
        rows = conn.execute(
            sa.select(*cols)
            .where(
                sa.or_(
                    documents.c.source_path.icontains(part, autoescape=True),
                    documents.c.title.icontains(part, autoescape=True),
                )
            )
            .order_by(documents.c.id)  # the same ids named on every backend
            .limit(5)
        ).all()
    if not rows:
        raise RedlineError(f"no document matches {ref!r} in {ledger.url}")
    if len(rows) > 1:
        ids = ", ".join(str(r.id) for r in rows)
        raise RedlineError(f"{ref!r} matches several documents ({ids}); give an id")
    return dict(rows[0]._mapping)
