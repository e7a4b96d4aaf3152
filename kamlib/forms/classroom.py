"""The live classroom on the instructor's dashboard: who has handed in what (read from the class exchange, or
a folder of collected submissions), the class's Share 1 accounts pooled, and their cards as a gallery to
project. A Refresh button reads everything again; between two reads the page shows the last one.

The logic is ``kamlib.live_class`` (submissions), ``kamlib.class_share`` (cards, pooling) and
``kamlib.class_gallery`` (the gallery's HTML); this module only lays them out.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import HTML, Markdown

from kamlib import paths
from kamlib.check_log import CHECK_LOG, CheckAttempts, read_check_log
from kamlib.class_gallery import gallery_html, gallery_page
from kamlib.class_share import ClassCards, PooledCards, pool_cards, read_class_cards
from kamlib.errors import KamError, explain
from kamlib.feedback import exercise_title
from kamlib.forms.common import Status, button, chart_image, guarded, markdown_table, md_escape
from kamlib.forms.downloads import download_link
from kamlib.forms.gradebook_notes import last_run, source_note
from kamlib.forms.page import Page, message_html
from kamlib.gradebook import Gradebook, grade_exchange, gradebook_path, read_gradebook
from kamlib.i18n import Lang, t
from kamlib.live_class import LiveClass, read_live
from kamlib.screening import LEVELS

STATUS_MARKS = {"on_time": "✔", "late": "⏰", "group": "👥", "missing": "—"}
KINDS = ("top", "strategic", "other", "no_account", "no_figures")


@dataclass(frozen=True)
class LiveSource:
    """Where the class is read from: the exchange's ``inbound/`` (``hub``: each file's owner checked; ``root`` the
    exchange, graded into the gradebook on every read) or a folder of collected submissions."""

    folder: Path
    hub: bool
    root: Path | None = None


def live_source(exchange: str | Path | None = None, collected: str | Path | None = None) -> LiveSource | None:
    """The exchange given, else a folder of collected submissions given, else ``KAM_EXCHANGE`` (the hub); None
    when there is none (the dashboard then shows the gradebook alone, or the demo class)."""
    if exchange is not None:
        return LiveSource(Path(exchange) / "inbound", hub=True, root=Path(exchange))
    if collected is not None:
        return LiveSource(Path(collected), hub=False)
    root = paths.exchange_root()
    return LiveSource(root / "inbound", hub=True, root=root) if root is not None else None


@dataclass
class Snapshot:
    """The class as last read: submissions, shared cards and the gradebook (the one given, else the default
    one when it exists; on the hub the exchange is graded into it first). ``reload`` reads them all again."""

    source: LiveSource
    gradebook: str | Path | None = None
    keys: str | Path | None = None
    live: LiveClass | None = None
    cards: ClassCards = field(default_factory=ClassCards)
    book: Gradebook | None = None
    problems: list[Exception] = field(default_factory=list)
    checks: dict[tuple[str, str], CheckAttempts] | None = None  # the hub's self-check log; None: no hub

    def reload(self) -> None:
        self.live = read_live(self.source.folder, check_owner=self.source.hub)
        self.cards = read_class_cards(self.source.folder, check_owner=self.source.hub)
        self.book, self.problems, self.checks = None, [], None
        instructors = paths.instructor_dir()
        if self.source.root is not None and instructors is not None:  # the hub: its self-check service's log
            try:
                self.checks = read_check_log(instructors / CHECK_LOG)
            except OSError as exc:
                self.problems.append(exc)
        where = self.where()
        if self.source.root is not None:  # the hub: the exchange as it is now, graded into the gradebook
            try:
                grade_exchange(self.source.root, where, self.keys)
            except (KamError, OSError, sqlite3.Error) as exc:  # said above the gradebook's sections
                self.problems.append(exc)
        if not gradebook_path(where).is_file():
            return  # no gradebook yet
        try:
            self.book = read_gradebook(where)
        except (KamError, sqlite3.Error) as exc:
            self.problems.append(exc)

    def open(self, where: Path) -> Gradebook | None:
        """Read the gradebook at ``where`` from now on (on the hub the exchange is graded into it, as at every
        Refresh); one that cannot be read raises and the snapshot stays as it was."""
        read_gradebook(where)
        self.gradebook = where
        self.reload()
        return self.book

    def where(self) -> Path:
        """The gradebook's folder (or file): the one given, else the default one."""
        return Path(self.gradebook) if self.gradebook is not None else paths.gradebook_dir()

    def current_book(self) -> Gradebook | None:
        return self.book


