"""kamlib.nobreak: an amount and its unit stay on one line in HTML and Markdown (card, export, forms)."""

from __future__ import annotations

from kamlib.forms.common import md_escape
from kamlib.nobreak import NBSP, WORD_JOINER, keep_amounts_together

WAN_YUAN = "\u4e07\u5143"  # 万元
JOINED = "\u4e07\u2060\u5143"  # a browser may break between two Chinese characters: not inside the unit


def test_the_space_between_a_number_and_its_unit_does_not_break() -> None:
    assert keep_amounts_together(f"1,200 {WAN_YUAN}") == f"1,200{NBSP}{JOINED}"
    assert keep_amounts_together(f"1,200\u3000{WAN_YUAN}") == f"1,200{NBSP}{JOINED}"  # a full-width space too
    assert keep_amounts_together("35 %, 3 days, 500 yuan") == f"35{NBSP}%, 3{NBSP}days, 500{NBSP}yuan"
    assert keep_amounts_together("RMB 1,200 and \u00a5 30") == f"RMB{NBSP}1,200 and \u00a5{NBSP}30"


def test_no_break_between_a_number_and_a_chinese_unit_written_without_a_space() -> None:
    assert keep_amounts_together(f"1,200{WAN_YUAN}") == f"1,200{WORD_JOINER}{JOINED}"
    assert keep_amounts_together("35%") == "35%"  # a browser never breaks there


def test_other_text_is_left_alone() -> None:
    for text in ("in 2026 we met", "Room 12 B", "v1.2 build", "no digits here", "12 Bank Street", ""):
        assert keep_amounts_together(text) == text


def test_trainee_text_in_markdown_keeps_its_amounts_whole() -> None:
    assert md_escape(f"Win 1,200 {WAN_YUAN} (core system)") == f"Win 1,200{NBSP}{JOINED} \\(core system\\)"
