"""Analysts confirm, reject or correct what the machine found; every decision is kept in ``reviews``.

Items are threats, events (crossings and responses), outcome claims and episodes. A decision on
an extracted item changes its ``review_state`` (``confirmed``, ``rejected``, ``corrected``) and,
for a correction, the field, in the same transaction as the audit row that records the old and
the new value. Reviewed items survive re-extraction, keeping their ids, decisions and corrected
fields (``redline.store.items``); rejected ones are ignored by linking,
listings and scores. Decisions on episodes (``withdraw``, ``correct status=…``, ``reject``,
``confirm``) are applied by the linker (see ``redline.link.reviews``).
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Self

import sqlalchemy as sa

from redline import knowledge
from redline.errors import RedlineError
from redline.output import without_controls
from redline.store import Ledger
from redline.store.db import MAX_ID, local_day, now
from redline.store.schema import (
    CLAIM_OUTCOMES,
    CONSEQUENCE_CLASSES,
    EPISODE_STATUSES,
    EXPLICITNESS,
    documents,
    episodes,
    events,
    outcome_claims,
    reviews,
    threats,
)
from redline.vocab import LineSource

ITEMS: dict[str, sa.Table] = {
    "threat": threats,
    "event": events,
    "outcome_claim": outcome_claims,
    "episode": episodes,
}
ACTIONS = ("confirm", "reject", "correct", "note", "withdraw", "lift")
# an episode's action that takes an analyst's status off it: the evidence decides again
LIFT = "lift"
# What an analyst may correct, and the values each field accepts (None: free text).
CORRECTABLE: dict[str, dict[str, tuple[str, ...] | None]] = {
    "threat": {
        "speaker": None,
        "speaker_country": None,
        "addressee_country": None,
        "trigger_key": None,
        "consequence_class": CONSEQUENCE_CLASSES,
        # every value the ledger writes: an analyst could not set a threat back to "implicit"
        "explicitness": EXPLICITNESS,
        "stated_date": None,
    },
    "event": {
        "kind": ("crossing", "response"),
        "actor_country": None,
        "trigger_key": None,
        "consequence_class": CONSEQUENCE_CLASSES,
        "event_date": None,
    },
    "outcome_claim": {
        "trigger_key": None,
        "subject_country": None,
        "claim": CLAIM_OUTCOMES,
    },
    "episode": {"status": EPISODE_STATUSES},
}
# the precision column of each correctable date (``store.items._FOLLOWS`` keeps it with the date)
_DATE_PRECISION = {"threat": "stated_precision", "event": "date_precision"}
_STATE_AFTER = {"confirm": "confirmed", "reject": "rejected", "correct": "corrected"}
MAX_REVIEWER = 120  # the reviews.reviewer column's width
# what a correction names a threat's addressee with when the sentence states none
NO_ADDRESSEE = "none"


# the note that makes a review one of an audit's judgments (``redline.audit``); in any case
# of letters, as SQLite's LIKE (which finds an audit's judgments) reads it
AUDIT_NOTE = re.compile(r"\s*audit #\d+: ", re.IGNORECASE)


@dataclass(frozen=True)
class Decision:
    """An analyst's decision as the audit trail keeps it: a row of ``reviews``."""

    id: int
    item_type: str  # threat, event, outcome_claim or episode (``ITEMS``)
    item_id: int
    action: str  # one of ``ACTIONS`` (or ``add``: an item an analyst added)
    field: str | None
    old_value: str | None
    new_value: str | None
    reviewer: str
    note: str | None
    created_at: datetime
    effective: date | None  # the day an episode's status holds from, when one was named

    @classmethod
    def of(cls, row: sa.Row[Any]) -> Self:
        return cls(**row._mapping)

    def as_dict(self) -> dict[str, Any]:
        """The decision as `redline reviews -f json` lists it, in the table's column order."""
        return {f.name: getattr(self, f.name) for f in fields(Decision)}


