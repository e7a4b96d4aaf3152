"""A notebook page: its language, its workbook file, and every display to redraw when they change."""

from __future__ import annotations

import contextlib
import functools
import html
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from IPython.display import HTML, Markdown, display, update_display

from kamlib import paths
from kamlib.errors import KamError, explain
from kamlib.i18n import Lang, resolve_lang, t
from kamlib.model import load_workbook
from kamlib.model.workbook import Workbook

if TYPE_CHECKING:
    from ipywidgets import Widget

Render = Callable[[Lang], Any]
EVERYTHING: frozenset[str] = frozenset({"*"})  # a display that reads the whole workbook


class Form(Protocol):
    """What ``Page.form`` shows and keeps in step: a widget, and ``relabel``, which writes the form's labels in
    ``lang`` and shows what the workbook holds now (called on a language switch and after a save)."""

    @property
    def widget(self) -> Widget: ...

    def relabel(self, lang: Lang) -> None: ...


FormT = TypeVar("FormT", bound=Form)


class Page:
    """What one notebook shows; holds no trainee data (that is in the workbook file)."""

    def __init__(self, lang: str | None = None, workbook: str | Path | None = None) -> None:
        self.workbook_path: Path | None = paths.find_workbook(workbook)
        saved = None
        if self.workbook_path is not None and self.workbook_path.is_file():
            try:
                saved = load_workbook(self.workbook_path).trainee.language
            except KamError:
                saved = None  # the problem is shown by whichever display reads the file
        self.lang: Lang = resolve_lang(lang, saved)
        self.live = in_app()
        self._displays: list[tuple[Any, Render]] = []
        self._depends: list[frozenset[str]] = []
        self._shown: list[Any] = []  # what each display shows now (its data), to leave an unchanged one alone
        self._forms: list[Form] = []
        self._batch = 0  # callbacks running (see ``batch``)
        self._pending: set[str] | None = set()  # sections saved within them, None: everything
        self._relabel_pending = False
        _install_error_handler(self)
        if self.live:  # in the app: a page whose kernel is gone says it must be reloaded
            from kamlib.forms import reload_notice

            reload_notice.install(self)

    # ---- the workbook ------------------------------------------------------------------------
    @property
    def registered(self) -> bool:
        return self.workbook_path is not None and self.workbook_path.is_file()

    def workbook(self) -> Workbook:
        """The trainee's workbook as saved now; a clear error when there is none yet."""
        if self.workbook_path is None or not self.workbook_path.is_file():
            raise KamError("page.no_workbook")  # plain words: shown under a form, where Markdown is not rendered
        return load_workbook(self.workbook_path)

    def workbook_file(self) -> Path:
        """Where the trainee's workbook is saved (for ``update_workbook``, which says when the file is missing); a
        clear error on a page that has no workbook to save to."""
        if self.workbook_path is None:
            raise KamError("page.no_workbook")
        return self.workbook_path

    # ---- displays ------------------------------------------------------------------------------
    def show(self, render: Render, on: frozenset[str] | set[str] | tuple[str, ...] = EVERYTHING) -> int:
        """Display ``render(lang)`` now and again when the page is refreshed; returns a handle for
        ``redraw``.

        ``on`` names the plan sections the display reads: a save re-draws only the displays that
        read the saved section (charts are the slow part); ``()`` means the text depends on the
        language alone.

        In JupyterLab the output is updated in place through its display id; in the app (Voila),
        whose cell outputs are static, it lives in an Output widget instead.
        """
        if self.live:
            import ipywidgets as w

            box = w.Output()
            shown = self._safe(render)
            box.append_display_data(shown)
            self._displays.append((box, render))
            self._depends.append(frozenset(on))
            self._shown.append(_data(shown))
            display(box)
            return len(self._displays) - 1
        display_id = uuid.uuid4().hex
        self._displays.append((display_id, render))
        self._depends.append(frozenset(on))
        shown = self._safe(render)
        self._shown.append(_data(shown))
        display(shown, display_id=display_id)
        return len(self._displays) - 1

    def prose(self, key: str, **params: Any) -> None:
        """A paragraph of the catalog in the page's language."""
        self.show(lambda lang: Markdown(t(key, lang, **params)), on=())

    def form(self, form: FormT) -> FormT:
        """Display a form (see ``Form``) and keep it in step."""
        self._forms.append(form)
        display(form.widget)
        return form

    def refresh(self, changed: set[str] | None = None) -> None:
        """Redraw the displays that read a ``changed`` section (all when None) and relabel every form.

        Within a ``batch`` (a form's callback) this waits until the callback has ended: its message goes to the
        page first, and each display is drawn once however many times the callback asked.
        """
        if self._batch:
            self._pending = None if changed is None or self._pending is None else self._pending | changed
            self._relabel_pending = True
            return
        for handle, depends in enumerate(self._depends):
            if changed is None or "*" in depends or depends & changed:
                self.redraw(handle)
        for form in self._forms:
            form.relabel(self.lang)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Collect the refreshes asked for inside (e.g. by a Save button's callback) and do them once at its end."""
        self._batch += 1
        try:
            yield
        finally:
            self._batch -= 1
            if not self._batch and (self._relabel_pending or self._pending):
                changed, self._pending, self._relabel_pending = self._pending, set(), False
                self.refresh(changed)

    def redraw(self, handle: int) -> None:
        """Draw one display again (``handle`` as returned by ``show``); one that shows the same as before is left
        as it is (the browser need not lay it out or decode its image again)."""
        target, render = self._displays[handle]
        shown = self._safe(render)
        data = _data(shown)
        if data is not None and data == self._shown[handle]:
            return
        self._shown[handle] = data
        if isinstance(target, str):
            update_display(shown, display_id=target)
        else:
            target.outputs = ()
            target.append_display_data(shown)

    def set_lang(self, lang: Lang) -> None:
        self.lang = lang
        self.refresh()

    def _safe(self, render: Render) -> Any:
        try:
            return render(self.lang)
        except Exception as exc:  # a display must never become a traceback
            return message_html("error", explain(exc, self.lang))


PageT = TypeVar("PageT", bound=Page)
Params = ParamSpec("Params")
Built = TypeVar("Built")


def for_registered(
    build: Callable[Concatenate[PageT, Params], Built | None],
) -> Callable[Concatenate[PageT, Params], Built | None]:
    """A part of a page that only a registered trainee has (a form, a table of their data): on a page without a
    workbook, which says where to register, it shows nothing and returns None."""

    @functools.wraps(build)
    def part(page: PageT, /, *args: Params.args, **kwargs: Params.kwargs) -> Built | None:
        if not page.registered:
            return None
        return build(page, *args, **kwargs)

    return part


def _data(shown: Any) -> Any:
    """What a display object shows, to compare with what it showed (None: cannot tell, always re-drawn)."""
    data = getattr(shown, "data", None)
    return (type(shown), dict(vars(shown))) if isinstance(data, str | bytes) else None


def in_app() -> bool:
    """Whether the notebook runs in the no-code app (Voila), which tells its kernel so."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila/") or os.environ.get("KAM_APP") == "1"


def message_html(kind: str, text: str) -> HTML:
    """A message box; its kind is said with an icon and a word-free border, not colour alone."""
    return HTML(message_markup(kind, text))


_ICONS = {"ok": "✔", "error": "⚠", "info": "ℹ"}
_COLOURS = {"ok": "#009E73", "error": "#D55E00", "info": "#0072B2"}


def message_markup(kind: str, text: str) -> str:
    """HTML for a message; the text is escaped (trainees type names with any characters)."""
    body = "<br>".join(html.escape(line) for line in text.splitlines())
    return (
        f'<div class="kam-msg kam-{kind}" style="border-left:4px solid {_COLOURS[kind]};'
        f'padding:4px 8px;margin:4px 0">{_ICONS[kind]} {body}</div>'
    )


def _install_error_handler(page: Page) -> None:
    """In a notebook, show any uncaught error as a plain message in the trainee's language.

    The cell still ends in error, so papermill and nbval still see the failure.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is None:
        return

    def handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
        stb = [explain(value, page.lang)]
        shell._showtraceback(etype, value, stb)  # what showtraceback does, with our text
        return stb

    shell.set_custom_exc((Exception,), handler)
