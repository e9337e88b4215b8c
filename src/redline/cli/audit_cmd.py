"""``redline audit``: judge a random sample of the ledger and get its precision per kind.

redline audit start                 # interactive: judge items one by one in the terminal
redline audit draw -o sample.json   # for scripts: write the sample, judge it in the file
redline audit judge sample.json --by NAME
redline audit report                # precision per kind with 95% intervals
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from redline.cli.common import (
    DbOption,
    FormatOption,
    InOrder,
    Stopped,
    app,
    console,
    emit,
    err_console,
    iso_date,
)
from redline.errors import RedlineError
from redline.output import (
    Format,
    counted,
    json_escaped,
    render,
    terminal_text,
    to_json,
    write_whole,
)
from redline.schemas import envelope
from redline.store import Ledger

if TYPE_CHECKING:
    from redline.audit import AuditFigures
    from redline.misses import MissFigures
    from redline.vocab import ItemKind

audit_app = typer.Typer(
    cls=InOrder,
    help="Measure the ledger's truth on your corpus: judge a stratified random sample of "
    "threats, crossings, responses and episodes; precision per kind with 95% intervals.",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

PerKind = Annotated[int, typer.Option("--n", min=1, help="Items drawn per kind.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed (the same seed redraws).")]
Kinds = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        metavar="KIND",
        help="threat, crossing, response or episode (repeatable; default all).",
    ),
]
Force = Annotated[
    bool,
    typer.Option(
        "--force", help="Overwrite the -o file if it exists (it may hold judgments not stored)."
    ),
]
Reviewer = Annotated[
    str | None,
    typer.Option("--by", metavar="NAME", help="Who judges (default: the login name)."),
]
AuditAsOf = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        parser=iso_date,
        metavar="YYYY-MM-DD",
        help="The episodes' statuses as of this date (YYYY-MM-DD), in hindsight (default: "
        "today). Threats, crossings and responses are drawn from the whole ledger whatever the "
        "date, so --as-of is refused when no episode is drawn (--kind without episode).",
        show_default=False,
    ),
]


def opened(db: str | None) -> Ledger:
    """The ledger an `audit` command works on, rid of the samples whose `draw` was killed before
    their file was written (``unwritten``), each named: such an audit, which no one could judge,
    stood as the latest in `audit report` and the report."""
    from redline.audit import unwritten

    ledger = Ledger.open(db, create=False)
    for number, stage, file in unwritten(ledger):
        what = "audit" if stage == "audit" else "sample of misses"
        err_console.print(
            f"{what} #{number} was forgotten: the draw that recorded it was stopped (killed?) "
            f"before its file {file} was written, so no one could judge it; draw it again",
            markup=False,
            style="yellow",
        )
    return ledger


def _draw(
    db: str | None,
    n: int,
    seed: int,
    kinds: list[str] | None,
    as_of: object,
    to_file: Path | None = None,
):
    from redline.audit import KINDS, draw

    if as_of is not None and kinds and all(k in KINDS and k != "episode" for k in kinds):
        # the date dates only the episodes' statuses: drawn without one, the audit was
        # recorded "as of" a day that had no part in it (an unknown kind is draw's to name)
        raise RedlineError(
            f"--as-of dates the episodes' statuses only, and --kind {' --kind '.join(kinds)} "
            "draws no episode (threats, crossings and responses are drawn from the whole ledger "
            "whatever the date): drop --as-of, or add --kind episode"
        )
    ledger = opened(db)
    day = as_of.date() if as_of is not None else None  # type: ignore[attr-defined]
    audit = draw(ledger, per_kind=n, seed=seed, kinds=kinds or KINDS, as_of=day, to_file=to_file)
    return ledger, audit


@audit_app.command("draw")
def draw_command(
    db: DbOption = None,
    n: PerKind = 10,
    seed: Seed = 0,
    kind: Kinds = None,
    as_of: AuditAsOf = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Write the sample here (default: stdout).")
    ] = None,
    force: Force = False,
) -> None:
    """Draw a sample and write it as JSON: set each item's "judgment", then `audit judge`.
    An existing -o file is refused unless --force."""
    from redline.audit import discard, written

    refuse_overwrite(out, force, "audit")
    ledger, audit = _draw(db, n, seed, kind, as_of, out)
    text = json.dumps(audit.as_dict(), indent=1, ensure_ascii=False, default=str)
    if write_sample(text, out, lambda: discard(ledger, audit.id), "audit"):
        written(ledger, audit.id)
        console.print(f"audit #{audit.id}: {len(audit.items)} items written to {out}", markup=False)


def ask(keys: Mapping[str, str], stopped: str) -> str:
    """The key of the answer a person types, asked until it is one of ``keys`` (key -> what it
    means; "s", skip, by default) or the whole word it stands for, in any letter case; anything
    else is refused and asked again (the first letter was taken, so "cancel" was read as [c]
    confirm and "wrongly?" as [w] wrong). Ctrl-C or the end of the input raises ``Stopped`` with
    the note ``stopped`` (what was stored, how to go on): it said only "Aborted!", and running
    the command again drew a new sample that showed the judged items once more."""
    prompt = " / ".join(f"[{k}] {v}" for k, v in keys.items())
    words = {v.lower(): k for k, v in keys.items()} | {k.lower(): k for k in keys}
    while True:
        try:
            typed = typer.prompt(prompt, default="s")
        except typer.Abort:
            raise Stopped(stopped) from None
        answer = " ".join(typed.split()).lower()
        found = words.get(answer, words.get(answer.replace(" ", "_")))
        if found is not None:
            return found
        console.print(
            f"{typed.strip()!r} is not an answer here: type one of {', '.join(keys)} "
            "or the word it stands for",
            markup=False,
        )


def shown_text(parts: list[tuple[str, str]]) -> Text:
    """The parts ``audit.shown`` gives, styled for a terminal: the sentence bold, the text
    around it dim, the marks of a cut italic."""
    body = Text()
    styles = {"before": "dim", "sentence": "bold", "after": "dim", "cut": "italic"}
    for part, words in parts:
        text = terminal_text(words)
        text.stylize(styles[part])
        body.append_text(text)
        body.append(" ")
    return body


def refuse_overwrite(out: Path | None, force: bool, what: str) -> None:
    """Refuse, before anything is drawn, to write a sample over a file that holds something,
    unless ``force``: `-o FILE` overwrote a sample a person had half judged in FILE."""
    if out is None or force or not out.is_file() or out.stat().st_size == 0:
        return
    raise RedlineError(
        f"{out} exists and may hold judgments not yet stored: give another file, or --force to "
        f"overwrite it (no {what} was recorded)"
    )


def item_panel(body: Text, title: str, source: str) -> None:
    """An item to judge in a box, and its source on the line under it, whole: as the box's
    subtitle a long source (a statement's title, then its date and URL) was cut to one line,
    and the date a decision turns on was lost."""
    console.print(Panel(body, title=terminal_text(title)))
    console.print(Text.assemble(("source: ", "dim"), terminal_text(source)), highlight=False)


def write_sample(text: str, out: Path | None, forget: Callable[[], None], what: str) -> bool:
    """A drawn sample's JSON to ``out`` (True) or to standard output (False). A file (or
    standard output) that cannot be written forgets the sample (``forget``): one nobody could
    read stood as the latest in `audit report` and the report. Its sentences' bidirectional controls are written as
    escapes, as every JSON listing writes them (``json_escaped``). The file is written whole or
    not at all (``write_whole``): a full disk had left the first part of a sample in ``out``,
    in place of the earlier one `--force` was to replace."""
    text = json_escaped(text)
    if out is None:
        # a sample no one received whole is no audit either: written into a full disk (`>
        # file`) or to a reader gone, it stood as the latest, as a file not written did
        try:
            emit(text)
        except BrokenPipeError:
            forget()
            raise
        except RedlineError as exc:
            forget()
            raise RedlineError(f"{exc} (no {what} was recorded)") from exc
        return False
    try:
        write_whole(out, text + "\n")
    except OSError as exc:
        forget()
        raise RedlineError(
            f"{out}: cannot write the {what}: {exc.strerror or exc} (no {what} was recorded)"
        ) from exc
    return True


@audit_app.command("judge")
def judge_command(
    path: Annotated[Path, typer.Argument(help="The judged sample file.", exists=True)],
    db: DbOption = None,
    by: Reviewer = None,
) -> None:
    """Store the judgments of a sample file as reviews and print the audit's precision."""
    from redline.audit import from_dict, record

    try:
        # an editor's byte-order mark is no error (Notepad writes one): read past it
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RedlineError(f"{path}: cannot read the audit file: {exc}") from exc
    audit_id, items = from_dict(data, str(path))
    ledger = opened(db)
    changed: list[tuple[int, str, str]] = []
    counts = record(ledger, audit_id, items, reviewer=by, where=str(path), changed=changed)
    console.print(
        f"audit #{audit_id}: {counts['judged']} judgments stored as reviews, "
        f"{counts['unchanged']} already stored, {counts['skipped']} skipped",
        markup=False,
    )
    if changed:
        # a second copy of the sample (or a file edited since) changed them without a word
        console.print(
            f"{len(changed)} of them changed a judgment you stored before ("
            + "; ".join(f"item {n}: {old} -> {new}" for n, old, new in changed)
            + "): the latest counts, and the trail keeps both",
            markup=False,
            style="yellow",
        )
    if counts["followed"]:
        console.print(
            f"{counted(counts['followed'], 'item')} had new ids since the draw (re-extracted or "
            "relinked): found again by their sentence or key, and judged there",
            markup=False,
        )
    if counts["measured_only"]:
        console.print(
            f"{counts['measured_only']} of them counted in the audit only: an analyst decided "
            "on those items after the sample was drawn, and that decision stands",
            markup=False,
        )
    _print_figures(ledger, audit_id)


