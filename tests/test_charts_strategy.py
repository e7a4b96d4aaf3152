"""Chapter 3 charts: drawn in both languages without missing glyphs, meaning not by colour alone."""

from __future__ import annotations

import datetime as dt

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from kamlib.charts.strategy import quadrant_chart, strategy_chart, team_chart, timeline_chart
from kamlib.i18n import LANGS, t
from kamlib.model.workbook import Action, Factor, TeamPair
from kamlib.people import deck_example
from kamlib.strategy import profile_factors, recommend, template_factors
from tests.chart_checks import glyph_warnings, render_png, texts

TODAY = dt.date(2026, 11, 27)


def _check(fig: Figure) -> list[str]:
    png, warnings = render_png(fig)
    assert png.startswith(b"\x89PNG") and glyph_warnings(warnings) == []
    return texts(fig)


@pytest.mark.parametrize("lang", LANGS)
def test_quadrants_hold_their_factors(lang: str) -> None:
    factors = [Factor(text="Timely supply", advantage=True, strong_control=False, importance=4),
               Factor(text="<b>Price</b> above the rival", advantage=False, strong_control=True)]
    shown = "\n".join(_check(quadrant_chart(factors, lang)))
    assert "●●●● Timely supply" in shown and "<b>Price</b> above the rival" in shown
    for q in ("use", "leverage", "reduce", "eliminate"):
        assert t(f"analysis.quadrant.{q}", lang) in shown


def test_quadrant_lists_are_capped() -> None:
    factors = [Factor(text=f"F{i}", advantage=True, strong_control=True) for i in range(12)]
    shown = "\n".join(_check(quadrant_chart(factors, "en")))
    assert "… and 4 more" in shown and "F11" not in shown


@pytest.mark.parametrize("lang", LANGS)
def test_strategy_scores_mark_the_recommendation_with_a_hatch(lang: str) -> None:
    rec = recommend(template_factors("bide"))
    fig = strategy_chart(rec, lang)
    shown = _check(fig)
    assert shown.count(f" 16.7  ◀ {t('ch3.chart.top', lang)}") == 1  # control 2/6 and 4/5: 17 points
    assert " 4.5" in shown  # quick win: 6 advantages of 11
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert [bool(b.get_hatch()) for b in bars] == [True, False, False, False, False, False]
    assert any(t("strategy.name.bide", lang) in s for s in shown)
    assert t("ch3.chart.strength", lang) in shown


def test_strategy_chart_marks_each_tied_strategy_and_the_unreadable() -> None:
    shown = _check(strategy_chart(recommend(profile_factors((1, 1, 2, 0))), "en"))
    assert sum(1 for s in shown if s.endswith("◀ recommended")) == 4  # a tie of four, each marked
    shown = _check(strategy_chart(recommend(profile_factors((0, 5, 0, 0))), "en"))
    assert shown.count(" 50  ◀ recommended") == 1 and shown.count(" 50") == 1  # settled: one marked
    assert shown.count(" —") == 2  # bide and play to strengths cannot be read without disadvantages


@pytest.mark.parametrize("lang", LANGS)
def test_team_map_draws_pairs_and_gaps(lang: str) -> None:
    people = deck_example(lang)
    pairs = [TeamPair(stage="middle", our_name="Li", our_role="account_manager", their_id="is_dir"),
             TeamPair(stage="middle", our_name="Wang", our_role="technical")]
    shown = "\n".join(_check(team_chart(pairs, people, lang)))
    assert t("ch3.chart.gap", lang) in shown and "Li" in shown and "Wang" in shown
    assert people[0].name in shown  # the decision-layer person nobody faces


@pytest.mark.parametrize("lang", LANGS)
def test_timeline_marks_overdue_in_words(lang: str) -> None:
    actions = [Action(text="Visit", target_on=dt.date(2026, 11, 1)),
               Action(text="Trial", target_on=dt.date(2026, 11, 10), done_on=dt.date(2026, 11, 9), status="done"),
               Action(text="Undated")]
    shown = _check(timeline_chart(actions, TODAY, lang))
    overdue = t("ch3.chart.overdue", lang)
    assert any(s.startswith("Visit") and overdue in s for s in shown)
    assert not any(s.startswith("Trial") and overdue in s for s in shown)
    assert not any("Undated" in s for s in shown)


def test_empty_charts_say_so() -> None:
    assert t("ch3.chart.timeline_empty", "en") in _check(timeline_chart([], TODAY, "en"))
    gap = t("ch3.chart.gap", "en")
    assert f"{gap} · {t('ch3.team.role.account_manager', 'en')}" in _check(team_chart([], [], "en"))


@pytest.mark.parametrize(("today", "span"), [
    (dt.date(2026, 12, 5), 28),  # the page's case: ticks on the 29th and on the 1st, side by side
    (dt.date(2026, 12, 25), 10),  # the 31st and the 1st
    (dt.date(2026, 12, 7), 271),  # monthly ticks: too many for the width
])
def test_the_timeline_dates_do_not_overlap(today: dt.date, span: int) -> None:
    actions = [Action(text=f"Action {i}", target_on=today + dt.timedelta(days=-span // 2 + span * i // 4))
               for i in range(5)]
    fig = timeline_chart(actions, today, "en")
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in fig.axes[0].get_xticklabels() if label.get_text()]
    assert len(boxes) >= 3
    assert not [i for i in range(len(boxes) - 1) if boxes[i].overlaps(boxes[i + 1])]
