"""Exercise 02: the key agrees with the case's people and information, and the red flags follow the rules of 2.4."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from kamlib.exercises import load_exercise
from kamlib.exercises.case import (
    case_markdown,
    case_people,
    exercise_case_markdown,
    load_case,
    load_people_case,
    person_label,
)
from kamlib.grading import grade, load_key, model_answers, self_check
from kamlib.i18n import LANGS, Lang, t
from kamlib.model.workbook import Trainee
from kamlib.screening import eligible_as
from kamlib.submission import Submission
from tests.form_checks import fill_answers

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3400-\u9fff]")
TRAINEE = Trainee(id="li.wei", name="Li Wei")
ASPECTS = ("role", "style", "attitude", "contact")
# Each red-flag statement of the item as (kind of kamlib.people.RedFlag, the person it names or None).
STATEMENTS = {
    "p1_against": ("dm_unfavourable", "p1"),
    "p2_against": ("dm_unfavourable", "p2"),
    "p3_against": ("dm_unfavourable", "p3"),
    "p1_unmet": ("dm_no_contact", "p1"),
    "p2_unmet": ("dm_no_contact", "p2"),
    "no_line": ("no_supporter_influence", None),
    "single": ("single_contact", None),
}


@pytest.fixture(scope="module")
def key_answers() -> dict[str, object]:
    return {k.id: k.answer for k in load_key("ex02").items}


def _submit(answers: dict) -> Submission:
    return Submission(exercise_id="ex02", trainee=TRAINEE, answers=answers)


def _story(lang: Lang) -> str:
    return t("ex02.case.story", lang)


def _paragraph(code: str, lang: Lang) -> str:
    """The story's paragraph about one person (a bullet starting with their name in bold)."""
    name = re.split(r"[(（]", person_label("ex02", code, lang))[0].strip()
    (line,) = [line for line in _story(lang).splitlines() if line.startswith(f"- **{name}**")]
    return line


def _quotes(text: str) -> list[str]:
    """The parts quoted in “…”, split at an ellipsis."""
    return [part.strip() for q in re.findall(r"“(.*?)”", text) for part in re.split(r"……| … ", q)]


@pytest.mark.solutions
def test_the_case_is_about_eight_people_at_the_top_account_of_ex01() -> None:
    case = load_people_case("ex02")
    assert 7 <= len(case.people) <= 9 and 7 <= len(case.info) <= 9
    assert case.account == "ex01.account.a09"
    (a09,) = [a for a in load_case("ex01") if a.id == "a09"]
    assert eligible_as(a09) == "top"
    assert [p.code for p in case.people if p.reports_to is None] == ["p1"]  # one top of the chart
    for aspect, codes in (("role", "ADEU"), ("style", "DKAE"), ("attitude", "*+=-/"), ("contact", "01NF")):
        assert {getattr(p, aspect) for p in case.people} == set(codes), f"every {aspect} code occurs"
    assert {i.level for i in case.info} == {"public", "limited", "important", "exclusive", "us"}
    people = case_people("ex02", "en")
    assert [p.id for p in people] == [p.code for p in case.people]
    assert [p.id for p in people if p.decision_layer] == ["p1", "p2"]


@pytest.mark.solutions
def test_the_key_is_the_case(key_answers: dict) -> None:
    case = load_people_case("ex02")
    exercise = load_exercise("ex02")
    codes = [p.code for p in case.people]
    for p in case.people:
        item = exercise.item(f"reports_{p.code}")
        assert item.choices == ("none", *[c for c in codes if c != p.code])
        assert key_answers[item.id] == (p.reports_to or "none")
        for aspect in ASPECTS:
            assert key_answers[f"{aspect}_{p.code}"] == getattr(p, aspect), (aspect, p.code)
            assert exercise.item(f"{aspect}_{p.code}").prompt_params == {"person": f"ex02.who.{p.code}"}
    for info in case.info:
        assert key_answers[f"level_{info.code}"] == info.level
        assert exercise.item(f"level_{info.code}").prompt_params == {"info": f"ex02.info.{info.code}"}
    assert len(exercise.items) == 5 * len(case.people) + len(case.info) + 1


def _flags_by_the_rules() -> set[tuple[str, str | None]]:
    """The red flags of the brief's rules, computed here from the case's codes (independent of kamlib.people)."""
    case = load_people_case("ex02")
    layer = {p.code for p in case.people if p.role in ("A", "D")}
    flags: set[tuple[str, str | None]] = set()
    for p in case.people:
        if p.code in layer and p.attitude in ("=", "-", "/"):
            flags.add(("dm_unfavourable", p.code))
        if p.code in layer and p.contact == "0":
            flags.add(("dm_no_contact", p.code))
    supporters = [p for p in case.people if p.attitude in ("*", "+")]
    if not any(set(p.influences) & (layer - {p.code}) for p in supporters):
        flags.add(("no_supporter_influence", None))
    if sum(p.contact in ("N", "F") for p in case.people) == 1:
        flags.add(("single_contact", None))
    return flags


@pytest.mark.solutions
def test_red_flags_follow_the_rules(key_answers: dict) -> None:
    keyed = {STATEMENTS[s] for s in key_answers["red_flags"]}
    assert keyed == _flags_by_the_rules() == {("dm_unfavourable", "p1"), ("dm_unfavourable", "p2"),
                                               ("dm_no_contact", "p1")}
    assert tuple(STATEMENTS) == load_exercise("ex02").item("red_flags").choices
    assert 2 <= len(STATEMENTS) - len(keyed) <= 5  # wrong statements to tell apart


