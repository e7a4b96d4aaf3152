"""kamlib.charts.spread: a column of labels at least a gap apart, each as near its point as it can be."""

from __future__ import annotations

import itertools

import pytest

from kamlib.charts.spread import spread


def test_labels_far_apart_stay_where_they_are() -> None:
    assert spread([0.0, 5.0, 2.0], 1.0) == [0.0, 5.0, 2.0]


def test_equal_targets_are_spread_around_them() -> None:
    assert spread([1.0, 1.0], 1.0) == [0.5, 1.5]
    assert spread([0.0, 0.0, 0.0], 0.5) == [-0.5, 0.0, 0.5]


def test_order_is_kept_and_every_gap_met() -> None:
    targets = [3.0, 0.1, 0.0, 0.2, 3.05, -4.0]
    placed = spread(targets, 0.4)
    by_target = sorted(range(len(targets)), key=lambda i: targets[i])
    ys = [placed[i] for i in by_target]
    assert all(b - a >= 0.4 - 1e-9 for a, b in itertools.pairwise(ys))


def test_bounds_push_the_column_inside() -> None:
    assert spread([2.0, 2.0], 1.0, low=-2.0, high=2.0) == [1.0, 2.0]
    assert spread([-2.0, -2.0], 1.0, low=-2.0, high=2.0) == [-2.0, -1.0]


def test_negative_gap_refused() -> None:
    with pytest.raises(ValueError):
        spread([0.0], -1.0)
