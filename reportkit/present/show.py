"""What a section notebook shows: one call per item, so notebooks stay thin.

Leadership content is displayed as content blocks (narrative, statutory tables, charts with alt
text; see content.py): the analyst sees their HTML, the build renders every output from them.
Analysts' extras live in cells tagged `analyst`, which the outputs leave out.
"""

from __future__ import annotations

import html

import pandas as pd
from pandas.io.formats.style import Styler

from reportkit.compute import figures, tables
from reportkit.compute.report import Report
from reportkit.contract import vocab
from reportkit.ingest.ledgers import PERSONAL_COLUMNS, ROW
from reportkit.present import charts, content


def setup() -> None:
    """Chart style and the CJK font; call once at the top of a notebook."""
    charts.setup()
    pd.set_option("display.max_rows", 60)


def narrative(report: Report, slug: str) -> None:
    """The section's text, filled from the figures (Markdown without raw HTML), as blocks."""
    for block in content.narrative_blocks(report.text(slug)):
        content.display(block)


def table2(report: Report) -> None:
    content.display(content.table_block("table2", tables.section2_json(report.table2)))


def table3(report: Report) -> None:
    content.display(content.table_block("table3", tables.section3_json(report.table3)))


def table4(report: Report) -> None:
    content.display(content.table_block("table4", tables.section4_json(report.table4)))


def _chart(fig, alt: str, caption: str) -> None:
    content.display(content.chart_block(fig, alt, caption))


def _describe(series: pd.Series, unit: str) -> str:
    parts = [f"{k}{int(v)}{unit}" for k, v in series.items() if int(v)]
    return "；".join(parts) if parts else "本年无数据"


def outreach_by_type(report: Report) -> None:
    df = figures.outreach_by_type(report.ledgers, report.year)
    alt = f"{report.year}年各类宣传活动场次：" + _describe(
        df["场次"] if len(df) else pd.Series(dtype=int), "场"
    )
    _chart(charts.outreach_by_type(df), alt, f"{report.year}年宣传活动场次（按活动类型）")


def outreach_by_month(report: Report) -> None:
    df = figures.outreach_by_month(report.ledgers, report.year)
    alt = f"{report.year}年各月宣传活动场次：" + _describe(
        df["场次"].rename(lambda m: f"{m}月"), "场"
    )
    _chart(charts.outreach_by_month(df), alt, f"{report.year}年宣传活动场次（按月份）")


def decisions_by_year(report: Report) -> None:
    if report.aggregate is not None:  # 表二's cells: this year's and last year's aggregate
        from reportkit.compute.aggregate import decisions_frame

        df = decisions_frame(report.aggregate)
    else:
        df = figures.decisions_by_year(report.ledgers)
        df = (
            df[df.index <= report.year]
            if (df.index <= report.year).any()
            else figures.decisions_by_year(report.ledgers, [report.year])
        )
    alt = "；".join(
        f"{y}年" + "、".join(f"{col}{int(df.at[y, col])}件" for col in df.columns) for y in df.index
    )
    _chart(charts.decisions_by_year(df), alt, "行政许可、行政处罚、行政强制决定数量（按年度）")


def requests_outcomes(report: Report) -> None:
    """The chart of 表三's outcomes, when any request was concluded."""
    s = figures.outcomes_of(report.table3)  # the table's own numbers (an aggregate's too)
    if not int(s.sum()):
        return
    alt = f"{report.year}年政府信息公开申请办理结果：" + _describe(s, "件")
    _chart(charts.requests_outcomes(s), alt, f"{report.year}年申请办理结果（总计列）")


def appeals(report: Report) -> None:
    """The chart of 表四's cases, when there were any."""
    t4 = report.table4
    if not int(t4[vocab.TOTAL].sum()):
        return
    alt = f"{report.year}年行政复议、行政诉讼案件：" + _describe(t4[vocab.TOTAL], "件")
    _chart(charts.appeals(t4), alt, f"{report.year}年行政复议、行政诉讼案件结果")


