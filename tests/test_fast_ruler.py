"""The fast attribute ruler must annotate exactly like the model's own AttributeRuler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import spacy

from redline.extract.fast_ruler import FACTORY, replace_attribute_ruler
from redline.extract.nlp import MODEL_MODULE
from redline.extract.sentences import split_sentences

REPO = Path(__file__).resolve().parents[1]

# Sentences that reach the multi-token and lexical exceptions of the English rules.
EXCEPTIONS = [
    "There are risks, and there were warnings; y'all knew that.",
    "We're gonna respond, let's be clear, and they ain't ready for it.",
    "He gets the point and got it fast; c'mon, we gotta move.",
    "The minister's aide said: “It'll be the end of relations.”",
]


def _sample_sentences(limit: int = 400) -> list[str]:
    out: list[str] = []
    for path in sorted((REPO / "examples" / "corpus").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.extend(text[s:e] for s, e in split_sentences(text))
    return [*EXCEPTIONS, *out[:limit]]


def _annotations(nlp, sentences: list[str]) -> list[tuple[str, ...]]:
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_)
        for doc in nlp.pipe(sentences)
        for t in doc
    ]


def test_same_tags_pos_morphology_and_lemmas_as_the_model() -> None:
    module = pytest.importorskip(MODEL_MODULE)
    original = module.load(exclude=["ner"])
    fast = module.load(exclude=["ner"])
    assert replace_attribute_ruler(fast)
    assert "attribute_ruler" not in fast.pipe_names and FACTORY in fast.pipe_names
    sentences = _sample_sentences()
    want, got = _annotations(original, sentences), _annotations(fast, sentences)
    assert len(want) > 3000
    assert got == want


def test_a_pattern_it_cannot_read_leaves_the_original_in_place() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add(patterns=[[{"LENGTH": 5}]], attrs={"POS": "NOUN"})
    assert not replace_attribute_ruler(nlp)
    assert nlp.pipe_names == ["attribute_ruler"]
    assert nlp("tanks")[0].pos_ == "NOUN"


def test_the_remembering_lemmatizer_gives_the_model_s_lemmas() -> None:
    """``load_pipeline`` runs both stand-ins (attribute ruler, remembering lemmatizer): the
    same tags, POS, morphology, lemmas and parse as the model as shipped, also the second
    time a sentence comes (its lemmas then come from memory)."""
    from redline.extract.fast_lemmatizer import FACTORY as LEMMATIZER
    from redline.extract.fast_lemmatizer import replace_lemmatizer

    module = pytest.importorskip(MODEL_MODULE)
    original = module.load(exclude=["ner"])
    fast = module.load(exclude=["ner"])
    assert replace_attribute_ruler(fast) and replace_lemmatizer(fast)
    assert "lemmatizer" not in fast.pipe_names and fast.pipe_names[-1] == LEMMATIZER
    sentences = _sample_sentences()
    want = _annotations(original, sentences)
    assert _annotations(fast, sentences) == want
    assert _annotations(fast, sentences) == want


def test_a_lemmatizer_in_another_mode_stays() -> None:
    from redline.extract.fast_lemmatizer import replace_lemmatizer

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    assert not replace_lemmatizer(nlp)
    assert nlp.pipe_names == ["lemmatizer"]


def test_matches_are_applied_without_building_a_span_each() -> None:
    """A match's token is read from the document by position (its ``index`` counted from the
    match's end when negative), as the AttributeRuler would set it: ``doc[start:end][index]``
    built a Span for every match, about a third of the ruler's time."""
    from spacy.tokens import Doc

    class NoSlices(Doc):
        def __getitem__(self, i: Any) -> Any:
            assert not isinstance(i, slice), "the ruler sliced the document"
            return super().__getitem__(i)

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add(patterns=[[{"LOWER": "red"}, {"LOWER": "line"}]], attrs={"TAG": "LAST"}, index=-1)
    ruler.add(patterns=[[{"LOWER": "red"}, {"LOWER": "line"}]], attrs={"POS": "ADJ"}, index=0)
    ruler.add(patterns=[[{"LOWER": "crossed"}]], attrs={"TAG": "VBD"})
    words = ["They", "crossed", "a", "red", "line", "."]
    want = [(t.tag_, t.pos_) for t in nlp(Doc(nlp.vocab, words=words))]
    assert replace_attribute_ruler(nlp)
    doc = nlp.get_pipe(FACTORY)(NoSlices(nlp.vocab, words=words))
    assert [(t.tag_, t.pos_) for t in doc] == want
    assert want[1][0] == "VBD" and want[3][1] == "ADJ" and want[4][0] == "LAST"
