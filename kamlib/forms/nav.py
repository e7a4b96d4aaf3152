"""The navigation bar at the top and bottom of every chapter and exercise page: the course map, the chapter's
exercise (or the exercise's chapter) and the next chapter. Links open in the same tab: in the app, a page left
behind in another tab would keep its kernel."""

from __future__ import annotations

import html
from typing import TypeVar

from IPython.display import HTML

from kamlib.errors import KamError
from kamlib.forms.page import Page
from kamlib.i18n import Lang, t
from kamlib.navigation import NavLink, course_links


def page_link(href: str, text: str) -> str:
    """An HTML link to another page of the course, opened in the same tab (the app's rendering would otherwise
    open a new one for every link)."""
    return f'<a href="{html.escape(href, quote=True)}" target="_self">{html.escape(text)}</a>'


def link_label(link: NavLink, lang: Lang) -> str:
    if link.kind == "map":
        return t("nav.map", lang)
    if link.kind == "exercise":
        return t("nav.exercise", lang, title=t(f"{link.target}.title", lang))
    return t(f"nav.{link.kind}", lang, chapter=t(f"course.chapter.{link.target}.short", lang))


def nav_html(here: str, lang: Lang) -> str:
    """The bar of the page ``here`` (a chapter key or an exercise id); empty when the course cannot be found (the
    page's other displays say why)."""
    try:
        links = course_links(here)
    except KamError:
        return ""
    items = " · ".join(page_link(link.href, link_label(link, lang)) for link in links)
    label = html.escape(t("nav.label", lang), quote=True)
    return (f'<div class="kam-nav" role="navigation" aria-label="{label}" '
            f'style="margin:6px 0;padding:4px 0;border-top:1px solid #ddd;border-bottom:1px solid #ddd">'
            f"{items}</div>")


def nav_bar(page: Page, here: str) -> None:
    """Show the navigation bar of the page ``here`` (a chapter key, e.g. "ch1", or an exercise id, e.g. "ex01")."""
    page.show(lambda lang: HTML(nav_html(here, lang)), on=())


PageT = TypeVar("PageT", bound=Page)


def chapter_page(page: PageT, here: str, intro: str) -> PageT:
    """The top of the chapter ``here`` on ``page``: the navigation bar, the catalog's ``intro``, and where to register
    when the trainee has not yet (the chapter's forms then show nothing)."""
    nav_bar(page, here)  # the course map, the exercise, the next chapter
    page.prose(intro)
    if not page.registered:
        page.prose("page.not_registered")
    return page
