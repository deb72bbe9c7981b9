"""`reportkit check` and the notebooks' check cell: last year found on disk, then the pure checks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from reportkit.checks.run import Findings, check, check_tables
from reportkit.compute.report import Report, open_report
from reportkit.contract import handover, trace
from reportkit.contract.findings import findings_json, format_findings
from reportkit.ingest.tablesjson import load_any
from reportkit.pipeline.previous import CROSS_YEAR, find_previous, last_years_text


def check_year(report: Report, today: dt.date, root: Path | None = None) -> Findings:
    """The checks of one report year against what is found of last year; `notes` says why the
    cross-year rules on the tables did not run, when they did not."""
    previous, why_not = find_previous(report, root)
    return Findings(check(report, previous, today), [why_not] if why_not else [])


def findings_of(report: Report) -> Findings:
    """The notebooks' check cell: the report's findings as of today. Inside a build, those the
    build found for this very report today, when it shared them (share_findings)."""
    today = dt.date.today()
    shared = _shared_findings(report, today)
    if shared is not None:
        trace.replay(shared["reads"])  # the section depends on what the checks read
        return Findings(shared["findings"], shared["notes"])
    return check_year(report, today)


# Where a build leaves its findings for its sections: a file in the build's own temporary folder.
SHARED = "REPORTKIT_FINDINGS"


def share_findings(
    pool: Any, report: Report, findings: Findings, reads: dict[str, Any], today: dt.date
) -> None:
    """Leave the build's findings, and what computing them read, for the sections it runs next
    (their children get the file's path in SHARED), when its executor can pass them on."""
    handed = handover.of_pool(pool)
    if handed is None:
        return
    payload = {"findings": list(findings), "notes": list(findings.notes), "reads": reads}
    handover.leave(
        *handed, SHARED, report.params.source, report.year, payload, today=today.isoformat()
    )


def _shared_findings(report: Report, today: dt.date) -> dict[str, Any] | None:
    """The build's findings when they are this report's of today: the same params file, as it
    is now, the same year; else None (the cell checks for itself). The ledgers are the build's
    snapshot, which its sections read too."""
    return handover.take(SHARED, report.params.source, report.year, today=today.isoformat())


def run(
    year: int | None = None,
    params: str | Path | None = None,
    tables: str | Path | None = None,
    previous: str | Path | None = None,
    today: dt.date | None = None,
) -> Findings:
    """`reportkit check`: a tables.json alone, or a whole report year (with last year's
    tables.json from `previous`, else from the params' `previous:`, else from last year's default
    output folder when there). Says in `notes` when the cross-year rules could not run.
    `today`: the day ledger dates are checked against (default: the clock's)."""
    last = load_any(previous) if previous else None
    if tables:
        note = f"{CROSS_YEAR}未做：没有上年的报告；请用 --previous 指定上年的 tables.json"
        note = None if last is not None else note
        found = check_tables(load_any(tables), last, published=True)
        return Findings(found, [note] if note else [])
    # A path typed on the command line is relative to where the command runs.
    report = open_report(year=year, params=Path(params).resolve() if params else None)
    today = today or dt.date.today()
    if last is None:
        return check_year(report, today)
    return Findings(check(report, last_years_text(report, last), today))


def shown(findings: Findings, as_json: bool = False) -> str:
    """What `reportkit check` prints: the findings as text, or as checks.json's JSON."""
    if as_json:
        return json.dumps(findings_json(findings), ensure_ascii=False, indent=2)
    return format_findings(findings)


def exit_code(findings: Findings) -> int:
    """1 when any finding is an error, else 0."""
    return 1 if any(f.severity == "error" for f in findings) else 0
