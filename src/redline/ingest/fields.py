"""Which record fields hold a document's text and metadata in JSONL, JSON and CSV dumps."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any


@dataclass(frozen=True, kw_only=True, slots=True)
class FieldMap:
    """Field names to look for, in order, for each document attribute (matched case-insensitively).

    The defaults fit common dumps (news-please, NewsAPI, GDELT DOC, trafilatura, Common Crawl
    news extracts). Override one attribute with :meth:`with_names`, as ``redline ingest
    --text-field body`` does.
    """

    text: tuple[str, ...] = ("text", "content", "body", "article", "maintext")
    title: tuple[str, ...] = ("title", "headline")
    date: tuple[str, ...] = (
        "published",
        "date",
        "publish_date",
        "date_publish",
        "pubDate",
        "seendate",
    )
    author: tuple[str, ...] = ("author", "authors", "byline", "speaker")
    outlet: tuple[str, ...] = (
        "outlet",
        "source",
        "source_domain",
        "sitename",
        "domain",
        "publisher",
    )
    url: tuple[str, ...] = ("url", "link", "source_url")

    def with_names(self, **names: str | None) -> FieldMap:
        """A copy where each given attribute looks only at the named fields ("body" or "body,content")."""
        known = {f.name for f in fields(self)}
        changes: dict[str, tuple[str, ...]] = {}
        for attr, value in names.items():
            if attr not in known:
                raise TypeError(f"FieldMap has no attribute {attr!r}")
            if value:
                changes[attr] = tuple(n.strip() for n in value.split(",") if n.strip())
        return replace(self, **changes)

    def as_dict(self) -> dict[str, list[str]]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}


def pick(record: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    """The first non-empty value among ``names`` in ``record``, flattened to a string.

    Lists are joined with ", " (several authors); objects give their ``name``, ``title`` or
    ``id`` (NewsAPI's ``"source": {"name": "Reuters"}``).
    """
    for _name, value in raw_values(record, names):
        flat = _flatten(value)
        if flat:
            return flat
    return None


def raw_values(record: Mapping[str, Any], names: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """Each of ``names`` with the value ``record`` holds for it, as it holds it (field names
    compared without case, as ``pick`` compares them)."""
    lowered = {str(k).lower(): v for k, v in record.items()}
    for name in names:
        yield name, lowered.get(name.lower())


def first_given(record: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    """The first of ``names`` for which ``record`` holds a value (not null, empty or blank), with
    that value as held: ``pick`` passes over one that is no text (``true``), which a caller may
    have to refuse or report rather than take the next field's."""
    return next(
        (
            (name, value)
            for name, value in raw_values(record, names)
            if value not in (None, "", [], {})
            and not (isinstance(value, str) and not value.strip())
        ),
        None,
    )


def _flatten(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):  # YAML front matter's unquoted `date: 2024-03-01` (a datetime too)
        return value.isoformat()
    if isinstance(value, Mapping):
        for key in ("name", "title", "id", "value"):
            flat = _flatten(value.get(key))
            if flat:
                return flat
        return None
    if isinstance(value, list | tuple):
        parts = [p for p in (_flatten(v) for v in value) if p]
        return ", ".join(parts) or None
    return None
