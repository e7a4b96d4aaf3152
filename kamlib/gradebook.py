"""The class gradebook: every trainee's latest submission per exercise graded against the keys, in SQLite.

One file, ``<folder>/gradebook.sqlite`` (stdlib ``sqlite3``, no server). It keeps every submission read
(earlier ones too), the automatic score of each item of the graded one, the instructor's manual scores
and comments, and a log of runs, rejected files and changed scores. The final score of an item is the
manual score where one is given, else the automatic one.

Which submission counts: for each trainee and exercise, the latest *received* of their own individual
submissions and of the latest submission of each group that lists them. "Received" and "late" go by the
time this side received a file (``received_at``: the file's time in the class folder or the zip, never
later than when the gradebook first saw it), not by the time a submission claims; a claim that does not
fit is flagged (``clock_flag``). Group work: group submissions count only for exercises the course
settings mark as group work, and only for members of the submitter's group on the instructor's group
list (``kamlib.class_groups``); a group's latest submission defines which of them it credits. Without a
group list a group submission counts for the submitter alone.

Every write happens in one transaction: a crash mid-run leaves the gradebook as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from kamlib.class_groups import EVERY, GroupEntry, GroupList, build_group_list
from kamlib.errors import GradingError, InputError, KamError
from kamlib.exercises import Answer, Exercise, Item, load_exercise, parse_number
from kamlib.grading import AnswerKey, GradeResult, grade, load_key, model_answers
from kamlib.i18n import LANGS, Lang, Text, normalize_lang, t
from kamlib.intake import Intake, Received, Rejection, is_safe_name, read_exchange, read_sources
from kamlib.safe_text import printable
from kamlib.settings import CourseSettings, GradingSettings, load_settings
from kamlib.submission import Submission
from kamlib.tables import Sheet, csv_rows, csv_text, decode_csv, write_csv, write_xlsx

GRADEBOOK_FILE = "gradebook.sqlite"
SCHEMA_VERSION = 2  # 2: submissions.received_at and clock_flag, the group_list table
MISSED = ("wrong", "blank", "partial")  # statuses that count as "not understood"
SubjectKind = Literal["trainee", "group"]
Progress = Callable[[int, int], None]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trainees (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, team TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'zh', on_roster INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS exercises (
    id TEXT PRIMARY KEY, max_points REAL NOT NULL, due TEXT, key_digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    exercise_id TEXT NOT NULL, item_id TEXT NOT NULL, position INTEGER NOT NULL,
    max_points REAL NOT NULL, scoring TEXT NOT NULL, PRIMARY KEY (exercise_id, item_id));
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY, trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, submitted_at TEXT NOT NULL,
    file TEXT NOT NULL, digest TEXT NOT NULL, group_id TEXT, late INTEGER NOT NULL DEFAULT 0,
    graded INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL, received_at TEXT, clock_flag TEXT);
CREATE TABLE IF NOT EXISTS groups (
    exercise_id TEXT NOT NULL, group_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
    submission_id TEXT NOT NULL, PRIMARY KEY (exercise_id, group_id));
CREATE TABLE IF NOT EXISTS group_members (
    exercise_id TEXT NOT NULL, group_id TEXT NOT NULL, trainee_id TEXT NOT NULL,
    PRIMARY KEY (exercise_id, group_id, trainee_id));
CREATE TABLE IF NOT EXISTS group_list (
    exercise_id TEXT NOT NULL, trainee_id TEXT NOT NULL, group_id TEXT NOT NULL,
    PRIMARY KEY (exercise_id, trainee_id));
CREATE TABLE IF NOT EXISTS results (
    trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, submission_id TEXT NOT NULL, group_id TEXT,
    PRIMARY KEY (trainee_id, exercise_id));
CREATE TABLE IF NOT EXISTS scores (
    trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, item_id TEXT NOT NULL,
    auto_points REAL NOT NULL, status TEXT NOT NULL, PRIMARY KEY (trainee_id, exercise_id, item_id));
CREATE TABLE IF NOT EXISTS manual (
    exercise_id TEXT NOT NULL, item_id TEXT NOT NULL, subject_kind TEXT NOT NULL, subject_id TEXT NOT NULL,
    points REAL, comment TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,
    PRIMARY KEY (exercise_id, item_id, subject_kind, subject_id));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, sources TEXT NOT NULL, received INTEGER NOT NULL,
    rejected INTEGER NOT NULL, graded INTEGER NOT NULL, changes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rejections (
    run_id INTEGER NOT NULL, file TEXT NOT NULL, reason TEXT NOT NULL, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    run_id INTEGER NOT NULL, trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, item_id TEXT NOT NULL,
    old_points REAL, new_points REAL, reason TEXT NOT NULL);
CREATE VIEW IF NOT EXISTS item_scores AS
SELECT s.trainee_id, s.exercise_id, s.item_id, i.position, i.max_points, i.scoring, s.auto_points, s.status,
       r.group_id, COALESCE(mt.points, mg.points) AS manual_points,
       COALESCE(mg.comment, '') AS group_comment, COALESCE(mt.comment, '') AS trainee_comment,
       COALESCE(mt.points, mg.points, s.auto_points) AS final_points
FROM scores s
JOIN items i ON i.exercise_id = s.exercise_id AND i.item_id = s.item_id
JOIN results r ON r.trainee_id = s.trainee_id AND r.exercise_id = s.exercise_id
LEFT JOIN manual mt ON mt.subject_kind = 'trainee' AND mt.subject_id = s.trainee_id
     AND mt.exercise_id = s.exercise_id AND mt.item_id = s.item_id
LEFT JOIN manual mg ON mg.subject_kind = 'group' AND mg.subject_id = r.group_id
     AND mg.exercise_id = s.exercise_id AND mg.item_id = s.item_id;
"""


def gradebook_path(where: str | Path) -> Path:
    """The gradebook file: ``where`` itself if it names a file, else ``where/gradebook.sqlite``."""
    where = Path(where)
    return where if where.suffix in (".sqlite", ".db", ".sqlite3") else where / GRADEBOOK_FILE


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _now() -> str:
    return _iso(dt.datetime.now(dt.UTC))


