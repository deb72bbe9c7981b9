"""How fast reportkit reads a big requests ledger and computes 表三, against the naive way.

    .venv/bin/python benchmarks/bench_scale.py [--rows 1000000] [--year 2021] [--keep DIR]

Writes a synthetic requests.csv (UTF-8, as Excel saves "CSV UTF-8") of --rows rows into a temporary
folder, then times, each in a fresh process so that peak memory is its own:

  (i)  reportkit: load_ledgers() on the folder, then reportkit.compute.tables.table3();
  (ii) naive: pandas.read_csv() of the file, then a Python loop over the rows counting each cell of
       表三 into a dict (what an analyst without reportkit would write).

Prints both times, the ratio, each one's peak memory, whether the two tables agree, and whether (i)
took under 1 second with a peak memory under 3 times the file's size ((i) runs --repeat times;
the median is reported). Also times the reading of the personal columns that the privacy guard
does after a build, and the peak memory after it (not part of (i): nothing in the tables needs
them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.0
TARGET_MEMORY = 3.0  # peak memory of (i), in times the file's size
HEADER = "申请编号,收到日期,申请人类型,办理结果,办结日期,申请人姓名,证件号码,联系电话,申请内容,收费金额（元）\n"
APPLICANTS = (
    ["自然人"] * 6 + ["商业企业"] * 2 + ["科研机构", "社会公益组织", "法律服务机构", "其他"]
)
OUTCOMES = [
    "予以公开",
    "予以公开",
    "予以公开",
    "部分公开",
    "不予公开/属于国家秘密",
    "不予公开/保护第三方合法权益",
    "无法提供/本机关不掌握相关政府信息",
    "无法提供/没有现成信息需要另行制作",
    "不予处理/信访举报投诉类申请",
    "不予处理/重复申请",
    "其他处理/其他",
]
TOPICS = [
    "应急避难场所建设资金",
    "烟花爆竹零售网点布局",
    "安全生产许可审批",
    "危险化学品经营许可",
    "防汛抗旱物资储备",
    "安全生产执法检查记录",
    "事故调查报告",
    "应急预案",
    "矿山安全整治",
    "消防安全检查",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def write_ledger(path: Path, rows: int, seed: int = 2021) -> None:
    """A requests ledger over 2018-2023: ids unique, dates repeat, a few fees, blank while open."""
    import datetime as dt

    rnd = random.Random(seed)
    start = dt.date(2018, 1, 1)
    days = [(start + dt.timedelta(days=i)) for i in range(6 * 365)]
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        lines = []
        for i in range(rows):
            received = rnd.choice(days)
            if rnd.random() < 0.9:
                outcome = rnd.choice(OUTCOMES)
                done = received + dt.timedelta(days=rnd.randint(1, 40))
                concluded = f"{done.year}/{done.month}/{done.day}"  # as Excel writes a date
            else:
                outcome, concluded = "", ""
            fee = str(rnd.choice([50, 100, 200])) if rnd.random() < 0.01 else ""
            name = rnd.choice(SURNAMES) + "某" + str(i)
            id_no = f"{rnd.randrange(10**17):018d}"
            phone = f"138{rnd.randrange(10**8):08d}"
            topic = (
                f"申请公开{received.year}年{rnd.choice(TOPICS)}情况（第{rnd.randint(1, 500)}号）"
            )
            lines.append(
                f"YSQ-{received.year}-{i:07d},{received.isoformat()},{rnd.choice(APPLICANTS)},{outcome},{concluded},"
                f"{name},{id_no},{phone},{topic},{fee}\n"
            )
            if len(lines) == 50_000:
                f.writelines(lines)
                lines.clear()
        f.writelines(lines)


# ------------------------------------------------------------------------------------------------
# The two ways, each run in its own process
# ------------------------------------------------------------------------------------------------
def with_reportkit(folder: Path, year: int) -> dict:
    from reportkit.compute.tables import table3
    from reportkit.ingest.ledgers import load_ledgers

    t0, c0 = time.perf_counter(), time.process_time()
    ledgers = load_ledgers(folder)
    read = time.perf_counter() - t0
    table = table3(ledgers, year)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_mb()  # of (i): before the guard's read below
    t1 = time.perf_counter()
    personal = len(ledgers.personal_values)
    guard_read = time.perf_counter() - t1
    cells = {f"{r}|{c}": int(table.at[r, c]) for r in table.index for c in table.columns}
    return {
        "seconds": seconds,
        "cpu": cpu,
        "read": read,
        "cells": cells,
        "personal_values": personal,
        "personal_seconds": guard_read,
        "peak_read_mb": peak,
    }


def naive(path: Path, year: int) -> dict:
    import pandas as pd

    from reportkit.contract import vocab

    t0, c0 = time.perf_counter(), time.process_time()
    df = pd.read_csv(path)
    counts: dict[tuple[str, str], int] = {}

    def add(row: str, applicant: str) -> None:
        counts[(row, applicant)] = counts.get((row, applicant), 0) + 1
        counts[(row, vocab.TOTAL)] = counts.get((row, vocab.TOTAL), 0) + 1

    for r in df.itertuples(index=False):
        received = int(str(r[1])[:4])
        done = None if pd.isna(r[4]) else int(str(r[4])[:4])
        applicant, outcome = r[2], r[3]
        if received == year:
            add(vocab.NEW_REQUESTS, applicant)
        if received < year and (done is None or done >= year):
            add(vocab.CARRIED_IN, applicant)
        if done == year:
            add(outcome, applicant)
            add(vocab.TOTAL, applicant)
        if received <= year and (done is None or done > year):
            add(vocab.CARRIED_OUT, applicant)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    cells = {f"{r}|{c}": counts.get((r, c), 0) for r in vocab.T3_ROWS for c in vocab.T3_COLUMNS}
    return {"seconds": seconds, "cpu": cpu, "cells": cells}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _worker(way: str, folder: Path, year: int) -> None:
    result = (
        with_reportkit(folder, year) if way == "reportkit" else naive(folder / "requests.csv", year)
    )
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result, ensure_ascii=False))


def _run(way: str, folder: Path, year: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", way, "--folder", str(folder), "--year", str(year)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        sys.exit(f"{way} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--year", type=int, default=2021)
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs of (i); the median is reported (default 3)"
    )
    ap.add_argument(
        "--keep", type=Path, help="write the ledger here and keep it (default: a temporary folder)"
    )
    ap.add_argument("--worker", choices=["reportkit", "naive"], help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        _worker(args.worker, args.folder, args.year)
        return

    with tempfile.TemporaryDirectory(prefix="reportkit-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "requests.csv"
        t0 = time.perf_counter()
        if not (args.keep and path.exists()):  # a kept ledger is reused as it is
            write_ledger(path, args.rows)
        size_mb = path.stat().st_size / 2**20
        print(
            f"ledger: {args.rows:,} rows, {path.stat().st_size / 2**20:.0f} MiB, written in {time.perf_counter() - t0:.1f} s"
        )
        # (i) is a second or two, so the VM's hiccups show: the median of --repeat fresh runs.
        runs = sorted(
            (_run("reportkit", folder, args.year) for _ in range(max(1, args.repeat))),
            key=lambda r: r["seconds"],
        )
        fast = runs[len(runs) // 2]
        slow = _run("naive", folder, args.year)

    ratio = slow["seconds"] / fast["seconds"]
    print(
        f"(i)  reportkit  read + 表三: {fast['seconds']:6.2f} s (cpu {fast['cpu']:.2f} s; read {fast['read']:.2f} s, "
        f"表三 {fast['seconds'] - fast['read']:.2f} s)   peak memory {fast['peak_read_mb']:5.0f} MiB"
        f" ({fast['peak_read_mb'] / size_mb:.1f}x the file)"
    )
    print(
        f"(ii) naive loop read + 表三: {slow['seconds']:6.2f} s (cpu {slow['cpu']:.2f} s)"
        f"   peak memory {slow['peak_mb']:5.0f} MiB"
    )
    print(
        f"machine load while measuring (1-min average): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    print(f"ratio (ii)/(i): {ratio:.1f}x")
    print(f"same 表三 both ways: {'yes' if fast['cells'] == slow['cells'] else 'NO'}")
    print(
        f"privacy guard's later read of the personal columns: {fast['personal_seconds']:.2f} s "
        f"({fast['personal_values']:,} values; not part of (i)); peak memory after it "
        f"{fast['peak_mb']:.0f} MiB"
    )
    verdict = "YES" if fast["seconds"] < TARGET_SECONDS else "NO"
    spread = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(
        f"(i) under {TARGET_SECONDS:.0f} s: {verdict} ({fast['seconds']:.3f} s, median of {len(runs)} runs: {spread})"
    )
    small = "YES" if fast["peak_read_mb"] < TARGET_MEMORY * size_mb else "NO"
    print(f"(i) peak memory under {TARGET_MEMORY:.0f}x the file: {small}")


if __name__ == "__main__":
    main()
