"""The customer tree chart (chapter 1.2); the Share 1 card that shows it is drawn in ``kamlib.charts.card``.

Kinds are told apart by shape, border and a tag, not colour alone: a DMU is a square box with a
thick solid border and the tag "DMU"; a User a rounded box with a dashed border and the tag
"User"; a plain unit a thin square box without a tag. Positions come from
``kamlib.customer_tree.layout``, rolled-up BP from ``kamlib.customer_tree.dmu_bp``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend_handler import HandlerPatch
from matplotlib.patches import FancyBboxPatch, Patch
from matplotlib.textpath import TextToPath

from kamlib.charts.style import BASE_SIZE, INK, MUTED, PALETTE, TRACK, apply_style, empty_figure, left_title, new_figure
from kamlib.customer_tree import dmu_bp, format_wan, layout
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.workbook import TreeUnit

DMU_EDGE = PALETTE[0]  # blue
DMU_FILL = "#DCEBF7"
USER_EDGE = PALETTE[3]  # vermillion
USER_FILL = "#FBE6D9"
UNIT_EDGE = MUTED
UNIT_FILL = "white"

# Box style per kind: shape (square / rounded), border width and style, colours.
KIND_STYLE: dict[str, dict[str, Any]] = {
    "unit": {"boxstyle": "square,pad=0.45", "facecolor": UNIT_FILL, "edgecolor": UNIT_EDGE, "linewidth": 1.0,
             "linestyle": "-"},
    "dmu": {"boxstyle": "square,pad=0.45", "facecolor": DMU_FILL, "edgecolor": DMU_EDGE, "linewidth": 2.6,
            "linestyle": "-"},
    "user": {"boxstyle": "round,pad=0.45,rounding_size=0.9", "facecolor": USER_FILL, "edgecolor": USER_EDGE,
             "linewidth": 1.5, "linestyle": (0, (3.5, 2))},
}
LEGEND_BOXSTYLE = {"unit": "square,pad=0", "dmu": "square,pad=0", "user": "round,pad=0,rounding_size=3"}

MAX_FONT = 11.0
MIN_FONT = 5.5
SLOT_FONTS = 8.5  # a leaf slot is this many font sizes wide
TEXT_EM = 6.6  # the text of a box is at most this many font sizes wide (6 Chinese characters)
LINE_SPACING = 1.2
ROW_GAP_FONTS = 3.4  # a level row is the tallest box plus this many font sizes (padding and connectors)
MAX_NAME_LINES = 3


# ---- text -----------------------------------------------------------------------------------------

BREAK_AFTER = frozenset(",;:.!?)/-")  # besides spaces, a Latin word may break after these


@cache
def _em(char: str) -> float:
    """The advance of ``char`` in the chart font, in font sizes (ems)."""
    apply_style()
    width, _, _ = TextToPath().get_text_width_height_descent(char, FontProperties(size=100), ismath=False)
    return width / 100


def text_em(text: str) -> float:
    """The width of one line of text, in font sizes (kerning ignored)."""
    return sum(_em(c) for c in text)


def _is_wide(char: str) -> bool:
    """Chinese and other wide characters: a line may break before and after each of them."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(text: str) -> list[str]:
    """Break opportunities: Latin words (with a trailing space or break character), single wide characters."""
    out: list[str] = []
    word = ""
    for char in text:
        if _is_wide(char):
            if word:
                out.append(word)
                word = ""
            out.append(char)
        elif char == " " or char in BREAK_AFTER:
            out.append(word + char)
            word = ""
        else:
            word += char
    if word:
        out.append(word)
    return out


def _split_long(token: str, width: float) -> list[str]:
    """A word wider than a line, cut into pieces that fit."""
    pieces: list[str] = []
    while text_em(token) > width:
        cut, used = 0, 0.0
        while cut < len(token) and used + _em(token[cut]) <= width:
            used += _em(token[cut])
            cut += 1
        cut = max(cut, 1)
        pieces.append(token[:cut])
        token = token[cut:]
    return [*pieces, token]


