"""Labels in a column that must not overlap: each as near its own point as a minimum gap allows.

Pure arithmetic (no matplotlib), so the placing is tested on its own.
"""

from __future__ import annotations

from collections.abc import Sequence


def spread(targets: Sequence[float], gap: float, low: float | None = None, high: float | None = None) -> list[float]:
    """Positions for labels wanted at ``targets`` (in the same order) that are at least ``gap`` apart and keep
    the targets' order; among those, the ones closest to the targets (least squares). Within ``low``..``high``
    when the column fits there; when it does not, it starts at ``low``.

    The spacing is taken out (the i-th label in order minus i gaps), the result made non-decreasing by
    pooling adjacent values (isotonic regression), and the spacing put back.
    """
    if gap < 0:
        raise ValueError("gap must not be negative")
    order = sorted(range(len(targets)), key=lambda i: (targets[i], i))
    shifted = [targets[i] - k * gap for k, i in enumerate(order)]
    blocks: list[list[float]] = []  # [sum, count] of pooled runs
    for value in shifted:
        blocks.append([value, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    fitted = [total / count for total, count in blocks for _ in range(int(count))]
    n = len(fitted)
    if high is not None:
        fitted = [min(v, high - (n - 1) * gap) for v in fitted]
    if low is not None:
        fitted = [max(v, low) for v in fitted]
    placed = [0.0] * n
    for k, i in enumerate(order):
        placed[i] = fitted[k] + k * gap
    return placed
