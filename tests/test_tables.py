"""The one XLSX writer, the one CSV writer, the one CSV reader and the XLSX size check (kamlib.tables)."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import itertools
import os
import re
import struct
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from xlsxwriter.exceptions import FileSizeError

from kamlib import tables
from kamlib.errors import InputError
from kamlib.i18n import LANGS
from kamlib.tables import Sheet, Style, Styled, csv_out

#: Text a spreadsheet would run, as a trainee may type it (OWASP's CSV injection prefixes).
RISKY = ['=HYPERLINK("http://x","click")', "=1+1", "+1+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"]


def xlsx_cells(data: bytes) -> list:
    """Every cell of every sheet that holds something, as openpyxl reads it (after ``assert_text_only``)."""
    assert_text_only(data)
    book = load_workbook(io.BytesIO(data))
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def xlsx_texts(data: bytes) -> list[str]:
    """Every text of every sheet, as calamine (the reader imports use) reads it."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = [row for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python()]
    return [v for row in rows for v in row if isinstance(v, str) and v]


def _unescaped(text: str) -> str:
    """Text with XLSX's ``_xHHHH_`` escapes decoded, as Excel, LibreOffice and calamine read them
    (openpyxl leaves them in inline strings)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), text)


def assert_text_only(data: bytes) -> None:
    """No cell of the XLSX is a formula: none in its sheets' XML, none as openpyxl reads it, and every
    text openpyxl finds is text to calamine too, the same text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert sheets and not [n for n in sheets if re.search(rb"<f[ >/]", z.read(n))]
    book = load_workbook(io.BytesIO(data))
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert calamine.sheet_names == book.sheetnames
    for ws in book.worksheets:
        assert [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
        texts = {(c.row - 1, c.column - 1): _unescaped(c.value) for row in ws.iter_rows() for c in row
                 if c.data_type == "s"}
        read = calamine.get_sheet_by_name(ws.title).to_python(skip_empty_area=False)
        assert {at: read[at[0]][at[1]] for at in texts} == texts


# ---- CSV out ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", RISKY)
def test_csv_cell_quotes_text_a_spreadsheet_would_run(text: str) -> None:
    assert tables.csv_cell(text) == "'" + text


@pytest.mark.parametrize(("value", "shown"), [
    (-5, "-5"), (-5.5, "-5.5"), ("-5", "-5"), ("+12.5", "+12.5"), ("-1e3", "-1e3"), (np.int64(-3), "-3"),
    (np.float64(2.5), "2.5"), (10.0, "10.0"), (True, "TRUE"), (None, ""), (float("nan"), ""), (pd.NA, ""),
    (pd.NaT, ""), (dt.date(2026, 3, 2), "2026-03-02"), (dt.datetime(2026, 3, 2, 9, 30), "2026-03-02 09:30:00"),
    ("plain", "plain"), ("", ""), ("a=b", "a=b"),
])
def test_csv_cell_leaves_numbers_and_plain_text(value: object, shown: str) -> None:
    assert tables.csv_cell(value) == shown


def test_write_csv_has_a_bom_and_no_live_formula(tmp_path: Path) -> None:
    rows = [["name", "value"], *[[text, -5] for text in RISKY]]
    path = tables.write_csv(rows, tmp_path / "out.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r[0] for r in read[1:]] == ["'" + text for text in RISKY]
    assert [r[1] for r in read[1:]] == ["-5"] * len(RISKY)
    assert not [c for r in read for c in r if c[:1] in "=+-@\t\r" and c != "-5"]


@pytest.mark.parametrize("chunk", [3, 10_000])
def test_a_frame_is_written_as_its_rows_would_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(csv_out, "CSV_CHUNK_ROWS", chunk)  # a frame is converted a slice of rows at a time
    frame = pd.DataFrame({
        "text": [*RISKY, "-5", "plain", "", "中文"][:10], "float": [1.5, -5.0, np.nan, 1e20, 0.1, 2, 3, 4, 5, 6],
        "int": np.arange(-5, 5), "nullable": pd.array([1, None, 3, 4, 5, 6, 7, 8, 9, 10], dtype="Int8"),
        "flag": [True, False] * 5, "mixed": ["=x", 1, 2.5, None, True, dt.date(2026, 1, 2), "a", "b", "c", "d"],
        "when": pd.to_datetime(["2026-03-02 09:30"] * 9 + [None]),
        "category": pd.Categorical(["R3", "-A1"] * 5),
    })
    fast = tables.write_csv(frame, tmp_path / "fast.csv").read_bytes()
    rows = [list(frame.columns), *frame.itertuples(index=False, name=None)]
    assert fast == tables.write_csv(rows, tmp_path / "rows.csv").read_bytes()
    read = list(csv.reader(io.StringIO(fast.decode("utf-8-sig"), newline="")))
    assert read[3][:4] == ["'+1+1", "", "-3", "3"] and read[2][3] == "" and read[2][7] == "'-A1"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")

    def rows():
        yield ["a"]
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        tables.write_csv(rows(), path)
    with pytest.raises(RuntimeError):
        tables.write_xlsx([Sheet("s", rows())], tmp_path / "out.csv")
    assert path.read_text(encoding="utf-8") == "old"
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(InputError) as err:
        tables.write_csv([["a"]], tmp_path / "no" / "such" / "out.csv")
    assert all("out.csv" in err.value.message(lang) for lang in LANGS)


# ---- XLSX out --------------------------------------------------------------------------------------


def test_xlsx_text_is_text_never_a_formula_and_bad_characters_are_shown(tmp_path: Path) -> None:
    rows = [["name", "note"], *[[text, f"{text} and more"] for text in RISKY], ["id\x00\x0b\x1f", "#N/A"],
            ["_x0041_ stays", "行\r\n中文"]]
    path = tmp_path / "out.xlsx"
    tables.write_xlsx([Sheet("s", rows)], path)
    cells = xlsx_cells(path.read_bytes())
    assert cells and all(c.data_type == "s" for c in cells)
    shown = xlsx_texts(path.read_bytes())
    assert all(text in shown for text in RISKY) and "#N/A" in shown
    assert "id\ufffd\ufffd\ufffd" in shown and "_x0041_ stays" in shown and "行\r\n中文" in shown
    frame = pd.read_excel(path, engine="calamine", header=None, dtype=object)
    assert frame.iloc[1, 0] == RISKY[0] and frame.iloc[-2, 0] == "id\ufffd\ufffd\ufffd"


def test_xlsx_keeps_values_as_what_they_are() -> None:
    long_text = "x" * (tables.EXCEL_MAX_CHARS + 10)
    rows = [["text", "number", "date", "moment", "share", "flag", "empty"],
            [" spaced ", np.int64(3), dt.date(2026, 2, 10), dt.datetime(2026, 2, 10, 13, 30),
             Styled(0.35, Style(number_format="0%")), True, None],
            [long_text, float("nan"), None, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 1.5, np.bool_(False), pd.NA]]
    data = tables.xlsx_bytes([Sheet("s", rows)], title="T & <x>")
    assert_text_only(data)
    book = load_workbook(io.BytesIO(data))
    ws = book.active
    assert book.properties.title == "T & <x>"
    assert [c.value for c in ws[2]] == [" spaced ", 3, dt.datetime(2026, 2, 10), dt.datetime(2026, 2, 10, 13, 30),
                                        0.35, True, None]
    assert ws["C2"].number_format == "yyyy-mm-dd" and ws["E2"].number_format == "0%"
    assert len(ws["A3"].value) == tables.EXCEL_MAX_CHARS and ws["A3"].value.endswith("\u2026")
    assert ws["B3"].value is None and ws["D3"].value == "2026-01-01 00:00:00+00:00" and ws["F3"].value is False


def shown_width(ws: Any, column: str) -> int:
    """A column's width in characters as Excel shows it (the file stores it with the cell padding)."""
    return int(ws.column_dimensions[column].width)


def test_xlsx_styles_widths_frozen_header_and_filter() -> None:
    rows = [[Styled("Title", Style(bold=True, size=14))],
            [Styled("Head", Style(bold=True, fill="EEF4FA", wrap=True)), "Plain header"],
            ["a", Styled("muted", Style(italic=True, color="595959"))]]
    sheets = [Sheet("Over:view/1", [["x"]], header_row=None, widths=[60]),
              Sheet("Table", rows, header_row=2, auto_filter=True, widths=[30, 12]),
              Sheet("Table", [["auto", "中文标题中文标题"], ["a", "b"]])]
    data = tables.xlsx_bytes(sheets)
    assert_text_only(data)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Over view 1", "Table", "Table 2"]
    over, table, auto = book.worksheets
    assert over.freeze_panes is None and shown_width(over, "A") == 60
    assert table.freeze_panes == "A3" and table.auto_filter.ref == "A2:B3"
    assert table["A1"].font.b and table["A1"].font.sz == 14
    assert table["A2"].fill.fgColor.rgb == "FFEEF4FA" and table["A2"].alignment.wrap_text
    assert table["B2"].font.b  # the header row is bold where a cell has no style of its own
    assert table["B3"].font.i and table["B3"].font.color.rgb == "FF595959" and not table["A3"].font.b
    assert (shown_width(table, "A"), shown_width(table, "B")) == (30, 12)
    assert auto.freeze_panes == "A2" and auto["A1"].font.b
    assert shown_width(auto, "B") == 18  # Chinese characters count two, plus a margin


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    given = ("a[1]", "A 1", "'quoted'", "x" * 40, "x" * 40, "History", "", "\U0001f600" * 20, "tab\there", "a' '")
    names = [tables.sheet_name(n, taken) for n in given]
    assert names == ["a 1", "A 1 2", "quoted", "x" * 31, "x" * 29 + " 2", "History 2", "Sheet", "\U0001f600" * 15,
                     "tab here", "a"]
    assert all(len(n.encode("utf-16-le")) <= 62 and not set(n) & set("[]:*?/\\\t") for n in names)
    assert len({n.casefold() for n in names}) == len(names) and "history" not in {n.casefold() for n in names}
    book = load_workbook(io.BytesIO(tables.xlsx_bytes([Sheet(n, [["x"]]) for n in given])))
    assert book.sheetnames == names  # XlsxWriter, which checks names as Excel does, takes every one


def _rows_ending_at(row: int, value: object) -> Iterator[list[object]]:
    """Empty rows (the writer spends almost nothing on them), then ``value`` alone on row ``row`` (1-based)."""
    yield from itertools.repeat([], row - 1)
    yield [value]


def test_more_rows_than_excel_holds_are_refused_pointing_to_csv(tmp_path: Path) -> None:
    fits = tmp_path / "fits.xlsx"
    tables.write_xlsx([Sheet("fits", _rows_ending_at(tables.EXCEL_MAX_ROWS, "last"), widths=[10])], fits)
    with zipfile.ZipFile(fits) as z:
        assert f'<row r="{tables.EXCEL_MAX_ROWS}"'.encode() in z.read("xl/worksheets/sheet1.xml")
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"old")
    rows = _rows_ending_at(tables.EXCEL_MAX_ROWS + 1, "one too many")  # XlsxWriter alone would drop it silently
    with pytest.raises(InputError) as err:
        tables.write_xlsx([Sheet("big", rows, header_row=None, widths=[10])], path)
    assert ".csv" in err.value.message("en") and "1048576" in err.value.message("zh")
    assert path.read_bytes() == b"old" and not list(tmp_path.glob(".*.tmp"))


def test_a_failed_xlsx_leaves_no_file_behind_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "temp"  # where XlsxWriter keeps the rows until the file is put together
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    out = tmp_path / "out"
    out.mkdir()

    def rows() -> Iterator[list[object]]:
        yield from ([i, "x" * 50] for i in range(10_000))
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        tables.write_xlsx([Sheet("s", [["a"]]), Sheet("t", rows())], out / "book.xlsx")
    with pytest.raises(InputError):
        tables.write_xlsx([Sheet("s", _rows_ending_at(tables.EXCEL_MAX_ROWS + 1, 1))], out / "book.xlsx")
    assert list(temp.iterdir()) == [] and list(out.iterdir()) == []


class _FullDisk(io.BytesIO):
    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_an_xlsx_that_cannot_be_written_or_is_too_large_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError) as err:
        tables.write_xlsx([Sheet("s", [["a"]])], _FullDisk())
    assert "No space left on device" in err.value.message("en")

    def too_large(self: xlsxwriter.Workbook) -> None:
        raise FileSizeError("Filesize would require ZIP64 extensions.")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", too_large)
    sheets = [Sheet("small", [["a"]]), Sheet("large", [["a", "b"]] * 3)]
    with pytest.raises(InputError) as err:
        tables.xlsx_bytes(sheets)
    assert "large" in err.value.message("en") and "csv" in err.value.message("zh").lower()


