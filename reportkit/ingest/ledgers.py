"""Reading the ledgers (台账): CSV or XLSX, as Excel on an office PC saves them, into typed DataFrames.

Every problem in a ledger is collected and raised at once as a LedgerError naming the file, the
row as Excel shows it (the header is row 1), the column and the value. Personal columns are never
read into a frame: their values are kept aside, only for the privacy guard.

Reading is column-wise: a CSV is parsed by pandas' C parser (a big one by pyarrow, see
columnar.py), and each column is converted once per distinct value (dates, categories and numbers
repeat a lot), then mapped back to its rows.
The file is read by sheets, its header found by headers, its columns converted by convert; this
module puts them together.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from reportkit.contract.errors import (
    ABSENT,
    HEADER_ONLY,
    SHEET,
    CellProblem,
    LedgerError,
    LedgerNote,
    Location,
    ReportkitError,
)
from reportkit.contract.schema import (  # noqa: F401 - ledgers.<name> stays the public path
    MAX_PROBLEMS,
    OTHER_FORMATS,
    PERSONAL_COLUMNS,
    REQUESTS_PERSONAL,
    ROW,
    SCHEMAS,
    Column,
    Schema,
)
from reportkit.ingest import columnar
from reportkit.ingest.cells import _is_blank, match_outcome, norm  # noqa: F401 - ledgers.<name> stays public
from reportkit.ingest.convert import (
    Distinct,
    alias_notes,
    blank_column,
    cell_problems,
    control_notes,
    convert_distinct,
    duplicate_ids,
    merged_problems,
    read_personal,
    same_id,
    typed_frame,
)
from reportkit.ingest.headers import (
    find_header,
    personal_column,  # noqa: F401 - ledgers.<name> stays public
    personal_key,
)
from reportkit.ingest.personal import PersonalValues
from reportkit.ingest.problems import Problems, TooManyProblems
from reportkit.ingest.sheets import _open_sheet, _os_reason, _problem, not_a_readable_file


@dataclass
class Ledgers:
    """Every ledger of one data folder, typed; absent ledgers are empty frames."""

    data_dir: Path
    frames: dict[str, pd.DataFrame]
    files: dict[str, Path | None]
    notes: list[LedgerNote] = field(default_factory=list)  # their text: str(note)
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


def load_ledgers(data_dir: str | Path, extra_personal: list[str] | tuple[str, ...] = ()) -> Ledgers:
    """Read every ledger in `data_dir`. Raises LedgerError listing every problem of every ledger."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ReportkitError(f"台账文件夹不存在：{data_dir}")
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, Path | None] = {}
    notes: list[LedgerNote] = []
    personal: list[PersonalValues] = []
    problems: list[CellProblem] = []
    total, capped = 0, False
    personal_names = {personal_key(c) for c in (*PERSONAL_COLUMNS, *extra_personal)}
    for stem, schema in SCHEMAS.items():
        try:  # keep reading: the user gets every ledger's problems at once
            path = ledger_file(data_dir, stem)
            files[stem] = path
            if path is None:
                frames[stem] = empty_frame(stem)
                notes.append(LedgerNote(ABSENT, Location(stem), schema.title))
                continue
            frame, ledger_notes, values = read_ledger(path, schema, personal_names)
        except LedgerError as e:
            problems.extend(e.problems)
            total += getattr(e, "total", len(e.problems))
            capped |= isinstance(e, TooManyProblems)
            continue
        frames[stem] = frame
        notes.extend(ledger_notes)
        personal.append(values)
    if problems:
        raise TooManyProblems(problems, total) if capped else LedgerError(problems)
    return Ledgers(data_dir, frames, files, notes, PersonalValues.union(personal))


# ------------------------------------------------------------------------------------------------
# One ledger
# ------------------------------------------------------------------------------------------------
def read_ledger(
    path: Path, schema: Schema, personal_names: set[str] | None = None
) -> tuple[pd.DataFrame, list[LedgerNote], PersonalValues]:
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
) -> tuple[pd.DataFrame, list[LedgerNote], PersonalValues]:
    shown = path.name
    if personal_names is None:
        personal_names = {personal_key(c) for c in PERSONAL_COLUMNS}
    sheet = _open_sheet(path, shown)
    header = find_header(sheet, schema, shown, personal_names)
    problems = Problems(shown)
    notes = [LedgerNote(SHEET, Location(shown), said=said) for said in sheet.notes]

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
        j: Distinct.of(cells[j][start:], sheet.text, kinds[j] in ("id", "text"), controls)
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
    values = read_personal(sheet, header, cells, start, shown)
    del cells

    # 4. convert each column over its distinct values, then map back to the rows.
    merged_problems(sheet, header, schema, start, problems)
    data: dict[str, object] = {ROW: rows}
    ids: tuple | None = None
    for col in schema.columns:  # a big CSV's ids are compared on the other core meanwhile
        if col.kind == "id" and col.name in header.columns:
            distinct[header.columns[col.name]].compare_soon()
    for col in schema.columns:
        j = header.columns.get(col.name)
        if j is None:
            data[col.name] = blank_column(col, len(rows))
            continue
        d = distinct[j]
        values_of, errors, aliases = convert_distinct(col, d)
        codes = d.codes if every else d.codes[keep]
        # free text is its own code: its values are already in row order
        data[col.name] = values_of[:-1] if every and d.identity else columnar.take(values_of, codes)
        cell_problems(col, d, codes, errors, rows, problems)
        if aliases:
            notes += alias_notes(col, d, codes, aliases, rows, shown)
        if d.cleaned:
            notes += control_notes(col, d, codes, rows, shown)
        if col.kind == "id":
            ids = (d, values_of, codes)
    if ids is not None:
        same = same_id(ids[0], ids[1])[ids[2]]
        duplicate_ids(same, data[schema.id_column], rows, schema.id_column, problems)
    problems.raise_if_any(values)
    if not len(rows):
        notes.append(LedgerNote(HEADER_ONLY, Location(shown)))
    return typed_frame(schema, data), notes, values
