"""Storing extraction: batches, worker processes and a bad document among good ones."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import REPO
from tests.extract_helpers import sample_sentences

from redline.extract import extract_documents
from redline.extract.base import DocumentInput, Extraction, Extractor
from redline.extract.rules import RuleExtractor
from redline.ingest import ingest_paths
from redline.store import Ledger
from redline.store.db import now
from redline.store.schema import (
    documents,
    extract_claims,
    runs,
    threats,
)

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _sample_ledger(path: Path) -> Ledger:
    ledger = Ledger.open(f"sqlite:///{path}")
    ingest_paths(ledger, [SAMPLE], progress=False)
    return ledger


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    """The example corpus extracted in one process on SQLite: its report, and what it lists
    and exports (``_as_listed``)."""
    folder = tmp_path_factory.mktemp("one")
    one = _sample_ledger(folder / "one.db")
    report = extract_documents(one, workers=1)
    listed = _as_listed(one, folder / "export")
    one.dispose()
    return report, listed


def _as_listed(ledger: Ledger, folder: Path) -> dict[str, Any]:
    """What an analyst reads of the ledger once linked: every listing and every exported file,
    ids included, less what tells the runs apart by nature (when documents were ingested, the
    runs themselves: a run stopped and run again is one more, and the link's run id with it)."""
    import json
    from datetime import date

    from redline.export import export
    from redline.extract import list_claims, list_events, list_threats
    from redline.link import link, list_episodes

    day = date(2024, 1, 1)
    link(ledger, as_of=day)
    export(ledger, folder, fmt="json", as_of=day)
    seen: dict[str, Any] = {
        "threats": [t.as_dict() for t in list_threats(ledger)],
        "events": [e.as_dict() for e in list_events(ledger)],
        "claims": [c.as_dict() for c in list_claims(ledger)],
        "episodes": [e.as_dict() for e in list_episodes(ledger, as_of=day)],
    }
    for path in sorted(folder.glob("*.json")):
        if path.name != "runs.json":
            rows = json.loads(path.read_text(encoding="utf-8"))
            for row in rows if isinstance(rows, list) else [rows["tables"]]:
                for runs_apart in ("ingested_at", "link_run_id", "runs"):
                    row.pop(runs_apart, None)
            seen[path.name] = rows
    return seen


def _first_batch_last(monkeypatch: pytest.MonkeyPatch, ledger: Ledger) -> None:
    """The shipped extractor, whose worker given the first batch hands it back after the
    others: batches come back in another order than they were claimed in."""
    from redline.extract import pipeline

    with ledger.connect() as conn:
        first = conn.execute(sa.select(sa.func.min(documents.c.id))).scalar_one()
    shipped = pipeline.default_extractor

    def held_back(extra: Sequence[str] = ()) -> Extractor:
        ext = shipped(extra)
        many = ext.extract_many  # type: ignore[attr-defined]

        def extract_many(docs: Sequence[DocumentInput]) -> list[Extraction]:
            if docs and docs[0].id == first:
                time.sleep(3)
            return many(docs)

        ext.extract_many = extract_many  # type: ignore[attr-defined]
        return ext

    monkeypatch.setattr(pipeline, "default_extractor", held_back)


def test_two_workers_store_what_one_process_stores(
    ledger: Ledger,
    one_process: tuple[Any, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Two workers give the ledger one process gives, ids included (SQLite and PostgreSQL):
    workers stored their own batches, so items took ids in the order the batches came back,
    and two runs of one corpus listed and exported different ids ("threat 30" in one was
    "threat 55" in the other)."""
    r1, listed = one_process
    ingest_paths(ledger, [SAMPLE], progress=False)
    _first_batch_last(monkeypatch, ledger)
    seen: list[float] = []
    r2 = extract_documents(ledger, workers=2, progress=lambda done, total: seen.append(done))
    assert r1.documents == r2.documents >= 30 and not r1.errors and not r2.errors
    assert r1.threats > 20
    assert (r1.threats, r1.crossings, r1.responses, r1.claims) == (
        r2.threats,
        r2.crossings,
        r2.responses,
        r2.claims,
    )
    assert seen[-1] == r2.documents and seen == sorted(seen)
    assert extract_documents(ledger, workers=2).documents == 0  # done: nothing pending
    assert _as_listed(ledger, tmp_path / "export") == listed


def test_a_resumed_extraction_gives_the_ledger_a_clean_one_gives(
    ledger: Ledger,
    one_process: tuple[Any, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Ctrl-C part way through a run with two workers, then a run again: the ledger is the one
    a run never stopped gives, ids included (SQLite and PostgreSQL). Workers stored their own
    batches, so a run stopped while the first batch was still being read had stored the second,
    and the run again gave the first batch's items the later ids."""
    _, listed = one_process
    ingest_paths(ledger, [SAMPLE], progress=False)
    _first_batch_last(monkeypatch, ledger)

    def stored() -> int:
        with ledger.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(documents.c.extracted_version.is_not(None))
                ).scalar_one()
            )

    from redline.extract import pipeline

    store = pipeline._store

    def store_then_ctrl_c(*args: Any) -> list[str]:
        held_off = store(*args)
        if stored() >= 5:  # Ctrl-C once five documents are stored
            raise KeyboardInterrupt
        return held_off

    monkeypatch.setattr(pipeline, "_store", store_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        extract_documents(ledger, workers=2)
    before = stored()
    assert 5 <= before < 30  # stopped part way
    monkeypatch.undo()
    assert extract_documents(ledger, workers=2).documents == 30 - before
    assert _as_listed(ledger, tmp_path / "export") == listed


class _Fussy(RuleExtractor):
    """Fails on one document, in a batch as alone."""

    def extract_many(self, docs):
        if any("SABOTAGE" in d.text for d in docs):
            raise RuntimeError("batch refused")
        return super().extract_many(docs)

    def extract(self, doc: DocumentInput) -> Extraction:
        if "SABOTAGE" in doc.text:
            raise RuntimeError("this document breaks the rules")
        return super().extract(doc)


def test_a_failing_document_costs_only_itself(tmp_path: Path) -> None:
    ledger = _notes_ledger(tmp_path, 5, {2: "SABOTAGE"})
    report = extract_documents(ledger, extractor=_Fussy())
    assert report.documents == 4
    assert len(report.errors) == 1 and "this document breaks the rules" in report.errors[0]
    assert f"({tmp_path / 'in' / 'd02.txt'}): RuntimeError" in report.errors[0]  # which input
    with ledger.connect() as conn:
        pending = conn.execute(
            sa.select(documents.c.id).where(documents.c.extracted_version.is_(None))
        ).all()
        stored = conn.execute(sa.select(sa.func.count()).select_from(threats)).scalar_one()
    assert len(pending) == 1  # the failed one is retried next run
    assert stored == 4


class _Renamed(RuleExtractor):
    """The rule extractor under another version, as after a change of its gazetteers."""

    def _version(self, extra: tuple[str, ...]) -> str:
        return "rules-changed"


def test_a_new_extractor_version_re_extracts(tmp_path: Path) -> None:
    ledger = _sample_ledger(tmp_path / "v.db")
    first = extract_documents(ledger, extractor=RuleExtractor())
    assert first.documents > 0
    assert extract_documents(ledger, extractor=RuleExtractor()).documents == 0
    again = extract_documents(ledger, extractor=_Renamed())
    assert again.documents == first.documents  # every document, under the new version
    with ledger.connect() as conn:
        versions = set(conn.execute(sa.select(documents.c.extracted_version)).scalars())
    assert versions == {"rules-changed"}


def test_an_extraction_without_the_gazetteer_the_ledger_was_extracted_with_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`extract --gazetteer mine.yaml`, then a later `extract` (or `ingest`, `run`) without it:
    every document was re-extracted without the user's lines and actors, without a word. The
    ledger records the gazetteers each run read; one that leaves out a gazetteer the documents
    were extracted with is refused, naming it, and --redo re-extracts without it."""
    from redline.errors import RedlineError

    monkeypatch.delenv("REDLINE_GAZETTEER", raising=False)
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "actors:\n  ZZQ:\n    name: Zedland\n    kind: state\n    country: ZZQ\n", "utf-8"
    )
    ledger = _sample_ledger(tmp_path / "g.db")
    extra = [str(mine)]
    first = extract_documents(
        ledger, extractor=RuleExtractor(extra_gazetteers=extra), extra_gazetteers=extra
    )
    assert first.documents > 0
    with pytest.raises(RedlineError, match="mine.yaml") as refused:
        extract_documents(ledger, extractor=RuleExtractor())
    assert "--redo" in str(refused.value)
    with ledger.connect() as conn:  # nothing re-extracted
        assert len(set(conn.execute(sa.select(documents.c.extracted_version)).scalars())) == 1
    again = extract_documents(
        ledger, extractor=RuleExtractor(extra_gazetteers=extra), extra_gazetteers=extra
    )
    assert again.documents == 0
    monkeypatch.setenv("REDLINE_GAZETTEER", str(mine))  # the lasting way counts the same
    assert extract_documents(ledger, extractor=RuleExtractor()).documents == 0
    monkeypatch.delenv("REDLINE_GAZETTEER")
    assert extract_documents(ledger, extractor=RuleExtractor(), redo=True).documents > 0


def test_a_joint_response_is_credited_to_every_side_it_names() -> None:
    """Codebook §3: a joint act counts for every side named; a passive names its agent."""
    from datetime import date

    from redline.extract.base import DocumentInput
    from redline.extract.learned import LearnedExtractor

    text = (
        "Russia invaded Ukraine on February 24. In response to the invasion, Britain, Japan and "
        "the United States imposed sweeping sanctions on Russian banks on Saturday."
    )
    result = LearnedExtractor().extract(DocumentInput(1, text, date(2022, 2, 27), "day"))
    responders = {e.actor_country for e in result.events if e.kind == "response"}
    assert responders == {"GBR", "JPN", "USA"}
    assert "RUS" not in responders


def test_a_document_gives_the_same_items_whatever_it_is_extracted_with() -> None:
    """The int8 encoder quantises a batch with one scale: batches never mix documents, so a
    resumed run or another worker split gives each document the same items."""
    from datetime import date

    from redline.extract.base import DocumentInput
    from redline.extract.learned import LearnedExtractor

    sample = sorted((REPO / "examples" / "corpus").glob("*.txt"))
    docs = [
        DocumentInput(i, p.read_text(encoding="utf-8"), date(2023, 1, 1), "day")
        for i, p in enumerate(sample)
    ]
    x = LearnedExtractor()
    together = x.extract_many(docs)
    for doc, mixed in zip(docs, together, strict=True):
        (alone,) = x.extract_many([doc])
        assert alone == mixed, doc.id


def _statement(text: str, title: str, *, rules_from: float | None = None) -> list:
    """The threats of an official statement; ``rules_from`` opens the threat gate where the
    rules decide down to that probability (to test a rule whatever the shipped gates)."""
    from datetime import date

    from redline.extract.base import DocumentInput
    from redline.extract.learned import LearnedExtractor
    from redline.model.classifier import Gate

    doc = DocumentInput(1, text, date(2023, 6, 1), "day", "statement", title, "Joe Biden")
    x = LearnedExtractor()
    if rules_from is not None:
        x._gates = {**x.gates(), "threat": Gate(rules_from, x.gates()["threat"].high)}
    return x.extract(doc).threats


def test_a_joint_statement_threatens_for_every_issuer() -> None:
    """Codebook §1 with §3's rule for joint acts: "we" in a statement two leaders issue is the
    threat of both sides; a threat whose subject names two states is each one's."""
    threats = _statement(
        "The two leaders discussed energy and trade. We will impose severe sanctions on anyone "
        "who provides weapons to Russia for its war against Ukraine.",
        "Joint Statement by President Biden and President Emmanuel Macron of France on Energy",
    )
    assert {t.speaker_country for t in threats} == {"USA", "FRA"}
    assert {t.trigger_key for t in threats} == {"aid_to_russia"}
    spans = {(t.provenance.span_start, t.provenance.span_end) for t in threats}
    assert len(spans) == len(threats)  # each copy is its own item in the ledger


def test_a_statement_by_one_leader_stays_one_threat() -> None:
    threats = _statement(
        "The President met the Prime Minister. We will impose severe sanctions on anyone who "
        "provides weapons to Russia for its war against Ukraine.",
        "Statement by the President on Energy",
    )
    assert [t.speaker_country for t in threats] == ["USA"]


def test_a_threat_against_attacks_on_the_speakers_own_country_names_that_line() -> None:
    from datetime import date

    from redline.extract.base import DocumentInput
    from redline.extract.learned import LearnedExtractor

    text = (
        "Alexander Lukashenko spoke to the army on Tuesday. "
        '"If someone uses weapons against us, we will respond immediately," Lukashenko said.'
    )
    threats = LearnedExtractor().extract(DocumentInput(1, text, date(2024, 5, 7), "day")).threats
    assert [(t.speaker_country, t.trigger_key) for t in threats] == [("BLR", "attack_on_belarus")]


def test_a_short_first_person_threat_reaches_the_classifier() -> None:
    from redline.extract.learned import passes_screen

    assert passes_screen("We would respond.")
    assert not passes_screen("We will.")  # shorter than the floor: too little to judge
    # a deployment answering an attack names no other word of the screen
    assert passes_screen("We are also setting up three more battlegroups in the east.")
    # a warning by a speech verb the threat rules know ("caution") or by an idiom alone: the
    # sample corpus's Chinese warning reached the classifier only with the screen off
    assert passes_screen("In a call on Thursday, the president cautioned his guest.")
    assert passes_screen("Beijing told Washington it was playing with fire over the island.")


def test_the_screen_reads_ascii_text_lower_cased_as_the_case_blind_pattern_does() -> None:
    """``passes_screen`` searches ASCII sentences lower-cased with a case-sensitive copy of
    the screen: the same answer as the case-blind screen, on every sample sentence and on
    capitals, mixed case and non-ASCII text."""
    from redline.extract.learned import _SCREEN, MIN_CHARS, passes_screen

    sentences = sample_sentences()
    sentences += [
        "RUSSIA WARNS ISRAEL AGAINST PROVIDING ARMS",
        "WE'LL SEE WHAT HAPPENS NEXT TUESDAY",
        "They Won’t Stand By, he said today.",
        "Kılıçdaroğlu spoke in Ankara on Tuesday.",
        "ſanctions were discussed at length, he said.",
        "A quiet day in the capital with nothing to report.",
    ]
    assert sum(s.isascii() for s in sentences) > 200
    for sent in sentences:
        want = len(sent) >= MIN_CHARS and _SCREEN.search(sent) is not None
        assert passes_screen(sent) == want, sent


def _news_threats(text: str) -> list[tuple]:
    from datetime import date

    from redline.extract.base import DocumentInput
    from redline.extract.learned import LearnedExtractor

    doc = DocumentInput(1, text, date(2022, 2, 15), "day")
    return [
        (t.speaker_country, t.trigger_key, t.consequence_class)
        for t in LearnedExtractor().extract(doc).threats
    ]


def test_the_side_named_in_the_trigger_is_not_the_speaker() -> None:
    """Codebook §1: the trigger is what the other side does. "If Russia invades ..." does not
    make Russia the speaker; nor does "any use by Russia of ..." as a subject."""
    assert _news_threats(
        "Joe Biden spoke to reporters on Tuesday. If Russia invades Ukraine, the cost will be huge."
    ) == [("USA", "invasion_of_ukraine", "vague")]
    got = _news_threats(
        "NATO leaders met on Thursday. Any use by Russia of a chemical weapon would be "
        "unacceptable and result in severe consequences."
    )
    assert [c for c, *_ in got] == ["NATO"]


def test_whom_a_warning_addresses_is_not_its_speaker() -> None:
    got = _news_threats(
        'Sergei Ryabkov spoke on Friday. "We warn the United States against sending missiles to '
        'Ukraine; it will have serious consequences," said Ryabkov, quoted by The Washington Post.'
    )
    assert [c for c, *_ in got] == ["RUS"]


def test_swift_and_severe_is_not_the_swift_payment_system() -> None:
    from redline.extract.rules import RuleExtractor

    rules = RuleExtractor()
    assert rules._classify("swift and severe consequences")[0] == "vague"
    assert rules._classify("cut Russian banks off from SWIFT")[0] == "sanctions_or_economic"
    assert rules._classify("we will impose severe costs on them")[0] == "sanctions_or_economic"


def test_a_response_answers_the_line_crossed_not_its_own_kind_of_act() -> None:
    """ "Announcing new sanctions" in response to an annexation answers the annexation line."""
    from datetime import date

    from redline.extract.base import DocumentInput
    from redline.extract.learned import LearnedExtractor

    text = (
        "The United States condemns the annexation. In response to Russia's phony claims of "
        "annexation, the United States, together with our allies and partners, imposed new "
        "sanctions today."
    )
    doc = DocumentInput(1, text, date(2022, 9, 30), "day", "statement", "Statement", "Joe Biden")
    responses = [e for e in LearnedExtractor().extract(doc).events if e.kind == "response"]
    assert responses
    assert {e.trigger_key for e in responses} == {"annexation_of_ukrainian_territory"}
    assert "RUS" not in {e.actor_country for e in responses}


def test_a_statement_that_targets_those_who_act_is_a_threat_and_carrying_on_is_not() -> None:
    """Codebook §1: "whoever ..." with a consequence is a general deterrent; "we will continue
    to impose sanctions" is a pledge to carry on (no harm conditioned on a new act)."""
    title = "Joint Statement by President Biden and President Ursula von der Leyen"
    threats = _statement(
        "The leaders met in Washington. We will target overseas firms that materially "
        "support the Kremlin's war.",
        title,
        rules_from=0.2,  # the classifier gives this sentence about 0.25: the rules decide
    )
    assert {(t.speaker_country, t.trigger_key, t.consequence_class) for t in threats} == {
        ("USA", "aid_to_russia", "sanctions_or_economic"),
        ("EUR", "aid_to_russia", "sanctions_or_economic"),
    }
    assert not _statement(
        "The leaders met in Washington. We will continue to impose sanctions on Russia.",
        title,
        rules_from=0.05,
    )


def test_calibration_knows_which_items_the_rules_found_after_they_are_rewritten() -> None:
    """The gates are set from whether the rules found each item; later steps replace the item
    objects (joint speakers, triggers), so that is recorded by place, not by object."""
    from datetime import date

    from redline.extract.base import DocumentInput
    from redline.extract.learned import LearnedExtractor
    from redline.model.calibrate import _origin_kind

    x = LearnedExtractor()
    x.origins = {}
    doc = DocumentInput(
        1,
        "The leaders met. They stand ready to adopt further sanctions to prevent transfers of "
        "Iranian missiles to Russia.",
        date(2023, 6, 1),
        "day",
        "statement",
        "Joint Statement by President Biden and President Emmanuel Macron of France",
        "Joe Biden",
    )
    threats = x.extract(doc).threats
    assert len(threats) == 2
    places = {
        (_origin_kind(t), t.provenance.sentence_start, t.provenance.sentence) for t in threats
    }
    assert len(places) == 1 and places <= set(x.origins)


class _Interrupted(RuleExtractor):
    """Ctrl-C while it reads the document that says so."""

    def extract_many(self, docs):
        if any("INTERRUPT" in d.text for d in docs):
            raise KeyboardInterrupt
        return super().extract_many(docs)


def test_an_interrupted_extraction_keeps_what_it_stored_and_says_so(tmp_path: Path) -> None:
    """Ctrl-C: the batches already stored stay, the run is recorded as interrupted with what it
    did, and the next run extracts only the rest."""
    import pytest

    from redline.extract.pipeline import PARSE_DOCS
    from redline.store.schema import runs

    ledger = _notes_ledger(tmp_path, PARSE_DOCS + 3, {PARSE_DOCS + 1: "INTERRUPT"})
    with pytest.raises(KeyboardInterrupt):
        extract_documents(ledger, extractor=_Interrupted())
    with ledger.connect() as conn:
        run = conn.execute(sa.select(runs).where(runs.c.stage == "extract")).one()
        done = conn.execute(
            sa.select(sa.func.count()).where(documents.c.extracted_version.is_not(None))
        ).scalar_one()
    assert run.finished_at is not None and run.stats["interrupted"] is True
    assert run.stats["documents"] == done == PARSE_DOCS
    with ledger.connect() as conn:  # its claims are gone: no run waits for their lease
        assert conn.execute(sa.select(sa.func.count()).select_from(extract_claims)).scalar() == 0
    assert extract_documents(ledger, extractor=RuleExtractor()).documents == 3


def _notes_ledger(tmp_path: Path, count: int, bodies: dict[int, str] | None = None) -> Ledger:
    """A ledger of ``count`` short notes, each with a threat; ``bodies`` puts a word of the
    test's into some of them."""
    folder = tmp_path / "in"
    folder.mkdir(parents=True)
    for i in range(count):
        body = (bodies or {}).get(i, "Calm")
        (folder / f"d{i:02d}.txt").write_text(
            f"date 2024-05-{i % 28 + 1:02d} Note {i}\n\n{body} on day {i}. Russia said it would "
            f"respond with strikes if Ukraine used ATACMS missiles (note {i}).\n",
            encoding="utf-8",
        )
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    ingest_paths(ledger, [folder], progress=False)
    return ledger


class _Overtaken(RuleExtractor):
    """While it reads its first batch, another run extracts the last document."""

    ledger: Ledger

    def extract_many(self, docs):
        with self.ledger.begin() as conn:
            last = conn.execute(sa.select(sa.func.max(documents.c.id))).scalar_one()
            conn.execute(
                sa.update(documents)
                .where(documents.c.id == last)
                .values(extracted_version=self.version)
            )
        return super().extract_many(docs)


def test_a_document_another_run_extracted_meanwhile_is_left_alone(tmp_path: Path) -> None:
    """Several runs at once: a run claims only documents still pending, so a document another
    run has stored since this one began is neither extracted nor stored twice."""
    from redline.extract.pipeline import PARSE_DOCS

    ledger = _notes_ledger(tmp_path, PARSE_DOCS + 2)
    ext = _Overtaken()
    ext.ledger = ledger
    report = extract_documents(ledger, extractor=ext)
    assert (report.documents, report.by_another_run) == (PARSE_DOCS + 1, 0)
    assert report.errors == []


def test_a_claimed_document_extracted_by_another_run_is_skipped(tmp_path: Path) -> None:
    """The safety net under the claims: a batch is checked once more before it is read, so a
    document another run extracted after this one claimed it (a run that outlived its lease
    and was taken over) is left alone and counted as the other run's."""
    from redline.extract.pipeline import _actor_ids, _extract_and_store

    ledger = _notes_ledger(tmp_path, 3)
    ext = RuleExtractor()
    with ledger.begin() as conn:
        conn.execute(
            sa.update(documents).where(documents.c.id == 2).values(extracted_version=ext.version)
        )
    stored = _extract_and_store(ext, ledger, _actor_ids(ledger), [1, 2, 3])
    assert sorted((i, counts is None, error) for i, counts, error in stored) == [
        (1, False, None),
        (2, True, None),
        (3, False, None),
    ]


class _Stub:
    """Finds nothing, slowly enough that runs begun together overlap, and notes every document
    it reads in a file of its process (``log``), so a test can count who read what."""

    version = "stub-1"

    def __init__(self, log: Path, seconds: float = 0.08) -> None:
        self.log = log
        self.seconds = seconds  # a document takes that long

    def extract(self, doc: DocumentInput) -> Extraction:
        time.sleep(self.seconds)
        with (self.log / f"{os.getpid()}.ids").open("a", encoding="utf-8") as out:
            out.write(f"{doc.id}\n")
        return Extraction()


def _read_by_process(log: Path) -> list[int]:
    """Every document id the stubs read, as often as they read it."""
    return [int(line) for f in log.glob("*.ids") for line in f.read_text().split()]


def _notes_in(ledger: Ledger, tmp_path: Path, count: int) -> list[int]:
    """``count`` short notes ingested into ``ledger``; their ids."""
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(count):
        (folder / f"n{i:03d}.txt").write_text(
            f"date 2024-05-{i % 28 + 1:02d} Note {i}\n\nNothing happened on day {i} of the "
            f"talks, the ministry said in its note number {i}.\n",
            encoding="utf-8",
        )
    ingest_paths(ledger, [folder], progress=False)
    with ledger.connect() as conn:
        return list(conn.execute(sa.select(documents.c.id).order_by(documents.c.id)).scalars())


def _extract_in_process(
    url: str, workers: int, log: str, go: Any, out: Any, seconds: float = 0.08
) -> None:
    """One `redline extract` of the stub in a process of its own, begun when ``go`` is set;
    with workers > 1 in worker processes (forked, so they build the stub too)."""
    from redline.extract import pipeline

    def stub(extra: Sequence[str] = ()) -> Extractor:
        return _Stub(Path(log), seconds)

    pipeline.default_extractor = stub
    ledger = Ledger.open(url, migrate=False)
    pipeline.sync_actors(ledger)  # read the gazetteer now, so that the runs start together
    go.wait(60)
    report = extract_documents(ledger, workers=workers)
    ledger.dispose()
    out.put(report.as_dict())


def _claims(ledger: Ledger) -> list[tuple[int, int]]:
    with ledger.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(sa.select(extract_claims.c.document_id, extract_claims.c.run_id))
        ]


def test_three_runs_at_once_extract_each_document_once(ledger: Ledger, tmp_path: Path) -> None:
    """Three extract processes started together on one ledger (SQLite and PostgreSQL; one
    alone, two with two workers each) claim their batches: every document is read and stored
    once in all, each run reports only its own, and no claim is left behind."""
    ids = _notes_in(ledger, tmp_path, 60)
    assert len(ids) == 60
    log = tmp_path / "log"
    log.mkdir()
    url = ledger.engine.url.render_as_string(hide_password=False)
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_extract_in_process, args=(url, workers, str(log), go, out))
        for workers in (1, 2, 2)
    ]
    for proc in procs:
        proc.start()
    time.sleep(0.5)
    go.set()
    for proc in procs:
        proc.join(300)
        assert proc.exitcode == 0
    reports = [out.get(timeout=10) for _ in procs]
    assert sorted(_read_by_process(log)) == ids  # each document read once, by one run
    assert sum(r["documents"] for r in reports) == 60
    assert [(r["by_another_run"], r["errors"]) for r in reports] == [(0, [])] * 3
    assert all(r["documents"] + r["to_other_runs"] <= 60 for r in reports)
    assert sum(r["documents"] > 0 for r in reports) >= 2  # the work was shared
    with ledger.connect() as conn:
        versions = conn.execute(sa.select(documents.c.extracted_version)).scalars().all()
    assert set(versions) == {"stub-1"}
    assert _claims(ledger) == []


