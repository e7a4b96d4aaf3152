"""A row editor for any section of the plan: pick a row (or a new one), edit its fields, save.

Chapters describe their fields once (``FieldSpec``); the editor builds the widgets, parses and
validates what the trainee typed (errors name the field in their language), and saves through
the store. Nothing is kept in the editor: after every save it re-reads the workbook.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

import ipywidgets as w
from pydantic import ValidationError

from kamlib.errors import InputError
from kamlib.exercises import parse_number
from kamlib.forms.common import Status, button, fit_labels, guarded
from kamlib.forms.page import Page, for_registered
from kamlib.i18n import Lang, Text, t
from kamlib.model import update_workbook
from kamlib.model.validation import describe
from kamlib.model.workbook import Row, Workbook

NEW = "__new__"
Kind = Literal["text", "note", "number", "date", "choice", "multi", "combo", "bool", "history"]
HISTORY_YEARS = 2  # rows of past years offered (the course looks at three years: two past + this one)
Choices = Callable[[Lang, Workbook], list[tuple[str, Any]]]
RowT = TypeVar("RowT", bound=Row)


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: the model attribute (dotted for a nested one, e.g. ``profile.interests``),
    its label's catalog key, and how it is entered."""

    name: str
    label: str
    kind: Kind = "text"
    choices: Choices | None = None  # for "choice": (label, value) pairs; None allowed as "—"
    hint: str | None = None  # catalog key of a placeholder