def test_text_past_excels_limit_is_cut_in_utf16_units_with_an_ellipsis() -> None:
    text = "\U0001f600" * tables.EXCEL_MAX_CHARS  # each is two UTF-16 units
    cut = tables.xlsx_text(text)
    assert len(cut.encode("utf-16-le")) // 2 <= tables.EXCEL_MAX_CHARS and cut.endswith("\u2026")
    assert set(cut[:-1]) == {"\U0001f600"}  # no half character
    assert tables.xlsx_text("\ud800 ok\x07") == "\ufffd ok\ufffd"
    assert xlsx_texts(tables.xlsx_bytes([Sheet("s", [[text]])]))[0] == cut


# ---- every XLSX the workbook writes ---------------------------------------------------------------


def _account_plan_xlsx(tmp_path: Path) -> bytes:
    """The Account Plan export, its accounts named as a trainee might type a formula."""
    from kamlib.export import export_xlsx
    from tests.export_fixtures import NOW, full_workbook

    wb = full_workbook("zh")
    items = wb.plan.portfolio.items
    for i, account in enumerate(items):
        items[i] = account.model_copy(update={"name": f"{RISKY[i % 3]} {i}"})
    return export_xlsx(wb, "zh", now=NOW)


def _gradebook_xlsx(tmp_path: Path) -> bytes:
    """The gradebook export, a trainee named as a formula and a comment holding control characters."""
    from kamlib import gradebook as gb
    from kamlib.model.workbook import Trainee
    from kamlib.submission import Submission, submission_name

    at = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    for who, name in (("evil", RISKY[0]), ("li.wei", "李伟")):
        sub = Submission(exercise_id="ex00", trainee=Trainee(id=who, name=name), submitted_at=at, answers={})
        path = tmp_path / "subs" / who / submission_name("ex00", at)
        path.parent.mkdir(parents=True)
        path.write_text(sub.model_dump_json(), encoding="utf-8")
    gb.grade_class([tmp_path / "subs"], tmp_path / "book")
    gb.import_manual_csv(tmp_path / "book", text="trainee,exercise,item,points,comment\nli.wei,ex00,q7,1,ok\x0b=1+1\n")
    return gb.write_exports(tmp_path / "book", "zh")[-1].read_bytes()


