"""Analyst review: decisions apply, survive re-extraction and leave an audit trail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import RedlineError
from redline.extract import extract_documents
from redline.extract.query import list_threats
from redline.ingest import ingest_paths
from redline.review import Applied, audit_trail, review
from redline.store import Ledger
from redline.store.schema import threats

TEXT = (
    "date 2022-02-08 Biden said\n\n"
    "US President Joe Biden said on Monday that Russia would face severe sanctions if it invaded Ukraine.\n"
)


@pytest.fixture
def reviewed_ledger(ledger: Ledger, tmp_path: Path) -> Ledger:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    ingest_paths(ledger, [tmp_path / "a.txt"], progress=False)
    extract_documents(ledger)
    return ledger


def test_correction_changes_the_item_and_is_audited(reviewed_ledger: Ledger) -> None:
    (threat,) = list_threats(reviewed_ledger)
    row = review(
        reviewed_ledger,
        "threat",
        threat.id,
        "correct",
        field="consequence_class",
        value="diplomatic",
        reviewer="ana",
        note="test",
    )
    assert (row.old_value, row.new_value) == ("sanctions_or_economic", "diplomatic")
    (after,) = list_threats(reviewed_ledger)
    assert (after.consequence_class, after.review_state) == ("diplomatic", "corrected")
    (audit,) = audit_trail(reviewed_ledger)
    assert (audit.reviewer, audit.action, audit.field) == (
        "ana",
        "correct",
        "consequence_class",
    )


def test_every_explicitness_the_ledger_writes_can_be_set_by_an_analyst(
    reviewed_ledger: Ledger,
) -> None:
    """The learned extractor writes explicitness ``implicit`` (docs/extraction.md), but a
    correction to it was refused ("must be one of direct_quote, reported_speech,
    implied_doctrine"): a threat read wrongly as reported speech could not be set back."""
    from redline.store.schema import EXPLICITNESS

    (threat,) = list_threats(reviewed_ledger)
    assert threat.explicitness in EXPLICITNESS
    row = review(
        reviewed_ledger,
        "threat",
        threat.id,
        "correct",
        field="explicitness",
        value="implicit",
        reviewer="ana",
    )
    assert row.new_value == "implicit"
    (after,) = list_threats(reviewed_ledger)
    assert after.explicitness == "implicit"


def test_corrected_countries_and_lines_must_be_ones_the_ledger_can_use(
    reviewed_ledger: Ledger,
) -> None:
    """A country code the gazetteer does not know would make an episode no filter selects, and
    a trigger key outside the vocabulary (not in the coined form) would drop the threat from
    every episode: both are refused, naming the value, and nothing is stored. A country is
    read as every filter reads it ("Russia" -> RUS)."""
    (threat,) = list_threats(reviewed_ledger)

    def correct(field: str, value: str) -> Applied:
        return review(
            reviewed_ledger,
            "threat",
            threat.id,
            "correct",
            field=field,
            value=value,
            reviewer="a",
        )

    with pytest.raises(RedlineError, match="unknown actor 'ZZZ'"):
        correct("speaker_country", "ZZZ")
    with pytest.raises(RedlineError, match="unknown trigger_key 'totally_made_up'"):
        correct("trigger_key", "totally_made_up")
    with pytest.raises(RedlineError, match="did you mean invasion_of_ukraine"):
        correct("trigger_key", "invasion_of_ukrain")
    with pytest.raises(RedlineError, match="unknown trigger_key"):
        correct("trigger_key", "new_Bad Key")
    assert audit_trail(reviewed_ledger) == []
    assert correct("speaker_country", "Russia").new_value == "RUS"
    assert correct("trigger_key", "new_drones_over_baltic").new_value == "new_drones_over_baltic"
    assert correct("trigger_key", "tanks_to_ukraine").new_value == "tanks_to_ukraine"
    (after,) = list_threats(reviewed_ledger)
    assert (after.speaker_country, after.trigger_key) == ("RUS", "tanks_to_ukraine")


def test_reviewed_items_survive_reextraction_and_rejected_ones_disappear(
    reviewed_ledger: Ledger,
) -> None:
    (threat,) = list_threats(reviewed_ledger)
    review(reviewed_ledger, "threat", threat.id, "reject", reviewer="ana")
    assert list_threats(reviewed_ledger) == []
    extract_documents(reviewed_ledger, redo=True)
    with reviewed_ledger.connect() as conn:
        rows = conn.execute(sa.select(threats.c.id, threats.c.review_state)).all()
    # the analyst's row stays, and the machine finding it again adds no copy that would undo
    # the rejection (tests/test_store_hardening.py has the rest)
    assert rows == [(threat.id, "rejected")]
    assert list_threats(reviewed_ledger) == []


def test_bad_corrections_are_refused_and_change_nothing(reviewed_ledger: Ledger) -> None:
    (threat,) = list_threats(reviewed_ledger)
    with pytest.raises(RedlineError, match="must be one of"):
        review(
            reviewed_ledger,
            "threat",
            threat.id,
            "correct",
            field="consequence_class",
            value="doom",
        )
    with pytest.raises(RedlineError, match="cannot be corrected"):
        review(reviewed_ledger, "threat", threat.id, "correct", field="document_id", value="2")
    with pytest.raises(RedlineError, match="no threat with id"):
        review(reviewed_ledger, "threat", 9999, "confirm")
    with pytest.raises(RedlineError, match="no threat with id"):
        review(reviewed_ledger, "threat", 99999999999999999999, "confirm")
    with pytest.raises(RedlineError, match="--set goes with 'correct' only"):
        review(
            reviewed_ledger,
            "threat",
            threat.id,
            "confirm",
            field="consequence_class",
            value="doom",
        )
    with pytest.raises(RedlineError, match="reviewer is a printable name"):
        review(reviewed_ledger, "threat", threat.id, "confirm", reviewer="x" * 500)
    with pytest.raises(RedlineError, match="reviewer is a printable name"):
        review(reviewed_ledger, "threat", threat.id, "confirm", reviewer="ana\x1b[31m")
    with pytest.raises(RedlineError, match="speaker cannot be set empty"):
        review(reviewed_ledger, "threat", threat.id, "correct", field="speaker", value=" ")
    # a correction to the value already there was recorded as a change ("'vague' -> 'vague'")
    # and froze the field against re-extraction; an empty note recorded nothing and kept its
    # episode through every relink
    with pytest.raises(RedlineError, match="already"):
        review(
            reviewed_ledger,
            "threat",
            threat.id,
            "correct",
            field="consequence_class",
            value=threat.consequence_class,
        )
    with pytest.raises(RedlineError, match="needs its text"):
        review(reviewed_ledger, "threat", threat.id, "note", note="  ")
    assert audit_trail(reviewed_ledger) == []
    assert list_threats(reviewed_ledger)[0].review_state == "machine"


def test_cli_review_and_audit_trail(reviewed_ledger: Ledger) -> None:
    (threat,) = list_threats(reviewed_ledger)
    runner = CliRunner()
    url = reviewed_ledger.engine.url.render_as_string(hide_password=False)
    res = runner.invoke(
        app, ["review", "threat", str(threat.id), "confirm", "--by", "bo", "--db", url]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["reviews", "--format", "csv", "--db", url])
    assert res.exit_code == 0 and ",bo,threat," in res.output


def test_a_corrected_date_is_a_day_and_stays_one_after_reextraction(
    ledger: Ledger, tmp_path: Path
) -> None:
    """The analyst's date kept the extractor's precision: a threat read as "February 2022"
    corrected to 2022-02-20 still read as the month, and re-extraction would have put the
    month back."""
    (tmp_path / "m.txt").write_text(
        "date 2022-03-08 Biden said\n\nIn February, US President Joe Biden said that Russia "
        "would face severe sanctions if it invaded Ukraine.\n",
        encoding="utf-8",
    )
    ingest_paths(ledger, [tmp_path / "m.txt"], progress=False)
    extract_documents(ledger)
    (threat,) = list_threats(ledger)
    assert threat.stated_precision == "month"
    review(
        ledger,
        "threat",
        threat.id,
        "correct",
        field="stated_date",
        value="2022-02-20",
        reviewer="ana",
    )
    extract_documents(ledger, redo=True)
    with ledger.connect() as conn:
        row = conn.execute(sa.select(threats).where(threats.c.id == threat.id)).one()
    assert (row.stated_date.isoformat(), row.stated_precision) == ("2022-02-20", "day")
    # a date after the article was published is refused: the threat would count nowhere
    with pytest.raises(RedlineError, match="2030-01-01 is after its article was published"):
        review(ledger, "threat", threat.id, "correct", field="stated_date", value="2030-01-01")


def test_an_event_an_analyst_calls_a_response_no_longer_crosses_a_line(
    sqlite_ledger: Ledger,
) -> None:
    """Linking files an act by the side a line addresses as a crossing whatever the extractor
    called it; an analyst's correction of the kind is taken at its word."""
    from datetime import date

    from redline.link import evaluate, link
    from test_link_factories import seeds_ledger

    day = date(2024, 9, 30)
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=day)
    crossings = {s.row["key"]: s.assessment.crossing for s in evaluate(sqlite_ledger, as_of=day)}
    key, event = next((k, c) for k, c in crossings.items() if c is not None)
    review(sqlite_ledger, "event", event.id, "correct", field="kind", value="response")
    link(sqlite_ledger, as_of=day)
    after = {s.row["key"]: s.assessment for s in evaluate(sqlite_ledger, as_of=day)}
    assert after[key].crossing is None or after[key].crossing.id != event.id
    assert all(event.id not in {c.id for c in a.usable_crossings} for a in after.values())
    # the other lines' crossings are untouched
    assert {k: c.id for k, c in crossings.items() if c is not None and c.id != event.id} == {
        k: a.crossing.id for k, a in after.items() if a.crossing is not None
    }


