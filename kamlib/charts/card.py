"""Share 1 drawn (chapter 1.8): the card as a landscape A4 figure and PNG, and the card's HTML page with its
customer tree drawn in. The card's content and its HTML come from ``kamlib.share_card``, which draws nothing."""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

from kamlib.charts.render import to_png
from kamlib.charts.style import INK, MUTED, new_figure
from kamlib.charts.tree import (
    DMU_EDGE,
    USER_EDGE,
    customer_tree_chart,
    draw_tree,
    legend_items,
    tree_size,
    unit_labels,
    wrap_text,
)
from kamlib.customer_tree import dmu_bp, layout
from kamlib.i18n import Lang, t
from kamlib.model.workbook import AccountPlan, TreeUnit
from kamlib.share_card import CardContent, CardField, card_content, card_html

CARD_W, CARD_H = 11.69, 8.27  # landscape A4, inches
MARGIN = 0.45
GUTTER = 0.4
BODY = 10.5
LINE = 1.45  # line height in font sizes
NOTE_LINES = 5  # lines shown of each free-text field
PEOPLE_LINES = 8  # lines of the people list, the "and N more" line included
INDENT = "    "

STYLE: dict[str, dict[str, Any]] = {
    "label": {"fontsize": BODY, "color": DMU_EDGE},
    "body": {"fontsize": BODY, "color": INK},
    "empty": {"fontsize": BODY, "color": MUTED, "fontstyle": "italic"},
    "gap": {"fontsize": BODY * 0.5},
}
Lines = list[tuple[str, str]]  # (style, text)


def _block(label: str, lines: list[str], empty: str) -> Lines:
    out = [("label", label)]
    out += [("body", line) for line in lines] if lines else [("empty", empty)]
    return [*out, ("gap", "")]


def _field_lines(f: CardField, width_em: float, empty: str) -> Lines:
    return _block(f.label, wrap_text(f.text, width_em, NOTE_LINES) if f.text else [], empty)


def _people_lines(card: CardContent, width_em: float) -> Lines:
    """Whole persons only (two lines each at most, hanging indent); the rest counted."""
    lines: list[str] = []
    shown = 0
    for person in card.people:
        wrapped = wrap_text("• " + person, width_em, 2)
        wrapped[1:] = [INDENT + line for line in wrapped[1:]]
        if len(lines) + len(wrapped) > PEOPLE_LINES - 1:
            break
        lines += wrapped
        shown += 1
    hidden = card.people_hidden + len(card.people) - shown
    if hidden:
        lines.append(t("share.more_people", card.lang, count=hidden))
    if not lines:  # no key persons yet: where to enter them, in as many lines as it takes
        return [("label", card.people_label), *(("empty", line) for line in wrap_text(card.no_people, width_em, 3)),
                ("gap", "")]
    return _block(card.people_label, lines, card.not_filled)


def _column(fig: Figure, x_in: float, top_in: float, lines: Lines) -> float:
    """Draw lines from ``top_in`` (inches from the top) down; return the bottom, in inches from the top."""
    y = top_in
    for style, text in lines:
        props = STYLE[style]
        y += props["fontsize"] * LINE / 72
        if text:
            fig.text(x_in / CARD_W, 1 - y / CARD_H, text, va="baseline", ha="left", **props)
    return y


