"""Generate the sample ledgers (台账) under data/.

Two agencies are written:

* ``data/daye/`` — 大冶市应急管理局, years 2020 and 2021. The rows are synthetic, but they are
  made so that, counted by the ledger rules of the reportkit contract, they give exactly the
  figures the bureau published in its 2021 政府信息公开工作年度报告 (105 行政许可, 57 行政处罚,
  4 行政强制, 5 次采购 329.76 万元, 五进 920余场次, 安全咨询日 46 场 …). The 2020 figures are
  only partly published (121 许可, 59 处罚) and are otherwise made up.
* ``data/demo/`` — 示例县应急管理局, a fictional county bureau (示例数据), years 2021–2023,
  designed to exercise every table cell. Its aggregates are the designed ones below; the
  expected tables are written out by hand in ``tests/demo_expected.py``.

Only the aggregates are fixed; dates, names and numbers inside a row are drawn from a
``random.Random`` with a fixed seed, so running the script twice writes byte-identical files
(XLSX files are re-zipped with fixed timestamps).

A third, ``examples/county/`` (tools/sample_county.py), is a project of several agencies: a
county government whose report aggregates its departments and townships.

Usage: ``python tools/make_sample_data.py [--out DIR] [--county DIR]`` (default: ``data/`` next to ``tools/``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

SEED = 20220131

# ---------------------------------------------------------------------------------------------
# Vocabulary (from the statutory format, 表三, and the contract's ledger section)
# ---------------------------------------------------------------------------------------------

APPLICANT_TYPES = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]

OPEN = "予以公开"
PARTIAL = "部分公开"
SECRET = "不予公开/属于国家秘密"
FORBIDDEN = "不予公开/其他法律行政法规禁止公开"
THREE_SAFETY = "不予公开/危及“三安全一稳定”"
THIRD_PARTY = "不予公开/保护第三方合法权益"
INTERNAL = "不予公开/属于三类内部事务信息"
PROCESS = "不予公开/属于四类过程性信息"
CASE_FILE = "不予公开/属于行政执法案卷"
QUERY = "不予公开/属于行政查询事项"
NOT_HELD = "无法提供/本机关不掌握相关政府信息"
NEEDS_MAKING = "无法提供/没有现成信息需要另行制作"
UNCLEAR = "无法提供/补正后申请内容仍不明确"
PETITION = "不予处理/信访举报投诉类申请"
REPEATED = "不予处理/重复申请"
PUBLICATION = "不予处理/要求提供公开出版物"
MASS = "不予处理/无正当理由大量反复申请"
CONFIRM = "不予处理/要求行政机关确认或重新出具已获取信息"
NO_AMEND = "其他处理/申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
NO_FEE = "其他处理/申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
OTHER = "其他处理/其他"

WUJIN = "安全宣传“五进”活动"
ZIXUN = "安全咨询日宣传咨询活动"
TRAINING = "安全培训"
DISASTER = "防灾减灾宣传"
DRILL = "应急演练"
FIRE = "消防安全宣传"

HEADERS = {
    "requests": [
        "申请编号",
        "收到日期",
        "申请人类型",
        "办理结果",
        "办结日期",
        "申请人姓名",
        "证件号码",
        "联系电话",
        "申请内容",
        "收费金额（元）",
        "地址",
    ],  # 地址: extra column
    "appeals": ["案件编号", "类别", "收到日期", "结果", "审结日期"],
    "documents": ["文号", "标题", "类型", "印发日期", "废止日期"],
    "licensing": ["编号", "决定日期", "事项名称"],
    "penalties": ["编号", "决定日期", "案由"],
    "enforcement": ["编号", "决定日期", "措施"],
    "fees": ["日期", "项目", "金额（元）"],
    "procurement": ["日期", "项目", "金额（万元）"],
    "outreach": [
        "日期",
        "活动类型",
        "活动名称",
        "地点",
        "场次",
        "参与人次",
        "展板（块）",
        "横幅（条）",
        "资料（份）",
    ],
    "media": ["日期", "媒体", "标题", "媒体级别"],
    "proposals": ["编号", "类别", "办理方式", "收到日期", "办理结果"],
}

# =============================================================================================
# SPEC 1: 大冶市应急管理局 (data/daye) — the published 2021 figures, plus a 2020 year
# =============================================================================================

DAYE = {
    "agency": "大冶市应急管理局",
    "abbr": "冶应急",
    "places": [
        "东岳路街道",
        "东风路街道",
        "金湖街道",
        "罗家桥街道",
        "金山店镇",
        "还地桥镇",
        "保安镇",
        "灵乡镇",
        "刘仁八镇",
        "陈贵镇",
        "大箕铺镇",
        "金山街道",
        "殷祖镇",
        "茗山乡",
        "汪仁镇",
        "大冶经济开发区",
    ],
    # 行政许可 / 行政处罚 / 行政强制: rows by 决定日期 year
    "decisions": {
        "licensing": {2020: 121, 2021: 105},
        "penalties": {2020: 59, 2021: 57},
        "enforcement": {2020: 6, 2021: 4},
    },
    # 文号, 标题, 类型, 印发日期, 废止日期
    "documents": [
        (
            "冶应急发〔2018〕9号",
            "大冶市烟花爆竹零售经营许可实施办法（试行）",
            "行政规范性文件",
            "2018-05-14",
            "2020-09-30",
        ),
        (
            "大冶市应急管理局令第1号",
            "大冶市生产经营单位安全生产主体责任规定",
            "规章",
            "2021-04-12",
            None,
        ),
        (
            "冶应急规〔2021〕1号",
            "大冶市烟花爆竹经营（零售）许可管理办法",
            "行政规范性文件",
            "2021-03-18",
            None,
        ),
        (
            "冶应急规〔2021〕2号",
            "大冶市生产安全事故隐患排查治理办法",
            "行政规范性文件",
            "2021-07-06",
            None,
        ),
        (
            "冶应急规〔2021〕3号",
            "大冶市自然灾害救助资金管理办法",
            "行政规范性文件",
            "2021-11-22",
            None,
        ),
    ],
    "fees": [],  # 行政事业性收费: none (2021 收费 = 0); fees.csv is header only
    # 政府集中采购 (日期, 项目, 金额（万元）): 2021 = 5 次, 329.76 万元
    "procurement": [
        ("2020-04-21", "防汛救灾物资储备采购", "56.80"),
        ("2020-07-09", "应急指挥中心视频会商系统升级", "120.35"),
        ("2020-09-15", "安全生产宣传服务采购", "33.00"),
        ("2020-11-26", "森林防灭火物资采购", "74.12"),
        ("2021-03-23", "应急物资储备库物资采购", "86.50"),
        ("2021-05-17", "应急指挥信息化平台运维服务", "72.38"),
        ("2021-06-08", "安全生产月宣传物资采购", "45.20"),
        ("2021-08-30", "救灾帐篷及折叠床采购", "98.66"),
        ("2021-11-11", "危险化学品企业安全评估服务", "27.02"),
    ],
    # 宣传活动: (活动类型, when, rows, rows with 场次 blank (=1), 场次, 参与人次, 展板, 横幅, 资料)
    # when: "MM-DD" = that day only; "june-but-16" = June days except the 16th; tuple = months
    "outreach": {
        2020: [
            (WUJIN, "june-but-16", 26, 2, 850, 7900, 130, 110, 16500),
            (ZIXUN, "06-16", 7, 0, 40, 12000, 500, 380, 110000),
            (TRAINING, (4, 7, 9, 10, 11), 10, 2, 20, 1500, 0, 10, 2000),
            (DISASTER, (5,), 5, 1, 12, 2600, 40, 25, 7000),
            (DRILL, (3, 9, 11, 12), 5, 2, 6, 980, 0, 5, 0),
            (FIRE, (1, 11, 12), 4, 1, 8, 1600, 16, 12, 4000),
        ],
        2021: [
            (WUJIN, "june-but-16", 30, 3, 923, 8420, 150, 126, 18600),
            (ZIXUN, "06-16", 8, 0, 46, 15230, 603, 405, 131000),
            (TRAINING, (3, 4, 7, 9, 10, 11), 12, 2, 24, 1860, 0, 12, 2400),
            (DISASTER, (5,), 6, 1, 15, 3200, 48, 30, 9000),
            (DRILL, (3, 8, 9, 11, 12), 7, 3, 9, 1450, 0, 7, 0),
            (FIRE, (1, 2, 11, 12), 6, 1, 11, 2100, 20, 16, 5200),
        ],
    },
    # 媒体报道: rows by year and 媒体级别 (2021: 113 → 「110余篇」)
    "media": {
        2020: {"中央": 1, "省级": 15, "市级": 30, "县级": 52},
        2021: {"中央": 2, "省级": 18, "市级": 35, "县级": 58},
    },
    "outlets": {
        "中央": ["人民网", "中国应急管理报"],
        "省级": ["荆楚网", "湖北日报"],
        "市级": ["东楚网", "黄石日报"],
        "县级": ["大冶市融媒体中心", "今日大冶"],
    },
    # 建议提案: (编号, 类别, 办理方式, 收到日期, 办理结果)
    "proposals": [
        ("冶人大建〔2020〕12号", "人大代表建议", "主办", "2020-05-18", "已办结，代表满意"),
        ("冶人大建〔2020〕31号", "人大代表建议", "主办", "2020-05-18", "已办结，代表满意"),
        ("冶政协提〔2021〕58号", "政协提案", "会办", "2021-03-29", "已办结，委员满意"),
    ],
    # 依申请公开: (收到日期, 申请人类型, 办理结果, 办结日期) — none at all in 2021
    "requests": [
        ("2020-05-12", "自然人", OPEN, "2020-05-28"),
        ("2020-09-07", "商业企业", NOT_HELD, "2020-09-25"),
    ],
    # 复议诉讼: (案件编号, 类别, 收到日期, 结果, 审结日期) — none in 2021
    "appeals": [
        ("冶政复〔2020〕5号", "行政复议", "2020-10-12", "结果维持", "2020-12-08"),
    ],
}

# =============================================================================================
# SPEC 2: 示例县应急管理局 (data/demo) — fictional, 2021–2023, designed count matrices
# =============================================================================================

# 依申请公开 requests, as cohorts. Each cohort has a window for 收到日期, a rule for 办结日期
# (("days", lo, hi): lo..hi days after receipt, same year; ("window", start, end); None: still
# open, 办理结果 and 办结日期 blank), and a matrix: 办理结果 → counts by applicant type, in the
# column order 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他.


@dataclass(frozen=True)
class Cohort:
    name: str
    received: tuple[str, str]
    concluded: tuple | None
    matrix: dict[str, tuple[int, int, int, int, int, int]]


DEMO_REQUESTS = [
    Cohort(
        "Z: received and concluded in 2020 (outside the demo years)",
        ("2020-04-01", "2020-10-30"),
        ("days", 5, 20),
        {
            OPEN: (1, 0, 0, 0, 0, 0),
            PETITION: (1, 0, 0, 0, 0, 0),
        },
    ),
    Cohort(
        "A: received 2020-12, concluded 2021-01 (2021 上年结转)",
        ("2020-12-01", "2020-12-24"),
        ("window", "2021-01-04", "2021-01-22"),
        {
            OPEN: (1, 0, 0, 0, 0, 0),
            NEEDS_MAKING: (0, 1, 0, 0, 0, 0),
        },
    ),
    Cohort(
        "B: received and concluded in 2021",
        ("2021-01-04", "2021-11-26"),
        ("days", 3, 20),
        {
            OPEN: (5, 2, 1, 0, 0, 0),
            PARTIAL: (2, 0, 0, 0, 0, 0),
            THIRD_PARTY: (1, 0, 0, 0, 0, 0),
            NOT_HELD: (2, 0, 0, 0, 1, 0),
            PETITION: (1, 0, 0, 0, 0, 0),
            NO_AMEND: (0, 0, 0, 1, 0, 0),
        },
    ),
    Cohort(
        "C: received 2021-12, concluded 2022-01 (2021 结转下年度, 2022 上年结转)",
        ("2021-12-01", "2021-12-24"),
        ("window", "2022-01-04", "2022-01-28"),
        {
            OPEN: (2, 1, 0, 0, 0, 0),
            PARTIAL: (0, 0, 0, 0, 1, 0),
            NOT_HELD: (1, 0, 0, 0, 0, 0),
            REPEATED: (0, 0, 0, 0, 0, 1),
        },
    ),
    Cohort(
        "D: received and concluded in 2022 (every one of the 21 leaves)",
        ("2022-01-04", "2022-11-28"),
        ("days", 3, 20),
        {
            OPEN: (8, 3, 1, 1, 1, 0),
            PARTIAL: (4, 1, 0, 0, 1, 0),
            SECRET: (1, 0, 0, 0, 0, 0),
            FORBIDDEN: (0, 1, 0, 0, 0, 0),
            THREE_SAFETY: (1, 0, 0, 0, 0, 0),
            THIRD_PARTY: (2, 1, 0, 0, 0, 0),
            INTERNAL: (1, 0, 0, 0, 0, 0),
            PROCESS: (0, 1, 0, 0, 0, 0),
            CASE_FILE: (1, 0, 0, 0, 1, 0),
            QUERY: (1, 0, 0, 0, 0, 0),
            NOT_HELD: (3, 1, 0, 0, 0, 1),
            NEEDS_MAKING: (1, 1, 0, 0, 0, 0),
            UNCLEAR: (1, 0, 0, 0, 0, 0),
            PETITION: (2, 0, 0, 0, 0, 0),
            REPEATED: (1, 0, 0, 0, 0, 0),
            PUBLICATION: (0, 0, 1, 0, 0, 0),
            MASS: (1, 0, 0, 0, 0, 0),
            CONFIRM: (1, 0, 0, 0, 0, 0),
            NO_AMEND: (1, 0, 0, 0, 0, 0),
            NO_FEE: (0, 1, 0, 0, 0, 0),
            OTHER: (0, 0, 0, 1, 0, 0),
        },
    ),
    Cohort(
        "E: received 2022-12, concluded 2023-01 (2022 结转下年度, 2023 上年结转)",
        ("2022-12-01", "2022-12-23"),
        ("window", "2023-01-04", "2023-01-31"),
        {
            OPEN: (2, 0, 0, 1, 0, 0),
            PARTIAL: (0, 1, 0, 0, 0, 0),
            THIRD_PARTY: (1, 0, 0, 0, 0, 0),
        },
    ),
    Cohort(
        "H: received and concluded in 2023",
        ("2023-01-04", "2023-11-27"),
        ("days", 3, 20),
        {
            OPEN: (4, 1, 0, 0, 0, 1),
            PARTIAL: (1, 0, 1, 0, 0, 0),
            SECRET: (1, 0, 0, 0, 0, 0),
            PROCESS: (0, 1, 0, 0, 0, 0),
            UNCLEAR: (1, 0, 0, 0, 0, 0),
            PUBLICATION: (1, 0, 0, 0, 0, 0),
            OTHER: (0, 0, 0, 0, 1, 0),
        },
    ),
    Cohort(
        "G: received 2023-12, still open (2023 结转下年度)",
        ("2023-12-04", "2023-12-28"),
        None,
        {
            "": (1, 1, 0, 0, 0, 0),
        },
    ),
]

# 信息处理费 (收费金额（元）) on the first 予以公开 requests received and concluded in that year
DEMO_REQUEST_FEES = {2021: ["20.00"], 2022: ["35.00", "12.50"], 2023: ["15.00"]}

# 复议诉讼: (类别, 收到日期, 结果, 审结日期); blank 结果/审结日期 = pending
DEMO_APPEALS = [
    ("行政复议", "2021-03-15", "结果维持", "2021-05-10"),
    ("行政复议", "2021-07-02", "结果纠正", "2021-08-27"),
    ("未经复议直接起诉", "2021-05-20", "结果维持", "2021-10-14"),
    ("复议后起诉", "2021-11-08", "结果维持", "2022-03-22"),  # 2021: 尚未审结; 2022: not counted
    ("行政复议", "2022-02-14", "结果维持", "2022-04-08"),
    ("行政复议", "2022-04-25", "结果维持", "2022-06-17"),
    ("行政复议", "2022-06-06", "结果纠正", "2022-07-29"),
    ("行政复议", "2022-08-15", "其他结果", "2022-09-30"),
    ("行政复议", "2022-11-14", "结果纠正", "2023-01-13"),  # 2022: 尚未审结; 2023: not counted
    ("行政复议", "2022-12-12", None, None),  # pending
    ("未经复议直接起诉", "2022-03-28", "结果维持", "2022-09-09"),
    ("未经复议直接起诉", "2022-05-16", "其他结果", "2022-08-05"),
    ("未经复议直接起诉", "2022-10-10", "结果维持", "2023-04-18"),  # 2022: 尚未审结
    ("复议后起诉", "2022-04-11", "结果纠正", "2022-11-25"),
    ("复议后起诉", "2022-09-19", None, None),  # pending
    ("行政复议", "2023-02-20", "结果维持", "2023-04-14"),
    ("行政复议", "2023-06-05", "其他结果", "2023-07-21"),
    ("行政复议", "2023-11-27", None, None),  # pending
    ("未经复议直接起诉", "2023-03-13", "结果纠正", "2023-08-30"),
    ("复议后起诉", "2023-04-17", "其他结果", "2023-09-15"),
    ("复议后起诉", "2023-05-22", "结果维持", "2023-10-20"),
]

# 规章和规范性文件 (文号, 标题, 类型, 印发日期, 废止日期). No 规章: a county bureau cannot make them.
DEMO_DOCUMENTS = [
    ("示应急规〔2019〕1号", "示例县安全生产约谈办法", "行政规范性文件", "2019-03-11", "2022-06-20"),
    (
        "示应急规〔2019〕2号",
        "示例县生产经营单位安全生产信用管理办法",
        "行政规范性文件",
        "2019-05-08",
        "2020-12-15",
    ),
    ("示应急规〔2019〕3号", "示例县安全生产举报奖励办法", "行政规范性文件", "2019-08-26", None),
    (
        "示应急规〔2020〕1号",
        "示例县烟花爆竹零售网点布局规划",
        "行政规范性文件",
        "2020-04-13",
        "2023-09-18",
    ),
    ("示应急规〔2020〕2号", "示例县自然灾害救助应急工作规程", "行政规范性文件", "2020-10-19", None),
    (
        "示应急规〔2021〕1号",
        "示例县危险化学品安全风险分级管控办法",
        "行政规范性文件",
        "2021-03-22",
        None,
    ),
    (
        "示应急规〔2021〕2号",
        "示例县安全生产行政执法裁量基准",
        "行政规范性文件",
        "2021-09-13",
        "2022-12-26",
    ),
    (
        "示应急规〔2022〕1号",
        "示例县生产安全事故应急预案管理办法",
        "行政规范性文件",
        "2022-02-21",
        None,
    ),
    (
        "示应急规〔2022〕2号",
        "示例县应急物资储备管理办法",
        "行政规范性文件",
        "2022-05-16",
        "2023-12-11",
    ),
    (
        "示应急规〔2022〕3号",
        "示例县安全生产行政执法裁量基准（2022年修订）",
        "行政规范性文件",
        "2022-11-28",
        None,
    ),
    ("示应急规〔2023〕1号", "示例县防汛抗旱应急响应工作规程", "行政规范性文件", "2023-04-10", None),
    (
        "示应急规〔2023〕2号",
        "示例县烟花爆竹零售网点布局规划（2023—2025年）",
        "行政规范性文件",
        "2023-09-18",
        None,
    ),
]

DEMO = {
    "agency": "示例县应急管理局",
    "abbr": "示应急",
    "places": ["城关镇", "东湖镇", "西山乡", "南河镇", "北岭乡", "桥头镇", "示例县经济开发区"],
    "decisions": {
        "licensing": {2020: 8, 2021: 36, 2022: 42, 2023: 39},
        "penalties": {2020: 5, 2021: 24, 2022: 31, 2023: 27},
        "enforcement": {2020: 1, 2021: 3, 2022: 5, 2023: 2},
    },
    "documents": DEMO_DOCUMENTS,
    # 行政事业性收费 (日期, 项目, 金额（元）). Year totals: 2021 8600.00 元 → 0.86 万元;
    # 2022 12650.00 元 → 1.265 万元 → 1.27 (half-up; half-even and binary float give 1.26);
    # 2023 3456.78 元 → 0.345678 万元 → 0.35.
    "fees": [
        ("2021-03-16", "特种作业操作资格考试费", "2300.00"),
        ("2021-06-22", "特种作业操作资格考试费", "3150.40"),
        ("2021-10-19", "安全生产知识和管理能力考核费", "3149.60"),
        ("2022-02-23", "特种作业操作资格考试费", "3120.50"),
        ("2022-04-20", "安全生产知识和管理能力考核费", "2879.50"),
        ("2022-06-15", "特种作业操作资格考试费", "4400.00"),
        ("2022-09-07", "安全生产知识和管理能力考核费", "1500.25"),
        ("2022-12-14", "特种作业操作资格考试费", "749.75"),
        ("2023-03-22", "特种作业操作资格考试费", "1200.00"),
        ("2023-07-12", "安全生产知识和管理能力考核费", "1056.78"),
        ("2023-11-15", "特种作业操作资格考试费", "1200.00"),
    ],
    # 政府集中采购 (日期, 项目, 金额（万元）): 2021 3 / 145.95; 2022 4 / 209.63; 2023 2 / 90.82
    "procurement": [
        ("2021-04-14", "防汛物资采购", "45.60"),
        ("2021-06-09", "安全生产月宣传服务", "12.35"),
        ("2021-10-20", "应急指挥平台建设", "88.00"),
        ("2022-03-17", "应急救援装备采购", "23.50"),
        ("2022-05-25", "森林防灭火物资采购", "67.25"),
        ("2022-08-10", "应急广播系统建设", "110.00"),
        ("2022-11-02", "安全生产宣传服务", "8.88"),
        ("2023-04-26", "防汛抗旱物资采购", "56.70"),
        ("2023-09-06", "应急指挥平台运维服务", "34.12"),
    ],
    "outreach": {
        2021: [
            (WUJIN, "june-but-16", 10, 2, 120, 2400, 40, 30, 6000),
            (ZIXUN, "06-16", 3, 0, 6, 1800, 60, 40, 15000),
            (TRAINING, (3, 5, 9, 11), 6, 2, 10, 600, 0, 6, 800),
            (DRILL, (4, 8, 10, 12), 4, 4, 4, 520, 0, 4, 0),
        ],
        2022: [
            (WUJIN, "june-but-16", 12, 2, 150, 3100, 52, 36, 7200),
            (ZIXUN, "06-16", 4, 1, 8, 2100, 72, 48, 18000),
            (DISASTER, (5,), 3, 1, 5, 900, 20, 10, 3000),
            (TRAINING, (2, 3, 7, 9, 11), 8, 3, 14, 760, 0, 8, 1200),
            (DRILL, (4, 8, 10, 12), 5, 4, 6, 700, 0, 5, 0),
        ],
        2023: [
            (WUJIN, "june-but-16", 11, 1, 140, 2800, 45, 33, 6600),
            (ZIXUN, "06-16", 3, 0, 7, 1950, 66, 45, 16000),
            (DISASTER, (5,), 3, 1, 4, 800, 18, 9, 2500),
            (TRAINING, (3, 7, 9, 11), 7, 2, 12, 690, 0, 7, 1000),
            (DRILL, (4, 8, 11), 4, 3, 5, 610, 0, 4, 0),
        ],
    },
    "media": {
        2021: {"中央": 0, "省级": 6, "市级": 12, "县级": 22},
        2022: {"中央": 2, "省级": 10, "市级": 15, "县级": 25},
        2023: {"中央": 1, "省级": 8, "市级": 14, "县级": 24},
    },
    "outlets": {
        "中央": ["中国应急管理报"],
        "省级": ["示例省日报", "示例省应急管理"],
        "市级": ["示例市日报", "示例市广播电视台"],
        "县级": ["示例县融媒体中心", "示例县发布"],
    },
    # 建议提案: counts by (类别, 办理方式) per year
    "proposals": {
        2021: {("人大代表建议", "主办"): 2, ("政协提案", "会办"): 1},
        2022: {
            ("人大代表建议", "主办"): 3,
            ("人大代表建议", "会办"): 1,
            ("政协提案", "主办"): 2,
            ("政协提案", "会办"): 2,
        },
        2023: {("人大代表建议", "主办"): 1, ("政协提案", "主办"): 1, ("政协提案", "会办"): 1},
    },
}

# =============================================================================================
# Row makers
# =============================================================================================

LICENCE_ITEMS = [
    "危险化学品经营许可证核发",
    "危险化学品经营许可证变更",
    "危险化学品经营许可证延期",
    "烟花爆竹经营（零售）许可证核发",
    "烟花爆竹经营（零售）许可证延期",
    "非煤矿山建设项目安全设施设计审查",
    "金属冶炼建设项目安全设施设计审查",
]
PENALTY_CAUSES = [
    "未按规定对从业人员进行安全生产教育和培训",
    "未建立事故隐患排查治理制度",
    "未对安全设备进行经常性维护、保养和定期检测",
    "特种作业人员未按规定持证上岗",
    "未如实记录安全生产教育和培训情况",
    "未按规定制定生产安全事故应急救援预案",
    "未按规定配备安全生产管理人员",
    "烟花爆竹零售经营者超许可范围经营",
    "未取得危险化学品经营许可证从事经营活动",
    "未在有较大危险因素的场所设置明显的安全警示标志",
]
ENFORCEMENT_MEASURES = [
    "查封违法生产经营场所",
    "扣押不符合保障安全生产国家标准的设施设备",
    "扣押违法储存的烟花爆竹",
    "查封违法储存危险化学品的场所",
    "加处罚款",
]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"
ORG_NAMES = {
    "商业企业": [
        "{p}某某化工有限公司",
        "{p}某某建材有限公司",
        "{p}某某矿业有限公司",
        "{p}某某物流有限公司",
        "{p}某某商贸有限公司",
    ],
    "科研机构": ["某某安全科学研究院", "某某大学应急管理研究中心"],
    "社会公益组织": ["某某公益服务中心", "某某志愿者协会"],
    "法律服务机构": ["某某律师事务所", "某某法律服务所"],
    "其他": ["{p}某某村民委员会", "{p}某某小区业主委员会"],
}
REQUEST_TOPICS = [
    "申请公开{y}年危险化学品经营许可证发放名单",
    "申请公开某某化工有限公司的安全生产行政处罚决定书",
    "申请公开{y}年度生产安全事故调查报告",
    "申请公开烟花爆竹零售网点布局规划及审批材料",
    "申请公开某某矿业有限公司安全设施设计审查意见",
    "申请公开{y}年自然灾害救助资金发放明细",
    "申请公开某某小区周边企业的安全评价报告",
    "申请公开应急避难场所建设资金使用情况",
    "申请公开{y}年安全生产执法检查计划",
]
WUJIN_TARGETS = ["企业", "农村", "社区", "学校", "家庭"]
ACTIVITY_NAMES = {
    WUJIN: ["{p}安全宣传进{t}活动"],
    ZIXUN: ["{p}“安全咨询日”宣传咨询活动"],
    TRAINING: [
        "{p}企业主要负责人安全生产培训",
        "危险化学品从业人员安全培训",
        "特种作业人员安全培训",
        "{p}安全管理人员培训",
    ],
    DISASTER: ["“5·12”防灾减灾日{p}宣传活动", "{p}防灾减灾知识宣传"],
    DRILL: [
        "{p}防汛应急演练",
        "危险化学品泄漏应急演练",
        "{p}地震应急疏散演练",
        "{p}森林火灾扑救演练",
    ],
    FIRE: ["{p}冬春火灾防控宣传", "“119”消防宣传月{p}活动"],
}
MEDIA_TITLES = [
    "{a}部署{y}年安全生产重点工作",
    "{p}开展安全生产隐患排查整治",
    "{a}召开防汛工作会议",
    "{p}举行应急救援综合演练",
    "{a}开展危险化学品安全专项检查",
    "{p}安全宣传进万家",
    "{a}开展“安全生产月”系列活动",
    "{p}筑牢森林防火安全屏障",
    "{a}推进应急管理体系建设",
    "{p}开展自然灾害风险普查",
    "{a}节前开展安全生产大检查",
    "{p}举办企业安全生产培训班",
]


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def rand_date(rng: random.Random, start: dt.date, end: dt.date, weekdays: bool = True) -> dt.date:
    span = (end - start).days
    while True:
        d = start + dt.timedelta(days=rng.randint(0, span))
        if not weekdays or d.weekday() < 5:
            return d


def next_weekday(d: dt.date) -> dt.date:
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def split(total: int, n: int, rng: random.Random, minimum: int = 0) -> list[int]:
    """n integers >= minimum, randomly spread, summing exactly to total."""
    rest = total - n * minimum
    assert rest >= 0, (total, n, minimum)
    weights = [rng.random() + 0.3 for _ in range(n)]
    parts = [int(rest * w / sum(weights)) for w in weights]
    for i in rng.sample(range(n), rest - sum(parts)):
        parts[i] += 1
    return [p + minimum for p in parts]


def fake_id(rng: random.Random, person: bool) -> str:
    """18 characters starting with 000000 (no real region code)."""
    if not person:  # looks like a 统一社会信用代码
        return "000000" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(12))
    born = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randint(0, 45 * 365))
    body = "000000" + born.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def decision_rows(spec: dict, stem: str, rng: random.Random) -> list[list]:
    prefix = {"licensing": "许", "penalties": "罚", "enforcement": "强"}[stem]
    texts = {
        "licensing": LICENCE_ITEMS,
        "penalties": PENALTY_CAUSES,
        "enforcement": ENFORCEMENT_MEASURES,
    }[stem]
    rows = []
    for year, n in sorted(spec["decisions"][stem].items()):
        dates = sorted(rand_date(rng, dt.date(year, 1, 4), dt.date(year, 12, 30)) for _ in range(n))
        for i, d in enumerate(dates, 1):
            rows.append([f"{spec['abbr']}{prefix}〔{year}〕{i}号", d, rng.choice(texts)])
    return rows


def outreach_rows(spec: dict, rng: random.Random) -> list[list]:
    rows = []
    for year, types in sorted(spec["outreach"].items()):
        for kind, when, n, n_blank, sessions, people, boards, banners, leaflets in types:
            # 场次: n_blank rows are left blank (= 1), the others share the rest (each >= 1)
            sess = [None] * n_blank + split(sessions - n_blank, n - n_blank, rng, 1)
            rng.shuffle(sess)
            cols = [split(total, n, rng) for total in (people, boards, banners, leaflets)]
            for i in range(n):
                if isinstance(when, str) and when != "june-but-16":
                    d = day(f"{year}-{when}")
                elif when == "june-but-16":
                    while (
                        d := rand_date(
                            rng, dt.date(year, 6, 1), dt.date(year, 6, 30), weekdays=False
                        )
                    ).day == 16:
                        pass
                else:  # months, round-robin so that every listed month has a row
                    m = when[i % len(when)]
                    last = (dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
                    d = rand_date(rng, dt.date(year, m, 1), dt.date(year, m, last), weekdays=False)
                place = rng.choice(spec["places"])
                name = rng.choice(ACTIVITY_NAMES[kind]).format(p=place, t=rng.choice(WUJIN_TARGETS))
                # a zero count is written as 0 or left blank (= 0)
                nums = [None if v == 0 and rng.random() < 0.5 else v for v in (c[i] for c in cols)]
                rows.append([d, kind, name, place, sess[i], *nums])
    order = {kind: k for k, kind in enumerate([WUJIN, ZIXUN, TRAINING, DISASTER, DRILL, FIRE])}
    rows.sort(key=lambda r: (r[0], order[r[1]]))
    return rows


def media_rows(spec: dict, rng: random.Random) -> list[list]:
    rows = []
    for year, levels in sorted(spec["media"].items()):
        for level, n in levels.items():
            for _ in range(n):
                d = rand_date(rng, dt.date(year, 1, 2), dt.date(year, 12, 30), weekdays=False)
                title = rng.choice(MEDIA_TITLES).format(
                    a=spec["agency"], p=rng.choice(spec["places"]), y=year
                )
                rows.append([d, rng.choice(spec["outlets"][level]), title, level])
    rows.sort(key=lambda r: r[0])
    return rows


def person_columns(rng: random.Random, kind: str, spec: dict) -> list[str]:
    place = rng.choice(spec["places"])
    if kind == "自然人":
        name = rng.choice(SURNAMES) + rng.choice(["某", "某某"])
    else:
        name = rng.choice(ORG_NAMES[kind]).format(p=place)
    phone = "1380000" + f"{rng.randint(0, 9999):04d}"
    region = "湖北省大冶市" if spec is DAYE else "示例省示例县"
    street = rng.choice(["某某路", "某某大道", "某某街", "某某村"])
    address = f"{region}{place.removeprefix('示例县')}{street}{rng.randint(1, 200)}号"
    return [name, fake_id(rng, kind == "自然人"), phone, address]


def written_result(label: str, rng: random.Random) -> str:
    """办理结果 as a clerk would write it: the leaf alone, or group/leaf."""
    if "/" not in label or label == OTHER:
        return label
    return label if rng.random() < 0.5 else label.split("/", 1)[1]


def request_rows(
    spec: dict, requests: list[tuple], rng: random.Random, fees: dict[int, list[str]]
) -> list[list]:
    """requests: (收到日期, 申请人类型, 办理结果 label or '', 办结日期 or None)."""
    requests = sorted(requests, key=lambda r: r[0])
    fees = {y: list(v) for y, v in fees.items()}
    rows, seq = [], {}
    for received, kind, label, done in requests:
        seq[received.year] = seq.get(received.year, 0) + 1
        name, id_no, phone, address = person_columns(rng, kind, spec)
        fee = None
        if label == OPEN and done and done.year == received.year and fees.get(done.year):
            fee = fees[done.year].pop(0)
        topic = rng.choice(REQUEST_TOPICS).format(y=received.year - rng.randint(0, 1))
        rows.append(
            [
                f"YSQ-{received.year}-{seq[received.year]:03d}",
                received,
                kind,
                written_result(label, rng) if label else None,
                done,
                name,
                id_no,
                phone,
                topic,
                fee,
                address,
            ]
        )
    return rows


def demo_requests(rng: random.Random) -> list[tuple]:
    out = []
    for cohort in DEMO_REQUESTS:
        start, end = (day(s) for s in cohort.received)
        for label, counts in cohort.matrix.items():
            for kind, n in zip(APPLICANT_TYPES, counts):
                for _ in range(n):
                    received = rand_date(rng, start, end)
                    rule = cohort.concluded
                    if rule is None:
                        done = None
                    elif rule[0] == "days":
                        done = next_weekday(received + dt.timedelta(days=rng.randint(*rule[1:])))
                    else:
                        done = rand_date(rng, day(rule[1]), day(rule[2]))
                    out.append((received, kind, label, done))
    return out


def appeal_rows(appeals: list[tuple]) -> list[list]:
    rows, seq = [], {}
    for kind, received, result, done in sorted(appeals, key=lambda a: a[1]):
        received = day(received)
        key = (received.year, kind == "行政复议")
        seq[key] = seq.get(key, 0) + 1
        case = (
            f"示政复〔{received.year}〕{seq[key]}号"
            if kind == "行政复议"
            else f"（{received.year}）示0101行初{seq[key]}号"
        )
        rows.append([case, kind, received, result, day(done) if done else None])
    rows.sort(key=lambda r: r[2])
    return rows


def proposal_rows(counts: dict[int, dict], rng: random.Random) -> list[list]:
    rows = []
    for year, by_kind in sorted(counts.items()):
        year_rows = []
        for (kind, how), k in by_kind.items():
            for _ in range(k):
                who = "代表" if kind == "人大代表建议" else "委员"
                year_rows.append(
                    [
                        kind,
                        how,
                        rand_date(rng, dt.date(year, 2, 20), dt.date(year, 5, 20)),
                        f"已办结，{who}{rng.choice(['满意', '满意', '基本满意'])}",
                    ]
                )
        year_rows.sort(key=lambda r: r[2])
        numbers = sorted(rng.sample(range(1, 150), len(year_rows)))
        for (kind, how, received, result), no in zip(year_rows, numbers):
            short = "示人大建" if kind == "人大代表建议" else "示政协提"
            rows.append([f"{short}〔{year}〕{no}号", kind, how, received, result])
    return rows


# =============================================================================================
# Writers
# =============================================================================================

FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


def fmt_date(d: dt.date, slash: bool) -> str:
    return f"{d.year}/{d.month}/{d.day}" if slash else d.isoformat()


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    """UTF-8 without BOM; every 9th row (index 4, 13, …) writes its dates as 2021/6/16."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for i, row in enumerate(rows):
        slash = i % 9 == 4
        w.writerow(
            ["" if v is None else fmt_date(v, slash) if isinstance(v, dt.date) else v for v in row]
        )
    path.write_bytes(buf.getvalue().encode("utf-8"))


