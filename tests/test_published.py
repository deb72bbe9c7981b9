"""Importing published reports: expected tables written by reading each fixture page by eye."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from published_docx import write_report_docx

from reportkit import cli
from reportkit.ingest import labels
from reportkit.ingest.grid import decode_page
from reportkit.ingest.published import (
    NothingImportable,
    SupersededTemplate,
    cell_value,
    import_report,
)

PAGES = Path(__file__).parent / "fixtures" / "published"
COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
T4COLS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
ROWS = [
    "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量",
    "予以公开",
    "部分公开",
    "不予公开/属于国家秘密",
    "不予公开/其他法律行政法规禁止公开",
    "不予公开/危及“三安全一稳定”",
    "不予公开/保护第三方合法权益",
    "不予公开/属于三类内部事务信息",
    "不予公开/属于四类过程性信息",
    "不予公开/属于行政执法案卷",
    "不予公开/属于行政查询事项",
    "无法提供/本机关不掌握相关政府信息",
    "无法提供/没有现成信息需要另行制作",
    "无法提供/补正后申请内容仍不明确",
    "不予处理/信访举报投诉类申请",
    "不予处理/重复申请",
    "不予处理/要求提供公开出版物",
    "不予处理/无正当理由大量反复申请",
    "不予处理/要求行政机关确认或重新出具已获取信息",
    "其他处理/申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "其他处理/申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "其他处理/其他",
    "总计",
    "结转下年度继续办理",
]


def r(*values):
    return dict(zip(COLS, values))


def a(*values):
    return dict(zip(T4COLS, values))


ZERO_T2 = {
    "规章": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
    "行政规范性文件": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
    "行政许可": {"本年处理决定数量": 0},
    "行政处罚": {"本年处理决定数量": 0},
    "行政强制": {"本年处理决定数量": 0},
    "行政事业性收费": {"本年收费金额（单位：万元）": 0},
}
ZERO_T3 = {row: r(0, 0, 0, 0, 0, 0, 0) for row in ROWS}
ZERO_T4 = {kind: a(0, 0, 0, 0, 0) for kind in ("行政复议", "未经复议直接起诉", "复议后起诉")}


# ---------------------------------------------------------------------------------------------
# The fixture pages
# ---------------------------------------------------------------------------------------------
def test_word_pasted_page_with_only_table_two():
    result = import_report(PAGES / "daye_yjj_2021_wordpaste.html")
    t = result.tables
    assert (t["agency"], t["year"]) == ("大冶市应急管理局", 2021)
    assert t["section2"] == {
        "规章": {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 1},
        "行政规范性文件": {"本年制发件数": 3, "本年废止件数": 0, "现行有效件数": 3},
        "行政许可": {"本年处理决定数量": "105件"},  # printed with its unit: kept as printed
        "行政处罚": {"本年处理决定数量": 57},
        "行政强制": {"本年处理决定数量": 4},
        "行政事业性收费": {"本年收费金额（单位：万元）": 0},
    }
    # The page printed sentences instead of 表三 and 表四; the decoy table a script writes is
    # not read (its 规章 99 would have come first).
    assert "section3" not in t and "section4" not in t
    assert "找不到表三，未导入" in result.notes and "找不到表四，未导入" in result.notes
    assert any("「105件」" in n for n in result.notes)
    assert t["source"]["file"] == "daye_yjj_2021_wordpaste.html"
    assert re.fullmatch(r"[0-9a-f]{64}", t["source"]["sha256"])
    assert t["notes"] == result.notes and not result.clean


def test_constructed_page_with_every_quirk():
    result = import_report(PAGES / "constructed_messy_2022.html")
    t = result.tables
    assert (t["agency"], t["year"]) == ("示例县数据资源管理局", 2022)
    assert t["section2"] == {
        "规章": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
        "行政规范性文件": {"本年制发件数": 2, "本年废止件数": 1, "现行有效件数": 15},
        "行政许可": {"本年处理决定数量": 1234},
        "行政处罚": {"本年处理决定数量": 56},
        "行政强制": {"本年处理决定数量": "/"},
        "行政事业性收费": {"本年收费金额（单位：万元）": 12.5},
    }
    expected = dict(ZERO_T3)
    expected.update(
        {
            "本年新收政府信息公开申请数量": r(20, 3, 0, 0, 1, 0, 24),
            "上年结转政府信息公开申请数量": r(2, 0, "", 0, 0, 0, 2),
            "予以公开": r(8, 1, 0, 0, 0, 0, 9),
            "部分公开": r(3, 0, 0, 0, 0, 0, 3),
            "不予公开/保护第三方合法权益": r(1, 0, 0, 0, 0, 0, 1),
            "不予公开/属于四类过程性信息": r(1, 0, 0, 0, 0, 0, 1),
            "不予公开/属于行政执法案卷": r(0, 0, 0, "-", 0, 0, 0),
            "无法提供/本机关不掌握相关政府信息": r(5, 1, 0, 0, 1, 0, 7),
            "不予处理/信访举报投诉类申请": r(1, 0, 0, 0, 0, 0, 1),
            "不予处理/要求提供公开出版物": r(0, 0, 0, 0, 0, "无", 0),
            ROWS[20]: r(1, 0, 0, 0, 0, 0, 1),  # printed 「1.逾期不补正」
            "总计": r(20, 2, 0, 0, 1, 0, 23),
            "结转下年度继续办理": r(2, 1, 0, 0, 0, 0, 3),
        }
    )
    assert t["section3"] == expected
    assert list(t["section3"]) == ROWS
    assert t["section4"] == {
        "行政复议": a(1, 0, 0, 1, 2),
        "未经复议直接起诉": a(0, 0, 0, 0, 0),
        "复议后起诉": a(0, 0, 1, 0, 1),
    }
    notes = "\n".join(result.notes)
    for printed in (
        "「规范性文件」",
        "「1.逾期不补正」",
        "「2.逾期不缴费」",
        "「/」",
        "空白",
        "「-」",
        "「无」",
    ):
        assert printed in notes


def test_gbk_page_with_the_agency_on_the_line_above_the_title():
    data = (PAGES / "xinjiu_2021_gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is GBK
    result = import_report(PAGES / "xinjiu_2021_gbk.html")
    t = result.tables
    assert (t["agency"], t["year"]) == ("盐边县新九镇人民政府", 2021)
    assert (t["section2"], t["section3"], t["section4"]) == (ZERO_T2, ZERO_T3, ZERO_T4)
    assert result.notes == [] and result.clean


def test_utf8_page_that_declares_gbk():
    result = import_report(PAGES / "pingwu_tjj_2021_wrong_charset.html")
    assert (result.agency, result.year) == ("平武县统计局", 2021)
    assert (result.tables["section2"], result.tables["section3"]) == (ZERO_T2, ZERO_T3)
    assert result.clean


def test_gbk_page_that_declares_utf8(tmp_path):
    page = (PAGES / "constructed_messy_2022.html").read_text(encoding="utf-8")
    (tmp_path / "p.html").write_bytes(page.encode("gb18030"))  # the meta still says utf-8
    result = import_report(tmp_path / "p.html")
    assert result.agency == "示例县数据资源管理局"
    assert result.tables["section3"]["予以公开"] == r(8, 1, 0, 0, 0, 0, 9)


def test_row_printed_as_one_merged_zero():
    result = import_report(PAGES / "fenghuang_2021_merged_zero.html")
    assert (result.agency, result.year) == ("柞水县凤凰镇人民政府", 2021)
    assert result.tables["section3"] == ZERO_T3
    assert len([n for n in result.notes if "跨列合并" in n]) == 25


def test_header_rows_with_blank_cells_instead_of_rowspans():
    # 表四 prints 行政复议's five results in the second header row and leaves blank cells under
    # them in the third, which names the lawsuits' results: read before as 行政复议 missing.
    result = import_report(PAGES / "blank_header_cells_2025.html")
    t = result.tables
    assert (t["agency"], t["year"]) == ("测试市", 2025)
    assert t["section4"] == {
        "行政复议": {
            "结果维持": 376,
            "结果纠正": 97,
            "其他结果": 196,
            "尚未审结": 121,
            "总计": 790,
        },
        "未经复议直接起诉": {
            "结果维持": 16,
            "结果纠正": 1,
            "其他结果": 12,
            "尚未审结": 27,
            "总计": 56,
        },
        "复议后起诉": {"结果维持": 74, "结果纠正": 1, "其他结果": 30, "尚未审结": 51, "总计": 156},
    }
    assert t["section3"]["本年新收政府信息公开申请数量"] == {
        "自然人": 13612,
        "商业企业": 252,
        "科研机构": 0,
        "社会公益组织": 45,
        "法律服务机构": 128,
        "其他": 32,
        "总计": 14069,
    }
    assert t["section3"]["结转下年度继续办理"]["总计"] == 819
    assert t["section3"]["其他处理/其他"]["总计"] == 965
    assert t["section2"]["行政许可"] == {"本年处理决定数量": 11398889}
    assert t["section2"]["行政事业性收费"] == {"本年收费金额（单位：万元）": 316441}
    assert result.notes == []


def test_2019_template_is_refused_naming_the_circular():
    with pytest.raises(SupersededTemplate) as e:
        import_report(PAGES / "shanghai_bgt_2019.html")
    message = str(e.value)
    assert "国办公开办函〔2019〕60号" in message and "shanghai_bgt_2019.html" in message
    assert "本年新制作数量" in message


def test_2019_template_known_by_its_single_other_row(tmp_path):
    page = (PAGES / "shanghai_bgt_2019.html").read_text(encoding="utf-8")
    first_table = re.search(r"<table.*?</table>", page, re.DOTALL)
    (tmp_path / "only_t3_t4.html").write_text(page.replace(first_table.group(0), ""), "utf-8")
    with pytest.raises(SupersededTemplate) as e:
        import_report(tmp_path / "only_t3_t4.html")
    assert "（六）其他处理" in str(e.value) and "国办公开办函〔2019〕60号" in str(e.value)


def test_word_file_with_merged_cells(tmp_path):
    result = import_report(write_report_docx(tmp_path / "report.docx"))
    t = result.tables
    assert (t["agency"], t["year"]) == ("示例县交通运输局", 2022)
    assert t["section2"] == {
        "规章": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
        "行政规范性文件": {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 6},
        "行政许可": {"本年处理决定数量": 312},
        "行政处罚": {"本年处理决定数量": 48},
        "行政强制": {"本年处理决定数量": 0},
        "行政事业性收费": {"本年收费金额（单位：万元）": 0.35},
    }
    expected = dict(ZERO_T3)
    expected.update(
        {
            "本年新收政府信息公开申请数量": r(4, 1, 0, 0, 0, 0, 5),
            "上年结转政府信息公开申请数量": r(1, 0, 0, 0, 0, 0, 1),
            "予以公开": r(2, 1, 0, 0, 0, 0, 3),
            "无法提供/本机关不掌握相关政府信息": r(1, 0, 0, 0, 0, 0, 1),
            "不予处理/信访举报投诉类申请": r(1, 0, 0, 0, 0, 0, 1),
            "总计": r(4, 1, 0, 0, 0, 0, 5),
            "结转下年度继续办理": r(1, 0, 0, 0, 0, 0, 1),
        }
    )
    assert t["section3"] == expected
    assert t["section4"] == {
        "行政复议": a(1, 0, 0, 0, 1),
        "未经复议直接起诉": a(0, 0, 0, 0, 0),
        "复议后起诉": a(0, 0, 0, 0, 0),
    }
    assert result.clean


def test_a_page_without_the_tables_is_nothing_importable(tmp_path):
    (tmp_path / "news.html").write_text(
        "<html><head><title>新闻</title></head><body><table><tr><td>首页</td></tr></table></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(NothingImportable) as e:
        import_report(tmp_path / "news.html")
    assert "news.html" in str(e.value)


def test_broken_word_file_is_an_error_not_a_crash(tmp_path):
    (tmp_path / "x.docx").write_bytes(b"not a zip")
    with pytest.raises(NothingImportable.__mro__[1]) as e:  # ReportkitError
        import_report(tmp_path / "x.docx")
    assert "x.docx" in str(e.value)


# ---------------------------------------------------------------------------------------------
# Cells, labels, encodings
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "printed, value, kind",
    [
        ("1,234", 1234, "number"),
        (" 0.35 ", 0.35, "number"),
        ("１２", 12, "number"),  # full-width digits
        ("\u00a0\u00a07", 7, "number"),
        ("", "", "blank"),
        ("\u00a0", "", "blank"),
        ("／", "/", "blank"),
        ("-", "-", "blank"),
        ("无", "无", "blank"),
        ("105件", "105件", "text"),
        ("自然人", "自然人", "label"),
    ],
)
def test_cell_values_as_printed(printed, value, kind):
    assert cell_value(printed) == (value, kind)


@pytest.mark.parametrize(
    "printed, row",
    [
        (["一、本年新收政府信息公开申请数量"], "本年新收政府信息公开申请数量"),
        (["三、本年度办理结果", "(七)总计"], "总计"),
        (
            ["三、本年度办理结果", "（三）不予公开", "3.危及三安全一稳定"],
            "不予公开/危及“三安全一稳定”",
        ),
        (["（三）不予公开1.属于国家秘密"], "不予公开/属于国家秘密"),
        (["部分公开"], "部分公开"),
        (["（六）其他处理", "3.其他"], "其他处理/其他"),
        (["结转下年度 继续办理"], "结转下年度继续办理"),
    ],
)
def test_table_three_labels(printed, row):
    assert labels.t3_row(printed, None).row == row


def test_shortened_other_labels_are_mapped_with_a_note():
    match = labels.t3_row(["（六）其他处理", "2.逾期未缴费"], None)
    assert match.row == ROWS[21]
    assert "「2.逾期未缴费」" in match.note


def test_unknown_label_is_refused_with_did_you_mean():
    match = labels.t3_row(["本年新收政府信息申请数"], None)
    assert match.row is None
    assert "是不是「本年新收政府信息公开申请数量」" in match.refusal()


def test_decode_page_prefers_valid_utf8_then_the_declared_then_gb18030():
    text = "<meta charset=gbk><p>政府信息</p>"
    assert decode_page(text.encode("utf-8")) == (text, "utf-8")
    assert decode_page(text.encode("gbk")) == (text, "gb18030")
    no_meta = "<p>政府信息公开</p>"
    assert decode_page(no_meta.encode("gb18030"))[0] == no_meta


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------
def test_cli_import_exit_codes_and_default_output(tmp_path, capsys):
    for name in ("pingwu_tjj_2021_wrong_charset.html", "constructed_messy_2022.html"):
        shutil.copy(PAGES / name, tmp_path / name)
    assert cli.main(["import", str(tmp_path / "pingwu_tjj_2021_wrong_charset.html")]) == 0
    written = json.loads(
        (tmp_path / "pingwu_tjj_2021_wrong_charset.tables.json").read_text("utf-8")
    )
    assert written["agency"] == "平武县统计局" and written["notes"] == []
    assert cli.main(["import", str(tmp_path / "constructed_messy_2022.html")]) == 1
    assert "注：" in capsys.readouterr().out


def test_cli_import_several_into_a_folder_and_refusals(tmp_path, capsys):
    out = tmp_path / "out"
    files = [str(PAGES / n) for n in ("xinjiu_2021_gbk.html", "shanghai_bgt_2019.html")]
    assert cli.main(["import", *files, "--out", str(out)]) == 2
    assert (out / "xinjiu_2021_gbk.tables.json").is_file()
    assert not (out / "shanghai_bgt_2019.tables.json").exists()
    err = capsys.readouterr().err
    assert "国办公开办函〔2019〕60号" in err and "Traceback" not in err


def test_cli_import_overrides_agency_and_year(tmp_path):
    target = tmp_path / "x.json"
    args = ["import", str(PAGES / "xinjiu_2021_gbk.html"), "--out", str(target)]
    assert cli.main([*args, "--agency", "新九镇", "--year", "2020"]) == 0
    written = json.loads(target.read_text("utf-8"))
    assert (written["agency"], written["year"]) == ("新九镇", 2020)


def test_cli_check_reads_a_page_or_a_word_file(tmp_path, capsys):
    assert cli.main(["check", "--tables", str(PAGES / "pingwu_tjj_2021_wrong_charset.html")]) == 0
    assert cli.main(["check", "--tables", str(PAGES / "constructed_messy_2022.html")]) == 1
    out = capsys.readouterr().out
    assert "[R5]" in out
    docx_path = write_report_docx(tmp_path / "r.docx")
    assert cli.main(["check", "--tables", str(docx_path)]) == 0
    assert cli.main(["check", "--tables", str(PAGES / "shanghai_bgt_2019.html")]) == 2


def test_unknown_row_in_table_three_is_refused_with_did_you_mean(tmp_path):
    page = (PAGES / "constructed_messy_2022.html").read_text(encoding="utf-8")
    (tmp_path / "p.html").write_text(
        page.replace("2.重复申请", "2.重复提交的申请"), encoding="utf-8"
    )
    result = import_report(tmp_path / "p.html")
    assert "不予处理/重复申请" not in result.tables["section3"]
    assert any(
        "「2.重复提交的申请」" in n and "是不是「不予处理/重复申请」" in n for n in result.notes
    )
    assert any("表三缺少1行：不予处理/重复申请" in n for n in result.notes)


def test_table_three_split_over_two_tables_is_read_as_one(tmp_path):
    page = (PAGES / "constructed_messy_2022.html").read_text(encoding="utf-8")
    header_end = page.index("<tr><td colspan=3>一、本年新收")
    split = page[:header_end] + "</tbody></table><p>（续表）</p><table><tbody>" + page[header_end:]
    (tmp_path / "p.html").write_text(split, encoding="utf-8")
    t3 = import_report(tmp_path / "p.html").tables["section3"]
    assert t3["本年新收政府信息公开申请数量"] == r(20, 3, 0, 0, 1, 0, 24)
    assert t3["结转下年度继续办理"] == r(2, 1, 0, 0, 0, 0, 3)
    assert len(t3) == 25


def test_cli_check_with_a_previous_page_or_word_file(tmp_path, capsys):
    this = write_report_docx(tmp_path / "2022.docx")
    last = write_report_docx(tmp_path / "2021.docx", year=2021)
    # Same figures both years: 上年结转 1 = 上年的结转下年度 1 (no R10); 现行有效 6 + 1 − 0 ≠ 6
    # (R11) and every table as last year's (R12): warnings only.
    assert cli.main(["check", "--tables", str(this), "--previous", str(last)]) == 0
    out = capsys.readouterr().out
    assert "[R11]" in out and "[R12]" in out and "[R10]" not in out
    other = write_report_docx(tmp_path / "other.docx", agency="示例县水利局", year=2021)
    assert cli.main(["check", "--tables", str(this), "--previous", str(other)]) == 0
    out = capsys.readouterr().out
    assert "[X-agency]" in out and "[R12]" not in out


def test_words_in_a_value_cell_are_kept_as_printed(tmp_path):
    page = (PAGES / "constructed_messy_2022.html").read_text(encoding="utf-8")
    start = page.index("（一）予以公开</td>")
    first_value = page.index("&nbsp;8</span>", start)
    page = page[:first_value] + "&nbsp;约8件</span>" + page[first_value + len("&nbsp;8</span>") :]
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    result = import_report(tmp_path / "p.html")
    assert result.tables["section3"]["予以公开"] == r("约8件", 1, 0, 0, 0, 0, 9)
    assert any("「约8件」" in n and "予以公开" in n for n in result.notes)


def test_word_title_on_two_lines_below_an_attachment_mark(tmp_path):
    import docx

    d = docx.Document()
    for line in ("附件", "示例县水利局", "2021年度政府信息公开工作年度报告"):
        d.add_paragraph(line)
    t = d.add_table(rows=1, cols=4)
    for c, text in enumerate(["规章", "0", "0", "0"]):
        t.cell(0, c).text = text
    d.save(str(tmp_path / "x.docx"))
    result = import_report(tmp_path / "x.docx")
    assert (result.agency, result.year) == ("示例县水利局", 2021)


def test_words_in_a_table_four_cell_are_kept_in_their_column(tmp_path):
    page = (PAGES / "constructed_messy_2022.html").read_text(encoding="utf-8")
    t4_start = page.index("四、政府信息公开行政复议")
    first = page.index("&nbsp;1</span>", t4_start)  # 行政复议 结果维持
    page = page[:first] + "&nbsp;见说明</span>" + page[first + len("&nbsp;1</span>") :]
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    t4 = import_report(tmp_path / "p.html").tables["section4"]
    assert t4["行政复议"] == a("见说明", 0, 0, 1, 2)
    assert t4["复议后起诉"] == a(0, 0, 1, 0, 1)


def test_params_previous_may_name_a_published_page():
    from reportkit.pipeline import previous

    tables = previous.read_published(PAGES / "pingwu_tjj_2021_wrong_charset.html")
    assert (tables["agency"], tables["year"]) == ("平武县统计局", 2021)
    assert tables["section3"] == ZERO_T3


def test_a_leaf_printed_with_a_slip_is_read_within_its_group_with_a_note():
    # 「5.属于三类内容事务信息」 (内容 for 内部) as a district office printed it in its 2022 report.
    match = labels.t3_row(["（三）不予公开", "5.属于三类内容事务信息"], None)
    assert match.row == "不予公开/属于三类内部事务信息"
    assert match.note == (
        "表三「5.属于三类内容事务信息」行按「不予公开/属于三类内部事务信息」读入"
        "（规定格式的名称是「属于三类内部事务信息」）"
    )
    # Not close enough to any leaf of its group: refused, with a guess.
    assert labels.t3_row(["（三）不予公开", "9.属于其他情形"], None).row is None


def test_a_word_file_that_unpacks_to_hundreds_of_megabytes_is_refused(tmp_path, capsys):
    # A zip bomb: 300 KB on disk, 300 MB of document.xml; read whole, it took 900 MB of memory.
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<a>" + b" " * 300_000_000 + b"</a>")
    assert cli.main(["import", str(bomb), "--out", str(tmp_path / "t.json")]) == 2
    assert "Word 文件的正文解压后超过 64 MB，不像年度报告，未读入" in capsys.readouterr().err
