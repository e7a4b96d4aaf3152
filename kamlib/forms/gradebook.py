"""Instructor pages over the class gradebook: manual grading, CSV import, exports and feedback (grading
notebook), and the class dashboard. The gradebook file is the only state; every form re-reads it."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import Markdown

from kamlib import paths
from kamlib.errors import InputError, KamError, explain
from kamlib.exercises import answer_text, choice_label, exercise_ids, load_exercise, parse_number, prompt_text
from kamlib.feedback import exercise_title, write_feedback
from kamlib.forms.classroom import live_sections, live_source
from kamlib.forms.common import Status, button, chart_image, guarded, markdown_table, md_escape
from kamlib.forms.downloads import download_link
from kamlib.forms.gradebook_notes import last_run, source_note
from kamlib.forms.page import Page, message_html, message_markup
from kamlib.gradebook import (
    Gradebook,
    ManualEntry,
    answer_counts,
    clock_flagged,
    clock_label,
    exercise_stats,
    grade_exchange,
    import_manual_csv,
    item_stats,
    manual_targets,
    manual_template,
    manual_value,
    missing_submissions,
    open_or_demo,
    pick_items,
    pooled_account_boxes,
    read_gradebook,
    set_manual,
    subject_submission,
    typed_gradebook,
    write_exports,
)
from kamlib.grading import KeyItem, load_key, too_short
from kamlib.i18n import Lang, Text, t
from kamlib.tables import decode_csv

TOP_MISSED = 10
ANSWERS_OF_MISSED = 3  # the most missed items whose answers are shown


def item_prompt(exercise_id: str, item_id: str, lang: Lang) -> str:
    """The question's first line ("" when the exercise or item is unknown)."""
    try:
        return prompt_text(exercise_id, load_exercise(exercise_id).item(item_id)).render(lang).splitlines()[0]
    except (KamError, KeyError):
        return ""


def item_label(exercise_id: str, item_id: str, lang: Lang) -> str:
    """``ex01 · box_a04 · the question`` (the question's first line)."""
    return " · ".join(p for p in (exercise_id, item_id, item_prompt(exercise_id, item_id, lang)) if p)


def chart_item_label(exercise_id: str, item_id: str, lang: Lang) -> str:
    """Two lines for a chart: ``ex01 box_a04``, then the whole question (the chart wraps it, or shortens it so
    that two questions still read apart)."""
    prompt = " ".join(item_prompt(exercise_id, item_id, lang).split())
    return f"{exercise_id} {item_id}\n{prompt}" if prompt else f"{exercise_id} {item_id}"


def _open(page: Page, gradebook: str | Path | None, keys: str | Path | None) -> Gradebook | None:
    try:
        return open_or_demo(gradebook, keys, page.lang)
    except KamError as exc:
        problem = exc
        page.show(lambda lang: message_html("error", problem.message(lang)), on=())
        return None


# ---- grading notebook ------------------------------------------------------------------------------


