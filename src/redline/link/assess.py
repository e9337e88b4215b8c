"""Decide an episode's status as of a date, with a confidence and the evidence for each step.

The rules are the codebook's (section 2-4, restated in docs/codebook.md):

- a **crossing** is an act by the side the line addressed (never by the owner's side), after
  the first threat, and never the sentence of a threat itself; among several, the most
  precisely dated wins (an undated act an opinion piece recounts comes last), then the earliest;
- a **response** is an act by the owner (a joint act counts for each side it names) after the
  crossing and within the response window (all of its date, at the date's precision: a
  response dated only to a year that reaches outside the window is not placed in it); it
  *enforces* the line when it is of a kind of consequence the owner's threats named (any
  concrete harm when they named none); responses only of other kinds, weaker or different, or
  vague, enforce it partially;
- no response found is ``undetermined``; ``crossed_unenforced`` needs evidence: an outcome claim
  saying nothing followed, or coverage that goes on after the window with no response
  (``silence``: at least ``SILENCE_DOCUMENTS`` documents from ``SILENCE_OUTLETS`` outlets after
  the crossing, the last one after the window ended);
- an owner's outcome claim that it took the line back is ``withdrawn``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from redline import knowledge
from redline.link.calibration import calibrated, verdict_threshold
from redline.link.items import Doc, Item, outlet_count, untargeted
from redline.link.when import When
from redline.vocab import ClaimOutcome, ConsequenceClass, LineSource, Precision, Status

# Raw confidence by the kind of evidence the status rests on (docs/linking.md, "Confidence"),
# before the calibration fitted on annotated episodes (redline.link.calibration) maps it to the
# probability that the status is right.
BASE_CONFIDENCE = {
    "review": 1.0,
    "response_events": 0.75,
    "untargeted_response": 0.6,
    "claims": 0.65,
    "withdrawal": 0.65,
    "no_crossing": 0.6,
    "silence": 0.45,
    "no_response_found": 0.4,
    "conflicting_claims": 0.35,
}
DEFAULT_WINDOW_DAYS = 90  # days after a crossing in which a response counts
PER_EXTRA_OUTLET = 0.05  # each further independent outlet behind the decisive evidence
MAX_EXTRA_OUTLETS = 4
OPINION_ONLY_FACTOR = 0.85
CONTRADICTED_PENALTY = 0.15  # response events that some outcome claims deny
SILENCE_DOCUMENTS = 3  # documents about the line after the crossing, for "silence"
SILENCE_OUTLETS = 2
_PRECISION_RANK = {Precision.DAY: 0, Precision.MONTH: 1, Precision.YEAR: 2, Precision.UNKNOWN: 3}


@dataclass
class Members:
    """The items linked to one episode (all of them, whatever their dates)."""

    threatener: str
    trigger_key: str
    threats: list[Item] = field(default_factory=list)
    crossings: list[Item] = field(default_factory=list)
    responses: list[Item] = field(default_factory=list)
    claims: list[Item] = field(default_factory=list)

    def all(self) -> list[Item]:
        return [*self.threats, *self.crossings, *self.responses, *self.claims]


@dataclass(frozen=True)
class Review:
    """An analyst's decision on an episode: a status to impose, or a rejection."""

    status: str | None
    rejected: bool
    reviewer: str
    note: str | None
    # the day the status was set: before it, the status holds only for a crossed line the
    # evidence shows crossed by then (an analyst's judgement of a crossing's outcome); a line
    # not yet crossed on a date, or withdrawn later, is not crossed or withdrawn on it
    since: date | None = None
    # ``since`` is a day the analyst named (``review --effective``): the status holds from it
    # and never earlier, whatever the evidence shows
    named: bool = False

    def applies(self, as_of: date, crossed: bool) -> bool:
        """Does the analyst's status hold as of ``as_of`` (``crossed``: by the evidence)?"""
        if self.status is None:
            return False
        if self.since is None or as_of >= self.since:
            return True
        return crossed and not self.named and Status(self.status).crossed


