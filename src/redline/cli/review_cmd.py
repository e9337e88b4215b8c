"""``redline review`` and ``redline reviews``: analysts' decisions and their audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from redline.cli.common import DbOption, FormatOption, app, console, emit, err_console
from redline.errors import RedlineError
from redline.output import Format, counted, render, terminal_text
from redline.review import ACTIONS, ITEMS, LIFT, audit_trail, item_number, review
from redline.schemas import envelope
from redline.store import Ledger

AUDIT_COLUMNS = [
    "id",
    "created_at",
    "reviewer",
    "item_type",
    "item_id",
    "action",
    "field",
    "old_value",
    "new_value",
    "note",
    "effective",
]
# at 80 columns what was decided comes first; who wrote why is in JSON and CSV
AUDIT_COLUMNS_NARROW = [
    "id",
    "reviewer",
    "item_type",
    "item_id",
    "action",
    "field",
    "new_value",
    "effective",
]


@app.command("review")
def review_command(
    item_type: Annotated[str, typer.Argument(help=f"What to review: {', '.join(ITEMS)}.")],
    item_ref: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Its id (from `redline threats`, `events`, `claims`, `episodes`); an episode "
            "also by its key, e.g. RUS:f16_delivery (a key stays when ids change).",
        ),
    ],
    action: Annotated[str, typer.Argument(help=f"One of {', '.join(ACTIONS)}.")],
    set_: Annotated[
        str | None,
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help="For correct: field=value, e.g. consequence_class=military_force.",
        ),
    ] = None,
    reviewer: Annotated[
        str | None,
        typer.Option("--by", metavar="NAME", help="Who decides (default: the login name)."),
    ] = None,
    note: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Why, for the audit trail.")
    ] = None,
    effective: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM-DD",
            help="For an episode's status (withdraw, or correct --set status=...): the day it "
            "holds from, e.g. when the owner took the line back (default: the day of the "
            "review; before that day the evidence's status stands).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Confirm, reject or correct an extracted item or an episode; the decision is audited.

    Run `redline link` afterwards to carry item decisions into episodes. An episode's status an
    analyst set (withdraw, correct --set status=...) is taken off with `lift`.
    """
    field, value = (set_.split("=", 1) + [None])[:2] if set_ else (None, None)
    ledger = Ledger.open(db, create=False)
    row = review(
        ledger,
        item_type,
        item_ref,
        action,
        field=field,
        value=value,
        reviewer=reviewer,
        note=note,
        effective=effective,
    )
    item_id = row.item_id
    change = f" {row.field}: {row.old_value!r} -> {row.new_value!r}" if row.field else ""
    if row.action == LIFT:
        change = f" {row.field} {row.old_value!r} (the evidence decides it again)"
    holds = f", holding from {row.effective.isoformat()}" if row.effective else ""
    again = " (already recorded: stored once)" if row.unchanged else ""
    console.print(
        terminal_text(
            f"review #{row.id}: {item_type} {item_id} {action}{change} by "
            f"{row.reviewer}{holds}{again}"
        )
    )
    if row.wrong_side:
        console.print(
            terminal_text(
                f"note: {row.wrong_side}: this threat will open no episode (a line is never "
                "drawn by the side that crosses it; `redline link` counts it as such)"
            )
        )
    if row.before_line and row.effective:
        console.print(
            terminal_text(
                f"note: {row.effective.isoformat()} is before the line's first threat "
                f"({row.before_line.isoformat()}): is the day right? (stored as given)"
            )
        )
    if row.stays_rejected:
        console.print(
            f"{item_type} {item_id} stays rejected: `redline review {item_type} {item_id} "
            "confirm` brings it back",
            markup=False,
        )


@app.command("reviews")
def reviews_command(
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    item_type: Annotated[str | None, typer.Option(help="Only decisions on this item type.")] = None,
    item_ref: Annotated[
        str | None,
        typer.Option(
            "--id",
            metavar="ID",
            help="Only decisions on this item (with --item-type; an episode also by its key): "
            "each decision on it, the one in force last.",
        ),
    ] = None,
) -> None:
    """The audit trail: every analyst decision, oldest first."""
    if item_type is not None and item_type not in ITEMS:
        raise RedlineError(f"unknown item type {item_type!r}; use one of {', '.join(ITEMS)}")
    if item_ref is not None and item_type is None:
        raise RedlineError("--id names an item of one type: give --item-type too")
    ledger = Ledger.open(db, create=False)
    # what became of one item's decisions (superseded, taken back) was read from the whole trail
    item_id = None if item_ref is None else item_number(ledger, str(item_type), item_ref)
    rows = audit_trail(ledger, item_type=item_type, item_id=item_id)
    emit(
        render(
            [r.as_dict() for r in rows],
            fmt,
            AUDIT_COLUMNS,
            narrow=AUDIT_COLUMNS_NARROW,
            title=counted(len(rows), "review"),
            console=console,
            envelope=envelope("reviews"),
        )
    )
    lost = audit_trail(ledger, item_type=item_type, item_id=item_id, missing=True)
    if lost:
        err_console.print(
            f"{len(lost)} earlier decisions are not listed: their items are gone (deleted by a "
            "re-extraction before reviewed items were kept); "
            f"review ids {', '.join(str(r.id) for r in lost[:10])}"
            + (" ..." if len(lost) > 10 else ""),
            markup=False,
        )
