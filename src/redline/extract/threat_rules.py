"""Threat rules: who warned whom, over what, with what consequence (reported speech,
declarations, named lines)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from redline.extract import dates
from redline.extract.base import (
    Provenance,
    ThreatItem,
)
from redline.extract.syntax import (
    _ADVISORY,
    _ATTRIBUTED,
    _EVENT_NOUNS,
    _FUTURE,
    _HEDGES,
    _HOSTILE_ACTS,
    _OFFICIAL_NOUNS,
    _RETALIATORY,
    _SAID,
    _SUFFERING,
    _THREAT_IDIOMS,
    _WILL,
    Mention,
    RuleBase,
    _adjuncts,
    _circumstances,
    _complement_negated,
    _display_name,
    _DocState,
    _explicitness,
    _negated,
    _own_subtree,
    _Sentence,
    _stronger,
    _subject,
    _subtree_ids,
    _text_of,
    _token_at,
    _token_span,
    _trim,
    statement_date,
)
from redline.knowledge import same_side


class ThreatRules(RuleBase):
    """Threats: reported speech ("X warned that ..."), declarations ("any attack will be met ..."), named lines."""

    # ------------------------------------------------------------------ threats

    def _threats(self, st: _DocState, sent: _Sentence) -> list[ThreatItem]:
        found: dict[str, ThreatItem] = {}
        for tok in sent.doc:
            if tok.pos_ not in ("VERB", "AUX") or not (
                tok.lemma_.lower() in self.speech_verbs or _issues_warning(tok) or _makes_clear(tok)
            ):
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
                ) or _by_whom(tok)  # "months of threats by Turkish President Erdogan that ..."
                if holder is not None:
                    item = self._threat_from_speech(st, sent, tok, subject=holder)
                    if item is not None:
                        found[item.speaker_key or ""] = item
        if not found:
            item = self._threat_from_declaration(st, sent) or self._ultimatum(st, sent)
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
        subj = subject if subject is not None else _subject(verb) or _closing_name(verb)
        if subj is None:
            return None
        speaker = self._resolve_actor(st, sent, subj)
        if speaker is None and subj.lower_ in ("we", "us", "i"):
            speaker = self._attributed_speaker(st, sent)
        if speaker is None and not self._unplaced_official(subj):
            return None
        complement = [t for t in _own_subtree(verb) if t.i not in _subtree_ids(subj)]
        against = _warned_against(verb)
        if against and not self.triggers.match(_text_of(against)):
            against = []  # "warned against all travel to Russia": advice, not a line
        condition = against or self._condition(complement) or _line_subject(complement)
        cond_ids = {t.i for t in condition} | self._trigger_subjects(complement)
        cond_ids |= _circumstances(complement)
        consequence_toks = [
            t
            for t in complement
            if t.i not in cond_ids and t.i != verb.i and t.i not in _adjuncts(verb)
        ]
        if speaker is None:
            # "Lithuania will ban ... if Minsk ..., the prime minister said": the side that
            # will act, named as the consequence's subject, is the unplaced official's
            speaker = self._acting_state(st, sent, consequence_toks, subj)
            if speaker is None:
                return None
        consequence_text = _text_of(consequence_toks)
        cls, cmatch = self._classify(consequence_text)
        if cls is None and (against or self._names_line(sent, consequence_text)):
            # "X warns Y against Z", "Z is a red line for us": a line, its consequence unstated
            cls = "vague"  # "X warns Y against Z": a threat over Z, its consequence unstated
        if cls is None and _threatened_act(verb):
            # "threatened to close all borders", "to shell the tree": a harm the lexicon lacks;
            # the verb says it is threatened, so it is kept, its class unknown ("vague")
            cls = "vague"
        if cls is None or verb.dep_ == "relcl":
            return None  # "the actions Russia is threatening": a reference, not a statement
        if _ADVISORY.search(_text_of([c for c in verb.children if c.dep_ in ("dobj", "dative")])):
            return None  # "officials warned civilians to prepare for ...": advice, not a threat
        if self._consequence_is_others(
            st, sent, consequence_toks, cmatch, consequence_text, speaker
        ) or self._about_itself_or_others(st, sent, condition, consequence_toks, speaker):
            return None
        lemma = verb.lemma_.lower()
        future = (
            any(
                t.lower_ in _FUTURE and (t.lower_ not in ("'d", "’d") or _will(t))
                for t in consequence_toks
            )
            or bool(
                re.search(
                    r"\b(ready|prepared) (to|for)\b|playing with fire", consequence_text, re.I
                )
            )
            or self._names_line(sent, consequence_text)
        )
        inherently_threat = lemma in (
            "warn",
            "threaten",
            "vow",
            "caution",
            "pledge",
            "promise",
        ) or _issues_warning(verb)
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
        if when is None or when.value is None:
            when = self._carried_date(st, sent, speaker)
        stated, precision = statement_date(when, st.doc, sent.text)
        return ThreatItem(
            provenance=Provenance(sent.start, sent.end, span[0], span[1], sent.text, context),
            speaker=_display_name(speaker.actor, speaker.text),
            speaker_key=speaker.actor.key,
            speaker_country=speaker.actor.country_on(stated or st.doc.published),
            consequence_text=_trim(consequence_text),
            stated_date=stated,
            stated_precision=precision,
            confidence=round(min(confidence, 0.95), 2),
            extractor=self.version,
            **fields,
        )

    def _carried_date(
        self, st: _DocState, sent: _Sentence, speaker: Mention
    ) -> dates.Resolved | None:
        """A news report dates a statement once ("On Friday, Ryabkov said ...") and goes on
        without a date ("'We warn the United States ...,' Ryabkov said"): an undated threat
        takes the date of the nearest of the six sentences before it that names its speaker's
        side with a time of the last fortnight. Not in statements or interviews, whose own
        date is the statement's."""
        published = st.doc.published
        if published is None or st.doc.genre != "news" or st.doc.published_precision != "day":
            return None
        side = speaker.actor.country_on(published)

        def dated(prev: _Sentence) -> dates.Resolved | None:
            when = dates.resolve(prev.text, published, st.doc.published_precision)
            if (
                when is not None
                and when.value is not None
                and when.precision == "day"
                and 0 <= (published - when.value).days <= 14
            ):
                return when
            return None

        just_before = st.previous(sent, 1)
        if speaker.actor.kind == "person" and just_before:
            # the sentence just before reports the same person's statement with its own date
            # ("In March 2022, ... Mr Biden vowed that ...") and this one quotes it on: that
            # date, however long ago (an older report's date, not the publication's)
            prev = just_before[0]
            when = dates.resolve(prev.text, published, st.doc.published_precision)
            if (
                when is not None
                and when.value is not None
                and when.precision in ("day", "month")
                and when.value <= published
                and (_SAID.search(prev.text) or _ATTRIBUTED.search(prev.text))
                and any(m.actor.key == speaker.actor.key for m in st.mentions_in(prev))
            ):
                return when
        for prev in st.previous(sent, 6):
            if any(m.actor.country_on(published) == side for m in st.mentions_in(prev)):
                when = dated(prev)
                if when is not None:
                    return when
        if speaker.actor.kind != "person":
            return None
        # further back (within _CARRY_CHARS), only the speaker in person: "On Friday, Ryabkov
        # stated ..." opens a report that quotes him again paragraphs later; the nearest such
        # date (looked up by the speaker's own mentions, so a long document stays linear)
        window = st.previous(sent, 6)
        end = window[-1].start if window else sent.start
        for prev in st.earlier_of(speaker.actor.key, sent.start - _CARRY_CHARS, end):
            when = dated(prev)
            if when is not None:
                return when
        return None

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
        if not any(c.dep_ in ("aux", "auxpass") and _will(c) for c in root.children) and not any(
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
        voice = subj is not None and self._speaks_as_issuer(st, subj)
        speaker: Mention | None = None
        attributed = False
        condition = self._condition(list(root.subtree))
        # "Any use by Russia of chemical weapons would result in ...": a subject that is the
        # condition names the other side's act, not who speaks
        subject_is_condition = subj is not None and subj.i in {t.i for t in condition}
        # "we", and in an official statement "I": the issuer's voice, once the text has not
        # said who speaks (a quotation of someone else is theirs)
        own_voice = subj is not None and (subj.lower_ == "we" or (voice and subj.lower_ == "i"))
        if voice and not own_voice:
            speaker = self._first_person_speaker(st, sent)  # "They stand ready ..." (joint)
        elif (
            subj is not None
            and not own_voice
            and not subject_is_condition
            and subj.lower_ not in ("it", "its", "this", "that", "there")
        ):
            speaker = self._resolve_actor(st, sent, subj)
        toks = [t for t in root.subtree if subj is None or t.i not in _subtree_ids(subj)]
        if speaker is None:
            impersonal = (
                subj is None
                or own_voice
                or subj.lower_ in ("it", "this", "that", "there")
                or bool({t.i for t in subj.subtree} & {t.i for t in condition})
                or subj.pos_ == "NOUN"
            )
            if not impersonal or not (condition or voice):
                return None
            if subj is not None and subj.lower_ in self.commentators:
                return None
            # a standing condition in an official statement's own clause ("Any use ... would
            # result in severe consequences") is its issuer's line (§5), whoever it named before
            speaker = self._first_person_speaker(st, sent) if subject_is_condition else None
            if speaker is None:
                speaker = self._attributed_speaker(st, sent)
            if speaker is None and voice:
                speaker = self._first_person_speaker(st, sent)  # first person: the issuer
            attributed = True
            toks = list(root.subtree)  # "its cost will be huge": the subject is the consequence
        if speaker is None or speaker.actor.kind == "group":
            return None
        if not condition and root.lemma_.lower() in ("continue", "keep", "remain"):
            return None  # "we will continue to impose sanctions": carrying on, a pledge
        cond_ids = {t.i for t in condition} | _circumstances(toks)
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
            # "we will respond in a united and decisive way": a vague answer takes the line the
            # document is about, when there is one; anything else is an announcement
            line = self._standing_line(st, speaker) if cls == "vague" else None
            if line is None:
                return None
            trigger_key, trigger_text = line
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

    def _ultimatum(self, st: _DocState, sent: _Sentence) -> ThreatItem | None:
        """ "We call on third countries to cease supplying Russia's army, or face severe costs":
        a demand put to another party whose alternative is a harm it will face is a threat
        (codebook §1: the harm depends on the addressee's act, here its not ceasing). The
        speaker is who demands, outright (the issuer for "we"; not "should urge", not "was
        urged", not a question); the addressee is another side, or a party named only by what
        it is ("third countries", "actors"); the harm is the speaker's to impose, not one that
        befalls the addressee from elsewhere ("or pay the price when missiles strike"). The
        trigger is what is demanded."""
        for alt in sent.doc:
            if not (
                alt.dep_ == "conj"
                and alt.tag_ == "VB"
                and alt.lemma_.lower() in _ULTIMATUM_HARMS
                and _opening_or(alt)
            ):
                continue
            demand = next(
                (a for a in (alt.head, *alt.head.ancestors) if a.lemma_.lower() in _DEMANDS),
                None,
            )
            if demand is None or _negated(demand) or not _outright(demand):
                continue
            subj = _subject(demand)
            if subj is None or subj.dep_ == "nsubjpass":
                continue
            if subj.lower_ in ("we", "i") and self._speaks_as_issuer(st, subj):
                speaker = self._first_person_speaker(st, sent)
            else:
                speaker = self._resolve_actor(st, sent, subj)
            if speaker is None or speaker.actor.kind == "group":
                continue
            addressee = _demanded_of(demand)
            if addressee is None or not self._another_party(st, sent, addressee, speaker):
                continue
            if _befalls_from_elsewhere(alt):
                continue
            cons = list(alt.subtree)
            cons_text = _text_of(cons)
            cls, cmatch = self._classify(cons_text)
            penalty = next(
                (
                    c
                    for c in alt.children
                    if c.dep_ == "dobj" and c.lemma_.lower() in _PENALTY_NOUNS
                ),
                None,
            )
            if cls is None and penalty is not None:
                # "or face severe costs": the costs the speaker imposes, as "impose costs" reads
                # (``cues.yaml``); any other penalty's kind is unstated
                cls = "sanctions_or_economic" if penalty.lemma_.lower() == "cost" else "vague"
            if cls is None:
                continue
            # the "or" (", or else") that opens the alternative is neither
            skip = {t.i for t in cons} | {t.i for t in _opening_or(alt)}
            asked = next((c for c in demand.children if c.dep_ in ("xcomp", "ccomp")), None)
            if asked is not None:
                condition = [t for t in asked.subtree if t.i not in skip and not t.is_punct]
            else:  # "call on X ... to stop Y": X and what it is asked, without "on"
                skip |= _subtree_ids(subj) | {demand.i}
                skip |= {c.i for c in demand.children if c.dep_ == "prep" and c.lower_ == "on"}
                condition = [t for t in demand.subtree if t.i not in skip and not t.is_punct]
            trigger_key, trigger_text, context = self._trigger(
                st, sent, condition, cons, allow_context=False
            )
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
                consequence_text=cons_text,
                consequence_class=cls,
                explicitness=_explicitness(sent.text, cons_text, cmatch),
                confidence=0.55,
            )
        return None

    def _another_party(
        self, st: _DocState, sent: _Sentence, addressee: Any, speaker: Mention
    ) -> bool:
        """Is ``addressee`` (whom a demand is put to) a party other than the speaker's side: a
        side the gazetteer names and the speaker's is not, or a party named only by what it is
        ("third countries", "any actors")? Not "every ally", "Congress" for Washington, "all
        nations"."""
        named = st.first_mention(sent, addressee)
        if named is not None:
            return not same_side(
                named.actor.country_on(st.doc.published),
                speaker.actor.country_on(st.doc.published),
            )
        return addressee.lemma_.lower() in _OTHER_PARTIES or addressee.lower_ in _OTHER_PARTIES

    def _standing_line(self, st: _DocState, speaker: Mention) -> tuple[str, str] | None:
        """The line a threat that names none answers, from outside its sentence: none here;
        the learned extractor reads it from the document (``_document_line``)."""
        return None

    @cached_property
    def _marks_ending_in(self) -> dict[str, list[tuple[str, ...]]]:
        """The marks of several words ("as long as"), as word tuples, by their last word: only
        a token that is a mark's last word can end it. ``_condition`` had compared every such
        mark with the words ending at every token of the clause."""
        out: dict[str, list[tuple[str, ...]]] = {}
        for mark in self.not_yet_marks:  # in the set's order, as the marks were tried before
            if " " in mark:
                words = tuple(mark.split())
                out.setdefault(words[-1], []).append(words)
        return out

    def _condition(self, toks: Sequence[Any]) -> list[Any]:
        """The conditional clause inside ``toks`` ("if Ukraine received F-16 jets",
        "should America interfere"), as tokens; empty when there is none."""
        ids = {t.i for t in toks}
        ending = self._marks_ending_in
        for t in toks:
            if (
                t.dep_ in ("mark", "advmod")
                and t.lower_ in self.not_yet_marks
                and t.head.i in ids
                and not (t.lower_ == "when" and _it_comes_to(t.head))
                # "once again", "once more": a repetition, not "once Ukraine joins" (nor
                # "once more troops arrive", where "more" is the subject's)
                and not (t.lower_ == "once" and t.head.i == t.i + 1 and t.head.lower_ in _AGAIN)
            ):
                return [x for x in t.head.subtree if x.i in ids]
            opened = next(
                (
                    len(p)
                    for p in ending.get(t.lower_, ())
                    if t.i + 1 >= len(p)
                    and tuple(w.lower_ for w in t.doc[t.i + 1 - len(p) : t.i + 1]) == p
                ),
                0,
            )
            if opened and t.dep_ == "mark" and t.head.i in ids:
                clause = {x.i for x in t.head.subtree} | set(range(t.i + 1 - opened, t.i + 1))
                return [x for x in toks if x.i in clause]
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
        for t in toks:  # "sanctions on anyone who has done that", "costs on actors using ...",
            # "stop selling oil to countries that impose price caps", "companies that impose a
            # price cap will not get ...", "those who supply weapons will become targets"
            if (
                t.dep_ in ("relcl", "acl")
                and t.head.i in ids
                and t.head.lower_ in _GENERIC_PARTIES
                # "those already imposed by G7 members" names measures done by someone, not a
                # party that acts ("those engaged in deceptive practices" is one)
                and not (t.dep_ == "acl" and any(c.dep_ == "agent" for c in t.children))
                and (
                    (t.head.dep_ == "pobj" and t.head.head.lower_ in ("on", "against", "to"))
                    or t.head.dep_ == "nsubjpass"
                    or (t.head.dep_ == "nsubj" and t.head.head.lemma_.lower() in _FALLS_ON)
                    # "we will target actors who support ...": the object of a harm still
                    # to come (a base form after "will", "to": "sanctioned firms that ..."
                    # reports a harm done, codebook §3)
                    or (
                        t.head.dep_ == "dobj"
                        and t.head.head.lemma_.lower() in _AIMED_AT
                        and t.head.head.tag_ == "VB"
                    )
                )
            ):
                return [x for x in t.subtree if x.i in ids]
        for t in toks:  # "whoever violates our border will face ...": a clause that is its subject
            if (
                t.dep_ == "csubj"
                and t.head.i in ids
                and any(c.dep_ == "nsubj" and c.lower_ in ("whoever", "anyone") for c in t.children)
            ):
                return [x for x in t.subtree if x.i in ids]
        for t in toks:  # "any drone that enters our airspace", "any vessel heading for ..."
            if (
                t.dep_ in ("relcl", "acl")
                and t.head.i in ids
                and any(c.dep_ == "det" and c.lower_ == "any" for c in t.head.children)
            ):
                return [x for x in t.head.subtree if x.i in ids]
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
        verb = cond_subj.head
        attacked = verb.lemma_.lower() in _SUFFERING or (
            cond_subj.dep_ == "nsubjpass" and verb.lemma_.lower() in _HOSTILE_ACTS
        )
        if (
            cond_subj.lower_ in ("we", "i")
            and not attacked
            and verb.lemma_.lower() not in _PERCEIVING
            and not self.triggers.match(_text_of(list(condition)))
        ):
            # "if we do not stand up to tyrants, the consequences will be grave": the speaker's
            # own act, so no line the other side could cross (codebook, section 1); but "if we
            # see Russian tanks cross into Ukraine" names the other side's act
            return True
        actor = self._resolve_actor(st, sent, cond_subj)
        if actor is None:
            return False
        mine = speaker.actor.country_on(st.doc.published)
        named_here = actor.start >= sent.start + cond_subj.left_edge.idx
        # (a side read back from "its"/"their" is a guess: "if their governments restricted
        # Russian media", said by Moscow of Western reporters, is no act of its own)
        if actor.actor.country_on(st.doc.published) == mine and not attacked and named_here:
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

    def _unplaced_official(self, subj: Any) -> bool:
        """Is the speech verb's subject an office or a name the gazetteer cannot place ("the
        prime minister", "the foreign ministry", "Deputy Prime Minister Alexander Novak"), not a
        commentator, a pronoun or a common noun?"""
        if subj.lower_ in self.commentators or subj.pos_ == "PRON":
            return False
        words = {t.lemma_.lower() for t in subj.subtree}
        if words & self.commentators:
            return False
        return subj.lemma_.lower() in _OFFICIAL_NOUNS or (
            subj.pos_ == "PROPN" and bool(words & _OFFICIAL_NOUNS)
        )

    def _acting_state(
        self, st: _DocState, sent: _Sentence, consequence: Sequence[Any], subj: Any
    ) -> Mention | None:
        """The state or alliance that a consequence still to come names as its doer ("Lithuania
        will ban ...", "Moscow would halt ..."), as the voice of ``subj``; None when there is
        none."""
        ids = {t.i for t in consequence}
        for head in consequence:
            if not any(a.dep_ == "aux" and a.lower_ in _WILL - {"can"} for a in head.children):
                continue
            # the doer: the subject ("Lithuania will ban"; "Indian troops will strike", by its
            # adjective), or the agent of a harm met with ("... will be met with a blow from the
            # People's Liberation Army")
            doers = [c for c in head.children if c.dep_ == "nsubj" and c.i in ids]
            doers += [
                p
                for x in head.subtree
                if x.i in ids and x.dep_ == "prep" and x.lower_ in ("from", "by")
                for p in x.children
                if p.dep_ == "pobj"
            ]
            for doer in doers:
                side = self._resolve_actor(st, sent, doer) or self._by_adjective(sent, doer)
                if side is not None and side.actor.kind in ("state", "organisation"):
                    s0 = sent.start + subj.left_edge.idx
                    s1 = sent.start + subj.right_edge.idx + len(subj.right_edge.text)
                    return Mention(side.actor, s0, s1, _text_of(list(subj.subtree)))
        return None

    def _names_line(self, sent: _Sentence, consequence_text: str) -> bool:
        """Does the consequence name the line itself, in any tense (codebook, section 1: "Y is a
        red line for us", "convoys are fair game", "Y makes you a party to the conflict")? Not
        "has crossed a red line", which accuses."""
        return bool(_NAMED_LINE.search(consequence_text)) and not _CROSSED.search(sent.text)

    def _trigger_subjects(self, toks: Sequence[Any]) -> set[int]:
        """Subjects of embedded clauses that name the trigger ("a Russian invasion would spell
        the end of ...", "any attack would lead to sanctions"): not part of the consequence."""
        ids = {t.i for t in toks}
        out: set[int] = set()
        for t in toks:
            if (
                t.dep_ in ("nsubj", "nsubjpass")
                and t.head.i in ids
                # "new sanctions would follow": what follows is the consequence, not the act
                and t.head.lemma_.lower() not in _COMES_AFTER
            ):
                if t.lemma_.lower() in _ANSWER_NOUNS:
                    # "Iran's response to any Israeli attack will be ...": the act is what the
                    # answer is to; the answer itself is the consequence
                    for p in t.children:
                        if p.dep_ == "prep" and p.lower_ in ("to", "against"):
                            out |= {x.i for x in p.subtree if x.i in ids}
                    continue
                sub = [x for x in t.subtree if x.i in ids]
                text = _text_of(sub)
                if self.triggers.match(text) or any(x.lower_ == "any" for x in sub):
                    out |= {x.i for x in sub}
        return out