def write_xlsx(path: Path, header: list[str], rows: list[list], title: str | None = None) -> None:
    """First sheet; optional merged title row above the header; dates as real date cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append(header)
    hrow = ws.max_row
    for c in range(1, len(header) + 1):
        ws.cell(hrow, c).font = Font(bold=True)
    for row in rows:
        ws.append(
            [float(v) if isinstance(v, str) and re.fullmatch(r"\d+\.\d\d", v) else v for v in row]
        )
        for c, v in enumerate(row, 1):
            if isinstance(v, dt.date):
                ws.cell(ws.max_row, c).number_format = "yyyy-mm-dd"
            elif isinstance(v, str) and re.fullmatch(r"\d+\.\d\d", v):
                ws.cell(ws.max_row, c).number_format = "0.00"
    for c, name in enumerate(header, 1):
        width = max(len(name) * 2 + 2, 12)
        if name in ("证件号码", "申请内容", "地址", "活动名称", "申请人姓名"):
            width = 30
        ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(hrow + 1, 1)
    wb.properties.creator = "tools/make_sample_data.py"
    wb.properties.created = FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps the save time into docProps/core.xml and the zip entries: fix both
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2024-01-01T00:00:00Z\g<2>",
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data)
    path.write_bytes(out.getvalue())


# =============================================================================================
# Agencies
# =============================================================================================


def make_common(spec: dict, folder: Path, rng: random.Random, skip: set[str]) -> None:
    for stem in ("licensing", "penalties", "enforcement"):
        write_csv(folder / f"{stem}.csv", HEADERS[stem], decision_rows(spec, stem, rng))
    docs = [
        [no, title, kind, day(issued), day(gone) if gone else None]
        for no, title, kind, issued, gone in spec["documents"]
    ]
    docs.sort(key=lambda r: r[3])
    write_csv(folder / "documents.csv", HEADERS["documents"], docs)
    write_csv(folder / "fees.csv", HEADERS["fees"], [[day(d), p, a] for d, p, a in spec["fees"]])
    write_csv(
        folder / "procurement.csv",
        HEADERS["procurement"],
        [[day(d), p, a] for d, p, a in spec["procurement"]],
    )
    if "outreach" not in skip:
        write_csv(folder / "outreach.csv", HEADERS["outreach"], outreach_rows(spec, rng))
    write_csv(folder / "media.csv", HEADERS["media"], media_rows(spec, rng))


def make_daye(folder: Path) -> None:
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    make_common(DAYE, folder, rng, skip={"outreach"})
    write_xlsx(folder / "outreach.xlsx", HEADERS["outreach"], outreach_rows(DAYE, rng))
    write_csv(
        folder / "proposals.csv",
        HEADERS["proposals"],
        [[no, k, how, day(d), res] for no, k, how, d, res in DAYE["proposals"]],
    )
    reqs = [(day(r), kind, label, day(done)) for r, kind, label, done in DAYE["requests"]]
    write_csv(folder / "requests.csv", HEADERS["requests"], request_rows(DAYE, reqs, rng, {}))
    write_csv(
        folder / "appeals.csv",
        HEADERS["appeals"],
        [[no, k, day(r), res, day(done)] for no, k, r, res, done in DAYE["appeals"]],
    )


def make_demo(folder: Path) -> None:
    rng = random.Random(SEED + 1)
    folder.mkdir(parents=True, exist_ok=True)
    make_common(DEMO, folder, rng, skip=set())
    write_csv(folder / "proposals.csv", HEADERS["proposals"], proposal_rows(DEMO["proposals"], rng))
    rows = request_rows(DEMO, demo_requests(rng), rng, DEMO_REQUEST_FEES)
    write_xlsx(
        folder / "requests.xlsx",
        HEADERS["requests"],
        rows,
        title="示例县应急管理局依申请公开台账（示例数据）",
    )
    write_csv(folder / "appeals.csv", HEADERS["appeals"], appeal_rows(DEMO_APPEALS))


def _sample_county():
    """tools/sample_county.py, wherever this script was loaded from."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "sample_county", Path(__file__).with_name("sample_county.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="default: data/ next to tools/")
    ap.add_argument(
        "--county",
        type=Path,
        default=None,
        help="the multi-agency sample county, a project of its own (default: examples/county/, "
        "or county/ inside --out)",
    )
    args = ap.parse_args(argv)
    repo = Path(__file__).resolve().parents[1]
    county = args.county or (args.out / "county" if args.out else repo / "examples" / "county")
    args.out = args.out or repo / "data"
    make_daye(args.out / "daye")
    make_demo(args.out / "demo")
    _sample_county().make_county(county)
    for p in sorted(args.out.glob("*/*.*")):
        print(p.relative_to(args.out))


if __name__ == "__main__":
    main()
