"""Triage: the unreviewed items an episode's status turns on, most at stake first."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from redline.add import add
from redline.cli import app
from redline.link import evaluate, link
from redline.review import review
from redline.store import Ledger
from redline.store.schema import documents, episodes, events, threats
from redline.triage import GONE, leads, triage
from redline.vocab import ItemKind, LineSource
from test_link_factories import Builder

AS_OF = date(2024, 1, 1)


def _ledger(b: Builder) -> dict[str, int]:
    """Three lines: one crossed and enforced on a single crossing and a single response, one
    open on two threats, and one crossed on two crossings (neither alone decides it)."""
    d = b.doc("2023-06-01")
    ids = {
        "f16_threat": b.threat(
            d, "RUS", "f16_delivery", stated="2023-01-01", consequence="military_force"
        ),
        "f16_crossing": b.crossing(d, "USA", "f16_delivery", "2023-03-01", confidence=0.4),
        # its line read from the document's topic: the response alone does not say the line
        # was crossed (as one whose own sentence names the line would)
        "f16_response": b.response(
            d,
            "RUS",
            "f16_delivery",
            "military_force",
            "2023-03-10",
            confidence=0.7,
            line_from=LineSource.DOCUMENT,
        ),
        "tanks_threat_1": b.threat(d, "RUS", "tanks_to_ukraine", stated="2023-01-01"),
        "tanks_threat_2": b.threat(d, "RUS", "tanks_to_ukraine", stated="2023-02-01"),
        "atacms_threat": b.threat(d, "RUS", "atacms_delivery", stated="2023-01-01"),
        "atacms_crossing_1": b.crossing(d, "USA", "atacms_delivery", "2023-03-01"),
        "atacms_crossing_2": b.crossing(d, "USA", "atacms_delivery", "2023-04-01"),
    }
    link(b.ledger, as_of=AS_OF)
    return ids


def test_items_a_status_turns_on_are_listed_with_what_rejecting_them_would_do(
    ledger: Ledger,
) -> None:
    ids = _ledger(Builder(ledger))
    found = {(t.kind, t.item_id): t for t in triage(ledger, as_of=AS_OF)}
    crossing = found[(ItemKind.CROSSING, ids["f16_crossing"])]
    (stake,) = crossing.stakes
    assert (stake.key, stake.status, stake.without) == (
        "RUS:f16_delivery",
        "crossed_enforced",
        "open",
    )
    (stake,) = found[(ItemKind.RESPONSE, ids["f16_response"])].stakes
    assert (stake.status, stake.without) == ("crossed_enforced", "undetermined")
    # the only threat of a line: without it there is no episode
    (stake,) = found[(ItemKind.THREAT, ids["atacms_threat"])].stakes
    assert stake.without == GONE
    # items whose line reads the same without them are not listed: either of two threats of
    # an open line, either of two crossings of a crossed one
    for name in ("tanks_threat_1", "tanks_threat_2"):
        assert (ItemKind.THREAT, ids[name]) not in found
    for name in ("atacms_crossing_1", "atacms_crossing_2"):
        assert (ItemKind.CROSSING, ids[name]) not in found


def test_the_least_certain_item_with_most_at_stake_comes_first(sqlite_ledger: Ledger) -> None:
    ids = _ledger(Builder(sqlite_ledger))
    ranked = triage(sqlite_ledger, as_of=AS_OF)
    # the crossing (confidence 0.4) decides a quotable verdict: 0.6; the response 0.3
    assert (ranked[0].kind, ranked[0].item_id) == (ItemKind.CROSSING, ids["f16_crossing"])
    assert [t.priority for t in ranked] == sorted((t.priority for t in ranked), reverse=True)
    assert ranked[0].priority == pytest.approx(0.6 * (1.0 if ranked[0].stakes[0].verdict else 0.5))
    assert len(triage(sqlite_ledger, as_of=AS_OF, limit=1)) == 1
    kinds = {t.kind for t in triage(sqlite_ledger, as_of=AS_OF, kinds=["threat"])}
    assert kinds == {ItemKind.THREAT}


def test_an_item_an_analyst_decided_on_is_not_listed_and_nothing_is_stored(
    sqlite_ledger: Ledger,
) -> None:
    ids = _ledger(Builder(sqlite_ledger))
    review(sqlite_ledger, "event", ids["f16_crossing"], "confirm", reviewer="ana")

    def stored() -> list[tuple[object, ...]]:
        with sqlite_ledger.connect() as conn:
            return [
                *conn.execute(sa.select(episodes.c.key, episodes.c.status)).all(),
                *conn.execute(sa.select(threats.c.id, threats.c.review_state)).all(),
                *conn.execute(sa.select(events.c.id, events.c.review_state)).all(),
            ]

    before = stored()
    listed = {(t.kind, t.item_id) for t in triage(sqlite_ledger, as_of=AS_OF)}
    assert (ItemKind.CROSSING, ids["f16_crossing"]) not in listed
    assert (ItemKind.RESPONSE, ids["f16_response"]) in listed
    assert stored() == before  # the what-if assessments are never written


def test_a_status_an_analyst_set_on_the_episode_turns_on_no_item(sqlite_ledger: Ledger) -> None:
    ids = _ledger(Builder(sqlite_ledger))
    review(
        sqlite_ledger,
        "episode",
        "RUS:f16_delivery",
        "correct",
        field="status",
        value="crossed_enforced",
        reviewer="ana",
        effective="2023-03-10",
    )
    view = evaluate(sqlite_ledger, as_of=AS_OF)
    listed = {(t.kind, t.item_id) for t in triage(sqlite_ledger, view=view)}
    assert (ItemKind.CROSSING, ids["f16_crossing"]) not in listed
    assert (ItemKind.RESPONSE, ids["f16_response"]) not in listed


def test_cli_lists_items_in_json_csv_and_blocks(sqlite_ledger: Ledger) -> None:
    b = Builder(sqlite_ledger)
    # a hostile sentence: a spreadsheet formula and a terminal escape
    d = b.doc("2023-06-01")
    b.threat(
        d, "RUS", "f16_delivery", stated="2023-01-01", quote="=HYPERLINK(1) \x1b]0;x\x07 warned."
    )
    link(sqlite_ledger, as_of=AS_OF)
    url = str(sqlite_ledger.url)
    runner = CliRunner()
    out = runner.invoke(app, ["triage", "--db", url, "--as-of", "2024-01-01", "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["kind"] == "triage" and data["as_of"] == "2024-01-01"
    (item,) = data["items"]
    assert item["stakes"][0]["without"] == GONE
    assert item["review"].startswith(f"redline review threat {item['item_id']} ")
    out = runner.invoke(app, ["triage", "--db", url, "--as-of", "2024-01-01", "-f", "csv"])
    assert out.exit_code == 0, out.output
    (row,) = list(csv.DictReader(io.StringIO(out.output)))
    assert row["at_stake"] == f"RUS:f16_delivery: open -> {GONE}"
    assert not row["sentence"].startswith("=")  # the formula guard
    out = runner.invoke(app, ["triage", "--db", url, "--as-of", "2024-01-01"])
    assert out.exit_code == 0, out.output
    assert "without it RUS:f16_delivery: open -> no episode" in out.output
    assert "\x1b" not in out.output and "\x07" not in out.output


def test_cli_start_stores_each_decision_as_a_review(sqlite_ledger: Ledger) -> None:
    ids = _ledger(Builder(sqlite_ledger))
    url = str(sqlite_ledger.url)
    ranked = triage(sqlite_ledger, as_of=AS_OF)
    # skip the first, reject the second, confirm the third, then stop (rejecting the first, a
    # line's only crossing, would leave nothing resting on the second: see below)
    out = CliRunner().invoke(
        app,
        ["triage", "--db", url, "--as-of", "2024-01-01", "--start", "--by", "ana"],
        input="s\nr\nc\nq\n",
    )
    assert out.exit_code == 0, out.output
    assert "2 decision(s) stored" in out.output
    states = {}
    with sqlite_ledger.connect() as conn:
        for table in (threats, events):
            states.update(
                {
                    ("threat" if table is threats else "event", i): s
                    for i, s in conn.execute(sa.select(table.c.id, table.c.review_state))
                }
            )
    assert states[(ranked[0].review_type, ranked[0].item_id)] == "machine"
    assert states[(ranked[1].review_type, ranked[1].item_id)] == "rejected"
    assert states[(ranked[2].review_type, ranked[2].item_id)] == "confirmed"
    assert ids  # the ledger was built


def _open_line(b: Builder) -> dict[str, int]:
    """An open line on tanks, and three later reports naming tanks (written here): one before
    the first threat, one after it, one holding the threat itself."""
    d = b.doc("2023-01-02")
    b.threat(d, "RUS", "tanks_to_ukraine", stated="2023-01-01", consequence="military_force")
    return {
        "before": b.doc("2022-12-01", text="Germany sent Leopard tanks to Ukraine on Monday."),
        "after": b.doc(
            "2023-02-01",
            text="The weather was mild. Germany delivered Leopard tanks to Ukraine on Monday.",
        ),
        "unrelated": b.doc("2023-02-02", text="Markets were calm on Monday."),
    }


def test_leads_are_later_sentences_naming_an_open_line(sqlite_ledger: Ledger) -> None:
    docs = _open_line(Builder(sqlite_ledger))
    link(sqlite_ledger, as_of=AS_OF)
    (lead,) = leads(sqlite_ledger, as_of=AS_OF)
    assert (lead.key, lead.document_id) == ("RUS:tanks_to_ukraine", docs["after"])
    with sqlite_ledger.connect() as conn:
        text = conn.execute(
            sa.select(documents.c.text).where(documents.c.id == docs["after"])
        ).scalar_one()
    assert text[lead.start : lead.end] == lead.sentence
    assert lead.sentence.startswith("Germany delivered")
    assert f"--span {lead.start}:{lead.end}" in lead.add_command
    # once the crossing is recorded the line is no longer open, and has no leads
    add(
        sqlite_ledger,
        "crossing",
        docs["after"],
        span=(lead.start, lead.end),
        fields={"actor_country": "DEU", "trigger_key": "tanks_to_ukraine"},
    )
    link(sqlite_ledger, as_of=AS_OF)
    assert leads(sqlite_ledger, as_of=AS_OF) == []


def test_cli_leads(sqlite_ledger: Ledger) -> None:
    _open_line(Builder(sqlite_ledger))
    link(sqlite_ledger, as_of=AS_OF)
    url = str(sqlite_ledger.url)
    runner = CliRunner()
    args = ["triage", "--db", url, "--as-of", "2024-01-01", "--leads", "3"]
    out = runner.invoke(app, [*args, "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["kind"] == "triage_leads"
    (row,) = data["items"]
    assert row["key"] == "RUS:tanks_to_ukraine" and row["first_threat"] == "2023-01-01"
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert "RUS:tanks_to_ukraine: open, first threat 2023-01-01" in out.output
    out = runner.invoke(app, [*args, "--start"])
    assert out.exit_code != 0 and "--leads lists sentences" in str(out.exception)
    # --limit was dropped unremarked: N leads of every open line came back
    out = runner.invoke(app, [*args, "--limit", "1"])
    assert out.exit_code != 0 and "--limit do not apply" in str(out.exception)
    # a script asking for JSON got the terminal's prompts
    out = runner.invoke(app, ["triage", "--db", url, "--start", "-f", "json"], input="c\n")
    assert out.exit_code != 0 and "-f json does not apply" in str(out.exception)


def test_threats_that_differ_only_in_id_are_assessed_once(sqlite_ledger: Ledger) -> None:
    """An episode of many threats was assessed again once per threat, each time over all of
    them: quadratic (2000 threats took 24 s). Threats an assessment cannot tell apart share one
    what-if, and the listing is what assessing each would give."""
    from redline.link import assess as assess_module
    from redline.triage import stakes_of

    b = Builder(sqlite_ledger)
    d = b.doc("2023-06-01")
    for n in range(300):
        b.threat(d, "RUS", "f16_delivery", stated=f"2023-01-0{1 + n % 3}", confidence=0.5)
    # the one threat before the crossing: without it the crossing came before the line
    first = b.threat(d, "RUS", "f16_delivery", stated="2022-12-01", confidence=0.5)
    b.crossing(d, "USA", "f16_delivery", "2022-12-15", confidence=0.4)
    link(sqlite_ledger, as_of=AS_OF)
    view = evaluate(sqlite_ledger, as_of=AS_OF)
    before = assess_module.stats.calls
    found = {
        (t.kind, t.item_id): [s.without for s in t.stakes] for t in triage(sqlite_ledger, view=view)
    }
    assert assess_module.stats.calls - before < 10
    (state,) = view.states
    one_by_one = {}
    for item in state.members.all():
        stake = stakes_of(state, view, item)
        if stake is not None:
            one_by_one[(item.kind, item.id)] = [stake.without]
    assert found == one_by_one
    assert found[(ItemKind.THREAT, first)] == ["open"]


def test_cli_start_skips_an_item_decided_since_the_listing(
    sqlite_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two analysts on `--start` at once: an item the other rejected after the listing was
    confirmed over that rejection unseen; one gone since (re-extracted) ended the session."""
    import redline.triage as triage_module

    _ledger(Builder(sqlite_ledger))
    listed = triage(sqlite_ledger, as_of=AS_OF)
    first, second = listed[0], listed[1]

    def meanwhile(*args: object, **kw: object) -> list[object]:
        found = listed
        review(sqlite_ledger, first.review_type, first.item_id, "reject", reviewer="bob")
        table = threats if second.review_type == "threat" else events
        with sqlite_ledger.begin() as conn:
            conn.execute(sa.delete(table).where(table.c.id == second.item_id))
        return list(found)

    monkeypatch.setattr(triage_module, "triage", meanwhile)
    out = CliRunner().invoke(
        app,
        [
            "triage",
            "--db",
            str(sqlite_ledger.url),
            "--as-of",
            "2024-01-01",
            "--start",
            "--by",
            "ana",
        ],
        input="c\nc\nq\n",
    )
    assert out.exit_code == 0, out.output
    assert out.output.count("skipped, decided since the listing") == 2
    table = threats if first.review_type == "threat" else events
    with sqlite_ledger.connect() as conn:
        state = conn.execute(
            sa.select(table.c.review_state).where(table.c.id == first.item_id)
        ).scalar_one()
    assert state == "rejected"  # bob's decision stands


