"""What the ledger missed: a stratified sample of the sentences it holds no threat in, judged,
gives the missed threat sentences and the threat recall with a 95% interval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from redline.add import add
from redline.cli import app
from redline.errors import RedlineError
from redline.extract.sentences import split_sentences
from redline.ingest import ingest_paths
from redline.misses import (
    PLANNING,
    STRATA,
    _allocate,
    _estimate,
    draw_misses,
    judge_file,
    judge_misses,
    miss_figures,
    sample,
)
from redline.schemas import validate
from redline.store import Ledger
from redline.store.schema import runs
from redline.vocab import ItemKind

# Written for this test: two threats (one the ledger will hold, one it will miss) among news.
NOTES = {
    "a.txt": (
        "date 2022-02-08 Sanctions warning\n\n"
        "The foreign minister said on Monday that Moscow would face crippling sanctions if its "
        "troops crossed the border. Markets were calm after the remarks.\n"
    ),
    "b.txt": (
        "date 2022-03-02 Warning to allies\n\n"
        "The Kremlin warned that any country sending fighter jets would be treated as a party "
        "to the conflict. The harvest began early in the south this year.\n"
    ),
}
HELD = "Moscow would face crippling sanctions"


@pytest.fixture
def ledger_with_notes(sqlite_ledger: Ledger, tmp_path: Path) -> Ledger:
    for name, text in NOTES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    ingest_paths(sqlite_ledger, [tmp_path / n for n in NOTES], progress=False)
    add(sqlite_ledger, "threat", "a.txt", quote=HELD, fields={"speaker_country": "USA"})
    return sqlite_ledger


def _sentences(ledger: Ledger) -> list[tuple[int, str]]:
    with ledger.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, text FROM documents ORDER BY id").all()
    return [(doc, text[s:e]) for doc, text in rows for s, e in split_sentences(text)]


def test_a_sample_is_the_sentences_holding_no_threat_and_judged_whole_is_exact(
    ledger_with_notes: Ledger,
) -> None:
    every = _sentences(ledger_with_notes)
    drawn = draw_misses(ledger_with_notes, n=40, seed=3)
    # the sentence holding the ledger's threat is not in the population; all others are, and
    # with n above their number every one is drawn
    assert sum(s["sentences"] for s in drawn.strata) == len(every) - 1
    assert sorted(s.sentence for s in drawn.sentences) == sorted(
        text for _, text in every if HELD not in text
    )
    assert [s["name"] for s in drawn.strata] == [name for name, _ in STRATA]
    assert drawn.found == 1
    figures = miss_figures(ledger_with_notes, drawn.audit_id)
    assert figures.missed is None and not figures.complete  # nothing judged yet
    missed = next(s.number for s in drawn.sentences if "fighter jets" in s.sentence)
    judgments = {s.number: "threat" if s.number == missed else "none" for s in drawn.sentences}
    assert judge_misses(ledger_with_notes, drawn.audit_id, judgments, reviewer="ana") == len(
        judgments
    )
    figures = miss_figures(ledger_with_notes, drawn.audit_id)
    # every stratum judged whole: known exactly, one missed of two
    assert (figures.missed, figures.missed_interval) == (1.0, (1.0, 1.0))
    assert (figures.recall, figures.recall_interval) == (0.5, (0.5, 0.5))
    assert figures.precision is None  # no precision audit: every held threat counted right
    again = sample(ledger_with_notes, drawn.audit_id)
    assert [s.judgment for s in again.sentences].count("threat") == 1


def test_a_session_does_not_judge_over_a_sentence_judged_since_it_showed_it(
    ledger_with_notes: Ledger,
) -> None:
    """`audit misses-start --resume N` in two terminals showed the same sentence, and the
    later answer replaced the earlier one without a trace (a sentence keeps one judgment). A
    session stores nothing for a sentence judged since it showed it, and `misses-start` says
    so; a file (`misses-judge`) still replaces, as documented."""
    drawn = draw_misses(ledger_with_notes, n=4, seed=1)
    assert judge_misses(ledger_with_notes, drawn.audit_id, {1: "none"}, reviewer="bo") == 1
    stored = judge_misses(
        ledger_with_notes, drawn.audit_id, {1: "threat"}, reviewer="ana", unjudged_only=True
    )
    assert stored == 0
    assert sample(ledger_with_notes, drawn.audit_id).sentences[0].judgment == "none"


def test_a_second_copy_of_a_sample_keeps_the_judgments_it_replaces_and_says_so(
    ledger_with_notes: Ledger, tmp_path: Path
) -> None:
    """Two analysts judging copies of one misses sample: the second file replaced the first's
    judgments without a trace or a word (a sentence keeps one judgment). The latest still
    counts, as in the review trail, but the ones it replaced are kept with it and
    `misses-judge` names them."""
    url = ledger_with_notes.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "m.json"
    result = CliRunner().invoke(app, ["audit", "misses", "--db", url, "--n", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    judge_misses(ledger_with_notes, data["audit_misses"], {1: "threat", 2: "none"}, reviewer="bo")
    for s in data["sentences"]:
        s["judgment"] = "none"
    out.write_text(json.dumps(data), encoding="utf-8")
    judge = ["audit", "misses-judge", str(out), "--db", url, "--by", "ana"]
    result = CliRunner().invoke(app, judge)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "1 replaced an earlier judgment" in said and "sentence 1: threat by bo" in said
    with ledger_with_notes.connect() as conn:
        marks = conn.execute(
            sa.select(runs.c.stats).where(runs.c.id == data["audit_misses"])
        ).scalar_one()["judgments"]
    assert marks["1"]["judgment"] == "none" and marks["1"]["reviewer"] == "ana"
    assert [(b["judgment"], b["reviewer"]) for b in marks["1"]["before"]] == [("threat", "bo")]
    assert [(b["judgment"], b["reviewer"]) for b in marks["2"]["before"]] == [("none", "bo")]


def test_the_same_seed_draws_the_same_sample(ledger_with_notes: Ledger, tmp_path: Path) -> None:
    filler = " ".join(f"Ferry number {i} left the harbour on time." for i in range(40))
    (tmp_path / "c.txt").write_text(f"date 2022-03-03 Ferries\n\n{filler}\n", encoding="utf-8")
    ingest_paths(ledger_with_notes, [tmp_path / "c.txt"], progress=False)

    def where(seed: int) -> list[tuple[int, int]]:
        drawn = draw_misses(ledger_with_notes, n=6, seed=seed)
        latest.append(drawn.audit_id)
        return [(s.document_id, s.start) for s in drawn.sentences]

    latest: list[int] = []
    first = where(7)
    assert len(first) == 6 and where(7) == first
    assert any(where(seed) != first for seed in (1, 2, 3))
    assert miss_figures(ledger_with_notes).audit_id == latest[-1]  # the latest


def test_the_draw_gives_each_stratum_its_neyman_part_and_takes_a_small_one_whole() -> None:
    # the dev split's strata: the many rare sentences get most of the draw, each stratum one
    dev = {"likely": 31, "possible": 35, "unlikely": 226, "rare": 2192}
    threat = PLANNING[ItemKind.THREAT]
    assert _allocate(dev, 80, threat) == {"likely": 6, "possible": 5, "unlikely": 18, "rare": 51}
    assert _allocate({"likely": 5, "possible": 5, "unlikely": 0, "rare": 0}, 40, threat) == {
        "likely": 5,
        "possible": 5,
        "unlikely": 0,
        "rare": 0,
    }
    assert _allocate({"likely": 1, "possible": 1, "unlikely": 1, "rare": 3000}, 4, threat) == {
        "likely": 1,
        "possible": 1,
        "unlikely": 1,
        "rare": 1,
    }
    assert sum(_allocate({h: 50 for h in dev}, 81, threat).values()) == 81


def test_a_sampled_stratum_gives_an_interval_that_narrows_with_more_judgments() -> None:
    def estimate(judged: int, precision: tuple[int, int] | None = None) -> tuple:
        strata = [(2000, judged, 0)]
        return _estimate(strata, 100, precision, seed=0)

    missed, (lo, hi), recall, (rlo, rhi) = estimate(10)
    assert 0 <= lo <= missed <= hi and rlo <= recall <= rhi <= 1
    assert hi > 50  # none of 10 of 2,000 rules little out
    _, (_, hi_more), _, (rlo_more, _) = estimate(400)
    assert hi_more < hi / 5 and rlo_more > rlo
    # a judged precision below 1 lowers the recall the held threats give
    _, _, recall_half, _ = estimate(400, (5, 10))
    assert recall_half < estimate(400)[2]


def test_judgments_are_checked_and_a_bad_file_is_named(
    ledger_with_notes: Ledger, tmp_path: Path
) -> None:
    drawn = draw_misses(ledger_with_notes, n=4, seed=0)
    with pytest.raises(RedlineError, match="judge threat or none"):
        judge_misses(ledger_with_notes, drawn.audit_id, {1: "maybe"})
    with pytest.raises(RedlineError, match="has sentences 1 to 3, not 9"):
        judge_misses(ledger_with_notes, drawn.audit_id, {9: "none"})
    with pytest.raises(
        RedlineError, match="no sample of missed threats, crossings or responses numbered 999"
    ):
        judge_misses(ledger_with_notes, 999, {1: "none"})
    assert miss_figures(ledger_with_notes, drawn.audit_id).judged == 0  # nothing stored
    bad = tmp_path / "bad.json"
    bad.write_text('{"sentences": []}', encoding="utf-8")
    with pytest.raises(RedlineError, match=f"{bad}: not a sample of what the ledger missed"):
        judge_file(ledger_with_notes, bad)
    with pytest.raises(RedlineError, match="at least 4 sentences"):
        draw_misses(ledger_with_notes, n=2)


def test_cli_misses_does_not_overwrite_a_sample_file_without_force(
    ledger_with_notes: Ledger, tmp_path: Path
) -> None:
    """`audit misses -o FILE` overwrote a sample half judged in FILE; it is refused unless
    --force."""
    url = ledger_with_notes.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "m.json"
    out.write_text('{"sentences": [{"judgment": "threat", "note": "half judged"}]}\n', "utf-8")
    draw_to = ["audit", "misses", "--db", url, "--n", "4", "-o", str(out)]
    result = CliRunner().invoke(app, draw_to)
    assert isinstance(result.exception, RedlineError), result.output
    assert str(out) in str(result.exception) and "half judged" in out.read_text("utf-8")
    result = CliRunner().invoke(app, [*draw_to, "--force"])
    assert result.exit_code == 0, result.output
    assert "half judged" not in out.read_text(encoding="utf-8")


def test_cli_misses_judge_and_recall(ledger_with_notes: Ledger, tmp_path: Path) -> None:
    url = ledger_with_notes.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    out = tmp_path / "s.json"
    result = runner.invoke(app, ["audit", "misses", "--db", url, "--n", "40", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    for s in data["sentences"]:
        s["judgment"] = "threat" if "fighter jets" in s["sentence"] else "none"
    out.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["audit", "misses-judge", str(out), "--db", url, "--by", "ana"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "threat recall: 0.50" in said and "an upper bound" in said
    # the strata table names its first column for what it holds (it read "name")
    assert "stratum" in said and "┃ name " not in result.output
    assert "1 judged sentence holds a threat the ledger lacks" in said  # one: not "sentences hold"
    assert "redline add threat" in said
    result = runner.invoke(app, ["audit", "recall", "--db", url, "--kind", "threat", "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    validate(doc)  # the versioned envelope every JSON output has (it had none)
    assert [f["recall"] for f in doc["items"]] == [0.5]
    # without --kind: every kind a sample was drawn for, one item each
    result = runner.invoke(app, ["audit", "recall", "--db", url, "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    validate(doc)
    assert [(f["kind"], f["recall"]) for f in doc["items"]] == [("threat", 0.5)]
    # `audit report` names it under an audit's precision (of the machine's threats: the one an
    # analyst added is not drawn)
    from redline.audit import draw
    from test_link_factories import Builder

    b = Builder(ledger_with_notes)
    b.threat(b.doc("2024-01-02"), "RUS", "f16_delivery", stated="2024-01-01")
    draw(ledger_with_notes, per_kind=1, kinds=["threat"])
    result = runner.invoke(app, ["audit", "report", "--db", url])
    assert result.exit_code == 0, result.output
    assert "threat recall 0.50 [0.50–0.50] from sample of missed threats" in " ".join(
        result.output.split()
    )
    # and the report gives it beside the audit's precision
    page = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "-o", str(page), "--db", url])
    assert result.exit_code == 0, result.output
    shown = " ".join(page.read_text(encoding="utf-8").split())
    assert "Threat recall 0.50 [0.50–0.50]" in shown and "recall is an upper bound" in shown


def test_the_report_says_when_no_recall_was_estimated(
    ledger_with_notes: Ledger, tmp_path: Path
) -> None:
    from redline.report import write_report

    page = tmp_path / "r.html"
    write_report(ledger_with_notes, page)
    assert "Not yet estimated: how many threats this ledger missed" in page.read_text("utf-8")
    draw_misses(ledger_with_notes, n=4)
    write_report(ledger_with_notes, page)
    assert "is not judged in every stratum yet" in page.read_text("utf-8")


def test_cli_misses_start_judges_in_the_terminal_and_resumes(
    ledger_with_notes: Ledger,
) -> None:
    url = ledger_with_notes.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    drawn = draw_misses(ledger_with_notes, n=40, seed=0)  # the order the command will show
    answers = ["t" if "fighter jets" in s.sentence else "n" for s in drawn.sentences]
    # judge the first sentence, then stop
    result = runner.invoke(
        app,
        ["audit", "misses-start", "--db", url, "--resume", str(drawn.audit_id)],
        input=f"{answers[0]}\nq\n",
    )
    assert result.exit_code == 0, result.output
    assert "no estimate" not in result.output and "judge at least one" in " ".join(
        result.output.split()
    )
    # go on: only the sentences not judged yet are shown
    result = runner.invoke(
        app,
        ["audit", "misses-start", "--db", url, "--resume", str(drawn.audit_id), "--by", "ana"],
        input="".join(f"{a}\n" for a in answers[1:]),
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"{len(answers) - 1} to judge" in said and "threat recall: 0.50" in said
    # Ctrl-C or the end of the input stops with a note of how to go on
    result = runner.invoke(app, ["audit", "misses-start", "--db", url, "--n", "4"], input="")
    assert result.exit_code == 130


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"number": 2.7}, "number must be a whole number, not the number 2.7"),
        ({"number": True}, "number must be a whole number, not true"),
        ({"number": 1}, "sentence number 1 is given twice"),
        ({"judgment": ["none"]}, "judgment must be text or null"),
        (None, "sentence 2 must be an object with a number, not null"),
        # a quoted offset was told the file's sentence "at 398:494" was not the sample's "398:494"
        ({"start": "0"}, 'sentence 2: start must be a whole number, not the text "0"'),
        ({"document_id": 1.5}, "sentence 2: document_id must be a whole number, not the number"),
    ],
)
def test_a_badly_edited_sample_file_is_refused_whole(
    ledger_with_notes: Ledger, tmp_path: Path, edit: dict | None, message: str
) -> None:
    """A number of the wrong type was converted (2.7 judged sentence 2, true sentence 1), a
    number given twice replaced the first judgment silently, a sentence that was no object
    ended in a traceback."""
    drawn = draw_misses(ledger_with_notes, n=4, seed=0)
    data = drawn.as_dict()
    for s in data["sentences"]:
        s["judgment"] = "threat" if s["number"] == 1 else "none"
    data["sentences"][1] = None if edit is None else {**data["sentences"][1], **edit}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RedlineError, match=f"{path}: .*{message}.*nothing was stored"):
        judge_file(ledger_with_notes, path)
    assert miss_figures(ledger_with_notes, drawn.audit_id).judged == 0


def test_a_file_of_other_sentences_than_the_samples_is_refused(
    ledger_with_notes: Ledger, tmp_path: Path
) -> None:
    """Judgments go by number: a file of another ledger's sample of the same number, or one
    whose numbers were edited, judged sentences nobody read (here the threat went to news)."""
    drawn = draw_misses(ledger_with_notes, n=4, seed=0)
    data = drawn.as_dict()
    for s in data["sentences"]:
        s["judgment"] = "threat" if "fighter jets" in s["sentence"] else "none"
    first, second = data["sentences"][:2]
    first["number"], second["number"] = second["number"], first["number"]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RedlineError, match="is of another sample or ledger"):
        judge_file(ledger_with_notes, path)
    assert miss_figures(ledger_with_notes, drawn.audit_id).judged == 0


def test_a_ledger_with_no_threat_and_none_missed_is_not_called_unjudged(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """With every stratum judged, no threat held and none found missed, there is no recall:
    the report said the sample was not judged in every stratum yet, and the command said
    nothing of recall."""
    from redline.report import write_report

    (tmp_path / "calm.txt").write_text(
        "date 2022-02-08 Calm\n\nRain fell in the city. Ferries ran late.\n", encoding="utf-8"
    )
    ingest_paths(sqlite_ledger, [tmp_path / "calm.txt"], progress=False)
    drawn = draw_misses(sqlite_ledger, n=4)
    judge_misses(sqlite_ledger, drawn.audit_id, {s.number: "none" for s in drawn.sentences})
    page = tmp_path / "r.html"
    write_report(sqlite_ledger, page)
    shown = " ".join(page.read_text("utf-8").split())
    assert "not judged in every stratum" not in shown and "there is no recall to give" in shown
    url = sqlite_ledger.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["audit", "recall", "--db", url])
    assert result.exit_code == 0, result.output
    assert "threat recall: none to give" in " ".join(result.output.split())


def test_misses_start_refuses_a_bad_reviewer_before_drawing(ledger_with_notes: Ledger) -> None:
    """A name --by refuses was found only at the first answer: a sample was drawn and recorded
    and the sentence read for nothing."""
    url = ledger_with_notes.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, ["audit", "misses-start", "--db", url, "--n", "4", "--by", "x" * 200], input="t\n"
    )
    assert isinstance(result.exception, RedlineError) and "--by" in str(result.exception)
    with pytest.raises(RedlineError, match="no sample of missed threats yet"):
        sample(ledger_with_notes)


def test_a_sample_whose_file_cannot_be_written_is_not_recorded(
    ledger_with_notes: Ledger, tmp_path: Path
) -> None:
    """It stood as the latest sample: `audit recall` and the report answered for a sample
    nobody could judge, not for the one judged."""
    url = ledger_with_notes.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "no such folder" / "s.json"
    result = CliRunner().invoke(app, ["audit", "misses", "--db", url, "--n", "4", "-o", str(out)])
    assert isinstance(result.exception, RedlineError)
    assert "no sample was recorded" in str(result.exception)
    with pytest.raises(RedlineError, match="no sample of missed threats yet"):
        sample(ledger_with_notes)


def test_no_item_held_and_none_found_in_a_sampled_stratum_gives_no_recall() -> None:
    """A ledger holding no item of the kind, whose judged sentences hold none either, has no
    recall to give: it read 0.00 (95% interval 0.00-0.00) as soon as a stratum was sampled, not
    taken whole, certain the ledger lacked every one of a kind nobody found."""
    missed, (lo, hi), recall, interval = _estimate([(2000, 10, 0), (5, 5, 0)], 0, None, seed=0)
    assert recall is None and interval is None
    assert 0 <= lo <= missed <= hi and hi > 50  # the missed count keeps its uncertainty
    # one found missed: the ledger that holds none has recall 0
    _, _, recall, interval = _estimate([(2000, 10, 1)], 0, None, seed=0)
    assert recall == 0 and interval == (0, 0)
