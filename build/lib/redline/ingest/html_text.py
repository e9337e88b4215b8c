"""Plain text from HTML fragments in record fields and feed entries (full pages go through trafilatura)."""

from __future__ import annotations

import html
import re

import lxml.etree
import lxml.html

_LOOKS_LIKE_HTML = re.compile(
    r"<(?:p|div|br|span|a|b|i|em|strong|h[1-6]|li|ul|ol|blockquote|article|section|figure|img|table|html|body)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCK_TAGS = """p div h1 h2 h3 h4 h5 h6 li blockquote article section header footer figure
    figcaption table tr ul ol pre dd dt"""
_BLOCKS = frozenset(_BLOCK_TAGS.split())
_DROP = ("script", "style", "noscript", "iframe", "form", "nav", "aside")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_RUNS = re.compile(r"\n\s*\n\s*")


class HtmlTooDeep(ValueError):
    """The markup nests deeper than the HTML parser accepts (a malformed or hostile file)."""


def looks_like_html(value: str) -> bool:
    return _LOOKS_LIKE_HTML.search(value) is not None


def parse_html(markup: str) -> lxml.html.HtmlElement:
    """Parse with lxml, refusing markup nested deeper than libxml2's limit instead of truncating it."""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.fromstring(markup, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ValueError(f"cannot parse HTML: {exc}") from exc
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        raise HtmlTooDeep("HTML nested too deeply (more than 255 levels); refused")
    return root


def html_to_text(value: str) -> str:
    """Text of an HTML fragment, one paragraph per block element; plain text only has entities decoded."""
    if not looks_like_html(value):
        return html.unescape(value).strip()
    root = parse_html(f"<div>{value}</div>")
    for element in list(root.iter(*_DROP)):
        element.drop_tree()
    for element in root.iter():
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    text = root.text_content()
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
