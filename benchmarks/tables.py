"""Tables written and read at scale, measured (not asserted): `python benchmarks/tables.py`.

- writing an 8-column list (what `kam screen --out` writes) of 100,000 and 1,000,000 rows to XLSX
  with `write_table`: wall time and peak memory (maximum resident set of a fresh process, so the
  imports count too; the process that only builds the list is measured for comparison);
- the same 1,000,000 rows to CSV;
- reading an XLSX of 1 MB that unpacks to 1 GB (a zip bomb): how long until it is refused, and the
  peak memory of the process that tries;
- the size check on an honest 50,000-row XLSX (what it adds to every import).

Each figure comes from its own interpreter, so one measurement's memory does not count in the next.
Pass `--quick` to skip the 1,000,000-row runs.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from measure import Row, report

ROOT = Path(__file__).resolve().parents[1]
BOMB_UNPACKED = 1 << 30  # 1 GiB of sheet XML

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
import tables
start = time.perf_counter()
outcome = tables.{task}(*{args!r})
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak_mb, "outcome": outcome}}))
"""


def screened_list(n: int) -> object:
    """``n`` rows as ``kam screen`` writes them: name, industry, BP, SoW, notes, status, level, box."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2026)
    boxes = np.array([f"{s}{lv}" for s in "RADP" for lv in range(4)], dtype=object)[rng.integers(0, 16, n)]
    return pd.DataFrame({
        "Account": [f"Account {i:07d}" for i in range(n)],
        "Industry": np.array(["Manufacturing", "Finance", "Retail", "Energy"], dtype=object)[rng.integers(0, 4, n)],
        "BP (wan)": np.round(rng.lognormal(5, 1.2, n), 1),
        "SoW %": np.round(rng.uniform(0, 100, n), 1),
        "Notes": np.array(["", "renewal due", "new CIO", "=HYPERLINK(\"x\")"], dtype=object)[rng.integers(0, 4, n)],
        "status": [b[0] for b in boxes],
        "level": pd.array([int(b[1]) for b in boxes], dtype="Int8"),
        "box": boxes,
    })


def build_only(n: int) -> str:
    """Only build the list (the memory every write starts from)."""
    screened_list(n)
    return "built"


def write_list(n: int, suffix: str) -> str:
    """Build ``n`` rows and write them with ``write_table``; the outcome names the file's size."""
    from kamlib.accounts_io import write_table

    frame = screened_list(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(frame, Path(tmp) / f"list{suffix}")  # type: ignore[arg-type]
        return f"{path.stat().st_size / 1e6:.1f} MB"


def bomb(path: Path, unpacked: int = BOMB_UNPACKED) -> Path:
    """A well-formed XLSX whose first sheet is ``unpacked`` bytes of XML, compressed about 1000-fold."""
    from kamlib.accounts_io import write_table

    seed = Path(write_table(screened_list(3), path.with_name("seed.xlsx")))
    with zipfile.ZipFile(seed) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            pad = b" " * (1 << 20)
            with out.open(item.filename, "w", force_zip64=True) as fh:
                fh.write(head)
                for _ in range((unpacked - len(data)) // len(pad)):
                    fh.write(pad)
                fh.write(b"</sheetData>" + tail)
    return path


def read_list(path: str) -> str:
    """Read ``path`` with ``read_account_table``; the outcome says what happened."""
    from kamlib.accounts_io import read_account_table
    from kamlib.errors import KamError

    try:
        table = read_account_table(path)
    except KamError as exc:
        return "refused: " + exc.message("en").splitlines()[0][:120]
    return f"read {len(table.frame)} rows"


def check_only(path: str, repeat: int = 20) -> str:
    """The XLSX size check alone, ``repeat`` times; the outcome is the time of one check."""
    import time

    from kamlib import tables as kt
    from kamlib.errors import KamError

    start = time.perf_counter()
    for _ in range(repeat):
        with contextlib.suppress(KamError):  # the bomb is refused, as it should be
            kt.check_xlsx_size(Path(path), path)
    return f"{(time.perf_counter() - start) / repeat * 1000:.1f} ms per check"


def run_child(task: str, *args: object) -> dict[str, object]:
    """Run ``task(*args)`` of this script in a fresh interpreter: seconds, peak MB and outcome."""
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"), task=task, args=args)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(quick: bool = False) -> list[Row]:
    """Every figure as (what, value, target or None)."""
    rows: list[Row] = []
    sizes = (100_000,) if quick else (100_000, 1_000_000)
    for n in sizes:
        base = run_child("build_only", n)
        rows.append((f"build {n:,} rows only, peak memory (MB)", float(base["peak_mb"]), None))
        result = run_child("write_list", n, ".xlsx")
        print(f"  {n:,} rows to XLSX: {result['outcome']}", file=sys.stderr)
        rows.append((f"write {n:,} rows to XLSX (s)", float(result["seconds"]), None))
        rows.append((f"write {n:,} rows to XLSX, peak memory (MB)", float(result["peak_mb"]), None))
    if not quick:
        result = run_child("write_list", 1_000_000, ".csv")
        rows.append(("write 1,000,000 rows to CSV (s)", float(result["seconds"]), None))
        rows.append(("write 1,000,000 rows to CSV, peak memory (MB)", float(result["peak_mb"]), None))
    with tempfile.TemporaryDirectory() as tmp:
        path = bomb(Path(tmp) / "bomb.xlsx")
        print(f"  bomb: {path.stat().st_size / 1e6:.2f} MB packed, {BOMB_UNPACKED >> 20} MB unpacked",
              file=sys.stderr)
        result = run_child("read_list", str(path))
        print(f"  bomb: {result['outcome']}", file=sys.stderr)
        rows.append(("read a 1 MB XLSX that unpacks to 1 GB (s)", float(result["seconds"]), 1.0))
        rows.append(("read a 1 MB XLSX that unpacks to 1 GB, peak memory (MB)", float(result["peak_mb"]), None))
        from kamlib.accounts_io import write_table

        honest = write_table(screened_list(50_000), Path(tmp) / "honest.xlsx")  # type: ignore[arg-type]
        for name, target in (("bomb", path), ("honest 50,000-row XLSX", honest)):
            result = run_child("check_only", str(target))
            seconds = float(str(result["outcome"]).split()[0]) / 1000
            rows.append((f"size check of the {name} (s)", seconds, 0.2))
    return rows


def main() -> None:
    print(report(measure(quick="--quick" in sys.argv)))


if __name__ == "__main__":
    main()