def key_digest(key: AnswerKey) -> str:
    """A fingerprint of a key: a changed key re-grades and the changes are recorded."""
    return hashlib.sha256(json.dumps(key.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def submission_id(sub: Submission) -> str:
    return f"{sub.trainee.id}/{sub.exercise_id}/{_iso(sub.submitted_at)}"


def is_late(received_at: dt.datetime, due: dt.datetime | None) -> bool:
    """Received after the due date? A due date without a time zone is read in this machine's zone."""
    if due is None:
        return False
    return received_at > (due if due.tzinfo else due.astimezone())


GRADED_EARLIER, GRADED, REFUSED = 0, 1, 2  # submissions.graded: kept, graded, not counted (see the rejections)
CLOCK_FLAGS = ("future", "backdated")


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


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


# ---- connection ----------------------------------------------------------------------------------


def _connect(path: Path, create: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit); a clear error for a damaged file."""
    if not path.is_file() and not create:
        raise GradingError("gradebook.error.no_gradebook", file=str(path))
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        conn.execute("PRAGMA foreign_keys = OFF")
        version = _schema_version(conn)
    except sqlite3.DatabaseError as exc:
        raise GradingError("gradebook.error.damaged", file=str(path), detail=str(exc)) from exc
    if version is not None and version > SCHEMA_VERSION:
        conn.close()
        raise GradingError("gradebook.error.newer", file=str(path), found=version, known=SCHEMA_VERSION)
    if version is not None and version < SCHEMA_VERSION:
        try:
            _migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise GradingError("gradebook.error.damaged", file=str(path), detail=str(exc)) from exc
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring an older gradebook up to this version in place, in one transaction."""
    with _Transaction(conn):
        version = _schema_version(conn)  # again, inside the transaction: another process may have done it
        if version is None or version >= SCHEMA_VERSION:
            return
        if version < 2:
            _migrate_1_to_2(conn)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """Version 1 kept only the time a submission claims. Its received time becomes the earlier of that claim
    and the last run before the migration (the gradebook held it by then, so it was received no later): an
    honest claim stays as it was graded, a claim in the future is cut back to when it was seen. Late and
    clock flags follow from it (clock flags with the default thresholds until the next run)."""
    conn.execute("ALTER TABLE submissions ADD COLUMN received_at TEXT")
    conn.execute("ALTER TABLE submissions ADD COLUMN clock_flag TEXT")
    conn.execute("CREATE TABLE IF NOT EXISTS group_list (exercise_id TEXT NOT NULL, trainee_id TEXT NOT NULL, "
                 "group_id TEXT NOT NULL, PRIMARY KEY (exercise_id, trainee_id))")
    last_run = _time(conn.execute("SELECT MAX(at) FROM runs").fetchone()[0]) or dt.datetime.now(dt.UTC)
    due = {ex: _time(d) for ex, d in conn.execute("SELECT id, due FROM exercises")}
    rows, bodies = [], []
    for sid, exercise_id, claimed_text, body in conn.execute(
            "SELECT id, exercise_id, submitted_at, body FROM submissions"):
        claimed = dt.datetime.fromisoformat(claimed_text)
        received = min(claimed, last_run)
        rows.append((_iso(received), int(is_late(received, due.get(exercise_id))),
                     clock_flag(claimed, received, GradingSettings()), sid))
        stored = json.loads(body)  # version 1 accepted a time without its zone; it now must carry one:
        if dt.datetime.fromisoformat(stored["submitted_at"]).tzinfo is None:  # the zone version 1 read it in
            bodies.append((json.dumps({**stored, "submitted_at": claimed_text}, ensure_ascii=False), sid))
    conn.executemany("UPDATE submissions SET received_at = ?, late = ?, clock_flag = ? WHERE id = ?", rows)
    conn.executemany("UPDATE submissions SET body = ? WHERE id = ?", bodies)


def _schema_version(conn: sqlite3.Connection) -> int | None:
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    if not has_meta:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else None


class _Transaction:
    """``with _Transaction(conn):`` one write transaction, rolled back on any error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: type | None, *_: Any) -> None:
        self.conn.execute("ROLLBACK" if kind else "COMMIT")


def _ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables of a new gradebook (one transaction; nothing changes in an existing one)."""
    conn.executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\nINSERT OR IGNORE INTO meta VALUES "
                       f"('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;")


# ---- grading a class -----------------------------------------------------------------------------


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
class RosterEntry:
    id: str
    name: str
    team: str = ""
    group: str = ""  # the trainee's group for every group-work exercise ("" = none given)


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
            out += [f"  {r.message(lang)}" for r in self.rejected[:limit]]
            if len(self.rejected) > limit:
                out.append("  " + t("gradebook.report.more", lang, count=len(self.rejected) - limit))
        if self.unchecked:
            out.append(t("gradebook.report.unchecked", lang, count=len(self.unchecked)))
        if self.clock:
            out.append(t("gradebook.report.clock", lang, count=len(self.clock)))
            out += [f"  {c.message(lang)}" for c in self.clock[:limit]]
            if len(self.clock) > limit:
                out.append("  " + t("gradebook.report.more_clock", lang, count=len(self.clock) - limit))
        if self.changes:
            out.append(t("gradebook.report.changes", lang, count=len(self.changes)))
            out += [f"  {change_line(c, lang)}" for c in self.changes[:limit]]
            if len(self.changes) > limit:
                out.append("  " + t("gradebook.report.more", lang, count=len(self.changes) - limit))
        out.append(t("gradebook.report.missing", lang, count=self.missing))
        if self.pending_manual:
            out.append(t("gradebook.report.pending", lang, count=self.pending_manual))
        out.append(t("gradebook.report.file", lang, file=str(self.gradebook)))
        return out


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
        out[sid] = Received(file, Submission.model_validate_json(body), digest, _time(received))
    return out


def _merge(stored: dict[str, Received], intake: Intake,
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


def read_roster(path: str | Path) -> list[RosterEntry]:
    """A class list (CSV: id, name, team, group; headers in either language); a bad row is a clear error.
    The group column, if any, is each trainee's group for every group-work exercise."""
    rows = _read_csv(Path(path))
    columns = _columns(rows[0] if rows else [], ("id", "name", "team", "group"), "gradebook.roster")
    if "id" not in columns:
        raise InputError("gradebook.error.roster_columns", file=str(path))
    out = []
    problems = []
    for number, row in enumerate(rows[1:], start=2):
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        if not any(cell.values()):
            continue
        if not is_safe_name(cell["id"]):
            problems.append(Text("gradebook.error.roster_row", {"row": number, "id": cell["id"]}))
            continue
        group = cell.get("group", "")
        if group and not is_safe_name(group):
            problems.append(Text("gradebook.error.roster_group", {"row": number, "group": group}))
            continue
        out.append(RosterEntry(cell["id"], cell.get("name") or cell["id"], cell.get("team", ""), group))
    if problems:
        raise InputError("gradebook.error.roster_bad", details=problems, file=str(path))
    return out


GROUP_COLUMNS = ("group", "trainee", "exercise")


def read_groups(path: str | Path) -> list[GroupEntry]:
    """A group list (CSV: group, trainee id, optionally the exercise it holds for; headers in either language).
    Every row is checked first: a bad id, an unknown exercise or a trainee in two groups for one exercise is
    an error naming the file and row (nothing is graded then)."""
    from kamlib.exercises import exercise_ids

    path = Path(path)
    rows = _read_csv(path)
    columns = _columns(rows[0] if rows else [], GROUP_COLUMNS, "gradebook.groups.col")
    if "group" not in columns or "trainee" not in columns:
        raise InputError("gradebook.groups.columns", file=str(path))
    known = set(exercise_ids())
    out, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        if not any(cell.values()):
            continue
        where = Text("gradebook.manual.row", {"file": path.name, "row": number})
        bad = [value for value in (cell["group"], cell["trainee"]) if not is_safe_name(value)]
        exercise = cell.get("exercise", "")
        if bad:
            problems.append(Text("gradebook.groups.bad_id", {"where": where, "id": bad[0] or "—"}))
        elif exercise and exercise not in known:
            problems.append(Text("gradebook.groups.unknown_exercise", {
                "where": where, "exercise": exercise[:40], "known": ", ".join(sorted(known))}))
        else:
            out.append(GroupEntry(cell["group"], cell["trainee"], exercise or EVERY, where))
    if problems:
        raise InputError("gradebook.groups.not_read", details=problems[:50], count=len(problems))
    build_group_list(out)  # a trainee in two groups for one exercise: the rows named
    return out


def given_group_list(roster: list[RosterEntry] | None, groups: Iterable[GroupEntry] | None) -> GroupList | None:
    """The group list given for this run: the class list's group column and the group file together;
    None when neither gives one (the gradebook's stored list then holds)."""
    listed = [GroupEntry(e.group, e.id, EVERY, Text("gradebook.groups.on_roster", {"id": e.id}))
              for e in roster or [] if e.group]
    if groups is None and not listed:
        return None
    return build_group_list([*listed, *(groups or [])])


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
    sources = [Path(s) for s in sources]
    exercises = list(exercises)
    given = given_group_list(roster, groups)
    report = RunReport(path, [str(s) for s in sources] + ([str(exchange)] if exchange is not None else []))
    now = dt.datetime.now(dt.UTC)
    intake = read_sources(sources)
    if exchange is not None:
        intake.extend(read_exchange(Path(exchange), check_owner=check_owner))
    report.ignored = len(intake.ignored)
    conn = _connect(path, create=True)
    try:
        _ensure_schema(conn)
        stored = _stored_submissions(conn)
        merged, report.received, duplicates = _merge(stored, intake, now)
        group_list = given if given is not None else _stored_group_list(conn)
        rejected = intake.rejected + duplicates
        old_exercises = {r[0]: r[1] for r in conn.execute("SELECT id, key_digest FROM exercises")}
        wanted = sorted({r.submission.exercise_id for r in merged.values()} | set(old_exercises) | set(exercises))
        loaded: dict[str, AnswerKey] = {}
        for exercise_id in wanted:
            try:
                loaded[exercise_id] = load_key(exercise_id, keys)
            except KamError as exc:
                if exercise_id in old_exercises:
                    report.kept.append(exercise_id)
                elif exercise_id in set(exercises):
                    rejected.append(Rejection(exercise_id, "key_problem", {"exercise": exercise_id},
                                              (exc.text, *exc.details)))
                for sid, rec in list(merged.items()):
                    if rec.submission.exercise_id == exercise_id and sid not in stored:
                        rejected.append(Rejection(rec.file, "key_problem", {"exercise": exercise_id},
                                                  (exc.text, *exc.details)))
                        del merged[sid]
        plan = _plan(merged, loaded, settings, progress, group_list)
        old_scores = {(r[0], r[1], r[2]): r[3] for r in conn.execute(
            "SELECT trainee_id, exercise_id, item_id, auto_points FROM scores")}
        old_results = {(r[0], r[1]): r[2] for r in conn.execute(
            "SELECT trainee_id, exercise_id, submission_id FROM results")}
        report.changes = _changes(plan, loaded, old_exercises, old_scores, old_results)
        report.rejected = rejected + plan.failed + sorted(plan.refused.values(), key=lambda r: r.file)
        report.unchecked = sorted(r.file for r in plan.unchecked)
        report.clock = sorted((ClockNote(merged[sid].file, merged[sid].submission.submitted_at,
                                         merged[sid].received_at or now, flag)
                               for sid, flag in plan.flags.items() if flag), key=lambda c: c.file)
        with _Transaction(conn):
            _write(conn, plan, merged, loaded, roster or [], report)
            if given is not None:
                _write_group_list(conn, given)
        _summarise(conn, report)
    finally:
        conn.close()
    report.seconds = time.perf_counter() - started
    return report


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
        rec = plan.chosen[exercise_id].get(trainee_id)
        same_sub = rec is not None and old_results.get((trainee_id, exercise_id)) == submission_id(rec.submission)
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
        [(sid, r.submission.trainee.id, r.submission.exercise_id, _iso(r.submission.submitted_at), r.file,
          r.digest, r.submission.group.id if r.submission.group else None, r.submission.model_dump_json(),
          _iso(r.received_at) if r.received_at else _now())
         for sid, r in sorted(merged.items()) if sid not in existing])
    regraded = sorted(keys)

    def state(sid: str) -> int:
        return GRADED if sid in graded_ids else REFUSED if sid in plan.refused else GRADED_EARLIER

    conn.executemany("UPDATE submissions SET late = ?, graded = ?, clock_flag = ? WHERE id = ?",
                     [(int(plan.late[sid]), state(sid), plan.flags.get(sid), sid) for sid, r in merged.items()
                      if r.submission.exercise_id in keys])
    _write_trainees(conn, merged, roster, plan)
    for exercise_id in regraded:
        key = keys[exercise_id]
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
    cur = conn.execute(
        "INSERT INTO runs (at, sources, received, rejected, graded, changes) VALUES (?, ?, ?, ?, ?, ?)",
        (_now(), json.dumps(report.sources), report.received, len(report.rejected), len(graded_ids),
         len(report.changes)))
    run_id = cur.lastrowid
    conn.executemany("INSERT INTO rejections VALUES (?, ?, ?, ?)",
                     [(run_id, r.file, r.reason, json.dumps({**r.params, "details": [
                         _text_json(d) for d in r.details]}, default=str)) for r in report.rejected])
    conn.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [(run_id, c.trainee_id, c.exercise_id, c.item_id, c.old, c.new, c.reason)
                      for c in report.changes])


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


