"""What the rule families share: cue constants, sentence and mention records, per-document
lookups, the ``RuleBase`` methods (classes, triggers, actors, realis) and token helpers."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from redline import knowledge
from redline.extract import dates
from redline.extract.base import (
    DocumentInput,
    ThreatItem,
)

CONTEXT_SENTENCES = 3  # how far back a trigger or referent may be found (calibrated on the seeds)
CONSEQUENCE_ORDER = (
    "war_or_nuclear",
    "military_force",
    "military_deployment",
    "sanctions_or_economic",
    "diplomatic",
    "vague",
)
# contracted forms in both apostrophes: "we'd impose", "we’ll respond"
_FUTURE = frozenset(
    {"will", "would", "could", "may", "might", "shall", "'ll", "’ll", "'d", "’d", "wo", "going"}
    | {"must", "can"}
)
# the auxiliaries of an act the speaker says it will (or would, or can) take
_WILL = frozenset({"will", "would", "'ll", "’ll", "'d", "’d", "shall", "can"})
_HEDGES = frozenset({"likely", "probably", "perhaps", "possibly", "maybe", "unlikely"})
_NOT_REALISED_MODALS = frozenset(
    {"will", "would", "could", "may", "might", "should", "can", "must", "shall", "'ll", "wo", "ca"}
    | {"’ll"}  # not "'d": "we'd imposed" is "had"; "we'd impose" is no past act anyway
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
        "command",
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
# a quotation's speaker is looked for at most this far back (characters, sentences)
_QUOTE_REACH = 2000
_QUOTE_SENTENCES = 25
_SPEECH_WORDS = (
    r"(?:said|says|added|stressed|declared|warn(?:s|ed)|explained|emphasi[sz]ed|noted|told)"
)
_SAID = re.compile(rf"\b{_SPEECH_WORDS}\b")
# words that give a statement to someone besides the speech verbs: "according to Putin",
# "Putin vowed (claimed, insisted, pledged, announced) ..."
_ATTRIBUTED = re.compile(
    r"\baccording to\b|\bstated\b|\b(?:vow|claim|insist|threaten|pledg|promis|announc)(?:e?[sd]|ed|es)\b",
    re.IGNORECASE,
)
# "... will be huge - argued the US president": the speaker named after a dash and a speech
# verb, the way outlets translated from Polish or Ukrainian close a quotation
_DASH_SAID = re.compile(
    rf"\s[-–—]\s*(?:{_SPEECH_WORDS}|argued|assured|wrote|stated|announced|emphasised)\s+"
    r"(?P<who>[^-–—\"“”]{1,90})$"
)
# "he said: ..." — the speaker is the person named before the pronoun
_PRONOUN_SAID = re.compile(rf"\b(?:he|she)\s+(?:\w+\s+)?{_SPEECH_WORDS}\b", re.IGNORECASE)
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
# offices one person holds, whose holder "the <office>" refers back to
_HELD_OFFICES = frozenset(
    {"president", "minister", "spokesman", "spokeswoman", "leader", "secretary", "chancellor"}
    | {"premier"}
)
# a sentence opening with such an office as its subject ("The secretary clearly stated ...",
# "The Russian president, ..."), not as a possessor ("The president's envoy")
_OPENING_OFFICE = re.compile(
    r"^\W*the\s+(?:([a-z]+)\s+)?(" + "|".join(sorted(_HELD_OFFICES)) + r")\b(?!['’]s\b)",
    re.IGNORECASE,
)
# an office right after the side it serves ("U.S. defence secretary", "France's armed forces
# minister", "NATO secretary general", "Kremlin spokesman")
_OFFICE_AFTER = re.compile(
    r"(?:['’]s)?\s+(?:[a-z-]+\s+){0,3}?(?:minister|secretary(?: general)?|spokes(?:man|woman|person)"
    r"|president|chancellor|premier|ambassador|envoy|commander|chief)\b"
)
# words that make an office another ("press secretary", "prime minister", "former president")
_OFFICE_QUALIFIERS = frozenset(
    {"press", "deputy", "vice", "former", "prime", "assistant", "under", "acting", "ex"}
    | {"first", "chief", "interim"}
)
# the title written right before a name ("Foreign Minister", "White House press secretary")
_TITLE_BEFORE_NAME = re.compile(r"(?:[A-Za-z.'’-]+\s+){0,3}[A-Za-z.'’-]+\s*,?\s*$")


def _holds(title: str, office: str) -> bool:
    """Does ``title`` name ``office`` itself, not a qualified other ("Secretary of State" holds
    "secretary"; "press secretary", "Prime Minister" do not)?"""
    words = re.findall(r"[a-z]+", title.lower())
    return any(
        w == office and (i == 0 or words[i - 1] not in _OFFICE_QUALIFIERS)
        for i, w in enumerate(words)
    )


_LOOKBACK = 5000  # characters searched back for who holds an office
_OPENING_PRONOUN = re.compile(r"^\W*\b(he|she)\b", re.IGNORECASE)
_DELIVERY_VERBS = frozenset({"send", "supply", "deliver", "provide", "give", "transfer", "ship"})
_ANNOUNCING_VERBS = frozenset({"say", "announce", "confirm", "decide", "agree", "tell"})
# Verbs whose subject undergoes something: "if Belarus faced aggression" is a condition about
# the speaker's side that deters, not a forecast about itself.
_SUFFERING = frozenset({"face", "suffer", "experience", "endure", "undergo"})
_RETALIATORY = re.compile(r"\b(retaliat\w*|in response|counter-?measures|response)\b", re.I)
_THREAT_IDIOMS = re.compile(
    r"\bnot (remain indifferent|sit idly|stand idly|go unanswered|go unpunished|tolerate|stand for"
    r"|hesitate)"
    # supplies withheld from a buyer: "... will not be among the recipients of Russian oil"
    r"|\bnot (?:be among the (?:recipients|buyers) of|receive|get) (?:\w+ ){0,2}"
    r"(?:oil|gas|energy|grain|supplies)\b",
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
# "now", "currently": a present of the day's news, not a timeline's
_OF_THE_DAY = re.compile(r"\b(?:now|currently|at present|this (?:week|month))\b", re.IGNORECASE)
_SINCE_BEFORE = re.compile(r"\b(?:since|after|before|until)\b[^.;]*$", re.IGNORECASE)


_NEAR_ENTRY = 3  # sentences within which a timeline's dated entry dates the acts after it


def _simple_present(sent: _Sentence) -> Any | None:
    """The sentence's main verb when it is in the simple present, without an auxiliary
    ("Putin announces ...", "Days later he formally annexes ..."), else None."""
    if sent.doc is None:
        return None
    root = next((t for t in sent.doc if t.dep_ == "ROOT"), None)
    if (
        root is None
        or root.tag_ not in ("VBZ", "VBP")
        or any(c.dep_ in ("aux", "auxpass") for c in root.children)
    ):
        return None
    return root


# speech verbs that report a decision when told in the present ("Germany agrees to send tanks")
_DECIDING = frozenset({"agree", "decide"})
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
        "stationing",
        "placement",
        "repetition",
        "breach",
        "entry",
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


def parse_sentences(
    nlp: Any, sentences: Sequence[_Sentence], progress: Callable[[int], None]
) -> None:
    """Parse ``sentences`` in batches, setting each one's ``doc``. A headline set in capitals
    ("RUSSIA WARNS ISRAEL AGAINST PROVIDING ARMS ...") is parsed title-cased, which the tagger,
    trained on ordinary prose, reads far better; every character keeps its offset, and text
    the rules quote from it (``_text_of``) is taken from the original."""
    texts = [_parseable(s.text) for s in sentences]
    for i, (sent, text, parsed) in enumerate(
        zip(sentences, texts, nlp.pipe(texts, batch_size=PARSE_BATCH), strict=True)
    ):
        if text is not sent.text:
            parsed.user_data["original"] = sent.text
        sent.doc = parsed
        progress(i + 1)


# Words a headline set in capitals keeps in lower case when it is parsed: function words and
# the speech verbs of "X WARNS Y ..." (title-cased, "Warns" reads as part of a name).
_HEADLINE_LOWER = frozenset(
    {"a", "an", "the", "to", "of", "in", "on", "at", "for", "with", "against", "over", "about"}
    | {"if", "not", "no", "will", "would", "could", "may", "and", "or", "but", "as", "by"}
    | {"from", "that", "is", "are", "be", "it", "its"}
    | {"warns", "warned", "threatens", "threatened", "vows", "vowed", "says", "said"}
    | {"cautions", "cautioned", "tells", "told"}
)
_WORD = re.compile(r"[A-Za-z]+")


def _parseable(text: str) -> str:
    """``text`` title-cased, with function words and speech verbs in lower case
    (``_HEADLINE_LOWER``), when at least four fifths of its letters (12 or more) are capitals
    and that keeps its length; else ``text`` itself."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 12 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return text
    titled = _WORD.sub(
        lambda m: m.group(0).lower() if m.group(0).lower() in _HEADLINE_LOWER else m.group(0),
        text.title(),
    )
    return titled if len(titled) == len(text) else text


