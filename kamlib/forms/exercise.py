"""An exercise form: the trainee's own answers first (saved as typed), then Self-check and Submit."""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import Markdown
from pydantic import ValidationError

from kamlib.check_client import CheckServiceError, check_url, remote_check_reply
from kamlib.errors import InputError, KamError
from kamlib.exercises import Item, choice_label, load_exercise, normalize_answer, prompt_text
from kamlib.forms.common import Status, button, fit_choices, fit_hint, guarded
from kamlib.forms.downloads import file_link
from kamlib.forms.nav import nav_bar
from kamlib.forms.page import Page, message_html
from kamlib.grading import CheckCounts, count_checks, instructor_items, self_check
from kamlib.i18n import Lang, Text, t
from kamlib.intake import is_safe_name
from kamlib.model import update_workbook
from kamlib.model.validation import describe
from kamlib.model.workbook import ExerciseGroup, ExerciseWork, GroupMember, Workbook, now
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
        self.group = GroupEntry(page, exercise_id) if load_settings().exercise(exercise_id).group else None
        top = [self.group.widget] if self.group else []
        self.widget = w.VBox([*top, *rows, w.HBox([self.check, self.submit]), self.status.widget, self.download])
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
                if isinstance(widget, w.Dropdown):
                    fit_choices(widget)  # whole names: the case's accounts differ at their ends
            elif item.kind == "multi":
                for box, choice in zip(widget.children, item.choices, strict=True):
                    box.description = choice_label(ex, item, choice, lang)
            else:
                widget.placeholder = t(f"{ex}.{item.id}.placeholder", lang)
                if item.kind == "number":
                    fit_hint(widget, NUMBER_EM)  # "percent, one decimal, e.g. 12.5" whole
        self.check.description = t("exercise.check", lang)
        self.submit.description = t("exercise.submit", lang)
        if self.group:
            self.group.relabel(lang)
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

            update_workbook(self.page.workbook_file(), change)

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
        """Self-check: on a classroom hub (``KAM_CHECK_URL``) the hub's check service answers from the real keys;
        elsewhere the shipped practice data does."""
        if not load_settings().exercise(self.exercise.id).self_check:
            self.status.say_key("info", "grading.self_check_off")
            return
        retry: dict[str, int] = {}
        per_item = window = 0
        if check_url():
            try:
                reply = remote_check_reply(self.exercise.id, self.answers())
            except CheckServiceError as exc:
                if exc.text.key == "grading.self_check_off":  # the service's settings are the ones in force
                    self.status.say_key("info", "grading.self_check_off")
                    return
                raise
            result: dict[str, str] = dict(reply.items)
            manual: tuple[str, ...] = reply.instructor
            retry, per_item, window = reply.retry_after, reply.per_item, reply.window_minutes
        else:
            result = dict(self_check(self.exercise.id, self.answers()))
            manual = instructor_items(self.exercise.id)  # written answers: never "right" by self-check
        kinds = {"correct": "ok", "not_yet": "error", "too_short": "error"}
        for item_id, verdict in result.items():
            if self._rejected(self.exercise.item(item_id)):
                continue  # the box holds input that was not accepted: its note keeps saying so
            if verdict == "limited":
                wait = max(1, math.ceil(retry.get(item_id, 60) / 60))
                self.notes[item_id].say_key("info", "check.limited.item", limit=per_item, minutes=window, wait=wait)
                continue
            self.notes[item_id].say_key(kinds.get(verdict, "info"), f"grading.check.{verdict}")
        counts = count_checks(result, manual)

        def summary(lang: Lang) -> str:
            limited = [t("check.limited.summary", lang, count=counts.limited)] if counts.limited else []
            return "\n".join([check_summary(counts, lang), *limited])

        self.status.say("info", summary)

    def _submit(self, _button: Any = None) -> Path:
        unsaved = self._unsaved()
        if unsaved:
            raise InputError("exercise.fix_first", details=unsaved)
        wb = self.page.workbook()
        group = wb.exercises.get(self.exercise.id, ExerciseWork()).group if self.group else None
        if self.group and group is None:
            raise InputError("exercise.group.missing")
        submission = Submission(
            exercise_id=self.exercise.id, trainee=wb.trainee, answers=self.answers(), group=group
        )
        path = write_submission(submission, self.submissions)

        def change(book: Workbook) -> None:
            book.exercises.setdefault(self.exercise.id, ExerciseWork()).submitted.append(path.name)

        update_workbook(self.page.workbook_file(), change)
        revealed = [item for item in self.exercise.items if item.reveal]

        def message(lang: Lang) -> str:
            lines = [t("exercise.submitted", lang, file=str(path))]
            return "\n".join(lines + [reveal(item, self.exercise.id, lang, submission.answers) for item in revealed])

        self.status.say("ok", message)
        self.download.value = file_link(path, t("exercise.download", self.page.lang, name=path.name))
        return path


