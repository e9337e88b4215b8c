"""The HTML report: self-contained, escaped, honest about opinion pieces, and rendered by Chromium."""

from __future__ import annotations

import html
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.link import link
from redline.report import write_report
from redline.store import Ledger
from test_link_factories import Builder, seeds_ledger

AS_OF = date(2024, 9, 30)
XSS = '<script>alert(1)</script> and "onerror=alert(2) <img src=x onerror=alert(3)>'


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The seed articles plus a hostile article, rendered once for the whole module."""
    folder = tmp_path_factory.mktemp("report")
    ledger = Ledger.open(f"sqlite:///{folder / 'ledger.db'}")
    b = seeds_ledger(ledger)
    hostile = b.doc(
        "2024-03-01",
        outlet='Evil <b>Outlet</b>"',
        title="</title><script>alert('title')</script>",
        url="javascript:alert(4)",
    )
    b.threat(hostile, "CHN", "taiwan_official_visit", stated="2024-02-01", quote=XSS)
    b.crossing(hostile, "USA", "taiwan_official_visit", "2024-02-20")
    b.response(hostile, "CHN", "taiwan_official_visit", "military_deployment", "2024-02-25")
    news = b.doc("2024-03-02", outlet="Wire", url="https://example.org/wire?a=1&b=2")
    b.threat(news, "CHN", "taiwan_official_visit", stated="2024-02-02")
    link(ledger, as_of=AS_OF)
    path = write_report(ledger, folder / "report.html", as_of=AS_OF, prior="sechser")
    ledger.dispose()
    return path, path.read_text(encoding="utf-8")


def test_article_text_is_escaped(report: tuple[Path, str]) -> None:
    _, html = report
    assert "<script" not in html  # no script at all: not ours, not the article's
    assert '"onerror=' not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;onerror=alert(2)" in html
    assert "Evil &lt;b&gt;Outlet&lt;/b&gt;&#34;" in html
    assert "javascript:" not in html  # unsafe links are dropped, safe ones kept
    assert 'href="https://example.org/wire?a=1&amp;b=2"' in html
    # a right-to-left override in article text stays inside its own box
    assert re.search(r"blockquote, td, li[^{]*\{ unicode-bidi: isolate; \}", html)


def test_a_bidirectional_override_in_a_title_or_outlet_does_not_reach_the_report(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A right-to-left override in a title (a link in a citation line) or an outlet reversed
    the outlet, author and date printed after it in the same line: the CSS isolates quotes,
    cells and headings, not a citation's parts. The report drops such overrides and control
    characters from every text it shows, as the terminal does."""
    b = Builder(sqlite_ledger)
    doc = b.doc("2023-01-30", title="Tanks \u202egnp.exe", outlet="Tab\u2067bed\x1b[31m Post")
    b.threat(doc, "RUS", "f16_delivery", stated="2023-01-29")
    link(sqlite_ledger, as_of=AS_OF)
    html = write_report(sqlite_ledger, tmp_path / "r.html", as_of=AS_OF).read_text("utf-8")
    assert "Tanks gnp.exe" in html and "Tabbed Post" in html
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x1b]", html)
    assert "<svg" in html  # the charts are not escaped


def test_report_is_self_contained(report: tuple[Path, str]) -> None:
    _, html = report
    assert not re.search(r"""<(link|script|img|iframe)\b""", html)
    assert not re.search(
        r"""(src|href)=["']?(https?:)?//""", html.replace('href="https://example.org', "")
    )
    assert "@import" not in html and "url(" not in html
    assert html.count("<svg") >= 4  # status, credibility, and one timeline per actor (2)


def test_report_states_opinion_reliance_and_prior(report: tuple[Path, str]) -> None:
    _, html = report
    assert (
        "Every episode of RUS rests on opinion pieces only (2 documents, both opinion pieces)."
        in html
    )
    assert "Evidence comes only from opinion pieces." in html
    assert "Prior: Compellent-threat base rate, Beta(3, 7)" in html
    assert "Sechser" in html and "doi:10.1177/0738894211413066" in html


def test_the_estimate_note_defines_follow_through_by_the_kind_threatened(
    report: tuple[Path, str],
) -> None:
    """The note under the follow-through table said the estimate is of answering a crossing "as
    strongly as it threatened", the rule the twentieth pass replaced: a response of a kind the
    threats named enforces a line, one of another kind, stronger or not, is partial."""
    _, html = report
    text = " ".join(html.split())
    assert "as strongly as it threatened" not in text
    assert "answers a crossed red line with the kind of harm it threatened" in text


