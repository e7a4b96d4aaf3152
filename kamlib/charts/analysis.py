"""Chapter 2's chart: how much of the information pyramid the trainee knows, and readiness for the first visit.

Depths and readiness come from ``kamlib.analysis``. Each level's known share is a hatched fill
with its percentage written in; readiness is written out (yes / no, n missing) and its box is
solid when ready, dashed when not, so nothing is told by colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon, Rectangle

from kamlib.analysis import PYRAMID_LEVELS, depth_by_level, ready_for_first_visit
from kamlib.charts.style import INK, MUTED, PALETTE, TRACK, left_title, new_figure
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.workbook import InformationItem

BASE_WIDTH = 8.0  # the pyramid's base, data units
APEX_HEIGHT = 4.6  # where the sides would meet; above the top level, so the top is a narrow band
GAP = 0.08
FILL_COLOR = PALETTE[0]
FILL_HATCH = "//"
READY_STYLE = {True: (PALETTE[2], "-"), False: (PALETTE[3], "--")}  # colour, border line style


def _half_width(y: float) -> float:
    return BASE_WIDTH / 2 * (1 - y / APEX_HEIGHT)


def percent(depth: float) -> int:
    """A depth 0-1 as a whole percentage."""
    return round(depth * 100)


def readiness_chart(items: Iterable[InformationItem], lang: Lang) -> Figure:
    """The pyramid (public at the base, exclusive on top) filled by depth, and the first-visit marker."""
    lang = check_lang(lang)
    items = list(items)
    depth = depth_by_level(items)
    readiness = ready_for_first_visit(items)

    fig = new_figure(11.0, 6.0)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(-0.2, 16.0)
    ax.set_ylim(-1.3, 5.0)
    centre = BASE_WIDTH / 2

    for i, level in enumerate(PYRAMID_LEVELS):
        y0, y1 = i + GAP / 2, i + 1 - GAP / 2
        corners = [
            (centre - _half_width(y0), y0), (centre + _half_width(y0), y0),
            (centre + _half_width(y1), y1), (centre - _half_width(y1), y1),
        ]
        public = level == "public"
        outline = Polygon(corners, closed=True, facecolor=TRACK, edgecolor=INK,
                          linewidth=3.0 if public else 1.2, zorder=1)
        ax.add_patch(outline)
        left = centre - _half_width(y0)
        fill = Rectangle((left, y0), 2 * _half_width(y0) * depth[level], y1 - y0, facecolor=FILL_COLOR,
                         edgecolor="white", hatch=FILL_HATCH, linewidth=0, zorder=2)
        ax.add_patch(fill)
        fill.set_clip_path(outline)
        ax.add_patch(Polygon(corners, closed=True, facecolor="none", edgecolor=INK,
                             linewidth=3.0 if public else 1.2, zorder=2.5))
        y_mid = (y0 + y1) / 2
        ax.text(centre, y_mid, f"{percent(depth[level])}%", ha="center", va="center", fontsize=15, color=INK,
                zorder=3, bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": MUTED})
        ax.plot([centre + _half_width(y_mid) + 0.1, 8.5], [y_mid, y_mid], linestyle=":", marker="",
                color=MUTED, linewidth=1.2, zorder=1)
        ax.text(8.6, y_mid + 0.15, t(f"analysis.level.{level}", lang), ha="left", va="center", fontsize=14,
                color=INK)
        note = "analysis.chart.before_visit" if public else "analysis.chart.during_visits"
        ax.text(8.6, y_mid - 0.2, t(note, lang), ha="left", va="center", fontsize=11, color=MUTED)

    ax.text(0.0, -0.55, t("analysis.chart.us", lang, level=t("analysis.level.us", lang), percent=percent(
        depth["us"])), ha="left", va="center", fontsize=13, color=INK)

    color, style = READY_STYLE[readiness.ready]
    ax.text(8.6, 4.55, readiness.summary().render(lang), ha="left", va="center", fontsize=15, color=INK,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": color, "linewidth": 2.5,
                  "linestyle": style})

    handles = [
        Patch(facecolor=FILL_COLOR, edgecolor="white", hatch=FILL_HATCH, label=t("analysis.chart.legend_known",
                                                                                 lang)),
    ]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, -0.02), fontsize=12)
    left_title(fig, t("analysis.chart.title", lang))
    fig.supxlabel(t("analysis.readiness.rule", lang), x=0.01, ha="left", fontsize=12, color=MUTED)
    return fig
