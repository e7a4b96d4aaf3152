"""Chapter 3 forms without a browser: quadrants, strategy, measures, campaign, team map, action plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kamlib.forms import strategy as ch3
from kamlib.forms.page import Page
from kamlib.forms.rows import NEW
from kamlib.i18n import t
from kamlib.model import load_workbook, update_workbook
from kamlib.model.workbook import Action, Factor
from kamlib.people import deck_example
from tests.form_checks import add_row as _add
from tests.form_checks import shown as _shown


@pytest.fixture
def mapped(workbook_file: Path) -> Path:
    """A workbook holding the deck's key-person example."""
    update_workbook(workbook_file, lambda wb: setattr(wb.plan.key_persons, "items", deck_example("en")))
    return workbook_file


def test_factors_feed_the_recommendation_and_the_choice_is_saved(workbook_file: Path) -> None:
    page = Page(lang="en")
    editor = ch3.factors(page)
    ch3.recommendation(page)
    form = ch3.strategy_choice(page)
    assert "No factors yet" in "".join(_shown(page))
    for text in ("Timely supply", "Good relationship", "Customisation", "Poor coverage"):
        _add(editor, text=text, advantage=text != "Poor coverage", strong_control=False)
    shown = "".join(_shown(page))
    assert "Recommended: **Venture forward**" in shown  # control over 0 of 3 advantages and 0 of 1 disadvantages
    assert "the advantages are 3 of 4 (75%) → **Quick win**, 25 points from half" in shown  # the weaker reading
    form.choice.value = "quick_win"
    form.reason.value = "The CIO is a friend"
    form.save_button.click()
    saved = load_workbook(workbook_file).plan.strategy
    assert (saved.chosen, saved.reason, saved.chosen_on is not None) == ("quick_win", "The CIO is a friend", True)
    assert "differs from the tool's recommendation “Venture forward”" in "".join(_shown(page))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_reason_box_is_labelled(workbook_file: Path, lang: str) -> None:
    form = ch3.strategy_choice(Page(lang=lang))
    assert form.reason.description == t("ch3.strategy.reason", lang)
    form.page.set_lang("en" if lang == "zh" else "zh")
    assert form.reason.description == t("ch3.strategy.reason", form.page.lang)


def test_sample_measures_added_once_in_the_trainee_language(workbook_file: Path) -> None:
    page = Page(lang="zh")
    ch3.measures(page)
    samples = next(f for f in page._forms if isinstance(f, ch3.SampleMeasures))
    assert samples.add() == 3 and samples.add() == 0
    rows = load_workbook(workbook_file).plan.measures.items
    assert [m.priority for m in rows] == [1, 2, 3] and all(m.measures for m in rows)
    assert [bool(m.resources) for m in rows] == [True, False, False]  # the deck names resources in its first row only


def test_bad_priority_is_named_and_nothing_is_lost(workbook_file: Path) -> None:
    page = Page(lang="en")
    editor = ch3.measures(page)
    _add(editor, key_factor="Price", priority="1")
    editor.picker.value = NEW
    editor.inputs["key_factor"].value = "Service"
    editor.inputs["priority"].value = "first"
    editor.save_button.click()
    assert "Priority" in editor.status.text and "first" in editor.status.text
    assert [m.key_factor for m in load_workbook(workbook_file).plan.measures.items] == ["Price"]
    assert editor.inputs["key_factor"].value == "Service"  # what was typed stays in the form


def test_campaign_rows_proposed_from_the_map_never_overwrite(mapped: Path) -> None:
    page = Page(lang="en")
    editor = ch3.campaign(page)
    proposals = next(f for f in page._forms if isinstance(f, ch3.CampaignProposals))
    added = proposals.add()
    assert added == 6  # the deck's key persons not yet strong supporters; the uncoded production people left out
    assert [s.person_id for s in load_workbook(mapped).plan.campaign.items][:2] == ["mkt_dir", "mkt_mgr"]
    first = load_workbook(mapped).plan.campaign.items[0]
    editor.picker.value = first.id
    editor.inputs["aim"].value = "Executive visit with our VP"
    editor.save()
    assert proposals.add() == 0
    assert load_workbook(mapped).plan.campaign.items[0].aim == "Executive visit with our VP"
    table = ch3.campaign_table(load_workbook(mapped), "en").data
    assert "Neutral → supporter" in table and "→" in table  # aims and routes of influence
    assert "not key persons (3" in table and "Production director" in table


def test_team_map_names_its_gaps(mapped: Path) -> None:
    page = Page(lang="en")
    editor = ch3.team(page)
    _add(editor, stage="middle", our_name="Li", our_role="account_manager", their_id="is_dir")
    gaps = _shown(page)[0]
    middle = gaps[gaps.index("Middle stage"):]
    assert "Technical" in middle and "Senior VP" in middle and "IS director" not in middle
    assert "Early stage** — gaps: 1" in gaps  # nobody yet as the account manager of the early stage
    assert _shown(page)[1] == "<image>"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_team_gaps_keep_each_stage_on_its_own_line(mapped: Path, lang: str) -> None:
    mistune = pytest.importorskip("mistune")  # the Markdown renderer of Jupyter's exports
    page = Page(lang=lang)
    editor = ch3.team(page)
    _add(editor, stage="middle", our_name="Wang", our_role="account_manager", their_id="is_dir")
    gaps = _shown(page)[0]  # both stages have gaps: nobody yet in the early stage, roles missing in the middle
    html = mistune.html(gaps)
    middle = t("ch3.team.stage.middle", lang)
    assert html.count("<ul>") == 2 and html.count("<p>") == 2  # each stage: a paragraph and its own list
    for item in html.split("<li>")[1:]:
        assert middle not in item.split("</li>")[0]  # the middle stage never runs into the early stage's list


def test_action_changes_keep_their_history(workbook_file: Path) -> None:
    update_workbook(workbook_file, lambda wb: wb.plan.factors.items.append(
        Factor(text="Price", advantage=False, strong_control=True)))
    page = Page(lang="en")
    editor = ch3.actions(page)
    action_id = _add(editor, text="Technical exchange", target_on="2026-11-20", status="planned")
    editor.picker.value = action_id
    editor.inputs["target_on"].value = "2026-12-04"
    editor.save()
    editor.inputs["status"].value = "done"
    editor.save()
    saved = load_workbook(workbook_file).plan.actions.items[0]
    assert [h.target_on for h in saved.history] == [dt.date(2026, 11, 20), dt.date(2026, 12, 4)]
    assert saved.status == "done" and saved.done_on is not None
    summary = ch3.action_summary(load_workbook(workbook_file), dt.date(2026, 11, 27), "en").data
    assert "revised 2 times" in summary
    assert "before the change of" in summary and "target 2026-11-20" in summary and "status Planned" in summary


def test_overdue_actions_are_flagged_in_words(workbook_file: Path) -> None:
    update_workbook(workbook_file, lambda wb: wb.plan.actions.items.append(
        Action(text="Site tour", target_on=dt.date(2026, 11, 1))))
    summary = ch3.action_summary(load_workbook(workbook_file), dt.date(2026, 11, 27), "zh").data
    assert "⚠" in summary and "1" in summary
