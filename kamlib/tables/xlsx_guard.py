"""The size check of an XLSX before anything reads it: an XLSX is a zip of XML, and a small one can
unpack to gigabytes."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

from kamlib.errors import InputError

XLSX_MAX_UNPACKED = 100 * 2**20  # what an XLSX may unpack to before it is read: 100 MB
XLSX_MAX_RATIO = 250  # a member packed more tightly than this is not a spreadsheet's XML
XLSX_RATIO_FROM = 2**20  # the ratio is checked for members unpacking to at least 1 MB


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.0f}"


def check_xlsx_size(path: Path, file: str, limit: int | None = None) -> None:
    """Refuse an XLSX that unpacks to more than ``limit`` bytes (``XLSX_MAX_UNPACKED``), before anything reads it.

    An XLSX is a zip of XML files; a small file can unpack to gigabytes. The sizes the zip declares are
    summed first (cheap), a member packed more tightly than ``XLSX_MAX_RATIO`` is refused, then every
    member is unpacked as a stream and counted, so a zip that understates its sizes is caught too.
    A file that is not a zip is left for the reader to report.
    """
    limit = XLSX_MAX_UNPACKED if limit is None else limit
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            declared = sum(i.file_size for i in infos)
            if declared > limit:
                raise InputError("tables.error.xlsx_too_large", file=file, size=_megabytes(declared),
                                 limit=_megabytes(limit))
            for info in infos:
                if info.file_size >= XLSX_RATIO_FROM and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
                    raise InputError("tables.error.xlsx_ratio", file=file, member=info.filename,
                                     ratio=f"{info.file_size / max(info.compress_size, 1):,.0f}",
                                     max=XLSX_MAX_RATIO)
            total = 0
            for info in infos:
                total = _unpacked_size(z, info, total, limit, file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            ValueError) as exc:
        if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
            raise InputError("tables.error.xlsx_damaged", file=file) from exc
        return  # not a zip, or one the reader will report as unreadable


def _unpacked_size(z: zipfile.ZipFile, info: zipfile.ZipInfo, total: int, limit: int, file: str) -> int:
    """``total`` plus the bytes ``info`` really unpacks to; an error once past ``limit``."""
    probe = copy.copy(info)
    probe.file_size = 1 << 62  # read what the data holds, not what the zip declares
    with z.open(probe) as member:
        while chunk := member.read(2**20):
            total += len(chunk)
            if total > limit:
                raise InputError("tables.error.xlsx_too_large", file=file, size=f"> {_megabytes(limit)}",
                                 limit=_megabytes(limit))
    return total
