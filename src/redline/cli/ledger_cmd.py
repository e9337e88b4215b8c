"""``redline link``, ``episodes``, ``episode``, ``credibility``, ``export`` and ``report``."""

# The stages are imported inside each command: scipy and Altair take seconds to import, and
# `redline --help` or `redline documents` should not pay for them.

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from redline.cli.common import (
    AsOfOption,
    DbOption,
    FormatOption,
    ReportedOption,
    app,
    console,
    emit,
    iso_date,
    measured_verdicts,
)
from redline.errors import RedlineError
from redline.link.episodes import analyst_mark
from redline.link.when import MAX_WINDOW_DAYS, as_of_words
from redline.output import Format, counted, every_field, render, terminal_text, to_json
from redline.schemas import envelope
from redline.score.credibility import LEVEL, check_level, level_text  # no scipy until scored
from redline.store import Ledger
from redline.store.schema import documents
from redline.vocab import Status

if TYPE_CHECKING:  # the stages are imported inside the commands (see above)
    from redline.link.episodes import EpisodeView
    from redline.score.credibility import Estimate

WindowOption = Annotated[
    int | None,
    typer.Option(
        "--window-days",
        min=1,
        max=MAX_WINDOW_DAYS,
        help="Days after a crossing in which a response counts. Default: that of the last `redline link` (90).",
        show_default=False,
    ),
]
PriorOption = Annotated[
    str,
    typer.Option("--prior", help="Prior for follow-through: uniform, sechser, ties, or beta:A,B."),
]


def _level(value: float) -> float:
    """``--level`` checked where it is parsed, so the error names the option."""
    try:
        return check_level(value)
    except RedlineError as exc:
        raise typer.BadParameter(str(exc)) from None


LevelOption = Annotated[
    float,
    typer.Option(
        "--level",
        callback=_level,
        help="Level of the follow-through's equal-tailed credible interval, strictly between "
        "0.5 and 1 (0.95 gives a 95 percent interval).",
    ),
]

EPISODE_COLUMNS = [
    "id",
    "key",
    "status",
    "status_by",
    "confidence",
    "crossed",
    "n_sources",
    "opinion_only",
    "label",
]
# at 80 columns the label would show a dozen letters and cut the status; the key names the
# episode as the id does (`redline episode KEY`)
EPISODE_COLUMNS_NARROW = ["key", "status", "confidence"]


# a point is dated by the crossing whose outcome moved the estimate: in hindsight, the outcome
# itself may have been known only later
def timeline_columns(level: float) -> list[str]:
    """The timeline as the terminal shows it: the interval in one cell, its level in its
    header, as `credibility` shows it (JSON and CSV keep ``lower``, ``upper`` and ``level``)."""
    return ["actor", "step", "date", "episode_key", "status", "mean", interval_column(level)]


