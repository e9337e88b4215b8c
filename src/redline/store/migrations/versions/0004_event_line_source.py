"""events remember where their line was read

A response whose line (trigger key) the extractor took from the document's title or topic,
not from the text around the act, may answer another matter: "I have ordered the deployment of
additional forces ... to support our NATO allies" in a statement about a NATO summit is no
answer to an attack on NATO territory. Linking lets a dated response imply that its line was
crossed only when the line was read from the response's own sentence or set by an analyst's
correction, not from the sentences before it or the document's topic; this column says which
(``vocab.LineSource``). Rows stored before it stay NULL and are read as they were until the
document is extracted again (the extractor's version changed with this migration, so
``redline extract`` does that).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("line_from", sa.String(12)))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("line_from")
