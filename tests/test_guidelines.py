"""Chapter 1.4, the screening guidelines checklist: the criteria met, historical output, the accounts to check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kamlib.guidelines import CRITERIA, checklist_rows, criteria_met, our_output, output_ranking, with_criteria
from kamlib.i18n import LANGS, t
from kamlib.model import load_workbook
from kamlib.model.workbook import Account, KeyAccountPick, YearFigures

THIS_YEAR = 2025


def _account(name: str, bp: float | None, sow: float | None, past: tuple[tuple[float, float], ...] = (),
             **fields) -> Account:
    history = [YearFigures(year=THIS_YEAR - len(past) + i, bp_wan=b, sow_pct=s) for i, (b, s) in enumerate(past)]
    return Account(name=name, bp_wan=bp, sow_pct=sow, history=history, **fields)


def test_the_five_criteria_are_the_decks_in_its_order() -> None:
    # 历史产出的排序 · 年度是否有重大项目和商机 · 是否属于行业标杆企业 · 是否具有行业影响力 · 是否是打击竞争的关键客户
    assert CRITERIA == ("output_rank", "major_opportunity", "benchmark", "industry_influence", "fight_competitor")
    words = ("历史产出", "重大项目和商机", "行业标杆企业", "行业影响力", "打击竞争")
    for word, c in zip(words, CRITERIA, strict=True):
        assert word in t(f"ch1.criterion.{c}", "zh")
    for lang in LANGS:
        guidelines = t("ch1.guidelines", lang)
        assert all(t(f"ch1.criterion_short.{c}", lang) for c in CRITERIA)
        assert "BP" in guidelines and "SoW%" in guidelines


def test_criteria_met_are_the_ticks_and_the_benchmark_flag_in_the_decks_order() -> None:
    a = Account(name="A", criteria=["fight_competitor", "output_rank"], benchmark=True)
    assert criteria_met(a) == ("output_rank", "benchmark", "fight_competitor")
    assert criteria_met(Account(name="B")) == ()


def test_with_criteria_sets_exactly_the_ticks_and_the_benchmark() -> None:
    a = Account(name="A", benchmark=True, criteria=["output_rank"])
    b = with_criteria(a, ["industry_influence", "major_opportunity"])
    assert b.criteria == ["major_opportunity", "industry_influence"] and b.benchmark is False
    c = with_criteria(b, ["benchmark"])
    assert c.criteria == [] and c.benchmark is True and criteria_met(c) == ("benchmark",)
    with pytest.raises(ValueError, match="unknown"):
        with_criteria(a, ["bp_sow"])


def test_historical_output_is_bp_times_sow_over_the_three_years() -> None:
    a = _account("A", 1000, 50, ((800, 25), (900, 10), (600, 10)))  # 2022 is older than the three years
    assert our_output(a, THIS_YEAR) == pytest.approx(500 + 90 + 60)
    assert our_output(Account(name="none"), THIS_YEAR) is None


def test_output_ranking_puts_the_largest_first_and_ties_share_a_place() -> None:
    accounts = [_account("small", 100, 10), _account("big", 1000, 50), _account("tie", 100, 10),
                _account("empty", None, None)]
    ranks = output_ranking(accounts, THIS_YEAR)
    by_name = {a.name: ranks.get(a.id) for a in accounts}
    assert by_name == {"big": 1, "small": 2, "tie": 2, "empty": None}


def test_checklist_lists_level3_eligible_candidates_and_picks_eligible_first() -> None:
    top = _account("Top", 900, 60, ((800, 55), (850, 50)))
    candidate = _account("Cand", 2000, 30)  # R/D level 3 this year only: history missing
    level3 = _account("L3", 700, 5)  # level 3, A, not a benchmark: to check, neither Top nor Strategic
    small_pick = _account("Small", 50, 60, ((50, 60), (50, 60)))
    small = _account("Ignored", 50, 60)
    rows = checklist_rows([small, level3, candidate, small_pick, top],
                          [KeyAccountPick(account_id=small_pick.id, kind="top")], this_year=THIS_YEAR)
    assert [r.account.name for r in rows] == ["Top", "Cand", "Small", "L3"]
    assert [r.standing for r in rows] == ["eligible", "candidate", "other", "other"]
    assert rows[0].box == "R3" and rows[1].qualification.missing == (2023, 2024)
    assert rows[2].pick == "top"


def test_a_workbook_saved_before_the_checklist_loads(workbook_file: Path) -> None:
    data = json.loads(workbook_file.read_text(encoding="utf-8"))
    data["plan"]["portfolio"]["items"] = [{"id": "a1", "name": "Old Co", "bp_wan": 800, "sow_pct": 20}]
    workbook_file.write_text(json.dumps(data), encoding="utf-8")
    (account,) = load_workbook(workbook_file).plan.portfolio.items
    assert account.criteria == [] and criteria_met(account) == ()


@pytest.mark.parametrize("anonymise", [False, True])
def test_the_checklist_reaches_the_account_plan_export(anonymise: bool) -> None:
    from kamlib.export import build_document
    from kamlib.model.workbook import Trainee, Workbook

    wb = Workbook(trainee=Trainee(id="li.wei", name="Li Wei"))
    top = _account("Harbour Bank", 900, 60, ((800, 55), (850, 50)), industry="Banking",
                   criteria=["output_rank", "fight_competitor"])
    wb.plan.portfolio.items = [top, _account("New Steel", 1200, 30, industry="Steel"), _account("Tiny", 10, 0)]
    doc = build_document(wb, "en", anonymise=anonymise)
    (table,) = [tb for b in doc.blocks for tb in b.tables() if tb.sheet == t("export.sheet.guidelines", "en")]
    headers = [c.header for c in table.columns]
    assert headers[3:8] == [t(f"ch1.criterion_short.{c}", "en") for c in CRITERIA]
    harbour, steel = table.rows
    yes, no = t("export.yes", "en"), t("export.no", "en")
    assert harbour[1:] == ("R3", "Top account", yes, no, no, no, yes, 2)
    assert steel[2] == "Top candidate: figures missing for 2023, 2024" and steel[-1] == 0
    names = " ".join(str(cell) for row in table.rows for cell in row)
    assert ("Harbour Bank" in names) is not anonymise