@dataclass
class Assessment:
    """An episode's status as of a date, and everything it rests on."""

    status: str
    as_of: date
    confidence: float  # calibrated: the estimated probability that ``status`` is right
    basis: str
    explanation: list[str]
    threats: list[Item]
    crossing: Item | None
    crossed: When | None  # the crossing event's date, or "by" the claim that implies it
    window_end: date | None
    responses: list[Item]
    claims: list[Item]
    consequence_class: str | None
    first_threat_date: date | None
    implicit: bool
    document_ids: set[int]
    opinion_ids: set[int]  # the documents among ``document_ids`` that are opinion pieces
    outlets: set[str | None]  # ``Doc.source_key`` of each document (None: outlet unknown)
    rejected: bool = False
    raw_confidence: float = 0.0  # before calibration (what the calibration is fitted on)
    usable_crossings: list[Item] = field(default_factory=list)  # all that pass the codebook
    # no crossing event: the owner's own response to the line is what says it was crossed, so
    # the status can only come out enforced (follow-through leaves such episodes out)
    crossed_by_own_response: bool = False
    # how precisely ``first_threat_date`` is known (day, month, year): a threat dated to a
    # month has that month's first day as its date, a day no source gave
    first_threat_precision: str | None = None
    # the owner's claims that it took the line back, known by ``as_of``: kept apart from
    # ``claims`` (what enforcement is judged on), but told in the story as every item is
    withdrawals: list[Item] = field(default_factory=list)

    @property
    def verdict(self) -> bool:
        """Is the status confident enough to be quoted (and to count in follow-through)?"""
        return self.confidence >= verdict_threshold()

    @property
    def crossed_by(self) -> date | None:
        return self.crossed.sort if self.crossed else None

    @property
    def n_sources(self) -> int:
        return len(self.document_ids)

    @property
    def n_opinion(self) -> int:
        return len(self.opinion_ids)

    @property
    def n_outlets(self) -> int:
        return outlet_count(self.outlets)

    @property
    def opinion_only(self) -> bool:
        """The status rests only on opinion pieces."""
        return bool(self.document_ids) and self.opinion_ids == self.document_ids


def describe(item: Item, docs: Mapping[int, Doc]) -> str:
    """``threat #4 (2023-06-27; doc #2, The Telegraph, opinion)``."""
    doc = docs[item.document_id]
    where = f"doc #{doc.id}" + (f", {doc.outlet}" if doc.outlet else "")
    if doc.genre == "opinion":
        where += ", opinion"
    return f"{item.kind} #{item.id} ({item.when.label}; {where})"


LISTED = 5  # items named in one explanation step; the rest are counted


def _list(items: Sequence[Item], docs: Mapping[int, Doc]) -> str:
    # in date order (then id): the order extraction stored them in varied from run to run
    ordered = sorted(items, key=lambda i: (i.when.sort, i.id))
    named = "; ".join(describe(i, docs) for i in ordered[:LISTED])
    return named + (f"; and {len(items) - LISTED} more" if len(items) > LISTED else "")


def strongest(classes: Iterable[str | None]) -> str | None:
    known = [k for k in map(ConsequenceClass.parse, classes) if k is not None]
    return max(known, key=lambda k: k.strength).value if known else None


@dataclass
class AssessStats:
    """How many assessments this process made: a run assesses each episode once (tested)."""

    calls: int = 0


stats = AssessStats()


@dataclass
class _Decision:
    status: Status
    basis: str  # a key of BASE_CONFIDENCE
    decisive: list[Item]  # the items the status rests on
    penalty: float = 0.0
    # documents a rule read beside the items (the silence rule's coverage after a crossing):
    # they count among the episode's evidence, its sources and its opinion pieces
    read: frozenset[int] = frozenset()


