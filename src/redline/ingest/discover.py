"""Find input files under the given paths and tell their format by extension and a sniff of the first bytes."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from redline.errors import InputError
from redline.output import BIDI_CONTROLS

_SNIFF_BYTES = 4096
_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".zip": "zip",
}
# GDELT event exports: 20240315.export.CSV (1.0, daily) or 20240315120000.export.CSV (2.0).
_GDELT_NAME = re.compile(r"^\d{8}(?:\d{6})?\.export\.csv(?:\.zip)?$", re.IGNORECASE)
# A GDELT row: a numeric event id, then an 8-digit SQLDATE, tab-separated.
_GDELT_ROW = re.compile(rb"^\d+\t\d{8}\t")
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype html|html)\b", re.I | re.S
)
_FEED_START = re.compile(rb"<(?:rss|feed|rdf:RDF)\b")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A regular file to ingest. ``key`` (its real, absolute path, see :func:`shown_path`) is
    what the ledger records; ``path`` is what opens it."""

    path: Path
    key: str
    size: int


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as the ledger stores and the terminal prints it: valid UTF-8 whatever the file
    system holds. A name that is not UTF-8 (``b"bad\\xff.txt"``, which Python carries as a lone
    surrogate) is written with its bad bytes backslash-escaped: ``bad\\xff.txt``."""
    name = os.fspath(path)
    try:
        raw = os.fsencode(name)
    except UnicodeEncodeError:  # a surrogate that no file name decodes to, from a caller
        return _visible(name.encode("utf-8", errors="backslashreplace").decode("utf-8"))
    return _visible(raw.decode("utf-8", errors="backslashreplace"))


# control characters and bidirectional overrides a file name may hold
_INVISIBLE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def _visible(name: str) -> str:
    """Control characters written as escapes, as bad bytes are: terminals drop them from what
    they print, so ``em\\x1b[2Jpty.txt`` was named ``empty.txt`` in problems and listings, a
    file that does not exist (or another one)."""
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), name)


def absent(path: Path) -> str | None:
    """Why there is nothing at ``path`` to read, or to report as unreadable ("no such file or
    folder", "broken symbolic link"), or None when there is something (``exists`` raising
    PermissionError for a link into a folder this user may not enter counts as something:
    ingest names it as one problem)."""
    try:
        if path.exists():
            return None
    except OSError:
        return None
    return "broken symbolic link" if path.is_symlink() else "no such file or folder"


def discover(paths: list[Path]) -> Iterator[SourceFile | InputError]:
    """Files under ``paths`` in a stable order; hidden files and folders inside a folder are skipped.

    A path that does not exist, or is not a regular file (a FIFO, a device, a broken symlink),
    yields an :class:`InputError` instead.
    """
    for path in paths:
        try:
            folder = path.is_dir()
        except OSError as exc:
            yield _unreadable(path, exc)
            continue
        if folder:
            yield from _walk(path)
        else:
            yield _source(path)


def _unreadable(path: Path, exc: OSError) -> InputError:
    """A path whose real place cannot be read (a symbolic link into a folder this user may not
    enter): a problem of that input, where it had stopped the whole run, with nothing stored."""
    return InputError(shown_path(os.path.abspath(path)), f"cannot read: {exc.strerror or exc}")


def _walk(root: Path) -> Iterator[SourceFile | InputError]:
    def report(exc: OSError) -> None:
        errors.append(
            # as every source is named: by its absolute path ("corpus/private" was named as
            # typed, beside "/home/ana/corpus/a.txt", and stored so in ingest_problems)
            InputError(
                shown_path(os.path.abspath(exc.filename or root)),
                f"cannot list folder: {exc.strerror}",
            )
        )

    errors: list[InputError] = []
    inside = os.path.realpath(root)
    for folder, dirs, files in os.walk(root, onerror=report):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        yield from errors
        errors.clear()
        # os.walk does not enter a linked folder: one inside the root is walked where it lies,
        # one leading out of it is said, as a linked file is (it was skipped without a word)
        for name in dirs:
            if os.path.islink(Path(folder, name)):
                yield from _outside(Path(folder, name), inside, root)
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            outside = list(_outside(path, inside, root))
            yield from outside
            if not outside:
                yield _source(path)
    yield from errors


def _outside(path: Path, inside: str, root: Path) -> Iterator[InputError]:
    """The problem with a path under ``root`` whose real place is outside it, if it is."""
    try:
        real = os.path.realpath(path)
    except OSError as exc:
        yield _unreadable(path, exc)
        return
    if os.path.commonpath([inside, real]) != inside:
        # A link out of the folder (passwd.txt -> /etc/passwd) is not the folder's.
        yield InputError(
            shown_path(os.path.abspath(path)),
            f"symbolic link to {shown_path(real)}, outside {shown_path(root)}: not followed",
        )


def _source(path: Path) -> SourceFile | InputError:
    # The real path: a file reached through a symlinked folder is the same file, stored once.
    try:
        key = shown_path(os.path.realpath(path) if path.exists() else os.path.abspath(path))
    except OSError as exc:
        return _unreadable(path, exc)
    try:
        info = path.stat()
    except FileNotFoundError:
        reason = "broken symbolic link" if path.is_symlink() else "no such file or folder"
        return InputError(key, reason)
    except OSError as exc:
        return InputError(key, f"cannot read: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return InputError(key, f"not a regular file ({_kind(info.st_mode)})")
    return SourceFile(path, key, info.st_size)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def detect_format(path: Path, head: bytes) -> str:
    """The reader for a file: text, html, markdown, jsonl, json, csv, feed, gdelt or zip.

    The extension decides, except where one extension covers several formats: a ``.csv`` whose
    rows look like GDELT is ``gdelt``, a ``.txt`` holding HTML is ``html``. Unknown extensions
    are sniffed (HTML, feed, JSON lines, GDELT rows) and otherwise read as text.
    """
    name = path.name
    if _GDELT_NAME.match(name):
        return "gdelt"
    fmt = _EXTENSIONS.get(path.suffix.lower())
    head = head[:_SNIFF_BYTES]
    if fmt == "csv" and _GDELT_ROW.match(head):
        return "gdelt"
    if fmt in (None, "text") and _HTML_START.match(head):
        return "html"
    if fmt is not None:
        return fmt
    if _FEED_START.search(head):
        return "feed"
    if _GDELT_ROW.match(head):
        return "gdelt"
    if head.lstrip().startswith(b"{"):
        return "jsonl"
    return "text"
