"""Gather what the report shows: episode stories, sources, credibility and the charts' data."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from redline import GENERATOR, __version__, vocab
from redline.audit import AuditFigures, figures, judged_elsewhere
from redline.documents import LISTED_FIELDS, ListedDocument
from redline.errors import ConfigError
from redline.gold import measured
from redline.gold.measured import Measured
from redline.link import EpisodeState, EpisodeView, evaluate
from redline.link.episodes import (
    EpisodeSummary,
    Story,
    StoryDocument,
    StoryItem,
    agreeing,
    last_link_as_of,
    last_window_days,
    stories,
)
from redline.link.when import as_of_words, interval_label, span, window_days_of
from redline.misses import MissFigures, latest_figures
from redline.report import charts
from redline.score import (
    LEVEL,
    Estimate,
    Prior,
    TimelinePoint,
    check_level,
    estimates,
    get_prior,
    level_text,
    timeline,
)
from redline.store import Ledger
from redline.store.db import now
from redline.store.schema import documents

STATUS_ORDER = list(vocab.STATUS_ORDER)
STATUS_LABELS = {s.value: s.label for s in vocab.Status}
_CHUNK = 1000
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_-]+")


_KIND_ORDER = (
    vocab.ItemKind.THREAT,
    vocab.ItemKind.CROSSING,
    vocab.ItemKind.RESPONSE,
    vocab.ItemKind.CLAIM,
)


@dataclass(frozen=True)
class ReportItem:
    """An item of an episode's story as the report tells it: the story's item, its document
    with its ``url`` only when http(s) (``safe_url``), and whether it is a later crossing (one
    after the crossing the status rests on)."""

    item: StoryItem
    document: StoryDocument
    also: bool = False
    # its quote is shown here and again cited by a later episode, which links to it
    repeated: bool = False
    # the episode its quote is shown under, when that is an earlier one (None: shown here)
    shown_in: ReportEpisode | None = None

    @property
    def key(self) -> tuple[vocab.ItemKind, int]:
        """The item as the role it plays: a response told as a crossing is a crossing here."""
        return (self.item.kind, self.item.id)

    @property
    def quote_id(self) -> str:
        """The fragment id of the line its quote is shown in (``repeated``)."""
        return f"quote-{self.item.kind}-{self.item.id}"

    @property
    def kind_words(self) -> str:
        """What the item is, as its line and its tooltip name it ("later crossing")."""
        return "later crossing" if self.also else str(self.item.kind)

    @property
    def approximate(self) -> bool:
        """Dated to a month or a year (or undated): drawn fainter on the timeline."""
        return self.item.date != self.item.date_sort.isoformat()


@dataclass(frozen=True)
class ReportEpisode:
    """An episode as the report shows it: its story, the fragment id of its section
    (``episode_anchors``) and every item of the story in date order."""

    story: Story
    anchor: str
    items: tuple[ReportItem, ...]

    @property
    def summary(self) -> EpisodeSummary:
        return self.story.summary

    @property
    def status_label(self) -> str:
        return self.story.summary.status.label

    @property
    def listed(self) -> tuple[ReportItem, ...]:
        """The items its story lists one a line: all but ``later_told_above``."""
        return tuple(r for r in self.items if not (r.also and r.shown_in))

    @property
    def later_told_above(self) -> tuple[ReportItem, ...]:
        """Its later crossings an earlier episode tells: one line names them all (a line many
        actors drew, crossed again and again, had a line for each crossing under each)."""
        return tuple(r for r in self.items if r.also and r.shown_in)

    @property
    def trigger_label(self) -> str:
        """The episode's label without its actor: its row on the actor's timeline."""
        return self.story.summary.label.split(": ", 1)[-1]


@dataclass(frozen=True)
class Citation:
    """A quote a source gives: the item quoted, and every episode that cites it."""

    item: StoryItem
    episodes: tuple[ReportEpisode, ...]


@dataclass(frozen=True)
class CitedDocument(ListedDocument):
    """A document the report cites: its metadata (its ``url`` only when http(s):
    ``safe_url``), its date as the page gives it, and what each episode quotes from it."""

    published_label: str
    cites: tuple[Citation, ...]  # in the page's order


@dataclass(frozen=True)
class StatusRow:
    """An actor's row of the report's status table: its episodes by status, and in all."""

    actor: str
    counts: dict[vocab.Status, int]  # every status, in ``STATUS_ORDER``
    total: int


@dataclass
class ReportData:
    as_of: date
    generated: datetime
    ledger_url: str
    prior: Prior
    window_days: int
    version: str = __version__
    generator: str = GENERATOR
    episodes: list[ReportEpisode] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    status_rows: list[StatusRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    estimates: list[Estimate] = field(default_factory=list)
    points: list[TimelinePoint] = field(default_factory=list)
    documents: list[CitedDocument] = field(default_factory=list)
    n_opinion_documents: int = 0
    warnings: list[str] = field(default_factory=list)
    charts: dict[str, Any] = field(default_factory=dict)
    audit: AuditFigures | None = None  # the latest `redline audit`, shown beside follow-through
    # each kind that audit did not judge -> the latest other audit that did (``judged_elsewhere``)
    audit_elsewhere: dict[str, int] = field(default_factory=dict)
    # the project's own test-split figures (``redline.gold.measured``), shown beside the audit
    measured: Measured | None = None
    # the latest `redline audit misses` of each kind a sample was drawn for: its recall
    misses: dict[vocab.ItemKind, MissFigures] = field(default_factory=dict)
    reported: bool = False  # statuses from what the sources had reported by ``as_of``
    linked: date | None = None  # the as-of date of the last link (None: never linked)
    level: float = LEVEL  # of the follow-through intervals, table and chart alike

    @property
    def as_of_words(self) -> str:
        """ "as of D", or "as reported by D" (``link.evaluate``'s two readings)."""
        return as_of_words(self.as_of, self.reported)

    @property
    def level_text(self) -> str:
        """The intervals' level as the report names it: "90%"."""
        return level_text(self.level)


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the report: a ``javascript:`` URL in an article is dropped."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


def episode_anchors(keys: Iterable[str]) -> dict[str, str]:
    """Each episode key's fragment id, stable across runs: ``RUS:f16_delivery`` ->
    ``episode-RUS-f16_delivery``.

    Only ASCII letters, digits, ``_`` and ``-`` are kept, so an id is safe as an HTML attribute,
    a URL fragment and a CSS selector; two keys that would come out the same get a counter.
    """
    anchors: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        base = "episode-" + (_NOT_IN_ID.sub("-", key).strip("-") or "x")
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        anchors[key] = anchor
    return anchors


def published_label(day: date | None, precision: str | None) -> str:
    if day is None or precision not in ("day", "month", "year"):
        return "date unknown"
    return interval_label(*span(day, precision))


def gather(
    ledger: Ledger,
    *,
    as_of: date | None = None,
    prior: str | Prior = "uniform",
    window_days: int | None = None,
    view: EpisodeView | None = None,
    reported: bool = False,
    level: float = LEVEL,
) -> ReportData:
    """Everything the report shows; ``reported``: statuses from what the sources had reported
    by ``as_of`` (``link.evaluate``), unless ``view`` is given, which says which reading it is;
    ``level``: that of the follow-through intervals."""
    level = check_level(level)  # before the episodes are assessed
    if view is None:
        with ledger.connect() as conn:
            # 0 read as the last link's window, where every other reader refuses it
            window = window_days_of(window_days) or last_window_days(conn)
        view = evaluate(ledger, as_of=as_of or date.today(), window_days=window, reported=reported)
    else:
        agreeing(view, as_of=as_of, window_days=window_days, reported=reported)
    as_of, window = view.as_of, view.window_days
    states = view.states
    p = get_prior(prior)
    data = ReportData(as_of, now(), ledger.url, p, window, reported=view.reported, level=level)
    told = stories(ledger, _ordered(states))
    anchors = episode_anchors(s.summary.key for s in told)
    data.episodes = _quoted_once([_episode(s, anchors[s.summary.key]) for s in told])
    data.actors = sorted({e.summary.threatener for e in data.episodes})
    # the view: its date and window go with them
    data.estimates = estimates(view, prior=p, level=level)
    data.points = timeline(states, prior=p, level=level)
    _summarise(data)
    _sources(ledger, data)
    data.audit = figures(ledger)
    data.audit_elsewhere = judged_elsewhere(ledger, data.audit) if data.audit else {}
    data.misses = latest_figures(ledger)
    data.warnings = [
        f"Every episode of {e.actor} rests on opinion pieces only ({e.evidence.removeprefix('evidence: ')})."
        for e in data.estimates
        if e.opinion_only
    ]
    try:
        data.measured = measured.load()
    except ConfigError as exc:  # a damaged install: the report still shows the ledger
        data.warnings.append(f"The project's measured accuracy is not shown: {exc}")
    with ledger.connect() as conn:
        linked = data.linked = last_link_as_of(conn)
    if linked is not None and linked != as_of:
        data.warnings.insert(
            0,
            f"The episodes are those of the last link, as of {linked}; their statuses are "
            f"computed {data.as_of_words}"
            + ("" if data.reported else ", in hindsight")
            + f". Run redline link --as-of {as_of} to link for that date.",
        )
    _draw(data)
    return data


def _ordered(states: list[EpisodeState]) -> list[EpisodeState]:
    return sorted(
        states,
        key=lambda s: (
            s.row["threatener_country"],
            STATUS_ORDER.index(vocab.Status(s.assessment.status)),
            s.row["label"],
        ),
    )


def _episode(told: Story, anchor: str) -> ReportEpisode:
    """The story with its items in the page's order: by date, then threat, crossing, response
    and claim."""
    items = [
        *(ReportItem(i, _safe(i.document)) for i in told.threats),
        *([ReportItem(told.crossing, _safe(told.crossing.document))] if told.crossing else []),
        *(ReportItem(i, _safe(i.document), also=True) for i in told.other_crossings),
        *(
            ReportItem(i, _safe(i.document))
            for i in (*told.responses, *told.claims, *told.withdrawals)
        ),
    ]
    items.sort(key=lambda r: (r.item.date_sort, _KIND_ORDER.index(r.item.kind)))
    return ReportEpisode(told, anchor, tuple(items))


def _quoted_once(episodes: list[ReportEpisode]) -> list[ReportEpisode]:
    """Each item's quote shown once, under the first episode that tells it; a later episode
    tells the item and links there. A crossing of a line forty actors drew was quoted under
    each of their episodes: most of the bytes of a report of 3,000 episodes."""
    first: dict[tuple[vocab.ItemKind, int], ReportEpisode] = {}
    for e in episodes:
        for r in e.items:
            first.setdefault(r.key, e)
    again = {r.key for e in episodes for r in e.items if first[r.key] is not e}
    if not again:
        return episodes

    def told(e: ReportEpisode, r: ReportItem) -> ReportItem:
        if first[r.key] is e:
            return replace(r, repeated=r.key in again)
        return replace(r, shown_in=first[r.key])

    return [replace(e, items=tuple(told(e, r) for r in e.items)) for e in episodes]


def _safe(document: StoryDocument) -> StoryDocument:
    """The document with its URL only when http(s) (``safe_url``)."""
    return replace(document, url=safe_url(document.url))


def _summarise(data: ReportData) -> None:
    counts = Counter((e.summary.threatener, e.summary.status) for e in data.episodes)
    data.totals = {s: sum(n for (_, st), n in counts.items() if st == s) for s in STATUS_ORDER}
    data.status_rows = [
        StatusRow(
            actor,
            {s: counts[(actor, s)] for s in STATUS_ORDER},
            sum(counts[(actor, s)] for s in STATUS_ORDER),
        )
        for actor in data.actors
    ]


def _sources(ledger: Ledger, data: ReportData) -> None:
    """One entry per cited document, with what each episode quotes from it."""
    # each document's items, each with the episodes citing it, in the page's order
    cited: dict[int, dict[tuple[vocab.ItemKind, int], tuple[StoryItem, list[ReportEpisode]]]] = {}
    for e in data.episodes:
        for i in e.items:
            cited.setdefault(i.document.id, {}).setdefault(i.key, (i.item, []))[1].append(e)
    cites = {
        doc: [Citation(item, tuple(eps)) for item, eps in items.values()]
        for doc, items in cited.items()
    }
    ids = sorted(cites)
    cols = [c for c in documents.c if c.name in LISTED_FIELDS]
    rows: list[ListedDocument] = []
    with ledger.connect() as conn:
        for start in range(0, len(ids), _CHUNK):
            query = sa.select(*cols).where(documents.c.id.in_(ids[start : start + _CHUNK]))
            rows.extend(ListedDocument.of(r) for r in conn.execute(query))
    rows.sort(key=lambda d: (d.published or date.max, d.id))
    data.documents = [
        CitedDocument(
            **(d.as_dict() | {"url": safe_url(d.url)}),
            published_label=published_label(d.published, d.published_precision),
            cites=tuple(cites[d.id]),
        )
        for d in rows
    ]
    data.n_opinion_documents = sum(d.genre == "opinion" for d in rows)


def _draw(data: ReportData) -> None:
    """The charts, each mark linked to its episode's ``anchor``; only trusted strings go in."""
    if not data.episodes:
        return
    totals = {r.actor: r.total for r in data.status_rows}
    data.charts["status"] = charts.status_chart(
        [
            charts.EpisodeBar(
                e.summary.threatener,
                e.summary.status,
                e.summary.label,
                f"#{e.anchor}",
                f"{e.summary.label} — {e.status_label}",
            )
            for e in data.episodes
        ],
        sorted(data.actors, key=lambda a: (-totals[a], a)),
    )
    timelines = {}
    for actor in data.actors:
        mine = [e for e in data.episodes if e.summary.threatener == actor]
        marks = [
            charts.TimelineMark(
                e.trigger_label,
                i.item.kind,
                i.item.date_sort,
                i.approximate,
                f"#{e.anchor}",
                f"{e.summary.label} — {i.kind_words} {i.item.date} — {e.status_label}",
                described=not i.also,
            )
            for e in mine
            for i in e.items
        ]
        spans = [
            charts.TimelineSpan(
                e.trigger_label,
                e.items[0].item.date_sort,
                e.summary.crossing_date or data.as_of,
                f"#{e.anchor}",
                f"{e.summary.label} — {e.status_label}, from {e.items[0].item.date}, "
                + (
                    f"crossed {e.summary.crossed}"
                    if e.summary.crossed
                    else f"not crossed by {data.as_of}"
                ),
            )
            for e in mine
            if e.items
        ]
        timelines[actor] = charts.timeline_chart(marks, spans, data.as_of)
    data.charts["timelines"] = timelines
    if data.points:
        anchors = {e.summary.key: e.anchor for e in data.episodes}
        data.charts["credibility"] = charts.credibility_chart(data.points, data.prior, anchors)
