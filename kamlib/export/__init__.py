"""The trainee's Account Plan as one document to take back to work: HTML (printable, self-contained)
or XLSX (one sheet per table), in the trainee's language, optionally anonymised for sharing.

``build_document`` runs the section renderers (``kamlib.export.sections.SECTIONS``) over the plan;
``export_html`` and ``export_xlsx`` write the document; ``write_export`` does both steps into a file.
The plan's health (``kamlib.health``) heads the document. ``export_review`` says what the anonymised
export replaces and what in it still looks like a name (``kamlib.anonymise.Review``).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Literal, get_args

from kamlib import paths
from kamlib.anonymise import Review
from kamlib.atomic import write_atomic
from kamlib.errors import InputError
from kamlib.export.context import Context
from kamlib.export.document import Document
from kamlib.health import SECTION_CHAPTERS, plan_health
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.base import now as utc_now
from kamlib.model.workbook import Workbook
from kamlib.settings import CourseSettings
from kamlib.tables.replace_file import write_failed

Format = Literal["html", "xlsx"]
FORMATS: tuple[Format, ...] = get_args(Format)


def build_document(workbook: Workbook, lang: Lang, anonymise: bool = False, now: dt.datetime | None = None,
                   settings: CourseSettings | None = None) -> Document:
    """Every section of the plan rendered in ``lang`` (names replaced by codes when ``anonymise``)."""
    return _rendered(workbook, lang, anonymise, now, settings)[0]


def export_review(workbook: Workbook, lang: Lang, now: dt.datetime | None = None,
                  settings: CourseSettings | None = None) -> Review:
    """What the anonymised export replaces (original → replacement, counted) and what in it still looks
    like a name or a contact detail."""
    review = _rendered(workbook, lang, True, now, settings)[1]
    assert review is not None
    return review


def _rendered(workbook: Workbook, lang: Lang, anonymise: bool, now: dt.datetime | None,
              settings: CourseSettings | None) -> tuple[Document, Review | None]:
    from kamlib.export.sections import SECTIONS

    lang = check_lang(lang)
    now = now or utc_now()
    settings = settings or CourseSettings()
    health = plan_health(workbook.plan, now, settings)
    ctx = Context(workbook, lang, anonymise, now, settings, health)
    blocks = tuple(s.render(ctx) for s in SECTIONS)
    chapters = dict.fromkeys(SECTION_CHAPTERS.values())
    document = Document(
        lang=lang, title=t("export.title", lang), subtitle=ctx.account(ctx.key_account), anonymised=anonymise,
        blocks=blocks, chapter_titles={c: t(f"course.chapter.{c}.short", lang) for c in chapters},
        labels={k: t(f"export.label.{k}", lang) for k in ("not_started", "contents")},
    )
    return document, ctx.review()


def export_html(workbook: Workbook, lang: Lang, anonymise: bool = False, now: dt.datetime | None = None,
                settings: CourseSettings | None = None) -> str:
    """The Account Plan as one self-contained, printable HTML page."""
    from kamlib.export.html import document_html

    return document_html(build_document(workbook, lang, anonymise, now, settings))


def export_xlsx(workbook: Workbook, lang: Lang, anonymise: bool = False, now: dt.datetime | None = None,
                settings: CourseSettings | None = None) -> bytes:
    """The Account Plan as an XLSX workbook, one sheet per table."""
    from kamlib.export.xlsx import document_xlsx

    return document_xlsx(build_document(workbook, lang, anonymise, now, settings))


def check_format(value: str) -> Format:
    """``html`` or ``xlsx`` (any case); else an error naming what is accepted."""
    fmt = value.strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError("export.error.format", value=value, accepted=", ".join(FORMATS))
    return fmt


def default_path(workbook: Workbook, fmt: Format, anonymise: bool = False) -> Path:
    """``exports/account-plan-<trainee>[-anonymised].<fmt>`` in the workbook home (trainee data stays local)."""
    stem = f"account-plan-{workbook.trainee.id}" + ("-anonymised" if anonymise else "")
    return paths.home() / "exports" / f"{stem}.{fmt}"


def write_export(workbook: Workbook, fmt: Format, lang: Lang, out: str | os.PathLike[str] | None = None,
                 anonymise: bool = False, settings: CourseSettings | None = None) -> Path:
    """Write the export to ``out`` (default ``default_path``) atomically; returns the path written."""
    fmt = check_format(fmt)
    path = Path(out) if out is not None else default_path(workbook, fmt, anonymise)
    if path.suffix.lower() != f".{fmt}":
        raise InputError("export.error.suffix", file=str(path), fmt=fmt)
    data = (export_html(workbook, lang, anonymise, settings=settings).encode("utf-8") if fmt == "html"
            else export_xlsx(workbook, lang, anonymise, settings=settings))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:  # a read-only or missing place: explained, not a traceback
        raise write_failed(path, exc) from exc
    return path