def test_a_status_is_explained_by_its_own_review_not_an_earlier_ones_note(
    sqlite_ledger: Ledger,
) -> None:
    from datetime import date

    from redline.link import get_episode, link
    from test_link_factories import seeds_ledger

    day = date(2024, 9, 30)
    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=day)
    review(sqlite_ledger, "episode", 1, "reject", reviewer="ana", note="a forecast")
    review(sqlite_ledger, "episode", 1, "confirm", reviewer="ana")
    review(sqlite_ledger, "episode", 1, "withdraw", reviewer="ben")
    # as of today: a withdrawal holds from the day it was recorded
    why = " ".join(get_episode(sqlite_ledger, 1).explanation)
    assert "an analyst review (ben) set withdrawn." in why and "a forecast" not in why
    review(sqlite_ledger, "episode", 1, "reject", reviewer="cy", note="not a line after all")
    review(sqlite_ledger, "episode", 1, "confirm", reviewer="cy")
    why = " ".join(get_episode(sqlite_ledger, 1).explanation)
    assert "(ben) set withdrawn." in why and "not a line" not in why
    # before that day, the evidence's status stands, and the story says why
    before = get_episode(sqlite_ledger, 1, as_of=day)
    assert before.summary.status != "withdrawn"
    assert "(ben, " in " ".join(before.explanation)


def test_an_analyst_status_does_not_reach_back_before_the_line_was_crossed(
    sqlite_ledger: Ledger,
) -> None:
    """An analyst's status is a judgement made on a day: it holds from that day on, and on an
    earlier date only for a line the evidence shows crossed by then (the outcome of that
    crossing). As of a date before the crossing the line was open, and follow-through must not
    count it (a probe found an analyst's crossed_unenforced counted before the crossing)."""
    from datetime import date

    from redline.link import episode_status, link
    from redline.score import credibility
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "RUS", "f16_delivery", stated="2024-01-05")
    b.crossing(b.doc("2024-08-05"), "USA", "f16_delivery", "2024-08-04")
    link(sqlite_ledger, as_of=date(2024, 12, 31))
    review(sqlite_ledger, "episode", 1, "correct", field="status", value="crossed_unenforced")
    assert episode_status(sqlite_ledger, 1, date(2024, 12, 31)).status == "crossed_unenforced"
    before = episode_status(sqlite_ledger, 1, date(2024, 3, 1))
    assert before is not None and before.status == "open" and before.basis != "review"
    (rus,) = credibility(sqlite_ledger, as_of=date(2024, 3, 1))
    assert rus.decided == 0 and rus.mean is None
    assert episode_status(sqlite_ledger, 1).status == "crossed_unenforced"  # today
    # a listing says who decided each status: a person's 1.0 is not the evidence's certainty
    from redline.link import list_episodes

    (now_row,) = list_episodes(sqlite_ledger)
    (then_row,) = list_episodes(sqlite_ledger, as_of=date(2024, 3, 1))
    assert (now_row.status_by, then_row.status_by) == ("analyst", "evidence")


def test_an_analyst_names_the_day_a_status_holds_from(sqlite_ledger: Ledger) -> None:
    """An analyst who reads that the owner took the line back in May 2024 records the
    withdrawal as holding from then: follow-through as of June counts it withdrawn, as of April
    it does not; a crossed status given a day holds from that day only, not back to the
    crossing; the day is checked, shown in the story and kept in the audit trail."""
    from datetime import date

    from redline.link import episode_status, get_episode, link
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-10")
    b.threat(d, "RUS", "f16_delivery", stated="2024-01-05")
    b.threat(d, "RUS", "atacms_delivery", stated="2024-01-05")
    b.crossing(b.doc("2024-03-05"), "USA", "atacms_delivery", "2024-03-04")
    link(sqlite_ledger, as_of=date(2024, 12, 31))
    row = review(
        sqlite_ledger,
        "episode",
        "RUS:f16_delivery",
        "withdraw",
        reviewer="ana",
        effective="2024-05-01",
    )
    assert row.effective == date(2024, 5, 1)
    assert episode_status(sqlite_ledger, "RUS:f16_delivery", date(2024, 6, 1)).status == "withdrawn"
    april = episode_status(sqlite_ledger, "RUS:f16_delivery", date(2024, 4, 30))
    assert april.status == "open" and "the day the analyst named" in " ".join(april.explanation)
    review(
        sqlite_ledger,
        "episode",
        "RUS:atacms_delivery",
        "correct",
        field="status",
        value="crossed_unenforced",
        reviewer="ana",
        effective=date(2024, 9, 1),
    )
    # crossed in March by the evidence: without a day the analyst's status reached back to it
    august = episode_status(sqlite_ledger, "RUS:atacms_delivery", date(2024, 8, 1))
    assert august.status == "undetermined" and august.basis != "review"
    later = episode_status(sqlite_ledger, "RUS:atacms_delivery", date(2024, 9, 2))
    assert later.status == "crossed_unenforced"
    story = get_episode(sqlite_ledger, "RUS:atacms_delivery")
    assert [d.effective for d in story.analyst_decisions] == [date(2024, 9, 1)]
    for bad, why in [
        ({"effective": "2999-01-01"}, "after today"),
        ({"effective": "May 2024"}, "YYYY-MM-DD"),
    ]:
        with pytest.raises(RedlineError, match=why):
            review(sqlite_ledger, "episode", "RUS:f16_delivery", "withdraw", **bad)
    url = sqlite_ledger.engine.url.render_as_string(hide_password=False)
    res = CliRunner().invoke(
        app,
        ["review", "episode", "RUS:f16_delivery", "withdraw", "--effective", "2024-05-02"]
        + ["--by", "bo", "--db", url],
    )
    assert res.exit_code == 0 and "holding from 2024-05-02" in res.output, res.output
    res = CliRunner().invoke(app, ["reviews", "--format", "csv", "--db", url])
    assert "2024-05-02" in res.output and "effective" in res.output.splitlines()[0]
    with pytest.raises(RedlineError, match="episode's status only"):
        review(
            sqlite_ledger, "episode", "RUS:f16_delivery", "note", note="x", effective="2024-05-01"
        )


