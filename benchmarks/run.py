"""Speed targets of the workbook, measured (not asserted): run with `make bench`.

- `import kamlib` under 0.5 s (heavy libraries load lazily);
- the start page executes headless in under 10 s, kernel start included;
- chapter 1's list tools (`benchmarks/screening.py`): `classify` of 1,000,000 accounts under 0.1 s
  and of 50,000 under 10 ms (against the row-by-row `classify_rows`), import of a 50,000-row CSV
  under 0.5 s and of a 50,000-row XLSX under 1.5 s (calamine; openpyxl measured for comparison);
- bidding (`benchmarks/bidding.py`): the exhaustive rule search over the deck's bounds with 5 bidders
  well under 1 s, a bidder's save re-drawn in under 300 ms;
- the Account Plan export (`benchmarks/export.py`): HTML of the full case workbook under 3 s;
- grading a class (`benchmarks/gradebook.py`): 50 trainees × 3 exercises in a few seconds;
- chapter 4 and crisis forms (`benchmarks/retention.py`): a save re-draws in under 300 ms;
- tables in and out (`benchmarks/tables.py`): 100,000 and 1,000,000 rows written to XLSX (time and peak
  memory), a 1 MB XLSX that unpacks to 1 GB refused within a second, and the size check's cost.

Writes every figure to `benchmarks/results/latest.json`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT = "import time; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"


def import_seconds(module: str, runs: int = 7) -> float:
    """Median wall time of importing ``module`` in a fresh interpreter."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", IMPORT.format(mod=module)],
                             capture_output=True, text=True, check=True)
        times.append(float(out.stdout))
    return statistics.median(times)


def start_page_seconds(runs: int = 3) -> float:
    """Median wall time of papermill running the start page (kernel start included)."""
    import papermill as pm

    from kamlib.model import Trainee, create_workbook, update_workbook
    from kamlib.model.workbook import Account

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KAM_HOME"] = tmp
        workbook = Path(tmp) / "workbook" / "bench.json"
        create_workbook(Trainee(id="bench", name="Bench"), workbook)
        update_workbook(workbook, lambda w: w.plan.portfolio.items.append(Account(name="ACME")))
        for _ in range(runs):
            start = time.perf_counter()
            pm.execute_notebook(
                str(ROOT / "notebooks" / "00_start_here.ipynb"), str(Path(tmp) / "out.ipynb"),
                parameters={"lang": "zh", "workbook": str(workbook)}, kernel_name="python3",
                progress_bar=False,
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    results = {
        "import kamlib (s)": import_seconds("kamlib"),
        "import kamlib.model (s)": import_seconds("kamlib.model"),
        "import kamlib.forms.start (s)": import_seconds("kamlib.forms.start"),
        "start page headless, kernel start included (s)": start_page_seconds(),
    }
    for name, value in results.items():
        print(f"{name:<50} {value:8.3f}")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import screening

    rows = screening.measure()
    print()
    print(screening.report(rows))
    results.update({name: value for name, value, _ in rows})
    import bidding
    import export
    import forms
    import gradebook
    import people
    import retention
    import tables

    for module in (people, forms, bidding, export, gradebook, retention, tables):
        rows = module.measure()
        print()
        print(module.report(rows))
        results.update({name: value for name, value, *_ in rows})
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