def test_cli_says_when_there_is_no_episode_to_triage(sqlite_ledger: Ledger) -> None:
    """A ledger never linked, or a date before every line, read "every status would stand
    without each item": as if its episodes had been weighed."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2023-06-01"), "RUS", "f16_delivery", stated="2023-01-01")
    url = str(sqlite_ledger.url)
    runner = CliRunner()
    out = runner.invoke(app, ["triage", "--db", url, "--as-of", "2024-01-01"])
    assert out.exit_code == 0, out.output
    assert "`redline link` builds them" in out.output
    assert "every status would stand" not in out.output
    out = runner.invoke(app, ["triage", "--db", url, "--start", "--as-of", "2024-01-01"])
    assert "nothing to triage: the ledger holds no episode" in out.output
    link(sqlite_ledger, as_of=AS_OF)
    out = runner.invoke(app, ["triage", "--db", url, "--as-of", "2022-01-01", "--leads", "2"])
    assert out.exit_code == 0, out.output
    assert "no episode stands as of 2022-01-01" in " ".join(out.output.split())
    # every threat rejected (a second analyst's `--start` while this one listed): the episode
    # stands no more, and the reason names the threats, not only the episode
    (threat,) = triage(sqlite_ledger, as_of=AS_OF)
    review(sqlite_ledger, "threat", threat.item_id, "reject", reviewer="bob")
    out = runner.invoke(app, ["triage", "--db", url, "--as-of", "2024-01-01"])
    assert "analysts rejected the episodes or their threats" in " ".join(out.output.split())


def test_leads_read_a_document_dated_to_a_month_or_not_at_all_as_its_items_are(
    sqlite_ledger: Ledger,
) -> None:
    """A document of "2023-01" was left out for a line first drawn on 15 January (its first
    day came before), and an undated one always; they count as their items do (``when_of``):
    over the month, and from the day an undated one was ingested."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2023-01-16"), "RUS", "tanks_to_ukraine", stated="2023-01-15")
    text = "{} delivered Leopard tanks to Ukraine on Monday."
    month = b.doc("2023-01", text=text.format("Germany"))
    undated = b.doc(None, text=text.format("Poland"))
    b.doc("2022-12", text=text.format("Spain"))  # a month wholly before the line
    link(sqlite_ledger, as_of=AS_OF)
    found = {lead.document_id: lead for lead in leads(sqlite_ledger, as_of=AS_OF)}
    assert set(found) == {month}  # the undated one was ingested after 2024
    assert found[month].published == "2023-01"
    today = date.today()
    link(sqlite_ledger, as_of=today)
    assert {lead.document_id for lead in leads(sqlite_ledger, as_of=today)} == {month, undated}