def test_a_correction_leaves_a_rejected_item_rejected(reviewed_ledger: Ledger) -> None:
    """Only a confirmation brings a rejected item back: a correction of one is recorded and
    the item stays out of every listing and episode, and the CLI says so (a correction had
    silently restored it)."""
    (threat,) = list_threats(reviewed_ledger)
    url = reviewed_ledger.engine.url.render_as_string(hide_password=False)
    review(reviewed_ledger, "threat", threat.id, "reject", reviewer="ana", note="not a line")
    res = CliRunner().invoke(
        app,
        ["review", "threat", str(threat.id), "correct", "--set", "consequence_class=vague"]
        + ["--by", "bo", "--db", url],
    )
    assert res.exit_code == 0, res.output
    assert f"threat {threat.id} stays rejected" in " ".join(res.output.split())
    assert list_threats(reviewed_ledger) == []
    with reviewed_ledger.connect() as conn:
        state, kind = conn.execute(
            sa.select(threats.c.review_state, threats.c.consequence_class)
        ).one()
    assert (state, kind) == ("rejected", "vague")
    review(reviewed_ledger, "threat", threat.id, "confirm", reviewer="ana")
    (back,) = list_threats(reviewed_ledger)
    assert back.consequence_class == "vague"


def test_a_correction_that_puts_a_threat_on_the_crossing_side_is_flagged(
    reviewed_ledger: Ledger,
) -> None:
    """A threat corrected onto a line its speaker's side would cross opens no episode: the
    review says so, and `link` counts such threats in its summary (the threat dropped out of
    every episode unremarked)."""
    (threat,) = list_threats(reviewed_ledger)  # Biden's sanctions warning over an invasion
    url = reviewed_ledger.engine.url.render_as_string(hide_password=False)
    res = CliRunner().invoke(
        app,
        ["review", "threat", str(threat.id), "correct", "--set", "speaker_country=RUS"]
        + ["--by", "bo", "--db", url],
    )
    assert res.exit_code == 0, res.output
    assert "this threat will open no episode" in " ".join(res.output.split())
    res = CliRunner().invoke(app, ["link", "--db", url])
    assert res.exit_code == 0, res.output
    assert "1 by the side that would cross the line they name" in " ".join(res.output.split())
    ok = CliRunner().invoke(
        app,
        ["review", "threat", str(threat.id), "correct", "--set", "speaker_country=USA"]
        + ["--by", "bo", "--db", url],
    )
    assert ok.exit_code == 0 and "open no episode" not in ok.output


def test_a_note_loses_escape_sequences_and_bidirectional_overrides(
    reviewed_ledger: Ledger,
) -> None:
    """A note is shown in terminals, CSV files and the report: escape sequences, control
    characters and bidirectional overrides are dropped when it is stored (an override made
    "gnp.exe" show as "exe.png"), and terminal output drops overrides from any text."""
    from redline.output import terminal_text

    (threat,) = list_threats(reviewed_ledger)
    row = review(
        reviewed_ledger,
        "threat",
        threat.id,
        "note",
        reviewer="ana",
        note="red \x1b[31mtext\x1b[0m bell\x07\nsecond line \u202egnp.exe",
    )
    assert row.note == "red text bell\nsecond line gnp.exe"
    (stored,) = audit_trail(reviewed_ledger)
    assert stored.note == row.note
    assert terminal_text("a \u2066b\u2069 \u202dc").plain == "a b c"


def test_bidirectional_marks_leave_notes_and_every_csv_cell(sqlite_ledger: Ledger) -> None:
    """The invisible marks U+200E, U+200F and U+061C reorder a line as overrides do (a mark
    beside a neutral character moves it to the other side of a word), yet notes kept them; and
    a CSV listing kept every bidirectional control of an article's sentence, which its table
    drops."""
    from redline.output import terminal_text
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    doc = b.doc("2024-01-10")
    t = b.threat(doc, "RUS", "f16_delivery", quote="He said \u202egnp.exe\u2066 and \u200fmore.")
    row = review(
        sqlite_ledger, "threat", t, "note", reviewer="ana", note="a \u200fb\u200e c\u061c d"
    )
    assert row.note == "a b c d"
    assert terminal_text("x\u200e\u200fy").plain == "xy"
    res = CliRunner().invoke(app, ["threats", "-f", "csv", "--db", sqlite_ledger.url])
    assert res.exit_code == 0, res.output
    assert "He said gnp.exe and more." in res.output
    res = CliRunner().invoke(app, ["reviews", "-f", "csv", "--db", sqlite_ledger.url])
    assert res.exit_code == 0, res.output
    assert "a b c d" in res.output


def test_a_correction_typed_with_spaces_around_its_names_is_read_without_them(
    sqlite_ledger: Ledger,
) -> None:
    """`--set "trigger_key= weapons_to_ukraine"` (a key pasted after a space) was refused as an
    unknown trigger key, and a class, field, action or item type with a space around it as
    unknown too; the spaces go, and a key wrong without them is still refused, naming it."""
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    t = b.threat(b.doc("2024-01-10"), "RUS", "f16_delivery", stated="2024-01-05")
    url = sqlite_ledger.url
    runner = CliRunner()
    for args in (
        ["threat", str(t), "correct", "--set", "trigger_key= weapons_to_ukraine"],
        [" threat ", str(t), " correct", "--set", " consequence_class = diplomatic "],
        ["threat", str(t), "correct", "--set", "speaker_country= USA "],
    ):
        res = runner.invoke(app, ["review", *args, "--by", "ana", "--db", url])
        assert res.exit_code == 0, res.output
    (after,) = list_threats(sqlite_ledger)
    assert (after.trigger_key, after.consequence_class, after.speaker_country) == (
        "weapons_to_ukraine",
        "diplomatic",
        "USA",
    )
    assert [r.new_value for r in audit_trail(sqlite_ledger)] == [
        "weapons_to_ukraine",
        "diplomatic",
        "USA",
    ]
    with pytest.raises(RedlineError, match="unknown trigger_key 'weapons_to_ukrain'"):
        review(
            sqlite_ledger,
            "threat",
            t,
            "correct",
            field="trigger_key",
            value=" weapons_to_ukrain ",
            reviewer="ana",
        )


