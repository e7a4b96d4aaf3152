"""Manual marks: the instructor's scores and comments per item of a trainee or a group, checked and stored all
or nothing, and the CSV to fill them in (``manual_template``) and read them back (``import_manual_csv``).

The CSV is decoded by ``kamlib.tables`` (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK, Big5), so a
template re-saved by Chinese Excel is read as it was filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kamlib.errors import InputError
from kamlib.exercises import answer_text, parse_number
from kamlib.gradebook.book import Gradebook, read_gradebook
from kamlib.gradebook.lists import columns, parse_csv_text
from kamlib.gradebook.store import Transaction, connect, now_text
from kamlib.i18n import Lang, Text, t
from kamlib.safe_text import printable
from kamlib.tables import csv_text, read_csv_file

SubjectKind = Literal["trainee", "group"]
MAX_COMMENT = 5000
MANUAL_COLUMNS = ("trainee", "group", "name", "exercise", "item", "max", "answer", "points", "comment")


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
    conn = connect(book.path)
    try:
        with Transaction(conn):
            for e in entries:
                conn.execute("DELETE FROM manual WHERE exercise_id=? AND item_id=? AND subject_kind=? "
                             "AND subject_id=?", (e.exercise_id, e.item_id, e.subject_kind, e.subject_id))
                if e.points is not None or e.comment.strip():
                    conn.execute("INSERT INTO manual VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (e.exercise_id, e.item_id, e.subject_kind, e.subject_id, e.points,
                                  e.comment.strip(), now_text()))
    finally:
        conn.close()
    return len(entries)


def read_manual_csv(book: Gradebook, text: str, source: str = "CSV") -> list[ManualEntry]:
    """Entries of a manual-scores CSV (the template's columns; headers as ids or in either language)."""
    rows = parse_csv_text(text, source)
    cols = columns(rows[0] if rows else [], MANUAL_COLUMNS, "gradebook.csv")
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
        text = read_csv_file(Path(csv_file)).text
    book = read_gradebook(where)
    entries = read_manual_csv(book, text, Path(csv_file).name if csv_file else "CSV")
    return set_manual(book.path, entries)


def manual_targets(book: Gradebook, exercise_id: str) -> list[tuple[SubjectKind, str]]:
    """Who is scored by hand for an exercise: each group once, and each trainee who worked alone."""
    groups: list[tuple[SubjectKind, str]] = [("group", g.group_id) for g in book.groups
                                             if g.exercise_id == exercise_id]
    alone: list[tuple[SubjectKind, str]] = [("trainee", tid) for (tid, ex), r in sorted(book.results.items())
                                            if ex == exercise_id and not r.group_id]
    return [*groups, *alone]


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
