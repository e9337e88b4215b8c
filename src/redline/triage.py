"""What to review first: the unreviewed items an episode's status turns on.

An audit (``redline.audit``) draws items at random, to *measure* how often the ledger is right.
Triage orders them to *mend* it: an analyst with half an hour should spend it on the few items
whose rejection would change a status someone may quote, not on the twentieth threat of a line
that would read the same without it.

For every episode in a view (``link.evaluate``), each member item no analyst has decided on is
taken out in turn and the episode is assessed again, with the same documents, date, response
window and analyst's decision on the episode (``assess``): when the status comes out different,
or the episode would not exist, the item is *at stake* there. Such what-if assessments are never
stored and never read as statuses. An item's priority is the chance it is wrong (one minus its
confidence) times the episodes it is at stake in, an episode with a quotable verdict counting
once and one without half. Only rejection is tried: a corrected field (another trigger, another
date) can move an episode too, and triage does not guess which correction an analyst would make.

Triage also looks where rejection cannot help. A line read as ``open`` says only that no crossing
was found, and on the dev split every wrong verdict was such a line, its crossing reported in a
sentence the extractor passed over. ``leads`` lists, for each open line, the sentences dated on
or after its first threat (a month's or a year's document when the period reaches it, an undated
one from its ingestion) that name it (its trigger or a narrower one) and hold no crossing or
threat, most crossing-like first by the shipped lexical head: the places to read before quoting
"not crossed", and to record with ``redline add crossing`` when one is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

import sqlalchemy as sa

from redline.documents import source_name
from redline.link.assess import Members, assess
from redline.link.episodes import EpisodeState, EpisodeView, precision_of
from redline.link.items import Item
from redline.store import Ledger
from redline.store.schema import documents, events, evidence, outcome_claims, threats
from redline.vocab import ItemKind, Precision, ReviewState, Status

# what `redline review` calls each kind of item, and the table it is stored in
REVIEW_TYPE: dict[ItemKind, str] = {
    ItemKind.THREAT: "threat",
    ItemKind.CROSSING: "event",
    ItemKind.RESPONSE: "event",
    ItemKind.CLAIM: "outcome_claim",
}
_TABLES: dict[str, sa.Table] = {"threat": threats, "event": events, "outcome_claim": outcome_claims}
GONE = "no episode"  # what an episode would be without the item, when it would not exist
UNQUOTABLE_WEIGHT = 0.5  # an episode below the verdict threshold counts half
MIN_DOUBT = 0.05  # an item the extractor was sure of is still a machine's reading
_CHUNK = 500  # ids bound in one query (databases limit the parameters of a statement)


@dataclass(frozen=True)
class Stake:
    """One episode an item's rejection would change."""

    episode_id: int
    key: str
    status: Status  # as the evidence has it now
    without: Status | str  # the status without the item, or ``GONE``
    verdict: bool  # the status now is confident enough to be quoted

    def words(self) -> str:
        return f"{self.key}: {self.status} -> {self.without}"

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ItemDocument:
    """The document a triaged item was read from, as the listing names it."""

    id: int
    title: str | None
    published: str | None  # as precise as the document's date: "2023-01-16", "2023-01"
    source: str | None  # its URL, else its file's name

    def words(self) -> str:
        """Where the item was read, for a terminal: the title, date and source given."""
        given = (self.title, self.published, self.source)
        return ", ".join(str(v) for v in given if v not in (None, ""))


@dataclass
class TriageItem:
    """An unreviewed item and what rests on it, with where it was read."""

    kind: ItemKind
    item_id: int
    confidence: float
    stakes: list[Stake]
    sentence: str = ""
    document: ItemDocument | None = None  # None: removed since the view was read
    # where the sentence and the item's span are in its document (``audit.shown`` cuts a
    # long sentence around the span)
    offsets: dict[str, int] = field(default_factory=dict)

    @property
    def review_type(self) -> str:
        return REVIEW_TYPE[self.kind]

    @property
    def priority(self) -> float:
        doubt = max(1.0 - self.confidence, MIN_DOUBT)
        weight = sum(1.0 if s.verdict else UNQUOTABLE_WEIGHT for s in self.stakes)
        return round(doubt * weight, 4)

    @property
    def review_command(self) -> str:
        """The command that decides on the item."""
        return f"redline review {self.review_type} {self.item_id} confirm|reject|correct"

    def as_dict(self) -> dict[str, Any]:
        """The item as a listing row (JSON keeps the stakes as a list)."""
        doc = self.document
        return {
            "kind": self.kind.value,
            "item_type": self.review_type,
            "item_id": self.item_id,
            "confidence": round(self.confidence, 3),
            "priority": self.priority,
            "at_stake": "; ".join(s.words() for s in self.stakes),
            "stakes": [s.as_dict() for s in self.stakes],
            "sentence": self.sentence,
            "document_id": None if doc is None else doc.id,
            "title": None if doc is None else doc.title,
            "published": None if doc is None else doc.published,
            "source": None if doc is None else doc.source,
            "review": self.review_command,
        }


