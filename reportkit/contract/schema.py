"""The ledgers' schema: the eleven ledgers, their columns and categories, and the constants of reading them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reportkit.contract import vocab

ROW = "_row"  # the Excel row number of each ledger row, kept for messages and checks

# Columns whose values are applicants' personal data: dropped at reading, never output. These
# names mark a column personal in any ledger; see personal_column() for the whole rule.
# The personal columns the contract gives the requests ledger (its blank template has them).
REQUESTS_PERSONAL = ("申请人姓名", "证件号码", "联系电话")
PERSONAL_COLUMNS = [
    *REQUESTS_PERSONAL,
    "地址",
    "申请人",
    "姓名",
    "联系人",
    "代理人",
    "身份证号",
    "身份证号码",
    "手机号码",
    "电子邮箱",
    "邮箱",
    "住址",
    "微信",
    "QQ",
    "Email",
]
# Words in a header that mark an extra column as personal even when no params list it
# (身份证号, 手机号码, 通讯地址, 当事人 …): its values are guarded like 申请人姓名's. Only in the
# ledgers whose rows are about people; elsewhere (活动地址 of an outreach event) they are not.
PERSONAL_HINTS = (
    "姓名",
    "身份证",
    "证件",
    "电话",
    "手机",
    "住址",
    "地址",
    "联系人",
    "联系方式",
    "邮箱",
    "邮件",
    "微信",
    "qq",
    "当事人",
    "代理人",
    "申请人",
)
# The same in English headers (Name, Applicant name, Phone, Tel, Mobile, E-mail, Address, ID No).
_ENGLISH_HINTS = re.compile(
    r"name|phone|(?<![a-z])tel|mobile|e-?mail|address|wechat|(?<![a-z])id(?:no|number|card)?\.?$",
    re.IGNORECASE,
)
# A header naming a kind or a count of people, not a person: 申请人类型 (a required category),
# 证件类型, 申请人数.
_NOT_PERSONAL_ENDINGS = ("类型", "类别", "性质", "人数", "数量", "type", "kind", "count")
PEOPLE_LEDGERS = {"requests", "appeals", "licensing", "penalties", "enforcement", "fees"}
# Traditional characters of personal headers (證件號碼, 電話, 聯繫人 …), read as simplified.
_SIMPLIFIED = str.maketrans(
    "證號碼電話聯繫係絡請當機郵箱稱類應發處罰許務費內質數單",
    "证号码电话联系系络请当机邮箱称类应发处罚许务费内质数单",
)
# What people type in a personal column when there is nothing to type: not personal data.
_NOT_PERSONAL = {
    "无",
    "暂无",
    "不详",
    "未知",
    "未提供",
    "未填",
    "匿名",
    "空",
    "略",
    "na",
    "n/a",
    "none",
    "null",
}

HEAD_ROWS = 10  # the header may sit this far down, below title rows
MAX_PROBLEMS = 50  # problems listed per ledger file; the rest are counted
MAX_NOTES = 20  # alias notes listed per column of a ledger; the rest are counted
# Excel's error values, shown in a cell whose formula failed.
EXCEL_ERRORS = {
    "#VALUE!",
    "#REF!",
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
}
# Formats reportkit cannot read, and what to do about them.
OTHER_FORMATS = {
    ".xls": "旧版 Excel 文件（.xls）",
    ".xlsm": "带宏的 Excel 文件（.xlsm）",
    ".xlsb": "Excel 二进制工作簿（.xlsb）",
    ".et": "WPS 表格文件（.et）",
    ".ods": "OpenDocument 表格（.ods）",
    ".numbers": "Numbers 表格",
    ".txt": "文本文件（.txt）",
    ".tsv": "制表符分隔文件（.tsv）",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # id | date | category | outcome | int | money | text
    required: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None


@dataclass(frozen=True)
class Schema:
    stem: str
    title: str
    columns: tuple[Column, ...]

    @property
    def id_column(self) -> str | None:
        return next((c.name for c in self.columns if c.kind == "id"), None)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _c(name: str, kind: str, required: bool = False, choices=(), default=None) -> Column:
    return Column(name, kind, required, tuple(choices), default)


# Ledger columns the code refers to by name; each is a column of SCHEMAS below.
REQUEST_ID = "申请编号"
RECEIVED = "收到日期"  # requests, appeals, proposals
APPLICANT_TYPE = "申请人类型"
OUTCOME = "办理结果"  # requests: a 表三 outcome; proposals: free text
CONCLUDED = "办结日期"
REQUEST_TEXT = "申请内容"
REQUEST_FEE = "收费金额（元）"
APPEAL_ID = "案件编号"
KIND = "类别"  # appeals, proposals
APPEAL_RESULT = "结果"
APPEAL_CONCLUDED = "审结日期"
DOCUMENT_NO = "文号"
DOCUMENT_TYPE = "类型"
ISSUED = "印发日期"
REPEALED = "废止日期"
FEE_AMOUNT = "金额（元）"


def _decisions(stem: str, title: str, subject: str) -> Schema:
    """A ledger of decisions (许可, 处罚, 强制): 表二 counts its rows by 决定日期 alike."""
    return Schema(
        stem, title, (_c("编号", "id", True), _c("决定日期", "date", True), _c(subject, "text"))
    )


SCHEMAS: dict[str, Schema] = {
    s.stem: s
    for s in [
        Schema(
            "requests",
            "依申请公开台账",
            (
                _c(REQUEST_ID, "id", True),
                _c(RECEIVED, "date", True),
                _c(APPLICANT_TYPE, "category", True, vocab.APPLICANT_TYPES),
                _c(OUTCOME, "outcome"),
                _c(CONCLUDED, "date"),
                _c(REQUEST_TEXT, "text"),
                _c(REQUEST_FEE, "money"),
            ),
        ),
        Schema(
            "appeals",
            "复议诉讼台账",
            (
                _c(APPEAL_ID, "id", True),
                _c(KIND, "category", True, vocab.APPEAL_KINDS),
                _c(RECEIVED, "date", True),
                _c(APPEAL_RESULT, "category", False, vocab.APPEAL_RESULTS),
                _c(APPEAL_CONCLUDED, "date"),
            ),
        ),
        Schema(
            "documents",
            "规章和规范性文件台账",
            (
                _c(DOCUMENT_NO, "id", True),
                _c("标题", "text", True),
                _c(DOCUMENT_TYPE, "category", True, vocab.DOCUMENT_TYPES),
                _c(ISSUED, "date", True),
                _c(REPEALED, "date"),
            ),
        ),
        _decisions("licensing", "行政许可台账", "事项名称"),
        _decisions("penalties", "行政处罚台账", "案由"),
        _decisions("enforcement", "行政强制台账", "措施"),
        Schema(
            "fees",
            "行政事业性收费台账",
            (_c("日期", "date", True), _c("项目", "text", True), _c(FEE_AMOUNT, "money", True)),
        ),
        Schema(
            "procurement",
            "政府集中采购台账",
            (_c("日期", "date", True), _c("项目", "text", True), _c("金额（万元）", "money", True)),
        ),
        Schema(
            "outreach",
            "宣传活动台账",
            (
                _c("日期", "date", True),
                _c("活动类型", "text", True),
                _c("活动名称", "text"),
                _c("地点", "text"),
                _c("场次", "int", default=1),
                _c("参与人次", "int", default=0),
                _c("展板（块）", "int", default=0),
                _c("横幅（条）", "int", default=0),
                _c("资料（份）", "int", default=0),
            ),
        ),
        Schema(
            "media",
            "媒体报道台账",
            (
                _c("日期", "date", True),
                _c("媒体", "text", True),
                _c("标题", "text", True),
                _c("媒体级别", "text"),
            ),
        ),
        Schema(
            "proposals",
            "建议提案台账",
            (
                _c("编号", "id", True),
                _c(KIND, "category", True, vocab.PROPOSAL_KINDS),
                _c("办理方式", "category", True, vocab.HANDLING),
                _c(RECEIVED, "date", True),
                _c(OUTCOME, "text"),
            ),
        ),
    ]
}
# The ledger stems, in the contract's order (the order messages list the files in).
LEDGER_STEMS: list[str] = list(SCHEMAS)
