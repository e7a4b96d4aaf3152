"""How the workbook writes a figure in its texts, tables, charts and exports: one function per kind of figure, so
that a page, its chart and the export say the same number the same way."""

from __future__ import annotations

from fractions import Fraction

NONE = "—"  # what stands for a figure not given


def amount(value: float) -> str:
    """A yuan figure as the calculator writes it: ``10,100`` or ``10,100.50`` (two decimals when there are any)."""
    rounded = round(value, 2)
    return f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.2f}"


def pct(value: float | None, signed: bool = True) -> str:
    """A percentage with one decimal when needed: ``+10%``, ``-9.1%`` (``10%`` when not ``signed``); "—" for None."""
    if value is None:
        return NONE
    text = f"{value:+,.1f}" if signed else f"{value:,.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def share_pct(share: float | Fraction | None) -> str:
    """A share (0–1) as a whole percentage: ``0.625`` → ``62%`` (rounded half to even); "—" for None."""
    return NONE if share is None else f"{float(share):.0%}"
