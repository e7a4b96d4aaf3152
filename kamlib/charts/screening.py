"""Chapter 1's charts: the RADP grid, BP × SoW of every account, and the screening pyramid.

Every threshold comes from the ``RadpSettings`` passed in (the deck's values when None); every
status, level and box from ``kamlib.screening``. Picks are shown by border, marker and label,
never by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.text import Text as TextArtist
from matplotlib.ticker import FixedLocator, FuncFormatter, MultipleLocator, NullFormatter
from matplotlib.transforms import Bbox, blended_transform_factory

from kamlib.charts.style import INK, MUTED, PALETTE, TRACK, left_title, new_figure, shorten
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.workbook import Account, KeyAccountPick, PickKind
from kamlib.screening import BOXES, LEVELS, STATUSES, classify, radp_level
from kamlib.settings import RadpSettings

if TYPE_CHECKING:
    from matplotlib.typing import ColorType, LineStyleType

# The deck's pyramid (COURSE.md 1.5): national figures, not settings.
DECK_LISTED = 50_000
DECK_LEVEL3 = 5_000
DECK_PICKS = 1_500

MAX_NAME_LABELS = 15
MAX_NAME_CHARS = 12
SEQUENTIAL_MAP = "Blues"  # single hue, light to dark: readable in grey and with any colour vision
SHADE_RANGE = (0.12, 0.85)  # the part of the map used, so the lightest cell is still tinted
POINT_COLOR = PALETTE[0]
PLAIN_AREA = 70.0  # scatter marker areas, points squared
PICK_AREA = {False: 160.0, True: 340.0}  # a star needs more area to look as large
PLAIN_RADIUS = math.sqrt(PLAIN_AREA) / 2


@dataclass(frozen=True)
class PickStyle:
    """How one kind of pick is drawn: border of its grid cell, marker, colour, catalog key."""

    color: str
    marker: str
    linestyle: LineStyleType
    label_key: str


PICK_STYLES: dict[PickKind | None, PickStyle] = {
    "top": PickStyle(PALETTE[1], "*", "-", "charts.screening.top"),  # orange star, solid border
    "strategic": PickStyle(PALETTE[3], "D", "--", "charts.screening.strategic"),  # vermillion diamond, dashed
    None: PickStyle(PALETTE[5], "P", ":", "charts.screening.unclassified"),  # purple plus, dotted
}
PICK_ORDER: tuple[PickKind | None, ...] = ("top", "strategic", None)


# ---- shared helpers ----------------------------------------------------------------------------


def pick_kinds(accounts: Sequence[Account], picks: Sequence[KeyAccountPick]) -> dict[str, PickKind | None]:
    """Account id → kind of its pick, for picks of accounts on the list (the first pick of an account wins)."""
    ids = {a.id for a in accounts}
    out: dict[str, PickKind | None] = {}
    for pick in picks:
        if pick.account_id in ids and pick.account_id not in out:
            out[pick.account_id] = pick.kind
    return out


def with_figures(accounts: Sequence[Account]) -> tuple[list[Account], int]:
    """The accounts that have both BP and SoW this year, and how many do not."""
    kept = [a for a in accounts if a.bp_wan is not None and a.sow_pct is not None]
    return kept, len(accounts) - len(kept)


def fmt_number(value: float) -> str:
    """``1100`` → ``1,100``; ``12.5`` → ``12.5``: whole numbers without decimals, thousands separated."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def level_labels(radp: RadpSettings, lang: Lang) -> list[str]:
    """LEVEL0–LEVEL3 with the BP range of each under the settings in force."""
    bounds = {
        "bp1": fmt_number(radp.bp_level1_wan),
        "bp2": fmt_number(radp.bp_level2_wan),
        "bp3": fmt_number(radp.bp_level3_wan),
    }
    return [t(f"charts.screening.level.level{level}", lang, **bounds) for level in LEVELS]


def status_labels(radp: RadpSettings, lang: Lang) -> list[str]:
    """R, D, A, P: the status name, then its SoW range under the settings in force."""
    bounds = {"r": fmt_number(radp.sow_retainable_pct), "d": fmt_number(radp.sow_developable_pct)}
    return [
        f"{t(f'screening.status.{s}', lang)}\n{t(f'charts.screening.sow.{s}', lang, **bounds)}" for s in STATUSES
    ]


