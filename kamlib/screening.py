"""Chapter 1, key account screening: the RADP model, Top and Strategic picks, work order, 20/80.

Scalar functions explain one account; ``classify`` does a whole list at once with numpy
(no per-row Python), returning categorical columns so a million rows stay cheap.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kamlib.errors import InputError
from kamlib.i18n import Lang, Text, t
from kamlib.model.workbook import Account, AccountPlan, PickKind, Segment, WorkOrder
from kamlib.settings import PickSettings, RadpSettings
from kamlib.tables.cells import display_width

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Status = Literal["R", "D", "A", "P"]
STATUSES: tuple[Status, ...] = ("R", "D", "A", "P")
LEVELS = (0, 1, 2, 3)
BOXES = tuple(f"{s}{level}" for s in STATUSES for level in LEVELS)
T_MODE_SEGMENTS: frozenset[Segment] = frozenset({"home", "smb"})
MAX_REPORTED_ROWS = 10


# ---- one account -------------------------------------------------------------------------------


def _check_sow(sow_pct: float | None, where: str = "SoW") -> float:
    if sow_pct is None or not math.isfinite(sow_pct) or not 0 <= sow_pct <= 100:
        raise InputError(
            "errors.field.line",
            field=Text("fields.sow_pct"), where=where, problem=Text("screening.sow_range"),
        )
    return sow_pct


def _check_bp(bp_wan: float | None, where: str = "BP") -> float:
    if bp_wan is None or not math.isfinite(bp_wan) or bp_wan < 0:
        raise InputError(
            "errors.field.line",
            field=Text("fields.bp_wan"), where=where, problem=Text("screening.bp_range"),
        )
    return bp_wan


def radp_status(sow_pct: float, settings: RadpSettings | None = None) -> Status:
    """R ≥ 50%, D ≥ 10%, A above 0, P at 0 (thresholds from the settings in force)."""
    s = settings or RadpSettings()
    sow = _check_sow(sow_pct)
    if sow >= s.sow_retainable_pct:
        return "R"
    if sow >= s.sow_developable_pct:
        return "D"
    return "A" if sow > 0 else "P"


def radp_level(bp_wan: float, settings: RadpSettings | None = None) -> int:
    """Level 0–3 by annual buying power in wan yuan (100 / 300 / 500 by default; ≥ at each bound)."""
    s = settings or RadpSettings()
    bp = _check_bp(bp_wan)
    return sum(bp >= b for b in (s.bp_level1_wan, s.bp_level2_wan, s.bp_level3_wan))


def radp_box(sow_pct: float, bp_wan: float, settings: RadpSettings | None = None) -> str:
    """The box of the 4×4 grid, e.g. ``"D2"``."""
    return f"{radp_status(sow_pct, settings)}{radp_level(bp_wan, settings)}"


def account_mode(segment: Segment | None) -> Literal["R", "T"] | None:
    """R-mode (relationship) for large business, industry and government; T-mode for home and SMB."""
    if segment is None:
        return None
    return "T" if segment in T_MODE_SEGMENTS else "R"


# ---- a whole list at once ----------------------------------------------------------------------


def classify(
    sow_pct: np.ndarray | pd.Series | list[float],
    bp_wan: np.ndarray | pd.Series | list[float],
    settings: RadpSettings | None = None,
) -> pd.DataFrame:
    """Status, level and box of every account; bad values are an error naming the rows.

    Returns a DataFrame with categorical ``status`` and ``box`` and an int8 ``level``, in input order.
    """
    import numpy as np
    import pandas as pd

    s = settings or RadpSettings()
    sow = np.asarray(sow_pct, dtype=float)
    bp = np.asarray(bp_wan, dtype=float)
    if sow.shape != bp.shape or sow.ndim != 1:
        raise ValueError("sow_pct and bp_wan must be 1-D and of the same length")
    _raise_for_bad_rows(sow, bp)
    status = np.full(sow.shape, 3, dtype=np.int8)  # P
    status[sow > 0] = 2  # A
    status[sow >= s.sow_developable_pct] = 1  # D
    status[sow >= s.sow_retainable_pct] = 0  # R
    bounds = np.array([s.bp_level1_wan, s.bp_level2_wan, s.bp_level3_wan])
    level = np.searchsorted(bounds, bp, side="right").astype(np.int8)
    box = status * np.int8(4) + level
    index = sow_pct.index if isinstance(sow_pct, pd.Series) else None
    return pd.DataFrame(
        {
            "status": pd.Categorical.from_codes(status, categories=pd.Index(list(STATUSES))),
            "level": level,
            "box": pd.Categorical.from_codes(box, categories=pd.Index(list(BOXES))),
        },
        index=index,
    )


def _raise_for_bad_rows(sow: np.ndarray, bp: np.ndarray) -> None:
    import numpy as np

    bad_sow = ~np.isfinite(sow) | (sow < 0) | (sow > 100)
    bad_bp = ~np.isfinite(bp) | (bp < 0)
    rows = np.flatnonzero(bad_sow | bad_bp)
    if rows.size == 0:
        return
    details = []
    for row in rows[:MAX_REPORTED_ROWS]:
        for bad, field, problem in ((bad_sow, "sow_pct", "sow_range"), (bad_bp, "bp_wan", "bp_range")):
            if bad[row]:
                details.append(Text("screening.bad_row", {
                    "row": int(row) + 1, "field": Text(f"fields.{field}"),
                    "problem": Text(f"screening.{problem}"),
                }))
    raise InputError("screening.bad_rows", details=details, count=int(rows.size))


def classify_rows(sow_pct: list[float], bp_wan: list[float], settings: RadpSettings | None = None) -> list[str]:
    """The same boxes one row at a time (the plain reference ``classify`` is measured against)."""
    return [radp_box(s, b, settings) for s, b in zip(sow_pct, bp_wan, strict=True)]


# ---- Top and Strategic -------------------------------------------------------------------------

KEY_YEARS = 3  # the deck's "3 consecutive years": this year and the two years just before it


@dataclass(frozen=True)
class YearBox:
    """An account's RADP position in one year."""

    year: int | None  # None: this year
    status: Status
    level: int


