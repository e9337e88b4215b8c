"""Read episodes back: their status as of any date (recomputed, never written) and their story."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

import sqlalchemy as sa

from redline import knowledge
from redline.errors import RedlineError
from redline.link.assess import (
    DEFAULT_WINDOW_DAYS,
    Assessment,
    Members,
    Review,
    assess,
    evidence_note,
)
from redline.link.items import EVENT_ROLES, Doc, Item, load_pool
from redline.link.reviews import load_reviews
from redline.link.when import as_of_date, not_after_today, window_days_of
from redline.store import Ledger
from redline.store.db import local_day, row_id
from redline.store.schema import (
    documents,
    episode_members,
    episodes,
    events,
    evidence,
    outcome_claims,
    reviews,
    runs,
    threats,
)
from redline.vocab import (
    ANALYST,
    ClaimOutcome,
    ConsequenceClass,
    ItemKind,
    Precision,
    ReviewState,
    Status,
)

_LISTS: dict[str, str] = {
    "threat": "threats",
    "crossing": "crossings",
    "response": "responses",
    "claim": "claims",
}


@dataclass
class EpisodeState:
    """A stored episode (``row``) and its status recomputed as of a date."""

    row: dict[str, Any]
    assessment: Assessment
    members: Members
    # the analyst's decision on the episode the status was assessed with (None: none), so a
    # reader asking "what if this item were rejected" (``redline.triage``) assesses as this did
    review: Review | None = None

    def summary(self) -> EpisodeSummary:
        a = self.assessment
        return EpisodeSummary(
            id=self.row["id"],
            key=self.row["key"],
            label=self.row["label"],
            threatener=self.row["threatener_country"],
            trigger_key=self.row["trigger_key"],
            consequence_class=ConsequenceClass.parse(a.consequence_class),
            first_threat_date=a.first_threat_date,
            first_threat_precision=precision_of(a.first_threat_precision),
            crossing_date=a.crossed_by,
            crossing_precision=precision_of(a.crossed.precision if a.crossed else None),
            crossed=a.crossed.label if a.crossed else None,
            status=Status(a.status),
            status_as_of=a.as_of,
            status_by="analyst" if a.basis == "review" else "evidence",
            confidence=a.confidence,
            verdict=a.verdict,
            implicit_threat=a.implicit,
            opinion_only=a.opinion_only,
            n_sources=a.n_sources,
            n_outlets=a.n_outlets,
            outlets_known=sum(1 for o in a.outlets if o is not None),
            n_opinion_sources=a.n_opinion,
            self_implied=a.crossed_by_own_response,
            evidence=evidence_note(a.n_sources, a.n_opinion),
            n_threats=len(a.threats),
            n_responses=len(a.responses),
            n_claims=len(a.claims),
        )


def precision_of(value: str | None) -> Precision | None:
    """A precision read from the database or an assessment (None: not known)."""
    return None if value is None else Precision(value)


def _fields_of(obj: Any) -> dict[str, Any]:
    """A dataclass's fields, shallow, in their order (``asdict`` copies nested values deep)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


@dataclass(frozen=True)
class EpisodeSummary:
    """One episode as ``redline episodes`` lists it: its status as of a date and what it rests on."""

    id: int
    key: str
    label: str
    threatener: str
    trigger_key: str
    consequence_class: ConsequenceClass | None
    first_threat_date: date | None
    first_threat_precision: Precision | None
    crossing_date: date | None
    crossing_precision: Precision | None
    crossed: str | None
    status: Status
    status_as_of: date
    # who decided the status: the evidence, or an analyst's review (confidence 1.0)
    status_by: str
    confidence: float
    verdict: bool
    implicit_threat: bool
    opinion_only: bool
    n_sources: int
    n_outlets: int
    # the outlets the documents name (0: none named, and ``n_outlets`` counts them as one)
    outlets_known: int
    n_opinion_sources: int
    # crossed only by the owner's own response: follow-through leaves it out
    self_implied: bool
    evidence: str
    n_threats: int
    n_responses: int
    n_claims: int

    def as_dict(self) -> dict[str, Any]:
        return _fields_of(self)


