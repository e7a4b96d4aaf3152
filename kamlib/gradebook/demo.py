"""A demo class: made-up submissions from the model answers with errors mixed in, graded into a gradebook
marked as demo data, so the class dashboard has something to show before a real class has handed anything in."""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
from pathlib import Path

from kamlib import paths
from kamlib.atomic import OPEN_MODE, write_atomic
from kamlib.class_groups import GroupEntry
from kamlib.errors import KamError
from kamlib.exercises import Answer, Item, exercise_ids, load_exercise
from kamlib.gradebook.book import Gradebook, read_gradebook
from kamlib.gradebook.runs import grade_class
from kamlib.gradebook.store import gradebook_path, set_meta
from kamlib.grading import AnswerKey, load_key, model_answers
from kamlib.i18n import LANGS, Lang, t
from kamlib.model.workbook import Trainee
from kamlib.settings import CourseSettings, ExerciseSettings
from kamlib.submission import Group, GroupMember, Submission, submission_name


def _demo_exercises(keys: str | Path | None) -> list[tuple[str, AnswerKey]]:
    exercises = []
    for exercise_id in exercise_ids():
        try:
            exercises.append((exercise_id, load_key(exercise_id, keys)))
        except KamError:
            continue
    return exercises


def demo_groups(keys: str | Path | None = None, trainees: int = 16) -> list[GroupEntry]:
    """The demo class's group list: two groups of three in its last exercise (group work)."""
    exercises = _demo_exercises(keys)
    if not exercises or trainees < 6:
        return []
    last = exercises[-1][0]
    return [GroupEntry(f"team{g + 1}", f"demo{n:02d}", last) for g in range(2) for n in range(3 * g + 1, 3 * g + 4)]


def demo_submissions(folder: Path, keys: str | Path | None = None, trainees: int = 16, seed: int = 7,
                     lang: Lang = "zh") -> Path:
    """Made-up submissions of a small class, from the model answers with errors mixed in; some missing,
    two groups in the last exercise (``demo_groups``); names in ``lang``, trainees' own languages mixed.
    Written under ``folder/submissions``, each file dated when it claims to be submitted; returns that folder."""
    rnd = random.Random(seed)
    base = dt.datetime(2026, 1, 15, 6, 0, tzinfo=dt.UTC)
    subs_dir = folder / "submissions"
    people = [Trainee(id=f"demo{n:02d}", name=t("gradebook.demo.name", lang, n=n), team="demo",
                      language=LANGS[n % 2]) for n in range(1, trainees + 1)]
    skill = {p.id: rnd.uniform(0.45, 0.97) for p in people}
    exercises = _demo_exercises(keys)
    for number, (exercise_id, key) in enumerate(exercises):
        exercise = load_exercise(exercise_id)
        grouped = number == len(exercises) - 1 and len(people) >= 6
        for n, person in enumerate(people):
            if rnd.random() < 0.08 or (grouped and n in (1, 2, 4, 5)):
                continue  # missing, or a member of a group whose other member submits
            answers = {i.id: _demo_answer(exercise.item(i.id), a, skill[person.id], rnd)
                       for i, a in zip(key.items, model_answers(key, person.language).values(), strict=True)}
            group = None
            if grouped and n in (0, 3):
                members = [people[m] for m in (n, n + 1, n + 2)]
                group = Group(id=f"team{n // 3 + 1}", name=t("gradebook.demo.group", lang, n=n // 3 + 1),
                              members=[GroupMember(id=m.id, name=m.name) for m in members])
            at = base + dt.timedelta(days=number, minutes=rnd.randint(0, 90))
            sub = Submission(exercise_id=exercise_id, trainee=person, submitted_at=at, answers=answers, group=group)
            target = subs_dir / person.id / submission_name(exercise_id, at)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, sub.model_dump_json(indent=2).encode("utf-8"), new_mode=OPEN_MODE)
            os.utime(target, (at.timestamp(), at.timestamp()))
    return subs_dir


def _demo_answer(item: Item, model: Answer, skill: float, rnd: random.Random) -> Answer:
    if rnd.random() < skill:
        return model
    if rnd.random() < 0.15:
        return None
    if item.kind == "choice":
        return rnd.choice([c for c in item.choices if c != model] or list(item.choices))
    if item.kind == "multi":
        chosen = set(model or []) if isinstance(model, list) else set()
        chosen ^= {rnd.choice(item.choices)}
        return [c for c in item.choices if c in chosen] or None
    if item.kind == "number" and isinstance(model, int | float):
        return float(model) * rnd.choice((0.5, 2.0)) + rnd.choice((1, 5))
    return None


def build_demo_gradebook(folder: str | Path | None = None, keys: str | Path | None = None,
                         lang: Lang = "zh") -> Path:
    """A gradebook of a made-up class (see ``demo_submissions``), marked as demo data; returns its file."""
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="kam-demo-gradebook-"))
    subs = demo_submissions(folder, keys, lang=lang)
    groups = demo_groups(keys)
    settings = CourseSettings(exercises={e.exercise: ExerciseSettings(group=True) for e in groups})
    grade_class([subs], folder, keys=keys, settings=settings, groups=groups)
    path = gradebook_path(folder)
    set_meta(path, "demo", "1")
    return path


def open_or_demo(gradebook: str | Path | None, keys: str | Path | None = None, lang: Lang = "zh") -> Gradebook:
    """The gradebook given; with None, the default one (``paths.gradebook_dir()``: ``gradebook/`` of the workbook
    home, or of ``KAM_INSTRUCTOR_DIR`` on a hub) if it exists, else a demo class built from the model answers, named
    in ``lang`` (``Gradebook.demo`` says so)."""
    if gradebook is not None:
        return read_gradebook(gradebook)
    default = gradebook_path(paths.gradebook_dir())
    if default.is_file():
        return read_gradebook(default)
    return read_gradebook(build_demo_gradebook(keys=keys, lang=lang))
