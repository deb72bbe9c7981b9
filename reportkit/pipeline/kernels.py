"""Warm kernels for the section notebooks: started ahead of need, used for one section, shut down.

Each section still runs in a fresh kernel (no state is shared between sections). On Linux the
kernel is forked from the build's zygote (reportkit/zygote.py), which imported IPython, pandas,
matplotlib and reportkit once while the ledgers were being checked; elsewhere it is started the
ordinary way and imports them itself. Either way it is ready before papermill asks for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reportkit.pipeline.zygote import NOTEBOOK_MODULES
from reportkit.pipeline.zygote import available as _can_fork

WARMUP = f"import {', '.join(NOTEBOOK_MODULES)}\nreportkit.show.setup()\n"

# Temporary files of a build are named <prefix><pid>-…, so that a later build can remove those
# of a build that was killed (a finished one removes its own).
KERNEL_PREFIX = "reportkit-kernel-"  # the kernels' IPC socket files
TRACE_PREFIX = "reportkit-trace-"  # the folder where kernels record what their section read


def remove_stale_temp_files() -> None:
    """Remove the socket files and trace folders that builds no longer running left in the temp
    folder. Names without a pid (older versions) or of another user are left alone."""
    from reportkit.ingest.snapshot import remove_stale

    for prefix in (KERNEL_PREFIX, TRACE_PREFIX):
        remove_stale(prefix)


@functools.cache
def kernel_client_class():
    """jupyter_client's asyncio client, with a quicker `wait_for_ready`.

    jupyter_client's own ends by waiting for 0.2 s of silence on IOPub, to drain it: 0.2 s of
    every section doing nothing. Here a client is ready when the IOPub `idle` status of its own
    kernel_info request has arrived. That proves IOPub is connected (a message sent before the
    subscription took hold is lost, so the request is repeated until one arrives), and IOPub keeps
    order, so everything that request caused has been received.
    """
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            sent: set[str] = set()
            while True:
                sent.add(self.kernel_info())
                idle_by = time.monotonic() + 0.5
                while time.monotonic() < idle_by:
                    try:
                        msg = await self.iopub_channel.get_msg(
                            timeout=max(0.0, idle_by - time.monotonic())
                        )
                    except Empty:
                        break
                    if (
                        msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"
                        and msg["parent_header"].get("msg_id") in sent
                    ):
                        await self._take_kernel_info_replies(sent)
                        return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

        async def _take_kernel_info_replies(self, sent: set[str]) -> None:
            """Read our kernel_info replies off the shell channel (the kernel sent them before
            its idle status) and learn the kernel's protocol version from one."""
            while True:
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    return
                if (
                    msg["parent_header"].get("msg_id") in sent
                    and msg["msg_type"] == "kernel_info_reply"
                ):
                    self._handle_kernel_info_reply(msg)
                    sent.discard(msg["parent_header"]["msg_id"])
                    if not sent:
                        return

    return ReadyClient


@functools.cache
def kernel_manager_class():
    """Kernels talk over local IPC sockets: nothing listens on the network, and the kernel does
    not print its warning about unencrypted TCP on the user's terminal."""
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if sys.platform != "win32":  # ZeroMQ has no IPC transport on Windows: TCP there
                self.transport = "ipc"
                # Socket files go to the temp folder, not into the project (the kernel's cwd).
                name = f"{KERNEL_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
                self.ip = os.path.join(tempfile.gettempdir(), name)
            self.clients: list = []
            self.client_factory = kernel_client_class()
            self.zygote: Zygote | None = None  # set by the pool: kernels are forked from it

        def client(self, **kwargs):
            # Remembered so that the channels papermill's client opened are closed with the kernel.
            c = super().client(**kwargs)
            self.clients.append(c)
            return c

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if self.zygote is not None and self.zygote.can_launch(kernel_cmd):
                # Same kernel, same interpreter, same arguments: forked instead of started.
                try:
                    pid = self.zygote.fork(
                        kernel_cmd,
                        env=kw.get("env") or dict(os.environ),
                        cwd=kw.get("cwd") or os.getcwd(),
                    )
                except (OSError, ValueError, RuntimeError):
                    pid = None  # the zygote died: start this kernel the ordinary way
                if pid is not None:
                    prov = self.provisioner
                    prov.process, prov.pid, prov.pgid, prov.cwd = (
                        ForkedKernel(pid),
                        pid,
                        pid,
                        kw.get("cwd"),
                    )
                    self._reconcile_connection_info(prov.connection_info)
                    return
            # A cell's error reaches us through the notebook; the kernel's own log lines (shutdown
            # chatter) would only clutter the progress display.
            if not os.environ.get("REPORTKIT_KERNEL_LOG"):
                kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return IPCKernelManager


