"""Exercise 01: the key agrees with what kamlib computes from the case, so key and tool never drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kamlib.exercises import load_exercise
from kamlib.exercises.case import case_markdown, load_case, load_case_data
from kamlib.grading import grade, load_key, model_answers, self_check
from kamlib.i18n import LANGS, Lang, t
from kamlib.model.workbook import Trainee
from kamlib.reveal import reveal
from kamlib.screening import BOXES, eligible_as, propose_key_accounts, radp_box, suggested_order
from kamlib.settings import PickSettings
from kamlib.submission import Submission
from tests.form_checks import fill_answers

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3400-\u9fff]")
TRAINEE = Trainee(id="li.wei", name="Li Wei")


@pytest.fixture(scope="module")
def key_answers() -> dict[str, object]:
    return {k.id: k.answer for k in load_key("ex01").items}


def _submit(answers: dict) -> Submission:
    return Submission(exercise_id="ex01", trainee=TRAINEE, answers=answers)


def test_case_is_about_twenty_accounts_over_three_years() -> None:
    case = load_case_data("ex01")
    assert 18 <= len(case.accounts) <= 22 and len(case.years) == 3
    accounts = load_case("ex01")
    assert [a.id for a in accounts] == [a.code for a in case.accounts]
    assert all(len(a.history) == 2 and a.bp_wan is not None and a.sow_pct is not None for a in accounts)


@pytest.mark.solutions
def test_every_box_answer_is_the_tools_box(key_answers: dict) -> None:
    exercise = load_exercise("ex01")
    for account in load_case("ex01"):
        item = exercise.item(f"box_{account.id}")
        assert item.choices == BOXES
        assert key_answers[item.id] == radp_box(account.sow_pct, account.bp_wan), account.id
        # the figures shown after submitting are this year's figures of the case
        assert item.reveal == "radp_box"
        assert item.reveal_args == {"sow_pct": account.sow_pct, "bp_wan": account.bp_wan}
        assert item.prompt_params == {"account": f"ex01.account.{account.id}"}


@pytest.mark.solutions
def test_exactly_three_top_and_two_strategic_and_the_key_names_them(key_answers: dict) -> None:
    accounts = load_case("ex01")
    eligible = {kind: sorted(a.id for a in accounts if eligible_as(a) == kind) for kind in ("top", "strategic")}
    picks = PickSettings()
    assert (len(eligible["top"]), len(eligible["strategic"])) == (picks.top, picks.strategic) == (3, 2)
    proposed = propose_key_accounts(accounts)
    for kind in ("top", "strategic"):
        assert sorted(key_answers[kind]) == eligible[kind] == sorted(a.id for a in proposed[kind])


def test_the_traps_are_there() -> None:
    """Each trap the explanations talk about holds in the data, and makes the account ineligible."""
    by_id = {a.id: a for a in load_case("ex01")}

    def boxes(code: str) -> list[str]:
        a = by_id[code]
        return [radp_box(y.sow_pct, y.bp_wan) for y in a.history] + [radp_box(a.sow_pct, a.bp_wan)]

    assert boxes("a11")[1:] == ["D2", "D3"]  # level 3 this year, level 2 last year
    assert boxes("a02")[0][0] == "A" and boxes("a02")[-1] == "R3"  # R this year, A two years ago
    assert all(b in ("A3", "P3") for b in boxes("a13")) and not by_id["a13"].benchmark  # not a benchmark
    assert all(eligible_as(by_id[c]) is None for c in ("a02", "a11", "a13", "a08", "a05"))
    this_year = {(a.sow_pct, a.bp_wan) for a in by_id.values()}
    all_years = this_year | {(y.sow_pct, y.bp_wan) for a in by_id.values() for y in a.history}
    for sow in (50, 10, 0):  # the SoW bounds, this year
        assert any(s == sow for s, _ in this_year)
    for bp in (100, 300, 500):  # the BP bounds, this year
        assert any(b == bp for _, b in this_year)
    assert (10, 680) in this_year and (18, 500) in all_years  # a Top account on the bounds


@pytest.mark.solutions
def test_work_order_is_the_tools_suggested_order(key_answers: dict) -> None:
    for lang in LANGS:  # the order must not hang on names (ties are broken by name)
        first = [a.id for a in suggested_order(load_case("ex01", lang))[:3]]
        assert [key_answers[f"order{n}"] for n in (1, 2, 3)] == first
    bps = sorted((a.bp_wan for a in load_case("ex01")), reverse=True)
    assert len(set(bps[:4])) == 4, "the first places are decided by BP alone"


@pytest.mark.solutions
def test_points() -> None:
    points = {k.id: k.points for k in load_key("ex01").items}
    assert all(points[f"box_{a.id}"] == 1 for a in load_case("ex01"))
    assert (points["top"], points["strategic"]) == (3, 2)
    assert [points[f"order{n}"] for n in (1, 2, 3)] == [1, 1, 1]


@pytest.mark.solutions
def test_solution_scores_full_blank_zero_and_wrong_picks_cost(key_answers: dict) -> None:
    key = load_key("ex01")
    full = grade(_submit(model_answers(key)), key)
    assert full.total == full.max_total == key.max_points == 20 + 3 + 2 + 3
    assert grade(_submit({}), key).total == 0
    by_id = {i.item_id: i for i in grade(_submit({"top": ["a02", "a04", "a09"], "strategic": ["a13"]}), key).items}
    assert by_id["top"].points == 1 and by_id["top"].status == "partial"  # 2 right − 1 wrong (the R-now trap)
    assert by_id["strategic"].points == 0  # the non-benchmark trap alone
    assert set(self_check("ex01", model_answers(key)).values()) == {"correct"}


@pytest.mark.solutions
@pytest.mark.parametrize("lang", LANGS)
def test_explanations_and_catalog_texts(lang: Lang) -> None:
    key = load_key("ex01")
    assert all(k.explanation[lang].strip() for k in key.items)
    case = load_case_data("ex01")
    for a in case.accounts:
        assert t(f"ex01.account.{a.code}", lang) and t(f"ex01.industry.{a.industry}", lang)
    exercise = load_exercise("ex01")
    revealed = [reveal(item, "ex01", lang) for item in exercise.items if item.reveal]
    assert len(revealed) == len(case.accounts)
    if lang == "en":
        assert not CJK.search("".join(revealed))


@pytest.mark.parametrize("lang", LANGS)
def test_case_renders_in_both_languages(lang: Lang) -> None:
    text = case_markdown("ex01", lang)
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + len(load_case_data("ex01").accounts)  # header, alignment, one per account
    assert len({row.count(" | ") for row in rows}) == 1  # every row has the same number of cells
    for account in load_case("ex01", lang):
        assert account.name in text and account.industry in text
    assert "2,600" in text and "2025" in text
    if lang == "en":
        assert set(CJK.findall(text)) <= {"万", "元"}
    else:
        assert CJK.search(text)


def test_names_differ_by_language_but_not_the_figures() -> None:
    zh, en = load_case("ex01", "zh"), load_case("ex01", "en")
    assert all(a.name != b.name for a, b in zip(zh, en, strict=True))
    strip = {"name", "industry"}
    assert [a.model_dump(exclude=strip) for a in zh] == [b.model_dump(exclude=strip) for b in en]


@pytest.mark.solutions
def test_page_shows_the_case_and_the_form_saves_checks_submits_and_reveals(workbook_file: Path) -> None:
    from kamlib.forms.exercise import exercise_page
    from kamlib.model import load_workbook
    from kamlib.submission import list_submissions

    page = exercise_page("ex01", lang="en")
    shown = [render("en") for _, render in page._displays]
    case_md = case_markdown("ex01", "en")
    assert any(getattr(d, "data", None) == case_md for d in shown)
    (form,) = page._forms
    answers = model_answers(load_key("ex01"))
    fill_answers(form, answers)
    page.set_lang("zh")  # relabelling keeps the chosen values
    page.set_lang("en")
    assert load_workbook(workbook_file).exercises["ex01"].answers == answers
    assert dict(form.inputs["order1"].options)[t("ex01.account.a02", "en")] == "a02"
    form.check.click()
    assert "Self-check: 25 right." in form.status.text  # 25 questions, 28 points
    assert "The tool's box" not in form.status.text  # the tool's boxes only after submitting
    form.submit.click()
    assert form.status.kind == "ok" and len(list_submissions()) == 1
    for account in load_case("ex01", "en"):
        assert f"“{account.name}” this year: {radp_box(account.sow_pct, account.bp_wan)}" in form.status.text
