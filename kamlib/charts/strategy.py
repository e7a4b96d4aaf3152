"""Chapter 3 charts: factor quadrants, the strategy scores, the team map, the action timeline.

Nothing is told by colour alone: quadrants carry their response's name, the recommended
strategy a hatch and a written mark, gaps a dashed outline and the word, overdue actions a
cross and the word. Every number comes from ``kamlib.strategy``, ``kamlib.team`` and
``kamlib.actions``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, Rectangle

from kamlib.actions import is_overdue, timeline_order
from kamlib.analysis import factor_quadrant
from kamlib.charts.style import INK, MUTED, PALETTE, TRACK, left_title, new_figure, say_empty
from kamlib.charts.tree import wrap_text
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.workbook import Action, Factor, KeyPerson, TeamPair, TeamStage
from kamlib.people import people_by_id, short_code
from kamlib.strategy import HALF, PAIRS, QUADRANTS, Recommendation
from kamlib.team import team_gaps

# Quadrant cells: (column, row) with column 0 weak / 1 strong control, row 1 advantage / 0 disadvantage.
CELL = {"use": (0, 1), "leverage": (1, 1), "reduce": (0, 0), "eliminate": (1, 0)}
CELL_FILL = {"use": "#DCEBF7", "leverage": "#C7E9DC", "reduce": "#FBE3CF", "eliminate": "#F6D3C4"}
MAX_LISTED = 8


def quadrant_chart(factors: Sequence[Factor], lang: Lang) -> Figure:
    """The 2×2 of advantage/disadvantage × weak/strong control with each factor written in its cell."""
    lang = check_lang(lang)
    fullest = max([0, *(sum(1 for f in factors if factor_quadrant(f) == q) for q in QUADRANTS)])
    fig = new_figure(12.0, 4.6 + 0.55 * min(fullest, MAX_LISTED + 1))
    left_title(fig, t("ch3.chart.quadrant_title", lang))
    ax = fig.add_subplot()
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 2)
    ax.set_xticks([0.5, 1.5], [t("ch3.chart.weak", lang), t("ch3.chart.strong", lang)])
    ax.set_yticks([0.5, 1.5], [t("ch3.chart.disadvantage", lang), t("ch3.chart.advantage", lang)],
                  rotation=90, va="center")
    ax.tick_params(length=0)
    ax.xaxis.set_ticks_position("top")
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    cells: dict[str, list[Factor]] = {q: [] for q in QUADRANTS}
    for f in factors:
        cells[factor_quadrant(f)].append(f)
    for quadrant, (col, row) in CELL.items():
        ax.add_patch(Rectangle((col + 0.01, row + 0.01), 0.98, 0.98, facecolor=CELL_FILL[quadrant],
                               edgecolor=INK, linewidth=1.0, zorder=0))
        listed = sorted(cells[quadrant], key=lambda f: -f.importance)
        ax.text(col + 0.04, row + 0.95, t("ch3.chart.cell", lang, response=t(f"analysis.quadrant.{quadrant}", lang),
                                          count=len(listed)),
                fontsize=15, ha="left", va="top", color=INK)
        lines: list[str] = []
        for f in listed[:MAX_LISTED]:
            text = wrap_text(f.text, 26.0, 1)[0]
            lines.append(f"{'●' * f.importance} {text}" if f.importance > 1 else f"• {text}")
        if len(listed) > MAX_LISTED:
            lines.append(t("ch3.chart.more", lang, count=len(listed) - MAX_LISTED))
        if not listed:
            lines.append(t("ch3.chart.no_factor", lang))
        ax.text(col + 0.05, row + 0.78, "\n".join(lines), fontsize=11, ha="left", va="top", color=INK,
                linespacing=1.35)
    ax.set_xlabel(t("ch3.chart.importance_note", lang), fontsize=10, color=MUTED, loc="left")
    return fig


def strategy_chart(rec: Recommendation, lang: Lang) -> Figure:
    """How clearly each integrated strategy's "when" sentence reads in the factors (points from half, 0 when
    it does not hold), the recommendation hatched and marked."""
    lang = check_lang(lang)
    fig = new_figure(11.0, 5.2)
    left_title(fig, t("ch3.chart.strategy_title", lang))
    ax = fig.add_subplot()
    order = list(rec.ranking)
    shown = {name: max(rec.scores[name] or 0.0, 0.0) for name in order}
    for y, name in enumerate(order):
        chosen = rec.verdict != "none" and name in rec.tied
        ax.barh(y, shown[name], color=PALETTE[0] if chosen else TRACK, edgecolor=INK,
                hatch="//" if chosen else "", linewidth=1.0)
        mark = f"  ◀ {t('ch3.chart.top', lang)}" if chosen else ""
        value = "—" if rec.scores[name] is None else f"{round(shown[name], 1):g}"
        ax.text(shown[name], y, f" {value}{mark}", va="center", ha="left", fontsize=12, color=INK)
    ax.set_yticks(range(len(order)), [_strategy_label(s, lang) for s in order], fontsize=11)
    ax.invert_yaxis()
    ax.set_xlim(0, float(HALF * 100) * 1.35)  # the strongest reading: the whole share past half
    ax.set_xlabel(t("ch3.chart.strength", lang))
    return fig


def _strategy_label(name: str, lang: Lang) -> str:
    """The strategy's name over its pair of responses."""
    first, second = (t(f"analysis.quadrant.{q}", lang) for q in PAIRS[name])  # type: ignore[index]
    return f"{t(f'strategy.name.{name}', lang)}\n{t('ch3.chart.pair', lang, first=first, second=second)}"


