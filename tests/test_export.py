"""kamlib.export: the Account Plan as HTML and XLSX, in both languages, read back; anonymised without
leaks; everything typed escaped; sections without data shown as not started; the command and the form."""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from openpyxl import load_workbook as load_xlsx

from kamlib.bidding import analyse_bid, result_text, rule_codes, rule_text, score_bid
from kamlib.chapters import CHAPTERS
from kamlib.errors import InputError
from kamlib.export import build_document, check_format, export_html, export_xlsx, write_export
from kamlib.export.document import Chart, Table
from kamlib.export.html import cell_text
from kamlib.export.sections import SECTIONS
from kamlib.export.sections.ch4 import MAX_MAP_LINES, MAX_MAP_UNITS
from kamlib.export_cli import add_export_parser, export_command
from kamlib.forms.export import ExportForm, health_view, plan_section
from kamlib.forms.page import Page
from kamlib.health import SECTIONS as HEALTH_SECTIONS
from kamlib.health import plan_health
from kamlib.i18n import LANGS, t
from kamlib.model import Trainee, load_workbook, save_workbook, update_workbook
from kamlib.model.workbook import Account, TreeUnit, Workbook
from kamlib.people import label
from kamlib.retention import leverage_figures, uncovered_questions, whitespace_map, zero_questions
from tests.chart_checks import glyph_warnings, render_png, texts
from tests.export_fixtures import COLLEAGUES, NOW, TODAY, full_workbook, secrets

CJK = re.compile(r"[\u4e00-\u9fff]")
PNG = b"\x89PNG\r\n\x1a\n"
# RADP grid, customer tree, information pyramid, panorama, attitude-power matrix; the score bars of the two
# tenders with bidders; the substitutability trend; the whitespace map
CHARTS = 9
MARKUP = '<script>alert("x")</script><b>bold</b> & "quoted"'
FORMULA = '=HYPERLINK("http://example.invalid","click")'


class Parsed(HTMLParser):
    """Tags, text, image sources, section ids and the CSS of a page; every element must close."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.data: list[str] = []
        self.images: list[str] = []
        self.ids: list[str] = []
        self.css = ""
        self.open: list[str] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag == "img":
            self.images.append(a["src"] or "")
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag not in ("meta", "img", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (self.open[-5:], tag)
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "style":
            self.css += data
        elif data.strip():
            self.data.append(data)

    @property
    def text(self) -> str:
        """The text as a reader sees it: a no-break space (an amount kept with its unit) reads as a space."""
        return "\n".join(self.data).replace("\u00a0", " ").replace("\u2060", "")


def parse(page: str) -> Parsed:
    parser = Parsed()
    parser.feed(page)
    parser.close()
    assert parser.open == [], parser.open
    return parser


def xlsx_texts(data: bytes) -> tuple[object, list[str]]:
    book = load_xlsx(io.BytesIO(data))
    out = [book.properties.title or "", book.properties.creator or "", *book.sheetnames]
    for ws in book.worksheets:
        out += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    return book, out


def sheet_rows(ws) -> tuple[list[str], list[list[object]]]:
    """A table sheet: (headers of row 2, the data rows below)."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return [str(h) for h in rows[1]], rows[2:]


@pytest.fixture(scope="module")
def documents() -> dict[tuple[str, bool], str]:
    """The full case workbook exported as HTML in both languages, named and anonymised."""
    return {(lang, anon): export_html(full_workbook(lang), lang, anon, NOW) for lang in LANGS for anon in (False, True)}


# ---- HTML ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_html_of_a_full_workbook_reads_back_with_every_section(documents, lang: str) -> None:
    page = documents[(lang, False)]
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse(page)
    assert parsed.lang == ("zh-CN" if lang == "zh" else "en")
    text = parsed.text
    assert t("export.title", lang) in text and t("export.health.title", lang) in text
    for key in HEALTH_SECTIONS:
        assert f"sec-{key}" in parsed.ids
        assert t(f"health.section.{key}", lang) in text
    for chapter in CHAPTERS:
        assert f"ch-{chapter.key}" in parsed.ids and t(chapter.title_key, lang) in text
    assert t("export.not_started", lang) not in text  # every section holds data
    # the plan's own content, in place
    assert "Zhao Guoqiang" in text and "NOTE-goal" in text and "Executive visit to Zhao Guoqiang" in text
    assert t("strategy.name.persevere", lang) in text and "R3" in text
    assert t("export.trend.rising", lang, first=2, last=5, count=3) in text
    assert t("export.health.due_soon", lang, count=1) in text and t("export.health.overdue", lang, count=1) in text
    assert_later_sections(full_workbook(lang), lang, text)
    # self-contained: every image is an embedded PNG; printable: A4 pages, each chapter on a new one
    assert len(parsed.images) == CHARTS
    for src in parsed.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG)
    assert "@page" in parsed.css and "size: A4" in parsed.css and "break-before: page" in parsed.css
    assert not {"script", "link", "iframe"} & set(parsed.tags)
    assert "http" not in page.replace("http-equiv", "")  # nothing loads from anywhere


