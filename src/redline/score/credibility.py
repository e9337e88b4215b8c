"""Follow-through per actor: a Beta-Binomial estimate with a credible interval (90% unless
asked otherwise), and how it moved."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from redline.errors import ConfigError
from redline.link import EpisodeState, EpisodeView, evaluate, evidence_note
from redline.link.episodes import actor_of, agreeing
from redline.link.items import outlet_count
from redline.score.priors import Prior, get_prior
from redline.store import Ledger
from redline.vocab import CROSSED, Status

LEVEL = 0.90  # equal-tailed credible interval, unless a caller asks for another (``check_level``)
PARTIAL_WEIGHT = 0.5  # a partially enforced episode is half a success, half a failure
GROUPINGS = {("actor",), ("actor", "class"), ("actor", "year")}


@dataclass(frozen=True)
class Posterior:
    alpha: float
    beta: float
    mean: float
    lower: float
    upper: float


def check_level(level: float) -> float:
    """``level`` if it can be a credible interval's level (strictly between 0.5 and 1), else a
    ConfigError: a level of 1 or more, of 0.5 or less, or a percentage (95) is refused rather
    than turned into an interval nobody asked for."""
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0.5 < level < 1:
        hint = " (a fraction: 0.95, not 95)" if isinstance(level, int | float) and level > 1 else ""
        raise ConfigError(
            f"the interval's level must lie strictly between 0.5 and 1, not {level!r}{hint}"
        )
    return float(level)


def level_text(level: float) -> str:
    """``level`` as a reader sees it beside an interval: 0.9 -> "90%", 0.975 -> "97.5%", with
    every digit it was given (rounded, 0.9999999 read "100%", an interval of everything)."""
    return f"{Decimal(repr(float(level))).scaleb(2).normalize():f}%"


def posterior(prior: Prior, successes: float, failures: float, level: float = LEVEL) -> Posterior:
    """Beta(prior.alpha + successes, prior.beta + failures), its mean and equal-tailed interval
    at ``level`` (``check_level``): the one place an interval of follow-through is computed."""
    # The Beta quantile is the inverse regularised incomplete beta function: scipy.special's
    # betaincinv is the Boost routine scipy.stats.beta.ppf calls (the same floats), without
    # scipy.stats, whose import read four times the files (49 MB cold) and cost 0.7 s more CPU:
    # the bench's score stage spent most of its time waiting on that import.
    from scipy.special import betaincinv  # slow to import: only when something is scored

    level = check_level(level)
    a, b = prior.alpha + successes, prior.beta + failures
    tail = (1 - level) / 2
    return Posterior(
        a, b, a / (a + b), float(betaincinv(a, b, tail)), float(betaincinv(a, b, 1 - tail))
    )


def outcome(status: str) -> tuple[float, float]:
    """(successes, failures) one episode adds: enforced 1/0, partial 0.5/0.5, unenforced 0/1.
    Every decided episode is one trial: a partial one had counted half a success and no
    failure, so an actor that only ever answered weakly tended to 1."""
    return {
        Status.CROSSED_ENFORCED: (1.0, 0.0),
        Status.CROSSED_PARTIALLY_ENFORCED: (PARTIAL_WEIGHT, 1.0 - PARTIAL_WEIGHT),
        Status.CROSSED_UNENFORCED: (0.0, 1.0),
    }.get(Status(status), (0.0, 0.0))


@dataclass
class Estimate:
    """One actor's (or actor × class / year) follow-through and what it rests on."""

    actor: str
    group: str | None
    n_episodes: int
    crossed: int
    # enforced, partially enforced, unenforced: the decided episodes the estimate counts
    enforced: int
    partially_enforced: int
    unenforced: int
    undetermined: int
    open: int
    withdrawn: int
    decided: int  # decided episodes with a verdict: what the estimate rests on
    # the independent trials they make: episodes sharing a crossing or a response event count
    # as one trial between them (``shares``)
    trials: float
    no_verdict: int  # decided episodes whose status fell below the verdict threshold
    # decided episodes whose only sign of a crossing is the owner's own response (they could
    # only come out enforced): left out like those without a verdict
    self_implied: int
    successes: float
    failures: float
    prior: str
    prior_alpha: float
    prior_beta: float
    alpha: float
    beta: float
    # None with no decided episode (``no_evidence``): the prior alone is no finding, and a
    # caller who averaged 0.50 for the uniform prior would be averaging nothing; the prior
    # stays in ``prior_alpha`` and ``prior_beta``
    mean: float | None
    lower: float | None
    upper: float | None
    level: float
    # the estimate's mean had every crossed line it leaves out (undetermined, no verdict, crossed
    # only by the owner's response) gone unenforced, or been enforced: how far the evidence
    # the ledger lacks could move it (None with no crossed line). Enforcement needs one found
    # response, non-enforcement an explicit statement or long silence, so the mean leans high.
    mean_if_left_out_unenforced: float | None
    mean_if_left_out_enforced: float | None
    as_of: date | None
    window_days: int | None  # the response window the statuses were assessed with
    n_documents: int
    n_opinion_documents: int
    n_outlets: int
    opinion_only: bool
    evidence: str
    decided_episodes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Every field, as JSON, CSV and the exports carry it (mean and interval null with no
        decided episode, as on the object)."""
        return asdict(self)

    @property
    def no_evidence(self) -> bool:
        """No decided episode with a verdict: the numbers are only the prior."""
        return self.decided == 0

    def mean_text(self, digits: int = 2) -> str:
        """The mean as shown to a reader, or "no evidence" when it is only the prior."""
        return "no evidence" if self.mean is None else f"{self.mean:.{digits}f}"

    def interval_text(self, digits: int = 2) -> str:
        if self.lower is None or self.upper is None:
            return "—"
        return f"{self.lower:.{digits}f}–{self.upper:.{digits}f}"

    def trials_text(self) -> str:
        """ "7 episodes as 5 trials" when decided episodes share events, else ""."""
        if self.trials >= self.decided:
            return ""
        return f"{self.decided} episodes as {self.trials:.3g} trials"

    @property
    def mean_label(self) -> str:
        return self.mean_text()

    @property
    def interval_label(self) -> str:
        return self.interval_text()


def shares(states: Sequence[EpisodeState]) -> list[float]:
    """Each episode's weight as a trial: 1 / the size of its group of episodes that share a
    crossing or a response event (connected through any shared event). Episodes that rest on
    one act are one observation of the actor's conduct, not several: an act that crossed a line
    and a narrower one under it, or one response that answered two lines, had counted as two
    independent trials and narrowed the interval."""
    parent = list(range(len(states)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[int, int] = {}  # event id -> the first episode that rests on it
    for i, s in enumerate(states):
        a = s.assessment
        for event in [*([a.crossing] if a.crossing else []), *a.responses]:
            j = first.setdefault(event.id, i)
            parent[root(i)] = root(j)
    size = Counter(root(i) for i in range(len(states)))
    return [1.0 / size[root(i)] for i in range(len(states))]


def _bound(
    p: Prior, successes: float, failures: float, left_out: Sequence[EpisodeState], *, held: bool
) -> float:
    """The posterior mean had every crossed line the estimate leaves out been enforced
    (``held``) or gone unenforced: the estimate's own trials as they are, and the left-out
    episodes as further trials, grouped among themselves by shared events (``shares``). They
    are never grouped with counted episodes: a left-out line sharing a response with two
    counted ones had merged them into one trial, and the bound no longer held the estimate
    between it and the other."""
    more = sum(shares(left_out))
    if held:
        return posterior(p, successes + more, failures).mean
    return posterior(p, successes, failures + more).mean


def counts(state: EpisodeState) -> bool:
    """Does an episode enter follow-through? Decided, confident enough for a verdict, and
    crossed by something other than the owner's own response."""
    a = state.assessment
    return Status(a.status).decided and a.verdict and not a.crossed_by_own_response


