"""`redline audit` end to end: draw a sample, judge it through the JSON form, store the judgments
as reviews, and see precision with a 95% interval in the CLI and in the report."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import REPO
from typer.testing import CliRunner

from redline.audit import JUDGMENTS, audit_ids, draw, figures
from redline.cli import app
from redline.cli import main as cli_main
from redline.errors import RedlineError
from redline.review import Applied, audit_trail, review
from redline.run import run
from redline.schemas import validate
from redline.store import Ledger
from redline.store.schema import runs
from test_link_factories import Builder

SAMPLE = REPO / "examples" / "corpus"
runner = CliRunner()


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("audit") / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{db}")
    run(ledger, [SAMPLE])
    ledger.dispose()
    return db


def test_audit_through_the_json_form(ledger_db: Path, tmp_path: Path) -> None:
    sample = tmp_path / "sample.json"
    res = runner.invoke(
        app, ["audit", "draw", "--db", str(ledger_db), "--n", "3", "--seed", "7", "-o", str(sample)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(sample.read_text(encoding="utf-8"))
    kinds = [i["kind"] for i in data["items"]]
    assert set(kinds) == {"threat", "crossing", "response", "episode"}
    assert all(kinds.count(k) <= 3 for k in set(kinds))
    # every item comes with what a person needs to judge it
    for item in data["items"]:
        assert item["question"] and item["choices"] and item["judgment"] is None
        if item["kind"] != "episode":
            assert item["context"]["sentence"] and item["document"]["source"]
    # judge: the first item of each kind wrong, the rest right, one left unjudged
    seen: set[str] = set()
    for item in data["items"][:-1]:
        item["judgment"] = (
            ("wrong" if item["kind"] != "episode" else "not_a_line")
            if item["kind"] not in seen
            else "right"
        )
        seen.add(item["kind"])
    sample.write_text(json.dumps(data), encoding="utf-8")
    res = runner.invoke(app, ["audit", "judge", str(sample), "--db", str(ledger_db), "--by", "ann"])
    assert res.exit_code == 0, res.output
    stored = f"{len(data['items']) - 1} judgments stored as reviews, 0 already stored, 1 skipped"
    assert stored in res.output
    # judging the same file again stores nothing twice
    res = runner.invoke(app, ["audit", "judge", str(sample), "--db", str(ledger_db), "--by", "ann"])
    assert res.exit_code == 0, res.output
    again = f"0 judgments stored as reviews, {len(data['items']) - 1} already stored, 1 skipped"
    assert again in res.output

    ledger = Ledger.open(f"sqlite:///{ledger_db}", create=False)
    found = figures(ledger)
    assert found is not None and found.audit_id == data["audit"]["id"]
    judged = {k: kinds[:-1].count(k) for k in set(kinds)}
    for kind, p in found.precision.items():
        assert p.total == judged[kind] and p.hits == judged[kind] - 1
        assert p.interval is not None and p.interval[0] < p.value < p.interval[1]
    # judgments are reviews: a wrong threat is rejected, with the audit named in the note
    trail = [r for r in audit_trail(ledger) if (r.note or "").startswith("audit #")]
    assert len(trail) == len(data["items"]) - 1 and {r.reviewer for r in trail} == {"ann"}
    assert {r.action for r in trail} == {"confirm", "reject"}

    res = runner.invoke(app, ["audit", "report", "--db", str(ledger_db), "--format", "json"])
    assert res.exit_code == 0, res.output
    shown = json.loads(res.output)
    assert shown["precision"]["threat"]["total"] == judged["threat"]
    # CSV is CSV (it printed the JSON): one row per kind
    res = runner.invoke(app, ["audit", "report", "--db", str(ledger_db), "--format", "csv"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == (
        "audit_id,as_of,kind,total,hits,value,low,high,gone,drawn,judged,judged_by_several,disagreed"
    )
    assert [line.split(",")[2] for line in lines[1:]] == list(shown["precision"])
    assert lines[1].split(",")[3] == str(judged["threat"])
    # an audit number the ledger lacks is named, with the ones it has
    for number in ("9999", str(10**30)):  # the second ended in an OverflowError on SQLite
        res = runner.invoke(app, ["audit", "report", "--db", str(ledger_db), "--audit", number])
        assert isinstance(res.exception, RedlineError)
        assert f"no audit #{number}" in str(res.exception)
        assert f"#{found.audit_id}" in str(res.exception)

    # the report shows the latest audit beside the follow-through
    html_path = tmp_path / "report.html"
    res = runner.invoke(app, ["report", "--db", str(ledger_db), "-o", str(html_path)])
    assert res.exit_code == 0, res.output
    html = html_path.read_text(encoding="utf-8")
    assert f"Audit #{found.audit_id}" in html and found.precision["threat"].label() in html
    ledger.dispose()


def test_bad_judgments_are_refused_with_the_item_named(ledger_db: Path, tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{ledger_db}", create=False)
    audit = draw(ledger, per_kind=2, seed=1, kinds=["threat"])
    data = audit.as_dict()
    assert len(data["items"]) == 2
    data["items"][0]["judgment"] = "right"
    data["items"][1]["judgment"] = "maybe"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = len(audit_trail(ledger))
    res = runner.invoke(app, ["audit", "judge", str(path), "--db", str(ledger_db)])
    assert res.exit_code != 0
    assert "item 2" in str(res.exception) or "item 2" in res.output
    assert "maybe" in str(res.exception) + res.output
    # the file is checked whole before anything is stored: item 1's judgment is not kept
    assert len(audit_trail(ledger)) == before
    # a changed judgment is stored, and the latest one counts
    data["items"][1]["judgment"] = "right"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert runner.invoke(app, ["audit", "judge", str(path), "--db", str(ledger_db)]).exit_code == 0
    data["items"][1]["judgment"] = "wrong"
    path.write_text(json.dumps(data), encoding="utf-8")
    res = runner.invoke(app, ["audit", "judge", str(path), "--db", str(ledger_db)])
    assert "1 judgments stored as reviews, 1 already stored" in res.output, res.output
    shown = figures(ledger, audit.id)
    assert shown is not None and shown.precision["threat"].hits == 1
    assert len(audit_trail(ledger)) == before + 3
    # an item gone from the ledger since the draw (re-extracted) stops the file before any
    # judgment of it is stored
    data["items"][0]["judgment"] = "wrong"
    data["items"][1]["item_id"] = 10**6
    path.write_text(json.dumps(data), encoding="utf-8")
    from redline.audit import from_dict, record

    audit_id, items = from_dict(data, str(path))
    drawn = [(i.kind, i.item_id) for i in items]
    params = _params(ledger, audit_id)
    # what it named when drawn is gone too: no item of the ledger is found again in its place
    prints = list(params["fingerprints"])  # type: ignore[call-overload]
    prints[1] = "document 999999, sentence at 0, span 0-1"
    with pytest.raises(RedlineError, match="item 2 .* no longer in the ledger"):
        with ledger.begin() as conn:  # the sample names it, as if it had been drawn
            conn.execute(
                runs.update()
                .where(runs.c.id == audit_id)
                .values(params={**params, "sample": drawn, "fingerprints": prints})
            )
        record(ledger, audit_id, items, reviewer="ann")
    assert len(audit_trail(ledger)) == before + 3
    # an item that was not drawn in that audit is refused too
    data["items"][0].update(judgment="right", item_id=10**9)
    path.write_text(json.dumps(data), encoding="utf-8")
    res = runner.invoke(app, ["audit", "judge", str(path), "--db", str(ledger_db)])
    assert res.exit_code != 0 and "not in audit" in str(res.exception) + res.output
    with pytest.raises(RedlineError, match="unknown audit kind"):
        draw(ledger, kinds=["rumour"])
    # a kind the ledger holds none of is named, not blamed on an empty ledger
    with pytest.raises(RedlineError, match="holds no episodes as of 2000-01-01") as refused:
        draw(ledger, kinds=["episode"], as_of=date(2000, 1, 1))
    assert "empty ledger" not in str(refused.value)
    res = runner.invoke(app, ["reviews", "--db", str(ledger_db), "--item-type", "bogus"])
    assert isinstance(res.exception, RedlineError) and "unknown item type" in str(res.exception)
    assert set(JUDGMENTS["episode"]) == {"right", "wrong_status", "not_a_line"}
    ledger.dispose()


def _params(ledger: Ledger, audit_id: int) -> dict[str, object]:
    with ledger.connect() as conn:
        return dict(conn.execute(runs.select().where(runs.c.id == audit_id)).one().params)


def test_interactive_audit_stores_each_answer(ledger_db: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{ledger_db}", create=False)
    before = len(audit_trail(ledger))
    res = runner.invoke(
        app,
        ["audit", "start", "--db", str(ledger_db), "--n", "1", "--kind", "threat", "--by", "bo"],
        input="r\n",
    )
    assert res.exit_code == 0, res.output
    assert "Is this a threat by" in res.output
    after = audit_trail(ledger)
    assert len(after) == before + 1 and after[-1].action == "confirm"
    assert after[-1].reviewer == "bo"
    ledger.dispose()


def test_an_answer_that_is_not_offered_is_asked_again_not_read_by_its_first_letter(
    ledger_db: Path,
) -> None:
    """The prompt took an answer's first letter: "wrongly?" was read as [w] wrong and "sure"
    as [s] skip. Only an offered letter or the whole word it stands for is taken; anything
    else is refused and asked again."""
    ledger = Ledger.open(f"sqlite:///{ledger_db}", create=False)
    before = len(audit_trail(ledger))
    start = ["audit", "start", "--db", str(ledger_db), "--n", "1", "--kind", "threat"]
    res = runner.invoke(app, [*start, "--by", "bo"], input="wrongly?\nsure\nRight\n")
    assert res.exit_code == 0, res.output
    assert res.output.count("not an answer here") == 2, res.output
    after = audit_trail(ledger)
    assert len(after) == before + 1 and after[-1].action == "confirm"
    ledger.dispose()


def test_an_interactive_audit_stopped_midway_goes_on_with_resume(
    ledger_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C (or the end of piped input) in `audit start` said only "Aborted!" (exit 1), and
    running it again drew a new audit that showed the judged items once more, while `audit
    report` showed only the new one: the first session's judgments dropped out of the figures.
    It now says what was stored and how to go on, and --resume shows only what is left."""
    db = str(ledger_db)
    start = ["audit", "start", "--db", db, "--n", "1", "--kind", "threat", "--kind", "crossing"]
    res = runner.invoke(app, [*start, "--by", "cy"], input="r\n")  # then the input ends
    assert res.exit_code == 130, res.output
    audit_id = max(audit_ids(Ledger.open(f"sqlite:///{ledger_db}", create=False)))
    assert res.output.count("Is this a threat by") == 1 and "Does this report" in res.output
    # the entry point's note names the audit and how to go on (not "run it again")
    monkeypatch.setattr("sys.argv", ["redline", *start, "--by", "cy"])
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(""))
    with pytest.raises(SystemExit) as stopped:
        cli_main()
    err = capsys.readouterr().err
    assert stopped.value.code == 130
    assert "0 of 2 items judged and stored" in err and "audit start --resume" in err
    assert "again resumes" not in err
    res = runner.invoke(
        app, ["audit", "start", "--db", db, "--resume", str(audit_id), "--by", "cy"], input="w\n"
    )
    assert res.exit_code == 0, res.output
    assert "1 judged by you already, 1 to go" in res.output
    assert "Is this a threat by" not in res.output and "2/2 crossing" in res.output
    found = figures(Ledger.open(f"sqlite:///{ledger_db}", create=False), audit_id)
    assert found is not None and found.judged == 2
    assert found.precision["threat"].hits == 1 and found.precision["crossing"].hits == 0
    # another analyst resuming sees every item; --kind does not apply to a drawn audit
    res = runner.invoke(app, ["audit", "start", "--db", db, "--resume", str(audit_id)], input="q\n")
    assert "0 judged by you already, 2 to go" in res.output
    res = runner.invoke(app, [*start[:4], "--resume", str(audit_id), "--kind", "threat"])
    assert res.exit_code != 0 and "--resume" in str(res.exception)


