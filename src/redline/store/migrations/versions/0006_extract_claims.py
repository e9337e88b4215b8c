"""extract runs claim their documents

Several `redline extract` runs on one ledger (processes on one machine, or machines sharing a
PostgreSQL ledger) each checked, batch by batch, what was still pending, and the later of two
worked from the end: two runs begun together still extracted about 30 documents twice, and a
third run overlapped much more. A run now claims each batch before reading it (document id ->
run id, with a lease that the run renews while it works), so no two runs take one document;
the claim of a run that died is taken over once its lease has run out, or at once on its own
machine when its process is gone (``holder``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extract_claims",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("holder", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_extract_claims_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_extract_claims_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_extract_claims")),
    )
    op.create_index("ix_extract_claims_run", "extract_claims", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_extract_claims_run", table_name="extract_claims")
    op.drop_table("extract_claims")
