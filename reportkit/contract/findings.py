"""Findings: the rules by id, a finding of one, and its text, table and JSON forms."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.contract import vocab
from reportkit.contract.errors import Location
from reportkit.contract.phrasing import json_number

ERROR, WARNING = "error", "warning"

# Every rule: id -> (severity, what it checks). Ids are stable: tools and reviewers cite them.
# R1–R12 are the 勾稽关系 of the statutory format; L- are ledger rows; T- are narrative rules.
RULES: dict[str, tuple[str, str]] = {
    "R1": (ERROR, "表三每列：一、本年新收 + 二、上年结转 = 三（七）总计 + 四、结转下年度继续办理"),
    "R2": (ERROR, "表三每列：（七）总计 = （一）至（六）各项之和"),
    "R3": (ERROR, "表三每行：自然人 + 五类法人或其他组织 = 总计"),
    "R4": (ERROR, "表四每组：结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计"),
    "R5": (ERROR, "行列齐全；每格为不小于 0 的整数（收费为金额），不空、不写「/」"),
    "R5-unit": (WARNING, "表格中只写数字，不写单位"),
    "R6": (WARNING, "表二收费以万元计：小数超过四位（不足 1 元）或数额过大，多半是按元填写"),
    "R7": (WARNING, "无规章制定权的机关，规章件数应为 0"),
    "R8": (WARNING, "叙述中直接写出的数字与表格不符"),
    "R9": (WARNING, "按规定格式：叙述中不另写章节标题，表格不加规定格式以外的行列"),
    "R10": (ERROR, "本年二、上年结转 = 上年四、结转下年度继续办理（每列）"),
    "R11": (WARNING, "上年现行有效 + 本年制发 − 本年废止 = 本年现行有效"),
    "R12": (WARNING, "叙述或表格与上年完全相同（照抄上年）"),
    "R13": (
        ERROR,
        "汇总报告：表二、表三、表四每格 = 本级台账 + 所含各单位之和（agencies.yaml 的 includes）",
    ),
    "X-previous": (WARNING, "上年 tables.json 的年度不是上一年，跨年检查未做"),
    "X-agency": (WARNING, "上年 tables.json 是另一个机关的，跨年检查未做"),
    "X-year": (WARNING, "本年或上年的 tables.json 没有年度，无法确认两者是相邻两年"),
    "T-rewrite": (WARNING, "叙述中仍有「【请改写】」标记：起草用的样板尚未改写"),
    "T-problems": (WARNING, "五、存在的主要问题及改进情况 不能空白、写「无」或寥寥数字"),
    "L-done-before-received": (ERROR, "办结日期早于收到日期"),
    "L-done-no-result": (ERROR, "有办结日期而无办理结果"),
    "L-result-no-done": (WARNING, "有办理结果而无办结日期（按未办结计）"),
    "L-concluded-twice": (WARNING, "同一申请录入两次且都已办结"),
    "L-duplicate-id": (ERROR, "编号重复（仅全角半角、大小写或空格不同）"),
    "L-date-future": (ERROR, "日期晚于报告生成之日"),
    "L-date-far": (WARNING, "日期离报告年度太远，多半是年份输错"),
    "L-fee-decimals": (WARNING, "金额（元）小数超过两位，多半是按万元填写"),
    "L-fee-size": (WARNING, "金额（元）不足 1 元，多半是按万元填写"),
    "L-regulation": (WARNING, "无规章制定权的机关，文件台账中有规章"),
    "L-appeal-result-no-date": (WARNING, "复议诉讼有结果而无审结日期（按尚未审结计）"),
    "L-appeal-date-no-result": (ERROR, "复议诉讼有审结日期而无结果"),
    "L-appeal-order": (ERROR, "审结日期早于收到日期"),
    "L-document-order": (ERROR, "废止日期早于印发日期"),
    "L-alias": (WARNING, "类别写作简称（如「规范性文件」），已按规范名称计入"),
}

# Thresholds of the judgement calls.
# 1 元 is 0.0001 万元: four decimals of 万元 are exact 元, a fifth or sixth decimal is 分 or 角,
# which an amount in 万元 does not carry but one typed in 元 (with 分) and divided wrongly does.
FEE_MAX_DECIMALS = 4
FEE_MAX_WAN = Decimal(100_000)  # 10 亿元: above it, an amount in 元 was probably typed as 万元
FAR_YEARS = 10  # ledger dates more than this many years before the report year are suspect
OLDEST_DOCUMENT_YEAR = 1949  # documents may stay in force for decades
PROBLEMS_MIN_CHARS = 30
COPY_MIN_CHARS = 30
PROSE_SECTIONS = ("overview", "problems")  # written anew each year, not from placeholders

T2, T3, T4 = "表二", "表三", "表四"
# Each table: its tables.json key and, row by row, its official columns.
LAYOUT: dict[str, tuple[str, dict[str, list[str]]]] = {
    T2: ("section2", {row: cols for _item, rows, cols in vocab.TABLE2_LAYOUT for row in rows}),
    T3: ("section3", {row: vocab.T3_COLUMNS for row in vocab.T3_ROWS}),
    T4: ("section4", {kind: vocab.T4_COLUMNS for kind in vocab.APPEAL_KINDS}),
}
BLANKS = {"", "/", "-", "—", "——", "无", "空"}
UNIT = re.compile(r"(件次|件|起|宗|项|个|次|万元|元)$")


@dataclass
class Finding:
    """One problem: which rule, how bad, where, what was expected and found, and what to do."""

    rule: str
    severity: str
    where: dict[str, Any]
    expected: Any
    found: Any
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def at(self) -> Location | None:
        """Where in a ledger, for a finding about a ledger's row; None for tables and narrative."""
        if "file" not in self.where:
            return None
        return Location(self.where["file"], self.where.get("row"), self.where.get("column"))


