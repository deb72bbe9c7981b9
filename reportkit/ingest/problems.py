"""A ledger's problems, collected in order: the first MAX_PROBLEMS listed, all counted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from reportkit.contract.errors import CellProblem, LedgerError, ReportkitError
from reportkit.contract.schema import MAX_PROBLEMS
from reportkit.ingest import privacy


class TooManyProblems(LedgerError):
    """A LedgerError that lists the first MAX_PROBLEMS problems of each file but counts them all."""

    def __init__(self, problems: list[CellProblem], total: int):
        super().__init__(problems)
        self.total = total
        lines = [
            f"台账有{total}处问题（每个文件最多列出前{MAX_PROBLEMS}处）：",
            *(str(p) for p in problems),
        ]
        ReportkitError.__init__(self, "\n".join(lines))


class Problems:
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
            raise TooManyProblems(problems, self.total)
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
