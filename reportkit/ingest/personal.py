"""Applicants' personal values, read aside from the ledgers and kept only for the privacy guard."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet

import numpy as np
import pandas as pd

from reportkit.contract.schema import _NOT_PERSONAL
from reportkit.ingest.cells import _is_blank, _shown

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
