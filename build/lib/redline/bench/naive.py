"""The naive path: the same rules, applied to every sentence after a full spaCy parse of each."""

from __future__ import annotations

from redline.extract.learned import LearnedExtractor
from redline.extract.rules import RuleExtractor
from redline.extract.sentences import split_sentences
from redline.extract.syntax import _Sentence

ALL_KINDS = frozenset({"threat", "crossing", "response", "claim"})


class NaiveRuleExtractor(RuleExtractor):
    """``RuleExtractor`` without its lexical pass: every sentence is parsed and tried by every rule."""

    name = "rules-naive"
    version = RuleExtractor.version + "+naive"

    def candidates(self, text: str) -> list[_Sentence]:
        return [
            _Sentence(i, s, e, text[s:e], set(ALL_KINDS))
            for i, (s, e) in enumerate(split_sentences(text))
        ]


class UnscreenedLearnedExtractor(LearnedExtractor):
    """``LearnedExtractor`` without its lexical screen: the classifier reads every sentence."""

    name = "learned-unscreened"

    def screened(self, text: str) -> list[_Sentence]:
        return [
            _Sentence(i, s, e, text[s:e], {"?"}) for i, (s, e) in enumerate(split_sentences(text))
        ]
