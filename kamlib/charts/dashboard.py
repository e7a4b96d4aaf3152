"""Charts of the class dashboard and of a trainee's feedback: score spread, submissions, most missed items,
the class's pooled answers, a trainee's parts against the class. Data come from ``kamlib.gradebook``;
meaning is carried by position, hatch and marker as well as colour.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MultipleLocator, PercentFormatter

from kamlib.charts.people import panorama_chart
from kamlib.charts.screening import radp_grid, status_labels
from kamlib.charts.style import (
    HATCHES,
    INK,
    MARKERS,
    MUTED,
    PALETTE,
    TRACK,
    empty_figure,
    left_title,
    new_figure,
    shorten,
)
from kamlib.charts.tree import balanced_wrap, wrap_text
from kamlib.gradebook import ExerciseStats, ItemStats
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.workbook import Account, KeyAccountPick, KeyPerson
from kamlib.screening import LEVELS, STATUSES
from kamlib.settings import RadpSettings, load_settings

ROW_HEIGHT = 0.55  # inches per bar row
MAX_LABEL = 34


def _percent_axis(ax: object) -> None:
    ax.set_xlim(0, 100)  # type: ignore[attr-defined]
    ax.xaxis.set_major_locator(MultipleLocator(25))  # type: ignore[attr-defined]
    ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))  # type: ignore[attr-defined]
    ax.grid(axis="x", zorder=0)  # type: ignore[attr-defined]


def score_distribution_chart(stats: Sequence[ExerciseStats], labels: Sequence[str], lang: Lang) -> Figure:
    """Per exercise (one row each): every graded trainee's share of the points as a dot, with the box of
    the middle half and the median; mean and count written beside the row."""
    lang = check_lang(lang)
    rows = [(s, label) for s, label in zip(stats, labels, strict=True) if s.percents]
    if not rows:
        return empty_figure(t("dashboard.chart.empty", lang), t("dashboard.chart.spread_title", lang))
    fig = new_figure(11, 1.6 + ROW_HEIGHT * 1.8 * len(rows))
    ax = fig.add_subplot()
    jitter = random.Random(1)
    for y, (s, _) in enumerate(rows):
        ax.boxplot([s.percents], positions=[y], orientation="horizontal", widths=0.5, showfliers=False,
                   patch_artist=True, boxprops={"facecolor": TRACK, "edgecolor": MUTED},
                   medianprops={"color": INK, "linewidth": 3}, whiskerprops={"color": MUTED},
                   capprops={"color": MUTED}, zorder=2)
        ys = [y + jitter.uniform(-0.18, 0.18) for _ in s.percents]
        ax.scatter(s.percents, ys, s=36, color=PALETTE[0], marker=MARKERS[0], alpha=0.8, zorder=3,
                   edgecolors="white", linewidths=0.5)
        note = t("dashboard.chart.spread_note", lang, n=len(s.percents), mean=f"{s.mean:.0f}")
        ax.text(101, y, note, va="center", ha="left", color=MUTED, fontsize=11, clip_on=False)
    ax.set_yticks(range(len(rows)), [shorten(label, MAX_LABEL, one_line=True) for _, label in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    _percent_axis(ax)
    ax.set_xlabel(t("dashboard.chart.spread_x", lang))
    left_title(fig, t("dashboard.chart.spread_title", lang))
    return fig


def submission_status_chart(stats: Sequence[ExerciseStats], labels: Sequence[str], lang: Lang) -> Figure:
    """Per exercise: trainees who submitted on time, late, and not at all (stacked; hatched by kind)."""
    lang = check_lang(lang)
    if not stats:
        return empty_figure(t("dashboard.chart.empty", lang), t("dashboard.chart.status_title", lang))
    fig = new_figure(11, 1.8 + ROW_HEIGHT * len(stats))
    ax = fig.add_subplot()
    kinds = (("on_time", lambda s: s.submitted - s.late), ("late", lambda s: s.late), ("missing", lambda s: s.missing))
    left = [0.0] * len(stats)
    handles = []
    for n, (kind, value) in enumerate(kinds):
        widths = [float(value(s)) for s in stats]
        colour = (PALETTE[2], PALETTE[1], TRACK)[n]
        hatch = ("", "//", "xx")[n] or None
        ax.barh(range(len(stats)), widths, left=left, color=colour, hatch=hatch, edgecolor=MUTED, linewidth=0.6,
                height=0.6, zorder=2)
        for y, (x0, w) in enumerate(zip(left, widths, strict=True)):
            if w:
                ax.text(x0 + w / 2, y, f"{w:g}", ha="center", va="center", color=INK, fontsize=11, zorder=3,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        left = [a + b for a, b in zip(left, widths, strict=True)]
        handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor=MUTED, label=t(f"dashboard.chart.{kind}", lang)))
    ax.set_yticks(range(len(stats)), [shorten(label, MAX_LABEL, one_line=True) for label in labels])
    ax.set_ylim(len(stats) - 0.5, -0.5)
    ax.set_xlabel(t("dashboard.chart.trainees", lang))
    ax.grid(axis="x", zorder=0)
    left_title(fig, t("dashboard.chart.status_title", lang))
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    return fig


def most_missed_chart(items: Sequence[ItemStats], labels: Sequence[str], lang: Lang) -> Figure:
    """The items most of the class missed: share of graded trainees who did not get it (fully) right."""
    lang = check_lang(lang)
    if not items:
        return empty_figure(t("dashboard.chart.empty", lang), t("dashboard.chart.missed_title", lang))
    names = missed_labels(labels)
    lines = max(name.count("\n") + 1 for name in names)
    fig = new_figure(11, 1.6 + max(ROW_HEIGHT * 1.6, 0.2 * lines + 0.25) * len(items))
    ax = fig.add_subplot()
    rates = [100 * s.miss_rate for s in items]
    ax.barh(range(len(items)), rates, color=PALETTE[3], hatch=HATCHES[1], edgecolor="white", height=0.6, zorder=2)
    for y, (s, rate) in enumerate(zip(items, rates, strict=True)):
        ax.text(min(rate, 100) + 1, y, t("dashboard.chart.missed_note", lang, missed=s.missed, graded=s.graded),
                va="center", ha="left", fontsize=11, color=INK)
    ax.set_yticks(range(len(items)), names, fontsize=11)
    ax.set_ylim(len(items) - 0.5, -0.5)
    _percent_axis(ax)
    ax.set_xlim(0, 118)
    ax.tick_params(axis="x", labelbottom=True, bottom=True)
    ax.set_xlabel(t("dashboard.chart.missed_x", lang))
    left_title(fig, t("dashboard.chart.missed_title", lang))
    return fig


MISSED_TEXT_EM = 28  # an item's question beside its bar: lines this wide, in font sizes
MISSED_LINES = 4


def missed_labels(labels: Sequence[str]) -> list[str]:
    """The items' labels beside their bars: the first line (``ex01 box_a04``) as given, the question after it
    wrapped to at most ``MISSED_LINES`` lines. A question cut where another one cut alike still differs from it
    (rule items alike but for the part they name) keeps its last line instead, after …: no two read the same."""
    texts: Sequence[str]
    heads, texts = zip(*(label.partition("\n")[::2] for label in labels), strict=True) if labels else ((), ())
    texts = [" ".join(text.split()) for text in texts]
    full = [wrap_text(text, MISSED_TEXT_EM) if text else [] for text in texts]
    shown = [balanced_wrap(text, MISSED_TEXT_EM, MISSED_LINES) if len(lines) <= MISSED_LINES
             else wrap_text(text, MISSED_TEXT_EM, MISSED_LINES)
             for text, lines in zip(texts, full, strict=True)]
    clash = [any(shown[j] == shown[i] and texts[j] != texts[i] for j in range(len(texts))) for i in range(len(texts))]
    for i, clashes in enumerate(clash):
        if clashes:  # the beginning, …, and the end, where such questions differ
            keep = full[i][: MISSED_LINES - 2]
            shown[i] = [*keep, "…", full[i][-1]] if len(full[i]) > MISSED_LINES else full[i]
    return ["\n".join([head, *_closing_kept(lines)]) for head, lines in zip(heads, shown, strict=True)]


# never the first character of a line:
CLOSING = "\u201d\u2019\uff09\u300d\u300f\u3011\u300b\u3009\uff0c\u3002\u3001\uff1b\uff1a\uff1f\uff01)]}>,.;:?!%"


def _closing_kept(lines: list[str]) -> list[str]:
    """Lines where closing punctuation at the start of a line goes back to the end of the line before."""
    out: list[str] = []
    for line in lines:
        while out and line and line[0] in CLOSING:
            out[-1], line = out[-1] + line[0], line[1:]
        if line or not out:
            out.append(line)
    return out


def answer_distribution_chart(counts: Counter[str], keyed: set[str], labels: dict[str, str], title: str,
                              lang: Lang) -> Figure:
    """What the class answered to one choice item; the key's answers hatched and named in the legend."""
    lang = check_lang(lang)
    if not counts:
        return empty_figure(t("dashboard.chart.empty", lang), t("dashboard.chart.answers_title", lang))
    order = [a for a, _ in counts.most_common()]
    fig = new_figure(10, 1.6 + 0.45 * len(order))
    ax = fig.add_subplot()
    for y, answer in enumerate(order):
        right = answer in keyed
        ax.barh(y, counts[answer], color=PALETTE[2] if right else PALETTE[0], hatch=HATCHES[3] if right else None,
                edgecolor="white", height=0.6, zorder=2)
        ax.text(counts[answer] + 0.1, y, str(counts[answer]), va="center", ha="left", fontsize=11)
    names = [labels.get(a, t("dashboard.chart.blank", lang) if a == "—" else a) for a in order]
    ax.set_yticks(range(len(order)), [shorten(n, 40, one_line=True) for n in names])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlabel(t("dashboard.chart.submissions", lang))
    ax.grid(axis="x", zorder=0)
    left_title(fig, shorten(title, 90, one_line=True))
    fig.legend(handles=[Patch(facecolor=PALETTE[2], hatch=HATCHES[3], edgecolor="white",
                              label=t("dashboard.chart.keyed", lang)),
                        Patch(facecolor=PALETTE[0], edgecolor="white", label=t("dashboard.chart.other", lang))],
               loc="outside lower center", ncols=2)
    return fig


