"""Which submission counts: each trainee's latest received own or group submission, late and clock flags.

"Received" and "late" go by the time this side received a file (``received_at``: the file's time in the class
folder or the zip, never later than when the gradebook first saw it), not by the time a submission claims; a
claim that does not fit is flagged (``clock_flag``). Group submissions count only for exercises the course
settings mark as group work, and only for members of the submitter's group on the instructor's group list
(``kamlib.class_groups``); a group's latest submission defines which of them it credits. Without a group list a
group submission counts for the submitter alone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from kamlib.class_groups import GroupList
from kamlib.intake import Intake, Received, Rejection
from kamlib.settings import GradingSettings
from kamlib.submission import Submission

CLOCK_FLAGS = ("future", "backdated")


def iso_time(moment: dt.datetime) -> str:
    """A moment as the gradebook stores it and a submission id holds it: UTC, to the microsecond."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def submission_id(sub: Submission) -> str:
    return f"{sub.trainee.id}/{sub.exercise_id}/{iso_time(sub.submitted_at)}"


def is_late(received_at: dt.datetime, due: dt.datetime | None) -> bool:
    """Received after the due date? A due date without a time zone is read in this machine's zone."""
    if due is None:
        return False
    return received_at > (due if due.tzinfo else due.astimezone())


def clock_flag(claimed: dt.datetime, received: dt.datetime, grading: GradingSettings) -> str | None:
    """``future`` when a submission claims a time later than it was received (beyond the clock skew allowed),
    ``backdated`` when it claims a time long before it was received, else None."""
    if claimed > received + dt.timedelta(minutes=grading.clock_skew_minutes):
        return "future"
    if claimed < received - dt.timedelta(hours=grading.backdate_hours):
        return "backdated"
    return None


def received_order(rec: Received) -> tuple[dt.datetime, dt.datetime]:
    """Sort key of "latest": the time received, ties broken by the time claimed (unknown receipt: earliest)."""
    return rec.received_at or dt.datetime.min.replace(tzinfo=dt.UTC), rec.submission.submitted_at


def merge(stored: dict[str, Received], intake: Intake,
          now: dt.datetime) -> tuple[dict[str, Received], int, list[Rejection]]:
    """Stored and newly read submissions by id; the same file twice is one, a different one with the
    same trainee, exercise and time is rejected (the first is kept). A stored submission keeps the time it
    was first received; a new one is received at its file's time, never later than ``now``."""
    merged = dict(stored)
    new = 0
    rejected = []
    for rec in intake.received:
        sid = submission_id(rec.submission)
        if sid in merged:
            if merged[sid].digest != rec.digest:
                rejected.append(Rejection(rec.file, "duplicate", {"other": merged[sid].file}))
            continue
        merged[sid] = rec
        new += 1
    for sid, rec in merged.items():
        if rec.received_at is None or rec.received_at > now:
            merged[sid] = replace(rec, received_at=now)
    return merged, new, rejected


@dataclass
class Choice:
    """One exercise: who is graded on which submission, and the group submissions not counted as such."""

    chosen: dict[str, Received] = field(default_factory=dict)  # trainee id → the submission graded for them
    groups: dict[str, str] = field(default_factory=dict)  # submission id → the group it credits (the list's id)
    refused: dict[str, Rejection] = field(default_factory=dict)  # submission id → why it does not count
    unchecked: list[Received] = field(default_factory=list)  # group submissions counted for the submitter alone


def choose(subs: list[Received], group_work: bool = False, group_list: GroupList | None = None) -> Choice:
    """For one exercise's submissions: each trainee's latest received own submission or the latest of
    their group's. A group submission counts only when the exercise is group work, and then only for
    members of the submitter's group on ``group_list`` (without a list: for the submitter alone)."""
    out = Choice()
    own: dict[str, Received] = {}
    latest: dict[str, Received] = {}  # the list's group id → its latest accepted submission
    for rec in sorted(subs, key=received_order):
        sub = rec.submission
        if sub.group is None:
            own[sub.trainee.id] = rec
        elif not group_work:
            out.refused[submission_id(sub)] = Rejection(rec.file, "not_group_work", {"exercise": sub.exercise_id})
        elif group_list is None:
            out.unchecked.append(rec)
            own[sub.trainee.id] = rec
        else:
            group_id = group_list.group_of(sub.exercise_id, sub.trainee.id)
            outside = [m for m in group_member_ids(sub) if group_list.group_of(sub.exercise_id, m) != group_id]
            if group_id is None:
                out.refused[submission_id(sub)] = Rejection(rec.file, "no_group", {
                    "id": sub.trainee.id, "exercise": sub.exercise_id})
            elif outside:
                out.refused[submission_id(sub)] = Rejection(rec.file, "not_members", {
                    "members": ", ".join(outside), "id": sub.trainee.id, "group": group_id,
                    "exercise": sub.exercise_id})
            else:
                latest[group_id] = rec
    candidates: dict[str, list[Received]] = defaultdict(list)
    for trainee_id, rec in own.items():
        candidates[trainee_id].append(rec)
    for group_id, rec in latest.items():
        out.groups[submission_id(rec.submission)] = group_id
        for member in group_member_ids(rec.submission):
            candidates[member].append(rec)
    out.chosen = {tid: max(recs, key=received_order) for tid, recs in candidates.items()}
    return out


def group_member_ids(sub: Submission) -> list[str]:
    """The members of a group submission; the submitter is always one of them."""
    if sub.group is None:
        return [sub.trainee.id]
    ids = [m.id for m in sub.group.members]
    return ids if sub.trainee.id in ids else [sub.trainee.id, *ids]
