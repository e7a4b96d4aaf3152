"""Special topic 2, crisis handling: the incident log, the people a crisis touched, the response plan and
the assessment re-run after it.

The deck's text stops after its first sentence ("a crisis event is the greatest threat to the customer
relationship…"); everything here is **this workbook's own playbook**, in five phases:

1. ``acknowledge`` — tell the customer we know, take responsibility, name one contact; quickly
   (``PLAYBOOK_DAYS``: the same day for a high-severity incident);
2. ``contain`` — stop the damage spreading (workaround, replacement, roll-back);
3. ``fix`` — remove the root cause and confirm it with the customer;
4. ``repair`` — win back the people whose attitude fell, decision-makers first (``repair_priority``);
5. ``prevent`` — change what let it happen, and re-run the substitutability assessment (chapter 4).

A phase is complete when it has at least one step and every step is done; the crisis is *at* the first
phase that is not complete, and closed when all five are. Attitudes move on the chapter 2.4 scale
``* + = - /`` (``ATTITUDE_RANK``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from kamlib.i18n import Lang, Text, t
from kamlib.model.retention import Assessment, Attitude, Crisis, CrisisKind, Phase, ResponseStep
from kamlib.model.workbook import KeyPerson
from kamlib.people import UNFAVOURABLE, is_decision_maker, people_by_id

PHASES: tuple[Phase, ...] = get_args(Phase)
KINDS: tuple[CrisisKind, ...] = get_args(CrisisKind)
SEVERITIES: tuple[int, ...] = (1, 2, 3)  # low, medium, high
ATTITUDE_RANK: dict[str, int] = {"*": 2, "+": 1, "=": 0, "-": -1, "/": -2}
# Our playbook's guideline: a phase's step is due this many days after the incident was detected, by severity.
PLAYBOOK_DAYS: dict[Phase, dict[int, int]] = {
    "acknowledge": {3: 0, 2: 1, 1: 2},
    "contain": {3: 2, 2: 5, 1: 10},
    "fix": {3: 14, 2: 30, 1: 45},
    "repair": {3: 30, 2: 45, 1: 60},
    "prevent": {3: 60, 2: 90, 1: 90},
}
Status = Literal["no_plan", "acknowledge", "contain", "fix", "repair", "prevent", "closed"]


def start_date(crisis: Crisis) -> dt.date | None:
    """When the clock starts: the day it was detected, else the day it happened."""
    return crisis.detected_on or crisis.happened_on


# ---- the response plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseState:
    """A phase of one crisis: its steps, how many are done, how many are overdue."""

    phase: Phase
    steps: tuple[ResponseStep, ...]
    done: int
    overdue: int

    @property
    def complete(self) -> bool:
        return bool(self.steps) and self.done == len(self.steps)


def is_overdue(step: ResponseStep, today: dt.date) -> bool:
    """Not done and its due date has passed."""
    return step.done_on is None and step.due_on is not None and step.due_on < today


def phase_states(crisis: Crisis, today: dt.date) -> list[PhaseState]:
    """The five phases in order, each with its steps (as entered)."""
    out = []
    for phase in PHASES:
        steps = tuple(s for s in crisis.steps if s.phase == phase)
        out.append(PhaseState(phase, steps, sum(s.done_on is not None for s in steps),
                              sum(is_overdue(s, today) for s in steps)))
    return out


def crisis_status(crisis: Crisis, today: dt.date) -> Status:
    """``no_plan`` without steps; else the first phase not complete; ``closed`` when all five are."""
    if not crisis.steps:
        return "no_plan"
    for state in phase_states(crisis, today):
        if not state.complete:
            return state.phase
    return "closed"


def open_steps(crisis: Crisis) -> list[ResponseStep]:
    """The steps not done yet, soonest due first (no date last)."""
    pending = [s for s in crisis.steps if s.done_on is None]
    return sorted(pending, key=lambda s: (s.due_on is None, s.due_on or dt.date.max, PHASES.index(s.phase)))


def template_steps(crisis: Crisis, lang: Lang) -> list[ResponseStep]:
    """The playbook's step for every phase that has none yet, due by ``PLAYBOOK_DAYS`` after detection."""
    start = start_date(crisis)
    have = {s.phase for s in crisis.steps}
    return [
        ResponseStep(
            phase=phase, action=t(f"crisis.template.{phase}", lang),
            due_on=start + dt.timedelta(days=PLAYBOOK_DAYS[phase][crisis.severity]) if start else None,
        )
        for phase in PHASES if phase not in have
    ]


