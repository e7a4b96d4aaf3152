"""A form change and its re-draw, as a trainee feels it: save one key person's attitude in the
chapter 2 editor of an organisation of 10 (the deck's example) and of 60 people; the page then
re-draws what reads the key persons (the chart in view, coaching). Target: under 300 ms."""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Row, report


def save_and_redraw(people_count: int, repeat: int = 6) -> tuple[float, float]:
    """Median seconds from pressing Save to every dependent display re-drawn, and from switching
    between the panorama and the matrix to the other chart drawn."""
    from people import organisation

    from kamlib.forms import analysis as ch2
    from kamlib.forms.common import ViewSwitch
    from kamlib.forms.page import Page
    from kamlib.model import Trainee, create_workbook, update_workbook
    from kamlib.people import deck_example

    people = deck_example("zh") if people_count <= 10 else organisation(people_count)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KAM_HOME"] = tmp
        path = Path(tmp) / "workbook" / "bench.json"
        create_workbook(Trainee(id="bench", name="Bench"), path)
        update_workbook(path, lambda wb: setattr(wb.plan.key_persons, "items", people))
        with contextlib.redirect_stdout(io.StringIO()):  # outside a notebook, displays print
            page = Page(lang="zh", workbook=path)
            editor = ch2.key_persons(page)
            ch2.factors(page)  # another section's display, which a key-person save must not re-draw
            editor.picker.value = people[0].id
            times, switches = [], []
            for i in range(repeat):
                editor.inputs["attitude"].value = "+=-"[i % 3]
                start = time.perf_counter()
                editor.save()
                times.append(time.perf_counter() - start)
            switch = next(f for f in page._forms if isinstance(f, ViewSwitch))
            for i in range(repeat):
                start = time.perf_counter()
                switch.widget.value = ("matrix", "panorama")[i % 2]
                switches.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(switches)


def chapter_3_saves(factor_count: int = 30, action_count: int = 40, repeat: int = 5) -> tuple[float, float]:
    """Median seconds to save a factor (re-drawing the factor table, quadrants, recommendation and
    strategy chart) and to save an action (summary, table and timeline), in a full chapter 3 page."""
    import datetime as dt

    from kamlib.forms import strategy as ch3
    from kamlib.forms.page import Page
    from kamlib.model import Trainee, create_workbook, update_workbook
    from kamlib.model.workbook import Action, Factor

    factors = [Factor(text=f"Factor {i}", advantage=i % 2 == 0, strong_control=i % 3 == 0, importance=1 + i % 5)
               for i in range(factor_count)]
    start_day = dt.date(2026, 9, 1)
    actions = [Action(text=f"Action {i}", target_on=start_day + dt.timedelta(days=3 * i),
                      status=("planned", "doing", "done")[i % 3],
                      done_on=start_day + dt.timedelta(days=3 * i + 1) if i % 3 == 2 else None)
               for i in range(action_count)]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KAM_HOME"] = tmp
        path = Path(tmp) / "workbook" / "bench.json"
        create_workbook(Trainee(id="bench", name="Bench"), path)

        def fill(wb) -> None:  # type: ignore[no-untyped-def]
            wb.plan.factors.items, wb.plan.actions.items = factors, actions

        update_workbook(path, fill)
        with contextlib.redirect_stdout(io.StringIO()):
            page = Page(lang="zh", workbook=path)
            factor_editor = ch3.factors(page)
            ch3.recommendation(page)
            ch3.strategy_choice(page)
            ch3.measures(page)
            ch3.campaign(page)
            ch3.team(page)
            action_editor = ch3.actions(page)
            timings: list[list[float]] = [[], []]
            for editor, field, times in ((factor_editor, "importance", timings[0]),
                                         (action_editor, "evaluation", timings[1])):
                editor.picker.value = editor.rows(page.workbook())[0].id
                for i in range(repeat):
                    editor.inputs[field].value = str(1 + i % 5) if field == "importance" else f"note {i}"
                    begin = time.perf_counter()
                    editor.save()
                    times.append(time.perf_counter() - begin)
    return statistics.median(timings[0]), statistics.median(timings[1])


def measure() -> list[Row]:
    rows: list[Row] = []
    for count in (10, 20, 60):
        save, switch = save_and_redraw(count)
        rows.append((f"save a key person + re-draw, {count} people (s)", save, 0.3))
        rows.append((f"switch panorama <-> matrix, {count} people (s)", switch, 0.3))
    factor, action = chapter_3_saves()
    rows.append(("chapter 3: save a factor + re-draw, 30 factors (s)", factor, 0.3))
    rows.append(("chapter 3: save an action + re-draw, 40 actions (s)", action, 0.3))
    return rows



if __name__ == "__main__":
    print(report(measure()))