def _plain(v: Any) -> Any:
    """A strict-JSON form: Decimal -> int or float, dates -> ISO text, NaN -> text."""
    if isinstance(v, Decimal):
        return json_number(v)
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)  # NaN / Infinity typed into a tables.json: strict JSON cannot hold them
    if isinstance(v, (dt.date, pd.Timestamp)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def finding(rule: str, where: dict[str, Any], expected: Any, found: Any, message: str) -> Finding:
    """A Finding with the severity of its rule. The message says what is wrong and what to do;
    `where` says where, so the message does not repeat it."""
    return Finding(rule, RULES[rule][0], where, _plain(expected), _plain(found), message)


# =============================================================================================
# Showing findings
# =============================================================================================
SEVERITY_NAMES = {ERROR: "错误", WARNING: "警告"}


def where_text(where: dict[str, Any]) -> str:
    """「requests.csv 第5行「办结日期」列」, 「表三「总计」行「自然人」列」 or 「叙述「五、…」」."""
    if "section" in where:
        return f"叙述「{where['section']}」"
    if "file" in where:  # a ledger's cell: the text form every ledger problem has
        return str(Location(where["file"], where.get("row"), where.get("column")))
    text = str(where.get("table", ""))
    row = where.get("row")
    if row is not None:
        text += f"第{row}行" if isinstance(row, int) else f"「{row}」行"
    if where.get("column") is not None:
        text += f"「{where['column']}」列"
    return text.strip()


def _counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(f.severity == ERROR for f in findings)
    return errors, len(findings) - errors


def format_findings(findings: list[Finding], per_rule: int | None = None) -> str:
    """Findings as terminal lines, errors first; 「检查通过：未发现问题」 when there are none;
    then the notes of a Findings (what could not be checked).

    `per_rule`: list at most this many findings of each rule, then say how many more there are
    (a ledger with a systematic slip can give thousands of one kind)."""
    notes = [f"说明：{n}" for n in getattr(findings, "notes", [])]
    if not findings:
        return "\n".join(
            ["检查通过：未发现问题" + ("（有的检查未做，见下）" if notes else ""), *notes]
        )
    ordered = sorted(findings, key=lambda f: f.severity != ERROR)
    shown: dict[str, int] = {}
    lines = []
    for f in ordered:
        shown[f.rule] = shown.get(f.rule, 0) + 1
        if per_rule is None or shown[f.rule] <= per_rule:
            lines.append(
                f"{SEVERITY_NAMES[f.severity]} [{f.rule}] {where_text(f.where)}：{f.message}"
            )
    for rule, n in shown.items():
        if per_rule is not None and n > per_rule:
            lines.append(f"……另有 {n - per_rule} 处 [{rule}] 同类问题未逐一列出")
    errors, warnings = _counts(findings)
    lines.append(
        f"共 {errors} 个错误、{warnings} 个警告" + ("（有错误，报告不能发布）" if errors else "")
    )
    return "\n".join(lines + notes)


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a table for a notebook, columns in Chinese."""
    rows = [
        {
            "级别": SEVERITY_NAMES[f.severity],
            "规则": f.rule,
            "位置": where_text(f.where),
            "应为": f.expected,
            "实为": f.found,
            "说明": f.message,
        }
        for f in findings
    ]
    return pd.DataFrame(rows, columns=["级别", "规则", "位置", "应为", "实为", "说明"])


def findings_json(findings: list[Finding]) -> dict[str, Any]:
    """{"errors": n, "warnings": m, "findings": [...], "notes": [...]}: checks.json's content."""
    errors, warnings = _counts(findings)
    return {
        "errors": errors,
        "warnings": warnings,
        "findings": [f.to_dict() for f in findings],
        "notes": list(getattr(findings, "notes", [])),
    }


def write_json(findings: list[Finding], path: str | Path) -> None:
    """checks.json: {"errors": n, "warnings": m, "findings": [...], "notes": [...]}, UTF-8,
    Chinese unescaped."""
    data = findings_json(findings)
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
