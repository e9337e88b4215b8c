"""Factories that write small ledgers by hand (documents, evidence, threats, events, claims).

Shared by the link, score, report and export tests (``from test_link_factories import Builder``);
the tests in this file check that the factories write what the linker reads.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date
from typing import Any

import sqlalchemy as sa

from redline.link.items import load_pool
from redline.store import Ledger
from redline.store.db import now
from redline.store.schema import (
    documents,
    events,
    evidence,
    outcome_claims,
    reviews,
    threats,
)

_serial = itertools.count(1)


def _date(value: str | date | None) -> tuple[date | None, str]:
    """``"2024-05-03"`` (day), ``"2024-05"`` (month), ``"2024"`` (year) or None (unknown)."""
    if value is None:
        return None, "unknown"
    if isinstance(value, date):
        return value, "day"
    parts = value.split("-")
    if len(parts) == 1:
        return date(int(parts[0]), 1, 1), "year"
    if len(parts) == 2:
        return date(int(parts[0]), int(parts[1]), 1), "month"
    return date.fromisoformat(value), "day"


class Builder:
    """Write rows into ``ledger``; every item gets its own evidence sentence, after the
    document's previous one (the ledger keeps one evidence row per span)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._ends: dict[int, int] = {}  # where each document's last evidence sentence ended

    def _insert(self, table: sa.Table, **values: Any) -> int:
        with self.ledger.begin() as conn:
            return int(conn.execute(sa.insert(table).values(**values)).inserted_primary_key[0])

    def doc(
        self,
        published: str | None = "2024-01-01",
        *,
        genre: str = "news",
        outlet: str | None = "Example News",
        title: str | None = None,
        url: str | None = None,
        text: str = "Article text.",
    ) -> int:
        n = next(_serial)
        day, precision = _date(published)
        return self._insert(
            documents,
            content_hash=hashlib.sha256(f"doc-{n}".encode()).hexdigest(),
            source_path=f"corpus/doc{n}.txt",
            source_format="text",
            url=url,
            title=title or f"Article {n}",
            outlet=outlet,
            published=day,
            published_precision=precision,
            genre=genre,
            text=text,
            n_chars=len(text),
            ingested_at=now(),
            minhash=b"\x00\x01",
        )

    def _evidence(self, doc: int, sentence: str) -> int:
        start = self._ends.get(doc, -1) + 1
        self._ends[doc] = start + len(sentence)
        return self._insert(
            evidence,
            document_id=doc,
            sentence_start=start,
            sentence_end=start + len(sentence),
            span_start=start,
            span_end=start + len(sentence),
            sentence=sentence,
        )

    def _item(
        self, doc: int, sentence: str, confidence: float, review_state: str
    ) -> dict[str, Any]:
        return {
            "document_id": doc,
            "evidence_id": self._evidence(doc, sentence),
            "extractor": "test",
            "confidence": confidence,
            "review_state": review_state,
        }

    def threat(
        self,
        doc: int,
        country: str | None,
        trigger: str | None,
        *,
        consequence: str = "vague",
        stated: str | None = None,
        speaker: str = "Dmitry Peskov",
        quote: str | None = None,
        confidence: float = 0.9,
        review_state: str = "machine",
        addressee: str | None = None,
    ) -> int:
        day, precision = _date(stated)
        return self._insert(
            threats,
            **self._item(
                doc, quote or f"{speaker} warned about {trigger}.", confidence, review_state
            ),
            speaker=speaker,
            speaker_country=country,
            trigger_key=trigger,
            trigger_text=trigger,
            consequence_class=consequence,
            explicitness="direct_quote",
            stated_date=day,
            stated_precision=precision,
            addressee=addressee,
            addressee_country=addressee,
        )

    def event(
        self,
        doc: int,
        kind: str,
        country: str | None,
        trigger: str | None,
        when: str | None,
        *,
        consequence: str | None = None,
        quote: str | None = None,
        confidence: float = 0.8,
        review_state: str = "machine",
        line_from: str | None = None,
    ) -> int:
        day, precision = _date(when)
        return self._insert(
            events,
            **self._item(doc, quote or f"{country} {kind} {trigger}.", confidence, review_state),
            kind=kind,
            actor_country=country,
            trigger_key=trigger,
            consequence_class=consequence,
            event_date=day,
            date_precision=precision,
            line_from=line_from,
        )

    def crossing(
        self, doc: int, country: str | None, trigger: str, when: str | None, **kw: Any
    ) -> int:
        return self.event(doc, "crossing", country, trigger, when, **kw)

    def response(
        self,
        doc: int,
        country: str,
        trigger: str | None,
        consequence: str,
        when: str | None,
        **kw: Any,
    ) -> int:
        return self.event(doc, "response", country, trigger, when, consequence=consequence, **kw)

    def claim(
        self,
        doc: int,
        country: str,
        trigger: str,
        claim: str = "no_response",
        when: str | None = None,
        *,
        quote: str | None = None,
        confidence: float = 0.7,
        review_state: str = "machine",
    ) -> int:
        day, precision = _date(when)
        return self._insert(
            outcome_claims,
            **self._item(
                doc, quote or f"{country} did not respond to {trigger}.", confidence, review_state
            ),
            trigger_key=trigger,
            subject_country=country,
            claim=claim,
            claim_date=day,
            date_precision=precision,
        )

    def review(
        self, episode_id: int, action: str, *, field: str | None = None, new: str | None = None
    ) -> int:
        return self._insert(
            reviews,
            item_type="episode",
            item_id=episode_id,
            action=action,
            field=field,
            new_value=new,
            reviewer="analyst",
            note="checked by hand",
            created_at=now(),
        )


