"""Where a build's section notebooks run: the seam between the builds and their kernels.

An Executor serves one build, or the builds of a batch at once: they share its cores section by
section (a build waiting for another leaves its share to the others), and a year's checks wait
for the same agency's year before it when both are being built (they compare with its tables).
A ZygoteExecutor forks each section's kernel from one zygote (Linux); a KernelExecutor starts
them the ordinary way (elsewhere, or with REPORTKIT_NO_ZYGOTE=1). `make_executor` picks one.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportkit.contract.errors import SectionFailed
from reportkit.pipeline import outfolder

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from reportkit.pipeline.kernels import KernelPool, Zygote


class Executor:
    """Runs section notebooks on fresh kernels, `jobs` at a time across every build it serves."""

    zygote: Zygote | None = None

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self._slots = threading.BoundedSemaphore(self.jobs)
        self._finished: dict[str, threading.Event] = {}

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop what the executor started (its zygote)."""

    # -- order between the builds it serves ------------------------------------------------------
    def expect(self, keys: Iterable[str]) -> None:
        """The builds about to be given (by BuildTarget.key): a build waits only for these."""
        for key in keys:
            self._finished.setdefault(key, threading.Event())

    def wait_for(self, key: str | None) -> None:
        """Until the build `key` has finished, when it is one of those expected."""
        event = self._finished.get(key) if key else None
        if event is not None:
            event.wait()

    def finished(self, key: str | None) -> None:
        event = self._finished.get(key) if key else None
        if event is not None:
            event.set()

    # -- kernels and sections --------------------------------------------------------------------
    def kernels(
        self, root: Path, traces: Path, needed: int, ahead: int, env: dict[str, str]
    ) -> KernelPool:
        """A pool whose kernels start warming now, `ahead` at a time, `needed` in all."""
        from reportkit.pipeline.kernels import KernelPool

        return KernelPool(root, traces, needed=needed, ahead=ahead, zygote=self.zygote, env=env)

    def run_sections(
        self,
        todo: list[tuple[dict[str, str], Path]],
        parameters: dict[str, Any],
        staging: Path,
        out: Path,
        root: Path,
        pool: KernelPool,
        say: Callable[[str], None],
        total: int,
    ) -> tuple[dict[str, dict], dict[str, list]]:
        """Execute the given section notebooks into staging/notebooks, at most `jobs` of all
        builds at a time, and convert each to its content blocks as soon as it is done.

        Returns what each section read and its content blocks; on failure keeps the failed
        notebook in out/failed/ and raises the first failed section's SectionFailed.
        """
        from reportkit.present.content import blocks_of

        nb_dir = staging / "notebooks"
        failures: list[SectionFailed] = []
        recorded: dict[str, dict] = {}
        bodies: dict[str, list] = {}
        lock = threading.Lock()

        def one(item: tuple[dict[str, str], Path]) -> None:
            s, nb = item
            t0 = time.monotonic()
            try:
                with self._slots:  # the sections of every build this executor serves
                    recorded[s["slug"]], executed = self.execute(
                        nb, nb_dir / nb.name, parameters, pool
                    )
                bodies[s["slug"]] = blocks_of(executed)
                with lock:
                    secs = time.monotonic() - t0
                    say(f"  [{s['index']}/{total}] {s['heading']} … 完成（{secs:.1f} 秒）")
            except Exception as e:  # papermill's and the kernel's errors all become SectionFailed
                if isinstance(e, OSError) and e.errno in outfolder.DISK_ERRNOS:
                    raise  # the disk, not the section, failed: build() says so
                kept = None
                if (nb_dir / nb.name).exists():
                    if not outfolder.is_ours(out):  # missing or empty (build() checked): ours now
                        outfolder.mark(out, parameters.get("year"))
                    kept = out / "failed" / nb.name
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(nb_dir / nb.name, kept)
                with lock:
                    kept_at = str(kept) if kept else None
                    failures.append(SectionFailed(s["heading"], _section_error(e), kept_at))
                    say(f"  [{s['index']}/{total}] {s['heading']} … 失败")

        if todo:
            with ThreadPoolExecutor(max_workers=max(1, min(self.jobs, len(todo)))) as workers:
                list(workers.map(one, todo))
        if failures:
            order = [s["heading"] for s, _ in todo]
            raise sorted(failures, key=lambda f: order.index(f.section))[0]
        return recorded, bodies

    def execute(
        self, nb: Path, target: Path, parameters: dict[str, Any], pool: KernelPool
    ) -> tuple[dict, Any]:
        """Run one notebook; what the section read and the executed notebook (also written to
        `target`)."""
        return _execute(nb, target, parameters, pool)


class KernelExecutor(Executor):
    """Each section's kernel started the ordinary way (a new Python that imports everything)."""


