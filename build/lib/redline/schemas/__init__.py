"""Versioned JSON Schemas for the CLI's JSON output, shipped with the package.

Every JSON document Redline prints is an envelope ``{"schema": <id>, "schema_version": 1,
"kind": ..., "items": [...]}`` (``episode`` holds one ``"episode"`` object instead of items).
A new field is a compatible change; renaming or removing one needs a ``-v2`` file.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

BASE_URI = "https://redline.invalid/schemas/"
VERSION = 1
KINDS = ("episodes", "episode", "credibility", "credibility-timeline", "threats", "events")


def schema_id(kind: str, version: int = VERSION) -> str:
    return f"{BASE_URI}{kind}-v{version}.json"


def envelope(kind: str) -> dict[str, Any]:
    """The head of a JSON document of ``kind``: ``{"schema": ..., "schema_version": 1, "kind": ...}``."""
    if kind not in KINDS:
        raise ValueError(f"unknown JSON schema kind {kind!r}; known: {', '.join(KINDS)}")
    return {"schema": schema_id(kind), "schema_version": VERSION, "kind": kind}


@cache
def load_schema(kind: str, version: int = VERSION) -> dict[str, Any]:
    text = (resources.files("redline") / "schemas" / f"{kind}-v{version}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


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


__all__ = ["BASE_URI", "KINDS", "VERSION", "envelope", "load_schema", "schema_id", "validate"]
