"""Chapter 4, continuous account management: profit leverage, the whitespace map (cross-sell and up-sell),
the organisational customer relationship, the substitutability assessment and the relationship stage.

Pure logic on the models of ``kamlib.model.retention`` (no widgets, no charts). The deck's rules are
followed as COURSE.md gives them; where the deck is silent the reading is ours, and said so:

* **Profit leverage** (``leverage_figures``): profit = volume × (price − material cost − variable cost)
  − fixed cost. A price change moves only the price, a volume change only the volume; unit costs and
  the fixed cost stay as they are, and a price rise is not assumed to cost any volume by itself
  (``volume_loss_allowed_pct`` tells how much volume it may cost before profit falls). The deck's
  example: 100 units → 10,000; +1% volume → 10,100; +1% price → 11,000.
* **Whitespace map** (``whitespace_map``): the units of the chapter-1 customer tree × our product lines.
  A cell is bought, an open opportunity, not applicable, or not marked yet. A *gap* is a cell that is
  neither bought nor not applicable (open or not marked): white space to cross-sell into. Gaps whose
  line the account already buys at another unit come first (a reference inside the account).
* **Organisational relationship** (``org_summary``): the deck's three kinds and their sub-items; "doing
  any one of them means an organisational customer relationship is established" — one tie in place.
* **Substitutability assessment**: the deck's eight questions, yes = 1, no = 0. It is periodic; we
  remind after ``REVIEW_DAYS`` days. Which of the deck's marketing activities answers which question
  scored 0 is our mapping, ``QUESTION_ACTIVITIES``.
* **Stage** (``stage_hints``): the deck gives no rule from score to stage. Our heuristic: each stage has
  a plausible score band (``STAGE_BANDS``) and some questions that must be yes for it to be credible
  (``STAGE_REQUIRES``); a placement outside the band, or a required question at 0, gives a hint — never a
  verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import get_args

from kamlib.customer_tree import levels, tree_order
from kamlib.errors import InputError
from kamlib.i18n import Text
from kamlib.model.retention import (
    Activity,
    Assessment,
    CellStatus,
    LeverageInputs,
    OrgItem,
    OrgRelation,
    PlannedActivity,
    ProductLine,
    Stage,
    StageChoice,
    WhitespaceCell,
)
from kamlib.model.workbook import TreeUnit

# ---- profit leverage ------------------------------------------------------------------------------

DECK_EXAMPLE = LeverageInputs(price=1000, material_cost=800, variable_cost=100, volume=100, fixed_cost=0,
                              change_pct=1)
_REQUIRED = ("price", "material_cost", "variable_cost", "volume")


def _clean(value: float) -> float:
    """Rounded to 6 decimals, so 10,100 is not 10,100.000000000002."""
    return round(value, 6) + 0.0


def profit(price: float, material_cost: float, variable_cost: float, volume: float, fixed_cost: float = 0.0) -> float:
    """Profit = volume × (price − material cost − variable cost) − fixed cost."""
    return _clean(volume * (price - material_cost - variable_cost) - fixed_cost)


def _scaled(value: float, change_pct: float) -> float:
    """``value`` changed by ``change_pct`` percent (100 units +1% → 101 exactly)."""
    return value * (100 + change_pct) / 100


def volume_change_for_same_profit(price: float, unit_cost: float, price_change_pct: float) -> float | None:
    """The volume change (%) that keeps profit where it was after a price change of ``price_change_pct`` %.

    Negative: the volume that may be lost (after a price rise); positive: the volume that must be won
    (after a discount). The fixed cost cancels out. None when the new price leaves no margin per unit
    (no volume makes up for it) or when there is no margin before the change either. Capped at −100%.
    """
    margin = price - unit_cost
    new_margin = _scaled(price, price_change_pct) - unit_cost
    if new_margin <= 0 or (margin <= 0 and price_change_pct < 0):
        return None
    return _clean(max(-100.0, (margin / new_margin - 1) * 100))


@dataclass(frozen=True)
class LeverageFigures:
    """The calculator's results (yuan; shares in %); None where a ratio has no meaning."""

    change_pct: float
    unit_margin: float
    margin_pct: float | None  # unit margin / price
    base_profit: float
    volume_profit: float  # volume + x%
    price_profit: float  # price + x%
    discount_profit: float  # price − x%
    volume_gain_pct: float | None  # profit change of + x% volume, in % of the base profit
    price_gain_pct: float | None
    leverage: float | None  # profit gained by + x% price over profit gained by + x% volume
    volume_loss_allowed_pct: float | None  # after + x% price: volume that may be lost before profit falls
    discount_volume_needed_pct: float | None  # after − x% price: volume to win to keep the profit


