"""Plan health: how complete and how current the account plan is, and what its data say about the account.

Two figures per section and overall, kept apart on purpose (as ``kamlib.people`` keeps them):

* **Completeness** (0–1): what is filled in. Per section the mean of a few checks, each 0–1
  (the checks are ``SECTION_CHECKS``' functions, one per section, documented there). Overall: the
  mean over the sections, except the optional ones (``OPTIONAL``: bids and crises — not every
  account has a tender, and an empty crisis log means nothing went wrong), which count only once
  started.
* **Position strength** (0–1): what the data say about the account, from three figures:
  ``support`` — ``kamlib.people.position_strength`` of the key-person map (support, contact and
  influence in the decision layer); ``substitutability`` — the latest substitutability assessment's
  score, yes answers out of eight (a re-run after a crisis is an assessment like any other);
  ``on_time`` — ``actions_on_time``. Overall: the mean of those of the three that have data
  (``strength_basis`` says which); None when none has. The bids, chapter 4's other inputs and the
  crisis log add to completeness only: a bid margin is our estimate of one tender, not of the
  account, and what a crisis did to the relationship shows in the key persons' attitudes and in
  the re-run assessment, which the strength already reads.

**Staleness**: a started section is stale when its last update is more than ``stale_days`` days old
(``STALE_AFTER_DAYS`` unless the course settings say otherwise, see ``stale_after``). A section's last
update is its ``updated_at`` (the latest of its parts'); the chosen strategy adds its date; the
assessments count from the latest assessment's date, since a re-assessment is what is due. An open
action is stale when its last revision (or, without one, the action plan's last save — so the true
age may be more) is older than that. Actions due soon are the open ones whose target date falls in
the next ``kamlib.actions.DUE_SOON_DAYS`` days (two weeks).

Pure logic: no widgets, no charts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kamlib.actions import action_progress, is_open
from kamlib.analysis import PYRAMID_ITEMS, STATUS_WEIGHT, five_step_status, standard_key
from kamlib.bidding import CONTESTED, checklist_done, overdue_actions, score_bid, uncovered_parts
from kamlib.campaign import campaign_targets
from kamlib.chapters import section_chapters
from kamlib.crisis import PHASES, is_overdue
from kamlib.customer_tree import tree_problems
from kamlib.i18n import Text
from kamlib.model.base import now as utc_now
from kamlib.model.retention import Retention
from kamlib.model.workbook import AccountPlan, Action, Assessment, Section
from kamlib.people import in_decision_layer, map_completeness, position_strength, red_flags
from kamlib.retention import next_review, uncovered_questions, whitespace_map, zero_questions
from kamlib.settings import CourseSettings, PickSettings
from kamlib.strategy import MIN_FACTORS
from kamlib.team import OUR_ROLES, team_gaps

STALE_AFTER_DAYS = 30  # the default of the course setting ``health.stale_days``
QUESTIONS = 8  # questions of the substitutability assessment (chapter 4, step 1)
OPTIONAL = frozenset({"bids", "crises"})
STRENGTH_PARTS = ("support", "substitutability", "on_time")

# Section key -> the key of the chapter it belongs to, in course order (from ``kamlib.chapters``).
SECTION_CHAPTERS: dict[str, str] = section_chapters()
SECTIONS: tuple[str, ...] = tuple(SECTION_CHAPTERS)


def stale_after(settings: CourseSettings | None = None) -> int:
    """Days after which a section or an action counts as not updated: the setting, else ``STALE_AFTER_DAYS``."""
    health = getattr(settings, "health", None)
    days = getattr(health, "stale_days", None)
    return int(days) if isinstance(days, int) and days > 0 else STALE_AFTER_DAYS


# ---- what each section holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """A section's checks: whether anything is in it, its completeness, its strength, hints to go on."""

    started: bool
    completeness: float
    strength: float | None = None
    hints: tuple[Text, ...] = ()


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


KeyAccountSource = Literal["chosen", "share", "top", "pick"]


