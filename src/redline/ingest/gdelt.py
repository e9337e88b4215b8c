"""GDELT 1.0 and 2.0 event exports: tab-separated rows stored in ``gdelt_events`` (URL, actors, CAMEO codes; no text)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from redline.errors import InputError
from redline.ingest.archive import is_zip, zip_members
from redline.ingest.decode import without_controls
from redline.ingest.readers.source import Source
from redline.store import Ledger
from redline.store.limits import misfit
from redline.store.schema import gdelt_events

# Column counts (GDELT Event Codebook V1.03 and V2.0):
#   57  GDELT 1.0 backfile, before April 2013: ... ActionGeo_FeatureID, DATEADDED
#   58  GDELT 1.0 daily export since April 2013: ... DATEADDED, SOURCEURL
#   61  GDELT 2.0 (each geo block gains an ADM2Code): ... DATEADDED, SOURCEURL
_LAYOUTS: dict[int, tuple[str, int | None]] = {57: ("1", None), 58: ("1", 57), 61: ("2", 60)}
# Columns 0-34 are laid out the same in both versions:
GLOBALEVENTID, SQLDATE = 0, 1
ACTOR1_CODE, ACTOR1_NAME, ACTOR1_COUNTRY = 5, 6, 7
ACTOR2_CODE, ACTOR2_NAME, ACTOR2_COUNTRY = 15, 16, 17
EVENT_CODE, EVENT_ROOT_CODE, QUAD_CLASS, GOLDSTEIN = 26, 28, 29, 30
NUM_MENTIONS, AVG_TONE = 31, 34

BATCH_ROWS = 1000
# After this many bad rows in one file the rest are counted, not listed one by one.
MAX_ROW_PROBLEMS = 20


@dataclass(slots=True)
class GdeltCounts:
    added: int = 0
    already_stored: int = 0


def ingest_gdelt(
    ledger: Ledger,
    source: Source,
    on_problem: Callable[[InputError], None],
    max_bytes: int = 0,
) -> GdeltCounts:
    """Store the events of one export (plain or zipped), skipping event ids already in the ledger.

    A zip's members are unpacked within ``max_bytes`` each (see :mod:`redline.ingest.archive`);
    a row whose value the ledger cannot hold is a problem like any malformed row.
    """
    counts = GdeltCounts()
    batch: dict[int, dict[str, Any]] = {}
    bad = 0
    for item in _lines(source, max_bytes):
        if isinstance(item, InputError):
            on_problem(item)
            continue
        where, line = item
        if not line.strip():
            continue
        try:
            # escape sequences and control characters go, as from every other format (the
            # tabs between fields are kept); an actor name carried them into the exports
            row = parse_row(without_controls(line.rstrip("\r")).split("\t"), source.key)
        except ValueError as exc:
            bad += 1
            if bad <= MAX_ROW_PROBLEMS:
                on_problem(InputError(source.key, str(exc), where))
            continue
        batch[row["global_event_id"]] = row
        if len(batch) >= BATCH_ROWS:
            _store(ledger, batch, counts)
            batch = {}
    _store(ledger, batch, counts)
    if bad > MAX_ROW_PROBLEMS:
        on_problem(
            InputError(source.key, f"{bad - MAX_ROW_PROBLEMS} more malformed GDELT rows skipped")
        )
    return counts


def parse_row(cells: list[str], source_path: str) -> dict[str, Any]:
    """One export row as ``gdelt_events`` values; ValueError names what is wrong with it."""
    layout = _LAYOUTS.get(len(cells))
    if layout is None:
        raise ValueError(f"expected 57, 58 or 61 tab-separated GDELT columns, found {len(cells)}")
    version, url_column = layout
    try:
        event_id = int(cells[GLOBALEVENTID])
        sqldate = cells[SQLDATE]
        day = (
            date(int(sqldate[:4]), int(sqldate[4:6]), int(sqldate[6:8]))
            if len(sqldate) == 8
            else None
        )
        row = {
            "global_event_id": event_id,
            "day": day,
            "actor1_code": cells[ACTOR1_CODE] or None,
            "actor1_name": cells[ACTOR1_NAME] or None,
            "actor1_country": cells[ACTOR1_COUNTRY] or None,
            "actor2_code": cells[ACTOR2_CODE] or None,
            "actor2_name": cells[ACTOR2_NAME] or None,
            "actor2_country": cells[ACTOR2_COUNTRY] or None,
            "event_code": cells[EVENT_CODE] or None,
            "event_root_code": cells[EVENT_ROOT_CODE] or None,
            "quad_class": _number(int, cells[QUAD_CLASS]),
            "goldstein": _number(float, cells[GOLDSTEIN]),
            "num_mentions": _number(int, cells[NUM_MENTIONS]),
            "avg_tone": _number(float, cells[AVG_TONE]),
            "source_url": (cells[url_column] or None) if url_column is not None else None,
            "source_path": source_path,
            "gdelt_version": version,
        }
    except ValueError as exc:
        raise ValueError(f"bad GDELT value: {exc}") from exc
    # An id beyond 64 bits, a 20-letter country code: what the ledger's columns cannot hold.
    misfit_reason = misfit(gdelt_events, row)
    if misfit_reason is not None:
        raise ValueError(f"bad GDELT value: {misfit_reason}")
    return row


def _number(kind: Callable[[str], Any], cell: str) -> Any:
    return kind(cell) if cell.strip() else None


def _lines(source: Source, max_bytes: int) -> Iterator[tuple[str, str] | InputError]:
    """(locator, line) pairs, or problems with a zip's members; a zip's CSV members are
    unpacked in memory within the archive bounds, never to disk."""
    if not is_zip(source.data, source.path.name):
        yield from _numbered(source.data, "")
        return
    for item in zip_members(source.key, source.data, max_bytes, _is_csv):
        if isinstance(item, InputError):
            yield item
        else:
            member, content = item
            yield from _numbered(content, f"{member} ")


def _numbered(data: bytes, prefix: str) -> Iterator[tuple[str, str]]:
    # Rows end at a newline only: "\r", "\x1c" or "\u2028" inside a cell do not split it.
    text = data.decode("utf-8", errors="replace")
    for number, line in enumerate(text.split("\n"), start=1):
        yield f"{prefix}line {number}", line


def _is_csv(member: str) -> bool:
    return member.lower().endswith(".csv")


def _store(ledger: Ledger, batch: dict[int, dict[str, Any]], counts: GdeltCounts) -> None:
    if not batch:
        return
    with ledger.begin() as conn:
        existing = set(
            conn.execute(
                sa.select(gdelt_events.c.global_event_id).where(
                    gdelt_events.c.global_event_id.in_(batch)
                )
            ).scalars()
        )
        new = [row for event_id, row in batch.items() if event_id not in existing]
        if new:
            conn.execute(sa.insert(gdelt_events), new)
    counts.added += len(new)
    counts.already_stored += len(existing)
