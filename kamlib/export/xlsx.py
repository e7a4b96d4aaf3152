"""The Account Plan as an XLSX workbook for a manager: an overview sheet (the cover, the plan's health,
each section's figures and warnings), then one sheet per table, headers in the reader's language.
Tables repeated per item (``Table.group``: one per tender, one per incident) share one sheet, the
item named in a first column, so a manager can filter and sort them together.

The sheets are written by ``kamlib.tables.write_xlsx``: text is written as text (a value starting with
"=" stays a string, never a formula), and characters XLSX cannot hold are shown as U+FFFD.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kamlib.export.document import (
    Bars,
    Block,
    Bullets,
    Cell,
    Column,
    Document,
    Facts,
    Heading,
    Paragraph,
    Table,
    Timeline,
)
from kamlib.tables import Sheet, Style, Styled, display_width, xlsx_bytes

MIN_WIDTH, MAX_WIDTH, LONG_WIDTH = 8, 48, 50
OVERVIEW_WIDTHS = (60, 40)
TITLE = Style(bold=True, size=14)
SECTION = Style(bold=True, size=12)
BOLD = Style(bold=True)
HEADER = Style(bold=True, fill="EEF4FA", wrap=True)
MUTED = Style(italic=True, color="595959")
LONG = Style(wrap=True)
PERCENT = Style(number_format="0%")
DATE = Style(number_format="yyyy-mm-dd")


def value_cell(value: Cell, kind: str = "text") -> object:
    """One value as what it is: text stays text, dates and percentages get their format, long text wraps."""
    if isinstance(value, dt.date):
        return Styled(value, DATE)
    if kind == "percent" and isinstance(value, int | float) and not isinstance(value, bool):
        return Styled(value, PERCENT)
    if kind == "long":
        return Styled(value, LONG)
    return value


def _shown(value: Cell, kind: str) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind == "percent" and isinstance(value, int | float):
        return "100%"
    return "" if value is None else str(value)


def table_sheet(name: str, table: Table, not_started: str | None) -> Sheet:
    """Title on row 1, headers on row 2 (frozen, filtered), one row per table row."""
    rows: list[list[Any]] = [[Styled(table.title, TITLE)], [Styled(c.header, HEADER) for c in table.columns]]
    rows += [[value_cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
             for row in table.rows]
    if not table.rows:
        rows.append([Styled(not_started or table.empty, MUTED)])
    widths = []
    for c, column in enumerate(table.columns):
        if column.kind == "long":
            widths.append(LONG_WIDTH)
            continue
        texts = [column.header, *(_shown(row[c], column.kind) for row in table.rows)]
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, max(display_width(t) for t in texts) + 2)))
    return Sheet(name, rows, header_row=2, auto_filter=True, widths=widths)


def _overview_rows(block: Block) -> list[tuple[str, Cell, Style | None]]:
    """The block's title, then its facts, paragraphs and lists as (label, value, style) rows."""
    rows: list[tuple[str, Cell, Style | None]] = [(block.title, None, SECTION)]
    if not block.started:
        return [*rows, (block.not_started, None, MUTED)]
    for part in block.parts:
        if isinstance(part, Heading):
            rows.append((part.text, None, BOLD))
        elif isinstance(part, Facts):
            rows += [(label, value, None) for label, value in part.items]
        elif isinstance(part, Paragraph):
            rows.append((part.text, None, MUTED if part.tone == "note" else None))
        elif isinstance(part, Bullets):
            rows.append((part.title, None, None))
            rows += [(f"• {item}", None, None) for item in part.items]
        elif isinstance(part, Bars):
            rows += [(bar.label, bar.text, None) for bar in part.items]
        elif isinstance(part, Timeline):
            rows.append((part.title, None, None))
            rows += [(f"{m.text} · {m.state}", m.on or part.undated_label, None) for m in part.items]
    return rows


def merge_group(tables: list[Table]) -> Table:
    """Tables of one sheet, one per item, as one table whose first column names the item."""
    first = tables[0]
    rows = tuple((tb.group or "", *row) for tb in tables for row in tb.rows)
    return Table(sheet=first.sheet, title=first.title, columns=(Column(first.group_header), *first.columns),
                 rows=rows, empty=first.empty)


def sheet_tables(doc: Document) -> list[tuple[Table, str | None]]:
    """The tables to write, in document order: each with what to say when its section is not started.

    Grouped tables of the same sheet and columns become one (``merge_group``) at the first one's place.
    """
    out: list[tuple[Table, str | None]] = []
    groups: dict[tuple[str, tuple[Column, ...]], list[Table]] = {}
    for block in doc.blocks:
        not_started = None if block.started else block.not_started
        for table in block.tables():
            if not table.group_header:
                out.append((table, not_started))
                continue
            key = (table.sheet, table.columns)
            if key not in groups:
                groups[key] = []
                out.append((table, not_started))  # a placeholder: replaced by the merged table below
            groups[key].append(table)
    merged = []
    for table, not_started in out:
        if table.group_header:
            table = merge_group(groups[(table.sheet, table.columns)])
        merged.append((table, not_started))
    return merged


def document_xlsx(doc: Document) -> bytes:
    """The workbook as XLSX bytes."""
    overview: list[list[Any]] = [[Styled(doc.title, TITLE)], [Styled(doc.subtitle, BOLD)], []]
    for block in doc.blocks:
        for label, value, style in _overview_rows(block):
            overview.append([label if style is None else Styled(label, style),
                             *([] if value is None else [value_cell(value)])])
        overview.append([])
    sheets = [Sheet(doc.labels["contents"], overview, header_row=None, widths=OVERVIEW_WIDTHS)]
    sheets += [table_sheet(table.sheet, table, not_started) for table, not_started in sheet_tables(doc)]
    return xlsx_bytes(sheets, title=f"{doc.title} · {doc.subtitle}")
