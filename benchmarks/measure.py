"""What every benchmark script shares: a median timer and a plain-text table of figures and targets."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

Row = tuple[str, float, float | None]  # measurement, value, target (None: no target)


def timed(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``repeat`` calls (one warm-up call first)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(rows: list[Row]) -> str:
    """The figures as a plain-text table."""
    width = max(len(name) for name, _, _ in rows)
    lines = [f"{'measurement':<{width}}  {'value':>10}  {'target':>8}  ok", "-" * (width + 28)]
    for name, value, target in rows:
        goal = f"< {target:g}" if target is not None else ""
        ok = "" if target is None else ("yes" if value < target else "NO")
        lines.append(f"{name:<{width}}  {value:10.4f}  {goal:>8}  {ok}")
    return "\n".join(lines)
