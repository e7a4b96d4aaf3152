"""kamlib.charts.bidding: the stacked score bars and the margin heat map, in both languages, readable without colour."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from kamlib.bidding import PARTS, analyse_bid, deck_bounds, deck_example, margin_grid, rule_codes
from kamlib.charts.bidding import LOSE_HATCH, PART_HATCHES, margin_heatmap, margin_label, scores_chart
from kamlib.i18n import LANGS, Lang, t
from kamlib.model.bidding import Bidder
from tests.chart_checks import glyph_warnings, render_png, text_boxes, texts

OWN_NAME_ZH = "\u84c9\u4fe1\u7cfb\u7edf"  # a bidder a trainee typed in Chinese


def _example(lang: Lang):
    bid = deck_example(lang)
    bid.bidders.append(Bidder(name=OWN_NAME_ZH, price_wan=None))  # not scored yet
    return bid, analyse_bid(bid)


@pytest.mark.parametrize("lang", LANGS)
def test_scores_chart_shows_every_valid_bidder_by_part_with_total_and_rank(lang: Lang) -> None:
    bid, found = _example(lang)
    fig = scores_chart(found.sheet, lang)
    assert isinstance(fig, Figure)
    png, messages = render_png(fig)
    assert png.startswith(b"\x89PNG") and glyph_warnings(messages) == []
    shown = texts(fig)
    valid = [r for r in found.sheet.rows if r.valid]
    for r in valid:
        label = t("bidding.chart.total", lang, total=f"{r.total:.2f}", rank=r.rank)
        assert label in shown
    assert any(s.startswith("★") and ("(" in s or "（" in s) for s in shown)  # us, marked
    assert rule_codes(found.sheet.rule) in " ".join(shown)
    not_scored = next(s for s in shown if s.startswith(t("bidding.chart.not_scored", lang, bidders="")[:3]))
    assert OWN_NAME_ZH in not_scored and bid.bidders[4].name in not_scored  # no price; above the ceiling
    legend = fig.axes[0].get_legend()
    assert [x.get_text() for x in legend.get_texts()] == [t(f"bidding.part.{p}", lang) for p in PARTS]
    hatches = {p.get_hatch() for p in fig.axes[0].patches if isinstance(p, Rectangle)}
    assert {PART_HATCHES[p] or None for p in PARTS} <= hatches | {None}  # each part has its own hatch
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len(bars) == 4 * len(valid)


@pytest.mark.parametrize("lang", LANGS)
def test_heatmap_marks_win_and_loss_without_colour(lang: Lang) -> None:
    _bid, found = _example(lang)
    grid = margin_grid(found.contest, found.bounds.bounds, found.sheet.rule)
    fig = margin_heatmap(grid, lang, found.best)
    png, messages = render_png(fig)
    assert png.startswith(b"\x89PNG") and glyph_warnings(messages) == []
    ax = fig.axes[0]
    hatched = [c for c in ax.collections if isinstance(c, PatchCollection) and c.get_hatch() == LOSE_HATCH]
    lose_cells = int((grid.allowed & ~grid.wins).sum())
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == lose_cells > 0
    (boundary,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(boundary.get_segments()) > 0  # the line where win turns to loss
    shown = texts(fig)
    allowed = int(grid.allowed.sum())
    numbers = [s for s in shown if s in {margin_label(v) for v in grid.margins[grid.allowed]}]
    assert len(numbers) == allowed  # every allowed cell shows its margin
    for key in ("win", "lose", "not_allowed", "boundary", "current"):
        assert t(f"bidding.chart.{key}", lang) in shown
    assert t("bidding.chart.best_view", lang, margin=f"{grid.best[2]:+.2f}") in shown  # type: ignore[index]
    footer = next(s for s in shown if rule_codes(found.best.rule) in s)  # type: ignore[union-attr]
    assert t(f"bidding.part.{grid.held_part}", lang) in footer
    frames = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_linewidth() >= 2.0]
    assert len(frames) == 2  # the tender's rule and the best rule of the view


def test_heatmap_of_wide_bounds_drops_the_cell_numbers() -> None:
    _bid, found = _example("en")
    wide = {**deck_bounds(), "j1_price": (10, 60), "j2_technical": (10, 60), "j3_service": (0, 80)}
    grid = margin_grid(found.contest, wide, found.sheet.rule)
    fig = margin_heatmap(grid, "en")
    png, messages = render_png(fig)
    assert png.startswith(b"\x89PNG") and glyph_warnings(messages) == []
    assert len(fig.axes[0].texts) == 0  # no cell numbers on the heat map itself (the colour bar keeps its scale)


def test_margin_labels() -> None:
    assert margin_label(0.0004) == "0.00" and margin_label(-0.0004) == "0.00"
    assert margin_label(0.004) == "+0.004" and margin_label(-0.002) == "-0.002"  # win and loss stay apart
    assert margin_label(1.234) == "+1.23" and margin_label(-0.5) == "-0.50"
    assert np.isfinite(float(margin_label(2.0)))


@pytest.mark.parametrize("lang", LANGS)
def test_heatmap_numbers_stay_readable_under_hatch_and_star(lang: Lang) -> None:
    _bid, found = _example(lang)
    grid = margin_grid(found.contest, found.bounds.bounds, found.sheet.rule)
    fig = margin_heatmap(grid, lang, found.best)
    ax = fig.axes[0]
    (hatch,) = [c for c in ax.collections if isinstance(c, PatchCollection) and c.get_hatch() == LOSE_HATCH]
    numbers = [a for a in ax.texts if a.get_gid() == "margin-number"]
    assert len(numbers) == int(grid.allowed.sum())
    (plates,) = [c for c in ax.collections if c.get_gid() == "number-plates"]
    assert hatch.get_zorder() < plates.get_zorder() < min(a.get_zorder() for a in numbers)
    assert (plates.get_facecolors()[:, 3] == 1.0).all()  # opaque: no hatch line shows through
    boxes = text_boxes(fig, "margin-number")
    to_screen = plates.get_transform()
    covers = [to_screen.transform_path(p).get_extents() for p in plates.get_paths()]
    for box in boxes:  # each number lies on a plate drawn over the hatch of a losing cell
        assert any(c.x0 <= box.x0 and box.x1 <= c.x1 and c.y0 <= box.y0 and box.y1 <= c.y1 for c in covers), box
    (star,) = [a for a in fig.findobj() if a.get_gid() == "best-star"]
    star_box = star.get_window_extent(fig.canvas.get_renderer())
    assert [b for b in boxes if b.overlaps(star_box)] == []  # the best rule's star covers no value
    assert margin_label(grid.best[2]) in [a.get_text() for a in numbers]  # type: ignore[index]
