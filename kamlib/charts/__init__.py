"""Charts of the workbook (matplotlib): styled, bilingual, and never carrying meaning by colour alone.

Importing this package imports matplotlib; nothing else in kamlib does.
"""

from kamlib.charts.fonts import FontChoice, cjk_font
from kamlib.charts.progress import progress_chart
from kamlib.charts.screening import bp_sow_scatter, radp_grid, screening_pyramid
from kamlib.charts.style import apply_style, new_figure

__all__ = [
    "FontChoice",
    "apply_style",
    "bp_sow_scatter",
    "cjk_font",
    "new_figure",
    "progress_chart",
    "radp_grid",
    "screening_pyramid",
]
