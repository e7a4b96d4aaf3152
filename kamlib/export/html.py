"""The Account Plan as one self-contained HTML page: inline CSS, charts as PNG data URIs, printable on A4
(each chapter starts a new page). Every text is escaped here, once: the blocks hold plain text."""

from __future__ import annotations

import base64
import datetime as dt
import html

from kamlib.export.document import (
    Bars,
    Block,
    Bullets,
    Cell,
    Chart,
    Column,
    Document,
    Facts,
    Heading,
    Paragraph,
    Part,
    Table,
    Timeline,
)
from kamlib.nobreak import keep_amounts_together

CHART_DPI = 110  # sharp enough on paper at the printed width, and quick to draw

_CSS = """
@page { size: A4; margin: 14mm 12mm 16mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #222; background: #fff; font-size: 10pt; line-height: 1.45;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
main { max-width: 186mm; margin: 0 auto; padding: 8mm 0; }
.cover h1 { margin: 0 0 1mm; font-size: 24pt; line-height: 1.2; }
.cover .account { margin: 0 0 4mm; font-size: 15pt; color: #0072B2; overflow-wrap: anywhere; }
h2 { font-size: 16pt; margin: 0 0 3mm; padding-bottom: 1mm; border-bottom: 2px solid #0072B2; }
h3 { font-size: 12.5pt; margin: 6mm 0 2mm; color: #0072B2; }
h4 { font-size: 10.5pt; margin: 3mm 0 1mm; }
h4.item { font-size: 11.5pt; margin: 5mm 0 1.5mm; padding-top: 1.5mm; border-top: 1px solid #BBB;
  overflow-wrap: anywhere; }
h5 { font-size: 10pt; margin: 2.5mm 0 1mm; }
.chapter, .front { break-before: page; page-break-before: always; }
section { margin-bottom: 4mm; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(58mm, 1fr)); gap: 1.5mm 5mm;
  margin: 2mm 0 3mm; }
dl.facts dt { color: #595959; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
p { margin: 1.5mm 0; }
.note { color: #595959; font-size: 9pt; }
.warning { border-left: 3px solid #D55E00; padding-left: 3mm; }
.ok { border-left: 3px solid #009E73; padding-left: 3mm; }
.not-started { color: #595959; font-style: italic; border: 1px dashed #999; padding: 2mm 3mm; }
ul { margin: 1mm 0 2mm; padding-left: 6mm; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #BBB; padding: 1mm 1.5mm; text-align: left; vertical-align: top;
  overflow-wrap: break-word; hyphens: auto; }
th { background: #EEF4FA; font-weight: bold; }
td.number, td.percent { text-align: right; white-space: nowrap; }
td.date { white-space: nowrap; }
td.long { white-space: pre-wrap; min-width: 28mm; overflow-wrap: anywhere; }
.mini { display: inline-block; height: 2.2mm; margin-right: 1.5mm; background: #0072B2; vertical-align: middle; }
.bars { margin: 1mm 0 3mm; }
.bar { display: grid; grid-template-columns: 26mm 1fr 18mm; gap: 2mm; align-items: center; margin: 0.8mm 0; }
.track { height: 4mm; background: #EEE; border: 1px solid #999; }
.fill { display: block; height: 100%; background: repeating-linear-gradient(45deg, #0072B2 0 2px, #56B4E9 2px 4px); }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; max-height: 230mm; margin: 0 auto; object-fit: contain; }
figcaption { color: #595959; font-size: 8.5pt; text-align: center; }
.timeline { margin: 1mm 0 3mm; border-left: 2px solid #0072B2; padding-left: 4mm; }
.timeline h5 { margin: 2mm 0 0.5mm; font-size: 9.5pt; }
.timeline ul { list-style: none; margin: 0; padding: 0; }
.timeline li { margin: 0.4mm 0; break-inside: avoid; }
.timeline .mark { display: inline-block; width: 4mm; text-align: center; }
.timeline li.overdue { font-weight: bold; }
.timeline li.dropped { color: #595959; text-decoration: line-through; }
.timeline li.today { color: #0072B2; font-weight: bold; border-top: 1px dashed #0072B2; }
nav.contents ol { padding-left: 6mm; }
nav.contents a { color: inherit; }
footer { margin-top: 6mm; color: #595959; font-size: 8.5pt; }
@media print { main { padding: 0; max-width: none; } a { text-decoration: none; } }
"""


def _e(value: object) -> str:
    return html.escape(keep_amounts_together(str(value)), quote=True)  # an amount stays on one line with its unit


def cell_text(value: Cell, kind: str) -> str:
    """A cell as the reader sees it (not escaped)."""
    if value is None:
        return ""
    if kind == "percent" and isinstance(value, int | float):
        return f"{round(100 * value)}%"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _cell(value: Cell, column: Column) -> str:
    text = _e(cell_text(value, column.kind))
    if column.kind == "percent" and isinstance(value, int | float):
        width = max(0.0, min(1.0, float(value))) * 12
        text = f'<span class="mini" style="width:{width:.1f}mm"></span>{text}'
    return f'<td class="{column.kind}">{text}</td>'


def table_html(table: Table, level: int = 4) -> str:
    head = "".join(f"<th>{_e(c.header)}</th>" for c in table.columns)
    title = f"<h{level}>{_e(table.title)}</h{level}>"
    if not table.rows:
        return f'{title}<p class="note">{_e(table.empty)}</p>'
    body = "".join("<tr>" + "".join(_cell(v, c) for v, c in zip(row, table.columns, strict=True)) + "</tr>"
                   for row in table.rows)
    return f"{title}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _facts(facts: Facts) -> str:
    items = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(cell_text(v, 'text'))}</dd></div>" for k, v in facts.items)
    return f'<dl class="facts">{items}</dl>'