def _text_json(text: Text) -> dict[str, Any]:
    return {"key": text.key, "params": {k: _text_json(v) if isinstance(v, Text) else v
                                        for k, v in text.params.items()}}


def _text_from_json(data: dict[str, Any]) -> Text:
    params = {k: _text_from_json(v) if isinstance(v, dict) and "key" in v else v
              for k, v in data.get("params", {}).items()}
    return Text(data["key"], params)


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


# ---- reading the gradebook -------------------------------------------------------------------------


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
    conn = _connect(path)
    try:
        if _schema_version(conn) is None:
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
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ex, gid, tid in conn.execute("SELECT exercise_id, group_id, trainee_id FROM group_members "
                                     "ORDER BY exercise_id, group_id, trainee_id"):
        members[(ex, gid)].append(tid)
    groups = [GroupRow(ex, gid, printable(name), sid, tuple(members[(ex, gid)])) for ex, gid, name, sid in conn.execute(
        "SELECT exercise_id, group_id, name, submission_id FROM groups ORDER BY exercise_id, group_id")]
    manual = list(conn.execute("SELECT exercise_id, item_id, subject_kind, subject_id, points, comment FROM manual "
                               "ORDER BY exercise_id, item_id, subject_kind, subject_id"))
    last = conn.execute("SELECT MAX(id) FROM runs").fetchone()[0]
    rejections = []
    for file, reason, params in conn.execute("SELECT file, reason, params FROM rejections WHERE run_id = ?",
                                             (last,)):
        data = json.loads(params)
        details = tuple(_text_from_json(d) for d in data.pop("details", []))
        rejections.append(Rejection(file, reason, data, details))
    bodies = {r[0]: r[1] for r in conn.execute("SELECT id, body FROM submissions")}
    demo_row = conn.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone()
    return Gradebook(path, trainees, exercises, dict(items), results, groups, subs, manual, rejections,
                     demo=bool(demo_row and demo_row[0] == "1"), _bodies=bodies)


