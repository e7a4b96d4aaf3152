"""Share 1 in class (chapter 1): the trainee previews the card exactly as the class will see it, anonymised
unless they untick it, and shares it on confirmation; sharing again replaces it, and it can be withdrawn.

The logic is ``kamlib.class_share`` (the card, where it goes) and ``kamlib.class_gallery`` (how it looks).
The form holds only the card last previewed, so that what is shared is what was shown.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from kamlib import paths
from kamlib.class_gallery import preview_html
from kamlib.class_share import (
    ClassCard,
    SharedCard,
    own_shared,
    read_card_file,
    shared_card,
    withdraw_shared,
    write_shared_card,
)
from kamlib.errors import InputError, KamError
from kamlib.forms.common import Status, button, guarded
from kamlib.forms.page import Page, for_registered, message_markup
from kamlib.forms.sharing import review_html
from kamlib.i18n import Lang, t
from kamlib.model.workbook import AccountPlan, Workbook
from kamlib.share_card import card_review

PlanOf = Callable[[Workbook], AccountPlan]


def on_hub() -> bool:
    """Whether cards go to a class exchange the instructor reads live (set on the hub)."""
    return paths.exchange_root() is not None


def sharing_id(wb: Workbook) -> str:
    """Who shares: the hub's user when on a hub, else the workbook's trainee."""
    return paths.default_trainee_id() or wb.trainee.id


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


class ClassShareForm:
    """Preview the card the class will see, then share it (or withdraw it)."""

    def __init__(self, page: Page, plan_of: PlanOf | None = None, folder: str | Path | None = None) -> None:
        self.page = page
        self.plan_of: PlanOf = plan_of or (lambda wb: wb.plan)
        self.folder = folder
        self.pending: SharedCard | None = None
        self.status = Status(page)
        self.help = w.HTML()
        self.anonymise = w.Checkbox(value=True, indent=False)
        self.warning = w.HTML()
        self.preview_button = button("")
        self.share_button = button("", "primary")
        self.withdraw_button = button("")
        self.preview = w.HTML()
        self.review = w.HTML()
        self.current = w.HTML()
        run = guarded(page, self.status)
        self.anonymise.observe(run(lambda _c: self.discard()), names="value")
        self.preview_button.on_click(run(lambda _b: self.make_preview()))
        self.share_button.on_click(run(lambda _b: self.share()))
        self.withdraw_button.on_click(run(lambda _b: self.withdraw()))
        self.widget = w.VBox([self.help, self.anonymise, self.warning, self.preview_button, self.preview,
                              self.review, w.HBox([self.share_button, self.withdraw_button]), self.status.widget,
                              self.current])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        where = "hub" if on_hub() else "local"
        self.help.value = html.escape(t(f"class_share.form.help_{where}", lang))
        self.anonymise.description = t("class_share.form.anonymise", lang)
        self.preview_button.description = t("class_share.form.preview", lang)
        self.share_button.description = t("class_share.form.share", lang)
        self.withdraw_button.description = t("class_share.form.withdraw", lang)
        if self.pending is not None:  # the page changed (a save, the language): what would go is to be seen again
            self.discard()
        self._warn(lang)
        self.share_button.disabled = self.pending is None
        self.status.relabel(lang)
        self.show_current()

    def _warn(self, lang: Lang) -> None:
        self.warning.value = "" if self.anonymise.value else message_markup("info", t("class_share.form.named", lang))

    def discard(self) -> None:
        """Forget the preview (the choice changed): the trainee previews again before sharing."""
        self.pending = None
        self.preview.value = self.review.value = ""
        self.share_button.disabled = True
        self._warn(self.page.lang)

    def _id(self, wb: Workbook) -> str:
        return sharing_id(wb)

    def make_preview(self) -> SharedCard:
        """The card as it would go now, shown exactly as the class will see it (with the review when anonymised)."""
        lang = self.page.lang
        wb = self.page.workbook()
        plan = self.plan_of(wb)
        anonymise = bool(self.anonymise.value)
        card = shared_card(plan, lang, self._id(wb), anonymise=anonymise)
        if not card.account_chosen:
            self.discard()
            raise InputError("class_share.form.no_account")
        review = review_html(card_review(plan, lang), lang) if anonymise else ""
        intro = message_markup("info", t("class_share.form.preview_intro", lang, id=self._id(wb)))
        self.preview.value = intro + preview_html(card, self._id(wb), lang)
        self.review.value = review  # for the trainee's eyes only: it names what was replaced
        self.pending = card
        self.share_button.disabled = False
        self.status.clear()
        return card

    def share(self) -> Path:
        """Share the card previewed (and nothing else)."""
        if self.pending is None:
            raise InputError("class_share.form.preview_first")
        card = self.pending
        path = write_shared_card(card, self.folder)
        self.pending = None
        self.share_button.disabled = True
        kind = "anonymised" if card.anonymised else "named"
        key = "class_share.form.shared_hub" if on_hub() else "class_share.form.shared_local"
        self.status.say("ok", lambda lang: t(key, lang, kind=t(f"class_share.form.kind_{kind}", lang),
                                               file=str(path)))
        self.show_current()
        return path

    def withdraw(self) -> int:
        count = withdraw_shared(self._id(self.page.workbook()), self.folder)
        self.discard()
        self.status.say_key("ok" if count else "info",
                            "class_share.form.withdrawn" if count else "class_share.form.nothing_shared")
        self.show_current()
        return count

    def show_current(self) -> None:
        """What the class has of this trainee now: the card shared and when, or nothing."""
        lang = self.page.lang
        try:
            trainee_id = self._id(self.page.workbook())
            current = own_shared(trainee_id, self.folder)
        except KamError as exc:
            self.current.value = message_markup("error", exc.message(lang))
            return
        if current is None:
            self.current.value = html.escape(t("class_share.form.current_none", lang))
            self.withdraw_button.disabled = True
            return
        self.withdraw_button.disabled = False
        read = read_card_file(current, current.name, trainee_id)
        if not isinstance(read, ClassCard):
            self.current.value = message_markup("error", read.message(lang))
            return
        kind = t("class_share.form.kind_anonymised" if read.card.anonymised else "class_share.form.kind_named", lang)
        self.current.value = html.escape(t("class_share.form.current", lang, at=_utc(read.received_at), kind=kind,
                                           file=current.name))


@for_registered
def class_share_form(page: Page, plan_of: PlanOf | None = None, folder: str | Path | None = None
                     ) -> ClassShareForm | None:
    """The "share with the class" form, below the Share 1 card (nothing for a trainee not registered)."""
    page.prose("class_share.form.heading")
    return page.form(ClassShareForm(page, plan_of, folder))
