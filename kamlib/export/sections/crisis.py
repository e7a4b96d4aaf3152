"""Special topic 2 in the export: the crisis log, then per incident its severity and dates, the people it touched
with their attitude before → after, the response plan by phase (owners, dates, what is overdue) and the
substitutability assessment re-run after it.

Everything comes from ``kamlib.crisis`` (the playbook there is this workbook's own). Anonymised, people
appear by title, the titles, steps and products lose the names the plan knows, and what happened, the
root cause, the notes on people and the owners (our colleagues) are left out.
"""

from __future__ import annotations

import datetime as dt

from kamlib.crisis import (
    PHASES,
    Move,
    assessments_around,
    by_recency,
    crisis_status,
    is_overdue,
    phase_states,
    repair_priority,
)
from kamlib.export.context import Col, Context
from kamlib.export.document import Block, Bullets, Cell, Facts, Heading, Paragraph, Part, Table
from kamlib.model.retention import Assessment, Crisis, ResponseStep
from kamlib.retention import MAX_SCORE, score

PEOPLE_COLS = (Col("person"), Col("role"), Col("decision_maker"), Col("before"), Col("after"), Col("move"),
               Col("person_note", "long", private=True))
STEP_COLS = (Col("phase"), Col("step", "long"), Col("owner", private=True), Col("due", "date"),
             Col("done_on", "date"), Col("state"))


def moves(ctx: Context, crisis: Crisis) -> list[Move]:
    """Every person listed, still on the map or not (``kamlib.crisis.attitude_moves`` keeps only the former)."""
    out = []
    for a in crisis.affected:
        p = ctx.people.get(a.person_id)
        out.append(Move(a.person_id, p.name if p else "", p.role if p else None, a.before, a.after))
    return out


def _move_word(ctx: Context, m: Move) -> str:
    if m.delta is None:
        return ctx.t("export.move.unknown")
    return ctx.t("export.move.fell" if m.delta < 0 else "export.move.rose" if m.delta > 0 else "export.move.same",
                 count=abs(m.delta))


def _step_state(ctx: Context, step: ResponseStep) -> str:
    if step.done_on is not None:
        return ctx.t("export.state.done")
    return ctx.t("export.state.overdue" if is_overdue(step, ctx.today) else "export.state.open")


def _score(a: Assessment) -> str:
    return f"{score(a)}/{MAX_SCORE}"


def rerun_text(ctx: Context, crisis: Crisis) -> str:
    """The assessment before the incident and its re-run after, in words."""
    before, after = assessments_around(crisis, ctx.plan.assessments.items)
    if after is None:
        return ctx.t("export.rerun.none")
    if before is None:
        return ctx.t("export.rerun.no_before", after=_score(after), after_on=after.taken_on.isoformat())
    return ctx.t("export.rerun.scores", before=_score(before), before_on=before.taken_on.isoformat(),
                 after=_score(after), after_on=after.taken_on.isoformat(), change=f"{score(after) - score(before):+d}")


def crises(ctx: Context) -> Block:
    """The log, latest first, then each incident in detail."""
    items = by_recency(ctx.plan.crises.items)
    rows = []
    for c in items:
        done = sum(s.done_on is not None for s in c.steps)
        found = moves(ctx, c)
        _, after = assessments_around(c, ctx.plan.assessments.items)
        rows.append([c.happened_on, ctx.short(c.title), ctx.code("crisis.kind", c.kind), c.severity,
                     ctx.t(f"crisis.status.{crisis_status(c, ctx.today)}"),
                     ctx.t("export.of", count=done, total=len(c.steps)),
                     sum(is_overdue(s, ctx.today) for s in c.steps), len(found), sum(m.fell for m in found),
                     _score(after) if after is not None else "", c.notes])
    parts: list[Part | None] = [ctx.table("crises", [
        Col("happened_on", "date"), Col("crisis"), Col("kind"), Col("severity", "number"), Col("status"),
        Col("steps_done"), Col("overdue_steps", "number"), Col("affected", "number"), Col("fell", "number"),
        Col("rerun"), Col("notes", "long", private=True),
    ], rows)]
    for c in items:
        parts += incident(ctx, c)
    if not items:  # the sheets exist, marked as not started
        parts += [_people(ctx, None), _steps(ctx, None)]
    return ctx.block("crises", parts)


