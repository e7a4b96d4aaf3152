"""Special topic 1 forms without a browser: the tender, templates, bidders, rule maker, worksheet and checklist."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path

import pytest

from kamlib.bidding import QUALITY_FIELDS, rule_vector
from kamlib.forms import bidding as bd
from kamlib.forms.rows import NEW
from kamlib.i18n import t
from kamlib.model import load_workbook
from kamlib.model.workbook import Workbook
from tests.form_checks import add_row as _add
from tests.form_checks import form_of as _form
from tests.form_checks import shown as _shown


@pytest.fixture
def page(workbook_file: Path) -> bd.BiddingPage:
    """The whole page as the notebook builds it (displays print outside a notebook: silenced)."""
    with contextlib.redirect_stdout(io.StringIO()):
        page = bd.open_page(lang="en")
        bd.method(page)
        bd.tender(page)
        bd.templates(page)
        bd.bidders(page)
        bd.rule_maker(page)
        bd.targets(page)
        bd.checklist(page)
    return page


def _workbook(path: Path) -> Workbook:
    return load_workbook(path)


def test_a_page_without_a_workbook_shows_only_the_texts(home: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        page = bd.open_page(lang="en")
        assert bd.tender(page) is None and bd.bidders(page) is None and bd.rule_maker(page) is None
        assert bd.targets(page) is None and bd.checklist(page) is None and bd.templates(page) is None
    assert any(t("page.not_registered", "en") in s for s in _shown(page))


def test_a_tender_with_a_blank_rule_takes_the_decks_and_a_bad_rule_is_explained(page, workbook_file) -> None:
    tender = page.tender
    assert tender is not None
    bid_id = _add(tender, name="Bureau PCs", budget_wan="1,000", due_on="2026-12-01")
    bid = _workbook(workbook_file).plan.bids.items[0]
    assert bid.id == bid_id and rule_vector(bid.rule) == (35, 30, 25, 10) and bid.budget_wan == 1000
    assert tender.picker.value == bid_id and page.bid() is not None
    for part, value in zip(("j1_price", "j2_technical", "j3_service", "j4_commercial"), ("40", "30", "20", "5"),
                           strict=True):
        tender.inputs[f"rule.{part}"].value = value
    tender.save_button.click()
    assert "add up to 95" in tender.status.text and tender.status.kind == "error"
    tender.inputs["rule.j4_commercial"].value = ""
    tender.save_button.click()
    assert "J4 commercial (points)" in tender.status.text
    tender.inputs["rule.j4_commercial"].value = "9.5"
    tender.inputs["rule.j3_service"].value = "20.5"
    tender.save_button.click()
    assert "whole number" in tender.status.text
    tender.inputs["budget_wan"].value = "a lot"
    tender.save_button.click()
    assert "Budget ceiling" in tender.status.text and "a lot" in tender.status.text
    assert rule_vector(_workbook(workbook_file).plan.bids.items[0].rule) == (35, 30, 25, 10)  # nothing lost


def test_the_deck_example_loads_once_and_fills_every_display(page, workbook_file) -> None:
    example = _form(page, bd.ExampleForm)
    bid_id = example.load()
    assert t("bidding.example.loaded", "en") in example.status.text
    assert example.load() == bid_id and t("bidding.example.already", "en") in example.status.text
    assert len(_workbook(workbook_file).plan.bids.items) == 1
    assert page.tender.picker.value == bid_id
    shown = _shown(page)
    scores = next(s for s in shown if t("bidding.table.rank", "en") in s)
    assert "Vendor B" in scores and "★ Our company" in scores and "above the budget ceiling" in scores
    maker = next(s for s in shown if "allowed rules" in s)
    assert "Where influence matters most" in maker and "J1 price" in maker
    assert shown.count("<image>") == 2  # the score bars and the heat map
    worksheet = next(s for s in shown if s.startswith(f"| {t('bidding.targets.col.part', 'en')} |"))
    assert "No action yet" in worksheet
    page.set_lang("zh")
    assert any("评标基准价" in s for s in _shown(page))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("we_lead", [True, False])
def test_rule_maker_names_no_key_part_when_nothing_turns_the_result(workbook_file: Path, lang: str,
                                                                    we_lead: bool) -> None:
    from kamlib.model import update_workbook
    from kamlib.model.bidding import Bid, Bidder

    strong = {"price_wan": 90, "technical_pct": 100, "service_pct": 100, "commercial_pct": 100}
    weak = {"price_wan": 100, "technical_pct": 60, "service_pct": 60, "commercial_pct": 60}
    bid = Bid(name="Tender", bidders=[Bidder(name="Us", us=True, **(strong if we_lead else weak)),
                                      Bidder(name="Rival", **(weak if we_lead else strong))])
    update_workbook(workbook_file, lambda wb: wb.plan.bids.items.append(bid))
    with contextlib.redirect_stdout(io.StringIO()):
        page = bd.open_page(lang=lang)
        bd.tender(page)
        bd.rule_maker(page)
    page.tender.picker.value = bid.id
    maker = bd.rule_maker_view(page, lang).data
    assert t("bidding.flip.none", lang) in maker  # the table: no move of any part turns the result
    headline = t("bidding.maker.key", lang, part="@").split("@")[0]
    assert headline not in maker  # ... and no part is named where influence matters most
    if we_lead:
        assert t("bidding.maker.no_key.won", lang) in maker
    else:
        assert t("bidding.maker.no_key.lost", lang) in maker and t("bidding.maker.no_key.none", lang) in maker


def test_a_deleted_bidder_goes_back_to_its_own_tender(page, workbook_file) -> None:
    first = _add(page.tender, name="Tender A")
    editor = _form(page, bd.BidderEditor)
    keep = _add(editor, name="Vendor B", price_wan="900")
    gone = _add(editor, name="Vendor C", price_wan="950")
    _add(editor, name="Vendor D", price_wan="990")
    editor.picker.value = gone
    editor.delete_button.click()
    assert [b.name for b in _workbook(workbook_file).plan.bids.items[0].bidders] == ["Vendor B", "Vendor D"]
    assert "Vendor C" in editor.status.text and "Vendor C" in editor.undo_button.description
    page.tender.picker.value = NEW
    second = _add(page.tender, name="Tender B")  # another tender is chosen now
    assert page.tender.picker.value == second != first
    editor.undo_button.click()
    bids = {b.name: b for b in _workbook(workbook_file).plan.bids.items}
    assert [b.name for b in bids["Tender A"].bidders] == ["Vendor B", "Vendor C", "Vendor D"]
    assert [b.id for b in bids["Tender A"].bidders][:2] == [keep, gone]  # the same row, where it stood
    assert bids["Tender B"].bidders == []


def test_an_undo_whose_tender_was_deleted_says_so(page, workbook_file) -> None:
    _add(page.tender, name="Tender A")
    editor = _form(page, bd.BidderEditor)
    editor.picker.value = _add(editor, name="Vendor B", price_wan="900")
    editor.delete_button.click()
    page.tender.delete_button.click()
    editor.undo_button.click()
    assert editor.status.kind == "error" and "Vendor B" in editor.status.text
    assert t("rows.restore_nowhere", "en", row="@").split("@")[1][:20] in editor.status.text
    assert _workbook(workbook_file).plan.bids.items == []


def test_bidders_in_points_are_saved_as_shares_and_follow_a_rule_change(page, workbook_file) -> None:
    _add(page.tender, name="Tender")
    editor = _form(page, bd.BidderEditor)
    assert editor.mode.value == "points"
    assert editor.inputs["technical_pct"].description == t("bidding.field.score_points", "en",
                                                           part="J2 product/technical", max=30)
    us = _add(editor, name="Jinhan", us=True, price_wan="980", technical_pct="24", service_pct="20",
              commercial_pct="8")
    saved = _workbook(workbook_file).plan.bids.items[0].bidders[0]
    assert (saved.technical_pct, saved.service_pct, saved.commercial_pct) == (80, 80, 80)
    editor.mode.value = "share"
    editor.picker.value = us
    assert editor.inputs["technical_pct"].value == "80"
    editor.mode.value = "points"
    page.tender.picker.value = _workbook(workbook_file).plan.bids.items[0].id
    page.tender.inputs["rule.j1_price"].value = "30"
    page.tender.inputs["rule.j2_technical"].value = "35"
    page.tender.inputs["rule.j3_service"].value = "25"
    page.tender.inputs["rule.j4_commercial"].value = "10"
    page.tender.save()
    editor.picker.value = us
    assert editor.inputs["technical_pct"].value == "28"  # 80% of the new 35 points
    editor.inputs["technical_pct"].value = "36"
    editor.save_button.click()
    assert "36" in editor.status.text and "35" in editor.status.text and editor.status.kind == "error"
    _add(editor, name="Huarui", price_wan="890", technical_pct="30")
    editor.picker.value = NEW
    editor.inputs["name"].value = "Other"
    editor.inputs["us"].value = True
    editor.save_button.click()
    assert "Jinhan" in editor.status.text  # only one bidder can be us
    assert [b.name for b in _workbook(workbook_file).plan.bids.items[0].bidders] == ["Jinhan", "Huarui"]
    editor.picker.value = us
    editor.delete()
    assert [b.name for b in _workbook(workbook_file).plan.bids.items[0].bidders] == ["Huarui"]


def test_nothing_is_saved_into_no_tender(page, workbook_file) -> None:
    editor = _form(page, bd.BidderEditor)
    editor.inputs["name"].value = "Lonely"
    editor.save_button.click()
    assert t("bidding.errors.no_bid", "en") in editor.status.text
    assert _workbook(workbook_file).plan.bids.items == []
    assert all(box.disabled for box in _form(page, bd.ChecklistForm).boxes.values())


def test_a_template_sets_the_bounds_and_bad_bounds_are_explained(page, workbook_file) -> None:
    templates = _form(page, bd.TemplateEditor)
    templates.picker.value = NEW
    templates.inputs["name"].value = "City agency"
    templates.inputs["j1_price_low"].value = "45"
    templates.save_button.click()
    assert "J1: the low bound 45 is above the high bound 40" in templates.status.text
    tpl = _add(templates, name="City agency", j1_price_low="20", j1_price_high="45")
    saved = _workbook(workbook_file).plan.rule_templates.items[0]
    assert (saved.j1_price_low, saved.j1_price_high, saved.j2_technical_low) == (20, 45, 25)
    page.tender.relabel("en")
    _add(page.tender, name="Tender", template_id=tpl, **{"rule.j1_price": "42", "rule.j2_technical": "28",
                                                         "rule.j3_service": "20", "rule.j4_commercial": "10"})
    scores = next(s for s in _shown(page) if "Bounds" in s)
    assert "City agency" in scores and "J1 20–45" in scores
    assert "outside the bounds" not in scores  # 42 is within the template's 20–45


def test_rule_maker_axes_and_the_re_draw_of_the_heat_map_only(page) -> None:
    _form(page, bd.ExampleForm).load()
    axes = _form(page, bd.AxesForm)
    drawn: list[int] = []
    for i, (target, render) in enumerate(page._displays):
        page._displays[i] = (target, lambda lang, render=render, i=i: drawn.append(i) or render(lang))
    axes.y.value = "j1_price"
    assert t("bidding.errors.same_axes", "en") in axes.status.text and drawn == []
    axes.y.value = "j3_service"
    assert len(drawn) == 1 and axes.status.text == ""
    (heat,) = drawn
    _target, render = page._displays[heat]
    assert type(render("en")).__name__ == "Image"


def test_worksheet_rows_escape_what_the_trainee_typed_and_show_what_is_missing(page, workbook_file) -> None:
    _form(page, bd.ExampleForm).load()
    editor = _form(page, bd.TargetEditor)
    _add(editor, part="j4_commercial", target="t1_customer", who="Mr *Zhou*", action="ask for | 2 points",
         due_on="2020-01-01")
    rows = _workbook(workbook_file).plan.bids.items[0].targets
    assert rows[0].who == "Mr *Zhou*" and rows[0].due_on == dt.date(2020, 1, 1)
    sheet = bd.worksheet_view(page, "en").data
    assert r"Mr \*Zhou\*" in sheet and "ask for \\| 2\u00a0points" in sheet and "⚠" in sheet  # 2 points on one line
    assert "J1 price" in sheet.split("No action yet for:")[1]
    assert t("bidding.targets.overdue", "en", count=1) in sheet


def test_checklist_ticks_are_saved_per_tender(page, workbook_file) -> None:
    _form(page, bd.ExampleForm).load()
    form = _form(page, bd.ChecklistForm)
    form.boxes["toc"].value = True
    form.boxes["visits"].value = True
    assert _workbook(workbook_file).plan.bids.items[0].checklist == ["toc", "visits"]
    assert "**2 of 5**" in bd.checklist_view(page, "en").data
    form.relabel("zh")  # a relabel does not save
    assert _workbook(workbook_file).plan.bids.items[0].checklist == ["toc", "visits"]
    page.tender.picker.value = NEW
    assert not form.boxes["toc"].value and form.boxes["toc"].disabled


def test_score_table_escapes_bidder_names(page) -> None:
    _add(page.tender, name="Tender")
    editor = _form(page, bd.BidderEditor)
    _add(editor, name="A|B *bold*", us=True, price_wan="100", **dict.fromkeys(QUALITY_FIELDS.values(), "5"))
    _add(editor, name="Rival", price_wan="90")
    scores = bd.scores_view(page, "en").data
    assert r"A\|B \*bold\*" in scores and "counted as 0" in scores


def test_a_damaged_workbook_is_explained_once_and_left_alone(workbook_file: Path) -> None:
    workbook_file.write_text("{ not json", encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        page = bd.open_page(lang="en")
        assert bd.tender(page) is None and bd.bidders(page) is None and bd.checklist(page) is None
    shown = [getattr(render("en"), "data", "") for _target, render in page._displays]
    assert sum("is damaged" in s for s in shown) == 1
    assert workbook_file.read_text(encoding="utf-8") == "{ not json"
