"""Read threats, crossings, responses and outcome claims (not rejected) with their documents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from redline import knowledge
from redline.link.when import When, when_of
from redline.store.db import local_day
from redline.store.schema import (
    documents,
    episode_members,
    events,
    outcome_claims,
    reviews,
    threats,
)
from redline.vocab import ItemKind

ITEM_KINDS: tuple[ItemKind, ...] = tuple(ItemKind)


@dataclass(frozen=True)
class Item:
    """One piece of evidence an episode is built from, reduced to what linking compares."""

    kind: ItemKind
    id: int
    document_id: int
    country: str | None  # threatener, crossing actor, responder, or the claim's subject
    trigger_key: str | None
    consequence: str | None  # threats and responses
    outcome: str | None  # claims: no_response | response | partial
    when: When
    confidence: float
    evidence_id: int | None = None  # the sentence it was read from
    addressee: str | None = None  # threats: whom the line addresses; crossings: the target
    line_from: str | None = None  # events: where the trigger key was read (vocab.LineSource)


def untargeted(item: Item, tree: knowledge.TriggerTree) -> bool:
    """A response whose trigger names no line its actor could own: none at all, or the act's
    own kind read as a trigger ("imposed sanctions" filed under the line against sanctions)."""
    return item.trigger_key is None or knowledge.same_side(
        item.country, tree.hint(item.trigger_key)
    )


@dataclass(frozen=True)
class Doc:
    id: int
    title: str | None
    outlet: str | None
    genre: str
    published: date | None
    published_precision: str
    url: str | None

    @property
    def source_key(self) -> str | None:
        """Who published it: the outlet, or None when the outlet is unknown (``outlet_count``
        never counts such documents as outlets of their own)."""
        return (self.outlet or "").strip().lower() or None


def outlet_count(keys: Iterable[str | None]) -> int:
    """How many outlets certainly published documents of ``keys`` (``Doc.source_key``): the
    known outlets, or one when every outlet is unknown. Each document of unknown outlet was
    counted as an outlet of its own, so four wire copies of no named outlet read as four
    outlets, met the silence rule's two and raised confidence."""
    keys = list(keys)
    known = {k for k in keys if k is not None}
    return len(known) or (1 if keys else 0)


@dataclass
class Pool:
    """Items by kind and the documents they come from."""

    items: dict[ItemKind, list[Item]] = field(default_factory=lambda: {k: [] for k in ITEM_KINDS})
    docs: dict[int, Doc] = field(default_factory=dict)
    # events whose kind an analyst set (``redline review event N correct --set kind=...``):
    # linking takes that kind as given rather than re-filing the act by who did it
    kind_by_analyst: set[int] = field(default_factory=set)

    def by_id(self) -> dict[tuple[str, int], Item]:
        return {(i.kind, i.id): i for kind in ITEM_KINDS for i in self.items[kind]}


_DOC_COLS = (
    documents.c.title,
    documents.c.outlet,
    documents.c.genre,
    documents.c.published,
    documents.c.published_precision,
    documents.c.url,
    documents.c.ingested_at,
)


def _queries() -> dict[ItemKind, tuple[sa.Select[Any], sa.Table]]:
    def select(table: sa.Table, *cols: Any) -> sa.Select[Any]:
        return (
            sa.select(
                table.c.id,
                table.c.document_id,
                table.c.confidence,
                table.c.evidence_id,
                *cols,
                *_DOC_COLS,
            )
            .join(documents, documents.c.id == table.c.document_id)
            .where(table.c.review_state != "rejected")
        )

    event_cols = (
        events.c.actor_country.label("country"),
        events.c.trigger_key,
        events.c.consequence_class.label("consequence"),
        sa.null().label("outcome"),
        events.c.event_date.label("own_date"),
        events.c.date_precision.label("own_precision"),
        events.c.target_country.label("addressee"),
        events.c.line_from,
    )
    return {
        ItemKind.THREAT: (
            select(
                threats,
                threats.c.speaker_country.label("country"),
                threats.c.trigger_key,
                threats.c.consequence_class.label("consequence"),
                sa.null().label("outcome"),
                threats.c.stated_date.label("own_date"),
                threats.c.stated_precision.label("own_precision"),
                threats.c.addressee_country.label("addressee"),
                sa.null().label("line_from"),
            ),
            threats,
        ),
        ItemKind.CROSSING: (
            select(events, *event_cols).where(events.c.kind == ItemKind.CROSSING),
            events,
        ),
        ItemKind.RESPONSE: (
            select(events, *event_cols).where(events.c.kind == ItemKind.RESPONSE),
            events,
        ),
        ItemKind.CLAIM: (
            select(
                outcome_claims,
                outcome_claims.c.subject_country.label("country"),
                outcome_claims.c.trigger_key,
                sa.null().label("consequence"),
                outcome_claims.c.claim.label("outcome"),
                outcome_claims.c.claim_date.label("own_date"),
                outcome_claims.c.date_precision.label("own_precision"),
                sa.null().label("addressee"),
                sa.null().label("line_from"),
            ),
            outcome_claims,
        ),
    }


EVENT_ROLES = (ItemKind.CROSSING, ItemKind.RESPONSE)


def load_pool(
    conn: sa.Connection, episode_ids: Iterable[int] | None = None, *, reported: bool = False
) -> Pool:
    """Every usable item, or only the members of ``episode_ids``; rejected items never appear.
    With ``reported``, an item is known from its document's publication, not its own date
    (``when.when_of``)."""
    pool = Pool()
    ids = None if episode_ids is None else sorted(set(episode_ids))
    for kind, (query, table) in _queries().items():
        if ids is not None:
            # an event may be a member in another role than its kind (a response by the
            # crossing side serves as a crossing): load it as what it is, blocking re-files it
            roles = EVENT_ROLES if kind in EVENT_ROLES else (kind,)
            members = sa.select(episode_members.c.item_id).where(
                episode_members.c.item_type.in_(roles), episode_members.c.episode_id.in_(ids)
            )
            query = query.where(table.c.id.in_(members))
        # plain tuples in the order ``_queries`` selects them: much faster than Row attributes
        for (
            item_id,
            doc_id,
            confidence,
            evidence_id,
            country,
            trigger_key,
            consequence,
            outcome,
            own_date,
            own_precision,
            addressee,
            line_from,
            title,
            outlet,
            genre,
            published,
            published_precision,
            url,
            ingested_at,
        ) in conn.execute(query.order_by(table.c.id)).tuples():
            if doc_id not in pool.docs:
                pool.docs[doc_id] = Doc(
                    doc_id, title, outlet, genre, published, published_precision, url
                )
            when = when_of(
                own_date,
                own_precision,
                published,
                published_precision,
                local_day(ingested_at),  # the day it was ingested here, as today is read
                reported,
            )
            pool.items[kind].append(
                Item(
                    kind,
                    item_id,
                    doc_id,
                    country,
                    trigger_key,
                    consequence,
                    outcome,
                    when,
                    float(confidence),
                    evidence_id,
                    addressee,
                    line_from,
                )
            )
    loaded = {i.id for k in EVENT_ROLES for i in pool.items[k]}
    if loaded:
        set_kind = sa.select(reviews.c.item_id).where(
            reviews.c.item_type == "event", reviews.c.action == "correct", reviews.c.field == "kind"
        )
        pool.kind_by_analyst = {int(i) for i in conn.execute(set_kind).scalars()} & loaded
    return pool
