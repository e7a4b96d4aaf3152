"""A font that has the Chinese glyphs: an installed one if there is one, else the bundled Noto."""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from matplotlib import font_manager

from kamlib.errors import KamError

# Families with Simplified Chinese glyphs, best first (Linux, then Windows, then macOS names).
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "SimHei",
)
BUNDLED_PACKAGE = "noto_cjk_sans_otc"
BUNDLED_FILE = "NotoSansCJK-Regular.ttc"
BUNDLED_FAMILY = "Noto Sans CJK SC"


class FontUnavailableError(KamError):
    """No installed font has Chinese glyphs and the bundled font cannot be found."""


@dataclass(frozen=True)
class FontChoice:
    """The family the charts use, where it comes from, and its file."""

    family: str
    source: Literal["system", "bundled"]
    path: str


def _same_file(a: str, b: str) -> bool:
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def bundled_font_path() -> str | None:
    """The path of the bundled Noto Sans CJK collection, or None if the package is missing."""
    try:
        resource = importlib.resources.files(BUNDLED_PACKAGE).joinpath(BUNDLED_FILE)
    except ModuleNotFoundError:
        return None
    if not resource.is_file():
        return None
    if isinstance(resource, Path):
        return str(resource)
    # Installed as a zip: extract once, keep the file until the interpreter exits.
    stack = contextlib.ExitStack()
    atexit.register(stack.close)
    return str(stack.enter_context(importlib.resources.as_file(resource)))


def _registered(family: str) -> list[font_manager.FontEntry]:
    return [entry for entry in font_manager.fontManager.ttflist if entry.name == family]


def _pick(entries: list[font_manager.FontEntry]) -> font_manager.FontEntry:
    """The upright, regular-weight face of a family if there is one."""
    return min(entries, key=lambda e: (e.style != "normal", abs(_weight(e.weight) - 400)))


def _weight(value: int | str) -> int:
    return value if isinstance(value, int) else font_manager.weight_dict.get(value, 400)


def _system_font(bundled: str | None) -> FontChoice | None:
    """The first preferred family matplotlib knows, unless it is the bundled file."""
    for family in PREFERRED_FAMILIES:
        entries = [e for e in _registered(family) if not (bundled and _same_file(e.fname, bundled))]
        if entries:
            return FontChoice(family=family, source="system", path=_pick(entries).fname)
    return None


def _bundled_font(path: str | None) -> FontChoice | None:
    """Register the bundled collection with matplotlib (once) and return its SC family."""
    if path is None:
        return None
    entries = [e for e in _registered(BUNDLED_FAMILY) if _same_file(e.fname, path)]
    if not entries:
        font_manager.fontManager.addfont(path)
        entries = [e for e in _registered(BUNDLED_FAMILY) if _same_file(e.fname, path)]
    if not entries:
        return None
    return FontChoice(family=BUNDLED_FAMILY, source="bundled", path=_pick(entries).fname)


def find_cjk_font(prefer_bundled: bool = False) -> FontChoice:
    """Look for a Chinese font now (uncached); ``prefer_bundled`` skips the installed fonts."""
    bundled = bundled_font_path()
    choice = None if prefer_bundled else _system_font(bundled)
    choice = choice or _bundled_font(bundled)
    if choice is None:
        raise FontUnavailableError(
            "charts.error.no_cjk_font", package=BUNDLED_PACKAGE, families=", ".join(PREFERRED_FAMILIES)
        )
    return choice


@cache
def cjk_font() -> FontChoice:
    """The Chinese font of every chart, looked up once per process."""
    return find_cjk_font()
