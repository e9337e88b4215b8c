"""Hostile input for ingest: each bad value, archive or file name is one problem (or a safely
stored value) and the run goes on with the rest (issue 10, fault 3). Big inputs are made in
tmp_path at test time; nothing large is committed."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import random
import struct
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import InputError
from redline.ingest import FieldMap, ingest_paths
from redline.ingest.decode import NotText
from redline.ingest.discover import detect_format
from redline.ingest.draft import Draft
from redline.ingest.gdelt import ingest_gdelt, parse_row
from redline.ingest.prepare import Prepared, prepare
from redline.ingest.readers import READERS, Source
from redline.store import Ledger
from redline.store.db import now
from redline.store.limits import misfit
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


def test_terminal_escapes_and_control_characters_are_removed_at_ingest(
    ledger: Ledger, tmp_path: Path
) -> None:
    """Text pasted from a terminal carries colour codes: a short file with them is text, not a
    binary refused, and no escape or control character is stored in any format (they broke
    sentence reading and reached exports and the report raw). Tab and newline stay."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "short.txt").write_bytes(b"Kyiv \x1b[31mwarned\x1b[0m of a strike on Monday.")
    (folder / "long.txt").write_text(
        ARTICLE.replace(" ", " \x1b[1m", 1) + "\n\nEnd\x07 of\x1b]0;title\x07 report.",
        encoding="utf-8",
    )
    other = "Officials in Vilnius said the new border fence would be finished before winter."
    record = {"title": "Red\u001b[31m line", "text": other + " Tail\u0085 text\u0008."}
    (folder / "c.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")

    report = ingest_paths(ledger, [folder])

    assert len(report.ingested) == 3 and not report.problems
    with ledger.connect() as conn:
        rows = list(conn.execute(sa.select(documents.c.title, documents.c.text)))
    stored = [value or "" for row in rows for value in row]
    assert not [v for v in stored if any(ord(c) < 32 and c not in "\t\n\r\f" for c in v)]
    assert not [v for v in stored if any(0x7F <= ord(c) <= 0x9F for c in v)]
    texts = sorted(r.text for r in rows)
    assert any("Kyiv warned of a strike on Monday." in t for t in texts)
    assert any("End of report." in t for t in texts)
    assert "Red line" in [r.title for r in rows]


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


def test_a_folder_that_cannot_be_listed_is_named_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder typed as a relative path was named as typed ("corpus/private: cannot list
    folder"), where every file's problem names its absolute path."""
    from redline.ingest.discover import discover

    (tmp_path / "corpus" / "private").mkdir(parents=True)
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path).name == "private":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)

    [problem] = list(discover([Path("corpus")]))

    assert isinstance(problem, InputError)
    assert (problem.path, problem.reason) == (
        str(tmp_path / "corpus" / "private"),
        "cannot list folder: Permission denied",
    )


# --- 5. property-based tests and a fuzz run of every reader ------------------------------------
#
# A reader's documented ways to report bad input: it yields InputError items, and reading the
# bytes as text may raise NotText (the pipeline turns that into one problem for the file).
# Anything else escaping a reader is a bug these tests look for.

# No example database in the work tree; a failure prints the blob that reproduces it.
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
    print_blob=True,
)
FORMATS = sorted(READERS)  # csv feed html json jsonl markdown text
FIELD_NAMES = sorted({name for names in FieldMap().as_dict().values() for name in names})
FUZZ_SECONDS = 8.0  # the mutation fuzz run's budget; the whole section stays well under 30 s


def _read(fmt: str, data: bytes, name: str = "input") -> list[Draft | InputError]:
    """What a reader yields for ``data``, each draft also prepared as ingest would."""
    source = Source(Path("/fuzz", name), f"/fuzz/{name}", data)
    items: list[Draft | InputError] = []
    try:
        for item in READERS[fmt](source):
            assert isinstance(item, Draft | InputError), item
            items.append(item)
            if isinstance(item, Draft):
                finished = prepare(item)
                if isinstance(finished, Prepared):
                    assert misfit(documents, finished.row(run_id=1, ingested_at=now())) is None
                else:
                    assert isinstance(finished, InputError)
    except NotText:
        pass
    return items


def test_a_feed_with_a_mangled_encoding_name_is_one_problem() -> None:
    # found by the fuzz run: feedparser let a UnicodeDecodeError out of the reader
    feed = (FIXTURES / "feed.atom").read_bytes().replace(b"utf-8", b"utf\x9d\xce-8", 1)

    [problem] = _read("feed", feed)

    assert isinstance(problem, InputError)
    assert problem.reason.startswith("not a readable RSS/Atom feed: UnicodeDecodeError")


