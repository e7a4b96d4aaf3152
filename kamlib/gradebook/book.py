"""Reading the gradebook: a read-only snapshot (``Gradebook``) of trainees, exercises, results and item scores,
and the logs of runs and changed scores.

The final score of an item is the manual score where one is given, else the automatic one.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from kamlib.errors import GradingError
from kamlib.exercises import Answer
from kamlib.gradebook.store import GRADED, REFUSED, connect, gradebook_path, schema_version, text_from_json
from kamlib.i18n import Lang, normalize_lang
from kamlib.intake import Rejection
from kamlib.safe_text import printable
from kamlib.submission import Submission

MISSED = ("wrong", "blank", "partial")  # statuses that count as "not understood"


@dataclass(frozen=True)
class Change:
    """An item whose automatic score changed since the last run, and why (``key`` or ``submission``)."""

    trainee_id: str
    exercise_id: str
    item_id: str
    old: float | None
    new: float | None
    reason: str


@dataclass(frozen=True)
class TraineeRow:
    id: str
    name: str
    team: str
    language: Lang
    on_roster: bool


@dataclass(frozen=True)
class ExerciseRow:
    id: str
    max_points: float
    due: str | None


@dataclass(frozen=True)
class ItemRow:
    exercise_id: str
    item_id: str
    position: int
    max_points: float
    scoring: str


@dataclass(frozen=True)
class ScoreRow:
    """One item of one trainee's graded submission: automatic, manual and final points."""

    trainee_id: str
    exercise_id: str
    item_id: str
    max_points: float
    scoring: str
    auto_points: float
    status: str
    manual_points: float | None
    comment: str
    final_points: float
    group_id: str | None

    @property
    def pending(self) -> bool:
        """A manual item the instructor has not scored yet."""
        return self.scoring == "manual" and self.manual_points is None

    @property
    def missed(self) -> bool:
        """Not (fully) right: wrong, blank, partly right, or a manual item scored below full marks."""
        if self.scoring == "manual" or self.manual_points is not None:
            return not self.pending and self.final_points < self.max_points
        return self.status in MISSED


@dataclass(frozen=True)
class SubmissionRow:
    id: str
    trainee_id: str
    exercise_id: str
    submitted_at: str
    file: str
    group_id: str | None
    late: bool
    graded: bool
    received_at: str | None = None
    clock_flag: str | None = None  # a CLOCK_FLAGS value: the claimed time does not fit the time received
    refused: bool = False  # a group submission that does not count (see the run's rejections)


@dataclass
class Result:
    """A trainee's graded submission of one exercise and its item scores."""

    trainee_id: str
    exercise_id: str
    submission_id: str
    group_id: str | None
    submitted_at: str
    late: bool
    items: list[ScoreRow] = field(default_factory=list)
    received_at: str | None = None
    clock_flag: str | None = None

    @property
    def total(self) -> float:
        return round(sum(i.final_points for i in self.items), 2)

    @property
    def auto_total(self) -> float:
        return round(sum(i.auto_points for i in self.items), 2)

    @property
    def max_total(self) -> float:
        return sum(i.max_points for i in self.items)

    @property
    def pending(self) -> int:
        return sum(i.pending for i in self.items)

    @property
    def percent(self) -> float:
        return 100 * self.total / self.max_total if self.max_total else 0.0


@dataclass(frozen=True)
class GroupRow:
    exercise_id: str
    group_id: str
    name: str
    submission_id: str
    members: tuple[str, ...]


@dataclass
class Gradebook:
    """A read-only snapshot of the whole gradebook."""

    path: Path
    trainees: dict[str, TraineeRow]
    exercises: list[ExerciseRow]
    items: dict[str, list[ItemRow]]
    results: dict[tuple[str, str], Result]
    groups: list[GroupRow]
    submissions: list[SubmissionRow]
    manual: list[tuple[str, str, str, str, float | None, str]]  # exercise, item, kind, subject, points, comment
    last_rejections: list[Rejection]
    demo: bool = False
    _bodies: dict[str, str] = field(default_factory=dict, repr=False)

    def submission(self, sid: str) -> Submission:
        return Submission.model_validate_json(self._bodies[sid])

    def answers(self, trainee_id: str, exercise_id: str) -> dict[str, Answer]:
        result = self.results.get((trainee_id, exercise_id))
        return dict(self.submission(result.submission_id).answers) if result else {}

    def trainee_name(self, trainee_id: str) -> str:
        row = self.trainees.get(trainee_id)
        return row.name if row else trainee_id

    def exercise_ids(self) -> list[str]:
        return [e.id for e in self.exercises]


def read_gradebook(where: str | Path) -> Gradebook:
    """The gradebook at ``where`` (its folder or file), read in one go."""
    path = gradebook_path(where)
    conn = connect(path)
    try:
        if schema_version(conn) is None:
            raise GradingError("gradebook.error.damaged", file=str(path), detail="no tables")
        return read_gradebook_from(conn, path)
    except sqlite3.DatabaseError as exc:
        raise GradingError("gradebook.error.damaged", file=str(path), detail=str(exc)) from exc
    finally:
        conn.close()