def yearly_boxes(account: Account, settings: RadpSettings | None = None) -> list[YearBox]:
    """Every year with both figures: the history (oldest first), then this year."""
    out = [
        YearBox(y.year, radp_status(y.sow_pct, settings), radp_level(y.bp_wan, settings))
        for y in sorted(account.history, key=lambda y: y.year)
        if y.sow_pct is not None and y.bp_wan is not None
    ]
    if account.sow_pct is not None and account.bp_wan is not None:
        out.append(YearBox(None, radp_status(account.sow_pct, settings), radp_level(account.bp_wan, settings)))
    return out


def reference_year(accounts: Iterable[Account], today: dt.date | None = None) -> int:
    """The number of "this year" (this year's figures carry none): the year after the latest past year
    entered anywhere on the list, else the calendar year."""
    past = [y.year for a in accounts for y in a.history]
    return max(past) + 1 if past else (today or dt.date.today()).year


@dataclass(frozen=True)
class Qualification:
    """How an account stands against the Top/Strategic rule over this year and the two years before it.

    ``kind`` is what the years with figures among the three make it; it is eligible only when none of
    the three is missing, otherwise a candidate whose history is still to be entered.
    """

    kind: PickKind | None
    this_year: int
    years: tuple[YearBox, ...]  # the three years that have both figures, oldest first (this year: year None)
    missing: tuple[int, ...]  # the three years without both figures, oldest first (``this_year`` for this year)

    @property
    def eligible(self) -> PickKind | None:
        """Top or Strategic: all three years present and qualifying."""
        return self.kind if not self.missing else None

    @property
    def candidate(self) -> PickKind | None:
        """Top or Strategic on the years entered, but with years missing: not yet a Top or Strategic account."""
        return self.kind if self.missing else None


