"""Chapter 1.8, Share 1: my key account — a one-page card (HTML and PNG), optionally anonymised.

The card shows the account's name and industry, the sales goal, the biggest problem now, the
account's organisation (typed in Share 1), the people responsible (the key persons of chapter 2's
six-step key-person analysis; without any, the card says where to enter them) and the customer tree.

Anonymised, the card shows codes instead of names (numbering in the order shown):

* accounts of the list: “Account A” (the card's account is A, the others B, C, … in list order);
  the card's header reads “industry · Account A”;
* key persons: their title and a code, “Branch president · Person 1”;
* tree units: ``DMU-n``, ``User-n`` or ``Unit-n``, numbered per kind top-down (the card's tree
  first, then the rest of the plan's tree); units with the same name share a code, and a unit
  named like an account shows the account's code.

The words of the codes come from the catalogs (``share.anon.*``), so they follow the card's language.

In the text the trainee typed (goal, problem, organisation, industry, titles, departments) these
names are replaced by their codes too, and so are the forms of address derived from them (Zhang
zong, lao Wang, Mr Zhao), our colleagues' names, the short forms of the account, the names on the
plan's hide list, phone numbers and e-mail addresses: one anonymiser, ``kamlib.anonymise``, shared
with the Account Plan export. Names the plan does not know cannot all be found: ``card_review``
lists what was replaced and what still looks like a name, for the trainee to check before sharing.

This module draws nothing: the card's content and its HTML page are pure; the drawings (the tree on the page,
the card as a PNG) and the pages with them are made by ``kamlib.charts.card`` (``share_card_html``,
``share_card_png``), so importing this module does not import matplotlib.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from markupsafe import Markup

from kamlib.anonymise import Anonymiser, Review, letter_code, make_codes
from kamlib.customer_tree import roots, structure_problems, tree_order
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.workbook import Account, AccountPlan, KeyPerson, TreeUnit
from kamlib.templates import render

Codes = Anonymiser  # the name this module gave it first
__all__ = ["CardContent", "CardField", "Codes", "card_content", "card_html", "card_review", "card_units",
           "letter_code", "make_codes"]

MAX_NOTE_CHARS = 400  # longer notes are cut (after anonymising) so the card stays one page
MAX_PEOPLE = 8  # key persons listed; the rest are counted
ELLIPSIS = "…"


# ---- the card's content -------------------------------------------------------------------------


@dataclass(frozen=True)
class CardField:
    """A labelled block of the card; ``text`` is empty when the trainee has not filled it in."""

    label: str
    text: str


@dataclass(frozen=True)
class CardContent:
    """Everything the card shows, rendered in one language (anonymised if asked)."""

    lang: Lang
    title: str
    account: str  # the account's name (or its code); the notice when no account is chosen
    account_chosen: bool
    industry: CardField
    goal: CardField
    problem: CardField
    organisation: CardField
    people_label: str
    people: tuple[str, ...]
    people_hidden: int  # key persons not listed (beyond MAX_PEOPLE)
    not_filled: str
    no_people: str  # said instead of the people when chapter 2 has no key persons: where to enter them
    tree_label: str
    units: tuple[TreeUnit, ...]  # the tree to draw, names replaced by codes when anonymised
    tree_problems: tuple[str, ...]  # structural problems: the tree cannot be drawn
    note: str  # the anonymised notice, or ""
    anonymised: bool
    review: Review | None = None  # anonymised: what was replaced and what still looks like a name


def _cut(text: str, limit: int = MAX_NOTE_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def card_account(plan: AccountPlan) -> Account | None:
    """The account the card is about, or None when Share 1 has none (yet)."""
    return next((a for a in plan.portfolio.items if a.id == plan.share.account_id), None)


def card_units(plan: AccountPlan, account: Account | None) -> list[TreeUnit]:
    """The tree of the card: the subtree(s) whose Lv1 bears the account's name, else the whole tree."""
    units = list(plan.customer_tree.items)
    if account is None or structure_problems(units):
        return units
    name = account.name.casefold()
    own = [r.id for r in roots(units) if r.name.casefold() == name]
    if not own:
        return units
    keep = {u.id for u in tree_order(units, own)}
    return [u for u in units if u.id in keep]


