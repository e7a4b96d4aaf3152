"""The trainee's workbook file: profile and account plan, one validated model (schema v5).

Every chapter reads this model and adds to its own section. Sections hold typed rows; later
chapters extend the row models and raise ``SCHEMA_VERSION`` with a migration in ``migrate.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Literal

from pydantic import Field, PrivateAttr, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from kamlib import __version__
from kamlib.chapters import CHAPTERS
from kamlib.i18n import Lang
from kamlib.model.base import (  # noqa: F401  (re-exported: the models' building blocks)
    Amount,
    Model,
    Name,
    Note,
    Percent,
    Row,
    RowT,
    Section,
    ShortText,
    TraineeId,
    new_id,
    now,
)
from kamlib.model.bidding import Bid, RuleTemplate
from kamlib.model.retention import Assessment, Crisis, Retention
from kamlib.model.sharing import HiddenName, Sharing  # noqa: F401  (HiddenName re-exported)

SCHEMA_VERSION: Final = 6


class Trainee(Model):
    """Who owns the workbook."""

    id: TraineeId
    name: Name
    team: ShortText = ""
    language: Lang = "zh"


# ---- rows of the account plan, one model per course concept -------------------------------


Segment = Literal["home", "smb", "lb", "industry", "ga"]
Influence = Literal["large", "medium", "small"]
Coverage = Literal["os", "is", "channel"]
Relationship = Literal["good", "average", "poor"]
WorkOrder = Literal["near", "mid", "long"]
PickKind = Literal["top", "strategic"]
# The screening guidelines the trainee ticks per account (chapter 1.4); the benchmark criterion is ``benchmark``.
GuidelineCriterion = Literal["output_rank", "major_opportunity", "industry_influence", "fight_competitor"]


class YearFigures(Model):
    """One past year of an account: buying power and our share of wallet."""

    year: int = Field(ge=1990, le=2100)
    bp_wan: Amount | None = None
    sow_pct: Percent | None = None


class Account(Row):
    """One account of the trainee's list with its screening-table columns (chapter 1)."""

    name: Name
    industry: ShortText = ""
    segment: Segment | None = None
    bp_wan: Amount | None = None  # this year's annual buying power
    sow_pct: Percent | None = None  # this year's share of wallet
    history: list[YearFigures] = Field(default_factory=list, max_length=5)
    benchmark: bool = False  # an industry benchmark company
    influence: Influence | None = None
    margin: bool = False  # contributes margin
    revenue: bool = False  # contributes revenue
    coverage: Coverage | None = None
    relationship: Relationship | None = None
    work_order: WorkOrder | None = None  # the trainee's own order; None: the suggested one
    notes: Note = ""
    # the guideline criteria ticked on the checklist (chapter 1.4); optional, so older files load unchanged
    criteria: list[GuidelineCriterion] = Field(default_factory=list, max_length=4)


class KeyAccountPick(Model):
    """A Top or Strategic pick; ``kind`` None is a pick from an older file still to be classified."""

    account_id: str
    kind: PickKind | None = None


class TreeUnit(Row):
    """A unit of the customer tree, a DMU or a User (chapter 1.2); its level is its depth (Lv1 = root)."""

    name: Name
    parent_id: str | None = None
    kind: Literal["unit", "dmu", "user"] = "unit"
    bp_wan: Amount | None = None


class ShareCard(Model):
    """Share 1: my key account (chapter 1.8)."""

    account_id: str | None = None
    goal: Note = ""
    problem: Note = ""
    organisation: Note = ""


Role = Literal["A", "D", "E", "U"]
Style = Literal["D", "K", "A", "E"]
Attitude = Literal["*", "+", "=", "-", "/"]
Contact = Literal["0", "1", "N", "F"]
InfoLevel = Literal["public", "limited", "important", "exclusive", "us"]
NeedKind = Literal["service", "product", "logistics"]
Position = Literal["strong", "even", "weak"]
Dimension = Literal["product", "price", "service", "people", "politics", "other"]


# The groups of the customer-profile questionnaire, as Harvey Mackay groups his 66 questions (chapter 2.5's tools).
ProfileGroup = Literal["customer", "education", "family", "business", "interests", "lifestyle", "you"]
Question = Annotated[str, StringConstraints(min_length=1, max_length=300)]
BankStep = Literal[1, 2, 3, 4, 5]  # the step of the five-step method a question of the question bank serves


class ProfileAnswer(Row):
    """A question of the trainee's own profile questionnaire about one person, in one group, and its answer."""

    group: ProfileGroup
    question: Question
    answer: Note = ""


class PersonProfile(Model):
    """What we know of a key person as a person (our own wording, in the spirit of Mackay's profile)."""

    background: Note = ""
    interests: Note = ""
    career_goals: Note = ""
    personal_win: Note = ""  # what a win for this project means to them personally
    # the questionnaire's questions and answers (optional, so older files load unchanged)
    answers: list[ProfileAnswer] = Field(default_factory=list, max_length=300)


