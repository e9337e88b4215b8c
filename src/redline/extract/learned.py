"""The default extractor: a learned statement classifier decides WHAT a sentence is; the
dependency rules (``rules.py``) say WHO, OVER WHAT and WHEN.

Why this split: telling a threat from a prediction, a refusal or a pledge is a question of
meaning, which hand-written rules got wrong on unseen news (docs/extraction.md); finding the
speaker, the trigger and the date is bookkeeping that the rules and gazetteers do well. So:

1. a cheap lexical screen keeps the sentences that could hold an item at all;
2. the classifier (``redline.model``) gives each of them P(threat), P(crossing), P(response),
   P(outcome claim) and keeps the classes above their thresholds;
3. only those sentences are parsed; the rules fill in the arguments. Where the rules would have
   rejected a sentence the classifier accepts, a plainer item is built from the same helpers
   (speaker from attribution and context, trigger from the gazetteer, class from the cue
   lexicon); where the rules fire on a sentence the classifier rejects, nothing is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from redline.extract import dates
from redline.extract.base import (
    BatchProgress,
    ClaimItem,
    DocumentInput,
    EventItem,
    Extraction,
    Provenance,
    ThreatItem,
)
from redline.extract.rules import RuleExtractor
from redline.extract.syntax import (
    PARSE_BATCH,
    Mention,
    _date_or_publication,
    _DocState,
    _Sentence,
    _strip_the,
    _trim,
    _without_headline_echoes,
)
from redline.knowledge import Actor
from redline.model.classifier import Gate, StatementClassifier, load_classifier

# Model class -> the kind the rules use for the same sentence.
_RULE_KIND = {
    "threat": "threat",
    "crossing": "crossing",
    "response": "response",
    "outcome_claim": "claim",
}
# The lexical screen: a sentence without any of these never reaches the classifier. Broad on
# purpose (its recall on the training split is reported by `redline eval --real`).
_SCREEN = re.compile(
    r"\b(warn|threat|threaten|ultimat|vow|pledg|promis|will|would|'ll|won['’]t|shall|if|unless|"
    r"should|any|consequen|respon|retaliat|red line|sanction|punish|price|cost|strike|struck|"
    r"attack|invad|invasion|deliver|send|sent|suppl|provid|approv|allow|permit|green light|"
    r"join|accession|deploy|expel|ban|froze|freez|cut|halt|suspend|impos|target|nuclear|"
    r"escalat|war|forc|tank|missile|jet|weapon|arm|aid|troops|nato|member|annex|recogni|"
    r"fail|did not|didn['’]t|never|bluff|no response|followed through|carried out|"
    r"measures|deadline|iron-?clad|defen[cd]|commitment|article|action|agent|control|billion|don['’]t)",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(we|we['’]ll|our|us|i|i['’]ll)\b", re.IGNORECASE)
# "We will ...", "..., and we will ...": a first-person subject speaks for the issuer.
_FIRST_PERSON_SUBJECT = re.compile(
    r"(?:^|[,;:—–-]\s*|\b(?:and|but|that)\s+)[\"“]?(?:we|i)\b", re.IGNORECASE
)
_ISSUED_BY_BODY = re.compile(r"\b(statement|communiqu\w*|declaration|summit)\b", re.IGNORECASE)
MIN_CHARS = 20
_SPEAKERS = ("person", "state", "organisation")  # actor kinds that can speak or act for a side
T = TypeVar("T", ThreatItem, EventItem, ClaimItem)


def passes_screen(sentence: str) -> bool:
    """Does the lexical screen let ``sentence`` through to the classifier?"""
    return len(sentence) >= MIN_CHARS and _SCREEN.search(sentence) is not None


class LearnedExtractor(RuleExtractor):
    """Classifier-gated extraction (``name = "learned"``); see the module docstring."""

    name = "learned"

    def __init__(
        self,
        *,
        extra_gazetteers: Sequence[str] = (),
        nlp: Any = None,
        classifier: StatementClassifier | None = None,
    ) -> None:
        super().__init__(extra_gazetteers=extra_gazetteers, nlp=nlp)
        self._classifier = classifier
        self._gates: dict[str, Gate] | None = None
        self._probability: dict[tuple[int, str], float] = {}
        self._strong: set[tuple[int, str]] = set()
        self.origins: dict[int, bool] | None = None  # id(item) -> found by the rules

    def _version(self, extra: tuple[str, ...]) -> str:
        from redline.extract.version import extractor_version
        from redline.model.classifier import model_digest

        return extractor_version(self.name, extra, model_digest())

    @property
    def classifier(self) -> StatementClassifier:
        if self._classifier is None:
            self._classifier = load_classifier()
        return self._classifier

    def screened(self, text: str) -> list[_Sentence]:
        """Every sentence, with ``kinds`` empty; those passing the screen marked by kinds={'?'}."""
        out = super().candidates(text)
        for sent in out:
            sent.kinds = {"?"} if passes_screen(sent.text) else set()
        return out

    def gates(self) -> dict[str, Gate]:
        """Per class: above ``high`` the classifier alone decides; between ``low`` and ``high``
        an item is kept only where the dependency rules find it too (set on dev by
        ``redline.model.calibrate``)."""
        if self._gates is None:
            self._gates = self.classifier.gates()
        return self._gates

    def extract_many(self, docs: Sequence[DocumentInput]) -> list[Extraction]:
        # the bar's shares follow where a big document's time goes (profiled on 1 MB)
        self._progress = BatchProgress(self.progress)
        self._progress.phase(0.1, len(docs))
        staged = []
        for doc in docs:
            staged.append((doc, self.screened(doc.text)))
            self._progress.step()
        todo = [s for _, sentences in staged for s in sentences if s.kinds]
        gates = self.gates()
        opinion = {id(s) for doc, sentences in staged if doc.genre == "opinion" for s in sentences}
        self._progress.phase(0.5, len(todo))
        probs = self.classifier.gated_probabilities([s.text for s in todo], self._progress.at)
        self._probability = {}
        self._strong = set()
        for sent, row in zip(todo, probs, strict=True):
            sent.kinds = set()
            for cls, p in zip(self.classifier.classes, row, strict=True):
                gate = gates[cls]
                # Opinion pieces recall threats and acts from memory, a register the classifier
                # barely saw in training: there the rules may keep an item at any probability.
                low = 0.0 if id(sent) in opinion else gate.low
                if p < low:
                    continue
                kind = _RULE_KIND[cls]
                sent.kinds.add(kind)
                self._probability[(id(sent), kind)] = float(p)
                if p >= gate.high:
                    self._strong.add((id(sent), kind))
        parse = [s for s in todo if s.kinds]
        self._progress.phase(0.25, len(parse))
        if parse:
            for i, (sent, parsed) in enumerate(
                zip(
                    parse,
                    self.nlp.pipe((s.text for s in parse), batch_size=PARSE_BATCH),
                    strict=True,
                )
            ):
                sent.doc = parsed
                self._progress.at(i + 1)
        self._progress.phase(0.15, len(parse))
        return [self._apply(doc, sentences) for doc, sentences in staged]

    def _gated(
        self, sent: _Sentence, kind: str, found: list[T], plain: Callable[[], list[T]]
    ) -> list[T]:
        """What the rules found, else (above the high gate only) a plainer item; each carries
        the classifier's probability as its confidence."""
        key = (id(sent), kind)
        items = found or (plain() if key in self._strong else [])
        p = round(self._probability.get(key, 0.0), 3)
        out = [replace(item, confidence=p) for item in items]
        if self.origins is not None:  # calibration asks where each item came from
            self.origins.update((id(item), bool(found)) for item in out)
        return out

    def _apply(self, doc: DocumentInput, sentences: list[_Sentence]) -> Extraction:
        todo = [s for s in sentences if s.kinds]
        if not todo:
            return Extraction()
        st = _DocState(doc, sentences, self._mentions(doc.text))
        result = Extraction()
        for sent in todo:
            if "crossing" in sent.kinds:
                result.events.extend(
                    self._gated(
                        sent,
                        "crossing",
                        self._crossings(st, sent)[:1],
                        partial(self._plain_event, st, sent, "crossing"),
                    )
                )
        crossings = {e.provenance.sentence_start: e for e in result.events}
        for sent in todo:
            self._progress.step()
            if "threat" in sent.kinds:
                found = self._gated(
                    sent,
                    "threat",
                    [self._consequence_outside_trigger(t) for t in self._threats(st, sent)],
                    partial(self._plain_threat, st, sent),
                )
                result.threats.extend(self._first_person_speaks_for_issuer(st, sent, found))
            if "response" in sent.kinds:
                result.events.extend(
                    self._gated(
                        sent,
                        "response",
                        self._responses(st, sent)[:1],
                        partial(self._plain_event, st, sent, "response"),
                    )
                )
            if "claim" in sent.kinds:
                result.claims.extend(
                    self._gated(sent, "claim", self._claims(st, sent, crossings), list)
                )
        result.threats = _without_headline_echoes(doc, result.threats)
        return result

    # ------------------------------------------------------------------ fallbacks

    def _issuer(self, doc: DocumentInput) -> Actor | None:
        """Who speaks an official statement's first-person lines: a body its title names as the
        issuer ("G7 Leaders' Statement", "NATO Summit Declaration"), else its author when the
        author is an office holder the gazetteer knows (a journalist is not)."""
        if doc.title and _ISSUED_BY_BODY.search(doc.title):
            for actor, _, _ in self.actors.find(doc.title):
                if actor.kind == "organisation":
                    return actor
        return self.actors.lookup(doc.author) if doc.author else None

    def _first_person_speaks_for_issuer(
        self, st: _DocState, sent: _Sentence, items: list[ThreatItem]
    ) -> list[ThreatItem]:
        """In an official statement, "we will ..." is the issuer's threat, not that of the
        last person the text named (often the adversary)."""
        issuer = self._issuer(st.doc)
        if issuer is None or not _FIRST_PERSON_SUBJECT.search(sent.text):
            return items
        named_here = {m.actor.key for m in st.mentions_in(sent)}
        out = []
        for item in items:
            if item.speaker_key in named_here and item.speaker_key != issuer.key:
                out.append(item)  # "the Chancellor said we will ...": the named speaker
                continue
            when = item.stated_date or st.doc.published
            out.append(
                replace(
                    item,
                    speaker=issuer.name,
                    speaker_key=issuer.key,
                    speaker_country=issuer.country_on(when),
                )
            )
        return out

    def _speaker(self, st: _DocState, sent: _Sentence) -> Mention | None:
        """Who speaks: the issuing office for first-person official statements, a person or
        body attributed in or around the sentence, else the state named in it or just before."""
        author = self._issuer(st.doc)
        if author is not None and _FIRST_PERSON.search(sent.text):
            return Mention(author, sent.start, sent.start, author.name)
        attributed = self._attributed_speaker(st, sent)
        if attributed is not None:
            return attributed
        inside = st.mentions_in(sent, *_SPEAKERS)
        if inside:
            return inside[0]
        if author is not None:
            return Mention(author, sent.start, sent.start, author.name)
        return st.last_before(sent.start, *_SPEAKERS)

    def _plain_threat(self, st: _DocState, sent: _Sentence) -> list[ThreatItem]:
        speaker = self._speaker(st, sent)
        if speaker is None:
            return []
        key, trigger_text, context = self._trigger(st, sent, [], [])
        cls, m = self._consequence(sent.text)
        return [
            self._make_threat(
                st,
                sent,
                speaker,
                span=(sent.start, sent.end),
                context=context,
                consequence_text=m.group(0) if m else sent.text,
                confidence=0.6,
                addressee=None,
                addressee_country=None,
                trigger_key=key,
                trigger_text=trigger_text,
                consequence_class=cls or "vague",
                explicitness="implicit",
            )
        ]

    def _consequence_outside_trigger(self, item: ThreatItem) -> ThreatItem:
        """A rule's consequence phrase can take in the trigger ("any use of nuclear weapons
        would be met with severe consequences"): classify it without the trigger words."""
        text = item.consequence_text or ""
        blanked = self._blank_triggers(text)
        if blanked == text:
            return item
        cls = self._classify(blanked)[0]
        return replace(item, consequence_class=cls) if cls else item

    def _blank_triggers(self, text: str) -> str:
        for _, start, end in self.triggers.match(text):
            text = text[:start] + " " * (end - start) + text[end:]
        return text

    def _consequence(self, text: str) -> tuple[str | None, re.Match[str] | None]:
        """The consequence class, read outside the trigger phrases first: "any use of nuclear
        weapons will meet severe consequences" threatens a vague consequence, not a nuclear one;
        only when nothing is left outside them ("threatened to use nuclear weapons") does the
        whole sentence decide."""
        found = self._classify(self._blank_triggers(text))
        return found if found[0] is not None else self._classify(text)

    def _plain_event(self, st: _DocState, sent: _Sentence, kind: str) -> list[EventItem]:
        if kind == "response":
            # The side that acts: in an official statement "we" (the issuer), not the first
            # state named, which is usually the target ("In response to Russia's claims, ...").
            actor = self._speaker(st, sent)
        else:
            inside = st.mentions_in(sent, *_SPEAKERS)
            actor = inside[0] if inside else None
        when = dates.resolve(sent.text, st.doc.published, st.doc.published_precision)
        on, precision = _date_or_publication(when, st.doc)
        key, _, context = self._trigger(st, sent, [], [])
        cls: str | None = None
        if kind == "response":
            cls = self._consequence(sent.text)[0] or "vague"
        return [
            EventItem(
                provenance=Provenance(
                    sent.start, sent.end, sent.start, sent.end, sent.text, context
                ),
                kind=kind,
                actor=_strip_the(actor.text) if actor else None,
                actor_country=actor.actor.country_on(on) if actor else None,
                target_country=None,
                trigger_key=key,
                action=_trim(sent.text, 80),
                consequence_class=cls,
                event_date=on,
                date_precision=precision,
                confidence=0.5,
                extractor=self.version,
            )
        ]
