"""Exercise 05: the key agrees with the story and with kamlib.retention (score, stage rule, profit leverage)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from kamlib.exercises import load_exercise
from kamlib.exercises.case import exercise_case_markdown, load_people_outline, person_label
from kamlib.grading import grade, load_key, model_answers, self_check
from kamlib.i18n import LANGS, Lang, t
from kamlib.model.retention import Assessment, LeverageInputs, StageChoice
from kamlib.model.workbook import Trainee
from kamlib.retention import QUESTIONS, leverage_figures, score, stage_hints
from kamlib.submission import Submission

CJK = re.compile(r"[\u3400-\u9fff]")
TRAINEE = Trainee(id="li.wei", name="Li Wei")
# The figures of the story's last paragraph, as the calculator takes them (2%: Huarui's discount).
FIGURES = LeverageInputs(price=2000, material_cost=1500, variable_cost=300, volume=400, change_pct=2)
SHOWN = {"zh": ("2,000 元", "1,500 元", "300 元", "400 台", "2%"), "en": ("2,000 yuan", "1,500 yuan", "300 yuan",
                                                                          "400 terminals", "2%")}
pytestmark = pytest.mark.solutions


@pytest.fixture(scope="module")
def key_answers() -> dict[str, object]:
    return {k.id: k.answer for k in load_key("ex05").items}


def _assessment(key_answers: dict) -> Assessment:
    return Assessment(taken_on=dt.date(2026, 1, 5), answers=[key_answers[f"q{n}"] == "yes" for n in range(1, 9)])


def _story(lang: Lang) -> str:
    return t("ex05.case.story", lang)


def _quotes(text: str) -> list[str]:
    return re.findall(r"“(.*?)”", text)


def test_the_items_are_the_decks_eight_questions_then_stage_and_figures() -> None:
    exercise = load_exercise("ex05")
    for n, code in enumerate(QUESTIONS, start=1):
        assert exercise.item(f"q{n}").prompt_params == {"n": f"ex05.n.{n}", "question": f"retention.question.{code}"}
    assert exercise.item("stage").choices == ("no_sales", "price", "product", "needs", "consultant")
    assert [i.id for i in exercise.items][8:] == ["score", "stage", "profit_base", "profit_volume", "profit_price",
                                                  "loss_allowed", "discount_volume"]


def test_the_score_is_the_sum_of_the_answers(key_answers: dict) -> None:
    answered = [key_answers[f"q{n}"] for n in range(1, 9)]
    assert {"yes", "no"} == set(answered)
    assert key_answers["score"] == score(_assessment(key_answers)) == 4


def test_the_stage_agrees_with_the_rule_of_thumb(key_answers: dict) -> None:
    assessment = _assessment(key_answers)
    choice = StageChoice(current=key_answers["stage"], evidence="the story")
    hints = stage_hints(choice, assessment, dt.date(2026, 1, 5))
    assert [h.key for h in hints] == ["retention.hint.no_target"]  # no disagreement with the score
    for wrong in ("price", "consultant"):  # the neighbours the story rules out disagree with the score
        keys = [h.key for h in stage_hints(StageChoice(current=wrong, evidence="x"), assessment, dt.date(2026, 1, 5))]
        assert set(keys) & {"retention.hint.above_score", "retention.hint.below_score", "retention.hint.requires"}


def test_the_figures_are_the_calculators(key_answers: dict) -> None:
    f = leverage_figures(FIGURES)
    assert key_answers["profit_base"] == f.base_profit
    assert key_answers["profit_volume"] == f.volume_profit
    assert key_answers["profit_price"] == f.price_profit
    assert key_answers["loss_allowed"] == round(f.volume_loss_allowed_pct, 1)
    assert key_answers["discount_volume"] == round(f.discount_volume_needed_pct, 1)
    for lang in LANGS:
        assert all(figure in _story(lang) for figure in SHOWN[lang]), lang


@pytest.mark.parametrize("lang", LANGS)
def test_explanations_quote_the_story(lang: Lang) -> None:
    for k in load_key("ex05").items:
        assert k.explanation[lang].strip(), k.id
        assert all(q in _story(lang) for q in _quotes(k.explanation[lang])), k.id
        if k.id.startswith("q"):
            assert _quotes(k.explanation[lang]), k.id


def test_solution_scores_full_and_blank_zero() -> None:
    key = load_key("ex05")
    full = grade(Submission(exercise_id="ex05", trainee=TRAINEE, answers=model_answers(key)), key)
    assert full.total == full.max_total == key.max_points == 16 and full.pending_manual == ()
    assert grade(Submission(exercise_id="ex05", trainee=TRAINEE, answers={}), key).total == 0
    assert set(self_check("ex05", model_answers(key)).values()) == {"correct"}
    near = {**model_answers(key), "loss_allowed": 16.67, "stage": "consultant"}
    result = {i.item_id: i.status for i in grade(Submission(exercise_id="ex05", trainee=TRAINEE, answers=near),
                                                 key).items}
    assert result["loss_allowed"] == "correct"  # 16.67 is 16.7 at the one decimal the question asks for
    assert result["stage"] == "wrong"
    off = {**model_answers(key), "loss_allowed": 16.6}
    assert {i.item_id: i.status for i in grade(Submission(exercise_id="ex05", trainee=TRAINEE, answers=off),
                                               key).items}["loss_allowed"] == "wrong"
    assert self_check("ex05", near)["loss_allowed"] == "correct"
    assert self_check("ex05", off)["loss_allowed"] == "not_yet"
    (loss,) = [k for k in key.items if k.id == "loss_allowed"]
    exact = leverage_figures(FIGURES).volume_loss_allowed_pct
    assert loss.decimals == 1 and round(exact, 1) == loss.answer
    assert all(str(exact)[:6] in loss.explanation[lang] for lang in LANGS)  # the exact figure, then what is expected


@pytest.mark.parametrize("lang", LANGS)
def test_case_renders_in_both_languages(lang: Lang) -> None:
    text = exercise_case_markdown("ex05", lang)
    assert t("ex01.account.a09", lang) in text and _story(lang) in text
    for code in load_people_outline("ex05").people:
        assert person_label("ex05", code, lang) == t(f"ex02.who.{code}", lang)  # the people of exercise 02
        assert person_label("ex05", code, lang) in text
        name = re.split(r"[(（]", person_label("ex05", code, lang))[0].strip()
        assert name in _story(lang)  # everyone listed is in it
    if lang == "en":
        assert set(CJK.findall(text)) <= {"万", "元"}
    else:
        assert len(CJK.findall(text)) > 300


def test_page_saves_checks_and_submits(workbook_file: Path) -> None:
    from kamlib.forms.exercise import exercise_page
    from kamlib.model import load_workbook
    from kamlib.submission import list_submissions

    page = exercise_page("ex05", lang="en")
    (form,) = page._forms
    answers = model_answers(load_key("ex05"))
    for item in form.exercise.items:
        widget = form.inputs[item.id]
        widget.value = f"{answers[item.id]:,g}" if item.kind == "number" else answers[item.id]
    assert load_workbook(workbook_file).exercises["ex05"].answers == answers
    form.check.click()
    assert "Self-check: 15 right." in form.status.text
    form.inputs["profit_base"].value = "eighty thousand"
    assert form.notes["profit_base"].kind == "error"
    form.submit.click()
    assert form.status.kind == "error" and list_submissions() == []
    form.inputs["profit_base"].value = "80000"
    form.submit.click()
    assert form.status.kind == "ok" and len(list_submissions()) == 1