def key_account_source(plan: AccountPlan) -> tuple[str | None, KeyAccountSource | None]:
    """The account the plan is about and where it was chosen: the account chosen for analysis in chapter 2
    ("chosen"), else chapter 1's Share 1 account ("share"), else the first Top pick ("top"), else the
    first pick ("pick"); ``(None, None)`` when chapter 1 has none."""
    if plan.focus_account:
        return plan.focus_account, "chosen"
    if plan.share.account_id:
        return plan.share.account_id, "share"
    top = [p.account_id for p in plan.key_accounts if p.kind == "top"]
    if top:
        return top[0], "top"
    picks = [p.account_id for p in plan.key_accounts]
    return (picks[0], "pick") if picks else (None, None)


def key_account_id(plan: AccountPlan) -> str | None:
    """The account the plan is about: the account under analysis, else Share 1's, else the first pick."""
    return key_account_source(plan)[0]


def _key_account(plan: AccountPlan, picks: PickSettings) -> Checked:
    """Six checks: accounts with BP and SoW (share); picks made (of the number in force); the key account
    chosen with its figures (½ without); Share 1's goal, problem and organisation filled in."""
    accounts = plan.portfolio.items
    with_figures = [a.bp_wan is not None and a.sow_pct is not None for a in accounts]
    wanted = picks.top + picks.strategic
    made = sum(p.kind is not None for p in plan.key_accounts)
    key_id = key_account_id(plan)
    account = next((a for a in accounts if a.id == key_id), None)
    chosen = 0.0 if account is None else (1.0 if account.bp_wan is not None and account.sow_pct is not None else 0.5)
    share = plan.share
    card = [bool(share.goal), bool(share.problem), bool(share.organisation)]
    parts = [_share(with_figures), min(1.0, made / wanted) if wanted else 1.0, chosen, *map(float, card)]
    hints: list[Text] = []
    if not accounts:
        hints.append(Text("health.hint.no_accounts"))
    elif not all(with_figures):
        hints.append(Text("health.hint.accounts_without_figures", {"count": with_figures.count(False)}))
    if made < wanted:
        hints.append(Text("health.hint.picks", {"count": made, "wanted": wanted}))
    if account is None:
        hints.append(Text("health.hint.no_key_account"))
    if not all(card):
        hints.append(Text("health.hint.share_card"))
    started = bool(accounts or plan.key_accounts or share != type(share)())
    return Checked(started, _mean(parts), hints=tuple(hints))


def _customer_tree(plan: AccountPlan) -> Checked:
    """Four checks: units entered; a DMU among them; no problem with the tree; DMUs with a BP (share)."""
    units = plan.customer_tree.items
    if not units:
        return Checked(False, 0.0, hints=(Text("health.hint.no_tree"),))
    dmus = [u for u in units if u.kind == "dmu"]
    problems = tree_problems(units)
    parts = [1.0, float(bool(dmus)), float(not problems), _share([u.bp_wan is not None for u in dmus])]
    hints = [Text("health.hint.tree_problems", {"count": len(problems)})] if problems else []
    if not dmus:
        hints.append(Text("health.hint.no_dmu"))
    return Checked(True, _mean(parts), hints=tuple(hints))


def _information(plan: AccountPlan) -> Checked:
    """Known items count 1, partly known ½, unknown 0, a standard item not in the inventory 0: the mean."""
    items = plan.information.items
    if not items:
        return Checked(False, 0.0, hints=(Text("health.hint.no_information"),))
    present = {standard_key(i.topic) for i in items}
    absent = sum(key not in present for keys in PYRAMID_ITEMS.values() for key in keys)
    weights = [STATUS_WEIGHT[i.status] for i in items]
    public = [i for i in items if i.level == "public" and i.status != "known"]
    hints = (Text("health.hint.public_unknown", {"count": len(public)}),) if public else ()
    return Checked(True, sum(weights) / (len(weights) + absent), hints=hints)


def _five_step(plan: AccountPlan) -> Checked:
    """The steps of the five-step method done, out of five."""
    steps = five_step_status(plan)
    started = any((plan.departments.items, plan.needs.items, plan.opportunities.items, plan.push_plan.items))
    first = next((s for s in steps if not s.done), None)
    hints = (Text("health.hint.five_step", {"step": first.title}),) if first else ()
    return Checked(started, _share([s.done for s in steps]), hints=hints)