def run_log(where: str | Path) -> list[tuple[int, str, int, int, int, int]]:
    """Every run: id, time, new submissions, rejected, graded, changed scores."""
    conn = _connect(gradebook_path(where))
    try:
        return list(conn.execute("SELECT id, at, received, rejected, graded, changes FROM runs ORDER BY id"))
    finally:
        conn.close()


def change_log(where: str | Path) -> list[tuple[int, Change]]:
    """Every recorded score change with the run it happened in."""
    conn = _connect(gradebook_path(where))
    try:
        return [(r[0], Change(*r[1:])) for r in conn.execute(
            "SELECT run_id, trainee_id, exercise_id, item_id, old_points, new_points, reason FROM changes "
            "ORDER BY run_id, trainee_id, exercise_id, item_id")]
    finally:
        conn.close()


# ---- manual grading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManualEntry:
    """An instructor's score and/or comment for one item of a trainee or a group; ``where`` names its origin."""

    exercise_id: str
    item_id: str
    subject_kind: SubjectKind
    subject_id: str
    points: float | None
    comment: str = ""
    where: Text | str = ""


MAX_COMMENT = 5000


def check_manual(book: Gradebook, entry: ManualEntry) -> Text | None:
    """The problem with an entry (unknown exercise/item/trainee/group, points out of range), or None."""
    params = {"where": entry.where or "—", "exercise": entry.exercise_id, "item": entry.item_id,
              "subject": entry.subject_id}
    items = {i.item_id: i for i in book.items.get(entry.exercise_id, [])}
    if not items:
        return Text("gradebook.manual.unknown_exercise", params)
    if entry.item_id not in items:
        return Text("gradebook.manual.unknown_item", params)
    if entry.subject_kind == "group":
        if not any(g.exercise_id == entry.exercise_id and g.group_id == entry.subject_id for g in book.groups):
            return Text("gradebook.manual.unknown_group", params)
    elif (entry.subject_id, entry.exercise_id) not in book.results:
        return Text("gradebook.manual.unknown_trainee", params)
    top = items[entry.item_id].max_points
    if entry.points is not None and not 0 <= entry.points <= top:
        return Text("gradebook.manual.out_of_range", {**params, "points": f"{entry.points:g}", "max": f"{top:g}"})
    if len(entry.comment) > MAX_COMMENT:
        return Text("gradebook.manual.comment_long", {**params, "max": MAX_COMMENT})
    return None


def set_manual(where: str | Path, entries: list[ManualEntry]) -> int:
    """Store manual scores and comments, all or nothing; an entry with neither removes the one stored.

    Raises ``InputError`` listing every problem (nothing is written then). Returns how many were stored.
    """
    book = read_gradebook(where)
    problems = [p for p in (check_manual(book, e) for e in entries) if p is not None]
    if problems:
        raise InputError("gradebook.manual.not_saved", details=problems[:50], count=len(problems))
    conn = _connect(book.path)
    try:
        with _Transaction(conn):
            for e in entries:
                conn.execute("DELETE FROM manual WHERE exercise_id=? AND item_id=? AND subject_kind=? "
                             "AND subject_id=?", (e.exercise_id, e.item_id, e.subject_kind, e.subject_id))
                if e.points is not None or e.comment.strip():
                    conn.execute("INSERT INTO manual VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (e.exercise_id, e.item_id, e.subject_kind, e.subject_id, e.points,
                                  e.comment.strip(), _now()))
    finally:
        conn.close()
    return len(entries)


MANUAL_COLUMNS = ("trainee", "group", "name", "exercise", "item", "max", "answer", "points", "comment")


