"""A papermill engine that runs a section notebook in this process, with no Jupyter kernel.

A batch builds thousands of sections; for each, a kernel costs a process that speaks ZeroMQ to
the build, and the build a client that parses every message and output it sends. Here the
zygote forks a child per section (reportkit/pipeline/zygote.py, a "run" request), and the child
runs the notebook's cells in an IPython shell of its own, with papermill doing everything it
does for a kernel: the parameters cell, the metadata, the error cell, writing the notebook. Each
section still has a fresh process of its own, forked from one that has only imported modules.

The engine gives every output the form a kernel and nbclient would give it (the same display
formatter, the same image encoding and JSON cleaning as ipykernel, streams as nbclient records
them, the kernel's language_info): a notebook built this way differs from one built on a kernel
in its timestamps only (tests/test_inprocess.py compares them).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from nbformat import from_dict

ENGINE = "reportkit-inprocess"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Outputs:
    """The outputs of the cell being run, as nbclient would record them."""

    def __init__(self) -> None:
        self.cell: Any = None
        self.execution_count: int | None = None
        self.pending: dict[str, str] = {}
        self.by_display_id: dict[str, list] = {}

    def add(self, output: dict) -> None:
        self.flush()  # what the cell printed before it, as a kernel flushes before a display
        if self.cell is not None:
            self.cell.outputs.append(from_dict(output))

    def stream(self, name: str, text: str) -> None:
        if self.cell is not None and text:
            self.pending[name] = self.pending.get(name, "") + text

    def flush(self) -> None:
        """A kernel buffers what a cell prints and sends it before a display and at the cell's
        end, stdout first; nbclient appends each chunk to the stream output it follows."""
        for name in ("stdout", "stderr"):
            text = self.pending.pop(name, "")
            if not text or self.cell is None:
                continue
            outputs = self.cell.outputs
            if outputs and outputs[-1].get("output_type") == "stream" and outputs[-1].name == name:
                outputs[-1].text += text
            else:
                outputs.append(from_dict({"output_type": "stream", "name": name, "text": text}))


class _Stream:
    """sys.stdout / sys.stderr of the running cell."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, outputs: _Outputs, name: str):
        self._outputs, self.name = outputs, name

    def write(self, text: str) -> int:
        self._outputs.stream(self.name, str(text))
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:  # as ipykernel's OutStream: no file of its own to write to
        raise OSError("stream has no file descriptor")


def _shell(outputs: _Outputs) -> Any:
    """An IPython shell whose displays, results and errors become the cell's outputs."""
    from ipykernel.compiler import XCachingCompiler
    from ipykernel.jsonutil import encode_images, json_clean
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
            content = json_clean(
                {"data": encode_images(data), "metadata": metadata or {}, "transient": {}}
            )
            display_id = (transient or {}).get("display_id")
            output = {
                "output_type": "display_data",
                "data": content["data"],
                "metadata": content["metadata"],
            }
            if update:  # nbclient: the outputs shown under that display id are replaced
                for earlier in outputs.by_display_id.get(display_id, []):
                    earlier.data, earlier.metadata = output["data"], output["metadata"]
                return
            outputs.add(output)
            if display_id and outputs.cell is not None:
                outputs.by_display_id.setdefault(display_id, []).append(outputs.cell.outputs[-1])

        def clear_output(self, wait=False):
            if outputs.cell is not None:
                outputs.cell.outputs = []

    class Hook(DisplayHook):
        def start_displayhook(self):
            self._data = None

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self._data = (json_clean(encode_images(format_dict)), md_dict or {})

        def finish_displayhook(self):
            if self._data is not None:
                data, metadata = self._data
                outputs.add(
                    {
                        "output_type": "execute_result",
                        "data": data,
                        "metadata": json_clean(metadata),
                        "execution_count": outputs.execution_count,
                    }
                )
            self._data = None

    class Shell(InteractiveShell):
        def _showtraceback(self, etype, evalue, stb):
            outputs.add(
                {
                    "output_type": "error",
                    "ename": str(etype.__name__),
                    "evalue": str(evalue),
                    "traceback": stb,
                }
            )
            self.last_error = (str(etype.__name__), str(evalue), stb)

    config = Config()
    config.HistoryManager.enabled = False  # a kernel's history would only grow a file in $HOME
    config.InteractiveShell.colors = "nocolor"
    shell = Shell.instance(
        config=config,
        display_pub_class=Publisher,
        displayhook_class=Hook,
        compiler_class=XCachingCompiler,  # cells named as a kernel names them, in tracebacks
    )
    shell.last_error = None
    # As ipykernel's shell: tracebacks as a kernel sends them.
    shell.InteractiveTB.set_mode("Context")
    return shell


