"""Chapter 1 forms: the account list, RADP, Top and Strategic picks, the screening table,
the customer tree and Share 1. Each reads the workbook, calls ``kamlib.screening`` and friends,
and saves through the store."""

from __future__ import annotations

import html
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import Image, Markdown

from kamlib import paths
from kamlib.account_names import Merge, merge_accounts, repeated_names, same_name
from kamlib.atomic import OPEN_MODE, write_atomic
from kamlib.errors import InputError
from kamlib.forms.common import (
    Status,
    button,
    chart_image,
    fit_labels,
    guarded,
    markdown_table,
    md_escape,
    problems_markdown,
)
from kamlib.forms.downloads import file_link
from kamlib.forms.nav import chapter_page
from kamlib.forms.page import Page, for_registered
from kamlib.forms.rows import FieldSpec, RowEditor, catalog_choices
from kamlib.forms.screening_checklist import (  # noqa: F401  (checklist_form: a cell of the chapter page)
    checklist,
    checklist_form,
    qualification_text,
)
from kamlib.forms.sharing import SharingCheck, people_responsible_html
from kamlib.i18n import Lang, Text, t
from kamlib.model import update_workbook
from kamlib.model.workbook import (
    Account,
    AccountPlan,
    Coverage,
    Influence,
    KeyAccountPick,
    PickKind,
    Relationship,
    Segment,
    ShareCard,
    TreeUnit,
    Workbook,
    WorkOrder,
)
from kamlib.screening import (
    account_mode,
    check_picks,
    key_account_candidates,
    missing_years_text,
    pareto_check,
    pick_order,
    propose_key_accounts,
    qualify,
    radp_box,
    reference_year,
    work_order,
)
from kamlib.settings import load_settings
from kamlib.share_card import card_review

SEGMENTS: tuple[Segment, ...] = ("home", "smb", "lb", "industry", "ga")
INFLUENCES: tuple[Influence, ...] = ("large", "medium", "small")
COVERAGES: tuple[Coverage, ...] = ("os", "is", "channel")
RELATIONSHIPS: tuple[Relationship, ...] = ("good", "average", "poor")
WORK_ORDERS: tuple[WorkOrder, ...] = ("near", "mid", "long")
UNIT_KINDS = ("unit", "dmu", "user")


ACCOUNT_FIELDS = (
    FieldSpec("name", "fields.account_name", hint="ch1.hint.name"),
    FieldSpec("industry", "fields.industry", hint="ch1.hint.industry"),
    FieldSpec("segment", "fields.segment", "choice", catalog_choices("ch1.segment", SEGMENTS)),
    FieldSpec("bp_wan", "fields.bp_wan", "number", hint="ch1.hint.bp"),
    FieldSpec("sow_pct", "fields.sow_pct", "number", hint="ch1.hint.sow"),
    FieldSpec("history", "fields.history", "history"),
    FieldSpec("benchmark", "fields.benchmark", "bool"),
    FieldSpec("influence", "fields.influence", "choice", catalog_choices("ch1.influence", INFLUENCES)),
    FieldSpec("margin", "fields.margin", "bool"),
    FieldSpec("revenue", "fields.revenue", "bool"),
    FieldSpec("coverage", "fields.coverage", "choice", catalog_choices("ch1.coverage", COVERAGES)),
    FieldSpec("relationship", "fields.relationship", "choice", catalog_choices("ch1.relationship", RELATIONSHIPS)),
    FieldSpec("work_order", "fields.work_order", "choice", catalog_choices("ch1.work_order", WORK_ORDERS)),
    FieldSpec("notes", "fields.notes", "note"),
)


def open_page(lang: str | None = None, workbook: str | Path | None = None) -> Page:
    """Chapter 1's page; tells an unregistered trainee where to register."""
    return chapter_page(Page(lang=lang, workbook=workbook), "ch1", "ch1.intro")


def _box(account: Account) -> str:
    if account.sow_pct is None or account.bp_wan is None:
        return "—"
    return radp_box(account.sow_pct, account.bp_wan, load_settings().radp)


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:,.6g}"