class ForkedKernel:
    """The few parts of subprocess.Popen that jupyter_client's provisioner uses, for a kernel that
    the zygote forked (so it is not our child: the zygote reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid

    def poll(self) -> int | None:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return 0
        except PermissionError:  # the pid was reused by another user's process: ours is gone
            return 0
        return None

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None and self._wait_for_exit():
            return 0
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.002)  # a killed kernel is reaped (by the zygote) within milliseconds
        return 0

    def _wait_for_exit(self) -> bool:
        """Linux: sleep until the process has exited, woken by the kernel rather than by polling
        (a pidfd is readable once its process has gone). False where there is no pidfd."""
        import select

        try:
            fd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            return False  # gone already (then the polling loop returns at once), or no pidfd
        try:
            select.select([fd], [], [])
        finally:
            os.close(fd)
        return True

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        # Waiting for it here spares the provisioner's 0.1 s polling sleep on every section.
        self.send_signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.wait(timeout=1.0)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Zygote:
    """The build's end of a `python -m reportkit.pipeline.zygote` process (see reportkit/zygote.py).

    One lives as long as one build command (`build_many`): its kernels hold the reportkit code as
    it was when it started, so it is never kept for a later build that may see edited code.
    """

    def __init__(self):
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "reportkit.pipeline.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("REPORTKIT_KERNEL_LOG") else subprocess.DEVNULL,
            cwd=tempfile.gettempdir(),  # kernels get their own cwd; this keeps the project off sys.path
        )
        self._lock = threading.Lock()
        self._ready = False
        self._broken = False

    @staticmethod
    def can_fork() -> bool:
        """False off Linux, or when REPORTKIT_NO_ZYGOTE is set (kernels then start as usual)."""
        return _can_fork()

    @classmethod
    def start(cls) -> Zygote | None:
        """A new zygote, or None where kernels cannot be forked."""
        return cls() if cls.can_fork() else None

    @classmethod
    @contextlib.contextmanager
    def unless(cls, given: Zygote | None) -> Iterator[Zygote | None]:
        """`given` if there is one; else a zygote started for the block and stopped after it."""
        own = cls.start() if given is None else None
        try:
            yield given or own
        finally:
            if own is not None:
                own.close()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def can_launch(self, kernel_cmd: list[str]) -> bool:
        """Only the ordinary IPython kernel of this very interpreter is forked."""
        return (
            not self._broken
            and len(kernel_cmd) >= 4
            and os.path.realpath(kernel_cmd[0]) == os.path.realpath(sys.executable)
            and kernel_cmd[1:3] == ["-m", "ipykernel_launcher"]
        )

    def _readline(self) -> str:
        line = self._proc.stdout.readline().decode().strip()
        if not line:
            raise RuntimeError("kernel zygote exited")
        return line

    def fork(self, kernel_cmd: list[str], env: dict[str, str], cwd: str) -> int:
        """A kernel forked from the zygote: its pid."""
        return self._request({"argv": kernel_cmd[3:], "env": dict(env), "cwd": str(cwd)})

    def run(self, run: dict, env: dict[str, str], cwd: str) -> int:
        """A child forked from the zygote that runs one notebook with no kernel
        (pipeline/inprocess.py) and exits: its pid."""
        return self._request({"run": run, "env": dict(env), "cwd": str(cwd)})

    def _request(self, request: dict) -> int:
        with self._lock:
            try:
                if not self._ready:
                    if self._readline() != "ready":
                        raise RuntimeError("kernel zygote failed to start")
                    self._ready = True
                self._proc.stdin.write((json.dumps(request) + "\n").encode())
                self._proc.stdin.flush()
                return int(self._readline())
            except (OSError, ValueError, RuntimeError):
                self._broken = True  # the caller starts this and later kernels the ordinary way
                raise

    def close(self) -> None:
        """Stop the zygote; its kernels are shut down by their own managers."""
        if self._proc.poll() is None:
            if not self._ready:
                self._proc.kill()  # still importing: nothing to wait for
            try:
                self._proc.stdin.close()
            except OSError:
                pass
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


@dataclass
class WarmKernel:
    km: object  # an AsyncKernelManager whose kernel is running and warmed up
    trace: Path  # where the kernel records which inputs its section read


class KernelPool:
    """Starts kernels in background threads; `take` hands out one that is ready."""

    def __init__(
        self,
        cwd: Path,
        trace_dir: Path,
        needed: int,
        ahead: int,
        warmup: str = WARMUP,
        zygote: Zygote | None = None,
        env: dict[str, str] | None = None,
    ):
        """`needed` kernels in all, at most `ahead` of them started before they are taken; forked
        from `zygote` when one is given. `env`: set in each kernel (where the snapshot is)."""
        self.cwd, self.trace_dir, self.warmup = cwd, trace_dir, warmup
        self.env = dict(env or {})
        self._needed, self._started = needed, 0
        self._lock = threading.Lock()
        self._ready: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._manager = kernel_manager_class()
        self._zygote = zygote
        self._start(min(ahead, needed))

    def _start(self, n: int) -> None:
        with self._lock:
            n = min(n, self._needed - self._started)
            self._started += n
        for _ in range(n):
            t = threading.Thread(target=self._start_one, daemon=True)
            t.start()
            self._threads.append(t)

    def _start_one(self) -> None:
        try:
            self._ready.put(asyncio.run(self._launch()))
        except Exception as e:  # handed to whoever takes this kernel
            self._ready.put(e)

    async def _launch(self) -> WarmKernel:
        trace = self.trace_dir / f"{uuid.uuid4().hex}.json"
        km = self._manager(kernel_name="python3")
        km.zygote = self._zygote
        env = {**os.environ, **self.env, "REPORTKIT_TRACE": str(trace)}
        await km.start_kernel(cwd=str(self.cwd), env=env)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            reply = await kc.execute_interactive(
                self.warmup, timeout=120, output_hook=lambda msg: None
            )
            if reply["content"].get("status") != "ok":
                raise RuntimeError(f"kernel warm-up failed: {reply['content'].get('evalue', '')}")
        finally:
            kc.stop_channels()
        return WarmKernel(km, trace)

    def take(self) -> WarmKernel:
        """A ready kernel; taking one starts the next, so one is always warming ahead."""
        item = self._ready.get()
        self._start(1)
        if isinstance(item, Exception):
            raise item
        return item

    @staticmethod
    def retire(kernel: WarmKernel) -> None:
        """Shut a used kernel down (immediately: its notebook is written already)."""
        for c in getattr(kernel.km, "clients", []):
            if c.channels_running:
                c.stop_channels()
        process = getattr(kernel.km.provisioner, "process", None)
        if isinstance(process, ForkedKernel):
            process.kill()  # gone at once, so the shutdown below finds nothing to poll for
        try:
            asyncio.run(kernel.km.shutdown_kernel(now=True))
        except Exception:  # already gone
            pass

    def close(self) -> None:
        """Shut down every kernel started but not taken."""
        for t in self._threads:
            t.join(timeout=180)
        while True:
            try:
                item = self._ready.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, WarmKernel):
                try:
                    asyncio.run(item.km.shutdown_kernel(now=True))
                except Exception:
                    pass
