"""`reportkit import`: published reports to tables.json files, with what had to be interpreted."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from reportkit.contract.errors import ReportkitError
from reportkit.ingest.published import ImportResult, import_report

CLEAN, WITH_NOTES, NOTHING = 0, 1, 2


def output_path(source: Path, out: Path | None, several: bool) -> Path:
    """Where a source's tables.json goes: `out` itself for one input, inside `out` for several,
    else next to the source as <stem>.tables.json."""
    name = f"{source.stem}.tables.json"
    if out is None:
        return source.with_name(name)
    if several or out.is_dir() or not out.suffix:
        return out / name
    return out


def write_tables(tables: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(tables, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")


def run_import(
    paths: list[Path],
    out: Path | None = None,
    agency: str | None = None,
    year: int | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Import each file; 0 when all are clean, 1 when any has notes, 2 when any is unimportable."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    worst = CLEAN
    several = len(paths) > 1
    for source in paths:
        try:
            result: ImportResult = import_report(source, agency=agency, year=year)
        except ReportkitError as e:
            print(f"错误：{e}", file=stderr)
            worst = NOTHING
            continue
        target = output_path(source, out, several)
        write_tables(result.tables, target)
        who = f"{result.agency or '（机关不明）'} {result.year or '（年度不明）'}年"
        print(f"{source} → {target}（{who}）", file=stdout)
        for note in result.notes:
            print(f"  注：{note}", file=stdout)
        worst = max(worst, CLEAN if result.clean else WITH_NOTES)
    return worst
