"""Feedback for each trainee: one self-contained HTML page in the trainee's language.

Per exercise: the final score, per item the question, the answer given, the result, the points, the
key's explanation (with the tool's own result where the exercise reveals one) and the instructor's
comment; charts of the trainee's own submission as embedded PNG data URIs, drawn by the ``figures`` function the
caller passes (``kamlib.charts.feedback.submission_pngs``): this module draws nothing. The page is
``templates/feedback.html.j2``, which escapes everything a trainee or instructor typed.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kamlib.atomic import OPEN_MODE, write_atomic
from kamlib.errors import KamError
from kamlib.exchange import ExchangeError, release_feedback
from kamlib.exercises import Answer, Exercise, answer_text, load_exercise, prompt_text
from kamlib.exercises.case import load_people_outline, person_label
from kamlib.gradebook import (
    Gradebook,
    Result,
    ScoreRow,
    part_of,
    part_scores,
    pick_items,
    read_gradebook,
    status_label,
)
from kamlib.grading import AnswerKey, load_key
from kamlib.i18n import Lang, Text, t
from kamlib.model.workbook import KeyAccountPick, KeyPerson
from kamlib.people import ATTITUDES, CONTACTS, ROLES, STYLES
from kamlib.reveal import reveal
from kamlib.templates import render

Figures = Callable[[Gradebook, Result, Lang], list[bytes]]


def _pts(value: float) -> str:
    return f"{value:g}"


# ---- what the charts need from a submission (pure) -------------------------------------------------


def picks_from_answers(exercise: Exercise, answers: dict[str, Answer]) -> list[KeyAccountPick]:
    """The case accounts a trainee picked in the pick items (``top``, ``strategic``) of an account case."""
    out = []
    for item in pick_items(exercise):
        kind = item.id if item.id in ("top", "strategic") else None
        given = answers.get(item.id)
        out += [KeyAccountPick(account_id=code, kind=kind) for code in (given if isinstance(given, list) else [])]
    return out


def codes_people(exercise: Exercise) -> bool:
    """Whether the exercise asks the trainee to code the case's people (``reports_<code>``, ``role_<code>``…)."""
    prefixes = ("reports", *PEOPLE_ASPECTS)
    return any(i.id.split("_")[0] in prefixes for i in exercise.items)


PEOPLE_ASPECTS = {"role": ROLES, "style": STYLES, "attitude": ATTITUDES, "contact": CONTACTS}


def people_from_answers(exercise_id: str, answers: dict[str, Answer], lang: Lang) -> list[KeyPerson]:
    """The people of a key-person case coded as the trainee coded them (``reports_<code>``,
    ``role_<code>``…); an answer the model does not accept is left out."""
    outline = load_people_outline(exercise_id)
    people = []
    for code in outline.people:
        fields: dict[str, Any] = {}
        boss = answers.get(f"reports_{code}")
        if isinstance(boss, str) and boss in outline.people and boss != code:
            fields["reports_to"] = boss
        for aspect, codes in PEOPLE_ASPECTS.items():
            value = answers.get(f"{aspect}_{code}")
            if value in codes:
                fields[aspect] = value
        people.append(KeyPerson(id=code, name=person_label(exercise_id, code, lang),
                                decision_layer=fields.get("role") in ("A", "D"), **fields))
    return people


def part_rows(book: Gradebook, result: Result, lang: Lang) -> list[tuple[str, float, float]]:
    """The trainee's share of the points per part beside the class average (label, you %, class %), shown as a
    table whose cells carry bars (solid: you; hatched: the class), with every number written; none for an
    exercise of one part."""
    parts = part_scores(book, result.trainee_id, result.exercise_id)
    if len(parts) < 2:
        return []
    labels = part_labels(result.exercise_id, [p for p, *_ in parts], lang)
    return [(label, mine, everyone) for label, (_part, mine, everyone) in zip(labels, parts, strict=True)]


PART_LABEL = 80  # characters of a part's label in the feedback table (its cell wraps)


def part_labels(exercise_id: str, parts: list[str], lang: Lang) -> list[str]:
    """How each part of an exercise reads: the prompt of its first item, shortened so that parts whose prompts
    begin alike still read apart (their ends kept: "Step 3 · Work order, by the… which account comes 2nd?")."""
    try:
        exercise = load_exercise(exercise_id)
    except KamError:
        return parts
    texts = []
    for part in parts:
        first = next((i for i in exercise.items if part_of(i.id) == part), None)
        texts.append(part if first is None else " ".join(prompt_text(exercise_id, first).render(lang).split()))
    return shorten_apart(texts, PART_LABEL)


