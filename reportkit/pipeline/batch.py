"""Building and checking several agencies (`--all`, `--agency`): the plan, the executors, the progress.

An agency-year is one task. An including agency's task waits for the tasks of the agencies it
includes (it reads their tables.json), and a year waits for the same agency's year before (the
cross-year rules read its tables). A failed task is reported with its agency and year and does
not stop the others; a task whose included agency failed fails too, saying why.

The tasks run in this process (threads sharing one kernel zygote and the machine's cores), or
as tasks of a Dask distributed cluster (`--workers N`: a local one; `--scheduler ADDRESS`: an
existing one whose workers see the same project folder), with the dependencies as futures.
Either way each task is the same `reportkit.build()` into outputs/<id>/<Y>/, so the outputs are
the same whichever executor ran them.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportkit.contract import paths
from reportkit.contract.errors import ReportkitError, UsageError
from reportkit.ingest import agencies

# The batch's own lines (the plan, failures, the total); each build's lines are DEBUG under
# reportkit.build, and the live progress display is Progress's.
logger = logging.getLogger("reportkit.batch")

if TYPE_CHECKING:
    from reportkit.pipeline.builder import BuildOptions


@dataclass
class Task:
    agency: str
    year: int
    params: str
    out: str
    includes: list[str] = field(default_factory=list)  # keys of included agencies' tasks
    after: str | None = None  # key of this agency's previous year's task, when planned

    @property
    def key(self) -> str:
        return f"{self.agency}/{self.year}"


@dataclass
class Outcome:
    """What became of one task: JSON-able, so that it travels back from a Dask worker."""

    agency: str
    year: int
    ok: bool
    seconds: float = 0.0
    error: str | None = None
    errors: int | None = None  # error-level findings in checks.json (None: no checks ran)
    warnings: int | None = None
    out: str | None = None
    exit_code: int = 0

    @property
    def key(self) -> str:
        return f"{self.agency}/{self.year}"


def require_registry(root: Path | None = None) -> agencies.Registry:
    registry = agencies.load(root)
    if registry is None:
        root = (root or paths.project_root()).resolve()
        raise UsageError(
            f"{root / agencies.AGENCIES_FILE} 不存在：--all 和 --agency 用于列有多个机关的项目；"
            "单个机关请用 reportkit build --year <年度>，新机关用 reportkit init"
        )
    return registry


def plan(
    registry: agencies.Registry, years: list[int], ids: list[str] | None = None
) -> tuple[list[Task], list[str]]:
    """The tasks for `years` × agencies (`ids`, default all), dependencies first; and notes on
    what is not built (published-only agencies, agencies without params for a year)."""
    order = registry.ordered(ids)
    rank = {a: i for i, a in enumerate(order)}
    tasks: list[Task] = []
    notes: list[str] = []
    keys: set[str] = set()
    for year in sorted(set(years)):
        for a_id in order:
            a = registry.get(a_id)
            if a.params is None:
                if ids and a_id in ids:
                    notes.append(f"机关「{a_id}」只有已发布的报告（published），无需生成")
                continue
            params = a.params_file(year)
            if params is None or not params.is_file():
                notes.append(
                    f"机关「{a_id}」没有{year}年的参数文件（{paths.shown(params, registry.root)}），未生成"
                )
                continue
            t = Task(a_id, year, str(params), str(registry.out_dir(a_id, year)))
            t.includes = [f"{b}/{year}" for b in a.includes if f"{b}/{year}" in keys]
            t.after = f"{a_id}/{year - 1}" if f"{a_id}/{year - 1}" in keys else None
            keys.add(t.key)
            tasks.append(t)
    # Years first, then agencies in dependency order: every task comes after those it waits for.
    tasks.sort(key=lambda t: (t.year, rank[t.agency]))
    return tasks, notes


# ------------------------------------------------------------------------------------------------
# One task
# ------------------------------------------------------------------------------------------------
def execute(task: Task, options: BuildOptions) -> Outcome:
    """Build one agency-year; any failure becomes an Outcome that says why (in Chinese)."""
    from reportkit.pipeline.builder import BuildTarget, build

    t0 = time.monotonic()
    try:
        build(BuildTarget(task.year, task.params, task.out, task.agency), options)
    except ReportkitError as e:
        return Outcome(
            task.agency,
            task.year,
            False,
            time.monotonic() - t0,
            str(e),
            None,
            None,
            None,
            getattr(e, "exit_code", 1),
        )
    except Exception as e:  # noqa: BLE001 - a bug of ours: this task fails, the others go on
        msg = f"内部错误（{type(e).__name__}: {e}）。请对该机关单独运行 reportkit build --debug 并报告给维护者"
        return Outcome(task.agency, task.year, False, time.monotonic() - t0, msg, exit_code=1)
    errors, warnings = _counts(Path(task.out))
    return Outcome(
        task.agency, task.year, True, time.monotonic() - t0, None, errors, warnings, task.out
    )


def _counts(out: Path) -> tuple[int | None, int | None]:
    try:
        data = json.loads((out / "checks.json").read_text(encoding="utf-8"))
        return int(data["errors"]), int(data["warnings"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def dependency_failed(task: Task, failed: list[str]) -> Outcome:
    names = "、".join(f"「{k.split('/')[0]}」" for k in failed)
    return Outcome(
        task.agency,
        task.year,
        False,
        0.0,
        f"未生成：所汇总的机关{names}{task.year}年的报告未能生成，汇总报告需要它们的统计表",
        exit_code=1,
    )


# ------------------------------------------------------------------------------------------------
# The progress display: one line per finished task, or one updating line on a terminal
# ------------------------------------------------------------------------------------------------
class Progress:
    def __init__(self, total: int, stream: Any = None):
        self.total, self.done, self.failed = total, 0, 0
        self.running: list[str] = []
        self.stream = stream or sys.stdout
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            pass

    def _status(self) -> str:
        running = "、".join(self.running[:4]) + ("…" if len(self.running) > 4 else "")
        return (
            f"[{self.done}/{self.total}] 失败 {self.failed}，用时 {time.monotonic() - self.t0:.0f} 秒"
            + (f"；进行中：{running}" if running else "")
        )

    def started(self, key: str) -> None:
        with self.lock:
            self.running.append(key)
            if self.tty:
                self._write("\r\x1b[K" + self._status())

    def finished(self, o: Outcome) -> None:
        with self.lock:
            if o.key in self.running:
                self.running.remove(o.key)
            self.done += 1
            self.failed += not o.ok
            if o.ok:
                checks = (
                    "" if o.errors is None else f"，检查 {o.errors} 个错误、{o.warnings} 个警告"
                )
                line = f"[{self.done}/{self.total}] {o.key} 完成（{o.seconds:.1f} 秒{checks}）"
            else:
                line = f"[{self.done}/{self.total}] {o.key} 失败：{o.error}"
            self._write(("\r\x1b[K" if self.tty else "") + line + "\n")
            if self.tty and self.running:
                self._write(self._status())


# ------------------------------------------------------------------------------------------------
# Executors
# ------------------------------------------------------------------------------------------------
def run_local(
    tasks: list[Task],
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Outcome]:
    """Every task in this process: threads share one zygote and the cores, section by section."""
    from reportkit.pipeline.builder import BuildOptions, skip_slow_imports
    from reportkit.pipeline.executors import make_executor

    skip_slow_imports()
    outcomes: dict[str, Outcome] = {}
    progress = progress or Progress(len(tasks))

    with make_executor(jobs) as executor:
        executor.expect(t.key for t in tasks)
        # The builds' own progress lines are DEBUG: a batch shows one line per task instead.
        options = BuildOptions(executor.jobs, use_cache, executor, level=logging.DEBUG)

        def one(t: Task) -> None:
            outcome = None
            try:
                for d in t.includes:
                    executor.wait_for(d)
                failed = [d for d in t.includes if not outcomes[d].ok]
                if failed:
                    outcome = dependency_failed(t, failed)
                else:
                    progress.started(t.key)
                    outcome = execute(t, options)
            finally:
                outcome = outcome or Outcome(t.agency, t.year, False, error="未完成", exit_code=1)
                outcomes[t.key] = outcome
                executor.finished(t.key)
                progress.finished(outcome)

        # Tasks are queued dependencies first, and a pool takes them in order: a task only ever
        # waits for one that a thread has already taken.
        with ThreadPoolExecutor(max_workers=max(1, min(len(tasks), executor.jobs))) as pool:
            list(pool.map(one, tasks))
    return outcomes


def run_dask(
    tasks: list[Task],
    root: Path,
    use_cache: bool = True,
    jobs: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Outcome]:
    """Every task on a Dask cluster: a local one of `workers` processes, or `scheduler`'s."""
    from reportkit.pipeline import dask_tasks

    return dask_tasks.run(
        tasks, root, use_cache, jobs, workers, scheduler, progress or Progress(len(tasks))
    )


