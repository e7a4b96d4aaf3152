"""Chapter 4 in the export: the substitutability assessment (latest score, trend drawn, the questions scored 0
and the activities planned for them), then the organisational relationship, the stage now and the target,
profit leverage and the whitespace map.

Figures come from ``kamlib.retention``. Anonymised, the units of the map become codes, the activities'
texts and the crises' titles lose the names the plan knows, and the evidence, descriptions and owners
are left out.
"""

from __future__ import annotations

from typing import Any

from kamlib.errors import KamError
from kamlib.export.context import Col, Context
from kamlib.export.document import Block, Bullets, Cell, Chart, Facts, Paragraph, Part, Table
from kamlib.model.retention import Assessment, PlannedActivity, ProductLine
from kamlib.numbers import amount, pct
from kamlib.retention import (
    ORG_KINDS,
    QUESTION_ACTIVITIES,
    QUESTIONS,
    LeverageFigures,
    WhitespaceMap,
    history,
    leverage_figures,
    missing_inputs,
    next_review,
    org_kind,
    org_summary,
    question_number,
    stage_hints,
    trend,
    uncovered_questions,
    whitespace_map,
    zero_questions,
)

Figure = Any  # a matplotlib Figure: only kamlib.charts imports matplotlib

MAX_MAP_UNITS = 40  # above this many units or product lines the map is listed, not drawn
MAX_MAP_LINES = 12


def trend_word(scores: list[int]) -> str:
    """``rising``, ``falling`` or ``steady`` from the first score to the latest; ``single`` with one score."""
    if len(scores) < 2:
        return "single"
    if scores[-1] > scores[0]:
        return "rising"
    return "falling" if scores[-1] < scores[0] else "steady"


def _question(ctx: Context, code: str) -> str:
    return ctx.t("retention.numbered", n=question_number(code), text=ctx.t(f"retention.question_short.{code}"))


def _activity_state(ctx: Context, a: PlannedActivity) -> str:
    if a.done:
        return ctx.t("export.state.done")
    overdue = a.due_on is not None and a.due_on < ctx.today
    return ctx.t("export.state.overdue" if overdue else "export.state.open")


def assessments(ctx: Context) -> Block:
    """Score, trend (drawn) and when to assess again; scores and answers over time; the questions scored 0
    in the latest assessment with the activities planned for them."""
    items = list(ctx.plan.assessments.items)
    ordered = history(items)
    points = trend(items)
    scores = [p.score for p in points]
    titles = {c.id: ctx.short(c.title) for c in ctx.plan.crises.items}
    parts: list[Part | None] = []
    latest = ordered[-1] if ordered else None
    if latest is not None:
        due = next_review(items)
        review = "export.review_overdue" if due is not None and due < ctx.today else "export.review_due"
        parts.append(Facts((
            (ctx.t("export.fact.latest_score"), ctx.t("export.score_on", score=scores[-1], total=len(QUESTIONS),
                                                       date=latest.taken_on.isoformat())),
            (ctx.t("export.fact.trend"), ctx.t(f"export.trend.{trend_word(scores)}", first=scores[0], last=scores[-1],
                                               count=len(scores))),
            (ctx.t("export.fact.next_review"), ctx.t(review, date=due.isoformat()) if due else None),
        )))
        crises = [c.model_copy(update={"title": titles[c.id]}) for c in ctx.plan.crises.items]
        lang = ctx.lang

        def drawn() -> Figure:
            from kamlib.charts.retention import assessment_trend_chart  # matplotlib: loaded when a chart is drawn

            return assessment_trend_chart(items, lang, crises)

        parts.append(Chart(ctx.t("export.chart.trend"), drawn, tight=False))
    by_id = {a.id: a for a in items}
    rows = [[p.taken_on, p.score, p.score / len(QUESTIONS), p.change, titles.get(p.crisis_id or "", ""),
             by_id[p.assessment_id].notes] for p in points]
    parts.append(ctx.table("assessments", [Col("taken_on", "date"), Col("score", "number"), Col("share", "percent"),
                                           Col("change", "number"), Col("rerun_after"),
                                           Col("notes", "long", private=True)], rows))
    answers = [[ctx.t(f"export.question.{q}")] + [ctx.yes_no(a.answers[q - 1]) for a in ordered]
               for q in range(1, len(QUESTIONS) + 1)]
    dates = [Col("date", header=a.taken_on.isoformat()) for a in ordered]
    parts.append(ctx.table("questions", [Col("question", "long"), *dates], answers))
    parts += _zero(ctx, latest)
    return ctx.block("assessments", parts)