def _without(m: Members, item: Item) -> Members:
    """``m`` without ``item`` (in whichever role it serves)."""

    def keep(items: list[Item]) -> list[Item]:
        return [i for i in items if not (i.kind == item.kind and i.id == item.id)]

    return replace(
        m,
        threats=keep(m.threats),
        crossings=keep(m.crossings),
        responses=keep(m.responses),
        claims=keep(m.claims),
    )


def stakes_of(state: EpisodeState, view: EpisodeView, item: Item) -> Stake | None:
    """What ``state``'s status would be without ``item``, when that differs from what it is."""
    a = state.assessment
    other = assess(
        _without(state.members, item),
        view.docs,
        as_of=view.as_of,
        window_days=view.window_days,
        review=state.review,
    )
    without = GONE if other is None else other.status
    if without == a.status:
        return None
    return Stake(state.row["id"], state.row["key"], Status(a.status), without, a.verdict)


def _twin(item: Item, shared: set[int | None]) -> Item | None:
    """What an episode's assessment reads of a threat, for threats whose what-ifs are one: the
    threat without its id and confidence (which decide no status), and without its sentence
    unless another member was read from that sentence (a threat's sentence is no crossing or
    response of its line). Threats that differ only in those leave the same episode behind
    when taken out, so one what-if assessment answers for all: an episode of 2000 threats was
    assessed 2000 times over its 2000 threats. None for other kinds, whose ids break ties
    (the earliest of two crossings of one day)."""
    if item.kind != ItemKind.THREAT:
        return None
    sentence = item.evidence_id if item.evidence_id in shared else None
    return replace(item, id=0, confidence=0.0, evidence_id=sentence)


def at_stake_now(ledger: Ledger, view: EpisodeView, item: TriageItem) -> list[Stake]:
    """What rests on ``item`` now in the episodes it was at stake in (as of ``view``'s date and
    window): a decision stored since ``view`` was read (a line's only crossing rejected) can
    leave nothing resting on it, or something else. Episodes relinked since are not found."""
    from redline.link import evaluate

    fresh = evaluate(
        ledger,
        as_of=view.as_of,
        window_days=view.window_days,
        episode_ids=[s.episode_id for s in item.stakes],
        reported=view.reported,
    )
    out = []
    for state in fresh:
        member = next(
            (i for i in state.members.all() if i.kind == item.kind and i.id == item.item_id),
            None,
        )
        stake = None if member is None else stakes_of(state, fresh, member)
        if stake is not None:
            out.append(stake)
    return out


def undecided(conn: sa.Connection, wanted: dict[str, set[int]]) -> dict[str, set[int]]:
    """Of the ids ``wanted`` per review type, those no analyst has confirmed or corrected
    (rejected items are in no episode)."""
    out: dict[str, set[int]] = {}
    for review_type, ids in wanted.items():
        table = _TABLES[review_type]
        found: set[int] = set()
        chunk = sorted(ids)
        for lo in range(0, len(chunk), _CHUNK):
            found.update(
                conn.execute(
                    sa.select(table.c.id).where(
                        table.c.id.in_(chunk[lo : lo + _CHUNK]),
                        table.c.review_state == ReviewState.MACHINE.value,
                    )
                ).scalars()
            )
        out[review_type] = found
    return out


def _places(conn: sa.Connection, items: Sequence[TriageItem]) -> None:
    """Each item's sentence and document, read a few hundred items a query."""
    by_type: dict[str, list[TriageItem]] = {}
    for it in items:
        by_type.setdefault(it.review_type, []).append(it)
    for review_type, group in by_type.items():
        table = _TABLES[review_type]
        query = (
            sa.select(
                table.c.id,
                evidence.c.sentence,
                evidence.c.sentence_start,
                evidence.c.span_start,
                evidence.c.span_end,
                documents.c.id.label("doc_id"),
                documents.c.title,
                documents.c.published,
                documents.c.published_precision,
                documents.c.url,
                documents.c.source_path,
            )
            .join(evidence, evidence.c.id == table.c.evidence_id)
            .join(documents, documents.c.id == table.c.document_id)
        )
        ids = [it.item_id for it in group]
        # in chunks, as ``undecided`` reads them: a listing of every item at stake (--limit
        # 100000) bound one parameter per id, past the database's limit
        found = {
            r.id: r
            for lo in range(0, len(ids), _CHUNK)
            for r in conn.execute(query.where(table.c.id.in_(ids[lo : lo + _CHUNK])))
        }
        for it in group:
            r = found.get(it.item_id)
            if r is None:
                continue  # removed since the view was read
            it.sentence = r.sentence
            it.offsets = {
                "sentence_start": r.sentence_start,
                "span_start": r.span_start,
                "span_end": r.span_end,
            }
            it.document = ItemDocument(
                r.doc_id,
                r.title,
                _published(r.published, r.published_precision),
                source_name(r.url, r.source_path),
            )


