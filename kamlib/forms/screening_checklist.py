"""Chapter 1.4 in step 2: the screening guidelines as a checklist per candidate account.

The form reads the accounts to check from ``kamlib.guidelines.checklist_rows``, shows the chosen one's
ticks as saved, and saves them through the store; the table beside it shows every candidate's criteria.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from IPython.display import Markdown

from kamlib.errors import InputError
from kamlib.forms.common import Status, button, guarded, markdown_table, md_escape
from kamlib.forms.page import Page, for_registered
from kamlib.guidelines import CRITERIA, ChecklistRow, checklist_rows, our_output, with_criteria
from kamlib.i18n import Lang, t
from kamlib.model import update_workbook
from kamlib.model.workbook import Workbook
from kamlib.screening import Qualification, missing_years_text
from kamlib.settings import load_settings

TICK = "✓"


def checklist(wb: Workbook) -> list[ChecklistRow]:
    """The workbook's accounts to check, with the RADP settings in force."""
    return checklist_rows(wb.plan.portfolio.items, wb.plan.key_accounts, load_settings().radp)


def standing_text(row: ChecklistRow, lang: Lang) -> str:
    """Top or Strategic, a candidate with the years missing, or "—"."""
    return qualification_text(row.qualification, lang) or "—"


def qualification_text(q: Qualification, lang: Lang) -> str:
    """"Top account", "Strategic account", a candidate with the years it lacks, or "" for neither."""
    if q.eligible:
        return t(f"ch1.pick.{q.eligible}", lang)
    if q.candidate:
        return t(f"ch1.pick.candidate_{q.candidate}", lang, years=missing_years_text(q))
    return ""


def met_text(row: ChecklistRow, lang: Lang) -> str:
    """The criteria the account meets, as one list; "" when none."""
    return t("i18n.separator", lang).join(t(f"ch1.criterion_short.{c}", lang) for c in row.met)


class ChecklistForm:
    """Tick, per candidate account, the guidelines it meets (saved in ``Account.criteria`` and ``benchmark``)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.account = w.Dropdown(layout=w.Layout(width="36em"), style={"description_width": "initial"})
        self.rank = w.HTML()
        self.boxes = {c: w.Checkbox(value=False, indent=False, layout=w.Layout(width="40em")) for c in CRITERIA}
        self.save_button = button("", "primary")
        run = guarded(page, self.status)
        self.account.observe(run(lambda _c: self.load()), names="value")
        self.save_button.on_click(run(lambda _b: self.save()))
        self.widget = w.VBox([self.account, self.rank, *self.boxes.values(), self.save_button,
                              self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        rows = checklist(self.page.workbook())
        chosen = self.account.value
        self.account.options = [(f"{r.account.name} · {r.box or '—'}", r.account.id) for r in rows]
        ids = {r.account.id for r in rows}
        self.account.value = chosen if chosen in ids else (rows[0].account.id if rows else None)
        self.account.description = t("ch1.checklist.account", lang)
        for c, box in self.boxes.items():
            box.description = t(f"ch1.criterion.{c}", lang)
        self.save_button.description = t("ch1.checklist.save", lang)
        self.status.relabel(lang)
        self.load()

    def _row(self) -> ChecklistRow | None:
        return next((r for r in checklist(self.page.workbook()) if r.account.id == self.account.value), None)

    def load(self) -> None:
        """Show the chosen account's ticks and its place by historical output, as saved."""
        row = self._row()
        lang = self.page.lang
        for c, box in self.boxes.items():
            box.value = row is not None and c in row.met
            box.disabled = row is None
        self.save_button.disabled = row is None
        if row is None:
            self.rank.value = ""
            return
        if row.output_rank is None:
            self.rank.value = t("ch1.checklist.rank_none", lang)
            return
        wb = self.page.workbook()
        total = sum(our_output(a, row.qualification.this_year) is not None for a in wb.plan.portfolio.items)
        output = our_output(row.account, row.qualification.this_year) or 0
        self.rank.value = t("ch1.checklist.rank", lang, output=f"{output:,.6g}", rank=row.output_rank, total=total)

    def save(self) -> int:
        """Save the ticks of the chosen account; returns how many criteria it meets."""
        account_id = self.account.value
        if account_id is None:
            return 0
        met = [c for c, box in self.boxes.items() if box.value]

        def change(wb: Workbook) -> None:
            items = wb.plan.portfolio.items
            i = next((i for i, a in enumerate(items) if a.id == account_id), None)
            if i is None:  # deleted in another tab since this page was drawn
                raise InputError("ch1.checklist.gone")
            items[i] = with_criteria(items[i], met)

        wb = update_workbook(self.page.workbook_file(), change, section="portfolio")
        name = next(a.name for a in wb.plan.portfolio.items if a.id == account_id)
        self.page.refresh({"portfolio"})
        self.status.say_key("ok", "ch1.checklist.saved", name=name, count=len(met))
        return len(met)


def checklist_table(rows: list[ChecklistRow], lang: Lang) -> str:
    """The candidates as a Markdown table: box, standing, pick, output place, a tick per criterion, the count."""
    cols = [t(f"ch1.checklist.col.{c}", lang) for c in ("account", "box", "standing", "pick", "rank")]
    cols += [t(f"ch1.criterion_short.{c}", lang) for c in CRITERIA] + [t("ch1.checklist.col.count", lang)]
    body = [[
        md_escape(r.account.name), r.box or "—", standing_text(r, lang),
        t(f"ch1.checklist.pick.{r.pick}", lang) if r.pick else "",
        str(r.output_rank) if r.output_rank is not None else "—",
        *(TICK if c in r.met else "" for c in CRITERIA), f"{len(r.met)}/{len(CRITERIA)}",
    ] for r in rows]
    return markdown_table(cols, body)


@for_registered
def checklist_form(page: Page) -> ChecklistForm | None:
    """The checklist form and, below it, every candidate's criteria."""
    page.prose("ch1.checklist.help")
    form = page.form(ChecklistForm(page))

    def table(lang: Lang) -> Any:
        rows = checklist(page.workbook())
        return Markdown(checklist_table(rows, lang) if rows else t("ch1.checklist.empty", lang))

    page.show(table, on={"portfolio"})
    return form
