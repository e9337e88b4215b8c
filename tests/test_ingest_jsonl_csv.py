"""Record dumps: JSON lines, JSON arrays and CSV/TSV, with configurable field names and per-line problems."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from redline.documents import get_document, list_documents
from redline.ingest import FieldMap, ingest_paths
from redline.ingest.fields import pick
from redline.store import Ledger
from redline.store.schema import ingest_problems

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """An input folder apart from the ledger file that ``sqlite_ledger`` keeps in ``tmp_path``."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


def _by_locator(ledger: Ledger) -> dict[str, dict]:
    return {r.source_locator: r for r in list_documents(ledger)}


def test_jsonl_records_bad_lines_and_duplicates(ledger: Ledger) -> None:
    path = FIXTURES / "articles.jsonl"

    report = ingest_paths(ledger, [path])

    assert [str(p) for p in report.problems] == [
        f"{path}:line 3: invalid JSON: Unterminated string starting at (column 36)",
        f"{path}:line 4: no text: none of the fields text, content, body, article, maintext "
        "has a value (see --text-field)",
        f"{path}:line 5: not a JSON object but list",
    ]
    assert ledger.count(ingest_problems) == 3
    rows = _by_locator(ledger)
    assert set(rows) == {"line 1", "line 2"}
    first = rows["line 1"]
    assert (first.title, first.author, first.outlet, first.published) == (
        "Russia warns Finland over NATO bid",
        "Jane Doe",
        "Example Wire",
        date(2022, 5, 12),
    )
    assert first.source_format == "jsonl" and first.published_source == "metadata"
    [duplicate] = report.duplicates
    assert (duplicate.source_locator, duplicate.kind, duplicate.duplicate_of) == (
        "line 7",
        "exact",
        first.id,
    )


def test_jsonl_alternative_field_names_and_html_text(ledger: Ledger) -> None:
    ingest_paths(ledger, [FIXTURES / "articles.jsonl"])

    second = _by_locator(ledger)["line 2"]
    assert second.title == "Lithuania restricts Kaliningrad transit"  # headline
    assert second.author == "John Roe, Ann Poe"  # authors: [...]
    assert second.outlet == "Baltic Daily"  # source: {"name": ...}
    assert second.url == "https://baltic.example.org/kaliningrad"  # link
    assert (second.published, second.published_precision) == (date(2022, 6, 20), "day")
    text = get_document(ledger, second.id).text
    assert text == (
        "Lithuania banned the transit of sanctioned goods to Kaliningrad.\n\n"
        "The Kremlin warned that Russia would respond to what it called an illegal blockade."
    )


def test_csv_and_tsv_rows(sqlite_ledger: Ledger) -> None:
    report = ingest_paths(sqlite_ledger, [FIXTURES / "articles.csv", FIXTURES / "articles.tsv"])

    assert report.problems == [] and len(report.ingested) == 3
    rows = {
        (Path(r.source_path).suffix, r.source_locator): r for r in list_documents(sqlite_ledger)
    }
    medvedev = rows[(".csv", "row 1")]
    assert (medvedev.title, medvedev.outlet, medvedev.source_format) == (
        "Medvedev warns Sweden",
        "example.org",
        "csv",
    )
    grushko = rows[(".csv", "row 2")]
    assert (grushko.published, grushko.published_precision) == (date(2023, 5, 1), "month")
    assert "<p>" not in get_document(sqlite_ledger, grushko.id).text
    shoigu = rows[(".tsv", "row 1")]
    assert shoigu.title == 'Shoigu on "legitimate targets"'
    assert shoigu.published == date(2022, 4, 26)  # seendate 20220426T120000Z


def test_field_map_override(sqlite_ledger: Ledger, corpus: Path) -> None:
    dump = corpus / "dump.jsonl"
    record = {
        "story": "Moscow warned that any transfer of long-range missiles would make the West a party to the war.",
        "text": "ignored",
        "when": "2024-09-12",
        "paper": "The Example Times",
    }
    dump.write_text(json.dumps(record) + "\n")
    fields = FieldMap().with_names(text="missing,story", date="when", outlet="paper")

    ingest_paths(sqlite_ledger, [dump], fields=fields)

    [row] = list_documents(sqlite_ledger)
    assert (row.published, row.outlet) == (date(2024, 9, 12), "The Example Times")
    assert get_document(sqlite_ledger, row.id).text == record["story"]


