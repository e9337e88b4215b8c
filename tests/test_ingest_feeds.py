"""RSS and Atom feeds: each entry a document, the feed title its outlet, HTML content cleaned."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from redline.documents import get_document, list_documents
from redline.ingest import ingest_paths
from redline.store import Ledger

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def test_rss_entries(ledger: Ledger) -> None:
    path = FIXTURES / "feed.rss"

    report = ingest_paths(ledger, [path])

    [row] = list_documents(ledger)
    assert (row.source_format, row.source_locator) == ("feed", "item 1")
    assert row.title == "Belarus to host Russian tactical nuclear weapons"
    assert (row.author, row.outlet) == ("Jane Doe", "Example Wire World")
    assert (row.published, row.published_source) == (date(2023, 3, 25), "metadata")
    assert row.url == "https://wire.example.org/belarus-nukes"
    assert get_document(ledger, row.id).text == (
        "President Putin said Russia would station tactical nuclear weapons in Belarus, and that "
        "storage facilities would be ready by 1 July.\n\n"
        "He said the move did not breach non-proliferation agreements."
    )
    assert [str(p) for p in report.problems] == [f"{path}:item 2: entry has no content or summary"]


def test_atom_entry_keeps_its_own_local_date(sqlite_ledger: Ledger) -> None:
    ingest_paths(sqlite_ledger, [FIXTURES / "feed.atom"])

    [row] = list_documents(sqlite_ledger)
    # published 2024-05-30T21:15:00-04:00: the date as the outlet wrote it, not the UTC date
    assert (row.published, row.published_precision) == (date(2024, 5, 30), "day")
    assert (row.author, row.outlet) == ("John Roe", "Atom Defence Desk")


def test_feed_is_sniffed_behind_an_xml_extension(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURES / "feed.atom", folder / "defence.xml")
    (folder / "sitemap.xml").write_text(
        "<?xml version='1.0'?><urlset><url><loc>x</loc></url></urlset>"
    )
    (folder / "broken.rss").write_text("<rss><channel><title>Cut off</titl")

    report = ingest_paths(sqlite_ledger, [folder])

    assert len(report.ingested) == 1
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert reasons["sitemap.xml"] == "feed has no entries"
    assert reasons["broken.rss"].startswith("not a readable RSS/Atom feed: ")
    assert "unclosed token" in reasons["broken.rss"]


def _item(n: int) -> str:
    return (
        f"<item><title>Report {n}</title><description>The harbour master number {n} said on "
        f"Friday that the pier would stay shut for repairs.</description></item>"
    )


def test_a_feed_that_is_not_well_formed_says_so_and_where(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A stray "<<" between two entries made feedparser's recovery drop the next entry, and the
    run said nothing: the feed's fault is one problem naming the file and the place."""
    items = "".join(_item(n) for n in (1, 2, 3)).replace("</item><item>", "</item>x<<>><item>", 1)
    text = f'<?xml version="1.0"?>\n<rss><channel><title>Pier Wire</title>{items}</channel></rss>'
    feed = tmp_path / "wire.xml"
    feed.write_text(text, "utf-8")
    column = len(text.split("\n")[1].split("<<")[0]) + 2  # the second "<", counted from 1

    report = ingest_paths(sqlite_ledger, [feed])

    [problem] = report.problems
    assert (problem.path, problem.locator) == (str(feed), None)
    assert problem.reason.startswith(
        f"feed is not well-formed XML (not well-formed (invalid token) at line 2, column {column})"
    )
    assert len(report.ingested) == 2  # what could be recovered is stored


def test_a_well_formed_feed_is_no_problem(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    feed = tmp_path / "wire.xml"
    items = "".join(_item(n) for n in (1, 2))
    feed.write_text(f"<rss><channel><title>Pier Wire</title>{items}</channel></rss>", "utf-8")

    report = ingest_paths(sqlite_ledger, [feed])

    assert (report.problems, len(report.ingested)) == ([], 2)
