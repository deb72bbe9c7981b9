"""Times a batch of agency-years (`reportkit build --all`) against building them one by one.

A project of --agencies agencies × 3 years (default 20 × 3 = 60 agency-years) is written into a
temporary folder: every agency's params are the demo agency's (data/demo, 2021–2023) under its
own name (a county department's, so that each report has glyphs of its own for its page's font,
as real ones do), and the first agency includes the next four (an aggregated report). Then, cold
each time (an empty outputs/ and no font subset cached; the fonts' prepared copies, which a
machine makes once, are made before the timing):

  (i)   one `reportkit build --params … --out …` per agency-year, in sequence (dependencies first)
  (b)   `reportkit build --year 2021-2023 --all` in one process
  (b1)  the same with --workers 1 (a local Dask cluster of one worker process)
  (b2)  the same with --workers 2
  (ii)  the floor: one Python process computing every table and figure and drawing every chart
        of the 60, with no notebook and no Jupyter

Targets: b ≤ 0.3 × (i) and b ≤ 2 × (ii). Each is measured once (the whole run takes many
minutes on a 2-core machine); the machine is shared, so read the ratios, not the seconds.

Usage: python benchmarks/bench_batch.py [--agencies 20] [--no-dask]   (project root, in the venv)
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
YEARS = (2021, 2022, 2023)

FLOOR = """
import os, sys
from pathlib import Path
from reportkit.ingest import agencies
from reportkit.present import charts
from reportkit.checks import run as checks
from reportkit.present import content
from reportkit.compute import figures
from reportkit.present import htmltables
from reportkit.compute.report import open_report
root = Path(os.environ["REPORTKIT_ROOT"])
charts.setup()
reg = agencies.load(root)
for year in (2021, 2022, 2023):
    for a in reg.ordered():
        r = open_report(params=reg.get(a).params_file(year))
        out = reg.out_dir(a, year)
        out.mkdir(parents=True, exist_ok=True)
        (out / "tables.json").write_text(__import__("json").dumps(r.tables_json, ensure_ascii=False))
        r.texts
        htmltables.table2_html(r.table2); htmltables.table3_html(r.table3); htmltables.table4_html(r.table4)
        for fig in (
            charts.outreach_by_type(figures.outreach_by_type(r.ledgers, r.year)),
            charts.outreach_by_month(figures.outreach_by_month(r.ledgers, r.year)),
            charts.decisions_by_year(figures.decisions_by_year(r.ledgers)),
            charts.requests_outcomes(figures.outcomes_of(r.table3)),
            charts.appeals(r.table4),
        ):
            content.chart_block(fig, "alt")  # SVG for pages and PNG for Word, as a build draws
        checks.check_report(r)
"""


DEPARTMENTS = (
    "发展和改革局 教育局 科学技术局 经济和信息化局 公安局 民政局 司法局 财政局 人力资源和社会保障局 "
    "自然资源和规划局 生态环境分局 住房和城乡建设局 交通运输局 水利和湖泊局 农业农村局 商务局 "
    "文化和旅游局 卫生健康委员会 退役军人事务局 应急管理局 审计局 市场监督管理局 统计局 医疗保障局"
).split()


def agency_name(i: int) -> str:
    """The i-th agency's name: a county department's while there are some, then numbered."""
    return f"示例县{DEPARTMENTS[i]}" if i < len(DEPARTMENTS) else f"示例县第{i + 1}局"


def make_project(folder: Path, n: int) -> list[tuple[str, int]]:
    """agencies.yaml, params/aNN/<Y>.yaml (the demo's, renamed); the agency-years in build order."""
    (folder / "params").mkdir(parents=True)
    ids = [f"a{i:02d}" for i in range(n)]
    lines = ["agencies:"]
    for i, a in enumerate(ids):
        lines += [f"  - id: {a}", f"    params: params/{a}"]
        if i == 0 and n > 1:
            lines.append(f"    includes: [{', '.join(ids[1:5])}]")
        for y in YEARS:
            text = (ROOT / "params" / "demo" / f"{y}.yaml").read_text(encoding="utf-8")
            text = re.sub(
                r"^agency:.*$", f"agency: {agency_name(i)}", text, count=1, flags=re.MULTILINE
            )
            text = re.sub(
                r"^data_dir:.*$",
                f"data_dir: {ROOT / 'data' / 'demo'}",
                text,
                count=1,
                flags=re.MULTILINE,
            )
            text = re.sub(r"^previous:.*$", "", text, flags=re.MULTILINE)
            target = folder / "params" / a / f"{y}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    (folder / "agencies.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    order = ids[1:5] + [ids[0]] + ids[5:]
    return [(a, y) for y in YEARS for a in order]


def timed(cmds: list[list[str]], env: dict[str, str], cwd: Path) -> float:
    t0 = time.perf_counter()
    for cmd in cmds:
        run = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{run.stdout[-1500:]}\n{run.stderr[-1500:]}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--agencies", type=int, default=20, help="agencies (× 3 years); default 20")
    ap.add_argument("--no-dask", action="store_true", help="leave out (b1) and (b2)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reportkit-bench-batch-"))
    order = make_project(work, args.agencies)
    fonts_cache = work / "cache"
    env = {
        **os.environ,
        "REPORTKIT_ROOT": str(work),
        "PYTHONPATH": str(ROOT),
        "XDG_CACHE_HOME": str(fonts_cache),
    }
    rk = [sys.executable, "-m", "reportkit.cli"]
    years = f"{YEARS[0]}-{YEARS[-1]}"
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"{len(order)} agency-years ({args.agencies} agencies × {len(YEARS)} years); working in {work}"
    )

    # What a machine does once, with its first big batch: not part of any timing.
    prepare = "from reportkit.present import fonts; fonts.prepare_all()"
    subprocess.run([sys.executable, "-c", prepare], env=env, check=True)

    def cold() -> None:
        shutil.rmtree(work / "outputs", ignore_errors=True)
        for subset in (fonts_cache / "reportkit" / "fonts").glob("*.woff*"):
            subset.unlink()

    results: dict[str, float] = {}
    cold()
    singles = [
        [
            *rk,
            "build",
            "--params",
            str(work / "params" / a / f"{y}.yaml"),
            "--out",
            str(work / "outputs" / a / str(y)),
        ]
        for a, y in order
    ]
    results["i"] = timed(singles, env, work)
    print(f"(i)  {len(order)} single builds in sequence:       {results['i']:7.1f} s", flush=True)
    runs = [("b", []), ("b1", ["--workers", "1"]), ("b2", ["--workers", "2"])]
    for key, extra in runs[:1] if args.no_dask else runs:
        cold()
        results[key] = timed([[*rk, "build", "--year", years, "--all", *extra]], env, work)
        label = {"b": "--all, one process", "b1": "--all --workers 1", "b2": "--all --workers 2"}[
            key
        ]
        print(f"({key}) {label:36s} {results[key]:7.1f} s", flush=True)
    cold()
    results["ii"] = timed([[sys.executable, "-c", FLOOR]], env, work)
    print(f"(ii) floor, one process, no Jupyter:             {results['ii']:7.1f} s", flush=True)
    b = results["b"]
    print(f"b/(i)  = {b / results['i']:.2f} (target ≤ 0.3)")
    print(f"b/(ii) = {b / results['ii']:.2f} (target ≤ 2)")
    for key in () if args.no_dask else ("b1", "b2"):
        print(
            f"{key}/(i) = {results[key] / results['i']:.2f}   {key}/(ii) = {results[key] / results['ii']:.2f}"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