def shorten_apart(texts: list[str], limit: int) -> list[str]:
    """Each text cut to ``limit`` characters (… where cut); where two different texts would then read the same,
    their beginning and their end are kept instead, and where even that reads the same, the whole text."""
    def clashing(shown: list[str]) -> set[str]:
        return {c for n, c in enumerate(shown) if any(s == c and texts[j] != texts[n] for j, s in enumerate(shown))}

    cut = [text if len(text) <= limit else _cut(text, limit) for text in texts]
    first = clashing(cut)
    cut = [_both_ends(text, limit) if c in first else c for text, c in zip(texts, cut, strict=True)]
    still = clashing(cut)
    return [text if c in still else c for text, c in zip(texts, cut, strict=True)]


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with …, at a space where one is near the end."""
    head = text[: limit - 1]
    word = head.rsplit(" ", 1)[0]
    return (word if len(word) >= 2 * limit // 3 else head).rstrip() + "…"


def _both_ends(text: str, limit: int) -> str:
    """The beginning and the end of ``text`` joined by …, about ``limit`` characters, cut at spaces."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    head, tail = text[:half], text[-half:]
    head = head.rsplit(" ", 1)[0] if " " in head else head
    tail = tail.split(" ", 1)[1] if " " in tail[1:] else tail
    return f"{head}… {tail}" if " " in text else f"{head}…{tail}"


# ---- the page ---------------------------------------------------------------------------------------


def _keys(book: Gradebook, keys: str | Path | None) -> dict[str, AnswerKey]:
    out = {}
    for ex in book.exercise_ids():
        try:
            out[ex] = load_key(ex, keys)
        except KamError:
            continue  # no explanations for this exercise: the scores are still shown
    return out


def _item_row(row: ScoreRow, answers: dict[str, Answer], key: AnswerKey | None, lang: Lang) -> dict[str, Any]:
    try:
        exercise = load_exercise(row.exercise_id)
        item = exercise.item(row.item_id)
        prompt = prompt_text(row.exercise_id, item).render(lang)
    except (KamError, KeyError):
        item, prompt = None, row.item_id
    explanation = ""
    if key is not None:
        keyed = next((k for k in key.items if k.id == row.item_id), None)
        explanation = keyed.explanation[lang] if keyed else ""
    tool = None
    if item is not None and item.reveal:
        try:
            tool = reveal(item, row.exercise_id, lang, answers=answers)
        except Exception:  # a reveal that cannot run here does not stop the feedback
            tool = None
    status = t("gradebook.status.pending", lang) if row.pending else status_label(row, lang)
    if row.pending and row.status == "too_short":  # flagged, not scored: the instructor has yet to look at it
        status = t("grading.status.too_short", lang)
    return {"prompt": prompt, "given": answer_text(row.exercise_id, row.item_id, answers.get(row.item_id), lang),
            "status": status, "points": f"{_pts(row.final_points)} / {_pts(row.max_points)}",
            "explanation": explanation, "tool": tool, "comment": row.comment or ""}


def _exercise_section(book: Gradebook, result: Result, key: AnswerKey | None, lang: Lang,
                      figures: Figures | None) -> dict[str, Any]:
    """What the page shows of one exercise (``section`` in the template)."""
    ex = result.exercise_id
    answers = book.submission(result.submission_id).answers
    meta = [t("feedback.submitted", lang, at=_local(result.submitted_at))]
    if result.group_id:
        group = next((g for g in book.groups if (g.exercise_id, g.group_id) == (ex, result.group_id)), None)
        members = ", ".join(book.trainee_name(m) for m in group.members) if group else ""
        name = (group.name or group.group_id) if group else result.group_id
        meta.append(t("feedback.group", lang, group=name, members=members))
    pngs = figures(book, result, lang) if figures else []
    return {
        "title": exercise_title(ex, lang),
        "total": t("feedback.total", lang, total=_pts(result.total), max=_pts(result.max_total),
                   percent=f"{result.percent:.0f}"),
        "late": t("feedback.late", lang) if result.late else "",
        "meta": meta,
        "pending": t("feedback.pending", lang, count=result.pending) if result.pending else "",
        "figures": figures is not None,
        "parts": part_rows(book, result, lang) if figures else [],
        "pngs": [Markup(base64.b64encode(png).decode("ascii")) for png in pngs],
        "rows": [_item_row(row, answers, key, lang) for row in result.items],
    }


