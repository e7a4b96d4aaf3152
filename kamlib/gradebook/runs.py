"""A grading run: read the sources, grade every trainee's latest submission per exercise against the keys,
write the gradebook in one transaction, and report what happened in the instructor's language.

The gradebook keeps every submission read (earlier ones too), the automatic score of each item of the graded
one, and a log of runs, rejected files and changed scores.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kamlib import paths
from kamlib.class_groups import GroupEntry, GroupList
from kamlib.errors import KamError
from kamlib.gradebook.book import Change, read_gradebook_from
from kamlib.gradebook.lists import RosterEntry, given_group_list
from kamlib.gradebook.stats import missing_submissions
from kamlib.gradebook.store import (
    GRADED,
    GRADED_EARLIER,
    REFUSED,
    Transaction,
    connect,
    ensure_schema,
    gradebook_path,
    now_text,
    parse_time,
    text_json,
)
from kamlib.gradebook.submissions import (
    choose,
    clock_flag,
    group_member_ids,
    is_late,
    iso_time,
    merge,
    received_order,
    submission_id,
)
from kamlib.grading import AnswerKey, GradeResult, grade, load_key
from kamlib.i18n import Lang, t
from kamlib.intake import Received, Rejection, read_exchange, read_sources
from kamlib.settings import CourseSettings, load_settings
from kamlib.submission import Submission

Progress = Callable[[int, int], None]


def key_digest(key: AnswerKey) -> str:
    """A fingerprint of a key: a changed key re-grades and the changes are recorded."""
    return hashlib.sha256(json.dumps(key.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ClockNote:
    """A submission whose claimed time does not fit the time it was received (``flag``: a ``CLOCK_FLAGS``)."""

    file: str
    claimed: dt.datetime
    received: dt.datetime
    flag: str

    def message(self, lang: Lang) -> str:
        return t(f"gradebook.clock.{self.flag}", lang, file=self.file, claimed=utc_text(self.claimed),
                 received=utc_text(self.received))


def utc_text(moment: dt.datetime) -> str:
    """``2026-03-02 01:30:00 UTC``."""
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"


@dataclass
class RunReport:
    """What one ``grade_class`` run did, for the report in the instructor's language."""

    gradebook: Path
    sources: list[str]
    received: int = 0
    known: int = 0
    ignored: int = 0
    results: int = 0
    trainees: int = 0
    exercises: list[str] = field(default_factory=list)
    earlier: int = 0
    late: int = 0
    groups: int = 0
    missing: int = 0
    pending_manual: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # exercises whose key is missing: kept as graded before
    unchecked: list[str] = field(default_factory=list)  # group submissions counted for the submitter alone
    clock: list[ClockNote] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self, lang: Lang, limit: int = 30) -> list[str]:
        out = [
            t("gradebook.report.read", lang, received=self.received, known=self.known, ignored=self.ignored),
            t("gradebook.report.graded", lang, results=self.results, trainees=self.trainees,
              exercises=len(self.exercises), earlier=self.earlier, late=self.late, groups=self.groups,
              seconds=f"{self.seconds:.2f}"),
        ]
        for exercise in self.kept:
            out.append(t("gradebook.report.kept", lang, exercise=exercise))
        if self.rejected:
            out.append(t("gradebook.report.rejected", lang, count=len(self.rejected)))
            out += _first([r.message(lang) for r in self.rejected[:limit]], len(self.rejected), "more", lang)
        if self.unchecked:
            out.append(t("gradebook.report.unchecked", lang, count=len(self.unchecked)))
        if self.clock:
            out.append(t("gradebook.report.clock", lang, count=len(self.clock)))
            out += _first([c.message(lang) for c in self.clock[:limit]], len(self.clock), "more_clock", lang)
        if self.changes:
            out.append(t("gradebook.report.changes", lang, count=len(self.changes)))
            out += _first([change_line(c, lang) for c in self.changes[:limit]], len(self.changes), "more", lang)
        out.append(t("gradebook.report.missing", lang, count=self.missing))
        if self.pending_manual:
            out.append(t("gradebook.report.pending", lang, count=self.pending_manual))
        out.append(t("gradebook.report.file", lang, file=str(self.gradebook)))
        return out


