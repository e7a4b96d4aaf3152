"""Chapter 2 forms without a browser: the inventory, the five steps, the key-person map, the factors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kamlib.forms import analysis as ch2
from kamlib.forms import strategy as ch3
from kamlib.forms.page import Page
from kamlib.i18n import LANGS, t
from kamlib.model import load_workbook, update_workbook
from kamlib.model.workbook import Account, KeyAccountPick, ShareCard
from tests.form_checks import add_row as _add
from tests.form_checks import shown as _shown


def test_focus_account_is_chosen_from_the_chapter_1_list(workbook_file: Path) -> None:
    account = Account(name="Harbour Bank", bp_wan=900, sow_pct=60)
    update_workbook(workbook_file, lambda wb: wb.plan.portfolio.items.append(account))
    form = ch2.FocusForm(Page(lang="en"))
    form.account.value = account.id
    assert load_workbook(workbook_file).plan.focus_account == account.id


@pytest.mark.parametrize("lang", LANGS)
def test_focus_carries_chapter_1s_choice_over_until_the_trainee_changes_it(workbook_file: Path, lang: str) -> None:
    a, b, c = (Account(name=n, bp_wan=900, sow_pct=60) for n in ("Alpha Bank", "Beta Steel", "Gamma Power"))
    update_workbook(workbook_file, lambda wb: wb.plan.portfolio.items.extend([a, b, c]))
    form = ch2.FocusForm(Page(lang=lang))
    assert form.account.value is None and form.account.options[0] == ("—", None)
    assert t("ch2.focus.no_pick", lang) in form.source.value  # said plainly, with the way to chapter 1

    def pick(wb) -> None:
        wb.plan.key_accounts = [KeyAccountPick(account_id=c.id, kind="strategic"),
                                KeyAccountPick(account_id=b.id, kind="top")]

    update_workbook(workbook_file, pick)
    form.relabel(lang)
    assert form.account.value == b.id  # the Top pick first
    assert [v for _, v in form.account.options] == [b.id, c.id, a.id]  # chapter 1's picks head the list
    assert form.account.label == f"Beta Steel · {t('ch2.focus.tag.top', lang)}"
    assert t("ch2.focus.from_top", lang) in form.source.value
    update_workbook(workbook_file, lambda wb: setattr(wb.plan, "share", ShareCard(account_id=c.id)))
    form.relabel(lang)
    assert form.account.value == c.id and t("ch2.focus.from_share", lang) in form.source.value
    assert load_workbook(workbook_file).plan.focus_account is None  # shown from chapter 1, not copied
    assert f"**{c.name}**" in ch3.focus_line(load_workbook(workbook_file), lang).data  # chapter 3 agrees

    form.account.value = a.id  # the trainee analyses another account
    assert load_workbook(workbook_file).plan.focus_account == a.id
    reopened = ch2.FocusForm(Page(lang=lang))
    assert reopened.account.value == a.id and t("ch2.focus.from_chosen", lang) in reopened.source.value
    assert f"**{a.name}**" in ch3.focus_line(load_workbook(workbook_file), lang).data


def test_step_4_names_its_decision_people_where_it_asks_for_them(workbook_file: Path) -> None:
    page = Page(lang="en")
    people = ch2.decision_people(page)
    opportunities = ch2.opportunities(page)
    assert t("ch2.opportunity.people_intro", "en") in _shown(page)[0]  # said before the two forms
    assert opportunities.inputs["people"].options == ()
    cio = _add(people, name="Zhou", title="CIO", department="IS", role="D")
    assert opportunities.inputs["people"].options == (("Zhou (CIO)", cio),)  # offered at once
    _add(opportunities, name="Core banking", amount_wan="800", people=(cio,))
    plan = load_workbook(workbook_file).plan
    assert plan.opportunities.items[0].people == [cio]
    assert [(p.name, p.role) for p in plan.key_persons.items] == [("Zhou", "D")]  # one list with the six steps
    six_steps = ch2.key_persons(Page(lang="en"))
    six_steps.picker.value = cio
    assert six_steps.inputs["department"].value == "IS"


def test_the_chapter_page_keeps_the_course_order_with_step_4s_people_in_step_4() -> None:
    notebook = Path(__file__).parent.parent / "notebooks" / "02_customer_analysis.ipynb"
    code = ["".join(c["source"]) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]]
    step_4 = next(i for i, c in enumerate(code) if "ch2.heading.opportunities" in c)
    assert code[step_4].index("ch2.decision_people(page)") < code[step_4].index("ch2.opportunities(page)")
    order = [next(i for i, c in enumerate(code) if f'"ch2.heading.{h}"' in c)
             for h in ("five", "departments", "needs", "opportunities", "push", "people")]
    assert order == sorted(order)  # the five-step method, then the six-step key-person analysis


def test_information_inventory_is_seeded_and_edited(workbook_file: Path) -> None:
    page = Page(lang="en")
    editor = ch2.information(page)
    seed = next(f for f in page._forms if isinstance(f, ch2.SeedForm))
    added = seed.add_standard()
    items = load_workbook(workbook_file).plan.information.items
    assert added == len(items) > 10 and {i.level for i in items} == {"public", "limited", "important",
                                                                      "exclusive", "us"}
    assert seed.add_standard() == 0  # nothing twice
    editor.picker.value = items[0].id
    assert len(editor.inputs["channel"].options) == 15  # the course's channels table, as suggestions
    editor.inputs["status"].value = "known"
    editor.inputs["channel"].value = "customer website"
    editor.inputs["learned_on"].value = "2026-11-20"
    editor.save()
    first = load_workbook(workbook_file).plan.information.items[0]
    assert (first.status, first.channel, str(first.learned_on)) == ("known", "customer website", "2026-11-20")
    editor.inputs["learned_on"].value = "20 Nov"
    editor.save_button.click()
    assert "YYYY-MM-DD" in editor.status.text and "Learned on" in editor.status.text


def test_key_person_map_with_codes_flags_and_routes(workbook_file: Path) -> None:
    page = Page(lang="en")
    editor = ch2.key_persons(page)
    vp = _add(editor, name="Chen", title="Senior VP", role="A", style="D", attitude="=", contact="0")
    editor.relabel("en")
    it = _add(editor, name="Zhou", title="IS director", reports_to=vp, role="D", style="A", attitude="+",
              contact="N")
    editor.relabel("en")
    sysmgr = _add(editor, **{"name": "Wu", "title": "System manager", "reports_to": it, "role": "U", "style": "E",
                             "attitude": "*", "contact": "F", "influences": (vp,),
                             "profile.interests": "cycling"})
    people = load_workbook(workbook_file).plan.key_persons.items
    assert people[2].influences == [vp] and people[2].profile.interests == "cycling"
    assert "U E * F" in editor.picker.label or any("U E * F" in label for label, _ in editor.picker.options)
    coaching = ch2.coaching(people, "en").data
    assert "Senior VP" in coaching and "Chen" in coaching  # codes and red flags name the people
    assert "Map completeness" in coaching and "Our position strength" in coaching
    assert sysmgr


def test_factors_show_their_quadrant(workbook_file: Path) -> None:
    page = Page(lang="en")
    editor = ch2.factors(page)
    _add(editor, text="Price higher than the rival", dimension="price", advantage=False, strong_control=True,
         importance="4")
    _add(editor, text="Fast service response", dimension="service", advantage=True, strong_control=True)
    table = next(s for s in _shown(page) if "Price higher" in s)
    assert "Eliminate" in table and "Leverage" in table


def test_five_steps_say_what_is_missing(workbook_file: Path) -> None:
    page = Page(lang="zh")
    ch2.five_steps(page)
    before = _shown(page)[0]
    assert before.count("○") == 5
    editor = ch2.departments(page)
    _add(editor, name="信息服务部", duties="IT 规划与采购", key=True)
    after = _shown(page)[0]
    assert after.count("○") < 5


def test_deck_example_is_shown_not_saved(workbook_file: Path) -> None:
    page = Page(lang="en")
    view = ch2.deck_example_view(page)
    view.show()
    kinds = [list(o["data"]) for o in view.output.outputs]
    assert ["image/png", "text/plain"] in kinds or any("image/png" in k for k in kinds)
    assert load_workbook(workbook_file).plan.key_persons.items == []
    shown = "".join(str(o["data"].get("text/markdown", o["data"].get("text/plain", ""))) for o in view.output.outputs)
    assert "No influence lines entered yet" in shown  # the deck gives no influence lines: said as missing
    assert "None of our supporters" not in shown


def test_panorama_and_matrix_share_one_display_drawn_on_demand(workbook_file: Path, monkeypatch) -> None:
    from kamlib.forms.common import ViewSwitch
    from kamlib.people import deck_example

    update_workbook(workbook_file, lambda wb: setattr(wb.plan.key_persons, "items", deck_example("en")))
    page = Page(lang="en")
    editor = ch2.key_persons(page)
    switch = next(f for f in page._forms if isinstance(f, ViewSwitch))
    drawn: list[str] = []
    for key, (label, render) in list(switch.views.items()):
        switch.views[key] = (label, lambda lang, key=key, render=render: drawn.append(key) or render(lang))
    assert [label for label, _ in switch.widget.options] == ["Relationship panorama", "Attitude and power matrix"]
    editor.picker.value = editor.rows(load_workbook(workbook_file))[0].id
    editor.save()
    assert drawn == ["panorama"]  # a save draws the view in sight only
    switch.widget.value = "matrix"
    assert drawn == ["panorama", "matrix"]
    page.set_lang("zh")  # relabelling keeps the choice and draws nothing twice
    assert switch.widget.value == "matrix" and drawn == ["panorama", "matrix", "matrix"]
    assert [label for label, _ in switch.widget.options] == [t("ch2.people.view_panorama", "zh"),
                                                             t("ch2.people.view_matrix", "zh")]
