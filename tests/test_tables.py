"""Counting rules of the contract, on small ledgers whose every cell is worked out by hand."""

from decimal import Decimal

import pytest

from reportkit.compute.report import open_report
from reportkit.contract import vocab

REQUESTS = """\
申请编号,收到日期,申请人类型,办理结果,办结日期
R1,2020-11-20,自然人,予以公开,2020-12-01
R2,2020-12-20,自然人,部分公开,2021-01-06
R3,2020-12-28,商业企业,,
R4,2021-02-01,自然人,属于国家秘密,2021-02-20
R5,2021-03-01,科研机构,重复申请,2021-03-05
R6,2021-12-30,法律服务机构,予以公开,2022-01-05
R7,2021-07-01,其他,其他处理/其他,2021-07-02
R8,2021-08-01,社会公益组织,,
R9,2022-01-03,自然人,予以公开,2022-01-04
"""
# 2021 by hand:
#  新收 (received 2021): R4 自然人, R5 科研机构, R6 法律服务机构, R7 其他, R8 社会公益组织 -> 5
#  上年结转 (received before 2021, not finished before 2021): R2 自然人, R3 商业企业 -> 2
#  办结 in 2021: R2 部分公开 自然人, R4 国家秘密 自然人, R5 重复申请 科研机构, R7 其他 其他 -> 4
#  结转下年度 (received <= 2021, open at end of 2021): R3 商业企业, R6 法律服务机构, R8 社会公益组织 -> 3
#  Check: 5 + 2 = 4 + 3.

APPEALS = """\
案件编号,类别,收到日期,结果,审结日期
A1,行政复议,2021-03-01,结果维持,2021-05-01
A2,行政复议,2021-04-01,结果纠正,2022-02-01
A3,未经复议直接起诉,2021-06-01,,
A4,复议后起诉,2021-07-01,其他结果,2021-09-01
A5,行政复议,2020-12-01,结果维持,2021-01-10
"""
# 2021: 行政复议 A1 维持, A2 (concluded 2022) 尚未审结 -> 总计 2; A5 was received in 2020: not counted.
#       直接起诉 A3 尚未审结 -> 1; 复议后起诉 A4 其他结果 -> 1.

DOCUMENTS = """\
文号,标题,类型,印发日期,废止日期
D1,甲,行政规范性文件,2018-01-01,2021-06-01
D2,乙,行政规范性文件,2020-05-01,
D3,丙,行政规范性文件,2021-03-01,
D4,丁,行政规范性文件,2021-04-01,2021-10-01
D5,戊,规章,2021-05-01,
D6,己,行政规范性文件,2022-01-01,
"""
# 2021 规范性文件: 制发 D3 D4 = 2; 废止 D1 D4 = 2; 现行有效 D2 D3 = 2. 规章: 1/0/1.

FEES = """\
日期,项目,金额（元）
2021-01-05,a,12000.00
2021-06-05,b,345.50
2020-06-05,c,99999.00
"""
# 2021: 12345.50 元 = 1.234550 万元 -> 1.23 万元.


@pytest.fixture
def report(write_agency):
    params = write_agency(
        {
            "requests.csv": REQUESTS,
            "appeals.csv": APPEALS,
            "documents.csv": DOCUMENTS,
            "fees.csv": FEES,
            "licensing.csv": "编号,决定日期\n1,2020-12-31\n2,2021-01-01\n3,2021-12-31\n4,2022-01-01\n",
        }
    )
    return open_report(params=params)


def test_table3_by_hand(report):
    t = report.table3
    assert list(t.index) == vocab.T3_ROWS and len(t.index) == 25
    assert list(t.columns) == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert list(t.loc["本年新收政府信息公开申请数量"]) == [1, 0, 1, 1, 1, 1, 5]
    assert list(t.loc["上年结转政府信息公开申请数量"]) == [1, 1, 0, 0, 0, 0, 2]
    assert list(t.loc["部分公开"]) == [1, 0, 0, 0, 0, 0, 1]
    assert list(t.loc["不予公开/属于国家秘密"]) == [1, 0, 0, 0, 0, 0, 1]
    assert list(t.loc["不予处理/重复申请"]) == [0, 0, 1, 0, 0, 0, 1]
    assert list(t.loc["其他处理/其他"]) == [0, 0, 0, 0, 0, 1, 1]
    assert list(t.loc["予以公开"]) == [0] * 7
    assert list(t.loc["总计"]) == [2, 0, 1, 0, 0, 1, 4]
    assert list(t.loc["结转下年度继续办理"]) == [0, 1, 0, 1, 1, 0, 3]
    # Rows not named above are all zero.
    named = {
        "本年新收政府信息公开申请数量",
        "上年结转政府信息公开申请数量",
        "部分公开",
        "不予公开/属于国家秘密",
        "不予处理/重复申请",
        "其他处理/其他",
        "总计",
        "结转下年度继续办理",
    }
    assert int(t.drop(index=list(named)).to_numpy().sum()) == 0


