"""``redline link``, ``episodes`` and ``episode``: output formats and their JSON Schemas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.schemas import validate
from redline.store import Ledger
from test_link_factories import seeds_ledger

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def db(sqlite_ledger: Ledger) -> str:
    seeds_ledger(sqlite_ledger)
    return sqlite_ledger.url


def test_link_prints_a_summary(db: str) -> None:
    out = run("link", "--db", db, "--as-of", "2024-09-30")
    assert "linked 6 episodes as of 2024-09-30" in out
    assert "0 dated after 2024-09-30" in out
    # a threat not yet made on the date is counted, not lost from the summary
    early = run("link", "--db", db, "--as-of", "2023-07-01")
    assert "dated after 2023-07-01" in early and "0 dated after" not in early
    assert "5 crossed_unenforced" in out and "2 implied by outcome claims only" in out


def test_a_link_as_of_a_day_not_yet_come_is_refused_naming_it(db: str) -> None:
    """`redline link --as-of 2099-01-01` stored episodes as of that day without a word: every
    response window ending by then was judged passed, open lines were stored unenforced, and
    every listing and the export read them so. It is refused as an effective date after
    today is, naming both days, and the stored link stays as it was."""
    from datetime import date, timedelta

    from redline.errors import ConfigError
    from redline.link import link
    from redline.link.episodes import last_link_as_of

    run("link", "--db", db, "--as-of", "2024-09-30")
    ledger = Ledger.open(db, create=False)
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(ConfigError, match=f"as-of date {tomorrow} is after today"):
        link(ledger, as_of=tomorrow)
    result = runner.invoke(app, ["link", "--db", db, "--as-of", "2099-01-01"])
    assert result.exit_code != 0 and isinstance(result.exception, ConfigError)
    assert f"2099-01-01 is after today ({date.today()})" in str(result.exception)
    with ledger.connect() as conn:
        assert last_link_as_of(conn) == date(2024, 9, 30)
    assert link(ledger).as_of == date.today()  # today itself is a day that has come
    ledger.dispose()


def test_statuses_as_of_a_day_not_yet_come_are_refused_everywhere(db: str) -> None:
    """`link` refused a future as-of date, but `episodes`, `credibility`, `report` and the API's
    `evaluate` read statuses as of 2099 without a word, every response window closed by then
    (an open line could read unenforced). Every reading goes through `evaluate`, which refuses."""
    from datetime import date, timedelta

    from redline.errors import ConfigError
    from redline.link import evaluate

    run("link", "--db", db, "--as-of", "2024-09-30")
    ledger = Ledger.open(db, create=False)
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(ConfigError, match=f"as-of date {tomorrow} is after today"):
        evaluate(ledger, as_of=tomorrow)
    assert evaluate(ledger, as_of=date.today()).as_of == date.today()
    ledger.dispose()
    for command in (["episodes"], ["credibility"], ["report", "-o", "/dev/null"]):
        result = runner.invoke(app, [*command, "--db", db, "--as-of", "2099-01-01"])
        assert result.exit_code != 0, (command, result.output)
        assert "2099-01-01 is after today" in str(result.exception), command


def test_episodes_json_follows_its_schema(db: str) -> None:
    run("link", "--db", db, "--as-of", "2024-09-30")
    doc = json.loads(run("episodes", "--db", db, "--as-of", "2024-09-30", "--format", "json"))
    validate(doc)
    assert doc["schema"].endswith("/episodes-v1.json") and doc["as_of"] == "2024-09-30"
    assert {e["key"] for e in doc["items"]} >= {"RUS:f16_delivery", "RUS:strikes_near_kharkiv"}
    opened = json.loads(
        run("episodes", "--db", db, "--as-of", "2024-09-30", "-f", "json", "--status", "open")
    )
    assert [e["key"] for e in opened["items"]] == ["RUS:long_range_strikes_inside_russia"]
    assert json.loads(run("episodes", "--db", db, "--actor", "USA", "-f", "json"))["items"] == []


def test_episodes_as_of_recomputes_without_writing(db: str) -> None:
    run("link", "--db", db, "--as-of", "2024-09-30")
    # a table for another date says whose episodes it lists
    table = runner.invoke(
        app, ["episodes", "--db", db, "--as-of", "2023-07-01"], env={"COLUMNS": "250"}
    )
    assert "the episodes of the link as of 2024-09-30" in table.output
    same = runner.invoke(
        app, ["episodes", "--db", db, "--as-of", "2024-09-30"], env={"COLUMNS": "250"}
    )
    assert "the episodes of the link" not in same.output
    early = json.loads(run("episodes", "--db", db, "--as-of", "2023-07-01", "-f", "json"))
    assert {e["key"]: e["status"] for e in early["items"]} == {
        "RUS:attack_on_annexed_territory": "crossed_unenforced",
        "RUS:western_weapons_on_russian_territory": "undetermined",
    }
    later = json.loads(run("episodes", "--db", db, "--as-of", "2024-09-30", "-f", "json"))
    assert len(later["items"]) == 6
    # a script reads whose episodes they are from the envelope
    assert early["linked_as_of"] == later["linked_as_of"] == "2024-09-30"
    validate(early)
    # ... and one episode's story says it too
    told = run("episode", "RUS:attack_on_annexed_territory", "--db", db, "--as-of", "2023-07-01")
    assert "The episodes of the link as of 2024-09-30" in " ".join(told.split())
    same_day = run("episode", "RUS:f16_delivery", "--db", db, "--as-of", "2024-09-30")
    assert "episodes of the link" not in same_day
    story = json.loads(
        run(
            "episode",
            "RUS:attack_on_annexed_territory",
            "--db",
            db,
            "--as-of",
            "2023-07-01",
            "-f",
            "json",
        )
    )
    validate(story)
    assert story["linked_as_of"] == "2024-09-30" and story["as_reported"] is False


def test_follow_through_for_another_date_says_whose_episodes_it_counts(db: str) -> None:
    run("link", "--db", db, "--as-of", "2024-09-30")
    wide = {"COLUMNS": "250"}
    other = runner.invoke(app, ["credibility", "--db", db, "--as-of", "2023-07-01"], env=wide)
    # the title wraps at the table's width
    assert "the episodes of the link as of 2024-09-30" in " ".join(other.output.split())
    same = runner.invoke(app, ["credibility", "--db", db, "--as-of", "2024-09-30"], env=wide)
    assert same.exit_code == 0 and "the episodes of the link" not in same.output
    for extra in ([], ["--timeline"]):
        doc = json.loads(
            run("credibility", "--db", db, "--as-of", "2023-07-01", "-f", "json", *extra)
        )
        validate(doc)
        assert doc["as_of"] == "2023-07-01" and doc["linked_as_of"] == "2024-09-30"


def test_listings_before_any_link_have_no_link_date(db: str) -> None:
    doc = json.loads(run("episodes", "--db", db, "-f", "json"))
    validate(doc)
    assert doc["linked_as_of"] is None and doc["items"] == []


def test_episode_tells_the_story(db: str) -> None:
    run("link", "--db", db, "--as-of", "2024-09-30")
    text = run("episode", "RUS:f16_delivery", "--db", db, "--as-of", "2024-09-30")
    assert "Evidence comes only from opinion pieces." in text
    assert "Dmitry Peskov warned about f16_delivery." in text
    assert "The New York Sun" in text and "no_response" in text
    doc = json.loads(
        run("episode", "RUS:f16_delivery", "--db", db, "--as-of", "2024-09-30", "-f", "json")
    )
    validate(doc)
    story = doc["episode"]
    assert story["opinion_only"] and story["evidence"] == "evidence: 1 document, an opinion piece"
    assert story["crossing"]["document"]["title"] == "Call Putin's bluff"
    # where to open each source: its URL, else the file it was read from
    source = story["crossing"]["document"]
    assert source["source_path"] and (source["url"] or source["source_path"]) in " ".join(
        text.split()
    )
    assert story["explanation"][-1] == "All evidence comes from opinion pieces."
    csv_text = run("episode", str(story["id"]), "--db", db, "-f", "csv", "--as-of", "2024-09-30")
    header = csv_text.splitlines()[0].split(",")
    assert header[:7] == ["episode", "kind", "id", "date", "quote", "document_id", "part"]
    # every field an item has in the JSON (it had these six: no speaker, trigger or source)
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    (crossing,) = [r for r in rows if r["part"] == "crossing"]
    told = story["crossing"]
    assert crossing["actor_country"] == told["actor_country"] and crossing["trigger_key"]
    assert crossing["document_title"] == "Call Putin's bluff"
    assert crossing["document_source_path"] == told["document"]["source_path"]
    assert {r["part"] for r in rows} >= {"threat", "crossing"}


def test_unknown_episode_is_a_clear_error(db: str) -> None:
    result = runner.invoke(app, ["episode", "RUS:nothing", "--db", db])
    assert result.exit_code != 0
    assert "no episode 'RUS:nothing'" in str(result.exception)


def test_an_open_line_has_no_response_window_and_flags_read_yes_in_tables(db: str) -> None:
    """The story of a line nobody crossed says there is no window (it printed "window until
    None"); a table shows a flag as "yes" or nothing (it printed "False"), JSON keeps the
    boolean."""
    run("link", "--db", db, "--as-of", "2024-09-30")
    story = run(
        "episode", "RUS:long_range_strikes_inside_russia", "--db", db, "--as-of", "2024-09-30"
    )
    assert "Responses (no window: no crossing)" in story and "None" not in story
    wide = runner.invoke(
        app, ["episodes", "--db", db, "--as-of", "2024-09-30"], env={"COLUMNS": "220"}
    )
    assert "opinion only" in wide.output  # wide enough for every column
    assert "False" not in wide.output and "True" not in wide.output
    doc = json.loads(run("episodes", "--db", db, "--as-of", "2024-09-30", "-f", "json"))
    assert {type(e["opinion_only"]) for e in doc["items"]} == {bool}


def test_a_link_while_a_team_extracts_says_a_run_is_at_work_on_them(tmp_path) -> None:
    """A team's `link` while another member's `redline extract` held the documents said only
    "run `redline extract`", with no word that a run was at work on them; a lapsed claim (a run
    dead on another machine, its lease run out) holds nothing."""
    from datetime import timedelta

    import sqlalchemy as sa

    from redline.store.db import now
    from redline.store.schema import documents, extract_claims

    db = f"sqlite:///{tmp_path / 'l.db'}"
    ledger = Ledger.open(db)
    with ledger.begin() as conn:
        for n in range(3):
            conn.execute(
                sa.insert(documents).values(
                    content_hash=str(n) * 64,
                    source_path=f"{n}.txt",
                    source_format="text",
                    text="t",
                    n_chars=1,
                    ingested_at=now(),
                )
            )
    elsewhere = ledger.start_run("extract")
    with ledger.begin() as conn:
        for doc, lease in ((1, timedelta(minutes=10)), (2, timedelta(minutes=-1))):
            conn.execute(
                sa.insert(extract_claims).values(
                    document_id=doc,
                    run_id=elsewhere,
                    expires_at=now() + lease,
                    holder="4242@another-machine",
                )
            )
    ledger.dispose()
    said = " ".join(run("link", "--db", db).split())
    assert (
        "3 stored documents are not extracted yet, 1 of them by a `redline extract` at work on "
        "them now: link again once it is done (and run `redline extract` for the other 2)"
    ) in said


def test_link_and_extract_say_when_the_other_is_due(tmp_path) -> None:
    """Documents stored but never extracted linked to "0 episodes" with no word why; after a
    re-extraction, listings still stood on the last link with no word either."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "date 2024-05-02 Note\n\nRussia's foreign ministry warned on Tuesday that any delivery "
        "of F-16 jets to Ukraine would be met with a harsh military response.\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'l.db'}"
    run("ingest", str(folder), "--db", db, "--no-progress", "--no-extract")
    assert "1 stored documents are not extracted yet" in run("link", "--db", db)
    run("extract", "--db", db, "--no-progress")
    assert "not extracted yet" not in run("link", "--db", db)
    again = run("extract", "--db", db, "--redo", "--no-progress")
    assert "run `redline link` to relink them" in again
    # nothing left to extract: the run says why, and how to do it again
    idle = " ".join(run("extract", "--db", db, "--no-progress").split())
    assert "extracted 0 documents" in idle and "--redo extracts them again" in idle


def test_as_reported_counts_an_item_from_its_article_not_its_own_date(
    sqlite_ledger: Ledger,
) -> None:
    """Hindsight (the default) counts an item from the date it happened; --as-reported from
    the day an article in the ledger said so: what a reader could have known then."""
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    warned = b.doc("2024-01-10")
    b.threat(warned, "RUS", "atacms_delivery", stated="2024-01-05", consequence="military_force")
    crossed = b.doc("2024-03-01")
    b.crossing(crossed, "USA", "atacms_delivery", "2024-02-01")
    db = sqlite_ledger.url
    run("link", "--db", db)

    def status(day: str, *extra: str) -> dict[str, str]:
        doc = json.loads(run("episodes", "--db", db, "--as-of", day, "-f", "json", *extra))
        validate(doc)
        assert doc["as_reported"] == bool(extra)
        return {e["key"]: e["status"] for e in doc["items"]}

    # the threat was made on the 5th and reported on the 10th
    assert status("2024-01-07") == {"RUS:atacms_delivery": "open"}
    assert status("2024-01-07", "--as-reported") == {}
    # the crossing happened on 1 February and was reported on 1 March
    assert status("2024-02-15")["RUS:atacms_delivery"] != "open"
    assert status("2024-02-15", "--as-reported") == {"RUS:atacms_delivery": "open"}
    assert status("2024-03-02", "--as-reported") == status("2024-03-02")
    story = json.loads(
        run(
            "episode",
            "RUS:atacms_delivery",
            "--db",
            db,
            "--as-of",
            "2024-02-15",
            "--as-reported",
            "-f",
            "json",
        )
    )
    validate(story)
    assert story["episode"]["crossing"] is None and story["episode"]["as_reported"] is True
    text = run(
        "episode", "RUS:atacms_delivery", "--db", db, "--as-of", "2024-02-15", "--as-reported"
    )
    assert "as reported by 2024-02-15" in text
    table = runner.invoke(
        app,
        ["credibility", "--db", db, "--as-of", "2024-02-15", "--as-reported"],
        env={"COLUMNS": "250"},
    )
    assert "follow-through as reported by 2024-02-15" in " ".join(table.output.split())
    moves = runner.invoke(
        app,
        ["credibility", "--db", db, "--as-of", "2024-02-15", "--as-reported", "--timeline"],
        env={"COLUMNS": "250"},
    )
    assert "after each crossing, as reported by 2024-02-15" in " ".join(moves.output.split())


def test_once_every_article_is_out_both_readings_agree(db: str) -> None:
    """As reported and in hindsight differ only while reports are still to come: the silence
    rule reads coverage after a crossing by when items happened, in both (it counted the
    crossing's own report as later coverage when reading as reported)."""
    from redline.link import evaluate
    from test_link_factories import Builder

    ledger = Ledger.open(db)
    b = Builder(ledger)
    # a crossing reported the day after, then no response and a long span of coverage
    b.threat(b.doc("2022-01-10"), "GBR", "invasion_of_ukraine", stated="2022-01-09")
    b.crossing(b.doc("2022-02-25"), "RUS", "invasion_of_ukraine", "2022-02-24")
    # two later articles: short of the rule's three documents, unless the crossing's own
    # report (a day after the act) is counted as coverage after it
    for day, outlet in (("2022-07-01", "Wire A"), ("2022-10-01", "Wire B")):
        b.threat(b.doc(day, outlet=outlet), "GBR", "invasion_of_ukraine", stated=day)
    run("link", "--db", db, "--as-of", "2025-01-01")
    for day in ("2024-09-30", "2025-01-01"):
        hindsight = {s.row["key"]: s.assessment.status for s in evaluate(ledger, as_of=day)}
        reported = {
            s.row["key"]: s.assessment.status for s in evaluate(ledger, as_of=day, reported=True)
        }
        assert reported == hindsight
    ledger.dispose()


def test_two_links_at_once_leave_the_episodes_of_the_date_the_last_run_names(
    tmp_path,
) -> None:
    """Links run one at a time and record their run in the transaction that writes the
    episodes: two at once (here in two threads, each with its own connection) leave the
    episodes of the date the latest link run names (they committed out of order, and the
    ledger held one date's episodes under the other's run)."""
    import threading
    from datetime import date

    import sqlalchemy as sa

    from redline.link import link
    from redline.link.episodes import last_link_as_of
    from redline.store.schema import episodes

    db = f"sqlite:///{tmp_path / 'l.db'}"
    seeds_ledger(Ledger.open(db))
    for _ in range(4):
        ledgers = [Ledger.open(db) for _ in range(2)]
        days = [date(2023, 7, 1), date(2024, 9, 30)]
        threads = [
            threading.Thread(target=link, args=(lg,), kwargs={"as_of": d})
            for lg, d in zip(ledgers, days, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with ledgers[0].connect() as conn:
            stored = set(conn.execute(sa.select(episodes.c.status_as_of)).scalars())
            assert stored == {last_link_as_of(conn)}
        for lg in ledgers:
            lg.dispose()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_output_on_a_full_disk_is_one_clear_error(db: str) -> None:
    """`redline episodes -f csv > file` on a full disk says so in one line (it printed a
    traceback), with the error exit status."""
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "redline", "episodes", "--db", db, "-f", "csv"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert done.stderr.strip() == "redline: error: cannot write the output: No space left on device"


def test_an_act_dated_to_a_month_or_a_year_counts_once_it_had_certainly_happened(
    sqlite_ledger: Ledger,
) -> None:
    """In hindsight an act of "June 2022" had not certainly happened on 1 June, nor one of
    "March 2022" on 10 March: it counts from its period's end, or from its article's
    publication if that came first (a year-dated response from a 2024 article made a line
    enforced the day after its first threat; a year-dated one is now not placed in a 90-day
    window at all, test_link.py)."""
    from datetime import date

    from redline.link import link, list_episodes
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2022-05-20"), "RUS", "kaliningrad_transit", stated="2022-05-19")
    b.crossing(b.doc("2022-06-10"), "LTU", "kaliningrad_transit", "2022-06")
    b.threat(b.doc("2022-01-19"), "USA", "invasion_of_ukraine", stated="2022-01-19")
    b.crossing(b.doc("2022-02-24"), "RUS", "invasion_of_ukraine", "2022-02-24")
    b.response(
        b.doc("2024-03-01"), "USA", "invasion_of_ukraine", "sanctions_or_economic", "2022-03"
    )
    link(sqlite_ledger, as_of=date(2025, 1, 1))

    def status(day: date) -> dict[str, str]:
        return {e.key: str(e.status) for e in list_episodes(sqlite_ledger, as_of=day)}

    assert status(date(2022, 6, 1))["RUS:kaliningrad_transit"] == "open"
    assert status(date(2022, 6, 10))["RUS:kaliningrad_transit"] != "open"  # reported then
    assert status(date(2022, 1, 20))["USA:invasion_of_ukraine"] == "open"
    assert status(date(2022, 3, 10))["USA:invasion_of_ukraine"] != "crossed_enforced"
    assert status(date(2022, 4, 1))["USA:invasion_of_ukraine"] == "crossed_enforced"


@pytest.mark.parametrize(
    ("outlets", "status"),
    [((None, None, None, None), "undetermined"), (("Wire A", "Wire B", None, None), "unenforced")],
)
def test_documents_of_unknown_outlet_are_not_outlets_of_their_own(
    sqlite_ledger: Ledger, outlets: tuple[str | None, ...], status: str
) -> None:
    """The silence rule wants coverage from two outlets: four documents whose outlet nobody
    knows may all be one outlet's, so they are not two (each counted as an outlet of its own,
    and gave an "unenforced" verdict); two named outlets are. The explanation lists the
    documents the rule read, and they count among the episode's sources."""
    from datetime import date

    from redline.link import get_episode, link
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2022-01-10"), "GBR", "invasion_of_ukraine", stated="2022-01-09")
    b.crossing(b.doc("2022-02-25"), "RUS", "invasion_of_ukraine", "2022-02-24")
    for n, outlet in enumerate(outlets):
        day = f"2022-{7 + n:02d}-01"
        b.threat(b.doc(day, outlet=outlet), "GBR", "invasion_of_ukraine", stated=day)
    link(sqlite_ledger, as_of=date(2023, 1, 1))
    story = get_episode(sqlite_ledger, "GBR:invasion_of_ukraine", as_of=date(2023, 1, 1))
    assert status in str(story.summary.status)
    why = " ".join(story.explanation)
    # "from 2 outlet(s)", or "of no named outlet (counted as one)"
    assert "4 document(s) " in why and why.count("doc #") >= 4
    assert story.summary.n_sources == 6


def test_an_episode_key_is_read_as_the_actor_filters_read_names_and_shown_whole(
    db: str,
) -> None:
    """`redline episode rus:F16_Delivery` finds RUS:f16_delivery as `--actor rus` would; a key
    that names no episode of a linked ledger points at the listing, not at `link`; a table
    shows keys whole at 80 columns (two keys cut to "RUS:long_range_…" looked alike)."""
    run("link", "--db", db, "--as-of", "2024-09-30")
    told = run("episode", "rus:F16_Delivery", "--db", db, "--as-of", "2024-09-30")
    assert "RUS:f16_delivery" in told
    missing = runner.invoke(app, ["episode", "RUS:nothing_here", "--db", db])
    assert missing.exit_code != 0
    said = str(missing.exception)
    assert "`redline episodes` lists the keys and ids" in said and "link` first" not in said
    table = runner.invoke(
        app, ["episodes", "--db", db, "--as-of", "2024-09-30"], env={"COLUMNS": "80"}
    )
    assert "RUS:long_range_strikes_inside_russia" in table.output


def test_a_story_says_a_window_still_open_ends(sqlite_ledger: Ledger) -> None:
    """Before the response window is over the story says it "ends" on its date (it said
    "ended" on a date still to come)."""
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "RUS", "atacms_delivery", stated="2024-01-05")
    b.crossing(b.doc("2024-03-01"), "USA", "atacms_delivery", "2024-03-01")
    db = sqlite_ledger.url
    run("link", "--db", db, "--as-of", "2024-03-15")
    early = " ".join(
        run("episode", "RUS:atacms_delivery", "--db", db, "--as-of", "2024-03-15").split()
    )
    assert "which ends 2024-05-30" in early
    later = " ".join(
        run("episode", "RUS:atacms_delivery", "--db", db, "--as-of", "2024-09-15").split()
    )
    assert "which ended 2024-05-30" in later


def test_an_actor_only_an_extra_gazetteer_knew_can_be_selected(sqlite_ledger: Ledger) -> None:
    """A code from a gazetteer given to `extract --gazetteer` (or an analyst's correction made
    with REDLINE_GAZETTEER) is listed, but `--actor QQL` was refused as an unknown actor by
    every later command run without that file: the ledger's own codes are selectable."""
    from datetime import date

    from redline.errors import ConfigError
    from redline.extract.query import list_events, list_threats
    from redline.link import link, list_episodes
    from redline.score import credibility
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-10")
    b.threat(d, "QQL", "f16_delivery", stated="2024-01-05")
    b.threat(d, "RUS", "atacms_delivery", stated="2024-01-05")
    b.crossing(b.doc("2024-03-05"), "QQL", "atacms_delivery", "2024-03-04")
    link(sqlite_ledger, as_of=date(2024, 12, 31))
    assert [t.speaker_country for t in list_threats(sqlite_ledger, actor="qql")] == ["QQL"]
    assert [e.actor_country for e in list_events(sqlite_ledger, actor="QQL")] == ["QQL"]
    episodes = list_episodes(sqlite_ledger, actor="QQL", as_of=date(2024, 12, 31))
    assert [e.key for e in episodes] == ["QQL:f16_delivery"]
    (est,) = credibility(sqlite_ledger, actor="QQL", as_of=date(2024, 12, 31))
    assert est.actor == "QQL"
    with pytest.raises(ConfigError, match="unknown actor 'QQX'"):
        list_episodes(sqlite_ledger, actor="QQX", as_of=date(2024, 12, 31))


def test_listings_before_any_link_say_that_none_is_linked(tmp_path: Path) -> None:
    """After `redline ingest`, `redline episodes` and `redline credibility` printed empty tables
    ("0 episodes as of ...") as if extraction had found nothing, where `redline episode KEY`
    and the HTML report say to run `redline link` first."""
    db = str(tmp_path / "l.db")
    Ledger.open(db)
    runner = CliRunner()
    for command in (["episodes"], ["credibility"], ["credibility", "--timeline"]):
        res = runner.invoke(app, [*command, "--db", db], env={"COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        text = " ".join(res.output.split())
        assert "no episode is linked yet: run `redline link` first" in text, command


def test_link_names_lines_of_a_gazetteer_it_did_not_read(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line added with `extract --gazetteer` was linked as a bare key ("ZZL: dam_closure")
    without a word: `link` reads the vocabulary only from the packaged files and
    REDLINE_GAZETTEER. It now names such lines and says how to give their vocabulary."""
    from test_link_factories import Builder

    b = Builder(Ledger.open(db))
    b.threat(b.doc("2024-08-01"), "POL", "dam_closure", stated="2024-08-01")
    said = " ".join(run("link", "--db", db).split())
    assert "lines no vocabulary this command read names (dam_closure)" in said
    assert "REDLINE_GAZETTEER" in said
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "triggers:\n  dam_closure:\n    label: Closing the river dam\n"
        "    patterns: ['\\bclos(e|ed) the dam\\b']\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("REDLINE_GAZETTEER", str(mine))
    from redline import knowledge

    knowledge.triggers.cache_clear()
    try:
        again = " ".join(run("link", "--db", db).split())
    finally:
        monkeypatch.delenv("REDLINE_GAZETTEER")
        knowledge.triggers.cache_clear()
    assert "no vocabulary" not in again


def test_a_second_link_says_its_episodes_are_kept(db: str) -> None:
    """Linking twice changes nothing but the run id (docs/linking.md, "Relinking"), yet the
    second link said "0 new, 6 updated", as if it had changed six episodes."""
    first = " ".join(run("link", "--db", db, "--as-of", "2024-09-30").split())
    again = " ".join(run("link", "--db", db, "--as-of", "2024-09-30").split())
    assert "6 new, 0 kept, 0 removed" in first
    assert "0 new, 6 kept, 0 removed" in again and "updated" not in again


def test_one_of_a_kind_is_counted_in_the_singular(tmp_path: Path) -> None:
    """A newcomer's first try on one article read "extracted 1 documents: 1 threats", "linked 1
    episodes" and "1 episodes as of ...", "1 reviews"."""
    from redline.output import counted
    from test_link_factories import Builder

    assert [counted(n, "outcome claim") for n in (0, 1, 2)] == [
        "0 outcome claims",
        "1 outcome claim",
        "2 outcome claims",
    ]
    db = str(tmp_path / "one.db")
    b = Builder(Ledger.open(db))
    b.threat(b.doc("2024-08-01"), "RUS", "f16_delivery", stated="2024-08-01")
    linked = " ".join(run("link", "--db", db).split())
    assert "linked 1 episode as of" in linked
    listed = " ".join(run("episodes", "--db", db).split())
    assert "1 episode as of" in listed and "1 episodes" not in listed
    assert "1 threat " in " ".join(run("threats", "--db", db).split())


def test_the_episodes_table_shows_a_confidence_as_the_story_does(sqlite_ledger: Ledger) -> None:
    """The listing shows each confidence to two decimals, as `episode`, `run` and the report
    do: it showed the stored figure ("0.698" in the table, "0.70" in the story) and a status
    an analyst set as "1.0" beside them. JSON keeps the stored figure."""
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "RUS", "atacms_delivery", stated="2024-01-05")
    b.threat(b.doc("2024-01-12"), "USA", "aid_to_russia", stated="2024-01-11")
    db = sqlite_ledger.url
    run("link", "--db", db, "--as-of", "2024-03-15")
    run(
        "review",
        "episode",
        "USA:aid_to_russia",
        "withdraw",
        "--effective",
        "2024-02-01",
        "--db",
        db,
    )
    table = run("episodes", "--db", db, "--as-of", "2024-03-15")
    items = json.loads(run("episodes", "--db", db, "--as-of", "2024-03-15", "-f", "json"))["items"]
    for item in items:
        story = " ".join(run("episode", item["key"], "--db", db, "--as-of", "2024-03-15").split())
        (row,) = [line for line in table.splitlines() if f" {item['key']} " in line]
        shown = row.split("│")[3].strip()
        assert f"confidence {shown};" in story, (row, story)
        assert float(shown) == round(item["confidence"], 2)
    assert "1.00" in table


def test_a_threat_of_no_named_speaker_reads_as_its_country(sqlite_ledger: Ledger) -> None:
    """A threat with a country and no speaker (as `redline add` stores one given no
    `--set speaker`) read "2023-01-05   (RUS)  vague" in the story: a blank name and a
    country in brackets. It reads as the country."""
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    quote = "The ministry said any further shipment would be stopped at sea."
    b.threat(
        b.doc("2023-01-10"), "RUS", "f16_delivery", stated="2023-01-05", speaker="", quote=quote
    )
    db = sqlite_ledger.url
    run("link", "--db", db, "--as-of", "2024-01-01")
    told = run("episode", "RUS:f16_delivery", "--db", db, "--as-of", "2024-01-01")
    (line,) = [s for s in told.splitlines() if s.startswith("  2023-01-05")]
    assert line.split() == ["2023-01-05", "RUS", "vague"], line


def test_a_withdrawn_story_shows_the_claim_that_withdrew_the_line(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A withdrawn episode's story told no item that withdrew it: the owner's claim that it
    took the line back was left out of its claims (they are what the status is judged
    against), so `episode`, its CSV, its JSON and the report showed threats only; it is now
    told with its quote and source, as every other item."""
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2022-06-01"), "TUR", "nato_enlargement", stated="2022-05-13")
    quote = "Ankara said it no longer objects to the two new members."
    back = b.doc("2022-06-30", outlet="Harbour Post", title="Ankara drops its veto")
    withdrawal = b.claim(back, "TUR", "nato_enlargement", "withdrawn", "2022-06-28", quote=quote)
    db = sqlite_ledger.url
    day = ("--as-of", "2022-12-31")
    run("link", "--db", db, *day)
    text = " ".join(run("episode", "TUR:nato_enlargement", "--db", db, *day).split())
    assert "withdrawn" in text and quote in text and "Ankara drops its veto, Harbour Post" in text
    doc = json.loads(run("episode", "TUR:nato_enlargement", "--db", db, *day, "-f", "json"))
    validate(doc)
    (told,) = doc["episode"]["withdrawals"]
    assert (told["id"], told["quote"], told["document"]["id"]) == (withdrawal, quote, back)
    assert doc["episode"]["claims"] == []  # what enforcement is judged on is unchanged
    rows = run("episode", "TUR:nato_enlargement", "--db", db, *day, "-f", "csv")
    assert f"claim,{withdrawal},2022-06-28,{quote},{back}" in rows
    # told apart from the claims enforcement is judged on by its part of the story
    (row,) = [r for r in csv.DictReader(io.StringIO(rows)) if r["kind"] == "claim"]
    assert row["part"] == "withdrawal" and row["document_outlet"] == "Harbour Post"
    run("report", "--db", db, *day, "-o", str(tmp_path / "r.html"))
    assert quote in (tmp_path / "r.html").read_text(encoding="utf-8")
