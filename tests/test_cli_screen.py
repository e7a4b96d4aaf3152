"""`kam screen`: summary in the trainee's language, boxes written back, clear errors."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kamlib.cli import main as kam
from kamlib.i18n import t

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")

# (name, BP in 万元, SoW %, expected box) at and around the deck's bounds
KNOWN = [
    ("Alpha", "500", "50", "R3"),
    ("Beta", "99.9", "0", "P0"),
    ("Gamma", "300", "10", "D2"),
    ("Delta", "100", "9.99", "A1"),
    ("Epsilon", "1,500", "49.9%", "D3"),
    ("Zeta", "0", "100", "R0"),
]


def known_list(tmp_path: Path, extra: str = "") -> Path:
    rows = [f'{n},"{bp}",{sow},note' for n, bp, sow, _ in KNOWN]
    path = tmp_path / "accounts.csv"
    path.write_text("Account,BP (万元),SoW %,Notes\n" + "\n".join(rows) + "\n" + extra, encoding="utf-8")
    return path


def test_screen_prints_summary_and_writes_boxes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "screened.csv"
    assert kam(["screen", str(known_list(tmp_path)), "--out", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "6 rows read, 6 classified, 0 skipped" in printed
    lines = {line.split()[0]: line.split() for line in printed.splitlines() if re.match(r"^[RDAP][0-3] ", line)}
    assert len(lines) == 16
    assert lines["R3"][-3:] == ["1", "500.0", "20.0%"] and lines["D3"][-3:] == ["1", "1,500.0", "60.0%"]
    assert lines["P0"][-3] == "1" and lines["A2"][-3:] == ["0", "0.0", "0.0%"]
    assert re.search(r"Total\s+6\s+2,499.9\s+100.0%", printed)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    written = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert list(written.columns) == ["Account", "BP (万元)", "SoW %", "Notes", "status", "level", "box"]
    assert list(written["box"]) == [box for *_, box in KNOWN]
    assert list(written["status"]) == [box[0] for *_, box in KNOWN]
    assert list(written["level"]) == [box[1] for *_, box in KNOWN]
    assert list(written["BP (万元)"]) == [bp for _, bp, _, _ in KNOWN]  # the rows as they were


def test_screen_writes_xlsx_and_keeps_skipped_rows_without_a_box(tmp_path: Path) -> None:
    path = known_list(tmp_path, extra="Broken,abc,10,\nNo SoW,5,,\n")
    out = tmp_path / "screened.xlsx"
    assert kam(["screen", str(path), "--out", str(out)]) == 0
    written = pd.read_excel(out, engine="calamine")
    assert list(written.columns[-3:]) == ["status", "level", "box"]
    assert list(written["box"].iloc[:6]) == [box for *_, box in KNOWN]
    assert written["box"].iloc[6:].isna().all() and written["level"].iloc[6:].isna().all()
    assert list(written["Account"].iloc[6:]) == ["Broken", "No SoW"]


def test_screen_reports_skipped_rows_with_a_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = "".join(f"Bad{i},{i},150\n" for i in range(25))
    assert kam(["screen", str(known_list(tmp_path, extra=bad)), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "31 rows read, 6 classified, 25 skipped" in printed
    assert "Problems by column: “SoW %” 25" in printed
    problem_lines = [line for line in printed.splitlines() if line.startswith("  row ")]
    assert len(problem_lines) == 20 and problem_lines[0].startswith("  row 8, “SoW %”: 150 is outside")
    assert "… and 5 more problems." in printed


def test_screen_in_chinese_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kam(["screen", str(known_list(tmp_path))]) == 0
    printed = capsys.readouterr().out
    assert "读取 6 行" in printed and "R 可保有的" in printed and "合计" in printed


@pytest.mark.parametrize("where", ["after", "before", "env"])
def test_screen_in_english_has_no_chinese_but_the_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    path = str(known_list(tmp_path, extra="Broken,abc,10,\nOther,1,1,\n"))
    argv = {"after": ["screen", path, "--lang", "en"], "before": ["--lang", "en", "screen", path],
            "env": ["screen", path]}[where]
    if where == "env":
        monkeypatch.setenv("KAM_LANG", "en")
    assert kam([*argv, "--out", str(tmp_path / "o.csv")]) == 0
    printed = capsys.readouterr().out
    assert "Retainable" in printed and "skipped" in printed
    assert set(CJK.findall(printed)) == {"万", "元"}


def test_screen_uses_the_course_settings(tmp_path: Path, home: Path) -> None:
    (home / "course-settings.toml").write_text("[radp]\nbp_level3_wan = 450\n", encoding="utf-8")
    path = tmp_path / "a.csv"
    path.write_text("Account,BP,SoW\nA,460,50\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert kam(["screen", str(path), "--out", str(out)]) == 0
    assert pd.read_csv(out, encoding="utf-8-sig")["box"].tolist() == ["R3"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, ["does not exist"]),
        (bytes(range(256)) * 8, ["not a CSV text file"]),
        (b"Account,Sales\nA,1\n", ["lacks required columns", "SoW", "BP"]),
    ],
)
def test_screen_errors_exit_non_zero_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, words: list[str]
) -> None:
    path = tmp_path / "list.csv"
    if content is not None:
        path.write_bytes(content)
    assert kam(["screen", str(path), "--lang", "en"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and str(path) in captured.err
    assert all(w in captured.err for w in words) and "Traceback" not in captured.err


def test_screen_garbled_xlsx_from_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip" * 50)
    done = subprocess.run([sys.executable, "-m", "kamlib.cli", "screen", str(path), "--lang", "en"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"The account list {path} cannot be read as Excel (.xlsx)" in done.stderr


def test_screen_refuses_a_bad_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = known_list(tmp_path)
    assert kam(["screen", str(path), "--out", str(tmp_path / "o.json"), "--lang", "en"]) == 2
    assert kam(["screen", str(path), "--out", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "“.json”" in err and "choose another file" in err
    assert path.read_text(encoding="utf-8").startswith("Account,BP")


# ---- hostile and unusual files ------------------------------------------------------------------------

#: Text cells a spreadsheet would run: nine start with "=", twelve with another OWASP prefix (21 in all).
FORMULAS = ['=HYPERLINK("http://x","click")', "=1+1", "=cmd|' /C calc'!A0", "=SUM(A1:A2)", "=A1", "=2*3",
            '=IMPORTXML("http://x","//a")', '=WEBSERVICE("http://x")', "=Z9"]
OTHER_PREFIXES = ["+1+1", "-1+2", "@SUM(1)", "\tx", "\rx", "+cmd", "-cmd", "@x", "+A1", "-A1", "@A1", "-2+3"]


def risky_list(tmp_path: Path, texts: list[str]) -> Path:
    """One account per text, the text as its name's suffix-free note; BP -5 stays a number."""
    rows = [["Account", "BP", "SoW", "Notes"]] + [[f"Acc{i}", str(10 + i), "5", text] for i, text in enumerate(texts)]
    rows.append(["Negative", "-5", "5", ""])
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path = tmp_path / "risky.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_screen_writes_formula_like_text_to_xlsx_as_text(tmp_path: Path) -> None:
    out = tmp_path / "screened.xlsx"
    assert kam(["screen", str(risky_list(tmp_path, FORMULAS)), "--out", str(out), "--lang", "en"]) == 0
    cells = [c for row in openpyxl.load_workbook(out).active.iter_rows() for c in row if c.value is not None]
    assert [c for c in cells if c.data_type == "f"] == []  # 9 live formulas before
    notes = [c.value for c in cells if c.column == 4][1:]
    assert notes[:len(FORMULAS)] == FORMULAS


