"""Chapter 4 forms without a browser: calculator, whitespace map, relationship, assessment, stage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kamlib.forms import retention as ch4
from kamlib.forms.page import Page
from kamlib.forms.rows import NEW
from kamlib.i18n import t
from kamlib.model import load_workbook, update_workbook
from kamlib.model.workbook import TreeUnit, Workbook
from tests.form_checks import add_row as _add
from tests.form_checks import shown as _shown


def _tree(wb: Workbook) -> None:
    wb.plan.customer_tree.items = [TreeUnit(id="hq", name="Head office"),
                                   TreeUnit(id="br", name="Sichuan branch", kind="dmu", parent_id="hq"),
                                   TreeUnit(id="it", name="IT department", kind="user", parent_id="br")]


def _answer(form: ch4.AssessmentForm, date: str, *yes: int) -> None:
    form.picker.value = NEW
    form.date.value = date
    for n, toggle in enumerate(form.answers, start=1):
        toggle.value = n in yes


# ---- profit leverage ----------------------------------------------------------------------------------


def test_the_calculator_with_the_decks_example(workbook_file: Path) -> None:
    page = Page(lang="en")
    form = ch4.profit_leverage(page)
    assert "still needs" in _shown(page)[0]  # nothing entered yet: what is missing, not an error
    form.deck_button.click()
    saved = load_workbook(workbook_file).plan.retention.leverage
    assert (saved.price, saved.material_cost, saved.variable_cost, saved.volume) == (1000, 800, 100, 100)
    text, picture, _assumption = _shown(page)
    for figure in ("10,000", "10,100", "11,000", "9,000", "**10 times**", "**9.1%**", "**11.1% more volume**"):
        assert figure in text
    assert picture == "<image>"
    page.set_lang("zh")
    assert "10 倍" in _shown(page)[0]


def test_bad_figures_are_named_and_nothing_saved_is_lost(workbook_file: Path) -> None:
    page = Page(lang="en")
    form = ch4.profit_leverage(page)
    form.use_deck_example()
    form.inputs["price"].value = "one thousand"
    form.inputs["change_pct"].value = "80"
    form.save_button.click()
    assert form.status.kind == "error" and "Price per unit (yuan)" in form.status.text
    assert "one thousand" in form.status.text
    form.inputs["price"].value = "1,200"
    form.save_button.click()
    assert "Change compared (%)" in form.status.text and "50" in form.status.text
    assert load_workbook(workbook_file).plan.retention.leverage.price == 1000  # unchanged
    form.inputs["change_pct"].value = ""
    form.save_button.click()
    saved = load_workbook(workbook_file).plan.retention.leverage
    assert (saved.price, saved.change_pct) == (1200, 1)


def test_a_leverage_save_redraws_only_the_leverage(workbook_file: Path) -> None:
    update_workbook(workbook_file, _tree)
    page = Page(lang="en")
    form = ch4.profit_leverage(page)
    ch4.whitespace(page)
    calls: list[int] = []
    for i, (target, render) in enumerate(list(page._displays)):
        page._displays[i] = (target, lambda lang, render=render, i=i: (calls.append(i), render(lang))[1])
    form.use_deck_example()
    assert sorted(calls) == [0, 1]  # the figures and the chart; not the assumption nor the whitespace map


# ---- the whitespace map -------------------------------------------------------------------------------


def test_product_lines_and_the_whitespace_map(workbook_file: Path) -> None:
    page = Page(lang="en")
    lines = ch4.product_lines(page)
    grid = ch4.whitespace(page)
    assert "customer tree has no units" in grid.grid.children[0].value
    update_workbook(workbook_file, _tree)
    page.refresh()
    assert "product lines above first" in grid.grid.children[0].value
    terminals = _add(lines, name="Counter terminals")
    network = _add(lines, name="Network equipment")
    assert len(grid.cells) == 6 and grid.save_button.layout.display is None
    grid.cells[("br", terminals)].value = "bought"
    grid.cells[("it", network)].value = "open"
    _add(lines, name="Servers")  # a save elsewhere: the map gains a column, the picks above stay
    assert len(grid.cells) == 9 and grid.cells[("br", terminals)].value == "bought"
    grid.cells[("hq", network)].value = "na"
    grid.save_button.click()
    cells = {(c.unit_id, c.line_id): c.status for c in load_workbook(workbook_file).plan.retention.whitespace}
    assert cells == {("br", terminals): "bought", ("it", network): "open", ("hq", network): "na"}
    shown = _shown(page)
    assert "<image>" in shown
    counts = next(s for s in shown if "gaps" in s)
    assert "**1** cells bought" in counts and "**7 gaps**" in counts and "bought at another unit" in counts
    page.set_lang("zh")
    assert grid.cells[("br", terminals)].value == "bought"
    assert dict(grid.cells[("br", terminals)].options)[t("retention.cell.bought", "zh")] == "bought"


def test_deleting_a_line_drops_its_column(workbook_file: Path) -> None:
    update_workbook(workbook_file, _tree)
    page = Page(lang="en")
    lines = ch4.product_lines(page)
    grid = ch4.whitespace(page)
    kept, dropped = _add(lines, name="Terminals"), _add(lines, name="Printers")
    grid.cells[("br", dropped)].value = "bought"
    grid.save()
    lines.picker.value = dropped
    lines.delete_button.click()
    assert {k[1] for k in grid.cells} == {kept}
    grid.save()
    assert load_workbook(workbook_file).plan.retention.whitespace == []


# ---- the organisational relationship ------------------------------------------------------------------


def test_relations_say_whether_the_relationship_is_organised(workbook_file: Path) -> None:
    page = Page(lang="en")
    editor = ch4.relations(page)
    assert "No organisational customer relationship yet" in _shown(page)[0]
    _add(editor, item="consulting", status="planned")
    assert "No organisational customer relationship yet" in _shown(page)[0]
    _add(editor, item="resident_engineers", status="in_place", description="An engineer in the IT department",
         since="2026-01-10")
    table = _shown(page)[0]
    assert "is established (Organisational support)" in table and "An engineer in the IT department" in table
    assert any("✔ Organisational support · resident engineers" in label for label, _ in editor.picker.options)
    editor.inputs["since"].value = "last spring"
    editor.save_button.click()
    assert "Since" in editor.status.text and "YYYY-MM-DD" in editor.status.text


# ---- the assessment and the activities ------------------------------------------------------------------


def test_assessments_are_dated_rows_with_a_trend(workbook_file: Path) -> None:
    page = Page(lang="en")
    form = ch4.assessment(page)
    assert "No assessment yet" in _shown(page)[0]
    _answer(form, "2026-01-05", 1, 4, 6, 7)
    form.answers[7].value = None
    form.save_button.click()
    assert form.status.kind == "error" and "not answered yet: 8" in form.status.text
    assert load_workbook(workbook_file).plan.assessments.items == []
    form.answers[7].value = False
    form.date.value = "5 Jan"
    form.save_button.click()
    assert "Taken on" in form.status.text
    form.date.value = "2026-01-05"
    form.save_button.click()
    assert form.status.text == "Saved: score 4/8."
    _answer(form, "2026-04-05", 1, 2, 4, 6, 7)
    form.save()
    items = load_workbook(workbook_file).plan.assessments.items
    assert [sum(a.answers) for a in items] == [4, 5] and items[0].taken_on == dt.date(2026, 1, 5)
    history, chart, activities = _shown(page)
    assert "| 2026-04-05 | 5/8 | +1 |" in history and chart == "<image>"
    assert "Executive care" in activities and "3. our leaders at every level in contact" in activities
    assert "this workbook's mapping" in activities
    # correct an earlier one: the history is edited, not appended
    form.picker.value = items[0].id
    assert form.date.value == "2026-01-05" and form.answers[1].value is False
    form.answers[1].value = True
    form.save()
    assert [sum(a.answers) for a in load_workbook(workbook_file).plan.assessments.items] == [5, 5]
    form.delete_button.click()
    assert len(load_workbook(workbook_file).plan.assessments.items) == 1 and form.picker.value == NEW
    assert "Deleted \u201c2026-01-05 \u00b7 5/8\u201d" in form.status.text
    assert form.undo_button.layout.display != "none" and "2026-01-05" in form.undo_button.description
    form.undo_button.click()  # put back where it stood, as it was
    assert [a.id for a in load_workbook(workbook_file).plan.assessments.items] == [a.id for a in items]
    restored = load_workbook(workbook_file).plan.assessments.items[0]
    assert restored.id == items[0].id and sum(restored.answers) == 5 and form.picker.value == restored.id
    assert form.undo_button.layout.display == "none" and form.undo_delete() is None


def test_planned_activities_cover_the_zero_questions(workbook_file: Path) -> None:
    page = Page(lang="en")
    form = ch4.assessment(page)
    editor = ch4.planned_activities(page)
    _answer(form, "2026-01-05", 1, 4, 6, 7)
    form.save()
    coverage = _shown(page)[-1]
    assert "No planned activity aims yet at: 2. several levels" in coverage
    _add(editor, activity="executive_care", text="Our GM visits the VP", questions=(2, 3, 8), owner="Wang Min",
         due_on="2026-02-01")
    _add(editor, activity="training", text="Server open day", questions=(5,))
    assert _shown(page)[-1] == t("retention.activities.covered", "en")
    saved = load_workbook(workbook_file).plan.retention.activities
    assert saved[0].questions == [2, 3, 8] and saved[0].due_on == dt.date(2026, 2, 1)


# ---- the stage --------------------------------------------------------------------------------------------------


def test_stage_with_evidence_target_and_hints(workbook_file: Path) -> None:
    page = Page(lang="en")
    form = ch4.assessment(page)
    stage = ch4.stage(page)
    _answer(form, "2026-01-05", 1, 4, 6, 7)
    form.save()
    stage.current.value = "consultant"
    stage.target_on.value = "soon"
    stage.save_button.click()
    assert stage.status.kind == "error" and "Reach the target by" in stage.status.text
    stage.target_on.value = ""
    stage.save_button.click()
    hints = _shown(page)[-1]
    assert "consultant seller" in hints and "latest score is 4" in hints and "Write the evidence" in hints
    stage.current.value = "needs"
    stage.evidence.value = "Liu Yang asks us what the outlets need"
    stage.target.value = "consultant"
    stage.target_on.value = "2027-06-30"
    stage.save()
    saved = load_workbook(workbook_file).plan.retention.stage
    assert (saved.current, saved.target, saved.target_on) == ("needs", "consultant", dt.date(2027, 6, 30))
    hints = _shown(page)[-1]
    assert "To reach “consultant seller”, work on: 2. several levels of decision makers" in hints
    assert "<image>" in _shown(page)
    reopened = ch4.StageForm(Page(lang="zh"))
    assert reopened.current.value == "needs" and reopened.evidence.value.startswith("Liu Yang")


def test_summary_and_the_unregistered_page(workbook_file: Path, home: Path) -> None:
    page = Page(lang="en")
    ch4.summary(page)
    text = _shown(page)[0]
    assert "not assessed yet" in text and "Open crises: 0" in text
    workbook_file.unlink()
    bare = ch4.open_page(lang="en")
    assert ch4.profit_leverage(bare) is None and ch4.assessment(bare) is None
    assert any("register first" in s for s in _shown(bare))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_display_renders_in_both_languages(workbook_file: Path, lang: str) -> None:
    update_workbook(workbook_file, _tree)
    page = ch4.open_page(lang=lang)
    ch4.summary(page)
    ch4.profit_leverage(page).use_deck_example()
    _add(ch4.product_lines(page), name="Terminals")
    ch4.whitespace(page).save()
    _add(ch4.relations(page), item="financing", status="in_place")
    form = ch4.assessment(page)
    _answer(form, "2026-01-05", 1, 4, 6, 7)
    form.save()
    ch4.planned_activities(page)
    ch4.stage(page).save()
    shown = _shown(page)
    assert not [s for s in shown if "kam-error" in s]
    assert shown.count("<image>") == 4  # leverage, whitespace, trend, stage