def _claim_for_another_run(ledger: Ledger, ids: list[int], expires: datetime) -> int:
    """Claims on ``ids`` by a run on another machine, as it leaves them working (or dead)."""
    other = ledger.start_run("extract", {"extractor": "stub-1", "workers": 1})
    with ledger.begin() as conn:
        conn.execute(
            sa.insert(extract_claims),
            [
                {"document_id": i, "run_id": other, "expires_at": expires, "holder": "1@elsewhere"}
                for i in ids
            ],
        )
    return other


def test_a_claim_whose_lease_ran_out_is_taken_over(ledger: Ledger, tmp_path: Path) -> None:
    """A run that died (killed, its machine lost) leaves its claims; once their lease has run
    out another run takes them over and extracts those documents too."""
    ids = _notes_in(ledger, tmp_path, 20)
    _claim_for_another_run(ledger, ids[:10], now() - timedelta(seconds=1))
    log = tmp_path / "log"
    log.mkdir()
    report = extract_documents(ledger, extractor=_Stub(log))
    assert (report.documents, report.by_another_run) == (20, 0)
    assert sorted(_read_by_process(log)) == ids
    assert _claims(ledger) == []


def test_the_claims_of_a_killed_run_are_taken_over(ledger: Ledger, tmp_path: Path) -> None:
    """A run killed while it works (kill -9: nothing released) leaves its batch claimed. On
    its own machine the next run sees its process gone and takes the batch at once; a run on
    another machine keeps it from the others until its lease runs out (here: moved into the
    past), then one takes it over."""
    ids = _notes_in(ledger, tmp_path, 20)
    log = tmp_path / "log"
    log.mkdir()
    url = ledger.engine.url.render_as_string(hide_password=False)
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    stuck = ctx.Process(target=_extract_in_process, args=(url, 1, str(log), go, out, 600))
    stuck.start()
    go.set()
    deadline = time.monotonic() + 120
    while not _claims(ledger) and time.monotonic() < deadline:
        time.sleep(0.1)
    stuck.kill()
    stuck.join(30)
    assert [i for i, _run in _claims(ledger)] == ids[:16]  # its first batch
    with ledger.begin() as conn:  # as if the first half had been claimed on another machine
        conn.execute(
            sa.update(extract_claims)
            .where(extract_claims.c.document_id.in_(ids[:8]))
            .values(holder=f"{stuck.pid}@another machine")
        )
    first = extract_documents(ledger, extractor=_Stub(log, 0))
    assert (first.documents, first.to_other_runs, first.still_claimed) == (12, 0, 8)
    assert [i for i, _run in _claims(ledger)] == ids[:8]  # their lease has not run out
    with ledger.begin() as conn:
        conn.execute(sa.update(extract_claims).values(expires_at=now() - timedelta(seconds=1)))
    report = extract_documents(ledger, extractor=_Stub(log, 0))
    assert (report.documents, report.by_another_run, report.to_other_runs) == (8, 0, 0)
    assert sorted(_read_by_process(log)) == ids
    assert _claims(ledger) == []


