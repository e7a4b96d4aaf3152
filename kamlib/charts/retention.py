"""Chapter 4's charts: profit leverage, the whitespace map, the assessment over time, the stage ladder.

Figures come from ``kamlib.retention``; nothing is computed here that the logic does not expose.
Meaning never rests on colour alone: bars and cells carry hatches and words, points carry marker
shapes, and every number is written out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from matplotlib.collections import PatchCollection
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from kamlib.charts.style import HATCHES, INK, MUTED, PALETTE, TRACK, left_title, new_figure, shorten
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.retention import Assessment, Crisis, LeverageInputs, StageChoice
from kamlib.numbers import amount, pct
from kamlib.retention import (
    MAX_SCORE,
    QUESTIONS,
    STAGE_BANDS,
    STAGES,
    WhitespaceMap,
    leverage_figures,
    plausible_stages,
    score,
    trend,
    volume_change_curve,
)

CURVE_LIMITS = (-100.0, 200.0)  # volume change axis, %: beyond it the curve is cut
CELL_STYLE: dict[str, dict[str, Any]] = {  # one artist per status: fill, border, hatch and a marker
    "bought": {"facecolor": "#BFE6D9", "hatch": "", "edgecolor": PALETTE[2], "linestyle": "-", "marker": True},
    "open": {"facecolor": "#FBE3C2", "hatch": "//", "edgecolor": PALETTE[1], "linestyle": "-", "marker": True},
    "na": {"facecolor": TRACK, "hatch": "", "edgecolor": "white", "linestyle": "-", "marker": True},
    "unmarked": {"facecolor": "white", "hatch": "", "edgecolor": MUTED, "linestyle": ":", "marker": False},
}
MARK_STYLE: dict[str, dict[str, Any]] = {
    "bought": {"marker": "s", "markersize": 13, "color": PALETTE[2]},
    "open": {"marker": "o", "markersize": 13, "color": PALETTE[1], "markerfacecolor": "white",
             "markeredgewidth": 2.5},
    "na": {"marker": "x", "markersize": 11, "color": MUTED, "markeredgewidth": 2.0},
}
MARKER_RISE, MARKER_CUT = "^", "v"  # a price rise and a price cut on the curve
MARKER_REGULAR, MARKER_RERUN = "o", "D"  # an assessment, and one re-run after a crisis
MAX_LABEL = 22  # characters of a unit or line name shown in the map
CELL_WIDTH, ROW_HEIGHT = 1.15, 0.4  # inches per product line and per unit of the whitespace map


# ---- profit leverage --------------------------------------------------------------------------------


def leverage_chart(inputs: LeverageInputs, lang: Lang) -> Figure:
    """Left: profit now, with + x% volume and with + x% price. Right: the volume change that keeps profit
    the same after a price change (negative: volume that may be lost)."""
    lang = check_lang(lang)
    figures = leverage_figures(inputs)
    x = figures.change_pct
    fig = new_figure(13.0, 5.2)
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.25])

    labels = [t("retention.chart.leverage.base", lang), t("retention.chart.leverage.volume", lang, x=pct(x)),
              t("retention.chart.leverage.price", lang, x=pct(x))]
    values = [figures.base_profit, figures.volume_profit, figures.price_profit]
    gains = [None, figures.volume_gain_pct, figures.price_gain_pct]
    bars = left.bar(range(3), values, color=[TRACK, PALETTE[0], PALETTE[1]], edgecolor=INK, linewidth=1.0,
                    hatch=None)
    for bar, hatch in zip(bars, (HATCHES[0], HATCHES[1], HATCHES[2]), strict=True):
        bar.set_hatch(hatch)
    top = max(max(values), 0.0)
    for i, (value, gain) in enumerate(zip(values, gains, strict=True)):
        text = amount(value) if gain is None else f"{amount(value)}\n({pct(gain)})"
        left.text(i, max(value, 0) + top * 0.02, text, ha="center", va="bottom", fontsize=12, color=INK)
    left.set_xticks(range(3), labels)
    left.set_ylim(min(min(values), 0) * 1.15, top * 1.25 or 1.0)
    left.set_ylabel(t("retention.chart.leverage.profit_axis", lang))
    left.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    left.axhline(0, color=MUTED, linewidth=0.8)
    left.set_title(t("retention.chart.leverage.title", lang))

    span = max(10.0, 2 * x)
    steps = [round(-span + i * span / 40, 6) for i in range(81)]
    curve = volume_change_curve(inputs, steps)
    xs = [c for c, v in curve if v is not None and CURVE_LIMITS[0] <= v <= CURVE_LIMITS[1]]
    ys = [v for c, v in curve if v is not None and CURVE_LIMITS[0] <= v <= CURVE_LIMITS[1]]
    right.plot(xs, ys, color=PALETTE[0], marker="", linewidth=2.5)
    right.axhline(0, color=MUTED, linewidth=0.8)
    right.axvline(0, color=MUTED, linewidth=0.8)
    marks = [(x, None if figures.volume_loss_allowed_pct is None else -figures.volume_loss_allowed_pct,
              "retention.chart.curve.rise", MARKER_RISE),
             (-x, figures.discount_volume_needed_pct, "retention.chart.curve.cut", MARKER_CUT)]
    for change, volume, key, marker in marks:
        if volume is None:
            right.text(change, 0, t("retention.chart.curve.none", lang), ha="center", va="bottom", fontsize=11,
                       color=INK)
            continue
        right.plot([change], [volume], marker=marker, color=PALETTE[3], markersize=10, linestyle="")
        right.annotate(t(key, lang, price=pct(change), volume=pct(abs(volume), signed=False)), (change, volume),
                       xytext=(10, 12 if volume >= 0 else -22), textcoords="offset points", fontsize=11,
                       color=INK, ha="left" if change < 0 else "right")
    right.set_xlabel(t("retention.chart.curve.x_axis", lang))
    right.set_ylabel(t("retention.chart.curve.y_axis", lang))
    right.set_xlim(-span, span)
    right.set_title(t("retention.chart.curve.title", lang))
    right.grid(True)
    fig.supxlabel(t("retention.leverage.assumption_short", lang), x=0.01, ha="left", fontsize=11, color=MUTED)
    return fig


# ---- whitespace map ---------------------------------------------------------------------------------------


def whitespace_chart(space: WhitespaceMap, lang: Lang) -> Figure:
    """Units (rows, tree order, with their level and kind) × product lines (columns). Each status has its own
    fill, border and marker (bought: a filled square, open: a hollow circle on a hatched cell, not applicable:
    a cross on grey; not marked: a dotted empty cell); the gaps of each unit and line are counted at the ends."""
    lang = check_lang(lang)
    n_units, n_lines = len(space.units), len(space.lines)
    fig = new_figure(4.5 + CELL_WIDTH * max(n_lines, 1) + 1.2, 2.4 + ROW_HEIGHT * max(n_units, 1))
    ax = fig.add_subplot()
    ax.set_xlim(-0.05, n_lines + 1.0)
    ax.set_ylim(n_units + 0.9, -1.4)
    ax.set_axis_off()
    cells: dict[str, list[tuple[int, int]]] = {s: [] for s in CELL_STYLE}
    for row, unit in enumerate(space.units):
        tags = [t("tree.level", lang, level=space.levels.get(unit.id, 1))]
        tags += [] if unit.kind == "unit" else [t(f"tree.kind.{unit.kind}", lang)]
        ax.text(-0.1, row + 0.5, f"{shorten(unit.name, MAX_LABEL)} ({' '.join(tags)})", ha="right", va="center",
                fontsize=12, color=INK)
        for col, line in enumerate(space.lines):
            cells[space.status(unit.id, line.id) or "unmarked"].append((col, row))
        ax.text(n_lines + 0.15, row + 0.5, str(space.counts(unit_id=unit.id).gaps), ha="left", va="center",
                fontsize=12, color=INK)
    for status, where in cells.items():
        style = CELL_STYLE[status]
        boxes = [Rectangle((col + 0.04, row + 0.06), 0.92, 0.88) for col, row in where]
        ax.add_collection(PatchCollection(boxes, facecolor=style["facecolor"], edgecolor=style["edgecolor"],
                                          hatch=style["hatch"], linewidth=1.4, linestyle=style["linestyle"]))
        if style["marker"] and where:
            ax.plot([c + 0.5 for c, _ in where], [r + 0.5 for _, r in where], linestyle="", **MARK_STYLE[status])
    for col, line in enumerate(space.lines):
        ax.text(col + 0.5, -0.15, shorten(line.name, 20), ha="left", va="bottom", rotation=30, fontsize=12,
                color=INK, rotation_mode="anchor")
        ax.text(col + 0.5, n_units + 0.45, str(space.counts(line_id=line.id).gaps), ha="center", va="center",
                fontsize=12, color=INK)
    ax.text(n_lines + 0.15, -0.15, t("retention.chart.whitespace.gaps", lang), ha="left", va="bottom",
            rotation=30, fontsize=12, color=INK, rotation_mode="anchor")
    ax.text(-0.1, n_units + 0.45, t("retention.chart.whitespace.gaps", lang), ha="right", va="center",
            fontsize=12, color=INK)
    total = space.counts()
    handles = [(Patch(facecolor=CELL_STYLE[s]["facecolor"], edgecolor=CELL_STYLE[s]["edgecolor"],
                      hatch=CELL_STYLE[s]["hatch"], linestyle=CELL_STYLE[s]["linestyle"]),
                Line2D([], [], linestyle="", **MARK_STYLE[s])) if s in MARK_STYLE else
               Patch(facecolor="white", edgecolor=MUTED, linestyle=":") for s in CELL_STYLE]
    labels = [t(f"retention.cell.legend.{s}", lang, count=getattr(total, s)) for s in CELL_STYLE]
    fig.legend(handles=handles, labels=labels, loc="outside lower center", ncols=4, fontsize=11,
               handler_map={tuple: HandlerTuple(ndivide=1)})
    left_title(fig, t("retention.chart.whitespace.title", lang, gaps=total.gaps, total=total.total))
    return fig


# ---- the assessment over time ----------------------------------------------------------------------------


def assessment_trend_chart(assessments: Sequence[Assessment], lang: Lang, crises: Sequence[Crisis] = ()) -> Figure:
    """Top: the score (0–8) at each assessment, re-runs after a crisis drawn as diamonds and crises as dashed
    lines. Bottom: each question's answer per assessment (filled: yes, hollow: no)."""
    lang = check_lang(lang)
    points = trend(assessments)
    fig = new_figure(12.0, 7.5)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.1, 1.4])
    dates = [p.taken_on for p in points]
    top.plot(dates, [p.score for p in points], color=PALETTE[0], marker=MARKER_REGULAR, linewidth=2.5,
             drawstyle="default")
    for p in points:
        if p.crisis_id is not None:
            top.plot([p.taken_on], [p.score], marker=MARKER_RERUN, color=PALETTE[3], markersize=12, linestyle="")
        change = "" if p.change is None or p.change == 0 else f" ({p.change:+d})"
        top.annotate(f"{p.score}{change}", (p.taken_on, p.score), xytext=(0, 9), textcoords="offset points",
                     ha="center", fontsize=12, color=INK)
    dated = sorted((c for c in crises if c.happened_on is not None), key=lambda c: c.happened_on)  # type: ignore[arg-type,return-value]
    days: list[dt.date] = dates + [c.happened_on for c in dated if c.happened_on is not None] or [dt.date.today()]
    near = max((max(days) - min(days)).days * 0.25, 20)  # titles closer than this (days) go on the next row
    rows: list[dt.date] = []  # the date of the last title on each row
    for crisis in dated:
        day = crisis.happened_on
        top.axvline(day, color=PALETTE[3], linestyle="--", linewidth=1.4)
        row = next((i for i, last in enumerate(rows) if (day - last).days >= near), len(rows))  # type: ignore[operator]
        rows[row:row + 1] = [day]  # type: ignore[list-item]
        top.text(day, MAX_SCORE + 0.6 + 0.75 * row, " " + shorten(crisis.title, 28), rotation=0, fontsize=10,
                 color=INK, va="bottom", ha="left")
    top.set_ylim(-0.5, MAX_SCORE + 1.6 + 0.75 * max(len(rows) - 1, 0))
    top.set_yticks(range(0, MAX_SCORE + 1, 2))
    top.set_ylabel(t("retention.chart.trend.y_axis", lang))
    top.grid(True, axis="y")
    handles = [Line2D([], [], color=PALETTE[0], marker=MARKER_REGULAR, label=t("retention.chart.trend.score", lang))]
    if any(p.crisis_id for p in points):
        handles.append(Line2D([], [], color=PALETTE[3], marker=MARKER_RERUN, linestyle="",
                              label=t("retention.chart.trend.rerun", lang)))
    if any(c.happened_on for c in crises):
        handles.append(Line2D([], [], color=PALETTE[3], linestyle="--", label=t("retention.chart.trend.crisis", lang)))
    top.legend(handles=handles, loc="lower left", fontsize=11, ncols=len(handles))

    answered = [(p.taken_on, q, a.answers[q]) for p, a in zip(points, _by_id(assessments, points), strict=True)
                for q in range(len(QUESTIONS))]
    for yes in (True, False):
        marks = [(day, q) for day, q, answer in answered if answer is yes]
        bottom.plot([d for d, _ in marks], [q for _, q in marks], marker="o", markersize=10, linestyle="",
                    color=PALETTE[2] if yes else "white", markeredgecolor=PALETTE[2] if yes else MUTED,
                    markeredgewidth=1.6)
    bottom.set_yticks(range(len(QUESTIONS)),
                      [t("retention.numbered", lang, n=i + 1, text=t(f"retention.question_short.{q}", lang))
                       for i, q in enumerate(QUESTIONS)])
    bottom.set_ylim(len(QUESTIONS) - 0.5, -0.5)
    bottom.legend(handles=[
        Line2D([], [], marker="o", linestyle="", color=PALETTE[2], markeredgecolor=PALETTE[2],
               label=t("retention.answer.yes", lang)),
        Line2D([], [], marker="o", linestyle="", color="white", markeredgecolor=MUTED,
               label=t("retention.answer.no", lang)),
    ], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=11)
    pad = dt.timedelta(days=max(15, (max(days) - min(days)).days // 10))
    bottom.set_xlim(min(days) - pad, max(days) + pad)
    for crisis in crises:
        if crisis.happened_on is not None:
            bottom.axvline(crisis.happened_on, color=PALETTE[3], linestyle="--", linewidth=1.4)
    locator = AutoDateLocator(minticks=3, maxticks=8)
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))  # ISO dates read the same in both languages
    left_title(fig, t("retention.chart.trend.title", lang))
    return fig


