"""The grading core: score one submission against an answer key, item by item.

Answers are data; nothing a trainee wrote is ever executed. Keys live under ``solutions/keys/``;
trainees get only ``*.check.json`` digests, which tell right from wrong without holding answers.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kamlib import paths
from kamlib.errors import GradingError
from kamlib.exercises import EXERCISES_DIR, Answer, Exercise, Item, load_exercise
from kamlib.i18n import Lang
from kamlib.model.validation import describe
from kamlib.submission import Submission

Scoring = Literal["exact", "set", "number", "filled", "manual", "check"]
Status = Literal["correct", "partial", "wrong", "blank", "manual"]
CheckStatus = Literal["correct", "not_yet", "answered", "blank", "instructor"]
_FITS: dict[str, tuple[Scoring, ...]] = {
    "choice": ("exact", "manual", "check"),
    "multi": ("set", "exact", "manual", "check"),
    "number": ("number", "manual", "check"),
    "text": ("filled", "manual", "check"),
}
# Scoring "check": a kamlib function judges the answer (e.g. "does the proposed rule win?"). Only the
# functions named here can be called, never anything a key, a check file or a trainee names otherwise.
# Each is called as fn(exercise_id, item_id, answers) and returns (share of the item's points 0-1, status).
CHECKS: frozenset[str] = frozenset({
    "kamlib.bidding.winning_rule_check",
    "kamlib.bidding.case_score_check",
})
CheckFn = Callable[[str, str, Mapping[str, Any]], tuple[float, str]]


class KeyItem(BaseModel):
    """How one item is scored, with the explanation shown after grading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    points: float = Field(gt=0)
    scoring: Scoring
    answer: Answer = None
    tolerance: float = Field(0, ge=0)
    min_chars: int = Field(4, ge=1)
    explanation: dict[Lang, str]
    example: dict[Lang, str] | None = None  # a model answer for text items
    check: str | None = None  # scoring "check": the kamlib function (one of CHECKS) that judges the answer


class AnswerKey(BaseModel):
    """The key of one exercise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exercise: str
    items: tuple[KeyItem, ...]

    @property
    def max_points(self) -> float:
        return sum(i.points for i in self.items)


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    points: float
    max_points: float
    status: Status
    explanation: dict[Lang, str]


@dataclass(frozen=True)
class GradeResult:
    exercise_id: str
    trainee_id: str
    items: tuple[ItemResult, ...]

    @property
    def total(self) -> float:
        return round(sum(i.points for i in self.items), 2)

    @property
    def max_total(self) -> float:
        return sum(i.max_points for i in self.items)

    @property
    def pending_manual(self) -> tuple[str, ...]:
        return tuple(i.item_id for i in self.items if i.status == "manual")


def keys_dir() -> Path:
    return paths.project_root() / "solutions" / "keys"


def load_key(exercise_id: str, folder: str | Path | None = None) -> AnswerKey:
    """Read ``<folder>/<exercise_id>.toml`` and check it against the exercise."""
    base = Path(folder or keys_dir())
    if not (base / f"{exercise_id}.toml").is_file() and (base / "keys").is_dir():
        base = base / "keys"  # the instructor named solutions/ itself (kam grade --keys solutions/)
    path = base / f"{exercise_id}.toml"
    if not path.is_file():
        raise GradingError("grading.no_key", exercise=exercise_id, file=str(path))
    try:
        with path.open("rb") as fh:
            key = AnswerKey.model_validate(tomllib.load(fh))
    except tomllib.TOMLDecodeError as exc:
        raise GradingError("grading.bad_key", file=str(path), detail=str(exc)) from exc
    except ValidationError as exc:
        raise GradingError("grading.invalid_key", details=describe(exc), file=str(path)) from exc
    check_key(key, load_exercise(exercise_id))
    return key


def check_key(key: AnswerKey, exercise: Exercise) -> None:
    """Every item keyed once, scoring fit for its kind, answers among the choices."""
    keyed = [k.id for k in key.items]
    wanted = [i.id for i in exercise.items]
    if key.exercise != exercise.id or sorted(keyed) != sorted(wanted):
        raise GradingError("grading.key_mismatch", exercise=exercise.id)
    for k in key.items:
        item = exercise.item(k.id)
        answers = k.answer if isinstance(k.answer, list) else [k.answer]
        needs_answer = k.scoring in ("exact", "set", "number")
        fits = k.scoring in _FITS[item.kind]
        in_choices = not item.choices or not needs_answer or all(a in item.choices for a in answers)
        if not fits or not in_choices or (needs_answer and k.answer is None):
            raise GradingError("grading.key_item", exercise=exercise.id, item=k.id)
        if (k.scoring == "check") != (k.check is not None):
            raise GradingError("grading.key_item", exercise=exercise.id, item=k.id)
        if k.check is not None and k.check not in CHECKS:
            raise GradingError("grading.check_unknown", exercise=exercise.id, item=k.id, name=k.check)


def check_function(name: str) -> CheckFn:
    """The allow-listed kamlib function ``name`` (dotted); any other name is an error."""
    if name not in CHECKS:
        raise GradingError("grading.check_unknown_name", name=name)
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _check_score(exercise_id: str, k: KeyItem, answers: Mapping[str, Answer]) -> tuple[float, Status]:
    """Scoring "check": the function's share of the points and its status (a status it may not give is wrong)."""
    share, status = check_function(k.check or "")(exercise_id, k.id, answers)
    if status not in ("correct", "partial", "wrong", "blank"):
        return 0.0, "wrong"
    return round(k.points * min(max(float(share), 0.0), 1.0), 2), status  # type: ignore[return-value]


