"""Chapter 3 forms: factors in quadrants, the integrated strategy, sales measures, the key-person
campaign, the team map and the action plan, fed by what the trainee entered in chapter 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, get_args

import ipywidgets as w
from IPython.display import Markdown

from kamlib.forms.analysis import factors as factor_editor
from kamlib.forms.common import (
    ActionButton,
    Status,
    button,
    chart_image,
    fit_choices,
    guarded,
    markdown_table,
    md_escape,
    today,
)
from kamlib.forms.nav import chapter_page
from kamlib.forms.page import Page, for_registered
from kamlib.forms.rows import FieldSpec, RowEditor, catalog_choices, key_person_choices, section_editor
from kamlib.health import key_account_id
from kamlib.i18n import Lang, t
from kamlib.model import update_workbook
from kamlib.model.workbook import (
    Action,
    ActionStatus,
    CampaignGoal,
    CampaignStep,
    Measure,
    TeamPair,
    TeamStage,
    Workbook,
    now,
)


def open_page(lang: str | None = None, workbook: str | Path | None = None) -> Page:
    page = chapter_page(Page(lang=lang, workbook=workbook), "ch3", "ch3.intro")
    if page.registered:
        page.show(lambda lang: focus_line(page.workbook(), lang), on=())
    return page


def focus_line(wb: Workbook, lang: Lang) -> Markdown:
    """Which key account this plan is for: the one chapter 2 analyses (chapter 1's choice unless changed there)."""
    key_id = key_account_id(wb.plan)
    account = next((a for a in wb.plan.portfolio.items if a.id == key_id), None)
    if account is None:
        return Markdown(t("ch3.no_focus", lang))
    return Markdown(t("ch3.focus", lang, name=md_escape(account.name)))


# ---- 3.1 factors in four quadrants ------------------------------------------------------------------


def factors(page: Page) -> RowEditor | None:
    """Chapter 2's factors (and new ones), their table, and the quadrant chart with each written in."""
    editor = factor_editor(page)
    if editor is None:
        return None

    def chart(lang: Lang) -> Any:
        from kamlib.charts.strategy import quadrant_chart  # matplotlib: loaded when a chart is drawn

        items = page.workbook().plan.factors.items
        if not items:
            return Markdown(t("ch3.factors.empty", lang))
        return chart_image(quadrant_chart(items, lang), tight=False)  # the layout engine places every text

    page.show(chart, on={"factors"})
    return editor


# ---- 3.2 the integrated strategy ----------------------------------------------------------------------


@for_registered
def recommendation(page: Page) -> None:
    """The recommender's answer in words and as a chart."""

    def words(lang: Lang) -> Markdown:
        from kamlib.strategy import recommend

        rec = recommend(page.workbook().plan.factors.items)
        return Markdown("\n\n".join(line.render(lang) for line in rec.explanation()))

    def chart(lang: Lang) -> Any:
        from kamlib.charts.strategy import strategy_chart  # matplotlib: loaded when a chart is drawn
        from kamlib.strategy import recommend

        rec = recommend(page.workbook().plan.factors.items)
        return chart_image(strategy_chart(rec, lang), tight=False) if rec.verdict != "none" else Markdown("")

    page.show(words, on={"factors"})
    page.show(chart, on={"factors"})


class StrategyForm:
    """The trainee's own choice of integrated strategy and why; compared with the recommendation."""

    def __init__(self, page: Page) -> None:
        from kamlib.strategy import STRATEGIES

        self.page = page
        self.status = Status(page)
        self.choice = w.Dropdown(layout=w.Layout(width="36em"), style={"description_width": "initial"})
        self.reason = w.Textarea(layout=w.Layout(width="48em", height="5em"), style={"description_width": "initial"})
        self.save_button = button("", "primary")
        self.save_button.on_click(guarded(page, self.status)(lambda _b: self.save()))
        self.widget = w.VBox([self.choice, self.reason, w.HBox([self.save_button]), self.status.widget])
        self._strategies = STRATEGIES
        self.relabel(page.lang)
        saved = page.workbook().plan.strategy
        self.choice.value, self.reason.value = saved.chosen, saved.reason

    def relabel(self, lang: Lang) -> None:
        value = self.choice.value
        self.choice.description = t("ch3.strategy.choose", lang)
        self.choice.options = [("—", None)] + [
            (f"{t(f'strategy.name.{s}', lang)} ({t(f'strategy.pair.{s}', lang)})", s) for s in self._strategies
        ]
        self.choice.value = value
        fit_choices(self.choice)  # "Bide your time (…)" whole
        self.reason.description = t("ch3.strategy.reason", lang)
        self.reason.placeholder = t("ch3.strategy.reason_hint", lang)
        self.save_button.description = t("rows.save", lang)
        self.status.relabel(lang)

    def save(self) -> None:
        chosen, reason = self.choice.value, self.reason.value

        def change(wb: Workbook) -> None:
            wb.plan.strategy.chosen = chosen
            wb.plan.strategy.reason = reason
            wb.plan.strategy.chosen_on = now().date() if chosen else None

        update_workbook(self.page.workbook_file(), change, section="strategy")
        self.page.refresh({"strategy"})
        self.status.say_key("ok", "rows.saved")


@for_registered
def strategy_choice(page: Page) -> StrategyForm | None:
    form = page.form(StrategyForm(page))

    def verdict(lang: Lang) -> Markdown:
        from kamlib.strategy import recommend

        plan = page.workbook().plan
        rec = recommend(plan.factors.items)
        chosen = plan.strategy.chosen
        if chosen is None or rec.verdict == "none":
            return Markdown("")
        if chosen in rec.tied:
            return Markdown(t("ch3.strategy.agrees", lang, name=t(f"strategy.name.{chosen}", lang)))
        return Markdown(t("ch3.strategy.differs", lang, name=t(f"strategy.name.{chosen}", lang),
                          best=t(f"strategy.name.{rec.ranking[0]}", lang)))

    page.show(verdict, on={"strategy", "factors"})
    return form


# ---- 3.3 sales measures ---------------------------------------------------------------------------------


def _factor_texts(lang: Lang, wb: Workbook) -> list[tuple[str, Any]]:
    return [(f.text, f.text) for f in wb.plan.factors.items]


def _factor_ids(lang: Lang, wb: Workbook) -> list[tuple[str, Any]]:
    return [(f.text, f.id) for f in wb.plan.factors.items]


MEASURE_FIELDS = (
    FieldSpec("priority", "ch3.field.priority", "number"),
    FieldSpec("key_factor", "ch3.field.key_factor", "combo", _factor_texts, hint="ch3.hint.key_factor"),
    FieldSpec("factor_id", "ch3.field.factor", "choice", _factor_ids),
    FieldSpec("analysis", "ch3.field.analysis", "note"),
    FieldSpec("measures", "ch3.field.measures", "note"),
    FieldSpec("resources", "ch3.field.resources", "note"),
)


class SampleMeasures(ActionButton):
    """Adds the deck's three worked rows (in the trainee's language) as examples to edit."""

    def __init__(self, page: Page) -> None:
        super().__init__(page, "ch3.measures.add_samples", self.add)

    def add(self) -> int:
        from kamlib.measures import deck_measures

        samples = deck_measures(self.page.lang)
        added: list[Measure] = []

        def change(wb: Workbook) -> None:
            have = {m.key_factor for m in wb.plan.measures.items}
            added.extend(m for m in samples if m.key_factor not in have)
            wb.plan.measures.items.extend(added)

        update_workbook(self.page.workbook_file(), change, section="measures")
        self.page.refresh({"measures"})
        self.status.say_key("ok", "ch3.measures.added", count=len(added))
        return len(added)


def measures(page: Page) -> RowEditor | None:
    editor = section_editor(page, "measures", Measure, MEASURE_FIELDS,
                     lambda m, lang: f"{m.priority}. {m.key_factor}")
    if editor is None:
        return None
    page.form(SampleMeasures(page))

    def table(lang: Lang) -> Markdown:
        items = sorted(page.workbook().plan.measures.items, key=lambda m: m.priority)
        if not items:
            return Markdown(t("ch3.measures.empty", lang))
        rows = [[str(m.priority), md_escape(m.key_factor), md_escape(m.analysis), md_escape(m.measures),
                 md_escape(m.resources)] for m in items]
        headers = [t(f"ch3.field.{c}", lang) for c in ("priority", "key_factor", "analysis", "measures", "resources")]
        return Markdown(markdown_table(headers, rows))

    page.show(table, on={"measures"})
    return editor


# ---- 3.4 the key-person campaign ------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    FieldSpec("person_id", "ch3.field.person", "choice", key_person_choices),
    FieldSpec("priority", "ch3.field.priority", "number"),
    FieldSpec("goal", "ch3.field.goal", "choice", catalog_choices("ch3.goal", get_args(CampaignGoal))),
    FieldSpec("aim", "ch3.field.aim", "note", hint="ch3.hint.aim"),
    FieldSpec("resources", "ch3.field.resources", "note"),
    FieldSpec("target_on", "ch3.field.target_on", "date"),
    FieldSpec("done_on", "ch3.field.done_on", "date"),
    FieldSpec("result", "ch3.field.result", "note"),
)


