"""A full case workbook for the export and plan-health tests: every chapter's section filled in.

Chapters 1–2 come from the exercise cases (the ex01 account list, ex01's a09 as the key account,
as in ex02) and the deck's worked key-person example (``kamlib.people.deck_example``), with
invented personal names so that names and titles differ; chapter 3 is invented around them.
The tenders are the deck's worked example (``kamlib.bidding.deck_example``) and exercise 04's case
(``kamlib.bidding.case_bid``) placed at this account, with a T1–T4 worksheet and checklist, plus a
tender with no bidders yet; chapter 4 uses the deck's profit-leverage example
(``kamlib.retention.DECK_EXAMPLE``) with a whitespace map over the customer tree, ties, a stage and
activities for the questions scored 0; the crises follow the playbook's steps
(``kamlib.crisis.template_steps``) with the people they touched, one re-assessed. Every free-text
note holds a marker ``NOTE-…`` so tests can check that an anonymised export leaves all of them out;
names the plan knows (people, units, the account) appear in short texts (a tender's name, a
worksheet's "who", an activity, an incident's title) so tests can check that they are replaced.
"""

from __future__ import annotations

import datetime as dt

from kamlib.analysis import starter_items
from kamlib.bidding import case_bid
from kamlib.bidding import deck_example as deck_tender
from kamlib.campaign import new_campaign_rows
from kamlib.crisis import template_steps
from kamlib.exercises.case import load_case
from kamlib.i18n import Lang
from kamlib.model.bidding import RuleTemplate, TargetAction
from kamlib.model.retention import (
    AffectedPerson,
    OrgRelation,
    PlannedActivity,
    ProductLine,
    StageChoice,
    WhitespaceCell,
)
from kamlib.model.workbook import (
    Action,
    ActionRevision,
    Assessment,
    BankQuestion,
    Bid,
    CampaignStep,
    Crisis,
    Department,
    Factor,
    KeyAccountPick,
    Measure,
    Need,
    Opportunity,
    ProfileAnswer,
    PushTask,
    ShareCard,
    StrategyChoice,
    TeamPair,
    Trainee,
    TreeUnit,
    Workbook,
)
from kamlib.people import deck_example
from kamlib.question_bank import starter_questions
from kamlib.retention import DECK_EXAMPLE
from kamlib.screening import propose_key_accounts

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
KEY_ACCOUNT = "a09"  # ex02's account
# Invented personal names for the deck's ten people, in the deck's order.
NAMES = ("Zhao Guoqiang", "Qian Meiling", "Sun Haoran", "Li Jianhua", "Zhou Xiaoyu", "Wu Tingting",
         "Zheng Kai", "Wang Lihong", "Feng Yuchen", "Chen Shuang")
COLLEAGUES = ("Hu Wenbo", "Deng Xiaoli", "Tang Wei")


def _note(tag: str) -> str:
    return f"NOTE-{tag} details only the account team may read"