@dataclass
class RowEditor(Generic[RowT]):
    """Edit the rows of ``section`` (a list of ``model`` rows in ``wb.plan``)."""

    page: Page
    section: str
    model: type[RowT]
    fields: Sequence[FieldSpec]
    row_label: Callable[[RowT, Lang], str]
    on_saved: Callable[[], None] | None = None
    extra: Sequence[w.Widget] = field(default_factory=tuple)
    # (the row as saved before or None, the row as edited) -> the row to save, e.g. to keep history
    before_save: Callable[[RowT | None, RowT], RowT] | None = None
    # (the rows as saved now, the row about to be saved or put back) -> raise an InputError to refuse it,
    # e.g. an account whose name is on the list already; runs under the workbook's lock
    check: Callable[[list[RowT], RowT], None] | None = None

    def __post_init__(self) -> None:
        self.status = Status(self.page)
        self.picker = w.Dropdown(layout=w.Layout(width="36em"), style={"description_width": "initial"})
        self.inputs: dict[str, w.Widget] = {f.name: _widget(f) for f in self.fields}
        self.save_button = button("", "primary")
        self.delete_button = button("", "danger")
        self.undo_button = button("")
        self.undo_button.layout.display = "none"  # shown after a delete, until it is used or the next save
        self._deleted: tuple[RowT, int, Place] | None = None  # the row last deleted here and where it stood
        run = guarded(self.page, self.status)
        self.picker.observe(run(lambda _c: self.load_row()), names="value")
        self.save_button.on_click(run(lambda _b: self.save()))
        self.delete_button.on_click(run(lambda _b: self.delete()))
        self.undo_button.on_click(run(lambda _b: self.undo_delete()))
        self.widget = w.VBox([
            self.picker, *self.inputs.values(), *self.extra,
            w.HBox([self.save_button, self.delete_button, self.undo_button]), self.status.widget,
        ])
        self.relabel(self.page.lang)

    # ---- labels and choices ------------------------------------------------------------------
    def relabel(self, lang: Lang) -> None:
        wb = self.page.workbook()
        self.picker.description = t("rows.pick", lang)
        current = self.picker.value
        options = [(t("rows.new", lang), NEW)]
        options += [(self.row_label(r, lang), r.id) for r in self.rows(wb)]
        self.picker.options = options
        self.picker.value = current if current in {v for _, v in options} else NEW
        for spec in self.fields:
            widget = self.inputs[spec.name]
            widget.description = t(spec.label, lang)
            if isinstance(widget, HistoryInput):
                widget.relabel(lang)
            if spec.hint and hasattr(widget, "placeholder"):
                widget.placeholder = t(spec.hint, lang)
            elif spec.kind == "date":
                widget.placeholder = t("rows.date_hint", lang)
            if spec.kind == "choice" and spec.choices is not None:
                value = widget.value
                widget.options = [("—", None), *spec.choices(lang, wb)]
                widget.value = value if value in {v for _, v in widget.options} else None
            if spec.kind == "combo" and spec.choices is not None:  # suggestions; any text is accepted
                widget.options = [label for label, _ in spec.choices(lang, wb)]
            if spec.kind == "multi" and spec.choices is not None:
                value = widget.value
                widget.options = spec.choices(lang, wb)
                widget.value = tuple(v for v in value if v in {v for _, v in widget.options})
        fit_labels(self.inputs.values())
        self.save_button.description = t("rows.save", lang)
        self.delete_button.description = t("rows.delete", lang)
        if self._deleted is not None:
            self.undo_button.description = t("rows.undo", lang, row=self.row_label(self._deleted[0], lang))
        self.status.relabel(lang)

    def rows(self, wb: Workbook) -> list[RowT]:
        return getattr(wb.plan, self.section).items

    # ---- actions -------------------------------------------------------------------------------
    def load_row(self) -> None:
        """Fill the fields from the chosen row (or empty them for a new row)."""
        row = next((r for r in self.rows(self.page.workbook()) if r.id == self.picker.value), None)
        for spec in self.fields:
            value = _get(row, spec.name) if row is not None else None
            _set(self.inputs[spec.name], spec, value)
        self.status.clear()

    def values(self) -> dict[str, Any]:
        """The fields as typed, parsed; a number that is not one is an error naming the field."""
        out: dict[str, Any] = {}
        problems: list[Text] = []
        for spec in self.fields:
            raw = self.inputs[spec.name].value
            if spec.kind == "history":
                out[spec.name] = self.inputs[spec.name].parsed(problems)
            elif spec.kind == "number":
                text = str(raw).strip()
                try:
                    out[spec.name] = parse_number(text) if text else None
                except ValueError:
                    problems.append(Text("errors.input.not_a_number", {"field": Text(spec.label), "value": text}))
            elif spec.kind == "date":
                text = str(raw).strip()
                try:
                    out[spec.name] = dt.date.fromisoformat(text) if text else None
                except ValueError:
                    problems.append(Text("errors.input.not_a_date", {"field": Text(spec.label), "value": text}))
            elif spec.kind == "multi":
                out[spec.name] = list(raw)
            else:
                out[spec.name] = raw
        if problems:
            raise InputError("errors.input.rejected", details=problems)
        return out

    def save(self) -> str:
        """Save the fields into the chosen row, or append a new row; returns the row's id.

        A field left blank takes the model's default when it has one that is not blank.
        """
        values = self.values()
        for name, value in list(values.items()):
            field_info = self.model.model_fields.get(name)
            if value is None and field_info is not None and not field_info.is_required() and (
                field_info.default is not None or field_info.default_factory is not None
            ):
                values[name] = field_info.get_default(call_default_factory=True)
        labels = {s.name.rsplit(".", 1)[-1]: Text(s.label) for s in self.fields}
        row_id = self.picker.value

        def change(wb: Workbook) -> None:
            rows = self.rows(wb)
            keep = self.before_save or (lambda _old, new: new)
            if row_id == NEW:
                row = keep(None, _validated(self.model, _nest({}, values), labels))
                if self.check is not None:
                    self.check(rows, row)
                rows.append(row)
            else:
                i = next(i for i, r in enumerate(rows) if r.id == row_id)
                row = keep(rows[i], _validated(self.model, _nest(rows[i].model_dump(), values), labels))
                if self.check is not None:
                    self.check(rows, row)
                rows[i] = row

        wb = update_workbook(self.page.workbook_file(), change, section=self.section)
        saved_id = self.rows(wb)[-1].id if row_id == NEW else row_id
        self._forget_deleted()
        self.after_save(saved_id)
        return saved_id

    def delete(self) -> None:
        """Delete the chosen row at once, and offer to put it back (the undo button) until the next save."""
        row_id = self.picker.value
        if row_id == NEW:
            return
        deleted: list[tuple[RowT, int, Place]] = []

        def change(wb: Workbook) -> None:
            rows = self.rows(wb)  # the list itself (of the section, or inside the model that holds it)
            place = _place_of(getattr(wb.plan, self.section), rows)
            deleted[:] = [(r, i, place) for i, r in enumerate(rows) if r.id == row_id]
            rows[:] = [r for r in rows if r.id != row_id]

        update_workbook(self.page.workbook_file(), change, section=self.section)
        self.after_save(NEW)
        if deleted:
            self._deleted = deleted[0]
            self.relabel(self.page.lang)
            self.undo_button.layout.display = None
            row = deleted[0][0]
            self.status.say("ok", lambda lang: t("rows.deleted", lang, row=self.row_label(row, lang)))

    def undo_delete(self) -> str | None:
        """Put the row last deleted here back where it stood; returns its id (None: nothing to undo)."""
        if self._deleted is None:
            return None
        row, index, place = self._deleted
        state: list[str] = []

        def change(wb: Workbook) -> None:
            # back into the list it was deleted from, even when another bid, person or incident is chosen now
            rows = self.rows(wb) if place is None else _rows_at(getattr(wb.plan, self.section), place)
            state[:] = []
            if rows is None:
                raise InputError("rows.restore_nowhere", row=self.row_label(row, self.page.lang))
            if any(r.id == row.id for r in rows):
                state.append("present")
                return
            if self.check is not None:
                self.check(rows, row)
            rows.insert(min(index, len(rows)), row)

        update_workbook(self.page.workbook_file(), change, section=self.section)
        self._forget_deleted()
        self.after_save(row.id)
        key = "rows.restore_present" if state else "rows.restored"
        self.status.say("info" if state else "ok", lambda lang: t(key, lang, row=self.row_label(row, lang)))
        return row.id

    def _forget_deleted(self) -> None:
        self._deleted = None
        self.undo_button.layout.display = "none"

    def after_save(self, select: str) -> None:
        self.page.refresh({self.section})
        self.relabel(self.page.lang)
        self.picker.value = select
        self.load_row()
        self.status.say_key("ok", "rows.saved")
        if self.on_saved:
            self.on_saved()


