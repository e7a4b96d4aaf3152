"""Chapter 1.4, the screening guidelines: BP × SoW plus five criteria, as a checklist per candidate account.

The deck's screening guidelines: the account's BP and SoW%, and historical output ranking,
major projects or opportunities this year, industry benchmark, industry influence, key account for
fighting a competitor. The trainee ticks the criteria per account (``Account.criteria``; the benchmark
criterion is ``Account.benchmark``, which the Strategic rule reads too); BP × SoW is the RADP box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from kamlib.model.workbook import Account, GuidelineCriterion, KeyAccountPick, PickKind
from kamlib.screening import Qualification, qualify, radp_box, radp_level, reference_year
from kamlib.settings import RadpSettings

Criterion = Literal["output_rank", "major_opportunity", "benchmark", "industry_influence", "fight_competitor"]
CRITERIA: tuple[Criterion, ...] = get_args(Criterion)  # the deck's order
TICKED: tuple[GuidelineCriterion, ...] = get_args(GuidelineCriterion)  # kept in ``Account.criteria``


def criteria_met(account: Account) -> tuple[Criterion, ...]:
    """The criteria the account meets, in the deck's order: the trainee's ticks and the benchmark flag."""
    met: set[str] = set(account.criteria) | ({"benchmark"} if account.benchmark else set())
    return tuple(c for c in CRITERIA if c in met)


def with_criteria(account: Account, met: Sequence[str]) -> Account:
    """The account with exactly the criteria ``met`` (the benchmark flag included), as the checklist saves it."""
    unknown = set(met) - set(CRITERIA)
    if unknown:
        raise ValueError(f"unknown criteria: {sorted(unknown)}")
    return account.model_copy(update={
        "criteria": [c for c in TICKED if c in met], "benchmark": "benchmark" in met,
    })


def our_output(account: Account, this_year: int, years: int = 3) -> float | None:
    """Our sales at the account (BP × SoW, wan yuan) summed over this year and the years before it (three by
    default); None when none of them has both figures."""
    figures = [(y.bp_wan, y.sow_pct) for y in account.history if this_year - years < y.year < this_year]
    figures.append((account.bp_wan, account.sow_pct))
    known = [bp * sow / 100 for bp, sow in figures if bp is not None and sow is not None]
    return sum(known) if known else None


def output_ranking(accounts: Sequence[Account], this_year: int | None = None) -> dict[str, int]:
    """Each account's place by our output over the last three years (1 = the largest; equal outputs share
    a place); accounts without figures are left out. The help for ticking "historical output ranking"."""
    ref = this_year if this_year is not None else reference_year(accounts)
    outputs = {a.id: out for a in accounts if (out := our_output(a, ref)) is not None}
    ordered = sorted(outputs.values(), reverse=True)
    return {account_id: ordered.index(out) + 1 for account_id, out in outputs.items()}


@dataclass(frozen=True)
class ChecklistRow:
    """One account on the checklist: its box (BP × SoW), how it stands against the Top/Strategic rule,
    whether it is picked, its place by historical output, and the criteria it meets."""

    account: Account
    box: str | None
    qualification: Qualification
    pick: PickKind | None
    output_rank: int | None
    met: tuple[Criterion, ...]

    @property
    def standing(self) -> Literal["eligible", "candidate", "other"]:
        q = self.qualification
        return "eligible" if q.eligible else "candidate" if q.candidate else "other"


def checklist_rows(
    accounts: Sequence[Account], picks: Sequence[KeyAccountPick] = (), radp: RadpSettings | None = None,
    this_year: int | None = None,
) -> list[ChecklistRow]:
    """The accounts to check against the guidelines: every LEVEL3 account this year, every account the
    Top/Strategic rule makes eligible or a candidate, and every pick. Eligible first, then candidates, then
    the rest; within each, picks first, then the largest BP."""
    ref = this_year if this_year is not None else reference_year(accounts)
    ranks = output_ranking(accounts, ref)
    picked = {p.account_id: p.kind for p in picks}
    rows = []
    for a in accounts:
        q = qualify(a, radp, ref)
        level3 = a.bp_wan is not None and radp_level(a.bp_wan, radp) == 3
        if not (level3 or q.kind or a.id in picked):
            continue
        box = radp_box(a.sow_pct, a.bp_wan, radp) if a.sow_pct is not None and a.bp_wan is not None else None
        rows.append(ChecklistRow(a, box, q, picked.get(a.id), ranks.get(a.id), criteria_met(a)))
    order = {"eligible": 0, "candidate": 1, "other": 2}
    return sorted(rows, key=lambda r: (order[r.standing], r.account.id not in picked, -(r.account.bp_wan or 0)))
