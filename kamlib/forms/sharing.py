"""Before sharing an anonymised card or export: the plan's hide list (names and short forms the plan
cannot know) and the review of what the anonymised file replaces and what in it still looks like a name.

One small form, placed by the export form (start page) and the Share 1 form (chapter 1) before their
export button, shown while "anonymised" is ticked. The review is ``kamlib.anonymise.Review``, computed
by the host from the workbook as saved; the hide list is saved through the store.

``people_responsible_html``: the Share 1 form's read-only "people responsible", as the card lists them
(chapter 2's key persons), with where they come from.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable

import ipywidgets as w

from kamlib.anonymise import Review, format_hide_list, parse_hide_list, suspects_to_hide
from kamlib.errors import KamError, explain
from kamlib.forms.common import Status, button, guarded
from kamlib.forms.page import Page, message_markup
from kamlib.i18n import Lang, t
from kamlib.model import update_workbook
from kamlib.model.sharing import HiddenName
from kamlib.model.workbook import AccountPlan, Workbook

ReviewOf = Callable[[Workbook, Lang], Review]


def review_html(review: Review, lang: Lang) -> str:
    """The review as HTML: its heading, then one line each (everything the trainee typed escaped)."""
    first, *rest = review.lines(lang)
    items, lists = [], []
    for line in rest:
        if line.startswith("  "):
            items.append(f"<li>{html.escape(line.strip())}</li>")
            continue
        if items:
            lists.append(f"<ul>{''.join(items)}</ul>")
            items = []
        lists.append(f"<p>{html.escape(line)}</p>")
    if items:
        lists.append(f"<ul>{''.join(items)}</ul>")
    return (f"<div class='kam-review'><b>{html.escape(t('anonymise.review.heading', lang))}</b>"
            f"<p>{html.escape(first)}</p>{''.join(lists)}</div>")


def people_responsible_html(plan: AccountPlan, lang: Lang) -> str:
    """The card's "people responsible" as the Share 1 form shows them: chapter 2's key persons, said to come
    from there, or (none yet) where to enter them."""
    from kamlib.share_card import card_content

    card = card_content(plan, lang)
    if not card.people:
        return f"<div class='kam-people'><i>{html.escape(card.no_people)}</i></div>"
    items = [*card.people, *([t("share.more_people", lang, count=card.people_hidden)] if card.people_hidden else [])]
    listed = "".join(f"<li>{html.escape(p)}</li>" for p in items)
    return (f"<div class='kam-people'>{html.escape(t('ch1.share.people_from', lang))}"
            f"<ul style='margin:0'>{listed}</ul></div>")


class SharingCheck:
    """The hide list (saved in ``plan.sharing``) and the review of the anonymised file (``review_of``)."""

    def __init__(self, page: Page, review_of: ReviewOf) -> None:
        self.page = page
        self.review_of = review_of
        self.status = Status(page)
        self.help = w.HTML()
        self.entries = w.Textarea(style={"description_width": "12em"}, layout=w.Layout(width="48em", height="7em"))
        self.save_button = button("")
        self.add_button = button("")
        run = guarded(page, self.status)
        self.save_button.on_click(run(lambda _b: self.save()))
        self.add_button.on_click(run(lambda _b: self.add_suspects()))
        self.report = w.HTML()
        self.widget = w.VBox([self.help, self.entries, w.HBox([self.save_button, self.add_button]),
                              self.status.widget, self.report], layout=w.Layout(display="none"))
        self.visible = False
        if page.registered:  # a damaged workbook is explained by the page's displays (and by the review)
            with contextlib.suppress(KamError):
                self.entries.value = format_hide_list(page.workbook().plan.sharing.hide)
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.help.value = html.escape(t("anonymise.hide.help", lang))
        self.entries.description = t("anonymise.hide.label", lang)
        self.entries.placeholder = t("anonymise.hide.placeholder", lang)
        self.save_button.description = t("anonymise.hide.save", lang)
        self.add_button.description = t("anonymise.hide.add_suspects", lang)
        self.status.relabel(lang)
        self.update()

    def show(self, visible: bool) -> None:
        """Shown (and the review brought up to date) while the host's "anonymised" is ticked."""
        self.visible = visible
        self.widget.layout.display = "" if visible else "none"
        self.update()

    def review(self) -> Review:
        return self.review_of(self.page.workbook(), self.page.lang)

    def update(self) -> None:
        """The review of the workbook as saved, when shown."""
        if not self.visible:
            return
        lang = self.page.lang
        if not self.page.registered:
            self.report.value = message_markup("info", t("anonymise.review.not_registered", lang))
            return
        try:
            self.report.value = review_html(self.review(), lang)
        except Exception as exc:  # a broken workbook is explained, never a traceback
            self.report.value = message_markup("error", explain(exc, lang))

    def save(self) -> list[HiddenName]:
        """Save the hide list as typed (one entry a line, ``name = replacement``)."""
        entries = parse_hide_list(self.entries.value)

        def change(wb: Workbook) -> None:
            wb.plan.sharing = wb.plan.sharing.model_copy(update={"hide": entries})

        update_workbook(self.page.workbook_file(), change, section="sharing")
        self.entries.value = format_hide_list(entries)
        self.status.say_key("ok", "anonymise.hide.saved", count=len(entries))
        self.update()  # nothing else on a page shows the hide list
        return entries

    def add_suspects(self) -> list[str]:
        """Put every suspect of the review on the hide list (the trainee removes what is no name) and save."""
        typed = parse_hide_list(self.entries.value)
        new = suspects_to_hide(self.review(), typed)
        if not new:
            self.status.say_key("info", "anonymise.hide.nothing_to_add")
            return []
        self.entries.value = format_hide_list([*typed, *(HiddenName(text=x) for x in new)])
        saved = self.save()
        self.status.say_key("ok", "anonymise.hide.added", count=len(new), total=len(saved))
        return new