def _screened_xlsx(tmp_path: Path) -> bytes:
    """What ``kam screen --out`` writes for a list whose notes look like formulas."""
    from kamlib.cli import main as kam

    notes = [*RISKY, "中文备注", "nul\x00here"]
    source = tmp_path / "accounts.csv"
    write = csv.writer(buf := io.StringIO())
    write.writerows([["Account", "BP", "SoW", "Notes"], *([f"A{i}", 500, 50, n] for i, n in enumerate(notes))])
    source.write_text(buf.getvalue(), encoding="utf-8")
    out = tmp_path / "screened.xlsx"
    assert kam(["screen", str(source), "--out", str(out), "--lang", "zh"]) == 0
    return out.read_bytes()


@pytest.mark.parametrize(("make", "expected"), [
    (_account_plan_xlsx, RISKY[:3]),
    pytest.param(_gradebook_xlsx, [RISKY[0], "ok\ufffd=1+1"], marks=pytest.mark.solutions),
    (_screened_xlsx, [*RISKY[:5], "中文备注"]),
], ids=["account-plan", "gradebook", "kam-screen"])
def test_every_xlsx_the_workbook_writes_holds_text_never_a_formula(
    tmp_path: Path, make: Callable[[Path], bytes], expected: list[str]
) -> None:
    data = make(tmp_path)
    assert_text_only(data)
    texts = xlsx_texts(data)
    assert all(any(text.startswith(e) for text in texts) for e in expected)


