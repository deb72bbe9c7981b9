"""A ledger's columns converted: each distinct value once, problems and notes by row, the typed frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportkit.contract.errors import ALIAS, CONTROL, LedgerNote, Location
from reportkit.contract.schema import EXCEL_ERRORS, MAX_NOTES, Column, Schema
from reportkit.ingest import columnar
from reportkit.ingest.cells import (
    _CONTROL,
    _CONVERTERS,
    _column_letter,
    _is_blank,
    _shown,
)
from reportkit.ingest.headers import Header
from reportkit.ingest.personal import Found, PersonalValues, _personal_strings
from reportkit.ingest.problems import Problems
from reportkit.ingest.sheets import _Sheet, _Uncalculated


@dataclass
class Distinct:
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
    ) -> Distinct:
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


def control_notes(
    col: Column, d: Distinct, codes: np.ndarray, rows: np.ndarray, shown: str
) -> list[LedgerNote]:
    """A note for each row whose cell had control characters removed: the first MAX_NOTES one by
    one, the rest in one summary note that still holds them."""
    is_cleaned = np.zeros(len(d.blank), dtype=bool)
    is_cleaned[list(d.cleaned)] = True
    hits = np.flatnonzero(is_cleaned[codes])
    found = [LedgerNote(CONTROL, Location(shown, int(rows[i]), col.name)) for i in hits]
    return _capped(found, CONTROL, Location(shown, None, col.name))


def _capped(found: list[LedgerNote], kind: str, at: Location) -> list[LedgerNote]:
    """The first MAX_NOTES notes as they are, then one summary note holding the rest: the log
    stays short, and nothing is lost for the checks."""
    if len(found) <= MAX_NOTES:
        return found
    return [*found[:MAX_NOTES], LedgerNote(kind, at, more=tuple(found[MAX_NOTES:]))]


def read_personal(
    sheet: _Sheet, header: Header, cells: dict[int, np.ndarray], start: int, shown: str = ""
) -> PersonalValues:
    """The personal columns' values: from the cells read, or read later when the guard asks."""
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


def merged_problems(
    sheet: _Sheet, header: Header, schema: Schema, start: int, problems: Problems
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


def blank_column(col: Column, n: int) -> np.ndarray:
    """A column the file does not have: its default in every row (no date: NaT)."""
    if col.kind == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    out = np.empty(n, dtype=object)
    out[:] = col.default
    return out


def convert_distinct(col: Column, d: Distinct) -> tuple[np.ndarray, dict[int, str], dict[int, str]]:
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


def cell_problems(
    col: Column,
    d: Distinct,
    codes: np.ndarray,
    errors: dict[int, str],
    rows: np.ndarray,
    problems: Problems,
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


def alias_notes(
    col: Column,
    d: Distinct,
    codes: np.ndarray,
    aliases: dict[int, str],
    rows: np.ndarray,
    shown: str,
) -> list[LedgerNote]:
    """A note for each row whose category was typed as a short form and counted under its
    official name (every row: each becomes an L-alias finding), the first MAX_NOTES listed."""
    is_alias = np.zeros(len(d.blank), dtype=bool)
    is_alias[list(aliases)] = True
    found = []
    for i in np.flatnonzero(is_alias[codes]):
        code = int(codes[i])
        at = Location(shown, int(rows[i]), col.name)
        found.append(LedgerNote(ALIAS, at, str(_shown(d.uniques[code])), aliases[code]))
    return _capped(found, ALIAS, Location(shown, None, col.name))


def same_id(d: Distinct, values_of: np.ndarray) -> np.ndarray:
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


def duplicate_ids(
    same: np.ndarray, ids: np.ndarray, rows: np.ndarray, id_col: str, problems: Problems
) -> None:
    """A problem for each row whose id reads the same as an earlier row's, naming that row."""
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


def typed_frame(schema: Schema, data: dict[str, object]) -> pd.DataFrame:
    """The ledger's frame from its converted columns, counts as int64."""
    for col in schema.columns:
        if col.kind == "int":
            data[col.name] = np.asarray(data[col.name], dtype=np.int64)
    return pd.DataFrame(data, copy=False)
