"""Chapter 2 forms: the information inventory, the five-step method, the six-step key-person analysis
and the information analysis model, for the key account chosen in chapter 1; the recommended tools
(profile questionnaire, question bank, further reading) are in ``kamlib.forms.ch2_tools``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import ipywidgets as w
from IPython.display import Markdown

from kamlib.analysis import DIMENSIONS, LEVELS, STATUSES
from kamlib.forms.ch2_tools import further_reading, question_bank, questionnaire  # noqa: F401  (the recommended tools)
from kamlib.forms.common import (
    Status,
    ViewSwitch,
    button,
    chart_image,
    guarded,
    markdown_table,
    md_escape,
    problems_markdown,
)
from kamlib.forms.nav import chapter_page
from kamlib.forms.page import Page, for_registered, message_markup
from kamlib.forms.rows import FieldSpec, RowEditor, catalog_choices, key_person_choices, section_editor
from kamlib.health import key_account_id, key_account_source
from kamlib.i18n import Lang, t
from kamlib.model import update_workbook
from kamlib.model.workbook import (
    Account,
    AccountPlan,
    Department,
    Factor,
    InformationItem,
    KeyPerson,
    Need,
    NeedKind,
    Opportunity,
    Position,
    PushTask,
)
from kamlib.people import ATTITUDES, CONTACTS, ROLES, STYLES

NEED_KINDS: tuple[str, ...] = get_args(NeedKind)
POSITIONS: tuple[str, ...] = get_args(Position)


def _channels(lang: Lang) -> list[tuple[str, str]]:
    """The course's channels table (COURSE.md 2.2), every level and side, as suggestions."""
    from kamlib.analysis import PYRAMID_LEVELS, channel_options

    labels = [c for level in PYRAMID_LEVELS for side in ("them", "us") for c in channel_options(level, lang, side)]
    return [(c, c) for c in dict.fromkeys(labels)]


def open_page(lang: str | None = None, workbook: str | Path | None = None) -> Page:
    return chapter_page(Page(lang=lang, workbook=workbook), "ch2", "ch2.intro")


# ---- the key account under analysis -------------------------------------------------------------


