"""Markdown articles: markup stripped to plain text, the first ``# Heading`` as title, YAML front matter as metadata."""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from redline.errors import InputError
from redline.ingest.draft import Draft, metadata_fields
from redline.ingest.readers.source import Source

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n(?:---|\.\.\.)\s*\n", re.DOTALL)
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT_UNDERLINE = re.compile(r"^(=+|-+)\s*$")
_RULE = re.compile(r"^\s*(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_LINK_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s+\S+")
_QUOTE_PREFIX = re.compile(r"^\s*(?:>\s?)+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# Inline markup, applied in this order.
_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"`([^`]+)`"), r"\1"),  # code
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\w)"), r"\1"),  # *emphasis*
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),  # _emphasis_
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML tags
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),  # backslash escapes
)


def _yaml_fault(exc: yaml.YAMLError, first_line: int) -> str:
    """Why the front matter is not read, with its line in the file (the front matter starts
    after ``first_line`` lines): it said only "while parsing a flow sequence", not where, nor
    that the title and date it held were dropped."""
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {first_line + mark.line + 1}, column {mark.column + 1}" if mark else ""
    return (
        f"invalid YAML front matter: {what}{where}; its fields (title, date, ...) not read, "
        "the article stored without them"
    )


def read(source: Source) -> Iterator[Draft | InputError]:
    text = source.text.replace("\r\n", "\n")
    meta: dict[str, object] = {}
    m = _FRONT_MATTER.match(text)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            yield InputError(source.key, _yaml_fault(exc, text[: m.start(1)].count("\n")))
            loaded = None
        meta = loaded if isinstance(loaded, dict) else {}
        text = text[m.end() :]
    plain, heading = markdown_to_text(text)
    given = metadata_fields(meta, source.fields)
    given["title"] = given["title"] or heading
    yield Draft(source_path=source.key, source_format="markdown", text=plain, **given)


def markdown_to_text(markdown: str) -> tuple[str, str | None]:
    """Plain text (one paragraph per block, soft line breaks joined) and the first level-1 heading."""
    out: list[str] = []
    title: str | None = None
    in_fence = False
    joinable = False  # the last line is paragraph text that a soft-wrapped next line continues
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_fence, joinable = not in_fence, False
            continue
        if in_fence:
            out.append(line)
            continue
        if _LINK_DEFINITION.match(line) or _RULE.match(line):
            out.append("")
            joinable = False
            continue
        if _SETEXT_UNDERLINE.match(line) and out and out[-1].strip():
            if title is None and line.startswith("="):
                title = out[-1].strip()
            out.append("")
            joinable = False
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            line = _inline(heading.group(2))
            if title is None and heading.group(1) == "#":
                title = line
            out.extend(["", line, ""])
            joinable = False
            continue
        line = _QUOTE_PREFIX.sub("", line)
        item = _LIST_ITEM.match(line)
        text = _inline(_LIST_ITEM.sub("", line)).strip()
        if joinable and text and not item:
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
        joinable = bool(text)
    return "\n".join(out).strip(), title


def _inline(line: str) -> str:
    for pattern, replacement in _INLINE:
        line = pattern.sub(replacement, line)
    return line