def _first(shown: list[str], total: int, more: str, lang: Lang) -> list[str]:
    """The lines shown of a list, indented, and a line saying how many more there are (``gradebook.report.<more>``)."""
    rest = total - len(shown)
    return [f"  {line}" for line in shown] + (["  " + t(f"gradebook.report.{more}", lang, count=rest)] if rest else [])


def change_line(change: Change, lang: Lang) -> str:
    def pts(value: float | None) -> str:
        return "—" if value is None else f"{value:g}"

    return t("gradebook.report.change", lang, trainee=change.trainee_id, exercise=change.exercise_id,
             item=change.item_id, old=pts(change.old), new=pts(change.new),
             reason=t(f"gradebook.reason.{change.reason}", lang))


def _stored_submissions(conn: sqlite3.Connection) -> dict[str, Received]:
    out = {}
    for sid, file, digest, body, received in conn.execute(
            "SELECT id, file, digest, body, received_at FROM submissions"):
        out[sid] = Received(file, Submission.model_validate_json(body), digest, parse_time(received))
    return out


def _stored_group_list(conn: sqlite3.Connection) -> GroupList | None:
    given = conn.execute("SELECT value FROM meta WHERE key = 'group_list'").fetchone()
    if not given or given[0] != "1":
        return None
    return GroupList({(ex, tid): gid for ex, tid, gid in conn.execute(
        "SELECT exercise_id, trainee_id, group_id FROM group_list")})


def grade_class(
    sources: Iterable[str | Path],
    folder: str | Path,
    keys: str | Path | None = None,
    settings: CourseSettings | None = None,
    roster: list[RosterEntry] | None = None,
    exercises: Iterable[str] = (),
    progress: Progress | None = None,
    groups: Iterable[GroupEntry] | None = None,
    exchange: str | Path | None = None,
    check_owner: bool = True,
) -> RunReport:
    """Read the sources, grade every trainee's latest submission per exercise, and update the gradebook.

    ``exchange``: a class exchange read as well (``intake.read_exchange``: a file counts only if its folder, the id
    inside and its owner agree; ``check_owner=False`` leaves the owner out, where every server runs as one uid).

    Idempotent: the same sources and keys again change nothing; a changed key re-grades and each
    changed item score is recorded. Submissions already in the gradebook are re-graded too, so the
    sources of a later session add to the earlier ones. The group list (``roster``'s group column and
    ``groups``) replaces the one stored in the gradebook; without either, the stored one holds.
    """
    started = time.perf_counter()
    settings = settings or load_settings()
    path = gradebook_path(folder)
    folders = [Path(s) for s in sources]
    asked = list(exercises)
    given = given_group_list(roster, groups)
    report = RunReport(path, [str(s) for s in folders] + ([str(exchange)] if exchange is not None else []))
    now = dt.datetime.now(dt.UTC)
    intake = read_sources(folders)
    if exchange is not None:
        intake.extend(read_exchange(Path(exchange), check_owner=check_owner))
    report.ignored = len(intake.ignored)
    conn = connect(path, create=True)
    try:
        ensure_schema(conn)
        stored = _stored_submissions(conn)
        merged, report.received, duplicates = merge(stored, intake, now)
        group_list = given if given is not None else _stored_group_list(conn)
        old_exercises = {r[0]: r[1] for r in conn.execute("SELECT id, key_digest FROM exercises")}
        loaded, no_key = _load_keys(merged, stored, old_exercises, asked, keys, report)
        plan = _plan(merged, loaded, settings, progress, group_list)
        old_scores = {(r[0], r[1], r[2]): r[3] for r in conn.execute(
            "SELECT trainee_id, exercise_id, item_id, auto_points FROM scores")}
        old_results = {(r[0], r[1]): r[2] for r in conn.execute(
            "SELECT trainee_id, exercise_id, submission_id FROM results")}
        report.changes = _changes(plan, loaded, old_exercises, old_scores, old_results)
        report.rejected = intake.rejected + duplicates + no_key + plan.failed + sorted(plan.refused.values(),
                                                                                     key=lambda r: r.file)
        report.unchecked = sorted(r.file for r in plan.unchecked)
        report.clock = sorted((ClockNote(merged[sid].file, merged[sid].submission.submitted_at,
                                         merged[sid].received_at or now, flag)
                               for sid, flag in plan.flags.items() if flag), key=lambda c: c.file)
        with Transaction(conn):
            _write(conn, plan, merged, loaded, roster or [], report)
            if given is not None:
                _write_group_list(conn, given)
        _summarise(conn, report)
    finally:
        conn.close()
    report.seconds = time.perf_counter() - started
    return report


