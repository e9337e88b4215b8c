"""Rule-based extractor: a lexical pass picks candidate sentences; spaCy dependency patterns,
the actor and trigger gazetteers and the cue lexicons turn them into threats, crossings,
responses and outcome claims, each with its sentence and span.

The rules live by item kind: ``threat_rules``, ``event_rules`` (crossings and responses),
``claim_rules``; what they share is in ``syntax``. This module assembles them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from redline import knowledge
from redline.extract.base import (
    BatchProgress,
    DocumentInput,
    Extraction,
)
from redline.extract.claim_rules import ClaimRules
from redline.extract.event_rules import EventRules
from redline.extract.sentences import split_sentences
from redline.extract.syntax import (
    _FUTURE,
    _GENERIC_OBJECTS,
    _PUNITIVE_ACTS,
    CONSEQUENCE_ORDER,
    Mention,
    _alternation,
    _DocState,
    _inflections,
    _Sentence,
    _without_headline_echoes,
    parse_sentences,
)
from redline.extract.threat_rules import ThreatRules


class RuleExtractor(ThreatRules, EventRules, ClaimRules):
    """The default extractor (``name = "rules"``); cheap lexical pass, then dependency rules."""

    name = "rules"
    version = "rules-1"
    # set by the pipeline: told the share of the current ``extract_many`` batch done
    progress: Callable[[float], None] | None = None

    def __init__(self, *, extra_gazetteers: Sequence[str] = (), nlp: Any = None) -> None:
        extra = tuple(extra_gazetteers)
        self.version = self._version(extra)
        self.triggers = knowledge.triggers(extra)
        self.actors = knowledge.actors(extra)
        cues = knowledge.lexicon(extra)
        self._nlp = nlp
        self._progress = BatchProgress(None)
        self.speech_verbs = frozenset(cues["speech_verbs"])
        self.hypothetical_heads = frozenset(cues["hypothetical_heads"])
        self.hypothetical_modals = frozenset(cues["hypothetical_modals"])
        self.commentators = frozenset(cues["commentator_nouns"])
        self.denials = frozenset(cues["denial_verbs"])
        self.condition_marks = frozenset(cues["condition_marks"])
        self.time_marks = frozenset(cues["time_marks"])
        consequence_terms = [t for terms in cues["consequences"].values() for t in terms]
        self.threat_cue = _alternation([*cues["threat_candidate"], *consequence_terms])
        # What the threat rules require before they fire: a threat word ("warned", "threat"),
        # a future or modal ("will", "won't", "we'll", "going to"), a condition ("if", "any
        # attack", "in the event", "once") or readiness. Bare reporting verbs ("said") are not
        # enough: the rules then need one of these in the complement anyway.
        self.modality_cue = _alternation(
            [
                "warn\\w*",
                "threat\\w*",
                "ultimat\\w*",
                "vow\\w*",
                "caution\\w*",
                "pledg\\w*",
                "promis\\w*",
                *sorted(_FUTURE - {"wo", "'ll"}),
                "won[’']t",
                "(i|we|you|they|he|she|it|that|there|who)[’']ll",
                *(m for m in self.not_yet_marks if " " not in m),
                "(in|the) (case|event)",
                "in case",
                "any",
                "ready",
                "prepared",
                "playing with fire",
                "not (remain|sit|stand|go|tolerate|hesitate)",
            ]
        )
        self.consequence_res = [
            (cls, _alternation(cues["consequences"][cls])) for cls in CONSEQUENCE_ORDER
        ]
        self.claim_res = [(kind, _alternation(terms)) for kind, terms in cues["claims"].items()]
        self.response_cue = _alternation(cues["responses"])
        self.punitive_cue = _alternation(_inflections(_PUNITIVE_ACTS))
        self.concrete_cue = _alternation(
            [t for cls, terms in cues["consequences"].items() if cls != "vague" for t in terms]
        )
        lemmas = {lemma for t in self.triggers.triggers.values() for lemma in t.crossing}
        self.crossing_lemmas = frozenset(lemmas)
        self.crossing_cue = _alternation(_inflections(lemmas) | {"green light", "incursion"})

    # ------------------------------------------------------------------ plumbing

    def _version(self, extra: tuple[str, ...]) -> str:
        from redline.extract.version import extractor_version

        return extractor_version(self.name, extra)

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            from redline.extract.nlp import load_pipeline

            self._nlp = load_pipeline()
        return self._nlp

    def candidates(self, text: str) -> list[_Sentence]:
        """The lexical pass: sentences worth parsing, each tagged with what it may hold."""
        out = []
        for i, (s, e) in enumerate(split_sentences(text)):
            sent = text[s:e]
            kinds: set[str] = set()
            if self.threat_cue.search(sent) and self.modality_cue.search(sent):
                kinds.add("threat")
            if self.crossing_cue.search(sent) and (
                self.triggers.any_match(sent) or _GENERIC_OBJECTS.search(sent)
            ):
                kinds.add("crossing")
            if self.response_cue.search(sent) or (
                self.punitive_cue.search(sent) and self.concrete_cue.search(sent)
            ):
                kinds.add("response")
            if any(rx.search(sent) for _, rx in self.claim_res):
                kinds.add("claim")
            out.append(_Sentence(i, s, e, sent, kinds))
        return out

    def extract(self, doc: DocumentInput) -> Extraction:
        return self.extract_many([doc])[0]

    def extract_many(self, docs: Sequence[DocumentInput]) -> list[Extraction]:
        """Several documents at once: their candidate sentences go through spaCy together,
        which batches far better than a handful of sentences per document."""
        self._progress = BatchProgress(self.progress)
        self._progress.phase(0.1, len(docs))
        staged = []
        for doc in docs:
            staged.append((doc, self.candidates(doc.text)))
            self._progress.step()
        todo = [s for _, sentences in staged for s in sentences if s.kinds]
        self._progress.phase(0.6, len(todo))
        if todo:
            parse_sentences(self.nlp, todo, self._progress.at)
        self._progress.phase(0.3, len(todo))
        return [self._apply_rules(doc, sentences) for doc, sentences in staged]

    def _apply_rules(self, doc: DocumentInput, sentences: list[_Sentence]) -> Extraction:
        todo = [s for s in sentences if s.kinds]
        if not todo:
            return Extraction()
        state = _DocState(doc, sentences, self._mentions(doc.text))
        result = Extraction()
        for sent in todo:
            if "crossing" in sent.kinds:
                result.events.extend(self._crossings(state, sent))
        crossings_by_sentence = {e.provenance.sentence_start: e for e in result.events}
        for sent in todo:
            self._progress.step()
            if "threat" in sent.kinds:
                result.threats.extend(self._threats(state, sent))
            if "response" in sent.kinds:
                result.events.extend(self._responses(state, sent))
            if "claim" in sent.kinds:
                result.claims.extend(self._claims(state, sent, crossings_by_sentence))
        result.threats = _without_headline_echoes(doc, result.threats)
        return result

    def _mentions(self, text: str) -> list[Mention]:
        return [Mention(a, s, e, text[s:e]) for a, s, e in self.actors.find(text)]
