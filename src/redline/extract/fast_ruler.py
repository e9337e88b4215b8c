"""A faster stand-in for the pinned model's ``attribute_ruler``, with the same patterns and result.

spaCy's AttributeRuler runs a Matcher that tries every one of its 179 patterns at every token,
which cost about a quarter of the parse of a candidate sentence. The patterns are simple (one
or two tokens, equality, ``IN``, ``NOT_IN`` and ``REGEX`` on LOWER, TAG, DEP and IS_SPACE), so they are
indexed here by the values they need and only the few that can match a token are checked.
Matches are applied exactly as the AttributeRuler applies them: all matches are found on the
unmodified document, then applied in pattern order (later patterns win).

``tests/test_fast_ruler.py`` parses sentences with both and requires identical tags, POS,
morphology and lemmas. If the model ever ships a pattern this module cannot read,
``replace_attribute_ruler`` leaves the original component in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

FACTORY = "redline_attribute_ruler"
_MEMO_LIMIT = 200_000
_ATTRS = {"LOWER": "lower_", "TAG": "tag_", "DEP": "dep_"}

Check = Callable[[Any], bool]


class UnsupportedPattern(ValueError):
    """A pattern uses something this stand-in does not implement."""


def _check(key: str, value: Any) -> Check:
    if key == "IS_SPACE" and isinstance(value, bool):
        return lambda tok: bool(tok.is_space == value)
    attr = _ATTRS.get(key)
    if attr is None:
        raise UnsupportedPattern(f"attribute {key}")
    if isinstance(value, str):
        return lambda tok: bool(getattr(tok, attr) == value)
    if isinstance(value, dict) and len(value) == 1:
        ((op, arg),) = value.items()
        if op == "IN":
            allowed = frozenset(arg)
            return lambda tok: getattr(tok, attr) in allowed
        if op == "NOT_IN":
            refused = frozenset(arg)
            return lambda tok: getattr(tok, attr) not in refused
        if op == "REGEX":
            rx = re.compile(arg)
            return lambda tok: rx.search(getattr(tok, attr)) is not None
    raise UnsupportedPattern(f"{key}: {value!r}")


def _keys(spec: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Index keys for a token spec: the values a token must have for it to match, as
    (attribute, value); ("*", None) when the spec cannot be indexed by a value."""
    for key in ("LOWER", "TAG", "DEP"):
        value = spec.get(key)
        if isinstance(value, str):
            return [(key, value)]
        if isinstance(value, dict) and set(value) == {"IN"}:
            return [(key, v) for v in value["IN"]]
    return [("*", None)]


class FastAttributeRuler:
    """Holds the rules as (order, token checks, index, attrs), indexed by their first token."""

    def __init__(self, nlp: Language, name: str = FACTORY) -> None:
        self.name = name
        self.rules: list[tuple[int, list[list[Check]], int, dict[str, Any]]] = []
        # rule ids by the index keys of their first token, one-token and longer rules apart
        self._single_index: dict[tuple[str, str | None], list[int]] = {}
        self._multi_index: dict[tuple[str, str | None], list[int]] = {}
        self._memo: dict[tuple[str, str, str, bool], tuple[tuple[int, ...], tuple[int, ...]]] = {}

    def load(self, patterns: Sequence[dict[str, Any]], attrs: Sequence[dict[Any, Any]]) -> None:
        """Read an AttributeRuler's ``patterns`` and its normalised ``attrs`` (the same order:
        the pattern's place is its precedence); raises UnsupportedPattern."""
        if len(patterns) != len(attrs):
            raise UnsupportedPattern("patterns and attrs differ in length")
        for order, (entry, normalised) in enumerate(zip(patterns, attrs, strict=True)):
            index = int(entry.get("index", 0))
            for pattern in entry["patterns"]:
                if not pattern or not all(isinstance(spec, dict) for spec in pattern):
                    raise UnsupportedPattern(repr(pattern))
                checks = [[_check(k, v) for k, v in spec.items()] for spec in pattern]
                if not -len(pattern) <= index < len(pattern):
                    raise UnsupportedPattern(f"index {index} outside {pattern!r}")
                self.rules.append((order, checks, index, normalised))
                rule_id = len(self.rules) - 1
                index_of = self._single_index if len(pattern) == 1 else self._multi_index
                for key in _keys(pattern[0]):
                    index_of.setdefault(key, []).append(rule_id)

    def _candidates(self, tok: Any, index: dict[Any, list[int]]) -> Iterator[int]:
        for key in (
            ("LOWER", tok.lower_),
            ("TAG", tok.tag_),
            ("DEP", tok.dep_),
            ("*", None),
        ):
            yield from index.get(key, ())

    def _opening(self, tok: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(the one-token rules ``tok`` matches, the longer rules whose first token it
        matches). Their checks of a token read only its lowercase form, tag, dependency and
        whether it is space, so the answer is remembered per combination (a few thousand in a
        corpus) and most tokens cost one lookup; a longer rule then reads the tokens after."""
        key = (tok.lower_, tok.tag_, tok.dep_, tok.is_space)
        found = self._memo.get(key)
        if found is None:
            single, multi = (
                tuple(
                    rule_id
                    for rule_id in self._candidates(tok, index)
                    if all(check(tok) for check in self.rules[rule_id][1][0])
                )
                for index in (self._single_index, self._multi_index)
            )
            found = (single, multi)
            if len(self._memo) < _MEMO_LIMIT:
                self._memo[key] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        matches: set[tuple[int, int, int, int]] = set()
        n = len(doc)
        rules = self.rules
        for i, tok in enumerate(doc):
            single, multi = self._opening(tok)
            for rule_id in single:
                matches.add((rules[rule_id][0], i, i + 1, rule_id))
            for rule_id in multi:
                order, checks, index, _ = rules[rule_id]
                end = i + len(checks)
                if end > n:
                    continue
                if all(
                    all(check(doc[i + k]) for check in checks[k]) for k in range(1, len(checks))
                ):
                    matches.add((order, i, end, rule_id))
        for _order, start, end, rule_id in sorted(matches):
            _, _, index, attrs = self.rules[rule_id]
            # the token at ``index`` of the match (from its end when negative), read from the
            # document itself: ``doc[start:end][index]`` built a Span for every match
            set_token_attrs(doc[(start if index >= 0 else end) + index], attrs)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory(FACTORY)
def _make(nlp: Language, name: str) -> FastAttributeRuler:
    return FastAttributeRuler(nlp, name)


def replace_attribute_ruler(nlp: Language) -> bool:
    """Swap the pipeline's ``attribute_ruler`` for the fast one; False (nothing changed) when
    there is none or its patterns use something the fast one cannot do."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    original: Any = nlp.get_pipe("attribute_ruler")
    try:
        FastAttributeRuler(nlp).load(original.patterns, original.attrs)  # can it read them all?
    except UnsupportedPattern:
        return False
    fast: Any = nlp.add_pipe(FACTORY, after="attribute_ruler")
    fast.load(original.patterns, original.attrs)
    nlp.remove_pipe("attribute_ruler")
    return True