def assess(
    m: Members,
    docs: Mapping[int, Doc],
    *,
    as_of: date,
    window_days: int,
    review: Review | None = None,
) -> Assessment | None:
    """The status of ``m`` as of ``as_of``, or None when no threat or claim was known by then."""
    stats.calls += 1
    threats = [t for t in m.threats if t.when.known_by(as_of)]
    claims = [c for c in m.claims if c.when.known_by(as_of)]
    if not threats and not claims:
        return None
    threatened = threatened_kind(threats)
    first_threat = min(threats, key=lambda t: t.when.sort) if threats else None
    why = [_threat_step(m, threats, threatened, docs)]
    withdrawals = [c for c in claims if c.outcome == ClaimOutcome.WITHDRAWN]
    claims = [c for c in claims if c.outcome != ClaimOutcome.WITHDRAWN]
    usable: list[Item] = []
    earlier: list[Item] = []  # acts by the side addressed, begun before the line was drawn
    first_lo = min((t.when.lo for t in threats), default=date.min)  # when the line was drawn
    crossing, crossed = _crossing(m, threats, claims, as_of, docs, why, usable, earlier, first_lo)
    responses: list[Item] = []
    unrelated: list[Item] = []  # the owner's acts in the window that may or may not answer it
    window_end: date | None = None
    if withdrawals and (crossed is None or min(w.when.sort for w in withdrawals) <= crossed.hi):
        decision = _Decision(Status.WITHDRAWN, "withdrawal", withdrawals)
        why.append(f"{m.threatener} took the line back: {_list(withdrawals, docs)}.")
    elif crossed is None:
        decision = _Decision(Status.OPEN, "no_crossing", threats)
        why.append(
            f"No crossing of this line (or a narrower one) in the ledger as of {as_of.isoformat()}."
        )
        # acts of the response window's span before the line: conduct still under way when it
        # was drawn (sanctions threatened for a war going on), not history (2014 for a 2022
        # line). The conduct going on after the threat crosses the line, and the ledger holds
        # only acts reported before it, so `open` says no later act was found, not that it ended
        earlier = [c for c in earlier if c.when.hi >= first_lo - timedelta(days=window_days)]
        if earlier:
            why.append(
                f"Drawn after {len(earlier)} act(s) of the kind it forbids: "
                f"{_list(earlier, docs)}. If that conduct went on after the first threat the "
                "line was crossed; the ledger holds no report that it did, so 'open' means no "
                "later act was found, not that the conduct stopped."
            )
    else:
        window_end = crossed.hi + timedelta(days=window_days)
        threat_sentences = {t.evidence_id for t in threats}
        near = [
            r
            for r in m.responses
            if r.when.known_by(as_of)
            and r.when.hi >= crossed.lo
            and r.when.lo <= window_end
            and r.evidence_id not in threat_sentences
        ]
        # A response answers the crossing only when its dates lie within the window: one dated
        # to a month or a year that reaches outside it (a "2022" sanction beside a crossing of
        # 24 February) may have come before the crossing or long after the window closed.
        # (a crossing implied by a response starts at the first threat: the response that
        # implies it may be dated to a month that began earlier, and is placed all the same)
        responses = [
            r
            for r in near
            if (r.when.lo >= crossed.lo or crossed.by_response) and r.when.hi <= window_end
        ]
        loose = [r for r in near if r not in responses]
        if loose:
            why.append(
                f"Not placed in the response window ({crossed.lo.isoformat()} to "
                f"{window_end.isoformat()}), dated too loosely to tell: {_list(loose, docs)}."
            )
        crossings = [crossing] if crossing else []
        # An act that names no line of the owner's answers this one only when it is the kind
        # of harm this line threatened (codebook §4: enforcement is judged against the
        # threatened class); another act of the owner's in the window may or may not answer it.
        answering: list[Item] = []
        for r in responses:
            (answering if _may_answer(r, threatened) else unrelated).append(r)
        responses = answering
        if responses:
            decision = _from_responses(
                m.threatener, threats, crossings, responses, claims, docs, why
            )
            if all(untargeted(r, knowledge.triggers()) for r in responses):
                why.append(
                    "The responses name no line of their own: they count because they came "
                    "within the window after this crossing and are the kind of harm threatened."
                )
                decision.basis = "untargeted_response"
        elif claims:
            decision = _from_claims(crossings, claims, docs, why)
        elif loose:
            unrelated = [*unrelated, *loose]
            why.append(
                f"No response to this line placed in the window; {m.threatener}'s acts dated "
                "too loosely to place there may or may not answer it."
            )
            decision = _Decision(Status.UNDETERMINED, "no_response_found", crossings)
        elif unrelated:
            why.append(
                f"No response to this line found; {m.threatener} did other things in the window "
                f"that name no line and are not the kind of harm threatened "
                f"({_list(unrelated, docs)}): whether they answer it the sources do not say."
            )
            decision = _Decision(Status.UNDETERMINED, "no_response_found", crossings)
        else:
            decision = _from_silence(m, crossed, window_end, as_of, crossings, docs, why)
    if review is not None and review.status is not None and review.applies(as_of, bool(crossed)):
        why.append(
            f"The evidence says {decision.status}, but an analyst review ({review.reviewer}) set "
            f"{review.status}" + (f": {review.note}" if review.note else ".")
        )
        decision = _Decision(Status(review.status), "review", [])
        if crossed is None and decision.status.crossed and review.since is not None:
            # the analyst says the line was crossed and the evidence shows no crossing: it was
            # crossed by the day the status holds from, which dates it wherever a crossing's
            # date is read (the crossing year of follow-through, the timeline, listings); it
            # had been "not crossed", an undated point of the timeline. Not before the line was
            # drawn: a day before its first threat (a typo, flagged when stored) dated the
            # crossing, its follow-through year and its timeline step in 1066
            by = max(review.since, first_lo)
            crossed = When(
                first_lo,
                by,
                Precision.UNKNOWN,
                by,
                by,
                implied=True,
                happened_from=by,
                by_review=True,
            )
            why.append(
                "No crossing in the evidence: the analyst's status dates the crossing by "
                + (
                    f"{by.isoformat()}, the day it holds from."
                    if by == review.since
                    else f"{by.isoformat()}, when the line was first drawn (the analyst's day, "
                    f"{review.since.isoformat()}, comes before it)."
                )
            )
    elif review is not None and review.status is not None and review.since is not None:
        why.append(
            f"An analyst review ({review.reviewer}, {review.since.isoformat()}) set "
            f"{review.status}; it holds from that day"
            + (
                " (the day the analyst named)"
                if review.named
                else ", or on an earlier date once the evidence shows the line crossed"
            )
            + f": as of {as_of.isoformat()} the evidence's status stands."
        )
    members = [*threats, *([crossing] if crossing else []), *responses, *claims]
    # the documents behind the status include those of acts it names as undecided evidence
    doc_ids = {i.document_id for i in [*members, *unrelated]} | decision.read
    opinion_ids = {d for d in doc_ids if docs[d].genre == "opinion"}
    opinion_only = bool(doc_ids) and opinion_ids == doc_ids
    raw, confidence, how = _confidence(decision, docs, opinion_only)
    why.append(f"Status {decision.status}; confidence {confidence:.2f} ({how}).")
    if confidence < verdict_threshold():
        why.append(
            f"Below the verdict threshold {verdict_threshold():.2f}: no verdict; this episode "
            "does not count in follow-through."
        )
    # an analyst's status is the analyst's judgement, not a verdict the evidence could only
    # give one way: it counts like any other
    by_own_response = crossed is not None and crossed.by_response and decision.basis != "review"
    if by_own_response and Status(decision.status).decided:
        why.append(
            "Only this response says the line was crossed, so the status could only come out "
            "enforced: follow-through leaves the episode out (counting it would lean the "
            "estimate towards enforcement)."
        )
    if opinion_only:
        why.append("All evidence comes from opinion pieces.")
    return Assessment(
        status=decision.status,
        as_of=as_of,
        confidence=confidence,
        basis=decision.basis,
        explanation=why,
        threats=threats,
        crossing=crossing,
        crossed=crossed,
        window_end=window_end,
        responses=responses,
        claims=claims,
        consequence_class=threatened,
        first_threat_date=first_threat.when.sort if first_threat else None,
        first_threat_precision=first_threat.when.precision if first_threat else None,
        implicit=not threats,
        document_ids=doc_ids,
        opinion_ids=opinion_ids,
        outlets={docs[d].source_key for d in doc_ids},
        rejected=bool(review and review.rejected),
        raw_confidence=raw,
        usable_crossings=sorted(usable, key=lambda c: (c.when.sort, c.id)),
        crossed_by_own_response=by_own_response,
        withdrawals=sorted(withdrawals, key=lambda c: (c.when.sort, c.id)),
    )


