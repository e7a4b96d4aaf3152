"""Special topic 1 forms: the tender and its scoring rule, the agency templates, the bidders and their scores,
the rule maker (every rule within the bounds), the T1–T4 targets worksheet and the bid document checklist.

The tender chosen in the tender editor is the one every other form and display of the page works on.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

import ipywidgets as w
from IPython.display import Markdown

from kamlib.bidding import (
    CHECKLIST,
    PARTS,
    QUALITY_FIELDS,
    TARGETS,
    Analysis,
    analyse_bid,
    bounds_problems,
    checklist_done,
    deck_example,
    flip_text,
    overdue_actions,
    part_code,
    part_label,
    points_from_share,
    result_text,
    rule_text,
    share_from_points,
    uncovered_parts,
)
from kamlib.errors import InputError, KamError
from kamlib.exercises import parse_number
from kamlib.forms.common import Status, button, chart_image, fit_labels, guarded, markdown_table, md_escape
from kamlib.forms.nav import chapter_page
from kamlib.forms.page import Page, message_html
from kamlib.forms.rows import FieldSpec, RowEditor, catalog_choices, key_person_choices
from kamlib.i18n import Lang, Text, t
from kamlib.model import update_workbook
from kamlib.model.bidding import RULE_POINTS, Bid, Bidder, RuleTemplate, ScoringRule, TargetAction
from kamlib.model.workbook import Row, Workbook
from kamlib.settings import load_settings

READS = frozenset({"bids", "rule_templates"})  # what the tender's scores and rule maker read
AXES = "view:bidding_axes"  # a view setting of the heat map (not a plan section)
WORKSHEET = "view:bidding_worksheet"  # the T1–T4 worksheet's display
CHECKS = "view:bidding_checklist"  # the checklist's summary


class BiddingPage(Page):
    """The special topic's page: a Page whose tender editor says which tender the page works on."""

    def __init__(self, lang: str | None = None, workbook: str | Path | None = None) -> None:
        super().__init__(lang=lang, workbook=workbook)
        self.tender: TenderEditor | None = None
        self.problem_shown = False

    def bid(self, wb: Workbook | None = None) -> Bid | None:
        """The tender chosen in the tender editor, as saved (None before one is chosen)."""
        if self.tender is None or not self.registered:
            return None
        return self.tender.current(wb or self.workbook())


def open_page(lang: str | None = None, workbook: str | Path | None = None) -> BiddingPage:
    return chapter_page(BiddingPage(lang=lang, workbook=workbook), "bidding", "bidding.intro")


def _usable(page: BiddingPage) -> bool:
    """Whether the forms can be built: a registered trainee whose workbook loads (else its problem is said once)."""
    if not page.registered:
        return False
    try:
        page.workbook()
    except KamError as exc:  # e.g. a damaged file: explained, never a traceback; the file is left as it is
        problem = exc
        if not page.problem_shown:
            page.problem_shown = True
            page.show(lambda lang: message_html("error", problem.message(lang)), on=())
        return False
    return True


def method(page: Page) -> None:
    """How the price score is computed, with its sources, and the rules of the game."""
    page.prose("bidding.method")


def _templates(_lang: Lang, wb: Workbook) -> list[tuple[str, Any]]:
    return [(tpl.name, tpl.id) for tpl in wb.plan.rule_templates.items]


# ---- the tender and its rule ---------------------------------------------------------------------------------

BID_FIELDS = (
    FieldSpec("name", "bidding.field.name"),
    FieldSpec("due_on", "bidding.field.due_on", "date"),
    FieldSpec("budget_wan", "bidding.field.budget_wan", "number", hint="bidding.hint.budget"),
    FieldSpec("template_id", "bidding.field.template", "choice", _templates),
    *(FieldSpec(f"rule.{p}", f"bidding.field.rule.{p}", "number", hint="bidding.hint.rule") for p in PARTS),
    FieldSpec("sme_deduction_pct", "bidding.field.sme_deduction_pct", "number", hint="bidding.hint.sme"),
    FieldSpec("notes", "bidding.field.notes", "note"),
)


