"""Special topic 1's charts: each bidder's total by part, and our margin over two parts of the rule.

Scores, margins and the rules marked come from ``kamlib.bidding``. Parts are told apart by colour and
hatch; on the heat map a losing cell is hatched and a thick line runs between winning and losing
cells, and every cell of a small grid shows its margin as a number, so win or lose never rests on colour.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.text import Text

from kamlib.bidding import PARTS, BestRule, MarginGrid, Scoresheet, part_label, rule_codes
from kamlib.charts.style import HATCHES, INK, MUTED, PALETTE, TRACK, left_title, new_figure, shorten, strong_weight
from kamlib.i18n import Lang, check_lang, t

PART_COLORS = dict(zip(PARTS, PALETTE[:4], strict=True))
PART_HATCHES = dict(zip(PARTS, HATCHES[:4], strict=True))
LOSE_HATCH = "//"
WIN_COLOR, LOSE_COLOR = PALETTE[0], PALETTE[3]  # blue: we win; vermillion: we lose
MARGIN_MAP = LinearSegmentedColormap.from_list("kam_margin", [LOSE_COLOR, "#FFFFFF", WIN_COLOR])
WIDTH = 10.0
TICK_SIZE = 13.0
MAX_NAME_CHARS = 28
MAX_LABELLED_CELLS = 15  # per axis: above this the cells are too small for their numbers
NUMBER_FONT = "DejaVu Sans"  # digits only: the small font lays out faster than the CJK one
US_MARK = "★"
HEAT_BOX = (0.1, 0.31, 0.86, 0.62)  # the heat map's axes in the figure (left, bottom, width, height)
NUMBER_SIZE = 9.0
DIGIT_EM = 0.64  # the width of a digit (and about that of + - .) in the number font, in ems
PLATE_PAD = 1.5  # points of plate round a cell's number
STAR_SIZE = 13.0  # the best rule's star on the heat map, in points
STAR_ROOM = STAR_SIZE * 0.85  # how far the best cell's number moves right for it


def scores_chart(sheet: Scoresheet, lang: Lang) -> Figure:
    """Horizontal stacked bars, one per valid bidder in rank order (first on top), with total and rank."""
    lang = check_lang(lang)
    valid = [r for r in sheet.rows if r.valid]
    invalid = [r for r in sheet.rows if not r.valid]
    names = [shorten(f"{US_MARK} {r.name}" if r.us else r.name, MAX_NAME_CHARS) for r in valid]
    height = 2.3 + 0.62 * max(len(valid), 1)
    fig = new_figure(WIDTH, height, layout=None)  # placed here, not by the layout engine: re-drawn on every save
    left = (max((_text_width(n, TICK_SIZE) for n in names), default=0.5) + 0.35) / WIDTH
    ax = fig.add_axes((left, 1.05 / height, 0.97 - left, 1 - 2.0 / height))
    ys = np.arange(len(valid))[::-1]
    for part in PARTS:
        starts = np.array([sum(r.points[p] for p in PARTS[:PARTS.index(part)]) for r in valid])
        widths = np.array([r.points[part] for r in valid])
        ax.barh(ys, widths, left=starts, height=0.62, color=PART_COLORS[part], hatch=PART_HATCHES[part],
                edgecolor="white", linewidth=0.8, label=part_label(part, lang))
    for y, r in zip(ys, valid, strict=True):
        ax.text((r.total or 0) + 1.0, y, t("bidding.chart.total", lang, total=f"{r.total:.2f}", rank=r.rank),
                va="center", ha="left", fontsize=12, color=INK)
    ax.set_yticks(ys, names, fontsize=TICK_SIZE)
    for tick, r in zip(ax.get_yticklabels(), valid, strict=True):
        if r.us:
            tick.set_fontweight(strong_weight())  # "us" also carries its mark in the label
    ax.set_xlim(0, 112)
    ax.set_ylim(-0.7, max(len(valid), 1) - 0.3)
    ax.set_xlabel(t("bidding.chart.points", lang))
    ax.xaxis.grid(True)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4, fontsize=11, handlelength=1.6,
              columnspacing=1.0, borderaxespad=0.2)
    left_title(fig, t("bidding.chart.scores_title", lang, rule=rule_codes(sheet.rule)), y=0.995, va="top", fontsize=15)
    if not valid:
        ax.text(50, 0, t("bidding.chart.no_valid", lang), ha="center", va="center", color=MUTED)
    if invalid:
        skipped = t("i18n.separator", lang).join(
            t(f"bidding.reason_short.{r.reason}", lang, bidder=r.name) for r in invalid)
        fig.text(0.01, 0.01, t("bidding.chart.not_scored", lang, bidders=skipped), ha="left", va="bottom",
                 fontsize=11, color=MUTED)
    return fig


def margin_heatmap(grid: MarginGrid, lang: Lang, overall: BestRule | None = None) -> Figure:
    """Our margin (our total − the closest rival's) for every rule of the view; current and best rule marked."""
    lang = check_lang(lang)
    nx, ny = len(grid.xs), len(grid.ys)
    labelled = nx <= MAX_LABELLED_CELLS and ny <= MAX_LABELLED_CELLS
    fig = new_figure(9.6, 7.2, layout=None)  # placed here, not by the layout engine: re-drawn on every save
    ax = fig.add_axes(HEAT_BOX if labelled else (*HEAT_BOX[:2], 0.72, HEAT_BOX[3]))
    extent = (grid.xs[0] - 0.5, grid.xs[-1] + 0.5, grid.ys[0] - 0.5, grid.ys[-1] + 0.5)
    ax.set_facecolor(TRACK)  # not-allowed cells are masked: the grey ground shows through
    margins = np.ma.masked_invalid(grid.margins)
    span = float(np.nanmax(np.abs(grid.margins))) if grid.allowed.any() and margins.count() else 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-max(span, 1e-6), vmax=max(span, 1e-6))
    image = ax.imshow(margins, cmap=MARGIN_MAP, norm=norm, extent=extent, origin="lower", aspect="auto",
                      interpolation="nearest")
    lose = grid.allowed & ~grid.wins
    cells = [Rectangle((grid.xs[c] - 0.5, grid.ys[r] - 0.5), 1, 1) for r, c in zip(*np.nonzero(lose), strict=True)]
    ax.add_collection(PatchCollection(cells, facecolor="none", edgecolor=MUTED, hatch=LOSE_HATCH, linewidth=0,
                                      zorder=1.5))
    _win_boundary(ax, grid)
    best_cell = (grid.best[0], grid.best[1]) if grid.best is not None else None
    numbers: dict[tuple[int, int], Text] = {}
    if labelled:
        # each number on a plate of its cell's colour, so a losing cell's hatch runs round the number, not
        # through it (one collection of plates: far quicker to draw than a box per text); the best rule's
        # number moves right to make room for its star
        per_pt = (nx / (fig.get_figwidth() * HEAT_BOX[2] * 72), ny / (fig.get_figheight() * HEAT_BOX[3] * 72))
        plates, plate_colours = [], []
        for r, c in zip(*np.nonzero(grid.allowed), strict=True):
            value = grid.margins[r, c]
            dark = abs(norm(value) - 0.5) > 0.35
            cell = (grid.xs[c], grid.ys[r])
            shift = STAR_ROOM / 2 if cell == best_cell else 0.0
            label = margin_label(value)
            style: dict[str, Any] = {"ha": "center", "va": "center", "fontsize": NUMBER_SIZE, "family": NUMBER_FONT,
                                     "color": "white" if dark else INK, "zorder": 3, "gid": "margin-number"}
            numbers[cell] = (ax.annotate(label, cell, xytext=(shift, 0), textcoords="offset points", **style)
                             if shift else ax.text(*cell, label, **style))
            half_w = (len(label) * DIGIT_EM * NUMBER_SIZE / 2 + PLATE_PAD) * per_pt[0]
            half_h = (NUMBER_SIZE * 0.6 + PLATE_PAD) * per_pt[1]
            plates.append(Rectangle((cell[0] + shift * per_pt[0] - half_w, cell[1] - half_h), 2 * half_w, 2 * half_h))
            plate_colours.append(MARGIN_MAP(norm(value)))
        ax.add_collection(PatchCollection(plates, facecolors=plate_colours, edgecolors="none", linewidth=0,
                                          zorder=2, gid="number-plates"))
    handles = [
        Patch(facecolor=WIN_COLOR, edgecolor=INK, label=t("bidding.chart.win", lang)),
        Patch(facecolor=LOSE_COLOR, edgecolor=INK, hatch=LOSE_HATCH, label=t("bidding.chart.lose", lang)),
        Patch(facecolor=TRACK, edgecolor=MUTED, label=t("bidding.chart.not_allowed", lang)),
        Line2D([], [], color=INK, linewidth=3.0, label=t("bidding.chart.boundary", lang)),
    ]
    if grid.current is not None:  # a thick frame round the cell, so its number stays readable
        x, y = grid.current
        ax.add_patch(Rectangle((x - 0.47, y - 0.47), 0.94, 0.94, facecolor="none", edgecolor=INK, linewidth=3.0,
                               zorder=5))
        handles.append(Line2D([], [], marker="s", markersize=14, markerfacecolor="none", markeredgecolor=INK,
                              markeredgewidth=2.5, linestyle="none", label=t("bidding.chart.current", lang)))
    if grid.best is not None:  # a dashed frame, and a star just left of the cell's number (never on it)
        x, y = grid.best[0], grid.best[1]
        ax.add_patch(Rectangle((x - 0.4, y - 0.4), 0.8, 0.8, facecolor="none", edgecolor=INK, linewidth=2.0,
                               linestyle="--", zorder=5))
        number = numbers.get((x, y))
        star: dict[str, Any] = {
            "color": PALETTE[1], "fontsize": STAR_SIZE, "family": NUMBER_FONT, "ha": "right", "va": "center",
            "zorder": 6, "gid": "best-star", "textcoords": "offset points",
            "path_effects": [withStroke(linewidth=1.5, foreground=INK)]}
        if number is not None:
            ax.annotate(US_MARK, (0.0, 0.5), xycoords=number, xytext=(-1.0, 0.0), **star)
        else:  # no numbers in the cells: the star in the middle of its cell
            ax.plot(x, y, marker="*", markersize=15, markerfacecolor=PALETTE[1], markeredgecolor=INK,
                    markeredgewidth=1.2, linestyle="none", zorder=6, gid="best-star")
        handles.append(Line2D([], [], marker="*", markersize=15, markerfacecolor=PALETTE[1], markeredgecolor=INK,
                              linestyle="none", label=t("bidding.chart.best_view", lang,
                                                         margin=f"{grid.best[2]:+.2f}")))
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    step = 1 if nx <= MAX_LABELLED_CELLS else 5
    ax.set_xticks(grid.xs[::step])
    ax.set_yticks(grid.ys[:: 1 if ny <= MAX_LABELLED_CELLS else 5])
    ax.set_xlabel(t("bidding.chart.axis", lang, part=part_label(grid.x_part, lang)))
    ax.set_ylabel(t("bidding.chart.axis", lang, part=part_label(grid.y_part, lang)))
    if not labelled:  # a small grid labels every cell with its margin instead (and draws faster without)
        bar = fig.colorbar(image, cax=fig.add_axes((0.85, 0.36, 0.02, 0.52)))
        bar.set_label(t("bidding.chart.margin", lang))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(-0.02, -0.12), ncols=2, fontsize=11)
    left_title(fig, t("bidding.chart.heatmap_title", lang), y=0.99, va="top", fontsize=15)
    lines = [t("bidding.chart.held", lang, held=part_label(grid.held_part, lang), points=grid.held_points,
               absorb=part_label(grid.absorb_part, lang))]
    if overall is not None:
        lines.append(t("bidding.chart.best_overall", lang, rule=rule_codes(overall.rule),
                       margin=f"{overall.margin:+.2f}"))
    fig.text(0.01, 0.01, "\n".join(lines), ha="left", va="bottom", fontsize=11, color=MUTED)
    return fig


