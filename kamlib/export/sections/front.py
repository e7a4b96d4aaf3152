"""The front of the export: the cover and the plan's health (completeness, strength, what is due)."""

from __future__ import annotations

from kamlib.export.context import Col, Context
from kamlib.export.document import Block, Bullets, Cell, Facts, Paragraph, Part, Tone
from kamlib.health import STRENGTH_PARTS
from kamlib.screening import radp_box


def radp_of(ctx: Context) -> str:
    """The key account's RADP box with its status name, e.g. "D3 (D Developable)"; "" when unknown."""
    account = ctx.key_account
    if account is None or account.sow_pct is None or account.bp_wan is None:
        return ""
    box = radp_box(account.sow_pct, account.bp_wan, ctx.settings.radp)
    return ctx.t("export.radp_box", box=box, status=ctx.t(f"screening.status.{box[0]}"))


def cover(ctx: Context) -> Block:
    """Who made the plan, for which account, when; the strategy chosen and the account's RADP box."""
    trainee = ctx.workbook.trainee
    choice = ctx.plan.strategy.chosen
    account = ctx.key_account
    facts = [
        (ctx.t("export.fact.account"), ctx.account(account)),
        (ctx.t("export.fact.industry"), account.industry if account and not ctx.anonymise else None),
        (ctx.t("export.fact.radp"), radp_of(ctx) or None),
        (ctx.t("export.fact.strategy"), ctx.t(f"strategy.name.{choice}") if choice else None),
        (ctx.t("export.fact.trainee"), trainee.name),
        (ctx.t("export.fact.team"), trainee.team or None),
        (ctx.t("export.fact.date"), ctx.today),
    ]
    parts: list[Part] = [Facts(tuple((k, v) for k, v in facts if v is not None))]
    if ctx.anonymise:
        parts.append(Paragraph(ctx.t("export.anonymised"), "note"))
    else:
        parts.append(Paragraph(ctx.t("export.private"), "note"))
    return Block(key="cover", chapter=None, title=ctx.t("export.title"), started=True, parts=tuple(parts))


def _pct(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _action_line(ctx: Context, action_id: str) -> str:
    action = next(a for a in ctx.plan.actions.items if a.id == action_id)
    date = action.target_on.isoformat() if action.target_on else ctx.t("health.view.no_date")
    line = ctx.t("health.view.action_line", date=date, text=ctx.short(action.text))
    who = ctx.person(action.person_id)
    return f"{line} · {who}" if who else line


def health(ctx: Context) -> Block:
    """Completeness and position strength overall and per section, stale sections, actions due soon."""
    h = ctx.health
    none = ctx.t("health.figure.no_data")
    facts = Facts((
        (ctx.t("health.figure.completeness"), ctx.t("health.figure.percent", value=round(100 * h.completeness))),
        (ctx.t("health.figure.strength"),
         ctx.t("health.figure.percent", value=round(100 * h.strength)) if h.strength is not None else none),
    ))
    known = [ctx.t("export.part", part=ctx.t(f"health.part.{k}"), value=round(100 * v))
             for k in STRENGTH_PARTS if (v := h.strength_basis.get(k)) is not None]
    basis = ctx.t("health.figure.basis", parts=ctx.t("i18n.separator").join(known)) if known \
        else ctx.t("health.figure.basis_none")
    rows: list[list[Cell]] = []
    for s in h.sections:
        if not s.started:
            state = ctx.t("health.state.not_started")
            if not s.counted:
                state += " (" + ctx.t("health.state.optional") + ")"
        elif s.stale:
            state = ctx.t("health.state.stale", days=h.stale_days)
        else:
            state = ctx.t("health.state.current")
        updated = s.updated_at.date() if s.updated_at else None
        hint = ctx.text(s.hints[0]) if s.hints else ""
        rows.append([ctx.t(f"health.section.{s.key}"), _pct(s.completeness), _pct(s.strength), updated, state, hint])
    table = ctx.table("health", [Col("section"), Col("completeness", "percent"), Col("strength", "percent"),
                                 Col("updated", "date"), Col("state"), Col("next")], rows)
    parts: list[Part] = [facts, Paragraph(basis), Paragraph(ctx.t("health.figure.apart"), "note"), table]
    lists: tuple[tuple[str, tuple[str, ...], Tone], ...] = (
        ("due_soon", h.due_soon, "warning"), ("overdue", h.overdue, "warning"),
        ("stale_actions", h.stale_actions, "note"))
    for key, ids, tone in lists:
        if ids:
            title = ctx.t(f"export.health.{key}", count=len(ids), days=h.stale_days)
            parts.append(Bullets(title, tuple(_action_line(ctx, i) for i in ids), tone))
    if not h.due_soon:
        parts.append(Paragraph(ctx.t("health.view.none_due")))
    parts.append(Paragraph(ctx.t("health.view.stale_rule", days=h.stale_days), "note"))
    return Block(key="health", chapter=None, title=ctx.t("export.health.title"), started=True, parts=tuple(parts))
