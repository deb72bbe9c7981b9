"""Charts for the leadership report: matplotlib Figures with Chinese text, embedded as SVG."""

from __future__ import annotations

import contextlib
import functools
import io
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib
import pandas as pd
from cycler import cycler
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox

from reportkit.contract import vocab
from reportkit.present import fonts, layout

# Okabe–Ito: distinguishable with the common colour-vision deficiencies and in greyscale print.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
NO_DATA = "本年无数据"
SIZE = (6.4, 3.2)

_font_name: str | None = None


def setup() -> str:
    """Register Noto Sans CJK SC with matplotlib (once); returns its family name."""
    global _font_name
    if _font_name is None:
        font_manager.fontManager.addfont(str(fonts.SANS_FILE))
        _font_name = font_manager.FontProperties(fname=str(fonts.SANS_FILE)).get_name()
    return _font_name


def style() -> contextlib.AbstractContextManager:
    """The kit's chart style, for drawing and saving inside it; matplotlib's global settings (an
    analyst's own plots) are left as they were."""
    return matplotlib.rc_context(
        {
            "font.family": [setup(), "DejaVu Sans"],
            "axes.unicode_minus": False,
            # Text from the ledgers is drawn as written: a 「$」 in an 活动类型 is no TeX to parse
            # (a lone or odd one stopped the chart with matplotlib's parse error).
            "text.parse_math": False,
            # Counts as whole numbers on the axis, however large (a county's 参与人次 can pass a
            # million): no 「1e6」 above the axis with 0.15, 0.30 … along it, no offset.
            "axes.formatter.limits": (-9, 15),
            "axes.formatter.useoffset": False,
            "axes.prop_cycle": cycler(color=OKABE_ITO),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": False,
            "axes.titlesize": 12,
            "axes.titleweight": "normal",
            "axes.labelsize": 10,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "figure.dpi": 100,
            "savefig.bbox": "tight",
            "svg.fonttype": "path",
            # A fixed salt makes the SVG ids, and so the report, identical from run to run.
            "svg.hashsalt": "reportkit",
        }
    )


