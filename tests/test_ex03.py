"""Exercise 03: the key agrees with the case's factors and people, and with what kamlib.strategy and
kamlib.campaign compute from them, so key and tool never drift."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from kamlib.analysis import factor_quadrant
from kamlib.campaign import GOAL, propose_campaign
from kamlib.exercises import load_exercise
from kamlib.exercises.case import case_people, exercise_case_markdown, load_people_case, load_people_outline
from kamlib.exercises.ex03_reveal import factor_of, placed_factors, strategy_feedback, strategy_reveal
from kamlib.grading import grade, load_key, model_answers, self_check
from kamlib.i18n import LANGS, Lang, t
from kamlib.model.workbook import Factor, Trainee
from kamlib.people import unfavourable_decision_makers
from kamlib.strategy import PAIRS, QUADRANTS, STRATEGIES, quadrant_of, quadrant_weights, recommend
from kamlib.submission import Submission
from tests.form_checks import fill_answers

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3400-\u9fff]")
TRAINEE = Trainee(id="li.wei", name="Li Wei")
CODES = [f"f{n:02d}" for n in range(1, 11)]
MANUAL = ("measures", "campaign_rows")


@pytest.fixture(scope="module")
def key_answers() -> dict[str, object]:
    return {k.id: k.answer for k in load_key("ex03").items}


def _truth() -> dict:
    with (ROOT / "solutions" / "keys" / "ex03_case.toml").open("rb") as fh:
        return tomllib.load(fh)


def _case_factors(lang: Lang = "en") -> list[Factor]:
    """The case's factors as workbook factors, with their labels in ``lang``."""
    return [Factor(text=t(f"ex03.factor.{f['code']}", lang), advantage=f["advantage"],
                   strong_control=f["strong_control"], importance=f["importance"]) for f in _truth()["factors"]]


def _submit(answers: dict) -> Submission:
    return Submission(exercise_id="ex03", trainee=TRAINEE, answers=answers)


def _story(lang: Lang) -> str:
    return t("ex03.case.story", lang)


def _line(start: str, lang: Lang) -> str:
    """The story's one bullet that starts with ``start`` in bold."""
    (line,) = [line for line in _story(lang).splitlines() if line.startswith(f"- **{start}")]
    return line


def _factor_line(code: str, lang: Lang) -> str:
    return _line(f"{t(f'ex03.factor.{code}', lang)}**", lang)


def _name(code: str, lang: Lang) -> str:
    return re.split(r"[(（]", t(f"ex03.who.{code}", lang))[0].strip()


def _person_line(code: str, lang: Lang) -> str:
    return _line(f"{_name(code, lang)}**", lang)


def _quotes(text: str) -> list[str]:
    """The parts quoted in “…”."""
    return re.findall(r"“(.*?)”", text)


def _number(code: str) -> str:
    """How the story numbers a factor: f04 -> F4."""
    return f"F{int(code[1:])}"


# ---- the case ---------------------------------------------------------------------------------------------


@pytest.mark.solutions
def test_the_case_continues_exercise_02() -> None:
    outline, before = load_people_outline("ex03"), load_people_outline("ex02")
    assert (outline.account, outline.people) == (before.account, before.people) == ("ex01.account.a09",
                                                                                    before.people)
    truth = _truth()
    assert (truth["catalog"], truth["account"], truth["people"]) == ("ex03", outline.account, "ex02")
    assert [f["code"] for f in truth["factors"]] == CODES
    for lang in LANGS:
        assert all(t(f"ex03.who.{c}", lang) == t(f"ex02.who.{c}", lang) for c in outline.people)
        assert t("ex02.case.story", lang) in _story(lang)  # the key persons word for word
    factors = _case_factors()
    assert {factor_quadrant(f) for f in factors} == set(QUADRANTS)
    assert {f.importance for f in factors} <= {1, 2, 3, 4, 5}


@pytest.mark.solutions
@pytest.mark.parametrize("lang", LANGS)
def test_each_factor_is_told_once_with_its_importance(lang: Lang) -> None:
    importance = load_exercise("ex03").item("strategy").reveal_args["importance"]
    assert list(importance) == CODES
    for f in _truth()["factors"]:
        label = t(f"ex03.factor.{f['code']}", lang)
        assert label.startswith(f"{_number(f['code'])} ")
        assert int(re.search(r"(\d)[)）]$", label).group(1)) == f["importance"] == importance[f["code"]]
        assert len(_factor_line(f["code"], lang)) > len(label) + 40  # the bullet tells the factor's story