def qualify(account: Account, settings: RadpSettings | None = None, this_year: int | None = None) -> Qualification:
    """The account against the rule: level 3 in each of the three years, and R or D in each (Top), or A or
    P in each and an industry benchmark (Strategic). Years before the three do not count.

    ``this_year`` is the number of this year (``reference_year`` of the list); by default the account's own.
    """
    ref = this_year if this_year is not None else reference_year([account])
    boxes = {y.year: y for y in yearly_boxes(account, settings)}
    wanted: list[int | None] = [*range(ref - KEY_YEARS + 1, ref), None]
    years = tuple(boxes[y] for y in wanted if y in boxes)
    missing = tuple(ref if y is None else y for y in wanted if y not in boxes)
    return Qualification(_kind(years, account.benchmark), ref, years, missing)


def _kind(years: tuple[YearBox, ...], benchmark: bool) -> PickKind | None:
    if not years or any(y.level != 3 for y in years):
        return None
    if all(y.status in ("R", "D") for y in years):
        return "top"
    if benchmark and all(y.status in ("A", "P") for y in years):
        return "strategic"
    return None


def eligible_as(
    account: Account, settings: RadpSettings | None = None, this_year: int | None = None
) -> PickKind | None:
    """Top or Strategic when this year and the two years before it all have figures and all qualify."""
    return qualify(account, settings, this_year).eligible


def propose_key_accounts(
    accounts: list[Account], radp: RadpSettings | None = None, picks: PickSettings | None = None,
    this_year: int | None = None,
) -> dict[str, list[Account]]:
    """The eligible accounts, largest BP first, cut to the number of picks in force."""
    picks = picks or PickSettings()
    ref = this_year if this_year is not None else reference_year(accounts)
    eligible: dict[str, list[Account]] = {"top": [], "strategic": []}
    for account in accounts:
        kind = eligible_as(account, radp, ref)
        if kind:
            eligible[kind].append(account)
    for pick, limit in (("top", picks.top), ("strategic", picks.strategic)):
        eligible[pick] = sorted(eligible[pick], key=lambda a: -(a.bp_wan or 0))[:limit]
    return eligible


def pick_order(
    accounts: list[Account], kind: PickKind, radp: RadpSettings | None = None, this_year: int | None = None,
) -> tuple[list[Account], list[Account]]:
    """The accounts offered for ``kind`` picks: those the rule makes eligible as ``kind`` (largest BP first, as the
    proposal reads), then all the others (largest BP first, accounts without BP last in list order)."""
    ref = this_year if this_year is not None else reference_year(accounts)
    eligible = [a for a in accounts if eligible_as(a, radp, ref) == kind]
    chosen = {a.id for a in eligible}
    others = [a for a in accounts if a.id not in chosen]

    def by_bp(found: list[Account]) -> list[Account]:
        return sorted(found, key=lambda a: (a.bp_wan is None, -(a.bp_wan or 0)))

    return by_bp(eligible), by_bp(others)


def key_account_candidates(
    accounts: list[Account], radp: RadpSettings | None = None, this_year: int | None = None
) -> dict[str, list[tuple[Account, Qualification]]]:
    """Accounts that would be Top or Strategic on the years entered but lack some of the three years:
    their history is to be entered before they can be proposed. Largest BP first."""
    ref = this_year if this_year is not None else reference_year(accounts)
    out: dict[str, list[tuple[Account, Qualification]]] = {"top": [], "strategic": []}
    for account in accounts:
        q = qualify(account, radp, ref)
        if q.candidate:
            out[q.candidate].append((account, q))
    for found in out.values():
        found.sort(key=lambda pair: -(pair[0].bp_wan or 0))
    return out