def _alternation(terms: Iterable[str]) -> knowledge.Cue:
    return knowledge.compile_terms(terms)


class RuleBase:
    """What every rule family shares: the gazetteers and cues (set by ``RuleExtractor``),
    consequence classes, triggers, addressees, actors and whether an act happened."""

    triggers: knowledge.TriggerTree
    actors: knowledge.ActorGazetteer
    speech_verbs: frozenset[str]
    hypothetical_heads: frozenset[str]
    hypothetical_modals: frozenset[str]
    commentators: frozenset[str]
    denials: frozenset[str]
    condition_marks: frozenset[str]
    time_marks: frozenset[str]
    consequence_res: list[tuple[str, knowledge.Cue]]
    claim_res: list[tuple[str, knowledge.Cue]]
    response_cue: knowledge.Cue
    punitive_cue: knowledge.Cue
    concrete_cue: knowledge.Cue
    crossing_lemmas: frozenset[str]
    crossing_cue: knowledge.Cue
    version: str

    @cached_property
    def condition_word(self) -> re.Pattern[str]:
        """Where a condition begins, read without a parse: one of the lexicon's
        ``condition_marks`` ("if", "should", "unless", ...)."""
        return words_pattern(self.condition_marks)

    @cached_property
    def not_yet_marks(self) -> frozenset[str]:
        """The marks of a clause whose act may never happen or is still to come (the lexicon's
        ``condition_marks`` and ``time_marks``): a threat's condition, not an act done."""
        return self.condition_marks | self.time_marks

    def _under_hypothetical(self, tok: Any) -> bool:
        if any(c.dep_ == "mark" and c.lower_ in ("if", "whether", "unless") for c in tok.children):
            return True
        for anc in tok.ancestors:
            if anc.lemma_.lower() in self.hypothetical_heads:
                return True
            if any(c.dep_ == "mark" and c.lower_ in ("if", "whether") for c in anc.children):
                return True
        return False

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
        if condition and not _ANAPHOR.search(_text_of(condition)):
            return None, _trim(_text_of(condition)), None
        # "if he uses it": the condition points back at what earlier sentences named
        if not allow_context:
            return None, None, None
        for prev in st.previous(sent, CONTEXT_SENTENCES):
            hits = self.triggers.match(prev.text)
            if hits:
                # the line an earlier threat drew is the one its condition names ("... would
                # pay a severe price if he did authorise the use of chemical weapons"), not
                # what it names as background ("weeks after Moscow launched its invasion")
                mark = self.condition_word.search(prev.text)
                drawn = [h for h in hits if mark is not None and h[1] > mark.start()]
                return (drawn or hits)[0][0], _trim(prev.text), prev.text
        return None, (_trim(_text_of(condition)) if condition else None), None

    def _addressee(
        self, st: _DocState, sent: _Sentence, verb: Any
    ) -> tuple[str | None, str | None]:
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ == "to":
                heads = [o for o in c.children if o.dep_ == "pobj"]
            elif c.dep_ in ("dobj", "dative", "iobj"):
                heads = [c]
            else:
                continue
            # the party the object itself names ("warned the West", "threatened Britain with"),
            # never one deeper in it: "threatened a response to intervention in Ukraine"
            # addresses no one the sentence names
            m = mention_naming(st.mentions_in(sent), sent, heads)
            if m is not None:
                return _strip_the(m.text), m.actor.country_on(st.doc.published)
        return None, None

    # ------------------------------------------------------------------ actors

    def _first_person_speaker(self, st: _DocState, sent: _Sentence) -> Mention | None:
        """Who "we" is when no one in the text says it: none here; the learned extractor
        answers with an official statement's issuer."""
        return None

    def _speaks_as_issuer(self, st: _DocState, subj: Any) -> bool:
        """Is ``subj`` the voice of whoever issues the text ("we")? The learned extractor
        adds "they" in a joint statement ("They stand ready to ...": the leaders)."""
        return bool(subj.lower_ == "we")

    def _attributed_speaker(self, st: _DocState, sent: _Sentence) -> Mention | None:
        """Who is speaking in a quoted or impersonal sentence: a person (or body) named with a
        speech verb in this sentence or the next, else the one who opened a quotation still
        open here ('Lukashenko said: "If things are quiet ... Any aggression will be met ..."'),
        else the last person named just before. A speech verb set into the sentence as an
        aside ("Any strike on allied territory, he said, would be met with ...") names its
        speaker first."""
        aside = self._aside_speaker(st, sent)
        if aside is not None:
            return aside
        for cand in (sent, st.following(sent)):
            if cand is None:
                continue
            dash = _closing_dash(cand.text)
            if dash is not None:  # the text says who spoke: nobody else, if it names no actor
                return self._dash_speaker(st, cand, dash)
            found = self._named_with_speech(st, cand)
            if found is not None:
                return found
        opener = _quote_opened_in(st, sent)
        if opener is not None:
            pronoun = _PRONOUN_SAID.search(opener.text)
            found = (
                st.last_before(opener.start + pronoun.start(), "person")
                if pronoun is not None
                else self._named_with_speech(st, opener)
            )
            if found is not None:
                return found
        opening = _OPENING_PRONOUN.match(sent.text)
        if opening is not None:  # "He repeated that ...": see ``_pronoun_referent``
            return self._pronoun_referent(st, sent, opening.start(1))
        if (
            self._first_person_speaker(st, sent) is not None
            and not _PRONOUN_SAID.search(sent.text)
            and not (
                _ATTRIBUTED.search(sent.text)
                and any(m.actor.kind == "person" for m in st.mentions_in(sent))
            )
        ):
            # an official statement speaks in its issuer's voice unless it says someone else
            # speaks ("as he told his generals", "..., according to Putin"): the last person it
            # named is more often the adversary ("... hold President Putin accountable") than a
            # speaker
            return None
        back = st.previous(sent, 3)
        earliest = back[-1].start if back else sent.start
        person = st.last_before(sent.end, "person")
        return person if person is not None and person.start >= earliest else None

    def _aside_speaker(self, st: _DocState, sent: _Sentence) -> Mention | None:
        """The side of the subject of a speech verb the parser hangs on the clause as an aside
        (``parataxis``): "..., he said, would be met with ...", the pronoun resolved as any
        subject is."""
        if sent.doc is None:
            return None
        for tok in sent.doc:
            if (
                tok.dep_ == "parataxis"
                and tok.pos_ == "VERB"
                and tok.lemma_.lower() in self.speech_verbs
                and not _negated(tok)
            ):
                subj = _subject(tok)
                if subj is not None:
                    return self._resolve_actor(st, sent, subj)
        return None

    def _named_with_speech(self, st: _DocState, sent: _Sentence) -> Mention | None:
        """A person (else a body) named in a sentence with a speech verb ("Lukashenko said"),
        not one spoken to. A quotation closed by a dash ("... - said the US president") is
        its speaker's (``_dash_speaker``)."""
        dash = _closing_dash(sent.text)
        if dash is not None:
            return self._dash_speaker(st, sent, dash)
        if not _SAID.search(sent.text):
            return None
        inside = [
            m
            for m in st.mentions_in(sent)
            if m.actor.kind != "group"
            and not _ADDRESSED.search(st.doc.text[max(sent.start, m.start - 40) : m.start])
        ]
        persons = [m for m in inside if m.actor.kind == "person"]
        found = persons or inside
        return found[0] if found else None

    def _dash_speaker(self, st: _DocState, sent: _Sentence, dash: re.Match[str]) -> Mention | None:
        """Who closes a quotation with a dash ("... will be huge - argued the US president"):
        the actor named after the verb, never a side the quotation names; an office with no
        name ("the US president") is its holder named before, else its state; nobody when the
        words name no actor ("- said the expert")."""
        named = [
            m
            for m in st.mentions_between(sent.start + dash.start("who"), sent.end)
            if m.actor.kind != "group"
        ]
        persons = [m for m in named if m.actor.kind == "person"]
        if persons:
            return persons[0]
        words = re.findall(r"[\w'’]+", dash.group("who").lower())
        office = next((w for w in words if w in _HELD_OFFICES), None)
        if office is not None and not set(words) & _OFFICE_QUALIFIERS:
            country = next(
                (self.actors.demonyms[w] for w in words if w in self.actors.demonyms),
                named[0].actor.country if named else None,
            )
            held = self._office_holder_before(st, sent.start + dash.start(), office, country)
            if held is not None:
                return held
        return named[0] if named else None

    def _resolve_actor(self, st: _DocState, sent: _Sentence, subj: Any) -> Mention | None:
        """The actor a subject phrase names: a person wins over a state; "he" and "the
        minister" refer back to the last person named; commentators are nobody's voice."""
        head = subj.lower_
        if head in self.commentators:
            return None
        if subj.pos_ == "ADJ":  # "Russian warnings"
            nationality = self._demonym(sent, subj)
            if nationality is not None:
                return nationality
        s0 = sent.start + subj.left_edge.idx
        s1 = sent.start + subj.right_edge.idx + len(subj.right_edge.text)
        # names inside "the attack on Ukraine" are not the subject: skip prepositional objects
        outside = set()
        for c in subj.children:
            if c.dep_ in ("prep", "relcl", "acl"):
                outside |= {(sent.start + t.idx) for t in c.subtree}
        inside = [m for m in st.mentions_between(s0, s1) if m.start not in outside]
        persons = [m for m in inside if m.actor.kind == "person"]
        if persons:
            return persons[0]
        if inside:
            return inside[0]
        if head in _PERSON_PRONOUNS:
            return self._pronoun_referent(st, sent, subj.idx)
        if subj.lemma_.lower() in _OFFICIAL_NOUNS:
            # "a spokesman for China's Taiwan Affairs Office", "the foreign minister of Poland",
            # "the defence ministry in Warsaw": the side the office serves
            for c in subj.children:
                if c.dep_ == "prep" and c.lower_ in ("for", "of", "in"):
                    c0 = sent.start + c.left_edge.idx
                    c1 = sent.start + c.right_edge.idx + len(c.right_edge.text)
                    named = st.mentions_between(c0, c1)
                    holder = [m for m in named if m.actor.kind == "person"]
                    if holder:  # "Minister of Foreign Affairs Sergei Lavrov": the holder
                        return holder[0]
                    served = [
                        m for m in named if m.actor.kind in ("state", "organisation", "institution")
                    ]
                    if served:
                        return Mention(served[0].actor, s0, s1, _text_of(list(subj.subtree)))
        office_named = any(  # "Turkish President Recep Tayyip Erdogan": office, then name
            t.dep_ == "compound" and t.lemma_.lower() in _OFFICIAL_NOUNS for t in subj.subtree
        )
        if subj.lemma_.lower() in _OFFICIAL_NOUNS or office_named:
            phrase = _text_of(list(subj.subtree)).lower()
            for demonym, code in self.actors.demonyms.items():
                if re.search(rf"\b{demonym}\b", phrase):
                    actor = self.actors.actors.get(code)
                    if actor is not None:
                        return Mention(actor, s0, s1, _text_of(list(subj.subtree)))
        if subj.lemma_.lower() in _OFFICIAL_NOUNS:
            if any(c.dep_ == "poss" and c.lower_ in ("its", "their") for c in subj.children):
                # "Its defence ministry said ...": the state or organisation named last
                return st.last_before(sent.start + subj.idx, "state", "organisation")
            if subj.lemma_.lower() in _HELD_OFFICES:
                at = sent.start + subj.idx
                person = st.last_before(at, "person")
                titled = self._titled_before(st, at, _text_of(list(subj.subtree)))
                modifiers = [c.lower_ for c in subj.children if c.dep_ in ("amod", "compound")]
                if not set(modifiers) & _OFFICE_QUALIFIERS:
                    country = next(
                        (self.actors.demonyms[w] for w in modifiers if w in self.actors.demonyms),
                        None,
                    )
                    held = self._office_holder_before(st, at, subj.lemma_.lower(), country)
                    if held is not None and (titled is None or titled.start < held.start):
                        return held  # "the secretary": the last person named with that office
                if titled is not None and (person is None or person.start < titled.start):
                    # "Ukraine's Foreign Minister said ... The Foreign Minister went on":
                    # the office named last, when no person was named after it
                    return Mention(titled.actor, s0, s1, titled.text)
                return person
        return None

    def _demonym(self, sent: _Sentence, tok: Any) -> Mention | None:
        """The side ``tok`` names as a nationality ("Russian"), or None."""
        code = self.actors.demonyms.get(tok.lower_)
        actor = self.actors.actors.get(code) if code else None
        return _token_mention(sent, tok, actor) if actor is not None else None

    def _nationals(self, sent: _Sentence, tok: Any) -> Mention | None:
        """The side a noun for its people names ("the Russians", "the Chinese"), or None."""
        if tok.pos_ not in ("NOUN", "PROPN"):
            return None
        word = tok.lower_
        code = self.actors.demonyms.get(word) or (
            self.actors.demonyms.get(word[:-1]) if word.endswith("s") else None
        )
        actor = self.actors.actors.get(code) if code else None
        return _token_mention(sent, tok, actor) if actor is not None else None

    def _by_adjective(self, sent: _Sentence, noun: Any) -> Mention | None:
        """The side a noun's adjective names ("Indian troops", "a Russian drone"), or the
        state it is based in ("Pakistan-based militants"), or None."""
        for c in noun.children:
            named = self._demonym(sent, c) if c.dep_ == "amod" else None
            if named is None and c.dep_ == "amod" and c.lower_ == "based":
                named = next(filter(None, (self._state_named(sent, b) for b in c.lefts)), None)
            if named is not None:
                return named
        return None

    def _state_named(self, sent: _Sentence, tok: Any) -> Mention | None:
        """The state a single proper noun names by its gazetteer name ("Pakistan"), or None."""
        actor = self.actors.lookup(tok.text) if tok.pos_ == "PROPN" else None
        return _token_mention(sent, tok, actor) if actor and actor.kind == "state" else None

    def _pronoun_referent(self, st: _DocState, sent: _Sentence, offset: int) -> Mention | None:
        """Whom "he" or "she" at ``offset`` (in the sentence) names: the last person named
        before it, except that a pronoun opening the sentence goes on with the office the
        sentence before opened with as its subject ("The secretary clearly stated ... He
        repeated that ...": the secretary, not whoever that sentence named last). The holder
        may be named in that sentence itself ("The Russian president, Vladimir Putin, said
        ..."), and a nationality the office is given must be the holder's."""
        if sent.text[:offset].strip("\"“‘' -–—") == "":
            before = st.previous(sent, 1)
            opened = _OPENING_OFFICE.match(before[0].text) if before else None
            if opened is not None:
                modifier = (opened.group(1) or "").lower()
                if modifier not in _OFFICE_QUALIFIERS:  # "the former president": another
                    country = self.actors.demonyms.get(modifier)
                    held = self._office_holder_before(
                        st, before[0].end, opened.group(2).lower(), country
                    )
                    if held is not None:
                        return held
        last = st.last_before(sent.start + offset, "person")
        if last is not None and last.start >= sent.start:
            return last  # named in the same sentence ("Biden said ..., he explained")
        office = self._office_named_before(st, sent)
        return office if office is not None else last

    def _office_named_before(self, st: _DocState, sent: _Sentence) -> Mention | None:
        """The office of a side that the sentence before names with no person ("The U.S.
        defence secretary arrived in Seoul ...", "France's armed forces minister visited ...")
        and that "he" or "she" then goes on with: that side, in the office's words."""
        before = st.previous(sent, 1)
        if not before:
            return None
        prev = before[0]
        named = st.mentions_between(prev.start, prev.end)
        if any(m.actor.kind == "person" for m in named):
            return None
        for m in named:
            if m.actor.kind not in ("state", "organisation"):
                continue
            office = _OFFICE_AFTER.match(st.doc.text, m.end, prev.end)
            if office is not None:
                return Mention(m.actor, m.start, office.end(), st.doc.text[m.start : office.end()])
        return None

    def _office_holder_before(
        self, st: _DocState, at: int, office: str, country: str | None = None
    ) -> Mention | None:
        """The last person named before ``at`` (within ``_LOOKBACK`` characters) who held
        ``office`` ("secretary", "minister") when the text was published, by the gazetteer's
        titles ("Antony Blinken": Secretary of State) or by the title written right before the
        name ("Foreign Minister Dmytro Kuleba"); an office qualified otherwise is another ("press
        secretary", "prime minister", "former president"). With ``country``, only a holder of
        that country's office."""
        lo = max(0, at - _LOOKBACK)
        on = st.doc.published
        for m in reversed(st.mentions_between(lo, at)):
            if m.actor.kind != "person":
                continue
            if country is not None and m.actor.country_on(on) != country:
                continue
            titles = [r.title for r in m.actor.roles if r.title and r.held_on(on)]
            written = _TITLE_BEFORE_NAME.search(st.doc.text[max(lo, m.start - 40) : m.start])
            if any(_holds(t, office) for t in titles) or (
                written is not None and _holds(written.group(0), office)
            ):
                return m
        return None

    def _titled_before(self, st: _DocState, at: int, title: str) -> Mention | None:
        """The state whose office ``title`` ("the Foreign Minister") the text last named
        before ``at`` ("Ukraine's Foreign Minister", "the Ukrainian foreign minister")."""
        words = re.sub(r"^(the|a|an)\s+", "", title.strip(), flags=re.IGNORECASE)
        if not words:
            return None
        lo = max(0, at - 5000)
        found = list(
            re.finditer(
                rf"(?i:\b([a-z][\w.]+(?:\s+[a-z][\w.]+)?)(?:['’]s)?\s+{re.escape(words)}\b)",
                st.doc.text[lo:at],
            )
        )
        for m in reversed(found):  # the nearest mention that names a state: "Ukraine's ..."
            for name in (m.group(1), m.group(1).split()[-1]):
                code = self.actors.demonyms.get(name.lower())
                actor = self.actors.actors.get(code) if code else self.actors.lookup(name)
                if actor is not None and actor.kind in ("state", "organisation"):
                    return Mention(actor, lo + m.start(), lo + m.end(), m.group(0))
        return None

    def _event_date(self, st: _DocState, sent: _Sentence) -> tuple[date | None, str]:
        """When the act a sentence reports happened: the time it names, else the publication
        date, except for a past act a timeline tells in the present (``_narrative_date``)."""
        when = dates.resolve(sent.text, st.doc.published, st.doc.published_precision)
        if (when is None or when.value is None) and self._told_in_present(sent):
            anchored = self._narrative_date(st, sent)
            if anchored is not None:
                return anchored
        return date_or_publication(when, st.doc)

    def _parse_alone(self, sent: _Sentence) -> None:
        """Parse one sentence the extractor left unparsed (rarely needed: see callers)."""
        nlp = getattr(self, "nlp", None)
        if sent.doc is None and nlp is not None:
            parse_sentences(nlp, [sent], lambda _: None)

    def _told_in_present(self, sent: _Sentence) -> bool:
        """Is the sentence's main verb a simple present act ("Days later he formally annexes
        four regions"), not said, not "is" or "has", without an auxiliary, outside quotation
        marks and not "now"?"""
        root = _simple_present(sent)
        if root is None or _OF_THE_DAY.search(sent.text):
            return False
        lemma = root.lemma_.lower()
        return (
            (lemma not in self.speech_verbs or lemma in _DECIDING)
            and lemma not in ("be", "have")
            and not any(q in sent.text for q in ('"', "“", "”"))
        )

    def _narrative_date(self, st: _DocState, sent: _Sentence) -> tuple[date | None, str] | None:
        """A timeline tells past acts in the present and dates some of them ("In September
        2022, Ukraine launches a counter-offensive ... Days later Russia formally annexes four
        regions"). An undated act told in the present, with such a dated entry among the ten
        sentences before it (told in the present, a time of its own over a fortnight before
        publication, not after "since"), is a timeline's entry: within three sentences of the
        entry it takes the entry's month; further on, no date (it happened some time before
        the article; a chapter's months drift). None when there is no dated entry: ordinary
        news in the present ("The United States sends Ukraine another package") keeps the
        publication date. News only: a statement's present is its day."""
        published = st.doc.published
        if published is None or st.doc.genre != "news":
            return None
        for distance, prev in enumerate(st.previous(sent, 10), start=1):
            when = dates.resolve(prev.text, published, st.doc.published_precision)
            if when is None or when.value is None or when.precision not in ("day", "month"):
                continue
            self._parse_alone(prev)  # the classifier may have passed it by unparsed
            if _simple_present(prev) is None:
                continue  # an entry of a timeline is told in the present whatever its verb
            at = prev.text.find(when.text) if when.text else -1
            if at >= 0 and _SINCE_BEFORE.search(prev.text[max(0, at - 40) : at]):
                continue  # "since February 24, 2022": a reference point, not the timeline's
            if (published - when.value).days > 14:
                if distance > _NEAR_ENTRY:
                    return None, "unknown"
                return when.value.replace(day=1), "month"
        return None

    def _realised(self, tok: Any, *, announced_now: bool = False) -> bool:
        """Did the action happen (past, not negated, not modal, not hypothetical, not planned)?
        ``announced_now``: also an act done as it is said, in the present of an official
        announcement ("Today the United States is sanctioning ...", "I am announcing new
        sanctions", "we hereby impose"; codebook, section 5)."""
        if _negated(tok):
            return False
        aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
        if any(a.lower_ in _NOT_REALISED_MODALS or a.lower_ == "to" for a in aux):
            return False
        past = tok.tag_ in ("VBD", "VBN") or any(
            a.lower_ in ("did", "has", "have", "had") for a in aux
        )
        if not past and not (announced_now and done_as_said(tok, self.not_yet_marks)):
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


