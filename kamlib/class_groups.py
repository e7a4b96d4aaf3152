"""Who is in which group for group work, as the instructor's side lists it.

A group submission names its members, but that is the trainee's claim: the gradebook credits a group's
score only to members of the submitter's group on this list. The list comes from a group column of the
class list (every group-work exercise) and/or a group file (group, trainee, optionally the exercise it
holds for); an entry for one exercise wins over the trainee's entry for every exercise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kamlib.errors import InputError
from kamlib.i18n import Text

EVERY = ""  # the exercise of an entry that holds for every group-work exercise


@dataclass(frozen=True)
class GroupEntry:
    """One line of the group list: ``trainee`` is in ``group`` for ``exercise`` (``EVERY``: all)."""

    group: str
    trainee: str
    exercise: str = EVERY
    where: Text | str = ""  # where the entry was read, for messages


@dataclass(frozen=True)
class GroupList:
    """The group of each trainee: ``(exercise or EVERY, trainee id) → group id``."""

    entries: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def group_of(self, exercise: str, trainee: str) -> str | None:
        """The trainee's group for the exercise, or None when the list gives them none."""
        return self.entries.get((exercise, trainee)) or self.entries.get((EVERY, trainee))

    def members(self, exercise: str, group: str) -> list[str]:
        """Every trainee in ``group`` for ``exercise``, sorted."""
        people = {trainee for _, trainee in self.entries}
        return sorted(p for p in people if self.group_of(exercise, p) == group)

    def rows(self) -> list[tuple[str, str, str]]:
        """``(exercise or EVERY, trainee, group)`` sorted, as the gradebook stores them."""
        return sorted((ex, trainee, group) for (ex, trainee), group in self.entries.items())


def build_group_list(entries: Iterable[GroupEntry]) -> GroupList:
    """One list from entries; a trainee given two different groups for the same exercise is an error
    naming both (nothing is graded then)."""
    out: dict[tuple[str, str], str] = {}
    first: dict[tuple[str, str], Text | str] = {}
    problems: list[Text] = []
    for entry in entries:
        key = (entry.exercise, entry.trainee)
        if key in out and out[key] != entry.group:
            scope = entry.exercise or Text("gradebook.groups.every")
            problems.append(Text("gradebook.groups.conflict", {
                "where": entry.where or "—", "first": first[key] or "—", "trainee": entry.trainee,
                "group": entry.group, "other": out[key], "exercise": scope}))
            continue
        out[key], first[key] = entry.group, entry.where
    if problems:
        raise InputError("gradebook.groups.not_read", details=problems[:50], count=len(problems))
    return GroupList(out)
