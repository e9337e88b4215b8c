"""Read extracted items back with their provenance (document, sentence, span) for listings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Self, TypeVar

import sqlalchemy as sa

from redline import knowledge
from redline.store import Ledger
from redline.store.listing import with_provenance
from redline.store.schema import EVENT_KINDS, events, evidence, outcome_claims, threats
from redline.vocab import (
    ClaimOutcome,
    ConsequenceClass,
    ItemKind,
    LineSource,
    Precision,
    ReviewState,
)


def _fields(table: sa.Table) -> tuple[str, ...]:
    """The fields of a listed item of ``table``: its stored columns, then its provenance."""
    return tuple(c.name for c in with_provenance(table).selected_columns)


@dataclass(frozen=True)
class ListedItem:
    """An extracted item as a listing gives it: the columns every kind stores, and where it was
    read (document, sentence, span: ``store.listing.with_provenance``)."""

    FIELDS: ClassVar[tuple[str, ...]] = ()  # the kind's fields in the listing's order

    id: int
    document_id: int
    evidence_id: int
    extractor: str
    confidence: float
    review_state: ReviewState
    source_path: str
    document_title: str | None
    outlet: str | None
    published: date | None
    published_precision: Precision
    genre: str
    sentence: str
    sentence_start: int
    sentence_end: int
    span_start: int
    span_end: int
    context: str | None

    @classmethod
    def of(cls, row: sa.Row[Any]) -> Self:
        """A row of ``with_provenance``, its vocabulary's strings read as the enums."""
        data = dict(row._mapping)
        return cls(**data | cls._typed(data))

    @classmethod
    def _typed(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "review_state": ReviewState(data["review_state"]),
            "published_precision": Precision(data["published_precision"]),
        }

    def as_dict(self) -> dict[str, Any]:
        """The item as `redline threats|events|claims -f json` prints it, in the listing's
        order (an item of ``threats-v1.json``, ``events-v1.json`` or ``claims-v1.json``)."""
        return {n: getattr(self, n) for n in self.FIELDS}


@dataclass(frozen=True)
class ListedThreat(ListedItem):
    FIELDS: ClassVar[tuple[str, ...]] = _fields(threats)

    speaker: str | None
    speaker_actor_id: int | None
    speaker_country: str | None
    addressee: str | None
    addressee_country: str | None
    trigger_key: str | None
    trigger_text: str | None
    consequence_text: str | None
    consequence_class: ConsequenceClass
    explicitness: str
    stated_date: date | None
    stated_precision: Precision

    @classmethod
    def _typed(cls, data: dict[str, Any]) -> dict[str, Any]:
        return super()._typed(data) | {
            "consequence_class": ConsequenceClass(data["consequence_class"]),
            "stated_precision": Precision(data["stated_precision"]),
        }


@dataclass(frozen=True)
class ListedEvent(ListedItem):
    FIELDS: ClassVar[tuple[str, ...]] = _fields(events)

    kind: ItemKind  # crossing or response
    actor: str | None
    actor_country: str | None
    target_country: str | None
    trigger_key: str | None
    action: str | None
    consequence_class: ConsequenceClass | None
    event_date: date | None
    date_precision: Precision
    line_from: LineSource | None

    @classmethod
    def _typed(cls, data: dict[str, Any]) -> dict[str, Any]:
        klass, line = data["consequence_class"], data["line_from"]
        return super()._typed(data) | {
            "kind": ItemKind(data["kind"]),
            "consequence_class": None if klass is None else ConsequenceClass(klass),
            "date_precision": Precision(data["date_precision"]),
            "line_from": None if line is None else LineSource(line),
        }


@dataclass(frozen=True)
class ListedClaim(ListedItem):
    FIELDS: ClassVar[tuple[str, ...]] = _fields(outcome_claims)

    trigger_key: str | None
    subject_country: str | None
    claim: ClaimOutcome
    claim_date: date | None
    date_precision: Precision

    @classmethod
    def _typed(cls, data: dict[str, Any]) -> dict[str, Any]:
        return super()._typed(data) | {
            "claim": ClaimOutcome(data["claim"]),
            "date_precision": Precision(data["date_precision"]),
        }


