"""Figures to bytes, for notebooks, exports and tests."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

MAX_WIDTH_PX = 2400  # wider than any screen: a very wide chart is drawn at a lower resolution
LIVE_PIXELS = 3_000_000  # a chart shown on screen larger than this (a tall map) is drawn at a lower resolution


def to_png(fig: Figure, dpi: int = 110, tight: bool = True, fast: bool = False) -> bytes:
    """The figure as PNG bytes on white. ``tight`` crops to what is drawn, at the cost of a second
    drawing pass; charts whose layout engine already places every text can skip it. ``fast``
    compresses less (larger bytes, sooner): for images shown on this machine, not files to keep."""
    buf = io.BytesIO()
    width, height = fig.get_size_inches()
    dpi = min(dpi, int(MAX_WIDTH_PX / width))
    if fast:  # on screen: beyond a few million pixels a bigger image only costs time to draw and send
        dpi = min(dpi, int((LIVE_PIXELS / (width * height)) ** 0.5))
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None, facecolor="white",
                pil_kwargs={"compress_level": 1 if fast else 6})
    return buf.getvalue()