def assert_later_sections(wb: Workbook, lang: str, text: str) -> None:
    """Bids, chapter 4 and the crisis log as a manager reads them, every figure from the plan's own logic."""
    plan = wb.plan
    # bids: the rule in force, the bidders' totals and ranking, our margin, the rule maker, the worksheet, checklist
    tender = plan.bids.items[0]
    found = analyse_bid(tender, plan.rule_templates.items)
    sheet = found.sheet
    assert rule_text(sheet.rule, lang) in text and result_text(sheet, lang) in text
    assert sheet.result == "lose" and found.space is not None and found.best is not None and found.key is not None
    assert [r.rank for r in sheet.rows if r.valid] == [1, 2, 3, 4]
    for r in sheet.rows:
        assert r.name in text
        if r.valid:
            assert cell_text(round(r.total, 2), "number") in text  # e.g. 89.51, 79.3
    assert t("export.bid.region", lang, wins=found.space.win_count, count=found.space.count,
             share=f"{round(100 * found.space.win_count / found.space.count)}%") in text
    assert t("export.bid.best", lang, rule=rule_codes(found.best.rule), margin=f"{found.best.margin:+.2f}",
             now=f"{sheet.margin:+.2f}") in text
    assert t("export.bid.key", lang, part=t(f"bidding.part.{found.key}", lang)) in text
    assert t("export.bid.key_missing", lang, part=t(f"bidding.part.{found.key}", lang)) in text  # no J4 row
    assert "NOTE-t3" in text and t("export.state.overdue", lang) in text
    assert t("export.bid.checklist", lang, done=3, total=5) in text
    assert t("export.bid.result.no_bidders", lang) in text  # the tender without bidders yet
    # chapter 4: score and trend, questions scored 0 and their activities, stage, ties, leverage, whitespace
    latest = max(plan.assessments.items, key=lambda a: a.taken_on)
    assert t("export.score_on", lang, score=sum(latest.answers), total=8, date=latest.taken_on.isoformat()) in text
    uncovered = uncovered_questions(latest, plan.retention.activities)
    assert len(zero_questions(latest)) == 3 and len(uncovered) == 1
    assert t("export.uncovered_questions", lang, date=latest.taken_on.isoformat()) in text
    assert "User workshop at Technology Department Xinhe" in text and "Hu Wenbo" in text
    stage = plan.retention.stage
    assert t("export.stage_by", lang, stage=t(f"retention.stage.{stage.target}", lang),
             date=stage.target_on.isoformat()) in text and t(f"retention.stage.{stage.current}", lang) in text
    assert t("retention.org.item.resident_engineers", lang) in text and "NOTE-relation" in text
    figures = leverage_figures(plan.retention.leverage)
    assert f"{figures.price_profit:,.0f}" in text and f"{figures.volume_profit:,.0f}" in text
    counts = whitespace_map(plan.customer_tree.items, plan.retention.product_lines, plan.retention.whitespace).counts()
    assert counts.gaps == 10 and t("export.gaps_count", lang, gaps=counts.gaps, total=counts.total,
                                   coverage=f"{round(100 * counts.coverage)}%") in text
    # the crisis log: severity, dates, people before → after, the plan by phase with owners and what is overdue
    late, fault = plan.crises.items
    assert t("export.severity", lang, level=2, name=t("crisis.severity.2", lang)) in text
    assert t("export.severity", lang, level=3, name=t("crisis.severity.3", lang)) in text and fault.title in text
    assert late.detected_on.isoformat() in text and t("crisis.status.repair", lang) in text
    assert t("export.win_back_line", lang, person=label(plan.key_persons.items[0]), before="=",
             after="-") in text
    assert f"= {t('people.attitude.=', lang)}" in text and f"/ {t('people.attitude./', lang)}" in text
    for step in late.steps:
        assert step.action in text and step.owner in text
    repair = next(s for s in late.steps if s.phase == "repair")
    assert t("export.step_overdue", lang, date=repair.due_on.isoformat(), phase=t("crisis.phase.repair", lang),
             step=repair.action) in text
    assert t("export.phase_missing", lang, phase=t("crisis.phase.fix", lang)) in text  # the fault's plan is thin
    assert t("export.rerun.scores", lang, before="3/8", before_on=(TODAY - dt.timedelta(100)).isoformat(),
             after="5/8", after_on=latest.taken_on.isoformat(), change="+2") in text
    assert t("export.rerun.none", lang) in text and "NOTE-root" in text


