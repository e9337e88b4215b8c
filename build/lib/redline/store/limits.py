"""What the ledger's columns accept, read from the schema's Table objects (never restated):
string lengths, integer ranges, finite floats and no NUL characters.

SQLite stores what it is given, PostgreSQL refuses a value too long for ``varchar(n)``
(``StringDataRightTruncation``), an integer outside its type and any NUL in text; SQLite's
driver refuses integers beyond 64 bits (``OverflowError``). Checking here first lets ingest
turn such a value into a problem for its record on either backend instead of a crash.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

# Wider integer types first: BigInteger and SmallInteger are subclasses of Integer.
_INTEGER_BITS: tuple[tuple[type[sa.Integer], int], ...] = (
    (sa.BigInteger, 64),
    (sa.SmallInteger, 16),
    (sa.Integer, 32),
)
_ELLIPSIS = "…"
_SHOWN_CHARS = 40  # of a refused value, in the problem that names it


def max_length(column: sa.Column[Any]) -> int | None:
    """The most characters ``column`` holds, or None when it is unbounded (``Text``)."""
    length = getattr(column.type, "length", None)
    return length if isinstance(column.type, sa.String) else None


def integer_bits(column: sa.Column[Any]) -> int | None:
    """The width of a signed integer column (16, 32 or 64), None for other types."""
    for kind, bits in _INTEGER_BITS:
        if isinstance(column.type, kind):
            return bits
    return None


def misfit(table: sa.Table, values: Mapping[str, Any]) -> str | None:
    """Why one of ``values`` does not fit its column of ``table`` (naming the column), or None."""
    for name, value in values.items():
        if value is None or name not in table.c:
            continue
        column = table.c[name]
        if isinstance(value, str):
            limit = max_length(column)
            if limit is not None and len(value) > limit:
                return (
                    f"{name} {_shown(value)} is {len(value)} characters long; "
                    f"the ledger holds at most {limit}"
                )
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            bits = integer_bits(column)
            if bits is not None and not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
                return f"{name} {_shown(str(value))} does not fit a {bits}-bit integer"
        elif isinstance(value, float) and not math.isfinite(value):
            return f"{name} is {value}, not a finite number"
    return None


def shorten(value: str, column: sa.Column[Any]) -> str:
    """``value`` cut in the middle (``head…tail``) to fit ``column``; unchanged when it fits.

    For locators such as ``<zip member> line 7``: the start and the line number stay readable.
    """
    limit = max_length(column)
    if limit is None or len(value) <= limit:
        return value
    keep = limit - len(_ELLIPSIS)
    head = keep // 2
    return value[:head] + _ELLIPSIS + value[len(value) - (keep - head) :]


def without_nul(value: str) -> str:
    """``value`` without NUL characters, which no PostgreSQL text column accepts."""
    return value.replace("\x00", "") if "\x00" in value else value


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + _ELLIPSIS)