class CampaignProposals(ActionButton):
    """Adds a campaign row for every key person on the map not yet a strong supporter and not yet planned."""

    def __init__(self, page: Page) -> None:
        super().__init__(page, "ch3.campaign.add", self.add)

    def add(self) -> int:
        from kamlib.campaign import new_campaign_rows

        added: list[CampaignStep] = []

        def change(wb: Workbook) -> None:
            added.extend(new_campaign_rows(wb.plan.key_persons.items, wb.plan.campaign.items))
            wb.plan.campaign.items.extend(added)

        update_workbook(self.page.workbook_file(), change, section="campaign")
        self.page.refresh({"campaign"})
        self.status.say_key("ok", "ch3.campaign.added", count=len(added))
        return len(added)


def _campaign_label(step: CampaignStep, lang: Lang, names: dict[str, str]) -> str:
    return f"{step.priority or '—'}. {names.get(step.person_id, t('ch3.campaign.gone', lang))}"


@for_registered
def campaign(page: Page) -> RowEditor | None:
    """The campaign plan: proposed from the map, edited row by row, with routes and aims met."""
    page.form(CampaignProposals(page))

    def label(step: Any, lang: Lang) -> str:
        names = {p.id: p.name for p in page.workbook().plan.key_persons.items}
        return _campaign_label(step, lang, names)

    editor = section_editor(page, "campaign", CampaignStep, CAMPAIGN_FIELDS, label)
    page.show(lambda lang: campaign_table(page.workbook(), lang), on={"campaign", "key_persons"})
    return editor


