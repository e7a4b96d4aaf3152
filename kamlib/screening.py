"""RADP customer value model (COURSE.md 1.5): status by SoW, level by annual BP, the box."""

from __future__ import annotations

import math
from typing import Literal

from kamlib.errors import InputError
from kamlib.i18n import Text
from kamlib.settings import RadpSettings

Status = Literal["R", "D", "A", "P"]


def radp_status(sow_pct: float, settings: RadpSettings | None = None) -> Status:
    """R ≥ 50%, D ≥ 10%, A above 0, P at 0 (thresholds from the settings in force)."""
    s = settings or RadpSettings()
    if sow_pct is None or not math.isfinite(sow_pct) or not 0 <= sow_pct <= 100:
        raise InputError(
            "errors.field.line",
            field=Text("fields.sow_pct"), where="SoW", problem=Text("screening.sow_range"),
        )
    if sow_pct >= s.sow_retainable_pct:
        return "R"
    if sow_pct >= s.sow_developable_pct:
        return "D"
    return "A" if sow_pct > 0 else "P"


def radp_level(bp_wan: float, settings: RadpSettings | None = None) -> int:
    """Level 0–3 by annual buying power in wan yuan (100 / 300 / 500 by default; ≥ at each bound)."""
    s = settings or RadpSettings()
    if bp_wan is None or not math.isfinite(bp_wan) or bp_wan < 0:
        raise InputError(
            "errors.field.line",
            field=Text("fields.bp_wan"), where="BP", problem=Text("screening.bp_range"),
        )
    bounds = (s.bp_level1_wan, s.bp_level2_wan, s.bp_level3_wan)
    return sum(bp_wan >= b for b in bounds)


def radp_box(sow_pct: float, bp_wan: float, settings: RadpSettings | None = None) -> str:
    """The box of the 4×4 grid, e.g. ``"D2"``."""
    return f"{radp_status(sow_pct, settings)}{radp_level(bp_wan, settings)}"
