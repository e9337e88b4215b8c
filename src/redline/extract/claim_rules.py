"""Outcome-claim rules: what an author says did or did not follow a threat."""

from __future__ import annotations

import re

from redline.extract import dates
from redline.extract.base import (
    ClaimItem,
    EventItem,
    Provenance,
)
from redline.extract.syntax import (
    CONTEXT_SENTENCES,
    Mention,
    RuleBase,
    _DocState,
    _Sentence,
    date_or_publication,
)


class ClaimRules(RuleBase):
    """Outcome claims ("Moscow never responded")."""

    # ------------------------------------------------------------------ outcome claims

    def _claims(
        self, st: _DocState, sent: _Sentence, crossings: dict[int, EventItem]
    ) -> list[ClaimItem]:
        for kind, rx in self.claim_res:
            m = rx.search(sent.text)
            if m is None:
                continue
            abs_start, abs_end = sent.start + m.start(), sent.start + m.end()
            in_sentence = st.mentions_in(sent)
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
            on, precision = date_or_publication(when, st.doc)
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
