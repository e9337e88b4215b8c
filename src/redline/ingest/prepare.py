"""Finish a draft into a ledger row: clean the text, fill title/author/outlet, date it, tag genre and language, fingerprint it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from redline.errors import InputError
from redline.ingest.authors import clean_author
from redline.ingest.boilerplate import Hints, strip_boilerplate
from redline.ingest.dates import (
    filename_date,
    stated_date,
    text_date,
    unusable_filename_date,
    year_date,
)
from redline.ingest.decode import without_controls
from redline.ingest.dedup import Fingerprint, fingerprint
from redline.ingest.draft import NO_DATE, DateGuess, Draft
from redline.ingest.genre import Genre, classify_genre
from redline.ingest.language import detect_language

# A first line is a title when it is short (3 to 20 words), starts with a capital and has no
# closing punctuation or dash (a closing quote after a word is fine): "In Ukraine, Time To Call ...".
_TITLE_MAX_CHARS = 160
_TITLE_WORDS = range(3, 21)
_TITLE_LINE = re.compile(r"^[\"“‘'(]?[A-Z][^\n]*(?:[^.!?:;,\s\"”’)—–-]|(?<=\w)[\"”’])$")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready to store (or to report as a duplicate)."""

    draft: Draft
    text: str
    title: str | None
    author: str | None
    outlet: str | None
    published: DateGuess
    genre: Genre
    language: str
    fingerprint: Fingerprint
    # why a date the document gave was not used, and how it is dated instead: said as a problem
    date_problem: str | None = None

    @property
    def where(self) -> str:
        return (
            f"{self.draft.source_path}:{self.draft.locator}"
            if self.draft.locator
            else self.draft.source_path
        )

    def row(self, *, run_id: int, ingested_at: datetime) -> dict[str, Any]:
        """Values for ``documents``."""
        return {
            "content_hash": self.fingerprint.content_hash,
            "source_path": self.draft.source_path,
            "source_locator": self.draft.locator,
            "source_format": self.draft.source_format,
            "url": self.draft.url,
            "title": self.title,
            "outlet": self.outlet,
            "author": self.author,
            "published": self.published.value,
            "published_precision": self.published.precision,
            "published_source": self.published.source,
            "genre": self.genre,
            "language": self.language,
            "text": self.text,
            "n_chars": len(self.text),
            "minhash": self.fingerprint.signature_bytes(),
            "ingest_run_id": run_id,
            "ingested_at": ingested_at,
        }


def prepare(draft: Draft) -> Prepared | InputError:
    """The finished document, or a problem when no article text is left."""
    draft = _without_controls(draft)
    if not draft.text.strip():
        return InputError(draft.source_path, "empty text", draft.locator)
    text, hints = strip_boilerplate(draft.text)
    if not text:
        return InputError(
            draft.source_path, "no article text left after removing boilerplate", draft.locator
        )
    title = _clean_title(draft.title) or (
        title_from_first_line(text) if hints.first_line_alone else None
    )
    published, date_problem = publication_date(draft, text, hints, title=title)
    return Prepared(
        draft=draft,
        text=text,
        title=title,
        author=draft.author or clean_author(hints.byline_author) or clean_author(hints.bio_author),
        outlet=(draft.outlet or hints.outlet or "").strip() or None,
        published=published,
        genre=classify_genre(text, title, has_author_bio=hints.bio_author is not None),
        language=detect_language(text),
        fingerprint=fingerprint(text),
        date_problem=date_problem,
    )


def publication_date(
    draft: Draft, text: str, hints: Hints, *, title: str | None = None
) -> tuple[DateGuess, str | None]:
    """The best date source that gives an answer: metadata, date line, file name, text top
    (below a ``title`` that opens the text: a headline's date is what it tells of, "What
    changed after 24 February 2022"), copyright year; and, when a date the document gave could
    not be used (a date field's value that is no date, a file name's date in the future), why,
    and how it is dated instead.

    The text search runs dateparser and comes last but one, so a cheap source spares its cost.
    """
    if draft.published is not None:
        return draft.published, None
    unused: list[str] = []
    if draft.unusable_date is not None:
        unused.append(
            f"date {draft.unusable_date} is no date the ledger can use (not a date, before 1900 "
            "or in the future)"
        )
    guess = stated_date(hints.date) if hints.date else None
    if guess is None and draft.locator is None:  # a whole file: its name may carry its date
        name = os.path.basename(draft.source_path)
        guess = filename_date(name)
        future = unusable_filename_date(name) if guess is None else None
        if future is not None:
            unused.append(f"the file name's date {future} is in the future")
    top = text[len(title) :] if title and text.startswith(title) else text
    guess = guess or text_date(top) or (year_date(hints.year) if hints.year else None) or NO_DATE
    if not unused:
        return guess, None
    dated = f"dated {guess.value} from its {guess.source}" if guess.value else "stored undated"
    return guess, "; ".join([*unused, dated])


def title_from_first_line(text: str) -> str | None:
    """A short first line standing alone (before a blank line, or before the paragraph a removed
    byline used to separate it from) is the title."""
    first, sep, rest = text.partition("\n")
    if not sep or not rest.strip():
        return None
    if len(first) > _TITLE_MAX_CHARS or len(first.split()) not in _TITLE_WORDS:
        return None
    return first if _TITLE_LINE.match(first) else None


def _without_controls(draft: Draft) -> Draft:
    """The draft without control characters (``decode.without_controls``), whatever format it
    came in: a JSON ``\\u0000`` or ``\\u001b``, a stray byte past a file's start, a terminal's
    colour codes. No PostgreSQL text column holds a NUL, and the rest would break sentences and
    reach terminals and exports."""
    values = (draft.text, draft.title, draft.author, draft.outlet, draft.url)
    clean = tuple(value and without_controls(value) for value in values)
    if clean == values:
        return draft
    text, title, author, outlet, url = clean
    return replace(draft, text=text or "", title=title, author=author, outlet=outlet, url=url)


def _clean_title(title: str | None) -> str | None:
    return " ".join(title.split()) if title and title.strip() else None