class KeyPerson(Row):
    """A person in the key-person analysis (chapter 2.4), coded as the course writes it."""

    name: Name
    title: ShortText = ""
    department: ShortText = ""
    reports_to: str | None = None  # the id of the person they report to (step 1)
    role: Role | None = None  # step 2: A approver, D decision-maker, E evaluator, U user
    style: Style | None = None  # step 3: D driver, K amiable, A analytical, E expressive
    attitude: Attitude | None = None  # step 4
    contact: Contact | None = None  # step 5: 0 none, 1 brief, N multiple, F deep
    key_department: bool = False
    inner_circle: bool = False  # step 6
    decision_layer: bool = False  # step 6
    influences: list[str] = Field(default_factory=list)  # ids of the people this person influences
    profile: PersonProfile = Field(default_factory=PersonProfile)


class Department(Row):
    """A department of the key account with its duties (five-step method, steps 1 and 2)."""

    name: Name
    duties: Note = ""
    key: bool = False


class Need(Row):
    """A project and its needs (five-step method, step 3)."""

    project: Name
    kind: NeedKind | None = None
    description: Note = ""
    budget_wan: Amount | None = None
    funds: ShortText = ""  # where the money comes from and whether it is approved
    timing: dt.date | None = None


class PushTask(Row):
    """A task of the push plan (five-step method, step 5)."""

    task: Name
    due_on: dt.date | None = None
    owner: ShortText = ""
    done: bool = False


class BankQuestion(Row):
    """A question of the company question bank for one step of the five-step method (chapter 2.5's tools),
    and what the customer answered; ``starter`` names the workbook's starter question it began as."""

    step: BankStep
    question: Question
    answer: Note = ""
    starter: str | None = Field(None, max_length=20)


class InformationItem(Row):
    """An item of the information pyramid or the 'about us' list (chapter 2.1)."""

    level: InfoLevel
    topic: Name
    status: Literal["known", "partly", "unknown"] = "unknown"
    content: Note = ""
    channel: ShortText = ""
    learned_on: dt.date | None = None


class Opportunity(Row):
    """A project or opportunity at the key account (chapter 2.3)."""

    name: Name
    amount_wan: Amount | None = None
    expected_on: dt.date | None = None
    position: Position | None = None  # our competitive position
    funding_source: ShortText = ""
    decision_process: Note = ""
    procurement_process: Note = ""
    people: list[str] = Field(default_factory=list)  # ids of the decision and procurement people
    notes: Note = ""


class Factor(Row):
    """A factor of the information analysis (chapters 2.5 and 3.1)."""

    text: Name
    dimension: Dimension | None = None
    advantage: bool
    strong_control: bool
    importance: int = Field(1, ge=1, le=5)


Strategy = Literal["quick_win", "delay_surprise", "venture", "persevere", "bide", "strengths"]
CampaignGoal = Literal["to_neutral", "to_supporter", "consolidate"]
ActionStatus = Literal["planned", "doing", "done", "dropped"]
TeamStage = Literal["early", "middle"]


class StrategyChoice(Model):
    """The integrated strategy the trainee chose (chapter 3.2), and why."""

    chosen: Strategy | None = None
    reason: Note = ""
    chosen_on: dt.date | None = None
    updated_at: dt.datetime | None = None


class Measure(Row):
    """A row of the sales measures table (chapter 3.3)."""

    priority: int = Field(1, ge=1)
    key_factor: ShortText
    factor_id: str | None = None  # the factor of the analysis this row answers, if any
    analysis: Note = ""
    measures: Note = ""
    resources: Note = ""


class CampaignStep(Row):
    """A row of the key-person campaign plan (chapter 3.4)."""

    person_id: str
    priority: int | None = Field(None, ge=1)
    goal: CampaignGoal | None = None  # non-supporter to neutral, neutral to supporter, consolidate
    aim: Note = ""  # the strategy and activities
    resources: Note = ""
    target_on: dt.date | None = None
    done_on: dt.date | None = None
    result: Note = ""


class TeamPair(Row):
    """Who on our side works with whom on theirs (chapter 3.5), at the early or middle stage."""

    stage: TeamStage = "middle"
    our_name: Name
    our_role: ShortText = ""
    their_id: str | None = None  # a key person's id; None: nobody faces this colleague yet
    notes: Note = ""


class ActionRevision(Model):
    """What an action looked like before a change: the plan keeps its history (chapter 3.6)."""

    at: dt.datetime
    status: ActionStatus
    target_on: dt.date | None = None
    done_on: dt.date | None = None
    evaluation: Note = ""