def _published(day: date | None, precision: str | None) -> str | None:
    """A document's date as precise as it is known ("2023-01", not "2023-01-01"), for items and
    leads alike (an item's read "2023-01-01" where its lead read "2023-01")."""
    from redline.link.when import date_words

    return None if day is None else date_words(day, precision or "day")


def _kinds(kinds: Iterable[ItemKind | str] | str | None) -> set[ItemKind]:
    """The kinds of item asked for (a string is one kind: it was split into letters); an
    unknown one is a ConfigError naming the kinds, not Python's ValueError."""
    from redline.errors import ConfigError

    asked = [kinds] if isinstance(kinds, str) else list(kinds or ())
    known = [k.value for k in ItemKind]
    for k in asked:
        if str(k) not in known:
            raise ConfigError(f"unknown kind of item {k!r}; use one of {', '.join(known)}")
    return {ItemKind(str(k)) for k in asked} or set(ItemKind)


def _at_least(value: int | None, low: int, name: str) -> None:
    """A ConfigError unless ``value`` is None or a whole number from ``low`` (a negative limit
    cut the last items off the listing, as a slice does)."""
    from redline.errors import ConfigError

    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{name} must be a whole number from {low}, not {value!r}")


def _view(
    ledger: Ledger, view: EpisodeView | None, as_of: date | None, window_days: int | None
) -> EpisodeView:
    """``view``, when the date and window asked beside it agree with it (they were dropped
    unremarked: items at stake as of another day than the one asked), else the episodes as of
    ``as_of`` (``link.evaluate``)."""
    from redline.link import evaluate
    from redline.link.episodes import agreeing

    if view is not None:
        return agreeing(view, as_of=as_of, window_days=window_days)
    return evaluate(ledger, as_of=as_of, window_days=window_days)


def triage(
    ledger: Ledger,
    *,
    view: EpisodeView | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
    kinds: Iterable[ItemKind | str] | str | None = None,
    actor: str | None = None,
    limit: int | None = None,
) -> list[TriageItem]:
    """The unreviewed items some episode's status turns on, highest priority first (ties: the
    most episodes, then the lowest confidence, then kind and id). ``view``: the episodes as of
    a date (default: ``link.evaluate`` as of ``as_of``, today by default); ``kinds``: only
    these kinds of item; ``actor``: only episodes of this threatener; ``limit``: at most this
    many items."""
    wanted_kinds = _kinds(kinds)
    _at_least(limit, 0, "limit")
    view = _view(ledger, view, as_of, window_days)
    states = view.select(actor=actor)
    members: dict[str, set[int]] = {}
    for state in states:
        for item in state.members.all():
            if item.kind in wanted_kinds:
                members.setdefault(REVIEW_TYPE[item.kind], set()).add(item.id)
    with ledger.snapshot() as conn:
        open_ = undecided(conn, members)
        found: dict[tuple[ItemKind, int], TriageItem] = {}
        for state in states:
            seen: set[tuple[ItemKind, int]] = set()
            shared = {i.evidence_id for i in state.members.all() if i.kind != ItemKind.THREAT}
            twins: dict[Item, Stake | None] = {}
            for item in state.members.all():
                ref = (item.kind, item.id)
                if ref in seen or item.kind not in wanted_kinds:
                    continue
                seen.add(ref)
                if item.id not in open_.get(REVIEW_TYPE[item.kind], set()):
                    continue
                twin = _twin(item, shared)
                if twin is None:
                    stake = stakes_of(state, view, item)
                elif twin in twins:
                    stake = twins[twin]
                else:
                    stake = twins[twin] = stakes_of(state, view, item)
                if stake is None:
                    continue
                entry = found.setdefault(ref, TriageItem(item.kind, item.id, item.confidence, []))
                entry.stakes.append(stake)
        ranked = sorted(
            found.values(),
            key=lambda t: (-t.priority, -len(t.stakes), t.confidence, t.kind.value, t.item_id),
        )
        if limit is not None:
            ranked = ranked[:limit]
        _places(conn, ranked)
    return ranked


