"""Acceptance: the two seed articles against shared/gold/seeds.json (metadata, boilerplate gone, every paragraph kept)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import shared_path
from redline.documents import get_document, list_documents
from redline.ingest import ingest_paths
from redline.store import Ledger

# Lines of the seeds that are neither article text nor listed by the gold's not_article_text:
# the lone outlet name the New York Sun page repeats, and the "or" between two account buttons.
NOT_ARTICLE_EITHER = {"The New York Sun", "or"}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def seeds(ledger: Ledger) -> dict[str, dict[str, Any]]:
    """The gold entry and the stored document (with its text) for each seed file."""
    gold = json.loads(shared_path("gold", "seeds.json").read_text(encoding="utf-8"))["documents"]
    report = ingest_paths(ledger, [shared_path("seeds")])
    assert report.problems == [] and len(report.ingested) == len(gold)
    stored = {Path(r.source_path).name: get_document(ledger, r.id) for r in list_documents(ledger)}
    return {g["file"]: {"gold": g, "doc": stored[g["file"]]} for g in gold}


def test_metadata_matches_gold(seeds: dict[str, dict[str, Any]]) -> None:
    for name, pair in seeds.items():
        gold, doc = pair["gold"], pair["doc"]
        assert doc.outlet == gold["outlet"], name
        if "author" in gold:
            assert doc.author == gold["author"], name
        if "title" in gold:
            assert doc.title == gold["title"], name
        if "published" in gold:
            assert (doc.published.isoformat(), doc.published_precision) == (
                gold["published"],
                "day",
            )
        if "published_year" in gold:
            assert doc.published.year == gold["published_year"], name
            assert doc.published_precision in ("year", "month", "day"), name


def test_boilerplate_is_gone_and_every_article_paragraph_stays(
    seeds: dict[str, dict[str, Any]],
) -> None:
    for name, pair in seeds.items():
        gold, text = pair["gold"], pair["doc"].text
        flat = _flat(text)
        for line in gold["not_article_text"]:
            assert line not in text, (name, line)
        raw = shared_path("seeds", name).read_text(encoding="utf-8")
        paragraphs = [_flat(p) for p in raw.split("\n\n") if p.strip()]
        kept = [
            p
            for p in paragraphs
            if p not in NOT_ARTICLE_EITHER
            and not any(line in p for line in gold["not_article_text"])
        ]
        assert len(kept) >= 10, name
        for paragraph in kept:
            assert paragraph in flat, (name, paragraph[:60])
        for line in NOT_ARTICLE_EITHER:
            assert f"\n{line}\n" not in f"\n{text}\n", (name, line)


def test_the_telegraph_bio_line_stays_and_both_seeds_are_opinion(
    seeds: dict[str, dict[str, Any]],
) -> None:
    telegraph = seeds["000_011600ba6834ec35.txt"]["doc"]
    assert telegraph.text.endswith(
        "Colonel Hamish de Bretton-Gordon is former Commanding Officer of the 1st Royal Tank Regiment"
    )
    assert [pair["doc"].genre for pair in seeds.values()] == ["opinion", "opinion"]
    assert {pair["doc"].language for pair in seeds.values()} == {"en"}
