"""The typer application and the options every command shares."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from redline.errors import ConfigError, RedlineError
from redline.output import Format

# `redline --help` lists the commands in the order a user meets them (the README's "Using it"):
# from articles in to the ledger, what it holds, episodes and follow-through, the report and
# export, then measuring, training, the analyst's decisions, audits and the benchmark; `redline
# audit --help` from judging in the terminal to recall. Typer lists them in the order the modules
# happen to register them (`add` and `bench` came first, `ingest` tenth, `audit start` third).
COMMAND_ORDER = {
    "redline": (
        "ingest",
        "documents",
        "show",
        "extract",
        "threats",
        "events",
        "claims",
        "link",
        "episodes",
        "episode",
        "credibility",
        "report",
        "export",
        "run",
        "eval",
        "train",
        "review",
        "add",
        "reviews",
        "triage",
        "audit",
        "bench",
    ),
    "audit": (
        "start",
        "draw",
        "judge",
        "report",
        "misses-start",
        "misses",
        "misses-judge",
        "recall",
    ),
}


class InOrder(TyperGroup):
    """A command group that lists its commands in ``COMMAND_ORDER``'s order for it."""

    def list_commands(self, ctx: Any) -> list[str]:  # typer's own click Context
        names = super().list_commands(ctx)
        order = COMMAND_ORDER["redline" if ctx.parent is None else str(self.name)]
        rank = {name: i for i, name in enumerate(order)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))