def campaign_table(wb: Workbook, lang: Lang) -> Markdown:
    """The plan as the course's table, with each person's codes now, the routes and whether the aim is met."""
    from kamlib.campaign import goal_reached, left_out, propose_campaign, stale_rows
    from kamlib.people import people_by_id, short_code

    people = wb.plan.key_persons.items
    steps = sorted(wb.plan.campaign.items, key=lambda s: (s.priority is None, s.priority or 0))
    outside = left_out(people)
    note = ("\n\n" + t("ch3.campaign.left_out", lang, count=len(outside),
                         names=t("i18n.separator", lang).join(md_escape(p.name) for p in outside))) if outside else ""
    if not steps:
        return Markdown(t("ch3.campaign.empty", lang) + note)
    by_id = people_by_id(people)
    routes = {c.person_id: c.routes for c in propose_campaign(people)}
    rows = []
    for s in steps:
        p = by_id.get(s.person_id)
        if p is None:
            continue
        path = routes.get(s.person_id, ())
        route = " → ".join(md_escape(by_id[i].name) for i in path[0]) if path else "—"
        met = "✔ " + t("ch3.campaign.met", lang) if goal_reached(p, s.goal) else ""
        rows.append([str(s.priority or "—"), md_escape(p.name), md_escape(short_code(p)),
                     t(f"ch3.goal.{s.goal}", lang) if s.goal else t("ch3.goal.unknown", lang), route,
                     md_escape(s.aim), s.target_on.isoformat() if s.target_on else "—",
                     f"{s.done_on.isoformat() if s.done_on else ''} {md_escape(s.result)} {met}".strip() or "—"])
    headers = [t(f"ch3.campaign.col.{c}", lang)
               for c in ("priority", "person", "codes", "goal", "route", "aim", "target", "result")]
    text = markdown_table(headers, rows)
    stale = stale_rows(people, wb.plan.campaign.items)
    if stale:
        text += "\n\n" + t("ch3.campaign.stale", lang, count=len(stale))
    return Markdown(text + note)


