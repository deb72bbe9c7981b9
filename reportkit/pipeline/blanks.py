"""Blank ledger workbooks for a new agency, built from the ledger schema in ledgers.py.

Each workbook's first sheet is the ledger itself (header on row 1, so Excel's row numbers are the
ones reportkit's messages use), then a 填写说明 sheet, then a hidden sheet holding the drop-down
lists: Excel rejects an inline list longer than 255 characters, and 表三's 21 办理结果 are longer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportkit.ingest.ledgers import REQUESTS_PERSONAL, SCHEMAS, Column, Schema

LEDGER_SHEET_MAX = 31  # Excel's limit on a sheet name's length
GUIDE_SHEET = "填写说明"
LISTS_SHEET = "选项"
DATE_FORMAT = "yyyy-mm-dd"
# Rows the drop-down lists and formats cover: a running ledger grows for years.
ROWS = 5000

# What a column means, where its name alone does not say it. Columns not listed get the text of
# their kind below.
MEANINGS: dict[str, str] = {
    "申请编号": "本机关给每件申请的编号，不可重复",
    "收到日期": "收到申请（或案件、建议提案）的日期",
    "申请人类型": "自然人，或法人或其他组织中的一类（商业企业、科研机构、社会公益组织、法律服务机构、其他）",
    "办理结果": "表三（一）至（六）中的一项；未办结的留空",
    "办结日期": "答复或办结的日期；未办结的留空",
    "申请内容": "申请人要求公开的内容（只留在台账中，不进入报告）",
    "收费金额（元）": "按《政府信息公开信息处理费管理办法》收取的信息处理费，单位：元；未收费留空",
    "案件编号": "复议或诉讼案件的编号，不可重复",
    "类别": "从下拉列表中选择",
    "结果": "结果维持、结果纠正或其他结果；尚未审结的留空",
    "审结日期": "复议决定或判决、裁定的日期；尚未审结的留空",
    "文号": "文件的发文字号，不可重复",
    "类型": "规章或行政规范性文件",
    "印发日期": "文件印发的日期",
    "废止日期": "文件废止或失效的日期；现行有效的留空",
    "决定日期": "作出决定的日期",
    "金额（元）": "收费金额，单位：元（不是万元）",
    "金额（万元）": "采购金额，单位：万元",
    "活动类型": "活动的类别，如 安全宣传“五进”活动、安全咨询日；同一类活动请写法一致",
    "场次": "活动场次，留空按 1 场计",
    "媒体": "刊发报道的媒体名称",
    "媒体级别": "如 中央、省级、市级、县级",
    "办理方式": "主办或会办",
}
KIND_MEANINGS = {
    "id": "编号，不可重复",
    "date": "日期，如 2024-06-16",
    "category": "从下拉列表中选择",
    "outcome": "从下拉列表中选择",
    "int": "整数，留空按 0 计",
    "money": "金额数字，不写单位",
    "text": "文字",
}
PERSONAL_MEANING = "申请人的个人信息：reportkit 读取时即舍弃，不会出现在任何报告或输出文件中"

# How each ledger is counted, in plain words (the contract's counting rules).
COUNTING: dict[str, str] = {
    "requests": (
        "本年新收 = 收到日期在本年的申请；上年结转 = 以前年度收到、到本年1月1日仍未办结的申请；"
        "表三的办理结果 = 办结日期在本年的申请，按办理结果和申请人类型计数；"
        "结转下年度继续办理 = 到本年12月31日仍未办结（办结日期空白或在下一年）的申请。"
        "每件申请只写一行，办结后在同一行补填办理结果和办结日期。"
    ),
    "appeals": (
        "表四按收到日期在本年的案件、按类别计数；到本年12月31日尚未审结（审结日期空白或在下一年）的计为尚未审结，"
        "其余按结果计数。"
    ),
    "documents": (
        "本年制发 = 印发日期在本年；本年废止 = 废止日期在本年；"
        "现行有效 = 印发日期不晚于本年12月31日、且未废止或废止日期在下一年以后。"
    ),
    "licensing": "表二的本年处理决定数量 = 决定日期在本年的行数。",
    "penalties": "表二的本年处理决定数量 = 决定日期在本年的行数。",
    "enforcement": "表二的本年处理决定数量 = 决定日期在本年的行数。",
    "fees": "表二的本年收费金额 = 日期在本年的金额（元）之和，换算为万元，四舍五入保留两位小数。",
    "procurement": "叙述中的集中采购次数和金额 = 日期在本年的行数和金额（万元）之和。",
    "outreach": "叙述中的宣传数字 = 日期在本年的各列之和，可按活动类型、月份或某一天细分。",
    "media": "叙述中的媒体报道篇数 = 日期在本年的行数。",
    "proposals": "叙述中的建议提案件数 = 收到日期在本年的行数，按类别和办理方式细分。",
}
COMMON_NOTES = [
    "台账填在第一个工作表中，从第2行起每行一条记录；不要改动第1行的列名，也不要把这个工作表移到后面。",
    "橙色列名的列必填（上表「必填」一栏标 *）；其余列可留空。可在最右边增加自己的列，reportkit 不读取。",
    "台账跨年连续登记：新的一年继续在同一个文件中往下填写，报告年度按日期选取记录。",
    "日期列已设为日期格式，请输入 2024-06-16 或 2024/6/16；类别列请从下拉列表中选择。",
    "填好后直接保存为 .xlsx（Excel 或 WPS 均可），文件名不要改。",
]


def ledger_columns(schema: Schema) -> list[tuple[str, Column | None]]:
    """The template's columns in order: the schema's, and for requests the personal columns the
    contract lists (before the free text), which the reader drops. None marks a personal column."""
    cols: list[tuple[str, Column | None]] = [(c.name, c) for c in schema.columns]
    if schema.stem == "requests":
        at = next((i for i, (_n, c) in enumerate(cols) if c and c.kind == "text"), len(cols))
        cols[at:at] = [(name, None) for name in REQUESTS_PERSONAL]
    return cols


def _choices(col: Column) -> list[str]:
    if col.kind == "outcome":
        from reportkit.contract import vocab

        return list(vocab.OUTCOMES)
    return list(col.choices)


def _example(name: str, col: Column | None, year: int) -> object:
    if col is None:
        return "（个人信息，示例略）"
    if col.kind == "date":
        return dt.date(year, 6, 16)
    if col.kind in ("category", "outcome"):
        return _choices(col)[0]
    if col.kind == "id":
        return f"{year}-001"
    if col.kind == "int":
        return 1 if col.default == 1 else 20
    if col.kind == "money":
        return 100
    return "（文字）"


def _width(name: str, col: Column | None) -> float:
    # CJK characters are about two columns wide in Excel's units.
    header = sum(2 if ord(ch) > 0x2E80 else 1 for ch in name) + 4
    by_kind = {"date": 13, "outcome": 44, "category": 16, "text": 30, "id": 16}
    return max(header, by_kind.get(col.kind if col else "text", 10))


def write_blank_ledger(stem: str, path: Path, year: int) -> None:
    """Write the blank workbook of ledger `stem` to `path` (which must not exist yet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    schema = SCHEMAS[stem]
    columns = ledger_columns(schema)
    wb = Workbook()
    ws = wb.active
    ws.title = schema.title[:LEDGER_SHEET_MAX]
    guide = wb.create_sheet(GUIDE_SHEET)
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"

    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    list_col = 0
    for j, (name, col) in enumerate(columns, start=1):
        letter = get_column_letter(j)
        cell = ws.cell(1, j, name)
        cell.font = bold
        cell.fill = required_fill if col and col.required else optional_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[letter].width = _width(name, col)
        rows = f"{letter}2:{letter}{ROWS + 1}"
        if col is None:
            continue
        if col.kind == "date":
            # The column's style: what is typed into it later is a date too.
            ws.column_dimensions[letter].number_format = DATE_FORMAT
        if col.kind in ("category", "outcome"):
            list_col += 1
            values = _choices(col)
            lc = get_column_letter(list_col)
            lists.cell(1, list_col, name)
            for i, v in enumerate(values, start=2):
                lists.cell(i, list_col, v)
            ref = f"{quote_sheetname(LISTS_SHEET)}!${lc}$2:${lc}${len(values) + 1}"
            list_name = f"list_{stem}_{list_col}"
            wb.defined_names[list_name] = DefinedName(list_name, attr_text=ref)
            dv = DataValidation(type="list", formula1=f"={list_name}", allow_blank=True)
            listed = "、".join(values)
            dv.error = "请从下拉列表中选择" + (f"：{listed}" if len(listed) < 200 else "")
            dv.errorTitle = f"「{name}」的值不在列表中"
            dv.prompt = MEANINGS.get(name, KIND_MEANINGS[col.kind])[:250]
            dv.promptTitle = name[:32]
            dv.showErrorMessage = dv.showInputMessage = True
            dv.add(rows)
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    _write_guide(guide, schema, columns, year)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _write_guide(ws, schema: Schema, columns: list[tuple[str, Column | None]], year: int) -> None:
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([f"{schema.title}（{schema.stem}.xlsx）填写说明"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["列名", "必填", "含义", "示例"])
    for cell in ws[3]:
        cell.font = bold
    for name, col in columns:
        if col is None:
            meaning, required = PERSONAL_MEANING, ""
        else:
            meaning, required = (
                MEANINGS.get(name, KIND_MEANINGS[col.kind]),
                "*" if col.required else "",
            )
            if col.kind in ("category", "outcome"):
                meaning += "。可选：" + "、".join(_choices(col))
        example = _example(name, col, year)
        ws.append([name, required, meaning, example])
        if isinstance(example, dt.date):
            ws.cell(ws.max_row, 4).number_format = DATE_FORMAT
    ws.append([])
    ws.append(["怎样计数"])
    ws.cell(ws.max_row, 1).font = bold
    ws.append([COUNTING[schema.stem]])
    ws.append([])
    ws.append(["注意"])
    ws.cell(ws.max_row, 1).font = bold
    for note in COMMON_NOTES:
        ws.append([note])
    for row in ws.iter_rows(min_row=4, max_row=3 + len(columns)):
        for cell in row:
            cell.alignment = wrap
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 6
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["D"].width = 26
