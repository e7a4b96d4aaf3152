"""The start page: welcome, course map, language, registration, progress, settings in force."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import HTML, Markdown
from pydantic import ValidationError

from kamlib import paths
from kamlib.chapters import CHAPTERS
from kamlib.errors import InputError, KamError
from kamlib.exchange import read_feedback
from kamlib.forms.common import WIDE, Status, button, chart_image, guarded
from kamlib.forms.downloads import download_link, file_link
from kamlib.forms.nav import page_link
from kamlib.forms.page import Page, message_html
from kamlib.i18n import LANGS, Lang, Text, t
from kamlib.model import create_workbook, update_workbook
from kamlib.model.validation import describe
from kamlib.model.workbook import Trainee
from kamlib.navigation import EXERCISE_NOTEBOOKS, chapter_exercises
from kamlib.progress import plan_progress
from kamlib.settings import load_settings, settings_in_force, settings_path
from kamlib.submission import list_submissions


def open_page(lang: str | None = None, workbook: str | Path | None = None) -> Page:
    """The start page's Page (language and workbook resolved as everywhere)."""
    return Page(lang=lang, workbook=workbook)


def welcome(page: Page) -> None:
    """The welcome, saying how pages open where the trainee is: in the app or in JupyterLab."""
    page.prose("start.welcome", how=Text("start.how.app" if page.live else "start.how.lab"))


def course_map(page: Page) -> None:
    """The chapters, what each produces, and the notebook to open (links open in the same tab)."""

    def render(lang: Lang) -> Any:
        try:
            root = paths.course_root()
            exercises = chapter_exercises()
        except KamError as exc:  # an installed kamlib that was not told where the course is
            return message_html("error", exc.message(lang))
        if not (root / "notebooks").is_dir():
            return message_html("error", t("paths.no_notebooks", lang, folder=str(root)))
        rows = [f"| {t('start.map.chapter', lang)} | {t('start.map.produces', lang)} | "
                f"{t('start.map.notebook', lang)} | {t('start.map.exercise', lang)} |", "|---|---|---|---|"]
        for chapter in CHAPTERS:
            notebook = chapter.notebook
            exists = (root / "notebooks" / notebook).is_file()
            link = page_link(notebook, notebook) if exists else t("start.map.coming", lang)
            practice = " · ".join(page_link(f"../exercises/{name}", t(f"{ex}.title", lang))
                                  for ex, name in exercises.get(chapter.key, [])) or "—"
            rows.append(f"| {t(chapter.title_key, lang)} | "
                        f"{t(f'course.chapter.{chapter.key}.produces', lang)} | {link} | {practice} |")
        warmup = f"../exercises/{EXERCISE_NOTEBOOKS['ex00']}"
        intro = t("start.map.intro", lang, warmup=page_link(warmup, t("ex00.title", lang)))
        return Markdown(intro + "\n\n" + "\n".join(rows))

    page.show(render)


class LanguagePicker:
    """Chinese / English: redraws the page at once and remembers the choice in the workbook."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.choice = w.ToggleButtons(
            options=[(t("start.language.name", lang), lang) for lang in LANGS], value=page.lang
        )
        self.label = w.HTML()
        self.choice.observe(guarded(page, self.status)(self._changed), names="value")
        self.widget = w.VBox([w.HBox([self.label, self.choice]), self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.label.value = f"<b>{t('start.language.label', lang)}</b>&nbsp;"
        self.status.relabel(lang)
        if self.choice.value != lang:
            self.choice.value = lang

    def _changed(self, change: dict[str, Any]) -> None:
        lang: Lang = change["new"]
        if lang == self.page.lang:
            return
        registered = self.page.registered
        if registered:
            update_workbook(self.page.workbook_file(), lambda wb: setattr(wb.trainee, "language", lang))
        self.page.set_lang(lang)  # no workbook yet: registering saves the language in force then
        self.status.say_key("ok", "start.language.saved" if registered else "start.language.not_saved_yet")


class Registration:
    """Name, id and team: creates the trainee's workbook, or opens and updates it. On a hub the id is the hub
    user's (``JUPYTERHUB_USER``): shown, never typed."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.hub_user = paths.hub_user()
        trainee = None
        if page.registered:
            try:
                trainee = page.workbook().trainee
            except KamError as exc:  # a damaged file: say so here, the form stays usable
                self.status.say("error", exc.message)
        if trainee is not None and self.hub_user is not None and trainee.id != self.hub_user:
            self.status.say_key("error", "start.hub.not_hub_user", id=trainee.id, user=self.hub_user)
        self.name = w.Text(value=trainee.name if trainee else "", **WIDE)
        self.trainee_id = w.Text(
            value=trainee.id if trainee else paths.default_trainee_id(), **WIDE
        )
        self.team = w.Text(value=trainee.team if trainee else "", **WIDE)
        self.save = button("", "primary")
        self.save.on_click(guarded(page, self.status)(self._save))
        self.help = w.HTML()
        self.widget = w.VBox(
            [self.help, self.name, self.trainee_id, self.team, self.save, self.status.widget]
        )
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.help.value = t("start.register.help", lang)
        self.name.description = t("start.register.name", lang)
        self.name.placeholder = t("start.register.name_hint", lang)
        self.trainee_id.description = t("start.register.id", lang)
        self.trainee_id.placeholder = t("start.register.id_hint", lang)
        self.team.description = t("start.register.team", lang)
        self.team.placeholder = t("start.register.team_hint", lang)
        self.trainee_id.disabled = self.page.registered or self.hub_user is not None
        key = "start.register.update" if self.page.registered else "start.register.create"
        self.save.description = t(key, lang)
        self.status.relabel(lang)

    def _save(self, _button: Any = None) -> None:
        lang = self.page.lang
        if self.hub_user is not None and not self.page.registered:
            self.trainee_id.value = self.hub_user  # whatever the box was made to hold: the hub says who this is
        trainee = _validated_trainee(self.trainee_id.value, self.name.value, self.team.value, lang)
        if self.page.registered:
            path = self.page.workbook_file()

            def change(wb: Any) -> None:
                wb.trainee.name, wb.trainee.team = trainee.name, trainee.team

            update_workbook(path, change)
            done = "start.register.updated"
        else:
            path = self.page.workbook_path or paths.workbook_path(trainee.id)
            if path.is_file():
                update_workbook(path, lambda wb: None)  # proves it loads; never overwritten
                done = "start.register.opened"
            else:
                create_workbook(trainee, path)
                done = "start.register.created"
            self.page.workbook_path = path
        paths.remember(trainee.id)
        self.page.refresh()
        self.relabel(lang)
        self.status.say_key("ok", done, file=str(path))


