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
    assert (row["source_format"], row["source_locator"]) == ("feed", "item 1")
    assert row["title"] == "Belarus to host Russian tactical nuclear weapons"
    assert (row["author"], row["outlet"]) == ("Jane Doe", "Example Wire World")
    assert (row["published"], row["published_source"]) == (date(2023, 3, 25), "metadata")
    assert row["url"] == "https://wire.example.org/belarus-nukes"
    assert get_document(ledger, row["id"])["text"] == (
        "President Putin said Russia would station tactical nuclear weapons in Belarus, and that "
        "storage facilities would be ready by 1 July.\n\n"
        "He said the move did not breach non-proliferation agreements."
    )
    assert [str(p) for p in report.problems] == [f"{path}:item 2: entry has no content or summary"]


def test_atom_entry_keeps_its_own_local_date(sqlite_ledger: Ledger) -> None:
    ingest_paths(sqlite_ledger, [FIXTURES / "feed.atom"])

    [row] = list_documents(sqlite_ledger)
    # published 2024-05-30T21:15:00-04:00: the date as the outlet wrote it, not the UTC date
    assert (row["published"], row["published_precision"]) == (date(2024, 5, 30), "day")
    assert (row["author"], row["outlet"]) == ("John Roe", "Atom Defence Desk")


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