def share_card_figure(card: CardContent) -> Figure:
    """Share 1 as a landscape A4 figure: title, account and industry, four blocks, then the tree."""
    lang = card.lang
    fig = new_figure(CARD_W, CARD_H)
    fig.set_layout_engine("none")
    inner = CARD_W - 2 * MARGIN
    col_w = (inner - GUTTER) / 2
    width_em = col_w * 72 / BODY

    # header: the course's title, the account (or its code, or the notice that none is chosen), the industry
    y = MARGIN + 0.2
    fig.text(MARGIN / CARD_W, 1 - y / CARD_H, card.title, fontsize=12, color=DMU_EDGE, va="baseline")
    head = 20 if card.account_chosen else 13
    for line in wrap_text(card.account, inner * 72 / head, 2):
        y += head * 1.3 / 72
        fig.text(MARGIN / CARD_W, 1 - y / CARD_H, line, fontsize=head,
                 color=INK if card.account_chosen else USER_EDGE, va="baseline")
    if card.industry.text and not card.anonymised:  # anonymised, the industry is in the header
        y += BODY * 1.6 / 72
        line = wrap_text(card.industry.text, inner * 72 / BODY / 2, 1)[0]
        fig.text(MARGIN / CARD_W, 1 - y / CARD_H, t("share.labelled", lang, label=card.industry.label, text=line),
                 fontsize=BODY, color=MUTED, va="baseline")
    y += 0.12

    # two columns: goal and problem | organisation and people
    left = _field_lines(card.goal, width_em, card.not_filled) + _field_lines(card.problem, width_em, card.not_filled)
    right = _field_lines(card.organisation, width_em, card.not_filled) + _people_lines(card, width_em)
    bottom = max(_column(fig, MARGIN, y, left), _column(fig, MARGIN + col_w + GUTTER, y, right))

    # footnotes at the bottom left: what BP means, and that the card is anonymised
    notes = [n for n in (t("tree.chart.bp_note", lang) if card.units else "", card.note) if n]
    for n, note in enumerate(reversed(notes)):
        fig.text(MARGIN / CARD_W, (0.18 + n * 0.2) / CARD_H, note, fontsize=BODY - 2, color=MUTED, va="baseline")

    # the tree, in the rest of the page
    top = bottom + 0.05
    fig.text(MARGIN / CARD_W, 1 - (top + 0.22) / CARD_H, card.tree_label, fontsize=BODY, color=DMU_EDGE,
             va="baseline")
    area_top = top + 0.35
    foot = 0.6
    area_h = CARD_H - area_top - foot - 0.1
    if card.tree_problems:
        lines = [("body", t("share.tree_invalid", lang))]
        for problem in card.tree_problems:
            lines += [("body", line) for line in wrap_text("• " + problem, inner * 72 / BODY, 2)]
        _column(fig, MARGIN, area_top, lines)
    elif not card.units:
        _column(fig, MARGIN, area_top, [("empty", t("tree.chart.empty", lang))])
    else:
        units = list(card.units)
        left_in = MARGIN + 0.45  # room for the level labels
        width_in = CARD_W - left_in - MARGIN
        ax = fig.add_axes((left_in / CARD_W, (foot + 0.1) / CARD_H, width_in / CARD_W, max(area_h, 0.5) / CARD_H))
        pos = layout(units)
        size = tree_size(pos, unit_labels(units, lang, dmu_bp(units)), width_in, max(area_h, 0.5))
        draw_tree(ax, units, lang, size=size)
        handles, labels, handlers = legend_items(lang)
        fig.legend(handles, labels, handler_map=handlers, loc="lower right", ncols=3, fontsize=BODY - 1.5,
                   bbox_to_anchor=(1 - MARGIN / CARD_W, 0.02), handlelength=2.2, handleheight=1.0, borderaxespad=0)
    return fig


# ---- the card as a page and as a picture ------------------------------------------------------------


def tree_png(units: tuple[TreeUnit, ...], lang: Lang) -> bytes:
    """The card's customer tree as a PNG, for its HTML page."""
    return to_png(customer_tree_chart(list(units), lang, title=False), dpi=150)


def share_card_html(plan: AccountPlan, lang: Lang, anonymise: bool = False) -> str:
    """Share 1 as one self-contained, printable HTML page (inline CSS, the tree as an embedded PNG)."""
    card = card_content(plan, lang, anonymise)
    return card_html(card, tree_png(card.units, card.lang) if card.units else None)


def share_card_png(plan: AccountPlan, lang: Lang, anonymise: bool = False, dpi: int = 150) -> bytes:
    """Share 1 as a one-page PNG card: the whole landscape A4 page (texts, then the customer tree)."""
    content = card_content(plan, lang, anonymise)
    key = (repr(content), dpi)  # the card is drawn from its content alone: a save elsewhere leaves it as it was
    if key not in _PNG_CACHE:
        buf = io.BytesIO()
        share_card_figure(content).savefig(buf, format="png", dpi=dpi, facecolor="white")
        while len(_PNG_CACHE) >= PNG_CACHE_SIZE:
            _PNG_CACHE.pop(next(iter(_PNG_CACHE)))
        _PNG_CACHE[key] = buf.getvalue()
    return _PNG_CACHE[key]


PNG_CACHE_SIZE = 4  # cards kept drawn (both languages, anonymised or not)
_PNG_CACHE: dict[tuple[str, int], bytes] = {}