def _read_text(path: Path) -> str:
    """A CSV file's text, in any encoding ``kamlib.tables.decode_csv`` reads (UTF-8, GBK/GB18030, Big5)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("gradebook.error.no_csv", file=str(path)) from None
    except OSError as exc:
        raise InputError("gradebook.error.bad_csv", file=str(path), detail=exc.strerror or str(exc)) from exc
    return decode_csv(data, str(path)).text


def _read_csv(path: Path) -> list[list[str]]:
    return parse_csv_text(_read_text(path), str(path))


def parse_csv_text(text: str, source: str = "CSV") -> list[list[str]]:
    """Rows of a CSV text; comma, semicolon or tab, whichever the header line uses most."""
    return csv_rows(text, source)


def _columns(header: list[str], names: Iterable[str], prefix: str) -> dict[str, int]:
    """Column index of each known column, its header given as id or in either language."""
    wanted = {n: {n, *(alias.strip().lower() for lang in LANGS for alias in t(f"{prefix}.{n}", lang).split("|"))}
              for n in names}
    out = {}
    for i, cell in enumerate(header):
        text = cell.strip().lower()
        for name, aliases in wanted.items():
            if text in aliases and name not in out:
                out[name] = i
    return out


def read_manual_csv(book: Gradebook, text: str, source: str = "CSV") -> list[ManualEntry]:
    """Entries of a manual-scores CSV (the template's columns; headers as ids or in either language)."""
    rows = parse_csv_text(text, source)
    cols = _columns(rows[0] if rows else [], MANUAL_COLUMNS, "gradebook.csv")
    missing = [c for c in ("exercise", "item", "points") if c not in cols]
    if missing or ("trainee" not in cols and "group" not in cols):
        raise InputError("gradebook.manual.columns", file=source,
                         columns=", ".join(missing or ["trainee/group"]))
    entries, problems = [], []
    # the template writes ids in printable form: read such a form back as the id stored
    stored = {"trainee": {printable(tid): tid for tid, _ in book.results},
              "group": {printable(g.group_id): g.group_id for g in book.groups}}
    for number, row in enumerate(rows[1:], start=2):
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in cols.items()}
        if not any(cell.values()):
            continue
        where = Text("gradebook.manual.row", {"file": source, "row": number})
        trainee, group = cell.get("trainee", ""), cell.get("group", "")
        trainee, group = stored["trainee"].get(trainee, trainee), stored["group"].get(group, group)
        if bool(trainee) == bool(group):
            problems.append(Text("gradebook.manual.subject", {"where": where}))
            continue
        points: float | None = None
        if cell["points"]:
            try:
                points = parse_number(cell["points"])
            except ValueError:
                problems.append(Text("gradebook.manual.not_number", {"where": where, "value": cell["points"]}))
                continue
        entry = ManualEntry(cell["exercise"], cell["item"], "trainee" if trainee else "group", trainee or group,
                            points, cell.get("comment", ""), where)
        problem = check_manual(book, entry)
        if problem is not None:
            problems.append(problem)
            continue
        entries.append(entry)
    if problems:
        raise InputError("gradebook.manual.not_saved", details=problems[:50], count=len(problems))
    return entries


def import_manual_csv(where: str | Path, csv_file: str | Path | None = None, text: str | None = None) -> int:
    """Import manual scores from a CSV file (or its text), all or nothing. Returns the rows stored."""
    if text is None:
        assert csv_file is not None
        text = _read_text(Path(csv_file))
    book = read_gradebook(where)
    entries = read_manual_csv(book, text, Path(csv_file).name if csv_file else "CSV")
    return set_manual(book.path, entries)


def manual_targets(book: Gradebook, exercise_id: str) -> list[tuple[SubjectKind, str]]:
    """Who is scored by hand for an exercise: each group once, and each trainee who worked alone."""
    groups = [("group", g.group_id) for g in book.groups if g.exercise_id == exercise_id]
    alone = [("trainee", tid) for (tid, ex), r in sorted(book.results.items()) if ex == exercise_id and not r.group_id]
    return [*groups, *alone]  # type: ignore[list-item]


def manual_value(book: Gradebook, exercise_id: str, item_id: str, kind: str, subject: str) -> tuple[float | None, str]:
    for ex, item, k, s, points, comment in book.manual:
        if (ex, item, k, s) == (exercise_id, item_id, kind, subject):
            return points, comment
    return None, ""


def subject_submission(book: Gradebook, exercise_id: str, kind: str, subject: str) -> str | None:
    if kind == "group":
        for g in book.groups:
            if (g.exercise_id, g.group_id) == (exercise_id, subject):
                return g.submission_id
        return None
    result = book.results.get((subject, exercise_id))
    return result.submission_id if result else None


def manual_template(book: Gradebook, lang: Lang, exercise: str | None = None, every_item: bool = False) -> str:
    """A CSV to fill in: one row per manual item (every item with ``every_item``) of each graded group or
    lone trainee, with the answer given and what is stored already. What came from trainees (ids, names,
    answers) is written in printable form; ``read_manual_csv`` reads such an id back as the one stored."""
    from kamlib.exercises import answer_text

    rows: list[list[Any]] = [[t(f"gradebook.csv.{c}", lang) for c in MANUAL_COLUMNS]]
    for exercise_id in book.exercise_ids():
        if exercise is not None and exercise_id != exercise:
            continue
        items = [i for i in book.items.get(exercise_id, []) if every_item or i.scoring == "manual"]
        for kind, subject in manual_targets(book, exercise_id):
            sid = subject_submission(book, exercise_id, kind, subject)
            answers = book.submission(sid).answers if sid else {}
            name = _group_name(book, exercise_id, subject) if kind == "group" else book.trainee_name(subject)
            for item in items:
                points, comment = manual_value(book, exercise_id, item.item_id, kind, subject)
                shown = printable(subject)
                rows.append([
                    shown if kind == "trainee" else "", shown if kind == "group" else "", printable(name),
                    exercise_id, item.item_id, f"{item.max_points:g}",
                    printable(answer_text(exercise_id, item.item_id, answers.get(item.item_id), lang), keep="\n"),
                    "" if points is None else f"{points:g}", comment])
    return csv_text(rows)  # text a spreadsheet would run is quoted (kamlib.tables.csv_cell)


def _group_name(book: Gradebook, exercise_id: str, group_id: str) -> str:
    for g in book.groups:
        if (g.exercise_id, g.group_id) == (exercise_id, group_id):
            return g.name or g.group_id
    return group_id


# ---- exports ---------------------------------------------------------------------------------------


def summary_table(book: Gradebook, lang: Lang) -> list[list[Any]]:
    """One row per trainee, one column per exercise (final score; empty when missing), then totals."""
    ids = book.exercise_ids()
    head = [t(f"gradebook.col.{c}", lang) for c in ("trainee", "name", "team")] + ids
    head += [t(f"gradebook.col.{c}", lang) for c in ("total", "max", "missing", "late", "pending")]
    rows: list[list[Any]] = [head]
    for trainee in book.trainees.values():
        mine = [book.results.get((trainee.id, ex)) for ex in ids]
        rows.append([
            trainee.id, trainee.name, trainee.team, *[r.total if r else None for r in mine],
            round(sum(r.total for r in mine if r), 2), sum(e.max_points for e in book.exercises),
            " ".join(ex for ex, r in zip(ids, mine, strict=True) if r is None),
            " ".join(ex for ex, r in zip(ids, mine, strict=True) if r and r.late),
            sum(r.pending for r in mine if r),
        ])
    return rows