def test_an_absurd_year_in_a_feed_date_is_no_date_and_the_feed_is_still_read(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    # found by the fuzz run below: date() raised OverflowError and the feed's entries were lost
    feed = (FIXTURES / "feed.rss").read_text(encoding="utf-8")
    assert "Sat, 25 Mar 2023" in feed
    (tmp_path / "feed.rss").write_text(
        feed.replace("Sat, 25 Mar 2023", "Sat, 25 Mar " + "20" * 20), encoding="utf-8"
    )

    report = ingest_paths(sqlite_ledger, [tmp_path / "feed.rss"])

    assert len(report.ingested) == 1
    assert [p.reason for p in report.problems] == ["entry has no content or summary"]
    with sqlite_ledger.connect() as conn:
        assert conn.execute(sa.select(documents.c.published_source)).scalar_one() != "metadata"


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def fuzz_ledger(fuzz_dir: Path) -> Iterator[Ledger]:
    """One SQLite ledger for every example: hypothesis runs examples within one test call."""
    led = Ledger.open(f"sqlite:///{fuzz_dir / 'ledger.db'}")
    yield led
    led.dispose()


def _ingest_gdelt(ledger: Ledger, data: bytes, max_bytes: int = 100_000) -> list[InputError]:
    problems: list[InputError] = []
    source = Source(Path("/fuzz/20240316000000.export.CSV"), "/fuzz/export", data)
    ingest_gdelt(ledger, source, problems.append, max_bytes)
    assert all(isinstance(p, InputError) for p in problems)
    return problems


@PROPERTY
@given(fmt=st.sampled_from(FORMATS), data=st.binary(max_size=3000))
def test_every_reader_takes_random_bytes(fmt: str, data: bytes) -> None:
    _read(fmt, data)


@PROPERTY
@given(fmt=st.sampled_from(FORMATS), text=st.text(max_size=3000))
def test_every_reader_takes_random_text(fmt: str, text: str) -> None:
    _read(fmt, text.encode("utf-8", errors="surrogatepass"))


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=60)
    | st.sampled_from(["2024-03-15", "0001-01-01", "1710460800", "<p>Hi</p>", "[/]", "\x00"])
)
_KEYS = st.sampled_from([*FIELD_NAMES, "articles", "items", "name"]) | st.text(max_size=8)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=25,
)


@PROPERTY
@given(records=st.lists(_JSON, max_size=6), wrap=st.sampled_from(["lines", "array", "object"]))
def test_json_readers_take_random_structures(records: list[Any], wrap: str) -> None:
    if wrap == "lines":
        _read("jsonl", "\n".join(json.dumps(r) for r in records).encode())
    else:
        payload: Any = records if wrap == "array" else {"articles": records, "x": records[:1]}
        _read("json", json.dumps(payload).encode())


@PROPERTY
@given(
    header=st.lists(st.sampled_from(FIELD_NAMES) | st.text(max_size=12), min_size=1, max_size=6),
    rows=st.lists(st.lists(st.text(max_size=120), max_size=8), max_size=8),
    delimiter=st.sampled_from([",", "\t", ";"]),
    cut=st.none() | st.integers(min_value=0),
)
def test_the_csv_reader_takes_random_tables(
    header: list[str], rows: list[list[str]], delimiter: str, cut: int | None
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if cut is not None:  # a table broken off anywhere, inside a quoted field as likely as not
        text = text[: cut % (len(text) + 1)]
    _read("csv", text.encode("utf-8", errors="surrogatepass"))


_TAGS = st.sampled_from(["p", "div", "article", "h1", "a", "script", "table", "li", "br", "b"])
_MARKUP = st.recursive(
    st.text(max_size=80).map(html.escape) | st.text(alphabet="<>&\"'/=! a-z", max_size=30),
    lambda inner: st.builds(
        lambda tag, children: f"<{tag}>{''.join(children)}</{tag}>", _TAGS, st.lists(inner)
    ),
    max_leaves=30,
)


@PROPERTY
@given(title=st.text(max_size=80), body=_MARKUP, when=st.text(max_size=40))
def test_html_and_feed_readers_take_random_markup(title: str, body: str, when: str) -> None:
    _read("html", f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode())
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>{t}</title><item>'
        "<title>{t}</title><pubDate>{w}</pubDate><link>{t}</link>"
        "<description>{b}</description></item></channel></rss>"
    )
    _read("feed", rss.format(t=html.escape(title), w=html.escape(when), b=body).encode())
    _read("feed", rss.format(t=title, w=when, b=html.escape(body)).encode())


_CELL = (
    st.integers(min_value=-(2**80), max_value=2**80).map(str)
    | st.floats().map(str)
    | st.text(max_size=40)
    | st.sampled_from(["", "20240315", "00000000", "RUS", "nan", "1e999"])
)


@PROPERTY
@given(width=st.sampled_from([57, 58, 61, 3]), cells=st.lists(_CELL, min_size=61, max_size=61))
def test_a_gdelt_row_parses_to_values_the_ledger_holds_or_a_value_error(
    width: int, cells: list[str]
) -> None:
    try:
        row = parse_row(cells[:width], "/fuzz/export")
    except ValueError:
        return
    assert misfit(gdelt_events, row) is None


@PROPERTY
@given(
    rows=st.lists(st.lists(_CELL, min_size=61, max_size=61), max_size=5),
    width=st.sampled_from([57, 58, 61]),
    noise=st.binary(max_size=200),
)
def test_gdelt_ingest_takes_random_rows_and_bytes(
    fuzz_ledger: Ledger, rows: list[list[str]], width: int, noise: bytes
) -> None:
    lines = ["\t".join(cells[:width]) for cells in rows]
    _ingest_gdelt(fuzz_ledger, "\n".join(lines).encode("utf-8", errors="surrogatepass"))
    _ingest_gdelt(fuzz_ledger, noise)


