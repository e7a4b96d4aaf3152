"""Chapter 2 in the export: information and first-visit readiness, the five-step method with the company's
question bank, the key persons with how complete their profiles are (the questionnaire's answers only when
not anonymised: they are free text about a person)."""

from __future__ import annotations

from typing import Any

from kamlib.analysis import LEVELS, depth_by_level, five_step_status, rank_opportunities, ready_for_first_visit
from kamlib.export.context import Col, Context
from kamlib.export.document import Block, Bullets, Cell, Chart, Facts, Part, Table
from kamlib.model.workbook import KeyPerson
from kamlib.people import in_decision_layer, map_completeness, position_strength, red_flags, short_code
from kamlib.questionnaire import GROUPS, by_group, profile_completeness

Figure = Any  # a matplotlib Figure: only kamlib.charts imports matplotlib


def information(ctx: Context) -> Block:
    """Readiness for the first visit, what is still missing, depth per level, the inventory."""
    items = list(ctx.plan.information.items)
    readiness = ready_for_first_visit(items)
    depth = depth_by_level(items)
    parts: list[Part] = [Facts((
        (ctx.t("export.fact.readiness"), ctx.text(readiness.summary())),
        (ctx.t("export.fact.public_known"), ctx.t("export.of", count=readiness.known, total=readiness.total)),
    ))]
    if readiness.missing:
        parts.append(Bullets(ctx.t("export.readiness_missing"), tuple(ctx.text(m) for m in readiness.missing),
                             "warning"))
    if items:
        lang = ctx.lang

        def pyramid() -> Figure:
            from kamlib.charts.analysis import readiness_chart  # matplotlib: loaded when a chart is drawn

            return readiness_chart(items, lang)

        parts.append(Chart(ctx.t("export.chart.pyramid"), pyramid))  # levels and shares only: no names
    counts: list[list[Cell]] = [[ctx.t(f"analysis.level.{level}"), sum(i.level == level for i in items), depth[level]]
              for level in LEVELS]
    parts.append(ctx.table("depth", [Col("level"), Col("items", "number"), Col("depth", "percent")], counts))
    order = {level: n for n, level in enumerate(LEVELS)}
    rows = [[ctx.t(f"analysis.level.{i.level}"), ctx.short(i.topic), ctx.t(f"analysis.status.{i.status}"),
             ctx.short(i.channel), i.learned_on, i.content]
            for i in sorted(items, key=lambda i: order[i.level])]
    parts.append(ctx.table("information", [Col("level"), Col("topic"), Col("status"), Col("channel"),
                                           Col("learned_on", "date"), Col("content", "long", private=True)], rows))
    return ctx.block("information", parts)


def five_step(ctx: Context) -> Block:
    """The five steps with what is missing, then departments, needs, ranked opportunities and the push plan."""
    plan = ctx.plan
    steps = [[ctx.text(s.title), ctx.yes_no(s.done), ctx.t("i18n.separator").join(ctx.text(m) for m in s.missing)]
             for s in five_step_status(plan)]
    parts: list[Part] = [ctx.table("five_step", [Col("step"), Col("done"), Col("missing", "long")], steps)]
    parts.append(ctx.table("departments", [Col("department"), Col("key_department"),
                                           Col("duties", "long", private=True)],
                           [[ctx.short(d.name), ctx.yes_no(d.key), d.duties] for d in plan.departments.items]))
    parts.append(ctx.table("needs", [
        Col("project"), Col("need_kind"), Col("budget", "number"), Col("funds"), Col("timing", "date"),
        Col("description", "long", private=True),
    ], [[ctx.short(n.project), ctx.code("export.need_kind", n.kind), n.budget_wan, ctx.short(n.funds), n.timing,
         n.description] for n in plan.needs.items]))
    parts.append(ctx.table("opportunities", [
        Col("rank", "number"), Col("opportunity"), Col("amount", "number"), Col("expected", "date"),
        Col("position"), Col("funding"), Col("people"), Col("decision_process", "long", private=True),
        Col("procurement_process", "long", private=True), Col("notes", "long", private=True),
    ], [[n, ctx.short(o.name), o.amount_wan, o.expected_on, ctx.code("export.position", o.position),
         ctx.short(o.funding_source), ctx.persons(o.people), o.decision_process, o.procurement_process, o.notes]
        for n, o in enumerate(rank_opportunities(plan.opportunities.items), start=1)]))
    parts.append(ctx.table("push_plan", [Col("task"), Col("due", "date"), Col("owner", private=True), Col("done")],
                           [[ctx.short(p.task), p.due_on, p.owner, ctx.yes_no(p.done)] for p in plan.push_plan.items]))
    bank = sorted(plan.question_bank.items, key=lambda q: q.step)  # stable: the trainee's order within a step
    parts.append(ctx.table("question_bank", [Col("step"), Col("question"), Col("answered"),
                                             Col("answer", "long", private=True)],
                           [[ctx.t(f"analysis.step.{q.step}.title"), ctx.short(q.question),
                             ctx.yes_no(bool(q.answer.strip())), q.answer] for q in bank]))
    return ctx.block("five_step", parts)


