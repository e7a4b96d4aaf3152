"""Scoring "check": an allow-listed kamlib function judges an answer (e.g. "does the proposed rule win?").

Only the functions in ``kamlib.grading.CHECKS`` can be called, from a key or from a shipped self-check file.
The tests work with exercise 04's figures and winning rule, so the module is instructor material: it is left out
of the trainee bundle like the keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kamlib import grading
from kamlib.errors import GradingError
from kamlib.exercises import load_exercise
from kamlib.grading import (
    CHECKS,
    AnswerKey,
    KeyItem,
    build_check_data,
    check_data_path,
    check_function,
    check_key,
    grade,
    load_key,
    self_check,
)
from kamlib.i18n import LANGS
from kamlib.model.workbook import Trainee
from kamlib.submission import Submission

pytestmark = pytest.mark.solutions
RULE = "kamlib.bidding.winning_rule_check"
SCORE = "kamlib.bidding.case_score_check"
EXPLAIN = {"zh": "说明", "en": "why"}
CALLS: list[tuple[str, str, dict]] = []


def half_check(exercise_id: str, item_id: str, answers: dict[str, Any]) -> tuple[float, str]:
    """A stand-in check for the tests: half the points, and it records how it was called."""
    CALLS.append((exercise_id, item_id, dict(answers)))
    return 0.5, "partial"


def odd_check(exercise_id: str, item_id: str, answers: dict[str, Any]) -> tuple[float, str]:
    return 3.0, "excellent"  # a status grading does not know, and a share above 1


def _key(**checks: str | None) -> AnswerKey:
    """A key of exercise 04: the named items scored by those checks, every other item left to the instructor."""
    items = []
    for item in load_exercise("ex04").items:
        name = checks.get(item.id)
        scoring = "check" if name else "manual"
        items.append(KeyItem(id=item.id, points=2, scoring=scoring, check=name, explanation=EXPLAIN))
    return AnswerKey(exercise="ex04", items=tuple(items))


def _submit(answers: dict[str, Any]) -> Submission:
    return Submission(exercise_id="ex04", trainee=Trainee(id="li.wei", name="Li Wei"), answers=answers)


WINNING = {"rule_j1_price": 30.0, "rule_j2_technical": 32.0, "rule_j3_service": 30.0, "rule_j4_commercial": 8.0}


def test_a_key_may_name_only_allow_listed_checks() -> None:
    exercise = load_exercise("ex04")
    check_key(_key(rule_j1_price=RULE, base_price=SCORE), exercise)
    for name in ("os.system", "kamlib.bidding.score_bid", "tests.test_grading_check.half_check"):
        with pytest.raises(GradingError) as err:
            check_key(_key(rule_j1_price=name), exercise)
        assert err.value.text.key == "grading.check_unknown"
        for lang in LANGS:
            assert name in err.value.message(lang) and "rule_j1_price" in err.value.message(lang)


def test_check_scoring_and_the_check_name_go_together() -> None:
    exercise = load_exercise("ex04")
    items = list(_key().items)
    items[1] = items[1].model_copy(update={"scoring": "check"})  # scoring check without a function
    with pytest.raises(GradingError) as err:
        check_key(AnswerKey(exercise="ex04", items=tuple(items)), exercise)
    assert err.value.text.key == "grading.key_item"
    items[1] = items[1].model_copy(update={"scoring": "manual", "check": RULE})  # a function but another scoring
    with pytest.raises(GradingError) as err:
        check_key(AnswerKey(exercise="ex04", items=tuple(items)), exercise)
    assert err.value.text.key == "grading.key_item"


def test_a_key_file_naming_an_outside_function_does_not_load(tmp_path: Path) -> None:
    lines = ['exercise = "ex04"']
    for item in load_exercise("ex04").items:
        lines += ["[[items]]", f'id = "{item.id}"', "points = 1", 'scoring = "manual"',
                  'explanation.zh = "z"', 'explanation.en = "e"']
    text = "\n".join(lines).replace('id = "valid"\npoints = 1\nscoring = "manual"',
                                    'id = "valid"\npoints = 1\nscoring = "check"\ncheck = "os.system"')
    (tmp_path / "ex04.toml").write_text(text, encoding="utf-8")
    with pytest.raises(GradingError) as err:
        load_key("ex04", tmp_path)
    assert "os.system" in err.value.message("en")


def test_check_function_resolves_only_the_allow_list() -> None:
    assert check_function(RULE).__name__ == "winning_rule_check"
    assert {RULE, SCORE} <= CHECKS
    for name in ("os.system", "kamlib.bidding.score_bid", "builtins.eval"):
        with pytest.raises(GradingError) as err:
            check_function(name)
        assert err.value.text.key == "grading.check_unknown_name"


def test_grade_passes_every_answer_and_scales_the_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grading, "CHECKS", CHECKS | {f"{__name__}.half_check", f"{__name__}.odd_check"})
    CALLS.clear()
    key = _key(valid=f"{__name__}.half_check", winner=f"{__name__}.odd_check")
    result = {i.item_id: i for i in grade(_submit({"valid": ["b1"], "plan": "x"}), key).items}
    assert (result["valid"].points, result["valid"].status) == (1.0, "partial")
    assert (result["winner"].points, result["winner"].status) == (0.0, "wrong")  # unknown status: wrong
    assert CALLS == [("ex04", "valid", {"valid": ["b1"], "plan": "x"})]


def test_the_bidding_checks_in_grading() -> None:
    key = _key(**{f"rule_{p}": RULE for p in ("j1_price", "j2_technical", "j3_service", "j4_commercial")},
               base_price=SCORE)
    won = {i.item_id: i for i in grade(_submit({**WINNING, "base_price": 864.0}), key).items}
    assert all(won[f"rule_{p}"].status == "correct" and won[f"rule_{p}"].points == 2
               for p in ("j1_price", "j2_technical", "j3_service", "j4_commercial"))
    assert won["base_price"].status == "correct"
    losing = {**WINNING, "rule_j1_price": 40.0, "rule_j3_service": 20.0}  # J1 40 · J2 32 · J3 20 · J4 8
    lost = {i.item_id: i for i in grade(_submit(losing), key).items}
    assert {lost[f"rule_{p}"].status for p in ("j1_price", "j2_technical")} == {"wrong"}
    blank = {i.item_id: i for i in grade(_submit({}), key).items}
    assert blank["rule_j1_price"].status == "blank" and blank["base_price"].status == "blank"


def test_self_check_data_names_the_function_and_holds_no_answer() -> None:
    key = _key(rule_j1_price=RULE, base_price=SCORE)
    items = {k.id: k.model_copy(update={"answer": 30}) if k.id == "rule_j1_price" else k for k in key.items}
    data = build_check_data(AnswerKey(exercise="ex04", items=tuple(items.values())))
    assert data["items"]["rule_j1_price"] == {"check": "function", "function": RULE}  # type: ignore[index]
    assert "30" not in json.dumps(data["items"]["rule_j1_price"])  # type: ignore[index]
    shipped = json.loads(check_data_path("ex04").read_text())["items"]
    assert shipped["rule_j1_price"] == {"check": "function", "function": RULE}
    assert shipped["total_b1"] == {"check": "function", "function": SCORE}


def test_self_check_runs_the_function_and_refuses_a_tampered_file(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    verdict = self_check("ex04", {**WINNING, "total_b1": 88.27, "total_b2": 80.0})
    assert verdict["rule_j2_technical"] == "correct" and verdict["total_b1"] == "correct"
    assert verdict["total_b2"] == "not_yet" and verdict["total_b3"] == "blank"
    tampered = json.loads(check_data_path("ex04").read_text())
    tampered["items"]["total_b1"] = {"check": "function", "function": "os.system"}
    path = tmp_path / "ex04.check.json"
    path.write_text(json.dumps(tampered), encoding="utf-8")
    monkeypatch.setattr(grading, "check_data_path", lambda _exercise_id: path)
    with pytest.raises(GradingError) as err:
        self_check("ex04", {"total_b1": 88.27})
    assert err.value.text.key == "grading.check_unknown_name"


def test_self_check_without_shipped_data_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A bundle built for a graded class has no check data; a trainee who turns self-check back on in the
    settings is told so (and that Submit still works), never shown a traceback."""
    monkeypatch.setattr(grading, "check_data_path", lambda _exercise_id: tmp_path / "none.check.json")
    with pytest.raises(GradingError) as err:
        self_check("ex04", {"valid": ["b1"]})
    assert err.value.text.key == "grading.no_self_check"
    assert "ex04" in err.value.message("en") and "Submit" in err.value.message("en")
    assert "ex04" in err.value.message("zh") and "提交" in err.value.message("zh")


