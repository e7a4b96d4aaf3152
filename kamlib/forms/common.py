"""Pieces every form uses: a status line and callbacks that never end in a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from kamlib.errors import explain
from kamlib.forms.page import Page, message_markup


class Status:
    """A one-line message area under a form."""

    def __init__(self) -> None:
        self.widget = w.HTML()
        self.kind = ""
        self.text = ""

    def say(self, kind: str, text: str) -> None:
        self.kind, self.text = kind, text
        self.widget.value = message_markup(kind, text)

    def clear(self) -> None:
        self.kind, self.text = "", ""
        self.widget.value = ""


def guarded(page: Page, status: Status) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a widget callback: any error becomes a message in the trainee's language."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                status.say("error", explain(exc, page.lang))
                return None

        return run

    return wrap


def button(label: str, style: str = "") -> w.Button:
    return w.Button(description=label, button_style=style, layout=w.Layout(width="auto"))


WIDE = {"style": {"description_width": "initial"}, "layout": w.Layout(width="32em")}