class _DocState:
    """Per-document lookups shared by the rules: sentences, actor mentions, salience.

    The mentions come from ``ActorGazetteer.find``: left to right and never overlapping, so
    their starts and their ends both ascend. Each lookup bisects on them and looks only at the
    mentions it returns or steps over (``examined`` counts them): extracting a document costs
    time in proportion to its length, where a scan of every mention for each sentence cost its
    length squared (a 12 MB document took 89 s against 7 s for 1 MB).
    """

    def __init__(self, doc: DocumentInput, sentences: list[_Sentence], mentions: list[Mention]):
        self.doc = doc
        self.sentences = sentences
        self.mentions = mentions
        # the lines the document as a whole is about, and who issues it (a joint statement has
        # several issuers): the learned extractor fills each once
        self.document_triggers: list[tuple[str, str]] | None = None
        self.issuers: list[knowledge.Actor] | None = None
        if any(a.end > b.start for a, b in zip(mentions, mentions[1:], strict=False)):
            raise ValueError("mentions must run left to right without overlapping")
        self._starts = [m.start for m in mentions]
        self._ends = [m.end for m in mentions]
        # per actor kind: the positions in ``mentions`` of that kind's mentions, and their ends
        self._kinds: dict[str, tuple[list[int], list[int]]] = {}
        for i, m in enumerate(mentions):
            positions, ends = self._kinds.setdefault(m.actor.kind, ([], []))
            positions.append(i)
            ends.append(m.end)
        # per actor: the starts of its mentions, and the sentences' starts (for ``earlier_of``)
        self._actors: dict[str, list[int]] = {}
        for m in mentions:
            self._actors.setdefault(m.actor.key, []).append(m.start)
        self._sentence_starts = [s.start for s in sentences]
        self.examined = 0  # mentions the lookups looked at (tests check it grows linearly)

    def sentence_at(self, start: int) -> _Sentence | None:
        """The sentence that begins at character ``start``, if one does."""
        i = bisect_left(self._sentence_starts, start)
        found = i < len(self.sentences) and self._sentence_starts[i] == start
        return self.sentences[i] if found else None

    def earlier_of(self, key: str, start: int, end: int) -> Iterator[_Sentence]:
        """The sentences naming actor ``key`` between the characters ``start`` and ``end``,
        nearest ``end`` first (one per mention)."""
        starts = self._actors.get(key, [])
        for i in range(bisect_left(starts, end) - 1, bisect_left(starts, start) - 1, -1):
            self.examined += 1
            at = bisect_right(self._sentence_starts, starts[i]) - 1
            if at >= 0:
                yield self.sentences[at]

    def previous(self, sent: _Sentence, n: int) -> list[_Sentence]:
        """Up to ``n`` sentences before ``sent``, nearest first."""
        return [self.sentences[i] for i in range(sent.index - 1, max(sent.index - n, 0) - 1, -1)]

    def following(self, sent: _Sentence) -> _Sentence | None:
        nxt = sent.index + 1
        return self.sentences[nxt] if nxt < len(self.sentences) else None

    def last_before(self, offset: int, *kinds: str) -> Mention | None:
        """The last actor of one of ``kinds`` named before ``offset``."""
        last = -1
        for kind in kinds:
            positions, ends = self._kinds.get(kind, ([], []))
            n = bisect_right(ends, offset)  # this kind's mentions ending by ``offset``
            if n:
                last = max(last, positions[n - 1])
                self.examined += 1
        return self.mentions[last] if last >= 0 else None

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        """Actors named wholly inside the characters ``start`` to ``end``, left to right."""
        lo, hi = bisect_left(self._starts, start), bisect_right(self._ends, end)
        found = self.mentions[lo:hi] if hi > lo else []
        self.examined += len(found)
        return found

    def mentions_in(self, sent: _Sentence, *kinds: str) -> list[Mention]:
        """Actors named in ``sent`` (of ``kinds``, when given), left to right."""
        lo = bisect_left(self._starts, sent.start)
        hi = bisect_left(self._starts, sent.end, lo)
        self.examined += hi - lo
        return [m for m in self.mentions[lo:hi] if not kinds or m.actor.kind in kinds]

    def first_mention(self, sent: _Sentence, tok: Any) -> Mention | None:
        """The first actor named wholly inside ``tok``'s phrase."""
        s0 = sent.start + tok.left_edge.idx
        s1 = sent.start + tok.right_edge.idx + len(tok.right_edge.text)
        i = bisect_left(self._starts, s0)
        if i == len(self.mentions):
            return None
        self.examined += 1
        # the first mention starting inside ends first: if it overruns the phrase, all do
        return self.mentions[i] if self.mentions[i].end <= s1 else None


