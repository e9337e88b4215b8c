"""Decide an episode's status as of a date, with a confidence and the evidence for each step."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from redline.link.items import Doc, Item
from redline.link.when import When

# How strong a consequence is: a response enforces a threat when it is at least this strong.
STRENGTH = {
    "vague": 0,
    "diplomatic": 1,
    "sanctions_or_economic": 2,
    "military_deployment": 3,
    "military_force": 4,
    "war_or_nuclear": 5,
}

# Base confidence by the kind of evidence the status rests on (docs/linking.md, "Confidence").
# Hand-set, not calibrated: direct reports of a response beat an author's summary, which beats
# inferring "no response" from silence in the ledger.
BASE_CONFIDENCE = {
    "review": 1.0,
    "response_events": 0.75,
    "claims": 0.65,
    "no_crossing": 0.6,
    "window_elapsed": 0.5,
    "window_running": 0.5,
    "conflicting_claims": 0.35,
}
PER_EXTRA_OUTLET = 0.05  # each further independent outlet behind the decisive evidence
MAX_EXTRA_OUTLETS = 4
OPINION_ONLY_FACTOR = 0.85
CONTRADICTED_PENALTY = 0.15  # response events that some outcome claims deny


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


@dataclass
class Assessment:
    """An episode's status as of a date, and everything it rests on."""

    status: str
    as_of: date
    confidence: float
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
    outlets: set[str]
    rejected: bool = False

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
        return len(self.outlets)

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
    named = "; ".join(describe(i, docs) for i in items[:LISTED])
    return named + (f"; and {len(items) - LISTED} more" if len(items) > LISTED else "")


def strongest(classes: Iterable[str | None]) -> str | None:
    known = [c for c in classes if c in STRENGTH]
    return max(known, key=STRENGTH.__getitem__) if known else None


@dataclass
class _Decision:
    status: str
    basis: str  # a key of BASE_CONFIDENCE
    decisive: list[Item]  # the items the status rests on
    penalty: float = 0.0


def assess(
    m: Members,
    docs: Mapping[int, Doc],
    *,
    as_of: date,
    window_days: int,
    review: Review | None = None,
) -> Assessment | None:
    """The status of ``m`` as of ``as_of``, or None when no threat or claim was known by then."""
    threats = [t for t in m.threats if t.when.known_by(as_of)]
    claims = [c for c in m.claims if c.when.known_by(as_of)]
    if not threats and not claims:
        return None
    threatened = strongest(t.consequence for t in threats)
    first_threat = min(threats, key=lambda t: t.when.sort) if threats else None
    why = [_threat_step(m, threats, threatened, docs)]
    crossing, crossed = _crossing(m, threats, claims, as_of, docs, why)
    responses: list[Item] = []
    window_end: date | None = None
    if crossed is None:
        decision = _Decision("open", "no_crossing", threats)
        why.append(
            f"No crossing of this line (or a narrower one) in the ledger as of {as_of.isoformat()}."
        )
    else:
        window_end = crossed.hi + timedelta(days=window_days)
        responses = [
            r
            for r in m.responses
            if r.when.known_by(as_of) and r.when.hi >= crossed.lo and r.when.lo <= window_end
        ]
        crossings = [crossing] if crossing else []
        if responses:
            decision = _from_responses(
                m.threatener, threatened, crossings, responses, claims, docs, why
            )
        elif claims:
            decision = _from_claims(crossings, claims, docs, why)
        elif window_end < as_of:
            decision = _Decision("crossed_unenforced", "window_elapsed", crossings)
            why.append(
                f"No response by {m.threatener} in the ledger within {window_days} days "
                f"(window ended {window_end.isoformat()}, before {as_of.isoformat()})."
            )
        else:
            decision = _Decision("undetermined", "window_running", crossings)
            why.append(
                f"No response or outcome claim yet; the {window_days}-day window runs until "
                f"{window_end.isoformat()}."
            )
    if review is not None and review.status is not None:
        why.append(
            f"The evidence says {decision.status}, but an analyst review ({review.reviewer}) set "
            f"{review.status}" + (f": {review.note}" if review.note else ".")
        )
        decision = _Decision(review.status, "review", [])
    members = [*threats, *([crossing] if crossing else []), *responses, *claims]
    doc_ids = {i.document_id for i in members}
    opinion_ids = {d for d in doc_ids if docs[d].genre == "opinion"}
    opinion_only = bool(doc_ids) and opinion_ids == doc_ids
    confidence, how = _confidence(decision, docs, opinion_only)
    why.append(f"Status {decision.status}; confidence {confidence:.2f} ({how}).")
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
        implicit=not threats,
        document_ids=doc_ids,
        opinion_ids=opinion_ids,
        outlets={docs[d].source_key for d in doc_ids},
        rejected=bool(review and review.rejected),
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
        f"strongest consequence threatened: {threatened or 'unspecified'}. {_list(threats, docs)}"
    )


