"""The Account Plan as one self-contained HTML page: inline CSS, charts as PNG data URIs, printable on A4
(each chapter starts a new page). The page is ``templates/export.html.j2`` and its parts
``templates/export_parts.html.j2``; the templates escape every text, once: the blocks hold plain text."""

from __future__ import annotations

import base64
import datetime as dt
from itertools import groupby
from typing import Any

from markupsafe import Markup

from kamlib.export.document import Block, Cell, Chart, Document, Part, Timeline
from kamlib.templates import render, template

CHART_DPI = 110  # sharp enough on paper at the printed width, and quick to draw


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


def _clamp01(value: float) -> float:
    return max(0.0, min(1.0, float(value)))


def _kind(part: Part) -> str:
    """The macro that writes a part: ``table``, ``heading``, ``facts``, …, ``chart``."""
    return type(part).__name__.lower()


_MARKS = {"done": "✔", "overdue": "⚠", "due_soon": "◷", "open": "○", "dropped": "✕", "today": "▶"}


def timeline_months(tl: Timeline) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Month by month, oldest first, today marked in its place; undated items last: (month, [(mark, symbol,
    text)])."""
    entries: list[tuple[dt.date | None, str, str]] = [
        (m.on, m.mark, f"{m.on.isoformat() + ' · ' if m.on else ''}{m.text} · {m.state}") for m in tl.items]
    entries.append((tl.today, "today", f"{tl.today.isoformat()} · {tl.today_label}"))
    dated = sorted((e for e in entries if e[0] is not None), key=lambda e: (e[0], e[1] == "today"))
    months: dict[str, list[tuple[str, str, str]]] = {}
    for on, mark, text in [*dated, *(e for e in entries if e[0] is None)]:
        month = on.strftime("%Y-%m") if on else tl.undated_label
        months.setdefault(month, []).append((mark, _MARKS[mark], text))
    return list(months.items())


def _chart_png(chart: Chart, dpi: int = CHART_DPI) -> Markup:
    """The chart drawn, as base64 PNG data."""
    from kamlib.charts.render import to_png  # matplotlib: only when a chart is drawn

    return Markup(base64.b64encode(to_png(chart.make(), dpi=dpi, tight=chart.tight)).decode("ascii"))


HELPERS: dict[str, Any] = {"cell_text": cell_text, "clamp01": _clamp01, "kind": _kind,
                           "timeline_months": timeline_months, "chart_png": _chart_png}


def block_html(block: Block, level: int = 3) -> str:
    """One section of the plan alone, with its parts (or the note that it is not started)."""
    parts: Any = template("export_parts.html.j2").make_module(HELPERS)  # its macros are the template's own
    return str(parts.block(block, level))


def document_html(doc: Document) -> str:
    """The whole document: the cover, the plan's health and contents, then one page group per chapter."""
    cover = next(b for b in doc.blocks if b.key == "cover")
    rest = [b for b in doc.blocks if b is not cover]
    contents: dict[str, list[Block]] = {}
    for b in rest:
        if b.chapter is not None:
            contents.setdefault(b.chapter, []).append(b)
    chapters = [(c, list(bs)) for c, bs in groupby((b for b in rest if b.chapter is not None), lambda b: b.chapter)]
    return render("export.html.j2", doc=doc, cover=cover, front=[b for b in rest if b.chapter is None],
                  contents=list(contents.items()), chapters=chapters, **HELPERS)
