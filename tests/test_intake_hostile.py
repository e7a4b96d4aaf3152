"""A hostile class folder: whatever one trainee's file holds or is named, the rest of the class is graded,
the bad file gets exactly one rejection line naming it, and nothing it holds reaches the terminal, the
report, the gradebook or the exports as a control character."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kamlib import gradebook as gb
from kamlib.cli import main as kam
from kamlib.errors import GradingError
from kamlib.grading import grade, load_key, model_answers, self_check
from kamlib.i18n import LANGS
from kamlib.intake import read_sources
from kamlib.model.workbook import Trainee
from kamlib.regular_file import FileTooLarge, NotRegularFile, read_regular
from kamlib.safe_text import printable
from kamlib.submission import Submission, load_submission, submission_name

pytestmark = pytest.mark.solutions
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
CONTROL = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + ["\u202e", "\u2066", "\u200b", "\u2028"]
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")


def _sub(trainee: str, minutes: int = 0, exercise: str = "ex00", answers: dict | None = None) -> Submission:
    return Submission(exercise_id=exercise, trainee=Trainee(id=trainee, name=trainee.upper(), language="en"),
                      submitted_at=T0 + dt.timedelta(minutes=minutes),
                      answers=model_answers(load_key(exercise), "en") if answers is None else answers)


def _put(root: Path, trainee: str, name: str, data: str | bytes) -> Path:
    path = root / trainee / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _good_class(root: Path) -> None:
    for n, trainee in enumerate(("li.wei", "wang")):
        sub = _sub(trainee, minutes=n)
        _put(root, trainee, submission_name("ex00", sub.submitted_at), sub.model_dump_json())


def _raw(trainee: str) -> dict:
    return json.loads(_sub(trainee, minutes=9).model_dump_json())


def _lines_naming(lines: list[str], name: str) -> list[str]:
    return [line for line in lines if name in line]


def _no_control(text: str) -> bool:
    return not any(c in text for c in CONTROL if c != "\n")


# ---- 1: what a file holds ----------------------------------------------------------------------------


def _hostile_contents(root: Path) -> list[str]:
    """The good class plus one bad file per way of crashing the run; returns the bad files' names."""
    _good_class(root)
    bad = []
    listed = _raw("zhao") | {"exercise_id": ["ex00"]}
    bad.append(_put(root, "zhao", "ex00-list.json", json.dumps(listed)))
    keyed = _raw("zhao") | {"exercise_id": {"id": "ex00"}}
    bad.append(_put(root, "zhao", "ex00-object.json", json.dumps(keyed)))
    huge = json.dumps(_raw("zhao") | {"answers": {"q4": 0}}).replace('"q4": 0', '"q4": ' + "9" * 5000)
    bad.append(_put(root, "zhao", "ex00-digits.json", huge))
    naive = _raw("zhao") | {"submitted_at": "2026-03-02T01:09:00"}
    bad.append(_put(root, "zhao", "ex00-naive.json", json.dumps(naive)))
    return [f"{root.name}/zhao/{p.name}" for p in bad]


def test_a_hostile_class_is_graded_and_each_bad_file_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    bad = _hostile_contents(root)
    report = gb.grade_class([root], tmp_path / "book")
    book = gb.read_gradebook(tmp_path / "book")
    assert sorted(tid for tid, _ in book.results) == ["li.wei", "wang"]
    wang = book.results[("wang", "ex00")]
    assert wang.total == wang.max_total - 2 and wang.pending == 2  # all right; q7 and q8 wait for the instructor
    assert sorted(r.file for r in report.rejected) == sorted(bad)
    for lang in LANGS:
        lines = report.lines(lang)
        for name in bad:
            assert len(_lines_naming(lines, name)) == 1, (lang, name)
    naive = next(r for r in report.rejected if r.file.endswith("naive.json"))
    assert "time zone" in naive.message("en") and "时区" in naive.message("zh")


