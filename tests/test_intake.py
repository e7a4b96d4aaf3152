"""Reading submissions from folders and zips: good files accepted, every kind of bad file rejected with a
clear line, and the run goes on."""

from __future__ import annotations

import json
import stat
import time
import zipfile
from pathlib import Path

import pytest

from kamlib import intake
from kamlib.i18n import LANGS
from kamlib.intake import Received, is_safe_name, parse_submission, read_sources
from kamlib.model.workbook import Trainee
from kamlib.submission import Group, GroupMember, Submission, submission_name


def _sub(trainee: str = "li.wei", exercise: str = "ex00", **extra: object) -> Submission:
    return Submission(exercise_id=exercise, trainee=Trainee(id=trainee, name="Li Wei"), answers={"q1": "ch3"},
                      **extra)


def _put(root: Path, folder: str, name: str, data: bytes | str) -> Path:
    path = root / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _json(sub: Submission) -> str:
    return sub.model_dump_json(indent=2)


def _reasons(result: intake.Intake) -> list[str]:
    return sorted(r.reason for r in result.rejected)


@pytest.mark.parametrize("name", ["li.wei", "wang_fang", "a", "chen@corp", "x-1", "\u674e\u4f1f"])
def test_safe_names(name: str) -> None:
    assert is_safe_name(name)


@pytest.mark.parametrize("name", ["..", "../evil", "a..b", "x.", "", ".hidden", "a/b", "a\\b", "CON", "nul.txt",
                                  "com1", "x" * 65, "a b", "a\nb"])
def test_unsafe_names(name: str) -> None:
    assert not is_safe_name(name)


def test_a_good_folder_is_read(tmp_path: Path) -> None:
    sub = _sub()
    _put(tmp_path, "li.wei", submission_name("ex00", sub.submitted_at), _json(sub))
    _put(tmp_path, "li.wei", "notes.txt", "not a submission")
    result = read_sources([tmp_path])
    assert result.rejected == [] and result.ignored == [f"{tmp_path.name}/li.wei/notes.txt"]
    (rec,) = result.received
    assert rec.submission == sub and len(rec.digest) == 64


def test_every_bad_file_is_rejected_and_the_rest_is_read(tmp_path: Path) -> None:
    good = _sub("good")
    _put(tmp_path, "good", "ex00-1.json", _json(good))
    _put(tmp_path, "broken", "ex00-1.json", "{ not json")
    _put(tmp_path, "listy", "ex00-1.json", "[1, 2]")
    _put(tmp_path, "binary", "ex00-1.json", b"\xff\xfe\x00garbage")
    _put(tmp_path, "future", "ex00-1.json", _json(_sub("future")).replace('"schema_version": 1', '"schema_version": 9'))
    _put(tmp_path, "nosuch", "ex99-1.json", _json(_sub("nosuch")).replace('"ex00"', '"ex99"'))
    _put(tmp_path, "other", "ex00-1.json", _json(_sub("someone.else")))
    _put(tmp_path, "missing", "ex00-1.json", json.dumps({"exercise_id": "ex00"}))
    evil = json.loads(_json(_sub("x")))
    evil["trainee"]["id"] = "../../etc"
    _put(tmp_path, "evil", "ex00-1.json", json.dumps(evil))
    _put(tmp_path, "big", "ex00-1.json", " " * (intake.MAX_FILE_BYTES + 1))
    _put(tmp_path, "deep", "ex00-1.json", "[" * 200_000)
    result = read_sources([tmp_path])
    assert [r.submission.trainee.id for r in result.received] == ["good"]
    assert _reasons(result) == sorted(["bad_json", "bad_json", "bad_json", "bad_json", "schema", "unknown_exercise",
                                       "folder_mismatch", "invalid", "unsafe_id", "too_large"])
    for rejection in result.rejected:
        for lang in LANGS:
            assert rejection.file in rejection.message(lang)


def test_rejection_lines_name_what_was_wrong(tmp_path: Path) -> None:
    _put(tmp_path, "someone", "ex00-1.json", _json(_sub("li.wei")))
    (rejection,) = read_sources([tmp_path]).rejected
    assert "li.wei" in rejection.message("en") and "someone" in rejection.message("en")
    assert "不一致" in rejection.message("zh")


def test_group_ids_must_be_safe_too() -> None:
    raw = json.loads(_json(_sub(group=Group(id="team1", members=[GroupMember(id="li.wei")]))))
    raw["group"]["members"].append({"id": "..", "name": "x"})
    result = parse_submission("f.json", json.dumps(raw).encode(), "li.wei")
    assert not isinstance(result, Received) and result.reason in ("unsafe_id", "invalid")
    raw["group"]["members"] = [{"id": "a"}, {"id": "a"}]
    result = parse_submission("f.json", json.dumps(raw).encode(), "li.wei")
    assert not isinstance(result, Received) and result.reason == "invalid"
    assert "once" in result.message("en")


