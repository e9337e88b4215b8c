"""one row per extracted item: the database refuses a second copy

Two extractions of one document at once could store its items twice (PostgreSQL, issue 10), and
re-extraction stored the machine's new copy of an item beside the reviewed one. The database now
holds what makes an item the same item: evidence is unique per document and span (sentence
start, span start and end); a threat or an outcome claim per evidence row; an event per evidence
row and kind.

Copies already stored are merged first. Of each set of copies the lowest id stays; it takes the
values (fields and review state) of the copy an analyst decided on last, if that is another
copy, and inherits every reference to the others: reviews, episode members and an episode's
crossing event. Evidence copies are merged before items, so items that pointed at two copies of
one span become copies themselves and are merged in turn.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_EVIDENCE_KEY = ("document_id", "sentence_start", "span_start", "span_end")
# table, its identity, its item_type in reviews, its item_types in episode_members
_ITEMS = (
    ("threats", ("document_id", "evidence_id"), "threat", ("threat",)),
    ("events", ("document_id", "evidence_id", "kind"), "event", ("crossing", "response")),
    ("outcome_claims", ("document_id", "evidence_id"), "outcome_claim", ("claim",)),
)
_INDEXES = (
    ("uq_evidence_span", "evidence", _EVIDENCE_KEY),
    *((f"uq_{table}_item", table, key) for table, key, _, _ in _ITEMS),
)


def upgrade() -> None:
    conn = op.get_bind()
    meta = sa.MetaData()
    names = ("evidence", "reviews", "episodes", "episode_members", *(t for t, *_ in _ITEMS))
    tables = {name: sa.Table(name, meta, autoload_with=conn) for name in names}
    _merge_evidence(conn, tables)
    for name, key, review_type, member_types in _ITEMS:
        _merge_items(conn, tables, name, key, review_type, member_types)
    for index, table, columns in _INDEXES:
        op.create_index(index, table, list(columns), unique=True)


def downgrade() -> None:
    for index, table, _ in reversed(_INDEXES):
        op.drop_index(index, table_name=table)


def _copies(conn: sa.Connection, table: sa.Table, key: Sequence[str]) -> list[list[int]]:
    """The ids of each set of rows that agree on ``key``, lowest first (sets of one left out)."""
    cols = [table.c[k] for k in key]
    shared = sa.select(*cols).group_by(*cols).having(sa.func.count() > 1).subquery()
    rows = conn.execute(
        sa.select(table.c.id, *cols)
        .join(shared, sa.and_(*(table.c[k] == shared.c[k] for k in key)))
        .order_by(*cols, table.c.id)
    )
    groups: dict[tuple[object, ...], list[int]] = {}
    for row in rows:
        groups.setdefault(tuple(row[1:]), []).append(row[0])
    return list(groups.values())


def _merge_evidence(conn: sa.Connection, tables: dict[str, sa.Table]) -> None:
    evidence = tables["evidence"]
    for ids in _copies(conn, evidence, _EVIDENCE_KEY):
        keep, drop = ids[0], ids[1:]
        for name, *_ in _ITEMS:
            items = tables[name]
            conn.execute(
                sa.update(items).where(items.c.evidence_id.in_(drop)).values(evidence_id=keep)
            )
        conn.execute(sa.delete(evidence).where(evidence.c.id.in_(drop)))


def _merge_items(
    conn: sa.Connection,
    tables: dict[str, sa.Table],
    name: str,
    key: Sequence[str],
    review_type: str,
    member_types: Sequence[str],
) -> None:
    items, reviews = tables[name], tables["reviews"]
    members, episodes = tables["episode_members"], tables["episodes"]
    for ids in _copies(conn, items, key):
        keep, drop = ids[0], ids[1:]
        decided = _last_decided(conn, items, reviews, review_type, ids)
        if decided is not None and decided != keep:
            row = conn.execute(sa.select(items).where(items.c.id == decided)).one()
            values = {k: v for k, v in row._mapping.items() if k != "id"}
            conn.execute(sa.update(items).where(items.c.id == keep).values(**values))
        conn.execute(
            sa.update(reviews)
            .where(reviews.c.item_type == review_type, reviews.c.item_id.in_(drop))
            .values(item_id=keep)
        )
        # An episode may list two copies: one member row stays (the unique key forbids two).
        listed = conn.execute(
            sa.select(members.c.id, members.c.episode_id, members.c.item_type, members.c.item_id)
            .where(members.c.item_type.in_(member_types), members.c.item_id.in_(ids))
            .order_by(members.c.item_id != keep, members.c.id)
        ).all()
        held: set[tuple[int, str]] = set()
        for member_id, episode_id, item_type, item_id in listed:
            if (episode_id, item_type) in held:
                conn.execute(sa.delete(members).where(members.c.id == member_id))
                continue
            held.add((episode_id, item_type))
            if item_id != keep:
                conn.execute(
                    sa.update(members).where(members.c.id == member_id).values(item_id=keep)
                )
        if name == "events":
            conn.execute(
                sa.update(episodes)
                .where(episodes.c.crossing_event_id.in_(drop))
                .values(crossing_event_id=keep)
            )
        conn.execute(sa.delete(items).where(items.c.id.in_(drop)))


def _last_decided(
    conn: sa.Connection, items: sa.Table, reviews: sa.Table, review_type: str, ids: list[int]
) -> int | None:
    """The copy holding the latest analyst decision: the newest review, else the first copy
    whose review state is not the machine's; None when no analyst touched any."""
    reviewed = conn.execute(
        sa.select(reviews.c.item_id)
        .where(reviews.c.item_type == review_type, reviews.c.item_id.in_(ids))
        .order_by(reviews.c.id.desc())
        .limit(1)
    ).scalar()
    if reviewed is not None:
        return int(reviewed)
    stated = conn.execute(
        sa.select(items.c.id)
        .where(items.c.id.in_(ids), items.c.review_state != "machine")
        .order_by(items.c.id)
        .limit(1)
    ).scalar()
    return None if stated is None else int(stated)
