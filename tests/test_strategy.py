"""Chapter 3 logic: quadrants, the integrated-strategy recommender, campaign, team map, action plan."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from kamlib import actions, campaign, measures, strategy, team
from kamlib.i18n import LANGS, t
from kamlib.model.workbook import Action, CampaignStep, Factor, KeyPerson, TeamPair
from kamlib.people import deck_example

# ---- recommender -----------------------------------------------------------------------------

# The cases of kamlib.strategy's docstring table: counts use / leverage / reduce / eliminate, and what the
# deck's "when" sentences make of them (written here, not computed by the rule under test).
# "too_few" and "tie" are the verdicts; a tuple lists the strategies that tie.
CASES: list[tuple[tuple[int, int, int, int], str, str | tuple[str, ...]]] = [
    ((4, 3, 2, 1), "clear", "quick_win"),  # the deck's templates: each recommends itself
    ((1, 2, 4, 3), "clear", "delay_surprise"),
    ((4, 1, 4, 1), "clear", "venture"),
    ((1, 4, 1, 4), "clear", "persevere"),
    ((4, 2, 1, 4), "clear", "bide"),
    ((1, 4, 4, 1), "clear", "strengths"),
    ((0, 8, 1, 1), "clear", "quick_win"),  # "most factors are advantages and under your control"
    ((1, 7, 1, 1), "clear", "quick_win"),
    ((1, 6, 1, 2), "clear", "quick_win"),  # advantages 7/10 read clearer than control 6/7 and 2/3
    ((1, 6, 0, 3), "clear", "persevere"),  # control 6/7 and 3/3 read clearer than advantages 7/10
    ((2, 4, 1, 4), "clear", "persevere"),  # the persevere template and one more advantage
    ((5, 0, 0, 0), "clear", "venture"),  # all use: advantages, none under control
    ((0, 5, 0, 0), "clear", "quick_win"),  # all leverage
    ((0, 0, 5, 0), "clear", "delay_surprise"),  # all reduce: "whether or not under your control"
    ((0, 0, 0, 5), "clear", "delay_surprise"),  # all eliminate
    ((2, 2, 2, 2), "tie", tuple(strategy.STRATEGIES)),  # an even spread
    ((1, 1, 2, 0), "tie", ("quick_win", "delay_surprise", "venture", "strengths")),  # half, and 1/2 controlled
    ((1, 1, 0, 0), "too_few", "quick_win"),
]


@pytest.mark.parametrize(("counts", "verdict", "expected"), CASES, ids=["/".join(map(str, c[0])) for c in CASES])
def test_the_deck_sentences_read_each_case(counts: tuple[int, ...], verdict: str, expected) -> None:
    rec = strategy.recommend(strategy.profile_factors(counts))
    assert rec.verdict == verdict
    if isinstance(expected, tuple):
        assert rec.tied == expected
    else:
        assert rec.best == expected and rec.tied == (expected,)
    assert [rec.counts[q] for q in strategy.QUADRANTS] == list(counts)


def test_the_docstring_table_is_the_tested_table() -> None:
    rows = [(line.split()[0], line.split()[-1]) for line in (strategy.__doc__ or "").splitlines()
            if line[:1].isdigit() and line.split()[0].count("/") == 3]
    said = {"tie": {6: "six", 4: "four"}}
    expected = [("/".join(map(str, counts)), said["tie"][len(best)] if verdict == "tie" else
                 "too_few" if verdict == "too_few" else best) for counts, verdict, best in CASES]
    assert rows == expected


@pytest.mark.parametrize("name", strategy.STRATEGIES)
def test_each_deck_template_recommends_its_own_strategy(name: str) -> None:
    rec = strategy.recommend(strategy.template_factors(name))
    assert rec.verdict == "clear" and rec.best == name and rec.settled is None
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


def test_eight_advantages_under_control_read_as_a_quick_win_in_words() -> None:
    rec = strategy.recommend(strategy.profile_factors((0, 8, 1, 1)))
    text = "\n".join(line.render("en") for line in rec.explanation())
    assert "the advantages are 8 of 10 (80%) → **Quick win**, 30 points from half" in text
    assert "you control 8 of 8 advantages (100%) and 1 of 2 disadvantages (50%): a share of exactly half" in text
    assert "The advantages-or-disadvantages reading is the clearer: **Quick win**." in text
    assert rec.runner_up in ("persevere", "strengths") and rec.margin == 30


def test_the_deck_wording_settles_equal_readings() -> None:
    cases = {(5, 0, 0, 0): "control_settled", (0, 5, 0, 0): "quick_win", (0, 0, 5, 0): "delay", (0, 0, 0, 5): "delay"}
    for counts, settled in cases.items():
        rec = strategy.recommend(strategy.profile_factors(counts))
        assert rec.settled == settled and rec.margin == 0
        assert rec.explanation()[-2].key == f"strategy.decide.{settled}"


def test_runner_up_and_margin() -> None:
    rec = strategy.recommend([f("reduce"), f("reduce"), f("eliminate"), f("eliminate"), f("eliminate"), f("use")])
    assert rec.best == "delay_surprise" and rec.scores["delay_surprise"] == pytest.approx(100 / 3)  # 5 of 6: 83%
    assert rec.runner_up == "bide" and rec.margin == pytest.approx(100 / 3 - 10)  # control 0/1 and 3/5


def test_importance_weights_the_recommendation() -> None:
    plain = [f("use"), f("use"), f("leverage"), f("reduce"), f("reduce"), f("reduce")]
    assert strategy.recommend(plain).best == "venture"  # half advantages; control 1/3 and 0/3: neither
    weighted = [f("use"), f("use"), f("leverage", 5), f("reduce"), f("reduce"), f("reduce")]
    rec = strategy.recommend(weighted)
    assert rec.weighted and rec.best == "strengths"  # control 5/7 of the advantages, 0/3 of the disadvantages
    assert rec.scores["strengths"] == pytest.approx(100 * (5 / 7 - 1 / 2))


def test_a_tie_is_said_plainly() -> None:
    rec = strategy.recommend([f("use"), f("leverage"), f("reduce"), f("eliminate")])
    assert rec.verdict == "tie" and len(rec.tied) == 6 and rec.margin == 0
    text = [line.render("en") for line in rec.explanation()]
    assert "6 strategies read equally well" in text[0]
    assert all("exactly half" in line for line in text[2:])


def test_too_few_factors_and_none() -> None:
    rec = strategy.recommend([f("use"), f("leverage")])
    assert rec.verdict == "too_few" and rec.best == "quick_win"
    assert "Factors so far: 2 (at least 4" in rec.explanation()[0].render("en")
    empty = strategy.recommend([])
    assert empty.verdict == "none" and empty.best is None and empty.reading() == []


@pytest.mark.parametrize("lang", LANGS)
def test_explanation_uses_the_course_words(lang: str) -> None:
    rec = strategy.recommend(strategy.template_factors("bide"))
    lines = [line.render(lang) for line in rec.explanation()]
    assert t("strategy.name.bide", lang) in lines[0] and lines[-1] == t("strategy.when.bide", lang)
    assert len(lines) == 6  # recommended; basis; the two readings; what decided; the course's words
    assert "6" in lines[2] and "11" in lines[2] and "2" in lines[3] and "4" in lines[3] and "5" in lines[3]


# ---- sales measures: the deck's three worked rows ------------------------------------------------------

# The deck's worked rows of its sales measures table (key factor, analysis, sales measures, resources), from
# its text in Simplified characters, with the text's conversion errors fixed as the course digest lists them
# (措施 → 方法, 旳 → 的). The workbook writes the deck's own company (联想) as "our" (我们的).
DECK_MEASURES = [
    ("关键人关系不到位", "劣势/弱控",
     "1.利用关键人策略分析方法进行分析2.找到关系不到位的原因3.对症下药,投其所好", "1.高层拜访2.……"),
    ("客户不认可联想产品(品牌、质量、价格)", "劣势/弱控",
     "1.仔细分析并细化客户需求2.有意识地进行产品价值推荐,呈现我们产品的优势,让客户意识到我们的产品能与客户需求相匹配"
     "3.让客户先认可企业和人4.分析我们与竞品的优劣势5.对于价格:重新审阅,按照客户预算来进行相应产品配置(减配),满足预算要求",
     ""),
    ("客户对我们的服务有抱怨", "劣势/弱控",
     "1.了解历史情况和详细原因2.评估处理方案的成本(判断能否用钱来处理),视客户潜力给出处理方法"
     "3.对于非金钱处理的问题,从客户关系着手,重新建立4.沟通联想服务政策和优势,做出改善承诺", ""),
]
FULL_WIDTH = str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；"})


def _plain(text: str) -> str:
    """The deck's punctuation as the workbook writes Chinese (full width), spaces dropped, "our" for the company."""
    return text.replace("联想", "我们的").translate(FULL_WIDTH).replace(" ", "")