def test_a_corrected_text_value_loses_escape_sequences_as_a_note_does(
    reviewed_ledger: Ledger,
) -> None:
    """A corrected speaker is shown in terminals, CSV files and the report like a note, but it
    was stored with its escape sequences: `threats -f csv` sent them to the terminal as they
    were, and redirected to a file (where the CLI drops colour codes) the cell began with the
    "=" the formula guard had not seen behind the escape."""
    (threat,) = list_threats(reviewed_ledger)
    row = review(
        reviewed_ledger,
        "threat",
        threat.id,
        "correct",
        field="speaker",
        value='\x1b[31m=HYPERLINK("http://x.invalid")\x1b[0m \u202eBiden',
        reviewer="ana",
    )
    clean = '=HYPERLINK("http://x.invalid") Biden'
    assert row.new_value == clean
    assert list_threats(reviewed_ledger)[0].speaker == clean
    url = reviewed_ledger.engine.url.render_as_string(hide_password=False)
    res = CliRunner().invoke(app, ["threats", "--format", "csv", "--db", url])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and """'=HYPERLINK(""http://x.invalid"") Biden""" in res.output


def test_a_decision_given_twice_is_stored_once(sqlite_ledger: Ledger) -> None:
    """A review command run twice (a script re-run, a shell's history) stored the same decision
    twice in the audit trail; it is stored once, unless another decision came between."""
    from datetime import date

    from redline.link import link
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    t = b.threat(b.doc("2024-01-10"), "RUS", "f16_delivery", stated="2024-01-05")
    link(sqlite_ledger, as_of=date(2024, 12, 31))
    runner = CliRunner()
    key = "RUS:f16_delivery"
    withdraw = ["review", "episode", key, "withdraw", "--effective", "2024-06-01", "--by", "ana"]
    confirm = ["review", "threat", str(t), "confirm", "--by", "ana", "--note", "checked"]
    outputs = []
    for args in (withdraw, withdraw, confirm, confirm):
        res = runner.invoke(app, [*args, "--db", sqlite_ledger.url])
        assert res.exit_code == 0, res.output
        outputs.append(" ".join(res.output.split()))
    assert "already recorded" in outputs[1] and "already recorded" in outputs[3]
    assert [(r.item_type, r.action) for r in audit_trail(sqlite_ledger)] == [
        ("episode", "withdraw"),
        ("threat", "confirm"),
    ]
    # the same decision after another one is a decision again
    review(sqlite_ledger, "episode", key, "correct", field="status", value="open", reviewer="bo")
    review(sqlite_ledger, "episode", key, "withdraw", reviewer="ana", effective="2024-06-01")
    assert [r.action for r in audit_trail(sqlite_ledger, item_type="episode")] == [
        "withdraw",
        "correct",
        "withdraw",
    ]


def test_an_episode_story_tells_the_analysts_decisions(sqlite_ledger: Ledger) -> None:
    """A rejected episode looked up directly says it is rejected, and notes and confirmations
    are in the story, not only in `redline reviews` (it read as a live verdict)."""
    import json
    from datetime import date

    from redline.link import link
    from redline.schemas import validate
    from test_link_factories import seeds_ledger

    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=date(2024, 9, 30))
    review(sqlite_ledger, "episode", 1, "note", reviewer="ana", note="check the Peskov quote")
    review(sqlite_ledger, "episode", 1, "reject", reviewer="ben", note="not a red line")
    url = sqlite_ledger.url
    text = CliRunner().invoke(
        app, ["episode", "1", "--db", url, "--as-of", "2024-09-30"], env={"COLUMNS": "200"}
    )
    assert text.exit_code == 0, text.output
    flat = " ".join(text.output.split())
    assert "Rejected by an analyst: not a red line" in flat
    assert "ana note: check the Peskov quote" in flat and "ben reject: not a red line" in flat
    doc = json.loads(
        CliRunner()
        .invoke(app, ["episode", "1", "--db", url, "--as-of", "2024-09-30", "-f", "json"])
        .output
    )
    validate(doc)
    assert doc["episode"]["analyst_rejected"] is True
    assert [d["action"] for d in doc["episode"]["analyst_decisions"]] == ["note", "reject"]