def _key_persons(plan: AccountPlan) -> Checked:
    """``map_completeness``; strength ``position_strength``."""
    people = plan.key_persons.items
    if not people:
        return Checked(False, 0.0, hints=(Text("health.hint.no_people"),))
    flags = red_flags(people)
    hints = (Text("health.hint.red_flags", {"count": len(flags)}),) if flags else ()
    return Checked(True, map_completeness(people), position_strength(people), hints)


def _strategy(plan: AccountPlan) -> Checked:
    """Four checks: factors (of ``MIN_FACTORS``), factors with a dimension (share), a strategy chosen, a reason."""
    factors = plan.factors.items
    choice = plan.strategy
    parts = [min(1.0, len(factors) / MIN_FACTORS), _share([f.dimension is not None for f in factors]),
             float(choice.chosen is not None), float(bool(choice.reason))]
    hints = []
    if len(factors) < MIN_FACTORS:
        hints.append(Text("health.hint.few_factors", {"count": len(factors), "needed": MIN_FACTORS}))
    if choice.chosen is None:
        hints.append(Text("health.hint.no_strategy"))
    return Checked(bool(factors) or choice.chosen is not None, _mean(parts), hints=tuple(hints))


def _measures(plan: AccountPlan) -> Checked:
    """Per row: measures written, resources written; the mean."""
    rows = plan.measures.items
    if not rows:
        return Checked(False, 0.0, hints=(Text("health.hint.no_measures"),))
    parts = [_mean([float(bool(m.measures)), float(bool(m.resources))]) for m in rows]
    empty = sum(not m.measures for m in rows)
    hints = (Text("health.hint.measures_empty", {"count": empty}),) if empty else ()
    return Checked(True, _mean(parts), hints=hints)


def _campaign(plan: AccountPlan) -> Checked:
    """Two checks: the people not yet strong supporters who have a row (share); rows with an aim, a goal
    and a target date (share)."""
    rows = plan.campaign.items
    if not rows:
        return Checked(False, 0.0, hints=(Text("health.hint.no_campaign"),))
    targets = campaign_targets(plan.key_persons.items)
    planned = {s.person_id for s in rows}
    missing = [p for p in targets if p.id not in planned]
    covered = 1.0 - len(missing) / len(targets) if targets else 1.0
    filled = _share([bool(s.aim) and s.goal is not None and s.target_on is not None for s in rows])
    hints = (Text("health.hint.campaign_missing", {"count": len(missing)}),) if missing else ()
    return Checked(True, _mean([covered, filled]), hints=hints)


def _team(plan: AccountPlan) -> Checked:
    """Two checks at the middle stage: the course's functions covered on our side (share of six); the
    decision-layer people somebody faces (share; 1 when nobody is in the decision layer)."""
    pairs = plan.team.items
    if not pairs:
        return Checked(False, 0.0, hints=(Text("health.hint.no_team"),))
    gaps = team_gaps(pairs, plan.key_persons.items, "middle")
    layer = [p for p in plan.key_persons.items if in_decision_layer(p)]
    faced = 1.0 - len(gaps.theirs_unfaced) / len(layer) if layer else 1.0
    roles = 1.0 - len(gaps.roles_missing) / len(OUR_ROLES)
    hints = (Text("health.hint.team_gaps", {"count": gaps.count}),) if gaps.count else ()
    return Checked(True, _mean([roles, faced]), hints=hints)


def actions_on_time(actions: Sequence[Action], today: dt.date) -> float | None:
    """Of the actions that are due (a target date passed, or done), not dropped: the share done by the target.

    An action done without a completion date counts as on time only while its target date is still
    ahead; an open action past its target date is late. None when no action is due yet.
    """
    due = [a for a in actions if a.status != "dropped" and a.target_on is not None
           and (a.status == "done" or a.target_on < today)]
    if not due:
        return None
    def in_time(a: Action) -> bool:
        assert a.target_on is not None
        return a.done_on <= a.target_on if a.done_on is not None else a.target_on >= today

    on_time = sum(1 for a in due if a.status == "done" and in_time(a))
    return on_time / len(due)