def _bid_label(bid: Row, lang: Lang) -> str:
    assert isinstance(bid, Bid)
    due = f" · {bid.due_on.isoformat()}" if bid.due_on else ""
    mark = f" ({t('bidding.example.mark', lang)})" if bid.illustration else ""
    return f"{bid.name}{due}{mark}"


class TenderEditor(RowEditor):
    """The trainee's tenders; the one picked here is the tender of the whole page."""

    def __post_init__(self) -> None:
        self._relabelling = False
        super().__post_init__()
        first = next(iter(self.rows(self.page.workbook())), None)
        if first is not None:
            self.picker.value = first.id
        self._shown = self.picker.value
        self.picker.observe(guarded(self.page, self.status)(self._picked), names="value")

    def current(self, wb: Workbook) -> Bid | None:
        return next((b for b in wb.plan.bids.items if b.id == self.picker.value), None)

    def relabel(self, lang: Lang) -> None:
        self._relabelling = True  # changing the options moves the picker: not the trainee's choice
        try:
            super().relabel(lang)
        finally:
            self._relabelling = False

    def _picked(self, change: dict[str, Any]) -> None:
        if self._relabelling or change["new"] == self._shown:
            return
        self._shown = change["new"]
        self.page.refresh({"bids"})

    def values(self) -> dict[str, Any]:
        """The fields as typed; a rule left blank is the deck's example (35/30/25/10), a partial one an error."""
        out = super().values()
        given = {p: out[f"rule.{p}"] for p in PARTS}
        if all(v is None for v in given.values()):
            out.update({f"rule.{p}": getattr(ScoringRule(), p) for p in PARTS})
            return out
        problems = [Text("bidding.errors.rule_blank", {"field": Text(f"bidding.field.rule.{p}")})
                    for p, v in given.items() if v is None]
        total = sum(v for v in given.values() if v is not None)
        if not problems and total != RULE_POINTS:
            problems.append(Text("bidding.errors.rule_sum", {"total": f"{total:g}"}))
        if problems:
            raise InputError("errors.input.rejected", details=problems)
        return out


