"""Rule-based extractor: a lexical pass picks candidate sentences; spaCy dependency patterns,
the actor and trigger gazetteers and the cue lexicons turn them into threats, crossings,
responses and outcome claims, each with its sentence and span."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from redline import knowledge
from redline.extract import dates
from redline.extract.base import (
    ClaimItem,
    DocumentInput,
    EventItem,
    Extraction,
    Provenance,
    ThreatItem,
)
from redline.extract.sentences import split_sentences

CONTEXT_SENTENCES = 3  # how far back a trigger or referent may be found (calibrated on the seeds)
CONSEQUENCE_ORDER = (
    "war_or_nuclear",
    "military_force",
    "military_deployment",
    "sanctions_or_economic",
    "diplomatic",
    "vague",
)
_FUTURE = frozenset(
    {"will", "would", "could", "may", "might", "shall", "'ll", "wo", "going", "must", "can"}
)
_HEDGES = frozenset({"likely", "probably", "perhaps", "possibly", "maybe", "unlikely"})
_NOT_REALISED_MODALS = frozenset(
    {"will", "would", "could", "may", "might", "should", "can", "must", "shall", "'ll", "wo", "ca"}
)
_NOT_REALISED_HEADS = frozenset(
    [
        "consider",
        "discuss",
        "plan",
        "propose",
        "weigh",
        "debate",
        "refuse",
        "hesitate",
        "fear",
        "threaten",
        "warn",
        "decline",
        "reluctant",
        "hesitant",
        "ask",
        "urge",
        "call",
        "want",
        "wish",
        "hope",
        "seek",
        "demand",
        "expect",
        "intend",
        "mull",
        "push",
        "lobby",
        "press",
        "contemplate",
        "agree",
        "promise",
        "pledge",
        "vow",
    ]
)
_OFFICIAL_NOUNS = frozenset(
    [
        "president",
        "minister",
        "ministry",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "official",
        "officials",
        "government",
        "envoy",
        "ambassador",
        "diplomat",
        "diplomats",
        "leader",
        "leadership",
        "embassy",
        "military",
        "army",
        "commander",
        "general",
        "authorities",
        "secretary",
        "chancellor",
        "premier",
        "chief",
        "administration",
        "kremlin",
        "head",
        "deputy",
        "adviser",
        "advisor",
        "aide",
        "forces",
        "troops",
        "army",
        "units",
        "soldiers",
    ]
)
_DEMONYMS = {
    "russian": "RUS",
    "american": "USA",
    "ukrainian": "UKR",
    "belarusian": "BLR",
    "chinese": "CHN",
    "british": "GBR",
    "german": "DEU",
    "french": "FRA",
    "polish": "POL",
    "lithuanian": "LTU",
    "finnish": "FIN",
    "swedish": "SWE",
    "iranian": "IRN",
    "turkish": "TUR",
    "japanese": "JPN",
    "hungarian": "HUN",
    "taiwanese": "TWN",
    "north korean": "PRK",
}
# "Washington sent the weapons": a crossing whose trigger is named in an earlier sentence.
_GENERIC_OBJECTS = re.compile(
    r"\bthe (weapons|jets|missiles|systems|tanks|arms|planes|aircraft|warplanes|rockets)\b", re.I
)

_DEFENSIVE = re.compile(
    r"(?<!counter)(?<!counter-)(?<!retaliatory )\bmeasures (to|for) (assure|ensure|protect|guarantee|defend|safeguard)\w* "
    r"(our|its|their|the) (own )?(security|safety|defen[cs]es?|allies|citizens|people)",
    re.I,
)
_QUOTE_CHARS = re.compile(r"[\"“”‘’]")
_QUOTE_PAIRS = re.compile(r"“[^”]*”|\"[^\"]*\"")
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
_DELIVERY_VERBS = frozenset({"send", "supply", "deliver", "provide", "give", "transfer", "ship"})
_ANNOUNCING_VERBS = frozenset({"say", "announce", "confirm", "decide", "agree", "tell"})
# Verbs whose subject undergoes something: "if Belarus faced aggression" is a condition about
# the speaker's side that deters, not a forecast about itself.
_SUFFERING = frozenset({"face", "suffer", "experience", "endure", "undergo"})
_RETALIATORY = re.compile(r"\b(retaliat\w*|in response|counter-?measures|response)\b", re.I)
_THREAT_IDIOMS = re.compile(
    r"\bnot (remain indifferent|sit idly|stand idly|go unanswered|go unpunished|tolerate|stand for"
    r"|hesitate)",
    re.I,
)
# Verbs whose direct object is the addressee ("warned the West"); for the others ("threatened
# a response", "vowed retaliation") the object is the consequence.
_ADDRESSING_VERBS = frozenset(
    {"warn", "tell", "caution", "remind", "inform", "notify", "urge", "advise"}
)
# Prepositional phrases of time ("in 2023", "on Wednesday", "last week"); the parser's NER,
# which could tell us the same, is switched off to save a fifth of the parse time.
_DATE_WORDS = re.compile(
    r"\b((19|20)\d\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|"
    r"march|april|may|june|july|august|september|october|november|december|week|month|year|day|"
    r"today|yesterday|morning|evening|night|weekend)\b",
    re.I,
)
_PUNITIVE_ACTS = frozenset(
    [
        "impose",
        "freeze",
        "ban",
        "cut",
        "halt",
        "suspend",
        "expel",
        "sanction",
        "seize",
        "hold",
        "launch",
        "stage",
        "conduct",
        "deploy",
        "station",
        "fire",
        "shut",
        "close",
        "block",
        "recall",
        "sever",
        "agree",
        "adopt",
        "approve",
        "introduce",
        "unveil",
        "announce",
        "decree",
        "sign",
    ]
)
_EVENT_NOUNS = frozenset(
    [
        "attack",
        "aggression",
        "invasion",
        "interference",
        "incursion",
        "deployment",
        "attempt",
        "help",
        "aid",
        "supply",
        "move",
        "strike",
        "violation",
        "provocation",
        "escalation",
        "use",
        "delivery",
        "transfer",
        "support",
        "intervention",
        "assault",
        "action",
        "step",
        "encroachment",
        "expansion",
        "incident",
        "infringement",
        "shipment",
        "decision",
        "crossing",
    ]
)
_HOSTILE_ACTS = frozenset(
    [
        "attack",
        "strike",
        "hit",
        "invade",
        "destroy",
        "deploy",
        "retaliate",
        "escalate",
        "bomb",
        "shell",
        "target",
        "station",
        "move",
    ]
)
_ADVISORY = re.compile(
    r"\b(civilians|residents|citizens|people|population|travell?ers|tourists|public)\b", re.I
)
_FACTUAL_CLAUSE = frozenset({"when", "after", "since", "because", "as", "once", "before"})


@dataclass(frozen=True)
class Mention:
    actor: knowledge.Actor
    start: int
    end: int
    text: str


@dataclass
class _Sentence:
    index: int
    start: int
    end: int
    text: str
    kinds: set[str]
    doc: Any = None  # the spaCy Doc of this sentence, once parsed


PARSE_BATCH = 128  # sentences per spaCy batch; measured in benchmarks (64-256 are alike)


def _alternation(terms: Iterable[str]) -> knowledge.Cue:
    return knowledge.compile_terms(terms)


class RuleExtractor:
    """The default extractor (``name = "rules"``); cheap lexical pass, then dependency rules."""

    name = "rules"
    version = "rules-1"

    def __init__(self, *, extra_gazetteers: Sequence[str] = (), nlp: Any = None) -> None:
        extra = tuple(extra_gazetteers)
        self.triggers = knowledge.triggers(extra)
        self.actors = knowledge.actors(extra)
        cues = knowledge.lexicon(extra)
        self._nlp = nlp
        self.speech_verbs = frozenset(cues["speech_verbs"])
        self.hypothetical_heads = frozenset(cues["hypothetical_heads"])
        self.hypothetical_modals = frozenset(cues["hypothetical_modals"])
        self.commentators = frozenset(cues["commentator_nouns"])
        self.denials = frozenset(cues["denial_verbs"])
        self.condition_marks = frozenset(cues["condition_marks"])
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
                *(m for m in self.condition_marks if " " not in m),
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
        staged = [(doc, self.candidates(doc.text)) for doc in docs]
        todo = [s for _, sentences in staged for s in sentences if s.kinds]
        if todo:
            texts = (s.text for s in todo)
            for sent, parsed in zip(
                todo, self.nlp.pipe(texts, batch_size=PARSE_BATCH), strict=True
            ):
                sent.doc = parsed
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

    # ------------------------------------------------------------------ threats

    def _threats(self, st: _DocState, sent: _Sentence) -> list[ThreatItem]:
        found: dict[str, ThreatItem] = {}
        for tok in sent.doc:
            if tok.lemma_.lower() not in self.speech_verbs or tok.pos_ not in ("VERB", "AUX"):
                continue
            item = self._threat_from_speech(st, sent, tok)
            if item is None:
                continue
            key = item.speaker_key or item.speaker or ""
            prev = found.get(key)
            if prev is None or _stronger(item.consequence_class, prev.consequence_class):
                found[key] = item
        for (
            tok
        ) in sent.doc:  # "Russian warnings that ...", "Putin's threat of nuclear strikes if ..."
            if (
                tok.pos_ == "NOUN"
                and tok.lemma_.lower() in ("warning", "threat", "ultimatum")
                and not found
            ):
                holder = next(
                    (
                        c
                        for c in tok.children
                        if c.dep_ in ("poss", "amod", "compound") and c.lower_ not in ("nuclear",)
                    ),
                    None,
                )
                if holder is not None:
                    item = self._threat_from_speech(st, sent, tok, subject=holder)
                    if item is not None:
                        found[item.speaker_key or ""] = item
        if not found:
            item = self._threat_from_declaration(st, sent)
            if item is not None:
                found[item.speaker_key or ""] = item
        return list(found.values())

    def _threat_from_speech(
        self, st: _DocState, sent: _Sentence, verb: Any, *, subject: Any = None
    ) -> ThreatItem | None:
        if _negated(verb) or verb.lemma_.lower() in self.denials:
            return None
        if any(c.dep_ == "aux" and c.lower_ in self.hypothetical_modals for c in verb.children):
            return None  # "Putin may threaten": a possibility, not a statement
        if self._under_hypothetical(verb):
            return None
        subj = subject if subject is not None else _subject(verb)
        if subj is None:
            return None
        speaker = self._resolve_actor(st, sent, subj)
        if speaker is None and subj.lower_ in ("we", "us", "i"):
            speaker = self._attributed_speaker(st, sent)
        if speaker is None:
            return None
        complement = [t for t in _own_subtree(verb) if t.i not in _subtree_ids(subj)]
        condition = self._condition(complement)
        cond_ids = {t.i for t in condition} | self._trigger_subjects(complement)
        consequence_toks = [
            t
            for t in complement
            if t.i not in cond_ids and t.i != verb.i and t.i not in _adjuncts(verb)
        ]
        consequence_text = _text_of(consequence_toks)
        cls, cmatch = self._classify(consequence_text)
        if cls is None or verb.dep_ == "relcl":
            return None  # "the actions Russia is threatening": a reference, not a statement
        if _ADVISORY.search(_text_of([c for c in verb.children if c.dep_ in ("dobj", "dative")])):
            return None  # "officials warned civilians to prepare for ...": advice, not a threat
        if self._consequence_is_others(
            st, sent, consequence_toks, cmatch, consequence_text, speaker
        ) or self._about_itself_or_others(st, sent, condition, consequence_toks, speaker):
            return None
        lemma = verb.lemma_.lower()
        future = any(t.lower_ in _FUTURE for t in consequence_toks) or bool(
            re.search(r"\b(ready|prepared) (to|for)\b|playing with fire", consequence_text, re.I)
        )
        inherently_threat = lemma in ("warn", "threaten", "vow", "caution", "pledge", "promise")
        if not (future or inherently_threat or condition):
            return None
        if (
            cls == "military_deployment"
            and not (inherently_threat or condition)
            and not _RETALIATORY.search(consequence_text)
        ):
            return None  # "the US will deploy 3,000 troops": an announced move, not a threat
            # ("would take retaliatory military-technical steps" is one)
        if (
            any(t.lower_ in _HEDGES for t in consequence_toks if t.dep_ == "advmod")
            and not inherently_threat
        ):
            return None
        if _complement_negated(consequence_toks, cmatch, consequence_text):
            return None
        trigger_key, trigger_text, context = self._trigger(st, sent, condition, consequence_toks)
        addressee, addressee_country = self._addressee(st, sent, verb)
        confidence = 0.55 + 0.15 * inherently_threat + 0.1 * bool(condition)
        confidence += 0.1 * (trigger_key is not None and context is None) + 0.05 * (
            speaker.actor.kind == "person"
        )
        return self._make_threat(
            st,
            sent,
            speaker,
            span=_token_span(sent, verb, consequence_toks),
            context=context,
            addressee=addressee,
            addressee_country=addressee_country,
            trigger_key=trigger_key,
            trigger_text=trigger_text,
            consequence_text=consequence_text,
            consequence_class=cls,
            explicitness=_explicitness(sent.text, consequence_text, cmatch),
            confidence=confidence,
        )

    def _make_threat(
        self,
        st: _DocState,
        sent: _Sentence,
        speaker: Mention,
        *,
        span: tuple[int, int],
        context: str | None,
        consequence_text: str,
        confidence: float,
        **fields: Any,
    ) -> ThreatItem:
        """A threat with its speaker, the date the sentence names (or none) and its provenance."""
        when = dates.resolve(sent.text, st.doc.published, st.doc.published_precision)
        stated, precision = _date_or_publication(when, st.doc, statement=True)
        person = speaker.actor.kind == "person"
        return ThreatItem(
            provenance=Provenance(sent.start, sent.end, span[0], span[1], sent.text, context),
            speaker=speaker.actor.name if person else _strip_the(speaker.text),
            speaker_key=speaker.actor.key,
            speaker_country=speaker.actor.country_on(stated or st.doc.published),
            consequence_text=_trim(consequence_text),
            stated_date=stated,
            stated_precision=precision,
            confidence=round(min(confidence, 0.95), 2),
            extractor=self.version,
            **fields,
        )

    def _threat_from_declaration(self, st: _DocState, sent: _Sentence) -> ThreatItem | None:
        """ "Russia will respond to any deployment of NATO troops", "If Russia attacks, we will
        respond", "Any aggression will be met with an instant response": a future act, with the
        speaker named in the clause or, for "we" and impersonal clauses, attributed from context."""
        for root in (
            t for t in sent.doc if t.dep_ in ("ROOT", "conj", "ccomp") and t.pos_ in ("VERB", "AUX")
        ):
            item = self._declaration_at(st, sent, root)
            if item is not None:
                return item
        return None

    def _declaration_at(self, st: _DocState, sent: _Sentence, root: Any) -> ThreatItem | None:
        if _negated(root) and not _THREAT_IDIOMS.search(_text_of(list(root.subtree))):
            return None
        if not any(
            c.dep_ in ("aux", "auxpass") and c.lower_ in ("will", "would", "'ll", "shall", "can")
            for c in root.children
        ) and not any(
            c.dep_ == "acomp" and c.lower_ in ("ready", "prepared") for c in root.children
        ):
            return None  # neither a future act nor one the speaker stands "ready" to take
        if any(c.lower_ in _HEDGES for c in root.children) or self._under_hypothetical(root):
            return None
        if root.dep_ == "ccomp" and root.head.lemma_.lower() in self.speech_verbs:
            return None  # reported speech is the speech rule's business
        if root.lemma_.lower() in ("face", "suffer", "pay", "undergo"):
            return None  # "Moscow's forces will face a long recovery": what befalls them, not their act
        subj = _subject(root)
        speaker: Mention | None = None
        attributed = False
        if subj is not None and subj.lower_ not in ("we", "it", "its", "this", "that", "there"):
            speaker = self._resolve_actor(st, sent, subj)
        toks = [t for t in root.subtree if subj is None or t.i not in _subtree_ids(subj)]
        condition = self._condition(list(root.subtree))
        if speaker is None:
            impersonal = (
                subj is None
                or subj.lower_ in ("we", "it", "this", "that", "there")
                or bool({t.i for t in subj.subtree} & {t.i for t in condition})
                or subj.pos_ == "NOUN"
            )
            if not impersonal or not (condition or (subj is not None and subj.lower_ == "we")):
                return None
            if subj is not None and subj.lower_ in self.commentators:
                return None
            speaker = self._attributed_speaker(st, sent)
            attributed = True
            toks = list(root.subtree)  # "its cost will be huge": the subject is the consequence
        if speaker is None or speaker.actor.kind == "group":
            return None
        cond_ids = {t.i for t in condition}
        cons = [t for t in toks if t.i not in cond_ids]
        cons_text = _text_of(cons)
        cls, cmatch = self._classify(cons_text)
        if cls is None or self._about_itself_or_others(st, sent, condition, cons, speaker):
            return None
        if self._consequence_is_others(st, sent, cons, cmatch, cons_text, speaker):
            return None
        quoted = sent.text.lstrip()[:1] in '"“' or attributed
        trigger_key, trigger_text, context = self._trigger(
            st, sent, condition, cons, allow_context=quoted
        )
        if trigger_key is None and not condition:
            return None
        return self._make_threat(
            st,
            sent,
            speaker,
            span=(sent.start, sent.end),
            context=context,
            addressee=None,
            addressee_country=None,
            trigger_key=trigger_key,
            trigger_text=trigger_text,
            consequence_text=_text_of(cons),
            consequence_class=cls,
            explicitness=_explicitness(sent.text, "", None),
            confidence=0.45 if attributed else 0.55,
        )

    def _under_hypothetical(self, tok: Any) -> bool:
        if any(c.dep_ == "mark" and c.lower_ in ("if", "whether", "unless") for c in tok.children):
            return True
        for anc in tok.ancestors:
            if anc.lemma_.lower() in self.hypothetical_heads:
                return True
            if any(c.dep_ == "mark" and c.lower_ in ("if", "whether") for c in anc.children):
                return True
        return False

    def _condition(self, toks: Sequence[Any]) -> list[Any]:
        """The conditional clause inside ``toks`` ("if Ukraine received F-16 jets",
        "should America interfere"), as tokens; empty when there is none."""
        ids = {t.i for t in toks}
        for t in toks:
            if (
                t.dep_ in ("mark", "advmod")
                and t.lower_ in self.condition_marks
                and t.head.i in ids
            ):
                return [x for x in t.head.subtree if x.i in ids]
            if (
                t.lower_ == "should"
                and t.dep_ == "aux"
                and t.i < t.head.i
                and any(c.dep_ == "nsubj" and c.i > t.i for c in t.head.children)
            ):
                return [x for x in t.head.subtree if x.i in ids]
        for t in toks:  # "in (the) case of ...", "in the event of ..."
            if t.lower_ in ("case", "event") and t.i > 0 and t.nbor(-1).lower_ in ("in", "the"):
                start = t.i - (2 if t.nbor(-1).lower_ == "the" else 1)
                return [x for x in t.subtree if x.i in ids] + [
                    x for x in toks if start <= x.i < t.i
                ]
        for t in toks:  # "any attack", "any further Russian aggression": a standing condition
            if (
                t.lower_ == "any"
                and t.dep_ == "det"
                and t.head.i in ids
                and t.head.lemma_.lower() in _EVENT_NOUNS
            ):
                return [x for x in t.head.subtree if x.i in ids]
        return []

    def _consequence_is_others(
        self,
        st: _DocState,
        sent: _Sentence,
        toks: Sequence[Any],
        m: re.Match[str] | None,
        text: str,
        speaker: Mention,
    ) -> bool:
        """The consequence is something a third party does or suffers by itself ("if Russia won,
        it could invade Poland"; "Russia's plans to attack") or is negated: not the speaker's threat."""
        if m is None:
            return False
        tok = _token_at(toks, text, m.start())
        if tok is None:
            return False
        if _negated(tok) and not _THREAT_IDIOMS.search(text):
            return True
        if tok.pos_ not in ("VERB", "AUX"):
            return False  # a consequence named as a thing ("playing with fire", "face sanctions")
        clause = tok
        if clause.lemma_.lower() not in _HOSTILE_ACTS:
            return False
        if _negated(clause) and not _THREAT_IDIOMS.search(text):
            return True
        if any(
            c.lower_ in ("have", "need") and c.dep_ in ("aux", "xcomp") for c in clause.children
        ) or re.search(r"\b(have|has|had|need) to\b", text):
            return True
        owner = _subject(clause)
        if owner is None:  # "Russia's plans to attack": the possessor of the governing noun
            noun = next((a for a in clause.ancestors if a.pos_ in ("NOUN", "PROPN")), None)
            owner = (
                next((c for c in noun.children if c.dep_ == "poss"), None)
                if noun is not None
                else None
            )
        if owner is None or owner.lower_ in ("we", "i", "us"):
            return False
        if owner.lower_ in ("it", "they", "he", "she"):
            return False
        other = self._resolve_actor(st, sent, owner)
        if other is None:
            return False
        mine = speaker.actor.country_on(st.doc.published)
        theirs = other.actor.country_on(st.doc.published)
        return theirs is not None and mine is not None and theirs != mine

    def _about_itself_or_others(
        self,
        st: _DocState,
        sent: _Sentence,
        condition: Sequence[Any],
        consequence: Sequence[Any],
        speaker: Mention,
    ) -> bool:
        """ "If Ukraine loses, there will be a world war" (said by Ukraine) and "if Russia wins, it
        will attack" (said by Poland) are warnings about what happens, not threats by the speaker."""
        if not condition:
            return False
        cond_subj = next((t for t in condition if t.dep_ in ("nsubj", "nsubjpass")), None)
        if cond_subj is None:
            return False
        actor = self._resolve_actor(st, sent, cond_subj)
        if actor is None:
            return False
        mine = speaker.actor.country_on(st.doc.published)
        verb = cond_subj.head
        attacked = verb.lemma_.lower() in _SUFFERING or (
            cond_subj.dep_ == "nsubjpass" and verb.lemma_.lower() in _HOSTILE_ACTS
        )
        if actor.actor.country_on(st.doc.published) == mine and not attacked:
            return True  # (but "if Belarus faced aggression, we would ..." is deterrence)
        pronouns = [
            t
            for t in consequence
            if t.dep_ in ("nsubj", "nsubjpass") and t.lower_ in ("it", "they")
        ]
        # "if Russia wins, it will attack"; "if Russia wanted to retaliate, it would have to choose"
        return any(
            t.head.lemma_.lower() in _HOSTILE_ACTS | {"continue", "escalate"}
            or re.search(r"\b(have|has|had|need|needs) to\b", _text_of(list(t.head.subtree)))
            for t in pronouns
        )

    def _trigger_subjects(self, toks: Sequence[Any]) -> set[int]:
        """Subjects of embedded clauses that name the trigger ("a Russian invasion would spell
        the end of ...", "any attack would lead to sanctions"): not part of the consequence."""
        ids = {t.i for t in toks}
        out: set[int] = set()
        for t in toks:
            if t.dep_ in ("nsubj", "nsubjpass") and t.head.i in ids:
                sub = [x for x in t.subtree if x.i in ids]
                text = _text_of(sub)
                if self.triggers.match(text) or any(x.lower_ == "any" for x in sub):
                    out |= {x.i for x in sub}
        return out

    def _classify(self, text: str) -> tuple[str | None, re.Match[str] | None]:
        text = _QUOTE_CHARS.sub(" ", text)  # 'pay a "severe price"' reads as 'pay a  severe price'
        text = re.sub(r" {2,}", " ", text)
        if _DEFENSIVE.search(text):
            return None, None  # "measures to assure our own security": protection, not a threat
        for cls, rx in self.consequence_res:
            m = rx.search(text)
            if m:
                return cls, m
        return None, None

    def _trigger(
        self,
        st: _DocState,
        sent: _Sentence,
        condition: Sequence[Any],
        complement: Sequence[Any],
        *,
        allow_context: bool = True,
    ) -> tuple[str | None, str | None, str | None]:
        """(trigger key, the text naming it, context text if it came from earlier sentences)."""
        for toks in (condition, complement):
            text = _text_of(toks)
            hits = self.triggers.match(text) if text else []
            if hits:
                return hits[0][0], _trim(text), None
        hits = self.triggers.match(sent.text)
        if hits:
            return hits[0][0], _trim(_text_of(condition) or sent.text), None
        if condition:
            return None, _trim(_text_of(condition)), None
        if not allow_context:
            return None, None, None
        for prev in st.previous(sent, CONTEXT_SENTENCES):
            hits = self.triggers.match(prev.text)
            if hits:
                return hits[0][0], _trim(prev.text), prev.text
        return None, None, None

    def _addressee(
        self, st: _DocState, sent: _Sentence, verb: Any
    ) -> tuple[str | None, str | None]:
        for c in verb.children:
            if c.dep_ in ("dobj", "dative", "iobj") or (c.dep_ == "prep" and c.lower_ == "to"):
                m = st.first_mention(sent, c)
                if m is not None:
                    return _strip_the(m.text), m.actor.country_on(st.doc.published)
        return None, None

    # ------------------------------------------------------------------ actors

    def _attributed_speaker(self, st: _DocState, sent: _Sentence) -> Mention | None:
        """Who is speaking in a quoted or impersonal sentence: a person (or body) named with a
        speech verb in this sentence or the next, else the last person named just before."""
        for cand in (sent, st.following(sent)):
            if cand is None:
                continue
            if re.search(
                r"\b(said|says|added|stressed|declared|warned|explained|emphasi[sz]ed|noted|told)\b",
                cand.text,
            ):
                inside = [
                    m
                    for m in st.mentions
                    if cand.start <= m.start < cand.end and m.actor.kind != "group"
                ]
                persons = [m for m in inside if m.actor.kind == "person"]
                if persons or inside:
                    return (persons or inside)[0]
        back = st.previous(sent, 3)
        earliest = back[-1].start if back else sent.start
        person = st.last_before(sent.end, "person")
        return person if person is not None and person.start >= earliest else None

    def _resolve_actor(self, st: _DocState, sent: _Sentence, subj: Any) -> Mention | None:
        """The actor a subject phrase names: a person wins over a state; "he" and "the
        minister" refer back to the last person named; commentators are nobody's voice."""
        head = subj.lower_
        if head in self.commentators:
            return None
        if head in _DEMONYMS and subj.pos_ == "ADJ":  # "Russian warnings"
            actor = self.actors.actors.get(_DEMONYMS[head])
            if actor is not None:
                return Mention(
                    actor, sent.start + subj.idx, sent.start + subj.idx + len(subj.text), subj.text
                )
        s0 = sent.start + subj.left_edge.idx
        s1 = sent.start + subj.right_edge.idx + len(subj.right_edge.text)
        # names inside "the attack on Ukraine" are not the subject: skip prepositional objects
        outside = set()
        for c in subj.children:
            if c.dep_ in ("prep", "relcl", "acl"):
                outside |= {(sent.start + t.idx) for t in c.subtree}
        inside = [
            m for m in st.mentions if s0 <= m.start and m.end <= s1 and m.start not in outside
        ]
        persons = [m for m in inside if m.actor.kind == "person"]
        if persons:
            return persons[0]
        if inside:
            return inside[0]
        if head in _PERSON_PRONOUNS:
            return st.last_before(sent.start + subj.idx, "person")
        if subj.lemma_.lower() in _OFFICIAL_NOUNS:
            phrase = _text_of(list(subj.subtree)).lower()
            for demonym, code in _DEMONYMS.items():
                if re.search(rf"\b{demonym}\b", phrase):
                    actor = self.actors.actors.get(code)
                    if actor is not None:
                        return Mention(actor, s0, s1, _text_of(list(subj.subtree)))
            if any(c.dep_ == "poss" and c.lower_ in ("its", "their") for c in subj.children):
                # "Its defence ministry said ...": the state or organisation named last
                return st.last_before(sent.start + subj.idx, "state", "organisation")
            if subj.lemma_.lower() in (
                "president",
                "minister",
                "spokesman",
                "spokeswoman",
                "leader",
            ):
                return st.last_before(sent.start + subj.idx, "person")
        return None

    # ------------------------------------------------------------------ crossings

    def _crossings(self, st: _DocState, sent: _Sentence) -> list[EventItem]:
        out: dict[str, EventItem] = {}
        # the verb nearest the trigger wins: in "governments began ... after Russian forces
        # launched an invasion" the invasion is launched, not begun, and by Russian forces
        for tok in sorted(sent.doc, key=lambda t: len(list(t.subtree))):
            lemma = tok.lemma_.lower()
            if tok.pos_ not in ("VERB", "AUX") or lemma not in self.crossing_lemmas:
                continue
            announcer = None
            if not self._realised(tok):
                announcer = self._announced_delivery(st, sent, tok)
                if announcer is None:
                    continue
            key, context = self._crossing_trigger(st, sent, tok, lemma)
            if key is None or key in out:
                continue
            subj = _subject(tok)
            actor = self._resolve_actor(st, sent, subj) if subj is not None else None
            actor = actor or announcer
            when = dates.resolve(sent.text, st.doc.published, st.doc.published_precision)
            on, precision = _date_or_publication(when, st.doc)
            target = (
                "UKR"
                if re.search(r"\b(Ukraine|Kyiv|Kiev)\b", _text_of(list(tok.subtree)))
                else None
            )
            out[key] = EventItem(
                provenance=Provenance(
                    sent.start,
                    sent.end,
                    *_token_span(sent, tok, list(tok.subtree)),
                    sent.text,
                    context,
                ),
                kind="crossing",
                actor=_strip_the(actor.text) if actor else None,
                actor_country=actor.actor.country_on(on) if actor else None,
                target_country=target,
                trigger_key=key,
                action=lemma,
                consequence_class=None,
                event_date=on,
                date_precision=precision,
                confidence=0.7 if context is None else 0.6,
                extractor=self.version,
            )
        return list(out.values())

    def _announced_delivery(self, st: _DocState, sent: _Sentence, tok: Any) -> Mention | None:
        """ "Germany said it would send Leopard 2 tanks to Ukraine": the decision, announced by
        the sender, crosses a delivery line the day it is announced. Returns the announcer, or
        None when ``tok`` is not such a decision (conditional, negated, someone else's, ...)."""
        if tok.lemma_.lower() not in _DELIVERY_VERBS or _negated(tok):
            return None
        aux = {c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass")}
        if tok.dep_ == "xcomp" and aux == {"to"}:
            # "the US agreed to send 31 Abrams": the decision itself
            if tok.head.lemma_.lower() not in ("agree", "decide"):
                return None
        elif tok.dep_ != "ccomp" or not aux & {"would", "will", "'ll"}:
            return None
        if aux & {"could", "might", "may", "should"}:
            return None
        if any(c.dep_ in ("mark", "advcl") and c.lower_ in ("if", "unless") for c in tok.subtree):
            return None
        head = tok.head
        if head.lemma_.lower() not in _ANNOUNCING_VERBS or head.tag_ not in ("VBD", "VBN"):
            return None
        if not self._realised(head) or self._under_hypothetical(head):
            return None
        head_subj = _subject(head)
        announcer = self._resolve_actor(st, sent, head_subj) if head_subj is not None else None
        if announcer is None:
            return None
        subj = _subject(tok)
        if subj is None or subj.lower_ in ("it", "they", "we"):
            return announcer
        sender = self._resolve_actor(st, sent, subj)
        if sender is None:
            return None
        when = st.doc.published
        same = sender.actor.country_on(when) == announcer.actor.country_on(when)
        return announcer if same else None

    def _realised(self, tok: Any) -> bool:
        """Did the action happen (past, not negated, not modal, not hypothetical, not planned)?"""
        if _negated(tok):
            return False
        aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
        if any(a.lower_ in _NOT_REALISED_MODALS or a.lower_ == "to" for a in aux):
            return False
        past = tok.tag_ in ("VBD", "VBN") or any(
            a.lower_ in ("did", "has", "have", "had") for a in aux
        )
        if not past:
            return False
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in tok.children):
            return False
        if any(c.dep_ in ("mark", "advmod") and c.lower_ in _FACTUAL_CLAUSE for c in tok.children):
            return True  # "when Washington sent the weapons": the clause asserts it happened
        for anc in tok.ancestors:
            if anc.lemma_.lower() in _NOT_REALISED_HEADS or anc.lower_ in ("potentially",):
                return False
            if any(
                c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in anc.children
            ):
                return False
            if any(c.dep_ == "aux" and c.lower_ == "to" for c in anc.children):
                return False
        return True

    def _crossing_trigger(
        self, st: _DocState, sent: _Sentence, tok: Any, lemma: str
    ) -> tuple[str | None, str | None]:
        def fits(key: str) -> bool:
            chain = [key, *self.triggers.ancestors(key)]
            return any(lemma in self.triggers[k].crossing for k in chain)

        for text in (_text_of(list(tok.subtree)), sent.text):
            for key, _, _ in self.triggers.match(text):
                if fits(key):
                    return key, None
        objects = " ".join(
            _text_of(list(c.subtree))
            for c in tok.children
            if c.dep_ in ("dobj", "nsubjpass", "attr")
        )
        if _GENERIC_OBJECTS.search(objects or "") or tok.dep_ == "relcl":
            for prev in st.previous(sent, CONTEXT_SENTENCES):
                for key, _, _ in self.triggers.match(prev.text):
                    if fits(key):
                        return key, prev.text
        return None, None

    # ------------------------------------------------------------------ responses

    def _responses(self, st: _DocState, sent: _Sentence) -> list[EventItem]:
        """An act presented as a reaction ("in response to", "retaliated"), or, without such a
        cue, a realised punitive act ("froze the assets", "cut them off", "held drills") whose
        concrete consequence the linker can hold against a threat on the same trigger."""
        cue = self.response_cue.search(sent.text)
        if cue is not None:
            verb = _verb_at(sent.doc, cue.start())
            after = sent.text[cue.end() :]
        else:
            verb = next(
                (
                    t
                    for t in sent.doc
                    if t.pos_ == "VERB" and t.lemma_.lower() in _PUNITIVE_ACTS and self._realised(t)
                ),
                None,
            )
            after = sent.text
        if verb is None or not self._realised(verb):
            return []
        if any(
            t.lemma_.lower() in self.speech_verbs and t.dep_ in ("advcl", "ccomp", "xcomp")
            for t in verb.children
        ):
            return []  # "responded to the meeting, stating that ...": words, not an act
        subj = _subject(verb)
        actor = self._resolve_actor(st, sent, subj) if subj is not None else None
        if actor is None:
            return []
        action_text = _text_of([t for t in verb.subtree if t.i not in _subtree_ids(subj)])
        cls, _ = self._classify(action_text)
        if cue is None and cls in (None, "vague"):
            return []  # without a cue only a concrete punitive act counts
        hits = self.triggers.match(after) or self.triggers.match(sent.text)
        key: str | None = hits[0][0] if hits else None
        context: str | None = None
        if key is None:
            for prev in st.previous(sent, CONTEXT_SENTENCES):
                prev_hits = self.triggers.match(prev.text)
                if prev_hits:
                    key, context = prev_hits[0][0], prev.text
                    break
        when = dates.resolve(sent.text, st.doc.published, st.doc.published_precision)
        on, precision = _date_or_publication(when, st.doc)
        return [
            EventItem(
                provenance=Provenance(
                    sent.start,
                    sent.end,
                    *_token_span(sent, verb, list(verb.subtree)),
                    sent.text,
                    context,
                ),
                kind="response",
                actor=_strip_the(actor.text),
                actor_country=actor.actor.country_on(on),
                target_country=None,
                trigger_key=key,
                action=verb.lemma_.lower(),
                consequence_class=cls or "vague",
                event_date=on,
                date_precision=precision,
                confidence=(0.6 if key else 0.4) if cue is not None else (0.45 if key else 0.3),
                extractor=self.version,
            )
        ]

    # ------------------------------------------------------------------ outcome claims

    def _claims(
        self, st: _DocState, sent: _Sentence, crossings: dict[int, EventItem]
    ) -> list[ClaimItem]:
        for kind, rx in self.claim_res:
            m = rx.search(sent.text)
            if m is None:
                continue
            abs_start, abs_end = sent.start + m.start(), sent.start + m.end()
            in_sentence = [x for x in st.mentions if sent.start <= x.start < sent.end]
            subject: Mention | None = None
            if "provoke" in m.group(0).lower():
                after = [x for x in in_sentence if x.start >= abs_end]
                subject = after[0] if after else None
            if subject is None:
                before = [x for x in in_sentence if x.end <= abs_start and x.actor.kind != "group"]
                subject = before[-1] if before else None
            if subject is None and re.search(r"\b(he|she)\b", sent.text[: m.start()], re.I):
                subject = st.last_before(abs_start, "person")
            key, context = self._claim_trigger(st, sent, crossings)
            when = dates.resolve(sent.text, st.doc.published, st.doc.published_precision)
            on, precision = _date_or_publication(when, st.doc)
            return [
                ClaimItem(
                    provenance=Provenance(
                        sent.start, sent.end, abs_start, abs_end, sent.text, context
                    ),
                    trigger_key=key,
                    subject_country=subject.actor.country_on(on) if subject else None,
                    claim=kind,
                    claim_date=st.doc.published,
                    date_precision=st.doc.published_precision,
                    confidence=0.7 if (key and subject) else 0.4,
                    extractor=self.version,
                )
            ]
        return []

    def _claim_trigger(
        self, st: _DocState, sent: _Sentence, crossings: dict[int, EventItem]
    ) -> tuple[str | None, str | None]:
        """What was crossed: a crossing found in this or a recent sentence, else a trigger named there."""
        if sent.start in crossings:
            return crossings[sent.start].trigger_key, None
        previous = st.previous(sent, CONTEXT_SENTENCES)
        for prev in previous:
            if prev.start in crossings:
                return crossings[prev.start].trigger_key, prev.text
        hits = self.triggers.match(sent.text)
        if hits:
            return hits[0][0], None
        for prev in previous:
            hits = self.triggers.match(prev.text)
            if hits:
                return hits[0][0], prev.text
        return None, None


class _DocState:
    """Per-document lookups shared by the rules: sentences, actor mentions, salience."""

    def __init__(self, doc: DocumentInput, sentences: list[_Sentence], mentions: list[Mention]):
        self.doc = doc
        self.sentences = sentences
        self.mentions = mentions

    def previous(self, sent: _Sentence, n: int) -> list[_Sentence]:
        """Up to ``n`` sentences before ``sent``, nearest first."""
        return [self.sentences[i] for i in range(sent.index - 1, max(sent.index - n, 0) - 1, -1)]

    def following(self, sent: _Sentence) -> _Sentence | None:
        nxt = sent.index + 1
        return self.sentences[nxt] if nxt < len(self.sentences) else None

    def last_before(self, offset: int, *kinds: str) -> Mention | None:
        """The last actor of one of ``kinds`` named before ``offset``."""
        for m in reversed(self.mentions):
            if m.end <= offset and m.actor.kind in kinds:
                return m
        return None

    def first_mention(self, sent: _Sentence, tok: Any) -> Mention | None:
        s0 = sent.start + tok.left_edge.idx
        s1 = sent.start + tok.right_edge.idx + len(tok.right_edge.text)
        return next((m for m in self.mentions if s0 <= m.start and m.end <= s1), None)


# ---------------------------------------------------------------------- token helpers


def _without_headline_echoes(doc: DocumentInput, found: list[ThreatItem]) -> list[ThreatItem]:
    """A headline that restates a threat the body reports ("Kremlin warns of war with NATO"
    over "Peskov said a conflict ... would be inevitable") is one statement, not two: the
    headline's item goes when a body item has the same speaking state and a compatible
    trigger. A threat only the headline carries stays."""
    title = (doc.title or "").strip()
    if not title:
        return found
    heads = [t for t in found if t.provenance.sentence.strip() == title]
    body = [t for t in found if t.provenance.sentence.strip() != title]
    echoes = {
        id(h)
        for h in heads
        if any(
            b.speaker_country == h.speaker_country
            and (b.trigger_key is None or h.trigger_key is None or b.trigger_key == h.trigger_key)
            for b in body
        )
    }
    return [t for t in found if id(t) not in echoes]


def _inflections(lemmas: Iterable[str]) -> set[str]:
    """Surface forms for the lexical pass (regular and the irregular verbs we use)."""
    irregular = {
        "send": ["sent"],
        "give": ["gave", "given"],
        "see": ["saw", "seen"],
        "begin": ["began", "begun"],
        "hit": ["hit"],
        "strike": ["struck"],
        "sell": ["sold"],
        "set": ["set"],
        "become": ["became"],
        "leave": ["left"],
        "lift": ["lifted"],
        "hand": ["handed"],
        "use": ["used"],
        "arrive": ["arrived"],
    }
    forms: set[str] = set()
    for lemma in lemmas:
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        forms.update({lemma, lemma + "s", stem + "ed", stem + "ing", lemma + "d", lemma + "es"})
        if lemma.endswith("y"):
            forms.update({lemma[:-1] + "ied", lemma[:-1] + "ies"})
        if re.search(r"[^aeiou][aeiou][bdgmnprt]$", lemma):
            forms.update({lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"})
        forms.update(irregular.get(lemma, []))
    return {re.escape(f) for f in forms}


def _adjuncts(verb: Any) -> set[int]:
    """Token ids of a verb's adverbials, dates, punctuation and actor objects (not the consequence)."""
    out: set[int] = set()
    for c in verb.children:
        if c.dep_ == "advcl" and any(
            g.dep_ in ("mark", "advmod") and g.lower_ in _FACTUAL_CLAUSE - {"once"}
            for g in c.children
        ):
            out |= _subtree_ids(
                c
            )  # "... as he reviewed the exercise": circumstance, not consequence
            continue
        if c.dep_ in ("advmod", "npadvmod", "punct", "aux", "neg") or (
            c.dep_ == "prep" and _DATE_WORDS.search(_text_of(list(c.subtree)))
        ):
            out |= _subtree_ids(c)
        elif c.dep_ in ("dative", "iobj") or (
            c.dep_ == "dobj" and verb.lemma_.lower() in _ADDRESSING_VERBS
        ):  # the addressee, but "the West of enormous risks" keeps its "of"
            keep: set[int] = set()
            for g in c.children:
                if g.dep_ == "prep":
                    keep |= _subtree_ids(g)
            out |= _subtree_ids(c) - keep
    return out


def _token_at(toks: Sequence[Any], text: str, char: int) -> Any | None:
    """The token of ``toks`` (joined as ``text``) that covers character ``char`` of ``text``."""
    pos = 0
    for t in sorted(toks, key=lambda x: x.i):
        end = pos + len(t.text)
        if pos <= char < end + len(t.whitespace_):
            return t
        pos = end + len(t.whitespace_)
    return None


def _negated(tok: Any) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def _subject(tok: Any) -> Any | None:
    """The subject of a verb, inherited through conjunctions, participles and xcomp/advcl chains."""
    cur = tok
    for _ in range(4):
        subjects = [c for c in cur.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
        if subjects:  # the nearest one: "MINSK, 7 May – Belarus will respond" has two
            before = [c for c in subjects if c.i < cur.i]
            return before[-1] if before else subjects[0]
        if cur.dep_ in ("conj", "advcl", "xcomp", "acl") and cur.head.i != cur.i:
            cur = cur.head
            continue
        break
    if tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN"):
        return tok.head
    return None


def _own_subtree(verb: Any) -> list[Any]:
    """The verb's subtree without its coordinated verbs (they say something else)."""
    skip: set[int] = set()
    for c in verb.children:
        if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"):
            skip |= _subtree_ids(c)
    return [t for t in verb.subtree if t.i not in skip]


def _subtree_ids(tok: Any) -> set[int]:
    return {t.i for t in tok.subtree} if tok is not None else set()


def _text_of(toks: Sequence[Any]) -> str:
    if not toks:
        return ""
    toks = sorted(toks, key=lambda t: t.i)
    return "".join(t.text_with_ws for t in toks).strip()


def _token_span(sent: _Sentence, head: Any, toks: Sequence[Any]) -> tuple[int, int]:
    idx = [t.idx for t in toks] + [head.idx]
    ends = [t.idx + len(t.text) for t in toks] + [head.idx + len(head.text)]
    return sent.start + min(idx), sent.start + max(ends)


def _verb_at(doc: Any, char: int) -> Any | None:
    """The verb governing the token at character ``char`` (for "in response to ...")."""
    tok = next((t for t in doc if t.idx <= char < t.idx + len(t.text) + 1), None)
    while tok is not None and tok.pos_ != "VERB" and tok.head.i != tok.i:
        tok = tok.head
    if tok is not None and tok.pos_ == "VERB":
        return tok
    return next((t for t in doc if t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX")), None)


def _complement_negated(toks: Sequence[Any], m: re.Match[str] | None, text: str) -> bool:
    """ "Russia would not attack", "has no intention of ...": a denial, not a threat."""
    if _THREAT_IDIOMS.search(text):
        return False  # "will not remain indifferent", "will not go unanswered"
    if re.search(
        r"\b(no (intention|plans?)|not going to|never|no one|nobody|off the table)\b", text, re.I
    ):
        return True
    for t in toks:
        if (
            t.pos_ in ("VERB", "AUX")
            and _negated(t)
            and any(a.lower_ in ("will", "would", "wo", "could") for a in t.children)
        ):
            return True
    return False


def _explicitness(sentence: str, consequence: str, m: re.Match[str] | None) -> str:
    if re.search(r"\bdoctrine\b", sentence, re.I) and not _in_quotes(sentence, consequence, m):
        return "implied_doctrine"
    return "direct_quote" if _in_quotes(sentence, consequence, m) else "reported_speech"


def _in_quotes(sentence: str, consequence: str, m: re.Match[str] | None) -> bool:
    if m is None:
        return False
    base = sentence.find(consequence)
    if base < 0:
        return False
    pos = base + m.start()
    return any(q.start() <= pos < q.end() for q in _QUOTE_PAIRS.finditer(sentence))


def _date_or_publication(
    when: dates.Resolved | None, doc: DocumentInput, *, statement: bool = False
) -> tuple[date | None, str]:
    """The time a sentence names, else the publication date. A statement recalled in an opinion
    piece without a time is left undated: the article may be years younger than the threat."""
    if when is not None and when.value is not None:
        return when.value, when.precision
    if statement and doc.genre == "opinion":
        return None, "unknown"
    return doc.published, doc.published_precision if doc.published else "unknown"


def _stronger(a: str, b: str) -> bool:
    return CONSEQUENCE_ORDER.index(a) < CONSEQUENCE_ORDER.index(b)


def _strip_the(text: str) -> str:
    return re.sub(r"^(the|The)\s+", "", text.strip()).rstrip(",")


def _trim(text: str, limit: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