def _actions(plan: AccountPlan, today: dt.date) -> Checked:
    """Per action: a target date, an owner, the customer commitment sought; the mean. Strength ``actions_on_time``."""
    rows = plan.actions.items
    if not rows:
        return Checked(False, 0.0, hints=(Text("health.hint.no_actions"),))
    parts = [_mean([float(a.target_on is not None), float(bool(a.owner)), float(bool(a.commitment))]) for a in rows]
    progress = action_progress(rows, today)
    hints = []
    if progress.overdue:
        hints.append(Text("health.hint.overdue", {"count": len(progress.overdue)}))
    undated = sum(a.target_on is None for a in rows if is_open(a))
    if undated:
        hints.append(Text("health.hint.undated", {"count": undated}))
    return Checked(True, _mean(parts), actions_on_time(rows, today), tuple(hints))


def _bids(plan: AccountPlan, today: dt.date) -> Checked:
    """Per tender, four checks: a due date; the bidders scored (our valid bid against at least one valid
    competitor); the parts of the rule with a T1–T4 worksheet row (share of four); the bid document
    checklist ticked (share of five). The mean over the tenders."""
    rows = plan.bids.items
    if not rows:
        return Checked(False, 0.0)
    parts, unscored, uncovered, late, open_items = [], 0, 0, 0, 0
    for bid in rows:
        scored = score_bid(bid).result in CONTESTED
        missing = uncovered_parts(bid)
        done, total = checklist_done(bid)
        parts.append(_mean([float(bid.due_on is not None), float(scored), 1 - len(missing) / 4, done / total]))
        unscored += not scored
        uncovered += bool(missing)
        late += len(overdue_actions(bid, today))
        open_items += total - done
    hints = []
    if unscored:
        hints.append(Text("health.hint.bids_unscored", {"count": unscored}))
    if late:
        hints.append(Text("health.hint.bids_overdue", {"count": late}))
    if uncovered:
        hints.append(Text("health.hint.bids_uncovered", {"count": uncovered}))
    if open_items:
        hints.append(Text("health.hint.bids_checklist", {"count": open_items}))
    undated = sum(b.due_on is None for b in rows)
    if undated:
        hints.append(Text("health.hint.bids_undated", {"count": undated}))
    return Checked(True, _mean(parts), hints=tuple(hints))


def latest_assessment(assessments: Sequence[Assessment]) -> Assessment | None:
    """The most recent assessment (the later entry on the same day)."""
    ordered = assessment_order(assessments)
    return ordered[-1] if ordered else None


def assessment_order(assessments: Sequence[Assessment]) -> list[Assessment]:
    """The assessments by date, oldest first (entry order on the same day)."""
    return sorted(assessments, key=lambda a: a.taken_on)


def assessment_score(a: Assessment) -> int:
    """Yes answers (1 point each) of the eight questions."""
    return sum(a.answers)


def _assessments(plan: AccountPlan, today: dt.date) -> Checked:
    """Two checks once the account has been assessed: assessed (1); the questions the latest assessment scored 0
    that a planned activity (not done yet) aims at (share; 1 when none scored 0). Strength: the latest score
    over eight."""
    latest = latest_assessment(plan.assessments.items)
    if latest is None:
        return Checked(False, 0.0, hints=(Text("health.hint.no_assessment"),))
    zeros = zero_questions(latest)
    uncovered = uncovered_questions(latest, plan.retention.activities)
    covered = 1 - len(uncovered) / len(zeros) if zeros else 1.0
    hints = []
    if uncovered:
        hints.append(Text("health.hint.activities_missing", {"count": len(uncovered)}))
    due = next_review(plan.assessments.items)
    if due is not None and due < today:
        hints.append(Text("health.hint.assessment_due", {"date": due.isoformat()}))
    return Checked(True, _mean([1.0, covered]), assessment_score(latest) / QUESTIONS, tuple(hints))


