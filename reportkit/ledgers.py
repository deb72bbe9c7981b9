"""Reading the ledgers (台账): CSV or XLSX, as Excel on an office PC saves them, into typed DataFrames.

Every problem in a ledger is collected and raised at once as a LedgerError naming the file, the
row as Excel shows it (the header is row 1), the column and the value.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from . import vocab
from .errors import CellProblem, LedgerError, ReportkitError

ROW = "_row"  # the Excel row number of each ledger row, kept for messages and checks

# Columns whose values are applicants' personal data: dropped at reading, never output.
PERSONAL_COLUMNS = ["申请人姓名", "证件号码", "联系电话", "地址"]


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


SCHEMAS: dict[str, Schema] = {
    s.stem: s
    for s in [
        Schema(
            "requests",
            "依申请公开台账",
            (
                _c("申请编号", "id", True),
                _c("收到日期", "date", True),
                _c("申请人类型", "category", True, vocab.APPLICANT_TYPES),
                _c("办理结果", "outcome"),
                _c("办结日期", "date"),
                _c("申请内容", "text"),
                _c("收费金额（元）", "money"),
            ),
        ),
        Schema(
            "appeals",
            "复议诉讼台账",
            (
                _c("案件编号", "id", True),
                _c("类别", "category", True, vocab.APPEAL_KINDS),
                _c("收到日期", "date", True),
                _c("结果", "category", False, vocab.APPEAL_RESULTS),
                _c("审结日期", "date"),
            ),
        ),
        Schema(
            "documents",
            "规章和规范性文件台账",
            (
                _c("文号", "id", True),
                _c("标题", "text", True),
                _c("类型", "category", True, vocab.DOCUMENT_TYPES),
                _c("印发日期", "date", True),
                _c("废止日期", "date"),
            ),
        ),
        Schema("licensing", "行政许可台账", (_c("编号", "id", True), _c("决定日期", "date", True), _c("事项名称", "text"))),
        Schema("penalties", "行政处罚台账", (_c("编号", "id", True), _c("决定日期", "date", True), _c("案由", "text"))),
        Schema("enforcement", "行政强制台账", (_c("编号", "id", True), _c("决定日期", "date", True), _c("措施", "text"))),
        Schema(
            "fees",
            "行政事业性收费台账",
            (_c("日期", "date", True), _c("项目", "text", True), _c("金额（元）", "money", True)),
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
            (_c("日期", "date", True), _c("媒体", "text", True), _c("标题", "text", True), _c("媒体级别", "text")),
        ),
        Schema(
            "proposals",
            "建议提案台账",
            (
                _c("编号", "id", True),
                _c("类别", "category", True, vocab.PROPOSAL_KINDS),
                _c("办理方式", "category", True, vocab.HANDLING),
                _c("收到日期", "date", True),
                _c("办理结果", "text"),
            ),
        ),
    ]
}

# ------------------------------------------------------------------------------------------------
# Normalising what people type
# ------------------------------------------------------------------------------------------------
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_SPACE = re.compile(r"\s+")
_NUMBERING = re.compile(r"^(?:\(?[一二三四五六七八九十]+\)|[一二三四五六七八九十]+、|\d+[.、．])")


def norm(text: object) -> str:
    """The matching key of a header or category: NFKC (full width -> half width), no spaces,
    no quotation marks."""
    s = unicodedata.normalize("NFKC", str(text))
    return _QUOTES.sub("", _SPACE.sub("", s))


def _strip_numbering(key: str) -> str:
    return "/".join(_NUMBERING.sub("", part) for part in key.split("/"))


def _outcome_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for _num, group, leaves in vocab.OUTCOME_GROUPS:
        if not leaves:
            table[norm(group)] = group
            continue
        for leaf in leaves:
            key = f"{group}/{leaf}"
            table[norm(key)] = key
            table.setdefault(norm(leaf), key)
    table[norm(vocab.PARTLY_LABEL)] = vocab.PARTLY
    return table


OUTCOME_LOOKUP = _outcome_lookup()


def match_outcome(value: object) -> str | None:
    """The tables.json key of an 办理结果 as typed (leaf alone, group/leaf, numbered), or None."""
    key = norm(value)
    return OUTCOME_LOOKUP.get(key) or OUTCOME_LOOKUP.get(_strip_numbering(key))


def _is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and v != v:
        return True
    return isinstance(v, str) and not v.strip()


def _shown(v: object) -> object:
    """A value as the user typed it, for messages."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time() else v.isoformat(" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip() if isinstance(v, str) else v


