"""kamlib.analysis: the information pyramid, readiness, the five-step method, ranking, quadrants."""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest

from kamlib.analysis import (
    CAUTIONS,
    CHANNELS,
    DIMENSIONS,
    LEVELS,
    PYRAMID_ITEMS,
    PYRAMID_LEVELS,
    QUADRANTS,
    STEPS,
    TECHNIQUES,
    channel_options,
    depth_by_level,
    factor_quadrant,
    five_step_status,
    missing_standard_items,
    rank_opportunities,
    ready_for_first_visit,
    standard_key,
    starter_items,
)
from kamlib.i18n import LANGS, catalog, t
from kamlib.model.workbook import (
    AccountPlan,
    Department,
    Factor,
    InformationItem,
    KeyPerson,
    Need,
    Opportunity,
    PushTask,
)

CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Course terms, as escapes (no Chinese in .py files).
PUBLIC_ZH = "\u516c\u5f00\u4fe1\u606f"
LIMITED_ZH = "\u6709\u9650\u516c\u5f00\u4fe1\u606f"
IMPORTANT_ZH = "\u91cd\u8981\u4fe1\u606f"
EXCLUSIVE_ZH = "\u72ec\u6709\u4fe1\u606f"
US_ZH = "\u77e5\u5df1"
FOLLOW_VINE_ZH = "\u987a\u85e4\u6478\u74dc"
PEER_ZH = "\u540c\u884c\u7c7b\u6bd4"
HYPOTHESIS_ZH = "\u5047\u8bbe\u8bd5\u63a2"
QUADRANTS_ZH = {"use": "\u5229\u7528", "leverage": "\u53d1\u6325", "reduce": "\u964d\u4f4e",
                "eliminate": "\u6d88\u9664"}
STEP_ZH = {1: "\u7ec4\u7ec7\u67b6\u6784", 2: "\u5173\u952e\u73af\u8282", 3: "\u5ba2\u6237\u9700\u6c42",
           4: "\u51b3\u7b56\u6d41\u7a0b", 5: "\u63a8\u52a8\u8ba1\u5212"}
DAY = dt.date(2025, 6, 1)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# ---- catalogs ----------------------------------------------------------------------------------


def test_every_key_used_is_in_both_catalogs():
    keys = [f"analysis.item.{k}" for keys in PYRAMID_ITEMS.values() for k in keys]
    keys += [f"analysis.channel.{k}" for sides in CHANNELS.values() for ks in sides.values() for k in ks]
    keys += [f"analysis.level.{lv}" for lv in LEVELS] + [f"analysis.status.{s}" for s in ("known", "partly",
                                                                                           "unknown")]
    keys += [f"analysis.technique.{k}.{p}" for k in TECHNIQUES for p in ("title", "what")]
    keys += [f"analysis.caution.{k}" for k in CAUTIONS]
    keys += [f"analysis.step.{n}.{p}" for n in STEPS for p in ("title", "what")]
    keys += [f"analysis.dimension.{d}" for d in DIMENSIONS] + [f"analysis.quadrant.{q}" for q in QUADRANTS]
    zh, en = catalog("zh"), catalog("en")
    for key in keys:
        assert zh[key].strip() and en[key].strip(), key
    mine_zh = {k for k in zh if k.startswith("analysis.")}
    assert mine_zh == {k for k in en if k.startswith("analysis.")}
    assert [k for k in mine_zh if fields(zh[k]) != fields(en[k])] == []
    assert not [k for k in mine_zh if CJK.search(en[k])]


def test_course_terms_are_the_course_s():
    assert [t(f"analysis.level.{lv}", "zh") for lv in LEVELS] == [PUBLIC_ZH, LIMITED_ZH, IMPORTANT_ZH,
                                                                   EXCLUSIVE_ZH, US_ZH]
    assert [t(f"analysis.technique.{k}.title", "zh") for k in TECHNIQUES] == [FOLLOW_VINE_ZH, PEER_ZH,
                                                                              HYPOTHESIS_ZH]
    for q, word in QUADRANTS_ZH.items():
        assert t(f"analysis.quadrant.{q}", "zh") == word
    for n, word in STEP_ZH.items():
        assert word in t(f"analysis.step.{n}.title", "zh")


# ---- inventory ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_starter_items_one_unknown_per_standard_item(lang):
    items = starter_items(lang)
    assert len(items) == sum(len(v) for v in PYRAMID_ITEMS.values()) == 27
    for level in LEVELS:
        topics = [i.topic for i in items if i.level == level]
        assert topics == [t(f"analysis.item.{k}", lang) for k in PYRAMID_ITEMS[level]]
    assert {i.status for i in items} == {"unknown"}
    assert len({i.id for i in items}) == len(items)
    assert [len(PYRAMID_ITEMS[lv]) for lv in LEVELS] == [7, 4, 6, 1, 9]
    assert bool(CJK.search(items[0].topic)) == (lang == "zh")