def _styled(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """A chart function that draws in the kit's style."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with style():
            return draw(*args, **kwargs)

    return wrapper


def _figure(size: tuple[float, float] = SIZE) -> tuple[Figure, Axes]:
    # Figure() rather than pyplot: nothing is registered, so nothing is auto-shown in a notebook.
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _counts_on(axis: Axis) -> None:
    """Counts are whole numbers: no 0.5 ticks on the value axis (never on a category axis)."""
    axis.set_major_locator(MaxNLocator(integer=True))


@_styled
def no_data(title: str, message: str = NO_DATA) -> Figure:
    """A chart-sized figure saying there is nothing to draw."""
    fig, ax = _figure((6.4, 1.4))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        fontsize=12,
        color="#555555",
        transform=ax.transAxes,
    )
    return fig


def _is_empty(values: Sequence[float] | pd.Series | pd.DataFrame) -> bool:
    frame = pd.DataFrame(values)
    return frame.size == 0 or not (frame.fillna(0).to_numpy() != 0).any()


# A bar's category label: at most this many full-width characters a line (two half-width ones
# count as one), and at most this many lines; what is longer ends in 「…」 (the alt text and the
# tables keep it whole). Every label of the kit's own data fits on one line.
LABEL_WIDTH = 14
LABEL_LINES = 3


def _wrapped(label: str) -> str:
    """A category label broken into lines of LABEL_WIDTH, as Chinese text breaks (between any
    two characters), cut to LABEL_LINES lines with 「…」: a long 活动类型 from a ledger would
    otherwise push the bars off a chart the page then shrinks to an unreadable strip."""
    lines, line, width = [], "", 0.0
    for ch in " ".join(label.split()):
        w = layout.width_chars(ch)
        if width + w > LABEL_WIDTH:
            lines.append(line)
            line, width = "", 0.0
        line, width = line + ch, width + w
    lines.append(line)
    if len(lines) > LABEL_LINES:
        lines = [*lines[: LABEL_LINES - 1], lines[LABEL_LINES - 1][:-1] + "…"]
    return "\n".join(lines)


def _hbar(values: pd.Series, title: str, xlabel: str) -> Figure:
    """Horizontal bars, largest on top, each labelled with its value (long Chinese labels are
    broken into lines, the rows made taller for them)."""
    values = values.astype("int64")
    labels = [_wrapped(str(i)) for i in values.index][::-1]
    rows = sum(0.34 + 0.16 * label.count("\n") for label in labels)
    fig, ax = _figure((6.4, max(1.8, 0.8 + rows)))
    # At positions, not as categories: two long labels cut to the same text stay two bars.
    positions = range(len(labels))
    bars = ax.barh(positions, values.to_numpy()[::-1], color=OKABE_ITO[0], height=0.6)
    ax.set_yticks(positions, labels)
    ax.bar_label(bars, padding=3, fontsize=9)
    _counts_on(ax.xaxis)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.margins(x=0.12)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return fig


def _measure(df: pd.DataFrame, measure: str) -> pd.Series | None:
    """The outreach measure to draw, or None when there is none to draw (no such column, all 0)."""
    return None if measure not in df.columns or _is_empty(df[measure]) else df[measure]


@_styled
def outreach_by_type(
    df: pd.DataFrame, measure: str = "场次", title: str = "宣传活动场次（按活动类型）"
) -> Figure:
    """Bars of one measure by 活动类型, from figures.outreach_by_type: the largest first, and
    past MAX_BARS types the smallest summed into one bar 「其余N类」 (the alt text and the
    ledger keep every type)."""
    values = _measure(df, measure)
    return no_data(title) if values is None else _hbar(_top(values), title, measure)


MAX_BARS = 12


def _top(values: pd.Series) -> pd.Series:
    """The values largest first (ties in the ledger's order); more than MAX_BARS of them: the
    MAX_BARS - 1 largest, then the others summed as 「其余N类」."""
    values = values.sort_values(ascending=False, kind="stable")
    if len(values) <= MAX_BARS:
        return values
    rest = values.iloc[MAX_BARS - 1 :]
    other = pd.Series([rest.sum()], index=[f"其余{len(rest)}类"])
    return pd.concat([values.iloc[: MAX_BARS - 1], other])


@_styled
def outreach_by_month(
    df: pd.DataFrame, measure: str = "场次", title: str = "宣传活动场次（按月份）"
) -> Figure:
    """Bars of one measure for months 1–12, from figures.outreach_by_month."""
    values = _measure(df, measure)
    if values is None:
        return no_data(title)
    values = values.reindex(range(1, 13), fill_value=0).astype("int64")
    fig, ax = _figure()
    bars = ax.bar(
        [f"{m}月" for m in values.index], values.to_numpy(), color=OKABE_ITO[0], width=0.65
    )
    ax.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=2, fontsize=8)
    _counts_on(ax.yaxis)
    ax.set_title(title)
    ax.set_xlabel(df.index.name or "月份")
    _unit(ax, measure)
    ax.margins(y=0.12)
    return fig


def _unit(ax: Axes, text: str) -> None:
    """The value axis' unit, upright above the axis as Chinese charts write it (not rotated)."""
    ax.set_ylabel(text, rotation=0, ha="left", va="bottom")
    ax.yaxis.set_label_coords(-0.02, 1.02)


def _grouped(ax: Axes, table: pd.DataFrame) -> None:
    """Grouped bars: one group per index value, one bar per column, each labelled."""
    n = len(table.columns)
    width = 0.8 / n
    positions = range(len(table.index))
    for i, column in enumerate(table.columns):
        xs = [p - 0.4 + width * (i + 0.5) for p in positions]
        bars = ax.bar(
            xs,
            table[column].to_numpy(),
            width=width * 0.92,
            label=str(column),
            color=OKABE_ITO[i % 8],
        )
        ax.bar_label(bars, padding=2, fontsize=8)
    ax.set_xticks(list(positions), [str(i) for i in table.index])
    _counts_on(ax.yaxis)
    ax.margins(y=0.15)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))


