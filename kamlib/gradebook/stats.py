"""The class's picture: how the class did per exercise and per item, who is missing what, the answers given,
the picks by RADP box, and a trainee's parts against the class."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from kamlib.errors import KamError
from kamlib.exercises import Exercise, Item, load_exercise
from kamlib.exercises.case import is_people_case, load_case_data
from kamlib.gradebook.book import Gradebook, ScoreRow, SubmissionRow
from kamlib.gradebook.submissions import CLOCK_FLAGS
from kamlib.screening import radp_box
from kamlib.settings import CourseSettings, load_settings
from kamlib.submission import Submission


@dataclass(frozen=True)
class ExerciseStats:
    """How the class did on one exercise: percentages of the graded, counts of late and missing."""

    exercise_id: str
    max_points: float
    percents: tuple[float, ...]
    submitted: int
    late: int
    missing: int

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.percents) if self.percents else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.percents) if self.percents else None


def exercise_stats(book: Gradebook) -> list[ExerciseStats]:
    out = []
    for ex in book.exercises:
        results = [r for (tid, e), r in book.results.items() if e == ex.id]
        out.append(ExerciseStats(ex.id, ex.max_points, tuple(round(r.percent, 2) for r in results),
                                 len(results), sum(r.late for r in results), len(book.trainees) - len(results)))
    return out


@dataclass(frozen=True)
class ItemStats:
    """One item across the class: how many graded, how many missed it, the average points."""

    exercise_id: str
    item_id: str
    graded: int
    missed: int
    mean_points: float
    max_points: float

    @property
    def miss_rate(self) -> float:
        return self.missed / self.graded if self.graded else 0.0


def item_stats(book: Gradebook) -> list[ItemStats]:
    """Every item, most missed first (ties: lower average share of points, then course order)."""
    rows: dict[tuple[str, str], list[ScoreRow]] = defaultdict(list)
    for result in book.results.values():
        for item in result.items:
            if not item.pending:
                rows[(item.exercise_id, item.item_id)].append(item)
    order = {(i.exercise_id, i.item_id): n for ex in book.items.values() for n, i in enumerate(ex)}
    out = [ItemStats(ex, item, len(r), sum(x.missed for x in r),
                     statistics.fmean(x.final_points for x in r), r[0].max_points)
           for (ex, item), r in rows.items()]
    return sorted(out, key=lambda s: (-s.miss_rate, s.mean_points / s.max_points, s.exercise_id,
                                      order.get((s.exercise_id, s.item_id), 0)))


def missing_submissions(book: Gradebook) -> list[tuple[str, list[str]]]:
    """Trainees (id) and the exercises of the gradebook they have no graded submission for."""
    out = []
    for trainee in book.trainees.values():
        gaps = [ex.id for ex in book.exercises if (trainee.id, ex.id) not in book.results]
        if gaps:
            out.append((trainee.id, gaps))
    return out


def clock_flagged(book: Gradebook) -> list[SubmissionRow]:
    """The submissions whose claimed time does not fit the time they were received."""
    return [s for s in book.submissions if s.clock_flag in CLOCK_FLAGS]


def graded_submissions(book: Gradebook, exercise_id: str) -> list[Submission]:
    """Each graded submission of an exercise once (a group's counts once, not per member)."""
    ids = sorted({r.submission_id for (tid, ex), r in book.results.items() if ex == exercise_id})
    return [book.submission(sid) for sid in ids]


def answer_counts(book: Gradebook, exercise_id: str, item_id: str) -> Counter[str]:
    """How often each answer was given to a choice item (each choice of a multi item counted)."""
    counts: Counter[str] = Counter()
    for sub in graded_submissions(book, exercise_id):
        given = sub.answers.get(item_id)
        if given is None or given == [] or given == "":
            counts["—"] += 1
        else:
            counts.update(str(v) for v in (given if isinstance(given, list) else [given]))
    return counts


def pick_items(exercise: Exercise) -> list[Item]:
    """The multi-choice items of an exercise with an account-list case whose choices are its accounts."""
    if not exercise.case or is_people_case(exercise.id):
        return []
    codes = {a.code for a in load_case_data(exercise.id).accounts}
    return [i for i in exercise.items if i.kind == "multi" and set(i.choices) <= codes]


def pooled_account_boxes(book: Gradebook, exercise_id: str,
                         settings: CourseSettings | None = None) -> dict[str, Counter[str]]:
    """The class's picks (e.g. Top and Strategic of ex01) by the RADP box of each picked case account:
    item id → box → how many submissions picked an account in that box."""
    radp = (settings or load_settings()).radp
    exercise = load_exercise(exercise_id)
    items = pick_items(exercise)
    if not items:
        return {}
    boxes = {a.code: radp_box(a.sow_pct[-1], a.bp_wan[-1], radp) for a in load_case_data(exercise_id).accounts}
    out: dict[str, Counter[str]] = {i.id: Counter() for i in items}
    for sub in graded_submissions(book, exercise_id):
        for item in items:
            given = sub.answers.get(item.id)
            for code in given if isinstance(given, list) else []:
                if code in boxes:
                    out[item.id][boxes[code]] += 1
    return out


def strategy_items(book: Gradebook) -> list[tuple[str, Item]]:
    """Choice items that record a strategy chosen (their id names one), in the gradebook's exercises."""
    out = []
    for ex in book.exercise_ids():
        try:
            exercise = load_exercise(ex)
        except KamError:
            continue
        out += [(ex, i) for i in exercise.items if i.kind in ("choice", "multi") and "strateg" in i.id]
    return out


def part_of(item_id: str) -> str:
    """The part of an exercise an item belongs to: ``box_a01`` → ``box``; ``q3`` → ``q3``."""
    return item_id.split("_")[0] if "_" in item_id else item_id


def part_scores(book: Gradebook, trainee_id: str, exercise_id: str) -> list[tuple[str, float, float]]:
    """Per part of the exercise: the trainee's share of the points and the class average share (0–100)."""
    mine: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    everyone: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (tid, ex), result in book.results.items():
        if ex != exercise_id:
            continue
        for item in result.items:
            part = part_of(item.item_id)
            everyone[part][0] += item.final_points
            everyone[part][1] += item.max_points
            if tid == trainee_id:
                mine[part][0] += item.final_points
                mine[part][1] += item.max_points
    return [(part, 100 * got / top if top else 0.0, 100 * everyone[part][0] / everyone[part][1])
            for part, (got, top) in mine.items() if everyone[part][1]]
