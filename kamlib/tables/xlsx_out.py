"""The one XLSX writer, on XlsxWriter (the package Excel users have relied on for years).

- Text is written as text: every string through ``write_string`` (never a formula, a link or a
  number, whatever it starts with), with the characters XLSX cannot hold shown as U+FFFD and text
  past Excel's 32,767 characters cut with an ellipsis.
- Rows stream to disk (XlsxWriter's ``constant_memory``), so memory stays flat however long the
  table; more rows than Excel holds (1,048,576 with the header) are refused with a pointer to CSV.
- A file is replaced in one step (``kamlib.tables.replace_file``); an open binary file, such as a
  ``BytesIO`` for a download, is written as it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kamlib.errors import InputError
from kamlib.tables.cells import ILLEGAL_CHARACTERS, clean_text, display_width, missing, plain
from kamlib.tables.replace_file import replacing, write_failed

if TYPE_CHECKING:
    from xlsxwriter import Workbook
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

EXCEL_MAX_ROWS = 1_048_576  # rows of a worksheet, the header included
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CHARS = 32_767  # characters of one cell (UTF-16 units: a character outside the BMP counts two)
AUTO_WIDTH_ROWS = 200  # column widths are taken from this many rows
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
ELLIPSIS = "\u2026"

#: Text stays text: XlsxWriter is told never to read a string as a formula, a link or a number.
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\t\n\r]")
_MAX_SHEET_NAME = 31
_RGB = re.compile(r"[0-9A-F]{6}")


@dataclass(frozen=True)
class Style:
    """How a cell looks: font, fill (RGB hex such as ``"EEF4FA"``), wrapping and number format."""

    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: str | None = None
    fill: str | None = None
    wrap: bool = False
    number_format: str | None = None


@dataclass(frozen=True)
class Styled:
    """A value with its own style."""

    value: object
    style: Style


@dataclass
class Sheet:
    """One worksheet: its name (made valid and unique), its rows, and how it looks.

    ``header_row`` (1-based, None for none) is shown bold where a cell has no style of its own, the
    rows above and including it stay in view (``freeze``), and ``auto_filter`` puts filters on it.
    ``widths`` are column widths in characters; None takes them from the first rows.
    """

    name: str
    rows: Iterable[Sequence[object]]
    header_row: int | None = 1
    freeze: bool = True
    auto_filter: bool = False
    widths: Sequence[float] | None = None


PLAIN, BOLD = Style(), Style(bold=True)


def column_letter(index: int) -> str:
    """The letters of a 0-based column index: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no ``[]:*?/\\`` or line breaks, no apostrophe first or last, at most 31
    characters (UTF-16 units, as Excel counts them), not Excel's reserved "History"."""
    base = _fit(_BAD_SHEET_CHARS.sub(" ", clean_text(name)), _MAX_SHEET_NAME) or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in taken or candidate.casefold() == "history":
        suffix = f" {n}"
        candidate, n = (_fit(base, _MAX_SHEET_NAME - len(suffix)) or "Sheet") + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _fit(name: str, units: int) -> str:
    """``name`` cut to ``units`` UTF-16 units, without spaces or apostrophes at either end."""
    return _utf16_cut(name.strip().strip("'"), units).strip().strip("'")


def _utf16_cut(text: str, units: int) -> str:
    """The longest start of ``text`` that is at most ``units`` UTF-16 units, no character cut in half."""
    if len(text) <= units // 2:
        return text
    return text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", errors="ignore")


def xlsx_text(text: str) -> str:
    """``text`` as a cell can hold it: bad characters as U+FFFD, cut with an ellipsis past the limit."""
    if ILLEGAL_CHARACTERS.search(text):
        text = clean_text(text)
    if len(text) > EXCEL_MAX_CHARS // 2 and len(cut := _utf16_cut(text, EXCEL_MAX_CHARS)) < len(text):
        text = _utf16_cut(cut, EXCEL_MAX_CHARS - 1) + ELLIPSIS
    return text


def _hex(color: str) -> str:
    color = color.lstrip("#").upper()
    if not _RGB.fullmatch(color):
        raise ValueError(f"not an RGB colour: {color!r}")
    return "#" + color


