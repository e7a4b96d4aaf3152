"""kamlib.health: completeness and position strength per section and overall, staleness, actions due soon."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, ConfigDict

from kamlib.health import (
    OPTIONAL,
    SECTIONS,
    STALE_AFTER_DAYS,
    actions_on_time,
    key_account_id,
    plan_health,
    section_updated,
    stale_after,
)
from kamlib.i18n import LANGS
from kamlib.model.retention import Retention, StageChoice, WhitespaceCell
from kamlib.model.workbook import (
    AccountPlan,
    Action,
    ActionRevision,
    Assessment,
    Crisis,
    Factor,
    InformationItem,
    KeyAccountPick,
    StrategyChoice,
    TreeUnit,
)
from kamlib.people import map_completeness, position_strength
from kamlib.retention import DECK_EXAMPLE
from kamlib.settings import CourseSettings
from tests.export_fixtures import NOW, TODAY, full_workbook

DAY = dt.timedelta(days=1)


class _Health(BaseModel):
    model_config = ConfigDict(frozen=True)
    stale_days: int


class WithHealth(CourseSettings):
    """The course settings as they will be once ``[health]`` is added (see the report)."""

    health: _Health = _Health(stale_days=STALE_AFTER_DAYS)


def test_an_empty_plan_is_not_started_anywhere_and_has_no_strength() -> None:
    health = plan_health(AccountPlan(), NOW)
    assert [s.key for s in health.sections] == list(SECTIONS)
    assert health.not_started == SECTIONS
    assert health.completeness == 0 and health.strength is None
    assert health.strength_basis == {"support": None, "substitutability": None, "on_time": None}
    assert health.stale_sections == () and health.due_soon == () and health.overdue == ()
    for s in health.sections:
        assert s.counted == (s.key not in OPTIONAL)
        assert s.updated_at is None and not s.stale


def test_a_full_plan_gives_every_figure_from_its_own_logic() -> None:
    plan = full_workbook().plan
    health = plan_health(plan, NOW)
    assert health.not_started == ()
    people = plan.key_persons.items
    persons = health.section("key_persons")
    assert persons.completeness == pytest.approx(map_completeness(people))
    assert persons.strength == pytest.approx(position_strength(people))
    assert health.section("assessments").strength == 5 / 8  # the latest of three, not the best or the mean
    # due: the visit (done before its date) and the trial (open, past its date); not the future ones, not dropped
    assert health.section("actions").strength == 0.5
    basis = health.strength_basis
    assert basis == {"support": persons.strength, "substitutability": 5 / 8, "on_time": 0.5}
    assert health.strength == pytest.approx((persons.strength + 5 / 8 + 0.5) / 3)
    assert health.completeness == pytest.approx(sum(s.completeness for s in health.sections) / len(SECTIONS))
    assert all(0 <= s.completeness <= 1 for s in health.sections)
    assert [s.key for s in health.sections if s.strength is not None] == ["key_persons", "actions", "assessments"]
    # the later sections add to completeness only (see the tests of each below)
    assert health.section("assessments").completeness == pytest.approx((1 + 2 / 3) / 2)  # question 7 uncovered
    assert health.section("retention").completeness == pytest.approx((1 + 1 + 1 + 8 / 16) / 4)


def test_completeness_and_strength_are_apart() -> None:
    """A complete map of opponents is complete but weak; the figures do not move together."""
    plan = full_workbook().plan
    for p in plan.key_persons.items:
        p.attitude, p.role, p.style, p.contact = "/", p.role or "U", p.style or "D", p.contact or "0"
    health = plan_health(plan, NOW)
    persons = health.section("key_persons")
    assert persons.completeness > 0.8 and persons.strength is not None and persons.strength < 0.2


def test_stale_sections_and_actions_by_the_default_setting() -> None:
    health = plan_health(full_workbook().plan, NOW)
    assert health.stale_days == STALE_AFTER_DAYS == 30
    assert set(health.stale_sections) == {"customer_tree", "actions", "crises"}  # 90, 40 and 60 days
    # the trial and the tour have no revision: the plan's last save (40 days) counts; the exchange's revision is 50
    assert health.stale_actions == ("a_trial", "a_tech", "a_tour")
    assert health.due_soon == ("a_tech",) and health.overdue == ("a_trial",)


def test_the_course_setting_changes_what_is_stale() -> None:
    relaxed = WithHealth(health=_Health(stale_days=100))
    assert stale_after(relaxed) == 100 and stale_after(CourseSettings()) == STALE_AFTER_DAYS
    health = plan_health(full_workbook().plan, NOW, relaxed)
    assert health.stale_sections == () and health.stale_actions == ()
    strict = plan_health(full_workbook().plan, NOW, WithHealth(health=_Health(stale_days=2)))
    assert "key_persons" in strict.stale_sections  # saved 5 days ago
    assert "campaign" not in strict.stale_sections  # saved yesterday


def test_an_assessment_is_as_old_as_its_date_not_its_save() -> None:
    plan = AccountPlan()
    plan.assessments.items = [Assessment(taken_on=TODAY - 100 * DAY, answers=[True] * 8)]
    plan.assessments.updated_at = NOW  # entered today
    health = plan_health(plan, NOW)
    assert health.section("assessments").stale
    assert section_updated(plan, "assessments") == dt.datetime.combine(TODAY - 100 * DAY, dt.time(), dt.UTC)


def test_a_strategy_chosen_recently_freshens_the_section() -> None:
    plan = AccountPlan()
    plan.factors.items = [Factor(text="x", advantage=True, strong_control=True)]
    plan.factors.updated_at = NOW - 90 * DAY
    assert plan_health(plan, NOW).section("strategy").stale
    plan.strategy = StrategyChoice(chosen="quick_win", chosen_on=TODAY)
    assert not plan_health(plan, NOW).section("strategy").stale


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        ([], None),
        ([Action(text="later", target_on=TODAY + DAY)], None),  # nothing due yet
        ([Action(text="dropped", target_on=TODAY - DAY, status="dropped")], None),
        ([Action(text="late", target_on=TODAY - DAY)], 0.0),
        ([Action(text="on time", target_on=TODAY - DAY, done_on=TODAY - 2 * DAY, status="done")], 1.0),
        ([Action(text="done late", target_on=TODAY - 2 * DAY, done_on=TODAY - DAY, status="done")], 0.0),
        ([Action(text="done early, undated", target_on=TODAY + DAY, status="done")], 1.0),
        ([Action(text="done, undated, date passed", target_on=TODAY - DAY, status="done")], 0.0),
        ([Action(text="a", target_on=TODAY - DAY), Action(text="b", target_on=TODAY - 3 * DAY,
                                                          done_on=TODAY - 3 * DAY, status="done")], 0.5),
    ],
)
def test_actions_on_time(actions: list[Action], expected: float | None) -> None:
    assert actions_on_time(actions, TODAY) == expected


def test_a_stale_action_is_judged_by_its_last_revision() -> None:
    plan = AccountPlan()
    fresh = Action(id="fresh", text="x", history=[ActionRevision(at=NOW - DAY, status="planned")])
    old = Action(id="old", text="y", history=[ActionRevision(at=NOW - 45 * DAY, status="planned")])
    done = Action(id="done", text="z", status="done", done_on=TODAY - 60 * DAY)
    plan.actions.items = [fresh, old, done]
    plan.actions.updated_at = NOW - 90 * DAY
    assert plan_health(plan, NOW).stale_actions == ("old",)


def test_optional_sections_count_once_started() -> None:
    plan = AccountPlan()
    plan.factors.items = [Factor(text=f"f{i}", advantage=True, strong_control=True, dimension="price")
                          for i in range(4)]
    plan.strategy = StrategyChoice(chosen="quick_win", reason="because")
    before = plan_health(plan, NOW).completeness
    assert before == pytest.approx(1 / (len(SECTIONS) - len(OPTIONAL)), abs=1e-6)
    plan.crises.items = [Crisis(title="t")]  # started, but no date and no notes
    after = plan_health(plan, NOW)
    assert after.section("crises").completeness == 0
    assert after.completeness == pytest.approx(1 / (len(SECTIONS) - len(OPTIONAL) + 1), abs=1e-6)


def test_completeness_grows_as_the_sections_fill_in() -> None:
    plan = AccountPlan()
    plan.information.items = [InformationItem(level="public", topic="Annual reports", status="known")]
    low = plan_health(plan, NOW).section("information").completeness
    assert 0 < low < 0.1  # one known item among the 27 standard ones
    plan.customer_tree.items = [TreeUnit(id="u", name="HQ", kind="user")]  # a User without a DMU
    tree = plan_health(plan, NOW).section("customer_tree")
    assert tree.started and tree.completeness == 0.25 and len(tree.hints) == 2
    plan.customer_tree.items = [TreeUnit(id="u", name="HQ", kind="dmu", bp_wan=10)]
    assert plan_health(plan, NOW).section("customer_tree").completeness == 1


def test_the_key_account_is_the_one_under_analysis_then_share_1_then_the_first_top_pick() -> None:
    plan = full_workbook().plan
    assert key_account_id(plan) == "a09"
    plan.focus_account = None
    plan.share.account_id = None
    assert key_account_id(plan) == plan.key_accounts[0].account_id
    plan.key_accounts = [KeyAccountPick(account_id="a15", kind="strategic"), KeyAccountPick(account_id="a04",
                                                                                             kind="top")]
    assert key_account_id(plan) == "a04"
    plan.key_accounts = []
    assert key_account_id(plan) is None


@pytest.mark.parametrize("lang", LANGS)
def test_every_hint_reads_in_both_languages(lang: str) -> None:
    for plan in (AccountPlan(), full_workbook().plan):
        for s in plan_health(plan, NOW).sections:
            for hint in s.hints:
                assert hint.render(lang)  # every key and placeholder present


# ---- the later sections: bids, chapter 4, crises -------------------------------------------------------------


def test_a_tenders_completeness_is_its_date_its_scoring_its_worksheet_and_its_checklist() -> None:
    plan = full_workbook().plan
    terminals, backup, kiosk = plan.bids.items
    plan.bids.items = [backup]  # dated, scored, every part worked on, every checklist item ticked
    full = plan_health(plan, NOW).section("bids")
    assert full.completeness == 1 and full.hints == () and full.strength is None
    plan.bids.items = [terminals]  # J4 not worked on, 3 of 5 ticked, one worksheet action overdue
    part = plan_health(plan, NOW).section("bids")
    assert part.completeness == pytest.approx((1 + 1 + 3 / 4 + 3 / 5) / 4)
    assert [h.key for h in part.hints] == ["health.hint.bids_overdue", "health.hint.bids_uncovered",
                                           "health.hint.bids_checklist"]
    plan.bids.items = [kiosk]  # a name only: nothing to score, no worksheet, nothing ticked, no date
    bare = plan_health(plan, NOW).section("bids")
    assert bare.started and bare.completeness == 0
    assert bare.hints[0].key == "health.hint.bids_unscored"
    for b in terminals.bidders:
        b.us = False  # nobody marked as us: the tender cannot be scored
    plan.bids.items = [terminals]
    assert plan_health(plan, NOW).section("bids").completeness == pytest.approx((1 + 0 + 3 / 4 + 3 / 5) / 4)


def test_the_assessment_asks_for_activities_for_what_scored_0_and_for_the_next_quarter() -> None:
    plan = full_workbook().plan
    assert plan_health(plan, NOW).section("assessments").hints[0].key == "health.hint.activities_missing"
    plan.retention.activities[0].questions += [7]
    covered = plan_health(plan, NOW).section("assessments")
    assert covered.completeness == 1 and covered.hints == ()
    plan.retention.activities[0].done = True  # done activities no longer count: questions 4 and 7 open again
    assert plan_health(plan, NOW).section("assessments").completeness == pytest.approx((1 + 1 / 3) / 2)
    later = NOW + 100 * DAY  # past the quarterly review of the latest assessment
    assert "health.hint.assessment_due" in [h.key for h in plan_health(plan, later).section("assessments").hints]


def test_chapter_4_counts_the_stage_the_target_the_ties_and_the_whitespace_map() -> None:
    plan = full_workbook().plan
    r = plan.retention
    assert plan_health(AccountPlan(), NOW).section("retention").started is False
    assert section_updated(plan, "retention") == r.updated_at
    r.whitespace = [WhitespaceCell(unit_id=u.id, line_id=line.id, status="na")
                    for u in plan.customer_tree.items for line in r.product_lines]
    assert plan_health(plan, NOW).section("retention").completeness == 1
    r.stage = StageChoice(target="consultant")  # no stage now, a target without a date
    r.relations = []
    health = plan_health(plan, NOW).section("retention")
    assert health.completeness == pytest.approx((0 + 0.5 + 0 + 1) / 4)
    assert [h.key for h in health.hints] == ["health.hint.no_stage", "health.hint.no_target",
                                             "health.hint.no_relations"]
    leverage_only = AccountPlan()
    leverage_only.retention = Retention(leverage=DECK_EXAMPLE)  # the calculator alone: started, nothing counted
    alone = plan_health(leverage_only, NOW).section("retention")
    assert alone.started and alone.completeness == 0 and "health.hint.no_whitespace" in [h.key for h in alone.hints]


def test_an_incidents_completeness_is_its_date_its_story_its_plan_and_its_people() -> None:
    plan = full_workbook().plan
    late, fault = plan.crises.items
    plan.crises.items = [late]  # every phase planned; one person's attitude after not known yet
    one = plan_health(plan, NOW).section("crises")
    assert one.completeness == pytest.approx((1 + 1 + 1 + 3 / 4) / 4)
    assert [h.key for h in one.hints] == ["health.hint.crisis_overdue", "health.hint.crisis_people"]
    assert one.hints[0].params == {"count": 1}  # the repair step
    plan.crises.items = [fault]  # two phases of five
    assert plan_health(plan, NOW).section("crises").completeness == pytest.approx((1 + 1 + 2 / 5 + 1) / 4)
    plan.crises.items = [late, fault]
    both = plan_health(plan, NOW).section("crises")
    assert both.hints[0].params == {"count": 2} and both.stale  # saved 60 days ago
