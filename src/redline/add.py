"""An analyst adds an item the extractor missed: a threat, a crossing or a response.

The extractor finds about half the threats of real news (README, "How well it works"), and a
review can only confirm, reject or correct what it found. ``add`` records what it missed, with
the same provenance as an extracted item (the document, the sentence and the span, found from a
quotation or given as offsets) and the fields the analyst gives, checked as a correction's are.

An added item is an analyst's from the start: its ``extractor`` is ``analyst``, its state
``confirmed``, and its review row (action ``add``) records who added it, when and why, with the
fields given. It survives re-extraction with every field as the analyst gave it, and it stands
for its sentence: an item of its kind that a later extraction finds in the same sentence is
not stored beside it (``redline.store.items``). It links, scores and trains
(``redline train --reviews-from``) as a confirmed item does. Adding the same item twice
stores it once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from redline.documents import Document, get_document
from redline.errors import RedlineError
from redline.extract.base import DocumentInput, EventItem, Extraction, Provenance, ThreatItem
from redline.extract.dates import resolve
from redline.extract.sentences import split_sentences
from redline.extract.syntax import date_or_publication, quoted_at
from redline.link.when import item_date
from redline.output import without_controls
from redline.review import (
    NO_ADDRESSEE,
    _check_correction,
    check_before_its_article,
    checked_reviewer,
    refuse_audit_form,
)
from redline.store import Ledger
from redline.store.db import now
from redline.store.items import write_items
from redline.store.schema import documents, events, evidence, reviews, threats
from redline.vocab import ANALYST, LineSource, ReviewState

ADD = "add"  # its review's action
KINDS = ("threat", "crossing", "response")
# What an analyst gives for each kind: the fields a correction takes (checked the same way),
# and free text shown beside them. Required: whose line or act it is.
FIELDS: dict[str, tuple[str, ...]] = {
    "threat": (
        "speaker",
        "speaker_country",
        "addressee_country",
        "trigger_key",
        "trigger_text",
        "consequence_class",
        "explicitness",
        "stated_date",
    ),
    "crossing": ("actor", "actor_country", "trigger_key", "event_date"),
    "response": ("actor", "actor_country", "trigger_key", "consequence_class", "event_date"),
}
REQUIRED = {"threat": "speaker_country", "crossing": "actor_country", "response": "actor_country"}
_FREE_TEXT = ("speaker", "trigger_text", "actor")
MAX_FREE_TEXT = 500


@dataclass(frozen=True)
class Added:
    """What ``add`` stored (or found stored by the same addition before: ``unchanged``)."""

    item_type: str  # threat | event: what a review of it names
    item_id: int
    kind: str
    document_id: int
    span: tuple[int, int]
    sentence: str
    fields: dict[str, Any]
    review_id: int
    unchanged: bool = False


def add(
    ledger: Ledger,
    kind: str,
    document: str | int,
    *,
    quote: str | None = None,
    span: tuple[int, int] | None = None,
    fields: dict[str, str] | None = None,
    reviewer: str | None = None,
    note: str | None = None,
) -> Added:
    """Add a ``kind`` item (threat, crossing, response) of ``document`` (an id, or a unique
    part of its path or title) at ``quote`` (its words as in the text) or ``span`` (character
    offsets of the document's text), with ``fields`` (``speaker_country`` for a threat,
    ``actor_country`` for an event, required)."""
    if kind not in KINDS:
        raise RedlineError(f"unknown kind {kind!r}; add one of {', '.join(KINDS)}")
    if quote is not None and span is not None:
        raise RedlineError("give the item's words (--quote) or its offsets (--span), not both")
    if quote is None and span is None:
        # "not both" was all it said when neither was given
        raise RedlineError("give the item's words (--quote TEXT) or its offsets (--span START:END)")
    who = checked_reviewer(reviewer)
    refuse_audit_form(note)
    note = without_controls(note) if note is not None else None
    doc = get_document(ledger, document)
    text = doc.text
    start, end = _locate(text, quote, span, doc.id)
    sentence_start, sentence_end = _sentence_around(text, start, end)
    provenance = Provenance(
        sentence_start, sentence_end, start, end, text[sentence_start:sentence_end]
    )
    # an analyst's decision, so under the lock every decision takes (``Ledger.deciding``)
    with ledger.deciding() as conn:
        # the document's row locked as extraction locks it, by a write (PostgreSQL locks the
        # row; SQLite gives the write lock now, not at the first insert, after the look for an
        # item in the sentence): an extraction of the document at once then sees the added
        # item and stores nothing beside it, or has stored its own, which this addition finds
        conn.execute(
            sa.update(documents)
            .where(documents.c.id == doc.id)
            .values(extracted_version=documents.c.extracted_version)
        )
        given = _checked(kind, fields or {}, conn)
        values = _values(kind, given, provenance, doc)
        date_field = "stated_date" if kind == "threat" else "event_date"
        if date_field in given:  # as a correction's (an added crossing of 2030 counted nowhere)
            check_before_its_article(conn, doc.id, values[date_field], f"the {kind}")
        item_type, table = ("threat", threats) if kind == "threat" else ("event", events)
        found = _stored_here(conn, table, kind, doc.id, provenance)
        if found is not None:
            return _again(conn, item_type, table, kind, found, given, values, provenance)
        result = Extraction(
            threats=[ThreatItem(provenance=provenance, **values)] if kind == "threat" else [],
            events=[EventItem(provenance=provenance, **values)] if kind != "threat" else [],
        )
        write_items(conn, doc.id, result, {})
        item_id = _item_at(conn, table, kind, doc.id, provenance)
        if item_id is None:  # pragma: no cover - the identity was free just above
            raise RedlineError(f"the {kind} could not be stored; run the command again")
        conn.execute(
            sa.update(table).where(table.c.id == item_id).values(review_state=ReviewState.CONFIRMED)
        )
        review_id = conn.execute(
            sa.insert(reviews).values(
                item_type=item_type,
                item_id=item_id,
                action=ADD,
                field=None,
                old_value=None,
                new_value=_recorded(kind, given),
                reviewer=who,
                note=note,
                created_at=now(),
                effective=None,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    return Added(
        item_type, item_id, kind, doc.id, (start, end), provenance.sentence, values, review_id
    )


def _locate(
    text: str, quote: str | None, span: tuple[int, int] | None, doc_id: int
) -> tuple[int, int]:
    """The item's offsets: the span given, checked and without the space around its words, or
    where the quotation is (spaces and line breaks in it match any run of white space), found
    once."""
    if span is not None:
        start, end = span
        if start >= end:
            # read as "not inside document" (it was inside): the offsets were the wrong way round
            raise RedlineError(f"span {start}:{end} ends where or before it starts; give START:END")
        if not 0 <= start < end <= len(text):
            raise RedlineError(
                f"span {start}:{end} is not inside document {doc_id} (its text has "
                f"{len(text)} characters; `redline show {doc_id}` shows it)"
            )
        held = text[start:end]
        if not held.strip():
            raise RedlineError(f"span {start}:{end} of document {doc_id} holds no words")
        # its words, without the space around them: a span from the space before a sentence
        # began its sentence there, not where extraction's does (so the item stood for no
        # sentence of extraction's, which then stored its own threat of it beside)
        return start + len(held) - len(held.lstrip()), end - len(held) + len(held.rstrip())
    assert quote is not None
    words = quote.split()
    if not words:
        raise RedlineError("the quotation (--quote) holds no words")
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    found = [m.span() for m in pattern.finditer(text)]
    if not found:
        raise RedlineError(
            f"document {doc_id} does not contain the quotation {_short(quote)!r} (as written, "
            f"letter case included; `redline show {doc_id}` shows its text)"
        )
    if len(found) > 1:
        places = ", ".join(f"{s}:{e}" for s, e in found[:5])
        raise RedlineError(
            f"the quotation {_short(quote)!r} occurs {len(found)} times in document {doc_id} "
            f"(at {places}); quote more words, or give the offsets with --span"
        )
    return found[0]


def _short(quote: str) -> str:
    quote = without_controls(" ".join(quote.split()))
    return quote if len(quote) <= 80 else quote[:77] + "..."


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (as extraction splits the text) that holds the span, or from the one where
    it starts to the one where it ends."""
    sentences = split_sentences(text)
    first = next((s for s, e in sentences if s <= start < e), start)
    last = next((e for s, e in reversed(sentences) if s < end <= e), end)
    return min(first, start), max(last, end)


