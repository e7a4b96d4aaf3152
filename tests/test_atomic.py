"""One writer for files (kamlib.atomic), one for XLSX and CSV (kamlib.tables): no module keeps a copy of its own."""

from __future__ import annotations

import ast
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import kamlib
from kamlib.atomic import OPEN_MODE, create_new, write_atomic

PACKAGE = Path(kamlib.__file__).parent

#: Calls that make a writer of their own: a temporary file renamed over the target, or flushed to disk.
WRITER_CALLS = {("os", "replace"), ("os", "rename"), ("os", "renames"), ("os", "fsync"), ("os", "fdatasync"),
                ("os", "link"), ("tempfile", "mkstemp"), ("tempfile", "NamedTemporaryFile"), ("shutil", "move")}
#: Encodings only ``kamlib.tables.csv_in`` reads (everything else reads CSV through it).
CODECS = ("gbk", "gb18030", "gb2312", "big5", "cp936", "cp950", "utf16", "utf16le", "utf16be")
#: Where such a call has a reason of its own, and the reason.
ALLOWED = {
    ("atomic.py", "*"): "the one writer",
    ("release.py", "shutil.move"): "a release folder is staged whole beside the target and moved into place",
}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _calls(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every ``module.function(...)`` call of ``WRITER_CALLS``, and every ``x.replace(y)`` / ``x.rename(y)`` with
    one argument (``Path.replace``; ``str.replace`` takes two, ``datetime.replace`` keywords)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        func = node.func
        if isinstance(func.value, ast.Name) and (func.value.id, func.attr) in WRITER_CALLS:
            yield node.lineno, f"{func.value.id}.{func.attr}"
        elif (func.attr in ("replace", "rename") and len(node.args) == 1 and not node.keywords
              and not isinstance(node.args[0], ast.Constant)):
            yield node.lineno, f"Path.{func.attr}"


def test_no_module_writes_through_a_temporary_file_of_its_own() -> None:
    found = [f"{name}:{line} {call}" for name, tree in _modules() for line, call in _calls(tree)
             if (name, "*") not in ALLOWED and (name, call) not in ALLOWED]
    assert found == []  # before: release.py (mkstemp, Path.replace), exchange.py (fsync, os.replace), feedback.py


def test_only_kamlib_tables_writes_xlsx_and_csv_and_names_the_encodings_read() -> None:
    found = []
    for name, tree in _modules():
        if name.startswith("tables/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                found += [f"{name}: imports {m}" for m in modules if m.split(".")[0] == "xlsxwriter"]
            elif isinstance(node, ast.Attribute) and node.attr in ("to_excel", "to_csv", "ExcelWriter", "writer"):
                if node.attr != "writer" or (isinstance(node.value, ast.Name) and node.value.id == "csv"):
                    found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
            elif isinstance(node, ast.Call):
                given = [*node.args, *(k.value for k in node.keywords if k.arg in ("encoding", "errors"))]
                found += [f"{name}:{node.lineno} decodes {v.value}" for v in given
                          if isinstance(v, ast.Constant) and str(v.value).lower().replace("-", "") in CODECS]
    assert found == []


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name == "nt", reason="Unix permissions")
def test_a_new_file_is_private_or_as_open_makes_it_and_an_old_one_keeps_its_mode(tmp_path: Path) -> None:
    with _umask(0o022):
        write_atomic(tmp_path / "private.json", b"{}")
        write_atomic(tmp_path / "page.html", b"<p>", new_mode=OPEN_MODE)  # as a plain open() would
        with open(tmp_path / "plain.html", "wb") as fh:
            fh.write(b"<p>")
        kept = tmp_path / "kept.csv"
        kept.write_bytes(b"old")
        kept.chmod(0o640)
        write_atomic(kept, b"new", new_mode=OPEN_MODE)
        write_atomic(tmp_path / "exact.html", b"<p>", mode=0o604)
    assert _mode(tmp_path / "private.json") == 0o600
    assert _mode(tmp_path / "page.html") == _mode(tmp_path / "plain.html") == 0o644
    assert _mode(kept) == 0o640 and kept.read_bytes() == b"new"
    assert _mode(tmp_path / "exact.html") == 0o604
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.skipif(os.name == "nt", reason="Unix permissions and links")
def test_create_new_takes_a_free_name_only_with_exactly_its_mode(tmp_path: Path) -> None:
    with _umask(0o077):
        made = create_new(tmp_path / "ex00.json", b"{}", 0o640)
    assert _mode(made) == 0o640 and made.read_bytes() == b"{}"
    with pytest.raises(FileExistsError):
        create_new(made, b"again", 0o640)
    victim = tmp_path / "victim"
    victim.write_bytes(b"private")
    (tmp_path / "planted.json").symlink_to(victim)
    with pytest.raises(FileExistsError):
        create_new(tmp_path / "planted.json", b"x", 0o640)
    assert made.read_bytes() == b"{}" and victim.read_bytes() == b"private"
