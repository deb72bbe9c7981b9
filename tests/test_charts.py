"""Charts: Chinese text with no missing glyph, values on the bars, all-zero years, SVG embedding."""

from __future__ import annotations

import base64
import io
import re
import warnings

import matplotlib
import pandas as pd
import pytest
from helpers import chart_html
from matplotlib import font_manager
from matplotlib.figure import Figure

from reportkit.contract import vocab
from reportkit.present import charts


def outreach_types() -> pd.DataFrame:
    return pd.DataFrame(
        {"场次": [923, 46, 0], "参与人次": [8420, 15230, 0]},
        index=pd.Index(
            ["安全宣传“五进”活动", "安全咨询日宣传咨询活动", "应急演练"], name="活动类型"
        ),
    )


def outreach_months(sessions: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"场次": sessions}, index=pd.Index(range(1, 13), name="月份"))


def decisions() -> pd.DataFrame:
    return pd.DataFrame(
        {"行政许可": [121, 105], "行政处罚": [59, 57], "行政强制": [6, 4]},
        index=pd.Index([2020, 2021], name="年度"),
    )


def outcomes(values: list[int]) -> pd.Series:
    names = ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    return pd.Series(values, index=names, name="件数")


def appeals_table(review: list[int]) -> pd.DataFrame:
    t4 = pd.DataFrame(0, index=vocab.APPEAL_KINDS, columns=vocab.T4_COLUMNS)
    t4.loc["行政复议"] = review
    return t4


def all_charts() -> list[Figure]:
    return [
        charts.outreach_by_type(outreach_types()),
        charts.outreach_by_month(outreach_months([4, 4, 8, 3, 15, 969, 3, 2, 7, 4, 7, 2])),
        charts.decisions_by_year(decisions()),
        charts.requests_outcomes(outcomes([3, 1, 2, 0, 1, 0])),
        charts.appeals(appeals_table([1, 1, 0, 1, 3])),
    ]


def texts(fig: Figure) -> list[str]:
    """Every piece of text drawn: titles, labels, tick labels, bar labels, legend entries."""
    fig.draw_without_rendering()  # tick labels of categories exist only once drawn
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def test_setup_is_idempotent():
    name = charts.setup()
    count = len(font_manager.fontManager.ttflist)
    assert charts.setup() == name == "Noto Sans CJK SC"
    assert len(font_manager.fontManager.ttflist) == count
    with charts.style():
        assert matplotlib.rcParams["axes.unicode_minus"] is False
        assert matplotlib.rcParams["font.family"][0] == name


def test_charts_leave_matplotlibs_global_settings_alone():
    before = dict(matplotlib.rcParams)
    charts.setup()
    charts.svg_bytes(charts.decisions_by_year(decisions()))
    charts.no_data("标题")
    assert dict(matplotlib.rcParams) == before


def test_chinese_text_draws_without_missing_glyphs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in all_charts():
            charts.svg_bytes(fig)
            fig.savefig(io.BytesIO(), format="png")
    glyphs = [
        str(w.message)
        for w in caught
        if "missing from" in str(w.message) or "Glyph" in str(w.message)
    ]
    assert glyphs == []