def text_color_on(face: ColorType) -> str:
    """INK or white, whichever contrasts more with the face colour (WCAG relative luminance)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(face))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    ink = linear(int(INK[1:3], 16) / 255)  # INK is a grey: its luminance is one channel's
    return "white" if 1.05 / (lum + 0.05) > (lum + 0.05) / (ink + 0.05) else INK


def _pick_handle(kind: PickKind | None, with_border: bool) -> tuple[Patch, Line2D] | Line2D:
    style = PICK_STYLES[kind]
    marker = Line2D(
        [], [], linestyle="none", marker=style.marker, markersize=15, markerfacecolor=style.color,
        markeredgecolor=INK, markeredgewidth=1.0,
    )
    if not with_border:
        return marker
    border = Patch(facecolor="none", edgecolor=style.color, linewidth=3.0, linestyle=style.linestyle)
    return border, marker


def _marker_radius(kind: PickKind | None) -> float:
    return math.sqrt(PICK_AREA[PICK_STYLES[kind].marker == "*"]) / 2


# ---- 1. the RADP grid --------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    """One box of the 4×4 grid: its accounts, their total BP, and the picks among them."""

    box: str
    count: int
    bp_wan: float
    picks: dict[PickKind | None, int]


def grid_cells(
    accounts: Sequence[Account], picks: Sequence[KeyAccountPick], radp: RadpSettings | None = None
) -> dict[str, GridCell]:
    """Every box R0…P3 (accounts with both figures only), keyed by box code, in ``BOXES`` order."""
    kept, _ = with_figures(accounts)
    kinds = pick_kinds(kept, picks)
    # every account kept has both figures (``with_figures``): the filters below drop none, they tell the types so
    sow = [a.sow_pct for a in kept if a.sow_pct is not None]
    bp = [a.bp_wan for a in kept if a.bp_wan is not None]
    table = classify(sow, bp, radp)
    table["bp_wan"] = bp
    totals = table.groupby("box", observed=False)["bp_wan"].agg(["size", "sum"])
    picked: dict[str, dict[PickKind | None, int]] = {box: {} for box in BOXES}
    for a, box in zip(kept, table["box"], strict=True):
        if a.id in kinds:
            picked[box][kinds[a.id]] = picked[box].get(kinds[a.id], 0) + 1
    return {
        # pandas-stubs type a cell read with ``.loc`` as any scalar (None too); here it is a count and a sum
        box: GridCell(box, int(totals.loc[box, "size"]), float(totals.loc[box, "sum"]), picked[box])  # type: ignore[arg-type]
        for box in BOXES
    }


def radp_grid(
    accounts: list[Account],
    picks: list[KeyAccountPick],
    lang: Lang,
    radp: RadpSettings | None = None,
    width: float = 12.0,
    height: float = 8.0,
) -> Figure:
    """The 4×4 RADP grid: rows R, D, A, P; columns LEVEL0–3; count and total BP per box; picks marked."""
    lang = check_lang(lang)
    radp = radp or RadpSettings()
    cells = grid_cells(accounts, picks, radp)
    _, left_out = with_figures(accounts)
    shown = sum(c.count for c in cells.values())

    fig = new_figure(width, height)
    ax = fig.add_subplot()
    cmap: Colormap = colormaps[SEQUENTIAL_MAP]
    norm = Normalize(0, max(1, max(c.count for c in cells.values())))
    gap = 0.03
    kinds_present: list[PickKind | None] = []

    for row, status in enumerate(STATUSES):
        for col, level in enumerate(LEVELS):
            cell = cells[f"{status}{level}"]
            face: ColorType
            if cell.count:
                shade = SHADE_RANGE[0] + (SHADE_RANGE[1] - SHADE_RANGE[0]) * norm(cell.count)
                face = cmap(shade)
            else:
                face = "white"
            ink = text_color_on(face)
            ax.add_patch(
                Rectangle(
                    (col + gap, row + gap), 1 - 2 * gap, 1 - 2 * gap,
                    facecolor=face, edgecolor=MUTED if not cell.count else "none", linewidth=0.8, zorder=1,
                    gid=f"cell-{cell.box}",
                )
            )
            ax.text(col + 0.08, row + 0.1, cell.box, ha="left", va="top", fontsize=12, color=ink, zorder=3)
            if cell.count:
                ax.text(col + 0.5, row + 0.47, t("charts.screening.grid.count", lang, count=cell.count), ha="center",
                        va="center", fontsize=18, color=ink, zorder=3, gid=f"count-{cell.box}")
                ax.text(col + 0.5, row + 0.74, t("charts.screening.grid.bp", lang, bp=fmt_number(cell.bp_wan)),
                        ha="center", va="center", fontsize=13, color=ink, zorder=3, gid=f"bp-{cell.box}")
            else:
                ax.text(col + 0.5, row + 0.5, "0", ha="center", va="center", fontsize=16, color=MUTED, zorder=3,
                        gid=f"count-{cell.box}")

            # Picks: a border per kind (solid, dashed, dotted; nested), a marker and the number of picks.
            x_marker = col + 0.92
            for depth, kind in enumerate(k for k in PICK_ORDER if cell.picks.get(k)):
                style = PICK_STYLES[kind]
                if kind not in kinds_present:
                    kinds_present.append(kind)
                inset = gap + 0.015 + depth * 0.045
                ax.add_patch(
                    Rectangle(
                        (col + inset, row + inset), 1 - 2 * inset, 1 - 2 * inset, facecolor="none",
                        edgecolor=style.color, linewidth=4.0, linestyle=style.linestyle, zorder=2,
                        gid=f"border-{kind}-{cell.box}",
                    )
                )
                ax.text(
                    x_marker, row + 0.16, t("charts.screening.grid.pick_count", lang, count=cell.picks[kind]),
                    ha="right", va="center", fontsize=13, color=ink, zorder=4, gid=f"pick-{kind}-{cell.box}",
                )
                ax.plot(
                    x_marker - 0.14, row + 0.16, linestyle="none", marker=style.marker, markersize=16,
                    markerfacecolor=style.color, markeredgecolor=INK, markeredgewidth=1.0, zorder=4,
                    gid=f"marker-{kind}-{cell.box}",
                )
                x_marker -= 0.22

    ax.set_xlim(0, 4)
    ax.set_ylim(4, 0)  # R on top
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xticks([c + 0.5 for c in range(4)], level_labels(radp, lang))
    ax.set_yticks([r + 0.5 for r in range(4)], status_labels(radp, lang))
    ax.tick_params(length=0, pad=8)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(t("charts.screening.grid.xlabel", lang), labelpad=10)
    ax.set_ylabel(t("charts.screening.grid.ylabel", lang), labelpad=10)
    left_title(fig, t("charts.screening.grid.title", lang, count=shown))

    notes = [t("charts.screening.grid.shading", lang)]
    if left_out:
        notes.append(t("charts.screening.left_out", lang, count=left_out))
    _legend_and_notes(fig, ax, [k for k in PICK_ORDER if k in kinds_present], notes, lang, with_border=True)
    return fig


def _legend_and_notes(
    fig: Figure, ax: Axes, kinds: list[PickKind | None], notes: list[str], lang: Lang, with_border: bool,
    extra: list[tuple[Artist | tuple[Artist, ...], str]] | None = None, above: bool = False,
) -> TextArtist | None:
    """The legend of the picks (and ``extra`` entries) just below (or above) the axes; footnotes at the bottom."""
    handles: list[Artist | tuple[Artist, ...]] = [h for h, _ in extra or []]
    labels = [label for _, label in extra or []]
    for kind in kinds:
        handles.append(_pick_handle(kind, with_border))
        labels.append(t(PICK_STYLES[kind].label_key, lang))
    if handles:
        # An Axes legend: constrained layout keeps it clear of the title and the footnotes.
        ax.legend(
            handles, labels, loc="lower left" if above else "upper left",
            bbox_to_anchor=(0, 1.01) if above else (0, -0.01), ncols=len(handles) if len(handles) <= 3 else 2,
            borderaxespad=0,
            handler_map={tuple: HandlerTuple(ndivide=1, pad=0)}, handlelength=2.6, handleheight=1.4,
        )
    if not notes:
        return None
    return fig.supxlabel("\n".join(notes), x=0.01, ha="left", fontsize=12, color=MUTED)


# ---- 2. BP × SoW -------------------------------------------------------------------------------


def _label_order(kept: list[Account], kinds: dict[str, PickKind | None]) -> list[Account]:
    """The accounts whose names are written: picks (Top, Strategic, other) first, then the largest BP."""
    rank = {kind: i for i, kind in enumerate(PICK_ORDER)}
    picked = sorted((a for a in kept if a.id in kinds), key=lambda a: (rank[kinds[a.id]], -(a.bp_wan or 0)))
    others = sorted((a for a in kept if a.id not in kinds), key=lambda a: -(a.bp_wan or 0))
    return (picked + others)[:MAX_NAME_LABELS]


def _overlap(a: Bbox, others: list[Bbox]) -> float:
    total = 0.0
    for b in others:
        w = min(a.x1, b.x1) - max(a.x0, b.x0)
        h = min(a.y1, b.y1) - max(a.y0, b.y0)
        if w > 0 and h > 0:
            total += w * h
    return total


# Directions of a name from its point, with the alignment that keeps the text off the point; tried near
# the point first, then farther out with a leader line.
_DIRECTIONS: tuple[tuple[float, float, str, str], ...] = (
    (1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"), (0, -1, "center", "top"),
    (0.75, 0.75, "left", "bottom"), (-0.75, 0.75, "right", "bottom"), (0.75, -0.75, "left", "top"),
    (-0.75, -0.75, "right", "top"),
)
_DISTANCES = (1.0, 2.6)


@dataclass(frozen=True)
class NamedPoint:
    """A point to write a name beside: data position, marker radius (points), frame colour, whether required."""

    x: float
    y: float
    name: str
    radius: float
    frame: str
    required: bool
    gid: str | None = None


def _place_names(fig: Figure, ax: Axes, points: list[NamedPoint], obstacles: list[TextArtist]) -> list[TextArtist]:
    """Write names beside their points, each where it overlaps least with names, points and line labels.

    A name not required is left out unless it fits without any overlap.
    """
    fig.draw_without_rendering()  # settle the layout, so display positions are final
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # an Agg canvas (new_figure); typed as the base
    px = fig.dpi / 72  # pixels per point
    area = ax.get_window_extent(renderer)
    centres = ax.transData.transform([(p.x, p.y) for p in points]) if points else np.empty((0, 2))
    markers = [
        Bbox.from_extents(cx - p.radius * px, cy - p.radius * px, cx + p.radius * px, cy + p.radius * px)
        for (cx, cy), p in zip(centres, points, strict=True)
    ]
    fixed = [o.get_window_extent(renderer) for o in obstacles]
    names: list[Bbox] = []
    placed: list[TextArtist] = []
    pad = 3 * px  # a name's frame and a little air
    for i, p in enumerate(points):
        others = fixed + names + markers[:i] + markers[i + 1 :]
        best: tuple[float, TextArtist, Bbox] | None = None
        for far in _DISTANCES:
            for ux, uy, ha, va in _DIRECTIONS:
                gap = (p.radius + 4) * far
                label = ax.annotate(
                    p.name, (p.x, p.y), xytext=(ux * gap, uy * gap), textcoords="offset points", ha=ha, va=va,
                    fontsize=12, color=INK, zorder=6, annotation_clip=False,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": p.frame, "linewidth": 1.5,
                          "alpha": 0.9},
                    arrowprops={"arrowstyle": "-", "color": MUTED, "linewidth": 0.8, "shrinkA": 0, "shrinkB": 4}
                    if far > 1 else None,
                )
                label.set_in_layout(False)
                label.set_gid(p.gid)
                box = label.get_window_extent(renderer)
                box = Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
                outside = box.x0 < area.x0 or box.x1 > area.x1 or box.y0 < area.y0 or box.y1 > area.y1
                cost = _overlap(box, others) + (1e9 if outside else 0)
                if best is None or cost < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (cost, label, box)
                else:
                    label.remove()
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is None:
            continue
        if best[0] > 0 and not p.required:
            best[1].remove()
            continue
        names.append(best[2])
        placed.append(best[1])
    return placed


def bp_sow_scatter(
    accounts: list[Account],
    picks: list[KeyAccountPick],
    lang: Lang,
    radp: RadpSettings | None = None,
    width: float = 12.0,
    height: float = 8.0,
) -> Figure:
    """Every account by BP (log) and SoW, with the RADP thresholds in force; picks marked and named."""
    lang = check_lang(lang)
    radp = radp or RadpSettings()
    kept, left_out = with_figures(accounts)
    kinds = pick_kinds(kept, picks)

    bp = np.array([a.bp_wan for a in kept], dtype=float)
    sow = np.array([a.sow_pct for a in kept], dtype=float)
    bounds = (radp.bp_level1_wan, radp.bp_level2_wan, radp.bp_level3_wan)
    positive = bp[bp > 0]
    low = min([*positive.tolist(), bounds[0] / 2])  # every threshold line in view, with some room
    high = max([*positive.tolist(), bounds[2] * 2])
    zeros = int((bp == 0).sum())
    floor = low / 2.2 if zeros else None  # where BP = 0 is drawn, left of the smallest BP
    x = np.where(bp > 0, bp, floor or 1.0)

    fig = new_figure(width, height)
    ax = fig.add_subplot()
    ax.set_xscale("log")
    left = (floor or low) / 1.4
    ax.set_xlim(left, high * 1.8)
    ax.set_ylim(-4, 104)

    # Thresholds of the settings in force: dashed, each named where it is.
    obstacles: list[TextArtist] = []
    top_of_axes = blended_transform_factory(ax.transData, ax.transAxes)
    for level, bound in zip((1, 2, 3), bounds, strict=True):
        ax.axvline(bound, color=MUTED, linestyle="--", linewidth=1.4, zorder=1, gid=f"level-line-{level}")
        obstacles.append(ax.text(
            bound * 1.02, 0.985, t("charts.screening.scatter.level_line", lang, level=level, bp=fmt_number(bound)),
            transform=top_of_axes, rotation=90, ha="left", va="top", fontsize=12, color=MUTED, zorder=2,
        ))
    left_of_axes = blended_transform_factory(ax.transAxes, ax.transData)
    for status, pct in (("R", radp.sow_retainable_pct), ("D", radp.sow_developable_pct)):
        ax.axhline(pct, color=MUTED, linestyle="--", linewidth=1.4, zorder=1, gid=f"sow-line-{status}")
        obstacles.append(ax.text(
            0.995, pct + 0.8, t("charts.screening.scatter.sow_line", lang, status=status, pct=fmt_number(pct)),
            transform=left_of_axes, ha="right", va="bottom", fontsize=12, color=MUTED, zorder=2,
        ))
    ax.axhline(0, color=MUTED, linestyle=":", linewidth=1.2, zorder=1)
    obstacles.append(ax.text(
        0.995, 0.8, t("charts.screening.scatter.p_line", lang), transform=left_of_axes, ha="right", va="bottom",
        fontsize=12, color=MUTED, zorder=2,
    ))

    # Points: every account, then the picks over them with their own shapes.
    plain = np.array([a.id not in kinds for a in kept], dtype=bool)
    handles: list[tuple[Artist | tuple[Artist, ...], str]] = []
    if len(kept):
        ax.scatter(x[plain], sow[plain], s=PLAIN_AREA, marker="o", facecolor=POINT_COLOR, edgecolor="white",
                   linewidth=0.8, alpha=0.85, zorder=3, gid="points-plain")
        handles.append((
            Line2D([], [], linestyle="none", marker="o", markersize=10, markerfacecolor=POINT_COLOR,
                   markeredgecolor="white"),
            t("charts.screening.scatter.accounts", lang),
        ))
    kinds_present = [k for k in PICK_ORDER if k in kinds.values()]
    for kind in kinds_present:
        style = PICK_STYLES[kind]
        mask = np.array([kinds.get(a.id, "-") == kind for a in kept], dtype=bool)
        ax.scatter(x[mask], sow[mask], s=PICK_AREA[style.marker == "*"], marker=style.marker,
                   facecolor=style.color, edgecolor=INK, linewidth=1.0, zorder=5, gid=f"points-{kind}")

    if floor is not None:
        ax.axvspan(left, math.sqrt(floor * low), facecolor=TRACK, edgecolor="none", zorder=0)
    decades = range(math.floor(math.log10(left)), math.ceil(math.log10(high * 1.8)) + 1)
    steps = [m * 10.0**k for k in decades for m in (1, 2, 5)]
    ticks = [v for v in steps if left <= v <= high * 1.8 and (floor is None or v > floor * 1.8)]
    if floor is not None:
        ticks = [floor, *ticks]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    zero_label = t("charts.screening.scatter.zero_tick", lang)
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _: zero_label if floor is not None and v == floor else fmt_number(v))
    )
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_locator(MultipleLocator(10))
    ax.grid(axis="both", which="major", zorder=0)
    ax.set_xlabel(t("charts.screening.scatter.xlabel", lang))
    ax.set_ylabel(t("charts.screening.scatter.ylabel", lang))
    left_title(fig, t("charts.screening.scatter.title", lang, count=len(kept)))

    named = _label_order(kept, kinds)
    # The footnote on the names is written first (it takes room), corrected once the names are placed.
    may_leave_out = len(kept) > len(named) or any(a.id not in kinds for a in named)
    notes = [t("charts.screening.scatter.labels_note", lang, shown=len(named), count=len(kept))] * may_leave_out
    if zeros:
        notes.append(t("charts.screening.scatter.zero_note", lang, count=zeros))
    if left_out:
        notes.append(t("charts.screening.left_out", lang, count=left_out))
    footnote = _legend_and_notes(fig, ax, kinds_present, notes, lang, with_border=False, extra=handles, above=True)

    positions = {a.id: (float(xi), float(si)) for a, xi, si in zip(kept, x, sow, strict=True)}
    points = [
        NamedPoint(
            *positions[a.id], shorten(a.name, MAX_NAME_CHARS),
            radius=_marker_radius(kinds[a.id]) if a.id in kinds else PLAIN_RADIUS,
            frame=PICK_STYLES[kinds[a.id]].color if a.id in kinds else "none", required=a.id in kinds,
            gid=f"name-{a.id}",
        )
        for a in named
    ]
    shown = len(_place_names(fig, ax, points, obstacles))
    if may_leave_out and footnote is not None:
        # Fewer lines only make the axes taller, which moves points apart: the names stay clear.
        notes = notes[1:] if shown == len(kept) else [
            t("charts.screening.scatter.labels_note", lang, shown=shown, count=len(kept)), *notes[1:]
        ]
        footnote.set_text("\n".join(notes))
        footnote.set_visible(bool(notes))
        footnote.set_in_layout(bool(notes))
    return fig


# ---- 3. the screening pyramid ------------------------------------------------------------------


@dataclass(frozen=True)
class MyPyramid:
    """The trainee's own numbers beside the deck's pyramid."""

    listed: int
    level3: int
    without_bp: int
    top: int
    strategic: int
    unclassified: int

    @property
    def picks(self) -> int:
        """Top + Strategic picks (picks not yet classified are not counted)."""
        return self.top + self.strategic


def my_pyramid(
    accounts: Sequence[Account], picks: Sequence[KeyAccountPick], radp: RadpSettings | None = None
) -> MyPyramid:
    """How many accounts are on the list, at LEVEL3 this year (settings in force), and picked."""
    with_bp = [a.bp_wan for a in accounts if a.bp_wan is not None]
    kinds = list(pick_kinds(accounts, picks).values())
    return MyPyramid(
        listed=len(accounts),
        level3=sum(radp_level(bp, radp) == 3 for bp in with_bp),
        without_bp=len(accounts) - len(with_bp),
        top=kinds.count("top"),
        strategic=kinds.count("strategic"),
        unclassified=kinds.count(None),
    )


def screening_pyramid(
    accounts: list[Account],
    picks: list[KeyAccountPick],
    lang: Lang,
    radp: RadpSettings | None = None,
    width: float = 11.5,
    height: float = 7.0,
) -> Figure:
    """The deck's pyramid (50,000 → 5,000 LEVEL3 → 1,500 Top + Strategic) and the trainee's numbers beside it."""
    lang = check_lang(lang)
    radp = radp or RadpSettings()
    mine = my_pyramid(accounts, picks, radp)

    fig = new_figure(width, height)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, 9.2)
    ax.set_ylim(-0.05, 3.45)

    cmap = colormaps[SEQUENTIAL_MAP]
    centre, base, apex, gap = 2.6, 2.6, 0.95, 0.06  # half-widths at the bottom and the top
    levels = (
        ("charts.screening.pyramid.listed", DECK_LISTED, "charts.screening.pyramid.my_listed", mine.listed, None),
        (
            "charts.screening.pyramid.level3", DECK_LEVEL3, "charts.screening.pyramid.my_level3", mine.level3,
            {"bp3": fmt_number(radp.bp_level3_wan)},
        ),
        ("charts.screening.pyramid.picks", DECK_PICKS, "charts.screening.pyramid.my_picks", mine.picks, None),
    )
    hatches = ("", "//", "xx")
    for i, (deck_key, deck_n, my_key, my_n, params) in enumerate(levels):
        y0, y1 = i + gap / 2, i + 1 - gap / 2
        w0 = base - (base - apex) * y0 / 3
        w1 = base - (base - apex) * y1 / 3
        face = cmap(0.25 + 0.3 * i)
        ink = text_color_on(face)
        ax.add_patch(Polygon(
            [(centre - w0, y0), (centre + w0, y0), (centre + w1, y1), (centre - w1, y1)],
            closed=True, facecolor=face, edgecolor=INK, linewidth=1.0, hatch=hatches[i],
            hatchcolor=(*to_rgb(ink), 0.25), zorder=1,
        ))
        box = {"boxstyle": "round,pad=0.3", "facecolor": face, "edgecolor": "none"}
        ax.text(centre, (y0 + y1) / 2 + 0.14, fmt_number(deck_n), ha="center", va="center", fontsize=22,
                color=ink, bbox=box, zorder=2)
        ax.text(centre, (y0 + y1) / 2 - 0.2, t(deck_key, lang), ha="center", va="center", fontsize=14,
                color=ink, bbox=box, zorder=2)

        # The trainee's number, level with the band, joined to it by a dotted line.
        y_mid = (y0 + y1) / 2
        right_edge = centre + (w0 + w1) / 2
        ax.plot([right_edge + 0.1, 5.95], [y_mid, y_mid], linestyle=":", marker="", color=MUTED, linewidth=1.5,
                zorder=1)
        ax.text(6.1, y_mid + 0.14, fmt_number(my_n), ha="left", va="center", fontsize=22, color=INK)
        ax.text(6.1, y_mid - 0.2, t(my_key, lang, **(params or {})), ha="left", va="center", fontsize=14,
                color=INK)
        if i == 2:
            split = t("charts.screening.pyramid.my_picks_split", lang, top=mine.top, strategic=mine.strategic)
            ax.text(6.1, y_mid - 0.5, split, ha="left", va="center", fontsize=13, color=MUTED)

    ax.text(centre, 3.25, t("charts.screening.pyramid.deck_caption", lang), ha="center", va="center",
            fontsize=15, color=MUTED)
    ax.text(6.1, 3.25, t("charts.screening.pyramid.mine_caption", lang), ha="left", va="center", fontsize=15,
            color=MUTED)
    left_title(fig, t("charts.screening.pyramid.title", lang))

    notes = []
    if mine.without_bp:
        notes.append(t("charts.screening.pyramid.no_bp", lang, count=mine.without_bp))
    if mine.unclassified:
        notes.append(t("charts.screening.pyramid.unclassified", lang, count=mine.unclassified))
    if notes:
        fig.supxlabel("\n".join(notes), x=0.01, ha="left", fontsize=12, color=MUTED)
    return fig
