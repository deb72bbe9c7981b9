"""Reading a tables.json (typed in, imported or built) into checked numbers, with findings for what is not one."""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from reportkit.contract import vocab
from reportkit.contract.errors import ReportkitError, shorten
from reportkit.contract.findings import (
    BLANKS,
    LAYOUT,
    T2,
    T3,
    T4,
    UNIT,
    Finding,
    finding,
)
from reportkit.ingest.ledgers import match_outcome, norm


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
    from reportkit.ingest.published import SUPPORTED, import_report

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
        raise ReportkitError(
            f"{path} 中有位数过多、无法读取的数字，不是 tables.json 的内容"
        ) from None
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
    for (table, _message), cells in kinds.items():
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
        findings.append(
            finding("R5", where, columns, _short(typed), f"应按列填写：{'、'.join(columns)}")
        )
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
            findings.append(
                finding("R5", at, need, _short(cells[column]), f"{problem}，应为{need}")
            )
        elif with_unit:
            findings.append(
                finding("R5-unit", at, number, _short(cells[column]), "格内只写数字，不写单位")
            )
        out[column] = number


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
    return vocab.strip_numbering(norm(label))


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


def _known(*values: Any) -> bool:
    return all(v is not None for v in values)


def _decimals(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
