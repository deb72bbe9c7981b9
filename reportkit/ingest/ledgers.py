"""Reading the ledgers (台账): CSV or XLSX, as Excel on an office PC saves them, into typed DataFrames.

Every problem in a ledger is collected and raised at once as a LedgerError naming the file, the
row as Excel shows it (the header is row 1), the column and the value. Personal columns are never
read into a frame: their values are kept aside, only for the privacy guard.

Reading is column-wise: a CSV is parsed by pandas' C parser (a big one by pyarrow, see
columnar.py), and each column is converted once per distinct value (dates, categories and numbers
repeat a lot), then mapped back to its rows.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from reportkit.contract.errors import CellProblem, LedgerError, ReportkitError
from reportkit.contract.schema import (  # noqa: F401 - ledgers.<name> stays the public path
    _ENGLISH_HINTS,
    _NOT_PERSONAL,
    _NOT_PERSONAL_ENDINGS,
    _SIMPLIFIED,
    EXCEL_ERRORS,
    HEAD_ROWS,
    MAX_NOTES,
    MAX_PROBLEMS,
    OTHER_FORMATS,
    PEOPLE_LEDGERS,
    PERSONAL_COLUMNS,
    PERSONAL_HINTS,
    REQUESTS_PERSONAL,
    ROW,
    SCHEMAS,
    Column,
    Schema,
    _c,
)
from reportkit.ingest import columnar, privacy
from reportkit.ingest.cells import (  # noqa: F401 - ledgers.<name> stays the public path
    _CONTROL,
    _CONVERTERS,
    _DATE_FORMATS,
    _DATE_WITH_TIME,
    _EXCEL_EPOCH,
    _NUMBERING,
    _PLAIN_DATE,
    _SPACES_AND_QUOTES,
    _TRAILING_NOTE,
    DATE_HINT,
    FIRST_YEAR,
    LAST_YEAR,
    OUTCOME_LOOKUP,
    _any_date,
    _column_letter,
    _excel_serial,
    _header_key,
    _is_blank,
    _outcome_lookup,
    _shown,
    _strip_numbering,
    _suggest,
    _to_category,
    _to_date,
    _to_id,
    _to_int,
    _to_money,
    _to_outcome,
    match_outcome,
    norm,
    parse_date,
    parse_int,
    parse_money,
)
from reportkit.ingest.personal import (  # noqa: F401 - ledgers.<name> stays the public path
    _WORD,
    Found,
    PersonalValues,
    _personal_strings,
)
from reportkit.ingest.sheets import (  # noqa: F401 - ledgers.<name> stays the public path
    _FORMULA_TAG,
    _OS_REASONS,
    _SAMPLE_BYTES,
    EAGER_PERSONAL_BYTES,
    ENCODING_HELP,
    _control_bytes,
    _csv_sheet,
    _detect_encoding,
    _grid_columns,
    _has_formulas,
    _link_target,
    _mark_uncalculated,
    _mixed_at,
    _mixed_encoding,
    _open_sheet,
    _os_reason,
    _problem,
    _Sheet,
    _signature,
    _Uncalculated,
    _unreadable_csv,
    _wrong_kind,
    _xlsx_sheet,
    not_a_readable_file,
)


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
            raise _problem(
                p.name,
                f"是{kind}，reportkit 读取不了：请在 Excel 中另存为 {stem}.xlsx 或 {stem}.csv",
            )
        if p.stem.lower() == stem and p.suffix.lower() in (".csv", ".xlsx"):
            raise _problem(p.name, f"文件名应为 {stem}{p.suffix.lower()}（全部小写），请改名")
        if title in norm(p.stem) and p.suffix.lower() in (".csv", ".xlsx", *OTHER_FORMATS):
            why = f"像是{SCHEMAS[stem].title}：台账文件须按规定命名，请改名为 {stem}.xlsx 或 {stem}.csv"
            raise _problem(p.name, why)
    return None


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
        lines = [
            f"台账有{total}处问题（每个文件最多列出前{MAX_PROBLEMS}处）：",
            *(str(p) for p in problems),
        ]
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
                notes.append(
                    f"未找到{schema.title}（{stem}.csv 或 {stem}.xlsx），按本年无此类记录处理"
                )
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
    cells = sheet.load(wanted if sheet.lazy else wanted + personal, repeated, set(kinds) - repeated)
    start = header.row + 1
    n = max(max((len(a) for a in cells.values()), default=0) - start, 0)
    # Ids and free text are (nearly) all different: each cell is its own code, no factorising.
    controls = sheet.controls()
    distinct = {
        j: _Distinct.of(cells[j][start:], sheet.text, kinds[j] in ("id", "text"), controls)
        for j in wanted
    }

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
            blank_row[candidates] &= np.fromiter(
                (_is_blank(v) for v in column), bool, len(candidates)
            )
    keep = ~blank_row
    every = bool(keep.all())  # the usual case: no row to skip, so no column to filter
    rows = (np.flatnonzero(keep) + start + 1).astype("int64")

    # 3. personal values: from the cells at hand, or read again when the privacy guard asks.
    values = _personal_values(sheet, header, cells, start, shown)
    del cells

    # 4. convert each column over its distinct values, then map back to the rows.
    _merged_problems(sheet, header, schema, start, problems)
    data: dict[str, object] = {ROW: rows}
    ids: tuple | None = None
    for col in schema.columns:  # a big CSV's ids are compared on the other core meanwhile
        if col.kind == "id" and col.name in header.columns:
            distinct[header.columns[col.name]].compare_soon()
    for col in schema.columns:
        j = header.columns.get(col.name)
        if j is None:
            data[col.name] = _blank_column(col, len(rows))
            continue
        d = distinct[j]
        values_of, errors, aliases = _convert_distinct(col, d)
        codes = d.codes if every else d.codes[keep]
        # free text is its own code: its values are already in row order
        data[col.name] = values_of[:-1] if every and d.identity else columnar.take(values_of, codes)
        _cell_problems(col, d, codes, errors, rows, problems)
        if aliases:
            _alias_notes(col, d, codes, aliases, rows, shown, notes)
        if d.cleaned:
            _control_notes(col, d, codes, rows, shown, notes)
        if col.kind == "id":
            ids = (d, values_of, codes)
    if ids is not None:
        same = _same_id(ids[0], ids[1])[ids[2]]
        _duplicate_ids(same, data[schema.id_column], rows, schema.id_column, problems)
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
    different: Callable[[], bool] | None = None  # whether no value repeats, when asked early

    def compare_soon(self) -> None:
        """Start finding out whether the values all differ (a big CSV's ids, in Arrow)."""
        if self.identity and not isinstance(self.stripped, np.ndarray):
            self.different = columnar.all_different_soon(self.stripped, self.blank[:-1])

    @classmethod
    def of(
        cls,
        cells: np.ndarray | pd.Categorical,
        text: bool,
        free_text: bool = False,
        controls: bool = True,
    ) -> _Distinct:
        if not isinstance(cells, np.ndarray | pd.Categorical):  # a big CSV's text, in Arrow
            judged = columnar.free_text(cells)
            if judged is not None:
                values, blank, flagged = judged
                blank = np.append(blank, True)
                return cls(np.arange(len(values)), values, blank, values, flagged, True)
            cells = columnar.to_numpy(cells)  # rare: values to strip, or none but blanks
        if isinstance(cells, pd.Categorical):
            codes, uniques = (
                cells.codes.astype(np.int64),
                np.asarray(cells.categories, dtype=object),
            )
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
        return cls(
            codes, uniques, np.append(stripped == "", True), stripped, flagged, identity, cleaned
        )


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
        notes.append(
            f"{shown} 第{rows[i]}行「{col.name}」含不可见的控制字符（如 NUL），已删去；建议在台账中一并删去"
        )
    if len(hits) > MAX_NOTES:
        notes.append(
            f"{shown} 另有{len(hits) - MAX_NOTES}行「{col.name}」含不可见的控制字符，已删去"
        )


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
            if any(
                all(r in _match_columns(row, exact, bare) for r in schema.required) for row in rows
            )
        ),
        None,
    )
    where = (
        f"；表头在工作表「{elsewhere}」中，台账应放在第一个工作表（请把该工作表拖到最前）"
        if elsewhere
        else ""
    )
    if sheet.empty:
        raise _problem(
            shown,
            f"文件是空的：第1行应为表头（{'、'.join(schema.required)} …），其下每行一条记录{where}",
        )
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
        twins = [
            k
            for k, h in enumerate(keys)
            if k != j and _match_columns([row_cells[k]], exact, bare).get(name) == 0
        ]
        if twins:
            letters = "和".join(_column_letter(k) for k in (j, *twins))
            problems.add(
                at + 1, name, None, f"表头中有多列都是「{name}」（{letters}列），请只保留一列"
            )
    hinted = schema.stem in PEOPLE_LEDGERS
    personal = [
        j
        for j, k in enumerate(keys)
        if k and _is_personal(k, personal_names, hinted) and j not in found.values()
    ]
    for name, j in list(found.items()):
        bare = _personal_key(_TRAILING_NOTE.sub("", keys[j]))
        if _personal_key(name) in personal_names or bare in personal_names:
            col = next(c for c in schema.columns if c.name == name)
            if col.required:
                problems.add(
                    at + 1,
                    name,
                    None,
                    "是本台账的必填列，不能在参数文件的 personal_columns 中标为个人信息",
                )
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
        problems.add(
            at + 1, m, None, f"缺少必填列「{m}」（表头应含：{'、'.join(schema.required)}）{hint}"
        )
    for name, (_j, typed) in hints.items():
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