# Where a list of rows is kept in a plan section: (the id of the section's item holding it, or None for the
# section itself; the attributes down to the list), e.g. ("bid-1", ("bidders",)) or (None, ("items",)).
Place = tuple[str | None, tuple[str, ...]] | None
PLACE_DEPTH = 2  # a list kept at most this many models down (a person's profile answers)


def _place_of(container: Any, rows: list[Any]) -> Place:
    """Where ``rows`` (the list object itself) is kept in ``container`` (a plan section); None when not found."""
    def path_to(model: Any, depth: int) -> tuple[str, ...] | None:
        for name, value in vars(model).items():
            if value is rows:
                return (name,)
            if depth > 1 and hasattr(value, "__dict__") and not isinstance(value, type):
                below = path_to(value, depth - 1)
                if below is not None:
                    return (name, *below)
        return None

    path = path_to(container, PLACE_DEPTH)
    if path is not None:
        return (None, path)
    for item in getattr(container, "items", None) or []:
        path = path_to(item, PLACE_DEPTH)
        if path is not None:
            return (item.id, path)
    return None


def _rows_at(container: Any, place: tuple[str | None, tuple[str, ...]]) -> list[Any] | None:
    """The list kept at ``place`` in ``container``; None when its holder is gone."""
    item_id, path = place
    target = container
    if item_id is not None:
        target = next((i for i in getattr(container, "items", None) or [] if i.id == item_id), None)
    for name in path:
        if target is None:
            return None
        target = getattr(target, name, None)
    return target if isinstance(target, list) else None


def catalog_choices(prefix: str, values: Iterable[Any]) -> Choices:
    """Choices labelled from the catalog, ``<prefix>.<value>``; the attitude symbols (not TOML keys) go by
    their catalog names (``*`` strong, ``+`` support, ``=`` neutral, ``-`` against, ``/`` oppose)."""
    values = tuple(values)
    return lambda lang, _wb: [(t(f"{prefix}.{ATTITUDE_KEYS.get(v, v)}", lang), v) for v in values]


ATTITUDE_KEYS = {"*": "strong", "+": "support", "=": "neutral", "-": "against", "/": "oppose"}


def key_person_choices(_lang: Lang, wb: Workbook) -> list[tuple[str, Any]]:
    """The key persons of chapter 2, "name (title)", by id."""
    return [(f"{p.name} ({p.title})" if p.title else p.name, p.id) for p in wb.plan.key_persons.items]


@for_registered
def section_editor(page: Page, section: str, model: type[Row], fields: Sequence[FieldSpec],
                   row_label: Callable[[Any, Lang], str], **options: Any) -> RowEditor | None:
    """The row editor of one plan section, shown on the page (none until the trainee has registered)."""
    return page.form(RowEditor(page, section, model, fields, row_label=row_label, **options))


def _get(row: Any, name: str) -> Any:
    for part in name.split("."):
        row = getattr(row, part)
    return row


