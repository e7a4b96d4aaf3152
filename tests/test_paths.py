"""Where things live is configuration: the course folder, keys, exchange, submissions and the instructors' folder
come from the environment, else from the checkout kamlib runs from; an installed kamlib without a course says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kamlib import paths
from kamlib.errors import KamError
from kamlib.forms import start
from kamlib.forms.page import Page
from kamlib.grading import keys_dir
from kamlib.navigation import CHAPTER_NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """kamlib as a plain install sees it: its package folder has no project around it."""
    site = tmp_path / "site-packages"
    (site / "kamlib").mkdir(parents=True)
    monkeypatch.setattr(paths, "_PROJECT", site)
    return site


def _course_copy(folder: Path) -> Path:
    """A course folder as an instructor unpacks it: the notebooks and the exercises."""
    for name in ("notebooks", "exercises"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return folder


def _course_map(lang: str) -> str:
    page = Page(lang=lang)
    start.course_map(page)
    shown = page._displays[-1][1](lang)
    return shown.data


def test_the_checkout_is_the_course_by_default(home: Path) -> None:
    assert paths.checkout() == ROOT and paths.course_root() == ROOT and paths.project_root() == ROOT
    assert keys_dir() == ROOT / "solutions" / "keys"
    assert paths.gradebook_dir() == home / "gradebook"


def test_each_setting_names_its_folder(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = tmp_path / "course"
    course.mkdir()
    monkeypatch.setenv("KAM_COURSE", str(course))
    assert paths.course_root() == course
    assert keys_dir() == course / "solutions" / "keys"
    monkeypatch.setenv("KAM_INSTRUCTOR_DIR", str(tmp_path / "instructors"))
    assert keys_dir() == tmp_path / "instructors" / "keys"
    assert paths.gradebook_dir() == tmp_path / "instructors" / "gradebook"
    monkeypatch.setenv("KAM_KEYS", str(tmp_path / "keys"))
    assert keys_dir() == tmp_path / "keys"
    monkeypatch.setenv("KAM_EXCHANGE", str(tmp_path / "exchange"))
    assert paths.exchange_root() == tmp_path / "exchange"
    assert paths.submissions_dir() == tmp_path / "exchange" / "inbound"
    monkeypatch.setenv("KAM_SUBMISSIONS", str(tmp_path / "subs"))
    assert paths.submissions_dir() == tmp_path / "subs"
    monkeypatch.setenv("KAM_COURSE", str(tmp_path / "missing"))
    with pytest.raises(KamError) as err:
        paths.course_root()
    assert "not a folder" in err.value.message("en")


@pytest.mark.parametrize(("lang", "words"), [("en", "Set KAM_COURSE"), ("zh", "请把 KAM_COURSE 设为")])
def test_an_installed_kamlib_without_a_course_says_so(installed: Path, home: Path, lang: str, words: str) -> None:
    assert paths.checkout() is None
    with pytest.raises(KamError) as err:
        paths.course_root()
    assert words in err.value.message(lang)
    with pytest.raises(KamError):
        paths.project_root()
    assert paths.home() == home  # the trainee's data: KAM_HOME as ever
    shown = _course_map(lang)
    assert words in shown and "kam-error" in shown
    assert "coming soon" not in shown and "即将推出" not in shown


def test_an_installed_kamlib_finds_the_course_through_kam_course(installed: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    course = _course_copy(tmp_path / "course")
    monkeypatch.setenv("KAM_COURSE", str(course))
    exercises = start.chapter_exercises()
    assert set(CHAPTER_NOTEBOOKS) <= set(exercises)
    shown = _course_map("en")
    assert "coming soon" not in shown
    for notebook in CHAPTER_NOTEBOOKS.values():
        assert f'<a href="{notebook}" target="_self">' in shown
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("KAM_COURSE", str(empty))
    shown = _course_map("en")
    assert "holds no notebooks/ folder" in shown and "coming soon" not in shown


def test_the_app_and_lab_serve_the_course_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kamlib import app, cli

    served: list[Path] = []
    monkeypatch.setattr(app, "run_app", lambda root, port: served.append(root) or 0)
    monkeypatch.setattr(app, "run_lab", lambda root, port: served.append(root) or 0)
    course = _course_copy(tmp_path / "course")
    monkeypatch.setenv("KAM_COURSE", str(course))
    assert cli.main(["app"]) == 0 and cli.main(["lab"]) == 0
    assert served == [course, course]