def test_screen_neutralises_formula_prefixes_in_csv(tmp_path: Path) -> None:
    out = tmp_path / "screened.csv"
    texts = FORMULAS + OTHER_PREFIXES
    assert len(texts) == 21
    assert kam(["screen", str(risky_list(tmp_path, texts)), "--out", str(out), "--lang", "en"]) == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and c != "-5"] == []  # 21 before
    assert [row[3] for row in rows[1:22]] == ["'" + text for text in texts]
    assert rows[22][:2] == ["Negative", "-5"]  # a genuine number is left alone


def test_screen_reports_a_huge_cell_as_a_row_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["Account,BP,SoW,Notes", "A,10,5,n", "Big,10,5," + "x" * 10_000_000, *[f"R{i},1,1,n" for i in range(5)]]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert kam(["screen", str(path), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "7 rows read, 6 classified, 1 skipped" in printed
    assert "row 3, “Notes”: is too long: 10000000 characters, at most 5000." in printed


def nul_xlsx(path: Path) -> Path:
    """An XLSX (as Excel-like writers make it) whose row 202 holds a NUL byte, well after the first 4 KB."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Account", "BP", "SoW", "Notes"])
    for i in range(300):
        sheet.append([f"Account {i}", i, 5, "MARK" if i == 200 else "note"])
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    member = next(name for name, data in parts.items() if b"MARK" in data)
    assert parts[member].index(b"MARK") > 4096
    parts[member] = parts[member].replace(b"MARK", b"NU\x00L")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_screen_reports_a_nul_byte_as_a_row_problem_and_still_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    out = tmp_path / "screened.xlsx"
    assert kam(["screen", str(nul_xlsx(tmp_path / "nul.xlsx")), "--out", str(out), "--lang", lang]) == 0
    printed = capsys.readouterr().out
    reason = t("accounts_io.problem.characters", lang)
    assert t("accounts_io.problem_line", lang, row=202, column="Notes", reason=reason) in printed
    written = pd.read_excel(out, engine="calamine")
    assert len(written) == 300 and written["Notes"].iloc[200] == "NU\ufffdL"
    assert pd.isna(written["box"].iloc[200]) and written["box"].iloc[:200].notna().all()


def test_screen_refuses_an_xlsx_that_unpacks_past_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kamlib.tables import xlsx_guard as tables  # the module whose limit the import applies

    path = tmp_path / "list.xlsx"
    frame = pd.DataFrame({"Account": [f"A{i}" for i in range(100)], "BP": range(100), "SoW": 5,
                          "Notes": [os.urandom(15_000).hex() for _ in range(100)]})  # 3 MB, hardly compressed
    frame.to_excel(path, index=False)
    monkeypatch.setattr(tables, "XLSX_MAX_UNPACKED", 2 << 20)
    for lang in ("en", "zh"):
        assert kam(["screen", str(path), "--lang", lang]) == 2
        err = capsys.readouterr().err
        assert str(path) in err and " 2 MB" in err and "CSV" in err and "Traceback" not in err


def test_screen_refuses_more_rows_than_xlsx_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = "".join(f"A{i},1,1\n" for i in range(1_048_576))
    path = tmp_path / "huge.csv"
    path.write_text("Account,BP,SoW\n" + rows, encoding="utf-8")
    out = tmp_path / "screened.xlsx"
    assert kam(["screen", str(path), "--out", str(out), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "1048576" in err and "Write a .csv file instead" in err and not out.exists()
