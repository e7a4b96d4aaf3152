"""Special topic 1 (bidding): the tenders the trainee prepares and the scoring-rule templates."""

from __future__ import annotations

import datetime as dt

from kamlib.model.base import Name, Note, Row


class Bid(Row):
    """A tender the trainee prepares (special topic 1)."""

    name: Name
    due_on: dt.date | None = None
    notes: Note = ""


class RuleTemplate(Row):
    """An agency's scoring template, saved by name: the bounds of each part's points."""

    name: Name
