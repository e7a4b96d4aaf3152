"""The start page's Account Plan part: how complete and how current the plan is, and the export form."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
from IPython.display import Markdown

from kamlib.anonymise import Review
from kamlib.errors import KamError
from kamlib.forms.common import Status, button, guarded, markdown_table, md_escape
from kamlib.forms.downloads import file_link
from kamlib.forms.page import Page
from kamlib.forms.sharing import SharingCheck
from kamlib.health import PlanHealth, plan_health
from kamlib.i18n import Lang, t
from kamlib.model.workbook import Workbook
from kamlib.settings import load_settings


def _pct(value: float | None, lang: Lang) -> str:
    return t("health.figure.percent", lang, value=round(100 * value)) if value is not None else "—"


def _actions(wb: Workbook, ids: tuple[str, ...], lang: Lang) -> list[str]:
    by_id = {a.id: a for a in wb.plan.actions.items}
    lines = []
    for i in ids:
        a = by_id[i]
        date = a.target_on.isoformat() if a.target_on else t("health.view.no_date", lang)
        lines.append("- " + md_escape(t("health.view.action_line", lang, date=date, text=a.text)))
    return lines


def health_markdown(wb: Workbook, health: PlanHealth, lang: Lang) -> str:
    """The plan's health as Markdown: the two figures, one row per section, the actions to look at."""
    strength = _pct(health.strength, lang) if health.strength is not None else t("health.figure.no_data", lang)
    out = [t("health.view.overall", lang, completeness=_pct(health.completeness, lang), strength=strength),
           t("health.figure.apart", lang)]
    rows = []
    for s in health.sections:
        if not s.started:
            state = "○ " + t("health.state.not_started", lang)
            if not s.counted:
                state += f" ({t('health.state.optional', lang)})"
        elif s.stale:
            state = "⚠ " + t("health.state.stale", lang, days=health.stale_days)
        else:
            state = "✔ " + t("health.state.current", lang)
        updated = s.updated_at.date().isoformat() if s.updated_at else t("health.view.never", lang)
        hint = md_escape(s.hints[0].render(lang)) if s.hints else ""
        rows.append([t(f"health.section.{s.key}", lang), _pct(s.completeness, lang), _pct(s.strength, lang),
                     updated, state, hint])
    headers = [t(f"health.view.col_{c}", lang) for c in ("section", "completeness", "strength", "updated", "state",
                                                         "next")]
    out.append(markdown_table(headers, rows))
    for key, ids in (("due_soon", health.due_soon), ("overdue", health.overdue),
                     ("stale_actions", health.stale_actions)):
        if ids:
            out.append(t(f"health.view.{key}", lang, count=len(ids), days=health.stale_days) + "\n\n"
                       + "\n".join(_actions(wb, ids, lang)))
    if not health.due_soon:
        out.append(t("health.view.none_due", lang))
    out.append(t("health.view.stale_rule", lang, days=health.stale_days))
    return "\n\n".join(out)


def health_view(page: Page) -> None:
    """The plan's health, redrawn whenever the workbook changes."""

    def render(lang: Lang) -> Markdown:
        if not page.registered:
            return Markdown(t("health.view.not_registered", lang))
        wb = page.workbook()
        return Markdown(health_markdown(wb, plan_health(wb.plan, settings=load_settings()), lang))

    page.show(render)


def _export_review(wb: Workbook, lang: Lang) -> Review:
    from kamlib.export import export_review

    return export_review(wb, lang, settings=load_settings())


class ExportForm:
    """HTML or XLSX, anonymised or not, in the page's language: written to ``exports/`` and offered as a download.
    Anonymised, the hide list and the review of what the export replaces come before the button."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.format = w.ToggleButtons(options=[("HTML", "html"), ("XLSX", "xlsx")], value="html")
        self.anonymise = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"))  # its text whole
        self.help = w.HTML()
        self.sharing = SharingCheck(page, _export_review)
        self.anonymise.observe(guarded(page, self.status)(lambda c: self.sharing.show(bool(c["new"]))), names="value")
        self.button = button("", "primary")
        self.button.on_click(guarded(page, self.status)(lambda _b: self.export()))
        self.download = w.HTML()
        self.widget = w.VBox([self.help, w.HBox([self.format, self.anonymise]), self.sharing.widget, self.button,
                              self.status.widget, self.download])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.help.value = t("export.form.help", lang)
        self.format.description = t("export.form.format", lang)
        self.anonymise.description = t("export.form.anonymise", lang)
        self.button.description = t("export.form.button", lang)
        self.status.relabel(lang)
        self.sharing.relabel(lang)

    def export(self) -> Path:
        """Write the export (the page's language) and show where, with a download link."""
        from kamlib.export import write_export

        if not self.page.registered:  # on the start page itself: say where to register, in plain words
            raise KamError("export.form.not_registered")
        wb = self.page.workbook()
        anonymise = bool(self.anonymise.value)
        path = write_export(wb, self.format.value, self.page.lang, None, anonymise, load_settings())
        self.status.say_key("ok", "export.form.written", file=str(path))
        self.download.value = file_link(path, t("export.form.download", self.page.lang, name=path.name))
        return path


def plan_section(page: Page) -> ExportForm:
    """The start page's part: heading, the plan's health, the export form."""
    page.prose("health.view.heading")
    health_view(page)
    return page.form(ExportForm(page))