class RefreshForm:
    """The Refresh button: read the class again and redraw the page; says when it was read."""

    def __init__(self, page: Page, snapshot: Snapshot) -> None:
        self.page, self.snapshot = page, snapshot
        self.status = Status(page)
        self.button = button("", "primary")
        self.button.on_click(guarded(page, self.status)(lambda _b: self.refresh()))
        self.widget = w.VBox([self.button, self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.button.description = t("class_share.live.refresh", lang)
        self.status.relabel(lang)

    def refresh(self) -> None:
        self.snapshot.reload()
        self.page.refresh()
        live = self.snapshot.live
        at = live.read_at if live else dt.datetime.now(dt.UTC)
        self.status.say_key("ok", "class_share.live.refreshed", at=f"{at:%H:%M:%S} UTC")


def _labels(exercises: list[str], lang: Lang) -> list[str]:
    return [exercise_title(e, lang) for e in exercises]


def source_markdown(live: LiveClass, source: LiveSource, lang: Lang) -> Markdown:
    key = "class_share.live.source_hub" if source.hub else "class_share.live.source_folder"
    return Markdown(t(key, lang, folder=md_escape(live.folder), at=f"{live.read_at:%Y-%m-%d %H:%M:%S} UTC",
                      trainees=len(live.trainees), files=live.files, not_counted=len(live.not_counted)))


def status_cell(live: LiveClass, trainee_id: str, exercise_id: str, lang: Lang) -> str:
    """One cell of the table: a mark and a word (never colour alone), with the time received or who handed in."""
    status = live.status(trainee_id, exercise_id)
    word = t(f"class_share.live.status.{status}", lang)
    got = live.handed.get((trainee_id, exercise_id))
    if got is None:
        return f"{STATUS_MARKS[status]} {word}"
    detail = md_escape(got.by) if status == "group" else f"{got.received_at:%m-%d %H:%M}"
    return f"{STATUS_MARKS[status]} {word} {detail}"


def handed_markdown(live: LiveClass, lang: Lang, anonymous: bool) -> Markdown:
    """Trainee × exercise: handed in on time, late, by a group, or missing (anonymous: the counts alone)."""
    if not live.trainees:
        return Markdown(t("class_share.live.no_trainees", lang))
    if anonymous:
        rows = [[md_escape(label), str(s.submitted - s.late), str(s.late), str(s.missing)]
                for s, label in zip(live.stats(), _labels(live.exercises, lang), strict=True)]
        cols = [t(f"class_share.live.col.{c}", lang) for c in ("exercise", "on_time", "late", "missing")]
        return Markdown(markdown_table(cols, rows))
    cols = [t("class_share.live.col.trainee", lang), *live.exercises]
    rows = [[md_escape(tid), *(status_cell(live, tid, ex, lang) for ex in live.exercises)] for tid in live.trainees]
    return Markdown(t("class_share.live.table_intro", lang) + "\n\n" + markdown_table(cols, rows))


def checks_markdown(checks: dict[tuple[str, str], CheckAttempts] | None, lang: Lang, anonymous: bool) -> Markdown:
    """The hub's self-checks: per trainee and exercise how often Check was pressed, how many different answers
    were tried, the items right at their latest check and the checks the rate limit refused (anonymous: per
    exercise only). Nothing without a hub."""
    if checks is None:
        return Markdown("")
    heading = t("class_share.live.checks_heading", lang)
    if not checks:
        return Markdown(heading + "\n\n" + t("class_share.live.no_checks", lang))
    entries = sorted(checks.values(), key=lambda c: (c.exercise, c.user))
    if anonymous:
        by_exercise: dict[str, list[CheckAttempts]] = {}
        for entry in entries:
            by_exercise.setdefault(entry.exercise, []).append(entry)
        cols = [t(f"class_share.live.col.{c}", lang) for c in ("exercise", "checked_by", "checks", "tries", "limited")]
        rows = [[md_escape(_labels([ex], lang)[0]), str(len(group)), str(sum(c.checks for c in group)),
                 str(sum(c.attempts for c in group)), str(sum(c.limited for c in group))]
                for ex, group in by_exercise.items()]
    else:
        cols = [t(f"class_share.live.col.{c}", lang)
                for c in ("trainee", "exercise", "checks", "tries", "right", "limited", "last")]
        rows = [[md_escape(c.user), md_escape(_labels([c.exercise], lang)[0]), str(c.checks), str(c.attempts),
                 str(c.right), str(c.limited), f"{c.last:%H:%M}" if c.last else "—"] for c in entries]
    return Markdown(heading + "\n\n" + t("class_share.live.checks_intro", lang) + "\n\n" + markdown_table(cols, rows))


def lines_markdown(key: str, lines: list[str], lang: Lang) -> Markdown:
    if not lines:
        return Markdown("")
    return Markdown(t(key, lang, count=len(lines)) + "\n\n" + "\n".join(f"- {md_escape(x)}" for x in lines))


def pooled_markdown(pooled: PooledCards, lang: Lang) -> Markdown:
    """The class's shared accounts counted by kind (Top, Strategic, other) and by RADP level."""
    if not pooled.cards:
        return Markdown(t("class_share.live.no_cards", lang))
    kinds = [[t(f"class_share.live.kind.{k}", lang), str(pooled.kinds.get(k, 0))] for k in KINDS if pooled.kinds.get(k)]
    levels = [[f"LEVEL{level}", str(pooled.levels.get(level, 0))] for level in LEVELS]
    return Markdown(t("class_share.live.pooled_intro", lang, count=pooled.cards) + "\n\n"
                    + markdown_table([t("class_share.live.col.kind", lang), t("class_share.live.col.count", lang)],
                                     kinds) + "\n\n"
                    + markdown_table([t("class_share.live.col.level", lang), t("class_share.live.col.count", lang)],
                                     levels))


def pooled_chart(pooled: PooledCards, lang: Lang) -> Any:
    from kamlib.charts import dashboard as charts  # matplotlib: loaded when a chart is drawn

    if not pooled.boxes:
        return Markdown("")
    names = {k: t(f"class_share.live.kind.{k}", lang) for k in pooled.boxes}
    return chart_image(charts.pooled_boxes_chart(pooled.boxes, names, lang, title_key="class_share.live.chart_title"))


def gallery_display(cards: ClassCards, lang: Lang, anonymous: bool) -> HTML:
    """The gallery, and a link to the same gallery as a page of its own (to open full screen on a projector)."""
    page = gallery_page(cards.cards, cards.not_shown, lang, anonymous).encode("utf-8")
    link = download_link(page, f"share1-gallery-{lang}.html", t("class_share.live.gallery_download", lang))
    return HTML(f"<p>{link}</p>" + gallery_html(cards.cards, cards.not_shown, lang, anonymous))


def live_sections(page: Page, source: LiveSource, gradebook: str | Path | None, keys: str | Path | None,
                  anonymous: bool) -> Snapshot:
    """Lay out the live sections on ``page`` (read once now; Refresh reads again); returns the snapshot the
    gradebook sections read from."""
    from kamlib.charts import dashboard as charts  # matplotlib: loaded when a chart is drawn

    snapshot = Snapshot(source, gradebook, keys)
    snapshot.reload()

    def live() -> LiveClass:
        assert snapshot.live is not None
        return snapshot.live

    page.form(RefreshForm(page, snapshot))
    page.prose("class_share.live.heading")
    page.show(lambda lang: source_markdown(live(), source, lang), on=())
    page.show(lambda lang: chart_image(charts.submission_status_chart(
        live().stats(), _labels(live().exercises, lang), lang)), on=())
    page.show(lambda lang: handed_markdown(live(), lang, anonymous), on=())
    page.show(lambda lang: lines_markdown("class_share.live.not_counted_intro",
                                          [x.message(lang) for x in live().not_counted], lang), on=())
    page.show(lambda lang: checks_markdown(snapshot.checks, lang, anonymous), on=())
    page.prose("class_share.live.share_heading")
    page.show(lambda lang: pooled_markdown(pool_cards(snapshot.cards.cards), lang), on=())
    page.show(lambda lang: pooled_chart(pool_cards(snapshot.cards.cards), lang), on=())
    page.show(lambda lang: gallery_display(snapshot.cards, lang, anonymous), on=())
    page.prose("class_share.live.gradebook_heading")
    page.show(lambda lang: gradebook_note(snapshot, lang), on=())
    return snapshot


def gradebook_note(snapshot: Snapshot, lang: Lang) -> Any:
    """Which gradebook the sections below come from, or why there is none yet."""
    if snapshot.problems:
        return message_html("error", "\n".join(explain(exc, lang) for exc in snapshot.problems))
    if snapshot.book is None:
        return message_html("info", t("class_share.live.no_gradebook", lang, folder=str(snapshot.where())))
    note = source_note(snapshot.book, lang)
    if not snapshot.book.last_rejections:
        return note
    return Markdown(f"{note.data}\n\n{last_run(snapshot.book, lang).data}")  # e.g. no key for an exercise