def items_table(book: Gradebook, lang: Lang) -> list[list[Any]]:
    """One row per trainee and item of their graded submission."""
    cols = ("trainee", "name", "exercise", "item", "group", "auto", "manual", "final", "max", "status",
            "comment", "submitted", "received", "late", "clock")
    rows: list[list[Any]] = [[t(f"gradebook.col.{c}", lang) for c in cols]]
    for result in book.results.values():
        for i in result.items:
            rows.append([i.trainee_id, book.trainee_name(i.trainee_id), i.exercise_id, i.item_id, i.group_id or "",
                         i.auto_points, i.manual_points, i.final_points, i.max_points, status_label(i, lang),
                         i.comment, result.submitted_at, result.received_at or "", _yes(result.late, lang),
                         clock_label(result.clock_flag, lang)])
    return rows


def clock_label(flag: str | None, lang: Lang) -> str:
    """What a clock flag means, in ``lang`` ("" for none)."""
    return t(f"gradebook.clock_flag.{flag}", lang) if flag in CLOCK_FLAGS else ""


def groups_table(book: Gradebook, lang: Lang) -> list[list[Any]]:
    """The group view: one row per group and exercise, its members and the score each of them gets."""
    cols = ("exercise", "group", "group_name", "members", "total", "max", "submitted_by", "submitted", "received",
            "late")
    rows: list[list[Any]] = [[t(f"gradebook.col.{c}", lang) for c in cols]]
    subs = {s.id: s for s in book.submissions}
    for g in book.groups:
        sub = subs[g.submission_id]
        result = book.results.get((g.members[0], g.exercise_id)) if g.members else None
        rows.append([g.exercise_id, g.group_id, g.name,
                     ", ".join(f"{book.trainee_name(m)} ({m})" for m in g.members),
                     result.total if result else None, result.max_total if result else None,
                     sub.trainee_id, sub.submitted_at, sub.received_at or "", _yes(sub.late, lang)])
    return rows


def submissions_table(book: Gradebook, lang: Lang) -> list[list[Any]]:
    """Every submission read, the earlier ones too: which one is graded, which are late (by the time received),
    which claim a time that does not fit the time received."""
    cols = ("trainee", "name", "exercise", "submitted", "received", "group", "graded", "late", "clock", "file")
    rows: list[list[Any]] = [[t(f"gradebook.col.{c}", lang) for c in cols]]
    for s in book.submissions:
        state = "yes" if s.graded else "refused" if s.refused else "earlier"
        rows.append([s.trainee_id, book.trainee_name(s.trainee_id), s.exercise_id, s.submitted_at,
                     s.received_at or "", s.group_id or "", t(f"gradebook.graded.{state}", lang),
                     _yes(s.late, lang), clock_label(s.clock_flag, lang), s.file])
    return rows


def clock_flagged(book: Gradebook) -> list[SubmissionRow]:
    """The submissions whose claimed time does not fit the time they were received."""
    return [s for s in book.submissions if s.clock_flag in CLOCK_FLAGS]


def rejected_table(book: Gradebook, lang: Lang) -> list[list[Any]]:
    rows: list[list[Any]] = [[t("gradebook.col.file", lang), t("gradebook.col.problem", lang)]]
    rows += [[r.file, r.message(lang)] for r in book.last_rejections]
    return rows


def changes_table(where: str | Path, lang: Lang) -> list[list[Any]]:
    cols = ("run", "trainee", "exercise", "item", "old", "new", "reason")
    rows: list[list[Any]] = [[t(f"gradebook.col.{c}", lang) for c in cols]]
    rows += [[run, c.trainee_id, c.exercise_id, c.item_id, c.old, c.new, t(f"gradebook.reason.{c.reason}", lang)]
             for run, c in change_log(where)]
    return rows


def status_label(row: ScoreRow, lang: Lang) -> str:
    if row.manual_points is not None:
        return t("gradebook.status.by_instructor", lang)
    return t(f"grading.status.{row.status}", lang)


def _yes(flag: bool, lang: Lang) -> str:
    return t("gradebook.yes", lang) if flag else ""


SHEETS = ("summary", "items", "groups", "submissions", "rejected", "changes")


def export_tables(book: Gradebook, lang: Lang) -> dict[str, list[list[Any]]]:
    return {
        "summary": summary_table(book, lang), "items": items_table(book, lang), "groups": groups_table(book, lang),
        "submissions": submissions_table(book, lang), "rejected": rejected_table(book, lang),
        "changes": changes_table(book.path, lang),
    }


def write_exports(where: str | Path, lang: Lang, folder: str | Path | None = None) -> list[Path]:
    """``gradebook.csv`` (one row per trainee), ``gradebook-items.csv`` (item level), ``gradebook-groups.csv``
    and ``gradebook.xlsx`` (all sheets) beside the gradebook (or in ``folder``); each written atomically."""
    book = read_gradebook(where)
    out = Path(folder) if folder is not None else book.path.parent
    out.mkdir(parents=True, exist_ok=True)
    tables = export_tables(book, lang)
    written = [write_csv(tables[sheet], out / name) for name, sheet in (
        ("gradebook.csv", "summary"), ("gradebook-items.csv", "items"), ("gradebook-groups.csv", "groups"))]
    write_xlsx(xlsx_sheets(tables, lang), out / "gradebook.xlsx")
    return [*written, out / "gradebook.xlsx"]


def xlsx_sheets(tables: dict[str, list[list[Any]]], lang: Lang) -> list[Sheet]:
    """The tables as XLSX sheets named in ``lang``: headers bold and frozen, filters on (``kamlib.tables``)."""
    return [Sheet(t(f"gradebook.sheet.{name}", lang), rows, auto_filter=True) for name, rows in tables.items()]


# ---- the class's picture ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseStats:
    """How the class did on one exercise: percentages of the graded, counts of late and missing."""

    exercise_id: str
    max_points: float
    percents: tuple[float, ...]
    submitted: int
    late: int
    missing: int

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.percents) if self.percents else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.percents) if self.percents else None


