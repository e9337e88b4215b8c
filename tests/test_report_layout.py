"""The report on a phone and its charts: verdicts first at 400 px, tables that scroll instead of
clipping, chart labels never cut, and every chart mark a link to its episode with a tooltip."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from redline.link import link
from redline.report import charts, write_report
from redline.report.context import episode_anchors
from redline.store import Ledger
from redline.vocab import ItemKind
from test_link_factories import Builder, seeds_ledger
from test_report import _chromium

AS_OF = date(2024, 9, 30)
STORM_SHADOW = "Long-range cruise missiles for Ukraine (Storm Shadow, SCALP, Taurus)"
TREATY_ALLY = "Armed attack on a treaty ally (Japan, South Korea, the Philippines, Australia)"
ARTICLE = "ARTICLE-TEXT-MARKER"  # stands for untrusted article text: it must stay out of charts


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The seed articles plus episodes with the longest trigger labels there are."""
    folder = tmp_path_factory.mktemp("layout")
    ledger = Ledger.open(f"sqlite:///{folder / 'ledger.db'}")
    b = seeds_ledger(ledger)
    doc = b.doc("2024-06-01", title=f"{ARTICLE} title", outlet=f"{ARTICLE} outlet")
    quote = f"{ARTICLE}: <b>quoted</b> words"
    b.threat(doc, "RUS", "long_range_missiles_delivery", stated="2023-05-01", quote=quote)
    b.crossing(doc, "GBR", "long_range_missiles_delivery", "2023-05-11", quote=quote)
    b.response(doc, "RUS", "long_range_missiles_delivery", "military_force", "2023-05-20")
    b.threat(doc, "USA", "attack_on_allies", stated="2024-02-01", quote=quote)
    link(ledger, as_of=AS_OF)
    path = write_report(ledger, folder / "report.html", as_of=AS_OF)
    ledger.dispose()
    return path, path.read_text(encoding="utf-8")


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, re.S)


def _texts(svg: str) -> list[str]:
    """Each <text> of an SVG as read: a multi-line label's lines joined by spaces."""
    return [
        " ".join(html.unescape(t) for t in re.findall(r">([^<>]+)<", f">{inner}<"))
        for inner in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)
    ]


# ------------------------------------------------------------------------- 1. mobile layout


def test_verdicts_come_before_folded_contents(report: tuple[Path, str]) -> None:
    _, page = report
    nav = page.index('<nav class="toc')
    details, verdicts = page.index("<details>", nav), page.index('id="verdicts"')
    assert details < page.index("</nav>", nav)  # the contents are folded away ...
    assert verdicts < page.index('id="credibility"')  # ... and the verdicts open the report
    listed = re.findall(
        r'<li><span class="status s-(\w+)">[^<]+</span> <a href="#(episode-[\w-]+)">',
        page[verdicts : page.index("</ol>", verdicts)],
    )
    anchors = re.findall(r'<article class="episode s-(\w+)" id="(episode-[\w-]+)"', page)
    assert len(listed) == len(anchors) == 8 and sorted(listed) == sorted(anchors)


def test_tables_scroll_in_their_box_on_narrow_screens(report: tuple[Path, str]) -> None:
    _, page = report
    assert (
        page.count("<table>")
        == len(re.findall(r'<div class="table-scroll"[^>]*>\n  <table>', page))
        >= 2
    )
    narrow = re.search(r"@media \(max-width: (\d+)px\) \{(.*?)\n\}", page, re.S)
    assert narrow and int(narrow.group(1)) >= 400, "no rules for narrow screens"
    rules = narrow.group(2)
    assert "nav.toc ol { columns: 1; }" in rules and "ol.verdicts" in rules
    assert re.search(r"\.table-scroll table \{ width: max-content", rules)
    assert ".table-scroll { overflow-x: auto;" in page


