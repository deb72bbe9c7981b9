"""The consistency checks (勾稽关系) of a report: tables, ledgers, narrative and last year, as findings."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import paths, trace, vocab
from .errors import ReportkitError, shorten
from .ledgers import ROW, SCHEMAS, Ledgers, match_outcome, norm
from .report import Report, open_report

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
    "R13": (ERROR, "汇总报告：表二、表三、表四每格 = 本级台账 + 所含各单位之和（agencies.yaml 的 includes）"),
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


def _plain(v: Any) -> Any:
    """A strict-JSON form: Decimal -> int or float, dates -> ISO text, NaN -> text."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
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
# Tables: reading a tables.json that may have been typed in by hand
# =============================================================================================
@dataclass
class Tables:
    """The cells of one tables.json by official labels; None where a cell is missing or unusable."""

    year: int | None
    t2: dict[str, dict[str, Decimal | None]]
    t3: dict[str, dict[str, int | None]]
    t4: dict[str, dict[str, int | None]]
    agency: str | None = None


def load_any(path: str | Path) -> dict[str, Any]:
    """A tables.json, or a published report page or Word file imported into that form."""
    from .ingest.published import SUPPORTED, import_report

    if Path(path).suffix.lower() in SUPPORTED:
        return import_report(path).tables
    return load_tables(path)


# A tables.json holds three small tables: a few KB. Anything far bigger or deeper is not one.
MAX_TABLES_BYTES = 4 << 20
MAX_TABLES_DEPTH = 16


