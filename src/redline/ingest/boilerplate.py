"""Remove boilerplate lines (paywalls, copyright, captions, bylines) from article text, keeping what they say about the article."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import yaml

from redline.errors import ConfigError
from redline.knowledge import CASE_FOLDS_TO_ASCII

_WHERE = ("first", "head", "tail", "anywhere")
# No-break spaces become spaces; zero-width spaces, byte-order marks and carriage returns go.
_INVISIBLE = (("\u00a0", " "), ("\u200b", ""), ("\ufeff", ""), ("\r", ""))
_DATE_LIKE = re.compile(
    r"^(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: re.Pattern[str]
    where: str
    # what every match holds, lower-cased (any one of them): a line that, lowered, holds none
    # is not tried (a cheap test; the pattern alone decides what is removed)
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rules:
    """The compiled contents of ``data/boilerplate.yaml``."""

    remove: tuple[Rule, ...]
    outlet_line: re.Pattern[str]
    author_bio: re.Pattern[str]
    author_bio_lines: int
    head_lines: int
    tail_lines: int
    ranks: tuple[str, ...]
    corporate_suffixes: tuple[str, ...]


@dataclass(slots=True)
class Hints:
    """What the removed (and the bio) lines said about the article; None where they said nothing."""

    date: str | None = None
    year: int | None = None
    byline_author: str | None = None
    bio_author: str | None = None
    # the first line kept stood alone: a blank line, or only removed lines (a byline), came
    # between it and the next kept line; a first line the next continues is no title
    first_line_alone: bool = False
    outlets: dict[str, str] = field(
        default_factory=dict
    )  # byline | copyright | notice (paywall, dateline) | trailer

    @property
    def outlet(self) -> str | None:
        for kind in ("byline", "copyright", "notice", "trailer"):
            if kind in self.outlets:
                return self.outlets[kind]
        return None


def load_rules(text: str, origin: str = "boilerplate.yaml") -> Rules:
    """Compile a boilerplate rule file; a bad pattern is a :class:`ConfigError` naming it."""
    data: dict[str, Any] = yaml.safe_load(text) or {}

    def compile_(pattern: str) -> re.Pattern[str]:
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{origin}: bad pattern {pattern!r}: {exc}") from exc

    remove = []
    for item in data.get("remove", []):
        where = item.get("where", "anywhere")
        if where not in _WHERE:
            raise ConfigError(f"{origin}: `where` must be one of {_WHERE}, not {where!r}")
        needs = tuple(item.get("needs", ()))
        if any(not word or word != word.lower() or not word.isascii() for word in needs):
            raise ConfigError(f"{origin}: `needs` must be lower-case ASCII words, not {needs!r}")
        remove.append(Rule(compile_(item["pattern"]), where, needs))
    return Rules(
        remove=tuple(remove),
        outlet_line=compile_(data["outlet_line"]),
        author_bio=compile_(data["author_bio"]),
        author_bio_lines=int(data.get("author_bio_lines", 3)),
        head_lines=int(data.get("head_lines", 6)),
        tail_lines=int(data.get("tail_lines", 12)),
        ranks=tuple(data.get("ranks", [])),
        corporate_suffixes=tuple(data.get("corporate_suffixes", [])),
    )


RULES = load_rules(files("redline").joinpath("data", "boilerplate.yaml").read_text("utf-8"))


def normalise_lines(text: str) -> list[str]:
    """Lines with Windows/Mac line ends, no-break spaces and zero-width marks normalised, each stripped."""
    for old, new in _INVISIBLE:  # str.replace is far faster than str.translate with a dict
        text = text.replace(old, new)
    return [line.strip() for line in text.split("\n")]


def strip_boilerplate(text: str, rules: Rules = RULES) -> tuple[str, Hints]:
    """The article text without boilerplate lines, and the hints those lines gave.

    Works line by line; paragraphs (blank-line separated) are kept as they were.
    """
    lines = normalise_lines(text)
    filled = [i for i, line in enumerate(lines) if line]
    if not filled:
        return "", Hints()
    head = set(filled[: rules.head_lines])
    tail = set(filled[-rules.tail_lines :])
    hints = Hints()
    removed: set[int] = set()
    credits: list[str] = []
    # the rules that apply at a line depend only on where it stands: first, in the head, in
    # the tail (in their order, so the first that matches still wins)
    applying: dict[tuple[bool, bool, bool], list[Rule]] = {}
    for i in filled:
        place = (i == filled[0], i in head, i in tail)
        found = applying.get(place)
        if found is None:
            found = applying[place] = [
                r for r in rules.remove if _applies(r.where, i, filled[0], head, tail)
            ]
        line = lines[i]
        # None: the line holds a character ``needs`` cannot be checked against; try every rule
        lowered = None if CASE_FOLDS_TO_ASCII.search(line) else line.lower()
        for rule in found:
            if (
                rule.needs
                and lowered is not None
                and not any(word in lowered for word in rule.needs)
            ):
                continue
            m = rule.pattern.search(line)
            if m:
                removed.add(i)
                _collect(m.groupdict(), hints, credits, rules)
                break
    for credit in credits:
        removed.update(i for i in filled if lines[i].endswith(credit))
    removed |= _trailer_outlets(lines, filled, removed, hints, rules)
    kept = [i for i in filled if i not in removed]
    for i in kept[-rules.author_bio_lines :]:
        m = rules.author_bio.search(lines[i])
        if m:
            hints.bio_author = m["author"]
    if len(kept) > 1:
        hints.first_line_alone = kept[1] != kept[0] + 1
    out: list[str] = []
    for i, line in enumerate(lines):
        # one blank line between paragraphs, however many removed lines stood there
        if i not in removed and (line or (out and out[-1])):
            out.append(line)
    return "\n".join(out).strip(), hints


def _applies(where: str, i: int, first: int, head: set[int], tail: set[int]) -> bool:
    if where == "anywhere":
        return True
    if where == "first":
        return i == first
    return i in (head if where == "head" else tail)


def _collect(groups: dict[str, str | None], hints: Hints, credits: list[str], rules: Rules) -> None:
    outlet, date, author = groups.get("outlet"), groups.get("date"), groups.get("author")
    if groups.get("credit"):
        credits.append(groups["credit"] or "")
    if author is not None:  # a byline
        hints.byline_author = hints.byline_author or author
        if outlet and _DATE_LIKE.match(outlet):  # "By Jane Doe, 12 March 2024"
            date, outlet = ", ".join(p for p in (outlet, date) if p), None
        if outlet:
            hints.outlets.setdefault("byline", outlet.strip())
    elif groups.get("year"):
        hints.year = hints.year or int(groups["year"] or 0)
        if outlet:
            hints.outlets.setdefault("copyright", _strip_suffixes(outlet, rules))
    elif outlet:
        hints.outlets.setdefault("notice", outlet.strip())
    if date and hints.date is None:
        hints.date = date


def _strip_suffixes(outlet: str, rules: Rules) -> str:
    name = outlet.strip(" ,.")
    changed = True
    while changed:
        changed = False
        for suffix in rules.corporate_suffixes:
            for sep in (" ", ", "):
                if name.endswith(sep + suffix) and len(name) > len(sep + suffix):
                    name = name[: -len(sep + suffix)].strip(" ,.")
                    changed = True
    return name


def _trailer_outlets(
    lines: list[str], filled: list[int], removed: set[int], hints: Hints, rules: Rules
) -> set[int]:
    """Lone outlet-name lines in the trailer that boilerplate closes an article with."""
    names: list[int] = []
    saw_boilerplate = False
    for i in reversed(filled):
        if i in removed:
            saw_boilerplate = True
        elif rules.outlet_line.match(lines[i]):
            names.append(i)
        else:
            break
    known = {o.casefold() for o in hints.outlets.values()}
    drop = {i for i in names if saw_boilerplate or lines[i].casefold() in known}
    if drop:
        hints.outlets.setdefault("trailer", lines[min(drop)])
    return drop