def test_the_glyph_check_would_catch_a_font_without_chinese():
    # Control for the test above: the same drawing in a Latin-only font does warn here.
    charts.setup()
    with (
        matplotlib.rc_context({"font.family": ["DejaVu Sans"]}),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        fig = Figure()
        fig.add_subplot().set_title("宣传活动场次")
        fig.savefig(io.BytesIO(), format="png")
    assert any("missing from" in str(w.message) for w in caught)


def test_values_are_labelled_on_the_bars():
    assert {"923", "46", "0"} <= set(texts(charts.outreach_by_type(outreach_types())))
    assert {"121", "105", "59", "57", "6", "4"} <= set(texts(charts.decisions_by_year(decisions())))
    assert {"3", "1", "2"} <= set(texts(charts.requests_outcomes(outcomes([3, 1, 2, 0, 1, 0]))))
    month = charts.outreach_by_month(outreach_months([0] * 5 + [969] + [0] * 6))
    assert "969" in texts(month)
    assert [t.get_text() for t in month.axes[0].get_xticklabels()] == [
        f"{m}月" for m in range(1, 13)
    ]


def test_chinese_titles_axes_and_legends():
    fig = charts.decisions_by_year(decisions())
    ax = fig.axes[0]
    assert ax.get_title() == "行政许可、行政处罚、行政强制决定数量"
    assert ax.get_xlabel() == "年度"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "行政许可",
        "行政处罚",
        "行政强制",
    ]
    fig = charts.appeals(appeals_table([1, 1, 0, 1, 3]))
    assert fig.axes[0].get_title() == "政府信息公开行政复议、行政诉讼情况"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
    ]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [
        "行政复议",
        "未经复议直接起诉",
        "复议后起诉",
    ]


@pytest.mark.parametrize(
    "fig",
    [
        lambda: charts.outreach_by_type(outreach_types().iloc[0:0]),
        lambda: charts.outreach_by_type(outreach_types() * 0),
        lambda: charts.outreach_by_month(outreach_months([0] * 12)),
        lambda: charts.decisions_by_year(decisions() * 0),
        lambda: charts.decisions_by_year(
            pd.DataFrame(columns=["行政许可", "行政处罚", "行政强制"])
        ),
        lambda: charts.requests_outcomes(outcomes([0] * 6)),
        lambda: charts.appeals(appeals_table([0] * 5)),
    ],
)
def test_all_zero_data_says_so(fig):
    drawn = fig()
    assert isinstance(drawn, Figure)
    assert "本年无数据" in texts(drawn)
    charts.svg_bytes(drawn)


def test_chart_block_embeds_a_font_free_svg_with_alt_text():
    html = chart_html(
        charts.decisions_by_year(decisions()), alt='许可121件 "2020"', caption="决定数量<按年度>"
    )
    m = re.fullmatch(
        r'<figure class="chart"><figcaption>(.*)</figcaption><img alt="([^"]*)" '
        r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"></figure>',
        html,
    )
    assert m, html[:200]
    assert m.group(1) == "决定数量&lt;按年度&gt;"  # above the chart, like a table's caption
    assert m.group(2) == "许可121件 &quot;2020&quot;"
    svg = base64.b64decode(m.group(3)).decode("utf-8")
    assert "<svg" in svg
    assert "<text" not in svg  # text is drawn as paths: no font needed to show it
    assert "dc:date" not in svg and "Matplotlib" not in svg  # no metadata
    assert "<!DOCTYPE" not in svg
    assert len(m.group(3)) < 120_000


def test_a_caption_replaces_the_title_drawn_in_the_chart():
    fig = charts.decisions_by_year(decisions())
    with_title = charts.svg_bytes(fig)
    chart_html(fig, alt="决定数量", caption="决定数量")
    assert fig.axes[0].get_title() == ""
    assert len(charts.svg_bytes(fig)) < len(with_title)  # the title's glyph paths are gone


def test_chart_block_without_caption():
    html = chart_html(charts.requests_outcomes(outcomes([1, 0, 0, 0, 0, 0])), alt="予以公开1件")
    assert "<figcaption>" not in html
    assert 'alt="予以公开1件"' in html


def test_chart_block_closes_pyplot_figures():
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.add_subplot().bar(["1"], [1])
    number = fig.number
    chart_html(fig, alt="一")
    assert not plt.fignum_exists(number)


def test_svg_is_identical_from_run_to_run():
    assert charts.svg_bytes(charts.decisions_by_year(decisions())) == charts.svg_bytes(
        charts.decisions_by_year(decisions())
    )


