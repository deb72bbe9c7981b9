"""Reading the ledgers (台账): CSV or XLSX, as Excel on an office PC saves them, into typed DataFrames.

Every problem in a ledger is collected and raised at once as a LedgerError naming the file, the
row as Excel shows it (the header is row 1), the column and the value. Personal columns are never
read into a frame: their values are kept aside, only for the privacy guard.

Reading is column-wise: a CSV is parsed by pandas' C parser, and each column is converted once
per distinct value (dates, categories and numbers repeat a lot), then mapped back to its rows.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import difflib
import errno
import gc
import io
import os
import re
import stat
import threading
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import privacy, vocab
from .errors import CellProblem, LedgerError, ReportkitError

ROW = "_row"  # the Excel row number of each ledger row, kept for messages and checks

# Columns whose values are applicants' personal data: dropped at reading, never output. These
# names mark a column personal in any ledger; see personal_column() for the whole rule.
# The personal columns the contract gives the requests ledger (its blank template has them).
REQUESTS_PERSONAL = ("申请人姓名", "证件号码", "联系电话")
PERSONAL_COLUMNS = [
    *REQUESTS_PERSONAL, "地址", "申请人", "姓名", "联系人", "代理人", "身份证号",
    "身份证号码", "手机号码", "电子邮箱", "邮箱", "住址", "微信", "QQ", "Email",
]
# Words in a header that mark an extra column as personal even when no params list it
# (身份证号, 手机号码, 通讯地址, 当事人 …): its values are guarded like 申请人姓名's. Only in the
# ledgers whose rows are about people; elsewhere (活动地址 of an outreach event) they are not.
PERSONAL_HINTS = (
    "姓名", "身份证", "证件", "电话", "手机", "住址", "地址", "联系人", "联系方式", "邮箱",
    "邮件", "微信", "qq", "当事人", "代理人", "申请人",
)
# The same in English headers (Name, Applicant name, Phone, Tel, Mobile, E-mail, Address, ID No).
_ENGLISH_HINTS = re.compile(
    r"name|phone|(?<![a-z])tel|mobile|e-?mail|address|wechat|(?<![a-z])id(?:no|number|card)?\.?$",
    re.IGNORECASE,
)
# A header naming a kind or a count of people, not a person: 申请人类型 (a required category),
# 证件类型, 申请人数.
_NOT_PERSONAL_ENDINGS = ("类型", "类别", "性质", "人数", "数量", "type", "kind", "count")
PEOPLE_LEDGERS = {"requests", "appeals", "licensing", "penalties", "enforcement", "fees"}
# Traditional characters of personal headers (證件號碼, 電話, 聯繫人 …), read as simplified.
_SIMPLIFIED = str.maketrans(
    "證號碼電話聯繫係絡請當機郵箱稱類應發處罰許務費內質數單",
    "证号码电话联系系络请当机邮箱称类应发处罚许务费内质数单",
)
# What people type in a personal column when there is nothing to type: not personal data.
_NOT_PERSONAL = {"无", "暂无", "不详", "未知", "未提供", "未填", "匿名", "空", "略", "na", "n/a", "none", "null"}

HEAD_ROWS = 10  # the header may sit this far down, below title rows
MAX_PROBLEMS = 50  # problems listed per ledger file; the rest are counted
MAX_NOTES = 20  # alias notes listed per column of a ledger; the rest are counted
# Excel's error values, shown in a cell whose formula failed.
EXCEL_ERRORS = {
    "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!", "#GETTING_DATA"
}
# Formats reportkit cannot read, and what to do about them.
OTHER_FORMATS = {
    ".xls": "旧版 Excel 文件（.xls）",
    ".xlsm": "带宏的 Excel 文件（.xlsm）",
    ".xlsb": "Excel 二进制工作簿（.xlsb）",
    ".et": "WPS 表格文件（.et）",
    ".ods": "OpenDocument 表格（.ods）",
    ".numbers": "Numbers 表格",
    ".txt": "文本文件（.txt）",
    ".tsv": "制表符分隔文件（.tsv）",
}


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
_SPACES_AND_QUOTES = re.compile(r"[\s\"'“”‘’「」『』]+")
_NUMBERING = re.compile(r"^(?:\(?[一二三四五六七八九十]+\)|[一二三四五六七八九十]+、|\d+[.、．])")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")  # 收到日期（年/月/日） -> 收到日期


def norm(text: object) -> str:
    """The matching key of a header or category: NFKC (full width -> half width), no spaces,
    no quotation marks."""
    s = str(text)
    if not s.isascii():  # ASCII is its own NFKC form: ids and codes skip the normalisation
        s = unicodedata.normalize("NFKC", s)
    return _SPACES_AND_QUOTES.sub("", s)


def _header_key(text: object) -> str:
    """A header cell's key: as norm(), without the * or ※ that templates put on required columns."""
    return norm(_CONTROL.sub("", str(text))).strip("*※")


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
    """A value as the user typed it (as Excel shows it), for messages."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time() else v.isoformat(" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip() if isinstance(v, str) else v


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as Excel labels it."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ------------------------------------------------------------------------------------------------
# Cell parsers: a value as people type it, or None when it is not one
# ------------------------------------------------------------------------------------------------
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_DATE_WITH_TIME = re.compile(r"^(\d{4}\D\d{1,2}\D\d{1,2}日?)(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")
# What the first three formats accept: one separator used twice, a 1-2 digit month and day.
_PLAIN_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
FIRST_YEAR, LAST_YEAR = 1900, 2100  # a ledger date outside these years is a typing slip
DATE_HINT = "应为日期，如 2021-06-16、2021/6/16 或 Excel 日期"


def _any_date(v: object) -> dt.datetime | None:
    """A date in any form people write one (the time of day dropped), whatever its year."""
    if isinstance(v, bool):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, (int, float)):
        return _excel_serial(float(v))
    s = unicodedata.normalize("NFKC", str(v)).strip()
    plain = _PLAIN_DATE.fullmatch(s)
    if plain:  # the usual 2021-06-16 or 2021/6/16, without a strptime attempt per format
        try:
            return dt.datetime(int(plain[1]), int(plain[3]), int(plain[4]))
        except ValueError:
            return None  # no format reads 2021-02-30 either
    with_time = _DATE_WITH_TIME.match(s)
    s = with_time.group(1) if with_time else s
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            pass
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return _excel_serial(float(s))
    return None


def parse_date(v: object) -> dt.datetime | None:
    """A date as people write it in a ledger, or None when it is not one (or not a plausible one)."""
    d = _any_date(v)
    return d if d is not None and FIRST_YEAR <= d.year <= LAST_YEAR else None


def _excel_serial(x: float) -> dt.datetime | None:
    # Excel serials of the years 1955..2118 (a fraction is the time of day); anything else is not
    # a date someone meant.
    if 20000 <= x < 80000:
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
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v)) if v == v and abs(v) != float("inf") else None
    s = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    s = re.sub(r"(万元|元)$", "", s).strip().lstrip("¥").strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


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
    # load(columns, repeated): cells of the columns; a CSV parses the `repeated` ones into codes.
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
    sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(start[skip:]).lstrip("\ufeff")
    lines = sample.splitlines()[: HEAD_ROWS + 1]
    sep = "\t" if sum(s.count("\t") for s in lines) > sum(s.count(",") for s in lines) else ","
    try:
        head = [list(r) for _, r in zip(range(HEAD_ROWS), csv.reader(io.StringIO(sample, newline=""), delimiter=sep))]
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

    def load(columns: list[int], repeated: set[int] = frozenset()) -> dict[int, np.ndarray | pd.Categorical]:
        if not columns or not width:
            return {}
        if _signature(path) != signature:
            raise _problem(shown, "在读取期间被修改（可能正在 Excel 中编辑）：请关闭文件后重新运行")
        wanted = sorted(set(columns))
        scanner = None
        if not scan:  # the first read: look for control bytes on the other core meanwhile
            scanner = threading.Thread(target=lambda: scan.append(_control_bytes(path)), daemon=True)
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
        return {j: frame[j].array if j in repeated else frame[j].to_numpy(dtype=object) for j in wanted}

    # Filled by the first load(): whether the file holds a control byte, so that its columns'
    # values need searching (most files have none, and a million values are not searched).
    scan: list[bool] = []
    empty = whole and not start[skip:].strip(b" \t\r\n,;\x00")
    return _Sheet(
        head, load, True, width, lazy=signature[0] > EAGER_PERSONAL_BYTES, empty=empty,
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
            "从这一行起引号（\"）不成对，其后的内容无法分列：请检查这一行，或在 Excel 中打开后重新另存为 CSV",
            row=int(m.group(1)) + 1,
        )
    return _problem(shown, f"无法按 CSV 表格读取（{type(e).__name__}）：请在 Excel 中打开后重新另存为 CSV")


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
            f"「{s.title}」" + ("（隐藏）" if s.sheet_state != "visible" else "") for s in sheets if s is not ws
        )
        notes.append(f"{shown} 有多个工作表：读取的是工作表「{ws.title}」，未读取{skipped}")
    width = max((len(r) for r in grid), default=0)
    others = {
        s.title: [list(r) for r in s.iter_rows(max_row=HEAD_ROWS, values_only=True)]
        for s in sheets
        if s is not ws and hasattr(s, "iter_rows")
    }
    empty = not any(not _is_blank(v) for row in grid for v in row)

    def load(columns: list[int], repeated: set[int] = frozenset()) -> dict[int, np.ndarray]:
        return _grid_columns(grid, columns)

    return _Sheet(grid[:HEAD_ROWS], load, False, width, merged, empty=empty, other_heads=others, notes=notes)


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


# ------------------------------------------------------------------------------------------------
# Personal values, kept aside for the privacy guard
# ------------------------------------------------------------------------------------------------
Found = list[tuple[str, set[str]]]  # (where: 'requests.csv「申请人姓名」列', its values) per column


class PersonalValues(AbstractSet):
    """The personal values of the ledgers, for the privacy guard only (never a frame, never an
    output), with the column each came from. Those of a big CSV are read when first asked for."""

    def __init__(
        self,
        values: Iterable[str] = (),
        pending: Iterable[Callable[[], Found]] = (),
        columns: Found = (),
    ):
        self._values: set[str] = set(values)
        self._columns: Found = list(columns)
        for _where, found in self._columns:
            self._values |= found
        self._pending: list[Callable[[], Found]] = list(pending)

    def resolved(self) -> set[str]:
        while self._pending:
            for where, found in self._pending.pop(0)():
                self._columns.append((where, found))
                self._values |= found
        return self._values

    def source(self, value: str) -> str | None:
        """Where a personal value was read: 'requests.csv「申请人姓名」列', or None."""
        self.resolved()
        return next((where for where, found in self._columns if value in found), None)

    def __contains__(self, value: object) -> bool:
        return value in self.resolved()

    def __iter__(self) -> Iterator[str]:
        return iter(self.resolved())

    def __len__(self) -> int:
        return len(self.resolved())

    def __repr__(self) -> str:
        return f"<PersonalValues: {len(self._values)} read, {len(self._pending)} files pending>"

    @classmethod
    def union(cls, parts: Iterable[PersonalValues]) -> PersonalValues:
        out = cls()
        for p in parts:
            out._values |= p._values
            out._columns.extend(p._columns)
            out._pending.extend(p._pending)
        return out


def _personal_strings(cells: np.ndarray) -> set[str]:
    """The distinct personal values of a column, as the guard searches for them."""
    distinct = pd.unique(np.asarray(cells, dtype=object)).tolist()
    if all(map(str.__instancecheck__, distinct)):  # a CSV's cells: all text
        found = set(map(str.strip, distinct))
    else:
        found = {v.strip() if isinstance(v, str) else str(_shown(v)).strip() for v in distinct if not _is_blank(v)}
    found.discard("")
    # Placeholders (无, 不详, ——) are short: only short values need a closer look. A number of a
    # few digits (a row number in an ID column) identifies no one, and is in every report.
    found -= {
        s
        for s in found
        if len(s) <= 8
        and (s.lower() in _NOT_PERSONAL or not _WORD.search(s) or (len(s) < 5 and s.isdigit()))
    }
    return found


_WORD = re.compile(r"[^\W_]")  # a letter or digit, any script


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
    personal: PersonalValues = field(default_factory=PersonalValues, repr=False)

    def __getitem__(self, stem: str) -> pd.DataFrame:
        return self.frames[stem]

    @property
    def personal_values(self) -> set[str]:
        return self.personal.resolved()

    def years(self) -> list[int]:
        """Every year any ledger has a dated row in, ascending."""
        found: set[int] = set()
        for stem, df in self.frames.items():
            for col in SCHEMAS[stem].columns:
                if col.kind == "date" and col.required and len(df):
                    found.update(int(y) for y in df[col.name].dt.year.dropna().unique())
        return sorted(found)


def ledger_file(data_dir: Path, stem: str) -> Path | None:
    """The ledger file for `stem` in the folder (.csv or .xlsx, any letter case), or None.

    A file that is plainly meant as this ledger but cannot be read as one (requests.xls,
    Requests.csv, 依申请公开台账.xlsx) is an error, not an absent ledger: it would count as zero.
    So is an entry with the ledger's name that is not a readable file (a folder, a dangling or
    looping link, a pipe): it is named by its name alone, never opened.
    """
    try:
        entries = [p for p in data_dir.iterdir() if not p.name.startswith(("~$", ".~"))]
    except OSError as e:
        raise _problem(str(data_dir), f"无法读取台账文件夹：{_os_reason(e)}") from None
    hits = [p for p in entries if p.stem == stem and p.suffix.lower() in (".csv", ".xlsx")]
    if len(hits) > 1:
        names = "、".join(sorted(p.name for p in hits))
        raise _problem(str(data_dir), f"同一台账有多个文件（{names}），请只保留一个")
    if hits:
        unreadable = not_a_readable_file(hits[0])
        if unreadable:
            raise _problem(hits[0].name, unreadable)
        return hits[0]
    title = norm(SCHEMAS[stem].title)
    for p in sorted(entries):
        if p.stem == stem and p.suffix.lower() in OTHER_FORMATS:
            kind = OTHER_FORMATS[p.suffix.lower()]
            raise _problem(p.name, f"是{kind}，reportkit 读取不了：请在 Excel 中另存为 {stem}.xlsx 或 {stem}.csv")
        if p.stem.lower() == stem and p.suffix.lower() in (".csv", ".xlsx"):
            raise _problem(p.name, f"文件名应为 {stem}{p.suffix.lower()}（全部小写），请改名")
        if title in norm(p.stem) and p.suffix.lower() in (".csv", ".xlsx", *OTHER_FORMATS):
            why = f"像是{SCHEMAS[stem].title}：台账文件须按规定命名，请改名为 {stem}.xlsx 或 {stem}.csv"
            raise _problem(p.name, why)
    return None


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


def _os_reason(e: OSError) -> str:
    """An operating-system error in Chinese, with its system name for whoever helps."""
    name = errno.errorcode.get(e.errno or 0, type(e).__name__)
    return f"{_OS_REASONS.get(e.errno, '系统错误')}（{name}）"


def empty_frame(stem: str) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {ROW: pd.Series([], dtype="int64")}
    for c in SCHEMAS[stem].columns:
        dtype = {"date": "datetime64[ns]", "int": "int64"}.get(c.kind, "object")
        cols[c.name] = pd.Series([], dtype=dtype)
    return pd.DataFrame(cols)


class _TooManyProblems(LedgerError):
    """A LedgerError that lists the first MAX_PROBLEMS problems of each file but counts them all."""

    def __init__(self, problems: list[CellProblem], total: int):
        super().__init__(problems)
        self.total = total
        lines = [f"台账有{total}处问题（每个文件最多列出前{MAX_PROBLEMS}处）：", *(str(p) for p in problems)]
        ReportkitError.__init__(self, "\n".join(lines))


def load_ledgers(data_dir: str | Path, extra_personal: list[str] | tuple[str, ...] = ()) -> Ledgers:
    """Read every ledger in `data_dir`. Raises LedgerError listing every problem of every ledger."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ReportkitError(f"台账文件夹不存在：{data_dir}")
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, Path | None] = {}
    notes: list[str] = []
    personal: list[PersonalValues] = []
    problems: list[CellProblem] = []
    total, capped = 0, False
    personal_names = {_personal_key(c) for c in (*PERSONAL_COLUMNS, *extra_personal)}
    for stem, schema in SCHEMAS.items():
        try:  # keep reading: the user gets every ledger's problems at once
            path = ledger_file(data_dir, stem)
            files[stem] = path
            if path is None:
                frames[stem] = empty_frame(stem)
                notes.append(f"未找到{schema.title}（{stem}.csv 或 {stem}.xlsx），按本年无此类记录处理")
                continue
            frame, ledger_notes, values = read_ledger(path, schema, personal_names)
        except LedgerError as e:
            problems.extend(e.problems)
            total += getattr(e, "total", len(e.problems))
            capped |= isinstance(e, _TooManyProblems)
            continue
        frames[stem] = frame
        notes.extend(ledger_notes)
        personal.append(values)
    if problems:
        raise _TooManyProblems(problems, total) if capped else LedgerError(problems)
    return Ledgers(data_dir, frames, files, notes, PersonalValues.union(personal))


