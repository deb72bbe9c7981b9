"""Section kernels: forked from a zygote that has only imported modules, so each section still gets
a fresh process that shares no state with another; ordinary kernels wherever that is not possible."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from reportkit.pipeline.kernels import KernelPool, Zygote

pytestmark = pytest.mark.skipif(not Zygote.can_fork(), reason="kernels are forked only on Linux")


def run(kernel, code: str) -> str:
    """Execute `code` in a pool kernel the way papermill does (a new client that waits for the
    kernel to be ready) and return what it printed."""

    async def go() -> str:
        kc = kernel.km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            printed: list[str] = []

            def hook(msg):
                if msg["msg_type"] == "stream":
                    printed.append(msg["content"]["text"])

            reply = await kc.execute_interactive(code, timeout=60, output_hook=hook)
            assert reply["content"]["status"] == "ok", reply["content"]
            return "".join(printed)
        finally:
            kc.stop_channels()

    return asyncio.run(go())


def gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def zygote():
    z = Zygote.start()
    yield z
    z.close()


def test_each_kernel_is_a_fresh_fork_of_the_zygote(zygote, tmp_path):
    pool = KernelPool(tmp_path, tmp_path, needed=2, ahead=2, zygote=zygote)
    first, second = pool.take(), pool.take()
    try:
        # The first output of a new client arrives: the quick readiness check loses nothing.
        ids = run(
            first,
            "import os, reportkit\nreportkit.left_behind = 1\nprint(os.getppid(), os.getpid())",
        )
        ppid, pid = map(int, ids.split())
        assert ppid == zygote.pid  # forked, not started
        # What one section did to a module is not seen by the next: separate processes.
        assert (
            run(
                second,
                "import os, reportkit\nprint(hasattr(reportkit, 'left_behind'), os.getpid())",
            ).split()[0]
            == "False"
        )
        assert int(run(second, "import os\nprint(os.getpid())")) != pid
        # The zygote preloaded pandas and reportkit; a kernel has them without importing again.
        assert (
            run(
                first,
                "import sys\nprint('pandas' in sys.modules, 'reportkit.compute.report' in sys.modules)",
            )
            == "True True\n"
        )
    finally:
        pool.retire(first)
        pool.retire(second)
        pool.close()
    assert gone(pid, 5)


def test_kernels_exit_when_their_zygote_dies(zygote, tmp_path):
    pool = KernelPool(tmp_path, tmp_path, needed=1, ahead=1, zygote=zygote)
    kernel = pool.take()
    pid = int(run(kernel, "import os\nprint(os.getpid())"))
    os.kill(zygote.pid, signal.SIGKILL)  # as when the build is killed: its zygote goes with it
    assert gone(pid, 15), "a kernel outlived its zygote"
    pool.retire(kernel)
    pool.close()


def parent_of_a_kernel(pool: KernelPool) -> int:
    kernel = pool.take()
    try:
        return int(run(kernel, "import os\nprint(os.getppid())"))
    finally:
        pool.retire(kernel)
        pool.close()


def test_a_dead_zygote_means_ordinary_kernels(zygote, tmp_path):
    os.kill(zygote.pid, signal.SIGKILL)
    pool = KernelPool(tmp_path, tmp_path, needed=1, ahead=1, zygote=zygote)
    assert parent_of_a_kernel(pool) == os.getpid()  # started by us, as without a zygote


def test_forking_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("REPORTKIT_NO_ZYGOTE", "1")
    assert Zygote.start() is None
    pool = KernelPool(tmp_path, tmp_path, needed=1, ahead=1, zygote=None)
    assert parent_of_a_kernel(pool) == os.getpid()