def missing_inputs(inputs: LeverageInputs) -> list[str]:
    """The names of the figures the calculator still needs."""
    return [name for name in _REQUIRED if getattr(inputs, name) is None]


def leverage_figures(inputs: LeverageInputs) -> LeverageFigures:
    """Compare + x% price with + x% volume (x = ``inputs.change_pct``); raise ``InputError`` naming what is
    missing or not accepted (price and volume above 0)."""
    problems = [Text("retention.leverage.missing", {"field": Text(f"retention.field.{name}")})
                for name in missing_inputs(inputs)]
    for name in ("price", "volume"):
        value = getattr(inputs, name)
        if value is not None and value <= 0:
            problems.append(Text("retention.leverage.positive", {"field": Text(f"retention.field.{name}")}))
    if problems:
        raise InputError("retention.leverage.cannot", details=problems)
    price, volume, x = float(inputs.price), float(inputs.volume), inputs.change_pct  # type: ignore[arg-type]
    material, variable, fixed = float(inputs.material_cost), float(inputs.variable_cost), inputs.fixed_cost  # type: ignore[arg-type]
    unit_cost = material + variable
    base = profit(price, material, variable, volume, fixed)
    more_volume = profit(price, material, variable, _scaled(volume, x), fixed)
    higher_price = profit(_scaled(price, x), material, variable, volume, fixed)
    discount = profit(_scaled(price, -x), material, variable, volume, fixed)
    gain_volume, gain_price = more_volume - base, higher_price - base
    loss = volume_change_for_same_profit(price, unit_cost, x)
    return LeverageFigures(
        change_pct=x,
        unit_margin=_clean(price - unit_cost),
        margin_pct=_clean((price - unit_cost) / price * 100),
        base_profit=base,
        volume_profit=more_volume,
        price_profit=higher_price,
        discount_profit=discount,
        volume_gain_pct=_clean(gain_volume / abs(base) * 100) if base else None,
        price_gain_pct=_clean(gain_price / abs(base) * 100) if base else None,
        leverage=_clean(gain_price / gain_volume) if gain_volume > 0 else None,
        volume_loss_allowed_pct=None if loss is None else _clean(-loss),
        discount_volume_needed_pct=volume_change_for_same_profit(price, unit_cost, -x),
    )


def volume_change_curve(inputs: LeverageInputs, changes: Iterable[float]) -> list[tuple[float, float | None]]:
    """For each price change (%), the volume change (%) that keeps profit the same (None: none does)."""
    leverage_figures(inputs)  # the same checks as the calculator
    unit_cost = float(inputs.material_cost) + float(inputs.variable_cost)  # type: ignore[arg-type]
    return [(c, volume_change_for_same_profit(float(inputs.price), unit_cost, c)) for c in changes]  # type: ignore[arg-type]


# ---- whitespace map (cross-sell and up-sell) ------------------------------------------------------

CELL_STATUSES: tuple[CellStatus, ...] = get_args(CellStatus)


@dataclass(frozen=True)
class CellCounts:
    """How many cells are bought, open, not applicable or not marked; gaps = open + not marked."""

    bought: int = 0
    open: int = 0
    na: int = 0
    unmarked: int = 0

    @property
    def gaps(self) -> int:
        return self.open + self.unmarked

    @property
    def total(self) -> int:
        return self.bought + self.open + self.na + self.unmarked

    @property
    def coverage(self) -> float | None:
        """Bought over the cells that apply (None when none applies)."""
        applicable = self.total - self.na
        return self.bought / applicable if applicable else None


@dataclass(frozen=True)
class Gap:
    """A cell of white space: unit, line, open or not marked yet, and whether another unit buys that line."""

    unit_id: str
    line_id: str
    status: CellStatus | None
    bought_elsewhere: bool


