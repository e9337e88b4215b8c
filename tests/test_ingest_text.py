"""Plain-text ingest: boilerplate removal, title/author/outlet hints, dates with precision, genre and language."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from redline.documents import get_document, list_documents
from redline.errors import ConfigError
from redline.ingest import ingest_paths
from redline.ingest.authors import clean_author
from redline.ingest.boilerplate import RULES, Rule, load_rules, strip_boilerplate
from redline.ingest.dates import filename_date, metadata_date, text_date, unusable_filename_date
from redline.ingest.draft import Draft
from redline.ingest.genre import GENRE_RULES, any_of, classify_genre, opinion_score
from redline.ingest.language import detect_language
from redline.ingest.prepare import Prepared, prepare, title_from_first_line
from redline.knowledge import CASE_FOLDS_TO_ASCII
from redline.store import Ledger

BODY = (
    "Russia's deputy foreign minister warned on Tuesday that the delivery of fighter jets would "
    "carry enormous risks for the countries that supplied them, and said Moscow would respond."
)


def _prepare(text: str, name: str = "article.txt") -> Prepared:
    prepared = prepare(Draft(source_path=f"/corpus/{name}", source_format="text", text=text))
    assert isinstance(prepared, Prepared), prepared
    return prepared


def test_paywall_copyright_and_account_lines_go_and_name_the_outlet() -> None:
    text, hints = strip_boilerplate(
        f"{BODY}\n\nThe Daily Example\n\n© 2021-2023 Daily Example Media Group Ltd. All rights reserved.\n\n"
        "Use of this site constitutes acceptance of our Terms.\n\nSign in or Create a free account\n\nor\n\n"
        "By continuing you agree to our Privacy Policy"
    )
    assert text == BODY
    assert hints.year == 2023
    assert hints.outlets["copyright"] == "Daily Example Media"
    assert hints.outlets["trailer"] == "The Daily Example"


# Lines the rules with ``needs`` match, in several cases and with the characters a
# case-insensitive pattern matches to a letter that lower-casing does not give
_NEEDED_LINES = [
    "Enjoy award-winning journalism. Try The Example Herald free for 1 month",
    "Try Example Weekly FREE today",
    "Example Wire. All rights reserved.",
    "EXAMPLE WIRE. ALL RIGHTS RESERVED",
    "Example Wire. All Rights Reserved",
    "Example Wire. All r\u0131ghts re\u017ferved.",
    "Example Wire. ALL R\u0130GHTS RESERVED",
    "John Roe, Example Pool Photo via AP",
    "Jane Roe, Photographs by Example Agency",
    "Images via Example Archive",
    "Picture by Jane Roe/Example",
]
_OTHER_LINES = [
    BODY,
    "They will try to reserve all rights, the minister said.",
    "A photo of the summit was shared by the ministry.",
    "The minister did not say if the image was real.",
    "Try it, the minister said of the offer.",
]


@pytest.mark.parametrize("line", _NEEDED_LINES + _OTHER_LINES)
def test_needs_only_spare_lines_the_patterns_would_not_match(line: str) -> None:
    """``needs`` is a cheap test before a pattern: every line stripped as without it, and a line
    a pattern with ``needs`` matches holds one of them once lowered (or an odd letter)."""
    plain = replace(RULES, remove=tuple(replace(r, needs=()) for r in RULES.remove))
    for text in (line, f"{BODY}\n\n{line}", f"{line}\n\n{BODY}\n\n{BODY}"):
        assert strip_boilerplate(text) == strip_boilerplate(text, plain)
    for rule in RULES.remove:
        if rule.needs and rule.pattern.search(line):
            assert CASE_FOLDS_TO_ASCII.search(line) or any(n in line.lower() for n in rule.needs)
    matched = [r for r in RULES.remove if r.needs and r.pattern.search(line)]
    assert bool(matched) == (line in _NEEDED_LINES)


def test_every_letter_a_case_insensitive_pattern_folds_lowers_to_it_or_is_listed() -> None:
    """What makes ``needs`` safe under (?i): any other character a case-insensitive ASCII letter
    matches lowers to that letter, except those ``CASE_FOLDS_TO_ASCII`` lists."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    ascii_letters = "abcdefghijklmnopqrstuvwxyz"
    odd = {
        c
        for c in map(chr, range(0x110000))
        if letter.fullmatch(c) and not (len(c.lower()) == 1 and c.lower() in ascii_letters)
    }
    assert odd == {c for c in map(chr, range(0x110000)) if CASE_FOLDS_TO_ASCII.fullmatch(c)}


