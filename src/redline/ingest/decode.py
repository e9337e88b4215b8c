"""Turn a file's bytes into text: UTF-8 first, charset-normalizer for legacy encodings, or a clear refusal."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from redline.output import ESCAPE_BODY

_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# C0 controls other than tab, newline, carriage return and form feed: rare in text, common in binaries.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Terminal escape sequences (colour codes and the like: the CSI and OSC ones the terminal output
# strips, ``output.ESCAPE_BODY``, and two-character ones): text pasted from a terminal carries
# them; they are not binary data.
_ESCAPE = re.compile(rf"\x1b(?:{ESCAPE_BODY}|[@-Z\\-_])")
# What ``without_controls`` removes: those, and the C0 and C1 controls that are not layout.
_UNWANTED = re.compile(_ESCAPE.pattern + r"|[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Share of control characters above which decoded "text" is taken to be binary data.
_MAX_CONTROL_RATIO = 0.01
# UTF-8 with a handful of broken bytes is still UTF-8: charset-normalizer would otherwise pick a
# legacy code page and garble every curly quote. Above this share of bad bytes, ask it instead.
_MAX_BAD_UTF8_RATIO = 0.001
_SNIFF_BYTES = 8192
# When charset-normalizer scores several code pages the same (short Western text often reads
# equally well as cp1250 and cp1252), prefer the legacy encodings English-language sites used.
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")


class NotText(ValueError):
    """The bytes are not text in any encoding we can recognise; the message says why."""


def decode_text(data: bytes) -> str:
    """Decode ``data`` as text, or raise :class:`NotText` with a one-line reason."""
    if not data.strip():
        raise NotText("empty file")
    if data.startswith(_BOMS):
        decoded = _best_guess(data)
        if decoded is None:
            raise NotText("has a UTF-16/32 byte-order mark but does not decode")
        return _check(decoded)
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise NotText("binary file (contains NUL bytes), not text")
    try:
        return _check(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    loose = data.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd")
    # characters beyond ASCII that decoded as UTF-8: a legacy code page almost never makes
    # them (é in cp1252 is one byte that UTF-8 cannot read), so where they outnumber the bad
    # bytes twice over the file is UTF-8 with a damaged line, however short it is (two bad
    # bytes in a 500-byte JSONL file sent it to charset-normalizer, which read every good
    # record's "Київ" as "–ö–Η―½–≤")
    good = len(loose) - len(loose.encode("ascii", "ignore")) - bad
    if good and (bad <= max(1, len(data) * _MAX_BAD_UTF8_RATIO) or good >= 2 * bad):
        return _check(loose)
    decoded = _best_guess(data)
    if decoded is None:
        raise NotText("invalid UTF-8 and no other text encoding fits (binary file?)")
    return _check(decoded)


def _best_guess(data: bytes) -> str | None:
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    tied = {
        m.encoding: m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)
    }
    preferred = next((tied[e] for e in _PREFERRED if e in tied), best)
    return str(preferred)


def without_controls(value: str) -> str:
    """``value`` without terminal escape sequences and control characters other than tab,
    newline, carriage return and form feed: they mean nothing in an article, break sentence
    reading, and would reach terminals, CSV files and the report as they are."""
    return _UNWANTED.sub("", value) if _UNWANTED.search(value) else value


def _check(text: str) -> str:
    sample = _ESCAPE.sub("", text[:_SNIFF_BYTES])  # escape sequences are text's, not binary's
    if sample and len(_CONTROL.findall(sample)) > _MAX_CONTROL_RATIO * len(sample):
        raise NotText("binary file (control characters), not text")
    if not text.strip():
        raise NotText("empty file")
    return text
