"""Exercise submissions: one JSON file per submit, never overwritten.

``submissions/<trainee-id>/<exercise-id>-<UTC timestamp>.json``
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from kamlib import __version__, paths
from kamlib.errors import GradingError
from kamlib.exercises import Answer
from kamlib.model.validation import describe
from kamlib.model.workbook import ExerciseGroup, GroupMember, Model, Trainee, now  # noqa: F401 (re-exported)

SUBMISSION_SCHEMA = 1


Group = ExerciseGroup  # the group a submission is handed in for (the model of the workbook file)


class Submission(Model):
    """What a trainee handed in for one exercise (for a group when ``group`` is given)."""

    schema_version: Literal[1] = SUBMISSION_SCHEMA
    exercise_id: str = Field(min_length=1, max_length=40)
    trainee: Trainee
    submitted_at: dt.datetime = Field(default_factory=now)
    kamlib_version: str = __version__
    answers: dict[str, Answer] = Field(default_factory=dict)
    group: Group | None = None  # group work: the group and its members (the submitter is one of them)


def submission_name(exercise_id: str, at: dt.datetime) -> str:
    """File name of a submission: exercise id and UTC time to the microsecond, no colons."""
    return f"{exercise_id}-{at.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}.json"


def write_submission(submission: Submission, folder: str | os.PathLike[str] | None = None) -> Path:
    """Write a new submission file; an existing file is never replaced."""
    base = Path(folder) if folder is not None else paths.submissions_dir()
    target_dir = base / submission.trainee.id
    target_dir.mkdir(parents=True, exist_ok=True)
    at = dt.datetime.now(dt.UTC)
    data = submission.model_copy(update={"submitted_at": at})
    for _ in range(1000):
        path = target_dir / submission_name(submission.exercise_id, at)
        try:
            with path.open("x", encoding="utf-8") as fh:
                fh.write(data.model_dump_json(indent=2) + "\n")
            return path
        except FileExistsError:
            at += dt.timedelta(microseconds=1)
            data = data.model_copy(update={"submitted_at": at})
    raise GradingError("grading.cannot_write", file=str(target_dir))


def load_submission(path: str | os.PathLike[str]) -> Submission:
    """Read one submission file, with a clear error naming the file and field."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GradingError("grading.no_file", file=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GradingError("grading.bad_submission", file=str(path), detail=str(exc)) from exc
    try:
        return Submission.model_validate(data)
    except ValidationError as exc:
        raise GradingError(
            "grading.invalid_submission", details=describe(exc), file=str(path)
        ) from exc


def list_submissions(folder: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every submission file under ``folder`` (default: this machine's submissions), sorted."""
    base = Path(folder) if folder is not None else paths.submissions_dir()
    return sorted(base.glob("*/*.json")) if base.is_dir() else []
