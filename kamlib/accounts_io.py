"""Import of a real account list (CSV or Excel) into the screening columns, and writing tables back.

Headers may be English or Chinese in many spellings (the accepted ones are in the ``accounts_io``
catalogs); cells are parsed with vectorised pandas operations, so a 50,000-row list imports in well
under a second. Bad rows are reported (row, column, reason) and left out; the good rows still import.
Nothing is guessed: a SoW of 0.35 is 0.35 %, and BP is in wan yuan (10,000 RMB) unless the header states another unit.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from kamlib.errors import InputError
from kamlib.i18n import LANGS, Lang, Text, t
from kamlib.model.workbook import (
    Account,
    Coverage,
    Influence,
    Relationship,
    Segment,
    WorkOrder,
    YearFigures,
)
from kamlib.tables import (
    EXCEL_MAX_ROWS,
    ILLEGAL_CHARACTERS,
    Sheet,
    accepted_encodings,
    check_xlsx_size,
    clean_text,
    decode_csv,
    write_csv,
    write_xlsx,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Progress = Callable[[int, int], None]

#: The canonical columns of an imported list, in this order; history columns follow.
COLUMNS = (
    "name", "industry", "segment", "bp_wan", "sow_pct", "benchmark", "influence",
    "margin", "revenue", "coverage", "relationship", "work_order", "notes",
)
REQUIRED = ("name", "bp_wan", "sow_pct")
# the other columns the import form lists (margin and revenue go under "contribution")
OPTIONAL_SHOWN = ("industry", "segment", "benchmark", "influence", "contribution", "coverage", "relationship",
                  "work_order", "notes")
TEXT_LIMITS = {"name": 120, "industry": 200, "notes": 5000}  # as the Account model allows
CODE_FIELDS: dict[str, tuple[str, ...]] = {
    "segment": get_args(Segment),
    "influence": get_args(Influence),
    "coverage": get_args(Coverage),
    "relationship": get_args(Relationship),
    "work_order": get_args(WorkOrder),
}
FLAG_FIELDS = ("benchmark", "margin", "revenue")
HEADER_FIELDS = (*COLUMNS, "contribution")  # what a header may name
RESULT_COLUMNS = ("status", "level", "box")  # written by ``kam screen``; not read back, not reported
MAX_YEARS = 5  # Account.history holds at most five past years
HEADER_SEARCH_ROWS = 20  # the header may sit below a title; it is looked for in the first rows
_HEAD_LINE_CHARS = 65_536  # of each of those rows, this much is looked at
SUFFIXES = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
_UNIT_SCALES = {  # unit -> (multiply, divide) to wan yuan; dividing keeps 5,000,000 yuan exactly 500 wan
    "wan": (1, 1), "yuan": (1, 10_000), "thousand": (1, 10), "million": (100, 1),
    "hundred_million": (10_000, 1),
}
_MAX_VALUE_CHARS = 40

_BRACKETS = str.maketrans({"\u3010": "(", "\u3011": ")", "\u3014": "(", "\u3015": ")", "[": "(", "]": ")"})
_IGNORABLE = re.compile(r"[\s_\-]+")
_UNIT_PART = re.compile(r"(.*?)\(([^()]*)\)")
_YEAR = re.compile(r"(?<![0-9])(199[0-9]|20[0-9]{2})(?![0-9])")
_GROUPED = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"
_PLAIN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_SEPARATORS = re.compile(r"[,;/+&\u3001]+")


# ---- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """A cell that keeps its row out of the import: file row number, header as written, why."""

    row: int
    column: str
    reason: Text

    def message(self, lang: Lang) -> str:
        """One line for the trainee, e.g. ``row 5, “SoW %”: 150 is outside 0–100 …``."""
        return t("accounts_io.problem_line", lang, row=self.row, column=self.column, reason=self.reason)


@dataclass
class AccountTable:
    """An imported list: the good rows in canonical columns, and every problem found.

    ``frame`` is indexed by the file's row numbers (``row``; a header in the first row is row 1),
    with the columns of ``COLUMNS`` then ``bp_wan_<year>``/``sow_pct_<year>`` per past year.
    ``raw`` holds every data row as read (headers as written), for writing the list back out.
    """

    source: Path
    frame: pd.DataFrame
    problems: list[RowProblem]
    raw: pd.DataFrame
    columns: dict[str, str]  # canonical column -> header as written
    ignored_columns: list[str]
    notices: list[Text] = field(default_factory=list)
    header_row: int = 1

    @property
    def rows_read(self) -> int:
        """Data rows in the file that hold anything in a recognised column."""
        return len(self.frame) + self.skipped_rows

    @property
    def skipped_rows(self) -> int:
        """Rows left out because of a problem."""
        return len({p.row for p in self.problems})

    @property
    def history_years(self) -> list[int]:
        """The past years with columns in the list, oldest first."""
        return sorted({int(c.rsplit("_", 1)[1]) for c in self.frame.columns if c.startswith("bp_wan_")})

    def problems_by_column(self) -> list[tuple[str, int]]:
        """How many problems each column has, the most first (columns of equal count in the order first met)."""
        return Counter(p.column for p in self.problems).most_common()

    def with_boxes(self, result: pd.DataFrame) -> pd.DataFrame:
        """Every row as read, with ``screening.classify``'s ``status``, ``level`` and ``box`` as the last columns
        (empty for a skipped row); columns of those names in the file are replaced."""
        raw = self.raw.drop(columns=[c for c in self.raw.columns if str(c).strip().lower() in RESULT_COLUMNS])
        raw["status"] = result["status"].reindex(raw.index)
        raw["level"] = result["level"].reindex(raw.index).astype("Int8")
        raw["box"] = result["box"].reindex(raw.index)
        return raw


def history_column(name: str, year: int) -> str:
    """The canonical column of a past year's figure, e.g. ``bp_wan_2024``."""
    return f"{name}_{year}"