# a line named as such, whatever the tense of its verb
_NAMED_LINE = re.compile(
    r"\b(?:(?:is|are|was|were|be|remains?|remained|becomes?|became) (?:\w+ ){0,2}"
    r"(?:red[- ]lines?|fair game|legitimate (?:military )?targets?)"
    r"|(?:makes?|made|turns?|turned) (?:\w+ ){1,4}(?:a |an )?(?:direct )?part(?:y|ies) to the"
    r" (?:conflict|war))\b",
    re.IGNORECASE,
)
_AGAIN = frozenset({"again", "more"})
_CROSSED = re.compile(r"\bcross(?:es|ed|ing)?\b", re.IGNORECASE)
# nouns that are themselves an answer: "our response to any attack will be ..."
_ANSWER_NOUNS = frozenset({"response", "reaction", "retaliation", "answer", "reply", "riposte"})
# verbs whose subject is the consequence: "new sanctions would follow"
_COMES_AFTER = frozenset({"follow", "ensue", "await"})
# verbs whose subject undergoes the consequence: "those who supply ... will become targets",
# "companies that impose a cap will not be among the recipients" (not "countries that condemned
# the invasion will impose sanctions", where the subject inflicts it)
_FALLS_ON = frozenset({"become", "be", "face", "suffer", "pay", "lose", "regret", "get"})
# verbs whose object is the one harmed ("we will target actors who ...")
_AIMED_AT = frozenset({"target", "sanction", "punish", "penalize", "penalise", "hit"})