def test_a_live_claim_of_another_run_is_left_to_it(ledger: Ledger, tmp_path: Path) -> None:
    """Documents another run has claimed (its lease still running) are its: this run extracts
    the rest, leaves those pending and their claims in place."""
    ids = _notes_in(ledger, tmp_path, 20)
    other = _claim_for_another_run(ledger, ids[5:15], now() + timedelta(minutes=5))
    log = tmp_path / "log"
    log.mkdir()
    report = extract_documents(ledger, extractor=_Stub(log))
    assert (report.documents, report.to_other_runs, report.still_claimed) == (10, 0, 10)
    assert sorted(_read_by_process(log)) == ids[:5] + ids[15:]
    assert _claims(ledger) == [(i, other) for i in ids[5:15]]


def test_a_live_claim_from_a_host_of_the_same_name_is_left_to_it(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """Two machines (or containers) may share a host name, and the root pid namespace has one
    number on every Linux host: a claim naming this host name and namespace but another boot
    is another machine's, alive or not, and stays its until the lease runs out (it was dropped
    as a dead local process's, and its documents extracted twice)."""
    import socket

    ids = _notes_in(sqlite_ledger, tmp_path, 20)
    other = _claim_for_another_run(sqlite_ledger, ids[:10], now() + timedelta(minutes=9))
    twin = f"4000000@{socket.gethostname()} pid:[4026531836]"
    with sqlite_ledger.begin() as conn:
        conn.execute(sa.update(extract_claims).values(holder=twin))
    log = tmp_path / "log"
    log.mkdir()
    report = extract_documents(sqlite_ledger, extractor=_Stub(log))
    assert (report.documents, report.to_other_runs, report.still_claimed) == (10, 0, 10)
    assert _claims(sqlite_ledger) == [(i, other) for i in ids[:10]]


def test_documents_extracted_by_another_run_are_told_from_those_still_claimed(
    ledger: Ledger, tmp_path: Path
) -> None:
    """Of the documents other runs took, those they extracted count as ``to_other_runs``; those
    still pending under another run's claim (at work, or dead on another machine with its
    lease running) as ``still_claimed``: the summary called both "taken by other runs"."""
    ids = _notes_in(ledger, tmp_path, 20)
    _claim_for_another_run(ledger, ids[:10], now() + timedelta(minutes=5))
    with ledger.begin() as conn:  # the other run has extracted its first four
        conn.execute(
            sa.update(documents)
            .where(documents.c.id.in_(ids[:4]))
            .values(extracted_version="stub-1")
        )
    log = tmp_path / "log"
    log.mkdir()
    report = extract_documents(ledger, extractor=_Stub(log, 0), document_ids=ids)
    assert (report.documents, report.to_other_runs, report.still_claimed) == (10, 0, 6)
    # a run counting what it found pending at its start: here all 20 (as if begun earlier)
    from redline.extract import pipeline

    with ledger.begin() as conn:
        conn.execute(sa.update(documents).values(extracted_version=None))
        conn.execute(sa.delete(extract_claims).where(extract_claims.c.document_id.in_(ids[10:])))
    pending = pipeline._pending

    def pending_then_done_elsewhere(*args: Any) -> list[int]:
        found = pending(*args)
        with ledger.begin() as conn:  # meanwhile the other run extracts four of its ten
            conn.execute(
                sa.update(documents)
                .where(documents.c.id.in_(ids[:4]))
                .values(extracted_version="stub-1")
            )
        return found

    pipeline._pending = pending_then_done_elsewhere  # type: ignore[assignment]
    try:
        again = extract_documents(ledger, extractor=_Stub(log, 0))
    finally:
        pipeline._pending = pending  # type: ignore[assignment]
    assert (again.documents, again.to_other_runs, again.still_claimed) == (10, 4, 6)
    # another run lets its claims go as this one finishes (stopped with Ctrl-C): its pending
    # documents are held by nobody, so they are not "still claimed" but left pending
    with ledger.begin() as conn:
        conn.execute(sa.update(documents).values(extracted_version=None))
        conn.execute(sa.delete(extract_claims))
    _claim_for_another_run(ledger, ids[:10], now() + timedelta(minutes=5))
    claims_class = pipeline._Claims
    left = claims_class.left_to_others

    def let_go_first(self: Any) -> tuple[int, int]:
        with ledger.begin() as conn:
            conn.execute(sa.delete(extract_claims).where(extract_claims.c.run_id != self.run_id))
        return left(self)

    claims_class.left_to_others = let_go_first  # type: ignore[method-assign]
    try:
        third = extract_documents(ledger, extractor=_Stub(log, 0), document_ids=ids)
    finally:
        claims_class.left_to_others = left  # type: ignore[method-assign]
    assert (third.documents, third.still_claimed, third.left_pending) == (10, 0, 10)


def test_documents_extracted_elsewhere_while_the_summary_counts_make_no_negative_count(
    ledger: Ledger, tmp_path: Path
) -> None:
    """The summary's counts of documents still claimed and left pending are read in one
    statement: counted apart, documents another run extracted between the two made "left
    pending" negative ("warning: -2 documents are NOT extracted", three runs at once)."""
    from redline.extract import pipeline

    ids = _notes_in(ledger, tmp_path, 20)
    _claim_for_another_run(ledger, ids[:10], now() + timedelta(minutes=5))
    counted: list[str] = []

    def another_run_extracts(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if "count(" not in statement.lower() or counted:
            return
        counted.append(statement)
        with ledger.begin() as other:  # meanwhile the other run extracts four of its ten
            other.execute(
                sa.update(documents)
                .where(documents.c.id.in_(ids[:4]))
                .values(extracted_version="stub-1")
            )

    left = pipeline._Claims.left_to_others

    def watched(self: Any) -> tuple[int, int]:
        sa.event.listen(ledger.engine, "after_cursor_execute", another_run_extracts)
        try:
            return left(self)
        finally:
            sa.event.remove(ledger.engine, "after_cursor_execute", another_run_extracts)

    log = tmp_path / "log"
    log.mkdir()
    pipeline._Claims.left_to_others = watched  # type: ignore[method-assign]
    try:
        report = extract_documents(ledger, extractor=_Stub(log, 0), document_ids=ids)
    finally:
        pipeline._Claims.left_to_others = left  # type: ignore[method-assign]
    assert counted
    assert (report.documents, report.still_claimed, report.left_pending) == (10, 10, 0)


def test_a_run_found_dead_is_recorded_as_interrupted(ledger: Ledger, tmp_path: Path) -> None:
    """A run killed with kill -9 cannot record its end: it stayed in ``runs`` with no finish
    time and no word of the interruption. The next run that drops its claims (its process gone
    from this machine) records it as interrupted; a run on another machine, which may be alive,
    is left as it is."""
    import subprocess
    import sys

    from redline.processes import machine

    ids = _notes_in(ledger, tmp_path, 4)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    killed = _claim_for_another_run(ledger, ids[:2], now() + timedelta(minutes=5))
    with ledger.begin() as conn:
        conn.execute(
            sa.update(extract_claims)
            .where(extract_claims.c.run_id == killed)
            .values(holder=f"{int(gone.stdout)}@{machine()}")
        )
    elsewhere = _claim_for_another_run(ledger, ids[2:], now() + timedelta(minutes=5))
    log = tmp_path / "log"
    log.mkdir()
    report = extract_documents(ledger, extractor=_Stub(log, 0))
    assert (report.documents, report.still_claimed) == (2, 2)
    with ledger.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.select(runs))}
    assert rows[killed].finished_at is not None
    assert rows[killed].stats == {"interrupted": True, "found_dead_by_run": max(rows)}
    assert rows[elsewhere].finished_at is None and rows[elsewhere].stats is None


