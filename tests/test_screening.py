"""Chapter 1 logic: RADP on a whole list, Top and Strategic, work order, 20/80."""

from __future__ import annotations

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
    pareto_check,
    propose_key_accounts,
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
    assert "3 row(s)" in en and "row 2" in en and "row 3" in en and "row 4" in en
    assert "Buying power BP (万元)" in en and "第 2 行" in zh


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
    accounts = [_account(f"t{i}", [(500 + i, 60)]) for i in range(5)]
    proposed = propose_key_accounts(accounts, picks=PickSettings(top=3))
    assert [a.name for a in proposed["top"]] == ["t4", "t3", "t2"]


def test_check_picks_explains_each_break_of_the_rule() -> None:
    good = _account("Good", [(600, 60), (700, 55)])
    low = _account("Low", [(200, 60)])
    strat = _account("Strat", [(900, 60)])
    plan = AccountPlan(
        portfolio=Section[Account](items=[good, low, strat]),
        key_accounts=[KeyAccountPick(account_id=good.id, kind="top"), KeyAccountPick(account_id=low.id, kind="top"),
                      KeyAccountPick(account_id=strat.id, kind="strategic")],
    )
    problems = [p.render("en") for p in check_picks(plan)]
    assert any("“Low” is LEVEL1 in this year" in p for p in problems)
    assert any("“Strat” has status R" in p for p in problems)
    assert any("not marked as an industry benchmark" in p for p in problems)
    assert any("You picked 2 Top account(s); the rule is 3" in p for p in problems)
    assert any("You picked 1 Strategic account(s); the rule is 2" in p for p in problems)
    assert not any("Good" in p for p in problems)


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
