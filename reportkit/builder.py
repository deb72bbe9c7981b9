"""`reportkit build`: validate, check, run the six section notebooks, assemble, guard, then publish.

Read as a flat sequence of steps: resolve params -> load and compute -> check -> run sections
(papermill, concurrently, each in a fresh kernel) -> assemble report.html -> write tables.json and
checks.json -> privacy guard -> swap the staging folder in. Until the swap, the last good outputs
stay untouched; a killed build leaves them as they were.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import paths, vocab
from .errors import ChecksFailed, PrivacyLeak, ReportkitError, SectionFailed
from .report import Report, open_report

Log = Callable[[str], None]


def _print(msg: str) -> None:
    print(msg, flush=True)


@dataclass
class BuildResult:
    year: int | None
    out: Path | None
    ok: bool
    seconds: float
    error: str | None = None
    ran: tuple[str, ...] = ()  # section slugs executed (the others came from the cache)


def section_notebooks(root: Path | None = None) -> list[tuple[dict[str, str], Path]]:
    """The six section notebooks in report order: notebooks/NN_<slug>.ipynb."""
    folder = paths.notebooks_dir(root)
    found = []
    for s in vocab.SECTIONS:
        path = folder / f"{int(s['index']):02d}_{s['slug']}.ipynb"
        if not path.is_file():
            raise ReportkitError(f"缺少章节笔记本：{path}")
        found.append((s, path))
    return found


# ------------------------------------------------------------------------------------------------
# Publishing safely
# ------------------------------------------------------------------------------------------------
def _previous_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.previous"


def recover(out: Path) -> None:
    """Undo a swap that was killed halfway: the previous outputs come back."""
    prev = _previous_dir(out)
    if prev.exists():
        if out.exists():
            shutil.rmtree(prev, ignore_errors=True)
        else:
            os.replace(prev, out)
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    except OSError:
        return False
    return True


def publish(staging: Path, out: Path) -> None:
    """Swap the finished staging folder in for `out` with two renames."""
    prev = _previous_dir(out)
    if prev.exists():
        shutil.rmtree(prev)
    if out.exists():
        os.replace(out, prev)
    os.replace(staging, out)
    shutil.rmtree(prev, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# Privacy guard
# ------------------------------------------------------------------------------------------------
def _searchable_text(path: Path) -> str:
    raw = path.read_bytes().decode("utf-8", errors="ignore")
    text = raw
    if path.suffix in (".json", ".ipynb"):
        try:
            text += json.dumps(json.loads(raw), ensure_ascii=False)
        except ValueError:
            pass
    if path.suffix in (".html", ".ipynb"):
        text += html.unescape(raw)
    return text


def privacy_leaks(folder: Path, personal_values: set[str]) -> list[tuple[str, str]]:
    """(file, value) for every personal value found in any file under `folder`."""
    values = [v for v in personal_values if len(v.strip()) >= 2]
    leaks = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = _searchable_text(path)
        leaks.extend((str(path.relative_to(folder)), v) for v in values if v in text)
    return leaks


def _mask(value: str) -> str:
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*"


# ------------------------------------------------------------------------------------------------
# Running the sections
# ------------------------------------------------------------------------------------------------
def _kernel_manager_class():
    """Kernels talk over local IPC sockets: nothing listens on the network, and the kernel does
    not print its warning about unencrypted TCP on the user's terminal."""
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            # Socket files go to the temp folder, not into the project (the kernel's cwd).
            self.ip = os.path.join(tempfile.gettempdir(), f"reportkit-kernel-{uuid.uuid4().hex[:12]}")

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # A cell's error reaches us through the notebook; the kernel's own log lines (shutdown
            # chatter) would only clutter the progress display.
            if not os.environ.get("REPORTKIT_KERNEL_LOG"):
                kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return IPCKernelManager


def _run_section(nb: Path, target: Path, params_file: Path, year: int, root: Path) -> None:
    import papermill as pm

    pm.execute_notebook(
        str(nb),
        str(target),
        parameters={"year": year, "params": str(params_file)},
        cwd=str(root),
        progress_bar=False,
        log_output=False,
        kernel_name="python3",
        language="python",
        kernel_manager_class=_kernel_manager_class(),
    )


def _previous_tables(year: int, root: Path) -> dict | None:
    """Last year's tables.json from its default output folder, for the cross-year rules."""
    path = paths.default_out_dir(year - 1, root) / "tables.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _section_error(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip()


