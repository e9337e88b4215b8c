"""Hostile input for ingest: each bad value, archive or file name is one problem (or a safely
stored value) and the run goes on with the rest (issue 10, fault 3). Big inputs are made in
tmp_path at test time; nothing large is committed."""

from __future__ import annotations

import json
import os
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import InputError
from redline.ingest import ingest_paths
from redline.store import Ledger
from redline.store.schema import documents, gdelt_events, ingest_problems

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
V2_ROWS = (FIXTURES / "20240315120000.export.CSV").read_text(encoding="utf-8").splitlines()
ARTICLE = (
    "The foreign ministry warned on Tuesday that any new deployment near the border would be "
    "met with a firm response, according to a statement published in the capital."
)


def _row(event_id: int | str, **cells: str) -> str:
    """A valid GDELT 2.0 row (the fixture's first) with another event id and some cells changed."""
    values = V2_ROWS[0].split("\t")
    values[0] = str(event_id)
    for index, value in cells.items():
        values[int(index.lstrip("c"))] = value
    return "\t".join(values)


def _stored_events(ledger: Ledger) -> set[int]:
    with ledger.connect() as conn:
        return set(conn.execute(sa.select(gdelt_events.c.global_event_id)).scalars())


def _stored_problems(ledger: Ledger) -> list[sa.Row]:
    with ledger.connect() as conn:
        return list(conn.execute(sa.select(ingest_problems).order_by(ingest_problems.c.id)))


# --- 1. GDELT event ids beyond 64 bits ---------------------------------------------------------


def test_a_gdelt_event_id_above_64_bits_is_one_problem_and_its_batch_is_stored(
    ledger: Ledger, tmp_path: Path
) -> None:
    export = tmp_path / "20240316000000.export.CSV"
    export.write_text("\n".join([_row(1), _row(2**70), _row(3)]) + "\n", encoding="utf-8")

    report = ingest_paths(ledger, [export])

    assert _stored_events(ledger) == {1, 3}
    [problem] = report.problems
    assert (problem.path, problem.locator) == (str(export), "line 2")
    assert "global_event_id" in problem.reason and "64-bit" in problem.reason
    assert len(_stored_problems(ledger)) == 1


def test_gdelt_counts_beyond_the_integer_column_are_problems(
    ledger: Ledger, tmp_path: Path
) -> None:
    export = tmp_path / "20240316000000.export.CSV"
    export.write_text(
        "\n".join([_row(1, c31=str(2**40)), _row(2, c29=str(-(2**31) - 1)), _row(3)]) + "\n",
        encoding="utf-8",
    )

    report = ingest_paths(ledger, [export])

    assert _stored_events(ledger) == {3}
    assert [(p.locator, p.reason.split(" ")[3]) for p in report.problems] == [
        ("line 1", "num_mentions"),
        ("line 2", "quad_class"),
    ]


# --- 2. values longer than their columns ---------------------------------------------------------


def test_gdelt_codes_longer_than_their_columns_are_problems_naming_the_column(
    ledger: Ledger, tmp_path: Path
) -> None:
    country = "X" * (gdelt_events.c.actor1_country.type.length + 12)
    code = "Y" * (gdelt_events.c.actor2_code.type.length + 1)
    export = tmp_path / "20240316000000.export.CSV"
    export.write_text(
        "\n".join([_row(1, c7=country), _row(2), _row(3, c15=code)]) + "\n", encoding="utf-8"
    )

    report = ingest_paths(ledger, [export])

    assert _stored_events(ledger) == {2}
    assert [(p.path, p.locator) for p in report.problems] == [
        (str(export), "line 1"),
        (str(export), "line 3"),
    ]
    first, second = (p.reason for p in report.problems)
    assert "actor1_country" in first and country[:8] in first
    assert f"at most {gdelt_events.c.actor1_country.type.length}" in first
    assert "actor2_code" in second


def test_a_long_zip_member_name_is_shortened_in_the_stored_problem_and_kept_in_its_reason(
    ledger: Ledger, tmp_path: Path
) -> None:
    member = "exports/" + "very-long-folder-name/" * 20 + "20240316000000.export.CSV"
    archive = tmp_path / "20240316000000.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, "\n".join([_row(1), "1\t20240316\tshort row", _row(3)]) + "\n")

    report = ingest_paths(ledger, [archive])

    assert _stored_events(ledger) == {1, 3}
    [problem] = report.problems
    assert problem.locator == f"{member} line 2"  # the report keeps it whole
    [stored] = _stored_problems(ledger)
    limit = ingest_problems.c.source_locator.type.length
    assert len(stored.source_locator) <= limit
    assert stored.source_locator.startswith("exports/") and stored.source_locator.endswith(
        "export.CSV line 2"
    )
    assert member in stored.reason


