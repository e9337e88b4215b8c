"""Zip archives unpacked within bounds, so that a 2 MB zip cannot become gigabytes in memory.

Each member is unpacked to at most ``--max-bytes`` (reading at most that plus one byte, whatever
its header claims) and the members of one archive to at most ``ARCHIVE_LIMIT_FACTOR`` times
that in all. Only stored and deflated members are read: the standard library unpacks bzip2 and
LZMA members without an output bound per read, and GDELT ships deflated zips. Anything else
(an oversized, encrypted or corrupt member) is one problem naming the archive and the member;
the other members are read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator

from redline.errors import InputError
from redline.ingest.report import megabytes

ARCHIVE_LIMIT_FACTOR = 4
"""The members of one archive unpack to at most this many times ``--max-bytes`` together."""

_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_ENCRYPTED = 0x1  # general purpose flag bit 0


_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a member's local header; an empty archive's end


def is_zip(data: bytes, name: str = "") -> bool:
    """Whether ``data`` is meant as a zip archive: it opens as one, or it starts as one or is
    named ``*.zip`` (a truncated download, whose directory at the end is missing, is still an
    archive to refuse as one, not text to read row by row)."""
    return (
        data[:4] in _MAGIC or name.lower().endswith(".zip") or zipfile.is_zipfile(io.BytesIO(data))
    )


def zip_members(
    key: str, data: bytes, max_bytes: int, wanted: Callable[[str], bool]
) -> Iterator[tuple[str, bytes] | InputError]:
    """(member name, unpacked bytes) for each wanted member of the zip ``data``, in archive
    order, or a problem for a member that cannot be read; ``max_bytes`` 0 means no limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, or struct and value errors from a mangled directory
        yield InputError(
            key,
            f"cannot read zip archive (truncated or damaged?): {exc.__class__.__name__}: {exc}",
        )
        return
    budget = ARCHIVE_LIMIT_FACTOR * max_bytes
    used = 0
    with archive:
        for info in archive.infolist():
            member = info.filename  # "" when the name starts with NUL: ZipInfo.is_dir() fails
            if member.endswith("/") or not wanted(member):
                continue
            refused = _refusal(info, max_bytes)
            if refused is not None:
                yield InputError(key, refused, member)
                continue
            room = budget - used
            cap = min(max_bytes, room)
            try:
                with archive.open(info) as raw:
                    content = raw.read(cap + 1 if max_bytes else -1)
            except Exception as exc:  # bad CRC, corrupt deflate data, truncated archive ...
                yield InputError(key, f"cannot unpack: {exc.__class__.__name__}: {exc}", member)
                continue
            used += len(content)
            if max_bytes and len(content) > cap:
                if room < max_bytes:
                    yield InputError(
                        key,
                        f"archive unpacks to more than {ARCHIVE_LIMIT_FACTOR} times --max-bytes "
                        f"({megabytes(budget)}) in all; this member and the rest not read",
                        member,
                    )
                    return
                yield InputError(
                    key,
                    f"member unpacks to more than its header's {megabytes(info.file_size)}, "
                    f"above the limit of {megabytes(max_bytes)}; not read",
                    member,
                )
                continue
            yield member, content


def _refusal(info: zipfile.ZipInfo, max_bytes: int) -> str | None:
    """Why a member is refused before unpacking it (from its header), or None."""
    if info.flag_bits & _ENCRYPTED:
        return "encrypted member; not read"
    if info.compress_type not in _METHODS:
        return (
            f"member compressed with zip method {info.compress_type}; only "
            f"{' and '.join(_METHODS.values())} members are read"
        )
    if max_bytes and info.file_size > max_bytes:
        return (
            f"member is {megabytes(info.file_size)} unpacked, above the limit of "
            f"{megabytes(max_bytes)}; not read (raise --max-bytes to ingest it)"
        )
    return None