def test_missing_standard_items_matches_topics_in_either_language():
    zh = starter_items("zh")
    assert missing_standard_items(zh, "en") == []
    kept = [i for i in zh if i.level != "public"]
    kept.append(InformationItem(level="public", topic="  annual AND quarterly reports ", status="known"))
    added = missing_standard_items(kept, "en")
    assert [i.topic for i in added] == [t(f"analysis.item.{k}", "en") for k in PYRAMID_ITEMS["public"][1:]]
    assert {i.level for i in added} == {"public"}
    assert len(missing_standard_items([], "zh")) == 27
    assert standard_key("my own topic") is None
    assert standard_key(t("analysis.item.budget", "zh")) == "budget"


@pytest.mark.parametrize("lang", LANGS)
def test_channel_options(lang):
    assert channel_options("public", lang) == [t(f"analysis.channel.{k}", lang) for k in CHANNELS["public"]["them"]]
    assert channel_options("important", lang, side="us") == [
        t(f"analysis.channel.{k}", lang) for k in CHANNELS["important"]["us"]
    ]
    us = channel_options("us", lang)
    assert len(us) == len(set(us))
    assert t("analysis.channel.colleagues", lang) in us and t("analysis.channel.purchase_agreements", lang) in us
    assert set(CHANNELS) == set(PYRAMID_LEVELS)


# ---- readiness and depth -----------------------------------------------------------------------


def public_items(statuses: list[str]) -> list[InformationItem]:
    items = starter_items("en")
    public = [i for i in items if i.level == "public"]
    for item, status in zip(public, statuses, strict=True):
        item.status = status
    return items


def test_ready_only_when_every_public_item_is_known():
    ready = ready_for_first_visit(public_items(["known"] * 7))
    assert ready.ready and ready.missing == [] and (ready.known, ready.total) == (7, 7)
    for lang in LANGS:
        assert ready.summary().render(lang) == t("analysis.readiness.ready", lang)

    partly = ready_for_first_visit(public_items(["known"] * 6 + ["partly"]))
    assert not partly.ready and (partly.known, partly.total) == (6, 7)
    topic = t("analysis.item.competition", "en")
    assert [m.render("en") for m in partly.missing] == [
        t("analysis.readiness.not_known", "en", topic=topic, status=t("analysis.status.partly", "en"))
    ]
    assert partly.summary().render("en") == t("analysis.readiness.not_ready", "en", count=1)

    unknown = ready_for_first_visit(public_items(["unknown"] * 7))
    assert not unknown.ready and len(unknown.missing) == 7 and unknown.known == 0


def test_readiness_counts_absent_standard_items_and_own_items():
    items = [InformationItem(level="public", topic=t(f"analysis.item.{k}", "zh"), status="known")
             for k in PYRAMID_ITEMS["public"][:5]]
    items.append(InformationItem(level="public", topic="own topic", status="unknown"))
    items.append(InformationItem(level="important", topic="x", status="unknown"))  # not public: irrelevant
    r = ready_for_first_visit(items)
    assert not r.ready and (r.known, r.total) == (5, 8) and len(r.missing) == 3
    assert t("analysis.item.competition", "zh") in r.missing[1].render("zh")
    assert "own topic" in r.missing[2].render("en")
    assert not ready_for_first_visit([]).ready
    assert len(ready_for_first_visit([]).missing) == 7


def test_depth_by_level():
    items = [
        InformationItem(level="public", topic="a", status="known"),
        InformationItem(level="public", topic="b", status="partly"),
        InformationItem(level="public", topic="c", status="unknown"),
        InformationItem(level="exclusive", topic="d", status="partly"),
        InformationItem(level="us", topic="e", status="known"),
    ]
    assert depth_by_level(items) == {"public": 0.5, "limited": 0.0, "important": 0.0, "exclusive": 0.5, "us": 1.0}
    assert depth_by_level([]) == dict.fromkeys(LEVELS, 0.0)


# ---- the five-step method ----------------------------------------------------------------------


def half_plan() -> AccountPlan:
    """Steps 1 and 2 done; step 3 partly; steps 4 and 5 empty."""
    plan = AccountPlan()
    plan.departments.items += [
        Department(name="IS", duties="IT", key=True),
        Department(name="Production", duties="plants"),
    ]
    plan.key_persons.items.append(KeyPerson(name="Wang", department="is"))
    plan.needs.items.append(Need(project="ERP", kind="product", budget_wan=200))
    return plan


