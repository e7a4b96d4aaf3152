"""Two message catalogs (zh, en) and the one lookup for user-facing text: ``t(key, lang)``.

Catalogs are TOML files in ``i18n/zh/`` and ``i18n/en/``; a file's name is the first part
of its keys (``start.toml`` holds ``start.*``), nested tables add further parts.

A message whose wording depends on a number is a table of CLDR plural forms, chosen by the ``count``
parameter: ``accounts = { one = "{count} account", other = "{count} accounts" }``. English has the forms
one and other; Chinese has only other, so its entry stays a plain string.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "zh"
_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Text:
    """A message not yet rendered: a catalog key and its parameters (which may be Texts)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: Lang) -> str:
        return t(self.key, lang, **self.params)

    @staticmethod
    def join(items: list[Text] | tuple[Text, ...], separator: str = "i18n.separator") -> Text:
        """Texts as one list in the language's way: the catalog's ``separator`` between items
        (by default ``i18n.separator``, which reads as a Chinese or an English list)."""
        return Text("i18n.list", {"items": _Joined(tuple(items), separator)})


@dataclass(frozen=True)
class _Joined:
    items: tuple[Text, ...]
    separator: str

    def render(self, lang: Lang) -> str:
        return t(self.separator, lang).join(i.render(lang) for i in self.items)


# CLDR's plural categories, and the ones each of our languages uses.
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
LANG_PLURALS: dict[Lang, tuple[str, ...]] = {"zh": ("other",), "en": ("one", "other")}


class Plural(str):
    """A message with one form per plural category, chosen by ``count``; as a str it is its ``other`` form."""

    forms: Mapping[str, str]

    def __new__(cls, forms: Mapping[str, str]) -> Plural:
        message = super().__new__(cls, forms["other"])
        message.forms = MappingProxyType(dict(forms))
        return message


def plural_category(lang: Lang, count: float) -> str:
    """CLDR's plural category of ``count``: in English one for 1, other else; in Chinese always other."""
    return "one" if lang == "en" and count == 1 else "other"


def _is_plural(value: dict[str, Any]) -> bool:
    return "other" in value and set(value) <= set(PLURAL_CATEGORIES) and all(isinstance(v, str) for v in value.values())


def _flatten(table: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if isinstance(value, dict) and _is_plural(value):
            out[key] = Plural(value)
        elif isinstance(value, dict):
            _flatten(value, key, out)
        else:
            out[key] = value


@cache
def catalog(lang: Lang) -> dict[str, str]:
    """All messages of one language, keyed by dotted key (a plural message is a :class:`Plural`)."""
    out: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(tomllib.load(fh), path.stem, out)
    return out


def t(key: str, lang: Lang, /, **params: Any) -> str:
    """The message ``key`` in ``lang``, with ``{name}`` placeholders filled from ``params``; a plural message takes
    the form for ``count``."""
    template = catalog(check_lang(lang))[key]
    if isinstance(template, Plural):
        if "count" not in params:
            raise TypeError(f"{key} is a plural message: pass count=")
        template = template.forms.get(plural_category(lang, params["count"]), template)
    if not params:
        return template
    rendered = {k: v.render(lang) if isinstance(v, Text | _Joined) else v for k, v in params.items()}
    return template.format(**rendered)


def both(key: str, /, **params: Any) -> str:
    """The message in Chinese and English, one per line (for files and logs read by anyone)."""
    return "\n".join(t(key, lang, **params) for lang in LANGS)


def normalize_lang(value: object) -> Lang | None:
    """``"zh-CN"``, ``"zh_Hans"`` → ``"zh"``; ``"en-US"`` → ``"en"``; else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower().replace("_", "-")
    if text.startswith("zh") or text in {"cn", "chinese"}:
        return "zh"
    if text.startswith("en") or text == "english":
        return "en"
    return None


def check_lang(lang: object) -> Lang:
    """``lang`` if it is one of ours; otherwise a ValueError naming what is accepted."""
    if lang in LANGS:
        return lang
    raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")


def resolve_lang(param: object = None, saved: object = None) -> Lang:
    """The language in force: notebook parameter > ``KAM_LANG`` > trainee's choice > zh."""
    for candidate in (param, os.environ.get("KAM_LANG"), saved):
        lang = normalize_lang(candidate)
        if lang is not None:
            return lang
    return DEFAULT_LANG