# ---- 3.5 the team map -------------------------------------------------------------------------------------


def _our_roles(lang: Lang, _wb: Workbook) -> list[tuple[str, Any]]:
    from kamlib.team import OUR_ROLES

    return [(t(f"ch3.team.role.{r}", lang), r) for r in (*OUR_ROLES, "executive", "other")]


TEAM_FIELDS = (
    FieldSpec("stage", "ch3.field.stage", "choice", catalog_choices("ch3.team.stage", get_args(TeamStage))),
    FieldSpec("our_name", "ch3.field.our_name"),
    FieldSpec("our_role", "ch3.field.our_role", "choice", _our_roles),
    FieldSpec("their_id", "ch3.field.their", "choice", key_person_choices),
    FieldSpec("notes", "ch3.field.notes", "note"),
)


def team(page: Page) -> RowEditor | None:
    """Who on our side faces whom on theirs, early and middle stage; the gaps in words and drawn."""
    editor = section_editor(page, "team", TeamPair, TEAM_FIELDS,
                     lambda p, lang: f"{t(f'ch3.team.stage.{p.stage}', lang)} · {p.our_name}")
    if editor is None:
        return None

    def gaps(lang: Lang) -> Markdown:
        from kamlib.people import people_by_id
        from kamlib.team import team_gaps

        plan = page.workbook().plan
        by_id = people_by_id(plan.key_persons.items)
        ours = {p.id: p.our_name for p in plan.team.items}
        sep = t("i18n.separator", lang)
        blocks = []
        for stage in ("early", "middle"):
            g = team_gaps(plan.team.items, plan.key_persons.items, stage)
            parts = [t(f"ch3.team.role.{r}", lang) for r in g.roles_missing]
            items = []
            if parts:
                items.append("- " + t("ch3.team.roles_missing", lang, roles=sep.join(parts)))
            if g.ours_unpaired:
                items.append("- " + t("ch3.team.ours_unpaired", lang,
                                      names=sep.join(md_escape(ours[i]) for i in g.ours_unpaired)))
            if g.theirs_unfaced:
                items.append("- " + t("ch3.team.theirs_unfaced", lang,
                                      names=sep.join(md_escape(by_id[i].name) for i in g.theirs_unfaced)))
            heading = t("ch3.team.gaps", lang, stage=t(f"ch3.team.stage.{stage}", lang), count=g.count)
            blocks.append("\n\n".join([heading, "\n".join(items)]) if items else heading)
        # a blank line between a stage's list and the next stage: without it Markdown runs the next stage's
        # line into the last item of the list
        return Markdown("\n\n".join(blocks))

    def chart(lang: Lang) -> Any:
        from kamlib.charts.strategy import team_chart  # matplotlib: loaded when a chart is drawn

        plan = page.workbook().plan
        return chart_image(team_chart(plan.team.items, plan.key_persons.items, lang), tight=False)

    page.show(gaps, on={"team", "key_persons"})
    page.show(chart, on={"team", "key_persons"})
    return editor


# ---- 3.6 the action plan ------------------------------------------------------------------------------------


def _commitments(lang: Lang, _wb: Workbook) -> list[tuple[str, Any]]:
    from kamlib.actions import COMMITMENTS

    return [(t(f"ch3.commitment.{c}", lang), c) for c in COMMITMENTS]