def team_chart(pairs: Sequence[TeamPair], people: Sequence[KeyPerson], lang: Lang) -> Figure:
    """Seller ↔ buyer map for the early and the middle stage; gaps drawn dashed and named."""
    lang = check_lang(lang)
    by_id = people_by_id(people)
    stages: tuple[TeamStage, ...] = ("early", "middle")
    rows = {s: _team_rows(pairs, people, s) for s in stages}
    height = max(3.0, 1.4 + 0.55 * sum(max(len(r), 1) for r in rows.values()))
    fig = new_figure(12.0, height)
    left_title(fig, t("ch3.chart.team_title", lang))
    axes = fig.subplots(2, 1, height_ratios=[max(len(rows[s]), 1) for s in stages])
    for ax, stage in zip(axes, stages, strict=True):
        ax.set_axis_off()
        ax.set_xlim(0, 10)
        n = max(len(rows[stage]), 1)
        ax.set_ylim(n - 0.4, -0.8)
        ax.text(0, -0.6, t(f"ch3.team.stage.{stage}", lang), fontsize=13, color=INK, va="center")
        ax.text(2.2, -0.6, t("ch3.chart.ours", lang), fontsize=11, color=MUTED, ha="center", va="center")
        ax.text(7.8, -0.6, t("ch3.chart.theirs", lang), fontsize=11, color=MUTED, ha="center", va="center")
        if not rows[stage]:
            ax.text(5, 0, t("ch3.chart.team_empty", lang), ha="center", va="center", color=MUTED)
        for y, (ours, theirs) in enumerate(rows[stage]):
            if isinstance(ours, TeamPair):
                left = _team_label_ours(ours, lang)
            else:  # a course function nobody covers, or nobody at all
                role = t(f"ch3.team.role.{ours}", lang) if ours else ""
                left = f"{t('ch3.chart.gap', lang)} · {role}" if role else t("ch3.chart.gap", lang)
            right = _person_label(by_id[theirs]) if theirs is not None else t("ch3.chart.gap", lang)
            _box(ax, 2.2, y, left, gap=not isinstance(ours, TeamPair))
            if theirs is not None or isinstance(ours, TeamPair):  # a missing role faces nobody in particular
                _box(ax, 7.8, y, right, gap=theirs is None)
            if isinstance(ours, TeamPair) and theirs is not None:
                ax.plot([3.9, 6.1], [y, y], color=PALETTE[0], linewidth=2.0)
    fig.legend(handles=[Line2D([], [], color=PALETTE[0], linewidth=2.0),
                        Patch(facecolor="white", edgecolor=PALETTE[3], linestyle="--", linewidth=1.5)],
               labels=[t("ch3.chart.paired", lang), t("ch3.chart.gap", lang)], loc="outside lower center", ncols=2)
    return fig


def _team_rows(pairs: Sequence[TeamPair], people: Sequence[KeyPerson],
               stage: TeamStage) -> list[tuple[TeamPair | str | None, str | None]]:
    """Rows of the map: our pair (or the course role nobody covers, or None) and their person's id."""
    by_id = people_by_id(people)
    gaps = team_gaps(pairs, people, stage)
    out: list[tuple[TeamPair | str | None, str | None]] = [
        (p, p.their_id if p.their_id in by_id else None) for p in pairs if p.stage == stage
    ]
    unfaced = list(gaps.theirs_unfaced)
    for role in gaps.roles_missing:
        out.append((role, unfaced.pop(0) if unfaced else None))
    out += [(None, pid) for pid in unfaced]
    return out


def _team_label_ours(pair: TeamPair, lang: Lang) -> str:
    role = t(f"ch3.team.role.{pair.our_role}", lang) if pair.our_role else ""
    name = wrap_text(pair.our_name, 14.0, 1)[0]
    return f"{name} · {role}" if role else name