# ---- the account list --------------------------------------------------------------------------


@for_registered
def account_editor(page: Page) -> RowEditor | None:
    """Enter or edit one account of the list at a time."""
    editor = RowEditor(
        page, "portfolio", Account, ACCOUNT_FIELDS,
        row_label=lambda a, _lang: f"{a.name} · {_box(a)}",
        check=refuse_same_name,
    )
    page.show(lambda lang: Markdown(repeated_names_text(page.workbook().plan.portfolio.items, lang)),
              on={"portfolio"})
    return page.form(editor)


def refuse_same_name(accounts: list[Any], account: Any) -> None:
    """Refuse to save an account whose name is on the list already (another row: an edit keeps its own name)."""
    found = same_name(accounts, account.name, except_id=account.id)
    if found is not None:
        number, existing = found
        raise InputError("account_names.same_name", name=account.name, existing=existing.name, number=number)


def repeated_names_text(accounts: list[Account], lang: Lang) -> str:
    """The accounts that share a name (a list saved before names were checked); "" when there are none."""
    groups = repeated_names(accounts)
    if not groups:
        return ""
    number = {a.id: i for i, a in enumerate(accounts, start=1)}
    sep = t("i18n.separator", lang)
    text = t("account_names.group_sep", lang).join(
        t("account_names.group", lang, accounts=sep.join(
            t("account_names.listed", lang, name=md_escape(a.name), number=number[a.id]) for a in group))
        for group in groups)
    return "⚠ " + t("account_names.repeated_on_list", lang, groups=text)


def import_headers_html(lang: Lang) -> str:
    """The headers the import reads, a few of each language per column, on the page itself (the app has no README):
    the required columns, a past year's, then the optional ones."""
    import datetime as dt

    from kamlib.accounts_io import OPTIONAL_SHOWN, REQUIRED, header_examples, year_header_examples

    sep = t("i18n.separator", lang)

    def spellings(examples: Mapping[Lang, tuple[str, ...]]) -> str:
        return " · ".join(sep.join(f"“{h}”" for h in examples[x]) for x in ("en", "zh"))

    def column(name: str) -> str:
        return t(f"accounts_io.column.{name}", lang)

    rows = [t("ch1.import.required_line", lang, column=column(n), examples=spellings(header_examples(n)))
            for n in REQUIRED]
    rows.append(t("ch1.import.years_line", lang,
                  examples=spellings(year_header_examples(dt.date.today().year - 1))))
    optional = [t("ch1.import.optional_item", lang, column=column(n), examples=spellings(header_examples(n, 1)))
                for n in OPTIONAL_SHOWN]
    rows.append(t("ch1.import.optional_line", lang, columns=t("ch1.import.optional_separator", lang).join(optional)))
    items = "".join(f"<li>{html.escape(row)}</li>" for row in rows)
    return f"<p>{html.escape(t('ch1.import.headers', lang))}</p><ul>{items}</ul>"