def plan_problems(crisis: Crisis, people: Sequence[KeyPerson], today: dt.date) -> list[Text]:
    """What the playbook would still ask for: each message names the step or person concerned."""
    problems: list[Text] = []
    if crisis.happened_on is None:
        problems.append(Text("crisis.problem.no_date"))
    if crisis.detected_on and crisis.happened_on and crisis.detected_on < crisis.happened_on:
        problems.append(Text("crisis.problem.detected_before"))
    for state in phase_states(crisis, today):
        if not state.steps:
            problems.append(Text("crisis.problem.phase_missing", {"phase": Text(f"crisis.phase.{state.phase}")}))
    start = start_date(crisis)
    for step in crisis.steps:
        params = {"action": step.action, "phase": Text(f"crisis.phase.{step.phase}")}
        if not step.owner:
            problems.append(Text("crisis.problem.no_owner", params))
        if step.due_on is None and step.done_on is None:
            problems.append(Text("crisis.problem.no_due", params))
        if is_overdue(step, today):
            problems.append(Text("crisis.problem.overdue", {**params, "date": step.due_on.isoformat()}))  # type: ignore[union-attr]
        dates = [d for d in (step.due_on, step.done_on) if d is not None]
        if crisis.happened_on and any(d < crisis.happened_on for d in dates):
            problems.append(Text("crisis.problem.before_incident", params))
    acknowledge = [s for s in crisis.steps if s.phase == "acknowledge"]
    if start and acknowledge:
        allowed = PLAYBOOK_DAYS["acknowledge"][crisis.severity]
        first = min((s.done_on or s.due_on or dt.date.max) for s in acknowledge)
        if first != dt.date.max and (first - start).days > allowed:
            problems.append(Text("crisis.problem.acknowledge_late", {
                "count": (first - start).days, "allowed": Text("crisis.problem.days", {"count": allowed}),
                "severity": Text(f"crisis.severity.{crisis.severity}")}))
    known = people_by_id(people)
    for a in crisis.affected:
        if a.person_id not in known:
            problems.append(Text("crisis.problem.unknown_person", {"id": a.person_id}))
    return problems