def test_field_map_rejects_unknown_attributes() -> None:
    with pytest.raises(TypeError, match="no attribute 'body'"):
        FieldMap().with_names(body="x")


def test_pick_flattens_values() -> None:
    record = {"Authors": ["A One", "", "B Two"], "source": {"id": None, "name": "Wire"}, "n": 3}
    assert pick(record, ("authors",)) == "A One, B Two"
    assert pick(record, ("outlet", "source")) == "Wire"
    assert pick(record, ("n",)) == "3"
    assert pick(record, ("missing",)) is None


def test_json_array_and_nested_articles(sqlite_ledger: Ledger, corpus: Path) -> None:
    (corpus / "newsapi.json").write_text(
        json.dumps(
            {
                "status": "ok",
                "articles": [
                    {
                        "title": "One",
                        "content": "Russia warned Moldova against joining NATO on Monday.",
                    },
                    "junk",
                ],
            }
        )
    )
    (corpus / "broken.json").write_text('{"articles": [')
    (corpus / "lines.json").write_text(
        '{"text": "Moscow warned Helsinki on Tuesday."}\n{"text": "Oslo answered on Wednesday."}\n'
    )

    report = ingest_paths(sqlite_ledger, [corpus])

    rows = {(Path(r.source_path).name, r.source_locator): r for r in list_documents(sqlite_ledger)}
    assert sorted(rows) == [
        ("lines.json", "line 1"),
        ("lines.json", "line 2"),
        ("newsapi.json", "item 1"),
    ]
    assert rows[("newsapi.json", "item 1")].source_format == "json"
    reasons = sorted(str(p).split("/")[-1] for p in report.problems)
    assert reasons == [
        "broken.json: invalid JSON: Expecting value (line 1, column 15)",
        "newsapi.json:item 2: not a JSON object but str",
    ]


