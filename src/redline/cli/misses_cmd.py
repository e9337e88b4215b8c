"""``redline audit misses`` and ``redline audit recall``: what the ledger missed, estimated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel

from redline.cli.audit_cmd import (
    Force,
    Reviewer,
    Seed,
    ask,
    audit_app,
    opened,
    refuse_overwrite,
    write_sample,
)
from redline.cli.common import DbOption, FormatOption, console, emit
from redline.output import Format, counted, render, terminal_text, to_json
from redline.schemas import envelope
from redline.store import Ledger
from redline.vocab import ItemKind

if TYPE_CHECKING:
    from redline.misses import MissFigures

# how many sentences a sample draws (200 give recall within about ±0.2 on dev: docs/linking.md)
Sentences = Annotated[
    int, typer.Option("--n", min=4, help="Sentences drawn, spread over four strata.")
]
MissKind = Annotated[
    str | None,
    typer.Option(
        "--kind",
        metavar="KIND",
        help="What the sentences are judged for: threat (the default), crossing or response.",
    ),
]


def _kind(kind: str | None) -> ItemKind | None:
    from redline.misses import checked_kind

    return None if kind is None else checked_kind(kind)


@audit_app.command("misses")
def misses_command(
    db: DbOption = None,
    n: Sentences = 200,
    seed: Seed = 0,
    kind: MissKind = None,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Write the sample here (default: stdout)."),
    ] = None,
    force: Force = False,
) -> None:
    """Draw sentences the ledger holds no threat (or --kind crossing, response) in, to judge
    whether it missed one: set each sentence's "judgment" to the kind or none, then `audit
    misses-judge FILE`. An existing -o file is refused unless --force."""
    from redline.audit import written
    from redline.misses import discard_misses, draw_misses, plural

    refuse_overwrite(out, force, "sample")
    ledger = opened(db)
    sample = draw_misses(ledger, n=n, seed=seed, kind=_kind(kind) or ItemKind.THREAT, to_file=out)
    text = json.dumps(sample.as_dict(), indent=1, ensure_ascii=False)
    if not write_sample(text, out, lambda: discard_misses(ledger, sample.audit_id), "sample"):
        return
    written(ledger, sample.audit_id)
    sizes = ", ".join(f"{s['drawn']} of {s['sentences']} {s['name']}" for s in sample.strata)
    console.print(
        f"sample of missed {plural(sample.kind)} #{sample.audit_id}: {len(sample.sentences)} "
        f"sentences ({sizes}) written to {out}",
        markup=False,
    )


@audit_app.command("misses-start")
def misses_start_command(
    db: DbOption = None,
    n: Sentences = 200,
    seed: Seed = 0,
    kind: MissKind = None,
    by: Reviewer = None,
    resume: Annotated[
        int | None,
        typer.Option(
            "--resume",
            metavar="N",
            help="Go on with sample N: its sentences nobody has judged yet, not a fresh sample.",
        ),
    ] = None,
) -> None:
    """Judge sentences the ledger holds no threat (or --kind crossing, response) in, one by one
    in the terminal (t threat, c crossing or r response; n none, s skip, q stop; each answer is
    stored at once), then see the recall estimate."""
    from redline.misses import draw_misses, judge_misses, plural, sample
    from redline.review import checked_reviewer

    checked_reviewer(by)  # before a sample is drawn and an answer given, not at the first answer
    asked = _kind(kind)
    ledger = opened(db)
    drawn = (
        draw_misses(ledger, n=n, seed=seed, kind=asked or ItemKind.THREAT)
        if resume is None
        else sample(ledger, resume, asked)
    )
    todo = [s for s in drawn.sentences if s.judgment is None]
    total = len(drawn.sentences)
    console.print(
        f"sample of missed {plural(drawn.kind)} #{drawn.audit_id}: {total} sentences, "
        f"{len(todo)} to judge",
        markup=False,
    )
    judged = total - len(todo)
    keys = {drawn.kind.value[0]: drawn.kind.value, "n": "none", "s": "skip", "q": "quit"}
    for item in todo:
        body = terminal_text(item.before)
        body.stylize("dim")
        shown = terminal_text(item.sentence)
        shown.stylize("bold")
        body.append(" ")
        body.append_text(shown)
        console.print(
            Panel(
                body,
                title=terminal_text(f"{item.number}/{total} ({item.stratum})"),
                subtitle=terminal_text(f"document {item.document_id} at {item.start}:{item.end}"),
            )
        )
        console.print(terminal_text(item.question))
        answer = ask(
            keys,
            f"redline: sample #{drawn.audit_id} stopped: {judged} of {total} sentences judged "
            f"and stored; go on with `redline audit misses-start --resume {drawn.audit_id}`",
        )
        if answer == "q":
            break
        if answer == "s":
            continue
        judgment = {item.number: keys[answer]}
        if not judge_misses(ledger, drawn.audit_id, judgment, reviewer=by, unjudged_only=True):
            console.print(
                f"not stored: sentence {item.number} was judged in another session of sample "
                f"#{drawn.audit_id} since it was shown here; that judgment stands",
                markup=False,
                style="yellow",
            )
        judged += 1
    _print_recall(ledger, drawn.audit_id, Format.table)


@audit_app.command("misses-judge")
def misses_judge_command(
    path: Annotated[Path, typer.Argument(help="The judged sample file.", exists=True)],
    db: DbOption = None,
    by: Reviewer = None,
) -> None:
    """Store the judgments of a sample of what the ledger missed and print the recall
    estimate."""
    from redline.misses import judge_file

    ledger = opened(db)
    audit_id, stored, replaced = judge_file(ledger, path, reviewer=by)
    console.print(f"sample #{audit_id}: {stored} judgments stored", markup=False)
    if replaced:
        # a sentence keeps one judgment, the latest: a second copy of the sample replaced the
        # first's without a word
        console.print(
            f"{len(replaced)} replaced an earlier judgment (kept in the sample's record; the "
            "latest counts): "
            + "; ".join(f"sentence {n}: {what} by {who}" for n, who, what in replaced),
            markup=False,
            style="yellow",
        )
    _print_recall(ledger, audit_id, Format.table)


@audit_app.command("recall")
def recall_command(
    db: DbOption = None,
    sample: Annotated[
        int | None,
        typer.Option(
            "--sample", metavar="N", help="Sample N (default: the latest judged of each kind)."
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="threat, crossing or response (default: every kind a sample was drawn for).",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Recall estimated from a judged sample of what the ledger missed, with a 95% interval:
    of the kind asked, or of every kind a sample was drawn for (the latest judged sample of each;
    JSON then gives a list, CSV a kind column)."""
    from redline.misses import miss_figures, plural, sampled_kinds

    asked = _kind(kind)
    ledger = opened(db)
    if sample is not None or asked is not None:
        _print_recall(ledger, sample, fmt, asked)
        return
    every = [miss_figures(ledger, kind=k) for k in sampled_kinds(ledger)] or [
        miss_figures(ledger)  # none drawn: says how to draw one
    ]
    if fmt is Format.json:
        emit(to_json({**envelope("recall"), "items": [f.as_dict() for f in every]}))
    elif fmt is Format.csv:
        rows = [
            {"kind": f.kind.value, **s, "holding": s[plural(f.kind)]}
            for f in every
            for s in _with_estimate(f)
        ]
        columns = ["kind", "name", "sentences", "drawn", "judged", "holding", *ESTIMATE]
        emit(render(rows, fmt, columns))
    else:
        for figures in every:
            _show_recall(ledger, figures)


def _print_recall(
    ledger: Ledger, audit_id: int | None, fmt: Format, kind: ItemKind | None = None
) -> None:
    from redline.misses import miss_figures, plural

    figures = miss_figures(ledger, audit_id, kind=kind)
    if fmt is Format.json:
        emit(to_json({**envelope("recall"), "items": [figures.as_dict()]}))
        return
    columns = ["name", "sentences", "drawn", "judged", plural(figures.kind)]
    if fmt is Format.csv:
        emit(render(_with_estimate(figures), fmt, [*columns, *ESTIMATE]))
        return
    _show_recall(ledger, figures)


# the estimate, on each stratum's row of the CSV (empty before every stratum is judged): the CSV
# gave the strata only, never the recall the command is for
ESTIMATE = ["found", "missed", "missed_low", "missed_high", "recall", "recall_low", "recall_high"]


def _with_estimate(figures: MissFigures) -> list[dict[str, object]]:
    """The strata of ``figures``, each with the sample's estimate (``ESTIMATE``)."""
    low, high = figures.missed_interval or (None, None)
    rlow, rhigh = figures.recall_interval or (None, None)
    estimate = dict(
        zip(
            ESTIMATE,
            (figures.found, figures.missed, low, high, figures.recall, rlow, rhigh),
            strict=True,
        )
    )
    return [{**s, **estimate} for s in figures.strata]


def _show_recall(ledger: Ledger, figures: MissFigures) -> None:
    """A sample's strata and its estimate, as a table and sentences in the terminal."""
    from redline.misses import plural

    kind, kinds = figures.kind.value, plural(figures.kind)
    render(
        # the table names its first column for what it holds ("name" over likely, possible...);
        # JSON and CSV keep the key `name`
        [{"stratum": s["name"], **s} for s in figures.strata],
        Format.table,
        ["stratum", "sentences", "drawn", "judged", kinds],
        title=f"sample of missed {kinds} #{figures.audit_id}",
        console=console,
    )
    if figures.missed is None or figures.missed_interval is None:
        console.print(
            f"{counted(figures.judged, 'sentence')} judged: judge at least one in every stratum for an "
            "estimate",
            markup=False,
        )
        return
    lo, hi = figures.missed_interval
    console.print(
        terminal_text(
            f"{kind} sentences the ledger missed: {figures.missed:.0f} "
            f"(95% interval {lo:.0f}–{hi:.0f}); it holds {kinds} in {figures.found} sentences"
        )
    )
    if figures.recall is None:
        console.print(
            f"{kind} recall: none to give (the ledger held no {kind} and none was found missed)",
            markup=False,
        )
    elif figures.recall_interval is not None:
        rlo, rhi = figures.recall_interval
        basis = (
            f"{kind} precision {figures.precision[0]}/{figures.precision[1]} in the latest "
            f"audit judging {kinds}"
            + (
                f", for the {figures.found - figures.confirmed} sentences no analyst confirmed"
                if 0 < figures.confirmed < figures.found
                else f", not needed: an analyst confirmed every held {kind}"
                if figures.confirmed
                else ""
            )
            if figures.precision
            else f"no audit has judged {kinds}, so every {kind} counted as right: an upper bound"
        )
        console.print(
            terminal_text(
                f"{kind} recall: {figures.recall:.2f} (95% interval {rlo:.2f}–{rhi:.2f}); {basis}"
            )
        )
    _print_found(ledger, figures.audit_id)


def _print_found(ledger: Ledger, audit_id: int) -> None:
    """The judged sentences that hold an item of the sample's kind the ledger lacks, and how
    to add them."""
    from redline.add import REQUIRED
    from redline.misses import sample, to_add

    drawn = sample(ledger, audit_id)
    # a sentence added since (or found by a later extraction) is no longer one the ledger
    # lacks: it was listed still, as one to add
    found, since = to_add(ledger, drawn)
    if since:
        console.print(
            f"{counted(since, 'judged sentence')} holding a {drawn.kind} "
            f"{'holds' if since == 1 else 'hold'} one in the ledger now "
            "(added or extracted since the draw)",
            markup=False,
        )
    if not found:
        return
    console.print(
        f"{counted(len(found), 'judged sentence')} "
        f"{'holds' if len(found) == 1 else 'hold'} a {drawn.kind} the ledger lacks; add each with "
        f"`redline add {drawn.kind} DOC --span START:END --set {REQUIRED[drawn.kind]}=...`:",
        markup=False,
    )
    for s in found:
        words = " ".join(s.sentence.split())
        shown = words if len(words) <= 160 else words[:157] + "..."
        console.print(terminal_text(f"  document {s.document_id} at {s.start}:{s.end}: {shown}"))
