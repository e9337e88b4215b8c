"""Duplicates: exact (hash of normalised text) and near (MinHash LSH), recorded, never stored twice, across runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from redline.errors import StoreError
from redline.ingest import ingest_paths, persist
from redline.ingest.dedup import (
    _CHUNK,
    NUM_PERM,
    SHINGLE_WORDS,
    NearDuplicateIndex,
    fingerprint,
    minhash_signature,
    normalise,
)
from redline.ingest.draft import Draft
from redline.ingest.prepare import Prepared, prepare
from redline.store import Ledger
from redline.store.db import now
from redline.store.schema import documents, duplicates

ARTICLE = " ".join(
    [
        "Russia's deputy foreign minister warned on Tuesday that the delivery of F-16 fighter jets",
        "to Ukraine would carry enormous risks for the Western countries that supplied them.",
        "He said Moscow would consider the aircraft legitimate targets wherever they were based,",
        "and that NATO members hosting them would become parties to the conflict. Officials in",
        "Washington said the first jets would arrive in the summer after pilots finished their",
        "training in Denmark and Romania, and that the decision had been taken with the allies.",
        "The Kremlin spokesman added that the deliveries would not change the course of the war.",
    ]
)
EDITED = ARTICLE.replace("on Tuesday", "on Wednesday").replace("summer", "autumn")
OTHER = (
    "Lithuania banned the transit of sanctioned goods to Kaliningrad by rail, and the Kremlin "
    "warned that Russia would respond to what it called an illegal blockade of the exclave."
)


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _duplicate_rows(ledger: Ledger) -> list[tuple[str, str, int]]:
    with ledger.connect() as conn:
        rows = conn.execute(
            sa.select(
                duplicates.c.source_path, duplicates.c.kind, duplicates.c.duplicate_of
            ).order_by(duplicates.c.source_path)
        )
        return [(Path(r.source_path).name, r.kind, r.duplicate_of) for r in rows]


def test_normalised_text_ignores_case_spacing_and_quote_style() -> None:
    assert normalise("  Putin’s “red   line”\n\nHOLDS ") == 'putin\'s "red line" holds'
    assert (
        fingerprint("Putin’s “red line”").content_hash
        == fingerprint('putin\'s  "RED line"').content_hash
    )


def test_every_kind_of_whitespace_is_one_space() -> None:
    every = "".join(re.findall(r"\s", "".join(map(chr, range(0x110000)))))
    assert len(every) > 25
    assert normalise(f"{every}red{every}line{every}") == "red line"
    assert normalise("red\u200bline") == "red\u200bline"  # zero-width: not whitespace


def test_near_duplicate_similarity_is_high_for_edits_and_low_for_other_texts() -> None:
    index = NearDuplicateIndex()
    index.add(1, fingerprint(ARTICLE).signature)
    match = index.best_match(fingerprint(EDITED).signature)
    assert match is not None and match[0] == 1 and 0.8 <= match[1] < 1.0
    assert index.best_match(fingerprint(OTHER).signature) is None


def _datasketch_signature(norm: str) -> np.ndarray:
    """The signature as ingest computed it before ``minhash_signature``: datasketch's MinHash
    over the set of word 5-shingles (signatures stored then must still compare)."""
    from datasketch import MinHash

    words = re.findall(r"\w+", norm)
    n = SHINGLE_WORDS
    shingles = {" ".join(words[i : i + n]).encode() for i in range(max(1, len(words) - n + 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
    minhash.update_batch(list(shingles))
    return minhash.hashvalues


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  -- ",
        "one",
        "four words only here",
        "exactly five words stand here",
        "six words: one more than five",
        ARTICLE,
        EDITED + " " + EDITED,  # repeated shingles
        "Zelensky in Київ; «Путин» — 2024 ... naïve café_au_lait ÉTÉ ﬁnal",
        " ".join(f"w{i % 3000}" for i in range(_CHUNK * 2 + 7)),  # more shingles than one chunk
    ],
)
def test_minhash_signature_equals_datasketch_minhash(text: str) -> None:
    norm = normalise(text)
    ours = minhash_signature(norm)
    assert ours.dtype == np.dtype("<u4") and ours.shape == (NUM_PERM,)
    assert ours.tolist() == _datasketch_signature(norm).tolist()


def test_exact_and_near_duplicates_are_recorded_not_stored(ledger: Ledger, tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "in",
        {
            "a.txt": ARTICLE,
            "b_copy.txt": ARTICLE.upper(),
            "c_edited.txt": EDITED,
            "d_other.txt": OTHER,
        },
    )

    report = ingest_paths(ledger, [folder])

    assert len(report.ingested) == 2 and ledger.count(documents) == 2
    found = {Path(d.source_path).name: d for d in report.duplicates}
    assert (found["b_copy.txt"].kind, found["b_copy.txt"].similarity) == ("exact", 1.0)
    assert found["c_edited.txt"].kind == "near" and 0.8 <= found["c_edited.txt"].similarity < 1.0
    original = report.ingested[0]
    assert {d.duplicate_of for d in report.duplicates} == {original}
    assert found["c_edited.txt"].duplicate_of_path == str(folder / "a.txt")
    assert _duplicate_rows(ledger) == [
        ("b_copy.txt", "exact", original),
        ("c_edited.txt", "near", original),
    ]


def test_a_later_run_finds_near_duplicates_of_stored_documents(
    ledger: Ledger, tmp_path: Path
) -> None:
    first = ingest_paths(ledger, [_write(tmp_path / "monday", {"a.txt": ARTICLE})])

    later = ingest_paths(ledger, [_write(tmp_path / "tuesday", {"a_edited.txt": EDITED})])

    [near] = later.duplicates
    assert (near.kind, near.duplicate_of) == ("near", first.ingested[0])
    assert ledger.count(documents) == 1


def test_reingesting_adds_no_documents_and_no_duplicate_rows(
    ledger: Ledger, tmp_path: Path
) -> None:
    folder = _write(tmp_path / "in", {"a.txt": ARTICLE, "b_copy.txt": ARTICLE, "c.txt": EDITED})
    ingest_paths(ledger, [folder])
    rows_before = _duplicate_rows(ledger)

    again = ingest_paths(ledger, [folder])

    assert again.ingested == []
    assert [(Path(s.source_path).name, s.reason) for s in again.skipped] == [
        ("a.txt", "already in the ledger as document 1")
    ]
    assert len(again.duplicates) == 2  # still reported, as the truth about those files
    assert _duplicate_rows(ledger) == rows_before
    assert ledger.count(documents) == 1


def test_minhash_is_stored_for_the_next_run(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    ingest_paths(sqlite_ledger, [_write(tmp_path / "in", {"a.txt": ARTICLE})])

    with sqlite_ledger.connect() as conn:
        stored = conn.execute(sa.select(documents.c.minhash)).scalar_one()
    assert stored == fingerprint(ARTICLE).signature_bytes()


@pytest.mark.parametrize("corrupt", [b"\x01\x02\x03\x04\x05", b"\x00" * 8])
def test_a_corrupt_stored_signature_is_an_error_naming_the_ledger_and_the_document(
    ledger: Ledger, tmp_path: Path, corrupt: bytes
) -> None:
    """A signature not 512 bytes long stopped the next ingest (and `run`) with numpy's
    traceback ("buffer size must be a multiple of element size"), or, a multiple of 4 bytes
    long, left its document out of near-duplicate search without a word."""
    ingest_paths(ledger, [_write(tmp_path / "in", {"a.txt": ARTICLE})])
    with ledger.begin() as conn:
        conn.execute(sa.update(documents).values(minhash=corrupt))

    with pytest.raises(StoreError) as raised:
        ingest_paths(ledger, [_write(tmp_path / "more", {"b.txt": OTHER})])

    message = str(raised.value)
    assert message.startswith(f"ledger {ledger.url}: document 1's near-duplicate signature")
    assert f"corrupt ({len(corrupt)} bytes, not 512)" in message
    assert "set that column to NULL for id 1 to go on" in message
    with ledger.connect() as conn:
        assert conn.execute(sa.select(documents.c.id, documents.c.minhash)).all() == [(1, corrupt)]


def test_a_text_another_process_stored_during_the_batch_is_an_exact_duplicate(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _write(tmp_path / "in", {"a.txt": ARTICLE, "b.txt": OTHER, "c.txt": "Third text."})
    real_insert = persist.insert_documents

    def another_process_first(ledger: Ledger, rows: list[dict[str, Any]]) -> list[int] | None:
        # the other process stores b.txt's text from a file of its own, and commits first
        persist.insert_document(ledger, {**rows[1], "source_path": "elsewhere.txt"})
        return real_insert(ledger, rows)

    monkeypatch.setattr(persist, "insert_documents", another_process_first)
    report = ingest_paths(ledger, [folder])

    with ledger.connect() as conn:
        stored = conn.execute(sa.select(documents.c.id, documents.c.source_path)).all()
    names = {doc_id: Path(path).name for doc_id, path in stored}
    assert sorted(names.values()) == ["a.txt", "c.txt", "elsewhere.txt"]
    assert [names[i] for i in report.ingested] == ["a.txt", "c.txt"]
    [dup] = report.duplicates
    assert (Path(dup.source_path).name, dup.kind, dup.duplicate_of_path) == (
        "b.txt",
        "exact",
        "elsewhere.txt",
    )
    assert names[dup.duplicate_of] == "elsewhere.txt"
    assert _duplicate_rows(ledger) == [("b.txt", "exact", dup.duplicate_of)]


def test_a_near_copy_another_ingest_stored_meanwhile_is_a_near_duplicate(
    ledger: Ledger, tmp_path: Path
) -> None:
    """Two ingests at once, each with one of two near copies: each built its duplicate index
    as it began, found nothing near and stored its copy, where one ingest after the other
    stores one and records the other as its near duplicate. A batch now looks, before it is
    stored, at what other runs stored since this run last looked."""
    mine = _write(tmp_path / "mine", {"a.txt": ARTICLE, "b.txt": OTHER})
    theirs = _write(tmp_path / "theirs", {"a_edited.txt": EDITED})
    other = Ledger.open(ledger.engine.url.render_as_string(hide_password=False))
    done: list[int] = []

    def the_other_ingest_meanwhile(finished: int, _total: int) -> None:
        if finished == 1 and not done:  # a.txt read, not stored yet: the other one stores first
            done.extend(ingest_paths(other, [theirs]).ingested)

    try:
        report = ingest_paths(ledger, [mine], on_progress=the_other_ingest_meanwhile)
    finally:
        other.dispose()
    assert ledger.count(documents) == 2  # the other's near copy and b.txt
    assert [Path(d.source_path).name for d in report.duplicates] == ["a.txt"]
    [dup] = report.duplicates
    assert (dup.kind, dup.duplicate_of) == ("near", done[0])
    assert dup.duplicate_of_path == str(theirs / "a_edited.txt")
    assert _duplicate_rows(ledger) == [("a.txt", "near", done[0])]
    assert len(report.ingested) == 1


def test_documents_are_inserted_in_one_batch_or_not_at_all(ledger: Ledger) -> None:
    run_id = ledger.start_run("ingest")
    rows = [
        prepare(Draft(text=text, source_path=f"{n}.txt", source_format="text"))
        for n, text in enumerate([ARTICLE, OTHER])
    ]
    values = [p.row(run_id=run_id, ingested_at=now()) for p in rows if isinstance(p, Prepared)]

    ids = persist.insert_documents(ledger, values)

    assert ids is not None and ids == sorted(ids) and ledger.count(documents) == 2
    third = {**values[0], "content_hash": "f" * 64, "source_path": "2.txt"}
    assert persist.insert_documents(ledger, [third, values[1]]) is None  # a known hash
    assert ledger.count(documents) == 2


class _Deadlock(Exception):
    sqlstate = "40P01"


class _Locked(Exception):
    sqlstate = None


def test_a_deadlocked_batch_is_left_to_the_one_by_one_inserts(
    sqlite_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_with(orig: Exception) -> Any:
        @contextmanager
        def begin() -> Iterator[Any]:
            raise sa.exc.OperationalError("INSERT", {}, orig)
            yield

        return begin

    monkeypatch.setattr(sqlite_ledger, "begin", fail_with(_Deadlock()))
    assert persist.insert_documents(sqlite_ledger, [{}]) is None
    monkeypatch.setattr(sqlite_ledger, "begin", fail_with(_Locked()))
    with pytest.raises(sa.exc.OperationalError):
        persist.insert_documents(sqlite_ledger, [{}])
