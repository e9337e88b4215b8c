"""Ingest's writes to the ledger: one transaction per batch of documents, duplicate record or problem, so a crash loses nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from redline.errors import InputError, StoreError
from redline.ingest.dedup import SIGNATURE_BYTES, signature_from_bytes
from redline.ingest.report import DuplicateFound
from redline.store import Ledger
from redline.store.db import now
from redline.store.limits import shorten, without_nul
from redline.store.schema import documents, duplicates, ingest_problems

# Built once: a statement executed with parameters reuses SQLAlchemy's compiled form.
_INSERT_DOCUMENT = sa.insert(documents)
_INSERT_DOCUMENTS = _INSERT_DOCUMENT.returning(documents.c.id, sort_by_parameter_order=True)
# PostgreSQL's deadlock_detected: two batches that insert the same texts in different orders
# wait on each other's unique-index entries, and the server aborts one of them.
_DEADLOCK = "40P01"


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: int
    content_hash: str
    source_path: str
    source_locator: str | None
    signature: np.ndarray | None


def stored_documents(ledger: Ledger, after: int = 0) -> Iterator[StoredDocument]:
    """Every document's identity and MinHash signature, to rebuild the duplicate indexes; with
    ``after``, those whose id is above it."""
    query = (
        sa.select(
            documents.c.id,
            documents.c.content_hash,
            documents.c.source_path,
            documents.c.source_locator,
            documents.c.minhash,
        )
        .where(documents.c.id > after)
        .order_by(documents.c.id)
    )
    with ledger.connect() as conn:
        for row in conn.execute(query):
            signature = None
            if row.minhash is not None:
                signature = signature_from_bytes(row.minhash)
                if signature is None:
                    raise StoreError(_corrupt_signature(ledger, row.id, len(row.minhash)))
            yield StoredDocument(
                row.id, row.content_hash, row.source_path, row.source_locator, signature
            )


def _corrupt_signature(ledger: Ledger, doc_id: int, size: int) -> str:
    return (
        f"ledger {ledger.url}: document {doc_id}'s near-duplicate signature (documents.minhash) "
        f"is corrupt ({size} bytes, not {SIGNATURE_BYTES}), so nothing was ingested; set that "
        f"column to NULL for id {doc_id} to go on (the document is then left out of "
        "near-duplicate search)"
    )


def insert_document(ledger: Ledger, values: dict[str, Any]) -> int | None:
    """Store one document in its own transaction; None when its content hash is already there."""
    try:
        with ledger.begin() as conn:
            result = conn.execute(_INSERT_DOCUMENT, values)
            return int(result.inserted_primary_key[0])  # type: ignore[index]
    except sa.exc.IntegrityError:
        return None


def insert_documents(ledger: Ledger, rows: list[dict[str, Any]]) -> list[int] | None:
    """Store documents in one transaction and return their ids in order; None, with nothing
    stored, when one of their content hashes is already there (another process stored that
    text) or another process's batch deadlocked with this one: ``insert_document`` then stores
    them one by one."""
    try:
        with ledger.begin() as conn:
            return [int(i) for i in conn.execute(_INSERT_DOCUMENTS, rows).scalars()]
    except sa.exc.IntegrityError:
        return None
    except sa.exc.OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == _DEADLOCK:
            return None
        raise


def document_by_hash(ledger: Ledger, content_hash: str) -> StoredDocument | None:
    with ledger.connect() as conn:
        row = conn.execute(
            sa.select(documents.c.id, documents.c.source_path, documents.c.source_locator).where(
                documents.c.content_hash == content_hash
            )
        ).first()
    return (
        StoredDocument(row.id, content_hash, row.source_path, row.source_locator, None)
        if row
        else None
    )


def record_duplicate(ledger: Ledger, found: DuplicateFound, run_id: int) -> None:
    """Note a duplicate once; re-ingesting the same source does not add a second row."""
    same_source = sa.and_(
        duplicates.c.source_path == found.source_path,
        duplicates.c.source_locator.is_(None)
        if found.source_locator is None
        else duplicates.c.source_locator == found.source_locator,
        duplicates.c.duplicate_of == found.duplicate_of,
    )
    with ledger.begin() as conn:
        if conn.execute(sa.select(duplicates.c.id).where(same_source)).first() is None:
            conn.execute(
                sa.insert(duplicates).values(
                    source_path=found.source_path,
                    source_locator=found.source_locator,
                    duplicate_of=found.duplicate_of,
                    kind=found.kind,
                    similarity=found.similarity,
                    run_id=run_id,
                )
            )


def record_problem(ledger: Ledger, problem: InputError, run_id: int) -> None:
    """Store one problem. A locator longer than its column (a zip member's long path) is stored
    cut in the middle, and whole in the reason; NUL characters are dropped."""
    reason = problem.reason
    locator = problem.locator
    if locator is not None:
        short = shorten(locator, ingest_problems.c.source_locator)
        if short != locator:
            reason = f"{reason} (at {locator})"
        locator = short
    with ledger.begin() as conn:
        conn.execute(
            sa.insert(ingest_problems).values(
                run_id=run_id,
                source_path=without_nul(problem.path),
                source_locator=locator and without_nul(locator),
                reason=without_nul(reason),
                created_at=now(),
            )
        )
