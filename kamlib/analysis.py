"""Chapter 2, customer analysis: the information pyramid, readiness, the five-step method, factors.

Pure logic on the workbook's rows: every user-facing word is a catalog key (``analysis.*``),
so the same results read in Chinese and English.

Documented rules:

* **Readiness for the first visit** (``ready_for_first_visit``): public information must be known
  before the first visit (COURSE.md 2.1). Ready means every standard public item is in the
  inventory *and* every public item (standard or the trainee's own) has status ``known``;
  ``partly`` does not count. A standard public item missing from the inventory is missing.
* **Depth** (``depth_by_level``): known = 1, partly = 0.5, unknown = 0, averaged over the items
  of each level; a level with no items has depth 0.
* **Ranking opportunities** (``rank_opportunities``): lexicographic, stable: larger amount first,
  then sooner expected date, then stronger competitive position (strong > even > weak);
  a missing value sorts after every given one.
* **Quadrants** (``factor_quadrant``, COURSE.md 3.1): advantage + weak control = use,
  advantage + strong control = leverage, disadvantage + weak control = reduce,
  disadvantage + strong control = eliminate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kamlib.i18n import LANGS, Lang, Text, t
from kamlib.model.workbook import (
    AccountPlan,
    Dimension,
    Factor,
    InfoLevel,
    InformationItem,
    Opportunity,
    Position,
)

Side = Literal["them", "us"]
Quadrant = Literal["use", "leverage", "reduce", "eliminate"]
ItemStatus = Literal["known", "partly", "unknown"]

PYRAMID_LEVELS: tuple[InfoLevel, ...] = ("public", "limited", "important", "exclusive")  # bottom to top
LEVELS: tuple[InfoLevel, ...] = (*PYRAMID_LEVELS, "us")
SIDES: tuple[Side, ...] = ("them", "us")
STATUSES: tuple[ItemStatus, ...] = ("known", "partly", "unknown")
STATUS_WEIGHT: dict[ItemStatus, float] = {"known": 1.0, "partly": 0.5, "unknown": 0.0}

# The course's standard items per level (COURSE.md 2.1); each is the catalog key ``analysis.item.<key>``.
PYRAMID_ITEMS: dict[InfoLevel, tuple[str, ...]] = {
    "public": (
        "annual_reports", "products", "press", "management", "org_structure", "industry_reports", "competition",
    ),
    "limited": ("financials", "project_plans", "procurement_process", "it_requirements"),
    "important": ("key_persons", "tasks_motives", "budget", "bid_criteria", "tender_participants", "competitors"),
    "exclusive": ("personal_motives",),
    "us": (
        "position", "strengths", "visits", "swot", "product_cycle", "purchase_history", "integrators",
        "deal_prices", "profit_sharing",
    ),
}

# Where to get it (COURSE.md 2.2): per pyramid level, channels about them and about us,
# each the catalog key ``analysis.channel.<key>``.
CHANNELS: dict[InfoLevel, dict[Side, tuple[str, ...]]] = {
    "public": {
        "them": ("customer_website", "search_engines", "stock_exchange"),
        "us": ("colleagues", "ka_website"),
    },
    "limited": {
        "them": ("industry_media", "consultants"),
        "us": ("colleagues", "strategic_plan", "intranet"),
    },
    "important": {
        "them": ("insiders", "integrators"),
        "us": ("ka_marketing", "customer_database"),
    },
    "exclusive": {
        "them": ("key_persons",),
        "us": ("purchase_agreements", "integrators"),
    },
}

TECHNIQUES: tuple[str, ...] = ("follow_vine", "peer_analogy", "hypothesis")  # analysis.technique.<k>.title/what
CAUTIONS: tuple[str, ...] = ("order", "value", "personal", "bottom_line")  # analysis.caution.<k>
STEPS: tuple[int, ...] = (1, 2, 3, 4, 5)  # analysis.step.<n>.title/what
DIMENSIONS: tuple[Dimension, ...] = ("product", "price", "service", "people", "politics", "other")
QUADRANTS: tuple[Quadrant, ...] = ("use", "leverage", "reduce", "eliminate")
POSITION_RANK: dict[Position, int] = {"strong": 0, "even": 1, "weak": 2}


def item_label(key: str) -> Text:
    """The name of a standard item."""
    return Text(f"analysis.item.{key}")


def level_label(level: InfoLevel) -> Text:
    """The name of a level of the pyramid (or of the 'about us' list)."""
    return Text(f"analysis.level.{level}")


def dimension_label(dimension: Dimension) -> Text:
    """The name of a dimension of the information analysis model."""
    return Text(f"analysis.dimension.{dimension}")


def quadrant_label(quadrant: Quadrant) -> Text:
    """The response to a quadrant: use, leverage, reduce, eliminate."""
    return Text(f"analysis.quadrant.{quadrant}")


# ---- the inventory -----------------------------------------------------------------------------


def _norm(topic: str) -> str:
    return " ".join(topic.split()).casefold()


def standard_key(topic: str) -> str | None:
    """The standard item a topic names, in either language (spaces and case ignored), else None."""
    wanted = _norm(topic)
    for keys in PYRAMID_ITEMS.values():
        for key in keys:
            if any(_norm(t(f"analysis.item.{key}", lang)) == wanted for lang in LANGS):
                return key
    return None


def starter_items(lang: Lang) -> list[InformationItem]:
    """One unknown item per standard item, level by level, with its topic in the trainee's language."""
    return [
        InformationItem(level=level, topic=t(f"analysis.item.{key}", lang))
        for level in LEVELS
        for key in PYRAMID_ITEMS[level]
    ]


