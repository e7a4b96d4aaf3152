"""Special topic 1 logic: the comprehensive scoring method, the rule search, the flips, the worksheet helpers."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import numpy as np
import pytest

from kamlib.bidding import (
    PARTS,
    BoundsInForce,
    allowed_rules,
    analyse_bid,
    best_rule,
    bidder_field,
    bounds_for,
    bounds_problems,
    checklist_done,
    deck_bounds,
    deck_example,
    evaluated_price,
    flip_text,
    flips,
    key_part,
    margin_grid,
    outcomes,
    overdue_actions,
    point_values,
    points_from_share,
    result_text,
    rule_codes,
    rule_problems,
    rule_space,
    rule_vector,
    score_bid,
    share_from_points,
    transfers,
    uncovered_parts,
    within_bounds,
)
from kamlib.errors import InputError, KamError
from kamlib.i18n import LANGS, t
from kamlib.model.bidding import Bid, Bidder, RuleTemplate, ScoringRule, TargetAction
from kamlib.model.migrate import migrate
from kamlib.model.workbook import Workbook
from kamlib.settings import BiddingSettings, PointRange

DECK = deck_bounds()


def _bid(*bidders: Bidder, rule: tuple[int, int, int, int] = (35, 30, 25, 10), budget: float | None = None,
         deduction: float = 0) -> Bid:
    return Bid(name="Tender", rule=ScoringRule(**dict(zip(PARTS, rule, strict=True))), budget_wan=budget,
               sme_deduction_pct=deduction, bidders=list(bidders))


def _b(name: str, price: float | None, tech: float | None = 80, service: float | None = 80,
       commercial: float | None = 80, *, us: bool = False, sme: bool = False) -> Bidder:
    return Bidder(id=name, name=name, us=us, sme=sme, price_wan=price, technical_pct=tech, service_pct=service,
                  commercial_pct=commercial)


# ---- the price score and validity ---------------------------------------------------------------------------


def test_lowest_valid_bid_is_the_base_price_and_others_score_base_over_bid() -> None:
    sheet = score_bid(_bid(_b("us", 100, us=True), _b("rival", 80), _b("third", 125)))
    assert sheet.base_price_wan == 80
    assert sheet.row("rival").points["j1_price"] == pytest.approx(35)  # the full price points
    assert sheet.row("us").points["j1_price"] == pytest.approx(80 / 100 * 35)
    assert sheet.row("third").points["j1_price"] == pytest.approx(80 / 125 * 35)
    # 80% of J2 30, J3 25, J4 10 for everyone
    assert sheet.row("us").total == pytest.approx(28 + 24 + 20 + 8)
    assert [r.id for r in sheet.rows] == ["rival", "us", "third"] and [r.rank for r in sheet.rows] == [1, 2, 3]


def test_a_bid_above_the_ceiling_is_invalid_and_does_not_set_the_base() -> None:
    sheet = score_bid(_bid(_b("us", 100, us=True), _b("cheap", 60), _b("high", 130), budget=120))
    assert sheet.row("high").reason == "above_budget" and sheet.row("high").total is None
    assert sheet.base_price_wan == 60
    ceiling_exact = score_bid(_bid(_b("us", 120, us=True), _b("rival", 90), budget=120))
    assert ceiling_exact.row("us").valid  # at the ceiling is not above it
    no_price = score_bid(_bid(_b("us", 100, us=True), _b("blank", None)))
    assert no_price.row("blank").reason == "no_price" and no_price.base_price_wan == 100
    assert [n.key for n in no_price.notes] == ["bidding.note.no_price"]


def test_small_enterprise_deduction_is_for_scoring_only() -> None:
    bid = _bid(_b("us", 95, us=True), _b("small", 100, sme=True), _b("over", 104, sme=True), budget=102, deduction=10)
    sheet = score_bid(bid)
    small = sheet.row("small")
    assert small.evaluated_wan == pytest.approx(90) and small.price_wan == 100
    assert sheet.base_price_wan == pytest.approx(90)  # the deducted price sets the base
    assert small.points["j1_price"] == pytest.approx(35)
    assert sheet.row("us").points["j1_price"] == pytest.approx(90 / 95 * 35)
    assert sheet.row("over").reason == "above_budget"  # 104 × 0.9 = 93.6 is under 102, but the offer is not
    assert evaluated_price(100, False, 10) == 100 and evaluated_price(100, True, 20) == pytest.approx(80)


def test_equal_totals_rank_the_lower_price_first_and_equal_price_shares_the_rank() -> None:
    # the same price share makes the same total; the bid prices differ only after the SME deduction
    bid = _bid(_b("us", 100, us=True), _b("small", 100 / 0.9, sme=True), deduction=10)
    sheet = score_bid(bid)
    assert sheet.row("us").total == pytest.approx(sheet.row("small").total)
    assert [r.id for r in sheet.rows] == ["us", "small"] and [r.rank for r in sheet.rows] == [1, 2]
    assert sheet.result == "win_price" and sheet.won
    bid = _bid(_b("us", 100 / 0.9, us=True, sme=False), _b("small", 100, sme=False), deduction=0)
    bid.bidders[0].price_wan = 100  # same price, same scores: a shared first rank
    sheet = score_bid(bid)
    assert [r.rank for r in sheet.rows] == [1, 1] and sheet.result == "tie" and not sheet.won
    higher = score_bid(_bid(_b("us", 100 / 0.9, us=True, sme=True), _b("rival", 100), deduction=10))
    assert higher.result == "lose_price" and higher.row("rival").rank == 1 and higher.margin == pytest.approx(0)


def test_results_without_a_contest() -> None:
    assert score_bid(_bid()).result == "no_bidders"
    assert score_bid(_bid(_b("a", 100), _b("b", 90))).result == "no_us"
    assert score_bid(_bid(_b("us", 130, us=True), _b("b", 90), budget=100)).result == "invalid"
    assert score_bid(_bid(_b("us", 90, us=True), _b("b", 130), budget=100)).result == "alone"
    alone = _bid(_b("us", 90, us=True))
    assert result_text(score_bid(alone), "en") == t("bidding.result.alone", "en")
    found = analyse_bid(alone)
    assert not found.searchable and found.space is None and found.key is None
    with pytest.raises(KamError):
        outcomes(bidder_field(_bid(_b("a", 100))).contest, np.array([[35, 30, 25, 10]]))


def test_margin_and_rival_are_against_the_winner_or_the_runner_up() -> None:
    bid = _bid(_b("us", 100, tech=90, us=True), _b("cheap", 90, tech=60), _b("strong", 100, tech=95))
    sheet = score_bid(bid)
    totals = {r.id: r.total for r in sheet.rows}
    best_other = max(totals["cheap"], totals["strong"])
    assert sheet.margin == pytest.approx(totals["us"] - best_other)
    assert sheet.rival_id == max(("cheap", "strong"), key=lambda x: totals[x])
    text = result_text(sheet, "en")
    assert f"{abs(sheet.margin):.2f}" in text and sheet.rival_id in text


def test_missing_shares_count_as_zero_with_a_note() -> None:
    sheet = score_bid(_bid(_b("us", 100, tech=None, commercial=None, us=True), _b("b", 100)))
    assert sheet.row("us").points["j2_technical"] == 0 and sheet.row("us").points["j3_service"] == pytest.approx(20)
    (note,) = [n for n in sheet.notes if n.key == "bidding.note.missing_share"]
    assert note.params["parts"] == "J2, J4"


# ---- shares and points -----------------------------------------------------------------------------------------


def test_shares_keep_a_bidders_standing_when_the_rule_changes() -> None:
    share = share_from_points(24, 30)
    assert share == pytest.approx(80)
    assert points_from_share(share, 35) == pytest.approx(28)
    assert share_from_points(0, 0) == 0
    for bad in (-1, 31):
        with pytest.raises(InputError) as err:
            share_from_points(bad, 30)
        assert "30" in err.value.message("en")
    bid = _bid(_b("us", 100, tech=80, us=True), _b("b", 100))
    assert score_bid(bid, (30, 35, 25, 10)).row("us").points["j2_technical"] == pytest.approx(28)


# ---- rules and bounds ------------------------------------------------------------------------------------------------


def test_rule_problems_name_the_part_and_what_is_wrong() -> None:
    assert rule_problems({"j1_price": 35, "j2_technical": 30, "j3_service": 25, "j4_commercial": 10}, DECK) == []
    problems = rule_problems({"j1_price": 45, "j2_technical": 30.5, "j3_service": None, "j4_commercial": 10}, DECK)
    keys = [p.key for p in problems]
    assert keys == ["bidding.problem.out_of_bounds", "bidding.problem.not_whole", "bidding.problem.missing"]
    text = problems[0].render("en")
    assert "J1 price" in text and "45" in text and "30–40" in text
    over = rule_problems({"j1_price": 40, "j2_technical": 35, "j3_service": 20, "j4_commercial": 12}, DECK)
    assert [p.key for p in over] == ["bidding.problem.sum"] and "107" in over[0].render("zh")


def test_allowed_rules_are_every_whole_rule_within_the_bounds() -> None:
    rules = allowed_rules(DECK)
    brute = [r for r in itertools.product(*(range(lo, hi + 1) for lo, hi in DECK.values())) if sum(r) == 100]
    assert sorted(map(tuple, rules.tolist())) == sorted(brute)
    assert len(brute) == 445
    assert all(within_bounds(r, DECK) for r in rules.tolist())
    assert not within_bounds((41, 29, 20, 10), DECK)


def test_bounds_come_from_the_template_or_the_settings() -> None:
    template = RuleTemplate(name="City agency", j1_price_low=30, j1_price_high=50)
    bid = Bid(name="x", template_id=template.id)
    found = bounds_for(bid, [template])
    assert found.template == "City agency" and found.bounds["j1_price"] == (30, 50)
    assert "City agency" in found.describe("en") and "J1 30–50" in found.describe("zh")
    gone = bounds_for(bid, [])
    assert gone.template_missing and gone.bounds == DECK
    custom = BiddingSettings(j1_price=PointRange(low=20, high=45))
    assert bounds_for(Bid(name="y"), [], custom).bounds["j1_price"] == (20, 45)
    assert bounds_for(Bid(name="y"), []) == BoundsInForce(DECK)


def test_bounds_problems() -> None:
    assert bounds_problems(DECK) == []
    assert [p.key for p in bounds_problems({**DECK, "j1_price": (45, 40)})] == ["bidding.errors.bounds_order"]
    tight = {p: (0, 10) for p in PARTS}
    (problem,) = bounds_problems(tight)
    assert problem.key == "bidding.errors.bounds_sum" and "40" in problem.render("en")


# ---- the rule maker ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Bid:
    return deck_example("en")


def test_the_vectorised_outcomes_agree_with_the_scoresheet_for_every_rule(example: Bid) -> None:
    contest = bidder_field(example).contest
    space = rule_space(contest, DECK)
    for rule, margin, won in zip(space.rules.tolist(), space.margins, space.wins, strict=True):
        sheet = score_bid(example, rule)
        assert sheet.margin == pytest.approx(margin)
        assert sheet.won == bool(won)
    assert 0 < space.win_count < space.count == 445


def test_best_rule_maximises_our_margin_and_prefers_the_current_rule_among_equals(example: Bid) -> None:
    contest = bidder_field(example).contest
    space = rule_space(contest, DECK)
    best = best_rule(space, rule_vector(example.rule))
    assert best is not None and best.margin == pytest.approx(space.margins.max()) and best.wins
    assert within_bounds(best.rule, DECK)
    # two bidders identical but for price: the margin does not depend on J2–J4, only on J1
    flat = _bid(_b("us", 90, us=True), _b("b", 100))
    flat_space = rule_space(bidder_field(flat).contest, DECK)
    chosen = best_rule(flat_space, (40, 30, 20, 10))
    assert chosen is not None and chosen.rule == (40, 30, 20, 10)  # every J1 40 rule is best: the current one
    assert best_rule(flat_space, (40, 25, 25, 10)).rule == (40, 25, 25, 10)  # type: ignore[union-attr]


def test_flips_are_the_smallest_transfers_that_turn_the_result(example: Bid) -> None:
    contest = bidder_field(example).contest
    current = rule_vector(example.rule)
    won = bool(outcomes(contest, np.array([current])).wins[0])
    found = flips(contest, DECK, current)
    rules, moves = transfers(current, DECK)
    results = outcomes(contest, rules).wins
    for k, part in enumerate(PARTS):
        turning = [int(m[2]) for m, r in zip(moves, results, strict=True) if r != won and k in (m[0], m[1])]
        flip = found[part]
        if not turning:
            assert flip is None
            continue
        assert flip is not None and flip.points == min(turning)
        assert bool(outcomes(contest, np.array([flip.rule])).wins[0]) != won
        assert within_bounds(flip.rule, DECK)
        k_partner = PARTS.index(flip.partner)
        delta = np.array(flip.rule) - np.array(current)
        assert delta[k] == (flip.points if flip.raised else -flip.points) and delta[k_partner] == -delta[k]
        assert str(flip.points) in flip_text(flip, won, "en")
    assert flip_text(None, won, "zh") == t("bidding.flip.none", "zh")


def test_key_part_is_the_weightiest_part_of_the_smallest_turning_move() -> None:
    from kamlib.bidding import Flip

    flips_ = {
        "j1_price": Flip("j1_price", 3, False, "j3_service", (37, 27, 26, 10), 0.1),
        "j2_technical": Flip("j2_technical", 5, True, "j1_price", (35, 32, 23, 10), 0.1),
        "j3_service": Flip("j3_service", 3, True, "j1_price", (37, 27, 26, 10), 0.1),
        "j4_commercial": None,
    }
    values = {"j1_price": -0.09, "j2_technical": 0.04, "j3_service": 0.13, "j4_commercial": -0.10}
    assert key_part(flips_, values) == "j3_service"
    assert key_part(flips_, {**values, "j1_price": -0.2}) == "j1_price"
    assert key_part(dict.fromkeys(PARTS), values) is None  # no move turns it: no part is named
    assert key_part(dict.fromkeys(PARTS), None) is None


@pytest.mark.parametrize(("ours", "theirs", "won"), [((90, 100, 100, 100), (100, 60, 60, 60), True),
                                                     ((100, 60, 60, 60), (90, 100, 100, 100), False)])
def test_no_key_part_when_no_move_within_the_bounds_turns_the_result(ours, theirs, won) -> None:
    bid = _bid(_b("us", *ours, us=True), _b("rival", *theirs))
    found = analyse_bid(bid)
    assert found.sheet.won == won and found.searchable
    assert all(f is None for f in found.flips.values())  # the table: no move of any part turns it
    assert found.key is None  # so the headline names no part
    assert found.values is not None and any(v != 0 for v in found.values.values())


def test_point_values_are_our_share_minus_the_rivals() -> None:
    bid = _bid(_b("us", 100, tech=90, service=70, us=True), _b("rival", 80, tech=60, service=80))
    sheet = score_bid(bid)
    values = point_values(bidder_field(bid).contest, sheet.rival_id)
    assert values == pytest.approx({"j1_price": 0.8 - 1.0, "j2_technical": 0.3, "j3_service": -0.1,
                                    "j4_commercial": 0.0})


def test_margin_grid_holds_one_part_and_lets_the_widest_take_the_rest(example: Bid) -> None:
    contest = bidder_field(example).contest
    current = rule_vector(example.rule)
    grid = margin_grid(contest, DECK, current, "j1_price", "j2_technical")
    assert (grid.absorb_part, grid.held_part, grid.held_points) == ("j3_service", "j4_commercial", 10)
    assert grid.margins.shape == (11, 11) and grid.current == (35, 30)
    for r, y in enumerate(grid.ys):
        for c, x in enumerate(grid.xs):
            rule = (int(x), int(y), 100 - int(x) - int(y) - 10, 10)
            assert grid.allowed[r, c] == within_bounds(rule, DECK)
            if grid.allowed[r, c]:
                assert grid.margins[r, c] == pytest.approx(score_bid(example, rule).margin)
            else:
                assert np.isnan(grid.margins[r, c]) and not grid.wins[r, c]
    assert grid.best is not None and grid.best[2] == pytest.approx(np.nanmax(grid.margins))
    other = margin_grid(contest, DECK, current, "j3_service", "j4_commercial")
    assert other.absorb_part == "j1_price" and other.held_part == "j2_technical"
    with pytest.raises(InputError):
        margin_grid(contest, DECK, current, "j1_price", "j1_price")
    off = margin_grid(contest, DECK, (45, 25, 20, 10), "j1_price", "j2_technical")
    assert off.current is None  # a rule outside the bounds is not on the view


def test_analysis_of_the_deck_example(example: Bid) -> None:
    found = analyse_bid(example)
    assert found.searchable and found.sheet.result == "lose"  # the example is built to lose narrowly
    assert found.space is not None and found.best is not None and found.best.margin > 0
    assert found.key in PARTS and found.values is not None
    assert found.rule_problems == ()
    assert rule_codes(found.best.rule).startswith("J1 ")


def test_the_exhaustive_search_handles_wide_bounds() -> None:
    wide = {p: (0, 100) for p in PARTS}
    bid = _bid(_b("us", 100, tech=90, us=True), _b("b", 90, tech=70), _b("c", 95), _b("d", 99), _b("e", 120))
    space = rule_space(bidder_field(bid).contest, wide)
    assert space.count == 176_851  # compositions of 100 into four parts: C(103, 3)
    assert space.win_count > 0


# ---- the deck's example, the worksheet, the checklist, the model -------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_deck_example_is_the_decks_rule_with_invented_bidders_labelled(lang: str) -> None:
    bid = deck_example(lang)  # type: ignore[arg-type]
    assert rule_vector(bid.rule) == (35, 30, 25, 10) and bid.illustration
    assert "45,000" in bid.name and sum(b.us for b in bid.bidders) == 1 and len(bid.bidders) == 5
    mark = t("bidding.example.mark", lang)  # type: ignore[arg-type]
    assert all(mark in b.name for b in bid.bidders)


def test_worksheet_and_checklist_helpers() -> None:
    bid = Bid(name="x", targets=[
        TargetAction(part="j3_service", target="t1_customer", who="IT head", due_on=dt.date(2026, 1, 5)),
        TargetAction(part="j3_service", target="t2_agency", due_on=dt.date(2026, 1, 5), done=True),
        TargetAction(part="j1_price", target="t4_competitors", due_on=dt.date(2026, 3, 1)),
    ], checklist=["toc", "visits"])
    assert uncovered_parts(bid) == ["j2_technical", "j4_commercial"]
    assert [r.who for r in overdue_actions(bid, dt.date(2026, 2, 1))] == ["IT head"]
    assert checklist_done(bid) == (2, 5)


def test_the_model_checks_the_rule_the_bidders_and_the_bounds() -> None:
    with pytest.raises(ValueError, match="rule_sum"):
        ScoringRule(j1_price=40)
    with pytest.raises(ValueError, match="two_us"):
        Bid(name="x", bidders=[_b("a", 1, us=True), _b("b", 1, us=True)])
    with pytest.raises(ValueError, match="bounds_order"):
        RuleTemplate(name="t", j1_price_low=41)
    with pytest.raises(ValueError, match="bounds_sum"):
        RuleTemplate(name="t", j1_price_high=30, j2_technical_high=25, j3_service_high=20, j4_commercial_high=8)
    template = RuleTemplate(name="t")
    assert (template.j1_price_low, template.j4_commercial_high) == (30, 12)  # the deck's ranges


def test_an_older_bid_loads_and_a_full_one_round_trips() -> None:
    old = {"schema_version": 5, "trainee": {"id": "a", "name": "A"},
           "plan": {"bids": {"items": [{"id": "b1", "name": "Old tender", "due_on": "2026-05-01", "notes": "n"}]}}}
    wb = Workbook.model_validate(migrate(old))
    (bid,) = wb.plan.bids.items
    assert rule_vector(bid.rule) == (35, 30, 25, 10) and bid.bidders == [] and bid.sme_deduction_pct == 0
    wb.plan.bids.items = [deck_example("zh")]
    again = Workbook.model_validate(json.loads(wb.model_dump_json()))
    assert again.plan.bids.items[0] == wb.plan.bids.items[0]
