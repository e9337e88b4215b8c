"""Export every ledger table and the computed credibility as Parquet, CSV or JSON, in batches."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from redline.errors import ConfigError
from redline.link import EpisodeView, evaluate
from redline.link.when import as_of_date
from redline.output import csv_text, file_in_the_way, folder_not_writable, json_escaped, jsonable
from redline.processes import alive, machine_tag
from redline.schemas import VERSION, row_schema
from redline.score import (
    LEVEL,
    Estimate,
    TimelinePoint,
    check_level,
    estimates,
    get_prior,
    timeline,
)
from redline.store import Ledger
from redline.store.listing import LISTED_ITEMS, with_provenance
from redline.store.schema import Moment, metadata

FORMATS = ("parquet", "csv", "json")
BATCH_ROWS = 2000  # rows held in memory per table at a time (documents carry their full text)
SKIP_COLUMNS = {"documents": {"minhash"}}  # binary MinHash signatures are of no use outside
# The layout of an export, in its manifest (``export_version``; absent: 1). 2: the tables of
# extracted items (threats, events, outcome_claims) carry each item's provenance as the
# listings do, so a row of ``threats`` is an item of `redline threats -f json` (rejected items
# included); ``row_schemas`` names the JSON Schema each such file's rows follow.
EXPORT_VERSION = 2
# The listing (schema kind) each computed table's rows are items of; the item tables' are
# ``store.listing.LISTED_ITEMS``
COMPUTED_ROWS = {
    "episode_status": "episodes",
    "credibility": "credibility",
    "credibility_timeline": "credibility-timeline",
}

_ARROW_TYPES: list[tuple[type[sa.types.TypeEngine[Any]], pa.DataType]] = [
    (sa.Boolean, pa.bool_()),
    (sa.Integer, pa.int64()),  # BigInteger is an Integer
    (sa.Float, pa.float64()),
    (Moment, pa.timestamp("us", tz="UTC")),  # read in UTC on every backend
    (sa.Date, pa.date32()),
    (sa.JSON, pa.string()),  # as JSON text
]
_HINT_TYPES = {
    "str": pa.string(),
    "str | None": pa.string(),
    "int": pa.int64(),
    "int | None": pa.int64(),
    "float": pa.float64(),
    "float | None": pa.float64(),
    "bool": pa.bool_(),
    "date | None": pa.date32(),
    "list[str]": pa.list_(pa.string()),
}


def _arrow_type(column: sa.ColumnElement[Any]) -> pa.DataType:
    for sa_type, arrow in _ARROW_TYPES:
        if isinstance(column.type, sa_type):
            return arrow
    return pa.string()


# ``episode_status``: one row per episode as the export's view reads it (``EpisodeState.summary``,
# the row `redline episodes -f json` gives), so a reader of the files gets the status every other
# output shows for the same date and reading, beside the stored tables as the last link left them
EPISODE_STATUS_SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("key", pa.string()),
        ("label", pa.string()),
        ("threatener", pa.string()),
        ("trigger_key", pa.string()),
        ("consequence_class", pa.string()),
        ("first_threat_date", pa.date32()),
        ("first_threat_precision", pa.string()),
        ("crossing_date", pa.date32()),
        ("crossing_precision", pa.string()),
        ("crossed", pa.string()),
        ("status", pa.string()),
        ("status_as_of", pa.date32()),
        ("status_by", pa.string()),
        ("confidence", pa.float64()),
        ("verdict", pa.bool_()),
        ("implicit_threat", pa.bool_()),
        ("opinion_only", pa.bool_()),
        ("n_sources", pa.int64()),
        ("n_outlets", pa.int64()),
        ("outlets_known", pa.int64()),
        ("n_opinion_sources", pa.int64()),
        ("self_implied", pa.bool_()),
        ("evidence", pa.string()),
        ("n_threats", pa.int64()),
        ("n_responses", pa.int64()),
        ("n_claims", pa.int64()),
    ]
)


# Working state of the runs, not the ledger's evidence: which documents an extraction under way
# has claimed (empty once it ends) is no part of an export.
NOT_EXPORTED = frozenset({"extract_claims"})


def exported_tables() -> list[sa.Table]:
    """The stored tables an export writes, in dependency order."""
    return [t for t in metadata.sorted_tables if t.name not in NOT_EXPORTED]


def _dataclass_schema(cls: type) -> pa.Schema:
    return pa.schema([(f.name, _HINT_TYPES[str(f.type)]) for f in dataclasses.fields(cls)])


class _Writer(Protocol):
    def write(self, rows: list[dict[str, Any]]) -> None: ...
    def close(self) -> None: ...


class _ParquetWriter:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema)

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


class _CsvWriter:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.file = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file)
        self.names = schema.names
        self.writer.writerow(self.names)

    def write(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            # each cell as the listings' CSV writes it (``output.csv_text``): the formula guard
            # reads text only (a negative number stays a number), and a bidirectional control
            # is dropped (it stood raw here, reordering the cell in a spreadsheet)
            self.writer.writerow([csv_text(row.get(n)) for n in self.names])

    def close(self) -> None:
        self.file.close()


class _JsonWriter:
    """A JSON array of objects, written one object at a time."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.file = path.open("w", encoding="utf-8")
        self.file.write("[")
        self.first = True

    def write(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.file.write(
                ("\n" if self.first else ",\n")
                # a text's bidirectional controls as escapes, as the listings write them: the
                # values read back are the stored ones, and `cat` shows the line in order
                + json_escaped(json.dumps(row, default=jsonable, ensure_ascii=False))
            )
            self.first = False

    def close(self) -> None:
        self.file.write("\n]\n")
        self.file.close()


_WRITERS: dict[str, type[_ParquetWriter] | type[_CsvWriter] | type[_JsonWriter]] = {
    "parquet": _ParquetWriter,
    "csv": _CsvWriter,
    "json": _JsonWriter,
}


def _table_batches(
    conn: sa.Connection, table: sa.Table, batch_rows: int, listed: set[int] | None = None
) -> tuple[pa.Schema, Iterator[list[dict[str, Any]]]]:
    """One stored table's schema and rows; ``episodes`` gains each row's analyst decisions and
    whether it is ``listed`` (in the export's view: not rejected, and with items left), and a
    table of extracted items each item's provenance, as its listing gives it."""
    if table.name in LISTED_ITEMS:
        query = with_provenance(table)
    else:
        query = sa.select(*(c for c in table.c if c.name not in SKIP_COLUMNS.get(table.name, ())))
    query = query.order_by(*table.primary_key.columns)
    cols = list(query.selected_columns)
    schema = pa.schema([(c.name, _arrow_type(c)) for c in cols])
    json_cols = [c.name for c in cols if isinstance(c.type, sa.JSON)]
    decided = _episode_decisions(conn) if table.name == "episodes" else None
    if decided is not None:
        schema = schema.append(pa.field("analyst_rejected", pa.bool_()))
        schema = schema.append(pa.field("analyst_status", pa.string()))
        schema = schema.append(pa.field("listed", pa.bool_()))

    def batches() -> Iterator[list[dict[str, Any]]]:
        result = conn.execution_options(yield_per=batch_rows).execute(query)
        for part in result.partitions():
            rows = [dict(r._mapping) for r in part]
            for row in rows:
                for name in json_cols:
                    if row[name] is not None:
                        row[name] = json.dumps(row[name], ensure_ascii=False)
                if decided is not None:
                    row["analyst_rejected"], row["analyst_status"] = decided.get(
                        row["id"], (False, None)
                    )
                    row["listed"] = listed is not None and row["id"] in listed
            yield rows

    return schema, batches()


def _episode_decisions(conn: sa.Connection) -> dict[int, tuple[bool, str | None]]:
    """Each reviewed episode's standing analyst decision: rejected (not a red line, so absent
    from listings and scores), and the status imposed, if any. The stored table keeps rejected
    episodes, so the export says which they are rather than leaving a reader to join reviews."""
    from redline.link.reviews import load_reviews

    return {i: (r.rejected, r.status) for i, r in load_reviews(conn).items()}


def _write(path: Path, fmt: str, schema: pa.Schema, batches: Iterable[list[dict[str, Any]]]) -> int:
    writer = _WRITERS[fmt](path, schema)
    n = 0
    try:
        for rows in batches:
            writer.write(rows)
            n += len(rows)
    finally:
        writer.close()
    return n


def export(
    ledger: Ledger,
    out_dir: str | Path,
    *,
    fmt: str = "parquet",
    as_of: date | None = None,
    prior: str = "uniform",
    batch_rows: int = BATCH_ROWS,
    view: EpisodeView | None = None,
    progress: Callable[[int, int], None] | None = None,
    reported: bool = False,
    notice: Callable[[str], None] | None = None,
    level: float = LEVEL,
) -> dict[str, int]:
    """Write ``<table>.<fmt>`` for every ledger table, and the computed ``episode_status``,
    ``credibility`` and ``credibility_timeline``.

    The stored tables are as the last ``link`` left them; the computed ones read the episodes
    as of its date (or ``view``), in hindsight or, with ``reported``, as the sources had
    reported them by then (``link.evaluate``). Rows are streamed ``batch_rows`` at a time. A
    ``manifest.json`` lists the files, row counts, the date and the reading. Returns the number
    of rows written per table. ``progress(done, total)`` is called as each file is written;
    ``notice(line)`` with what became of the partial folders earlier exports left in ``out``
    (``_clear_partials``). ``level``: that of the follow-through intervals (``check_level``),
    which the rows and the manifest carry.
    """
    check_format(fmt)
    check_level(level)
    out = Path(out_dir)
    # Every table is read from one snapshot of the ledger: a `link` committed meanwhile gave
    # a manifest of one date beside episodes of another.
    with ledger.snapshot() as conn:
        as_of = _as_of_of_the_tables(conn, as_of_date(as_of), view)
        if view is not None and view.reported != reported:
            raise ConfigError(
                f"the view given reads the episodes {'as reported' if view.reported else 'in hindsight'}"
                f"; pass reported={view.reported} with it"
            )
        _make_folder(out)
        states = (
            view
            if view is not None
            else evaluate(ledger, as_of=as_of, reported=reported, conn=conn)
        )
        as_of = states.as_of
        listed = {int(s.row["id"]) for s in states}
        # Every file is written into a folder inside ``out`` first and moved into place only once
        # all are whole: a failed export (a full disk) leaves the earlier one as it was, not a mix
        # of two ledgers under the old manifest.
        for line in _clear_partials(out):
            if notice is not None:
                notice(line)
        try:
            prefix = f".export-partial-{os.getpid()}-{machine_tag()}-"
            staging = Path(tempfile.mkdtemp(prefix=prefix, dir=out))
        except OSError as exc:
            raise ConfigError(f"{out}: cannot write the export: {exc.strerror or exc}") from exc
        try:
            written, manifest = _write_all(
                conn, staging, fmt, states, prior, batch_rows, listed, progress, level
            )
            (staging / "manifest.json").write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8"
            )
            _drop_stale(out, {f"{name}.{fmt}" for name in written})
            for name in written:
                os.replace(staging / f"{name}.{fmt}", out / f"{name}.{fmt}")
            os.replace(staging / "manifest.json", out / "manifest.json")  # last: names them all
        except OSError as exc:
            where = exc.filename or out
            raise ConfigError(
                f"{where}: cannot write the export: {exc.strerror or exc} (the files already in "
                f"{out} are as they were)"
            ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return written


# An export's partial folder is named for the process writing it and its machine (a hash of
# ``processes.machine``), so that a later export can tell one a killed export left (kill -9,
# a power cut: no ``finally`` ran) from one an export still under way writes
_PARTIAL = re.compile(r"\.export-partial-(\d+)-([0-9a-f]{12})-")


def _clear_partials(out: Path) -> list[str]:
    """Remove the partial folders in ``out`` whose export is dead (its process on this machine
    is gone): each stayed there, hidden, for ever. A folder whose process still runs is another
    export under way, and is left to it; one whose writer cannot be told (an export on another
    machine, or by a Redline before folders were named for their process) is left and named.
    Returns what to tell the user."""
    here = machine_tag()
    removed: list[str] = []
    unknown: list[str] = []
    try:
        found = sorted(p for p in out.iterdir() if p.name.startswith(".export-partial-"))
    except OSError:
        return []
    for path in found:
        if not path.is_dir() or path.is_symlink():
            continue
        owner = _PARTIAL.match(path.name)
        if owner is None or owner.group(2) != here:
            unknown.append(path.name)
        elif not alive(int(owner.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            if not path.exists():
                removed.append(path.name)
    lines = []
    if removed:
        lines.append(
            f"removed {len(removed)} partial folder(s) an interrupted export left in {out}: "
            + ", ".join(removed)
        )
    if unknown:
        lines.append(
            f"left {len(unknown)} partial folder(s) in {out} that an export on another machine "
            f"or by an earlier Redline may still be writing: {', '.join(unknown)} (remove them "
            "once no such export runs)"
        )
    return lines


def check_format(fmt: str) -> None:
    """A ConfigError for an export format Redline does not write."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def check_export_folder(out: Path) -> None:
    """A ConfigError naming what stands in the way of an export into ``out``: a file there or
    where a folder above it must be, or a folder this user may not write. Checked by `redline
    run` before it ingests anything too: it had found them only after ingest, extraction and
    linking had run."""
    if out.exists() and not out.is_dir():
        raise ConfigError(
            f"{out}: a file, not a folder: export writes one file per table into a folder"
        )
    blocking = file_in_the_way(out)
    if blocking is not None:
        raise ConfigError(f"{out}: cannot create the export folder: {blocking} is a file")
    locked = folder_not_writable(out)
    if locked is not None:
        raise ConfigError(f"{out}: cannot write the export: the folder {locked} is not writable")


def _make_folder(out: Path) -> None:
    """The export's folder, or a ConfigError naming what stands in its way."""
    check_export_folder(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{out}: cannot create the export folder: {exc.strerror or exc}") from exc


def _write_all(
    conn: sa.Connection,
    folder: Path,
    fmt: str,
    states: EpisodeView,
    prior: str,
    batch_rows: int,
    listed: set[int],
    progress: Callable[[int, int], None] | None,
    level: float = LEVEL,
) -> tuple[dict[str, int], dict[str, Any]]:
    """Write every stored and computed table into ``folder``: (rows per table, manifest)."""
    written: dict[str, int] = {}
    tables = exported_tables()
    total = len(tables) + 3  # and the three computed tables below
    tick = progress or (lambda _done, _total: None)
    for table in tables:
        schema, batches = _table_batches(conn, table, batch_rows, listed)
        written[table.name] = _write(folder / f"{table.name}.{fmt}", fmt, schema, batches)
        tick(len(written), total)
    p = get_prior(prior)
    computed: Mapping[str, tuple[pa.Schema, list[dict[str, Any]]]] = {
        "episode_status": (
            EPISODE_STATUS_SCHEMA,
            [_status_row(s.summary().as_dict()) for s in states],
        ),
        # each row as the JSON output gives it (no decided episode: no mean, no interval)
        "credibility": (
            _dataclass_schema(Estimate),
            [e.as_dict() for e in estimates(states, prior=p, level=level)],
        ),
        "credibility_timeline": (
            _dataclass_schema(TimelinePoint),
            [t.as_dict() for t in timeline(states, prior=p, level=level)],
        ),
    }
    for name, (schema, rows) in computed.items():
        written[name] = _write(folder / f"{name}.{fmt}", fmt, schema, [rows])
        tick(len(written), total)
    manifest = {
        "export_version": EXPORT_VERSION,
        "schema_version": VERSION,
        "format": fmt,
        "as_of": states.as_of.isoformat(),
        "as_reported": states.reported,
        # the response window the statuses were assessed with: it moves them (and the scores)
        "window_days": states.window_days,
        "prior": dataclasses.asdict(p),
        # the level of the credibility tables' intervals (each of their rows carries it too)
        "level": level,
        "tables": {name: {"file": f"{name}.{fmt}", "rows": n} for name, n in written.items()},
        # the JSON Schema a row of these files follows: an item of the listing of the same
        # thing (the other tables are the ledger's, column for column)
        "row_schemas": {
            name: row_schema(kind) for name, kind in {**LISTED_ITEMS, **COMPUTED_ROWS}.items()
        },
    }
    if fmt == "csv":
        # the spreadsheet guard changes text (a probe found every evidence offset one off in
        # such documents): say what it did and how to undo it
        manifest["csv_formula_guard"] = CSV_FORMULA_GUARD
    return written, manifest


CSV_FORMULA_GUARD = (
    "A text cell that begins with = + - @, a tab or a carriage return is written with a "
    "leading apostrophe, so that a spreadsheet shows it rather than running it as a formula. "
    "Text that begins with apostrophes followed by one of those characters gets one more. "
    "So a cell that begins with one or more apostrophes followed by one of those characters "
    "had one added (a cell beginning with apostrophes and anything else is as stored): remove "
    "that one apostrophe to recover the stored text. Character offsets (evidence spans) count from "
    "the text without it. Control characters and Unicode bidirectional controls (U+061C, "
    "U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) are removed from every text cell, as in "
    "every CSV Redline writes (a spreadsheet shows a cell reordered by them), so offsets past "
    "such a character in the stored text are one further on than in the cell. Parquet and JSON "
    "exports are written unchanged."
)


def _status_row(summary: dict[str, Any]) -> dict[str, Any]:
    """An episode's summary with its vocabulary values as plain strings (Arrow takes no enum)."""
    return {k: str(v) if isinstance(v, StrEnum) else v for k, v in summary.items()}


def _as_of_of_the_tables(
    conn: sa.Connection, as_of: date | None, view: EpisodeView | None
) -> date | None:
    """The date the whole export stands on. The episode tables are written as the last
    ``link`` stored them, so the computed credibility is as of that date too (by default), and
    another date is refused rather than mixed with them: link as of it first."""
    from redline.link.episodes import agreeing, last_link_as_of

    if view is not None:
        return agreeing(view, as_of=as_of).as_of
    linked = last_link_as_of(conn)
    if as_of is None or linked is None or as_of == linked:
        return as_of or linked
    raise ConfigError(
        f"the stored episodes were linked as of {linked}; an export as of {as_of} would mix "
        f"the two dates: run `redline link --as-of {as_of}` first, then export"
    )


def _drop_stale(out: Path, kept: set[str]) -> None:
    """Remove the files an earlier export into ``out`` listed that this one did not write (a
    csv export after a json one): the folder then holds what its manifest says, and nothing a
    manifest never listed is touched."""
    try:
        earlier = json.loads((out / "manifest.json").read_text("utf-8"))
        listed = {t["file"] for t in earlier.get("tables", {}).values()}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return
    for name in listed - kept:
        path = out / name
        if path.parent == out and path.is_file():  # a bare file name, never a path out of it
            path.unlink()