def _person_label(p: KeyPerson) -> str:
    title = wrap_text(p.title or p.name, 12.0, 1)[0]
    name = wrap_text(p.name, 8.0, 1)[0]
    return f"{name} · {title}  {short_code(p)}" if p.title and p.title != p.name else f"{name}  {short_code(p)}"


def _box(ax: Axes, x: float, y: float, text: str, gap: bool) -> None:
    ax.add_patch(FancyBboxPatch((x - 1.7, y - 0.3), 3.4, 0.6, boxstyle="round,pad=0,rounding_size=0.1",
                                facecolor="white" if gap else TRACK, edgecolor=PALETTE[3] if gap else INK,
                                linestyle="--" if gap else "-", linewidth=1.5 if gap else 1.0))
    ax.text(x, y, text, ha="center", va="center", fontsize=11, color=PALETTE[3] if gap else INK)


def timeline_chart(actions: Sequence[Action], today: dt.date, lang: Lang) -> Figure:
    """One row per action: target date (hollow diamond), completion (filled square), overdue
    stretch to today hatched with a cross; status written beside the action."""
    lang = check_lang(lang)
    ordered = [a for a in timeline_order(actions) if a.target_on or a.done_on]
    fig = new_figure(12.0, max(3.2, 1.6 + 0.45 * len(ordered)))
    left_title(fig, t("ch3.chart.timeline_title", lang))
    ax = fig.add_subplot()
    if not ordered:
        say_empty(ax, t("ch3.chart.timeline_empty", lang))
        return fig
    labels: list[str] = []
    spans: list[list[tuple[float, int]]] = []
    targets: list[tuple[dt.date, int]] = []
    done: list[tuple[dt.date, int]] = []
    late: list[tuple[dt.date, int]] = []
    for y, a in enumerate(ordered):
        status = t(f"ch3.action.status.{a.status}", lang)
        overdue = is_overdue(a, today)
        labels.append(f"{wrap_text(a.text, 16.0, 1)[0]} · {status}"
                      + (f" · {t('ch3.chart.overdue', lang)}" if overdue else ""))
        if a.target_on and a.done_on:
            spans.append([(mdates.date2num(a.target_on), y), (mdates.date2num(a.done_on), y)])
        if a.target_on:
            (late if overdue else targets).append((a.target_on, y))
        if a.done_on:
            done.append((a.done_on, y))
    # one artist per kind of mark, not one per action: a long plan draws as fast as a short one
    ax.add_collection(LineCollection(spans, colors=MUTED, linewidths=1.5))
    # ``type: ignore[arg-type]`` below: matplotlib's stubs take numbers only, but it plots dates (its date converter)
    if late:
        ax.barh([y for _, y in late], [(today - d).days for d, _ in late], left=[d for d, _ in late], height=0.45,  # type: ignore[arg-type]
                color="white", edgecolor=PALETTE[3], hatch="xx", linewidth=1.0)
    for points, style in ((targets, {"marker": "D", "markerfacecolor": "white", "markeredgecolor": INK,
                                     "markersize": 9}),
                          (done, {"marker": "s", "color": PALETTE[2], "markersize": 9}),
                          (late, {"marker": "X", "color": PALETTE[3], "markersize": 11})):
        if points:
            ax.plot([d for d, _ in points], [y for _, y in points], linestyle="none", **style)  # type: ignore[arg-type]
    dates = [d for a in ordered for d in (a.target_on, a.done_on) if d] + [today]
    pad = dt.timedelta(days=max((max(dates) - min(dates)).days * 0.04, 2))
    ax.set_xlim(min(dates) - pad, max(dates) + pad)  # type: ignore[arg-type]
    ax.axvline(today, color=INK, linestyle=":", linewidth=1.5)  # type: ignore[arg-type]
    ax.text(today, -0.8, t("ch3.chart.today", lang), ha="center", va="bottom", fontsize=10, color=INK)  # type: ignore[arg-type]
    ax.set_yticks(range(len(ordered)), labels)
    ax.set_ylim(len(ordered) - 0.5, -1.0)
    # ticks every so many days from the first, not on days of the month: those start again on the 1st, and the 29th
    # and the 1st written side by side overlap
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8, interval_multiples=False))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.tick_params(axis="x", labelrotation=30)
    ax.grid(axis="x", color="#DDDDDD")
    handles = [
        Line2D([], [], marker="D", markerfacecolor="white", markeredgecolor=INK, linestyle="none", markersize=9),
        Line2D([], [], marker="s", color=PALETTE[2], linestyle="none", markersize=9),
        Line2D([], [], marker="X", color=PALETTE[3], linestyle="none", markersize=11),
        Line2D([], [], color=INK, linestyle=":"),
    ]
    names = [t(f"ch3.chart.{k}", lang) for k in ("target", "done", "overdue", "today")]
    fig.legend(handles, names, loc="outside lower center", ncols=4)
    return fig