def test_each_language_reads_in_its_own_words(documents) -> None:
    zh, en = parse(documents[("zh", False)]).text, parse(documents[("en", False)]).text
    assert CJK.search(zh) and t("health.section.actions", "zh") in zh
    stray = set(CJK.findall(en)) - set("万元")  # the course's unit may appear in English
    assert stray == set()


def test_the_health_heads_the_document(documents) -> None:
    parsed = parse(documents[("en", False)])
    first_chapter = parsed.ids.index("ch-ch1")
    assert parsed.ids.index("front-health") < first_chapter
    text = parsed.text
    assert text.index(t("export.health.title", "en")) < text.index(t("course.chapter.ch1.short", "en"))
    health = plan_health(full_workbook("en").plan, NOW)
    # 84: the campaign proposes rows for the deck's key persons only (not the uncoded production people)
    assert round(100 * health.completeness) == 84 and round(100 * health.strength) == 52  # see test_health
    assert "84%" in text and "52%" in text


def test_sections_without_data_are_shown_as_not_started_never_left_out() -> None:
    wb = Workbook(trainee=Trainee(id="new", name="New Trainee"))
    for lang in LANGS:
        doc = build_document(wb, lang, now=NOW)
        assert [b.key for b in doc.blocks] == [s.key for s in SECTIONS]
        assert [b.key for b in doc.blocks[2:]] == list(HEALTH_SECTIONS)
        parsed = parse(export_html(wb, lang, now=NOW))
        text = parsed.text
        for key in HEALTH_SECTIONS:
            assert f"sec-{key}" in parsed.ids and t(f"health.section.{key}", lang) in text
        assert text.count(t("export.not_started", lang)) == len(HEALTH_SECTIONS)
        assert parsed.images == [] and t("export.no_account", lang) in text


def test_a_workbook_with_chapter_1_only_exports_its_charts_and_the_rest_as_not_started(workbook_file: Path) -> None:
    def fill(wb: Workbook) -> None:
        wb.plan.portfolio.items = [Account(id="a", name="Harbour Bank", bp_wan=900, sow_pct=60)]
        wb.plan.focus_account = "a"

    update_workbook(workbook_file, fill, section="portfolio")
    parsed = parse(export_html(load_workbook(workbook_file), "en", now=NOW))
    assert len(parsed.images) == 1  # the RADP grid
    assert "Harbour Bank" in parsed.text and "R3 (R Retainable)" in parsed.text
    assert parsed.text.count(t("export.not_started", "en")) == len(HEALTH_SECTIONS) - 1


def test_a_plan_with_broken_links_still_exports() -> None:
    """Loops in the tree and the reporting lines, rows pointing at people, factors, templates, crises or units no
    longer there."""
    wb = full_workbook("en")
    plan = wb.plan
    plan.customer_tree.items[0].parent_id = plan.customer_tree.items[3].id  # a cycle: no tree can be drawn
    plan.key_persons.items[0].reports_to = plan.key_persons.items[4].id  # a reporting loop
    plan.actions.items[1].person_id = "gone"
    plan.actions.items[1].factor_id = "gone"
    plan.team.items[1].their_id = "gone"
    plan.team.items[1].our_role = "my own words"
    plan.rule_templates.items = []  # the first tender's template was deleted
    plan.crises.items[1].affected[0].person_id = "gone"  # a person taken off the map
    plan.crises.items = plan.crises.items[1:]  # the re-run assessment now points at a deleted incident
    for lang in LANGS:
        parsed = parse(export_html(wb, lang, now=NOW))
        assert len(parsed.images) == CHARTS - 2  # no tree: its problems are listed instead, and no whitespace map
        assert t("export.tree_problems", lang) in parsed.text and t("export.no_map", lang) in parsed.text
        assert t("export.unknown_person", lang) in parsed.text and "my own words" in parsed.text
        assert t("bidding.bounds.missing", lang) in parsed.text
        assert t("export.unknown_person", lang) in export_block(wb, lang, "crises")
        assert load_xlsx(io.BytesIO(export_xlsx(wb, lang, anonymise=True, now=NOW))).sheetnames


