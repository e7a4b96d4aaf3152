"""Exercise submissions: one JSON file per submit, never overwritten.

``submissions/<trainee-id>/<exercise-id>-<UTC timestamp>.json``
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Final, Literal

from pydantic import AwareDatetime, Field, ValidationError

from kamlib import __version__, paths
from kamlib.errors import GradingError
from kamlib.exchange import FILE_MODE, SHARE_PREFIX, create_file
from kamlib.exercises import Answer
from kamlib.model.validation import describe
from kamlib.model.workbook import ExerciseGroup, GroupMember, Model, Trainee, now  # noqa: F401 (re-exported)
from kamlib.regular_file import FileTooLarge, NotRegularFile, read_regular
from kamlib.safe_text import printable

SUBMISSION_SCHEMA: Final = 1
MAX_SUBMISSION_BYTES = 1_000_000  # a submission is a few kB; anything above 1 MB is not one


Group = ExerciseGroup  # the group a submission is handed in for (the model of the workbook file)


class Submission(Model):
    """What a trainee handed in for one exercise (for a group when ``group`` is given)."""

    schema_version: Literal[1] = SUBMISSION_SCHEMA
    exercise_id: str = Field(min_length=1, max_length=40)
    trainee: Trainee
    submitted_at: AwareDatetime = Field(default_factory=now)  # a time without its zone cannot be compared
    kamlib_version: str = __version__
    answers: dict[str, Answer] = Field(default_factory=dict)
    group: Group | None = None  # group work: the group and its members (the submitter is one of them)


def submission_name(exercise_id: str, at: dt.datetime) -> str:
    """File name of a submission: exercise id and UTC time to the microsecond, no colons."""
    return f"{exercise_id}-{at.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}.json"


def check_hub_user(trainee_id: str) -> None:
    """On a hub the trainee id is the hub user's: a workbook of another id cannot hand anything in."""
    hub = paths.hub_user()
    if hub is not None and trainee_id != hub:
        raise GradingError("submission.not_hub_user", id=trainee_id, user=hub)


def write_submission(submission: Submission, folder: str | os.PathLike[str] | None = None) -> Path:
    """Write a new submission file (mode 0640 whatever the umask: its trainee and, in the class exchange, the
    instructors' group read it); an existing file is never replaced. On a hub only the hub user's id submits."""
    check_hub_user(submission.trainee.id)
    base = Path(folder) if folder is not None else paths.submissions_dir()
    target_dir = base / submission.trainee.id
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # e.g. the exchange has no folder of this trainee (not prepared at spawn)
        raise GradingError("submission.no_folder", folder=str(target_dir),
                           detail=exc.strerror or type(exc).__name__) from exc
    at = dt.datetime.now(dt.UTC)
    data = submission.model_copy(update={"submitted_at": at})
    for _ in range(1000):
        path = target_dir / submission_name(submission.exercise_id, at)
        try:
            return create_file(path, (data.model_dump_json(indent=2) + "\n").encode("utf-8"), FILE_MODE)
        except FileExistsError:
            at += dt.timedelta(microseconds=1)
            data = data.model_copy(update={"submitted_at": at})
        except OSError as exc:
            raise GradingError("submission.no_folder", folder=str(target_dir),
                               detail=exc.strerror or type(exc).__name__) from exc
    raise GradingError("grading.cannot_write", file=str(target_dir))


def load_submission(path: str | os.PathLike[str]) -> Submission:
    """Read one submission file, with a clear error naming the file (in printable form) and the field.
    Only a regular file of at most ``MAX_SUBMISSION_BYTES`` is read (a named pipe would never answer)."""
    path = Path(path)
    file = printable(path)
    try:
        data = json.loads(read_regular(path, MAX_SUBMISSION_BYTES, follow_links=True).decode("utf-8-sig"))
    except FileNotFoundError:
        raise GradingError("grading.no_file", file=file) from None
    except NotRegularFile:
        raise GradingError("gradebook.reject.not_regular", file=file) from None
    except FileTooLarge as exc:
        raise GradingError("gradebook.reject.too_large", file=file, size=exc.size,
                           limit=MAX_SUBMISSION_BYTES) from None
    except OSError as exc:
        raise GradingError("grading.bad_submission", file=file,
                           detail=exc.strerror or type(exc).__name__) from exc
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, a number too long, nesting too deep
        raise GradingError("grading.bad_submission", file=file, detail=printable(str(exc)[:200])) from exc
    try:
        return Submission.model_validate(data)
    except (ValidationError, RecursionError) as exc:
        details = describe(exc) if isinstance(exc, ValidationError) else []
        raise GradingError("grading.invalid_submission", details=details, file=file) from exc


def list_submissions(folder: str | os.PathLike[str] | None = None, trainee: str | None = None) -> list[Path]:
    """Every submission file under ``folder`` (default: this machine's submissions), sorted; with ``trainee``,
    only theirs (``<folder>/<trainee>/*.json``: on a hub a trainee may not list the other trainees' folders)."""
    base = Path(folder) if folder is not None else paths.submissions_dir()
    where, pattern = (base / trainee, "*.json") if trainee is not None else (base, "*/*.json")
    try:
        files = where.glob(pattern) if where.is_dir() else []
        return sorted(p for p in files if not p.name.startswith((".", SHARE_PREFIX)))  # a shared card is no submission
    except OSError:
        return []
