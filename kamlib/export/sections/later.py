"""Special topic 1, chapter 4 and special topic 2 in the export: bids, the substitutability trend, the crisis log.

Their models are still growing: these renderers read only the fields every version has (a bid's
name, due date and notes; an assessment's date and eight answers; a crisis's title, date, severity
and notes), so a file from any version exports.
"""

from __future__ import annotations

import datetime as dt

from kamlib.export.context import Col, Context
from kamlib.export.document import Bar, Bars, Block, Facts, Part
from kamlib.health import QUESTIONS, assessment_order, assessment_score


def bids(ctx: Context) -> Block:
    """The tenders by due date."""
    items = sorted(ctx.plan.bids.items, key=lambda b: b.due_on or dt.date.max)
    rows = [[ctx.short(b.name), b.due_on, b.notes] for b in items]
    return ctx.block("bids", [ctx.table("bids", [Col("bid"), Col("due", "date"), Col("notes", "long", private=True)],
                                        rows)])


def trend(scores: list[int]) -> str:
    """``rising``, ``falling`` or ``steady`` from the first score to the latest; ``single`` with one score."""
    if len(scores) < 2:
        return "single"
    if scores[-1] > scores[0]:
        return "rising"
    return "falling" if scores[-1] < scores[0] else "steady"


def assessments(ctx: Context) -> Block:
    """Score by date with its change, as bars and a table, then each question's answers over time."""
    ordered = assessment_order(ctx.plan.assessments.items)
    scores = [assessment_score(a) for a in ordered]
    parts: list[Part] = []
    if ordered:
        parts.append(Facts((
            (ctx.t("export.fact.latest_score"), ctx.t("export.score", score=scores[-1], total=QUESTIONS)),
            (ctx.t("export.fact.trend"), ctx.t(f"export.trend.{trend(scores)}", first=scores[0], last=scores[-1],
                                               count=len(scores))),
        )))
        parts.append(Bars(ctx.t("export.score_bars"), tuple(
            Bar(a.taken_on.isoformat(), s / QUESTIONS, ctx.t("export.score", score=s, total=QUESTIONS))
            for a, s in zip(ordered, scores, strict=True))))
    rows = []
    for i, (a, s) in enumerate(zip(ordered, scores, strict=True)):
        change = s - scores[i - 1] if i else None
        rows.append([a.taken_on, s, s / QUESTIONS, change])
    parts.append(ctx.table("assessments", [Col("taken_on", "date"), Col("score", "number"), Col("share", "percent"),
                                           Col("change", "number")], rows))
    answers = [[ctx.t(f"export.question.{q}")] + [ctx.yes_no(a.answers[q - 1]) for a in ordered]
               for q in range(1, QUESTIONS + 1)]
    dates = [Col("date", header=a.taken_on.isoformat()) for a in ordered]
    parts.append(ctx.table("questions", [Col("question", "long"), *dates], answers))
    return ctx.block("assessments", parts)


def crises(ctx: Context) -> Block:
    """The crisis log, latest first."""
    items = sorted(ctx.plan.crises.items, key=lambda c: c.happened_on or dt.date.min, reverse=True)
    rows = [[c.happened_on, ctx.short(c.title), c.severity, c.notes] for c in items]
    return ctx.block("crises", [ctx.table("crises", [Col("happened_on", "date"), Col("crisis"),
                                                     Col("severity", "number"), Col("notes", "long", private=True)],
                                          rows)])
