"""Charts for the report, drawn on the server with Altair and vl-convert into inline SVG.

Only trusted strings (trigger labels, episode keys and anchors, country codes, dates, statuses)
go into chart data; article text never does, so the SVG can be inlined as it is (vl-convert
escapes text content anyway).

Every mark that stands for an episode links to the episode's section of the report (``href``,
a ``#episode-…`` fragment) and carries a one-line description (``tooltip`` for interactive
renderers; in the static SVG a ``<title>``, which browsers show on hover).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import altair as alt
import vl_convert

from redline import vocab
from redline.link.when import date_words
from redline.score import Prior, TimelinePoint, level_text

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
WIDTH = 880  # drawn at the report's column width; CSS scales it down on narrow screens
LABEL_CHARS = 40  # an episode label longer than this wraps onto further lines, never cut
LINE_HEIGHT = 14  # of a wrapped label's lines

STATUS_COLOURS = {
    "crossed_enforced": "#1a7f37",
    "crossed_partially_enforced": "#9c671a",  # white on it reads at 4.8:1 (AA)
    "crossed_unenforced": "#c0392b",
    "undetermined": "#7e57c2",
    "open": "#6b7280",
    "withdrawn": "#2b6cb0",
}
KIND_COLOURS = {
    "threat": "#c0392b",
    "crossing": "#1f2937",
    "response": "#1a7f37",
    "claim": "#2b6cb0",
}
KIND_SHAPES = {
    "threat": "circle",
    "crossing": "triangle-up",
    "response": "square",
    "claim": "diamond",
}


@dataclass(frozen=True)
class EpisodeBar:
    """An episode's segment of the status chart: its actor's bar, coloured by its status."""

    actor: str
    status: vocab.Status
    label: str
    href: str  # the ``#episode-…`` fragment of its section
    tip: str

    def as_dict(self) -> dict[str, Any]:
        """The segment as the chart's data holds it (``rank``: the status's place in order)."""
        return {
            "actor": self.actor,
            "status": self.status,
            "rank": vocab.STATUS_ORDER.index(self.status),
            "label": self.label,
            "href": self.href,
            "tip": self.tip,
            "n": 1,
        }


@dataclass(frozen=True)
class TimelineMark:
    """An item of an episode as a mark on its actor's timeline."""

    episode: str  # the row's label
    kind: vocab.ItemKind
    date: date
    approximate: bool  # dated to a month or a year: drawn fainter
    href: str
    tip: str
    # False: drawn for the eye only, no link and no description (a later crossing, told in the
    # episode's story: a crossing many actors' lines share had a linked, twice-described mark
    # on each of their rows, most of the bytes of a big report)
    described: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "episode": wrap_label(self.episode),
            "kind": self.kind,
            "date": self.date.isoformat(),
            "precision": "approximate date" if self.approximate else "exact date",
            "href": self.href,
            "tip": self.tip,
        }


@dataclass(frozen=True)
class TimelineSpan:
    """An episode's line on its actor's timeline: from its first threat to its crossing, or to
    the report's date while the line holds."""

    episode: str
    start: date
    end: date
    href: str
    tip: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "episode": wrap_label(self.episode),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "href": self.href,
            "tip": self.tip,
        }


# vl-convert resolves a link against its data loader's base URL; the report's links are fragments
_LINK_BASE = re.compile(r'xlink:href="[^"#]*#')
# a linked mark: <a xlink:href="#..."><path aria-label="its description" .../></a>
_LINKED_MARK = re.compile(r'<a (xlink:href="#[^"]*")>(<\w+ aria-label="([^"]*)")')
# a coordinate's attribute: Vega writes each number with all its digits ("164.15143017616293"),
# a tenth of a timeline's bytes; two decimals are a hundredth of a pixel
_COORDINATES = re.compile(r'( (?:d|transform|x|y|x1|x2|y1|y2|width|height)=")([^"]*)"')
_DIGITS = re.compile(r"(\.\d\d)\d+")


