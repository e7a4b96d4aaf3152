"""Pieces every form uses: a status line and callbacks that never end in a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from kamlib.errors import explain
from kamlib.forms.page import Page, Render, message_markup
from kamlib.i18n import Lang, Text, t
from kamlib.nobreak import keep_amounts_together

Message = Callable[[Lang], str]


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
    """Wrap a widget callback: any error becomes a message in the trainee's language."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
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

    from kamlib.charts.render import to_png

    return Image(data=to_png(fig, tight=tight, fast=True))


def problems_markdown(heading_key: str, problems: list[Text], lang: Lang) -> Any:
    """A heading from the catalog and one bullet per problem (trainee text escaped)."""
    from IPython.display import Markdown

    lines = "\n".join(f"- {md_escape(p.render(lang))}" for p in problems)
    return Markdown(f"{t(heading_key, lang)}\n\n{lines}")