def test_dollar_signs_in_ledger_text_are_drawn_as_written(monkeypatch: pytest.MonkeyPatch):
    # An 活动类型 with 「$」 in it is text, not TeX: a lone or odd one used to stop the chart with
    # matplotlib's mathtext parse error, and a pair turned the text between into a formula.
    from matplotlib.mathtext import MathTextParser

    def no_tex(*args, **kwargs):
        raise AssertionError("ledger text parsed as TeX")

    monkeypatch.setattr(MathTextParser, "parse", no_tex)
    types = pd.DataFrame(
        {"场次": [3, 2]}, index=pd.Index([r"$\frac{1}{$", "安全$x^2$宣传"], name="活动类型")
    )
    fig = charts.outreach_by_type(types)
    # tick labels made before the picture (an analyst looking at them), outside the kit's style
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
        "安全$x^2$宣传",
        r"$\frac{1}{$",
    ]
    svg, png = charts.svg_and_png(fig, 100)
    assert svg.startswith(b"<?xml") and png.startswith(b"\x89PNG")
    assert charts.svg_bytes(charts.outreach_by_type(types)).startswith(b"<?xml")


def test_long_category_labels_are_broken_into_lines():
    # 14 full-width characters a line (two half-width count as one), 3 lines at most, then 「…」.
    assert charts._wrapped("安全咨询日宣传咨询活动") == "安全咨询日宣传咨询活动"
    assert (
        charts._wrapped("一二三四五六七八九十甲乙丙丁戊己庚辛")
        == "一二三四五六七八九十甲乙丙丁\n戊己庚辛"
    )
    assert charts._wrapped("a" * 28) == "a" * 28
    assert charts._wrapped("a" * 29) == "a" * 28 + "\na"
    assert (
        charts._wrapped("安全\n 生产  月") == "安全 生产 月"
    )  # line breaks of the cell are not kept
    long = charts._wrapped("安全" * 150)
    assert long == "\n".join(["安全" * 7, "安全" * 7, "安全" * 6 + "安…"])


def test_a_long_activity_type_does_not_shrink_the_chart():
    # A 300-character 活动类型 used to widen the picture to fit it on one line, and the page then
    # shrank the whole chart to a strip. Two labels cut to the same text stay two bars.
    import re

    long = "安全" * 150
    types = pd.DataFrame(
        {"场次": [5, 3, 2]},
        index=pd.Index([long, long + "甲", "应急演练"], name="活动类型"),
    )
    fig = charts.outreach_by_type(types)
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    svg = charts.svg_bytes(fig)
    width = float(re.search(rb'width="([\d.]+)pt"', svg).group(1))
    assert width < 6.4 * 72 + 20


def test_many_activity_types_keep_the_eleven_largest_and_sum_the_rest():
    # 15 types of 15, 14, …, 1 sessions: bars for 15 … 5, then 「其余4类」 = 4 + 3 + 2 + 1 = 10,
    # drawn last (at the bottom) though it is larger than some above it.
    names = [f"类型{n}" for n in range(15, 0, -1)]
    types = pd.DataFrame({"场次": list(range(15, 0, -1))}, index=pd.Index(names, name="活动类型"))
    fig = charts.outreach_by_type(types)
    ax = fig.axes[0]
    fig.draw_without_rendering()
    top_down = [t.get_text() for t in ax.get_yticklabels()][::-1]
    assert top_down == [f"类型{n}" for n in range(15, 4, -1)] + ["其余4类"]
    widths = [int(p.get_width()) for p in ax.patches][::-1]
    assert widths == [*range(15, 4, -1), 10]


def test_large_counts_are_written_out_on_the_axis():
    # A county's month with more than a million: the axis reads 300000, not 0.30 under a 1e6.
    months = outreach_months([1_234_567, *[1_000_000 + i for i in range(11)]])
    fig = charts.outreach_by_month(months)
    with charts.style():
        fig.draw_without_rendering()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(label.isdigit() for label in labels), labels
    assert int(labels[-1]) >= 1_000_000
    assert ax.yaxis.get_offset_text().get_text() == ""
