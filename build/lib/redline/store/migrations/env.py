"""Alembic environment: runs on the connection Redline hands over (see ``redline.store.db``)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from redline.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # run from the alembic command line: ``-x url=sqlite:///redline.db``
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///redline.db")
    connection = sa.create_engine(url).connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
