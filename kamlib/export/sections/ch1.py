"""Chapter 1 in the export: the key account and its RADP position, the picks, the guidelines checklist, Share 1;
the customer tree."""

from __future__ import annotations

from typing import Any

from kamlib.customer_tree import dmu_bp, levels, structure_problems, tree_order, tree_problems
from kamlib.export.context import Col, Context
from kamlib.export.document import Block, Bullets, Cell, Chart, Facts, Part
from kamlib.export.sections.front import radp_of
from kamlib.guidelines import CRITERIA, checklist_rows
from kamlib.i18n import Text
from kamlib.screening import account_mode, missing_years_text, radp_box, yearly_boxes

Figure = Any  # a matplotlib Figure: only kamlib.charts imports matplotlib


def key_account(ctx: Context) -> Block:
    """The account, its figures and RADP box year by year, the Top and Strategic picks, Share 1, the RADP grid."""
    plan, account = ctx.plan, ctx.key_account
    radp = ctx.settings.radp
    parts: list[Part | None] = []
    if account is not None:
        mode = account_mode(account.segment)
        parts.append(Facts(tuple((k, v) for k, v in (
            (ctx.t("export.fact.account"), ctx.account(account)),
            (ctx.t("export.fact.industry"), None if ctx.anonymise else account.industry or None),
            (ctx.t("export.fact.segment"), ctx.code("ch1.segment", account.segment) or None),
            (ctx.t("export.fact.mode"), ctx.t(f"ch1.mode.{mode}") if mode else None),
            (ctx.t("export.fact.bp"), account.bp_wan),
            (ctx.t("export.fact.sow"), account.sow_pct),
            (ctx.t("export.fact.radp"), radp_of(ctx) or ctx.t("export.radp_unknown")),
        ) if v is not None)))
        years = [[y.year if y.year is not None else ctx.t("export.this_year"), f"{y.status}{y.level}",
                  ctx.t(f"screening.status.{y.status}")] for y in yearly_boxes(account, radp)]
        parts.append(ctx.table("radp_years", [Col("year"), Col("box"), Col("status")], years))
    else:
        parts.append(Bullets(ctx.t("export.missing"), (ctx.t("health.hint.no_key_account"),), "warning"))
    by_id = {a.id: a for a in plan.portfolio.items}
    picks = []
    for pick in plan.key_accounts:
        a = by_id[pick.account_id]
        box = radp_box(a.sow_pct, a.bp_wan, radp) if a.sow_pct is not None and a.bp_wan is not None else ""
        kind = ctx.t(f"export.pick.{pick.kind}") if pick.kind else ""
        picks.append([ctx.account(a), kind, a.bp_wan, a.sow_pct, box])
    parts.append(ctx.table("picks", [Col("account"), Col("pick"), Col("bp", "number"), Col("sow", "number"),
                                     Col("box")], picks))
    parts.append(guidelines(ctx))
    share = plan.share
    parts.append(ctx.table("share", [Col("field"), Col("text", "long", private=True)], [
        [ctx.t(f"export.share.{name}"), getattr(share, name)] for name in ("goal", "problem", "organisation")
    ]) if not ctx.anonymise else None)
    accounts, lang = list(plan.portfolio.items), ctx.lang
    if any(a.bp_wan is not None and a.sow_pct is not None for a in accounts):
        def grid() -> Figure:
            from kamlib.charts.screening import radp_grid  # matplotlib: loaded when a chart is drawn

            return radp_grid(accounts, list(plan.key_accounts), lang, radp)

        parts.append(Chart(ctx.t("export.chart.radp"), grid))  # counts per box only: no names
    return ctx.block("key_account", parts)


def guidelines(ctx: Context) -> Part:
    """The screening guidelines checklist (chapter 1.4): each candidate's box, standing and the criteria met."""
    plan = ctx.plan
    rows: list[list[Cell]] = []
    for r in checklist_rows(plan.portfolio.items, plan.key_accounts, ctx.settings.radp):
        q = r.qualification
        standing = (ctx.t(f"ch1.pick.{q.eligible}") if q.eligible else ctx.text(Text(
            f"ch1.pick.candidate_{q.candidate}", {"years": missing_years_text(q)})) if q.candidate else "")
        rows.append([ctx.account(r.account), r.box or "", standing,
                     *(ctx.yes_no(c in r.met) for c in CRITERIA), len(r.met)])
    cols = [Col("account"), Col("box"), Col("guideline_standing"),
            *(Col(c, header=ctx.t(f"ch1.criterion_short.{c}")) for c in CRITERIA), Col("guidelines_met", "number")]
    return ctx.table("guidelines", cols, rows)


def customer_tree(ctx: Context) -> Block:
    """The tree drawn (names replaced by codes when anonymised), its units, and its problems."""
    units = list(ctx.plan.customer_tree.items)
    level = levels(units)
    rolled = dmu_bp(units)
    by_id = {u.id: u for u in units}
    ordered = tree_order(units) if not structure_problems(units) else units
    rows = [[ctx.unit(u.id), ctx.t(f"ch1.kind.{u.kind}"), level.get(u.id),
             ctx.unit(u.parent_id) if u.parent_id in by_id else "", u.bp_wan, rolled.get(u.id)] for u in ordered]
    parts: list[Part] = []
    problems = tree_problems(units)
    if units and not structure_problems(units):
        shown = [u.model_copy(update={"name": ctx.unit(u.id)}) for u in units]
        lang = ctx.lang

        def tree() -> Figure:
            from kamlib.charts.tree import customer_tree_chart  # matplotlib: loaded when a chart is drawn

            return customer_tree_chart(shown, lang, title=False)

        parts.append(Chart(ctx.t("export.chart.tree"), tree))
    if problems:
        parts.append(Bullets(ctx.t("export.tree_problems"), tuple(ctx.text(p) for p in problems), "warning"))
    parts.append(ctx.table("tree", [Col("unit"), Col("kind"), Col("level", "number"), Col("parent"),
                                    Col("own_bp", "number"), Col("dmu_bp", "number")], rows))
    return ctx.block("customer_tree", parts)
