"""Nothing a trainee is given gives the answers away, and nothing of a trainee's goes out with the bundle.

The attack: a trainee's kernel reads every file of the bundle; self-check digests are SHA-256 over tiny answer
spaces, so a brute force over every choice, every pick of up to six codes and every number up to 100,000 (and
every hundredth up to 1,000) recovers each answer whose digest it finds, wherever the digest lies. A bundle built
for graded exercises (self-check off) must leave it nothing to find. Instructor material: left out of the bundle.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from functools import cache
from itertools import combinations
from pathlib import Path

import pytest

from kamlib.cli import main as kam
from kamlib.exercises import EXERCISES_DIR, Item, exercise_ids, load_exercise
from kamlib.grading import _canonical, build_check_data, keys_dir, load_key
from kamlib.release import INCLUDED, Bundle, ReleaseError, build_release, collect, scan, strip_notebook
from kamlib.release_scan import find_in_text, is_figure, key_secrets, significant_digits

pytestmark = pytest.mark.solutions
ROOT = Path(__file__).resolve().parents[1]
HEX = re.compile(rb"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
MAX_PICKS = 6


# ---- the brute force ------------------------------------------------------------------------------------


@cache
def _numbers() -> tuple[str, ...]:
    """Every whole number up to 100,000 and every hundredth up to 1,000, as self-check writes a number."""
    return tuple(sorted({f"{i:.6g}" for i in range(100_001)} | {f"{k / 100:.6g}" for k in range(100_001)}))


def _candidates(item: Item) -> Iterator[str]:
    if item.kind == "choice":
        yield from item.choices
    elif item.kind == "multi":
        codes = sorted(item.choices)
        for size in range(1, min(len(codes), MAX_PICKS) + 1):
            yield from (",".join(pick) for pick in combinations(codes, size))
    elif item.kind == "number":
        yield from _numbers()


def digests_in(folder: Path) -> set[str]:
    """Every SHA-256 hex digest written anywhere under ``folder``: where a trainee would look."""
    found: set[str] = set()
    for path in folder.rglob("*"):
        if path.is_file():
            found |= {m.decode() for m in HEX.findall(path.read_bytes())}
    return found


def recover_answers(folder: Path) -> dict[tuple[str, str], str]:
    """The answers a brute force recovers from the digests under ``folder``: (exercise, item) → answer."""
    found = digests_in(folder)
    recovered: dict[tuple[str, str], str] = {}
    if not found:
        return recovered
    for exercise_id in exercise_ids():
        for item in load_exercise(exercise_id).items:
            prefix = hashlib.sha256(f"{exercise_id}:{item.id}:".encode())
            for candidate in _candidates(item):
                digest = prefix.copy()
                digest.update(candidate.encode())
                if digest.hexdigest() in found:
                    recovered[(exercise_id, item.id)] = candidate
                    break
    return recovered


def _auto_graded() -> dict[tuple[str, str], str]:
    """The keyed answer of every item that self-check judges by digest."""
    out = {}
    for exercise_id in exercise_ids():
        key, exercise = load_key(exercise_id), load_exercise(exercise_id)
        for rule_id, rule in build_check_data(key)["items"].items():  # type: ignore[union-attr]
            if rule["check"] == "digest":
                answer = next(k.answer for k in key.items if k.id == rule_id)
                out[(exercise_id, rule_id)] = _canonical(exercise.item(rule_id), answer)
    return out


def test_practice_check_data_gives_every_auto_graded_answer_away() -> None:
    """Self-check is practice, not a secret: from the package's own check files every answer comes back."""
    keyed = _auto_graded()
    assert len(keyed) > 100
    assert recover_answers(EXERCISES_DIR) == keyed


def _graded_settings(path: Path, exercises: list[str]) -> Path:
    path.write_text("".join(f"[exercises.{e}]\nself_check = false\n" for e in exercises), encoding="utf-8")
    return path


def test_a_bundle_for_a_graded_class_holds_nothing_to_brute_force(tmp_path: Path) -> None:
    settings = _graded_settings(tmp_path / "graded.toml", exercise_ids())
    out = tmp_path / "bundle"
    report = build_release(out, settings=settings)
    assert report.graded == tuple(exercise_ids()) and report.practice == ()
    assert not list(out.rglob("*.check.json"))
    assert (out / "course-settings.toml").read_bytes() == settings.read_bytes()  # the pages say self-check is off
    assert recover_answers(out) == {}
    digests = {d for e in exercise_ids() for d in key_secrets().check_digests[e]}
    assert not digests & digests_in(out)
    assert "graded" in "\n".join(report.lines("en")).lower()


def test_only_the_graded_exercises_lose_their_check_data(tmp_path: Path) -> None:
    settings = _graded_settings(tmp_path / "graded.toml", ["ex01", "ex04"])
    out = tmp_path / "bundle.zip"
    report = build_release(out, settings=settings)
    assert report.graded == ("ex01", "ex04") and "ex00" in report.practice
    with zipfile.ZipFile(out) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
    assert "kamlib/exercises/ex01.check.json" not in names and "kamlib/exercises/ex04.check.json" not in names
    assert "kamlib/exercises/ex00.check.json" in names and "kamlib/exercises/ex01.toml" in names
    practice = "\n".join(report.lines("en"))
    assert "practice, not a secret" in practice and "练习，不是秘密" in "\n".join(report.lines("zh"))


