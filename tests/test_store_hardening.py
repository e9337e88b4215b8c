"""Store hardening (issue 10): the database keeps each item once, reviews survive
re-extraction, and extraction cost grows linearly with a document's size."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from redline.cli import app
from redline.extract import extract_documents
from redline.extract.base import (
    ClaimItem,
    DocumentInput,
    EventItem,
    Extraction,
    Provenance,
    ThreatItem,
)
from redline.extract.query import list_threats
from redline.extract.rules import RuleExtractor
from redline.ingest import ingest_paths
from redline.review import audit_trail, review
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


def test_migration_0006_adds_the_extract_claims_and_takes_them_away(ledger: Ledger) -> None:
    """0006 adds the table extract runs claim documents in (and its downgrade drops it); a
    claim goes with its document."""
    from redline.store.schema import extract_claims

    with ledger.exclusive() as conn:
        command.downgrade(alembic_config(conn), "0005")
    try:
        assert not sa.inspect(ledger.engine).has_table("extract_claims")
        with ledger.begin() as conn:
            doc = _document(conn)
    finally:
        ledger.migrate()
    assert sa.inspect(ledger.engine).has_table("extract_claims")
    run = ledger.start_run("extract", {})
    with ledger.begin() as conn:
        conn.execute(
            sa.insert(extract_claims).values(
                document_id=doc, run_id=run, expires_at=now(), holder="1@here"
            )
        )
    assert ledger.count(extract_claims) == 1
    with ledger.begin() as conn:
        conn.execute(sa.delete(documents).where(documents.c.id == doc))
    assert ledger.count(extract_claims) == 0


# ---------------------------------------------------------------------- 2. reviews survive redo

TEXT = (
    "date 2022-02-08 Biden said\n\n"
    "US President Joe Biden said on Monday that Russia would face severe sanctions if it "
    "invaded Ukraine.\n\n"
    "Kremlin spokesman Dmitry Peskov warned that Moscow would respond with military force if "
    "NATO deployed troops in Finland.\n"
)


def _item_exists(ledger: Ledger, item_type: str, item_id: int) -> bool:
    from redline.review import ITEMS

    table = ITEMS[item_type]
    with ledger.connect() as conn:
        return conn.execute(sa.select(table.c.id).where(table.c.id == item_id)).first() is not None


def _threat_rows(ledger: Ledger) -> list[tuple[int, str, str, str | None]]:
    with ledger.connect() as conn:
        return [
            tuple(r)  # type: ignore[misc]
            for r in conn.execute(
                sa.select(
                    threats.c.id,
                    threats.c.review_state,
                    threats.c.consequence_class,
                    threats.c.speaker,
                ).order_by(threats.c.id)
            )
        ]


@pytest.fixture
def two_threats(ledger: Ledger, tmp_path: Path) -> Ledger:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    ingest_paths(ledger, [tmp_path / "a.txt"], progress=False)
    extract_documents(ledger)
    return ledger


def test_reviews_survive_extract_redo(two_threats: Ledger) -> None:
    """Confirm one threat, reject and annotate the other, correct a field; after `redline
    extract --redo` every review resolves to the same item, which keeps the decision."""
    ledger = two_threats
    biden, peskov = (t.id for t in list_threats(ledger))
    review(ledger, "threat", biden, "confirm", reviewer="ana")
    review(ledger, "threat", biden, "correct", field="consequence_class", value="diplomatic")
    review(ledger, "threat", peskov, "note", reviewer="bo", note="check the date")
    review(ledger, "threat", peskov, "reject", reviewer="bo")
    before = _threat_rows(ledger)
    url = ledger.engine.url.render_as_string(hide_password=False)
    res = runner.invoke(app, ["extract", "--redo", "--db", url, "--no-progress", "-w", "1"])
    assert res.exit_code == 0, res.output
    assert "extracted 1 document: 2 threats" in res.output
    # the same two rows, not a machine copy beside each reviewed one
    assert _threat_rows(ledger) == before
    assert before == [
        (biden, "corrected", "diplomatic", "Joe Biden"),
        (peskov, "rejected", "military_force", "Dmitry Peskov"),
    ]
    trail = audit_trail(ledger)
    assert len(trail) == 4
    assert all(_item_exists(ledger, r.item_type, r.item_id) for r in trail)
    assert [t.id for t in list_threats(ledger)] == [biden]  # the rejected one stays hidden
    listed = runner.invoke(app, ["reviews", "--db", url, "--format", "csv"])
    assert listed.exit_code == 0 and listed.output.count(",threat,") == 4


class _Silent(RuleExtractor):
    """Finds nothing (a newer extractor that no longer sees the items)."""

    def extract_many(self, docs: list[DocumentInput]) -> list[Extraction]:  # type: ignore[override]
        return [Extraction() for _ in docs]


class _Reworded(RuleExtractor):
    """Finds the same items with other values (a newer extractor)."""

    def extract_many(self, docs: list[DocumentInput]) -> list[Extraction]:  # type: ignore[override]
        out = super().extract_many(docs)
        for result in out:
            for t in result.threats:
                t.confidence, t.consequence_class, t.trigger_text = 0.11, "vague", "reworded"
        return out


def test_a_reviewed_item_the_extractor_no_longer_finds_is_kept(two_threats: Ledger) -> None:
    ledger = two_threats
    biden, peskov = (t.id for t in list_threats(ledger))
    review(ledger, "threat", biden, "note", note="a note is a review too")
    extract_documents(ledger, redo=True, extractor=_Silent())
    assert [r[0] for r in _threat_rows(ledger)] == [biden]  # the machine's peskov item went
    (trail,) = audit_trail(ledger)
    assert _item_exists(ledger, "threat", trail.item_id)


def test_a_reviewed_item_found_again_takes_new_values_but_keeps_corrections(
    two_threats: Ledger,
) -> None:
    ledger = two_threats
    biden, _ = (t.id for t in list_threats(ledger))
    review(ledger, "threat", biden, "correct", field="speaker", value="Joseph R. Biden")
    extract_documents(ledger, redo=True, extractor=_Reworded())
    with ledger.connect() as conn:
        row = conn.execute(sa.select(threats).where(threats.c.id == biden)).one()
        assert _count(ledger, threats) == 2
    assert (row.speaker, row.review_state) == ("Joseph R. Biden", "corrected")
    assert (row.confidence, row.consequence_class, row.trigger_text) == (0.11, "vague", "reworded")


class _Longer(RuleExtractor):
    """Finds the same threats, each a character longer at the start (a newer extractor that
    reads the phrase from the word before)."""

    def extract_many(self, docs: list[DocumentInput]) -> list[Extraction]:  # type: ignore[override]
        out = super().extract_many(docs)
        for result in out:
            for t in result.threats:
                p = t.provenance
                t.provenance = replace(p, span_start=p.span_start - 1)
                t.trigger_text = "reworded"
        return out


def test_a_reviewed_item_found_at_a_moved_span_keeps_its_decision(two_threats: Ledger) -> None:
    """A threat an analyst rejected or corrected, found again at another span of its sentence,
    is the reviewed one: the rejected threat came back as a new machine item, and the corrected
    one stood beside a copy with the value the analyst had corrected away."""
    ledger = two_threats
    biden, peskov = (t.id for t in list_threats(ledger))
    review(ledger, "threat", biden, "correct", field="consequence_class", value="diplomatic")
    review(ledger, "threat", peskov, "reject", reviewer="bo")
    with ledger.connect() as conn:
        spans = dict(
            conn.execute(
                sa.select(threats.c.id, evidence.c.span_start).join(
                    evidence, evidence.c.id == threats.c.evidence_id
                )
            ).all()
        )
    extract_documents(ledger, redo=True, extractor=_Longer())
    assert [(r[0], r[1], r[2]) for r in _threat_rows(ledger)] == [
        (biden, "corrected", "diplomatic"),
        (peskov, "rejected", "military_force"),
    ]
    assert [t.id for t in list_threats(ledger)] == [biden]
    (listed,) = list_threats(ledger)
    assert (listed.span_start, listed.trigger_text) == (spans[biden] - 1, "reworded")
    with ledger.connect() as conn:  # no evidence row is left pointing at nothing
        assert conn.execute(sa.select(sa.func.count()).select_from(evidence)).scalar() == 2


def test_reviews_never_list_a_decision_on_a_missing_item(two_threats: Ledger) -> None:
    """A ledger re-extracted before reviewed items were kept holds reviews of deleted items:
    `redline reviews` leaves them out and says so."""
    ledger = two_threats
    biden, _ = (t.id for t in list_threats(ledger))
    review(ledger, "threat", biden, "confirm", reviewer="ana")
    with ledger.begin() as conn:
        conn.execute(
            sa.insert(reviews).values(
                item_type="threat", item_id=9999, action="note", reviewer="old", created_at=now()
            )
        )
    assert [r.item_id for r in audit_trail(ledger)] == [biden]
    assert [r.item_id for r in audit_trail(ledger, missing=True)] == [9999]
    url = ledger.engine.url.render_as_string(hide_password=False)
    res = runner.invoke(app, ["reviews", "--db", url, "--format", "csv"])
    assert res.exit_code == 0
    assert ",ana,threat," in res.stdout and ",old," not in res.stdout
    assert "1 earlier decisions are not listed" in res.stderr


def test_a_correction_that_would_copy_another_item_is_refused(ledger: Ledger) -> None:
    from redline.errors import RedlineError
    from redline.store.items import write_items

    with ledger.begin() as conn:
        doc = _document(conn)
        write_items(conn, doc, _extraction(), {})
    with ledger.connect() as conn:
        crossing = conn.execute(sa.select(events.c.id).where(events.c.kind == "crossing")).scalar()
    assert crossing is not None
    with pytest.raises(RedlineError, match="would make it a copy"):
        review(ledger, "event", crossing, "correct", field="kind", value="response")
    assert audit_trail(ledger) == []


class _Fixed:
    """Finds the same crossing in every document."""

    name = version = "fixed"

    def extract(self, doc: DocumentInput) -> Extraction:
        return Extraction(events=[_extraction().events[0]])


def test_an_item_whose_kind_was_corrected_is_matched_by_its_extracted_kind(
    ledger: Ledger,
) -> None:
    """A crossing an analyst turned into a response is still the crossing the extractor finds
    again: no machine crossing reappears beside it."""
    with ledger.begin() as conn:
        _document(conn)
    extract_documents(ledger, extractor=_Fixed())
    with ledger.connect() as conn:
        (event_id,) = conn.execute(sa.select(events.c.id)).scalars().all()
    review(ledger, "event", event_id, "correct", field="kind", value="response")
    extract_documents(ledger, redo=True, extractor=_Fixed())
    with ledger.connect() as conn:
        rows = conn.execute(sa.select(events.c.id, events.c.kind, events.c.review_state)).all()
    assert rows == [(event_id, "response", "corrected")]


# ---------------------------------------------------------------------- 3. big documents

PARAGRAPH = (
    "Kremlin spokesman Dmitry Peskov warned that Moscow would respond with military force if "
    "NATO deployed troops in Finland. US President Joe Biden said Russia would face severe "
    "sanctions if it invaded Ukraine. He added that the United States delivered HIMARS rocket "
    "systems to Ukraine in June. Its defence ministry said the minister would not comment. "
    "Officials in Poland and Germany said they saw no sign of a response. Russia imposed "
    "sanctions on American officials in response.\n\n"
)


def _mentions_examined(monkeypatch: pytest.MonkeyPatch, paragraphs: int) -> tuple[int, int]:
    """(mentions the rules' lookups looked at, mentions in the document) for one document of
    ``paragraphs`` paragraphs."""
    from tests.extract_helpers import extractor

    from redline.extract import rules
    from redline.extract.syntax import _DocState

    states: list[_DocState] = []

    class Recording(_DocState):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            states.append(self)

    monkeypatch.setattr(rules, "_DocState", Recording)
    doc = DocumentInput(1, PARAGRAPH * paragraphs, date(2022, 6, 30), "day")
    result = extractor().extract(doc)
    (state,) = states
    assert len(result.threats) >= paragraphs  # the rules did run on every paragraph
    return state.examined, len(state.mentions)


def test_mention_lookups_grow_linearly_with_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not timed: the actor lookups of a document 8 times as long look at no more than about
    8 times as many mentions (each lookup bisects to a bounded window; a scan of every mention
    for each sentence made it 64 times)."""
    small, small_mentions = _mentions_examined(monkeypatch, 10)
    large, large_mentions = _mentions_examined(monkeypatch, 80)
    assert large_mentions == 8 * small_mentions
    assert small > 0
    assert large <= 8 * small * 1.25, (small, large)


def _one_document_ledger(path: Path, paragraphs: int) -> Ledger:
    led = Ledger.open(f"sqlite:///{path}")
    with led.begin() as conn:
        text = PARAGRAPH * paragraphs
        conn.execute(
            sa.update(documents)
            .where(documents.c.id == _document(conn, text))
            .values(published=date(2022, 6, 30), published_precision="day")
        )
    return led


def _moves_within_the_document(seen: list[tuple[float, int]]) -> None:
    assert seen[-1] == (1, 1)
    inside = [done for done, _ in seen if 0 < done < 1]
    assert len(inside) >= 3, seen  # the bar moved while the one document was extracted
    assert all(a < b for (a, _), (b, _) in zip(seen, seen[1:], strict=False)), seen


def test_one_big_document_moves_the_progress_bar(tmp_path: Path) -> None:
    ledger = _one_document_ledger(tmp_path / "one.db", 40)
    seen: list[tuple[float, int]] = []
    report = extract_documents(
        ledger, extractor=RuleExtractor(), progress=lambda d, t: seen.append((d, t))
    )
    assert report.documents == 1 and report.threats >= 40
    _moves_within_the_document(seen)


def test_one_big_document_moves_the_progress_bar_from_a_worker(tmp_path: Path) -> None:
    """The default path: the document is extracted in a worker process, which reports its
    progress to the parent through shared memory."""
    ledger = _one_document_ledger(tmp_path / "one.db", 200)
    seen: list[tuple[float, int]] = []
    report = extract_documents(ledger, workers=2, progress=lambda d, t: seen.append((d, t)))
    assert report.documents == 1 and not report.errors
    _moves_within_the_document(seen)


def test_the_big_document_target_compares_time_per_mb() -> None:
    from redline.bench import targets

    def row(mb: float, per_mb: float) -> dict[str, float]:
        return {"megabytes": mb, "cpu_seconds_per_mb": per_mb}

    (met,) = targets.check({}, {}, {1.0: row(1, 10.0), 4.0: row(4, 11.0), 16.0: row(16, 14.0)})
    assert met["met"] and met["measured"].startswith("1.40x") and "16 MB" in met["target"]
    (missed,) = targets.check({}, {}, {1.0: row(1, 10.0), 16.0: row(16, 20.0)})
    assert not missed["met"] and "missed by 33%" in missed["note"]
    assert targets.check({}, {}, {1.0: row(1, 10.0)}) == []


def test_bench_times_one_big_document_per_size(tmp_path: Path) -> None:
    """The benchmark row, on tiny sizes: each document is extracted alone in its own process
    and the page shows the rows and the per-MB target (benchmarks assert no timing)."""
    from redline.bench import corpus, merge, render
    from redline.bench.runner import REPO, BenchConfig, big_documents

    sources = corpus.load_sources([REPO / "examples" / "corpus"])
    config = BenchConfig(sizes=(), big_documents=(0.02, 0.08), stage_timeout=300)
    measured = big_documents(config, sources, tmp_path / "big", lambda _m: None)
    assert list(measured) == ["0.02", "0.08"]
    for size, row in zip((0.02, 0.08), measured.values(), strict=True):
        assert abs(row["megabytes"] - size) < 0.01 and row["documents"] == 1
        assert row["items"] > 0 and row["errors"] == 0
        assert row["extract_cpu_seconds"] > 0 and row["peak_rss_mib"] > 0
    result = {
        "date": "2026-11-30T00:00:00+00:00",
        "command": "pytest",
        "runs": [],
        "baselines": {},
        "corpora": {},
        "big_documents": measured,
    }
    page = render(merge([result]))
    assert "### One big document" in page
    assert "extraction time per MB, one 0.08 MB document against one of 0.02 MB" in page


def test_an_analysts_line_keeps_its_source_when_the_item_is_extracted_again(
    ledger: Ledger,
) -> None:
    """The trigger key an analyst set survives re-extraction, and so does the note that an
    analyst read it (the linker trusts such a line as it trusts one read from the sentence)."""
    from dataclasses import replace

    from redline.store.items import write_items

    found = _extraction()
    found.events = [replace(e, line_from="document") for e in found.events]
    with ledger.begin() as conn:
        doc = _document(conn)
        write_items(conn, doc, found, {})
    with ledger.connect() as conn:
        response = conn.execute(sa.select(events.c.id).where(events.c.kind == "response")).scalar()
    assert response is not None
    review(ledger, "event", response, "correct", field="trigger_key", value="atacms_delivery")
    with ledger.begin() as conn:
        write_items(conn, doc, found, {})
    with ledger.connect() as conn:
        row = conn.execute(
            sa.select(events.c.trigger_key, events.c.line_from).where(events.c.id == response)
        ).one()
    assert tuple(row) == ("atacms_delivery", "review")


def test_migration_0007_gives_statements_held_already_their_genre(ledger: Ledger) -> None:
    """A ledger ingested before the statement genre holds its interviews as opinion and its
    statements as news; 0007 gives them the genre new ingests get, by the title's form."""
    with ledger.exclusive() as conn:
        command.downgrade(alembic_config(conn), "0006")
    try:
        with ledger.begin() as conn:
            for n, (title, genre) in enumerate(
                (
                    ("Interview with a Network Anchor", "opinion"),
                    ("Statement on the Anniversary of the Invasion", "news"),
                    ("Remarks by Lavrov spark fury in Kyiv", "news"),
                    ("Opinion | Call the bluff", "opinion"),
                )
            ):
                doc = _document(conn, digest="abcd"[n])
                conn.execute(
                    sa.update(documents)
                    .where(documents.c.id == doc)
                    .values(title=title, genre=genre)
                )
    finally:
        ledger.migrate()
    with ledger.connect() as conn:
        got = dict(conn.execute(sa.select(documents.c.title, documents.c.genre)).all())
    assert got == {
        "Interview with a Network Anchor": "statement",
        "Statement on the Anniversary of the Invasion": "statement",
        "Remarks by Lavrov spark fury in Kyiv": "news",
        "Opinion | Call the bluff": "opinion",
    }


def _spoken(text: str, span: tuple[int, int], speaker: str, country: str) -> ThreatItem:
    """A threat in the one sentence ``text``, at ``span``, by ``speaker`` of ``country``."""
    p = Provenance(0, len(text), span[0], span[1], text)
    return ThreatItem(
        p, speaker, None, country, None, None, "f16_delivery", "jets", "strike",
        "military_force", "reported_speech", None, "unknown", 0.8, "test",
    )  # fmt: skip


def test_a_decision_on_one_speakers_threat_never_moves_to_anothers(ledger: Ledger) -> None:
    """One sentence, two threats by two speakers. An analyst rejects the first; a newer
    extractor no longer finds it and reads the second one's span from further back, over the
    first's: the rejection moved to the second speaker's threat (its id, its state) and hid it.
    A threat found again at a moved span is the reviewed one only if of a compatible speaker
    (a longer reading of the same name still is)."""
    from redline.store.items import clear_machine_items, write_items

    text = (
        "Ivanova warned that Moscow would strike the depots if jets arrived, and Lindqvist "
        "warned that the alliance would answer any such strike in kind."
    )
    second = text.index("and Lindqvist")

    threat = partial(_spoken, text)

    with ledger.begin() as conn:
        doc = _document(conn, text)
        write_items(
            conn,
            doc,
            Extraction(
                [
                    threat((0, second - 2), "Ivanova", "RUS"),
                    threat((second, len(text)), "Lindqvist", "NATO"),
                ]
            ),
            {},
        )
    with ledger.connect() as conn:
        ivanova = conn.execute(
            sa.select(threats.c.id).where(threats.c.speaker == "Ivanova")
        ).scalar()
    review(ledger, "threat", ivanova, "reject", reviewer="ana")
    with ledger.begin() as conn:  # the newer extractor: only Lindqvist's, read from further back
        clear_machine_items(conn, doc)
        write_items(conn, doc, Extraction([threat((30, len(text)), "Lindqvist", "NATO")]), {})
    assert [(r[1], r[3]) for r in _threat_rows(ledger)] == [
        ("rejected", "Ivanova"),
        ("machine", "Lindqvist"),
    ]
    assert [t.speaker for t in list_threats(ledger)] == ["Lindqvist"]
    # the same speaker read with a longer name at a moved span is still the reviewed threat
    with ledger.begin() as conn:
        clear_machine_items(conn, doc)
        write_items(conn, doc, Extraction([threat((0, 40), "Anna Ivanova", "RUS")]), {})
    rows = _threat_rows(ledger)
    assert [(r[0], r[1], r[3]) for r in rows] == [(ivanova, "rejected", "Anna Ivanova")]


def test_a_speaker_named_another_way_by_the_gazetteer_keeps_its_decision(ledger: Ledger) -> None:
    """A re-extraction that names the reviewed threat's speaker another way the actor
    gazetteer knows as the same one ("Russia", then "Russian"; "Moscow") is the reviewed
    threat: the strict comparison of names left the rejection behind on the old span and the
    threat came back as a new machine item. Another speaker of the same country in the
    sentence (a minister the gazetteer knows by name) still does not take the decision."""
    from redline.store.items import clear_machine_items, write_items

    text = (
        "Russian diplomats warned that Moscow would strike the depots if jets arrived, and "
        "Lavrov added that any such delivery would be answered."
    )
    threat = partial(_spoken, text)
    with ledger.begin() as conn:
        doc = _document(conn, text)
        write_items(conn, doc, Extraction([threat((0, 60), "Russia", "RUS")]), {})
    with ledger.connect() as conn:
        (rejected,) = conn.execute(sa.select(threats.c.id)).scalars()
    review(ledger, "threat", rejected, "reject", reviewer="ana")
    for named in ("Russian", "Moscow", "the Kremlin"):
        with ledger.begin() as conn:  # the newer extractor reads the phrase from further on
            clear_machine_items(conn, doc)
            write_items(conn, doc, Extraction([threat((8, 60), named, "RUS")]), {})
        rows = _threat_rows(ledger)
        assert [(r[0], r[1], r[3]) for r in rows] == [(rejected, "rejected", named)], named
        assert list_threats(ledger) == [], named
    with ledger.begin() as conn:  # only Lavrov's threat, read from the start of the sentence
        clear_machine_items(conn, doc)
        write_items(conn, doc, Extraction([threat((0, len(text)), "Lavrov", "RUS")]), {})
    assert [(r[1], r[3]) for r in _threat_rows(ledger)] == [
        ("rejected", "the Kremlin"),
        ("machine", "Lavrov"),
    ]
