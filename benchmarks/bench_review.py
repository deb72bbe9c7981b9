"""How fast `reportkit review` reads and checks a folder of published report pages, against
pandas.read_html merely reading the same pages' tables.

    .venv/bin/python benchmarks/bench_review.py [--pages 1000] [--repeat 3] [--keep DIR]

Copies the report pages of tests/fixtures/published/ (every layout, the 2019-template page
included) into a temporary folder until it holds --pages pages, then times, in one process and
interleaved --repeat times (medians reported; a shared machine varies from run to run):

  (a) pandas.read_html() of every page: parsing each page and building a DataFrame per table,
      nothing more (lxml, its fastest flavour; no labels, no checks, no output);
  (b) reportkit.checks.review.run_review() on the folder: importing every page into the statutory tables,
      pairing agencies' years, running every table rule, writing review.html, .xlsx and .json.

Prints both, ms per page, the ratio b/a and whether the targets hold: b/a ≤ 1 and ≤ 20 ms a page.
pandas, openpyxl and reportkit are imported before timing; no dependency beyond reportkit's own.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "published"
TARGET_RATIO = 1.0
TARGET_MS = 20.0


def make_folder(folder: Path, pages: int) -> list[Path]:
    """--pages copies of the fixture pages, 100 to a subfolder as an office would file them."""
    sources = sorted(FIXTURES.glob("*.html"))
    out = []
    for i in range(pages):
        source = sources[i % len(sources)]
        sub = folder / f"batch{i // 100:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        target = sub / f"{i:04d}_{source.name}"
        shutil.copyfile(source, target)
        out.append(target)
    return out


def time_read_html(pages: list[Path]) -> tuple[float, int]:
    import pandas as pd

    tables = 0
    start = time.perf_counter()
    for page in pages:
        try:
            tables += len(pd.read_html(page, flavor="lxml"))
        except ValueError:  # a page whose tables pandas cannot find
            pass
    return time.perf_counter() - start, tables


def time_review(folder: Path, out: Path) -> tuple[float, int]:
    from reportkit.checks.review import run_review

    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    code = run_review(folder, out=out, stream=io.StringIO())
    return time.perf_counter() - start, code


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pages", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--keep", type=Path, help="keep the folder of pages here")
    args = p.parse_args(argv)

    import openpyxl  # noqa: F401  (imported before timing, as pandas is for (a))
    import pandas  # noqa: F401

    import reportkit.checks.review
    import reportkit.checks.review_output  # noqa: F401

    work = Path(tempfile.mkdtemp(prefix="bench_review_"))
    try:
        folder = args.keep or work / "pages"
        pages = make_folder(folder, args.pages)
        out = work / "review"
        a_times, b_times = [], []
        for _ in range(args.repeat):
            a, n_tables = time_read_html(pages)
            b, code = time_review(folder, out)
            a_times.append(a)
            b_times.append(b)
        a, b = statistics.median(a_times), statistics.median(b_times)
        ms = b / len(pages) * 1000
        print(f"pages: {len(pages)} ({len({p.name[5:] for p in pages})} layouts)")
        print(
            f"(a) pandas.read_html: {a:.2f} s, {a / len(pages) * 1000:.1f} ms/page "
            f"({n_tables} tables) runs: {', '.join(f'{x:.2f}' for x in a_times)}"
        )
        print(
            f"(b) reportkit review: {b:.2f} s, {ms:.1f} ms/page (exit {code}) "
            f"runs: {', '.join(f'{x:.2f}' for x in b_times)}"
        )
        ratio = b / a
        print(
            f"b/a = {ratio:.2f} (target ≤ {TARGET_RATIO:g}); {ms:.1f} ms/page (target ≤ {TARGET_MS:g})"
        )
        ok = ratio <= TARGET_RATIO and ms <= TARGET_MS
        print("targets met" if ok else "targets NOT met")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