class FocusForm:
    """Which key account this chapter analyses: chapter 1's choice until the trainee chooses another here.

    The choice lives in the workbook only: ``plan.focus_account`` once chosen here, else what chapter 1 holds
    (``kamlib.health.key_account_source``: Share 1's account, else the first Top pick, else the first pick)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.account = w.Dropdown(layout=w.Layout(width="36em"), style={"description_width": "initial"})
        self.account.observe(guarded(page, self.status)(lambda _c: self.save()), names="value")
        self.source = w.HTML()  # where the account shown comes from, or what to do when there is none
        self.widget = w.VBox([self.account, self.source, self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        plan = self.page.workbook().plan
        key_id, source = key_account_source(plan)
        options: list[tuple[str, str | None]] = [(label, a.id) for a, label in focus_options(plan, lang)]
        if key_id is None:
            options.insert(0, ("—", None))
        self._relabelling = True  # the options change below is not the trainee's choice
        try:
            self.account.options = options
            self.account.value = key_id
        finally:
            self._relabelling = False
        self.account.description = t("ch2.focus.label", lang)
        if not plan.portfolio.items:
            note = ("info", t("ch2.focus.no_accounts", lang))
        elif source is None:
            note = ("info", t("ch2.focus.no_pick", lang))
        else:
            note = ("info", t(f"ch2.focus.from_{source}", lang))
        self.source.value = message_markup(*note)
        self.status.relabel(lang)

    def save(self) -> None:
        chosen = self.account.value
        if getattr(self, "_relabelling", False) or chosen == key_account_id(self.page.workbook().plan):
            return
        update_workbook(self.page.workbook_file(), lambda wb: setattr(wb.plan, "focus_account", chosen))
        self.page.refresh()
        self.status.say_key("ok", "rows.saved")


def focus_options(plan: AccountPlan, lang: Lang) -> list[tuple[Account, str]]:
    """The accounts to choose from, chapter 1's first: Top picks, Strategic picks, other picks, Share 1's
    account, then the rest of the list by name; each labelled with what it is in chapter 1."""
    tags: dict[str, list[str]] = {a.id: [] for a in plan.portfolio.items}
    rank: dict[str, int] = {}
    order = {"top": 0, "strategic": 1, None: 2}
    for pick in plan.key_accounts:
        rank.setdefault(pick.account_id, order[pick.kind])
        if pick.kind is not None:
            tags[pick.account_id].append(t(f"ch2.focus.tag.{pick.kind}", lang))
    if plan.share.account_id:
        rank.setdefault(plan.share.account_id, 3)
        tags[plan.share.account_id].append(t("ch2.focus.tag.share", lang))
    picked = [p.account_id for p in plan.key_accounts]
    accounts = sorted(plan.portfolio.items, key=lambda a: (
        rank.get(a.id, 4), picked.index(a.id) if a.id in picked else 0, a.name))
    return [(a, " · ".join([a.name, *tags[a.id]])) for a in accounts]


@for_registered
def focus_form(page: Page) -> FocusForm | None:
    return page.form(FocusForm(page))


# ---- information (2.1, 2.2) -----------------------------------------------------------------------

INFO_FIELDS = (
    FieldSpec("level", "fields.info_level", "choice", catalog_choices("analysis.level", LEVELS)),
    FieldSpec("topic", "fields.topic"),
    FieldSpec("status", "fields.info_status", "choice", catalog_choices("analysis.status", STATUSES)),
    FieldSpec("content", "fields.content", "note"),
    FieldSpec("channel", "fields.channel", "combo", lambda lang, _wb: _channels(lang), hint="ch2.hint.channel"),
    FieldSpec("learned_on", "fields.learned_on", "date"),
)


class SeedForm:
    """Adds the course's standard items of the pyramid (and the "about us" list) that are missing."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.seed = button("")
        self.seed.on_click(guarded(page, self.status)(lambda _b: self.add_standard()))
        self.widget = w.VBox([self.seed, self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.seed.description = t("ch2.info.seed", lang)
        self.status.relabel(lang)

    def add_standard(self) -> int:
        from kamlib.analysis import missing_standard_items

        missing = missing_standard_items(self.page.workbook().plan.information.items, self.page.lang)
        update_workbook(self.page.workbook_file(), lambda wb: wb.plan.information.items.extend(missing),
                        section="information")
        self.page.refresh()
        self.status.say_key("ok", "ch2.info.seeded", count=len(missing))
        return len(missing)


@for_registered
def information(page: Page) -> RowEditor | None:
    """The inventory: seed it with the course's items, record what is known and where it came from."""
    page.form(SeedForm(page))
    editor = section_editor(page, "information", InformationItem, INFO_FIELDS, lambda i, lang: (
        f"{t(f'analysis.level.{i.level}', lang)} · {i.topic} · {t(f'analysis.status.{i.status}', lang)}"))

    def readiness(lang: Lang) -> Any:
        from kamlib.charts.analysis import readiness_chart  # matplotlib: loaded when a chart is drawn

        items = page.workbook().plan.information.items
        return chart_image(readiness_chart(items, lang)) if items else Markdown(t("ch2.info.empty", lang))

    page.show(readiness, on={"information"})
    page.prose("ch2.info.guidance")
    return editor


# ---- the five-step method (2.3) ---------------------------------------------------------------------


@for_registered
def five_steps(page: Page) -> None:
    """Where the trainee stands on each step, and what is still missing before the next one."""

    def render(lang: Lang) -> Markdown:
        from kamlib.analysis import five_step_status

        lines = []
        for n, step in enumerate(five_step_status(page.workbook().plan), start=1):
            mark = "✔" if step.done else "○"
            lines.append(f"**{mark} {t(f'analysis.step.{n}.title', lang)}** — {t(f'analysis.step.{n}.what', lang)}")
            lines += [f"  - {md_escape(m.render(lang))}" for m in step.missing]
        return Markdown("\n".join(f"{line}  " for line in lines))

    page.show(render)


DEPARTMENT_FIELDS = (
    FieldSpec("name", "fields.department_name"),
    FieldSpec("duties", "fields.duties", "note"),
    FieldSpec("key", "fields.key_department", "bool"),
)
NEED_FIELDS = (
    FieldSpec("project", "fields.project"),
    FieldSpec("kind", "fields.need_kind", "choice", catalog_choices("ch2.need", NEED_KINDS)),
    FieldSpec("description", "fields.description", "note"),
    FieldSpec("budget_wan", "fields.budget_wan", "number"),
    FieldSpec("funds", "fields.funds"),
    FieldSpec("timing", "fields.timing", "date"),
)
OPPORTUNITY_FIELDS = (
    FieldSpec("name", "fields.opportunity"),
    FieldSpec("amount_wan", "fields.amount_wan", "number"),
    FieldSpec("expected_on", "fields.expected_on", "date"),
    FieldSpec("position", "fields.position", "choice", catalog_choices("ch2.position", POSITIONS)),
    FieldSpec("funding_source", "fields.funding_source"),
    FieldSpec("decision_process", "fields.decision_process", "note"),
    FieldSpec("procurement_process", "fields.procurement_process", "note"),
    FieldSpec("people", "fields.decision_people", "multi", key_person_choices),
)
TASK_FIELDS = (
    FieldSpec("task", "fields.task"),
    FieldSpec("due_on", "fields.due_on", "date"),
    FieldSpec("owner", "fields.owner"),
    FieldSpec("done", "fields.done", "bool"),
)


def departments(page: Page) -> RowEditor | None:
    return section_editor(page, "departments", Department, DEPARTMENT_FIELDS,
                   lambda d, lang: d.name + (" ★" if d.key else ""))


def needs(page: Page) -> RowEditor | None:
    return section_editor(page, "needs", Need, NEED_FIELDS, lambda n, lang: n.project)


def opportunities(page: Page) -> RowEditor | None:
    """Opportunities, ranked by amount, timing and competitive position."""
    editor = section_editor(page, "opportunities", Opportunity, OPPORTUNITY_FIELDS, lambda o, lang: o.name)
    if editor is None:
        return None

    def ranked(lang: Lang) -> Markdown:
        from kamlib.analysis import rank_opportunities

        opps = rank_opportunities(page.workbook().plan.opportunities.items)
        if not opps:
            return Markdown("")
        rows = [[str(i), md_escape(o.name), "—" if o.amount_wan is None else f"{o.amount_wan:,.6g}",
                 o.expected_on.isoformat() if o.expected_on else "—",
                 t(f"ch2.position.{o.position}", lang) if o.position else "—"] for i, o in enumerate(opps, 1)]
        headers = [t(f"ch2.opportunity.col.{c}", lang) for c in ("rank", "name", "amount", "timing", "position")]
        return Markdown(markdown_table(headers, rows))

    page.show(ranked, on={"opportunities"})
    return editor


# Step 4's people, entered where step 4 asks for them: the same rows as the six-step analysis (PERSON_FIELDS)
DECISION_PERSON_FIELDS = (
    FieldSpec("name", "fields.person_name"),
    FieldSpec("title", "fields.title"),
    FieldSpec("department", "fields.department"),
    FieldSpec("role", "fields.role", "choice", catalog_choices("ch2.role", ROLES)),
)


@for_registered
def decision_people(page: Page) -> RowEditor | None:
    """Step 4's decision and procurement people: name them here, tick them in the opportunity below. They are
    the key persons of the six-step analysis further down (one list), which adds the rest of each person."""
    page.prose("ch2.opportunity.people_intro")
    return section_editor(page, "key_persons", KeyPerson, DECISION_PERSON_FIELDS, _person_label)


def push_plan(page: Page) -> RowEditor | None:
    return section_editor(page, "push_plan", PushTask, TASK_FIELDS, lambda k, lang: ("✔ " if k.done else "") + k.task)


# ---- the six-step key-person analysis (2.4) -----------------------------------------------------------

PERSON_FIELDS = (
    FieldSpec("name", "fields.person_name"),
    FieldSpec("title", "fields.title"),
    FieldSpec("department", "fields.department"),
    FieldSpec("key_department", "fields.key_department", "bool"),
    FieldSpec("reports_to", "fields.reports_to", "choice", key_person_choices),
    FieldSpec("role", "fields.role", "choice", catalog_choices("ch2.role", ROLES)),
    FieldSpec("style", "fields.style", "choice", catalog_choices("ch2.style", STYLES)),
    FieldSpec("attitude", "fields.attitude", "choice", catalog_choices("ch2.attitude", ATTITUDES)),
    FieldSpec("contact", "fields.contact", "choice", catalog_choices("ch2.contact", CONTACTS)),
    FieldSpec("inner_circle", "fields.inner_circle", "bool"),
    FieldSpec("decision_layer", "fields.decision_layer", "bool"),
    FieldSpec("influences", "fields.influences", "multi", key_person_choices),
    FieldSpec("profile.background", "fields.background", "note"),
    FieldSpec("profile.interests", "fields.interests", "note"),
    FieldSpec("profile.career_goals", "fields.career_goals", "note"),
    FieldSpec("profile.personal_win", "fields.personal_win", "note"),
)


def _person_label(p: Any, lang: Lang) -> str:
    from kamlib.people import person_code

    return f"{p.name} · {person_code(p)}"


def key_persons(page: Page) -> RowEditor | None:
    """Steps 1–6 for each person, then the panorama, the matrix, red flags and leverage routes."""
    editor = section_editor(page, "key_persons", KeyPerson, PERSON_FIELDS, _person_label)
    if editor is None:
        return None

    def panorama(lang: Lang) -> Any:
        from kamlib.charts.people import panorama_chart  # matplotlib: loaded when a chart is drawn
        from kamlib.people import reporting_problems

        people = page.workbook().plan.key_persons.items
        if not people:
            return Markdown(t("ch2.people.empty", lang))
        problems = reporting_problems(people)
        if problems:
            return problems_markdown("ch2.people.problems", problems, lang)
        return chart_image(panorama_chart(people, lang), tight=False)  # laid out by hand: nothing to crop

    def matrix(lang: Lang) -> Any:
        from kamlib.charts.people import attitude_power_chart  # matplotlib: loaded when a chart is drawn

        people = page.workbook().plan.key_persons.items
        return chart_image(attitude_power_chart(people, lang), tight=False) if people else Markdown("")

    ViewSwitch(page, {"panorama": ("ch2.people.view_panorama", panorama),
                      "matrix": ("ch2.people.view_matrix", matrix)}, on={"key_persons"})
    page.show(lambda lang: coaching(page.workbook().plan.key_persons.items, lang), on={"key_persons"})
    return editor


def coaching(people: list[KeyPerson], lang: Lang) -> Markdown:
    """The two figures, the codes, the red flags and the leverage routes, in words."""
    from kamlib.people import (
        leverage_routes,
        map_completeness,
        person_code,
        position_strength,
        red_flags,
        reporting_problems,
    )

    if not people or reporting_problems(people):
        return Markdown("")
    names = {p.id: p.name for p in people}
    parts = [t("ch2.people.figures", lang, completeness=f"{map_completeness(people):.0%}",
               strength=f"{position_strength(people):.0%}")]
    codes = [[md_escape(p.name), md_escape(person_code(p))] for p in people]
    parts.append(markdown_table([t("ch2.people.col.person", lang), t("ch2.people.col.code", lang)], codes))
    flags = red_flags(people)
    parts.append(f"**{t('ch2.people.flags', lang)}**")
    parts += [f"- ⚠ {md_escape(f.text.render(lang))}" for f in flags] or [f"- {t('ch2.people.no_flags', lang)}"]
    routes = leverage_routes(people)
    if routes:
        parts.append(f"**{t('ch2.people.routes', lang)}**")
        for target, paths in routes.items():
            shown = "; ".join(" → ".join(md_escape(names[i]) for i in path) for path in paths) or t(
                "ch2.people.no_route", lang)
            parts.append(f"- {md_escape(names[target])}: {shown}")
    return Markdown("\n\n".join(parts))


def styles_guide(page: Page) -> None:
    """The four social styles on their two axes, and how to work with each (our own guidance)."""
    page.prose("ch2.styles")


class DeckExample:
    """Show the deck's worked example (not saved): its codes, panorama and coaching."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.show_button = button("")
        self.output = w.Output()
        self.status = Status(page)
        self.show_button.on_click(guarded(page, self.status)(lambda _b: self.show()))
        self.widget = w.VBox([self.show_button, self.status.widget, self.output])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.show_button.description = t("ch2.example.show", lang)
        self.status.relabel(lang)

    def show(self) -> None:
        from kamlib.charts.people import panorama_chart  # matplotlib: loaded when a chart is drawn
        from kamlib.people import deck_example

        people = deck_example(self.page.lang)
        self.output.outputs = ()
        self.output.append_display_data(chart_image(panorama_chart(people, self.page.lang)))
        self.output.append_display_data(coaching(people, self.page.lang))


def deck_example_view(page: Page) -> DeckExample:
    return page.form(DeckExample(page))


# ---- the information analysis model (2.5) -------------------------------------------------------------

FACTOR_FIELDS = (
    FieldSpec("text", "fields.factor"),
    FieldSpec("dimension", "fields.dimension", "choice", catalog_choices("analysis.dimension", DIMENSIONS)),
    FieldSpec("advantage", "fields.advantage", "bool"),
    FieldSpec("strong_control", "fields.strong_control", "bool"),
    FieldSpec("importance", "fields.importance", "number", hint="ch2.hint.importance"),
)


def factors(page: Page) -> RowEditor | None:
    """Every item that affects the decision; the list feeds chapter 3."""
    editor = section_editor(page, "factors", Factor, FACTOR_FIELDS, lambda f, lang: f.text)
    if editor is None:
        return None

    def table(lang: Lang) -> Markdown:
        from kamlib.analysis import factor_quadrant

        items = page.workbook().plan.factors.items
        if not items:
            return Markdown("")
        rows = [[md_escape(f.text), t(f"analysis.dimension.{f.dimension}", lang) if f.dimension else "—",
                 t("ch2.factor.advantage" if f.advantage else "ch2.factor.disadvantage", lang),
                 t("ch2.factor.strong" if f.strong_control else "ch2.factor.weak", lang),
                 t(f"analysis.quadrant.{factor_quadrant(f)}", lang), str(f.importance)] for f in items]
        headers = [t(f"ch2.factor.col.{c}", lang) for c in ("factor", "dimension", "side", "control", "response",
                                                              "importance")]
        return Markdown(markdown_table(headers, rows))

    page.show(table, on={"factors"})
    return editor
