"""Pieces every form uses: a status line and callbacks that never end in a traceback."""

from __future__ import annotations

import datetime as dt
import functools
import math
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as w
from ipywidgets.widgets.widget_description import DescriptionWidget

from kamlib.errors import explain
from kamlib.forms.page import Page, Render, message_markup
from kamlib.i18n import Lang, Text, t
from kamlib.nobreak import keep_amounts_together

Message = Callable[[Lang], str]


def today() -> dt.date:
    """Today's date, which the forms compare due dates with and offer for a new date."""
    return dt.date.today()


class Status:
    """A message area of a form; it re-renders its message when the language changes."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.widget = w.HTML()
        self.kind = ""
        self._message: Message | None = None

    @property
    def text(self) -> str:
        return self._message(self.page.lang) if self._message else ""

    def say(self, kind: str, message: Message) -> None:
        """Show ``message(lang)``; ``message`` is kept so that a language switch re-renders it."""
        self.kind, self._message = kind, message
        self.relabel(self.page.lang)

    def say_key(self, kind: str, key: str, /, **params: Any) -> None:
        """Show the catalog message ``key``."""
        self.say(kind, lambda lang: t(key, lang, **params))

    def clear(self) -> None:
        self.kind, self._message = "", None
        self.widget.value = ""

    def relabel(self, lang: Lang) -> None:
        self.widget.value = message_markup(self.kind, self._message(lang)) if self._message else ""


def guarded(page: Page, status: Status) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a widget callback: any error becomes a message in the trainee's language. The page re-draws what the
    callback changed once it has ended (``Page.batch``), so that its message reaches the page first."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                with page.batch():
                    return fn(*args, **kwargs)
            except Exception as exc:
                status.say("error", functools.partial(_explain, exc))
                return None

        return run

    return wrap


def _explain(exc: BaseException, lang: Lang) -> str:
    return explain(exc, lang)


class ViewSwitch:
    """Buttons choosing which of several views one display shows: only the chosen view is drawn,
    on a save as on a switch, so big charts cost their time only when looked at."""

    def __init__(self, page: Page, views: dict[str, tuple[str, Render]],
                 on: frozenset[str] | set[str] | tuple[str, ...]) -> None:
        self.page, self.views = page, views
        self._relabelling = False
        self.widget = w.ToggleButtons(options=self._options(page.lang), style={"button_width": "auto"})
        page.form(self)
        self.handle = page.show(self._render, on=on)
        self.widget.observe(self._switched, "value")

    def _options(self, lang: Lang) -> list[tuple[str, str]]:
        return [(t(label, lang), key) for key, (label, _) in self.views.items()]

    def _render(self, lang: Lang) -> Any:
        return self.views[self.widget.value][1](lang)

    def _switched(self, change: dict[str, Any]) -> None:
        if not self._relabelling:
            self.page.redraw(self.handle)

    def relabel(self, lang: Lang) -> None:
        options = self._options(lang)
        if list(self.widget.options) == options:
            return
        value, self._relabelling = self.widget.value, True
        try:
            self.widget.options = options
            self.widget.value = value
        finally:
            self._relabelling = False


class ActionButton:
    """A button that does one thing (``action``) and a status line that says how it went."""

    def __init__(self, page: Page, label: str, action: Callable[[], Any]) -> None:
        self.page, self.label = page, label
        self.status = Status(page)
        self.button = button("")
        self.button.on_click(guarded(page, self.status)(lambda _b: action()))
        self.widget = w.VBox([w.HBox([self.button]), self.status.widget])
        self.relabel(page.lang)

    def relabel(self, lang: Lang) -> None:
        self.button.description = t(self.label, lang)
        self.status.relabel(lang)


def button(label: str, style: str = "") -> w.Button:
    # flex-start: a button as wide as its text, even when it stands alone in a column
    return w.Button(description=label, button_style=style, layout=w.Layout(width="auto", align_self="flex-start"))


WIDE = {"style": {"description_width": "initial"}, "layout": w.Layout(width="32em")}

LABEL_EM = 12.0  # the narrowest label column of a form, in em of the widgets' font


def text_em(text: str) -> float:
    """About how wide ``text`` runs in a widget's font, in em: a full-width (Chinese) character 1 em, any other
    0.6 em. Generous on purpose: a label column a little wide costs nothing, one too narrow cuts the label."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def _em(size: object) -> float | None:
    text = str(size or "")
    try:
        return float(text.removesuffix("em")) if text.endswith("em") else None
    except ValueError:
        return None