def _zero(ctx: Context, latest: Assessment | None) -> list[Part | None]:
    """The questions the latest assessment scored 0: our mapping's activities, the ones planned; then the plan."""
    planned = list(ctx.plan.retention.activities)
    zeros = zero_questions(latest) if latest is not None else []
    rows = []
    for q in zeros:
        n = question_number(q)
        aimed = [a for a in planned if n in a.questions and not a.done]
        rows.append([_question(ctx, q), ctx.t("i18n.separator").join(
            ctx.t(f"retention.activity.{a}.name") for a in QUESTION_ACTIVITIES[q]),
            "\n".join(ctx.short(a.text) for a in aimed), ctx.yes_no(bool(aimed))])
    parts: list[Part | None] = [ctx.table("zero", [Col("question", "long"), Col("recommended", "long"),
                                                   Col("planned", "long"), Col("covered")], rows)]
    uncovered = uncovered_questions(latest, planned) if latest is not None else []
    if uncovered:
        parts.append(Bullets(ctx.t("export.uncovered_questions", date=latest.taken_on.isoformat()),  # type: ignore[union-attr]
                             tuple(_question(ctx, q) for q in uncovered), "warning"))
    elif zeros:
        parts.append(Paragraph(ctx.t("export.questions_covered"), "ok"))
    order = sorted(planned, key=lambda a: (a.done, a.due_on is None, a.due_on))
    sep = ctx.t("i18n.separator")
    parts.append(ctx.table("activities", [
        Col("activity"), Col("what"), Col("questions"), Col("owner", private=True), Col("due", "date"), Col("state"),
    ], [[ctx.t(f"retention.activity_choice.{a.activity}"), ctx.short(a.text),
         sep.join(ctx.t("export.question_code", n=n) for n in sorted(a.questions)), a.owner, a.due_on,
         _activity_state(ctx, a)] for a in order]))
    if planned or zeros:
        parts.append(Paragraph(ctx.t("export.mapping_note"), "note"))
    return parts


# ---- the organisational relationship, the stage, profit leverage, the whitespace map ----------------------------


def retention(ctx: Context) -> Block:
    """The stage now and the target, the ties in place, profit leverage if entered, the whitespace gaps."""
    r = ctx.plan.retention
    stage = r.stage
    org = org_summary(r.relations)
    space = _space(ctx)
    counts = space.counts()
    latest = history(ctx.plan.assessments.items)[-1] if ctx.plan.assessments.items else None
    none = ctx.t("export.not_chosen")
    target = none
    if stage.target is not None:
        name = ctx.t(f"retention.stage.{stage.target}")
        target = ctx.t("export.stage_by", stage=name, date=stage.target_on.isoformat()) if stage.target_on else name
    kinds = ctx.t("i18n.separator").join(ctx.t(f"retention.org.kind.{k}") for k in org.kinds_in_place)
    coverage = "—" if counts.coverage is None else ctx.t("health.figure.percent", value=round(100 * counts.coverage))
    parts: list[Part | None] = [Facts((
        (ctx.t("export.fact.stage_now"), ctx.t(f"retention.stage.{stage.current}") if stage.current else none),
        (ctx.t("export.fact.stage_target"), target),
        (ctx.t("export.fact.organised"), ctx.t("export.organised", kinds=kinds) if org.established
         else ctx.t("export.not_organised")),
        (ctx.t("export.fact.whitespace"), ctx.t("export.gaps_count", gaps=counts.gaps, total=counts.total,
                                                coverage=coverage) if counts.total else ctx.t("export.no_map")),
    ))]
    hints = stage_hints(stage, latest, ctx.today)
    if stage.current is not None or stage.target is not None:
        parts.append(Bullets(ctx.t("export.stage_hints"), tuple(ctx.text(h) for h in hints), "note") if hints
                     else Paragraph(ctx.t("retention.hint.none"), "ok"))
    if stage.evidence and not ctx.anonymise:
        parts.append(Paragraph(ctx.t("export.evidence", evidence=stage.evidence)))
    relations = sorted(r.relations, key=lambda x: (x.status != "in_place", ORG_KINDS.index(org_kind(x.item))))
    parts.append(ctx.table("relations", [
        Col("org_kind"), Col("org_item"), Col("status"), Col("since", "date"),
        Col("org_description", "long", private=True),
    ], [[ctx.t(f"retention.org.kind.{org_kind(x.item)}"), ctx.t(f"retention.org.item.{x.item}"),
         ctx.t(f"retention.org.status.{x.status}"), x.since, x.description] for x in relations]))
    parts += _leverage(ctx)
    parts += _whitespace(ctx, space)
    return ctx.block("retention", parts)


