"""The HTML pages the workbook writes (the Account Plan export, the feedback pages, the Share 1 card): one Jinja2
environment over ``kamlib/templates/*.html.j2``, with autoescaping.

Every value a template writes with ``{{ … }}`` is escaped here, once, as ``html.escape`` does (quotes included),
unless it is already markup (``Markup``, ``|safe``). In the pages of the export and the card an amount also stays
on one line with its unit (``kamlib.nobreak``); the feedback pages show texts as they are.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from kamlib.nobreak import keep_amounts_together

KEEP_AMOUNTS_TOGETHER = ("export", "share_card")  # templates (by name prefix) that keep an amount with its unit


def escape(value: object, amounts_together: bool = False) -> Markup:
    """``value`` as HTML text: escaped like ``html.escape(…, quote=True)``; markup passes as it is."""
    if hasattr(value, "__html__"):
        return Markup(value)
    text = str(value)
    return Markup(html.escape(keep_amounts_together(text) if amounts_together else text, quote=True))


@pass_context
def _finalize(context: Context, value: Any) -> Markup:
    name = context.name or ""
    return escape(value, name.startswith(KEEP_AMOUNTS_TOGETHER))


def _lines(text: object) -> Markup:
    """A text of several lines, each escaped, joined by ``<br>``."""
    return Markup("<br>").join(escape(line) for line in str(text).splitlines())


@cache
def environment() -> Environment:
    """The one environment: autoescaping, undefined names an error, blocks leave no blank lines."""
    env = Environment(
        loader=PackageLoader("kamlib", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["lines"] = _lines
    return env


def template(name: str) -> Template:
    """A template of ``kamlib/templates`` by its file name."""
    return environment().get_template(name)


def render(name: str, /, **values: Any) -> str:
    """The page ``name`` filled in with ``values``."""
    return template(name).render(**values)