@dataclass(frozen=True)
class StoryDocument:
    """The document an item of a story is quoted from (``_DOC_FIELDS``)."""

    id: int
    title: str | None
    outlet: str | None
    author: str | None
    published: date | None
    published_precision: Precision
    genre: str
    url: str | None
    # the file it was read from: a fact-checker opens it to find the quote (an untitled
    # document had no other name in the story)
    source_path: str
    source_locator: str | None

    def as_dict(self) -> dict[str, Any]:
        return _fields_of(self)


@dataclass(frozen=True)
class _KindFields:
    def as_dict(self) -> dict[str, Any]:
        return _fields_of(self)


@dataclass(frozen=True)
class ThreatFields(_KindFields):
    """What a story tells of a threat: who drew which line, against whom, threatening what."""

    speaker: str | None
    speaker_country: str | None
    addressee: str | None
    addressee_country: str | None
    trigger_key: str | None
    trigger_text: str | None
    consequence_text: str | None
    consequence_class: ConsequenceClass
    explicitness: str


@dataclass(frozen=True)
class CrossingFields(_KindFields):
    """What a story tells of a crossing: who crossed which line, against whom, doing what."""

    actor: str | None
    actor_country: str | None
    target_country: str | None
    trigger_key: str | None
    action: str | None


@dataclass(frozen=True)
class ResponseFields(_KindFields):
    """What a story tells of a response: who answered the crossing of which line, how."""

    actor: str | None
    actor_country: str | None
    trigger_key: str | None
    action: str | None
    consequence_class: ConsequenceClass | None


@dataclass(frozen=True)
class ClaimFields(_KindFields):
    """What a story tells of an outcome claim: whose line, and what the author says followed."""

    subject_country: str | None
    trigger_key: str | None
    claim: ClaimOutcome


KindFields = ThreatFields | CrossingFields | ResponseFields | ClaimFields


@dataclass(frozen=True)
class StoryItem:
    """An item as a story tells it: when, what (``fields``, the columns of its kind: the
    ``KindFields`` of ``_FIELDS``), the quote and where it stands in its document."""

    date: str
    date_sort: datetime.date
    kind: ItemKind
    id: int
    confidence: float
    review_state: ReviewState
    # "analyst": an item an analyst added (``redline add``)
    extractor: str
    fields: KindFields
    quote: str
    # where the quote starts in its document: span_start and span_end count from the
    # document's start too, so quote[span_start - sentence_start:...] is the span
    sentence_start: int
    span_start: int
    span_end: int
    document: StoryDocument

    def field(self, name: str) -> Any:
        """One of the kind's columns (None: the kind has no such column)."""
        return getattr(self.fields, name, None)

    def as_dict(self) -> dict[str, Any]:
        head = {k: getattr(self, k) for k in ("date", "date_sort", "kind", "id")}
        head |= {k: getattr(self, k) for k in ("confidence", "review_state", "extractor")}
        tail = {k: getattr(self, k) for k in ("quote", "sentence_start", "span_start", "span_end")}
        return {**head, **self.fields.as_dict(), **tail, "document": self.document.as_dict()}


@dataclass(frozen=True)
class AnalystDecision:
    """An analyst's decision on an episode, as its story lists it."""

    review_id: int
    date: datetime.date | None
    reviewer: str
    action: str
    # a lifted status names none ("lift", not "lift status=None")
    set: str | None
    note: str | None
    effective: datetime.date | None  # the day the status holds from, when the analyst named one

    def as_dict(self) -> dict[str, Any]:
        return _fields_of(self)


