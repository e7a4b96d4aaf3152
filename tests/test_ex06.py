"""Exercise 06: the key agrees with the story and with kamlib.crisis; the automatic part scores full marks and the
instructor's part is left to the instructor, with a rubric and a model answer."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from kamlib.crisis import PHASES, attitude_moves, repair_priority
from kamlib.exercises import load_exercise
from kamlib.exercises.case import case_people, exercise_case_markdown, load_people_outline, person_label
from kamlib.grading import grade, load_key, model_answers, self_check
from kamlib.i18n import LANGS, Lang, t
from kamlib.model.retention import AffectedPerson, Assessment, Crisis
from kamlib.model.workbook import Trainee
from kamlib.people import ATTITUDES
from kamlib.retention import QUESTIONS, answer_changes, score
from kamlib.submission import Submission
from tests.form_checks import fill_answers

CJK = re.compile(r"[\u3400-\u9fff]")
TRAINEE = Trainee(id="li.wei", name="Li Wei")
# The attitudes before the incident, as the story writes them in brackets (people not asked about: unchanged).
BEFORE = {"p1": "=", "p2": "+", "p4": "*", "p6": "+", "p7": "+", "p8": "-"}
WORDS = {"en": {"*": "strong supporter", "+": "supporter", "=": "neutral", "-": "non-supporter"},
         "zh": {"*": "竭力支持", "+": "支持", "=": "中立", "-": "不支持"}}
MANUAL = ("plan", "ma_jun")
pytestmark = pytest.mark.solutions


@pytest.fixture(scope="module")
def key_answers() -> dict[str, object]:
    return {k.id: k.answer for k in load_key("ex06").items}


def _story(lang: Lang) -> str:
    return t("ex06.case.story", lang)


def _name(code: str, lang: Lang) -> str:
    """The name alone: "Zhou Jian (Vice President)" → "Zhou Jian"."""
    return re.split(r"[(（]", person_label("ex06", code, lang))[0].strip()


def _crisis(key_answers: dict) -> Crisis:
    return Crisis(title="Terminals froze", happened_on=dt.date(2026, 3, 2), severity=3, affected=[
        AffectedPerson(person_id=code, before=before, after=key_answers[f"after_{code}"])
        for code, before in BEFORE.items()])


@pytest.mark.parametrize("lang", LANGS)
def test_the_story_states_each_attitude_before(lang: Lang) -> None:
    pattern = "**{name}** ({word})" if lang == "en" else "**{name}**（{word}）"
    for code, before in BEFORE.items():
        assert pattern.format(name=_name(code, lang), word=WORDS[lang][before]) in _story(lang), code


def test_who_moved_and_whom_to_win_back_first(key_answers: dict) -> None:
    moves = attitude_moves(_crisis(key_answers), _people())
    moved = {m.person_id for m in moves if m.delta != 0}
    assert set(key_answers["moved"]) == moved == {"p1", "p6", "p7", "p8"}
    assert set(BEFORE) | {"p3", "p5"} == set(load_exercise("ex06").item("moved").choices)
    assert repair_priority(moves)[0].person_id == key_answers["first"] == "p1"
    assert {key_answers[f"after_{c}"] for c in BEFORE} <= set(ATTITUDES)


def _people():
    """The people of the case with their roles of exercise 02 (A Zhou Jian, D Liu Yang, …)."""
    return case_people("ex02", "en")


def test_the_phases_are_the_playbooks_each_once(key_answers: dict) -> None:
    assert sorted(key_answers[f"phase_{a}"] for a in "abcde") == sorted(PHASES)
    for a in "abcde":
        item = load_exercise("ex06").item(f"phase_{a}")
        assert item.choices == PHASES and item.prompt_params == {"action": f"ex06.action.{a}"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_phases_are_named_as_the_playbook_names_them(key_answers: dict, lang: Lang) -> None:
    """The intro lists the playbook's five phase names in order, and each phase item's explanation names its
    answer's phase exactly as the choice reads."""
    names = [t(f"crisis.phase.{p}", lang) for p in PHASES]
    intro = t("ex06.intro", lang).lower()
    assert " · ".join(n.lower() for n in names) in intro
    key = {k.id: k for k in load_key("ex06").items}
    for a in "abcde":
        phase = t(f"crisis.phase.{key_answers[f'phase_{a}']}", lang)
        assert phase.lower() in key[f"phase_{a}"].explanation[lang].lower(), (a, phase)


