"""Analysts' decisions on episodes, read from ``reviews``: a status to impose, or a rejection.

A review row with ``item_type='episode'`` and ``item_id`` = the episode's id counts when it is
``action='correct', field='status', new_value=<status>``, ``action='withdraw'`` (or
``'withdrawn'``), ``action='lift'`` (takes an analyst's status off: the evidence decides
again), ``action='reject'`` (the episode is not a red line: hidden from listings and
scores) or ``action='confirm'`` (undoes a rejection). The latest review of each kind wins. A
status holds from the review's ``effective`` day when the analyst named one, else from the
review's day.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from redline.link.assess import Review
from redline.store.db import local_day
from redline.store.schema import EPISODE_STATUSES, reviews

WITHDRAW_ACTIONS = ("withdraw", "withdrawn")


def load_reviews(
    conn: sa.Connection, episode_ids: Iterable[int] | None = None
) -> dict[int, Review]:
    query = (
        sa.select(reviews)
        .where(reviews.c.item_type == "episode")
        # the latest stored decision wins: by id, not created_at, which each analyst's own
        # clock stamps (one running five minutes fast made an earlier decision win)
        .order_by(reviews.c.id)
    )
    if episode_ids is not None:
        query = query.where(reviews.c.item_id.in_(sorted(set(episode_ids))))
    out: dict[int, Review] = {}
    for row in conn.execute(query):
        prev = out.get(row.item_id, Review(None, False, row.reviewer, None))
        status, rejected = prev.status, prev.rejected
        # who set the status, why and when: a later rejection or confirmation keeps them (a
        # withdrawal without a note was explained by an earlier rejection's note)
        reviewer, note, since, named = prev.reviewer, prev.note, prev.since, prev.named
        # the day the status holds from: the one the analyst named, else the review's own
        day = row.effective or (local_day(row.created_at) if row.created_at is not None else None)
        if row.action in WITHDRAW_ACTIONS:
            status, reviewer, note, since = "withdrawn", row.reviewer, row.note, day
            named = row.effective is not None
        elif (
            row.action == "correct" and row.field == "status" and row.new_value in EPISODE_STATUSES
        ):
            status, reviewer, note, since = row.new_value, row.reviewer, row.note, day
            named = row.effective is not None
        elif row.action == "lift":
            status, reviewer, note, since, named = None, row.reviewer, row.note, None, False
        elif row.action == "reject":
            rejected = True
        elif row.action == "confirm":
            rejected = False
        else:
            continue
        out[row.item_id] = Review(status, rejected, reviewer, note, since, named)
    return out