class ZygoteExecutor(Executor):
    """Each section's kernel forked from one zygote, started now so that its imports run while
    the build reads and checks the ledgers. Its kernels hold the code as it was when it started,
    so it serves one command (or one batch), never a later one."""

    def __init__(self, jobs: int | None = None, zygote: Zygote | None = None):
        super().__init__(jobs)
        from reportkit.pipeline.kernels import Zygote

        self.zygote = zygote or Zygote.start()

    def close(self) -> None:
        if self.zygote is not None:
            self.zygote.close()


class InProcessExecutor(ZygoteExecutor):
    """Each section run by a child forked from the zygote, in an IPython shell of its own, with no
    kernel: papermill with reportkit's in-process engine (pipeline/inprocess.py). The same
    notebook, outputs and isolation as a kernel's, without a kernel's start, its ZeroMQ messages
    and the client that reads them: what a batch of thousands of sections needs."""

    def kernels(
        self, root: Path, traces: Path, needed: int, ahead: int, env: dict[str, str]
    ) -> KernelPool:
        return _NoKernels(root, traces, env)  # type: ignore[return-value]

    def execute(
        self, nb: Path, target: Path, parameters: dict[str, Any], pool: KernelPool
    ) -> tuple[dict, Any]:
        import uuid

        from reportkit.pipeline.kernels import WARMUP, ForkedKernel

        name = uuid.uuid4().hex
        trace, result = pool.trace_dir / f"{name}.json", pool.trace_dir / f"{name}.result.json"
        env = {
            **os.environ,
            **pool.env,
            "REPORTKIT_TRACE": str(trace),
            # what ipykernel sets before a notebook imports matplotlib
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        }
        run = {
            "notebook": str(nb),
            "target": str(target),
            "parameters": parameters,
            "warmup": WARMUP,
            "result": str(result),
        }
        try:
            assert self.zygote is not None
            pid = self.zygote.run(run, env, str(pool.cwd))
        except (AssertionError, OSError, ValueError, RuntimeError):
            # The zygote died (killed, out of memory): this section and those after it run on
            # kernels started the ordinary way, as a KernelExecutor's would.
            return self._on_a_kernel(nb, target, parameters, pool)
        ForkedKernel(pid).wait()
        try:
            outcome = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            outcome = {
                "ok": False,
                "ename": "DeadKernelError",
                "evalue": "运行笔记本的进程意外退出",
            }
        if not outcome.get("ok"):
            raise SectionError(outcome.get("ename", ""), outcome.get("evalue", ""))
        try:
            recorded = json.loads(trace.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            recorded = {}
        return recorded, json.loads(target.read_text(encoding="utf-8"))

    @staticmethod
    def _on_a_kernel(
        nb: Path, target: Path, parameters: dict[str, Any], pool: KernelPool
    ) -> tuple[dict, Any]:
        from reportkit.pipeline.kernels import KernelPool

        kernels = KernelPool(pool.cwd, pool.trace_dir, needed=1, ahead=1, env=pool.env)
        try:
            return _execute(nb, target, parameters, kernels)
        finally:
            kernels.close()


class SectionError(Exception):
    """A section that failed in a forked child: the name and text of its error."""

    def __init__(self, ename: str, evalue: str):
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue = ename, evalue


class _NoKernels:
    """The pool an InProcessExecutor's builds are given: no kernel to start, a folder for the
    traces, the environment for the sections."""

    def __init__(self, cwd: Path, trace_dir: Path, env: dict[str, str]):
        self.cwd, self.trace_dir, self.env = cwd, trace_dir, dict(env)

    def close(self) -> None:
        pass


def make_executor(jobs: int | None = None) -> Executor:
    """An InProcessExecutor where children can be forked (Linux, REPORTKIT_NO_ZYGOTE unset),
    else a KernelExecutor."""
    from reportkit.pipeline.kernels import Zygote

    return InProcessExecutor(jobs) if Zygote.can_fork() else KernelExecutor(jobs)


def _section_error(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip()


def _execute(
    nb: Path, target: Path, parameters: dict[str, Any], pool: KernelPool
) -> tuple[dict, Any]:
    """Run one notebook with papermill on a warm kernel; returns what the section read and the
    executed notebook (also written to `target`)."""
    import papermill as pm

    kernel = pool.take()
    try:
        executed = pm.execute_notebook(
            str(nb),
            str(target),
            parameters=parameters,
            # No cwd=: papermill would chdir the whole build process around each run, and runs in
            # concurrent threads then leave it in whichever folder the last one restored. The
            # kernel already started in the project root (KernelPool).
            progress_bar=False,
            log_output=False,
            kernel_name="python3",
            language="python",
            km=kernel.km,
            # Written once at the end, not after every cell: each save re-validates the notebook.
            request_save_on_cell_execute=False,
        )
    finally:
        pool.retire(kernel)
    try:
        return json.loads(kernel.trace.read_text(encoding="utf-8")), executed
    except (OSError, ValueError):
        return {}, executed