@dataclass(frozen=True)
class Story:
    """An episode's whole story: its summary, why it has its status, and every item with its
    quote and document."""

    summary: EpisodeSummary
    window_end: date | None
    basis: str
    explanation: tuple[str, ...]
    threats: tuple[StoryItem, ...]
    crossing: StoryItem | None
    other_crossings: tuple[StoryItem, ...]
    responses: tuple[StoryItem, ...]
    claims: tuple[StoryItem, ...]
    # the owner's claims that it took the line back (a withdrawn status rests on them)
    withdrawals: tuple[StoryItem, ...]
    # rejected: not a red line, so in no listing or score (the story still tells it)
    analyst_rejected: bool
    analyst_decisions: tuple[AnalystDecision, ...]

    def as_dict(self) -> dict[str, Any]:
        """The story as ``redline episode -f json`` prints it: the summary's fields first."""

        def told(items: tuple[StoryItem, ...]) -> list[dict[str, Any]]:
            return [i.as_dict() for i in items]

        return {
            **self.summary.as_dict(),
            "window_end": self.window_end,
            "basis": self.basis,
            "explanation": list(self.explanation),
            "threats": told(self.threats),
            "crossing": self.crossing.as_dict() if self.crossing else None,
            "other_crossings": told(self.other_crossings),
            "responses": told(self.responses),
            "claims": told(self.claims),
            "withdrawals": told(self.withdrawals),
            "analyst_rejected": self.analyst_rejected,
            "analyst_decisions": [d.as_dict() for d in self.analyst_decisions],
        }


@dataclass
class EpisodeView:
    """Every episode's status as of one date with one response window, assessed once.

    ``link`` builds it; score, report, export, the CLI and the API read it and never assess
    again, so they cannot disagree about a status.
    """

    as_of: date
    window_days: int
    states: list[EpisodeState]
    # what the sources had reported by ``as_of`` (True), or what had happened by then, even if
    # reported later (False: hindsight, the default)
    reported: bool = False
    # the documents the members come from (what ``assess`` reads beside them)
    docs: Mapping[int, Doc] = field(default_factory=dict)
    # every threatener the stored episodes name, whatever the date: one with no episode yet
    # as of ``as_of`` is an actor of the ledger all the same (``actor_of``)
    actors: frozenset[str] = frozenset()

    def __iter__(self) -> Iterator[EpisodeState]:
        return iter(self.states)

    def __len__(self) -> int:
        return len(self.states)

    def select(
        self, *, actor: str | None = None, status: Iterable[str] | None = None
    ) -> list[EpisodeState]:
        """Episodes of one threatener (code or name) and with one of ``status`` (one status
        or several; an unknown one is a ConfigError, not an empty answer)."""
        wanted = _statuses(status)
        code = actor_of(self, actor) if actor is not None else None
        return [
            s
            for s in self.states
            if (code is None or s.row["threatener_country"] == code)
            and (not wanted or s.assessment.status in wanted)
        ]


def actor_of(states: Iterable[EpisodeState], actor: str) -> str:
    """The code ``actor`` (a code or a name) means: one the gazetteers know, a threatener of
    ``states`` or, of an ``EpisodeView``, one any stored episode names. An actor whose first
    episode comes after the view's date (a code only `extract --gazetteer` knew) was "unknown
    actor ...; did you mean" another, where one the gazetteers know gave an empty answer."""
    present = {s.row["threatener_country"] for s in states}
    if isinstance(states, EpisodeView):
        present |= states.actors
    return knowledge.actor_code(actor, present=sorted(present))


def agreeing(
    view: EpisodeView,
    *,
    as_of: object = None,
    window_days: object = None,
    reported: bool = False,
) -> EpisodeView:
    """``view``, when the date, response window and reading asked for beside it agree with it
    (None, and ``reported`` False: not asked); else a ConfigError. A view is read in its own
    date and window, and what was asked besides was dropped unremarked: credibility and a report
    as of another day than the one asked, an audit recorded as of the day asked with the view's
    statuses."""
    from redline.errors import ConfigError
    from redline.link.when import as_of_date, window_days_of

    day, window = as_of_date(as_of), window_days_of(window_days)
    differ = []
    if day is not None and day != view.as_of:
        differ.append(f"as of {view.as_of}, not {day}")
    if window is not None and window != view.window_days:
        differ.append(f"with a {view.window_days}-day response window, not {window}")
    if reported and not view.reported:
        differ.append("in hindsight, not as reported")
    if differ:
        raise ConfigError(
            f"the view given reads the episodes {' and '.join(differ)}: pass the view alone, "
            "or evaluate one for what you ask (link.evaluate)"
        )
    return view


