"""The trainee bundle: everything a trainee needs, and nothing of the instructor's or of any trainee.

Included: the notebooks, exercises, the kamlib package, the set-up files and the test suite. Left out:
``solutions/`` and ``instructor/`` (answer keys, solution notebooks, gradebook notebooks), the tests that are
instructor material (marked ``solutions`` for the whole module, or the exercise tests), caches, build output,
trainee data at any depth (workbooks, submissions, exports, gradebooks, ``.last-trainee``, backups, locks, the
store's temp files), and the self-check data of every graded exercise (``self_check = false`` in the course
settings the bundle is built for). Notebooks ship without outputs, execution counts or widget state. The
Makefile's references to the folders left out are dropped. Before anything is written, every file is scanned
(``kamlib.release_scan``); a find stops the release.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kamlib import __version__, paths
from kamlib.atomic import atomic_writer
from kamlib.errors import KamError
from kamlib.i18n import Lang, Text, t
from kamlib.release_scan import (
    LEFT_OUT,
    SOURCE_DIRS,
    TRAINEE_DATA_DIRS,
    Leak,
    check_data_file,
    folders,
    is_trainee_data,
    key_secrets,
    notebook_run_state,
    scan,
)
from kamlib.settings import SETTINGS_FILE, CourseSettings, load_settings

__all__ = ["LEFT_OUT", "Bundle", "Leak", "ReleaseError", "ReleaseReport", "build_release", "bundle_makefile",
           "check_references", "collect", "graded_exercises", "key_secrets", "scan", "strip_notebook"]

INCLUDED = (
    "notebooks", "exercises", "kamlib", "tests", "benchmarks", ".ci",
    "Makefile", "pyproject.toml", "environment.yml", "README.md", "conftest.py", "course-settings.toml",
    ".gitignore",
)
# The exercise tests check each key against its case, so they spell out answers: instructor material too.
INSTRUCTOR_TESTS = "tests/test_ex[0-9][0-9]*.py"
SKIPPED_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache", ".mypy_cache", "results",
                "node_modules", *TRAINEE_DATA_DIRS}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".tmp", ".bak", ".egg-info")
SKIPPED_NAMES = {".DS_Store", "Thumbs.db"}
GENERATED = {".venv", ".git", ".pytest_cache", ".ruff_cache", ".mypy_cache", "dist", "build", "workbook",
             "submissions", "exports", "gradebook", "test-artifacts"}  # made by tools or by trainees, never shipped
_EXERCISE_FILE = re.compile(r"kamlib/exercises/(ex\d\d)\.toml")
CHECK_SUFFIX = ".check.json"  # self-check data


class ReleaseError(KamError):
    """The bundle cannot be built as asked (nothing is written)."""


@dataclass
class Bundle:
    """The files of the bundle in memory: relative POSIX path → bytes, and executable ones."""

    files: dict[str, bytes] = field(default_factory=dict)
    executable: set[str] = field(default_factory=set)

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())

    def exercises(self) -> list[str]:
        """The exercises the bundle ships, in course order."""
        return sorted(m.group(1) for rel in self.files if (m := _EXERCISE_FILE.fullmatch(rel)))


def _skipped_folder(rel: Path) -> bool:
    """A folder not walked: a cache, or a tool's or a trainee's data (not a source package of that name)."""
    return rel.as_posix() not in SOURCE_DIRS and (rel.name in SKIPPED_DIRS or rel.name.endswith(".egg-info"))


def _skipped(rel: PurePosixPath) -> bool:
    if any(p in SKIPPED_DIRS or p.endswith(".egg-info") for p in folders(rel)):
        return True
    return (rel.name in SKIPPED_NAMES or rel.name.endswith(SKIPPED_SUFFIXES) or is_trainee_data(rel)
            or fnmatch.fnmatchcase(rel.as_posix(), INSTRUCTOR_TESTS))


def instructor_test(rel: str, data: bytes) -> bool:
    """Whether a test module is instructor material as a whole: its ``pytestmark`` names the ``solutions``
    mark (it needs the keys or spells out answers), or it is an exercise test."""
    if not (rel.startswith("tests/") and rel.endswith(".py")):
        return False
    if fnmatch.fnmatchcase(rel, INSTRUCTOR_TESTS):
        return True
    try:
        module = ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    for node in module.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        named = any(isinstance(target, ast.Name) and target.id == "pytestmark" for target in targets)
        if named and re.search(r"\bmark\.solutions\b", ast.unparse(value)):
            return True
    return False


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def strip_notebook(rel: str, data: bytes) -> bytes:
    """The notebook without what a run leaves in it: outputs, execution counts, widget state, run timings and
    papermill's parameters. A notebook that holds none comes back unchanged, byte for byte."""
    if not notebook_run_state(data) and _is_json(data):
        return data
    import nbformat  # slow to import: only for a notebook that has been run

    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=nbformat.NO_CONVERT)
    except (ValueError, UnicodeDecodeError, AttributeError, KeyError) as exc:
        raise ReleaseError("release.bad_notebook", file=rel, detail=str(exc)[:200]) from exc
    changed = False
    for name in ("widgets", "papermill"):
        changed |= nb.metadata.pop(name, None) is not None
    for cell in nb.cells:
        for name in ("execution", "papermill"):
            changed |= cell.metadata.pop(name, None) is not None
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            cell.outputs, changed = [], True
        if cell.get("execution_count") is not None:
            cell.execution_count, changed = None, True
    return (nbformat.writes(nb) + "\n").encode("utf-8") if changed else data


