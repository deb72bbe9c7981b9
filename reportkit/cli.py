"""The `reportkit` command: turns argv into build targets and options, and calls reportkit.pipeline."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from pathlib import Path

from reportkit.contract.errors import ReportkitError
from reportkit.contract.years import year_range_problem

_YEAR = re.compile(r"\d{4}")


def _year_spec(text: str) -> list[int]:
    """`--year 2021`, `2020-2021` or `2020,2021`; anything else is said in Chinese (exit 2)."""
    years: list[int] = []
    for part in text.split(","):
        if not part.strip():  # `2020,2021,`
            continue
        first, dash, last = (x.strip() for x in part.partition("-"))
        if not (_YEAR.fullmatch(first) and (not dash or _YEAR.fullmatch(last))):
            raise argparse.ArgumentTypeError(
                f"「{text}」不是年度：应写成 2021、2020-2021 或 2020,2021"
            )
        a, b = int(first), int(last if dash else first)
        if b < a:
            raise argparse.ArgumentTypeError(f"「{text}」：起始年度晚于结束年度")
        for y in (a, b):
            if year_range_problem(y):
                raise argparse.ArgumentTypeError(f"「{text}」：{year_range_problem(y)}")
        years.extend(range(a, b + 1))
    return years


def _one_year(text: str) -> int:
    """`check --year`: one year."""
    years = _year_spec(text)
    if len(years) != 1:
        raise argparse.ArgumentTypeError(f"「{text}」：只能给一个年度")
    return years[0]


def _years(values: list[list[int] | str]) -> list[int]:
    """The years to build, in the order given; each value parsed by _year_spec (or still text)."""
    years = (y for v in values for y in (_year_spec(v) if isinstance(v, str) else v))
    return list(dict.fromkeys(years))  # a year given twice is built once


def _batch_arguments(p: argparse.ArgumentParser) -> None:
    """--all / --agency: the agencies of agencies.yaml (see reportkit/pipeline/batch.py)."""
    p.add_argument("--all", action="store_true", help="agencies.yaml 中的全部机关")
    p.add_argument(
        "--agency", action="append", default=[], help="agencies.yaml 中的机关标识（可重复）"
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="reportkit", description="政府信息公开工作年度报告：从台账计算、检查并生成报告"
    )
    p.add_argument("--debug", action="store_true", help="出错时显示完整的 Python 调用栈")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser(
        "build", help="运行六个章节笔记本，生成 report.html、tables.json、checks.json"
    )
    b.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    b.add_argument(
        "--year",
        action="append",
        type=_year_spec,
        default=[],
        help="报告年度，如 2021；可写 2020-2021 或重复给出",
    )
    b.add_argument("--params", type=Path, help="参数文件（默认 params/<年>.yaml）")
    b.add_argument("--out", type=Path, help="输出文件夹（默认 outputs/<年>/）")
    b.add_argument("--jobs", type=int, default=None, help="同时运行的笔记本数（默认：CPU 核数）")
    b.add_argument("--no-cache", action="store_true", help="不复用上次的结果，全部重新运行")
    _batch_arguments(b)
    b.add_argument(
        "--workers", type=int, help="在本机启动 N 个 Dask 进程运行（与 --all/--agency 同用）"
    )
    b.add_argument(
        "--scheduler", help="在已有的 Dask 集群上运行，如 tcp://host:8786（与 --all/--agency 同用）"
    )

    c = sub.add_parser("check", help="只做勾稽关系检查，不生成报告")
    c.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    c.add_argument("--year", type=_one_year, help="报告年度")
    c.add_argument("--params", type=Path, help="参数文件")
    c.add_argument(
        "--tables", type=Path, help="单独检查一个 tables.json，或已发布报告的网页、Word 文件"
    )
    c.add_argument(
        "--previous",
        type=Path,
        help="上年的 tables.json 或报告网页、Word 文件（默认：上年默认输出文件夹中的）",
    )
    c.add_argument("--json", action="store_true", help="以 JSON 输出检查结果")
    _batch_arguments(c)

    i = sub.add_parser("init", help="新增一个机关：参数文件、空白台账和 agencies.yaml 中的一项")
    i.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    i.add_argument("--agency", required=True, help="机关全称，如 某某市应急管理局")
    i.add_argument("--year", type=_one_year, required=True, help="第一个报告年度，如 2024")
    i.add_argument("--id", help="机关的简短标识（字母、数字和 -），用作文件夹名；中文名称必须给出")

    n = sub.add_parser("new-year", help="从上年的参数文件生成新一年的参数文件")
    n.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    n.add_argument("year", type=_one_year, help="新的报告年度，如 2024")
    n.add_argument(
        "--agency", action="append", default=[], help="机关标识（可重复；默认：全部机关）"
    )

    imp = sub.add_parser(
        "import", help="把已发布的年度报告（网页 .html/.htm 或 Word .docx）读成 tables.json"
    )
    imp.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    imp.add_argument("files", nargs="+", type=Path, help="报告网页或 Word 文件")
    imp.add_argument(
        "--out",
        type=Path,
        help="输出文件（一个输入时）或文件夹（默认：输入文件旁的 <名称>.tables.json）",
    )
    imp.add_argument("--agency", help="机关名称（默认取自报告标题）")
    imp.add_argument("--year", type=_one_year, help="报告年度（默认取自报告标题）")

    rev = sub.add_parser(
        "review",
        help="导入并检查一个文件夹中的全部报告，写出 review.html、review.xlsx、review.json",
    )
    rev.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    rev.add_argument("folder", type=Path, help="放报告的文件夹（含子文件夹）")
    rev.add_argument("--out", type=Path, help="输出文件夹（默认 outputs/review/）")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on bad usage, as the contract wants
        return int(e.code or 0)
    handler = _ProgressLines()
    log = logging.getLogger("reportkit")
    saved = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # printed here, once, whatever the root logger does
    try:
        return _run(args, parser)
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]


class _ProgressLines(logging.Handler):
    """The library's log records as the command's progress lines: errors on stderr, the rest on
    stdout, each line flushed at once."""

    def emit(self, record: logging.LogRecord) -> None:
        stream = sys.stderr if record.levelno >= logging.ERROR else sys.stdout
        try:
            stream.write(record.getMessage() + "\n")
            stream.flush()
        except BrokenPipeError:
            # Whoever read our output has gone (`reportkit build | head`): the files are what the
            # build is for, so it goes on without a log.
            if stream is sys.stdout:
                sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    try:
        if args.command == "build":
            return _build(args, parser)
        if args.command == "import":
            from reportkit.ingest.command import run_import

            return run_import(args.files, out=args.out, agency=args.agency, year=args.year)
        if args.command == "review":
            from reportkit.checks.review import run_review

            return run_review(args.folder, out=args.out)
        if args.command in ("init", "new-year"):
            return _onboard(args)
        return _check(args, parser)
    except BrokenPipeError:  # `reportkit check | head`: the reader has gone, as with SIGPIPE
        return 141
    except ReportkitError as e:
        if getattr(args, "debug", False):
            raise
        print(f"错误：{e}", file=sys.stderr)
        return 2 if args.command in ("check", "import") else 1
    except Exception as e:  # a bug of ours: say so briefly; --debug shows the traceback
        if getattr(args, "debug", False):
            raise
        print(
            f"内部错误（{type(e).__name__}: {e}）。请加 --debug 重新运行并把输出报告给维护者。",
            file=sys.stderr,
        )
        return 2 if args.command in ("check", "import") else 1
    except KeyboardInterrupt:
        print("已中断；上次生成的报告保持不变。", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    years = _years(args.year)
    if args.all or args.agency:
        return _build_batch(args, parser, years)
    if args.workers or args.scheduler:
        parser.error("--workers 和 --scheduler 须与 --all 或 --agency 同用")
    if not years and not args.params:
        parser.error("请用 --year 指定年度，或用 --params 指定参数文件")
    if args.params and len(years) > 1:
        parser.error("--params 只能对应一个年度")
    if args.out and len(years) > 1:
        parser.error("--out 只能对应一个年度")
    from reportkit.pipeline.builder import BuildOptions, BuildTarget, build_many

    targets = [BuildTarget(y, args.params, args.out) for y in years or [None]]
    results = build_many(targets, BuildOptions(jobs=args.jobs, use_cache=not args.no_cache))
    # 2 when a year's build was refused before it started (bad usage, an unusable folder).
    return max([0] + [r.exit_code or 1 for r in results if not r.ok])


def _build_batch(
    args: argparse.Namespace, parser: argparse.ArgumentParser, years: list[int]
) -> int:
    if not years:
        parser.error("请用 --year 指定年度")
    if args.params or args.out:
        parser.error("--params 和 --out 不能与 --all、--agency 同用：输出在 outputs/<机关>/<年>/")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers 应为正整数")
    from reportkit.pipeline.batch import build_batch

    outcomes = build_batch(
        years,
        None if args.all else args.agency,
        use_cache=not args.no_cache,
        jobs=args.jobs,
        workers=args.workers,
        scheduler=args.scheduler,
        overview=args.all,
    )
    return max([0] + [o.exit_code or 1 for o in outcomes if not o.ok])


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.all or args.agency:
        if not args.year or args.params or args.tables:
            parser.error("--all/--agency 须与 --year 同用，不能与 --params、--tables 同用")
        from reportkit.pipeline.batch import check_batch

        return check_batch(args.year, None if args.all else args.agency, args.json)

    if not (args.year or args.params or args.tables):
        parser.print_usage(sys.stderr)
        print(
            "reportkit check: 请用 --year、--params 或 --tables 指定要检查的内容", file=sys.stderr
        )
        return 2
    from reportkit.pipeline import checking

    findings = checking.run(
        year=args.year, params=args.params, tables=args.tables, previous=args.previous
    )
    print(checking.shown(findings, args.json))
    return checking.exit_code(findings)


def _onboard(args: argparse.Namespace) -> int:
    from reportkit.contract import paths
    from reportkit.pipeline import onboard

    if args.command == "init":
        written = onboard.init_agency(args.agency, args.year, args.id)
    else:
        written = onboard.new_year(args.year, args.agency or None)
    print(written.summary(paths.project_root()))
    return 0


def run() -> None:
    """The `reportkit` command. Everything is written and closed when main() returns; tearing
    down an interpreter that has loaded pandas, matplotlib and Jupyter's libraries would only add
    a quarter of a second before the prompt comes back, so the process ends at once."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`reportkit build | head`): nothing to say
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
