"""`kam release --hub OUT`: the bundle trainees' servers run on a classroom hub ships no self-check data at all
(self-check there goes through the check service, which holds the keys), with what --settings does besides."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kamlib.cli import main as kam
from kamlib.exercises import EXERCISES_DIR, exercise_ids
from kamlib.release import build_release
from kamlib.release_scan import key_secrets
from tests.test_release_secrets import digests_in, recover_answers

pytestmark = pytest.mark.solutions


def test_a_hub_bundle_holds_no_self_check_data_whatever_the_settings(tmp_path: Path) -> None:
    practice = tmp_path / "practice.toml"  # every exercise practice: a plain bundle would ship all their check data
    practice.write_text("[exercises.ex00]\nself_check = true\n", encoding="utf-8")
    out = tmp_path / "hub"
    report = build_release(out, settings=practice, hub=True)
    assert report.hub and report.practice == () and report.graded == tuple(exercise_ids())
    assert not list(out.rglob("*.check.json")) and list(EXERCISES_DIR.glob("*.check.json"))
    assert (out / "kamlib" / "exercises" / "ex00.toml").is_file()  # the exercises themselves ship
    assert (out / "course-settings.toml").read_bytes() == practice.read_bytes()
    assert recover_answers(out) == {}
    digests = {d for e in exercise_ids() for d in key_secrets().check_digests[e]}
    assert not digests & digests_in(out)
    lines = "\n".join(report.lines("en"))
    assert "classroom hub" in lines and "practice, not a secret" not in lines
    assert "课堂服务器用的学员包" in "\n".join(report.lines("zh"))


def test_kam_release_hub_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hub.zip"
    assert kam(["--lang", "en", "release", "--hub", str(out)]) == 0
    assert "no exercise ships self-check data" in capsys.readouterr().out
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
    assert names and not [n for n in names if n.endswith(".check.json")]
    assert not [n for n in names if "/solutions/" in n or "/instructor/" in n]
    plain = tmp_path / "plain.zip"
    assert kam(["--lang", "en", "release", "--out", str(plain)]) == 0
    with zipfile.ZipFile(plain) as zf:
        assert [n for n in zf.namelist() if n.endswith(".check.json")]  # without --hub: practice data ships
