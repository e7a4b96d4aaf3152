"""The class as its submissions folder shows it now: who has handed in which exercise, on time or late, for
the instructor's live dashboard. Read afresh on every call; nothing is kept.

The folder is the class exchange's ``inbound/`` on the hub (one folder per trainee, made at each spawn, so a
trainee who has handed in nothing is listed too) or a folder of collected submissions. A submission counts
as ``kam grade`` reads it (``kamlib.intake.parse_submission``: the trainee id in the file is its folder's
name) and, on the hub, only if the file belongs to the user the folder is named for. When it was received is,
on the hub, its inode change time (``kamlib.exchange.received_time``), which a trainee cannot set back; in a
folder of collected files, its modification time, as ``kam grade`` reads such a folder. Late is judged by that
time against the exercise's due date in the course settings.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kamlib.class_share import NotShown, is_share_file, owner_mismatch
from kamlib.exchange import received_time
from kamlib.exercises import exercise_ids
from kamlib.gradebook import ExerciseStats, is_late
from kamlib.intake import MAX_FILE_BYTES, Received, Rejection, is_safe_name, parse_submission
from kamlib.regular_file import FileTooLarge, NotRegularFile, read_regular
from kamlib.settings import CourseSettings, load_settings

HandStatus = Literal["on_time", "late", "group", "missing"]
NOT_COUNTED = "class_share.not_counted"
_SUBMISSION_NAME = re.compile(r"ex\d\d-.*\.json")


@dataclass(frozen=True)
class Handed:
    """A trainee's latest submission of an exercise: when it was received, late or not, who handed it in
    (another member's id when a group's submission lists the trainee)."""

    exercise_id: str
    received_at: dt.datetime
    late: bool
    file: str
    by: str


@dataclass
class LiveClass:
    """Who has handed in what, read at ``read_at`` from ``folder``; files not counted with the reason."""

    folder: Path
    read_at: dt.datetime
    trainees: list[str] = field(default_factory=list)
    exercises: list[str] = field(default_factory=list)
    handed: dict[tuple[str, str], Handed] = field(default_factory=dict)
    not_counted: list[Rejection | NotShown] = field(default_factory=list)
    files: int = 0

    def status(self, trainee_id: str, exercise_id: str) -> HandStatus:
        got = self.handed.get((trainee_id, exercise_id))
        if got is None:
            return "missing"
        if got.by != trainee_id:
            return "group"
        return "late" if got.late else "on_time"

    def stats(self) -> list[ExerciseStats]:
        """Per exercise: handed in (own or by a group), late, missing; in the shape of the gradebook's stats."""
        out = []
        for ex in self.exercises:
            statuses = [self.status(tid, ex) for tid in self.trainees]
            missing = statuses.count("missing")
            late = sum(1 for tid in self.trainees if (h := self.handed.get((tid, ex))) is not None and h.late)
            out.append(ExerciseStats(ex, 0.0, (), len(statuses) - missing, late, missing))
        return out


def _read_one(path: Path, shown: str, folder: str, check_owner: bool,
              known: set[str]) -> tuple[Received, dt.datetime] | Rejection | NotShown:
    try:
        info = os.lstat(path)
        if check_owner and (owner := owner_mismatch(info, folder)) is not None:
            return NotShown(shown, "owner", {"owner": owner, "folder": folder}, line=NOT_COUNTED)
        data = read_regular(path, MAX_FILE_BYTES)
    except NotRegularFile as exc:
        return Rejection(shown, "link" if exc.link else "not_regular")
    except FileTooLarge as exc:
        return Rejection(shown, "too_large", {"size": exc.size, "limit": MAX_FILE_BYTES})
    except OSError as exc:
        return Rejection(shown, "unreadable", {"detail": exc.strerror or type(exc).__name__})
    result = parse_submission(shown, data, folder, known)
    if not isinstance(result, Received):
        return result
    # the hub: when the exchange received it; collected files: when this machine wrote them, as kam grade reads it
    at = received_time(info) if check_owner else dt.datetime.fromtimestamp(info.st_mtime, dt.UTC)
    return result, at


def read_live(folder: str | os.PathLike[str], check_owner: bool = False,
              settings: CourseSettings | None = None) -> LiveClass:
    """Who has handed in which of the course's exercises, from the trainee folders under ``folder``.
    ``check_owner`` (the hub): a file counts only if its owner is the user its folder is named for."""
    settings = settings or load_settings()
    root = Path(folder)
    exercises = exercise_ids()
    live = LiveClass(root, dt.datetime.now(dt.UTC), exercises=exercises)
    known = set(exercises)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        live.not_counted.append(Rejection(str(root), "unreadable", {"detail": exc.strerror or type(exc).__name__}))
        return live
    groups: list[tuple[Received, dt.datetime, bool]] = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            if entry.is_symlink():
                live.not_counted.append(Rejection(entry.name, "link"))
            continue
        if not is_safe_name(entry.name):
            live.not_counted.append(NotShown(entry.name, "unsafe_folder", line=NOT_COUNTED))
            continue
        live.trainees.append(entry.name)
        try:
            names = sorted(f.name for f in os.scandir(entry.path))
        except OSError as exc:
            live.not_counted.append(Rejection(entry.name, "unreadable", {"detail": exc.strerror or type(exc).__name__}))
            continue
        for name in names:
            if name.startswith(".") or is_share_file(name) or not _SUBMISSION_NAME.fullmatch(name):
                continue
            live.files += 1
            shown = f"{entry.name}/{name}"
            try:
                result = _read_one(Path(entry.path) / name, shown, entry.name, check_owner, known)
            except Exception as exc:  # one hostile file must not stop the page
                result = Rejection(shown, "unreadable", {"detail": f"{type(exc).__name__}: {exc}"[:200]})
            if not isinstance(result, tuple):
                live.not_counted.append(result)
                continue
            received, at = result
            sub = received.submission
            late = is_late(at, settings.exercise(sub.exercise_id).due)
            key = (entry.name, sub.exercise_id)
            if key not in live.handed or live.handed[key].received_at <= at:  # the latest received counts
                live.handed[key] = Handed(sub.exercise_id, at, late, shown, entry.name)
            if sub.group is not None:
                groups.append((received, at, late))
    for received, at, late in groups:  # members a group's submission lists, who handed in nothing themselves
        sub = received.submission
        for member in sub.group.members if sub.group else []:
            key = (member.id, sub.exercise_id)
            if member.id == sub.trainee.id or (key in live.handed and live.handed[key].by == member.id):
                continue
            if key not in live.handed or live.handed[key].received_at < at:
                live.handed[key] = Handed(sub.exercise_id, at, late, received.file, sub.trainee.id)
    return live
