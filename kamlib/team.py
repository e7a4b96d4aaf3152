"""Chapter 3.5: the seller ↔ buyer team map, early and middle stage, and its gaps.

Early stage: the account manager faces the purchasing manager or the IS head alone. Middle
stage: account manager and purchasing manager at the centre, with technical, commercial,
marketing, operations and finance counterparts paired one to one (COURSE.md 3.5).

Gaps of a stage: the course's functions of that stage with nobody on our side; our colleagues
paired with nobody on theirs; and the customer's decision-layer people (``in_decision_layer``)
whom nobody on our side faces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kamlib.model.workbook import KeyPerson, TeamPair, TeamStage
from kamlib.people import in_decision_layer, people_by_id

OUR_ROLES: tuple[str, ...] = ("account_manager", "technical", "commercial", "marketing", "operations", "finance")
STAGE_ROLES: dict[TeamStage, tuple[str, ...]] = {
    "early": ("account_manager",),
    "middle": OUR_ROLES,
}


@dataclass(frozen=True)
class TeamGaps:
    """What a stage's map is missing."""

    stage: TeamStage
    roles_missing: tuple[str, ...]  # course functions nobody on our side covers
    ours_unpaired: tuple[str, ...]  # ids of our pairs with no counterpart
    theirs_unfaced: tuple[str, ...]  # ids of decision-layer people nobody faces

    @property
    def count(self) -> int:
        return len(self.roles_missing) + len(self.ours_unpaired) + len(self.theirs_unfaced)


def stage_pairs(pairs: Sequence[TeamPair], stage: TeamStage) -> list[TeamPair]:
    return [p for p in pairs if p.stage == stage]


def team_gaps(pairs: Sequence[TeamPair], people: Sequence[KeyPerson], stage: TeamStage) -> TeamGaps:
    """The gaps of one stage (see the module docstring)."""
    mine = stage_pairs(pairs, stage)
    by_id = people_by_id(people)
    covered = {p.our_role for p in mine}
    faced = {p.their_id for p in mine if p.their_id in by_id}
    return TeamGaps(
        stage=stage,
        roles_missing=tuple(r for r in STAGE_ROLES[stage] if r not in covered),
        ours_unpaired=tuple(p.id for p in mine if p.their_id not in by_id),
        theirs_unfaced=tuple(pid for pid, p in by_id.items() if in_decision_layer(p) and pid not in faced)
        if stage == "middle" else (),
    )