def _control_definitions(lang: Lang) -> tuple[str, str]:
    """The intro's definitions (3.1) of strong and weak control."""
    (line,) = [x for x in t("ex03.intro", lang).splitlines() if x.startswith("- 3.1")]
    _, strong, weak = re.split(r"强控[:：]|弱控[:：]|[Ss]trong control:|[Ww]eak control:", line)[-3:]
    return strong, weak


@pytest.mark.solutions
@pytest.mark.parametrize("lang", LANGS)
def test_the_control_definition_agrees_with_the_deck_and_the_key(lang: Lang) -> None:
    """The deck's strong control is what the sales side decides (price, service response, the implementation plan,
    the rep); its weak control includes the competitor's stronger product. So our own head office's product
    roadmap (F6) is weak control, and the definition the trainee reads must say so."""
    strong, weak = _control_definitions(lang)
    team, head_office = {"zh": ("销售团队", "总部"), "en": ("account team", "head office")}[lang]
    assert team in strong and head_office not in strong
    assert head_office in weak
    truth = {f["code"]: f for f in _truth()["factors"]}
    assert head_office in _factor_line("f06", lang) and truth["f06"]["strong_control"] is False
    (f06,) = [k for k in load_key("ex03").items if k.id == "quadrant_f06"]
    assert head_office in f06.explanation[lang]  # F6's explanation says who decides


# ---- the key is what the tool computes ---------------------------------------------------------------------


@pytest.mark.solutions
def test_quadrants_are_the_factors_quadrants(key_answers: dict) -> None:
    exercise = load_exercise("ex03")
    for code, factor in zip(CODES, _case_factors(), strict=True):
        item = exercise.item(f"quadrant_{code}")
        assert item.choices == QUADRANTS
        assert item.prompt_params == {"factor": f"ex03.factor.{code}"}
        assert key_answers[item.id] == factor_quadrant(factor) == quadrant_of(factor.advantage, factor.strong_control)
        assert factor_of(code, key_answers[item.id], factor.importance).model_dump(exclude={"id", "text"}) == \
            factor.model_dump(exclude={"id", "text"})


@pytest.mark.solutions
def test_the_strategy_is_the_tools_clear_recommendation(key_answers: dict) -> None:
    factors = _case_factors()
    weighted = recommend(factors)
    assert weighted.verdict == "clear" and weighted.weighted
    assert key_answers["strategy"] == weighted.best
    assert weighted.margin >= 3, "a clear winner, not a near tie"
    counted = recommend([f.model_copy(update={"importance": 1}) for f in factors])
    assert counted.verdict == "clear" and counted.best == weighted.best, "weights and plain counts agree"
    weights = quadrant_weights(factors)
    assert set(PAIRS[weighted.best]) == set(sorted(QUADRANTS, key=lambda q: -weights[q])[:2])
    assert load_exercise("ex03").item("strategy").choices == STRATEGIES


def _unfavourable_by_the_rules() -> set[str]:
    """A or D, and neutral, non-supporter or opponent: computed from the ex02 case's codes."""
    return {p.code for p in load_people_case("ex02").people if p.role in ("A", "D") and p.attitude in "=-/"}


@pytest.mark.solutions
def test_the_unfavourable_decision_makers_are_kamlib_peoples(key_answers: dict) -> None:
    computed = {p.id for p in unfavourable_decision_makers(case_people("ex02"))}
    assert set(key_answers["unfavourable"]) == computed == _unfavourable_by_the_rules() == {"p1", "p2"}
    item = load_exercise("ex03").item("unfavourable")
    assert item.choices == load_people_outline("ex02").people
    assert len(item.choices) - len(computed) >= 4  # wrong ticks to avoid


@pytest.mark.solutions
def test_every_aim_is_the_campaign_proposals(key_answers: dict) -> None:
    people = {p.id: p for p in case_people("ex02")}
    proposals = propose_campaign(list(people.values()))
    aims = [i for i in load_exercise("ex03").items if i.id.startswith("aim_")]
    assert sorted(i.id for i in aims) == sorted(f"aim_{c.person_id}" for c in proposals)
    assert [i.id for i in aims] == [f"aim_{code}" for code in people if f"aim_{code}" in key_answers]  # map order
    for c in proposals:
        item = load_exercise("ex03").item(f"aim_{c.person_id}")
        assert item.prompt_params == {"person": f"ex03.who.{c.person_id}"}
        assert key_answers[item.id] == c.goal == GOAL[people[c.person_id].attitude]
    assert {key_answers[i.id] for i in aims} == set(aims[0].choices)  # every aim occurs
    assert set(key_answers["unfavourable"]) <= {c.person_id for c in proposals}


