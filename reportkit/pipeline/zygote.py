"""A kernel zygote: one process imports the heavy libraries once, then forks a fresh kernel per section.

Starting an IPython kernel and importing pandas, matplotlib and reportkit into it costs about a
CPU-second; six sections paid it six times. The zygote pays it once. Each section still gets a
process of its own, forked from a zygote that has only *imported* modules and run no notebook
code, so no state passes from one section to another (the model of Android's zygote and of
multiprocessing's forkserver).

Protocol, one JSON line per request on stdin: {"argv": [...], "env": {...}, "cwd": "..."} forks a
kernel; {"run": {...}, "env": {...}, "cwd": "..."} forks a child that runs one notebook in its own
IPython shell, with no kernel (reportkit/pipeline/inprocess.py), and exits. The zygote answers
each with the child's pid on a line of its own. End of stdin (the build
exited or died) ends the zygote; a kernel whose zygote has gone exits too (ipykernel's parent
poller, told the zygote is its parent, sees it go).

Only on Linux: macOS frameworks and Windows do not fork safely; there the builder starts kernels
the ordinary way.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys

# What the section notebooks import; a kernel started the ordinary way imports them as it warms up.
NOTEBOOK_MODULES = (
    "reportkit.present.show",
    "reportkit.compute.report",
    "reportkit.pipeline.checking",
)

# What a section kernel would import anyway: the kernel itself, then what the notebooks use.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",  # debugpy: imported by every kernel at start-up
    "IPython.core.completer",
    "IPython.core.history",
    "sqlite3",
    "psutil",
    "matplotlib_inline.backend_inline",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_svg",
    *NOTEBOOK_MODULES,
    "openpyxl",  # XLSX ledgers
    "reportkit.compute.aggregate",  # every report asks agencies.yaml whether it aggregates
    "reportkit.ingest.agencies",
    "papermill",  # the children that run a notebook with no kernel
    "reportkit.pipeline.inprocess",
)


def available() -> bool:
    return (
        sys.platform == "linux"
        and hasattr(os, "fork")
        and not os.environ.get("REPORTKIT_NO_ZYGOTE")
    )


def _become_kernel(request: dict, replies: int) -> None:
    """In the forked child: detach from the zygote's pipes and run an IPython kernel; never returns."""
    code = 1
    try:
        _detach(request, replies)
        from ipykernel import kernelapp

        # The kernel exits when its parent does. Its parent is the zygote, not the build whose
        # pid jupyter_client put in JPY_PARENT_PID (read when ipykernel was imported, before the
        # fork): say so, and a killed build takes its zygote and then its kernels with it.
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        kernelapp.IPKernelApp.launch_instance(argv=argv)
        code = 0
    except BaseException:  # noqa: BLE001 - the child must never fall back into the zygote's loop
        code = 1
    finally:
        os._exit(code)


def _detach(request: dict, replies: int) -> None:
    """In a forked child: let go of the zygote's pipes and signals; take the request's folder and
    environment."""
    os.close(replies)
    os.setsid()  # its own process group, so shutting it down signals only this child
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the child's own subprocesses are waited for
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    if not request["env"].get("REPORTKIT_KERNEL_LOG"):
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    os.close(devnull)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])


def _become_runner(request: dict, replies: int) -> None:
    """In the forked child: run one notebook in this process and exit; never returns."""
    code = 1
    try:
        _detach(request, replies)
        _die_with_parent()
        sys.path.insert(0, "")  # the working folder, as an IPython kernel has it
        from reportkit.pipeline import inprocess

        code = inprocess.run(request["run"])
    except BaseException:  # noqa: BLE001 - the child must never fall back into the zygote's loop
        code = 1
    finally:
        os._exit(code)


def _die_with_parent() -> None:
    """Linux: be killed when the zygote goes (the build that owns it died), as a kernel does
    through its parent poller; and go at once if it has gone already."""
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent or parent == 1:
        os._exit(1)


def _reap(signum: int, frame: object) -> None:
    """Wait for finished kernels, so that none lingers as a zombie and their CPU time and memory
    count towards the zygote's, and so the build's (as `time` and the benchmark report them)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _warm_up() -> None:
    """What every child would otherwise build for itself: nbformat's validator (papermill checks
    each notebook it reads and writes against the schema, and compiling the schema costs more
    than checking a notebook)."""
    try:
        import nbformat

        nbformat.validate(nbformat.v4.new_notebook())
    except Exception:  # noqa: BLE001 - an optimisation only: each child builds it if need be
        pass


def serve() -> None:
    # The kernel would set this before the notebook imports matplotlib; preloading must match.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts the cwd back itself
    # As in the build's own process (builder.skip_slow_imports): jsonschema, imported with
    # papermill's nbformat, would compile a Lark grammar for its IRI format checker (about 2 s,
    # on the way of every build's first section). The mark is taken away again once everything
    # is imported, so a notebook can still import rfc3987_syntax itself; only jsonschema's "iri"
    # format checker is left out in the sections.
    marked = sys.modules.setdefault("rfc3987_syntax", None) is None
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional part missing: the kernel imports it (or not) itself
            pass
    _warm_up()
    if marked and sys.modules.get("rfc3987_syntax", ...) is None:
        del sys.modules["rfc3987_syntax"]
    signal.signal(signal.SIGCHLD, _reap)
    replies = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing the libraries print may corrupt the replies
    os.close(devnull)
    os.write(replies, b"ready\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            if "run" in request:
                _become_runner(request, replies)
            _become_kernel(request, replies)
        os.write(replies, f"{pid}\n".encode())
    os._exit(0)  # the build has gone: no need to tear down what was preloaded


if __name__ == "__main__":
    serve()
