"""Tell official statements, opinion pieces and news reports apart with the rules in
``data/genre.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Literal

import yaml

from redline.errors import ConfigError

Genre = Literal["news", "opinion", "statement"]
# Quoted speech and dash-quoted paragraphs: a politician's "we must" is reported, not argued.
# A quote left open at the end of a line runs on into the next paragraph (the newspaper
# convention for long quotes), so it is cut at the line end.
_QUOTED = re.compile(r'"[^"\n]*(?:"|$)|“[^”\n]*(?:”|$)|«[^»\n]*(?:»|$)|^[-–—] .*$', re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Marker:
    pattern: re.Pattern[str]
    where: str
    weight: int


@dataclass(frozen=True, slots=True)
class GenreRules:
    markers: tuple[Marker, ...]
    threshold: int
    head_chars: int
    author_bio_weight: int
    # all body markers as one pattern: most texts show none, and one search says so
    any_body_marker: re.Pattern[str] | None = None
    # the title of an official statement or transcript (None: no such genre)
    statement_title: re.Pattern[str] | None = None


def load_genre_rules(text: str, origin: str = "genre.yaml") -> GenreRules:
    data = yaml.safe_load(text) or {}
    markers = []
    for item in data.get("markers", []):
        where = item.get("where", "body")
        if where not in ("title", "head", "body"):
            raise ConfigError(f"{origin}: `where` must be title, head or body, not {where!r}")
        try:
            pattern = re.compile(item["pattern"], re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"{origin}: bad pattern {item['pattern']!r}: {exc}") from exc
        markers.append(Marker(pattern, where, int(item.get("weight", 1))))
    statement = data.get("statement_title")
    try:
        statement_title = re.compile(statement, re.IGNORECASE) if statement else None
    except re.error as exc:
        raise ConfigError(f"{origin}: bad statement_title {statement!r}: {exc}") from exc
    return GenreRules(
        markers=tuple(markers),
        threshold=int(data.get("threshold", 2)),
        head_chars=int(data.get("head_chars", 400)),
        author_bio_weight=int(data.get("author_bio_weight", 2)),
        any_body_marker=any_of([m.pattern for m in markers if m.where == "body"]),
        statement_title=statement_title,
    )


def any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that finds a match where any of ``patterns`` (all with the same flags) would,
    or None where that cannot be built safely: no patterns, differing flags, a group (a
    backreference's number would change) or a global inline flag (``(?i)``) inside one."""
    if not patterns or len({p.flags for p in patterns}) > 1 or any(p.groups for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    except re.error:
        return None


GENRE_RULES = load_genre_rules(files("redline").joinpath("data", "genre.yaml").read_text("utf-8"))


def opinion_score(
    text: str, title: str | None, *, has_author_bio: bool, rules: GenreRules = GENRE_RULES
) -> int:
    """The summed weight of the markers ``text`` shows (each counted once)."""
    body = _QUOTED.sub(" ", text)
    scopes = {"title": title or "", "head": text[: rules.head_chars], "body": body}
    skip_body = rules.any_body_marker is not None and rules.any_body_marker.search(body) is None
    score = rules.author_bio_weight if has_author_bio else 0
    for marker in rules.markers:
        if skip_body and marker.where == "body":
            continue
        if marker.pattern.search(scopes[marker.where]):
            score += marker.weight
    return score


def classify_genre(
    text: str, title: str | None, *, has_author_bio: bool, rules: GenreRules = GENRE_RULES
) -> Genre:
    """``"statement"`` when the title has an official statement's form, else ``"opinion"``
    when the markers reach the threshold, else ``"news"``."""
    if title and rules.statement_title is not None and rules.statement_title.search(title.strip()):
        return "statement"
    score = opinion_score(text, title, has_author_bio=has_author_bio, rules=rules)
    return "opinion" if score >= rules.threshold else "news"
