"""Chapter 3 logic: quadrants, the integrated-strategy recommender, campaign, team map, action plan."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from kamlib import actions, campaign, strategy, team
from kamlib.i18n import LANGS, t
from kamlib.model.workbook import Action, CampaignStep, Factor, KeyPerson, TeamPair
from kamlib.people import deck_example

# ---- recommender -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", strategy.STRATEGIES)
def test_each_deck_template_recommends_its_own_strategy(name: str) -> None:
    rec = strategy.recommend(strategy.template_factors(name))
    assert rec.verdict == "clear" and rec.best == name
    assert [rec.counts[q] for q in strategy.QUADRANTS] == list(strategy.TEMPLATES[name])


def test_the_six_strategies_are_exactly_the_six_pairs_of_responses() -> None:
    pairs = {frozenset(p) for p in strategy.PAIRS.values()}
    assert pairs == {frozenset(p) for p in itertools.combinations(strategy.QUADRANTS, 2)}
    for name, profile in strategy.TEMPLATES.items():  # each template's two largest counts are its pair
        top_two = sorted(strategy.QUADRANTS, key=lambda q: -profile[strategy.QUADRANTS.index(q)])[:2]
        assert frozenset(top_two) == frozenset(strategy.PAIRS[name])


def f(quadrant: str, importance: int = 1) -> Factor:
    return Factor(text=quadrant, advantage=quadrant in ("use", "leverage"),
                  strong_control=quadrant in ("leverage", "eliminate"), importance=importance)


def test_runner_up_and_margin() -> None:
    rec = strategy.recommend([f("reduce"), f("reduce"), f("eliminate"), f("eliminate"), f("eliminate"), f("use")])
    assert rec.best == "delay_surprise" and rec.scores["delay_surprise"] == 5
    assert rec.runner_up == "bide" and rec.margin == 1  # use 1 + eliminate 3 against reduce 2 + eliminate 3


def test_importance_weights_the_recommendation() -> None:
    plain = [f("use"), f("use"), f("leverage"), f("reduce"), f("reduce"), f("reduce")]
    assert strategy.recommend(plain).best == "venture"  # use 2 + reduce 3
    weighted = [f("use"), f("use"), f("leverage", 5), f("reduce"), f("reduce"), f("reduce")]
    rec = strategy.recommend(weighted)
    assert rec.weighted and rec.best == "strengths" and rec.scores["strengths"] == 8  # leverage 5 + reduce 3


def test_a_tie_is_said_plainly() -> None:
    rec = strategy.recommend([f("use"), f("leverage"), f("reduce"), f("eliminate")])
    assert rec.verdict == "tie" and len(rec.tied) == 6 and rec.margin == 0
    text = [line.render("en") for line in rec.explanation()]
    assert "6 strategies share the top score" in text[0]


def test_too_few_factors_and_none() -> None:
    rec = strategy.recommend([f("use"), f("leverage")])
    assert rec.verdict == "too_few" and rec.best == "quick_win"
    assert "Factors so far: 2 (at least 4" in rec.explanation()[0].render("en")
    empty = strategy.recommend([])
    assert empty.verdict == "none" and empty.best is None


@pytest.mark.parametrize("lang", LANGS)
def test_explanation_uses_the_course_words(lang: str) -> None:
    rec = strategy.recommend(strategy.template_factors("bide"))
    text = "\n".join(line.render(lang) for line in rec.explanation())
    assert t("strategy.name.bide", lang) in text and text.endswith(t("strategy.when.bide", lang))
    assert text.count("\n") == 2


# ---- campaign --------------------------------------------------------------------------------


def test_campaign_targets_everyone_but_strong_supporters_by_power_then_distance() -> None:
    people = deck_example("en")
    proposals = campaign.propose_campaign(people)
    by_id = {p.id: p for p in people}
    assert all(by_id[c.person_id].attitude != "*" for c in proposals)
    assert len(proposals) == sum(1 for p in people if p.attitude != "*")
    keys = [(-campaign.POWER[by_id[c.person_id].role], -campaign.DISTANCE[by_id[c.person_id].attitude])
            for c in proposals]
    assert keys == sorted(keys) and [c.priority for c in proposals] == list(range(1, len(proposals) + 1))
    goals = {c.person_id: c.goal for c in proposals}
    assert goals["mkt_dir"] == "to_neutral" and goals["svp"] == "to_supporter" and goals["is_dir"] == "consolidate"


def test_campaign_routes_come_from_supporters_and_new_rows_skip_planned_people() -> None:
    people = deck_example("en")
    proposals = {c.person_id: c for c in campaign.propose_campaign(people)}
    supporters = {p.id for p in people if p.attitude in ("*", "+")}
    assert proposals["svp"].routes and all(r[0] in supporters and r[-1] == "svp" for r in proposals["svp"].routes)
    rows = campaign.new_campaign_rows(people, [CampaignStep(person_id="svp", aim="mine")])
    assert "svp" not in {r.person_id for r in rows} and len(rows) == len(proposals) - 1
    assert campaign.stale_rows(people, [CampaignStep(person_id="gone")])[0].person_id == "gone"


def test_goal_reached() -> None:
    p = KeyPerson(name="X", attitude="=")
    assert campaign.goal_reached(p, "to_neutral") and not campaign.goal_reached(p, "to_supporter")
    assert not campaign.goal_reached(KeyPerson(name="Y"), "to_neutral")


# ---- team map --------------------------------------------------------------------------------


def test_team_gaps_per_stage() -> None:
    people = deck_example("en")
    pairs = [
        TeamPair(stage="early", our_name="Me", our_role="account_manager", their_id="is_dir"),
        TeamPair(stage="middle", our_name="Me", our_role="account_manager", their_id="is_dir"),
        TeamPair(stage="middle", our_name="Wang", our_role="technical", their_id="sys_mgr"),
        TeamPair(stage="middle", our_name="Li", our_role="finance"),
    ]
    early = team.team_gaps(pairs, people, "early")
    assert early.count == 0
    middle = team.team_gaps(pairs, people, "middle")
    assert middle.roles_missing == ("commercial", "marketing", "operations")
    assert middle.ours_unpaired == (pairs[3].id,)
    assert "svp" in middle.theirs_unfaced and "is_dir" not in middle.theirs_unfaced


# ---- action plan -----------------------------------------------------------------------------

T0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)


def test_revisions_keep_the_previous_values() -> None:
    first = actions.revise(None, Action(text="Visit the IS director", target_on=dt.date(2026, 11, 20)), at=T0)
    assert first.history == []
    later = actions.revise(first, first.model_copy(update={"target_on": dt.date(2026, 12, 4)}), at=T0)
    assert len(later.history) == 1 and later.history[0].target_on == dt.date(2026, 11, 20)
    same = actions.revise(later, later.model_copy(update={"text": "Visit Zhou"}), at=T0)
    assert len(same.history) == 1  # wording alone is not a revision of the plan
    done = actions.revise(same, same.model_copy(update={"status": "done"}), at=T0)
    assert done.done_on == T0.date() and done.history[-1].status == "planned"


def test_progress_overdue_and_due_soon() -> None:
    today = dt.date(2026, 11, 27)
    plan = [
        Action(text="late", target_on=dt.date(2026, 11, 20)),
        Action(text="soon", target_on=dt.date(2026, 12, 5), status="doing"),
        Action(text="done late", target_on=dt.date(2026, 11, 1), done_on=dt.date(2026, 11, 3), status="done"),
        Action(text="done early", target_on=dt.date(2026, 11, 10), done_on=dt.date(2026, 11, 9), status="done"),
        Action(text="dropped", target_on=dt.date(2026, 10, 1), status="dropped"),
        Action(text="undated"),
    ]
    progress = actions.action_progress(plan, today)
    assert progress.overdue == (plan[0].id,) and progress.due_soon == (plan[1].id,)
    assert progress.by_status == {"planned": 2, "doing": 1, "done": 2, "dropped": 1}
    assert (progress.done_on_time, progress.done_with_target) == (1, 2)
    assert progress.done_share == pytest.approx(2 / 5)
    assert [a.text for a in actions.timeline_order(plan)][-1] == "undated"