def missing_standard_items(items: Iterable[InformationItem], lang: Lang) -> list[InformationItem]:
    """The starter items whose topic (in either language) is not yet in ``items``."""
    present = {standard_key(item.topic) for item in items}
    return [
        InformationItem(level=level, topic=t(f"analysis.item.{key}", lang))
        for level in LEVELS
        for key in PYRAMID_ITEMS[level]
        if key not in present
    ]


def channel_options(level: InfoLevel, lang: Lang, side: Side | None = None) -> list[str]:
    """The course's channels for an item of ``level``, as labels.

    A pyramid level gives its channels about them (``side`` may ask for the other column);
    the 'about us' level gives every channel about us, each once, in table order.
    """
    if level == "us" or side == "us":
        levels = PYRAMID_LEVELS if level == "us" else (level,)
        keys = [key for lv in levels for key in CHANNELS[lv]["us"]]
    else:
        keys = list(CHANNELS[level]["them"])
    return [t(f"analysis.channel.{key}", lang) for key in dict.fromkeys(keys)]


# ---- readiness and depth -----------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """Whether public information is known before the first visit, and what is still missing."""

    ready: bool
    known: int  # standard public items present and known, plus the trainee's own known public items
    total: int  # standard public items plus the trainee's own public items
    missing: list[Text] = field(default_factory=list)

    def summary(self) -> Text:
        """'Ready for the first visit: yes' or 'no (n missing)'."""
        if self.ready:
            return Text("analysis.readiness.ready")
        return Text("analysis.readiness.not_ready", {"count": len(self.missing)})


def ready_for_first_visit(items: Iterable[InformationItem]) -> Readiness:
    """Ready when every standard public item is present and every public item is known (not partly)."""
    public = [item for item in items if item.level == "public"]
    by_key = {standard_key(item.topic): item for item in public}
    missing: list[Text] = []
    for key in PYRAMID_ITEMS["public"]:
        if key not in by_key:
            missing.append(Text("analysis.readiness.absent", {"topic": item_label(key)}))
    known = 0
    for item in public:
        if item.status == "known":
            known += 1
        else:
            missing.append(Text("analysis.readiness.not_known", {
                "topic": item.topic, "status": Text(f"analysis.status.{item.status}"),
            }))
    total = len(public) + sum(key not in by_key for key in PYRAMID_ITEMS["public"])
    return Readiness(ready=not missing, known=known, total=total, missing=missing)


def depth_by_level(items: Iterable[InformationItem]) -> dict[InfoLevel, float]:
    """Per level, the mean of known = 1, partly = 0.5, unknown = 0; 0 for a level without items."""
    sums: dict[InfoLevel, list[float]] = {level: [] for level in LEVELS}
    for item in items:
        sums[item.level].append(STATUS_WEIGHT[item.status])
    return {level: (sum(v) / len(v) if v else 0.0) for level, v in sums.items()}


# ---- the five-step method ----------------------------------------------------------------------


@dataclass(frozen=True)
class StepStatus:
    """One step of the five-step method: done, or what is missing before the next step makes sense."""

    step: int
    done: bool
    missing: list[Text] = field(default_factory=list)

    @property
    def title(self) -> Text:
        return Text(f"analysis.step.{self.step}.title")

    @property
    def what(self) -> Text:
        return Text(f"analysis.step.{self.step}.what")