# ------------------------------------------------------------------------------------------------
# Cell converters: return (value, None) or (None, message)
# ------------------------------------------------------------------------------------------------
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
DATE_HINT = "应为日期，如 2021-06-16、2021/6/16 或 Excel 日期"


def parse_date(v: object) -> dt.datetime | None:
    """A date as people write it in a ledger, or None when it is not one."""
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _excel_serial(float(v))
    s = unicodedata.normalize("NFKC", str(v)).strip()
    s = s.split(" ")[0] if re.match(r"^\d{4}\D\d{1,2}\D\d{1,2}\s+\d{1,2}:\d{2}", s) else s
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            pass
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return _excel_serial(float(s))
    return None


def _excel_serial(x: float) -> dt.datetime | None:
    # Excel serials of the years 1955..2118; anything else is not a date someone meant.
    if 20000 <= x < 80000 and float(x).is_integer():
        return _EXCEL_EPOCH + dt.timedelta(days=int(x))
    return None


def parse_int(v: object) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else None
    s = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    if re.fullmatch(r"[+-]?\d+(\.0*)?", s):
        return int(float(s)) if "." in s else int(s)
    return None


def parse_money(v: object) -> Decimal | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    s = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    s = re.sub(r"(万元|元)$", "", s).strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


# ------------------------------------------------------------------------------------------------
# Reading files into a grid of cells
# ------------------------------------------------------------------------------------------------
ENCODINGS = ("utf-8-sig", "gb18030")


def _decode(data: bytes, shown: str) -> str:
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise LedgerError(
        [CellProblem(shown, None, None, None, "无法识别文件编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV")]
    )


def _read_csv_grid(path: Path, shown: str) -> list[list[object]]:
    text = _decode(path.read_bytes(), shown)
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _read_xlsx_grid(path: Path, shown: str) -> list[list[object]]:
    import openpyxl  # imported here: only XLSX ledgers pay for it

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise LedgerError([CellProblem(shown, None, None, None, f"无法作为 Excel 文件打开（{type(e).__name__}）")]) from None
    ws = wb.worksheets[0]
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    # A merged range shows its value in every cell it covers, as the user sees it.
    for rng in ws.merged_cells.ranges:
        value = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = value
    return grid


# ------------------------------------------------------------------------------------------------
# The ledgers of one agency
# ------------------------------------------------------------------------------------------------
@dataclass
class Ledgers:
    """Every ledger of one data folder, typed; absent ledgers are empty frames."""

    data_dir: Path
    frames: dict[str, pd.DataFrame]
    files: dict[str, Path | None]
    notes: list[str] = field(default_factory=list)
    # Personal values seen while reading, kept in memory only for the privacy guard.
    personal_values: set[str] = field(default_factory=set, repr=False)

    def __getitem__(self, stem: str) -> pd.DataFrame:
        return self.frames[stem]

    def years(self) -> list[int]:
        """Every year any ledger has a dated row in, ascending."""
        found: set[int] = set()
        for stem, df in self.frames.items():
            for col in SCHEMAS[stem].columns:
                if col.kind == "date" and col.required and len(df):
                    found.update(int(y) for y in df[col.name].dt.year.dropna().unique())
        return sorted(found)


def ledger_file(data_dir: Path, stem: str) -> Path | None:
    """The ledger file for `stem` in the folder (.csv or .xlsx, any letter case), or None."""
    hits = [p for p in data_dir.iterdir() if p.is_file() and p.stem == stem and p.suffix.lower() in (".csv", ".xlsx")]
    hits = [p for p in hits if not p.name.startswith("~$")]  # Excel's lock files
    if len(hits) > 1:
        names = "、".join(sorted(p.name for p in hits))
        raise LedgerError([CellProblem(str(data_dir), None, None, None, f"同一台账有多个文件（{names}），请只保留一个")])
    return hits[0] if hits else None