def _svg(chart: alt.TopLevelMixin, datasets: Mapping[str, list[dict[str, Any]]]) -> str:
    """The chart drawn as SVG; its marks' rows are ``datasets`` (each named by the chart's
    ``alt.Data(name=...)``), put into the spec after Altair has checked it: checked and copied
    by Altair row by row, a timeline of 3,000 episodes spent more time there than drawing."""
    spec = (
        chart.configure(font=FONT, background="transparent")
        .configure_view(stroke=None)
        .configure_axis(
            labelFontSize=12, titleFontSize=12, labelColor="#374151", titleColor="#374151"
        )
        .configure_legend(labelFontSize=12, symbolSize=110, labelColor="#374151")
        .configure_header(labelFontSize=13)
        .to_dict()
    )
    spec["datasets"] = dict(datasets)
    svg: str = vl_convert.vegalite_to_svg(spec)
    # Vega's SVG renderer writes the description as aria-label only; a <title> is what a
    # browser shows on hover (the text is already escaped for an attribute, valid in text too).
    # A mark's link is no tab stop (tabindex -1): every mark was one, hundreds between the
    # verdict list and the rest of the page, while the verdict list links each episode once.
    linked = r'<a \1 tabindex="-1"><title>\3</title>\2'
    svg = _LINKED_MARK.sub(linked, _LINK_BASE.sub('xlink:href="#', svg))
    return _COORDINATES.sub(_shorter, svg)


def _shorter(attribute: re.Match[str]) -> str:
    """A coordinate attribute with each number cut to two decimals."""
    return attribute[1] + _DIGITS.sub(r"\1", attribute[2]) + '"'


def wrap_label(text: str, width: int = LABEL_CHARS) -> str:
    """``text`` on lines of at most ``width`` characters, joined by newlines (see ``_label_axis``)."""
    return "\n".join(textwrap.wrap(text, width)) or text


def _label_axis() -> alt.Axis:
    # one line per newline, never truncated (labelLimit 0: no limit), the lines centred on the tick
    lines = "length(split(datum.label, '\\n'))"
    return alt.Axis(
        labelExpr="split(datum.label, '\\n')",
        labelLimit=0,
        labelLineHeight=LINE_HEIGHT,
        labelOffset={"expr": f"-{LINE_HEIGHT / 2} * ({lines} - 1)"},
    )


def _links() -> dict[str, Any]:
    """The encodings that make a mark link to its episode (``href``) and describe itself (``tip``)."""
    return {
        "href": alt.Href("href:N"),
        "tooltip": alt.Tooltip("tip:N"),
        "description": alt.Description("tip:N"),
    }


def _utc_x(field: str, title: str | None = None) -> alt.X:
    # padding keeps marks on the first and last dates clear of the axis ends
    scale = alt.Scale(type="utc", padding=14)
    axis = alt.Axis(format="%b %Y", labelOverlap="greedy", labelSeparation=10, labelFlush=False)
    return alt.X(f"{field}:T", title=title, scale=scale, axis=axis)


def status_chart(episodes: Sequence[EpisodeBar], actors: Sequence[str]) -> str:
    """Episodes per actor, stacked by status, one segment per episode linking to it; ``actors``
    in the order of their bars."""
    # each status named as the cards, verdicts and tooltips name it ("partially enforced"), in
    # the legend and in what a screen reader hears of it, not as its identifier
    order = list(STATUS_COLOURS)
    label = {s: vocab.Status(s).label for s in order}
    rows = [{**e.as_dict(), "status": label[e.status]} for e in episodes]
    chart = (
        alt.Chart(alt.Data(name="episodes"))
        .mark_bar(stroke="#ffffff", strokeWidth=1)
        .encode(
            y=alt.Y("actor:N", title=None, sort=list(actors)),
            x=alt.X("n:Q", title="episodes", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=[label[s] for s in order], range=[STATUS_COLOURS[s] for s in order]
                ),
                legend=alt.Legend(title=None, orient="bottom", columns=3),
            ),
            order=[alt.Order("rank:Q"), alt.Order("label:N")],
            **_links(),
        )
        .properties(width=WIDTH - 160, height=alt.Step(30))
    )
    return _svg(chart, {"episodes": rows})