def test_a_file_judging_an_item_twice_stores_nothing_and_analysts_statuses_are_not_drawn(
    tmp_path: Path,
) -> None:
    """Two judgments of one item in one file were both stored ("5 judgments" from 4 drawn);
    an episode whose status an analyst set was drawn and scored as the machine's."""
    db = tmp_path / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{db}")
    run(ledger, [SAMPLE])
    audit = draw(ledger, per_kind=2, seed=3, kinds=["threat"])
    data = audit.as_dict()
    data["items"].append({**data["items"][0], "number": 3})
    for item, judgment in zip(data["items"], ("right", "right", "wrong"), strict=True):
        item["judgment"] = judgment
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = len(audit_trail(ledger))
    res = runner.invoke(app, ["audit", "judge", str(path), "--db", str(db)])
    assert isinstance(res.exception, RedlineError) and "judged twice" in str(res.exception)
    assert len(audit_trail(ledger)) == before

    from redline.link import evaluate
    from redline.review import review

    states = list(evaluate(ledger))
    set_by_analyst = states[0].row["id"]
    review(ledger, "episode", set_by_analyst, "withdraw", reviewer="ana")
    every = draw(ledger, per_kind=len(states), seed=1, kinds=["episode"])
    drawn = {i.item_id for i in every.items}
    assert set_by_analyst not in drawn and len(drawn) == len(states) - 1
    ledger.dispose()


def test_a_judgment_counts_but_does_not_undo_a_later_decision(tmp_path: Path) -> None:
    """An analyst who rejects an item after the sample was drawn has the last word: judging the
    file "right" counts in the audit's figures and leaves the item rejected (it was stored as a
    confirmation, which brought the item back)."""
    from redline.audit import record
    from redline.extract.query import list_threats
    from redline.review import review

    db = tmp_path / "l.db"
    ledger = Ledger.open(f"sqlite:///{db}")
    run(ledger, [SAMPLE])
    audit = draw(ledger, per_kind=2, seed=1, kinds=("threat", "threat"))
    assert [i.kind for i in audit.items] == ["threat", "threat"]  # a kind named twice: once
    first, second = audit.items
    review(ledger, "threat", first.item_id, "reject", reviewer="boss", note="not a threat")
    for item in audit.items:
        item.judgment = "right"
    counts = record(ledger, audit.id, audit.items, reviewer="junior")
    assert counts["judged"] == 2 and counts["measured_only"] == 1
    listed = {t.id for t in list_threats(ledger)}
    assert first.item_id not in listed and second.item_id in listed
    found = figures(ledger)
    assert found is not None and found.precision["threat"].hits == 2
    ledger.dispose()


def test_the_latest_audit_shown_is_the_latest_judged(tmp_path: Path) -> None:
    """A sample drawn only to look at does not replace a judged audit's figures in `audit
    report` and the HTML report, and the report says how many drawn items were judged."""
    from redline.audit import record

    db = tmp_path / "l.db"
    ledger = Ledger.open(f"sqlite:///{db}")
    run(ledger, [SAMPLE])
    judged = draw(ledger, per_kind=3, seed=2, kinds=("threat",))
    judged.items[0].judgment = "right"
    record(ledger, judged.id, judged.items, reviewer="ann")
    looked = draw(ledger, per_kind=3, seed=3)
    assert looked.id > judged.id
    found = figures(ledger)
    assert found is not None and found.audit_id == judged.id
    assert (found.drawn, found.judged) == (3, 1)
    assert figures(ledger, looked.id).audit_id == looked.id  # type: ignore[union-attr]
    html_path = tmp_path / "r.html"
    res = runner.invoke(app, ["report", "--db", str(db), "-o", str(html_path)])
    assert res.exit_code == 0, res.output
    html = " ".join(html_path.read_text(encoding="utf-8").split())
    assert f"Audit #{judged.id} as of" in html and "3 items, 1 of them judged by a person" in html
    # the status glossary states the rule the linker applies: silence is not unenforcement
    assert "no response found is never read as unenforced" in html
    ledger.dispose()


