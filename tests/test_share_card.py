"""kamlib.share_card: Share 1 as HTML and PNG, escaped, in both languages, and anonymised without leaks."""

from __future__ import annotations

import base64
import html
import io
import re
import struct
import subprocess
import sys
import warnings
from html.parser import HTMLParser

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text as TextArtist

from kamlib.charts.card import share_card_figure, share_card_html, share_card_png
from kamlib.charts.tree import customer_tree_chart
from kamlib.i18n import LANGS, t
from kamlib.model.workbook import Account, AccountPlan, KeyPerson, ShareCard, TreeUnit
from kamlib.share_card import card_content, card_units, letter_code, make_codes

GLYPH_WARNING = re.compile(r"Glyph|missing from font", re.IGNORECASE)
FIELDS = ("industry", "goal", "problem", "organisation", "people", "tree")

# Chinese names written with escapes (no Chinese in .py files).
ICBC = "\u4e2d\u56fd\u5de5\u5546\u94f6\u884c"  # ICBC
ANHUI = ICBC + "\u5b89\u5fbd\u7701\u5206\u884c"  # ICBC Anhui branch
CREDIT = "\u4fe1\u8d37\u5904"  # credit department
BANKING = "\u94f6\u884c\u4e1a"  # banking (the industry)
ZHANG = "\u5f20\u4f1f"  # Zhang Wei
VICE_PRESIDENT = "\u526f\u884c\u957f"  # vice president


