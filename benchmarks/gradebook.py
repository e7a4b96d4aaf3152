"""Grading a class: 50 trainees × 3 exercises (ex00, ex01, ex02; two submissions each, the earlier one kept)
from a zip, into a new gradebook, in a few seconds (target 3 s); grading again (idempotent); the exports;
feedback pages with and without charts.

Needs the answer keys (solutions/keys). Run alone with `python benchmarks/gradebook.py`;
`benchmarks/run.py` can call ``measure`` too.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from measure import Row, report

from kamlib.exercises import load_exercise
from kamlib.feedback import write_feedback
from kamlib.gradebook import grade_class, write_exports
from kamlib.grading import load_key, model_answers
from kamlib.model.workbook import Trainee
from kamlib.settings import CourseSettings
from kamlib.submission import Submission, submission_name

TRAINEES = 50
EXERCISES = ("ex00", "ex01", "ex02")
SEED = 2026


def class_zip(folder: Path, trainees: int = TRAINEES) -> Path:
    """A zip as a learning platform hands it out: every trainee submits each exercise twice."""
    rnd = random.Random(SEED)
    base = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    archive = folder / "class.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(trainees):
            trainee = Trainee(id=f"t{n:03d}", name=f"Trainee {n}", language=("zh", "en")[n % 2])
            for exercise_id in EXERCISES:
                exercise = load_exercise(exercise_id)
                right = model_answers(load_key(exercise_id), trainee.language)
                for attempt in range(2):
                    answers = {
                        item: value if rnd.random() < 0.75 else _other(exercise.item(item).choices, value, rnd)
                        for item, value in right.items()
                    }
                    at = base + dt.timedelta(minutes=10 * attempt + rnd.randint(0, 9))
                    sub = Submission(exercise_id=exercise_id, trainee=trainee, submitted_at=at, answers=answers)
                    zf.writestr(f"course/{trainee.id}/{submission_name(exercise_id, at)}", sub.model_dump_json())
    return archive


def _other(choices: tuple[str, ...], value: object, rnd: random.Random) -> object:
    others = [c for c in choices if c != value]
    return rnd.choice(others) if others else None


def _seconds(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def measure() -> list[Row]:
    """Every figure as (what, seconds, target in seconds or None)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = class_zip(folder)
        settings = CourseSettings()
        firsts = []
        for run in range(3):
            book = folder / f"book{run}"
            firsts.append(_seconds(lambda book=book: grade_class([archive], book, settings=settings)))
            if run:
                shutil.rmtree(book)
        book = folder / "book0"
        again = _seconds(lambda: grade_class([archive], book, settings=settings))
        exports = _seconds(lambda: write_exports(book, "zh"))
        plain = _seconds(lambda: write_feedback(book, folder / "plain", charts=False))
        cold = _seconds(lambda: write_feedback(book, folder / "charts", trainees=["t000"]))
        warm = _seconds(lambda: write_feedback(book, folder / "charts", trainees=["t001", "t002"])) / 2
    return [
        (f"grade {TRAINEES} trainees x {len(EXERCISES)} exercises from a zip, new gradebook (s)",
         sorted(firsts)[1], 3.0),
        ("grade the same zip again, nothing changes (s)", again, 3.0),
        ("exports: 3 CSV + XLSX (s)", exports, 2.0),
        (f"feedback pages without charts, {TRAINEES} trainees (s)", plain, 5.0),
        ("feedback page with charts, first trainee (matplotlib and fonts load) (s)", cold, None),
        ("feedback page with charts, each further trainee (s)", warm, 1.5),
    ]


def main() -> None:
    print(report(measure()))


if __name__ == "__main__":
    main()