@dataclass
class TimelinePoint:
    """The estimate for ``actor`` (within ``group``: its consequence class or crossing year,
    when the timeline is grouped so) right after the crossing of ``episode_key`` was decided."""

    actor: str
    step: int
    date: date | None
    date_precision: str | None
    episode_key: str
    episode_label: str
    status: str
    successes: float
    failures: float
    alpha: float
    beta: float
    mean: float
    lower: float
    upper: float
    level: float = LEVEL
    group: str | None = None  # as ``Estimate.group``: None when grouped by actor alone

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _group(state: EpisodeState, by: Sequence[str]) -> tuple[str, str | None]:
    a = state.assessment
    actor = state.row["threatener_country"]
    if "class" in by:
        return actor, a.consequence_class or "unspecified"
    if "year" in by:
        return actor, str(a.crossed_by.year) if a.crossed_by else "not crossed"
    return actor, None


def _grouped(
    states: Iterable[EpisodeState], by: tuple[str, ...]
) -> list[tuple[tuple[str, str | None], list[EpisodeState]]]:
    """``states`` in their groups (``_group``), ordered by actor, then group."""
    groups: dict[tuple[str, str | None], list[EpisodeState]] = {}
    for s in states:
        groups.setdefault(_group(s, by), []).append(s)
    return sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))


