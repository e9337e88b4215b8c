"""official statements and interviews are their own genre

Ingest told only news from opinion, so an official statement or an interview transcript was
news, or opinion when its speaker argued in the first person ("I believe ..."); in opinion,
extraction keeps rule items at any classifier probability. Ingest now gives such documents the
genre ``statement`` by their title's form (``ingest.genre``, ``statement_title``); this
revision gives it to the documents a ledger already holds, so they read as new ones do (their
next extraction, under this version's extractor, follows). The downgrade makes them news: the
genre they had is not kept.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_documents = sa.table(
    "documents", sa.column("id", sa.Integer), sa.column("title"), sa.column("genre")
)


def upgrade() -> None:
    from redline.ingest.genre import GENRE_RULES

    pattern = GENRE_RULES.statement_title
    if pattern is None:
        return
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_documents.c.id, _documents.c.title).where(
            _documents.c.genre != "statement", _documents.c.title.is_not(None)
        )
    ).all()
    ids = [r.id for r in rows if pattern.search(r.title.strip())]
    for start in range(0, len(ids), 500):
        conn.execute(
            sa.update(_documents)
            .where(_documents.c.id.in_(ids[start : start + 500]))
            .values(genre="statement")
        )


def downgrade() -> None:
    op.execute(sa.update(_documents).where(_documents.c.genre == "statement").values(genre="news"))
