"""Speed of chapter 1's list tools, measured (not asserted): `python benchmarks/screening.py`.

- `classify` (vectorised RADP boxes): 1,000,000 accounts < 0.1 s, 50,000 < 10 ms, against the
  row-by-row `classify_rows` on the same data (1,000,000 rows scaled from a 100,000-row sample);
- `read_account_table`: a 50,000-row CSV < 0.5 s, a 50,000-row XLSX < 1.5 s (calamine), and the raw
  XLSX read with calamine against openpyxl.

The data are synthetic (fixed seed), written to a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from measure import report, timed  # noqa: E402

from kamlib.accounts_io import read_account_table, write_table  # noqa: E402
from kamlib.screening import classify, classify_rows  # noqa: E402

SEED = 20260101
ROW_SAMPLE = 100_000  # classify_rows on 1,000,000 rows is timed on this many rows, then scaled


def radp_data(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """SoW (%) and BP (wan yuan) of ``n`` accounts: a fifth at SoW 0, BP log-normal around 150 wan."""
    rng = np.random.default_rng(seed)
    sow = np.round(rng.uniform(0, 100, n), 1)
    sow[rng.random(n) < 0.2] = 0
    bp = np.round(rng.lognormal(5, 1.2, n), 1)
    return sow, bp


def account_list(n: int, seed: int = SEED) -> pd.DataFrame:
    """A list as trainees keep them: Chinese headers, mixed cell formats, two past years, 0.5 % bad rows."""
    rng = np.random.default_rng(seed)
    sow, bp = radp_data(n, seed)
    pick = lambda options: np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]  # noqa: E731
    bp_text = np.where(rng.random(n) < 0.3, [f"{v:,.1f}" for v in bp], bp.astype(str)).astype(object)
    sow_text = np.where(rng.random(n) < 0.3, [f"{v:g}%" for v in sow], sow.astype(str)).astype(object)
    bad = rng.random(n) < 0.005
    sow_text[bad] = "150"
    frame = pd.DataFrame({
        "\u5ba2\u6237\u540d\u79f0": [f"Account_{i}" for i in range(n)],
        "\u884c\u4e1a": pick(["Manufacturing", "Finance", "Retail", "Energy"]),
        "Segment": pick(["lb", "industry", "ga", "smb", "home"]),
        "BP (\u4e07\u5143)": bp_text,
        "SoW %": sow_text,
        "BP 2024 (\u4e07\u5143)": np.round(bp * rng.uniform(0.8, 1.2, n), 1),
        "SoW 2024 %": np.round(np.clip(sow + rng.normal(0, 5, n), 0, 100), 1),
        "BP 2023 (\u4e07\u5143)": np.round(bp * rng.uniform(0.7, 1.3, n), 1),
        "SoW 2023 %": np.round(np.clip(sow + rng.normal(0, 8, n), 0, 100), 1),
        "Benchmark": pick(["yes", "no", ""]),
        "Size/influence": pick(["large", "medium", "small"]),
        "Contribution": pick(["Margin", "Revenue", "Margin, Revenue", ""]),
        "Coverage": pick(["OS", "IS", "channel"]),
        "Relationship": pick(["good", "average", "poor"]),
        "Work order": pick(["near", "mid", "long", ""]),
        "Notes": pick(["", "", "renewal due", "new CIO"]),
    })
    return frame



def measure() -> list[tuple[str, float, float | None]]:
    """Every figure as (what, seconds, target in seconds or None)."""
    rows: list[tuple[str, float, float | None]] = []
    sow1m, bp1m = radp_data(1_000_000)
    sow50k, bp50k = sow1m[:50_000].copy(), bp1m[:50_000].copy()
    rows.append(("classify, 1,000,000 accounts (s)", timed(lambda: classify(sow1m, bp1m), 15), 0.1))
    rows.append(("classify, 50,000 accounts (s)", timed(lambda: classify(sow50k, bp50k), 50), 0.010))
    sow_l, bp_l = sow50k.tolist(), bp50k.tolist()
    rows_50k = timed(lambda: classify_rows(sow_l, bp_l), 3)
    rows.append(("classify_rows, 50,000 accounts (s)", rows_50k, None))
    sow_s, bp_s = sow1m[:ROW_SAMPLE].tolist(), bp1m[:ROW_SAMPLE].tolist()
    rows_1m = timed(lambda: classify_rows(sow_s, bp_s), 2) * (1_000_000 / ROW_SAMPLE)
    rows.append((f"classify_rows, 1,000,000 accounts, scaled from {ROW_SAMPLE:,} (s)", rows_1m, None))
    assert list(classify(sow50k, bp50k)["box"].astype(str)) == classify_rows(sow_l, bp_l)
    rows.append(("speed-up of classify, 50,000 (x)", rows_50k / rows[1][1], None))
    rows.append(("speed-up of classify, 1,000,000 (x)", rows_1m / rows[0][1], None))

    frame = account_list(50_000)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_table(frame, Path(tmp) / "accounts.csv")
        xlsx_path = write_table(frame, Path(tmp) / "accounts.xlsx")
        table = read_account_table(csv_path)
        assert len(table.frame) + table.skipped_rows == 50_000 and table.skipped_rows > 0
        assert len(read_account_table(xlsx_path).frame) == len(table.frame)
        rows.append(("import 50,000-row CSV (s)", timed(lambda: read_account_table(csv_path), 5), 0.5))
        rows.append(("import 50,000-row XLSX, calamine (s)", timed(lambda: read_account_table(xlsx_path), 3), 1.5))
        options = {"header": None, "dtype": object, "na_filter": False}
        rows.append(("read 50,000-row XLSX only, calamine (s)",
                     timed(lambda: pd.read_excel(xlsx_path, engine="calamine", **options), 3), None))
        rows.append(("read 50,000-row XLSX only, openpyxl (s)",
                     timed(lambda: pd.read_excel(xlsx_path, engine="openpyxl", **options), 1), None))
    return rows



def main() -> None:
    print(report(measure()))


if __name__ == "__main__":
    main()