@dataclass(frozen=True)
class WhitespaceMap:
    """The account's units (tree order) × our product lines, with each cell's status (None: not marked)."""

    units: tuple[TreeUnit, ...]
    levels: dict[str, int]
    lines: tuple[ProductLine, ...]
    cells: dict[tuple[str, str], CellStatus] = field(default_factory=dict)

    def status(self, unit_id: str, line_id: str) -> CellStatus | None:
        return self.cells.get((unit_id, line_id))

    def counts(self, unit_id: str | None = None, line_id: str | None = None) -> CellCounts:
        """Counts over the whole map, one unit's row or one line's column."""
        tally = dict.fromkeys(("bought", "open", "na", "unmarked"), 0)
        for unit in self.units:
            if unit_id is not None and unit.id != unit_id:
                continue
            for line in self.lines:
                if line_id is not None and line.id != line_id:
                    continue
                tally[self.status(unit.id, line.id) or "unmarked"] += 1
        return CellCounts(**tally)

    def gaps(self) -> list[Gap]:
        """The white space: open opportunities first, then lines bought at another unit, then the rest
        (tree order, then line order, within each group)."""
        bought_lines = {line.id for line in self.lines
                        if any(self.status(u.id, line.id) == "bought" for u in self.units)}
        found: list[tuple[int, int, int, Gap]] = []
        for i, unit in enumerate(self.units):
            for j, line in enumerate(self.lines):
                status = self.status(unit.id, line.id)
                if status in ("bought", "na"):
                    continue
                elsewhere = line.id in bought_lines
                group = 0 if status == "open" else (1 if elsewhere else 2)
                found.append((group, i, j, Gap(unit.id, line.id, status, elsewhere)))
        return [gap for *_, gap in sorted(found, key=lambda f: f[:3])]


def whitespace_map(units: Sequence[TreeUnit], lines: Sequence[ProductLine],
                   cells: Iterable[WhitespaceCell]) -> WhitespaceMap:
    """The map of the customer tree's units (those the tree can place, in tree order) × ``lines``.

    Cells of units or lines no longer in the plan are left out; the first status of a cell wins.
    """
    ordered = tree_order(list(units))
    unit_ids = {u.id for u in ordered}
    line_ids = {line.id for line in lines}
    by_cell: dict[tuple[str, str], CellStatus] = {}
    for cell in cells:
        if cell.unit_id in unit_ids and cell.line_id in line_ids:
            by_cell.setdefault((cell.unit_id, cell.line_id), cell.status)
    return WhitespaceMap(tuple(ordered), levels(list(units)), tuple(lines), by_cell)


def whitespace_cells(statuses: dict[tuple[str, str], CellStatus | None]) -> list[WhitespaceCell]:
    """The cells to store from a grid of statuses (not-marked cells are not stored)."""
    return [WhitespaceCell(unit_id=u, line_id=line, status=s) for (u, line), s in statuses.items() if s is not None]


# ---- organisational customer relationship -----------------------------------------------------------

ORG_ITEMS: dict[str, tuple[OrgItem, ...]] = {
    "structure": ("consulting", "outsourcing", "alliance", "structure_other"),
    "technology": ("customisation", "system_development", "technology_other"),
    "support": ("resident_engineers", "financing", "advertising_exchange", "marketing_cooperation", "support_other"),
}
ORG_KINDS: tuple[str, ...] = tuple(ORG_ITEMS)


def org_kind(item: OrgItem) -> str:
    """The kind (structure, technology, support) a sub-item belongs to."""
    return next(kind for kind, items in ORG_ITEMS.items() if item in items)


@dataclass(frozen=True)
class OrgSummary:
    """The ties per kind, in place and planned; established once any one tie is in place (the deck's rule)."""

    in_place: dict[str, list[OrgRelation]]
    planned: dict[str, list[OrgRelation]]

    @property
    def established(self) -> bool:
        return any(self.in_place.values())

    @property
    def kinds_in_place(self) -> list[str]:
        return [kind for kind in ORG_KINDS if self.in_place[kind]]


def org_summary(relations: Iterable[OrgRelation]) -> OrgSummary:
    in_place: dict[str, list[OrgRelation]] = {kind: [] for kind in ORG_KINDS}
    planned: dict[str, list[OrgRelation]] = {kind: [] for kind in ORG_KINDS}
    for relation in relations:
        (in_place if relation.status == "in_place" else planned)[org_kind(relation.item)].append(relation)
    return OrgSummary(in_place, planned)


# ---- the substitutability assessment (step 1) and the activities (step 3) -------------------------