def _validated_trainee(trainee_id: str, name: str, team: str, lang: Lang) -> Trainee:
    try:
        return Trainee(id=trainee_id, name=name, team=team, language=lang)
    except ValidationError as exc:
        labels = {f: Text(f"start.register.{f}") for f in ("id", "name", "team")}
        raise InputError("errors.input.rejected", details=describe(exc, labels)) from exc


def progress_summary(page: Page) -> None:
    """Per chapter: which sections hold anything, as a table and a chart."""

    def table(lang: Lang) -> Markdown:
        if not page.registered:
            return Markdown(t("start.progress.not_registered", lang))
        wb = page.workbook()
        rows = [f"| {t('start.progress.chapter', lang)} | {t('start.progress.filled', lang)} | "
                f"{t('start.progress.sections', lang)} |", "|---|---|---|"]
        for p in plan_progress(wb.plan):
            names = ", ".join(
                ("✔ " if s in p.sections_filled else "○ ") + t(f"course.section.{s}", lang)
                for s in p.sections_total
            )
            rows.append(f"| {t(f'course.chapter.{p.chapter}.short', lang)} | "
                        f"{len(p.sections_filled)}/{len(p.sections_total)} | {names} |")
        head = t("start.progress.head", lang, name=wb.trainee.name, file=str(page.workbook_path))
        return Markdown(head + "\n\n" + "\n".join(rows))

    def chart(lang: Lang) -> Any:
        if not page.registered:
            return Markdown("")
        from kamlib.charts import progress_chart  # matplotlib: loaded when a chart is drawn

        return chart_image(progress_chart(plan_progress(page.workbook().plan), lang))

    page.show(table)
    page.show(chart)


def settings_view(page: Page) -> None:
    """The course settings in force, with the deck's default beside each changed value."""

    def render(lang: Lang) -> Markdown:
        settings = load_settings()
        rows = [f"| {t('start.settings.name', lang)} | {t('start.settings.value', lang)} | "
                f"{t('start.settings.default', lang)} |", "|---|---|---|"]
        for name, value, default in settings_in_force(settings):
            mark = "" if value == default else " ✎"
            shown_default = "—" if default is None else default
            rows.append(f"| `{name}` | {value}{mark} | {shown_default} |")
        path = settings_path()
        where = str(path) if path.is_file() else t("start.settings.no_file", lang, file=str(path))
        return Markdown(t("start.settings.head", lang, file=where) + "\n\n" + "\n".join(rows))

    page.show(render)


def data_note(page: Page) -> None:
    """Where the trainee's data is kept (and that it goes nowhere else), with download links."""
    page.prose("start.data_note", folder=str(paths.workbook_dir()))

    def links(lang: Lang) -> HTML:
        if not page.registered or page.workbook_path is None:
            return HTML("")
        trainee = page.workbook().trainee.id
        items = [file_link(page.workbook_path, t("start.download.workbook", lang))]
        items += [file_link(p, t("start.download.submission", lang, name=p.name))
                  for p in list_submissions(trainee=trainee)]  # only their own folder: never the class's
        return HTML("<br>".join(items))

    page.show(links)
    page.show(feedback_view, on=())


def feedback_view(lang: Lang, user: str | None = None) -> HTML:
    """The feedback page the instructor released to this trainee in the class exchange (a hub): a download link
    and the page itself, shown in a sandboxed frame; nothing when none was released."""
    path = read_feedback(user)
    if path is None:
        return HTML("")
    try:
        page = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return HTML("")
    when = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    head = html.escape(t("start.feedback.heading", lang, date=when))
    link = download_link(page.encode("utf-8"), path.name, t("start.feedback.download", lang))
    frame = (f'<iframe sandbox="" title="{html.escape(t("start.feedback.heading", lang, date=when), quote=True)}" '
             f'style="width:100%;height:36rem;border:1px solid #ccc" srcdoc="{html.escape(page, quote=True)}">'
             f"</iframe>")
    return HTML(f'<div class="kam-feedback"><p><b>{head}</b></p><p>{link}</p>'
                f"<details open><summary>{html.escape(t('start.feedback.show', lang))}</summary>{frame}</details>"
                f"</div>")
