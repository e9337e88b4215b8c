"""Extraction stage: threats, crossings, responses and outcome claims, each with provenance."""

from redline.extract.base import (
    ClaimItem,
    DocumentInput,
    EventItem,
    Extraction,
    Extractor,
    Provenance,
    ThreatItem,
)
from redline.extract.pipeline import ExtractReport, extract_documents
from redline.extract.query import (
    ListedClaim,
    ListedEvent,
    ListedItem,
    ListedThreat,
    list_claims,
    list_events,
    list_threats,
)

__all__ = [
    "ClaimItem",
    "DocumentInput",
    "EventItem",
    "ExtractReport",
    "Extraction",
    "Extractor",
    "ListedClaim",
    "ListedEvent",
    "ListedItem",
    "ListedThreat",
    "Provenance",
    "ThreatItem",
    "extract_documents",
    "list_claims",
    "list_events",
    "list_threats",
]