def _load_keys(merged: dict[str, Received], stored: dict[str, Received], old_exercises: dict[str, str],
               asked: list[str], keys: str | Path | None,
               report: RunReport) -> tuple[dict[str, AnswerKey], list[Rejection]]:
    """The key of every exercise submitted, graded before or ``asked`` for, and the rejections for those without
    one. An exercise graded before keeps its scores (``report.kept``); a new submission of an exercise without a
    key is rejected and taken out of ``merged``."""
    loaded: dict[str, AnswerKey] = {}
    rejected: list[Rejection] = []
    wanted = sorted({r.submission.exercise_id for r in merged.values()} | set(old_exercises) | set(asked))
    for exercise_id in wanted:
        try:
            loaded[exercise_id] = load_key(exercise_id, keys)
        except KamError as exc:
            if exercise_id in old_exercises:
                report.kept.append(exercise_id)
            elif exercise_id in set(asked):
                rejected.append(Rejection(exercise_id, "key_problem", {"exercise": exercise_id},
                                          (exc.text, *exc.details)))
            for sid, rec in list(merged.items()):
                if rec.submission.exercise_id == exercise_id and sid not in stored:
                    rejected.append(Rejection(rec.file, "key_problem", {"exercise": exercise_id},
                                              (exc.text, *exc.details)))
                    del merged[sid]
    return loaded, rejected


@dataclass
class _Plan:
    """Everything computed before the one write transaction."""

    chosen: dict[str, dict[str, Received]]  # exercise → trainee → graded submission
    graded: dict[str, GradeResult]  # submission id → result
    late: dict[str, bool]  # submission id → received after the due date
    due: dict[str, str | None]
    failed: list[Rejection]  # submissions that could not be graded
    groups: dict[str, str] = field(default_factory=dict)  # submission id → the group it credits
    refused: dict[str, Rejection] = field(default_factory=dict)  # group submissions that do not count
    unchecked: list[Received] = field(default_factory=list)  # group submissions counted for the submitter alone
    flags: dict[str, str | None] = field(default_factory=dict)  # submission id → its clock flag


def _plan(merged: dict[str, Received], keys: dict[str, AnswerKey], settings: CourseSettings,
          progress: Progress | None, group_list: GroupList | None = None) -> _Plan:
    """Choose and grade each trainee's submission; one that cannot be graded is reported and the trainee's
    next latest counts instead (nothing a trainee sent stops the run)."""
    by_exercise: dict[str, list[Received]] = defaultdict(list)
    for rec in merged.values():
        by_exercise[rec.submission.exercise_id].append(rec)
    graded: dict[str, GradeResult] = {}
    failed: dict[str, Rejection] = {}
    while True:
        choices = {ex: choose([r for r in by_exercise.get(ex, []) if submission_id(r.submission) not in failed],
                              settings.exercise(ex).group, group_list) for ex in keys}
        chosen = {ex: c.chosen for ex, c in choices.items()}
        to_grade = {submission_id(r.submission): r for ex in chosen.values() for r in ex.values()}
        todo = sorted(sid for sid in to_grade if sid not in graded)
        for sid in todo:
            rec = to_grade[sid]
            try:
                graded[sid] = grade(rec.submission, keys[rec.submission.exercise_id])
            except Exception as exc:  # e.g. a checking function that chokes on an odd answer
                failed[sid] = Rejection(rec.file, "grade_failed", {"detail": str(exc)[:200] or type(exc).__name__})
            if progress is not None:
                progress(len(graded) + len(failed), len(to_grade) + len(failed))
        if not any(sid in failed for sid in todo):
            break
    due = {ex: settings.exercise(ex).due for ex in keys}
    received = {sid: r.received_at or dt.datetime.now(dt.UTC) for sid, r in merged.items()}
    late = {sid: is_late(received[sid], due.get(r.submission.exercise_id)) for sid, r in merged.items()}
    flags = {sid: clock_flag(r.submission.submitted_at, received[sid], settings.grading)
             for sid, r in merged.items()}
    return _Plan(chosen, graded, late, {ex: d.isoformat() if d else None for ex, d in due.items()},
                 list(failed.values()), {sid: g for c in choices.values() for sid, g in c.groups.items()},
                 {sid: r for c in choices.values() for sid, r in c.refused.items()},
                 [r for c in choices.values() for r in c.unchecked], flags)


