"""Crisis forms without a browser: the log, the incident worked on, its people, its plan, the re-run assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kamlib.forms import crisis as st2
from kamlib.forms.page import Page
from kamlib.forms.rows import NEW
from kamlib.model import load_workbook, update_workbook
from kamlib.model.retention import Assessment
from kamlib.model.workbook import KeyPerson, Workbook
from tests.form_checks import add_row as _add
from tests.form_checks import shown as _shown


def _map(wb: Workbook) -> None:
    wb.plan.key_persons.items = [
        KeyPerson(id="vp", name="Zhou Jian", title="Vice President", role="A", attitude="="),
        KeyPerson(id="it", name="Liu Yang", title="Head of IT", role="D", attitude="+", reports_to="vp"),
        KeyPerson(id="tel", name="Wu Fang", role="U", attitude="+"),
    ]
    wb.plan.assessments.items = [Assessment(taken_on=dt.date(2026, 1, 5),
                                            answers=[True, False, False, True, False, True, True, False])]


@pytest.fixture
def page(workbook_file: Path) -> Page:
    update_workbook(workbook_file, _map)
    return st2.open_page(lang="en")


def _log(page: Page, title: str = "Firmware froze 40 outlets", happened: str = "2026-03-02") -> str:
    editor = next(f for f in page._forms if type(f).__name__ == "RowEditor")
    return _add(editor, title=title, kind="quality", happened_on=happened, detected_on=happened, severity=3,
                products="counter terminals", notes="Terminals froze for three hours")


def test_the_log_and_its_bad_input(page: Page, workbook_file: Path) -> None:
    editor = st2.incident_log(page)
    assert "No incident logged yet" in _shown(page)[-1]
    editor.picker.value = NEW
    editor.inputs["title"].value = "Late delivery"
    editor.inputs["happened_on"].value = "March 2nd"
    editor.save_button.click()
    assert editor.status.kind == "error" and "Happened on" in editor.status.text
    assert load_workbook(workbook_file).plan.crises.items == []
    editor.inputs["title"].value = ""
    editor.inputs["happened_on"].value = "2026-03-02"
    editor.save_button.click()
    assert editor.status.kind == "error" and "Incident" in editor.status.text
    _log(page)
    log = _shown(page)[-1]
    assert "| 2026-03-02 | Firmware froze 40 outlets | high | product quality | counter terminals |" in log
    assert "no response plan yet" in log


def test_the_picker_follows_the_log(page: Page) -> None:
    st2.incident_log(page)
    picker = st2.crisis_picker(page)
    assert picker.value is None
    people = st2.affected_people(page, picker)
    people.picker.value = NEW
    people.inputs["person_id"].value = "vp"
    people.save_button.click()
    assert people.status.kind == "error" and "Choose an incident first" in people.status.text
    older = _log(page, "Late delivery", "2025-11-10")
    assert picker.value == older
    newer = _log(page, "Firmware froze 40 outlets", "2026-03-02")
    assert picker.value == older  # the trainee's choice stays
    picker.choice.value = newer
    assert picker.choice.options[0][0].startswith("2026-03-02")


def test_people_moves_priority_and_carrying_them_into_the_map(page: Page, workbook_file: Path) -> None:
    st2.incident_log(page)
    _log(page)
    picker = st2.crisis_picker(page)
    editor = st2.affected_people(page, picker)
    assert "No one listed yet" in _shown(page)[-1]
    editor.picker.value = NEW
    editor.inputs["person_id"].value = "tel"
    assert editor.inputs["before"].value == "+"  # from the chapter 2 map
    editor.inputs["after"].value = "-"
    editor.save()
    _add(editor, person_id="vp", before="=", after="-")
    _add(editor, person_id="it", before="+", after="+")
    editor.picker.value = NEW
    editor.inputs["person_id"].value = "vp"
    editor.save_button.click()
    assert editor.status.kind == "error" and "listed twice" in editor.status.text
    assert len(load_workbook(workbook_file).plan.crises.items[0].affected) == 3
    text = _shown(page)[-1]
    assert "**2** fell" in text and "decision-makers (A, D) who fell: **1**" in text
    assert "1. Zhou Jian (A): = → -\n2. Wu Fang (U): + → -" in text and "now against us" in text
    assert "<image>" in _shown(page)
    carry = next(f for f in page._forms if isinstance(f, st2.CarryForm))
    assert carry.apply() == 2
    assert [p.attitude for p in load_workbook(workbook_file).plan.key_persons.items] == ["-", "+", "-"]
    assert "2 attitudes updated" in carry.status.text


def test_the_response_plan_from_the_playbook(page: Page, workbook_file: Path) -> None:
    st2.incident_log(page)
    _log(page)
    picker = st2.crisis_picker(page)
    editor = st2.response_plan(page, picker)
    seed = next(f for f in page._forms if isinstance(f, st2.SeedSteps))
    assert seed.add() == 5 and seed.add() == 0
    steps = load_workbook(workbook_file).plan.crises.items[0].steps
    assert [s.due_on for s in steps] == [dt.date(2026, 3, d) for d in (2, 4, 16)] + [dt.date(2026, 4, 1),
                                                                                       dt.date(2026, 5, 1)]
    plan = next(s for s in _shown(page) if "Status:" in s)
    assert "at phase 1: acknowledge" in plan and "has no owner" in plan
    editor.picker.value = steps[0].id
    editor.inputs["owner"].value = "Wang Min"
    editor.inputs["done_on"].value = "2026-03-02"
    editor.save()
    plan = next(s for s in _shown(page) if "Status:" in s)
    assert "at phase 2: contain" in plan
    editor.inputs["due_on"].value = "tomorrow"
    editor.save_button.click()
    assert "Due on" in editor.status.text
    assert _shown(page)[-1] == "<image>"


def test_the_re_run_assessment_is_linked_and_compared(page: Page, workbook_file: Path) -> None:
    st2.incident_log(page)
    crisis_id = _log(page)
    picker = st2.crisis_picker(page)
    form = st2.rerun(page, picker)
    assert "Not re-assessed" in _shown(page)[-1]
    form.date.value = "2026-05-01"
    for n, toggle in enumerate(form.answers, start=1):
        toggle.value = n in (1, 2, 3, 4, 6, 7)
    form.save()
    rerun = load_workbook(workbook_file).plan.assessments.items[-1]
    assert rerun.crisis_id == crisis_id and sum(rerun.answers) == 6
    compare = _shown(page)[-1]
    assert "Before the incident (2026-01-05): **4/8**; after it (2026-05-01): **6/8**" in compare
    assert "| 2. several levels of decision makers | 0 | 1 | changed |" in compare
    assert [label for label, _ in form.picker.options][1].startswith("2026-05-01 · 6/8 · after")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_whole_page_renders(workbook_file: Path, lang: str) -> None:
    update_workbook(workbook_file, _map)
    page = st2.open_page(lang=lang)
    st2.playbook(page)
    st2.incident_log(page)
    _log(page)
    picker = st2.crisis_picker(page)
    _add(st2.affected_people(page, picker), person_id="vp", before="=", after="/")
    st2.response_plan(page, picker)
    st2.rerun(page, picker)
    page.set_lang("zh" if lang == "en" else "en")
    shown = _shown(page)
    assert not [s for s in shown if "kam-error" in s]
    assert shown.count("<image>") == 2  # attitudes, timeline
