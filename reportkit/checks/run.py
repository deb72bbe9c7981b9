"""The consistency checks (勾稽关系) of a report: tables, ledgers, narrative and last year, as findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reportkit.checks.ledger_rules import (  # noqa: F401 - checks.<name> stays the public path
    ROW_RULES,
    Condition,
    _at,
    _concluded_twice,
    _dates,
    _duplicate_ids,
    _fees,
    _records,
    _records_at,
    _regulation_rows,
    _repeats,
    _shown,
    check_ledgers,
)
from reportkit.checks.narrative_rules import (  # noqa: F401 - checks.<name> stays the public path
    _DECISIONS_VETO,
    _HEADING_KEYS,
    _NUMBER,
    _OTHER_QUANTITY,
    _REQUEST_SECTIONS,
    _SENTENCE,
    _TEMPLATE_TAG,
    DOCUMENT_PLACEHOLDERS,
    DOCUMENT_QUALIFIERS,
    FIGURE_NAMES,
    MAX_GAP,
    PLACEHOLDER_MARK,
    FigureName,
    StatedNumber,
    _group,
    _literal_text,
    _meaningful,
    _stated,
    _table_figure,
    _tokens,
    _without_numbers,
    check_copied_narrative,
    check_headings,
    check_problems_section,
    check_rewrite_marks,
    check_stated_numbers,
    stated_numbers,
)
from reportkit.compute.report import Report
from reportkit.contract import vocab
from reportkit.contract.errors import ALIAS, LedgerNote
from reportkit.contract.findings import (  # noqa: F401 - checks.<name> stays the public path
    BLANKS,
    COPY_MIN_CHARS,
    ERROR,
    FAR_YEARS,
    FEE_MAX_DECIMALS,
    FEE_MAX_WAN,
    LAYOUT,
    OLDEST_DOCUMENT_YEAR,
    PROBLEMS_MIN_CHARS,
    PROSE_SECTIONS,
    RULES,
    SEVERITY_NAMES,
    T2,
    T3,
    T4,
    UNIT,
    WARNING,
    Finding,
    _counts,
    _plain,
    finding,
    findings_frame,
    findings_json,
    format_findings,
    where_text,
    write_json,
)
from reportkit.ingest.ledgers import norm
from reportkit.ingest.tablesjson import (  # noqa: F401 - checks.<name> stays the public path
    _KIND,
    HEADER_KEYS,
    HEADER_LABELS,
    MAX_COUNT,
    MAX_FEE_WAN,
    MAX_TABLES_BYTES,
    MAX_TABLES_DEPTH,
    Tables,
    _decimals,
    _depth,
    _known,
    _label_key,
    _merge,
    _official_keys,
    _official_label,
    _parse_cell,
    _read_row,
    _read_table,
    _short,
    group_cell_findings,
    load_any,
    load_tables,
    read_tables,
)


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
    findings += _t3_columns_balance(t) + _t3_totals(t) + _t4_groups_total(t)
    findings += _fees_in_wan(t) + _regulations_allowed(t, can_make_regulations)
    if previous is not None:
        findings += check_against_previous(t, read_tables(previous)[0], published)
    return findings


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


def _parts_vs_total(
    rule: str, where: dict[str, Any], parts: list, total: Any, message: str
) -> list[Finding]:
    """One finding when the parts (all filled in) do not add up to the total; `message` is
    formatted with {sum} and {total}."""
    if not _known(total, *parts) or sum(parts) == total:
        return []
    return [finding(rule, where, sum(parts), total, message.format(sum=sum(parts), total=total))]


def _t3_totals(t: Tables) -> list[Finding]:
    """R2: down each column, (一)–(六) add up to (七)总计; R3: along each row, the applicant
    types add up to 总计."""
    r2 = "（一）至（六）各项之和为{sum}，而（七）总计为{total}，请核对总计或各项"
    r3 = "自然人与五类法人或其他组织之和为{sum}，而总计为{total}，请核对这一行"
    sums = [
        ("R2", vocab.TOTAL, col, [t.t3[row][col] for row in vocab.OUTCOMES], r2)
        for col in vocab.T3_COLUMNS
    ] + [
        ("R3", row, vocab.TOTAL, [t.t3[row][col] for col in vocab.APPLICANT_TYPES], r3)
        for row in vocab.T3_ROWS
    ]
    return [
        f
        for rule, row, col, parts, message in sums
        for f in _parts_vs_total(
            rule, {"table": T3, "row": row, "column": col}, parts, t.t3[row][col], message
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
        return (
            note
            + _carried_over(t, prev, published)
            + _in_force(t, prev, published)
            + _copied_tables(t, prev)
        )
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
    return (
        _carried_over(t, prev, published) + _in_force(t, prev, published) + _copied_tables(t, prev)
    )


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
# Whole reports (finding last year's files is reportkit.pipeline.previous's job)
# =============================================================================================
def check_aliases(notes: list[LedgerNote]) -> list[Finding]:
    """A category written as a common short form (「规范性文件」) is counted, and said so: one
    finding per row, those a summary note stands for included."""
    out = []
    for note in notes:
        if note.kind != ALIAS:
            continue
        for row in note.rows():
            expected = row.read_as
            msg = f"已按「{expected}」计入；请在台账中改写为规范名称「{expected}」"
            out.append(finding("L-alias", row.at.where(), expected, row.found, msg))
    return out


@dataclass(frozen=True)
class Previous:
    """What the cross-year rules compare with: last year's tables (R10–R12), and last year's
    narrative and rendered texts (R12 on the text). Any part may be None: that rule is skipped."""

    tables: dict[str, Any] | None = None
    narrative: dict[str, Any] | None = None
    texts: dict[str, str] | None = None


def check(
    report: Report,
    previous: Previous | dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> list[Finding]:
    """Everything: the tables, the ledgers, the narrative, and last year's tables and text.

    Pure: reads no file and no clock. `previous` (a tables dict alone still works) is what the
    caller found of last year (reportkit.pipeline.previous); `today` is the day the dates are
    checked against (no ledger date may be later); None: that rule is not applied."""
    if previous is not None and not isinstance(previous, Previous):
        previous = Previous(tables=previous)
    last = previous or Previous()
    params = report.params
    findings = check_tables(report.tables_json, last.tables, params.can_make_regulations)
    findings += check_ledgers(report.ledgers, report.year, today, params.can_make_regulations)
    findings += check_aliases(report.ledgers.notes)
    findings += check_stated_numbers(params.narrative, report.tables_json, report.year)
    findings += check_headings(params.narrative)
    findings += check_rewrite_marks(params.narrative)
    findings += check_problems_section(params.narrative, report.texts)
    if getattr(report, "aggregate", None) is not None:
        from reportkit.compute.aggregate import check_hierarchy

        findings += check_hierarchy(report.tables_json, report.aggregate)
    if last.narrative is not None and last.texts is not None:
        findings += check_copied_narrative(
            params.narrative, report.texts, last.narrative, last.texts
        )
    return findings


check_report = check  # the name before check() was made pure


class Findings(list):
    """A list of Finding, with `notes`: what the checks could not do, and why (no last-year
    tables for the cross-year rules). Notes are not findings: they change no exit code."""

    def __init__(self, findings: Any = (), notes: list[str] | None = None):
        super().__init__(findings)
        self.notes: list[str] = list(notes or [])