# ------------------------------------------------------------------------------------------------
# The commands
# ------------------------------------------------------------------------------------------------
def build_batch(
    years: list[int],
    ids: list[str] | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    overview: bool = False,
) -> list[Outcome]:
    """`reportkit build --year Y --all | --agency ID…`: returns every task's outcome; with
    `overview` (every --all build) writes outputs/overview-<Y>.html and .xlsx for each year."""
    root = paths.project_root().resolve()
    registry = require_registry(root)
    tasks, notes = plan(registry, years, ids)
    for note in notes:
        logger.info(f"提示：{note}")
    if not tasks:
        raise UsageError("没有可生成的报告：" + ("；".join(notes) or "agencies.yaml 中没有机关"))
    logger.info(f"reportkit：共 {len(tasks)} 份报告（{_executor(workers, scheduler)}）")
    _prepare_fonts(len(tasks))
    progress = Progress(len(tasks))
    if workers or scheduler:
        outcomes = run_dask(tasks, root, use_cache, jobs, workers, scheduler, progress)
    else:
        outcomes = run_local(tasks, use_cache, jobs, progress)
    ordered = [outcomes[t.key] for t in tasks]
    failed = [o for o in ordered if not o.ok]
    for o in failed:
        logger.error(f"错误：{o.agency} {o.year}年：{o.error}")
    logger.info(f"完成：{len(ordered) - len(failed)} 份成功，{len(failed)} 份失败")
    if overview:
        from reportkit.pipeline import overview as office

        for year in sorted(set(years)):
            written = office.write(registry, year, [o for o in ordered if o.year == year])
            logger.info("总览：" + "、".join(paths.shown(p, root) for p in written))
    return ordered


