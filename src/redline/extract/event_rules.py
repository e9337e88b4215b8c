"""Crossing and response rules: realised acts that cross a line, and punitive acts that answer one."""

from __future__ import annotations

import re
from typing import Any

from redline.extract.base import (
    EventItem,
    Provenance,
)
from redline.extract.syntax import (
    _ANNOUNCING_VERBS,
    _DELIVERY_VERBS,
    _GENERIC_OBJECTS,
    _LATER,
    _NOT_REALISED_MODALS,
    _NOW,
    _PRONOUN_SAID,
    _PUNITIVE_ACTS,
    CONTEXT_SENTENCES,
    Mention,
    RuleBase,
    _DocState,
    _negated,
    _quote_opened_in,
    _Sentence,
    _strip_the,
    _subject,
    _subtree_ids,
    _text_of,
    _token_span,
    _verb_at,
    done_as_said,
    quoted_at,
)
from redline.vocab import LineSource


class EventRules(RuleBase):
    """Crossings (realised or announced acts that cross a line) and responses (punitive acts)."""

    # ------------------------------------------------------------------ crossings

    def _crossings(self, st: _DocState, sent: _Sentence) -> list[EventItem]:
        out: dict[str, EventItem] = {}

        # the verb nearest the trigger wins: in "governments began ... after Russian forces
        # launched an invasion" the invasion is launched, not begun, and by Russian forces; a
        # verb whose own phrase names the line comes before one that only shares its sentence
        # ("Russia launched its largest assault on Ukraine since this war began": launched)
        def order(t: Any) -> tuple[bool, int]:
            phrase = list(t.subtree)
            return (not self.triggers.match(_text_of(phrase)), len(phrase))

        verbs = [
            t
            for t in sent.doc
            if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in self.crossing_lemmas
        ]
        for tok in sorted(verbs, key=order):
            lemma = tok.lemma_.lower()
            announcer = None
            member: Mention | None = None  # the party welcomed as a member: the one who joins
            phrase = tok  # the verb whose phrase the item spans (and whose day dates it)
            if lemma == "welcome":
                welcomed = self._welcomed_member(st, sent, tok)
                if welcomed is None:
                    continue
                member, phrase = welcomed
            elif not self._realised(tok):
                announcer = self._announced_delivery(st, sent, tok)
                if announcer is None:
                    continue
                # codebook §2: an announced decision is dated to the decision ("agreed on
                # Wednesday to send ...", "on Wednesday announced it would send ...")
                phrase = tok.head
            key, context = self._crossing_trigger(st, sent, tok, lemma)
            if key is None or key in out:
                continue
            subj = _subject(tok)
            actor = self._resolve_actor(st, sent, subj) if subj is not None else None
            if actor is None and subj is not None:
                actor = self._by_adjective(sent, subj)  # "Ukrainian troops pushed into ..."
            actor = member or actor or announcer
            on, precision = self._event_date(st, sent)
            target = (
                "UKR"
                if re.search(r"\b(Ukraine|Kyiv|Kiev)\b", _text_of(list(tok.subtree)))
                else None
            )
            out[key] = EventItem(
                provenance=Provenance(
                    sent.start,
                    sent.end,
                    *_token_span(sent, phrase, list(phrase.subtree)),
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
                line_from=LineSource.SENTENCE if context is None else LineSource.EARLIER,
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

    def _welcomed_member(
        self, st: _DocState, sent: _Sentence, tok: Any
    ) -> tuple[Mention, Any] | None:
        """ "NATO welcomed Finland as its 31st member on Tuesday", "Today we are pleased to
        welcome Sweden as the newest member of NATO", "Today we welcome Sweden into the
        alliance": a welcome as a member reports the accession of the party welcomed (codebook
        §2: an accession to an alliance, by that party). Returns (the party, the verb whose
        phrase dates the act: the present "are pleased" of a welcome done as it is said), or
        None when the welcome is not done (negated, to come, hoped for: "would welcome Ukraine as a member one day", "look
        forward to welcoming") or not as a member ("welcomed Finland's decision")."""
        if _negated(tok) or any(t.lower_ in _LATER for t in tok.subtree):
            return None
        aux = {c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass")}
        head = tok.head
        if tok.dep_ == "xcomp" and aux == {"to"} and _present_feeling(head):
            phrase = head.head if head.dep_ == "acomp" else head  # "we are pleased to welcome"
        elif aux & _NOT_REALISED_MODALS:
            return None
        elif self._realised(tok) or (
            tok.tag_ in ("VBP", "VBZ")
            and any(c.lower_ in _NOW for c in tok.children if c.dep_ in ("advmod", "npadvmod"))
        ):
            phrase = tok  # "welcomed Finland ... on Tuesday", "today we welcome Sweden ..."
        else:
            return None
        as_member = any(
            (p.lower_ == "as" and g.lemma_.lower() in _MEMBERSHIP)
            or (p.lower_ in ("to", "into") and _ALLIANCE.search(_text_of(list(g.subtree))))
            for p in tok.children
            if p.dep_ == "prep"
            for g in p.children
            if g.dep_ == "pobj"
        )
        welcomed = next((c for c in tok.children if c.dep_ == "dobj"), None)
        if not as_member or welcomed is None:
            return None
        member = self._resolve_actor(st, sent, welcomed)
        return (member, phrase) if member is not None else None

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

    def _responses(
        self, st: _DocState, sent: _Sentence, *, announced_only: bool = False
    ) -> list[EventItem]:
        """An act presented as a reaction ("in response to", "retaliated"), or, without such a
        cue, a realised punitive act ("froze the assets", "cut them off", "held drills") whose
        concrete consequence the linker can hold against a threat on the same trigger; an act
        done as it is announced ("today we are imposing ...") counts as realised.
        ``announced_only``: only such an announced act."""
        cue = self.response_cue.search(sent.text)
        if cue is not None:
            verb = _verb_at(sent.doc, cue.start())
            after = sent.text[cue.end() :]
        else:
            verb = next(
                (
                    t
                    for t in sent.doc
                    if t.pos_ == "VERB"
                    and t.lemma_.lower() in _PUNITIVE_ACTS
                    and self._realised(t, announced_now=True)
                ),
                None,
            )
            after = sent.text
        if verb is None or not self._realised(verb, announced_now=True):
            return []
        if announced_only and not done_as_said(verb, self.not_yet_marks):
            return []
        if any(
            t.lemma_.lower() in self.speech_verbs and t.dep_ in ("advcl", "ccomp", "xcomp")
            for t in verb.children
        ):
            return []  # "responded to the meeting, stating that ...": words, not an act
        subj = _subject(verb)
        if subj is not None and subj.dep_ == "nsubjpass":
            # "were sanctioned by the State Department": the doer is the agent, not the
            # subject (the target); with no agent, no doer
            subj = _agent(verb)
        actor = None
        if subj is not None and self._speaks_as_issuer(st, subj):
            # "we have imposed ...", "I am announcing ...": an official statement's issuer,
            # unless the words are someone else's (quoted, or in a quotation opened earlier:
            # '"Today we are deploying brigades," he told me' is whoever is quoted)
            quoted = (
                quoted_at(sent.text, subj.idx)
                or _quote_opened_in(st, sent) is not None
                or _PRONOUN_SAID.search(sent.text) is not None
            )
            actor = (
                self._attributed_speaker(st, sent)
                if quoted
                else self._first_person_speaker(st, sent)
            )
        if actor is None and subj is not None:
            actor = self._resolve_actor(st, sent, subj)
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
        on, precision = self._event_date(st, sent)
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
                line_from=LineSource.SENTENCE if context is None else LineSource.EARLIER,
            )
        ]


# what a party is welcomed as when it joins an alliance, and the alliance it is welcomed into
_MEMBERSHIP = frozenset({"member", "ally", "nation", "country", "state"})
_ALLIANCE = re.compile(r"\b(?:nato|alliance|north atlantic)\b", re.IGNORECASE)


def _present_feeling(head: Any) -> bool:
    """Is ``head`` a present feeling of the speaker, under which an act is done as it is said
    ("we are pleased to welcome", "she is glad to welcome"): an adjective after a present "be",
    or a passive participle with a present "be", not negated?"""
    if _negated(head):
        return False
    if head.dep_ == "acomp" and head.pos_ == "ADJ":
        be = head.head
        return be.lemma_ == "be" and be.tag_ in ("VBP", "VBZ") and not _negated(be)
    return head.tag_ == "VBN" and any(
        c.dep_ == "auxpass" and c.tag_ in ("VBP", "VBZ") for c in head.children
    )


def _agent(verb: Any) -> Any | None:
    """The doer of a passive verb: the object of its "by" phrase."""
    for c in verb.children:
        if c.dep_ == "agent":
            return next((g for g in c.children if g.dep_ == "pobj"), None)
    return None
