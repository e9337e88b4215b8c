"""Write one self-contained HTML report: episodes, timelines, credibility and their sources."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path, PurePath

import jinja2
import markupsafe

from redline.documents import ListedDocument, source_name
from redline.errors import ConfigError
from redline.link import EpisodeView
from redline.link.episodes import StoryDocument, analyst_mark
from redline.output import file_in_the_way, folder_not_writable, without_controls, write_whole
from redline.report.context import STATUS_LABELS, ReportData, gather
from redline.score import LEVEL, Prior
from redline.store import Ledger

__all__ = ["ReportData", "gather", "render_report", "write_report"]


def _shown(value: object) -> object:
    """A value as the report shows it: text without control characters or bidirectional
    overrides, as in the terminal (an override in a title reversed the outlet and date printed
    after it: "gnp.exe ,3202-10-30"); the charts, already markup, as they are."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return without_controls(value)
    return value


def _source_name(doc: StoryDocument | ListedDocument) -> str | None:
    """A cited document's name from its URL or file, be it a story's document or a
    ``CitedDocument``."""
    return source_name(doc.url, doc.source_path)


@cache
def _environment() -> jinja2.Environment:
    # Autoescape is on for everything: article text (quotes, titles, outlets) is untrusted.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("redline.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )
    # A shared report names a local source by its file name, never by the analyst's path.
    env.filters["basename"] = lambda path: PurePath(str(path)).name if path else ""
    # what a citation of an untitled document names: its URL, else its file's name (ten
    # untitled articles were each cited as "untitled document")
    env.filters["source_name"] = _source_name
    # what an analyst did to a cited item (added, corrected, confirmed), as the story says it
    env.filters["analyst_mark"] = lambda i: analyst_mark(i.extractor, i.review_state)
    return env


def render_report(data: ReportData) -> str:
    return _environment().get_template("report.html.j2").render(d=data, labels=STATUS_LABELS)


def check_report_path(out: Path) -> None:
    """A ConfigError when no report can be written at ``out``: a folder there, a file where a
    folder above it must be, or a folder above it this user may not write. Checked before the
    report is gathered, and by `redline run` before it ingests anything."""
    if out.is_dir():
        raise ConfigError(f"{out}: is a folder; give the report a file name (report.html)")
    blocking = file_in_the_way(out)
    if blocking is not None:
        raise ConfigError(f"{out}: cannot write the report: {blocking} is a file, not a folder")
    locked = folder_not_writable(out)
    if locked is not None:
        raise ConfigError(f"{out}: cannot write the report: the folder {locked} is not writable")


def write_report(
    ledger: Ledger,
    path: str | Path,
    *,
    as_of: date | None = None,
    prior: str | Prior = "uniform",
    window_days: int | None = None,
    view: EpisodeView | None = None,
    reported: bool = False,
    level: float = LEVEL,
) -> Path:
    """Render the report for ``ledger`` as of ``as_of`` (default today) into ``path``; with
    ``view`` (what ``link`` returned), the episodes are not assessed again; ``reported``: as
    ``link.evaluate``; ``level``: that of the follow-through intervals (``check_level``)."""
    out = Path(path)
    check_report_path(out)
    html = render_report(
        gather(
            ledger,
            as_of=as_of,
            prior=prior,
            window_days=window_days,
            view=view,
            reported=reported,
            level=level,
        )
    )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_whole(out, html)  # a failed write leaves an earlier report whole
    except OSError as exc:
        raise ConfigError(f"{out}: cannot write the report: {exc.strerror or exc}") from exc
    return out
