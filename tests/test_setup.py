"""Set-up promises: environment.yml agrees with pyproject.toml; imports stay light."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _split(spec: str) -> tuple[str, str]:
    name, version = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*(#.*)?$", spec).groups()[:2]
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = dict(_split(s) for s in project["dependencies"] + project["optional-dependencies"]["test"])
    listed: dict[str, str] = {}
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^\s+-\s+(?!pip:)(.+)$", line)
        if m and not m.group(1).startswith("-e"):
            name, version = _split(m.group(1))
            listed[name.replace("==", "")] = version
    listed.pop("python"), listed.pop("pip")
    assert listed == wanted


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_import_kamlib_loads_no_heavy_library() -> None:
    code = (
        "import sys, kamlib, kamlib.model, kamlib.grading, kamlib.settings, kamlib.screening;"
        "heavy = {'matplotlib', 'ipywidgets', 'pandas', 'networkx', 'IPython'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    bare = subprocess.run(
        [sys.executable, "-c", "import sys, kamlib; print('pydantic' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )
    assert bare.stdout.strip() == "False"


def test_widget_front_ends_and_kernel_side_are_installed_as_pinned() -> None:
    """JupyterLab's and the app's widget front ends must match ipywidgets: the pins are the contract."""
    from importlib.metadata import version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = dict(_split(s) for s in project["dependencies"])
    for name in ("ipywidgets", "jupyterlab-widgets", "widgetsnbextension", "voila"):
        assert pins[name].startswith("=="), f"{name} must be pinned"
        assert version(name) == pins[name][2:]