def wrap_text(text: str, width_em: float, max_lines: int | None = None) -> list[str]:
    """Greedy line wrapping by measured width (Chinese breaks anywhere, Latin at spaces and punctuation).

    With ``max_lines``, the last line kept ends with an ellipsis when text was cut.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            for piece in _split_long(token, width_em):
                if line and text_em((line + piece).rstrip()) > width_em:
                    lines.append(line.rstrip())
                    line = piece.lstrip()
                else:
                    line += piece
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_em(last + "…") > width_em:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def balanced_wrap(text: str, width_em: float, max_lines: int) -> list[str]:
    """``wrap_text``, with lines of about equal width: as many lines as at ``width_em``, each as short as it can be
    without cutting a word (eight Chinese characters as four and four, not seven and one). Cut (…) beyond
    ``max_lines``."""
    lines = wrap_text(text, width_em)
    if len(lines) <= 1 or len(lines) > max_lines:
        return wrap_text(text, width_em, max_lines)
    longest_word = max((text_em(token.rstrip()) for token in _tokens(text)), default=0.0)
    low, high = max(longest_word, text_em(text) / len(lines)), width_em
    best = lines
    for _ in range(12):  # bisect the width: the narrowest that still needs no more lines
        if high - low < 0.05:
            break
        mid = (low + high) / 2
        trial = wrap_text(text, mid)
        if len(trial) <= len(lines):
            best, high = trial, mid
        else:
            low = mid
    return best


# ---- the tree -----------------------------------------------------------------------------------


def unit_labels(units: list[TreeUnit], lang: Lang, bp: dict[str, float]) -> dict[str, str]:
    """The text of every box: the tag (DMU / User), the name wrapped to 3 lines, a DMU's rolled-up BP."""
    out: dict[str, str] = {}
    for unit in units:
        lines = wrap_text(unit.name, TEXT_EM, MAX_NAME_LINES)
        if unit.kind in ("dmu", "user"):
            lines.insert(0, t(f"tree.tag.{unit.kind}", lang))
        if unit.kind == "dmu":
            value = bp.get(unit.id)
            lines.append(t("tree.bp", lang, bp=format_wan(value)) if value is not None else t("tree.bp_unknown", lang))
        out[unit.id] = "\n".join(lines)
    return out


@dataclass(frozen=True)
class TreeSize:
    """How the tree is drawn: leaf slots, levels, the tallest box in lines, and the font size."""

    slots: float
    levels: int
    lines: int
    font: float

    @property
    def row_fonts(self) -> float:
        """Height of a level row, in font sizes."""
        return self.lines * LINE_SPACING + ROW_GAP_FONTS


def tree_size(
    pos: dict[str, tuple[float, int]], labels: dict[str, str], width_in: float | None = None,
    height_in: float | None = None,
) -> TreeSize:
    """The largest font (≤ 11 pt) that fits the tree into the given axes size (None: no limit)."""
    xs = [x for x, _ in pos.values()] or [0.0]
    slots = max(xs) - min(xs) + 1
    depth = max((lv for _, lv in pos.values()), default=1)
    lines = max((label.count("\n") + 1 for label in labels.values()), default=1)
    size = TreeSize(slots, depth, lines, MAX_FONT)
    font = MAX_FONT
    if width_in is not None:
        font = min(font, width_in * 72 / slots / SLOT_FONTS)
    if height_in is not None:
        font = min(font, height_in * 72 / depth / size.row_fonts)
    return TreeSize(slots, depth, lines, max(font, MIN_FONT))