def test_an_episode_story_marks_the_threats_an_analyst_corrected_or_confirmed(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A threat an analyst moved to another line (its trigger corrected) is in that line's
    story as the analyst's reading, in the terminal and the report: only an added item was
    marked, so a corrected trigger or speaker read as what the machine found."""
    from redline.link import link
    from redline.report import write_report

    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    ingest_paths(sqlite_ledger, [tmp_path / "a.txt"], progress=False)
    extract_documents(sqlite_ledger)
    (threat,) = list_threats(sqlite_ledger)
    review(
        sqlite_ledger,
        "threat",
        threat.id,
        "correct",
        field="trigger_key",
        value="attack_on_allies",
    )
    link(sqlite_ledger, as_of=date(2022, 3, 1))
    url = sqlite_ledger.url
    told = CliRunner().invoke(
        app, ["episode", "USA:attack_on_allies", "--db", url, "--as-of", "2022-03-01"]
    )
    assert told.exit_code == 0, told.output
    assert "(corrected by an analyst)" in " ".join(told.output.split())
    page = tmp_path / "r.html"
    write_report(sqlite_ledger, page, as_of=date(2022, 3, 1))
    assert "corrected by an analyst</span>" in page.read_text(encoding="utf-8")
    review(sqlite_ledger, "threat", threat.id, "confirm")
    told = CliRunner().invoke(
        app, ["episode", "USA:attack_on_allies", "--db", url, "--as-of", "2022-03-01"]
    )
    assert "(confirmed by an analyst)" in " ".join(told.output.split())


def test_an_analysts_status_can_be_lifted_and_the_evidence_decides_again(
    reviewed_ledger: Ledger,
) -> None:
    """A withdrawal (or any status an analyst set) given by mistake could only be replaced by
    another analyst's status, which froze the line against later evidence: `lift` takes it off,
    in the audit trail with the status it lifted."""
    import json

    from redline.link import link, list_episodes
    from redline.schemas import validate

    link(reviewed_ledger, as_of=date(2022, 3, 1))
    (before,) = list_episodes(reviewed_ledger, as_of=date(2022, 3, 1))
    key = before.key
    review(reviewed_ledger, "episode", key, "withdraw", reviewer="ana", effective="2022-02-20")
    (withdrawn,) = list_episodes(reviewed_ledger, as_of=date(2022, 3, 1))
    assert (withdrawn.status, withdrawn.status_by) == ("withdrawn", "analyst")
    url = reviewed_ledger.engine.url.render_as_string(hide_password=False)
    res = CliRunner().invoke(app, ["review", "episode", key, "lift", "--by", "ana", "--db", url])
    assert res.exit_code == 0, res.output
    assert "lift status 'withdrawn'" in " ".join(res.output.split())
    link(reviewed_ledger, as_of=date(2022, 3, 1))
    (after,) = list_episodes(reviewed_ledger, as_of=date(2022, 3, 1))
    assert (after.status, after.status_by) == (before.status, "evidence")
    lifted = audit_trail(reviewed_ledger, item_type="episode")[-1]
    assert (lifted.action, lifted.field, lifted.old_value) == (
        "lift",
        "status",
        "withdrawn",
    )
    told = CliRunner().invoke(
        app, ["episode", key, "--db", url, "--as-of", "2022-03-01", "-f", "json"]
    )
    assert told.exit_code == 0, told.output
    story = json.loads(told.output)
    validate(story)
    assert [d["action"] for d in story["episode"]["analyst_decisions"]] == ["withdraw", "lift"]
    with pytest.raises(RedlineError, match="nothing to lift"):
        review(reviewed_ledger, "episode", key, "lift")
    (threat,) = list_threats(reviewed_ledger)
    with pytest.raises(RedlineError, match="only an episode"):
        review(reviewed_ledger, "threat", threat.id, "lift")
    assert len(audit_trail(reviewed_ledger)) == 2


def test_a_corrected_country_drops_the_actor_of_the_old_one(reviewed_ledger: Ledger) -> None:
    """The gazetteer actor a threat named (Joe Biden) belongs to its old country: a corrected
    speaker country leaves no actor id pointing at it (the export showed Biden for GBR)."""
    (threat,) = list_threats(reviewed_ledger)
    with reviewed_ledger.connect() as conn:
        before = conn.execute(sa.select(threats.c.speaker_actor_id)).scalar()
    assert before is not None
    review(reviewed_ledger, "threat", threat.id, "correct", field="speaker_country", value="GBR")
    with reviewed_ledger.connect() as conn:
        assert conn.execute(sa.select(threats.c.speaker_actor_id)).scalar() is None


def test_an_episode_is_reviewed_by_its_key_and_a_missing_id_says_why(
    sqlite_ledger: Ledger,
) -> None:
    """Episode ids change when `link` runs for another date; keys do not, so `review episode`
    takes a key, and an id that is gone says which listing gives the current ones."""
    from datetime import date

    from redline.link import link
    from test_link_factories import seeds_ledger

    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=date(2024, 9, 30))
    url = sqlite_ledger.url
    res = CliRunner().invoke(
        app,
        ["review", "episode", "RUS:f16_delivery", "note", "--note", "read the sources"]
        + ["--by", "ana", "--db", url],
    )
    assert res.exit_code == 0, res.output
    (row,) = audit_trail(sqlite_ledger)
    assert row.item_type == "episode" and row.action == "note"
    with pytest.raises(RedlineError, match="an episode key .* does not"):
        review(sqlite_ledger, "episode", 9999, "note", reviewer="ana", note="read it")
    with pytest.raises(RedlineError, match="`redline events` lists the current ones"):
        review(sqlite_ledger, "event", 9999, "confirm", reviewer="ana")


def test_a_review_during_a_reextraction_is_stored_or_refused_never_lost(
    reviewed_ledger: Ledger,
) -> None:
    """A re-extraction that deletes an item while an analyst reviews it (here a transaction
    that locks the document and deletes the item, as `extract --redo` does, committed while the
    review waits): the review is refused with the reason, and no review row points at nothing
    (it was reported stored and lost with the item)."""
    import threading

    from redline.store.schema import documents

    (threat,) = list_threats(reviewed_ledger)
    outcome: dict[str, object] = {}
    with reviewed_ledger.begin() as conn:
        doc = conn.execute(sa.select(threats.c.document_id)).scalar_one()
        conn.execute(sa.select(documents.c.id).where(documents.c.id == doc).with_for_update())
        conn.execute(sa.delete(threats).where(threats.c.id == threat.id))

        def analyst() -> None:
            try:
                outcome["row"] = review(
                    reviewed_ledger, "threat", threat.id, "note", reviewer="ana", note="n"
                )
            except RedlineError as exc:
                outcome["error"] = exc

        waiting = threading.Thread(target=analyst)
        waiting.start()
        waiting.join(timeout=1.5)  # the review waits for the re-extraction's transaction
    waiting.join(timeout=60)
    assert "row" not in outcome and "no threat with id" in str(outcome.get("error"))
    assert audit_trail(reviewed_ledger) == []


def test_a_corrected_country_keeps_no_actor_after_reextraction(reviewed_ledger: Ledger) -> None:
    """Re-extraction refreshes a corrected threat's other fields, but not the actor of the
    country the analyst replaced (it wrote "Joe Biden" back beside GBR)."""
    (threat,) = list_threats(reviewed_ledger)
    review(reviewed_ledger, "threat", threat.id, "correct", field="speaker_country", value="GBR")
    extract_documents(reviewed_ledger, redo=True)
    with reviewed_ledger.connect() as conn:
        row = conn.execute(sa.select(threats.c.speaker_country, threats.c.speaker_actor_id)).one()
    assert (row.speaker_country, row.speaker_actor_id) == ("GBR", None)


def test_an_episode_decision_waits_for_a_link_run_and_holds_it_off(ledger: Ledger) -> None:
    """Linking drops episodes no analyst reviewed; a decision stored while it ran was reported
    stored and lost with its episode. A decision on an episode now takes the lock a link run
    holds: it waits until the run is done, and the key is resolved after it."""
    import threading
    from datetime import date

    from redline.link import link
    from test_link_factories import Builder

    b = Builder(ledger)
    d = b.doc("2024-01-10")
    b.threat(d, "RUS", "f16_delivery", stated="2024-01-05")
    link(ledger, as_of=date(2024, 12, 31))
    stored = threading.Event()

    def decide() -> None:
        review(ledger, "episode", "RUS:f16_delivery", "reject", reviewer="ana")
        stored.set()

    with ledger.exclusive():  # what a link run holds while it writes episodes
        worker = threading.Thread(target=decide)
        worker.start()
        assert not stored.wait(1.0), "the decision was stored while a link run held the ledger"
    worker.join(30)
    assert stored.is_set()
    assert [r.action for r in audit_trail(ledger)] == ["reject"]


def test_the_latest_stored_decision_wins_whatever_the_analysts_clocks(
    sqlite_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each analyst's own clock stamps a decision: one running five minutes fast made her
    earlier withdrawal outrank a colleague's later status. The order they were stored in
    decides, and the audit trail lists them in that order."""
    from datetime import date, datetime, timedelta

    import redline.review as review_module
    from redline.link import episode_status, link
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    d = b.doc("2024-01-10")
    b.threat(d, "RUS", "f16_delivery", stated="2024-01-05")
    b.crossing(b.doc("2024-03-05"), "USA", "f16_delivery", "2024-03-04")
    link(sqlite_ledger, as_of=date(2024, 12, 31))
    fast = datetime.now(UTC) + timedelta(minutes=5)
    monkeypatch.setattr(review_module, "now", lambda: fast)
    review(sqlite_ledger, "episode", "RUS:f16_delivery", "withdraw", reviewer="ana")
    monkeypatch.undo()
    review(
        sqlite_ledger,
        "episode",
        "RUS:f16_delivery",
        "correct",
        field="status",
        value="crossed_unenforced",
        reviewer="bob",
    )
    got = episode_status(sqlite_ledger, "RUS:f16_delivery", date.today())
    assert got.status == "crossed_unenforced"
    assert [r.reviewer for r in audit_trail(sqlite_ledger)] == ["ana", "bob"]


def test_a_day_before_the_line_was_drawn_is_flagged(sqlite_ledger: Ledger) -> None:
    """`--effective 2019-01-01` on a line first drawn in 2024 is likely a typo: stored as
    given, with a note saying so (it was accepted silently)."""
    from datetime import date

    from redline.link import link
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "RUS", "f16_delivery", stated="2024-01-05")
    link(sqlite_ledger, as_of=date(2024, 12, 31))
    res = CliRunner().invoke(
        app,
        ["review", "episode", "RUS:f16_delivery", "withdraw", "--effective", "2019-01-01"]
        + ["--by", "ana", "--db", sqlite_ledger.url],
    )
    assert res.exit_code == 0, res.output
    assert "before the line's first threat (2024-01-05)" in " ".join(res.output.split())
    (row,) = audit_trail(sqlite_ledger)
    assert row.effective == date(2019, 1, 1)