def test_a_text_field_that_is_no_text_is_a_problem(sqlite_ledger: Ledger, corpus: Path) -> None:
    """A record whose text is a number, a list or an object is no article: one problem naming
    the field and what it holds (``{"text": 5}`` was stored as a one-character document)."""
    path = corpus / "odd.jsonl"
    lines = [
        {"text": 5},
        {"text": ["a", "b"]},
        {"body": {"p": "x"}},
        {"text": "Officials in Riga reported heavy snow on the main roads overnight."},
        # the text comes from the first field that has one; a later odd field is not read
        {"text": "Ferries to the islands ran late after a storm.", "body": 7},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    report = ingest_paths(sqlite_ledger, [path])
    assert [str(p) for p in report.problems] == [
        f"{path}:line 1: no text: the field 'text' holds a number, not text",
        f"{path}:line 2: no text: the field 'text' holds a list, not text",
        f"{path}:line 3: no text: the field 'body' holds an object, not text",
    ]
    assert set(_by_locator(sqlite_ledger)) == {"line 4", "line 5"}


def test_a_csv_row_with_more_cells_than_columns_is_a_problem(
    sqlite_ledger: Ledger, corpus: Path
) -> None:
    """An unquoted comma split a row's text over the columns after it: the text was stored cut
    at the comma, a piece of it read as the date, and the rest dropped without a word. Such a
    row is now a problem and not stored; empty extra cells (a trailing comma) are harmless."""
    (corpus / "news.csv").write_text(
        "title,text,date\n"
        "Cut,The minister warned, in a long statement, that an incursion means war.,2024-01-03\n"
        'Whole,"The envoy warned, once more, that a blockade would be answered.",2024-01-04,\n',
        encoding="utf-8",
    )
    report = ingest_paths(sqlite_ledger, [corpus])
    assert [str(p) for p in report.problems] == [
        f"{corpus / 'news.csv'}:row 1: malformed CSV: 5 cells for 3 columns (a comma in an "
        "unquoted value?); row not read"
    ]
    assert [(r.title, r.source_locator) for r in list_documents(sqlite_ledger)] == [
        ("Whole", "row 2")
    ]


def test_a_semicolon_separated_csv_is_read_by_its_header(
    sqlite_ledger: Ledger, corpus: Path
) -> None:
    """Spreadsheets where the comma is the decimal mark write CSV with semicolons: the header
    ``title;text;date`` was read as one column, so every row was "no text" and nothing stored.
    The header's separator now decides (commas in a comma table's text stay quoted or refused)."""
    (corpus / "notes.csv").write_text(
        "title;text;date\n"
        "Snow;The ministry reported heavy snow, and closed roads, in the north.;2024-01-03\n"
        'Ferry;"A new ferry; the first in years, crossed the lake.";2024-01-04\n'
        "Cut;The port counted fewer ships; the traders blamed the ice.;2024-01-05\n",
        encoding="utf-8",
    )
    (corpus / "plain.csv").write_text(
        "title,text,date\n"
        'Harvest,"Farmers expect a late harvest; the spring was cold.",2024-02-01\n',
        encoding="utf-8",
    )
    report = ingest_paths(sqlite_ledger, [corpus])
    assert [str(p) for p in report.problems] == [
        f"{corpus / 'notes.csv'}:row 3: malformed CSV: 4 cells for 3 columns (a semicolon in an "
        "unquoted value?); row not read"
    ]
    rows = {r.title: r for r in list_documents(sqlite_ledger)}
    assert set(rows) == {"Snow", "Ferry", "Harvest"}
    assert rows["Snow"].published == date(2024, 1, 3)
    assert get_document(sqlite_ledger, rows["Ferry"].id).text == (
        "A new ferry; the first in years, crossed the lake."
    )
    assert get_document(sqlite_ledger, rows["Harvest"].id).text == (
        "Farmers expect a late harvest; the spring was cold."
    )


def test_a_jsonl_record_holding_a_unicode_line_separator_is_one_record(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """U+2028, U+2029 and U+0085 may stand raw in a JSON string; str.splitlines broke each
    record there, so a file of valid records stored none and named lines that do not exist."""
    days = ["Monday", "Tuesday", "Friday"]
    records = [
        {
            "title": f"Lighthouse {n}",
            "text": f"The coast guard said on {day} that the\u2028lighthouse would\u0085be "
            f"repaired before the\u2029winter storms, the {n}th such promise this year.",
        }
        for n, day in enumerate(days, start=1)
    ]
    dump = tmp_path / "wire.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    dump.write_bytes("\r\n".join([lines[0], "{broken", *lines[1:]]).encode("utf-8"))

    report = ingest_paths(sqlite_ledger, [dump])

    assert [str(p) for p in report.problems] == [
        f"{dump}:line 2: invalid JSON: Expecting property name enclosed in double quotes (column 2)"
    ]
    stored = [get_document(sqlite_ledger, i) for i in report.ingested]
    assert [d.source_locator for d in stored] == ["line 1", "line 3", "line 4"]
    assert "lighthouse would" in " ".join(stored[0].text.split())


def test_a_table_or_array_with_no_records_is_said(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    """A CSV with a header and no row, one whose only article sat on the header line, and an
    empty JSON array were counted as files read, gave no document and no problem."""
    (tmp_path / "header.csv").write_text("title,text\n", encoding="utf-8")
    (tmp_path / "headless.csv").write_text(
        '"The river authority said on Monday that the locks would reopen soon.",Locks\n',
        encoding="utf-8",
    )
    (tmp_path / "empty.json").write_text('{"articles": []}', encoding="utf-8")

    report = ingest_paths(sqlite_ledger, [tmp_path])

    assert sorted(str(p) for p in report.problems) == [
        f"{tmp_path / 'empty.json'}: no records: the JSON array is empty",
        f"{tmp_path / 'header.csv'}: no rows under the header line 'title,text': a table needs "
        "a header line naming its columns (text, title, ...) and then a row per article",
        f"{tmp_path / 'headless.csv'}: no rows under the header line '\"The river authority "
        "said on Monday that the locks would ...': a table needs a header line naming its "
        "columns (text, title, ...) and then a row per article",
    ]
    assert report.ingested == []


def test_a_column_named_twice_in_the_header_is_said(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    """A row keeps only the last column of a name: the first "text" column's article was
    replaced by the second's cell without a word."""
    table = tmp_path / "wire.csv"
    table.write_text(
        "text,title,text\n"
        '"The river authority said on Monday that the locks would reopen soon.",Locks,notes\n',
        encoding="utf-8",
    )

    report = ingest_paths(sqlite_ledger, [table])

    assert [str(p) for p in report.problems] == [
        f"{table}: the header line names the column 'text' 2 times; only the last of them is read"
    ]
