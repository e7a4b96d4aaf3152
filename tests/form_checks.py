"""What every form test needs: add a row through an editor, and read what a page's displays show."""

from __future__ import annotations

from typing import Any

from kamlib.forms.page import Page
from kamlib.forms.rows import NEW


def add_row(editor: Any, **values: Any) -> str:
    """Fill a new row of a row editor and save it, as a trainee would; returns the row's id."""
    editor.picker.value = NEW
    for name, value in values.items():
        editor.inputs[name].value = value
    return editor.save()


def shown(page: Page) -> list[str]:
    """Everything the page's displays show now: Markdown and HTML as text, charts as "<image>"."""
    out = []
    for _target, render in page._displays:
        data = getattr(render(page.lang), "data", "")
        out.append(data if isinstance(data, str) else "<image>")
    return out


def form_of(page: Page, kind: type) -> Any:
    """The page's form of class ``kind``."""
    return next(f for f in page._forms if isinstance(f, kind))


def fill_answers(form: Any, answers: dict[str, Any]) -> None:
    """Type ``answers`` into an exercise form as a trainee would (items not in ``answers`` left as they are)."""
    for item in form.exercise.items:
        value = answers.get(item.id)
        widget = form.inputs[item.id]
        if item.kind == "multi":
            for choice, box in zip(item.choices, widget.children, strict=True):
                box.value = choice in (value or [])
        elif item.kind == "number":
            widget.value = "" if value is None else f"{value:g}"
        elif value is not None:
            widget.value = value