ACTION_FIELDS = (
    FieldSpec("text", "ch3.field.action"),
    FieldSpec("priority", "ch3.field.priority", "number"),
    FieldSpec("factor_id", "ch3.field.factor", "choice", _factor_ids),
    FieldSpec("person_id", "ch3.field.person", "choice", key_person_choices),
    FieldSpec("commitment", "ch3.field.commitment", "combo", _commitments, hint="ch3.hint.commitment"),
    FieldSpec("owner", "ch3.field.owner"),
    FieldSpec("target_on", "ch3.field.target_on", "date"),
    FieldSpec("done_on", "ch3.field.done_on", "date"),
    FieldSpec("status", "ch3.field.status", "choice", catalog_choices("ch3.action.status", get_args(ActionStatus))),
    FieldSpec("evaluation", "ch3.field.evaluation", "note"),
)


def _keep_history(old: Any, new: Any) -> Any:
    from kamlib.actions import revise

    return revise(old, new)


def actions(page: Page) -> RowEditor | None:
    """The action plan; every change of status, dates or evaluation is kept in the row's history."""
    from kamlib.actions import is_overdue

    now = today()
    editor = section_editor(page, "actions", Action, ACTION_FIELDS,
                     lambda a, lang: ("⚠ " if is_overdue(a, now) else "") + a.text, before_save=_keep_history)
    if editor is None:
        return None
    page.show(lambda lang: action_summary(page.workbook(), today(), lang), on={"actions"})

    def chart(lang: Lang) -> Any:
        from kamlib.charts.strategy import timeline_chart  # matplotlib: loaded when a chart is drawn

        items = page.workbook().plan.actions.items
        return chart_image(timeline_chart(items, today(), lang), tight=False) if items else Markdown("")

    page.show(chart, on={"actions"})
    return editor


def action_summary(wb: Workbook, today: dt.date, lang: Lang) -> Markdown:
    """Progress in words and the plan as a table (status, dates, revisions)."""
    from kamlib.actions import action_progress, is_overdue, timeline_order

    items = wb.plan.actions.items
    if not items:
        return Markdown(t("ch3.actions.empty", lang))
    p = action_progress(items, today)
    on_time = "—" if p.on_time_share is None else f"{p.on_time_share:.0%}"
    parts = [t("ch3.actions.summary", lang, total=p.total, done=p.by_status["done"], doing=p.by_status["doing"],
               planned=p.by_status["planned"], dropped=p.by_status["dropped"], share=f"{p.done_share:.0%}",
               overdue=len(p.overdue), soon=len(p.due_soon), on_time=on_time, revisions=p.revisions)]
    factors = {f.id: f.text for f in wb.plan.factors.items}
    people = {x.id: x.name for x in wb.plan.key_persons.items}
    rows = []
    for a in timeline_order(items):
        tied = factors.get(a.factor_id or "") or people.get(a.person_id or "") or "—"
        flag = " ⚠ " + t("ch3.chart.overdue", lang) if is_overdue(a, today) else ""
        rows.append([md_escape(a.text), md_escape(tied), md_escape(a.commitment) or "—", md_escape(a.owner) or "—",
                     a.target_on.isoformat() if a.target_on else "—", a.done_on.isoformat() if a.done_on else "—",
                     t(f"ch3.action.status.{a.status}", lang) + flag, str(len(a.history))])
    headers = [t(f"ch3.actions.col.{c}", lang)
               for c in ("action", "tied", "commitment", "owner", "target", "done", "status", "revisions")]
    parts.append(markdown_table(headers, rows))
    revised = [a for a in items if a.history]
    if revised:
        lines = [t("ch3.actions.history", lang)]
        for a in revised:
            for r in a.history:
                lines.append("- " + t("ch3.actions.revision", lang, action=md_escape(a.text),
                                      at=r.at.date().isoformat(), status=t(f"ch3.action.status.{r.status}", lang),
                                      target=r.target_on.isoformat() if r.target_on else "—",
                                      done=r.done_on.isoformat() if r.done_on else "—",
                                      evaluation=md_escape(r.evaluation) or "—"))
        parts.append("\n".join(lines))
    return Markdown("\n\n".join(parts))
