"""Test set-up shared by tests/ and the nbval runs of notebooks/, exercises/ and solutions/.

Every run gets a throw-away KAM_HOME holding one registered trainee, so no test ever reads or
writes a real trainee's workbook, and notebooks run under nbval see a registered trainee.
"""

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
BROWSER_TESTS = ROOT / "tests" / "browser"

_HOME = Path(tempfile.mkdtemp(prefix="kam-test-home-"))
for name in ("KAM_LANG", "KAM_WORKBOOK", "KAM_SETTINGS", "JUPYTERHUB_USER"):
    os.environ.pop(name, None)
os.environ["KAM_HOME"] = str(_HOME)
os.environ["MPLBACKEND"] = "Agg"


def pytest_configure(config):
    from kamlib import paths
    from kamlib.model import Trainee, create_workbook

    create_workbook(Trainee(id="nbval", name="Test Trainee", team="QA"), paths.workbook_path("nbval"))
    paths.remember("nbval")


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by these markers
def pytest_collection_modifyitems(config, items):
    """Markers by kind: nbval's notebook cells ``notebook``, tests that start Chromium (tests/browser, and any test
    using the ``chromium`` fixture) ``browser``. The trainee bundle has no solutions/: tests marked ``solutions``
    are skipped there."""
    for item in items:
        if type(item).__module__.startswith("nbval"):
            item.add_marker(pytest.mark.notebook)
        if "chromium" in getattr(item, "fixturenames", ()) or BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
    if (ROOT / "solutions" / "keys").is_dir():
        return
    skip = pytest.mark.skip(reason="instructor material (solutions/) is not in this bundle")
    for item in items:
        if "solutions" in item.keywords:
            item.add_marker(skip)