def year_text(year: int, this_year: int) -> Text:
    """A year as the trainee reads it: "this year" for this year, else e.g. "2024"."""
    return Text("screening.this_year") if year == this_year else Text("screening.year", {"year": year})


def missing_years_text(q: Qualification) -> Text:
    """The years still without figures, as one list ("2023, 2024")."""
    return Text.join([year_text(y, q.this_year) for y in q.missing])


def check_picks(
    plan: AccountPlan, radp: RadpSettings | None = None, picks: PickSettings | None = None,
    this_year: int | None = None,
) -> list[Text]:
    """Every way the trainee's picks break the rule of 3 Top + 2 Strategic, explained."""
    picks = picks or PickSettings()
    ref = this_year if this_year is not None else reference_year(plan.portfolio.items)
    by_id = {a.id: a for a in plan.portfolio.items}
    problems: list[Text] = []
    seen: set[str] = set()
    for pick in plan.key_accounts:
        account = by_id[pick.account_id]
        if pick.account_id in seen:
            problems.append(Text("screening.pick.twice", {"name": account.name}))
        seen.add(pick.account_id)
        if pick.kind is None:
            problems.append(Text("screening.pick.unclassified", {"name": account.name}))
            continue
        problems += _pick_problems(account, pick.kind, radp, ref)
    for kind, wanted in (("top", picks.top), ("strategic", picks.strategic)):
        count = sum(p.kind == kind for p in plan.key_accounts)
        if count != wanted:
            problems.append(Text(f"screening.pick.count_{kind}", {"count": count, "wanted": wanted}))
    return problems


def _pick_problems(account: Account, kind: PickKind, radp: RadpSettings | None, this_year: int) -> list[Text]:
    q = qualify(account, radp, this_year)
    name = account.name
    if not q.years and not yearly_boxes(account, radp):
        return [Text("screening.pick.no_figures", {"name": name})]
    out = []
    for y in q.years:
        year = year_text(this_year if y.year is None else y.year, this_year)
        if y.level != 3:
            out.append(Text("screening.pick.not_level3", {"name": name, "year": year, "level": y.level}))
        if kind == "top" and y.status not in ("R", "D"):
            out.append(Text("screening.pick.top_status", {"name": name, "year": year, "status": y.status}))
        if kind == "strategic" and y.status not in ("A", "P"):
            out.append(Text("screening.pick.strategic_status", {"name": name, "year": year, "status": y.status}))
    if q.missing:
        out.append(Text(f"screening.pick.missing_{kind}", {"name": name, "years": missing_years_text(q)}))
    if kind == "strategic" and not account.benchmark:
        out.append(Text("screening.pick.not_benchmark", {"name": name}))
    return out


# ---- the screening tool table ------------------------------------------------------------------

_RELATIONSHIP_RANK = {"good": 0, "average": 1, "poor": 2, None: 3}


def suggested_order(accounts: list[Account]) -> list[Account]:
    """The deck's tip: start from the largest BP; ties go to the better relationship."""
    return sorted(accounts, key=lambda a: (-(a.bp_wan or 0), _RELATIONSHIP_RANK[a.relationship], a.name))


def suggested_work_order(accounts: list[Account]) -> dict[str, WorkOrder]:
    """Near-term for the first third by the suggested order, mid-term the second, long-term the rest.

    This split is the workbook's own heuristic (the deck gives the tip, not a rule); the trainee's
    own ``work_order`` always wins (see ``work_order``).
    """
    ordered = suggested_order(accounts)
    n = len(ordered)
    out: dict[str, WorkOrder] = {}
    for rank, account in enumerate(ordered):
        out[account.id] = "near" if rank < math.ceil(n / 3) else "mid" if rank < math.ceil(2 * n / 3) else "long"
    return out