def incident(ctx: Context, crisis: Crisis) -> list[Part | None]:
    """One incident: heading, facts, what happened, the people, whom to win back, the response plan."""
    title = ctx.short(crisis.title)
    facts: list[tuple[str, Cell]] = [
        (ctx.t("export.fact.happened_on"), crisis.happened_on or ctx.t("export.undated")),
        (ctx.t("export.fact.detected_on"), crisis.detected_on),
        (ctx.t("export.fact.severity"), ctx.t("export.severity", level=crisis.severity,
                                              name=ctx.t(f"crisis.severity.{crisis.severity}"))),
        (ctx.t("export.fact.kind"), ctx.code("crisis.kind", crisis.kind) or None),
        (ctx.t("export.fact.products"), ctx.short(crisis.products) or None),
        (ctx.t("export.fact.crisis_status"), ctx.t(f"crisis.status.{crisis_status(crisis, ctx.today)}")),
        (ctx.t("export.fact.rerun"), rerun_text(ctx, crisis)),
    ]
    parts: list[Part | None] = [Heading(title), Facts(tuple((k, v) for k, v in facts if v is not None))]
    if not ctx.anonymise:
        if crisis.notes:
            parts.append(Paragraph(ctx.t("export.what_happened", text=crisis.notes)))
        if crisis.root_cause:
            parts.append(Paragraph(ctx.t("export.root_cause", text=crisis.root_cause)))
    parts.append(_people(ctx, crisis))
    first = repair_priority(m for m in moves(ctx, crisis) if m.person_id in ctx.people)
    if first:
        parts.append(Bullets(ctx.t("export.win_back"), tuple(
            ctx.t("export.win_back_line", person=ctx.person(m.person_id), before=m.before or "?", after=m.after or "?")
            for m in first), "warning"))
    parts.append(_steps(ctx, crisis))
    parts.append(_plan_notes(ctx, crisis))
    return parts


def _people(ctx: Context, crisis: Crisis | None) -> Table:
    rows = []
    notes = {a.person_id: a.note for a in crisis.affected} if crisis is not None else {}
    for m in moves(ctx, crisis) if crisis is not None else ():
        rows.append([ctx.person(m.person_id), ctx.code("people.role", m.role), ctx.yes_no(m.decision_maker),
                     ctx.attitude(m.before), ctx.attitude(m.after), _move_word(ctx, m), notes[m.person_id]])
    return ctx.table("crisis_people", PEOPLE_COLS, rows, group=ctx.short(crisis.title) if crisis else None,
                     group_by="crisis")


def _steps(ctx: Context, crisis: Crisis | None) -> Table:
    """The response plan by phase (the playbook's order), each phase's steps by due date."""
    steps = sorted(crisis.steps if crisis is not None else (),
                   key=lambda s: (PHASES.index(s.phase), s.due_on or dt.date.max))
    rows = [[ctx.t(f"crisis.phase.{s.phase}"), ctx.short(s.action), s.owner, s.due_on, s.done_on, _step_state(ctx, s)]
            for s in steps]
    return ctx.table("crisis_steps", STEP_COLS, rows, group=ctx.short(crisis.title) if crisis else None,
                     group_by="crisis")


def _plan_notes(ctx: Context, crisis: Crisis) -> Bullets | None:
    """What is overdue, and the phases of the playbook with no step yet."""
    lines = [ctx.t("export.step_overdue", date=s.due_on.isoformat(), phase=ctx.t(f"crisis.phase.{s.phase}"),  # type: ignore[union-attr]
                   step=ctx.short(s.action)) for s in crisis.steps if is_overdue(s, ctx.today)]
    lines += [ctx.t("export.phase_missing", phase=ctx.t(f"crisis.phase.{p.phase}"))
              for p in phase_states(crisis, ctx.today) if not p.steps]
    if not lines:
        return None
    return Bullets(ctx.t("export.plan_attention"), tuple(lines), "warning")
