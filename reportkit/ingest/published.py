"""Import a published report (web page or Word file): find 表二, 表三 and 表四 and read them into
the tables.json form, cells as printed."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportkit.contract import vocab
from reportkit.contract.errors import ReportkitError
from reportkit.ingest import labels
from reportkit.ingest.grid import Cell, Grid, Page, page_from_docx, page_from_html

PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
DOCX_SUFFIXES = (".docx",)
SUPPORTED = PAGE_SUFFIXES + DOCX_SUFFIXES
BLANK_TEXTS = {"", "/", "-", "—", "——", "－", "无", "空", "\\"}
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_NUMBER_WITH_UNIT = re.compile(r"^\d+(?:\.\d+)?(?:件次|件|起|宗|项|个|次|万元|元)$")
_TITLE = re.compile(
    r"(?P<agency>[\u4e00-\u9fff()·]{2,40}?)\(?(?P<year>20\d\d)\)?年度?政府信息公开工作的?年度报告"
)
CIRCULAR_2019 = "国办公开办函〔2019〕60号"
CIRCULAR_2021 = "国办公开办函〔2021〕30号"


class NothingImportable(ReportkitError):
    """No 2021-format statutory table in the file."""


class SupersededTemplate(NothingImportable):
    """The report uses the 2019 template, whose tables cannot be read as 2021's."""


@dataclass
class ImportResult:
    """One imported report: the tables.json dict, and what the import had to interpret."""

    tables: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    path: Path | None = None

    @property
    def clean(self) -> bool:
        """Every cell a number and every label the official one (exit 0)."""
        return not self.notes

    @property
    def agency(self) -> str | None:
        return self.tables.get("agency")

    @property
    def year(self) -> int | None:
        return self.tables.get("year")


def import_report(
    path: str | Path, agency: str | None = None, year: int | None = None
) -> ImportResult:
    """Read a published report's statutory tables. Raises NothingImportable (a ReportkitError)
    when the file holds no 2021-format table, SupersededTemplate for the 2019 template."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReportkitError(f"无法读取 {path}：{e.strerror or e}") from None
    if path.suffix.lower() in DOCX_SUFFIXES:
        page = page_from_docx(path)
    else:
        page = page_from_html(data)
    result = read_page(page, path.name)
    title_agency, title_year = title_of(page.titles)
    tables = {
        "agency": agency or title_agency,
        "year": year or title_year,
        **result.tables,
        "source": {"file": path.name, "sha256": hashlib.sha256(data).hexdigest()},
    }
    notes = list(result.notes)
    if not tables["agency"]:
        notes.insert(0, "标题中找不到机关名称，请用 --agency 指定")
    if not tables["year"]:
        notes.insert(0, "标题中找不到报告年度，请用 --year 指定（否则跨年检查无法配对）")
    tables["notes"] = notes
    return ImportResult(tables, notes, path)


def title_of(titles: list[str]) -> tuple[str | None, int | None]:
    """Agency and year from 「<机关><年>年(度)政府信息公开工作年度报告」 in the first title that has
    it; a title 「关于2021年度政府信息公开工作的年度报告」 gives the year only."""
    year = None
    for text in titles:
        if "告" not in text:  # most candidates (「报告」 may be spaced out): spares the regex
            continue
        flat = labels.key(text)
        for m in _TITLE.finditer(flat):
            agency = m["agency"].removesuffix("关于").removeprefix("关于")
            if len(agency) >= 2:
                return agency, int(m["year"])
            year = year or int(m["year"])
        m = re.search(r"(20\d\d)年度?政府信息公开工作的?年度报告", flat)
        year = year or (int(m.group(1)) if m else None)
    return None, year


# =============================================================================================
# Cells
# =============================================================================================
@functools.lru_cache(maxsize=8192)
def cell_value(text: str) -> tuple[Any, str]:
    """(value, kind): kind 'number' (int, or float for amounts), 'blank' (kept as printed text),
    'text' (a value cell printed with a unit or words, kept as text) or 'label'."""
    s = text.strip().replace("\u00a0", "").replace("\u3000", "").strip()
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    s = s.replace(" ", "").replace(",", "")
    if s in BLANK_TEXTS:
        return s, "blank"
    if _NUMBER.match(s):
        f = float(s) if "." in s else None
        return (int(s) if f is None else int(f) if f.is_integer() else f), "number"
    if _NUMBER_WITH_UNIT.match(s):
        return s, "text"
    return s, "label"


def _is_value(cell: Cell) -> bool:
    return cell_value(cell.text)[1] != "label"


def _dedup(cells: list[Cell]) -> list[Cell]:
    """The printed cells of a grid row: positions of one merged cell once."""
    out: list[Cell] = []
    seen: set[int] = set()
    for c in cells:
        if c.origin < 0 or c.origin not in seen:
            out.append(c)
            seen.add(c.origin)
    return out


def _split(row: list[Cell]) -> tuple[list[str], list[Cell]]:
    """A row's label texts (left) and its value cells (the run of value cells at the right)."""
    cells = [c for c in _dedup(row) if c.origin >= 0]
    end = len(cells)
    while end > 0 and _is_value(cells[end - 1]):
        end -= 1
    return [c.text for c in cells[:end] if labels.key(c.text)], cells[end:]