def margin_label(value: float) -> str:
    """A margin as a cell shows it: signed, two decimals (three when closer to 0), no "-0.00"."""
    if abs(value) < 0.0005:
        return "0.00"
    return f"{value:+.3f}" if abs(value) < 0.005 else f"{value:+.2f}"


def _text_width(text: str, size: float) -> float:
    """About how wide ``text`` is drawn at ``size`` points, in inches (CJK characters a full em, others ~0.6)."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.6 for ch in text) * size / 72


def _win_boundary(ax: object, grid: MarginGrid) -> None:
    """A thick line on every cell edge between a winning and an allowed losing cell (margin 0)."""
    wins, allowed = grid.wins, grid.allowed
    segments = []
    ny, nx = wins.shape
    for r in range(ny):
        for c in range(nx):
            if c + 1 < nx and allowed[r, c] and allowed[r, c + 1] and wins[r, c] != wins[r, c + 1]:
                x = grid.xs[c] + 0.5
                segments.append(((x, grid.ys[r] - 0.5), (x, grid.ys[r] + 0.5)))
            if r + 1 < ny and allowed[r, c] and allowed[r + 1, c] and wins[r, c] != wins[r + 1, c]:
                y = grid.ys[r] + 0.5
                segments.append(((grid.xs[c] - 0.5, y), (grid.xs[c] + 0.5, y)))
    ax.add_collection(LineCollection(segments, colors=INK, linewidths=3.0, zorder=4))  # type: ignore[attr-defined]