# ---- the accepted spellings (from both catalogs) ------------------------------------------------


def _norm(text: str) -> str:
    """Matching form: full-width folded, case-folded, brackets unified, spaces, ``_`` and ``-`` dropped."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_BRACKETS)
    return _IGNORABLE.sub("", text)


def _spellings(key: str) -> list[str]:
    """Every spelling listed under ``key`` in the catalogs, English first."""
    out: dict[str, None] = {}
    for lang in sorted(LANGS, key=lambda x: x != "en"):
        out.update(dict.fromkeys(s.strip() for s in t(key, lang).split("|") if s.strip()))
    return list(out)


@dataclass(frozen=True)
class _Vocabulary:
    headers: dict[str, str]
    year_words: tuple[str, ...]
    units: dict[str, str]
    codes: dict[str, dict[str, str]]
    flags: dict[str, bool]
    contribution: dict[str, str]
    and_words: tuple[str, ...]


@cache
def _vocabulary() -> _Vocabulary:
    headers = {_norm(f): f for f in HEADER_FIELDS}
    for f in HEADER_FIELDS:
        headers.update({_norm(s): f for s in _spellings(f"accounts_io.headers.{f}")})
    units = {_norm(s): u for u in (*_UNIT_SCALES, "percent") for s in _spellings(f"accounts_io.units.{u}")}
    codes = {
        f: {_norm(s): code for code in allowed for s in [code, *_spellings(f"accounts_io.values.{f}.{code}")]}
        for f, allowed in CODE_FIELDS.items()
    }
    flags = {_norm(s): True for s in _spellings("accounts_io.values.yes")}
    flags.update({_norm(s): False for s in _spellings("accounts_io.values.no")})
    contribution = {
        _norm(s): kind for kind in ("margin", "revenue", "both", "none")
        for s in _spellings(f"accounts_io.values.contribution.{kind}")
    }
    return _Vocabulary(
        headers=headers,
        year_words=tuple(sorted({_norm(s) for s in _spellings("accounts_io.year_words")}, key=len, reverse=True)),
        units=units,
        codes=codes,
        flags=flags,
        contribution=contribution,
        and_words=tuple(_norm(s) for s in _spellings("accounts_io.and_words")),
    )


def accepted_headers(name: str) -> Text:
    """The headers accepted for a canonical column, English and Chinese, as a message part."""
    lists = {lang: [s.strip() for s in t(f"accounts_io.headers.{name}", lang).split("|")] for lang in LANGS}
    return Text("accounts_io.choices.headers", {lang: ", ".join(filter(None, lists[lang])) for lang in LANGS})


def header_examples(name: str, count: int = 2) -> dict[Lang, tuple[str, ...]]:
    """The first ``count`` headers each language's catalog accepts for the column ``name`` (the import form lists
    them; any file may use either language's)."""
    return {lang: tuple([s.strip() for s in t(f"accounts_io.headers.{name}", lang).split("|") if s.strip()][:count])
            for lang in LANGS}


def year_header_examples(year: int) -> dict[Lang, tuple[str, str]]:
    """A past year's BP and SoW headers as each language's catalog writes them, e.g. "BP 2024"."""
    def header(lang: Lang, field: str) -> str:
        return t(f"accounts_io.year_example.{field}", lang, year=year)

    return {lang: (header(lang, "bp"), header(lang, "sow")) for lang in LANGS}


# ---- headers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    pos: int
    header: str
    name: str  # canonical column, e.g. "sow_pct" or "bp_wan_2024"
    base: str  # the field: "sow_pct", "bp_wan", "contribution", ...
    scale: tuple[int, int] = (1, 1)


@dataclass(frozen=True)
class _HeaderMatch:
    base: str
    year: int | None
    unit: str | None  # normalised unit as written, None when the header states none


