"""Knowledge kept as data: the trigger hierarchy, actors with aliases, and cue lexicons.

Everything here is loaded from YAML files in ``redline/data`` (shipped with the package),
optionally merged with user files (``REDLINE_GAZETTEER`` = colon-separated paths, or the
``extra`` argument). Loaders are cached: each process reads the files once.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from redline.errors import ConfigError

_DATA = resources.files("redline") / "data"
# libyaml's parser where PyYAML has it: the same objects from the packaged files, for about an
# eighth of the pure-Python parser's CPU (0.015 against 0.119 s for the four), which every
# process reading the gazetteers paid (each extraction worker, link, score, each command)
PACKAGED_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def packaged_yaml(name: str) -> Any:
    """The packaged data file ``redline/data/<name>``, parsed as ``yaml.safe_load`` does. User
    files are read by ``yaml.safe_load`` itself, whose error messages the commands show."""
    return yaml.load((_DATA / name).read_text(encoding="utf-8"), Loader=PACKAGED_LOADER)


def user_gazetteers(extra: Sequence[str] = ()) -> list[str]:
    """The user gazetteer files read on top of the packaged ones: ``extra`` (``--gazetteer``),
    then ``REDLINE_GAZETTEER`` (paths separated as ``PATH`` is)."""
    return [*extra, *filter(None, os.environ.get("REDLINE_GAZETTEER", "").split(os.pathsep))]


def _load_yaml(name: str, extra: Sequence[str] = ()) -> dict[str, Any]:
    """The packaged file, with the same top-level sections from user files merged on top."""
    merged: dict[str, Any] = packaged_yaml(name) or {}
    for path in user_gazetteers(extra):
        try:
            user = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: not UTF-8
            raise ConfigError(f"{path}: cannot read gazetteer file: {exc}") from exc
        if not isinstance(user, dict):
            raise ConfigError(f"{path}: a gazetteer file must be a mapping of sections")
        for section, entries in user.items():
            if section not in merged:
                continue  # a file may hold several gazetteers; each loader takes its own
            _check_section(path, name, section, entries, merged[section])
            if isinstance(entries, dict):
                merged[section] = {**merged[section], **entries}
            elif isinstance(entries, list):
                merged[section] = [*merged[section], *entries]
    return merged


_SHAPES = {
    dict: "a mapping",
    list: "a list",
    str: "text",
    int: "a number",
    float: "a number",
    type(None): "empty",
}


def _check_section(path: str, name: str, section: str, entries: Any, packaged: Any) -> None:
    """A user file's section, and each of its entries, of the shape the packaged ``name`` gives
    them, or a ``ConfigError`` naming the file and the entry: a list where a mapping belongs
    was skipped without a word, and an entry of the wrong shape ended in a traceback."""

    def shape(value: Any) -> str:
        return _SHAPES.get(type(value), type(value).__name__)

    if shape(entries) != shape(packaged):
        raise ConfigError(
            f"{path}: '{section}' must be {shape(packaged)} (as redline/data/{name} has it), "
            f"not {shape(entries)}"
        )
    kinds = {shape(v) for v in (packaged.values() if isinstance(packaged, dict) else [])}
    if len(kinds) == 1 and isinstance(entries, dict):
        (kind,) = kinds
        for key, value in entries.items():
            if shape(value) != kind:
                raise ConfigError(
                    f"{path}: '{section}.{key}' must be {kind} (as redline/data/{name} has "
                    f"it), not {shape(value)}"
                )


def _where(name: str, extra: Sequence[str], section: str, key: str) -> str:
    """The file an entry of ``section`` was read from, for an error about it: the last user
    gazetteer that gives ``key``, else the packaged ``name``."""
    for path in reversed(user_gazetteers(extra)):
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get(section), dict) and key in data[section]:
            return path
    return name


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
    # the parties that cross it when a threat names none, besides the hint ("Military aid to
    # Russia" is crossed by China, Iran and North Korea alike)
    crossed_by: tuple[str, ...] = ()


def _any_of(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching what any of ``patterns`` matches."""
    return re.compile("|".join(f"(?:{a})" for a in patterns), re.IGNORECASE)


