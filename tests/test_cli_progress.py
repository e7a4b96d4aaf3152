"""The command line's progress bar: a ``(done, total)`` callback drawn on stderr, one line."""

from __future__ import annotations

import pytest

from kamlib.cli import ProgressBar


def test_the_bar_fills_on_stderr_and_ends_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    bar = ProgressBar("Grading")
    for done in range(5):
        bar(done, 4)
    bar.close()
    printed = capsys.readouterr()
    assert printed.out == ""
    lines = printed.err.split("\r")
    assert lines[-1] == f"Grading [{'#' * 30}] 4/4\n" and "\n" not in "".join(lines[:-1])


def test_a_total_that_grows_is_followed_and_an_unused_bar_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    ProgressBar("Feedback pages").close()
    assert capsys.readouterr().err == ""
    bar = ProgressBar("Feedback pages")
    bar(1, 2)
    bar(3, 4)
    bar.close()
    assert capsys.readouterr().err.split("\r")[-1] == f"Feedback pages [{'#' * 22}{'.' * 8}] 3/4\n"