def _match_header(header: str) -> _HeaderMatch | None:
    """What a header names, or None for a column the import does not use."""
    vocab = _vocabulary()
    h = _norm(header)
    if not h:
        return None
    base, unit = h, None
    if m := _UNIT_PART.fullmatch(h):
        base, unit = m.group(1), m.group(2)
    elif h.endswith("%"):
        base, unit = h[:-1], "%"
    year = None
    if y := _YEAR.search(base):
        year, base = int(y.group(1)), base[: y.start()] + base[y.end():]
    found = vocab.headers.get(base)
    if found is None and year is not None:  # e.g. "BP FY2024" or a Chinese year suffix: drop the word for "year"
        candidates = (c for w in vocab.year_words for c in (base.removeprefix(w), base.removesuffix(w)))
        found = next((vocab.headers[c] for c in candidates if c in vocab.headers), None)
    if found is None and unit is not None and year is None:
        found = vocab.headers.get(h)  # a header whose brackets are part of its name
        unit = None if found else unit
    if found is None or (year is not None and found not in ("bp_wan", "sow_pct")):
        return None
    return _HeaderMatch(found, year, unit)


def _cell_text(value: object) -> str:
    """A cell as the trainee sees it, trimmed; empty for a blank cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_letter(pos: int) -> str:
    letters = ""
    pos += 1
    while pos:
        pos, rem = divmod(pos - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _layout(headers: list[str], file: str, blank: Callable[[int], bool]) -> tuple[dict[str, _Column], list[str]]:
    """Map the file's headers to canonical columns; raise for duplicates, bad units or missing columns."""
    vocab = _vocabulary()
    columns: dict[str, _Column] = {}
    ignored: list[str] = []
    for pos, header in enumerate(headers):
        match = _match_header(header)
        if match is None:
            if not header and blank(pos):
                continue
            if _norm(header) not in RESULT_COLUMNS:
                ignored.append(header or f"[{_column_letter(pos)}]")
            continue
        name = match.base if match.year is None else history_column(match.base, match.year)
        scale = _scale(match, header, file, vocab)
        if name in columns:
            raise InputError("accounts_io.error.duplicate_column", file=file, first=columns[name].header,
                             second=header, column=Text(f"accounts_io.column.{match.base}"))
        columns[name] = _Column(pos, header, name, match.base, scale)
    if "contribution" in columns:
        for flag in ("margin", "revenue"):
            if flag in columns:
                raise InputError("accounts_io.error.duplicate_column", file=file,
                                 first=columns["contribution"].header, second=columns[flag].header,
                                 column=Text(f"accounts_io.column.{flag}"))
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        details = [Text("accounts_io.error.missing_column", {
            "column": Text(f"accounts_io.column.{name}"), "accepted": accepted_headers(name)}) for name in missing]
        if "bp_wan" in missing:
            details.append(Text("accounts_io.error.bp_units", {"units": _unit_list()}))
        found = ", ".join(f"“{h}”" for h in headers if h) or "-"
        raise InputError("accounts_io.error.missing_columns", details=details, file=file, found=found)
    years = sorted({int(n.rsplit("_", 1)[1]) for n in columns if n[-4:].isdigit()})
    if len(years) > MAX_YEARS:
        raise InputError("accounts_io.error.too_many_years", file=file, count=len(years),
                         years=", ".join(map(str, years)), max=MAX_YEARS)
    return columns, ignored


def _unit_list(units: Iterable[str] = _UNIT_SCALES) -> str:
    """A short list of units for a message: a few spellings of each, e.g. ``RMB/yuan/...``."""
    parts = []
    for unit in units:
        en, zh = (t(f"accounts_io.units.{unit}", lang).split("|") for lang in ("en", "zh"))
        parts.append("/".join(dict.fromkeys([*en[:2], zh[0]])))
    return ", ".join(parts)


def _scale(match: _HeaderMatch, header: str, file: str, vocab: _Vocabulary) -> tuple[int, int]:
    """The factor the header's unit asks for; an error for a unit that does not fit the column."""
    if match.base not in ("bp_wan", "sow_pct") or match.unit is None:
        return (1, 1)
    unit = vocab.units.get(match.unit)
    if match.base == "sow_pct":
        if unit == "percent":
            return (1, 1)
        accepted = _unit_list(["percent"])
    else:
        if unit in _UNIT_SCALES:
            return _UNIT_SCALES[unit]
        accepted = _unit_list()
    raise InputError("accounts_io.error.unit", file=file, header=header,
                     column=Text(f"accounts_io.column.{match.base}"), accepted=accepted)


# ---- reading the file ---------------------------------------------------------------------------


@dataclass
class _Sheet:
    headers: list[str]
    data: pd.DataFrame  # positional columns, index = file row numbers
    header_row: int
    hint: Text | None = None  # what to add when the headers are not found (a CSV read in a legacy encoding)


def _required_found(row: list[str]) -> int:
    """How many of the required columns a row names."""
    found = {m.base for m in map(_match_header, row) if m is not None and m.year is None}
    return len(found & set(REQUIRED))


def _find_header(rows: list[list[str]]) -> tuple[int, int]:
    """The first row naming the most required columns among the first rows: (index, how many)."""
    best, count = 0, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _required_found(row)
        if found > count:
            best, count = i, found
            if found == len(REQUIRED):
                break
    return best, count


