"""The course settings in force: the deck's values by default, an instructor's file over them.

The file is TOML (``course-settings.toml`` in the workbook home, or ``KAM_SETTINGS``); only the
values it names change, everything else stays as the deck has it.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from kamlib import paths
from kamlib.errors import KamError, SettingsError
from kamlib.model.bidding import DECK_BOUNDS
from kamlib.model.validation import describe

SETTINGS_FILE = "course-settings.toml"


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RadpSettings(_Settings):
    """RADP thresholds (COURSE.md 1.5): SoW in percent, BP in wan yuan (10,000 RMB)."""

    sow_retainable_pct: float = Field(50, gt=0, le=100)
    sow_developable_pct: float = Field(10, gt=0, le=100)
    bp_level1_wan: float = Field(100, gt=0)
    bp_level2_wan: float = Field(300, gt=0)
    bp_level3_wan: float = Field(500, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> RadpSettings:
        if not self.sow_developable_pct < self.sow_retainable_pct:
            raise PydanticCustomError("kam", "{key}", {"key": "errors.settings.sow_order"})
        if not self.bp_level1_wan < self.bp_level2_wan < self.bp_level3_wan:
            raise PydanticCustomError("kam", "{key}", {"key": "errors.settings.bp_order"})
        return self


class PickSettings(_Settings):
    """How many Top and Strategic accounts each rep picks (COURSE.md 1.6)."""

    top: int = Field(3, ge=0, le=20)
    strategic: int = Field(2, ge=0, le=20)


class PointRange(_Settings):
    """Bounds of one part of a bid scoring rule, in points."""

    low: int = Field(ge=0, le=100)
    high: int = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> PointRange:
        if self.low > self.high:
            raise PydanticCustomError("kam", "{key}", {"key": "errors.settings.range_order"})
        return self


class BiddingSettings(_Settings):
    """The deck's ranges for J1 price, J2 product/technical, J3 service, J4 commercial."""

    j1_price: PointRange = PointRange(low=DECK_BOUNDS["j1_price"][0], high=DECK_BOUNDS["j1_price"][1])
    j2_technical: PointRange = PointRange(low=DECK_BOUNDS["j2_technical"][0], high=DECK_BOUNDS["j2_technical"][1])
    j3_service: PointRange = PointRange(low=DECK_BOUNDS["j3_service"][0], high=DECK_BOUNDS["j3_service"][1])
    j4_commercial: PointRange = PointRange(low=DECK_BOUNDS["j4_commercial"][0], high=DECK_BOUNDS["j4_commercial"][1])


class ExerciseSettings(_Settings):
    """Per exercise: may trainees self-check, when is it due, is it group work."""

    self_check: bool = True
    due: dt.datetime | None = None
    group: bool = False  # group work: the exercise page asks for the group and its members


class HealthSettings(_Settings):
    """Plan health: after how many days a section or an open action counts as not updated."""

    stale_days: int = Field(30, ge=1, le=365)


class GradingSettings(_Settings):
    """When a submission's claimed time does not fit the time it was received: a claim later than received by
    more than ``clock_skew_minutes``, or earlier by more than ``backdate_hours``, is flagged in the gradebook."""

    clock_skew_minutes: int = Field(5, ge=0, le=24 * 60)
    backdate_hours: int = Field(24, ge=1, le=24 * 366)


class CourseSettings(_Settings):
    """Every setting of the course, grouped as the chapters use them."""

    radp: RadpSettings = RadpSettings()
    picks: PickSettings = PickSettings()
    bidding: BiddingSettings = BiddingSettings()
    health: HealthSettings = HealthSettings()
    grading: GradingSettings = GradingSettings()
    exercises: dict[str, ExerciseSettings] = Field(default_factory=dict)

    def exercise(self, exercise_id: str) -> ExerciseSettings:
        return self.exercises.get(exercise_id, ExerciseSettings())


def settings_path() -> Path:
    """``KAM_SETTINGS`` if set, else ``course-settings.toml`` in the workbook home if there is one, else the
    course's (``paths.course_root()``: the bundle or course folder the class was given)."""
    env = os.environ.get("KAM_SETTINGS")
    if env:
        return Path(env).expanduser()
    own = paths.home() / SETTINGS_FILE
    if own.is_file():
        return own
    try:
        course = paths.course_root() / SETTINGS_FILE
    except KamError:  # an installed kamlib without a course folder: the deck's defaults
        return own
    return course if course.is_file() else own


def load_settings(path: str | os.PathLike[str] | None = None) -> CourseSettings:
    """The settings in force; a missing file means the deck's defaults."""
    path = Path(path) if path is not None else settings_path()
    if not path.is_file():
        return CourseSettings()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError("errors.settings.corrupt", file=str(path), detail=str(exc)) from exc
    try:
        return CourseSettings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError("errors.settings.invalid", details=describe(exc), file=str(path)) from exc


def settings_in_force(settings: CourseSettings) -> list[tuple[str, Any, Any]]:
    """Each setting as ``(dotted name, value in force, deck default)`` for display."""
    default = _flat(CourseSettings().model_dump())
    current = _flat(settings.model_dump())
    return [(name, value, default.get(name)) for name, value in current.items()]


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and {"low", "high"} != set(value):
            out.update(_flat(value, f"{name}."))
        elif isinstance(value, dict):
            out[name] = f"{value['low']}–{value['high']}"
        else:
            out[name] = value
    return out
