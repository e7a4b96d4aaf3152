"""The workbook's chart style: a Chinese-capable font, projector-sized text, colour-blind-safe colours."""

from __future__ import annotations

import io
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import matplotlib as mpl
from cycler import cycler
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from kamlib.charts.fonts import cjk_font

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour vision
# deficiency. Ordered for contrast on white; yellow and black come last.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
# Second channels, so no chart carries meaning by colour alone: one hatch / marker per colour.
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
# Neutral colours for tracks, grids and secondary text.
INK = "#222222"
MUTED = "#595959"
TRACK = "#EEEEEE"

BASE_SIZE = 14.0


def _title_weight(family: str) -> str:
    """Bold if the family has a bold face (the bundled font has only Regular), else normal."""
    weights = [e.weight for e in font_manager.fontManager.ttflist if e.name == family]
    return "bold" if any(isinstance(w, int) and w >= 600 for w in weights) else "normal"


def strong_weight() -> str:
    """The weight for emphasis in the chart font: bold where the font has a bold face, else normal
    (asking for a face the font lacks only makes matplotlib complain)."""
    return _title_weight(cjk_font().family)


@cache
def _rc() -> dict[RcKeyType, Any]:
    """The rcParams of the workbook style (the font is looked up once)."""
    family = cjk_font().family
    weight = _title_weight(family)
    return {
        "font.family": ["sans-serif"],
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": BASE_SIZE,
        "axes.titlesize": BASE_SIZE * 1.3,
        "axes.titleweight": weight,
        "axes.titlelocation": "left",
        "axes.titlepad": 12.0,
        "axes.labelsize": BASE_SIZE,
        "axes.labelcolor": INK,
        "axes.edgecolor": MUTED,
        "axes.linewidth": 1.0,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "axes.grid": False,
        "grid.color": "#CCCCCC",
        "grid.linewidth": 0.8,
        "xtick.labelsize": BASE_SIZE - 1,
        "ytick.labelsize": BASE_SIZE - 1,
        "xtick.color": INK,
        "ytick.color": INK,
        "legend.fontsize": BASE_SIZE - 1,
        "legend.frameon": False,
        "figure.titlesize": BASE_SIZE * 1.45,
        "figure.titleweight": weight,
        "figure.facecolor": "white",
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.facecolor": "white",
        "text.color": INK,
        "lines.linewidth": 2.5,
        "lines.markersize": 8.0,
        "hatch.linewidth": 1.0,
        "text.hinting": "no_hinting",  # FreeType draws the outlines as designed: CJK glyphs gain nothing from
        # the auto-hinter, and skipping it makes text-heavy charts (a big panorama) a tenth faster
        "axes.prop_cycle": cycler(color=list(PALETTE)) + cycler(marker=list(MARKERS)),
    }


def apply_style() -> None:
    """Set matplotlib's rcParams to the workbook style; cheap to call again."""
    rc = _rc()
    params = mpl.rcParams
    if any(params[key] != value for key, value in rc.items()):
        params.update(rc)


class WorkbookFigure(Figure):
    """A Figure that Jupyter shows as a PNG even when pyplot (and so the inline backend) is not loaded."""

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        buf = io.BytesIO()
        self.savefig(buf, format="png")
        width, height = self.get_size_inches() * 100  # shown at 100 px per inch, sharp on HiDPI
        return buf.getvalue(), {"width": round(width), "height": round(height)}


def new_figure(width: float = 9.0, height: float = 4.5,
               layout: Literal["constrained", "compressed", "tight"] | None = "constrained") -> Figure:
    """A styled Figure (inches) with its own Agg canvas and constrained layout; no pyplot state.

    ``layout=None`` leaves placing to the chart: for big charts whose layout is known in advance,
    which saves the layout engine's extra pass over every text.
    """
    apply_style()
    fig = WorkbookFigure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(fig)
    return fig


def left_title(fig: Figure, title: str, **props: Any) -> Text:
    """The figure's title at its left edge, where every chart of the workbook has it."""
    return fig.suptitle(title, x=0.01, ha="left", **props)


def shorten(text: str, limit: int, one_line: bool = False) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut; ``one_line`` first turns every run of
    spaces and line breaks into one space."""
    if one_line:
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def say_empty(ax: Axes, message: str, **props: Any) -> None:
    """Turn ``ax`` into a note in its middle (there is nothing to draw yet)."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=ax.transAxes, **props)


def empty_figure(message: str, title: str | None = None, width: float = 8.0, height: float = 2.2) -> Figure:
    """A small figure saying ``message`` (there is nothing to draw yet) under ``title`` (none when None)."""
    fig = new_figure(width, height)
    say_empty(fig.add_subplot(), message)
    if title is not None:
        left_title(fig, title)
    return fig
