"""The Python API as the docs describe it: arguments are checked where they enter, filters read
names as the CLI does, and the same fact reads the same through every function (found by a
helper who used the API as a data scientist would)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from redline.errors import ConfigError
from redline.export import export
from redline.link import evaluate, get_episode, link, list_episodes
from redline.review import audit_trail, review
from redline.score import credibility, credibility_timeline
from redline.store import Ledger
from test_link_factories import seeds_ledger

AS_OF = date(2024, 9, 30)


@pytest.fixture
def linked(sqlite_ledger: Ledger) -> Ledger:
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=AS_OF)
    return sqlite_ledger


@pytest.mark.parametrize("bad", [0, -5, "90", 2.5, True, 100_000_000])
def test_a_response_window_is_a_whole_number_of_days(linked: Ledger, bad: object) -> None:
    """0 was read as "the last link's window", -5 turned enforced lines unenforced, and a
    window past the calendar's last day ended in an OverflowError."""
    with pytest.raises(ConfigError, match="window_days must be a whole number of days"):
        evaluate(linked, as_of=AS_OF, window_days=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="window_days must be a whole number of days"):
        link(linked, as_of=AS_OF, window_days=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, -5])
def test_a_report_refuses_a_window_every_other_reader_refuses(
    linked: Ledger, bad: int, tmp_path: Path
) -> None:
    """`write_report(window_days=0)` read 0 as "the last link's window" and -5 as a window,
    where `evaluate`, `link` and `credibility` refuse both."""
    from redline.report import write_report

    with pytest.raises(ConfigError, match="window_days must be a whole number of days"):
        credibility(linked, as_of=AS_OF, window_days=bad)
    with pytest.raises(ConfigError, match="window_days must be a whole number of days"):
        write_report(linked, tmp_path / "report.html", as_of=AS_OF, window_days=bad)
    assert not (tmp_path / "report.html").exists()


def test_a_status_filter_takes_one_status_or_several_and_refuses_unknown_ones(
    linked: Ledger,
) -> None:
    """A string was split into letters (no episode matched "open"), and a typo matched none."""
    one = list_episodes(linked, as_of=AS_OF, status="crossed_unenforced")  # type: ignore[arg-type]
    assert one and one == list_episodes(linked, as_of=AS_OF, status=["crossed_unenforced"])
    with pytest.raises(ConfigError, match="unknown status 'opne'"):
        list_episodes(linked, as_of=AS_OF, status=["opne"])


def test_every_actor_filter_reads_a_name_as_its_code(linked: Ledger) -> None:
    """credibility_timeline(actor="Russia") was empty while list_episodes gave Russia's."""
    assert credibility_timeline(linked, actor="Russia", as_of=AS_OF) == credibility_timeline(
        linked, actor="RUS", as_of=AS_OF
    )
    assert credibility_timeline(linked, actor="Russia", as_of=AS_OF)
    (rus,) = credibility(linked, as_of=AS_OF, actor="Russia")
    assert rus.actor == "RUS"
    with pytest.raises(ConfigError, match="unknown actor"):
        credibility_timeline(linked, actor="Narnia", as_of=AS_OF)


def test_an_export_takes_its_date_as_text_too(linked: Ledger, tmp_path: Path) -> None:
    """The date as an ISO string was compared with the link's date and refused."""
    written = export(linked, tmp_path / "out", fmt="csv", as_of="2024-09-30")  # type: ignore[arg-type]
    assert written["episode_status"] > 0


def test_review_takes_an_episode_key(linked: Ledger) -> None:
    row = review(linked, "episode", "RUS:f16_delivery", "note", reviewer="ana", note="check")
    (stored,) = audit_trail(linked)
    assert stored.item_id == row.item_id and stored.item_type == "episode"


def test_the_evidence_of_an_estimate_is_that_of_the_episodes_it_rests_on(
    sqlite_ledger: Ledger,
) -> None:
    """An estimate resting on one episode said it rested on the documents of all the actor's
    episodes, open ones included ("20 documents" behind one decided line)."""
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "RUS", "atacms_delivery", stated="2024-01-05")
    b.crossing(b.doc("2024-02-02"), "USA", "atacms_delivery", "2024-02-01")
    b.claim(b.doc("2024-06-01"), "RUS", "atacms_delivery", "no_response")  # decided: unenforced
    for day in ("2024-03-01", "2024-03-02", "2024-03-03"):  # an open line, other documents
        b.threat(b.doc(day, outlet=f"Wire {day}"), "RUS", "f16_delivery", stated=day)
    link(sqlite_ledger, as_of=AS_OF)
    states = {s.row["key"]: s for s in evaluate(sqlite_ledger, as_of=AS_OF)}
    (rus,) = credibility(sqlite_ledger, as_of=AS_OF)
    assert str(states["RUS:f16_delivery"].assessment.status) == "open"
    behind = set().union(*(states[k].assessment.document_ids for k in rus.decided_episodes))
    assert (
        rus.n_documents
        == len(behind)
        < len(set().union(*(s.assessment.document_ids for s in states.values())))
    )


