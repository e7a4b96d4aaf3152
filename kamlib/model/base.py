"""The building blocks of every stored model: text and number types, rows, sections."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

TraineeId = Annotated[str, StringConstraints(pattern=r"^\w[\w.@-]{0,63}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Note = Annotated[str, StringConstraints(max_length=5000)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]  # wan yuan (10,000 RMB)
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


def new_id() -> str:
    """A short random id for a row, stable across saves."""
    return uuid.uuid4().hex[:8]


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC), to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Model(BaseModel):
    """Base of every stored model: unknown fields are errors, text is trimmed, edits validated."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)


class Row(Model):
    """A row of a section, with its own id."""

    id: str = Field(default_factory=new_id, min_length=1, max_length=40)


RowT = TypeVar("RowT", bound=Row)


class Section(Model, Generic[RowT]):
    """A section of the plan: its rows and when the trainee last changed them."""

    items: list[RowT] = Field(default_factory=list)
    updated_at: dt.datetime | None = None