def test_a_screen_reader_can_jump_past_the_header_to_the_findings(
    report: tuple[Path, str],
) -> None:
    """The report had a banner, a navigation and a footer landmark but no main one: a screen
    reader's "next landmark" went from the contents to the footer's method note, past every
    finding. The sections from the summary to the sources are its <main>."""
    _, page = report
    assert page.count("<main>") == page.count("</main>") == 1
    main = page[page.index("<main>") : page.index("</main>")]
    for section in ("summary", "verdicts", "credibility", "timelines", "episodes", "sources"):
        assert f'id="{section}"' in main, section
    assert page.index('<nav class="toc') < page.index("<main>")
    assert page.index("</main>") < page.index('<footer id="method">')


def test_each_table_row_is_headed_by_what_it_is_about(report: tuple[Path, str]) -> None:
    """A screen reader moving along a row of figures names each cell by its column and row
    headers; the actor (or the measure) opening each row was a plain cell, so "0.33" in the
    follow-through table came with "Estimate" and no actor. Each row's first cell is its
    header (the line of evidence under an actor's figures goes with that actor's row)."""
    _, page = report
    tables = re.findall(r"<table\b.*?</table>", page, re.S)
    assert len(tables) >= 3  # actors by status, follow-through, measured accuracy
    for table in tables:
        body = table[table.index("<tbody>") :]
        rows = re.findall(r"<tr\b([^>]*)>\s*(<t[dh][^>]*>)", body)
        assert rows and all(
            first.startswith('<th scope="row"') for attrs, first in rows if "evidence" not in attrs
        ), table[:600]


def test_a_table_that_scrolls_can_be_scrolled_from_the_keyboard(
    report: tuple[Path, str],
) -> None:
    """On a narrow screen, or a desktop zoomed to 200%, a table scrolls sideways inside its
    box; a box holding no link took no keyboard focus, so a reader without a mouse could not
    reach its last columns (the interval, "if the left-out failed / held") in a browser that
    does not focus scroll boxes itself. Each box takes focus, as a named region."""
    _, page = report
    boxes = re.findall(r'<div class="table-scroll"([^>]*)>', page)
    assert len(boxes) >= 3
    for attrs in boxes:
        assert 'tabindex="0"' in attrs and 'role="region"' in attrs, attrs
        assert re.search(r'aria-label="[^"]+"', attrs), attrs
    names = re.findall(r'<div class="table-scroll"[^>]*aria-label="([^"]+)"', page)
    assert len(set(names)) == len(boxes)  # each region named for its own table


def test_a_chart_that_scrolls_can_be_scrolled_from_the_keyboard(
    report: tuple[Path, str],
) -> None:
    """On a narrow screen a chart keeps a readable width and scrolls sideways in its figure;
    its marks are no tab stops, so the figure held nothing the keyboard could reach to
    scroll it by. Each chart's figure takes focus, one stop a chart, named for its chart."""
    _, page = report
    figures = re.findall(r'<figure class="chart"([^>]*)>', page)
    assert len(figures) == len(_svgs(page)) >= 3
    for attrs in figures:
        assert 'tabindex="0"' in attrs and re.search(r'aria-label="[^"]+"', attrs), attrs


_FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8">
<style>body {{ margin: 0 }} iframe {{ border: 0; display: block }}</style></head><body>
<iframe id="phone" width="{width}" height="800" srcdoc="{report}"></iframe>
<script>
document.getElementById("phone").addEventListener("load", (event) => {{
  const win = event.target.contentWindow, doc = event.target.contentDocument;
{probe}
}});
</script></body></html>"""

# what a layout probe measures: the page's width, boxes, tables and where given texts are drawn
_LAYOUT = """
  const box = (selector) => {{
    const el = doc.querySelector(selector);
    return el && el.getBoundingClientRect().toJSON();
  }};
  const tables = [...doc.querySelectorAll("table")].map((t) => ({{
    overflow: win.getComputedStyle(t.parentElement).overflowX,
    width: t.getBoundingClientRect().width,
    reachable: t.parentElement.scrollWidth,
    box: t.parentElement.clientWidth,
    tallest: Math.max(...[...t.querySelectorAll("tbody tr")].map(
      (r) => r.getBoundingClientRect().height)),
  }}));
  // where each asked text is drawn: the left edge of its first occurrence under a selector
  const where = {{}};
  for (const [selector, text] of {texts}) {{
    const walker = doc.createTreeWalker(doc.querySelector(selector), NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {{
      const at = walker.currentNode.data.indexOf(text);
      if (at < 0) continue;
      const range = doc.createRange();
      range.setStart(walker.currentNode, at);
      range.setEnd(walker.currentNode, at + text.length);
      where[`${{selector}} ${{text}}`] = range.getBoundingClientRect().left;
      break;
    }}
  }}
  document.body.dataset.layout = JSON.stringify({{
    width: win.innerWidth, height: win.innerHeight, page: doc.documentElement.scrollWidth,
    cards: box(".cards"), verdict: box("#verdicts li"), toc: box("nav.toc"), tables,
    status: box("#verdicts .status"), badge: box("#verdicts .badge"), where,
  }});"""


def _in_frame(page: str, probe: str, chromium_binary: str, tmp_path: Path, width: int = 400) -> Any:
    """What the JavaScript ``probe`` left in ``document.body.dataset.layout`` (JSON), run once
    ``page`` is drawn by Chromium in a ``width`` x 800 frame (``doc``, ``win``: the frame's)."""
    frame = tmp_path / "phone.html"
    frame.write_text(
        _FRAME.format(report=html.escape(page, quote=True), width=width, probe=probe),
        encoding="utf-8",
    )
    args = ("--virtual-time-budget=5000", "--dump-dom", frame.as_uri())
    dom = _chromium(chromium_binary, tmp_path / "profile", *args).stdout
    found = re.search(r'data-layout="([^"]*)"', dom)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found.group(1)))