def full_workbook(lang: Lang = "en") -> Workbook:
    """A workbook in which every section of the plan holds data (dates around ``TODAY``)."""
    day = TODAY
    wb = Workbook(trainee=Trainee(id="li.wei", name="Li Wei", team="Chengdu 2", language=lang))
    plan = wb.plan
    accounts = load_case("ex01", lang)
    accounts[8] = accounts[8].model_copy(update={"notes": _note("account")})
    plan.portfolio.items = accounts
    plan.portfolio.updated_at = NOW - dt.timedelta(days=3)
    picks = propose_key_accounts(accounts)
    plan.key_accounts = [KeyAccountPick(account_id=a.id, kind=kind) for kind in ("top", "strategic")
                         for a in picks[kind]]
    plan.focus_account = KEY_ACCOUNT
    key = next(a for a in accounts if a.id == KEY_ACCOUNT)
    plan.share = ShareCard(account_id=KEY_ACCOUNT, goal=_note("goal"), problem=_note("problem"),
                           organisation=_note("organisation"))

    root = TreeUnit(id="u_root", name=key.name, kind="dmu", bp_wan=800)
    units = [root,
             TreeUnit(id="u_it", name="Technology Department Xinhe", parent_id=root.id, kind="user", bp_wan=600),
             TreeUnit(id="u_city", name="Mianyang Sub-branch Dongfeng", parent_id=root.id, kind="dmu", bp_wan=500),
             TreeUnit(id="u_credit", name="Credit Office Baiyun", parent_id="u_city", kind="user", bp_wan=300)]
    plan.customer_tree.items = units
    plan.customer_tree.updated_at = NOW - dt.timedelta(days=90)  # stale

    items = starter_items(lang)
    for n, item in enumerate(items):
        status = "known" if item.level == "public" or n % 3 == 0 else ("partly" if n % 3 == 1 else "unknown")
        items[n] = item.model_copy(update={"status": status, "content": _note(f"info{n}"),
                                           "channel": "customer website", "learned_on": day - dt.timedelta(n)})
    plan.information.items = items
    plan.information.updated_at = NOW - dt.timedelta(days=10)

    people = deck_example(lang, illustrate=True)
    people = [p.model_copy(update={"name": name}) for p, name in zip(people, NAMES, strict=True)]
    plan.key_persons.items = people
    plan.key_persons.updated_at = NOW - dt.timedelta(days=5)
    departments = sorted({p.department for p in people if p.department})
    plan.departments.items = [Department(name=d, duties=_note(f"duties{i}"), key=i == 0)
                              for i, d in enumerate(departments)]
    plan.needs.items = [Need(project="Core banking terminals", kind="product", description=_note("need"),
                             budget_wan=900, funds="approved", timing=day + dt.timedelta(90))]
    plan.opportunities.items = [
        Opportunity(name="Branch terminal refresh", amount_wan=900, expected_on=day + dt.timedelta(60),
                    position="even", funding_source="annual budget", decision_process=_note("decision"),
                    procurement_process=_note("procurement"), people=["svp", "is_dir"], notes=_note("opp")),
        Opportunity(name="Data centre backup", amount_wan=300, expected_on=day + dt.timedelta(200), position="weak"),
    ]
    plan.push_plan.items = [PushTask(task="Meet the IS director", due_on=day + dt.timedelta(7), owner=COLLEAGUES[0])]
    plan.question_bank.items = [*starter_questions(lang)[:2], BankQuestion(
        step=4, question=f"Does {NAMES[3]} sign off the budget?", answer=_note("bank"))]
    people[0].profile.answers = [ProfileAnswer(group="education", question=f"Where did {NAMES[0]} study?",
                                               answer=_note("profile")),
                                 ProfileAnswer(group="family", question="Family occasions?")]

    factors = [
        Factor(id="f1", text="Fast service response", dimension="service", advantage=True, strong_control=True,
               importance=4),
        Factor(id="f2", text="Zhou Xiaoyu trusts our engineers", dimension="people", advantage=True,
               strong_control=False, importance=3),
        Factor(id="f3", text="Price above the rival", dimension="price", advantage=False, strong_control=True,
               importance=5),
        Factor(id="f4", text="Rival's product stronger", dimension="product", advantage=False,
               strong_control=False, importance=2),
        Factor(id="f5", text="Value for money", dimension="price", advantage=True, strong_control=True),
    ]
    plan.factors.items = factors
    plan.factors.updated_at = NOW - dt.timedelta(days=4)
    plan.strategy = StrategyChoice(chosen="persevere", reason=_note("reason"), chosen_on=day - dt.timedelta(4))
    plan.measures.items = [
        Measure(priority=1, key_factor="Price above the rival", factor_id="f3", analysis=_note("analysis"),
                measures=_note("measures"), resources=_note("resources")),
        Measure(priority=2, key_factor="Key-person relationship", factor_id="f2", measures=_note("measures2")),
    ]
    plan.measures.updated_at = NOW - dt.timedelta(days=2)
    steps = new_campaign_rows(people, [])
    steps = [s.model_copy(update={"aim": _note(f"aim{i}"), "target_on": day + dt.timedelta(10 * i),
                                  "result": _note(f"result{i}") if i == 0 else ""}) for i, s in enumerate(steps)]
    plan.campaign.items = [*steps, CampaignStep(person_id="gone", priority=99, goal="to_supporter")]
    plan.campaign.updated_at = NOW - dt.timedelta(days=1)
    plan.team.items = [
        TeamPair(stage="early", our_name=COLLEAGUES[0], our_role="account_manager", their_id="is_dir"),
        TeamPair(stage="middle", our_name=COLLEAGUES[0], our_role="account_manager", their_id="svp",
                 notes=_note("team")),
        TeamPair(stage="middle", our_name=COLLEAGUES[1], our_role="technical", their_id="is_dir"),
        TeamPair(stage="middle", our_name=COLLEAGUES[2], our_role="finance"),
    ]
    plan.team.updated_at = NOW - dt.timedelta(days=6)
    old = NOW - dt.timedelta(days=50)
    plan.actions.items = [
        Action(id="a_visit", text="Executive visit to Zhao Guoqiang", priority=1, person_id="svp", factor_id="f3",
               commitment="visit", owner=COLLEAGUES[0], target_on=day - dt.timedelta(20),
               done_on=day - dt.timedelta(22), status="done", evaluation=_note("eval"),
               history=[ActionRevision(at=NOW - dt.timedelta(25), status="planned", target_on=day - dt.timedelta(20))]),
        Action(id="a_trial", text="Trial units for the branch", priority=2, person_id="is_dir", commitment="trial",
               owner=COLLEAGUES[1], target_on=day - dt.timedelta(3), status="doing"),
        Action(id="a_tech", text="Technical exchange", priority=2, person_id="ops_mgr", commitment="tech_exchange",
               owner=COLLEAGUES[1], target_on=day + dt.timedelta(5), status="planned",
               history=[ActionRevision(at=old, status="planned", target_on=day - dt.timedelta(1))]),
        Action(id="a_tour", text="Site tour", priority=3, target_on=day + dt.timedelta(40), status="planned"),
        Action(id="a_gift", text="Seasonal gift", status="dropped"),
    ]
    plan.actions.updated_at = NOW - dt.timedelta(days=40)  # stale
    plan.rule_templates.items = [RuleTemplate(id="tpl_prov", name="Provincial procurement centre template")]
    plan.bids.items = _bids(key.name, lang)
    plan.bids.updated_at = NOW - dt.timedelta(days=8)
    latest = Assessment(taken_on=day - dt.timedelta(10), answers=[True, True, True, False, True, True, False, False],
                        notes=_note("assessment"), crisis_id="c_late")  # the re-run after the late delivery
    plan.assessments.items = [
        Assessment(taken_on=day - dt.timedelta(300), answers=[True, False, False, False, True, False, False, False]),
        Assessment(taken_on=day - dt.timedelta(100), answers=[True, True, False, False, True, False, False, False]),
        latest,
    ]
    plan.assessments.updated_at = NOW - dt.timedelta(days=10)
    _retention(wb)
    plan.crises.items = _crises(lang)
    plan.crises.updated_at = NOW - dt.timedelta(days=60)
    return Workbook.model_validate(wb.model_dump())