def _match_columns(
    row: list[object], exact: dict[str, str], bare: dict[str, str]
) -> dict[str, int]:
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
        if (
            abs(len(target) - len(key)) <= 1
            and difflib.SequenceMatcher(None, key, target).ratio() >= 0.75
        ):
            return name
    return None


def _merged_problems(
    sheet: _Sheet, header: _Header, schema: Schema, start: int, problems: _Problems
) -> None:
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


def _convert_distinct(
    col: Column, d: _Distinct
) -> tuple[np.ndarray, dict[int, str], dict[int, str]]:
    """Each distinct value of a column converted once: (value per code, problem per code, official
    name per code written as an alias)."""
    errors: dict[int, str] = {}
    aliases: dict[int, str] = {}
    k = len(d.uniques)
    if col.kind in ("id", "text") and d.stripped is not None:
        errors = dict.fromkeys(d.flagged, EXCEL_ERROR_HINT)
        if not isinstance(d.stripped, np.ndarray):  # a str array, from Arrow
            return columnar.with_blanks(d.stripped, d.blank), errors, aliases
        values_of = np.append(d.stripped, None)
        values_of[d.blank] = None
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
    col: Column,
    d: _Distinct,
    codes: np.ndarray,
    errors: dict[int, str],
    rows: np.ndarray,
    problems: _Problems,
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


