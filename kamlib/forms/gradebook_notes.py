"""What the instructor pages say about a gradebook: which gradebook is shown, what its last run rejected. Shared by
the grading and dashboard pages (``forms.gradebook``) and the class live (``forms.classroom``)."""

from __future__ import annotations

from typing import Any

from IPython.display import Markdown

from kamlib import paths
from kamlib.forms.common import md_escape
from kamlib.forms.page import message_html
from kamlib.gradebook import Gradebook
from kamlib.i18n import Lang, t


def source_note(book: Gradebook, lang: Lang) -> Any:
    """Which gradebook is shown; demo data said loudly."""
    if book.demo:  # shown only when the default gradebook does not exist yet: name it
        return message_html("info", t("gradebook.form.demo", lang, folder=str(paths.gradebook_dir())))
    return Markdown(t("gradebook.form.source", lang, file=md_escape(book.path), trainees=len(book.trainees),
                      exercises=len(book.exercises), submissions=len(book.submissions)))


def last_run(book: Gradebook, lang: Lang) -> Markdown:
    """The files the last run rejected, in the page's language."""
    if not book.last_rejections:
        return Markdown(t("gradebook.report.none_rejected", lang))
    lines = [f"- {md_escape(r.message(lang))}" for r in book.last_rejections]
    return Markdown(t("gradebook.report.rejected", lang, count=len(lines)) + "\n\n" + "\n".join(lines))
