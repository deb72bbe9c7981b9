"""A batch's agency-years as tasks of a Dask distributed cluster (`--workers N`, `--scheduler ADDR`).

Each task is `batch.execute()` -- the same `reportkit.build()` into outputs/<id>/<Y>/ as a local
batch -- run in a worker process that sees the same project folder. An included agency's task
and the same agency's previous year are passed to a task as futures, so Dask starts it only when
they are done; a task whose included agency failed fails too, saying why.

In a worker the section kernels are still forked from a zygote: the zygote and the kernels are
started with subprocess (not multiprocessing), which a daemonic worker process may do (the
restriction of dask/distributed#2142 is on multiprocessing children). One zygote per worker
process serves the tasks of one batch and is replaced when the next batch comes, so no kernel
ever runs code older than the batch. REPORTKIT_NO_ZYGOTE=1 in the workers' environment starts
kernels the ordinary way.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reportkit.contract.errors import UsageError
from reportkit.pipeline.batch import (
    Outcome,
    Progress,
    Task,
    dependency_failed,
    execute,
    new_batch_id,
)

_worker: dict[str, Any] = {"batch": None, "executor": None}
_worker_lock = threading.Lock()


def _executor_for(batch_id: str, jobs: int | None) -> Any:
    """This worker process's executor for `batch_id` (its zygote, where kernels can be forked)."""
    from reportkit.pipeline.executors import make_executor

    with _worker_lock:
        if _worker["batch"] != batch_id:
            old = _worker["executor"]
            if old is not None:
                old.close()
            _worker["executor"] = make_executor(jobs)
            _worker["batch"] = batch_id
        return _worker["executor"]


def run_task(
    spec: dict[str, Any],
    batch_id: str,
    root: str,
    use_cache: bool,
    jobs: int | None,
    includes: list[dict[str, Any]],
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    """One agency-year in a Dask worker; returns its Outcome as a dict. `includes` and `previous`
    are the outcomes of the tasks it waited for (Dask passes their results)."""
    os.environ["REPORTKIT_ROOT"] = root  # every task of this worker is of this batch's project
    task = Task(**spec)
    failed = [f"{d['agency']}/{d['year']}" for d in includes if not d.get("ok")]
    if failed:
        return asdict(dependency_failed(task, failed))
    from reportkit.pipeline.builder import BuildOptions

    executor = _executor_for(batch_id, jobs)
    options = BuildOptions(executor.jobs, use_cache, executor, level=logging.DEBUG)
    return asdict(execute(task, options))


def _client(workers: int | None, scheduler: str | None) -> tuple[Any, Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError(
            "未安装 Dask：pip install 'dask[distributed]'（--workers 和 --scheduler 需要它）"
        ) from None
    if scheduler:
        try:
            return Client(scheduler, timeout="20s", set_as_default=False), None
        except (OSError, TimeoutError) as e:
            raise UsageError(
                f"无法连接 Dask 调度器 {scheduler}：{e}。请确认 dask scheduler 已启动、地址和端口无误"
            ) from None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster, set_as_default=False), cluster


def run(
    tasks: list[Task],
    root: Path,
    use_cache: bool,
    jobs: int | None,
    workers: int | None,
    scheduler: str | None,
    progress: Progress,
) -> dict[str, Outcome]:
    """Submit every task, dependencies as futures, and collect the outcomes as they finish."""
    from dask.distributed import as_completed

    client, cluster = _client(workers, scheduler)
    batch_id = new_batch_id()
    try:
        futures: dict[str, Any] = {}
        for t in tasks:  # dependencies first (batch.plan)
            futures[t.key] = client.submit(
                run_task,
                asdict(t),
                batch_id,
                str(root),
                use_cache,
                jobs,
                [futures[d] for d in t.includes],
                futures.get(t.after) if t.after else None,
                key=f"reportkit-{t.agency}-{t.year}-{batch_id}",
                pure=False,
                retries=0,
            )
        by_future = {f.key: t for t, f in ((t, futures[t.key]) for t in tasks)}
        outcomes: dict[str, Outcome] = {}
        for future in as_completed(list(futures.values()), loop=client.loop):
            t = by_future[future.key]
            if future.status == "error":
                exc = future.exception()
                o = Outcome(
                    t.agency,
                    t.year,
                    False,
                    error=f"Dask 任务出错（{type(exc).__name__}: {exc}）",
                    exit_code=1,
                )
            else:
                o = Outcome(**future.result())
            outcomes[t.key] = o
            progress.finished(o)
        return outcomes
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
