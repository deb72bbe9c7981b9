"""Times a report build against the naive way, in one run on one machine, and prints the ratios.

  (a) naive: for each section notebook, the papermill CLI, then the jupyter nbconvert CLI
  (b) `reportkit build` cold, into an empty folder
  (c) `reportkit build` again, nothing changed
  (d) floor: one Python process that computes every table and figure and draws every chart

Usage: python benchmarks/bench_build.py [--year 2021] [--repeat 5]   (project root, in the venv)
No extra dependencies. Prints each time, the ratios b/a, c/a and b/d, and peak memory.

(b), (c) and (d) take a few seconds and vary by a few tenths from run to run on a shared virtual
machine, so each is measured --repeat times, interleaved (b, c, d, b, c, d, ...) so that a slow
spell of the machine hits all three alike; the ratios use the medians, and the range is printed.
(a) takes half a minute, so one measurement is enough.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

FLOOR = """
import resource, sys
import reportkit as rk
from reportkit.present import charts
from reportkit.present import content
from reportkit.compute import figures
from reportkit.present import htmltables
r = rk.open_report(year=int(sys.argv[1]))
charts.setup()
r.tables_json; r.texts
for t in (htmltables.table2_html(r.table2), htmltables.table3_html(r.table3), htmltables.table4_html(r.table4)):
    pass
for fig in (
    charts.outreach_by_type(figures.outreach_by_type(r.ledgers, r.year)),
    charts.outreach_by_month(figures.outreach_by_month(r.ledgers, r.year)),
    charts.decisions_by_year(figures.decisions_by_year(r.ledgers)),
    charts.requests_outcomes(figures.requests_outcomes(r.ledgers, r.year)),
    charts.appeals(r.table4),
):
    content.block_html(content.chart_block(fig, "alt"))
rk.checks.check_report(r)
"""

# Runs a command and prints the peak RSS (KiB) of the largest process in its tree.
MEASURE = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(rc)\n"
)


def timed(cmds: list[list[str]], cwd: Path) -> tuple[float, int]:
    """Wall time of running the commands one after another, and their peak RSS in MiB."""
    peak = 0
    t0 = time.perf_counter()
    for cmd in cmds:
        run = subprocess.run(
            [sys.executable, "-c", MEASURE, *cmd], cwd=cwd, capture_output=True, text=True
        )
        if run.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{run.stderr[-2000:]}")
        peak = max(peak, int(run.stdout.strip().splitlines()[-1]))
    return time.perf_counter() - t0, peak // 1024


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--year", type=int, default=2021)
    ap.add_argument(
        "--repeat", type=int, default=5, help="measurements of (b), (c) and (d) (default 5)"
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reportkit-bench-"))
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    y = str(args.year)

    naive = []
    for nb in notebooks:
        executed = work / "naive" / nb.name
        naive.append(
            [str(BIN / "papermill"), str(nb), str(executed), "-p", "year", y, "--no-progress-bar"]
        )
        naive.append(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]
        )
    (work / "naive").mkdir()

    out = work / "reportkit" / y
    build = [str(BIN / "reportkit"), "build", "--year", y, "--out", str(out)]

    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"report year {y}, {len(notebooks)} section notebooks; working in {work}")
    a, mem_a = timed(naive, ROOT)
    print(f"(a) naive papermill + nbconvert CLI per notebook: {a:6.1f} s   peak {mem_a} MiB")
    runs: dict[str, list[float]] = {"b": [], "c": [], "d": []}
    peaks = {"b": 0, "c": 0, "d": 0}
    for _ in range(max(1, args.repeat)):
        shutil.rmtree(out, ignore_errors=True)  # cold: an empty folder
        for key, cmds in (
            ("b", [build]),
            ("c", [build]),
            ("d", [[sys.executable, "-c", FLOOR, y]]),
        ):
            seconds, peak = timed(cmds, ROOT)
            runs[key].append(seconds)
            peaks[key] = max(peaks[key], peak)
    b, c, d = (statistics.median(runs[k]) for k in ("b", "c", "d"))

    def spread(key: str) -> str:
        return f"(median of {len(runs[key])}: {min(runs[key]):.2f}-{max(runs[key]):.2f})"

    print(
        f"(b) reportkit build, cold, empty folder:         {b:6.2f} s   peak {peaks['b']} MiB  {spread('b')}"
    )
    print(
        f"(c) reportkit build again, nothing changed:      {c:6.2f} s   peak {peaks['c']} MiB  {spread('c')}"
    )
    print(
        f"(d) floor: one process, all tables and charts:   {d:6.2f} s   peak {peaks['d']} MiB  {spread('d')}"
    )
    pairs = [rb / rd for rb, rd in zip(runs["b"], runs["d"])]
    print(
        f"b/a = {b / a:.2f} (target <= 0.35)   c/a = {c / a:.3f} (target <= 0.05)   b/d = {b / d:.2f} (target <= 2)"
    )
    print(f"b/d of each interleaved pair: {', '.join(f'{r:.2f}' for r in pairs)}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