def _threat_step(
    m: Members, threats: list[Item], threatened: str | None, docs: Mapping[int, Doc]
) -> str:
    if not threats:
        return (
            "No threat statement in the ledger: threat implied by outcome claims only "
            f"(authors say {m.threatener} had drawn this line)."
        )
    first = min(threats, key=lambda t: t.when.sort)
    return (
        f"Threat: {len(threats)} statement(s) by {m.threatener}, first {first.when.label}; "
        f"{_kind_named(threats, threatened)} (what enforcement is judged against): "
        f"{threatened or 'unspecified'}. {_list(threats, docs)}"
    )


def _crossing(
    m: Members,
    threats: list[Item],
    claims: list[Item],
    as_of: date,
    docs: Mapping[int, Doc],
    why: list[str],
    usable: list[Item],
    earlier: list[Item],
    first_lo: date,
) -> tuple[Item | None, When | None]:
    """The crossing by the codebook (module docstring), else one implied by outcome claims;
    the acts refused only for coming before the first threat (``first_lo``, the earliest day
    a threat may have been made) go to ``earlier``."""
    refused = Counter[str]()
    for c in m.crossings:
        if not c.when.known_by(as_of):
            continue
        reason = _not_a_crossing(m, c, threats, first_lo, docs)
        if reason:
            refused[reason] += 1
            if reason in _BEFORE_THE_LINE:
                earlier.append(c)
        else:
            usable.append(c)
    if refused:
        why.append(
            "Not counted as crossings: "
            + "; ".join(f"{n} {reason}" for reason, n in sorted(refused.items()))
            + "."
        )
    threat_sentences = {t.evidence_id for t in threats}
    dated = [
        r
        for r in m.responses
        if r.when.known_by(as_of)
        and r.when.hi >= first_lo
        and r.when.precision != Precision.UNKNOWN
        and r.evidence_id not in threat_sentences
        and not untargeted(r, knowledge.triggers())
    ]
    # the owner's dated responses to this very line: each says it was crossed by its date
    answering = sorted(
        (r for r in dated if r.line_from not in _LINE_ELSEWHERE), key=lambda r: r.when.sort
    )
    first = min(usable, key=lambda c: (_rank(c, docs), c.when.sort, c.id)) if usable else None
    if first is not None and not (answering and answering[0].when.hi < first.when.lo):
        why.append(f"Crossed: {describe(first, docs)} by {first.country or 'unknown actor'}.")
        return first, first.when
    if first is not None:
        # the owner answered a crossing of this very line before the first act found: the
        # line was crossed by then, and that act is a later crossing, not the first
        why.append(
            f"{describe(first, docs)} by {first.country or 'unknown actor'} came after "
            f"{m.threatener}'s own response to a crossing of this line, so it is not the first."
        )
    implying = sorted(
        (c for c in claims if c.when.hi >= first_lo and c.outcome != ClaimOutcome.WITHDRAWN),
        key=lambda c: c.when.sort,
    )
    if not implying and not answering and dated:
        why.append(
            f"Not taken as a sign the line was crossed: {_list(dated, docs)}, whose line was "
            "read from the sentences before it or from the document's topic, not its own "
            "sentence."
        )
    if implying:
        claim = implying[0]
        why.append(
            f"Crossed by {claim.when.hi.isoformat()}: no crossing event in the ledger, but "
            f"{describe(claim, docs)} says the line was crossed."
        )
        return None, When(
            date.min,
            claim.when.hi,
            "unknown",
            claim.when.known_from,
            claim.when.sort,
            True,
            claim.when.since,
        )
    if answering:  # a dated response to this very line implies it was crossed by then
        r = answering[0]
        why.append(
            f"Crossed by {r.when.hi.isoformat()}: no crossing event in the ledger, but "
            f"{describe(r, docs)} is {m.threatener}'s response to a crossing of this line."
        )
        return None, When(
            first_lo,
            r.when.hi,
            "unknown",
            r.when.known_from,
            r.when.sort,
            True,
            r.when.since,
            by_response=True,
        )
    return None, None