def test_a_judgment_never_lands_on_an_item_that_took_the_drawn_ones_id(tmp_path: Path) -> None:
    """SQLite gives a deleted episode's id to the next new one, so after a relink an id drawn
    for one line can name another: judging then stores nothing and names both (the rejection
    of one line was stored on another, which vanished from every listing)."""
    import sqlalchemy as sa

    from redline.audit import record
    from redline.store.schema import episodes

    db = tmp_path / "l.db"
    ledger = Ledger.open(f"sqlite:///{db}")
    run(ledger, [SAMPLE])
    audit = draw(ledger, per_kind=1, seed=4, kinds=("episode",))
    (item,) = audit.items
    item.judgment = "not_a_line"
    with ledger.begin() as conn:  # what a relink that reuses the id leaves behind
        old = conn.execute(sa.select(episodes.c.key).where(episodes.c.id == item.item_id)).scalar()
        conn.execute(
            sa.update(episodes).where(episodes.c.id == item.item_id).values(key="ZZZ:other_line")
        )
    with pytest.raises(RedlineError, match=f"was {old} when the audit was drawn and is now ZZZ"):
        record(ledger, audit.id, [item], reviewer="ana")
    assert [r for r in audit_trail(ledger) if r.item_type == "episode"] == []
    ledger.dispose()


def test_an_audit_follows_its_items_through_a_reextraction(tmp_path: Path) -> None:
    """A teammate's `extract --redo` gives every unreviewed item a new id: judging an audit
    drawn before finds each item again by its sentence and stores the judgment there, and the
    figures count it (the whole judged file was refused)."""
    from redline.audit import record
    from redline.extract import extract_documents

    db = tmp_path / "l.db"
    ledger = Ledger.open(f"sqlite:///{db}")
    run(ledger, [SAMPLE])
    audit = draw(ledger, per_kind=3, seed=5, kinds=("threat",))
    before = [i.item_id for i in audit.items]
    extract_documents(ledger, redo=True)
    for item in audit.items:
        item.judgment = "right"
    counts = record(ledger, audit.id, audit.items, reviewer="ana")
    assert counts["followed"] == len(before) and counts["judged"] == len(before)
    assert [i.item_id for i in audit.items] != before
    found = figures(ledger)
    assert found is not None and found.precision["threat"].total == len(before)
    ledger.dispose()


def test_an_audit_judges_a_reviewed_item_a_re_extraction_moved_in_its_sentence(
    tmp_path: Path,
) -> None:
    """A reviewed item found again at another span of its sentence keeps its id and moves
    (``redline.store.items``): the audit drawn before knew it by its old span, and refused the
    whole judged file as "re-extracted since"."""
    from redline.audit import record
    from redline.extract import extract_documents
    from redline.review import review
    from test_store_hardening import _Longer

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    run(ledger, [SAMPLE])
    audit = draw(ledger, per_kind=3, seed=5, kinds=("threat",))
    first = audit.items[0]
    review(ledger, "threat", first.item_id, "reject", reviewer="bo")
    extract_documents(ledger, redo=True, extractor=_Longer())
    first.judgment = "right"  # (the unreviewed items, moved too, have new ids: not followed)
    counts = record(ledger, audit.id, [first], reviewer="ana")
    assert (counts["judged"], counts["measured_only"]) == (1, 1)
    found = figures(ledger)
    assert found is not None and found.precision["threat"].total == 1
    ledger.dispose()


def test_an_audit_tells_apart_the_threats_of_one_joint_statement(tmp_path: Path) -> None:
    """A joint statement gives one threat per issuer on one sentence. An audit found items
    again after a re-extraction by their sentence alone, so such a threat matched three and the
    whole judged file was refused; the span tells them apart."""
    import sqlalchemy as sa

    from redline.audit import AuditItem, _fingerprint, _named
    from redline.extract import extract_documents
    from redline.store.schema import evidence, threats

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    run(ledger, [SAMPLE])
    shared = (
        sa.select(threats.c.document_id, evidence.c.sentence_start)
        .join(evidence, evidence.c.id == threats.c.evidence_id)
        .group_by(threats.c.document_id, evidence.c.sentence_start)
        .having(sa.func.count() > 1)
    )

    def speakers() -> dict[int, str | None]:
        """Each threat of the first sentence holding several, by id: its speaker's country."""
        with ledger.connect() as conn:
            doc, start = conn.execute(shared.order_by(threats.c.document_id)).first()
            rows = conn.execute(
                sa.select(threats.c.id, threats.c.speaker_country)
                .join(evidence, evidence.c.id == threats.c.evidence_id)
                .where(threats.c.document_id == doc, evidence.c.sentence_start == start)
            ).all()
        return {int(i): c for i, c in rows}

    before = speakers()
    assert len(set(before.values())) == len(before) > 1  # one per issuer
    with ledger.connect() as conn:
        drawn = {i: _fingerprint(conn, "threat", i) for i in before}
    extract_documents(ledger, redo=True)
    after = speakers()
    assert not set(after) & set(before)  # every unreviewed item has a new id
    with ledger.connect() as conn:
        for old, country in before.items():
            item = AuditItem(1, "threat", "threat", old, "", "")
            found = _named(conn, item, str(drawn[old]))
            assert found is not None and after[found] == country
    ledger.dispose()


def test_an_audit_drawn_before_spans_were_fingerprinted_still_names_its_items(
    tmp_path: Path,
) -> None:
    """Audits stored before an item's fingerprint held its span name the sentence alone: with
    nothing re-extracted each still names the item drawn (they had been refused, or counted as
    followed to another id, when the span was added)."""
    from redline.audit import record

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    run(ledger, [SAMPLE])
    audit = draw(ledger, per_kind=6, seed=5, kinds=("threat",))
    params = _params(ledger, audit.id)
    old = [str(p).split(", span ")[0] for p in params["fingerprints"]]  # type: ignore[attr-defined]
    with ledger.begin() as conn:
        conn.execute(
            runs.update()
            .where(runs.c.id == audit.id)
            .values(params={**params, "fingerprints": old})
        )
    for item in audit.items:
        item.judgment = "right"
    before = [i.item_id for i in audit.items]
    counts = record(ledger, audit.id, audit.items, reviewer="ana")
    assert counts["followed"] == 0 and counts["judged"] == len(before)
    assert [i.item_id for i in audit.items] == before
    ledger.dispose()


def _judge_broken(
    ledger_db: Path, path: Path, data: object, before: int, problem: str
) -> RedlineError:
    """Judge ``data`` written to ``path``: refused with ``path`` and ``problem`` named, and
    nothing stored."""
    path.write_text(json.dumps(data), encoding="utf-8")
    res = runner.invoke(app, ["audit", "judge", str(path), "--db", str(ledger_db), "--by", "ann"])
    assert isinstance(res.exception, RedlineError), res.output
    message = str(res.exception)
    assert message.startswith(f"{path}: ") and problem in message, message
    assert "nothing was stored" in message
    ledger = Ledger.open(f"sqlite:///{ledger_db}", create=False)
    assert len(audit_trail(ledger)) == before
    ledger.dispose()
    return res.exception


