"""Docs cannot drift: every command has help text and appears in the README."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.conftest import REPO
from typer.testing import CliRunner

from redline.cli import app
from redline.schemas import validate

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    assert len(COMMANDS) >= 15
    for name, command in COMMANDS.items():
        assert (command.help or "").strip(), f"redline {name} has no help text"
        assert f"redline {name}" in README, f"redline {name} is not in README.md"


def test_help_runs_for_every_command() -> None:
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.output


def test_the_readme_python_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's Python example runs as written (it rounded a mean that is None for an actor
    with no decided episode, and failed on its own output)."""
    import re

    (block,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(REPO / "examples")
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed and any("no evidence" in line for line in printed)
    assert (tmp_path / "report.html").exists()


def test_eval_without_the_corpora_names_the_folder_and_how_to_give_it(tmp_path: Path) -> None:
    """A clone without the corpora beside it got only "document ... is not in the corpus"."""
    from typer.testing import CliRunner

    result = CliRunner().invoke(
        app, ["eval", "--shared", str(tmp_path), "--split", "dev", "--no-episodes"]
    )
    assert result.exit_code != 0
    said = str(result.exception)
    assert str(tmp_path) in said and "--shared or the REDLINE_SHARED variable" in said


def test_eval_on_the_real_gold_keeps_its_ledger_where_db_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`redline eval --db X` said it kept the scratch ledger at X, but on the real gold the
    option (and --workers) reached nothing: the episode ledger was always a temporary file."""
    from redline.gold import evaluation

    seen: dict[str, object] = {}

    def fake(*args: object, **kwargs: object) -> dict[str, object]:
        seen.update(kwargs)
        # the real gold's shape: its corpus is the counts of its documents and items
        corpus = {"documents": {"news": {"dev": 1}}, "items": {}}
        return {"extractor": "learned", "version": "v", "splits": {}, "corpus": corpus}

    monkeypatch.setattr(evaluation, "evaluate_real", fake)
    db = str(tmp_path / "episodes.db")
    result = CliRunner().invoke(
        app, ["eval", "--split", "dev", "--db", db, "--workers", "2", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert seen["db"] == db and seen["workers"] == 2
    validate(json.loads(result.output))  # the versioned envelope (it had none)
    # with no episode ledger to keep, --db is refused rather than ignored
    seen.clear()
    result = CliRunner().invoke(app, ["eval", "--split", "dev", "--db", db, "--no-episodes"])
    assert result.exit_code != 0 and "--no-episodes" in result.output and not seen


def test_eval_refuses_the_options_its_gold_does_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`redline eval GOLD CORPUS --extractor rules` scored the learned extractor, and --split,
    --shared and --no-episodes did nothing there either; `--show N` listed nothing on the
    real-document gold, and `--show -3` hid the last three misses. Each is refused, naming it."""
    import redline.evaluate
    from redline.gold import evaluation

    ran: list[str] = []
    monkeypatch.setattr(redline.evaluate, "evaluate", lambda *a, **k: ran.append("seeds"))
    monkeypatch.setattr(evaluation, "evaluate_real", lambda *a, **k: ran.append("real"))
    gold = tmp_path / "gold.json"
    gold.write_text("{}", encoding="utf-8")
    runner = CliRunner()
    for extra, named in (
        (["--extractor", "rules"], "--extractor"),
        (["--split", "dev"], "--split"),
        (["--shared", str(tmp_path)], "--shared"),
        (["--no-episodes"], "--no-episodes"),
        (["--show", "-3"], "--show"),
    ):
        result = runner.invoke(app, ["eval", str(gold), str(tmp_path), *extra])
        assert result.exit_code == 2 and named in result.output, (extra, result.output)
    result = runner.invoke(app, ["eval", "--split", "dev", "--show", "5", "--no-episodes"])
    assert result.exit_code == 2 and "--show" in result.output, result.output
    assert not ran
    # what each reads still runs
    assert runner.invoke(app, ["eval", str(gold), str(tmp_path), "--show", "0"]).exit_code != 2
    assert ran == ["seeds"]


def test_eval_csv_is_csv_on_either_gold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`redline eval -f csv` printed compact JSON (one line, which a CSV reader took for a
    header): it is one row per kind (and split) of the table's figures, with a header."""
    import csv

    import redline.evaluate
    from redline.evaluate import EpisodeScore, EvalResult, ItemScore
    from redline.gold import evaluation

    ci = {"value": 0.5, "low": 0.1, "high": 0.9, "hits": 1, "total": 2, "design_effect": 1.0}
    kinds = {
        k: {"predictions": 2, "gold": 2, "precision": ci, "recall": ci, "f1": 0.5}
        for k in ("threat", "crossing", "response", "outcome_claim")
    }
    real = {"extractor": "learned", "version": "v", "learned_from": ["train"]}
    real["splits"] = {"dev": {"split": "dev", "documents": 3, **kinds}}
    monkeypatch.setattr(evaluation, "evaluate_real", lambda *a, **k: real)
    result = CliRunner().invoke(app, ["eval", "--split", "dev", "--no-episodes", "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    assert [r["kind"] for r in rows] == ["threat", "crossing", "response", "outcome_claim"]
    assert rows[0]["split"] == "dev" and rows[0]["learned_from"] == "false"
    assert rows[0]["precision"] == "0.5" and rows[0]["recall_low"] == "0.1"

    threats = ItemScore("threats", required=4, found=3, field_checks={"speaker": [2, 3]})
    seeds = EvalResult("=gold.json", "corpus", threats, ItemScore("crossings"), EpisodeScore())
    monkeypatch.setattr(redline.evaluate, "evaluate", lambda *a, **k: seeds)
    gold = tmp_path / "gold.json"
    gold.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(gold), str(tmp_path), "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    assert [(r["kind"], r["required"], r["found"]) for r in rows] == [
        ("threats", "4", "3"),
        ("crossings", "0", "0"),
    ]
    # the spreadsheet guard every CSV has, and a mapping as its JSON
    assert rows[0]["gold"] == "'=gold.json" and json.loads(rows[0]["field_accuracy"]) == {
        "speaker": 0.667
    }


def test_train_without_the_training_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without torch, `redline train` ended in a 39-line traceback."""
    import importlib.util

    from typer.testing import CliRunner

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    result = CliRunner().invoke(app, ["train", "--out", "/nonexistent/never-written"])
    assert result.exit_code != 0
    assert "training needs torch" in str(result.exception)
    assert "pip install 'redline[train]'" in str(result.exception)


def test_db_may_come_before_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`redline --db X episodes` was refused: the top-level help lists --db for every command."""
    from typer.testing import CliRunner

    monkeypatch.delenv("REDLINE_DB", raising=False)
    missing = tmp_path / "none.db"
    for args in (["--db", str(missing), "episodes"], ["--db", str(missing), "audit", "report"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code != 0 and f"no ledger at {missing}" in str(result.exception)
    # a ledger named on the command line wins over the environment's (REDLINE_DB had won over
    # the one named before the command, so a team's shared ledger took a command meant for
    # another); the environment's is used when none is named
    other = tmp_path / "env.db"
    result = CliRunner().invoke(
        app, ["--db", str(missing), "episodes"], env={"REDLINE_DB": str(other)}
    )
    assert f"no ledger at {missing}" in str(result.exception)
    result = CliRunner().invoke(app, ["episodes"], env={"REDLINE_DB": str(other)})
    assert f"no ledger at {other}" in str(result.exception)
    # only ledger options take it: `eval --db` names a scratch ledger it fills with the gold
    # corpus (`redline --db team.db eval ...` wrote the corpus into the team's ledger)
    import typer

    from redline.cli.common import _db_defaults

    defaults = _db_defaults(typer.main.get_command(app), "team.db")
    assert defaults["episodes"] == {"db": "team.db"} and "eval" not in defaults


def test_export_help_says_its_date_is_the_last_links() -> None:
    """`export --help` said the date defaults to today, as for the listings; an export stands
    on the last link's date and refuses any other."""
    from typer.testing import CliRunner

    from redline.cli import app

    res = CliRunner().invoke(app, ["export", "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    assert "Default: that of the last `redline link`" in text and "Default: today" not in text


def test_every_prior_option_names_every_prior_it_takes() -> None:
    """`redline run --prior` took beta:A,B as every other command does, but its help listed
    only the three named priors (docs/credibility.md: `--prior beta:A,B` gives any other)."""
    runner = CliRunner()
    for name in ("run", "credibility", "report", "export"):
        result = runner.invoke(app, [name, "--help"], terminal_width=200)
        assert result.exit_code == 0
        assert "uniform, sechser, ties, or beta:A,B" in result.output, name


def _leaf_commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command that runs, with its words (``audit draw``), below ``command``."""
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from _leaf_commands(sub, (*path, name))


def test_every_option_that_takes_a_value_shows_a_placeholder() -> None:
    """A repeatable option (`extract --gazetteer`, `train --reviews-from`, `episodes --status`)
    showed no value in the help ("--gazetteer   Extra YAML gazetteer...") as if it were a flag,
    while every other option showed one (`--out <path>`)."""
    commands = list(_leaf_commands(typer.main.get_command(app)))
    assert len(commands) > len(COMMANDS)  # audit's subcommands too
    bare = []
    for name, command in commands:
        ctx = command.make_context(name, [], resilient_parsing=True)
        for param in command.params:
            if param.param_type_name != "option" or param.is_flag:
                continue
            record = param.get_help_record(ctx)
            assert record is not None, (name, param.opts)
            shown = record[0]
            for opt in sorted([*param.opts, *param.secondary_opts], key=len, reverse=True):
                shown = shown.replace(opt, "", 1)
            if not shown.replace(",", "").strip():
                bare.append(f"redline {name} {record[0]}")
    assert not bare, bare
    res = CliRunner().invoke(app, ["extract", "--help"], terminal_width=200)
    assert "-g, --gazetteer <path>" in res.output


def test_every_argument_is_named_in_capitals() -> None:
    """An argument without a metavar showed its Python name in the help: `review [OPTIONS]
    item_type ID action`, `show [OPTIONS] doc`, `export [OPTIONS] out_dir`, beside `ingest
    PATH...` and `add KIND DOC` (and the help text of `eval` speaks of GOLD)."""
    runner = CliRunner()
    lower = []
    for name, command in _leaf_commands(typer.main.get_command(app)):
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        if not arguments:
            continue
        res = runner.invoke(app, [*name.split(), "--help"], terminal_width=200)
        assert res.exit_code == 0, (name, res.output)
        usage = res.output.splitlines()[0]
        listed = res.output.split("Arguments:")[1].split("Options:")[0]
        for param in arguments:
            shown = param.metavar or (param.name or "").upper()
            if shown not in usage or not any(
                line.strip().startswith(shown) for line in listed.splitlines()
            ):
                lower.append(f"redline {name}: {usage}")
    assert not lower, lower
    res = runner.invoke(app, ["review", "--help"], terminal_width=200)
    assert "review [OPTIONS] ITEM_TYPE ID ACTION" in res.output


def test_run_export_format_offers_the_formats_export_does() -> None:
    """`redline run --export-format <str>` said "parquet, csv or json." in words, where `redline
    export -f <parquet|csv|json>` lists them as choices: one option, two wordings, and a
    mistyped format passed the command line to be refused by the API instead."""
    runner = CliRunner()
    run = " ".join(runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"}).output.split())
    export = " ".join(
        runner.invoke(app, ["export", "--help"], env={"COLUMNS": "200"}).output.split()
    )
    assert "-f, --format <parquet|csv|json>" in export
    assert "--export-format <parquet|csv|json>" in run


def test_one_option_shows_one_placeholder_in_every_command() -> None:
    """The same option read differently from command to command: `review --by <str> --note <str>
    --set <str>` beside `add --by NAME --note TEXT --set FIELD=VALUE`, `audit draw -o <path>`
    beside `audit misses -o FILE`, `audit start --resume <int>` beside `audit misses-start
    --resume N` (and `audit report --audit <int>` beside `audit recall --sample N`)."""
    # one name, another option: an export's formats, bench's lists of worker counts, and the
    # grouping of `credibility --by`
    differ = {("export", "--format"), ("bench", "--workers"), ("credibility", "--by")}
    shown: dict[str, set[str]] = {}
    for name, command in _leaf_commands(typer.main.get_command(app)):
        ctx = command.make_context(name, [], resilient_parsing=True)
        for param in command.params:
            if param.param_type_name != "option" or param.is_flag:
                continue
            record = param.get_help_record(ctx)
            assert record is not None
            longest = max(param.opts, key=len)
            if (name, longest) in differ:
                continue
            placeholder = record[0].split(longest, 1)[1].strip()
            shown.setdefault(longest, set()).add(placeholder)
    mixed = {opt: sorted(forms) for opt, forms in shown.items() if len(forms) > 1}
    assert not mixed, mixed
    assert shown["--resume"] == {"N"} and shown["--by"] == {"NAME"}


def test_one_option_is_explained_in_the_same_words() -> None:
    """`ingest --no-progress` read "Do not show a progress bar." beside extract's "No progress
    bar."; `events --actor` "Only events by this actor country." and `credibility --actor` "Only
    this threatener." without the codes `threats --actor` and `episodes --actor` give; `audit
    --by` defaulted to "your login name", `review --by` and `add --by` to "the login name"."""
    helps: dict[tuple[str, str], str] = {}
    for name, command in _leaf_commands(typer.main.get_command(app)):
        for param in command.params:
            if param.param_type_name == "option":
                helps[(name, max(param.opts, key=len))] = param.help or ""
    assert helps[("ingest", "--no-progress")] == helps[("extract", "--no-progress")]
    for name in ("threats", "events", "episodes", "credibility"):
        assert "(RUS, USA, NATO...)" in helps[(name, "--actor")], name
    by = [h for (name, opt), h in helps.items() if opt == "--by" and name != "credibility"]
    assert by and all(h.endswith("(default: the login name).") for h in by), by


def test_help_lists_the_commands_in_the_readme_s_order() -> None:
    """`redline --help` listed `add` and `bench` first and `ingest` tenth, and `audit --help`
    put `start` third, in the order the modules happened to register them; a newcomer reads
    them in the order the README's "Using it" gives, from `ingest` to `bench`."""
    import re

    using = README.split("## Using it", 1)[1].split("```console", 1)[1].split("```", 1)[0]

    def in_readme_order(names: list[str], text: str, before: str = r"(?<![\w-])") -> list[str]:
        where = {n: re.search(rf"{before}{re.escape(n)}(?![\w-])", text) for n in names}
        assert all(where.values()), where
        return sorted(names, key=lambda n: where[n].start())  # type: ignore[union-attr]

    runner = CliRunner()

    def listed(args: list[str]) -> list[str]:
        out = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "200"}).output
        block = out.split("Commands:", 1)[1]
        return [line.split()[0] for line in block.splitlines() if line.startswith("  ")]

    lines = "\n".join(line.split()[1] for line in using.splitlines() if line.startswith("redline "))
    assert listed([]) == in_readme_order(list(COMMANDS), lines)
    audit = listed(["audit"])
    # a subcommand as the README writes it: `redline audit judge`, `audit misses`, `misses-judge`
    assert audit == in_readme_order(audit, using, before="(?:audit |`)") and audit[0] == "start"


def test_train_help_says_where_the_gates_come_from_and_how_a_checkout_installs_the_extra() -> None:
    """`train --help` said it "picks each class's threshold on the dev split", where the gates
    are set on out-of-fold probabilities of train too (README, docs/model-card.md), and named
    only `pip install 'redline[train]'`, where the README, the Makefile and the error it gives
    name `.[train]` and `make setup-train` for a checkout (Redline is installed from one)."""
    res = CliRunner().invoke(app, ["train", "--help"], env={"COLUMNS": "200"})
    text = " ".join(res.output.split())
    assert "out-of-fold probabilities of the train split" in text
    assert "picks each class's threshold on the dev split" not in text
    assert "make setup-train or pip install '.[train]'" in text


def test_extract_gazetteer_help_says_what_else_reads_a_new_line() -> None:
    """`extract --gazetteer` said only "merged on top of the packaged ones": a line added with
    it was linked as a bare key, and a correction to its key refused, since linking, reviews
    and the report read the vocabulary from REDLINE_GAZETTEER (docs/extraction.md)."""
    res = CliRunner().invoke(app, ["extract", "--help"], env={"COLUMNS": "200"})
    text = " ".join(res.output.split())
    assert "for this extraction" in text and "REDLINE_GAZETTEER" in text


def _written_commands(text: str) -> Iterator[str]:
    """Each `redline ...` command line a page writes, in code spans and console blocks (a
    table cell's `redline threats\\|events -f json` is one line per command)."""
    import re

    lines = [
        line[line.index("redline ") :].split("#")[0]
        for block in re.findall(r"```console\n(.*?)```", text, flags=re.S)
        for line in block.splitlines()
        if "redline " in line
    ]
    for line in [*lines, *re.findall(r"`(redline [^`\n]+)`", text)]:
        first, *rest = line.replace("\\|", "|").split(" ", 2)[1:] or [""]
        for name in first.split("|") if not first.startswith("-") else [first]:
            yield " ".join(["redline", name, *rest])


def test_every_command_line_the_docs_write_names_options_the_command_has() -> None:
    """A command line copied from the README or docs/ must run: every command, option and
    choice it names exists (`test_every_command_has_help_and_is_in_the_readme` checked only
    that each command is named somewhere). docs/history.md quotes past stops and is left out."""
    import re

    root = typer.main.get_command(app)
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    wrong, checked = [], 0
    for page in pages:
        if page.name == "history.md":
            continue
        for line in _written_commands(page.read_text(encoding="utf-8")):
            words = line.replace("[", " ").replace("]", " ").split()[1:]
            if words[:1] == ["--db"]:  # the ledger may come before the command
                words = words[2:]
            command: Any = root
            while words and words[0] in (getattr(command, "commands", None) or {}):
                command = command.commands[words.pop(0)]
            if command is root:
                if words and words[0][0].isalpha():
                    wrong.append(f"{page.name}: no command in `{line.strip()}`")
                continue
            ctx = command.make_context(command.name, [], resilient_parsing=True)
            params = {o: p for p in command.params for o in (*p.opts, *p.secondary_opts)}
            for word, value in zip(words, [*words[1:], ""], strict=False):
                option = word.split("=")[0].rstrip(".,;:)")
                if not re.fullmatch(r"--?[a-z][\w-]*", option):
                    continue
                checked += 1
                param = params.get(option)
                if param is None:
                    if option not in ("-h", "--help"):
                        wrong.append(f"{page.name}: `redline {command.name}` has no {option}")
                    continue
                # the choices the help shows (`--format <table|json|csv>`)
                shown = re.search(r"<([^<>]*\|[^<>]*)>", (param.get_help_record(ctx) or ("",))[0])
                if shown and "|" in value:
                    for choice in value.strip(".,;:)").split("|"):
                        if choice not in shown.group(1).split("|"):
                            wrong.append(f"{page.name}: {option} takes no {choice}")
    assert checked > 100 and not wrong, wrong
