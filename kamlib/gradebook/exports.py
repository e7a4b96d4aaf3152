"""The gradebook's exports: its tables in the instructor's language (per trainee, per item, per group, every
submission, the files rejected, the changed scores), written as CSV and XLSX with ``kamlib.tables`` (text a
spreadsheet would run is written as text; every file written in one step)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kamlib.gradebook.book import Gradebook, ScoreRow, change_log, read_gradebook
from kamlib.gradebook.submissions import CLOCK_FLAGS
from kamlib.i18n import Lang, t
from kamlib.tables import Sheet, write_csv, write_xlsx

SHEETS = ("summary", "items", "groups", "submissions", "rejected", "changes")


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
