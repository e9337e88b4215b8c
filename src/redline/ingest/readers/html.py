"""HTML pages: trafilatura finds the article text and its title, author, date and site name."""

from __future__ import annotations

from collections.abc import Iterator

import trafilatura
from lxml.html import HtmlElement

from redline import GENERATOR
from redline.errors import InputError
from redline.ingest.authors import clean_author
from redline.ingest.dates import metadata_date
from redline.ingest.draft import Draft
from redline.ingest.html_text import parse_html
from redline.ingest.readers.source import Source

# trafilatura's cost grows with the tree; a page of news has a few thousand elements.
MAX_ELEMENTS = 200_000
# Below this, what trafilatura's fallback found is navigation ("Home"), not an article.
MIN_WORDS = 5


def _by_redline(tree: HtmlElement) -> bool:
    """Does the page name Redline as its generator (the report's ``<meta name="generator">``)?"""
    named = tree.xpath("//meta[@name='generator']/@content")
    return any(str(n).strip().split(" ")[0] == GENERATOR for n in named)


def read(source: Source) -> Iterator[Draft | InputError]:
    try:
        tree = parse_html(source.text)
    except ValueError as exc:
        yield InputError(source.key, str(exc))
        return
    if _by_redline(tree):
        # written into the corpus folder by `redline report -o` (or `run -o`), it was read as an
        # article on the next ingest: the ledger's threats, quoted, stored again under today
        yield InputError(
            source.key,
            "a report Redline wrote (redline report), not an article: not ingested",
        )
        return
    n_elements = sum(1 for _ in tree.iter())
    if n_elements > MAX_ELEMENTS:
        yield InputError(
            source.key, f"HTML has {n_elements} elements, above the limit of {MAX_ELEMENTS}"
        )
        return
    try:
        doc = trafilatura.bare_extraction(
            tree, with_metadata=True, include_comments=False, include_tables=False
        )
    except (RecursionError, MemoryError) as exc:
        yield InputError(source.key, f"HTML too complex to extract ({exc.__class__.__name__})")
        return
    except Exception as exc:  # trafilatura and lxml raise many types on malformed pages
        yield InputError(source.key, f"trafilatura failed: {exc.__class__.__name__}: {exc}")
        return
    if doc is None or isinstance(doc, dict) or len((doc.text or "").split()) < MIN_WORDS:
        yield InputError(source.key, "no article text found in the HTML page")
        return
    body = doc.text or ""
    yield Draft(
        source_path=source.key,
        source_format="html",
        # trafilatura puts one block per line; the ledger separates paragraphs by a blank line
        text="\n\n".join(line for line in body.split("\n") if line.strip()),
        title=doc.title or None,
        author=clean_author(doc.author),
        outlet=doc.sitename or None,
        url=doc.url or None,
        published=metadata_date(doc.date),
    )