def _prepare_fonts(reports: int) -> None:
    """A batch of many reports first makes the fonts' prepared copies, once a machine: each
    report's font subsets then take about a third of the time (the same bytes either way)."""
    from reportkit.present import fonts

    if reports < fonts.PREPARED_AT or fonts.prepared_all():
        return
    logger.info("准备网页字体（每台电脑只做一次，约需 15 秒）……")
    try:
        fonts.prepare_all()
    except Exception as exc:  # never worth failing a batch for: reports subset the whole font
        logger.warning(f"提示：网页字体未能预先准备（{exc}），各报告仍可生成，只是稍慢")


def _executor(workers: int | None, scheduler: str | None) -> str:
    if scheduler:
        return f"在 Dask 集群 {scheduler} 上运行"
    if workers:
        return f"在本机 {workers} 个 Dask 进程上运行"
    return "在本进程中运行"


def check_batch(year: int, ids: list[str] | None = None, as_json: bool = False) -> int:
    """`reportkit check --year Y --all | --agency ID…`: each agency's checks in turn. Exit 0 when
    none has an error-level finding, 1 when one has, 2 when one could not be read."""
    from reportkit.contract.findings import findings_json, format_findings
    from reportkit.pipeline.checking import run as check

    root = paths.project_root().resolve()
    registry = require_registry(root)
    tasks, notes = plan(registry, [year], ids)
    code = 0
    results: dict[str, Any] = {}
    for t in tasks:
        try:
            found = check(params=t.params)
        except ReportkitError as e:
            code = 2
            results[t.agency] = {"error": str(e)}
            if not as_json:
                print(f"== {t.agency} {year}年：无法检查\n错误：{e}\n", flush=True)
            continue
        if any(f.severity == "error" for f in found):
            code = max(code, 1)
        results[t.agency] = findings_json(found)
        if not as_json:
            print(f"== {t.agency} {year}年\n{format_findings(found)}\n", flush=True)
    if as_json:
        print(
            json.dumps(
                {"year": year, "agencies": results, "notes": notes}, ensure_ascii=False, indent=2
            )
        )
    else:
        for note in notes:
            print(f"提示：{note}")
    return code


def outcome_dict(o: Outcome) -> dict[str, Any]:
    return asdict(o)


def new_batch_id() -> str:
    return uuid.uuid4().hex
