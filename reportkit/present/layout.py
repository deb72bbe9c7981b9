"""The statutory tables 表二–表四 as grids of merged cells, one layout for Word, Excel and HTML.

htmltables.py draws the same forms for report.html; this module states them once as plain cells
(row, column, spans, text) so the .docx, .xlsx and fragment writers merge exactly the same cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Number
from typing import Any

from reportkit.contract import vocab
from reportkit.contract.errors import ReportkitError
from reportkit.present.htmltables import caption, number

# The GB/T 9704 版心 is 156 mm wide; every table is drawn to that width.
TEXT_WIDTH_MM = 156.0
TABLE_KINDS = {"table2": 1, "table3": 2, "table4": 3}  # -> index of the section in vocab.SECTIONS
_NUMERALS = "一二三四"


def width_chars(text: str) -> float:
    """Printed width in full-width characters: digits and Latin letters are half as wide."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


@dataclass(frozen=True)
class Cell:
    """One (possibly merged) cell: top-left position, spans, printed text.

    `kind` is "head" (column headings), "label" (row labels), "item" (表二's 第二十条 rows),
    "note" (表三's corner) or "value"; a value cell also carries its number and its tables.json
    (row, column) key.
    """

    row: int
    col: int
    text: str
    kind: str
    rowspan: int = 1
    colspan: int = 1
    value: Any = None
    key: tuple[str, str] | None = None
    # Where a narrow cell may break its text (（三）/不予公开, never （三）不/予公开).
    parts: tuple[str, ...] = ()

    @property
    def align(self) -> str:
        # A group's label stands centred beside its items, as on the printed form.
        if self.parts:
            return "center"
        return "left" if self.kind in ("label", "item", "note") else "center"


@dataclass(frozen=True)
class Grid:
    """A statutory table: its cells, size, column widths (mm, summing to the 版心 width), the
    number of header rows to repeat on a new page, and the point size its text needs to fit."""

    kind: str
    caption: str
    n_rows: int
    n_cols: int
    widths_mm: list[float]
    header_rows: int
    font_pt: float
    cells: list[Cell]

    def cell_at(self, row: int, col: int) -> Cell | None:
        """The cell whose top-left corner is (row, col), if any."""
        for c in self.cells:
            if (c.row, c.col) == (row, col):
                return c
        return None


def default_caption(kind: str) -> str:
    """表二 … 表四 are named after their sections: 「表二　主动公开政府信息情况」."""
    return caption(TABLE_KINDS[kind])


def printed(value: Any) -> str:
    """A table value as printed: numbers as htmltables prints them, text (an imported 「/」) as is."""
    if isinstance(value, Number) and not isinstance(value, bool):
        return number(value)
    return str(value)


class _Builder:
    def __init__(self, kind: str, data: dict[str, Any]):
        if not isinstance(data, dict):
            raise ReportkitError(f"{default_caption(kind)}：数据应为表格对象，收到的是「{data!r}」")
        self.kind, self.data, self.cells = kind, data, []

    def add(
        self,
        row: int,
        col: int,
        text: str,
        kind: str,
        rowspan: int = 1,
        colspan: int = 1,
        parts: tuple[str, ...] = (),
    ) -> None:
        self.cells.append(Cell(row, col, text, kind, rowspan, colspan, parts=parts))

    def value(self, row: int, col: int, key: tuple[str, str], colspan: int = 1) -> None:
        r, c = key
        try:
            v = self.data[r][c]
        except (KeyError, TypeError):
            raise ReportkitError(
                f"{default_caption(self.kind)}缺少「{r}」行「{c}」列的数值"
            ) from None
        if v is None or isinstance(v, bool):
            raise ReportkitError(f"{default_caption(self.kind)}「{r}」行「{c}」列的值「{v}」无效")
        try:
            text = printed(v)
        except ValueError:
            raise ReportkitError(
                f"{default_caption(self.kind)}「{r}」行「{c}」列的值「{v}」不是有效数字"
            ) from None
        self.cells.append(Cell(row, col, text, "value", 1, colspan, v, key))


def table2_grid(data: dict[str, Any]) -> Grid:
    """表二 as one 4-column grid: each 第二十条 item a full-width row, then 信息内容 and its rows;
    the value cells of （五）（六）（八） span the three value columns."""
    b = _Builder("table2", data)
    r = 0
    for item, rows, columns in vocab.TABLE2_LAYOUT:
        span = 3 // len(columns)
        b.add(r, 0, item, "item", colspan=4)
        b.add(r + 1, 0, vocab.T2_CONTENT, "head")
        for i, c in enumerate(columns):
            b.add(r + 1, 1 + i * span, c, "head", colspan=span)
        r += 2
        for label in rows:
            b.add(r, 0, label, "label")
            for i, c in enumerate(columns):
                b.value(r, 1 + i * span, (label, c), colspan=span)
            r += 1
    return Grid(
        "table2", default_caption("table2"), r, 4, [48.0, 36.0, 36.0, 36.0], 0, 10.5, b.cells
    )