class GroupEntry:
    """Group work: the group's id and name and its members' trainee ids, saved with the answers.

    The submitter need not list themselves (the gradebook adds them); one member per line, the
    trainee id first, then optionally the name.
    """

    def __init__(self, page: Page, exercise_id: str) -> None:
        self.page, self.exercise_id = page, exercise_id
        self.status = Status(page)
        self.heading = w.HTML()
        style = {"description_width": "12em"}
        self.group_id = w.Text(layout=w.Layout(width="30em"), style=style)
        self.name = w.Text(layout=w.Layout(width="30em"), style=style)
        self.members = w.Textarea(layout=w.Layout(width="40em", height="6em"), style=style)
        self.save_button = button("")
        self.save_button.on_click(guarded(page, self.status)(lambda _b: self.save()))
        saved = page.workbook().exercises.get(exercise_id, ExerciseWork()).group
        if saved is not None:
            self.group_id.value, self.name.value = saved.id, saved.name
            self.members.value = "\n".join(f"{m.id} {m.name}".strip() for m in saved.members)
        self.widget = w.VBox([self.heading, self.group_id, self.name, self.members, w.HBox([self.save_button]),
                              self.status.widget])

    def relabel(self, lang: Lang) -> None:
        self.heading.value = f"<b>{html.escape(t('exercise.group.heading', lang))}</b>"
        self.group_id.description = t("exercise.group.id", lang)
        self.name.description = t("exercise.group.name", lang)
        self.members.description = t("exercise.group.members", lang)
        self.members.placeholder = t("exercise.group.members_hint", lang)
        self.save_button.description = t("exercise.group.save", lang)
        self.status.relabel(lang)

    def parsed(self) -> ExerciseGroup:
        """The group as typed; an id that is not a safe name is an error naming it (nothing saved)."""
        problems = [value for value in [self.group_id.value.strip()] if not is_safe_name(value)]
        members = []
        for line in self.members.value.splitlines():
            if not line.strip():
                continue
            member_id, _, name = line.strip().partition(" ")
            if not is_safe_name(member_id):
                problems.append(member_id)
            members.append(GroupMember(id=member_id, name=name.strip()) if is_safe_name(member_id) else None)
        if problems:
            raise InputError("exercise.group.bad_id", value=", ".join(p or "—" for p in problems))
        try:
            return ExerciseGroup(id=self.group_id.value.strip(), name=self.name.value.strip(),
                                 members=[m for m in members if m is not None])
        except ValidationError as exc:
            raise InputError("errors.input.rejected", details=describe(exc)) from exc

    def save(self) -> ExerciseGroup:
        group = self.parsed()

        def change(wb: Workbook) -> None:
            wb.exercises.setdefault(self.exercise_id, ExerciseWork()).group = group

        update_workbook(self.page.workbook_file(), change)
        self.status.say_key("ok", "exercise.group.saved", count=len(group.members))
        return group


def check_summary(counts: CheckCounts, lang: Lang) -> str:
    """"Self-check: 20 right, 2 not yet right, 3 written answers (checked by your instructor)": how many are right
    always, the other kinds when there are any."""
    parts = [t("exercise.checked.right", lang, count=counts.right)]
    if counts.not_yet:
        parts.append(t("exercise.checked.not_yet", lang, count=counts.not_yet))
    if counts.blank:
        parts.append(t("exercise.checked.blank", lang, count=counts.blank))
    if counts.written:
        parts.append(t("exercise.checked.written", lang, count=counts.written))
    return t("exercise.checked.line", lang, parts=t("exercise.checked.separator", lang).join(parts))


NUMBER_EM = 12.0  # the box of a number answer


def _input_for(item: Item, saved: Any) -> w.Widget:
    layout = w.Layout(width="40em")
    if item.kind == "choice" and len(item.choices) > 6:  # long lists read better as a drop-down
        return w.Dropdown(options=list(item.choices), value=saved, layout=w.Layout(width="20em"))
    if item.kind == "choice":
        return w.RadioButtons(options=list(item.choices), value=saved, layout=layout)
    if item.kind == "multi":
        chosen = set(saved or [])
        # as wide as the page: a statement is read whole (red flags differ at their ends)
        return w.VBox([w.Checkbox(value=c in chosen, indent=False, layout=w.Layout(width="auto"))
                       for c in item.choices])
    if item.kind == "number":
        shown = "" if saved is None else f"{saved:g}"
        return w.Text(value=shown, continuous_update=False, layout=w.Layout(width=f"{NUMBER_EM:g}em"))
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
    nav_bar(page, exercise_id)  # the course map, the exercise's chapter, the next chapter: at the top and bottom
    page.show(lambda lang: Markdown(f"# {t(f'{exercise_id}.title', lang)}"))
    if not page.registered:
        page.prose("page.not_registered")
        nav_bar(page, exercise_id)
        return page
    page.prose(f"{exercise_id}.intro")
    if load_exercise(exercise_id).case:
        page.show(lambda lang: Markdown(exercise_case_markdown(exercise_id, lang)))
    try:
        page.form(ExerciseForm(page, exercise_id, submissions))
    except KamError as exc:  # e.g. a damaged workbook file: explain, never a traceback
        problem = exc
        page.show(lambda lang: message_html("error", problem.message(lang)))
    nav_bar(page, exercise_id)
    return page