def _no_header(rows: list[list[str]], file: str, hint: Text | None) -> InputError:
    """The error for a file none of whose first rows names a required column."""
    first = next((row for row in rows if any(c.strip() for c in row)), [])
    details = [Text("accounts_io.error.missing_column", {
        "column": Text(f"accounts_io.column.{name}"), "accepted": accepted_headers(name)}) for name in REQUIRED]
    if hint is not None:
        details.append(hint)
    shown = ", ".join(f"“{clean_text(c.strip())[:40]}”" for c in first if c.strip())[:300] or "-"
    return InputError("accounts_io.error.no_header", details=details, file=file, rows=HEADER_SEARCH_ROWS,
                      first=shown)


def _head_rows(lines: list[str], sep: str) -> list[list[str]]:
    """The first lines as cells, each line on its own and cut short: a header is one short line, and a
    long cell in a data row must not stop the search (the csv module refuses cells over 131,072 characters)."""
    rows = []
    for line in lines:
        try:
            rows.append(next(csv.reader([line[:_HEAD_LINE_CHARS]], delimiter=sep), []))
        except csv.Error:  # e.g. a carriage return inside a quoted cell: not a header row
            rows.append([])
    return rows


def _read_csv(path: Path, file: str) -> _Sheet:
    """Every cell as text; the separator (comma, tab, semicolon) and header row found in the first rows."""
    import pandas as pd

    try:
        raw = path.read_bytes()
    except OSError as exc:
        detail = exc.strerror or str(exc)
        raise InputError("accounts_io.error.unreadable", file=file, kind="CSV", detail=detail) from exc
    decoded = decode_csv(raw, file)
    text = decoded.text
    hint = None if decoded.encoding in ("utf-8", "utf-16") else Text(
        "tables.error.encoding_hint", {"file": file, "encoding": decoded.encoding_name,
                                       "accepted": accepted_encodings()})
    head = [line.rstrip("\r\n") for line in itertools.islice(io.StringIO(text), HEADER_SEARCH_ROWS)]
    if not any(line.strip() for line in head):
        raise InputError("accounts_io.error.empty", file=file)
    found = {sep: _find_header(_head_rows(head, sep)) for sep in (",", "\t", ";")}
    sep = max(found, key=lambda c: found[c][1])  # the first of equals: comma
    header_idx, count = found[sep]
    if count == 0:
        raise _no_header(_head_rows(head, max((",", "\t", ";"), key=head[0].count)), file, hint)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, skiprows=header_idx, dtype=object,
                            na_filter=False, skip_blank_lines=False, engine="c")
    except pd.errors.EmptyDataError as exc:
        raise InputError("accounts_io.error.empty", file=file) from exc
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise InputError("accounts_io.error.csv_fields", file=file, row=int(m.group(2)),
                             found=int(m.group(3)), expected=int(m.group(1))) from exc
        raise InputError("accounts_io.error.unreadable", file=file, kind="CSV", detail=str(exc)[:200]) from exc
    sheet = _split_header(frame, 0, file, skipped=header_idx)
    sheet.hint = hint
    return sheet


def _read_xlsx(path: Path, file: str) -> _Sheet:
    """The first worksheet, every cell as calamine gives it (str, int, float, bool, date).

    The file's unpacked size is checked first: a small .xlsx can unpack to gigabytes.
    """
    check_xlsx_size(path, file)
    import pandas as pd

    try:
        frame = pd.read_excel(path, engine="calamine", header=None, dtype=object, na_filter=False)
    except Exception as exc:  # calamine and zip raise many kinds; all mean the same to the trainee
        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
        raise InputError("accounts_io.error.unreadable", file=file, kind="Excel (.xlsx)", detail=detail) from exc
    rows = [[_cell_text(v) for v in frame.iloc[i]] for i in range(min(HEADER_SEARCH_ROWS, len(frame)))]
    if not any(any(row) for row in rows):
        raise InputError("accounts_io.error.empty", file=file)
    header_idx, count = _find_header(rows)
    if count == 0:
        raise _no_header(rows, file, None)
    return _split_header(frame, header_idx, file)


def _split_header(frame: pd.DataFrame, header_idx: int, file: str, skipped: int = 0) -> _Sheet:
    """Headers from the frame's row ``header_idx``; the rows below it, indexed by file row number."""
    import pandas as pd

    if len(frame) <= header_idx:
        raise InputError("accounts_io.error.empty", file=file)
    headers = [_cell_text(v) for v in frame.iloc[header_idx]]
    data = frame.iloc[header_idx + 1:]
    header_row = skipped + header_idx + 1  # 1-based row of the file; ``skipped`` rows were not read
    data.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(data), name="row")
    data.columns = pd.RangeIndex(len(headers))
    return _Sheet(headers, data, header_row)


# ---- Excel cells formatted as percentages -------------------------------------------------------