# ------------------------------------------------------------------------------------------------
# One ledger
# ------------------------------------------------------------------------------------------------
@dataclass
class _Header:
    row: int  # 0-based row of the header in the grid
    columns: dict[str, int]  # schema column -> grid column
    personal: list[int]  # grid columns holding personal data


class _Problems:
    """A ledger's problems in order: the first MAX_PROBLEMS kept, all counted."""

    def __init__(self, shown: str):
        self.shown = shown
        self.listed: list[CellProblem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, value: object, message: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_PROBLEMS:
            self.listed.append(CellProblem(self.shown, row, column, value, message))

    def room(self) -> int:
        return MAX_PROBLEMS - len(self.listed)

    def raise_if_any(self, personal: Iterable[str] | None = None) -> None:
        if not self.total:
            return
        problems = list(self.listed)
        if personal is not None:  # a shifted row puts a name or an address where a date should be
            problems = _masked(problems, personal)
        if self.total > len(problems):
            rest = self.total - len(problems)
            summary = f"另有{rest}处同类问题未逐一列出，请按上面的说明一并修正"
            problems.append(CellProblem(self.shown, None, None, None, summary))
            raise _TooManyProblems(problems, self.total)
        raise LedgerError(problems)


def _masked(problems: list[CellProblem], personal: Iterable[str]) -> list[CellProblem]:
    """The problems with every personal value they would show masked (张**), file, row and column
    still named."""
    masker = privacy.Masker(personal)
    out = []
    for p in problems:
        shown = masker.shown(p.value)
        if shown is not p.value:
            p = replace(p, value=shown, message=p.message.replace(str(p.value), str(shown)))
        out.append(p)
    return out


def read_ledger(
    path: Path, schema: Schema, personal_names: set[str] | None = None
) -> tuple[pd.DataFrame, list[str], PersonalValues]:
    """One ledger file -> (typed frame, notes, personal values seen)."""
    with _no_gc():
        return _read_ledger(path, schema, personal_names)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    # Millions of new cells would set off full garbage collections that find nothing to free.
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _read_ledger(
    path: Path, schema: Schema, personal_names: set[str] | None
) -> tuple[pd.DataFrame, list[str], PersonalValues]:
    shown = path.name
    if personal_names is None:
        personal_names = {_personal_key(c) for c in PERSONAL_COLUMNS}
    sheet = _open_sheet(path, shown)
    header = _find_header(sheet, schema, shown, personal_names)
    problems = _Problems(shown)
    notes: list[str] = list(sheet.notes)

    # 1. the schema's columns, each factorised: one code per row, one entry per distinct value.
    kinds = {header.columns[c.name]: c.kind for c in schema.columns if c.name in header.columns}
    wanted = sorted(kinds)
    personal = [j for j in header.personal if j not in kinds]
    repeated = {j for j, kind in kinds.items() if kind not in ("id", "text")}
    cells = sheet.load(wanted if sheet.lazy else wanted + personal, repeated)
    start = header.row + 1
    n = max(max((len(a) for a in cells.values()), default=0) - start, 0)
    # Ids and free text are (nearly) all different: each cell is its own code, no factorising.
    controls = sheet.controls()
    distinct = {j: _Distinct.of(cells[j][start:], sheet.text, kinds[j] in ("id", "text"), controls) for j in wanted}

    # 2. rows: a row counts unless every one of its cells is blank.
    blank_row = np.ones(n, dtype=bool)
    for d in distinct.values():
        blank_row &= d.blank[d.codes]
    if blank_row.any() and sheet.width > len(wanted):
        rest = [j for j in range(sheet.width) if j not in distinct]
        cells.update(sheet.load([j for j in rest if j not in cells]))
        candidates = np.flatnonzero(blank_row)
        for j in rest:
            column = cells[j][start:][candidates]
            blank_row[candidates] &= np.fromiter((_is_blank(v) for v in column), bool, len(candidates))
    keep = ~blank_row
    every = bool(keep.all())  # the usual case: no row to skip, so no column to filter
    rows = (np.flatnonzero(keep) + start + 1).astype("int64")

    # 3. personal values: from the cells at hand, or read again when the privacy guard asks.
    values = _personal_values(sheet, header, cells, start, shown)
    del cells

    # 4. convert each column over its distinct values, then map back to the rows.
    _merged_problems(sheet, header, schema, start, problems)
    data: dict[str, object] = {ROW: rows}
    ids: np.ndarray | None = None
    for col in schema.columns:
        j = header.columns.get(col.name)
        if j is None:
            data[col.name] = _blank_column(col, len(rows))
            continue
        d = distinct[j]
        values_of, errors, aliases = _convert_distinct(col, d)
        codes = d.codes if every else d.codes[keep]
        # free text is its own code: its values are already in row order
        data[col.name] = values_of[:-1] if every and d.identity else values_of[codes]
        _cell_problems(col, d, codes, errors, rows, problems)
        if aliases:
            _alias_notes(col, d, codes, aliases, rows, shown, notes)
        if d.cleaned:
            _control_notes(col, d, codes, rows, shown, notes)
        if col.kind == "id":
            ids = _same_id(d, values_of)[codes]
    if ids is not None:
        _duplicate_ids(ids, data[schema.id_column], rows, schema.id_column, problems)
    problems.raise_if_any(values)
    if not len(rows):
        notes.append(f"{shown} 只有表头，没有记录，按本年无此类记录处理")
    return _frame(schema, data), notes, values


@dataclass
class _Distinct:
    """One column factorised: the code of each row, and per code its value as read, whether it is
    blank and (for text cells) its stripped form. The last code stands for an empty cell.
    `flagged`: codes of text cells that hold an Excel error value (#N/A …)."""

    codes: np.ndarray
    uniques: np.ndarray
    blank: np.ndarray
    stripped: np.ndarray | None = None
    flagged: tuple[int, ...] = ()
    identity: bool = False  # each row is its own code (ids and free text)
    cleaned: tuple[int, ...] = ()  # codes whose text had control characters removed

    @classmethod
    def of(
        cls, cells: np.ndarray | pd.Categorical, text: bool, free_text: bool = False, controls: bool = True
    ) -> _Distinct:
        if isinstance(cells, pd.Categorical):
            codes, uniques = cells.codes.astype(np.int64), np.asarray(cells.categories, dtype=object)
        elif text and free_text:  # ids and free text rarely repeat: each cell is its own value
            codes, uniques = np.arange(len(cells)), np.asarray(cells, dtype=object)
        else:
            found_codes, found = pd.factorize(cells, use_na_sentinel=True)
            uniques = np.asarray(found, dtype=object)
            codes = np.where(found_codes < 0, len(uniques), found_codes)
        values = uniques.tolist()
        cleaned = _control_codes(values, text) if controls else ()
        if cleaned:  # rare: only then copy the values
            for i in cleaned:
                values[i] = _CONTROL.sub("", values[i])
            uniques = np.array(values, dtype=object)
        if not text:
            blank = np.fromiter((_is_blank(u) for u in uniques), bool, len(uniques))
            return cls(codes, uniques, np.append(blank, True), cleaned=cleaned)
        as_list = list(map(str.strip, values))
        # str.strip() returns the very same object when there is nothing to strip: one C-level
        # comparison of the lists says whether any value changed.
        same = as_list == values and not cleaned  # cleaned values may now equal others
        stripped = uniques if same else np.array(as_list, dtype=object)
        flagged: tuple[int, ...] = ()
        if not EXCEL_ERRORS.isdisjoint(as_list):  # rare: only then look for where
            flagged = tuple(i for i, v in enumerate(as_list) if v in EXCEL_ERRORS)
        identity = text and free_text and not isinstance(cells, pd.Categorical)
        return cls(codes, uniques, np.append(stripped == "", True), stripped, flagged, identity, cleaned)


# Control characters (C0 but tab, line feed and carriage return) have no place in a ledger cell:
# a NUL or an escape code pasted in from another system. They are removed as the cell is read,
# with a note, rather than refused: the text around them is what the user typed and meant, and a
# note lets them clean the ledger when they next edit it.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _control_codes(values: list[object], text: bool) -> tuple[int, ...]:
    """The positions of the text values holding a control character.

    All the values are joined and their code points compared with 32 by numpy: a million ids
    cost a few passes in C, not a million searches. Only when some code point is below 32 (a
    control character, or just a tab or line break) are the values searched one by one."""
    joined = "".join(values if text else [v for v in values if isinstance(v, str)])
    if joined.isascii():
        points = np.frombuffer(joined.encode("ascii"), np.uint8)
    else:  # UTF-16 units: a control character is one unit below 32, nothing else is
        points = np.frombuffer(joined.encode("utf-16-le", "surrogatepass"), np.uint16)
    if not (points < 32).any():
        return ()
    return tuple(i for i, v in enumerate(values) if isinstance(v, str) and _CONTROL.search(v))


def _control_notes(
    col: Column, d: _Distinct, codes: np.ndarray, rows: np.ndarray, shown: str, notes: list[str]
) -> None:
    is_cleaned = np.zeros(len(d.blank), dtype=bool)
    is_cleaned[list(d.cleaned)] = True
    hits = np.flatnonzero(is_cleaned[codes])
    for i in hits[:MAX_NOTES]:
        notes.append(f"{shown} 第{rows[i]}行「{col.name}」含不可见的控制字符（如 NUL），已删去；建议在台账中一并删去")
    if len(hits) > MAX_NOTES:
        notes.append(f"{shown} 另有{len(hits) - MAX_NOTES}行「{col.name}」含不可见的控制字符，已删去")


def _personal_values(
    sheet: _Sheet, header: _Header, cells: dict[int, np.ndarray], start: int, shown: str = ""
) -> PersonalValues:
    if not header.personal:
        return PersonalValues()
    row = sheet.head[header.row] if header.row < len(sheet.head) else []
    where = {}
    for j in header.personal:
        where[j] = f"{shown}「{_shown(row[j]) if j < len(row) else _column_letter(j)}」列"
    if all(j in cells for j in header.personal):
        found = [(where[j], _personal_strings(cells[j][start:])) for j in header.personal]
        return PersonalValues(columns=found)
    columns = list(header.personal)

    def later() -> Found:
        loaded = sheet.load(columns).items()
        return [(where[j], _personal_strings(column[start:])) for j, column in loaded]

    return PersonalValues(pending=[later])


def _find_header(sheet: _Sheet, schema: Schema, shown: str, personal_names: set[str]) -> _Header:
    """The header row (a title row may sit above it), each schema column's position and the
    personal columns. A near miss of a column name is an error: the column would go unread."""
    head = sheet.head
    exact = {norm(c.name): c.name for c in schema.columns}
    bare = {_TRAILING_NOTE.sub("", k): name for k, name in exact.items() if "(" not in k}
    elsewhere = next(
        (
            title
            for title, rows in sheet.other_heads.items()
            if any(all(r in _match_columns(row, exact, bare) for r in schema.required) for row in rows)
        ),
        None,
    )
    where = f"；表头在工作表「{elsewhere}」中，台账应放在第一个工作表（请把该工作表拖到最前）" if elsewhere else ""
    if sheet.empty:
        raise _problem(shown, f"文件是空的：第1行应为表头（{'、'.join(schema.required)} …），其下每行一条记录{where}")
    best: tuple[int, dict[str, int]] = (0, {})
    for i, row in enumerate(head):
        found = _match_columns(row, exact, bare)
        if all(r in found for r in schema.required):
            best = (i, found)
            break
        if len(found) > len(best[1]):
            best = (i, found)
    at, found = best
    row_cells = list(head[at])
    problems = _Problems(shown)
    missing = [r for r in schema.required if r not in found]
    if not found:
        problems.add(
            None,
            None,
            None,
            f"找不到表头：前{HEAD_ROWS}行中没有一行含「{'」「'.join(schema.required)}」{where}"
            f"（表头可在标题行之下；列名须与规定一致，见 README）",
        )
        problems.raise_if_any()
    keys = [_header_key(h) if not _is_blank(h) else "" for h in row_cells]
    unmatched = [c.name for c in schema.columns if c.name not in found]
    # Two columns with one name: which one counts would be a guess.
    for name, j in found.items():
        twins = [k for k, h in enumerate(keys) if k != j and _match_columns([row_cells[k]], exact, bare).get(name) == 0]
        if twins:
            letters = "和".join(_column_letter(k) for k in (j, *twins))
            problems.add(at + 1, name, None, f"表头中有多列都是「{name}」（{letters}列），请只保留一列")
    hinted = schema.stem in PEOPLE_LEDGERS
    personal = [
        j for j, k in enumerate(keys) if k and _is_personal(k, personal_names, hinted) and j not in found.values()
    ]
    for name, j in list(found.items()):
        bare = _personal_key(_TRAILING_NOTE.sub("", keys[j]))
        if _personal_key(name) in personal_names or bare in personal_names:
            col = next(c for c in schema.columns if c.name == name)
            if col.required:
                problems.add(at + 1, name, None, "是本台账的必填列，不能在参数文件的 personal_columns 中标为个人信息")
            else:  # marked personal in the params: dropped like 申请人姓名
                personal.append(j)
                del found[name]
    taken = set(found.values()) | set(personal)
    hints = {}
    for j, k in enumerate(keys):
        if not k or j in taken:
            continue
        near = _near_column(k, unmatched)
        if near and near not in hints:
            hints[near] = (j, _shown(row_cells[j]))
    for m in missing:
        hint = ""
        if m in hints:
            j, typed = hints.pop(m)
            hint = f"；{_column_letter(j)}列的「{typed}」{_rename(str(typed), m, '是否就是此列？')}"
        problems.add(at + 1, m, None, f"缺少必填列「{m}」（表头应含：{'、'.join(schema.required)}）{hint}")
    for name, (j, typed) in hints.items():
        problems.add(
            at + 1,
            str(typed),
            None,
            f"不是本台账的列名，{_rename(str(typed), name, f'是否应为「{name}」？')}，否则这一列不会被读取",
        )
    problems.raise_if_any()
    return _Header(at, found, sorted(set(personal)))


def _rename(typed: str, name: str, question: str) -> str:
    """How to turn a header as typed into the column it was meant as."""
    unit = re.search(r"\(([^()]*)\)$", norm(name))
    typed_unit = re.search(r"\(([^()]*)\)$", norm(typed))
    if unit and typed_unit and unit.group(1) != typed_unit.group(1):
        return f"单位不同：此列应以{unit.group(1)}计，请把数值换算为{unit.group(1)}后，把列名改为「{name}」"
    return f"{question}请把列名改为「{name}」"


def _match_columns(row: list[object], exact: dict[str, str], bare: dict[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for j, h in enumerate(row):
        if _is_blank(h):
            continue
        key = _header_key(h)
        name = exact.get(key) or bare.get(_TRAILING_NOTE.sub("", key))
        if name and name not in found:
            found[name] = j
    return found


def personal_column(header: object, stem: str, extra: Iterable[str] = ()) -> bool:
    """Whether a ledger column holds personal data: dropped as the ledger is read, its values
    searched for in every output by the privacy guard.

    A column is personal when its header (spaces, width, letter case, quotation marks, a trailing
    note in brackets and traditional characters aside: 證件號碼 = 证件号码, EMAIL = Email,
    申请人（代理人）= 申请人) is
    - one of PERSONAL_COLUMNS, in any ledger: 申请人姓名, 证件号码, 联系电话, 地址,
      申请人, 姓名, 联系人, 代理人, 身份证号, 身份证号码, 手机号码, 电子邮箱, 邮箱, 住址,
      微信, QQ, Email;
    - or one listed in the params' `personal_columns`;
    - or, in the ledgers about people (依申请公开、复议诉讼、行政许可、处罚、强制、收费),
      one that contains a word of PERSONAL_HINTS: 姓名, 身份证, 证件, 电话, 手机, 住址,
      地址, 联系人, 联系方式, 邮箱, 邮件, 微信, QQ, 当事人, 代理人, 申请人 — or, in
      English, Name, Phone, Tel, Mobile, Email/E-mail, Address, WeChat, ID/ID No. —,
      unless it names a kind or a count: 申请人类型 (a required column), 证件类型, 申请人数
      are not personal.
    A column of the ledger's own schema (申请人类型, 申请内容 …) is never personal by a hint.
    """
    names = {_personal_key(c) for c in (*PERSONAL_COLUMNS, *extra)}
    return _is_personal(_header_key(header), names, stem in PEOPLE_LEDGERS)


def _personal_key(text: object) -> str:
    """A header or column name as personal columns are matched: norm(), simplified characters,
    lower case (Email = email)."""
    return norm(text).translate(_SIMPLIFIED).lower()


def _is_personal(key: str, personal_names: set[str], hinted: bool) -> bool:
    key = key.translate(_SIMPLIFIED).lower()
    base = _TRAILING_NOTE.sub("", key)
    if key in personal_names or base in personal_names:
        return True
    if not hinted or base.endswith(_NOT_PERSONAL_ENDINGS):
        return False
    return any(h in key for h in PERSONAL_HINTS) or bool(_ENGLISH_HINTS.search(base))


def _near_column(key: str, names: list[str]) -> str | None:
    """The schema column a header cell was probably meant as: same name but its unit, or one or
    two characters off."""
    stripped = _TRAILING_NOTE.sub("", key)
    for name in names:
        if _TRAILING_NOTE.sub("", norm(name)) == stripped:
            return name
    for name in names:
        target = norm(name)
        if abs(len(target) - len(key)) <= 1 and difflib.SequenceMatcher(None, key, target).ratio() >= 0.75:
            return name
    return None


def _merged_problems(sheet: _Sheet, header: _Header, schema: Schema, start: int, problems: _Problems) -> None:
    """A number merged over several rows cannot be told apart: counted once or once per row?"""
    by_position = {j: name for name, j in header.columns.items()}
    kinds = {c.name: c.kind for c in schema.columns}
    for r0, c0, r1, c1 in sorted(sheet.merged):
        if r1 < start:
            continue
        for j in range(c0, c1 + 1):
            name = by_position.get(j)
            if name and kinds[name] in ("id", "int", "money"):
                first, last = max(r0, start) + 1, r1 + 1
                problems.add(
                    first,
                    name,
                    None,
                    f"是跨第{first}至{last}行的合并单元格：每行应各自填写（合并后无法确定每行的值），请取消合并",
                )


def _blank_column(col: Column, n: int) -> np.ndarray:
    if col.kind == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    out = np.empty(n, dtype=object)
    out[:] = col.default
    return out


def _convert_distinct(col: Column, d: _Distinct) -> tuple[np.ndarray, dict[int, str], dict[int, str]]:
    """Each distinct value of a column converted once: (value per code, problem per code, official
    name per code written as an alias)."""
    errors: dict[int, str] = {}
    aliases: dict[int, str] = {}
    k = len(d.uniques)
    if col.kind in ("id", "text") and d.stripped is not None:
        values_of = np.append(d.stripped, None)
        values_of[d.blank] = None
        errors = dict.fromkeys(d.flagged, EXCEL_ERROR_HINT)
        return values_of, errors, aliases
    convert = _CONVERTERS[col.kind]
    converted_list: list[object] = []
    for code, (u, is_blank) in enumerate(zip(d.uniques, d.blank)):
        if is_blank:
            converted_list.append(col.default)
            continue
        if isinstance(u, _Uncalculated):
            converted_list.append(None)
            errors[code] = u.hint
            continue
        if isinstance(u, str) and u.strip() in EXCEL_ERRORS:
            converted_list.append(None)
            errors[code] = EXCEL_ERROR_HINT
            continue
        value, error, alias = convert(col, u)
        converted_list.append(value)
        if error:
            errors[code] = error
        if alias:
            aliases[code] = alias
    if col.kind == "date":
        return np.array(converted_list + [None], dtype="datetime64[us]"), errors, aliases
    values_of = np.empty(k + 1, dtype=object)
    values_of[:] = converted_list + [col.default]
    return values_of, errors, aliases


def _cell_problems(
    col: Column, d: _Distinct, codes: np.ndarray, errors: dict[int, str], rows: np.ndarray, problems: _Problems
) -> None:
    """A problem for each row whose value is wrong, or blank in a required column, in row order."""
    bad_code = d.blank.copy() if col.required else np.zeros(len(d.blank), dtype=bool)
    bad_code[list(errors)] = True
    bad = np.flatnonzero(bad_code[codes])
    room = max(problems.room(), 0)
    for i in bad[:room]:
        code = int(codes[i])
        if code in errors:
            problems.add(int(rows[i]), col.name, _shown(d.uniques[code]), errors[code])
        else:
            problems.add(int(rows[i]), col.name, None, "必填项为空")
    problems.total += max(len(bad) - room, 0)


EXCEL_ERROR_HINT = "是 Excel 的错误值（公式出错）：请修正公式，或直接填写正确的值"


def _alias_notes(col: Column, d: _Distinct, codes: np.ndarray, aliases: dict[int, str], rows, shown, notes) -> None:
    is_alias = np.zeros(len(d.blank), dtype=bool)
    is_alias[list(aliases)] = True
    hits = np.flatnonzero(is_alias[codes])
    for i in hits[:MAX_NOTES]:
        code = int(codes[i])
        notes.append(
            f"{shown} 第{rows[i]}行「{col.name}」写作「{_shown(d.uniques[code])}」，"
            f"已按「{aliases[code]}」计入；建议改为规范名称"
        )
    if len(hits) > MAX_NOTES:
        rest = len(hits) - MAX_NOTES
        notes.append(f"{shown} 另有{rest}行「{col.name}」写作简称，已按规范名称计入；建议一并改为规范名称")


def _same_id(d: _Distinct, values_of: np.ndarray) -> np.ndarray:
    """Per code, a number shared by every code whose id reads the same (「A1」 and 「A1 」), or -1."""
    k = len(d.uniques)
    # Codes already name distinct ids when factorised values needed no stripping, or when each
    # cell is its own code and no id repeats (the usual case).
    if _all_different(values_of[:k][~d.blank[:k]]) if d.identity else d.stripped is d.uniques:
        same = np.arange(k + 1)
    else:
        same = np.append(pd.factorize(values_of[:k], use_na_sentinel=True)[0], -1)
    same[d.blank] = -1
    return same


def _all_different(values: np.ndarray) -> bool:
    """Whether no value repeats: a set of a million ids is quicker than factorising them."""
    listed = values.tolist()
    return len(set(listed)) == len(listed)


def _duplicate_ids(same: np.ndarray, ids: np.ndarray, rows: np.ndarray, id_col: str, problems: _Problems) -> None:
    present = same >= 0
    dup = pd.Series(same).duplicated(keep="first").to_numpy() & present
    if not dup.any():
        return
    first_seen: dict[int, int] = {}
    for i in np.flatnonzero(np.isin(same, np.unique(same[dup]))):
        key = int(same[i])
        if key not in first_seen:
            first_seen[key] = int(rows[i])
        else:
            problems.add(int(rows[i]), id_col, ids[i], f"编号重复（与第{first_seen[key]}行相同），每条记录的编号应唯一")


def _frame(schema: Schema, data: dict[str, object]) -> pd.DataFrame:
    for col in schema.columns:
        if col.kind == "int":
            data[col.name] = np.asarray(data[col.name], dtype=np.int64)
    return pd.DataFrame(data, copy=False)


# ------------------------------------------------------------------------------------------------
# Converters of one distinct value: (value, problem, alias used)
# ------------------------------------------------------------------------------------------------
def _to_id(col: Column, v: object):
    return str(_shown(v)).strip(), None, None


def _to_date(col: Column, v: object):
    d = _any_date(v)
    if d is None:
        return None, DATE_HINT, None
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        return None, f"年份{d.year}不合理：{DATE_HINT}", None
    return d, None, None


def _to_int(col: Column, v: object):
    n = parse_int(v)
    if n is None:
        return None, "应为整数", None
    if n < 0:
        return None, "不应为负数", None
    if n >= 10**12:
        return None, "数值过大，请核对", None
    return n, None, None


def _to_money(col: Column, v: object):
    m = parse_money(v)
    if m is None:
        return None, "应为金额数字，如 1200.50", None
    if m < 0:
        return None, "金额不应为负数", None
    return m, None, None


def _suggest(key: str, choices: list[str]) -> str:
    keys = {norm(c): c for c in choices}
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.5)
    return f"（是否应为「{keys[close[0]]}」？）" if close else ""


def _to_category(col: Column, v: object):
    key = norm(v)
    for choice in col.choices:
        if norm(choice) == key:
            return choice, None, None
    for alias, official in vocab.ALIASES.items():
        if norm(alias) == key and official in col.choices:
            return official, None, official
    valid = "、".join(col.choices)
    return None, f"不是可用的类别{_suggest(key, list(col.choices))}，应为：{valid}", None


def _to_outcome(col: Column, v: object):
    found = match_outcome(v)
    if found:
        return found, None, None
    leaves = [o.split("/")[-1] for o in vocab.OUTCOMES]
    hint = _suggest(_strip_numbering(norm(v)).split("/")[-1], leaves)
    return None, f"不是表三的办理结果{hint}；应写表三的一项，如「予以公开」或「不予公开/属于国家秘密」", None


_CONVERTERS: dict[str, Callable[[Column, object], tuple[object, str | None, str | None]]] = {
    "id": _to_id,
    "text": _to_id,
    "date": _to_date,
    "int": _to_int,
    "money": _to_money,
    "category": _to_category,
    "outcome": _to_outcome,
}
