"""Knowledge kept as data: the trigger hierarchy, actors with aliases, and cue lexicons.

Everything here is loaded from YAML files in ``redline/data`` (shipped with the package),
optionally merged with user files (``REDLINE_GAZETTEER`` = colon-separated paths, or the
``extra`` argument). Loaders are cached: each process reads the files once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from redline.errors import ConfigError

_DATA = resources.files("redline") / "data"


def _load_yaml(name: str, extra: Sequence[str] = ()) -> dict[str, Any]:
    """The packaged file, with the same top-level sections from user files merged on top."""
    merged: dict[str, Any] = yaml.safe_load((_DATA / name).read_text(encoding="utf-8")) or {}
    paths = [*extra, *filter(None, os.environ.get("REDLINE_GAZETTEER", "").split(os.pathsep))]
    for path in paths:
        try:
            user = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read gazetteer file: {exc}") from exc
        if not isinstance(user, dict):
            raise ConfigError(f"{path}: a gazetteer file must be a mapping of sections")
        for section, entries in user.items():
            if section not in merged:
                continue  # a file may hold several gazetteers; each loader takes its own
            if isinstance(entries, dict):
                merged[section] = {**merged[section], **entries}
            elif isinstance(entries, list):
                merged[section] = [*merged[section], *entries]
    return merged


# --------------------------------------------------------------------------- triggers


@dataclass(frozen=True)
class Trigger:
    key: str
    label: str
    parent: str | None
    patterns: tuple[re.Pattern[str], ...]
    crossing: frozenset[str]
    actor_hint: str | None
    depth: int = 0


@dataclass
class TriggerTree:
    """The trigger hierarchy: lookups by key, ancestry, and matching in text."""

    triggers: dict[str, Trigger]

    def __contains__(self, key: object) -> bool:
        return key in self.triggers

    def __getitem__(self, key: str) -> Trigger:
        return self.triggers[key]

    def label(self, key: str | None) -> str:
        if key is None:
            return "unspecified trigger"
        t = self.triggers.get(key)
        return t.label if t else key

    def ancestors(self, key: str) -> list[str]:
        """Parent, grandparent, ... (not the key itself)."""
        out: list[str] = []
        parent = self.triggers[key].parent if key in self.triggers else None
        while parent is not None:
            out.append(parent)
            parent = self.triggers[parent].parent
        return out

    def crosses(self, crossing_key: str, episode_key: str) -> bool:
        """Does a crossing of ``crossing_key`` cross the line ``episode_key``? (self or an ancestor)."""
        return crossing_key == episode_key or episode_key in self.ancestors(crossing_key)

    def any_match(self, text: str) -> bool:
        """Does ``text`` name any trigger? (one combined regex: the lexical pass's cheap test)"""
        return self._any.search(text) is not None

    @property
    def _any(self) -> re.Pattern[str]:
        combined = self.__dict__.get("_any_re")
        if combined is None:
            alternatives = [p.pattern for t in self.triggers.values() for p in t.patterns]
            combined = re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)
            self.__dict__["_any_re"] = combined
        return combined

    def match(self, text: str) -> list[tuple[str, int, int]]:
        """Every trigger named in ``text`` as (key, start, end), most specific first, then leftmost."""
        hits: dict[str, tuple[int, int]] = {}
        for key, trig in self.triggers.items():
            for pat in trig.patterns:
                m = pat.search(text)
                if m and (key not in hits or m.start() < hits[key][0]):
                    hits[key] = (m.start(), m.end())
        # drop an ancestor when a descendant matched the same text
        keys = set(hits)
        for key in list(keys):
            for anc in self.ancestors(key):
                hits.pop(anc, None)
        return sorted(
            ((k, s, e) for k, (s, e) in hits.items()),
            key=lambda h: (-self.triggers[h[0]].depth, h[1]),
        )


@cache
def triggers(extra: tuple[str, ...] = ()) -> TriggerTree:
    raw = _load_yaml("triggers.yaml", extra)["triggers"]
    depth: dict[str, int] = {}

    def _depth(key: str, seen: tuple[str, ...] = ()) -> int:
        if key in seen:
            raise ConfigError(f"triggers.yaml: the hierarchy has a cycle through {key!r}")
        parent = raw[key].get("parent")
        if parent is None:
            return 0
        if parent not in raw:
            raise ConfigError(f"triggers.yaml: {key!r} names an unknown parent {parent!r}")
        return 1 + _depth(parent, (*seen, key))

    out: dict[str, Trigger] = {}
    for key, spec in raw.items():
        depth[key] = _depth(key)
        try:
            pats = tuple(re.compile(p, re.IGNORECASE) for p in spec.get("patterns", []))
        except re.error as exc:
            raise ConfigError(f"triggers.yaml: bad pattern for {key!r}: {exc}") from exc
        out[key] = Trigger(
            key=key,
            label=spec.get("label", key),
            parent=spec.get("parent"),
            patterns=pats,
            crossing=frozenset(spec.get("crossing", [])),
            actor_hint=spec.get("actor_hint"),
            depth=depth[key],
        )
    return TriggerTree(out)


