"""The instructor's lists, read from CSV: the class list (roster) and the group list, and the column reading
(headers as ids or in either language) the manual-scores CSV shares.

Every CSV is read with ``kamlib.tables`` (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK, Big5; comma,
semicolon or tab), so a file re-saved by Chinese Excel is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kamlib.class_groups import EVERY, GroupEntry, GroupList, build_group_list
from kamlib.errors import InputError
from kamlib.exercises import exercise_ids
from kamlib.i18n import LANGS, Text, t
from kamlib.intake import is_safe_name
from kamlib.tables import csv_rows, read_csv_file

GROUP_COLUMNS = ("group", "trainee", "exercise")


@dataclass(frozen=True)
class RosterEntry:
    id: str
    name: str
    team: str = ""
    group: str = ""  # the trainee's group for every group-work exercise ("" = none given)


def read_csv(path: Path) -> list[list[str]]:
    """The rows of a CSV file; a missing, unreadable or undecodable file is an ``InputError`` naming it."""
    return parse_csv_text(read_csv_file(path).text, str(path))


def parse_csv_text(text: str, source: str = "CSV") -> list[list[str]]:
    """Rows of a CSV text; comma, semicolon or tab, whichever the header line uses most."""
    return csv_rows(text, source)


def columns(header: list[str], names: Iterable[str], prefix: str) -> dict[str, int]:
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


def read_roster(path: str | Path) -> list[RosterEntry]:
    """A class list (CSV: id, name, team, group; headers in either language); a bad row is a clear error.
    The group column, if any, is each trainee's group for every group-work exercise."""
    rows = read_csv(Path(path))
    found = columns(rows[0] if rows else [], ("id", "name", "team", "group"), "gradebook.roster")
    if "id" not in found:
        raise InputError("gradebook.error.roster_columns", file=str(path))
    out = []
    problems = []
    for number, row in enumerate(rows[1:], start=2):
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in found.items()}
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


def read_groups(path: str | Path) -> list[GroupEntry]:
    """A group list (CSV: group, trainee id, optionally the exercise it holds for; headers in either language).
    Every row is checked first: a bad id, an unknown exercise or a trainee in two groups for one exercise is
    an error naming the file and row (nothing is graded then)."""
    path = Path(path)
    rows = read_csv(path)
    found = columns(rows[0] if rows else [], GROUP_COLUMNS, "gradebook.groups.col")
    if "group" not in found or "trainee" not in found:
        raise InputError("gradebook.groups.columns", file=str(path))
    known = set(exercise_ids())
    out, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in found.items()}
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