def run_sections(
    report: Report, params_file: Path, staging: Path, out: Path, root: Path, jobs: int | None, log: Log
) -> tuple[str, ...]:
    """Execute every section notebook into staging/notebooks; on failure keep it in out/failed/."""
    sections = section_notebooks(root)
    nb_dir = staging / "notebooks"
    nb_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(sections)))
    started = time.monotonic()

    def one(item: tuple[dict[str, str], Path]) -> tuple[dict[str, str], Path, BaseException | None, float]:
        s, nb = item
        t0 = time.monotonic()
        try:
            _run_section(nb, nb_dir / nb.name, params_file, report.year, root)
            return s, nb, None, time.monotonic() - t0
        except Exception as e:  # papermill raises its own and kernel errors; all become SectionFailed
            return s, nb, e, time.monotonic() - t0

    failures: list[SectionFailed] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for done, (s, nb, err, secs) in enumerate(pool.map(one, sections), start=1):
            if err is None:
                log(f"  [{done}/{len(sections)}] {s['heading']} … 完成（{secs:.1f} 秒）")
                continue
            kept = out / "failed" / nb.name
            kept.parent.mkdir(parents=True, exist_ok=True)
            if (nb_dir / nb.name).exists():
                shutil.copyfile(nb_dir / nb.name, kept)
            failures.append(SectionFailed(s["heading"], _section_error(err), str(kept)))
            log(f"  [{done}/{len(sections)}] {s['heading']} … 失败")
    if failures:
        raise failures[0]
    log(f"  六个章节全部完成，用时 {time.monotonic() - started:.1f} 秒")
    return tuple(s["slug"] for s, _ in sections)


# ------------------------------------------------------------------------------------------------
# The build
# ------------------------------------------------------------------------------------------------
def build(
    year: int | None = None,
    params: str | Path | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    log: Log = _print,
) -> BuildResult:
    """Build one report year. Raises ReportkitError (Chinese message) on any failure."""
    from . import checks, render

    started = time.monotonic()
    root = paths.project_root()
    params_file = Path(params).resolve() if params else paths.params_file(year, root)

    # 1. params, ledgers, figures, narrative: every input error surfaces before any kernel starts.
    report = open_report(year=None, params=params_file) if params else open_report(year=year)
    year = report.year
    out = Path(out).resolve() if out else paths.default_out_dir(year, root)
    log(f"reportkit：{report.title}")
    for note in report.ledgers.notes:
        log(f"  提示：{note}")
    report.texts  # renders every template now, so an unknown placeholder stops the build here
    tables = report.tables_json

    # 2. consistency checks: an error stops the build before anything is replaced.
    previous = _previous_tables(year, root)
    findings = checks.check_report(report, previous=previous)
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    if warnings:
        log(f"  检查：{len(warnings)} 条警告")
        for line in checks.format_findings(warnings).splitlines():
            log(f"    {line}")
    if errors:
        raise ChecksFailed(f"勾稽关系检查发现 {len(errors)} 处错误，未生成报告：\n" + checks.format_findings(errors))

    # 3. sections, into a staging folder beside the output folder.
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        ran = run_sections(report, params_file, staging, out, root, jobs, log)

        # 4. assemble and write.
        bodies = {
            s["slug"]: render.notebook_body(staging / "notebooks" / nb.name) for s, nb in section_notebooks(root)
        }
        page = render.render_report(report, bodies, generated=dt.datetime.now())
        (staging / "report.html").write_text(page, encoding="utf-8")
        (staging / "tables.json").write_text(json.dumps(tables, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        checks.write_json(findings, staging / "checks.json")

        # 5. privacy guard over everything written.
        leaks = privacy_leaks(staging, report.ledgers.personal_values)
        if leaks:
            shown = "；".join(f"{f} 含「{_mask(v)}」" for f, v in leaks[:5])
            raise PrivacyLeak(f"输出文件中发现申请人个人信息，已删除本次生成的全部文件：{shown}")

        # 6. publish.
        publish(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    failed = out / "failed"
    if failed.exists():
        shutil.rmtree(failed, ignore_errors=True)
    secs = time.monotonic() - started
    log(f"完成：{out / 'report.html'}（用时 {secs:.1f} 秒）")
    return BuildResult(year, out, True, secs, ran=ran)


def build_many(
    years: list[int | None],
    params: str | Path | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    log: Log = _print,
) -> list[BuildResult]:
    """Build each year; a failure is reported in Chinese and the others still run."""
    results = []
    for y in years:
        t0 = time.monotonic()
        try:
            results.append(build(y, params=params, out=out, jobs=jobs, use_cache=use_cache, log=log))
        except ReportkitError as e:
            print(f"错误：{e}", file=sys.stderr, flush=True)
            results.append(BuildResult(y, None, False, time.monotonic() - t0, str(e)))
    return results
