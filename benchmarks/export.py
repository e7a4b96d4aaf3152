"""The Account Plan export: HTML of the full case workbook (nine charts drawn and embedded: five of chapters
1–2, the score bars of two tenders, the substitutability trend, the whitespace map) under 3 s; XLSX, the
document without its charts (which runs each tender's rule search), and the plan's health (re-read on every
start-page redraw) measured too; and a large plan for scale (60 key persons, 200 actions, a 40-unit tree
× 12 product lines, 6 tenders, 12 incidents).

Run alone with `python benchmarks/export.py`; `benchmarks/run.py` calls ``measure`` too.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

from measure import report, timed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kamlib.export import build_document, export_html, export_xlsx  # noqa: E402
from kamlib.health import plan_health  # noqa: E402
from kamlib.model.retention import ProductLine, WhitespaceCell  # noqa: E402
from kamlib.model.workbook import Action, TreeUnit, Workbook  # noqa: E402
from tests.export_fixtures import NOW, full_workbook  # noqa: E402

FRESH = (
    "import sys, time; sys.path.insert(0, {root!r}); t = time.perf_counter();"
    "from tests.export_fixtures import NOW, full_workbook; from kamlib.export import export_html;"
    "export_html(full_workbook('zh'), 'zh', now=NOW); print(time.perf_counter() - t)"
)


def large_workbook() -> Workbook:
    """The full case with the 60-person organisation of ``benchmarks/people.py``, 200 actions, a whitespace map of
    40 units × 12 product lines (the largest drawn), 6 tenders and 12 incidents."""
    from people import organisation

    wb = full_workbook("zh")
    plan = wb.plan
    root = plan.customer_tree.items[0]
    plan.customer_tree.items += [TreeUnit(id=f"b{i}", name=f"Branch {i}", parent_id=root.id, kind="user")
                                 for i in range(36)]
    plan.retention.product_lines = [ProductLine(id=f"l{i}", name=f"Line {i}") for i in range(12)]
    plan.retention.whitespace = [WhitespaceCell(unit_id=u.id, line_id=f"l{j}", status=("bought", "open", "na")[j % 3])
                                 for n, u in enumerate(plan.customer_tree.items) for j in range(12) if (n + j) % 4]
    tender = plan.bids.items[0]
    plan.bids.items = [tender.model_copy(update={"id": f"t{i}", "name": f"Tender {i}"}) for i in range(6)]
    plan.crises.items = [c.model_copy(update={"id": f"c{i}{c.id}", "title": f"{c.title} {i}"})
                         for i in range(6) for c in plan.crises.items]
    wb.plan.key_persons.items = organisation()
    wb.plan.campaign.items = []
    wb.plan.team.items = []
    wb.plan.opportunities.items = [o.model_copy(update={"people": []}) for o in wb.plan.opportunities.items]
    day = NOW.date()
    wb.plan.actions.items = [Action(text=f"Action {i}", priority=1 + i % 5, target_on=day + dt.timedelta(i - 100),
                                    status=("planned", "doing", "done", "dropped")[i % 4], owner="Owner")
                             for i in range(200)]
    return Workbook.model_validate(wb.model_dump())


def fresh_seconds(runs: int = 3) -> float:
    """Median wall time of the first HTML export in a new interpreter (imports included)."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", FRESH.format(root=str(ROOT))], capture_output=True, text=True,
                             check=True)
        times.append(float(out.stdout))
    return sorted(times)[len(times) // 2]


def measure() -> list[tuple[str, float, float | None]]:
    """Every figure as (what, seconds, target in seconds or None)."""
    zh, en = full_workbook("zh"), full_workbook("en")
    large = large_workbook()
    start = time.perf_counter()
    large_html = export_html(large, "zh", now=NOW)
    large_seconds = time.perf_counter() - start
    assert large_html
    return [
        ("HTML export, full case workbook, zh (s)", timed(lambda: export_html(zh, "zh", now=NOW), 5), 3.0),
        ("HTML export, full case workbook, en (s)", timed(lambda: export_html(en, "en", now=NOW), 5), 3.0),
        ("HTML export, anonymised, zh (s)", timed(lambda: export_html(zh, "zh", anonymise=True, now=NOW), 5), 3.0),
        ("HTML export, first in a new interpreter, imports included (s)", fresh_seconds(), None),
        ("XLSX export, full case workbook, zh (s)", timed(lambda: export_xlsx(zh, "zh", now=NOW), 5), None),
        ("document without charts drawn, zh (s)", timed(lambda: build_document(zh, "zh", now=NOW), 10), None),
        ("plan_health, full case workbook (s)", timed(lambda: plan_health(zh.plan, NOW), 20), 0.1),
        ("HTML export, large plan (see large_workbook), first call (s)", large_seconds, None),
        ("plan_health, large plan (s)", timed(lambda: plan_health(large.plan, NOW), 10), 0.1),
    ]


def main() -> None:
    print(report(measure()))


if __name__ == "__main__":
    main()
