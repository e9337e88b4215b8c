"""``redline triage``: the unreviewed items an episode's status turns on, most at stake first."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from redline.audit import shown
from redline.cli.audit_cmd import ask, item_panel, shown_text
from redline.cli.common import AsOfOption, DbOption, FormatOption, app, console, emit
from redline.cli.ledger_cmd import WindowOption, _day
from redline.errors import RedlineError
from redline.output import Format, every_field, render, terminal_text
from redline.schemas import envelope, item_fields
from redline.store import Ledger
from redline.triage import Lead, TriageItem
from redline.vocab import ItemKind

if TYPE_CHECKING:
    from redline.link.episodes import EpisodeView

# JSON carries the stakes as a list; CSV as one cell of "key: status -> status" parts
COLUMNS = [
    "kind",
    "item_type",
    "item_id",
    "confidence",
    "priority",
    "at_stake",
    "sentence",
    "document_id",
    "title",
    "published",
    "source",
    "review",
]
LEAD_COLUMNS = [
    "key",
    "first_threat",
    "first_threat_precision",
    "score",
    "document_id",
    "published",
    "source",
    "span",
    "sentence",
    "add",
]
_ACTIONS = {"c": "confirm", "r": "reject"}
LIMIT = 20  # items listed when --limit is not given


@app.command("triage")
def triage_command(
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    kind: Annotated[
        list[ItemKind] | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="Only items of this kind: threat, crossing, response or claim (repeatable).",
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option(help="Only episodes of this threatener (RUS, USA, NATO...).")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=1,
            help=f"At most this many items ({LIMIT} by default).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOption = None,
    window_days: WindowOption = None,
    start: Annotated[
        bool,
        typer.Option(
            "--start",
            help="Decide on each item in the terminal: c confirms, r rejects, s skips, q stops "
            "(each decision is stored at once, as `redline review` stores it).",
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="NAME", help="Who decides (default: the login name)."),
    ] = None,
    leads_per_line: Annotated[
        int | None,
        typer.Option(
            "--leads",
            min=1,
            help="Instead of items: for each open line, N sentences that name it, dated from its "
            "first threat and holding no crossing, most crossing-like first (where to look for "
            "a missed crossing before quoting 'not crossed'; record one with `redline add "
            "crossing`).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """List the unreviewed items an episode's status turns on, most at stake first.

    Each item of each episode that no analyst has decided on is taken out in turn and the
    episode assessed again: an item is listed when the status would change without it (or the
    episode would not exist), ranked by one minus its confidence times the episodes at stake.
    Review them with `redline review`, or here with --start, then run `redline link`. With
    --leads N: for each open line, N sentences that may report its crossing."""
    from redline.link import evaluate
    from redline.triage import leads, triage

    if start and fmt is not Format.table:
        # the decisions are asked in the terminal: a script asking for JSON got prompts
        raise RedlineError(f"--start asks in the terminal: -f {fmt.value} does not apply")
    if leads_per_line is not None and (start or kind or limit is not None):
        # --limit was dropped unremarked: N per line of every open line came back
        raise RedlineError(
            "--leads lists sentences, not items: --start, --kind and --limit do not apply "
            "(--leads N is the number per open line)"
        )
    ledger = Ledger.open(db, create=False)
    day = _day(as_of) or date.today()
    view = evaluate(ledger, as_of=day, window_days=window_days)
    # none at all (never linked, or a date before every threat) is not "every status would
    # stand", as an empty listing said
    none = "" if view.select(actor=actor) else _no_episode(ledger, day, actor)
    if leads_per_line is not None:
        found = leads(ledger, view=view, actor=actor, per_line=leads_per_line)
        if fmt is Format.table:
            _print_leads(found, day, none)
        else:
            head = {**envelope("triage_leads"), "as_of": day}
            emit(render([x.as_dict() for x in found], fmt, LEAD_COLUMNS, envelope=head))
        return
    if fmt is Format.table:
        # every item, to say how many the limit leaves out: the first 20 read as all there were
        every = triage(ledger, view=view, kinds=kind, actor=actor)
        items, more = every[: limit or LIMIT], len(every) - len(every[: limit or LIMIT])
    else:
        items, more = triage(ledger, view=view, kinds=kind, actor=actor, limit=limit or LIMIT), 0
    if start:
        _decide(ledger, view, items, by, none, more)
    elif fmt is Format.table:
        _print(items, day, none, more)
    else:
        head = {**envelope("triage"), "as_of": day}
        # CSV carries every field JSON has (it left out the stakes: a list, now its JSON text)
        columns = every_field(COLUMNS, item_fields("triage")) if fmt is Format.csv else COLUMNS
        emit(render([t.as_dict() for t in items], fmt, columns, envelope=head))


def _no_episode(ledger: Ledger, day: date, actor: str | None) -> str:
    """Why a view holds no episode (of ``actor``): none linked, or none drawn by ``day``."""
    import sqlalchemy as sa

    from redline.store.schema import episodes

    with ledger.snapshot() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(episodes)).scalar_one()
    if not stored:
        return "the ledger holds no episode; `redline link` builds them from its threats"
    of = f" of {actor}" if actor else ""
    return (
        f"no episode{of} stands as of {day}: none drawn by then, or analysts rejected the "
        "episodes or their threats"
    )


def _print(items: list[TriageItem], day: date, none: str = "", more: int = 0) -> None:
    """Each item as a short block: what it is, what rests on it, where it was read, and the
    command that decides on it (a table cut the episodes at stake to a dozen letters);
    ``none``: why there are no episodes, when there are none; ``more``: the items the limit
    leaves out."""
    console.print(
        (f"{len(items)} of {len(items) + more}" if more else f"{len(items)}")
        + f" unreviewed item(s) an episode's status turns on, as of {day}"
        + ("" if items else f" (none: {none or 'every status would stand without each item'})")
        + (
            f"; the first {len(items)} listed (`--limit {len(items) + more}` lists all)"
            * bool(more)
        ),
        markup=False,
        style="bold",
    )
    for number, item in enumerate(items, 1):
        console.print()
        console.print(
            terminal_text(
                f"{number}. {item.kind.value} #{item.item_id}: confidence "
                f"{item.confidence:.2f}, priority {item.priority:.2f}"
            ),
            style="bold",
        )
        for stake in item.stakes:
            quotable = "" if stake.verdict else " (no verdict yet)"
            console.print(terminal_text(f"   without it {stake.words()}{quotable}"))
        console.print(
            terminal_text(f"   “{_excerpt(item.sentence, item.offsets)}” ({_source(item)})"),
            style="dim",
        )
        console.print(terminal_text(f"   {item.review_command}"))


def _print_leads(found: list[Lead], day: date, none: str = "") -> None:
    """The leads line by line: the line, then each sentence with where it is and the command
    that records it as a crossing (its actor and date are the analyst's to give)."""
    lines = len({x.key for x in found})
    why = none or "no open line is named after its first threat"
    console.print(
        f"{len(found)} sentence(s) that may report the crossing of {lines} open line(s), "
        f"as of {day}" + ("" if found else f" (none: {why})"),
        markup=False,
        style="bold",
    )
    key = None
    for lead in found:
        if lead.key != key:
            key = lead.key
            first = lead.first_threat_text() or "an unknown date"
            console.print()
            console.print(terminal_text(f"{lead.key}: open, first threat {first}"), style="bold")
        where = ", ".join(str(v) for v in (lead.published, lead.source) if v)
        whole = {"sentence_start": lead.start, "span_start": lead.start, "span_end": lead.end}
        console.print(
            terminal_text(f"   {lead.score:.2f} “{_excerpt(lead.sentence, whole)}” ({where})"),
            style="dim",
        )
        console.print(terminal_text(f"      {lead.add_command}"))


def _source(item: TriageItem) -> str:
    return "" if item.document is None else item.document.words()


def _excerpt(sentence: str, offsets: dict[str, int]) -> str:
    """A sentence as a listing shows it: one longer than ``SENTENCE_SHOWN`` characters cut
    around the item's span (``offsets``) and marked as `--start` and `audit start` cut it (the
    whole is in JSON and CSV). The listing cut it from its start, so an item near the end of a
    long one was not shown."""
    return " ".join(text for _, text in shown(sentence, offsets) if text)


def _decide(
    ledger: Ledger,
    view: EpisodeView,
    items: list[TriageItem],
    by: str | None,
    none: str = "",
    more: int = 0,
) -> None:
    """Ask for a decision on each item in turn and store it as a review (``more``: the items
    the limit left out, named at the end)."""
    from redline.review import review
    from redline.triage import at_stake_now

    if not items:
        why = none or "every status would stand without each item"
        console.print(f"nothing to triage: {why}", markup=False)
        return
    decided = 0
    stopped = "stopped; every decision made so far is stored. Run `redline link` to carry them"
    for number, item in enumerate(items, 1):
        if _decided_meanwhile(ledger, item, f"{number}/{len(items)}"):
            continue
        # what rests on it after the decisions made since the listing: once a line's only
        # crossing was rejected, its response was shown as deciding "crossed_enforced"
        item.stakes = at_stake_now(ledger, view, item)
        if not item.stakes:
            console.print(
                f"{number}/{len(items)} {item.kind.value} #{item.item_id}: skipped, nothing "
                "rests on it after the decisions made since the listing",
                markup=False,
                style="yellow",
            )
            continue
        stakes = "\n".join(f"  {s.words()}" for s in item.stakes)
        # a document with no punctuation is one "sentence" of thousands of characters: cut
        # around the item as `audit start` cuts it (it filled screens)
        body = shown_text(shown(item.sentence, item.offsets))
        item_panel(
            body,
            f"{number}/{len(items)} {item.kind.value} #{item.item_id}, "
            f"confidence {item.confidence:.2f}",
            _source(item),
        )
        console.print(terminal_text(f"without it:\n{stakes}"))
        answer = ask({**_ACTIONS, "s": "skip", "q": "quit"}, stopped + " into the episodes.")
        if answer == "q":
            break
        if answer == "s" or _decided_meanwhile(ledger, item, "not stored:"):
            continue
        review(ledger, item.review_type, item.item_id, _ACTIONS[answer], reviewer=by)
        decided += 1
    console.print(
        f"{decided} decision(s) stored; run `redline link` to carry them into the episodes"
        + (f"; {more} more item(s) beyond --limit {len(items)}: run it again" * bool(more))
    )


def _decided_meanwhile(ledger: Ledger, item: TriageItem, where: str) -> bool:
    """Is ``item`` no longer undecided (True, said after ``where``)? Someone may have decided on
    it since the listing (a second `--start`, `redline review`), or a new extraction replaced
    it: a decision here overwrote theirs unseen, or stopped the session on an id gone."""
    from redline.triage import undecided

    with ledger.snapshot() as conn:
        still = undecided(conn, {item.review_type: {item.item_id}})[item.review_type]
    if item.item_id in still:
        return False
    console.print(
        f"{where} {item.kind.value} #{item.item_id}: skipped, decided since the listing or no "
        "longer in the ledger",
        markup=False,
        style="yellow",
    )
    return True