def collect(root: Path | None = None) -> Bundle:
    """Read the files of the bundle from the project at ``root`` (no links followed)."""
    root = root or paths.project_root()
    bundle = Bundle()
    for name in INCLUDED:
        top = root / name
        if top.is_file() and not top.is_symlink():
            _add(bundle, root, top)
        elif top.is_dir():
            for folder, dirs, files in os.walk(top, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not _skipped_folder(Path(folder, d).relative_to(root)))
                for file in sorted(files):
                    path = Path(folder) / file
                    if not path.is_symlink() and not _skipped(PurePosixPath(path.relative_to(root).as_posix())):
                        _add(bundle, root, path)
    for rel, data in list(bundle.files.items()):
        if instructor_test(rel, data):
            del bundle.files[rel]
            bundle.executable.discard(rel)
        elif rel.endswith(".ipynb"):
            bundle.files[rel] = strip_notebook(rel, data)
    if "Makefile" in bundle.files:
        makefile = bundle.files["Makefile"].decode("utf-8")
        bundle.files["Makefile"] = bundle_makefile(makefile, set(LEFT_OUT)).encode("utf-8")
    return bundle


def _add(bundle: Bundle, root: Path, path: Path) -> None:
    rel = path.relative_to(root).as_posix()
    bundle.files[rel] = path.read_bytes()
    if path.stat().st_mode & stat.S_IXUSR:
        bundle.executable.add(rel)


_PATH_WORD = r"(?<![\w./-]){name}(?:/[\w./*-]*)?(?![\w/.-])"


def bundle_makefile(text: str, absent: set[str]) -> str:
    """The Makefile without its references to folders left out (e.g. ``pytest tests notebooks solutions``)."""
    for name in sorted(absent):
        text = re.sub(r"[ \t]*" + _PATH_WORD.format(name=re.escape(name)), "", text)
    return text


def referenced_names(text: str, names: set[str]) -> set[str]:
    """Which of ``names`` (top-level files and folders) a Makefile or script refers to."""
    return {n for n in names if re.search(_PATH_WORD.format(name=re.escape(n)), text)}


# ---- graded exercises -------------------------------------------------------------------------------


def graded_exercises(bundle: Bundle, settings: CourseSettings) -> list[str]:
    """The bundle's exercises that the settings grade (self-check off): their self-check data must not ship."""
    return [e for e in bundle.exercises() if not settings.exercise(e).self_check]


def _settings_for(bundle: Bundle, root: Path, settings: str | Path | None) -> CourseSettings:
    """The course settings the bundle is for: the file named (which then ships as the bundle's
    ``course-settings.toml``), else the bundle's own."""
    if settings is None:
        return load_settings(root / SETTINGS_FILE)
    path = Path(settings)
    if not path.is_file():
        raise ReleaseError("release.no_settings", file=str(path))
    course = load_settings(path)
    bundle.files[SETTINGS_FILE] = path.read_bytes()
    return course


