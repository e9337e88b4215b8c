"""The ledger's one vocabulary: statuses, consequence classes, item kinds, date precisions.

Every layer (extraction, storage, linking, scoring, report, export, CLI, gold) takes its names
from here; the database stores the enum values as plain strings. A ``StrEnum`` member *is* its
string, so ``Status.OPEN == "open"`` and rows read back from the database compare equal.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """An episode's status as of a date (codebook, section 4)."""

    OPEN = "open"
    CROSSED_ENFORCED = "crossed_enforced"
    CROSSED_PARTIALLY_ENFORCED = "crossed_partially_enforced"
    CROSSED_UNENFORCED = "crossed_unenforced"
    UNDETERMINED = "undetermined"
    WITHDRAWN = "withdrawn"

    @property
    def crossed(self) -> bool:
        return self in CROSSED

    @property
    def decided(self) -> bool:
        """Crossed with a known outcome: the statuses follow-through is computed from."""
        return self in DECIDED

    @property
    def label(self) -> str:
        """Short words for tables and the report: ``partially enforced``."""
        return _STATUS_LABELS[self]


DECIDED: tuple[Status, ...] = (
    Status.CROSSED_ENFORCED,
    Status.CROSSED_PARTIALLY_ENFORCED,
    Status.CROSSED_UNENFORCED,
)
CROSSED: tuple[Status, ...] = (*DECIDED, Status.UNDETERMINED)
# the order statuses are listed and coloured in: decided first, then the rest
STATUS_ORDER: tuple[Status, ...] = (*DECIDED, Status.UNDETERMINED, Status.OPEN, Status.WITHDRAWN)
_STATUS_LABELS = {
    Status.CROSSED_ENFORCED: "enforced",
    Status.CROSSED_PARTIALLY_ENFORCED: "partially enforced",
    Status.CROSSED_UNENFORCED: "unenforced",
    Status.UNDETERMINED: "undetermined",
    Status.OPEN: "open",
    Status.WITHDRAWN: "withdrawn",
}


class ConsequenceClass(StrEnum):
    """What a threat threatens or a response does, ordered by ``strength``."""

    VAGUE = "vague"
    DIPLOMATIC = "diplomatic"
    SANCTIONS_OR_ECONOMIC = "sanctions_or_economic"
    MILITARY_DEPLOYMENT = "military_deployment"
    MILITARY_FORCE = "military_force"
    WAR_OR_NUCLEAR = "war_or_nuclear"

    @property
    def strength(self) -> int:
        """0 (vague) .. 5 (war or nuclear): orders the kinds (the weaker one wins a tie for the
        kind an episode's threats name most often)."""
        return list(ConsequenceClass).index(self)

    @classmethod
    def parse(cls, value: str | None) -> ConsequenceClass | None:
        try:
            return cls(value) if value else None
        except ValueError:
            return None


class ItemKind(StrEnum):
    """The evidence an episode is built from."""

    THREAT = "threat"
    CROSSING = "crossing"
    RESPONSE = "response"
    CLAIM = "claim"


class ClaimOutcome(StrEnum):
    """What an outcome claim says followed a crossing (or that the line was taken back)."""

    NO_RESPONSE = "no_response"
    RESPONSE = "response"
    PARTIAL = "partial"
    WITHDRAWN = "withdrawn"


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class LineSource(StrEnum):
    """Where an event's line (its trigger key) was read: its own sentence, the sentences just
    before it, the document's title or topic (an official statement about one matter), or an
    analyst's correction. Only a line read from the text around the act lets a response stand
    for the crossing it answers."""

    SENTENCE = "sentence"
    EARLIER = "earlier"
    DOCUMENT = "document"
    REVIEW = "review"


# The ``extractor`` of an item an analyst added (``redline add``): it stands for its sentence and
# keeps every field as given through re-extraction (``redline.store.items``).
ANALYST = "analyst"


class ReviewState(StrEnum):
    MACHINE = "machine"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    REJECTED = "rejected"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The plain strings of an enum, for database CHECKs, CLI choices and JSON schemas."""
    return tuple(m.value for m in enum)
