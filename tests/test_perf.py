"""Per-task cost (issue #14): charts drawn once per format, narrative templates compiled once."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from reportkit.contract import vocab
from reportkit.present import charts, content


def decisions() -> pd.DataFrame:
    return pd.DataFrame(
        {"行政许可": [121, 105], "行政处罚": [59, 57], "行政强制": [6, 4]},
        index=pd.Index([2020, 2021], name="年度"),
    )


def test_chart_block_lays_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # savefig(bbox_inches="tight") twice drew the figure 4 times (measure + write, per format);
    # one draw per format is enough, the layout and tight box worked out without drawing.
    draws: list[int] = []
    original = Figure.draw

    def counting(self: Figure, renderer: object) -> None:
        draws.append(1)
        original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting)
    block = content.chart_block(charts.decisions_by_year(decisions()), "alt")
    assert len(draws) == 2
    assert block["svg"] and block["png"]


def test_png_is_the_svg_picture_at_200_dpi() -> None:
    # The PNG is cut to the same tight box as the SVG: its size in pixels is the SVG's size in
    # points (1/72 inch) × 200/72, to within a pixel of rounding.
    svg, png = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    w_pt, h_pt = (
        float(x) for x in re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    )
    w_px, h_px = Image.open(io.BytesIO(png)).size
    assert abs(w_px - w_pt * 200 / 72) <= 1.5
    assert abs(h_px - h_pt * 200 / 72) <= 1.5
    assert not svg.startswith(b"<!DOCTYPE") and b"<!DOCTYPE" not in svg


def test_a_matplotlib_without_the_internal_still_gives_both_pictures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # svg_and_png leans on matplotlib.backend_bases._get_renderer; a release without it falls
    # back to two plain savefigs: the same SVG, a PNG of the same size to within a pixel.
    fast_svg, fast_png = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    monkeypatch.setattr(charts, "_renderer_of", lambda: None)
    svg, png = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    assert svg == charts.svg_bytes(charts.decisions_by_year(decisions()))
    (w, h), (fw, fh) = Image.open(io.BytesIO(png)).size, Image.open(io.BytesIO(fast_png)).size
    assert abs(w - fw) <= 1 and abs(h - fh) <= 1


def test_svg_is_what_svg_bytes_writes() -> None:
    # Same layout, same tight box: the page's SVG does not change (up to float noise in the
    # hashed clip ids and the sign of a zero).
    def norm(b: bytes) -> bytes:
        return re.sub(rb"p[0-9a-f]{10}", b"P", b).replace(b"-0 ", b"0 ")

    one = charts.svg_bytes(charts.decisions_by_year(decisions()))
    two, _ = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    assert norm(one) == norm(two)


def _kit_charts() -> list[Figure]:
    # Every kind of chart the kit draws, a long category label and an empty chart among them.
    types = pd.DataFrame(
        {"场次": [923, 46, 7]},
        index=pd.Index(
            ["安全宣传“五进”活动", "安全咨询日宣传咨询活动", "应急演练"], name="活动类型"
        ),
    )
    months = pd.DataFrame({"场次": [4, 4, 8, 3, 15, 969, 3, 2, 7, 4, 7, 2]}, index=range(1, 13))
    outcomes = pd.Series(
        [3, 1, 2, 0, 1, 0],
        index=["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"],
        name="件数",
    )
    t4 = pd.DataFrame(0, index=vocab.APPEAL_KINDS, columns=vocab.T4_COLUMNS)
    t4.loc["行政复议"] = [1, 1, 0, 1, 3]
    return [
        charts.outreach_by_type(types),
        charts.outreach_by_month(months),
        charts.decisions_by_year(decisions()),
        charts.requests_outcomes(outcomes),
        charts.appeals(t4),
        charts.no_data("宣传活动场次（按活动类型）"),
    ]


@pytest.mark.parametrize("titled", [True, False], ids=["titled", "captioned"])
def test_the_box_read_off_the_layout_is_the_measured_tight_box(titled: bool) -> None:
    # chart_block does not measure every artist again for the tight box once the constrained
    # layout is done: the figure less the layout's pads, and the axis labels. For every chart
    # the kit draws that is fig.get_tightbbox's box to within a hundredth of a point.
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    for fig in _kit_charts():
        if not titled:  # as chart_block does when a caption is given
            for ax in fig.axes:
                ax.set_title("")
        with charts.style():
            renderer = charts._renderer_of()(fig, FigureCanvasSVG(fig).print_svg)
            engine = fig.get_layout_engine()
            engine.execute(fig)
            read = charts._laid_out_box(fig, engine, renderer)
            measured = fig.get_tightbbox(renderer)
        assert read is not None
        assert abs(read.get_points() - measured.get_points()).max() * 72 < 0.01, fig.axes[0]


def test_a_value_axis_unit_above_the_figure_is_in_the_box() -> None:
    # The unit written above the value axis is the one decoration the layout does not fit
    # (it fits an axis label by its width across the axis only): the box reaches above the
    # figure to take it in, so the picture is not cut through the 件数 (captioned, as in a
    # report: no title above it).
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    fig = charts.decisions_by_year(decisions())
    fig.axes[0].set_title("")
    with charts.style():
        renderer = charts._renderer_of()(fig, FigureCanvasSVG(fig).print_svg)
        fig.get_layout_engine().execute(fig)
        box = charts._laid_out_box(fig, fig.get_layout_engine(), renderer)
    assert box is not None
    assert box.y1 > fig.get_size_inches()[1]


def test_a_figure_laid_out_otherwise_is_measured_in_full() -> None:
    # A figure of the analyst's own with another layout: its box is measured, as savefig does.
    def size(svg: bytes) -> tuple[float, float]:
        w, h = re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
        return float(w), float(h)

    def figure() -> Figure:
        fig = Figure(figsize=(4, 2), layout="tight")
        ax = fig.add_subplot()
        ax.bar(["a", "b"], [1, 2])
        ax.set_ylabel("a rather long label for the value axis")
        return fig

    fig = figure()
    assert charts._laid_out_box(fig, fig.get_layout_engine(), None) is None
    svg, _png = charts.svg_and_png(fig, 100)
    (w, h), (pw, ph) = size(svg), size(charts.svg_bytes(figure()))
    assert abs(w - pw) < 0.01 and abs(h - ph) < 0.01
    assert h > 2 * 72  # the long label, fitted by its width only, reaches past the figure


def test_a_layout_that_gave_up_is_measured_in_full_and_says_so() -> None:
    # Labels too long for the figure: the constrained layout warns and leaves the axes where
    # they were, decorations past the figure's edge. The box is then measured, not read off.
    def figure() -> Figure:
        fig = Figure(figsize=(1.5, 1), layout="constrained")
        ax = fig.add_subplot()
        ax.barh(["a label far longer than the figure is wide", "b"], [1, 2])
        return fig

    with pytest.warns(UserWarning, match="constrained_layout not applied"):
        svg, _png = charts.svg_and_png(figure(), 100)
    width = float(re.search(rb'width="([\d.]+)pt"', svg).group(1))
    assert width > 1.5 * 72  # the whole label is in the picture, past the figure's edge
    with pytest.warns(UserWarning, match="constrained_layout not applied"):
        plain_svg = charts.svg_bytes(figure())
    plain = float(re.search(rb'width="([\d.]+)pt"', plain_svg).group(1))
    assert abs(width - plain) < 0.01


def test_text_on_the_figure_itself_is_measured() -> None:
    # fig.text is no axes' decoration: the layout leaves it where it is, here past the right
    # edge, and the picture still takes it in, as savefig's tight box does.
    def figure() -> Figure:
        fig = Figure(figsize=(3, 2), layout="constrained")
        fig.add_subplot().bar(["a", "b"], [1, 2])
        fig.text(0.9, 0.5, "a note that runs past the right edge")
        return fig

    def width(svg: bytes) -> float:
        return float(re.search(rb'width="([\d.]+)pt"', svg).group(1))

    svg, _png = charts.svg_and_png(figure(), 100)
    assert width(svg) > 3 * 72 + 36
    assert abs(width(svg) - width(charts.svg_bytes(figure()))) < 0.01


def test_layout_engine_is_kept() -> None:
    fig = charts.decisions_by_year(decisions())
    engine = fig.get_layout_engine()
    charts.svg_and_png(fig, 200)
    assert fig.get_layout_engine() is engine


def test_narrative_template_compiled_once_per_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportkit.compute import narrative

    compiled: list[int] = []
    original = narrative.NarrativeSandbox.from_string

    def counting(self: object, source: object, *args: object, **kwargs: object) -> object:
        compiled.append(1)
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(narrative.NarrativeSandbox, "from_string", counting)
    text = "本年共受理{{ n }}件（test_perf 专用）。{% for x in xs %}{{ x }}、{% endfor %}"
    first = narrative.render(text, {"n": 7, "xs": ["甲", "乙"]}, "preface")
    second = narrative.render(text, {"n": 8, "xs": ["丙"]}, "preface")
    assert first == "本年共受理7件（test_perf 专用）。甲、乙、"
    assert second == "本年共受理8件（test_perf 专用）。丙、"
    assert len(compiled) == 1


def test_narrative_refusals_unchanged_by_the_cache() -> None:
    from reportkit.compute import narrative
    from reportkit.contract.errors import TemplateError

    # An unknown name is reported before a forbidden tag, as when each text was compiled anew,
    # and a refused template is refused every time.
    both = "{{ 不存在的数 }}{% macro m() %}{% endmacro %}（test_perf）"
    for _ in range(2):
        with pytest.raises(TemplateError) as e:
            narrative.render(both, {}, "preface")
        assert e.value.placeholder == "不存在的数"
    macro = "{% macro m() %}{% endmacro %}（test_perf）"
    messages = set()
    for _ in range(2):
        with pytest.raises(TemplateError) as e:
            narrative.render(macro, {}, "preface")
        messages.add(str(e.value))
    assert len(messages) == 1 and "macro" in messages.pop()


def test_appeal_figures_compute_table4_once_a_year(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import SEED_DATA

    from reportkit.compute import figures, tables
    from reportkit.ingest.ledgers import load_ledgers

    calls: list[int] = []
    original = tables.table4

    def counting(ledgers: object, year: int) -> pd.DataFrame:
        calls.append(year)
        return original(ledgers, year)

    monkeypatch.setattr(tables, "table4", counting)
    f = figures.Figures(load_ledgers(SEED_DATA), 2021)
    total = f.appeals_total().value
    review = f.appeals_total("行政复议").value
    litigation = f.appeals_total("行政诉讼").value
    assert total == review + litigation
    assert sorted(calls) == [2020, 2021]


def test_document_figures_count_the_ledger_once_a_year(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import SEED_DATA

    from reportkit.compute import figures, tables
    from reportkit.ingest.ledgers import load_ledgers

    calls: list[int] = []
    original = tables.documents_counts

    def counting(ledgers: object, year: int) -> dict:
        calls.append(year)
        return original(ledgers, year)

    monkeypatch.setattr(tables, "documents_counts", counting)
    f = figures.Figures(load_ledgers(SEED_DATA), 2021)
    got = {
        (kind, column): f.documents(kind, column).value
        for kind in ("规章", "行政规范性文件")
        for column in ("本年制发件数", "本年废止件数", "现行有效件数")
    }
    # The seed's 表二, as the published 2021 report prints it.
    assert got == {
        ("规章", "本年制发件数"): 1,
        ("规章", "本年废止件数"): 0,
        ("规章", "现行有效件数"): 1,
        ("行政规范性文件", "本年制发件数"): 3,
        ("行政规范性文件", "本年废止件数"): 0,
        ("行政规范性文件", "现行有效件数"): 3,
    }
    assert sorted(calls) == [2020, 2021]


def test_builds_reading_the_same_bytes_parse_them_once(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    from pathlib import Path

    from helpers import SEED_DATA

    from reportkit.ingest import ledgers as ledgers_module
    from reportkit.ingest import snapshot

    tmp = Path(str(tmp_path))
    data = tmp / "data"
    shutil.copytree(SEED_DATA, data)
    parsed: list[Path] = []
    original = ledgers_module.load_ledgers

    def counting(folder: Path, *args: object) -> object:
        parsed.append(folder)
        return original(folder, *args)

    monkeypatch.setattr(ledgers_module, "load_ledgers", counting)

    def load(name: str) -> object:
        folder = tmp / name
        folder.mkdir(mode=0o700)
        return snapshot.Snapshot.take(data, folder).load()

    first, second = load("build1"), load("build2")
    assert len(parsed) == 1  # the second build of the same bytes unpickles the first's parse
    assert first.frames.keys() == second.frames.keys()
    for stem in first.frames:
        pd.testing.assert_frame_equal(first.frames[stem], second.frames[stem])
        assert first.frames[stem] is not second.frames[stem]  # each build its own copy
    assert set(first.personal) == set(second.personal) and len(second.personal) > 0
    value = next(iter(second.personal))
    assert second.personal.source(value) == first.personal.source(value)
    assert second.files == first.files and second.notes == first.notes

    # A ledger saved between the builds: the next build reads the new bytes.
    appeals = data / "appeals.csv"
    appeals.write_text(appeals.read_text(encoding="utf-8"), encoding="utf-8")  # same bytes
    load("build3")
    assert len(parsed) == 1
    lines = appeals.read_text(encoding="utf-8").splitlines()
    appeals.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one row fewer
    third = load("build4")
    assert len(parsed) == 2
    assert len(third.frames["appeals"]) == len(first.frames["appeals"]) - 1


def test_png_has_the_pixels_of_one_written_the_default_way(monkeypatch: pytest.MonkeyPatch) -> None:
    # Written with zlib's run-length strategy to save time: the file differs, not one pixel.
    import numpy as np

    _, png = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    monkeypatch.setattr(charts, "_PNG_OPTIONS", {"metadata": {"Software": None}})
    _, default = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    ours, theirs = Image.open(io.BytesIO(png)), Image.open(io.BytesIO(default))
    assert ours.size == theirs.size and ours.mode == theirs.mode == "RGBA"
    assert (np.asarray(ours) == np.asarray(theirs)).all()
    assert png != default  # not the default's bytes: the strategy was applied