def full_plan() -> AccountPlan:
    plan = half_plan()
    plan.needs.items[0].funds = "approved"
    plan.needs.items[0].timing = DAY
    person = plan.key_persons.items[0]
    plan.opportunities.items += [
        Opportunity(name="ERP", amount_wan=200, expected_on=DAY, position="even", funding_source="own budget",
                    decision_process="board", procurement_process="tender", people=[person.id]),
        Opportunity(name="Printers", amount_wan=20, expected_on=DAY, position="strong"),
    ]
    plan.push_plan.items.append(PushTask(task="Visit Wang", due_on=DAY))
    return plan


@pytest.mark.parametrize("lang", LANGS)
def test_five_steps_on_an_empty_plan(lang):
    steps = five_step_status(AccountPlan())
    assert [s.step for s in steps] == [1, 2, 3, 4, 5]
    assert not any(s.done for s in steps)
    assert [len(s.missing) for s in steps] == [1] * 5
    expected = ["no_departments", "no_key_department", "no_needs", "no_opportunities", "no_tasks"]
    assert [s.missing[0].render(lang) for s in steps] == [t(f"analysis.five.{k}", lang) for k in expected]
    assert [s.title.render(lang) for s in steps] == [t(f"analysis.step.{n}.title", lang) for n in STEPS]
    assert all(s.what.render(lang) for s in steps)


@pytest.mark.parametrize("lang", LANGS)
def test_five_steps_on_a_half_filled_plan(lang):
    steps = five_step_status(half_plan())
    assert [s.done for s in steps] == [True, True, False, False, False]
    assert [m.render(lang) for m in steps[2].missing] == [
        t("analysis.five.need_field", lang, project="ERP", field=t(f"analysis.field.{f}", lang))
        for f in ("funds", "timing")
    ]

    plan = half_plan()
    plan.departments.items[1].duties = ""
    plan.key_persons.items[0].department = "Production"
    steps = five_step_status(plan)
    assert [m.render(lang) for m in steps[0].missing] == [t("analysis.five.no_duties", lang, name="Production")]
    assert [m.render(lang) for m in steps[1].missing] == [t("analysis.five.no_key_persons", lang, name="IS")]


@pytest.mark.parametrize("lang", LANGS)
def test_five_steps_on_a_full_plan(lang):
    steps = five_step_status(full_plan())
    assert all(s.done for s in steps), [m.render(lang) for s in steps for m in s.missing]
    assert all(s.missing == [] for s in steps)


@pytest.mark.parametrize("lang", LANGS)
def test_step_four_names_what_the_target_lacks(lang):
    plan = full_plan()
    target = plan.opportunities.items[0]
    target.procurement_process = ""
    target.people = ["nobody"]
    plan.opportunities.items[1].position = None
    plan.push_plan.items[0].due_on = None
    steps = five_step_status(plan)
    assert [m.render(lang) for m in steps[3].missing] == [
        t("analysis.five.rank_field", lang, name="Printers", field=t("analysis.field.position", lang)),
        t("analysis.five.target_field", lang, name="ERP", field=t("analysis.field.procurement_process", lang)),
        t("analysis.five.target_people", lang, name="ERP"),
    ]
    assert [m.render(lang) for m in steps[4].missing] == [t("analysis.five.task_date", lang, task="Visit Wang")]


# ---- ranking and quadrants ---------------------------------------------------------------------


def test_rank_opportunities_by_amount_then_timing_then_position():
    later = DAY + dt.timedelta(days=30)
    opps = [
        Opportunity(name="small", amount_wan=10, expected_on=DAY, position="strong"),
        Opportunity(name="big-late", amount_wan=500, expected_on=later, position="strong"),
        Opportunity(name="big-soon-weak", amount_wan=500, expected_on=DAY, position="weak"),
        Opportunity(name="big-soon-even", amount_wan=500, expected_on=DAY, position="even"),
        Opportunity(name="no-amount"),
        Opportunity(name="big-soon-unknown", amount_wan=500, expected_on=DAY),
        Opportunity(name="big-no-date", amount_wan=500, position="strong"),
    ]
    assert [o.name for o in rank_opportunities(opps)] == [
        "big-soon-even", "big-soon-weak", "big-soon-unknown", "big-late", "big-no-date", "small", "no-amount",
    ]
    assert rank_opportunities([]) == []
    assert opps[0].name == "small"  # input untouched


@pytest.mark.parametrize(
    ("advantage", "strong", "quadrant"),
    [(True, False, "use"), (True, True, "leverage"), (False, False, "reduce"), (False, True, "eliminate")],
)
def test_factor_quadrant(advantage, strong, quadrant):
    assert factor_quadrant(Factor(text="f", advantage=advantage, strong_control=strong)) == quadrant
    assert quadrant in QUADRANTS


def test_dimensions_cover_the_model():
    assert DIMENSIONS == ("product", "price", "service", "people", "politics", "other")