def work_order(accounts: list[Account]) -> list[tuple[Account, WorkOrder, bool]]:
    """Accounts in working order: (account, order, whether the trainee set it), near-term first."""
    suggested = suggested_work_order(accounts)
    rank = {a.id: i for i, a in enumerate(suggested_order(accounts))}
    rows = [(a, a.work_order or suggested[a.id], a.work_order is not None) for a in accounts]
    bucket = {"near": 0, "mid": 1, "long": 2}
    return sorted(rows, key=lambda r: (bucket[r[1]], rank[r[0].id]))


# ---- 20/80 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParetoCheck:
    """How much of the list's BP the top 20% of accounts hold."""

    accounts: int
    top_accounts: int
    top_share: float  # 0.0–1.0 of total BP

    @property
    def holds(self) -> bool:
        """Whether the top 20% hold at least 80% of the BP, as the 20/80 rule says."""
        return self.top_share >= 0.8


def pareto_check(bp_wan: list[float] | np.ndarray | pd.Series, top_fraction: float = 0.2) -> ParetoCheck:
    """Share of total BP held by the top ``top_fraction`` of accounts (rounded up, at least one)."""
    import numpy as np

    bp = np.asarray(bp_wan, dtype=float)
    bp = bp[np.isfinite(bp)]
    if bp.size == 0 or bp.sum() <= 0:
        return ParetoCheck(int(bp.size), 0, 0.0)
    top = max(1, math.ceil(bp.size * top_fraction))
    share = float(np.sort(bp)[::-1][:top].sum() / bp.sum())
    return ParetoCheck(int(bp.size), top, share)


# ---- a list's boxes in sum ---------------------------------------------------------------------


@dataclass(frozen=True)
class BoxTotal:
    """One box of the grid over a list: how many accounts fall in it and the BP they hold."""

    box: str
    count: int
    bp_wan: float
    share_pct: float | None  # of the list's BP, 0–100; None when the list holds no BP


@dataclass(frozen=True)
class BoxSummary:
    """Every box of the grid (``BOXES`` order) over a list, and the list's totals."""

    boxes: tuple[BoxTotal, ...]
    count: int
    bp_wan: float

    def lines(self, lang: Lang) -> list[str]:
        """The summary as a text table: a header, a rule, one row per box, a rule and the total."""
        rows = [[t(f"cli.screen.col_{c}", lang) for c in ("box", "status", "level", "count", "bp", "share")]]
        for b in self.boxes:
            share = "-" if b.share_pct is None else f"{b.share_pct:.1f}%"
            rows.append([b.box, t(f"screening.status.{b.box[0]}", lang), b.box[1], f"{b.count:,}",
                         f"{b.bp_wan:,.1f}", share])
        rows.append([t("cli.screen.total", lang), "", "", f"{self.count:,}", f"{self.bp_wan:,.1f}",
                     "100.0%" if self.bp_wan > 0 else "-"])
        lines = _aligned(rows, right={3, 4, 5})
        rule = "-" * max(map(display_width, lines))
        return [lines[0], rule, *lines[1:-1], rule, lines[-1]]


def box_summary(bp_wan: pd.Series, boxes: pd.Series) -> BoxSummary:
    """Accounts and BP per box, from each account's BP (wan yuan) and box (``classify``'s ``box``, same index)."""
    totals = bp_wan.groupby(boxes, observed=False).agg(["count", "sum"]).reindex(list(BOXES), fill_value=0)
    total_bp = float(bp_wan.sum())
    out = []
    for box, count, amount in zip(BOXES, totals["count"].to_numpy(), totals["sum"].to_numpy(), strict=True):
        share = 100 * float(amount) / total_bp if total_bp > 0 else None
        out.append(BoxTotal(box, int(count), float(amount), share))
    return BoxSummary(tuple(out), len(bp_wan), total_bp)


def _aligned(rows: list[list[str]], right: set[int]) -> list[str]:
    """Rows as text columns two spaces apart, by display width (Chinese characters take two); the columns
    in ``right`` aligned right."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [(" " * (w - display_width(c)) + c) if i in right else (c + " " * (w - display_width(c)))
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return lines