def test_needs_must_be_lower_case_words() -> None:
    with pytest.raises(ConfigError, match="needs"):
        load_rules(
            "remove:\n  - pattern: 'x'\n    needs: ['All']\noutlet_line: 'x'\nauthor_bio: 'x'\n"
        )
    rules = load_rules(
        "remove:\n  - pattern: 'x'\n    needs: ['x']\noutlet_line: 'x'\nauthor_bio: 'x'\n"
    )
    assert rules.remove == (Rule(re.compile("x"), "anywhere", ("x",)),)


def test_a_short_last_line_without_boilerplate_after_it_is_kept() -> None:
    text, hints = strip_boilerplate(f"{BODY}\n\nNATO Responds")
    assert text.endswith("NATO Responds")
    assert hints.outlet is None


def test_photo_credit_and_the_caption_repeating_it_both_go() -> None:
    credit = "Jane Roe, Example Pool Photo via AP"
    text, _ = strip_boilerplate(
        f"Headline Here Today\n\n{credit}\nThe president at a ceremony, May 7, 2024. {credit}\n\n{BODY}"
    )
    assert "Pool Photo" not in text and "ceremony" not in text
    assert text == f"Headline Here Today\n\n{BODY}"


def test_byline_gives_author_and_outlet_and_is_removed() -> None:
    doc = _prepare(f"By Jane Doe | Kyiv Post\n\n{BODY}")
    assert (doc.author, doc.outlet) == ("Jane Doe", "Kyiv Post")
    assert doc.text == BODY


def test_byline_date_is_a_date_line() -> None:
    doc = _prepare(f"By Jane Doe, 12 March 2024\n\n{BODY}")
    assert doc.author == "Jane Doe" and doc.outlet is None
    assert (doc.published.value, doc.published.precision, doc.published.source) == (
        date(2024, 3, 12),
        "day",
        "date_line",
    )


def test_bio_line_is_kept_and_names_the_author_without_rank() -> None:
    bio = "Professor Dr. Anna Maria van der Berg is a senior fellow at the Example Institute"
    doc = _prepare(f"{BODY}\n\n{bio}")
    assert doc.text.endswith(bio)
    assert doc.author == "Anna Maria van der Berg"
    assert doc.genre == "opinion"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("desk@wire.example.org (Jane Doe)", "Jane Doe"),
        ("Colonel Hamish de Bretton-Gordon", "Hamish de Bretton-Gordon"),
        ("Jane Doe and Lt. Col. John Roe", "Jane Doe, John Roe"),
        ("editor@example.org", None),
    ],
)
def test_clean_author(raw: str, expected: str | None) -> None:
    assert clean_author(raw) == expected


def test_title_is_a_short_first_line_without_final_period() -> None:
    assert title_from_first_line(f"Russia Warns The West\n\n{BODY}") == "Russia Warns The West"
    assert title_from_first_line(f"Russia warned the West.\n\n{BODY}") is None
    assert title_from_first_line(f"CNN —\n\n{BODY}") is None
    assert title_from_first_line(f"16:14\n\n{BODY}") is None
    assert title_from_first_line("Only A Title Here") is None


def test_the_first_line_of_a_wrapped_paragraph_is_no_title() -> None:
    """docs/ingest.md: a short first line *followed by a blank line* is the title. A text
    file wrapped at a fixed width had the first line of its first paragraph taken as its title
    ("The minister spoke to reporters in the capital"), the line after it not being looked at."""
    wrapped = "The minister spoke to reporters in the capital\nand said Moscow would respond. "
    assert _prepare(wrapped + BODY).title is None
    assert _prepare(f"Russia Warns The West\n\n{BODY}").title == "Russia Warns The West"
    # a byline removed between the title and the body leaves the title standing alone
    titled = _prepare(f"Russia Warns The West\nBy Jane Doe, Example Wire\n{BODY}")
    assert (titled.title, titled.author) == ("Russia Warns The West", "Jane Doe")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("20220212T201500Z_PL_en_6001743bb8.txt", date(2022, 2, 12)),
        ("2022-02-24_something.txt", date(2022, 2, 24)),
        ("news_2023-07-01.txt", date(2023, 7, 1)),
        ("6001743bb8.txt", None),
        ("20221399_bad.txt", None),
    ],
)
def test_filename_dates(name: str, expected: date | None) -> None:
    guess = filename_date(name)
    assert (guess.value if guess else None) == expected
    if guess:
        assert (guess.precision, guess.source) == ("day", "filename")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("20991231T000000Z_US_en_abcd.txt", date(2099, 12, 31)),
        ("notes_2099-01-02.txt", date(2099, 1, 2)),
        ("20220212T201500Z_PL_en_6001743bb8.txt", None),  # usable
        ("20991231_then_2022-02-24.txt", None),  # the name's usable date is taken
        ("20221399_bad.txt", None),  # no day of the calendar: an id, not a date
        ("6001743bb8.txt", None),
    ],
)
def test_a_future_date_in_a_file_name_is_told_apart_from_none(
    name: str, expected: date | None
) -> None:
    assert unusable_filename_date(name) == expected


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        ("2024-03-15", date(2024, 3, 15), "day"),
        ("2024-03-15T23:30:00-05:00", date(2024, 3, 15), "day"),
        ("20240315T120000Z", date(2024, 3, 15), "day"),
        ("Fri, 15 Mar 2024 12:00:00 GMT", date(2024, 3, 15), "day"),
        ("2024-03", date(2024, 3, 1), "month"),
        ("March 2024", date(2024, 3, 1), "month"),
        ("2024", date(2024, 1, 1), "year"),
        ("1710500000", date(2024, 3, 15), "day"),
        ("yesterday", None, None),
        ("2999-01-01", None, None),
    ],
)
def test_metadata_dates(value: str, expected: date | None, precision: str | None) -> None:
    guess = metadata_date(value)
    got = (guess.value, guess.precision) if guess else (None, None)
    assert got == (expected, precision)


