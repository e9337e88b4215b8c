"""GDELT 1.0/2.0 event exports: rows land in gdelt_events with their SOURCEURL, idempotently."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from redline.ingest import ingest_paths
from redline.ingest.gdelt import parse_row
from redline.store import Ledger
from redline.store.schema import documents, gdelt_events

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
V2 = FIXTURES / "20240315120000.export.CSV"  # 61 columns
V1 = FIXTURES / "20140301.export.CSV"  # 58 columns (daily files since April 2013)
V1_BACKFILE = FIXTURES / "20120105.export.CSV"  # 57 columns, no SOURCEURL


def _events(ledger: Ledger) -> dict[int, sa.Row]:
    with ledger.connect() as conn:
        return {r.global_event_id: r for r in conn.execute(sa.select(gdelt_events))}


def test_all_three_layouts(ledger: Ledger) -> None:
    report = ingest_paths(ledger, [V2, V1, V1_BACKFILE])

    assert report.problems == [] and report.ingested == []
    assert (report.gdelt_events_added, report.files) == (6, 3)
    assert ledger.count(documents) == 0
    events = _events(ledger)
    threat = events[1138000001]
    assert (threat.day, threat.actor1_code, threat.actor1_country, threat.actor2_name) == (
        date(2024, 3, 15),
        "RUSGOV",
        "RUS",
        "UKRAINE",
    )
    assert (threat.event_code, threat.event_root_code, threat.quad_class) == ("138", "13", 4)
    assert (threat.goldstein, threat.num_mentions, threat.avg_tone) == (-7.0, 10, -5.25)
    assert threat.source_url == "https://wire.example.org/2024/03/15/threat"
    assert (threat.gdelt_version, threat.source_path) == ("2", str(V2))
    assert events[1138000003].event_code == "042"  # leading zero kept
    assert events[1138000003].actor2_country is None
    crimea = events[310000001]
    assert (crimea.gdelt_version, crimea.source_url) == ("1", "https://old.example.org/crimea")
    backfile = events[100000001]
    assert (backfile.gdelt_version, backfile.source_url, backfile.event_code) == ("1", None, "036")


def test_reingest_adds_nothing(sqlite_ledger: Ledger) -> None:
    ingest_paths(sqlite_ledger, [V2])

    again = ingest_paths(sqlite_ledger, [V2])

    assert (again.gdelt_events_added, again.gdelt_events_already_stored) == (0, 3)
    assert sqlite_ledger.count(gdelt_events) == 3


def test_zipped_export(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    archive = tmp_path / "20240315120000.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(V2, V2.name)

    report = ingest_paths(sqlite_ledger, [archive])

    assert (report.gdelt_events_added, report.problems) == (3, [])


def test_export_sniffed_under_another_name(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    renamed = tmp_path / "events.csv"
    shutil.copy(V1, renamed)

    assert ingest_paths(sqlite_ledger, [renamed]).gdelt_events_added == 2


def test_malformed_rows_are_problems_with_line_numbers(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    rows = V2.read_text().splitlines()
    cells = rows[1].split("\t")
    cells[31] = "many"  # NumMentions
    bad = tmp_path / "20240316000000.export.CSV"
    bad.write_text("\n".join([rows[0], "1\t20240316\tshort row", "\t".join(cells), rows[2]]) + "\n")

    report = ingest_paths(sqlite_ledger, [bad])

    assert report.gdelt_events_added == 2
    assert [(p.locator, p.reason) for p in report.problems] == [
        ("line 2", "expected 57, 58 or 61 tab-separated GDELT columns, found 3"),
        ("line 3", "bad GDELT value: invalid literal for int() with base 10: 'many'"),
    ]


def test_not_a_gdelt_zip_is_a_problem(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "hello")

    [problem] = ingest_paths(sqlite_ledger, [archive]).problems

    assert problem.reason.startswith("zip archive that is not a GDELT export")


@pytest.mark.parametrize("n_columns", [56, 59, 60, 62])
def test_parse_row_rejects_other_widths(n_columns: int) -> None:
    with pytest.raises(ValueError, match=f"found {n_columns}"):
        parse_row(["1"] * n_columns, "x")


def test_escape_sequences_leave_a_row_and_numbers_stay_numbers_in_csv(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A GDELT row loses escape sequences and control characters as every other format does
    (an actor name carried them raw into the CSV export), and the CSV export writes negative
    Goldstein and tone as numbers (the formula guard quoted them into text)."""
    import csv

    from redline.export import export

    hostile = tmp_path / "20240315120000.export.CSV"
    lines = V2.read_text(encoding="utf-8").splitlines()
    fields = lines[0].split("\t")
    fields[16] = "UKR\x1b]0;pwned\x07AINE\x1b[31m"  # Actor2Name
    hostile.write_text("\n".join(["\t".join(fields), *lines[1:]]) + "\n", encoding="utf-8")
    ingest_paths(sqlite_ledger, [hostile])
    first = int(fields[0])
    assert _events(sqlite_ledger)[first].actor2_name == "UKRAINE"
    export(sqlite_ledger, tmp_path / "out", fmt="csv")
    with (tmp_path / "out" / "gdelt_events.csv").open(encoding="utf-8") as fh:
        rows = {int(r["global_event_id"]): r for r in csv.DictReader(fh)}
    assert "\x1b" not in (tmp_path / "out" / "gdelt_events.csv").read_text(encoding="utf-8")
    assert float(rows[first]["goldstein"]) == _events(sqlite_ledger)[first].goldstein < 0