# The characters a case-insensitive pattern matches to an ASCII letter while ``str.lower`` does
# not turn them into it: dotted and dotless I, long s (``tests/test_ingest_text.py`` checks
# every code point). Where a text holds one, a lower-cased comparison with ASCII words can miss
# what the pattern matches (``WordStarts``, ingest's boilerplate ``needs``).
CASE_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f]")

_TEXTS_REMEMBERED = 10_000  # texts whose triggers ``TriggerTree.match`` remembers at once


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

    def _hinted(self, key: str | None) -> Trigger | None:
        """The line ``key`` or its nearest ancestor with an ``actor_hint``; None for an unknown
        or coined key, or a line none of whose ancestors has one."""
        while key is not None and key in self.triggers:
            if self.triggers[key].actor_hint:
                return self.triggers[key]
            key = self.triggers[key].parent
        return None

    def hint(self, key: str | None) -> str | None:
        """Who usually crosses the line ``key`` (its own ``actor_hint`` or its nearest
        ancestor's); None for an unknown or coined key."""
        t = self._hinted(key)
        return t.actor_hint if t is not None else None

    def crossers(self, key: str | None) -> set[str]:
        """Who may cross the line ``key`` when its threats name no addressee: the hint and the
        parties listed with it (``crossed_by``) of the key or its nearest ancestor with a hint;
        empty for an unknown or coined key."""
        t = self._hinted(key)
        return {t.actor_hint, *t.crossed_by} if t is not None and t.actor_hint else set()

    def on_crossing_side(self, country: str | None, key: str | None) -> bool:
        """Is ``country`` on the side of a party that may cross the line ``key`` (``crossers``:
        its hint and ``crossed_by``)? Such a party's threat over the line draws no line (a line
        is never drawn by the side that crosses it), and its act on the line is a crossing,
        whatever the extractor called it."""
        return any(same_side(country, c) for c in self.crossers(key))

    def crosses(self, crossing_key: str, episode_key: str) -> bool:
        """Does a crossing of ``crossing_key`` cross the line ``episode_key``? (self or an ancestor)."""
        return crossing_key == episode_key or episode_key in self.ancestors(crossing_key)

    def any_match(self, text: str) -> bool:
        """Does ``text`` name any trigger? (one combined regex, tried only at the words that can
        open a match: the lexical pass's cheap test)"""
        starts, combined = self._any
        if starts is None:
            return combined.search(text) is not None
        return starts.search(combined, text) is not None

    @property
    def _any(self) -> tuple[WordStarts | None, re.Pattern[str]]:
        built = self.__dict__.get("_any_re")
        if built is None:
            alternatives = [p.pattern for t in self.triggers.values() for p in t.patterns]
            combined = _any_of(alternatives)
            built = (WordStarts.for_terms(alternatives, bounded=False, build=_any_of), combined)
            self.__dict__["_any_re"] = built
        return built

    def match(self, text: str) -> list[tuple[str, int, int]]:
        """Every trigger named in ``text`` as (key, start, end), most specific first, then leftmost.

        The rules ask about the same sentence several times, and most sentences name no
        trigger: the answer is remembered per text, and a text the combined pattern does not
        match (``any_match``) names none without trying each trigger's patterns."""
        memo: dict[str, tuple[tuple[str, int, int], ...]] = self.__dict__.setdefault("_memo", {})
        found = memo.get(text)
        if found is None:
            found = tuple(self._match(text)) if self.any_match(text) else ()
            if len(memo) >= _TEXTS_REMEMBERED:
                memo.clear()
            memo[text] = found
        return list(found)

    @property
    def _per_key(self) -> tuple[tuple[str, re.Pattern[str], WordStarts | None], ...]:
        """Each trigger's patterns as one alternation (its leftmost match is the leftmost of any
        of them, and at that place the first of them in order, as one search each gave), tried
        only at the words that can open it."""
        built = self.__dict__.get("_per_key_re")
        if built is None:
            built = tuple(
                (
                    key,
                    _any_of(terms := [p.pattern for p in trig.patterns]),
                    WordStarts.for_terms(terms, bounded=False, build=_any_of),
                )
                for key, trig in self.triggers.items()
                if trig.patterns
            )
            self.__dict__["_per_key_re"] = built
        return built

    def _match(self, text: str) -> list[tuple[str, int, int]]:
        hits: dict[str, tuple[int, int]] = {}
        for key, pattern, starts in self._per_key:
            m = pattern.search(text) if starts is None else starts.search(pattern, text)
            if m:
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
        if key.startswith(COINED_PREFIX):
            raise ConfigError(
                f"triggers.yaml: {key!r} starts with {COINED_PREFIX!r}, which marks the keys "
                "the extractor coins for lines the vocabulary lacks; name it otherwise"
            )
        depth[key] = _depth(key)
        patterns, verbs = spec.get("patterns", []), spec.get("crossing", [])
        for field_name, given, what in (
            ("patterns", patterns, "regular expressions"),
            ("crossing", verbs, "verbs ([attack, invade])"),
        ):
            if not isinstance(given, list) or not all(isinstance(p, str) for p in given):
                # one given as text was read letter by letter: every "a" named the line
                raise ConfigError(
                    f"{_where('triggers.yaml', extra, 'triggers', key)}: {field_name} of "
                    f"{key!r} must be a list of {what}, not {given!r}"
                )
        try:
            pats = tuple(re.compile(p, re.IGNORECASE) for p in patterns)
        except re.error as exc:
            # named in the file the pattern came from (it was always "triggers.yaml")
            where = _where("triggers.yaml", extra, "triggers", key)
            raise ConfigError(f"{where}: bad pattern for {key!r}: {exc}") from exc
        crossed_by = spec.get("crossed_by", [])
        if not isinstance(crossed_by, list) or not all(
            isinstance(c, str) and c.strip() for c in crossed_by
        ):
            # a single code ("crossed_by: IRN") was read letter by letter: I, R and N
            raise ConfigError(
                f"triggers.yaml: crossed_by of {key!r} must be a list of actor codes "
                f"([IRN, PRK]), not {crossed_by!r}"
            )
        if crossed_by and not spec.get("actor_hint"):
            # read only beside the line's own hint: without one it was ignored unremarked
            raise ConfigError(
                f"triggers.yaml: {key!r} lists crossed_by without an actor_hint; give the "
                "party that usually crosses it as actor_hint"
            )
        out[key] = Trigger(
            key=key,
            label=spec.get("label", key),
            parent=spec.get("parent"),
            patterns=pats,
            crossing=frozenset(verbs),
            actor_hint=spec.get("actor_hint"),
            depth=depth[key],
            crossed_by=tuple(c.strip() for c in crossed_by),
        )
    return TriggerTree(out)