def test_the_re_run_follows_exercise_05(key_answers: dict) -> None:
    ex05 = {k.id: k.answer for k in load_key("ex05").items}
    before = Assessment(taken_on=dt.date(2026, 1, 5), answers=[ex05[f"q{n}"] == "yes" for n in range(1, 9)])
    turned = set(key_answers["rerun_changed"])
    after = Assessment(taken_on=dt.date(2026, 5, 1), answers=[
        (not yes) if q in turned else yes for q, yes in zip(QUESTIONS, before.answers, strict=True)])
    assert set(answer_changes(before, after)) == turned
    assert all(not was and now for was, now in answer_changes(before, after).values())  # handled well: it rose
    assert key_answers["rerun_score"] == score(after) == score(before) + len(turned)
    assert load_exercise("ex06").item("rerun_changed").choices == QUESTIONS


def test_the_instructors_items_have_a_rubric_and_a_model_answer() -> None:
    key = load_key("ex06")
    manual = [k for k in key.items if k.scoring == "manual"]
    assert tuple(k.id for k in manual) == MANUAL
    for k in manual:
        assert load_exercise("ex06").item(k.id).kind == "text"
        for lang in LANGS:
            assert k.explanation[lang].strip() and k.example and k.example[lang].strip()
    assert [k.points for k in manual] == [5, 2]


@pytest.mark.parametrize("lang", LANGS)
def test_explanations_quote_the_story(lang: Lang) -> None:
    for k in load_key("ex06").items:
        quotes = re.findall(r"“(.*?)”", k.explanation[lang])
        assert all(q in _story(lang) for q in quotes), (k.id, quotes)
        if k.id.startswith(("after_", "phase_")):
            assert quotes, k.id


def test_solution_full_marks_on_the_automatic_part_blank_zero() -> None:
    key = load_key("ex06")
    automatic = sum(k.points for k in key.items if k.scoring != "manual")
    full = grade(Submission(exercise_id="ex06", trainee=TRAINEE, answers=model_answers(key)), key)
    assert full.total == automatic == 20 and full.max_total == 27 and full.pending_manual == MANUAL
    blank = grade(Submission(exercise_id="ex06", trainee=TRAINEE, answers={}), key)
    assert blank.total == 0
    checked = self_check("ex06", model_answers(key))
    assert {checked[i] for i in MANUAL} == {"instructor"}
    assert {v for i, v in checked.items() if i not in MANUAL} == {"correct"}
    wrong_tick = {**model_answers(key), "moved": ["p1", "p2", "p6", "p7", "p8"]}
    (moved,) = [i for i in grade(Submission(exercise_id="ex06", trainee=TRAINEE, answers=wrong_tick), key).items
                if i.item_id == "moved"]
    assert moved.points == 3 and moved.status == "partial"


@pytest.mark.parametrize("lang", LANGS)
def test_case_renders_in_both_languages(lang: Lang) -> None:
    text = exercise_case_markdown("ex06", lang)
    assert t("ex01.account.a09", lang) in text and _story(lang) in text
    for code in load_people_outline("ex06").people:
        assert person_label("ex06", code, lang) == t(f"ex02.who.{code}", lang) in text
        assert f"**{_name(code, lang)}**" in _story(lang)  # everyone listed is in it
    if lang == "en":
        assert set(CJK.findall(text)) <= {"万", "元"}


def test_page_saves_checks_and_submits(workbook_file: Path) -> None:
    from kamlib.forms.exercise import exercise_page
    from kamlib.submission import list_submissions

    page = exercise_page("ex06", lang="en")
    (form,) = page._forms
    answers = model_answers(load_key("ex06"), "en")
    fill_answers(form, answers)
    form.check.click()
    assert "Self-check: 15 right, 2 written answers (checked by your instructor)." in form.status.text
    form.submit.click()
    assert form.status.kind == "ok" and len(list_submissions()) == 1