def _statuses(status: Iterable[str] | str | None) -> set[str]:
    """The statuses a filter names: a string is one status (it was split into letters)."""
    from redline.errors import ConfigError
    from redline.vocab import Status

    asked = [str(s).strip() for s in ([status] if isinstance(status, str) else status or ())]
    known = [v.value for v in Status]
    unknown = [s for s in asked if s not in known]
    if unknown:
        raise ConfigError(f"unknown status {unknown[0]!r}; use one of {', '.join(known)}")
    return {str(s) for s in asked}


def _last_link(conn: sa.Connection) -> dict[str, Any]:
    """The parameters of the latest ``link`` run ({} when none has run)."""
    params = conn.execute(
        sa.select(runs.c.params).where(runs.c.stage == "link").order_by(runs.c.id.desc()).limit(1)
    ).scalar()
    return params or {}


def last_window_days(conn: sa.Connection) -> int:
    """The response window of the latest ``link`` run (the default when none has run)."""
    return int(_last_link(conn).get("window_days", DEFAULT_WINDOW_DAYS))


def last_link_as_of(conn: sa.Connection) -> date | None:
    """The as-of date of the latest ``link`` run: the date the stored episodes stand on."""
    value = _last_link(conn).get("as_of")
    return date.fromisoformat(value) if value else None


def evaluate(
    ledger: Ledger,
    *,
    as_of: date | None = None,
    window_days: int | None = None,
    episode_ids: Iterable[int] | None = None,
    include_rejected: bool = False,
    reported: bool = False,
    conn: sa.Connection | None = None,
) -> EpisodeView:
    """Every stored episode (or those of ``episode_ids``) with its status as of ``as_of``.

    Membership is what the last ``link`` stored; statuses are recomputed from the members, so
    they reflect later reviews and the passing of time. Episodes nothing was known of on
    ``as_of`` are left out. By default an item counts from its own date (hindsight); with
    ``reported``, only from its document's publication: the record as the sources stood then.
    Everything is read from one snapshot of the ledger (``conn``'s, when given: a caller that
    reads more beside the view, as the export does, passes its own).
    """
    as_of = as_of_date(as_of) or date.today()
    # as `link` refuses one: a status as of a day not yet come judges every response window
    # ending by then as passed (listings, credibility and the report read lines unenforced)
    not_after_today(
        as_of,
        date.today(),
        "the as-of date",
        "statuses are read as of a day that has come, and a later day would close response "
        "windows that are still open: read them as of today or an earlier day",
    )
    window_days = window_days_of(window_days)
    ids = None if episode_ids is None else list(episode_ids)
    with ledger.snapshot() if conn is None else nullcontext(conn) as conn:
        window = window_days if window_days is not None else last_window_days(conn)
        query = sa.select(episodes).order_by(episodes.c.threatener_country, episodes.c.key)
        if ids is not None:
            query = query.where(episodes.c.id.in_(ids))
        rows = [dict(r._mapping) for r in conn.execute(query)]
        pool = load_pool(conn, ids, reported=reported)
        links = sa.select(
            episode_members.c.episode_id, episode_members.c.item_type, episode_members.c.item_id
        )
        if ids is not None:
            links = links.where(episode_members.c.episode_id.in_(ids))
        member_rows = conn.execute(links).all()
        found = load_reviews(conn, ids)
    by_id = pool.by_id()
    members = {r["id"]: Members(r["threatener_country"], r["trigger_key"]) for r in rows}
    for episode_id, item_type, item_id in member_rows:
        # an event serves in its episode's role for it: a response by the crossing side is
        # stored as a crossing member (events share one id space)
        item = by_id.get((item_type, item_id)) or next(
            (
                by_id[(k, item_id)]
                for k in EVENT_ROLES
                if item_type in EVENT_ROLES and (k, item_id) in by_id
            ),
            None,
        )
        if item is not None and episode_id in members:  # rejected since the link: ignored
            getattr(members[episode_id], _LISTS[item_type]).append(item)
    out = []
    for row in rows:
        review = found.get(row["id"])
        if review is not None and review.rejected and not include_rejected:
            continue
        m = members[row["id"]]
        a = assess(m, pool.docs, as_of=as_of, window_days=window, review=review)
        if a is not None:
            out.append(EpisodeState(row, a, m, review))
    return EpisodeView(
        as_of,
        window,
        out,
        reported,
        actors=frozenset(r["threatener_country"] for r in rows),
        docs=pool.docs,
    )


