"""The grading core: score one submission against an answer key, item by item.

Answers are data; nothing a trainee wrote is ever executed. Keys live under ``solutions/keys/``;
trainees get only ``*.check.json`` digests, which tell right from wrong without holding answers. On a classroom
hub trainees get not even those: the check service (``kamlib.check_service``) holds the keys and runs the same
self-check on rules built in memory from them.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kamlib import paths
from kamlib.atomic import OPEN_MODE, write_atomic
from kamlib.errors import GradingError
from kamlib.exercises import EXERCISES_DIR, Answer, Exercise, Item, load_exercise, parse_number
from kamlib.i18n import Lang
from kamlib.model.validation import describe
from kamlib.submission import Submission

# A written answer is never scored by its length: it is scored by the instructor ("manual", with the key's
# explanation as the rubric). Its key may give ``min_chars``: a shorter answer is flagged "too short to score"
# (in self-check and in the report), which says so and awards nothing.
Scoring = Literal["exact", "set", "number", "manual", "check"]
Status = Literal["correct", "partial", "wrong", "blank", "manual", "too_short"]
CheckStatus = Literal["correct", "not_yet", "too_short", "blank", "instructor"]
_FITS: dict[str, tuple[Scoring, ...]] = {
    "choice": ("exact", "manual", "check"),
    "multi": ("set", "exact", "manual", "check"),
    "number": ("number", "manual", "check"),
    "text": ("manual", "check"),
}
# Scoring "check": a kamlib function judges the answer (e.g. "does the proposed rule win?"). Only the
# functions named here can be called, never anything a key, a check file or a trainee names otherwise.
# Each is called as fn(exercise_id, item_id, answers) and returns (share of the item's points 0-1, status).
CHECKS: frozenset[str] = frozenset({
    "kamlib.bidding.winning_rule_check",
    "kamlib.bidding.case_score_check",
})
CheckFn = Callable[[str, str, Mapping[str, Any]], tuple[float, str]]
# The checks that judge the answers of all the items they are named for at once (a proposed rule is judged whole,
# whichever of its parts is asked): a change to any of those items is a new answer to each of them.
CHECKS_TOGETHER: frozenset[str] = frozenset({"kamlib.bidding.winning_rule_check"})


class KeyItem(BaseModel):
    """How one item is scored, with the explanation shown after grading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    points: float = Field(gt=0)
    scoring: Scoring
    answer: Answer = None
    tolerance: float = Field(0, ge=0)
    decimals: int | None = Field(None, ge=0, le=6)  # number: right when it rounds (half up) to the key's precision
    min_chars: int | None = Field(None, ge=1)  # manual text: shorter is "too short to score" (never awards points)
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
    """The answer keys: ``KAM_KEYS``, else ``<KAM_INSTRUCTOR_DIR>/keys`` (a classroom hub), else the course's
    ``solutions/keys``."""
    for name in ("KAM_KEYS", "KAM_INSTRUCTOR_DIR"):
        value = os.environ.get(name, "").strip()
        if value:
            folder = Path(value).expanduser()
            return folder if name == "KAM_KEYS" else folder / "keys"
    return paths.course_root() / "solutions" / "keys"


def load_key(exercise_id: str, folder: str | Path | None = None) -> AnswerKey:
    """Read ``<folder>/<exercise_id>.toml`` and check it against the exercise."""
    exercise = load_exercise(exercise_id)  # an id that is no exercise names no file either
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
    check_key(key, exercise)
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
        if k.decimals is not None and (k.scoring != "number" or k.tolerance):
            raise GradingError("grading.key_item", exercise=exercise.id, item=k.id)  # rounding or a tolerance, not both
        if k.min_chars is not None and (k.scoring != "manual" or item.kind != "text"):
            raise GradingError("grading.key_item", exercise=exercise.id, item=k.id)  # length only flags written items


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


def too_short(k: KeyItem, given: Answer) -> bool:
    """A written answer shorter than the key's ``min_chars`` (blank is not "too short": it is not answered)."""
    text = "" if given is None else str(given).strip()
    return k.min_chars is not None and 0 < len(text) < k.min_chars