@pytest.mark.parametrize("content", [
    "{not json", '{"exercise": "ex04"}', '{"items": []}', '{"items": {"valid": {"check": "digest"}}}',
    '{"items": {"valid": {"check": "written", "min_chars": "4"}}}', '{"items": {"valid": {"check": ["x"]}}}',
    '{"items": {"valid": {"check": "filled", "min_chars": 4}}}',
    '{"items": {"valid": {"check": "rounded", "digest": "x", "decimals": 1}}}',
    '{"items": {"valid": {"check": "digest", "digest": "x", "decimals": true}}}',
    '{"items": {"valid": {"check": "digest", "digest": "x", "decimals": "1"}}}',
    '{"items": {"valid": "digest"}}', "\xff\xfe",
])
def test_a_damaged_check_file_is_refused_plainly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                 content: str) -> None:
    path = tmp_path / "ex04.check.json"
    path.write_bytes(content.encode("latin-1") if content == "\xff\xfe" else content.encode())
    monkeypatch.setattr(grading, "check_data_path", lambda _exercise_id: path)
    with pytest.raises(GradingError) as err:
        self_check("ex04", {"valid": ["b1"]})
    assert err.value.text.key == "grading.bad_check_data"
    assert "ex04" in err.value.message("en") and "ex04" in err.value.message("zh")