@dataclass(frozen=True)
class Applied(Decision):
    """A decision as ``review`` stores it, and what the ledger said of it."""

    # the item's latest decision said this already (a command run twice): stored once, and
    # ``id`` and ``created_at`` are that decision's
    unchanged: bool = False
    # a correction of a rejected item: it stays rejected until confirmed
    stays_rejected: bool = False
    # the line's first threat, when ``effective`` is before it (likely a typo; stored as given)
    before_line: date | None = None
    # a corrected threat's speaker is of the side that crosses its line: it opens no episode
    wrong_side: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The decision's fields, its id after them, then what was said of it (when said)."""
        stored = super().as_dict()
        said = ("unchanged", "stays_rejected", "before_line", "wrong_side")
        return (
            {k: v for k, v in stored.items() if k != "id"}
            | {"id": self.id}
            | {k: getattr(self, k) for k in said if getattr(self, k)}
        )


def review(
    ledger: Ledger,
    item_type: str,
    item_id: int | str,
    action: str,
    *,
    field: str | None = None,
    value: str | date | None = None,
    reviewer: str | None = None,
    note: str | None = None,
    effective: date | str | None = None,
) -> Applied:
    """Record one decision and apply it; returns the audit row. ``item_id``: the item's id,
    or an episode's key (``RUS:f16_delivery``: a key stays when ids change). ``effective``:
    for an episode's status (``withdraw``, ``correct status=…``), the day it holds from when
    that is not the day of the review (the owner took the line back in May 2023). ``value``: a
    corrected date may be a ``date``."""
    # A decision on an episode waits for a link run and holds it off: linking drops the
    # episodes no analyst reviewed, and a review stored while it ran was reported stored and
    # lost with its episode (the key is resolved under the lock, after any such run)
    refuse_audit_form(note)
    item_type = item_type.strip()  # as ``apply_review`` reads it (" episode" held no lock)
    # and no decision is stored while an audit draws or judges its sample (``Ledger.deciding``)
    with ledger.deciding(exclusive=item_type == "episode") as conn:
        number = item_number(ledger, item_type, item_id)
        return apply_review(
            conn,
            ledger.url,
            item_type,
            number,
            action,
            field=field,
            value=value,
            reviewer=reviewer,
            note=note,
            effective=effective,
        )


def refuse_audit_form(note: str | None) -> None:
    """Refuse an analyst's note (a review's, an addition's) that opens as an audit's judgments
    do: the reviews whose note opens so are that audit's judgments, and it would count in its
    figures as a judgment nobody drew."""
    if note is not None and AUDIT_NOTE.match(without_controls(note)):
        raise RedlineError(
            "a review note may not begin 'audit #<number>:' (the form of an audit's "
            "judgments, which count in its figures); judge audited items with "
            "`redline audit judge`, or word the note otherwise"
        )


