"""What every chart test needs: draw a figure to PNG and catch what matplotlib warned about."""

from __future__ import annotations

import io
import re
import warnings

from matplotlib.figure import Figure
from matplotlib.text import Text

GLYPH_WARNING = re.compile(r"Glyph|missing from font", re.IGNORECASE)


def render_png(fig: Figure) -> tuple[bytes, list[str]]:
    """PNG bytes of the figure and every warning raised while drawing it."""
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format="png")
    return buf.getvalue(), [str(w.message) for w in caught]


def glyph_warnings(messages: list[str]) -> list[str]:
    """The warnings that mean a character was drawn as an empty box."""
    return [m for m in messages if GLYPH_WARNING.search(m)]


def texts(fig: Figure) -> list[str]:
    """Every visible, non-empty text of the figure."""
    return [a.get_text() for a in fig.findobj(Text) if a.get_visible() and a.get_text()]


def text_boxes(fig: Figure, gid_prefix: str) -> list:
    """The drawn extents (display units) of the texts whose gid starts with ``gid_prefix``."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in fig.findobj(Text)
            if str(a.get_gid()).startswith(gid_prefix) and a.get_visible() and a.get_text()]


def overlapping(boxes: list) -> list[tuple[int, int]]:
    """Pairs of boxes (by index) that intersect."""
    return [(i, j) for i, a in enumerate(boxes) for j in range(i + 1, len(boxes)) if a.overlaps(boxes[j])]