def resolve(ledger: Ledger, ref: str | int) -> int:
    """An episode id from an id or a key such as ``RUS:f16_delivery``."""
    text = str(ref).strip()
    keys = [text]
    owner, colon, line = text.partition(":")
    if colon:  # "rus:F16_Delivery" and "Russia:f16_delivery" name RUS:f16_delivery
        with suppress(RedlineError):  # an owner no gazetteer knows: the key as typed only
            keys.append(f"{knowledge.actor_code(owner)}:{line.lower()}")
    with ledger.connect() as conn:
        cond: sa.ColumnElement[bool] = episodes.c.key.in_(keys)
        number = row_id(text)
        if number is not None:
            cond = sa.or_(cond, episodes.c.id == number)
        found = conn.execute(sa.select(episodes.c.id).where(cond)).scalar()
        linked = conn.execute(sa.select(sa.func.count()).select_from(episodes)).scalar_one()
    if found is None:
        hint = (
            "`redline episodes` lists the keys and ids (ids change when `redline link` runs "
            "for another date; keys do not)"
            if linked
            else "no episode is linked yet: run `redline link` first"
        )
        raise RedlineError(f"no episode {ref!r} in {ledger.url}; {hint}")
    return int(found)


def episode_status(
    ledger: Ledger,
    episode: str | int,
    as_of: date | None = None,
    *,
    window_days: int | None = None,
    reported: bool = False,
) -> Assessment | None:
    """The status of one episode as of ``as_of`` (default today), computed without writing
    (``reported``: as ``evaluate``).

    None when nothing about the episode was known on that date.
    """
    states = evaluate(
        ledger,
        as_of=as_of,
        window_days=window_days,
        episode_ids=[resolve(ledger, episode)],
        include_rejected=True,
        reported=reported,
    )
    return states.states[0].assessment if states else None


def list_episodes(
    ledger: Ledger,
    *,
    actor: str | None = None,
    status: Iterable[str] | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
    view: EpisodeView | None = None,
    reported: bool = False,
) -> list[EpisodeSummary]:
    """One summary per episode, filtered by threatener and status, as of a date
    (``reported``: as ``evaluate``)."""
    if view is not None:
        view = agreeing(view, as_of=as_of, window_days=window_days, reported=reported)
    else:
        view = evaluate(ledger, as_of=as_of, window_days=window_days, reported=reported)
    return [s.summary() for s in view.select(actor=actor, status=status)]


def get_episode(
    ledger: Ledger,
    episode: str | int,
    *,
    as_of: date | None = None,
    window_days: int | None = None,
    reported: bool = False,
) -> Story:
    """The whole story: each threat with its quote and source, the crossing, responses, claims
    (``reported``: as ``evaluate``)."""
    episode_id = resolve(ledger, episode)
    states = evaluate(
        ledger,
        as_of=as_of,
        window_days=window_days,
        reported=reported,
        episode_ids=[episode_id],
        include_rejected=True,
    )
    if not states:
        raise RedlineError(
            f"episode {episode!r} has nothing to show as of {as_of or date.today()}: none of "
            "its items had happened by then, or an analyst rejected them (`redline reviews` "
            "lists the decisions; the next `redline link` drops an episode left without a "
            "threat unless it was reviewed)"
        )
    return story(ledger, states.states[0])


