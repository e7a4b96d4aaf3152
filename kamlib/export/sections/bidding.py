"""Special topic 1 in the export: the tenders at a glance, then per tender the rule in force, the bidders'
scores and ranking with our margin (the score bars drawn), the rule maker's headline, the T1–T4 worksheet
and the bid document checklist.

Scores, the rule search and the worksheet checks come from ``kamlib.bidding``. Anonymised, the tender's
and bidders' names lose the names the plan knows (competitor companies are not people and stay), the
notes and what the trainee will do (free text) are left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kamlib.bidding import (
    CHECKLIST,
    PARTS,
    Analysis,
    analyse_bid,
    checklist_done,
    part_code,
    part_label,
    result_text,
    rule_codes,
    rule_text,
    uncovered_parts,
)
from kamlib.export.context import Col, Context
from kamlib.export.document import Block, Bullets, Cell, Chart, Facts, Heading, Part, Table, Tone
from kamlib.model.bidding import Bid, TargetAction

Figure = Any  # a matplotlib Figure: only kamlib.charts imports matplotlib

SCORE_COLS = (
    Col("rank", "number"), Col("bidder"), Col("us"), Col("sme"), Col("price", "number"), Col("evaluated", "number"),
    *(Col(p, "number") for p in PARTS), Col("total", "number"), Col("score_note"),
    Col("notes", "long", private=True),
)
TARGET_COLS = (Col("rule_part"), Col("target_group"), Col("who"), Col("what", "long", private=True),
               Col("due", "date"), Col("state"))


def shown_bid(ctx: Context, bid: Bid) -> Bid:
    """The tender as the reader may see it: names the plan knows replaced when anonymised (numbers unchanged)."""
    if not ctx.anonymise:
        return bid
    bidders = [b.model_copy(update={"name": ctx.short(b.name)}) for b in bid.bidders]
    return bid.model_copy(update={"name": ctx.short(bid.name), "bidders": bidders})


def _points(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def bids(ctx: Context) -> Block:
    """The tenders by due date in one table, then each tender in detail."""
    items = sorted(ctx.plan.bids.items, key=lambda b: b.due_on or dt.date.max)
    shown = [shown_bid(ctx, b) for b in items]
    found = [analyse_bid(b, ctx.plan.rule_templates.items, ctx.settings.bidding) for b in shown]
    rows = []
    for bid, a in zip(shown, found, strict=True):
        done, total = checklist_done(bid)
        space, best = a.space, a.best
        rows.append([
            bid.name, bid.due_on, bid.budget_wan, rule_codes(a.sheet.rule),
            ctx.t(f"export.bid.result.{a.sheet.result}"), _points(a.sheet.margin),
            ctx.t("export.of", count=space.win_count, total=space.count) if space is not None else "",
            rule_codes(best.rule) if best is not None else "", _points(best.margin) if best is not None else None,
            part_label(a.key, ctx.lang) if a.key is not None else "", ctx.t("export.of", count=done, total=total),
            bid.notes,
        ])
    parts: list[Part | None] = [ctx.table("bids", [
        Col("bid"), Col("due", "date"), Col("budget_ceiling", "number"), Col("rule"), Col("bid_result"),
        Col("margin", "number"), Col("rules_won"), Col("best_rule"), Col("best_margin", "number"), Col("key_part"),
        Col("checklist"), Col("notes", "long", private=True),
    ], rows)]
    for bid, a in zip(shown, found, strict=True):
        parts += tender(ctx, bid, a)
    if not items:  # the sheets exist, marked as not started
        parts += [_scores(ctx, None, None), _targets(ctx, None, None)]
    return ctx.block("bids", parts)


def tender(ctx: Context, bid: Bid, found: Analysis) -> list[Part | None]:
    """One tender: heading, facts, the score bars, the scoresheet, the rule maker, the worksheet, the checklist."""
    sheet = found.sheet
    done, total = checklist_done(bid)
    mark = f" ({ctx.t('bidding.example.mark')})" if bid.illustration else ""
    facts: list[tuple[str, Cell]] = [
        (ctx.t("export.fact.due"), bid.due_on or ctx.t("export.undated")),
        (ctx.t("export.fact.budget_ceiling"), bid.budget_wan if bid.budget_wan is not None else ctx.t(
            "export.bid.no_ceiling")),
        (ctx.t("export.fact.rule"), rule_text(sheet.rule, ctx.lang)),
        (ctx.t("export.fact.bounds"), ctx.short(found.bounds.describe(ctx.lang))),
        (ctx.t("export.fact.sme_deduction"), ctx.t("health.figure.percent", value=f"{bid.sme_deduction_pct:g}")),
    ]
    if sheet.base_price_wan is not None:
        facts.append((ctx.t("export.fact.base_price"), round(sheet.base_price_wan, 2)))
    facts += [(ctx.t("export.fact.bid_result"), result_text(sheet, ctx.lang)),
              (ctx.t("export.fact.checklist"), ctx.t("export.of", count=done, total=total))]
    parts: list[Part | None] = [Heading(bid.name + mark), Facts(tuple(facts))]
    problems = [ctx.text(p) for p in found.rule_problems]
    if found.bounds.template_missing:
        problems.insert(0, ctx.t("bidding.bounds.missing"))
    if problems:
        parts.append(Bullets(ctx.t("export.bid.rule_problems"), tuple(problems), "warning"))
    if any(r.valid for r in sheet.rows):
        lang = ctx.lang

        def bars() -> Figure:
            from kamlib.charts.bidding import scores_chart  # matplotlib: loaded when a chart is drawn

            return scores_chart(sheet, lang)

        parts.append(Chart(ctx.t("export.chart.scores", rule=rule_codes(sheet.rule)), bars, tight=False))
    parts.append(_scores(ctx, bid, found))
    if sheet.notes:
        parts.append(Bullets(ctx.t("export.bid.notes"), tuple(ctx.text(n) for n in sheet.notes), "note"))
    parts.append(_maker(ctx, found))
    parts.append(_targets(ctx, bid, found))
    parts.append(_worksheet_notes(ctx, bid, found))
    parts.append(Bullets(ctx.t("export.bid.checklist", done=done, total=total), tuple(
        ctx.t("export.ticked" if code in bid.checklist else "export.unticked", item=ctx.t(f"bidding.checklist.{code}"))
        for code in CHECKLIST), "plain"))
    return parts


def _scores(ctx: Context, bid: Bid | None, found: Analysis | None) -> Table:
    """Every bidder under the tender's rule: rank, prices, points per part, total (invalid bids last)."""
    rows: list[list[Cell]] = []
    notes = {b.id: b.notes for b in bid.bidders} if bid is not None else {}
    for r in found.sheet.rows if found is not None else ():
        note = ctx.t(f"bidding.reason.{r.reason}") if r.reason else ctx.t("bidding.table.sme") if r.sme else ""
        rows.append([r.rank, r.name, ctx.yes_no(r.us), ctx.yes_no(r.sme), r.price_wan, _points(r.evaluated_wan),
                     *(_points(r.points[p]) if r.valid else None for p in PARTS), _points(r.total), note,
                     notes.get(r.id, "")])
    return ctx.table("bid_scores", SCORE_COLS, rows, group=bid.name if bid else None, group_by="bid")


