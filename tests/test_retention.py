"""kamlib.retention: profit leverage, the whitespace map, the organisational relationship, the assessment, the stage."""

from __future__ import annotations

import datetime as dt
import json
from typing import get_args

import pytest

from kamlib.errors import InputError
from kamlib.i18n import t
from kamlib.model import Trainee, create_workbook, load_workbook, update_workbook
from kamlib.model.retention import (
    Assessment,
    Attitude,
    LeverageInputs,
    OrgRelation,
    PlannedActivity,
    ProductLine,
    Retention,
    StageChoice,
    WhitespaceCell,
)
from kamlib.model.workbook import Attitude as MapAttitude
from kamlib.model.workbook import TreeUnit
from kamlib.retention import (
    ACTIVITIES,
    DECK_EXAMPLE,
    ORG_ITEMS,
    QUESTION_ACTIVITIES,
    QUESTIONS,
    STAGE_BANDS,
    STAGES,
    answer_changes,
    latest,
    leverage_figures,
    next_review,
    org_kind,
    org_summary,
    plausible_stages,
    profit,
    recommended_activities,
    stage_hints,
    trend,
    uncovered_questions,
    volume_change_curve,
    volume_change_for_same_profit,
    whitespace_cells,
    whitespace_map,
    zero_questions,
)

TODAY = dt.date(2026, 6, 1)


def answers(*yes: int) -> list[bool]:
    """Eight answers, yes for the question numbers given (1–8)."""
    return [n in yes for n in range(1, 9)]


# ---- profit leverage --------------------------------------------------------------------------------


def test_the_decks_example_exactly() -> None:
    f = leverage_figures(DECK_EXAMPLE)
    assert (f.base_profit, f.volume_profit, f.price_profit) == (10_000, 10_100, 11_000)
    assert f.unit_margin == 100 and f.margin_pct == 10
    assert (f.volume_gain_pct, f.price_gain_pct, f.leverage) == (1, 10, 10)
    assert f.discount_profit == 9_000


def test_volume_that_may_be_lost_after_a_price_rise() -> None:
    f = leverage_figures(DECK_EXAMPLE)
    assert f.volume_loss_allowed_pct == pytest.approx(100 / 11)  # 10 / 110
    # check it: 9.0909% fewer units at 1,010 yuan earn what 100 units at 1,000 do
    units = 100 * (1 - f.volume_loss_allowed_pct / 100)
    assert profit(1010, 800, 100, units) == pytest.approx(10_000)
    assert f.discount_volume_needed_pct == pytest.approx(100 / 9)  # margin 90 instead of 100


def test_fixed_cost_lowers_profit_but_not_the_volume_rule() -> None:
    with_fixed = leverage_figures(DECK_EXAMPLE.model_copy(update={"fixed_cost": 4000}))
    assert (with_fixed.base_profit, with_fixed.price_profit) == (6000, 7000)
    assert with_fixed.price_gain_pct == pytest.approx(1000 / 6000 * 100)
    assert with_fixed.volume_loss_allowed_pct == leverage_figures(DECK_EXAMPLE).volume_loss_allowed_pct


def test_other_change_sizes_and_thin_margins() -> None:
    f = leverage_figures(LeverageInputs(price=2000, material_cost=1500, variable_cost=300, volume=500, change_pct=5))
    assert (f.base_profit, f.volume_profit, f.price_profit) == (100_000, 105_000, 150_000)
    assert round(f.volume_loss_allowed_pct, 1) == 33.3 and f.discount_volume_needed_pct == 100
    # a 10% discount on a 10% margin leaves nothing: no volume makes up for it
    assert volume_change_for_same_profit(1000, 900, -10) is None
    assert leverage_figures(DECK_EXAMPLE.model_copy(update={"change_pct": 10})).discount_volume_needed_pct is None
    # selling at a loss: more volume only loses more; a rise that restores a margin may cost every unit
    loss = leverage_figures(LeverageInputs(price=945, material_cost=800, variable_cost=150, volume=10))
    assert loss.base_profit == -50 and loss.leverage is None and loss.volume_loss_allowed_pct == 100
    deep = leverage_figures(LeverageInputs(price=900, material_cost=800, variable_cost=150, volume=10))
    assert deep.volume_loss_allowed_pct is None  # +1% still sells at a loss: the question has no answer


def test_the_curve_crosses_zero_at_no_change() -> None:
    curve = dict(volume_change_curve(DECK_EXAMPLE, [-10, -5, 0, 5]))
    assert curve[0] == 0 and curve[-10] is None and curve[-5] == 100 and curve[5] == pytest.approx(-100 / 3)


def test_missing_or_impossible_figures_are_named() -> None:
    with pytest.raises(InputError) as err:
        leverage_figures(LeverageInputs(price=1000, volume=0))
    text = err.value.message("en")
    for field in ("material_cost", "variable_cost", "volume"):
        assert t(f"retention.field.{field}", "en") in text
    assert "greater than 0" in text


# ---- the whitespace map -------------------------------------------------------------------------------