def read_gradebook_from(conn: sqlite3.Connection, path: Path) -> Gradebook:
    # names and file names came from trainees and are shown, exported and printed: in printable form
    trainees = {r[0]: TraineeRow(r[0], printable(r[1]), printable(r[2]), normalize_lang(r[3]) or "zh", bool(r[4]))
                for r in conn.execute("SELECT id, name, team, language, on_roster FROM trainees ORDER BY id")}
    exercises = [ExerciseRow(*r) for r in conn.execute("SELECT id, max_points, due FROM exercises ORDER BY id")]
    items: dict[str, list[ItemRow]] = defaultdict(list)
    for r in conn.execute("SELECT exercise_id, item_id, position, max_points, scoring FROM items "
                          "ORDER BY exercise_id, position"):
        items[r[0]].append(ItemRow(*r))
    subs = [SubmissionRow(r[0], r[1], r[2], r[3], printable(r[4]), r[5], bool(r[6]), r[7] == GRADED, r[8], r[9],
                          r[7] == REFUSED) for r in conn.execute(
        "SELECT id, trainee_id, exercise_id, submitted_at, file, group_id, late, graded, received_at, clock_flag "
        "FROM submissions ORDER BY trainee_id, exercise_id, received_at, submitted_at")]
    demo_row = conn.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone()
    return Gradebook(path, trainees, exercises, dict(items), _results(conn, subs), _groups(conn), subs,
                     list(conn.execute("SELECT exercise_id, item_id, subject_kind, subject_id, points, comment "
                                       "FROM manual ORDER BY exercise_id, item_id, subject_kind, subject_id")),
                     _last_rejections(conn), demo=bool(demo_row and demo_row[0] == "1"),
                     _bodies={r[0]: r[1] for r in conn.execute("SELECT id, body FROM submissions")})


def _results(conn: sqlite3.Connection, subs: list[SubmissionRow]) -> dict[tuple[str, str], Result]:
    """Each trainee's graded submission per exercise, with its item scores."""
    by_id = {s.id: s for s in subs}
    results: dict[tuple[str, str], Result] = {}
    for tid, ex, sid, gid in conn.execute(
            "SELECT trainee_id, exercise_id, submission_id, group_id FROM results ORDER BY trainee_id, exercise_id"):
        sub = by_id[sid]
        results[(tid, ex)] = Result(tid, ex, sid, gid, sub.submitted_at, sub.late, received_at=sub.received_at,
                                    clock_flag=sub.clock_flag)
    for r in conn.execute(
            "SELECT trainee_id, exercise_id, item_id, max_points, scoring, auto_points, status, manual_points, "
            "group_comment, trainee_comment, final_points, group_id FROM item_scores "
            "ORDER BY trainee_id, exercise_id, position"):
        comment = "\n".join(c for c in (r[8], r[9]) if c)
        results[(r[0], r[1])].items.append(ScoreRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], comment,
                                                     r[10], r[11]))
    return results


def _groups(conn: sqlite3.Connection) -> list[GroupRow]:
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ex, gid, tid in conn.execute("SELECT exercise_id, group_id, trainee_id FROM group_members "
                                     "ORDER BY exercise_id, group_id, trainee_id"):
        members[(ex, gid)].append(tid)
    return [GroupRow(ex, gid, printable(name), sid, tuple(members[(ex, gid)])) for ex, gid, name, sid in conn.execute(
        "SELECT exercise_id, group_id, name, submission_id FROM groups ORDER BY exercise_id, group_id")]


def _last_rejections(conn: sqlite3.Connection) -> list[Rejection]:
    """The files the last run did not count, and why."""
    last = conn.execute("SELECT MAX(id) FROM runs").fetchone()[0]
    rejections = []
    for file, reason, params in conn.execute("SELECT file, reason, params FROM rejections WHERE run_id = ?",
                                             (last,)):
        data = json.loads(params)
        details = tuple(text_from_json(d) for d in data.pop("details", []))
        rejections.append(Rejection(file, reason, data, details))
    return rejections


def run_log(where: str | Path) -> list[tuple[int, str, int, int, int, int]]:
    """Every run: id, time, new submissions, rejected, graded, changed scores."""
    conn = connect(gradebook_path(where))
    try:
        return list(conn.execute("SELECT id, at, received, rejected, graded, changes FROM runs ORDER BY id"))
    finally:
        conn.close()


def change_log(where: str | Path) -> list[tuple[int, Change]]:
    """Every recorded score change with the run it happened in."""
    conn = connect(gradebook_path(where))
    try:
        return [(r[0], Change(*r[1:])) for r in conn.execute(
            "SELECT run_id, trainee_id, exercise_id, item_id, old_points, new_points, reason FROM changes "
            "ORDER BY run_id, trainee_id, exercise_id, item_id")]
    finally:
        conn.close()


def check_readable(where: str | Path) -> None:
    """Raise the gradebook's clear error if it cannot be read (used before long jobs)."""
    try:
        read_gradebook(where)
    except ValidationError as exc:  # a stored submission no longer loads with this kamlib
        raise GradingError("gradebook.error.damaged", file=str(where), detail=str(exc)[:200]) from exc