def test_every_episode_and_source_has_an_anchor(report: tuple[Path, str]) -> None:
    _, html = report
    episodes = set(re.findall(r'id="(episode-[A-Za-z0-9_-]+)"', html))
    docs = set(re.findall(r'id="doc-(\d+)"', html))
    assert len(episodes) == 7 and len(docs) == 4
    assert set(re.findall(r'href="#(episode-[A-Za-z0-9_-]+)"', html)) == episodes
    assert "episode-RUS-f16_delivery" in episodes  # named by key: stable across runs
    assert set(re.findall(r'href="#doc-(\d+)"', html)) == docs


def test_an_episode_reached_by_a_link_says_where_its_confidence_is_explained(
    report: tuple[Path, str],
) -> None:
    """An episode's anchor is for linking into the report; a reader arriving there saw
    "confidence 0.62" and nothing saying it is a calibrated share, not a probability: that is
    in the note heading the episodes. Each confidence links to that note."""
    _, html = report
    note = re.search(r'<p class="note" id="confidence">(.*?)</p>', html, re.S)
    assert note and "Confidence is calibrated" in note.group(1)
    metas = re.findall(r'<span class="meta">(.*?)</span>', html, re.S)
    assert metas and all('<a href="#confidence">confidence</a> 0.' in m for m in metas), metas


def test_the_report_shows_the_measured_accuracy_beside_the_audit(
    report: tuple[Path, str],
) -> None:
    """A ledger with no audit said only "no audit yet": a reader saw crossed verdicts with no
    hint that crossings and responses were right about half the time on real news. The
    report shows the project's own test-split figures (shipped with the package, checked
    against a live evaluation by the real-gold gate), each with its interval and counts."""
    from redline.gold.measured import ROWS, load

    _, html = report
    shipped = load()
    assert "Measured on real news, not on this corpus" in html
    for name, what, _ in ROWS:
        figure = shipped.figure(name)
        assert f'<th scope="row">{what}</th><td class="nowrap">{figure.label()}</td>' in html, name
    assert "audit it before quoting a verdict" in html