# ---------------------------------------------------------------------- token helpers


def _quote_opened_in(st: _DocState, sent: _Sentence) -> _Sentence | None:
    """The earlier sentence that opened a quotation still open where ``sent`` begins, within
    ``_QUOTE_REACH`` characters: the last curly opening mark not closed since, or, with straight
    marks, the last of an odd number of them in the paragraph so far. None when no quotation
    is open (or it opened inside ``sent`` itself)."""
    lo = max(0, sent.start - _QUOTE_REACH)
    before = st.doc.text[lo : sent.start]
    opened = before.rfind("“")
    if opened < 0 or opened < before.rfind("”"):
        # straight marks open and close alike: count them from where none is open, the start
        # of the paragraph; a paragraph that begins before the window is not counted
        paragraph = before.rfind("\n")
        if paragraph < 0 and lo > 0:
            return None
        marks = before.count('"', paragraph + 1)
        if marks % 2 == 0:
            return None
        opened = before.rfind('"')
    at = lo + opened
    for prev in st.previous(sent, _QUOTE_SENTENCES):
        if prev.start <= at < prev.end:
            return prev
    return None


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


def _one_per_side(found: list[ThreatItem]) -> list[ThreatItem]:
    """One sentence, one threat per side and line: "The United States has warned Russia that
    any use ... would bring catastrophic consequences, Jake Sullivan said" is one statement of
    the US, whether read from "warned" or from "said" (the issue's "the same statement is
    extracted two or three times"). The first reading is kept; a joint statement's issuers,
    being other sides, each keep theirs."""
    seen: set[tuple[int, str, str | None]] = set()
    out = []
    for t in found:
        side = t.speaker_country or f"speaker:{t.speaker}"
        key = (t.provenance.sentence_start, side, t.trigger_key)
        if key in seen:
            continue
        seen.add(key)
        out.append(t)
    return out


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


