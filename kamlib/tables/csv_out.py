"""The one CSV writer: UTF-8 with BOM (so Excel shows Chinese), text a spreadsheet would run quoted."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kamlib.tables.cells import FORMULA_CHARS, PLAIN_NUMBER, csv_cell
from kamlib.tables.replace_file import replacing

if TYPE_CHECKING:
    import pandas as pd

CSV_CHUNK_ROWS = 10_000  # rows formatted at a time before they are written


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text (no BOM), every cell through ``csv_cell``."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


def write_csv(rows: Iterable[Sequence[object]] | pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the rows to ``path`` as CSV, UTF-8 with BOM, replacing the file in one step.

    ``rows`` may be a pandas DataFrame (its header, then its rows, without the index): its columns are
    converted a column at a time, as ``csv_cell`` converts each value, which is several times faster.
    """
    path = Path(path)
    if hasattr(rows, "columns") and hasattr(rows, "iloc"):
        lines: Iterable[Sequence[object]] = _frame_lines(rows)  # type: ignore[arg-type]
    else:
        lines = ([csv_cell(v) for v in row] for row in rows)
    with replacing(path) as fh:
        fh.write(codecs.BOM_UTF8)
        lines = iter(lines)
        while chunk := list(itertools.islice(lines, CSV_CHUNK_ROWS)):
            buf = io.StringIO()
            csv.writer(buf).writerows(chunk)
            fh.write(buf.getvalue().encode("utf-8"))
    return path


def _frame_lines(frame: pd.DataFrame) -> Iterator[Sequence[object]]:
    """The frame's header and rows as CSV text, a column of a slice of rows at a time."""
    yield [csv_cell(str(c)) for c in frame.columns]
    for start in range(0, len(frame), CSV_CHUNK_ROWS):
        part = frame.iloc[start:start + CSV_CHUNK_ROWS]
        yield from zip(*(_csv_column(part.iloc[:, i]) for i in range(part.shape[1])), strict=True)


def _csv_column(col: pd.Series) -> list[str]:
    """``csv_cell`` of every value of a column: vectorised for numbers and for text-only columns."""
    import numpy as np
    import pandas as pd

    kind = col.dtype.kind if isinstance(col.dtype, np.dtype) else ""
    if kind == "f":
        return [repr(v) if v == v else "" for v in col.to_numpy().tolist()]  # NaN is not equal to itself
    if kind in ("i", "u"):
        return [str(v) for v in col.to_numpy().tolist()]
    values = col.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return [csv_cell(v) for v in values]
    texts = pd.Series(values, dtype=object)
    risky = texts.str.startswith(tuple(FORMULA_CHARS)).to_numpy(dtype=bool)
    if risky.any():
        at = np.flatnonzero(risky)
        plain = texts.iloc[at].str.fullmatch(PLAIN_NUMBER.pattern).to_numpy(dtype=bool)
        at = at[~plain]
        values = values.copy()  # the frame's own array may be read-only
        values[at] = "'" + values[at]
    return values.tolist()