def test_the_api_refuses_what_it_cannot_mean(sqlite_ledger: Ledger) -> None:
    """`kinds="crossing"` was read letter by letter (Python's ValueError on 'c'), and a
    negative limit or number of leads cut the last off the listing, as a slice does."""
    from redline.errors import ConfigError

    _ledger(Builder(sqlite_ledger))
    crossings = triage(sqlite_ledger, as_of=AS_OF, kinds="crossing")
    assert crossings and {t.kind for t in crossings} == {ItemKind.CROSSING}
    for wrong in ({"kinds": ["bogus"]}, {"limit": -1}, {"limit": 1.5}):
        with pytest.raises(ConfigError):
            triage(sqlite_ledger, as_of=AS_OF, **wrong)  # type: ignore[arg-type]
    for per_line in (0, -1):
        with pytest.raises(ConfigError, match="per_line"):
            leads(sqlite_ledger, as_of=AS_OF, per_line=per_line)


def test_a_view_and_another_date_asked_beside_it_are_refused(sqlite_ledger: Ledger) -> None:
    """The date asked beside a view was dropped unremarked: items at stake as of the view's
    day, read as those of the day asked."""
    from redline.errors import ConfigError

    _ledger(Builder(sqlite_ledger))
    view = evaluate(sqlite_ledger, as_of=AS_OF)
    assert triage(sqlite_ledger, view=view, as_of=AS_OF)  # the same day: fine
    with pytest.raises(ConfigError, match="as of 2024-01-01, not 2023-02-01"):
        triage(sqlite_ledger, view=view, as_of=date(2023, 2, 1))
    with pytest.raises(ConfigError, match="response window"):
        leads(sqlite_ledger, view=view, window_days=7)


