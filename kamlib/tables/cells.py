"""One value as a table cell: text XLSX can hold, CSV text a spreadsheet will not run, display width."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

REPLACEMENT = "\ufffd"

#: Characters an XLSX (XML 1.0) cannot hold: C0 controls but tab and line breaks, surrogates, U+FFFE/FFFF.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_CHARS = frozenset("=+-@\t\r")  # a cell starting with one of these may run in a spreadsheet
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def missing(value: object) -> bool:
    """None, NaN, pandas' NA and NaT: an empty cell."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds; anything else as it is."""
    item = getattr(value, "item", None)
    if item is not None and type(value).__module__ == "numpy":
        return item()
    return value


def clean_text(text: str) -> str:
    """``text`` with every character XLSX cannot hold replaced by U+FFFD."""
    return ILLEGAL_CHARACTERS.sub(REPLACEMENT, text)


def csv_cell(value: object) -> str:
    """One value as CSV text: empty for a missing value, dates as ISO dates, and text that a
    spreadsheet would run (``=``, ``+``, ``-``, ``@``, tab, carriage return first) behind an apostrophe."""
    if isinstance(value, str):
        if value[:1] in FORMULA_CHARS and not PLAIN_NUMBER.fullmatch(value):
            return "'" + value
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(float(value))
    value = plain(value)
    if missing(value):
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_cell(value if isinstance(value, str | int | float) else str(value))


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: Chinese characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