def _it_comes_to(verb: Any) -> bool:
    """ "when it comes to sanctions": a topic, not a condition."""
    return bool(
        verb.lemma_.lower() == "come"
        and any(c.dep_ == "nsubj" and c.lower_ == "it" for c in verb.children)
        and any(c.dep_ == "prep" and c.lower_ == "to" for c in verb.children)
    )


_CARRY_CHARS = 3000  # how far back a person's dated statement dates their later quotes
# Parties named by what they do, not who they are: "sanctions on anyone who helps Russia" holds
# its condition in the relative clause.
_GENERIC_PARTIES = frozenset(
    {"anyone", "anybody", "whoever", "those", "actors", "entities", "companies", "firms"}
    | {"individuals", "banks", "countries", "states", "parties", "people", "institutions"}
)


def _warned_against(verb: Any) -> list[Any]:
    """What "warn (someone) against" names: "Russia warned Israel against providing arms to
    Ukraine" draws a line over the providing (codebook, section 5: headlines), not a consequence."""
    if verb.lemma_.lower() not in ("warn", "caution"):
        return []
    prep = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "against"), None)
    if prep is None:
        return []
    # whom it warns is who would act: "warns Finland against joining NATO" is Finland joining
    warned = next((c for c in verb.children if c.dep_ == "dobj"), None)
    return sorted(
        [*(warned.subtree if warned is not None else []), *prep.subtree], key=lambda t: t.i
    )