# A response stands for the crossing it answers only when its own sentence names the line (or an
# analyst did): one read from the sentences before or from the document's topic may answer
# another matter (a deployment "to support our NATO allies" after a line about Article 5).
_LINE_ELSEWHERE = frozenset({LineSource.EARLIER, LineSource.DOCUMENT})


def _may_answer(response: Item, threatened: str | None) -> bool:
    """Can ``response`` answer a line that threatened ``threatened``? One that names the line
    can; one that names none (``untargeted``) only when it is a concrete harm of the threatened
    kind, or of any concrete kind when the threat named none."""
    if not untargeted(response, knowledge.triggers()):
        return True
    kind = ConsequenceClass.parse(response.consequence)
    if kind is None or kind is ConsequenceClass.VAGUE:
        return False
    wanted = ConsequenceClass.parse(threatened)
    return wanted is None or wanted is ConsequenceClass.VAGUE or kind is wanted


# reasons of ``_not_a_crossing`` that say only that an act came before the line was drawn
_BEFORE_THE_LINE = frozenset(
    {"act(s) dated before the first threat", "act(s) reported before the first threat"}
)


def _not_a_crossing(
    m: Members, c: Item, threats: list[Item], first_lo: date, docs: Mapping[int, Doc]
) -> str | None:
    """Why ``c`` cannot cross the line of ``m`` (None when it can)."""
    if c.evidence_id is not None and any(t.evidence_id == c.evidence_id for t in threats):
        return "threat sentence(s)"
    actor = c.country or knowledge.triggers().hint(c.trigger_key)
    if knowledge.same_side(actor, m.threatener):
        return "act(s) by the owner's own side"
    # the line's addressees where any threat names one; the vocabulary's crossers where none
    # does (a per-threat union, each unnamed threat adding the crossers, was tried at the
    # twenty-third stop and reverted: docs/linking.md)
    addressed = {t.addressee for t in threats if t.addressee} or knowledge.triggers().crossers(
        m.trigger_key
    )
    if (
        actor is not None
        and addressed
        and not any(knowledge.same_side(actor, a) for a in addressed)
    ):
        return "act(s) by a side the line did not address"
    if c.when.precision == Precision.UNKNOWN:
        if c.when.hi < first_lo:
            return "act(s) reported before the first threat"
    elif c.when.hi < first_lo or (c.when.precision == Precision.DAY and c.when.lo < first_lo):
        return "act(s) dated before the first threat"
    return None