def test_cli_start_cuts_a_long_sentence_around_the_item(sqlite_ledger: Ledger) -> None:
    """A document with no punctuation is one "sentence" of thousands of characters: `--start`
    printed all of it, screens around a crossing of six words (`audit start` cuts it)."""
    b = Builder(sqlite_ledger)
    d = b.doc("2023-06-01")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-01", consequence="military_force")
    filler = "and the talks went on " * 400
    b.crossing(
        d, "USA", "f16_delivery", "2023-03-01", quote=filler + "USA sent F-16 jets " + filler
    )
    link(sqlite_ledger, as_of=AS_OF)
    out = CliRunner().invoke(
        app,
        ["triage", "--db", str(sqlite_ledger.url), "--as-of", "2024-01-01", "--start"],
        input="s\ns\nq\n",
    )
    assert out.exit_code == 0, out.output
    assert "more characters of this sentence" in out.output
    assert out.output.count("the talks went on") < 100


def test_a_sentence_several_articles_carry_is_one_lead(sqlite_ledger: Ledger) -> None:
    """Wire copy: the same sentence in three articles took all three places of a line, and
    the other report of the line went unread."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2023-01-02"), "RUS", "tanks_to_ukraine", stated="2023-01-01")
    copies = [
        b.doc("2023-02-01", text="Germany delivered Leopard tanks to Ukraine on Monday.")
        for _ in range(3)
    ]
    other = b.doc("2023-02-02", text="Poland said it sent  Leopard tanks to Ukraine.")
    link(sqlite_ledger, as_of=AS_OF)
    found = [lead.document_id for lead in leads(sqlite_ledger, as_of=AS_OF, per_line=2)]
    assert len(found) == 2 and other in found and found[0] in copies + [other]
    assert len(set(found) & set(copies)) == 1


def test_a_listing_longer_than_a_statement_may_bind_is_read_in_chunks(
    sqlite_ledger: Ledger,
) -> None:
    """Each listed item's sentence was read in one query binding every id: a listing of every
    item at stake (`--limit 100000`) went past the database's limit of parameters (65535 on
    PostgreSQL; here SQLite's, lowered to 600)."""
    import sqlite3

    b = Builder(sqlite_ledger)
    d = b.doc("2023-06-01")
    for n in range(700):
        # 700 lines of one threat each, every one of them at stake (no episode without it)
        b.threat(d, f"X{n:03d}", "f16_delivery", stated="2023-01-01")
    link(sqlite_ledger, as_of=AS_OF)
    listed = len(triage(sqlite_ledger, as_of=AS_OF))
    assert listed == 700

    def lower(dbapi: sqlite3.Connection, _record: object) -> None:
        dbapi.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 600)

    sa.event.listen(sqlite_ledger.engine, "connect", lower)
    sqlite_ledger.engine.dispose()
    found = triage(sqlite_ledger, as_of=AS_OF)
    assert len(found) == listed and all(t.sentence for t in found)