def rounded(value: Answer, decimals: int) -> str:
    """A number answer rounded half up at ``decimals`` (16.666 → "16.7"); ValueError if it is no number."""
    exact = Decimal(repr(parse_number(value)))
    try:
        return str(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:  # too many digits to round (1e30): no answer to a question asked to a decimal
        raise ValueError(value) from exc


def _score(item: Item, k: KeyItem, given: Answer) -> tuple[float, Status]:
    if k.scoring == "manual":  # the instructor scores it; a length check only flags an answer too short to score
        return 0.0, "too_short" if too_short(k, given) else "manual"
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
    # "number" ("check" never gets here: grade() asks its function), read as the exercise form reads it:
    # "80,000", "25%", full-width digits
    try:
        if k.decimals is not None:  # the precision the prompt asks for: 16.67 rounds to the key's 16.7
            ok = rounded(given, k.decimals) == rounded(k.answer, k.decimals)
        else:
            ok = abs(parse_number(given) - parse_number(k.answer)) <= k.tolerance
    except ValueError:
        ok = False
    return (k.points, "correct") if ok else (0.0, "wrong")


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
    """The form of an answer that is compared (and digested): a number as the exercise form reads it;
    what is not a number stays as given, and so matches no key."""
    if isinstance(value, list):
        return ",".join(sorted(str(v) for v in value))
    if item.kind == "number":
        try:
            return f"{parse_number(value):.6g}"
        except ValueError:
            return str(value)
    return str(value)


def _digest(exercise_id: str, item_id: str, canonical: str) -> str:
    return hashlib.sha256(f"{exercise_id}:{item_id}:{canonical}".encode()).hexdigest()


def build_check_data(key: AnswerKey) -> dict[str, object]:
    """What self-check needs: digests of exact answers, never the answers themselves."""
    exercise = load_exercise(key.exercise)
    items: dict[str, dict[str, object]] = {}
    for k in key.items:
        item = exercise.item(k.id)
        if k.scoring == "number" and k.decimals is not None:  # the digest of the answer at the asked precision
            canonical = rounded(k.answer, k.decimals)
            items[k.id] = {"check": "digest", "decimals": k.decimals,
                           "digest": _digest(key.exercise, k.id, canonical)}
        elif k.scoring in ("exact", "set") or (k.scoring == "number" and k.tolerance == 0):
            canonical = _canonical(item, k.answer)
            items[k.id] = {"check": "digest", "digest": _digest(key.exercise, k.id, canonical)}
        elif k.scoring == "manual" and k.min_chars is not None:  # says "too short", never "right"
            items[k.id] = {"check": "written", "min_chars": k.min_chars}
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
    write_atomic(path, (json.dumps(build_check_data(key), indent=2, sort_keys=True) + "\n").encode("utf-8"),
                 new_mode=OPEN_MODE)
    return path


# What each kind of self-check rule carries: its fields and their types (``write_check_data`` writes them so).
_RULE_FIELDS: dict[str, dict[str, type]] = {
    "digest": {"digest": str}, "written": {"min_chars": int}, "function": {"function": str}, "instructor": {},
}
_RULE_OPTIONAL: dict[str, dict[str, type]] = {"digest": {"decimals": int}}  # a number asked to a precision


def _check_rules(exercise_id: str) -> dict[str, dict[str, Any]]:
    """The shipped self-check rules of an exercise, item id → rule. A bundle built for a graded class has
    none (``grading.no_self_check``); a file that is not as ``write_check_data`` writes it is refused."""
    path = check_data_path(exercise_id)
    if not path.is_file():
        raise GradingError("grading.no_self_check", exercise=exercise_id)
    try:
        rules = json.loads(path.read_text(encoding="utf-8"))["items"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise GradingError("grading.bad_check_data", exercise=exercise_id) from exc
    if not isinstance(rules, dict):
        raise GradingError("grading.bad_check_data", exercise=exercise_id)
    for rule in rules.values():
        check = rule.get("check") if isinstance(rule, dict) else None
        if not isinstance(check, str) or check not in _RULE_FIELDS:
            raise GradingError("grading.bad_check_data", exercise=exercise_id)
        fields = {**_RULE_FIELDS[check], **{n: k for n, k in _RULE_OPTIONAL.get(check, {}).items() if n in rule}}
        if any(not isinstance(rule.get(name), kind) or isinstance(rule.get(name), bool)
               for name, kind in fields.items()):
            raise GradingError("grading.bad_check_data", exercise=exercise_id)
    return rules


def key_check_rules(key: AnswerKey) -> dict[str, dict[str, Any]]:
    """The self-check rules of an exercise built in memory from its key (the classroom's check service holds the
    keys, so nothing is shipped): the same rules ``write_check_data`` would ship, item id → rule."""
    return build_check_data(key)["items"]  # type: ignore[return-value]


def instructor_items(exercise_id: str, rules: Mapping[str, Mapping[str, Any]] | None = None) -> tuple[str, ...]:
    """The items self-check leaves to the instructor (written answers among them), in the exercise's order.
    ``rules``: rules built from the key (``key_check_rules``); by default the shipped ones."""
    data = _check_rules(exercise_id) if rules is None else rules
    return tuple(i.id for i in load_exercise(exercise_id).items
                 if data.get(i.id, {"check": "instructor"})["check"] in ("instructor", "written"))


@dataclass(frozen=True)
class CheckCounts:
    """A self-check in numbers, each question counted once: right, not yet right, not answered, written answers
    (self-check never calls them right: the instructor scores them), and not checked this time (the check
    service's limit)."""

    right: int = 0
    not_yet: int = 0
    blank: int = 0
    written: int = 0
    limited: int = 0


def count_checks(result: Mapping[str, str], written: tuple[str, ...] | frozenset[str]) -> CheckCounts:
    """``result`` (item → status, as ``self_check`` or the check service gives it) counted for the summary;
    ``written``: the items left to the instructor (``instructor_items``), counted as written answers whatever
    their status, unless the limit held them back."""
    counts = {"right": 0, "not_yet": 0, "blank": 0, "written": 0, "limited": 0}
    names = {"correct": "right", "not_yet": "not_yet", "blank": "blank"}
    for item, status in result.items():
        name = "limited" if status == "limited" else "written" if item in written else names.get(status, "written")
        counts[name] += 1
    return CheckCounts(**counts)


def self_check(exercise_id: str, answers: Mapping[str, Answer],
               rules: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, CheckStatus]:
    """Per item: right, not yet, blank, or left to the instructor (a written answer: "too short" when it is).
    ``rules``: rules built from the key (``key_check_rules``); by default the shipped ones."""
    exercise = load_exercise(exercise_id)
    data = _check_rules(exercise_id) if rules is None else rules
    out: dict[str, CheckStatus] = {}
    for item in exercise.items:
        rule = data.get(item.id, {"check": "instructor"})
        given = answers.get(item.id)
        if rule["check"] == "instructor":
            out[item.id] = "instructor"
        elif given is None or given == [] or given == "":
            out[item.id] = "blank"
        elif rule["check"] == "written":
            length = len(str(given).strip())
            out[item.id] = "blank" if not length else "too_short" if length < rule["min_chars"] else "instructor"
        elif rule["check"] == "function":
            _share, status = check_function(rule["function"])(exercise_id, item.id, answers)
            out[item.id] = "correct" if status == "correct" else "not_yet"
        elif "decimals" in rule:  # a digest of the answer rounded at the precision the question asks for
            try:
                mine = _digest(exercise_id, item.id, rounded(given, rule["decimals"]))
            except ValueError:
                mine = ""
            out[item.id] = "correct" if mine == rule["digest"] else "not_yet"
        else:
            mine = _digest(exercise_id, item.id, _canonical(item, given))
            out[item.id] = "correct" if mine == rule["digest"] else "not_yet"
    return out
