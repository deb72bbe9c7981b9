"""Last year, found on disk for the cross-year rules: its tables, its narrative and texts.

The checks themselves (reportkit.checks.run.check) read no file: what they compare with is
found here, by the build, the `reportkit check` command and the notebooks' check cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportkit.checks.run import Previous
from reportkit.compute.report import Report, open_report
from reportkit.contract import paths, trace
from reportkit.contract.errors import ParamsError, ReportkitError
from reportkit.ingest.tablesjson import load_any, load_tables

CROSS_YEAR = "跨年检查（R10、R11、R12）"
PUBLISHED_SUFFIXES = (".html", ".htm", ".docx")


def previous_report(report: Report) -> Report | None:
    """Last year's report from `<params folder>/<Y-1>.yaml`, or None when absent or unloadable."""
    if report.params.source is None:
        return None
    path = Path(report.params.source).parent / f"{report.year - 1}.yaml"
    if not path.is_file():
        return None
    try:
        prev = open_report(params=path)
        _ = prev.texts  # rendering may fail too
    except (ReportkitError, OSError, ValueError):
        return None
    return prev


def last_years_text(report: Report, tables: dict[str, Any] | None = None) -> Previous:
    """`tables` with last year's narrative and texts, when last year's params load."""
    prev = previous_report(report)
    if prev is None:
        return Previous(tables)
    return Previous(tables, prev.params.narrative, prev.texts)


def find_previous(report: Report, root: Path | None = None) -> tuple[Previous, str | None]:
    """Everything of last year the checks compare with and, when last year's tables are not
    found, why the cross-year rules on the tables cannot run."""
    tables, why_not = find_previous_tables(report, root)
    return last_years_text(report, tables), why_not


def previous_for(report: Report, root: Path | None = None) -> dict[str, Any] | None:
    """Last year's tables for the cross-year rules, or None (find_previous_tables says why)."""
    return find_previous_tables(report, root)[0]


def find_previous_tables(
    report: Report, root: Path | None = None
) -> tuple[dict[str, Any] | None, str | None]:
    """Last year's tables and, when there are none, why the cross-year rules cannot run.

    The params' `previous:` (last year's published report) comes first; else last year's
    default output folder, when it holds this agency's report (it may hold another agency's: a
    demo, a department's draft)."""
    named = report.params.previous_path
    if named is not None:
        if trace.enabled():
            trace.file_read(named)
        return read_published(named, report.params), None
    root = (root or paths.project_root()).resolve()
    candidates = paths.previous_tables_files(report.params, root)
    others = []
    for path in candidates:
        if trace.enabled():
            trace.file_read(path)
        try:
            last = load_tables(path) if path.is_file() else None
        except ReportkitError:
            others.append(f"{paths.shown(path, root)} 无法读取")
            continue
        if isinstance(last, dict) and last.get("agency") == report.agency:
            return last, None
        if last is not None:
            others.append(f"{paths.shown(path, root)} 是另一机关（{last.get('agency')}）的")
    looked = "、".join(paths.shown(p, root) for p in candidates)
    why = "；".join(others) if others else f"未找到上年的 tables.json（查找了 {looked}）"
    return None, (
        f"{CROSS_YEAR}未做：{why}。请先生成{report.year - 1}年的报告，"
        "或在参数文件中用 previous: 指向上年已发布的报告，或用 --previous 指定"
    )


def read_published(path: Path, params: Any = None) -> dict[str, Any]:
    """The tables of last year's published report named by `previous:`: a tables.json, a saved
    web page or a Word file."""
    shown = str(params.source) if params is not None and params.source else str(path)
    if not path.is_file():
        raise ParamsError(shown, "previous", f"文件不存在：{path}")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return load_tables(path)
    if suffix not in PUBLISHED_SUFFIXES:
        why = f"应为 tables.json、网页（.html）或 Word 文件（.docx），实际为「{path.name}」"
        raise ParamsError(shown, "previous", why)
    return load_any(path)
