"""Figures to bytes, for notebooks, exports and tests."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def to_png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (tight bounding box, white background)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buf.getvalue()
