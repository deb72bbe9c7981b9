"""Checker fixes for reports read from published pages: fee decimals, other agencies' previous
years, missing years, blank columns, advice without ledgers."""

from __future__ import annotations

import copy

from test_checks import CARRIED_IN, CARRIED_OUT, clean_tables, previous_tables, row

from reportkit.checks import run as checks

FEES = ("行政事业性收费", "本年收费金额（单位：万元）")


def with_fee(amount):
    t = clean_tables()
    t["section2"][FEES[0]][FEES[1]] = amount
    return t


def test_r6_quiet_on_four_decimals_of_wan_which_are_exact_yuan():
    assert checks.check_tables(with_fee(59237.2449)) == []  # 592,372,449 元
    assert checks.check_tables(with_fee(0.0001)) == []  # 1 元


def test_r6_warns_on_a_fifth_decimal():
    found = checks.check_tables(with_fee(1.23456))
    assert [(f.rule, f.found) for f in found] == [("R6", 1.23456)]
    assert "5位小数" in found[0].message


def test_r6_still_warns_on_size():
    found = checks.check_tables(with_fee(150000))  # 15 亿元 of fees: 元 typed as 万元
    assert [(f.rule, f.found) for f in found] == [("R6", 150000)]


def previous(agency=None, year=2020):
    p = previous_tables()
    p["year"], p["agency"] = year, agency or clean_tables()["agency"]
    p["section3"][CARRIED_OUT] = row(自然人=2, 总计=2)  # would break R10 against clean_tables
    return p


def test_previous_of_another_agency_warns_instead_of_r10():
    t = clean_tables()
    t["agency"] = "示例局"
    found = checks.check_tables(t, previous(agency="另一个局"))
    assert [(f.rule, f.severity, f.expected, f.found) for f in found] == [
        ("X-agency", "warning", "示例局", "另一个局")
    ]


def test_previous_of_the_same_agency_written_differently_is_compared():
    t = clean_tables()
    t["agency"] = "示例局"
    found = checks.check_tables(t, previous(agency=" 示例局 "))
    assert {f.rule for f in found} == {"R10"}


def test_a_missing_year_is_said_and_the_rules_still_run():
    t = clean_tables()
    del t["year"]
    found = checks.check_tables(t, previous())
    assert [f.rule for f in found] == ["X-year", "R10", "R10"]
    assert "本年" in found[0].message and "上年" not in found[0].message.split("无法")[0]


def test_a_blank_column_is_one_finding_with_its_cells():
    t = clean_tables()
    for cells in t["section3"].values():
        cells["科研机构"] = ""
    r5 = [f for f in checks.check_tables(t) if f.rule == "R5"]
    assert len(r5) == 1
    assert r5[0].where == {"table": "表三", "column": "科研机构"}
    assert r5[0].found == [""] * 25
    assert r5[0].message.startswith("25格为空（本年新收政府信息公开申请数量、")


def test_columns_blank_in_the_same_rows_are_one_finding():
    t = clean_tables()
    for cells in t["section3"].values():
        cells["科研机构"] = cells["社会公益组织"] = "/"
    r5 = [f for f in checks.check_tables(t) if f.rule == "R5"]
    assert [(f.where, len(f.found)) for f in r5] == [
        ({"table": "表三", "column": "科研机构、社会公益组织"}, 50)
    ]


def test_a_blank_row_is_one_finding_and_single_cells_stay_single():
    t = clean_tables()
    t["section3"][CARRIED_IN] = dict.fromkeys(t["section3"][CARRIED_IN], "-")
    t["section3"]["予以公开"]["其他"] = ""
    r5 = [f for f in checks.check_tables(t) if f.rule == "R5"]
    assert [f.where for f in r5] == [
        {"table": "表三", "row": CARRIED_IN},
        {"table": "表三", "row": "予以公开", "column": "其他"},
    ]
    assert r5[0].found == ["-"] * 7


def test_advice_for_a_published_report_names_no_ledgers():
    t = clean_tables()
    prev = copy.deepcopy(previous())
    prev["agency"] = None
    prev["section2"]["行政规范性文件"]["现行有效件数"] = 100
    own = checks.check_tables(t, prev)
    published = checks.check_tables(t, prev, published=True)
    assert {f.rule for f in published} == {"R10", "R11"}
    assert all("台账" in f.message for f in own)
    assert not any("台账" in f.message for f in published)


def test_a_missing_table_or_row_of_a_published_report_is_worded_for_the_report():
    t = clean_tables()
    del t["section4"]
    del t["section3"]["其他处理/其他"]
    own = [f.message for f in checks.check_tables(t)]
    published = [f.message for f in checks.check_tables(t, published=True)]
    assert own == [
        "缺少这一行，没有的请每格填 0",
        "缺少表四（tables.json 的「section4」），即使全为 0 也要完整填写",
    ]
    assert published == [
        "报告中缺少这一行，即使全为 0 也要印出",
        "报告中没有表四，即使全为 0 也要印出完整的表格",
    ]
