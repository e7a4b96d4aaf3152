"""Feedback for each trainee: one self-contained HTML page in the trainee's language.

Per exercise: the final score, per item the question, the answer given, the result, the points, the
key's explanation (with the tool's own result where the exercise reveals one) and the instructor's
comment; charts of the trainee's own submission as embedded PNG data URIs. Everything a trainee or
instructor typed is escaped.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kamlib.errors import KamError
from kamlib.exercises import Answer, Exercise, answer_text, load_exercise, prompt_text
from kamlib.gradebook import Gradebook, Result, ScoreRow, part_of, part_scores, read_gradebook, status_label
from kamlib.grading import AnswerKey, load_key
from kamlib.i18n import Lang, Text, t
from kamlib.model.workbook import KeyAccountPick, KeyPerson
from kamlib.people import ATTITUDES, CONTACTS, ROLES, STYLES
from kamlib.reveal import reveal

Figures = Callable[[Gradebook, Result, Lang], list[bytes]]
FEEDBACK_DPI = 80  # charts in a page meant for reading on screen: smaller files, quicker to make

STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:2px solid #0072B2}
.meta{color:#595959}.total{font-size:1.15rem;font-weight:bold}
.badge{display:inline-block;border:1px solid #D55E00;color:#D55E00;border-radius:4px;padding:0 .4rem;margin-left:.4rem}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.95rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f2f2f2}td.num{text-align:right;white-space:nowrap}
.comment{border-left:4px solid #009E73;padding:.2rem .6rem;background:#f4fbf8;white-space:pre-wrap}
.tool{color:#595959;font-size:.9rem}img{max-width:100%;height:auto;margin:.5rem 0}
.parts-title{font-weight:bold;margin-bottom:0}table.parts td{width:40%}table.parts td:first-child{width:20%}
.bar{display:inline-block;height:.9rem;vertical-align:middle;margin-right:.4rem;border:1px solid #0072B2}
.bar.you{background:#0072B2}.bar.class{border-color:#E69F00;
background:repeating-linear-gradient(45deg,#E69F00 0 3px,#fff 3px 6px)}
@media print{.bar{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _pts(value: float) -> str:
    return f"{value:g}"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _multiline(text: str) -> str:
    return "<br>".join(_e(line) for line in str(text).splitlines())


# ---- what the charts need from a submission (pure) -------------------------------------------------


def picks_from_answers(exercise: Exercise, answers: dict[str, Answer]) -> list[KeyAccountPick]:
    """The case accounts a trainee picked in the pick items (``top``, ``strategic``) of an account case."""
    from kamlib.gradebook import pick_items

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
    from kamlib.exercises.case import load_people_outline, person_label

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


def submission_pngs(book: Gradebook, result: Result, lang: Lang) -> list[bytes]:
    """Charts of the trainee's own work where the exercise has a case: their picks on the RADP grid or
    their key-person map. (Their score per part against the class is a table with bars: ``parts_html``.)"""
    try:
        exercise = load_exercise(result.exercise_id)
    except KamError:
        return []
    if not exercise.case:
        return []
    answers = book.submission(result.submission_id).answers
    png = _case_png(exercise.id, lang, json.dumps(answers, sort_keys=True, ensure_ascii=False))
    return [png] if png else []


@functools.lru_cache(maxsize=512)
def _case_png(exercise_id: str, lang: Lang, answers_json: str) -> bytes | None:
    """The case chart of one set of answers; trainees who answered alike share the drawing."""
    from kamlib.charts import dashboard as charts
    from kamlib.charts.render import to_png
    from kamlib.exercises.case import is_people_case, load_case

    exercise = load_exercise(exercise_id)
    answers = json.loads(answers_json)
    if is_people_case(exercise_id):
        if not codes_people(exercise):
            return None
        fig = charts.people_map(people_from_answers(exercise_id, answers, lang), lang)
    else:
        picks = picks_from_answers(exercise, answers)
        if not picks:
            return None
        fig = charts.picks_grid(load_case(exercise_id, lang), picks, lang)
    png = to_png(fig, dpi=FEEDBACK_DPI, tight=False)  # constrained layout places every text
    fig.clear()
    return png


def parts_html(book: Gradebook, result: Result, lang: Lang) -> str:
    """The trainee's share of the points per part beside the class average: a table whose cells carry
    bars (solid: you; hatched: the class), with every number written. Plain HTML: no drawing to wait for."""
    parts = part_scores(book, result.trainee_id, result.exercise_id)
    if len(parts) < 2:
        return ""
    labels = part_labels(result.exercise_id, [p for p, *_ in parts], lang)
    head = (f"<tr><th>{_e(t('feedback.col.part', lang))}</th><th>{_e(t('dashboard.chart.you', lang))}</th>"
            f"<th>{_e(t('dashboard.chart.class', lang))}</th></tr>")
    rows = "".join(
        f"<tr><td>{_e(label)}</td><td>{_bar(mine, 'you')}</td><td>{_bar(everyone, 'class')}</td></tr>"
        for label, (_part, mine, everyone) in zip(labels, parts, strict=True)
    )
    return (f'<p class="parts-title">{_e(t("dashboard.chart.parts_title", lang))}</p>'
            f'<table class="parts"><thead>{head}</thead><tbody>{rows}</tbody></table>')


def _bar(percent: float, kind: str) -> str:
    width = max(0.0, min(percent, 100.0))
    return (f'<span class="bar {kind}" style="width:{width:.0f}%"></span>'
            f'<span class="pct">{percent:.0f}%</span>')


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


def _item_row(book: Gradebook, row: ScoreRow, answers: dict[str, Answer], key: AnswerKey | None, lang: Lang) -> str:
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
    tool = ""
    if item is not None and item.reveal:
        try:
            tool = f'<div class="tool">{_e(reveal(item, row.exercise_id, lang, answers=answers))}</div>'
        except Exception:  # a reveal that cannot run here does not stop the feedback
            tool = ""
    status = t("gradebook.status.pending", lang) if row.pending else status_label(row, lang)
    if row.pending and row.status == "too_short":  # flagged, not scored: the instructor has yet to look at it
        status = t("grading.status.too_short", lang)
    comment = f'<div class="comment">{_e(row.comment)}</div>' if row.comment else ""
    given = answer_text(row.exercise_id, row.item_id, answers.get(row.item_id), lang)
    return (f"<tr><td>{_multiline(prompt)}</td><td>{_multiline(given)}</td>"
            f"<td>{_e(status)}</td><td class=\"num\">{_pts(row.final_points)} / {_pts(row.max_points)}</td>"
            f"<td>{_multiline(explanation)}{tool}{comment}</td></tr>")


def _exercise_section(book: Gradebook, result: Result, key: AnswerKey | None, lang: Lang,
                      figures: Figures | None) -> str:
    ex = result.exercise_id
    try:
        title = t(f"{ex}.title", lang)
    except KeyError:
        title = ex
    answers = book.submission(result.submission_id).answers
    parts = [f"<h2>{_e(title)}</h2>"]
    total = t("feedback.total", lang, total=_pts(result.total), max=_pts(result.max_total),
              percent=f"{result.percent:.0f}")
    late = f'<span class="badge">{_e(t("feedback.late", lang))}</span>' if result.late else ""
    parts.append(f'<p class="total">{_e(total)}{late}</p>')
    meta = [t("feedback.submitted", lang, at=_local(result.submitted_at))]
    if result.group_id:
        group = next((g for g in book.groups if (g.exercise_id, g.group_id) == (ex, result.group_id)), None)
        members = ", ".join(book.trainee_name(m) for m in group.members) if group else ""
        name = (group.name or group.group_id) if group else result.group_id
        meta.append(t("feedback.group", lang, group=name, members=members))
    parts.append(f'<p class="meta">{"<br>".join(_e(m) for m in meta)}</p>')
    if result.pending:
        parts.append(f'<p>{_e(t("feedback.pending", lang, count=result.pending))}</p>')
    if figures:
        parts.append(parts_html(book, result, lang))
    for png in figures(book, result, lang) if figures else []:
        data = base64.b64encode(png).decode("ascii")
        parts.append(f'<img alt="{_e(t("feedback.chart_alt", lang))}" src="data:image/png;base64,{data}">')
    head = "".join(f"<th>{_e(t(f'feedback.col.{c}', lang))}</th>"
                   for c in ("item", "answer", "status", "points", "explanation"))
    rows = "".join(_item_row(book, row, answers, key, lang) for row in result.items)
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(parts)


def _local(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def feedback_html(book: Gradebook, trainee_id: str, lang: Lang | None = None, keys: str | Path | None = None,
                  figures: Figures | None = submission_pngs, loaded: dict[str, AnswerKey] | None = None) -> str:
    """The feedback page of one trainee (in ``lang``, else the trainee's own language)."""
    trainee = book.trainees.get(trainee_id)
    if trainee is None:
        raise KamError("feedback.unknown_trainee", trainee=trainee_id)
    lang = lang or trainee.language
    loaded = _keys(book, keys) if loaded is None else loaded
    title = t("feedback.title", lang, name=trainee.name)
    body = [f"<h1>{_e(title)}</h1>",
            f'<p class="meta">{_e(t("course.title", lang))} · {_e(trainee.id)}'
            f'{" · " + _e(trainee.team) if trainee.team else ""}</p>']
    sections = []
    missing = []
    for ex in book.exercise_ids():
        result = book.results.get((trainee_id, ex))
        if result is None:
            missing.append(ex)
            continue
        sections.append(_exercise_section(book, result, loaded.get(ex), lang, figures))
    if missing:
        names = ", ".join(_title(ex, lang) for ex in missing)
        body.append(f'<p class="meta">{_e(t("feedback.missing", lang, exercises=names))}</p>')
    body += sections
    body.append(f'<p class="meta">{_e(t("feedback.footer", lang, date=dt.date.today().isoformat()))}</p>')
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _title(exercise_id: str, lang: Lang) -> str:
    try:
        return t(f"{exercise_id}.title", lang)
    except KeyError:
        return exercise_id


PARALLEL_FROM = 8  # trainees; fewer pages are written in this process (starting workers costs a second)


def write_feedback(where: str | Path, folder: str | Path | None = None, lang: Lang | None = None,
                   trainees: list[str] | None = None, keys: str | Path | None = None, charts: bool = True,
                   progress: Callable[[int, int], None] | None = None, workers: int | None = None) -> list[Path]:
    """A page ``<trainee-id>.html`` per trainee (default: ``feedback/`` beside the gradebook).

    With charts and a class of ``PARALLEL_FROM`` or more, the pages are drawn by worker processes, one
    per core (``workers`` to say how many): drawing is most of the time, and each page is independent.
    """
    book = read_gradebook(where)
    out = Path(folder) if folder is not None else book.path.parent / "feedback"
    out.mkdir(parents=True, exist_ok=True)
    wanted = trainees or list(book.trainees)
    unknown = [tid for tid in wanted if tid not in book.trainees]
    if unknown:
        raise KamError("feedback.unknown_trainee", trainee=", ".join(unknown))
    count = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if charts and count > 1 and len(wanted) >= PARALLEL_FROM:
        return _write_in_workers(book.path, out, lang, wanted, keys, count, progress)
    loaded = _keys(book, keys)
    written = []
    for n, trainee_id in enumerate(wanted, start=1):
        written.append(_write_page(book, out, trainee_id, lang, loaded, charts))
        if progress is not None:
            progress(n, len(wanted))
    return written


def release_pages(pages: list[Path], exchange: str | Path) -> tuple[list[Path], list[Text]]:
    """Put each page (``<trainee-id>.html``) into the class exchange, as ``outbound/<trainee-id>/feedback.html``
    (``exchange.release_feedback``): only that trainee and the instructors can read it there. A trainee without
    an outbound folder (their server never started) gets one line; the others are released."""
    from kamlib.exchange import ExchangeError, release_feedback

    released, problems = [], []
    for page in pages:
        try:
            released.append(release_feedback(exchange, page.stem, page.read_text(encoding="utf-8")))
        except ExchangeError as exc:
            problems.append(exc.text)
    return released, problems


def _write_page(book: Gradebook, out: Path, trainee_id: str, lang: Lang | None, loaded: dict[str, AnswerKey],
                charts: bool) -> Path:
    page = feedback_html(book, trainee_id, lang, figures=submission_pngs if charts else None, loaded=loaded)
    path = out / f"{trainee_id}.html"
    tmp = out / f".{trainee_id}.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def _write_in_workers(book_path: Path, out: Path, lang: Lang | None, wanted: list[str], keys: str | Path | None,
                      count: int, progress: Callable[[int, int], None] | None) -> list[Path]:
    """The pages in chunks, over ``count`` fresh worker processes (never a fork of a notebook kernel)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    size = max(1, len(wanted) // (count * 3))
    chunks = [wanted[i:i + size] for i in range(0, len(wanted), size)]
    done: dict[str, Path] = {}
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        futures = [pool.submit(_chunk, str(book_path), str(out), lang, chunk, None if keys is None else str(keys))
                   for chunk in chunks]
        for future in as_completed(futures):
            done.update(zip(*future.result(), strict=True))
            if progress is not None:
                progress(len(done), len(wanted))
    return [done[tid] for tid in wanted]


def _chunk(book_path: str, out: str, lang: Lang | None, trainee_ids: list[str],
           keys: str | None) -> tuple[list[str], list[Path]]:
    """A worker's share: its trainees' pages, written; returns (ids, paths)."""
    book = read_gradebook(book_path)
    loaded = _keys(book, keys)
    return trainee_ids, [_write_page(book, Path(out), tid, lang, loaded, True) for tid in trainee_ids]