class ImportForm:
    """Upload a CSV or XLSX account list: new names are added, known names get the file's figures."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.upload = w.FileUpload(accept=".csv,.xlsx", multiple=False)
        self.progress = w.IntProgress(min=0, max=100, value=0, layout=w.Layout(width="24em", visibility="hidden"))
        self.go = button("", "primary")
        self.go.on_click(guarded(page, self.status)(lambda _b: self._from_upload()))
        self.help = w.HTML()
        self.widget = w.VBox([self.help, w.HBox([self.upload, self.go, self.progress]), self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.help.value = f"<p>{html.escape(t('ch1.import.help', lang))}</p>{import_headers_html(lang)}"
        self.upload.description = t("ch1.import.choose", lang)
        self.go.description = t("ch1.import.go", lang)
        self.status.relabel(lang)

    def _from_upload(self) -> None:
        if not self.upload.value:
            self.status.say_key("info", "ch1.import.none")
            return
        item = self.upload.value[0]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(item["name"]).name
            path.write_bytes(bytes(item["content"]))
            self.import_file(path)

    def import_file(self, path: str | Path) -> tuple[int, int, int]:
        """Import ``path``; returns (added, updated, rows skipped)."""
        from kamlib.accounts_io import read_account_table, to_accounts

        self.progress.layout.visibility = "visible"

        def progress(done: int, total: int) -> None:
            self.progress.value = int(100 * done / max(total, 1))

        table = read_account_table(path, progress=progress)
        incoming = list(zip((int(r) for r in table.frame.index), to_accounts(table), strict=True))
        merged: list[Merge] = []

        def change(wb: Workbook) -> None:
            merged[:] = [merge_accounts(wb.plan.portfolio.items, incoming)]  # names compared as the editor does

        update_workbook(self.page.workbook_file(), change, section="portfolio")
        merge = merged[0]
        counts = {"added": merge.added, "updated": merge.updated}
        name_column = table.columns.get("name", "name")
        found = [(p.row, p.column, p.reason) for p in table.problems]
        found += [(row, name_column, reason) for row, reason in merge.left_out]
        problems = [Text("ch1.import.problem", {"row": row, "column": column, "reason": reason})
                    for row, column, reason in sorted(found, key=lambda f: f[0])]
        skipped = len(table.problems) + len(merge.left_out)
        self.progress.value = 100
        self.page.refresh({"portfolio"})  # the account list alone changed (e.g. the tree is not drawn again)
        message = Text("ch1.import.done", {**counts, "skipped": skipped, "file": Path(path).name})
        self.status.say("ok" if not problems else "info",
                        lambda lang: "\n".join(x.render(lang) for x in [message, *problems[:20]]))
        return counts["added"], counts["updated"], skipped


@for_registered
def import_form(page: Page) -> ImportForm | None:
    return page.form(ImportForm(page))


# ---- RADP ----------------------------------------------------------------------------------------


def radp_levels(lang: Lang) -> Markdown:
    """The RADP thresholds of the course settings in force."""
    r = load_settings().radp
    return Markdown(t("ch1.radp.levels", lang, retain=_num(r.sow_retainable_pct), develop=_num(r.sow_developable_pct),
                      l1=_num(r.bp_level1_wan), l2=_num(r.bp_level2_wan), l3=_num(r.bp_level3_wan)))


def level3_note(lang: Lang) -> Markdown:
    """The deck's two LEVEL3 bounds (BP 3 million yuan in step 2, 5 million in its table) and the one in force."""
    return Markdown(t("ch1.pick.level3_note", lang, level3=_num(load_settings().radp.bp_level3_wan)))


@for_registered
def radp_view(page: Page) -> None:
    """The list with status, level and box; the 4×4 grid; BP × SoW."""

    def table(lang: Lang) -> Markdown:
        wb = page.workbook()
        accounts = wb.plan.portfolio.items
        if not accounts:
            return Markdown(t("ch1.radp.empty", lang))
        radp = load_settings().radp
        this_year = reference_year(accounts)
        cols = ["account", "industry", "mode", "bp", "sow", "box", "eligible"]
        rows = []
        for a in accounts:
            box = _box(a)
            mode = account_mode(a.segment)
            rows.append([
                md_escape(a.name), md_escape(a.industry) or "—",
                t(f"ch1.mode.{mode}", lang) if mode else "—",
                _num(a.bp_wan), _num(a.sow_pct),
                f"**{box}**" + ("" if box == "—" else f" {t(f'screening.status.{box[0]}', lang)}"),
                qualification_text(qualify(a, radp, this_year), lang),
            ])
        headers = [t(f"ch1.radp.col.{c}", lang) for c in cols]
        return Markdown(markdown_table(headers, rows))

    def grid(lang: Lang) -> Any:
        from kamlib.charts.screening import radp_grid  # matplotlib: loaded when a chart is drawn

        wb = page.workbook()
        if not wb.plan.portfolio.items:
            return Markdown("")
        return chart_image(radp_grid(wb.plan.portfolio.items, wb.plan.key_accounts, lang, load_settings().radp))

    def scatter(lang: Lang) -> Any:
        from kamlib.charts.screening import bp_sow_scatter  # matplotlib: loaded when a chart is drawn

        wb = page.workbook()
        if not wb.plan.portfolio.items:
            return Markdown("")
        accounts, picks = wb.plan.portfolio.items, wb.plan.key_accounts
        return chart_image(bp_sow_scatter(accounts, picks, lang, load_settings().radp))

    page.show(radp_levels, on=())
    page.show(table, on={"portfolio"})
    page.show(grid, on={"portfolio"})
    page.show(scatter, on={"portfolio"})


