"""The 231-file dev corpus end to end: no problems, filename dates, duplicates reported, re-ingest adds nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import shared_path
from redline.documents import list_documents
from redline.ingest import IngestReport, ingest_paths
from redline.ingest import prepare as prepare_module
from redline.ingest.draft import Draft
from redline.ingest.prepare import Prepared, prepare
from redline.ingest.readers import html as html_reader
from redline.store import Ledger
from redline.store.schema import documents, duplicates

_STAMP = re.compile(r"^(\d{4})(\d{2})(\d{2})T")


def _stamp(path: Path | str) -> date:
    m = _STAMP.match(Path(path).name)
    assert m, path
    return date(int(m[1]), int(m[2]), int(m[3]))


@dataclass
class Runs:
    corpus: Path
    ledger: Ledger
    first: IngestReport
    second: IngestReport
    duplicate_rows_after_first: int


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """The corpus ingested twice into one SQLite ledger; dateparser and trafilatura must stay unused."""
    corpus = shared_path("corpus", "ukraine-news-dev")
    ledger = Ledger.open(f"sqlite:///{tmp_path_factory.mktemp('dev') / 'ledger.db'}")
    with pytest.MonkeyPatch.context() as mp:
        # every file has a dated name: the costly sources must not be reached
        mp.setattr(prepare_module, "text_date", _must_not_run)
        mp.setattr(html_reader.trafilatura, "bare_extraction", _must_not_run)
        first = ingest_paths(ledger, [corpus])
        dup_rows = ledger.count(duplicates)
        second = ingest_paths(ledger, [corpus])
    yield Runs(corpus, ledger, first, second, dup_rows)
    ledger.dispose()


def _must_not_run(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("an expensive source was used on the dev corpus")


def test_all_files_ingest_without_problems(runs: Runs) -> None:
    first = runs.first
    assert first.files == 231 and first.problems == []
    assert len(first.ingested) + len(first.duplicates) == 231
    assert runs.ledger.count(documents) == len(first.ingested)


def test_every_file_gets_exactly_its_filename_date() -> None:
    corpus = shared_path("corpus", "ukraine-news-dev")
    files = sorted(corpus.glob("*.txt"))
    assert len(files) == 231
    for path in files:
        prepared = prepare(Draft(str(path), "text", path.read_text(encoding="utf-8")))
        assert isinstance(prepared, Prepared), prepared
        published = prepared.published
        assert (published.value, published.precision, published.source) == (
            _stamp(path),
            "day",
            "filename",
        )


def test_stored_dates_are_the_filename_dates(runs: Runs) -> None:
    for row in list_documents(runs.ledger):
        assert row.published == _stamp(row.source_path)
        assert (row.published_precision, row.published_source) == ("day", "filename")
        assert (row.language, row.source_format) == ("en", "text")


def test_duplicates_are_reported(runs: Runs) -> None:
    found = {
        (Path(d.source_path).name, Path(d.duplicate_of_path).name): d for d in runs.first.duplicates
    }
    near = found[("20220714T220000Z_PL_en_07addd3422.txt", "20220714T170000Z_PL_en_07addd3422.txt")]
    assert near.kind == "near" and 0.9 < near.similarity < 1.0
    copies = {s for s, original in found if original == "20220204T141500Z_GB_en_55f464d242.txt"}
    assert {n for n in copies if n.endswith("150b309295.txt")} == {
        "20220210T141500Z_GB_en_150b309295.txt",
        "20220211T114500Z_GB_en_150b309295.txt",
        "20220213T131500Z_GB_en_150b309295.txt",
        "20220214T110000Z_GB_en_150b309295.txt",
    }
    assert all(found[(s, "20220204T141500Z_GB_en_55f464d242.txt")].kind == "exact" for s in copies)
    assert runs.duplicate_rows_after_first == len(runs.first.duplicates)


def test_second_ingest_adds_nothing(runs: Runs) -> None:
    second = runs.second
    assert second.ingested == [] and second.problems == []
    assert len(second.skipped) == len(runs.first.ingested)
    assert len(second.duplicates) == len(runs.first.duplicates)
    assert runs.ledger.count(duplicates) == runs.duplicate_rows_after_first


def test_the_editorial_is_the_only_opinion(runs: Runs) -> None:
    with runs.ledger.connect() as conn:
        opinion = conn.execute(
            sa.select(documents.c.source_path).where(documents.c.genre == "opinion")
        ).scalars()
        assert [Path(p).name for p in opinion] == ["20220216T171500Z_UA_en_d8d48c5212.txt"]
