"""Special topic 2 forms: the incident log, then for one incident the people it touched, the response plan
with its timeline, and the substitutability assessment re-run after it.

The deck stops after its first sentence; the playbook is this workbook's own (``kamlib.crisis``). Display
keys: ``crises`` (the log and every incident's rows), ``crisis.selected`` (which incident is worked on),
``key_persons`` (the chapter 2 map, which the attitudes after a crisis may be carried into).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import Markdown

from kamlib.crisis import (
    KINDS,
    PHASES,
    PLAYBOOK_DAYS,
    SEVERITIES,
    apply_after,
    assessments_around,
    attitude_moves,
    before_attitude,
    by_recency,
    crisis_status,
    decision_makers_lost,
    is_overdue,
    move_summary,
    open_steps,
    phase_states,
    plan_problems,
    repair_priority,
    template_steps,
)
from kamlib.forms.common import (
    Status,
    button,
    chart_image,
    guarded,
    markdown_table,
    md_escape,
    problems_markdown,
    today,
)
from kamlib.forms.nav import chapter_page
from kamlib.forms.page import Page, for_registered
from kamlib.forms.retention import AssessmentForm, NestedRows, activities_markdown
from kamlib.forms.rows import FieldSpec, RowEditor, catalog_choices, key_person_choices
from kamlib.i18n import Lang, t
from kamlib.model import update_workbook
from kamlib.model.retention import AffectedPerson, Crisis, ResponseStep
from kamlib.model.workbook import Workbook
from kamlib.people import ATTITUDES
from kamlib.retention import QUESTIONS, answer_changes, recommended_activities, score

SELECTED = "crisis.selected"
INCIDENT = frozenset({"crises", SELECTED})


def open_page(lang: str | None = None, workbook: str | Path | None = None) -> Page:
    return chapter_page(Page(lang=lang, workbook=workbook), "crisis", "crisis.intro")


def playbook(page: Page) -> None:
    """The five phases of our playbook and the guideline of days, by severity."""

    def render(lang: Lang) -> Markdown:
        rows = [[f"**{t(f'crisis.phase.{p}', lang)}**", t(f"crisis.playbook.{p}", lang),
                 *(str(PLAYBOOK_DAYS[p][s]) for s in (3, 2, 1))] for p in PHASES]
        headers = [t("crisis.playbook.col.phase", lang), t("crisis.playbook.col.what", lang),
                   *(t("crisis.playbook.col.days", lang, severity=t(f"crisis.severity.{s}", lang)) for s in (3, 2, 1))]
        return Markdown(t("crisis.playbook.intro", lang) + "\n\n" + markdown_table(headers, rows))

    page.show(render, on=())


def _lines(lang: Lang, wb: Workbook) -> list[tuple[str, Any]]:
    return [(line.name, line.id) for line in wb.plan.retention.product_lines]


CRISIS_FIELDS = (
    FieldSpec("title", "crisis.field.title"),
    FieldSpec("kind", "crisis.field.kind", "choice", catalog_choices("crisis.kind", KINDS)),
    FieldSpec("happened_on", "crisis.field.happened_on", "date"),
    FieldSpec("detected_on", "crisis.field.detected_on", "date"),
    FieldSpec("severity", "crisis.field.severity", "choice", catalog_choices("crisis.severity", SEVERITIES)),
    FieldSpec("products", "crisis.field.products", hint="crisis.placeholder.products"),
    FieldSpec("line_ids", "crisis.field.line_ids", "multi", _lines),
    FieldSpec("notes", "crisis.field.notes", "note"),
    FieldSpec("root_cause", "crisis.field.root_cause", "note"),
)


def _crisis_label(c: Crisis, lang: Lang) -> str:
    when = c.happened_on.isoformat() if c.happened_on else "—"
    return f"{when} · {c.title} · {t(f'crisis.severity.{c.severity}', lang)}"


@for_registered
def incident_log(page: Page) -> RowEditor | None:
    """The log: what happened, when, how severe, which products or services; then the list with each status."""
    editor = page.form(RowEditor(page, "crises", Crisis, CRISIS_FIELDS, row_label=_crisis_label))
    page.show(lambda lang: log_text(page.workbook(), lang), on={"crises"})
    return editor


def log_text(wb: Workbook, lang: Lang) -> Markdown:
    crises = by_recency(wb.plan.crises.items)
    if not crises:
        return Markdown(t("crisis.log.empty", lang))
    lines = {line.id: line.name for line in wb.plan.retention.product_lines}
    rows = []
    for c in crises:
        involved = [c.products] + [lines[i] for i in c.line_ids if i in lines]
        pending = open_steps(c)
        overdue = sum(is_overdue(s, today()) for s in pending)
        rows.append([c.happened_on.isoformat() if c.happened_on else "—", md_escape(c.title),
                     t(f"crisis.severity.{c.severity}", lang), t(f"crisis.kind.{c.kind}", lang) if c.kind else "—",
                     md_escape(t("i18n.separator", lang).join(x for x in involved if x)) or "—",
                     t(f"crisis.status.{crisis_status(c, today())}", lang),
                     t("crisis.log.open", lang, count=len(pending), overdue=overdue)])
    headers = [t(f"crisis.log.col.{c}", lang) for c in ("date", "title", "severity", "kind", "products", "status",
                                                         "steps")]
    return Markdown(markdown_table(headers, rows))


# ---- the incident worked on -----------------------------------------------------------------------------


class CrisisPicker:
    """Which incident the forms below work on (the most recent one unless the trainee picks another)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.choice = w.Dropdown(options=[("—", None)], value=None, layout=w.Layout(width="40em"),
                                 style={"description_width": "initial"})
        self.listeners: list[Any] = []
        self._busy = False
        self._shown: str | None = None
        self.choice.observe(guarded(page, self.status)(self._changed), names="value")
        self.widget = w.VBox([self.choice, self.status.widget])
        self.relabel(page.lang)

    @property
    def value(self) -> str | None:
        return self.choice.value

    def selected(self, wb: Workbook) -> Crisis | None:
        return next((c for c in wb.plan.crises.items if c.id == self.choice.value), None)

    def relabel(self, lang: Lang) -> None:
        crises = by_recency(self.page.workbook().plan.crises.items)
        options: list[tuple[str, str | None]] = [(_crisis_label(c, lang), c.id) for c in crises] or [("—", None)]
        current = self.choice.value
        self._busy = True
        try:
            self.choice.options = options
            values = [v for _, v in options]
            self.choice.value = current if current in values else values[0]
        finally:
            self._busy = False
        self.choice.description = t("crisis.pick", lang)
        if self.choice.value != self._shown:  # the incident was deleted or a first one added
            self._notify()
        self.status.relabel(lang)

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._busy and self.choice.value != self._shown:
            self._notify()
            self.page.refresh({SELECTED})

    def _notify(self) -> None:
        self._shown = self.choice.value
        for listener in self.listeners:
            listener()