def export_block(wb: Workbook, lang: str, key: str) -> str:
    """One section of the HTML export, as text."""
    from kamlib.export.html import block_html

    doc = build_document(wb, lang, now=NOW)
    return parse(block_html(next(b for b in doc.blocks if b.key == key))).text


def test_a_whitespace_map_too_big_to_draw_is_listed() -> None:
    wb = full_workbook("en")
    root = wb.plan.customer_tree.items[0]
    wb.plan.customer_tree.items += [TreeUnit(id=f"u{i}", name=f"Branch office {i}", parent_id=root.id, kind="user")
                                    for i in range(MAX_MAP_UNITS)]
    doc = build_document(wb, "en", now=NOW)
    block = next(b for b in doc.blocks if b.key == "retention")
    assert not [p for p in block.parts if isinstance(p, Chart)]
    units = MAX_MAP_UNITS + 4
    assert t("export.map_too_big", "en", units=units, lines=4, max_units=MAX_MAP_UNITS, max_lines=MAX_MAP_LINES) in [
        getattr(p, "text", None) for p in block.parts]
    gaps = next(tb for tb in block.tables() if tb.sheet == t("export.sheet.gaps", "en"))
    assert len(gaps.rows) == 10 + 4 * MAX_MAP_UNITS  # every new unit: four gaps, all listed


def test_tenders_without_our_bid_or_rivals_say_why_the_rule_maker_cannot_run() -> None:
    wb = full_workbook("en")
    terminals = wb.plan.bids.items[0]
    for b in terminals.bidders:
        b.us = False
    text = export_block(Workbook.model_validate(wb.model_dump()), "en", "bids")
    assert t("export.bid.cannot", "en", why=t("bidding.result.no_us", "en")) in text
    assert t("export.bid.result.no_us", "en") in text


def test_the_charts_draw_every_glyph() -> None:
    doc = build_document(full_workbook("zh"), "zh", now=NOW)
    charts = [p for b in doc.blocks for p in b.parts if isinstance(p, Chart)]
    assert len(charts) == CHARTS
    for chart in charts:
        png, warned = render_png(chart.make())
        assert png.startswith(PNG) and glyph_warnings(warned) == []


