"""One root exception, with subclasses that carry where the problem is (file, row, column, value)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SHOWN_CHARS = 100  # of a value quoted in a message: a 3 GB value must not become a 3 GB message


def shorten(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value as text for a message, cut to `limit` characters with a mark of how long it was."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…（共{len(text)}个字符）"


class ReportkitError(Exception):
    """Root of every error reportkit raises on purpose; its message is Chinese and user-facing."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of the traceback: in a notebook the message says what is
        # wrong and what to do; the cell still fails, so papermill stops there as before.
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


class UsageError(ReportkitError):
    """The build cannot start as asked (bad input, nothing to build from): it exits 2, as for bad
    usage, and has changed nothing."""

    exit_code = 2


class OutputFolderError(UsageError):
    """The output folder cannot be used or written (not ours, locked, disk full, read-only); the
    last good outputs stay as they were."""


@dataclass(frozen=True)
class Location:
    """Where in a ledger: file, row as Excel numbers it (header row = 1), column; any may be unknown.

    One text form for problems, notes and findings: 「requests.csv 第5行「办结日期」列」."""

    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        text = f"{self.file} " if self.file else ""
        if self.row is not None:
            text += f"第{self.row}行"
        if self.column:
            text += f"「{self.column}」列"
        return text.strip()

    def where(self) -> dict[str, Any]:
        """A finding's `where` (checks.json): file, row and column, in that order."""
        return {"file": self.file, "row": self.row, "column": self.column}


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: file, row as Excel numbers it (header row = 1), column, value, what is wrong."""

    file: str
    row: int | None
    column: str | None
    value: object
    message: str

    @property
    def at(self) -> Location:
        return Location(self.file, self.row, self.column)

    def __str__(self) -> str:
        head = str(self.at)
        if self.value is not None and self.value != "":
            head += f"，值「{shorten(self.value)}」"
        return f"{head}：{self.message}"


# What a ledger note says (LedgerNote.kind).
ALIAS = "alias"  # a category typed as a common short form, counted under its official name
CONTROL = "control"  # invisible control characters removed from a cell
ABSENT = "absent"  # no file for this ledger: no records of its kind this year
HEADER_ONLY = "header-only"  # the file has a header and no records
SHEET = "sheet"  # which sheet of a workbook was read


@dataclass(frozen=True)
class LedgerNote:
    """Something about how a ledger was read that stops nothing but that the user should know.

    `found` is the value as typed and `read_as` what it was counted as (ALIAS). A note with `more`
    is a summary line standing for those rows, which are not listed one by one in the build's
    log but are all kept, so that the checks see every one. For ABSENT, `at.file` is the
    ledger's name without suffix and `found` its title; for SHEET, `said` is the whole sentence.
    """

    kind: str
    at: Location
    found: object = None
    read_as: object = None
    more: tuple[LedgerNote, ...] = ()
    said: str = ""

    @property
    def text(self) -> str:
        """The note as the build's log and the analyst's notebook show it, in Chinese."""
        file, column = self.at.file, self.at.column
        if self.kind == ALIAS and self.more:
            return (
                f"{file} 另有{len(self.more)}行「{column}」写作简称，已按规范名称计入；"
                "建议一并改为规范名称"
            )
        if self.kind == ALIAS:
            return f"{self.at.file} 第{self.at.row}行「{column}」写作「{self.found}」，已按「{self.read_as}」计入；建议改为规范名称"
        if self.kind == CONTROL and self.more:
            return f"{file} 另有{len(self.more)}行「{column}」含不可见的控制字符，已删去"
        if self.kind == CONTROL:
            return f"{file} 第{self.at.row}行「{column}」含不可见的控制字符（如 NUL），已删去；建议在台账中一并删去"
        if self.kind == ABSENT:
            return f"未找到{self.found}（{file}.csv 或 {file}.xlsx），按本年无此类记录处理"
        if self.kind == HEADER_ONLY:
            return f"{file} 只有表头，没有记录，按本年无此类记录处理"
        return self.said

    def rows(self) -> tuple[LedgerNote, ...]:
        """The one-row notes this note stands for: itself, or the rows of a summary."""
        return self.more or (self,)

    def __str__(self) -> str:
        return self.text


class LedgerError(ReportkitError):
    """A ledger cannot be read as the contract says. Carries every problem found in the file."""

    def __init__(self, problems: list[CellProblem]):
        self.problems = problems
        first = problems[0]
        self.file, self.row, self.column, self.value = (
            first.file,
            first.row,
            first.column,
            first.value,
        )
        lines = [str(p) for p in problems]
        if len(problems) > 1:
            lines.insert(0, f"台账有{len(problems)}处问题：")
        super().__init__("\n".join(lines))


class ParamsError(ReportkitError):
    """The params file is missing, unreadable or does not follow the contract."""

    exit_code = 2  # bad input, as `reportkit check` already says

    def __init__(self, file: str, key: str | None, message: str):
        self.file, self.key = file, key
        where = f"参数文件 {file}" + (f" 的「{key}」" if key else "")
        super().__init__(f"{where}：{message}")


class NotebookParameterError(ReportkitError):
    """A notebook's `year` or `params` parameter names no report year that exists."""


class TemplateError(ReportkitError):
    """A narrative template names a figure that does not exist or cannot be rendered."""

    def __init__(self, section: str, placeholder: str, message: str):
        self.section, self.placeholder = section, placeholder
        super().__init__(f"叙述「{section}」中的占位符「{placeholder}」：{message}")


class SectionFailed(ReportkitError):
    """A section notebook raised while papermill ran it.

    `notebook` is where the failed notebook was kept for the analyst, or None when it was not:
    `why_not` then says why (it was never written, or the privacy guard deleted it).
    """

    def __init__(
        self, section: str, error: str, notebook: str | None, why_not: str = "笔记本未能写出"
    ) -> None:
        self.section, self.error, self.notebook, self.why_not = section, error, notebook, why_not
        kept = f"出错的笔记本已保存：{notebook}" if notebook else f"出错的笔记本未保存：{why_not}"
        super().__init__(f"章节「{section}」运行失败：{error}\n{kept}")


class ChecksFailed(ReportkitError):
    """Error-level consistency findings stop a build before anything is replaced."""


class PrivacyLeak(ReportkitError):
    """A personal value from the ledgers was found in an output file."""
