"""`kam --help` in the language asked for, and `kam score --help` saying what a submission is."""

from __future__ import annotations

import re

import pytest

from kamlib.cli import main as kam

CJK = re.compile(r"[\u3400-\u9fff]")


def _help(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        kam(args)
    assert exit_.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["--lang", "en", "--help"],
    ["--lang=en", "--help"],
    ["--lang", "en", "score", "--help"],
    ["--lang", "en", "export", "--help"],
    ["grade", "--lang", "en", "--help"],
])
def test_lang_sets_the_language_of_the_help(args: list[str], monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("KAM_LANG", raising=False)  # without --lang the help is Chinese
    assert CJK.search(_help([a for a in args if a not in ("--lang", "en", "--lang=en")], capsys))
    assert not CJK.search(_help(args, capsys))


def test_lang_wins_over_kam_lang_and_kam_lang_still_counts(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KAM_LANG", "en")
    assert not CJK.search(_help(["--help"], capsys))
    assert CJK.search(_help(["--lang", "zh", "--help"], capsys))
    assert CJK.search(_help(["--lang", "en", "--lang=zh", "--help"], capsys))  # the last one, as parsed


@pytest.mark.parametrize(("lang", "path"), [
    ("en", "submissions/<trainee-id>/<exercise>-<time>.json"),
    ("zh", "submissions/<学员ID>/<练习>-<时间>.json"),
])
def test_score_help_says_what_a_submission_is(lang: str, path: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(["--lang", lang, "score", "--help"], capsys)
    assert path in text and "FILE" in text
    fields = ("schema_version", "exercise_id", "trainee", "submitted_at", "kamlib_version", "answers", "group")
    assert [f for f in fields if f not in text] == []
