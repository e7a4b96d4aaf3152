"""Chapter 2.4's key-person analysis: the panorama of a 60-person organisation, drawn and rendered
to PNG, under 1 s; the logic functions on the same map (median of repeated calls).

Run alone with `python benchmarks/people.py`; `benchmarks/run.py` calls ``measure`` too.
"""

from __future__ import annotations

import io
import random
from typing import Any

from measure import report, timed

from kamlib.charts.people import attitude_power_chart, panorama_chart
from kamlib.model.workbook import KeyPerson
from kamlib.people import (
    attitude_power_matrix,
    leverage_routes,
    map_completeness,
    position_strength,
    red_flags,
    reporting_problems,
)

SEED = 2024


def organisation(size: int = 60, seed: int = SEED) -> list[KeyPerson]:
    """60 people: a CEO, 5 directors, 15 managers, 39 staff; every code drawn at random, 30 influence
    lines. A smaller ``size`` keeps the first people (top down) and the lines among them."""
    rnd = random.Random(seed)
    people = [KeyPerson(id="p0", name="CEO", title="CEO", role="A", attitude="=", contact="1")]
    bosses = ["p0"]
    for layer, count in ((1, 5), (2, 15), (3, 39)):
        new = []
        for i in range(count):
            pid = f"p{len(people)}"
            people.append(KeyPerson(
                id=pid, name=f"Person {len(people)}", title=("Director", "Manager", "Engineer")[layer - 1],
                reports_to=bosses[i % len(bosses)], role=rnd.choice(["A", "D", "E", "U", None]),
                style=rnd.choice(["D", "K", "A", "E"]), attitude=rnd.choice(["*", "+", "=", "-", "/", None]),
                contact=rnd.choice(["0", "1", "N", "F"]), key_department=rnd.random() < 0.4,
                inner_circle=layer == 1 and rnd.random() < 0.4, decision_layer=rnd.random() < 0.05,
            ))
            new.append(pid)
        bosses = new
    for _ in range(30):
        a, b = rnd.sample(people, 2)
        a.influences.append(b.id)
    kept = people[:size]
    ids = {p.id for p in kept}
    for p in kept:
        p.influences = [i for i in p.influences if i in ids]
    return kept



def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def measure() -> list[tuple[str, float, float | None]]:
    """Every figure as (what, seconds, target in seconds or None)."""
    people = organisation()
    rows: list[tuple[str, float, float | None]] = [
        ("panorama_chart + PNG, 60 people, 30 influence lines (s)", timed(lambda: _png(panorama_chart(people, "zh")),
                                                                          5), 1.0),
        ("panorama_chart only, 60 people (s)", timed(lambda: panorama_chart(people, "zh"), 5), None),
        ("attitude_power_chart + PNG, 60 people (s)", timed(lambda: _png(attitude_power_chart(people, "zh")), 5),
         None),
    ]
    for name, fn in (
        ("reporting_problems", reporting_problems), ("red_flags", red_flags), ("leverage_routes", leverage_routes),
        ("map_completeness", map_completeness), ("position_strength", position_strength),
        ("attitude_power_matrix", attitude_power_matrix),
    ):
        rows.append((f"{name}, 60 people (s)", timed(lambda fn=fn: fn(people), 50), 0.01))
    return rows



def main() -> None:
    print(report(measure()))


if __name__ == "__main__":
    main()