def timeline_narrow(level: float) -> list[str]:
    """What a narrow terminal keeps of the timeline: not the actor, which its episode's key
    begins with, nor the step, which the order gives. With the actor and the interval's two
    columns, keys and statuses were cut at 80 columns ("RUS:weapons_to_…",
    "crossed_unenforc…") and the headers folded ("act/or", "lowe/r")."""
    return [c for c in timeline_columns(level) if c not in ("actor", "step")]


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@app.command("link")
def link_command(
    db: DbOption = None,
    as_of: AsOfOption = None,
    window_days: Annotated[
        int,
        typer.Option(
            "--window-days",
            min=1,
            max=MAX_WINDOW_DAYS,
            help="Days after a crossing in which a response counts.",
        ),
    ] = 90,
) -> None:
    """Link threats, crossings, responses and outcome claims into red-line episodes (replaces the last link)."""
    from redline.link import link

    ledger = Ledger.open(db, create=False)
    report = link(ledger, as_of=_day(as_of), window_days=window_days)
    statuses = ", ".join(f"{n} {s}" for s, n in report.by_status.items()) or "none"
    console.print(
        f"linked {counted(report.episodes, 'episode')} as of {report.as_of} ({statuses}); "
        + (
            f"{report.rejected} more rejected by an analyst (in no listing); "
            if report.rejected
            else ""
        )
        # an episode whose key is linked again keeps its row and id ("updated" read as if a
        # second link over the same ledger had changed something: docs/linking.md, "Relinking")
        + f"{report.created} new, {report.updated} kept, {report.removed} removed; "
        f"{report.implicit} implied by outcome claims only; {report.threats_linked} threats linked, "
        f"{report.threats_unlinked} without a trigger or a threatener, "
        f"{report.threats_after_as_of} dated after {report.as_of}, "
        f"{report.wrong_side} by the side that would cross the line they name (a line is "
        "never drawn by that side), "
        f"{report.threats_outside_vocabulary} over a line the vocabulary lacks (redline threats "
        "--trigger new_ lists them; no episode until an analyst names the line: redline review "
        "threat ID correct --set trigger_key=KEY)",
        markup=False,
    )
    unknown = _lines_not_in_vocabulary(report.view)
    if unknown:
        console.print(
            f"episodes over lines no vocabulary this command read names ({', '.join(unknown)}): "
            "extracted with `redline extract --gazetteer`? Set REDLINE_GAZETTEER to that file for "
            "every command, or they go without its labels and hierarchy (docs/extraction.md)",
            markup=False,
        )
    from redline.extract.pipeline import not_extracted

    waiting, held = not_extracted(ledger)
    if waiting:
        # a team's link while its extractions ran was told to "run `redline extract`", with
        # no word that runs were at work on those documents
        if held:
            rest = waiting - held
            what = (
                f", {held} of them by a `redline extract` at work on them now: link again once "
                "it is done"
                + (f" (and run `redline extract` for the other {rest})" if rest else "")
            )
        else:
            what = ": run `redline extract`, then link again"
        console.print(
            f"{waiting} stored documents are not extracted yet{what}",
            markup=False,
        )


def _lines_not_in_vocabulary(view: EpisodeView | None) -> list[str]:
    """The trigger keys of linked episodes that neither the trigger vocabulary this process
    read nor the coined form names: lines of a gazetteer given to `extract --gazetteer` only
    (linking read them as bare keys without a word)."""
    from redline.knowledge import is_coined, triggers

    if view is None:
        return []
    tree = triggers()
    keys = {s.row["trigger_key"] for s in view.states}
    return sorted(k for k in keys if k and k not in tree and not is_coined(k))


def _linked_as_of(ledger: Ledger) -> date | None:
    from redline.link.episodes import last_link_as_of

    with ledger.connect() as conn:
        return last_link_as_of(conn)


def last_window(ledger: Ledger) -> int:
    """The response window of the last link: the one a view takes when none is asked for."""
    from redline.link.episodes import last_window_days

    with ledger.connect() as conn:
        return last_window_days(conn)


def _other_link_note(linked: date | None, day: date) -> str:
    """The warning when ``day`` is not the date the stored episodes were linked as of ("" when
    it is): statuses are recomputed for ``day``, but which episodes exist is the last link's.
    With no link yet, the listing is empty for that reason, and says so (as `episode` and the
    HTML report do): it read "0 episodes" after `redline ingest` as if extraction found none."""
    if linked is None:
        return "no episode is linked yet: run `redline link` first"
    if linked == day:
        return ""
    return f"the episodes of the link as of {linked}: `redline link --as-of {day}` relinks"


def _in_title(note: str) -> str:
    """``note`` as a title's parenthesis ("" for none)."""
    return f" ({note})" if note else ""


StatusChoice = Status  # the CLI's --status choices are the vocabulary's statuses