def _layout_in_frame(
    page: str,
    chromium_binary: str,
    tmp_path: Path,
    width: int = 400,
    texts: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    """What the layout probe measured of ``page`` drawn in its ``width`` x 800 frame by
    Chromium; ``texts``: (selector, text) pairs whose left edges it gives as
    ``where["selector text"]``."""
    probe = _LAYOUT.format(texts=json.dumps(texts))
    layout: dict[str, Any] = _in_frame(page, probe, chromium_binary, tmp_path, width)
    return layout


@pytest.mark.chromium
def test_a_400px_screen_opens_on_the_verdicts(
    report: tuple[Path, str], chromium_binary: str, tmp_path: Path
) -> None:
    """In a 400 x 800 frame: status cards and the first episode's verdict on the first screen,
    the contents folded, no table wider than the page (each scrolls in its own box)."""
    _, page = report
    layout = _layout_in_frame(page, chromium_binary, tmp_path)
    assert (layout["width"], layout["height"]) == (400, 800)
    assert layout["toc"]["height"] < 60
    assert layout["cards"]["bottom"] <= 800 and layout["verdict"]["bottom"] <= 800
    assert layout["page"] <= 400  # nothing widens the page: no clipped or hidden columns
    assert layout["tables"] and all(
        t["overflow"] in ("auto", "scroll") and t["reachable"] >= t["width"] - 1
        for t in layout["tables"]
    )


# ------------------------------------------------------------------ 2. labels are never cut


def test_long_episode_labels_are_drawn_whole() -> None:
    label = "Storm Shadow missiles for Ukraine, and every other long-range weapon"
    assert len(label) > 40
    mark = charts.TimelineMark(
        label, ItemKind.THREAT, date(2023, 5, 1), False, "#episode-RUS-long", label
    )
    svg = charts.timeline_chart([mark], [], AS_OF)
    assert label in _texts(svg)
    assert "…" not in svg and "..." not in svg


def test_a_big_timeline_is_drawn_without_altair_checking_each_row_or_every_digit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ledger of 3,000 episodes took minutes to report, much of it Altair checking and
    copying each of the chart's rows, and its charts wrote every coordinate with all its digits
    ("164.15143017616293"). The rows go into the spec after Altair has checked it (as named
    datasets), and a coordinate keeps two decimals."""
    drawn: list[dict[str, Any]] = []
    draw = charts.vl_convert.vegalite_to_svg
    monkeypatch.setattr(
        charts.vl_convert, "vegalite_to_svg", lambda spec: drawn.append(spec) or draw(spec)
    )
    marks = [
        charts.TimelineMark(f"line {n}", ItemKind.THREAT, date(2023, 1, 1 + n), False, "#e", "t")
        for n in range(7)
    ]
    svg = charts.timeline_chart(marks, [], AS_OF)
    (spec,) = drawn
    assert [m["episode"] for m in spec["datasets"]["marks"]] == [f"line {n}" for n in range(7)]
    assert '"values"' not in json.dumps(spec["layer"])  # no row went through Altair
    coordinates = re.findall(r' (?:d|transform|x|y|x2|y2)="([^"]*)"', svg)
    assert coordinates and not [c for c in coordinates if re.search(r"\.\d{3}", c)]


def test_a_later_crossing_is_drawn_on_the_timeline_without_a_link_of_its_own() -> None:
    """A crossing of a line many actors drew was a linked mark, described twice (tooltip and
    screen reader), on the row of each of their episodes: most of the bytes of a big report.
    A later crossing (the episode's story tells it) is drawn for the eye only."""
    kw = {"approximate": False, "href": "#episode-RUS-x", "tip": "the crossing"}
    first = charts.TimelineMark("line", ItemKind.CROSSING, date(2023, 5, 1), **kw)
    later = charts.TimelineMark(
        "line", ItemKind.CROSSING, date(2023, 8, 1), **kw | {"tip": "later"}, described=False
    )
    alone = charts.timeline_chart([first], [], AS_OF)
    both = charts.timeline_chart([first, later], [], AS_OF)
    assert both.count("<title>") == alone.count("<title>") == 1 and "later" not in both
    assert both.count("<path ") == alone.count("<path ") + 1  # drawn all the same


def test_report_timelines_show_every_label_whole(report: tuple[Path, str]) -> None:
    _, page = report
    texts = [t for svg in _svgs(page) for t in _texts(svg)]
    assert STORM_SHADOW in texts and TREATY_ALLY in texts
    assert "F-16 fighter jets for Ukraine" in texts
    assert not any("…" in svg for svg in _svgs(page))


# --------------------------------------------------------------- 3. marks link and explain


def test_every_chart_mark_links_to_its_episode_with_a_tooltip(report: tuple[Path, str]) -> None:
    _, page = report
    ids = set(re.findall(r'<article class="episode [^"]*" id="([^"]+)"', page))
    svgs = _svgs(page)
    status, credibility, *timelines = svgs
    for svg in svgs:
        links = re.findall(r'<a xlink:href="#([^"]+)"[^>]*><title>([^<]+)</title>', svg)
        assert links, "a chart without links"
        assert len(links) == svg.count("<a ")  # every linked mark carries its tooltip
        assert {anchor for anchor, _ in links} <= ids
    linked = set(re.findall(r'<a xlink:href="#([^"]+)"', status))
    assert linked == ids  # one segment per episode
    tips = re.findall(r"<title>([^<]+)</title>", "".join(timelines))
    assert any(t.startswith(f"RUS: {STORM_SHADOW} — ") for t in tips)
    assert re.findall(r'<a xlink:href="#(episode-RUS-[\w-]+)"', credibility)
    assert not re.search(r'xlink:href="(?!#episode-)', "".join(svgs))  # no other link at all


def test_the_status_chart_names_each_status_as_the_report_does(
    report: tuple[Path, str],
) -> None:
    """The status chart's legend said "crossed enforced", "crossed unenforced" beside cards,
    verdicts and tooltips saying "enforced", "unenforced", and read its statuses to a screen
    reader as identifiers ("crossed_partially_enforced"): it names them as the report does."""
    from redline.vocab import STATUS_ORDER

    _, page = report
    status = _svgs(page)[0]
    labels = [s.label for s in STATUS_ORDER]
    assert [t for t in _texts(status) if t in labels] == labels  # the legend, in order
    assert not [t for t in _texts(status) if t.startswith("crossed")]
    legend = re.search(r'aria-label="(Symbol legend[^"]*)"', status)
    assert legend and html.unescape(legend.group(1)).endswith(": " + ", ".join(labels)), legend


def test_the_keyboard_goes_from_the_verdicts_to_the_findings_not_through_every_mark(
    report: tuple[Path, str],
) -> None:
    """Every chart mark is a link, and each was a tab stop: 143 of them in the demo report
    (a segment, a bar and a mark per item, per episode), tens of thousands in a ledger of
    thousands of episodes, between the verdict list and the rest of the page. The marks
    keep their links for the pointer and a screen reader; the keyboard reaches each
    episode from the verdict list, once."""
    _, page = report
    marks = re.findall(r"<a [^>]*>", "".join(_svgs(page)))
    assert marks and all('tabindex="-1"' in a for a in marks), marks[:3]
    verdicts = page[page.index('id="verdicts"') : page.index("</ol>", page.index('id="verdicts"'))]
    anchors = re.findall(r'<article class="episode [^"]*" id="([^"]+)"', page)
    assert sorted(re.findall(r'<a href="#([^"]+)"', verdicts)) == sorted(anchors)


def test_a_screen_reader_hears_the_follow_through_as_the_page_shows_it(
    report: tuple[Path, str],
) -> None:
    """The credibility chart's band, interval rules and line described each point to a screen
    reader in raw floats ("crossing date: Jan 2023; lower: 0.0253205655191; upper:
    0.77639320225"), three times over, beside the point's own description with the figures as
    the table and `redline credibility` give them ("estimate 0.33, 90% interval 0.03–0.78")."""
    _, page = report
    credibility = _svgs(page)[1]
    described = [html.unescape(a) for a in re.findall(r'aria-label="([^"]*)"', credibility)]
    assert any(
        re.search(r"estimate \d\.\d\d, 90% interval \d\.\d\d–\d\.\d\d", a) for a in described
    )
    assert not [a for a in described if re.search(r"\d\.\d{3,}", a)], described


def test_article_text_stays_out_of_the_charts(report: tuple[Path, str]) -> None:
    _, page = report
    assert ARTICLE in page  # quoted, titled and escaped in the episode and its source
    assert not any(ARTICLE in svg for svg in _svgs(page))


def test_episode_anchors_are_safe_stable_and_distinct() -> None:
    keys = ["RUS:f16_delivery", "RUS:a.b", "RUS:a-b", 'X:"><script>', "::"]
    anchors = episode_anchors(keys)
    assert anchors["RUS:f16_delivery"] == "episode-RUS-f16_delivery"
    assert anchors["RUS:a.b"] == "episode-RUS-a-b" and anchors["RUS:a-b"] == "episode-RUS-a-b-2"
    assert len(set(anchors.values())) == len(keys)
    assert all(re.fullmatch(r"episode-[A-Za-z0-9_-]+", a) for a in anchors.values())
    assert episode_anchors(keys[:1]) == {keys[0]: anchors[keys[0]]}


@pytest.mark.chromium
def test_a_word_longer_than_the_screen_does_not_widen_the_page(
    tmp_path: Path, chromium_binary: str
) -> None:
    """Article text with no place to break (a pasted URL, a run of letters) in a quote, a
    title, an outlet, a speaker's name and a link: it widened the page to its own width
    (a 3,000-letter word, about 30,000 px), so every screen scrolled sideways."""
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    b = seeds_ledger(ledger)
    word = "W" * 3000
    doc = b.doc("2024-06-01", title=word, outlet=word, url="https://example.org/" + "x" * 2000)
    b.threat(doc, "RUS", "f16_delivery", stated="2024-05-01", quote=word, speaker=word)
    link(ledger, as_of=AS_OF)
    page = write_report(ledger, tmp_path / "report.html", as_of=AS_OF).read_text("utf-8")
    ledger.dispose()
    layout = _layout_in_frame(page, chromium_binary, tmp_path)
    assert layout["width"] == 400
    assert layout["page"] <= 400, layout["page"]


@pytest.mark.chromium
def test_on_a_desktop_the_follow_through_fits_the_page_in_short_rows(
    tmp_path: Path, chromium_binary: str
) -> None:
    """In a 1,400 px frame the follow-through table fits its box: its evidence, an eleventh
    column, made it wider than the page (the last columns behind a scroll bar) and, squeezed
    to a word a line, every row ten lines tall; a verdict's "set by an analyst" badge folded
    onto three lines beside its status."""
    from redline.link import list_episodes
    from redline.review import review

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    b = seeds_ledger(ledger)
    doc = b.doc("2024-06-01")
    b.threat(doc, "RUS", "long_range_missiles_delivery", stated="2023-05-01")
    b.crossing(doc, "GBR", "long_range_missiles_delivery", "2023-05-11")
    b.response(doc, "RUS", "long_range_missiles_delivery", "military_force", "2023-05-20")
    b.threat(doc, "USA", "aid_to_russia", stated="2023-01-01")  # crossed, no response found
    b.crossing(doc, "IRN", "aid_to_russia", "2023-03-01")
    link(ledger, as_of=AS_OF)
    held = [e.key for e in list_episodes(ledger, as_of=AS_OF) if e.status == "open"]
    review(ledger, "episode", held[0], "withdraw", effective="2024-09-01")
    page = write_report(ledger, tmp_path / "report.html", as_of=AS_OF).read_text("utf-8")
    ledger.dispose()
    assert "left out)</span>" in page  # the figures had every crossed line it left out
    layout = _layout_in_frame(page, chromium_binary, tmp_path, width=1400)
    follow = layout["tables"][1]
    assert follow["width"] <= follow["box"] + 1, follow
    assert follow["tallest"] < 90, follow
    assert layout["badge"]["height"] <= 1.5 * layout["status"]["height"], layout


@pytest.mark.chromium
def test_right_to_left_article_text_keeps_each_citation_in_order(
    sqlite_ledger: Ledger, tmp_path: Path, chromium_binary: str
) -> None:
    """An outlet, author or title in Arabic or Hebrew took its neighbours into its own
    direction: a source's line "OUTLET · AUTHOR · 2024-03-01 · document 1" was drawn as
    "01-03-2024 · AUTHOR · OUTLET · document 1" (the date reversed and first) and a story's
    citation "— TITLE, OUTLET" with the outlet first. Each piece of article text is isolated."""
    import sqlalchemy as sa

    from redline.store.schema import documents

    outlet, author, title, speaker = "صحيفة المساء", "كاتبة العمود", "رسالة تحذير", "דוברת הממשלה"
    b = Builder(sqlite_ledger)
    doc = b.doc("2024-03-01", outlet=outlet, title=title)
    with sqlite_ledger.begin() as conn:
        conn.execute(sa.update(documents).where(documents.c.id == doc).values(author=author))
    b.threat(doc, "RUS", "f16_delivery", stated="2024-02-01", speaker=speaker)
    link(sqlite_ledger, as_of=AS_OF)
    page = write_report(sqlite_ledger, tmp_path / "r.html", as_of=AS_OF).read_text("utf-8")
    source, story = "article.source .cite", "ol.story .cite"
    in_order = [outlet, author, "2024", "-01 ", "document"]  # the date's year before its day
    texts = (*((source, t) for t in in_order), (story, title), (story, outlet))
    where = _layout_in_frame(page, chromium_binary, tmp_path, width=900, texts=texts)["where"]
    left = [where[f"{source} {t}"] for t in in_order]
    assert left == sorted(left), where
    assert where[f"{story} {title}"] < where[f"{story} {outlet}"], where
    for text in (outlet, author, title, speaker):  # the speaker of a threat too
        assert f"<bdi>{text}</bdi>" in page, text


@pytest.mark.chromium
def test_a_right_to_left_quote_reads_in_its_own_direction(
    sqlite_ledger: Ledger, tmp_path: Path, chromium_binary: str
) -> None:
    """A quote wholly in Hebrew or Arabic was laid out left to right, as the page is: its full
    stop was drawn at the right end, after its first word, where a reader of the language
    looks for the sentence to begin. A quote takes its direction from its own text."""
    quote = "אם הגשר ייפגע, התשובה תהיה קשה."
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-03-01"), "RUS", "f16_delivery", stated="2024-02-01", quote=quote)
    link(sqlite_ledger, as_of=AS_OF)
    page = write_report(sqlite_ledger, tmp_path / "r.html", as_of=AS_OF).read_text("utf-8")
    texts = (("ol.story blockquote", "אם"), ("ol.story blockquote", "."))
    where = _layout_in_frame(page, chromium_binary, tmp_path, width=900, texts=texts)["where"]
    assert where["ol.story blockquote ."] < where["ol.story blockquote אם"], where


# the WCAG contrast of every text outside the charts against the background it is drawn on
_CONTRAST = """
  const rgb = (css) => css.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const colour = rgb(win.getComputedStyle(el).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  const low = [];
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement, text = walker.currentNode.data.trim();
    if (!text || el.closest("svg") || !el.getClientRects().length) continue;
    const style = win.getComputedStyle(el);
    const [a, b] = [luminance(rgb(style.color)), luminance(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;  // large text needs 3:1
    if (ratio < need) low.push({text: text.slice(0, 40), ratio: ratio.toFixed(2), need});
  }
  document.body.dataset.layout = JSON.stringify(low);"""


@pytest.mark.chromium
def test_every_text_reads_at_aa_contrast(tmp_path: Path, chromium_binary: str) -> None:
    """A reader with low vision reads every status: white on the amber of "partially
    enforced" was 3.6:1, under the 4.5:1 WCAG AA asks of text this small (the pill is 12.8 px),
    in the verdict list and on every such episode. Every text outside the charts, each status
    among them, is checked against the background it is drawn on."""
    from redline.link import list_episodes
    from redline.review import review

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    b = seeds_ledger(ledger)  # open and unenforced lines
    doc = b.doc("2024-06-01")
    threat = {"stated": "2023-01-01", "consequence": "military_force"}
    b.threat(doc, "RUS", "long_range_missiles_delivery", **threat)
    b.crossing(doc, "GBR", "long_range_missiles_delivery", "2023-05-11")
    b.response(doc, "RUS", "long_range_missiles_delivery", "military_force", "2023-05-20")
    b.threat(doc, "USA", "aid_to_russia", **threat)  # answered by a weaker harm: partial
    b.crossing(doc, "IRN", "aid_to_russia", "2023-03-01")
    b.response(doc, "USA", "aid_to_russia", "sanctions_or_economic", "2023-03-20")
    b.threat(doc, "GBR", "invasion_of_ukraine", **threat)  # crossed, nothing said after
    b.crossing(doc, "RUS", "invasion_of_ukraine", "2024-02-24")
    b.threat(doc, "CHN", "taiwan_official_visit", **threat)
    link(ledger, as_of=AS_OF)
    review(ledger, "episode", "CHN:taiwan_official_visit", "withdraw", effective="2024-09-01")
    statuses = {e.status for e in list_episodes(ledger, as_of=AS_OF)}
    page = write_report(ledger, tmp_path / "report.html", as_of=AS_OF).read_text("utf-8")
    ledger.dispose()
    assert statuses == set(charts.STATUS_COLOURS)  # a pill of every colour is drawn
    assert _in_frame(page, _CONTRAST, chromium_binary, tmp_path, width=1000) == []


A4_WIDTH = 718  # CSS px an A4 page prints in, between Chromium's default 1 cm margins

# the report laid out as on paper: its print rules applied on screen, and no scroll bar; then
# where each table ends and how much of it its box hides
_ON_PAPER = """
  const rules = [];
  for (const sheet of doc.styleSheets)
    for (const rule of sheet.cssRules)
      if (rule instanceof win.CSSMediaRule && rule.media.mediaText === "print")
        rules.push(...[...rule.cssRules].map((inner) => inner.cssText));
  const paper = doc.createElement("style");
  paper.textContent = "html { overflow: hidden; }\\n" + rules.join("\\n");
  doc.head.append(paper);
  const tables = [...doc.querySelectorAll("table")].map((t) => ({
    right: t.getBoundingClientRect().right,
    hidden: t.parentElement.scrollWidth - t.parentElement.clientWidth,
    head: t.querySelector("thead").textContent.replace(/\\s+/g, " ").trim(),
  }));
  // what of the page's folded boxes is drawn on paper folded (its summary and nothing under it),
  // and how much each story of a status draws under its summary
  const under = (d) => d.getBoundingClientRect().height - d.querySelector("summary").offsetHeight;
  const folded = [...doc.querySelectorAll("details")].filter(
    (d) => d.getClientRects().length && under(d) < 1);
  document.body.dataset.layout = JSON.stringify({
    tables, folded: folded.map((d) => d.querySelector("summary").textContent.trim()),
    told: [...doc.querySelectorAll("details.how")].map(under),
  });"""


@pytest.mark.chromium
def test_a_printed_report_keeps_every_column(
    report: tuple[Path, str], chromium_binary: str, tmp_path: Path
) -> None:
    """On an A4 page the follow-through table (its ten headers in spaced capitals) was wider
    than the page and, scrolled in its box as on a screen, printed clipped: the interval and
    "if the left-out failed / held" columns were not on paper, nor the status table's last
    ones. Printed, a table's box does not clip it and its headers are set compactly to fit."""
    _, page = report
    tables = _in_frame(page, _ON_PAPER, chromium_binary, tmp_path, width=A4_WIDTH)["tables"]
    assert len(tables) >= 3
    for table in tables:
        assert table["hidden"] <= 1 and table["right"] <= A4_WIDTH + 1, table


@pytest.mark.chromium
def test_a_printed_report_has_nothing_folded_on_paper(
    report: tuple[Path, str], chromium_binary: str, tmp_path: Path
) -> None:
    """Printed, the contents were a folded box, "▸ Contents" and nothing under it, at the top
    of the first page: a box paper cannot open (each story of a status is printed open
    already). On paper the contents are left out; nothing folded is printed."""
    _, page = report
    assert _in_frame(page, _ON_PAPER, chromium_binary, tmp_path, width=A4_WIDTH)["folded"] == []


@pytest.mark.chromium
def test_each_story_of_a_status_is_written_once_and_printed_open(
    report: tuple[Path, str], chromium_binary: str, tmp_path: Path
) -> None:
    """Each story of a status was written twice, a folded copy for the screen and an open one
    for paper: a tenth of the bytes of a report of 3,000 episodes. It is written once, folded
    on screen, and drawn open on paper."""
    _, page = report
    stories = page.count('<details class="how">')
    assert stories == page.count("How the status was decided") == page.count('class="episode ')
    told = _in_frame(page, _ON_PAPER, chromium_binary, tmp_path, width=A4_WIDTH)["told"]
    assert len(told) == stories and min(told) > 10, told
