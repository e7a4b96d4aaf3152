"""The Account Plan as an XLSX workbook for a manager: an overview sheet (the cover, the plan's health,
each section's figures and warnings), then one sheet per table, headers in the reader's language.
Tables repeated per item (``Table.group``: one per tender, one per incident) share one sheet, the
item named in a first column, so a manager can filter and sort them together.

Text is written as text: a value starting with "=" stays a string (never a formula), and characters
that XLSX cannot hold (control characters) are dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from typing import Any

from openpyxl import Workbook as XlsxBook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

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

MAX_SHEET_NAME = 31
MIN_WIDTH, MAX_WIDTH, LONG_WIDTH = 8, 48, 50
HEADER_FILL = PatternFill("solid", fgColor="EEF4FA")
TITLE = Font(bold=True, size=14)
SECTION = Font(bold=True, size=12)
BOLD = Font(bold=True)
MUTED = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters."""
    base = _BAD_NAME.sub(" ", name).strip().strip("'")[:MAX_SHEET_NAME] or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" {n}"
        candidate, n = base[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def put(ws: Worksheet, row: int, col: int, value: Cell, kind: str = "text") -> Any:
    """Write one value as what it is: text stays text, dates and percentages get their format."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # "=…" typed by a trainee is text, not a formula
    else:
        cell.value = value
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    elif kind == "percent" and isinstance(value, int | float):
        cell.number_format = "0%"
    if kind == "long":
        cell.alignment = WRAP
    return cell


def _shown(value: Cell, kind: str) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind == "percent" and isinstance(value, int | float):
        return "100%"
    return "" if value is None else str(value)


def table_sheet(ws: Worksheet, table: Table, not_started: str | None) -> None:
    """Title on row 1, headers on row 2 (frozen, filtered), one row per table row."""
    put(ws, 1, 1, table.title).font = TITLE
    for c, column in enumerate(table.columns, start=1):
        cell = put(ws, 2, c, column.header)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
    for r, row in enumerate(table.rows, start=3):
        for c, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            put(ws, r, c, value, column.kind)
    if not table.rows:
        put(ws, 3, 1, not_started or table.empty).font = MUTED
    ws.freeze_panes = "A3"
    last = get_column_letter(len(table.columns))
    ws.auto_filter.ref = f"A2:{last}{max(2, len(table.rows) + 2)}"
    for c, column in enumerate(table.columns, start=1):
        if column.kind == "long":
            width = LONG_WIDTH
        else:
            texts = [column.header, *(_shown(row[c - 1], column.kind) for row in table.rows)]
            width = max(MIN_WIDTH, min(MAX_WIDTH, max(_width(t) for t in texts) + 2))
        ws.column_dimensions[get_column_letter(c)].width = width


def _overview_rows(block: Block) -> list[tuple[str, Cell, Any]]:
    """The block's title, then its facts, paragraphs and lists as (label, value, font) rows."""
    rows: list[tuple[str, Cell, Any]] = [(block.title, None, SECTION)]
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
    book = XlsxBook()
    taken: set[str] = set()
    overview = book.active
    overview.title = sheet_name(doc.labels["contents"], taken)
    put(overview, 1, 1, doc.title).font = TITLE
    put(overview, 2, 1, doc.subtitle).font = BOLD
    row = 4
    for block in doc.blocks:
        for label, value, font in _overview_rows(block):
            cell = put(overview, row, 1, label)
            if font is not None:
                cell.font = font
            if value is not None:
                put(overview, row, 2, value)
            row += 1
        row += 1
    overview.column_dimensions["A"].width = 60
    overview.column_dimensions["B"].width = 40
    for table, not_started in sheet_tables(doc):
        ws = book.create_sheet(sheet_name(table.sheet, taken))
        table_sheet(ws, table, not_started)
    book.properties.title = f"{doc.title} · {doc.subtitle}"
    book.properties.creator = "kamlib"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
