"""Sections run with no kernel (pipeline/inprocess.py): a child forked from the zygote runs the
notebook in an IPython shell of its own, through papermill. The notebook it writes is the one a
kernel started the ordinary way writes, but for timestamps; a failing cell fails the section with
its error; nothing one section does reaches the next."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

from reportkit.pipeline import executors, kernels

pytestmark = pytest.mark.skipif(not kernels.Zygote.can_fork(), reason="forks from a zygote")

CELLS = [
    "print('第一行')\nprint('第二行')",
    "import sys\nprint('写到错误输出', file=sys.stderr)\nprint('又一行')",
    "from IPython.display import HTML, display\ndisplay(HTML('<b>粗体</b>'))\n'结果'",
    "import pandas as pd\npd.DataFrame({'件数': [1, 2]}, index=['甲', '乙'])",
    "x = 41\nx + 1",
    "",  # an empty cell is not run and keeps no count
    "import reportkit as rk\nrk.show.rows(pd.DataFrame({'a': [1]}))",
]


def notebook(tmp_path: Path, cells: list[str], name: str = "nb.ipynb") -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("year: int = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# 说明"), params]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def without_timings(nb: dict) -> dict:
    nb["metadata"]["papermill"].pop("duration")
    for key in ("start_time", "end_time", "input_path", "output_path"):
        nb["metadata"]["papermill"].pop(key)
    for cell in nb["cells"]:
        cell.pop("id", None)
        for key in ("start_time", "end_time", "duration"):
            cell["metadata"].get("papermill", {}).pop(key, None)
        execution = cell["metadata"].get("execution")
        if execution is not None:
            assert sorted(execution) == [
                "iopub.execute_input",
                "iopub.status.busy",
                "iopub.status.idle",
                "shell.execute_reply",
            ]
            cell["metadata"]["execution"] = "timestamps"
    return nb


def run(executor: executors.Executor, nb: Path, tmp_path: Path, name: str) -> tuple[dict, dict]:
    traces = tmp_path / f"traces-{name}"
    traces.mkdir()
    pool = executor.kernels(tmp_path, traces, 1, 1, {})
    try:
        return executor.execute(nb, tmp_path / f"{name}.ipynb", {"year": 2021}, pool)
    finally:
        pool.close()


def test_a_notebook_run_in_process_is_the_one_a_kernel_writes(tmp_path):
    nb = notebook(tmp_path, CELLS)
    with executors.KernelExecutor(jobs=1) as on_kernel:
        run(on_kernel, nb, tmp_path, "kernel")
    with executors.InProcessExecutor(jobs=1) as in_process:
        run(in_process, nb, tmp_path, "child")

    by_kernel, by_child = (
        nbformat.read(tmp_path / f"{name}.ipynb", as_version=4) for name in ("kernel", "child")
    )
    assert without_timings(by_child) == without_timings(by_kernel)
    # What both wrote, checked by hand: counts from 2 (the warm-up is 1), the injected
    # parameters, stdout and stderr as streams, a display, results with their counts.
    cells = by_child["cells"]
    assert [c.get("execution_count") for c in cells] == [None, 2, 3, 4, 5, 6, 7, 8, None, 9]
    assert cells[2]["source"] == "# Parameters\nyear = 2021\n"
    assert cells[3]["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "第一行\n第二行\n"}
    ]
    # A kernel buffers both streams and sends stdout first.
    assert [(o["name"], o["text"]) for o in cells[4]["outputs"]] == [
        ("stdout", "又一行\n"),
        ("stderr", "写到错误输出\n"),
    ]
    assert [o["output_type"] for o in cells[5]["outputs"]] == ["display_data", "execute_result"]
    assert cells[5]["outputs"][0]["data"]["text/html"] == "<b>粗体</b>"
    assert cells[5]["outputs"][1]["data"] == {"text/plain": "'结果'"}
    assert cells[5]["outputs"][1]["execution_count"] == 6
    assert "<th>甲</th>" in cells[6]["outputs"][0]["data"]["text/html"]
    assert cells[7]["outputs"][0]["data"] == {"text/plain": "42"}
    assert cells[8]["outputs"] == []


def test_a_failing_cell_fails_the_section_with_its_error(tmp_path):
    nb = notebook(tmp_path, ["a = 1", "1 / 0", "never = True"])
    with executors.InProcessExecutor(jobs=1) as in_process:
        with pytest.raises(executors.SectionError) as failed:
            run(in_process, nb, tmp_path, "child")
    assert (failed.value.ename, failed.value.evalue) == ("ZeroDivisionError", "division by zero")
    written = nbformat.read(tmp_path / "child.ipynb", as_version=4)
    # papermill's marks, as for a kernel: the error at the top, the failed cell, the cell after
    # it not run.
    assert "An Exception was encountered" in "".join(written["cells"][0]["source"])
    failed_cell = next(c for c in written["cells"] if c["source"] == "1 / 0")
    assert failed_cell["outputs"][0]["ename"] == "ZeroDivisionError"
    assert next(c for c in written["cells"] if c["source"] == "never = True")["outputs"] == []


def test_nothing_a_section_does_reaches_the_next(tmp_path):
    first = notebook(
        tmp_path,
        ["import os, reportkit\nleak = 1\nos.environ['LEAK'] = '1'\nreportkit.leak = 1"],
        "first.ipynb",
    )
    second = notebook(
        tmp_path,
        [
            "import os, reportkit\n"
            "('leak' in globals(), 'LEAK' in os.environ, hasattr(reportkit, 'leak'))"
        ],
        "second.ipynb",
    )
    with executors.InProcessExecutor(jobs=1) as in_process:
        run(in_process, first, tmp_path, "first")
        run(in_process, second, tmp_path, "second")
    nb = nbformat.read(tmp_path / "second.ipynb", as_version=4)
    assert nb["cells"][-1]["outputs"][0]["data"] == {"text/plain": "(False, False, False)"}


def test_a_child_that_dies_fails_its_section(tmp_path):
    nb = notebook(tmp_path, ["import os\nos._exit(3)"])
    with executors.InProcessExecutor(jobs=1) as in_process:
        with pytest.raises(executors.SectionError) as failed:
            run(in_process, nb, tmp_path, "child")
    assert failed.value.evalue == "运行笔记本的进程意外退出"


def test_the_child_records_what_its_section_read(tmp_path):
    nb = notebook(
        tmp_path,
        [
            f"from reportkit.contract import trace\ntrace.file_read(__import__('pathlib').Path({str(tmp_path / 'x.json')!r}))"
        ],
    )
    with executors.InProcessExecutor(jobs=1) as in_process:
        recorded, _ = run(in_process, nb, tmp_path, "child")
    assert recorded["files"] == [str(tmp_path / "x.json")]


@pytest.mark.skipif(
    importlib.util.find_spec("rfc3987_syntax") is None, reason="rfc3987-syntax not installed"
)
def test_a_notebook_can_import_what_the_zygote_kept_jsonschema_from(tmp_path):
    # The zygote hides rfc3987_syntax from jsonschema while it imports (a 2-second grammar), and
    # only from jsonschema: a section importing it itself gets the module.
    nb = notebook(tmp_path, ["import rfc3987_syntax\nrfc3987_syntax.__name__"])
    with executors.InProcessExecutor(jobs=1) as in_process:
        run(in_process, nb, tmp_path, "child")
    cells = nbformat.read(tmp_path / "child.ipynb", as_version=4)["cells"]
    assert cells[-1]["outputs"][0]["data"] == {"text/plain": "'rfc3987_syntax'"}


def test_sections_go_on_on_kernels_when_the_zygote_dies(tmp_path):
    nb = notebook(tmp_path, ["x = 41\nx + 1"])
    with executors.InProcessExecutor(jobs=1) as in_process:
        run(in_process, nb, tmp_path, "first")
        in_process.zygote._proc.kill()  # out of memory, or killed by hand
        in_process.zygote._proc.wait()
        _, executed = run(in_process, nb, tmp_path, "second")
    cells = nbformat.read(tmp_path / "second.ipynb", as_version=4)["cells"]
    assert cells[-1]["outputs"][0]["data"] == {"text/plain": "42"}
    assert cells[-1]["execution_count"] == 4  # the kernel's warm-up, parameters, injected, this