@pytest.fixture
def tree() -> list[TreeUnit]:
    hq = TreeUnit(id="hq", name="Head office")
    branch = TreeUnit(id="br", name="Branch", kind="dmu", parent_id="hq")
    return [TreeUnit(id="it", name="IT", kind="user", parent_id="br"), hq, branch,
            TreeUnit(id="ops", name="Operations", kind="user", parent_id="br")]


LINES = [ProductLine(id="term", name="Terminals"), ProductLine(id="net", name="Network"),
         ProductLine(id="srv", name="Servers")]


def test_whitespace_counts_and_gap_order(tree: list[TreeUnit]) -> None:
    cells = [WhitespaceCell(unit_id="br", line_id="term", status="bought"),
             WhitespaceCell(unit_id="it", line_id="net", status="open"),
             WhitespaceCell(unit_id="hq", line_id="srv", status="na"),
             WhitespaceCell(unit_id="gone", line_id="term", status="bought"),  # a unit no longer in the tree
             WhitespaceCell(unit_id="ops", line_id="old", status="open")]  # a line no longer offered
    space = whitespace_map(tree, LINES, cells)
    assert [u.id for u in space.units] == ["hq", "br", "it", "ops"]  # tree order
    assert space.levels == {"hq": 1, "br": 2, "it": 3, "ops": 3}
    total = space.counts()
    assert (total.bought, total.open, total.na, total.unmarked, total.gaps, total.total) == (1, 1, 1, 9, 10, 12)
    assert total.coverage == pytest.approx(1 / 11)
    assert space.counts(unit_id="br").gaps == 2 and space.counts(line_id="srv").gaps == 3
    gaps = space.gaps()
    assert len(gaps) == 10
    assert (gaps[0].unit_id, gaps[0].line_id, gaps[0].status) == ("it", "net", "open")  # open first
    assert [(g.unit_id, g.line_id) for g in gaps[1:4]] == [("hq", "term"), ("it", "term"), ("ops", "term")]
    assert all(g.bought_elsewhere for g in gaps[1:4]) and not any(g.bought_elsewhere for g in gaps[4:])


def test_whitespace_cells_keep_marked_ones_only() -> None:
    cells = whitespace_cells({("a", "x"): "bought", ("a", "y"): None, ("b", "x"): "na"})
    assert [(c.unit_id, c.line_id, c.status) for c in cells] == [("a", "x", "bought"), ("b", "x", "na")]
    with pytest.raises(ValueError, match="cell_twice"):
        Retention(whitespace=[*cells, cells[0]])


def test_an_empty_map() -> None:
    space = whitespace_map([], LINES, [])
    assert space.units == () and space.counts().total == 0 and space.counts().coverage is None
    assert space.gaps() == []


# ---- the organisational relationship ------------------------------------------------------------------


def test_any_one_tie_in_place_establishes_the_relationship() -> None:
    assert {org_kind(i) for items in ORG_ITEMS.values() for i in items} == set(ORG_ITEMS)
    planned = org_summary([OrgRelation(item="consulting", status="planned")])
    assert not planned.established and planned.planned["structure"]
    summary = org_summary([OrgRelation(item="consulting", status="planned"),
                           OrgRelation(item="resident_engineers"), OrgRelation(item="financing")])
    assert summary.established and summary.kinds_in_place == ["support"]
    assert [r.item for r in summary.in_place["support"]] == ["resident_engineers", "financing"]
    assert not org_summary([]).established


# ---- the assessment -------------------------------------------------------------------------------------


def test_score_history_and_trend() -> None:
    later = Assessment(taken_on=dt.date(2026, 4, 1), answers=answers(1, 2, 4, 6, 7), crisis_id="c1")
    first = Assessment(taken_on=dt.date(2026, 1, 5), answers=answers(1, 4, 6, 7))
    same_day = Assessment(taken_on=dt.date(2026, 4, 1), answers=answers(1, 2, 3, 4, 6, 7))
    points = trend([later, first, same_day])
    assert [(p.score, p.change) for p in points] == [(4, None), (5, 1), (6, 1)]
    assert points[1].crisis_id == "c1"
    assert latest([later, first, same_day]) is same_day  # same date: the one entered last
    assert latest([]) is None and next_review([]) is None
    assert next_review([first]) == dt.date(2026, 4, 6)


def test_zero_questions_and_their_activities() -> None:
    a = Assessment(taken_on=TODAY, answers=answers(1, 4, 6, 7))
    assert zero_questions(a) == ["decision_levels", "leaders", "product_lines", "cooperation"]
    recommended = recommended_activities(a)
    assert list(recommended) == zero_questions(a)
    assert recommended["leaders"] == ("executive_care",)
    assert recommended_activities(Assessment(taken_on=TODAY, answers=[True] * 8)) == {}
    # the mapping covers every question with the deck's activities only, and uses every activity
    assert set(QUESTION_ACTIVITIES) == set(QUESTIONS)
    used = {a for acts in QUESTION_ACTIVITIES.values() for a in acts}
    assert used == set(ACTIVITIES) and len(ACTIVITIES) == 6


