"""kamlib really installed as a package (``pip install --no-deps --target``, not editable), run in a fresh process
outside the checkout: the course map finds the course through KAM_COURSE, and without it says what to set."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import json, kamlib
from kamlib.forms import start
from kamlib.forms.page import Page
page = Page(lang="en")
start.course_map(page)
print(json.dumps({"kamlib": kamlib.__file__, "map": page._displays[-1][1]("en").data}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kamlib installed from a copy of its sources (nothing is built inside the checkout)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "kamlib", src / "kamlib", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                           str(src)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:  # building needs the build back end from the package index
        pytest.skip(f"pip could not build kamlib here: {done.stderr.strip()[-300:]}")
    assert not (target / "pyproject.toml").exists() and (target / "kamlib" / "paths.py").is_file()
    return target


def _run(site: Path, cwd: Path, **env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KAM_", "JUPYTERHUB_"))}
    full = {**clean, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1", "KAM_HOME": str(cwd / "home"), **env}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=cwd, env=full, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(out["kamlib"]).is_relative_to(site)  # the installed copy, not this checkout's
    return out


def test_the_installed_package_finds_the_course_through_kam_course(site: Path, tmp_path: Path) -> None:
    course = tmp_path / "course"
    for name in ("notebooks", "exercises"):
        shutil.copytree(ROOT / name, course / name)
    shown = _run(site, tmp_path, KAM_COURSE=str(course))["map"]
    assert "coming soon" not in shown
    for notebook in ("01_key_account_screening.ipynb", "06_crisis_handling.ipynb"):
        assert f'href="{notebook}"' in shown
    assert 'href="../exercises/ex01_screening.ipynb"' in shown


def test_the_installed_package_without_kam_course_says_what_to_set(site: Path, tmp_path: Path) -> None:
    shown = _run(site, tmp_path)["map"]
    assert "The course was not found" in shown and "Set KAM_COURSE" in shown
    assert "coming soon" not in shown