def _is_circumstance(tok: Any) -> bool:
    """Is ``tok`` an adverbial clause that says when or why, not what ("..., as the attack
    began"): one opened by "when", "as", "after", ... (not "once", which can be a condition)?"""
    return bool(tok.dep_ == "advcl") and any(
        g.dep_ in ("mark", "advmod") and g.lower_ in _FACTUAL_CLAUSE - {"once"}
        for g in tok.children
    )


def _circumstances(toks: Sequence[Any]) -> set[int]:
    """Token ids of the clauses inside ``toks`` that say when or why, not what ("... would lead
    to consequences, as the attack began")."""
    out: set[int] = set()
    for t in toks:
        if _is_circumstance(t):
            out |= _subtree_ids(t)
    return out


def _adjuncts(verb: Any) -> set[int]:
    """Token ids of a verb's adverbials, dates, punctuation and actor objects (not the consequence)."""
    out: set[int] = set()
    for c in verb.children:
        if _is_circumstance(c):  # "... as he reviewed the exercise": not the consequence
            out |= _subtree_ids(c)
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


def token_at_offset(sent: _Sentence, offset: int) -> Any | None:
    """The parsed token holding character ``offset`` of the sentence, or None (no parse, or
    between tokens)."""
    if sent.doc is None:
        return None
    return next((t for t in sent.doc if t.idx <= offset < t.idx + len(t.text)), None)


