"""Chapter 4 (continuous account management) and special topic 2 (crisis handling)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from kamlib.model.base import Model, Name, Note, Row


class Assessment(Row):
    """A dated substitutability assessment: the eight yes/no questions (chapter 4)."""

    taken_on: dt.date
    answers: list[bool] = Field(min_length=8, max_length=8)


class Retention(Model):
    """Chapter 4's inputs about the account that are not dated rows."""


class Crisis(Row):
    """An incident of the crisis log (special topic 2)."""

    title: Name
    happened_on: dt.date | None = None
    severity: int = Field(2, ge=1, le=3)
    notes: Note = ""