def _step1(plan: AccountPlan) -> list[Text]:
    departments = plan.departments.items
    if not departments:
        return [Text("analysis.five.no_departments")]
    return [Text("analysis.five.no_duties", {"name": d.name}) for d in departments if not d.duties]


def _step2(plan: AccountPlan) -> list[Text]:
    key_departments = [d for d in plan.departments.items if d.key]
    if not key_departments:
        return [Text("analysis.five.no_key_department")]
    staffed = {_norm(p.department) for p in plan.key_persons.items if p.department}
    return [
        Text("analysis.five.no_key_persons", {"name": d.name})
        for d in key_departments
        if _norm(d.name) not in staffed
    ]


NEED_FIELDS: tuple[str, ...] = ("kind", "budget_wan", "funds", "timing")


def _step3(plan: AccountPlan) -> list[Text]:
    needs = plan.needs.items
    if not needs:
        return [Text("analysis.five.no_needs")]
    missing = []
    for need in needs:
        for name in NEED_FIELDS:
            value = getattr(need, name)
            if value is None or value == "":
                missing.append(Text("analysis.five.need_field", {
                    "project": need.project, "field": Text(f"analysis.field.{name}"),
                }))
    return missing


OPPORTUNITY_RANK_FIELDS: tuple[str, ...] = ("amount_wan", "expected_on", "position")
TARGET_FIELDS: tuple[str, ...] = ("funding_source", "decision_process", "procurement_process")


def _step4(plan: AccountPlan) -> list[Text]:
    opportunities = plan.opportunities.items
    if not opportunities:
        return [Text("analysis.five.no_opportunities")]
    missing = [
        Text("analysis.five.rank_field", {"name": o.name, "field": Text(f"analysis.field.{name}")})
        for o in opportunities
        for name in OPPORTUNITY_RANK_FIELDS
        if getattr(o, name) is None
    ]
    target = rank_opportunities(opportunities)[0]
    missing += [
        Text("analysis.five.target_field", {"name": target.name, "field": Text(f"analysis.field.{name}")})
        for name in TARGET_FIELDS
        if not getattr(target, name)
    ]
    person_ids = {p.id for p in plan.key_persons.items}
    if not any(pid in person_ids for pid in target.people):
        missing.append(Text("analysis.five.target_people", {"name": target.name}))
    return missing


def _step5(plan: AccountPlan) -> list[Text]:
    tasks = plan.push_plan.items
    if not tasks:
        return [Text("analysis.five.no_tasks")]
    return [Text("analysis.five.task_date", {"task": task.task}) for task in tasks if task.due_on is None]


def five_step_status(plan: AccountPlan) -> list[StepStatus]:
    """Steps 1-5 of the five-step method, each done or with what is still missing.

    1 organisation: at least one department, each with its duties.
    2 key links: at least one key department, and key persons (``KeyPerson.department`` equal to
      its name, case and spaces ignored) in every key department.
    3 needs: at least one project, each with kind, budget, funds and timing.
    4 decision process: at least one opportunity, each with amount, date and position (so they
      can be ranked); the target (first of ``rank_opportunities``) with funding source, decision
      and procurement process, and at least one of its people on the key-person list.
    5 push plan: at least one task, each with a date.
    """
    checks = (_step1, _step2, _step3, _step4, _step5)
    out = []
    for step, check in zip(STEPS, checks, strict=True):
        missing = check(plan)
        out.append(StepStatus(step=step, done=not missing, missing=missing))
    return out


# ---- opportunities and factors -----------------------------------------------------------------


def opportunity_sort_key(opp: Opportunity) -> tuple[float, dt.date, int]:
    """Larger amount, then sooner date, then stronger position first; missing values last."""
    amount = -opp.amount_wan if opp.amount_wan is not None else float("inf")
    expected = opp.expected_on if opp.expected_on is not None else dt.date.max
    position = POSITION_RANK[opp.position] if opp.position is not None else len(POSITION_RANK)
    return amount, expected, position


def rank_opportunities(opps: Sequence[Opportunity]) -> list[Opportunity]:
    """The opportunities to track first, lexicographically by amount, timing, position (stable)."""
    return sorted(opps, key=opportunity_sort_key)


def factor_quadrant(f: Factor) -> Quadrant:
    """The response to a factor (COURSE.md 3.1): use, leverage, reduce or eliminate."""
    if f.advantage:
        return "leverage" if f.strong_control else "use"
    return "eliminate" if f.strong_control else "reduce"
