"""kamlib.templates: the pages written from Jinja2 templates (the Account Plan export, the Share 1 card, a feedback
page) show whatever a trainee typed as typed, markup and template syntax alike, and keep an amount on one line
with its unit where they did before (the export and the card, not the feedback page)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from kamlib.charts.card import share_card_html
from kamlib.export import export_html
from kamlib.i18n import LANGS, Lang
from kamlib.model.workbook import Workbook
from kamlib.templates import render
from tests.export_fixtures import NOW, full_workbook

# Markup, Jinja2's own syntax and other template syntax: none of it may be run or read as a tag.
HOSTILE = "<script>alert(1)</script><b>x</b> {{ 7*7 }} {% if true %}yes{% endif %} {# c #} ${7*7}"
WAN = "\u4e07\u5143"  # the course's unit, 10,000 yuan
AMOUNT = f"1,200 {WAN}"
AMOUNT_JOINED = "1,200\u00a0\u4e07\u2060\u5143"  # no-break space, and a word joiner inside the unit


class Page(HTMLParser):
    """The tags of a page and its text (outside ``<style>``), as a browser shows it."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.data: list[str] = []
        self._style = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.data.append(data)

    @property
    def text(self) -> str:
        return "".join(self.data).replace("\u00a0", " ").replace("\u2060", "")


def _hostile_workbook(lang: Lang) -> Workbook:
    """The tests' full workbook with the key account named ``HOSTILE`` and an amount in the Share 1 goal."""
    wb = full_workbook(lang)
    wb.plan.portfolio.items[8].name = "Jinmin " + HOSTILE  # the key account (a09)
    wb.plan.share.goal = f"Win the {AMOUNT} core system"
    return Workbook.model_validate(wb.model_dump())


def _shows_typed_text_literally(page: str) -> Page:
    parsed = Page(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert "<script>" not in page and "49" not in parsed.text.replace("1,400", "")
    assert f"Jinmin {HOSTILE}" in parsed.text
    return parsed


def test_the_export_shows_the_account_name_as_typed_and_keeps_amounts_whole() -> None:
    page = export_html(_hostile_workbook("en"), "en", now=NOW)
    parsed = _shows_typed_text_literally(page)
    assert parsed.tags.count("h1") == 1 and parsed.text.count(f"Jinmin {HOSTILE}") > 2  # cover, title, tables
    assert AMOUNT_JOINED in page and AMOUNT not in page


@pytest.mark.parametrize("lang", LANGS)
def test_the_share_card_shows_the_account_name_as_typed_and_keeps_amounts_whole(lang: Lang) -> None:
    page = share_card_html(_hostile_workbook(lang).plan, lang)
    parsed = _shows_typed_text_literally(page)
    assert parsed.tags.count("h1") == 1
    assert AMOUNT_JOINED in page and AMOUNT not in page


def _feedback(text: str) -> str:
    """A feedback page with ``text`` in every place the trainee's own words or names can go."""
    row = {"prompt": "q", "given": text, "status": text, "points": "1 / 2", "explanation": text, "tool": text,
           "comment": text}
    section = {"title": text, "total": text, "late": text, "meta": [text], "pending": text, "figures": True,
               "parts": [(text, 50.0, 40.0)], "pngs": [], "rows": [row]}
    return render("feedback.html.j2", lang="en", title=f"Feedback for {text}", course="c",
                  trainee={"id": "li.wei", "team": text}, missing=text, sections=[section], footer="f",
                  parts_title="p", col_part="c", col_you="y", col_class="k", chart_alt="a", columns=["a", "b"])


def test_a_feedback_page_shows_what_the_trainee_typed_as_typed_and_amounts_as_they_are() -> None:
    page = _feedback(f"{HOSTILE} {AMOUNT}")
    parsed = Page(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags and "<script>" not in page
    assert parsed.text.count(f"{HOSTILE} {AMOUNT}") >= 12  # every place, each as typed
    assert f"Feedback for {HOSTILE}" in parsed.text and "49" not in parsed.text
    assert AMOUNT_JOINED not in page  # the feedback page never joined amounts, and does not now
