"""What the trainee hides when sharing (the Share 1 card, the anonymised Account Plan): names and short
forms the plan cannot know, each with an optional replacement. The field has a default: older files
load unchanged."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from kamlib.model.base import Model, Name, ShortText

MAX_HIDDEN = 500


class HiddenName(Model):
    """A name or short form to hide, e.g. a person the plan does not list or the account's short name;
    ``replacement`` is what the reader sees instead ("" : a neutral placeholder in their language)."""

    text: Name
    replacement: ShortText = ""


class Sharing(Model):
    """The hide list, applied to every anonymised card and export."""

    hide: list[HiddenName] = Field(default_factory=list, max_length=MAX_HIDDEN)
    updated_at: dt.datetime | None = None
