"""The trainee bundle: no solutions, no instructor material, no key content in any file; its Makefile and
CI script name only files it ships; its own tests pass (a representative, fast subset)."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kamlib import release
from kamlib.exercises import exercise_ids
from kamlib.grading import keys_dir, load_key
from kamlib.release import ReleaseError, build_release, bundle_makefile, check_references, collect, scan

pytestmark = pytest.mark.solutions
ROOT = Path(__file__).resolve().parents[1]
SUBSET = ["tests/test_store.py", "tests/test_grading.py", "tests/test_i18n.py"]


def _key_texts() -> set[str]:
    """Every explanation and model answer of every key, worked out here independently of kamlib.release."""
    texts = set()
    for exercise_id in exercise_ids():
        for item in load_key(exercise_id).items:
            texts |= set(item.explanation.values()) | set((item.example or {}).values())
            if isinstance(item.answer, list) and len(item.answer) >= 3:
                texts.add(json.dumps(item.answer))
    return texts


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "kam-workbook"
    report = build_release(out)
    assert report.files > 100 and "kam-workbook" in report.lines("en")[0]
    return out


def test_the_bundle_holds_what_a_trainee_needs_and_nothing_of_the_instructor(bundle: Path) -> None:
    files = _files(bundle)
    tops = {rel.split("/")[0] for rel in files}
    assert {"notebooks", "exercises", "kamlib", "tests", "benchmarks", ".ci", "Makefile", "pyproject.toml",
            "environment.yml", "README.md", "conftest.py", "course-settings.toml"} <= tops
    assert not tops & {"solutions", "instructor", ".git", ".venv", "workbook", "submissions", "gradebook"}
    assert not [rel for rel in files if "/solutions/" in f"/{rel}" or "/instructor/" in f"/{rel}"]
    assert not [rel for rel in files if "__pycache__" in rel or rel.endswith((".pyc", ".sqlite"))]
    assert "kamlib/exercises/ex01.check.json" in files and "kamlib/gradebook/__init__.py" in files
    assert not [rel for rel in files if re.fullmatch(r"tests/test_ex\d\d.*\.py", rel)]  # they spell out answers
    assert "tests/test_store.py" in files
    assert os.stat(bundle / ".ci" / "run").st_mode & stat.S_IXUSR


def test_no_key_material_in_any_file(bundle: Path) -> None:
    secrets = _key_texts()
    assert len(secrets) > 50
    key_files = {p.read_bytes() for p in keys_dir().glob("*.toml")}
    leaks = []
    for rel, data in _files(bundle).items():
        text = data.decode("utf-8", errors="ignore")
        leaks += [(rel, s[:30]) for s in secrets if s in text]
        if data in key_files:
            leaks.append((rel, "a key file"))
    assert leaks == []


def test_the_makefile_and_ci_name_only_files_the_bundle_ships(bundle: Path) -> None:
    makefile = (bundle / "Makefile").read_text(encoding="utf-8")
    assert "solutions" not in makefile and "instructor" not in makefile
    assert "pytest tests notebooks exercises --nbval-lax" in makefile
    for line in makefile.splitlines() + (bundle / ".ci" / "run").read_text(encoding="utf-8").splitlines():
        for word in line.replace("/", " ").split():
            if (ROOT / word).exists() and word not in release.GENERATED:
                assert (bundle / word).exists(), f"{word} is named but not shipped"
    assert check_references(collect(), ROOT) == []


def test_the_bundles_own_tests_pass(bundle: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(bundle), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("KAM_HOME", None)
    where = subprocess.run([sys.executable, "-c", "import kamlib; print(kamlib.__file__)"], cwd=bundle, env=env,
                           capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(bundle)  # the bundle's kamlib, not this checkout's
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *SUBSET],
                          cwd=bundle, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "passed" in done.stdout and "skipped" in done.stdout  # the instructor-only tests skip themselves


def test_a_zip_bundle(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "kam-workbook.zip"
    build_release(out)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert all(n.startswith("kam-workbook/") for n in names)
        assert not [n for n in names if "/solutions/" in n or "/instructor/" in n]
        run = zf.getinfo("kam-workbook/.ci/run")
        assert stat.S_IMODE(run.external_attr >> 16) & stat.S_IXUSR
        assert b"solutions" not in zf.read("kam-workbook/Makefile")
    assert not list(out.parent.glob("*.tmp"))


def test_a_leak_stops_the_release_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "kamlib").mkdir(parents=True)
    (root / "solutions" / "keys").mkdir(parents=True)
    (root / "Makefile").write_text("test:\n\tpytest tests solutions\n", encoding="utf-8")
    key = (keys_dir() / "ex00.toml").read_text(encoding="utf-8")
    (root / "solutions" / "keys" / "ex00.toml").write_text(key, encoding="utf-8")
    explanation = load_key("ex00").items[1].explanation["en"]
    (root / "kamlib" / "hints.py").write_text(f"HINT = {explanation!r}\n", encoding="utf-8")
    (root / "kamlib" / "copy.toml").write_text(key, encoding="utf-8")
    leaks = scan(collect(root), root / "solutions" / "keys")
    assert {(leak.file, leak.what.key) for leak in leaks} >= {("kamlib/copy.toml", "release.found.key_file")}
    assert any(leak.file == "kamlib/hints.py" for leak in leaks)
    out = tmp_path / "out"
    with pytest.raises(ReleaseError) as err:
        build_release(out, root=root, keys=root / "solutions" / "keys")
    assert "kamlib/hints.py" in err.value.message("en") and "讲师材料" in err.value.message("zh")
    assert not out.exists()


def test_refuses_an_occupied_folder_and_a_place_inside_the_bundle(tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x", encoding="utf-8")
    with pytest.raises(ReleaseError) as err:
        build_release(busy)
    assert "not an empty folder" in err.value.message("en")
    with pytest.raises(ReleaseError) as err:
        build_release(ROOT / "kamlib" / "bundle.zip")
    assert "inside a folder that goes into the bundle" in err.value.message("en")


def test_makefile_references_to_folders_left_out_are_dropped() -> None:
    text = "test:\n\tpytest tests notebooks solutions instructor/x.ipynb --nbval\n\t# see solutions/keys\n"
    out = bundle_makefile(text, {"solutions", "instructor"})
    assert out == "test:\n\tpytest tests notebooks --nbval\n\t# see\n"
    assert bundle_makefile("my_solutions_dir solutions.txt", {"solutions"}) == "my_solutions_dir solutions.txt"