def test_a_story_item_says_where_its_quote_starts(linked: Ledger) -> None:
    """span_start and span_end count from the document's start while the quote is the
    sentence: sentence_start lets a reader cut the span out of the quote."""
    story = get_episode(linked, "RUS:f16_delivery", as_of=AS_OF)
    for item in story.threats:
        lo = item.span_start - item.sentence_start
        hi = item.span_end - item.sentence_start
        assert 0 <= lo < hi <= len(item.quote)


def test_a_key_or_code_given_with_spaces_around_it_is_read_without_them(linked: Ledger) -> None:
    """A key copied with a space around it (" RUS", "f16_delivery ") was refused as unknown by
    every filter; the spaces go, and a key that is wrong without them is still refused."""
    from redline.extract.query import list_events, list_threats
    from redline.score import get_prior

    assert list_threats(linked, actor=" RUS", trigger="f16_delivery ") == list_threats(
        linked, actor="RUS", trigger="f16_delivery"
    )
    assert list_threats(linked, actor=" RUS")
    assert list_events(linked, kind=" crossing ") == list_events(linked, kind="crossing")
    assert list_episodes(linked, as_of=AS_OF, actor="RUS ", status=[" crossed_unenforced"])
    assert credibility(linked, as_of=AS_OF, actor=" Russia")[0].actor == "RUS"
    assert get_prior(" sechser") == get_prior("sechser")
    with pytest.raises(ConfigError, match="unknown trigger key 'f16'"):
        list_threats(linked, trigger=" f16 ")
    with pytest.raises(ConfigError, match="unknown actor 'RUSS'"):
        list_threats(linked, actor=" RUSS")


def test_a_trigger_or_kind_filter_that_names_nothing_says_so(linked: Ledger) -> None:
    """`threats --trigger f16` and `events --kind crossings` listed nothing, without a word."""
    from redline.extract.query import list_events, list_threats

    with pytest.raises(ConfigError, match="unknown trigger key 'f16'; did you mean f16_delivery"):
        list_threats(linked, trigger="f16")
    with pytest.raises(ConfigError, match="unknown event kind 'crossings'"):
        list_events(linked, kind="crossings")
    assert list_threats(linked, trigger="f16_delivery")
    assert list_threats(linked, trigger="new_") == []  # the coined lines: none here
    assert list_events(linked, kind="crossing")


def test_the_item_listings_are_public_and_list_what_the_cli_lists(linked: Ledger) -> None:
    """Reading the threats, events and claims back needed `redline.extract.query`, a module
    neither `redline.extract` exported nor any doc named; the CLI read it so too."""
    import json

    from typer.testing import CliRunner

    import redline.extract
    from redline.cli import app
    from redline.output import to_json

    for command, name in (
        ("threats", "list_threats"),
        ("events", "list_events"),
        ("claims", "list_claims"),
    ):
        assert name in redline.extract.__all__
        listed = getattr(redline.extract, name)(linked)
        result = CliRunner().invoke(app, [command, "--db", linked.url, "-f", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["items"] == json.loads(
            to_json([i.as_dict() for i in listed])
        )


def test_a_ledger_opens_from_a_path_object(tmp_path: Path) -> None:
    """`Ledger.open(Path("ledger.db"))`, what a notebook passes, ended in "TypeError: argument
    of type 'PosixPath' is not iterable"; a value that is neither text nor a path is named."""
    from redline.errors import StoreError

    ledger = Ledger.open(tmp_path / "sub" / "ledger.db")
    assert ledger.url == f"sqlite:///{tmp_path / 'sub' / 'ledger.db'}"
    assert (tmp_path / "sub" / "ledger.db").is_file()
    with pytest.raises(StoreError, match="a ledger is a database URL or a file path, not 5"):
        Ledger.open(5)  # type: ignore[arg-type]


def test_an_actor_filter_given_a_number_says_what_it_takes(linked: Ledger) -> None:
    """An item's `speaker_actor_id` (a number) passed as `actor=` ended every actor filter in
    "TypeError: normalize() argument 2 must be str, not int" from deep in the gazetteer."""
    from redline.extract.query import list_threats

    for call in (
        lambda: list_threats(linked, actor=7),  # type: ignore[arg-type]
        lambda: list_episodes(linked, as_of=AS_OF, actor=7),  # type: ignore[arg-type]
        lambda: credibility_timeline(linked, actor=7, as_of=AS_OF),  # type: ignore[arg-type]
    ):
        with pytest.raises(ConfigError, match="an actor is a name or a code such as RUS, not 7"):
            call()