_PERCENT_BUILTIN_FORMATS = {9, 10}  # "0%" and "0.00%"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _percent_styles(z: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles whose number format shows a percentage."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(z.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {int(el.get("numFmtId", "-1")): el.get("formatCode", "")
              for el in root.iter() if _local(el.tag) == "numFmt"}
    cell_xfs = next((el for el in root.iter() if _local(el.tag) == "cellXfs"), None)
    if cell_xfs is None:
        return set()
    out = set()
    for i, xf in enumerate(x for x in cell_xfs if _local(x.tag) == "xf"):
        fmt = int(xf.get("numFmtId", "0"))
        code = re.sub(r'"[^"]*"|\\.', "", custom.get(fmt, ""))
        if fmt in _PERCENT_BUILTIN_FORMATS or "%" in code:
            out.add(i)
    return out


def _first_sheet_part(z: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first worksheet (the one pandas reads)."""
    import posixpath
    import xml.etree.ElementTree as ET

    book = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): (r.get("Target", ""), r.get("Type", "")) for r in rels if _local(r.tag) == "Relationship"}
    for sheet in (el for el in book.iter() if _local(el.tag) == "sheet"):
        rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        target, kind = targets.get(rid, ("", ""))
        if target and kind.endswith("/worksheet"):
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


_CELL_WITHOUT_REF = re.compile(rb"<(?:\w+:)?c(?=[\s/>])(?![^>]*\sr=)")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s")
_STYLE_ATTR = re.compile(rb'\ss="([0-9]+)"')


def _percent_cells(path: Path, positions: list[int]) -> dict[int, set[int]]:
    """Per column position (0-based), the rows (1-based) whose cell Excel formats as a percentage.

    calamine gives values only; a cell showing "35%" holds 0.35, so its style is read from the file.
    """
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as z:
            styles = _percent_styles(z)
            if not styles:
                return {}
            part = _first_sheet_part(z)
            data = z.read(part) if part else None
    except (KeyError, ValueError, zipfile.BadZipFile, ET.ParseError):
        data = None
    if data is None or _CELL_WITHOUT_REF.search(data):
        return _percent_cells_openpyxl(path, positions)
    letters = {_column_letter(p).encode(): p for p in positions}
    longest_first = sorted(letters, key=len, reverse=True)
    pattern = re.compile(rb'\sr="(' + b"|".join(longest_first) + rb')([0-9]+)"')
    out: dict[int, set[int]] = {p: set() for p in positions}
    for m in pattern.finditer(data):
        tag = data[data.rfind(b"<", 0, m.start()):data.find(b">", m.end())]
        if not _CELL_TAG.match(tag):
            continue
        style = _STYLE_ATTR.search(tag)
        if (int(style.group(1)) if style else 0) in styles:
            out[letters[m.group(1)]].add(int(m.group(2)))
    return out


def _percent_cells_openpyxl(path: Path, positions: list[int]) -> dict[int, set[int]]:
    """The same, the slow way, for files whose cells carry no references."""
    import openpyxl

    out: dict[int, set[int]] = {p: set() for p in positions}
    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # calamine read the values; without styles, nothing is shown as percent
        return out
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(min_col=min(positions) + 1, max_col=max(positions) + 1):
            for cell in row:
                pos = getattr(cell, "column", 0) - 1
                if (pos in out and cell.row is not None
                        and "%" in re.sub(r'"[^"]*"|\\.', "", str(getattr(cell, "number_format", "")))):
                    out[pos].add(cell.row)
    finally:
        book.close()
    return out


# ---- cells --------------------------------------------------------------------------------------

_BAD = object()  # a cell that is not accepted
_EMPTY_KIND, _NUMBER_KIND, _TEXT_KIND, _OTHER_KIND = 0, 1, 2, 3
_KINDS = {str: _TEXT_KIND, int: _NUMBER_KIND, float: _NUMBER_KIND, type(None): _EMPTY_KIND}


def _texts(col: pd.Series, all_text: bool) -> pd.Series:
    """Every cell as trimmed text."""
    import pandas as pd

    if all_text or pd.api.types.infer_dtype(col, skipna=False) == "string":
        return col.str.strip()
    return col.map(_cell_text)


def _per_unique(col: pd.Series, parse: Callable[[str], Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``parse`` once per distinct cell (code columns hold few), spread back to every row.

    Returns the parsed values, the mask of cells ``parse`` did not accept, and the mask of blank cells.
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=False)
    texts = [_cell_text(u) for u in uniques]
    parsed = np.empty(len(uniques), dtype=object)
    parsed[:] = [parse(text) for text in texts]
    bad = np.fromiter((p is _BAD for p in parsed), dtype=bool, count=len(parsed))
    blank = np.fromiter((not text for text in texts), dtype=bool, count=len(texts))
    return parsed[codes], bad[codes], blank[codes]


def _parse_code(allowed: dict[str, str]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        return None if not text else allowed.get(_norm(text), _BAD)
    return parse


def _parse_flag(text: str) -> Any:
    return False if not text else _vocabulary().flags.get(_norm(text), _BAD)


@cache
def _and_split() -> re.Pattern[str]:
    words = [rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in _vocabulary().and_words]
    return re.compile("|".join([_SEPARATORS.pattern, *words]))


def _parse_contribution(text: str) -> Any:
    """``(margin, revenue)`` from e.g. "Margin, Revenue", "both" or the Chinese words; empty: neither."""
    if not text:
        return (False, False)
    kinds = _vocabulary().contribution
    whole = kinds.get(_norm(text))
    parts = [whole] if whole else [kinds.get(_norm(p)) for p in _and_split().split(
        unicodedata.normalize("NFKC", text).casefold()) if _norm(p)]
    if not parts or None in parts:
        return _BAD
    return ("margin" in parts or "both" in parts, "revenue" in parts or "both" in parts)


def _numbers(col: pd.Series, all_text: bool, percent: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values (NaN where empty or bad), the empty cells, the cells that are not numbers.

    Plain numbers go through ``pd.to_numeric`` at C speed; only the rest (``1,500``, ``35%``,
    full-width digits, ``¥``) are cleaned with vectorised string operations and parsed again.
    """
    import numpy as np
    import pandas as pd

    n = len(col)
    values = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    inferred = "string" if all_text else pd.api.types.infer_dtype(col, skipna=False)
    if inferred == "string":
        text_at = np.arange(n)
        texts = col
        empty = np.zeros(n, dtype=bool)
    elif inferred in ("integer", "floating", "mixed-integer-float"):
        text_at = np.arange(0)
        values = col.to_numpy(dtype=float, copy=True)
        empty = np.isnan(values)
    else:
        cells = col.to_numpy(dtype=object)
        kind = np.fromiter((_KINDS.get(type(v), _OTHER_KIND) for v in cells), dtype=np.int8, count=n)
        number = kind == _NUMBER_KIND
        values[number] = cells[number].astype(float)
        empty = (kind == _EMPTY_KIND) | (number & np.isnan(values))
        bad = kind == _OTHER_KIND
        text_at = np.flatnonzero(kind == _TEXT_KIND)
        texts = pd.Series(cells[text_at], dtype=object)
    if len(text_at):
        parsed = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float, copy=True)
        others = np.flatnonzero(~np.isfinite(parsed))  # blank, or to be cleaned and parsed again
        stripped = texts.iloc[others].str.strip()
        blank = (stripped == "").to_numpy(dtype=bool)
        retry = others[~blank]
        if len(retry):
            cleaned = stripped[~blank].str.normalize("NFKC").str.strip()
            if percent:
                cleaned = cleaned.str.replace(r"\s*%$", "", regex=True)
            else:
                cleaned = cleaned.str.replace(r"^\u00a5\s*", "", regex=True)
            grouped = cleaned.str.fullmatch(_GROUPED).to_numpy(dtype=bool)
            cleaned[grouped] = cleaned[grouped].str.replace(",", "", regex=False)
            plain = cleaned.str.fullmatch(_PLAIN).to_numpy(dtype=bool)
            parsed[retry] = np.nan
            parsed[retry[plain]] = pd.to_numeric(cleaned[plain]).to_numpy(dtype=float)
            bad[text_at[retry[~plain]]] = True
        values[text_at] = parsed
        empty[text_at[others[blank]]] = True
    bad |= ~empty & ~bad & ~np.isfinite(values)
    values[bad] = np.nan
    return values, empty, bad


