"""``redline extract``, ``threats``, ``events``, ``claims`` and ``eval``: the extraction stage's commands."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from redline.cli.common import DbOption, FormatOption, app, console, emit, err_console
from redline.errors import RedlineError, Terminated
from redline.extract import (
    ExtractReport,
    ListedItem,
    extract_documents,
    list_claims,
    list_events,
    list_threats,
)
from redline.extract.pipeline import LEASE
from redline.output import (
    Format,
    counted,
    every_field,
    json_escaped,
    render,
    terminal_text,
    to_json,
)
from redline.store import Ledger
from redline.store.schema import episodes

WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers", "-w", help="Worker processes (each loads the spaCy model once).", min=1
    ),
]
GazetteerOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--gazetteer",
        "-g",
        help="Extra YAML gazetteer merged on top of the packaged ones for this extraction "
        "(repeatable); `link`, `review`, `add` and `report` read new lines only from "
        "REDLINE_GAZETTEER, so set that for a lasting vocabulary. A later extraction without "
        "it is refused (--redo re-extracts without it).",
    ),
]

THREAT_COLUMNS = [
    "id",
    "speaker",
    "speaker_country",
    "trigger_key",
    "consequence_class",
    "explicitness",
    "stated_date",
    "stated_precision",
    "confidence",
    "sentence",
]
THREAT_COLUMNS_NARROW = [
    "id",
    "speaker_country",
    "trigger_key",
    "consequence_class",
    "stated_date",
    "sentence",
]
EVENT_COLUMNS = [
    "id",
    "kind",
    "actor",
    "actor_country",
    "trigger_key",
    "line_from",
    "action",
    "consequence_class",
    "event_date",
    "date_precision",
    "confidence",
    "sentence",
]
EVENT_COLUMNS_NARROW = ["id", "kind", "actor_country", "trigger_key", "event_date", "sentence"]
CLAIM_COLUMNS = [
    "id",
    "claim",
    "subject_country",
    "trigger_key",
    "claim_date",
    "confidence",
    "sentence",
]
CLAIM_COLUMNS_NARROW = ["id", "claim", "subject_country", "trigger_key", "sentence"]
# each listing's date and the precision it is known to
_DATED = {
    "threats": ("stated_date", "stated_precision"),
    "events": ("event_date", "date_precision"),
    "claims": ("claim_date", "date_precision"),
}


def _shown_dates(items: Sequence[ListedItem], fmt: Format, kind: str) -> list[dict[str, Any]]:
    """The listing's rows (``as_dict``). A table prints each item's date as precisely as it is
    known ("2024-10" for a month, through ``date_words`` as the episode story does): the narrow
    table (an 80-column terminal) drops the precision column and `claims` has none, so a month
    read as its first day. JSON and CSV keep the day with its precision beside it."""
    rows = [i.as_dict() for i in items]
    if fmt is not Format.table:
        return rows
    from redline.link.when import date_words

    day, precision = _DATED[kind]
    return [
        r | {day: date_words(r[day], r[precision])}
        if isinstance(r.get(day), date) and r.get(precision)
        else r
        for r in rows
    ]


DEFAULT_WORKERS = max(1, min(2, os.cpu_count() or 1))


def warn_unextracted(report: ExtractReport, out: Console, again: str = "redline extract") -> None:
    """Warn of documents this run left unextracted to other runs (``redline extract`` and
    ``redline run``, whose report and export leave them out)."""
    if report.still_claimed:
        # not an error (another run may be at work on them), but nothing extracted them yet
        minutes = round(LEASE.total_seconds() / 60)
        out.print(
            f"warning: {report.still_claimed} documents are NOT extracted: another run still "
            "holds their claim (it is at work on them, or it died on another machine and its "
            f"claim runs out {minutes} minutes after it was last renewed); run `{again}` "
            "again once that run is done or its claim has run out",
            markup=False,
            style="bold yellow",
        )
    if report.left_pending:
        out.print(
            f"warning: {report.left_pending} documents are NOT extracted: another run let them "
            f"go as this one finished (stopped with Ctrl-C, say); run `{again}` again",
            markup=False,
            style="bold yellow",
        )


def _counted(counts: dict[str, int]) -> str:
    """ "1 threat, 2 responses": the kinds counted, in the order ``_found`` names them."""
    order = ("threats", "crossings", "responses", "claims")
    return ", ".join(counted(counts[k], k[:-1]) for k in order if counts.get(k))


def _found(report: ExtractReport) -> str:
    return (
        f"{counted(report.documents, 'document')}: {counted(report.threats, 'threat')}, "
        f"{counted(report.crossings, 'crossing')}, {counted(report.responses, 'response')}, "
        f"{counted(report.claims, 'outcome claim')}"
    )


def _extract_with_a_bar(
    ledger: Ledger,
    report: ExtractReport,
    workers: int,
    redo: bool,
    extra: list[str],
    show_progress: bool,
) -> None:
    with Progress(
        TextColumn("extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),  # moves within a big document, where M of N stays put
        TimeElapsedColumn(),
        # on standard error, as ingest's bar and `run`'s: drawn on standard output it left an
        # empty line before `ingest -f csv`'s header when stdout was a pipe
        console=err_console,
        disable=not show_progress,
        transient=True,
    ) as bar:
        task = bar.add_task("extract", total=None)
        extract_documents(
            ledger,
            workers=workers,
            redo=redo,
            extra_gazetteers=extra,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            report=report,
        )


def run_extraction(
    ledger: Ledger,
    *,
    workers: int,
    redo: bool = False,
    gazetteers: list[Path] | None = None,
    show_progress: bool = True,
    quiet: bool = False,
) -> None:
    """Extract with a progress bar and print a one-line summary (shared by ``extract``, ``ingest`` and ``run``)."""
    extra = [str(p) for p in gazetteers or []]
    out = err_console if quiet else console  # JSON/CSV on stdout stays clean
    report = ExtractReport()
    try:
        _extract_with_a_bar(ledger, report, workers, redo, extra, show_progress)
    except (KeyboardInterrupt, Terminated, RedlineError) as exc:
        if report.documents or not isinstance(exc, RedlineError):
            # what the stopped run stored; the entry point then says how it stopped
            out.print(
                f"stopped after extracting {_found(report)} (stored; the other documents stay "
                "pending)",
                markup=False,
            )
        raise
    out.print(
        f"extracted {_found(report)}"
        + (f"; {len(report.errors)} errors" if report.errors else "")
        + (
            f"; {_counted(report.held_off)} not stored again: an analyst's added item stands "
            "for its sentence"
            if report.held_off
            else ""
        )
        + (
            f"; {report.by_another_run} extracted meanwhile by another run"
            if report.by_another_run
            else ""
        )
        + (
            f"; {report.to_other_runs} extracted by other runs at once"
            if report.to_other_runs
            else ""
        )
    )
    for error in report.errors:
        out.print(f"  error: {error}", markup=False)
    warn_unextracted(report, out)
    if not (
        report.documents
        or report.errors  # those failed and stay pending: not "extracted already"
        or redo
        or report.by_another_run
        or report.to_other_runs
        or report.still_claimed
        or report.left_pending
    ):
        # "extracted 0 documents" left a newcomer wondering why nothing happened
        out.print(
            "every stored document is extracted with this extractor already; --redo extracts "
            "them again",
            markup=False,
        )
    if report.documents and ledger.count(episodes):
        # listings recompute statuses from the stored membership, which only `link` renews
        out.print(
            "episodes still stand on the last link: run `redline link` to relink them with "
            "what was extracted",
            markup=False,
        )


@app.command("extract")
def extract_command(
    db: DbOption = None,
    workers: WorkersOption = DEFAULT_WORKERS,
    redo: Annotated[
        bool, typer.Option("--redo", help="Re-extract documents already processed.")
    ] = False,
    gazetteer: GazetteerOption = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
) -> None:
    """Find threats, crossings, responses and outcome claims in stored documents."""
    run_extraction(
        Ledger.open(db, create=False),
        workers=workers,
        redo=redo,
        gazetteers=gazetteer,
        show_progress=not no_progress,
    )


def _envelope(kind: str) -> dict[str, object]:
    from redline.schemas import envelope

    return envelope(kind)


def _eval_json(result: dict[str, Any], fmt: Format) -> str:
    """An evaluation's figures: with ``-f json`` in the versioned envelope every JSON output has
    (``eval-v1.json``), with ``-f csv`` one row per kind (and split) of the table's figures
    (it printed compact JSON: a CSV reader took its first line for a header)."""
    if fmt is Format.json:
        return to_json({**_envelope("eval"), **result})
    if "splits" in result:
        return _eval_csv_real(result)
    rows = [
        {"gold": result["gold"], "corpus": result["corpus"], **result[kind]}
        for kind in ("threats", "crossings")
    ]
    return render(rows, fmt, ["gold", "corpus", *result["threats"]]) or ""


# an interval's figures, each a column of the real gold's CSV after the measure's own name
_INTERVAL = ("low", "high", "hits", "total", "design_effect")
_EVAL_COLUMNS = [
    "split",
    "learned_from",
    "documents",
    "kind",
    "predictions",
    "gold",
    *(f"{m}{f}" for m in ("precision", "recall") for f in ("", *(f"_{i}" for i in _INTERVAL))),
    "f1",
    "extractor",
    "version",
]


def _eval_csv_real(result: dict[str, Any]) -> str:
    """The real gold's figures as CSV: one row per split and kind, its predictions, gold,
    precision and recall with their 95% intervals, and F1, as the table shows them."""
    rows = []
    for name, summary in result["splits"].items():
        for kind in ("threat", "crossing", "response", "outcome_claim"):
            k = summary[kind]
            row: dict[str, Any] = {
                "split": name,
                "learned_from": name in result.get("learned_from", ()),
                "documents": summary["documents"],
                "kind": kind,
                "predictions": k["predictions"],
                "gold": k["gold"],
                "f1": k["f1"],
                "extractor": result["extractor"],
                "version": result["version"],
            }
            for measure in ("precision", "recall"):
                row[measure] = k[measure]["value"]
                row |= {f"{measure}_{f}": k[measure].get(f) for f in _INTERVAL}
            rows.append(row)
    return render(rows, Format.csv, _EVAL_COLUMNS) or ""


def _listed(kind: str, fmt: Format, columns: list[str]) -> list[str]:
    """A listing's columns: the table's, and in CSV after them every field of an item its JSON
    has (CSV had the table's only: no document id, offsets, extractor or review state)."""
    from redline.schemas import item_fields

    return every_field(columns, item_fields(kind)) if fmt is Format.csv else columns


@app.command("threats")
def threats_command(
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    actor: Annotated[
        str | None,
        typer.Option(help="Only threats by this state or organisation (RUS, USA, NATO...)."),
    ] = None,
    trigger: Annotated[
        str | None,
        typer.Option(
            help="Only threats over this trigger key; new_ alone: every line the vocabulary "
            "lacks (coined keys, which form no episode until an analyst names the line)."
        ),
    ] = None,
) -> None:
    """List extracted threat statements with their provenance (document, sentence, span)."""
    rows = list_threats(Ledger.open(db, create=False), actor=actor, trigger=trigger)
    emit(
        render(
            _shown_dates(rows, fmt, "threats"),
            fmt,
            _listed("threats", fmt, THREAT_COLUMNS),
            narrow=THREAT_COLUMNS_NARROW,
            title=counted(len(rows), "threat"),
            console=console,
            envelope=_envelope("threats"),
        )
    )


@app.command("events")
def events_command(
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    kind: Annotated[
        str | None, typer.Option("--kind", metavar="KIND", help="crossing or response.")
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(help="Only events by this state or organisation (RUS, USA, NATO...)."),
    ] = None,
) -> None:
    """List extracted crossings and responses with their provenance."""
    rows = list_events(Ledger.open(db, create=False), kind=kind, actor=actor)
    emit(
        render(
            _shown_dates(rows, fmt, "events"),
            fmt,
            _listed("events", fmt, EVENT_COLUMNS),
            narrow=EVENT_COLUMNS_NARROW,
            title=counted(len(rows), "event"),
            console=console,
            envelope=_envelope("events"),
        )
    )


@app.command("claims")
def claims_command(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List authors' outcome claims ("they did not provoke Moscow") with their provenance."""
    rows = list_claims(Ledger.open(db, create=False))
    emit(
        render(
            _shown_dates(rows, fmt, "claims"),
            fmt,
            _listed("claims", fmt, CLAIM_COLUMNS),
            narrow=CLAIM_COLUMNS_NARROW,
            title=counted(len(rows), "outcome claim"),
            console=console,
            # an envelope as every other JSON output has (it printed a bare list)
            envelope=_envelope("claims"),
        )
    )


@app.command("eval")
def eval_command(
    ctx: typer.Context,
    gold: Annotated[
        Path | None,
        typer.Argument(
            help="A gold file in the seeds format (shared/gold/seeds.json); omit it to score "
            "the exhaustive real-document gold shipped with Redline.",
            exists=True,
        ),
    ] = None,
    corpus: Annotated[
        Path | None, typer.Argument(help="Folder holding the files GOLD annotates.", exists=True)
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Keep the scratch ledger here (default: a temporary file)."),
    ] = None,
    fmt: FormatOption = Format.table,
    workers: WorkersOption = 1,
    show: Annotated[
        int,
        typer.Option(
            min=0, help="With GOLD: show at most this many misses and false alarms per kind."
        ),
    ] = 50,
    extractor: Annotated[
        str, typer.Option("--extractor", help="learned (default) or rules (the old baseline).")
    ] = "learned",
    split: Annotated[
        list[str] | None,
        typer.Option("--split", help="test, dev or train (repeatable; default test and dev)."),
    ] = None,
    shared: Annotated[
        Path | None,
        typer.Option("--shared", help="The shared/ folder with the corpora (default ../shared)."),
    ] = None,
    episodes: Annotated[
        bool,
        typer.Option(
            "--episodes/--no-episodes",
            help="Also build a ledger of the news and statements and score its episodes "
            "against the analysts' episode gold (about a minute).",
        ),
    ] = True,
) -> None:
    """Score extraction against gold annotations.

    With no GOLD: the exhaustive real-document gold (test split first, never tuned on), with
    precision over every prediction, recall over non-borderline items and 95% intervals."""
    # each gold reads its own options: one the other would ignore is refused, not ignored
    # (`eval GOLD CORPUS --extractor rules` scored the learned extractor)
    if gold is None:
        _refuse_unread(ctx, ["show"], "lists a GOLD file's misses (give GOLD CORPUS)")
    else:
        _refuse_unread(
            ctx,
            ["extractor", "split", "shared", "episodes"],
            "scores the real-document gold only (omit GOLD); a GOLD file is scored with the "
            "learned extractor on every document of CORPUS",
        )
    if gold is None:
        _eval_real(extractor, split or ["test", "dev"], shared, fmt, episodes, db, workers)
        return
    if corpus is None:
        raise typer.BadParameter("a gold file needs the CORPUS folder it annotates")
    from redline.evaluate import evaluate

    result = evaluate(gold, corpus, db=db, workers=workers)
    if fmt is not Format.table:
        emit(_eval_json(result.as_dict(), fmt))
        return
    # the paths as typed, never as Rich markup ("gold[v2].json" lost its "[v2]")
    table = Table(title=terminal_text(f"{gold.name} on {corpus}"))
    for col in (
        "kind",
        "required",
        "found",
        "found with fields",
        "errors",
        "precision",
        "recall",
        "F1",
    ):
        table.add_column(col)
    for score in (result.threats, result.crossings):
        table.add_row(
            score.kind,
            str(score.required),
            str(score.found),
            str(score.found_exact),
            str(score.errors),
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            f"{score.f1:.3f}",
        )
    console.print(table)
    for score in (result.threats, result.crossings):
        acc = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in score.field_checks.items() if v[1])
        console.print(f"[bold]{score.kind}[/bold] field agreement: {acc or 'n/a'}")
        for title, items in (
            ("missed", score.misses),
            ("negative extracted", score.negatives_extracted),
            ("false alarm", score.false_alarms),
            ("field disagreement", score.disagreements),
        ):
            for item in items[:show]:
                # the corpus's sentences as JSON, their C1 and bidirectional controls escaped
                # as every JSON printed to a terminal has them (json.dumps left them raw)
                shown = json_escaped(json.dumps(item, ensure_ascii=False, default=str))
                console.print(f"  {title}: {shown[:400]}", markup=False)
    ep = result.episodes.summary()
    console.print(
        f"[bold]episodes[/bold]: {ep['matched']}/{ep['expected']} matched, status correct {ep['status_correct']}"
        + (f", separation errors: {ep['separation_errors']}" if ep["separation_errors"] else "")
    )
    for d in result.episodes.details:
        checks = "; ".join(
            f"{c['status']} (allowed: {', '.join(c['allowed'])})"
            + (f" as of {c['as_of']}" if c.get("as_of") else "")
            for c in d.get("status_checks", [])
        )
        matched = d.get("matched") or "not found"
        console.print(
            f"  {'ok ' if d.get('ok') else 'NO '} {d['gold']} -> {matched}"
            + (" (lenient match)" if d.get("lenient") else "")
            + (f": {checks}" if checks else ""),
            markup=False,
        )
    for c in result.credibility:
        est = c["estimate"]
        if est is None:
            shown = "no estimate"
        elif est["mean"] is None:  # no decided episode: the prior alone is no finding
            shown = "no evidence (no decided episode with a verdict)"
        else:
            shown = (
                f"{est['mean']:.2f}, {est['level']:.0%} interval "
                f"{est['lower']:.2f}–{est['upper']:.2f}, over {est['decided']} decided episodes"
                + (
                    f" ({est['trials']:.3g} trials: some share an event)"
                    if est["trials"] < est["decided"]
                    else ""
                )
            )
        console.print(
            f"credibility {c['actor']}: {shown} (-f json gives every figure)", markup=False
        )


def _refuse_unread(ctx: typer.Context, names: list[str], why: str) -> None:
    """A usage error naming each option of ``names`` the command line set, and ``why``."""
    given = [
        # a flag pair is named as it was given (--no-episodes)
        (param.secondary_opts if ctx.params[param.name] is False else param.opts)[0]
        for param in ctx.command.params
        if param.name in names
        # by name: typer carries its own copy of click's ParameterSource
        and getattr(ctx.get_parameter_source(param.name), "name", None) == "COMMANDLINE"
    ]
    if given:
        raise typer.BadParameter(why, param_hint=", ".join(given))


def _eval_real(
    extractor: str,
    splits: list[str],
    shared: Path | None,
    fmt: Format,
    episodes: bool = True,
    db: str | None = None,
    workers: int = 1,
) -> None:
    from redline.gold.annotations import Split
    from redline.gold.evaluation import EXTRACTORS, evaluate_real

    if extractor not in EXTRACTORS:
        raise typer.BadParameter(f"choose one of {', '.join(EXTRACTORS)}", param_hint="--extractor")
    if db is not None and not episodes:
        raise typer.BadParameter(
            "keeps the episode ledger, and --no-episodes builds none", param_hint="--db"
        )
    try:
        wanted = [Split(s) for s in splits]
    except ValueError as exc:
        raise typer.BadParameter("test, dev or train", param_hint="--split") from exc
    # --db and --workers reach the episode ledger (they had been read for a seeds-format
    # gold only: "keep the scratch ledger here" kept nothing)
    result = evaluate_real(extractor, shared, wanted, episodes=episodes, db=db, workers=workers)
    if fmt is not Format.table:
        emit(_eval_json(result, fmt))
        return
    for name, summary in result["splits"].items():
        table = Table(
            title=f"{extractor} extractor ({result['version']}) on the {name} split: "
            f"{summary['documents']} real documents annotated exhaustively"
            + (
                " (the model learned from this split: not a held-out figure)"
                if name in result.get("learned_from", ())
                else ""
            )
        )
        for col in ("kind", "predicted", "gold", "precision [95% CI]", "recall [95% CI]", "F1"):
            table.add_column(col)
        for kind in ("threat", "crossing", "response", "outcome_claim"):
            k = summary[kind]
            table.add_row(
                kind,
                str(k["predictions"]),
                str(k["gold"]),
                _ci(k["precision"]),
                _ci(k["recall"]),
                f"{k['f1']:.2f}",
            )
        console.print(table)
        console.print(
            "95% intervals are Wilson's, widened by the design effect (deff, shown above 1) of "
            "the document groups the items come from: a statement's threats by three issuers, "
            "or copies of one wire story, are right or wrong together.",
            markup=False,
        )
        threat = summary["threat"]
        fields = ", ".join(f"{f} {_ci(v)}" for f, v in threat.get("fields", {}).items())
        if threat.get("all_fields_right"):
            console.print(f"threats with every field right: {_ci(threat['all_fields_right'])}")
        console.print(f"threat field accuracy: {fields or 'n/a'}", markup=False)
        if threat.get("addressee"):
            console.print(
                f"threat addressee, where the gold states one (not among every field): "
                f"{_ci(threat['addressee'])}",
                markup=False,
            )
        sides = threat.get("by_side") or {}
        if sides:
            console.print(
                "threats by the speaker's side (precision by the predicted speaker, recall by "
                "the gold's): "
                + "; ".join(
                    f"{name} P {_ci(v['precision'])}, R {_ci(v['recall'])}"
                    for name, v in sides.items()
                ),
                markup=False,
            )
    if "episodes" in result:
        _print_episodes(result["episodes"])
    pl = result["plover"]
    console.print(
        f"PLOVER THREATEN ({pl['sentences']} held-out sentences, {pl['threaten']} THREATEN): "
        f"precision {_ci(pl['precision'])}, recall {_ci(pl['recall'])}"
    )
    if "codebook" in pl:
        cb, both = pl["codebook"], pl["both"]
        console.print(
            f"  the same sentences by the codebook ({cb['gold']} threats): precision "
            f"{_ci(cb['precision'])}, recall {_ci(cb['recall'])}; THREATEN sentences that also "
            f"hold a codebook threat ({both['gold']}): recall {_ci(both['recall'])}"
        )
    ag = result["agreement"]
    console.print(
        f"annotator agreement on {ag['documents']} documents annotated twice "
        f"({ag['sentences']} sentences): Cohen's kappa {ag['kappa']}; per kind F1 {ag['per_kind_f1']}",
        markup=False,
    )


def _print_episodes(ep: dict[str, Any]) -> None:
    table = Table(
        title=f"episodes on real news and statements as of {ep['as_of']} "
        "(analysts' episode gold; test never tuned on)"
    )
    for col in ("split", "predicted", "gold", "episodes right", "crossed verdicts right", "found"):
        table.add_column(col)
    for name, s in ep["splits"].items():
        table.add_row(
            name,
            str(s["predicted"]),
            str(s["gold"]),
            _ci(s["episode_precision"]),
            _ci(s["crossed_verdict_precision"]),
            _ci(s["recall"]),
        )
    console.print(table)
    for name, s in ep["splits"].items():
        console.print(
            f"{name}: {s['wrong_side']} episode(s) owned by the side that did not draw the line; "
            f"{s['no_verdict']} without a verdict; statuses right among those found "
            f"{_ci(s['recall_with_status'])}",
            markup=False,
        )
    ag = ep["agreement"]
    console.print(
        f"episode analysts' agreement ({', '.join(ag['groups'])}): A's episodes found by B "
        f"{_ci(ag['a_found_by_b'])}, B's by A {_ci(ag['b_found_by_a'])}; allowed statuses "
        f"overlap {_ci(ag['status_overlap'])}",
        markup=False,
    )


def _ci(p: dict[str, object]) -> str:
    if not p.get("total"):
        return "n/a"
    deff = p.get("design_effect")
    widened = f", deff {deff:.1f}" if isinstance(deff, float) and deff > 1 else ""
    return f"{p['value']:.2f} [{p['low']:.2f}–{p['high']:.2f}] ({p['hits']}/{p['total']}{widened})"