def _leverage(ctx: Context) -> list[Part | None]:
    """The calculator's cases and what they mean, when its figures are entered."""
    inputs = ctx.plan.retention.leverage
    figures: LeverageFigures | None = None
    problem = None
    if not missing_inputs(inputs):
        try:
            figures = leverage_figures(inputs)
        except KamError as exc:
            problem = exc.message(ctx.lang)
    rows: list[list[Cell]] = []
    lines: list[str] = []
    if figures is not None:
        f, x = figures, figures.change_pct
        price, volume = float(inputs.price or 0), float(inputs.volume or 0)
        discount = None if not f.base_profit else (f.discount_profit - f.base_profit) / abs(f.base_profit)
        gain = [None if v is None else v / 100 for v in (f.volume_gain_pct, f.price_gain_pct)]
        rows = [
            [ctx.t("retention.leverage.row.base", volume=amount(volume), price=amount(price)), f.base_profit, None],
            [ctx.t("retention.leverage.row.volume", x=pct(x), volume=amount(volume * (100 + x) / 100)),
             f.volume_profit, gain[0]],
            [ctx.t("retention.leverage.row.price", x=pct(x), price=amount(price * (100 + x) / 100)),
             f.price_profit, gain[1]],
            [ctx.t("retention.leverage.row.discount", x=pct(-x), price=amount(price * (100 - x) / 100)),
             f.discount_profit, discount],
        ]
        plain = pct(x).lstrip("+")
        lines.append(ctx.t("export.leverage.margin", margin=amount(f.unit_margin),
                           pct=pct(f.margin_pct).lstrip("+") if f.margin_pct is not None else "—"))
        if f.leverage is not None:
            lines.append(ctx.t("export.leverage.ratio", x=plain, times=f"{f.leverage:,.3g}"))
        if f.volume_loss_allowed_pct is not None:
            lines.append(ctx.t("export.leverage.loss", x=plain, loss=pct(f.volume_loss_allowed_pct).lstrip("+")))
        if f.discount_volume_needed_pct is None:
            lines.append(ctx.t("export.leverage.discount_never", x=plain))
        else:
            lines.append(ctx.t("export.leverage.discount", x=plain,
                               more=pct(f.discount_volume_needed_pct).lstrip("+")))
    table = ctx.table("leverage", [Col("case"), Col("profit", "number"), Col("profit_change", "percent")], rows,
                      empty=ctx.t("export.leverage.not_entered"))
    parts: list[Part | None] = [table]
    if lines:
        parts.append(Bullets(ctx.t("export.leverage.title"), tuple(lines), "plain"))
        parts.append(Paragraph(ctx.t("retention.leverage.assumption_short"), "note"))
    if problem:
        parts.append(Paragraph(problem, "warning"))
    return parts


def _space(ctx: Context) -> WhitespaceMap:
    """The whitespace map with the names the reader may see (unit codes and lines' names without names)."""
    r = ctx.plan.retention
    units = [u.model_copy(update={"name": ctx.unit(u.id)}) for u in ctx.plan.customer_tree.items]
    lines = [line.model_copy(update={"name": ctx.short(line.name)}) for line in r.product_lines]
    return whitespace_map(units, lines, r.whitespace)


def _whitespace(ctx: Context, space: WhitespaceMap) -> list[Part | None]:
    """The map drawn when it is small enough, the counts per product line, the gaps in the order to work on them."""
    parts: list[Part | None] = []
    if space.units and space.lines:
        if len(space.units) <= MAX_MAP_UNITS and len(space.lines) <= MAX_MAP_LINES:
            lang = ctx.lang

            def drawn() -> Figure:
                from kamlib.charts.retention import whitespace_chart  # matplotlib: loaded when a chart is drawn

                return whitespace_chart(space, lang)

            parts.append(Chart(ctx.t("export.chart.whitespace"), drawn, tight=False))
        else:
            parts.append(Paragraph(ctx.t("export.map_too_big", units=len(space.units), lines=len(space.lines),
                                         max_units=MAX_MAP_UNITS, max_lines=MAX_MAP_LINES), "note"))
    parts.append(_lines(ctx, space))
    names = {u.id: u.name for u in space.units} | {line.id: line.name for line in space.lines}
    rows = [[names[g.unit_id], names[g.line_id], ctx.t(f"retention.cell.{g.status or 'unmarked'}"),
             ctx.t("retention.whitespace.elsewhere" if g.bought_elsewhere else "retention.whitespace.nowhere")]
            for g in space.gaps()]
    parts.append(ctx.table("gaps", [Col("unit"), Col("line"), Col("status"), Col("reference")], rows))
    return parts


def _lines(ctx: Context, space: WhitespaceMap) -> Table:
    def row(line: ProductLine) -> list[Cell]:
        c = space.counts(line_id=line.id)
        return [line.name, c.bought, c.open, c.na, c.unmarked, c.gaps]

    return ctx.table("lines", [Col("line"), Col("bought", "number"), Col("open", "number"), Col("na", "number"),
                               Col("unmarked", "number"), Col("gaps", "number")], [row(x) for x in space.lines])
