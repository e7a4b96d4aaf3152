"""The gradebook file: ``<folder>/gradebook.sqlite`` (stdlib ``sqlite3``, no server), its schema, connections,
migrations and write transactions.

Every write happens in one transaction (``Transaction``): a crash mid-run leaves the gradebook as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from kamlib.errors import GradingError, InputError
from kamlib.gradebook.submissions import clock_flag, is_late, iso_time
from kamlib.i18n import Text
from kamlib.settings import GradingSettings

GRADEBOOK_FILE = "gradebook.sqlite"
GRADEBOOK_SUFFIXES = (".sqlite", ".db", ".sqlite3")
SCHEMA_VERSION = 2  # 2: submissions.received_at and clock_flag, the group_list table
GRADED_EARLIER, GRADED, REFUSED = 0, 1, 2  # submissions.graded: kept, graded, not counted (see the rejections)

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
    return where if where.suffix in GRADEBOOK_SUFFIXES else where / GRADEBOOK_FILE


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


def now_text() -> str:
    """This moment as the gradebook stores it."""
    return iso_time(dt.datetime.now(dt.UTC))


def parse_time(value: str | None) -> dt.datetime | None:
    """A stored time read back (None stays None)."""
    return dt.datetime.fromisoformat(value) if value else None


def text_json(text: Text) -> dict[str, Any]:
    """A message as stored with a run's rejections (``text_from_json`` reads it back)."""
    return {"key": text.key, "params": {k: text_json(v) if isinstance(v, Text) else v
                                        for k, v in text.params.items()}}


def text_from_json(data: dict[str, Any]) -> Text:
    params = {k: text_from_json(v) if isinstance(v, dict) and "key" in v else v
              for k, v in data.get("params", {}).items()}
    return Text(data["key"], params)


# ---- connection ----------------------------------------------------------------------------------


def connect(path: Path, create: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit); a clear error for a damaged file."""
    if not path.is_file() and not create:
        raise GradingError("gradebook.error.no_gradebook", file=str(path))
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        conn.execute("PRAGMA foreign_keys = OFF")
        version = schema_version(conn)
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
    with Transaction(conn):
        version = schema_version(conn)  # again, inside the transaction: another process may have done it
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
    last_run = parse_time(conn.execute("SELECT MAX(at) FROM runs").fetchone()[0]) or dt.datetime.now(dt.UTC)
    due = {ex: parse_time(d) for ex, d in conn.execute("SELECT id, due FROM exercises")}
    rows, bodies = [], []
    for sid, exercise_id, claimed_text, body in conn.execute(
            "SELECT id, exercise_id, submitted_at, body FROM submissions"):
        claimed = dt.datetime.fromisoformat(claimed_text)
        received = min(claimed, last_run)
        rows.append((iso_time(received), int(is_late(received, due.get(exercise_id))),
                     clock_flag(claimed, received, GradingSettings()), sid))
        stored = json.loads(body)  # version 1 accepted a time without its zone; it now must carry one:
        if dt.datetime.fromisoformat(stored["submitted_at"]).tzinfo is None:  # the zone version 1 read it in
            bodies.append((json.dumps({**stored, "submitted_at": claimed_text}, ensure_ascii=False), sid))
    conn.executemany("UPDATE submissions SET received_at = ?, late = ?, clock_flag = ? WHERE id = ?", rows)
    conn.executemany("UPDATE submissions SET body = ? WHERE id = ?", bodies)


def schema_version(conn: sqlite3.Connection) -> int | None:
    """The version the file's schema has; None for a file without the gradebook's tables."""
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    if not has_meta:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else None


class Transaction:
    """``with Transaction(conn):`` one write transaction, rolled back on any error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: type | None, *_: Any) -> None:
        self.conn.execute("ROLLBACK" if kind else "COMMIT")


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables of a new gradebook (one transaction; nothing changes in an existing one)."""
    conn.executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\nINSERT OR IGNORE INTO meta VALUES "
                       f"('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;")


def set_meta(path: Path, key: str, value: str) -> None:
    """One entry of the gradebook's ``meta`` table (e.g. ``demo``), in its own transaction."""
    conn = connect(path)
    try:
        with Transaction(conn):
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
    finally:
        conn.close()