def story(ledger: Ledger, state: EpisodeState) -> Story:
    """``state``'s story: summary, explanation, and every item with quote and document."""
    return stories(ledger, [state])[0]


def stories(ledger: Ledger, states: Iterable[EpisodeState]) -> list[Story]:
    """Each state's story (``story``), read with a few queries for them all: a report of 3,000
    episodes made five queries an episode."""
    states = list(states)
    wanted = [_wanted(s.assessment) for s in states]
    with ledger.connect() as conn:
        details: dict[ItemKind, dict[int, dict[str, Any]]] = {}
        for kind in ItemKind:
            ids = sorted({i.id for w in wanted for i in w[kind]})
            details[kind] = {}
            for start in range(0, len(ids), _CHUNK):
                details[kind] |= _details(conn, kind, ids[start : start + _CHUNK])
        decided = _analyst_decisions(conn, [int(s.row["id"]) for s in states])
    return [
        _story(s, w, details, decided.get(int(s.row["id"]), ()))
        for s, w in zip(states, wanted, strict=True)
    ]


def _wanted(a: Assessment) -> dict[ItemKind, list[Item]]:
    """The items a story tells, by the role each plays in it."""
    others = [c for c in a.usable_crossings if c is not a.crossing]
    return {
        ItemKind.THREAT: a.threats,
        ItemKind.CROSSING: [*([a.crossing] if a.crossing else []), *others],
        ItemKind.RESPONSE: a.responses,
        ItemKind.CLAIM: [*a.claims, *a.withdrawals],
    }


def _story(
    state: EpisodeState,
    wanted: dict[ItemKind, list[Item]],
    details: dict[ItemKind, dict[int, dict[str, Any]]],
    decided: tuple[AnalystDecision, ...],
) -> Story:
    a = state.assessment
    crossing = a.crossing

    def told(kind: ItemKind, items: list[Item] | None = None) -> tuple[StoryItem, ...]:
        # by the role the item plays here: a response by the crossing side serves as the
        # crossing of the other side's line, and is told (and looked up) as one
        return tuple(
            StoryItem(i.when.label, i.when.sort, **details[kind][i.id])
            for i in sorted(
                wanted[kind] if items is None else items, key=lambda i: (i.when.sort, i.id)
            )
        )

    crossings = told(ItemKind.CROSSING)
    return Story(
        summary=state.summary(),
        window_end=a.window_end,
        basis=a.basis,
        explanation=tuple(a.explanation),
        threats=told(ItemKind.THREAT),
        crossing=next((c for c in crossings if crossing and c.id == crossing.id), None),
        other_crossings=tuple(c for c in crossings if not crossing or c.id != crossing.id),
        responses=told(ItemKind.RESPONSE),
        claims=told(ItemKind.CLAIM, a.claims),
        withdrawals=told(ItemKind.CLAIM, a.withdrawals),
        analyst_rejected=a.rejected,
        analyst_decisions=decided,
    )


def _analyst_decisions(
    conn: sa.Connection, episode_ids: list[int]
) -> dict[int, tuple[AnalystDecision, ...]]:
    """Every analyst decision on each episode, oldest first: where an analyst reads the story,
    a rejection, a note or a confirmation is there too, not only in `redline reviews`."""
    rows = []
    for start in range(0, len(episode_ids), _CHUNK):
        rows += _episode_reviews(conn, episode_ids[start : start + _CHUNK])
    out: dict[int, list[AnalystDecision]] = {}
    for r in rows:
        out.setdefault(r.item_id, []).append(
            AnalystDecision(
                review_id=r.id,
                date=local_day(r.created_at) if r.created_at else None,
                reviewer=r.reviewer,
                action=r.action,
                set=f"{r.field}={r.new_value}" if r.field and r.new_value is not None else None,
                note=r.note,
                effective=r.effective,
            )
        )
    return {episode: tuple(decided) for episode, decided in out.items()}


