"""Special topic 2's charts: the timeline of one crisis, and how the affected people's attitudes moved.

Events and moves come from ``kamlib.crisis``. Each phase of the playbook has its own lane, colour and
marker shape; a step due is a hollow marker, a step done a filled one, an overdue step a dashed line to
today; attitude moves are written as codes at both ends, so nothing is told by colour alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from kamlib.charts.spread import spread
from kamlib.charts.style import INK, MARKERS, MUTED, PALETTE, left_title, new_figure, say_empty, shorten
from kamlib.crisis import ATTITUDE_RANK, PHASES, Move, is_overdue, timeline
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.retention import Assessment, Crisis

LANES = ("incident", *PHASES, "assessment")
PHASE_COLOUR = {phase: PALETTE[i] for i, phase in enumerate(PHASES)}
PHASE_MARKER = {phase: MARKERS[i + 1] for i, phase in enumerate(PHASES)}
MAX_TEXT = 30
Y_LOW, Y_HIGH = -2.6, 2.6  # the attitude scale runs from -2 (/) to 2 (*)
LABEL_PT = 11.0
LABEL_STEP_PT = LABEL_PT * 1.5  # one label's line in the slope chart's column of names
CHROME_IN = 2.0  # the slope chart's height outside its plot: title, axis names, legend, note (a little more)


def timeline_chart(crisis: Crisis, assessments: Sequence[Assessment], lang: Lang, today: dt.date) -> Figure:
    """The crisis on a date axis: the incident, a lane per phase with its steps, re-run assessments, today."""
    lang = check_lang(lang)
    events = timeline(crisis, assessments)
    fig = new_figure(12.0, 6.2)
    ax = fig.add_subplot()
    lane = {name: i for i, name in enumerate(LANES)}
    if not events:
        say_empty(ax, t("crisis.chart.no_dates", lang), fontsize=14)
        left_title(fig, t("crisis.chart.timeline.title", lang, title=shorten(crisis.title, 60)))
        return fig
    # ``type: ignore[arg-type]`` below: matplotlib's stubs take numbers only, but it plots dates (its date converter)
    for step in crisis.steps:
        y, colour = lane[step.phase], PHASE_COLOUR[step.phase]
        if step.due_on and step.done_on:
            ax.plot([step.due_on, step.done_on], [y, y], color=colour, linewidth=1.5, marker="")  # type: ignore[arg-type]
        if is_overdue(step, today):
            ax.plot([step.due_on, today], [y, y], color=colour, linewidth=1.5, linestyle="--", marker="")  # type: ignore[arg-type]
    labelled: dict[tuple[dt.date, int], int] = {}
    for event in events:
        if event.kind in ("happened", "detected"):
            y, colour, marker = lane["incident"], INK, "*" if event.kind == "happened" else "X"
            filled, text = True, t(f"crisis.chart.{event.kind}", lang)
        elif event.kind == "assessment":
            y, colour, marker, filled = lane["assessment"], PALETTE[5], "D", True
            text = t("crisis.chart.assessment", lang, score=event.text)
        else:
            y, colour = lane[event.phase], PHASE_COLOUR[event.phase]  # type: ignore[index]
            marker, filled = PHASE_MARKER[event.phase], event.kind == "step_done"  # type: ignore[index]
            shown = event.kind == "step_done" or not _done_too(crisis, event.step_id)
            text = shorten(event.text, MAX_TEXT) if shown else ""
        ax.plot([event.on], [y], marker=marker, markersize=12, linestyle="", color=colour,  # type: ignore[arg-type]
                markerfacecolor=colour if filled else "white", markeredgewidth=2.0)
        if text:
            stack = labelled.get((event.on, y), 0)
            labelled[(event.on, y)] = stack + 1
            ax.annotate(text, (event.on, y), xytext=(8, 6 + 13 * stack), textcoords="offset points", fontsize=10,
                        color=INK)
    ax.axvline(today, color=MUTED, linestyle=":", linewidth=1.5)  # type: ignore[arg-type]
    ax.text(today, -0.68, t("crisis.chart.today", lang), ha="center", va="bottom", fontsize=11, color=MUTED)  # type: ignore[arg-type]
    ax.set_yticks(range(len(LANES)), [t(f"crisis.chart.lane.{name}", lang) if name in ("incident", "assessment")
                                      else t(f"crisis.phase.{name}", lang) for name in LANES])
    ax.set_ylim(len(LANES) - 0.3, -0.7)
    ax.grid(True, axis="x")
    first = min([e.on for e in events] + [today])
    last = max([e.on for e in events] + [today])
    pad = dt.timedelta(days=max(2, (last - first).days // 8))
    ax.set_xlim(first - pad, last + pad * 3)  # type: ignore[arg-type]
    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))  # ISO dates read the same in both languages
    fig.legend(handles=[
        Line2D([], [], marker="o", linestyle="", color=INK, markerfacecolor="white", markeredgewidth=2.0,
               label=t("crisis.chart.legend.due", lang)),
        Line2D([], [], marker="o", linestyle="", color=INK, label=t("crisis.chart.legend.done", lang)),
        Line2D([], [], color=INK, linestyle="--", label=t("crisis.chart.legend.overdue", lang)),
    ], loc="outside lower center", ncols=3, fontsize=11)
    left_title(fig, t("crisis.chart.timeline.title", lang, title=shorten(crisis.title, 60)))
    return fig


def _done_too(crisis: Crisis, step_id: str | None) -> bool:
    """Whether the step is also done (its label is then written at the done marker only)."""
    return any(s.id == step_id and s.done_on is not None for s in crisis.steps)


def attitude_chart(moves: Sequence[Move], lang: Lang) -> Figure:
    """Each affected person's attitude before and after the crisis on the chapter 2.4 scale (* on top, / at
    the bottom): a solid line for a fall, dashed for a rise, dotted when unchanged; the codes written at both
    ends. People whose before or after is not known yet are listed under the chart."""
    lang = check_lang(lang)
    known = [m for m in moves if m.delta is not None]
    n = len(known)
    height = max(5.8, CHROME_IN + n * LABEL_STEP_PT / 72)  # room for every label in one column
    fig = new_figure(10.0, height)
    ax = fig.add_subplot()
    ends: list[float] = []
    step = min(0.07, 0.6 / (n - 1)) if n > 1 else 0.0  # lines with the same move apart, all within ±0.3
    for i, move in enumerate(known):
        offset = (i - (n - 1) / 2) * step
        y0, y1 = ATTITUDE_RANK[move.before] + offset, ATTITUDE_RANK[move.after] + offset  # type: ignore[index]
        style = "-" if move.fell else ("--" if move.delta else ":")
        colour, marker = PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]
        ax.plot([0, 1], [y0, y1], color=colour, linestyle=style, marker=marker, markersize=10, linewidth=2.5)
        ends.append(y1)
    # people with the same move end at (nearly) the same height: their labels are stacked a line apart,
    # each joined to its line's end by a thin line in the line's colour when moved
    gap = LABEL_STEP_PT / 72 / (height - CHROME_IN) * (Y_HIGH - Y_LOW)
    placed = spread(ends, gap, Y_LOW + gap / 2, Y_HIGH - gap / 2)
    for i, (move, y1, y) in enumerate(zip(known, ends, placed, strict=True)):
        if abs(y - y1) > gap / 4:
            ax.plot([1.015, 1.06], [y1, y], color=PALETTE[i % len(PALETTE)], linewidth=1.0, marker="")
        tag = t("crisis.chart.decision_tag", lang) if move.decision_maker else ""
        label = t("crisis.chart.move", lang, name=shorten(move.name, 16), tag=tag, before=move.before, after=move.after)
        ax.text(1.07, y, label, ha="left", va="center",
                fontsize=LABEL_PT, color=INK, gid=f"move-{i}")
    ax.set_xlim(-0.15, 1.9)
    ax.set_ylim(Y_LOW, Y_HIGH)
    ax.set_xticks([0, 1], [t("crisis.chart.before", lang), t("crisis.chart.after", lang)])
    ax.set_yticks(list(ATTITUDE_RANK.values()),
                  [f"{code} {t(f'people.attitude.{code}', lang)}" for code in ATTITUDE_RANK])
    ax.grid(True, axis="y")
    unknown = [m.name for m in moves if m.delta is None]
    note = t("crisis.chart.unknown", lang, names=t("i18n.separator", lang).join(unknown)) if unknown else ""
    legend = [Line2D([], [], color=INK, linestyle="-", label=t("crisis.chart.fell", lang)),
              Line2D([], [], color=INK, linestyle="--", label=t("crisis.chart.rose", lang)),
              Line2D([], [], color=INK, linestyle=":", label=t("crisis.chart.same", lang))]
    fig.legend(handles=legend, loc="outside lower center", ncols=3, fontsize=11)
    if note:
        fig.supxlabel(note, x=0.01, ha="left", fontsize=11, color=MUTED)
    if not known:
        ax.text(0.5, 0, t("crisis.chart.no_moves", lang), ha="center", va="center", fontsize=13, color=MUTED)
    left_title(fig, t("crisis.chart.attitude.title", lang))
    return fig