def _changes(plan: _Plan, keys: dict[str, AnswerKey], old_exercises: dict[str, str],
             old_scores: dict[tuple[str, str, str], float], old_results: dict[tuple[str, str], str]) -> list[Change]:
    changes = []
    new_scores: dict[tuple[str, str, str], float] = {}
    for exercise_id, trainees in plan.chosen.items():
        for trainee_id, rec in trainees.items():
            for item in plan.graded[submission_id(rec.submission)].items:
                new_scores[(trainee_id, exercise_id, item.item_id)] = item.points
    for where in sorted(set(old_scores) | set(new_scores)):
        trainee_id, exercise_id, item_id = where
        if exercise_id not in keys:
            continue  # not re-graded this run (key missing): kept as it was
        old, new = old_scores.get(where), new_scores.get(where)
        if old is None or old == new:
            continue  # first grading is not a change
        key_changed = old_exercises.get(exercise_id) not in (None, key_digest(keys[exercise_id]))
        graded = plan.chosen[exercise_id].get(trainee_id)
        same_sub = (graded is not None
                    and old_results.get((trainee_id, exercise_id)) == submission_id(graded.submission))
        reason = "key" if key_changed and same_sub else "submission"
        changes.append(Change(trainee_id, exercise_id, item_id, old, new, reason))
    return changes


def _write(conn: sqlite3.Connection, plan: _Plan, merged: dict[str, Received], keys: dict[str, AnswerKey],
           roster: list[RosterEntry], report: RunReport) -> None:
    graded_ids = {submission_id(r.submission) for ex in plan.chosen.values() for r in ex.values()}
    existing = {r[0] for r in conn.execute("SELECT id FROM submissions")}
    conn.executemany(
        "INSERT INTO submissions (id, trainee_id, exercise_id, submitted_at, file, digest, group_id, body, "
        "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(sid, r.submission.trainee.id, r.submission.exercise_id, iso_time(r.submission.submitted_at), r.file,
          r.digest, r.submission.group.id if r.submission.group else None, r.submission.model_dump_json(),
          iso_time(r.received_at) if r.received_at else now_text())
         for sid, r in sorted(merged.items()) if sid not in existing])

    def state(sid: str) -> int:
        return GRADED if sid in graded_ids else REFUSED if sid in plan.refused else GRADED_EARLIER

    conn.executemany("UPDATE submissions SET late = ?, graded = ?, clock_flag = ? WHERE id = ?",
                     [(int(plan.late[sid]), state(sid), plan.flags.get(sid), sid) for sid, r in merged.items()
                      if r.submission.exercise_id in keys])
    _write_trainees(conn, merged, roster, plan)
    for exercise_id in sorted(keys):
        _write_exercise(conn, plan, exercise_id, keys[exercise_id])
    cur = conn.execute(
        "INSERT INTO runs (at, sources, received, rejected, graded, changes) VALUES (?, ?, ?, ?, ?, ?)",
        (now_text(), json.dumps(report.sources), report.received, len(report.rejected), len(graded_ids),
         len(report.changes)))
    run_id = cur.lastrowid
    conn.executemany("INSERT INTO rejections VALUES (?, ?, ?, ?)",
                     [(run_id, r.file, r.reason, json.dumps({**r.params, "details": [
                         text_json(d) for d in r.details]}, default=str)) for r in report.rejected])
    conn.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [(run_id, c.trainee_id, c.exercise_id, c.item_id, c.old, c.new, c.reason)
                      for c in report.changes])