QUESTIONS: tuple[str, ...] = (
    "departments",  # 1 several of our departments are in contact with the customer's units
    "decision_levels",  # 2 direct relationships with several levels of the customer's decision makers
    "leaders",  # 3 our leaders at every level have contact with the customer
    "user_voice",  # 4 a way to hear the customer's internal users' opinions
    "product_lines",  # 5 several product lines sold there
    "dedicated_support",  # 6 dedicated products or technical support
    "exclusive_service",  # 7 exclusive services
    "cooperation",  # 8 cooperation beyond product purchase (marketing or strategic)
)
MAX_SCORE = len(QUESTIONS)
ACTIVITIES: tuple[Activity, ...] = tuple(a for a in get_args(Activity) if a != "other")  # the deck's list
# Our mapping of the deck's activity list onto the questions: which activities turn a 0 into a 1.
QUESTION_ACTIVITIES: dict[str, tuple[Activity, ...]] = {
    "departments": ("service_supply", "finance", "training"),
    "decision_levels": ("executive_care", "strategic_cooperation"),
    "leaders": ("executive_care",),
    "user_voice": ("service_supply", "training"),
    "product_lines": ("training", "certification", "finance"),
    "dedicated_support": ("service_supply", "certification", "training"),
    "exclusive_service": ("service_supply", "finance", "certification"),
    "cooperation": ("strategic_cooperation", "executive_care", "finance"),
}
REVIEW_DAYS = 91  # the assessment is periodic: we suggest once a quarter


def question_number(code: str) -> int:
    """1–8, the deck's order."""
    return QUESTIONS.index(code) + 1


def score(assessment: Assessment) -> int:
    """Yes = 1 point, no = 0: 0–8."""
    return sum(assessment.answers)


def history(assessments: Iterable[Assessment]) -> list[Assessment]:
    """The assessments by date, oldest first (same date: as entered)."""
    return sorted(assessments, key=lambda a: a.taken_on)


def latest(assessments: Iterable[Assessment]) -> Assessment | None:
    """The most recent assessment (same date: the one entered last)."""
    ordered = history(assessments)
    return ordered[-1] if ordered else None


@dataclass(frozen=True)
class TrendPoint:
    """One assessment on the trend: its date, score, change against the one before, its crisis link."""

    assessment_id: str
    taken_on: dt.date
    score: int
    change: int | None
    crisis_id: str | None


def trend(assessments: Iterable[Assessment]) -> list[TrendPoint]:
    """The score over time; a rising score is progress (the deck)."""
    points: list[TrendPoint] = []
    for a in history(assessments):
        change = score(a) - points[-1].score if points else None
        points.append(TrendPoint(a.id, a.taken_on, score(a), change, a.crisis_id))
    return points


def zero_questions(assessment: Assessment) -> list[str]:
    """The questions that scored 0: where the organisational relationship still needs work."""
    return [q for q, yes in zip(QUESTIONS, assessment.answers, strict=True) if not yes]


def recommended_activities(assessment: Assessment) -> dict[str, tuple[Activity, ...]]:
    """For each question that scored 0, the deck's activities that address it (our mapping)."""
    return {q: QUESTION_ACTIVITIES[q] for q in zero_questions(assessment)}


def uncovered_questions(assessment: Assessment, planned: Iterable[PlannedActivity]) -> list[str]:
    """Questions that scored 0 and that no planned (not yet done) activity is aimed at."""
    aimed = {n for p in planned if not p.done for n in p.questions}
    return [q for q in zero_questions(assessment) if question_number(q) not in aimed]


def answer_changes(before: Assessment, after: Assessment) -> dict[str, tuple[bool, bool]]:
    """The questions whose answer changed from ``before`` to ``after``: code → (before, after)."""
    return {q: (b, a) for q, b, a in zip(QUESTIONS, before.answers, after.answers, strict=True) if b != a}


def next_review(assessments: Iterable[Assessment]) -> dt.date | None:
    """When the assessment is due again (``REVIEW_DAYS`` after the latest); None before the first one."""
    last = latest(assessments)
    return None if last is None else last.taken_on + dt.timedelta(days=REVIEW_DAYS)


# ---- the relationship stage (step 2) ---------------------------------------------------------------------