def test_a_file_at_the_root_has_no_trainee_folder(tmp_path: Path) -> None:
    data = _json(_sub()).encode()
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ex00-1.json", data)
    assert _reasons(read_sources([archive])) == ["no_folder"]


def test_a_zip_is_read_in_memory_at_any_depth(tmp_path: Path) -> None:
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Course 2026/submissions/li.wei/ex00-1.json", _json(_sub()))
        zf.writestr("Course 2026/submissions/wang/ex00-1.json", _json(_sub("wang")))
        zf.writestr("__MACOSX/submissions/li.wei/._ex00-1.json", "junk")
        zf.writestr("Course 2026/readme.txt", "hello")
    result = read_sources([archive])
    assert sorted(r.submission.trainee.id for r in result.received) == ["li.wei", "wang"]
    assert result.rejected == [] and result.ignored == ["download.zip:Course 2026/readme.txt"]
    assert not (tmp_path / "Course 2026").exists()  # nothing unpacked


def test_a_zip_inside_a_folder_is_read_too(tmp_path: Path) -> None:
    source = tmp_path / "drive"
    source.mkdir()
    with zipfile.ZipFile(source / "group-b.zip", "w") as zf:
        zf.writestr("wang/ex00-1.json", _json(_sub("wang")))
    _put(source, "li.wei", "ex00-1.json", _json(_sub()))
    assert sorted(r.submission.trainee.id for r in read_sources([source]).received) == ["li.wei", "wang"]


@pytest.mark.parametrize("member", ["../li.wei/ex00-1.json", "/etc/li.wei/ex00-1.json", "a/../../li.wei/x.json",
                                    "C:/li.wei/ex00-1.json", "li.wei\\..\\..\\x.json"])
def test_a_zip_with_a_path_outside_its_root_is_rejected_whole(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("li.wei/ex00-1.json", _json(_sub()))
        zf.writestr(member, _json(_sub()))
    result = read_sources([archive])
    assert result.received == [] and _reasons(result) == ["zip_outside"]
    assert "evil.zip" in result.rejected[0].message("en")


def test_a_zip_bomb_is_rejected_without_unpacking(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("li.wei/ex00-1.json", _json(_sub()))
        zf.writestr("li.wei/ex00-2.json", b"0" * 30_000_000)
    assert archive.stat().st_size < 200_000
    start = time.perf_counter()
    result = read_sources([archive])
    assert time.perf_counter() - start < 1
    assert result.received == [] and _reasons(result) == ["zip_bomb"]
    assert "100:1" in result.rejected[0].message("en")


def test_zip_limits_total_size_and_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for n in range(5):
            zf.writestr(f"t{n}/ex00-1.json", _json(_sub(f"t{n}")))
    monkeypatch.setattr(intake, "MAX_ENTRIES", 4)
    assert _reasons(read_sources([archive])) == ["zip_entries"]
    monkeypatch.setattr(intake, "MAX_ENTRIES", 100)
    monkeypatch.setattr(intake, "MAX_TOTAL_BYTES", 1000)
    assert _reasons(read_sources([archive])) == ["zip_bomb"]


def test_links_and_encrypted_entries_are_not_read(tmp_path: Path) -> None:
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("li.wei/ex00-1.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("wang/ex00-1.json", _json(_sub("wang")))
    result = read_sources([archive])
    assert [r.submission.trainee.id for r in result.received] == ["wang"] and _reasons(result) == ["link"]
    folder = tmp_path / "folder"
    _put(folder, "wang", "ex00-1.json", _json(_sub("wang")))
    (folder / "li.wei").mkdir()
    (folder / "li.wei" / "ex00-1.json").symlink_to(folder / "wang" / "ex00-1.json")
    assert _reasons(read_sources([folder])) == ["link"]


def test_not_a_zip_and_a_missing_source(tmp_path: Path) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_text("hello")
    result = read_sources([fake, tmp_path / "nowhere"])
    assert _reasons(result) == ["bad_zip", "no_source"]


def test_a_single_file_in_its_trainee_folder(tmp_path: Path) -> None:
    path = _put(tmp_path, "li.wei", "ex00-1.json", _json(_sub()))
    assert [r.submission.trainee.id for r in read_sources([path]).received] == ["li.wei"]
