"""Text from outside (file and zip entry names, ids, a parser's message quoting a file) made safe to show.

A trainee chooses their file names and what their files hold. Printed raw, a control character can move the
terminal's cursor, recolour or clear a line, or write a fake line of the report; a bidi override (U+202E)
reorders what follows it; and the same characters make a spreadsheet export fail. ``printable`` writes each
of them as an escape instead, so the name is still recognisable and nothing it holds takes effect.
"""

from __future__ import annotations

import re
import unicodedata

# control (C0, DEL, C1), format (bidi marks and overrides, zero-width characters), lone surrogates,
# line and paragraph separators
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> bool:
    code = ord(char)
    noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE  # never valid in XML, so in XLSX
    return noncharacter or unicodedata.category(char) in _ESCAPED_CATEGORIES


def _escape(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: object, keep: str = "") -> str:
    """``text`` as a string with every control, format, surrogate and separator character written as an
    escape (``\\x1b``, ``\\n``, ``\\u202e``); letters of any script, digits, punctuation and spaces stay,
    and so do the characters in ``keep`` (e.g. ``"\\n"`` for the lines of a written answer in a CSV cell)."""
    value = str(text)
    if value.isprintable():  # the usual case; isprintable is stricter than needed (e.g. no-break space)
        return value
    return "".join(_escape(c) if _escaped(c) and c not in keep else c for c in value)


# A name a trainee chose that becomes a file or folder name (ids, groups, exchange folders).
_SAFE_NAME = re.compile(r"\w[\w.@-]{0,63}")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def is_safe_name(name: str) -> bool:
    """Whether ``name`` can be a file or folder name everywhere: letters, digits, ``_ . @ -``, not ``..``,
    no trailing dot, not a reserved device name; at most 64 characters."""
    return (
        isinstance(name, str)
        and _SAFE_NAME.fullmatch(name) is not None
        and ".." not in name
        and not name.endswith(".")
        and name.split(".")[0].lower() not in _RESERVED
    )