def empty_frame(stem: str) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {ROW: pd.Series([], dtype="int64")}
    for c in SCHEMAS[stem].columns:
        dtype = {"date": "datetime64[ns]", "int": "int64"}.get(c.kind, "object")
        cols[c.name] = pd.Series([], dtype=dtype)
    return pd.DataFrame(cols)


def load_ledgers(data_dir: str | Path, extra_personal: list[str] | tuple[str, ...] = ()) -> Ledgers:
    """Read every ledger in `data_dir`. Raises LedgerError listing every problem of a ledger."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ReportkitError(f"台账文件夹不存在：{data_dir}")
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, Path | None] = {}
    notes: list[str] = []
    personal: set[str] = set()
    problems: list[CellProblem] = []
    personal_names = {norm(c) for c in (*PERSONAL_COLUMNS, *extra_personal)}
    for stem, schema in SCHEMAS.items():
        path = ledger_file(data_dir, stem)
        files[stem] = path
        if path is None:
            frames[stem] = empty_frame(stem)
            notes.append(f"未找到{schema.title}（{stem}.csv 或 {stem}.xlsx），按本年无此类记录处理")
            continue
        try:
            frame, ledger_notes, values = read_ledger(path, schema, personal_names)
        except LedgerError as e:  # keep reading: the user gets every ledger's problems at once
            problems.extend(e.problems)
            continue
        frames[stem] = frame
        notes.extend(ledger_notes)
        personal |= values
    if problems:
        raise LedgerError(problems)
    return Ledgers(data_dir, frames, files, notes, personal)


def read_ledger(
    path: Path, schema: Schema, personal_names: set[str] | None = None
) -> tuple[pd.DataFrame, list[str], set[str]]:
    """One ledger file -> (typed frame, notes, personal values seen)."""
    shown = path.name
    grid = _read_xlsx_grid(path, shown) if path.suffix.lower() == ".xlsx" else _read_csv_grid(path, shown)
    header_at, mapping = _find_header(grid, schema, shown)
    header = grid[header_at]
    personal_names = personal_names if personal_names is not None else {norm(c) for c in PERSONAL_COLUMNS}
    personal_idx = [i for i, h in enumerate(header) if h is not None and norm(h) in personal_names]

    rows: list[tuple[int, list[object]]] = []
    values: set[str] = set()
    for offset, raw in enumerate(grid[header_at + 1 :]):
        if all(_is_blank(v) for v in raw):
            continue
        rows.append((header_at + offset + 2, raw))
        for i in personal_idx:
            if i < len(raw) and not _is_blank(raw[i]):
                values.add(str(_shown(raw[i])))

    problems: list[CellProblem] = []
    notes: list[str] = []
    data: dict[str, list[object]] = {ROW: [r for r, _ in rows]}
    for col in schema.columns:
        idx = mapping.get(col.name)
        cells = [(raw[idx] if idx is not None and idx < len(raw) else None) for _, raw in rows]
        data[col.name] = _convert(col, cells, [r for r, _ in rows], shown, problems, notes)
    id_col = schema.id_column
    if id_col:
        first_seen: dict[str, int] = {}
        for excel_row, v in zip(data[ROW], data[id_col]):
            if v is None:
                continue
            if v in first_seen:
                problems.append(CellProblem(shown, excel_row, id_col, v, f"编号重复（与第{first_seen[v]}行相同），每条记录的编号应唯一"))
            else:
                first_seen[v] = excel_row
    if problems:
        raise LedgerError(problems)
    frame = pd.DataFrame(data)
    for col in schema.columns:
        if col.kind == "date":
            frame[col.name] = pd.to_datetime(frame[col.name])
        elif col.kind == "int":
            frame[col.name] = frame[col.name].astype("int64")
    frame[ROW] = frame[ROW].astype("int64")
    return frame, notes, values


def _find_header(grid: list[list[object]], schema: Schema, shown: str) -> tuple[int, dict[str, int]]:
    """The header row (a title row may sit above it) and each schema column's position."""
    wanted = {norm(c.name): c.name for c in schema.columns}
    best: tuple[int, dict[str, int]] = (0, {})
    for i, row in enumerate(grid[:10]):
        found: dict[str, int] = {}
        for j, h in enumerate(row):
            if h is None:
                continue
            name = wanted.get(norm(h))
            if name and name not in found:
                found[name] = j
        if all(r in found for r in schema.required):
            return i, found
        if len(found) > len(best[1]):
            best = (i, found)
    at, found = best
    missing = [r for r in schema.required if r not in found]
    row_no = at + 1 if grid else None
    problems = [
        CellProblem(shown, row_no, m, None, f"缺少必填列「{m}」（表头应含：{'、'.join(schema.required)}）") for m in missing
    ]
    raise LedgerError(problems)


