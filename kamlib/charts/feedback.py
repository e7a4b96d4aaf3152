"""The charts of a feedback page (``kamlib.feedback``): the trainee's own work drawn where the exercise has a
case, their picks on the RADP grid or their key-person map, as PNG. ``submission_pngs`` is the ``figures``
function that ``feedback_html`` and ``write_feedback`` take."""

from __future__ import annotations

import functools
import json

from kamlib.charts import dashboard as charts
from kamlib.charts.render import to_png
from kamlib.errors import KamError
from kamlib.exercises import load_exercise
from kamlib.exercises.case import is_people_case, load_case
from kamlib.feedback import codes_people, people_from_answers, picks_from_answers
from kamlib.gradebook import Gradebook, Result
from kamlib.i18n import Lang

FEEDBACK_DPI = 80  # charts in a page meant for reading on screen: smaller files, quicker to make


def submission_pngs(book: Gradebook, result: Result, lang: Lang) -> list[bytes]:
    """Charts of the trainee's own work where the exercise has a case: their picks on the RADP grid or
    their key-person map. (Their score per part against the class is a table with bars: ``feedback.part_rows``.)"""
    try:
        exercise = load_exercise(result.exercise_id)
    except KamError:
        return []
    if not exercise.case:
        return []
    answers = book.submission(result.submission_id).answers
    png = _case_png(exercise.id, lang, json.dumps(answers, sort_keys=True, ensure_ascii=False))
    return [png] if png else []


@functools.lru_cache(maxsize=512)
def _case_png(exercise_id: str, lang: Lang, answers_json: str) -> bytes | None:
    """The case chart of one set of answers; trainees who answered alike share the drawing."""
    exercise = load_exercise(exercise_id)
    answers = json.loads(answers_json)
    if is_people_case(exercise_id):
        if not codes_people(exercise):
            return None
        fig = charts.people_map(people_from_answers(exercise_id, answers, lang), lang)
    else:
        picks = picks_from_answers(exercise, answers)
        if not picks:
            return None
        fig = charts.picks_grid(load_case(exercise_id, lang), picks, lang)
    png = to_png(fig, dpi=FEEDBACK_DPI, tight=False)  # constrained layout places every text
    fig.clear()
    return png