def grouping(by: Sequence[str] | str) -> tuple[str, ...]:
    """The grouping ``by`` names: a tuple of ``GROUPINGS``, or one name ("actor", "class" or
    "year", each within its actor); anything else is a ConfigError."""
    if isinstance(by, str):
        by = ("actor",) if by == "actor" else ("actor", by)
    by = tuple(by)
    if by not in GROUPINGS:
        raise ConfigError(
            f"cannot group credibility by {by!r}; use actor, actor+class or actor+year"
        )
    return by


def estimates(
    states: Iterable[EpisodeState],
    *,
    by: Sequence[str] | str = ("actor",),
    prior: str | Prior = "uniform",
    level: float = LEVEL,
) -> list[Estimate]:
    """Estimates from already evaluated episodes (see ``credibility``; an ``EpisodeView``
    gives its date and response window to each estimate). ``by`` may also be one name:
    "actor", "class" or "year" (each within its actor); ``level``: the interval's
    (``check_level``)."""
    as_of = states.as_of if isinstance(states, EpisodeView) else None
    window_days = states.window_days if isinstance(states, EpisodeView) else None
    by = grouping(by)
    level = check_level(level)
    p = get_prior(prior)
    out = []
    for (actor, group), members in _grouped(states, by):
        tally = Counter(s.assessment.status for s in members)
        decided = [s for s in members if counts(s)]
        counted = Counter(s.assessment.status for s in decided)
        weights = shares(decided)
        successes = failures = 0.0
        for s, w in zip(decided, weights, strict=True):
            ds, df = outcome(s.assessment.status)
            successes, failures = successes + w * ds, failures + w * df
        post = posterior(p, successes, failures, level)
        crossed = sum(tally[k] for k in CROSSED)
        left_out = [s for s in members if Status(s.assessment.status) in CROSSED and not counts(s)]
        was_decided = [s for s in members if Status(s.assessment.status).decided]
        # the documents the estimate rests on: those of the decided episodes it counts (all
        # of the actor's episodes' documents said "20 documents" of an estimate resting on one)
        docs = set().union(*(s.assessment.document_ids for s in decided))
        opinion = set().union(*(s.assessment.opinion_ids for s in decided))
        out.append(
            Estimate(
                actor=actor,
                group=group,
                n_episodes=len(members),
                crossed=crossed,
                enforced=counted[Status.CROSSED_ENFORCED],
                partially_enforced=counted[Status.CROSSED_PARTIALLY_ENFORCED],
                unenforced=counted[Status.CROSSED_UNENFORCED],
                undetermined=tally[Status.UNDETERMINED],
                open=tally[Status.OPEN],
                withdrawn=tally[Status.WITHDRAWN],
                decided=len(decided),
                trials=round(sum(weights), 6),
                no_verdict=sum(
                    1
                    for s in was_decided
                    if not s.assessment.verdict and not s.assessment.crossed_by_own_response
                ),
                self_implied=sum(1 for s in was_decided if s.assessment.crossed_by_own_response),
                successes=successes,
                failures=failures,
                prior=p.name,
                prior_alpha=p.alpha,
                prior_beta=p.beta,
                alpha=post.alpha,
                beta=post.beta,
                mean=post.mean if decided else None,
                lower=post.lower if decided else None,
                upper=post.upper if decided else None,
                level=level,
                mean_if_left_out_unenforced=(
                    _bound(p, successes, failures, left_out, held=False) if crossed else None
                ),
                mean_if_left_out_enforced=(
                    _bound(p, successes, failures, left_out, held=True) if crossed else None
                ),
                as_of=as_of,
                window_days=window_days,
                n_documents=len(docs),
                n_opinion_documents=len(opinion),
                n_outlets=outlet_count(set().union(*(s.assessment.outlets for s in decided))),
                opinion_only=bool(docs) and len(opinion) == len(docs),
                evidence=(
                    evidence_note(len(docs), len(opinion))
                    if decided
                    else "no evidence: no decided episode with a verdict"
                ),
                decided_episodes=sorted(s.row["key"] for s in decided),
            )
        )
    return out