def draw_tree(
    ax: Axes, units: list[TreeUnit], lang: Lang, bp: dict[str, float] | None = None, size: TreeSize | None = None
) -> TreeSize:
    """Draw the tree into ``ax``: boxes, elbow connectors, one band and label per level (Lv1 on top)."""
    lang = check_lang(lang)
    pos = layout(units)
    labels = unit_labels(units, lang, dmu_bp(units) if bp is None else bp)
    size = size or tree_size(pos, labels)
    by_id = {u.id: u for u in units}

    xs = [x for x, _ in pos.values()] or [0.0]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(size.levels + 0.5, 0.5)
    for level in range(1, size.levels + 1, 2):
        ax.axhspan(level - 0.5, level + 0.5, color=TRACK, linewidth=0, zorder=0)
    ticks = range(1, size.levels + 1)
    ax.set_yticks(ticks, [t("tree.level", lang, level=lv) for lv in ticks])
    ax.tick_params(axis="y", length=0, pad=6, labelsize=max(size.font, 9.0), labelcolor=INK)
    ax.set_xticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)

    children: dict[str, list[str]] = {}
    for unit in units:
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit.id)
    line: dict[str, Any] = {"color": MUTED, "linewidth": 1.2, "marker": "", "zorder": 1, "solid_capstyle": "butt"}
    for parent, kids in children.items():
        px, plevel = pos[parent]
        mid = plevel + 0.5
        kid_xs = [pos[k][0] for k in kids]
        ax.plot([px, px], [plevel, mid], **line)
        ax.plot([min([*kid_xs, px]), max([*kid_xs, px])], [mid, mid], **line)
        for kx in kid_xs:
            ax.plot([kx, kx], [mid, mid + 0.5], **line)

    for unit_id, (x, level) in pos.items():
        ax.text(
            x, level, labels[unit_id], ha="center", va="center", ma="center", fontsize=size.font, color=INK,
            linespacing=LINE_SPACING, bbox=KIND_STYLE[by_id[unit_id].kind], zorder=3,
        )
    return size


def _legend_box(kind: str) -> HandlerPatch:
    def make(legend: Any, orig_handle: Any, xdescent: float, ydescent: float, width: float, height: float,
             fontsize: float) -> FancyBboxPatch:
        return FancyBboxPatch((-xdescent, -ydescent), width, height, boxstyle=LEGEND_BOXSTYLE[kind])

    return HandlerPatch(patch_func=make)


def legend_items(lang: Lang) -> tuple[list[Patch], list[str], dict[Patch, HandlerPatch]]:
    """Legend handles (the three box shapes as drawn), labels and handler map."""
    handles: list[Patch] = []
    labels: list[str] = []
    handlers: dict[Patch, HandlerPatch] = {}
    for kind in ("unit", "dmu", "user"):
        style = KIND_STYLE[kind]
        patch = Patch(
            facecolor=style["facecolor"], edgecolor=style["edgecolor"], linewidth=style["linewidth"],
            linestyle=style["linestyle"],
        )
        handles.append(patch)
        labels.append(t(f"tree.chart.legend_{kind}", lang))
        handlers[patch] = _legend_box(kind)
    return handles, labels, handlers


def customer_tree_chart(
    units: list[TreeUnit], lang: Lang, bp: dict[str, float] | None = None, *, title: bool = True
) -> Figure:
    """The customer tree top-down (Lv1 on top), several roots side by side; ``bp`` defaults to ``dmu_bp``.

    The figure grows with the tree (up to 30 inches wide, then the font shrinks); structural
    problems of the list raise ``InputError("tree.invalid")`` (see ``kamlib.customer_tree.layout``).
    """
    lang = check_lang(lang)
    if not units:
        return empty_figure(t("tree.chart.empty", lang), t("tree.chart.title", lang) if title else None, width=7,
                            height=2.2 if title else 1.6)
    pos = layout(units)
    labels = unit_labels(units, lang, dmu_bp(units) if bp is None else bp)
    probe = tree_size(pos, labels)
    width = min(max(probe.slots * SLOT_FONTS * MAX_FONT / 72 + 1.2, 7.0), 30.0)
    size = tree_size(pos, labels, width - 1.2)
    height = probe.levels * size.row_fonts * size.font / 72 + (1.9 if title else 1.3)
    fig = new_figure(width, height)
    ax = fig.add_subplot()
    draw_tree(ax, units, lang, bp, size)
    ax.set_title(t("tree.chart.bp_note", lang), fontsize=BASE_SIZE - 3, color=MUTED, loc="left", pad=6)
    if title:
        left_title(fig, t("tree.chart.title", lang))
    handles, legend_labels, handlers = legend_items(lang)
    fig.legend(handles, legend_labels, handler_map=handlers, loc="outside lower center", ncols=3,
               fontsize=BASE_SIZE - 2, handlelength=2.4, handleheight=1.1)
    return fig