def _person_line(person: KeyPerson, codes: Anonymiser | None) -> str:
    if codes is None:
        parts = [person.name, person.title, person.department]
        return " · ".join(p for p in parts if p)
    code = codes.label(person.name, codes.persons[person.id], "person")
    title = codes.text(person.title)
    head = t("share.anon.person", codes.lang, title=title, code=code) if title else code
    department = codes.text(person.department)
    return f"{head} · {department}" if department else head


def card_content(plan: AccountPlan, lang: Lang, anonymise: bool = False) -> CardContent:
    """The card's texts and tree in ``lang``; with ``anonymise``, names replaced by codes."""
    lang = check_lang(lang)
    account = card_account(plan)
    units = card_units(plan, account)
    codes = make_codes(plan, lang, units) if anonymise else None

    def text(value: str) -> str:
        return _cut(codes.text(value) if codes else value)

    industry = text(account.industry) if account else ""
    if account is None:
        name = t("share.no_account", lang)
    elif codes is None:
        name = account.name
    else:
        code = codes.label(account.name, codes.accounts[account.id], "account")
        name = t("share.anon.account", lang, industry=industry, code=code) if industry else code

    problems = tuple(text(p.render(lang)) for p in structure_problems(units))
    shown_units = [] if problems else units
    if codes is not None:
        shown_units = [u.model_copy(update={"name": codes.label(u.name, codes.units[u.id], "unit")})
                       for u in shown_units]

    people = [_person_line(p, codes) for p in plan.key_persons.items]
    extra = len(people) - MAX_PEOPLE
    share = plan.share
    return CardContent(
        lang=lang,
        title=t("share.title", lang),
        account=name,
        account_chosen=account is not None,
        industry=CardField(t("share.field.industry", lang), industry),
        goal=CardField(t("share.field.goal", lang), text(share.goal)),
        problem=CardField(t("share.field.problem", lang), text(share.problem)),
        organisation=CardField(t("share.field.organisation", lang), text(share.organisation)),
        people_label=t("share.field.people", lang),
        people=tuple(_cut(p, 120) for p in people[:MAX_PEOPLE]),
        people_hidden=max(extra, 0),
        not_filled=t("share.not_filled", lang),
        no_people=t("share.no_people", lang),
        tree_label=t("share.field.tree", lang),
        units=tuple(shown_units),
        tree_problems=problems,
        note=t("share.anonymised", lang) if anonymise else "",
        anonymised=anonymise,
        review=codes.review() if codes is not None else None,
    )


def card_review(plan: AccountPlan, lang: Lang) -> Review:
    """What the anonymised card replaces (original → code, counted) and what on it still looks like a name."""
    review = card_content(plan, lang, anonymise=True).review
    assert review is not None
    return review


# ---- HTML -------------------------------------------------------------------------------------


def card_html(card: CardContent, tree_png: bytes | None = None) -> str:
    """The card as one self-contained HTML page (``templates/share_card.html.j2``); ``tree_png``, the customer
    tree drawn (``kamlib.charts.card``), is embedded as base64 when given."""
    lang = card.lang
    industry = ""
    if card.industry.text and not card.anonymised:  # anonymised, the industry is in the heading
        industry = t("share.labelled", lang, label=card.industry.label, text=card.industry.text)
    return render(
        "share_card.html.j2",
        card=card,
        head=f"{card.title} · {card.account}" if card.account_chosen else card.title,
        industry=industry,
        more_people=t("share.more_people", lang, count=card.people_hidden) if card.people_hidden else "",
        tree_invalid=t("share.tree_invalid", lang),
        tree_alt=t("share.tree_alt", lang),
        empty_tree=t("tree.chart.empty", lang),
        tree_png=Markup(base64.b64encode(tree_png).decode("ascii")) if tree_png else "",
    )
