"""The consistency checks: each rule once triggered and once quiet, on small hand-written inputs."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from helpers import ROOT

from reportkit import cli
from reportkit.checks import run as checks
from reportkit.compute.report import open_report
from reportkit.contract.errors import ReportkitError
from reportkit.pipeline import checking
from reportkit.pipeline.previous import last_years_text

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
BUILT = dt.date(2022, 1, 20)

NEW, CARRIED_IN, CARRIED_OUT = (
    "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量",
    "结转下年度继续办理",
)
SECRET = "不予公开/属于国家秘密"
OUTCOMES = [
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
]


def row(自然人=0, 商业企业=0, 总计=0):
    return {
        "自然人": 自然人,
        "商业企业": 商业企业,
        "科研机构": 0,
        "社会公益组织": 0,
        "法律服务机构": 0,
        "其他": 0,
        "总计": 总计,
    }


def appeal(维持=0, 纠正=0, 其他=0, 未结=0, 总计=0):
    return {"结果维持": 维持, "结果纠正": 纠正, "其他结果": 其他, "尚未审结": 未结, "总计": 总计}


def clean_tables(year: int = 2021) -> dict:
    """A consistent tables.json: 一 4 + 二 1 = 三（七）4 + 四 1; 表四 复议 1 维持 + 1 未结 = 2."""
    section3 = {name: row() for name in [NEW, CARRIED_IN, *OUTCOMES, "总计", CARRIED_OUT]}
    section3.update(
        {
            NEW: row(自然人=3, 商业企业=1, 总计=4),
            CARRIED_IN: row(自然人=1, 总计=1),
            "予以公开": row(自然人=2, 总计=2),
            "部分公开": row(商业企业=1, 总计=1),
            SECRET: row(自然人=1, 总计=1),
            "总计": row(自然人=3, 商业企业=1, 总计=4),
            CARRIED_OUT: row(自然人=1, 总计=1),
        }
    )
    return {
        "agency": "测试局",
        "year": year,
        "section2": {
            "规章": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
            "行政规范性文件": {"本年制发件数": 2, "本年废止件数": 1, "现行有效件数": 5},
            "行政许可": {"本年处理决定数量": 105},
            "行政处罚": {"本年处理决定数量": 57},
            "行政强制": {"本年处理决定数量": 4},
            "行政事业性收费": {"本年收费金额（单位：万元）": 1.23},
        },
        "section3": section3,
        "section4": {
            "行政复议": appeal(维持=1, 未结=1, 总计=2),
            "未经复议直接起诉": appeal(),
            "复议后起诉": appeal(),
        },
    }


def previous_tables() -> dict:
    """Last year's tables that this year's clean_tables follows: 结转 1 自然人, 规范性文件 现行有效 4."""
    t = clean_tables(2020)
    t["section2"]["行政规范性文件"] = {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 4}
    t["section3"].update(
        {
            NEW: row(自然人=2, 总计=2),
            CARRIED_IN: row(),
            "予以公开": row(自然人=1, 总计=1),
            "部分公开": row(),
            SECRET: row(),
            "总计": row(自然人=1, 总计=1),
            CARRIED_OUT: row(自然人=1, 总计=1),
        }
    )
    t["section4"]["行政复议"] = appeal()
    return t


def rules(findings) -> set[str]:
    return {f.rule for f in findings}


def only(findings, rule):
    return [f for f in findings if f.rule == rule]


# ---------------------------------------------------------------------------------------------
# Tables (rules that need no ledger)
# ---------------------------------------------------------------------------------------------
def test_clean_tables_have_no_findings():
    assert checks.check_tables(clean_tables(), previous_tables(), can_make_regulations=False) == []


def test_r1_new_plus_carried_in_equals_concluded_plus_carried_out():
    t = clean_tables()
    t["section3"][NEW] = row(
        自然人=4, 商业企业=1, 总计=5
    )  # one more new request, nowhere concluded
    found = checks.check_tables(t)
    assert rules(found) == {"R1"}
    first = found[0]
    assert (first.severity, first.where["table"], first.where["column"]) == (
        "error",
        "表三",
        "自然人",
    )
    assert (first.expected, first.found) == (5, 4)  # 4 + 1 on the left, 3 + 1 on the right
    assert [f.where["column"] for f in found] == ["自然人", "总计"]


def test_r2_total_equals_the_outcomes():
    t = clean_tables()
    t["section3"]["予以公开"] = row(自然人=1, 总计=1)  # outcomes now 1 + 1 + 1 = 3, 总计 says 4
    found = checks.check_tables(t)
    assert rules(found) == {"R2"}
    assert [(f.where["row"], f.where["column"], f.expected, f.found) for f in found] == [
        ("总计", "自然人", 2, 3),
        ("总计", "总计", 3, 4),
    ]


def test_r3_row_total_equals_applicant_columns():
    t = clean_tables()
    t["section3"][SECRET] = row(自然人=1, 总计=2)
    r3 = only(checks.check_tables(t), "R3")
    assert [(f.where["row"], f.expected, f.found) for f in r3] == [(SECRET, 1, 2)]
    assert r3[0].severity == "error"


def test_r4_appeal_groups_add_up():
    t = clean_tables()
    t["section4"]["行政复议"] = appeal(维持=1, 未结=1, 总计=3)
    found = checks.check_tables(t)
    assert rules(found) == {"R4"}
    assert (found[0].where, found[0].expected, found[0].found) == (
        {"table": "表四", "row": "行政复议", "column": "总计"},
        2,
        3,
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("", ""),
        ("/", "/"),
        ("／", "／"),
        (None, None),
        (-1, -1),
        (1.5, 1.5),
        ("abc", "abc"),
        (True, True),
        ([1], "[1]"),  # a list is no cell value: shown as its text
        (float("nan"), "nan"),  # strict JSON has no NaN: shown as text
    ],
)
def test_r5_bad_cells_are_errors_not_crashes(value, shown):
    t = clean_tables()
    t["section3"]["部分公开"]["科研机构"] = value
    found = checks.check_tables(t)
    assert rules(found) == {"R5"}
    assert found[0].where == {"table": "表三", "row": "部分公开", "column": "科研机构"}
    assert found[0].severity == "error"
    # strict JSON, whatever was typed, holding the rule, the cell, what R5 asks for and the value
    held = json.loads(json.dumps(found[0].to_dict(), allow_nan=False))
    assert {k: v for k, v in held.items() if k != "message"} == {
        "rule": "R5",
        "severity": "error",
        "where": {"table": "表三", "row": "部分公开", "column": "科研机构"},
        "expected": "不小于 0 的整数，没有的写 0",
        "found": shown,
    }
    assert type(held["found"]) is type(shown)  # True stays true, not 1; -1 stays a number
    assert held["message"].endswith("应为不小于 0 的整数，没有的写 0")


def test_r5_zero_whole_floats_and_digit_strings_are_fine():
    t = clean_tables()
    t["section3"]["部分公开"]["科研机构"] = 0.0
    t["section2"]["行政许可"]["本年处理决定数量"] = "105"
    assert checks.check_tables(t) == []


def test_r5_missing_rows_cells_and_tables():
    t = clean_tables()
    del t["section3"]["其他处理/其他"]
    del t["section4"]["复议后起诉"]["尚未审结"]
    t["section2"] = "见附件"
    found = checks.check_tables(t)
    assert [(f.rule, f.where) for f in found] == [
        ("R5", {"table": "表二"}),
        ("R5", {"table": "表三", "row": "其他处理/其他"}),
        ("R5", {"table": "表四", "row": "复议后起诉", "column": "尚未审结"}),
    ]


def test_r5_not_an_object_at_all():
    assert rules(checks.check_tables([1, 2, 3])) == {"R5"}


def test_r5_unit_typed_in_a_cell_is_a_warning_and_the_number_still_counts():
    t = clean_tables()
    t["section2"]["行政许可"]["本年处理决定数量"] = "105件"  # as the seed report printed it
    found = checks.check_tables(t)
    assert [(f.rule, f.severity, f.found) for f in found] == [("R5-unit", "warning", "105件")]


def test_r6_fees_with_many_decimals():
    t = clean_tables()
    t["section2"]["行政事业性收费"]["本年收费金额（单位：万元）"] = (
        24252.311082  # a real 2021 report
    )
    found = checks.check_tables(t)
    assert [(f.rule, f.severity, f.found) for f in found] == [("R6", "warning", 24252.311082)]
    assert "万元" in found[0].message


def test_r6_fees_implausibly_large():
    t = clean_tables()
    t["section2"]["行政事业性收费"]["本年收费金额（单位：万元）"] = (
        350000  # 35 亿元: 元 typed as 万元
    )
    assert rules(checks.check_tables(t)) == {"R6"}


def test_r6_quiet_on_two_decimals():
    t = clean_tables()
    t["section2"]["行政事业性收费"]["本年收费金额（单位：万元）"] = 329.76
    assert checks.check_tables(t) == []


def test_r7_regulations_without_the_power():
    t = clean_tables()
    t["section2"]["规章"] = {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 1}
    found = checks.check_tables(t, can_make_regulations=False)
    assert [(f.rule, f.severity, f.where["row"]) for f in found] == [("R7", "warning", "规章")]


@pytest.mark.parametrize("power", [None, True])
def test_r7_quiet_when_allowed_or_unknown(power):
    t = clean_tables()
    t["section2"]["规章"] = {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 1}
    assert checks.check_tables(t, can_make_regulations=power) == []


def test_r9_labels_as_printed_are_read_quietly():
    t = clean_tables()
    s3 = t["section3"]
    s3["一、本年新收政府信息公开申请数量"] = s3.pop(NEW)
    s3["（一）予以公开"] = s3.pop("予以公开")
    s3["部分公开（区分处理的，只计这一情形，不计其他情形）"] = s3.pop("部分公开")
    s3["属于国家秘密"] = s3.pop(SECRET)
    s3["（七）总计"] = s3.pop("总计")
    s3["三、本年度办理结果"] = {}
    assert checks.check_tables(t) == []


@pytest.mark.parametrize("numbering", ["七、", "(七)", "（七）", "七)", "七）", "7.", "7、"])
def test_r9_numbered_total_in_every_form_people_type(numbering):
    # The same numbering rule as a ledger's 办理结果: 「七)」 was read there but refused here.
    t = clean_tables()
    t["section3"][numbering + "总计"] = t["section3"].pop("总计")
    assert checks.check_tables(t) == []


def test_r9_labels_the_format_does_not_have():
    t = clean_tables()
    t["section3"]["法人"] = row()
    t["section3"][NEW]["法人或其他组织"] = 1  # the format has no 法人 subtotal column
    t["section3"]["（一）予以公开"] = row(自然人=2, 总计=2)  # 予以公开 a second time
    found = checks.check_tables(t)
    assert [(f.rule, f.severity, f.where) for f in found] == [
        ("R9", "warning", {"table": "表三", "row": "法人"}),
        ("R9", "warning", {"table": "表三", "row": "（一）予以公开"}),
        ("R9", "warning", {"table": "表三", "row": NEW, "column": "法人或其他组织"}),
    ]


def test_r10_carried_in_equals_last_years_carried_out():
    prev = previous_tables()
    prev["section3"][CARRIED_OUT] = row(自然人=2, 总计=2)
    found = checks.check_tables(clean_tables(), prev)
    assert rules(found) == {"R10"}
    assert [(f.where["row"], f.where["column"], f.expected, f.found) for f in found] == [
        (CARRIED_IN, "自然人", 2, 1),
        (CARRIED_IN, "总计", 2, 1),
    ]
    assert found[0].severity == "error"


def test_r11_in_force_follows_from_last_year():
    # The example: last year 100 现行有效, this year 10 制发 and 5 废止, table says 120.
    prev = previous_tables()
    prev["section2"]["行政规范性文件"]["现行有效件数"] = 100
    t = clean_tables()
    t["section2"]["行政规范性文件"] = {"本年制发件数": 10, "本年废止件数": 5, "现行有效件数": 120}
    found = checks.check_tables(t, prev)
    assert [(f.rule, f.severity, f.expected, f.found) for f in found] == [
        ("R11", "warning", 105, 120)
    ]
    assert "105" in found[0].message


def test_r11_quiet_when_the_counts_follow():
    prev = previous_tables()
    prev["section2"]["行政规范性文件"]["现行有效件数"] = 100
    t = clean_tables()
    t["section2"]["行政规范性文件"] = {"本年制发件数": 10, "本年废止件数": 5, "现行有效件数": 105}
    assert checks.check_tables(t, prev) == []


def test_r12_tables_identical_to_last_year():
    prev = clean_tables(2020)
    found = checks.check_tables(clean_tables(), prev)
    assert [(f.rule, f.where) for f in found if f.rule == "R12"] == [
        ("R12", {"table": "表二"}),
        ("R12", {"table": "表三"}),
        ("R12", {"table": "表四"}),
    ]


def test_previous_of_the_wrong_year_skips_cross_year_rules():
    prev = previous_tables()
    prev["year"] = 2019
    prev["section3"][CARRIED_OUT] = row(自然人=2, 总计=2)
    found = checks.check_tables(clean_tables(), prev)
    assert [(f.rule, f.expected, f.found) for f in found] == [("X-previous", 2020, 2019)]


# ---------------------------------------------------------------------------------------------
# Ledgers: one clean agency, then one broken row per rule
# ---------------------------------------------------------------------------------------------
REQUESTS = """\
申请编号,收到日期,申请人类型,办理结果,办结日期,申请内容,收费金额（元）
Q1,2020-12-20,自然人,予以公开,2021-01-08,公开某工程验收材料,
Q2,2021-03-02,自然人,部分公开,2021-03-20,公开某企业处罚决定书,
Q3,2021-11-28,商业企业,,,公开某许可审批材料,
"""
# 2021 by hand: 一 2 (Q2 自然人, Q3 商业企业), 二 1 (Q1), 三（七）2 (Q1 予以公开, Q2 部分公开), 四 1 (Q3).
APPEALS = "案件编号,类别,收到日期,结果,审结日期\nA1,行政复议,2021-05-06,结果维持,2021-07-01\n"
DOCUMENTS = """\
文号,标题,类型,印发日期,废止日期
某规〔2019〕1号,甲办法,行政规范性文件,2019-04-01,2021-06-30
某规〔2021〕1号,乙办法,行政规范性文件,2021-02-01,
"""
# 2021 规范性文件: 制发 1, 废止 1, 现行有效 1.
LICENSING = "编号,决定日期\nX1,2021-01-05\nX2,2021-06-01\n"
FEES = "日期,项目,金额（元）\n2021-04-01,工本费,120.00\n"
PROBLEMS = "存在的主要问题：一是政策解读形式单一，图解和视频解读较少。改进情况：针对上年问题，已建立解读材料与文件同步起草、同步审签、同步发布的机制。"
LEDGERS = {
    "requests.csv": REQUESTS,
    "appeals.csv": APPEALS,
    "documents.csv": DOCUMENTS,
    "licensing.csv": LICENSING,
    "fees.csv": FEES,
}


def narrative(**sections: str) -> str:
    lines = ["narrative:"] + [
        f"  {key}: {json.dumps(text, ensure_ascii=False)}" for key, text in sections.items()
    ]
    return "\n".join(lines) + "\n"


def checked(params: Path) -> list[checks.Finding]:
    """check() of the report of `params` as of BUILT, with last year's narrative and texts when
    last year's params are beside it (last year's tables are not looked for)."""
    report = open_report(params=params)
    return checks.check(report, last_years_text(report), today=BUILT)


@pytest.fixture
def agency(write_agency):
    """agency(file=csv text, ..., extra=yaml) -> findings of check() for 2021, built 2022-01-20."""

    def make(extra: str = "", **files: str) -> list[checks.Finding]:
        ledgers = {**LEDGERS, **{f"{stem}.csv": text for stem, text in files.items()}}
        params = write_agency(ledgers, extra=extra or narrative(五=PROBLEMS))
        return checked(params)

    return make


def test_clean_agency_has_no_findings(agency):
    assert agency() == []


def test_done_before_received(agency):
    found = agency(
        requests=REQUESTS.replace(
            "2021-03-02,自然人,部分公开,2021-03-20", "2021-03-22,自然人,部分公开,2021-03-20"
        )
    )
    f = only(found, "L-done-before-received")
    assert [(x.severity, x.where, x.found) for x in f] == [
        ("error", {"file": "requests.csv", "row": 3, "column": "办结日期"}, "2021-03-20")
    ]


def test_done_without_result(agency):
    found = agency(requests=REQUESTS.replace("部分公开,2021-03-20", ",2021-03-20"))
    assert [x.where for x in only(found, "L-done-no-result")] == [
        {"file": "requests.csv", "row": 3, "column": "办理结果"}
    ]
    assert "R2" in rules(found)  # the table then counts it in 总计 but under no outcome


def test_result_without_done(agency):
    found = agency(requests=REQUESTS.replace("商业企业,,", "商业企业,予以公开,"))
    assert [(x.severity, x.where) for x in found] == [
        ("warning", {"file": "requests.csv", "row": 4, "column": "办结日期"})
    ]


def test_same_request_concluded_twice(agency):
    twice = REQUESTS + "Q4,2021-03-02,自然人,部分公开,2021-03-21,公开某企业处罚决定书,\n"
    found = agency(requests=twice)
    assert [(x.rule, x.severity, x.where["row"], x.found) for x in found] == [
        ("L-concluded-twice", "warning", 5, "Q4")
    ]


def test_requests_concluded_twice_are_listed_group_by_group(agency):
    # Q2's request comes back twice (rows 5 and 7) around a repeat of Q1's (row 6); full-width
    # spaces and quotes do not make a request different. Groups are listed in the order their
    # first rows come (Q1's, then Q2's), each later row named against its group's first.
    twice = (
        REQUESTS
        + "Q4,2021-03-02,自然人,部分公开,2021-03-21,公开某企业处罚决定书,\n"
        + "Q5,2020-12-20,自然人,予以公开,2021-01-09,公开某工程　验收材料,\n"
        + "Q6,2021-03-02,自然人,予以公开,2021-03-22,“公开某企业处罚决定书”,\n"
    )
    found = agency(requests=twice)
    assert [(x.rule, x.where["row"], x.found, x.message[:13]) for x in found] == [
        ("L-concluded-twice", 6, "Q5", "与第2行（Q1）的收到日期"),
        ("L-concluded-twice", 5, "Q4", "与第3行（Q2）的收到日期"),
        ("L-concluded-twice", 7, "Q6", "与第3行（Q2）的收到日期"),
    ]


def test_same_text_as_a_repeated_request_is_not_twice(agency):
    repeated = (
        REQUESTS + "Q4,2021-03-02,自然人,不予处理/重复申请,2021-03-21,公开某企业处罚决定书,\n"
    )
    assert agency(requests=repeated) == []


def test_duplicate_ids_differing_only_in_width_or_case(agency):
    found = agency(licensing=LICENSING + "ｘ1,2021-07-01\n")
    assert [(x.rule, x.severity, x.where) for x in found] == [
        ("L-duplicate-id", "error", {"file": "licensing.csv", "row": 4, "column": "编号"})
    ]


def test_duplicate_ids_listed_in_row_order_against_the_first(agency):
    # x2 differs from X2 only in case, 「X 1」 from X1 only by a space
    found = agency(licensing=LICENSING + "x2,2021-07-01\nX 1,2021-07-02\n")
    assert [(x.where["row"], x.found, x.message[:11]) for x in only(found, "L-duplicate-id")] == [
        (4, "x2", "与第3行的「X2」实为"),
        (5, "X 1", "与第2行的「X1」实为"),
    ]


def test_date_after_the_report_was_built(agency):
    found = agency(licensing=LICENSING + "X3,2022-03-01\n")
    assert [(x.rule, x.severity, x.where["row"], x.found) for x in found] == [
        ("L-date-future", "error", 4, "2022-03-01")
    ]


def test_date_far_from_the_report_year(agency):
    found = agency(licensing=LICENSING + "X3,2001-06-01\n")
    assert [(x.rule, x.severity, x.where) for x in found] == [
        ("L-date-far", "warning", {"file": "licensing.csv", "row": 4, "column": "决定日期"})
    ]


def test_old_documents_are_not_far(agency):
    old = DOCUMENTS + "某发〔1998〕3号,丙规定,行政规范性文件,1998-05-01,2005-01-01\n"
    assert agency(documents=old) == []


def test_fee_with_more_than_two_decimals(agency):
    found = agency(fees=FEES + "2021-05-01,工本费,0.0120\n")
    assert [(x.rule, x.where["row"]) for x in found] == [("L-fee-decimals", 3)]


def test_fee_below_one_yuan(agency):
    found = agency(fees=FEES + "2021-05-01,工本费,0.35\n")
    assert [(x.rule, x.severity, x.where["column"]) for x in found] == [
        ("L-fee-size", "warning", "金额（元）")
    ]


def test_processing_fee_of_a_request_is_checked_too(agency):
    found = agency(requests=REQUESTS.replace("公开某企业处罚决定书,", "公开某企业处罚决定书,0.005"))
    assert [(x.rule, x.where["file"], x.where["row"]) for x in found] == [
        ("L-fee-decimals", "requests.csv", 3)
    ]


def test_regulation_rows_when_the_agency_cannot_make_them(agency):
    docs = DOCUMENTS + "某局令第1号,丁规定,规章,2021-04-12,\n"
    found = agency(documents=docs, extra="can_make_regulations: false\n" + narrative(五=PROBLEMS))
    assert [(x.rule, x.severity, x.where.get("row")) for x in found] == [
        ("R7", "warning", "规章"),
        ("L-regulation", "warning", 4),
    ]


def test_regulation_rows_unflagged_when_the_power_is_unknown(agency):
    docs = DOCUMENTS + "某局令第1号,丁规定,规章,2021-04-12,\n"
    assert agency(documents=docs) == []


def test_appeal_result_without_date(agency):
    found = agency(appeals=APPEALS.replace("结果维持,2021-07-01", "结果维持,"))
    assert [(x.rule, x.severity, x.where) for x in found] == [
        (
            "L-appeal-result-no-date",
            "warning",
            {"file": "appeals.csv", "row": 2, "column": "审结日期"},
        )
    ]


def test_appeal_date_without_result(agency):
    found = agency(appeals=APPEALS.replace("结果维持,2021-07-01", ",2021-07-01"))
    assert [(x.rule, x.where["column"]) for x in found] == [("L-appeal-date-no-result", "结果")]


def test_appeal_concluded_before_received(agency):
    found = agency(appeals=APPEALS.replace("2021-07-01", "2021-04-01"))
    assert [x.rule for x in found] == ["L-appeal-order"]


def test_document_abolished_before_issued(agency):
    found = agency(documents=DOCUMENTS.replace("2019-04-01,2021-06-30", "2021-07-01,2021-06-30"))
    assert "L-document-order" in rules(found)


# ---------------------------------------------------------------------------------------------
# Narrative
# ---------------------------------------------------------------------------------------------
def test_r8_literal_number_that_disagrees(agency):
    text = "全年作出行政许可3件，与上年减少16件。新收政府信息公开申请2件。印发规范性文件1件，现行有效4件。"
    found = agency(extra=narrative(二=text, 五=PROBLEMS))
    # 行政许可 is 2 in the ledger; 现行有效 is 1. The 16 is a change, 2 and 制发 1 are right.
    assert [(x.rule, x.severity, x.where, x.expected, x.found) for x in found] == [
        ("R8", "warning", {"section": "二、主动公开政府信息情况"}, 2, 3),
        ("R8", "warning", {"section": "二、主动公开政府信息情况"}, 1, 4),
    ]
    assert "{{ 行政许可 }}" in found[0].message and "{{ 规范性文件现行有效 }}" in found[1].message


def test_r8_quiet_on_placeholders_years_dates_and_document_numbers(agency):
    text = (
        "2021年全年作出行政许可{{ 行政许可 }}件，2020年行政许可121件。6月16日开展宣传46场，印发《某规〔2021〕1号》，"
        "第3项工作已完成。全年作出行政许可2件。"
    )
    assert agency(extra=narrative(二=text, 五=PROBLEMS)) == []


def test_r8_request_figures_in_section_three(agency):
    text = "收到75件，予以公开1件，部分公开1件，上年结转1件，结转下年度继续办理1件。"
    found = agency(extra=narrative(三=text, 五=PROBLEMS))
    assert [(x.rule, x.expected, x.found) for x in found] == [("R8", 2, 75)]


def test_r9_heading_typed_in_the_narrative(agency):
    found = agency(extra=narrative(五="存在的主要问题及改进情况\n" + PROBLEMS))
    assert [(x.rule, x.where, x.found) for x in found] == [
        ("R9", {"section": "五、存在的主要问题及改进情况"}, "存在的主要问题及改进情况")
    ]


@pytest.mark.parametrize("extra", ["", narrative(五="无"), narrative(五="问题较少，正在改进。")])
def test_problems_section_must_say_something(write_agency, extra):
    params = write_agency(LEDGERS, extra=extra)
    found = checked(params)
    assert [(x.rule, x.severity) for x in found] == [("T-problems", "warning")]


def test_r12_narrative_copied_from_last_year(write_agency):
    write_agency(LEDGERS, year=2020, extra=narrative(五=PROBLEMS.replace("上年", "2019年")))
    params = write_agency(LEDGERS, extra=narrative(五=PROBLEMS.replace("上年", "2020年")))
    found = checked(params)
    assert [(x.rule, x.severity, x.where) for x in found] == [
        ("R12", "warning", {"section": "五、存在的主要问题及改进情况"})
    ]


def test_r12_quiet_when_rewritten(write_agency):
    write_agency(
        LEDGERS,
        year=2020,
        extra=narrative(
            五="存在的主要问题：一是依申请公开答复不够规范，二是平台栏目更新不及时，三是解读材料偏少。"
        ),
    )
    params = write_agency(LEDGERS, extra=narrative(五=PROBLEMS))
    assert checked(params) == []


def test_r12_placeholder_sections_differ_by_their_numbers(write_agency):
    # 行政许可 is 0 in 2020 and 2 in 2021: the same template gives two different texts.
    text = "全年作出行政许可决定{{ 行政许可 }}件，继续做好行政许可结果公开，做到应公开尽公开、及时准确。"
    write_agency(LEDGERS, year=2020, extra=narrative(二=text, 五="2020年" + PROBLEMS))
    params = write_agency(LEDGERS, extra=narrative(二=text, 五=PROBLEMS))
    assert checked(params) == []


def test_r12_placeholder_section_copied_word_for_word(write_agency):
    text = "继续做好行政许可、行政处罚结果公开，做到应公开尽公开、及时准确，接受社会监督。"
    write_agency(LEDGERS, year=2020, extra=narrative(二=text, 五="2020年" + PROBLEMS))
    params = write_agency(LEDGERS, extra=narrative(二=text, 五=PROBLEMS))
    found = checked(params)
    assert [(x.rule, x.where["section"]) for x in found] == [("R12", "二、主动公开政府信息情况")]
    assert "数字也一样" in found[0].message


def test_r12_skipped_when_last_years_params_do_not_load(write_agency):
    params = write_agency(LEDGERS, extra=narrative(五=PROBLEMS))
    (params.parent / "2020.yaml").write_text("agency: [broken\n", encoding="utf-8")
    assert checked(params) == []


# ---------------------------------------------------------------------------------------------
# run(), the command line and the outputs
# ---------------------------------------------------------------------------------------------
def test_run_compares_with_last_years_default_output(write_agency, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTKIT_ROOT", str(tmp_path))
    params = write_agency(LEDGERS, extra=narrative(五=PROBLEMS))
    out = tmp_path / "outputs" / "2020"
    out.mkdir(parents=True)
    prev = previous_tables()
    prev["section3"][CARRIED_OUT] = row(自然人=0, 总计=0)  # the ledger carries Q1 自然人 into 2021
    prev["section2"]["行政规范性文件"]["现行有效件数"] = (
        1  # 1 + 制发 1 − 废止 1 = 1, as the ledger says
    )
    (out / "tables.json").write_text(json.dumps(prev, ensure_ascii=False), encoding="utf-8")
    found = checking.run(params=params)
    assert [(x.rule, x.where["column"], x.expected, x.found) for x in found] == [
        ("R10", "自然人", 0, 1),
        ("R10", "总计", 0, 1),
    ]


def test_run_without_last_year(write_agency, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTKIT_ROOT", str(tmp_path))
    params = write_agency(LEDGERS, extra=narrative(五=PROBLEMS))
    assert checking.run(params=params) == []


def test_cli_tables_with_a_broken_identity_exits_1(capsys):
    assert cli.main(["check", "--tables", str(FIXTURES / "broken_identity.json")]) == 1
    out = capsys.readouterr().out
    assert "错误 [R2] 表三「总计」行「自然人」列" in out


def test_cli_json_output_parses(capsys):
    assert cli.main(["check", "--tables", str(FIXTURES / "broken_identity.json"), "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert (printed["errors"], printed["warnings"]) == (2, 0)
    found = printed["findings"]
    # 予以公开 自然人 was typed 3 instead of 2: outcomes add to 4 (自然人) and 5 (总计) against 3 and 4.
    assert [
        (f["rule"], f["severity"], f["where"]["column"], f["expected"], f["found"]) for f in found
    ] == [("R2", "error", "自然人", 4, 3), ("R2", "error", "总计", 5, 4)]


def test_cli_clean_tables_with_previous_exits_0(tmp_path, capsys):
    (tmp_path / "t.json").write_text(
        json.dumps(clean_tables(), ensure_ascii=False), encoding="utf-8"
    )
    (tmp_path / "p.json").write_text(
        json.dumps(previous_tables(), ensure_ascii=False), encoding="utf-8"
    )
    assert (
        cli.main(
            ["check", "--tables", str(tmp_path / "t.json"), "--previous", str(tmp_path / "p.json")]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == "检查通过：未发现问题"


def test_cli_warnings_only_exit_0(tmp_path):
    t = clean_tables()
    t["section2"]["行政事业性收费"]["本年收费金额（单位：万元）"] = 24252.311082
    (tmp_path / "t.json").write_text(json.dumps(t, ensure_ascii=False), encoding="utf-8")
    assert cli.main(["check", "--tables", str(tmp_path / "t.json")]) == 0


@pytest.mark.parametrize("name", ["not_json.json", "absent.json"])
def test_cli_unreadable_tables_exit_2(name, capsys):
    assert cli.main(["check", "--tables", str(FIXTURES / name)]) == 2
    assert "错误" in capsys.readouterr().err


def test_cli_gbk_tables_are_read(tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(json.dumps(clean_tables(), ensure_ascii=False).encode("gb18030"))
    assert cli.main(["check", "--tables", str(path)]) == 0


def test_load_tables_rejects_a_list(tmp_path):
    (tmp_path / "t.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ReportkitError):
        checks.load_tables(tmp_path / "t.json")


def test_write_json_and_frame(tmp_path):
    t = copy.deepcopy(clean_tables())
    t["section4"]["行政复议"]["总计"] = 3
    t["section2"]["行政事业性收费"]["本年收费金额（单位：万元）"] = 24252.311082
    found = checks.check_tables(t)
    checks.write_json(found, tmp_path / "checks.json")
    data = json.loads((tmp_path / "checks.json").read_text(encoding="utf-8"))
    assert (data["errors"], data["warnings"]) == (1, 1)
    assert [f["rule"] for f in data["findings"]] == ["R4", "R6"]
    assert "行政复议" in (tmp_path / "checks.json").read_text(encoding="utf-8")  # not \u escaped
    frame = checks.findings_frame(found)
    assert list(frame.columns) == ["级别", "规则", "位置", "应为", "实为", "说明"]
    assert list(frame["级别"]) == ["错误", "警告"]
    assert frame.loc[0, "位置"] == "表四「行政复议」行「总计」列"


def test_format_findings():
    assert checks.format_findings([]) == "检查通过：未发现问题"
    f = checks.finding(
        "L-done-no-result",
        {"file": "requests.csv", "row": 5, "column": "办理结果"},
        "x",
        None,
        "请填写",
    )
    text = checks.format_findings([f])
    assert text.splitlines() == [
        "错误 [L-done-no-result] requests.csv 第5行「办理结果」列：请填写",
        "共 1 个错误、0 个警告（有错误，报告不能发布）",
    ]


def test_format_findings_lists_a_few_of_each_rule_and_counts_the_rest():
    def future(row):
        return checks.finding(
            "L-date-future",
            {"file": "requests.csv", "row": row, "column": "收到日期"},
            "x",
            "y",
            "改正",
        )

    missing = checks.finding(
        "L-done-no-result",
        {"file": "requests.csv", "row": 9, "column": "办理结果"},
        "x",
        None,
        "请填写",
    )
    text = checks.format_findings([future(2), future(3), missing, future(4), future(5)], per_rule=2)
    assert text.splitlines() == [
        "错误 [L-date-future] requests.csv 第2行「收到日期」列：改正",
        "错误 [L-date-future] requests.csv 第3行「收到日期」列：改正",
        "错误 [L-done-no-result] requests.csv 第9行「办理结果」列：请填写",
        "……另有 2 处 [L-date-future] 同类问题未逐一列出",
        "共 5 个错误、0 个警告（有错误，报告不能发布）",
    ]


def test_every_rule_has_a_known_severity():
    assert all(sev in ("error", "warning") for sev, _ in checks.RULES.values())


@pytest.mark.skipif(
    not (ROOT / "params" / "2021.yaml").is_file(), reason="sample params not yet written"
)
def test_sample_2021_has_no_errors():
    assert cli.main(["check", "--year", "2021"]) == 0


def test_alias_category_is_a_warning_naming_the_cell(tmp_path):
    from reportkit.checks.run import check_report
    from reportkit.compute.report import open_report

    data = tmp_path / "data"
    data.mkdir()
    (data / "documents.csv").write_text(
        "文号,标题,类型,印发日期\n甲〔2021〕1号,办法,规范性文件,2021-05-01\n", encoding="utf-8"
    )
    (tmp_path / "p.yaml").write_text(
        "agency: 测试局\nyear: 2021\ndata_dir: data\n", encoding="utf-8"
    )
    found = [
        f for f in check_report(open_report(params=tmp_path / "p.yaml")) if f.rule == "L-alias"
    ]
    assert [(f.severity, f.where, f.expected, f.found) for f in found] == [
        (
            "warning",
            {"file": "documents.csv", "row": 2, "column": "类型"},
            "行政规范性文件",
            "规范性文件",
        )
    ]
    assert (
        found[0].message == "已按「行政规范性文件」计入；请在台账中改写为规范名称「行政规范性文件」"
    )


def test_official_category_gives_no_alias_warning(tmp_path):
    from reportkit.checks.run import check_report
    from reportkit.compute.report import open_report

    data = tmp_path / "data"
    data.mkdir()
    (data / "documents.csv").write_text(
        "文号,标题,类型,印发日期\n甲〔2021〕1号,办法,行政规范性文件,2021-05-01\n", encoding="utf-8"
    )
    (tmp_path / "p.yaml").write_text(
        "agency: 测试局\nyear: 2021\ndata_dir: data\n", encoding="utf-8"
    )
    assert [
        f for f in check_report(open_report(params=tmp_path / "p.yaml")) if f.rule == "L-alias"
    ] == []


def test_every_alias_row_is_a_finding_though_the_log_lists_twenty(tmp_path):
    # 30 rows typed 规范性文件: the build's log lists 20 and sums up the other 10, and checks.json
    # has all 30 (before, the 10 of the summary line were lost).
    from reportkit.checks.run import check_report
    from reportkit.compute.report import open_report

    data = tmp_path / "data"
    data.mkdir()
    rows = "".join(f"甲〔2021〕{i}号,办法{i},规范性文件,2021-05-01\n" for i in range(1, 31))
    (data / "documents.csv").write_text("文号,标题,类型,印发日期\n" + rows, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        "agency: 测试局\nyear: 2021\ndata_dir: data\n", encoding="utf-8"
    )
    report = open_report(params=tmp_path / "p.yaml")
    said = [str(n) for n in report.ledgers.notes if "documents.csv" in str(n)]
    assert len(said) == 21
    assert said[0] == (
        "documents.csv 第2行「类型」写作「规范性文件」，已按「行政规范性文件」计入；建议改为规范名称"
    )
    assert said[19].startswith("documents.csv 第21行「类型」")
    assert said[20] == (
        "documents.csv 另有10行「类型」写作简称，已按规范名称计入；建议一并改为规范名称"
    )
    found = [f for f in check_report(report) if f.rule == "L-alias"]
    assert [f.where["row"] for f in found] == list(range(2, 32))
    assert {(f.where["file"], f.where["column"], f.expected, f.found) for f in found} == {
        ("documents.csv", "类型", "行政规范性文件", "规范性文件")
    }