def table3_grid(data: dict[str, Any]) -> Grid:
    """表三: the corner note over three label columns, 申请人情况 over seven counts; 三、本年度办理结果
    runs down the first column beside its 22 rows."""
    b = _Builder("table3", data)
    legal = vocab.LEGAL_PERSONS
    b.add(0, 0, vocab.T3_TITLE_NOTE, "note", rowspan=3, colspan=3)
    b.add(0, 3, vocab.T3_APPLICANT, "head", colspan=7)
    b.add(1, 3, vocab.NATURAL_PERSON, "head", rowspan=2)
    b.add(1, 4, vocab.LEGAL_PERSONS_GROUP, "head", colspan=len(legal))
    b.add(1, 9, vocab.TOTAL, "head", rowspan=2)
    for i, p in enumerate(legal):
        b.add(2, 4 + i, p, "head")

    def values(row: int, key: str) -> None:
        for i, col in enumerate(vocab.T3_COLUMNS):
            b.value(row, 3 + i, (key, col))

    b.add(3, 0, f"{_NUMERALS[0]}、{vocab.NEW_REQUESTS}", "label", colspan=3)
    values(3, vocab.NEW_REQUESTS)
    b.add(4, 0, f"{_NUMERALS[1]}、{vocab.CARRIED_IN}", "label", colspan=3)
    values(4, vocab.CARRIED_IN)
    r = first = 5
    for num, group, leaves in vocab.OUTCOME_GROUPS:
        if not leaves:
            label = vocab.PARTLY_LABEL if group == vocab.PARTLY else group
            b.add(r, 1, num + label, "label", colspan=2)
            values(r, group)
            r += 1
            continue
        b.add(r, 1, num + group, "label", rowspan=len(leaves), parts=(num, group))
        for i, leaf in enumerate(leaves):
            b.add(r, 2, f"{i + 1}.{leaf}", "label")
            values(r, f"{group}/{leaf}")
            r += 1
    b.add(r, 1, vocab.RESULTS_TOTAL_NUMBER + vocab.TOTAL, "label", colspan=2)
    values(r, vocab.TOTAL)
    r += 1
    b.add(first, 0, f"{_NUMERALS[2]}、{vocab.RESULTS}", "head", rowspan=r - first)
    b.add(r, 0, f"{_NUMERALS[3]}、{vocab.CARRIED_OUT}", "label", colspan=3)
    values(r, vocab.CARRIED_OUT)
    # A one-character first column (the label runs down it), a narrow group column, the leaves
    # wide enough for two lines of their longest label, and seven equal counts.
    widths = [8.0, 17.0, 53.0, *([78.0 / 7] * 7)]
    return Grid("table3", default_caption("table3"), r + 1, 10, widths, 3, 9.0, b.cells)


def table4_grid(data: dict[str, Any]) -> Grid:
    """表四: 行政复议 (5 columns), 行政诉讼 (未经复议直接起诉, 复议后起诉: 5 each); one row of values."""
    b = _Builder("table4", data)
    n = len(vocab.T4_COLUMNS)
    suits = [vocab.DIRECT_SUIT, vocab.SUIT_AFTER_REVIEW]
    b.add(0, 0, vocab.REVIEW, "head", colspan=n)
    b.add(0, n, vocab.LITIGATION, "head", colspan=n * len(suits))
    for i, c in enumerate(vocab.T4_COLUMNS):
        b.add(1, i, c, "head", rowspan=2)
    for j, s in enumerate(suits):
        b.add(1, n * (j + 1), s, "head", colspan=n)
        for i, c in enumerate(vocab.T4_COLUMNS):
            b.add(2, n * (j + 1) + i, c, "head")
    for j, kind in enumerate(vocab.APPEAL_KINDS):
        for i, c in enumerate(vocab.T4_COLUMNS):
            b.value(3, n * j + i, (kind, c))
    cols = n * len(vocab.APPEAL_KINDS)
    return Grid(
        "table4", default_caption("table4"), 4, cols, [TEXT_WIDTH_MM / cols] * cols, 3, 9.0, b.cells
    )


_GRIDS = {"table2": table2_grid, "table3": table3_grid, "table4": table4_grid}


def is_generic(data: Any) -> bool:
    """A table given as {"columns": [...], "rows": [[...], ...]} (an aggregate's breakdown)."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("columns"), list)
        and isinstance(data.get("rows"), list)
        and all(isinstance(r, list) and len(r) == len(data["columns"]) for r in data["rows"])
    )


def generic_grid(kind: str, data: dict[str, Any]) -> Grid:
    """A plain table: one header row, the first column as row labels, the rest as printed; the
    first column twice as wide as the others."""
    columns, rows = data["columns"], data["rows"]
    cells = [Cell(0, j, str(c), "head") for j, c in enumerate(columns)]
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            text = printed(v) if isinstance(v, Number) and not isinstance(v, bool) else str(v)
            cells.append(Cell(i, j, text, "label" if j == 0 else "value", value=v))
    unit = TEXT_WIDTH_MM / (len(columns) + 1)
    widths = [2 * unit, *([unit] * (len(columns) - 1))]
    return Grid(kind, "", len(rows) + 1, len(columns), widths, 1, 8.0, cells)


def grid(kind: str, data: dict[str, Any]) -> Grid:
    """The grid of 表二 ("table2"), 表三 ("table3") or 表四 ("table4") filled with `data`, the
    section2/section3/section4 object of tables.json; or of any other table given as columns
    and rows (see is_generic)."""
    if kind not in _GRIDS:
        if is_generic(data):
            return generic_grid(kind, data)
        raise ReportkitError(f"未知的表格「{kind}」：应为 table2、table3 或 table4")
    return _GRIDS[kind](data)