def test_an_analyst_can_settle_the_status_the_evidence_already_gives(sqlite_ledger: Ledger) -> None:
    """An episode's status is a decision: setting the status the evidence reads now pins it
    against later evidence, and a status can be given again with another day. The refusal of
    a correction to the value already there is for extracted items only."""
    from datetime import date

    from redline.link import link
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "RUS", "f16_delivery", stated="2024-01-05")
    link(sqlite_ledger, as_of=date(2024, 12, 31))
    for day in ("2024-06-01", "2024-09-01"):
        review(
            sqlite_ledger,
            "episode",
            "RUS:f16_delivery",
            "correct",
            field="status",
            value="open",
            reviewer="ana",
            effective=day,
        )
    assert [r.effective for r in audit_trail(sqlite_ledger)] == [
        date(2024, 6, 1),
        date(2024, 9, 1),
    ]


@pytest.fixture
def in_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Run in the time zone given (``in_zone("America/Los_Angeles")``), restored after."""
    import time

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_a_review_holds_from_the_day_it_was_made_where_it_is_read(
    sqlite_ledger: Ledger, monkeypatch: pytest.MonkeyPatch, in_zone: Callable[[str], None]
) -> None:
    """A review's day was its UTC date, every default as-of date the local one: a line withdrawn
    at 20:00 in California (04:00 UTC the next day) still read open that evening, and east of
    UTC `--effective` with the local date was refused as "after today" before 10:00."""
    from datetime import UTC, date, datetime

    import redline.review
    from redline.link import link, list_episodes
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2026-11-01"), "RUS", "f16_delivery", stated="2026-10-30")
    link(sqlite_ledger, as_of=date(2026, 11, 30))
    in_zone("America/Los_Angeles")
    evening = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 20:00 on 1 December in California
    monkeypatch.setattr(redline.review, "now", lambda: evening)
    review(sqlite_ledger, "episode", "RUS:f16_delivery", "withdraw", reviewer="ana")
    (row,) = list_episodes(sqlite_ledger, as_of=date(2026, 12, 1))
    assert (row.status, row.status_by) == ("withdrawn", "analyst")
    in_zone("Australia/Sydney")
    morning = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # 09:00 on 2 December in Sydney
    monkeypatch.setattr(redline.review, "now", lambda: morning)
    stored = review(
        sqlite_ledger,
        "episode",
        "RUS:f16_delivery",
        "correct",
        field="status",
        value="open",
        reviewer="ana",
        effective="2026-12-02",
    )
    assert stored.effective == date(2026, 12, 2)


def test_an_undated_article_ingested_this_evening_counts_today(
    sqlite_ledger: Ledger, in_zone: Callable[[str], None]
) -> None:
    """An article without a date is known from the day it was ingested: its UTC day, while the
    as-of date is the local one, so in California a threat ingested at 20:00 was in no
    episode of that day."""
    from datetime import UTC, date, datetime

    from redline.link import link, list_episodes
    from redline.store.schema import documents
    from test_link_factories import Builder

    in_zone("America/Los_Angeles")
    b = Builder(sqlite_ledger)
    doc = b.doc(None)
    b.threat(doc, "RUS", "f16_delivery")
    with sqlite_ledger.begin() as conn:  # 20:00 on 1 December in California
        conn.execute(
            sa.update(documents)
            .where(documents.c.id == doc)
            .values(ingested_at=datetime(2026, 12, 2, 4, 0, tzinfo=UTC))
        )
    link(sqlite_ledger, as_of=date(2026, 12, 1))
    assert [e.key for e in list_episodes(sqlite_ledger, as_of=date(2026, 12, 1))] == [
        "RUS:f16_delivery"
    ]


def test_a_corrected_date_naming_no_day_is_told_so(reviewed_ledger: Ledger) -> None:
    """As for an as-of or effective date: a corrected date in the right form that names no day
    ('2022-02-30') is told it is no day of the calendar, not that it is not YYYY-MM-DD; and a
    date Python also reads in its compact form is stored in the trail as the day it names."""
    (threat,) = list_threats(reviewed_ledger)
    with pytest.raises(RedlineError, match="'2022-02-30' is no day of the calendar"):
        review(
            reviewed_ledger,
            "threat",
            threat.id,
            "correct",
            field="stated_date",
            value="2022-02-30",
        )
    with pytest.raises(RedlineError, match="stated_date must be a date"):
        review(reviewed_ledger, "threat", threat.id, "correct", field="stated_date", value="soon")
    stored = review(
        reviewed_ledger, "threat", threat.id, "correct", field="stated_date", value="20220201"
    )
    assert stored.new_value == "2022-02-01"
    assert audit_trail(reviewed_ledger)[-1].new_value == "2022-02-01"


def test_an_episodes_decisions_are_listed_in_the_order_stored(sqlite_ledger: Ledger) -> None:
    """The decision in force is the last one stored; listed by each analyst's clock, a later
    decision from a machine whose clock ran behind was shown before the one it overrode."""
    import json
    from datetime import date, datetime

    import sqlalchemy as sa

    from redline.link import link
    from redline.store.schema import reviews
    from test_link_factories import seeds_ledger

    seeds_ledger(sqlite_ledger)
    link(sqlite_ledger, as_of=date(2024, 9, 30))
    review(sqlite_ledger, "episode", 1, "note", reviewer="ana", note="first")
    review(sqlite_ledger, "episode", 1, "note", reviewer="ben", note="second")
    with sqlite_ledger.begin() as conn:  # ben's clock ran a day behind ana's
        last = conn.execute(sa.select(sa.func.max(reviews.c.id))).scalar()
        conn.execute(
            sa.update(reviews).where(reviews.c.id == last).values(created_at=datetime(2000, 1, 1))
        )
    doc = json.loads(
        CliRunner()
        .invoke(
            app, ["episode", "1", "--db", sqlite_ledger.url, "--as-of", "2024-09-30", "-f", "json"]
        )
        .output
    )
    assert [d["note"] for d in doc["episode"]["analyst_decisions"]] == ["first", "second"]


def test_only_the_standing_decision_on_an_item_becomes_a_training_example(
    reviewed_ledger: Ledger,
) -> None:
    """`redline train --reviews-from` learned every confirm and reject ever stored: a threat one
    analyst confirmed and another then rejected (rejected in every listing) trained as a
    positive and a negative of the same sentence."""
    from redline.model.dataset import ledger_reviews

    (threat,) = list_threats(reviewed_ledger)
    review(reviewed_ledger, "threat", threat.id, "confirm", reviewer="ana")
    review(reviewed_ledger, "threat", threat.id, "reject", reviewer="bob")
    (example,) = ledger_reviews(reviewed_ledger)
    assert example.labels == frozenset() and "severe sanctions" in example.text
    review(reviewed_ledger, "threat", threat.id, "confirm", reviewer="ana")
    (example,) = ledger_reviews(reviewed_ledger)
    assert example.labels == frozenset({"threat"})


def test_a_corrected_date_before_1900_is_refused(reviewed_ledger: Ledger) -> None:
    """Extraction and ingest read no date before 1900, but a correction to year 1 (or a typo,
    '0202-02-07' for 2022) was stored, and the line was then drawn in antiquity."""
    (threat,) = list_threats(reviewed_ledger)
    for day in ("0001-01-01", "0202-02-07", "1899-12-31"):
        with pytest.raises(RedlineError, match="before 1900, the earliest date"):
            review(reviewed_ledger, "threat", threat.id, "correct", field="stated_date", value=day)
    (after,) = list_threats(reviewed_ledger)
    assert after.stated_date == threat.stated_date and after.review_state == "machine"
    assert audit_trail(reviewed_ledger) == []


def test_a_date_is_corrected_with_a_date_object_as_the_api_gives_one(
    reviewed_ledger: Ledger,
) -> None:
    """`review(..., field="stated_date", value=date(2022, 2, 1))`, as `effective` takes a date,
    ended in "TypeError: expected string or bytes-like object"; a value of another kind is
    named, not a TypeError."""
    (threat,) = list_threats(reviewed_ledger)
    done = review(
        reviewed_ledger,
        "threat",
        threat.id,
        "correct",
        field="stated_date",
        value=date(2022, 2, 1),
    )
    assert done.new_value == "2022-02-01"
    (after,) = list_threats(reviewed_ledger)
    assert after.stated_date == date(2022, 2, 1) and after.stated_precision == "day"
    with pytest.raises(RedlineError, match="a corrected speaker_country is given as text, not 5"):
        review(
            reviewed_ledger,
            "threat",
            threat.id,
            "correct",
            field="speaker_country",
            value=5,  # type: ignore[arg-type]
        )


def test_a_corrected_speaker_keeps_no_actor_of_the_old_one(reviewed_ledger: Ledger) -> None:
    """As for a corrected country: the gazetteer actor (Joe Biden) is the speaker named before,
    so a corrected speaker leaves no actor id pointing at him, nor does a re-extraction write
    it back (the export gave the new name the old speaker's actor row)."""
    (threat,) = list_threats(reviewed_ledger)
    with reviewed_ledger.connect() as conn:
        assert conn.execute(sa.select(threats.c.speaker_actor_id)).scalar() is not None
    review(reviewed_ledger, "threat", threat.id, "correct", field="speaker", value="Jen Psaki")
    for redo in (False, True):
        if redo:
            extract_documents(reviewed_ledger, redo=True)
        with reviewed_ledger.connect() as conn:
            row = conn.execute(sa.select(threats.c.speaker, threats.c.speaker_actor_id)).one()
        assert (row.speaker, row.speaker_actor_id) == ("Jen Psaki", None)


def test_a_corrected_addressee_country_keeps_no_name_of_the_old_one(
    ledger: Ledger, tmp_path: Path
) -> None:
    """The addressee's name the extractor read ("Russia") is the old addressee's: after a
    correction of its country it stood beside the new one in listings and exports, and a
    re-extraction wrote it back."""
    (tmp_path / "a.txt").write_text(
        TEXT.replace("said on Monday", "warned Russia on Monday"), encoding="utf-8"
    )
    ingest_paths(ledger, [tmp_path / "a.txt"], progress=False)
    extract_documents(ledger)
    (threat,) = list_threats(ledger)
    assert (threat.addressee, threat.addressee_country) == ("Russia", "RUS")
    review(ledger, "threat", threat.id, "correct", field="addressee_country", value="BLR")
    for redo in (False, True):
        if redo:
            extract_documents(ledger, redo=True)
        (after,) = list_threats(ledger)
        assert (after.addressee, after.addressee_country) == (None, "BLR")


def test_an_addressee_the_sentence_does_not_state_can_be_cleared(
    ledger: Ledger, tmp_path: Path
) -> None:
    """A wrong addressee decides which crossings count (a side the line did not address does
    not cross it), yet a correction could only name another country: "none" clears it, and a
    re-extraction does not bring it back."""
    (tmp_path / "a.txt").write_text(
        TEXT.replace("said on Monday", "warned Russia on Monday"), encoding="utf-8"
    )
    ingest_paths(ledger, [tmp_path / "a.txt"], progress=False)
    extract_documents(ledger)
    (threat,) = list_threats(ledger)
    assert threat.addressee_country == "RUS"
    row = review(ledger, "threat", threat.id, "correct", field="addressee_country", value="none")
    assert (row.old_value, row.new_value) == ("RUS", "none")
    for redo in (False, True):
        if redo:
            extract_documents(ledger, redo=True)
        (after,) = list_threats(ledger)
        assert (after.addressee, after.addressee_country) == (None, None)
    with pytest.raises(RedlineError, match="addressee_country is 'none' already"):
        review(ledger, "threat", threat.id, "correct", field="addressee_country", value="None")
    with pytest.raises(RedlineError, match="unknown actor"):  # only the addressee may be none
        review(ledger, "threat", threat.id, "correct", field="speaker_country", value="none")


def test_the_trail_of_one_item_is_listed_by_its_id(reviewed_ledger: Ledger) -> None:
    """Whether a decision on an item was superseded or taken back was read from the whole
    trail: `reviews --item-type T --id N` lists that item's decisions alone (an episode also
    by its key)."""
    from redline.link import link, list_episodes

    (threat,) = list_threats(reviewed_ledger)
    review(reviewed_ledger, "threat", threat.id, "reject", reviewer="ana")
    review(reviewed_ledger, "threat", threat.id, "confirm", reviewer="bob")
    link(reviewed_ledger, as_of=date(2022, 3, 1))
    (episode,) = list_episodes(reviewed_ledger, as_of=date(2022, 3, 1))
    review(reviewed_ledger, "episode", episode.key, "note", note="check", reviewer="cy")
    url = reviewed_ledger.engine.url.render_as_string(hide_password=False)

    def listed(*args: str) -> list[str]:
        res = CliRunner().invoke(app, ["reviews", "--db", url, "-f", "csv", *args])
        assert res.exit_code == 0, res.output
        return [line.split(",")[2] for line in res.stdout.splitlines()[1:]]

    assert listed() == ["ana", "bob", "cy"]
    assert listed("--item-type", "threat", "--id", str(threat.id)) == ["ana", "bob"]
    assert listed("--item-type", "episode", "--id", episode.key) == ["cy"]
    assert listed("--item-type", "threat", "--id", str(threat.id + 1)) == []
    res = CliRunner().invoke(app, ["reviews", "--db", url, "--id", "1"])
    assert isinstance(res.exception, RedlineError) and "give --item-type" in str(res.exception)


def test_an_analysts_crossing_is_not_dated_before_the_line_was_drawn(
    sqlite_ledger: Ledger,
) -> None:
    """A crossed status given from a day before the line's first threat (stored, flagged as a
    likely typo) dated the crossing by that day: follow-through counted the line crossed in
    1066 and the timeline put a step there. It is crossed by the day the line was drawn."""
    from datetime import date

    from redline.link import episode_status, link
    from redline.score import credibility
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-01-10"), "RUS", "f16_delivery", stated="2024-01-05")
    link(sqlite_ledger, as_of=date(2024, 12, 31))
    review(
        sqlite_ledger,
        "episode",
        "RUS:f16_delivery",
        "correct",
        field="status",
        value="crossed_enforced",
        reviewer="ana",
        effective="1066-10-14",
    )
    status = episode_status(sqlite_ledger, "RUS:f16_delivery", date(2024, 6, 1))
    assert status.status == "crossed_enforced"
    assert status.crossed is not None and status.crossed.hi == date(2024, 1, 5)
    assert "(the analyst's day, 1066-10-14, comes before it)" in " ".join(status.explanation)
    years = {
        e.group for e in credibility(sqlite_ledger, by=["actor", "year"], as_of=date(2024, 6, 1))
    }
    assert "1066" not in years and "2024" in years


def test_a_country_the_ledger_holds_can_be_named_in_a_correction(reviewed_ledger: Ledger) -> None:
    """A code from `extract --gazetteer` is in the ledger and every filter selects it, but a
    correction to it was refused as an unknown actor unless REDLINE_GAZETTEER was set."""
    (threat,) = list_threats(reviewed_ledger)
    with reviewed_ledger.begin() as conn:
        conn.execute(sa.update(threats).values(addressee_country="QQL"))
    with pytest.raises(RedlineError, match="unknown actor 'QQX'"):
        review(
            reviewed_ledger, "threat", threat.id, "correct", field="speaker_country", value="QQX"
        )
    row = review(
        reviewed_ledger, "threat", threat.id, "correct", field="speaker_country", value="qql"
    )
    assert row.new_value == "QQL"


def test_listed_moments_carry_their_zone_on_sqlite(sqlite_ledger: Ledger, tmp_path: Path) -> None:
    """SQLite gives a stored moment back without its zone: `reviews -f json` and `documents -f
    csv` printed "2026-12-02T00:50:04" where a PostgreSQL ledger printed "+00:00"."""
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    ingest_paths(sqlite_ledger, [tmp_path / "a.txt"], progress=False)
    url = sqlite_ledger.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    listed = runner.invoke(app, ["documents", "--db", url, "-f", "json"])
    assert listed.exit_code == 0, listed.output
    import json

    (row,) = json.loads(listed.output)["items"]
    assert row["ingested_at"].endswith("+00:00")
    from redline.add import add

    add(sqlite_ledger, "threat", 1, quote="severe sanctions", fields={"speaker_country": "USA"})
    listed = runner.invoke(app, ["reviews", "--db", url, "-f", "csv"])
    assert listed.exit_code == 0, listed.output
    assert "+00:00" in listed.output.splitlines()[1]


def test_a_date_is_corrected_to_a_month_or_a_year_as_the_sources_give_it(
    reviewed_ledger: Ledger,
) -> None:
    """A source that says "in October 2022" dates the item to a month: the correction keeps
    that precision (a day had to be made up, and stood as a day), the trail says it as given,
    and the same month again is no change."""
    (threat,) = list_threats(reviewed_ledger)

    def stored() -> tuple[object, object]:
        with reviewed_ledger.connect() as conn:
            row = conn.execute(
                sa.select(threats.c.stated_date, threats.c.stated_precision).where(
                    threats.c.id == threat.id
                )
            ).one()
        return row.stated_date, row.stated_precision

    done = review(
        reviewed_ledger, "threat", threat.id, "correct", field="stated_date", value="2022-01"
    )
    assert done.new_value == "2022-01"
    assert stored() == (date(2022, 1, 1), "month")
    with pytest.raises(RedlineError, match="is '2022-01' already"):
        review(
            reviewed_ledger, "threat", threat.id, "correct", field="stated_date", value="2022-01"
        )
    # the first of the month named as a day is a change: a day is more than its month, and
    # the trail says so (it read "'2022-01-01' -> '2022-01-01'", a change of nothing)
    done = review(
        reviewed_ledger, "threat", threat.id, "correct", field="stated_date", value="2022-01-01"
    )
    assert stored() == (date(2022, 1, 1), "day")
    assert (done.old_value, done.new_value) == ("2022-01", "2022-01-01")
    done = review(
        reviewed_ledger, "threat", threat.id, "correct", field="stated_date", value="2021"
    )
    assert (done.old_value, done.new_value) == ("2022-01-01", "2021")
    assert stored() == (date(2021, 1, 1), "year")
    with pytest.raises(RedlineError, match="'2022-13' names no month"):
        review(
            reviewed_ledger, "threat", threat.id, "correct", field="stated_date", value="2022-13"
        )
    # a week is no day: Python read "2022-W10" as its Monday, stored as a day
    with pytest.raises(RedlineError, match="'2022-W10' is a week"):
        review(
            reviewed_ledger,
            "threat",
            threat.id,
            "correct",
            field="stated_date",
            value="2022-W10",
        )


def test_item_listings_in_csv_carry_every_field_their_json_has(sqlite_ledger: Ledger) -> None:
    """`threats`, `events` and `claims -f csv` had the table's columns only: no document or
    evidence id, no offsets of the sentence and span, no extractor or review state, which JSON
    gives. The columns they had come first; an empty listing's header names every field too."""
    import csv
    import io
    import json

    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    doc = b.doc("2024-03-01", title="=cmd|' /C calc'!A0")
    b.threat(doc, "RUS", "f16_delivery", stated="2024-02-01")
    b.crossing(doc, "USA", "f16_delivery", "2024-02-20")
    url = sqlite_ledger.url
    for listing in ("threats", "events", "claims"):
        whole = json.loads(CliRunner().invoke(app, [listing, "-f", "json", "--db", url]).output)
        res = CliRunner().invoke(app, [listing, "-f", "csv", "--db", url])
        reader = csv.DictReader(io.StringIO(res.output))
        rows = list(reader)
        assert reader.fieldnames is not None
        item_fields = whole["items"][0] if whole["items"] else {}
        assert set(item_fields) <= set(reader.fieldnames), listing
        assert reader.fieldnames[0] == "id" and "sentence_start" in reader.fieldnames, listing
        for item, row in zip(whole["items"], rows, strict=True):
            assert row["document_id"] == str(item["document_id"])
            assert row["span_end"] == str(item["span_end"])
            assert row["review_state"] == item["review_state"] == "machine"
            assert row["document_title"] == "'" + item["document_title"]  # the formula guard


def test_the_audit_trail_keeps_its_headers_whole_at_80_columns(reviewed_ledger: Ledger) -> None:
    """At 80 columns the decisions' headers wrap between words: a review's "action" (one word:
    confirm, withdraw) took the twelve columns of a free-text column, and "reviewer", "item
    id" and "new value" folded mid-word ("rev/iew/er", "valu/e") to give them."""
    from redline.link import link, list_episodes

    (threat,) = list_threats(reviewed_ledger)
    tid = threat.id
    review(reviewed_ledger, "threat", tid, "correct", field="speaker_country", value="GBR")
    review(reviewed_ledger, "threat", tid, "confirm", reviewer="ana")
    link(reviewed_ledger, as_of=date(2022, 3, 1))
    (episode,) = list_episodes(reviewed_ledger, as_of=date(2022, 3, 1))
    review(reviewed_ledger, "episode", episode.key, "withdraw", effective="2022-02-20")
    url = reviewed_ledger.engine.url.render_as_string(hide_password=False)
    res = CliRunner().invoke(app, ["reviews", "--db", url], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    head = " ".join(lines[: next(i for i, s in enumerate(lines) if "╇" in s)])
    words = set(head.replace("┃", " ").split())
    assert {"item", "type", "id", "action", "field", "new", "value", "effective"} <= words, head
    assert all(len(line) <= 80 for line in lines)
    assert "speaker_country" in res.output and "withdraw" in res.output
    assert "2022-02-20" in res.output


def test_a_status_put_right_before_relinking_records_the_status_it_replaces(
    reviewed_ledger: Ledger,
) -> None:
    """A withdrawal taken back with `correct --set status=open` before `redline link` ran
    again was recorded as "'open' -> 'open'": the old value came from the stored row, which
    holds an analyst's status only after a link. It is the status the last decision set."""
    from redline.link import link, list_episodes

    link(reviewed_ledger, as_of=date(2022, 3, 1))
    (episode,) = list_episodes(reviewed_ledger, as_of=date(2022, 3, 1))
    key = episode.key
    review(reviewed_ledger, "episode", key, "withdraw", reviewer="ana")
    row = review(reviewed_ledger, "episode", key, "correct", field="status", value="open")
    assert (row.old_value, row.new_value) == ("withdrawn", "open")