@for_registered
def crisis_picker(page: Page) -> CrisisPicker | None:
    return page.form(CrisisPicker(page))


def _in_selected(picker: CrisisPicker, attr: str) -> Any:
    def locate(wb: Workbook) -> list[Any] | None:
        crisis = picker.selected(wb)
        return None if crisis is None else getattr(crisis, attr)

    return locate


def _attitudes(lang: Lang, _wb: Workbook) -> list[tuple[str, Any]]:
    return [(f"{a} {t(f'people.attitude.{a}', lang)}", a) for a in ATTITUDES]


AFFECTED_FIELDS = (
    FieldSpec("person_id", "crisis.field.person", "choice", key_person_choices),
    FieldSpec("before", "crisis.field.before", "choice", _attitudes),
    FieldSpec("after", "crisis.field.after", "choice", _attitudes),
    FieldSpec("note", "crisis.field.person_note", "note"),
)


@for_registered
def affected_people(page: Page, picker: CrisisPicker | None) -> NestedRows | None:
    """Who the incident touched (from the chapter 2 map) and how their attitude moved; whom to win back first."""
    if picker is None:
        return None

    def label(a: AffectedPerson, lang: Lang) -> str:
        names = {p.id: p.name for p in page.workbook().plan.key_persons.items}
        name = names.get(a.person_id, t("crisis.people.removed", lang))
        return f"{name}: {a.before or '?'} → {a.after or '?'}"

    editor = page.form(NestedRows(page, "crises", AffectedPerson, AFFECTED_FIELDS, label,
                                  _in_selected(picker, "affected"), INCIDENT, nowhere="crisis.error.choose_first"))
    picker.listeners.append(editor.load_row)
    prefill = guarded(page, editor.status)(lambda _c: _prefill_before(page, editor))
    editor.inputs["person_id"].observe(prefill, names="value")
    page.form(CarryForm(page, picker))
    page.show(lambda lang: people_picture(page.workbook(), picker, lang), on=INCIDENT | {"key_persons"})
    page.show(lambda lang: people_text(page.workbook(), picker, lang), on=INCIDENT | {"key_persons"})
    return editor


def _prefill_before(page: Page, editor: NestedRows) -> None:
    """A person just picked gets the attitude the chapter 2 map gives them as 'before' (if none is set)."""
    person = editor.inputs["person_id"].value
    if person is not None and editor.inputs["before"].value is None:
        editor.inputs["before"].value = before_attitude(person, page.workbook().plan.key_persons.items)