# --------------------------------------------------------------------------- actors


@dataclass(frozen=True)
class Role:
    country: str
    title: str | None = None
    start: date | None = None
    end: date | None = None

    def held_on(self, when: date | None) -> bool:
        """Was the role held on ``when`` (any day, when None)?"""
        return when is None or (
            (self.start is None or self.start <= when) and (self.end is None or when <= self.end)
        )


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
            if role.held_on(when):
                return role.country
        return self.roles[-1].country


@dataclass
class ActorGazetteer:
    actors: dict[str, Actor]
    _alias_index: dict[str, Actor]
    _pattern: re.Pattern[str] | None
    # lower-cased adjective -> state code ("turkish" -> "TUR")
    demonyms: dict[str, str] = field(default_factory=dict)
    # the first word of every alias, as written, and the pattern of the aliases it opens
    # (None: some alias does not open with a word)
    _openings: dict[str, re.Pattern[str]] | None = None

    def lookup(self, name: str) -> Actor | None:
        return self._alias_index.get(normalise_alias(name))

    def named(self, name: str) -> Actor | None:
        """The actor ``name`` stands for: the one it is an alias of ("Moscow", "the Kremlin"),
        else the state a nationality names ("Russian"), else None."""
        actor = self.lookup(name)
        if actor is None:
            code = self.demonyms.get(normalise_alias(name))
            actor = self.actors.get(code) if code else None
        return actor

    def find(self, text: str) -> list[tuple[Actor, int, int]]:
        """Every actor alias in ``text`` as (actor, start, end), left to right, longest alias wins."""
        if self._pattern is None:
            return []
        out = []
        for m in self._finditer(text):
            actor = self._alias_index.get(normalise_alias(m.group(0)))
            if actor is not None:
                out.append((actor, m.start(), m.end()))
        # Headlines in capitals ("RUSSIA WARNS ISRAEL ..."): matched title-cased, which keeps
        # every offset; names already found there (NATO, US) stay as they were.
        taken = {i for _, s, e in out for i in range(s, e)}
        extra = []
        for run in _CAPITALS.finditer(text):
            titled = run.group(0).title()
            for m in self._finditer(titled):
                start, end = run.start() + m.start(), run.start() + m.end()
                actor = self._alias_index.get(normalise_alias(m.group(0)))
                if actor is not None and not taken.intersection(range(start, end)):
                    extra.append((actor, start, end))
        return sorted(out + extra, key=lambda hit: hit[1]) if extra else out

    def _finditer(self, text: str) -> Iterator[re.Match[str]]:
        """``self._pattern.finditer(text)``, with the pattern tried only where a match can
        begin. A match opens after neither a word character nor a hyphen with an alias, so at
        the start of a word, and the alias's own first word is then that whole word (it ends
        where the alias goes on with a non-word character, or where the match does). Python's
        engine tries all 550 aliases at every character; here only the aliases that open with
        a word of the text, where it stands alone, in the pattern's order (longest first), so
        the same matches come out in the same order."""
        assert self._pattern is not None
        if self._openings is None:
            yield from self._pattern.finditer(text)
            return
        starts = []
        for word in self._openings.keys() & set(_WORD.findall(text)):
            at = text.find(word)
            while at >= 0:
                after = at + len(word)
                if not (at and _in_word(text[at - 1])) and not (
                    after < len(text) and _in_word(text[after])
                ):
                    starts.append(at)  # the whole word, not part of a longer one
                at = text.find(word, after)
        end = 0
        for start in sorted(starts):
            if start < end or (start and text[start - 1] == "-"):
                continue
            opened = _WORD.match(text, start)
            assert opened is not None  # a word starts there
            m = self._openings[opened.group(0)].match(text, start)
            if m is not None:
                end = m.end()
                yield m


