"""The tool's own answer to a question, shown only after the trainee has submitted theirs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kamlib.exercises import Item
from kamlib.exercises.ex03_reveal import strategy_reveal
from kamlib.i18n import Lang, Text, t
from kamlib.screening import radp_box, radp_status
from kamlib.settings import CourseSettings, load_settings


def _radp_status(args: dict[str, Any], settings: CourseSettings, lang: Lang) -> str:
    return t(f"screening.status.{radp_status(args['sow_pct'], settings.radp)}", lang)


def _radp_box(args: dict[str, Any], settings: CourseSettings, lang: Lang) -> str:
    return radp_box(args["sow_pct"], args["bp_wan"], settings.radp)


REVEALS: dict[str, Callable[[dict[str, Any], CourseSettings, Lang], str]] = {
    "radp_status": _radp_status,
    "radp_box": _radp_box,
}


# Reveals computed from the trainee's own answers (when the case's truth is with the key, not shipped).
ANSWER_REVEALS: dict[str, Callable[[dict[str, Any], Mapping[str, Any], Lang], str]] = {
    "ex03_strategy": strategy_reveal,
}


def reveal(item: Item, exercise_id: str, lang: Lang, answers: Mapping[str, Any] | None = None) -> str:
    """The sentence that shows the tool's result for ``item`` (``answers``: the trainee's submission)."""
    assert item.reveal is not None
    if item.reveal in ANSWER_REVEALS:
        result = ANSWER_REVEALS[item.reveal](item.reveal_args, answers or {}, lang)
    else:
        result = REVEALS[item.reveal](item.reveal_args, load_settings(), lang)
    params = {name: Text(key) for name, key in item.prompt_params.items()}
    return t(item.reveal_text or f"{exercise_id}.{item.id}.reveal", lang, result=result, **params)