def _bullets(b: Bullets, level: int = 4) -> str:
    items = "".join(f"<li>{_e(i)}</li>" for i in b.items)
    mark = "⚠ " if b.tone == "warning" else ""
    return f'<div class="{b.tone}"><h{level}>{mark}{_e(b.title)}</h{level}><ul>{items}</ul></div>'


def _bars(bars: Bars, level: int = 4) -> str:
    rows = "".join(
        f'<div class="bar"><span>{_e(b.label)}</span><span class="track"><span class="fill" '
        f'style="width:{100 * max(0.0, min(1.0, b.share)):.0f}%"></span></span><span>{_e(b.text)}</span></div>'
        for b in bars.items)
    return f'<h{level}>{_e(bars.title)}</h{level}><div class="bars">{rows}</div>'


_MARKS = {"done": "✔", "overdue": "⚠", "due_soon": "◷", "open": "○", "dropped": "✕", "today": "▶"}


def _timeline(tl: Timeline, level: int = 4) -> str:
    """Month by month, oldest first, today marked in its place; undated items last."""
    entries: list[tuple[dt.date | None, str, str]] = [
        (m.on, m.mark, f"{m.on.isoformat() + ' · ' if m.on else ''}{m.text} · {m.state}") for m in tl.items]
    entries.append((tl.today, "today", f"{tl.today.isoformat()} · {tl.today_label}"))
    dated = sorted((e for e in entries if e[0] is not None), key=lambda e: (e[0], e[1] == "today"))
    months: dict[str, list[str]] = {}
    for on, mark, text in [*dated, *(e for e in entries if e[0] is None)]:
        month = on.strftime("%Y-%m") if on else tl.undated_label
        item = f'<li class="{mark}"><span class="mark">{_MARKS[mark]}</span> {_e(text)}</li>'
        months.setdefault(month, []).append(item)
    body = "".join(f'<div class="month"><h5>{_e(m)}</h5><ul>{"".join(items)}</ul></div>' for m, items in months.items())
    return f'<h{level}>{_e(tl.title)}</h{level}><div class="timeline">{body}</div>'


def chart_html(chart: Chart, dpi: int = CHART_DPI) -> str:
    from kamlib.charts.render import to_png

    data = base64.b64encode(to_png(chart.make(), dpi=dpi, tight=chart.tight)).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{_e(chart.alt)}">'
            f"<figcaption>{_e(chart.alt)}</figcaption></figure>")


def part_html(part: Part, level: int = 4) -> str:
    """One part; ``level`` is the heading level of its title (5 under an item's heading)."""
    if isinstance(part, Table):
        return table_html(part, level)
    if isinstance(part, Heading):
        return f'<h4 class="item">{_e(part.text)}</h4>'
    if isinstance(part, Facts):
        return _facts(part)
    if isinstance(part, Paragraph):
        mark = "⚠ " if part.tone == "warning" else ""
        return f'<p class="{part.tone}">{mark}{_e(part.text)}</p>'
    if isinstance(part, Bullets):
        return _bullets(part, level)
    if isinstance(part, Bars):
        return _bars(part, level)
    if isinstance(part, Timeline):
        return _timeline(part, level)
    return chart_html(part)


def block_html(block: Block, level: int = 3) -> str:
    heading = f'<h{level}>{_e(block.title)}</h{level}>'
    if not block.started:
        return f'<section id="sec-{block.key}">{heading}<p class="not-started">○ {_e(block.not_started)}</p></section>'
    body, under_item = [], False
    for part in block.parts:
        under_item = under_item or isinstance(part, Heading)
        body.append(part_html(part, 5 if under_item else 4))
    return f'<section id="sec-{block.key}">{heading}{"".join(body)}</section>'


def _contents(doc: Document) -> str:
    chapters: dict[str, list[Block]] = {}
    for b in doc.blocks:
        if b.chapter is not None:
            chapters.setdefault(b.chapter, []).append(b)
    items = []
    for chapter, blocks in chapters.items():
        links = "".join(
            f'<li><a href="#sec-{b.key}">{_e(b.title)}</a>'
            + ("" if b.started else f' <span class="note">({_e(doc.labels["not_started"])})</span>') + "</li>"
            for b in blocks)
        items.append(f'<li><a href="#ch-{chapter}">{_e(doc.chapter_titles[chapter])}</a><ol>{links}</ol></li>')
    return f'<nav class="contents"><h3>{_e(doc.labels["contents"])}</h3><ol>{"".join(items)}</ol></nav>'


def document_html(doc: Document) -> str:
    """The whole document: the cover, the plan's health and contents, then one page group per chapter."""
    cover = next(b for b in doc.blocks if b.key == "cover")
    rest = [b for b in doc.blocks if b is not cover]
    front = [b for b in rest if b.chapter is None]
    body = [f'<header class="cover"><h1>{_e(doc.title)}</h1><p class="account">{_e(doc.subtitle)}</p>'
            + "".join(part_html(p) for p in cover.parts) + "</header>"]
    body += [f'<div class="front" id="front-{b.key}">{block_html(b, 2)}</div>' for b in front]
    body.append(_contents(doc))
    chapter = None
    for b in rest:
        if b.chapter is None:
            continue
        if b.chapter != chapter:
            if chapter is not None:
                body.append("</div>")
            chapter = b.chapter
            body.append(f'<div class="chapter" id="ch-{chapter}"><h2>{_e(doc.chapter_titles[chapter])}</h2>')
        body.append(block_html(b))
    if chapter is not None:
        body.append("</div>")
    lang = "zh-CN" if doc.lang == "zh" else "en"
    title = f"{doc.title} · {doc.subtitle}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )
