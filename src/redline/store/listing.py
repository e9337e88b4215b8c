"""The one shape of an extracted item's row: its stored columns and its provenance (document,
sentence, span). `redline threats`, `events` and `claims` list such rows and the export writes
them (docs/architecture.md), so a row of either follows the listing's JSON Schema."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from redline.store.schema import documents, evidence

# Each table of extracted items and the listing (the JSON Schema kind) whose items its rows are
LISTED_ITEMS: dict[str, str] = {
    "threats": "threats",
    "events": "events",
    "outcome_claims": "claims",
}

_PROVENANCE = [
    documents.c.source_path,
    documents.c.title.label("document_title"),
    documents.c.outlet,
    documents.c.published,
    # a document dated to a month has its first day as ``published``: say so, as `documents` does
    documents.c.published_precision,
    documents.c.genre,
    evidence.c.sentence,
    evidence.c.sentence_start,
    evidence.c.sentence_end,
    evidence.c.span_start,
    evidence.c.span_end,
    evidence.c.context,
]


def with_provenance(table: sa.Table) -> sa.Select[Any]:
    """Every stored column of an item ``table`` and its provenance (document, sentence, span)."""
    return (
        sa.select(table, *_PROVENANCE)
        .join(evidence, evidence.c.id == table.c.evidence_id)
        .join(documents, documents.c.id == table.c.document_id)
    )