# ---- XLSX ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_of_a_full_workbook_has_one_sheet_per_table_with_headers_in_the_language(lang: str) -> None:
    wb = full_workbook(lang)
    doc = build_document(wb, lang, now=NOW)
    tables = [tbl for b in doc.blocks for tbl in b.tables()]
    sheets = list(dict.fromkeys(tbl.sheet for tbl in tables))  # a table repeated per tender or incident: one sheet
    assert len(sheets) < len(tables)
    book, cells = xlsx_texts(export_xlsx(wb, lang, now=NOW))
    assert book.sheetnames[0] == t("export.label.contents", lang)
    assert book.sheetnames[1:] == sheets
    for sheet, ws in zip(sheets, book.worksheets[1:], strict=True):
        parts = [tbl for tbl in tables if tbl.sheet == sheet]
        headers, rows = sheet_rows(ws)
        assert ws.cell(1, 1).value == parts[0].title and ws.freeze_panes == "A3"
        lead = [parts[0].group_header] if parts[0].group_header else []
        assert headers == lead + [c.header for c in parts[0].columns]
        assert len(rows) == sum(len(tbl.rows) for tbl in parts)
    actions = book[t("export.sheet.actions", lang)]
    headers, rows = sheet_rows(actions)
    assert headers[0] == t("export.col.target", lang) and len(rows) == 5
    assert rows[0][0] == dt.datetime(2026, 2, 10)  # a real date, sorted by target date
    assert actions.cell(3, 1).number_format == "yyyy-mm-dd"
    health = book[t("export.sheet.health", lang)]
    _, rows = sheet_rows(health)
    assert [r[0] for r in rows] == [t(f"health.section.{k}", lang) for k in HEALTH_SECTIONS]
    assert all(isinstance(r[1], int | float) and 0 <= r[1] <= 1 for r in rows)
    assert health.cell(3, 2).number_format == "0%"
    overview = "\n".join(str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value)
    assert t("export.title", lang) in overview and t("health.figure.completeness", lang) in overview
    if lang == "zh":
        assert any(CJK.search(c) for c in cells)
    else:
        assert not set(CJK.findall("\n".join(cells))) - set("万元")


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_puts_every_tenders_bidders_on_one_sheet_and_every_incidents_plan_on_another(lang: str) -> None:
    wb = full_workbook(lang)
    book, _ = xlsx_texts(export_xlsx(wb, lang, now=NOW))
    headers, rows = sheet_rows(book[t("export.sheet.bid_scores", lang)])
    assert headers[:3] == [t("export.col.bid", lang), t("export.col.rank", lang), t("export.col.bidder", lang)]
    terminals, backup, _ = wb.plan.bids.items
    by_tender = {name: [r for r in rows if r[0] == name] for name in (terminals.name, backup.name)}
    assert [len(v) for v in by_tender.values()] == [len(terminals.bidders), len(backup.bidders)]
    sheet = score_bid(terminals)
    total = headers.index(t("export.col.total", lang))
    assert [r[total] for r in by_tender[terminals.name]] == [
        None if r.total is None else round(r.total, 2) for r in sheet.rows]  # numbers, in rank order
    assert isinstance(by_tender[terminals.name][0][headers.index(t("export.col.j1_price", lang))], float)
    headers, rows = sheet_rows(book[t("export.sheet.bid_targets", lang)])
    assert len(rows) == len(terminals.targets) + len(backup.targets)
    assert isinstance(rows[0][headers.index(t("export.col.due", lang))], dt.datetime)
    overview = book[t("export.sheet.bids", lang)]
    _, rows = sheet_rows(overview)
    assert [r[0] for r in rows] == [b.name for b in wb.plan.bids.items]  # by due date, undated last
    headers, rows = sheet_rows(book[t("export.sheet.crisis_steps", lang)])
    assert headers[0] == t("export.col.crisis", lang)
    assert len(rows) == sum(len(c.steps) for c in wb.plan.crises.items)
    state = headers.index(t("export.col.state", lang))
    assert [r[state] for r in rows].count(t("export.state.overdue", lang)) == 2
    headers, rows = sheet_rows(book[t("export.sheet.crisis_people", lang)])
    assert len(rows) == sum(len(c.affected) for c in wb.plan.crises.items)
    assert rows[0][headers.index(t("export.col.before", lang))] == f"= {t('people.attitude.=', lang)}"
    headers, rows = sheet_rows(book[t("export.sheet.leverage", lang)])
    assert [r[1] for r in rows] == [10_000, 10_100, 11_000, 9_000]  # the deck's example
    assert book[t("export.sheet.leverage", lang)].cell(4, 3).number_format == "0%"


def test_an_empty_workbook_still_has_every_sheet_marked_not_started() -> None:
    wb = Workbook(trainee=Trainee(id="new", name="New Trainee"))
    book, _ = xlsx_texts(export_xlsx(wb, "en", now=NOW))
    measures = book[t("export.sheet.measures", "en")]
    headers, rows = sheet_rows(measures)
    assert headers[0] == t("export.col.priority", "en")
    assert rows[0][0].startswith(t("export.not_started", "en"))
    for sheet, first in (("bid_scores", "bid"), ("bid_targets", "bid"), ("crisis_people", "crisis"),
                         ("crisis_steps", "crisis"), ("leverage", "case"), ("gaps", "unit"), ("zero", "question")):
        headers, rows = sheet_rows(book[t(f"export.sheet.{sheet}", "en")])
        assert headers[0] == t(f"export.col.{first}", "en")
        assert rows[0][0].startswith(t("export.not_started", "en")), sheet