def test_uncovered_questions_ignore_done_activities() -> None:
    a = Assessment(taken_on=TODAY, answers=answers(1, 4, 6, 7))
    planned = [PlannedActivity(activity="executive_care", text="CEO visit", questions=[2, 3]),
               PlannedActivity(activity="training", text="Server day", questions=[5], done=True)]
    assert uncovered_questions(a, planned) == ["product_lines", "cooperation"]
    with pytest.raises(ValueError):
        PlannedActivity(activity="finance", text="x", questions=[9])


def test_answer_changes() -> None:
    before = Assessment(taken_on=TODAY, answers=answers(1, 4, 6, 7))
    after = Assessment(taken_on=TODAY, answers=answers(1, 2, 3, 4, 6))
    assert answer_changes(before, after) == {"decision_levels": (False, True), "leaders": (False, True),
                                             "exclusive_service": (True, False)}


def test_an_assessment_has_eight_answers() -> None:
    with pytest.raises(ValueError):
        Assessment(taken_on=TODAY, answers=[True] * 7)


# ---- the stage ---------------------------------------------------------------------------------------------


def _keys(hints) -> list[str]:
    return [h.key.rsplit(".", 1)[-1] for h in hints]


def test_bands_cover_every_score() -> None:
    assert all(plausible_stages(points) for points in range(9))
    assert plausible_stages(4) == ["product", "needs"] and plausible_stages(8) == ["consultant"]
    assert set(STAGE_BANDS) == set(STAGES)


def test_a_consistent_placement_gives_no_hint() -> None:
    a = Assessment(taken_on=TODAY, answers=answers(1, 4, 6, 7))
    choice = StageChoice(current="needs", evidence="They ask us before specifying", target="consultant",
                         target_on=dt.date(2027, 6, 1))
    assert _keys(stage_hints(choice, a, TODAY)) == ["target_points", "target_questions"]
    ready = Assessment(taken_on=TODAY, answers=answers(1, 2, 3, 4, 6, 7, 8))
    assert stage_hints(choice, ready, TODAY) == []


def test_placements_the_score_does_not_support() -> None:
    low = Assessment(taken_on=TODAY, answers=answers(1, 2))
    hints = stage_hints(StageChoice(current="consultant", evidence="x"), low, TODAY)
    assert _keys(hints) == ["above_score", "requires"]
    text = hints[0].render("en")
    assert "consultant seller" in text and "2" in text and "“no sales” or “price seller” or “product seller”" in text
    assert "4. a way to hear the users" in hints[1].render("en")
    high = Assessment(taken_on=TODAY, answers=answers(1, 2, 3, 4, 5, 6))
    assert _keys(stage_hints(StageChoice(current="price", evidence="x"), high, TODAY))[0] == "below_score"
    sells = Assessment(taken_on=TODAY, answers=answers(5))
    assert "contradicts" in _keys(stage_hints(StageChoice(current="no_sales", evidence="x"), sells, TODAY))


def test_missing_parts_and_targets() -> None:
    assert _keys(stage_hints(StageChoice(), None, TODAY)) == ["no_assessment", "no_stage"]
    a = Assessment(taken_on=TODAY, answers=answers(1, 4, 6))
    keys = _keys(stage_hints(StageChoice(current="product", target="price"), a, TODAY))
    assert keys == ["no_evidence", "target_not_above", "target_date"]
    late = StageChoice(current="product", evidence="x", target="needs", target_on=dt.date(2026, 1, 1))
    assert "target_overdue" in _keys(stage_hints(late, a, TODAY))
    top = StageChoice(current="consultant", evidence="x")
    assert "no_target" not in _keys(stage_hints(top, Assessment(taken_on=TODAY, answers=[True] * 8), TODAY))


# ---- the model ---------------------------------------------------------------------------------------------


def test_a_file_without_the_new_fields_still_loads(tmp_path) -> None:
    path = tmp_path / "old.json"
    create_workbook(Trainee(id="old", name="Old"), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["plan"]["retention"] = {}
    data["plan"]["assessments"]["items"] = [{"id": "a1", "taken_on": "2026-01-05", "answers": [True] * 8}]
    data["plan"]["crises"]["items"] = [{"id": "c1", "title": "Late delivery", "severity": 3, "notes": "2 weeks"}]
    path.write_text(json.dumps(data), encoding="utf-8")
    wb = load_workbook(path)
    assert wb.plan.retention == Retention() and wb.plan.assessments.items[0].crisis_id is None
    crisis = wb.plan.crises.items[0]
    assert crisis.affected == [] and crisis.steps == [] and crisis.kind is None
    update_workbook(path, lambda w: w.plan.retention.product_lines.append(ProductLine(name="Servers")),
                    section="retention")
    assert load_workbook(path).plan.retention.updated_at is not None


def test_crisis_attitudes_are_the_maps_codes() -> None:
    assert get_args(Attitude) == get_args(MapAttitude)