class _Formats:
    """The workbook's formats, one per ``Style`` used (the plain style is no format at all)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.made: dict[Style, Format | None] = {PLAIN: None}

    def get(self, style: Style) -> Format | None:
        if style in self.made:
            return self.made[style]
        props: dict[str, object] = {}
        if style.bold:
            props["bold"] = True
        if style.italic:
            props["italic"] = True
        if style.size:
            props["font_size"] = style.size
        if style.color:
            props["font_color"] = _hex(style.color)
        if style.fill:
            props |= {"pattern": 1, "bg_color": _hex(style.fill)}
        if style.wrap:
            props |= {"text_wrap": True, "valign": "top"}
        if style.number_format:
            props["num_format"] = style.number_format
        made = self.made[style] = self.book.add_format(props)
        return made


class _SheetWriter:
    """Writes one ``Sheet`` into a worksheet, row by row."""

    def __init__(self, sheet: Sheet, ws: Worksheet, formats: _Formats, file: str) -> None:
        self.sheet, self.ws, self.formats, self.file = sheet, ws, formats, file
        self.rows = 0
        self.columns = 0

    def write(self) -> None:
        sheet, ws = self.sheet, self.ws
        rows: Iterable[Sequence[object]] = sheet.rows
        widths = sheet.widths
        if widths is None:
            rows = iter(rows)
            head = [row for _, row in zip(range(AUTO_WIDTH_ROWS), rows, strict=False)]
            widths = _auto_widths(head)
            rows = _chain(head, rows)
        for index, width in enumerate(widths):
            ws.set_column(index, index, width)
        if sheet.freeze and sheet.header_row:
            ws.freeze_panes(sheet.header_row, 0)
        self._rows(rows)
        if sheet.auto_filter and sheet.header_row and self.columns:
            top = sheet.header_row - 1
            ws.autofilter(top, 0, max(top, self.rows - 1), self.columns - 1)

    def _rows(self, rows: Iterable[Sequence[object]]) -> None:
        """Plain text and numbers straight through; anything else by ``_other``."""
        write_string, write_number = self.ws.write_string, self.ws.write_number
        header = (self.sheet.header_row or 0) - 1
        bold = self.formats.get(BOLD)
        columns = 0
        number = -1
        for number, row in enumerate(rows):
            if number >= EXCEL_MAX_ROWS:
                raise InputError("tables.error.too_many_rows", file=self.file, sheet=self.sheet.name,
                                 max=EXCEL_MAX_ROWS)
            count = len(row)
            if count > EXCEL_MAX_COLUMNS:
                raise InputError("tables.error.too_many_columns", file=self.file, sheet=self.sheet.name,
                                 count=count, max=EXCEL_MAX_COLUMNS)
            columns = max(columns, count)
            fmt = bold if number == header else None
            for col, value in enumerate(row):
                kind = type(value)
                if kind is str:
                    if value:
                        write_string(number, col, xlsx_text(value), fmt)  # type: ignore[arg-type]
                elif kind is float:
                    if math.isfinite(value):  # type: ignore[arg-type]
                        write_number(number, col, value, fmt)
                elif kind is int:
                    write_number(number, col, value, fmt)
                elif value is not None:
                    self._other(number, col, value, BOLD if number == header else PLAIN)
        self.rows, self.columns = number + 1, columns

    def _other(self, row: int, col: int, value: object, style: Style) -> None:
        """A cell that is not plain text or a plain number: styled, a date, a flag, a numpy value."""
        if isinstance(value, Styled):
            style, value = value.style, value.value
        value = plain(value)
        ws, formats = self.ws, self.formats
        if missing(value):
            ws.write_blank(row, col, None, formats.get(style))  # nothing at all unless styled
            return
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.isoformat(sep=" ")  # Excel has no time zones: the moment as text, zone included
        if isinstance(value, dt.date):
            if style.number_format is None:
                shown = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
                style = dataclasses.replace(style, number_format=shown)
            ws.write_datetime(row, col, value, formats.get(style))
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, formats.get(style))
        elif isinstance(value, int | float):
            if math.isfinite(value):
                ws.write_number(row, col, value, formats.get(style))
            else:
                ws.write_blank(row, col, None, formats.get(style))
        else:
            ws.write_string(row, col, xlsx_text(str(value)), formats.get(style))


def _chain(head: list[Sequence[object]], rest: Iterator[Sequence[object]]) -> Iterator[Sequence[object]]:
    yield from head
    yield from rest


def _shown(value: object) -> str:
    value = value.value if isinstance(value, Styled) else value
    if missing(value):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()[:16]
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _auto_widths(rows: list[Sequence[object]]) -> list[float]:
    """Widths from the rows' longest text, between ``MIN_WIDTH`` and ``MAX_WIDTH``."""
    count = max((len(r) for r in rows), default=0)
    widths = [0] * count
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], display_width(_shown(value)[:MAX_WIDTH]))
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widths]