_Listed = TypeVar("_Listed", bound=ListedItem)


def _rows(
    ledger: Ledger,
    kind: type[_Listed],
    table: sa.Table,
    *where: Any,
    include_rejected: bool = False,
) -> list[_Listed]:
    query = (
        with_provenance(table)
        .where(*where)
        .order_by(table.c.document_id, evidence.c.sentence_start, table.c.id)
    )
    if not include_rejected:
        query = query.where(table.c.review_state != ReviewState.REJECTED)
    with ledger.connect() as conn:
        return [kind.of(r) for r in conn.execute(query)]


def _actor(ledger: Ledger, column: sa.Column[Any], actor: str) -> str:
    """The code an ``--actor`` filter means: one the gazetteers know, or one ``column`` holds
    (an actor of a gazetteer given to `extract --gazetteer` only)."""
    from redline.errors import ConfigError

    try:
        return knowledge.actor_code(actor)
    except ConfigError:
        with ledger.connect() as conn:
            present = list(conn.execute(sa.select(column).distinct()).scalars())
        return knowledge.actor_code(actor, present=present)


def list_threats(
    ledger: Ledger,
    *,
    actor: str | None = None,
    trigger: str | None = None,
    include_rejected: bool = False,
) -> list[ListedThreat]:
    """The stored threats with their provenance, as `redline threats -f json` lists them (an
    item of ``threats-v1.json``), by document and sentence; rejected ones only when asked.
    ``actor``: a code or a name (``Russia``); ``trigger``: a key of the vocabulary, or ``new_``
    for every coined one."""
    where = []
    trigger = trigger.strip() if trigger else trigger  # "f16_delivery " is f16_delivery
    if actor:
        where.append(threats.c.speaker_country == _actor(ledger, threats.c.speaker_country, actor))
    if trigger == knowledge.COINED_PREFIX:
        # every line the vocabulary lacks (``knowledge.coin_trigger_key``)
        where.append(threats.c.trigger_key.startswith(trigger, autoescape=True))
    elif trigger:
        where.append(threats.c.trigger_key == _known_trigger(trigger))
    return _rows(ledger, ListedThreat, threats, *where, include_rejected=include_rejected)


def _known_trigger(key: str) -> str:
    """A trigger filter names a key of the vocabulary or a coined one: a typo ("f16") matched
    nothing and listed no threat, without a word."""
    import difflib

    from redline.errors import ConfigError

    vocabulary = knowledge.triggers()
    if key in vocabulary or knowledge.is_coined(key):
        return key
    close = difflib.get_close_matches(key, list(vocabulary.triggers), n=3, cutoff=0.5)
    near = [k for k in vocabulary.triggers if k.startswith(key)][:3] or close
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise ConfigError(f"unknown trigger key {key!r}{hint} (redline/data/triggers.yaml lists them)")


def list_events(
    ledger: Ledger,
    *,
    kind: str | None = None,
    actor: str | None = None,
    include_rejected: bool = False,
) -> list[ListedEvent]:
    """The stored crossings and responses with their provenance, as `redline events -f json`
    lists them (an item of ``events-v1.json``); ``kind``: ``crossing`` or ``response``;
    ``actor``: a code or a name."""
    where = []
    kind = kind.strip() if kind else kind
    if kind:
        if kind not in EVENT_KINDS:  # "crossings" listed nothing, without a word
            from redline.errors import ConfigError

            raise ConfigError(f"unknown event kind {kind!r}; use {' or '.join(EVENT_KINDS)}")
        where.append(events.c.kind == kind)
    if actor:
        where.append(events.c.actor_country == _actor(ledger, events.c.actor_country, actor))
    return _rows(ledger, ListedEvent, events, *where, include_rejected=include_rejected)


def list_claims(ledger: Ledger, *, include_rejected: bool = False) -> list[ListedClaim]:
    """The stored outcome claims with their provenance, as `redline claims -f json` lists them
    (an item of ``claims-v1.json``)."""
    return _rows(ledger, ListedClaim, outcome_claims, include_rejected=include_rejected)