def breakdown(report: Report) -> None:
    """An aggregated report's appendix: each agency's main figures (nothing for one agency)."""
    if report.aggregate is None:
        return
    from reportkit.compute.aggregate import breakdown_block

    content.display(breakdown_block(report.aggregate))


# Free text an applicant wrote may name people: analysts see it in the ledger itself, not here.
HIDDEN = [*PERSONAL_COLUMNS, "申请内容"]
ROW_LABEL = "行号"  # the row number as Excel shows it, where the analyst finds the row
_LEFT = [{"selector": "th, td", "props": [("text-align", "left"), ("white-space", "pre-wrap")]}]


def rows(frame: pd.DataFrame, year: int | None = None):
    """Ledger rows for analysts, as a table: the Excel row number (行号) as the only row number,
    blank cells blank, text left-aligned; without personal columns (dropped at reading) or free
    text. With `year`, only the rows with a date in that year."""
    df = frame.drop(columns=[c for c in HIDDEN if c in frame.columns])
    if year is not None:
        dates = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])]
        if dates:
            df = df[pd.concat([df[c].dt.year == year for c in dates], axis=1).any(axis=1)]
    shown = pd.DataFrame(index=range(len(df)))
    for column in df.columns:
        values = df[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
        else:
            text = values.astype(object).map(str)
        shown[ROW_LABEL if column == ROW else column] = text.where(values.notna(), "").to_numpy()
    if ROW_LABEL in shown.columns:
        shown = shown[[ROW_LABEL, *(c for c in shown.columns if c != ROW_LABEL)]]
    # A fixed id: pandas picks a random one, and the same ledgers would give another notebook.
    return _Rows(shown).hide(axis="index").set_table_styles(_LEFT).set_uuid("rows")


class _Rows(Styler):
    """Ledger rows as shown to analysts; its plain-text form names no memory address, so the
    same ledgers give the same executed notebook."""

    def __repr__(self) -> str:
        return f"<台账明细：{len(self.data)}行>"


def _html(fragment: str) -> None:
    """Analysts' HTML: shown in the notebook, not a content block, so no output carries it."""
    from IPython.display import HTML, display  # only inside a kernel

    display(HTML(fragment))


def findings(found: list) -> None:
    """The consistency checks for analysts: 检查通过, or every finding with its whole message;
    and what could not be checked (its `notes`: no last-year tables). The notebook passes
    `rk.findings_of(report)`, which finds last year's files."""
    from reportkit.contract.findings import ERROR, SEVERITY_NAMES, findings_frame

    if isinstance(found, Report):  # the cell's form before rk.findings_of: still shown
        found = _findings_without_last_year(found)
    notes = "".join(f"<p>说明：{html.escape(note)}</p>" for note in getattr(found, "notes", []))
    if not found:
        _html(f"<p>检查通过：未发现问题</p>{notes}")
        return
    frame = findings_frame(found).astype(str)
    table = frame.style.hide(axis="index").set_table_styles(_LEFT).set_uuid("findings").to_html()
    errors = int((frame["级别"] == SEVERITY_NAMES[ERROR]).sum())
    _html(f"<p>共 {errors} 个错误、{len(frame) - errors} 个警告</p>{table}{notes}")


def _findings_without_last_year(report: Report) -> list:
    """`rk.show.findings(report)`, as notebooks wrote it before the checks became pure: every
    rule but the cross-year ones (finding last year's files is the pipeline's), and a note that
    says how to have them."""
    import datetime as dt

    from reportkit.checks.run import Findings, check

    note = (
        "跨年检查（R10、R11、R12）未做：请把本单元格改为 "
        "rk.show.findings(rk.findings_of(report))，它会查找上年的报告"
    )
    return Findings(check(report, None, dt.date.today()), [note])