def _five_of_eight_claimed_elsewhere(ledger: Ledger, tmp_path: Path, monkeypatch: Any) -> str:
    """Eight notes in ``ledger``, five of them claimed by a run dead on another machine (its
    lease 9 minutes from running out), and a stub extractor: the ledger's URL."""
    from redline.extract import pipeline

    ids = _notes_in(ledger, tmp_path, 8)
    _claim_for_another_run(ledger, ids[:5], now() + timedelta(minutes=9))
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setattr(pipeline, "default_extractor", lambda extra=(): _Stub(log, 0))
    return ledger.engine.url.render_as_string(hide_password=False)


def test_the_summary_says_which_documents_are_still_claimed(
    sqlite_ledger: Ledger, tmp_path: Path, monkeypatch: Any
) -> None:
    """Documents claimed by a run dead on another machine (its lease not run out) and
    extracted by nobody were summed up as "taken by other runs at once", exit 0: now the
    summary says they are not extracted, why, and when they will be free."""
    from typer.testing import CliRunner

    from redline.cli import app

    url = _five_of_eight_claimed_elsewhere(sqlite_ledger, tmp_path, monkeypatch)
    result = CliRunner().invoke(app, ["extract", "--db", url, "--no-progress", "-w", "1"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "extracted 3 documents" in out and "other runs" not in out
    assert "warning: 5 documents are NOT extracted: another run still holds their claim" in out
    assert "10 minutes" in out


def test_redline_run_warns_that_its_report_leaves_out_documents_still_claimed(
    sqlite_ledger: Ledger, tmp_path: Path, monkeypatch: Any
) -> None:
    """Two `redline run`s begun together on one ledger: the one that found every document
    claimed by the other linked, reported and exported a ledger without them (0 episodes), said
    "extracted 0 threats" and exited 0 with no word of the documents it had left to the other."""
    from typer.testing import CliRunner

    from redline.cli import app

    url = _five_of_eight_claimed_elsewhere(sqlite_ledger, tmp_path, monkeypatch)
    args = ["run", str(tmp_path / "notes"), "--db", url, "--no-progress", "-w", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "warning: 5 documents are NOT extracted: another run still holds their claim" in out
    assert "run `redline run` again" in out


class _Dies(_Stub):
    """A stub whose worker dies on ``doom`` the first time it reads it, as the out-of-memory
    killer or a crash in native code ends a process (no exception, no result)."""

    def __init__(self, log: Path, doom: int) -> None:
        super().__init__(log, 0.02)
        self.doom = doom

    def extract(self, doc: DocumentInput) -> Extraction:
        once = self.log / "died"
        if doc.id == self.doom and not once.exists():
            once.write_text("x")
            os.kill(os.getpid(), 9)
        return super().extract(doc)


def _extract_with_a_dying_worker(url: str, log: str, doom: int, out: Any) -> None:
    from redline.errors import RedlineError
    from redline.extract import pipeline

    pipeline.default_extractor = lambda extra=(): _Dies(Path(log), doom)
    ledger = Ledger.open(url, migrate=False)
    try:
        extract_documents(ledger, workers=2)
        out.put("finished")
    except RedlineError as exc:
        out.put(f"error: {exc}")
    except Exception as exc:
        out.put(f"{exc.__class__.__name__}: {exc}")


def test_a_worker_that_dies_stops_the_run_with_an_error_instead_of_hanging(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A worker process killed mid-run (the out-of-memory killer, a crash in native code) lost
    its batch: the run waited for it for ever, renewing its claims so that no other run took
    those documents, and a Ctrl-C then hung in the pool's shutdown; or the worker that replaced
    it failed on a progress slot it did not have (IndexError). Now the run stops with an error
    saying so, leaves no claim behind, and the next run extracts the rest. Its row is finished
    as interrupted, counting what it stored (it stayed unfinished, with no counts)."""
    ids = _notes_in(sqlite_ledger, tmp_path, 64)
    log = tmp_path / "log"
    log.mkdir()
    url = sqlite_ledger.engine.url.render_as_string(hide_password=False)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_extract_with_a_dying_worker, args=(url, str(log), ids[20], out))
    proc.start()
    proc.join(120)
    hung = proc.is_alive()
    if hung:
        proc.kill()
        proc.join(10)
    assert not hung, "the run hung after its worker died"
    said = out.get(timeout=10)
    assert said.startswith("error: an extraction worker process ended abruptly"), said
    assert "again" in said
    assert _claims(sqlite_ledger) == []
    with sqlite_ledger.connect() as conn:  # the run's row is finished and counts what it stored
        stored = conn.execute(
            sa.select(sa.func.count()).where(documents.c.extracted_version == "stub-1")
        ).scalar_one()
        (run,) = conn.execute(sa.select(runs).where(runs.c.stage == "extract")).all()
    assert run.finished_at is not None and run.stats["interrupted"] is True
    assert run.stats["documents"] == stored and "ended abruptly" in run.stats["error"]
    report = extract_documents(sqlite_ledger, extractor=_Stub(log, 0))
    with sqlite_ledger.connect() as conn:
        versions = conn.execute(sa.select(documents.c.extracted_version)).scalars().all()
    assert versions == ["stub-1"] * 64 and report.errors == []


class _NoModel(_Stub):
    """A stub whose model file is corrupt: every document fails the same way."""

    def extract(self, doc: DocumentInput) -> Extraction:
        from redline.errors import ModelError

        raise ModelError(
            "model/classifier.onnx: model file is corrupt (its SHA-256 does not match)"
        )


def test_a_corrupt_model_stops_the_run_instead_of_failing_every_document(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A missing or corrupt model file was reported once per document as that document's
    error (thousands of lines for a corpus) and the run exited 0; now it stops the run with
    the file's error, and the documents stay pending for the run after the fix."""
    import pytest

    from redline.errors import ModelError

    ids = _notes_in(sqlite_ledger, tmp_path, 20)
    log = tmp_path / "log"
    log.mkdir()
    with pytest.raises(ModelError, match="classifier.onnx: model file is corrupt"):
        extract_documents(sqlite_ledger, extractor=_NoModel(log, 0))
    assert _claims(sqlite_ledger) == []
    report = extract_documents(sqlite_ledger, extractor=_Stub(log, 0))
    assert report.documents == len(ids) and report.errors == []


def test_a_run_renews_its_claims_while_it_works(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    """Leases are renewed as the run goes, so a run working longer than one lease keeps its
    documents."""
    from redline.extract.pipeline import LEASE, _Claims

    ids = _notes_in(sqlite_ledger, tmp_path, 3)
    run = sqlite_ledger.start_run("extract", {})
    claims = _Claims(sqlite_ledger, run, "stub-1", max(ids), None)
    assert claims.take(2) == ids[:2]

    def expiries() -> list[datetime]:
        with sqlite_ledger.connect() as conn:
            return list(conn.execute(sa.select(extract_claims.c.expires_at)).scalars())

    first = expiries()
    assert all(e > datetime.now(UTC) + LEASE - timedelta(minutes=1) for e in first)
    claims.keep()  # not yet due
    assert expiries() == first
    claims.renew_every = 0
    time.sleep(0.01)
    claims.keep()
    assert all(after > before for after, before in zip(expiries(), first, strict=True))
    assert claims.take(2) == ids[2:]  # its own claims are not taken again
    assert claims.take(2) == []
    claims.release()
    assert _claims(sqlite_ledger) == []


def test_redo_extracts_every_document_again(ledger: Ledger, tmp_path: Path) -> None:
    ids = _notes_in(ledger, tmp_path, 20)
    log = tmp_path / "log"
    log.mkdir()
    assert extract_documents(ledger, extractor=_Stub(log)).documents == 20
    assert extract_documents(ledger, extractor=_Stub(log)).documents == 0
    again = extract_documents(ledger, extractor=_Stub(log), redo=True)
    assert (again.documents, again.by_another_run) == (20, 0)
    assert sorted(_read_by_process(log)) == sorted(ids * 2)
    assert _claims(ledger) == []


def test_one_sentence_gives_one_threat_per_side_and_line() -> None:
    """Read from "warned" and from "said", one sentence gave the US's threat twice (once
    as the United States', once as its adviser's); a joint statement still speaks for each
    issuer (written for this test)."""
    from datetime import date

    from redline.extract.learned import LearnedExtractor

    text = (
        "WASHINGTON - The United States has warned Russia privately that any use of nuclear "
        "weapons in Ukraine would bring catastrophic consequences for Moscow, national security "
        "adviser Jake Sullivan said on Sunday."
    )
    (result,) = LearnedExtractor().extract_many([DocumentInput(1, text, date(2022, 9, 25), "day")])
    assert [(t.speaker_country, t.trigger_key) for t in result.threats] == [("USA", "nuclear_use")]


def test_a_stopped_multi_worker_run_counts_what_its_workers_stored(
    sqlite_ledger: Ledger, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    """A batch is stored document by document (by its worker until the twenty-fifth pass, by
    the parent since), while the parent counted a batch only when it came back whole: `extract
    --workers 2` stopped by SIGTERM (or Ctrl-C, or a dead worker) mid-batch recorded and said
    fewer documents than it had stored (0 of 16 in a probe). Now the run's row and the summary
    count what the ledger holds, and the summary says the rest stay pending."""
    import signal
    import sys

    import pytest

    import redline.cli as cli
    from redline.extract import pipeline

    ids = _notes_in(sqlite_ledger, tmp_path, 40)
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setattr(pipeline, "default_extractor", lambda extra=(): _Stub(log, 0.0))
    store = pipeline._store

    def store_then_stop(*args: Any) -> list[str]:  # in the run's own process
        held_off = store(*args)
        if args[1] == ids[2]:  # the third document of the first batch: SIGTERM the run
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(120)  # which stops it here
        return held_off

    monkeypatch.setattr(pipeline, "_store", store_then_stop)
    url = sqlite_ledger.engine.url.render_as_string(hide_password=False)
    monkeypatch.setattr(
        sys, "argv", ["redline", "extract", "--db", url, "--no-progress", "-w", "2"]
    )
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == 143
    printed = capsys.readouterr()
    with sqlite_ledger.connect() as conn:
        stored = conn.execute(
            sa.select(sa.func.count()).where(documents.c.extracted_version == "stub-1")
        ).scalar_one()
        (run,) = conn.execute(sa.select(runs).where(runs.c.stage == "extract")).all()
    assert 3 <= stored < 40
    assert run.stats["interrupted"] is True and run.stats["documents"] == stored
    said = " ".join(printed.out.split())
    assert f"stopped after extracting {stored} documents: 0 threats" in said
    assert "the other documents stay pending" in said


def test_a_database_error_in_a_worker_names_the_ledger(
    sqlite_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement a worker's ledger refused (a full disk, a lost server) came back to the
    parent pickled, without the ledger its engine had tagged it with, so the command line's one
    line read "the ledger database refused the command" where the parent's own errors name the
    ledger. (Workers read their batch from the ledger; the parent stores what they found.)"""
    from redline.extract import pipeline

    _notes_in(sqlite_ledger, tmp_path, 4)
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setattr(pipeline, "default_extractor", lambda extra=(): _Stub(log, 0))

    def refused(ledger: Ledger, *_: object) -> list[DocumentInput]:
        assert os.getpid() != parent  # in a worker
        with ledger.begin() as conn:  # the worker's own ledger refuses the statement
            conn.execute(sa.text("INSERT INTO no_such_table VALUES (1)"))
        return []

    parent = os.getpid()
    monkeypatch.setattr(pipeline, "_read", refused)  # the workers are forked: they have it too
    from redline.store.db import ledger_of

    with pytest.raises(sa.exc.OperationalError, match="no_such_table") as raised:
        extract_documents(sqlite_ledger, workers=2)
    assert ledger_of(raised.value) == sqlite_ledger.url
