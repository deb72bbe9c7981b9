"""The sample county built on a real Dask cluster -- `dask scheduler` and two `dask worker`s on
127.0.0.1, started as a user would -- gives the same outputs as the local build."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "examples" / "county"
BIN = Path(sys.executable).parent
# What differs between any two runs of the same notebook, whichever executor ran them: when each
# cell ran (papermill's and Jupyter's records), the id papermill gives the cell it injects, the
# staging folder it wrote to (named by thread and process), the random id pandas gives a
# styled table (#T_1a2b3) and the address in a Styler's plain-text repr.
TIMINGS = (
    "duration",
    "end_time",
    "start_time",
    "iopub.execute_input",
    "iopub.status.busy",
    "iopub.status.idle",
    "shell.execute_reply",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(*args: str) -> list[str]:
    exe = BIN / "dask"
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "dask", *args]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two single-threaded workers; torn down (by their own pids) at the end."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask-logs")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = []
    try:
        procs.append(
            subprocess.Popen(
                _dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"),
                stdout=subprocess.DEVNULL,
                stderr=(logs / "scheduler.log").open("w"),
                env=env,
                cwd=logs,
            )
        )
        for i in range(2):
            procs.append(
                subprocess.Popen(
                    _dask(
                        "worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--name",
                        f"w{i}",
                    ),
                    stdout=subprocess.DEVNULL,
                    stderr=(logs / f"worker{i}.log").open("w"),
                    env=env,
                    cwd=logs,
                )
            )
        from dask.distributed import Client

        deadline = time.monotonic() + 180
        while True:
            try:
                with Client(address, timeout="10s", set_as_default=False) as client:
                    client.wait_for_workers(2, timeout=120)
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _build(root: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "REPORTKIT_ROOT": str(root), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "build", "--year", "2021", "--all", *extra],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        cwd=root,
    )


def _without_timings(path: Path) -> dict:
    text = re.sub(r"T_[0-9a-f]{5}", "T_", path.read_text(encoding="utf-8"))
    text = re.sub(r" at 0x[0-9a-f]+", " at 0x", text)  # a Styler's repr: its address
    nb = json.loads(text)
    nb["metadata"].get("papermill", {}).pop("output_path", None)

    def strip(meta: dict) -> None:
        for key in TIMINGS:
            meta.get("papermill", {}).pop(key, None)
            meta.get("execution", {}).pop(key, None)

    for cell in nb["cells"]:
        strip(cell.get("metadata", {}))
        if "injected-parameters" in (cell.get("metadata", {}).get("tags") or []):
            cell.pop("id", None)
    for key in TIMINGS:
        nb.get("metadata", {}).get("papermill", {}).pop(key, None)
    return nb


def _zip_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _cache_without_notebooks(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data.get("sections", {}).values():
        entry.pop("notebook", None)
    return data


def test_dask_cluster_builds_what_the_local_build_builds(cluster, tmp_path):
    root = tmp_path / "county"
    shutil.copytree(COUNTY, root, ignore=shutil.ignore_patterns("outputs"))
    local = _build(root)
    assert local.returncode == 0, local.stderr
    (root / "outputs").rename(tmp_path / "local-outputs")

    # Same folder, so that the paths recorded in notebooks and cache keys are the same.
    on_dask = _build(root, "--scheduler", cluster)
    assert on_dask.returncode == 0, on_dask.stdout + on_dask.stderr
    assert f"在 Dask 集群 {cluster} 上运行" in on_dask.stdout
    assert "完成：4 份成功，0 份失败" in on_dask.stdout

    a, b = tmp_path / "local-outputs", root / "outputs"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.suffix != ".lock")
    assert files == sorted(
        p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.suffix != ".lock"
    )
    assert {f.parts[0] for f in files} == {
        "sfj",
        "jyj",
        "ztz",
        "xzf",
        "overview-2021.html",
        "overview-2021.xlsx",
    }
    for f in files:
        if f.suffix == ".ipynb":
            assert _without_timings(a / f) == _without_timings(b / f), f
        elif f.suffix == ".xlsx":  # the workbook records when it was saved
            wa, wb = openpyxl.load_workbook(a / f), openpyxl.load_workbook(b / f)
            for name in wa.sheetnames:
                assert list(wa[name].values) == list(wb[name].values), f
        elif f.suffix == ".docx":  # the same parts; the zip records when each was written
            assert _zip_parts(a / f) == _zip_parts(b / f), f
        elif f.name == ".reportkit-cache.json":  # it records the executed notebooks' digests
            assert _cache_without_notebooks(a / f) == _cache_without_notebooks(b / f), f
        else:
            assert (a / f).read_bytes() == (b / f).read_bytes(), f
    # The government's report is the aggregate: 11 requests received in 2021 (test_aggregate).
    tables = json.loads((b / "xzf" / "2021" / "tables.json").read_text(encoding="utf-8"))
    assert tables["section3"]["本年新收政府信息公开申请数量"]["总计"] == 11