def exercise_stats(book: Gradebook) -> list[ExerciseStats]:
    out = []
    for ex in book.exercises:
        results = [r for (tid, e), r in book.results.items() if e == ex.id]
        out.append(ExerciseStats(ex.id, ex.max_points, tuple(round(r.percent, 2) for r in results),
                                 len(results), sum(r.late for r in results), len(book.trainees) - len(results)))
    return out


@dataclass(frozen=True)
class ItemStats:
    """One item across the class: how many graded, how many missed it, the average points."""

    exercise_id: str
    item_id: str
    graded: int
    missed: int
    mean_points: float
    max_points: float

    @property
    def miss_rate(self) -> float:
        return self.missed / self.graded if self.graded else 0.0


def item_stats(book: Gradebook) -> list[ItemStats]:
    """Every item, most missed first (ties: lower average share of points, then course order)."""
    rows: dict[tuple[str, str], list[ScoreRow]] = defaultdict(list)
    for result in book.results.values():
        for item in result.items:
            if not item.pending:
                rows[(item.exercise_id, item.item_id)].append(item)
    order = {(i.exercise_id, i.item_id): n for ex in book.items.values() for n, i in enumerate(ex)}
    out = [ItemStats(ex, item, len(r), sum(x.missed for x in r),
                     statistics.fmean(x.final_points for x in r), r[0].max_points)
           for (ex, item), r in rows.items()]
    return sorted(out, key=lambda s: (-s.miss_rate, s.mean_points / s.max_points, s.exercise_id,
                                      order.get((s.exercise_id, s.item_id), 0)))


def missing_submissions(book: Gradebook) -> list[tuple[str, list[str]]]:
    """Trainees (id) and the exercises of the gradebook they have no graded submission for."""
    out = []
    for trainee in book.trainees.values():
        gaps = [ex.id for ex in book.exercises if (trainee.id, ex.id) not in book.results]
        if gaps:
            out.append((trainee.id, gaps))
    return out


def graded_submissions(book: Gradebook, exercise_id: str) -> list[Submission]:
    """Each graded submission of an exercise once (a group's counts once, not per member)."""
    ids = sorted({r.submission_id for (tid, ex), r in book.results.items() if ex == exercise_id})
    return [book.submission(sid) for sid in ids]


def answer_counts(book: Gradebook, exercise_id: str, item_id: str) -> Counter[str]:
    """How often each answer was given to a choice item (each choice of a multi item counted)."""
    counts: Counter[str] = Counter()
    for sub in graded_submissions(book, exercise_id):
        given = sub.answers.get(item_id)
        if given is None or given == [] or given == "":
            counts["—"] += 1
        else:
            counts.update(str(v) for v in (given if isinstance(given, list) else [given]))
    return counts


def pick_items(exercise: Exercise) -> list[Item]:
    """The multi-choice items of an exercise with an account-list case whose choices are its accounts."""
    from kamlib.exercises.case import is_people_case, load_case_data

    if not exercise.case or is_people_case(exercise.id):
        return []
    codes = {a.code for a in load_case_data(exercise.id).accounts}
    return [i for i in exercise.items if i.kind == "multi" and set(i.choices) <= codes]


def pooled_account_boxes(book: Gradebook, exercise_id: str,
                         settings: CourseSettings | None = None) -> dict[str, Counter[str]]:
    """The class's picks (e.g. Top and Strategic of ex01) by the RADP box of each picked case account:
    item id → box → how many submissions picked an account in that box."""
    from kamlib.exercises.case import load_case_data
    from kamlib.screening import radp_box

    radp = (settings or load_settings()).radp
    exercise = load_exercise(exercise_id)
    items = pick_items(exercise)
    if not items:
        return {}
    boxes = {a.code: radp_box(a.sow_pct[-1], a.bp_wan[-1], radp) for a in load_case_data(exercise_id).accounts}
    out: dict[str, Counter[str]] = {i.id: Counter() for i in items}
    for sub in graded_submissions(book, exercise_id):
        for item in items:
            given = sub.answers.get(item.id)
            for code in given if isinstance(given, list) else []:
                if code in boxes:
                    out[item.id][boxes[code]] += 1
    return out


def strategy_items(book: Gradebook) -> list[tuple[str, Item]]:
    """Choice items that record a strategy chosen (their id names one), in the gradebook's exercises."""
    out = []
    for ex in book.exercise_ids():
        try:
            exercise = load_exercise(ex)
        except KamError:
            continue
        out += [(ex, i) for i in exercise.items if i.kind in ("choice", "multi") and "strateg" in i.id]
    return out


def part_of(item_id: str) -> str:
    """The part of an exercise an item belongs to: ``box_a01`` → ``box``; ``q3`` → ``q3``."""
    return item_id.split("_")[0] if "_" in item_id else item_id


def part_scores(book: Gradebook, trainee_id: str, exercise_id: str) -> list[tuple[str, float, float]]:
    """Per part of the exercise: the trainee's share of the points and the class average share (0–100)."""
    mine: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    everyone: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (tid, ex), result in book.results.items():
        if ex != exercise_id:
            continue
        for item in result.items:
            part = part_of(item.item_id)
            everyone[part][0] += item.final_points
            everyone[part][1] += item.max_points
            if tid == trainee_id:
                mine[part][0] += item.final_points
                mine[part][1] += item.max_points
    return [(part, 100 * got / top if top else 0.0, 100 * everyone[part][0] / everyone[part][1])
            for part, (got, top) in mine.items() if everyone[part][1]]


# ---- a demo class ----------------------------------------------------------------------------------


def _demo_exercises(keys: str | Path | None) -> list[tuple[str, AnswerKey]]:
    from kamlib.exercises import exercise_ids

    exercises = []
    for exercise_id in exercise_ids():
        try:
            exercises.append((exercise_id, load_key(exercise_id, keys)))
        except KamError:
            continue
    return exercises


def demo_groups(keys: str | Path | None = None, trainees: int = 16) -> list[GroupEntry]:
    """The demo class's group list: two groups of three in its last exercise (group work)."""
    exercises = _demo_exercises(keys)
    if not exercises or trainees < 6:
        return []
    last = exercises[-1][0]
    return [GroupEntry(f"team{g + 1}", f"demo{n:02d}", last) for g in range(2) for n in range(3 * g + 1, 3 * g + 4)]