@pytest.mark.solutions
@pytest.mark.parametrize("lang", LANGS)
def test_the_manual_items_have_a_rubric_that_fits_the_case(lang: Lang) -> None:
    key = {k.id: k for k in load_key("ex03").items}
    for item_id in MANUAL:
        assert key[item_id].scoring == "manual" and key[item_id].answer is None
        assert load_exercise("ex03").item(item_id).kind == "text"
        assert key[item_id].example and len(key[item_id].example[lang]) > 200
    # the sales measures: the three disadvantages that weigh most (a clear cut), named in rubric and example
    disadvantages = sorted((f for f in _truth()["factors"] if not f["advantage"]), key=lambda f: -f["importance"])
    assert disadvantages[2]["importance"] > disadvantages[3]["importance"]
    for f in disadvantages[:3]:
        for text in (key["measures"].explanation[lang], key["measures"].example[lang]):
            assert re.search(rf"\b{_number(f['code'])}\b", text), (f["code"], text[:40])
    # the campaign rows: each unfavourable decision-maker with their aim and the tool's first route of influence
    people = case_people("ex02", lang)
    for c in propose_campaign(people):
        if c.person_id not in {p.id for p in unfavourable_decision_makers(people)}:
            continue
        supporter = c.routes[0][0]
        for text in (key["campaign_rows"].explanation[lang], key["campaign_rows"].example[lang]):
            assert _name(c.person_id, lang) in text and _name(supporter, lang) in text
        assert t(f"ex03.aim.choice.{c.goal}", lang) in key["campaign_rows"].example[lang]


# ---- scoring ------------------------------------------------------------------------------------------------


@pytest.mark.solutions
def test_points() -> None:
    key = load_key("ex03")
    points = {k.id: k.points for k in key.items}
    assert [points.pop(f"quadrant_{c}") for c in CODES] == [1] * 10
    assert (points.pop("strategy"), points.pop("unfavourable")) == (3, 2)
    assert [points.pop(m) for m in MANUAL] == [4, 4]
    assert set(points.values()) == {1} and len(points) == 7  # the aims
    assert key.max_points == 30


@pytest.mark.solutions
def test_solution_scores_full_automatic_marks_blank_zero_and_partial_credit(key_answers: dict) -> None:
    key = load_key("ex03")
    automatic = sum(k.points for k in key.items if k.scoring != "manual")
    full = grade(_submit(model_answers(key)), key)
    assert full.total == automatic == 22 and full.max_total == key.max_points
    assert full.pending_manual == MANUAL
    assert {i.status for i in full.items if i.item_id not in MANUAL} == {"correct"}
    blank = grade(_submit({}), key)
    assert blank.total == 0 and {i.status for i in blank.items} == {"blank", "manual"}

    def points(answers: dict) -> dict[str, tuple[float, str]]:
        return {i.item_id: (i.points, i.status) for i in grade(_submit(answers), key).items}

    assert points({"unfavourable": ["p1", "p2", "p3"]})["unfavourable"] == (1, "partial")  # Chen Li is an E
    assert points({"unfavourable": ["p1", "p3"]})["unfavourable"] == (0, "wrong")
    assert points({"unfavourable": ["p2"]})["unfavourable"] == (1, "partial")
    half = {f"quadrant_{c}": key_answers[f"quadrant_{c}"] for c in CODES[:5]} | {"quadrant_f06": "eliminate"}
    got = points(half | {"strategy": "delay_surprise", "aim_p3": "to_supporter"})
    assert sum(got[f"quadrant_{c}"][0] for c in CODES) == 5 and got["quadrant_f06"] == (0, "wrong")
    assert got["strategy"] == (0, "wrong") and got["aim_p3"] == (0, "wrong")
    check = self_check("ex03", model_answers(key))
    assert {v for k, v in check.items() if k not in MANUAL} == {"correct"}
    assert [check[m] for m in MANUAL] == ["instructor", "instructor"]


# ---- explanations and texts ---------------------------------------------------------------------------------