def token_of(sent: _Sentence, mention: Mention) -> Any | None:
    """The parsed token where ``mention`` starts, or None (no parse, or between tokens)."""
    return token_at_offset(sent, mention.start - sent.start)


def name_chain(sent: _Sentence, mention: Mention) -> list[int]:
    """The tokens (indices in the sentence's parse) a mention names: its own, then up past
    the article, names and adjectives it is compounded with ("the German government":
    "German", then "government"; "a DPRK nuclear test": "DPRK", then "test"). Empty without
    a parse."""
    tok = token_of(sent, mention)
    chain = [tok.i] if tok is not None else []
    while (
        tok is not None
        and tok.dep_ in ("det", "compound", "flat", "amod", "nmod", "poss")
        and tok.head.i != tok.i
    ):
        tok = tok.head
        chain.append(tok.i)
    return chain


def mention_naming(
    mentions: Sequence[Mention], sent: _Sentence, toks: Sequence[Any]
) -> Mention | None:
    """The first of ``mentions`` that names one of ``toks`` itself (``name_chain`` reaches it:
    "the West", "the German government"), not a party somewhere deeper in their phrases."""
    return next((m for m in mentions if any(t.i in name_chain(sent, m) for t in toks)), None)


def _token_mention(sent: _Sentence, tok: Any, actor: knowledge.Actor) -> Mention:
    """``actor`` named by the single token ``tok`` of ``sent``."""
    start = sent.start + tok.idx
    return Mention(actor, start, start + len(tok.text), tok.text)