def seeds_ledger(ledger: Ledger) -> Builder:
    """The two real seed articles (both opinion pieces) as the gold annotation reads them."""
    b = Builder(ledger)
    tele = b.doc("2023-06-27", genre="opinion", outlet="The Telegraph", title="Putin's bluff")
    sun = b.doc("2024-09", genre="opinion", outlet="The New York Sun", title="Call Putin's bluff")
    b.threat(tele, "RUS", "western_weapons_on_russian_territory", consequence="war_or_nuclear")
    b.threat(tele, "RUS", "attack_on_annexed_territory", consequence="war_or_nuclear")
    b.threat(sun, "RUS", "long_range_strikes_inside_russia", consequence="war_or_nuclear")
    b.threat(sun, "RUS", "f16_delivery", consequence="military_force")
    b.crossing(tele, "UKR", "cross_border_incursion", "2023")
    b.crossing(sun, "USA", "atacms_delivery", "2024")
    b.crossing(sun, "USA", "strikes_near_kharkiv", "2024-05")
    b.crossing(sun, "USA", "f16_delivery", None)
    for trigger in ("f16_delivery", "atacms_delivery", "strikes_near_kharkiv"):
        b.claim(sun, "RUS", trigger, "no_response", "2024-09")
    b.claim(tele, "RUS", "attack_on_annexed_territory", "no_response", "2023-06-27")
    return b


def test_factories_write_what_the_linker_reads(ledger: Ledger) -> None:
    b = Builder(ledger)
    d = b.doc("2024-05", genre="opinion", outlet="Sun")
    b.threat(d, "RUS", "f16_delivery", stated="2023-06-01")
    b.crossing(d, "USA", "f16_delivery", None)
    b.claim(d, "RUS", "f16_delivery", review_state="rejected")
    with ledger.connect() as conn:
        pool = load_pool(conn)
    (threat,) = pool.items["threat"]
    (crossing,) = pool.items["crossing"]
    assert threat.when.lo == date(2023, 6, 1) and threat.when.precision == "day"
    assert crossing.when.precision == "unknown" and crossing.when.hi == date(2024, 5, 31)
    assert crossing.when.known_from == date(2024, 5, 1)
    assert pool.items["claim"] == []  # rejected
    assert pool.docs[d].genre == "opinion"