@pytest.mark.solutions
@pytest.mark.parametrize("lang", LANGS)
def test_explanations_quote_the_story(lang: Lang) -> None:
    people = t("ex02.case.story", lang)  # the key persons' part of the story (word for word)
    for k in load_key("ex03").items:
        text = k.explanation[lang]
        assert text.strip(), k.id
        kind, _, code = k.id.partition("_")
        if kind == "quadrant":
            assert len(_quotes(text)) >= 2 and all(q in _factor_line(code, lang) for q in _quotes(text)), k.id
        elif kind == "aim":
            assert _quotes(text) and all(q in _person_line(code, lang) for q in _quotes(text)), k.id
        elif k.id == "unfavourable":
            assert len(_quotes(text)) >= 4 and all(q in people for q in _quotes(text))
    rec = recommend(_case_factors(lang))
    strategy = load_key("ex03").items[len(CODES)]
    assert strategy.id == "strategy"
    p = rec.profile  # the explanation states the tool's two readings, as the tool writes them
    advantages, ca, cd = (f"{float(x):g}" for x in (p.advantages, p.controlled_advantages, p.controlled_disadvantages))
    total, disadvantages = f"{float(p.total):g}", f"{float(p.disadvantages):g}"
    reading = ([f"{advantages} of {total}", f"{ca} of {advantages}", f"{cd} of {disadvantages}"] if lang == "en" else
               [f"{total} 中的 {advantages}", f"{advantages} 中我们能控制 {ca}", f"{disadvantages} 中能控制 {cd}"])
    for phrase in reading:
        assert phrase in strategy.explanation[lang], phrase
    if lang == "en":  # each quadrant's weight and members, as the tool counts them
        for q in QUADRANTS:
            members = ", ".join(_number(c) for c, f in zip(CODES, _case_factors(), strict=True)
                                if factor_quadrant(f) == q)
            assert f"{q} {rec.weights[q]:g} ({members})" in strategy.explanation[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_case_renders_in_both_languages(lang: Lang) -> None:
    text = exercise_case_markdown("ex03", lang)
    assert t("ex01.account.a09", lang) in text and _story(lang) in text
    for code in CODES:
        assert f"**{t(f'ex03.factor.{code}', lang)}**" in text
    for code in load_people_outline("ex03").people:
        assert t(f"ex03.who.{code}", lang) in text and _person_line(code, lang) in text
    if lang == "en":
        assert set(CJK.findall(text)) <= {"万", "元"}
        assert not CJK.search("".join(t(k, lang) for k in ("ex03.title", "ex03.intro")))
    else:
        assert len(CJK.findall(text)) > 1000


# ---- the reveal: the tool's recommendation from the trainee's own placement -------------------------------------


IMPORTANCE = dict(zip(CODES, (4, 3, 4, 5, 3, 2, 2, 3, 4, 4), strict=True))


def test_the_reveal_reads_the_trainees_own_placement() -> None:
    args = load_exercise("ex03").item("strategy").reveal_args
    assert args["importance"] == IMPORTANCE
    leverage_eliminate = {f"quadrant_{c}": ("leverage" if i % 2 else "eliminate") for i, c in enumerate(CODES)}
    assert {f.importance for f in placed_factors(leverage_eliminate, IMPORTANCE)} == set(IMPORTANCE.values())
    reading = ["strategy.why.weighted", "strategy.read.good", "strategy.read.control"]
    lines = strategy_feedback(leverage_eliminate, IMPORTANCE)
    assert [x.key for x in lines] == ["ex03.reveal.clear", *reading, "strategy.decide.control"]
    assert lines[0].params["name"].key == "strategy.name.persevere"  # half advantages, all under control
    assert lines[1].params["total"] == "34" and lines[2].params["part"] == "17"
    lines = strategy_feedback(leverage_eliminate | {"strategy": "quick_win"}, IMPORTANCE)
    assert [x.key for x in lines] == ["ex03.reveal.clear", *reading, "strategy.decide.control", "ex03.reveal.differs"]
    assert lines[-1].params["chosen"].key == "strategy.name.quick_win"
    only_use = {f"quadrant_{c}": "use" for c in CODES}  # all advantages, none under control: venture forward
    lines = strategy_feedback(only_use, IMPORTANCE)
    assert [x.key for x in lines] == ["ex03.reveal.clear", *reading, "strategy.decide.control_settled"]
    assert lines[0].params["name"].key == "strategy.name.venture"
    tie = {"quadrant_f01": "use", "quadrant_f09": "leverage", "quadrant_f03": "reduce", "quadrant_f10": "reduce"}
    lines = strategy_feedback(tie, IMPORTANCE)  # 4 + 4 against 4 + 4, control over half the advantages
    assert [x.key for x in lines][:2] == ["ex03.reveal.partial", "ex03.reveal.tie"] and len(lines[1].params) == 1
    assert [x.key for x in strategy_feedback({}, IMPORTANCE)] == ["ex03.reveal.none"]
    few = {"quadrant_f01": "use", "quadrant_f02": "reduce", "quadrant_f03": "nonsense"}
    assert placed_factors(few, IMPORTANCE)[1].advantage is False  # an unknown value counts as not placed
    assert [x.key for x in strategy_feedback(few, IMPORTANCE)] == ["ex03.reveal.too_few"]
    some = {f"quadrant_{c}": leverage_eliminate[f"quadrant_{c}"] for c in CODES[:6]}
    assert [x.key for x in strategy_feedback(some, IMPORTANCE)][:2] == ["ex03.reveal.partial", "ex03.reveal.clear"]
    for lang in LANGS:
        for answers in (leverage_eliminate, only_use, tie, {}, few, some):
            text = strategy_reveal(args, answers, lang)
            full = t("ex03.strategy.reveal", lang, result=text)
            assert text and (lang == "zh" or not CJK.search(full))


@pytest.mark.solutions
def test_the_reveal_agrees_with_the_solution() -> None:
    answers = model_answers(load_key("ex03"))
    lines = strategy_feedback(answers, IMPORTANCE)
    assert [x.key for x in (lines[0], lines[-2], lines[-1])] == ["ex03.reveal.clear", "strategy.decide.control",
                                                                 "ex03.reveal.agrees"]
    assert lines[0].params["name"].key == f"strategy.name.{answers['strategy']}"
    text = strategy_reveal(load_exercise("ex03").item("strategy").reveal_args, answers, "en")
    assert "Persevere" in text and "**" not in text  # plain text
    assert "you control 11 of 16 advantages (69%) and 13 of 18 disadvantages (72%)" in text


# ---- the notebook pages ----------------------------------------------------------------------------------------


@pytest.mark.solutions
def test_page_shows_the_case_and_the_form_saves_checks_and_submits(workbook_file: Path) -> None:
    from kamlib.forms.exercise import exercise_page
    from kamlib.model import load_workbook
    from kamlib.submission import list_submissions

    page = exercise_page("ex03", lang="en")
    shown = [render("en") for _, render in page._displays]
    assert any(getattr(d, "data", None) == exercise_case_markdown("ex03", "en") for d in shown)
    (form,) = page._forms
    answers = model_answers(load_key("ex03"), "en")
    fill_answers(form, answers)
    page.set_lang("zh")
    page.set_lang("en")
    assert load_workbook(workbook_file).exercises["ex03"].answers == answers
    assert dict(form.inputs["strategy"].options)[t("ex03.strategy.choice.persevere", "en")] == "persevere"
    assert form.inputs["measures"].placeholder == t("ex03.measures.placeholder", "en")
    form.check.click()
    assert "Self-check: 19 right, 2 written answers (checked by your instructor)." in form.status.text
    assert form.notes["campaign_rows"].text == t("grading.check.instructor", "en")
    form.submit.click()
    assert form.status.kind == "ok" and len(list_submissions()) == 1


@pytest.mark.solutions
def test_solution_page_shows_the_key_with_the_written_answers_pending() -> None:
    from kamlib.forms.instructor import solution_page

    page = solution_page("ex03", lang="en")
    shown = "\n".join(getattr(render("en"), "data", "") or "" for _, render in page._displays)
    assert "Total: 22 / 30 points" in shown
    assert t("grading.table.pending", "en", count=2) in shown


@pytest.mark.solutions
def test_submitting_shows_the_tools_recommendation_from_the_trainees_placement(workbook_file: Path) -> None:
    from kamlib.forms.exercise import exercise_page

    assert load_exercise("ex03").item("strategy").reveal == "ex03_strategy"
    page = exercise_page("ex03", lang="en")
    (form,) = page._forms
    answers = model_answers(load_key("ex03"), "en")
    for code in CODES:
        form.inputs[f"quadrant_{code}"].value = answers[f"quadrant_{code}"]
    form.inputs["strategy"].value = "delay_surprise"
    form.submit.click()
    assert form.status.kind == "ok"
    assert t("ex03.strategy.reveal", "en", result="") in form.status.text
    assert "“Persevere”" in form.status.text and "You chose “Delay and surprise”" in form.status.text
    page.set_lang("zh")
    assert "坚忍不拔" in form.status.text and not form.status.text.isascii()