def pooled_boxes_chart(pooled: dict[str, Counter[str]], item_labels: dict[str, str], lang: Lang,
                       radp: RadpSettings | None = None, title_key: str = "dashboard.chart.pooled_title") -> Figure:
    """The class's picks by RADP box of the picked account: a 4×4 grid (rows R D A P, columns LEVEL0–3)
    with the count per pick item in each box, shaded by the total. ``title_key``: the catalog's title (the
    class's shared Share 1 accounts use the same grid)."""
    lang = check_lang(lang)
    radp = radp or load_settings().radp
    totals = Counter[str]()
    for counts in pooled.values():
        totals.update(counts)
    if not totals:
        return empty_figure(t("dashboard.chart.empty", lang), t(title_key, lang))
    fig = new_figure(11, 7.5)
    ax = fig.add_subplot()
    norm = Normalize(0, max(totals.values()))
    from matplotlib import colormaps

    cmap = colormaps["Blues"]
    for row, status in enumerate(STATUSES):
        for col, level in enumerate(LEVELS):
            box = f"{status}{level}"
            count = totals.get(box, 0)
            face = cmap(0.12 + 0.7 * norm(count)) if count else "white"
            ax.add_patch(Rectangle((col, row), 0.97, 0.97, facecolor=face, edgecolor=MUTED, linewidth=0.8))
            lines = [box] + [f"{shorten(item_labels.get(item, item), 14, one_line=True)} {c[box]}"
                             for item, c in pooled.items() if c.get(box)]
            dark = count and norm(count) > 0.6
            ax.text(col + 0.485, row + 0.485, "\n".join(lines), ha="center", va="center", fontsize=11,
                    color="white" if dark else INK)
    ax.set_xlim(0, 4)
    ax.set_ylim(4, 0)
    ax.set_xticks([c + 0.485 for c in range(4)], [f"LEVEL{level}" for level in LEVELS])
    ax.set_yticks([r + 0.485 for r in range(4)], status_labels(radp, lang), fontsize=11)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    left_title(fig, t(title_key, lang))
    return fig


def picks_grid(accounts: list[Account], picks: list[KeyAccountPick], lang: Lang) -> Figure:
    """A trainee's Top and Strategic picks on the RADP grid of the case (the settings in force)."""
    fig = radp_grid(accounts, picks, lang, load_settings().radp, width=11, height=7.5)
    left_title(fig, t("dashboard.chart.picks_title", lang))
    return fig


def people_map(people: list[KeyPerson], lang: Lang) -> Figure:
    """The case's key persons as the trainee coded them (the chapter 2 panorama)."""
    fig = panorama_chart(people, lang)
    left_title(fig, t("dashboard.chart.people_title", lang))
    return fig
