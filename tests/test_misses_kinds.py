"""What the ledger missed, for crossings and responses as for threats: a sample records its
kind, its population is the sentences holding no item of that kind, only its own judgments give
that kind's recall, and a sample stored before samples recorded their kind is of threats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from redline.add import add
from redline.cli import app
from redline.errors import RedlineError
from redline.ingest import ingest_paths
from redline.misses import (
    STAGE,
    _estimate,
    draw_misses,
    judge_file,
    judge_misses,
    latest_figures,
    miss_figures,
    sample,
    sampled_kinds,
)
from redline.store import Ledger
from redline.store.schema import events, runs, threats
from redline.vocab import ItemKind

# Written for this test: a threat, two crossings (one the ledger will hold) and a response.
NOTES = {
    "tanks.txt": (
        "date 2023-01-25 Tanks\n\n"
        "Germany delivered the first battle tanks to Ukraine on Tuesday. Officials in Berlin "
        "confirmed the shipment by rail. Moscow said any tanks sent would be destroyed and their "
        "senders punished.\n"
    ),
    "jets.txt": (
        "date 2023-02-10 Jets\n\n"
        "Poland sent four fighter jets to Ukraine on Thursday. The weather in Warsaw stayed "
        "mild all week. Russia imposed sanctions on ten Polish officials on Friday in reply.\n"
    ),
}
HELD_CROSSING = "Germany delivered the first battle tanks"
HELD_THREAT = "Moscow said any tanks sent would be destroyed"
MISSED_CROSSING = "Poland sent four fighter jets"
HELD_RESPONSE = "Russia imposed sanctions on ten Polish officials"


@pytest.fixture
def events_ledger(ledger: Ledger, tmp_path: Path) -> Ledger:
    for name, text in NOTES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    ingest_paths(ledger, [tmp_path / n for n in NOTES], progress=False)
    add(ledger, "threat", "tanks.txt", quote=HELD_THREAT, fields={"speaker_country": "RUS"})
    add(ledger, "crossing", "tanks.txt", quote=HELD_CROSSING, fields={"actor_country": "DEU"})
    add(ledger, "response", "jets.txt", quote=HELD_RESPONSE, fields={"actor_country": "RUS"})
    return ledger


def _as_extracted(ledger: Ledger) -> None:
    """The fixture's items as extraction's (confirmed still): an audit draws the machine's
    items, not those an analyst added."""
    with ledger.begin() as conn:
        for table in (threats, events):
            conn.execute(sa.update(table).values(extractor="rules"))


def _filler(ledger: Ledger, tmp_path: Path) -> None:
    """Many plain sentences, so a small draw samples a stratum instead of taking it whole."""
    filler = " ".join(f"Ferry number {i} left the harbour on time." for i in range(60))
    (tmp_path / "ferries.txt").write_text(f"date 2023-03-03 Ferries\n\n{filler}\n", "utf-8")
    ingest_paths(ledger, [tmp_path / "ferries.txt"], progress=False)


def test_a_crossing_sample_holds_the_sentences_without_a_crossing(events_ledger: Ledger) -> None:
    drawn = draw_misses(events_ledger, n=40, seed=1, kind=ItemKind.CROSSING)
    assert drawn.kind == ItemKind.CROSSING and drawn.found == 1
    said = [s.sentence for s in drawn.sentences]
    # the held crossing's sentence is not in it; the held threat's and response's are
    assert not any(HELD_CROSSING in s for s in said)
    assert any(HELD_THREAT in s for s in said) and any(HELD_RESPONSE in s for s in said)
    assert all("crossing" in s.question for s in drawn.sentences)
    responses = draw_misses(events_ledger, n=40, seed=1, kind=ItemKind.RESPONSE)
    assert not any(HELD_RESPONSE in s.sentence for s in responses.sentences)
    assert any(HELD_CROSSING in s.sentence for s in responses.sentences)
    assert sampled_kinds(events_ledger) == [ItemKind.CROSSING, ItemKind.RESPONSE]
    with pytest.raises(RedlineError, match="of threat, crossing, response, not 'claim'"):
        draw_misses(events_ledger, n=4, kind=ItemKind.CLAIM)


def test_a_crossing_sample_judged_through_the_json_form_gives_a_recall_with_an_interval(
    events_ledger: Ledger, tmp_path: Path
) -> None:
    _filler(events_ledger, tmp_path)
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    out = tmp_path / "s.json"
    result = runner.invoke(
        app,
        ["audit", "misses", "--db", url, "--kind", "crossing", "--n", "8", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "sample of missed crossings #" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["kind"], data["judgments"]) == ("crossing", ["crossing", "none"])
    for s in data["sentences"]:
        s["judgment"] = "crossing" if MISSED_CROSSING in s["sentence"] else "none"
    out.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["audit", "misses-judge", str(out), "--db", url, "--by", "ana"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "sample of missed crossings" in said and "crossing recall:" in said
    assert "every crossing counted as right: an upper bound" in said
    result = runner.invoke(
        app, ["audit", "recall", "--db", url, "--kind", "crossing", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    (figures,) = json.loads(result.output)["items"]
    assert figures["kind"] == "crossing" and figures["judged"] == 8
    assert figures["found"] == 1 and figures["precision_assumed"]
    low, high = figures["recall_interval"]
    assert 0 < low < figures["recall"] < high <= 1  # the rare stratum is sampled: not exact
    assert sum(s["crossings"] for s in figures["strata"]) == sum(
        MISSED_CROSSING in s["sentence"] for s in data["sentences"]
    )
    # no threat sample was drawn: no threat recall, and the crossing one is not read as it
    with pytest.raises(RedlineError, match="no sample of missed threats yet"):
        miss_figures(events_ledger)
    result = runner.invoke(app, ["audit", "recall", "--db", url, "--kind", "threat"])
    assert isinstance(result.exception, RedlineError)


def test_a_threat_samples_judgments_do_not_feed_crossing_recall(
    events_ledger: Ledger, tmp_path: Path
) -> None:
    threats = draw_misses(events_ledger, n=40, seed=0)
    assert threats.kind == ItemKind.THREAT
    # every sentence of the threat sample judged to hold a threat
    judge_misses(events_ledger, threats.audit_id, {s.number: "threat" for s in threats.sentences})
    with pytest.raises(RedlineError, match="no sample of missed crossings yet.*--kind crossing"):
        miss_figures(events_ledger, kind=ItemKind.CROSSING)
    with pytest.raises(RedlineError, match="is of missed threats, not crossings"):
        miss_figures(events_ledger, threats.audit_id, kind=ItemKind.CROSSING)
    crossings = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.CROSSING)
    # a crossing sample takes crossing or none, never threat
    with pytest.raises(RedlineError, match="judge crossing or none, not 'threat'"):
        judge_misses(events_ledger, crossings.audit_id, {1: "threat"})
    judge_misses(
        events_ledger,
        crossings.audit_id,
        {
            s.number: "crossing" if MISSED_CROSSING in s.sentence else "none"
            for s in crossings.sentences
        },
    )
    crossing = miss_figures(events_ledger, kind=ItemKind.CROSSING)
    assert crossing.audit_id == crossings.audit_id
    # taken whole: one crossing missed beside the one held, whatever the threat sample said
    assert (crossing.missed, crossing.recall, crossing.recall_interval) == (1.0, 0.5, (0.5, 0.5))
    threat = miss_figures(events_ledger)  # of threats by default, as before
    assert threat.audit_id == threats.audit_id and threat.missed == len(threats.sentences)
    assert set(latest_figures(events_ledger)) == {ItemKind.THREAT, ItemKind.CROSSING}
    # a file of the threat sample edited to say crossing is refused whole
    data = sample(events_ledger, threats.audit_id).as_dict()
    data["kind"] = "crossing"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RedlineError, match="is of missed threats, not crossings"):
        judge_file(events_ledger, path)


def test_a_sample_stored_without_a_kind_reads_as_a_threat_sample(events_ledger: Ledger) -> None:
    drawn = draw_misses(events_ledger, n=4, seed=0)
    with events_ledger.begin() as conn:  # as samples were stored before they recorded a kind
        params = conn.execute(sa.select(runs.c.params).where(runs.c.id == drawn.audit_id))
        old = {k: v for k, v in params.scalar_one().items() if k != "kind"}
        conn.execute(sa.update(runs).where(runs.c.id == drawn.audit_id).values(params=old))
        assert conn.execute(
            sa.select(runs.c.stage).where(runs.c.id == drawn.audit_id)
        ).scalar() == (STAGE)
    assert sampled_kinds(events_ledger) == [ItemKind.THREAT]
    again = sample(events_ledger)
    assert (again.audit_id, again.kind) == (drawn.audit_id, ItemKind.THREAT)
    assert miss_figures(events_ledger, drawn.audit_id, kind=ItemKind.THREAT).kind == "threat"
    with pytest.raises(RedlineError, match="no sample of missed responses yet"):
        sample(events_ledger, kind=ItemKind.RESPONSE)


def test_recall_without_a_kind_gives_every_kind_and_the_report_each(
    events_ledger: Ledger, tmp_path: Path
) -> None:
    from redline.report import write_report

    for kind in (ItemKind.THREAT, ItemKind.RESPONSE):
        drawn = draw_misses(events_ledger, n=40, seed=0, kind=kind)
        judge_misses(events_ledger, drawn.audit_id, {s.number: "none" for s in drawn.sentences})
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "recall", "--db", url])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "threat recall: 1.00" in said and "response recall: 1.00" in said
    assert "crossing" not in said  # no crossing sample: nothing said of crossings
    result = runner.invoke(app, ["audit", "recall", "--db", url, "-f", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("kind,name,sentences,drawn,judged,holding,")
    assert {line.split(",")[0] for line in lines[1:]} == {"threat", "response"}
    result = runner.invoke(app, ["audit", "recall", "--db", url, "--kind", "crossings"])
    assert isinstance(result.exception, RedlineError)
    assert "threat, crossing, response, not 'crossings'" in str(result.exception)
    page = tmp_path / "r.html"
    write_report(events_ledger, page)
    shown = " ".join(page.read_text("utf-8").split())
    assert "Threat recall 1.00 [1.00–1.00]" in shown
    assert "Response recall 1.00 [1.00–1.00]" in shown
    assert "redline audit misses --kind response" in shown
    # `audit report` gives each kind's recall under an audit's precision
    from redline.audit import draw

    _as_extracted(events_ledger)
    draw(events_ledger, per_kind=1, kinds=["threat"])
    result = runner.invoke(app, ["audit", "report", "--db", url])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "threat recall 1.00 [1.00–1.00] from sample of missed threats" in said
    assert "response recall 1.00 [1.00–1.00] from sample of missed responses" in said


def test_misses_start_judges_responses_with_their_key_and_resumes_by_the_sample(
    events_ledger: Ledger,
) -> None:
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    drawn = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.RESPONSE)
    answers = ["r" if "sanctions" in s.sentence else "n" for s in drawn.sentences]
    # --resume goes on with the sample's own kind, without --kind
    result = runner.invoke(
        app,
        ["audit", "misses-start", "--db", url, "--resume", str(drawn.audit_id)],
        input="".join(f"{a}\n" for a in answers),
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "[r] response" in said and "sample of missed responses" in said
    assert "response recall: 1.00" in said  # the one response sentence is held
    # asking for another kind than the sample's is refused
    result = runner.invoke(
        app,
        ["audit", "misses-start", "--db", url, "--resume", str(drawn.audit_id), "--kind", "threat"],
    )
    assert isinstance(result.exception, RedlineError)
    assert "is of missed responses, not threats" in str(result.exception)


def test_a_judged_crossing_added_since_is_no_longer_listed_as_one_the_ledger_lacks(
    events_ledger: Ledger,
) -> None:
    """The sentences judged to hold a crossing are listed to add; one added since was listed
    still as one 'the ledger lacks', with the command to add it again."""
    drawn = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.CROSSING)
    judge_misses(
        events_ledger,
        drawn.audit_id,
        {
            s.number: "crossing" if MISSED_CROSSING in s.sentence else "none"
            for s in drawn.sentences
        },
    )
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    args = ["audit", "recall", "--db", url, "--kind", "crossing"]
    said = " ".join(runner.invoke(app, args).output.split())
    assert "1 judged sentence holds a crossing the ledger lacks" in said
    assert MISSED_CROSSING in said
    add(
        events_ledger,
        "crossing",
        "jets.txt",
        quote=MISSED_CROSSING,
        fields={"actor_country": "POL"},
    )
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "the ledger lacks" not in said and MISSED_CROSSING not in said
    assert "1 judged sentence holding a crossing holds one in the ledger now" in said
    # the estimate stays the one of the draw: recall of what the ledger held then
    assert miss_figures(events_ledger, kind=ItemKind.CROSSING).recall == 0.5


def test_crossing_recall_takes_the_precision_of_the_latest_audit_that_judged_crossings(
    events_ledger: Ledger,
) -> None:
    """An audit of threats only, judged after one that judged crossings, left crossing recall
    with no precision: every crossing counted as right, under 'no judged precision audit'."""
    from redline.audit import draw, record

    _as_extracted(events_ledger)
    for kinds in (("crossing",), ("threat",)):
        audit = draw(events_ledger, per_kind=1, kinds=kinds)
        for item in audit.items:
            item.judgment = "right"
        record(events_ledger, audit.id, audit.items, reviewer="ann")
    drawn = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.CROSSING)
    judge_misses(events_ledger, drawn.audit_id, {s.number: "none" for s in drawn.sentences})
    crossing = miss_figures(events_ledger, kind=ItemKind.CROSSING)
    assert crossing.precision == (1, 1) and not crossing.as_dict()["precision_assumed"]
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["audit", "recall", "--db", url, "--kind", "crossing"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "crossing precision 1/1 in the latest audit judging crossings" in said
    # a kind no audit judged still counts every held item as right
    responses = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.RESPONSE)
    judge_misses(events_ledger, responses.audit_id, {s.number: "none" for s in responses.sentences})
    assert miss_figures(events_ledger, kind=ItemKind.RESPONSE).precision is None


def test_audit_report_gives_recall_when_no_precision_audit_was_drawn(
    events_ledger: Ledger,
) -> None:
    """`audit report` refused ('no audit in ...') a ledger whose misses were sampled and judged
    but that had no precision audit, hiding the recall the HTML report gave."""
    drawn = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.RESPONSE)
    judge_misses(events_ledger, drawn.audit_id, {s.number: "none" for s in drawn.sentences})
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "report", "--db", url])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "no precision audit yet" in said
    assert "response recall 1.00 [1.00–1.00] from sample of missed responses" in said
    # JSON and CSV give an audit's precision: still refused without one, naming where the
    # recall the table gave is in that format
    for fmt in ("json", "csv"):
        result = runner.invoke(app, ["audit", "report", "--db", url, "-f", fmt])
        said = str(result.exception)
        assert "no audit in" in said and f"`redline audit recall -f {fmt}`" in said, said


def test_audit_report_names_a_kind_sampled_without_an_estimate(events_ledger: Ledger) -> None:
    """A kind whose sample is not judged in every stratum (or has no recall to give) was left
    out of `audit report` without a word, where the HTML report said why it had none."""
    from redline.audit import draw

    _as_extracted(events_ledger)
    draw(events_ledger, per_kind=1, kinds=["threat"])
    drawn = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.CROSSING)
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["audit", "report", "--db", url])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"sample of missed crossings #{drawn.audit_id} is not judged in every stratum" in said
    assert f"misses-start --resume {drawn.audit_id}" in said


def test_a_sample_drawn_to_judge_later_does_not_hide_the_recall_of_the_one_judged(
    events_ledger: Ledger, tmp_path: Path
) -> None:
    """`audit recall`, `audit report` and the HTML report read the latest sample drawn: one
    drawn to judge later (or to look at) hid the judged one's recall behind 'not judged in
    every stratum yet'; they read the latest judged, as an audit's figures are."""
    from redline.report import write_report

    judged = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.CROSSING)
    judge_misses(
        events_ledger,
        judged.audit_id,
        {
            s.number: "crossing" if MISSED_CROSSING in s.sentence else "none"
            for s in judged.sentences
        },
    )
    later = draw_misses(events_ledger, n=40, seed=1, kind=ItemKind.CROSSING)
    figures = miss_figures(events_ledger, kind=ItemKind.CROSSING)
    assert figures.audit_id == judged.audit_id and figures.recall == 0.5
    assert latest_figures(events_ledger)[ItemKind.CROSSING].audit_id == judged.audit_id
    page = tmp_path / "r.html"
    write_report(events_ledger, page)
    assert "Crossing recall 0.50" in " ".join(page.read_text("utf-8").split())
    # the later sample is still read when asked for, and once judged it is the latest
    assert miss_figures(events_ledger, later.audit_id).judged == 0
    judge_misses(events_ledger, later.audit_id, {1: "none"})
    assert miss_figures(events_ledger, kind=ItemKind.CROSSING).audit_id == later.audit_id


def test_the_precision_is_not_applied_again_to_what_an_audit_confirmed(
    events_ledger: Ledger, tmp_path: Path
) -> None:
    """An audit confirms what it judges right and rejects what it judges wrong, so a ledger
    audited before the draw holds only right items among those judged: the precision applied
    to every held sentence counted each wrong one twice, and recall read too low (most for
    crossings and responses, which an audit judges most of)."""
    from redline.audit import draw, record

    _filler(events_ledger, tmp_path)
    for i in range(3):  # three more crossings, in sentences of their own
        note = tmp_path / f"more{i}.txt"
        note.write_text(
            f"date 2023-04-0{i + 1} More\n\nSweden delivered {i + 2} howitzers to Ukraine.\n",
            encoding="utf-8",
        )
        ingest_paths(events_ledger, [note], progress=False)
        add(
            events_ledger,
            "crossing",
            f"more{i}.txt",
            quote="Sweden delivered",
            fields={"actor_country": "SWE"},
        )
    with events_ledger.begin() as conn:  # as extraction found them: the machine's, unreviewed
        conn.execute(sa.update(events).values(review_state="machine", extractor="rules"))
    audit = draw(events_ledger, per_kind=2, seed=0, kinds=["crossing"])
    for item, judgment in zip(audit.items, ("right", "wrong"), strict=True):
        item.judgment = judgment
    record(events_ledger, audit.id, audit.items, reviewer="ann")
    drawn = draw_misses(events_ledger, n=8, seed=0, kind=ItemKind.CROSSING)
    # 3 crossings held: 1 confirmed by the audit, 2 unjudged (the wrong one is rejected)
    assert drawn.found == 3
    judge_misses(events_ledger, drawn.audit_id, {s.number: "none" for s in drawn.sentences})
    figures = miss_figures(events_ledger, kind=ItemKind.CROSSING)
    assert figures.precision == (1, 2) and figures.confirmed == 1
    rows = [(s["sentences"], s["judged"], s["crossings"]) for s in figures.strata]
    # the right ones held are 1 + 2 x precision (about 2), not 3 x precision (about 1.5)
    assert figures.recall == _estimate(rows, 3, (1, 2), 0, 1)[2]
    twice = _estimate(rows, 3, (1, 2), 0)[2]  # the precision applied to the confirmed one too
    assert figures.recall is not None and twice is not None and figures.recall > twice
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["audit", "recall", "--db", url, "--kind", "crossing"])
    said = " ".join(result.output.split())
    assert "for the 2 sentences no analyst confirmed" in said


def test_recall_as_csv_gives_the_estimate_json_and_the_table_give(events_ledger: Ledger) -> None:
    """`audit recall -f csv` gave each stratum's counts but never the recall (nor the missed
    count) the command is for, with or without --kind; JSON and the table gave them."""
    import csv
    import io

    drawn = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.CROSSING)
    judge_misses(
        events_ledger,
        drawn.audit_id,
        {
            s.number: "crossing" if MISSED_CROSSING in s.sentence else "none"
            for s in drawn.sentences
        },
    )
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    base = ["audit", "recall", "--db", url]
    (given,) = json.loads(runner.invoke(app, [*base, "--kind", "crossing", "-f", "json"]).output)[
        "items"
    ]
    for args in ([], ["--kind", "crossing"]):
        result = runner.invoke(app, [*base, *args, "-f", "csv"])
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(result.output)))
        assert len(rows) == 4
        for row in rows:
            assert float(row["recall"]) == given["recall"] == 0.5
            low, high = given["recall_interval"]
            assert (float(row["recall_low"]), float(row["recall_high"])) == (low, high)
            assert float(row["missed"]) == given["missed"] and int(row["found"]) == 1


def test_a_ledger_whose_every_held_crossing_is_confirmed_says_the_precision_is_not_needed(
    events_ledger: Ledger, tmp_path: Path
) -> None:
    """Every held crossing confirmed: the output said the precision was applied 'for the 0
    sentences no analyst confirmed'."""
    from redline.audit import draw, record
    from redline.report import write_report

    _as_extracted(events_ledger)
    audit = draw(events_ledger, per_kind=1, kinds=["crossing"])
    for item in audit.items:
        item.judgment = "right"
    record(events_ledger, audit.id, audit.items, reviewer="ann")
    drawn = draw_misses(events_ledger, n=40, seed=0, kind=ItemKind.CROSSING)
    judge_misses(events_ledger, drawn.audit_id, {s.number: "none" for s in drawn.sentences})
    url = events_ledger.engine.url.render_as_string(hide_password=False)
    said = " ".join(
        CliRunner()
        .invoke(app, ["audit", "recall", "--db", url, "--kind", "crossing"])
        .output.split()
    )
    assert "not needed: an analyst confirmed every held crossing" in said
    assert "0 sentences" not in said
    page = tmp_path / "r.html"
    write_report(events_ledger, page)
    shown = " ".join(page.read_text("utf-8").split())
    assert "not needed: an analyst confirmed every crossing it holds" in shown


def test_reading_a_sample_of_a_kind_no_sample_is_drawn_for_is_refused_as_such(
    events_ledger: Ledger,
) -> None:
    """`miss_figures(kind=claim)` (or "claims") said 'no sample of missed claims yet: `redline
    audit misses --kind claim -o FILE` draws one', a command that refuses the kind."""
    for kind in (ItemKind.CLAIM, "claims"):
        with pytest.raises(RedlineError, match="of threat, crossing, response, not 'claim"):
            miss_figures(events_ledger, kind=kind)  # type: ignore[arg-type]
        with pytest.raises(RedlineError, match="of threat, crossing, response, not 'claim"):
            sample(events_ledger, kind=kind)  # type: ignore[arg-type]