# ---- Top and Strategic -----------------------------------------------------------------------------


def proposal_lines(wb: Workbook, lang: Lang) -> list[str]:
    """The rule, the tool's proposal, the candidates whose past years are missing, and the guidelines each
    proposed or candidate account meets (ticked on the checklist)."""
    settings = load_settings()
    accounts = wb.plan.portfolio.items
    sep = t("i18n.separator", lang)
    proposed = propose_key_accounts(accounts, settings.radp, settings.picks)
    candidates = key_account_candidates(accounts, settings.radp)
    names = {k: sep.join(a.name for a in v) or t("ch1.pick.none", lang) for k, v in proposed.items()}
    lines = [t("ch1.pick.rule", lang, top=settings.picks.top, strategic=settings.picks.strategic),
             t("ch1.pick.proposal", lang, top=names["top"], strategic=names["strategic"])]
    if any(candidates.values()):
        missing = {k: sep.join(t("ch1.pick.missing", lang, name=a.name, years=missing_years_text(q)) for a, q in v)
                   or t("ch1.pick.none", lang) for k, v in candidates.items()}
        lines.append(t("ch1.pick.candidates", lang, top=missing["top"], strategic=missing["strategic"]))
    shown = {a.id for v in proposed.values() for a in v} | {a.id for v in candidates.values() for a, _ in v}
    checked = [r for r in checklist(wb) if r.account.id in shown]
    if checked:
        each = [t("ch1.pick.criteria_one", lang, name=r.account.name, count=len(r.met),
                  met=sep.join(t(f"ch1.criterion_short.{c}", lang) for c in r.met)) if r.met
                else t("ch1.pick.criteria_zero", lang, name=r.account.name) for r in checked]
        lines.append(t("ch1.pick.criteria", lang, accounts=t("ch1.pick.criteria_sep", lang).join(each)))
    return lines