def test_the_graded_check_data_is_found_wherever_it_lies() -> None:
    bundle = Bundle({"kamlib/exercises/ex01.check.json": (EXERCISES_DIR / "ex01.check.json").read_bytes(),
                     "kamlib/data/extra.json": (EXERCISES_DIR / "ex02.check.json").read_bytes(),
                     "kamlib/exercises/ex03.check.json": (EXERCISES_DIR / "ex03.check.json").read_bytes()})
    found = {(leak.file, leak.what.key) for leak in scan(bundle, graded=frozenset({"ex01", "ex02"}))}
    assert found == {("kamlib/exercises/ex01.check.json", "release.found.check_data"),
                     ("kamlib/data/extra.json", "release.found.check_digest")}  # ex03 is practice


def test_kam_release_reads_the_settings_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = _graded_settings(tmp_path / "graded.toml", ["ex02"])
    out = tmp_path / "bundle.zip"
    assert kam(["--lang", "en", "release", "--out", str(out), "--settings", str(settings)]) == 0
    assert "ex02" in capsys.readouterr().out
    missing = str(tmp_path / "no.toml")
    assert kam(["--lang", "zh", "release", "--out", str(tmp_path / "b.zip"), "--settings", missing]) == 2
    assert "no.toml" in capsys.readouterr().err
    with pytest.raises(ReleaseError) as err:
        build_release(tmp_path / "c.zip", settings=tmp_path / "no.toml")
    assert "does not exist" in err.value.message("en") and "不存在" in err.value.message("zh")


# ---- a used checkout ------------------------------------------------------------------------------------


def _used_copy(root: Path) -> Path:
    """The project as a trainee's machine leaves it: workbooks, exports, submissions, notebooks run."""
    for name in INCLUDED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.is_file():
            shutil.copy2(source, root / name)
    shutil.copytree(keys_dir(), root / "solutions" / "keys")
    data = {
        "notebooks/workbook/li.wei.json": '{"trainee": {"id": "li.wei", "name": "Li Wei"}}',
        "notebooks/workbook/li.wei.bak.json": "{}",
        "notebooks/workbook/.li.wei.json.lock": "",
        "notebooks/workbook/.last-trainee": "li.wei",
        "notebooks/.last-trainee": "li.wei",
        "notebooks/.li.wei.json.k3j2h1.tmp": "{}",
        "notebooks/exports/li.wei-plan.html": "<html>Li Wei's account plan</html>",
        "notebooks/.ipynb_checkpoints/00_start_here-checkpoint.ipynb": "{}",
        "exercises/submissions/li.wei/ex00-20260302T010000000000Z.json": '{"answers": {"q1": "ch2"}}',
        "kamlib/exercises/gradebook/gradebook.json": "{}",
        "benchmarks/dist/kam-workbook.zip": "zip",
        "tests/test-artifacts/shot.png": "png",
        "exercises/li.wei.bak.json": "{}",
        "tests/test_leaky_figures.py": "import pytest\n\npytestmark = pytest.mark.solutions\nBASE = 864.0\n",
    }
    for rel, text in data.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    notebook = root / "exercises" / "ex00_warmup.ipynb"
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["execution_count"] = 7
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "Li Wei, li.wei: q1 = ch2\n"}]
    code["metadata"]["execution"] = {"iopub.execute_input": "2026-03-02T01:00:00Z"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"li.wei": {}}}}
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def used(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _used_copy(tmp_path_factory.mktemp("used") / "project")


def test_a_used_checkout_ships_no_trainee_data(used: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    build_release(out, root=used, keys=used / "solutions" / "keys")
    shipped = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    trainee = [rel for rel in shipped if re.search(
        r"(^|/)(workbook|submissions|exports|gradebook|dist|test-artifacts|\.ipynb_checkpoints)/"
        r"|\.last-trainee$|\.bak\.json$|\.lock$|/\.[^/]*\.tmp$", rel) and not rel.startswith("kamlib/gradebook/")]
    assert trainee == [] and "kamlib/gradebook/store.py" in shipped  # the gradebook's code is not a gradebook
    assert "tests/test_leaky_figures.py" not in shipped and "tests/test_release_secrets.py" not in shipped
    assert "tests/test_grading_check.py" not in shipped  # it works with exercise 04's figures
    assert "tests/test_store.py" in shipped and "exercises/ex00_warmup.ipynb" in shipped
    for rel in (r for r in shipped if r.endswith(".ipynb")):
        nb = json.loads((out / rel).read_text(encoding="utf-8"))
        assert "widgets" not in nb["metadata"], rel
        for cell in nb["cells"]:
            assert not cell.get("outputs") and cell.get("execution_count") is None, rel
            assert "execution" not in cell["metadata"], rel
    assert "Li Wei" not in (out / "exercises" / "ex00_warmup.ipynb").read_text(encoding="utf-8")
    assert (out / "notebooks" / "00_start_here.ipynb").read_bytes() == (ROOT / "notebooks" /
                                                                         "00_start_here.ipynb").read_bytes()


def test_the_scan_finds_trainee_data_and_run_notebooks() -> None:
    run = json.dumps({"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [],
                                 "execution_count": 3}], "metadata": {}}).encode()
    bundle = Bundle({"notebooks/workbook/li.wei.json": b"{}", "exercises/submissions/a/ex00-x.json": b"{}",
                     "notebooks/.last-trainee": b"li.wei", "kamlib/x.bak.json": b"{}", "notebooks/a.ipynb": run})
    found = {(leak.file, leak.what.key) for leak in scan(bundle)}
    assert found == {("notebooks/workbook/li.wei.json", "release.found.trainee_data"),
                     ("exercises/submissions/a/ex00-x.json", "release.found.trainee_data"),
                     ("notebooks/.last-trainee", "release.found.trainee_data"),
                     ("kamlib/x.bak.json", "release.found.trainee_data"),
                     ("notebooks/a.ipynb", "release.found.outputs")}
    assert json.loads(strip_notebook("notebooks/a.ipynb", run))["cells"][0]["execution_count"] is None


