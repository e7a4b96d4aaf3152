"""Chapter 4 and crisis charts: drawn in both languages without missing glyphs, saying what the logic says."""

from __future__ import annotations

import datetime as dt

import pytest
from matplotlib.figure import Figure

from kamlib.charts.crisis import attitude_chart, timeline_chart
from kamlib.charts.retention import (
    amount,
    assessment_trend_chart,
    leverage_chart,
    pct,
    stage_chart,
    whitespace_chart,
)
from kamlib.crisis import attitude_moves
from kamlib.i18n import LANGS, t
from kamlib.model.retention import (
    AffectedPerson,
    Assessment,
    Crisis,
    LeverageInputs,
    ProductLine,
    ResponseStep,
    StageChoice,
    WhitespaceCell,
)
from kamlib.model.workbook import KeyPerson, TreeUnit
from kamlib.retention import DECK_EXAMPLE, whitespace_map
from tests.chart_checks import glyph_warnings, overlapping, render_png, text_boxes, texts

D = dt.date
CHINESE_UNIT = "\u56db\u5ddd\u5206\u884c"  # a trainee's own unit name, in Chinese


def _drawn(fig: Figure) -> list[str]:
    assert isinstance(fig, Figure)
    png, messages = render_png(fig)
    assert png.startswith(b"\x89PNG")
    assert glyph_warnings(messages) == [], messages
    return texts(fig)


def _space():
    hq = TreeUnit(id="hq", name="Head office")
    units = [hq, TreeUnit(id="br", name=CHINESE_UNIT, kind="dmu", parent_id="hq"),
             TreeUnit(id="it", name="IT department with a very long name indeed", kind="user", parent_id="br")]
    lines = [ProductLine(id="t", name="Counter terminals"), ProductLine(id="n", name="Network")]
    cells = [WhitespaceCell(unit_id="br", line_id="t", status="bought"),
             WhitespaceCell(unit_id="it", line_id="n", status="open"),
             WhitespaceCell(unit_id="hq", line_id="n", status="na")]
    return whitespace_map(units, lines, cells)


def _crisis() -> Crisis:
    return Crisis(title="Firmware froze 40 outlets", happened_on=D(2026, 3, 2), detected_on=D(2026, 3, 2), severity=3,
                  steps=[ResponseStep(phase="acknowledge", action="Call Zheng Hua", due_on=D(2026, 3, 2),
                                      done_on=D(2026, 3, 2)),
                         ResponseStep(phase="repair", action="Visit Zhou Jian", due_on=D(2026, 3, 10))])


@pytest.mark.parametrize("lang", LANGS)
def test_leverage_chart_shows_the_decks_figures(lang: str) -> None:
    shown = _drawn(leverage_chart(DECK_EXAMPLE, lang))
    for text in ("10,000", "10,100\n(+1%)", "11,000\n(+10%)"):
        assert text in shown
    assert t("retention.chart.curve.rise", lang, price="+1%", volume="9.1%") in shown
    assert t("retention.chart.curve.cut", lang, price="-1%", volume="11.1%") in shown
    assert t("retention.leverage.assumption_short", lang) in shown


def test_leverage_chart_when_a_discount_cannot_be_made_up() -> None:
    shown = _drawn(leverage_chart(DECK_EXAMPLE.model_copy(update={"change_pct": 10}), "en"))
    assert t("retention.chart.curve.none", "en") in shown
    loss = _drawn(leverage_chart(LeverageInputs(price=900, material_cost=800, variable_cost=150, volume=10), "en"))
    assert "-500" in loss


@pytest.mark.parametrize("lang", LANGS)
def test_whitespace_chart_marks_every_status_and_counts_the_gaps(lang: str) -> None:
    fig = whitespace_chart(_space(), lang)
    shown = _drawn(fig)
    assert t("retention.chart.whitespace.title", lang, gaps=4, total=6) in shown
    for status, count in (("bought", 1), ("open", 1), ("na", 1), ("unmarked", 3)):
        assert t(f"retention.cell.legend.{status}", lang, count=count) in shown
    assert any(CHINESE_UNIT in s and "Lv2" in s for s in shown)
    assert any(s.startswith("IT department with a") and s.count("…") == 1 for s in shown)
    assert [s for s in shown if s.isdigit()][:3] == ["1", "1", "2"]  # gaps per unit, in tree order
    ax = fig.axes[0]
    markers = {line.get_marker(): len(line.get_xdata()) for line in ax.get_lines()}
    assert markers == {"s": 1, "o": 1, "x": 1}  # a shape per status, not only a colour
    hatches = [c.get_hatch() for c in ax.collections if len(c.get_paths())]
    assert hatches.count("//") == 1  # the open opportunity's cell is hatched


@pytest.mark.parametrize("lang", LANGS)
def test_trend_chart_marks_re_runs_and_crises(lang: str) -> None:
    crisis = _crisis()
    assessments = [Assessment(taken_on=D(2026, 1, 5), answers=[True, False, False, True, False, True, True, False]),
                   Assessment(taken_on=D(2026, 5, 1), answers=[True, True, True, True, False, True, True, False],
                              crisis_id=crisis.id)]
    shown = _drawn(assessment_trend_chart(assessments, lang, [crisis]))
    assert "4" in shown and "6 (+2)" in shown
    assert t("retention.chart.trend.rerun", lang) in shown and " " + crisis.title in shown
    assert t("retention.numbered", lang, n=8, text=t("retention.question_short.cooperation", lang)) in shown
    single = _drawn(assessment_trend_chart(assessments[:1], lang))
    assert "4" in single