def _maker(ctx: Context, found: Analysis) -> Bullets:
    """The rule maker's headline: how many allowed rules we win, the widest-margin rule, the key part."""
    title = ctx.t("export.bid.maker")
    if not found.searchable or found.space is None:
        return Bullets(title, (ctx.t("export.bid.cannot", why=result_text(found.sheet, ctx.lang)),), "note")
    space, best = found.space, found.best
    share = ctx.t("health.figure.percent", value=round(100 * space.win_count / space.count)) if space.count else "—"
    lines = [ctx.t("export.bid.region", wins=space.win_count, count=space.count, share=share)]
    if best is not None:
        lines.append(ctx.t("export.bid.best", rule=rule_codes(best.rule), margin=_signed(best.margin),
                           now=_signed(found.sheet.margin)))
    if found.key is not None:
        lines.append(ctx.t("export.bid.key", part=part_label(found.key, ctx.lang)))
    return Bullets(title, tuple(lines), "ok" if found.sheet.won else "warning")


def _state(ctx: Context, row: TargetAction) -> str:
    if row.done:
        return ctx.t("export.state.done")
    overdue = row.due_on is not None and row.due_on < ctx.today
    return ctx.t("export.state.overdue" if overdue else "export.state.open")


def _targets(ctx: Context, bid: Bid | None, found: Analysis | None) -> Table:
    """The T1–T4 worksheet, by part of the rule, then target."""
    items = sorted(bid.targets if bid is not None else (),
                   key=lambda r: (PARTS.index(r.part), r.target, r.due_on or dt.date.max))
    rows = [[part_label(r.part, ctx.lang), ctx.t(f"bidding.target.{r.target}"), ctx.short(r.who), r.action, r.due_on,
             _state(ctx, r)] for r in items]
    return ctx.table("bid_targets", TARGET_COLS, rows, group=bid.name if bid else None, group_by="bid")


def _worksheet_notes(ctx: Context, bid: Bid, found: Analysis) -> Bullets | None:
    """Parts no worksheet row works on, actions past their date, and whether the key part is worked on."""
    missing = uncovered_parts(bid)
    lines = []
    if missing:
        lines.append(ctx.t("export.bid.uncovered", parts=ctx.t("i18n.separator").join(
            part_code(p) for p in missing)))
    late = [r for r in bid.targets if not r.done and r.due_on is not None and r.due_on < ctx.today]
    if late:
        lines.append(ctx.t("export.bid.overdue", count=len(late)))
    if found.key is not None:
        key = "export.bid.key_missing" if found.key in missing else "export.bid.key_covered"
        lines.append(ctx.t(key, part=part_label(found.key, ctx.lang)))
    if not lines:
        return None
    tone: Tone = "warning" if missing or late else "ok"
    return Bullets(ctx.t("export.bid.worksheet"), tuple(lines), tone)