@pytest.mark.parametrize("lang", LANGS)
def test_red_flags_are_named_and_defined_as_the_tool_has_them(lang: Lang) -> None:
    """The deck's six steps end with the relationship panorama and list no red flags: the item carries no step
    number, uses the chapter 2 tool's name for them, and each statement means what kamlib.people computes."""
    prompt, intro = t("ex02.red_flags.prompt", lang), t("ex02.intro", lang)
    assert not re.search(r"第\s*\d+\s*步|Step \d", prompt)
    name = t("ch2.people.flags", lang)
    assert prompt.startswith(name) and name in intro
    if lang == "zh":
        assert "危险信号" not in prompt + intro
    contact = {"zh": "N 或 F", "en": "N or F"}[lang]
    single = t("ex02.red_flags.choice.single", lang)
    assert contact in single and contact in t("people.flag.single_contact", lang, name="x")
    assert contact in intro
    line = {"zh": "决策层的其他人", "en": "someone else in the decision layer"}[lang]
    assert line in t("ex02.red_flags.choice.no_line", lang)  # a supporter inside the decision layer is no route


@pytest.mark.solutions
def test_red_flags_agree_with_kamlib_people(key_answers: dict) -> None:
    from kamlib.people import red_flags

    computed = red_flags(case_people("ex02"))
    per_person = {"dm_unfavourable", "dm_no_contact"}
    found = {(f.kind, f.person_ids[0] if f.kind in per_person else None) for f in computed}
    assert found == {STATEMENTS[s] for s in key_answers["red_flags"]}
    assert len(found) == len(computed)  # each flag once


@pytest.mark.solutions
def test_points() -> None:
    points = {k.id: k.points for k in load_key("ex02").items}
    assert points.pop("red_flags") == 3
    assert set(points.values()) == {1}
    assert load_key("ex02").max_points == 8 * 5 + 8 + 3


@pytest.mark.solutions
def test_solution_scores_full_blank_zero_and_wrong_ticks_cost(key_answers: dict) -> None:
    key = load_key("ex02")
    full = grade(_submit(model_answers(key)), key)
    assert full.total == full.max_total == key.max_points
    assert grade(_submit({}), key).total == 0
    ticks = {"red_flags": ["p1_against", "p2_against", "p3_against", "p1_unmet"]}  # 3 right, 1 wrong
    (result,) = [i for i in grade(_submit(ticks), key).items if i.item_id == "red_flags"]
    assert result.points == 2 and result.status == "partial"
    assert set(self_check("ex02", model_answers(key)).values()) == {"correct"}


@pytest.mark.solutions
@pytest.mark.parametrize("lang", LANGS)
def test_explanations_quote_the_story(lang: Lang) -> None:
    key = load_key("ex02")
    for k in key.items:
        text = k.explanation[lang]
        assert text.strip() and _quotes(text), k.id
        aspect, _, code = k.id.partition("_")
        if k.id == "red_flags":
            assert all(q in _story(lang) for q in _quotes(text))
        elif aspect == "level":
            assert _quotes(text) == [t(f"ex02.info.{code}", lang)]
        else:  # a person's item quotes that person's own paragraph (and may name the answer's label)
            labels = {t(f"ex02.who.{c}", lang) for c in ("none", *[p.code for p in load_people_case("ex02").people])}
            quotes = [q for q in _quotes(text) if q not in labels]
            assert quotes and all(q in _paragraph(code, lang) for q in quotes), k.id


@pytest.mark.solutions
@pytest.mark.parametrize("lang", LANGS)
def test_case_renders_in_both_languages(lang: Lang) -> None:
    text = exercise_case_markdown("ex02", lang)
    assert t("ex01.account.a09", lang) in text and _story(lang) in text
    for p in load_people_case("ex02").people:
        assert person_label("ex02", p.code, lang) in text
        assert _paragraph(p.code, lang) in text
    if lang == "en":
        assert set(CJK.findall(text)) <= {"万", "元"}
    else:
        assert len(CJK.findall(text)) > 250
    assert exercise_case_markdown("ex01", lang) == case_markdown("ex01", lang)  # ex01 unchanged


@pytest.mark.solutions
def test_the_case_file_is_checked() -> None:
    from kamlib.exercises.case import PeopleCase

    with (ROOT / "solutions" / "keys" / "ex02_case.toml").open("rb") as fh:
        data = tomllib.load(fh)
    data["people"][0]["reports_to"] = "p2"  # p2 reports to p1: a loop
    with pytest.raises(ValueError, match="loop"):
        PeopleCase.model_validate(data)
    data["people"][0]["reports_to"] = "p9"
    with pytest.raises(ValueError, match="other people"):
        PeopleCase.model_validate(data)


@pytest.mark.solutions
def test_page_shows_the_case_and_the_form_saves_checks_and_submits(workbook_file: Path) -> None:
    from kamlib.forms.exercise import exercise_page
    from kamlib.model import load_workbook
    from kamlib.submission import list_submissions

    page = exercise_page("ex02", lang="en")
    shown = [render("en") for _, render in page._displays]
    assert any(getattr(d, "data", None) == exercise_case_markdown("ex02", "en") for d in shown)
    (form,) = page._forms
    answers = model_answers(load_key("ex02"))
    fill_answers(form, answers)
    page.set_lang("zh")
    page.set_lang("en")
    assert load_workbook(workbook_file).exercises["ex02"].answers == answers
    assert dict(form.inputs["reports_p2"].options)[t("ex02.who.p1", "en")] == "p1"
    form.check.click()
    assert "Self-check: 49 right." in form.status.text
    form.submit.click()
    assert form.status.kind == "ok" and len(list_submissions()) == 1