# what a named line's subject undergoes or is: "... would be legitimate targets", "... will not
# go unanswered", "... is a red line for us"
_LINE_NOUNS = re.compile(
    r"\b(?:legitimate (?:military )?targets?|fair game|red[- ]lines?|unanswered"
    r"|part(?:y|ies) to the (?:conflict|war))\b",
    re.IGNORECASE,
)


def _line_subject(toks: Sequence[Any]) -> list[Any]:
    """The act or party a named line is drawn over, when no condition states it: the subject
    of the clause that names the line ("foreign instructors in Ukraine would be legitimate
    targets", "any curbs on our journalists will not go unanswered"), not a pronoun."""
    ids = {t.i for t in toks}
    found: list[tuple[int, Any]] = []
    for t in toks:
        if t.dep_ not in ("nsubj", "nsubjpass") or t.head.i not in ids or t.pos_ == "PRON":
            continue
        clause = [x for x in t.head.subtree if x.i in ids]
        # "the strike had crossed a red line": an accusation, not a line drawn
        if _LINE_NOUNS.search(_text_of(clause)) and not _CROSSED.search(_text_of(clause)):
            found.append((len(clause), t))
    if not found:
        return []
    # the clause that names the line itself ("... a story that NATO is party to the conflict":
    # NATO), not one around it
    subject = min(found, key=lambda f: f[0])[1]
    return [x for x in subject.subtree if x.i in ids]


