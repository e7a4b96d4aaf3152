"""An amount and its unit on one line: "1,200 wan yuan" never wraps as "1,200" / "wan yuan" in HTML or Markdown.

A browser may break a line at a space, and also between a digit and a Chinese character. Between a
number and the unit after it (or a currency sign before it) the space becomes a no-break space (U+00A0)
and word joiners (U+2060, drawn as nothing) go where there is no space before a Chinese unit and between
the characters of a Chinese unit.
For text shown by a browser only: a chart's font may lack the word joiner.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
WORD_JOINER = "\u2060"

_NUMBER = r"\d(?:[\d,.]*\d)?"
# units after a number: money, percentages, points and time, in Chinese and English
_UNITS = (r"\u4ebf\u5143|\u4e07\u5143|\u5343\u5143|\u767e\u4e07\u5143|\u4e07|\u4ebf|\u5143|\u5757|%|\uff05|"
          r"\u4e2a\u6708|\u5929|\u5468|\u5e74|\u6708|\u5206|\u4eba|\u53f0|\u5bb6|"
          r"yuan|RMB|CNY|wan|points?|pts|days?|weeks?|months?|years?")
_AFTER = re.compile(rf"({_NUMBER})([ \t\u3000]*)({_UNITS})(?![A-Za-z])")
_BEFORE = re.compile(rf"(\u00a5|\uffe5|RMB|CNY)[ \t]+(?={_NUMBER})")


def _joined(match: re.Match[str]) -> str:
    number, space, unit = match.groups()
    if unit.isascii() or unit == "\uff05":
        return f"{number}{NBSP}{unit}" if space else match.group()
    # a browser may break between any two Chinese characters, so inside the unit too
    return number + (NBSP if space else WORD_JOINER) + WORD_JOINER.join(unit)


def keep_amounts_together(text: str) -> str:
    """``text`` with each amount kept on one line with its unit (see the module's docstring)."""
    if not any(c.isdigit() for c in text):
        return text
    return _BEFORE.sub(lambda m: f"{m.group(1)}{NBSP}", _AFTER.sub(_joined, text))