# ---- the import ---------------------------------------------------------------------------------


class _Steps:
    """Reports progress in hundredths to an optional ``(done, total)`` callback."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.last = -100

    def __call__(self, done: int) -> None:
        done = min(int(done), 100)
        if self.callback is not None and (done - self.last >= 10 or done == 100 > self.last):
            self.last = done
            self.callback(done, 100)


class _Problems:
    """Problems found column by column, sorted by row and column at the end."""

    def __init__(self, rows: np.ndarray, n: int) -> None:
        import numpy as np

        self.rows = rows
        self.bad = np.zeros(n, dtype=bool)
        self.found: list[tuple[int, int, RowProblem]] = []

    def add(self, mask: np.ndarray, column: _Column, key: str, cells: pd.Series | None = None,
            **params: Any) -> None:
        import numpy as np

        where = np.flatnonzero(mask)
        if not len(where):
            return
        self.bad[where] = True
        values = cells.to_numpy(dtype=object)[where] if cells is not None else [None] * len(where)
        for i, value in zip(where, values, strict=True):
            extra = {} if cells is None else {"value": clean_text(_cell_text(value)[:_MAX_VALUE_CHARS])}
            reason = Text(f"accounts_io.problem.{key}", {**params, **extra})
            row = int(self.rows[i])
            self.found.append((row, column.pos, RowProblem(row, column.header, reason)))

    def sorted(self) -> list[RowProblem]:
        return [p for _, _, p in sorted(self.found, key=lambda x: (x[0], x[1]))]


def read_account_table(path: str | Path, progress: Progress | None = None) -> AccountTable:
    """Read an account list (.csv or .xlsx), keep the good rows and report the bad ones.

    Raises ``InputError`` for a missing, unreadable or unsupported file, a missing required
    column (name, BP, SoW: the message lists the accepted headers), two columns for one field,
    or a unit that does not fit its column. ``progress(done, total)`` is called a few times.
    """
    import numpy as np

    path = Path(path)
    file = str(path)
    step = _Steps(progress)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError("accounts_io.error.unsupported", file=file, suffix=path.suffix or path.name)
    if not path.is_file():
        raise InputError("accounts_io.error.missing_file", file=file)
    step(5)
    sheet = _read_csv(path, file) if kind == "csv" else _read_xlsx(path, file)
    read_share = 40 if kind == "csv" else 70
    step(read_share)
    all_text = kind == "csv"
    data = sheet.data
    try:
        columns, ignored = _layout(sheet.headers, file, lambda pos: not _texts(data[pos], all_text).astype(bool).any())
    except InputError as exc:
        if sheet.hint is not None and exc.text.key == "accounts_io.error.missing_columns":
            exc.details.append(sheet.hint)  # the headers may be garbled: say which encoding was read
        raise
    percent_cells: dict[int, set[int]] = {}
    if kind == "xlsx":
        percent_cells = _percent_cells(path, [c.pos for c in columns.values() if c.base == "sow_pct"])
    rows = data.index.to_numpy()
    problems = _Problems(rows, len(data))
    filled = np.zeros(len(data), dtype=bool)
    out: dict[str, Any] = {}
    notices: list[Text] = []
    for done, column in enumerate(columns.values(), 1):
        parser = _ColumnParser(column, data[column.pos], all_text, problems)
        shown = percent_cells.get(column.pos)
        if shown:
            at = parser.shown_as_percent(shown)
            if len(at):
                data = data.copy() if data is sheet.data else data
                data.iloc[at, column.pos] = [f"{v:g}%" for v in parser.values[at]]
                parser.cells = data[column.pos]  # problems quote the cell as Excel shows it
                notices.append(Text("accounts_io.notice.percent_cells", {"count": len(at), "column": column.header}))
        out.update(parser.finish())
        filled |= parser.present
        step(read_share + done * 25 // len(columns))
    keep = filled & ~problems.bad
    frame = _canonical_frame(out, keep, rows, columns)
    blank_rows = set(rows[~filled].tolist())
    if sheet.header_row != 1:
        notices.insert(0, Text("accounts_io.notice.header_row", {"row": sheet.header_row}))
    if ignored:
        notices.append(Text("accounts_io.notice.ignored", {"columns": ", ".join(f"“{h}”" for h in ignored)}))
    sow = frame["sow_pct"].to_numpy()
    if len(sow) >= 2 and 0 < sow.max() <= 1:
        notices.append(Text("accounts_io.notice.fractions", {"column": columns["sow_pct"].header}))
    step(100)
    return AccountTable(
        source=path, frame=frame, problems=[p for p in problems.sorted() if p.row not in blank_rows],
        raw=data.loc[filled].set_axis(sheet.headers, axis=1),
        columns={name: c.header for name, c in columns.items()}, ignored_columns=ignored,
        notices=notices, header_row=sheet.header_row,
    )


class _ColumnParser:
    """One column of the file: its parsed values, which cells hold anything, and its problems."""

    def __init__(self, column: _Column, cells: pd.Series, all_text: bool, problems: _Problems) -> None:
        import numpy as np

        self.column, self.cells, self.all_text, self.problems = column, cells, all_text, problems
        self.values: np.ndarray = np.empty(0)
        base = column.base
        if base in TEXT_LIMITS:
            self._text()
        elif base in ("bp_wan", "sow_pct"):
            self.values, empty, self.unparsable = _numbers(cells, all_text, percent=base == "sow_pct")
            self.present = ~empty
        else:
            parse = {"contribution": _parse_contribution, **dict.fromkeys(FLAG_FIELDS, _parse_flag)}.get(base)
            self.values, unknown, blank = _per_unique(cells, parse or _parse_code(_vocabulary().codes[base]))
            self.present = ~blank
            accepted = Text(f"accounts_io.choices.{'flag' if base in FLAG_FIELDS else base}")
            problems.add(unknown, column, "code", cells, accepted=accepted)

    def _text(self) -> None:
        import numpy as np

        text = _texts(self.cells, self.all_text)
        self.present = (text != "").to_numpy(dtype=bool)
        limit = TEXT_LIMITS[self.column.base]
        lengths = text.str.len().to_numpy()
        if self.column.base == "name":
            self.problems.add(~self.present, self.column, "missing")
        control = text.str.contains(ILLEGAL_CHARACTERS.pattern, regex=True).to_numpy(dtype=bool)
        self.problems.add(control, self.column, "characters")
        for length in np.unique(lengths[lengths > limit]):
            self.problems.add(lengths == length, self.column, "too_long", length=int(length), max=limit)
        self.values = text.to_numpy(dtype=object)

    def shown_as_percent(self, rows_shown: set[int]) -> np.ndarray:
        """Scale the number cells Excel shows as percentages (0.35 shown as 35%) to 35; their positions."""
        import numpy as np

        numbers = np.fromiter((type(v) in (int, float) for v in self.cells.to_numpy(dtype=object)),
                              dtype=bool, count=len(self.cells))
        at = np.flatnonzero(np.isin(self.cells.index.to_numpy(), sorted(rows_shown)) & numbers & self.present)
        self.values[at] = np.round(self.values[at] * 100, 9)
        return at

    def finish(self) -> dict[str, np.ndarray]:
        """Check ranges (after any unit conversion) and return the canonical column(s)."""
        import numpy as np

        column, cells, base = self.column, self.cells, self.column.base
        if base in ("bp_wan", "sow_pct"):
            sow = base == "sow_pct"
            mul, div = column.scale
            values = self.values * mul / div if (mul, div) != (1, 1) else self.values
            self.problems.add(self.unparsable, column, "not_percent" if sow else "not_number", cells)
            if column.name in REQUIRED:
                self.problems.add(~self.present, column, "missing")
            with np.errstate(invalid="ignore"):
                out_of_range = (values < 0) | (values > 100) if sow else values < 0
            self.problems.add(out_of_range, column, "sow_range" if sow else "negative", cells)
            return {column.name: values}
        if base == "contribution":
            pairs = [(False, False) if p is _BAD else p for p in self.values]
            n = len(pairs)
            return {"margin": np.fromiter((p[0] for p in pairs), dtype=bool, count=n),
                    "revenue": np.fromiter((p[1] for p in pairs), dtype=bool, count=n)}
        if base in FLAG_FIELDS:
            return {column.name: np.array([p is True for p in self.values], dtype=bool)}
        if base in CODE_FIELDS:
            return {column.name: np.array([None if p is _BAD else p for p in self.values], dtype=object)}
        return {column.name: self.values}


def _canonical_frame(
    out: dict[str, Any], keep: np.ndarray, rows: np.ndarray, columns: dict[str, _Column]
) -> pd.DataFrame:
    """The kept rows in canonical columns, defaults for the columns the file does not have."""
    import numpy as np
    import pandas as pd

    count = int(keep.sum())
    data: dict[str, Any] = {}
    for name in COLUMNS:
        if name in CODE_FIELDS:
            values = out[name][keep] if name in out else np.full(count, None, dtype=object)
            data[name] = pd.Categorical(values, categories=list(CODE_FIELDS[name]))
        elif name in FLAG_FIELDS:
            data[name] = out[name][keep] if name in out else np.zeros(count, dtype=bool)
        elif name in TEXT_LIMITS:
            data[name] = pd.array(out[name][keep] if name in out else [""] * count, dtype="str")
        else:
            data[name] = out[name][keep]
    years = sorted({int(n.rsplit("_", 1)[1]) for n in columns if n[-4:].isdigit()})
    for year in years:
        for base in ("bp_wan", "sow_pct"):
            name = history_column(base, year)
            data[name] = out[name][keep] if name in out else np.full(count, np.nan)
    return pd.DataFrame(data, index=pd.Index(rows[keep], name="row"))


# ---- into the workbook's model, and back out to a file ------------------------------------------


def _optional(value: Any) -> Any:
    """None for a missing value (NaN, None), else a plain Python value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def to_accounts(table: AccountTable) -> list[Account]:
    """The good rows as ``Account`` models, past years in ``history`` (oldest first)."""
    years = table.history_years
    accounts = []
    for rec in table.frame.to_dict("records"):
        history = []
        for year in years:
            bp = _optional(rec.get(history_column("bp_wan", year)))
            sow = _optional(rec.get(history_column("sow_pct", year)))
            if bp is not None or sow is not None:
                history.append(YearFigures(year=year, bp_wan=bp, sow_pct=sow))
        accounts.append(Account(
            name=rec["name"], industry=rec.get("industry") or "", notes=rec.get("notes") or "",
            bp_wan=_optional(rec["bp_wan"]), sow_pct=_optional(rec["sow_pct"]), history=history,
            **{name: _optional(rec.get(name)) for name in CODE_FIELDS},
            **{name: bool(rec.get(name, False)) for name in FLAG_FIELDS},
        ))
    return accounts


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` (without its index) as .csv (UTF-8 with BOM, so Excel shows Chinese) or .xlsx.

    Both go through ``kamlib.tables``: text stays text (never a formula), the file is replaced in one
    step, and an XLSX of more rows than Excel holds is refused before anything is written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("accounts_io.error.write_suffix", file=str(path), suffix=path.suffix or path.name)
    if suffix == ".csv":
        return write_csv(frame, path)
    rows = itertools.chain([[str(c) for c in frame.columns]], frame.itertuples(index=False, name=None))
    if len(frame) + 1 > EXCEL_MAX_ROWS:
        raise InputError("tables.error.too_many_rows", file=str(path), sheet=path.stem, max=EXCEL_MAX_ROWS)
    write_xlsx([Sheet(path.stem, rows, auto_filter=True)], path)
    return path
