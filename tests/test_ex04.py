"""Exercise 04: the case table and figures, the key against kamlib.bidding, full marks for the solution, zero blank."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from kamlib.bidding import (
    PARTS,
    QUALITY_FIELDS,
    SCORE_TOLERANCE,
    analyse_bid,
    best_rule,
    bidder_field,
    case_bid,
    case_figure,
    case_score_check,
    load_bidding_case,
    outcomes,
    rule_codes,
    rule_space,
    rule_vector,
    score_bid,
    winning_rule_check,
)
from kamlib.exercises import load_exercise
from kamlib.grading import grade, load_key, model_answers, self_check
from kamlib.i18n import LANGS, Lang, t
from kamlib.model.workbook import Trainee
from kamlib.settings import BiddingSettings, PointRange
from kamlib.submission import Submission
from tests.form_checks import fill_answers

TRAINEE = Trainee(id="li.wei", name="Li Wei")
RULE_ITEMS = [f"rule_{p}" for p in PARTS]


def _submit(answers: dict) -> Submission:
    return Submission(exercise_id="ex04", trainee=TRAINEE, answers=answers)


def _rule_answers(rule: tuple[int, ...]) -> dict[str, float]:
    return {f"rule_{p}": float(v) for p, v in zip(PARTS, rule, strict=True)}


# ---- the case as the trainees get it -------------------------------------------------------------------------------


def test_the_case_is_a_tender_of_the_ex01_strategic_account_the_draft_rule_loses() -> None:
    case = load_bidding_case("ex04")
    bid = case_bid("ex04", "en")
    sheet = score_bid(bid)
    assert sheet.result == "lose"  # the draft rule: the rule maker has work to do
    assert [r.reason for r in sheet.rows if not r.valid] == ["above_budget"]
    assert any(b.sme for b in case.bidders) and sheet.base_price_wan != min(b.price_wan for b in case.bidders
                                                                            if b.price_wan <= case.budget_wan)
    assert case.bounds == {p: (getattr(BiddingSettings(), p).low, getattr(BiddingSettings(), p).high) for p in PARTS}
    assert "Land Reclamation" in t("ex01.account.a15", "en")  # the account of the story


@pytest.mark.parametrize("lang", LANGS)
def test_the_intro_tells_the_case_files_figures(lang: Lang) -> None:
    case = load_bidding_case("ex04")
    intro = t("ex04.intro", lang)
    assert f"**{rule_codes(tuple(case.rule[p] for p in PARTS))}**" in intro
    bounds = ("、" if lang == "zh" else ", ").join(f"J{i} {lo}–{hi}" for i, (lo, hi) in
                                                  enumerate(case.bounds.values(), start=1))
    assert bounds in intro
    assert f"{case.budget_wan:,g}" in intro and f"**{case.sme_deduction_pct:g}%**" in intro
    for b in case.bidders:
        name = t(f"ex04.bidder.{b.code}", lang)
        (row,) = [line for line in intro.splitlines() if line.startswith(f"| {name} |")]
        cells = [c.strip() for c in row.strip("|").split("|")]
        sme = t(f"ex04.sme.{'yes' if b.sme else 'no'}", lang)
        expected = [name, f"{b.price_wan:,g}", sme, *(f"{getattr(b, p):g}" for p in QUALITY_FIELDS)]
        assert cells == expected
    for p in QUALITY_FIELDS:
        assert str(case.rule[p]) in intro


def test_the_case_file_is_checked() -> None:
    from kamlib.bidding import BiddingCase

    data = load_bidding_case("ex04").model_dump()
    with pytest.raises(ValueError, match="above the part"):
        BiddingCase.model_validate({**data, "bidders": [{**data["bidders"][0], "j3_service": 99},
                                                        *data["bidders"][1:]]})
    with pytest.raises(ValueError, match="one bidder is us"):
        BiddingCase.model_validate({**data, "bidders": [{**b, "us": False} for b in data["bidders"]]})
    with pytest.raises(ValueError):
        BiddingCase.model_validate({**data, "rule": {**data["rule"], "j1_price": 41}})


# ---- the key and the checks ----------------------------------------------------------------------------------------


@pytest.mark.solutions
def test_the_key_is_what_kamlib_computes_from_the_case() -> None:
    key = {k.id: k for k in load_key("ex04").items}
    sheet = score_bid(case_bid("ex04"))
    assert sorted(key["valid"].answer) == sorted(r.id for r in sheet.rows if r.valid)  # type: ignore[arg-type]
    assert key["winner"].answer == next(r.id for r in sheet.rows if r.rank == 1)
    for item in ("base_price", "total_b1", "total_b2", "total_b3"):
        assert key[item].scoring == "check"
        assert abs(float(key[item].answer) - case_figure("ex04", item)) <= SCORE_TOLERANCE / 5  # rounded to 0.01
    model_rule = tuple(int(key[i].answer) for i in RULE_ITEMS)  # type: ignore[arg-type]
    assert winning_rule_check("ex04", "rule_j1_price", _rule_answers(model_rule)) == (1.0, "correct")
    case = load_bidding_case("ex04")
    contest = bidder_field(case_bid("ex04")).contest
    space = rule_space(contest, case.bounds)
    assert model_rule == best_rule(space, rule_vector(case_bid("ex04").rule)).rule  # type: ignore[union-attr]
    custom = BiddingSettings(**{p: PointRange(low=lo, high=hi) for p, (lo, hi) in case.bounds.items()})
    assert key["key_part"].answer == analyse_bid(case_bid("ex04"), (), custom).key == "j3_service"


@pytest.mark.solutions
def test_the_explanations_quote_kamlibs_figures() -> None:
    key = {k.id: k for k in load_key("ex04").items}
    case = load_bidding_case("ex04")
    bid = case_bid("ex04")
    contest = bidder_field(bid).contest
    space = rule_space(contest, case.bounds)
    best = best_rule(space, rule_vector(bid.rule))
    sheet = score_bid(bid)
    for lang in LANGS:
        assert f"{abs(sheet.margin):.2f}" in key["winner"].explanation[lang]  # type: ignore[arg-type]
        for item in ("total_b1", "total_b2", "total_b3"):
            assert f"{case_figure('ex04', item):.2f}" in key[item].explanation[lang]
        rules = key["rule_j1_price"].explanation[lang]
        assert f"{space.win_count}" in rules and f"{space.count}" in rules
        assert rule_codes(best.rule) in rules and f"{best.margin:+.2f}" in rules  # type: ignore[union-attr]
        for quoted in re.findall(r"J1 \d+ · J2 \d+ · J3 \d+ · J4 \d+ \(\+([\d.]+)", rules):
            assert float(quoted) > 0
        nearest = (37, 27, 26, 10)
        margin = float(outcomes(contest, np.array([nearest])).margins[0])
        assert rule_codes(nearest) in rules and f"{margin:+.2f}" in rules
        deck = float(outcomes(contest, np.array([(35, 30, 25, 10)])).margins[0])
        assert f"{deck:+.2f}" in rules


def test_rule_check_judges_validity_and_our_win() -> None:
    assert winning_rule_check("ex04", "rule_j2_technical", {}) == (0.0, "blank")
    draft = tuple(load_bidding_case("ex04").rule[p] for p in PARTS)
    assert winning_rule_check("ex04", "rule_j1_price", _rule_answers(draft)) == (0.0, "wrong")  # Huarui wins
    assert winning_rule_check("ex04", "rule_j1_price", _rule_answers((37, 27, 26, 10))) == (1.0, "correct")
    assert winning_rule_check("ex04", "rule_j1_price", _rule_answers((45, 25, 20, 10))) == (0.0, "wrong")  # bounds
    assert winning_rule_check("ex04", "rule_j1_price", _rule_answers((30, 32, 30, 9))) == (0.0, "wrong")  # 101
    half = {**_rule_answers((30, 32, 30, 8)), "rule_j4_commercial": None}
    assert winning_rule_check("ex04", "rule_j1_price", half) == (0.0, "wrong")
    assert winning_rule_check("ex04", "rule_j4_commercial", half) == (0.0, "blank")
    assert winning_rule_check("ex04", "rule_j1_price", {**_rule_answers((30, 32, 30, 8)),
                                                        "rule_j3_service": 29.5}) == (0.0, "wrong")


def test_score_check_accepts_rounding_only() -> None:
    exact = case_figure("ex04", "total_b1")
    assert case_score_check("ex04", "total_b1", {"total_b1": round(exact, 2)}) == (1.0, "correct")
    assert case_score_check("ex04", "total_b1", {"total_b1": exact + 0.2}) == (0.0, "wrong")
    assert case_score_check("ex04", "total_b1", {"total_b1": "lots"}) == (0.0, "wrong")
    assert case_score_check("ex04", "base_price", {}) == (0.0, "blank")
    with pytest.raises(KeyError):
        case_figure("ex04", "total_b4")  # invalid: no total


# ---- grading -------------------------------------------------------------------------------------------------------


@pytest.mark.solutions
@pytest.mark.parametrize("lang", LANGS)
def test_solution_scores_full_marks_and_blank_zero(lang: Lang) -> None:
    key = load_key("ex04")
    full = grade(_submit(model_answers(key, lang)), key)
    assert full.total == 13 and full.max_total == key.max_points == 15 and full.pending_manual == ("plan",)
    assert grade(_submit({}), key).total == 0
    assert set(self_check("ex04", model_answers(key, lang)).values()) == {"correct", "instructor"}


@pytest.mark.solutions
def test_the_plan_is_scored_by_the_instructor_by_its_rubric_not_by_length() -> None:
    """Filler scores nothing by itself and self-check never calls it right; the rubric asks for the key part."""
    key = load_key("ex04")
    (plan,) = [k for k in key.items if k.id == "plan"]
    assert plan.scoring == "manual" and plan.points == 2 and plan.example
    (item,) = [i for i in grade(_submit({"plan": "aaaaaaaaaaaaaaaaaaaa"}), key).items if i.item_id == "plan"]
    assert (item.points, item.status) == (0, "manual")
    assert self_check("ex04", {"plan": "aaaaaaaaaaaaaaaaaaaa"})["plan"] == "instructor"
    assert self_check("ex04", {"plan": "aaaa"})["plan"] == "too_short"
    for lang in LANGS:
        rubric = plan.explanation[lang]
        assert t("bidding.part.j3_service", lang) in rubric and all(f"T{n}" in rubric for n in range(1, 5))
        assert ("讲师评分" if lang == "zh" else "instructor") in t("ex04.plan.prompt", lang)


@pytest.mark.solutions
def test_a_losing_rule_and_wrong_totals_score_nothing_for_those_items() -> None:
    key = load_key("ex04")
    answers = {**model_answers(key, "en"), **_rule_answers((40, 27, 23, 10)), "total_b2": 88.5}
    result = {i.item_id: i for i in grade(_submit(answers), key).items}
    assert all(result[i].points == 0 and result[i].status == "wrong" for i in RULE_ITEMS)
    assert result["total_b2"].points == 0 and result["total_b1"].points == 1
    assert grade(_submit(answers), key).total == 13 - 4 - 1
    checked = self_check("ex04", answers)
    assert checked["rule_j1_price"] == "not_yet" and checked["total_b2"] == "not_yet"
    assert checked["total_b1"] == "correct"


def test_exercise_items_fit_the_case() -> None:
    exercise = load_exercise("ex04")
    codes = tuple(b.code for b in load_bidding_case("ex04").bidders)
    assert exercise.item("valid").choices == codes == exercise.item("winner").choices
    assert exercise.item("key_part").choices == PARTS
    assert [i.id for i in exercise.items if i.id.startswith("rule_")] == RULE_ITEMS
    assert exercise.chapter == "bidding" and exercise.case is None  # the case is told in the intro


@pytest.mark.solutions
def test_page_shows_the_case_and_the_form_saves_checks_and_submits(workbook_file: Path) -> None:
    from kamlib.forms.exercise import exercise_page
    from kamlib.model import load_workbook
    from kamlib.submission import list_submissions

    page = exercise_page("ex04", lang="en")
    shown = [getattr(render("en"), "data", "") for _, render in page._displays]
    assert t("ex04.intro", "en") in shown
    (form,) = page._forms
    answers = model_answers(load_key("ex04"), "en")
    fill_answers(form, answers)
    page.set_lang("zh")
    page.set_lang("en")
    assert load_workbook(workbook_file).exercises["ex04"].answers == answers
    form.check.click()
    assert "Self-check: 11 right, 1 written answer (checked by your instructor)." in form.status.text
    form.inputs["rule_j1_price"].value = "41"
    form.check.click()
    assert "Self-check: 7 right, 4 not yet right, 1 written" in form.status.text  # the rule's four parts together
    form.submit.click()
    assert form.status.kind == "ok" and len(list_submissions()) == 1