def _makes_clear(verb: Any) -> bool:
    """ "made clear that ...", "made it clear that ...": a statement, as "said" is."""
    return bool(verb.lemma_.lower() == "make") and any(
        c.lower_ == "clear" and c.dep_ in ("ccomp", "oprd", "acomp") for c in verb.children
    )


def _issues_warning(verb: Any) -> bool:
    """ "issued a warning to X that ...", "has issued an ultimatum": a speech act by the
    subject, worded as a noun."""
    return bool(verb.lemma_.lower() in ("issue", "deliver", "give", "send")) and any(
        c.dep_ == "dobj" and c.lemma_.lower() in ("warning", "ultimatum", "threat")
        for c in verb.children
    )


def _closing_name(verb: Any) -> Any | None:
    """The name just before a speech verb that closes its sentence with no subject of its own
    ("..., Minister of Foreign Affairs Sergei Lavrov declared."): the parser hung the speaker
    on a word of the quotation (as an apposition of "Kyiv")."""
    doc = verb.doc
    if verb.i == 0 or verb.dep_ != "ROOT" or any(t.pos_ != "PUNCT" for t in doc[verb.i + 1 :]):
        return None
    name = doc[verb.i - 1]
    return name if name.pos_ == "PROPN" else None


def _by_whom(noun: Any) -> Any | None:
    """The agent of a noun ("threats by President Erdogan"), or None."""
    prep = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "by"), None)
    return next((c for c in prep.children if c.dep_ == "pobj"), None) if prep else None