def timeline_chart(
    items: Sequence[TimelineMark], lines_drawn: Sequence[TimelineSpan], as_of: date
) -> str:
    """One row per episode: threats, crossing, responses and claims as marks on a time axis,
    over the episode's span. A long episode label wraps onto further lines instead of being
    cut."""
    marks = [m.as_dict() for m in items if m.described]
    plain = [m.as_dict() for m in items if not m.described]
    spans = [s.as_dict() for s in lines_drawn]
    rows = sorted({m["episode"] for m in (*marks, *plain)} | {s["episode"] for s in spans})
    lines = max((r.count("\n") + 1 for r in rows), default=1)
    y = alt.Y("episode:N", title=None, sort=rows, axis=_label_axis())
    span = (
        alt.Chart(alt.Data(name="spans"))
        .mark_rule(strokeWidth=5, color="#e2e8f0")
        .encode(y=y, x=_utc_x("start"), x2="end:T", **_links())
    )
    kinds = list(KIND_COLOURS)
    drawn = dict(
        y=y,
        x=_utc_x("date"),
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=kinds, range=list(KIND_COLOURS.values())),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        shape=alt.Shape(
            "kind:N",
            scale=alt.Scale(domain=kinds, range=[KIND_SHAPES[k] for k in kinds]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        opacity=alt.Opacity(
            "precision:N",
            scale=alt.Scale(domain=["exact date", "approximate date"], range=[0.95, 0.45]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
    )
    points = (
        alt.Chart(alt.Data(name="marks"))
        .mark_point(size=110, filled=True, strokeWidth=1.5)
        .encode(**drawn, **_links())
    )
    for_the_eye = (
        alt.Chart(alt.Data(name="plain"))
        .mark_point(size=110, filled=True, strokeWidth=1.5, aria=False)
        .encode(**drawn)
    )
    today = (
        alt.Chart(alt.Data(name="as_of"))
        .mark_rule(strokeDash=[4, 4], color="#9ca3af")
        .encode(x=_utc_x("as_of"))
    )
    step = max(32, LINE_HEIGHT * lines + 8)  # room for every line of the longest label
    chart = alt.layer(span, today, for_the_eye, points).properties(
        width=WIDTH - 300, height=alt.Step(step)
    )
    today_row = [{"as_of": as_of.isoformat()}]
    return _svg(chart, {"spans": spans, "marks": marks, "plain": plain, "as_of": today_row})


def _when(point: TimelinePoint) -> str:
    """A timeline point's date, after a space, as precisely as it is known ("2024-03" for a
    crossing dated to a month, not its first day); empty when undated."""
    if point.date is None:
        return ""
    return " " + date_words(point.date, point.date_precision or "day")


def credibility_chart(
    points: Sequence[TimelinePoint], prior: Prior, anchors: Mapping[str, str]
) -> str:
    """Per actor: the posterior mean after each crossing, with its interval as a band; each
    crossing's dot links to its episode (``anchors``: episode key -> fragment id)."""
    data = [
        {
            "actor": p.actor,
            "date": p.date.isoformat() if p.date else None,
            "mean": p.mean,
            "lower": p.lower,
            "upper": p.upper,
            "prior": prior.mean,
            "href": f"#{anchors[p.episode_key]}" if p.episode_key in anchors else None,
            "tip": (
                f"{p.episode_label} — {vocab.Status(p.status).label}"
                f"{_when(p)}: estimate {p.mean:.2f}"
                f", {level_text(p.level)} interval {p.lower:.2f}–{p.upper:.2f}"
            ),
        }
        for p in points
    ]
    x = _utc_x("date", "crossing date")
    y_scale = alt.Scale(domain=[0, 1])
    base = alt.Chart().encode(x=x)
    # the band, the interval rules and the line are for the eye (aria=False): a screen reader
    # heard each point in raw floats three times over ("lower: 0.0253205655191"), beside the
    # dot's own description with the figures as the table gives them
    band = base.mark_area(
        opacity=0.18, interpolate="step-after", color="#2b6cb0", aria=False
    ).encode(y=alt.Y("lower:Q", scale=y_scale, title="follow-through"), y2="upper:Q")
    bars = base.mark_rule(color="#2b6cb0", opacity=0.6, aria=False).encode(
        y="lower:Q", y2="upper:Q"
    )
    line = base.mark_line(interpolate="step-after", color="#2b6cb0", aria=False).encode(y="mean:Q")
    dots = base.mark_point(filled=True, size=50, color="#2b6cb0").encode(y="mean:Q", **_links())
    prior_mean = base.mark_rule(strokeDash=[5, 4], color="#9ca3af").encode(
        y="prior:Q", x=alt.value(0), x2=alt.value(WIDTH - 60)
    )
    header = alt.Header(
        labelFontSize=14, labelFontWeight="bold", labelOrient="top", labelAnchor="start"
    )
    chart = (
        alt.layer(band, bars, line, dots, prior_mean, data=alt.Data(name="points"))
        .properties(width=WIDTH - 60, height=200)
        .facet(row=alt.Row("actor:N", title=None, header=header))
    )
    return _svg(chart, {"points": data})
