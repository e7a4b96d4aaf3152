"""Chapter 4 and the crisis topic: a form change and its re-draw, as a trainee feels it. Target: under 300 ms.

Each figure is the median time from pressing Save to every display that reads the saved part re-drawn, on a
page holding every form of its notebook: the profit-leverage figures; the whitespace map (20 units × 6 lines,
and 60 units × 8 lines); an assessment added to a history of 12; a response step of a crisis with 6 affected
people and 10 steps. The logic alone is measured on the big map and a long history.

Run alone with `python benchmarks/retention.py`; `benchmarks/run.py` may call ``measure`` too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Row, report, timed

from kamlib.model.retention import (
    AffectedPerson,
    Assessment,
    Crisis,
    ProductLine,
    ResponseStep,
    WhitespaceCell,
)
from kamlib.model.workbook import KeyPerson, TreeUnit, Workbook

SEED = 2024
START = dt.date(2023, 1, 10)


def tree(units: int) -> list[TreeUnit]:
    """A head office, branches (DMUs) under it, departments (Users) under the branches."""
    root = TreeUnit(id="u0", name="Head office")
    branches = max(1, units // 5)
    out = [root, *(TreeUnit(id=f"u{i}", name=f"Branch {i}", kind="dmu", parent_id="u0")
                   for i in range(1, branches + 1))]
    while len(out) < units:
        n = len(out)
        out.append(TreeUnit(id=f"u{n}", name=f"Department {n}", kind="user", parent_id=f"u{1 + n % branches}"))
    return out


def plan(wb: Workbook, units: int, lines: int, assessments: int = 12) -> None:
    """A filled chapter 4 and crisis: the tree, product lines, a marked map, a history, key persons, a crisis."""
    rnd = random.Random(SEED)
    wb.plan.customer_tree.items = tree(units)
    wb.plan.retention.product_lines = [ProductLine(id=f"l{i}", name=f"Line {i}") for i in range(lines)]
    wb.plan.retention.whitespace = [
        WhitespaceCell(unit_id=u.id, line_id=f"l{j}", status=rnd.choice(["bought", "open", "na"]))
        for u in wb.plan.customer_tree.items for j in range(lines) if rnd.random() < 0.5]
    wb.plan.assessments.items = [Assessment(taken_on=START + dt.timedelta(days=91 * i),
                                            answers=[rnd.random() < 0.5 for _ in range(8)])
                                 for i in range(assessments)]
    people = [KeyPerson(id=f"p{i}", name=f"Person {i}", role=rnd.choice("ADEU"), attitude=rnd.choice("*+=-/"))
              for i in range(10)]
    wb.plan.key_persons.items = people
    happened = START + dt.timedelta(days=700)
    steps = [ResponseStep(phase=phase, action=f"Step {i}", owner="Wang", due_on=happened + dt.timedelta(days=3 * i),
                          done_on=happened + dt.timedelta(days=3 * i) if i < 4 else None)
             for i, phase in enumerate(["acknowledge", "contain", "fix", "fix", "repair", "repair", "repair",
                                        "prevent", "prevent", "prevent"])]
    wb.plan.crises.items = [Crisis(id="c1", title="Terminals froze", happened_on=happened, detected_on=happened,
                                   severity=3, steps=steps,
                                   affected=[AffectedPerson(person_id=p.id, before=p.attitude,
                                                            after=rnd.choice("*+=-/")) for p in people[:6]])]


@contextlib.contextmanager
def workbook(units: int, lines: int) -> Iterator[Path]:
    from kamlib.model import Trainee, create_workbook, update_workbook

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KAM_HOME"] = tmp
        path = Path(tmp) / "workbook" / "bench.json"
        create_workbook(Trainee(id="bench", name="Bench"), path)
        update_workbook(path, lambda wb: plan(wb, units, lines))
        with contextlib.redirect_stdout(io.StringIO()):  # outside a notebook, displays print
            yield path


def median_save(save: Callable[[int], Any], repeat: int = 5) -> float:
    """Median seconds of ``save(i)`` (one warm-up first)."""
    save(-1)
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        save(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def chapter_4(units: int, lines: int) -> dict[str, float]:
    """The chapter 4 page with every form; the seconds of each kind of save."""
    from kamlib.forms import retention as ch4
    from kamlib.forms.page import Page

    with workbook(units, lines) as path:
        page = Page(lang="zh", workbook=path)
        ch4.summary(page)
        leverage = ch4.profit_leverage(page)
        ch4.product_lines(page)
        grid = ch4.whitespace(page)
        ch4.relations(page)
        form = ch4.assessment(page)
        ch4.planned_activities(page)
        ch4.stage(page)
        leverage.use_deck_example()
        cells = list(grid.cells.values())

        def save_leverage(i: int) -> None:
            leverage.inputs["volume"].value = str(100 + i)
            leverage.save()

        def save_map(i: int) -> None:
            cells[i % len(cells)].value = ("bought", "open", "na")[i % 3]
            grid.save()

        def save_assessment(i: int) -> None:
            form.picker.value = form.picker.options[-1][1]  # correct the latest one
            form.answers[i % 8].value = not form.answers[i % 8].value
            form.save()

        return {"leverage": median_save(save_leverage), "map": median_save(save_map),
                "assessment": median_save(save_assessment)}


def crisis_step() -> float:
    """The crisis page with every form; seconds to save a response step of the incident worked on."""
    from kamlib.forms import crisis as st2
    from kamlib.forms.page import Page

    with workbook(20, 6) as path:
        page = Page(lang="zh", workbook=path)
        st2.playbook(page)
        st2.incident_log(page)
        picker = st2.crisis_picker(page)
        st2.affected_people(page, picker)
        steps = st2.response_plan(page, picker)
        st2.rerun(page, picker)
        step_ids = [v for _, v in steps.picker.options][1:]

        def save_step(i: int) -> None:
            steps.picker.value = step_ids[i % len(step_ids)]
            steps.inputs["owner"].value = f"Owner {i}"
            steps.save()

        return median_save(save_step)


def measure() -> list[Row]:
    from kamlib.retention import trend, whitespace_map

    small = chapter_4(20, 6)
    big = chapter_4(60, 8)
    rows: list[Row] = [
        ("save profit-leverage figures + re-draw (s)", small["leverage"], 0.3),
        ("save whitespace map 20 units x 6 lines + re-draw (s)", small["map"], 0.3),
        ("save whitespace map 60 units x 8 lines + re-draw (s)", big["map"], 0.3),
        ("save an assessment (history of 12) + re-draw (s)", small["assessment"], 0.3),
        ("save a crisis response step + re-draw (s)", crisis_step(), 0.3),
    ]
    units, lines = tree(60), [ProductLine(id=f"l{i}", name=f"Line {i}") for i in range(8)]
    cells = [WhitespaceCell(unit_id=u.id, line_id=line.id, status="open") for u in units for line in lines]
    history = [Assessment(taken_on=START + dt.timedelta(days=i), answers=[i % 2 == 0] * 8) for i in range(200)]
    rows += [
        ("whitespace_map + gaps, 60 x 8 (s)", timed(lambda: whitespace_map(units, lines, cells).gaps(), 20), 0.01),
        ("trend of 200 assessments (s)", timed(lambda: trend(history), 20), 0.01),
    ]
    return rows


if __name__ == "__main__":
    print(report(measure()))