def _nest(base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``values`` set, dotted names going into nested tables."""
    out = dict(base)
    for name, value in values.items():
        *parents, leaf = name.split(".")
        target = out
        for part in parents:
            target[part] = dict(target.get(part) or {})
            target = target[part]
        target[leaf] = value
    return out


def _validated(model: type[RowT], values: dict[str, Any], labels: dict[str, Text]) -> RowT:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InputError("errors.input.rejected", details=describe(exc, labels)) from exc


class HistoryInput(w.VBox):
    """Past years of an account: year, BP (wan yuan) and SoW (%) per row; blank rows are ignored."""

    def __init__(self) -> None:
        widths = ("7em", "10em", "8em")
        self.rows = [tuple(w.Text(layout=w.Layout(width=width)) for width in widths) for _ in range(HISTORY_YEARS)]
        self.label = w.HTML()
        # the columns are named above the boxes, whole (a hint inside a box is cut, and gone once typed over)
        self.heads = [w.HTML(layout=w.Layout(width=width)) for width in widths]
        super().__init__([self.label, w.HBox(self.heads), *(w.HBox(list(r)) for r in self.rows)])
        self.description = ""

    @property
    def value(self) -> list[dict[str, Any]]:
        return [{"year": y.value, "bp_wan": b.value, "sow_pct": s.value} for y, b, s in self.rows]

    @value.setter
    def value(self, history: list[Any] | None) -> None:
        items = sorted(history or [], key=lambda h: h.year)[-HISTORY_YEARS:]
        for i, (year, bp, sow) in enumerate(self.rows):
            h = items[i] if i < len(items) else None
            year.value = str(h.year) if h else ""
            bp.value = "" if h is None or h.bp_wan is None else f"{h.bp_wan:g}"
            sow.value = "" if h is None or h.sow_pct is None else f"{h.sow_pct:g}"

    def relabel(self, lang: Lang) -> None:
        self.label.value = f"<b>{t('rows.history', lang)}</b>"
        for head, key in zip(self.heads, ("rows.year", "fields.bp_wan", "fields.sow_pct"), strict=True):
            head.value = f'<div style="line-height:1.25">{html.escape(t(key, lang))}</div>'

    def parsed(self, problems: list[Text]) -> list[dict[str, Any]]:
        """The filled-in rows as numbers; each unparsable cell adds a problem naming it."""
        out = []
        for cells in self.value:
            if not any(str(v).strip() for v in cells.values()):
                continue
            row: dict[str, Any] = {}
            for name, raw in cells.items():
                text = str(raw).strip()
                try:
                    row[name] = (int(parse_number(text)) if name == "year" else parse_number(text)) if text else None
                except ValueError:
                    label = Text("rows.year") if name == "year" else Text(f"fields.{name}")
                    problems.append(Text("errors.input.not_a_number", {"field": label, "value": text}))
            out.append(row)
        return out


def _widget(spec: FieldSpec) -> w.Widget:
    style = {"description_width": "12em"}
    if spec.kind == "history":
        return HistoryInput()
    if spec.kind == "note":
        return w.Textarea(layout=w.Layout(width="48em", height="4em"), style=style)
    if spec.kind == "bool":
        return w.Checkbox(indent=True, style=style)
    if spec.kind == "choice":
        return w.Dropdown(options=[("—", None)], value=None, layout=w.Layout(width="32em"), style=style)
    if spec.kind == "combo":
        return w.Combobox(options=[], ensure_option=False, layout=w.Layout(width="36em"), style=style)
    if spec.kind == "multi":
        return w.SelectMultiple(options=[], layout=w.Layout(width="32em", height="7em"), style=style)
    width = "22em" if spec.kind == "number" else "36em"
    return w.Text(layout=w.Layout(width=width), style=style)


def _set(widget: w.Widget, spec: FieldSpec, value: Any) -> None:
    if spec.kind == "history":
        widget.value = value
    elif spec.kind == "bool":
        widget.value = bool(value)
    elif spec.kind == "choice":
        widget.value = value if value in {v for _, v in widget.options} else None
    elif spec.kind == "number":
        widget.value = "" if value is None else f"{value:g}"
    elif spec.kind == "date":
        widget.value = "" if value is None else value.isoformat()
    elif spec.kind == "multi":
        widget.value = tuple(v for v in (value or []) if v in {v for _, v in widget.options})
    else:
        widget.value = value or ""
