"""A fast, offset-preserving sentence splitter for the lexical pass (no model needed)."""

from __future__ import annotations

import re

# Abbreviations after which a period does not end a sentence (compared lower-case).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "gen",
        "col",
        "lt",
        "sgt",
        "rep",
        "sen",
        "gov",
        "prof",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "vs",
        "etc",
        "no",
        "nos",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "ft",
        "capt",
        "cmdr",
        "adm",
        "maj",
        "pres",
        "dept",
        "est",
        "approx",
        "u.s",
        "u.k",
        "e.u",
        "u.n",
        "d.c",
    ]
)
# A boundary: sentence-final punctuation, optional closing quotes/brackets, then space.
_BOUNDARY = re.compile(
    r"""[.!?]+["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])"""
    r"""|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])"""  # "...said.He" in texts that lost their spaces
)
_NEWLINES = re.compile(r"\n+")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence; line breaks always end a sentence."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line_match in _NEWLINES.finditer(text + "\n"):
        _split_line(text, pos, line_match.start(), spans)
        pos = line_match.end()
    return spans


def _split_line(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    seg_start = start
    for m in _BOUNDARY.finditer(text, start, end):
        head = text[seg_start : m.start() + 1]
        word = _LAST_WORD.search(head)
        if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
            continue  # "Mr. Putin", "U.S. officials", "J. Smith"
        _emit(text, seg_start, m.end(), out)
        seg_start = m.end()
    _emit(text, seg_start, end, out)


def _emit(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))
