"""Special topic 1's rule maker and its page, as a trainee feels them.

- The exhaustive rule search (every whole-point rule within the deck's bounds, 445 rules) with 5 bidders:
  the scores, the search, the best rule and the flips together (``analyse_bid``), well under 1 s (target 0.1 s);
  the same over the widest bounds (0–100 for every part, 176,851 rules) for comparison.
- A form change and its re-draw: save a bidder's price on the deck's example (score table, bars, rule maker,
  heat map and worksheet re-drawn), change the heat map's axes (the heat map alone), tick the checklist;
  each under 300 ms.

Run alone with `python benchmarks/bidding.py`; `benchmarks/run.py` can call ``measure`` too.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Row, report, timed

from kamlib.bidding import PARTS, analyse_bid, bidder_field, deck_example, rule_space


def search_seconds(wide: bool = False) -> float:
    """Median seconds of the whole analysis of the deck's example (5 bidders)."""
    bid = deck_example("zh")
    if not wide:
        return timed(lambda: analyse_bid(bid), 50)
    contest = bidder_field(bid).contest
    bounds = {p: (0, 100) for p in PARTS}
    return timed(lambda: rule_space(contest, bounds), 5)


def _median(action: Callable[[int], None], repeat: int) -> float:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def page_seconds(repeat: int = 5) -> dict[str, float]:
    """Median seconds from a change in a form to every dependent display re-drawn."""
    from kamlib.forms import bidding as bd
    from kamlib.model import Trainee, create_workbook, update_workbook

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KAM_HOME"] = tmp
        path = Path(tmp) / "workbook" / "bench.json"
        create_workbook(Trainee(id="bench", name="Bench"), path)
        update_workbook(path, lambda wb: wb.plan.bids.items.append(deck_example("zh")))
        with contextlib.redirect_stdout(io.StringIO()):  # outside a notebook, displays print
            page = bd.open_page(lang="zh", workbook=path)
            bd.method(page)
            bd.tender(page)
            bd.templates(page)
            editor = bd.bidders(page)
            axes = bd.rule_maker(page)
            bd.targets(page)
            checklist = bd.checklist(page)
            assert editor is not None and axes is not None and checklist is not None
            editor.picker.value = editor.rows(page.workbook())[1].id

            def save_price(i: int) -> None:
                editor.inputs["price_wan"].value = str(16_700 + 50 * (i % 3))
                editor.save()

            def move_axes(i: int) -> None:
                axes.y.value = ("j3_service", "j2_technical")[i % 2]

            def tick(i: int) -> None:
                checklist.boxes["toc"].value = i % 2 == 0

            return {
                "save": _median(save_price, repeat),
                "axes": _median(move_axes, repeat),
                "tick": _median(tick, repeat),
            }


def measure() -> list[Row]:
    page = page_seconds()
    return [
        ("analyse_bid: exhaustive search, deck bounds (445 rules), 5 bidders (s)", search_seconds(), 0.1),
        ("rule_space only, bounds 0-100 for every part (176,851 rules), 5 bidders (s)", search_seconds(True), 1.0),
        ("save a bidder + re-draw (table, bars, rule maker, heat map, worksheet) (s)", page["save"], 0.3),
        ("change the heat map's axes + re-draw (s)", page["axes"], 0.3),
        ("tick the checklist + re-draw (s)", page["tick"], 0.3),
    ]


if __name__ == "__main__":
    print(report(measure()))
