"""Import of real account lists (CSV, XLSX): headers, units, cells, bad rows, round trips."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kamlib.accounts_io import (
    CODE_FIELDS,
    COLUMNS,
    HEADER_FIELDS,
    AccountTable,
    read_account_table,
    to_accounts,
    write_table,
)
from kamlib.errors import InputError
from kamlib.i18n import LANGS, catalog

ENGLISH = (
    "Account name,Industry,Segment,BP (万元),SoW %,Benchmark,Size/influence,Contribution,Coverage,"
    "Relationship,Work order,Notes\n"
    "ACME,Manufacturing,lb,1500,35,yes,large,\"Margin, Revenue\",OS,good,near,renewal\n"
    "Beta,Finance,GA,99.9,0,no,Small,Revenue,channel,Poor,long,\n"
)
CHINESE = (
    "客户名称,行业,客户群,采购能力（万元）,钱包份额（%）,行业标杆,规模/影响力,贡献,覆盖方式,关系,工作顺序,备注\n"
    "ACME,Manufacturing,大企业,\"1,500\",35%,是,大,毛利和收入,OS,好,近期,renewal\n"
    "Beta,Finance,政府,99.9,0%,否,小,收入,渠道,差,远期,\n"
)


def write(tmp_path: Path, text: str, name: str = "list.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def minimal(rows: list[str], header: str = "Account,BP,SoW") -> str:
    return "\n".join([header, *rows]) + "\n"


def test_english_headers(tmp_path: Path) -> None:
    table = read_account_table(write(tmp_path, ENGLISH))
    f = table.frame
    assert list(f.columns) == list(COLUMNS)
    assert list(f.index) == [2, 3] and f.index.name == "row"
    assert f.loc[2, "name"] == "ACME" and f.loc[2, "industry"] == "Manufacturing"
    assert (f.loc[2, "bp_wan"], f.loc[2, "sow_pct"]) == (1500, 35)
    assert (f.loc[3, "bp_wan"], f.loc[3, "sow_pct"]) == (99.9, 0)
    assert list(f["segment"]) == ["lb", "ga"] and list(f["influence"]) == ["large", "small"]
    assert list(f["benchmark"]) == [True, False]
    assert list(f["margin"]) == [True, False] and list(f["revenue"]) == [True, True]
    assert list(f["coverage"]) == ["os", "channel"] and list(f["relationship"]) == ["good", "poor"]
    assert list(f["work_order"]) == ["near", "long"] and list(f["notes"]) == ["renewal", ""]
    assert table.problems == [] and table.ignored_columns == [] and table.notices == []
    assert table.columns["sow_pct"] == "SoW %"


def test_chinese_headers_and_values_give_the_same_table(tmp_path: Path) -> None:
    english = read_account_table(write(tmp_path, ENGLISH, "en.csv")).frame
    chinese = read_account_table(write(tmp_path, CHINESE, "zh.csv")).frame
    pd.testing.assert_frame_equal(english, chinese)


def test_header_spellings_are_case_space_and_width_insensitive(tmp_path: Path) -> None:
    text = minimal(["ACME,10,5"], header="  ACCOUNT  NAME ,ｂｐ（万元）, sow(％) ")
    table = read_account_table(write(tmp_path, text))
    assert table.frame.loc[2, ["bp_wan", "sow_pct"]].tolist() == [10, 5]
    assert table.columns == {"name": "ACCOUNT  NAME", "bp_wan": "ｂｐ（万元）", "sow_pct": "sow(％)"}


@pytest.mark.parametrize(
    ("header", "cell", "wan"),
    [
        ("BP (元)", "5,000,000", 500.0),
        ("BP (RMB)", "1000000", 100.0),
        ("Annual purchase (yuan)", "2999999", 299.9999),
        ("年采购额(元)", "15000", 1.5),
        ("BP (万元)", "500", 500.0),
        ("BP", "500", 500.0),
        ("采购能力(千元)", "5000", 500.0),
        ("BP (million RMB)", "5", 500.0),
    ],
)
def test_bp_units_as_the_header_states(tmp_path: Path, header: str, cell: str, wan: float) -> None:
    table = read_account_table(write(tmp_path, minimal([f'ACME,"{cell}",10'], header=f"Account,{header},SoW")))
    assert table.frame.loc[2, "bp_wan"] == pytest.approx(wan, abs=1e-12)


def test_yuan_conversion_is_exact_at_level_bounds(tmp_path: Path) -> None:
    text = minimal(["A,5000000,10", "B,4999999,10", "C,1000000,10"], header="Account,BP (元),SoW")
    bp = read_account_table(write(tmp_path, text)).frame["bp_wan"].tolist()
    assert bp[0] == 500 and bp[1] < 500 and bp[2] == 100


@pytest.mark.parametrize("header", ["BP (USD)", "BP (美元)", "BP (%)"])
def test_a_unit_that_does_not_fit_is_an_error(tmp_path: Path, header: str) -> None:
    with pytest.raises(InputError) as err:
        read_account_table(write(tmp_path, minimal(["A,1,1"], header=f"Account,{header},SoW")))
    assert header in err.value.message("en") and "万元" in err.value.message("en")
    assert header in err.value.message("zh")


def test_sow_header_with_another_unit_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_account_table(write(tmp_path, minimal(["A,1,0.3"], header="Account,BP,SoW (fraction)")))
    assert "SoW (fraction)" in err.value.message("en")


@pytest.mark.parametrize(
    ("bp", "sow", "expected"),
    [
        ("1,500", "35%", (1500, 35)),
        ("  12,345.5 ", " 35 % ", (12345.5, 35)),
        ("１，５００", "３５％", (1500, 35)),
        ("¥1,500", "100%", (1500, 100)),
        ("1500", "0.35", (1500, 0.35)),  # a fraction is not guessed: 0.35 means 0.35 %
        ("0", "0", (0, 0)),
        ("1.5E+3", "1e1", (1500, 10)),
    ],
)
def test_cells_with_separators_and_percent_signs(tmp_path: Path, bp: str, sow: str, expected: tuple) -> None:
    table = read_account_table(write(tmp_path, minimal([f'ACME,"{bp}","{sow}"'])))
    assert table.problems == []
    assert tuple(table.frame.loc[2, ["bp_wan", "sow_pct"]]) == expected


@pytest.mark.parametrize("bp", ["1,50", "1.500,5", "1 500", "15%", "n/a", "nan", "inf", "1_000", "(5)", "12万"])
def test_numbers_that_are_not_accepted(tmp_path: Path, bp: str) -> None:
    table = read_account_table(write(tmp_path, minimal([f'A,"{bp}",10', "B,1,10"])))
    assert list(table.frame["name"]) == ["B"]
    [problem] = table.problems
    assert (problem.row, problem.column) == (2, "BP")
    assert bp in problem.message("en") and "not a number" in problem.message("en")


def test_range_bounds(tmp_path: Path) -> None:
    rows = ["A,0,0", "B,-0.01,10", "C,1,-0.01", "D,1,100", "E,1,100.01", "F,1e9,100%"]
    table = read_account_table(write(tmp_path, minimal(rows)))
    assert list(table.frame["name"]) == ["A", "D", "F"]
    assert [(p.row, p.column) for p in table.problems] == [(3, "BP"), (4, "SoW"), (6, "SoW")]
    assert "negative" in table.problems[0].message("en") and "0–100" in table.problems[2].message("en")


def test_history_columns_become_account_history(tmp_path: Path) -> None:
    header = ("Account,BP,SoW,BP 2024 (万元),2023 BP (万元),2024年钱包份额(%),SoW 2023 %,"
              "2022年采购能力(万元),BP FY2021 (元)")
    text = minimal(["ACME,600,55,550,500,52,48,,4000000", "Beta,50,0,,,,,,"], header=header)
    table = read_account_table(write(tmp_path, text))
    assert table.history_years == [2021, 2022, 2023, 2024]
    assert table.frame.loc[2, "bp_wan_2024"] == 550 and table.frame.loc[2, "sow_pct_2023"] == 48
    acme, beta = to_accounts(table)
    assert [(y.year, y.bp_wan, y.sow_pct) for y in acme.history] == [
        (2021, 400.0, None), (2023, 500.0, 48.0), (2024, 550.0, 52.0)]
    assert beta.history == []
    assert (acme.bp_wan, acme.sow_pct) == (600, 55)


def test_more_than_five_past_years_is_an_error(tmp_path: Path) -> None:
    header = "Account,BP,SoW," + ",".join(f"BP {y}" for y in range(2018, 2024))
    with pytest.raises(InputError) as err:
        read_account_table(write(tmp_path, minimal(["A,1,1,1,1,1,1,1,1"], header=header)))
    assert "2018" in err.value.message("en") and "5" in err.value.message("en")


BAD = (
    "Account,Segment,BP (万元),SoW %,Benchmark,Relationship\n"
    "Good one,lb,500,50,yes,good\n"  # row 2
    ",lb,500,50,yes,good\n"  # row 3: no name
    "Too much,lb,500,150,yes,good\n"  # row 4: SoW above 100
    "Negative,lb,-5,10,yes,good\n"  # row 5: negative BP
    "No BP,lb,,10,yes,good\n"  # row 6: missing BP
    "Mars,martian,abc,10,maybe,great\n"  # row 7: four problems
    "\n"  # row 8: blank, not a problem
    "Good two,ga,99.9,0,,\n"  # row 9
)


def test_bad_rows_are_reported_and_good_rows_import(tmp_path: Path) -> None:
    table = read_account_table(write(tmp_path, BAD))
    assert list(table.frame["name"]) == ["Good one", "Good two"]
    assert list(table.frame.index) == [2, 9]
    assert [(p.row, p.column) for p in table.problems] == [
        (3, "Account"), (4, "SoW %"), (5, "BP (万元)"), (6, "BP (万元)"),
        (7, "Segment"), (7, "BP (万元)"), (7, "Benchmark"), (7, "Relationship"),
    ]
    assert table.skipped_rows == 5 and table.rows_read == 7
    en = [p.message("en") for p in table.problems]
    zh = [p.message("zh") for p in table.problems]
    assert en[0] == "row 3, “Account”: is empty; a value is required."
    assert zh[0] == "第 3 行“Account”：是空的，必须填写。"
    assert "150" in en[1] and "0–100" in en[1] and "150" in zh[1] and "0–100" in zh[1]
    assert "-5" in en[2] and "negative" in en[2] and "负数" in zh[2]
    assert "empty" in en[3] and "必须填写" in zh[3]
    assert "“martian”" in en[4] and "home, smb, lb, industry or ga" in en[4] and "家庭" in zh[4]
    assert "“abc” is not a number" in en[5] and "“abc”不是数字" in zh[5]
    assert "“maybe”" in en[6] and "“great”" in en[7] and "good, average or poor" in en[7]


def test_too_long_text_is_reported_not_cut(tmp_path: Path) -> None:
    table = read_account_table(write(tmp_path, minimal(["x" * 121 + ",1,1", "ok,1,1"])))
    assert list(table.frame["name"]) == ["ok"]
    assert "121" in table.problems[0].message("en") and "120" in table.problems[0].message("en")


def test_missing_required_columns_name_the_accepted_headers(tmp_path: Path) -> None:
    path = write(tmp_path, "Customer,Sales rep\nACME,Li\n")
    with pytest.raises(InputError) as err:
        read_account_table(path)
    en, zh = err.value.message("en"), err.value.message("zh")
    assert str(path) in en and str(path) in zh
    assert "“Customer”" in en and "“Sales rep”" in en
    for text in (en, zh):
        assert "BP" in text and "年采购额" in text and "SoW" in text and "钱包份额" in text
        assert "Account name" not in text.split("Headers found")[0]  # the name column is there
    assert "buying power" in en and "share of wallet" in en and "采购能力" in zh


def test_two_columns_for_one_field_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_account_table(write(tmp_path, minimal(["A,B,1,1"], header="Account,客户名称,BP,SoW")))
    assert "“Account”" in err.value.message("en") and "“客户名称”" in err.value.message("en")


def test_unknown_columns_are_ignored_and_listed(tmp_path: Path) -> None:
    text = minimal(["A,Li,1,1,x"], header="Account,Sales rep,BP,SoW,")
    table = read_account_table(write(tmp_path, text))
    assert table.ignored_columns == ["Sales rep", "[E]"]
    assert "“Sales rep”" in table.notices[-1].render("en")
    assert list(table.raw.columns) == ["Account", "Sales rep", "BP", "SoW", ""]


def test_contribution_in_one_column_or_two(tmp_path: Path) -> None:
    cells = ["Margin", "Revenue", "Margin, Revenue", "毛利、收入", "both", "", "margin and revenue", "Margin/收入"]
    rows = [f'A{i},1,1,"{c}"' for i, c in enumerate(cells)] + ["Bad,1,1,loss"]
    table = read_account_table(write(tmp_path, minimal(rows, header="Account,BP,SoW,Contribution")))
    f = table.frame
    assert list(zip(f["margin"], f["revenue"], strict=True)) == [
        (True, False), (False, True), (True, True), (True, True), (True, True), (False, False),
        (True, True), (True, True)]
    assert [(p.row, p.column) for p in table.problems] == [(10, "Contribution")]
    two = read_account_table(write(tmp_path, minimal(["A,1,1,Y,0"], header="Account,BP,SoW,毛利,Revenue"), "2.csv"))
    assert (bool(two.frame.loc[2, "margin"]), bool(two.frame.loc[2, "revenue"])) == (True, False)


def test_header_below_a_title_row_keeps_file_row_numbers(tmp_path: Path) -> None:
    text = "重点客户筛选工具表,,\nAccount,BP,SoW\nA,1,1\nB,1,500\n"
    table = read_account_table(write(tmp_path, text))
    assert table.header_row == 2 and list(table.frame.index) == [3]
    assert table.problems[0].row == 4
    assert "row 2" in table.notices[0].render("en")


def test_gbk_and_tab_separated_files(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("客户名称\t采购能力(万元)\t钱包份额(%)\n甲公司\t1,500\t35%\n".encode("gb18030"))
    table = read_account_table(path)
    assert table.frame.loc[2, ["name", "bp_wan", "sow_pct"]].tolist() == ["甲公司", 1500, 35]


def test_csv_written_with_bom_opens_in_excel(tmp_path: Path) -> None:
    table = read_account_table(write(tmp_path, CHINESE))
    out = write_table(table.raw, tmp_path / "out.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    pd.testing.assert_frame_equal(read_account_table(out).frame, table.frame)


def test_xlsx_round_trip(tmp_path: Path) -> None:
    header = "Account,Industry,Segment,BP (万元),SoW %,BP 2024,SoW 2024 %,Benchmark,Contribution,Work order,Notes"
    text = minimal(["甲公司,制造,lb,1500,35,1400,30,yes,Margin,near,n1", "Beta,,ga,99.9,0,,,no,,,",
                    "Gamma,Retail,home,300,50,,,,Revenue,long,"], header=header)
    table = read_account_table(write(tmp_path, text))
    out = write_table(table.frame, tmp_path / "canonical.xlsx")
    again = read_account_table(out)
    assert again.problems == [] and again.ignored_columns == []
    pd.testing.assert_frame_equal(again.frame, table.frame)
    raw = write_table(table.raw, tmp_path / "raw.xlsx")
    pd.testing.assert_frame_equal(read_account_table(raw).frame, table.frame)
    assert to_accounts(again)[0].model_dump(exclude={"id"}) == to_accounts(table)[0].model_dump(exclude={"id"})


def test_excel_cells_shown_as_percent_are_read_as_shown(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Account", "BP", "SoW", "SoW 2024"])
    sheet.append(["A", 500, 0.5, 0.35])
    sheet.append(["B", 100, "35%", 0.35])
    sheet.append(["C", 100, 0.0999, 12])
    for cell in ("C2", "D2", "C4"):
        sheet[cell].number_format = "0.0%"
    path = tmp_path / "pct.xlsx"
    book.save(path)
    table = read_account_table(path)
    assert table.frame["sow_pct"].tolist() == [50, 35, pytest.approx(9.99)]
    assert table.frame["sow_pct_2024"].tolist() == [35, 0.35, 12]
    assert any("percent" in n.render("en") for n in table.notices)


def test_fractions_are_not_guessed_but_noticed(tmp_path: Path) -> None:
    table = read_account_table(write(tmp_path, minimal(["A,1,0.35", "B,1,0.5", "C,1,0"])))
    assert table.frame["sow_pct"].tolist() == [0.35, 0.5, 0]
    assert any("0.35" in n.render("en") and "“SoW”" in n.render("en") for n in table.notices)


def test_xlsx_cell_types(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Account", "BP", "SoW", "Benchmark"])
    sheet.append([12345, 1500, 35, True])
    sheet.append(["B", True, 35, False])
    sheet.append(["C", "1,500", "35%", 1])
    path = tmp_path / "types.xlsx"
    book.save(path)
    table = read_account_table(path)
    assert table.frame["name"].tolist() == ["12345", "C"]
    assert table.frame["benchmark"].tolist() == [True, True]
    assert [(p.row, p.column) for p in table.problems] == [(3, "BP")]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("missing.csv", None, ["does not exist"]),
        ("list.ods", b"x", [".ods", ".xlsx"]),
        ("garbled.xlsx", bytes(range(256)) * 20, ["cannot be read"]),
        ("binary.csv", b"PK\x03\x04\x00\x00" + bytes(range(256)), ["not a CSV text file"]),
        ("empty.csv", b"", ["empty"]),
    ],
)
def test_unreadable_files_are_explained(tmp_path: Path, name: str, content: bytes | None, words: list[str]) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_account_table(path)
    message = err.value.message("en")
    assert str(path) in message and all(w in message for w in words)
    assert str(path) in err.value.message("zh")


def test_ragged_csv_row_is_explained(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_account_table(write(tmp_path, minimal(["A,1,1", "B,1,500,000"])))
    assert "row 3" in err.value.message("en") and "4" in err.value.message("en")


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    read_account_table(write(tmp_path, ENGLISH), progress=lambda done, total: calls.append((done, total)))
    assert 2 <= len(calls) <= 12 and calls[-1] == (100, 100)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_write_table_refuses_other_formats_and_explains_failures(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(InputError) as err:
        write_table(frame, tmp_path / "out.json")
    assert "“.json”" in err.value.message("en") and ".xlsx" in err.value.message("en")
    with pytest.raises(InputError) as err:
        write_table(frame, tmp_path / "no" / "such" / "folder.csv")
    assert "folder.csv" in err.value.message("en")


def test_large_list_matches_a_row_by_row_reading(tmp_path: Path) -> None:
    """The vectorised import against plain Python on random messy cells."""
    rng = np.random.default_rng(7)
    n = 2000
    bp = np.round(rng.uniform(-50, 5000, n), 1)
    sow = np.round(rng.uniform(-10, 120, n), 2)
    bp_cells = [f"{v:,.1f}" if i % 3 == 0 else (f" {v} " if i % 3 == 1 else str(v)) for i, v in enumerate(bp)]
    sow_cells = [f"{v}%" if i % 2 else str(v) for i, v in enumerate(sow)]
    for i in range(0, n, 97):
        bp_cells[i] = "oops"
    frame = pd.DataFrame({"Account": [f"A{i}" for i in range(n)], "BP (万元)": bp_cells, "SoW %": sow_cells})
    table = read_account_table(write_table(frame, tmp_path / "big.csv"))
    expected_rows: list[int] = []
    expected_bad: set[int] = set()
    for i in range(n):
        try:
            b = float(bp_cells[i].strip().replace(",", ""))
        except ValueError:
            b = math.nan
        ok = not math.isnan(b) and b >= 0 and 0 <= sow[i] <= 100
        if ok:
            expected_rows.append(i + 2)
        else:
            expected_bad.add(i + 2)
    assert list(table.frame.index) == expected_rows
    assert {p.row for p in table.problems} == expected_bad
    assert np.allclose(table.frame["sow_pct"], sow[np.array(expected_rows) - 2])


# ---- the catalogs' spellings ------------------------------------------------------------------


def _listed(key: str) -> list[str]:
    return [s for lang in LANGS for s in catalog(lang)[key].split("|")]


def test_no_spelling_means_two_things() -> None:
    from kamlib.accounts_io import _norm

    def clashes(groups: dict[str, list[str]]) -> dict[str, set[str]]:
        seen: dict[str, set[str]] = {}
        for name, spellings in groups.items():
            for s in spellings:
                seen.setdefault(_norm(s), set()).add(name)
        return {s: names for s, names in seen.items() if len(names) > 1}

    assert clashes({f: [f, *_listed(f"accounts_io.headers.{f}")] for f in HEADER_FIELDS}) == {}
    for field, codes in CODE_FIELDS.items():
        assert clashes({c: [c, *_listed(f"accounts_io.values.{field}.{c}")] for c in codes}) == {}
    assert clashes({v: _listed(f"accounts_io.values.{v}") for v in ("yes", "no")}) == {}


def test_every_listed_value_spelling_is_accepted(tmp_path: Path) -> None:
    rows, expected = [], []
    for field, codes in CODE_FIELDS.items():
        for code in codes:
            for spelling in _listed(f"accounts_io.values.{field}.{code}"):
                cells = {f: "" for f in CODE_FIELDS} | {field: spelling}
                rows.append(",".join(["A", "1", "1", *cells.values()]))
                expected.append((field, code))
    header = "Account,BP,SoW," + ",".join(CODE_FIELDS)
    table = read_account_table(write(tmp_path, minimal(rows, header=header)))
    assert table.problems == []
    assert [table.frame.iloc[i][field] for i, (field, _) in enumerate(expected)] == [c for _, c in expected]


def test_account_table_is_a_dataclass_with_the_source(tmp_path: Path) -> None:
    path = write(tmp_path, ENGLISH)
    table = read_account_table(path)
    assert isinstance(table, AccountTable) and table.source == path
    assert all(isinstance(a.bp_wan, float) and isinstance(a.benchmark, bool) for a in to_accounts(table))
    assert to_accounts(table)[1].segment == "ga" and to_accounts(table)[1].work_order == "long"


# ---- headers below a title block, encodings, characters no spreadsheet holds -----------------------------

TITLE_BLOCK = "".join(["Key account screening 2026\n", "Department: East,,\n", *["\n"] * 5,
                       "Prepared by: someone\n", ",,\n", "Source: CRM export\n", "Figures in 万元\n"])


def test_a_header_in_row_12_below_a_title_block_is_found(tmp_path: Path) -> None:
    text = TITLE_BLOCK + minimal(["A,100,10", "B,200,20"])
    table = read_account_table(write(tmp_path, text))
    assert table.header_row == 12 and list(table.frame.index) == [13, 14]
    assert table.frame["name"].tolist() == ["A", "B"] and table.problems == []
    book = openpyxl.Workbook()
    for line in text.splitlines():
        book.active.append(line.split(","))
    book.save(tmp_path / "titled.xlsx")
    table = read_account_table(tmp_path / "titled.xlsx")
    assert table.header_row == 12 and table.frame["name"].tolist() == ["A", "B"]


@pytest.mark.parametrize("lang", LANGS)
def test_no_header_row_says_so_and_lists_the_headers_accepted(tmp_path: Path, lang: str) -> None:
    text = TITLE_BLOCK + "".join(f"x{i},1,2\n" for i in range(20)) + minimal(["A,100,10"])  # header in row 32
    with pytest.raises(InputError) as err:
        read_account_table(write(tmp_path, text))
    message = err.value.message(lang)
    assert str(tmp_path / "list.csv") in message and "20" in message
    assert "“Key account screening 2026”" in message
    for accepted in ("Account name", "BP", "SoW", "客户名称", "采购能力", "钱包份额"):
        assert accepted in message
    assert "3 cells where the header row has 1" not in err.value.message("en")


BIG5 = "客戶名稱,採購能力(萬元),錢包份額(%)\n台北電子股份有限公司,1500,35\n高雄鋼鐵,300,10\n"


def test_big5_lists_are_read_as_big5(tmp_path: Path) -> None:
    path = tmp_path / "big5.csv"
    path.write_bytes(BIG5.encode("big5"))
    table = read_account_table(path)
    assert table.frame[["name", "bp_wan", "sow_pct"]].values.tolist() == [
        ["台北電子股份有限公司", 1500, 35], ["高雄鋼鐵", 300, 10]]
    english = "Account,BP,SoW\n" + BIG5.split("\n", 1)[1]
    path.write_bytes(english.encode("big5"))
    assert read_account_table(path).frame["name"].tolist() == ["台北電子股份有限公司", "高雄鋼鐵"]


@pytest.mark.parametrize("lang", LANGS)
def test_headers_not_found_in_a_legacy_encoding_name_the_encoding(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "big5.csv"
    path.write_bytes("客戶,金額,比例\n台北電子,1500,35\n".encode("big5"))
    with pytest.raises(InputError) as err:
        read_account_table(path)
    message = err.value.message(lang)
    assert " Big5" in message and "“客戶”" in message  # read right, so the headers found are legible
    assert all(e in message for e in ("UTF-8", "GB18030", "Big5")) and "CSV UTF-8" in message


@pytest.mark.parametrize("where", [10, 300])
def test_control_characters_in_a_cell_are_a_row_problem(tmp_path: Path, where: int) -> None:
    rows = [f"Account number {i},{i},5,note" for i in range(400)]
    rows[where] = "Nul\x00name,10,5,no\x0bte"
    table = read_account_table(write(tmp_path, minimal(rows, header="Account,BP,SoW,Notes")))
    row = where + 2
    assert [(p.row, p.column) for p in table.problems] == [(row, "Account"), (row, "Notes")]
    assert "not allowed" in table.problems[0].reason.render("en") and len(table.frame) == 399
    assert "\x00" not in table.problems[0].message("en")


def test_write_table_refuses_more_rows_than_xlsx_holds_before_writing(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": np.zeros(1_048_576)})
    with pytest.raises(InputError) as err:
        write_table(frame, tmp_path / "big.xlsx")
    assert "1048576" in err.value.message("en") and ".csv" in err.value.message("zh")
    assert not (tmp_path / "big.xlsx").exists()