def fit_labels(widgets: Iterable[w.Widget], least: float = LABEL_EM) -> None:
    """One label column for the fields of a form, wide enough for the longest description in the language shown,
    so that no label is cut. Each field keeps the room it had for its input (a width in em grows with the
    column, and more where its hint or its longest option needs it); a ticked box (``Checkbox``) has its text to the
    right of the column and takes the form's width."""
    fields = [x for x in widgets if isinstance(x, DescriptionWidget) and _em(x.style.description_width)]
    texts = [x.description for x in fields if not isinstance(x, w.Checkbox)]
    column = _half_up(max([least, *(text_em(s) + 1 for s in texts)]))
    for x in fields:
        if isinstance(x, w.Checkbox):
            x.layout.width = "auto"
        else:
            label, width = _em(x.style.description_width), _em(x.layout.width)
            if label is not None and width is not None:
                room = max(width - label, _options_em(x), _hint_em(x))
                x.layout.width = f"{_half_up(column + room):g}em"
        x.style.description_width = f"{column:g}em"


def fit_choices(box: w.Dropdown) -> None:
    """A drop-down wide enough for its longest option beside its description, so that no choice is cut (two
    accounts or statements that differ at their ends would read the same)."""
    label = _em(box.style.description_width)
    if label is None:  # "initial": the description as wide as it runs
        label = text_em(box.description) + 1 if box.description else 0.0
    width = _em(box.layout.width)
    need = label + _options_em(box)
    if width is None or width < need:
        box.layout.width = f"{_half_up(need):g}em"


def fit_hint(box: w.Text, least: float) -> None:
    """A one-line box without a description at least ``least`` em wide, wider where its hint needs it whole."""
    box.layout.width = f"{_half_up(max(least, _hint_em(box))):g}em"


def _options_em(x: w.Widget) -> float:
    """The room a drop-down's longest option needs (the arrow and padding included); 0 for other widgets."""
    if not isinstance(x, w.Dropdown):
        return 0.0
    return max([text_em(str(label)) for label in x._options_labels] or [0.0]) + 3


def _hint_em(x: w.Widget) -> float:
    """The room a one-line box needs for its hint (placeholder) whole; 0 for other widgets."""
    hint = getattr(x, "placeholder", "") if isinstance(x, w.Text) else ""
    return text_em(hint) + 1.5 if hint else 0.0


def _half_up(em: float) -> float:
    return math.ceil(2 * em) / 2


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]{}()#+!|<>~"})


def md_escape(text: object) -> str:
    """Text a trainee typed, safe inside Markdown (no markup, no HTML, one line); an amount stays on one line
    with its unit."""
    return keep_amounts_together(str(text).translate(_MD_SPECIAL).replace("\n", " "))


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; cells are used as given (escape trainee text with ``md_escape``)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def chart_image(fig: Any, tight: bool = True) -> Any:
    """A chart as a notebook image (matplotlib loads only when a chart is drawn), compressed lightly:
    it travels from the kernel to the browser on the same machine, and is re-drawn on every save."""
    from IPython.display import Image

    from kamlib.charts.render import to_png  # matplotlib: loaded when a chart is drawn

    return Image(data=to_png(fig, tight=tight, fast=True))


def problems_markdown(heading_key: str, problems: list[Text], lang: Lang) -> Any:
    """A heading from the catalog and one bullet per problem (trainee text escaped)."""
    from IPython.display import Markdown

    lines = "\n".join(f"- {md_escape(p.render(lang))}" for p in problems)
    return Markdown(f"{t(heading_key, lang)}\n\n{lines}")
