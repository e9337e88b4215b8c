"""Read extracted items back with their provenance (document, sentence, span) for listings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from redline import knowledge
from redline.store import Ledger
from redline.store.listing import with_provenance
from redline.store.schema import EVENT_KINDS, events, evidence, outcome_claims, threats


def _rows(
    ledger: Ledger, table: sa.Table, *where: Any, include_rejected: bool = False
) -> list[dict[str, Any]]:
    query = (
        with_provenance(table)
        .where(*where)
        .order_by(table.c.document_id, evidence.c.sentence_start, table.c.id)
    )
    if not include_rejected:
        query = query.where(table.c.review_state != "rejected")
    with ledger.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


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
) -> list[dict[str, Any]]:
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
    return _rows(ledger, threats, *where, include_rejected=include_rejected)


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
) -> list[dict[str, Any]]:
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
    return _rows(ledger, events, *where, include_rejected=include_rejected)


def list_claims(ledger: Ledger, *, include_rejected: bool = False) -> list[dict[str, Any]]:
    """The stored outcome claims with their provenance, as `redline claims -f json` lists them
    (an item of ``claims-v1.json``)."""
    return _rows(ledger, outcome_claims, include_rejected=include_rejected)
