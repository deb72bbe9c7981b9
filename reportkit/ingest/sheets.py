"""Reading a ledger file (CSV in any encoding Excel writes, or XLSX) into a grid of cells."""

from __future__ import annotations

import codecs
import csv
import errno
import io
import os
import re
import stat
import threading
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reportkit.contract.errors import CellProblem, LedgerError
from reportkit.contract.schema import HEAD_ROWS
from reportkit.ingest import columnar
from reportkit.ingest.cells import _column_letter, _is_blank

# ------------------------------------------------------------------------------------------------
# Reading a file into a grid of cells
# ------------------------------------------------------------------------------------------------
ENCODING_HELP = "无法识别文件编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV"
_SAMPLE_BYTES = 1 << 20  # enough for the header rows, and to tell the encoding
# Small CSVs have their personal values read with the rest; a big one's are read when the privacy
# guard asks, so that reading a million rows is not slowed by three columns nothing counts.
EAGER_PERSONAL_BYTES = 4 << 20


def _problem(shown: str, message: str, row: int | None = None) -> LedgerError:
    """A problem of a whole file (or of a row of it), as an error to raise."""
    return LedgerError([CellProblem(shown, row, None, None, message)])


@dataclass
class _Sheet:
    """A ledger file as a grid: its first rows, and any of its columns on demand (every record,
    from Excel row 1). `text` is true when every cell is a string, as in a CSV."""

    head: list[list[object]]
    # load(columns, repeated, texts): cells of the columns; a CSV parses the `repeated` ones into
    # codes, and a big one may keep the `texts` ones (ids, free text) as Arrow strings.
    load: Callable[..., dict[int, Any]]
    text: bool
    width: int
    # Merged ranges spanning more than one row: (first row, first col, last row, last col), 0-based.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # A big CSV's personal columns may be read later, when the privacy guard asks for them.
    lazy: bool = False
    empty: bool = False
    # The first rows of a workbook's other sheets, to say where a header is when not on the first.
    other_heads: dict[str, list[list[object]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for the build log: which sheet was read
    # Whether cell values may hold control characters (a CSV whose bytes have none: no need to look).
    controls: Callable[[], bool] = lambda: True


def _open_sheet(path: Path, shown: str) -> _Sheet:
    unreadable = not_a_readable_file(path)  # before any open(): a pipe would block it
    if unreadable:
        raise _problem(shown, unreadable)
    try:
        if path.suffix.lower() == ".xlsx":
            return _xlsx_sheet(path, shown)
        return _csv_sheet(path, shown)
    except OSError as e:
        why = f"无法读取文件：{_os_reason(e)}；可能正在 Excel 或其他程序中打开，请关闭后重试"
        raise _problem(shown, why) from None


def _wrong_kind(data: bytes, suffix: str) -> str | None:
    """What the file really is, when its bytes say it is not what its name says."""
    if data[:4] == b"PK\x03\x04" and suffix != ".xlsx":
        return "实际是 Excel 工作簿（.xlsx）：请把文件扩展名改为 .xlsx，或在 Excel 中另存为 CSV"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "实际是旧版 Excel（.xls）或加了密码的 Excel 文件：请在 Excel 中另存为 .xlsx（不设密码）或 CSV"
    if data[:5] == b"%PDF-":
        return "实际是 PDF 文件，不是表格：请提供 Excel 或 CSV 格式的台账"
    if suffix == ".xlsx" and data[:4] != b"PK\x03\x04":
        return "不是有效的 Excel 工作簿：如果它其实是 CSV 文本，请把扩展名改为 .csv"
    return None


def _detect_encoding(start: bytes, whole: bool, shown: str) -> tuple[str, int]:
    """(codec, bytes to skip) of a CSV from its first bytes: UTF-8 (with or without BOM),
    GB18030/GBK, or UTF-16."""
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16", 0
    skip = len(codecs.BOM_UTF8) if start.startswith(codecs.BOM_UTF8) else 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start[skip:], final=whole)
        return "utf-8", skip
    except UnicodeDecodeError as e:
        mixed = _mixed_at(start, skip, e.start, shown)
        if mixed:
            raise mixed from None
    try:  # a BOM followed by GBK text happens too: the BOM is just skipped
        codecs.getincrementaldecoder("gb18030")().decode(start[skip:], final=whole)
        return "gb18030", skip
    except UnicodeDecodeError:
        raise _problem(shown, ENCODING_HELP) from None


def _mixed_at(data: bytes, skip: int, bad: int, shown: str) -> LedgerError | None:
    """A file whose first lines are UTF-8 (Chinese included) and whose later bytes are not: rows
    pasted in from a GBK file. Names the first line that is not UTF-8."""
    good = data[skip : skip + bad]
    first_wide = next((i for i, b in enumerate(good) if b >= 0x80), None)
    if first_wide is None or b"\n" not in good[first_wide:]:
        return None
    line = data.count(b"\n", skip, skip + bad) + 1
    return _problem(
        shown,
        "文件前面是 UTF-8 编码，从这一行起却是另一种编码（多半是 GBK）：文件中混有两种编码。"
        "请在 Excel 中打开，整体另存为「CSV UTF-8」后再试",
        row=line,
    )


def _csv_sheet(path: Path, shown: str) -> _Sheet:
    signature = _signature(path)
    with path.open("rb") as f:
        start = f.read(_SAMPLE_BYTES)
    whole = len(start) >= signature[0]
    wrong = _wrong_kind(start, ".csv")
    if wrong:
        raise _problem(shown, wrong)
    encoding, skip = _detect_encoding(start, whole, shown)
    sample = (
        codecs.getincrementaldecoder(encoding)(errors="replace")
        .decode(start[skip:])
        .lstrip("\ufeff")
    )
    lines = sample.splitlines()[: HEAD_ROWS + 1]
    sep = "\t" if sum(s.count("\t") for s in lines) > sum(s.count(",") for s in lines) else ","
    try:
        head = [
            list(r)
            for _, r in zip(
                range(HEAD_ROWS), csv.reader(io.StringIO(sample, newline=""), delimiter=sep)
            )
        ]
    except csv.Error as e:
        raise _unreadable_csv(e, shown) from None
    width = max((len(r) for r in head), default=0)

    def parse(source: Any, wanted: list[int], repeated: set[int]) -> pd.DataFrame:
        return pd.read_csv(
            source,
            header=None,
            names=list(range(width)),
            usecols=wanted,
            index_col=False,
            # Values that repeat (dates, categories, amounts) are parsed straight into codes.
            dtype={j: "category" if j in repeated else object for j in wanted},
            na_filter=False,
            skip_blank_lines=False,
            sep=sep,
            encoding=encoding,
            engine="c",
        )

    def load(
        columns: list[int], repeated: set[int] = frozenset(), texts: set[int] = frozenset()
    ) -> dict[int, Any]:
        if not columns or not width:
            return {}
        if _signature(path) != signature:
            raise _problem(shown, "在读取期间被修改（可能正在 Excel 中编辑）：请关闭文件后重新运行")
        wanted = sorted(set(columns))
        if signature[0] >= columnar.MIN_BYTES and encoding in columnar.ENCODINGS:
            got = columnar.read(path, skip, encoding, sep, width, wanted, repeated)
            if got is not None:  # else a file not plain enough: pandas reads it, names its faults
                keep = set(repeated) | set(texts)
                return {j: got[j] if j in keep else columnar.to_numpy(got[j]) for j in wanted}
        scanner = None
        if not scan:  # the first read: look for control bytes on the other core meanwhile
            scanner = threading.Thread(
                target=lambda: scan.append(_control_bytes(path)), daemon=True
            )
            scanner.start()
        try:
            with path.open("rb") as f:
                f.seek(skip)
                frame = parse(f, wanted, repeated)
        except UnicodeDecodeError:
            raise _mixed_encoding(path, skip, encoding, shown) from None
        except (pd.errors.ParserError, csv.Error, ValueError) as e:
            raise _unreadable_csv(e, shown) from None
        finally:
            if scanner is not None:
                scanner.join()
        return {
            j: frame[j].array if j in repeated else frame[j].to_numpy(dtype=object) for j in wanted
        }

    # Filled by the first load(): whether the file holds a control byte, so that its columns'
    # values need searching (most files have none, and a million values are not searched).
    scan: list[bool] = []
    empty = whole and not start[skip:].strip(b" \t\r\n,;\x00")
    return _Sheet(
        head,
        load,
        True,
        width,
        lazy=signature[0] > EAGER_PERSONAL_BYTES,
        empty=empty,
        controls=lambda: scan[0] if scan else True,
    )


def _control_bytes(path: Path) -> bool:
    """Whether a CSV holds a byte below 32 other than tab, CR and LF. In UTF-8 and GB18030 such a
    byte is always an ASCII control character (in UTF-16 a NUL is in every Latin character: then
    the columns are searched, as they would be anyway). numpy releases the GIL while it compares,
    so this runs beside pandas' parser, which releases it too."""
    try:
        with path.open("rb") as f:
            while (chunk := np.fromfile(f, np.uint8, count=1 << 24)).size:
                low = chunk[chunk < 32]
                if ((low != 9) & (low != 10) & (low != 13)).any():
                    return True
    except OSError:
        return True  # search the values instead
    return False


def _signature(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _mixed_encoding(path: Path, skip: int, encoding: str, shown: str) -> LedgerError:
    """The error for a CSV that stops decoding part way through."""
    if encoding == "utf-8":
        raw = path.read_bytes()
        try:
            raw[skip:].decode("utf-8")
        except UnicodeDecodeError as e:
            return _mixed_at(raw, skip, e.start, shown) or _problem(shown, ENCODING_HELP)
    return _problem(shown, ENCODING_HELP)


def _unreadable_csv(e: Exception, shown: str) -> LedgerError:
    m = re.search(r"EOF inside string starting at row (\d+)", str(e))
    if m:
        return _problem(
            shown,
            '从这一行起引号（"）不成对，其后的内容无法分列：请检查这一行，或在 Excel 中打开后重新另存为 CSV',
            row=int(m.group(1)) + 1,
        )
    return _problem(
        shown, f"无法按 CSV 表格读取（{type(e).__name__}）：请在 Excel 中打开后重新另存为 CSV"
    )


def _xlsx_sheet(path: Path, shown: str) -> _Sheet:
    import openpyxl  # imported here: only XLSX ledgers pay for it

    with path.open("rb") as f:
        magic = f.read(8)
    wrong = _wrong_kind(magic, ".xlsx")
    if wrong:
        raise _problem(shown, wrong)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it skips
            wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise _problem(shown, f"无法作为 Excel 文件打开（{type(e).__name__}）") from None
    sheets = [wb[name] for name in wb.sheetnames]  # in tab order, chart sheets included
    visible = [s for s in sheets if s.sheet_state == "visible"]
    if not visible:
        raise _problem(shown, "没有可见的工作表：请在 Excel 中取消隐藏台账所在的工作表")
    # A hidden sheet (an old copy, a lookup list) is not what the user sees as the ledger.
    ws = visible[0]
    if not hasattr(ws, "iter_rows"):
        raise _problem(shown, "第一个工作表是图表，不是台账：请把台账放在第一个工作表")
    # Excel shows TRUE/FALSE; as text they cannot be mistaken for the numbers 1 and 0.
    grid = [
        [("TRUE" if v else "FALSE") if v.__class__ is bool else v for v in row]
        for row in ws.iter_rows(values_only=True)
    ]
    if _has_formulas(path):  # rare in a ledger: only then a second, slower pass
        _mark_uncalculated(path, ws, grid)
    while grid and all(_is_blank(v) for v in grid[-1]):
        grid.pop()
    merged: list[tuple[int, int, int, int]] = []
    # A merged range shows its value in every cell it covers, as the user sees it.
    for rng in ws.merged_cells.ranges:
        in_grid = rng.min_row <= len(grid) and rng.min_col <= len(grid[rng.min_row - 1])
        value = grid[rng.min_row - 1][rng.min_col - 1] if in_grid else None
        for r in range(rng.min_row, min(rng.max_row, len(grid)) + 1):
            row = grid[r - 1]
            for c in range(rng.min_col, min(rng.max_col, len(row)) + 1):
                row[c - 1] = value
        if rng.max_row > rng.min_row:
            merged.append((rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1))
    notes = []
    if len(sheets) > 1:
        skipped = "、".join(
            f"「{s.title}」" + ("（隐藏）" if s.sheet_state != "visible" else "")
            for s in sheets
            if s is not ws
        )
        notes.append(f"{shown} 有多个工作表：读取的是工作表「{ws.title}」，未读取{skipped}")
    width = max((len(r) for r in grid), default=0)
    others = {
        s.title: [list(r) for r in s.iter_rows(max_row=HEAD_ROWS, values_only=True)]
        for s in sheets
        if s is not ws and hasattr(s, "iter_rows")
    }
    empty = not any(not _is_blank(v) for row in grid for v in row)

    def load(
        columns: list[int], repeated: set[int] = frozenset(), texts: set[int] = frozenset()
    ) -> dict[int, np.ndarray]:
        return _grid_columns(grid, columns)

    return _Sheet(
        grid[:HEAD_ROWS], load, False, width, merged, empty=empty, other_heads=others, notes=notes
    )


# A formula element in a worksheet's XML (<f>, <f t="shared" …/>, or with a namespace prefix).
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula, by a scan of its XML."""
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with z.open(info) as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-8:]
    return False


@dataclass(frozen=True)
class _Uncalculated:
    """A formula cell saved without its result (written by a program, or saved without
    recalculation): read as blank it would count as nothing, so it is an error of its column."""

    formula: str
    cell: str  # as Excel names it: B3

    def __str__(self) -> str:
        return self.formula if len(self.formula) <= 100 else self.formula[:100] + "…"

    @property
    def hint(self) -> str:
        return (
            f"是公式，但文件中没有保存它的计算结果（单元格 {self.cell}），读作空白会算错："
            "请在 Excel 或 WPS 中打开此文件并保存（公式即被计算），或直接填写数值"
        )


def _mark_uncalculated(path: Path, ws: Any, grid: list[list[object]]) -> None:
    """Put an _Uncalculated in each cell of `grid` whose formula has no saved result.

    data_only reads such a cell as None; so it reads a formula whose result is the empty string
    (=IF(…,"",…)), but that one is saved as text (t="str") and is a true blank."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for row in wb[ws.title].iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                r, c = cell.row, cell.column
                if r > len(grid) or c > len(grid[r - 1]) or grid[r - 1][c - 1] is not None:
                    continue
                if ws.cell(r, c).data_type in ("s", "str"):  # a saved empty-text result
                    continue
                formula = getattr(cell.value, "text", cell.value)  # ArrayFormula keeps its text
                grid[r - 1][c - 1] = _Uncalculated(str(formula), f"{_column_letter(c - 1)}{r}")
    finally:
        wb.close()


def _grid_columns(grid: list[list[object]], columns: list[int]) -> dict[int, np.ndarray]:
    out = {}
    for j in columns:
        cells = np.empty(len(grid), dtype=object)
        cells[:] = [row[j] if j < len(row) else None for row in grid]
        out[j] = cells
    return out


def not_a_readable_file(path: Path) -> str | None:
    """Why `path` cannot be read as a ledger file, or None when it is a regular, readable file.

    Only stat() and access() are used: opening a pipe (FIFO) would wait for a writer for ever."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return f"是一个链接，但链接指向的文件不存在（{_link_target(path)}）：请确认网络盘或移动盘已连接，或把台账文件复制到此处"
        return "文件不存在（可能刚被移动或删除）"
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "是一个链接，但链接循环（链接最终又指回自己），打不开：请删除该链接，把台账文件复制到此处"
        return f"无法读取：{_os_reason(e)}"
    if stat.S_ISDIR(st.st_mode):
        return "是文件夹而不是文件：台账应为 .csv 或 .xlsx 文件，请把文件夹改名或移走"
    if not stat.S_ISREG(st.st_mode):
        return "不是普通文件（是管道、设备或套接字），无法作为台账读取：请换成 .csv 或 .xlsx 文件"
    if not os.access(path, os.R_OK):
        return "无法读取：没有读取权限，请检查文件的权限设置"
    return None


def _os_reason(e: OSError) -> str:
    """An operating-system error in Chinese, with its system name for whoever helps."""
    name = errno.errorcode.get(e.errno or 0, type(e).__name__)
    return f"{_OS_REASONS.get(e.errno, '系统错误')}（{name}）"


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "无法得知"


_OS_REASONS = {
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.EIO: "读写出错（磁盘或网络盘故障？）",
    errno.ENOENT: "文件不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ELOOP: "链接循环",
    errno.ETIMEDOUT: "连接超时（网络盘？）",
    errno.EHOSTDOWN: "网络盘所在的主机无法连接",
    errno.ESTALE: "网络盘连接已失效",
}