# ---- CSV in ----------------------------------------------------------------------------------------

SAMPLE = "客户名称,采购能力,钱包份额\n甲公司,1500,35\n北京电子股份有限公司,300,10\n"
TRADITIONAL = "客戶名稱,採購能力,錢包份額\n台北電子股份有限公司,1500,35\n高雄鋼鐵,300,10\n"


@pytest.mark.parametrize(("data", "text", "encoding"), [
    (SAMPLE.encode("utf-8"), SAMPLE, "utf-8"),
    (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), SAMPLE, "utf-8"),
    (SAMPLE.encode("utf-16"), SAMPLE, "utf-16"),
    (SAMPLE.encode("gbk"), SAMPLE, "gb18030"),
    (SAMPLE.encode("gb18030"), SAMPLE, "gb18030"),
    (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
    (("Account,BP,SoW\n" + TRADITIONAL.split("\n", 1)[1]).encode("big5"),
     "Account,BP,SoW\n" + TRADITIONAL.split("\n", 1)[1], "big5"),
])
def test_decode_csv_reads_the_encodings_chinese_excel_saves(data: bytes, text: str, encoding: str) -> None:
    assert tables.decode_csv(data, "f.csv") == tables.Decoded(text, encoding)


def test_decode_csv_refuses_other_bytes_naming_the_encodings() -> None:
    with pytest.raises(InputError) as err:
        tables.decode_csv(b"\x81\xff\xfe\x80 plain", "f.csv")
    for lang in LANGS:
        message = err.value.message(lang)
        assert "f.csv" in message and all(e in message for e in ("UTF-8", "GB18030", "Big5"))
    with pytest.raises(InputError) as err:
        tables.decode_csv(b"PK\x03\x04" + bytes(200), "f.csv")
    assert "not a CSV text file" in err.value.message("en")
    assert tables.decode_csv(b"a,b\nx\x00y,1\n", "f.csv").text == "a,b\nx\x00y,1\n"  # a stray NUL is a cell's


