"""kamlib.numbers: each kind of figure written one way, on the page, in its chart and in the export."""

from __future__ import annotations

from fractions import Fraction

from kamlib.numbers import amount, pct, share_pct


def test_amount_shows_decimals_only_when_there_are_any() -> None:
    assert (amount(10100), amount(10100.5), amount(-500), amount(0.004)) == ("10,100", "10,100.50", "-500", "0")


def test_pct_signed_and_plain() -> None:
    assert (pct(10), pct(-9.0909), pct(0), pct(16.67, signed=False), pct(None)) == ("+10%", "-9.1%", "+0%", "16.7%",
                                                                                    "\u2014")


def test_share_pct_is_a_whole_percentage_of_a_share() -> None:
    assert (share_pct(Fraction(5, 8)), share_pct(0.5), share_pct(1), share_pct(None)) == ("62%", "50%", "100%",
                                                                                          "\u2014")


def test_the_page_the_chart_and_the_export_use_the_same_formatters() -> None:
    import kamlib.charts.retention as chart
    import kamlib.export.sections.ch3 as export_ch3
    import kamlib.export.sections.ch4 as export_ch4
    import kamlib.forms.retention as form
    import kamlib.strategy as strategy

    assert chart.amount is export_ch4.amount is form.amount is amount
    assert chart.pct is export_ch4.pct is form.pct is pct
    assert export_ch3.share_pct is strategy.share_pct is share_pct