def test_table3_next_year_carries_over(report, write_agency):
    from reportkit.compute.tables import table3

    t = table3(report.ledgers, 2022)
    assert list(t.loc["上年结转政府信息公开申请数量"]) == [0, 1, 0, 1, 1, 0, 3]
    assert list(t.loc["予以公开"]) == [1, 0, 0, 0, 1, 0, 2]  # R9 and R6


def test_table4_by_hand(report):
    t = report.table4
    assert list(t.columns) == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert list(t.loc["行政复议"]) == [1, 0, 0, 1, 2]
    assert list(t.loc["未经复议直接起诉"]) == [0, 0, 0, 1, 1]
    assert list(t.loc["复议后起诉"]) == [0, 0, 1, 0, 1]


def test_table4_of_a_year_without_appeals_is_all_zero(report):
    from reportkit.compute.tables import table4

    t = table4(report.ledgers, 2019)  # no case was received in 2019
    assert list(t.index) == ["行政复议", "未经复议直接起诉", "复议后起诉"]
    assert list(t.columns) == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert t.to_numpy().tolist() == [[0] * 5] * 3


def test_table2_by_hand(report):
    t = report.table2
    assert t["行政规范性文件"] == {"本年制发件数": 2, "本年废止件数": 2, "现行有效件数": 2}
    assert t["规章"] == {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 1}
    assert t["行政许可"] == {"本年处理决定数量": 2}
    assert t["行政处罚"] == {"本年处理决定数量": 0}
    assert t["行政事业性收费"] == {"本年收费金额（单位：万元）": Decimal("1.23")}


def test_tables_json_shape(report):
    j = report.tables_json
    assert list(j) == ["agency", "year", "section2", "section3", "section4"]
    assert (j["agency"], j["year"]) == ("测试局", 2021)
    assert list(j["section2"]) == [
        "规章",
        "行政规范性文件",
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
    ]
    assert j["section2"]["行政事业性收费"] == {"本年收费金额（单位：万元）": 1.23}
    assert list(j["section3"])[:4] == [
        "本年新收政府信息公开申请数量",
        "上年结转政府信息公开申请数量",
        "予以公开",
        "部分公开",
    ]
    assert list(j["section3"])[4] == "不予公开/属于国家秘密"
    assert list(j["section3"])[-3:] == ["其他处理/其他", "总计", "结转下年度继续办理"]
    assert len(j["section3"]) == 25
    assert list(j["section4"]) == ["行政复议", "未经复议直接起诉", "复议后起诉"]
    assert j["section4"]["行政复议"] == {
        "结果维持": 1,
        "结果纠正": 0,
        "其他结果": 0,
        "尚未审结": 1,
        "总计": 2,
    }


def test_counting_rules_name_the_rows(report):
    # The one home of each rule, which 表二/表三 and the ledger checks all call.
    from reportkit.compute import tables

    docs, requests = report.ledgers["documents"], report.ledgers["requests"]

    def ids(frame, mask, column):
        return list(frame.loc[mask, column])

    assert ids(docs, tables.in_force(docs, 2021), "文号") == ["D2", "D3", "D5"]
    # abolished within 2021 (D1, D4): in force on some day of the year, not on 31 December
    assert ids(docs, tables.in_force(docs, 2021, at_year_end=False), "文号") == [
        "D1",
        "D2",
        "D3",
        "D4",
        "D5",
    ]
    assert ids(requests, tables.carried_in(requests, 2021), "申请编号") == ["R2", "R3"]
    assert ids(requests, tables.carried_out(requests, 2021), "申请编号") == ["R3", "R6", "R8"]
    assert ids(requests, tables.carried_in(requests, 2022), "申请编号") == ["R3", "R6", "R8"]
