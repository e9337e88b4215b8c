"""Store hardening (issue 10): the database keeps each item once, reviews survive
re-extraction, and extraction cost grows linearly with a document's size."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from redline.extract.base import (
    ClaimItem,
    EventItem,
    Extraction,
    Provenance,
    ThreatItem,
)
from redline.store import Ledger
from redline.store.db import alembic_config, now
from redline.store.schema import (
    documents,
    episode_members,
    episodes,
    events,
    evidence,
    outcome_claims,
    reviews,
    threats,
)

runner = CliRunner()
SENTENCE = "Russia warned it would respond with force if NATO sent jets."


def _document(conn: sa.Connection, text: str = SENTENCE, digest: str = "a") -> int:
    res = conn.execute(
        sa.insert(documents).values(
            content_hash=digest * 64,
            source_path=f"{digest}.txt",
            source_format="text",
            text=text,
            n_chars=len(text),
            ingested_at=now(),
        )
    )
    return int(res.inserted_primary_key[0])  # type: ignore[index]


def _evidence(conn: sa.Connection, doc_id: int, span: tuple[int, int] = (7, 40)) -> int:
    res = conn.execute(
        sa.insert(evidence).values(
            document_id=doc_id,
            sentence_start=0,
            sentence_end=len(SENTENCE),
            span_start=span[0],
            span_end=span[1],
            sentence=SENTENCE,
        )
    )
    return int(res.inserted_primary_key[0])  # type: ignore[index]


def _item(table: sa.Table, doc_id: int, evidence_id: int, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "document_id": doc_id,
        "evidence_id": evidence_id,
        "extractor": "test",
        "confidence": 0.5,
    }
    if table is threats:
        base |= {"consequence_class": "military_force", "explicitness": "reported_speech"}
    elif table is events:
        base |= {"kind": "crossing"}
    else:
        base |= {"claim": "no_response"}
    return base | values


def _count(ledger: Ledger, table: sa.Table) -> int:
    return ledger.count(table)


# ---------------------------------------------------------------------- 1. one row per item


def test_the_database_refuses_a_second_copy_of_an_item(ledger: Ledger) -> None:
    """Not a check in Python: a plain INSERT of a copy fails, whoever sends it."""
    with ledger.begin() as conn:
        doc = _document(conn)
        ev = _evidence(conn, doc)
        for table in (threats, events, outcome_claims):
            conn.execute(sa.insert(table).values(**_item(table, doc, ev)))
        # another kind in the same span is another item
        conn.execute(sa.insert(events).values(**_item(events, doc, ev, kind="response")))
    copies = [
        lambda c: _evidence(c, doc),
        *(
            (lambda c, t=t: c.execute(sa.insert(t).values(**_item(t, doc, ev))))
            for t in (threats, events, outcome_claims)
        ),
    ]
    for copy in copies:
        with pytest.raises(sa.exc.IntegrityError), ledger.begin() as conn:
            copy(conn)
    assert [_count(ledger, t) for t in (evidence, threats, events, outcome_claims)] == [1, 1, 2, 1]


def _extraction() -> Extraction:
    p = Provenance(0, len(SENTENCE), 7, 40, SENTENCE)
    claim_p = Provenance(0, len(SENTENCE), 0, 6, SENTENCE)
    threat = ThreatItem(
        p, "Russia", "RUS", "RUS", None, None, "f16_delivery", "jets", "respond with force",
        "military_force", "reported_speech", None, "unknown", 0.8, "test",
    )  # fmt: skip
    crossing = EventItem(
        p, "crossing", "NATO", "NATO", None, "f16_delivery", "send", None, None, "unknown", 0.6,
        "test",
    )  # fmt: skip
    response = EventItem(
        p, "response", "Russia", "RUS", None, "f16_delivery", "respond", "military_force", None,
        "unknown", 0.6, "test",
    )  # fmt: skip
    claim = ClaimItem(claim_p, "f16_delivery", "RUS", "no_response", None, "unknown", 0.4, "test")
    return Extraction([threat], [crossing, response], [claim])


def test_storing_one_extraction_twice_keeps_one_copy(ledger: Ledger) -> None:
    """Two writers that both cleared the document before either stored its items (what two
    extractions at once do without the row lock) leave each item once."""
    from redline.store.items import write_items

    with ledger.begin() as conn:
        doc = _document(conn)
    for _ in range(2):
        with ledger.begin() as conn:
            write_items(conn, doc, _extraction(), {})
    counts = [_count(ledger, t) for t in (evidence, threats, events, outcome_claims)]
    assert counts == [2, 1, 2, 1]


def test_migration_0003_merges_copies_and_moves_their_references(ledger: Ledger) -> None:
    """A ledger at 0002 holding copies (two extractions at once, a reviewed item beside the
    machine's new copy of it) is merged on upgrade: the lowest id stays, with the latest
    decision's values, and every review, episode member and crossing points at it."""
    with ledger.exclusive() as conn:
        command.downgrade(alembic_config(conn), "0002")
    try:
        with ledger.begin() as conn:
            doc = _document(conn)
            ev1, ev2, ev3 = _evidence(conn, doc), _evidence(conn, doc), _evidence(conn, doc, (0, 6))
            ids: dict[str, list[int]] = {}
            for name, table, rows in (
                (
                    "threats",
                    threats,
                    [
                        _item(threats, doc, ev1),
                        _item(threats, doc, ev2, review_state="rejected", speaker="Putin"),
                        _item(threats, doc, ev1),
                    ],
                ),
                (
                    "events",
                    events,
                    [
                        _item(events, doc, ev1),
                        _item(events, doc, ev2),
                        _item(events, doc, ev1, kind="response"),
                    ],
                ),
                ("claims", outcome_claims, [_item(outcome_claims, doc, ev3)] * 2),
            ):
                ids[name] = [
                    int(conn.execute(sa.insert(table).values(**row)).inserted_primary_key[0])  # type: ignore[index]
                    for row in rows
                ]
            t1, t2, t3 = ids["threats"]
            c1, c2, r1 = ids["events"]
            k1, k2 = ids["claims"]
            audit = {"action": "reject", "reviewer": "ana", "created_at": now()}
            conn.execute(sa.insert(reviews).values(item_type="threat", item_id=t2, **audit))
            conn.execute(sa.insert(reviews).values(item_type="outcome_claim", item_id=k2, **audit))
            episode = conn.execute(
                sa.insert(episodes).values(
                    key="RUS:f16_delivery",
                    threatener_country="RUS",
                    trigger_key="f16_delivery",
                    label="x",
                    crossing_event_id=c2,
                    status="open",
                    status_as_of=date(2024, 1, 1),
                    confidence=0.5,
                    opinion_only=False,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            conn.execute(
                sa.insert(episode_members),
                [
                    {"episode_id": episode, "item_type": "threat", "item_id": t3},
                    {"episode_id": episode, "item_type": "threat", "item_id": t2},
                    {"episode_id": episode, "item_type": "crossing", "item_id": c2},
                    {"episode_id": episode, "item_type": "response", "item_id": r1},
                ],
            )
    finally:
        ledger.migrate()

    with ledger.connect() as conn:
        assert conn.execute(sa.select(evidence.c.id).order_by(evidence.c.id)).scalars().all() == [
            ev1,
            ev3,
        ]
        (threat,) = conn.execute(sa.select(threats)).all()
        assert (threat.id, threat.evidence_id) == (t1, ev1)
        # t2 held the analyst's decision: the kept row took it over, with its reviews
        assert (threat.review_state, threat.speaker) == ("rejected", "Putin")
        assert sorted(conn.execute(sa.select(events.c.id, events.c.kind)).all()) == [
            (c1, "crossing"),
            (r1, "response"),
        ]
        assert conn.execute(sa.select(outcome_claims.c.id)).scalars().all() == [k1]
        assert sorted(conn.execute(sa.select(reviews.c.item_type, reviews.c.item_id)).all()) == [
            ("outcome_claim", k1),
            ("threat", t1),
        ]
        assert sorted(
            conn.execute(sa.select(episode_members.c.item_type, episode_members.c.item_id)).all()
        ) == [("crossing", c1), ("response", r1), ("threat", t1)]
        assert conn.execute(sa.select(episodes.c.crossing_event_id)).scalar_one() == c1
