"""Chapter 1 logic: RADP on a whole list, Top and Strategic, work order, 20/80."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kamlib.errors import InputError
from kamlib.model.workbook import Account, AccountPlan, KeyAccountPick, Section, YearFigures
from kamlib.screening import (
    BOXES,
    account_mode,
    check_picks,
    classify,
    classify_rows,
    eligible_as,
    key_account_candidates,
    pareto_check,
    pick_order,
    propose_key_accounts,
    qualify,
    reference_year,
    suggested_work_order,
    work_order,
)
from kamlib.settings import PickSettings, RadpSettings

SOW = [100, 50, 49.99, 10, 9.99, 0.01, 0, 30]
BP = [500, 499.99, 300, 299.99, 100, 99.99, 0, 1e6]


def test_classify_matches_the_row_by_row_rules_at_every_boundary() -> None:
    out = classify(SOW, BP)
    assert list(out["box"].astype(str)) == classify_rows(SOW, BP)
    assert list(out["box"].astype(str)) == ["R3", "R2", "D2", "D1", "A1", "A0", "P0", "D3"]
    assert out["status"].dtype == "category" and list(out["status"].cat.categories) == ["R", "D", "A", "P"]
    assert list(out["box"].cat.categories) == list(BOXES)
    assert out["level"].dtype == np.int8


def test_classify_keeps_a_series_index_and_uses_settings() -> None:
    sow = pd.Series([30.0, 60.0], index=["a", "b"])
    out = classify(sow, pd.Series([400.0, 400.0], index=["a", "b"]), RadpSettings(bp_level3_wan=400))
    assert list(out.index) == ["a", "b"] and list(out["box"].astype(str)) == ["D3", "R3"]


def test_bad_rows_are_errors_naming_the_rows() -> None:
    with pytest.raises(InputError) as err:
        classify([10, 130, float("nan"), 5], [100, 100, 100, -1])
    en, zh = err.value.message("en"), err.value.message("zh")
    assert "3 rows" in en and "row 2" in en and "row 3" in en and "row 4" in en
    assert "Buying power BP (万元 = 10,000 yuan)" in en and "第 2 行" in zh


def _account(name: str, years: list[tuple[float, float]], benchmark: bool = False) -> Account:
    *past, (bp, sow) = years
    history = [YearFigures(year=2023 + i, bp_wan=b, sow_pct=s) for i, (b, s) in enumerate(past)]
    return Account(name=name, bp_wan=bp, sow_pct=sow, history=history, benchmark=benchmark)


def test_top_and_strategic_need_every_year() -> None:
    assert eligible_as(_account("t", [(600, 60), (700, 40), (800, 55)])) == "top"
    assert eligible_as(_account("dip", [(400, 60), (700, 40), (800, 55)])) is None  # level 2 once
    assert eligible_as(_account("mixed", [(600, 5), (700, 40), (800, 55)])) is None  # A once
    assert eligible_as(_account("s", [(600, 5), (700, 0), (800, 8)], benchmark=True)) == "strategic"
    assert eligible_as(_account("nb", [(600, 5), (700, 0), (800, 8)])) is None  # not a benchmark
    assert eligible_as(Account(name="empty")) is None


def test_proposal_takes_the_largest_bp_up_to_the_picks_in_force() -> None:
    accounts = [_account(f"t{i}", [(600, 60), (600, 55), (500 + i, 60)]) for i in range(5)]
    proposed = propose_key_accounts(accounts, picks=PickSettings(top=3))
    assert [a.name for a in proposed["top"]] == ["t4", "t3", "t2"]


def test_check_picks_explains_each_break_of_the_rule() -> None:
    good = _account("Good", [(800, 40), (600, 60), (700, 55)])
    low = _account("Low", [(200, 60), (200, 60), (200, 60)])
    strat = _account("Strat", [(900, 60), (900, 60), (900, 60)])
    plan = AccountPlan(
        portfolio=Section[Account](items=[good, low, strat]),
        key_accounts=[KeyAccountPick(account_id=good.id, kind="top"), KeyAccountPick(account_id=low.id, kind="top"),
                      KeyAccountPick(account_id=strat.id, kind="strategic")],
    )
    problems = [p.render("en") for p in check_picks(plan)]
    assert any("“Low” is LEVEL1 in this year" in p for p in problems)
    assert any("“Strat” has status R" in p for p in problems)
    assert any("not marked as an industry benchmark" in p for p in problems)
    assert any("You picked 2 Top accounts; the rule is 3" in p for p in problems)
    assert any("You picked 1 Strategic account; the rule is 2" in p for p in problems)
    assert not any("Good" in p for p in problems)


# ---- "连续3年": this year and the two years just before it (COURSE.md 1.6) ------------------------------

THIS_YEAR = 2025


def _years(name: str, figures: dict[int, tuple[float, float]], benchmark: bool = False) -> Account:
    """An account from {year: (BP, SoW)}; THIS_YEAR's figures are this year's."""
    bp, sow = figures.pop(THIS_YEAR, (None, None))
    history = [YearFigures(year=y, bp_wan=b, sow_pct=s) for y, (b, s) in sorted(figures.items())]
    return Account(name=name, bp_wan=bp, sow_pct=sow, history=history, benchmark=benchmark)


def test_r3_with_only_this_years_figures_is_a_candidate_not_a_top_account() -> None:
    only_now = _years("Now", {THIS_YEAR: (800, 60)})
    q = qualify(only_now, this_year=THIS_YEAR)
    assert q.kind == "top" and q.eligible is None and q.candidate == "top"
    assert q.missing == (2023, 2024)
    assert eligible_as(only_now, this_year=THIS_YEAR) is None
    full = _years("Full", {2023: (700, 55), 2024: (750, 50), THIS_YEAR: (800, 60)})
    proposed = propose_key_accounts([only_now, full])
    assert proposed["top"] == [full]  # the list's this year is 2025 (the year after its latest past year)
    assert [(a.name, q.missing) for a, q in key_account_candidates([only_now, full])["top"]] == [("Now", (2023, 2024))]


def test_benchmark_with_only_this_years_figures_is_a_candidate_not_a_strategic_account() -> None:
    bench = _years("Bench", {THIS_YEAR: (900, 5)}, benchmark=True)
    q = qualify(bench, this_year=THIS_YEAR)
    assert q.candidate == "strategic" and q.eligible is None
    assert propose_key_accounts([bench], this_year=THIS_YEAR)["strategic"] == []
    full = _years("Full", {2023: (900, 0), 2024: (950, 8), THIS_YEAR: (1000, 3)}, benchmark=True)
    assert eligible_as(full, this_year=THIS_YEAR) == "strategic"


def test_years_with_gaps_are_not_three_consecutive_years() -> None:
    gaps = _years("Gaps", {2020: (900, 60), 2022: (900, 60), THIS_YEAR: (900, 60)})
    other = _years("Other", {2024: (100, 0), THIS_YEAR: (100, 0)})
    assert reference_year([gaps, other]) == THIS_YEAR
    q = qualify(gaps, this_year=reference_year([gaps, other]))
    assert q.eligible is None and q.candidate == "top" and q.missing == (2023, 2024)
    assert propose_key_accounts([gaps, other])["top"] == []


def test_older_years_do_not_count() -> None:
    """R3/D3 in each of the last three years is Top, though level 2 four years ago."""
    top = _years("Top", {2021: (400, 60), 2022: (450, 60), 2023: (600, 40), 2024: (650, 55), THIS_YEAR: (700, 60)})
    assert eligible_as(top, this_year=THIS_YEAR) == "top"
    strategic = _years("S", {2022: (900, 60), 2023: (900, 5), 2024: (900, 0), THIS_YEAR: (900, 2)}, benchmark=True)
    assert eligible_as(strategic, this_year=THIS_YEAR) == "strategic"  # R four years ago does not count
    plan = AccountPlan(portfolio=Section[Account](items=[top]),
                       key_accounts=[KeyAccountPick(account_id=top.id, kind="top")])
    assert not any("Top" in p.render("en") and "LEVEL2" in p.render("en") for p in check_picks(plan))


def test_five_picks_with_one_year_each_do_not_meet_the_rule() -> None:
    tops = [_years(f"T{i}", {THIS_YEAR: (600 + i, 60)}) for i in range(3)]
    strategics = [_years(f"S{i}", {THIS_YEAR: (900 + i, 0)}, benchmark=True) for i in range(2)]
    plan = AccountPlan(
        portfolio=Section[Account](items=[*tops, *strategics]),
        key_accounts=[KeyAccountPick(account_id=a.id, kind="top") for a in tops]
        + [KeyAccountPick(account_id=a.id, kind="strategic") for a in strategics],
    )
    en = [p.render("en") for p in check_picks(plan, this_year=THIS_YEAR)]
    zh = [p.render("zh") for p in check_picks(plan, this_year=THIS_YEAR)]
    assert len(en) == 5
    assert "“T0” has no buying power and share of wallet for 2023, 2024" in en[0]
    assert "only a candidate, not a Top account" in en[0]
    assert "only a candidate, not a Strategic account" in en[3]
    assert "2023年、2024年" in zh[0] and "候选" in zh[0]
    # with no past year anywhere on the list, this year is the calendar year
    assert reference_year(plan.portfolio.items, dt.date(2026, 12, 4)) == 2026
    assert check_picks(plan)  # and the picks still break the rule


def test_a_missing_year_in_the_middle_is_named_and_this_year_is_said_as_such() -> None:
    no_now = _years("NoNow", {2023: (800, 60), 2024: (800, 60)})
    q = qualify(no_now, this_year=THIS_YEAR)
    assert q.candidate == "top" and q.missing == (THIS_YEAR,)
    plan = AccountPlan(portfolio=Section[Account](items=[no_now]),
                       key_accounts=[KeyAccountPick(account_id=no_now.id, kind="top")])
    (missing, _count, _strategic) = [p.render("en") for p in check_picks(plan, this_year=THIS_YEAR)]
    assert "share of wallet for this year:" in missing


def test_a_pick_that_fails_in_a_year_names_the_year() -> None:
    dip = _years("Dip", {2023: (800, 60), 2024: (400, 60), THIS_YEAR: (800, 60)})
    plan = AccountPlan(portfolio=Section[Account](items=[dip]),
                       key_accounts=[KeyAccountPick(account_id=dip.id, kind="top")])
    problems = [p.render("en") for p in check_picks(plan, this_year=THIS_YEAR)]
    assert "“Dip” is LEVEL2 in 2024; Top and Strategic accounts must be LEVEL3." in problems
    assert "“Dip” 在" not in " ".join(p.render("zh") for p in check_picks(plan, this_year=THIS_YEAR))
    assert any("在2024年是 LEVEL2" in p.render("zh") for p in check_picks(plan, this_year=THIS_YEAR))


def test_work_order_starts_from_the_largest_bp_and_the_trainee_overrides() -> None:
    accounts = [Account(name=n, bp_wan=b) for n, b in [("a", 100), ("b", 3000), ("c", 1500), ("d", 2000),
                                                        ("e", 1500), ("f", 10)]]
    suggested = suggested_work_order(accounts)
    by_name = {a.name: suggested[a.id] for a in accounts}
    assert by_name == {"b": "near", "d": "near", "c": "mid", "e": "mid", "a": "long", "f": "long"}
    accounts[0] = accounts[0].model_copy(update={"work_order": "near"})
    rows = work_order(accounts)
    assert [r[0].name for r in rows][:3] == ["b", "d", "a"] and rows[2][2] is True


def test_pareto_check() -> None:
    check = pareto_check([800, 100, 50, 30, 20, 0, 0, 0, 0, 0])
    assert (check.accounts, check.top_accounts) == (10, 2) and check.top_share == pytest.approx(0.9)
    assert check.holds
    assert not pareto_check([10] * 10).holds
    assert pareto_check([]).top_share == 0


def test_r_and_t_mode() -> None:
    assert [account_mode(s) for s in ("home", "smb", "lb", "industry", "ga", None)] == ["T", "T", "R", "R", "R", None]


def test_pick_order_puts_the_eligible_accounts_first_then_the_others_by_bp() -> None:
    def years(bp: float, sow: float) -> list[YearFigures]:
        return [YearFigures(year=y, bp_wan=bp, sow_pct=sow) for y in (2023, 2024)]

    small = Account(name="small", bp_wan=50, sow_pct=60, history=years(50, 60))
    blank = Account(name="blank")
    top_b = Account(name="top b", bp_wan=600, sow_pct=60, history=years(600, 60))
    new = Account(name="new", bp_wan=3000, sow_pct=60)  # this year only: a candidate, not eligible
    top_a = Account(name="top a", bp_wan=900, sow_pct=20, history=years(900, 20))
    bench = Account(name="bench", bp_wan=700, sow_pct=0, benchmark=True, history=years(700, 5))
    accounts = [small, blank, top_b, new, top_a, bench]
    names = lambda found: [a.name for a in found]  # noqa: E731
    eligible, others = pick_order(accounts, "top", this_year=2025)
    assert names(eligible) == ["top a", "top b"] and names(others) == ["new", "bench", "small", "blank"]
    eligible, others = pick_order(accounts, "strategic", this_year=2025)
    assert names(eligible) == ["bench"] and names(others) == ["new", "top a", "top b", "small", "blank"]
    assert names(pick_order(accounts, "top", this_year=2025)[0]) == names(propose_key_accounts(
        accounts, picks=PickSettings(top=3, strategic=2), this_year=2025)["top"])


# ---- a list's boxes in sum (``kam screen``'s summary) -----------------------------------------------


def test_box_summary_counts_every_box_and_shares_the_bp() -> None:
    from kamlib.screening import box_summary

    frame = pd.DataFrame({"sow": [50, 0, 10, 9.99, 49.9], "bp": [500.0, 99.9, 300.0, 100.0, 1500.0]},
                         index=[2, 3, 5, 8, 9])  # file rows, some skipped
    summary = box_summary(frame["bp"], classify(frame["sow"], frame["bp"])["box"])
    assert [b.box for b in summary.boxes] == list(BOXES)
    by_box = {b.box: b for b in summary.boxes}
    assert (by_box["R3"].count, by_box["R3"].bp_wan, by_box["R3"].share_pct) == (1, 500.0, 100 * 500 / 2499.9)
    assert (by_box["A2"].count, by_box["A2"].bp_wan, by_box["A2"].share_pct) == (0, 0.0, 0.0)
    assert (summary.count, summary.bp_wan) == (5, 2499.9)
    assert sum(b.count for b in summary.boxes) == 5


def test_box_summary_lines_align_chinese_and_say_dash_without_bp() -> None:
    from kamlib.screening import box_summary
    from kamlib.tables import display_width

    frame = pd.DataFrame({"sow": [60.0, 0.0], "bp": [0.0, 0.0]})
    summary = box_summary(frame["bp"], classify(frame["sow"], frame["bp"])["box"])
    assert all(b.share_pct is None for b in summary.boxes)
    for lang in ("en", "zh"):
        lines = summary.lines(lang)
        assert len(lines) == 1 + 1 + 16 + 1 + 1 and lines[1] == lines[-2] and set(lines[1]) == {"-"}
        assert {display_width(line) for line in lines[2:-2]} == {display_width(lines[1])}  # right-aligned, all as wide
        assert lines[2].split()[0] == "R0" and lines[2].split()[-3:] == ["1", "0.0", "-"]
        assert lines[-1].split()[-3:] == ["2", "0.0", "-"]
    assert "R 可保有的" in summary.lines("zh")[2] and "合计" in summary.lines("zh")[-1]