def _rank(c: Item, docs: Mapping[int, Doc]) -> int:
    """Dated acts first (day, month, year), then undated news reports, then undated acts an
    opinion piece recounts from memory."""
    rank = _PRECISION_RANK[Precision(c.when.precision)]
    return rank + (
        rank == _PRECISION_RANK[Precision.UNKNOWN] and docs[c.document_id].genre == "opinion"
    )


def _kind_named(threats: Sequence[Item], threatened: str | None) -> str:
    """How ``threatened_kind`` chose: the words before the kind in a story. A fact-checker read
    "most often" as a miscount when five of six threats were vague and one named nuclear use."""
    if threatened is None or threatened == ConsequenceClass.VAGUE.value:
        return "consequence they name"
    kinds = [ConsequenceClass.parse(t.consequence) for t in threats]
    vague = sum(k is ConsequenceClass.VAGUE or k is None for k in kinds)
    if not vague:
        return "consequence they name most often"
    return f"consequence they name most often, {vague} of {len(kinds)} naming no kind"


def threatened_kind(threats: Sequence[Item]) -> str | None:
    """The kind of consequence the owner's threats name most often (vague only when all are);
    ties go to the weaker kind, so one stray nuclear hint does not inflate a sanctions line."""
    kinds = [ConsequenceClass.parse(t.consequence) for t in threats]
    concrete = Counter(k for k in kinds if k is not None and k is not ConsequenceClass.VAGUE)
    if concrete:
        return max(concrete, key=lambda k: (concrete[k], -k.strength)).value
    return ConsequenceClass.VAGUE.value if any(kinds) else None