# ---- the people it touched --------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """How a key person's attitude moved with the crisis; ``delta`` < 0 is a fall (None: unknown)."""

    person_id: str
    name: str
    role: str | None
    before: Attitude | None
    after: Attitude | None

    @property
    def delta(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return ATTITUDE_RANK[self.after] - ATTITUDE_RANK[self.before]

    @property
    def decision_maker(self) -> bool:
        return self.role in ("A", "D")

    @property
    def fell(self) -> bool:
        return self.delta is not None and self.delta < 0


def attitude_moves(crisis: Crisis, people: Sequence[KeyPerson]) -> list[Move]:
    """One move per affected person still on the chapter-2 map, in the order entered."""
    known = people_by_id(people)
    return [
        Move(a.person_id, known[a.person_id].name, known[a.person_id].role, a.before, a.after)
        for a in crisis.affected if a.person_id in known
    ]


def repair_priority(moves: Iterable[Move]) -> list[Move]:
    """Whom to win back first: people whose attitude fell or is now unfavourable (``= - /``); decision-makers
    (A, D) first, then the biggest fall, then the worst attitude now."""
    concerned = [m for m in moves if m.fell or (m.after in UNFAVOURABLE)]
    return sorted(concerned, key=lambda m: (not m.decision_maker, m.delta if m.delta is not None else 0,
                                            ATTITUDE_RANK.get(m.after or "=", 0)))


def move_summary(moves: Iterable[Move]) -> dict[str, int]:
    """How many fell, rose, stayed, or are not known yet; and how many decision-makers fell."""
    moves = list(moves)
    return {
        "fell": sum(m.fell for m in moves),
        "rose": sum(m.delta is not None and m.delta > 0 for m in moves),
        "same": sum(m.delta == 0 for m in moves),
        "unknown": sum(m.delta is None for m in moves),
        "decision_makers_fell": sum(m.fell and m.decision_maker for m in moves),
    }


def before_attitude(person_id: str, people: Sequence[KeyPerson]) -> Attitude | None:
    """The attitude the chapter-2 map gives the person now (the default 'before' of a newly affected person)."""
    person = people_by_id(people).get(person_id)
    return None if person is None else person.attitude


def apply_after(people: Sequence[KeyPerson], crisis: Crisis) -> tuple[list[KeyPerson], int]:
    """The map with each affected person's attitude set to their attitude after the crisis; and how many changed."""
    after = {a.person_id: a.after for a in crisis.affected if a.after is not None}
    out, changed = [], 0
    for person in people:
        if person.id in after and after[person.id] != person.attitude:
            person = person.model_copy(update={"attitude": after[person.id]})
            changed += 1
        out.append(person)
    return out, changed


def decision_makers_lost(crisis: Crisis, people: Sequence[KeyPerson]) -> list[str]:
    """Names of decision-makers (A, D) whose attitude is unfavourable after the crisis and fell with it."""
    known = people_by_id(people)
    return [m.name for m in attitude_moves(crisis, people)
            if m.fell and m.after in UNFAVOURABLE and is_decision_maker(known[m.person_id])]


# ---- the assessment before and after --------------------------------------------------------------------


def assessments_around(
    crisis: Crisis, assessments: Iterable[Assessment]
) -> tuple[Assessment | None, Assessment | None]:
    """The last assessment taken before the crisis (on or before the day it happened, not linked to it)
    and the last one linked to it (its re-run)."""
    ordered = sorted(assessments, key=lambda a: a.taken_on)
    before = None
    if crisis.happened_on is not None:
        earlier = [a for a in ordered if a.taken_on <= crisis.happened_on and a.crisis_id != crisis.id]
        before = earlier[-1] if earlier else None
    linked = [a for a in ordered if a.crisis_id == crisis.id]
    return before, linked[-1] if linked else None


# ---- the timeline --------------------------------------------------------------------------------------

EventKind = Literal["happened", "detected", "step_due", "step_done", "assessment"]


@dataclass(frozen=True)
class Event:
    """A dated point of the timeline; ``phase`` for steps, ``text`` what to write beside it."""

    on: dt.date
    kind: EventKind
    text: str
    phase: Phase | None = None
    step_id: str | None = None


def timeline(crisis: Crisis, assessments: Iterable[Assessment] = ()) -> list[Event]:
    """Every dated event of the crisis, by date: happened, detected, steps due and done, re-run assessments."""
    events: list[Event] = []
    if crisis.happened_on:
        events.append(Event(crisis.happened_on, "happened", crisis.title))
    if crisis.detected_on:
        events.append(Event(crisis.detected_on, "detected", crisis.title))
    for step in crisis.steps:
        if step.due_on:
            events.append(Event(step.due_on, "step_due", step.action, step.phase, step.id))
        if step.done_on:
            events.append(Event(step.done_on, "step_done", step.action, step.phase, step.id))
    for a in assessments:
        if a.crisis_id == crisis.id:
            events.append(Event(a.taken_on, "assessment", f"{sum(a.answers)}/8"))
    order = {k: i for i, k in enumerate(get_args(EventKind))}
    return sorted(events, key=lambda e: (e.on, order[e.kind]))


# ---- the log -------------------------------------------------------------------------------------------------


def by_recency(crises: Iterable[Crisis]) -> list[Crisis]:
    """Most recent first (undated last, in the order entered)."""
    crises = list(crises)
    dated = sorted((c for c in crises if c.happened_on), key=lambda c: c.happened_on, reverse=True)  # type: ignore[arg-type,return-value]
    return dated + [c for c in crises if not c.happened_on]