def _threatened_act(verb: Any) -> bool:
    """ "threatened to <act>": the verb names what is threatened, whatever the act."""
    return bool(verb.lemma_.lower() == "threaten") and any(
        c.dep_ == "xcomp" and c.pos_ == "VERB" and any(a.lower_ == "to" for a in c.children)
        for c in verb.children
    )


# verbs by which the speaker only learns of the other side's act ("if we see Russian tanks ...")
_PERCEIVING = frozenset(
    {"see", "find", "learn", "determine", "detect", "notice", "observe", "conclude", "get"}
)


# "..., or face severe costs": what an ultimatum's addressee faces if it does not comply, and
# the verbs that put the demand to it
_ULTIMATUM_HARMS = frozenset({"face", "suffer", "pay", "bear"})
_DEMANDS = frozenset({"call", "urge", "demand", "tell", "press"})  # not "ask": "asked whether"
_PENALTY_NOUNS = frozenset({"cost", "price", "penalty", "consequence", "repercussion"})
# whom a demand may be put to without the gazetteer naming them: parties named by what they are
_OTHER_PARTIES = frozenset(
    {
        "anyone",
        "anybody",
        "whoever",
        "those",
        "individual",
        "country",
        "actor",
        "state",
        "party",
        "entity",
        "company",
        "firm",
        "bank",
        "institution",
        "government",
        "regime",
    }
)
# a demand put by one who may not be making it: "should urge", "must tell", "could press"
_NOT_OUTRIGHT = frozenset({"should", "must", "could", "might", "may", "would", "ought"})