def _write_exercise(conn: sqlite3.Connection, plan: _Plan, exercise_id: str, key: AnswerKey) -> None:
    """An exercise re-graded: its key's items, each trainee's result and item scores, and its groups."""
    conn.execute("INSERT OR REPLACE INTO exercises VALUES (?, ?, ?, ?)",
                 (exercise_id, key.max_points, plan.due[exercise_id], key_digest(key)))
    for table in ("items", "results", "scores", "groups", "group_members"):
        conn.execute(f"DELETE FROM {table} WHERE exercise_id = ?", (exercise_id,))
    conn.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?)",
                     [(exercise_id, k.id, n, k.points, k.scoring) for n, k in enumerate(key.items)])
    chosen = plan.chosen[exercise_id]
    for trainee_id, rec in sorted(chosen.items()):
        sid = submission_id(rec.submission)
        conn.execute("INSERT INTO results VALUES (?, ?, ?, ?)",
                     (trainee_id, exercise_id, sid, plan.groups.get(sid)))
        conn.executemany("INSERT INTO scores VALUES (?, ?, ?, ?, ?)",
                         [(trainee_id, exercise_id, i.item_id, i.points, i.status)
                          for i in plan.graded[sid].items])
    groups = {plan.groups[sid]: r for r in chosen.values() if (sid := submission_id(r.submission)) in plan.groups}
    for group_id, rec in sorted(groups.items()):
        assert rec.submission.group is not None
        conn.execute("INSERT INTO groups VALUES (?, ?, ?, ?)",
                     (exercise_id, group_id, rec.submission.group.name, submission_id(rec.submission)))
        conn.executemany("INSERT INTO group_members VALUES (?, ?, ?)",
                         [(exercise_id, group_id, m) for m in group_member_ids(rec.submission)
                          if chosen.get(m) is rec])


def _write_trainees(conn: sqlite3.Connection, merged: dict[str, Received], roster: list[RosterEntry],
                    plan: _Plan) -> None:
    """Name, team and language from each trainee's latest submission; members a counted group submission
    credits who never submitted themselves are named by the group (language: the submitter's); nobody is
    added by a group submission that does not count. A roster's names and teams win."""
    people: dict[str, tuple[str, str, str]] = {}
    for rec in sorted(merged.values(), key=received_order):
        sub = rec.submission
        people[sub.trainee.id] = (sub.trainee.name, sub.trainee.team, sub.trainee.language)
    for trainees in plan.chosen.values():
        for tid, rec in sorted(trainees.items()):
            sub = rec.submission
            if tid not in people and sub.group is not None:
                name = next((m.name for m in sub.group.members if m.id == tid), "")
                people[tid] = (name or tid, "", sub.trainee.language)
    stored = {r[0]: r[1:] for r in conn.execute("SELECT id, name, team, language, on_roster FROM trainees")}
    listed = {e.id: e for e in roster}
    listed.update({tid: RosterEntry(tid, row[0], row[1]) for tid, row in stored.items()
                   if row[3] and tid not in listed})
    for tid in sorted(set(people) | set(listed)):
        entry = listed.get(tid)
        name, team, lang = people.get(tid, (tid, "", stored.get(tid, ("", "", "zh"))[2]))
        if entry is not None:
            name, team = entry.name, entry.team
        conn.execute("INSERT OR REPLACE INTO trainees VALUES (?, ?, ?, ?, ?)",
                     (tid, name, team, lang or "zh", int(entry is not None)))


def _write_group_list(conn: sqlite3.Connection, groups: GroupList) -> None:
    """The group list given this run replaces the stored one (the instructor's side, kept for re-grades)."""
    conn.execute("DELETE FROM group_list")
    conn.executemany("INSERT INTO group_list VALUES (?, ?, ?)", groups.rows())
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('group_list', '1')")


def _summarise(conn: sqlite3.Connection, report: RunReport) -> None:
    book = read_gradebook_from(conn, report.gradebook)
    report.known = len(book.submissions)
    report.results = len(book.results)
    report.trainees = len(book.trainees)
    report.exercises = [e.id for e in book.exercises]
    report.earlier = sum(1 for s in book.submissions if not s.graded and not s.refused)
    report.late = sum(1 for r in book.results.values() if r.late)
    report.groups = len(book.groups)
    report.missing = sum(len(gaps) for _, gaps in missing_submissions(book))
    report.pending_manual = sum(r.pending for r in book.results.values())


def grade_exchange(exchange: str | Path | None = None, gradebook: str | Path | None = None,
                   keys: str | Path | None = None) -> str | Path | None:
    """On a classroom hub, grade the class exchange (``exchange``, else ``KAM_EXCHANGE``) into the gradebook
    (``gradebook``, else ``paths.gradebook_dir()``) and return the gradebook's folder; with no exchange (self-study),
    nothing is read and ``gradebook`` comes back as given."""
    root = Path(exchange) if exchange else paths.exchange_root()
    if root is None:
        return gradebook
    folder = Path(gradebook) if gradebook else paths.gradebook_dir()
    grade_class([], folder, keys=keys, exchange=root)
    return folder
