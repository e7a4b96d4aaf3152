"""Grading core: keys, scores, self-check without the key, submissions that never overwrite."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kamlib import paths
from kamlib.cli import main as kam
from kamlib.errors import GradingError
from kamlib.exercises import exercise_ids, load_exercise, normalize_answer, parse_number
from kamlib.grading import (
    AnswerKey,
    build_check_data,
    check_data_path,
    check_key,
    grade,
    load_key,
    model_answers,
    self_check,
)
from kamlib.i18n import t
from kamlib.model.workbook import Trainee
from kamlib.submission import Submission, list_submissions, load_submission, write_submission

ROOT = Path(__file__).resolve().parents[1]
TRAINEE = Trainee(id="li.wei", name="Li Wei")


def _submit(answers: dict) -> Submission:
    return Submission(exercise_id="ex00", trainee=TRAINEE, answers=answers)


@pytest.mark.solutions
@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_solution_scores_full_marks_and_blank_scores_zero(exercise_id: str) -> None:
    key = load_key(exercise_id)
    full = grade(Submission(exercise_id=exercise_id, trainee=TRAINEE, answers=model_answers(key)), key)
    automatic = sum(k.points for k in key.items if k.scoring != "manual")  # manual items: scored by hand
    assert full.total == automatic > 0 and full.max_total == key.max_points
    assert {i.status for i in full.items} <= {"correct", "manual"}
    blank = grade(Submission(exercise_id=exercise_id, trainee=TRAINEE), key)
    assert blank.total == 0
    assert {i.status for i in blank.items} <= {"blank", "manual"}


@pytest.mark.solutions
def test_partial_credit_and_wrong_answers() -> None:
    key = load_key("ex00")
    right_q4 = model_answers(key)["q4"]  # from the key: this file spells out no answer
    result = grade(_submit({"q1": "ch2", "q3": ["lb", "ga"], "q4": right_q4, "q7": "ok"}), key)
    by_id = {i.item_id: i for i in result.items}
    assert by_id["q1"].status == "wrong" and by_id["q1"].points == 0
    assert by_id["q3"].status == "partial" and by_id["q3"].points == 2
    assert by_id["q4"].status == "correct"
    assert by_id["q7"].status == "too_short" and by_id["q7"].points == 0  # flagged, never scored by length
    wrong_pick = grade(_submit({"q3": ["lb", "ga", "industry", "home"]}), key)
    assert {i.item_id: i.points for i in wrong_pick.items}["q3"] == 2  # 3 right − 1 wrong
    assert all(i.explanation["zh"] and i.explanation["en"] for i in result.items)


@pytest.mark.solutions
def test_number_tolerance() -> None:
    base = load_key("ex00")
    items = tuple(i.model_copy(update={"tolerance": 1.0}) if i.id == "q4" else i for i in base.items)
    key = AnswerKey(exercise="ex00", items=items)
    assert {i.item_id: i.status for i in grade(_submit({"q4": 21.0}), key).items}["q4"] == "correct"
    assert {i.item_id: i.status for i in grade(_submit({"q4": 22.0}), key).items}["q4"] == "wrong"


@pytest.mark.solutions
@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_written_answers_are_scored_by_the_instructor_never_by_length(exercise_id: str) -> None:
    """A text item is scored by hand (its explanation the rubric) or by a kamlib function, never by how long it
    is: filler of any length gets no points, and self-check never calls it right."""
    key = load_key(exercise_id)
    exercise = load_exercise(exercise_id)
    written = [k for k in key.items if exercise.item(k.id).kind == "text"]
    filler = {k.id: "x" * 500 for k in written}
    result = {i.item_id: i for i in grade(Submission(exercise_id=exercise_id, trainee=TRAINEE, answers=filler),
                                          key).items}
    checked = self_check(exercise_id, filler)
    for k in written:
        assert k.scoring == "manual", k.id
        assert result[k.id].points == 0 and result[k.id].status == "manual", k.id
        assert checked[k.id] == "instructor", k.id
        assert k.explanation["zh"].strip() and k.explanation["en"].strip() and k.example, k.id  # the rubric


@pytest.mark.solutions
def test_a_short_written_answer_is_only_flagged_too_short() -> None:
    key = load_key("ex04")
    (plan,) = [k for k in key.items if k.id == "plan"]
    assert plan.scoring == "manual" and plan.min_chars == 15
    for given, status in (("T1 visit.", "too_short"), ("", "manual"), ("T1 this week: meet the head of IT", "manual")):
        (item,) = [i for i in grade(Submission(exercise_id="ex04", trainee=TRAINEE, answers={"plan": given}),
                                    key).items if i.item_id == "plan"]
        assert (item.points, item.status) == (0, status)
    assert self_check("ex04", {"plan": "T1 visit."})["plan"] == "too_short"
    assert self_check("ex04", {"plan": "  "})["plan"] == "blank"
    assert self_check("ex04", {"plan": "T1 this week: meet the head of IT"})["plan"] == "instructor"


@pytest.mark.solutions
def test_a_key_may_not_score_by_length_or_mix_rounding_and_tolerance(tmp_path: Path) -> None:
    text = (ROOT / "solutions" / "keys" / "ex04.toml").read_text(encoding="utf-8")
    (tmp_path / "ex04.toml").write_text(text.replace('scoring = "manual"\nmin_chars = 15',
                                                     'scoring = "filled"\nmin_chars = 15'), encoding="utf-8")
    with pytest.raises(GradingError) as err:
        load_key("ex04", tmp_path)
    assert err.value.text.key == "grading.invalid_key"
    key = load_key("ex00")
    for change in ({"q4": {"decimals": 1, "tolerance": 0.5}}, {"q2": {"decimals": 1}}, {"q4": {"min_chars": 3}}):
        items = tuple(i.model_copy(update=change.get(i.id, {})) for i in key.items)
        with pytest.raises(GradingError):
            check_key(AnswerKey(exercise="ex00", items=items), load_exercise("ex00"))


@pytest.mark.solutions
def test_a_number_asked_to_a_precision_is_right_when_it_rounds_to_the_key() -> None:
    key = load_key("ex05")
    (loss,) = [k for k in key.items if k.id == "loss_allowed"]
    assert loss.decimals == 1 and loss.tolerance == 0
    for given, right in ((16.67, True), ("16.666", True), ("16.65", True), ("16.7%", True), (16.7, True),
                         (16.6, False), ("16.75", False), (17, False), ("sixteen", False), ("1e30", False)):
        sub = Submission(exercise_id="ex05", trainee=TRAINEE, answers={"loss_allowed": given})
        (item,) = [i for i in grade(sub, key).items if i.item_id == "loss_allowed"]
        assert item.status == ("correct" if right else "wrong"), given
        assert self_check("ex05", {"loss_allowed": given})["loss_allowed"] == ("correct" if right else "not_yet"), given


@pytest.mark.solutions
@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_a_rounded_answer_is_asked_for_and_explained(exercise_id: str) -> None:
    """The prompt asks for the precision the key rounds to, and the explanation says what was expected."""
    words = {1: {"zh": "一位小数", "en": "one decimal"}, 2: {"zh": "两位小数", "en": "two decimals"}}
    exercise = load_exercise(exercise_id)
    for k in load_key(exercise_id).items:
        if k.decimals is None:
            continue
        for lang in ("zh", "en"):
            assert words[k.decimals][lang] in t(f"{exercise_id}.{k.id}.prompt", lang), (k.id, lang)
            assert words[k.decimals][lang] in k.explanation[lang] and f"{k.answer}" in k.explanation[lang], k.id
        assert exercise.item(k.id).kind == "number"


@pytest.mark.solutions
def test_key_must_fit_the_exercise() -> None:
    key = load_key("ex00")
    broken = AnswerKey(
        exercise="ex00",
        items=tuple(i.model_copy(update={"answer": "ch9"}) if i.id == "q1" else i for i in key.items),
    )
    with pytest.raises(GradingError) as err:
        check_key(broken, load_exercise("ex00"))
    assert "q1" in err.value.message("en") and "q1" in err.value.message("zh")
    with pytest.raises(GradingError):
        check_key(AnswerKey(exercise="ex00", items=key.items[1:]), load_exercise("ex00"))


@pytest.mark.solutions
@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_shipped_self_check_data_matches_the_key(exercise_id: str) -> None:
    shipped = json.loads(check_data_path(exercise_id).read_text())
    assert shipped == build_check_data(load_key(exercise_id)), "run: kam keys"


@pytest.mark.solutions
def test_self_check_tells_right_from_wrong_without_the_key() -> None:
    key = load_key("ex00")
    assert set(self_check("ex00", model_answers(key)).values()) == {"correct", "instructor"}
    verdict = self_check("ex00", {"q1": "ch2", "q3": ["lb", "ga"], "q4": model_answers(key)["q4"]})
    assert verdict["q1"] == "not_yet" and verdict["q3"] == "not_yet" and verdict["q4"] == "correct"
    assert verdict["q2"] == "blank"


@pytest.mark.solutions
def test_no_key_material_outside_solutions() -> None:
    """Explanations, examples and answer values of the keys appear nowhere a trainee gets."""
    secrets = set()
    for exercise_id in exercise_ids():
        for item in load_key(exercise_id).items:
            secrets |= {item.explanation["zh"], item.explanation["en"]}
            if item.example:
                secrets |= set(item.example.values())
            if isinstance(item.answer, list):
                secrets.add(json.dumps(item.answer))
    shipped = [p for p in (ROOT / "exercises").rglob("*") if p.is_file()]
    shipped += [p for p in (ROOT / "kamlib").rglob("*") if p.is_file() and p.suffix != ".pyc"]
    leaks = [
        (str(p.relative_to(ROOT)), s[:30])
        for p in shipped
        for s in secrets
        if s in p.read_text(encoding="utf-8", errors="ignore")
    ]
    assert leaks == []
    assert not list((ROOT / "exercises").rglob("*.toml"))
    for nb in (ROOT / "exercises").rglob("*.ipynb"):
        assert "keys" not in nb.read_text(encoding="utf-8")


def test_submitting_twice_adds_a_file(home: Path) -> None:
    first = write_submission(_submit({"q1": "ch3"}))
    second = write_submission(_submit({"q1": "ch2"}))
    assert first != second and first.parent == paths.submissions_dir() / "li.wei"
    assert re.fullmatch(r"ex00-\d{8}T\d{12}Z\.json", first.name)
    assert load_submission(first).answers == {"q1": "ch3"}
    assert load_submission(second).answers == {"q1": "ch2"}
    assert list_submissions() == sorted([first, second])
    data = json.loads(first.read_text(encoding="utf-8"))
    fields = {"schema_version", "exercise_id", "trainee", "submitted_at", "kamlib_version", "answers"}
    assert fields <= set(data)


def test_bad_submission_file_is_explained(home: Path) -> None:
    path = home / "s.json"
    path.write_text('{"exercise_id": "ex00"}', encoding="utf-8")
    with pytest.raises(GradingError) as err:
        load_submission(path)
    assert str(path) in err.value.message("zh") and "Trainee" in err.value.message("en")


def test_answers_are_normalised_and_bad_numbers_rejected() -> None:
    ex = load_exercise("ex00")
    assert normalize_answer(ex.item("q3"), ["ga", "lb"]) == ["lb", "ga"]
    assert normalize_answer(ex.item("q4"), " 20% ") == 20.0
    assert normalize_answer(ex.item("q4"), "") is None
    assert parse_number("1,500") == 1500
    with pytest.raises(ValueError):
        normalize_answer(ex.item("q4"), "twenty")
    with pytest.raises(ValueError):
        normalize_answer(ex.item("q1"), "ch9")


@pytest.mark.solutions
def test_cli_scores_a_submission(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_submission(_submit(model_answers(load_key("ex00"))))
    assert kam(["--lang", "en", "score", str(path)]) == 0
    out = capsys.readouterr().out
    assert "9 / 11 points" in out and "Li Wei" in out  # q7 and q8 wait for the instructor
    assert out.count("graded by the instructor") == 2
    assert kam(["--lang", "zh", "score", str(home / "missing.json")]) == 2
    assert "找不到提交文件" in capsys.readouterr().err


def test_shipped_case_files_hold_no_answers() -> None:
    """A case a trainee gets tells the story's setting only; true codes and levels stay with the key."""
    import tomllib

    answer_fields = {"role", "style", "attitude", "contact", "reports_to", "influences", "level"}
    for path in (ROOT / "kamlib" / "exercises").glob("*_case.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        rows = [r for v in data.values() if isinstance(v, list) for r in v if isinstance(r, dict)]
        assert not [r for r in rows if answer_fields & set(r)], path.name


@pytest.mark.solutions
def test_keys_are_found_from_the_solutions_folder_too() -> None:
    from kamlib import paths

    solutions = paths.project_root() / "solutions"
    assert load_key("ex01", solutions) == load_key("ex01", solutions / "keys") == load_key("ex01")