def test_damaged_measured_figures_are_named(tmp_path: Path) -> None:
    from redline.errors import ConfigError
    from redline.gold.measured import MEASURED_FILE, load

    broken = tmp_path / "measured.json"
    text = MEASURED_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace('"threat_recall"', '"threat_recal"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="measured.json.*threat_recall"):
        load(broken)


def test_a_report_still_renders_when_the_measured_figures_are_damaged(
    sqlite_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged install (the shipped figures unreadable) loses only that table: the report
    of the ledger is written and says why the figures are missing."""
    from redline.gold import measured

    broken = tmp_path / "measured.json"
    broken.write_text("{", encoding="utf-8")
    real_load = measured.load
    monkeypatch.setattr(measured, "load", lambda path=broken: real_load(path))
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-03-01"), "RUS", "f16_delivery", stated="2024-02-01")
    link(sqlite_ledger, as_of=AS_OF)
    html = write_report(sqlite_ledger, tmp_path / "r.html", as_of=AS_OF).read_text("utf-8")
    assert "Measured on real news" not in html
    assert "measured accuracy is not shown" in html and "measured.json" in html


def test_report_command_and_empty_ledger(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "empty.html"
    # a ledger with no documents is refused (issue 10: it used to write an empty report)
    result = CliRunner().invoke(app, ["report", "--db", sqlite_ledger.url, "-o", str(out)])
    assert result.exit_code != 0 and not out.exists()
    # documents but no episodes: the report says so
    note = tmp_path / "note.txt"
    note.write_text("The committee met on Tuesday to discuss the budget.\n", encoding="utf-8")
    ingested = CliRunner().invoke(
        app, ["ingest", str(note), "--db", sqlite_ledger.url, "--no-progress"]
    )
    assert ingested.exit_code == 0, ingested.output
    result = CliRunner().invoke(app, ["report", "--db", sqlite_ledger.url, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "The ledger has no episodes" in out.read_text(encoding="utf-8")


def test_a_report_dated_before_every_episode_does_not_ask_for_a_link(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A linked ledger reported as of a day before its first threat said "Run redline link
    after extraction", though it had been linked: it says when it was linked instead."""
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=AS_OF)
    early = write_report(sqlite_ledger, tmp_path / "early.html", as_of=date(2000, 1, 1))
    text = " ".join(re.sub(r"<[^>]+>", " ", early.read_text("utf-8")).split())
    assert "The ledger has no episodes as of 2000-01-01." in text
    assert "Run redline link after extraction" not in text
    assert "It was linked as of 2024-09-30: an episode counts from its first threat" in text


def test_a_report_with_no_episodes_draws_no_empty_table(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A report with no episodes drew the status and follow-through tables as a row of
    headers over nothing (a screen reader announced a table of eight and ten columns, no
    rows), under the note that says there are no episodes."""
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=AS_OF)
    page = write_report(sqlite_ledger, tmp_path / "early.html", as_of=date(2000, 1, 1))
    text = page.read_text("utf-8")
    assert "The ledger has no episodes as of 2000-01-01." in text
    bodies = re.findall(r"<tbody>(.*?)</tbody>", text, re.S)
    assert bodies and all("<tr" in body for body in bodies)  # only the measured accuracy's


def test_a_report_for_another_date_says_whose_episodes_it_shows(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=AS_OF)
    same = write_report(sqlite_ledger, tmp_path / "same.html", as_of=AS_OF).read_text("utf-8")
    assert "The episodes are those of the last link" not in same
    other = write_report(sqlite_ledger, tmp_path / "other.html", as_of=date(2024, 1, 31))
    text = " ".join(re.sub(r"<[^>]+>", " ", other.read_text("utf-8")).split())
    assert (
        "The episodes are those of the last link, as of 2024-09-30; their statuses are "
        "computed as of 2024-01-31" in text
    )


def _chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.chromium
def test_chromium_renders_charts_and_episodes(
    report: tuple[Path, str], chromium_binary: str, tmp_path: Path
) -> None:
    path, _ = report
    dom = _chromium(chromium_binary, tmp_path / "profile", "--dump-dom", path.as_uri()).stdout
    assert dom.count("<svg") >= 4
    assert len(re.findall(r'<article class="episode', dom)) == 7
    assert "RUS: F-16 fighter jets for Ukraine" in dom
    assert "alert(1)" in dom and "<script>alert(1)" not in dom
    shot = Path("/tmp/redline-report.png")  # kept for a human to look at
    _chromium(
        chromium_binary,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        path.as_uri(),
    )
    assert shot.exists() and shot.stat().st_size > 50_000


def test_a_report_as_reported_counts_items_from_their_articles(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "RUS", "atacms_delivery", stated="2024-01-05")
    b.crossing(b.doc("2024-03-01"), "USA", "atacms_delivery", "2024-02-01")
    link(sqlite_ledger, as_of=date(2024, 2, 15))
    day = date(2024, 2, 15)

    def shown(**kw: bool) -> str:
        path = write_report(sqlite_ledger, tmp_path / "r.html", as_of=day, **kw)
        return " ".join(re.sub(r"<[^>]+>", " ", path.read_text("utf-8")).split())

    hindsight, reported = shown(), shown(reported=True)
    assert "Status as of 2024-02-15" in hindsight and "as reported by" not in hindsight
    assert "Status as reported by 2024-02-15 (each item from its article" in reported
    # the crossing happened on 1 February but was reported on 1 March
    assert "none in the ledger yet" in reported and "none in the ledger yet" not in hindsight


def test_the_report_says_its_reading_who_set_a_status_and_prints_each_story(
    tmp_path: Path,
) -> None:
    """A past-date report says it reads in hindsight (it cited later articles unannounced); a
    status an analyst set is marked as such, not shown with a confidence like the evidence's;
    each story is in a block printed open (a folded one stayed folded on paper)."""
    from redline.review import review

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    seeds_ledger(ledger)
    link(ledger, as_of=AS_OF)
    review(
        ledger, "episode", "RUS:f16_delivery", "correct", field="status", value="crossed_enforced"
    )
    html = write_report(ledger, tmp_path / "r.html").read_text(encoding="utf-8")
    flat = " ".join(html.split())
    assert "in hindsight: each item from the date it happened" in flat
    assert "set by an analyst" in flat and "status set by an analyst (see below)" in flat
    assert flat.count('<details class="how">') == flat.count("How the status was decided")
    ledger.dispose()


def test_an_untitled_source_is_cited_by_its_file_name_or_address(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """An episode's story cited every untitled article as "untitled document" (ten alike on
    real news, plain text files having no title): it names the file, or the address."""
    import sqlalchemy as sa

    from redline.store.schema import documents

    b = Builder(sqlite_ledger)
    filed = b.doc("2023-06-01")
    online = b.doc("2023-06-02", url="https://example.org/harbour/ferries")
    b.threat(filed, "RUS", "f16_delivery", stated="2023-06-01")
    b.threat(online, "RUS", "f16_delivery", stated="2023-06-02")
    with sqlite_ledger.begin() as conn:
        conn.execute(sa.update(documents).values(title=None))
        path = conn.execute(
            sa.select(documents.c.source_path).where(documents.c.id == filed)
        ).scalar_one()
    link(sqlite_ledger, as_of=date(2024, 1, 1))
    page = write_report(sqlite_ledger, tmp_path / "r.html", as_of=date(2024, 1, 1)).read_text()
    cites = re.findall(r'<div class="cite">— <a href="#doc-\d+"><bdi>([^<]*)</bdi></a>', page)
    assert sorted(cites) == sorted([Path(path).name, "https://example.org/harbour/ferries"])


def test_an_untitled_source_is_headed_by_the_name_its_citations_give(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A story cited an untitled article by its file name or address, but the link led to a
    section headed "untitled document" (ten alike on real news): the heading names it so too."""
    import sqlalchemy as sa

    from redline.store.schema import documents

    b = Builder(sqlite_ledger)
    filed = b.doc("2023-06-01")
    b.threat(filed, "RUS", "f16_delivery", stated="2023-06-01")
    with sqlite_ledger.begin() as conn:
        conn.execute(sa.update(documents).values(title=None))
    link(sqlite_ledger, as_of=date(2024, 1, 1))
    page = write_report(sqlite_ledger, tmp_path / "r.html", as_of=date(2024, 1, 1)).read_text()
    (cited,) = re.findall(r'<div class="cite">— <a href="#doc-\d+"><bdi>([^<]*)</bdi></a>', page)
    (heading,) = re.findall(r'<article class="source" id="doc-\d+">\s*<h3>(.*?)</h3>', page)
    assert re.sub(r"<[^>]+>", "", heading).strip() == cited


def test_an_episodes_outlets_are_not_read_as_where_its_opinion_pieces_came_from(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """The report put the outlets after the evidence as `redline episode` does not: "2
    documents, one of them an opinion piece from 2 outlets" (one piece from two outlets?) and
    "no opinion pieces from 1 outlet". It reads as the story in the terminal: "...; 2 outlets"."""
    b = Builder(sqlite_ledger)
    b.threat(
        b.doc("2024-02-02", outlet="Harbour Daily"), "RUS", "f16_delivery", stated="2024-02-01"
    )
    op = b.doc("2024-02-03", outlet="Valley Review", genre="opinion")
    b.threat(op, "RUS", "f16_delivery", stated="2024-02-02")
    b.threat(b.doc("2024-02-04", outlet=None), "RUS", "atacms_delivery", stated="2024-02-03")
    link(sqlite_ledger, as_of=AS_OF)
    page = write_report(sqlite_ledger, tmp_path / "r.html", as_of=AS_OF).read_text("utf-8")
    metas = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", m)).split())
        for m in re.findall(r'<span class="meta">(.*?)</span>', page, re.S)
    ]
    evidence = sorted(m.split(" · ", 2)[2] for m in metas)  # after the key and the confidence
    assert evidence == [
        "1 document, no opinion pieces; outlet unknown",
        "2 documents, one of them an opinion piece; 2 outlets",
    ], metas


def test_an_audit_drawn_but_not_judged_is_not_reported_as_judged(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """With an audit drawn and none judged yet, the report showed a table of "n/a (0 items)"
    under "a sample of 2 items, 0 of them judged by a person (...; the latest audit with
    judgments)": it says none is judged yet and how to judge them."""
    from redline.audit import draw

    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=AS_OF)
    audit = draw(sqlite_ledger, per_kind=2, seed=1, kinds=["threat"])
    page = write_report(sqlite_ledger, tmp_path / "r.html", as_of=AS_OF).read_text("utf-8")
    shown = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "the latest audit with judgments" not in shown and "n/a (0 items)" not in shown
    assert (
        f"Audit #{audit.id} (as of {audit.as_of}) drew 2 items; none is judged yet "
        f"( redline audit start --resume {audit.id} judges them)" in shown
    ), shown[shown.find("latest audit") - 100 :][:600]


def test_a_quote_several_episodes_cite_is_shown_once(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    """A crossing of a line drawn by many actors was quoted in full under each of their
    episodes and listed under its source once per episode: most of the 118 MB of a report of
    3,000 episodes. The quote is shown under the first episode; a later one tells the item,
    names its source and links to the quote, and the source lists it once with every episode."""
    b = Builder(sqlite_ledger)
    quote = "Columns of armour rolled over the frontier before dawn, officials in the capital said."
    for country in ("USA", "GBR", "FRA"):
        b.threat(b.doc("2023-01-10"), country, "invasion_of_ukraine", stated="2023-01-10")
    crossed = b.doc("2023-02-01", title="Armour crosses the frontier")
    b.crossing(crossed, "RUS", "invasion_of_ukraine", "2023-02-01", quote=quote)
    link(sqlite_ledger, as_of=date(2024, 1, 1))
    page = write_report(sqlite_ledger, tmp_path / "r.html", as_of=date(2024, 1, 1)).read_text()
    assert page.count(f'<blockquote dir="auto">{quote}</blockquote>') == 1
    shown = re.findall(r'<li class="k-crossing" id="(quote-crossing-\d+)">', page)
    later = re.findall(r"<bdi>RUS</bdi> · <a href=\"#([^\"]+)\">quoted above</a></li>", page)
    assert len(shown) == 1 and later == shown * 2
    source = next(
        s
        for s in re.findall(r"<article class=\"source\".*?</article>", page, re.S)
        if "Armour" in s
    )
    (cited,) = re.findall(r"<li>.*?</li>", source)
    assert re.findall(r'href="#episode-(\w+)-invasion', cited) == ["FRA", "GBR", "USA"]
    assert cited.count("Columns of armour") == 1
    assert cited.count("Russian invasion or further attack on Ukraine") == 1  # the line, once


def test_the_report_reads_every_story_in_a_few_queries(sqlite_ledger: Ledger) -> None:
    """A report of 3,000 episodes read each episode's story on its own, five queries an
    episode (its threats, crossings, responses, claims and analyst decisions)."""
    import sqlalchemy as sa

    from redline.link import evaluate
    from redline.link.episodes import stories, story

    b = Builder(sqlite_ledger)
    for country in ("USA", "GBR", "FRA", "DEU", "POL", "CAN"):
        b.threat(b.doc("2023-01-10"), country, "invasion_of_ukraine", stated="2023-01-10")
    b.crossing(b.doc("2023-02-01"), "RUS", "invasion_of_ukraine", "2023-02-01")
    link(sqlite_ledger, as_of=date(2024, 1, 1))
    view = evaluate(sqlite_ledger, as_of=date(2024, 1, 1))
    statements: list[str] = []
    engine = sqlite_ledger.engine
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    told = stories(sqlite_ledger, view.states)
    assert len(told) == 6 and len(statements) <= 5, statements
    assert told == [story(sqlite_ledger, s) for s in view.states]


def test_later_crossings_an_earlier_episode_tells_are_one_line(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A line many actors drew and that was crossed again and again had a line for each later
    crossing under each of their episodes; those an earlier episode tells are named on one line
    of dates, each linked to its quote."""
    b = Builder(sqlite_ledger)
    for country in ("GBR", "USA"):
        b.threat(b.doc("2023-01-10"), country, "invasion_of_ukraine", stated="2023-01-10")
    for day in ("2023-02-01", "2023-03-01", "2023-04-01"):
        b.crossing(b.doc(day), "RUS", "invasion_of_ukraine", day)
    link(sqlite_ledger, as_of=date(2024, 1, 1))
    page = write_report(sqlite_ledger, tmp_path / "r.html", as_of=date(2024, 1, 1)).read_text()
    (usa,) = re.findall(r'<article class="episode[^"]*" id="episode-USA-.*?</article>', page, re.S)
    (told,) = re.findall(r"later crossings</span> quoted above: (.*?)</li>", usa)
    assert re.findall(r'<a href="#quote-crossing-\d+">([\d-]+)</a>', told) == [
        "2023-03-01",
        "2023-04-01",
    ]
    assert "later crossings</span> quoted above" not in page.split('id="episode-USA-')[0]


def test_a_line_crossed_by_implication_does_not_say_no_crossing(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """An episode whose crossing is implied by its owner's response (no crossing event in the
    ledger) was called crossed in its header and timeline, and its story ended "no crossing:
    none in the ledger yet"."""
    b = Builder(sqlite_ledger)
    doc = b.doc("2023-03-05")
    b.threat(doc, "USA", "invasion_of_ukraine", stated="2023-01-10")
    b.response(doc, "USA", "invasion_of_ukraine", "sanctions_or_economic", "2023-03-01")
    link(sqlite_ledger, as_of=date(2024, 1, 1))
    page = write_report(sqlite_ledger, tmp_path / "r.html", as_of=date(2024, 1, 1)).read_text()
    (usa,) = re.findall(r'<article class="episode[^"]*" id="episode-USA-.*?</article>', page, re.S)
    assert "implied by a later item" in page
    assert '<span class="kind">no crossing</span>' not in usa