def _checked(kind: str, fields: dict[str, str], conn: sa.Connection) -> dict[str, str]:
    allowed = FIELDS[kind]
    out: dict[str, str] = {}
    for name, raw in fields.items():
        field = name.strip()
        if field not in allowed:
            raise RedlineError(f"a {kind} takes no field {field!r}; one of {', '.join(allowed)}")
        if field in _FREE_TEXT:
            value = " ".join(without_controls(raw).split())
            if not value or len(value) > MAX_FREE_TEXT:
                raise RedlineError(f"{field} is text of 1 to {MAX_FREE_TEXT} characters")
        else:
            item_type = "threat" if kind == "threat" else "event"
            _, value = _check_correction(item_type, field, raw.strip(), conn)
            if field == "addressee_country" and value == NO_ADDRESSEE:
                continue  # an added threat names no addressee unless given one
        out[field] = value
    required = REQUIRED[kind]
    if required not in out:
        raise RedlineError(
            f"a {kind} needs {required}: whose {'line' if kind == 'threat' else 'act'} it is "
            f"(--set {required}=RUS)"
        )
    return out


def _values(kind: str, given: dict[str, str], p: Provenance, doc: Document) -> dict[str, Any]:
    """The item's columns: the fields given, the rest as extraction would leave them; a date
    not given is the one the sentence names, else the article's."""
    date_field = "stated_date" if kind == "threat" else "event_date"
    if date_field in given:  # a day, a month or a year (checked as a correction's)
        when: date | None
        precision: str
        when, precision = item_date(given[date_field], date_field)
    else:  # as extraction dates an item (an opinion piece's statement with no time: none)
        document = DocumentInput(
            doc.id, doc.text, doc.published, doc.published_precision, doc.genre
        )
        named = resolve(p.sentence, doc.published, doc.published_precision or "day")
        when, precision = date_or_publication(named, document, statement=kind == "threat")
    inside = p.span_start - p.sentence_start
    common = {
        "trigger_key": given.get("trigger_key"),
        "confidence": 1.0,
        "extractor": ANALYST,
    }
    if kind == "threat":
        return {
            **common,
            "speaker": given.get("speaker"),
            "speaker_key": None,
            "speaker_country": given["speaker_country"],
            "addressee": None,
            "addressee_country": given.get("addressee_country"),
            "trigger_text": given.get("trigger_text"),
            "consequence_text": None,
            "consequence_class": given.get("consequence_class", "vague"),
            # as extraction tells them: inside quotation marks, the speaker's own words
            "explicitness": given.get("explicitness")
            or ("direct_quote" if quoted_at(p.sentence, inside) else "reported_speech"),
            "stated_date": when,
            "stated_precision": precision,
        }
    return {
        **common,
        "kind": kind,
        "actor": given.get("actor"),
        "actor_country": given["actor_country"],
        "target_country": None,
        "action": None,
        "consequence_class": given.get("consequence_class") if kind == "response" else None,
        "event_date": when,
        "date_precision": precision,
        "line_from": LineSource.REVIEW,
    }