def _bids(account: str, lang: Lang) -> list[Bid]:
    """The deck's example and exercise 04's case as tenders at the key account, and one without bidders yet."""
    day = TODAY
    deck = deck_tender(lang)
    bidders = [b.model_copy(update={"notes": _note("bidder")}) if b.us else b for b in deck.bidders]
    terminals = deck.model_copy(update={
        "name": f"Branch terminal tender at {account}", "due_on": day + dt.timedelta(30), "notes": _note("bid"),
        "illustration": False, "template_id": "tpl_prov", "bidders": bidders, "checklist": ["toc", "numbers", "visits"],
        "targets": [
            TargetAction(part="j1_price", target="t1_customer", who=f"{NAMES[0]} (Senior VP)", action=_note("t1"),
                         due_on=day + dt.timedelta(10)),
            TargetAction(part="j2_technical", target="t3_experts", who="Provincial evaluation expert panel",
                         action=_note("t3"), due_on=day - dt.timedelta(5)),  # overdue
            TargetAction(part="j3_service", target="t1_customer", who=NAMES[3], action=_note("t1b"),
                         due_on=day - dt.timedelta(20), done=True),
        ],  # no row for J4: where influence matters most in this case
    })
    case = case_bid("ex04", lang)
    backup = case.model_copy(update={
        "name": "Data centre backup tender", "due_on": day + dt.timedelta(75), "checklist": ["toc", "numbers", "know",
                                                                                           "team", "visits"],
        "targets": [TargetAction(part=part, target=target, who=who, due_on=day + dt.timedelta(20 + n))
                    for n, (part, target, who) in enumerate((
                        ("j1_price", "t2_agency", "Provincial procurement centre"),
                        ("j2_technical", "t1_customer", NAMES[4]),
                        ("j3_service", "t1_customer", NAMES[9]),
                        ("j4_commercial", "t4_competitors", "Rongxin Systems Integration")))],
    })
    return [terminals, backup, Bid(name="Branch kiosk tender")]