# =============================================================================================
# The three tables
# =============================================================================================
@dataclass
class _Reading:
    tables: dict[str, Any]
    notes: list[str]
    printed: dict[str, list[str]] = field(default_factory=dict)  # printed text -> cells
    _splits: dict[int, tuple[list[str], list[Cell]]] = field(default_factory=dict)

    def split(self, row: list[Cell]) -> tuple[list[str], list[Cell]]:
        """_split(row), once per row: each table's reader looks at every row."""
        got = self._splits.get(id(row))
        if got is None:
            got = self._splits[id(row)] = _split(row)
        return got


def read_page(page: Page, name: str = "") -> _Reading:
    """section2/3/4 from a page's grids. Rows are found by their labels wherever they stand, so
    tables split over several <table>s, wrapped in layout tables or in another order are read."""
    reading = _Reading({"section2": {}, "section3": {}, "section4": {}}, [])
    try:
        _refuse_2019(page.grids)
        for grid in page.grids:
            _read_t2(grid, reading)
        _read_t3(page.grids, reading)
    except SupersededTemplate as e:
        raise SupersededTemplate(f"{name}：{e}" if name else str(e)) from None
    _read_t4(page.grids, reading)
    found = [k for k in ("section2", "section3", "section4") if reading.tables[k]]
    if not found:
        raise NothingImportable(
            f"{name}：找不到按{CIRCULAR_2021}格式的表二、表三、表四（是否为年度报告正文页？"
            "如为 PDF 或图片，请另存为网页或 Word 后再导入）"
        )
    names = {"section2": "表二", "section3": "表三", "section4": "表四"}
    for k in ("section2", "section3", "section4"):
        if not reading.tables[k]:
            reading.notes.append(f"找不到{names[k]}，未导入")
            del reading.tables[k]
    _note_missing_rows(reading)
    for printed, cells in reading.printed.items():
        shown = f"「{printed}」" if printed else "空白"
        kept = "未当作 0" if printed in BLANK_TEXTS else "带单位或文字，未换算"
        listed = "、".join(cells[:8]) + (f"等{len(cells)}格" if len(cells) > 8 else "")
        reading.notes.append(f"{len(cells)}格印为{shown}，按原样保留（{kept}）：{listed}")
    return reading


def _refuse_2019(grids: list[Grid]) -> None:
    for grid in grids:
        for row in grid:
            for cell in row:
                k = labels.bare(cell.text)
                if k in labels.TEMPLATE_2019:
                    raise SupersededTemplate(_superseded_message(cell.text.strip()))