def test_dateline_near_the_top_gives_a_day() -> None:
    guess = text_date(f"KYIV, 17 November 2024 — {BODY} Today it went on.")
    assert guess is not None
    assert (guess.value, guess.precision, guess.source) == (date(2024, 11, 17), "day", "text")


def test_a_date_in_the_headline_or_measured_from_is_no_publication_date() -> None:
    """The first full date near the top dated the article, even in its headline ("The speech
    of 21 September 2022 in full") or as the point the text measures from ("Since 24 February
    2022 ..."), both years before it was written."""
    headline = _prepare(f"The speech of 21 September 2022 in full\n\n{BODY}")
    assert headline.title == "The speech of 21 September 2022 in full"
    assert (headline.published.value, headline.published.source) == (None, "none")
    dateline = "KYIV, 24 February 2024 — The president spoke in the square."
    since = text_date(f"Since 24 February 2022 the city has changed. {dateline}")
    assert since is not None and since.value == date(2024, 2, 24)
    assert text_date(f"After 3 March 2023, {BODY}") is None


def test_relative_or_yearless_dates_are_not_publication_dates() -> None:
    assert text_date(f"On Wednesday and today, {BODY}") is None


def test_date_sources_in_order_date_line_then_filename_then_text_then_copyright() -> None:
    dated = _prepare(f"date 2023-06-27 Caption words\n\n{BODY}", "2022-01-01_x.txt")
    assert (dated.published.value, dated.published.source) == (date(2023, 6, 27), "date_line")
    assert "Caption words" not in dated.text
    by_name = _prepare(f"KYIV, 17 November 2024 — {BODY}", "2022-01-01_x.txt")
    assert (by_name.published.value, by_name.published.source) == (date(2022, 1, 1), "filename")
    by_text = _prepare(f"KYIV, 17 November 2024 — {BODY}\n\n© 2023 Example")
    assert (by_text.published.value, by_text.published.source) == (date(2024, 11, 17), "text")
    by_year = _prepare(f"{BODY}\n\n© 2023 Example News Company, LLC. All rights reserved.")
    assert (by_year.published.value, by_year.published.precision) == (date(2023, 1, 1), "year")
    assert by_year.outlet == "Example News"
    undated = _prepare(BODY)
    assert (undated.published.value, undated.published.precision, undated.published.source) == (
        None,
        "unknown",
        "none",
    )


def test_news_quoting_we_must_is_news_and_argument_is_opinion() -> None:
    quoted = f'{BODY}\n\n"We must respond and we should act," the minister said. "I believe it.'
    assert classify_genre(quoted, "Minister warns", has_author_bio=False) == "news"
    argued = f"{BODY}\n\nI suspect the Kremlin is bluffing, and we must call it."
    assert classify_genre(argued, None, has_author_bio=False) == "opinion"
    assert classify_genre(BODY, "Opinion | Call the bluff", has_author_bio=False) == "opinion"
    assert classify_genre(BODY, None, has_author_bio=True) == "opinion"


