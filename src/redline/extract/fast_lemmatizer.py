"""The pinned model's rule lemmatizer with every answer remembered: same lemmas, less work.

spaCy's ``Lemmatizer`` in rule mode remembers a lemma per (word, POS, morphology) only when it
gets to the end of its rules; the commonest tokens leave earlier (a singular noun, a base-form
verb, an adjective in the positive: ``is_base_form``, which unpacks the morphology into a dict
every time) and are worked out again at each occurrence. That was about 5% of extraction.

What the rule lemmatizer answers is a function of the token's text, POS and morphology alone
(its tables are fixed once loaded), so this stand-in asks the original once per combination
and remembers the lemma's id. It sets a lemma where the original would: on tokens without one
(the attribute ruler sets some), or on all of them when the original overwrites.
``tests/test_fast_ruler.py`` requires identical tags, POS, morphology and lemmas.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

FACTORY = "redline_lemmatizer"
_MEMO_LIMIT = 200_000


class MemoLemmatizer:
    def __init__(self, nlp: Language, name: str = FACTORY) -> None:
        self.name = name
        self.original: Any = None
        self.overwrite = False
        self._memo: dict[tuple[int, int, int], int] = {}

    def wrap(self, original: Any) -> None:
        self.original = original
        self.overwrite = bool(original.overwrite)

    def __call__(self, doc: Doc) -> Doc:
        memo = self._memo
        strings = doc.vocab.strings
        lemmatize = self.original.lemmatize
        overwrite = self.overwrite
        for token in doc:
            if not overwrite and token.lemma != 0:
                continue
            key = (token.orth, token.pos, token.morph.key)  # type: ignore[attr-defined]
            lemma = memo.get(key)
            if lemma is None:
                lemma = strings.add(lemmatize(token)[0])
                if len(memo) < _MEMO_LIMIT:
                    memo[key] = lemma
            token.lemma = lemma
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory(FACTORY)
def _make(nlp: Language, name: str) -> MemoLemmatizer:
    return MemoLemmatizer(nlp, name)


def replace_lemmatizer(nlp: Language) -> bool:
    """Swap the pipeline's rule-mode ``lemmatizer`` for the remembering one; False (nothing
    changed) when there is none or it works in another mode."""
    if "lemmatizer" not in nlp.pipe_names:
        return False
    original: Any = nlp.get_pipe("lemmatizer")
    if getattr(original, "mode", None) != "rule":
        return False
    if not getattr(original, "_validated", True):
        # the original checks its tables before its first document; the stand-in, here
        from spacy.errors import Errors

        original._validate_tables(Errors.E1004)
    memo: Any = nlp.add_pipe(FACTORY, after="lemmatizer")
    memo.wrap(original)
    nlp.remove_pipe("lemmatizer")
    return True