def _crossing(
    m: Members,
    threats: list[Item],
    claims: list[Item],
    as_of: date,
    docs: Mapping[int, Doc],
    why: list[str],
) -> tuple[Item | None, When | None]:
    """The first crossing event not certainly before the first threat, else one implied by claims."""
    first_lo = min((t.when.lo for t in threats), default=date.min)
    crossings = sorted(
        (c for c in m.crossings if c.when.known_by(as_of) and c.when.hi >= first_lo),
        key=lambda c: (c.when.sort, c.id),
    )
    if crossings:
        first = crossings[0]
        why.append(f"Crossed: {describe(first, docs)} by {first.country or 'unknown actor'}.")
        return first, first.when
    implying = sorted((c for c in claims if c.when.hi >= first_lo), key=lambda c: c.when.sort)
    if not implying:
        return None, None
    claim = implying[0]
    why.append(
        f"Crossed by {claim.when.hi.isoformat()}: no crossing event in the ledger, but "
        f"{describe(claim, docs)} says the line was crossed."
    )
    return None, When(date.min, claim.when.hi, "unknown", claim.when.known_from, claim.when.sort)


def _from_responses(
    threatener: str,
    threatened: str | None,
    crossings: list[Item],
    responses: list[Item],
    claims: list[Item],
    docs: Mapping[int, Doc],
    why: list[str],
) -> _Decision:
    """Enforced when the strongest response is concrete and at least as strong as threatened."""
    answer = strongest(r.consequence for r in responses) or "vague"
    enforced = answer != "vague" and STRENGTH[answer] >= STRENGTH.get(threatened or "vague", 0)
    why.append(
        f"Response by {threatener} within the response window: {_list(responses, docs)}; "
        f"strongest: {answer}, threatened: {threatened or 'unspecified'} → "
        + ("at least as strong." if enforced else "weaker than threatened.")
    )
    deniers = [c for c in claims if c.outcome == "no_response"]
    if deniers:
        why.append(f"But outcome claims deny any response: {_list(deniers, docs)}.")
    status = "crossed_enforced" if enforced else "crossed_partially_enforced"
    penalty = CONTRADICTED_PENALTY if deniers else 0.0
    return _Decision(status, "response_events", [*crossings, *responses], penalty)


def _from_claims(
    crossings: list[Item], claims: list[Item], docs: Mapping[int, Doc], why: list[str]
) -> _Decision:
    """Authors' outcome claims decide when no response event was found; disagreement is undecided."""
    outcomes = {str(c.outcome) for c in claims}
    says = ", ".join(f"{sum(c.outcome == o for c in claims)} {o}" for o in sorted(outcomes))
    if "no_response" in outcomes and outcomes != {"no_response"}:
        why.append(f"Outcome claims conflict ({says}): {_list(claims, docs)}.")
        return _Decision("undetermined", "conflicting_claims", claims)
    why.append(f"Outcome claims ({says}): {_list(claims, docs)}.")
    if outcomes == {"no_response"}:
        status = "crossed_unenforced"
    elif outcomes == {"response"}:
        status = "crossed_enforced"
    else:  # "partial", or some say "response" and others "partial"
        status = "crossed_partially_enforced"
    return _Decision(status, "claims", [*crossings, *claims])


def _confidence(
    decision: _Decision, docs: Mapping[int, Doc], opinion_only: bool
) -> tuple[float, str]:
    """Base by evidence type, more for independent outlets, scaled by extraction confidence."""
    base = BASE_CONFIDENCE[decision.basis]
    if decision.basis == "review":
        return base, "analyst review"
    decisive = decision.decisive
    outlets = {docs[i.document_id].source_key for i in decisive}
    extra = min(max(len(outlets) - 1, 0), MAX_EXTRA_OUTLETS) * PER_EXTRA_OUTLET
    mean = sum(i.confidence for i in decisive) / len(decisive) if decisive else 0.5
    value = (base + extra - decision.penalty) * (0.5 + 0.5 * mean)
    how = f"base {base:.2f} for {decision.basis.replace('_', ' ')}"
    if extra:
        how += f", +{extra:.2f} for {len(outlets)} outlets"
    if decision.penalty:
        how += f", -{decision.penalty:.2f} contradicted by claims"
    how += f", x{0.5 + 0.5 * mean:.2f} for extraction confidence {mean:.2f}"
    if opinion_only:
        value *= OPINION_ONLY_FACTOR
        how += f", x{OPINION_ONLY_FACTOR} opinion only"
    return round(min(max(value, 0.05), 0.95), 2), how


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
    return f"evidence: {docs}, {n_opinion} of them opinion piece{'s' if n_opinion != 1 else ''}"
