"""Warm kernels for the section notebooks: started ahead of need, used for one section, shut down.

Each section still runs in a fresh kernel (no state is shared between sections); the kernel has
merely imported reportkit, pandas and matplotlib while the build was validating the ledgers or
running the previous section, so papermill does not wait for it.
"""

from __future__ import annotations

import asyncio
import os
import queue
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

WARMUP = "import reportkit.show, reportkit.report, reportkit.checks\nreportkit.show.setup()\n"


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
                self.ip = os.path.join(tempfile.gettempdir(), f"reportkit-kernel-{uuid.uuid4().hex[:12]}")
            self.clients: list = []

        def client(self, **kwargs):
            # Remembered so that the channels papermill's client opened are closed with the kernel.
            c = super().client(**kwargs)
            self.clients.append(c)
            return c

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # A cell's error reaches us through the notebook; the kernel's own log lines (shutdown
            # chatter) would only clutter the progress display.
            if not os.environ.get("REPORTKIT_KERNEL_LOG"):
                kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return IPCKernelManager


@dataclass
class WarmKernel:
    km: object  # an AsyncKernelManager whose kernel is running and warmed up
    trace: Path  # where the kernel records which inputs its section read


class KernelPool:
    """Starts kernels in background threads; `take` hands out one that is ready."""

    def __init__(self, cwd: Path, trace_dir: Path, needed: int, ahead: int, warmup: str = WARMUP):
        """`needed` kernels in all, at most `ahead` of them started before they are taken."""
        self.cwd, self.trace_dir, self.warmup = cwd, trace_dir, warmup
        self._needed, self._started = needed, 0
        self._lock = threading.Lock()
        self._ready: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._manager = kernel_manager_class()
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
        env = {**os.environ, "REPORTKIT_TRACE": str(trace)}
        await km.start_kernel(cwd=str(self.cwd), env=env)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            reply = await kc.execute_interactive(self.warmup, timeout=120, output_hook=lambda msg: None)
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