@_styled
def decisions_by_year(df: pd.DataFrame, title: str | None = None) -> Figure:
    """行政许可、行政处罚、行政强制 per year as grouped bars, from figures.decisions_by_year."""
    title = title or "、".join(str(c) for c in df.columns) + "决定数量"
    if _is_empty(df):
        return no_data(title)
    fig, ax = _figure()
    _grouped(ax, df.astype("int64"))
    ax.set_title(title)
    ax.set_xlabel(df.index.name or "年度")
    _unit(ax, "件数")
    return fig


@_styled
def requests_outcomes(series: pd.Series, title: str = vocab.RESULTS) -> Figure:
    """Concluded requests by outcome group （一）–（六）, from figures.requests_outcomes."""
    if _is_empty(series):
        return no_data(title)
    return _hbar(series, title, series.name or "件数")


@_styled
def appeals(t4: pd.DataFrame, title: str | None = None) -> Figure:
    """表四 as grouped bars: 行政复议 and the two kinds of 行政诉讼 by result (without 总计)."""
    title = title or vocab.SECTIONS[3]["title"]
    results = [c for c in vocab.T4_COLUMNS if c != vocab.TOTAL]
    table = t4.reindex(index=vocab.APPEAL_KINDS, columns=results).fillna(0).astype("int64")
    if _is_empty(table):
        return no_data(title)
    fig, ax = _figure()
    _grouped(ax, table)
    ax.set_title(title)
    _unit(ax, "件数")
    return fig


_SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def _svg(buf: io.BytesIO) -> bytes:
    # The DOCTYPE only names a DTD URL nobody fetches; dropping it keeps the page free of addresses.
    return re.sub(rb"<!DOCTYPE[^>]*>\s*", b"", buf.getvalue(), count=1)


def _as_written(fig: Figure) -> None:
    """Every text of the figure drawn as written, whenever it was made (style() covers the
    texts made inside it; tick labels made before, by an analyst's look at them, are not)."""
    for text in fig.findobj(Text):
        text.set_parse_math(False)


def svg_bytes(fig: Figure) -> bytes:
    """The figure as a font-free SVG (text as paths), without metadata."""
    buf = io.BytesIO()
    _as_written(fig)
    with style():
        fig.savefig(buf, format="svg", metadata=_SVG_METADATA)
    return _svg(buf)


# PNG written with zlib's run-length strategy (Z_RLE = 3): a chart is long runs of one colour,
# which it packs nearly as well (a file about 6 % bigger) in 60 % of the time of the default's
# search; the pixels are the same. No "Software" text: the bytes do not name a version.
_PNG_OPTIONS: dict[str, Any] = {"metadata": {"Software": None}, "pil_kwargs": {"compress_type": 3}}