def test_the_decks_worked_measures_are_the_decks_rows() -> None:
    rows = measures.deck_measures("zh")
    assert [m.priority for m in rows] == [1, 2, 3]
    for m, (factor, analysis, steps, resources) in zip(rows, DECK_MEASURES, strict=True):
        assert _plain(m.key_factor) == _plain(factor) and _plain(m.analysis) == _plain(analysis)
        assert _plain(m.measures) == _plain(steps)
        assert _plain(m.resources) == _plain(resources)  # no resources the deck does not give


def test_the_english_worked_measures_keep_every_step_and_add_no_resources() -> None:
    en, zh = measures.deck_measures("en"), measures.deck_measures("zh")
    for m_en, m_zh in zip(en, zh, strict=True):
        steps = [n for n in range(1, 10) if f"{n}. " in m_zh.measures]
        assert steps and [n for n in range(1, 10) if f"{n}. " in m_en.measures] == steps
        assert bool(m_en.resources) == bool(m_zh.resources)
    assert en[0].resources == "1. Executive visit 2. ……"
    assert en[2].measures.endswith("4. Communicate our service policy and strengths, and commit to improvements")
    assert "(brand, quality, price)" in en[1].key_factor and "(a reduced configuration)" in en[1].measures


# ---- campaign --------------------------------------------------------------------------------


