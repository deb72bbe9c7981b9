"""The official vocabulary of the report, exactly as 国办公开办函〔2021〕30号 writes it.

Every heading, table label and category that a reader sees comes from here; no other module
spells them out.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------------------------------------
# The six sections, in order. `slug` names the section notebook; `heading` is printed verbatim.
# ---------------------------------------------------------------------------------------------
SECTIONS: list[dict[str, str]] = [
    {"number": "一", "title": "总体情况", "slug": "overview"},
    {"number": "二", "title": "主动公开政府信息情况", "slug": "proactive"},
    {"number": "三", "title": "收到和处理政府信息公开申请情况", "slug": "requests"},
    {"number": "四", "title": "政府信息公开行政复议、行政诉讼情况", "slug": "appeals"},
    {"number": "五", "title": "存在的主要问题及改进情况", "slug": "problems"},
    {"number": "六", "title": "其他需要报告的事项", "slug": "other"},
]
for _i, _s in enumerate(SECTIONS, start=1):
    _s["index"] = str(_i)
    _s["heading"] = f"{_s['number']}、{_s['title']}"

SECTION_HEADINGS: list[str] = [s["heading"] for s in SECTIONS]

# The narrative texts: a preface (前言), then one per section, in report order.
PREFACE = "preface"
PREFACE_LABEL = "前言"
NARRATIVE_SLUGS: list[str] = [PREFACE, *(s["slug"] for s in SECTIONS)]
_LABELS = {PREFACE: PREFACE_LABEL, **{s["slug"]: s["heading"] for s in SECTIONS}}


def section_label(slug: str) -> str:
    """What a reader calls a narrative text: 「前言」 or the section's heading 「五、存在的主要问题及改进情况」."""
    return _LABELS[slug]


REPORT_TITLE = "{agency}{year}年政府信息公开工作年度报告"

# ---------------------------------------------------------------------------------------------
# 表二 主动公开政府信息情况
# ---------------------------------------------------------------------------------------------
T2_ITEM_1 = "第二十条第（一）项"
T2_ITEM_5 = "第二十条第（五）项"
T2_ITEM_6 = "第二十条第（六）项"
T2_ITEM_8 = "第二十条第（八）项"
T2_CONTENT = "信息内容"
T2_ISSUED = "本年制发件数"
T2_ABOLISHED = "本年废止件数"
T2_IN_FORCE = "现行有效件数"
T2_DECISIONS = "本年处理决定数量"
T2_FEES = "本年收费金额（单位：万元）"

REGULATION = "规章"
NORMATIVE = "行政规范性文件"
DOCUMENT_TYPES = [REGULATION, NORMATIVE]
LICENSING = "行政许可"
PENALTY = "行政处罚"
ENFORCEMENT = "行政强制"
FEES = "行政事业性收费"

# (item, row label, columns) in printed order; the contract's tables.json uses the same keys.
TABLE2_LAYOUT: list[tuple[str, list[str], list[str]]] = [
    (T2_ITEM_1, [REGULATION, NORMATIVE], [T2_ISSUED, T2_ABOLISHED, T2_IN_FORCE]),
    (T2_ITEM_5, [LICENSING], [T2_DECISIONS]),
    (T2_ITEM_6, [PENALTY, ENFORCEMENT], [T2_DECISIONS]),
    (T2_ITEM_8, [FEES], [T2_FEES]),
]

# ---------------------------------------------------------------------------------------------
# 表三 收到和处理政府信息公开申请情况
# ---------------------------------------------------------------------------------------------
T3_TITLE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANT = "申请人情况"
NATURAL_PERSON = "自然人"
LEGAL_PERSONS_GROUP = "法人或其他组织"
LEGAL_PERSONS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
TOTAL = "总计"
APPLICANT_TYPES = [NATURAL_PERSON, *LEGAL_PERSONS]
T3_COLUMNS = [*APPLICANT_TYPES, TOTAL]