def svg_and_png(fig: Figure, png_dpi: float) -> tuple[bytes, bytes]:
    """The figure as SVG (as svg_bytes) and as PNG at `png_dpi`, laid out once.

    savefig with a tight bounding box draws the figure twice (once to lay out and measure, once
    to write), and a second savefig does it all again. Here the constrained layout is worked out
    once, with the SVG renderer as svg_bytes does, without drawing; the tight box is read off
    that layout (_laid_out_box) rather than measured again; and both files are written from that
    fixed layout: two draws instead of four. The SVG is svg_bytes' (up to float noise in clip
    ids, and a hundredth of a point of margin); the PNG is the same picture, its layout measured
    with the SVG's renderer rather than its own (sub-pixel shifts of text, no visible change).
    """
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    svg, png = io.BytesIO(), io.BytesIO()
    _as_written(fig)
    _get_renderer = _renderer_of()
    if _get_renderer is None:
        return _plain_svg_and_png(fig, png_dpi)
    with style():
        engine, canvas = fig.get_layout_engine(), fig.canvas
        try:
            # What savefig(format="svg", bbox_inches="tight") works out before it writes.
            renderer = _get_renderer(fig, FigureCanvasSVG(fig).print_svg)
            with warnings.catch_warnings(record=True) as caught:  # a layout that gave up warns
                warnings.simplefilter("always")
                if engine is not None:
                    engine.execute(fig)
            for w in caught:  # said again, as savefig would have let it be said
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            box = None if caught else _laid_out_box(fig, engine, renderer)
            if box is None:
                box = fig.get_tightbbox(renderer)
            box = box.padded(matplotlib.rcParams["savefig.pad_inches"])
        finally:
            fig.set_canvas(canvas)
        # No engine at all (set_layout_engine("none") would leave a placeholder, and savefig
        # draws once more for any engine): the layout done above is the one written.
        fig._layout_engine = None
        try:
            fig.savefig(svg, format="svg", metadata=_SVG_METADATA, bbox_inches=box)
            fig.savefig(png, format="png", dpi=png_dpi, bbox_inches=box, **_PNG_OPTIONS)
        finally:
            fig._layout_engine = engine
    return _svg(svg), png.getvalue()


def _laid_out_box(fig: Figure, engine: Any, renderer: Any) -> Bbox | None:
    """The figure's tight box (inches, before padding) as the constrained layout has just made
    it, without measuring every artist again; None where that is not known.

    The layout fits every decoration of every axes (ticks, tick labels, titles, legends, bar
    labels) inside the figure, up to its pads, and draws the axes to those pads where nothing
    is in the way: the tight box is the figure less the pads. Only the axis labels it fits by
    their width across the axis are measured (a value axis' unit, written above the axis, sticks
    out of the top). For the kit's charts this is the box fig.get_tightbbox gives, to within a
    hundredth of a point (tests/test_perf.py); a figure with another engine, with artists of
    the figure's own, or a layout that gave up (it warns) is measured in full.
    """
    if not isinstance(engine, ConstrainedLayoutEngine):
        return None
    # What is drawn on the figure itself (fig.text, a figure legend, subfigures) is not the
    # layout's to fit: measured then.
    if any((fig.texts, fig.legends, fig.images, fig.patches, fig.lines, fig.artists, fig.subfigs)):
        return None
    info = engine.get()
    if tuple(info["rect"]) != (0, 0, 1, 1):
        return None
    width, height = fig.get_size_inches()
    box = Bbox([[info["w_pad"], info["h_pad"]], [width - info["w_pad"], height - info["h_pad"]]])
    to_inches = fig.dpi_scale_trans.inverted()
    for ax in fig.axes:
        for label in (ax.xaxis.label, ax.yaxis.label):
            if label.get_visible() and label.get_text():
                box = Bbox.union([box, label.get_window_extent(renderer).transformed(to_inches)])
    return box


def _renderer_of() -> Callable[..., Any] | None:
    """matplotlib.backend_bases._get_renderer, an internal (3.6 to 3.11 at least), or None."""
    import matplotlib.backend_bases

    return getattr(matplotlib.backend_bases, "_get_renderer", None)


def _plain_svg_and_png(fig: Figure, png_dpi: float) -> tuple[bytes, bytes]:
    """Both pictures the plain way (two savefigs, each laying out and drawing twice)."""
    png = io.BytesIO()
    with style():
        fig.savefig(png, format="png", dpi=png_dpi, bbox_inches="tight", **_PNG_OPTIONS)
    return svg_bytes(fig), png.getvalue()


def close(fig: Figure) -> None:
    """Release a figure; only pyplot-made figures are registered anywhere."""
    if fig.canvas.manager is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
