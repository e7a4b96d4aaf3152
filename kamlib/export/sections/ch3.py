"""Chapter 3 in the export: factors and the integrated strategy, measures, the campaign plan, the team
map and the action plan as a timeline."""

from __future__ import annotations

from kamlib.actions import COMMITMENTS, action_progress, is_due_soon, is_overdue, timeline_order
from kamlib.analysis import factor_quadrant
from kamlib.campaign import goal_reached, propose_campaign
from kamlib.export.context import Col, Context
from kamlib.export.document import Block, Bullets, Cell, Facts, Mark, Moment, Paragraph, Part, Timeline
from kamlib.model.workbook import Action
from kamlib.numbers import share_pct
from kamlib.strategy import QUADRANTS, recommend
from kamlib.team import OUR_ROLES, team_gaps


def _factor(ctx: Context, factor_id: str | None) -> str:
    factor = next((f for f in ctx.plan.factors.items if f.id == factor_id), None)
    return ctx.short(factor.text) if factor else ""


def strategy(ctx: Context) -> Block:
    """The factors by quadrant, the recommender's answer, and the strategy the trainee chose."""
    plan = ctx.plan
    factors = list(plan.factors.items)
    rec = recommend(factors)
    choice = plan.strategy
    facts: list[tuple[str, Cell]] = []
    if rec.best is not None:
        verdict = ctx.t(f"export.verdict.{'settled' if rec.settled else rec.verdict}", count=len(rec.tied))
        facts.append((ctx.t("export.fact.recommended"), ctx.t("export.recommended", name=ctx.t(
            f"strategy.name.{rec.best}"), verdict=verdict)))
        p = rec.profile
        facts.append((ctx.t("export.fact.reading"), ctx.t("export.reading", share=share_pct(p.advantage_share),
                                                         ca=share_pct(p.control_of_advantages),
                                                         cd=share_pct(p.control_of_disadvantages))))
    facts.append((ctx.t("export.fact.chosen"), ctx.t(f"strategy.name.{choice.chosen}") if choice.chosen
                  else ctx.t("export.not_chosen")))
    if choice.chosen_on:
        facts.append((ctx.t("export.fact.chosen_on"), choice.chosen_on))
    parts: list[Part] = [Facts(tuple(facts))]
    if choice.reason and not ctx.anonymise:
        parts.append(Paragraph(ctx.t("export.reason", reason=choice.reason)))
    if choice.chosen and rec.best and choice.chosen not in rec.tied:
        parts.append(Paragraph(ctx.t("export.differs", chosen=ctx.t(f"strategy.name.{choice.chosen}"),
                                     recommended=ctx.t(f"strategy.name.{rec.best}")), "note"))
    cells = {q: [f"{ctx.short(f.text)} ({f.importance})" for f in factors if factor_quadrant(f) == q]
             for q in QUADRANTS}
    quad = [[ctx.t("export.advantage"), "\n".join(cells["use"]), "\n".join(cells["leverage"])],
            [ctx.t("export.disadvantage"), "\n".join(cells["reduce"]), "\n".join(cells["eliminate"])]]
    parts.append(ctx.table("quadrants", [Col("side"), Col("weak_control", "long"), Col("strong_control", "long")],
                           quad))
    rows: list[list[Cell]] = [[ctx.short(f.text), ctx.code("analysis.dimension", f.dimension),
             ctx.t("export.advantage") if f.advantage else ctx.t("export.disadvantage"),
             ctx.t("export.strong") if f.strong_control else ctx.t("export.weak"),
             ctx.t(f"analysis.quadrant.{factor_quadrant(f)}"), f.importance] for f in factors]
    parts.append(ctx.table("factors", [Col("factor"), Col("dimension"), Col("advantage"), Col("control"),
                                       Col("quadrant"), Col("importance", "number")], rows))
    return ctx.block("strategy", parts)


def measures(ctx: Context) -> Block:
    """The sales measures table, by priority."""
    rows: list[list[Cell]] = [
        [m.priority, ctx.short(m.key_factor), _factor(ctx, m.factor_id), m.analysis, m.measures, m.resources]
        for m in sorted(ctx.plan.measures.items, key=lambda m: m.priority)]
    return ctx.block("measures", [ctx.table("measures", [
        Col("priority", "number"), Col("key_factor"), Col("factor"), Col("analysis", "long", private=True),
        Col("measures", "long", private=True), Col("resources", "long", private=True),
    ], rows)])


def campaign(ctx: Context) -> Block:
    """The campaign rows by priority, each with the person's attitude now and whether the aim is met."""
    steps = sorted(ctx.plan.campaign.items, key=lambda s: (s.priority is None, s.priority or 0))
    rows = []
    for s in steps:
        p = ctx.people.get(s.person_id)
        reached = ctx.yes_no(goal_reached(p, s.goal)) if p is not None and s.goal is not None else ""
        rows.append([s.priority, ctx.person(s.person_id), ctx.code("people.role", p.role if p else None),
                     ctx.code("people.attitude", p.attitude if p else None), ctx.code("export.goal", s.goal),
                     s.aim, s.resources, s.target_on, s.done_on, s.result, reached])
    parts: list[Part] = [ctx.table("campaign", [
        Col("priority", "number"), Col("person"), Col("role"), Col("attitude"), Col("goal"),
        Col("aim", "long", private=True), Col("resources", "long", private=True), Col("target", "date"),
        Col("done_on", "date"), Col("result", "long", private=True), Col("reached"),
    ], rows)]
    unplanned = [c for c in propose_campaign(ctx.plan.key_persons.items, ctx.plan.campaign.items) if not c.planned]
    if unplanned and steps:
        parts.append(Bullets(ctx.t("export.unplanned"), tuple(ctx.person(c.person_id) for c in unplanned), "note"))
    return ctx.block("campaign", parts)