def _superseded_message(label: str) -> str:
    return (
        f"这份报告用的是已废止的 2019 年模板（{CIRCULAR_2019}），表中有「{label}」；"
        f"其表格与现行格式（{CIRCULAR_2021}）不同，无法导入。2020 年及以后的年度报告应按现行格式编写"
    )


def _keep(reading: _Reading, value: Any, kind: str, where: str) -> Any:
    if kind != "number":
        reading.printed.setdefault(value, []).append(where)
    return value


def _read_t2(grid: Grid, reading: _Reading) -> None:
    out = reading.tables["section2"]
    layout = {row: cols for _item, rows, cols in vocab.TABLE2_LAYOUT for row in rows}
    for row in grid:
        texts, _values = reading.split(row)
        if not texts:
            continue
        official, note = labels.t2_row(texts[0])
        if official is None or official in out:
            continue
        # Every cell after the label is a value, as printed: 「=1+1件」 or 「见附件」 too.
        cells = [c for c in _dedup(row) if c.origin >= 0]
        values = cells[[c.text for c in cells].index(texts[0]) + 1 :]
        if not values:
            continue
        if note:
            reading.notes.append(note)
        columns = layout[official]
        cells = {}
        for column, cell in zip(columns, values):
            value, kind = cell_value(cell.text)
            cells[column] = _keep(reading, value, kind, f"表二「{official}」行「{column}」列")
        out[official] = cells


def _header_positions(grid: Grid, start: int, names: dict[str, str], rows: int) -> dict[str, int]:
    """Column index of each header label found in grid rows start..start+rows (first wins)."""
    found: dict[str, int] = {}
    for r in range(start, min(start + rows, len(grid))):
        for j, cell in enumerate(grid[r]):
            official = names.get(labels.bare(cell.text))
            if official and official not in found:
                found[official] = j
    return found


def _read_t3(grids: list[Grid], reading: _Reading) -> None:
    out = reading.tables["section3"]
    group: str | None = None
    positions: dict[str, int] = {}
    active = False  # inside 表三: after its header or its first row, until 表四 or its last row
    starts = {vocab.NEW_REQUESTS, vocab.CARRIED_IN}
    for grid in grids:
        for r, row in enumerate(grid):
            texts, values = reading.split(row)
            keys = {labels.bare(t) for t in texts}
            if labels.bare(vocab.NATURAL_PERSON) in keys or labels.bare(vocab.T3_APPLICANT) in keys:
                positions = _header_positions(grid, r, labels.T3_COLUMNS, 3)
                active = True
                continue
            if keys & {labels.bare(x) for x in (vocab.UPHELD, vocab.REVIEW, vocab.LITIGATION)}:
                active = False  # 表四 follows in the same <table>
                continue
            if positions_fit(positions, row):  # labels are what stands left of the header's columns
                left = row[: min(positions.values())]
                texts = [c.text for c in _dedup(left) if c.origin >= 0 and labels.key(c.text)]
                values = values or [row[p] for p in positions.values()]
            if not texts or not values:
                continue
            match = labels.t3_row(texts, group)
            if not active and match.row not in starts:
                continue
            group = match.group
            if match.group_only and match.group == labels.OTHER_GROUP:
                raise SupersededTemplate(_superseded_message("（六）其他处理（单独一行，无细项）"))
            if match.row is None:
                if match.unknown and active:
                    reading.notes.append(match.refusal())
                continue
            active = match.row != vocab.CARRIED_OUT
            if match.row in out:
                continue
            if match.note:
                reading.notes.append(match.note)
            out[match.row] = _t3_cells(row, values, positions, match.row, reading)


def positions_fit(positions: dict[str, int], row: list[Cell]) -> bool:
    """The 表三 header gave all seven columns, and this row reaches the last of them."""
    return len(positions) == len(vocab.T3_COLUMNS) and max(positions.values()) < len(row)