@app.command("episodes")
def episodes_command(
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    actor: Annotated[
        str | None, typer.Option(help="Only this threatener (RUS, USA, NATO...).")
    ] = None,
    status: Annotated[
        list[StatusChoice] | None, typer.Option(help="Only episodes with this status (repeatable).")
    ] = None,
    as_of: AsOfOption = None,
    window_days: WindowOption = None,
    reported: ReportedOption = False,
) -> None:
    """List red-line episodes with their status as of a date (recomputed from the linked evidence)."""
    from redline.link import list_episodes

    day = _day(as_of) or date.today()
    ledger = Ledger.open(db, create=False)
    found = list_episodes(
        ledger,
        actor=actor,
        status=status,
        as_of=day,
        window_days=window_days,
        reported=reported,
    )
    # the confidence as `run`, `episode` and the report show it ("0.70", not "0.698" beside
    # "1.0"); JSON and CSV keep it whole
    rows = [_rounded(e.as_dict(), fmt, ("confidence",)) for e in found]
    linked = _linked_as_of(ledger)
    head = {**envelope("episodes"), "as_of": day, "linked_as_of": linked, "as_reported": reported}
    note = _in_title(_other_link_note(linked, day))
    title = f"{counted(len(rows), 'episode')} {as_of_words(day, reported)}" + note
    emit(
        render(
            rows,
            fmt,
            EPISODE_COLUMNS if fmt is Format.table else _episode_row_columns(),
            narrow=EPISODE_COLUMNS_NARROW,
            title=title,
            console=console,
            envelope=head,
        )
    )


@app.command("episode")
def episode_command(
    ref: Annotated[str, typer.Argument(help="Episode id or key, e.g. RUS:f16_delivery.")],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    as_of: AsOfOption = None,
    window_days: WindowOption = None,
    reported: ReportedOption = False,
) -> None:
    """Tell one episode's story: threats with quotes and sources, the crossing, responses, claims, status."""
    from redline.link import get_episode

    ledger = Ledger.open(db, create=False)
    day = _day(as_of) or date.today()
    found = get_episode(ledger, ref, as_of=day, window_days=window_days, reported=reported)
    story = {**found.as_dict(), "as_reported": reported}
    linked = _linked_as_of(ledger)
    if fmt is Format.json:
        head = {**envelope("episode"), "linked_as_of": linked, "as_reported": reported}
        emit(to_json({**head, "episode": story}))
    elif fmt is Format.csv:
        rows, columns = _story_rows(story)
        emit(render(rows, fmt, columns))
    else:
        _print_story(story)
        note = _other_link_note(linked, day)
        if note:
            console.print(f"\n{note[0].upper()}{note[1:]}.", markup=False)


# a story's parts in a CSV's ``part`` column, in the order the table tells them: ``kind`` alone
# read a withdrawal as one more outcome claim and a later crossing as the one the status rests on
_STORY_PARTS = (
    ("threat", "threats"),
    ("crossing", "crossing"),
    ("other_crossing", "other_crossings"),
    ("response", "responses"),
    ("claim", "claims"),
    ("withdrawal", "withdrawals"),
)


