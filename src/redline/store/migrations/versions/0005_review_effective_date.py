"""an analyst's episode status can hold from a day the analyst names

An analyst's status on an episode held from the day of the review (and, for a crossed status,
from the crossing the evidence shows). An analyst who reads that the owner took a line back in
May 2023, or that a line was left unenforced from a given day, could not say so: the status
began on the day it was typed. ``reviews.effective`` holds that day; NULL keeps the old reading.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("effective", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("effective")
