"""tables.xlsx read back with openpyxl: the same numbers as tables.json, as numbers, in the
official layout with its merged cells, each sheet printing on one A4 page."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from present_seed import (
    APPLICANTS,
    SEED_TABLES,
    T3_PRINTED,
    T4_KINDS,
    T4_RESULTS,
    distinct_tables,
    libreoffice_pdf,
    pdf_pages,
)

from reportkit.contract.errors import ReportkitError
from reportkit.present.xlsx import write_tables_xlsx


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "tables.xlsx"
    write_tables_xlsx(distinct_tables(), path)
    return openpyxl.load_workbook(path)


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_one_sheet_per_table(book):
    assert book.sheetnames == ["表二", "表三", "表四"]
    assert book["表二"]["A1"].value == "表二　主动公开政府信息情况"
    assert book["表三"]["A1"].value == "表三　收到和处理政府信息公开申请情况"
    assert book["表四"]["A1"].value == "表四　政府信息公开行政复议、行政诉讼情况"
    assert "大冶市应急管理局" in book["表二"]["A2"].value and "2021" in book["表二"]["A2"].value


def test_table2_cells(book):
    ws = book["表二"]
    # Rows 3.. hold the form: item row, 信息内容 row, then the rows of that item.
    assert ws["A3"].value == "第二十条第（一）项"
    assert [ws.cell(4, c).value for c in range(1, 5)] == [
        "信息内容",
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
    ]
    assert [ws.cell(5, c).value for c in range(1, 5)] == ["规章", 1, 0, 1]
    assert [ws.cell(6, c).value for c in range(1, 5)] == ["行政规范性文件", 3, 0, 3]
    assert (ws["A7"].value, ws["A8"].value, ws["B8"].value) == (
        "第二十条第（五）项",
        "信息内容",
        "本年处理决定数量",
    )
    assert (ws["A9"].value, ws["B9"].value) == ("行政许可", 105)
    assert (ws["A12"].value, ws["B12"].value) == ("行政处罚", 57)
    assert (ws["A13"].value, ws["B13"].value) == ("行政强制", 4)
    assert (ws["B15"].value, ws["A16"].value, ws["B16"].value) == (
        "本年收费金额（单位：万元）",
        "行政事业性收费",
        3.25,
    )
    for ref in ("B5", "B9", "B12", "B16"):
        assert isinstance(ws[ref].value, (int, float)) and ws[ref].data_type == "n"
    assert ws["B16"].number_format.startswith("0.00")  # the fee with its decimals
    assert {"A3:D3", "B8:D8", "B9:D9", "A10:D10", "B12:D12", "B13:D13", "B16:D16"} <= merged(ws)


def test_table3_every_cell_equals_tables_json(book):
    ws = book["表三"]
    expected = distinct_tables()["section3"]
    # The form's rows start at Excel row 6, under the caption, the agency line and 3 header rows.
    for i, (group, label, key) in enumerate(T3_PRINTED):
        row = 6 + i
        label_cell = ws.cell(row, 3 if group else (2 if label.startswith("（") else 1))
        assert label_cell.value == label, row
        values = [ws.cell(row, c).value for c in range(4, 11)]
        assert values == [expected[key][c] for c in APPLICANTS], label
        assert all(type(v) is int for v in values)
        if group and label.startswith("1."):
            # The group's label breaks after its number only: （三）/不予公开.
            assert ws.cell(row, 2).value == group.replace("）", "）\n", 1)
    assert ws["A8"].value == "三、本年度办理结果"


def test_table3_merges(book):
    ws = book["表三"]
    assert {
        "A3:C5",  # the note over 3 rows and 3 label columns
        "D3:J3",  # 申请人情况
        "D4:D5",  # 自然人
        "E4:I4",  # 法人或其他组织
        "J4:J5",  # 总计
        "A6:C6",  # 一、
        "A7:C7",  # 二、
        "A8:A29",  # 三、本年度办理结果 beside its 22 rows
        "B8:C8",  # （一）
        "B9:C9",  # （二）
        "B10:B17",  # （三）不予公开, 8 items
        "B18:B20",  # （四）无法提供, 3
        "B21:B25",  # （五）不予处理, 5
        "B26:B28",  # （六）其他处理, 3
        "B29:C29",  # （七）总计
        "A30:C30",  # 四、
    } <= merged(ws)
    assert [ws.cell(5, c).value for c in range(5, 10)] == APPLICANTS[1:6]


def test_table4_every_cell(book):
    ws = book["表四"]
    values = distinct_tables()["section4"]
    assert [ws.cell(6, c).value for c in range(1, 16)] == [
        values[k][r] for k in T4_KINDS for r in T4_RESULTS
    ]
    assert [ws.cell(5, c).value for c in range(6, 16)] == T4_RESULTS * 2
    assert (ws["A3"].value, ws["F3"].value, ws["F4"].value, ws["K4"].value) == (
        "行政复议",
        "行政诉讼",
        "未经复议直接起诉",
        "复议后起诉",
    )
    assert {"A3:E3", "F3:O3", "F4:J4", "K4:O4", "A4:A5", "E4:E5"} <= merged(ws)


def test_borders_on_every_cell_of_a_merge(book):
    # Excel rules a merged range from its edge cells, so they carry the border, not only the first.
    ws = book["表三"]
    for ref, sides in (
        ("C5", ("right", "bottom")),  # the corner note's last cell
        ("A29", ("left", "bottom")),  # the foot of 三、本年度办理结果
        ("B17", ("bottom", "right")),  # the foot of （三）不予公开
        ("I4", ("top", "right", "bottom")),  # the end of 法人或其他组织
        ("J30", ("left", "right", "top", "bottom")),
    ):
        b = ws[ref].border
        assert [getattr(b, s).style for s in sides] == ["thin"] * len(sides), ref


def test_print_setup_one_a4_page_each(book):
    for name, orientation in (("表二", "portrait"), ("表三", "portrait"), ("表四", "landscape")):
        ws = book[name]
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.orientation == orientation
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    assert book["表三"].print_title_rows.replace("$", "") == "3:5"  # the header repeats


def test_seed_tables_zeros_are_numbers(tmp_path):
    path = tmp_path / "t.xlsx"
    write_tables_xlsx(SEED_TABLES, path)
    ws = openpyxl.load_workbook(path)["表三"]
    cells = [ws.cell(r, c) for r in range(6, 31) for c in range(4, 11)]
    assert len(cells) == 175 and all(c.value == 0 and c.data_type == "n" for c in cells)
    fee = openpyxl.load_workbook(path)["表二"]["B16"]
    assert fee.value == 0 and fee.data_type == "n"


def test_text_is_never_a_formula(tmp_path):
    tables = distinct_tables()
    tables["agency"] = '=HYPERLINK("http://example.invalid","点此")'
    tables["section3"]["予以公开"]["自然人"] = "=1+1"  # an imported cell kept as printed
    path = tmp_path / "t.xlsx"
    write_tables_xlsx(tables, path)
    wb = openpyxl.load_workbook(path)
    assert wb["表二"]["A2"].data_type == "s"
    assert wb["表三"]["D8"].value == "=1+1" and wb["表三"]["D8"].data_type == "s"


def test_sample_mark_in_every_sheet_header(tmp_path):
    path = tmp_path / "t.xlsx"
    write_tables_xlsx(SEED_TABLES, path, sample=True)
    for ws in openpyxl.load_workbook(path):
        assert "示例数据" in ws.oddHeader.center.text


def test_a_missing_section_is_named(tmp_path):
    tables = distinct_tables()
    del tables["section4"]
    with pytest.raises(ReportkitError, match="section4.*表四"):
        write_tables_xlsx(tables, Path(tmp_path / "t.xlsx"))


def test_the_privacy_guard_reads_inside_the_xlsx(tmp_path):
    # An .xlsx is a zip: its text is compressed, invisible to a search of the file's bytes.
    from reportkit.ingest import privacy

    tables = distinct_tables()
    tables["agency"] = "王小明"  # not an agency name, but it shows whether the guard looks inside
    out = tmp_path / "out"
    out.mkdir()
    write_tables_xlsx(tables, out / "tables.xlsx")
    assert privacy.privacy_leaks(out, {"王小明", "赵六"}) == [("tables.xlsx", "王小明")]


def test_each_sheet_prints_on_one_page(tmp_path):
    path = tmp_path / "tables.xlsx"
    write_tables_xlsx(distinct_tables(), path)
    pdf = libreoffice_pdf(path, tmp_path)
    assert pdf_pages(pdf) == 3


def test_the_same_tables_and_date_give_the_same_bytes(tmp_path):
    # openpyxl stamps the time of saving into the package; two builds of one report must agree.
    import datetime as dt
    import time

    tables = SEED_TABLES
    write_tables_xlsx(tables, tmp_path / "a.xlsx", dated=dt.date(2022, 1, 20))
    time.sleep(2.1)  # zip times have a 2-second resolution
    write_tables_xlsx(tables, tmp_path / "b.xlsx", dated=dt.date(2022, 1, 20))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