def _local(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def feedback_html(book: Gradebook, trainee_id: str, lang: Lang | None = None, keys: str | Path | None = None,
                  figures: Figures | None = None, loaded: dict[str, AnswerKey] | None = None) -> str:
    """The feedback page of one trainee (in ``lang``, else the trainee's own language); with ``figures``
    (``kamlib.charts.feedback.submission_pngs``), the charts of each submission and the score per part."""
    trainee = book.trainees.get(trainee_id)
    if trainee is None:
        raise KamError("feedback.unknown_trainee", trainee=trainee_id)
    lang = lang or trainee.language
    loaded = _keys(book, keys) if loaded is None else loaded
    sections = []
    missing = []
    for ex in book.exercise_ids():
        result = book.results.get((trainee_id, ex))
        if result is None:
            missing.append(ex)
            continue
        sections.append(_exercise_section(book, result, loaded.get(ex), lang, figures))
    names = ", ".join(exercise_title(ex, lang) for ex in missing)
    return render(
        "feedback.html.j2",
        lang=lang,
        title=t("feedback.title", lang, name=trainee.name),
        course=t("course.title", lang),
        trainee=trainee,
        missing=t("feedback.missing", lang, exercises=names) if missing else "",
        sections=sections,
        footer=t("feedback.footer", lang, date=dt.date.today().isoformat()),
        parts_title=t("dashboard.chart.parts_title", lang),
        col_part=t("feedback.col.part", lang),
        col_you=t("dashboard.chart.you", lang),
        col_class=t("dashboard.chart.class", lang),
        chart_alt=t("feedback.chart_alt", lang),
        columns=[t(f"feedback.col.{c}", lang) for c in ("item", "answer", "status", "points", "explanation")],
    )


def exercise_title(exercise_id: str, lang: Lang) -> str:
    """An exercise's title in ``lang``; its id where the catalogs have none."""
    try:
        return t(f"{exercise_id}.title", lang)
    except KeyError:
        return exercise_id


PARALLEL_FROM = 8  # trainees; fewer pages are written in this process (starting workers costs a second)


def write_feedback(where: str | Path, folder: str | Path | None = None, lang: Lang | None = None,
                   trainees: list[str] | None = None, keys: str | Path | None = None,
                   figures: Figures | None = None, progress: Callable[[int, int], None] | None = None,
                   workers: int | None = None) -> list[Path]:
    """A page ``<trainee-id>.html`` per trainee (default: ``feedback/`` beside the gradebook), with the charts
    ``figures`` draws (``kamlib.charts.feedback.submission_pngs``; None: no charts).

    With charts and a class of ``PARALLEL_FROM`` or more, the pages are drawn by worker processes, one
    per core (``workers`` to say how many): drawing is most of the time, and each page is independent.
    ``figures`` then goes to the workers by name: a function defined at the top of its module.
    """
    book = read_gradebook(where)
    out = Path(folder) if folder is not None else book.path.parent / "feedback"
    out.mkdir(parents=True, exist_ok=True)
    wanted = trainees or list(book.trainees)
    unknown = [tid for tid in wanted if tid not in book.trainees]
    if unknown:
        raise KamError("feedback.unknown_trainee", trainee=", ".join(unknown))
    count = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if figures is not None and count > 1 and len(wanted) >= PARALLEL_FROM:
        return _write_in_workers(book.path, out, lang, wanted, keys, figures, count, progress)
    loaded = _keys(book, keys)
    written = []
    for n, trainee_id in enumerate(wanted, start=1):
        written.append(_write_page(book, out, trainee_id, lang, loaded, figures))
        if progress is not None:
            progress(n, len(wanted))
    return written


def release_pages(pages: list[Path], exchange: str | Path) -> tuple[list[Path], list[Text]]:
    """Put each page (``<trainee-id>.html``) into the class exchange, as ``outbound/<trainee-id>/feedback.html``
    (``exchange.release_feedback``): only that trainee and the instructors can read it there. A trainee without
    an outbound folder (their server never started) gets one line; the others are released."""
    released, problems = [], []
    for page in pages:
        try:
            released.append(release_feedback(exchange, page.stem, page.read_text(encoding="utf-8")))
        except ExchangeError as exc:
            problems.append(exc.text)
    return released, problems


def _write_page(book: Gradebook, out: Path, trainee_id: str, lang: Lang | None, loaded: dict[str, AnswerKey],
                figures: Figures | None) -> Path:
    page = feedback_html(book, trainee_id, lang, figures=figures, loaded=loaded)
    path = out / f"{trainee_id}.html"
    write_atomic(path, page.encode("utf-8"), new_mode=OPEN_MODE)  # as readable as a page written with open()
    return path


def _write_in_workers(book_path: Path, out: Path, lang: Lang | None, wanted: list[str], keys: str | Path | None,
                      figures: Figures, count: int, progress: Callable[[int, int], None] | None) -> list[Path]:
    """The pages in chunks, over ``count`` fresh worker processes (never a fork of a notebook kernel)."""
    import multiprocessing  # only for a class large enough to be drawn in parallel
    from concurrent.futures import ProcessPoolExecutor, as_completed

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    size = max(1, len(wanted) // (count * 3))
    chunks = [wanted[i:i + size] for i in range(0, len(wanted), size)]
    done: dict[str, Path] = {}
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        futures = [pool.submit(_chunk, str(book_path), str(out), lang, chunk, None if keys is None else str(keys),
                               figures) for chunk in chunks]
        for future in as_completed(futures):
            done.update(zip(*future.result(), strict=True))
            if progress is not None:
                progress(len(done), len(wanted))
    return [done[tid] for tid in wanted]


def _chunk(book_path: str, out: str, lang: Lang | None, trainee_ids: list[str],
           keys: str | None, figures: Figures) -> tuple[list[str], list[Path]]:
    """A worker's share: its trainees' pages, written; returns (ids, paths)."""
    book = read_gradebook(book_path)
    loaded = _keys(book, keys)
    return trainee_ids, [_write_page(book, Path(out), tid, lang, loaded, figures) for tid in trainee_ids]