def _episode_reviews(conn: sa.Connection, episode_ids: list[int]) -> list[sa.Row[Any]]:
    return list(
        conn.execute(
            sa.select(
                reviews.c.item_id,
                reviews.c.id,
                reviews.c.created_at,
                reviews.c.reviewer,
                reviews.c.action,
                reviews.c.field,
                reviews.c.new_value,
                reviews.c.note,
                reviews.c.effective,
            )
            .where(reviews.c.item_type == "episode", reviews.c.item_id.in_(episode_ids))
            .order_by(reviews.c.id)  # stored order: the decision in force is the last stored
        )
    )


_CHUNK = 1000  # ids in one query's IN list
_DOC_FIELDS = (
    "id",
    "title",
    "outlet",
    "author",
    "published",
    "published_precision",
    "genre",
    "url",
    # the file it was read from: a fact-checker opens it to find the quote (an untitled
    # document had no other name in the story)
    "source_path",
    "source_locator",
)
_FIELDS: dict[ItemKind, tuple[sa.Table, type[KindFields]]] = {
    ItemKind.THREAT: (threats, ThreatFields),
    ItemKind.CROSSING: (events, CrossingFields),
    ItemKind.RESPONSE: (events, ResponseFields),
    ItemKind.CLAIM: (outcome_claims, ClaimFields),
}
# the columns of the vocabulary's names, read as its enums (None stays None)
_ENUM_COLUMNS: dict[str, type[ConsequenceClass] | type[ClaimOutcome]] = {
    "consequence_class": ConsequenceClass,
    "claim": ClaimOutcome,
}


def _kind_fields(kind: ItemKind, data: sa.RowMapping) -> KindFields:
    _, of_kind = _FIELDS[kind]
    values = {f.name: data[f.name] for f in fields(of_kind)}
    for name, enum in _ENUM_COLUMNS.items():
        if values.get(name) is not None:
            values[name] = enum(values[name])
    return of_kind(**values)


def analyst_mark(extractor: str | None, review_state: str | None) -> str | None:
    """What an analyst did to an item an episode's story cites, as the story and the report
    mark it: added, corrected or confirmed it (None: the machine's item, unreviewed)."""
    if extractor == ANALYST:
        return "added by an analyst"
    if review_state in (ReviewState.CORRECTED, ReviewState.CONFIRMED):
        return f"{review_state} by an analyst"
    return None


def _details(conn: sa.Connection, kind: ItemKind, ids: list[int]) -> dict[int, dict[str, Any]]:
    """What a ``StoryItem`` holds of each item but its date (the role it plays gives that)."""
    if not ids:
        return {}
    table, of_kind = _FIELDS[kind]
    names = [f.name for f in fields(of_kind)]
    query = (
        sa.select(
            table.c.id,
            table.c.confidence,
            table.c.review_state,
            table.c.extractor,
            *(table.c[f] for f in names),
            evidence.c.sentence.label("quote"),
            evidence.c.sentence_start,
            evidence.c.span_start,
            evidence.c.span_end,
            *(documents.c[f].label(f"doc_{f}") for f in _DOC_FIELDS),
        )
        .join(evidence, evidence.c.id == table.c.evidence_id)
        .join(documents, documents.c.id == table.c.document_id)
        .where(table.c.id.in_(ids))
    )
    out = {}
    for row in conn.execute(query):
        data = row._mapping
        doc = {f: data[f"doc_{f}"] for f in _DOC_FIELDS}
        doc["published_precision"] = Precision(doc["published_precision"])
        out[row.id] = dict(
            kind=kind,
            id=row.id,
            confidence=row.confidence,
            review_state=ReviewState(row.review_state),
            extractor=row.extractor,
            fields=_kind_fields(kind, data),
            quote=row.quote,
            sentence_start=row.sentence_start,
            span_start=row.span_start,
            span_end=row.span_end,
            document=StoryDocument(**doc),
        )
    return out
