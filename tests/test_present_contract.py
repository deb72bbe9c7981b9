"""The writers take what reportkit.present.content produces: narrative Markdown turned into blocks, the
statutory table blocks and a chart block, assembled by content.document()."""

from __future__ import annotations

from types import SimpleNamespace

import openpyxl
from docx import Document
from present_seed import SEED_TABLES, TITLE

from reportkit.present import charts, content
from reportkit.present.docx import write_docx
from reportkit.present.fragment import render_fragment
from reportkit.present.xlsx import write_tables_xlsx

NARRATIVE = """\
## （一）主动公开

全年主动公开政府信息**105**件，*详见下表*。

### 1.公开平台

- 门户网站
- 政务新媒体

1. 第一项
2. 第二项
"""


def _report() -> SimpleNamespace:
    return SimpleNamespace(
        title=TITLE,
        agency="大冶市应急管理局",
        year=2021,
        params=SimpleNamespace(sample=False),
        text=lambda slug: "如对本报告有任何疑问，请与办公室联系。",
    )


def _document() -> dict:
    import pandas as pd

    fig = charts.outreach_by_type(pd.DataFrame({"场次": [3, 5]}, index=["讲座", "展板"]))
    blocks = content.narrative_blocks(NARRATIVE)
    sections = {
        "overview": [*blocks, content.chart_block(fig, alt="宣传活动", caption="宣传活动场次")],
        "proactive": [content.table_block("table2", SEED_TABLES["section2"])],
        "requests": [content.table_block("table3", SEED_TABLES["section3"])],
        "appeals": [content.table_block("table4", SEED_TABLES["section4"])],
        "problems": content.narrative_blocks("无。"),
        "other": content.narrative_blocks("无。"),
    }
    return content.document(_report(), sections, "2022-01-20")


def test_docx_fragment_and_xlsx_accept_the_producers_blocks(tmp_path):
    document = _document()
    write_docx(document, tmp_path / "report.docx")
    doc = Document(str(tmp_path / "report.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert "（一）主动公开" in texts and "1.公开平台" in texts
    assert "· 门户网站" in texts and "1.第一项" in texts and "2.第二项" in texts
    assert "图1　宣传活动场次" in texts
    assert len(doc.tables) == 3
    assert doc.element.body.find(".//{*}blip") is not None

    fragment = render_fragment(document)
    assert "<strong>105</strong>" in fragment and "<em>详见下表</em>" in fragment
    assert fragment.count("<table") == 3 and 'src="data:image/png;base64,' in fragment

    write_tables_xlsx(SEED_TABLES, tmp_path / "tables.xlsx")
    assert openpyxl.load_workbook(tmp_path / "tables.xlsx").sheetnames == ["表二", "表三", "表四"]
