"""An exercise form: the trainee's own answers first (saved as typed), then Self-check and Submit."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import Markdown

from kamlib.errors import InputError, KamError
from kamlib.exercises import Item, choice_label, load_exercise, normalize_answer, prompt_text
from kamlib.forms.common import Status, button, guarded
from kamlib.forms.downloads import file_link
from kamlib.forms.page import Page, message_html
from kamlib.grading import self_check
from kamlib.i18n import Lang, Text, t
from kamlib.model import update_workbook
from kamlib.model.workbook import ExerciseWork, Workbook, now
from kamlib.reveal import reveal
from kamlib.settings import load_settings
from kamlib.submission import Submission, write_submission


class ExerciseForm:
    """One widget per question; every change is saved to the workbook at once."""

    def __init__(self, page: Page, exercise_id: str, submissions: str | Path | None = None) -> None:
        self.page = page
        self.exercise = load_exercise(exercise_id)
        self.submissions = submissions
        self.status = Status(page)
        saved = page.workbook().exercises.get(exercise_id, ExerciseWork()).answers
        self.inputs: dict[str, w.Widget] = {}
        self.prompts: dict[str, w.HTML] = {}
        self.notes: dict[str, Status] = {}
        rows = []
        for item in self.exercise.items:
            self.prompts[item.id] = w.HTML()
            self.inputs[item.id] = _input_for(item, saved.get(item.id))
            self.notes[item.id] = Status(page)
            for part in _parts(self.inputs[item.id]):
                part.observe(guarded(page, self.status)(self._saver(item)), names="value")
            rows.append(w.VBox([self.prompts[item.id], self.inputs[item.id], self.notes[item.id].widget]))
        self.check = button("", "info")
        self.submit = button("", "primary")
        self.check.on_click(guarded(page, self.status)(self._check))
        self.submit.on_click(guarded(page, self.status)(self._submit))
        self.download = w.HTML()
        self.widget = w.VBox([*rows, w.HBox([self.check, self.submit]), self.status.widget, self.download])
        self.relabel(page.lang)

    # ---- labels ---------------------------------------------------------------------------------
    def relabel(self, lang: Lang) -> None:
        ex = self.exercise.id
        for item in self.exercise.items:
            self.prompts[item.id].value = f"<b>{html.escape(prompt_text(ex, item).render(lang))}</b>"
            widget = self.inputs[item.id]
            if item.kind == "choice":
                value = widget.value
                widget.options = [(choice_label(ex, item, c, lang), c) for c in item.choices]
                widget.value = value
            elif item.kind == "multi":
                for box, choice in zip(widget.children, item.choices, strict=True):
                    box.description = choice_label(ex, item, choice, lang)
            else:
                widget.placeholder = t(f"{ex}.{item.id}.placeholder", lang)
        self.check.description = t("exercise.check", lang)
        self.submit.description = t("exercise.submit", lang)
        for status in [self.status, *self.notes.values()]:
            status.relabel(lang)

    # ---- actions ---------------------------------------------------------------------------------
    def _saver(self, item: Item) -> Any:
        def save(_change: dict[str, Any]) -> None:
            value = _value_of(item, self.inputs[item.id])
            try:
                answer = normalize_answer(item, value)
            except ValueError:
                self.notes[item.id].say_key("error", "exercise.not_accepted", value=str(value))
                return
            self.notes[item.id].clear()

            def change(wb: Workbook) -> None:
                work = wb.exercises.setdefault(self.exercise.id, ExerciseWork())
                work.answers[item.id] = answer
                work.updated_at = now()

            update_workbook(self.page.workbook_path, change)

        return save

    def answers(self) -> dict[str, Any]:
        """The answers as saved in the workbook (the one source of truth)."""
        return dict(self.page.workbook().exercises.get(self.exercise.id, ExerciseWork()).answers)

    def _rejected(self, item: Item) -> bool:
        """Whether the box of ``item`` holds something not accepted (so not saved)."""
        try:
            normalize_answer(item, _value_of(item, self.inputs[item.id]))
        except ValueError:
            return True
        return False

    def _unsaved(self) -> list[Text]:
        """A line per question whose box holds something not accepted."""
        return [
            Text("exercise.unsaved_item", {"prompt": prompt_text(self.exercise.id, item)})
            for item in self.exercise.items
            if self._rejected(item)
        ]

    def _check(self, _button: Any = None) -> None:
        if not load_settings().exercise(self.exercise.id).self_check:
            self.status.say_key("info", "grading.self_check_off")
            return
        result = self_check(self.exercise.id, self.answers())
        kinds = {"correct": "ok", "answered": "ok", "not_yet": "error"}
        for item_id, verdict in result.items():
            if self._rejected(self.exercise.item(item_id)):
                continue  # the box holds input that was not accepted: its note keeps saying so
            self.notes[item_id].say_key(kinds.get(verdict, "info"), f"grading.check.{verdict}")
        right = sum(v in ("correct", "answered") for v in result.values())
        self.status.say_key("info", "exercise.checked", right=right, total=len(result))

    def _submit(self, _button: Any = None) -> Path:
        unsaved = self._unsaved()
        if unsaved:
            raise InputError("exercise.fix_first", details=unsaved)
        wb = self.page.workbook()
        submission = Submission(
            exercise_id=self.exercise.id, trainee=wb.trainee, answers=self.answers()
        )
        path = write_submission(submission, self.submissions)

        def change(book: Workbook) -> None:
            book.exercises.setdefault(self.exercise.id, ExerciseWork()).submitted.append(path.name)

        update_workbook(self.page.workbook_path, change)
        revealed = [item for item in self.exercise.items if item.reveal]

        def message(lang: Lang) -> str:
            lines = [t("exercise.submitted", lang, file=str(path))]
            return "\n".join(lines + [reveal(item, self.exercise.id, lang, submission.answers) for item in revealed])

        self.status.say("ok", message)
        self.download.value = file_link(path, t("exercise.download", self.page.lang, name=path.name))
        return path


def _input_for(item: Item, saved: Any) -> w.Widget:
    layout = w.Layout(width="40em")
    if item.kind == "choice" and len(item.choices) > 6:  # long lists read better as a drop-down
        return w.Dropdown(options=list(item.choices), value=saved, layout=w.Layout(width="20em"))
    if item.kind == "choice":
        return w.RadioButtons(options=list(item.choices), value=saved, layout=layout)
    if item.kind == "multi":
        chosen = set(saved or [])
        return w.VBox([w.Checkbox(value=c in chosen, indent=False) for c in item.choices])
    if item.kind == "number":
        shown = "" if saved is None else f"{saved:g}"
        return w.Text(value=shown, continuous_update=False, layout=w.Layout(width="12em"))
    return w.Textarea(value=saved or "", continuous_update=False, layout=layout)


def _parts(widget: w.Widget) -> list[w.Widget]:
    return list(widget.children) if isinstance(widget, w.VBox) else [widget]


def _value_of(item: Item, widget: w.Widget) -> Any:
    if item.kind == "multi":
        return [c for c, box in zip(item.choices, widget.children, strict=True) if box.value]
    return widget.value


def exercise_page(
    exercise_id: str, lang: str | None = None, workbook: str | Path | None = None,
    submissions: str | Path | None = None,
) -> Page:
    """The whole exercise notebook: title, intro, the case if it has one, then the form (or how to register first)."""
    from kamlib.exercises.case import exercise_case_markdown

    page = Page(lang=lang, workbook=workbook)
    page.show(lambda lang: Markdown(f"# {t(f'{exercise_id}.title', lang)}"))
    if not page.registered:
        page.prose("page.not_registered")
        return page
    page.prose(f"{exercise_id}.intro")
    if load_exercise(exercise_id).case:
        page.show(lambda lang: Markdown(exercise_case_markdown(exercise_id, lang)))
    try:
        page.form(ExerciseForm(page, exercise_id, submissions))
    except KamError as exc:  # e.g. a damaged workbook file: explain, never a traceback
        problem = exc
        page.show(lambda lang: message_html("error", problem.message(lang)))
    return page
