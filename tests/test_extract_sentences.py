"""The lexical pass's sentence splitter keeps offsets and respects abbreviations."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redline.extract.sentences import split_sentences


def test_abbreviations_and_initials() -> None:
    text = "Mr. Putin met U.S. officials. J. Smith left.\nNew line here. Dr. Who came."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Mr. Putin met U.S. officials.",
        "J. Smith left.",
        "New line here.",
        "Dr. Who came.",
    ]


def test_missing_space_after_full_stop() -> None:
    text = "He said so.He left."
    assert [text[s:e] for s, e in split_sentences(text)] == ["He said so.", "He left."]


@given(st.text(alphabet="ab .!?\nAB“”", max_size=200))
def test_spans_are_ordered_trimmed_and_inside(text: str) -> None:
    last = 0
    for s, e in split_sentences(text):
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        last = e