@dataclass(frozen=True)
class Lead:
    """A sentence that may report the crossing of an open line."""

    episode_id: int
    key: str
    first_threat: date | None
    document_id: int
    start: int
    end: int
    sentence: str
    score: float  # the lexical head's crossing probability
    published: str | None  # as precise as the document's date: "2023-01-16", "2023-01", "2023"
    source: str | None
    # the most specific line the sentence names that crosses this one: what the add command
    # records (the line's own key gave a crossing of F-16s as one of "weapons", which leaves
    # an open line on F-16s open)
    trigger_key: str | None = None
    first_threat_precision: Precision | None = None  # day, month or year

    def first_threat_text(self) -> str | None:
        """The first threat's date as precisely as it is known ("2024-10" for a month)."""
        from redline.link.when import date_words

        if self.first_threat is None:
            return None
        return date_words(self.first_threat, self.first_threat_precision or "day")

    @property
    def add_command(self) -> str:
        """The command that records the sentence as a crossing of the line (its actor is the
        analyst's to give)."""
        return (
            f"redline add crossing {self.document_id} --span {self.start}:{self.end} "
            f"--set trigger_key={self.trigger_key or self.key.partition(':')[2]} "
            "--set actor_country=..."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "first_threat": self.first_threat,
            "first_threat_precision": self.first_threat_precision,
            "score": round(self.score, 3),
            "document_id": self.document_id,
            "published": self.published,
            "source": self.source,
            "span": f"{self.start}:{self.end}",
            "sentence": self.sentence,
            "add": self.add_command,
        }


def leads(
    ledger: Ledger,
    *,
    view: EpisodeView | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
    actor: str | None = None,
    per_line: int = 5,
) -> list[Lead]:
    """For each open line of ``view`` (default: ``link.evaluate`` as of ``as_of``), at most
    ``per_line`` sentences of documents published from its first threat to the view's date that
    name the line or a narrower one and hold no crossing or threat, highest crossing score
    first; lines in the view's order."""
    from redline import knowledge
    from redline.link.when import span
    from redline.misses import _population, _scorer, held_sentences
    from redline.store.db import local_day

    _at_least(per_line, 1, "per_line")
    view = _view(ledger, view, as_of, window_days)
    tree = knowledge.triggers()
    lines = [s for s in view.select(actor=actor) if s.assessment.status == Status.OPEN]
    if not lines:
        return []
    candidates: dict[int, list[tuple[int, int, int, str, str]]] = {s.row["id"]: [] for s in lines}
    with ledger.snapshot() as conn:
        held: dict[int, list[tuple[int, int]]] = {}
        for kind in (ItemKind.CROSSING, ItemKind.THREAT):
            for doc, spans in held_sentences(conn, kind).items():
                held.setdefault(doc, []).extend(spans)
        docs = {
            int(r.id): r
            for r in conn.execute(
                sa.select(
                    documents.c.id,
                    documents.c.published,
                    documents.c.published_precision,
                    documents.c.ingested_at,
                    documents.c.url,
                    documents.c.source_path,
                )
            )
        }
        # a document naming no line is skipped whole (the trigger gazetteer's quick test)
        for doc_id, start, end, sentence in _population(conn, held, reads=tree.any_match):
            named = [k for k, _, _ in tree.match(sentence)]
            if not named:
                continue
            # the days the document may have been published on, as its items are read
            # (``when_of``): a month's or a year's, and an undated one's ingestion day. A
            # document of "2023-01" was left out for a line first drawn on 15 January
            r = docs[doc_id]
            lo, hi = (
                span(r.published, r.published_precision or "day")
                if r.published is not None
                else (local_day(r.ingested_at),) * 2
            )
            if lo > view.as_of:
                continue  # published after the view's date, for every line alike
            for state in lines:
                first = state.assessment.first_threat_date
                if first is not None and hi < first:
                    continue
                # the most specific first (``match``)
                crossing = next(
                    (k for k in named if tree.crosses(k, state.row["trigger_key"])), None
                )
                if crossing is not None:
                    candidates[state.row["id"]].append((doc_id, start, end, sentence, crossing))
    score = _scorer(ItemKind.CROSSING)
    out: list[Lead] = []
    for state in lines:
        found = candidates[state.row["id"]]
        if not found:
            continue
        probs = score([c[3] for c in found])
        ranked = sorted(zip(found, probs, strict=True), key=lambda fp: (-float(fp[1]), fp[0][:2]))
        said: set[str] = set()
        for (doc_id, start, end, sentence, crossing), p in ranked:
            # a sentence several articles carry (wire copy) is one lead: the same words took
            # every place of a line, and the other sentences went unread
            words = " ".join(sentence.split()).casefold()
            if words in said:
                continue
            if len(said) == per_line:
                break
            said.add(words)
            r = docs[doc_id]
            out.append(
                Lead(
                    state.row["id"],
                    state.row["key"],
                    state.assessment.first_threat_date,
                    doc_id,
                    start,
                    end,
                    sentence,
                    float(p),
                    _published(r.published, r.published_precision),
                    source_name(r.url, r.source_path),
                    crossing,
                    precision_of(state.assessment.first_threat_precision),
                )
            )
    return out