_METHODS = st.sampled_from(
    [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
)


@PROPERTY
@given(
    members=st.lists(
        st.tuples(
            st.text(min_size=1, max_size=300).filter(lambda name: "\x00" not in name),
            st.binary(max_size=2000),
            _METHODS,
        ),
        max_size=4,
        unique_by=lambda member: member[0],
    ),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=4),
    max_bytes=st.integers(min_value=0, max_value=3000),
)
def test_gdelt_zip_ingest_takes_random_and_damaged_archives(
    fuzz_ledger: Ledger,
    members: list[tuple[str, bytes, int]],
    flips: list[tuple[int, int]],
    max_bytes: int,
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content, method in members:
            zf.writestr(name + ".csv", (_row(1) + "\n").encode() + content, compress_type=method)
    data = bytearray(buffer.getvalue())
    for position, value in flips:
        data[position % len(data)] = value
    _ingest_gdelt(fuzz_ledger, bytes(data), max_bytes)


_SUFFIXES = [".txt", ".html", ".md", ".jsonl", ".json", ".csv", ".tsv", ".rss", ".zip", ""]


@settings(PROPERTY, max_examples=25)
@given(
    files=st.lists(
        st.tuples(
            st.binary(min_size=1, max_size=40).filter(
                lambda n: b"/" not in n and b"\x00" not in n and n not in (b".", b"..")
            ),
            st.sampled_from(_SUFFIXES),
            st.binary(max_size=1500) | st.text(max_size=1500).map(str.encode),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_ingest_takes_a_folder_of_random_files_under_random_names(
    fuzz_ledger: Ledger, fuzz_dir: Path, files: list[tuple[bytes, str, bytes]]
) -> None:
    folder = tempfile.mkdtemp(prefix="in-", dir=fuzz_dir)
    for name, suffix, content in files:
        with open(os.path.join(os.fsencode(folder), name + suffix.encode()), "wb") as out:
            out.write(content)

    report = ingest_paths(fuzz_ledger, [folder], max_bytes=100_000)

    for problem in report.problems:
        str(problem).encode("utf-8")  # storable and printable as it stands
    for item in report.duplicates:
        item.source_path.encode("utf-8")


def _mutants(seed: bytes, rng: random.Random) -> bytes:
    """The seed with a few random edits: byte flips, cut or repeated spans, inserted junk."""
    data = bytearray(seed)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(data) + 1)
        kind = rng.randrange(5)
        if kind == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:
            del data[at : at + rng.randint(1, 64)]
        elif kind == 2:
            span = data[at : at + rng.randint(1, 64)]
            data[at:at] = span * rng.randint(2, 50)
        elif kind == 3:
            data[at:at] = rng.choice([b"<", b'"', b"\n", b"\t", b"\\", b"{[", b"]]>", b"\x00"])
        else:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(data)


def test_a_time_bounded_fuzz_run_of_every_reader(fuzz_ledger: Ledger) -> None:
    """Mutations of the fixtures, for FUZZ_SECONDS: each reader gets its own format's seeds."""
    seeds: dict[str, list[bytes]] = {fmt: [] for fmt in [*FORMATS, "gdelt", "zip"]}
    for path in sorted(FIXTURES.iterdir()):
        data = path.read_bytes()
        fmt = detect_format(path, data)
        seeds[fmt].append(data)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(path.name + ".csv", data)
        seeds["zip"].append(buffer.getvalue())
    seeds["json"] = [b'{"articles": [' + b",".join(seeds["jsonl"][0].splitlines()) + b"]}"]
    seeds["text"] = [ARTICLE.encode()]
    rng = random.Random(10)
    stop = time.monotonic() + FUZZ_SECONDS
    runs = 0
    while time.monotonic() < stop:
        for fmt, inputs in seeds.items():
            data = _mutants(rng.choice(inputs), rng)
            try:
                if fmt in ("gdelt", "zip"):
                    _ingest_gdelt(fuzz_ledger, data)
                else:
                    _read(fmt, data)
            except Exception as exc:
                raise AssertionError(f"{fmt} reader failed on {data!r}") from exc
            runs += 1
    assert runs >= len(seeds)


def test_a_truncated_gdelt_zip_is_refused_as_an_archive_not_read_as_rows(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("20240316000000.export.CSV", "\n".join(_row(n) for n in range(1, 200)))
    data = buffer.getvalue()
    cut = tmp_path / "20240316000000.export.CSV.zip"
    cut.write_bytes(data[: len(data) // 2])  # a download cut short: no central directory

    report = ingest_paths(sqlite_ledger, [cut])

    [problem] = report.problems
    assert problem.path == str(cut) and problem.locator is None
    assert "cannot read zip archive (truncated or damaged?)" in problem.reason
    assert _stored_events(sqlite_ledger) == set()
