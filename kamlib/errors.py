"""Errors a trainee or instructor may see: each carries a catalog key, so it reads in their language."""

from __future__ import annotations

from typing import Any

from kamlib.i18n import LANGS, Lang, Text, t


class KamError(Exception):
    """An error explained from the catalogs; ``details`` are further lines (e.g. one per field)."""

    def __init__(self, key: str, /, details: list[Text] | None = None, **params: Any) -> None:
        self.text = Text(key, params)
        self.details = list(details or [])
        super().__init__(key)

    def message(self, lang: Lang) -> str:
        """The whole message in ``lang``: the headline, then one line per detail."""
        lines = [self.text.render(lang)]
        lines += [f"• {d.render(lang)}" for d in self.details]
        return "\n".join(lines)

    def __str__(self) -> str:
        return "\n".join(self.message(lang) for lang in LANGS)


class WorkbookError(KamError):
    """The workbook file cannot be read or written as asked; the file is left as it was."""


class SettingsError(KamError):
    """The course settings file is not valid."""


class InputError(KamError):
    """Something a trainee typed is not accepted."""


class GradingError(KamError):
    """A submission or an answer key cannot be used for grading."""


def explain(exc: BaseException, lang: Lang) -> str:
    """What to show a trainee for any exception: ours in their language, others in plain words."""
    if isinstance(exc, KamError):
        return exc.message(lang)
    return t("errors.unexpected", lang, kind=type(exc).__name__, detail=str(exc)[:300])