def _convert(
    col: Column, cells: list[object], rows: list[int], shown: str, problems: list[CellProblem], notes: list[str]
) -> list[object]:
    out: list[object] = []
    converter = _CONVERTERS[col.kind]
    for excel_row, v in zip(rows, cells):
        if _is_blank(v):
            if col.required:
                problems.append(CellProblem(shown, excel_row, col.name, None, "必填项为空"))
            out.append(col.default)
            continue
        value, error = converter(col, v, notes, shown, excel_row)
        if error:
            problems.append(CellProblem(shown, excel_row, col.name, _shown(v), error))
        out.append(value)
    return out


def _to_id(col: Column, v: object, notes, shown, row) -> tuple[object, str | None]:
    return str(_shown(v)).strip(), None


def _to_text(col: Column, v: object, notes, shown, row) -> tuple[object, str | None]:
    return str(_shown(v)).strip(), None


def _to_date(col: Column, v: object, notes, shown, row) -> tuple[object, str | None]:
    d = parse_date(v)
    return (d, None) if d is not None else (None, DATE_HINT)


def _to_int(col: Column, v: object, notes, shown, row) -> tuple[object, str | None]:
    n = parse_int(v)
    if n is None:
        return None, "应为整数"
    if n < 0:
        return None, "不应为负数"
    return n, None


def _to_money(col: Column, v: object, notes, shown, row) -> tuple[object, str | None]:
    m = parse_money(v)
    if m is None:
        return None, "应为金额数字，如 1200.50"
    if m < 0:
        return None, "金额不应为负数"
    return m, None


def _suggest(key: str, choices: list[str]) -> str:
    keys = {norm(c): c for c in choices}
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.5)
    return f"（是否应为「{keys[close[0]]}」？）" if close else ""


def _to_category(col: Column, v: object, notes, shown, row) -> tuple[object, str | None]:
    key = norm(v)
    for choice in col.choices:
        if norm(choice) == key:
            return choice, None
    for alias, official in vocab.ALIASES.items():
        if norm(alias) == key and official in col.choices:
            notes.append(f"{shown} 第{row}行「{col.name}」写作「{_shown(v)}」，已按「{official}」计入；建议改为规范名称")
            return official, None
    valid = "、".join(col.choices)
    return None, f"不是可用的类别{_suggest(key, list(col.choices))}，应为：{valid}"


def _to_outcome(col: Column, v: object, notes, shown, row) -> tuple[object, str | None]:
    found = match_outcome(v)
    if found:
        return found, None
    leaves = [o.split("/")[-1] for o in vocab.OUTCOMES]
    hint = _suggest(_strip_numbering(norm(v)).split("/")[-1], leaves)
    return None, f"不是表三的办理结果{hint}；应写表三的一项，如「予以公开」或「不予公开/属于国家秘密」"


_CONVERTERS: dict[str, Callable[..., tuple[object, str | None]]] = {
    "id": _to_id,
    "text": _to_text,
    "date": _to_date,
    "int": _to_int,
    "money": _to_money,
    "category": _to_category,
    "outcome": _to_outcome,
}
