"""The trainee bundle: everything a trainee needs, and nothing of the instructor's.

Included: the notebooks, exercises, the kamlib package, the set-up files and the test suite. Left out:
``solutions/`` and ``instructor/`` (answer keys, solution notebooks, gradebook notebooks), caches, build
output and any trainee data. The Makefile's references to the folders left out are dropped. Before
anything is written, every file is scanned for answer-key content; a leak stops the release.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kamlib import __version__, paths
from kamlib.errors import KamError
from kamlib.i18n import Lang, t

INCLUDED = (
    "notebooks", "exercises", "kamlib", "tests", "benchmarks", ".ci",
    "Makefile", "pyproject.toml", "environment.yml", "README.md", "conftest.py", "course-settings.toml",
    ".gitignore",
)
LEFT_OUT = ("solutions", "instructor")  # instructor material: never in the bundle
# The exercise tests check each key against its case, so they spell out answers: instructor material too.
INSTRUCTOR_TESTS = "tests/test_ex[0-9][0-9]*.py"
SKIPPED_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache", "results", "node_modules"}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".tmp", ".bak", ".egg-info")
SKIPPED_NAMES = {".DS_Store", "Thumbs.db"}
GENERATED = {".venv", ".git", ".pytest_cache", ".ruff_cache", "dist", "build", "workbook", "submissions",
             "exports", "gradebook", "test-artifacts"}  # made by tools or by trainees, never shipped
MIN_SECRET = 12  # shorter key texts (e.g. an answer "D") would match anywhere; they are not scanned for
MIN_LIST = 3  # likewise list answers of one or two codes (two person codes are also a plain fact of a case)


class ReleaseError(KamError):
    """The bundle cannot be built as asked (nothing is written)."""


@dataclass(frozen=True)
class Leak:
    """Key material found in a bundle file: what was found (shortened) and where."""

    file: str
    what: str


@dataclass
class Bundle:
    """The files of the bundle in memory: relative POSIX path → bytes, and executable ones."""

    files: dict[str, bytes] = field(default_factory=dict)
    executable: set[str] = field(default_factory=set)

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())


def _skipped(rel: PurePosixPath) -> bool:
    parts = rel.parts
    if any(p in SKIPPED_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
        return True
    return (rel.name in SKIPPED_NAMES or rel.name.endswith(SKIPPED_SUFFIXES)
            or fnmatch.fnmatchcase(rel.as_posix(), INSTRUCTOR_TESTS))


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
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info"))
                for file in sorted(files):
                    path = Path(folder) / file
                    if not path.is_symlink() and not _skipped(PurePosixPath(path.relative_to(root).as_posix())):
                        _add(bundle, root, path)
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


# ---- key material ------------------------------------------------------------------------------------


def key_secrets(keys: Path | None = None) -> tuple[set[str], set[str]]:
    """Texts only a key holds (explanations, model answers, list answers of three or more codes as JSON) and
    the SHA-256 of every key file, from every ``*.toml`` in the keys folder."""
    from kamlib.grading import keys_dir

    folder = keys or keys_dir()
    texts: set[str] = set()
    digests: set[str] = set()
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        raw = path.read_bytes()
        digests.add(hashlib.sha256(raw).hexdigest())
        data = tomllib.loads(raw.decode("utf-8"))
        for item in data.get("items", []):
            for lang_text in (item.get("explanation") or {}).values():
                texts.add(lang_text)
            for lang_text in (item.get("example") or {}).values():
                texts.add(lang_text)
            if isinstance(item.get("answer"), list) and len(item["answer"]) >= MIN_LIST:
                texts.add(json.dumps(item["answer"]))
                texts.add(json.dumps(item["answer"], ensure_ascii=False))
    return {s for s in texts if len(s) >= MIN_SECRET}, digests


def scan(bundle: Bundle, keys: Path | None = None) -> list[Leak]:
    """Every place the bundle holds instructor material: a path under a folder left out, a copy of a
    key file, or a key's explanation, model answer or list answer."""
    texts, digests = key_secrets(keys)
    leaks = []
    for rel, data in sorted(bundle.files.items()):
        if PurePosixPath(rel).parts[0] in LEFT_OUT:
            leaks.append(Leak(rel, rel))
            continue
        if hashlib.sha256(data).hexdigest() in digests:
            leaks.append(Leak(rel, "key file"))
            continue
        text = data.decode("utf-8", errors="ignore")
        leaks += [Leak(rel, s[:40]) for s in sorted(texts) if s in text]
    return leaks


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

    def lines(self, lang: Lang) -> list[str]:
        return [t("release.written", lang, out=str(self.out), files=self.files, size=f"{self.size / 1e6:.1f}"),
                t("release.clean", lang)]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def build_release(out: str | Path | None = None, root: Path | None = None, keys: Path | None = None) -> ReleaseReport:
    """Build the trainee bundle into a folder (new or empty) or a ``.zip``; scanned before writing."""
    root = root or paths.project_root()
    out = Path(out) if out is not None else Path("dist") / f"kam-workbook-{__version__}.zip"
    if any(_inside(out, root / name) for name in (*INCLUDED, *LEFT_OUT)):
        raise ReleaseError("release.inside_project", out=str(out))
    bundle = collect(root)
    leaks = scan(bundle, keys)
    if leaks:
        details = [f"{leak.file}: {leak.what}" for leak in leaks[:20]]
        raise ReleaseError("release.leak", count=len(leaks), files="; ".join(details))
    missing = check_references(bundle, root)
    if missing:
        raise ReleaseError("release.missing_reference", names=", ".join(missing))
    if out.suffix.lower() == ".zip":
        _write_zip(bundle, out)
    else:
        _write_folder(bundle, out)
    return ReleaseReport(out, len(bundle.files), bundle.size)


def _write_zip(bundle: Bundle, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    prefix = out.stem
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for rel, data in sorted(bundle.files.items()):
                info = zipfile.ZipInfo(f"{prefix}/{rel}", date_time=(2020, 1, 1, 0, 0, 0))
                mode = 0o755 if rel in bundle.executable else 0o644
                info.external_attr = (stat.S_IFREG | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def _write_folder(bundle: Bundle, out: Path) -> None:
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