# --------------------------------------------------------------------------- actors


@dataclass(frozen=True)
class Role:
    country: str
    title: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Actor:
    key: str
    name: str
    kind: str  # state | organisation | person | institution | group
    country: str | None
    aliases: tuple[str, ...]
    roles: tuple[Role, ...] = field(default=())

    def country_on(self, when: date | None) -> str | None:
        """The state or organisation the actor spoke for on ``when`` (roles change over time)."""
        if not self.roles:
            return self.country
        for role in self.roles:
            if when is None or (
                (role.start is None or role.start <= when)
                and (role.end is None or when <= role.end)
            ):
                return role.country
        return self.roles[-1].country


@dataclass
class ActorGazetteer:
    actors: dict[str, Actor]
    _alias_index: dict[str, Actor]
    _pattern: re.Pattern[str] | None

    def lookup(self, name: str) -> Actor | None:
        return self._alias_index.get(normalise_alias(name))

    def find(self, text: str) -> list[tuple[Actor, int, int]]:
        """Every actor alias in ``text`` as (actor, start, end), left to right, longest alias wins."""
        if self._pattern is None:
            return []
        out = []
        for m in self._pattern.finditer(text):
            actor = self._alias_index.get(normalise_alias(m.group(0)))
            if actor is not None:
                out.append((actor, m.start(), m.end()))
        return out


def normalise_alias(name: str) -> str:
    name = name.replace("’", "'").strip().lower()
    name = re.sub(r"^(the|mr\.?|mrs\.?|ms\.?|dr\.?|president|prime minister)\s+", "", name)
    return re.sub(r"\s+", " ", name)


def _parse_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@cache
def actors(extra: tuple[str, ...] = ()) -> ActorGazetteer:
    raw = _load_yaml("actors.yaml", extra)["actors"]
    table: dict[str, Actor] = {}
    index: dict[str, Actor] = {}
    for key, spec in raw.items():
        roles = tuple(
            Role(
                country=r["country"],
                title=r.get("title"),
                start=_parse_date(r.get("from")),
                end=_parse_date(r.get("until")),
            )
            for r in spec.get("roles", [])
        )
        country = spec.get("country") or (roles[0].country if roles else None)
        aliases = tuple(dict.fromkeys([spec["name"], *spec.get("aliases", [])]))
        actor = Actor(key, spec["name"], spec.get("kind", "person"), country, aliases, roles)
        table[key] = actor
        for alias in aliases:
            index.setdefault(normalise_alias(alias), actor)
    alternatives = sorted(
        {re.escape(a) for actor in table.values() for a in actor.aliases}, key=len, reverse=True
    )
    pattern = (
        re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")
        if alternatives
        else None
    )
    return ActorGazetteer(table, index, pattern)


# --------------------------------------------------------------------------- lexicons


@cache
def lexicon(extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Cue words for threats, consequences, crossings, responses and outcome claims."""
    return _load_yaml("cues.yaml", extra)["cues"]


class Cue:
    """Any of ``terms`` (each a regex) as whole words, case-insensitive; ``search`` like a Pattern.

    Python's regex engine tries every alternative at every position, so a long alternation is
    slow. Where each term starts with a literal word (or a group of them), those anchors are
    checked first with plain substring search, and the regex runs only on texts that hold one.
    """

    __slots__ = ("_anchors", "pattern")

    def __init__(self, terms: Iterable[str]) -> None:
        terms = list(terms)
        self.pattern = re.compile(r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w-])", re.IGNORECASE)
        anchors: set[str] = set()
        for term in terms:
            found = _anchors(term)
            if found is None:
                anchors = set()
                break
            anchors |= found
        self._anchors = tuple(sorted(anchors))

    def search(self, text: str) -> re.Match[str] | None:
        if self._anchors:
            low = text.lower()
            if not any(a in low for a in self._anchors):
                return None
        return self.pattern.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text)


_META = set("\\()[]{}?*+|.^$")


def _literal_prefix(term: str) -> str:
    out: list[str] = []
    for ch in term:
        if ch in _META:
            if ch in "?*{" and out:
                out.pop()  # the last character was optional
            break
        out.append(ch)
    return "".join(out).lower()


def _anchors(term: str) -> set[str] | None:
    """Literal strings one of which every match of ``term`` contains, or None if unknown."""
    if term.startswith("("):
        depth, end = 0, -1
        for i, ch in enumerate(term):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0:
                end = i
                break
        if end < 0:
            return None
        if term[end + 1 : end + 2] in ("?", "*"):  # an optional group: anchor on what follows
            rest = term[end + 2 :].lstrip()
            return _anchors(rest) if rest else None
        alternatives = term[1:end].split("|")
        if any(("(" in a or ")" in a) for a in alternatives):
            return None
        found = {_literal_prefix(a) for a in alternatives}
        return found if all(len(a) >= 2 for a in found) else None
    prefix = _literal_prefix(term)
    return {prefix} if len(prefix) >= 2 else None


def compile_terms(terms: Iterable[str]) -> Cue:
    """One case-insensitive matcher for any of ``terms`` (each itself a regex) as whole words."""
    return Cue(terms)
