"""The one CSV reader: the file's bytes decoded (UTF-8, UTF-16 with BOM, GB18030/GBK, Big5), then split
into rows on whichever delimiter the first line uses."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from kamlib.errors import InputError
from kamlib.i18n import Text

CSV_ENCODINGS = ("utf-8", "gb18030", "big5")  # tried in this order (UTF-16 is read when it has a BOM)
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030/GBK", "big5": "Big5"}
_NOT_TEXT_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx) and OLE (xls)
_CONTROL_BYTES = frozenset(set(range(32)) - {9, 10, 12, 13})  # no text file holds many of these
_TEXT_SAMPLE = 4096


@dataclass(frozen=True)
class Decoded:
    """A CSV file's text and the encoding it was read with."""

    text: str
    encoding: str

    @property
    def encoding_name(self) -> str:
        """The encoding as people name it, e.g. ``GB18030/GBK``."""
        return ENCODING_NAMES[self.encoding]


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\u00a0-\u00ff]")
_SAMPLE_CHARS = 200_000


def _misread_share(text: str) -> float:
    """Share of the non-ASCII characters that are not Chinese characters or punctuation.

    Big5 bytes read as GB18030 decode without an error but give kana, Greek, Cyrillic, box drawing and
    private-use characters in between; real Chinese text has almost none.
    """
    sample = text[:_SAMPLE_CHARS]
    other = sum(1 for c in sample if c > "\x7f")
    if not other:
        return 0.0
    return 1 - len(_HAN.findall(sample)) / other


def _looks_like_text(data: bytes) -> bool:
    """Not a zip (.xlsx) or an old .xls, and no more than a stray control byte or two in the first 4 KB
    (a cell may hold one; a binary file, or UTF-16 without its BOM, holds many)."""
    if data.startswith(_NOT_TEXT_SIGNATURES):
        return False
    sample = data[:_TEXT_SAMPLE]
    controls = sum(1 for b in sample if b in _CONTROL_BYTES)
    return controls <= max(8, len(sample) // 50)


def accepted_encodings() -> Text:
    """The encodings a CSV may have, as a message part."""
    return Text("tables.encodings")


def decode_csv(data: bytes, file: str) -> Decoded:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK or Big5.

    UTF-8 is taken whenever the bytes are UTF-8. Otherwise GB18030 and Big5 are both tried, and the
    one whose text looks like Chinese wins (Big5 bytes also decode as GB18030, into nonsense).
    Raises ``InputError`` for a file that is not text or in none of these encodings.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise InputError("tables.error.encoding", file=file, accepted=accepted_encodings()) from exc
    if not _looks_like_text(data):
        raise InputError("tables.error.not_text", file=file)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    found: list[Decoded] = []
    for encoding in CSV_ENCODINGS[1:]:
        try:
            found.append(Decoded(data.decode(encoding), encoding))
        except UnicodeDecodeError:
            continue
    if not found:
        raise InputError("tables.error.encoding", file=file, accepted=accepted_encodings())
    return min(found, key=lambda d: _misread_share(d.text))  # the first of equals: GB18030


def read_csv_file(path: Path, file: str | None = None) -> Decoded:
    """Read and decode a CSV file; a missing or unreadable file is an ``InputError`` naming it."""
    file = file or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("tables.error.missing_file", file=file) from exc
    except OSError as exc:
        raise InputError("tables.error.unreadable", file=file, detail=exc.strerror or str(exc)) from exc
    return decode_csv(data, file)


def csv_rows(text: str, file: str) -> list[list[str]]:
    """Rows of a CSV text: comma, semicolon or tab, whichever the first line uses most.

    A cell longer than the csv module takes (131,072 characters) is an ``InputError`` naming the row.
    """
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise InputError("tables.error.csv_cell", file=file, row=reader.line_num, limit=csv.field_size_limit(),
                         detail=str(exc)[:200]) from exc
    return rows