def _concrete(consequences: Iterable[str | None]) -> set[ConsequenceClass]:
    """The concrete kinds of harm among ``consequences`` (not vague, not unknown)."""
    kinds = (ConsequenceClass.parse(c) for c in consequences)
    return {k for k in kinds if k is not None and k is not ConsequenceClass.VAGUE}


def _from_responses(
    threatener: str,
    threats: Sequence[Item],
    crossings: list[Item],
    responses: list[Item],
    claims: list[Item],
    docs: Mapping[int, Doc],
    why: list[str],
) -> _Decision:
    """Enforced when a concrete response is of a kind the owner's threats named (codebook §4:
    "the threatened kind of consequence followed"; any concrete response when they named none);
    partially enforced when the responses are only of other kinds, weaker or different, or
    vague. A stronger harm of another kind is a different harm, not the threatened one: troops
    sent over a line drawn with sanctions were read as enforcing it."""
    named = _concrete(t.consequence for t in threats)
    given = _concrete(r.consequence for r in responses)
    enforced = bool(given & named) if named else bool(given)
    kinds = ", ".join(sorted(k.value for k in given)) or "vague"
    wanted = ", ".join(sorted(k.value for k in named)) or "unspecified"
    why.append(
        f"Response by {threatener} within the response window: {_list(responses, docs)}; "
        f"its kinds: {kinds}; threatened: {wanted} → "
        + (
            "of a threatened kind."
            if enforced
            else "only of other kinds (weaker or different harm)."
            if given
            else "no concrete harm named."
        )
    )
    deniers = [c for c in claims if c.outcome == ClaimOutcome.NO_RESPONSE]
    if deniers:
        why.append(f"But outcome claims deny any response: {_list(deniers, docs)}.")
    status = Status.CROSSED_ENFORCED if enforced else Status.CROSSED_PARTIALLY_ENFORCED
    penalty = CONTRADICTED_PENALTY if deniers else 0.0
    return _Decision(status, "response_events", [*crossings, *responses], penalty)


def _from_claims(
    crossings: list[Item], claims: list[Item], docs: Mapping[int, Doc], why: list[str]
) -> _Decision:
    """Authors' outcome claims decide when no response event was found; disagreement is undecided."""
    outcomes = {str(c.outcome) for c in claims}
    says = ", ".join(f"{sum(c.outcome == o for c in claims)} {o}" for o in sorted(outcomes))
    if ClaimOutcome.NO_RESPONSE in outcomes and outcomes != {ClaimOutcome.NO_RESPONSE}:
        why.append(f"Outcome claims conflict ({says}): {_list(claims, docs)}.")
        return _Decision(Status.UNDETERMINED, "conflicting_claims", claims)
    why.append(f"Outcome claims ({says}): {_list(claims, docs)}.")
    if outcomes == {ClaimOutcome.NO_RESPONSE}:
        status = Status.CROSSED_UNENFORCED
    elif outcomes == {ClaimOutcome.RESPONSE}:
        status = Status.CROSSED_ENFORCED
    else:  # "partial", or some say "response" and others "partial"
        status = Status.CROSSED_PARTIALLY_ENFORCED
    return _Decision(status, "claims", [*crossings, *claims])