def _alias_notes(
    col: Column, d: _Distinct, codes: np.ndarray, aliases: dict[int, str], rows, shown, notes
) -> None:
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
        notes.append(
            f"{shown} 另有{rest}行「{col.name}」写作简称，已按规范名称计入；建议一并改为规范名称"
        )


def _same_id(d: _Distinct, values_of: np.ndarray) -> np.ndarray:
    """Per code, a number shared by every code whose id reads the same (「A1」 and 「A1 」), or -1."""
    k = len(d.uniques)
    # Codes already name distinct ids when factorised values needed no stripping, or when each
    # cell is its own code and no id repeats (the usual case).
    if d.different is not None:
        distinct = d.different()
    elif d.identity:
        distinct = _all_different(values_of[:k][~d.blank[:k]])
    else:
        distinct = d.stripped is d.uniques
    if distinct:
        same = np.arange(k + 1)
    else:
        same = np.append(pd.factorize(values_of[:k], use_na_sentinel=True)[0], -1)
    same[d.blank] = -1
    return same


def _all_different(values: np.ndarray) -> bool:
    """Whether no value repeats: a set of a million ids is quicker than factorising them."""
    if not isinstance(values, np.ndarray):  # a str array, from Arrow: counted there
        return columnar.all_different(values)
    listed = values.tolist()
    return len(set(listed)) == len(listed)


def _duplicate_ids(
    same: np.ndarray, ids: np.ndarray, rows: np.ndarray, id_col: str, problems: _Problems
) -> None:
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
            problems.add(
                int(rows[i]),
                id_col,
                ids[i],
                f"编号重复（与第{first_seen[key]}行相同），每条记录的编号应唯一",
            )


def _frame(schema: Schema, data: dict[str, object]) -> pd.DataFrame:
    for col in schema.columns:
        if col.kind == "int":
            data[col.name] = np.asarray(data[col.name], dtype=np.int64)
    return pd.DataFrame(data, copy=False)