def test_campaign_follows_the_decks_order_on_the_decks_example() -> None:
    people = deck_example("en")
    proposals = campaign.propose_campaign(people)
    ids = [c.person_id for c in proposals]
    # the deck's campaign table: "XX(营销总监) - E 变不支持者为中立者" before "YY(信息服务总监) + D 巩固哥们关系"
    assert ids.index("mkt_dir") < ids.index("is_dir")
    assert ids == ["mkt_dir", "mkt_mgr", "svp", "sales_mgr", "is_dir", "ops_mgr"]
    assert [c.priority for c in proposals] == list(range(1, 7))
    goals = {c.person_id: c.goal for c in proposals}
    assert goals["mkt_dir"] == "to_neutral" and goals["svp"] == "to_supporter" and goals["is_dir"] == "consolidate"
    assert "sys_mgr" not in ids  # a strong supporter
    # the production department is not a key department and the deck gives its three people no codes
    assert [p.id for p in campaign.left_out(people)] == ["prod_dir", "prod_mgr", "rnd_mgr"]
    assert not {"prod_dir", "prod_mgr", "rnd_mgr"} & set(ids)


def test_campaign_order_within_an_aim_and_who_counts_as_a_key_person() -> None:
    people = [
        KeyPerson(id="u_opp", name="U opponent", role="U", attitude="/"),
        KeyPerson(id="a_non", name="A non-supporter", role="A", attitude="-"),
        KeyPerson(id="e_opp", name="E opponent", role="E", attitude="/"),
        KeyPerson(id="e_non", name="E non-supporter", role="E", attitude="-"),
        KeyPerson(id="unknown", name="Not asked yet", role="U"),
        KeyPerson(id="keydept", name="No role yet", key_department=True, attitude="="),
        KeyPerson(id="layer", name="Flagged", decision_layer=True, attitude="+"),
        KeyPerson(id="nobody", name="Not a key person", attitude="-"),
    ]
    ids = [c.person_id for c in campaign.propose_campaign(people)]
    assert ids == ["unknown", "a_non", "e_opp", "e_non", "u_opp", "keydept", "layer"]
    assert [p.id for p in campaign.left_out(people)] == ["nobody"]
    assert campaign.is_key_person(people[5]) and not campaign.is_key_person(people[7])


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