def _story_rows(story: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """A story's items as CSV rows and their columns: the episode, its part, then every field
    an item has in the JSON, its document's as ``document_...`` (the CSV had six columns: no
    speaker, actor, trigger, class or source)."""
    from redline.schemas import load_schema

    defs = load_schema("episode")["$defs"]
    rows = []
    for part, name in _STORY_PARTS:
        told = story[name]
        for item in [told] if isinstance(told, dict) else told or []:
            fields = {k: v for k, v in item.items() if k != "document"}
            source = {f"document_{k}": v for k, v in item["document"].items()}
            rows.append({"episode": story["key"], "part": part, **fields, **source})
    first = ["episode", "kind", "id", "date", "quote", "document_id", "part"]
    every = [
        *(f for f in defs["item"]["properties"] if f != "document"),
        *(f"document_{f}" for f in defs["document"]["properties"]),
    ]
    return rows, every_field(first, every)


def _print_story(s: dict[str, Any]) -> None:
    """The story as readable text; article text is printed without markup."""
    console.print(
        Text.assemble(
            (terminal_text(s["label"]).plain, "bold"), f"  ({s['key']}, episode {s['id']})"
        ),
        highlight=False,
    )
    when = as_of_words(s["status_as_of"], s.get("as_reported", False))
    console.print(
        f"status [bold]{s['status']}[/bold] {when}, confidence {s['confidence']:.2f}; "
        f"{s['evidence']}; "
        + (
            f"{s['n_outlets']} outlet{'' if s['n_outlets'] == 1 else 's'}"
            if s.get("outlets_known", 1)
            else "outlet unknown"
        )
        + (
            "; crossed only by its owner's own response, so left out of follow-through"
            if s.get("self_implied")
            else ""
        ),
        highlight=False,
    )
    if s.get("analyst_rejected"):
        console.print(
            "[bold red]Rejected by an analyst: not a red line, in no listing or score[/bold red] "
            "(its decisions are below)."
        )
    if s["opinion_only"]:
        console.print("[bold yellow]Evidence comes only from opinion pieces.[/bold yellow]")
    if s["implicit_threat"]:
        console.print(
            "[yellow]No threat statement: the threat is implied by outcome claims only.[/yellow]"
        )
    parts = [
        ("Threats", s["threats"]),
        ("Crossing", [s["crossing"]] if s["crossing"] else []),
        ("Later or other crossings", s["other_crossings"]),
        (
            f"Responses (window until {s['window_end']})"
            if s["window_end"]
            else "Responses (no window: no crossing)",
            s["responses"],
        ),
        ("Outcome claims", s["claims"]),
        ("Withdrawn by", s["withdrawals"]),
    ]
    for title, items in parts:
        if not items and title.startswith(("Later", "Withdrawn")):
            continue
        console.print(f"\n[bold underline]{title}[/bold underline]" + ("" if items else "  none"))
        for i in items:
            who = i.get("speaker") or i.get("actor") or i.get("subject_country") or ""
            country = i.get("speaker_country") or i.get("actor_country") or ""
            what = i.get("consequence_class") or i.get("claim") or i.get("action") or ""
            # an actor nobody named reads as such, not as "()"; a country alone as itself, not
            # as " (BLR)" (an item an analyst added without a speaker)
            named = f"{who} ({country})" if who and country and who != country else who or country
            # what an analyst did to it: a corrected trigger or speaker read as the machine's
            mark = analyst_mark(i.get("extractor"), i.get("review_state"))
            added = f"  ({mark})" if mark else ""
            console.print(
                terminal_text(f"  {i['date']}  {named or 'unnamed actor'}  {what}{added}"),
                highlight=False,
            )
            console.print(terminal_text(f"    “{i['quote']}”"), highlight=False)
            d = i["document"]
            source = ", ".join(str(x) for x in (d["title"], d["outlet"], d["published"]) if x) + (
                " (opinion)" if d["genre"] == "opinion" else ""
            )
            # where to open it: the URL, else the file (and the place in it) it was read from
            where = d.get("url") or " ".join(
                str(x) for x in (d.get("source_path"), d.get("source_locator")) if x
            )
            console.print(
                terminal_text(
                    f"    — {source} [document {d['id']}{': ' + where if where else ''}]"
                ),
                highlight=False,
            )
    console.print("\n[bold underline]Why[/bold underline]")
    for n, line in enumerate(s["explanation"], start=1):
        console.print(terminal_text(f"  {n}. {line}"), highlight=False)
    decided = s.get("analyst_decisions") or []
    if decided:
        console.print("\n[bold underline]Analyst decisions[/bold underline]")
    for d in decided:
        what = d["action"] + (f" {d['set']}" if d["set"] else "")
        if d.get("effective"):
            what += f", holding from {d['effective'].isoformat()}"
        note = f": {d['note']}" if d["note"] else ""
        console.print(
            terminal_text(
                f"  {d['date']}  {d['reviewer']}  {what}{note} (review #{d['review_id']})"
            ),
            highlight=False,
        )


class ByChoice(StrEnum):
    actor = "actor"
    class_ = "class"
    year = "year"


@app.command("credibility")
def credibility_command(
    db: DbOption = None,
    fmt: FormatOption = Format.table,
    by: Annotated[
        ByChoice,
        typer.Option(
            help="Group by actor, actor and consequence class, or actor and crossing year."
        ),
    ] = ByChoice.actor,
    as_of: AsOfOption = None,
    prior: PriorOption = "uniform",
    timeline: Annotated[
        bool, typer.Option("--timeline", help="Show how the estimate moved after each crossing.")
    ] = False,
    actor: Annotated[
        str | None, typer.Option(help="Only this threatener (RUS, USA, NATO...).")
    ] = None,
    window_days: WindowOption = None,
    reported: ReportedOption = False,
    level: LevelOption = LEVEL,
) -> None:
    """Estimate each actor's follow-through on its red lines, with a credible interval (90% unless
    --level says otherwise)."""
    from dataclasses import asdict

    from redline.score import credibility, credibility_timeline, get_prior

    ledger = Ledger.open(db, create=False)
    day = _day(as_of) or date.today()
    p = get_prior(prior)
    linked = _linked_as_of(ledger)
    note = _in_title(_other_link_note(linked, day))
    groups = ("actor",) if by is ByChoice.actor else ("actor", by.value)
    if timeline:
        # a series per actor, or per actor and class or year as --by says (it was always per
        # actor, whatever --by asked)
        points = credibility_timeline(
            ledger,
            actor=actor,
            as_of=day,
            prior=p,
            window_days=window_days,
            reported=reported,
            by=groups,
            level=level,
        )
        window = window_days or last_window(ledger)
        head = {
            **envelope("credibility-timeline"),
            "as_of": day,
            "linked_as_of": linked,
            "as_reported": reported,
            "by": list(groups),
            "window_days": window,
            # each point sits at its crossing's date, its outcome known only later: not what
            # an observer could have said that day (``credibility --as-of`` says that)
            "hindsight": True,
            "prior": asdict(p),
            "level": level,
        }
        rows = [_rounded(pt.as_dict(), fmt) for pt in points]
        if fmt is Format.table:
            for row in rows:
                row[interval_column(level)] = f"{row['lower']}–{row['upper']}"
        grouped = by is not ByChoice.actor
        emit(
            render(
                rows,
                fmt,
                _with_group(timeline_columns(level), grouped)
                if fmt is Format.table
                else _timeline_point_columns(),
                narrow=_with_group(timeline_narrow(level), grouped),
                title="follow-through after each crossing"
                + (f" by {by.value}" if grouped else "")
                + f", {as_of_words(day, reported)} "
                f"({p.label}, {level_text(level)} interval, {window}-day response window; "
                "each point at its crossing's date, in hindsight: what was known then is "
                "`credibility --as-of DATE`)" + note,
                console=console,
                envelope=head,
            )
        )
        if fmt is Format.table and not points:
            _say_empty("no decided episode with a verdict", actor, day, reported)
        return
    chosen = credibility(
        ledger,
        by=groups,
        as_of=day,
        prior=p,
        window_days=window_days,
        reported=reported,
        actor=actor,
        level=level,
    )
    head = {
        **envelope("credibility"),
        "as_of": day,
        "linked_as_of": linked,
        "as_reported": reported,
        "by": list(groups),
        "prior": asdict(p),
        "level": level,
    }
    window = window_days or last_window(ledger)
    head["window_days"] = window
    title = (
        f"follow-through {as_of_words(day, reported)}, prior {p.label}, "
        f"{level_text(level)} interval, "
        f"{window}-day response window" + note
    )
    if fmt is Format.table:  # one line per actor at 80 columns; JSON and CSV carry every field
        rows = [follow_through_row(e) for e in chosen]
        columns = follow_through_columns(level)
    else:
        rows, columns = [e.as_dict() for e in chosen], _credibility_columns()
    # a table by actor has no group column; JSON and CSV carry it (null, empty) as the export does
    columns = [
        c for c in columns if c != "group" or by is not ByChoice.actor or fmt is not Format.table
    ]
    emit(
        render(
            rows,
            fmt,
            columns,
            narrow=follow_through_narrow(level),
            title=title,
            console=console,
            envelope=head,
        )
    )
    if fmt is Format.table and not chosen:
        _say_empty("no episode", actor, day, reported)
    if fmt is Format.table and chosen:
        console.print(
            "Read with care: the mean leans towards enforcement (one found response enforces a "
            'line; non-enforcement needs a statement or long silence); "if failed / held" '
            "is the mean had every crossed line it leaves out failed, or held, not an interval; "
            "actors whose intervals overlap are not shown to differ; a narrow terminal hides the "
            "evidence column (-f json has every field; docs/credibility.md)." + measured_verdicts(),
            markup=False,
            style="dim",
            highlight=False,
        )


def _say_empty(what: str, actor: str | None, day: date, reported: bool) -> None:
    """Why a follow-through table is empty: an empty frame read as a failure."""
    whose = f" of {actor.strip()}" if actor else ""
    console.print(
        terminal_text(f"{what.capitalize()}{whose} {as_of_words(day, reported)}: nothing to show."),
        style="dim",
        highlight=False,
    )


def _with_group(columns: list[str], grouped: bool) -> list[str]:
    """A timeline's columns with its ``group`` after the actor when grouped by class or year."""
    return [*columns[:1], "group", *columns[1:]] if grouped else columns


def _episode_row_columns() -> list[str]:
    """Every field of an episode row, as JSON and the export's ``episode_status`` carry them:
    the CSV listing had only the table's nine (no crossing date, threatener, trigger, class or
    verdict)."""
    from redline.export import EPISODE_STATUS_SCHEMA

    return list(EPISODE_STATUS_SCHEMA.names)


def _timeline_point_columns() -> list[str]:
    """Every field of a timeline point, as JSON and the export's ``credibility_timeline`` carry
    them: the CSV had only the table's columns (no date precision, so a day and a "crossed by"
    date read alike, no label, no Beta parameters), then every one but its group when grouped
    by actor."""
    from dataclasses import fields

    from redline.score.credibility import TimelinePoint

    return [f.name for f in fields(TimelinePoint)]


def _credibility_columns() -> list[str]:
    """Every field of an estimate, as JSON and the export's ``credibility`` carry them (CSV had
    lost ``withdrawn`` and ``n_episodes``, then the list of decided episodes, which a CSV cell
    holds as its JSON text, and the group)."""
    from dataclasses import fields

    from redline.score.credibility import Estimate

    return [f.name for f in fields(Estimate)]


def interval_column(level: float) -> str:
    """The terminal's interval column, its level in its header: "90% interval"."""
    return f"{level_text(level)} interval"


def follow_through_columns(level: float) -> list[str]:
    """The columns of an estimate as the terminal shows it (``follow_through_row``)."""
    return [
        "actor",
        "group",
        "crossed",
        "enforced / partly / not",
        "left out",
        "mean",
        interval_column(level),
        "if failed / held",
        "evidence",
    ]


def follow_through_narrow(level: float) -> list[str]:
    """What a narrow terminal keeps: the figures whole, the evidence (in JSON and CSV) left out."""
    return [c for c in follow_through_columns(level) if c != "evidence"]


# Decimals of a probability on screen: the report's, so a figure quoted from the terminal reads
# as it does there (JSON and CSV keep full precision).
SHOWN_DIGITS = 2


def follow_through_row(e: Estimate) -> dict[str, Any]:
    """An estimate as the terminal shows it (`credibility`, `run`): outcomes in one cell, the
    interval whole, "no evidence" instead of the prior when no decided episode has a verdict."""
    digits = SHOWN_DIGITS
    evidence = "—" if e.no_evidence else e.evidence.removeprefix("evidence: ")
    if not e.no_evidence and e.trials_text():
        evidence = f"{e.trials_text()} (shared events); {evidence}"
    return {
        "actor": e.actor,
        "group": e.group,
        "crossed": e.crossed,
        "enforced / partly / not": f"{e.enforced}/{e.partially_enforced}/{e.unenforced}",
        # crossed lines the estimate does not count: undetermined, without a verdict, or
        # crossed only by the owner's own response
        "left out": e.crossed - e.decided,
        "mean": e.mean_text(digits),
        interval_column(e.level): e.interval_text(digits),
        # "failed/held", not an "a–b" span: the bounds are no interval of the estimate
        "if failed / held": (
            "—"
            if e.mean_if_left_out_unenforced is None or e.crossed == e.decided
            else f"{e.mean_if_left_out_unenforced:.{digits}f}/"
            f"{e.mean_if_left_out_enforced:.{digits}f}"
        ),
        "evidence": evidence,
    }


def _rounded(
    row: dict[str, Any], fmt: Format, keys: tuple[str, ...] = ("mean", "lower", "upper")
) -> dict[str, Any]:
    """Probabilities in tables to ``SHOWN_DIGITS``, and a timeline point's date as precisely
    as it is known ("2024-03" for a crossing dated to a month, not its first day); JSON and CSV
    keep full precision, and the date with its ``date_precision``."""
    if fmt is Format.table:
        from redline.link.when import date_words

        row.update({k: f"{row[k]:.{SHOWN_DIGITS}f}" for k in keys if row[k] is not None})
        if isinstance(row.get("date"), date) and row.get("date_precision"):
            row["date"] = date_words(row["date"], row["date_precision"])
    return row


# the export stands on the last link's date (``export._as_of_of_the_tables``), not today's
ExportAsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        parser=iso_date,
        metavar="YYYY-MM-DD",
        help="The date of the computed tables (episode_status, credibility), in hindsight. "
        "Default: that of the last `redline link`; another date is refused (link as of it "
        "first), so the stored episodes and the computed tables agree.",
        show_default=False,
    ),
]


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"
    json = "json"