# three or more words in capitals in a row: a headline or a kicker
_CAPITALS = re.compile(r"\b[A-Z][A-Z'’.-]+(?:[ \t:,;'‘’\"“”-]+[A-Z][A-Z'’.-]*){2,}\b")


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
    data = _load_yaml("actors.yaml", extra)
    raw = dict(data["actors"])
    demonyms: dict[str, str] = {}
    for code, words in (data.get("demonyms") or {}).items():
        demonyms.update({w.lower(): code for w in words})
    for code, line in (data.get("states") or {}).items():
        if line.count("|") != 2:
            raise ConfigError(
                f"{_where('actors.yaml', extra, 'states', code)}: states.{code} must read "
                f"'NAME | CAPITAL | ADJECTIVE' (- for no capital), not {line!r}"
            )
        name, capital, adjective = (part.strip() for part in line.split("|"))
        demonyms.setdefault(adjective.lower(), code)
        if code not in raw:
            names = [capital] if capital != "-" else []
            raw[code] = {
                "name": name,
                "kind": "state",
                "country": code,
                "aliases": [*names, f"{adjective} government"],
            }
    table: dict[str, Actor] = {}
    index: dict[str, Actor] = {}
    for key, spec in raw.items():
        roles_given = spec.get("roles", [])
        if not isinstance(spec.get("name"), str) or not (
            isinstance(roles_given, list)
            and all(isinstance(r, dict) and isinstance(r.get("country"), str) for r in roles_given)
        ):
            # a KeyError's traceback named neither the file nor the actor
            raise ConfigError(
                f"{_where('actors.yaml', extra, 'actors', key)}: actors.{key} needs a name, and "
                "its roles (if any) a list of mappings each with a country"
            )
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
    return ActorGazetteer(table, index, pattern, demonyms, _by_opening(alternatives))