def test_an_items_article_dated_to_a_month_is_given_as_a_month(sqlite_ledger: Ledger) -> None:
    """An item's article of "2023-06" read "2023-06-01", a day nobody named, where the leads
    of the same listing give such a date as a month."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2023-06"), "RUS", "f16_delivery", stated="2023-01-01")
    link(sqlite_ledger, as_of=AS_OF)
    (item,) = triage(sqlite_ledger, as_of=AS_OF)
    assert item.document is not None and item.document.published == "2023-06"


def test_cli_start_skips_an_item_nothing_rests_on_after_a_decision(sqlite_ledger: Ledger) -> None:
    """Once the only crossing of a line was rejected, its response was still shown as deciding
    "crossed_enforced" and asked about: nothing rested on it any more."""
    ids = _ledger(Builder(sqlite_ledger))
    ranked = [(t.kind, t.item_id) for t in triage(sqlite_ledger, as_of=AS_OF)]
    assert ranked[:2] == [
        (ItemKind.CROSSING, ids["f16_crossing"]),
        (ItemKind.RESPONSE, ids["f16_response"]),
    ]
    out = CliRunner().invoke(
        app,
        ["triage", "--db", str(sqlite_ledger.url), "--as-of", "2024-01-01", "--start"],
        input="r\nq\n",
    )
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert f"response #{ids['f16_response']}: skipped, nothing rests on it" in said
    assert "crossed_enforced -> undetermined" not in said
    assert "1 decision(s) stored" in said


def test_a_lead_records_the_narrowest_line_its_sentence_names(sqlite_ledger: Ledger) -> None:
    """A lead of a line on weapons for Ukraine whose sentence reports F-16s gave the add
    command of a crossing of "weapons": recorded so, an open line on F-16s stayed open."""
    b = Builder(sqlite_ledger)
    d = b.doc("2023-01-02")
    b.threat(d, "RUS", "weapons_to_ukraine", stated="2023-01-01")
    b.threat(d, "RUS", "f16_delivery", stated="2023-01-01")
    b.doc("2023-02-01", text="The Netherlands delivered F-16 fighter jets to Ukraine.")
    link(sqlite_ledger, as_of=AS_OF)
    found = {lead.key: lead.add_command for lead in leads(sqlite_ledger, as_of=AS_OF)}
    assert set(found) == {"RUS:weapons_to_ukraine", "RUS:f16_delivery"}
    assert all("--set trigger_key=f16_delivery " in add for add in found.values())


def test_the_listing_cuts_a_long_sentence_around_the_item(sqlite_ledger: Ledger) -> None:
    """The listing cut a long sentence from its start, as no other view does: an item at the
    end of a sentence of hundreds of words was not shown. It is cut around the item's span and
    marked, as `--start` and `audit start` cut it."""
    from redline.store.schema import evidence

    b = Builder(sqlite_ledger)
    d = b.doc("2023-06-01")
    filler = "the talks went on late into the night " * 30
    quote = f"{filler}and Moscow warned it would answer any delivery of tanks."
    threat = b.threat(d, "RUS", "tanks_to_ukraine", stated="2023-01-01", quote=quote)
    with sqlite_ledger.begin() as conn:
        row = conn.execute(
            sa.select(evidence.c.id, evidence.c.sentence_start)
            .join(threats, threats.c.evidence_id == evidence.c.id)
            .where(threats.c.id == threat)
        ).one()
        at = row.sentence_start + quote.index("Moscow warned")
        conn.execute(
            sa.update(evidence)
            .where(evidence.c.id == row.id)
            .values(span_start=at, span_end=row.sentence_start + len(quote))
        )
    link(sqlite_ledger, as_of=AS_OF)
    out = CliRunner().invoke(
        app, ["triage", "--db", str(sqlite_ledger.url), "--as-of", "2024-01-01"]
    )
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert "Moscow warned it would answer any delivery of tanks." in said
    assert "more characters of this sentence before" in said


def test_start_shows_a_long_source_whole_with_its_date(sqlite_ledger: Ledger) -> None:
    """`triage --start` and `audit start` named an item's source as its box's subtitle, cut to
    one line: a statement's long title hid the date and the address after it. The source is
    the line under the box, whole."""
    b = Builder(sqlite_ledger)
    title = "Joint declaration of the northern harbour towns on the ferry dispute and " * 2
    doc = b.doc("2023-06-01", title=title.strip(), url="https://example.org/harbour/declaration")
    b.threat(doc, "RUS", "f16_delivery", stated="2023-01-01", consequence="military_force")
    url = str(sqlite_ledger.url)
    link(sqlite_ledger, as_of=AS_OF)
    runner = CliRunner()
    args = ["--db", url, "--as-of", "2024-01-01"]
    out = runner.invoke(app, ["triage", *args, "--start"], input="q\n", env={"COLUMNS": "80"})
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert "2023-06-01" in said and "https://example.org/harbour/declaration" in said
    start = ["audit", "start", "--db", url, "--kind", "threat"]
    out = runner.invoke(app, start, input="q\n", env={"COLUMNS": "80"})
    said = " ".join(out.output.split())
    assert "2023-06-01" in said and "Joint declaration" in said, out.output


def test_the_csv_carries_every_field_the_json_has(sqlite_ledger: Ledger) -> None:
    """`triage -f csv` left out each item's `stakes` (the episodes, their statuses and what each
    would be without it), which its JSON gives: only the words of `at_stake` were left. A CSV
    cell holds the list as its JSON text, as the export writes a list."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2023-06-01"), "RUS", "f16_delivery", stated="2023-01-01")
    link(sqlite_ledger, as_of=AS_OF)
    base = ["triage", "--db", sqlite_ledger.url, "--as-of", "2024-01-01"]
    (item,) = json.loads(CliRunner().invoke(app, [*base, "-f", "json"]).output)["items"]
    (row,) = csv.DictReader(io.StringIO(CliRunner().invoke(app, [*base, "-f", "csv"]).output))
    assert set(item) <= set(row)
    assert json.loads(row["stakes"]) == item["stakes"]


