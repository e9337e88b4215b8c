"""Ingest: read articles from text, HTML, Markdown, JSONL/CSV, feeds and GDELT exports into the ledger."""

from redline.ingest.fields import FieldMap
from redline.ingest.pipeline import DEFAULT_MAX_BYTES, ingest_paths
from redline.ingest.report import DuplicateFound, IngestReport, Skipped

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DuplicateFound",
    "FieldMap",
    "IngestReport",
    "Skipped",
    "ingest_paths",
]
