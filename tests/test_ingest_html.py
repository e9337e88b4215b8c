"""HTML ingest: trafilatura's text and metadata, and refusal (not a crash) on hostile markup."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from redline.documents import get_document, list_documents
from redline.ingest import ingest_paths
from redline.ingest.readers import html as html_reader
from redline.store import Ledger

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """An input folder apart from the ledger file that ``sqlite_ledger`` keeps in ``tmp_path``."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


PARAGRAPH = (
    "<p>The Kremlin said on Thursday that Russia would respond to any strike deep inside its "
    "territory with Western long-range missiles, calling it direct NATO involvement.</p>"
)


def test_article_text_and_metadata(ledger: Ledger) -> None:
    report = ingest_paths(ledger, [FIXTURES / "article.html"])

    assert report.problems == [] and len(report.ingested) == 1
    [row] = list_documents(ledger)
    assert row.source_format == "html"
    assert row.title == "Kremlin warns of response to long-range strikes"
    assert (row.author, row.outlet) == ("Jane Doe", "Example Wire")
    assert row.url == "https://wire.example.org/2024/09/12/kremlin-warns"
    assert (row.published, row.published_precision, row.published_source) == (
        date(2024, 9, 12),
        "day",
        "metadata",
    )
    text = get_document(ledger, row.id).text
    assert 'take an "appropriate response"' in text
    assert "No decision has been announced." in text
    for chrome in ("Subscribe", "Contact us", "All rights reserved", "By Jane Doe"):
        assert chrome not in text
    assert "\n\n" in text  # paragraphs stay apart


def test_html_in_a_txt_file_is_read_as_html(sqlite_ledger: Ledger, corpus: Path) -> None:
    page = corpus / "saved-page.txt"
    shutil.copy(FIXTURES / "article.html", page)

    ingest_paths(sqlite_ledger, [page])

    [row] = list_documents(sqlite_ledger)
    assert row.source_format == "html" and row.outlet == "Example Wire"


def test_deeply_nested_tags_are_one_problem_and_the_run_goes_on(
    sqlite_ledger: Ledger, corpus: Path
) -> None:
    (corpus / "a_nested.html").write_text(
        "<html><body>" + "<div>" * 100_000 + PARAGRAPH + "</div>" * 100_000 + "</body></html>"
    )
    shutil.copy(FIXTURES / "article.html", corpus / "b_good.html")
    seen = []

    report = ingest_paths(sqlite_ledger, [corpus], on_problem=seen.append)

    [problem] = report.problems
    assert seen == [problem]
    assert problem.path == str(corpus / "a_nested.html")
    assert "nested too deeply" in problem.reason
    assert len(report.ingested) == 1


def test_too_many_elements_is_refused(
    sqlite_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html_reader, "MAX_ELEMENTS", 50)
    (corpus / "wide.html").write_text("<html><body>" + "<p>x</p>" * 100 + "</body></html>")

    [problem] = ingest_paths(sqlite_ledger, [corpus]).problems

    assert "elements, above the limit of 50" in problem.reason


def test_a_page_without_an_article_is_a_problem(sqlite_ledger: Ledger, corpus: Path) -> None:
    (corpus / "empty.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")

    [problem] = ingest_paths(sqlite_ledger, [corpus]).problems

    assert problem.reason == "no article text found in the HTML page"


def test_trafilatura_failure_is_reported_not_raised(
    sqlite_ledger: Ledger, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(html_reader.trafilatura, "bare_extraction", explode)
    shutil.copy(FIXTURES / "article.html", corpus / "page.html")

    [problem] = ingest_paths(sqlite_ledger, [corpus]).problems

    assert problem.reason == "HTML too complex to extract (RecursionError)"


def test_redline_s_own_report_in_the_corpus_folder_is_not_an_article(
    sqlite_ledger: Ledger, corpus: Path
) -> None:
    """`redline run corpus -o corpus/report.html`, then `redline ingest corpus`: the report was
    read as an article of today, and the ledger's threats it quotes were extracted again (74
    threats added to the sample corpus's 57). It is now a problem naming it, and nothing is
    stored from it."""
    from redline.report import write_report

    shutil.copy(FIXTURES / "article.html", corpus / "article.html")
    ingest_paths(sqlite_ledger, [corpus])
    write_report(sqlite_ledger, corpus / "report.html")
    report = ingest_paths(sqlite_ledger, [corpus])
    assert report.ingested == []
    [problem] = report.problems
    assert problem.path.endswith("report.html")
    assert "a report Redline wrote" in problem.reason
    assert len(list_documents(sqlite_ledger)) == 1