def _engine() -> type:
    from nbclient.exceptions import CellExecutionError
    from papermill.engines import Engine

    class InProcessEngine(Engine):
        """Runs the cells in this process's IPython shell (see the module's docstring)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, warmup: str = "", **kwargs):
            from ipykernel.ipkernel import IPythonKernel

            outputs = _Outputs()
            shell = _shell(outputs)
            saved = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = _Stream(outputs, "stdout"), _Stream(outputs, "stderr")
            try:
                if warmup:  # what a warm kernel ran before the notebook (execution count 1)
                    shell.run_cell(warmup, store_history=True, silent=False)
                for index, cell in enumerate(nb_man.nb.cells):
                    try:
                        nb_man.cell_start(cell, index)
                        cls._run(shell, outputs, cell)
                    except CellExecutionError as ex:
                        nb_man.cell_exception(
                            nb_man.nb.cells[index], cell_index=index, exception=ex
                        )
                        break
                    finally:
                        outputs.flush()
                        outputs.cell = None
                        nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)
            finally:
                sys.stdout, sys.stderr = saved
            nb_man.nb.metadata["language_info"] = json.loads(
                json.dumps(IPythonKernel.language_info)
            )
            return nb_man.nb

        @staticmethod
        def _run(shell: Any, outputs: _Outputs, cell: Any) -> None:
            if cell.cell_type != "code" or not cell.source.strip():
                return
            if "skip-execution" in cell.metadata.get("tags", []):
                return
            timing = {"iopub.status.busy": _now()}
            cell.outputs = []
            outputs.cell = cell
            shell.last_error = None
            timing["iopub.execute_input"] = _now()
            cell["execution_count"] = outputs.execution_count = shell.execution_count
            result = shell.run_cell(cell.source, store_history=True, silent=False)
            timing["shell.execute_reply"] = _now()
            timing["iopub.status.idle"] = _now()
            cell["metadata"]["execution"] = timing
            if result.success or "raises-exception" in cell.metadata.get("tags", []):
                return
            ename, evalue, stb = shell.last_error or ("Exception", "", [])
            raise CellExecutionError.from_cell_and_msg(
                cell, {"ename": ename, "evalue": evalue, "traceback": stb}
            )

    return InProcessEngine


def register() -> None:
    """Make the engine known to papermill (once per process)."""
    from papermill.engines import papermill_engines

    if ENGINE not in papermill_engines._engines:
        papermill_engines.register(ENGINE, _engine())


def run(request: dict[str, Any]) -> int:
    """In a forked child: run one notebook (request: notebook, target, parameters, warmup,
    result) and write {"ok": …, "ename": …, "evalue": …} to request["result"]."""
    import papermill as pm

    register()
    result: dict[str, Any] = {"ok": True}
    try:
        pm.execute_notebook(
            request["notebook"],
            request["target"],
            parameters=request["parameters"],
            engine_name=ENGINE,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            warmup=request.get("warmup", ""),
        )
    except BaseException as e:  # noqa: BLE001 - reported to the build, which names the section
        result = {
            "ok": False,
            "ename": getattr(e, "ename", type(e).__name__),
            "evalue": getattr(e, "evalue", str(e)),
        }
    Path(request["result"]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":  # for trying it by hand: python -m reportkit.pipeline.inprocess REQUEST
    os._exit(run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
