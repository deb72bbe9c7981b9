"""`reportkit review`: import and check every report in a folder, each against its agency's year
before, and write review.html, review.xlsx and review.json."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, TextIO

from reportkit.checks import run as checks
from reportkit.contract import paths
from reportkit.contract.errors import ReportkitError
from reportkit.ingest.labels import key as label_key
from reportkit.ingest.published import SUPPORTED, import_report

PASSED, WARNED, FAILED, UNREADABLE = "通过", "有警告", "有错误", "无法导入"
SECTIONS = ("section2", "section3", "section4")


@dataclass
class Entry:
    """One report of the folder: where it is, what was read, and what the checks found."""

    path: Path
    name: str  # relative to the folder, as the review shows it
    tables: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # why nothing could be imported
    previous: Entry | None = None
    findings: list[checks.Finding] = field(default_factory=list)

    @property
    def agency(self) -> str | None:
        return (self.tables or {}).get("agency") or None

    @property
    def year(self) -> int | None:
        year = (self.tables or {}).get("year")
        return year if isinstance(year, int) and not isinstance(year, bool) else None

    @property
    def errors(self) -> int:
        return sum(f.severity == checks.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def status(self) -> str:
        if self.error:
            return UNREADABLE
        return FAILED if self.errors else WARNED if self.findings else PASSED


def report_files(folder: Path, skip: Path | None = None) -> list[Path]:
    """Pages, Word files and tables.json files under `folder`, in a stable order, leaving out the
    review's own output folder, the folders a browser saves beside a page (<page>_files) and the
    files Word leaves while a document is open (~$…)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        if skip is not None and skip in path.parents:
            continue
        if any(p.name.endswith(("_files", ".files")) for p in path.relative_to(folder).parents):
            continue  # what a browser saves beside a page: its frames and scripts, not reports
        suffix = path.suffix.lower()
        if suffix in SUPPORTED or suffix == ".json":
            found.append(path)
    return found


def read_entry(path: Path, folder: Path) -> Entry | None:
    """The report in one file; None for a .json that is no tables.json (a checks.json, say)."""
    entry = Entry(path, path.relative_to(folder).as_posix())
    try:
        if path.suffix.lower() == ".json":
            tables = checks.load_tables(path)
            if not any(k in tables for k in SECTIONS):
                return None
            entry.tables, entry.notes = tables, list(tables.get("notes") or [])
        else:
            result = import_report(path)
            entry.tables, entry.notes = result.tables, result.notes
    except ReportkitError as e:
        entry.error = str(e)
    return entry


def pair_years(entries: list[Entry]) -> None:
    """Each report's previous: the same agency's report of the year before (the first one found
    when the folder holds it twice, as a page and as its tables.json)."""
    by_key: dict[tuple[str, int], Entry] = {}
    for e in entries:
        if e.agency and e.year:
            by_key.setdefault((label_key(e.agency), e.year), e)
    for e in entries:
        if e.agency and e.year:
            e.previous = by_key.get((label_key(e.agency), e.year - 1))


def review(folder: Path, out: Path | None = None, progress: TextIO | None = None) -> list[Entry]:
    """Read, pair and check every report under `folder`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportkitError(f"找不到文件夹：{folder}")
    files = report_files(folder, skip=Path(out).resolve() if out else None)
    entries: list[Entry] = []
    for i, path in enumerate(files, start=1):
        if progress is not None:
            print(f"[{i}/{len(files)}] 读取 {path.relative_to(folder).as_posix()}", file=progress)
        entry = read_entry(path, folder)
        if entry is not None:
            entries.append(entry)
    pair_years(entries)
    for entry in entries:
        if entry.tables is not None:
            previous = entry.previous.tables if entry.previous else None
            entry.findings = checks.check_tables(entry.tables, previous, published=True)
    return entries


def run_review(folder: Path, out: Path | None = None, stream: TextIO | None = None) -> int:
    """`reportkit review`: 0 when no report has an error-level finding (or could not be read)."""
    stream = stream or sys.stderr
    out = Path(out) if out else paths.review_out_dir()
    entries = review(folder, out=out.resolve(), progress=stream)
    if not entries:
        raise ReportkitError(f"{folder} 中没有报告（.html、.htm、.docx 或 tables.json）")
    out.mkdir(parents=True, exist_ok=True)
    from reportkit.checks.review_output import write_html, write_json, write_xlsx

    write_json(entries, out / "review.json")
    write_xlsx(entries, out / "review.xlsx")
    write_html(entries, out / "review.html", folder)
    counts = {s: sum(e.status == s for e in entries) for s in (PASSED, WARNED, FAILED, UNREADABLE)}
    summary = "，".join(f"{s} {n} 份" for s, n in counts.items() if n)
    print(f"共 {len(entries)} 份报告：{summary}。结果见 {out / 'review.html'}", file=stream)
    return 1 if counts[FAILED] or counts[UNREADABLE] else 0


def entry_dict(e: Entry) -> dict[str, Any]:
    """An entry as review.json writes it."""
    return {
        "file": e.name,
        "agency": e.agency,
        "year": e.year,
        "status": e.status,
        "errors": e.errors,
        "warnings": e.warnings,
        "previous": e.previous.name if e.previous else None,
        "import_error": e.error,
        "notes": e.notes,
        "findings": [f.to_dict() for f in e.findings],
    }


def write_json_text(entries: list[Entry]) -> str:
    data = {"reports": [entry_dict(e) for e in entries]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def h(value: Any) -> str:
    return escape("" if value is None else str(value))
