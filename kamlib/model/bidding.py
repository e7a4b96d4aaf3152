"""Special topic 1 (bidding): the tenders the trainee prepares and the scoring-rule templates.

A tender (``Bid``) holds its scoring rule (J1 price, J2 product/technical, J3 service, J4 commercial,
points summing to 100), the budget ceiling, the small/micro enterprise price deduction, the bidders
(us and the competitors), the T1–T4 targets worksheet and the bid document checklist. Bidders'
expected J2–J4 scores are stored as shares of each part (percent), so a rule change keeps their
standing. Every field added here has a default: older files load unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from kamlib.model.base import Amount, Model, Name, Note, Percent, Row, ShortText

Part = Literal["j1_price", "j2_technical", "j3_service", "j4_commercial"]
Target = Literal["t1_customer", "t2_agency", "t3_experts", "t4_competitors"]
ChecklistItem = Literal["toc", "numbers", "know", "team", "visits"]

RULE_POINTS = 100  # the parts of a rule add up to this


# The deck's bounds of each part (low, high): a new template starts from them, and the course settings'
# [bidding] defaults are these (kamlib.settings.BiddingSettings).
DECK_BOUNDS: dict[str, tuple[int, int]] = {
    "j1_price": (30, 40), "j2_technical": (25, 35), "j3_service": (20, 30), "j4_commercial": (8, 12),
}


def _deck(part: str, end: str) -> int:
    """The deck's bound of a part: ``end`` is "low" or "high"."""
    low, high = DECK_BOUNDS[part]
    return low if end == "low" else high


def _kam(key: str, **params: object) -> PydanticCustomError:
    return PydanticCustomError("kam", "{key}", {"key": key, **params})


class ScoringRule(Model):
    """The points of each part of a scoring rule; the deck's worked example (35/30/25/10) by default."""

    j1_price: int = Field(35, ge=0, le=RULE_POINTS)
    j2_technical: int = Field(30, ge=0, le=RULE_POINTS)
    j3_service: int = Field(25, ge=0, le=RULE_POINTS)
    j4_commercial: int = Field(10, ge=0, le=RULE_POINTS)

    @model_validator(mode="after")
    def _sums_to_100(self) -> ScoringRule:
        total = self.j1_price + self.j2_technical + self.j3_service + self.j4_commercial
        if total != RULE_POINTS:
            raise _kam("bidding.errors.rule_sum", total=total)
        return self


class Bidder(Row):
    """A bidder of a tender: us or a competitor, their price and expected J2–J4 scores (share of each part, %)."""

    name: Name
    us: bool = False
    sme: bool = False  # a small or micro enterprise: its price is deducted for scoring
    price_wan: Amount | None = None  # the bid price, wan yuan (10,000 RMB)
    technical_pct: Percent | None = None  # expected J2 score as a share of J2's points
    service_pct: Percent | None = None  # expected J3 score as a share of J3's points
    commercial_pct: Percent | None = None  # expected J4 score as a share of J4's points
    notes: Note = ""


class TargetAction(Row):
    """A row of the T1–T4 targets worksheet: who influences a part of the rule, and what the trainee will do."""

    part: Part
    target: Target
    who: ShortText = ""
    action: Note = ""
    due_on: dt.date | None = None
    done: bool = False


class Bid(Row):
    """A tender the trainee prepares (special topic 1)."""

    name: Name
    due_on: dt.date | None = None
    notes: Note = ""
    budget_wan: Amount | None = None  # the budget ceiling (maximum price); a bid above it is invalid
    template_id: str | None = None  # the agency's rule template whose bounds apply; None: the course settings
    rule: ScoringRule = Field(default_factory=ScoringRule)
    sme_deduction_pct: float = Field(0, ge=0, le=50, allow_inf_nan=False)
    bidders: list[Bidder] = Field(default_factory=list)
    targets: list[TargetAction] = Field(default_factory=list)
    checklist: list[ChecklistItem] = Field(default_factory=list)  # the items ticked
    illustration: bool = False  # the deck's worked example with invented bidders

    @model_validator(mode="after")
    def _one_of_us(self) -> Bid:
        if sum(b.us for b in self.bidders) > 1:
            raise _kam("bidding.errors.two_us")
        return self


class RuleTemplate(Row):
    """An agency's scoring template, saved by name: the bounds of each part's points."""

    name: Name
    j1_price_low: int = Field(default_factory=lambda: _deck("j1_price", "low"), ge=0, le=RULE_POINTS)
    j1_price_high: int = Field(default_factory=lambda: _deck("j1_price", "high"), ge=0, le=RULE_POINTS)
    j2_technical_low: int = Field(default_factory=lambda: _deck("j2_technical", "low"), ge=0, le=RULE_POINTS)
    j2_technical_high: int = Field(default_factory=lambda: _deck("j2_technical", "high"), ge=0, le=RULE_POINTS)
    j3_service_low: int = Field(default_factory=lambda: _deck("j3_service", "low"), ge=0, le=RULE_POINTS)
    j3_service_high: int = Field(default_factory=lambda: _deck("j3_service", "high"), ge=0, le=RULE_POINTS)
    j4_commercial_low: int = Field(default_factory=lambda: _deck("j4_commercial", "low"), ge=0, le=RULE_POINTS)
    j4_commercial_high: int = Field(default_factory=lambda: _deck("j4_commercial", "high"), ge=0, le=RULE_POINTS)
    notes: Note = ""

    @model_validator(mode="after")
    def _bounds_allow_a_rule(self) -> RuleTemplate:
        parts = ("j1_price", "j2_technical", "j3_service", "j4_commercial")
        lows = [getattr(self, f"{p}_low") for p in parts]
        highs = [getattr(self, f"{p}_high") for p in parts]
        for part, low, high in zip(parts, lows, highs, strict=True):
            if low > high:
                raise _kam("bidding.errors.bounds_order", part=part.split("_")[0].upper(), low=low, high=high)
        if not sum(lows) <= RULE_POINTS <= sum(highs):
            raise _kam("bidding.errors.bounds_sum", low=sum(lows), high=sum(highs))
        return self