class ManualForm:
    """Score one item of one exercise for every group and lone trainee: points and a comment each, with the
    key's rubric (its explanation and example) above the answers and a flag on an answer too short to score."""

    def __init__(self, page: Page, path: Path, keys: str | Path | None = None) -> None:
        self.page, self.path, self.keys = page, path, keys
        self.status = Status(page)
        self.exercise = w.Dropdown(layout=w.Layout(width="40em"))
        self.item = w.Dropdown(layout=w.Layout(width="40em"))
        self.rubric = w.HTML()
        self.rows_box = w.VBox()
        self.save_button = button("", "primary")
        self.points: dict[tuple[str, str], w.Text] = {}
        self.comments: dict[tuple[str, str], w.Textarea] = {}
        self.labels: list[tuple[w.HTML, str, str]] = []
        self.exercise.observe(guarded(page, self.status)(lambda _c: self._items()), names="value")
        self.item.observe(guarded(page, self.status)(lambda _c: self._rows()), names="value")
        self.save_button.on_click(guarded(page, self.status)(lambda _b: self.save()))
        self.widget = w.VBox([self.exercise, self.item, self.rubric, self.rows_box, self.save_button,
                              self.status.widget])
        self.relabel(page.lang)

    def book(self) -> Gradebook:
        return read_gradebook(self.path)

    def relabel(self, lang: Lang) -> None:
        book = self.book()
        self.exercise.description = t("gradebook.form.exercise", lang)
        self.item.description = t("gradebook.form.item", lang)
        self.save_button.description = t("gradebook.form.save", lang)
        value = self.exercise.value
        self.exercise.options = [(exercise_title(e.id, lang), e.id) for e in book.exercises]
        if value not in book.exercise_ids():  # first time: the first exercise with items to score by hand
            manual = [ex for ex, items in book.items.items() if any(i.scoring == "manual" for i in items)]
            value = next(iter(manual or book.exercise_ids()), None)
        self.exercise.value = value
        self._items()
        self.status.relabel(lang)

    def _items(self) -> None:
        lang, book = self.page.lang, self.book()
        items = book.items.get(self.exercise.value or "", [])
        ordered = sorted(items, key=lambda i: (i.scoring != "manual", i.position))
        value = self.item.value if self.item.value in [i.item_id for i in items] else None
        value = value or (ordered[0].item_id if ordered else None)
        self.item.options = [
            (f"{item_label(i.exercise_id, i.item_id, lang)}"
             f"{' · ' + t('gradebook.form.manual_mark', lang) if i.scoring == 'manual' else ''}", i.item_id)
            for i in ordered]
        self.item.value = value
        self._rows()

    def _rows(self) -> None:
        """One row per group and lone trainee: who, their answer, the stored points and comment."""
        lang, book = self.page.lang, self.book()
        exercise_id, item_id = self.exercise.value, self.item.value
        self.points, self.comments, self.labels = {}, {}, []
        rows = []
        if not exercise_id or not item_id:
            self.rows_box.children = ()
            self.rubric.value = ""
            return
        keyed = self._key_item(exercise_id, item_id)
        self.rubric.value = rubric_html(keyed, lang) if isinstance(keyed, KeyItem) else keyed
        top = next(i.max_points for i in book.items[exercise_id] if i.item_id == item_id)
        for kind, subject in manual_targets(book, exercise_id):
            sid = subject_submission(book, exercise_id, kind, subject)
            answer = book.submission(sid).answers.get(item_id) if sid else None
            points, comment = manual_value(book, exercise_id, item_id, kind, subject)
            who = w.HTML()
            self.labels.append((who, kind, subject))
            box = w.Text(value="" if points is None else f"{points:g}", placeholder=f"0–{top:g}",
                         layout=w.Layout(width="7em"))
            note = w.Textarea(value=comment, layout=w.Layout(width="28em", height="3.2em"))
            self.points[(kind, subject)], self.comments[(kind, subject)] = box, note
            flag = (f"<div><b>{_html(t('grading.status.too_short', lang))}</b></div>"
                    if isinstance(keyed, KeyItem) and too_short(keyed, answer) else "")
            shown = w.HTML(f"<div style='white-space:pre-wrap;max-width:36em'>"
                           f"{_html(answer_text(exercise_id, item_id, answer, lang))}</div>{flag}")
            rows.append(w.VBox([who, shown, w.HBox([box, note])],
                               layout=w.Layout(border="1px solid #ddd", padding="4px", margin="2px 0")))
        self.rows_box.children = tuple(rows)
        self._relabel_rows(lang, book)

    def _key_item(self, exercise_id: str, item_id: str) -> KeyItem | str:
        """The key's item (for its rubric), or the reason it cannot be shown as HTML."""
        try:
            key = load_key(exercise_id, self.keys)
        except KamError as exc:
            return message_markup("info", exc.message(self.page.lang))
        return next((k for k in key.items if k.id == item_id), "")

    def _relabel_rows(self, lang: Lang, book: Gradebook) -> None:
        for who, kind, subject in self.labels:
            if kind == "group":
                group = next(g for g in book.groups if (g.exercise_id, g.group_id) == (self.exercise.value, subject))
                members = ", ".join(book.trainee_name(m) for m in group.members)
                text = t("gradebook.form.group_row", lang, group=group.name or subject, members=members)
            else:
                text = t("gradebook.form.trainee_row", lang, name=book.trainee_name(subject), id=subject)
            who.value = f"<b>{_html(text)}</b>"
        for box in self.points.values():
            box.description = t("gradebook.form.points", self.page.lang)
        for note in self.comments.values():
            note.placeholder = t("gradebook.form.comment", lang)

    def entries(self) -> list[ManualEntry]:
        """The rows as typed; a points box that is not a number is named in the error."""
        problems: list[Text] = []
        out = []
        for (kind, subject), box in self.points.items():
            text = box.value.strip()
            points = None
            if text:
                try:
                    points = parse_number(text)
                except ValueError:
                    problems.append(Text("gradebook.manual.not_number", {"where": subject, "value": text}))
                    continue
            out.append(ManualEntry(self.exercise.value, self.item.value, kind, subject, points,  # type: ignore[arg-type]
                                   self.comments[(kind, subject)].value, subject))
        if problems:
            raise InputError("gradebook.manual.not_saved", details=problems, count=len(problems))
        return out

    def save(self) -> int:
        count = set_manual(self.path, self.entries())
        self.status.say_key("ok", "gradebook.form.saved", count=count, item=self.item.value)
        return count