def load_tables(path: str | Path) -> dict[str, Any]:
    """Read a tables.json (UTF-8, or GB18030 as Notepad on Chinese Windows may save it)."""
    path = Path(path)
    if not path.is_file():  # also a folder or a pipe: never opened
        raise ReportkitError(f"找不到文件：{path}")
    size = path.stat().st_size
    if size > MAX_TABLES_BYTES:
        raise ReportkitError(
            f"{path} 过大（{size // 1024} KB），不像 tables.json（通常只有几 KB）：请检查是否选错了文件"
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ReportkitError(f"{path}：无法识别编码，请另存为 UTF-8") from None
    try:
        tables = json.loads(text)
    except json.JSONDecodeError as e:
        raise ReportkitError(
            f"{path} 不是有效的 JSON：第{e.lineno}行第{e.colno}列附近有格式错误（多了或少了逗号、引号、括号？）"
        ) from None
    except RecursionError:  # [[[[…]]]] nested deeper than the parser goes
        raise ReportkitError(f"{path} 的括号嵌套层数过多，不是 tables.json 的格式") from None
    except ValueError:  # an integer of thousands of digits
        raise ReportkitError(f"{path} 中有位数过多、无法读取的数字，不是 tables.json 的内容") from None
    if not isinstance(tables, dict):
        raise ReportkitError(f"{path} 的内容应为一个对象，含 section2、section3、section4")
    if _depth(tables) > MAX_TABLES_DEPTH:
        raise ReportkitError(f"{path} 的括号嵌套层数过多，不是 tables.json 的格式")
    return tables


def _depth(obj: Any) -> int:
    """How deep lists and objects nest, without recursion (the value may be deeper than Python
    would recurse)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_TABLES_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def read_tables(tables: Any, published: bool = False) -> tuple[Tables, list[Finding]]:
    """Every cell of a tables.json by official labels, and the R5/R9 findings about its shape."""
    findings: list[Finding] = []
    if not isinstance(tables, dict):
        findings.append(
            finding(
                "R5",
                {"table": "tables.json"},
                "对象",
                type(tables).__name__,
                "内容应为一个对象，含 section2、section3、section4",
            )
        )
        tables = {}
    grids = {
        table: _read_table(tables.get(key), table, key, rows, findings, published)
        for table, (key, rows) in LAYOUT.items()
    }
    year = tables.get("year")
    year = year if isinstance(year, int) and not isinstance(year, bool) else None
    agency = tables.get("agency")
    agency = agency.strip() or None if isinstance(agency, str) else None
    return Tables(year, grids[T2], grids[T3], grids[T4], agency), group_cell_findings(findings)


def group_cell_findings(findings: list[Finding], least: int = 3) -> list[Finding]:
    """R5 cell findings of one kind (「为空」, 「为「/」」) gathered: columns blank in the same rows
    make one finding, then the rest of a row makes one, so a report that left a column or a row
    blank gets one line for it, with the cells listed, not one line per cell."""
    kinds: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        w = f.where
        if f.rule == "R5" and "column" in w and "row" in w:
            kinds.setdefault((w["table"], f.message), []).append(f)
    merged: dict[int, Finding] = {}  # id of the first finding of a group -> its replacement
    dropped: set[int] = set()
    for (table, message), cells in kinds.items():
        if len(cells) < least:
            continue
        rows_of: dict[str, list[Finding]] = {}
        for f in cells:
            rows_of.setdefault(f.where["column"], []).append(f)
        patterns: dict[tuple[str, ...], list[str]] = {}
        for column, fs in rows_of.items():
            patterns.setdefault(tuple(f.where["row"] for f in fs), []).append(column)
        left: list[Finding] = []
        for rows, columns in patterns.items():
            group = [f for c in columns for f in rows_of[c]]
            if len(rows) >= least:
                _merge(group, {"table": table, "column": "、".join(columns)}, rows, merged, dropped)
            else:
                left += group
        by_row: dict[str, list[Finding]] = {}
        for f in left:
            by_row.setdefault(f.where["row"], []).append(f)
        for row, fs in by_row.items():
            if len(fs) >= least:
                columns = [f.where["column"] for f in fs]
                _merge(fs, {"table": table, "row": row}, columns, merged, dropped)
    return [merged.get(id(f), f) for f in findings if id(f) not in dropped or id(f) in merged]


def _merge(
    group: list[Finding], where: dict, cells: tuple | list, merged: dict, dropped: set
) -> None:
    first = group[0]
    problem = first.message.split("，应为")[0]
    listed = "、".join(cells[:6]) + (f"等{len(cells)}" if len(cells) > 6 else "")
    what = "行" if "column" in where else "列"
    message = (
        f"{len(group)}格{problem}（{listed}{what}），应为{first.expected}"
        if problem.startswith("为")
        else f"{len(group)}格有误：{first.message}（{listed}{what}）"
    )
    merged[id(first)] = Finding(
        first.rule, first.severity, where, first.expected, [f.found for f in group], message
    )
    dropped.update(id(f) for f in group)


def _read_table(
    typed: Any,
    table: str,
    key: str,
    layout: dict[str, list[str]],
    findings: list[Finding],
    published: bool = False,
) -> dict[str, dict[str, Any]]:
    grid: dict[str, dict[str, Any]] = {row: dict.fromkeys(cols) for row, cols in layout.items()}
    if not isinstance(typed, dict):
        findings.append(
            finding(
                "R5",
                {"table": table},
                "全部行",
                None,
                f"报告中没有{table}，即使全为 0 也要印出完整的表格"
                if published
                else f"缺少{table}（tables.json 的「{key}」），即使全为 0 也要完整填写",
            )
        )
        return grid
    rows = _official_keys(typed, list(layout), table, {"table": table}, "row", findings)
    for row, columns in layout.items():
        if row not in rows:
            findings.append(
                finding(
                    "R5",
                    {"table": table, "row": row},
                    "整行",
                    None,
                    "报告中缺少这一行，即使全为 0 也要印出"
                    if published
                    else "缺少这一行，没有的请每格填 0",
                )
            )
        else:
            _read_row(rows[row], table, row, columns, grid[row], findings)
    return grid


def _read_row(
    typed: Any,
    table: str,
    row: str,
    columns: list[str],
    out: dict[str, Any],
    findings: list[Finding],
) -> None:
    where = {"table": table, "row": row}
    if isinstance(typed, list) and len(typed) == len(columns):
        typed = dict(zip(columns, typed))
    if not isinstance(typed, dict):
        findings.append(finding("R5", where, columns, _short(typed), f"应按列填写：{'、'.join(columns)}"))
        return
    cells = _official_keys(typed, columns, table, where, "column", findings)
    for column in columns:
        at = {**where, "column": column}
        money = column == vocab.T2_FEES
        if column not in cells:
            findings.append(finding("R5", at, 0, None, "缺少这一格，没有的请填 0"))
            continue
        number, problem, with_unit = _parse_cell(cells[column], money)
        if problem:
            need = "不小于 0 的金额（万元）" if money else "不小于 0 的整数，没有的写 0"
            findings.append(finding("R5", at, need, _short(cells[column]), f"{problem}，应为{need}"))
        elif with_unit:
            findings.append(finding("R5-unit", at, number, _short(cells[column]), "格内只写数字，不写单位"))
        out[column] = number


_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])")
_KIND = {"row": "行", "column": "列"}
# Labels of the printed tables that head a group and hold no number: skipped quietly when typed.
HEADER_LABELS = [
    vocab.T2_ITEM_1,
    vocab.T2_ITEM_5,
    vocab.T2_ITEM_6,
    vocab.T2_ITEM_8,
    vocab.T2_CONTENT,
    vocab.RESULTS,
    vocab.T3_APPLICANT,
    vocab.LITIGATION,
    vocab.T3_TITLE_NOTE,
]


def _label_key(label: object) -> str:
    """A label without spaces, width, quotes or numbering such as 「（七）」 or 「一、」."""
    return "/".join(_NUMBERING.sub("", part) for part in norm(label).split("/"))


HEADER_KEYS = {_label_key(label) for label in HEADER_LABELS}


def _official_label(typed: str, official: list[str], table: str) -> str | None:
    key = _label_key(typed)
    for label in official:
        if _label_key(label) == key:
            return label
    outcome = match_outcome(typed) if table == T3 else None
    return outcome if outcome in official else None


def _official_keys(
    typed: dict,
    official: list[str],
    table: str,
    where: dict[str, Any],
    kind: str,
    findings: list[Finding],
) -> dict[str, Any]:
    """The entries of a typed object keyed by official labels. Labels as the printed table writes
    them (「一、本年新收…」, 「（七）总计」, a leaf without its group) are read as they are; R9 for
    labels the format does not have, and for one label given twice."""
    out: dict[str, Any] = {}
    name = _KIND[kind]
    for key, value in typed.items():
        label = key if key in official else _official_label(str(key), official, table)
        at = {**where, kind: _short(key)}
        if label is None and _label_key(key) not in HEADER_KEYS:
            message = f"{table}没有「{_short(key)}」这一{name}，请按规定格式的名称填写，或删去"
            findings.append(finding("R9", at, None, _short(key), message))
        elif label in out:
            findings.append(
                finding("R9", at, None, _short(key), f"「{label}」{name}出现了两次，请只保留一个")
            )
        elif label is not None:
            out[label] = value
    return out


# Beyond these a cell is a typing slip or an attack, not a count of one agency's year: Decimal
# would carry 10^400 or 1e999999999 through every sum (and int() of the latter never returns).
MAX_COUNT = 10**9
MAX_FEE_WAN = Decimal(10**9)


def _parse_cell(value: Any, money: bool) -> tuple[int | Decimal | None, str | None, bool]:
    """(number, problem, typed with a unit). Counts must be whole, ≥ 0 and below MAX_COUNT;
    amounts finite, ≥ 0 and below MAX_FEE_WAN."""
    if type(value) is int and 0 <= value < MAX_COUNT and not money:  # most cells: nothing to parse
        return value, None, False
    if value is None:
        return None, "为空", False
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None, f"「{_short(value)}」不是数字", False
    if isinstance(value, float) and not math.isfinite(value):  # NaN, Infinity, 1e400 in the JSON
        return None, f"「{value}」不是有限的数字", False
    if isinstance(value, int) and abs(value) >= MAX_COUNT * 10:  # not worth a Decimal
        return None, f"数值过大（{_short(value)}），请核对", False
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    if text in BLANKS:
        return None, f"为「{text}」" if text else "为空", False
    number_text = UNIT.sub("", text).strip()
    try:
        number = Decimal(number_text)
    except InvalidOperation:
        return None, f"「{_short(value)}」不是数字", False
    with_unit = number_text != text
    if not number.is_finite():
        return None, f"「{_short(value)}」不是有限的数字", with_unit
    if number < 0:
        return None, f"为负数 {_short(value)}", with_unit
    if number >= (MAX_FEE_WAN if money else MAX_COUNT):
        return None, f"数值过大（{_short(value)}），请核对", with_unit
    if money:
        return number, None, with_unit
    if number != number.to_integral_value():
        return None, f"{_short(value)} 不是整数", with_unit
    return int(number), None, with_unit


def _short(value: Any) -> Any:
    """A typed value as a finding shows it: small ones as they are, others cut short."""
    if isinstance(value, (bool, float)) or value is None:
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**15 else shorten(value)
    if isinstance(value, str):
        return shorten(value)
    return shorten(json.dumps(value, ensure_ascii=False, default=str)[:1000])


# =============================================================================================
# Tables: the rules
# =============================================================================================
def check_tables(
    tables: dict,
    previous: dict | None = None,
    can_make_regulations: bool | None = None,
    published: bool = False,
) -> list[Finding]:
    """Every rule that needs no ledger: format.md 1–7, 9 (labels), and 10–12 against `previous`.
    `published`: the tables come from a published report, not from the agency's own ledgers, so
    advice names the report rather than ledgers."""
    t, findings = read_tables(tables, published)
    findings += (
        _t3_columns_balance(t) + _t3_outcomes_total(t) + _t3_rows_total(t) + _t4_groups_total(t)
    )
    findings += _fees_in_wan(t) + _regulations_allowed(t, can_make_regulations)
    if previous is not None:
        findings += check_against_previous(t, read_tables(previous)[0], published)
    return findings


def _known(*values: Any) -> bool:
    return all(v is not None for v in values)


def _t3_columns_balance(t: Tables) -> list[Finding]:
    out = []
    for col in vocab.T3_COLUMNS:
        new, carried_in = t.t3[vocab.NEW_REQUESTS][col], t.t3[vocab.CARRIED_IN][col]
        total, carried_out = t.t3[vocab.TOTAL][col], t.t3[vocab.CARRIED_OUT][col]
        if _known(new, carried_in, total, carried_out) and new + carried_in != total + carried_out:
            out.append(
                finding(
                    "R1",
                    {"table": T3, "row": "一+二 与 三（七）+四", "column": col},
                    new + carried_in,
                    total + carried_out,
                    f"一、本年新收{new} + 二、上年结转{carried_in} = {new + carried_in}，而三（七）总计{total}"
                    f" + 四、结转下年度继续办理{carried_out} = {total + carried_out}，两者应相等，请核对这四格",
                )
            )
    return out


def _parts_vs_total(rule: str, where: dict[str, Any], parts: list, total: Any, message: str) -> list[Finding]:
    """One finding when the parts (all filled in) do not add up to the total; `message` is
    formatted with {sum} and {total}."""
    if not _known(total, *parts) or sum(parts) == total:
        return []
    return [finding(rule, where, sum(parts), total, message.format(sum=sum(parts), total=total))]


def _t3_outcomes_total(t: Tables) -> list[Finding]:
    return [
        f
        for col in vocab.T3_COLUMNS
        for f in _parts_vs_total(
            "R2",
            {"table": T3, "row": vocab.TOTAL, "column": col},
            [t.t3[row][col] for row in vocab.OUTCOMES],
            t.t3[vocab.TOTAL][col],
            "（一）至（六）各项之和为{sum}，而（七）总计为{total}，请核对总计或各项",
        )
    ]


def _t3_rows_total(t: Tables) -> list[Finding]:
    return [
        f
        for row in vocab.T3_ROWS
        for f in _parts_vs_total(
            "R3",
            {"table": T3, "row": row, "column": vocab.TOTAL},
            [t.t3[row][col] for col in vocab.APPLICANT_TYPES],
            t.t3[row][vocab.TOTAL],
            "自然人与五类法人或其他组织之和为{sum}，而总计为{total}，请核对这一行",
        )
    ]


def _t4_groups_total(t: Tables) -> list[Finding]:
    return [
        f
        for kind in vocab.APPEAL_KINDS
        for f in _parts_vs_total(
            "R4",
            {"table": T4, "row": kind, "column": vocab.TOTAL},
            [t.t4[kind][col] for col in vocab.T4_COLUMNS[:-1]],
            t.t4[kind][vocab.TOTAL],
            "结果维持、结果纠正、其他结果、尚未审结之和为{sum}，而总计为{total}，请核对",
        )
    ]


def _decimals(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _fees_in_wan(t: Tables) -> list[Finding]:
    amount = t.t2[vocab.FEES][vocab.T2_FEES]
    where = {"table": T2, "row": vocab.FEES, "column": vocab.T2_FEES}
    if amount is not None and _decimals(amount) > FEE_MAX_DECIMALS:
        return [
            finding(
                "R6",
                where,
                f"万元，至多{FEE_MAX_DECIMALS}位小数",
                amount,
                f"有{_decimals(amount)}位小数，而万元的第四位小数已是 1 元，多半是把元数填了进来；"
                "请换算为万元（元数 ÷ 10000）",
            )
        ]
    if amount is not None and amount > FEE_MAX_WAN:
        return [
            finding(
                "R6",
                where,
                f"不超过{FEE_MAX_WAN}万元",
                amount,
                f"{_plain(amount)}万元即{_plain(amount / 10000)}亿元，过大，单位是万元，请核对是否按元填写",
            )
        ]
    return []


def _regulations_allowed(t: Tables, can_make_regulations: bool | None) -> list[Finding]:
    counts = t.t2[vocab.REGULATION]
    if can_make_regulations is not False or not any(counts.values()):
        return []
    return [
        finding(
            "R7",
            {"table": T2, "row": vocab.REGULATION},
            dict.fromkeys(counts, 0),
            counts,
            "本机关没有规章制定权（参数 can_make_regulations 为 false），规章却不为 0；"
            "县级部门和乡镇的文件应计入行政规范性文件，请核对文件台账的「类型」",
        )
    ]


def check_against_previous(t: Tables, prev: Tables, published: bool = False) -> list[Finding]:
    """Rules 10–12 against last year's tables (both already read): not against another agency's
    or another year's; said so when a year is missing and the pairing cannot be confirmed."""
    where = {"table": "tables.json"}
    if t.agency and prev.agency and norm(t.agency) != norm(prev.agency):
        return [
            finding(
                "X-agency",
                where,
                t.agency,
                prev.agency,
                f"作为上年数据的是「{prev.agency}」的报告，不是「{t.agency}」的，跨年检查未做；"
                "请用 --previous 指定本机关上年的报告或 tables.json",
            )
        ]
    missing = [name for name, y in (("本年", t.year), ("上年", prev.year)) if y is None]
    if missing:
        note = [
            finding(
                "X-year",
                where,
                "年度",
                None,
                f"{'和'.join(missing)}的数据没有年度（tables.json 的「year」），无法确认两者是相邻两年；"
                "跨年检查照常做了，如不是相邻两年，请忽略跨年检查的结果",
            )
        ]
        return note + _carried_over(t, prev, published) + _in_force(t, prev, published) + _copied_tables(t, prev)
    if t.year is not None and prev.year is not None and prev.year != t.year - 1:
        return [
            finding(
                "X-previous",
                {"table": "tables.json"},
                t.year - 1,
                prev.year,
                f"作为上年数据的 tables.json 是{prev.year}年的，不是{t.year - 1}年的，跨年检查未做；"
                "请用 --previous 指定上年的 tables.json",
            )
        ]
    return _carried_over(t, prev, published) + _in_force(t, prev, published) + _copied_tables(t, prev)


# What to do, worded for an agency's own ledgers or for a report someone else published.
_ADVICE = {
    ("R10", False): "请核对台账中跨年未办结的申请；如上年报告有误，请在叙述中说明",
    ("R10", True): "两年报告中至少一处有误，或叙述中应说明差异的原因",
    ("R11", False): "如有集中清理或文件到期失效，请在叙述中说明；否则请核对文件台账",
    ("R11", True): "如有集中清理或文件到期失效，报告叙述中应有说明；否则两年报告中至少一处有误",
}


def _carried_over(t: Tables, prev: Tables, published: bool = False) -> list[Finding]:
    out = []
    for col in vocab.T3_COLUMNS:
        this, last = t.t3[vocab.CARRIED_IN][col], prev.t3[vocab.CARRIED_OUT][col]
        if _known(this, last) and this != last:
            out.append(
                finding(
                    "R10",
                    {"table": T3, "row": vocab.CARRIED_IN, "column": col},
                    last,
                    this,
                    f"本年上年结转为{this}，而上年报告的结转下年度继续办理为{last}，两者应相等；"
                    + _ADVICE["R10", published],
                )
            )
    return out


def _in_force(t: Tables, prev: Tables, published: bool = False) -> list[Finding]:
    out = []
    for kind in vocab.DOCUMENT_TYPES:
        last = prev.t2[kind][vocab.T2_IN_FORCE]
        issued, abolished, now = (
            t.t2[kind][c] for c in (vocab.T2_ISSUED, vocab.T2_ABOLISHED, vocab.T2_IN_FORCE)
        )
        if not _known(last, issued, abolished, now) or last + issued - abolished == now:
            continue
        expected = last + issued - abolished
        out.append(
            finding(
                "R11",
                {"table": T2, "row": kind, "column": vocab.T2_IN_FORCE},
                expected,
                now,
                f"上年现行有效{last}件 + 本年制发{issued}件 − 本年废止{abolished}件 = {expected}件，而表中为{now}件；"
                + _ADVICE["R11", published],
            )
        )
    return out


def _copied_tables(t: Tables, prev: Tables) -> list[Finding]:
    out = []
    for table, this, last in ((T2, t.t2, prev.t2), (T3, t.t3, prev.t3), (T4, t.t4, prev.t4)):
        if this == last and any(v for row in this.values() for v in row.values()):
            out.append(
                finding(
                    "R12",
                    {"table": table},
                    "与上年不同",
                    "与上年完全相同",
                    "与上年报告的每一格都相同，请确认不是照抄了上年的表格",
                )
            )
    return out


# =============================================================================================
# Ledgers
# =============================================================================================
# Row rules: (ledger, rule, column pointed at, rows that break it, expected, what to do).
Condition = Callable[[pd.DataFrame], pd.Series]
# fmt: off
ROW_RULES: list[tuple[str, str, str, Condition, str, str]] = [
    ("requests", "L-done-before-received", "办结日期", lambda d: d["办结日期"] < d["收到日期"],
     "不早于收到日期", "办结日期早于收到日期，请改正其中之一"),
    ("requests", "L-done-no-result", "办理结果", lambda d: d["办结日期"].notna() & d["办理结果"].isna(),
     "表三的一项办理结果", "已填办结日期却没有办理结果，请填写办理结果；未办结的请清空办结日期"),
    ("requests", "L-result-no-done", "办结日期", lambda d: d["办理结果"].notna() & d["办结日期"].isna(),
     "办结日期", "已填办理结果却没有办结日期，表三会把它算作结转下年度，请填写办结日期；未办结的请清空办理结果"),
    ("appeals", "L-appeal-result-no-date", "审结日期", lambda d: d["结果"].notna() & d["审结日期"].isna(),
     "审结日期", "已填结果却没有审结日期，表四会把它算作尚未审结，请填写审结日期；尚未审结的请清空结果"),
    ("appeals", "L-appeal-date-no-result", "结果", lambda d: d["审结日期"].notna() & d["结果"].isna(),
     "结果维持、结果纠正或其他结果", "已填审结日期却没有结果，请填写结果；尚未审结的请清空审结日期"),
    ("appeals", "L-appeal-order", "审结日期", lambda d: d["审结日期"] < d["收到日期"],
     "不早于收到日期", "审结日期早于收到日期，请改正其中之一"),
    ("documents", "L-document-order", "废止日期", lambda d: d["废止日期"] < d["印发日期"],
     "不早于印发日期", "废止日期早于印发日期，请改正其中之一"),
]
# fmt: on


def check_ledgers(
    ledgers: Ledgers, year: int, built_at: dt.date, can_make_regulations: bool | None = None
) -> list[Finding]:
    """Ledger rows that cannot be right (errors) or look mistyped (warnings)."""
    findings = [
        finding(rule, _at(ledgers, stem, r, column), expected, _shown(r[column]), message)
        for stem, rule, column, broken, expected, message in ROW_RULES
        for r in _records(ledgers[stem][broken(ledgers[stem])])
    ]
    return findings + [
        *_concluded_twice(ledgers),
        *_duplicate_ids(ledgers),
        *_dates(ledgers, year, built_at),
        *_fees(ledgers),
        *_regulation_rows(ledgers, year, can_make_regulations),
    ]


def _at(ledgers: Ledgers, stem: str, r: dict[str, Any], column: str) -> dict[str, Any]:
    path = ledgers.files.get(stem)
    return {"file": path.name if path else f"{stem}.csv", "row": int(r[ROW]), "column": column}


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `df` as dicts (column -> value): what iterrows() gives, built column-wise, so
    that a rule flagging many rows of a big ledger stays quick."""
    return df.to_dict("records")


def _records_at(df: pd.DataFrame, positions: list[int]) -> dict[int, dict[str, Any]]:
    """The rows at these positions of `df`, as dicts, by position: built in one go."""
    return dict(zip(positions, _records(df.iloc[positions])))


def _shown(v: Any) -> Any:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return pd.Timestamp(v).strftime("%Y-%m-%d") if isinstance(v, (pd.Timestamp, dt.date)) else v


def _repeats(keys: pd.DataFrame | pd.Series) -> dict[Any, list[int]]:
    """Positions of the rows whose key repeats, grouped by key in order of first appearance. One
    vectorised pass finds them, so a ledger without repeats costs no loop over its rows."""
    repeated = np.flatnonzero(keys.duplicated(keep=False).to_numpy())
    groups: dict[Any, list[int]] = {}
    values = keys.iloc[repeated]
    tuples = values.itertuples(index=False, name=None) if isinstance(values, pd.DataFrame) else values
    for position, key in zip(repeated.tolist(), tuples):
        groups.setdefault(key, []).append(position)
    return groups


def _concluded_twice(ledgers: Ledgers) -> list[Finding]:
    """Two concluded rows with the same day, applicant type and request text: entered twice?"""
    df = ledgers["requests"]
    done = df[
        df["办结日期"].notna() & df["申请内容"].notna() & (df["办理结果"] != "不予处理/重复申请")
    ]
    keys = pd.DataFrame(
        {
            "received": done["收到日期"].to_numpy(),
            "applicant": done["申请人类型"].to_numpy(dtype=object),
            "text": [norm(v) for v in done["申请内容"].tolist()],
        }
    )
    groups = list(_repeats(keys).values())
    records = _records_at(done, [p for positions in groups for p in positions])
    out = []
    for positions in groups:
        first, *others = (records[p] for p in positions)
        for r in others:
            out.append(
                finding(
                    "L-concluded-twice",
                    _at(ledgers, "requests", r, "申请编号"),
                    "只录入一次",
                    r["申请编号"],
                    f"与第{first[ROW]}行（{first['申请编号']}）的收到日期、申请人类型和申请内容都相同，且都已办结，"
                    "表三会计两次；如是同一申请录入了两次，请删去一行；如确为两件申请，可忽略",
                )
            )
    return out


def _duplicate_ids(ledgers: Ledgers) -> list[Finding]:
    out = []
    for stem, schema in SCHEMAS.items():
        id_col = schema.id_column
        if not id_col:
            continue
        df = ledgers[stem][ledgers[stem][id_col].notna()]
        keys = pd.Series([norm(v).casefold() for v in df[id_col].tolist()], dtype=object)
        repeats = _repeats(keys)
        # in row order, each against the first row with its key, as the rows are read
        rows = sorted((p, positions[0]) for positions in repeats.values() for p in positions[1:])
        records = _records_at(df, [p for positions in repeats.values() for p in positions])
        for position, first in rows:
            r, other = records[position], records[first]
            out.append(
                finding(
                    "L-duplicate-id",
                    _at(ledgers, stem, r, id_col),
                    "唯一的编号",
                    r[id_col],
                    f"与第{other[ROW]}行的「{other[id_col]}」实为同一编号；同一记录请只录入一次，"
                    "不同记录请改用不同编号",
                )
            )
    return out


def _dates(ledgers: Ledgers, year: int, built_at: dt.date) -> list[Finding]:
    out = []
    latest = pd.Timestamp(built_at)
    for stem, schema in SCHEMAS.items():
        df = ledgers[stem]
        oldest = OLDEST_DOCUMENT_YEAR if stem == "documents" else year - FAR_YEARS
        for col in (c.name for c in schema.columns if c.kind == "date"):
            for r in _records(df[df[col] > latest]):
                out.append(
                    finding(
                        "L-date-future",
                        _at(ledgers, stem, r, col),
                        f"不晚于{built_at.isoformat()}",
                        _shown(r[col]),
                        f"晚于报告生成之日（{built_at.isoformat()}），不可能发生，请改正年份或日期",
                    )
                )
            for r in _records(df[df[col].dt.year < oldest]):
                out.append(
                    finding(
                        "L-date-far",
                        _at(ledgers, stem, r, col),
                        f"{oldest}年或以后",
                        _shown(r[col]),
                        f"离报告年度{year}年太远，请核对是否输错了年份",
                    )
                )
    return out


def _fees(ledgers: Ledgers) -> list[Finding]:
    out = []
    for stem, col in (("fees", "金额（元）"), ("requests", "收费金额（元）")):
        df = ledgers[stem]
        for r in _records(df[df[col].notna()]):
            amount: Decimal = r[col]
            if _decimals(amount) > 2:
                out.append(
                    finding(
                        "L-fee-decimals",
                        _at(ledgers, stem, r, col),
                        "元，至多两位小数",
                        amount,
                        f"有{_decimals(amount)}位小数，而元只到分，多半是按万元填写，"
                        "请换算为元（万元数 × 10000）",
                    )
                )
            elif 0 < amount < 1:
                out.append(
                    finding(
                        "L-fee-size",
                        _at(ledgers, stem, r, col),
                        "不少于 1 元",
                        amount,
                        "不足 1 元，多半是按万元填写，请换算为元（万元数 × 10000）",
                    )
                )
    return out


def _regulation_rows(
    ledgers: Ledgers, year: int, can_make_regulations: bool | None
) -> list[Finding]:
    """The 规章 rows behind R7, so that the user finds them."""
    if can_make_regulations is not False:
        return []
    df = ledgers["documents"]
    counted = (df["印发日期"].dt.year <= year) & (
        df["废止日期"].isna() | (df["废止日期"].dt.year >= year)
    )
    return [
        finding(
            "L-regulation",
            _at(ledgers, "documents", r, "类型"),
            vocab.NORMATIVE,
            vocab.REGULATION,
            f"「{r['文号']}」类型为规章，但本机关没有规章制定权；如是本机关的文件，类型应为行政规范性文件",
        )
        for r in _records(df[counted & (df["类型"] == vocab.REGULATION)])
    ]


# =============================================================================================
# Narrative: numbers typed in by hand (R8)
# =============================================================================================
def section_name(slug: str) -> str:
    if slug == "preface":
        return "前言"
    return next(s["heading"] for s in vocab.SECTIONS if s["slug"] == slug)


@dataclass(frozen=True)
class FigureName:
    """How narratives name a figure, and the table cells it is."""

    pattern: str
    cells: tuple  # ("t2", row, column) | ("t3", rows) | ("t4", kinds) | ("doc", kind)
    placeholder: str | None = None
    sections: tuple[str, ...] = ()  # () = any section
    money: bool = False
    veto: str = ""  # words between the name and the number that mean another quantity


_DECISIONS_VETO = r"申请|受理|立案|听证|复议|诉讼"
_REQUEST_SECTIONS = ("overview", "requests")


def _group(name: str) -> list[str]:
    return [o for o in vocab.OUTCOMES if o.split("/")[0] == name]


# fmt: off
FIGURE_NAMES: list[FigureName] = [
    FigureName(r"行政许可(?!法)", ("t2", vocab.LICENSING, vocab.T2_DECISIONS), "行政许可", veto=_DECISIONS_VETO),
    FigureName(r"行政处罚(?!法)", ("t2", vocab.PENALTY, vocab.T2_DECISIONS), "行政处罚", veto=_DECISIONS_VETO),
    FigureName(r"行政强制(?!法)", ("t2", vocab.ENFORCEMENT, vocab.T2_DECISIONS), "行政强制", veto=_DECISIONS_VETO),
    FigureName(r"行政事业性收费", ("t2", vocab.FEES, vocab.T2_FEES), "行政事业性收费", money=True),
    FigureName(r"规章(?!制度)", ("doc", vocab.REGULATION)),
    FigureName(r"(?:行政)?规范性文件", ("doc", vocab.NORMATIVE)),
    FigureName(r"(?:新收|收到|受理)(?:政府信息公开|信息公开|依申请公开)?申请", ("t3", [vocab.NEW_REQUESTS]), "新收申请"),
    FigureName(r"新收|收到", ("t3", [vocab.NEW_REQUESTS]), "新收申请", ("requests",)),
    FigureName(r"上年结转", ("t3", [vocab.CARRIED_IN]), "上年结转申请", _REQUEST_SECTIONS),
    FigureName(r"结转下一?年度?(?:继续办理)?", ("t3", [vocab.CARRIED_OUT]), "结转下年申请", _REQUEST_SECTIONS),
    FigureName(r"办结", ("t3", [vocab.TOTAL]), "办结申请", ("requests",)),
    FigureName(r"(?<!主动)予以公开", ("t3", [vocab.GRANTED]), "予以公开", _REQUEST_SECTIONS),
    FigureName(r"部分公开", ("t3", [vocab.PARTLY]), "部分公开", _REQUEST_SECTIONS),
    *(FigureName(group, ("t3", _group(group)), None, _REQUEST_SECTIONS)
      for _num, group, leaves in vocab.OUTCOME_GROUPS if leaves),
    FigureName(r"行政复议(?!法)", ("t4", [vocab.REVIEW]), "行政复议", ("appeals",)),
    FigureName(r"行政诉讼(?!法)", ("t4", [vocab.DIRECT_SUIT, vocab.SUIT_AFTER_REVIEW]), "行政诉讼", ("appeals",)),
]
# fmt: on
# Words saying which 表二 column a 规章 / 规范性文件 number is in.
DOCUMENT_QUALIFIERS = {
    r"制发|印发|出台|制定|发布": vocab.T2_ISSUED,
    r"废止|宣布失效": vocab.T2_ABOLISHED,
    r"现行有效|现有|有效": vocab.T2_IN_FORCE,
}
DOCUMENT_PLACEHOLDERS = {
    (vocab.REGULATION, vocab.T2_ISSUED): "规章制发",
    (vocab.REGULATION, vocab.T2_ABOLISHED): "规章废止",
    (vocab.REGULATION, vocab.T2_IN_FORCE): "规章现行有效",
    (vocab.NORMATIVE, vocab.T2_ISSUED): "规范性文件制发",
    (vocab.NORMATIVE, vocab.T2_ABOLISHED): "规范性文件废止",
    (vocab.NORMATIVE, vocab.T2_IN_FORCE): "规范性文件现行有效",
}
# After these words (up to the next comma), a number is another year's, a change or an estimate.
_OTHER_QUANTITY = (
    r"上年(?!结转)|去年|前年|同比|环比|较|比|增加|减少|增长|下降|上升|累计|约|近|超过|多于|少于|不足|占"
    r"|(?P<year>\d{4})\s*年"
)
# A count or an amount: digits right before a unit, not inside a 文号, a date or an item number.
_NUMBER = r"(?<![\d.A-Za-z〔\[(（第/])(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>件次|件|起|宗|项|个|次|万元)"
_SENTENCE = re.compile(r"[。；;！!？?\n]")
_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
PLACEHOLDER_MARK = "□"
MAX_GAP = 24  # characters between a figure's name and its number


@dataclass(frozen=True)
class StatedNumber:
    """A number typed into the narrative beside a figure's name."""

    name: FigureName
    column: str | None  # for 规章 / 规范性文件: which 表二 column the words say
    number: Decimal
    unit: str
    words: str


def _literal_text(template: str) -> str:
    """The template's own words: each {{ }} becomes a mark, each {% %} a sentence break."""
    marks = {"{{": PLACEHOLDER_MARK, "{%": "\n", "{#": ""}
    return _TEMPLATE_TAG.sub(lambda m: marks[m.group(0)[:2]], template)


def _tokens(sentence: str, slug: str) -> list[tuple[int, int, str, Any]]:
    """Figure names, qualifiers, other-quantity words, numbers and clause breaks, in order and
    without overlaps (the longest wins where two start together)."""
    found: list[tuple[int, int, str, Any]] = []

    def scan(pattern: str, kind: str, value: Callable[[re.Match], Any]) -> None:
        found.extend((m.start(), m.end(), kind, value(m)) for m in re.finditer(pattern, sentence))

    for name in FIGURE_NAMES:
        if not name.sections or slug in name.sections:
            scan(name.pattern, "name", lambda m, name=name: name)
    for pattern, column in DOCUMENT_QUALIFIERS.items():
        scan(pattern, "qualifier", lambda m, column=column: column)
    scan(_OTHER_QUANTITY, "other", lambda m: m.group("year"))
    scan(_NUMBER, "number", lambda m: m)
    scan(rf"[，,、：:{PLACEHOLDER_MARK}]", "break", lambda m: m.group(0))
    found.sort(key=lambda tok: (tok[0], tok[0] - tok[1]))
    kept: list[tuple[int, int, str, Any]] = []
    for tok in found:
        if not kept or tok[0] >= kept[-1][1]:
            kept.append(tok)
    return kept


def stated_numbers(template: str, slug: str, year: int) -> list[StatedNumber]:
    """Literal numbers right after a figure's name in the same clause (「行政许可105件」), skipping
    numbers of another year, changes and estimates, and names that are ambiguous."""
    out = []
    for sentence in _SENTENCE.split(_literal_text(template)):
        name: FigureName | None = None
        column, armed_at, ambiguous, other = None, None, False, False
        for start, end, kind, value in _tokens(sentence, slug):
            if kind == "break":  # a new clause; a placeholder has used up the name before it
                armed_at, other = None, False
                ambiguous = ambiguous and value != PLACEHOLDER_MARK
            elif kind == "name":
                ambiguous = armed_at is not None and value != name  # 「规章和规范性文件12件」
                name, armed_at = value, start
            elif kind == "qualifier":
                column = value  # 「制发规范性文件3件，废止1件」: 废止 re-arms the document name
                if name is not None and name.cells[0] == "doc" and armed_at is None:
                    armed_at = start
            elif kind == "other":
                other = other or value is None or int(value) != year
            elif kind == "number":
                if armed_at is not None and not ambiguous and not other:
                    stated = _stated(name, column, value, sentence[armed_at:end])
                    out += [stated] if stated else []
                armed_at, ambiguous = None, False
    return out


def _stated(
    name: FigureName, column: str | None, number: re.Match, words: str
) -> StatedNumber | None:
    """The number as stated, unless too far from the name or about another quantity."""
    gap = words[: -len(number.group(0))]
    if len(gap) > MAX_GAP or (name.veto and re.search(name.veto, gap)):
        return None
    return StatedNumber(name, column, Decimal(number.group("n")), number.group("unit"), words)


def _table_figure(t: Tables, s: StatedNumber) -> tuple[int | Decimal | None, str, str | None]:
    """The table's value for a stated number (None when unknown), how the table calls it, and the
    placeholder that prints it."""
    kind, *cells = s.name.cells
    if kind == "t2":
        row, col = cells
        return t.t2[row][col], f"表二{row}「{col}」", s.name.placeholder
    if kind == "doc":
        row = cells[0]
        if s.column is None:
            return None, "", None
        return (
            t.t2[row][s.column],
            f"表二{row}「{s.column}」",
            DOCUMENT_PLACEHOLDERS[(row, s.column)],
        )
    grid, table = (t.t3, T3) if kind == "t3" else (t.t4, T4)
    values = [grid[row][vocab.TOTAL] for row in cells[0]]
    names = "、".join(dict.fromkeys(row.split("/")[0] for row in cells[0]))
    return (sum(values) if _known(*values) else None), f"{table}「{names}」总计", s.name.placeholder


def check_stated_numbers(narrative: dict[str, str], tables: dict, year: int) -> list[Finding]:
    """R8: a number typed into the narrative beside a figure's name that differs from the table."""
    t, _ = read_tables(tables)
    out = []
    for slug, template in narrative.items():
        for s in stated_numbers(template, slug, year):
            expected, what, placeholder = _table_figure(t, s)
            if (
                s.name.money != (s.unit == "万元")
                or expected is None
                or Decimal(expected) == s.number
            ):
                continue
            fix = (
                f"请改用占位符 {{{{ {placeholder} }}}}，数字就会随台账自动生成"
                if placeholder
                else "请改正，或改用占位符让数字随台账自动生成"
            )
            out.append(
                finding(
                    "R8",
                    {"section": section_name(slug)},
                    expected,
                    s.number,
                    f"叙述写的「{s.words}」与{what}（{_plain(expected)}）不符；{fix}",
                )
            )
    return out


# =============================================================================================
# Narrative: headings, section 五, copies of last year
# =============================================================================================
_HEADING_KEYS = {_label_key(s["title"]): s["heading"] for s in vocab.SECTIONS}


def check_headings(narrative: dict[str, str]) -> list[Finding]:
    """R9: a narrative that types a section heading itself; the report prints the official one."""
    out = []
    for slug, template in narrative.items():
        for line in template.splitlines():
            heading = _HEADING_KEYS.get(_label_key(re.sub(r"[#*_\s]", "", line)))
            if heading:
                out.append(
                    finding(
                        "R9",
                        {"section": section_name(slug)},
                        None,
                        line.strip(),
                        f"叙述中写了标题「{line.strip()}」，而报告会自动印出规范标题「{heading}」，"
                        "请删去这一行",
                    )
                )
    return out


def check_rewrite_marks(narrative: dict[str, str]) -> list[Finding]:
    """T-rewrite: a section still carrying the mark that `reportkit init` puts on its drafts."""
    from .onboard import REWRITE_MARK

    return [
        finding(
            "T-rewrite",
            {"section": section_name(slug)},
            "按本机关本年的工作改写",
            "起草样板",
            f"仍是起草用的样板，请按本机关本年的工作改写，改写后删去「{REWRITE_MARK}」",
        )
        for slug, template in narrative.items()
        if REWRITE_MARK in template
    ]


def _meaningful(text: str) -> str:
    """Text without spaces and punctuation, for counting and comparing."""
    return re.sub(r"[\W_]+", "", text)


def check_problems_section(narrative: dict[str, str], texts: dict[str, str]) -> list[Finding]:
    """五 must say something: not the kit's reminder, not empty, not 「无」."""
    text = texts.get("problems", "")
    if "problems" in narrative and len(_meaningful(text)) >= PROBLEMS_MIN_CHARS:
        return []
    return [
        finding(
            "T-problems",
            {"section": section_name("problems")},
            f"至少{PROBLEMS_MIN_CHARS}字",
            text if "problems" in narrative else "未填写",
            "没有实际内容，请在参数文件 narrative 的「五」中写明本年存在的主要问题，以及上年问题的改进"
            "情况（空白、「无」或寥寥数字会被评为缺项）",
        )
    ]


def _without_numbers(text: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", "#", _meaningful(text))


def check_copied_narrative(
    narrative: dict[str, str],
    texts: dict[str, str],
    prev_narrative: dict[str, str],
    prev_texts: dict[str, str],
) -> list[Finding]:
    """R12: a section whose text is last year's. Prose sections (一, 五) count as copied even when
    only the numbers changed; the others, built on placeholders, only when every word and number is
    the same. Sections both years leave to the kit's default text are not copies."""
    out = []
    for s in vocab.SECTIONS:
        slug = s["slug"]
        same = _without_numbers if slug in PROSE_SECTIONS else _meaningful
        this, last = same(texts.get(slug, "")), same(prev_texts.get(slug, ""))
        written = slug in narrative or slug in prev_narrative
        if written and len(this) >= COPY_MIN_CHARS and this == last:
            aside = "（数字除外）" if slug in PROSE_SECTIONS else "，数字也一样"
            message = f"与上年报告的文字相同{aside}，请按本年的工作重写，不要照抄上年"
            out.append(
                finding("R12", {"section": s["heading"]}, "与上年不同", "与上年相同", message)
            )
    return out


# =============================================================================================
# Whole reports and the command line
# =============================================================================================
def previous_report(report: Report) -> Report | None:
    """Last year's report from `<params folder>/<Y-1>.yaml`, or None when absent or unloadable."""
    if report.params.source is None:
        return None
    path = Path(report.params.source).parent / f"{report.year - 1}.yaml"
    if not path.is_file():
        return None
    try:
        prev = open_report(params=path)
        _ = prev.texts  # rendering may fail too
    except (ReportkitError, OSError, ValueError):
        return None
    return prev


_ALIAS_NOTE = re.compile(
    r"^(?P<file>\S+) 第(?P<row>\d+)行「(?P<column>[^」]+)」写作「(?P<found>[^」]*)」，已按「(?P<expected>[^」]+)」计入"
)


def check_aliases(notes: list[str]) -> list[Finding]:
    """A category written as a common short form (「规范性文件」) is counted, and said so."""
    out = []
    for note in notes:
        m = _ALIAS_NOTE.match(note)
        if m:
            where = {"file": m["file"], "row": int(m["row"]), "column": m["column"]}
            msg = f"已按「{m['expected']}」计入；请在台账中改写为规范名称「{m['expected']}」"
            out.append(finding("L-alias", where, m["expected"], m["found"], msg))
    return out


def check_report(
    report: Report, previous: dict | None = None, built_at: dt.date | None = None
) -> list[Finding]:
    """Everything: the tables, the ledgers, the narrative, and last year's tables and text."""
    params = report.params
    findings = check_tables(report.tables_json, previous, params.can_make_regulations)
    findings += check_ledgers(
        report.ledgers, report.year, built_at or dt.date.today(), params.can_make_regulations
    )
    findings += check_aliases(report.ledgers.notes)
    findings += check_stated_numbers(params.narrative, report.tables_json, report.year)
    findings += check_headings(params.narrative)
    findings += check_rewrite_marks(params.narrative)
    findings += check_problems_section(params.narrative, report.texts)
    if getattr(report, "aggregate", None) is not None:
        from .aggregate import check_hierarchy

        findings += check_hierarchy(report.tables_json, report.aggregate)
    prev = previous_report(report)
    if prev is not None:
        findings += check_copied_narrative(
            params.narrative, report.texts, prev.params.narrative, prev.texts
        )
    return findings


class Findings(list):
    """A list of Finding, with `notes`: what the checks could not do, and why (no last-year
    tables for the cross-year rules). Notes are not findings: they change no exit code."""

    def __init__(self, findings: Any = (), notes: list[str] | None = None):
        super().__init__(findings)
        self.notes: list[str] = list(notes or [])


CROSS_YEAR = "跨年检查（R10、R11、R12）"


def run(
    year: int | None = None,
    params: str | Path | None = None,
    tables: str | Path | None = None,
    previous: str | Path | None = None,
) -> Findings:
    """`reportkit check`: a tables.json alone, or a whole report year (with last year's
    tables.json from `previous`, else from the params' `previous:`, else from last year's default
    output folder when there). Says in `notes` when the cross-year rules could not run."""
    last = load_any(previous) if previous else None
    if tables:
        note = f"{CROSS_YEAR}未做：没有上年的报告；请用 --previous 指定上年的 tables.json"
        note = None if last is not None else note
        found = check_tables(load_any(tables), last, published=True)
        return Findings(found, [note] if note else [])
    # A path typed on the command line is relative to where the command runs.
    report = open_report(year=year, params=Path(params).resolve() if params else None)
    note = None
    if last is None:
        last, note = find_previous(report)
    return Findings(check_report(report, last), [note] if note else [])


def previous_for(report: Report, root: Path | None = None) -> dict[str, Any] | None:
    """Last year's tables for the cross-year rules, or None (find_previous says why)."""
    return find_previous(report, root)[0]


def find_previous(
    report: Report, root: Path | None = None
) -> tuple[dict[str, Any] | None, str | None]:
    """Last year's tables and, when there are none, why the cross-year rules cannot run.

    The params' `previous:` (last year's published report) comes first; else last year's
    default output folder, when it holds this agency's report (it may hold another agency's: a
    demo, a department's draft)."""
    named = report.params.previous_path
    if named is not None:
        if trace.enabled():
            trace.file_read(named)
        return read_published(named, report.params), None
    root = (root or paths.project_root()).resolve()
    candidates = paths.previous_tables_files(report.params, root)
    others = []
    for path in candidates:
        if trace.enabled():
            trace.file_read(path)
        try:
            last = load_tables(path) if path.is_file() else None
        except ReportkitError:
            others.append(f"{paths.shown(path, root)} 无法读取")
            continue
        if isinstance(last, dict) and last.get("agency") == report.agency:
            return last, None
        if last is not None:
            others.append(f"{paths.shown(path, root)} 是另一机关（{last.get('agency')}）的")
    looked = "、".join(paths.shown(p, root) for p in candidates)
    why = "；".join(others) if others else f"未找到上年的 tables.json（查找了 {looked}）"
    return None, (
        f"{CROSS_YEAR}未做：{why}。请先生成{report.year - 1}年的报告，"
        "或在参数文件中用 previous: 指向上年已发布的报告，或用 --previous 指定"
    )


PUBLISHED_SUFFIXES = (".html", ".htm", ".docx")


def read_published(path: Path, params: Any = None) -> dict[str, Any]:
    """The tables of last year's published report named by `previous:`: a tables.json, or (when
    reportkit.ingest.published is installed) a saved web page or Word file."""
    from .errors import ParamsError

    shown = str(params.source) if params is not None and params.source else str(path)
    if not path.is_file():
        raise ParamsError(shown, "previous", f"文件不存在：{path}")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return load_tables(path)
    if suffix not in PUBLISHED_SUFFIXES:
        why = f"应为 tables.json、网页（.html）或 Word 文件（.docx），实际为「{path.name}」"
        raise ParamsError(shown, "previous", why)
    try:
        from .ingest.published import import_report
    except ModuleNotFoundError as e:
        if e.name not in ("reportkit.ingest", "reportkit.ingest.published"):
            raise
        raise ParamsError(
            shown,
            "previous",
            f"暂不支持读取网页（.html）和 Word 文件（.docx）：{path.name}；"
            "请把上年报告的表格录入为 tables.json（格式见 README），再用 previous: 指向它",
        ) from None
    imported = import_report(path)
    tables = imported if isinstance(imported, dict) else getattr(imported, "tables", None)
    if not isinstance(tables, dict):
        raise ParamsError(shown, "previous", f"未能从 {path.name} 中读出统计表")
    return tables


# =============================================================================================
# Showing findings
# =============================================================================================
SEVERITY_NAMES = {ERROR: "错误", WARNING: "警告"}


def where_text(where: dict[str, Any]) -> str:
    """「requests.csv 第5行「办结日期」列」, 「表三「总计」行「自然人」列」 or 「叙述「五、…」」."""
    if "section" in where:
        return f"叙述「{where['section']}」"
    text = f"{where['file']} " if "file" in where else str(where.get("table", ""))
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
        return "\n".join(["检查通过：未发现问题" + ("（有的检查未做，见下）" if notes else ""), *notes])
    ordered = sorted(findings, key=lambda f: f.severity != ERROR)
    shown: dict[str, int] = {}
    lines = []
    for f in ordered:
        shown[f.rule] = shown.get(f.rule, 0) + 1
        if per_rule is None or shown[f.rule] <= per_rule:
            lines.append(f"{SEVERITY_NAMES[f.severity]} [{f.rule}] {where_text(f.where)}：{f.message}")
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