class ExampleForm:
    """Adds the deck's worked example as a tender (once) and picks it."""

    def __init__(self, page: BiddingPage) -> None:
        self.page = page
        self.status = Status(page)
        self.load_button = button("")
        self.load_button.on_click(guarded(page, self.status)(lambda _b: self.load()))
        self.widget = w.VBox([self.load_button, self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.load_button.description = t("bidding.example.load", lang)
        self.status.relabel(lang)

    def load(self) -> str:
        existing = next((b for b in self.page.workbook().plan.bids.items if b.illustration), None)
        if existing is not None:
            bid_id, key = existing.id, "bidding.example.already"
        else:
            bid = deck_example(self.page.lang)
            update_workbook(self.page.workbook_file(), lambda wb: wb.plan.bids.items.append(bid), section="bids")
            bid_id, key = bid.id, "bidding.example.loaded"
        tender = self.page.tender
        assert tender is not None
        tender.relabel(self.page.lang)
        tender.picker.value = bid_id
        self.status.say_key("ok", key)
        return bid_id


def tender(page: BiddingPage) -> TenderEditor | None:
    """The tender editor (name, dates, budget ceiling, template, rule, SME deduction) and the deck's example."""
    if not _usable(page):
        return None
    editor = TenderEditor(page, "bids", Bid, BID_FIELDS, row_label=_bid_label)
    page.tender = editor
    page.form(editor)
    page.form(ExampleForm(page))
    return editor


# ---- agency templates ------------------------------------------------------------------------------------------

TEMPLATE_FIELDS = (
    FieldSpec("name", "bidding.field.template_name"),
    *(FieldSpec(f"{p}_{end}", f"bidding.field.bound.{p}_{end}", "number", hint="bidding.hint.bound")
      for p in PARTS for end in ("low", "high")),
    FieldSpec("notes", "bidding.field.notes", "note"),
)


class TemplateEditor(RowEditor):
    """An agency's template: the bounds of each part, saved by name (blank bounds: the deck's)."""

    def values(self) -> dict[str, Any]:
        out = super().values()
        fields = RuleTemplate.model_fields
        bounds = {}
        for p in PARTS:
            ends = [out[f"{p}_{end}"] if out[f"{p}_{end}"] is not None
                    else fields[f"{p}_{end}"].get_default(call_default_factory=True) for end in ("low", "high")]
            bounds[p] = (ends[0], ends[1])
        problems = bounds_problems(bounds)
        if problems:
            raise InputError("errors.input.rejected", details=problems)
        return out


def templates(page: BiddingPage) -> TemplateEditor | None:
    if not _usable(page):
        return None
    page.prose("bidding.templates.help")
    return page.form(TemplateEditor(page, "rule_templates", RuleTemplate, TEMPLATE_FIELDS,
                                    row_label=lambda r, lang: r.name))


# ---- rows of the chosen tender: bidders and the worksheet ----------------------------------------------------------


class TenderRows(RowEditor):
    """A row editor of a list inside the chosen tender (``attr``); a save re-draws what reads ``redraws``."""

    attr: ClassVar[str] = ""
    redraws: ClassVar[frozenset[str]] = frozenset({"bids"})

    @property
    def bidding_page(self) -> BiddingPage:
        assert isinstance(self.page, BiddingPage)
        return self.page

    def bid(self, wb: Workbook) -> Bid | None:
        return self.bidding_page.bid(wb)

    def rows(self, wb: Workbook) -> list[Row]:
        bid = self.bid(wb)
        return getattr(bid, self.attr) if bid is not None else []

    def save(self) -> str:
        if self.bid(self.page.workbook()) is None:
            raise InputError("bidding.errors.no_bid")
        return super().save()

    def after_save(self, select: str) -> None:
        self.page.refresh(set(self.redraws))
        self.relabel(self.page.lang)
        self.picker.value = select
        self.load_row()
        self.status.say_key("ok", "rows.saved")


BIDDER_FIELDS = (
    FieldSpec("name", "bidding.field.bidder"),
    FieldSpec("us", "bidding.field.us", "bool"),
    FieldSpec("sme", "bidding.field.sme", "bool"),
    FieldSpec("price_wan", "bidding.field.price_wan", "number", hint="bidding.hint.price"),
    *(FieldSpec(f, f"bidding.field.{f}", "number", hint="bidding.hint.score") for f in QUALITY_FIELDS.values()),
    FieldSpec("notes", "bidding.field.notes", "note"),
)


def _bidder_label(b: Row, lang: Lang) -> str:
    assert isinstance(b, Bidder)
    price = "—" if b.price_wan is None else f"{b.price_wan:,.6g}"
    return f"{'★ ' if b.us else ''}{b.name} · {price}"


class BidderEditor(TenderRows):
    """Us and the competitors: price and the expected J2–J4 scores, entered as points or as a share of the part."""

    attr = "bidders"

    def __post_init__(self) -> None:
        self.mode = w.ToggleButtons(options=[("", "points"), ("", "share")], value="points",
                                    style={"button_width": "auto"})
        self.extra = (self.mode,)
        super().__post_init__()
        self.mode.observe(guarded(self.page, self.status)(lambda _c: self.relabel_and_load()), names="value")

    def relabel_and_load(self) -> None:
        self.relabel(self.page.lang)
        self.load_row()

    def relabel(self, lang: Lang) -> None:
        super().relabel(lang)
        value = self.mode.value
        self.mode.options = [(t("bidding.mode.points", lang), "points"), (t("bidding.mode.share", lang), "share")]
        self.mode.value = value
        bid = self.bid(self.page.workbook())
        for part, name in QUALITY_FIELDS.items():
            if self.mode.value == "points" and bid is not None:
                self.inputs[name].description = t("bidding.field.score_points", lang, part=part_label(part, lang),
                                                  max=getattr(bid.rule, part))
            else:
                self.inputs[name].description = t("bidding.field.score_share", lang, part=part_label(part, lang))
        fit_labels(self.inputs.values())  # "(points of 30)" whole
        self._follow_rule(bid)

    def _follow_rule(self, bid: Bid | None) -> None:
        """Points shown under an older rule are re-scaled to the tender's rule now (what was typed is kept)."""
        rule = bid.rule if bid is not None else None
        shown = getattr(self, "_shown_rule", None)
        if self.mode.value == "points" and rule is not None and shown is not None and shown != rule:
            for part, name in QUALITY_FIELDS.items():
                text = str(self.inputs[name].value).strip()
                try:
                    share = share_from_points(parse_number(text), getattr(shown, part)) if text else None
                except (ValueError, InputError):
                    continue  # not a number of points: left as typed, the save will say so
                if share is not None:
                    self.inputs[name].value = f"{round(points_from_share(share, getattr(rule, part)), 4):g}"
        self._shown_rule = rule

    def load_row(self) -> None:
        super().load_row()
        wb = self.page.workbook()
        bid = self.bid(wb)
        row = next((r for r in self.rows(wb) if r.id == self.picker.value), None)
        self._shown_rule = bid.rule if bid is not None else None
        if self.mode.value != "points" or bid is None:
            return
        for part, name in QUALITY_FIELDS.items():
            share = getattr(row, name) if row is not None else None
            shown = "" if share is None else f"{round(points_from_share(share, getattr(bid.rule, part)), 4):g}"
            self.inputs[name].value = shown

    def values(self) -> dict[str, Any]:
        out = super().values()
        wb = self.page.workbook()
        bid = self.bid(wb)
        if bid is None:
            raise InputError("bidding.errors.no_bid")
        problems: list[Text] = []
        if self.mode.value == "points":
            for part, name in QUALITY_FIELDS.items():
                if out.get(name) is None:
                    continue
                points = out[name]
                try:
                    out[name] = share_from_points(points, getattr(bid.rule, part))
                except InputError:
                    problems.append(Text("bidding.errors.points_field", {
                        "field": Text(f"bidding.field.{name}"), "value": f"{points:g}",
                        "max": getattr(bid.rule, part)}))
        other = next((b for b in bid.bidders if b.us and b.id != self.picker.value), None)
        if out.get("us") and other is not None:
            problems.append(Text("bidding.errors.two_us_form", {"other": other.name}))
        if problems:
            raise InputError("errors.input.rejected", details=problems)
        return out


def bidders(page: BiddingPage) -> BidderEditor | None:
    """The bidders of the chosen tender, their scores under its rule, and the stacked bars."""
    if not _usable(page):
        return None
    editor = page.form(BidderEditor(page, "bids", Bidder, BIDDER_FIELDS, row_label=_bidder_label))
    page.show(lambda lang: scores_view(page, lang), on=READS)
    page.show(lambda lang: scores_figure(page, lang), on=READS)
    return editor


def _analysis(page: BiddingPage) -> Analysis | None:
    wb = page.workbook()
    bid = page.bid(wb)
    if bid is None:
        return None
    return analysed(bid, wb.plan.rule_templates.items, load_settings().bidding)


# what the analysis does not read: a save of these leaves the scores and the rule search as they were
_NOT_ANALYSED: Any = {"notes": True, "targets": True, "checklist": True, "bidders": {"__all__": {"notes"}}}
ANALYSIS_CACHE_SIZE = 4
_ANALYSES: dict[str, Analysis] = {}


def analysed(bid: Bid, templates: list[RuleTemplate], settings: Any) -> Analysis:
    """``analyse_bid``, computed once for the inputs it reads: every display of the page that shows it (scores,
    bars, rule maker, heat map, worksheet) uses the same, and a save that changes none of them searches no rule."""
    key = "\n".join([bid.model_dump_json(exclude=_NOT_ANALYSED), *(t.model_dump_json() for t in templates),
                     repr(settings)])
    if key not in _ANALYSES:
        while len(_ANALYSES) >= ANALYSIS_CACHE_SIZE:
            _ANALYSES.pop(next(iter(_ANALYSES)))
        _ANALYSES[key] = analyse_bid(bid, templates, settings)
    return _ANALYSES[key]


def _none_chosen(lang: Lang) -> Markdown:
    return Markdown(t("bidding.none_chosen", lang))


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def scores_view(page: BiddingPage, lang: Lang) -> Markdown:
    """The bounds in force, the result in one sentence, notes, and the scoresheet as a table."""
    found = _analysis(page)
    if found is None:
        return _none_chosen(lang)
    sheet = found.sheet
    parts = [md_escape(found.bounds.describe(lang))]
    if found.bounds.template_missing:
        parts.append(f"⚠ {t('bidding.bounds.missing', lang)}")
    parts += [f"⚠ {md_escape(p.render(lang))}" for p in found.rule_problems]
    parts.append(f"**{md_escape(result_text(sheet, lang))}**")
    if sheet.base_price_wan is not None:
        parts.append(t("bidding.table.base", lang, base=_money(sheet.base_price_wan)))
    rows = []
    for r in sheet.rows:
        name = f"★ {md_escape(r.name)}" if r.us else md_escape(r.name)
        note = t(f"bidding.reason.{r.reason}", lang) if r.reason else (t("bidding.table.sme", lang) if r.sme else "")
        rows.append([
            "—" if r.rank is None else str(r.rank), name, _money(r.price_wan), _money(r.evaluated_wan),
            *(f"{r.points[p]:.2f}" if r.valid else "—" for p in PARTS),
            "—" if r.total is None else f"**{r.total:.2f}**", note,
        ])
    if rows:
        headers = [t("bidding.table.rank", lang), t("bidding.table.bidder", lang), t("bidding.table.price", lang),
                   t("bidding.table.evaluated", lang), *(f"{part_code(p)} ({v})" for p, v in zip(
                       PARTS, sheet.rule, strict=True)), t("bidding.table.total", lang), t("bidding.table.note", lang)]
        parts.append(markdown_table(headers, rows))
    parts += [f"- {md_escape(n.render(lang))}" for n in sheet.notes]
    return Markdown("\n\n".join(parts))


def scores_figure(page: BiddingPage, lang: Lang) -> Any:
    found = _analysis(page)
    if found is None or not found.sheet.rows:
        return Markdown("")
    from kamlib.charts.bidding import scores_chart  # matplotlib: loaded when a chart is drawn

    return chart_image(scores_chart(found.sheet, lang), tight=False)  # the chart places every text itself


# ---- the rule maker ------------------------------------------------------------------------------------------------


class AxesForm:
    """Which two parts of the rule the heat map puts on its axes (a view setting, not saved)."""

    def __init__(self, page: BiddingPage) -> None:
        self.page = page
        self.status = Status(page)
        self.x = w.Dropdown(value="j1_price", options=[(p, p) for p in PARTS], style={"description_width": "initial"})
        self.y = w.Dropdown(value="j2_technical", options=[(p, p) for p in PARTS],
                            style={"description_width": "initial"})
        for box in (self.x, self.y):
            box.observe(guarded(page, self.status)(lambda _c: self.changed()), names="value")
        self._relabelling = False
        self.widget = w.VBox([w.HBox([self.x, self.y]), self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self._relabelling = True
        try:
            for box, key in ((self.x, "bidding.axes.x"), (self.y, "bidding.axes.y")):
                value = box.value
                box.options = [(part_label(p, lang), p) for p in PARTS]
                box.value = value
                box.description = t(key, lang)
        finally:
            self._relabelling = False
        self.status.relabel(lang)

    def changed(self) -> None:
        if self._relabelling:
            return
        if self.x.value == self.y.value:
            self.status.say_key("error", "bidding.errors.same_axes")
            return
        self.status.clear()
        self.page.refresh({AXES})


def rule_maker(page: BiddingPage) -> AxesForm | None:
    """Every rule within the bounds: where we win, the best rule, what flips the result; the heat map."""
    if not _usable(page):
        return None
    page.show(lambda lang: rule_maker_view(page, lang), on=READS)
    axes = page.form(AxesForm(page))
    page.show(lambda lang: heatmap_figure(page, axes, lang), on=READS | {AXES})
    return axes


def rule_maker_view(page: BiddingPage, lang: Lang) -> Markdown:
    found = _analysis(page)
    if found is None:
        return _none_chosen(lang)
    if not found.searchable or found.space is None:
        return Markdown(t("bidding.maker.cannot", lang, why=result_text(found.sheet, lang)))
    space, best = found.space, found.best
    won = found.sheet.won
    parts = [md_escape(found.bounds.describe(lang)),
             t("bidding.maker.region", lang, wins=space.win_count, count=space.count,
               share=f"{space.win_count / space.count:.0%}" if space.count else "—")]
    ranges = space.winning_ranges()
    if ranges:
        parts.append(t("bidding.maker.ranges", lang, ranges=" · ".join(
            f"{part_label(p, lang)} {lo}–{hi}" for p, (lo, hi) in ranges.items())))
    if best is not None:
        now = found.sheet.margin
        parts.append(t("bidding.maker.best", lang, rule=rule_text(best.rule, lang), margin=f"{best.margin:+.2f}",
                       now="—" if now is None else f"{now:+.2f}"))
    rows = []
    values = found.values or {}
    for p in PARTS:
        flip = found.flips.get(p)
        rows.append([part_label(p, lang), "—" if flip is None else str(flip.points),
                     md_escape(flip_text(flip, won, lang)), f"{values.get(p, 0.0):+.3f}"])
    headers = [t(f"bidding.maker.col.{c}", lang) for c in ("part", "points", "how", "value")]
    parts.append(t("bidding.maker.flips_won" if won else "bidding.maker.flips_lost", lang))
    parts.append(markdown_table(headers, rows))
    if found.key is not None:
        parts.append(t("bidding.maker.key", lang, part=part_label(found.key, lang)))
    elif won:
        parts.append(t("bidding.maker.no_key.won", lang))
    else:
        parts.append(t("bidding.maker.no_key.lost", lang) + " " + t(
            "bidding.maker.no_key.other" if space.win_count else "bidding.maker.no_key.none", lang))
    return Markdown("\n\n".join(parts))


def heatmap_figure(page: BiddingPage, axes: AxesForm, lang: Lang) -> Any:
    found = _analysis(page)
    if found is None or not found.searchable or axes.x.value == axes.y.value:
        return Markdown("")
    from kamlib.bidding import margin_grid
    from kamlib.charts.bidding import margin_heatmap  # matplotlib: loaded when a chart is drawn

    grid = margin_grid(found.contest, found.bounds.bounds, found.sheet.rule, axes.x.value, axes.y.value)
    return chart_image(margin_heatmap(grid, lang, found.best), tight=False)


# ---- the T1–T4 targets worksheet ---------------------------------------------------------------------------------

TARGET_FIELDS = (
    FieldSpec("part", "bidding.field.part", "choice", catalog_choices("bidding.part", PARTS)),
    FieldSpec("target", "bidding.field.target", "choice", catalog_choices("bidding.target", TARGETS)),
    FieldSpec("who", "bidding.field.who", "combo", key_person_choices, hint="bidding.hint.who"),
    FieldSpec("action", "bidding.field.action", "note"),
    FieldSpec("due_on", "bidding.field.due_on", "date"),
    FieldSpec("done", "bidding.field.done", "bool"),
)


def _target_label(row: Row, lang: Lang) -> str:
    assert isinstance(row, TargetAction)
    due = f" · {row.due_on.isoformat()}" if row.due_on else ""
    return (f"{'✔ ' if row.done else ''}{part_code(row.part)} · {t(f'bidding.target.{row.target}', lang)}"
            f"{' · ' + row.who if row.who else ''}{due}")


class TargetEditor(TenderRows):
    """A row of the worksheet: a part of the rule, a target T1–T4, who, what the trainee will do, by when."""

    attr = "targets"
    redraws = frozenset({WORKSHEET})


def targets(page: BiddingPage) -> TargetEditor | None:
    if not _usable(page):
        return None
    page.prose("bidding.targets.help")
    editor = page.form(TargetEditor(page, "bids", TargetAction, TARGET_FIELDS, row_label=_target_label))
    page.show(lambda lang: worksheet_view(page, lang), on=READS | {WORKSHEET})
    return editor


def worksheet_view(page: BiddingPage, lang: Lang, today: dt.date | None = None) -> Markdown:
    """The worksheet as a grid (parts × T1–T4), then what is missing and what is overdue."""
    wb = page.workbook()
    bid = page.bid(wb)
    if bid is None:
        return _none_chosen(lang)
    today = today or dt.date.today()
    rows = []
    for part in PARTS:
        cells = [f"**{part_label(part, lang)}**"]
        for target in TARGETS:
            found = [r for r in bid.targets if r.part == part and r.target == target]
            cells.append("<br>".join(_cell(r, lang, today) for r in found) or "·")
        rows.append(cells)
    headers = [t("bidding.targets.col.part", lang), *(t(f"bidding.target.{x}", lang) for x in TARGETS)]
    parts = [markdown_table(headers, rows)]
    missing = uncovered_parts(bid)
    if missing:
        parts.append(t("bidding.targets.uncovered", lang, parts=t("i18n.separator", lang).join(
            part_label(p, lang) for p in missing)))
    late = overdue_actions(bid, today)
    if late:
        parts.append(t("bidding.targets.overdue", lang, count=len(late)))
    analysis = analysed(bid, wb.plan.rule_templates.items, load_settings().bidding)
    if analysis.key is not None:
        key = "bidding.targets.key_missing" if analysis.key in missing else "bidding.targets.key_covered"
        parts.append(t(key, lang, part=part_label(analysis.key, lang)))
    return Markdown("\n\n".join(parts))


def _cell(row: TargetAction, lang: Lang, today: dt.date) -> str:
    mark = "✔ " if row.done else ("⚠ " if row.due_on and row.due_on < today else "")
    who = md_escape(row.who) if row.who else t("bidding.targets.nobody", lang)
    due = f" ({row.due_on.isoformat()})" if row.due_on else ""
    action = f": {md_escape(row.action)}" if row.action else ""
    return f"{mark}{who}{action}{due}"


# ---- the bid document checklist ------------------------------------------------------------------------------------


class ChecklistForm:
    """The deck's five points for the bid document, ticked per tender (saved at once)."""

    def __init__(self, page: BiddingPage) -> None:
        self.page = page
        self.status = Status(page)
        self.boxes = {code: w.Checkbox(indent=False, layout=w.Layout(width="60em")) for code in CHECKLIST}
        self._relabelling = False
        for code, box in self.boxes.items():
            box.observe(guarded(page, self.status)(lambda _c, code=code: self.save(code)), names="value")
        self.widget = w.VBox([*self.boxes.values(), self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        bid = self.page.bid()
        self._relabelling = True
        try:
            for code, box in self.boxes.items():
                box.description = t(f"bidding.checklist.{code}", lang)
                box.value = bid is not None and code in bid.checklist
                box.disabled = bid is None
        finally:
            self._relabelling = False
        self.status.relabel(lang)

    def save(self, code: str) -> None:
        if self._relabelling:
            return
        bid = self.page.bid()
        if bid is None:
            raise InputError("bidding.errors.no_bid")
        ticked = [c for c in CHECKLIST if self.boxes[c].value]

        def change(wb: Workbook) -> None:
            target = next(b for b in wb.plan.bids.items if b.id == bid.id)
            target.checklist = ticked

        update_workbook(self.page.workbook_file(), change, section="bids")
        self.page.refresh({CHECKS})
        self.status.say_key("ok", "rows.saved")


def checklist(page: BiddingPage) -> ChecklistForm | None:
    if not _usable(page):
        return None
    form = page.form(ChecklistForm(page))
    page.show(lambda lang: checklist_view(page, lang), on=READS | {CHECKS})
    return form


def checklist_view(page: BiddingPage, lang: Lang) -> Markdown:
    bid = page.bid()
    if bid is None:
        return _none_chosen(lang)
    done, total = checklist_done(bid)
    return Markdown(t("bidding.checklist.summary", lang, done=done, total=total))