def _score(item: Item, k: KeyItem, given: Answer) -> tuple[float, Status]:
    if k.scoring == "manual":
        return 0.0, "manual"
    if given is None or given == [] or given == "":
        return 0.0, "blank"
    if k.scoring == "exact":
        ok = _canonical(item, given) == _canonical(item, k.answer)
        return (k.points, "correct") if ok else (0.0, "wrong")
    if k.scoring == "set":
        right = set(k.answer or [])  # type: ignore[arg-type]
        chosen = set(given) if isinstance(given, list) else {given}
        share = max(0, len(chosen & right) - len(chosen - right)) / len(right)
        points = round(k.points * share, 2)
        status: Status = "correct" if share == 1 else ("partial" if share > 0 else "wrong")
        return points, status
    if k.scoring == "number":
        try:
            ok = abs(float(given) - float(k.answer)) <= k.tolerance  # type: ignore[arg-type]
        except (TypeError, ValueError):
            ok = False
        return (k.points, "correct") if ok else (0.0, "wrong")
    filled = len(str(given).strip()) >= k.min_chars
    return (k.points, "correct") if filled else (0.0, "wrong")


def grade(submission: Submission, key: AnswerKey) -> GradeResult:
    """Score every item of the key; unknown answers in the submission are ignored."""
    exercise = load_exercise(key.exercise)
    if submission.exercise_id != key.exercise:
        raise GradingError(
            "grading.wrong_exercise", found=submission.exercise_id, expected=key.exercise
        )
    results = []
    for k in key.items:
        if k.scoring == "check":
            points, status = _check_score(key.exercise, k, submission.answers)
        else:
            points, status = _score(exercise.item(k.id), k, submission.answers.get(k.id))
        results.append(ItemResult(k.id, points, k.points, status, k.explanation))
    return GradeResult(key.exercise, submission.trainee.id, tuple(results))


def model_answers(key: AnswerKey, lang: Lang = "zh") -> dict[str, Answer]:
    """The answers of the solution: the keyed answer, or the example (in ``lang``) for text items."""
    return {
        k.id: k.answer if k.answer is not None else (k.example or {}).get(lang) for k in key.items
    }


# ---- self-check without the key ------------------------------------------------------------


def _canonical(item: Item, value: Answer) -> str:
    if isinstance(value, list):
        return ",".join(sorted(value))
    if item.kind == "number":
        return f"{float(value):.6g}"  # type: ignore[arg-type]
    return str(value)


def _digest(exercise_id: str, item_id: str, canonical: str) -> str:
    return hashlib.sha256(f"{exercise_id}:{item_id}:{canonical}".encode()).hexdigest()


def build_check_data(key: AnswerKey) -> dict[str, object]:
    """What self-check needs: digests of exact answers, never the answers themselves."""
    exercise = load_exercise(key.exercise)
    items: dict[str, dict[str, object]] = {}
    for k in key.items:
        item = exercise.item(k.id)
        if k.scoring in ("exact", "set") or (k.scoring == "number" and k.tolerance == 0):
            canonical = _canonical(item, k.answer)
            items[k.id] = {"check": "digest", "digest": _digest(key.exercise, k.id, canonical)}
        elif k.scoring == "filled":
            items[k.id] = {"check": "filled", "min_chars": k.min_chars}
        elif k.scoring == "check":  # the function judges from the exercise's own (shipped) data, not the key
            items[k.id] = {"check": "function", "function": k.check}
        else:
            items[k.id] = {"check": "instructor"}
    return {"exercise": key.exercise, "items": items}


def check_data_path(exercise_id: str) -> Path:
    return EXERCISES_DIR / f"{exercise_id}.check.json"


def write_check_data(key: AnswerKey) -> Path:
    """Regenerate the shipped self-check file from the key (run after editing a key)."""
    path = check_data_path(key.exercise)
    path.write_text(json.dumps(build_check_data(key), indent=2, sort_keys=True) + "\n")
    return path


def self_check(exercise_id: str, answers: dict[str, Answer]) -> dict[str, CheckStatus]:
    """Per item: right, not yet, answered (text), blank, or left to the instructor."""
    exercise = load_exercise(exercise_id)
    path = check_data_path(exercise_id)
    if not path.is_file():
        raise GradingError("grading.no_self_check", exercise=exercise_id)
    data = json.loads(path.read_text())["items"]
    out: dict[str, CheckStatus] = {}
    for item in exercise.items:
        rule = data.get(item.id, {"check": "instructor"})
        given = answers.get(item.id)
        if rule["check"] == "instructor":
            out[item.id] = "instructor"
        elif given is None or given == [] or given == "":
            out[item.id] = "blank"
        elif rule["check"] == "filled":
            out[item.id] = "answered" if len(str(given).strip()) >= rule["min_chars"] else "not_yet"
        elif rule["check"] == "function":
            _share, status = check_function(rule["function"])(exercise_id, item.id, answers)
            out[item.id] = "correct" if status == "correct" else "not_yet"
        else:
            mine = _digest(exercise_id, item.id, _canonical(item, given))
            out[item.id] = "correct" if mine == rule["digest"] else "not_yet"
    return out