class Action(Row):
    """A row of the action plan (chapter 3.6)."""

    text: Name
    priority: int | None = Field(None, ge=1)
    factor_id: str | None = None
    person_id: str | None = None
    commitment: ShortText = ""  # the customer commitment or milestone sought
    owner: ShortText = ""
    target_on: dt.date | None = None
    done_on: dt.date | None = None
    status: ActionStatus = "planned"
    evaluation: Note = ""
    history: list[ActionRevision] = Field(default_factory=list)


class AccountPlan(Model):
    """The account plan that the chapters fill in, section by section."""

    portfolio: Section[Account] = Field(default_factory=Section[Account])
    key_accounts: list[KeyAccountPick] = Field(default_factory=list)
    focus_account: str | None = None
    customer_tree: Section[TreeUnit] = Field(default_factory=Section[TreeUnit])
    share: ShareCard = Field(default_factory=ShareCard)
    information: Section[InformationItem] = Field(default_factory=Section[InformationItem])
    departments: Section[Department] = Field(default_factory=Section[Department])
    key_persons: Section[KeyPerson] = Field(default_factory=Section[KeyPerson])
    needs: Section[Need] = Field(default_factory=Section[Need])
    opportunities: Section[Opportunity] = Field(default_factory=Section[Opportunity])
    push_plan: Section[PushTask] = Field(default_factory=Section[PushTask])
    question_bank: Section[BankQuestion] = Field(default_factory=Section[BankQuestion])  # optional: older files load
    factors: Section[Factor] = Field(default_factory=Section[Factor])
    measures: Section[Measure] = Field(default_factory=Section[Measure])
    campaign: Section[CampaignStep] = Field(default_factory=Section[CampaignStep])
    actions: Section[Action] = Field(default_factory=Section[Action])
    strategy: StrategyChoice = Field(default_factory=StrategyChoice)
    team: Section[TeamPair] = Field(default_factory=Section[TeamPair])
    bids: Section[Bid] = Field(default_factory=Section[Bid])
    rule_templates: Section[RuleTemplate] = Field(default_factory=Section[RuleTemplate])
    assessments: Section[Assessment] = Field(default_factory=Section[Assessment])
    retention: Retention = Field(default_factory=Retention)
    crises: Section[Crisis] = Field(default_factory=Section[Crisis])
    sharing: Sharing = Field(default_factory=Sharing)  # the hide list for anonymised sharing

    @model_validator(mode="after")
    def _picks_are_on_the_list(self) -> AccountPlan:
        ids = {a.id for a in self.portfolio.items}
        picked_ids = [p.account_id for p in self.key_accounts]
        extra = [x for x in (self.focus_account, self.share.account_id) if x]
        for picked in [*picked_ids, *extra]:
            if picked not in ids:
                raise PydanticCustomError(
                    "kam", "{key}", {"key": "errors.field.unknown_account", "id": picked}
                )
        return self


class Meta(Model):
    """When the file was made and last saved, and by which kamlib."""

    created_at: dt.datetime = Field(default_factory=now)
    updated_at: dt.datetime = Field(default_factory=now)
    kamlib_version: str = __version__


ExerciseAnswer = str | float | list[str] | None


class GroupMember(Model):
    """A member of the group that worked on an exercise: their trainee id and name."""

    id: TraineeId
    name: ShortText = ""


class ExerciseGroup(Model):
    """The group an exercise is handed in for (group work): every member gets the group's score."""

    id: TraineeId  # the same safe-file-name rule as a trainee id
    name: ShortText = ""
    members: list[GroupMember] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _members_once(self) -> ExerciseGroup:
        ids = [m.id for m in self.members]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("kam", "{key}", {"key": "gradebook.error.member_twice"})
        return self


class ExerciseWork(Model):
    """A trainee's answers to one exercise as they type them, the files submitted, and the group
    they work in when the exercise is group work."""

    answers: dict[str, ExerciseAnswer] = Field(default_factory=dict)
    updated_at: dt.datetime | None = None
    submitted: list[str] = Field(default_factory=list)
    group: ExerciseGroup | None = None


class Workbook(Model):
    """The whole file: one trainee, one account plan, the trainee's exercise answers."""

    schema_version: Literal[6] = SCHEMA_VERSION
    trainee: Trainee
    plan: AccountPlan = Field(default_factory=AccountPlan)
    exercises: dict[str, ExerciseWork] = Field(default_factory=dict)
    meta: Meta = Field(default_factory=Meta)
    # The file this object was read from and a fingerprint of its bytes (kept by the store, never
    # saved): a save refuses to overwrite that file if it changed since.
    _source: tuple[str, str] | None = PrivateAttr(default=None)


# Which chapter fills which section (from the chapter registry): the start page's progress summary reads this.
CHAPTER_SECTIONS: dict[str, tuple[str, ...]] = {c.key: c.workbook_sections for c in CHAPTERS}
