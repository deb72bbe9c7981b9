"""Applicants' personal values, read aside from the ledgers and kept only for the privacy guard."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet

import numpy as np
import pandas as pd

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
from reportkit.ingest.cells import (  # noqa: F401 - ledgers.<name> stays the public path
    _CONTROL,
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
    match_outcome,
    norm,
    parse_date,
    parse_int,
    parse_money,
)

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
        found = {
            v.strip() if isinstance(v, str) else str(_shown(v)).strip()
            for v in distinct
            if not _is_blank(v)
        }
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