def export_notice(line: str) -> None:
    """Print what an export did with the partial folders earlier exports left (``export``'s
    ``notice``), as `redline export` and `redline run --export` both say it."""
    console.print(line, markup=False, soft_wrap=True)


@app.command("export")
def export_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write one file per table into.")],
    db: DbOption = None,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="File format.")
    ] = ExportFormat.parquet,
    as_of: ExportAsOfOption = None,
    prior: PriorOption = "uniform",
    reported: ReportedOption = False,
    level: LevelOption = LEVEL,
) -> None:
    """Export every ledger table, each episode's status and the computed credibility, one file
    per table. A row of threats, events and outcome_claims is an item of its listing (`redline
    threats -f json`...), rejected items included; manifest.json names each file's row schema
    (docs/architecture.md, "What an export holds")."""
    from redline.export import export

    written = export(
        Ledger.open(db, create=False),
        out_dir,
        fmt=fmt.value,
        as_of=_day(as_of),
        prior=prior,
        reported=reported,
        level=level,
        notice=export_notice,
    )
    for name, n in written.items():
        console.print(f"{name}: {n} rows", markup=False)
    console.print(f"wrote {len(written)} files and manifest.json to {out_dir}", markup=False)


@app.command("report")
def report_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    db: DbOption = None,
    as_of: AsOfOption = None,
    prior: PriorOption = "uniform",
    window_days: WindowOption = None,
    reported: ReportedOption = False,
    level: LevelOption = LEVEL,
) -> None:
    """Write one self-contained HTML report (works offline): episodes, timelines, credibility, sources."""
    from redline.report import write_report

    ledger = Ledger.open(db, create=False)
    if ledger.count(documents) == 0:
        raise RedlineError(
            f"{ledger.url} holds no documents: nothing to report (run `redline run PATH` first)"
        )
    path = write_report(
        ledger,
        output,
        as_of=_day(as_of),
        prior=prior,
        window_days=window_days,
        reported=reported,
        level=level,
    )
    console.print(f"wrote {path}", markup=False)