# ---- anonymised ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_anonymised_exports_keep_no_name_and_no_note(documents, lang: str) -> None:
    wb = full_workbook(lang)
    hidden = secrets(wb)
    assert len(hidden) > 30
    page = documents[(lang, True)]
    named = documents[(lang, False)]
    assert all(s in named for s in ("Zhao Guoqiang", "NOTE-", "Hu Wenbo", wb.plan.portfolio.items[8].name))
    leaks = [s for s in hidden if s.casefold() in page.casefold()]
    assert leaks == []
    _, cells = xlsx_texts(export_xlsx(wb, lang, anonymise=True, now=NOW))
    joined = "\n".join(cells).casefold()
    assert [s for s in hidden if s.casefold() in joined] == []
    text = parse(page).text
    code = t("share.anon.account_code", lang, letter="A")
    assert t("share.anon.account", lang, industry=wb.plan.portfolio.items[8].industry, code=code) in text
    assert t("share.anon.person", lang, title=wb.plan.key_persons.items[0].title,
             code=t("share.anon.person_code", lang, number=1)) in text
    assert t("export.anonymised", lang) in text
    # the trainee's short texts keep their content, names replaced: "Executive visit to Person 1"
    assert "Executive visit to " + t("share.anon.person_code", lang, number=1) in text


@pytest.mark.parametrize("lang", LANGS)
def test_anonymised_later_sections_show_titles_and_codes_and_keep_competitors(documents, lang: str) -> None:
    wb = full_workbook(lang)
    text = parse(documents[(lang, True)]).text
    person1 = t("share.anon.person_code", lang, number=1)
    account = t("share.anon.account_code", lang, letter="A")
    assert f"Branch terminal tender at {account}" in text  # the tender's name without the account's
    assert f"{person1} (Senior VP)" in text  # who in the T1–T4 worksheet
    assert f"Executive dinner with {person1}" in text  # an activity aimed at a question scored 0
    assert "Firmware fault at " + t("share.anon.dmu", lang, number=1) in text  # an incident's title, unit coded
    svp = wb.plan.key_persons.items[0]
    assert t("share.anon.person", lang, title=svp.title, code=person1) in text  # people touched: by title
    for bidder in wb.plan.bids.items[0].bidders + wb.plan.bids.items[1].bidders:
        assert bidder.name in text  # competitor companies are not people: they stay
    for hidden in ("NOTE-t1", "NOTE-root", "NOTE-evidence", "NOTE-relation", "NOTE-svp", "NOTE-bidder", *COLLEAGUES):
        assert hidden not in text


def test_anonymised_charts_show_codes_only() -> None:
    wb = full_workbook("en")
    doc = build_document(wb, "en", anonymise=True, now=NOW)
    hidden = secrets(wb)
    shown: list[str] = []
    for block in doc.blocks:
        for part in block.parts:
            if isinstance(part, Chart):
                fig = part.make()
                assert isinstance(fig, Figure)
                shown += texts(fig)
    joined = "\n".join(shown)
    assert "Person 1" in joined and "DMU-1" in joined
    assert "Firmware fault at DMU-1" in joined  # the crisis marked on the substitutability trend
    assert "User-1 (" in joined  # a unit of the whitespace map
    assert [s for s in hidden if s in joined] == []


def test_anonymised_tables_drop_the_note_columns() -> None:
    wb = full_workbook("en")
    named = build_document(wb, "en", now=NOW)
    anon = build_document(wb, "en", anonymise=True, now=NOW)

    def headers(doc, sheet: str) -> list[str]:
        table = next(tb for b in doc.blocks for tb in b.tables() if tb.sheet == t(f"export.sheet.{sheet}", "en"))
        return [c.header for c in table.columns]

    for sheet, col in (("measures", "measures"), ("actions", "owner"), ("actions", "evaluation"),
                       ("team", "our_name"), ("information", "content"), ("crises", "notes"), ("bids", "notes"),
                       ("bid_scores", "notes"), ("bid_targets", "what"), ("assessments", "notes"),
                       ("activities", "owner"), ("relations", "org_description"), ("crisis_people", "person_note"),
                       ("crisis_steps", "owner")):
        assert t(f"export.col.{col}", "en") in headers(named, sheet)
        assert t(f"export.col.{col}", "en") not in headers(anon, sheet)


# ---- escaping ---------------------------------------------------------------------------------------------


def _marked_up() -> Workbook:
    wb = full_workbook("en")
    plan = wb.plan
    plan.portfolio.items[8].name = "Jinmin " + MARKUP
    plan.key_persons.items[0].name = "Zhao " + MARKUP
    plan.share.goal = MARKUP
    plan.actions.items[0].text = FORMULA
    plan.actions.items[0].evaluation = MARKUP + "\x0b"  # a control character XLSX cannot hold
    plan.measures.items[0].measures = FORMULA
    plan.crises.items[0].notes = "</td></tr></table><h1>broken</h1>"
    return Workbook.model_validate(wb.model_dump())