def _by_id(assessments: Sequence[Assessment], points: Sequence[object]) -> list[Assessment]:
    by_id = {a.id: a for a in assessments}
    return [by_id[p.assessment_id] for p in points]  # type: ignore[attr-defined]


# ---- the stage ladder --------------------------------------------------------------------------------------


def stage_chart(choice: StageChoice, assessment: Assessment | None, lang: Lang) -> Figure:
    """The five stages as a staircase: where we are (solid, "now"), where we aim (hatched, "target" and
    date), and the stages the latest score is plausible with (a bracket below, our heuristic)."""
    lang = check_lang(lang)
    fig = new_figure(12.0, 5.0)
    ax = fig.add_subplot()
    ax.set_axis_off()
    n = len(STAGES)
    ax.set_xlim(-0.1, n + 0.1)
    ax.set_ylim(-1.6, n + 1.3)
    for i, stage in enumerate(STAGES):
        current, target = stage == choice.current, stage == choice.target
        face = PALETTE[0] if current else ("#FBE3C2" if target else TRACK)
        ax.add_patch(Rectangle((i + 0.05, 0), 0.9, i + 1, facecolor=face, edgecolor=PALETTE[1] if target else INK,
                               hatch="//" if target and not current else "", linewidth=2.5 if target else 1.0))
        ax.text(i + 0.5, i + 1.12, _wrap(t(f"retention.stage.{stage}", lang)), ha="center", va="bottom", fontsize=12,
                color=INK)
        tags = []
        if current:
            tags.append(t("retention.chart.stage.now", lang))
        if target:
            when = choice.target_on.isoformat() if choice.target_on else ""
            tags.append(t("retention.chart.stage.target", lang, date=when).strip())
        if tags:
            ax.text(i + 0.5, 0.45, "\n".join(tags), ha="center", va="bottom", fontsize=12,
                    color="white" if current else INK,
                    bbox=None if current else {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"})
    if assessment is not None:
        points = score(assessment)
        fits = [STAGES.index(s) for s in plausible_stages(points)]
        lo, hi = min(fits), max(fits)
        ax.plot([lo + 0.1, lo + 0.1, hi + 0.9, hi + 0.9], [-0.25, -0.45, -0.45, -0.25], color=INK, linewidth=1.6,
                linestyle="--", marker="")
        ax.text((lo + hi + 1) / 2, -0.6, t("retention.chart.stage.fits", lang, score=points, max=MAX_SCORE),
                ha="center", va="top", fontsize=12, color=INK)
    else:
        ax.text(n / 2, -0.6, t("retention.chart.stage.no_score", lang), ha="center", va="top", fontsize=12,
                color=MUTED)
    left_title(fig, t("retention.chart.stage.title", lang))
    fig.supxlabel(t("retention.chart.stage.rule", lang, bands=_bands(lang)), x=0.01, ha="left", fontsize=10,
                  color=MUTED)
    return fig


def _bands(lang: Lang) -> str:
    return t("i18n.separator", lang).join(
        t("retention.chart.stage.band", lang, stage=t(f"retention.stage.{s}", lang), low=lo, high=hi)
        for s, (lo, hi) in STAGE_BANDS.items())


def _wrap(text: str, width: int = 12) -> str:
    """Break a long Latin label at a space near ``width`` characters (Chinese labels are short)."""
    if len(text) <= width or " " not in text:
        return text
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])