def _from_silence(
    m: Members,
    crossed: When,
    window_end: date,
    as_of: date,
    crossings: list[Item],
    docs: Mapping[int, Doc],
    why: list[str],
) -> _Decision:
    """No response and no claim: ``crossed_unenforced`` only when coverage of the line went on
    past the response window without one (the codebook's "long span of coverage"), else
    ``undetermined``."""
    after = {i.document_id for i in m.all() if i.when.known_by(as_of) and i.when.since > crossed.hi}
    outlets = outlet_count(docs[d].source_key for d in after)
    last = max((docs[d].published or date.min for d in after), default=None)
    covered = (
        len(after) >= SILENCE_DOCUMENTS
        and outlets >= SILENCE_OUTLETS
        and last is not None
        and last > window_end
    )
    # documents of no named outlet count as one outlet together (``outlet_count``): said so,
    # as "1 outlet(s)" beside the story's "outlet unknown" read as a contradiction
    unnamed = bool(after) and all(docs[d].source_key is None for d in after)
    source = "of no named outlet (counted as one)" if unnamed else f"from {outlets} outlet(s)"
    coverage = (
        f"{len(after)} document(s) {source} report on this line after the crossing"
        + (f", the last on {last.isoformat()}" if last and after else "")
        + (f" ({_list_docs(after, docs)})" if after else "")
    )
    if covered:
        why.append(
            f"No response by {m.threatener} found, and coverage went on past the "
            f"{(window_end - crossed.hi).days}-day window (ended {window_end.isoformat()}): "
            f"{coverage} (rule: at least {SILENCE_DOCUMENTS} documents from "
            f"{SILENCE_OUTLETS} outlets, the last after the window)."
        )
        return _Decision(Status.CROSSED_UNENFORCED, "silence", crossings, read=frozenset(after))
    # a window still open on the as-of date "ends", not "ended" (it read as already over)
    ends = "ended" if window_end < as_of else "ends"
    why.append(
        f"No response by {m.threatener} and no outcome claim found: undetermined ({coverage}; "
        f"unenforced needs at least {SILENCE_DOCUMENTS} documents from {SILENCE_OUTLETS} "
        f"outlets, the last after the response window, which {ends} {window_end.isoformat()})."
    )
    return _Decision(Status.UNDETERMINED, "no_response_found", crossings, read=frozenset(after))


def _list_docs(ids: Iterable[int], docs: Mapping[int, Doc]) -> str:
    """``doc #3 (opinion), doc #7``: the documents a rule read, by id (``redline show ID``)."""
    return ", ".join(
        f"doc #{d}" + (" (opinion)" if docs[d].genre == "opinion" else "") for d in sorted(ids)
    )


def _confidence(
    decision: _Decision, docs: Mapping[int, Doc], opinion_only: bool
) -> tuple[float, float, str]:
    """(raw, calibrated, how): base by evidence type, more for independent outlets, scaled by
    extraction confidence; then the calibration fitted on annotated episodes."""
    base = BASE_CONFIDENCE[decision.basis]
    if decision.basis == "review":
        return base, base, "analyst review"
    decisive = decision.decisive
    outlets = outlet_count(docs[i.document_id].source_key for i in decisive)
    extra = min(max(outlets - 1, 0), MAX_EXTRA_OUTLETS) * PER_EXTRA_OUTLET
    mean = sum(i.confidence for i in decisive) / len(decisive) if decisive else 0.5
    value = (base + extra - decision.penalty) * (0.5 + 0.5 * mean)
    how = f"base {base:.2f} for {decision.basis.replace('_', ' ')}"
    if extra:
        how += f", +{extra:.2f} for {outlets} outlets"
    if decision.penalty:
        how += f", -{decision.penalty:.2f} contradicted by claims"
    how += f", x{0.5 + 0.5 * mean:.2f} for extraction confidence {mean:.2f}"
    if opinion_only:
        value *= OPINION_ONLY_FACTOR
        how += f", x{OPINION_ONLY_FACTOR} opinion only"
    raw = round(min(max(value, 0.05), 0.95), 3)
    cal = calibrated(raw, decision.basis)
    how += f" = {raw:.2f} raw; calibrated {cal:.2f}"
    return raw, cal, how


def evidence_note(n_documents: int, n_opinion: int) -> str:
    """``evidence: 2 documents, both opinion pieces`` — where a status or a score comes from."""
    if n_documents == 0:
        return "evidence: no documents"
    docs = f"{n_documents} document{'s' if n_documents != 1 else ''}"
    if n_opinion == 0:
        return f"evidence: {docs}, no opinion pieces"
    if n_opinion == n_documents:
        which = {1: "an opinion piece", 2: "both opinion pieces"}.get(
            n_documents, f"all {n_documents} opinion pieces"
        )
        return f"evidence: {docs}, {which}"
    if n_opinion == 1:
        return f"evidence: {docs}, one of them an opinion piece"
    return f"evidence: {docs}, {n_opinion} of them opinion pieces"