def test_nul_characters_never_reach_a_text_column(ledger: Ledger, tmp_path: Path) -> None:
    # PostgreSQL refuses NUL in text ("text fields cannot contain NUL (0x00) bytes").
    record = {"title": "A\x00B", "author": "Jane\x00 Doe", "text": ARTICLE.replace(" ", "\x00 ", 1)}
    (tmp_path / "a.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(("Another report. " * 600).encode() + b"\x00 and its end.")
    (tmp_path / "20240316000000.export.CSV").write_text(
        _row(7, c6="RUS\x00SIA") + "\n", encoding="utf-8"
    )

    report = ingest_paths(ledger, [tmp_path])

    assert len(report.ingested) == 2 and report.gdelt_events_added == 1
    with ledger.connect() as conn:
        rows = list(
            conn.execute(sa.select(documents.c.title, documents.c.author, documents.c.text))
        )
        actor = conn.execute(sa.select(gdelt_events.c.actor1_name)).scalar_one()
    assert all("\x00" not in (value or "") for row in rows for value in row)
    assert ("AB", "Jane Doe") in [(r.title, r.author) for r in rows]
    assert actor == "RUSSIA"


# --- 3. zip bombs ------------------------------------------------------------------------------


def _zeros_member(zf: zipfile.ZipFile, name: str, size: int) -> None:
    chunk = b"0" * 1_000_000
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w") as out:
        for _ in range(size // len(chunk)):
            out.write(chunk)


def _deflated(path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9)


def test_a_zip_bomb_member_is_refused_at_max_bytes_while_the_others_are_read(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    archive = tmp_path / "20240316000000.export.CSV.zip"
    with _deflated(archive) as zf:
        zf.writestr("a.export.CSV", _row(1) + "\n")
        _zeros_member(zf, "bomb.export.CSV", 300_000_000)  # 300 MB of zeros, ~300 KB zipped
        zf.writestr("b.export.CSV", _row(2) + "\n")
    limit = 2_000_000
    assert archive.stat().st_size < limit

    tracemalloc.start()
    try:
        report = ingest_paths(sqlite_ledger, [archive], max_bytes=limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert _stored_events(sqlite_ledger) == {1, 2}
    [problem] = report.problems
    assert (problem.path, problem.locator) == (str(archive), "bomb.export.CSV")
    assert "above the limit of 2.0 MB" in problem.reason
    assert peak < 8 * limit  # at most limit + 1 bytes of it were unpacked


def test_an_archive_is_bounded_in_all_even_when_each_member_is_small(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    from redline.ingest.archive import ARCHIVE_LIMIT_FACTOR

    limit = 50_000
    member = (_row(1) + "\n") * (limit // (len(_row(1)) + 1))  # just under the limit
    assert limit // 2 < len(member) <= limit
    archive = tmp_path / "20240316000000.export.CSV.zip"
    n_members = 2 * ARCHIVE_LIMIT_FACTOR + 2
    with _deflated(archive) as zf:
        for i in range(n_members):
            zf.writestr(f"{i:02d}.export.CSV", member.replace(_row(1), _row(i + 1)))

    report = ingest_paths(sqlite_ledger, [archive], max_bytes=limit)

    read = _stored_events(sqlite_ledger)
    assert 1 in read and n_members not in read
    assert len(read) <= ARCHIVE_LIMIT_FACTOR
    [problem] = report.problems
    assert problem.path == str(archive)
    assert f"more than {ARCHIVE_LIMIT_FACTOR} times --max-bytes" in problem.reason


def test_a_lying_zip_header_cannot_unpack_more_than_it_claims(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    archive = tmp_path / "20240316000000.export.CSV.zip"
    with _deflated(archive) as zf:
        _zeros_member(zf, "liar.export.CSV", 20_000_000)
        zf.writestr("ok.export.CSV", _row(5) + "\n")
    data = bytearray(archive.read_bytes())
    # the central directory (what readers trust) claims 4 MB unpacked, under the 5 MB limit
    entry = data.index(b"PK\x01\x02")
    assert struct.unpack_from("<I", data, entry + 24) == (20_000_000,)
    struct.pack_into("<I", data, entry + 24, 4_000_000)
    archive.write_bytes(bytes(data))

    report = ingest_paths(sqlite_ledger, [archive], max_bytes=5_000_000)

    assert _stored_events(sqlite_ledger) == {5}
    [problem] = report.problems
    assert problem.locator == "liar.export.CSV" and "cannot unpack" in problem.reason


def test_a_zip_member_whose_name_starts_with_nul_is_skipped(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    # found by the fuzz run: zipfile names such a member "" and its is_dir() raises IndexError
    archive = tmp_path / "20240316000000.export.CSV.zip"
    with _deflated(archive) as zf:
        zf.writestr("a.export.CSV", _row(1) + "\n")
        zf.writestr("b.export.CSV", _row(2) + "\n")
    data = bytearray(archive.read_bytes())
    data[data.index(b"PK\x01\x02") + 46] = 0  # the first byte of the first central name
    archive.write_bytes(bytes(data))

    report = ingest_paths(sqlite_ledger, [archive])

    assert report.problems == []
    assert _stored_events(sqlite_ledger) == {2}


def test_a_gzip_file_is_not_unpacked(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    import gzip

    bomb = tmp_path / "20240316000000.export.CSV.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as out:
        for _ in range(50):
            out.write(b"0" * 1_000_000)

    report = ingest_paths(sqlite_ledger, [bomb], max_bytes=1_000_000)

    [problem] = report.problems
    assert "binary" in problem.reason or "not text" in problem.reason
    assert sqlite_ledger.count(documents) == 0


# --- 4. file names that are not UTF-8 ----------------------------------------------------------


def _bad_name_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    raw = os.fsencode(folder)
    with open(raw + b"/bad\xff.txt", "wb") as out:
        out.write(b"Officials in the capital said on Monday that talks would resume next week.")
    with open(raw + b"/empty\xfe.txt", "wb"):
        pass
    with open(raw + b"/20240316000000\xff.export.CSV", "wb") as out:
        out.write((_row(11) + "\n").encode())
    return folder


@pytest.mark.skipif(os.name != "posix", reason="needs a file system that takes any bytes")
def test_a_file_name_that_is_not_utf8_is_stored_escaped(ledger: Ledger, tmp_path: Path) -> None:
    folder = _bad_name_folder(tmp_path)

    report = ingest_paths(ledger, [folder])

    with ledger.connect() as conn:
        paths = set(conn.execute(sa.select(documents.c.source_path)).scalars())
        gdelt_path = conn.execute(sa.select(gdelt_events.c.source_path)).scalar_one()
    real = os.path.realpath(folder)
    assert paths == {f"{real}/good.txt", f"{real}/bad\\xff.txt"}
    assert gdelt_path == f"{real}/20240316000000\\xff.export.CSV"
    [problem] = report.problems
    assert (problem.path, problem.reason) == (f"{real}/empty\\xfe.txt", "empty file")
    assert [r.source_path for r in _stored_problems(ledger)] == [problem.path]
    again = ingest_paths(ledger, [folder])  # the escaped name is the same key on a rerun
    assert again.ingested == [] and len(again.skipped) == 2


@pytest.mark.skipif(os.name != "posix", reason="needs a file system that takes any bytes")
def test_a_folder_named_in_another_encoding_is_ingested_and_printed(tmp_path: Path) -> None:
    folder = _bad_name_folder(tmp_path)
    named = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9"))  # Latin-1 "café"
    folder.rename(named)
    db = str(tmp_path / "l.db")

    result = CliRunner().invoke(
        app, ["ingest", str(named), "--db", db, "--no-progress", "--no-extract"]
    )

    assert result.exit_code == 0, result.output
    assert "caf\\xe9/empty\\xfe.txt: empty file" in result.stderr
    listed = CliRunner().invoke(app, ["documents", "--db", db, "-f", "json"])
    assert listed.exit_code == 0 and "bad\\\\xff.txt" in listed.stdout


def test_problems_from_the_file_walk_name_an_escaped_path(tmp_path: Path) -> None:
    from redline.ingest.discover import discover

    folder = tmp_path / "in"
    folder.mkdir()
    outside = tmp_path / "out\udcff.txt"  # surrogate-escaped byte 0xff
    outside.write_text(ARTICLE, encoding="utf-8")
    (folder / "link\udcfe.txt").symlink_to(outside)

    [problem] = list(discover([folder]))

    assert isinstance(problem, InputError)
    assert problem.path.endswith("link\\xfe.txt") and "out\\xff.txt" in problem.reason
    str(problem).encode("utf-8")  # printable and storable