def test_a_gradebook_written_into_the_gradebooks_code_folder_never_ships(tmp_path: Path) -> None:
    """``kamlib/gradebook/`` is code, not a gradebook: but ``kam grade --out kamlib/gradebook`` (or a home set to
    ``kamlib``) writes the class's gradebook, exports and feedback pages there, and a gradebook file goes anywhere."""
    code = ["kamlib/gradebook/__init__.py", "kamlib/gradebook/store.py", "notebooks/a.ipynb"]
    data = ["kamlib/gradebook/gradebook.sqlite", "kamlib/gradebook/gradebook.sqlite-journal",
            "kamlib/gradebook/gradebook.csv", "kamlib/gradebook/gradebook.xlsx", "kamlib/gradebook/report-en.txt",
            "kamlib/gradebook/feedback/li.wei.html", "kamlib/gradebook/submissions/li.wei/ex00.json",
            "notebooks/class.sqlite", "exercises/class.db", "exercises/class.db-wal"]
    root = tmp_path / "project"
    for rel in code + data:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text('{"trainee": {"id": "li.wei", "name": "Li Wei"}}', encoding="utf-8")
    assert sorted(collect(root).files) == sorted(code)
    leaks = scan(Bundle({rel: b"{}" for rel in code + data}))
    assert {(leak.file, leak.what.key) for leak in leaks} == {(rel, "release.found.trainee_data") for rel in data}


@pytest.mark.parametrize("planted", [
    "BASE = 864\n", "base = 864.0  # price\n", "评标基准价 864万元。\n", "评标基准价：８６４。\n",
    "totals = [88.27, 80]\n", "profit = 81_600\n", "profit: 81,600 yuan\n", "<td>88.83</td>\n",
])
def test_a_key_figure_planted_in_a_shipped_file_stops_the_release(used: Path, tmp_path: Path,
                                                                   planted: str) -> None:
    target = used / "kamlib" / "hints.py"
    target.write_text(planted, encoding="utf-8")
    try:
        out = tmp_path / "bundle"
        with pytest.raises(ReleaseError) as err:
            build_release(out, root=used, keys=used / "solutions" / "keys")
        assert "kamlib/hints.py" in err.value.message("en") and "answer figure" in err.value.message("en")
        assert "答案数字" in err.value.message("zh")
        assert not out.exists()
    finally:
        target.unlink()


def test_a_keyed_answer_written_as_its_items_value_is_found() -> None:
    secrets = key_secrets()
    found = [w.params["item"] for w in find_in_text('fill({"winner": "b2", "q1": "ch3"})', secrets)]
    assert found == ["ex04 winner"]
    assert [w.params["item"] for w in find_in_text("answers['valid'] = ['b3', 'b1', 'b2']", secrets)] == ["ex04 valid"]
    assert find_in_text('{"winner": "b3"}', secrets) == []  # not the keyed answer
    assert find_in_text("chart(score=4, max=8)", secrets) == []  # a bare name is too common to tell


@pytest.mark.parametrize(("text", "hits"), [
    ("version 1.864.2, ex04, b864", 0),  # parts of other tokens
    ("80 points, 25%, 96000", 0),  # fewer than three significant digits
    ("a sixth is 16.7%", 0),  # a simple fraction
    ("864,890 and 1,020", 1),  # a list written without spaces
])
def test_what_counts_as_a_figure(text: str, hits: int) -> None:
    assert len(find_in_text(text, key_secrets())) == hits
    assert significant_digits(81600) == 3 and significant_digits(88.27) == 4 and significant_digits(96000) == 2
    assert is_figure(864) and not is_figure(16.7) and not is_figure(80000)


def test_the_real_bundle_is_clean() -> None:
    assert scan(collect()) == []