class PicksForm:
    """Tick Top and Strategic accounts: in each list the accounts the rule makes eligible come first, with their RADP
    box, then the others. The ticks shown are the picks saved in the workbook; the rule is checked and every break
    explained."""

    KINDS: tuple[PickKind, ...] = ("top", "strategic")

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        self.proposal = w.HTML()
        self.boxes: dict[PickKind, dict[str, w.Checkbox]] = {kind: {} for kind in self.KINDS}  # account id: tick
        self.titles = {kind: w.HTML() for kind in self.KINDS}
        self.group_titles = {(kind, group): w.HTML() for kind in self.KINDS for group in ("eligible", "others")}
        self.eligible = {kind: w.VBox() for kind in self.KINDS}
        self.others = {kind: w.VBox(layout=w.Layout(max_height="24em", overflow="auto")) for kind in self.KINDS}
        columns = [w.VBox([self.titles[k], self.group_titles[(k, "eligible")], self.eligible[k],
                           self.group_titles[(k, "others")], self.others[k]],
                          layout=w.Layout(width="30em", margin="0 2em 0 0")) for k in self.KINDS]
        self.save_button = button("", "primary")
        self.save_button.on_click(guarded(page, self.status)(lambda _b: self.save()))
        self.widget = w.VBox([self.proposal, w.HBox(columns), self.save_button, self.status.widget])
        self.relabel(page.lang)
        self._show_check()

    def _tick(self, kind: PickKind, account: Account, picked: set[str]) -> w.Checkbox:
        """The account's tick box in the ``kind`` list (kept across redraws), labelled and ticked as saved."""
        box = self.boxes[kind].get(account.id)
        if box is None:
            box = w.Checkbox(indent=False, layout=w.Layout(width="auto"))
            self.boxes[kind][account.id] = box
        box.description = f"{account.name} · {_box(account)}"
        box.value = account.id in picked
        return box

    def relabel(self, lang: Lang) -> None:
        wb = self.page.workbook()
        accounts = wb.plan.portfolio.items
        radp = load_settings().radp
        none = [w.HTML(f"<i>{html.escape(t('ch1.pick.none', lang))}</i>")]
        for kind in self.KINDS:
            picked = {p.account_id for p in wb.plan.key_accounts if p.kind == kind}
            eligible, others = pick_order(accounts, kind, radp)
            listed = {a.id for a in accounts}
            self.boxes[kind] = {i: box for i, box in self.boxes[kind].items() if i in listed}  # deleted: gone
            self.eligible[kind].children = tuple(self._tick(kind, a, picked) for a in eligible) or tuple(none)
            self.others[kind].children = tuple(self._tick(kind, a, picked) for a in others) or tuple(none)
            self.titles[kind].value = f"<b>{html.escape(t(f'ch1.pick.{kind}_label', lang))}</b>"
            self.group_titles[(kind, "eligible")].value = html.escape(t(f"ch1.pick.eligible_{kind}", lang))
            self.group_titles[(kind, "others")].value = html.escape(t("ch1.pick.others", lang))
        self.proposal.value = "<br>".join(html.escape(line) for line in proposal_lines(wb, lang))
        self.save_button.description = t("ch1.pick.save", lang)
        self.status.relabel(lang)

    def shown(self, kind: PickKind) -> list[str]:
        """The account ids of the ``kind`` list in the order shown: eligible first, then the others."""
        ids = {id(box): account_id for account_id, box in self.boxes[kind].items()}
        children = list(self.eligible[kind].children) + list(self.others[kind].children)
        return [ids[id(box)] for box in children if id(box) in ids]

    def ticked(self, kind: PickKind) -> list[str]:
        """The account ids ticked in the ``kind`` list, in the order shown."""
        return [i for i in self.shown(kind) if self.boxes[kind][i].value]

    def save(self) -> None:
        top, strategic = self.ticked("top"), self.ticked("strategic")
        both = set(top) & set(strategic)
        if both:
            wb = self.page.workbook()
            names = ", ".join(a.name for a in wb.plan.portfolio.items if a.id in both)
            raise InputError("ch1.pick.both", names=names)

        def change(wb: Workbook) -> None:
            wb.plan.key_accounts = [KeyAccountPick(account_id=i, kind="top") for i in top] + [
                KeyAccountPick(account_id=i, kind="strategic") for i in strategic
            ]

        update_workbook(self.page.workbook_file(), change, section="portfolio")
        self.page.refresh()
        self._show_check()

    def _show_check(self) -> None:
        wb = self.page.workbook()
        if not wb.plan.key_accounts:
            self.status.clear()
            return
        settings = load_settings()
        problems = check_picks(wb.plan, settings.radp, settings.picks)
        if problems:
            self.status.say("info", lambda lang: "\n".join(
                [t("ch1.pick.problems", lang)] + [p.render(lang) for p in problems]))
        else:
            self.status.say_key("ok", "ch1.pick.ok")


@for_registered
def picks_form(page: Page) -> PicksForm | None:
    page.show(level3_note, on=())
    form = page.form(PicksForm(page))

    def pyramid(lang: Lang) -> Any:
        from kamlib.charts.screening import screening_pyramid  # matplotlib: loaded when a chart is drawn

        wb = page.workbook()
        return chart_image(screening_pyramid(wb.plan.portfolio.items, wb.plan.key_accounts, lang,
                                             load_settings().radp))

    page.show(pyramid, on={"portfolio"})
    return form


# ---- the screening tool table and 20/80 -------------------------------------------------------------