def _retention(wb: Workbook) -> None:
    """Chapter 4: the deck's leverage figures, our product lines over the customer tree, ties, stage, activities."""
    day, r = TODAY, wb.plan.retention
    r.leverage = DECK_EXAMPLE
    r.product_lines = [ProductLine(id="l_term", name="Counter terminals"),
                       ProductLine(id="l_kiosk", name="Self-service kiosks"),
                       ProductLine(id="l_srv", name="Servers"),
                       ProductLine(id="l_care", name="Maintenance services", notes=_note("line"))]
    marks = {("u_root", "l_term"): "bought", ("u_root", "l_kiosk"): "open", ("u_root", "l_srv"): "na",
             ("u_it", "l_srv"): "bought", ("u_it", "l_care"): "open", ("u_city", "l_term"): "bought",
             ("u_credit", "l_term"): "na", ("u_credit", "l_kiosk"): "na"}
    r.whitespace = [WhitespaceCell(unit_id=u, line_id=line, status=s) for (u, line), s in marks.items()]
    r.relations = [
        OrgRelation(item="resident_engineers", description=_note("relation"), since=day - dt.timedelta(200)),
        OrgRelation(item="customisation", since=day - dt.timedelta(90)),
        OrgRelation(item="marketing_cooperation", status="planned", description=_note("relation2")),
    ]
    r.stage = StageChoice(current="product", evidence=_note("evidence"), target="needs",
                          target_on=day + dt.timedelta(180))
    # the latest assessment scored 0 on questions 4, 7 and 8; 7 is left without an activity
    r.activities = [
        PlannedActivity(activity="training", text="User workshop at Technology Department Xinhe", questions=[4],
                        owner=COLLEAGUES[1], due_on=day + dt.timedelta(20)),
        PlannedActivity(activity="executive_care", text=f"Executive dinner with {NAMES[0]}", questions=[2, 8],
                        owner=COLLEAGUES[0], due_on=day - dt.timedelta(3)),  # overdue
        PlannedActivity(activity="service_supply", text="Dedicated service desk", questions=[6],
                        owner=COLLEAGUES[2], due_on=day - dt.timedelta(40), done=True),
    ]
    r.updated_at = NOW - dt.timedelta(days=7)


def _crises(lang: Lang) -> list[Crisis]:
    """Two incidents: one in its repair phase and re-assessed, one just detected with its plan still thin."""
    day = TODAY
    late = Crisis(id="c_late", title="Late delivery of terminals", happened_on=day - dt.timedelta(60), severity=2,
                  notes=_note("crisis"), kind="delivery", detected_on=day - dt.timedelta(58),
                  products="counter terminals, batch 7", line_ids=["l_term"], root_cause=_note("root"),
                  affected=[AffectedPerson(person_id="svp", before="=", after="-", note=_note("svp")),
                            AffectedPerson(person_id="is_dir", before="+", after="+"),
                            AffectedPerson(person_id="mkt_dir", before="-", after="/"),
                            AffectedPerson(person_id="sys_mgr", before="*")])
    done = {"acknowledge": 57, "contain": 52, "fix": 30}  # days ago; repair is overdue, prevent still ahead
    steps = [s.model_copy(update={"owner": COLLEAGUES[n % 3],
                                  "done_on": day - dt.timedelta(done[s.phase]) if s.phase in done else None})
             for n, s in enumerate(template_steps(late, lang))]
    late = late.model_copy(update={"steps": steps})
    fault = Crisis(title="Firmware fault at Mianyang Sub-branch Dongfeng", happened_on=day - dt.timedelta(5),
                   severity=3, kind="quality", notes=_note("fault"), products="kiosk firmware 3.2",
                   affected=[AffectedPerson(person_id="sales_mgr", before="=", after="-")])
    first = template_steps(fault, lang)[:2]  # acknowledge (done) and contain (overdue); the other phases missing
    fault = fault.model_copy(update={"steps": [
        first[0].model_copy(update={"owner": COLLEAGUES[0], "done_on": day - dt.timedelta(5)}),
        first[1].model_copy(update={"owner": COLLEAGUES[1]}),
    ]})
    return [late, fault]


def secrets(wb: Workbook) -> list[str]:
    """What an anonymised export must not show: every name the plan knows, our colleagues, every note."""
    plan = wb.plan
    out = [a.name for a in plan.portfolio.items] + [p.name for p in plan.key_persons.items]
    out += [u.name for u in plan.customer_tree.items] + list(COLLEAGUES)
    out.append("NOTE-")
    return out