def test_an_official_statement_or_interview_is_a_statement_not_an_op_ed() -> None:
    """Codebook §5: official statements and transcripts are first person, the issuing office
    speaking. A President's "I believe" in an interview read as opinion, where extraction keeps
    rule items at any probability (an interview's "I think he has committed war crimes" became
    a crossing at confidence 0.0); a statement is its own genre, by its title's form."""
    argued = f"{BODY}\n\nI suspect the Kremlin is bluffing, and we must call it."
    for title in (
        "Interview with a Network Anchor",
        "Statement on the Anniversary of the Invasion",
        "Joint Statement—Group of Seven Leaders",
        "Remarks by the President on Ukraine",
    ):
        assert classify_genre(argued, title, has_author_bio=False) == "statement", title
    assert classify_genre(argued, "The Kremlin's statement, read again", has_author_bio=False) == (
        "opinion"
    )
    assert (
        classify_genre(BODY, "Minister's statement angers Moscow", has_author_bio=False) == "news"
    )


GENRE_TEXTS = [
    BODY,
    f"{BODY}\n\nI suspect the Kremlin is bluffing, and we must call it.",
    f"{BODY}\n\nIn my view it is high time to act. The views expressed are my own.",
    f'{BODY}\n\n"We must respond," the minister said. - We should act - he added.',
    "This piece is an op-ed.\nIT'S PAST TIME FOR sanctions; we cannot afford to wait.",
    "",
]


@pytest.mark.parametrize("text", GENRE_TEXTS)
def test_the_one_search_for_any_body_marker_changes_no_score(text: str) -> None:
    unfiltered = replace(GENRE_RULES, any_body_marker=None)
    for title, bio in ((None, False), ("Opinion | We must act", True)):
        expected = opinion_score(text, title, has_author_bio=bio, rules=unfiltered)
        assert opinion_score(text, title, has_author_bio=bio) == expected


def test_any_of_matches_where_one_of_its_patterns_does() -> None:
    assert GENRE_RULES.any_body_marker is not None
    patterns = [re.compile(p, re.IGNORECASE) for p in (r"\bwe must\b", r"^in my view", "x{3}")]
    combined = any_of(patterns)
    assert combined is not None
    for text in ("We MUST act", "in my view", "so in my view", "xxx", "xx x", "", "we mustn't"):
        assert (combined.search(text) is not None) == any(p.search(text) for p in patterns)


@pytest.mark.parametrize(
    "patterns",
    [
        [],
        [re.compile(r"(a)\1"), re.compile("b")],  # a group: its backreference would move
        [re.compile("(?P<name>a)")],
        [re.compile("a", re.IGNORECASE), re.compile("b")],  # different flags
        [re.compile("(?i)a"), re.compile("(?i)b")],  # a global flag cannot stand mid-pattern
    ],
)
def test_any_of_declines_what_it_cannot_combine_safely(patterns: list[re.Pattern[str]]) -> None:
    assert any_of(patterns) is None


def test_language_is_english_or_undetermined() -> None:
    assert detect_language(BODY) == "en"
    german = (
        "Der russische Präsident hat am Dienstag erneut mit Atomwaffen gedroht. Die Nato werde "
        "sich davon nicht einschüchtern lassen, sagte der Generalsekretär in Brüssel."
    )
    assert detect_language(german) == "und"
    assert detect_language("Too short") == "und"


def test_text_files_are_stored_with_their_metadata(ledger: Ledger, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "nested").mkdir(parents=True)
    (folder / "2024-03-15_warning.txt").write_text(
        f"Moscow Warns Of Enormous Risks\n\nBy Jane Doe, Example Wire\n\n{BODY}\n", encoding="utf-8"
    )
    (folder / "nested" / "other.txt").write_text(
        "KYIV, 17 November 2024 — Ukraine struck a weapons depot inside Russia with long-range "
        "missiles for the first time, officials said, after Washington lifted its restrictions.",
        encoding="utf-8",
    )
    (folder / ".hidden.txt").write_text(BODY, encoding="utf-8")
    (folder / ".git").mkdir()
    (folder / ".git" / "x.txt").write_text(BODY + " hidden", encoding="utf-8")

    report = ingest_paths(ledger, [folder])

    assert (report.files, len(report.ingested), report.problems) == (2, 2, [])
    rows = {Path(r.source_path).name: r for r in list_documents(ledger)}
    first = rows["2024-03-15_warning.txt"]
    assert first.source_path == str(folder / "2024-03-15_warning.txt")
    assert (first.title, first.author, first.outlet) == (
        "Moscow Warns Of Enormous Risks",
        "Jane Doe",
        "Example Wire",
    )
    assert (first.published, first.published_precision, first.published_source) == (
        date(2024, 3, 15),
        "day",
        "filename",
    )
    assert (first.source_format, first.genre, first.language) == ("text", "news", "en")
    stored = get_document(ledger, first.id)
    assert stored.text == f"Moscow Warns Of Enormous Risks\n\n{BODY}"
    assert stored.n_chars == len(stored.text)
    second = rows["other.txt"]
    assert (second.published, second.published_source) == (date(2024, 11, 17), "text")


