"""episodes store the precision of their two dates

The stored ``episodes`` row gave ``first_threat_date`` and ``crossing_date`` with no precision
beside them (every other stored date has one), so an exported ``episodes`` file read a line
first drawn in October 2024 as "2024-10-01", a day no source gave, while `redline episodes`
said "month". Two nullable columns hold them; the next `redline link` fills them (rows linked
before stay NULL until then).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("episodes") as batch:
        batch.add_column(sa.Column("first_threat_precision", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("crossing_precision", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("episodes") as batch:
        batch.drop_column("crossing_precision")
        batch.drop_column("first_threat_precision")