def demo_submissions(folder: Path, keys: str | Path | None = None, trainees: int = 16, seed: int = 7,
                     lang: Lang = "zh") -> Path:
    """Made-up submissions of a small class, from the model answers with errors mixed in; some missing,
    two groups in the last exercise (``demo_groups``); names in ``lang``, trainees' own languages mixed.
    Written under ``folder/submissions``, each file dated when it claims to be submitted; returns that folder."""
    import os

    from kamlib.model.workbook import Trainee
    from kamlib.submission import Group, GroupMember, submission_name

    rnd = random.Random(seed)
    base = dt.datetime(2026, 1, 15, 6, 0, tzinfo=dt.UTC)
    subs_dir = folder / "submissions"
    people = [Trainee(id=f"demo{n:02d}", name=t("gradebook.demo.name", lang, n=n), team="demo",
                      language=LANGS[n % 2]) for n in range(1, trainees + 1)]
    skill = {p.id: rnd.uniform(0.45, 0.97) for p in people}
    exercises = _demo_exercises(keys)
    for number, (exercise_id, key) in enumerate(exercises):
        exercise = load_exercise(exercise_id)
        grouped = number == len(exercises) - 1 and len(people) >= 6
        for n, person in enumerate(people):
            if rnd.random() < 0.08 or (grouped and n in (1, 2, 4, 5)):
                continue  # missing, or a member of a group whose other member submits
            answers = {i.id: _demo_answer(exercise.item(i.id), a, skill[person.id], rnd)
                       for i, a in zip(key.items, model_answers(key, person.language).values(), strict=True)}
            group = None
            if grouped and n in (0, 3):
                members = [people[m] for m in (n, n + 1, n + 2)]
                group = Group(id=f"team{n // 3 + 1}", name=t("gradebook.demo.group", lang, n=n // 3 + 1),
                              members=[GroupMember(id=m.id, name=m.name) for m in members])
            at = base + dt.timedelta(days=number, minutes=rnd.randint(0, 90))
            sub = Submission(exercise_id=exercise_id, trainee=person, submitted_at=at, answers=answers, group=group)
            target = subs_dir / person.id / submission_name(exercise_id, at)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(sub.model_dump_json(indent=2), encoding="utf-8")
            os.utime(target, (at.timestamp(), at.timestamp()))
    return subs_dir


def _demo_answer(item: Item, model: Answer, skill: float, rnd: random.Random) -> Answer:
    if rnd.random() < skill:
        return model
    if rnd.random() < 0.15:
        return None
    if item.kind == "choice":
        return rnd.choice([c for c in item.choices if c != model] or list(item.choices))
    if item.kind == "multi":
        chosen = set(model or []) if isinstance(model, list) else set()
        chosen ^= {rnd.choice(item.choices)}
        return [c for c in item.choices if c in chosen] or None
    if item.kind == "number" and isinstance(model, int | float):
        return float(model) * rnd.choice((0.5, 2.0)) + rnd.choice((1, 5))
    return None


def build_demo_gradebook(folder: str | Path | None = None, keys: str | Path | None = None,
                         lang: Lang = "zh") -> Path:
    """A gradebook of a made-up class (see ``demo_submissions``), marked as demo data; returns its file."""
    from kamlib.settings import ExerciseSettings

    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="kam-demo-gradebook-"))
    subs = demo_submissions(folder, keys, lang=lang)
    groups = demo_groups(keys)
    settings = CourseSettings(exercises={e.exercise: ExerciseSettings(group=True) for e in groups})
    grade_class([subs], folder, keys=keys, settings=settings, groups=groups)
    path = gradebook_path(folder)
    conn = _connect(path)
    try:
        with _Transaction(conn):
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('demo', '1')")
    finally:
        conn.close()
    return path


def open_or_demo(gradebook: str | Path | None, keys: str | Path | None = None, lang: Lang = "zh") -> Gradebook:
    """The gradebook given; with None, the default one (``paths.gradebook_dir()``: ``gradebook/`` of the workbook
    home, or of ``KAM_INSTRUCTOR_DIR`` on a hub) if it exists, else a demo class built from the model answers, named
    in ``lang`` (``Gradebook.demo`` says so)."""
    from kamlib import paths

    if gradebook is not None:
        return read_gradebook(gradebook)
    default = gradebook_path(paths.gradebook_dir())
    if default.is_file():
        return read_gradebook(default)
    return read_gradebook(build_demo_gradebook(keys=keys, lang=lang))


GRADEBOOK_SUFFIXES = (".sqlite", ".db", ".sqlite3")


def typed_gradebook(typed: str, base: Path) -> Path:
    """The gradebook file a folder typed by the instructor names: a folder holding ``gradebook.sqlite`` (as
    ``kam grade --out`` writes it) or that file itself; ``~`` expanded, a relative path read from ``base`` (the
    workbook home). Anything else is a clear error naming what is accepted; nothing is created."""
    accepted = [Text("gradebook.open.accepted", {"base": str(base)})]
    text = typed.strip().strip("\"'").strip()
    if not text:
        raise InputError("gradebook.open.empty", details=accepted)
    path = Path(text).expanduser()
    path = path if path.is_absolute() else base / path
    if path.is_dir():
        if not (path / GRADEBOOK_FILE).is_file():
            raise InputError("gradebook.open.no_gradebook", details=accepted, folder=str(path))
        return path / GRADEBOOK_FILE
    if path.is_file():
        if path.suffix.lower() not in GRADEBOOK_SUFFIXES:
            raise InputError("gradebook.open.not_gradebook", details=accepted, file=str(path))
        return path
    raise InputError("gradebook.open.missing", details=accepted, typed=text, path=str(path))


def grade_exchange(exchange: str | Path | None = None, gradebook: str | Path | None = None,
                   keys: str | Path | None = None) -> str | Path | None:
    """On a classroom hub, grade the class exchange (``exchange``, else ``KAM_EXCHANGE``) into the gradebook
    (``gradebook``, else ``paths.gradebook_dir()``) and return the gradebook's folder; with no exchange (self-study),
    nothing is read and ``gradebook`` comes back as given."""
    from kamlib import paths

    root = Path(exchange) if exchange else paths.exchange_root()
    if root is None:
        return gradebook
    folder = Path(gradebook) if gradebook else paths.gradebook_dir()
    grade_class([], folder, keys=keys, exchange=root)
    return folder


def check_readable(where: str | Path) -> None:
    """Raise the gradebook's clear error if it cannot be read (used before long jobs)."""
    try:
        read_gradebook(where)
    except ValidationError as exc:  # a stored submission no longer loads with this kamlib
        raise GradingError("gradebook.error.damaged", file=str(where), detail=str(exc)[:200]) from exc
