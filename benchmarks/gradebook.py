"""Grading a class, as the issue sets the targets: 40 trainees × 6 exercises (ex01–ex06, two submissions
each, the earlier one kept) from a zip, graded into a new gradebook with the exports and every feedback
page (charts included) in under 10 s; 1,000 submissions in under 60 s; and how it scales (10, 20, 40
trainees). Also: grading again (idempotent) and the parts on their own.

Needs the answer keys (solutions/keys). Run alone with `python benchmarks/gradebook.py`;
`benchmarks/run.py` can call ``measure`` too.
"""

from __future__ import annotations

import datetime as dt
import random
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

TRAINEES = 40
EXERCISES = ("ex01", "ex02", "ex03", "ex04", "ex05", "ex06")
SEED = 2026


def class_zip(folder: Path, trainees: int = TRAINEES) -> Path:
    """A zip as a learning platform hands it out: every trainee submits each exercise twice."""
    rnd = random.Random(SEED)
    base = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    folder.mkdir(parents=True, exist_ok=True)
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


def whole_run(folder: Path, archive: Path, name: str) -> tuple[float, float, float, float]:
    """Seconds to grade into a new gradebook, to write the exports, and to write every feedback page with
    its charts; and the total."""
    from kamlib.charts.feedback import _case_png, submission_pngs

    _case_png.cache_clear()  # a fresh run draws everything
    book = folder / name
    grade = _seconds(lambda: grade_class([archive], book, settings=CourseSettings()))
    exports = _seconds(lambda: write_exports(book, "zh"))
    feedback = _seconds(lambda: write_feedback(book, folder / f"{name}-feedback", figures=submission_pngs))
    return grade, exports, feedback, grade + exports + feedback


def measure() -> list[Row]:
    """Every figure as (what, seconds, target in seconds or None)."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # a warm-up loads matplotlib and the fonts once, as any later run in the same process finds them
        warm = class_zip(folder / "warm", trainees=2)
        whole_run(folder, warm, "warm")
        for trainees in (10, 20, TRAINEES):
            archive = class_zip(folder / f"c{trainees}", trainees=trainees)
            grade, exports, feedback, total = whole_run(folder, archive, f"book{trainees}")
            subs = trainees * len(EXERCISES) * 2
            rows.append((f"{trainees} trainees x {len(EXERCISES)} exercises ({subs} files): grade + exports + "
                         "feedback with charts (s)", total, 10.0 if trainees == TRAINEES else None))
            if trainees == TRAINEES:
                rows += [("  of which grading into a new gradebook (s)", grade, None),
                         ("  of which exports, 3 CSV + XLSX (s)", exports, None),
                         ("  of which feedback pages with charts (s)", feedback, None)]
                book = folder / f"book{trainees}"
                rows.append(("grade the same zip again, nothing changes (s)",
                             _seconds(lambda book=book, archive=archive: grade_class(
                                 [archive], book, settings=CourseSettings())), None))
        big = class_zip(folder / "big", trainees=84)  # 84 x 6 x 2 = 1,008 submission files
        grade, exports, feedback, total = whole_run(folder, big, "big")
        rows.append(("1,008 submissions (84 trainees): grade + exports + feedback with charts (s)", total, 60.0))
        rows.append(("  of which grading 1,008 submissions (s)", grade, None))
    return rows


def main() -> None:
    print(report(measure()))


if __name__ == "__main__":
    main()
