"""Charts of the workbook (matplotlib): styled, bilingual, and never carrying meaning by colour alone.

Importing this package imports matplotlib; nothing else in kamlib does.
"""

from kamlib.charts.fonts import FontChoice, cjk_font
from kamlib.charts.progress import progress_chart
from kamlib.charts.style import apply_style, new_figure

__all__ = ["FontChoice", "apply_style", "cjk_font", "new_figure", "progress_chart"]
