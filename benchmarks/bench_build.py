"""Times a report build against the naive way, in one run on one machine, and prints the ratios.

  (a) naive: for each section notebook, the papermill CLI, then the jupyter nbconvert CLI
  (b) `reportkit build` cold, into an empty folder
  (c) `reportkit build` again, nothing changed
  (d) floor: one Python process that computes every table and figure and draws every chart

Usage: python benchmarks/bench_build.py [--year 2021]   (from the project root, in the venv)
No extra dependencies. Prints each time, the ratios b/a, c/a and b/d, and peak memory.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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
from reportkit import charts, figures, htmltables
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
    charts.figure_html(fig, "alt")
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
        run = subprocess.run([sys.executable, "-c", MEASURE, *cmd], cwd=cwd, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{run.stderr[-2000:]}")
        peak = max(peak, int(run.stdout.strip().splitlines()[-1]))
    return time.perf_counter() - t0, peak // 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--year", type=int, default=2021)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reportkit-bench-"))
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    y = str(args.year)

    naive = []
    for nb in notebooks:
        executed = work / "naive" / nb.name
        naive.append([str(BIN / "papermill"), str(nb), str(executed), "-p", "year", y, "--no-progress-bar"])
        naive.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    (work / "naive").mkdir()

    out = work / "reportkit" / y
    build = [str(BIN / "reportkit"), "build", "--year", y, "--out", str(out)]

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"report year {y}, {len(notebooks)} section notebooks; working in {work}")
    a, mem_a = timed(naive, ROOT)
    print(f"(a) naive papermill + nbconvert CLI per notebook: {a:6.1f} s   peak {mem_a} MiB")
    b, mem_b = timed([build], ROOT)
    print(f"(b) reportkit build, cold, empty folder:         {b:6.1f} s   peak {mem_b} MiB")
    c, mem_c = timed([build], ROOT)
    print(f"(c) reportkit build again, nothing changed:      {c:6.2f} s   peak {mem_c} MiB")
    d, mem_d = timed([[sys.executable, "-c", FLOOR, y]], ROOT)
    print(f"(d) floor: one process, all tables and charts:   {d:6.1f} s   peak {mem_d} MiB")
    print(f"b/a = {b / a:.2f} (target <= 0.35)   c/a = {c / a:.3f} (target <= 0.05)   b/d = {b / d:.2f} (target <= 2)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
