"""Chapter 2.4 charts: the relationship panorama and the attitude × power matrix.

Never by colour alone: attitude is a fill *and* the symbol in the node's code line; role is the
box (A square thick, D rounded thick, E square dashed, U rounded dotted, unknown sawtooth);
reporting lines are solid grey elbows, influence lines dashed curved arrows; the decision layer is
a shaded hull, the inner circle a dashed outline, each with a tag. Everything drawn comes from
``kamlib.people`` (positions, edges, codes, matrix cells).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerPatch
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from kamlib.charts.style import INK, MUTED, PALETTE, TRACK, empty_figure, left_title, new_figure
from kamlib.charts.tree import balanced_wrap, wrap_text
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.workbook import KeyPerson
from kamlib.people import (
    ATTITUDES,
    CONTACTS,
    ROLES,
    attitude_power_matrix,
    in_decision_layer,
    influence_edges,
    panorama_layout,
    people_by_id,
    reporting_edges,
    short_code,
    unplaced,
)

# ColorBrewer RdBu (colour-blind safe, diverging): blue = for us, red = against us.
ATTITUDE_FILL: dict[str | None, str] = {
    "*": "#4393C3", "+": "#92C5DE", "=": "#F7F7F7", "-": "#F4A582", "/": "#D6604D", None: "white",
}
ROLE_BOX: dict[str | None, dict[str, Any]] = {
    "A": {"boxstyle": "square,pad=0.4", "linewidth": 2.8, "linestyle": "-", "edgecolor": INK},
    "D": {"boxstyle": "round,pad=0.4,rounding_size=0.8", "linewidth": 2.8, "linestyle": "-", "edgecolor": INK},
    "E": {"boxstyle": "square,pad=0.4", "linewidth": 1.4, "linestyle": (0, (4, 2)), "edgecolor": INK},
    "U": {"boxstyle": "round,pad=0.4,rounding_size=0.8", "linewidth": 1.4, "linestyle": (0, (1, 1.5)),
          "edgecolor": INK},
    None: {"boxstyle": "sawtooth,pad=0.4", "linewidth": 0.8, "linestyle": "-", "edgecolor": MUTED},
}
LEGEND_BOX = {"A": "square,pad=0", "D": "round,pad=0,rounding_size=3", "E": "square,pad=0",
              "U": "round,pad=0,rounding_size=3", None: "sawtooth,pad=0,tooth_size=2"}
REPORTING_COLOUR = MUTED
INFLUENCE_COLOUR = PALETTE[2]  # bluish green
LAYER_FILL = "#F0E442"  # yellow, shaded hull with hatch
CIRCLE_EDGE = PALETTE[5]  # reddish purple, dashed outline
KEY_MARK = "\u25b2"  # a triangle before the code of a key department's person

MAX_FONT = 10.0
MIN_FONT = 5.0
SLOT_EMS = 9.0  # a leaf slot is this many font sizes wide
TEXT_EMS = 7.5  # a label line at most this many font sizes wide
LINE_SPACING = 1.15
NAME_LINES = 3  # a name or title is cut (…) only beyond this many lines: a vice-president's long title reads whole
TITLE_LINES = 4
TAG_GAP_IN = 0.04  # inches between a group's tag and the edges near it
CIRCLE_GROW_IN = 0.06  # how far the inner circle's outline stands round the decision layer's hull
HULL_PAD_IN = 0.06  # a hull's margin round its boxes


def _node_label(p: KeyPerson) -> str:
    lines = balanced_wrap(p.name, TEXT_EMS, NAME_LINES)
    if p.title and p.title != p.name:
        lines += balanced_wrap(p.title, TEXT_EMS, TITLE_LINES)
    code = short_code(p)
    lines.append(f"{KEY_MARK} {code}" if p.key_department else code)
    return "\n".join(lines)


def _box_handler(role: str | None) -> HandlerPatch:
    def make(legend: Any, orig_handle: Any, xdescent: float, ydescent: float, width: float, height: float,
             fontsize: float) -> FancyBboxPatch:
        return FancyBboxPatch((-xdescent, -ydescent), width, height, boxstyle=LEGEND_BOX[role])

    return HandlerPatch(patch_func=make)


def _blank() -> Patch:
    return Patch(facecolor="none", edgecolor="none")


def _item(lang: Lang, code: str, name: str) -> str:
    return t("people.chart.item", lang, code=code, name=name)


def _panorama_legend(fig: Figure, lang: Lang) -> None:
    """One legend below the chart, three groups of two columns: attitude, role, lines and groups."""
    handles: list[Any] = []
    labels: list[str] = []
    handler_map: dict[Any, Any] = {}

    def group(title: str, items: list[tuple[Any, str]]) -> None:
        entries = [(_blank(), title), *items]
        entries += [(_blank(), "")] * (8 - len(entries))
        for handle, text in entries:
            handles.append(handle)
            labels.append(text)

    group(t("people.chart.legend_attitude", lang), [
        *((Patch(facecolor=ATTITUDE_FILL[a], edgecolor=INK, linewidth=0.8),
           _item(lang, a, t(f"people.attitude.{a}", lang))) for a in ATTITUDES),
        (Patch(facecolor="white", edgecolor=INK, linewidth=0.8), _item(lang, "?", t("people.chart.attitude_unknown",
                                                                                      lang))),
    ])
    role_items: list[tuple[Any, str]] = []
    for role in (*ROLES, None):
        style = ROLE_BOX[role]
        patch = Patch(facecolor="white", edgecolor=style["edgecolor"], linewidth=style["linewidth"],
                      linestyle=style["linestyle"])
        handler_map[patch] = _box_handler(role)
        text = t(f"people.role.{role}", lang) if role else t("people.chart.role_unknown", lang)
        role_items.append((patch, _item(lang, role or "?", text)))
    group(t("people.chart.legend_role", lang), role_items)
    group(t("people.chart.legend_lines", lang), [
        (Line2D([], [], color=REPORTING_COLOUR, linewidth=1.3), t("people.chart.reporting", lang)),
        (Line2D([], [], color=INFLUENCE_COLOUR, linewidth=1.6, linestyle=(0, (4, 2)), marker=">", markevery=[1],
                markersize=7), t("people.chart.influence", lang)),
        (Patch(facecolor=LAYER_FILL, alpha=0.5, hatch="..", edgecolor="none"), t("people.chart.decision_layer", lang)),
        (Patch(facecolor="none", edgecolor=CIRCLE_EDGE, linewidth=2.0, linestyle=(0, (4, 2))),
         t("people.chart.inner_circle", lang)),
        (_blank(), t("people.chart.key_department", lang)),
    ])
    fig.legend(handles, labels, handler_map=handler_map, loc="lower center", bbox_to_anchor=(0.5, 0.02),
               ncols=6, fontsize=9.5, columnspacing=1.6, handlelength=2.2)


def _runs(members: list[tuple[float, int, float]]) -> list[tuple[float, float, int, float]]:
    """Members (x, level, half height) on one level side by side (one slot apart) merged into hulls
    (x0, x1, level, the tallest member's half height)."""
    out: list[tuple[float, float, int, float]] = []
    for x, level, half in sorted(members, key=lambda m: (m[1], m[0])):
        if out and out[-1][2] == level and x - out[-1][1] <= 1.01:
            out[-1] = (out[-1][0], x, level, max(out[-1][3], half))
        else:
            out.append((x, x, level, half))
    return out


def panorama_chart(people: Sequence[KeyPerson], lang: Lang) -> Figure:
    """The relationship panorama: reporting tree top-down, codes in the nodes, influence arrows, groups.

    Bad reporting data do not stop the chart (see ``kamlib.people.panorama_layout``); the figure
    grows with the organisation up to 30 inches wide, then the font shrinks.
    """
    lang = check_lang(lang)
    by_id = people_by_id(people)
    if not by_id:
        return empty_figure(t("people.chart.empty", lang), t("people.chart.panorama_title", lang), width=7)
    pos = panorama_layout(people)
    labels = {pid: _node_label(p) for pid, p in by_id.items()}
    xs = [x for x, _ in pos.values()]
    slots = max(xs) - min(xs) + 1
    levels = max(level for _, level in pos.values())
    max_lines = max(label.count("\n") + 1 for label in labels.values())
    width = min(max(slots * SLOT_EMS * MAX_FONT / 72 + 1.0, 12.5), 30.0)  # 12.5: room for the legend
    font = max(min(MAX_FONT, (width - 1.0) * 72 / slots / SLOT_EMS), MIN_FONT)
    box_pts = (max_lines * LINE_SPACING + 1.0) * font  # the tallest box
    layer = {pid for pid, p in by_id.items() if in_decision_layer(p)}
    circle = {pid for pid, p in by_id.items() if p.inner_circle}
    # a group's tag needs its own line: above the boxes inside the hull, and under the inner circle's outline
    tag_font = max(font * 0.8, MIN_FONT)
    tag_in = tag_font * 1.35 / 72 + 2 * TAG_GAP_IN
    extra_in = (tag_in if layer or circle else 0.0) + (tag_in + CIRCLE_GROW_IN if circle else 0.0)
    row_in = max(box_pts / 72 + 0.75 + extra_in, 1.2)
    legend_in, title_in = 1.9, 0.6
    height = levels * row_in + legend_in + title_in
    # placed by hand, not by the layout engine: its extra pass over every label is a third of the
    # drawing time of a big organisation, and the title, tree and legend bands are known in advance
    fig = new_figure(width, height, layout=None)
    left_title(fig, t("people.chart.panorama_title", lang), y=1 - 0.12 / height, va="top")
    ax = fig.add_axes((0.005, legend_in / height, 0.99, 1 - (legend_in + title_in) / height))
    ax.set_axis_off()
    ax.set_xlim(min(xs) - 0.55, max(xs) + 0.55)
    ax.set_ylim(levels + 0.7, 0.4)
    level_in = levels * row_in / (levels + 0.3)  # one level of the y axis, in inches

    # groups: hulls behind the nodes. A hull has a band above its boxes that holds its tag, so the tag
    # touches neither a box nor an edge; the inner circle's outline goes round that band too and its tag
    # stands under the outline, outside it
    band = tag_in / level_in
    for flag, ids in (("decision_layer", layer), ("inner_circle", circle)):
        grow = 0.0 if flag == "decision_layer" else CIRCLE_GROW_IN / level_in
        members = [(*pos[pid], _half_height(labels[pid], font) / 72 / level_in + HULL_PAD_IN / level_in)
                   for pid in ids]
        for x0, x1, level, half in _runs(members):
            left, top = x0 - 0.47 - grow, level - half - band - grow  # y grows downwards
            height = 2 * half + band + 2 * grow
            kwargs: dict[str, Any] = (
                {"facecolor": LAYER_FILL, "alpha": 0.5, "hatch": "..", "edgecolor": "none", "zorder": 0.5}
                if flag == "decision_layer" else
                {"facecolor": "none", "edgecolor": CIRCLE_EDGE, "linewidth": 2.0, "linestyle": (0, (4, 2)),
                 "zorder": 0.6}
            )
            ax.add_patch(FancyBboxPatch((left, top), x1 - x0 + 0.94 + 2 * grow, height, gid=f"hull-{flag}",
                                        boxstyle="round,pad=0,rounding_size=0.12", mutation_aspect=1, **kwargs))
            tag_y = top + band / 2 if flag == "decision_layer" else top + height + band / 2  # in the band; under
            ax.text(left + 0.1, tag_y, t(f"people.chart.{flag}", lang), fontsize=tag_font, ha="left", va="center",
                    color=INK, zorder=5, gid=f"tag-{flag}",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})

    # reporting lines: elbows boss → reports
    segments: list[list[tuple[float, float]]] = []
    kids: dict[str, list[str]] = {}
    for boss, report in reporting_edges(people, pos):
        kids.setdefault(boss, []).append(report)
    for boss, reports in kids.items():
        bx, bl = pos[boss]
        mid = bl + 0.5
        kx = [pos[r][0] for r in reports]
        segments.append([(bx, bl), (bx, mid)])
        segments.append([(min([*kx, bx]), mid), (max([*kx, bx]), mid)])
        segments.extend([(x, mid), (x, mid + 0.5)] for x in kx)
    ax.add_collection(LineCollection(segments, colors=REPORTING_COLOUR, linewidths=1.3, zorder=1))

    # nodes
    boxes = {}
    for pid, p in by_id.items():
        x, level = pos[pid]
        bbox = {**ROLE_BOX[p.role], "facecolor": ATTITUDE_FILL[p.attitude]}
        text = ax.text(x, level, labels[pid], ha="center", va="center", ma="center", fontsize=font, color=INK,
                       linespacing=LINE_SPACING, bbox=bbox, zorder=3, gid=f"node-{pid}")
        boxes[pid] = text.get_bbox_patch()

    # influence lines: dashed curved arrows, clipped at the boxes
    for a, b in influence_edges(people):
        (xa, la), (xb, lb) = pos[a], pos[b]
        # arc3 bends to the right of the direction of travel for rad > 0 (in display space): bend
        # same-level lines upwards, into the gap between the rows, not below the bottom row
        rad = (-0.35 if xb > xa else 0.35) if la == lb else 0.25
        # shrinking by the boxes' half height (in points) is much cheaper than clipping at the boxes
        ax.add_patch(FancyArrowPatch(
            (xa, la), (xb, lb), connectionstyle=f"arc3,rad={rad}",
            arrowstyle="-|>,head_length=0.6,head_width=0.3", mutation_scale=max(font * 1.4, 9),
            color=INFLUENCE_COLOUR, linewidth=1.6, linestyle=(0, (4, 2)), zorder=4,
            shrinkA=_half_height(labels[a], font), shrinkB=_half_height(labels[b], font),
        ))
    _panorama_legend(fig, lang)
    return fig