app = typer.Typer(
    name="redline",
    cls=InOrder,
    help=(
        "Redline turns news into an evidence ledger of political threats and red lines: "
        "ingest articles, extract threats and crossings, link them into episodes, score each "
        "actor's follow-through and publish a report. Every command works on one ledger "
        "database (--db or REDLINE_DB; default ./redline.db). Exit status: 0 done, 2 any "
        "error, 130 Ctrl-C, 143 SIGTERM."
    ),
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

console = Console()
err_console = Console(stderr=True)

# the exit status of every error, as click gives a usage error (README, "Exit status"): a
# command that read no file had exited 1, and the same mistyped path given to `run` 2
ERROR = 2


class Stopped(SystemExit):
    """Ctrl-C (exit status 130) with its own note of what was kept and how to go on, printed
    instead of the general one ("running the command again resumes" is not true of them all)."""

    def __init__(self, note: str) -> None:
        super().__init__(130)
        self.note = note


def _plain_help_types() -> None:
    """Help in the words of the command line, not of Python: ``PATH...`` rather than
    ``{PATH}... <list[Path]>``, ``YYYY-MM-DD`` rather than ``<%Y-%m-%d>``, and a repeatable
    option's value as one value (``--gazetteer <path>``, not ``<list[Path]>``). Typer offers no
    per-parameter switch for these, so its two formatting hooks are wrapped (and left alone if
    a Typer release renames them)."""
    from typer import core

    argument = getattr(core, "TyperArgument", None)
    param = getattr(core, "_TyperParameter", None) or argument
    shown = getattr(param, "display_type", None)
    if shown is not None and param is not None:

        def display_type(self: object, ctx: object) -> str:
            label = str(shown(self, ctx))
            if label.startswith("<list[") and label.endswith("]>"):
                if argument is not None and isinstance(self, argument):
                    return ""  # the usage line's PATH... says it already
                # each use of a repeatable option takes one value: show it as any other
                # option's (the repeatable ones showed none: "--gazetteer" looked like a flag)
                one = label[len("<list[") : -len("]>")]
                label = f"<{one if '|' in one else one.lower()}>"
            return label.replace("%Y-%m-%d", "YYYY-MM-DD")

        param.display_type = display_type
    raw = getattr(argument, "display_name_raw", None)
    if argument is not None and isinstance(raw, property) and raw.fget is not None:
        # an argument without a metavar showed its Python name ("review [OPTIONS] item_type ID
        # action", "show ... doc"): in capitals as the usage line of every other command writes
        # its placeholders (`ingest PATH...`, `add KIND DOC`) and as the help text names them
        named = raw.fget

        def upper_name(self: Any) -> str:
            name = str(named(self))
            return name if self.metavar is not None else name.upper()

        argument.display_name_raw = property(upper_name)
    if argument is not None and hasattr(argument, "_usage_display_name"):

        def usage_name(self: object) -> str:
            name = str(getattr(self, "display_name_raw", "ARG"))
            required = bool(getattr(self, "required", False))
            name = name if required else f"[{name}]"
            return name + ("..." if getattr(self, "nargs", 1) != 1 else "")

        argument._usage_display_name = usage_name


_plain_help_types()

LEDGER_HELP = (
    "Ledger database: a SQLAlchemy URL (sqlite:///x.db, postgresql://...) or a file path. "
    "Default: REDLINE_DB, else ./redline.db."
)
DbOption = Annotated[
    str | None,
    # REDLINE_DB is read where the ledger is opened (``store.db``), not by click: a click
    # envvar would win over the ledger named before the command (`redline --db X episodes`)
    typer.Option("--db", help=LEDGER_HELP, show_default=False),
]


def iso_date(value: Any) -> datetime | None:
    """A calendar date written YYYY-MM-DD; anything else is refused in those words."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.strptime(str(value), "%Y-%m-%d")
    except ValueError:
        from redline.link.when import no_such_day

        why = no_such_day(str(value))
        if why:  # the form is right, the day is not ("2024-02-30"): say that, as the API does
            raise typer.BadParameter(f"{value!r} is no day of the calendar ({why})") from None
        raise typer.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


AsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        parser=iso_date,
        metavar="YYYY-MM-DD",
        help="Status as of this date (YYYY-MM-DD), in hindsight: what had happened by then, "
        "even if reported later. Default: today.",
        show_default=False,
    ),
]
ReportedOption = Annotated[
    bool,
    typer.Option(
        "--as-reported",
        help="Count an item only from its article's publication date, not its own: the record "
        "as the ledger's sources had reported it by the --as-of date (default: hindsight).",
    ),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


def emit(text: str | None) -> None:
    """Print JSON/CSV text exactly (no rich markup or wrapping)."""
    if text is not None:
        try:
            typer.echo(text.rstrip("\n"))
        except BrokenPipeError:
            raise  # the reader went away (`| head`): click ends quietly
        except OSError as exc:  # a full disk under `> file`
            raise RedlineError(f"cannot write the output: {exc.strerror or exc}") from exc


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"redline {version('redline')}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="The ledger for the command that follows, as its own --db (which wins when "
            "given too); either wins over REDLINE_DB.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Redline: an evidence ledger of political threats and red lines."""
    if db is not None:
        # `redline --db X episodes` was refused: the ledger is handed to every command below
        # as the default of its own --db
        ctx.default_map = _db_defaults(ctx.command, db)


def _db_defaults(group: Any, db: str) -> dict[str, Any]:
    """A click default map giving ``db`` to the --db of every command under ``group``."""
    out: dict[str, Any] = {}
    for name, command in getattr(group, "commands", {}).items():
        if getattr(command, "commands", None):
            out[name] = _db_defaults(command, db)
        elif any(
            p.name == "db" and getattr(p, "help", None) == LEDGER_HELP for p in command.params
        ):
            # only the ledger option: `eval --db` names a scratch ledger it fills with the gold
            # corpus, and `redline --db team.db eval ...` wrote the corpus into the team's
            out[name] = {"db": db}
    return out


def measured_verdicts() -> str:
    """How often verdicts were right on the project's real-news test split (``data/
    measured.json``), as a sentence opening with a space, for the notes under follow-through
    tables (``credibility``, ``run``); empty when the shipped figures cannot be read."""
    from redline.gold.measured import load

    try:
        shipped = load()
    except ConfigError:
        return ""
    return (
        f" On the project's real-news test split ({shipped.documents} documents), episode "
        f"verdicts were right {shipped.figure('episode_precision').label()} and crossed "
        f"verdicts {shipped.figure('crossed_verdict_precision').label()}, given to "
        f"{shipped.figure('crossed_verdict_recall').label()} of the lines annotators saw "
        "crossed; `redline audit` measures your corpus."
    )