def test_csv_rows_names_the_row_of_a_cell_too_long_for_the_csv_module() -> None:
    text = "a,b\n1,2\n3," + "x" * (csv.field_size_limit() + 1) + "\n"
    with pytest.raises(InputError) as err:
        tables.csv_rows(text, "marks.csv")
    assert "marks.csv, row 3" in err.value.message("en") and "marks.csv 第 3 行" in err.value.message("zh")
    assert tables.csv_rows("a;b\n1;2\n", "x") == [["a", "b"], ["1", "2"]]


# ---- XLSX in ---------------------------------------------------------------------------------------


def padded_xlsx(path: Path, pad: int, dense: bool = True) -> Path:
    """A valid XLSX whose sheet carries ``pad`` bytes of spaces (they compress about 1000-fold), or of
    random letters in an XML comment (``dense=False``: they hardly compress)."""
    tables.write_xlsx([Sheet("s", [["Account", "BP", "SoW"], ["A", 1, 1]])], path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    filler = b" " * pad if dense else b"<!--" + os.urandom(pad // 2).hex().encode() + b"-->"
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", filler + b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_an_xlsx_unpacking_past_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = padded_xlsx(tmp_path / "bomb.xlsx", 3 << 20, dense=False)
    tables.check_xlsx_size(path, "bomb.xlsx")  # 3 MB at the default limit: fine
    with pytest.raises(InputError) as err:
        tables.check_xlsx_size(path, "bomb.xlsx", limit=2 << 20)
    assert "bomb.xlsx unpacks to 3 MB, more than the 2 MB" in err.value.message("en")
    assert "2 MB" in err.value.message("zh") and "CSV" in err.value.message("zh")


def test_an_xlsx_packed_like_a_bomb_is_refused(tmp_path: Path) -> None:
    path = padded_xlsx(tmp_path / "dense.xlsx", 40 << 20)
    with pytest.raises(InputError) as err:
        tables.check_xlsx_size(path, "dense.xlsx")
    assert "xl/worksheets/sheet1.xml" in err.value.message("en") and "250" in err.value.message("zh")


def _understate(path: Path, member: str, size: int) -> None:
    """Rewrite the sizes ``path``'s zip declares for ``member`` (local header and central directory)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, size)
            at += 4
    path.write_bytes(bytes(data))


def test_an_xlsx_that_understates_its_size_is_caught_while_unpacking(tmp_path: Path) -> None:
    path = padded_xlsx(tmp_path / "forged.xlsx", 3 << 20, dense=False)
    _understate(path, "xl/worksheets/sheet1.xml", 1000)
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    with pytest.raises(InputError) as err:
        tables.check_xlsx_size(path, "forged.xlsx", limit=2 << 20)
    assert "forged.xlsx" in err.value.message("en") and "2 MB" in err.value.message("en")
    tables.check_xlsx_size(tmp_path / "missing.xlsx", "missing.xlsx")  # not a zip: left to the reader