def _half_height(label: str, font: float) -> float:
    """Half the height of a node's box in points (its lines of text plus the box's padding)."""
    return (label.count("\n") + 1) * font * LINE_SPACING / 2 + font * 0.6


# ---- the matrix ---------------------------------------------------------------------------------

X_ORDER = ("/", "-", "=", "+", "*")
Y_ORDER = ("U", "E", "D", "A")  # bottom to top
CONTACT_SIZE: dict[str | None, float] = {"0": 45.0, "1": 90.0, "N": 150.0, "F": 220.0, None: 90.0}
CONTACT_FILL: dict[str | None, str] = {"0": "white", "1": "#C6DBEF", "N": "#6BAED6", "F": "#08519C", None: "white"}
CONTACT_MARKER: dict[str | None, str] = {"0": "o", "1": "o", "N": "o", "F": "o", None: "$?$"}


def attitude_power_chart(people: Sequence[KeyPerson], lang: Lang) -> Figure:
    """Attitude (x: / - = + *) × role (y: U E D A, decision-makers on top); marker size and fill: contact."""
    lang = check_lang(lang)
    by_id = people_by_id(people)
    if not by_id:
        return empty_figure(t("people.chart.empty", lang), t("people.chart.matrix_title", lang), width=7)
    cells = attitude_power_matrix(people)
    fullest = max(len(ids) for ids in cells.values())
    cols = 1 if fullest <= 4 else 2
    rows = max(math.ceil(fullest / cols), 1)
    width, height = 13.0, 8.5
    cell_pts = (height - 3.2) / 4 * 72
    font = max(min(10.0, cell_pts / rows * 0.55), MIN_FONT)
    fig = new_figure(width, height)
    left_title(fig, t("people.chart.matrix_title", lang))
    ax = fig.add_subplot()
    ax.set_xlim(-0.5, 4.5)
    ax.set_ylim(-0.5, 3.5)
    ax.axhspan(1.5, 3.5, facecolor=TRACK, edgecolor="none", zorder=0)
    for v in (0.5, 1.5, 2.5, 3.5):
        ax.axvline(v, color="#CCCCCC", linewidth=0.8, zorder=0.5)
        ax.axhline(v - 1, color="#CCCCCC", linewidth=0.8 if v != 2.5 else 1.8, zorder=0.5)
    ax.set_xticks(range(5), [f"{a}\n{t(f'people.attitude.{a}', lang)}" for a in X_ORDER])
    ax.set_yticks(range(4), [f"{r}\n{t(f'people.role.{r}', lang)}" for r in Y_ORDER])
    ax.tick_params(length=0)
    ax.set_xlabel(t("people.chart.x_label", lang))
    ax.set_ylabel(t("people.chart.y_label", lang))
    right = ax.secondary_yaxis("right")
    right.set_yticks([0.5, 2.5], [t("people.group.influencers", lang), t("people.group.decision_makers", lang)],
                     rotation=90, va="center")
    right.tick_params(length=0)
    right.spines["right"].set_visible(False)

    col_w = 1.0 / cols
    name_ems = col_w * (width - 2.5) / 5 * 72 / font - 2.5
    for (role, attitude), ids in cells.items():
        cx, cy = X_ORDER.index(attitude), Y_ORDER.index(role)
        for n, pid in enumerate(ids):
            col, row = divmod(n, rows)
            x = cx - 0.44 + col * col_w
            y = cy + 0.5 - (row + 0.5) / rows if rows > 1 else cy
            p = by_id[pid]
            ax.scatter([x + 0.04], [y], s=CONTACT_SIZE[p.contact] * (0.5 if rows > 4 else 1.0),
                       c=CONTACT_FILL[p.contact], marker=CONTACT_MARKER[p.contact], edgecolors=INK,
                       linewidths=1.0, zorder=3)
            name = wrap_text(p.name, max(name_ems, 3.0), 1)[0]
            ax.text(x + 0.1, y, name, fontsize=font, ha="left", va="center", color=INK, zorder=4)
    missing = [by_id[pid].name for pid in unplaced(people)]
    if missing:
        note = t("people.chart.unplaced", lang, names=", ".join(missing))
        ax.set_title("\n".join(wrap_text(note, (width - 3) * 72 / 10, 2)), fontsize=10, color=MUTED, loc="left")
    handles = [
        Line2D([], [], linestyle="none", marker=CONTACT_MARKER[c], markersize=math.sqrt(CONTACT_SIZE[c]),
               markerfacecolor=CONTACT_FILL[c], markeredgecolor=INK)
        for c in (*CONTACTS, None)
    ]
    names = [_item(lang, c, t(f"people.contact.{c}", lang)) for c in CONTACTS]
    names.append(_item(lang, "?", t("people.chart.contact_unknown", lang)))
    fig.legend(handles, names, loc="outside lower center", ncols=5, title=t("people.chart.contact_title", lang),
               fontsize=10)
    return fig