@pytest.mark.parametrize("lang", LANGS)
def test_stage_chart_shows_now_target_and_the_score_band(lang: str) -> None:
    a = Assessment(taken_on=D(2026, 1, 5), answers=[True, False, False, True, False, True, True, False])
    shown = _drawn(stage_chart(StageChoice(current="product", target="needs", target_on=D(2027, 1, 1)), a, lang))
    assert t("retention.chart.stage.now", lang) in shown
    assert t("retention.chart.stage.target", lang, date="2027-01-01") in shown
    assert t("retention.chart.stage.fits", lang, score=4, max=8) in shown
    empty = _drawn(stage_chart(StageChoice(), None, lang))
    assert t("retention.chart.stage.no_score", lang) in empty


@pytest.mark.parametrize("lang", LANGS)
def test_timeline_chart_lanes_and_overdue(lang: str) -> None:
    crisis = _crisis()
    rerun = Assessment(taken_on=D(2026, 5, 1), answers=[True] * 6 + [False] * 2, crisis_id=crisis.id)
    fig = timeline_chart(crisis, [rerun], lang, D(2026, 3, 20))
    shown = _drawn(fig)
    assert t("crisis.chart.happened", lang) in shown and "Call Zheng Hua" in shown and "Visit Zhou Jian" in shown
    assert t("crisis.chart.assessment", lang, score="6/8") in shown
    labels = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert labels[1:6] == [t(f"crisis.phase.{p}", lang) for p in ("acknowledge", "contain", "fix", "repair", "prevent")]
    dashed = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1  # the repair visit is overdue until today
    empty = _drawn(timeline_chart(Crisis(title="Undated"), [], lang, D(2026, 3, 20)))
    assert t("crisis.chart.no_dates", lang) in empty


@pytest.mark.parametrize("lang", LANGS)
def test_attitude_chart_writes_each_move(lang: str) -> None:
    people = [KeyPerson(id="vp", name="Zhou Jian", role="A", attitude="="),
              KeyPerson(id="tel", name="\u5434\u82b3", role="U", attitude="+"),
              KeyPerson(id="new", name="Sun Hui")]
    crisis = Crisis(title="x", affected=[AffectedPerson(person_id="vp", before="=", after="-"),
                                         AffectedPerson(person_id="tel", before="+", after="-"),
                                         AffectedPerson(person_id="new", after="=")])
    shown = _drawn(attitude_chart(attitude_moves(crisis, people), lang))
    if lang == "en":
        assert "Zhou Jian (A/D): = → -" in shown and "\u5434\u82b3: + → -" in shown
    else:  # full-width punctuation in Chinese
        assert "Zhou Jian\uff08A/D\uff09\uff1a= → -" in shown and "\u5434\u82b3\uff1a+ → -" in shown
    assert t("crisis.chart.unknown", lang, names="Sun Hui") in shown
    none = _drawn(attitude_chart([], lang))
    assert t("crisis.chart.no_moves", lang) in none


@pytest.mark.parametrize("lang", LANGS)
def test_attitude_labels_of_equal_moves_do_not_overlap(lang: str) -> None:
    people = [KeyPerson(id="a", name="\u9648\u536b\u4e1c", role="A", attitude="="),
              KeyPerson(id="b", name="\u5b59\u5efa\u534e", role="D", attitude="="),
              KeyPerson(id="c", name="Li Ming", role="U", attitude="+")]
    crisis = Crisis(title="x", affected=[AffectedPerson(person_id="a", before="=", after="-"),
                                         AffectedPerson(person_id="b", before="=", after="-"),
                                         AffectedPerson(person_id="c", before="+", after="-")])
    fig = attitude_chart(attitude_moves(crisis, people), lang)
    boxes = text_boxes(fig, "move-")
    assert len(boxes) == 3
    assert overlapping(boxes) == []
    area = fig.axes[0].get_window_extent()
    assert all(area.y0 <= b.y0 and b.y1 <= area.y1 for b in boxes)


def test_many_equal_moves_keep_their_labels_apart_and_inside() -> None:
    people = [KeyPerson(id=f"p{i}", name=f"Person {i}", role="U", attitude="+") for i in range(24)]
    crisis = Crisis(title="x", affected=[AffectedPerson(person_id=f"p{i}", before="+", after="/" if i < 16 else "*")
                                         for i in range(24)])
    fig = attitude_chart(attitude_moves(crisis, people), "en")
    boxes = text_boxes(fig, "move-")
    assert len(boxes) == 24 and overlapping(boxes) == []
    area = fig.axes[0].get_window_extent()
    assert all(area.y0 <= b.y0 and b.y1 <= area.y1 for b in boxes)


def test_number_formats() -> None:
    assert (amount(10100), amount(10100.5), amount(-500)) == ("10,100", "10,100.50", "-500")
    assert (pct(10), pct(-9.0909), pct(16.67, signed=False), pct(None)) == ("+10%", "-9.1%", "16.7%", "—")
