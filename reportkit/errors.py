"""One root exception, with subclasses that carry where the problem is (file, row, column, value)."""

from __future__ import annotations

from dataclasses import dataclass

SHOWN_CHARS = 100  # of a value quoted in a message: a 3 GB value must not become a 3 GB message


def shorten(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value as text for a message, cut to `limit` characters with a mark of how long it was."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…（共{len(text)}个字符）"


class ReportkitError(Exception):
    """Root of every error reportkit raises on purpose; its message is Chinese and user-facing."""


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: file, row as Excel numbers it (header row = 1), column, value, what is wrong."""

    file: str
    row: int | None
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"「{self.column}」列")
        head = " ".join(where)
        if self.value is not None and self.value != "":
            head += f"，值「{shorten(self.value)}」"
        return f"{head}：{self.message}"


class LedgerError(ReportkitError):
    """A ledger cannot be read as the contract says. Carries every problem found in the file."""

    def __init__(self, problems: list[CellProblem]):
        self.problems = problems
        first = problems[0]
        self.file, self.row, self.column, self.value = first.file, first.row, first.column, first.value
        lines = [str(p) for p in problems]
        if len(problems) > 1:
            lines.insert(0, f"台账有{len(problems)}处问题：")
        super().__init__("\n".join(lines))


class ParamsError(ReportkitError):
    """The params file is missing, unreadable or does not follow the contract."""

    def __init__(self, file: str, key: str | None, message: str):
        self.file, self.key = file, key
        where = f"参数文件 {file}" + (f" 的「{key}」" if key else "")
        super().__init__(f"{where}：{message}")


class TemplateError(ReportkitError):
    """A narrative template names a figure that does not exist or cannot be rendered."""

    def __init__(self, section: str, placeholder: str, message: str):
        self.section, self.placeholder = section, placeholder
        super().__init__(f"叙述「{section}」中的占位符「{placeholder}」：{message}")


class SectionFailed(ReportkitError):
    """A section notebook raised while papermill ran it."""

    def __init__(self, section: str, error: str, notebook: str):
        self.section, self.error, self.notebook = section, error, notebook
        super().__init__(f"章节「{section}」运行失败：{error}\n出错的笔记本已保存：{notebook}")


class ChecksFailed(ReportkitError):
    """Error-level consistency findings stop a build before anything is replaced."""


class PrivacyLeak(ReportkitError):
    """A personal value from the ledgers was found in an output file."""