def item_number(ledger: Ledger, item_type: str, ref: int | str) -> int:
    """An item's id from an id or, for an episode, a key."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ref
    if isinstance(ref, str) and ref.strip().isascii() and ref.strip().isdigit():
        return int(ref)  # past the largest id: refused by apply_review as no such item
    if isinstance(ref, str) and item_type == "episode":
        from redline.link.episodes import resolve

        return resolve(ledger, ref.strip())
    raise RedlineError(f"{item_type} id must be a number, not {ref!r}")


def apply_review(
    conn: sa.Connection,
    where: str,
    item_type: str,
    item_id: int,
    action: str,
    *,
    field: str | None = None,
    value: str | date | None = None,
    reviewer: str | None = None,
    note: str | None = None,
    effective: date | str | None = None,
) -> Applied:
    """``review`` inside the caller's transaction (``where`` names the ledger in errors), so
    several decisions can be stored together or not at all; a transaction of
    ``Ledger.deciding``, as ``review`` takes, so that no audit draws or judges meanwhile.

    Names an analyst types (the item type, the action, the field and a corrected value) are
    read without the spaces around them, as a copy and paste leaves them: " weapons_to_ukraine"
    was refused as an unknown trigger key."""
    item_type, action = item_type.strip(), action.strip()
    field = field.strip() if field is not None else None
    table = ITEMS.get(item_type)
    if table is None:
        raise RedlineError(f"unknown item type {item_type!r}; use one of {', '.join(ITEMS)}")
    if action not in ACTIONS:
        raise RedlineError(f"unknown review action {action!r}; use one of {', '.join(ACTIONS)}")
    if action == "withdraw" and item_type != "episode":
        raise RedlineError("only an episode can be withdrawn")
    if action == LIFT and item_type != "episode":
        raise RedlineError("only an episode's status can be lifted (a status set by an analyst)")
    if action != "correct" and (field is not None or value is not None):
        # A confirm with --set would record a change it does not make.
        raise RedlineError(f"--set goes with 'correct' only, not with {action!r}")
    if item_id < 1 or item_id > MAX_ID:
        raise RedlineError(f"no {item_type} with id {item_id}")
    day = _effective_day(item_type, action, field, effective)
    if note is not None:
        # a note is shown in terminals, CSV files and the report: no escape sequences, control
        # characters or bidirectional overrides in it (ingest cleans articles the same way)
        note = without_controls(note)
    if action == "note" and not (note or "").strip():
        # an empty note recorded nothing, yet kept its episode through every relink
        raise RedlineError("a note needs its text (--note)")
    who = checked_reviewer(reviewer)
    row = conn.execute(sa.select(table).where(table.c.id == item_id)).first()
    if row is not None and item_type != "episode":
        row = _held(conn, table, row)
    if row is None:
        listing = {"threat": "threats", "event": "events", "outcome_claim": "claims"}
        hint = (
            "episode ids can change when `redline link` runs for another date; an episode "
            "key (RUS:f16_delivery) does not: `redline episodes` lists both"
            if item_type == "episode"
            else f"ids of items no analyst reviewed change when extraction runs again: "
            f"`redline {listing.get(item_type, 'threats')}` lists the current ones"
        )
        raise RedlineError(f"no {item_type} with id {item_id} in {where} ({hint})")
    old: Any = None
    if action == LIFT:
        # a status an analyst set (a withdrawal, a `correct --set status=`) is taken off: it
        # could only be replaced by another, so a mistaken withdrawal froze the line for good
        from redline.link.reviews import load_reviews

        decided = load_reviews(conn, [item_id]).get(item_id)
        if decided is None or decided.status is None:
            raise RedlineError(
                f"episode {item_id} has no status set by an analyst: nothing to lift (its "
                "status is the evidence's)"
            )
        field, old = "status", decided.status
    if action == "correct":
        field, value = _check_correction(item_type, field, value, conn)
        old = getattr(row, field)
        if item_type == "episode":
            from redline.link.reviews import load_reviews

            # the status an earlier decision set, which the stored row holds only once a link
            # has run since: a withdrawal put right before relinking read "'open' -> 'open'"
            decided = load_reviews(conn, [item_id]).get(item_id)
            if decided is not None and decided.status is not None:
                old = decided.status
        # (an episode's status is a decision, not a field: "correct status=undetermined" on a
        # line the evidence reads undetermined settles it against later evidence, and a new
        # --effective day re-dates a status already imposed)
        if item_type != "episode":
            from redline.link.when import date_words, item_date

            dated = field.endswith("date")  # a month's date named as a day is a change
            if dated and old is not None:
                # the trail keeps the old date as it was given (a month read "2024-10-01", so a
                # month corrected to its first day read as no change)
                old = date_words(old, getattr(row, _DATE_PRECISION[item_type]))
            no_addressee = field == "addressee_country" and value == NO_ADDRESSEE
            if (old is None and no_addressee) or (old is not None and str(old) == value):
                # recorded as a change ("'vague' -> 'vague'"), and it froze the field against
                # every re-extraction
                raise RedlineError(
                    f"{item_type} {item_id}: {field} is {value!r} already; "
                    f"`confirm` records that it is right"
                )
            # an addressee the sentence does not state is none (the line's crossers count)
            new_value: Any = None if no_addressee else value
            values: dict[str, Any] = {}
            if dated:
                new_value, precision = item_date(value, field)
                check_before_its_article(conn, row.document_id, new_value, f"{item_type} {row.id}")
                # the precision the analyst gave replaces the one the extractor read
                values[_DATE_PRECISION[item_type]] = precision.value
            values[field] = new_value
            if item_type == "event" and field == "trigger_key":
                values["line_from"] = LineSource.REVIEW  # the analyst read the line
            if item_type == "threat" and field in ("speaker_country", "speaker"):
                # the gazetteer actor named before is the old speaker, of the old country (an
                # export gave "Sergei Ryabkov" the actor row of the name corrected away)
                values["speaker_actor_id"] = None
            if item_type == "threat" and field == "addressee_country":
                # the name the extractor read is the old addressee's: "Germany" stood beside a
                # corrected POL in every listing and export
                values["addressee"] = None
            try:
                conn.execute(sa.update(table).where(table.c.id == item_id).values(values))
            except sa.exc.IntegrityError as exc:  # the unique key of the item's identity
                raise RedlineError(
                    f"{item_type} {item_id}: {field}={value} would make it a copy of "
                    f"another {item_type} of the same sentence span; review that one instead"
                ) from exc
    # a correction of a rejected item records the change and leaves it rejected: only a
    # confirmation brings it back (a correction had silently restored it to every episode)
    stays_rejected = action == "correct" and getattr(row, "review_state", None) == "rejected"
    if item_type != "episode" and action in _STATE_AFTER and not stays_rejected:
        conn.execute(
            sa.update(table).where(table.c.id == item_id).values(review_state=_STATE_AFTER[action])
        )
    audit: dict[str, Any] = {
        "item_type": item_type,
        "item_id": item_id,
        "action": action,
        "field": field,
        "old_value": None if old is None else str(old),
        "new_value": value,
        "reviewer": who,
        "note": note,
        "created_at": now(),
        "effective": day,
    }
    same = _latest_if_the_same(conn, audit)
    if same is not None:
        # the item's latest decision says this already (a command run twice): the trail keeps
        # one row for it, as an audit judged twice does
        audit.update(id=int(same.id), created_at=same.created_at)
    else:
        res = conn.execute(sa.insert(reviews).values(**audit))
        audit["id"] = int(res.inserted_primary_key[0])  # type: ignore[index]
    first = getattr(row, "first_threat_date", None) if item_type == "episode" else None
    # stored as asked, but likely a typo: a line cannot be withdrawn or settled before it
    # was drawn (the status holds from the first threat on, as the analyst's day would)
    before = first if day is not None and first is not None and day < first else None
    wrong_side = None
    if item_type == "threat" and action == "correct":
        after = conn.execute(
            sa.select(table.c.speaker_country, table.c.trigger_key).where(table.c.id == item_id)
        ).first()
        if after is not None and _drawn_by_the_crossing_side(
            after.speaker_country, after.trigger_key
        ):
            wrong_side = f"{after.speaker_country} would cross {after.trigger_key}"
    return Applied(
        **audit,
        unchanged=same is not None,
        stays_rejected=stays_rejected,
        before_line=before,
        wrong_side=wrong_side,
    )


def _latest_if_the_same(conn: sa.Connection, audit: dict[str, Any]) -> Any | None:
    """The item's latest review when it records the same decision as ``audit`` (same person,
    action, field, value, note and day), else None. A decision between the two (another
    analyst's) makes the repeat a decision of its own, stored again."""
    latest = conn.execute(
        sa.select(reviews)
        .where(reviews.c.item_type == audit["item_type"], reviews.c.item_id == audit["item_id"])
        .order_by(reviews.c.id.desc())
        .limit(1)
    ).first()
    fields = ("action", "field", "new_value", "reviewer", "note", "effective")
    if latest is None or any(getattr(latest, f) != audit[f] for f in fields):
        return None
    return latest


def reviewer_name(reviewer: str | None) -> str:
    """Who a decision is recorded as: the name given, else the account running the command."""
    return (reviewer or getpass.getuser()).strip()


def checked_reviewer(reviewer: str | None) -> str:
    """``reviewer_name``, refused unless a printable name of 1 to ``MAX_REVIEWER`` characters
    (what a review, an addition and a misses judgment store)."""
    who = reviewer_name(reviewer)
    if not who or len(who) > MAX_REVIEWER or any(not c.isprintable() for c in who):
        raise RedlineError(
            f"a reviewer is a printable name of 1 to {MAX_REVIEWER} characters (--by)"
        )
    return who


def _drawn_by_the_crossing_side(country: str | None, trigger_key: str | None) -> bool:
    """Is ``country`` the side that crosses the line ``trigger_key`` (so its threat over the
    line opens no episode: a line is never drawn by the side that crosses it)?"""
    if not country or not trigger_key or knowledge.is_coined(trigger_key):
        return False
    return knowledge.triggers().on_crossing_side(country, trigger_key)


def _held(conn: sa.Connection, table: sa.Table, row: Any) -> Any | None:
    """The item ``row`` again, held for this transaction so that a re-extraction of its
    document cannot delete it before the decision is stored (None: it was re-extracted away).

    The document's row is locked as extraction locks it (PostgreSQL; SQLite serialises
    writers), then the item is read again and written to (its state unchanged), which holds it
    in SQLite too. A review made while `extract --redo` ran was reported stored and then lost
    with the item it was on."""
    conn.execute(
        sa.select(documents.c.id).where(documents.c.id == row.document_id).with_for_update()
    )
    held = conn.execute(
        sa.update(table)
        .where(table.c.id == row.id)
        .values(review_state=table.c.review_state)
        .returning(*table.c)
    ).first()
    return held


def _effective_day(
    item_type: str, action: str, field: str | None, effective: date | str | None
) -> date | None:
    """The day an episode status holds from, as the analyst gave it: only for a status (a
    withdrawal or a status correction), a date, and not after today (a status cannot hold from
    a day not yet come: before it, the evidence's status would stand unremarked)."""
    if effective is None:
        return None
    if item_type != "episode" or not (
        action == "withdraw" or (action == "correct" and field == "status")
    ):
        raise RedlineError(
            "an effective date goes with an episode's status only (withdraw, or correct "
            "--set status=...)"
        )
    from redline.link.when import as_of_date, not_after_today

    day = as_of_date(effective, "an effective date")
    assert day is not None  # None was answered above
    # the reader's today, as every default as-of date
    not_after_today(
        day, local_day(now()), "effective date", "a status holds from a day that has come"
    )
    return day


def check_before_its_article(conn: sa.Connection, document_id: int, day: date, what: str) -> None:
    """An item's date (a corrected one, or an added item's) cannot fall after the article that
    reports the item was published (the last day a month- or year-dated article stands for):
    the item would then count nowhere (a 2030 date was taken for a threat in a 2023 article).
    An undated article was published by the day it was ingested (as its items count from it):
    "9999" was taken there. ``what`` names the item in the error."""
    from redline.link.when import span

    doc = conn.execute(
        sa.select(
            documents.c.published, documents.c.published_precision, documents.c.ingested_at
        ).where(documents.c.id == document_id)
    ).first()
    if doc is None:
        return
    if doc.published is None:
        ingested = local_day(doc.ingested_at)
        if day > ingested:
            raise RedlineError(
                f"{what}: {day.isoformat()} is after its undated article was ingested "
                f"({ingested.isoformat()}); a reported item happened by then"
            )
        return
    last = span(doc.published, doc.published_precision or "day")[1]
    if day > last:
        raise RedlineError(
            f"{what}: {day.isoformat()} is after its article was published "
            f"({doc.published.isoformat()}); a reported item happened by then"
        )


def _check_correction(
    item_type: str, field: str | None, value: str | date | None, conn: sa.Connection
) -> tuple[str, str]:
    allowed = CORRECTABLE[item_type]
    if field is None or value is None:
        raise RedlineError("a correction needs a field and a value (--set field=value)")
    if field not in allowed:
        raise RedlineError(
            f"{item_type} field {field!r} cannot be corrected; one of {', '.join(allowed)}"
        )
    if isinstance(value, date) and field.endswith("date"):
        # review(..., field="stated_date", value=date(2023, 3, 1)), as `effective` takes a
        # date: it ended in a TypeError from the cleaning below
        value = (value.date() if isinstance(value, datetime) else value).isoformat()
    if not isinstance(value, str):
        raise RedlineError(f"a corrected {field} is given as text, not {value!r}")
    # a corrected value (a speaker's name) is shown wherever a note is: cleaned the same way
    value = without_controls(value).strip()
    if not value:
        raise RedlineError(f"{field} cannot be set empty; give a value")
    choices = allowed[field]
    if choices is not None and value not in choices:
        raise RedlineError(f"{field} must be one of {', '.join(choices)}, not {value!r}")
    if field.endswith("date"):
        from redline.errors import ConfigError, NoSuchDay
        from redline.link.when import date_words, item_date

        try:
            # a day, a month or a year, as extraction dates items ("in October 2024" is a
            # month): only a day was taken, so a month the sources name had to be given as a
            # day the analyst did not know. Read as every date given is ("2024-02-30" is told
            # it is no day), and stored in the trail as it names it (Python also reads
            # "20240201")
            value = date_words(*item_date(value, field))
        except NoSuchDay:
            raise
        except ConfigError as exc:
            raise RedlineError(str(exc)) from exc
        from redline.extract.dates import EARLIEST

        if item_date(value, field)[0] < EARLIEST:
            # extraction and ingest read no date before 1900: a typo ("0202-02-07") was stored
            # and dated the line's first threat in year 202
            raise RedlineError(
                f"{field} {value} is before {EARLIEST.year}, the earliest date the ledger reads"
            )
    if field == "addressee_country" and value.lower() == NO_ADDRESSEE:
        # a wrong addressee could only be replaced by another country, and it decides which
        # crossings count (docs/linking.md): most threats state none
        return field, NO_ADDRESSEE
    if field.endswith("_country"):
        # the codes the gazetteer knows, as every filter reads them ("Russia" -> RUS): a typo
        # would make an episode of an actor no listing can select
        value = knowledge.actor_code(value, present=_codes_held(conn))
    if field == "trigger_key":
        value = _trigger_key(value)
    return field, value


def _codes_held(conn: sa.Connection) -> list[str]:
    """The actor codes the ledger's items hold: a code only a gazetteer given to `extract
    --gazetteer` knows is one an analyst may name too (every filter selects it)."""
    columns = (
        threats.c.speaker_country,
        threats.c.addressee_country,
        events.c.actor_country,
        outcome_claims.c.subject_country,
    )
    query = sa.union(*(sa.select(c.label("code")).distinct() for c in columns))
    return [code for code in conn.execute(query).scalars() if code]


def _trigger_key(value: str) -> str:
    """A line of the vocabulary, or one it lacks in the extractor's coined form (``new_`` and
    lower-case words joined by underscores; counted apart by ``link``, docs/linking.md): any
    other key would leave its item out of every episode unremarked."""
    import difflib
    import re

    vocabulary = knowledge.triggers()
    if value in vocabulary:
        return value
    coined = knowledge.COINED_PREFIX
    words = value[len(coined) :]
    if (
        knowledge.is_coined(value)
        and re.fullmatch(r"[a-z]+(?:_[a-z]+)*", words)
        and len(value) <= knowledge.COINED_MAX
    ):
        return value
    keys = list(vocabulary.triggers)
    close = difflib.get_close_matches(value, keys, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise RedlineError(
        f"unknown trigger_key {value!r}: {hint}use a key of the vocabulary (redline/data/"
        f"triggers.yaml) or coin one for a line it lacks as {coined}words_joined_so "
        f"(at most {knowledge.COINED_MAX} characters)"
    )


def _item_exists() -> Any:
    """A review whose item the ledger still holds."""
    return sa.or_(
        *(
            sa.and_(
                reviews.c.item_type == name,
                sa.select(table.c.id).where(table.c.id == reviews.c.item_id).exists(),
            )
            for name, table in ITEMS.items()
        )
    )


def audit_trail(
    ledger: Ledger,
    *,
    item_type: str | None = None,
    item_id: int | None = None,
    missing: bool = False,
) -> list[Decision]:
    """Every decision on an item the ledger holds, oldest first; with ``missing``, only the
    decisions on items it no longer holds. Re-extraction keeps reviewed items, so those can
    only come from ledgers re-extracted before it did (it deleted items with only a note)."""
    # in the order they were stored: each analyst's clock stamps created_at, and one running
    # fast put an earlier decision last
    query = sa.select(reviews).order_by(reviews.c.id)
    query = query.where(sa.not_(_item_exists()) if missing else _item_exists())
    if item_type:
        query = query.where(reviews.c.item_type == item_type)
    if item_id is not None:
        query = query.where(reviews.c.item_id == item_id)
    with ledger.connect() as conn:
        return [Decision.of(r) for r in conn.execute(query)]