def test_the_listing_says_how_many_items_its_limit_leaves_out(sqlite_ledger: Ledger) -> None:
    """`triage --limit N` (20 by default) said "N unreviewed item(s) an episode's status turns
    on" when more were waiting: an analyst who decided on them took the listing for all there
    were. It says how many there are, and --start names those left at its end."""
    _ledger(Builder(sqlite_ledger))
    total = len(triage(sqlite_ledger, as_of=AS_OF))
    assert total > 2
    base = ["triage", "--db", str(sqlite_ledger.url), "--as-of", "2024-01-01"]
    runner = CliRunner()
    out = runner.invoke(app, [*base, "--limit", "2"])
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert f"2 of {total} unreviewed item(s)" in said and f"`--limit {total}` lists all" in said
    out = runner.invoke(app, [*base, "--limit", str(total)])
    assert out.output.startswith(f"{total} unreviewed item(s)") and "lists all" not in out.output
    out = runner.invoke(app, [*base, "--limit", "1", "--start", "--by", "ana"], input="s\n")
    assert out.exit_code == 0, out.output
    assert f"{total - 1} more item(s) beyond --limit 1" in " ".join(out.output.split())
    # scripts get the items asked for, as before
    out = runner.invoke(app, [*base, "--limit", "1", "-f", "json"])
    assert len(json.loads(out.output)["items"]) == 1
