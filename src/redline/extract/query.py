"""Read extracted items back with their provenance (document, sentence, span) for listings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from redline import knowledge
from redline.store import Ledger
from redline.store.schema import documents, events, evidence, outcome_claims, threats

_PROVENANCE = [
    documents.c.source_path,
    documents.c.title.label("document_title"),
    documents.c.outlet,
    documents.c.published,
    documents.c.genre,
    evidence.c.sentence,
    evidence.c.sentence_start,
    evidence.c.sentence_end,
    evidence.c.span_start,
    evidence.c.span_end,
    evidence.c.context,
]


def _rows(
    ledger: Ledger, table: sa.Table, *where: Any, include_rejected: bool = False
) -> list[dict[str, Any]]:
    query = (
        sa.select(table, *_PROVENANCE)
        .join(evidence, evidence.c.id == table.c.evidence_id)
        .join(documents, documents.c.id == table.c.document_id)
        .where(*where)
        .order_by(table.c.document_id, evidence.c.sentence_start, table.c.id)
    )
    if not include_rejected:
        query = query.where(table.c.review_state != "rejected")
    with ledger.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def list_threats(
    ledger: Ledger,
    *,
    actor: str | None = None,
    trigger: str | None = None,
    include_rejected: bool = False,
) -> list[dict[str, Any]]:
    where = []
    if actor:
        where.append(threats.c.speaker_country == knowledge.actor_code(actor))
    if trigger == knowledge.COINED_PREFIX:
        # every line the vocabulary lacks (``knowledge.coin_trigger_key``)
        where.append(threats.c.trigger_key.startswith(trigger, autoescape=True))
    elif trigger:
        where.append(threats.c.trigger_key == trigger)
    return _rows(ledger, threats, *where, include_rejected=include_rejected)


def list_events(
    ledger: Ledger,
    *,
    kind: str | None = None,
    actor: str | None = None,
    include_rejected: bool = False,
) -> list[dict[str, Any]]:
    where = []
    if kind:
        where.append(events.c.kind == kind)
    if actor:
        where.append(events.c.actor_country == knowledge.actor_code(actor))
    return _rows(ledger, events, *where, include_rejected=include_rejected)


def list_claims(ledger: Ledger, *, include_rejected: bool = False) -> list[dict[str, Any]]:
    return _rows(ledger, outcome_claims, include_rejected=include_rejected)
