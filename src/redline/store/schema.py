"""The ledger's tables: documents, evidence, actors, threats, events, claims, episodes, reviews.

Data flows one way (see docs/architecture.md): ingest writes ``documents``; extract writes
``evidence``, ``threats``, ``events`` and ``outcome_claims`` (and, while it works, its
``extract_claims``); link writes ``episodes`` and
``episode_members``; analysts write ``reviews``. Dates are stored as ``Date`` plus a
precision column (``day``, ``month``, ``year``, ``unknown``): a month-precise date is the
first day of that month.

Any change here needs an Alembic migration in ``migrations/versions``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from redline.vocab import (
    ClaimOutcome,
    ConsequenceClass,
    ItemKind,
    Precision,
    ReviewState,
    Status,
    values,
)


def utc(moment: datetime) -> datetime:
    """A stored moment in UTC: it is stored in UTC, but SQLite gives it back without its zone
    and PostgreSQL in its session's (``Asia/Tokyo`` on such a server)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Moment(sa.TypeDecorator[datetime]):
    """A moment (``created_at``, ``ingested_at``...) read back in UTC with its zone on every
    backend: the API gave SQLite's without a zone (so a script subtracting ``datetime.now(UTC)``
    failed on SQLite only) and PostgreSQL's in the server's zone, which the JSON listings and
    exports then printed (``+09:00``) where SQLite's read ``+00:00``."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else utc(value)


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# the vocabulary lives in redline.vocab; these tuples of plain strings are kept for callers
PRECISIONS = values(Precision)
CONSEQUENCE_CLASSES = values(ConsequenceClass)
# ``implicit``: the learned extractor's threats read by implication (docs/extraction.md)
EXPLICITNESS = ("direct_quote", "reported_speech", "implied_doctrine", "implicit")
EVENT_KINDS = (ItemKind.CROSSING.value, ItemKind.RESPONSE.value)
REVIEW_STATES = values(ReviewState)
EPISODE_STATUSES = values(Status)
CLAIM_OUTCOMES = values(ClaimOutcome)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("stage", sa.String(32), nullable=False),  # ingest | extract | link | eval
    sa.Column("started_at", Moment, nullable=False),
    sa.Column("finished_at", Moment),
    sa.Column("params", sa.JSON),
    sa.Column("stats", sa.JSON),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("source_path", sa.Text, nullable=False),
    sa.Column(
        "source_locator", sa.String(64)
    ),  # "line 12" / "row 3" / "item 2" inside a corpus file
    sa.Column(
        "source_format", sa.String(16), nullable=False
    ),  # text | html | markdown | jsonl | csv | feed
    sa.Column("url", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("outlet", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("published", sa.Date),
    sa.Column("published_precision", sa.String(8), nullable=False, server_default="unknown"),
    sa.Column("published_source", sa.String(16)),  # metadata | date_line | filename | text | none
    # news | opinion | statement (an official statement or transcript: ``ingest.genre``)
    sa.Column("genre", sa.String(16), nullable=False, server_default="news"),
    sa.Column("language", sa.String(8)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("n_chars", sa.Integer, nullable=False),
    sa.Column("minhash", sa.LargeBinary),  # datasketch MinHash values, for near-duplicate search
    sa.Column("ingest_run_id", sa.Integer, sa.ForeignKey("runs.id")),
    sa.Column(
        "extracted_version", sa.String(32)
    ),  # extractor set that last processed this document
    sa.Column("ingested_at", Moment, nullable=False),
)
sa.Index("ix_documents_published", documents.c.published)

# A document an extract run is working on: claimed (document id -> run id) in one atomic
# statement before the run reads it, so several runs at once, on one machine or several, never
# take the same document; a claim whose lease has run out (the run died) is taken over, and on
# the claiming run's own machine at once if its process (``holder``) is gone. Each run renews its
# claims while it works and deletes them when it ends (redline.extract.pipeline).
extract_claims = sa.Table(
    "extract_claims",
    metadata,
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("expires_at", Moment, nullable=False),
    sa.Column("holder", sa.String(300), nullable=False),  # "pid@host boot-id pid-namespace"
)
sa.Index("ix_extract_claims_run", extract_claims.c.run_id)

duplicates = sa.Table(
    "duplicates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_path", sa.Text, nullable=False),
    sa.Column("source_locator", sa.String(64)),
    sa.Column(
        "duplicate_of",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("kind", sa.String(8), nullable=False),  # exact | near
    sa.Column("similarity", sa.Float, nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
    sa.UniqueConstraint(
        "source_path", "source_locator", "duplicate_of", name="uq_duplicates_source"
    ),
)

ingest_problems = sa.Table(
    "ingest_problems",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
    sa.Column("source_path", sa.Text, nullable=False),
    sa.Column("source_locator", sa.String(64)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", Moment, nullable=False),
)

gdelt_events = sa.Table(
    "gdelt_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("global_event_id", sa.BigInteger, nullable=False, unique=True),
    sa.Column("day", sa.Date),
    sa.Column("actor1_code", sa.String(32)),
    sa.Column("actor1_name", sa.Text),
    sa.Column("actor1_country", sa.String(8)),
    sa.Column("actor2_code", sa.String(32)),
    sa.Column("actor2_name", sa.Text),
    sa.Column("actor2_country", sa.String(8)),
    sa.Column("event_code", sa.String(8)),
    sa.Column("event_root_code", sa.String(4)),
    sa.Column("quad_class", sa.Integer),
    sa.Column("goldstein", sa.Float),
    sa.Column("num_mentions", sa.Integer),
    sa.Column("avg_tone", sa.Float),
    sa.Column("source_url", sa.Text),
    sa.Column("source_path", sa.Text, nullable=False),
    sa.Column("gdelt_version", sa.String(4), nullable=False),  # "1" | "2"
)

actors = sa.Table(
    "actors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(96), nullable=False, unique=True),  # "RUS", "person:vladimir_putin"
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # state | organisation | person | institution
    sa.Column("country", sa.String(8)),  # the state or organisation the actor speaks for
    sa.Column("role", sa.Text),
)

actor_aliases = sa.Table(
    "actor_aliases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "actor_id", sa.Integer, sa.ForeignKey("actors.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("alias", sa.String(200), nullable=False),
    sa.UniqueConstraint("alias", "actor_id", name="uq_actor_aliases_alias"),
)

evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("sentence_start", sa.Integer, nullable=False),
    sa.Column("sentence_end", sa.Integer, nullable=False),
    sa.Column("span_start", sa.Integer, nullable=False),
    sa.Column("span_end", sa.Integer, nullable=False),
    sa.Column("sentence", sa.Text, nullable=False),
    sa.Column("context", sa.Text),  # earlier sentences that supplied a trigger or a referent
)
sa.Index("ix_evidence_document", evidence.c.document_id)

# What makes an extracted item the same item (migration 0003 made the database enforce it, so two
# extractions of one document at once cannot store anything twice): one evidence row per span of
# a document; one threat or outcome claim per evidence row; one event per evidence row and kind
# (a sentence can hold a crossing and a response).
EVIDENCE_IDENTITY = ("document_id", "sentence_start", "span_start", "span_end")
ITEM_IDENTITY = {
    "threats": ("document_id", "evidence_id"),
    "events": ("document_id", "evidence_id", "kind"),
    "outcome_claims": ("document_id", "evidence_id"),
}
sa.Index("uq_evidence_span", *(evidence.c[c] for c in EVIDENCE_IDENTITY), unique=True)


def _item_columns() -> list[sa.Column]:
    """Columns every extracted item shares: provenance, extractor and review state."""
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "evidence_id",
            sa.Integer,
            sa.ForeignKey("evidence.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("extractor", sa.String(64), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("review_state", sa.String(12), nullable=False, server_default="machine"),
    ]


threats = sa.Table(
    "threats",
    metadata,
    *_item_columns(),
    sa.Column("speaker", sa.Text),  # person or body as named: "Alexander Grushko", "Kremlin"
    sa.Column("speaker_actor_id", sa.Integer, sa.ForeignKey("actors.id")),
    sa.Column("speaker_country", sa.String(8)),  # RUS, USA, NATO, EUR ...
    sa.Column("addressee", sa.Text),
    sa.Column("addressee_country", sa.String(8)),
    sa.Column("trigger_key", sa.String(64)),
    sa.Column("trigger_text", sa.Text),
    sa.Column("consequence_text", sa.Text),
    sa.Column("consequence_class", sa.String(32), nullable=False),
    sa.Column("explicitness", sa.String(20), nullable=False),
    sa.Column("stated_date", sa.Date),
    sa.Column("stated_precision", sa.String(8), nullable=False, server_default="unknown"),
)
sa.Index("ix_threats_block", threats.c.speaker_country, threats.c.trigger_key)
sa.Index("ix_threats_document", threats.c.document_id)
sa.Index("uq_threats_item", *(threats.c[c] for c in ITEM_IDENTITY["threats"]), unique=True)

events = sa.Table(
    "events",
    metadata,
    *_item_columns(),
    sa.Column("kind", sa.String(12), nullable=False),  # crossing | response
    sa.Column("actor", sa.Text),
    sa.Column("actor_country", sa.String(8)),
    sa.Column("target_country", sa.String(8)),
    sa.Column("trigger_key", sa.String(64)),
    sa.Column("action", sa.Text),  # the verb lemma: deliver, allow, strike, impose ...
    sa.Column("consequence_class", sa.String(32)),  # responses only
    sa.Column("event_date", sa.Date),
    sa.Column("date_precision", sa.String(8), nullable=False, server_default="unknown"),
    # where trigger_key was read (vocab.LineSource); NULL in rows stored before migration 0004
    sa.Column("line_from", sa.String(12)),
)
sa.Index("ix_events_block", events.c.kind, events.c.trigger_key)
sa.Index("ix_events_document", events.c.document_id)
sa.Index("uq_events_item", *(events.c[c] for c in ITEM_IDENTITY["events"]), unique=True)

outcome_claims = sa.Table(
    "outcome_claims",
    metadata,
    *_item_columns(),
    sa.Column("trigger_key", sa.String(64)),
    sa.Column("subject_country", sa.String(8)),  # whose (non-)response the claim is about
    sa.Column("claim", sa.String(16), nullable=False),  # a ClaimOutcome
    sa.Column("claim_date", sa.Date),
    sa.Column("date_precision", sa.String(8), nullable=False, server_default="unknown"),
)
sa.Index("ix_outcome_claims_document", outcome_claims.c.document_id)
sa.Index(
    "uq_outcome_claims_item",
    *(outcome_claims.c[c] for c in ITEM_IDENTITY["outcome_claims"]),
    unique=True,
)

episodes = sa.Table(
    "episodes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(160), nullable=False, unique=True),  # "RUS:f16_delivery"
    sa.Column("threatener_country", sa.String(8), nullable=False),
    sa.Column("trigger_key", sa.String(64), nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    # the kind of consequence its threats name most often (``assess.threatened_kind``)
    sa.Column("consequence_class", sa.String(32)),
    sa.Column("first_threat_date", sa.Date),
    sa.Column("crossing_event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="SET NULL")),
    sa.Column("crossing_date", sa.Date),
    # how precisely the two dates are known, as the episode listing gives them (NULL: no date,
    # or a row the last link wrote before these columns existed)
    sa.Column("first_threat_precision", sa.String(8)),
    sa.Column("crossing_precision", sa.String(8)),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("status_as_of", sa.Date, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("opinion_only", sa.Boolean, nullable=False),
    sa.Column("n_sources", sa.Integer, nullable=False, server_default="0"),
    sa.Column("explanation", sa.Text),
    sa.Column("link_run_id", sa.Integer, sa.ForeignKey("runs.id")),
)

episode_members = sa.Table(
    "episode_members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "episode_id", sa.Integer, sa.ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("item_type", sa.String(16), nullable=False),  # threat | crossing | response | claim
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("episode_id", "item_type", "item_id", name="uq_episode_members_item"),
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "item_type", sa.String(16), nullable=False
    ),  # threat | event | outcome_claim | episode
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.Column("action", sa.String(12), nullable=False),  # confirm | reject | correct | note
    sa.Column("field", sa.String(64)),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
    sa.Column("reviewer", sa.String(120), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", Moment, nullable=False),
    # an episode status's first day, when the analyst gives one (the owner took the line back
    # in May 2023); NULL: the status holds from the day of the review
    sa.Column("effective", sa.Date),
)
sa.Index("ix_reviews_item", reviews.c.item_type, reviews.c.item_id)

ITEM_TABLES = {"threat": threats, "event": events, "outcome_claim": outcome_claims}
