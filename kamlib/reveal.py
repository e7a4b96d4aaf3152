"""The tool's own answer to a question, shown only after the trainee has submitted theirs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kamlib.exercises import Item
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


def reveal(item: Item, exercise_id: str, lang: Lang) -> str:
    """The sentence that shows the tool's result for ``item``."""
    assert item.reveal is not None
    result = REVEALS[item.reveal](item.reveal_args, load_settings(), lang)
    params = {name: Text(key) for name, key in item.prompt_params.items()}
    return t(item.reveal_text or f"{exercise_id}.{item.id}.reveal", lang, result=result, **params)
