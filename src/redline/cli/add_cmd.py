"""``redline add``: an analyst records a threat, crossing or response the extractor missed."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Annotated

import typer

from redline.add import FIELDS, KINDS, add
from redline.cli.common import DbOption, FormatOption, app, console, emit
from redline.errors import RedlineError
from redline.output import Format, render, terminal_text, to_json
from redline.schemas import envelope
from redline.store import Ledger


def _span(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    # ASCII digits only: str.isdigit() let '²' through to int(), which crashed
    found = re.fullmatch(r"\s*([0-9]+)\s*:\s*([0-9]+)\s*", value)
    if found is None:
        raise RedlineError(f"--span is START:END, two character offsets, not {value!r}")
    return int(found[1]), int(found[2])


def _fields(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise RedlineError(f"--set takes field=value, not {pair!r}")
        if name.strip() in out:
            raise RedlineError(f"--set gives {name.strip()} twice")
        out[name.strip()] = value
    return out


_FIELD_HELP = "; ".join(f"{kind}: {', '.join(fields)}" for kind, fields in FIELDS.items())


@app.command("add")
def add_command(
    kind: Annotated[
        str,
        typer.Argument(metavar="KIND", help=f"What the extractor missed: {', '.join(KINDS)}."),
    ],
    doc: Annotated[
        str,
        typer.Argument(
            metavar="DOC", help="Document id, or a unique part of its source path or title."
        ),
    ],
    quote: Annotated[
        str | None,
        typer.Option(
            "--quote",
            metavar="TEXT",
            help="The item's words as the document has them (found once; line breaks and runs "
            "of spaces match any white space).",
        ),
    ] = None,
    span: Annotated[
        str | None,
        typer.Option(
            "--span",
            metavar="START:END",
            help="Or the item's character offsets in the document's text.",
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help=f"A field, repeatable; checked as a correction's are ({_FIELD_HELP}). A "
            "threat needs speaker_country, a crossing or response actor_country; a date not "
            "given is the one the sentence names, else the article's.",
        ),
    ] = None,
    reviewer: Annotated[
        str | None,
        typer.Option("--by", metavar="NAME", help="Who adds it (default: the login name)."),
    ] = None,
    note: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Why, for the audit trail.")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add a threat, crossing or response the extractor missed, with its provenance.

    It is stored as an analyst's item (confirmed, its fields kept through re-extraction) with
    an `add` review in the audit trail. Run `redline link` afterwards to carry it into episodes.
    """
    ledger = Ledger.open(db, create=False)
    added = add(
        ledger,
        kind,
        doc,
        quote=quote,
        span=_span(span),
        fields=_fields(set_ or []),
        reviewer=reviewer,
        note=note,
    )
    if fmt is Format.json:
        # a versioned envelope, as every JSON output has; the item as its own object (its
        # ``kind`` is the item's, the envelope's names the document)
        emit(to_json({**envelope("added"), "added": asdict(added)}))
        return
    if fmt is Format.csv:
        row = {k: v for k, v in asdict(added).items() if k not in ("fields", "span")}
        row |= {"span_start": added.span[0], "span_end": added.span[1], **added.fields}
        emit(render([row], fmt, list(row)))
        return
    again = " (already added: stored once)" if added.unchanged else ""
    start, end = added.span
    what = added.kind if added.kind == added.item_type else f"{added.kind}: {added.item_type}"
    console.print(
        terminal_text(
            f"review #{added.review_id}: added {what} {added.item_id}, document "
            f"{added.document_id} at {start}:{end}{again}"
        )
    )
    hidden = ("extractor", "confidence", "kind", "line_from")
    shown = {k: v for k, v in added.fields.items() if v is not None and k not in hidden}
    for name, value in shown.items():
        console.print(terminal_text(f"  {name}: {value}"))
    console.print("run `redline link` to carry it into episodes", markup=False)