def test_a_malformed_judged_file_is_refused_whole_with_file_and_field_named(
    ledger_db: Path, tmp_path: Path
) -> None:
    """A judged file as a person may mistype it: items as an object or an item as text ended in
    a traceback (AttributeError); a number as text was blamed on kind, item_type or item_id;
    an item id 25.9 was stored as 25 and a note given as an object as Python text; a judgment
    that is no choice, an id not in the audit and an item judged twice did not name the file.
    Each is now refused naming the file, the item and the problem, and nothing is stored."""
    import copy

    ledger = Ledger.open(f"sqlite:///{ledger_db}", create=False)
    audit = draw(ledger, per_kind=2, seed=5, kinds=["threat"])
    before = len(audit_trail(ledger))
    ledger.dispose()
    good = audit.as_dict()
    for item in good["items"]:
        item["judgment"] = "right"
    path = tmp_path / "judged.json"

    def broken(change: object) -> dict:
        data = copy.deepcopy(good)
        change(data)  # type: ignore[operator]
        return data

    cases = [
        (
            lambda d: d.update(items={"x": 1}),
            'items must be a list of items, not an object {"x": 1}',
        ),
        (
            lambda d: d["items"].append("threat 4"),
            'item 3 must be an object with kind, item_type and item_id, not the text "threat 4"',
        ),
        (
            lambda d: d["items"][0].update(number="first"),
            'item 1: number must be a whole number, not the text "first"',
        ),
        (
            lambda d: d["items"][1].update(item_id=d["items"][1]["item_id"] + 0.9),
            "item 2: item_id must be a whole number, not the number",
        ),
        (
            lambda d: d["items"][1].update(note={"x": 1}),
            'item 2: note must be text or null, not an object {"x": 1}',
        ),
        (lambda d: d["items"][1].pop("item_id"), "item 2 lacks item_id"),
        (  # a known kind with another kind's item_type was "an unknown kind 'threat'"
            lambda d: d["items"][1].update(item_type="event"),
            "item 2: a threat's item_type is 'threat', not 'event'",
        ),
        (
            lambda d: d["items"][1].update(kind="rumour"),
            "item 2 has an unknown kind 'rumour'; the kinds are threat, crossing",
        ),
        (
            lambda d: d["items"][1].update(judgment="maybe"),
            "item 2: judgment 'maybe' is not one of right, wrong",
        ),
        (
            lambda d: d["audit"].update(id=float(d["audit"]["id"])),
            "audit.id must be a whole number",
        ),
        # found only against the ledger, while storing: the file is named too
        (  # past the database's integers: a traceback (OverflowError) on SQLite
            lambda d: d["audit"].update(id=10**30),
            f"no audit #{10**30} in",
        ),
        (
            lambda d: d["items"][1].update(item_id=10**9),
            f"item 2 (threat #{10**9}) is not in audit #{audit.id}",
        ),
        (
            lambda d: d["items"].append(copy.deepcopy(d["items"][0]) | {"number": 3}),
            "is judged twice in the file",
        ),
    ]
    for change, problem in cases:
        _judge_broken(ledger_db, path, broken(change), before, problem)
    # the file as drawn and judged is stored whole
    path.write_text(json.dumps(good), encoding="utf-8")
    res = runner.invoke(app, ["audit", "judge", str(path), "--db", str(ledger_db), "--by", "ann"])
    assert res.exit_code == 0, res.output
    assert "2 judgments stored as reviews" in res.output