def _negated(tok: Any) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


# what marks a present-tense act as done in the saying of it
_NOW = frozenset({"today", "now", "hereby"})
# the harms an official announcement inflicts as it is made ("today we are imposing ..."): of
# ``_PUNITIVE_ACTS``, those that are harms in themselves ("we are launching a partnership" is not)
_ANNOUNCED_ACTS = frozenset(
    {"impose", "sanction", "freeze", "ban", "expel", "suspend", "cut", "halt", "block", "seize"}
    | {"sever", "deploy"}
)
# verbs that announce whatever their object is: a harm only when the object names one
# ("announcing new sanctions", not "announcing a plan" or "an aid package")
_ANNOUNCING_HARM = frozenset({"announce", "introduce", "adopt"})
_HARM_OBJECT = re.compile(
    r"\b(sanction|restriction|measure|ban|embargo|tariff|penalt|export control)", re.IGNORECASE
)
# nouns that hold a harm "of" something: "a package (round, set) of sanctions"
_HARM_HOLDERS = frozenset({"package", "round", "set", "wave", "series", "raft", "slate", "batch"})


def _names_harm(noun: Any) -> bool:
    """Does the noun phrase headed by ``noun`` name a harm: its head or a compound of it
    ("new sanctions", "export controls"), or what a package of them holds ("a package of
    sanctions"), not what it only mentions ("a plan to impose sanctions")?"""
    words = sorted([noun, *(c for c in noun.children if c.dep_ == "compound")], key=lambda t: t.i)
    if _HARM_OBJECT.search(" ".join(w.text for w in words)):
        return True
    if noun.lemma_.lower() in _HARM_HOLDERS:
        of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        held = next((c for c in of.children if c.dep_ == "pobj"), None) if of else None
        return held is not None and _names_harm(held)
    return False


# words that put an act in the time to come: a plan, not an act done as it is said
_LATER = frozenset({"tomorrow", "next", "soon", "later", "coming", "upcoming", "future"})


def words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """Any of ``words`` (phrases allowed: "in case") as whole words, in any case."""
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, words))) + r")\b", re.IGNORECASE)


