"""Chapter 2's recommended tools on the page: the customer-profile questionnaire (answers saved in each key
person's profile, with how complete each profile is per group), the company question bank for the
five-step method, and the further reading. Thin: the logic is in ``kamlib.questionnaire`` and
``kamlib.question_bank``; everything is read from and saved to the workbook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as w
from IPython.display import Markdown

from kamlib.errors import InputError
from kamlib.forms.common import Status, button, guarded, markdown_table, md_escape
from kamlib.forms.page import Page, for_registered
from kamlib.forms.rows import NEW, FieldSpec, RowEditor, catalog_choices, key_person_choices, section_editor
from kamlib.i18n import Lang, t
from kamlib.model import update_workbook
from kamlib.model.workbook import BankQuestion, KeyPerson, ProfileAnswer, Row, Workbook
from kamlib.question_bank import STEPS
from kamlib.questionnaire import GROUPS, starter_prompts

# ---- the customer-profile questionnaire -------------------------------------------------------------

PROFILE_FIELDS = (
    FieldSpec("group", "questionnaire.field.group", "choice", catalog_choices("questionnaire.group", GROUPS)),
    FieldSpec("question", "questionnaire.field.question", "combo", hint="questionnaire.hint.question"),
    FieldSpec("answer", "questionnaire.field.answer", "note"),
)


def _entry_label(entry: Any, lang: Lang) -> str:
    from kamlib.questionnaire import is_answered

    mark = "✔ " if is_answered(entry) else "○ "
    return f"{mark}{t(f'questionnaire.group.{entry.group}', lang)} · {entry.question}"


@dataclass
class ProfileQuestionnaire(RowEditor):
    """The questions and answers of one key person's profile: choose the person, then edit their entries.

    The entries live in the person's ``profile.answers``; a save stamps the key-person section."""

    def __post_init__(self) -> None:
        self.person = w.Dropdown(options=[("—", None)], value=None, layout=w.Layout(width="36em"),
                                 style={"description_width": "initial"})
        super().__post_init__()
        run = guarded(self.page, self.status)
        self.person.observe(run(lambda _c: self.person_chosen()), names="value")
        self.inputs["group"].observe(lambda _c: self.suggest(self.page.lang), names="value")
        self.widget.children = (self.person, *self.widget.children)

    def relabel(self, lang: Lang) -> None:
        chosen = self.person.value
        options = [("—", None), *key_person_choices(lang, self.page.workbook())]
        self._relabelling = True  # new options reset the choice: that is no choice of the trainee's
        try:
            self.person.options = options
            self.person.value = chosen if chosen in {v for _, v in options} else None
        finally:
            self._relabelling = False
        self.person.description = t("questionnaire.field.person", lang)
        super().relabel(lang)
        self.suggest(lang)

    def suggest(self, lang: Lang) -> None:
        """The starter prompts of the chosen group as suggestions for the question (any text is accepted)."""
        group = self.inputs["group"].value
        self.inputs["question"].options = starter_prompts(group, lang) if group else []

    def person_chosen(self) -> None:
        if getattr(self, "_relabelling", False):
            return
        self.relabel(self.page.lang)
        self.picker.value = NEW
        self.load_row()

    def _person(self, wb: Workbook) -> KeyPerson | None:
        return next((p for p in wb.plan.key_persons.items if p.id == self.person.value), None)

    def rows(self, wb: Workbook) -> list[Row]:
        person = self._person(wb)
        return person.profile.answers if person is not None else []  # type: ignore[return-value]

    def load_row(self) -> None:
        group = self.inputs["group"].value
        super().load_row()
        if self.picker.value == NEW and group is not None:  # a new question stays in the group being filled in
            self.inputs["group"].value = group

    def save(self) -> str:
        if self._person(self.page.workbook()) is None:
            raise InputError("questionnaire.no_person")
        return super().save()


@for_registered
def questionnaire(page: Page) -> ProfileQuestionnaire | None:
    """The questionnaire form, then how complete each person's profile is per group."""
    form = page.form(ProfileQuestionnaire(page, "key_persons", ProfileAnswer, PROFILE_FIELDS, _entry_label))
    page.show(lambda lang: completeness_table(page.workbook().plan.key_persons.items, lang), on={"key_persons"})
    return form


def completeness_table(people: list[KeyPerson], lang: Lang) -> Markdown:
    """Per person: each group answered (✔) or not (○), and the groups answered of seven."""
    from kamlib.questionnaire import profile_completeness

    if not people:
        return Markdown(t("questionnaire.no_people", lang))
    headers = [t("questionnaire.col.person", lang), *(t(f"questionnaire.group.{g}", lang) for g in GROUPS),
               t("questionnaire.col.answered", lang)]
    rows = []
    for p in people:
        done = profile_completeness(p.profile)
        rows.append([md_escape(p.name), *("✔" if done.covers(g) else "○" for g in GROUPS),
                     f"{len(done.answered)}/{done.total}"])
    return Markdown(t("questionnaire.completeness", lang) + "\n\n" + markdown_table(headers, rows))


# ---- the company question bank ----------------------------------------------------------------------

BANK_FIELDS = (
    FieldSpec("step", "question_bank.field.step", "choice",
              lambda lang, _wb: [(t(f"analysis.step.{s}.title", lang), s) for s in STEPS]),
    FieldSpec("question", "question_bank.field.question", hint="question_bank.hint.question"),
    FieldSpec("answer", "question_bank.field.answer", "note"),
)


class BankSeed:
    """Adds the workbook's starter questions that are not in the bank yet."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.seed = button("")
        self.seed.on_click(guarded(page, self.status)(lambda _b: self.add_starters()))
        self.widget = w.VBox([self.seed, self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.seed.description = t("question_bank.seed", lang)
        self.status.relabel(lang)

    def add_starters(self) -> int:
        from kamlib.question_bank import missing_starters

        missing = missing_starters(self.page.workbook().plan.question_bank.items, self.page.lang)
        update_workbook(self.page.workbook_file(), lambda wb: wb.plan.question_bank.items.extend(missing),
                        section="question_bank")
        self.page.refresh({"question_bank"})
        self.status.say_key("ok", "question_bank.seeded", count=len(missing))
        return len(missing)


@for_registered
def question_bank(page: Page) -> RowEditor | None:
    """The bank step by step: the starter questions on request, the trainee's own, the answers."""
    page.form(BankSeed(page))
    editor = section_editor(page, "question_bank", BankQuestion, BANK_FIELDS, lambda q, lang: (
        f"{'✔' if q.answer.strip() else '○'} {t(f'analysis.step.{q.step}.title', lang)} · {q.question}"))
    page.show(lambda lang: bank_by_step(page.workbook().plan.question_bank.items, lang), on={"question_bank"})
    return editor


def bank_by_step(items: list[BankQuestion], lang: Lang) -> Markdown:
    """Each step's questions, answered (✔) or not yet (○)."""
    from kamlib.question_bank import answered_count, by_step

    if not items:
        return Markdown(t("question_bank.empty", lang))
    lines = []
    for step, questions in by_step(items).items():
        answered, total = answered_count(questions)
        lines.append(f"**{t(f'analysis.step.{step}.title', lang)}** — "
                     f"{t('question_bank.count', lang, answered=answered, total=total)}")
        lines += [f"- {'✔' if q.answer.strip() else '○'} {md_escape(q.question)}" for q in questions]
    return Markdown("\n".join(lines))


def further_reading(page: Page) -> None:
    """The book the deck recommends, as the deck gives it."""
    page.prose("questionnaire.reading")
