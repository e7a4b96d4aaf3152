"""The start page's chart: how much of each chapter's sections the trainee has filled in."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator, PercentFormatter

from kamlib.charts.style import HATCHES, MUTED, PALETTE, TRACK, left_title, new_figure
from kamlib.i18n import Lang, check_lang, t
from kamlib.progress import ChapterProgress

FILLED_COLOR = PALETTE[0]
FILLED_HATCH = HATCHES[0]  # solid
NOT_STARTED_HATCH = HATCHES[1]  # diagonal lines on the empty track
BAR_HEIGHT = 0.62
INSIDE_FROM = 60  # from this percent on, the label goes inside the bar, in white


def percent(item: ChapterProgress) -> int:
    """The share of filled sections as a whole percent, as the chart labels it."""
    return round(item.share * 100)


def bar_label(item: ChapterProgress, lang: Lang) -> str:
    """The direct label of one bar, e.g. ``2/3 · 67%``."""
    return t(
        "charts.progress.bar_label",
        lang,
        filled=len(item.sections_filled),
        total=len(item.sections_total),
        percent=percent(item),
    )


def progress_chart(
    progress: list[ChapterProgress], lang: Lang, width: float = 9.0, height: float = 4.5
) -> Figure:
    """A horizontal bar per chapter (course order, top to bottom): share of its sections filled."""
    lang = check_lang(lang)
    fig = new_figure(width, height)
    ax = fig.add_subplot()
    rows = range(len(progress))

    # The track: the whole 100% of every chapter; hatched where the chapter is not started.
    for y, item in zip(rows, progress, strict=True):
        ax.barh(
            y,
            100,
            height=BAR_HEIGHT,
            color=TRACK,
            edgecolor=MUTED if not item.started else TRACK,
            hatch=NOT_STARTED_HATCH if not item.started else None,
            hatchcolor=MUTED,
            linewidth=0.8,
            zorder=1,
        )
    ax.barh(
        list(rows),
        [percent(item) for item in progress],
        height=BAR_HEIGHT,
        color=FILLED_COLOR,
        hatch=FILLED_HATCH or None,
        zorder=2,
    )

    for y, item in zip(rows, progress, strict=True):
        value = percent(item)
        inside = value >= INSIDE_FROM
        ax.text(
            value - 1.5 if inside else value + 1.5,
            y,
            bar_label(item, lang),
            ha="right" if inside else "left",
            va="center",
            color="white" if inside else "black",
            zorder=3,
            bbox=None if inside else {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
        )

    ax.set_yticks(list(rows), [t(f"course.chapter.{item.chapter}.short", lang) for item in progress])
    ax.tick_params(axis="y", length=0, pad=8)
    ax.set_ylim(len(progress) - 0.5, -0.5)  # first chapter on top
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_locator(MultipleLocator(25))
    ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.grid(axis="x", zorder=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(t("charts.progress.xlabel", lang))
    left_title(fig, t("charts.progress.title", lang))

    fig.legend(
        handles=[
            Patch(
                facecolor=FILLED_COLOR, hatch=FILLED_HATCH or None, label=t("charts.progress.filled", lang)
            ),
            Patch(facecolor=TRACK, edgecolor=TRACK, label=t("charts.progress.to_fill", lang)),
            Patch(
                facecolor=TRACK,
                edgecolor=MUTED,
                hatch=NOT_STARTED_HATCH,
                hatchcolor=MUTED,
                linewidth=0.8,
                label=t("charts.progress.not_started", lang),
            ),
        ],
        loc="outside lower center",
        ncols=3,
    )
    return fig