@audit_app.command("start")
def start_command(
    db: DbOption = None,
    n: PerKind = 10,
    seed: Seed = 0,
    kind: Kinds = None,
    as_of: AuditAsOf = None,
    by: Reviewer = None,
    resume: Annotated[
        int | None,
        typer.Option(
            "--resume",
            metavar="N",
            help="Go on with audit N (one stopped by q or Ctrl-C): its items you have not "
            "judged yet, instead of a fresh sample.",
        ),
    ] = None,
) -> None:
    """Judge a fresh sample in the terminal, item by item (s skips, q stops; each answer is
    stored at once; --resume N goes on with an audit stopped before its end)."""
    from redline.audit import extracted_since_linked, record, reopen

    if resume is None:
        ledger, audit = _draw(db, n, seed, kind, as_of)
        judged, drawn = 0, len(audit.items)
        console.print(f"audit #{audit.id}: {drawn} items", markup=False)
    else:
        if kind or as_of is not None:
            raise RedlineError(
                f"--resume {resume} goes on with that audit as it was drawn: --kind and --as-of "
                "draw a new one"
            )
        ledger = opened(db)
        audit, judged, drawn = reopen(ledger, resume, reviewer=by)
        gone = f", {len(audit.gone)} gone from the ledger" if audit.gone else ""
        console.print(
            f"audit #{audit.id} as of {audit.as_of}: {drawn} items, {judged} judged by you "
            f"already{gone}, {len(audit.items)} to go",
            markup=False,
        )
        if audit.gone:
            # they were left out without a word, and the figures rested on fewer items
            console.print(
                f"not shown: {len(audit.gone)} drawn items no longer in the ledger (re-extracted "
                "or relinked since the draw, and not found again), which no one can judge now: "
                + "; ".join(
                    f"item {g['number']} ({g['kind']} #{g['item_id']}"
                    + (f", {g['was']})" if g["was"] else ")")
                    for g in audit.gone
                )
                + (
                    # an episode whose threats a re-extraction renewed has no members until
                    # `link` relinks them: it was called gone for good, and came back after it
                    "; extraction ran since the last `redline link`: run it, and the episodes "
                    "among them may be found again"
                    if any(g["kind"] == "episode" for g in audit.gone)
                    and extracted_since_linked(ledger)
                    else ""
                ),
                markup=False,
                style="bold yellow",
            )
    left = len(audit.items)
    for item in audit.items:
        body = shown_text(item.shown())  # a long sentence cut around the item, marked
        # an item's document by its fields, an episode's counts with their names
        source = ", ".join(
            str(v)
            if k in ("title", "outlet", "published", "source")
            else f"document {v}"
            if k == "id"
            else f"{k} {v}"
            for k, v in item.document.items()
            if v not in (None, "")
        )
        item_panel(body, f"{item.number}/{drawn} {item.summary}", source)
        console.print(terminal_text(item.question))
        keys = {c[0]: c for c in item.choices} | {"s": "skip", "q": "quit"}
        answer = ask(
            keys,
            f"redline: audit #{audit.id} stopped: {judged} of {drawn} items judged and stored; "
            f"go on with `redline audit start --resume {audit.id}`",
        )
        if answer == "q":
            break
        left -= 1
        if answer == "s":
            continue
        item.judgment = keys[answer]
        if record(ledger, audit.id, [item], reviewer=by, unjudged_only=True)["elsewhere"]:
            console.print(
                f"not stored: item {item.number} was judged by you in another session of audit "
                f"#{audit.id} since it was shown here; that judgment stands",
                markup=False,
                style="yellow",
            )
        judged += 1
    if left:
        console.print(
            f"{counted(left, 'item')} not reached: `redline audit start --resume {audit.id}` goes "
            "on",
            markup=False,
        )
    _print_figures(ledger, audit.id)