def _t3_cells(
    row: list[Cell], values: list[Cell], positions: dict[str, int], key: str, reading: _Reading
) -> dict[str, Any]:
    columns = vocab.T3_COLUMNS
    if positions_fit(positions, row):
        picked = [row[positions[c]] for c in columns]
    else:  # no usable header above: the row's last seven value cells, in the official order
        picked = values[-len(columns) :]
    if len({c.origin for c in picked}) < len(picked):
        reading.notes.append(
            f"表三「{key}」行的数字印在跨列合并的单元格里，已按所跨各列读入同一个数"
        )
    cells: dict[str, Any] = {}
    for column, cell in zip(
        columns[-len(picked) :] if len(picked) < len(columns) else columns, picked
    ):
        value, kind = cell_value(cell.text)
        cells[column] = _keep(reading, value, kind, f"表三「{key}」行「{column}」列")
    return cells


def _read_t4(grids: list[Grid], reading: _Reading) -> None:
    out = reading.tables["section4"]
    result_keys = {labels.bare(c) for c in vocab.T4_COLUMNS}
    for grid in grids:
        for r, row in enumerate(grid):
            texts, _values = reading.split(row)
            if sum(labels.bare(t) in result_keys for t in texts) < 8:
                continue
            columns = []
            for j, c in enumerate(row):
                if j and row[j - 1].origin == c.origin:
                    continue
                # A page may print 行政复议's results one header row higher, leaving blank cells
                # under them in the row that names the lawsuits' results.
                above = (
                    [c]
                    if labels.bare(c.text)
                    else [grid[k][j] for k in (r - 1, r - 2) if k >= 0 and j < len(grid[k])]
                )
                label = next(
                    (labels.bare(a.text) for a in above if labels.bare(a.text) in result_keys), None
                )
                if label is not None:
                    columns.append((j, labels.T4_COLUMNS[label]))
            data = next(
                (grid[k] for k in range(r + 1, len(grid)) if reading.split(grid[k])[1]), None
            )
            if data is None:
                continue
            use_positions = max(j for j, _ in columns) < len(data)
            values = [data[j] for j, _ in columns] if use_positions else reading.split(data)[1]
            for n, ((j, column), cell) in enumerate(zip(columns, values)):
                kind = _t4_kind(grid, r, j) or vocab.APPEAL_KINDS[min(n // 5, 2)]
                value, k = cell_value(cell.text)
                out.setdefault(kind, {})[column] = _keep(
                    reading, value, k, f"表四「{kind}」「{column}」列"
                )
            return


def _t4_kind(grid: Grid, r: int, j: int) -> str | None:
    """The kind (行政复议, 未经复议直接起诉, 复议后起诉) printed above column j of row r."""
    for k in range(r - 1, max(r - 4, -1), -1):
        if j < len(grid[k]):
            kind = labels.T4_KINDS.get(labels.bare(grid[k][j].text))
            if kind:
                return kind
    return None


def _note_missing_rows(reading: _Reading) -> None:
    t3 = reading.tables.get("section3")
    if t3:
        missing = [row for row in vocab.T3_ROWS if row not in t3]
        if missing:
            reading.notes.append(f"表三缺少{len(missing)}行：{'、'.join(missing)}")
        short = [row for row, cells in t3.items() if len(cells) < len(vocab.T3_COLUMNS)]
        if short:
            reading.notes.append(f"表三有{len(short)}行不足7列：{'、'.join(short)}")
    t2 = reading.tables.get("section2")
    if t2:
        missing = [row for _i, rows, _c in vocab.TABLE2_LAYOUT for row in rows if row not in t2]
        if missing:
            reading.notes.append(f"表二缺少：{'、'.join(missing)}")
    t4 = reading.tables.get("section4")
    if t4:
        short = [k for k in vocab.APPEAL_KINDS if len(t4.get(k, {})) < len(vocab.T4_COLUMNS)]
        if short:
            reading.notes.append(f"表四「{'、'.join(short)}」不足5列")