LATER_FIELDS = ("tender", "vendor", "who", "do", "line", "activity", "evidence", "tie", "crisis", "step", "cause",
                "products", "note")


def _later_marked_up() -> Workbook:
    """Markup typed into every text field of the bids, chapter 4 and the crisis log, each tagged with its field."""
    wb = full_workbook("en")
    plan = wb.plan
    tender = plan.bids.items[0]
    tender.name = "tender " + MARKUP
    tender.bidders[1].name = "vendor " + MARKUP
    tender.bidders[2].name = FORMULA
    tender.targets[0].who, tender.targets[0].action = "who " + MARKUP, "do " + MARKUP
    r = plan.retention
    r.product_lines[0].name = "line " + MARKUP
    r.activities[0].text = "activity " + MARKUP
    r.stage.evidence = "evidence " + MARKUP
    r.relations[0].description = "tie " + MARKUP
    crisis = plan.crises.items[0]
    crisis.title, crisis.root_cause, crisis.products = "crisis " + MARKUP, "cause " + MARKUP, "products " + MARKUP
    crisis.steps[0].action = "step " + MARKUP
    crisis.affected[0].note = "note " + MARKUP
    return Workbook.model_validate(wb.model_dump())


def test_html_escapes_everything_typed_in_the_later_sections() -> None:
    page = export_html(_later_marked_up(), "en", now=NOW)
    parsed = parse(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags and parsed.tags.count("h1") == 1
    for field in LATER_FIELDS:
        assert f"{field} {MARKUP}" in parsed.text, field
    assert FORMULA in parsed.text


def test_xlsx_keeps_text_typed_in_the_later_sections_as_text() -> None:
    book = load_xlsx(io.BytesIO(export_xlsx(_later_marked_up(), "en", now=NOW)))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert [c.data_type for c in cells if c.value == FORMULA] == ["s"]  # the bidder's name: text, not a formula
    shown = "\n".join(c.value for c in cells)
    for field in set(LATER_FIELDS) - {"evidence", "cause"}:  # those two are paragraphs of the HTML only
        assert f"{field} {MARKUP}" in shown, field


def test_html_escapes_everything_typed() -> None:
    page = export_html(_marked_up(), "en", now=NOW)
    parsed = parse(page)  # every element still closes
    assert "script" not in parsed.tags and parsed.tags.count("h1") == 1  # only the document's own title
    assert "b" not in parsed.tags
    text = parsed.text
    assert MARKUP in text and "</td></tr></table><h1>broken</h1>" in text and FORMULA in text
    assert "&lt;script&gt;" in page


def test_xlsx_keeps_typed_text_as_text() -> None:
    data = export_xlsx(_marked_up(), "en", now=NOW)
    book = load_xlsx(io.BytesIO(data))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    formulas = [c for c in cells if c.value.startswith("=")]
    assert formulas and all(c.data_type == "s" for c in formulas)  # text, never a formula
    assert any(c.value == FORMULA for c in formulas)
    assert any(MARKUP in c.value for c in cells)
    assert not any("\x0b" in c.value for c in cells)


# ---- files, the command, the form -------------------------------------------------------------------------


def test_write_export_checks_format_and_suffix(tmp_path: Path) -> None:
    wb = full_workbook("en")
    with pytest.raises(InputError) as bad:
        check_format("pdf")
    assert "html, xlsx" in bad.value.message("en") and "pdf" in bad.value.message("zh")
    with pytest.raises(InputError) as wrong:
        write_export(wb, "xlsx", "en", tmp_path / "plan.html")
    assert ".xlsx" in wrong.value.message("en")
    assert not (tmp_path / "plan.html").exists()
    path = write_export(wb, "xlsx", "en", tmp_path / "plan.xlsx")
    assert load_xlsx(path).sheetnames[0] == "Contents"


def _kam(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kam")
    parser.add_argument("--lang")
    add_export_parser(parser.add_subparsers(dest="command", required=True))
    return export_command(parser.parse_args(list(argv)))


def test_kam_export_writes_html_by_default_in_the_trainees_language(home: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "wb.json"
    save_workbook(full_workbook("zh"), source)
    assert _kam("export", str(source)) == 0
    out = home / "exports" / "account-plan-li.wei.html"
    assert out.is_file() and parse(out.read_text(encoding="utf-8")).lang == "zh-CN"
    said = capsys.readouterr().out
    assert str(out) in said and t("export.cli.written", "zh", file=str(out)) in said


def test_kam_export_xlsx_anonymised_in_english(home: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "wb.json"
    save_workbook(full_workbook("en"), source)
    target = tmp_path / "share" / "plan.xlsx"
    assert _kam("export", str(source), "--out", str(target), "--anonymise", "--lang", "en") == 0
    _, cells = xlsx_texts(target.read_bytes())
    assert "Contents" in cells and not [s for s in secrets(full_workbook("en")) if s in "\n".join(cells)]
    assert t("export.cli.anonymised", "en") in capsys.readouterr().out


@pytest.mark.parametrize("case", ["format", "suffix", "same_file"])
def test_kam_export_explains_bad_arguments(tmp_path: Path, capsys, case: str) -> None:
    source = tmp_path / "wb.json"
    save_workbook(full_workbook("en"), source)
    before = source.read_bytes()
    pdf = tmp_path / "x.pdf"
    extra, expected = {
        "format": (["--format", "pdf"], t("export.error.format", "en", value="pdf", accepted="html, xlsx")),
        "suffix": (["--out", str(pdf)], t("export.error.suffix", "en", file=str(pdf), fmt="html")),
        "same_file": (["--out", str(source)], t("export.cli.same_file", "en", file=str(source))),
    }[case]
    assert _kam("--lang", "en", "export", str(source), *extra) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert source.read_bytes() == before and not pdf.exists()


def test_kam_export_of_a_missing_workbook_says_so(tmp_path: Path, capsys) -> None:
    assert _kam("--lang", "en", "export", str(tmp_path / "nope.json")) == 2
    assert "nope.json" in capsys.readouterr().err


def test_the_form_exports_and_offers_a_download(workbook_file: Path, home: Path) -> None:
    save_workbook(full_workbook("en").model_copy(update={"trainee": load_workbook(workbook_file).trainee}),
                  workbook_file)
    page = Page(lang="en")
    form = plan_section(page)  # the start page's part: heading, health, the form
    assert len(page._displays) == 2 and form.button.description == t("export.form.button", "en")
    form.format.value, form.anonymise.value = "xlsx", True
    form.button.click()
    assert form.status.kind == "ok", form.status.text
    path = home / "exports" / "account-plan-li.wei-anonymised.xlsx"
    assert path.is_file() and 'download="account-plan-li.wei-anonymised.xlsx"' in form.download.value
    page.set_lang("zh")
    assert form.button.description == t("export.form.button", "zh")


def test_the_form_without_a_workbook_explains(home: Path) -> None:
    form = ExportForm(Page(lang="en"))
    form.button.click()
    assert form.status.kind == "error" and "Traceback" not in form.status.text
    assert not (home / "exports").exists()


def test_the_health_display_shows_figures_sections_and_actions_due(workbook_file: Path) -> None:
    wb = full_workbook("en")
    wb.plan.actions.items[2].target_on = dt.date.today() + dt.timedelta(days=3)  # due soon, whatever today is
    save_workbook(wb.model_copy(update={"trainee": load_workbook(workbook_file).trainee}), workbook_file)
    page = Page(lang="en")
    health_view(page)
    (_, render), = page._displays
    shown = render("en").data
    assert t("health.view.col_completeness", "en") in shown
    for key in HEALTH_SECTIONS:
        assert t(f"health.section.{key}", "en") in shown
    assert t("health.view.due_soon", "en", count=1) in shown and "Technical exchange" in shown
    assert CJK.search(render("zh").data)


def test_the_health_display_asks_to_register_first(home: Path) -> None:
    page = Page(lang="en")
    health_view(page)
    (_, render), = page._displays
    assert render("en").data == t("health.view.not_registered", "en")


def test_table_cells_keep_their_types() -> None:
    doc = build_document(full_workbook("en"), "en", now=NOW)
    picks = next(tb for b in doc.blocks for tb in b.tables() if tb.sheet == t("export.sheet.picks", "en"))
    assert isinstance(picks, Table) and isinstance(picks.rows[0][2], float)