def _retention(plan: AccountPlan) -> Checked:
    """Four checks of chapter 4's steps besides the assessment: the stage we are in chosen; a target stage
    with a date (½ without the date); the organisational relationship recorded (a tie in place or planned);
    the whitespace map marked (share of its cells; 0 without product lines or tree units)."""
    r = plan.retention
    started = r.model_dump(exclude={"updated_at"}) != Retention().model_dump(exclude={"updated_at"})
    if not started:
        return Checked(False, 0.0, hints=(Text("health.hint.no_retention"),))
    stage = r.stage
    target = 0.0 if stage.target is None else (1.0 if stage.target_on is not None else 0.5)
    space = whitespace_map(plan.customer_tree.items, r.product_lines, r.whitespace)
    counts = space.counts()
    marked = 1 - counts.unmarked / counts.total if counts.total else 0.0
    hints = []
    if stage.current is None:
        hints.append(Text("health.hint.no_stage"))
    if target < 1:
        hints.append(Text("health.hint.no_target"))
    if not r.relations:
        hints.append(Text("health.hint.no_relations"))
    if not counts.total:
        hints.append(Text("health.hint.no_whitespace"))
    elif counts.unmarked:
        hints.append(Text("health.hint.whitespace_unmarked", {"count": counts.unmarked}))
    parts = [float(stage.current is not None), target, float(bool(r.relations)), marked]
    return Checked(True, _mean(parts), hints=tuple(hints))


def _crises(plan: AccountPlan, today: dt.date) -> Checked:
    """Per incident, four checks: the date it happened; what happened (notes); the phases of the playbook with
    a response step (share of five); the people it touched with their attitude after it known (share; 0 when
    nobody is listed). The mean over the incidents."""
    rows = plan.crises.items
    if not rows:
        return Checked(False, 0.0)
    parts = []
    for c in rows:
        phases = len({s.phase for s in c.steps}) / len(PHASES)
        people = _share([a.after is not None for a in c.affected])
        parts.append(_mean([float(c.happened_on is not None), float(bool(c.notes)), phases, people]))
    hints = []
    late = sum(is_overdue(s, today) for c in rows for s in c.steps)
    if late:
        hints.append(Text("health.hint.crisis_overdue", {"count": late}))
    unplanned = sum(len({s.phase for s in c.steps}) < len(PHASES) for c in rows)
    if unplanned:
        hints.append(Text("health.hint.crisis_phases", {"count": unplanned}))
    unknown = sum(not c.affected or any(a.after is None for a in c.affected) for c in rows)
    if unknown:
        hints.append(Text("health.hint.crisis_people", {"count": unknown}))
    return Checked(True, _mean(parts), hints=tuple(hints))


# ---- when each section was last updated ------------------------------------------------------------


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), dt.UTC) if day else None


def _latest(*values: dt.datetime | None) -> dt.datetime | None:
    given = [v for v in values if v is not None]
    return max(given) if given else None


def section_updated(plan: AccountPlan, key: str) -> dt.datetime | None:
    """When the trainee last changed the section (see the module docstring); None when unknown."""
    parts: dict[str, Callable[[], tuple[dt.datetime | None, ...]]] = {
        "key_account": lambda: (plan.portfolio.updated_at,),
        "five_step": lambda: tuple(getattr(plan, s).updated_at
                                   for s in ("departments", "needs", "opportunities", "push_plan")),
        "strategy": lambda: (plan.factors.updated_at, _midnight(plan.strategy.chosen_on)),
        "assessments": lambda: (_midnight(getattr(latest_assessment(plan.assessments.items), "taken_on", None)),),
        "retention": lambda: (plan.retention.updated_at,),
    }
    if key in parts:
        return _latest(*parts[key]())
    value = getattr(plan, key, None)
    return value.updated_at if isinstance(value, Section) else None


# ---- the whole plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionHealth:
    """One section: started, completeness, strength (None: says nothing about our position), last update."""

    key: str
    chapter: str
    started: bool
    completeness: float
    strength: float | None
    updated_at: dt.datetime | None
    stale: bool
    hints: tuple[Text, ...] = ()

    @property
    def counted(self) -> bool:
        """Whether the section counts toward the overall completeness."""
        return self.started or self.key not in OPTIONAL


