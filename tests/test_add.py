"""An analyst adds what the extractor missed: stored with provenance, audited, kept through
re-extraction, standing for its sentence, linked and learned from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from redline.add import add
from redline.cli import app
from redline.errors import RedlineError
from redline.extract import extract_documents
from redline.extract.query import list_events, list_threats
from redline.ingest import ingest_paths
from redline.link import link
from redline.link.episodes import list_episodes
from redline.model.dataset import ledger_reviews
from redline.review import audit_trail, review
from redline.schemas import validate
from redline.store import Ledger
from redline.store.schema import documents, events, threats
from test_link_factories import Builder

# Written for this test: the second sentence is a threat in a form no extractor should need
# to know; the third is plain news.
WARNING = (
    "date 2022-02-08 Warning\n\n"
    "Talks in Geneva ended without progress on Tuesday. "
    "US President Joe Biden said on Monday that Russia would face severe sanctions if it "
    "invaded Ukraine. "
    "The talks will resume in March, diplomats said.\n"
)
INVASION = (
    "date 2022-02-25 Invasion\n\n"
    "Russian troops crossed into Ukraine from three directions on Thursday, officials said.\n"
)
THREAT_WORDS = "Russia would face severe sanctions if it invaded Ukraine"


def _docs(ledger: Ledger, tmp_path: Path) -> tuple[int, int]:
    (tmp_path / "warning.txt").write_text(WARNING, encoding="utf-8")
    (tmp_path / "invasion.txt").write_text(INVASION, encoding="utf-8")
    ingest_paths(ledger, [tmp_path / "warning.txt", tmp_path / "invasion.txt"], progress=False)
    with ledger.connect() as conn:
        ids = conn.execute(sa.text("SELECT id, source_path FROM documents")).all()
    by_file = {Path(path).name: i for i, path in ids}
    return by_file["warning.txt"], by_file["invasion.txt"]


def _threat_fields() -> dict[str, str]:
    return {
        "speaker": "Joe Biden",
        "speaker_country": "USA",
        "trigger_key": "invasion_of_ukraine",
        "consequence_class": "sanctions_or_economic",
    }


def test_an_added_threat_has_its_provenance_its_fields_and_an_audit_row(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    warning, _ = _docs(sqlite_ledger, tmp_path)
    added = add(
        sqlite_ledger,
        "threat",
        warning,
        quote=THREAT_WORDS,
        fields=_threat_fields(),
        reviewer="ana",
        note="missed by the extractor",
    )
    text = WARNING[WARNING.index("Talks") :]
    with sqlite_ledger.connect() as conn:
        stored = conn.execute(sa.text("SELECT text FROM documents WHERE id = :i"), {"i": warning})
        doc_text = stored.scalar_one()
    start, end = added.span
    assert doc_text[start:end] == THREAT_WORDS
    (row,) = list_threats(sqlite_ledger)
    assert row.id == added.item_id
    assert row.sentence.startswith("US President Joe Biden said on Monday")
    assert row.sentence.endswith("invaded Ukraine.") and "Talks" not in row.sentence
    assert (row.extractor, row.review_state) == ("analyst", "confirmed")
    assert (row.speaker_country, row.trigger_key) == ("USA", "invasion_of_ukraine")
    assert row.consequence_class == "sanctions_or_economic"
    assert row.explicitness == "reported_speech"
    # dated as extraction dates it: "on Monday" before the article of Tuesday 8 February
    assert (str(row.stated_date), row.stated_precision) == ("2022-02-07", "day")
    (trail,) = audit_trail(sqlite_ledger)
    assert (trail.action, trail.item_id, trail.reviewer) == ("add", added.item_id, "ana")
    assert json.loads(trail.new_value) == {"kind": "threat", **_threat_fields()}
    assert text  # the document's text is the file's body


def test_an_added_threat_stands_for_its_sentence_through_extraction(
    ledger: Ledger, tmp_path: Path
) -> None:
    """The extractor finding the same statement later (another span of the sentence) adds no
    second threat beside the analyst's, and changes none of the analyst's fields."""
    warning, _ = _docs(ledger, tmp_path)
    fields = {**_threat_fields(), "stated_date": "2022-02-06"}
    added = add(ledger, "threat", warning, quote=THREAT_WORDS, fields=fields, reviewer="ana")
    for redo in (False, True):
        extract_documents(ledger, redo=redo)
        rows = [r for r in list_threats(ledger) if r.document_id == warning]
        assert [r.id for r in rows] == [added.item_id]
        (row,) = rows
        assert (str(row.stated_date), row.extractor) == ("2022-02-06", "analyst")
        assert row.speaker == "Joe Biden"


def test_extraction_does_not_count_the_items_an_added_one_holds_off(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """`redline extract` said "1 threats" for the threat it found in an added threat's sentence
    and did not store (the analyst's stands for it): read as a second threat beside the
    analyst's. It is counted apart, as not stored again; the crossing of the other document is
    counted as before, and so is the threat once the analyst's is gone."""
    warning, _ = _docs(sqlite_ledger, tmp_path)
    add(sqlite_ledger, "threat", warning, quote=THREAT_WORDS, fields=_threat_fields())
    report = extract_documents(sqlite_ledger)
    assert (report.documents, report.threats, report.crossings) == (2, 0, 1)
    assert report.held_off == {"threats": 1}
    # a run stopped part way counts from the ledger: the analyst's threat is no extraction's
    from redline.extract.pipeline import _stored_counts

    with sqlite_ledger.connect() as conn:
        version = conn.execute(sa.select(documents.c.extracted_version)).scalars().first()
    assert _stored_counts(sqlite_ledger, str(version), [warning])[warning]["threats"] == 0
    res = CliRunner().invoke(app, ["extract", "--redo", "--db", sqlite_ledger.url, "--no-progress"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert said.startswith("extracted 2 documents: 0 threats, 1 crossing, 0 responses")
    assert "; 1 threat not stored again: an analyst's added item stands for its sentence" in said
    with sqlite_ledger.begin() as conn:
        conn.execute(sa.delete(threats))
    report = extract_documents(sqlite_ledger, redo=True)
    assert (report.threats, report.crossings, report.held_off) == (1, 1, {})


def test_a_span_given_with_the_space_around_its_words_is_its_words(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """Offsets copied with the space before a sentence made the sentence start there, not where
    extraction's sentence starts: the item then stood for no sentence of extraction's, and the
    extractor's threat of that sentence was stored beside it (one statement counted twice)."""
    warning, _ = _docs(sqlite_ledger, tmp_path)
    with sqlite_ledger.connect() as conn:
        text = conn.execute(sa.select(documents.c.text).where(documents.c.id == warning))
        text = text.scalar_one()
    start = text.index("US President") - 1  # the space after the sentence before
    end = text.index("invaded Ukraine.") + len("invaded Ukraine.") + 1
    added = add(sqlite_ledger, "threat", warning, span=(start, end), fields=_threat_fields())
    assert added.span == (start + 1, end - 1)
    assert added.sentence.startswith("US President") and added.sentence.endswith("Ukraine.")
    extract_documents(sqlite_ledger)
    rows = [r for r in list_threats(sqlite_ledger) if r.document_id == warning]
    assert [r.id for r in rows] == [added.item_id]


def test_added_threat_and_crossing_make_an_episode(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    warning, invasion = _docs(sqlite_ledger, tmp_path)
    add(sqlite_ledger, "threat", warning, quote=THREAT_WORDS, fields=_threat_fields())
    crossing = add(
        sqlite_ledger,
        "crossing",
        invasion,
        quote="Russian troops crossed into Ukraine",
        fields={"actor_country": "RUS", "trigger_key": "invasion_of_ukraine"},
    )
    assert crossing.item_type == "event"
    (event,) = list_events(sqlite_ledger)
    assert (event.kind, str(event.event_date)) == ("crossing", "2022-02-24")
    link(sqlite_ledger)
    (episode,) = list_episodes(sqlite_ledger)
    assert episode.key == "USA:invasion_of_ukraine"
    # crossed, and no response found: undetermined, not unenforced (codebook §4)
    assert (str(episode.crossing_date), episode.status) == ("2022-02-24", "undetermined")
    add(
        sqlite_ledger,
        "response",
        invasion,
        span=(0, 10),  # "Russian tr" stands in for a sanctions report the test did not write
        fields={
            "actor_country": "USA",
            "trigger_key": "invasion_of_ukraine",
            "consequence_class": "sanctions_or_economic",
            "event_date": "2022-02-25",
        },
    )
    link(sqlite_ledger)
    (episode,) = list_episodes(sqlite_ledger)
    assert (episode.status, episode.n_responses) == ("crossed_enforced", 1)
    # the story and the report say which items an analyst added
    url = sqlite_ledger.engine.url.render_as_string(hide_password=False)
    told = CliRunner().invoke(app, ["episode", "USA:invasion_of_ukraine", "--db", url])
    assert told.exit_code == 0, told.output
    assert " ".join(told.output.split()).count("(added by an analyst)") == 3
    from redline.report import write_report

    page = tmp_path / "r.html"
    write_report(sqlite_ledger, page)
    assert page.read_text(encoding="utf-8").count("added by an analyst</span>") == 3


def test_an_added_item_may_be_dated_to_the_month_its_source_names(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A source saying "in February 2022" dates the act to a month: `add` took only a day, so
    an analyst had to invent one (or leave the date out), and the act read as of that day."""
    _, invasion = _docs(sqlite_ledger, tmp_path)
    add(
        sqlite_ledger,
        "crossing",
        invasion,
        quote="Russian troops crossed into Ukraine",
        fields={
            "actor_country": "RUS",
            "trigger_key": "invasion_of_ukraine",
            "event_date": "2022-02",
        },
    )
    with sqlite_ledger.connect() as conn:
        row = conn.execute(sa.select(events.c.event_date, events.c.date_precision)).one()
    assert (str(row.event_date), row.date_precision) == ("2022-02-01", "month")
    with pytest.raises(RedlineError, match="a month YYYY-MM or a year YYYY"):
        add(
            sqlite_ledger,
            "response",
            invasion,
            span=(0, 10),
            fields={"actor_country": "USA", "event_date": "February 2022"},
        )


def test_an_added_item_is_not_dated_after_its_article(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """`review correct` refuses a date after the article that reports the item; `add` took
    one (a month after it, or 2030), and the item counted nowhere."""
    _, invasion = _docs(sqlite_ledger, tmp_path)  # published 2022-02-25
    for day in ("2022-03", "2022-02-26", "2030"):
        with pytest.raises(RedlineError, match="after its article was published"):
            add(
                sqlite_ledger,
                "crossing",
                invasion,
                quote="Russian troops crossed into Ukraine",
                fields={"actor_country": "RUS", "event_date": day},
            )
    # an undated article was published by the day it was ingested ("9999" was taken there)
    undated = Builder(sqlite_ledger).doc(None, text="Troops moved to the border, officials said.")
    with pytest.raises(RedlineError, match="after its undated article was ingested"):
        add(
            sqlite_ledger,
            "crossing",
            undated,
            span=(0, 10),
            fields={"actor_country": "RUS", "event_date": "9999"},
        )
    # the month of the article may hold the act
    add(
        sqlite_ledger,
        "crossing",
        invasion,
        quote="Russian troops crossed into Ukraine",
        fields={"actor_country": "RUS", "event_date": "2022-02"},
    )


def test_an_addition_is_refused_where_it_would_count_a_statement_twice_or_name_nothing(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    warning, _ = _docs(sqlite_ledger, tmp_path)
    first = add(sqlite_ledger, "threat", warning, quote=THREAT_WORDS, fields=_threat_fields())
    # the same addition again: stored once
    again = add(sqlite_ledger, "threat", warning, quote=THREAT_WORDS, fields=_threat_fields())
    assert again.unchanged and again.item_id == first.item_id
    assert len(audit_trail(sqlite_ledger)) == 1
    # another threat in that sentence, or other fields at that span: review that one instead
    with pytest.raises(RedlineError, match=f"threat {first.item_id}, an analyst's, already"):
        add(sqlite_ledger, "threat", warning, quote="severe sanctions", fields=_threat_fields())
    with pytest.raises(RedlineError, match="review it instead"):
        add(
            sqlite_ledger,
            "threat",
            warning,
            quote=THREAT_WORDS,
            fields={**_threat_fields(), "consequence_class": "vague"},
        )
    cases = [
        ({"quote": "no such words here"}, "does not contain the quotation"),
        ({"quote": "said"}, "occurs 2 times"),
        ({"span": (5, 2)}, "5:2 ends where or before it starts"),
        ({"span": (3, 3)}, "ends where or before it starts"),
        ({"span": (0, 100_000)}, "is not inside document"),
        ({"quote": "   "}, "holds no words"),
        ({"quote": "x", "span": (0, 1)}, "not both"),
        ({}, r"\(--span START:END\)$"),
    ]
    for where, error in cases:
        with pytest.raises(RedlineError, match=error):
            add(sqlite_ledger, "response", warning, fields={"actor_country": "USA"}, **where)
    with pytest.raises(RedlineError, match="needs speaker_country"):
        add(sqlite_ledger, "threat", warning, quote="The talks will resume", fields={})
    with pytest.raises(RedlineError, match="needs actor_country"):
        add(sqlite_ledger, "crossing", warning, quote="The talks will resume", fields={})
    with pytest.raises(RedlineError, match="takes no field 'status'"):
        add(sqlite_ledger, "crossing", warning, quote="The talks", fields={"status": "open"})
    with pytest.raises(RedlineError, match="unknown trigger_key"):
        add(
            sqlite_ledger,
            "crossing",
            warning,
            quote="The talks",
            fields={"actor_country": "RUS", "trigger_key": "no such line"},
        )
    with pytest.raises(RedlineError, match="may not begin 'audit #"):
        add(sqlite_ledger, "crossing", warning, quote="The talks", fields={}, note="audit #2: x")
    with pytest.raises(RedlineError, match="unknown kind"):
        add(sqlite_ledger, "episode", warning, quote="The talks", fields={})
    with sqlite_ledger.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(threats)).scalar_one() == 1
    assert list_events(sqlite_ledger) == []


def test_the_same_addition_again_is_refused_once_the_item_was_rejected_or_corrected(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """It was answered "already added: stored once" with the fields given, while the item was
    rejected (counted nowhere) or held a corrected field."""
    warning, _ = _docs(sqlite_ledger, tmp_path)
    first = add(sqlite_ledger, "threat", warning, quote=THREAT_WORDS, fields=_threat_fields())
    review(sqlite_ledger, "threat", first.item_id, "reject", reviewer="ana")
    with pytest.raises(RedlineError, match=f"threat {first.item_id} \\(rejected\\)"):
        add(sqlite_ledger, "threat", warning, quote=THREAT_WORDS, fields=_threat_fields())
    review(sqlite_ledger, "threat", first.item_id, "confirm", reviewer="ana")
    assert add(
        sqlite_ledger, "threat", warning, quote=THREAT_WORDS, fields=_threat_fields()
    ).unchanged
    review(
        sqlite_ledger,
        "threat",
        first.item_id,
        "correct",
        field="speaker_country",
        value="GBR",
        reviewer="ana",
    )
    with pytest.raises(RedlineError, match="review it instead"):
        add(sqlite_ledger, "threat", warning, quote=THREAT_WORDS, fields=_threat_fields())


def test_a_rejected_machine_item_leaves_its_sentence_to_the_analyst(
    ledger: Ledger, tmp_path: Path
) -> None:
    warning, _ = _docs(ledger, tmp_path)
    extract_documents(ledger)
    machine = [r for r in list_threats(ledger) if r.document_id == warning]
    assert machine, "the extractor no longer finds the plainest threat of this test"
    with pytest.raises(RedlineError, match=f"threat {machine[0].id}, the extractor's"):
        add(ledger, "threat", warning, quote="said on Monday", fields=_threat_fields())
    review(ledger, "threat", machine[0].id, "reject", reviewer="ana")
    added = add(ledger, "threat", warning, quote="said on Monday", fields=_threat_fields())
    assert [r.id for r in list_threats(ledger) if r.document_id == warning] == [added.item_id]


def test_added_items_train_as_positives(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    warning, _ = _docs(sqlite_ledger, tmp_path)
    add(sqlite_ledger, "threat", warning, quote=THREAT_WORDS, fields=_threat_fields())
    (example,) = ledger_reviews(sqlite_ledger)
    assert example.labels == frozenset({"threat"})
    assert THREAT_WORDS in example.text


def test_cli_add(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    warning, _ = _docs(sqlite_ledger, tmp_path)
    url = sqlite_ledger.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    args = ["add", "threat", str(warning), "--quote", THREAT_WORDS, "--db", url, "--by", "ana"]
    sets = [x for k, v in _threat_fields().items() for x in ("--set", f"{k}={v}")]
    result = runner.invoke(app, [*args, *sets])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "added threat" in said and "trigger_key: invasion_of_ukraine" in said
    assert "redline link" in said
    result = runner.invoke(app, [*args, *sets, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    validate(doc)  # the versioned envelope every JSON output has (it had none)
    assert doc["added"]["unchanged"] is True and doc["added"]["kind"] == "threat"
    result = runner.invoke(app, [*args, "--set", "speaker_country"])
    assert result.exit_code != 0 and "field=value" in str(result.exception)
    for bad in ("3-9", "²:9", "3:٩"):  # a superscript digit ended in a traceback
        result = runner.invoke(app, ["add", "threat", str(warning), "--span", bad, "--db", url])
        assert isinstance(result.exception, RedlineError) and "START:END" in str(result.exception)


def test_an_extraction_storing_the_sentence_during_an_addition_is_not_counted_twice(
    sqlite_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the addition looked for an item in the sentence before it held the write lock:
    an extraction of the document that stored the sentence's threat in between was not seen,
    and the addition stored its own beside it."""
    import threading

    import redline.add as adding
    from redline.extract.base import Extraction, ThreatItem
    from redline.extract.pipeline import _store

    warning, _ = _docs(sqlite_ledger, tmp_path)
    with sqlite_ledger.connect() as conn:
        text = conn.execute(sa.select(documents.c.text).where(documents.c.id == warning))
        text = text.scalar_one()
    start, end = text.index(THREAT_WORDS), text.index(THREAT_WORDS) + len(THREAT_WORDS)
    first, last = adding._sentence_around(text, start, end)
    p = adding.Provenance(first, last, start, end, text[first:last])
    doc = adding.get_document(sqlite_ledger, warning)
    machine = {**adding._values("threat", {"speaker_country": "USA"}, p, doc), "extractor": "m"}
    extraction = Extraction(threats=[ThreatItem(provenance=p, **machine)])
    looked = adding._stored_here

    def and_meanwhile_extraction(*args: object) -> object:
        found = looked(*args)  # type: ignore[arg-type]
        worker = threading.Thread(target=_store, args=(sqlite_ledger, warning, extraction, "v", {}))
        worker.start()
        worker.join(timeout=3)  # stored at once, unless the addition holds the write lock
        waiting.append(worker)
        return found

    waiting: list[threading.Thread] = []
    monkeypatch.setattr(adding, "_stored_here", and_meanwhile_extraction)
    try:
        added = add(
            sqlite_ledger, "threat", warning, quote="said on Monday", fields=_threat_fields()
        )
    except RedlineError as refused:  # the extraction's threat found first: also one statement
        assert "the extractor's" in str(refused)
    else:
        assert added.item_id
    for worker in waiting:
        worker.join()
    rows = [r for r in list_threats(sqlite_ledger) if r.document_id == warning]
    assert len(rows) == 1


def test_an_item_added_over_two_sentences_stands_for_both(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """An addition quoting across a sentence end holds both sentences (it is refused where
    either holds an item of its kind), yet extraction stored its threat of the second beside
    it: only an item of the first sentence's start was held off."""
    warning, _ = _docs(sqlite_ledger, tmp_path)
    quote = "without progress on Tuesday. US President Joe Biden said on Monday that Russia"
    added = add(sqlite_ledger, "threat", warning, quote=quote, fields=_threat_fields())
    assert added.sentence.startswith("Talks") and added.sentence.endswith("invaded Ukraine.")
    extract_documents(sqlite_ledger)
    rows = [r for r in list_threats(sqlite_ledger) if r.document_id == warning]
    assert [r.id for r in rows] == [added.item_id]
