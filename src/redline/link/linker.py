"""``link()``: build red-line episodes from the ledger's items and write them, idempotently."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from redline import knowledge
from redline.link.assess import DEFAULT_WINDOW_DAYS, Assessment, Members, Review, assess
from redline.link.blocking import block, episode_key
from redline.link.episodes import EpisodeState, EpisodeView
from redline.link.items import load_pool
from redline.link.reviews import load_reviews
from redline.link.when import as_of_date, not_after_today, window_days_of
from redline.store import Ledger
from redline.store.schema import episode_members, episodes, reviews

_MEMBER_LISTS = (
    ("threats", "threat"),
    ("crossings", "crossing"),
    ("responses", "response"),
    ("claims", "claim"),
)
_CHUNK = 5000


@dataclass
class LinkReport:
    """What one ``link()`` run did."""

    as_of: date
    window_days: int
    run_id: int
    episodes: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    implicit: int = 0
    threats_linked: int = 0
    threats_unlinked: int = 0
    threats_outside_vocabulary: int = 0  # over a coined line: no episode (``blocking``)
    threats_after_as_of: int = 0  # in an episode's block, but not yet known on ``as_of``
    comparisons: int = 0
    wrong_side: int = 0
    rejected: int = 0  # lines an analyst rejected: stored for their reviews, in no listing
    by_status: dict[str, int] = field(default_factory=dict)
    # the episodes as linked, assessed once: what score, report and export read (not stored)
    view: EpisodeView | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "view"}


def label(threatener: str, trigger_key: str) -> str:
    return f"{threatener}: {knowledge.triggers().label(trigger_key)}"


def link(
    ledger: Ledger, *, as_of: date | None = None, window_days: int = DEFAULT_WINDOW_DAYS
) -> LinkReport:
    """Relink every episode from the ledger's items as of ``as_of`` (default today) and store them.

    Episodes keep their ids across runs (matched by key); episodes no longer supported are
    removed unless an analyst has reviewed them. Items dated after ``as_of`` are left out.
    """
    as_of = as_of_date(as_of) or date.today()
    # a stored link as of a day not yet come judged every response window ending by then as
    # passed: open lines were stored unenforced, and every listing and export read them so
    not_after_today(
        as_of,
        date.today(),
        "the as-of date",
        "a link records what had happened by its date, and a later day would close response "
        "windows that are still open: link as of today or an earlier day",
    )
    window_days = window_days_of(window_days) or DEFAULT_WINDOW_DAYS
    # One link at a time, its run recorded in the transaction that writes its episodes: two
    # links at once committed out of order, and the ledger held one date's episodes under the
    # other's run (the date every listing reads from the latest link run).
    with ledger.exclusive() as conn:
        run_id = ledger.start_run(
            "link", {"as_of": as_of.isoformat(), "window_days": window_days}, conn
        )
        report = LinkReport(as_of=as_of, window_days=window_days, run_id=run_id)
        pool = load_pool(conn)
        blocks = block(pool, knowledge.triggers())
        existing = {r.key: r.id for r in conn.execute(sa.select(episodes.c.key, episodes.c.id))}
        found = load_reviews(conn, existing.values())
        rows: dict[str, dict[str, Any]] = {}
        members: dict[str, Members] = {}
        assessed: dict[str, Assessment] = {}
        reviewed: dict[str, Review | None] = {}
        statuses: Counter[str] = Counter()
        for (country, trigger), m in sorted(blocks.episodes.items()):
            key = episode_key(country, trigger)
            review = found.get(existing[key]) if key in existing else None
            a = assess(m, pool.docs, as_of=as_of, window_days=window_days, review=review)
            report.threats_after_as_of += len(m.threats) - (len(a.threats) if a else 0)
            if a is None:
                continue  # nothing about it was known yet on ``as_of``
            rows[key] = _row(key, m, a, run_id)
            members[key] = m
            assessed[key] = a
            reviewed[key] = review
            if a.rejected:
                # in no listing or score: counted apart, so that the counts here are the ones
                # `episodes` lists (a probe read 28 linked and 27 listed)
                report.rejected += 1
                continue
            statuses[a.status] += 1
            report.implicit += a.implicit
            report.threats_linked += len(a.threats)
        report.threats_unlinked = blocks.unlinked_threats
        report.threats_outside_vocabulary = blocks.coined_lines
        report.comparisons = blocks.comparisons
        report.wrong_side = blocks.wrong_side
        report.episodes = len(rows) - report.rejected
        report.by_status = dict(sorted(statuses.items()))
        ids = _write(conn, rows, members, existing, as_of, report, run_id)
        stored = {
            r.id: dict(r._mapping)
            for r in conn.execute(sa.select(episodes).where(episodes.c.id.in_(list(ids.values()))))
        }
    report.view = EpisodeView(
        as_of,
        window_days,
        sorted(
            (
                EpisodeState(stored[ids[key]], a, members[key], reviewed[key])
                for key, a in assessed.items()
                if not a.rejected
            ),
            key=lambda s: (s.row["threatener_country"], s.row["key"]),
        ),
        docs=pool.docs,
        actors=frozenset(r["threatener_country"] for r in stored.values()),
    )
    ledger.finish_run(run_id, report.as_dict() | {"as_of": as_of.isoformat()})
    return report


def _row(key: str, m: Members, a: Assessment, run_id: int) -> dict[str, Any]:
    return {
        "key": key,
        "threatener_country": m.threatener,
        "trigger_key": m.trigger_key,
        "label": label(m.threatener, m.trigger_key),
        "consequence_class": a.consequence_class,
        "first_threat_date": a.first_threat_date,
        "crossing_event_id": a.crossing.id if a.crossing else None,
        "crossing_date": a.crossed_by,
        "first_threat_precision": a.first_threat_precision,
        "crossing_precision": a.crossed.precision if a.crossed else None,
        "status": a.status,
        "status_as_of": a.as_of,
        "confidence": a.confidence,
        "opinion_only": a.opinion_only,
        "n_sources": a.n_sources,
        "explanation": "\n".join(a.explanation),
        "link_run_id": run_id,
    }


def _write(
    conn: sa.Connection,
    rows: dict[str, dict[str, Any]],
    members: dict[str, Members],
    existing: dict[str, int],
    as_of: date,
    report: LinkReport,
    run_id: int,
) -> dict[str, int]:
    """Update episodes whose key exists, insert new ones, drop stale unreviewed ones (and mark
    the reviewed ones as holding no item); refill members."""
    updates = [{"b_id": existing[k], **v} for k, v in rows.items() if k in existing]
    inserts = [v for k, v in rows.items() if k not in existing]
    if updates:
        conn.execute(sa.update(episodes).where(episodes.c.id == sa.bindparam("b_id")), updates)
    if inserts:
        conn.execute(sa.insert(episodes), inserts)
    report.created, report.updated = len(inserts), len(updates)
    conn.execute(sa.delete(episode_members))
    stale = [i for k, i in existing.items() if k not in rows]
    if stale:
        reviewed = set(
            conn.execute(
                sa.select(reviews.c.item_id).where(
                    reviews.c.item_type == "episode", reviews.c.item_id.in_(stale)
                )
            ).scalars()
        )
        drop = [i for i in stale if i not in reviewed]
        for start in range(0, len(drop), _CHUNK):
            conn.execute(sa.delete(episodes).where(episodes.c.id.in_(drop[start : start + _CHUNK])))
        report.removed = len(drop)
        # a reviewed row with no item left stays for its reviews, but says so: it kept the
        # status, sources and story of the last link that had items for it
        kept = [i for i in stale if i in reviewed]
        if kept:
            conn.execute(
                sa.update(episodes)
                .where(episodes.c.id.in_(kept))
                .values(
                    crossing_event_id=None,
                    crossing_date=None,
                    crossing_precision=None,
                    status_as_of=as_of,
                    confidence=0.0,
                    n_sources=0,
                    explanation=(
                        f"No item of this line as of {as_of.isoformat()} (rejected, re-extracted "
                        "away, or dated later): kept only because an analyst reviewed it; it is "
                        "in no listing or score."
                    ),
                    link_run_id=run_id,
                )
            )
    ids = {r.key: r.id for r in conn.execute(sa.select(episodes.c.key, episodes.c.id))}
    batch: list[dict[str, Any]] = []
    for key, m in members.items():
        for attr, item_type in _MEMBER_LISTS:
            for item in getattr(m, attr):
                if item.when.known_by(as_of):
                    batch.append(
                        {"episode_id": ids[key], "item_type": item_type, "item_id": item.id}
                    )
        if len(batch) >= _CHUNK:
            conn.execute(sa.insert(episode_members), batch)
            batch = []
    if batch:
        conn.execute(sa.insert(episode_members), batch)
    return {k: ids[k] for k in rows}