NEW_REQUESTS = "本年新收政府信息公开申请数量"
CARRIED_IN = "上年结转政府信息公开申请数量"
RESULTS = "本年度办理结果"
CARRIED_OUT = "结转下年度继续办理"

GRANTED = "予以公开"
PARTLY = "部分公开"
PARTLY_LABEL = "部分公开（区分处理的，只计这一情形，不计其他情形）"

# Outcome groups （一）–（六）: (numbered label, group name, leaves). Groups with no leaves are
# single rows.
OUTCOME_GROUPS: list[tuple[str, str, list[str]]] = [
    ("（一）", GRANTED, []),
    ("（二）", PARTLY, []),
    (
        "（三）",
        "不予公开",
        [
            "属于国家秘密",
            "其他法律行政法规禁止公开",
            "危及“三安全一稳定”",
            "保护第三方合法权益",
            "属于三类内部事务信息",
            "属于四类过程性信息",
            "属于行政执法案卷",
            "属于行政查询事项",
        ],
    ),
    (
        "（四）",
        "无法提供",
        ["本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"],
    ),
    (
        "（五）",
        "不予处理",
        [
            "信访举报投诉类申请",
            "重复申请",
            "要求提供公开出版物",
            "无正当理由大量反复申请",
            "要求行政机关确认或重新出具已获取信息",
        ],
    ),
    (
        "（六）",
        "其他处理",
        [
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "其他",
        ],
    ),
]
RESULTS_TOTAL_NUMBER = "（七）"

# Numbering typed or printed before a label, matched after NFKC (（七） -> (七), 7． -> 7.):
# 七、 七. (七) 七) 7. 7、 (7) 7). One rule for ledgers, tables.json and published reports.
NUMBERING = re.compile(
    r"^(?:\(?(?:[一二三四五六七八九十]+|\d+)\)|[一二三四五六七八九十]+[、.]|\d+[.、])"
)


def strip_numbering(key: str) -> str:
    """A label's key without the numbering before each /-part: 「(三)不予公开/1.属于国家秘密」 ->
    「不予公开/属于国家秘密」."""
    return "/".join(NUMBERING.sub("", part) for part in key.split("/"))


# The 21 outcome keys, as tables.json and the ledger's 办理结果 write them.
OUTCOMES: list[str] = []
for _num, _group, _leaves in OUTCOME_GROUPS:
    if _leaves:
        OUTCOMES.extend(f"{_group}/{leaf}" for leaf in _leaves)
    else:
        OUTCOMES.append(_group)

# The 25 rows of tables.json section3, in the contract's order.
T3_ROWS: list[str] = [NEW_REQUESTS, CARRIED_IN, *OUTCOMES, TOTAL, CARRIED_OUT]

# ---------------------------------------------------------------------------------------------
# 表四 政府信息公开行政复议、行政诉讼情况
# ---------------------------------------------------------------------------------------------
REVIEW = "行政复议"
LITIGATION = "行政诉讼"
DIRECT_SUIT = "未经复议直接起诉"
SUIT_AFTER_REVIEW = "复议后起诉"
APPEAL_KINDS = [REVIEW, DIRECT_SUIT, SUIT_AFTER_REVIEW]
UPHELD = "结果维持"
CORRECTED = "结果纠正"
OTHER_RESULT = "其他结果"
PENDING = "尚未审结"
APPEAL_RESULTS = [UPHELD, CORRECTED, OTHER_RESULT]
T4_COLUMNS = [UPHELD, CORRECTED, OTHER_RESULT, PENDING, TOTAL]

# ---------------------------------------------------------------------------------------------
# Ledger categories that are not table labels.
# ---------------------------------------------------------------------------------------------
PROPOSAL_KINDS = ["人大代表建议", "政协提案"]
HANDLING = ["主办", "会办"]

# Values people type that mean an official category; accepted with a warning.
ALIASES: dict[str, str] = {"规范性文件": NORMATIVE}

# Marks narrative that `reportkit init` drafted and the agency has still to rewrite (a check warns).
REWRITE_MARK = "【请改写】"
