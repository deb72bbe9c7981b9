import pytest

from reportkit.compute.report import open_report
from reportkit.contract.errors import TemplateError

LICENSING = "编号,决定日期\n1,2020-03-01\n2,2021-03-01\n3,2021-04-01\n"


def test_placeholders_fill_from_ledgers(write_agency):
    params = write_agency(
        {"licensing.csv": LICENSING},
        extra="narrative:\n  二: '许可{{ 行政许可 }}件，{{ 行政许可|同比(\"件\") }}，{{ 行政许可|增幅 }}。'\n",
    )
    assert open_report(params=params).texts["proactive"] == "许可2件，与上年增加1件，同比增长100%。"


def test_unknown_placeholder_names_it_and_the_section(write_agency):
    params = write_agency(
        {"licensing.csv": LICENSING}, extra="narrative:\n  一: '共{{ 行政许可证 }}件'\n"
    )
    with pytest.raises(TemplateError) as e:
        _ = open_report(params=params).texts
    assert (
        str(e.value)
        == "叙述「一、总体情况」中的占位符「行政许可证」：没有这个数字；可用的名称见 README「叙述占位符」"
    )


def test_unknown_attribute_is_named(write_agency):
    params = write_agency({}, extra="narrative:\n  六: '{{ 宣传.场数 }}'\n")
    with pytest.raises(TemplateError) as e:
        _ = open_report(params=params).texts
    assert (e.value.section, e.value.placeholder) == ("六、其他需要报告的事项", "场数")


def test_markdown_without_raw_html(write_agency):
    params = write_agency({}, extra="narrative:\n  五: '**问题**<script>alert(1)</script>'\n")
    html = open_report(params=params).html("problems")
    assert "<strong>问题</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_defaults_fill_missing_sections(write_agency):
    report = open_report(params=write_agency({}))
    assert report.texts["requests"] == "2021年度未收到政府信息公开申请。"
    assert report.texts["problems"]  # never empty