_HARBOUR = (
    "Ferries and cargo ships returned to the northern harbour on Friday after engineers "
    "cleared the channel that a storm had blocked for most of the week."
)
_COUNCIL = (
    "The city council has voted to rebuild the old tram line along the river, its chair told "
    "reporters, and the first trams are expected to run within two years."
)


def test_a_text_files_header_lines_give_its_metadata(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    """A text file opening "Title: ...", "Date: ...", "URL: ..." (as scrapers write them) was
    stored untitled, with the header lines as the article's first paragraph. They are read
    with the record field names; the title opens the text, as a first-line title does."""
    folder = tmp_path / "scraped"
    folder.mkdir()
    (folder / "warning.txt").write_text(
        "Title: Minister warns neighbours over border drills\r\n"
        "Date: 2024-03-12\r\nURL: https://example.org/news/drills\r\nAuthor: By Jane Doe\r\n"
        f"\r\n{BODY}\r\n",
        encoding="utf-8",
    )
    (folder / "untitled.txt").write_text(
        f"URL:\nDate: 5 April 2024\nThe harbour reopened.\n\n{_HARBOUR}\n", encoding="utf-8"
    )
    opening = f"EXCLUSIVE: {_COUNCIL}\n\nSource: officials in the capital.\n"
    (folder / "exclusive.txt").write_text(opening, encoding="utf-8")

    report = ingest_paths(sqlite_ledger, [folder])

    assert (len(report.ingested), report.problems) == (3, [])
    rows = {Path(r.source_path).name: r for r in list_documents(sqlite_ledger)}
    first = rows["warning.txt"]
    assert (first.title, first.url, first.author) == (
        "Minister warns neighbours over border drills",
        "https://example.org/news/drills",
        "Jane Doe",
    )
    assert (first.published, first.published_source) == (date(2024, 3, 12), "metadata")
    text = get_document(sqlite_ledger, first.id).text
    assert text == f"Minister warns neighbours over border drills\n\n{BODY}"
    second = rows["untitled.txt"]
    assert (second.title, second.published) == (None, date(2024, 4, 5))
    assert get_document(sqlite_ledger, second.id).text == (f"The harbour reopened.\n\n{_HARBOUR}")
    # a label that opens an article, or a header naming no title, date or url, is text
    assert get_document(sqlite_ledger, rows["exclusive.txt"].id).text == opening.strip()


def test_markdown_front_matter_dates_yaml_reads_as_dates_are_used(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """YAML reads an unquoted `date: 2024-03-01` as a date object, which no field read as text:
    the document was stored undated, without a word, while the quoted form dated it."""
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, stamp, body in (
        ("a.md", "2024-03-01", "Farmers in the valley expect a late harvest of oats this year."),
        ("b.md", "2024-03-02 09:30:00", "A new ferry crossed the lake for the first time."),
        ("c.md", "'2024-03-03'", "Traders in the port counted fewer ships than last winter."),
    ):
        (folder / name).write_text(
            f"---\ntitle: Harvest notes\ndate: {stamp}\n---\n{body}\n", encoding="utf-8"
        )

    report = ingest_paths(sqlite_ledger, [folder])

    assert report.problems == []
    got = {Path(r.source_path).name: r for r in list_documents(sqlite_ledger)}
    assert {n: (r.published, r.published_source) for n, r in got.items()} == {
        "a.md": (date(2024, 3, 1), "metadata"),
        "b.md": (date(2024, 3, 2), "metadata"),
        "c.md": (date(2024, 3, 3), "metadata"),
    }


def test_bad_yaml_front_matter_names_its_line_and_what_is_dropped(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """The problem said only "invalid YAML front matter: while parsing a flow sequence": not
    where the fault is, nor that the front matter's date and title were dropped."""
    note = tmp_path / "note.md"
    note.write_text(
        "---\ndate: 2024-01-02\ntitle: [unclosed\n---\n# Dam inspection\n\n"
        "The governor of the northern province said on Monday that the dam would be inspected "
        "after the floods.\n",
        encoding="utf-8",
    )

    report = ingest_paths(sqlite_ledger, [note])

    [problem] = report.problems
    assert problem.reason == (
        "invalid YAML front matter: expected ',' or ']', but got '<stream end>' at line 3, "
        "column 17; its fields (title, date, ...) not read, the article stored without them"
    )
    assert len(report.ingested) == 1