@for_registered
def screening_table(page: Page) -> None:
    """The deck's screening tool table, in working order (largest BP first unless you set it)."""

    def render(lang: Lang) -> Markdown:
        accounts = page.workbook().plan.portfolio.items
        if not accounts:
            return Markdown(t("ch1.radp.empty", lang))
        cols = ["account", "influence", "contribution", "coverage", "purchase", "relationship", "order"]
        rows = []
        for a, order, own in work_order(accounts):
            contribution = " + ".join(t(f"ch1.contribution.{c}", lang) for c in ("margin", "revenue")
                                      if getattr(a, c)) or "—"
            rows.append([
                md_escape(a.name),
                t(f"ch1.influence.{a.influence}", lang) if a.influence else "—",
                contribution,
                t(f"ch1.coverage.{a.coverage}", lang) if a.coverage else "—",
                _num(a.bp_wan),
                t(f"ch1.relationship.{a.relationship}", lang) if a.relationship else "—",
                t(f"ch1.work_order.{order}", lang) + ("" if own else " " + t("ch1.table.suggested", lang)),
            ])
        check = pareto_check([a.bp_wan for a in accounts if a.bp_wan is not None])
        pareto = t("ch1.pareto.result", lang, top=check.top_accounts, total=check.accounts,
                   share=f"{check.top_share:.0%}",
                   verdict=t("ch1.pareto.holds" if check.holds else "ch1.pareto.spread", lang))
        headers = [t(f"ch1.table.col.{c}", lang) for c in cols]
        return Markdown(t("ch1.table.help", lang) + "\n\n" + markdown_table(headers, rows) + "\n\n" + pareto)

    page.show(render)


# ---- the customer tree --------------------------------------------------------------------------------


def _units(lang: Lang, wb: Workbook) -> list[tuple[str, Any]]:
    return [(u.name, u.id) for u in wb.plan.customer_tree.items]


TREE_FIELDS = (
    FieldSpec("name", "fields.unit_name", hint="ch1.hint.unit"),
    FieldSpec("parent_id", "fields.parent_id", "choice", _units),
    FieldSpec("kind", "fields.unit_kind", "choice", catalog_choices("ch1.kind", UNIT_KINDS)),
    FieldSpec("bp_wan", "fields.bp_wan", "number"),
)


@for_registered
def tree_editor(page: Page) -> RowEditor | None:
    """Build the customer tree unit by unit; the chart and any problems follow each save."""
    editor = page.form(RowEditor(
        page, "customer_tree", TreeUnit, TREE_FIELDS,
        row_label=lambda u, lang: f"{u.name} · {t(f'ch1.kind.{u.kind}', lang)}",
    ))

    def chart(lang: Lang) -> Any:
        from kamlib.charts.tree import customer_tree_chart  # matplotlib: loaded when a chart is drawn
        from kamlib.customer_tree import dmu_bp, tree_problems

        units = page.workbook().plan.customer_tree.items
        if not units:
            return Markdown(t("ch1.tree.empty", lang))
        problems = tree_problems(units)
        if problems:
            return problems_markdown("ch1.tree.problems", problems, lang)
        return chart_image(customer_tree_chart(units, lang, dmu_bp(units)))

    page.show(chart, on={"customer_tree"})
    return editor


# ---- Share 1: my key account ----------------------------------------------------------------------