class Page(HTMLParser):
    """The tags, the text and the image sources of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.data: list[str] = []
        self.images: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs)["src"] or "")
        elif tag not in ("meta", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (self.open, tag)
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.data.append(data)

    @property
    def text(self) -> str:
        return "\n".join(self.data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    assert parser.open == [], parser.open  # every element closed
    return parser


def figure_texts(fig: Figure) -> str:
    return "\n".join(a.get_text() for a in fig.findobj(TextArtist))


def plan_with(
    account_name: str = ICBC,
    industry: str = BANKING,
    persons: list[KeyPerson] | None = None,
    units: list[TreeUnit] | None = None,
    goal: str = "",
    problem: str = "",
    organisation: str = "",
    others: list[Account] | None = None,
) -> AccountPlan:
    account = Account(id="acc", name=account_name, industry=industry)
    plan = AccountPlan(portfolio={"items": [*(others or []), account]})
    plan.key_persons.items.extend(persons or [])
    plan.customer_tree.items.extend(units or [])
    plan.share = ShareCard(account_id="acc", goal=goal, problem=problem, organisation=organisation)
    return plan


def icbc_plan() -> AccountPlan:
    units = [
        TreeUnit(id="hq", name=ICBC, kind="dmu", bp_wan=1000),
        TreeUnit(id="ah", name=ANHUI, parent_id="hq", kind="dmu", bp_wan=300),
        TreeUnit(id="cr", name=CREDIT, parent_id="ah", kind="user", bp_wan=50),
    ]
    persons = [KeyPerson(id="p1", name=ZHANG, title=VICE_PRESIDENT, department=ANHUI)]
    return plan_with(
        persons=persons, units=units, goal=f"{ANHUI}: 1,200", problem=f"{ZHANG} ?", organisation=f"{ICBC} > {ANHUI}"
    )


# ---- content per language --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_html_parses_and_has_the_texts_of_its_language(lang):
    page = share_card_html(icbc_plan(), lang)
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse(page)
    text = parsed.text
    assert t("share.title", lang) in text
    for key in FIELDS:
        assert t(f"share.field.{key}", lang) in text
    other = "en" if lang == "zh" else "zh"
    for key in ("goal", "problem", "organisation", "people"):
        assert t(f"share.field.{key}", other) not in text
    assert ICBC in text and ANHUI in text and ZHANG in text and VICE_PRESIDENT in text
    assert t("share.labelled", lang, label=t("share.field.industry", lang), text=BANKING) in text
    assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in page
    # self-contained: inline style, the tree as an embedded PNG, nothing fetched
    assert "style" in parsed.tags and "link" not in parsed.tags and "script" not in parsed.tags
    assert "@page" in page and "A4" in page
    assert len(parsed.images) == 1
    src = parsed.images[0]
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    assert not re.search(r"(src|href)=\"https?:", page)


@pytest.mark.parametrize("lang", LANGS)
def test_empty_fields_say_not_filled_in(lang):
    plan = plan_with()
    text = parse(share_card_html(plan, lang)).text
    assert text.count(t("share.not_filled", lang)) == 3  # goal, problem, organisation
    assert t("tree.chart.empty", lang) in text
    assert t("tree.chart.empty", lang) in figure_texts(share_card_figure(card_content(plan, lang)))


@pytest.mark.parametrize("lang", LANGS)
def test_no_key_persons_yet_says_where_to_enter_them(lang):
    plan = plan_with(organisation="IT department under the CIO")
    no_people = t("share.no_people", lang)
    section = t("ch2.heading.people", lang).splitlines()[0].removeprefix("## ").removeprefix("The ")
    assert section.casefold() in no_people.casefold()  # names chapter 2's section where key persons are entered
    text = parse(share_card_html(plan, lang)).text
    assert no_people in text and t("share.not_filled", lang) not in text.split(t("share.field.people", lang))[1]
    fig = share_card_figure(card_content(plan, lang))
    assert no_people in figure_texts(fig).replace("\n", " " if lang == "en" else "")  # wrapped, all of it
    fig.canvas.draw()
    renderer, page = fig.canvas.get_renderer(), fig.bbox
    for artist in fig.findobj(TextArtist):
        if artist.get_text():
            box = artist.get_window_extent(renderer)
            assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, artist.get_text()
    assert no_people not in parse(share_card_html(icbc_plan(), lang)).text  # said only when there are none


@pytest.mark.parametrize("lang", LANGS)
def test_no_account_chosen_is_said_on_the_card(lang):
    plan = AccountPlan()
    plan.share = ShareCard(goal="Win the tender")
    for anonymise in (False, True):
        text = parse(share_card_html(plan, lang, anonymise)).text
        assert t("share.no_account", lang) in text
        assert "Win the tender" in text
        fig = share_card_figure(card_content(plan, lang, anonymise))
        assert t("share.no_account", lang) in figure_texts(fig)
        assert share_card_png(plan, lang, anonymise).startswith(b"\x89PNG")


def test_html_escapes_what_the_trainee_typed():
    evil = '<script>alert("x")</script> & Co'
    units = [TreeUnit(id="u", name="R&D <dept>", kind="dmu")]
    persons = [KeyPerson(id="p", name="<b>Bob</b>", title="CEO & <i>boss</i>", department="a\"b'c")]
    plan = plan_with(
        account_name=evil, industry="<img src=x onerror=alert(1)>", persons=persons, units=units,
        goal="<script>steal()</script> & win", problem="a < b && c > d", organisation="</div><div>",
    )
    page = share_card_html(plan, "en")
    parsed = parse(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags and "i" not in parsed.tags
    assert parsed.tags.count("img") == 1  # the tree only
    assert parsed.tags.count("div") == 1  # the grid only
    text = parsed.text
    for typed in (evil, "<b>Bob</b>", "CEO & <i>boss</i>", "<script>steal()</script> & win", "a < b && c > d",
                  "</div><div>", "<img src=x onerror=alert(1)>"):
        assert typed in text, typed
    assert "<script>" not in page and html.escape(evil) in page


def test_an_amount_on_the_card_stays_on_one_line_with_its_unit():
    wan = "\u4e07\u5143"  # 万元
    page = share_card_html(plan_with(goal=f"Win the 1,200 {wan} core system, 30 % of it in 2027"), "en")
    assert "1,200\u00a0\u4e07\u2060\u5143" in page and "30\u00a0%" in page
    assert f"1,200 {wan}" not in page


# ---- PNG ---------------------------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize("lang", LANGS)
def test_png_card_is_one_landscape_a4_page_without_missing_glyphs(lang):
    plan = icbc_plan()
    fig = share_card_figure(card_content(plan, lang))
    text = figure_texts(fig)
    assert t("share.title", lang) in text and ICBC in text and ZHANG in text
    for key in ("goal", "problem", "organisation", "people", "tree"):
        assert t(f"share.field.{key}", lang) in text
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format="png")
    assert [str(w.message) for w in caught if GLYPH_WARNING.search(str(w.message))] == []
    png = share_card_png(plan, lang, dpi=100)
    assert png_size(png) == (1169, 827)


def test_long_notes_and_many_people_stay_on_the_page():
    persons = [KeyPerson(name=f"Person number {n}", title="Deputy general manager of procurement") for n in range(12)]
    long = "We want to win the terminal refresh across all city branches this year. " * 60
    plan = plan_with(persons=persons, goal=long, problem=long, organisation=long,
                     units=icbc_plan().customer_tree.items)
    card = card_content(plan, "en")
    assert len(card.goal.text) <= 400 and card.goal.text.endswith("\u2026")
    assert card.people_hidden == 4
    fig = share_card_figure(card)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    for artist in fig.findobj(TextArtist):
        if artist.get_text() and artist.get_visible():
            box = artist.get_window_extent(renderer)
            assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, artist.get_text()
            assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, artist.get_text()
    shown = figure_texts(fig).split("\n")
    counts = [n for n in range(4, 13) if t("share.more_people", "en", count=n) in shown]
    assert len(counts) == 1  # those beyond 8, and those the column had no room for


def test_the_card_shows_the_accounts_own_tree():
    plan = icbc_plan()
    plan.customer_tree.items.extend([TreeUnit(id="x", name="Other bank", kind="dmu")])
    assert [u.id for u in card_units(plan, plan.portfolio.items[0])] == ["hq", "ah", "cr"]
    plan.portfolio.items[0].name = "Renamed"
    assert len(card_units(plan, plan.portfolio.items[0])) == 4  # no root bears the name: the whole tree


@pytest.mark.parametrize("lang", LANGS)
def test_a_broken_tree_is_explained_on_the_card(lang):
    plan = plan_with(units=[TreeUnit(id="a", name="Loop unit", parent_id="a", kind="dmu")])
    text = parse(share_card_html(plan, lang)).text
    assert t("share.tree_invalid", lang) in text and "Loop unit" in text
    assert "Loop unit" in figure_texts(share_card_figure(card_content(plan, lang)))


# ---- anonymised --------------------------------------------------------------------------------------


def leaky_plan() -> tuple[AccountPlan, list[str]]:
    """Names with HTML special characters and names inside other names; returns the plan and every name."""
    account = "Hefei <Bank> & Co"
    units = [
        TreeUnit(id="hq", name=account, kind="dmu", bp_wan=100),
        TreeUnit(id="ah", name="Hefei <Bank> & Co Anhui", parent_id="hq", kind="dmu", bp_wan=40),
        TreeUnit(id="cr", name="Credit", parent_id="ah", kind="user"),
        TreeUnit(id="cr2", name="Credit Desk", parent_id="ah", kind="user"),
        TreeUnit(id="cz", name=ANHUI, parent_id="hq", kind="dmu"),
        TreeUnit(id="cz1", name=CREDIT, parent_id="cz", kind="user"),
        TreeUnit(id="sv", name="Credit", parent_id="cz", kind="user"),  # same name, another DMU
    ]
    persons = [
        KeyPerson(id="p1", name="Wang", title="Head of Credit", department="Credit Desk"),
        KeyPerson(id="p2", name="Wang Fang", title="CFO"),
        KeyPerson(id="p3", name=ZHANG, title=VICE_PRESIDENT, department=ANHUI),
        KeyPerson(id="p4", name="O'Neil <ceo>", title=""),
    ]
    others = [Account(id="other", name="Rival Bank", industry="Banking")]
    plan = plan_with(
        account_name=account, industry="Banking", persons=persons, units=units, others=others,
        goal=f"Win {account} and hefei <bank> & co anhui via Wang Fang and wang; {ZHANG} agrees.",
        problem=f"Credit Desk prefers Rival Bank; O'Neil <ceo> undecided; {ANHUI}{CREDIT}",
        organisation=f"{account} Anhui > Credit, Credit Desk; {ICBC}",
    )
    names = [account, "Hefei <Bank> & Co Anhui", "Credit", "Credit Desk", ANHUI, CREDIT, "Wang", "Wang Fang",
             ZHANG, "O'Neil <ceo>", "Rival Bank"]
    return plan, names


def assert_no_name(text: str, names: list[str]) -> None:
    folded = text.casefold()
    for name in names:
        for form in {name, html.escape(name), html.escape(name, quote=False)}:
            assert form.casefold() not in folded, f"{name!r} survives"


@pytest.mark.parametrize("lang", LANGS)
def test_anonymised_html_keeps_no_name(lang):
    plan, names = leaky_plan()
    page = share_card_html(plan, lang, anonymise=True)
    parsed = parse(page)
    assert_no_name(page, names)
    assert_no_name(parsed.text, names)
    text = parsed.text
    code_a = t("share.anon.account_code", lang, letter="A")
    assert t("share.anon.account", lang, industry="Banking", code=code_a) in text
    assert t("share.anon.account_code", lang, letter="B") in text  # the other account of the list
    assert t("share.anon.person", lang, title=VICE_PRESIDENT, code=t("share.anon.person_code", lang, number=3)) in text
    assert t("share.anon.person_code", lang, number=4) in text  # no title: the code alone
    assert t("share.anonymised", lang) in text
    # the longer name wins: "... & Co Anhui" is a DMU, not the account followed by "Anhui"
    assert f"{code_a} Anhui".casefold() not in text.casefold()


@pytest.mark.parametrize("lang", LANGS)
def test_anonymised_png_and_tree_keep_no_name(lang):
    plan, names = leaky_plan()
    card = card_content(plan, lang, anonymise=True)
    assert_no_name(figure_texts(share_card_figure(card)), names)
    assert_no_name(figure_texts(customer_tree_chart(list(card.units), lang)), names)  # the HTML's image
    labels = [u.name for u in card.units]
    assert labels[0] == t("share.anon.account_code", lang, letter="A")  # the root bears the account's name
    assert labels[1] == t("share.anon.dmu", lang, number=1)
    assert labels[2] == labels[6] == t("share.anon.user", lang, number=1)  # same name, same code
    assert share_card_png(plan, lang, anonymise=True).startswith(b"\x89PNG")


def test_replacement_is_longest_first_and_case_insensitive():
    plan, _ = leaky_plan()
    codes = make_codes(plan, "en")
    assert codes.text("Wang Fang met wang") == "Person 2 met Person 1"
    assert codes.text("Hefei <Bank> & Co Anhui") == "DMU-1"
    assert codes.text("HEFEI <BANK> & CO") == "Account A"
    assert codes.text("Credit Desk, Credit") == "User-2, User-1"
    assert codes.text(f"{ANHUI}{CREDIT}") == "DMU-2User-3"
    assert codes.text("nothing to hide") == "nothing to hide"


def test_letter_codes():
    assert [letter_code(n) for n in (0, 1, 25, 26, 27, 51, 52)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]


def test_importing_share_card_does_not_import_matplotlib():
    code = "import sys, kamlib.share_card; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
