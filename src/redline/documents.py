"""Read documents back out of the ledger (listing and lookup by id, path or title)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, Self

import sqlalchemy as sa

from redline.errors import RedlineError
from redline.store import Ledger
from redline.store.db import MAX_ID, row_id
from redline.store.schema import documents
from redline.vocab import Precision

_LIST_COLS = [c for c in documents.c if c.name not in ("text", "minhash")]
_SHOWN_COLS = [c for c in documents.c if c.name != "minhash"]
LISTED_FIELDS = [c.name for c in _LIST_COLS]
"""The fields of each document ``list_documents`` gives."""
SHOWN_FIELDS = [c.name for c in _SHOWN_COLS]
"""The fields of the document ``get_document`` gives (the listing's and its text)."""


@dataclass(frozen=True)
class ListedDocument:
    """A stored document as ``list_documents`` gives it: its metadata, not its text."""

    id: int
    content_hash: str
    source_path: str
    source_locator: str | None
    source_format: str
    url: str | None
    title: str | None
    outlet: str | None
    author: str | None
    published: date | None
    published_precision: Precision
    published_source: str | None
    genre: str
    language: str | None
    n_chars: int
    ingest_run_id: int | None
    extracted_version: str | None
    ingested_at: datetime

    @classmethod
    def of(cls, row: sa.Row[Any]) -> Self:
        data = dict(row._mapping)
        return cls(**{**data, "published_precision": Precision(data["published_precision"])})

    def as_dict(self) -> dict[str, Any]:
        """The fields JSON and CSV print, in the table's column order."""
        return {n: getattr(self, n) for n in LISTED_FIELDS}


@dataclass(frozen=True)
class Document(ListedDocument):
    """A stored document as ``get_document`` gives it: its metadata and its text."""

    text: str

    def as_dict(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in SHOWN_FIELDS}


def source_name(url: str | None, source_path: str | None) -> str | None:
    """Where a document came from, as a reader finds it again: its URL, else its file's name."""
    return url or (PurePath(source_path).name if source_path else None)


def list_documents(ledger: Ledger, *, limit: int | None = None) -> list[ListedDocument]:
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
        return [ListedDocument.of(r) for r in conn.execute(query)]


def get_document(ledger: Ledger, ref: str | int) -> Document:
    """A document by id, or by a substring of its source path or title that matches only one.
    A number (an ``int``) is an id and nothing else: text ("7", as typed on the command line)
    is an id when one has it, else a part of a path or title."""
    cols = _SHOWN_COLS
    with ledger.connect() as conn:
        number = row_id(str(ref))
        if number is not None:
            row = conn.execute(sa.select(*cols).where(documents.c.id == number)).first()
            if row is not None:
                return Document.of(row)
        if isinstance(ref, int):
            # an id no document has was read as a part of a path: `get_document(ledger, 7)`
            # gave "report-7.txt", and `add` put an analyst's item on that document
            raise RedlineError(f"no document with id {ref} in {ledger.url}")
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
    return Document.of(rows[0])