class ImportForm:
    """Manual scores from a CSV (the template's columns), all or nothing; the template to download."""

    def __init__(self, page: Page, path: Path) -> None:
        self.page, self.path = page, path
        self.status = Status(page)
        self.upload = w.FileUpload(accept=".csv", multiple=False)
        self.import_button = button("", "primary")
        self.template = w.HTML()
        self.import_button.on_click(guarded(page, self.status)(lambda _b: self._import_upload()))
        self.widget = w.VBox([self.template, w.HBox([self.upload, self.import_button]), self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.upload.description = t("gradebook.form.choose_csv", lang)
        self.import_button.description = t("gradebook.form.import", lang)
        data = manual_template(read_gradebook(self.path), lang).encode("utf-8-sig")
        self.template.value = download_link(data, "manual-scores.csv", t("gradebook.form.template", lang))
        self.status.relabel(lang)

    def import_text(self, text: str) -> int:
        count = import_manual_csv(self.path, text=text)
        self.status.say_key("ok", "gradebook.form.imported", count=count)
        return count

    def _import_upload(self) -> None:
        if not self.upload.value:
            self.status.say_key("info", "gradebook.form.no_file")
            return
        content = bytes(self.upload.value[0]["content"])
        self.import_text(decode_csv(content, self.upload.value[0]["name"]).text)  # UTF-8, GBK or Big5


class ExportForm:
    """Write the CSV/XLSX exports and every trainee's feedback page beside the gradebook; offer downloads."""

    def __init__(self, page: Page, path: Path, keys: str | Path | None) -> None:
        self.page, self.path, self.keys = page, path, keys
        self.status = Status(page)
        self.charts = w.Checkbox(value=True, indent=False)
        self.write_button = button("", "primary")
        self.links = w.HTML()
        self.write_button.on_click(guarded(page, self.status)(lambda _b: self.write()))
        self.widget = w.VBox([w.HBox([self.write_button, self.charts]), self.status.widget, self.links])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.write_button.description = t("gradebook.form.write", lang)
        self.charts.description = t("gradebook.form.charts", lang)
        self.status.relabel(lang)

    def write(self) -> list[Path]:
        lang = self.page.lang
        files = write_exports(self.path, lang)
        from kamlib.charts.feedback import submission_pngs  # matplotlib: when the pages are written

        pages = write_feedback(self.path, keys=self.keys, figures=submission_pngs if self.charts.value else None)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in pages:
                zf.write(p, f"feedback/{p.name}")
        links = [download_link(p.read_bytes(), p.name, p.name) for p in files]
        links.append(download_link(buf.getvalue(), "feedback.zip", t("gradebook.form.feedback_zip", lang)))
        self.links.value = " &nbsp; ".join(links)
        self.status.say_key("ok", "gradebook.form.written", files=len(files), pages=len(pages),
                            folder=str(self.path.parent))
        return files + pages


def _html(text: str) -> str:
    import html

    return html.escape(text)


def rubric_html(k: KeyItem, lang: Lang) -> str:
    """The key's explanation of an item, as the rubric an instructor scores by, and its example if any."""
    parts = [f"<b>{_html(t('gradebook.form.rubric', lang))}</b>",
             f"<div style='white-space:pre-wrap;max-width:48em'>{_html(k.explanation[lang])}</div>"]
    if k.example and k.example.get(lang):
        parts += [f"<b>{_html(t('gradebook.form.example', lang))}</b>",
                  f"<div style='white-space:pre-wrap;max-width:48em'>{_html(k.example[lang])}</div>"]
    return "<div style='border-left:3px solid #999;padding-left:8px;margin:4px 0'>" + "".join(parts) + "</div>"


def grading_page(lang: str | None = None, gradebook: str | Path | None = None,
                 keys: str | Path | None = None, exchange: str | Path | None = None) -> Page:
    """The grading notebook: manual scores item by item, CSV import, exports and feedback pages. On a classroom
    hub (``exchange``, else ``KAM_EXCHANGE``) the exchange as it is now is graded into the gradebook first; when it
    cannot be read, the page says why and goes on with the gradebook as it is."""
    page = Page(lang=lang, workbook=None)
    page.prose("gradebook.form.title")
    try:
        gradebook = grade_exchange(exchange, gradebook, keys)
    except (KamError, OSError, sqlite3.Error) as exc:
        problem = exc
        page.show(lambda lang: message_html("error", explain(problem, lang)), on=())
    book = _open(page, gradebook, keys)
    if book is None:
        return page
    page.show(lambda lang: source_note(book, lang), on=())
    page.prose("gradebook.form.manual_heading")
    page.form(ManualForm(page, book.path, keys))
    page.prose("gradebook.form.import_heading")
    page.form(ImportForm(page, book.path))
    page.prose("gradebook.form.export_heading")
    page.form(ExportForm(page, book.path, keys))
    page.prose("gradebook.form.rejected_heading")
    page.show(lambda lang: last_run(read_gradebook(book.path), lang), on=())
    return page


# ---- dashboard ---------------------------------------------------------------------------------------


def summary_markdown(book: Gradebook, lang: Lang) -> Markdown:
    cols = ("exercise", "submitted", "late", "missing", "mean", "median")
    rows = []
    for s in exercise_stats(book):
        rows.append([md_escape(exercise_title(s.exercise_id, lang)), str(s.submitted),
                     str(s.late), str(s.missing), "—" if s.mean is None else f"{s.mean:.0f}%",
                     "—" if s.median is None else f"{s.median:.0f}%"])
    table = markdown_table([t(f"dashboard.col.{c}", lang) for c in cols], rows)
    return Markdown(t("dashboard.summary", lang, trainees=len(book.trainees)) + "\n\n" + table)


def missed_answers(book: Gradebook, lang: Lang, top: int = ANSWERS_OF_MISSED) -> Markdown:
    """For the most missed choice items: what the class answered instead of the key's answer."""
    lines: list[str] = []
    for s in item_stats(book)[:TOP_MISSED]:
        if len(lines) >= top or s.missed == 0:
            break
        item = load_exercise(s.exercise_id).item(s.item_id)
        if not item.choices:
            continue
        counts = answer_counts(book, s.exercise_id, s.item_id)
        blank = t("dashboard.chart.blank", lang)
        names = {c: choice_label(s.exercise_id, item, c, lang) for c in item.choices} | {"—": blank}
        shown = ", ".join(f"{md_escape(names.get(a, a))} ×{n}" for a, n in counts.most_common(4))
        lines.append(f"- **{md_escape(item_label(s.exercise_id, s.item_id, lang))}**: {shown}")
    if not lines:
        return Markdown("")
    return Markdown(t("dashboard.answers_intro", lang) + "\n\n" + "\n".join(lines))


def missing_markdown(book: Gradebook, lang: Lang, anonymous: bool) -> Markdown:
    gaps = missing_submissions(book)
    if not gaps:
        return Markdown(t("dashboard.none_missing", lang))
    if anonymous:
        return Markdown(t("dashboard.missing_count", lang, count=len(gaps)))
    rows = [[md_escape(book.trainee_name(tid)), md_escape(tid),
             md_escape(", ".join(exercises))] for tid, exercises in gaps]
    cols = [t(f"dashboard.col.{c}", lang) for c in ("name", "trainee", "exercises")]
    return Markdown(markdown_table(cols, rows))


def clock_markdown(book: Gradebook, lang: Lang, anonymous: bool) -> Markdown:
    """Submissions whose claimed time does not fit the time they were received (late goes by the latter)."""
    flagged = clock_flagged(book)
    if not flagged:
        return Markdown("")
    if anonymous:
        return Markdown(t("dashboard.clock_count", lang, count=len(flagged)))
    rows = [[md_escape(book.trainee_name(s.trainee_id)), md_escape(s.trainee_id), md_escape(s.exercise_id),
             md_escape(s.submitted_at), md_escape(s.received_at or "—"), md_escape(clock_label(s.clock_flag, lang))]
            for s in flagged]
    cols = [t(f"dashboard.col.{c}", lang) for c in ("name", "trainee", "exercise", "claimed", "received", "clock")]
    return Markdown(t("dashboard.clock_intro", lang) + "\n\n" + markdown_table(cols, rows))


def groups_markdown(book: Gradebook, lang: Lang, anonymous: bool) -> Markdown:
    if not book.groups:
        return Markdown(t("dashboard.no_groups", lang))
    rows = []
    for g in book.groups:
        result = book.results.get((g.members[0], g.exercise_id)) if g.members else None
        members = str(len(g.members)) if anonymous else ", ".join(book.trainee_name(m) for m in g.members)
        rows.append([md_escape(g.exercise_id), md_escape(g.group_id if anonymous else (g.name or g.group_id)),
                     md_escape(members), f"{result.total:g} / {result.max_total:g}" if result else "—"])
    cols = [t(f"dashboard.col.{c}", lang) for c in ("exercise", "group", "members", "score")]
    return Markdown(markdown_table(cols, rows))


def dashboard_page(lang: str | None = None, gradebook: str | Path | None = None, keys: str | Path | None = None,
                   anonymous: bool = False, exchange: str | Path | None = None,
                   collected: str | Path | None = None) -> Page:
    """The class dashboard: score spread, submissions, the most missed items, who is missing, the class's
    pooled answers and the groups. ``anonymous`` hides names (for a projector).

    With a class exchange (``exchange``, else ``KAM_EXCHANGE`` on the hub) or a folder of ``collected``
    submissions, the class live first (``kamlib.forms.classroom``: who handed in what, the Share 1 cards pooled
    and as a gallery, a Refresh button), then the gradebook's sections when there is a gradebook (never the demo
    class; on the hub the exchange is graded into the gradebook at every read). Without either, the gradebook
    given, else the default one, else the demo class."""
    page = Page(lang=lang, workbook=None)
    page.prose("dashboard.title")
    source = live_source(exchange, collected)
    if source is not None:
        snapshot = live_sections(page, source, gradebook, keys, anonymous)
        page.form(OpenGradebookForm(page, snapshot.open, hub=source.root is not None))
        gradebook_sections(page, snapshot.current_book, keys, anonymous)
        return page
    shown = ShownBook(None if gradebook is None else Path(gradebook), keys)
    shown.reload(page.lang)
    page.show(shown.note, on=())
    page.form(OpenGradebookForm(page, shown.open))
    gradebook_sections(page, lambda: shown.book, keys, anonymous)
    return page


@dataclass
class ShownBook:
    """The gradebook the dashboard shows without a class exchange: the one opened (``where``; None: the default
    one, else the demo class). ``problem``: why the one asked for cannot be read."""

    where: Path | None
    keys: str | Path | None
    book: Gradebook | None = None
    problem: KamError | None = None

    def reload(self, lang: Lang) -> None:
        try:
            self.book, self.problem = open_or_demo(self.where, self.keys, lang), None
        except KamError as exc:
            self.book, self.problem = None, exc

    def open(self, where: Path) -> Gradebook:
        """Show the gradebook at ``where``; one that cannot be read raises and what was shown stays."""
        book = read_gradebook(where)
        self.where, self.book, self.problem = where, book, None
        return book

    def note(self, lang: Lang) -> Any:
        if self.problem is not None:
            return message_html("error", self.problem.message(lang))
        return Markdown("") if self.book is None else source_note(self.book, lang)


class OpenGradebookForm:
    """A gradebook folder typed in the page (the app has no parameters to pass): checked, then the dashboard is
    drawn again from it (``open_at`` switches what the page reads)."""

    def __init__(self, page: Page, open_at: Callable[[Path], Gradebook | None], hub: bool = False) -> None:
        self.page, self.open_at, self.hub = page, open_at, hub
        self.status = Status(page)
        self.help = w.HTML()
        self.folder = w.Text(layout=w.Layout(width="40em"), style={"description_width": "initial"})
        self.open_button = button("", "primary")
        self.open_button.on_click(guarded(page, self.status)(lambda _b: self.open()))
        self.widget = w.VBox([self.help, w.HBox([self.folder, self.open_button]), self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        default = paths.gradebook_dir()
        text = t("dashboard.open.help", lang, default=str(default), base=str(paths.home()))
        if self.hub:
            text += " " + t("dashboard.open.help_hub", lang)
        self.help.value = f"<b>{_html(t('dashboard.open.heading', lang))}</b><br>{_html(text)}"
        self.folder.description = t("dashboard.open.folder", lang)
        self.folder.placeholder = str(default)
        self.open_button.description = t("dashboard.open.button", lang)
        self.status.relabel(lang)

    def open(self) -> Path:
        where = typed_gradebook(self.folder.value, paths.home())
        book = self.open_at(where)  # a damaged or newer gradebook raises: said here, the page stays as it was
        self.page.refresh()
        if book is None:  # the live page read it, but could not (its reason is above the gradebook's sections)
            self.status.clear()
        else:
            self.status.say_key("ok", "dashboard.open.opened", file=str(where), trainees=len(book.trainees),
                                exercises=len(book.exercises))
        return where


BookOf = Callable[[], "Gradebook | None"]


def gradebook_sections(page: Page, book_of: BookOf, keys: str | Path | None, anonymous: bool) -> None:
    """The sections drawn from the gradebook. Each reads ``book_of()`` when drawn (the live page reads the
    gradebook again on Refresh) and shows nothing while there is no gradebook."""
    from kamlib.charts import dashboard as charts  # matplotlib: loaded when a chart is drawn

    def need(draw: Callable[[Gradebook, Lang], Any]) -> Callable[[Lang], Any]:
        def render(lang: Lang) -> Any:
            book = book_of()
            return Markdown("") if book is None else draw(book, lang)

        return render

    def heading(key: str) -> None:
        page.show(need(lambda _book, lang: Markdown(t(key, lang))), on=())

    def labels(book: Gradebook, lang: Lang) -> list[str]:
        return [exercise_title(e.id, lang) for e in book.exercises]

    page.show(need(summary_markdown), on=())
    heading("dashboard.heading.spread")
    page.show(need(lambda book, lang: chart_image(charts.score_distribution_chart(
        exercise_stats(book), labels(book, lang), lang))), on=())
    page.show(need(lambda book, lang: chart_image(charts.submission_status_chart(
        exercise_stats(book), labels(book, lang), lang))), on=())
    heading("dashboard.heading.missed")

    def missed(book: Gradebook, lang: Lang) -> Any:
        top = [s for s in item_stats(book) if s.missed][:TOP_MISSED]
        names = [chart_item_label(s.exercise_id, s.item_id, lang) for s in top]
        return chart_image(charts.most_missed_chart(top, names, lang))

    page.show(need(missed), on=())
    page.show(need(missed_answers), on=())
    heading("dashboard.heading.missing")
    page.show(need(lambda book, lang: missing_markdown(book, lang, anonymous)), on=())
    page.show(need(lambda book, lang: clock_markdown(book, lang, anonymous)), on=())
    heading("dashboard.heading.pooled")
    pooled = [(ex, None) for ex in exercise_ids() if _has_picks(ex)] + _strategy_items()
    for exercise, item_id in pooled:
        render = _pooled_render(exercise) if item_id is None else _answers_render(exercise, item_id, keys)
        page.show(need(_if_graded(exercise, render)), on=())

    def none_pooled(book: Gradebook, lang: Lang) -> Any:
        return Markdown("" if set(book.exercise_ids()) & {ex for ex, _ in pooled} else t("dashboard.no_pooled", lang))

    page.show(need(none_pooled), on=())
    heading("dashboard.heading.groups")
    page.show(need(lambda book, lang: groups_markdown(book, lang, anonymous)), on=())


def _has_picks(exercise_id: str) -> bool:
    try:
        return bool(pick_items(load_exercise(exercise_id)))
    except KamError:
        return False


def _strategy_items() -> list[tuple[str, str | None]]:
    """Choice items that record a strategy chosen, in every exercise of the course (see ``strategy_items``)."""
    out: list[tuple[str, str | None]] = []
    for exercise in exercise_ids():
        try:
            items = load_exercise(exercise).items
        except KamError:
            continue
        out += [(exercise, i.id) for i in items if i.kind in ("choice", "multi") and "strateg" in i.id]
    return out


def _if_graded(exercise_id: str, draw: Callable[[Gradebook, Lang], Any]) -> Callable[[Gradebook, Lang], Any]:
    """``draw`` for a gradebook that holds the exercise; nothing otherwise."""

    def render(book: Gradebook, lang: Lang) -> Any:
        return draw(book, lang) if exercise_id in book.exercise_ids() else Markdown("")

    return render


def _pooled_render(exercise_id: str) -> Callable[[Gradebook, Lang], Any]:
    from kamlib.charts import dashboard as charts  # matplotlib: loaded when a chart is drawn

    def render(book: Gradebook, lang: Lang) -> Any:
        pooled = pooled_account_boxes(book, exercise_id)
        names = {item: item_label(exercise_id, item, lang).split(" · ")[-1] for item in pooled}
        names = {item: t(f"dashboard.pick.{item}", lang) if item in ("top", "strategic") else name
                 for item, name in names.items()}
        return chart_image(charts.pooled_boxes_chart(pooled, names, lang))

    return render


def _answers_render(exercise_id: str, item_id: str, keys: str | Path | None) -> Callable[[Gradebook, Lang], Any]:
    from kamlib.charts import dashboard as charts  # matplotlib: loaded when a chart is drawn

    def render(book: Gradebook, lang: Lang) -> Any:
        item = load_exercise(exercise_id).item(item_id)
        try:
            keyed = next(k.answer for k in load_key(exercise_id, keys).items if k.id == item_id)
        except KamError:
            keyed = None
        # a choice item's key is one choice or a list of them (the answers counted are choices: text)
        right = set(keyed if isinstance(keyed, list) else [keyed] if isinstance(keyed, str) and keyed else [])
        labels = {c: choice_label(exercise_id, item, c, lang) for c in item.choices}
        title = item_label(exercise_id, item_id, lang)
        return chart_image(charts.answer_distribution_chart(answer_counts(book, exercise_id, item_id), right,
                                                            {str(k): v for k, v in labels.items()}, title, lang))

    return render