def check_references(bundle: Bundle, root: Path | None = None) -> list[str]:
    """Top-level files and folders that the bundle's Makefile or .ci scripts name but do not ship."""
    root = root or paths.project_root()
    names = ({p.name for p in root.iterdir() if not p.name.endswith(".egg-info")} | set(LEFT_OUT)) - GENERATED
    present = {PurePosixPath(rel).parts[0] for rel in bundle.files}
    missing = set()
    for rel, data in bundle.files.items():
        if rel == "Makefile" or rel.startswith(".ci/"):
            missing |= referenced_names(data.decode("utf-8", errors="ignore"), names) - present
    return sorted(missing)


# ---- writing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseReport:
    out: Path
    files: int
    size: int
    graded: tuple[str, ...] = ()  # self-check data left out
    practice: tuple[str, ...] = ()  # self-check data shipped: practice, not a secret
    hub: bool = False  # a classroom hub's bundle: no self-check data at all (the check service holds the keys)

    def lines(self, lang: Lang) -> list[str]:
        lines = [t("release.written", lang, out=str(self.out), files=self.files, size=f"{self.size / 1e6:.1f}"),
                 t("release.clean", lang)]
        if self.hub:
            lines.append(t("exchange.hub_bundle", lang))
        elif self.graded:
            lines.append(t("release.graded", lang, exercises=", ".join(self.graded)))
        if self.practice:
            lines.append(t("release.practice", lang, exercises=", ".join(self.practice)))
        return lines


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def build_release(out: str | Path | None = None, root: Path | None = None, keys: Path | None = None,
                  settings: str | Path | None = None, hub: bool = False) -> ReleaseReport:
    """Build the trainee bundle into a folder (new or empty) or a ``.zip``; scanned before writing.

    ``settings``: the course settings file the bundle is for (it ships as the bundle's ``course-settings.toml``);
    by default the project's own. Exercises it grades (self-check off) ship without their self-check data.
    ``hub``: the bundle trainees' servers run on a classroom hub, whose self-check goes through the check service
    (which holds the keys): no exercise ships self-check data at all.
    """
    root = root or paths.project_root()
    out = Path(out) if out is not None else Path("dist") / f"kam-workbook-{__version__}.zip"
    if any(_inside(out, root / name) for name in (*INCLUDED, *LEFT_OUT)):
        raise ReleaseError("release.inside_project", out=str(out))
    bundle = collect(root)
    graded = graded_exercises(bundle, _settings_for(bundle, root, settings))
    if hub:
        graded = bundle.exercises()
        for rel in [rel for rel in bundle.files if rel.endswith(CHECK_SUFFIX)]:
            del bundle.files[rel]  # any self-check data, wherever a copy lies
    for exercise_id in graded:
        bundle.files.pop(check_data_file(exercise_id), None)
    leaks = scan(bundle, keys, frozenset(graded))
    if leaks:
        raise ReleaseError("release.leak", count=len({leak.file for leak in leaks}),
                           details=[Text("release.finding", {"file": leak.file, "what": leak.what})
                                    for leak in leaks[:30]])
    missing = check_references(bundle, root)
    if missing:
        raise ReleaseError("release.missing_reference", names=", ".join(missing))
    if out.suffix.lower() == ".zip":
        _write_zip(bundle, out)
    else:
        _write_folder(bundle, out)
    practice = tuple(e for e in bundle.exercises() if check_data_file(e) in bundle.files)
    return ReleaseReport(out, len(bundle.files), bundle.size, tuple(graded), practice, hub)


def _write_zip(bundle: Bundle, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    prefix = out.stem
    with atomic_writer(out) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in sorted(bundle.files.items()):
            info = zipfile.ZipInfo(f"{prefix}/{rel}", date_time=(2020, 1, 1, 0, 0, 0))
            mode = 0o755 if rel in bundle.executable else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


def _write_folder(bundle: Bundle, out: Path) -> None:
    # A folder, not a file: staged whole beside the target and moved into place (kamlib.atomic replaces files).
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError("release.not_empty", out=str(out))
    staging = Path(tempfile.mkdtemp(dir=out.parent if out.parent.exists() else None, prefix=".kam-release-"))
    staging.chmod(0o755)
    try:
        for rel, data in bundle.files.items():
            target = staging / rel
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            target.write_bytes(data)
            target.chmod(0o755 if rel in bundle.executable else 0o644)
        if out.exists():
            out.rmdir()
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(out))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