class ShareForm:
    """Share 1 (COURSE.md 1.8): the account, goal, biggest problem, organisation; a card to show."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = Status(page)
        card = page.workbook().plan.share
        style = {"description_width": "12em"}
        self.account = w.Dropdown(style=style, layout=w.Layout(width="36em"))
        self.goal = w.Textarea(value=card.goal, style=style, layout=w.Layout(width="48em", height="4em"))
        self.problem = w.Textarea(value=card.problem, style=style, layout=w.Layout(width="48em", height="4em"))
        self.organisation = w.Textarea(value=card.organisation, style=style,
                                       layout=w.Layout(width="48em", height="4em"))
        self.people = w.HTML(style=style)  # the card's people responsible: chapter 2's key persons, read-only here
        self.anonymise = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"))  # its text whole
        self.save_button = button("", "primary")
        self.export_button = button("")
        run = guarded(page, self.status)
        self.sharing = SharingCheck(page, lambda wb, lang: card_review(self.draft(wb), lang))
        self.anonymise.observe(run(lambda c: self.sharing.show(bool(c["new"]))), names="value")
        self.save_button.on_click(run(lambda _b: self.save()))
        self.export_button.on_click(run(lambda _b: self.export()))
        self.download = w.HTML()
        self.widget = w.VBox([self.account, self.goal, self.problem, self.organisation, self.people, self.anonymise,
                              self.sharing.widget, w.HBox([self.save_button, self.export_button]),
                              self.status.widget, self.download])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        wb = self.page.workbook()
        chosen = self.account.value or wb.plan.share.account_id
        self.account.options = [("—", None), *((a.name, a.id) for a in wb.plan.portfolio.items)]
        self.account.value = chosen if chosen in {a.id for a in wb.plan.portfolio.items} else None
        for name in ("account", "goal", "problem", "organisation", "people"):
            getattr(self, name).description = t(f"ch1.share.{name}", lang)
        self.organisation.placeholder = t("ch1.share.organisation_hint", lang)
        fit_labels([self.account, self.goal, self.problem, self.organisation, self.people])
        self.people.value = people_responsible_html(wb.plan, lang)
        self.anonymise.description = t("ch1.share.anonymise", lang)
        self.save_button.description = t("ch1.share.save", lang)
        self.export_button.description = t("ch1.share.export", lang)
        self.status.relabel(lang)
        self.sharing.relabel(lang)

    def draft(self, wb: Workbook) -> AccountPlan:
        """The plan with the card as the form shows it now (what an export saves, then shares)."""
        return wb.plan.model_copy(update={"share": ShareCard(
            account_id=self.account.value, goal=self.goal.value.strip(), problem=self.problem.value.strip(),
            organisation=self.organisation.value.strip())})

    def save(self) -> None:
        def change(wb: Workbook) -> None:
            wb.plan.share = wb.plan.share.model_copy(update={
                "account_id": self.account.value, "goal": self.goal.value.strip(),
                "problem": self.problem.value.strip(), "organisation": self.organisation.value.strip(),
            })

        update_workbook(self.page.workbook_file(), change)
        self.page.refresh()
        self.status.say_key("ok", "rows.saved")

    def export(self) -> list[Path]:
        """Write the card as HTML and PNG (anonymised if ticked) into ``exports/``."""
        from kamlib.charts.card import share_card_html, share_card_png  # matplotlib: when a card is written

        self.save()
        wb = self.page.workbook()
        anonymise = bool(self.anonymise.value)
        folder = paths.home() / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"share1-{wb.trainee.id}" + ("-anonymised" if anonymise else "")
        html_path, png_path = folder / f"{stem}.html", folder / f"{stem}.png"
        lang = self.page.lang
        write_atomic(html_path, share_card_html(wb.plan, lang, anonymise=anonymise).encode("utf-8"), new_mode=OPEN_MODE)
        write_atomic(png_path, share_card_png(wb.plan, lang, anonymise=anonymise), new_mode=OPEN_MODE)
        self.status.say_key("ok", "ch1.share.exported", html=str(html_path), png=str(png_path))
        self.download.value = " &nbsp; ".join(file_link(p, p.name) for p in (html_path, png_path))
        return [html_path, png_path]


@for_registered
def share_form(page: Page) -> ShareForm | None:
    form = page.form(ShareForm(page))

    def preview(lang: Lang) -> Any:
        from kamlib.charts.card import share_card_png  # matplotlib: when the card is drawn

        return Image(data=share_card_png(page.workbook().plan, lang))

    page.show(preview)
    from kamlib.forms.class_share import class_share_form

    class_share_form(page, form.draft)  # Share 1 in class: the card as typed above, previewed, then shared
    return form
