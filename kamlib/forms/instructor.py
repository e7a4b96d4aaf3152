"""Instructor pages: the key of an exercise, the model solution's score, scoring a submission."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import Markdown

from kamlib.exercises import Exercise, answer_text, load_exercise, prompt_text
from kamlib.forms.common import Status, button, guarded, markdown_table, md_escape
from kamlib.forms.page import Page
from kamlib.grading import AnswerKey, GradeResult, grade, load_key, model_answers
from kamlib.i18n import Lang, t
from kamlib.model.workbook import Trainee
from kamlib.submission import Submission, list_submissions, load_submission


def answer_label(exercise: Exercise, item_id: str, answer: Any, lang: Lang) -> str:
    """An answer as the trainee saw it (``answer_text``: a value not among the choices shown as given)."""
    return answer_text(exercise.id, item_id, answer, lang)


def result_markdown(result: GradeResult, answers: dict[str, Any], lang: Lang) -> Markdown:
    """Per item: the question, the answer given, result, points and the explanation."""
    exercise = load_exercise(result.exercise_id)
    cols = ("item", "answer", "status", "points", "max", "explanation")
    rows = [
        [md_escape(c) for c in (
            prompt_text(exercise.id, exercise.item(r.item_id)).render(lang),
            answer_label(exercise, r.item_id, answers.get(r.item_id), lang),
            t(f"grading.status.{r.status}", lang),
            f"{r.points:g}", f"{r.max_points:g}", r.explanation[lang],
        )]
        for r in result.items
    ]
    table = markdown_table([t(f"grading.table.{c}", lang) for c in cols], rows)
    total = t("grading.table.total", lang, total=f"{result.total:g}", max=f"{result.max_total:g}")
    pending = result.pending_manual
    tail = f"\n\n{t('grading.table.pending', lang, count=len(pending))}" if pending else ""
    return Markdown(f"**{total}**{tail}\n\n{table}")


def key_view(page: Page, exercise_id: str, keys: str | Path | None = None) -> AnswerKey:
    """The key as a table, and the model solution scored against it."""
    key = load_key(exercise_id, keys)

    def render(lang: Lang) -> Markdown:
        answers = model_answers(key, lang)
        solution = Submission(
            exercise_id=exercise_id, trainee=Trainee(id="solution", name="solution"), answers=answers
        )
        return result_markdown(grade(solution, key), answers, lang)

    page.show(render)
    return key


class ScoreForm:
    """Pick a submission file of this exercise and see its score and feedback."""

    def __init__(self, page: Page, key: AnswerKey, folder: str | Path | None = None) -> None:
        self.page, self.key, self.folder = page, key, folder
        self.status = Status(page)
        self.files = w.Dropdown(layout=w.Layout(width="40em"))
        self.refresh_button = button("")
        self.score_button = button("", "primary")
        self.output = w.Output()
        self.refresh_button.on_click(guarded(page, self.status)(lambda _b: self._list()))
        self.score_button.on_click(guarded(page, self.status)(self._score))
        self.widget = w.VBox([
            w.HBox([self.files, self.refresh_button, self.score_button]),
            self.status.widget, self.output,
        ])
        self._list()
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.files.description = t("instructor.submission", lang)
        self.refresh_button.description = t("instructor.refresh", lang)
        self.score_button.description = t("instructor.score", lang)
        self.status.relabel(lang)

    def _list(self) -> None:
        found = [p for p in list_submissions(self.folder) if p.name.startswith(f"{self.key.exercise}-")]
        self.files.options = [(f"{p.parent.name} / {p.name}", str(p)) for p in found]
        self.files.value = str(found[-1]) if found else None
        self.status.say_key("info", "instructor.found", count=len(found))

    def score(self, path: str | Path) -> GradeResult:
        submission = load_submission(path)
        result = grade(submission, self.key)
        self.output.clear_output()
        with self.output:
            from IPython.display import display

            display(result_markdown(result, submission.answers, self.page.lang))
        self.status.say_key("ok", "instructor.scored", trainee=submission.trainee.name,
                            total=f"{result.total:g}", max=f"{result.max_total:g}")
        return result

    def _score(self, _button: Any = None) -> None:
        if not self.files.value:
            self.status.say_key("info", "instructor.none_chosen")
            return
        self.score(self.files.value)


def solution_page(
    exercise_id: str, lang: str | None = None, keys: str | Path | None = None,
    submissions: str | Path | None = None, submission: str | Path | None = None,
) -> Page:
    """The instructor copy of an exercise: the key, the model solution's score, a scoring form."""
    page = Page(lang=lang, workbook=None)
    page.prose("instructor.title", title=t(f"{exercise_id}.title", page.lang))
    page.prose("instructor.key_heading")
    key = key_view(page, exercise_id, keys)
    page.prose("instructor.score_heading")
    form = page.form(ScoreForm(page, key, submissions))
    if submission:
        form.score(submission)
    return page
