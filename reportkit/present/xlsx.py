"""tables.xlsx: 表二, 表三 and 表四 one sheet each, laid out and ruled like the official forms."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reportkit.contract import vocab
from reportkit.contract.errors import ReportkitError
from reportkit.present import layout
from reportkit.present.document import reproducible_zip
from reportkit.present.render import SAMPLE_BANNER

SHEETS = {
    "table2": ("表二", "section2"),
    "table3": ("表三", "section3"),
    "table4": ("表四", "section4"),
}
FONT = "宋体"
# Rows above the grid: the caption, then the agency and year.
TOP_ROWS = 2
# Excel's column width unit is about one Latin digit of the default font; a CJK character of
# 10–11 pt takes about two, and 1 mm of paper about 0.5.
UNITS_PER_MM = 0.5
LINE_PT = 14.5
FEE_FORMAT = "0.00####"  # 万元 to the cent, and any further decimals a ledger in 元 would show
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _text(ws: Worksheet, row: int, col: int, text: str):
    """A text cell that stays text: a leading = never becomes a formula."""
    cell = ws.cell(row=row, column=col, value=_ILLEGAL.sub("", text))
    cell.data_type = "s"
    return cell


def _width_units(text: str) -> float:
    return sum(1.0 if ord(ch) < 0x2E80 else 2.0 for ch in text)


def _sheet(ws: Worksheet, grid: layout.Grid, agency: str, year: Any, sample: bool) -> None:
    widths = [w * UNITS_PER_MM for w in grid.widths_mm]
    if grid.kind == "table4":
        widths = [w * 1.5 for w in widths]  # landscape: 15 columns across 250 mm
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 2)

    last = get_column_letter(grid.n_cols)
    _text(ws, 1, 1, grid.caption).font = Font(name=FONT, size=14, bold=True)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 24
    _text(ws, 2, 1, f"机关：{agency}　　年度：{year}年").font = Font(name=FONT, size=10.5)
    ws.merge_cells(f"A2:{last}2")

    size = 10.5 if grid.kind == "table2" else 9.0
    lines = [1] * grid.n_rows
    for c in grid.cells:
        r0, c0 = TOP_ROWS + 1 + c.row, 1 + c.col
        if c.kind == "value":
            cell = ws.cell(row=r0, column=c0)
            if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                cell.value = c.value
                if c.key and c.key[1] == vocab.T2_FEES:
                    cell.number_format = FEE_FORMAT
            else:
                _text(ws, r0, c0, c.text)  # an imported 「/」 stays as printed
        else:
            # A group's label breaks after its number only: （三）/不予公开.
            cell = _text(ws, r0, c0, "\n".join(c.parts) if c.parts else c.text)
        cell.font = Font(name=FONT, size=size)
        cell.alignment = Alignment(
            horizontal=c.align, vertical="center", wrap_text=c.kind != "value"
        )
        cell.border = _BORDER
        if c.rowspan > 1 or c.colspan > 1:
            # Every edge cell of a merged range carries the border, or Excel draws it only round
            # the first: merge_cells gives them the first cell's (the others it makes anew).
            ws.merge_cells(
                start_row=r0,
                start_column=c0,
                end_row=r0 + c.rowspan - 1,
                end_column=c0 + c.colspan - 1,
            )
        # Excel does not grow a row for wrapped text in merged cells: size rows from the text.
        room = sum(widths[c.col : c.col + c.colspan]) - 1
        need = math.ceil(_width_units(c.text) * size / 11 / max(room, 1))
        per_row = math.ceil(need / c.rowspan)
        for r in range(c.row, c.row + c.rowspan):
            lines[r] = max(lines[r], per_row)
    for r, n in enumerate(lines):
        ws.row_dimensions[TOP_ROWS + 1 + r].height = max(n * LINE_PT * size / 10.5, 20)

    ws.freeze_panes = None
    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.orientation = "landscape" if grid.kind == "table4" else "portrait"
    ps.fitToWidth = ps.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.7
    ws.page_margins.top = ws.page_margins.bottom = 0.8
    ws.print_area = f"A1:{last}{TOP_ROWS + grid.n_rows}"
    if grid.header_rows:
        ws.print_title_rows = f"{TOP_ROWS + 1}:{TOP_ROWS + grid.header_rows}"
    if sample:
        ws.oddHeader.center.text = SAMPLE_BANNER
        ws.oddHeader.center.color = "B3261E"


def write_tables_xlsx(
    tables: dict[str, Any], path: Path, *, sample: bool = False, dated: dt.date | None = None
) -> None:
    """Write tables.json's 表二–表四 to `path` as one sheet each; `sample` marks 示例数据 on every
    printed page; `dated` (the report's date) is the workbook's, so a rebuild gives the same bytes."""
    if not isinstance(tables, dict):
        raise ReportkitError("tables.json 的内容应为对象")
    wb = Workbook()
    wb.remove(wb.active)
    for kind, (title, key) in SHEETS.items():
        if key not in tables:
            raise ReportkitError(f"tables.json 缺少「{key}」（{title}）")
        grid = layout.grid(kind, tables[key])
        _sheet(
            wb.create_sheet(title),
            grid,
            str(tables.get("agency", "")),
            tables.get("year", ""),
            sample,
        )
    wb.properties.title = (
        f"{tables.get('agency', '')}{tables.get('year', '')}年政府信息公开工作年度报告表格"
    )
    wb.properties.creator = str(tables.get("agency", "")) or "reportkit"
    stamp = dt.datetime.combine(dated or dt.date(2000, 1, 1), dt.time())
    wb.properties.created = wb.properties.modified = stamp
    try:
        wb.save(str(path))
        reproducible_zip(path)
    except OSError as e:
        raise ReportkitError(f"无法写入 {path}：{e.strerror or e}") from None