@audit_app.command("report")
def report_command(
    db: DbOption = None,
    audit_id: Annotated[
        int | None,
        typer.Option("--audit", metavar="N", help="Audit N (default: the latest)."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Precision per kind (95% Wilson interval) from an audit's judgments."""
    from redline.audit import audit_ids, figures

    ledger = opened(db)
    found = figures(ledger, audit_id)
    if found is None and audit_id is not None:
        held = audit_ids(ledger)
        there = f"its audits are {', '.join(f'#{i}' for i in held)}" if held else "it has none"
        raise RedlineError(
            f"no audit #{audit_id} in {ledger.url}: {there} (audits are numbered with the "
            "ledger's runs)"
        )
    from redline.misses import latest_figures

    if found is None:
        recalls = latest_figures(ledger)
        if recalls and fmt is Format.table:
            # what the ledger missed is measured without a precision audit: its recall was
            # hidden behind this refusal (the HTML report gave it)
            console.print(
                "no precision audit yet: `redline audit start` judges a sample of what the "
                "ledger holds",
                markup=False,
            )
            _print_recalls(recalls)
            return
        # JSON and CSV hold a precision audit's figures; a recall measured without one is
        # `audit recall`'s (the refusal read as if the ledger held no measure at all)
        recall = (
            f" (its recall, from the sample of what it missed: `redline audit recall -f {fmt.value}`)"
            if recalls
            else ""
        )
        raise RedlineError(
            f"no audit in {ledger.url}; start one with `redline audit start`{recall}"
        )
    if fmt is Format.json:
        # a versioned envelope as every listing's JSON has; the figures' fields as they were
        emit(to_json({**envelope("audit"), **found.as_dict()}))
        return
    if fmt is Format.csv:  # one row per kind (it printed the JSON)
        # the JSON's fields, each kind's on its row and the audit's on every row (``gone`` was
        # left out, and a kind's precision read as resting on the random sample drawn)
        whole = found.as_dict()
        audit = {k: whole[k] for k in ("drawn", "judged", "judged_by_several", "disagreed")}
        rows = [
            {
                "audit_id": found.audit_id,
                "as_of": found.as_of,
                "kind": kind,
                **p.as_dict(),
                "gone": found.gone.get(kind, 0),
                **audit,
            }
            for kind, p in found.precision.items()
        ]
        columns = ["audit_id", "as_of", "kind", "total", "hits", "value", "low", "high", "gone"]
        emit(render(rows, fmt, [*columns, *audit]))
        return
    _print_figures(ledger, found.audit_id)
    if audit_id is None:
        _print_judged_elsewhere(ledger, found)
    every = latest_figures(ledger)
    if not every:
        console.print(
            "what the ledger missed is not estimated yet: `redline audit misses-start`",
            markup=False,
        )
    _print_recalls(every)


def _print_judged_elsewhere(ledger: Ledger, found: AuditFigures) -> None:
    """Name the earlier audits that judged the kinds the latest judged one did not."""
    from redline.audit import judged_elsewhere

    by_audit: dict[int, list[str]] = {}
    for kind, other in judged_elsewhere(ledger, found).items():
        by_audit.setdefault(other, []).append(kind)
    for other, kinds in by_audit.items():
        console.print(
            f"{', '.join(kinds)} precision: not judged in audit #{found.audit_id}, judged in "
            f"audit #{other} (`redline audit report --audit {other}`)",
            markup=False,
        )


def _print_recalls(every: Mapping[ItemKind, MissFigures]) -> None:
    """Each kind's recall from its latest sample of what the ledger missed (``latest_figures``),
    or why it has none: a kind sampled but not judged in every stratum was not named, as the
    HTML report names it."""
    from redline.misses import plural

    for kind, misses in every.items():  # each kind a sample was drawn for
        sample = f"sample of missed {plural(kind)} #{misses.audit_id}"
        if misses.recall is not None and misses.recall_interval is not None:
            low, high = misses.recall_interval
            said = (
                f"{kind} recall {misses.recall:.2f} [{low:.2f}–{high:.2f}] from {sample} "
                "(`redline audit recall` for the rest)"
            )
        elif misses.missed is None:
            said = (
                f"{kind} recall: none yet, {sample} is not judged in every stratum "
                f"(`redline audit misses-start --resume {misses.audit_id}`)"
            )
        else:
            said = f"{kind} recall: none to give ({sample}: no {kind} held and none found missed)"
        console.print(said, markup=False)


def _print_figures(ledger: Ledger, audit_id: int) -> None:
    from redline.audit import figures

    found = figures(ledger, audit_id)
    if found is None:
        return
    table = Table(
        title=f"audit #{found.audit_id} as of {found.as_of} "
        f"({found.drawn} drawn, {found.judged} judged)"
    )
    for col in ("kind", "judged", "right", "precision [95% CI]"):
        table.add_column(col, no_wrap=True)
    for kind, p in found.precision.items():
        table.add_row(kind, str(p.total), str(p.hits), p.label())
    console.print(table)
    if found.gone:
        # the judged items of a kind are then fewer than its drawn ones, and not a random few
        kinds = ", ".join(f"{n} {kind}" for kind, n in found.gone.items())
        console.print(
            f"{sum(found.gone.values())} drawn items ({kinds}) are no longer in the ledger and "
            "were never judged: each kind's precision counts its judged items only, which are "
            "then not the random sample drawn (re-extracted or relinked since the draw)",
            markup=False,
        )
    if found.judged_by_several:
        console.print(
            f"{found.judged_by_several} items were judged by more than one person; they "
            f"disagree on {found.disagreed} (each item counts with its latest judgment)",
            markup=False,
        )