def _recorded(kind: str, given: dict[str, str]) -> str:
    """What the review row keeps of an addition: the kind and the fields given."""
    return json.dumps({"kind": kind, **given}, sort_keys=True, ensure_ascii=False)


def _identity(table: sa.Table, kind: str, doc_id: int, p: Provenance) -> list[Any]:
    where = [
        table.c.document_id == doc_id,
        evidence.c.sentence_start == p.sentence_start,
        evidence.c.span_start == p.span_start,
        evidence.c.span_end == p.span_end,
    ]
    if table is events:
        where.append(events.c.kind == kind)
    return where


def _item_at(conn: sa.Connection, table: sa.Table, kind: str, doc_id: int, p: Provenance) -> Any:
    return conn.execute(
        sa.select(table.c.id)
        .join(evidence, evidence.c.id == table.c.evidence_id)
        .where(*_identity(table, kind, doc_id, p))
    ).scalar_one_or_none()


def _stored_here(
    conn: sa.Connection, table: sa.Table, kind: str, doc_id: int, p: Provenance
) -> Any:
    """An item of this kind already in the sentence that an analyst has not rejected, or one
    at this very span (rejected or not): adding beside it would count one statement twice."""
    query = (
        sa.select(table, evidence.c.span_start, evidence.c.span_end)
        .join(evidence, evidence.c.id == table.c.evidence_id)
        .where(
            table.c.document_id == doc_id,
            evidence.c.sentence_start < p.sentence_end,
            evidence.c.sentence_end > p.sentence_start,
        )
        .order_by(table.c.id)
    )
    if table is events:
        query = query.where(events.c.kind == kind)
    rows = conn.execute(query).all()
    same_span = [r for r in rows if (r.span_start, r.span_end) == (p.span_start, p.span_end)]
    live = [r for r in rows if r.review_state != ReviewState.REJECTED]
    first = same_span or live
    return first[0] if first else None


def _again(
    conn: sa.Connection,
    item_type: str,
    table: sa.Table,
    kind: str,
    row: Any,
    given: dict[str, str],
    values: dict[str, Any],
    p: Provenance,
) -> Added:
    """The addition meets an item already there: the same addition made before, the item
    neither rejected nor corrected since, is answered with what it stored; anything else is
    refused with the way to change that item."""
    if row.extractor == ANALYST and (row.span_start, row.span_end) == (p.span_start, p.span_end):
        earlier = conn.execute(
            sa.select(reviews.c.id, reviews.c.new_value)
            .where(
                reviews.c.item_type == item_type,
                reviews.c.item_id == row.id,
                reviews.c.action == ADD,
            )
            .order_by(reviews.c.id.desc())
            .limit(1)
        ).first()
        # the same addition, and the item still as it stored it: not rejected or corrected
        # since (it was answered "stored once" with fields it no longer had, or while rejected)
        changed = conn.execute(
            sa.select(reviews.c.id).where(
                reviews.c.item_type == item_type,
                reviews.c.item_id == row.id,
                reviews.c.action == "correct",
            )
        ).first()
        if (
            earlier is not None
            and earlier.new_value == _recorded(kind, given)
            and row.review_state != ReviewState.REJECTED
            and changed is None
        ):
            return Added(
                item_type,
                row.id,
                kind,
                row.document_id,
                (p.span_start, p.span_end),
                p.sentence,
                values,
                earlier.id,
                unchanged=True,
            )
    what = "an analyst's" if row.extractor == ANALYST else "the extractor's"
    state = " (rejected)" if row.review_state == ReviewState.REJECTED else ""
    raise RedlineError(
        f"{item_type} {row.id}{state}, {what}, already holds this sentence as a {kind}: "
        f"review it instead (`redline review {item_type} {row.id} confirm`, or `correct --set "
        f"field=value`)"
    )