class CarryForm:
    """Carry the attitudes after the incident into the chapter 2 key-person map (the trainee decides)."""

    def __init__(self, page: Page, picker: CrisisPicker) -> None:
        self.page, self.picker = page, picker
        self.status = Status(page)
        self.carry = button("")
        self.carry.on_click(guarded(page, self.status)(lambda _b: self.apply()))
        self.widget = w.VBox([self.carry, self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.carry.description = t("crisis.people.carry", lang)
        self.status.relabel(lang)

    def apply(self) -> int:
        crisis = self.picker.selected(self.page.workbook())
        if crisis is None:
            self.status.say_key("info", "crisis.error.choose_first")
            return 0
        changed = 0

        def change(wb: Workbook) -> None:
            nonlocal changed
            wb.plan.key_persons.items, changed = apply_after(wb.plan.key_persons.items, crisis)

        update_workbook(self.page.workbook_file(), change, section="key_persons")
        self.page.refresh({"key_persons"})
        self.status.say_key("ok", "crisis.people.carried", count=changed)
        return changed


def people_picture(wb: Workbook, picker: CrisisPicker, lang: Lang) -> Any:
    from kamlib.charts.crisis import attitude_chart  # matplotlib: loaded when a chart is drawn

    crisis = picker.selected(wb)
    if crisis is None or not crisis.affected:
        return Markdown("")
    return chart_image(attitude_chart(attitude_moves(crisis, wb.plan.key_persons.items), lang), tight=False)


def people_text(wb: Workbook, picker: CrisisPicker, lang: Lang) -> Markdown:
    """The moves in numbers, the decision-makers lost, and whom to win back first."""
    crisis = picker.selected(wb)
    if crisis is None:
        return Markdown(t("crisis.none_chosen", lang))
    people = wb.plan.key_persons.items
    if not people:
        return Markdown(t("crisis.people.no_map", lang))
    if not crisis.affected:
        return Markdown(t("crisis.people.empty", lang))
    moves = attitude_moves(crisis, people)
    parts = [t("crisis.people.summary", lang, **move_summary(moves))]
    lost = decision_makers_lost(crisis, people)
    if lost:
        parts.append("⚠ " + t("crisis.people.lost", lang, names=md_escape(t("i18n.separator", lang).join(lost))))
    first = repair_priority(moves)
    if first:
        ranked = [f"{i}. {md_escape(m.name)} ({m.role or '?'}): {m.before or '?'} → {m.after or '?'}"
                  for i, m in enumerate(first, start=1)]
        parts.append(t("crisis.people.priority", lang) + "\n\n" + "\n".join(ranked))
    return Markdown("\n\n".join(parts))


# ---- the response plan ---------------------------------------------------------------------------------


STEP_FIELDS = (
    FieldSpec("phase", "crisis.field.phase", "choice", catalog_choices("crisis.phase", PHASES)),
    FieldSpec("action", "crisis.field.action"),
    FieldSpec("owner", "crisis.field.owner"),
    FieldSpec("due_on", "crisis.field.due_on", "date"),
    FieldSpec("done_on", "crisis.field.done_on", "date"),
)


class SeedSteps:
    """Add the playbook's step (with its guideline date) for every phase of the incident that has none."""

    def __init__(self, page: Page, picker: CrisisPicker) -> None:
        self.page, self.picker = page, picker
        self.status = Status(page)
        self.seed = button("")
        self.seed.on_click(guarded(page, self.status)(lambda _b: self.add()))
        self.widget = w.VBox([self.seed, self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.seed.description = t("crisis.plan.seed", lang)
        self.status.relabel(lang)

    def add(self) -> int:
        crisis = self.picker.selected(self.page.workbook())
        if crisis is None:
            self.status.say_key("info", "crisis.error.choose_first")
            return 0
        steps = template_steps(crisis, self.page.lang)

        def change(wb: Workbook) -> None:
            target = next(c for c in wb.plan.crises.items if c.id == crisis.id)
            target.steps.extend(steps)

        update_workbook(self.page.workbook_file(), change, section="crises")
        self.page.refresh({"crises"})
        self.status.say_key("ok", "crisis.plan.seeded", count=len(steps))
        return len(steps)


def _step_label(s: ResponseStep, lang: Lang) -> str:
    mark = "✔ " if s.done_on else ""
    due = f" · {s.due_on.isoformat()}" if s.due_on else ""
    return f"{mark}{t(f'crisis.phase.{s.phase}', lang)} · {s.action}{due}"


@for_registered
def response_plan(page: Page, picker: CrisisPicker | None) -> NestedRows | None:
    """The steps by phase with owners and dates; what the playbook still asks for; the timeline."""
    if picker is None:
        return None
    page.form(SeedSteps(page, picker))
    editor = page.form(NestedRows(page, "crises", ResponseStep, STEP_FIELDS, _step_label,
                                  _in_selected(picker, "steps"), INCIDENT, nowhere="crisis.error.choose_first"))
    picker.listeners.append(editor.load_row)
    page.show(lambda lang: plan_text(page.workbook(), picker, lang), on=INCIDENT | {"key_persons"})
    page.show(lambda lang: timeline_picture(page.workbook(), picker, lang), on=INCIDENT | {"assessments"})
    return editor


def plan_text(wb: Workbook, picker: CrisisPicker, lang: Lang) -> Markdown:
    crisis = picker.selected(wb)
    if crisis is None:
        return Markdown(t("crisis.none_chosen", lang))
    now = today()
    rows = []
    for state in phase_states(crisis, now):
        if not state.steps:
            rows.append([t(f"crisis.phase.{state.phase}", lang), "—", "—", "—", "—", t("crisis.plan.missing", lang)])
        for s in state.steps:
            where = ("crisis.plan.done" if s.done_on else "crisis.plan.overdue" if is_overdue(s, now)
                     else "crisis.plan.open")
            rows.append([t(f"crisis.phase.{s.phase}", lang), md_escape(s.action), md_escape(s.owner) or "—",
                         s.due_on.isoformat() if s.due_on else "—", s.done_on.isoformat() if s.done_on else "—",
                         t(where, lang)])
    headers = [t(f"crisis.plan.col.{c}", lang) for c in ("phase", "action", "owner", "due", "done", "state")]
    status = t("crisis.plan.status", lang, status=t(f"crisis.status.{crisis_status(crisis, now)}", lang))
    text = status + "\n\n" + markdown_table(headers, rows)
    problems = plan_problems(crisis, wb.plan.key_persons.items, now)
    if problems:
        text += "\n\n" + problems_markdown("crisis.plan.problems", problems, lang).data
    return Markdown(text)


def timeline_picture(wb: Workbook, picker: CrisisPicker, lang: Lang) -> Any:
    from kamlib.charts.crisis import timeline_chart  # matplotlib: loaded when a chart is drawn

    crisis = picker.selected(wb)
    if crisis is None:
        return Markdown("")
    return chart_image(timeline_chart(crisis, wb.plan.assessments.items, lang, today()), tight=False)


# ---- the assessment re-run after the crisis -----------------------------------------------------------------


@for_registered
def rerun(page: Page, picker: CrisisPicker | None) -> AssessmentForm | None:
    """The eight questions again, linked to the incident; before and after side by side."""
    if picker is None:
        return None
    form = page.form(AssessmentForm(page, crisis=picker))
    picker.listeners.append(lambda: _reset(form))
    page.show(lambda lang: compare_text(page.workbook(), picker, lang), on=INCIDENT | {"assessments"})
    return form


def _reset(form: AssessmentForm) -> None:
    form.relabel(form.page.lang)
    form.picker.value = form.picker.options[-1][1]
    form.load()


def compare_text(wb: Workbook, picker: CrisisPicker, lang: Lang) -> Markdown:
    """The last assessment before the incident and its re-run, question by question; the activities for the 0s."""
    crisis = picker.selected(wb)
    if crisis is None:
        return Markdown(t("crisis.none_chosen", lang))
    before, after = assessments_around(crisis, wb.plan.assessments.items)
    if after is None:
        return Markdown(t("crisis.rerun.none", lang))
    changed = answer_changes(before, after) if before is not None else {}
    yes, no = t("retention.answer.yes_short", lang), t("retention.answer.no_short", lang)
    rows = []
    for n, (q, now_yes) in enumerate(zip(QUESTIONS, after.answers, strict=True), start=1):
        was = "—" if before is None else (yes if before.answers[n - 1] else no)
        mark = t("crisis.rerun.changed", lang) if q in changed else ""
        rows.append([t("retention.numbered", lang, n=n, text=t(f"retention.question_short.{q}", lang)), was,
                     yes if now_yes else no, mark])
    headers = [t(f"crisis.rerun.col.{c}", lang) for c in ("question", "before", "after", "changed")]
    if before is None:
        head = t("crisis.rerun.no_before", lang, after=score(after), max=len(QUESTIONS))
    else:
        head = t("crisis.rerun.scores", lang, before=score(before), after=score(after), max=len(QUESTIONS),
                 before_on=before.taken_on.isoformat(), after_on=after.taken_on.isoformat())
    parts = [head, markdown_table(headers, rows)]
    zeros = recommended_activities(after)
    if zeros:
        parts += [t("crisis.rerun.activities", lang), activities_markdown(zeros, lang)]
    return Markdown("\n\n".join(parts))