def test_kam_grade_reports_the_hostile_files_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "subs"
    bad = _hostile_contents(root)
    assert kam(["grade", str(root), "--out", str(tmp_path / "book"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f"Rejected, {len(bad)} files:" in out and all(name in out for name in bad)


def test_a_submission_must_say_its_time_zone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        Submission.model_validate(_raw("zhao") | {"submitted_at": "2026-03-02T01:09:00"})
    moment = Submission.model_validate(_raw("zhao") | {"submitted_at": "2026-03-02T09:09:00+08:00"}).submitted_at
    assert moment == T0 + dt.timedelta(minutes=9)


def _damaged_zips(root: Path) -> list[str]:
    """A zip whose central directory asks for a zip version nobody reads, and one whose LZMA data is
    damaged: Python's zip reader raises what the codec raises, not only ``BadZipFile``."""
    chen = _sub("chen").model_dump_json()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("chen/ex00-1.json", chen)
    data = bytearray(buf.getvalue())
    data[data.index(b"PK\x01\x02") + 6] = 99  # version needed to extract: 9.9
    (root / "version.zip").write_bytes(bytes(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_LZMA) as zf:
        zf.writestr("chen/ex00-2.json", chen)
    data = bytearray(buf.getvalue())
    start = 30 + len("chen/ex00-2.json") + 4 + 5  # local header, name, LZMA header and properties
    data[start:start + 16] = b"\xff" * 16
    (root / "lzma.zip").write_bytes(bytes(data))
    return [f"{root.name}/version.zip", f"{root.name}/lzma.zip:chen/ex00-2.json"]


def test_a_damaged_zip_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    _good_class(root)
    bad = _damaged_zips(root)
    result = read_sources([root])
    assert sorted(r.submission.trainee.id for r in result.received) == ["li.wei", "wang"]
    assert sorted((r.file, r.reason) for r in result.rejected) == sorted((name, "bad_zip") for name in bad)


# ---- 2: control characters in names --------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown"), [
    ("li.wei", "li.wei"), ("\u674e\u4f1f \u3000x", "\u674e\u4f1f \u3000x"), ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("x\r\ny\tz", "x\\r\\ny\\tz"), ("\x00\x7f\x85", "\\x00\\x7f\\x85"), ("abc\u202etxt.exe", "abc\\u202etxt.exe"),
    ("\u2066\u200b\u2028", "\\u2066\\u200b\\u2028"), ("\ud800", "\\ud800"), ("\ufffe", "\\ufffe"),
    ("\U000e0041", "\\U000e0041"),
])
def test_printable_escapes_what_could_act_and_keeps_the_rest(raw: str, shown: str) -> None:
    assert printable(raw) == shown
    assert printable(shown) == shown  # once is enough: a printable name stays as it is
    assert printable("line 1\nline 2\x1b", keep="\n") == "line 1\nline 2\\x1b"


def _hostile_names(root: Path) -> None:
    """The good class plus files whose names (or contents quoted in messages) hold control characters."""
    _good_class(root)
    late = _sub("wang", minutes=5)
    _put(root, "wang", "ex00-\x1b[2K\rGraded: all fine\n.json", late.model_dump_json())  # accepted, odd name
    _put(root, "wang", "ex00-\x1b[31mbroken\u202e.json", "{ not json")
    quoted = _raw("wang") | {"answers": {"q1\x1b[2J\u202e": {"x": 1}}}  # pydantic quotes the key
    _put(root, "wang", "ex00-quoted.json", json.dumps(quoted))
    evil = _raw("wang")
    evil["trainee"]["id"] = "wa\x1bng"
    _put(root, "wang", "ex00-evil-id.json", json.dumps(evil))
    chen = _sub("chen", minutes=3)
    with zipfile.ZipFile(root / "more.zip", "w") as zf:
        zf.writestr("chen/ex00-\x1b]0;title\x07\u202egnp.json", chen.model_dump_json())
        zf.writestr("chen/ex00-nul\x00.json", chen.model_dump_json())  # zip readers cut a name at NUL
        zf.writestr("chen/ex00-\x1bbad.json", "[1, 2]")


def test_control_characters_never_reach_the_report_or_the_exports(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    _hostile_names(root)
    report = gb.grade_class([root], tmp_path / "book")
    assert sorted({tid for tid, _ in gb.read_gradebook(tmp_path / "book").results}) == ["chen", "li.wei", "wang"]
    for lang in LANGS:
        lines = report.lines(lang)
        assert all(_no_control(line) for line in lines), lines
        assert len(_lines_naming(lines, "ex00-\\x1b[31mbroken\\u202e.json")) == 1
        assert len(_lines_naming(lines, "more.zip:chen/ex00-\\x1bbad.json")) == 1
        assert len(_lines_naming(lines, "wang/ex00-quoted.json")) == 1
        assert len(_lines_naming(lines, "wang/ex00-evil-id.json")) == 1
    assert any(r.reason == "unsafe_id" and r.params["id"] == "wa\\x1bng" for r in report.rejected)
    files = gb.write_exports(tmp_path / "book", "en")
    xlsx = load_workbook(next(p for p in files if p.suffix == ".xlsx"), read_only=True)
    cells = [str(c) for ws in xlsx.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any("\\x1b[2K\\rGraded: all fine\\n.json" in c for c in cells)
    assert all(_no_control(c) for c in cells)
    book = gb.read_gradebook(tmp_path / "book")
    assert all(printable(s.file) == s.file for s in book.submissions)


def test_kam_grade_and_marks_print_no_control_characters(tmp_path: Path,
                                                          capfd: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "subs"
    _hostile_names(root)
    out = tmp_path / "book"
    assert kam(["grade", str(root), "--out", str(out), "--lang", "zh"]) == 0
    printed = capfd.readouterr()
    assert _no_control(printed.out) and "ex00-\\x1b[2K\\rGraded: all fine\\n.json" in printed.out
    assert _no_control((out / "report-zh.txt").read_text(encoding="utf-8"))
    template = tmp_path / "marks.csv"
    assert kam(["--lang", "en", "marks", "--out", str(out), "--template", str(template), "--all-items"]) == 0
    assert kam(["--lang", "en", "marks", str(template), "--out", str(out)]) == 0
    assert _no_control(capfd.readouterr().out)


# ---- 3 and 4: what is not a regular file ---------------------------------------------------------------


def _kam(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``kam`` in its own process, so that a hang fails the test instead of stopping the suite."""
    return subprocess.run([sys.executable, "-m", "kamlib.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "KAM_LANG": "en"})


@needs_fifo
def test_a_named_pipe_is_reported_not_read(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    _good_class(root)
    (root / "zhao").mkdir()
    os.mkfifo(root / "zhao" / "ex00-pipe.json")
    os.mkfifo(root / "pipe.zip")
    done = _kam("grade", str(root), "--out", str(tmp_path / "book"))
    assert done.returncode == 0, done.stderr
    assert len(_lines_naming(done.stdout.splitlines(), "subs/zhao/ex00-pipe.json: not a regular file")) == 1
    assert len(_lines_naming(done.stdout.splitlines(), "subs/pipe.zip: not a regular file")) == 1
    assert sorted(tid for tid, _ in gb.read_gradebook(tmp_path / "book").results) == ["li.wei", "wang"]
    scored = _kam("score", str(root / "zhao" / "ex00-pipe.json"))
    assert scored.returncode == 2 and "not a regular file" in scored.stderr


@needs_fifo
def test_only_regular_files_are_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "file").write_bytes(b"12345")
    (tmp_path / "link").symlink_to(tmp_path / "file")
    with pytest.raises(NotRegularFile) as pipe:
        read_regular(tmp_path / "pipe", 100)
    with pytest.raises(NotRegularFile) as link:
        read_regular(tmp_path / "link", 100)
    assert not pipe.value.link and link.value.link
    assert read_regular(tmp_path / "link", 100, follow_links=True) == b"12345"
    with pytest.raises(FileTooLarge) as big:
        read_regular(tmp_path / "file", 4)
    assert big.value.size == 5


def test_a_linked_folder_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    _good_class(root)
    elsewhere = tmp_path / "elsewhere" / "zhao"
    sub = _sub("zhao")
    _put(elsewhere.parent, "zhao", submission_name("ex00", sub.submitted_at), sub.model_dump_json())
    try:
        (root / "zhao").symlink_to(elsewhere, target_is_directory=True)
    except OSError:
        pytest.skip("no symbolic links here")
    result = read_sources([root])
    assert sorted(r.submission.trainee.id for r in result.received) == ["li.wei", "wang"]
    assert [(r.file, r.reason) for r in result.rejected] == [("subs/zhao", "link")]


# ---- 5 and 6: scoring what the form accepts, and whatever a file holds ---------------------------------


def test_a_value_not_among_the_choices_scores_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = _sub("wang", answers={**model_answers(load_key("ex00"), "en"), "q1": "zzz", "q3": ["lb", "industry", "zzz"]})
    result = grade(odd, load_key("ex00"))
    statuses = {i.item_id: (i.points, i.status) for i in result.items}
    assert statuses["q1"] == (0.0, "wrong") and statuses["q3"][1] == "partial"
    good, bad_choice = tmp_path / "good.json", tmp_path / "odd.json"
    good.write_text(_sub("li.wei").model_dump_json(), encoding="utf-8")
    bad_choice.write_text(odd.model_dump_json(), encoding="utf-8")
    assert kam(["--lang", "en", "score", str(bad_choice), str(good)]) == 0
    out = capsys.readouterr().out
    assert "[zzz]" in out and f"{good}: LI.WEI, 9 / 11 points" in out  # q7 and q8 are scored by the instructor


def test_kam_score_goes_on_after_a_file_it_cannot_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.json"
    good.write_text(_sub("li.wei").model_dump_json(), encoding="utf-8")
    broken = tmp_path / "broken\x1b[2J.json"
    broken.write_text("{ not json", encoding="utf-8")
    naive = tmp_path / "naive.json"
    naive.write_text(json.dumps(_raw("zhao") | {"submitted_at": "2026-03-02T01:09:00"}), encoding="utf-8")
    sneaky = tmp_path / "sneaky.json"
    sneaky.write_text(json.dumps(_raw("zhao") | {"exercise_id": "../../pyproject"}), encoding="utf-8")
    missing = tmp_path / "missing.json"
    assert kam(["--lang", "en", "score", str(broken), str(good), str(naive), str(sneaky), str(missing)]) == 2
    printed = capsys.readouterr()
    assert f"{good}: LI.WEI, 9 / 11 points" in printed.out  # q7 and q8 are scored by the instructor
    errors = printed.err.splitlines()
    for path in (tmp_path / "broken\\x1b[2J.json", naive, sneaky, missing):
        assert len([e for e in errors if e.startswith(f"{path}: not scored")]) == 1, path
    assert "4 files of 5 could not be scored" in printed.err and _no_control(printed.err)


def test_load_submission_explains_what_it_cannot_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps(_raw("zhao") | {"answers": {"q4": 0}}).replace('"q4": 0', '"q4": ' + "9" * 5000))
    with pytest.raises(GradingError) as err:
        load_submission(huge)
    assert "huge.json" in err.value.message("en")


@pytest.mark.parametrize(("exercise", "item", "values"), [
    ("ex05", "profit_base", ["80,000", "\uff18\uff10\uff0c\uff10\uff10\uff10", " 80000 ", 80000.0]),
    ("ex05", "discount_volume", ["25%", "\uff12\uff15\uff05", "25 %"]),
    ("ex04", "base_price", ["864", "\uff18\uff16\uff14", "864.0"]),
])
def test_numbers_score_as_the_form_reads_them(exercise: str, item: str, values: list[object]) -> None:
    key = load_key(exercise)
    for value in values:
        sub = _sub("li.wei", exercise=exercise, answers={**model_answers(key, "en"), item: value})
        scored = {i.item_id: i.status for i in grade(sub, key).items}
        assert scored[item] == "correct", value
        assert self_check(exercise, sub.answers)[item] == "correct", value


def test_numbers_the_form_would_not_accept_are_wrong_not_a_crash() -> None:
    key = load_key("ex04")
    for value in ("1e999", float("inf"), "abc", "80,000,x"):
        answers = {**model_answers(key, "en"), "rule_j1_price": value, "base_price": value}
        result = {i.item_id: i.status for i in grade(_sub("li.wei", exercise="ex04", answers=answers), key).items}
        assert result["rule_j1_price"] == "wrong" and result["base_price"] == "wrong", value


# ---- 7: an old gradebook with control characters ---------------------------------------------------------


def _old_gradebook(tmp_path: Path) -> Path:
    """A gradebook graded before names were made printable: control characters in its file names, a
    trainee's name and a rejection, and in one trainee's id."""
    root = tmp_path / "subs"
    _good_class(root)
    _put(root, "zhao", "ex00-1.json", "{ broken")
    book = tmp_path / "book"
    gb.grade_class([root], book)
    conn = sqlite3.connect(book / gb.GRADEBOOK_FILE)
    with conn:
        conn.execute("UPDATE submissions SET file = file || ?", ("\x1b[2J\u202e",))
        conn.execute("UPDATE rejections SET file = file || ?", ("\x1b]0;x\x07",))
        conn.execute("UPDATE trainees SET name = ? WHERE id = 'li.wei'", ("Li\x1b[31m Wei\u202e",))
    conn.close()
    return book


def test_kam_marks_works_on_an_old_gradebook(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    book = _old_gradebook(tmp_path)
    template = tmp_path / "marks.csv"
    assert kam(["--lang", "en", "marks", "--out", str(book), "--template", str(template), "--all-items"]) == 0
    text = template.read_text(encoding="utf-8-sig")
    assert _no_control(text.replace("\r\n", "")) and "Li\\x1b[31m Wei\\u202e" in text
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows[1:]:
        row[7] = "1"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    template.write_text(buf.getvalue(), encoding="utf-8")
    assert kam(["--lang", "en", "marks", str(template), "--out", str(book)]) == 0
    assert _no_control(capfd.readouterr().out)
    xlsx = load_workbook(book / "gradebook.xlsx", read_only=True)
    assert any("Li\\x1b[31m Wei" in str(c) for row in xlsx.worksheets[0].iter_rows(values_only=True) for c in row)


def test_the_marks_template_shows_ids_printable_and_reads_them_back(tmp_path: Path) -> None:
    book = _old_gradebook(tmp_path)
    conn = sqlite3.connect(book / gb.GRADEBOOK_FILE)
    with conn:
        for table in ("trainees", "submissions", "results", "scores"):
            column = "id" if table == "trainees" else "trainee_id"
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = 'wang'", ("wa\x1bng",))
    conn.close()
    text = gb.manual_template(gb.read_gradebook(book), "en", every_item=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert "wa\x1bng" not in text and {r[0] for r in rows[1:]} == {"li.wei", "wa\\x1bng"}
    for row in rows[1:]:
        row[7] = "0" if row[0] == "wa\\x1bng" and row[4] == "q1" else ""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    assert gb.import_manual_csv(book, text=buf.getvalue()) == len(rows) - 1
    scored = gb.read_gradebook(book).results[("wa\x1bng", "ex00")]
    assert next(i for i in scored.items if i.item_id == "q1").manual_points == 0