def done_as_said(tok: Any, not_yet: frozenset[str]) -> bool:
    """Is ``tok`` a present act of the speaker's own announcement: progressive ("is
    sanctioning", "am announcing new sanctions"), or simple present with "today", "now" or
    "hereby" ("we hereby impose"), of a harm (``_ANNOUNCED_ACTS``; "announce", "introduce" and
    "adopt" only with a harm as object) in a main clause (not what someone "said that Russia is
    suspending")? Not under a condition ("we are imposing sanctions if Russia invades": a
    threat), not in the time to come ("next week we are imposing ..."), not in a question.
    ``not_yet``: the marks of a condition or a time to come (``RuleBase.not_yet_marks``)."""
    lemma = tok.lemma_.lower()
    if lemma in _ANNOUNCING_HARM:
        objects = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
        if not any(_names_harm(o) for o in objects):
            return False
    elif lemma not in _ANNOUNCED_ACTS:
        return False
    if any(a.dep_ in ("ccomp", "advcl", "relcl", "acl", "xcomp") for a in [tok, *tok.ancestors]):
        return False
    if tok.doc.text.rstrip().rstrip("\"”’'").endswith("?"):
        return False
    if any(
        (t.lower_ in not_yet and t.dep_ in ("mark", "advmod")) or t.lower_ in _LATER
        for t in tok.subtree
    ):
        return False
    aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    if tok.tag_ == "VBG" and any(
        a.lower_ in ("is", "am", "are", "'re", "’re", "'m", "’m") for a in aux
    ):
        return True
    return tok.tag_ in ("VBP", "VBZ") and any(
        c.lower_ in _NOW for c in tok.children if c.dep_ in ("advmod", "npadvmod")
    )


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
    """The verb's subtree without its coordinated verbs (they say something else), nor a
    finite verb the parser hung on an infinitive below it ("threatened to strike British
    facilities and ordered nuclear drills": the ordering is a reported act, not threatened)."""
    skip: set[int] = set()
    for c in verb.children:
        if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"):
            skip |= _subtree_ids(c)
    for t in verb.subtree:
        if (
            t.dep_ == "conj"
            and t.pos_ == "VERB"
            and t.tag_ in ("VBD", "VBZ")
            and t.head.tag_ == "VB"
            and t.head.i != verb.i
        ):
            skip |= _subtree_ids(t)
    return [t for t in verb.subtree if t.i not in skip]


def _subtree_ids(tok: Any) -> set[int]:
    return {t.i for t in tok.subtree} if tok is not None else set()


# A name right after these words is whom a statement addresses or quotes, not its speaker
# ("Russia warns the United States", "quoted by The Washington Post").
_ADDRESSED = re.compile(
    r"\b(warn\w*|threaten\w*|told|tells|urg\w+|against|to|at|by|with|for|of|on)\s+(the\s+)?$",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(r"\b(it|them|this|that|these|those|so|one)\b", re.IGNORECASE)


def _closing_dash(text: str) -> re.Match[str] | None:
    """The dash and speech verb that close a quotation ("... - argued the US president."),
    with the words naming who spoke (group ``who``), or None."""
    return _DASH_SAID.search(text.rstrip(' ."”'))


def _text_of(toks: Sequence[Any]) -> str:
    if not toks:
        return ""
    toks = sorted(toks, key=lambda t: t.i)
    original = toks[0].doc.user_data.get("original")  # a headline parsed title-cased
    parts: list[str] = []
    for n, t in enumerate(toks):
        piece = (
            original[t.idx : t.idx + len(t.text_with_ws)]
            if original is not None
            else t.text_with_ws
        )
        if n and t.i != toks[n - 1].i + 1 and not parts[-1][-1:].isspace():
            parts.append(" ")  # words the selection skips between ("unanswered, he said, at")
        parts.append(piece)
    return "".join(parts).strip()


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
    # a relative clause describes the consequence, it does not deny it ("consequences you have
    # never seen in history")
    described = {x.i for t in toks if t.dep_ == "relcl" for x in t.subtree}
    main = _text_of([t for t in toks if t.i not in described]) if described else text
    if re.search(
        r"\b(no (intention|plans?)|not going to|never|no one|nobody|off the table)\b", main, re.I
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
    return quoted_at(sentence, base + m.start())


def quoted_at(sentence: str, pos: int) -> bool:
    """Is the character at ``pos`` inside a pair of quotation marks of ``sentence``?"""
    return any(q.start() <= pos < q.end() for q in _QUOTE_PAIRS.finditer(sentence))


def date_or_publication(
    when: dates.Resolved | None, doc: DocumentInput, *, statement: bool = False
) -> tuple[date | None, str]:
    """The time a sentence names, else the publication date. A statement recalled in an opinion
    piece without a time is left undated: the article may be years younger than the threat."""
    if when is not None and when.value is not None:
        return when.value, when.precision
    if statement and doc.genre == "opinion":
        return None, "unknown"
    return doc.published, doc.published_precision if doc.published else "unknown"


# a statement the report recalls from an unstated earlier time ("has previously warned",
# "had threatened", "has repeatedly said"): its date is not the report's
_RECALLED = re.compile(
    r"\b(?:previously|in the past|repeatedly|has long|have long|had long)\b"
    r"|\bhad (?:\w+ )?(?:warned|threatened|vowed|said|pledged|promised|cautioned)\b",
    re.IGNORECASE,
)


def statement_date(
    when: dates.Resolved | None, doc: DocumentInput, sentence: str
) -> tuple[date | None, str]:
    """When a statement was made: the time its sentence names, else the publication date,
    except where the text recalls it from an unstated earlier time (an opinion piece's
    memory, ``_RECALLED`` in any genre): then undated (codebook §1: not the publication date
    when the text says it was said before)."""
    if (when is None or when.value is None) and _RECALLED.search(sentence):
        return None, "unknown"
    return date_or_publication(when, doc, statement=True)


def _stronger(a: str, b: str) -> bool:
    return CONSEQUENCE_ORDER.index(a) < CONSEQUENCE_ORDER.index(b)


def _display_name(actor: knowledge.Actor, text: str) -> str:
    """How the ledger names who spoke or acted: a person by name, a state or body as the text
    names it, without "the" ("the Kremlin" -> "Kremlin"); a name set in capitals
    ("RUSSIA WARNS ...") by the gazetteer's name."""
    if actor.kind == "person" or text.isupper():
        return actor.name
    return _strip_the(text)


def _strip_the(text: str) -> str:
    return re.sub(r"^(the|The)\s+", "", text.strip()).rstrip(",")


def _trim(text: str, limit: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