def _outright(demand: Any) -> bool:
    """Is ``demand`` made, not recommended or supposed ("the EU should urge China ...")?"""
    return not any(c.dep_ == "aux" and c.lemma_.lower() in _NOT_OUTRIGHT for c in demand.children)


def _demanded_of(demand: Any) -> Any | None:
    """Whom ``demand`` is put to: its object ("urge China to ..."), the object of "on" ("call
    on third countries to ..."), or the subject of the clause it demands ("demand that Russia
    withdraw ...")."""
    for c in demand.children:
        if c.dep_ in ("dobj", "dative"):
            return c
        if c.dep_ == "prep" and c.lower_ == "on":
            return next((g for g in c.children if g.dep_ == "pobj"), None)
    clause = next((c for c in demand.children if c.dep_ == "ccomp"), None)
    return _subject(clause) if clause is not None else None


def _befalls_from_elsewhere(alt: Any) -> bool:
    """Does the harm after "or" come from someone else ("or pay the price when Russian
    missiles strike", "or face the consequences of a warming planet") rather than the speaker?"""
    for t in alt.subtree:
        if t.dep_ in ("advcl", "relcl", "acl") and any(
            c.dep_ in ("nsubj", "nsubjpass") for c in t.children
        ):
            return True
        if (
            t.head.i == alt.i
            and t.dep_ == "dobj"
            and any(c.dep_ == "prep" and c.lower_ == "of" for c in t.children)
        ):
            return True
    return False


def _opening_or(verb: Any) -> list[Any]:
    """The "or" (and "else") that open ``verb`` as the alternative ("or face ...", "or else
    face ..."), punctuation between them aside; none when ``verb`` is no alternative."""
    before = [t for t in verb.doc[: verb.i] if not t.is_punct]
    opening = []
    while before and before[-1].lower_ == "else":
        opening.append(before.pop())
    if before and before[-1].lower_ == "or":
        return [before[-1], *opening]
    return []


def _will(aux: Any) -> bool:
    """Is ``aux`` "will", "would", "can" or "shall" ("'d" only before a bare verb: "we'd
    impose" is "would", "we'd imposed" is "had")?"""
    if aux.lower_ in ("'d", "’d"):
        return bool(aux.head.tag_ == "VB")
    return bool(aux.lower_ in _WILL)
