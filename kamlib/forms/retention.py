"""Chapter 4 forms: profit leverage, the whitespace map, the organisational relationship, the substitutability
assessment (dated, repeatable) with the activities for its gaps, and the relationship stage.

Every form reads the workbook, saves through the store and re-draws only the displays that read what it
saved. Display keys finer than a plan section: ``retention.leverage``, ``retention.whitespace``,
``retention.relations``, ``retention.activities``, ``retention.stage``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import Markdown
from pydantic import ValidationError

from kamlib.errors import InputError, KamError
from kamlib.exercises import parse_number
from kamlib.forms.common import (
    Status,
    button,
    chart_image,
    fit_labels,
    guarded,
    markdown_table,
    md_escape,
    problems_markdown,
    today,
)
from kamlib.forms.nav import chapter_page
from kamlib.forms.page import Page, for_registered
from kamlib.forms.rows import NEW, FieldSpec, RowEditor, catalog_choices
from kamlib.i18n import Lang, Text, t
from kamlib.model import update_workbook
from kamlib.model.retention import (
    Assessment,
    LeverageInputs,
    OrgRelation,
    PlannedActivity,
    ProductLine,
    StageChoice,
)
from kamlib.model.validation import describe
from kamlib.model.workbook import Row, Workbook
from kamlib.numbers import amount, pct
from kamlib.retention import (
    ACTIVITIES,
    DECK_EXAMPLE,
    ORG_ITEMS,
    ORG_KINDS,
    QUESTIONS,
    STAGES,
    history,
    latest,
    next_review,
    org_kind,
    org_summary,
    recommended_activities,
    score,
    stage_hints,
    trend,
    uncovered_questions,
    whitespace_cells,
    whitespace_map,
)

Locate = Callable[[Workbook], list[Any] | None]
LEVERAGE = frozenset({"retention.leverage"})
WHITESPACE = frozenset({"retention.whitespace", "customer_tree"})
RELATIONS = frozenset({"retention.relations"})
ACTIVITY_KEYS = frozenset({"retention.activities", "assessments"})
STAGE_KEYS = frozenset({"retention.stage", "assessments"})
ASSESSMENT_KEYS = frozenset({"assessments", "crises"})


def open_page(lang: str | None = None, workbook: str | Path | None = None) -> Page:
    return chapter_page(Page(lang=lang, workbook=workbook), "ch4", "retention.intro")


# ---- rows kept inside another model -------------------------------------------------------------------


class NestedRows(RowEditor):
    """A row editor for rows kept inside another model (the retention card, a crisis): ``locate`` finds
    their list in a workbook (None: there is nowhere to keep them yet); a save re-draws ``redraw``."""

    def __init__(self, page: Page, section: str, model: type[Row], fields: Sequence[FieldSpec],
                 row_label: Callable[[Any, Lang], str], locate: Locate, redraw: Iterable[str],
                 nowhere: str = "retention.error.nowhere", extra: Sequence[w.Widget] = ()) -> None:
        self.locate = locate
        self.redraw = frozenset(redraw)
        self.nowhere = nowhere
        super().__init__(page, section, model, fields, row_label=row_label, extra=tuple(extra))

    def rows(self, wb: Workbook) -> list[Row]:
        found = self.locate(wb)
        return [] if found is None else found

    def save(self) -> str:
        if self.locate(self.page.workbook()) is None:
            raise KamError(self.nowhere)
        return super().save()

    def after_save(self, select: str) -> None:
        self.page.refresh(set(self.redraw) | {self.section})
        self.relabel(self.page.lang)
        self.picker.value = select
        self.load_row()
        self.status.say_key("ok", "rows.saved")


def _retention_rows(attr: str) -> Locate:
    return lambda wb: getattr(wb.plan.retention, attr)


# ---- profit leverage ----------------------------------------------------------------------------------

LEVERAGE_FIELDS = ("price", "material_cost", "variable_cost", "volume", "fixed_cost", "change_pct")


class LeverageForm:
    """The calculator's figures (yuan per unit, units, yuan, %); saved with the plan."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        saved = page.workbook().plan.retention.leverage
        style = {"description_width": "16em"}
        self.inputs = {name: w.Text(value=_number(getattr(saved, name)), layout=w.Layout(width="28em"), style=style)
                       for name in LEVERAGE_FIELDS}
        self.save_button = button("", "primary")
        self.deck_button = button("")
        run = guarded(page, self.status)
        self.save_button.on_click(run(lambda _b: self.save()))
        self.deck_button.on_click(run(lambda _b: self.use_deck_example()))
        self.widget = w.VBox([*self.inputs.values(), w.HBox([self.save_button, self.deck_button]), self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        for name, widget in self.inputs.items():
            widget.description = t(f"retention.field.{name}", lang)
            widget.placeholder = t(f"retention.placeholder.{name}", lang)
        fit_labels(self.inputs.values(), least=16)  # labels and hints whole
        self.save_button.description = t("retention.leverage.save", lang)
        self.deck_button.description = t("retention.leverage.deck", lang)
        self.status.relabel(lang)

    def values(self) -> LeverageInputs:
        """The figures as typed; blanks are unknown (fixed cost 0, change 1%); a bad number names its field."""
        out: dict[str, Any] = {}
        problems: list[Text] = []
        for name, widget in self.inputs.items():
            text = widget.value.strip()
            try:
                value = parse_number(text) if text else None
            except ValueError:
                problems.append(Text("errors.input.not_a_number", {"field": Text(f"retention.field.{name}"),
                                                                     "value": text}))
                continue
            if value is not None or name not in ("fixed_cost", "change_pct"):
                out[name] = value
        if problems:
            raise InputError("errors.input.rejected", details=problems)
        labels = {name: Text(f"retention.field.{name}") for name in LEVERAGE_FIELDS}
        try:
            return LeverageInputs.model_validate(out)
        except ValidationError as exc:
            raise InputError("errors.input.rejected", details=describe(exc, labels)) from exc

    def save(self) -> LeverageInputs:
        inputs = self.values()
        update_workbook(self.page.workbook_file(), lambda wb: setattr(wb.plan.retention, "leverage", inputs),
                        section="retention")
        self.page.refresh(set(LEVERAGE))
        self.status.say_key("ok", "rows.saved")
        return inputs

    def use_deck_example(self) -> LeverageInputs:
        for name in LEVERAGE_FIELDS:
            self.inputs[name].value = _number(getattr(DECK_EXAMPLE, name))
        return self.save()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@for_registered
def profit_leverage(page: Page) -> LeverageForm | None:
    """The calculator, its figures in words, the chart, and the assumption behind it."""
    form = page.form(LeverageForm(page))
    page.show(lambda lang: leverage_text(page.workbook().plan.retention.leverage, lang), on=LEVERAGE)
    page.show(lambda lang: leverage_picture(page.workbook().plan.retention.leverage, lang), on=LEVERAGE)
    page.prose("retention.leverage.assumption")
    return form


def leverage_text(inputs: LeverageInputs, lang: Lang) -> Markdown:
    """The figures as a table and in sentences; what is still missing when they are not complete."""
    from kamlib.retention import leverage_figures

    try:
        f = leverage_figures(inputs)
    except InputError as exc:
        return problems_markdown("retention.leverage.needs", exc.details, lang)
    x, price, volume = f.change_pct, float(inputs.price or 0), float(inputs.volume or 0)
    discount_change = None if not f.base_profit else (f.discount_profit - f.base_profit) / abs(f.base_profit) * 100
    rows = [
        [t("retention.leverage.row.base", lang, volume=amount(volume), price=amount(price)), amount(f.base_profit),
         "—"],
        [t("retention.leverage.row.volume", lang, x=pct(x), volume=amount(volume * (100 + x) / 100)),
         amount(f.volume_profit), pct(f.volume_gain_pct)],
        [t("retention.leverage.row.price", lang, x=pct(x), price=amount(price * (100 + x) / 100)),
         amount(f.price_profit), pct(f.price_gain_pct)],
        [t("retention.leverage.row.discount", lang, x=pct(-x), price=amount(price * (100 - x) / 100)),
         amount(f.discount_profit), pct(discount_change)],
    ]
    headers = [t(f"retention.leverage.col.{c}", lang) for c in ("case", "profit", "change")]
    lines = [markdown_table(headers, rows),
             t("retention.leverage.margin", lang, margin=amount(f.unit_margin), pct=pct(f.margin_pct, signed=False))]
    if f.leverage is not None:
        lines.append(t("retention.leverage.ratio", lang, x=pct(x), times=f"{f.leverage:,.3g}"))
    if f.volume_loss_allowed_pct is not None:
        lines.append(t("retention.leverage.loss", lang, x=pct(x, signed=False),
                       loss=pct(f.volume_loss_allowed_pct, signed=False)))
    if f.discount_volume_needed_pct is None:
        lines.append(t("retention.leverage.discount_never", lang, x=pct(x, signed=False)))
    else:
        lines.append(t("retention.leverage.discount", lang, x=pct(x, signed=False),
                       more=pct(f.discount_volume_needed_pct, signed=False)))
    return Markdown("\n\n".join(lines))


def leverage_picture(inputs: LeverageInputs, lang: Lang) -> Any:
    """The leverage chart, once the figures are complete."""
    from kamlib.charts.retention import leverage_chart  # matplotlib: loaded when a chart is drawn
    from kamlib.retention import missing_inputs

    if missing_inputs(inputs) or not inputs.price or not inputs.volume:
        return Markdown("")
    return chart_image(leverage_chart(inputs, lang), tight=False)


# ---- cross-sell and up-sell: the whitespace map ---------------------------------------------------------

LINE_FIELDS = (
    FieldSpec("name", "retention.field.line_name"),
    FieldSpec("notes", "retention.field.line_notes", "note"),
)


@for_registered
def product_lines(page: Page) -> NestedRows | None:
    """Our product lines: the columns of the whitespace map."""
    return page.form(NestedRows(page, "retention", ProductLine, LINE_FIELDS, lambda r, lang: r.name,
                                _retention_rows("product_lines"), WHITESPACE))


class WhitespaceForm:
    """A drop-down per unit of the customer tree and product line: bought, open opportunity, not applicable.

    The grid is built from the workbook, and rebuilt when the units, the lines or the language change; what
    the trainee has picked and not saved yet stays as picked (a save elsewhere on the page does not undo it).
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.grid = w.VBox()
        self.save_button = button("", "primary")
        self.save_button.on_click(guarded(page, self.status)(lambda _b: self.save()))
        self.cells: dict[tuple[str, str], w.Dropdown] = {}
        self._shape: tuple[Any, ...] | None = None
        self._lang: Lang | None = None
        self.widget = w.VBox([self.grid, self.save_button, self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        wb = self.page.workbook()
        space = whitespace_map(wb.plan.customer_tree.items, wb.plan.retention.product_lines,
                               wb.plan.retention.whitespace)
        shape = (tuple((u.id, u.name, u.kind, space.levels.get(u.id)) for u in space.units),
                 tuple((line.id, line.name) for line in space.lines))
        if shape != self._shape or lang != self._lang:
            self._build(space, lang)
            self._shape, self._lang = shape, lang
        self.save_button.description = t("retention.whitespace.save", lang)
        self.save_button.layout.display = None if self.cells else "none"
        self.status.relabel(lang)

    def _build(self, space: Any, lang: Lang) -> None:
        """Rows of drop-downs: a cell already shown keeps its value, a new one takes the workbook's."""
        if not space.units:
            self.grid.children = [w.HTML(html.escape(t("retention.whitespace.no_tree", lang)))]
            self.cells = {}
            return
        if not space.lines:
            self.grid.children = [w.HTML(html.escape(t("retention.whitespace.no_lines", lang)))]
            self.cells = {}
            return
        options = [(t("retention.cell.unmarked", lang), None),
                   *((t(f"retention.cell.{s}", lang), s) for s in ("bought", "open", "na"))]
        header = [w.HTML("", layout=w.Layout(width="18em"))]
        header += [w.HTML(f"<b>{html.escape(line.name)}</b>", layout=w.Layout(width="9em")) for line in space.lines]
        rows = [w.HBox(header)]
        cells: dict[tuple[str, str], w.Dropdown] = {}
        for unit in space.units:
            level = space.levels.get(unit.id, 1)
            tag = "" if unit.kind == "unit" else f" [{t(f'tree.kind.{unit.kind}', lang)}]"
            label = "&nbsp;&nbsp;" * (level - 1) + html.escape(unit.name + tag)
            row = [w.HTML(label, layout=w.Layout(width="18em"))]
            for line in space.lines:
                key = (unit.id, line.id)
                value = self.cells[key].value if key in self.cells else space.status(*key)
                cells[key] = w.Dropdown(options=options, value=value, layout=w.Layout(width="9em"))
                row.append(cells[key])
            rows.append(w.HBox(row))
        self.cells = cells
        self.grid.children = rows

    def save(self) -> int:
        """Store every marked cell (cells of units or lines no longer there are dropped); returns how many."""
        cells = whitespace_cells({key: box.value for key, box in self.cells.items()})
        update_workbook(self.page.workbook_file(), lambda wb: setattr(wb.plan.retention, "whitespace", cells),
                        section="retention")
        self.page.refresh(set(WHITESPACE))
        self.status.say_key("ok", "rows.saved")
        return len(cells)


@for_registered
def whitespace(page: Page) -> WhitespaceForm | None:
    """The map to fill in, then its chart and the gaps to work on."""
    form = page.form(WhitespaceForm(page))
    page.show(lambda lang: whitespace_picture(page.workbook(), lang), on=WHITESPACE)
    page.show(lambda lang: whitespace_text(page.workbook(), lang), on=WHITESPACE)
    return form


def _space(wb: Workbook) -> Any:
    r = wb.plan.retention
    return whitespace_map(wb.plan.customer_tree.items, r.product_lines, r.whitespace)


def whitespace_picture(wb: Workbook, lang: Lang) -> Any:
    from kamlib.charts.retention import whitespace_chart  # matplotlib: loaded when a chart is drawn

    space = _space(wb)
    if not space.units or not space.lines:
        return Markdown("")
    return chart_image(whitespace_chart(space, lang), tight=False)


MAX_GAPS_SHOWN = 12


def whitespace_text(wb: Workbook, lang: Lang) -> Markdown:
    """The counts, and the gaps in the order to work on them."""
    space = _space(wb)
    if not space.units or not space.lines:
        return Markdown("")
    c = space.counts()
    coverage = "—" if c.coverage is None else f"{c.coverage:.0%}"
    parts = [t("retention.whitespace.counts", lang, bought=c.bought, open=c.open, na=c.na, unmarked=c.unmarked,
               gaps=c.gaps, coverage=coverage)]
    gaps = space.gaps()
    names = {u.id: u.name for u in space.units} | {line.id: line.name for line in space.lines}
    if gaps:
        rows = [[md_escape(names[g.unit_id]), md_escape(names[g.line_id]),
                 t(f"retention.cell.{g.status or 'unmarked'}", lang),
                 t("retention.whitespace.elsewhere" if g.bought_elsewhere else "retention.whitespace.nowhere", lang)]
                for g in gaps[:MAX_GAPS_SHOWN]]
        headers = [t(f"retention.whitespace.col.{c}", lang) for c in ("unit", "line", "status", "reference")]
        parts += [t("retention.whitespace.gaps_heading", lang), markdown_table(headers, rows)]
        if len(gaps) > MAX_GAPS_SHOWN:
            parts.append(t("retention.whitespace.more", lang, count=len(gaps) - MAX_GAPS_SHOWN))
    parts.append(t("retention.whitespace.upsell", lang))
    return Markdown("\n\n".join(parts))


# ---- the organisational customer relationship ----------------------------------------------------------


def _org_choices(lang: Lang, _wb: Workbook) -> list[tuple[str, Any]]:
    return [(f"{t(f'retention.org.kind.{kind}', lang)} · {t(f'retention.org.item.{item}', lang)}", item)
            for kind in ORG_KINDS for item in ORG_ITEMS[kind]]


RELATION_FIELDS = (
    FieldSpec("item", "retention.field.org_item", "choice", _org_choices),
    FieldSpec("status", "retention.field.org_status", "choice", catalog_choices("retention.org.status", ("in_place",
                                                                                                    "planned"))),
    FieldSpec("description", "retention.field.org_description", "note"),
    FieldSpec("since", "retention.field.org_since", "date"),
)


def _relation_label(r: OrgRelation, lang: Lang) -> str:
    mark = "✔" if r.status == "in_place" else "○"
    return f"{mark} {t(f'retention.org.kind.{org_kind(r.item)}', lang)} · {t(f'retention.org.item.{r.item}', lang)}"


@for_registered
def relations(page: Page) -> NestedRows | None:
    """What of the three kinds is in place at the account (or planned), and whether that makes it organised."""
    editor = page.form(NestedRows(page, "retention", OrgRelation, RELATION_FIELDS, _relation_label,
                                  _retention_rows("relations"), RELATIONS))
    page.show(lambda lang: relations_text(page.workbook().plan.retention.relations, lang), on=RELATIONS)
    return editor


def relations_text(items: Sequence[OrgRelation], lang: Lang) -> Markdown:
    """The three kinds with the deck's sub-items; what is in place and planned; the verdict."""
    summary = org_summary(items)
    rows = []
    for kind in ORG_KINDS:
        deck = t("i18n.separator", lang).join(t(f"retention.org.item.{i}", lang) for i in ORG_ITEMS[kind]
                                                   if not i.endswith("_other"))
        cells = [_org_cell(summary.in_place[kind], lang), _org_cell(summary.planned[kind], lang)]
        rows.append([f"**{t(f'retention.org.kind.{kind}', lang)}**", t(f"retention.org.what.{kind}", lang, items=deck),
                     *cells])
    headers = [t(f"retention.org.col.{c}", lang) for c in ("kind", "what", "in_place", "planned")]
    verdict = "retention.org.established" if summary.established else "retention.org.not_established"
    kinds = t("i18n.separator", lang).join(t(f"retention.org.kind.{k}", lang) for k in summary.kinds_in_place)
    return Markdown(markdown_table(headers, rows) + "\n\n" + t(verdict, lang, kinds=kinds))


def _org_cell(items: Sequence[OrgRelation], lang: Lang) -> str:
    if not items:
        return "—"
    return "<br>".join(f"{t(f'retention.org.item.{r.item}', lang)}"
                       + (f": {md_escape(r.description)}" if r.description else "") for r in items)


# ---- the substitutability assessment -----------------------------------------------------------------------


class AssessmentForm:
    """Take the eight questions on a date (a new row each time: the history stays), or correct one taken.

    With ``crisis`` (special topic 2) the form re-runs the assessment after the crisis chosen there: it
    lists and saves the assessments linked to that crisis.
    """

    def __init__(self, page: Page, crisis: Any = None) -> None:
        self.page = page
        self.crisis = crisis
        self.status = Status(page)
        wide = {"description_width": "12em"}
        self.picker = w.Dropdown(layout=w.Layout(width="36em"), style={"description_width": "initial"})
        self.date = w.Text(layout=w.Layout(width="22em"), style=wide)
        self.prompts = [w.HTML() for _ in QUESTIONS]
        self.answers = [w.ToggleButtons(options=[("", True), ("", False)], value=None) for _ in QUESTIONS]
        self.notes = w.Textarea(layout=w.Layout(width="48em", height="4em"), style=wide)
        self.link = w.Dropdown(options=[("—", None)], value=None, layout=w.Layout(width="36em"), style=wide)
        if crisis is not None:
            self.link.layout.display = "none"
        self.save_button = button("", "primary")
        self.delete_button = button("", "danger")
        self.undo_button = button("")
        self.undo_button.layout.display = "none"  # shown after a delete, until it is used or the next save
        self._deleted: tuple[Assessment, int] | None = None
        run = guarded(page, self.status)
        self.picker.observe(run(lambda _c: self.load()), names="value")
        self.save_button.on_click(run(lambda _b: self.save()))
        self.delete_button.on_click(run(lambda _b: self.delete()))
        self.undo_button.on_click(run(lambda _b: self.undo_delete()))
        questions = [w.VBox([p, a]) for p, a in zip(self.prompts, self.answers, strict=True)]
        self.widget = w.VBox([self.picker, self.date, *questions, self.notes, self.link,
                              w.HBox([self.save_button, self.delete_button, self.undo_button]), self.status.widget])
        self.relabel(page.lang)
        self.load()

    def crisis_id(self) -> str | None:
        return None if self.crisis is None else self.crisis.value

    def listed(self, wb: Workbook) -> list[Assessment]:
        items = history(wb.plan.assessments.items)
        if self.crisis is None:
            return items
        return [a for a in items if a.crisis_id is not None and a.crisis_id == self.crisis_id()]

    def relabel(self, lang: Lang) -> None:
        wb = self.page.workbook()
        titles = {c.id: c.title for c in wb.plan.crises.items}
        current = self.picker.value
        options = [(t("retention.assessment.new", lang), NEW)]
        for a in self.listed(wb):
            after = f" · {t('retention.assessment.after', lang, title=titles[a.crisis_id])}" if a.crisis_id in titles \
                else ""
            options.append((f"{a.taken_on.isoformat()} · {score(a)}/{len(QUESTIONS)}{after}", a.id))
        self._relabelling = True
        try:
            self.picker.options = options
            self.picker.value = current if current in {v for _, v in options} else NEW
            link = self.link.value
            self.link.options = [("—", None), *((c.title, c.id) for c in wb.plan.crises.items)]
            self.link.value = link if link in titles else None
            for toggle in self.answers:
                value = toggle.value
                toggle.options = [(t("retention.answer.yes", lang), True), (t("retention.answer.no", lang), False)]
                toggle.value = value
        finally:
            self._relabelling = False
        self.picker.description = t("retention.assessment.pick", lang)
        self.date.description = t("retention.field.taken_on", lang)
        self.date.placeholder = t("rows.date_hint", lang)
        for n, (prompt, code) in enumerate(zip(self.prompts, QUESTIONS, strict=True), start=1):
            text = t("retention.numbered", lang, n=n, text=t(f"retention.question.{code}", lang))
            prompt.value = f"<b>{html.escape(text)}</b>"
        self.notes.description = t("retention.field.assessment_notes", lang)
        self.link.description = t("retention.field.crisis_link", lang)
        fit_labels([self.date, self.notes, self.link])
        self.save_button.description = t("retention.assessment.save", lang)
        self.delete_button.description = t("rows.delete", lang)
        if self._deleted is not None:
            self.undo_button.description = t("rows.undo", lang, row=_assessment_label(self._deleted[0]))
        self.status.relabel(lang)

    def load(self) -> None:
        """Fill the form from the chosen assessment, or empty it (today's date) for a new one."""
        if getattr(self, "_relabelling", False):
            return
        found = next((a for a in self.page.workbook().plan.assessments.items if a.id == self.picker.value), None)
        self.date.value = (found.taken_on if found else today()).isoformat()
        for toggle, answer in zip(self.answers, found.answers if found else [None] * len(QUESTIONS), strict=True):
            toggle.value = answer
        self.notes.value = found.notes if found else ""
        self.link.value = found.crisis_id if found and found.crisis_id in {v for _, v in self.link.options} else None
        self.status.clear()

    def values(self) -> dict[str, Any]:
        """The date and the eight answers; every question must be answered (yes or no)."""
        problems: list[Text] = []
        text = self.date.value.strip()
        try:
            taken_on = dt.date.fromisoformat(text)
        except ValueError:
            taken_on = None
            problems.append(Text("errors.input.not_a_date", {"field": Text("retention.field.taken_on"),
                                                               "value": text}))
        unanswered = [str(n) for n, a in enumerate(self.answers, start=1) if a.value is None]
        if unanswered:
            problems.append(Text("retention.assessment.unanswered", {"numbers": ", ".join(unanswered)}))
        if self.crisis is not None and self.crisis_id() is None:
            problems.append(Text("crisis.error.choose_first"))
        if problems:
            raise InputError("errors.input.rejected", details=problems)
        link = self.crisis_id() if self.crisis is not None else self.link.value
        return {"taken_on": taken_on, "answers": [a.value for a in self.answers], "notes": self.notes.value,
                "crisis_id": link}

    def save(self) -> str:
        values = self.values()
        row_id = self.picker.value
        row = Assessment(**values) if row_id == NEW else Assessment(id=row_id, **values)

        def change(wb: Workbook) -> None:
            items = wb.plan.assessments.items
            if row_id == NEW:
                items.append(row)
            else:
                items[next(i for i, a in enumerate(items) if a.id == row_id)] = row

        update_workbook(self.page.workbook_file(), change, section="assessments")
        self._forget_deleted()
        self.page.refresh({"assessments"})
        self.relabel(self.page.lang)
        self.picker.value = row.id
        self.load()
        self.status.say_key("ok", "retention.assessment.saved", score=score(row), max=len(QUESTIONS))
        return row.id

    def delete(self) -> None:
        """Delete the chosen assessment at once, and offer to put it back (the undo button)."""
        row_id = self.picker.value
        if row_id == NEW:
            return
        deleted: list[tuple[Assessment, int]] = []

        def change(wb: Workbook) -> None:
            deleted[:] = [(a, i) for i, a in enumerate(wb.plan.assessments.items) if a.id == row_id]
            wb.plan.assessments.items = [a for a in wb.plan.assessments.items if a.id != row_id]

        update_workbook(self.page.workbook_file(), change, section="assessments")
        self._deleted = deleted[0] if deleted else None
        self.page.refresh({"assessments"})
        self.relabel(self.page.lang)
        self.picker.value = NEW
        self.load()
        if self._deleted is not None:
            self.undo_button.layout.display = None
            label = _assessment_label(self._deleted[0])
            self.status.say("ok", lambda lang: t("rows.deleted", lang, row=label))

    def undo_delete(self) -> str | None:
        """Put the assessment last deleted here back; returns its id (None: nothing to undo)."""
        if self._deleted is None:
            return None
        row, index = self._deleted
        present: list[bool] = []

        def change(wb: Workbook) -> None:
            items = wb.plan.assessments.items
            present[:] = [any(a.id == row.id for a in items)]
            if not present[0]:
                items.insert(min(index, len(items)), row)

        update_workbook(self.page.workbook_file(), change, section="assessments")
        self._forget_deleted()
        self.page.refresh({"assessments"})
        self.relabel(self.page.lang)
        if row.id in {v for _, v in self.picker.options}:
            self.picker.value = row.id
        self.load()
        key = "rows.restore_present" if present[0] else "rows.restored"
        self.status.say("info" if present[0] else "ok", lambda lang: t(key, lang, row=_assessment_label(row)))
        return row.id

    def _forget_deleted(self) -> None:
        self._deleted = None
        self.undo_button.layout.display = "none"


def _assessment_label(a: Assessment) -> str:
    """An assessment as the undo button names it: its date and score."""
    return f"{a.taken_on.isoformat()} · {score(a)}/{len(QUESTIONS)}"


@for_registered
def assessment(page: Page) -> AssessmentForm | None:
    """The eight questions, the history with its trend, and the activities for what scored 0."""
    form = page.form(AssessmentForm(page))
    page.show(lambda lang: history_text(page.workbook(), lang), on=ASSESSMENT_KEYS)
    page.show(lambda lang: trend_picture(page.workbook(), lang), on=ASSESSMENT_KEYS)
    page.show(lambda lang: activities_text(page.workbook(), lang), on={"assessments"})
    return form


def history_text(wb: Workbook, lang: Lang) -> Markdown:
    """Every assessment with its score, change and answers; when the next one is due."""
    items = wb.plan.assessments.items
    if not items:
        return Markdown(t("retention.assessment.empty", lang))
    by_id = {a.id: a for a in items}
    titles = {c.id: c.title for c in wb.plan.crises.items}
    rows = []
    for p in trend(items):
        answers = [t("retention.answer.yes_short" if yes else "retention.answer.no_short", lang)
                   for yes in by_id[p.assessment_id].answers]
        change = "—" if p.change is None else f"{p.change:+d}"
        after = md_escape(titles[p.crisis_id]) if p.crisis_id in titles else ""
        rows.append([p.taken_on.isoformat(), f"{p.score}/{len(QUESTIONS)}", change, *answers, after])
    headers = [t("retention.assessment.col.date", lang), t("retention.assessment.col.score", lang),
               t("retention.assessment.col.change", lang), *(f"Q{n}" for n in range(1, len(QUESTIONS) + 1)),
               t("retention.assessment.col.crisis", lang)]
    due = next_review(items)
    key = "retention.assessment.overdue" if due and due < today() else "retention.assessment.next"
    legend = t("retention.assessment.legend", lang)
    return Markdown("\n\n".join([markdown_table(headers, rows), legend, t(key, lang, date=due.isoformat())]))  # type: ignore[union-attr]


def trend_picture(wb: Workbook, lang: Lang) -> Any:
    from kamlib.charts.retention import assessment_trend_chart  # matplotlib: loaded when a chart is drawn

    items = wb.plan.assessments.items
    if not items:
        return Markdown("")
    return chart_image(assessment_trend_chart(items, lang, wb.plan.crises.items), tight=False)


def activities_text(wb: Workbook, lang: Lang) -> Markdown:
    """For each question of the latest assessment that scored 0, the deck's activities that address it."""
    last = latest(wb.plan.assessments.items)
    if last is None:
        return Markdown("")
    zeros = recommended_activities(last)
    if not zeros:
        return Markdown(t("retention.activities.none_zero", lang, date=last.taken_on.isoformat()))
    return Markdown(t("retention.activities.heading", lang, date=last.taken_on.isoformat()) + "\n\n"
                    + activities_markdown(zeros, lang) + "\n\n" + t("retention.activities.mapping", lang))


def activities_markdown(zeros: Mapping[str, tuple[str, ...]], lang: Lang) -> str:
    """A table: each question that scored 0 and the activities aimed at it (with what they do)."""
    rows = [[t("retention.numbered", lang, n=QUESTIONS.index(q) + 1, text=t(f"retention.question_short.{q}", lang)),
             "<br>".join(f"**{t(f'retention.activity.{a}.name', lang)}**: {t(f'retention.activity.{a}.for.{q}', lang)}"
                         for a in activities)]
            for q, activities in zeros.items()]
    return markdown_table([t("retention.activities.col.question", lang), t("retention.activities.col.activities",
                                                                           lang)], rows)


def _question_choices(lang: Lang, _wb: Workbook) -> list[tuple[str, Any]]:
    return [(t("retention.numbered", lang, n=n, text=t(f"retention.question_short.{q}", lang)), n)
            for n, q in enumerate(QUESTIONS, start=1)]


ACTIVITY_FIELDS = (
    FieldSpec("activity", "retention.field.activity", "choice", catalog_choices("retention.activity_choice",
                                                                          (*ACTIVITIES, "other"))),
    FieldSpec("text", "retention.field.activity_text"),
    FieldSpec("questions", "retention.field.activity_questions", "multi", _question_choices),
    FieldSpec("owner", "retention.field.owner"),
    FieldSpec("due_on", "retention.field.due_on", "date"),
    FieldSpec("done", "retention.field.done", "bool"),
)


@for_registered
def planned_activities(page: Page) -> NestedRows | None:
    """The activities the trainee plans for the gaps, and the gaps no activity is aimed at yet."""
    editor = page.form(NestedRows(
        page, "retention", PlannedActivity, ACTIVITY_FIELDS,
        lambda r, lang: ("✔ " if r.done else "") + f"{t(f'retention.activity_choice.{r.activity}', lang)} · {r.text}",
        _retention_rows("activities"), ACTIVITY_KEYS))
    page.show(lambda lang: coverage_text(page.workbook(), lang), on=ACTIVITY_KEYS)
    return editor


def coverage_text(wb: Workbook, lang: Lang) -> Markdown:
    """Which questions that scored 0 still have no planned activity."""
    last = latest(wb.plan.assessments.items)
    if last is None:
        return Markdown("")
    gaps = uncovered_questions(last, wb.plan.retention.activities)
    if not gaps:
        return Markdown(t("retention.activities.covered", lang))
    names = [t("retention.numbered", lang, n=QUESTIONS.index(q) + 1, text=t(f"retention.question_short.{q}", lang))
             for q in gaps]
    return Markdown(t("retention.activities.uncovered", lang, questions=t("i18n.separator", lang).join(names)))


# ---- the relationship stage -------------------------------------------------------------------------------


class StageForm:
    """Where we stand (with the evidence) and where we aim, by when."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        saved = page.workbook().plan.retention.stage
        style = {"description_width": "14em"}
        self.current = w.Dropdown(options=[("—", None)], layout=w.Layout(width="36em"), style=style)
        self.evidence = w.Textarea(value=saved.evidence, layout=w.Layout(width="48em", height="5em"), style=style)
        self.target = w.Dropdown(options=[("—", None)], layout=w.Layout(width="36em"), style=style)
        self.target_on = w.Text(value=saved.target_on.isoformat() if saved.target_on else "",
                                layout=w.Layout(width="24em"), style=style)
        self.save_button = button("", "primary")
        self.save_button.on_click(guarded(page, self.status)(lambda _b: self.save()))
        self.widget = w.VBox([self.current, self.evidence, self.target, self.target_on, self.save_button,
                              self.status.widget])
        self.relabel(page.lang)
        self.current.value, self.target.value = saved.current, saved.target

    def relabel(self, lang: Lang) -> None:
        options = [("—", None), *((t(f"retention.stage.{s}", lang), s) for s in STAGES)]
        for box in (self.current, self.target):
            value = box.value
            box.options = options
            box.value = value
        self.current.description = t("retention.field.stage", lang)
        self.evidence.description = t("retention.field.evidence", lang)
        self.evidence.placeholder = t("retention.placeholder.evidence", lang)
        self.target.description = t("retention.field.target", lang)
        self.target_on.description = t("retention.field.target_on", lang)
        self.target_on.placeholder = t("rows.date_hint", lang)
        fit_labels([self.current, self.evidence, self.target, self.target_on], least=14)
        self.save_button.description = t("rows.save", lang)
        self.status.relabel(lang)

    def save(self) -> StageChoice:
        text = self.target_on.value.strip()
        try:
            target_on = dt.date.fromisoformat(text) if text else None
        except ValueError:
            raise InputError("errors.input.rejected", details=[Text("errors.input.not_a_date", {
                "field": Text("retention.field.target_on"), "value": text})]) from None
        choice = StageChoice(current=self.current.value, evidence=self.evidence.value, target=self.target.value,
                             target_on=target_on)
        update_workbook(self.page.workbook_file(), lambda wb: setattr(wb.plan.retention, "stage", choice),
                        section="retention")
        self.page.refresh(set(STAGE_KEYS) - {"assessments"})
        self.status.say_key("ok", "rows.saved")
        return choice


def stage(page: Page) -> StageForm | None:
    """The five stages explained, the trainee's placement and target, the ladder chart and the hints."""
    page.prose("retention.stage.guide")
    if not page.registered:
        return None
    form = page.form(StageForm(page))
    page.show(lambda lang: stage_picture(page.workbook(), lang), on=STAGE_KEYS)
    page.show(lambda lang: stage_text(page.workbook(), lang), on=STAGE_KEYS)
    return form


def stage_picture(wb: Workbook, lang: Lang) -> Any:
    from kamlib.charts.retention import stage_chart  # matplotlib: loaded when a chart is drawn

    return chart_image(stage_chart(wb.plan.retention.stage, latest(wb.plan.assessments.items), lang), tight=False)


def stage_text(wb: Workbook, lang: Lang) -> Markdown:
    hints = stage_hints(wb.plan.retention.stage, latest(wb.plan.assessments.items), today())
    if not hints:
        return Markdown(t("retention.hint.none", lang))
    return problems_markdown("retention.hint.heading", hints, lang)


# ---- the chapter at a glance ------------------------------------------------------------------------------


@for_registered
def summary(page: Page) -> None:
    """Score and trend, stage, organisational relationship, whitespace and open crises, in a few lines."""
    page.show(lambda lang: summary_text(page.workbook(), lang))


def summary_text(wb: Workbook, lang: Lang) -> Markdown:
    from kamlib.crisis import crisis_status

    plan = wb.plan
    points = trend(plan.assessments.items)
    if points:
        last = points[-1]
        change = "" if last.change is None else t("retention.summary.change", lang, change=f"{last.change:+d}")
        line_score = t("retention.summary.score", lang, score=last.score, max=len(QUESTIONS),
                       date=last.taken_on.isoformat(), change=change)
    else:
        line_score = t("retention.summary.no_score", lang)
    current = plan.retention.stage.current
    line_stage = t("retention.summary.stage", lang, stage=t(f"retention.stage.{current}", lang) if current else "—")
    org = org_summary(plan.retention.relations)
    line_org = t("retention.summary.org_yes" if org.established else "retention.summary.org_no", lang)
    counts = _space(wb).counts()
    line_space = t("retention.summary.gaps", lang, gaps=counts.gaps, total=counts.total)
    open_crises = [c for c in plan.crises.items if crisis_status(c, today()) != "closed"]
    line_crises = t("retention.summary.crises", lang, count=len(open_crises))
    lines = [line_score, line_stage, line_org, line_space, line_crises]
    return Markdown("\n".join(f"- {line}" for line in lines))  # under the page's own heading