def timeline(
    states: Iterable[EpisodeState],
    *,
    actor: str | None = None,
    prior: str | Prior = "uniform",
    by: Sequence[str] | str = ("actor",),
    level: float = LEVEL,
) -> list[TimelinePoint]:
    """After each decided crossing, in crossing order, the updated estimate of its actor, or
    of its actor's group when ``by`` groups as ``estimates`` does (each group a series of its
    own, whose last point is that group's estimate), its interval at ``level``."""
    p = get_prior(prior)
    by = grouping(by)
    level = check_level(level)
    held = states if isinstance(states, EpisodeView) else list(states)  # read twice
    code = actor_of(held, actor) if actor is not None else None
    states = list(held)
    wanted = [
        s for s in states if counts(s) and (code is None or s.row["threatener_country"] == code)
    ]
    out = []
    for (who, group), members in _grouped(wanted, by):
        successes = failures = 0.0
        ordered = sorted(members, key=lambda s: (s.assessment.crossed_by or date.max, s.row["key"]))
        # each episode weighs as in the estimate (``shares``): the last point is the estimate
        for step, (s, w) in enumerate(zip(ordered, shares(ordered), strict=True), start=1):
            ds, df = outcome(s.assessment.status)
            successes, failures = successes + w * ds, failures + w * df
            post = posterior(p, successes, failures, level)
            out.append(
                TimelinePoint(
                    actor=who,
                    step=step,
                    date=s.assessment.crossed_by,
                    date_precision=s.assessment.crossed.precision if s.assessment.crossed else None,
                    episode_key=s.row["key"],
                    episode_label=s.row["label"],
                    status=s.assessment.status,
                    successes=successes,
                    failures=failures,
                    alpha=post.alpha,
                    beta=post.beta,
                    mean=post.mean,
                    lower=post.lower,
                    upper=post.upper,
                    level=level,
                    group=group,
                )
            )
    return out


def credibility(
    ledger: Ledger,
    *,
    by: Sequence[str] = ("actor",),
    as_of: date | None = None,
    prior: str | Prior = "uniform",
    window_days: int | None = None,
    view: EpisodeView | None = None,
    reported: bool = False,
    actor: str | None = None,
    level: float = LEVEL,
) -> list[Estimate]:
    """Each threatener's follow-through as of ``as_of``, grouped ``by`` actor, class or year
    (``reported``: from what the sources had reported by then, ``link.evaluate``); ``actor``
    (a code or a name) keeps one threatener's; ``level``: the interval's, strictly between 0.5
    and 1 (``check_level``).

    Rejected episodes are left out; open, undetermined and withdrawn ones are counted but do
    not enter the estimate, nor do decided ones below the verdict threshold (``no_verdict``).
    """
    check_level(level)  # before the episodes are assessed
    if view is None:
        view = evaluate(ledger, as_of=as_of, window_days=window_days, reported=reported)
    else:
        agreeing(view, as_of=as_of, window_days=window_days, reported=reported)
    code = actor_of(view, actor) if actor is not None else None
    return [
        e
        for e in estimates(view, by=by, prior=prior, level=level)
        if code is None or e.actor == code
    ]


def credibility_timeline(
    ledger: Ledger,
    *,
    actor: str | None = None,
    as_of: date | None = None,
    prior: str | Prior = "uniform",
    window_days: int | None = None,
    reported: bool = False,
    by: Sequence[str] | str = ("actor",),
    level: float = LEVEL,
) -> list[TimelinePoint]:
    """How each actor's estimate (or each of its groups', ``by`` as ``credibility``) moved
    after each crossing, ordered by crossing date (``reported`` and ``level``: as
    ``credibility``)."""
    by = grouping(by)
    check_level(level)
    view = evaluate(ledger, as_of=as_of, window_days=window_days, reported=reported)
    return timeline(view, actor=actor, prior=prior, by=by, level=level)