def test_two_analysts_judging_one_sample_see_where_they_disagree(tmp_path: Path) -> None:
    """Each item counts with its latest judgment; two analysts who judged the same sample saw
    one set of figures and no sign that they disagreed. The report says how many items several
    people judged and on how many they differ."""
    db = tmp_path / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{db}")
    run(ledger, [SAMPLE])
    sample = tmp_path / "sample.json"
    res = runner.invoke(
        app, ["audit", "draw", "--db", str(db), "--n", "2", "--seed", "3", "-o", str(sample)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(sample.read_text(encoding="utf-8"))
    items = [i for i in data["items"] if i["kind"] != "episode"][:3]
    assert len(items) == 3
    data["items"] = items
    for judge, verdicts in (
        ("ann", ["right", "right", "wrong"]),
        ("bob", ["right", "wrong", "wrong"]),
    ):
        for item, verdict in zip(items, verdicts, strict=True):
            item["judgment"] = verdict
        sample.write_text(json.dumps(data), encoding="utf-8")
        res = runner.invoke(app, ["audit", "judge", str(sample), "--db", str(db), "--by", judge])
        assert res.exit_code == 0, res.output
    found = figures(ledger)
    assert found is not None and (found.judged_by_several, found.disagreed) == (3, 1)
    res = runner.invoke(app, ["audit", "report", "--db", str(db)])
    assert "3 items were judged by more than one person; they disagree on 1" in " ".join(
        res.output.split()
    )
    html_path = tmp_path / "report.html"
    res = runner.invoke(app, ["report", "--db", str(db), "-o", str(html_path)])
    assert res.exit_code == 0, res.output
    assert "judged by more than one person, who disagree on 1" in html_path.read_text("utf-8")
    ledger.dispose()


def test_judging_a_note_with_control_characters_twice_stores_it_once(
    sqlite_ledger: Ledger,
) -> None:
    """A review note loses its control characters when stored (a Windows line end, a colour
    code pasted from a terminal), so the second judging of the same file compared the note as
    written with the note as stored, found them different and stored every such judgment
    again."""
    from redline.audit import record
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    audit = draw(sqlite_ledger, per_kind=1, seed=0, kinds=("threat",))
    (item,) = audit.items
    item.judgment, item.note = "wrong", "a forecast,\r\nnot a threat \x1b[31m(see §1)"
    first = record(sqlite_ledger, audit.id, [item], reviewer="ana")
    again = record(sqlite_ledger, audit.id, [item], reviewer="ana")
    assert (first["judged"], again["judged"], again["unchanged"]) == (1, 0, 1)
    (row,) = audit_trail(sqlite_ledger)
    assert row.note == f"audit #{audit.id}: wrong — a forecast,\nnot a threat (see §1)"


def test_a_sample_whose_file_cannot_be_written_is_no_audit(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """`audit draw -o` into a folder that does not exist said it could not write the file and
    left the audit recorded: `audit report` then showed an audit nobody had seen as the
    latest."""
    from redline.audit import audit_ids
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    for out in (tmp_path / "missing" / "s.json", tmp_path):
        res = runner.invoke(
            app, ["audit", "draw", "--db", sqlite_ledger.url, "--kind", "threat", "-o", str(out)]
        )
        assert isinstance(res.exception, RedlineError), res.output
        assert str(out) in str(res.exception) and "no audit was recorded" in str(res.exception)
    assert audit_ids(sqlite_ledger) == []
    res = runner.invoke(app, ["audit", "report", "--db", sqlite_ledger.url])
    assert "no audit in" in str(res.exception)


def test_a_sample_cut_short_by_a_full_disk_leaves_the_earlier_file_whole(
    sqlite_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`audit draw -o FILE --force` on a full disk wrote FILE in place: the write stopped part
    way, and FILE held the first part of a sample (a fragment that read as a sample file) where
    the earlier, half-judged one had been. The sample is written beside FILE and moved over it
    once whole, so the earlier file stays as it was and no fragment is left."""
    from redline.audit import audit_ids

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    out = tmp_path / "s.json"
    earlier = '{"audit": 1, "items": [{"judgment": "right"}]}\n'
    out.write_text(earlier, encoding="utf-8")
    real = Path.write_text

    def full(self: Path, text: str, *args: object, **kwargs: object) -> int:
        real(self, text[:40], *args, **kwargs)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full)
    res = runner.invoke(
        app,
        ["audit", "draw", "--db", sqlite_ledger.url, "--kind", "threat", "-o", str(out), "--force"],
    )
    monkeypatch.setattr(Path, "write_text", real)
    assert isinstance(res.exception, RedlineError), res.output
    assert str(out) in str(res.exception) and "No space left on device" in str(res.exception)
    assert out.read_text(encoding="utf-8") == earlier and audit_ids(sqlite_ledger) == []
    assert not [p.name for p in tmp_path.iterdir() if "partial" in p.name]


def test_a_sample_file_is_not_overwritten_without_force(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """`audit draw -o FILE` overwrote FILE even when it held a sample half judged by hand: the
    judgments were lost without a word. It is refused, naming the file, before any audit is
    drawn; --force overwrites (and --help says so)."""
    from redline.audit import audit_ids

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    out = tmp_path / "s.json"
    out.write_text('{"audit": 1, "items": [{"judgment": "right"}]}\n', encoding="utf-8")
    draw_to = ["audit", "draw", "--db", sqlite_ledger.url, "--kind", "threat", "-o", str(out)]
    res = runner.invoke(app, draw_to)
    assert isinstance(res.exception, RedlineError), res.output
    assert str(out) in str(res.exception) and "--force" in str(res.exception)
    assert '"right"' in out.read_text(encoding="utf-8") and audit_ids(sqlite_ledger) == []
    res = runner.invoke(app, [*draw_to, "--force"])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text(encoding="utf-8"))["items"][0]["judgment"] is None
    assert "--force" in " ".join(runner.invoke(app, ["audit", "draw", "--help"]).output.split())


def test_a_judged_file_saved_with_a_byte_order_mark_is_read(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """A judged file saved by an editor that writes a UTF-8 byte-order mark was refused
    ("Unexpected UTF-8 BOM"), though nothing in it was wrong."""
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    audit = draw(sqlite_ledger, per_kind=1, kinds=("threat",))
    data = audit.as_dict()
    data["items"][0]["judgment"] = "right"
    path = tmp_path / "judged.json"
    path.write_text(json.dumps(data), encoding="utf-8-sig")
    res = runner.invoke(app, ["audit", "judge", str(path), "--db", sqlite_ledger.url, "--by", "a"])
    assert res.exit_code == 0, res.output
    assert "1 judgments stored" in res.output


def test_a_later_decision_stands_whatever_its_analysts_clock(sqlite_ledger: Ledger) -> None:
    """A decision stored after the draw stands over the audit's judgment even when the clock
    of the analyst who made it runs behind the one that drew the sample (it was read as made
    before the draw, and the judgment "right" brought back an item she had rejected)."""
    import sqlalchemy as sa

    from redline.audit import record
    from redline.extract.query import list_threats
    from redline.review import review
    from redline.store.schema import reviews
    from test_link_factories import Builder

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    audit = draw(sqlite_ledger, per_kind=1, kinds=("threat",))
    (item,) = audit.items
    row = review(sqlite_ledger, "threat", item.item_id, "reject", reviewer="boss")
    with sqlite_ledger.begin() as conn:  # her clock runs behind (a year, here)
        conn.execute(
            sa.update(reviews)
            .where(reviews.c.id == row.id)
            .values(created_at=row.created_at.replace(year=row.created_at.year - 1))
        )
    item.judgment = "right"
    counts = record(sqlite_ledger, audit.id, [item], reviewer="junior")
    assert counts["measured_only"] == 1
    assert list_threats(sqlite_ledger) == []  # still rejected


def test_a_plain_review_cannot_pass_for_an_audit_judgment(tmp_path: Path) -> None:
    """An audit's judgments are the reviews whose note opens 'audit #<id>: '; a plain review
    with such a note counted in that audit's figures as a judgment nobody made of its sample.
    It is refused, stores nothing, and the audit's figures stay as they were."""
    from redline.review import review

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    run(ledger, [SAMPLE])
    audit = draw(ledger, per_kind=1, seed=2, kinds=("threat",))
    (item,) = audit.items
    before = len(audit_trail(ledger))
    for note in (f"audit #{audit.id}: wrong", f"  audit #{audit.id}: right — looks fine"):
        with pytest.raises(RedlineError, match="may not begin 'audit #<number>:'"):
            review(ledger, "threat", item.item_id, "note", note=note)
    assert len(audit_trail(ledger)) == before
    found = figures(ledger)
    assert found is not None and found.precision["threat"].total == 0
    # a note that merely mentions an audit is fine
    review(ledger, "threat", item.item_id, "note", note=f"see audit #{audit.id} for why")
    assert len(audit_trail(ledger)) == before + 1
    ledger.dispose()


def test_an_audit_note_in_other_letter_case_is_refused_too(tmp_path: Path) -> None:
    """SQLite's LIKE ignores the case of letters, so on SQLite a plain note 'Audit #<id>: wrong'
    was read as one of that audit's judgments (PostgreSQL's LIKE did not read it so): the
    refusal of such notes ignores case as well, and the figures stay as they were."""
    from redline.review import review

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    run(ledger, [SAMPLE])
    audit = draw(ledger, per_kind=1, seed=2, kinds=("threat",))
    (item,) = audit.items
    for note in (f"Audit #{audit.id}: wrong", f"AUDIT #{audit.id}: right"):
        with pytest.raises(RedlineError, match="may not begin 'audit #<number>:'"):
            review(ledger, "threat", item.item_id, "note", note=note)
    found = figures(ledger)
    assert found is not None and found.precision["threat"].total == 0
    ledger.dispose()


def test_one_kind_named_alone_and_an_audit_number_as_text(ledger_db: Path) -> None:
    """The API read `draw(ledger, kinds="threat")` as the kinds 't', 'h', 'r', ... ("unknown
    audit kind(s) ['t', 'h', 'r', 'e', 'a']"), and `figures(ledger, "3")` ended in a TypeError."""
    ledger = Ledger.open(str(ledger_db), create=False)
    audit = draw(ledger, per_kind=2, seed=5, kinds="threat")
    assert {i.kind for i in audit.items} == {"threat"}
    with pytest.raises(RedlineError, match="an audit number is a whole number, not the text"):
        figures(ledger, str(audit.id))  # type: ignore[arg-type]
    ledger.dispose()


def test_draw_and_record_check_their_numbers_and_read_a_date_as_text(ledger_db: Path) -> None:
    """Through the API, `draw(as_of="2024-12-31")` ended in an AttributeError (a date that
    named no day was refused, one that did was not read), per_kind "3" or 2.5 in a TypeError,
    a seed "x" was stored and ended `reopen` in a ValueError, and `record(ledger, "4", ...)` in
    a TypeError."""
    from redline.audit import record, reopen

    ledger = Ledger.open(str(ledger_db), create=False)
    audit = draw(ledger, per_kind=1, seed=2, as_of="2024-12-31")  # type: ignore[arg-type]
    assert audit.as_of == date(2024, 12, 31)
    assert reopen(ledger, audit.id)[0].as_of == date(2024, 12, 31)
    for bad in ({"per_kind": "3"}, {"per_kind": 2.5}, {"seed": "x"}, {"seed": True}):
        name, value = next(iter(bad.items()))
        with pytest.raises(RedlineError, match=f"{name} must be a whole number, not"):
            draw(ledger, **bad)  # type: ignore[arg-type]
    with pytest.raises(RedlineError, match="an audit number is a whole number, not the text"):
        record(ledger, str(audit.id), [], reviewer="ana")  # type: ignore[arg-type]
    with pytest.raises(RedlineError, match="an audit number is a whole number, not the text"):
        reopen(ledger, str(audit.id))  # type: ignore[arg-type]
    ledger.dispose()


def test_a_ledger_whose_items_were_all_rejected_is_not_called_empty(
    sqlite_ledger: Ledger,
) -> None:
    """A ledger whose every item an analyst rejected was "an empty ledger: run `redline run
    PATH` first", sending the analyst to extract again what they had just judged."""
    b = Builder(sqlite_ledger)
    doc = b.doc("2024-03-01")
    b.threat(doc, "RUS", "f16_delivery", stated="2024-02-01", review_state="rejected")
    b.crossing(doc, "USA", "f16_delivery", "2024-02-20", review_state="rejected")
    with pytest.raises(RedlineError) as refused:
        draw(sqlite_ledger, as_of=date(2024, 9, 30))
    assert "2 rejected by an analyst" in str(refused.value)
    assert "empty ledger" not in str(refused.value)


def test_audit_start_shows_a_long_sentence_cut_around_the_item(sqlite_ledger: Ledger) -> None:
    """A document with no punctuation is one "sentence" of thousands of characters, and `audit
    start` printed all of it around a threat of a few words. The terminal now shows at most
    ``SENTENCE_SHOWN`` characters around the item, each cut marked with what it leaves out;
    the JSON form keeps the whole sentence and where the sentence and the span are."""
    from redline.audit import SENTENCE_SHOWN

    filler = [f"filler{i}" for i in range(1500)]  # no punctuation anywhere
    said = "we shall answer any delivery of those jets with force"
    text = " ".join([*filler[:600], said, *filler[600:]])
    b = Builder(sqlite_ledger)
    doc = b.doc("2024-03-01", text=text)
    b.threat(doc, "RUS", "f16_delivery", stated="2024-02-01", quote=text)
    at = text.index(said)
    with sqlite_ledger.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE evidence SET sentence_start = 0, sentence_end = ?, span_start = ?, "
            "span_end = ?",
            (len(text), at, at + len(said)),
        )
    db = sqlite_ledger.url
    res = runner.invoke(
        app, ["audit", "start", "--db", db, "--kind", "threat", "--by", "ann"], input="q\n"
    )
    assert res.exit_code == 0, res.output
    shown = " ".join(res.output.replace("│", " ").split())
    assert said in shown
    cuts = re.findall(r"\[… ([\d,]+) more characters of this sentence (before|after) …\]", shown)
    assert [where for _, where in cuts] == ["before", "after"]
    left, right = (int(n.replace(",", "")) for n, _ in cuts)
    excerpt = shown.split("…] ")[1].split(" […")[0]
    assert text[left : left + len(excerpt)] == excerpt  # what the marks say is left out
    assert left + len(excerpt) + right == len(text) and len(excerpt) <= SENTENCE_SHOWN
    assert excerpt.split()[0] in filler and excerpt.split()[-1] in filler  # whole words
    assert shown.count("filler") < SENTENCE_SHOWN // 8  # the excerpt, not the 1,500 words
    res = runner.invoke(app, ["audit", "draw", "--db", db, "--kind", "threat"])
    (item,) = json.loads(res.output)["items"]
    assert item["context"]["sentence"] == text
    assert item["offsets"] == {
        "sentence_start": 0,
        "sentence_end": len(text),
        "span_start": at,
        "span_end": at + len(said),
    }


def test_a_drawn_sample_escapes_the_bidirectional_controls_of_its_sentences(
    sqlite_ledger: Ledger,
) -> None:
    """`audit draw` printed a sentence's U+202E raw, reversing the rest of the line on the
    terminal, where every other JSON listing writes it as an escape."""
    text = "The ministry said it would answer any delivery of \u202ethose jets\u202c with force."
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-03-01", text=text), "RUS", "f16_delivery", stated="2024-02-01", quote=text)

    res = runner.invoke(app, ["audit", "draw", "--db", sqlite_ledger.url, "--kind", "threat"])

    assert res.exit_code == 0, res.output
    assert "\u202e" not in res.output and "\\u202e" in res.output
    (item,) = json.loads(res.output)["items"]
    assert item["context"]["sentence"] == text


def test_resuming_an_audit_names_the_drawn_items_gone_since_and_so_do_the_figures(
    sqlite_ledger: Ledger,
) -> None:
    """`audit start --resume N` left out, without a word, a drawn item deleted since the draw
    (a re-extraction that no longer finds it): "3 items, 1 judged by you already, 1 to go".
    It now says how many and which, and `audit report` says its kind's precision rests on
    fewer items than were drawn (they are not a random few)."""
    from sqlalchemy import delete

    from redline.audit import record
    from redline.store.schema import threats

    b = Builder(sqlite_ledger)
    doc = b.doc("2024-03-01")
    for trigger in ("f16_delivery", "tanks_to_ukraine", "nato_membership"):
        b.threat(doc, "RUS", trigger, stated="2024-02-01")
    audit = draw(sqlite_ledger, per_kind=3, kinds=("threat",))
    first, second, _ = audit.items
    first.judgment = "right"
    record(sqlite_ledger, audit.id, [first], reviewer="ann")
    with sqlite_ledger.begin() as conn:
        conn.execute(delete(threats).where(threats.c.id == second.item_id))
    db = sqlite_ledger.url
    res = runner.invoke(
        app, ["audit", "start", "--db", db, "--resume", str(audit.id), "--by", "ann"], input="q\n"
    )
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "3 items, 1 judged by you already, 1 gone from the ledger, 1 to go" in out
    assert f"item 2 (threat #{second.item_id}, document {doc}, sentence at" in out
    found = figures(sqlite_ledger, audit.id)
    assert found is not None and found.gone == {"threat": 1} and found.judged == 1
    assert "1 drawn items (1 threat) are no longer in the ledger" in out
    res = runner.invoke(app, ["audit", "report", "--db", db, "-f", "json"])
    whole = json.loads(res.output)
    assert whole["gone"] == {"threat": 1}
    # it named no schema, as every listing's JSON does
    validate(whole)
    assert whole["kind"] == "audit"
    # the CSV carries the JSON's fields: the kind's own on its row, the audit's on every row
    res = runner.invoke(app, ["audit", "report", "--db", db, "-f", "csv"])
    (row,) = csv.DictReader(io.StringIO(res.output))
    assert row["kind"] == "threat" and row["gone"] == "1"
    assert {k: row[k] for k in ("total", "hits")} == {"total": "1", "hits": "1"}
    for field in ("drawn", "judged", "judged_by_several", "disagreed"):
        assert row[field] == str(whole[field]), field


def test_nothing_to_audit_says_which_date_and_only_for_the_episodes(
    sqlite_ledger: Ledger,
) -> None:
    """ "it holds no threats, crossings, responses, episodes as of 2026-12-02" named today's
    date when no --as-of was given, as if the analyst had asked for it, and dated threats and
    events, which are drawn from the whole ledger whatever the date."""
    with pytest.raises(RedlineError) as refused:
        draw(sqlite_ledger)
    assert (
        "it holds no threats, crossings or responses, and no episodes as of today "
        f"({date.today()}) (an empty ledger" in str(refused.value)
    )
    with pytest.raises(RedlineError) as refused:
        draw(sqlite_ledger, kinds=("threat", "crossing"), as_of=date(2024, 1, 1))
    assert "it holds no threats or crossings (an empty ledger" in str(refused.value)
    with pytest.raises(RedlineError, match=r"it holds no episodes as of 2024-01-01 \("):
        draw(sqlite_ledger, kinds=("episode",), as_of=date(2024, 1, 1))


def test_as_of_is_refused_when_no_episode_is_drawn(sqlite_ledger: Ledger) -> None:
    """`audit draw --kind threat --as-of 2000-01-01` drew threats stated in 2024 from the
    whole ledger and recorded the audit "as of 2000-01-01" without a word: the date dates only
    the episodes' statuses. It is refused when no episode is drawn, and applies with them."""
    b = Builder(sqlite_ledger)
    doc = b.doc("2024-03-01")
    b.threat(doc, "RUS", "f16_delivery", stated="2024-02-01")
    db = sqlite_ledger.url
    for kinds in (["--kind", "threat"], ["--kind", "threat", "--kind", "crossing"]):
        for command in ("draw", "start"):
            res = runner.invoke(
                app, ["audit", command, "--db", db, *kinds, "--as-of", "2000-01-01"], input="q\n"
            )
            assert isinstance(res.exception, RedlineError), res.output
            said = str(res.exception)
            assert said.startswith(
                f"--as-of dates the episodes' statuses only, and {' '.join(kinds)} draws no episode"
            )
            assert said.endswith("drop --as-of, or add --kind episode")
    assert audit_ids(sqlite_ledger) == []  # nothing recorded
    threats_only = ["audit", "draw", "--db", db, "--kind", "threat"]
    assert runner.invoke(app, threats_only).exit_code == 0
    res = runner.invoke(app, [*threats_only, "--kind", "episode", "--as-of", "2024-06-01"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["audit"]["as_of"] == "2024-06-01"


class _ReviewInFlight:
    """An analyst's `redline review` stored but not yet committed, in a thread of its own:
    ``start`` returns once the decision is written in its transaction, ``finish`` commits it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, ledger: Ledger, *args: object) -> None:
        import threading

        import redline.review as review_module

        self.written, self.go = threading.Event(), threading.Event()
        original = review_module.apply_review

        def held_open(*a: object, **k: object) -> Applied:
            row = original(*a, **k)  # type: ignore[arg-type]
            if threading.current_thread() is self.thread:  # not another analyst's review
                self.written.set()
                self.go.wait(30)  # the transaction stays open until the test lets it end
            return row

        monkeypatch.setattr(review_module, "apply_review", held_open)
        self.thread = threading.Thread(
            target=review_module.review, args=(ledger, *args), kwargs={"reviewer": "boss"}
        )

    def start(self) -> None:
        self.thread.start()
        assert self.written.wait(30)

    def finish(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.undo()
        self.go.set()
        self.thread.join(30)


def test_a_decision_in_flight_while_a_sample_is_judged_is_not_undone(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analyst rejects a drawn item while another judges the sample "right": the judging
    read which items were decided since the draw before the rejection was committed, then
    waited for it and stored a confirmation over it (the item came back, the analyst's later
    decision lost). Judging now waits for decisions in flight, and the judgment only counts."""
    import threading

    from redline.audit import record
    from redline.extract.query import list_threats

    b = Builder(ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    audit = draw(ledger, per_kind=1, kinds=("threat",))
    (item,) = audit.items
    item.judgment = "right"
    boss = _ReviewInFlight(monkeypatch, ledger, "threat", item.item_id, "reject")
    boss.start()
    counts: dict[str, int] = {}
    judge = threading.Thread(
        target=lambda: counts.update(record(ledger, audit.id, [item], reviewer="junior"))
    )
    judge.start()
    judge.join(1.5)  # the judging reaches the item while the rejection is in flight
    boss.finish(monkeypatch)
    judge.join(30)
    assert counts["measured_only"] == 1
    assert list_threats(ledger) == []  # still rejected
    assert [(r.reviewer, r.action) for r in audit_trail(ledger)] == [
        ("boss", "reject"),
        ("junior", "note"),
    ]


def test_a_decision_in_flight_while_a_sample_is_drawn_is_not_undone(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rejection in flight while a sample was drawn, with a later review committed first
    (PostgreSQL numbers reviews as they are written, not as they commit): the draw saw the item
    unrejected and took the later review's id as the last before it, so the rejection read as
    made before the draw, and judging the item "right" brought it back. A draw now waits for
    decisions in flight, so the rejected item is not drawn."""
    import threading

    from redline.audit import record
    from redline.extract.query import list_threats
    from redline.review import review

    if ledger.engine.dialect.name != "postgresql":
        pytest.skip("SQLite numbers reviews in the order they commit (one writer at a time)")
    b = Builder(ledger)
    rejected = b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    other = b.threat(b.doc("2024-05-02"), "RUS", "tanks_to_ukraine", stated="2024-04")
    boss = _ReviewInFlight(monkeypatch, ledger, "threat", rejected, "reject")
    boss.start()
    review(ledger, "threat", other, "note", reviewer="ann", note="seen")
    drawn: list[Any] = []
    drawing = threading.Thread(
        target=lambda: drawn.append(draw(ledger, per_kind=2, kinds=("threat",)))
    )
    drawing.start()
    drawing.join(1.5)  # the draw runs while the rejection is in flight
    boss.finish(monkeypatch)
    drawing.join(30)
    (audit,) = drawn
    for item in audit.items:
        item.judgment = "right"
    record(ledger, audit.id, audit.items, reviewer="junior")
    assert [t.id for t in list_threats(ledger)] == [other]  # the rejection stands


def _session(db: str, audit_id: int, by: str) -> Any:
    """`redline audit start --resume` in a process of its own, once it shows its first item."""
    import os
    import subprocess
    import sys
    import threading
    import time

    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "200"}
    args = [sys.executable, "-m", "redline", "audit", "start", "--db", db, "--by", by]
    proc = subprocess.Popen(
        [*args, "--resume", str(audit_id)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    seen = bytearray()

    def read() -> None:
        assert proc.stdout is not None
        while chunk := proc.stdout.read1(1024):
            seen.extend(chunk)

    proc.reader = threading.Thread(target=read, daemon=True)  # type: ignore[attr-defined]
    proc.reader.start()  # type: ignore[attr-defined]
    proc.seen = seen  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120
    while b"[s] skip" not in seen:
        assert time.monotonic() < deadline and proc.poll() is None, seen.decode()
        time.sleep(0.1)
    return proc


def _answer(proc: Any, answer: str) -> str:
    proc.stdin.write(answer.encode() + b"\n")
    proc.stdin.close()
    assert proc.wait(120) == 0
    proc.reader.join(10)
    return " ".join(bytes(proc.seen).decode().split())


def test_two_sessions_of_one_audit_do_not_judge_an_item_over_each_other(
    sqlite_ledger: Ledger,
) -> None:
    """`audit start --resume N` in two terminals both showed an item; the second answer was
    stored over the first one's, unseen (the item rejected, the audit counting it wrong). As
    `triage --start` does with a decision made since its listing, the second session stores
    nothing for an item judged since it showed it, and says so."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    audit = draw(sqlite_ledger, per_kind=1, kinds=("threat",))
    first = _session(sqlite_ledger.url, audit.id, "ana")
    second = _session(sqlite_ledger.url, audit.id, "ana")
    assert "not stored" not in _answer(first, "r")
    said = _answer(second, "w")
    assert "not stored" in said and "another session" in said, said
    assert [(r.reviewer, r.action) for r in audit_trail(sqlite_ledger)] == [("ana", "confirm")]
    found = figures(sqlite_ledger, audit.id)
    assert found is not None and found.precision["threat"].hits == 1


def test_an_item_an_analyst_added_is_not_drawn(sqlite_ledger: Ledger) -> None:
    """An audit measures the machine's items: a crossing an analyst added with `redline add`
    was drawn beside the extractor's and judged right, so that recording what extraction
    missed raised its measured precision. When only such items are left, the refusal says so."""
    from redline.add import add

    text = "The first jets reached the air base in the west on Tuesday. Nothing else was said."
    b = Builder(sqlite_ledger)
    doc = b.doc("2024-03-01", text=text)
    b.threat(doc, "RUS", "f16_delivery", stated="2024-02-01")
    machine = b.crossing(doc, "USA", "f16_delivery", "2024-02-20")
    fields = {"actor_country": "NLD", "trigger_key": "f16_delivery"}
    told = b.doc("2024-03-02", text=text)
    add(sqlite_ledger, "crossing", told, quote="The first jets reached", fields=fields)
    drawn = draw(sqlite_ledger, kinds=["crossing"], per_kind=10)
    assert [(i.item_type, i.item_id) for i in drawn.items] == [("event", machine)]
    review(sqlite_ledger, "event", machine, "reject")
    with pytest.raises(RedlineError) as refused:
        draw(sqlite_ledger, kinds=["crossing"], per_kind=10)
    assert "1 rejected by an analyst and 1 added by an analyst" in str(refused.value)


def test_judging_a_file_says_which_of_your_judgments_it_changed(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """`audit judge` of a second copy of a sample (or a file edited since) stored a changed
    judgment over your earlier one without a word: the latest counts, the trail keeps both,
    and now the command names the items whose judgment it changed."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    out = tmp_path / "s.json"
    draw_to = ["audit", "draw", "--db", sqlite_ledger.url, "--kind", "threat", "-o", str(out)]
    assert runner.invoke(app, draw_to).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    judge = ["audit", "judge", str(out), "--db", sqlite_ledger.url, "--by", "ana"]
    for judgment in ("right", "wrong"):
        data["items"][0]["judgment"] = judgment
        out.write_text(json.dumps(data), encoding="utf-8")
        res = runner.invoke(app, judge)
        assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "1 of them changed a judgment you stored before (item 1: right -> wrong)" in said
    assert [r.action for r in audit_trail(sqlite_ledger)] == ["confirm", "reject"]


_KILLED_WHILE_WRITING = """
import os, signal, sys
import redline.cli.audit_cmd as audit_cmd
from redline.cli import main

def killed(path, text):  # kill -9 between recording the sample and writing its file
    os.kill(os.getpid(), signal.SIGKILL)

audit_cmd.write_whole = killed
sys.argv = ["redline", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("command", ["draw", "misses"])
def test_a_draw_killed_before_its_file_was_written_leaves_no_audit(
    sqlite_ledger: Ledger, tmp_path: Path, command: str
) -> None:
    """`audit draw -o FILE` (and `audit misses -o FILE`) killed with kill -9 after recording the
    sample and before writing FILE left a recorded sample no one could judge: it stood as the
    latest audit in `audit report` and the report. The next `audit` command forgets it, saying
    so; a sample whose draw is still running, or whose file was written, is kept."""
    import subprocess
    import sys

    from redline.audit import writing_to
    from redline.misses import STAGE

    b = Builder(sqlite_ledger)
    b.threat(
        b.doc("2024-05-01", text="Talks went on. " * 10 + "Moscow warned of grave consequences."),
        "RUS",
        "f16_delivery",
    )
    out = tmp_path / "sample.json"
    args = ["--n", "4"] if command == "misses" else ["--kind", "threat"]
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_WHILE_WRITING, "audit", command, "--db", sqlite_ledger.url]
        + [*args, "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert proc.returncode == -9, proc.stderr
    assert not out.exists()
    stage = "audit" if command == "draw" else STAGE
    with sqlite_ledger.connect() as conn:
        (killed,) = conn.execute(sa.select(runs.c.id).where(runs.c.stage == stage)).scalars()
    # a sample another process is writing now (this one) is left alone
    with sqlite_ledger.begin() as conn:
        conn.execute(
            sa.insert(runs).values(
                stage=stage, started_at=datetime.now(UTC), params=writing_to(tmp_path / "x.json")
            )
        )
    res = runner.invoke(app, ["audit", "report", "--db", sqlite_ledger.url])
    assert f"#{killed} was forgotten" in res.output and str(out) in res.output, res.output
    with sqlite_ledger.connect() as conn:
        left = conn.execute(sa.select(runs.c.id).where(runs.c.stage == stage)).scalars().all()
    assert killed not in left and len(left) == 1
    # a draw that ends well leaves its sample standing, as an ordinary one
    res = runner.invoke(app, ["audit", command, "--db", sqlite_ledger.url, *args, "-o", str(out)])
    assert res.exit_code == 0, res.output
    with sqlite_ledger.connect() as conn:
        params = conn.execute(sa.select(runs.c.params).order_by(runs.c.id.desc())).scalar()
    assert "writing" not in params


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["draw", "misses"])
def test_a_sample_printed_into_a_full_disk_is_no_audit(sqlite_ledger: Ledger, command: str) -> None:
    """`audit draw > FILE` (and `audit misses`) on a full disk said it could not write the
    output and left the sample recorded, standing as the latest audit though no one had it, as
    a sample whose -o file could not be written no longer does."""
    import subprocess
    import sys

    from redline.misses import STAGE

    b = Builder(sqlite_ledger)
    b.threat(
        b.doc("2024-05-01", text="Talks went on. " * 10 + "Moscow warned of grave consequences."),
        "RUS",
        "f16_delivery",
    )
    args = ["--n", "4"] if command == "misses" else ["--kind", "threat"]
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "redline", "audit", command, "--db", sqlite_ledger.url, *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
    assert proc.returncode == 2 and "No space left on device" in proc.stderr, proc.stderr
    assert "was recorded" in proc.stderr
    stage = "audit" if command == "draw" else STAGE
    with sqlite_ledger.connect() as conn:
        assert conn.execute(sa.select(runs.c.id).where(runs.c.stage == stage)).first() is None


def test_a_ledger_one_may_only_read_is_reported_on_beside_an_unwritten_sample(
    sqlite_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forgetting a sample whose draw was killed before its file was written is a write: on a
    ledger the user may only read, `audit report` must still report, leaving the sample to one
    who may write."""
    import subprocess
    import sys
    from contextlib import contextmanager

    from redline.audit import record, writing_to
    from redline.errors import StoreError
    from redline.processes import machine

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    audit = draw(sqlite_ledger, per_kind=1, kinds=("threat",))
    audit.items[0].judgment = "right"
    record(sqlite_ledger, audit.id, audit.items, reviewer="ann")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    writing = writing_to(Path("never.json"))
    writing["writing"]["holder"] = f"{gone}@{machine()}"
    with sqlite_ledger.begin() as conn:
        conn.execute(
            sa.insert(runs).values(stage="audit", started_at=datetime.now(UTC), params=writing)
        )

    @contextmanager
    def read_only(self: Ledger) -> Any:
        raise StoreError("the ledger may only be read; nothing was changed")
        yield

    monkeypatch.setattr(Ledger, "begin", read_only)
    res = runner.invoke(
        app, ["audit", "report", "--db", sqlite_ledger.url, "--audit", str(audit.id)]
    )
    assert res.exit_code == 0, res.output
    assert "1.00" in res.output and "forgotten" not in res.output
    monkeypatch.undo()
    assert len(audit_ids(sqlite_ledger)) == 2
    res = runner.invoke(app, ["audit", "report", "--db", sqlite_ledger.url])
    assert "was forgotten" in res.output and len(audit_ids(sqlite_ledger)) == 1


def test_resuming_after_an_extraction_says_a_link_may_bring_episodes_back(
    sqlite_ledger: Ledger,
) -> None:
    """After `extract --redo`, an audited episode whose threats were renewed has no members
    until `link` runs: `audit start --resume` called it gone from the ledger for good ("which no
    one can judge now") where `redline link` brought it back. It says so."""
    from redline.link import link
    from redline.store.schema import threats

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    link(sqlite_ledger, as_of=date(2024, 6, 1))
    audit = draw(sqlite_ledger, per_kind=1, kinds=("episode",), as_of=date(2024, 6, 1))
    base = ["audit", "start", "--db", sqlite_ledger.url, "--resume", str(audit.id), "--by", "a"]
    with sqlite_ledger.begin() as conn:  # a re-extraction: the machine's threat renewed
        conn.execute(sa.delete(threats))
    res = runner.invoke(app, base, input="q\n")
    said = " ".join(res.output.split())
    assert "1 gone from the ledger" in said and "redline link" not in said, res.output
    sqlite_ledger.start_run("extract", {})
    res = runner.invoke(app, base, input="q\n")
    said = " ".join(res.output.split())
    assert "extraction ran since the last `redline link`: run it" in said, res.output


def test_the_report_names_the_audit_that_judged_the_kinds_the_latest_did_not(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """`audit report` (and the HTML report) give the latest judged audit: one of episodes
    alone, judged after an audit of threats, hid the threats' precision without a word. They
    name the audit that judged them."""
    from redline.audit import record
    from redline.link import link

    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    link(sqlite_ledger, as_of=date(2024, 6, 1))
    first = draw(sqlite_ledger, per_kind=1, kinds=("threat",))
    first.items[0].judgment = "right"
    record(sqlite_ledger, first.id, first.items, reviewer="ann")
    second = draw(sqlite_ledger, per_kind=1, kinds=("episode",), as_of=date(2024, 6, 1))
    second.items[0].judgment = "right"
    record(sqlite_ledger, second.id, second.items, reviewer="ann")
    res = runner.invoke(app, ["audit", "report", "--db", sqlite_ledger.url])
    said = " ".join(res.output.split())
    assert f"audit #{second.id}" in said, res.output
    assert (
        f"threat precision: not judged in audit #{second.id}, judged in audit #{first.id} "
        f"(`redline audit report --audit {first.id}`)"
    ) in said
    res = runner.invoke(
        app, ["audit", "report", "--db", sqlite_ledger.url, "--audit", str(first.id)]
    )
    assert "not judged in audit" not in res.output  # the audit asked for, alone
    html_path = tmp_path / "r.html"
    res = runner.invoke(app, ["report", "--db", sqlite_ledger.url, "-o", str(html_path)])
    assert res.exit_code == 0, res.output
    html = " ".join(html_path.read_text(encoding="utf-8").split())
    assert (
        f"Threat precision is not judged in audit #{second.id}: audit #{first.id} judged it" in html
    )


def test_one_item_not_reached_is_one_item(sqlite_ledger: Ledger) -> None:
    """`audit start` stopped before its one item said "1 items not reached"."""
    b = Builder(sqlite_ledger)
    b.threat(b.doc("2024-05-01"), "RUS", "f16_delivery", stated="2024-04")
    res = runner.invoke(
        app,
        ["audit", "start", "--db", sqlite_ledger.url, "--kind", "threat", "--by", "a"],
        input="q\n",
    )
    assert "1 item not reached" in " ".join(res.output.split()), res.output
