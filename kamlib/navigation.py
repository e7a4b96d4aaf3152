"""The course's pages in order and the links between them: the course map on the start page and the navigation
bar of every chapter and exercise page. Links are relative to the page's own folder, so that they work the same in
the app (``/voila/render/notebooks/…``) and in JupyterLab (which resolves them against the notebook's folder)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from kamlib import paths
from kamlib.chapters import CHAPTERS

START_PAGE = "00_start_here.ipynb"  # in notebooks/
# Chapter → its notebook in notebooks/, in the course's order (shown as a link once the notebook exists).
CHAPTER_NOTEBOOKS: dict[str, str] = {c.key: c.notebook for c in CHAPTERS}
EXERCISE_NOTEBOOKS = {"ex00": "ex00_warmup.ipynb"}
Folder = Literal["notebooks", "exercises"]
LinkKind = Literal["map", "exercise", "chapter", "next"]


@dataclass(frozen=True)
class NavLink:
    """One link of a page's navigation bar: what it leads to (``target``: a chapter key, an exercise id, or
    "start") and its address relative to the page's folder."""

    kind: LinkKind
    target: str
    href: str


def href(here: Folder, there: Folder, notebook: str) -> str:
    """The relative address of ``there/notebook`` from a page in ``here``."""
    return notebook if here == there else f"../{there}/{notebook}"


def chapter_exercises() -> dict[str, list[tuple[str, str]]]:
    """Chapter → its exercises (id, notebook file in exercises/), from the exercise specs."""
    from kamlib.exercises import exercise_ids, load_exercise

    folder = paths.course_root() / "exercises"
    out: dict[str, list[tuple[str, str]]] = {}
    for ex in exercise_ids():
        notebook = next(iter(sorted(folder.glob(f"{ex}_*.ipynb"))), None)
        if notebook is not None:
            out.setdefault(load_exercise(ex).chapter, []).append((ex, notebook.name))
    return out


def page_links(here: str, exercises: Mapping[str, list[tuple[str, str]]],
               chapters: Collection[str] = tuple(CHAPTER_NOTEBOOKS)) -> list[NavLink]:
    """The navigation bar of a chapter page (``here`` a chapter key, e.g. "ch1") or an exercise page (an exercise
    id, e.g. "ex01"): the course map; the chapter's exercises, or the exercise's chapter; the next chapter.

    ``exercises`` as ``chapter_exercises`` gives it; ``chapters`` the chapters whose notebook exists."""
    order = [c for c in CHAPTER_NOTEBOOKS if c in chapters]
    if here in CHAPTER_NOTEBOOKS:
        folder: Folder = "notebooks"
        chapter = here
        middle = [NavLink("exercise", ex, href(folder, "exercises", name)) for ex, name in exercises.get(here, [])]
    else:
        folder = "exercises"
        chapter = next((c for c, items in exercises.items() if any(ex == here for ex, _ in items)), "")
        middle = ([NavLink("chapter", chapter, href(folder, "notebooks", CHAPTER_NOTEBOOKS[chapter]))]
                  if chapter in order else [])
    links = [NavLink("map", "start", href(folder, "notebooks", START_PAGE)), *middle]
    # the next chapter: after this one, or the first one for an exercise before every chapter (the warm-up)
    later = order[order.index(chapter) + 1:] if chapter in order else order
    if later:
        links.append(NavLink("next", later[0], href(folder, "notebooks", CHAPTER_NOTEBOOKS[later[0]])))
    return links


def course_links(here: str) -> list[NavLink]:
    """``page_links`` for the course on this machine (the exercises and chapters whose notebooks exist)."""
    root = paths.course_root()
    present = [c for c, notebook in CHAPTER_NOTEBOOKS.items() if (root / "notebooks" / notebook).is_file()]
    return page_links(here, chapter_exercises(), present)
