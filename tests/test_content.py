"""The content model: narrative Markdown as blocks, blocks read back from executed notebooks, as HTML."""

from __future__ import annotations

import base64

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from reportkit.present import charts, content, render
from reportkit.present.content import MIME

PARAGRAPH = {"kind": "paragraph", "runs": [{"text": "领导可见的叙述"}]}
TABLE4 = {
    "kind": "table",
    "table": "table4",
    "caption": "表四　政府信息公开行政复议、行政诉讼情况",
    "data": {
        k: {"结果维持": 1, "结果纠正": 0, "其他结果": 0, "尚未审结": 2, "总计": 3}
        for k in ("行政复议", "未经复议直接起诉", "复议后起诉")
    },
}


def block_output(block: dict, kind: str = "display_data") -> dict:
    data = {"text/html": "<p>只是给分析人员看的HTML</p>", MIME: block}
    if kind == "execute_result":
        return new_output(kind, data=data, execution_count=3)
    return new_output(kind, data=data)


def section_notebook() -> nbformat.NotebookNode:
    """An executed section notebook with every kind of cell and output a real one may hold."""
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# 分析人员说明"),
        new_code_cell("year = 2021", metadata={"tags": ["parameters"]}),
        new_code_cell(
            "import reportkit as rk",
            outputs=[new_output("stream", name="stdout", text="打印的调试信息\n")],
        ),
        new_code_cell("rk.show.narrative(report, 'overview')", outputs=[block_output(PARAGRAPH)]),
        new_code_cell(
            "rk.show.rows(...)",
            metadata={"tags": ["analyst"]},
            outputs=[block_output({"kind": "paragraph", "runs": [{"text": "SECRET"}]})],
        ),
        new_code_cell(
            "HTML('<script>')",
            outputs=[
                new_output("display_data", data={"text/html": "<p>不是内容块的HTML</p>"}),
                new_output("display_data", data={"image/png": "iVBORw0KGgo="}),
                new_output("error", ename="ZeroDivisionError", evalue="x", traceback=["T"]),
            ],
        ),
        new_code_cell("rk.show.table4(report)", outputs=[block_output(TABLE4, "execute_result")]),
    ]
    return nb


def test_blocks_of_reads_only_the_leadership_blocks_in_order(tmp_path):
    path = tmp_path / "04_appeals.ipynb"
    nbformat.write(section_notebook(), str(path))
    assert content.blocks_of(path) == [PARAGRAPH, TABLE4]
    assert content.blocks_of(section_notebook()) == [PARAGRAPH, TABLE4]


def test_blocks_of_an_empty_notebook_is_empty():
    assert content.blocks_of(new_notebook()) == []


def test_narrative_markdown_becomes_headings_paragraphs_runs_and_lists():
    md = (
        "### （一）主动公开\n\n"
        "**（一）组织保障有力。** 制定方案，\n成立领导小组。\n\n"
        "- 第一项\n- 第二项 *重点*\n\n"
        "Hello\nworld <script>alert(1)</script>"
    )
    assert content.narrative_blocks(md) == [
        {"kind": "heading", "level": 3, "text": "（一）主动公开"},
        {
            "kind": "paragraph",
            "runs": [
                {"text": "（一）组织保障有力。", "bold": True},
                # a line break between Chinese characters joins them, as the page shows them
                {"text": " 制定方案，成立领导小组。"},
            ],
        },
        {
            "kind": "list",
            "ordered": False,
            "items": [
                [{"text": "第一项"}],
                [{"text": "第二项 "}, {"text": "重点", "italic": True}],
            ],
        },
        {"kind": "paragraph", "runs": [{"text": "Hello world <script>alert(1)</script>"}]},
    ]


def test_block_html_escapes_every_text():
    html = content.section_html(content.narrative_blocks("**<b>粗</b>** <img src=x onerror=1>"))
    assert html == (
        '<div class="narrative"><p><strong>&lt;b&gt;粗&lt;/b&gt;</strong>'
        " &lt;img src=x onerror=1&gt;</p></div>"
    )
    assert render.external_references(html) == []


def test_table_block_renders_the_official_table_from_its_data():
    html = content.block_html(TABLE4)
    assert "<caption>表四　政府信息公开行政复议、行政诉讼情况</caption>" in html
    # 3 kinds × (4 results + 总计) value cells: 1,0,0,2,3 each
    assert html.count('<td class="num">1</td>') == 3
    assert html.count('<td class="num">3</td>') == 3
    assert html.count('<td class="num">2</td>') == 3


def test_chart_block_carries_svg_and_png_and_alt_text():
    fig = charts.no_data("测试图")
    block = content.chart_block(fig, alt="说明文字", caption="图的标题")
    assert (
        block["kind"] == "chart" and block["caption"] == "图的标题" and block["alt"] == "说明文字"
    )
    assert base64.b64decode(block["png"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in base64.b64decode(block["svg"])
    html = content.block_html(block)
    assert html.startswith(
        '<figure class="chart"><figcaption>图的标题</figcaption><img alt="说明文字"'
    )
