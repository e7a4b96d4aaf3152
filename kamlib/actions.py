"""Chapter 3.6: the action plan, revisited as it runs: history, overdue items, progress.

A change to an action's status, dates or evaluation is kept: the values before the change go
into the action's ``history`` (newest last), so the plan shows how it was revised. An action is
overdue when it is neither done nor dropped and its target date has passed; it is due soon when
its target date falls in the next ``DUE_SOON_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

from kamlib.model.workbook import Action, ActionRevision, ActionStatus, now

STATUSES: tuple[ActionStatus, ...] = get_args(ActionStatus)
TRACKED = ("status", "target_on", "done_on", "evaluation")
DUE_SOON_DAYS = 14
# The course's ways to win a key customer's commitment (COURSE.md 3.6), offered as suggestions.
COMMITMENTS: tuple[str, ...] = (
    "visit", "trial", "gift", "event", "site_tour", "promotion", "tech_exchange", "telesales",
)


def revise(old: Action | None, new: Action, at: dt.datetime | None = None) -> Action:
    """``new`` with ``old``'s history, plus a revision holding ``old``'s values when a tracked field
    changed. Marking an action done without a completion date dates it today."""
    if new.status == "done" and new.done_on is None:
        new = new.model_copy(update={"done_on": (at or now()).date()})
    if old is None:
        return new.model_copy(update={"history": []})
    history = list(old.history)
    if any(getattr(old, f) != getattr(new, f) for f in TRACKED):
        history.append(ActionRevision(at=at or now(), **{f: getattr(old, f) for f in TRACKED}))
    return new.model_copy(update={"history": history})


def is_open(a: Action) -> bool:
    return a.status not in ("done", "dropped")


def is_overdue(a: Action, today: dt.date) -> bool:
    return is_open(a) and a.target_on is not None and a.target_on < today


def is_due_soon(a: Action, today: dt.date) -> bool:
    return is_open(a) and a.target_on is not None and today <= a.target_on <= today + dt.timedelta(DUE_SOON_DAYS)


@dataclass(frozen=True)
class ActionProgress:
    """The plan at a glance."""

    total: int
    by_status: dict[ActionStatus, int]
    overdue: tuple[str, ...]  # ids
    due_soon: tuple[str, ...]
    done_on_time: int  # done by the target date (of those done with a target date)
    done_with_target: int
    revisions: int

    @property
    def done_share(self) -> float:
        """Done over all actions not dropped, 0–1."""
        live = self.total - self.by_status["dropped"]
        return self.by_status["done"] / live if live else 0.0

    @property
    def on_time_share(self) -> float | None:
        return self.done_on_time / self.done_with_target if self.done_with_target else None


def action_progress(actions: Sequence[Action], today: dt.date) -> ActionProgress:
    """Counts by status, overdue and due-soon actions, on-time completion, revisions made."""
    by_status: dict[ActionStatus, int] = dict.fromkeys(STATUSES, 0)
    for a in actions:
        by_status[a.status] += 1
    timed = [(a.done_on, a.target_on) for a in actions if a.status == "done" and a.target_on and a.done_on]
    return ActionProgress(
        total=len(actions),
        by_status=by_status,
        overdue=tuple(a.id for a in actions if is_overdue(a, today)),
        due_soon=tuple(a.id for a in actions if is_due_soon(a, today)),
        done_on_time=sum(1 for done_on, target_on in timed if done_on <= target_on),
        done_with_target=len(timed),
        revisions=sum(len(a.history) for a in actions),
    )


def timeline_order(actions: Sequence[Action]) -> list[Action]:
    """Actions by target date (undated last), then priority, then entry order."""
    order = {a.id: i for i, a in enumerate(actions)}
    return sorted(actions, key=lambda a: (a.target_on is None, a.target_on or dt.date.max,
                                          a.priority or 10**6, order[a.id]))
