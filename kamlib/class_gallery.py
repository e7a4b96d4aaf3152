"""The class's Share 1 cards as a gallery to project (the deck's Share 1 round), and one card as the trainee
previews it before sharing: the same HTML, so the preview is exactly what the class sees.

Labels are in the viewer's language; what the trainee wrote stays as written. Every text that comes from a
card is escaped for HTML (and its control and bidi characters written as escapes): a trainee controls it.
The trainee named on a card is the folder it was read from, never the file's claim; in the anonymous view
(a projector) cards are numbered instead. An anonymised card is marked in words and by a dashed border.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from kamlib.class_share import ClassCard, NotShown, SharedCard
from kamlib.i18n import Lang, check_lang, t
from kamlib.safe_text import printable

MAX_TREE_LINES = 12  # units listed on a tile; the rest counted

CSS = """
.kam-gallery { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
  font-size: 20px; line-height: 1.45; color: #222; }
.kam-gallery .kam-count { font-size: 18px; color: #444; margin: 0 0 10px; }
.kam-gallery .kam-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(24em, 1fr)); gap: 16px; }
.kam-gallery .kam-card { border: 3px solid #0072B2; border-radius: 8px; padding: 12px 16px; background: #fff;
  overflow-wrap: anywhere; }
.kam-gallery .kam-card.kam-anon { border-style: dashed; border-color: #595959; }
.kam-gallery .kam-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; font-size: 18px; }
.kam-gallery .kam-who { font-weight: bold; }
.kam-gallery .kam-badge { border: 1px solid #595959; border-radius: 4px; padding: 0 6px; }
.kam-gallery .kam-facts { color: #0072B2; }
.kam-gallery h3 { font-size: 28px; line-height: 1.25; margin: 6px 0 8px; }
.kam-gallery h4 { font-size: 18px; color: #0072B2; margin: 8px 0 2px; }
.kam-gallery p { margin: 0; white-space: pre-wrap; }
.kam-gallery ul { margin: 0; padding-left: 1.2em; }
.kam-gallery .kam-empty { color: #595959; font-style: italic; }
.kam-gallery .kam-tree li { list-style: none; }
.kam-gallery .kam-not-shown { margin-top: 12px; font-size: 16px; color: #595959; }
"""


def _e(text: object) -> str:
    """Card text made safe: control and bidi characters as escapes (lines kept), then HTML-escaped."""
    return html.escape(printable(text, keep="\n"), quote=True)


def facts_text(card: SharedCard, lang: Lang) -> str:
    """``RADP R3 · LEVEL3 · Top account``: what the dashboard pools, as the tile says it."""
    parts = []
    if card.radp_box:
        parts.append(t("class_share.gallery.box", lang, box=card.radp_box))
    elif card.radp_level is not None:
        parts.append(f"LEVEL{card.radp_level}")
    if card.key_account:
        parts.append(t(f"class_share.gallery.kind.{card.key_account}", lang))
    return " · ".join(parts)


def _field(label: str, text: str, empty: str) -> str:
    body = f"<p>{_e(text)}</p>" if text else f"<p class='kam-empty'>{_e(empty)}</p>"
    return f"<h4>{_e(label)}</h4>{body}"


def tile_html(card: SharedCard, who: str, lang: Lang) -> str:
    """One card as a tile of the gallery; ``who`` is the label above it (the folder's trainee id, or a number)."""
    lang = check_lang(lang)
    badge = t("class_share.gallery.anonymised" if card.anonymised else "class_share.gallery.named", lang)
    facts = facts_text(card, lang)
    head = (f"<div class='kam-head'><span class='kam-who'>{_e(who)}</span>"
            f"<span class='kam-badge'>{_e(badge)}</span>"
            + (f"<span class='kam-facts'>{_e(facts)}</span>" if facts else "") + "</div>")
    empty = t("share.not_filled", lang)
    parts = [head, f"<h3 lang='{_e(card.lang)}'>{_e(card.account or t('share.no_account', lang))}</h3>"]
    if card.industry and not card.anonymised:  # anonymised, the industry is part of the heading
        parts.append(_field(t("share.field.industry", lang), card.industry, empty))
    for key, text in (("goal", card.goal), ("problem", card.problem), ("organisation", card.organisation)):
        parts.append(_field(t(f"share.field.{key}", lang), text, empty))
    people = "".join(f"<li>{_e(p)}</li>" for p in card.people)
    if card.people_hidden:
        people += f"<li>{_e(t('share.more_people', lang, count=card.people_hidden))}</li>"
    parts.append(f"<h4>{_e(t('share.field.people', lang))}</h4>"
                 + (f"<ul>{people}</ul>" if people else f"<p class='kam-empty'>{_e(empty)}</p>"))
    if card.tree_problems:
        items = "".join(f"<li>{_e(p)}</li>" for p in card.tree_problems)
        parts.append(f"<h4>{_e(t('share.field.tree', lang))}</h4><p>{_e(t('share.tree_invalid', lang))}</p>"
                     f"<ul>{items}</ul>")
    elif card.units:
        shown = card.units[:MAX_TREE_LINES]
        lines = "".join(f"<li style='margin-left:{min(u.level - 1, 8) * 1.2:.1f}em'>{_e(u.name)}</li>"
                        for u in shown)
        more = len(card.units) - len(shown) + card.units_hidden
        if more:
            lines += f"<li>{_e(t('class_share.gallery.more_units', lang, count=more))}</li>"
        parts.append(f"<h4>{_e(t('share.field.tree', lang))}</h4><ul class='kam-tree'>{lines}</ul>")
    anon = " kam-anon" if card.anonymised else ""
    return f"<article class='kam-card{anon}' lang='{_e(card.lang)}'>{''.join(parts)}</article>"


def _who(item: ClassCard, number: int, anonymous: bool, lang: Lang) -> str:
    return t("class_share.gallery.card_number", lang, number=number) if anonymous else item.trainee_id


def gallery_html(cards: Sequence[ClassCard], not_shown: Sequence[NotShown], lang: Lang,
                 anonymous: bool = False) -> str:
    """The class's cards in a grid (the order they arrived in), then one line per file not shown."""
    lang = check_lang(lang)
    anonymised = sum(c.card.anonymised for c in cards)
    count = (t("class_share.gallery.count", lang, count=len(cards), anonymised=anonymised) if cards
             else t("class_share.gallery.none", lang))
    tiles = "".join(tile_html(c.card, _who(c, n, anonymous, lang), lang) for n, c in enumerate(cards, start=1))
    lines = "".join(f"<li>{_e(n.message(lang))}</li>" for n in not_shown)
    skipped = f"<ul class='kam-not-shown'>{lines}</ul>" if lines else ""
    return (f"<div class='kam-gallery'><style>{CSS}</style><p class='kam-count'>{_e(count)}</p>"
            f"<div class='kam-grid'>{tiles}</div>{skipped}</div>")


def preview_html(card: SharedCard, who: str, lang: Lang) -> str:
    """The card as the class will see it (a tile of the gallery), for the trainee to check before sharing."""
    return f"<div class='kam-gallery'><style>{CSS}</style>{tile_html(card, who, lang)}</div>"


def gallery_page(cards: Sequence[ClassCard], not_shown: Sequence[NotShown], lang: Lang,
                 anonymous: bool = False) -> str:
    """The gallery as one self-contained HTML page, to open full screen on the projector."""
    lang = check_lang(lang)
    title = t("class_share.gallery.title", lang)
    return ("<!DOCTYPE html>\n"
            f"<html lang='{'zh-CN' if lang == 'zh' else 'en'}'>\n<head>\n<meta charset='utf-8'>\n"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
            f"<title>{_e(title)}</title>\n<style>body {{ margin: 16px; background: #f4f4f4; }}</style>\n"
            f"</head>\n<body>\n<h1 style='font-family:sans-serif'>{_e(title)}</h1>\n"
            f"{gallery_html(cards, not_shown, lang, anonymous)}\n</body>\n</html>\n")