def write_xlsx(sheets: Iterable[Sheet], target: str | os.PathLike[str] | IO[bytes], title: str = "",
               creator: str = "kamlib") -> None:
    """Write the sheets as one XLSX workbook to a path (replaced in one step) or an open binary file.

    Rows are streamed, so memory does not grow with their number. Raises ``InputError`` for more rows
    than Excel holds (``EXCEL_MAX_ROWS``, pointing to CSV) or more columns, and for a file that cannot
    be written; the target is then left as it was.
    """
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        with replacing(path) as fh:
            _write_book(sheets, fh, str(path), title, creator, beside=path)
    else:
        _write_book(sheets, target, "XLSX", title, creator)


def xlsx_bytes(sheets: Iterable[Sheet], title: str = "", creator: str = "kamlib") -> bytes:
    """The sheets as XLSX bytes (for a download or a small export)."""
    buf = io.BytesIO()
    write_xlsx(sheets, buf, title, creator)
    return buf.getvalue()


def _write_book(sheets: Iterable[Sheet], out: IO[bytes], file: str, title: str, creator: str,
                beside: Path | None = None) -> None:
    """The workbook into ``out``. XlsxWriter keeps the rows in files until the end, in a folder of their
    own removed after: beside the target file when there is one (a large table's rows then go to the
    disk it is written to, not to a system temporary folder that may live in memory), else the system's.
    """
    from xlsxwriter import Workbook  # imported when a workbook is written: importing kamlib.tables stays light
    from xlsxwriter.exceptions import FileCreateError, FileSizeError

    sink = _Sink(out)
    folder, prefix = (beside.parent, f".{beside.name}.") if beside else (None, "kamlib-xlsx-")
    with tempfile.TemporaryDirectory(suffix=".tmp", prefix=prefix, dir=folder, ignore_cleanup_errors=True) as tmp:
        book = Workbook(sink, {**WORKBOOK_OPTIONS, "tmpdir": tmp})
        try:
            cells = _add_sheets(book, sheets, file)
            book.set_properties({"title": clean_text(title), "author": clean_text(creator)})
            try:
                book.close()
            except FileSizeError as exc:  # a part past 2 GB needs ZIP64, which not every Excel reads
                largest = max(cells, key=cells.__getitem__)
                raise InputError("tables.error.too_large_to_write", file=file, sheet=largest) from exc
            except FileCreateError as exc:
                cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
                raise write_failed(file, cause) from exc
        except BaseException:
            sink.abandon()
            _discard(book)
            raise


class _Sink:
    """``out`` as XlsxWriter's zip writes it. Once abandoned it takes nothing more: a zip left half
    written by an error writes its end when collected, after ``out`` is closed or past repair."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out: IO[bytes] | None = out

    def write(self, data: bytes) -> int:
        return len(data) if self.out is None else self.out.write(data)

    def tell(self) -> int:
        return 0 if self.out is None else self.out.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0 if self.out is None else self.out.seek(offset, whence)

    def flush(self) -> None:
        if self.out is not None:
            self.out.flush()

    def abandon(self) -> None:
        self.out = None


def _add_sheets(book: Workbook, sheets: Iterable[Sheet], file: str) -> dict[str, int]:
    """Every sheet written into ``book``; the cells each holds (rows times columns), by sheet name."""
    formats = _Formats(book)
    taken: set[str] = set()
    cells: dict[str, int] = {}
    for sheet in sheets:
        name = sheet_name(sheet.name, taken)
        writer = _SheetWriter(sheet, book.add_worksheet(name), formats, file)
        writer.write()
        cells[name] = writer.rows * writer.columns
    if not cells:
        raise ValueError("an XLSX workbook needs at least one sheet")
    return cells


def _discard(book: Workbook) -> None:
    """Close the row files of a workbook that will not be written, so their folder can be removed."""
    for ws in book.worksheets():
        with_file = getattr(ws, "row_data_fh", None)
        if with_file is not None and not with_file.closed:
            with_file.close()
