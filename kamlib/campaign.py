"""Chapter 3.4: the key-person campaign plan, proposed from the chapter-2 map.

One row per **key person** who is not yet a strong supporter (``*``). Key persons are the people the
deck's six-step analysis assesses: step 2 gives each key person a role (A approver, D decision-maker,
E evaluator, U user), and step 1 marks key and non-key departments; the deck's example leaves the
production director and the two managers under them, a non-key department, without any code. A person counts
when they have a role, sit in a key department or the decision layer, or are marked in the inner
circle (``is_key_person``); the others are left out and listed (``left_out``).

The course's aims: turn a non-supporter (``-``, ``/``) into a neutral, a neutral (``=``) into a
supporter, consolidate a supporter (``+``). A person whose attitude is not yet known gets no aim:
first find out.

Priority (1 = first), the deck's order: its campaign table names the aims in the order non-supporter
→ neutral, neutral → supporter, consolidate, and its example puts the marketing director (``-``, E)
before the IS director (``+``, D), so the aim comes before power. The workbook's own tie-breaks: the
people whose attitude is unknown come first (the aim cannot be set until it is known, and chapter 2's
red flag says to find out first); within one aim more power first (A, D, E, U, role unknown last),
then farther from support (``/`` before ``-``), then the map's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kamlib.model.workbook import Attitude, CampaignGoal, CampaignStep, KeyPerson, Role
from kamlib.people import in_decision_layer, leverage_routes, people_by_id

POWER: dict[Role | None, int] = {"A": 4, "D": 3, "E": 2, "U": 1, None: 0}
AIM_ORDER: dict[CampaignGoal | None, int] = {None: 0, "to_neutral": 1, "to_supporter": 2, "consolidate": 3}
DISTANCE: dict[Attitude | None, int] = {"*": 0, "+": 1, "=": 2, None: 2, "-": 3, "/": 4}
GOAL: dict[Attitude | None, CampaignGoal | None] = {
    "/": "to_neutral", "-": "to_neutral", "=": "to_supporter", "+": "consolidate", None: None,
}


@dataclass(frozen=True)
class CampaignProposal:
    """A proposed campaign row: the person, the priority, the aim and the routes of influence."""

    person_id: str
    priority: int
    goal: CampaignGoal | None
    routes: tuple[tuple[str, ...], ...]  # ids, from a supporter to the person
    planned: bool  # the campaign plan already has a row for this person


def is_key_person(p: KeyPerson) -> bool:
    """A key person of the deck's analysis: a role (step 2), a key department (step 1), or the decision layer or
    inner circle (step 6)."""
    return p.role is not None or p.key_department or in_decision_layer(p) or p.inner_circle


def left_out(people: Sequence[KeyPerson]) -> list[KeyPerson]:
    """The people on the map who are not key persons (no role, not in a key department or either circle)."""
    return [p for p in people_by_id(people).values() if not is_key_person(p)]


def campaign_targets(people: Sequence[KeyPerson]) -> list[KeyPerson]:
    """Every key person not yet a strong supporter, in priority order (module docstring)."""
    order = {p.id: i for i, p in enumerate(people)}
    targets = [p for p in people_by_id(people).values() if p.attitude != "*" and is_key_person(p)]
    return sorted(targets, key=lambda p: (AIM_ORDER[GOAL[p.attitude]], -POWER[p.role], -DISTANCE[p.attitude],
                                          order[p.id]))


def propose_campaign(people: Sequence[KeyPerson], steps: Sequence[CampaignStep] = ()) -> list[CampaignProposal]:
    """The proposed plan: one row per target, with the supporters' influence routes to them."""
    targets = campaign_targets(people)
    routes = leverage_routes(people, targets=[p.id for p in targets], upward=True)
    planned = {s.person_id for s in steps}
    return [
        CampaignProposal(person_id=p.id, priority=i, goal=GOAL[p.attitude],
                         routes=tuple(tuple(r) for r in routes.get(p.id, [])), planned=p.id in planned)
        for i, p in enumerate(targets, start=1)
    ]


def new_campaign_rows(people: Sequence[KeyPerson], steps: Sequence[CampaignStep]) -> list[CampaignStep]:
    """Rows for the targets the plan does not hold yet (the trainee's own rows are never touched)."""
    return [CampaignStep(person_id=c.person_id, priority=c.priority, goal=c.goal)
            for c in propose_campaign(people, steps) if not c.planned]


def stale_rows(people: Sequence[KeyPerson], steps: Sequence[CampaignStep]) -> list[CampaignStep]:
    """Rows whose person is no longer on the map (deleted in chapter 2)."""
    ids = {p.id for p in people}
    return [s for s in steps if s.person_id not in ids]


def goal_reached(person: KeyPerson, goal: CampaignGoal | None) -> bool:
    """Whether the person's attitude now meets the row's aim (a neutral or better, a supporter, ``*``)."""
    if goal is None or person.attitude is None:
        return False
    wanted = {"to_neutral": 2, "to_supporter": 1, "consolidate": 0}[goal]
    return DISTANCE[person.attitude] <= wanted
