"""Exercise definitions: the questions' structure (text comes from the catalogs, keys from solutions/).

An exercise file ``kamlib/exercises/<id>.toml`` lists its items; the prompt of item ``q1`` of
``ex00`` is catalog key ``ex00.q1.prompt``, its choices ``ex00.q1.choice.<value>``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kamlib.errors import GradingError
from kamlib.i18n import Lang, Text, t
from kamlib.model.workbook import ExerciseAnswer as Answer
from kamlib.safe_text import printable

EXERCISES_DIR = Path(__file__).parent
Kind = Literal["choice", "multi", "number", "text"]


class Item(BaseModel):
    """One question: its kind and, for choices, the values offered."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: Kind
    choices: tuple[str, ...] = ()
    prompt: str | None = None  # catalog key of the prompt; default ``<exercise>.<item>.prompt``
    prompt_params: dict[str, str] = Field(default_factory=dict)  # name -> catalog key
    choice_labels: str | None = None  # catalog prefix of choice labels; "=": the value is the label
    reveal: str | None = None  # a kamlib function whose result is shown after submitting
    reveal_args: dict[str, Any] = Field(default_factory=dict)
    reveal_text: str | None = None  # catalog key with {result} (and prompt_params); default <ex>.<item>.reveal

    @model_validator(mode="after")
    def _choices_fit_kind(self) -> Item:
        if (self.kind in ("choice", "multi")) != bool(self.choices):
            raise ValueError(f"item {self.id}: choices go with choice/multi items only")
        return self


class Exercise(BaseModel):
    """An exercise: id, the chapter it belongs to, its items in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    chapter: str
    case: str | None = None  # file name of the exercise's case in this folder, e.g. "ex01_case.toml"
    items: tuple[Item, ...]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


def prompt_text(exercise_id: str, item: Item) -> Text:
    """The question as a catalog message."""
    params = {name: Text(key) for name, key in item.prompt_params.items()}
    return Text(item.prompt or f"{exercise_id}.{item.id}.prompt", params)


def choice_label(exercise_id: str, item: Item, value: str, lang: Lang) -> str:
    """How a choice reads in ``lang``."""
    if item.choice_labels == "=":
        return value
    prefix = item.choice_labels or f"{exercise_id}.{item.id}.choice"
    return t(f"{prefix}.{value}", lang)


def answer_text(exercise_id: str, item_id: str, answer: object, lang: Lang) -> str:
    """An answer as the trainee saw it: choice labels, numbers without ``.0``, text as typed; ``—`` if blank.
    A value that is not among the item's choices (a hand-edited file; it scores 0) is shown as given."""
    if answer is None or answer == [] or answer == "":
        return "—"
    try:
        item = load_exercise(exercise_id).item(item_id)
    except (GradingError, KeyError):
        return str(answer)
    values = answer if isinstance(answer, list) else [answer]
    if item.choices:
        return "; ".join(choice_label(exercise_id, item, v, lang) if isinstance(v, str) and v in item.choices
                         else str(v) for v in values)
    if isinstance(answer, float):
        return f"{answer:g}"
    return str(answer)


def exercise_ids() -> list[str]:
    """Every exercise shipped with kamlib, in course order."""
    return sorted(p.stem for p in EXERCISES_DIR.glob("ex[0-9][0-9].toml"))


@cache
def load_exercise(exercise_id: str) -> Exercise:
    """The exercise with this id; an unknown id is a clear error (never a path to some other file)."""
    if exercise_id not in exercise_ids():
        raise GradingError("grading.unknown_exercise", exercise=printable(exercise_id))
    with (EXERCISES_DIR / f"{exercise_id}.toml").open("rb") as fh:
        return Exercise.model_validate(tomllib.load(fh))


def normalize_answer(item: Item, value: object) -> Answer:
    """An answer in its stored form, or None when blank; raises ValueError when not accepted."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if item.kind == "choice":
        if value not in item.choices:
            raise ValueError(value)
        return str(value)
    if item.kind == "multi":
        if not isinstance(value, str | Iterable):
            raise ValueError(value)
        values = [value] if isinstance(value, str) else list(value)
        if any(v not in item.choices for v in values):
            raise ValueError(value)
        return [c for c in item.choices if c in values] or None
    if item.kind == "number":
        return parse_number(value)
    return str(value).strip()


def parse_number(value: object) -> float:
    """``"20"``, ``"20%"``, ``" 1,500 "``, ``"\\uff11\\uff12"`` (full-width) → float; else ValueError.

    The one reading of a number answer: the exercise form saves what it accepts, and grading and the
    checking functions score what it accepts, so a file holding ``"80,000"`` scores as the form would."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            raise ValueError(value) from None
    else:
        text = str(value).strip().rstrip("%\uff05").replace(",", "").replace("\uff0c", "")
        number = float(text)  # float() accepts full-width digits too
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(value)
    return number