def _by_opening(alternatives: list[str]) -> dict[str, re.Pattern[str]] | None:
    """Per first word of the aliases (``alternatives``, escaped, longest first), the pattern
    of those it opens, in the same order and with the same bounds: what ``ActorGazetteer``'s
    pattern can match at that word. None when some alias does not open with a word."""
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        first = _WORD.match(alt)  # re.escape leaves word characters as they are
        if first is None:
            return None
        groups.setdefault(first.group(0), []).append(alt)
    return {
        word: re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])")
        for word, alts in groups.items()
    }


@cache
def _sides(extra: tuple[str, ...] = ()) -> dict[str, str]:
    raw = _load_yaml("actors.yaml", extra).get("sides") or {}
    return {code: side for side, codes in raw.items() for code in codes or ()}


@cache
def _territory(extra: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    raw = _load_yaml("actors.yaml", extra)
    return raw.get("territory_lines") or {}, raw.get("alliances") or {}


@cache
def territory_lines() -> frozenset[str]:
    """Every trigger an attack on someone's own territory crosses (``territory_lines``)."""
    return frozenset(_territory()[0].values())


# Coined trigger keys: a line the vocabulary lacks is keyed by the words of its condition.
COINED_PREFIX = "new_"
COINED_WORDS = 5
COINED_MAX = 64  # the stored key's column width (store.schema: threats.trigger_key)
_COIN_SKIP = frozenset(
    {"if", "should", "in", "case", "the", "event", "of", "any", "a", "an", "to", "is", "are"}
    | {"was", "were", "be", "been", "it", "its", "their", "they", "that", "this", "at", "all"}
    | {"and", "or", "on", "with", "for", "by", "from", "would", "will", "could", "did", "do"}
    | {"does", "has", "have", "had", "fact", "ever", "so", "much", "as", "there"}
)
# a condition that names the act by its absence ("unless Moldova reopens its airspace") would
# be keyed by the opposite of its line: no key is coined for it
_NEGATED_CONDITION = re.compile(r"\b(unless|until|not|no|never)\b", re.IGNORECASE)


def coin_trigger_key(condition: str | None) -> str | None:
    """The key of a line the vocabulary lacks, from the words of its condition: its first
    ``COINED_WORDS`` content words, lower-cased and folded to ASCII, after ``COINED_PREFIX``
    ("if the Russians were to break through the front lines" ->
    ``new_russians_break_through_front_lines``), at most ``COINED_MAX`` characters. The same
    wording gives the same key. None when the condition has fewer than two content words ("if
    that happens" names no line by itself), or names its act by its absence ("unless ...")."""
    if not condition or _NEGATED_CONDITION.search(condition):
        return None
    folded = unicodedata.normalize("NFKD", condition).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.findall(r"[a-z]+", folded) if len(w) > 1 and w not in _COIN_SKIP]
    key = COINED_PREFIX
    for word in words[:COINED_WORDS]:
        if len(key) + len(word) + (key != COINED_PREFIX) > COINED_MAX:
            break
        key += ("_" if key != COINED_PREFIX else "") + word
    return key if "_" in key[len(COINED_PREFIX) :] else None


def is_coined(key: str | None) -> bool:
    """Is ``key`` one the extractor coined (``coin_trigger_key``)? No vocabulary key has the
    prefix (``triggers`` refuses one)."""
    return key is not None and key.startswith(COINED_PREFIX)


def territory_line(code: str | None, on: date | None) -> str | None:
    """The trigger an attack on ``code``'s own territory crosses on ``on``: its own line, else
    that of an alliance it belonged to that day (``actors.yaml``: ``territory_lines``,
    ``alliances``); None when it has neither."""
    if code is None:
        return None
    lines, alliances = _territory()
    if code in lines:
        return lines[code]
    for alliance, members in alliances.items():
        if code in members and alliance in lines:
            joined = _parse_date(members[code])
            if joined is None or on is None or joined <= on:
                return lines[alliance]
    return None


def side(code: str | None) -> str | None:
    """The side of a confrontation an actor code belongs to (``west``, ``russia``), or the code
    itself when it is listed on no side; None for None."""
    if code is None:
        return None
    return _sides().get(code, code)