STAGES: tuple[Stage, ...] = get_args(Stage)
# Our heuristic (the deck gives no rule): the scores a stage is plausible with, inclusive …
STAGE_BANDS: dict[Stage, tuple[int, int]] = {
    "no_sales": (0, 2), "price": (0, 3), "product": (2, 5), "needs": (4, 7), "consultant": (6, 8),
}
# … the questions that must be yes for the stage to be credible …
STAGE_REQUIRES: dict[Stage, tuple[str, ...]] = {
    "needs": ("user_voice",),  # needs we cannot hear we cannot satisfy
    "consultant": ("user_voice", "decision_levels", "cooperation"),  # an adviser to several levels, beyond purchase
}
# … and the yes answers that contradict a stage.
STAGE_CONTRADICTS: dict[Stage, tuple[str, ...]] = {"no_sales": ("product_lines",)}


def stage_index(stage: Stage) -> int:
    return STAGES.index(stage)


def plausible_stages(points: int) -> list[Stage]:
    """The stages whose band holds ``points`` (our heuristic)."""
    return [s for s in STAGES if STAGE_BANDS[s][0] <= points <= STAGE_BANDS[s][1]]


def stage_hints(choice: StageChoice, assessment: Assessment | None, today: dt.date) -> list[Text]:
    """Where the chosen stage, the target and the latest assessment disagree (our heuristic, not a verdict)."""
    hints: list[Text] = []
    if assessment is None:
        hints.append(Text("retention.hint.no_assessment"))
    if choice.current is None:
        hints.append(Text("retention.hint.no_stage"))
    else:
        stage = Text(f"retention.stage.{choice.current}")
        if not choice.evidence.strip():
            hints.append(Text("retention.hint.no_evidence", {"stage": stage}))
        if assessment is not None:
            hints += _stage_against_score(choice.current, assessment)
    if choice.target is None:
        if choice.current is not None and choice.current != STAGES[-1]:
            hints.append(Text("retention.hint.no_target"))
        return hints
    target = Text(f"retention.stage.{choice.target}")
    if choice.current is not None and stage_index(choice.target) <= stage_index(choice.current):
        hints.append(Text("retention.hint.target_not_above", {"target": target,
                                                               "stage": Text(f"retention.stage.{choice.current}")}))
    if choice.target_on is None:
        hints.append(Text("retention.hint.target_date", {"target": target}))
    elif choice.target_on < today and choice.current != choice.target:
        hints.append(Text("retention.hint.target_overdue", {"target": target, "date": choice.target_on.isoformat()}))
    if assessment is not None:
        low = STAGE_BANDS[choice.target][0]
        if score(assessment) < low:
            hints.append(Text("retention.hint.target_points", {"target": target, "low": low,
                                                                "count": low - score(assessment)}))
        missing = [q for q in STAGE_REQUIRES.get(choice.target, ()) if q in zero_questions(assessment)]
        if missing:
            hints.append(Text("retention.hint.target_questions", {"target": target, "questions": _questions(missing)}))
    return hints


def _stage_against_score(stage_code: Stage, assessment: Assessment) -> list[Text]:
    hints: list[Text] = []
    stage = Text(f"retention.stage.{stage_code}")
    points = score(assessment)
    low, high = STAGE_BANDS[stage_code]
    suggested = Text.join([Text("retention.quoted", {"text": Text(f"retention.stage.{s}")})
                           for s in plausible_stages(points)], separator="retention.or")
    if points < low:
        hints.append(Text("retention.hint.above_score", {"stage": stage, "score": points, "low": low,
                                                         "suggested": suggested}))
    elif points > high:
        hints.append(Text("retention.hint.below_score", {"stage": stage, "score": points, "high": high,
                                                         "suggested": suggested}))
    missing = [q for q in STAGE_REQUIRES.get(stage_code, ()) if q in zero_questions(assessment)]
    if missing:
        hints.append(Text("retention.hint.requires", {"stage": stage, "questions": _questions(missing)}))
    contradicting = [q for q in STAGE_CONTRADICTS.get(stage_code, ()) if q not in zero_questions(assessment)]
    if contradicting:
        hints.append(Text("retention.hint.contradicts", {"stage": stage, "questions": _questions(contradicting)}))
    return hints


def _questions(codes: list[str]) -> Text:
    """The questions as the deck numbers them, as one list."""
    return Text.join([Text("retention.numbered", {"n": question_number(q),
                                                   "text": Text(f"retention.question_short.{q}")}) for q in codes])


