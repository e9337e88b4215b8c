"""Render rows as a rich table, JSON or CSV: the one place the CLI formats its listings."""

from __future__ import annotations

import contextlib
import csv
import glob
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from redline.processes import alive, machine_tag
from redline.store.db import utc

# Free-text columns that take the width left over in a table.
_LONG_COLUMNS = frozenset(
    {"sentence", "title", "text", "label", "note", "source", "action", "evidence"}
)


# Spreadsheets run a cell that starts with one of these as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The body of a terminal escape sequence after its ESC: CSI ("[31m") or OSC ("]0;title" ended by
# BEL or ESC \). Ingest strips them from articles too (``ingest.decode``).
ESCAPE_BODY = r"\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)"
# Bidirectional marks, embeddings, overrides and isolates (Unicode's Bidi_Control): they reorder
# what follows on the screen ("gnp.exe" after U+202E shows as "exe.png"; the invisible marks
# U+200E, U+200F and U+061C flip neutral characters around them), so untrusted text loses them
# where it is shown.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Terminal control: ESC sequences (CSI, OSC, ...), the other C0/C1 control characters and the
# bidirectional controls.
_CONTROL = re.compile(rf"\x1b(?:{ESCAPE_BODY}|.)|[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def counted(n: int, noun: str) -> str:
    """``n`` with its noun in the number it takes ("1 document", "0 documents", "2 outcome
    claims"): summaries and titles read "extracted 1 documents", "1 episodes as of ..."."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def file_in_the_way(path: Path) -> Path | None:
    """The file standing where a folder above ``path`` must be (writing there fails with a
    bare "Not a directory"), or None: the nearest existing ancestor when it is no folder."""
    nearest = next((p for p in path.parents if p.exists()), None)
    return nearest if nearest is not None and not nearest.is_dir() else None


def folder_not_writable(path: Path) -> Path | None:
    """The folder ``path`` is, or else the nearest existing one above it, when this user may
    not write in it (a read-only disk, another user's folder); else None. That is where a file
    or folder written at ``path`` lands: checked before a long run that ends by writing there."""
    path = path.absolute()
    nearest = next((p for p in (path, *path.parents) if p.is_dir()), None)
    if nearest is None or os.access(nearest, os.W_OK | os.X_OK):
        return None
    return nearest


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, moved over ``path`` only
    once whole: a failed write (a full disk) leaves the earlier file as it was and no fragment
    that looks complete. A link is written through (its target replaced), and anything that is
    not a regular file (a device, a pipe) is written to directly, never replaced. Raises
    ``OSError`` as ``Path.write_text`` does."""
    path = path.resolve() if path.is_symlink() else path
    if path.exists() and not path.is_file():
        path.write_text(text, encoding="utf-8")
        return
    tag = machine_tag()
    # a writer killed mid-write (kill -9, a power cut) left its hidden partial file: removed
    # once its process on this machine is gone (one elsewhere, or still running, is left)
    stale = re.compile(rf"\.{re.escape(path.name)}\.(\d+)-{tag}\.partial")
    with contextlib.suppress(OSError):
        for left in path.parent.glob(f".{glob.escape(path.name)}.*.partial"):
            found = stale.fullmatch(left.name)
            if found is not None and not alive(int(found.group(1))):
                left.unlink(missing_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}-{tag}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def csv_cell(value: Any) -> Any:
    """A value safe for a spreadsheet: text that would start a formula gets a leading quote, and
    so does text whose apostrophes already stand before such a character ("'=x"): dropping one
    apostrophe before apostrophes and a formula character then gives back the stored text,
    which it had turned "'=x" into "=x"."""
    if isinstance(value, str) and value.lstrip("'").startswith(_FORMULA_START):
        return "'" + value
    return value


def without_controls(value: str) -> str:
    """``value`` without terminal escape sequences, control characters (tab and newline
    kept) or bidirectional overrides: what untrusted text loses wherever it is shown."""
    return _CONTROL.sub("", value)


# What a CSV cell loses: escape sequences, control characters and bidirectional controls (a
# spreadsheet or terminal shows a cell reordered by them as a table does), but not the line ends
# a cell may hold (quoted) nor tab (CSV lines end in CR LF, and the formula guard reads both)
_CSV_CONTROL = re.compile(
    rf"\x1b(?:{ESCAPE_BODY}|.)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]"
)


def csv_text(value: Any) -> Any:
    """A value as every CSV Redline writes it (the listings' ``-f csv`` and ``export -f csv``):
    text without escape sequences, control characters or bidirectional controls (a spreadsheet
    shows a cell reordered by them, "gnp.exe" after U+202E as "exe.png"), then guarded against
    formulas (``csv_cell``) once they are gone; a flag as JSON spells it, ``true`` or
    ``false`` (it read Python's "True"); a list or mapping as its JSON; anything else as JSON
    gives it (``jsonable``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        value = json.dumps(value, default=jsonable, ensure_ascii=False)
    value = jsonable(value)
    return csv_cell(_CSV_CONTROL.sub("", value)) if isinstance(value, str) else value


def terminal_text(value: Any) -> Text:
    """Untrusted text for the terminal: control sequences removed, and as a ``Text`` object so
    that Rich never reads ``[link=...]`` or ``[/]`` in it as markup."""
    return Text(without_controls("" if value is None else str(value)))


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        # a stored moment with its zone: SQLite gives it back without one (a PostgreSQL
        # ledger's listing said "+00:00" where a SQLite one's said nothing)
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


# What JSON printed for a terminal writes as an escape (``\u202e``) rather than as itself: the C1
# controls and the bidirectional controls, which json.dumps leaves raw beside non-ASCII text (a
# stored title's U+202E reversed the rest of its line on the screen). They stand only inside
# strings, so the escape keeps the JSON valid and its values unchanged; C0 is escaped already.
_JSON_RAW_CONTROL = re.compile(rf"[\x7f-\x9f{BIDI_CONTROLS}]")


def json_escaped(text: str) -> str:
    """JSON ``text`` with its C1 and bidirectional controls written as ``\\u`` escapes."""
    return _JSON_RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def to_json(payload: Any) -> str:
    return json_escaped(json.dumps(payload, default=jsonable, ensure_ascii=False, indent=2))


def every_field(columns: Sequence[str], fields: Iterable[str]) -> list[str]:
    """``columns``, then the ``fields`` not among them: a CSV's header that carries every field
    its JSON has and keeps the columns it had first, in their order."""
    return [*columns, *(f for f in fields if f not in columns)]


def render(
    rows: Iterable[Mapping[str, Any]],
    fmt: Format | str,
    columns: Sequence[str],
    *,
    title: str | None = None,
    console: Console | None = None,
    envelope: Mapping[str, Any] | None = None,
    narrow: Sequence[str] | None = None,
) -> str | None:
    """Table goes to ``console``; JSON and CSV are returned as text for the caller to print.

    ``narrow``: the columns a table keeps when ``columns`` do not fit the terminal (JSON and
    CSV always carry every field).

    ``envelope`` wraps JSON output (``{"schema": ..., "items": [...]}``) so that JSON has a
    documented, versioned shape; table and CSV show ``columns`` only.
    """
    rows = list(rows)
    fmt = Format(fmt)
    if fmt is Format.json:
        items = [{k: jsonable(v) for k, v in r.items()} for r in rows]
        return to_json({**envelope, "items": items} if envelope is not None else items)
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            # printed to a terminal as tables are, so without escape sequences (a file named
            # with one set the terminal's title), and guarded after they are gone: redirected
            # output loses colour codes on the way, which left a "=" first in the cell
            writer.writerow({k: csv_text(r.get(k)) for k in columns})
        return buf.getvalue()
    out = console or Console()
    fitting = fits(rows, columns, out.width)
    if narrow and not fitting:
        columns = [c for c in columns if c in narrow]
        fitting = fits(rows, columns, out.width)
    # a table too narrow for its headers' words takes the shorter names (its listing says
    # whose country or date it is): "actor country" had folded to "acto/r/coun/try"
    short = not fitting
    table = Table(title=title and terminal_text(title), show_lines=False, header_style="bold")
    widths = column_widths(rows, columns, out.width, short=short)
    for col, width in zip(columns, widths, strict=True):
        # One line per row: long text ends in an ellipsis (JSON and CSV carry it whole). A
        # header narrower than its name wraps between words ("enforced / partly / not" over
        # "1/0/0") rather than ending in an ellipsis that hides what the column is.
        header = Text(_header(col, short), no_wrap=False, overflow="fold")
        table.add_column(header, overflow="ellipsis", no_wrap=True, width=width)
    for r in rows:
        table.add_row(*(terminal_text(_shown(r.get(c))) for c in columns))
    out.print(table)
    return None


def _shown(value: Any) -> Any:
    """A value as a table cell: a flag reads "yes" or nothing (JSON and CSV keep true/false)."""
    if isinstance(value, bool):
        return "yes" if value else ""
    return jsonable(value)


NARROW_MAX = 16  # a short column is never wider than this
# identifiers a reader types back (`redline episode RUS:f16_delivery`): shown whole up to this
# width, and the last short columns to give way (two keys cut to "RUS:long_range_…" looked alike)
# An episode's status is read the same way: "crosse…" could be any of three verdicts.
_ID_COLUMNS = frozenset({"key", "episode_key", "trigger_key", "status"})
ID_MAX = 48
WIDE_MIN = 12  # a text column (sentence, title, label) keeps at least this much
NARROW_MIN = 3


def _cap(column: str) -> int:
    """How wide a short column may grow."""
    return ID_MAX if column in _ID_COLUMNS else NARROW_MAX


def fits(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], total: int) -> bool:
    """Do ``columns`` show their values and their headers' words whole (text columns at least
    ``WIDE_MIN``) in ``total``?"""
    need = 3 * len(columns) + 1  # borders and padding
    for c, width in zip(columns, _value_widths(rows, columns), strict=True):
        # a short column is never narrower than NARROW_MIN (``column_widths``): a one-digit
        # column needs three, or the table "fitted" and then cut its values
        # and its header's longest word: a table whose headers would fold mid-word ("cro/
        # sse/d") does not fit, and a caller's narrow columns take its place
        need += (
            _text_floor(c, width)
            if c in _LONG_COLUMNS
            else max(NARROW_MIN, min(_cap(c), max(width, _longest_word(c))))
        )
    return need <= total


def _text_floor(column: str, width: int, short: bool = False) -> int:
    """What a text column keeps: ``WIDE_MIN``, or less when its values and its header's longest
    word are all shorter (a review's "action" holds "confirm" or "reject": it took twelve
    columns, and the audit trail's headers folded mid-word at 80 columns to give them)."""
    return min(WIDE_MIN, max(width, _longest_word(column, short)))


def _value_widths(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[int]:
    """The widest value of each column (at least 1), over the first 200 rows."""
    sample = rows[:200]
    return [max([1, *(len(str(jsonable(r.get(c)))) for r in sample)]) for c in columns]


# a column's shorter header, for tables too narrow for the full one (JSON and CSV keep names)
SHORT_HEADERS = {
    "actor_country": "country",
    "speaker_country": "country",
    "target_country": "target",
    "addressee_country": "addressee",
    "subject_country": "country",
    "event_date": "date",
    "stated_date": "date",
    "consequence_class": "class",
    "trigger_key": "trigger",
    "confidence": "conf.",
    "reviewer": "by",
}


def _header(column: str, short: bool = False) -> str:
    return (SHORT_HEADERS.get(column, column) if short else column).replace("_", " ")


def _longest_word(column: str, short: bool = False) -> int:
    return max(len(w) for w in _header(column, short).split() or [""])


def column_widths(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], total: int, *, short: bool = False
) -> list[int]:
    """Widths that fit ``total`` terminal columns: short columns take what their values need (up
    to ``NARROW_MAX``), text columns share the rest; when even that does not fit, the widest
    short columns give way first, down to ``NARROW_MIN`` (their headers wrap onto more lines), so
    no column ever vanishes."""
    values = _value_widths(rows, columns)
    natural = [max(len(_header(c, short)), v) for c, v in zip(columns, values, strict=True)]
    wide = [c in _LONG_COLUMNS for c in columns]
    widths = [0 if w else min(n, _cap(c)) for c, n, w in zip(columns, natural, wide, strict=True)]
    available = total - (3 * len(columns) + 1)  # borders and padding
    n_wide = sum(wide)
    text = sum(_text_floor(c, v, short) for c, v, w in zip(columns, values, wide, strict=True) if w)
    # first a header longer than its values gives way ("n sources" over "2"): to its longest
    # word, so it wraps between words, then to its values (the word folds); then the widest
    for floor in (
        lambda k: max(values[k], _longest_word(columns[k], short)),
        lambda k: values[k],
    ):
        for k in range(len(widths)):
            if sum(widths) + text <= available:
                break
            if not wide[k]:
                widths[k] = max(min(widths[k], floor(k)), NARROW_MIN)

    def giving_way(k: int) -> tuple[int, int]:
        """Which column shrinks next: a short column still wider than its values, then an
        identifier (widest first), then a short column below its values (so "0.63" is not
        cut to "0…" while a 40-letter key keeps every letter)."""
        if wide[k] or widths[k] <= NARROW_MIN:
            return (-1, 0)  # never narrower (a column at the minimum no longer gives way)
        if columns[k] in _ID_COLUMNS:
            return (1, widths[k])
        return (2 if widths[k] > values[k] else 0, widths[k])

    while sum(widths) + text > available:
        i = max(range(len(widths)), key=giving_way)
        if giving_way(i)[0] < 0:
            break  # nothing left to give: Rich fits what remains
        widths[i] -= 1
    if n_wide:
        share = max(WIDE_MIN, (available - sum(widths)) // n_wide)
        widths = [
            min(share, max(natural[k], _text_floor(columns[k], values[k], short)))
            if wide[k]
            else widths[k]
            for k in range(len(widths))
        ]
    return widths
