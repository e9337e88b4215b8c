"""Versioned JSON Schemas for the CLI's JSON output, shipped with the package.

Every JSON document Redline prints is an envelope ``{"schema": <id>, "schema_version": 1,
"kind": ..., "items": [...]}`` (``episode``, ``document`` and ``added`` hold one ``"episode"``,
``"document"`` or ``"added"`` object instead of items; ``audit``, ``eval`` and ``ingest`` their
figures beside the envelope).
A new field is a compatible change; renaming or removing one needs a ``-v2`` file.

The export writes rows, not envelopes: a row of ``threats``, ``events``, ``outcome_claims``,
``episode_status``, ``credibility`` and ``credibility_timeline`` is an item of the listing of
the same thing, and the export's manifest names its ``row_schema`` (``row_schema(kind)``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

BASE_URI = "https://redline.invalid/schemas/"
VERSION = 1
KINDS = (
    "episodes",
    "episode",
    "credibility",
    "credibility-timeline",
    "threats",
    "events",
    "claims",
    "documents",
    "document",
    "reviews",
    "triage",
    "triage_leads",
    "audit",
    "recall",
    "added",
    "eval",
    "ingest",
)
# the kinds whose document is no listing of items: ``episode``, ``document`` and ``added`` hold
# one object named as the kind, ``audit``, ``eval`` and ``ingest`` their figures beside the
# envelope
NOT_LISTINGS = ("episode", "document", "audit", "added", "eval", "ingest")
# the part of a listing's schema one item follows: an exported row of the same thing too
ITEM_POINTER = "#/properties/items/items"


def schema_id(kind: str, version: int = VERSION) -> str:
    return f"{BASE_URI}{kind}-v{version}.json"


def envelope(kind: str) -> dict[str, Any]:
    """The head of a JSON document of ``kind``: ``{"schema": ..., "schema_version": 1, "kind": ...}``."""
    if kind not in KINDS:
        raise ValueError(f"unknown JSON schema kind {kind!r}; known: {', '.join(KINDS)}")
    return {"schema": schema_id(kind), "schema_version": VERSION, "kind": kind}


def row_schema(kind: str, version: int = VERSION) -> str:
    """Where the schema of one item of a ``kind`` listing is: the schema of an exported row."""
    if kind not in KINDS or kind in NOT_LISTINGS:  # one episode's story is no listing
        raise ValueError(f"no listing of items of kind {kind!r}")
    return schema_id(kind, version) + ITEM_POINTER


@cache
def load_schema(kind: str, version: int = VERSION) -> dict[str, Any]:
    text = (resources.files("redline") / "schemas" / f"{kind}-v{version}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def item_fields(kind: str, version: int = VERSION) -> list[str]:
    """The fields of one item of a ``kind`` listing, in its schema's order."""
    row_schema(kind, version)  # a kind with no listing of items is a ValueError
    return list(load_schema(kind, version)["properties"]["items"]["items"]["properties"])


def validate(payload: Any) -> None:
    """Check a JSON document against the schema its envelope names (``jsonschema.ValidationError``)."""
    uri = payload.get("schema", "") if isinstance(payload, dict) else ""
    if not uri.startswith(BASE_URI):
        raise jsonschema.ValidationError(f"not a Redline JSON document (schema {uri!r})")
    kind, _, version = uri.removeprefix(BASE_URI).removesuffix(".json").rpartition("-v")
    schema = load_schema(kind, int(version))
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(payload)


def validate_rows(kind: str, rows: Any, version: int = VERSION) -> None:
    """Check rows (an exported file's, or any list of items) against the item schema of a
    ``kind`` listing (``jsonschema.ValidationError``)."""
    row_schema(kind, version)  # a kind with no listing of items is a ValueError
    root = load_schema(kind, version)
    items = {**root["properties"]["items"], "$defs": root.get("$defs", {})}
    jsonschema.Draft202012Validator(
        items, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(rows)


__all__ = [
    "BASE_URI",
    "ITEM_POINTER",
    "KINDS",
    "NOT_LISTINGS",
    "VERSION",
    "envelope",
    "item_fields",
    "load_schema",
    "row_schema",
    "schema_id",
    "validate",
    "validate_rows",
]
