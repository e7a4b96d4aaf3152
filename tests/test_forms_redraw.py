"""What a save re-draws, and when: a form's message reaches the page before the displays are drawn again, each
display is drawn once per callback, only the displays that read the saved section are, and one that shows the same
as before is left alone. The Share 1 card is drawn again only when its content changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.display import Markdown

from kamlib.forms.common import Status, guarded
from kamlib.forms.page import Page


@pytest.fixture
def app_page(workbook_file: Path, monkeypatch: pytest.MonkeyPatch) -> Page:
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")  # displays live in Output widgets, as in the app
    page = Page(lang="en")
    assert page.live
    return page


def _outputs(page: Page, handle: int) -> tuple:
    return page._displays[handle][0].outputs


def test_a_save_redraws_only_the_displays_of_its_section(app_page: Page) -> None:
    calls: list[str] = []

    def shows(name: str, text: str = "same"):
        return lambda lang: (calls.append(name), Markdown(f"{name}: {text} {len(calls)}"))[1]

    people = app_page.show(shows("people"), on={"key_persons"})
    actions = app_page.show(shows("actions"), on={"actions"})
    calls.clear()
    before = _outputs(app_page, actions)
    app_page.refresh({"key_persons"})
    assert calls == ["people"]
    assert _outputs(app_page, actions) is before
    assert _outputs(app_page, people)[0]["data"]["text/markdown"].endswith(" 1")


def test_a_display_showing_the_same_is_not_sent_again(app_page: Page) -> None:
    text = {"value": "one"}
    handle = app_page.show(lambda lang: Markdown(text["value"]), on={"portfolio"})
    first = _outputs(app_page, handle)
    app_page.refresh({"portfolio"})
    assert _outputs(app_page, handle) is first  # rendered, found the same: the browser is not sent it again
    text["value"] = "two"
    app_page.refresh({"portfolio"})
    assert _outputs(app_page, handle)[0]["data"]["text/markdown"] == "two"


def test_in_a_callback_the_message_comes_first_and_each_display_is_drawn_once(app_page: Page) -> None:
    status = Status(app_page)
    events: list[str] = []
    status.widget.observe(lambda change: events.append(f"message {change['new'] != ''}"), names="value")
    count = {"n": 0}

    def chart(lang: str) -> Markdown:
        count["n"] += 1
        events.append("drawn")
        return Markdown(f"chart {count['n']}")

    app_page.show(chart, on={"actions"})
    events.clear()

    def save() -> None:
        app_page.refresh({"actions"})
        app_page.refresh({"actions", "factors"})  # a second refresh in the same callback
        status.say_key("ok", "rows.saved")

    guarded(app_page, status)(save)()
    assert events == ["message True", "drawn"]


def test_a_callback_that_fails_still_redraws_what_it_saved_and_says_why(app_page: Page) -> None:
    status = Status(app_page)
    drawn: list[int] = []
    app_page.show(lambda lang: (drawn.append(1), Markdown(str(len(drawn))))[1], on={"actions"})
    drawn.clear()

    def save() -> None:
        app_page.refresh({"actions"})
        raise ValueError("boom")

    guarded(app_page, status)(save)()
    assert drawn == [1] and status.kind == "error"
    app_page.refresh({"actions"})  # outside a callback: at once, as before
    assert drawn == [1, 1]


def test_the_share_card_is_drawn_again_only_when_its_content_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    import kamlib.charts.card as share_card
    from kamlib.model.workbook import Account, AccountPlan

    drawn: list[int] = []
    real = share_card.share_card_figure
    monkeypatch.setattr(share_card, "share_card_figure", lambda content: (drawn.append(1), real(content))[1])
    monkeypatch.setattr(share_card, "_PNG_CACHE", {})
    plan = AccountPlan()
    plan.portfolio.items = [Account(name="Harbour Bank", bp_wan=900, sow_pct=60)]
    plan.share.account_id = plan.portfolio.items[0].id
    first = share_card.share_card_png(plan, "en")
    plan.portfolio.items[0].sow_pct = 40  # not on the card
    assert share_card.share_card_png(plan, "en") == first and len(drawn) == 1
    plan.share.goal = "Win the core banking tender"
    assert share_card.share_card_png(plan, "en") != first and len(drawn) == 2


def test_the_rule_search_runs_again_only_when_what_it_reads_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    from kamlib.bidding import deck_example
    from kamlib.forms import bidding as bd

    runs: list[int] = []
    real = bd.analyse_bid
    monkeypatch.setattr(bd, "analyse_bid", lambda *a: (runs.append(1), real(*a))[1])
    monkeypatch.setattr(bd, "_ANALYSES", {})
    bid = deck_example("en")
    first = bd.analysed(bid, [], None)
    bid.bidders[1].notes = "called them on Monday"  # what the scores and the search do not read
    bid.notes = "a note"
    assert bd.analysed(bid, [], None) is first and runs == [1]
    bid.bidders[1].price_wan = (bid.bidders[1].price_wan or 0) + 500
    assert bd.analysed(bid, [], None) is not first and runs == [1, 1]
