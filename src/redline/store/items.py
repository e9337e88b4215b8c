"""Write a document's extracted items into the ledger, each at most once.

What makes an item the same item is the database's to enforce (``schema.ITEM_IDENTITY``): the
document, the evidence span (sentence start, span start and end) and, for events, the kind.
Every insert skips a row that is already there (``ON CONFLICT DO NOTHING``), so two extractions
of one document at once cannot store anything twice, whichever of them gets there first.

Re-extraction replaces the machine's items; items an analyst reviewed are kept.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from redline.store.schema import (
    EVIDENCE_IDENTITY,
    ITEM_IDENTITY,
    events,
    evidence,
    outcome_claims,
    threats,
)

if TYPE_CHECKING:
    from redline.extract.base import Extraction, Provenance


def insert(conn: sa.Connection, table: sa.Table) -> Any:
    """An INSERT of the connection's dialect, which knows ``on_conflict_do_nothing``."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def replace_items(
    conn: sa.Connection, doc_id: int, result: Extraction, actor_ids: dict[str, int]
) -> None:
    """The document's items become ``result``'s (plus the reviewed ones it no longer has)."""
    clear_machine_items(conn, doc_id)
    write_items(conn, doc_id, result, actor_ids)


def clear_machine_items(conn: sa.Connection, doc_id: int) -> None:
    """Delete the document's machine items, and evidence nothing points at."""
    for table in (threats, events, outcome_claims):
        conn.execute(
            sa.delete(table).where(table.c.document_id == doc_id, table.c.review_state == "machine")
        )
    kept = sa.union(
        *(
            sa.select(t.c.evidence_id).where(t.c.document_id == doc_id)
            for t in (threats, events, outcome_claims)
        )
    )
    conn.execute(
        sa.delete(evidence).where(evidence.c.document_id == doc_id, evidence.c.id.not_in(kept))
    )


def write_items(
    conn: sa.Connection, doc_id: int, result: Extraction, actor_ids: dict[str, int]
) -> None:
    """Store ``result``'s items for the document; an item already there is not stored again."""
    cache: dict[tuple[int, int, int], int] = {}

    def evidence_id(p: Provenance) -> int:
        key = (p.sentence_start, p.span_start, p.span_end)
        if key not in cache:
            stmt = insert(conn, evidence).values(
                document_id=doc_id,
                sentence_start=p.sentence_start,
                sentence_end=p.sentence_end,
                span_start=p.span_start,
                span_end=p.span_end,
                sentence=p.sentence,
                context=p.context,
            )
            # An existing row of this span (a reviewed item's, another writer's) is this one;
            # the upsert hands back its id and brings its text up to date.
            stmt = stmt.on_conflict_do_update(
                index_elements=list(EVIDENCE_IDENTITY),
                set_={c: stmt.excluded[c] for c in ("sentence_end", "sentence", "context")},
            ).returning(evidence.c.id)
            cache[key] = int(conn.execute(stmt).scalar_one())
        return cache[key]

    found: dict[str, list[dict[str, Any]]] = {}
    for t in result.threats:
        values = {k: v for k, v in asdict(t).items() if k not in ("provenance", "speaker_key")}
        values["speaker_actor_id"] = actor_ids.get(t.speaker_key or "")
        found.setdefault("threats", []).append(_row(doc_id, evidence_id(t.provenance), values))
    for e in result.events:
        values = {k: v for k, v in asdict(e).items() if k != "provenance"}
        found.setdefault("events", []).append(_row(doc_id, evidence_id(e.provenance), values))
    for c in result.claims:
        values = {k: v for k, v in asdict(c).items() if k != "provenance"}
        found.setdefault("outcome_claims", []).append(
            _row(doc_id, evidence_id(c.provenance), values)
        )
    for table in (threats, events, outcome_claims):
        if found.get(table.name):
            stmt = insert(conn, table).on_conflict_do_nothing(
                index_elements=list(ITEM_IDENTITY[table.name])
            )
            conn.execute(stmt, found[table.name])


def _row(doc_id: int, evidence_id: int, values: dict[str, Any]) -> dict[str, Any]:
    return {"document_id": doc_id, "evidence_id": evidence_id, **values}