def opposed(a: str | None, b: str | None) -> bool:
    """Can the act of ``a`` not be the act of ``b``'s side? True when they are on different
    sides and at least one is on a listed side (``actors.yaml``: ``sides:``): Russia is not the
    third country that arms Russia, China is not Russia's side; two states on no listed side
    (Iran and China, both possible suppliers of Russia) do not oppose each other."""
    if a is None or b is None or same_side(a, b):
        return False
    sides = _sides()
    return a in sides or b in sides


def same_side(a: str | None, b: str | None) -> bool:
    """Are two actor codes on one side? (an unknown actor is on nobody's side)"""
    return a is not None and b is not None and side(a) == side(b)


# --------------------------------------------------------------------------- lexicons


@cache
def lexicon(extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Cue words for threats, consequences, crossings, responses and outcome claims."""
    return _load_yaml("cues.yaml", extra)["cues"]


_WORD = re.compile(r"\w+")


def _in_word(char: str) -> bool:
    """Is ``char`` what ``\\w`` matches (a Unicode letter, digit or number, or "_")?"""
    return char.isalnum() or char == "_"


_MEMO_LIMIT = 100_000  # words remembered per matcher; beyond that they are tested afresh


class _Words:
    """The words of the text matched last: the lexical pass asks a dozen matchers about the
    same sentence in a row, so it is split once. ``at`` maps each lowercased word to the
    offsets where it occurs."""

    text: str | None = None
    at: dict[str, list[int]] = {}

    @classmethod
    def of(cls, text: str) -> dict[str, list[int]]:
        if text is not cls.text:
            at: dict[str, list[int]] = {}
            for m in _WORD.finditer(text):
                at.setdefault(m.group(0).lower(), []).append(m.start())
            cls.text, cls.at = text, at
        return cls.at


class WordStarts:
    """Where a match of a word-bounded regex can begin: at a word that starts with one of
    ``prefixes`` (the literal text every match opens with, lowercased).

    Python's regex engine tries every alternative of a long alternation at every character,
    which makes ``search`` slow. Trying ``match`` only at the words that can open a match, left
    to right, finds the same leftmost match. Which words can is remembered (news vocabulary
    repeats), so most sentences cost two set operations.

    Given how the pattern is built from its terms (``build``), a word is first tried with only
    the terms that can open with it, in their order, so the engine no longer tries hundreds of
    others at every word; where they match, so does the whole pattern (the same term first),
    which then gives the match. Not when a term refers to a group by number or name (numbers
    change in a pattern of fewer terms) or opens with a letter other than ASCII, nor on a text
    holding a character the engine matches to an ASCII letter that lower-casing does not give
    (``CASE_FOLDS_TO_ASCII``): there, the whole pattern at every opening word.
    """

    __slots__ = (
        "_build",
        "_narrowed",
        "_opening",
        "_runs",
        "_seen",
        "_subsets",
        "_terms",
        "prefixes",
    )

    def __init__(
        self,
        prefixes: Iterable[str],
        terms: Sequence[tuple[str, frozenset[str]]] = (),
        build: Callable[[list[str]], re.Pattern[str]] | None = None,
    ) -> None:
        self.prefixes = tuple(sorted(set(prefixes)))
        self._seen: set[str] = set()  # words already judged
        self._opening: set[str] = set()  # those of them that start with a prefix
        # each term, and the openings (first words of its literal openings) it can start with
        self._terms = [term for term, _ in terms]
        self._runs = [tuple(runs) for _, runs in terms]
        self._build = build if terms else None
        self._subsets: dict[str, tuple[int, ...]] = {}  # opening word -> the terms it opens
        self._narrowed: dict[tuple[int, ...], re.Pattern[str]] = {}

    @classmethod
    def for_terms(
        cls,
        terms: Iterable[str],
        *,
        bounded: bool,
        build: Callable[[list[str]], re.Pattern[str]] | None = None,
    ) -> WordStarts | None:
        """For the alternation of ``terms``; None when some term's opening is not known.

        ``bounded``: every match is known to start at a word boundary (a Cue's lookbehind);
        otherwise a term counts only if it opens with ``\b`` itself. ``build``: how the
        pattern is built from a list of terms, to try a word with only the terms it opens."""
        prefixes: set[str] = set()
        opened: list[tuple[str, frozenset[str]]] = []
        for term in terms:
            body = term
            if not bounded:
                if not term.startswith("\\b"):
                    return None
                body = term[2:]
            found = _first_literals(body)
            if not found:
                return None
            runs = set()
            for literal in found:
                run = _WORD.match(literal)
                if run is None:
                    return None  # opens with punctuation: not at the start of a word
                runs.add(run.group(0))
            prefixes |= runs
            opened.append((term, frozenset(runs)))
        narrow = all(run.isascii() for _, runs in opened for run in runs) and not any(
            _REFERS_TO_GROUP.search(term) for term, _ in opened
        )
        return cls(prefixes, opened if narrow else (), build)

    def search(self, pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
        """``pattern.search(text)``, tried only where a match can begin."""
        at = _Words.of(text)
        hits = at.keys() & self._opening
        new = at.keys() - self._seen
        if new:
            fresh = {w for w in new if w.startswith(self.prefixes)}
            hits |= fresh
            if len(self._seen) < _MEMO_LIMIT:
                self._seen |= new
                self._opening |= fresh
        if not hits:
            return None
        if self._build is None or CASE_FOLDS_TO_ASCII.search(text):
            for pos in sorted(p for w in hits for p in at[w]):
                m = pattern.match(text, pos)
                if m is not None:
                    return m
            return None
        for pos, word in sorted((p, w) for w in hits for p in at[w]):
            if self._narrow(word).match(text, pos) is not None:
                # the same match, as the whole pattern gives it (its groups numbered as there)
                return pattern.match(text, pos)
        return None

    def _narrow(self, word: str) -> re.Pattern[str]:
        """The pattern of the terms that can open with ``word``, in their order."""
        subset = self._subsets.get(word)
        if subset is None:
            subset = tuple(i for i, runs in enumerate(self._runs) if word.startswith(runs))
            if len(self._subsets) < _MEMO_LIMIT:
                self._subsets[word] = subset
        found = self._narrowed.get(subset)
        if found is None:
            assert self._build is not None
            found = self._narrowed[subset] = self._build([self._terms[i] for i in subset])
        return found


# a backreference or a conditional on a group: what it refers to depends on the other terms
_REFERS_TO_GROUP = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")

_MANY_TERMS = 24  # below this an alternation is quick enough for a plain search


class Cue:
    """Any of ``terms`` (each a regex) as whole words, case-insensitive; ``search`` like a Pattern
    (through ``WordStarts`` when every term's opening is known)."""

    __slots__ = ("pattern", "starts")

    def __init__(self, terms: Iterable[str]) -> None:
        terms = list(terms)
        self.pattern = self.build(terms)
        self.starts = (
            WordStarts.for_terms(terms, bounded=True, build=self.build)
            if len(terms) >= _MANY_TERMS
            else None
        )

    @staticmethod
    def build(terms: list[str]) -> re.Pattern[str]:
        """The pattern of ``terms``: any of them as a whole word, in any case."""
        return re.compile(r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w-])", re.IGNORECASE)

    def search(self, text: str) -> re.Match[str] | None:
        if self.starts is None:
            return self.pattern.search(text)
        return self.starts.search(self.pattern, text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text)


def _unescaped(body: str) -> Iterator[tuple[int, str]]:
    """(index, character) for each character of a regex that is not escaped: a backslash and
    the character it escapes are skipped together."""
    i = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        yield i, body[i]
        i += 1


def _top_level_split(body: str) -> list[str] | None:
    """``body`` split at the ``|`` outside any parentheses (None if they do not balance)."""
    parts, start, depth = [], 0, 0
    for i, ch in _unescaped(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
        elif ch == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    return None if depth else [*parts, body[start:]]


def _group_end(term: str) -> int:
    """The index of the parenthesis closing the group ``term`` opens with, or -1."""
    depth = 0
    for i, ch in _unescaped(term):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i
    return -1


def _skip_quantifier(term: str, i: int) -> tuple[int, bool]:
    """Past the quantifier at ``term[i]`` (if any), and whether it lets the atom be absent."""
    if i >= len(term):
        return i, False
    ch = term[i]
    if ch in "?*+":
        j = i + 1
        return (j + 1 if term[j : j + 1] == "?" else j), ch != "+"
    if ch == "{":
        close = term.find("}", i)
        if close < 0:
            return i, False
        return close + 1, term[i + 1 : close].split(",")[0].strip() in ("", "0")
    return i, False


_SPECIAL = set("\\()[]{}?*+|.^$")


def _first_literals(term: str) -> set[str] | None:
    """The literal openings (lowercased) one of which every match of ``term`` starts with, or
    None when that is not known (a term opening with a character class, a lookaround, ...)."""
    alternatives = _top_level_split(term)
    if alternatives is None:
        return None
    if len(alternatives) > 1:
        found: set[str] = set()
        for alt in alternatives:
            sub = _first_literals(alt)
            if sub is None:
                return None
            found |= sub
        return found
    if term.startswith("("):
        if term.startswith("(?") and not term.startswith("(?:"):
            return None  # lookarounds, flags, named groups
        end = _group_end(term)
        if end < 0:
            return None
        inner = _first_literals(term[3 if term.startswith("(?:") else 1 : end])
        after, optional = _skip_quantifier(term, end + 1)
        if inner is None or not optional:
            return inner
        rest = _first_literals(term[after:]) if term[after:] else None
        return None if rest is None else inner | rest
    out: list[str] = []
    i = 0
    while i < len(term):
        ch = term[i]
        if ch == "\\" and i + 1 < len(term) and not term[i + 1].isalnum():
            atom, nxt = term[i + 1], i + 2  # an escaped punctuation mark is a literal
        elif ch in _SPECIAL:
            break
        else:
            atom, nxt = ch, i + 1
        after, optional = _skip_quantifier(term, nxt)
        if optional:
            break
        out.append(atom)
        if after != nxt:  # "a+": what follows need not touch the first "a"
            break
        i = nxt
    return {"".join(out).lower()} if out else None


def compile_terms(terms: Iterable[str]) -> Cue:
    """One case-insensitive matcher for any of ``terms`` (each itself a regex) as whole words."""
    return Cue(terms)


def _as_typed(name: str) -> str:
    """A filter's name as the gazetteer spells it: composed (NFKC: "Türkiye" typed or pasted
    decomposed, as macOS keyboards and some PDFs give it, or a full-width "ＲＵＳ"), without
    invisible format characters (a zero-width space or a direction mark a copy from a web page
    carries) and without the blanks a copy and paste leaves around it (" RUS" is RUS)."""
    name = unicodedata.normalize("NFKC", name)
    return "".join(c for c in name if unicodedata.category(c) != "Cf").strip()


def actor_code(name: str, extra: tuple[str, ...] = (), present: Iterable[str] = ()) -> str:
    """The country or organisation code a filter means: "RUS", "rus", "Russia" and "Moscow" all
    give RUS. An unknown name is a ConfigError that suggests the nearest known names.
    ``present``: the codes the ledger holds, which a filter also takes (a code of a gazetteer
    given to `extract --gazetteer` is listed, and `--actor` refused it as unknown)."""
    import difflib

    if not isinstance(name, str):  # actor=643 ended in a TypeError from unicodedata
        raise ConfigError(f"an actor is a name or a code such as RUS, not {name!r}")
    name = _as_typed(name)
    gazetteer = actors(extra)
    codes = {a.country for a in gazetteer.actors.values() if a.country}
    for role_actor in gazetteer.actors.values():
        codes.update(r.country for r in role_actor.roles)
    codes.update(c for c in present if c)
    # each code as it reads, so a code a gazetteer spelt decomposed is found too
    by_form = {_as_typed(c).upper(): c for c in codes}
    if name.upper() in by_form:
        return by_form[name.upper()]
    actor = gazetteer.lookup(name)
    if actor is not None and actor.country:
        return actor.country
    known = sorted(codes | {alias for a in gazetteer.actors.values() for alias in a.aliases})
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else " (use a code such as RUS or USA)"
    raise ConfigError(f"unknown actor {name!r}{hint}")