@dataclass(frozen=True)
class PlanHealth:
    """The plan's health: per section and overall, stale sections and actions, actions due soon."""

    today: dt.date
    stale_days: int
    sections: tuple[SectionHealth, ...]
    completeness: float
    strength: float | None
    strength_basis: dict[str, float | None] = field(default_factory=dict)  # each part; None: no data
    stale_actions: tuple[str, ...] = ()  # ids, in entry order
    due_soon: tuple[str, ...] = ()
    overdue: tuple[str, ...] = ()

    def section(self, key: str) -> SectionHealth:
        return next(s for s in self.sections if s.key == key)

    @property
    def stale_sections(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections if s.stale)

    @property
    def not_started(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections if not s.started)


SectionCheck = Callable[[AccountPlan, dt.date, CourseSettings], Checked]
# Each section's check, by section key (the sections and their order come from ``kamlib.chapters``).
SECTION_CHECKS: dict[str, SectionCheck] = {
    "key_account": lambda plan, today, settings: _key_account(plan, settings.picks),
    "customer_tree": lambda plan, today, settings: _customer_tree(plan),
    "information": lambda plan, today, settings: _information(plan),
    "five_step": lambda plan, today, settings: _five_step(plan),
    "key_persons": lambda plan, today, settings: _key_persons(plan),
    "strategy": lambda plan, today, settings: _strategy(plan),
    "measures": lambda plan, today, settings: _measures(plan),
    "campaign": lambda plan, today, settings: _campaign(plan),
    "team": lambda plan, today, settings: _team(plan),
    "actions": lambda plan, today, settings: _actions(plan, today),
    "bids": lambda plan, today, settings: _bids(plan, today),
    "assessments": lambda plan, today, settings: _assessments(plan, today),
    "retention": lambda plan, today, settings: _retention(plan),
    "crises": lambda plan, today, settings: _crises(plan, today),
}


def _checks(plan: AccountPlan, today: dt.date, settings: CourseSettings) -> dict[str, Checked]:
    return {key: SECTION_CHECKS[key](plan, today, settings) for key in SECTIONS}


def _is_stale(updated: dt.datetime | None, now: dt.datetime, days: int) -> bool:
    return updated is not None and now - updated > dt.timedelta(days=days)


def stale_actions(actions: Sequence[Action], updated_at: dt.datetime | None, now: dt.datetime,
                  days: int) -> list[str]:
    """Ids of the open actions whose last revision (else the plan's last save) is more than ``days`` old."""
    out = []
    for a in actions:
        touched = a.history[-1].at if a.history else updated_at
        if is_open(a) and _is_stale(touched, now, days):
            out.append(a.id)
    return out


def plan_health(plan: AccountPlan, now: dt.datetime | None = None,
                settings: CourseSettings | None = None) -> PlanHealth:
    """Completeness and strength of every section and of the plan, staleness, actions due soon."""
    now = now or utc_now()
    settings = settings or CourseSettings()
    today = now.date()
    days = stale_after(settings)
    checks = _checks(plan, today, settings)
    sections = []
    for key, c in checks.items():
        updated = section_updated(plan, key)
        sections.append(SectionHealth(key=key, chapter=SECTION_CHAPTERS[key], started=c.started,
                                      completeness=round(c.completeness, 6), strength=c.strength,
                                      updated_at=updated, stale=c.started and _is_stale(updated, now, days),
                                      hints=c.hints))
    counted = [s.completeness for s in sections if s.counted]
    basis: dict[str, Any] = {
        "support": checks["key_persons"].strength,
        "substitutability": checks["assessments"].strength,
        "on_time": checks["actions"].strength,
    }
    known = [v for v in basis.values() if v is not None]
    progress = action_progress(plan.actions.items, today)
    return PlanHealth(
        today=today, stale_days=days, sections=tuple(sections),
        completeness=round(_mean(counted), 6),
        strength=round(_mean(known), 6) if known else None,
        strength_basis=basis,
        stale_actions=tuple(stale_actions(plan.actions.items, plan.actions.updated_at, now, days)),
        due_soon=progress.due_soon, overdue=progress.overdue,
    )
