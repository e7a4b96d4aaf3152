"""Special topic 1, bidding strategy: how a scoring rule decides the winner, and which rule to work for.

The rule has four parts, J1 price, J2 product/technical, J3 service and J4 commercial, whose points add
up to 100; each part has bounds (the deck's ranges from the course settings, or an agency's template).

Price score by the comprehensive scoring method of Chinese government procurement (MOF Order No. 87,
art. 55, low price first): the lowest valid bid is the base price and takes the full price points; every
other valid bid scores base / bid x price points. A bid above the budget ceiling is invalid (art. 63).
A small or micro enterprise's price is reduced by the tender's deduction percentage for scoring only
(the SME promotion measures, MOF/MIIT 2020 No. 46, art. 9); its bid price stays what it offered.
Ties on the total rank the lower bid price first (art. 57); equal score and price share the rank.

J2-J4: each bidder's expected score is a share of the part, so a rule change keeps its standing.
The rule search is exhaustive over the integer rules within the bounds, vectorised with numpy.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kamlib.errors import InputError, KamError
from kamlib.exercises import parse_number
from kamlib.i18n import Lang, Text, t
from kamlib.model.bidding import (
    RULE_POINTS,
    Bid,
    Bidder,
    ChecklistItem,
    Part,
    RuleTemplate,
    ScoringRule,
    Target,
    TargetAction,
)
from kamlib.settings import BiddingSettings

PARTS: tuple[Part, ...] = get_args(Part)
TARGETS: tuple[Target, ...] = get_args(Target)
CHECKLIST: tuple[ChecklistItem, ...] = get_args(ChecklistItem)
QUALITY_FIELDS: dict[Part, str] = {
    "j2_technical": "technical_pct", "j3_service": "service_pct", "j4_commercial": "commercial_pct",
}
EPS = 1e-9  # totals closer than this are equal
Bounds = Mapping[Part, tuple[int, int]]
Result = Literal["win", "win_price", "lose", "lose_price", "tie", "alone", "invalid", "no_us", "no_bidders"]
CONTESTED: tuple[Result, ...] = ("win", "win_price", "lose", "lose_price", "tie")  # we bid validly against others


def part_label(part: Part, lang: Lang) -> str:
    return t(f"bidding.part.{part}", lang)


def part_code(part: Part) -> str:
    """``J1`` … ``J4``."""
    return part.split("_")[0].upper()


# ---- bounds and rules ----------------------------------------------------------------------------------


def deck_bounds(settings: BiddingSettings | None = None) -> dict[Part, tuple[int, int]]:
    """The bounds of the course settings in force (the deck's 30–40, 25–35, 20–30, 8–12 by default)."""
    settings = settings or BiddingSettings()
    return {p: (getattr(settings, p).low, getattr(settings, p).high) for p in PARTS}


def template_bounds(template: RuleTemplate) -> dict[Part, tuple[int, int]]:
    return {p: (getattr(template, f"{p}_low"), getattr(template, f"{p}_high")) for p in PARTS}


@dataclass(frozen=True)
class BoundsInForce:
    """The bounds a tender's rule is held to, and where they come from."""

    bounds: dict[Part, tuple[int, int]]
    template: str | None = None  # the agency template's name; None: the course settings
    template_missing: bool = False  # the tender names a template that was deleted

    def describe(self, lang: Lang) -> str:
        ranges = ", ".join(f"{part_code(p)} {lo}–{hi}" for p, (lo, hi) in self.bounds.items())
        if self.template is not None:
            return t("bidding.bounds.template", lang, name=self.template, ranges=ranges)
        return t("bidding.bounds.settings", lang, ranges=ranges)


def bounds_for(bid: Bid, templates: Sequence[RuleTemplate], settings: BiddingSettings | None = None) -> BoundsInForce:
    """The tender's template bounds if it names one that exists, else the course settings' bounds."""
    if bid.template_id is not None:
        for template in templates:
            if template.id == bid.template_id:
                return BoundsInForce(template_bounds(template), template.name)
        return BoundsInForce(deck_bounds(settings), template_missing=True)
    return BoundsInForce(deck_bounds(settings))


def rule_vector(rule: ScoringRule | Mapping[Part, int]) -> tuple[int, ...]:
    """The rule's points in part order (J1, J2, J3, J4)."""
    if isinstance(rule, ScoringRule):
        return tuple(getattr(rule, p) for p in PARTS)
    return tuple(int(rule[p]) for p in PARTS)


def rule_text(rule: Sequence[int], lang: Lang) -> str:
    """``J1 price 35 · J2 product/technical 30 · …``."""
    return " · ".join(f"{part_label(p, lang)} {v}" for p, v in zip(PARTS, rule, strict=True))


def rule_codes(rule: Sequence[int]) -> str:
    """``J1 35 · J2 30 · J3 25 · J4 10`` (the same in every language)."""
    return " · ".join(f"{part_code(p)} {v}" for p, v in zip(PARTS, rule, strict=True))


def rule_problems(points: Mapping[Part, object], bounds: Bounds) -> list[Text]:
    """What makes a proposed rule not valid: a part missing or not a whole number, outside its bounds, a sum not 100."""
    problems: list[Text] = []
    values: list[float] = []
    for part in PARTS:
        value = points.get(part)
        label = Text(f"bidding.part.{part}")
        if value is None or isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            problems.append(Text("bidding.problem.missing", {"part": label}))
            continue
        if float(value) != int(value):
            problems.append(Text("bidding.problem.not_whole", {"part": label, "value": f"{value:g}"}))
        low, high = bounds[part]
        if not low <= value <= high:
            problems.append(Text("bidding.problem.out_of_bounds", {"part": label, "value": f"{value:g}",
                                                                   "low": low, "high": high}))
        values.append(float(value))
    if len(values) == len(PARTS) and abs(sum(values) - RULE_POINTS) > EPS:
        problems.append(Text("bidding.problem.sum", {"total": f"{sum(values):g}", "points": RULE_POINTS}))
    return problems


def bounds_problems(bounds: Bounds) -> list[Text]:
    """What makes bounds unusable: a low bound above its high bound, or no rule of 100 points fitting them."""
    problems = [Text("bidding.errors.bounds_order", {"part": part_code(p), "low": f"{lo:g}", "high": f"{hi:g}"})
                for p, (lo, hi) in bounds.items() if lo > hi]
    low, high = sum(lo for lo, _ in bounds.values()), sum(hi for _, hi in bounds.values())
    if not problems and not low <= RULE_POINTS <= high:
        problems.append(Text("bidding.errors.bounds_sum", {"low": f"{low:g}", "high": f"{high:g}"}))
    return problems


def allowed_rules(bounds: Bounds) -> np.ndarray:
    """Every integer rule within the bounds whose parts add up to 100, as rows (J1, J2, J3, J4)."""
    (l1, h1), (l2, h2), (l3, h3), (l4, h4) = (bounds[p] for p in PARTS)
    j1, j2, j3 = np.meshgrid(np.arange(l1, h1 + 1), np.arange(l2, h2 + 1), np.arange(l3, h3 + 1), indexing="ij")
    j4 = RULE_POINTS - j1 - j2 - j3
    keep = (j4 >= l4) & (j4 <= h4)
    return np.stack([j1[keep], j2[keep], j3[keep], j4[keep]], axis=1).astype(np.int64)


def within_bounds(rule: Sequence[int], bounds: Bounds) -> bool:
    return sum(rule) == RULE_POINTS and all(
        bounds[p][0] <= v <= bounds[p][1] for p, v in zip(PARTS, rule, strict=True))


# ---- points and shares -------------------------------------------------------------------------------


def share_from_points(points: float, part_points: int) -> float:
    """An expected score given in points under a rule, as a share of the part (percent)."""
    if points < 0 or points > part_points:
        raise InputError("bidding.errors.points_range", points=f"{points:g}", max=part_points)
    return 0.0 if part_points == 0 else points / part_points * 100


def points_from_share(share_pct: float, part_points: int) -> float:
    """A share of a part (percent) as points under a rule."""
    return share_pct / 100 * part_points


def evaluated_price(price_wan: float, sme: bool, deduction_pct: float) -> float:
    """The price used for scoring: a small or micro enterprise's price less the deduction."""
    return price_wan * (1 - deduction_pct / 100) if sme else price_wan


# ---- the field of bidders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BidderScore:
    """One bidder under one rule: valid or why not, points per part, total and rank."""

    id: str
    name: str
    us: bool
    sme: bool
    price_wan: float | None
    evaluated_wan: float | None
    reason: str | None  # why not valid: "no_price" or "above_budget"
    points: dict[Part, float]
    total: float | None
    rank: int | None

    @property
    def valid(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Contest:
    """The valid bidders as arrays: shares of each part (price share = base / evaluated price), bid prices."""

    ids: tuple[str, ...]
    shares: np.ndarray  # (bidders × 4), each 0–1
    prices: np.ndarray  # the bid prices (ties rank the lower first)
    us: int | None  # our index among the valid bidders

    @property
    def competitors(self) -> int:
        return len(self.ids) - (self.us is not None)


@dataclass(frozen=True)
class BidderField:
    """What the bid's bidders give the scoring: the contest, the invalid bidders, the notes."""

    contest: Contest
    base_price_wan: float | None
    invalid: dict[str, str]  # bidder id → reason
    notes: tuple[Text, ...]
    marked_us: Bidder | None


def bidder_field(bid: Bid) -> BidderField:
    """Validity, evaluated prices and shares of every bidder; a missing J2–J4 share counts as 0 (with a note)."""
    notes: list[Text] = []
    invalid: dict[str, str] = {}
    evaluated: dict[str, float] = {}
    for b in bid.bidders:
        if b.price_wan is None or b.price_wan <= 0:
            invalid[b.id] = "no_price"
        elif bid.budget_wan is not None and b.price_wan > bid.budget_wan + EPS:
            invalid[b.id] = "above_budget"
        else:
            evaluated[b.id] = evaluated_price(b.price_wan, b.sme, bid.sme_deduction_pct)
        missing = [part_code(p) for p, f in QUALITY_FIELDS.items() if getattr(b, f) is None]
        if missing and b.id not in invalid:
            notes.append(Text("bidding.note.missing_share", {"bidder": b.name, "parts": ", ".join(missing)}))
        if b.id in invalid:
            notes.append(Text(f"bidding.note.{invalid[b.id]}", {"bidder": b.name}))
    lowest = min(evaluated.values(), default=0.0)  # read only when some bidder is valid
    base = lowest if evaluated else None
    valid = [b for b in bid.bidders if b.id in evaluated]
    shares = np.array([
        [lowest / evaluated[b.id], *((getattr(b, f) or 0.0) / 100 for f in QUALITY_FIELDS.values())] for b in valid
    ], dtype=float).reshape(len(valid), len(PARTS))
    prices = np.array([b.price_wan for b in valid], dtype=float)
    us = next((i for i, b in enumerate(valid) if b.us), None)
    marked = next((b for b in bid.bidders if b.us), None)
    if marked is None and bid.bidders:
        notes.append(Text("bidding.note.no_us"))
    contest = Contest(tuple(b.id for b in valid), shares, prices, us)
    return BidderField(contest, base, invalid, tuple(notes), marked)


def totals(contest: Contest, rules: np.ndarray) -> np.ndarray:
    """Every valid bidder's total under each rule: (rules × bidders)."""
    return np.asarray(rules, dtype=float) @ contest.shares.T


@dataclass(frozen=True)
class Outcomes:
    """Per rule: our margin to the best competitor (NaN: none), whether we win, the closest rival's index."""

    margins: np.ndarray
    wins: np.ndarray
    rivals: np.ndarray  # index among the valid bidders; -1: no competitor


def outcomes(contest: Contest, rules: np.ndarray) -> Outcomes:
    """Vectorised over rules: margin = our total − the best competitor's; a tie on score goes to the lower price."""
    if contest.us is None:
        raise KamError("bidding.errors.no_us")
    rules = np.atleast_2d(np.asarray(rules, dtype=float))
    n = rules.shape[0]
    if contest.competitors == 0:
        return Outcomes(np.full(n, np.nan), np.ones(n, dtype=bool), np.full(n, -1))
    scores = totals(contest, rules)
    ours = scores[:, contest.us]
    others_idx = np.array([i for i in range(len(contest.ids)) if i != contest.us])
    others = scores[:, others_idx]
    best = others.max(axis=1)
    margin = ours - best
    tied = np.abs(others - ours[:, None]) <= EPS
    tie_price = np.where(tied, contest.prices[others_idx][None, :], np.inf).min(axis=1)
    wins = (margin > EPS) | ((np.abs(margin) <= EPS) & (contest.prices[contest.us] < tie_price - EPS))
    # the closest rival: the best competitor, a tie on score going to the lower price
    order = np.lexsort((np.broadcast_to(contest.prices[others_idx], others.shape), -np.round(others, 9)), axis=1)
    rivals = others_idx[order[:, 0]]
    return Outcomes(margin, wins, rivals)


# ---- one rule: the scoresheet ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scoresheet:
    """Every bidder's score under one rule, valid bidders in rank order, then the invalid ones."""

    rule: tuple[int, ...]
    rows: tuple[BidderScore, ...]
    base_price_wan: float | None
    result: Result
    margin: float | None  # our total − the closest rival's (winner if we lose, runner-up if we win)
    rival_id: str | None
    notes: tuple[Text, ...]

    @property
    def us(self) -> BidderScore | None:
        return next((r for r in self.rows if r.us), None)

    def row(self, bidder_id: str) -> BidderScore:
        return next(r for r in self.rows if r.id == bidder_id)

    @property
    def won(self) -> bool:
        return self.result in ("win", "win_price")


def _compare(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Higher total first; within EPS, lower bid price first; else equal (a shared rank)."""
    if abs(a[0] - b[0]) > EPS:
        return -1 if a[0] > b[0] else 1
    if abs(a[1] - b[1]) > EPS:
        return -1 if a[1] < b[1] else 1
    return 0


def score_bid(bid: Bid, rule: Sequence[int] | None = None) -> Scoresheet:
    """Score every bidder of ``bid`` under ``rule`` (default: the bid's own rule)."""
    rule = tuple(rule) if rule is not None else rule_vector(bid.rule)
    fld = bidder_field(bid)
    contest = fld.contest
    row_totals = totals(contest, np.array([rule]))[0] if contest.ids else np.array([])
    by_id = {b.id: b for b in bid.bidders}
    keyed = {bid_id: (float(row_totals[i]), float(contest.prices[i])) for i, bid_id in enumerate(contest.ids)}

    def by_rank(x: str, y: str) -> int:
        return _compare(keyed[x], keyed[y])

    order = sorted(contest.ids, key=functools.cmp_to_key(by_rank))
    ranks: dict[str, int] = {}
    for i, bid_id in enumerate(order):
        same = i > 0 and _compare(keyed[order[i - 1]], keyed[bid_id]) == 0
        ranks[bid_id] = ranks[order[i - 1]] if same else i + 1
    rows = []
    for bid_id in order:
        b = by_id[bid_id]
        i = contest.ids.index(bid_id)
        points = {p: float(rule[k] * contest.shares[i, k]) for k, p in enumerate(PARTS)}
        rows.append(BidderScore(b.id, b.name, b.us, b.sme, b.price_wan,
                                evaluated_price(b.price_wan, b.sme, bid.sme_deduction_pct),  # type: ignore[arg-type]
                                None, points, keyed[bid_id][0], ranks[bid_id]))
    for b in bid.bidders:
        if b.id in fld.invalid:
            rows.append(BidderScore(b.id, b.name, b.us, b.sme, b.price_wan, None, fld.invalid[b.id],
                                    dict.fromkeys(PARTS, 0.0), None, None))
    result, margin, rival = _result(bid, fld, rule)
    return Scoresheet(rule, tuple(rows), fld.base_price_wan, result, margin, rival, fld.notes)


def _result(bid: Bid, fld: BidderField, rule: Sequence[int]) -> tuple[Result, float | None, str | None]:
    contest = fld.contest
    if not bid.bidders:
        return "no_bidders", None, None
    if fld.marked_us is None:
        return "no_us", None, None
    if contest.us is None:
        return "invalid", None, None
    if contest.competitors == 0:
        return "alone", None, None
    out = outcomes(contest, np.array([rule]))
    margin = float(out.margins[0])
    rival = contest.ids[int(out.rivals[0])]
    even = abs(margin) <= EPS  # equal totals: the lower bid price ranks first
    if out.wins[0]:
        return ("win_price" if even else "win"), margin, rival
    if even:
        same_price = abs(contest.prices[contest.us] - contest.prices[int(out.rivals[0])]) <= EPS
        return ("tie" if same_price else "lose_price"), margin, rival
    return "lose", margin, rival


def result_text(sheet: Scoresheet, lang: Lang) -> str:
    """One sentence: do we win under this rule, and by how much against whom."""
    names = {r.id: r.name for r in sheet.rows}
    params: dict[str, Any] = {}
    if sheet.margin is not None:
        params = {"margin": f"{abs(sheet.margin):.2f}", "rival": names.get(sheet.rival_id or "", "")}
    return t(f"bidding.result.{sheet.result}", lang, **params)


def point_values(contest: Contest, rival_id: str | None) -> dict[Part, float] | None:
    """What one point of each part is worth to our margin against the rival: our share of the part − theirs."""
    if contest.us is None or rival_id is None or rival_id not in contest.ids:
        return None
    gap = contest.shares[contest.us] - contest.shares[contest.ids.index(rival_id)]
    return {p: float(gap[k]) for k, p in enumerate(PARTS)}


# ---- the rule maker: every rule within the bounds ---------------------------------------------------------


@dataclass(frozen=True)
class RuleSpace:
    """Every allowed rule with our margin and whether we win."""

    rules: np.ndarray
    margins: np.ndarray
    wins: np.ndarray

    @property
    def count(self) -> int:
        return int(self.rules.shape[0])

    @property
    def win_count(self) -> int:
        return int(self.wins.sum())

    def winning_ranges(self) -> dict[Part, tuple[int, int]] | None:
        """The lowest and highest points of each part among the rules under which we win."""
        if not self.win_count:
            return None
        won = self.rules[self.wins]
        return {p: (int(won[:, k].min()), int(won[:, k].max())) for k, p in enumerate(PARTS)}


def rule_space(contest: Contest, bounds: Bounds) -> RuleSpace:
    """The exhaustive search: our margin under every integer rule within the bounds."""
    rules = allowed_rules(bounds)
    out = outcomes(contest, rules)
    return RuleSpace(rules, out.margins, out.wins)


@dataclass(frozen=True)
class BestRule:
    rule: tuple[int, ...]
    margin: float
    wins: bool


def best_rule(space: RuleSpace, current: Sequence[int]) -> BestRule | None:
    """The rule that maximises our margin; among equals, the one closest to the current rule."""
    if not space.count or np.isnan(space.margins).all():
        return None
    top = np.nanmax(space.margins)
    candidates = np.flatnonzero(space.margins >= top - EPS)
    distance = np.abs(space.rules[candidates] - np.asarray(current)).sum(axis=1)
    chosen = int(candidates[int(np.argmin(distance))])
    return BestRule(tuple(int(v) for v in space.rules[chosen]), float(space.margins[chosen]),
                    bool(space.wins[chosen]))


@dataclass(frozen=True)
class Flip:
    """The smallest transfer of points into (``raised``) or out of a part that turns the result round."""

    part: Part
    points: int
    raised: bool
    partner: Part
    rule: tuple[int, ...]
    margin: float


def transfers(current: Sequence[int], bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    """Every rule reached by moving k points from one part to another, within the bounds.

    Returns the rules and, per rule, (to part, from part, k).
    """
    rows, moves = [], []
    for to, frm in itertools.permutations(range(len(PARTS)), 2):
        for k in range(1, RULE_POINTS + 1):
            rule = list(current)
            rule[to] += k
            rule[frm] -= k
            if rule[frm] < bounds[PARTS[frm]][0] or rule[to] > bounds[PARTS[to]][1]:
                break
            if within_bounds(rule, bounds):
                rows.append(rule)
                moves.append((to, frm, k))
    return np.array(rows, dtype=np.int64).reshape(-1, len(PARTS)), np.array(moves, dtype=np.int64).reshape(-1, 3)


def flips(contest: Contest, bounds: Bounds, current: Sequence[int]) -> dict[Part, Flip | None]:
    """For each part, the fewest points moved into or out of it (from or to one other part) that turn
    our win into a loss or our loss into a win; None when no such move within the bounds does."""
    now = outcomes(contest, np.array([current]))
    won = bool(now.wins[0])
    rules, moves = transfers(current, bounds)
    out: dict[Part, Flip | None] = dict.fromkeys(PARTS)
    if not len(rules):
        return out
    res = outcomes(contest, rules)
    turned = res.wins != won
    for k, part in enumerate(PARTS):
        involved = turned & ((moves[:, 0] == k) | (moves[:, 1] == k))
        if not involved.any():
            continue
        idx = np.flatnonzero(involved)
        fewest = moves[idx, 2].min()
        idx = idx[moves[idx, 2] == fewest]
        margins = np.nan_to_num(res.margins[idx], nan=np.inf)
        pick = int(idx[int(np.argmin(margins) if won else np.argmax(margins))])  # the most telling of equals
        to, frm, points = (int(v) for v in moves[pick])
        raised = to == k
        out[part] = Flip(part, points, raised, PARTS[frm] if raised else PARTS[to],
                         tuple(int(v) for v in rules[pick]), float(res.margins[pick]))
    return out


def key_part(found: Mapping[Part, Flip | None], values: Mapping[Part, float] | None) -> Part | None:
    """Where influence matters most: the part of the smallest move that turns the result; of the two parts of
    that move, the one where a point weighs more for our margin. None when no move within the bounds turns the
    result: then no part is where influence matters (naming the weightiest part would contradict the table)."""
    weight = {p: abs((values or {}).get(p, 0.0)) for p in PARTS}
    moves = [f for f in found.values() if f is not None]
    if not moves:
        return None
    fewest = min(f.points for f in moves)
    candidates = [f.part for f in moves if f.points == fewest]
    return max(candidates, key=lambda p: (weight[p], -PARTS.index(p)))


def flip_text(flip: Flip | None, won: bool, lang: Lang) -> str:
    if flip is None:
        return t("bidding.flip.none", lang)
    verb = "raise" if flip.raised else "lower"
    return t(f"bidding.flip.{verb}.{'lose' if won else 'win'}", lang, points=flip.points,
             part=part_label(flip.part, lang), partner=part_label(flip.partner, lang),
             rule=rule_codes(flip.rule), margin=f"{flip.margin:+.2f}")


# ---- the heat map's grid: two parts on the axes ------------------------------------------------------------


@dataclass(frozen=True)
class MarginGrid:
    """Our margin over two parts of the rule; one other part takes the rest, the last is held as now."""

    x_part: Part
    y_part: Part
    absorb_part: Part
    held_part: Part
    held_points: int
    xs: np.ndarray
    ys: np.ndarray
    margins: np.ndarray  # (ys × xs); NaN where the rule is not allowed
    wins: np.ndarray  # (ys × xs) bool; False where not allowed
    allowed: np.ndarray  # (ys × xs) bool
    current: tuple[int, int] | None  # (x, y) of the current rule, when it lies on this view
    best: tuple[int, int, float] | None  # the best (x, y, margin) on this view


def margin_grid(contest: Contest, bounds: Bounds, current: Sequence[int], x_part: Part = "j1_price",
                y_part: Part = "j2_technical") -> MarginGrid:
    """Our margin for every (x, y) within their bounds; of the two other parts, the one with the wider bounds
    takes the rest of the 100 points, the other keeps its current points."""
    if x_part == y_part:
        raise InputError("bidding.errors.same_axes")
    rest = [p for p in PARTS if p not in (x_part, y_part)]
    absorb = max(rest, key=lambda p: (bounds[p][1] - bounds[p][0], -PARTS.index(p)))
    held = next(p for p in rest if p != absorb)
    xi, yi, ai, hi = (PARTS.index(p) for p in (x_part, y_part, absorb, held))
    xs = np.arange(bounds[x_part][0], bounds[x_part][1] + 1)
    ys = np.arange(bounds[y_part][0], bounds[y_part][1] + 1)
    gx, gy = np.meshgrid(xs, ys)
    rules = np.zeros((gx.size, len(PARTS)), dtype=np.int64)
    rules[:, xi], rules[:, yi], rules[:, hi] = gx.ravel(), gy.ravel(), current[hi]
    rules[:, ai] = RULE_POINTS - rules[:, xi] - rules[:, yi] - rules[:, hi]
    allowed = (rules[:, ai] >= bounds[absorb][0]) & (rules[:, ai] <= bounds[absorb][1])
    allowed &= (bounds[held][0] <= current[hi] <= bounds[held][1])
    out = outcomes(contest, rules)
    margins = np.where(allowed, out.margins, np.nan).reshape(gx.shape)
    wins = (out.wins & allowed).reshape(gx.shape)
    on_view = within_bounds(current, bounds)
    here = (int(current[xi]), int(current[yi])) if on_view else None
    best = None
    if allowed.any() and not np.isnan(margins).all():
        flat = int(np.nanargmax(margins))
        r, c = divmod(flat, len(xs))
        best = (int(xs[c]), int(ys[r]), float(margins[r, c]))
    return MarginGrid(x_part, y_part, absorb, held, int(current[hi]), xs, ys, margins, wins,
                      allowed.reshape(gx.shape), here, best)


# ---- a whole tender ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """What the simulator shows for one tender: the scoresheet, the bounds, and the rule maker's findings."""

    sheet: Scoresheet
    bounds: BoundsInForce
    rule_problems: tuple[Text, ...]
    contest: Contest
    space: RuleSpace | None = None
    best: BestRule | None = None
    flips: dict[Part, Flip | None] = field(default_factory=dict)
    values: dict[Part, float] | None = None
    key: Part | None = None

    @property
    def searchable(self) -> bool:
        """Whether the rule search can run: we bid validly against at least one valid competitor."""
        return self.space is not None


def analyse_bid(bid: Bid, templates: Sequence[RuleTemplate] = (), settings: BiddingSettings | None = None) -> Analysis:
    """Score the tender under its rule and search every rule within its bounds."""
    bounds = bounds_for(bid, templates, settings)
    rule = rule_vector(bid.rule)
    sheet = score_bid(bid, rule)
    problems = tuple(rule_problems(dict(zip(PARTS, rule, strict=True)), bounds.bounds))
    contest = bidder_field(bid).contest
    if sheet.result not in CONTESTED:
        return Analysis(sheet, bounds, problems, contest)
    space = rule_space(contest, bounds.bounds)
    found = flips(contest, bounds.bounds, rule)
    values = point_values(contest, sheet.rival_id)
    return Analysis(sheet, bounds, problems, contest, space, best_rule(space, rule), found, values,
                    key_part(found, values))


# ---- the targets worksheet and the checklist --------------------------------------------------------------------


def uncovered_parts(bid: Bid) -> list[Part]:
    """The parts of the rule that no row of the T1–T4 worksheet works on yet."""
    covered = {row.part for row in bid.targets}
    return [p for p in PARTS if p not in covered]


def overdue_actions(bid: Bid, today: dt.date) -> list[TargetAction]:
    """Worksheet rows not done whose date has passed."""
    return [row for row in bid.targets if not row.done and row.due_on is not None and row.due_on < today]


def checklist_done(bid: Bid) -> tuple[int, int]:
    """(items ticked, items on the checklist)."""
    return len(set(bid.checklist) & set(CHECKLIST)), len(CHECKLIST)


# ---- the deck's worked example (COURSE.md, special topic 1) ------------------------------------------------------

# Invented bidders for the deck's example (45,000 desktops, 12 central and western provinces, 35/30/25/10):
# code, us, small/micro, price (wan yuan), shares of J2, J3, J4 (%). Clearly an illustration.
EXAMPLE_BUDGET_WAN = 19_000.0
EXAMPLE_BIDDERS: tuple[tuple[str, bool, bool, float, float, float, float], ...] = (
    ("us", True, False, 17_800.0, 90.0, 88.0, 80.0),
    ("a", False, False, 16_700.0, 80.0, 76.0, 90.0),
    ("b", False, False, 17_100.0, 86.0, 84.0, 90.0),
    ("c", False, True, 18_300.0, 66.0, 70.0, 70.0),
    ("d", False, False, 19_300.0, 88.0, 84.0, 90.0),
)


def deck_example(lang: Lang) -> Bid:
    """The deck's worked example as a tender, with invented bidders labelled as an illustration."""
    bidders = [
        Bidder(name=t(f"bidding.example.bidder.{code}", lang), us=us, sme=sme, price_wan=price, technical_pct=tech,
               service_pct=service, commercial_pct=commercial)
        for code, us, sme, price, tech, service, commercial in EXAMPLE_BIDDERS
    ]
    return Bid(name=t("bidding.example.name", lang), notes=t("bidding.example.notes", lang),
               budget_wan=EXAMPLE_BUDGET_WAN, rule=ScoringRule(), sme_deduction_pct=10, bidders=bidders,
               illustration=True)


# ---- an exercise's bidding case (exercise 04) ------------------------------------------------------------------


class CaseBidder(BaseModel):
    """A bidder of the case; J2–J4 are the points the experts are expected to give under the case's rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    us: bool = False
    sme: bool = False
    price_wan: float = Field(gt=0)
    j2_technical: float = Field(ge=0)
    j3_service: float = Field(ge=0)
    j4_commercial: float = Field(ge=0)


class BiddingCase(BaseModel):
    """A tender of an exercise: budget ceiling, deduction, the rule in the tender, the agency's bounds, bidders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalog: str
    budget_wan: float = Field(gt=0)
    sme_deduction_pct: float = Field(ge=0, le=50)
    rule: dict[Part, int]
    bounds: dict[Part, tuple[int, int]]
    bidders: tuple[CaseBidder, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _sound(self) -> BiddingCase:
        if set(self.rule) != set(PARTS) or set(self.bounds) != set(PARTS):
            raise ValueError("rule and bounds name every part")
        ScoringRule(**self.rule)
        if sum(b.us for b in self.bidders) != 1 or len({b.code for b in self.bidders}) != len(self.bidders):
            raise ValueError("one bidder is us, and codes are distinct")
        for b in self.bidders:
            for p in QUALITY_FIELDS:
                if getattr(b, p) > self.rule[p]:
                    raise ValueError(f"bidder {b.code}: {p} above the part's points")
        return self


@cache
def load_bidding_case(exercise_id: str) -> BiddingCase:
    """The bidding case ``kamlib/exercises/<exercise_id>_case.toml``."""
    from kamlib.exercises import EXERCISES_DIR

    with (EXERCISES_DIR / f"{exercise_id}_case.toml").open("rb") as fh:
        return BiddingCase.model_validate(tomllib.load(fh))


def case_bid(exercise_id: str, lang: Lang = "en") -> Bid:
    """The case as a tender (bidder id = code); J2–J4 points converted to shares under the case's rule."""
    case = load_bidding_case(exercise_id)
    bidders = [
        Bidder(id=b.code, name=t(f"{case.catalog}.bidder.{b.code}", lang), us=b.us, sme=b.sme, price_wan=b.price_wan,
               **{f: share_from_points(getattr(b, p), case.rule[p]) for p, f in QUALITY_FIELDS.items()})
        for b in case.bidders
    ]
    return Bid(name=t(f"{case.catalog}.tender", lang), budget_wan=case.budget_wan, rule=ScoringRule(**case.rule),
               sme_deduction_pct=case.sme_deduction_pct, bidders=bidders)


def winning_rule_check(exercise_id: str, item_id: str, answers: Mapping[str, Any]) -> tuple[float, str]:
    """Grading check of a proposed rule (items ``rule_<part>``): valid within the case's bounds and we win.

    Returns (share of the item's points, status); the whole rule is judged, whichever of its items is asked.
    """
    if answers.get(item_id) in (None, "", []):
        return 0.0, "blank"
    case = load_bidding_case(exercise_id)
    points: dict[Part, object] = {}
    for part in PARTS:
        value = answers.get(f"rule_{part}")
        try:  # read as the exercise form reads a number; what it would not accept (also infinity) is missing
            points[part] = None if value in (None, "") else parse_number(value)
        except ValueError:
            points[part] = None
    if rule_problems(points, case.bounds):
        return 0.0, "wrong"
    rule = tuple(int(points[p]) for p in PARTS)  # type: ignore[call-overload]
    contest = bidder_field(case_bid(exercise_id)).contest
    won = bool(outcomes(contest, np.array([rule])).wins[0])
    return (1.0, "correct") if won else (0.0, "wrong")


SCORE_TOLERANCE = 0.05  # a figure within this of the tool's counts as right (rounding on the way)


def case_figure(exercise_id: str, item_id: str) -> float:
    """The tool's figure for an item of a bidding exercise: ``base_price`` (wan yuan) or ``total_<code>``."""
    sheet = score_bid(case_bid(exercise_id))
    if item_id == "base_price" and sheet.base_price_wan is not None:
        return sheet.base_price_wan
    code = item_id.removeprefix("total_")
    row = next((r for r in sheet.rows if r.id == code), None)
    if item_id.startswith("total_") and row is not None and row.total is not None:
        return row.total
    raise KeyError(item_id)


def case_score_check(exercise_id: str, item_id: str, answers: Mapping[str, Any]) -> tuple[float, str]:
    """Grading check of a computed figure (base price, a bidder's total): right within ``SCORE_TOLERANCE``."""
    given = answers.get(item_id)
    if given in (None, "", []):
        return 0.0, "blank"
    try:
        value = parse_number(given)  # as the exercise form reads it: "912", full-width digits, "1,020"
    except ValueError:
        return 0.0, "wrong"
    right = abs(value - case_figure(exercise_id, item_id)) <= SCORE_TOLERANCE
    return (1.0, "correct") if right else (0.0, "wrong")