def team(ctx: Context) -> Block:
    """Who faces whom, early and middle stage, and the gaps of each stage."""
    pairs = list(ctx.plan.team.items)
    people = list(ctx.plan.key_persons.items)
    rows = [[ctx.t(f"export.stage.{p.stage}"), _role(ctx, p.our_role), p.our_name, ctx.person(p.their_id), p.notes]
            for p in pairs]
    parts: list[Part] = [ctx.table("team", [Col("stage"), Col("our_role"), Col("our_name", private=True),
                                            Col("their_person"), Col("notes", "long", private=True)], rows)]
    for stage in ("early", "middle"):
        gaps = team_gaps(pairs, people, stage)
        if not pairs or not gaps.count:
            continue
        lines = [ctx.t("export.gap.role", role=ctx.t(f"export.team_role.{r}")) for r in gaps.roles_missing]
        by_id = {p.id: p for p in pairs}
        lines += [ctx.t("export.gap.unpaired", role=_role(ctx, by_id[i].our_role)) for i in gaps.ours_unpaired]
        lines += [ctx.t("export.gap.unfaced", person=ctx.person(i)) for i in gaps.theirs_unfaced]
        parts.append(Bullets(ctx.t("export.gaps", stage=ctx.t(f"export.stage.{stage}")), tuple(lines), "note"))
    return ctx.block("team", parts)


def _mark(ctx: Context, a: Action) -> Mark:
    if a.status in ("done", "dropped"):
        return a.status
    if is_overdue(a, ctx.today):
        return "overdue"
    return "due_soon" if is_due_soon(a, ctx.today) else "open"


def _status(ctx: Context, a: Action) -> str:
    status = ctx.t(f"export.status.{a.status}")
    mark = _mark(ctx, a)
    return ctx.t("export.flagged", status=status, flag=ctx.t(f"export.{mark}")) if mark in ("overdue", "due_soon") \
        else status


def _role(ctx: Context, role: str) -> str:
    """One of the course's functions by name, else the trainee's own words."""
    return ctx.t(f"export.team_role.{role}") if role in OUR_ROLES else ctx.short(role)


def actions(ctx: Context) -> Block:
    """Progress at a glance, then the actions by target date, month by month."""
    items = list(ctx.plan.actions.items)
    progress = action_progress(items, ctx.today)
    on_time = ctx.health.strength_basis.get("on_time")
    facts = Facts((
        (ctx.t("export.fact.actions"), progress.total),
        (ctx.t("export.fact.by_status"), ctx.t("i18n.separator").join(
            ctx.t("export.count", label=ctx.t(f"export.status.{s}"), count=n) for s, n in progress.by_status.items())),
        (ctx.t("export.fact.done_share"), ctx.t("health.figure.percent", value=round(100 * progress.done_share))),
        (ctx.t("export.fact.on_time"), ctx.t("health.figure.percent", value=round(100 * on_time))
         if on_time is not None else ctx.t("health.figure.no_data")),
        (ctx.t("export.fact.overdue"), len(progress.overdue)),
        (ctx.t("export.fact.due_soon"), len(progress.due_soon)),
        (ctx.t("export.fact.revisions"), progress.revisions),
    ))
    ordered = timeline_order(items)
    timeline = Timeline(ctx.t("export.timeline"), ctx.today, ctx.t("export.today"), ctx.t("export.undated"), tuple(
        Moment(a.done_on if a.status == "done" and a.done_on else a.target_on, _moment(ctx, a), _status(ctx, a),
               _mark(ctx, a)) for a in ordered))
    rows = [[a.target_on, _status(ctx, a), a.priority, ctx.short(a.text), ctx.person(a.person_id),
             _factor(ctx, a.factor_id), _commitment(ctx, a.commitment), a.owner, a.done_on, len(a.history),
             a.evaluation]
            for a in ordered]
    table = ctx.table("actions", [
        Col("target", "date"), Col("status"), Col("priority", "number"), Col("action", "long"),
        Col("person"), Col("factor"), Col("commitment"), Col("owner", private=True), Col("done_on", "date"),
        Col("revisions", "number"), Col("evaluation", "long", private=True),
    ], rows)
    return ctx.block("actions", [facts, timeline if items else None, table])


def _commitment(ctx: Context, value: str) -> str:
    """One of the course's ways to win a commitment by name, else the trainee's own words."""
    return ctx.t(f"export.commitment.{value}") if value in COMMITMENTS else ctx.short(value)


def _moment(ctx: Context, a: Action) -> str:
    who = ctx.person(a.person_id)
    return f"{ctx.short(a.text)} · {who}" if who else ctx.short(a.text)
