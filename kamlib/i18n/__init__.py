"""Two message catalogs (zh, en) and the one lookup for user-facing text: ``t(key, lang)``.

Catalogs are TOML files in ``i18n/zh/`` and ``i18n/en/``; a file's name is the first part
of its keys (``start.toml`` holds ``start.*``), nested tables add further parts.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
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


def _flatten(table: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if isinstance(value, dict):
            _flatten(value, key, out)
        else:
            out[key] = value


@cache
def catalog(lang: Lang) -> dict[str, str]:
    """All messages of one language, keyed by dotted key."""
    out: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(tomllib.load(fh), path.stem, out)
    return out


def t(key: str, lang: Lang, /, **params: Any) -> str:
    """The message ``key`` in ``lang``, with ``{name}`` placeholders filled from ``params``."""
    template = catalog(check_lang(lang))[key]
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
        return lang  # type: ignore[return-value]
    raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")


def resolve_lang(param: object = None, saved: object = None) -> Lang:
    """The language in force: notebook parameter > ``KAM_LANG`` > trainee's choice > zh."""
    for candidate in (param, os.environ.get("KAM_LANG"), saved):
        lang = normalize_lang(candidate)
        if lang is not None:
            return lang
    return DEFAULT_LANG
