"""The bundled sample corpus ingests with the metadata its gold file states, and no boilerplate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import REPO

from redline.ingest import ingest_paths
from redline.store import Ledger
from redline.store.schema import documents

GOLD = json.loads((REPO / "examples" / "gold" / "sample.json").read_text(encoding="utf-8"))


def _same_outlet(a: str, b: str) -> bool:
    return a.removeprefix("The ").strip() == b.removeprefix("The ").strip()


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, sa.Row]:
    ledger = Ledger.open(f"sqlite:///{tmp_path_factory.mktemp('sample') / 'l.db'}")
    report = ingest_paths(ledger, [REPO / "examples" / "corpus"], progress=False)
    assert report.problems == []
    with ledger.connect() as conn:
        out = {}
        for r in conn.execute(sa.select(documents)):
            suffix = f"#{r.source_locator.split()[1]}" if r.source_locator else ""
            out[Path(r.source_path).name + suffix] = r
    ledger.dispose()
    return out


@pytest.mark.parametrize("doc", GOLD["documents"], ids=lambda d: d["file"])
def test_metadata_and_boilerplate(rows: dict[str, sa.Row], doc: dict) -> None:
    row = rows[doc["file"]]
    if doc.get("outlet"):
        assert row.outlet and _same_outlet(row.outlet, doc["outlet"])
    if doc.get("author"):
        assert row.author == doc["author"]
    if doc.get("published"):
        assert str(row.published) == doc["published"]
    if doc.get("title"):
        assert row.title == doc["title"]
    for line in doc.get("not_article_text", []):
        assert line not in row.text