def key_persons(ctx: Context) -> Block:
    """The two figures, the panorama and the attitude-power matrix, the red flags, the people coded."""
    people = list(ctx.plan.key_persons.items)
    parts: list[Part] = [Facts((
        (ctx.t("export.fact.map_completeness"), ctx.t("health.figure.percent", value=round(100 * map_completeness(
            people)))),
        (ctx.t("export.fact.position_strength"), ctx.t("health.figure.percent", value=round(100 * position_strength(
            people)))),
    ))]
    if people:
        shown, lang = ctx.shown_people(), ctx.lang

        def panorama() -> Figure:
            from kamlib.charts.people import panorama_chart  # matplotlib: loaded when a chart is drawn

            return panorama_chart(shown, lang)

        def matrix() -> Figure:
            from kamlib.charts.people import attitude_power_chart  # matplotlib: loaded when a chart is drawn

            return attitude_power_chart(shown, lang)

        parts += [Chart(ctx.t("export.chart.panorama"), panorama), Chart(ctx.t("export.chart.matrix"), matrix)]
    flags = red_flags(people)
    if flags:
        parts.append(Bullets(ctx.t("export.red_flags"), tuple(ctx.text(f.text) for f in flags), "warning"))
    rows = [[ctx.person(p.id, with_title=False), ctx.short(p.title), ctx.short(p.department),
             ctx.person(p.reports_to, with_title=False), ctx.code("people.role", p.role),
             ctx.t(f"people.style.{p.style}.name") if p.style else "", ctx.code("people.attitude", p.attitude),
             ctx.code("people.contact", p.contact), short_code(p), ctx.yes_no(p.key_department),
             ctx.yes_no(p.inner_circle), ctx.yes_no(in_decision_layer(p))] for p in people]
    parts.append(ctx.table("key_persons", [
        Col("person"), Col("title"), Col("department"), Col("reports_to"), Col("role"), Col("style"),
        Col("attitude"), Col("contact"), Col("code"), Col("key_department"), Col("inner_circle"),
        Col("decision_layer"),
    ], rows))
    parts.append(_profiles(ctx, people))
    if not ctx.anonymise:  # the answers are free text about a person: never in the anonymised export
        parts.append(_profile_answers(ctx, people))
    return ctx.block("key_persons", parts)


def _profiles(ctx: Context, people: list[KeyPerson]) -> Table:
    """Each person's profile questionnaire: which of the seven groups hold an answer, and how many."""
    cols = [Col("person"), *(Col(f"group_{g}", header=ctx.t(f"questionnaire.group.{g}")) for g in GROUPS),
            Col("groups_answered")]
    rows = []
    for p in people:
        done = profile_completeness(p.profile)
        rows.append([ctx.person(p.id), *(ctx.yes_no(done.covers(g)) for g in GROUPS),
                     f"{len(done.answered)}/{done.total}"])
    return ctx.table("profile", cols, rows)


def _profile_answers(ctx: Context, people: list[KeyPerson]) -> Table:
    """The questionnaire's questions and answers, person by person, group by group."""
    rows = [[ctx.person(p.id), ctx.t(f"questionnaire.group.{group}"), entry.question, entry.answer]
            for p in people for group, entries in by_group(p.profile.answers).items() for entry in entries]
    return ctx.table("profile_answers", [Col("person"), Col("profile_group"), Col("question", "long"),
                                         Col("answer", "long", private=True)], rows)
