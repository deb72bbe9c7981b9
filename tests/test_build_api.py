"""The build API: a target and options, the executor seam, and progress through logging."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

from helpers import SEED_PARAMS, build_log

from reportkit import cli
from reportkit.pipeline import builder, executors
from reportkit.pipeline.builder import BuildOptions, BuildTarget

TITLE = "reportkit：大冶市应急管理局2021年政府信息公开工作年度报告"


class Recording(executors.KernelExecutor):
    """Ordinary kernels, and a note of what the build asked of it."""

    def __init__(self):
        super().__init__(jobs=2)
        self.ran: list[list[str]] = []
        self.closed = 0

    def run_sections(self, todo, *args, **kwargs):
        self.ran.append([nb.name for _s, nb in todo])
        return super().run_sections(todo, *args, **kwargs)

    def close(self):
        self.closed += 1


def test_a_build_runs_its_sections_on_the_given_executor_and_prints_nothing(tmp_path, capsys):
    executor = Recording()
    out = tmp_path / "2021"
    with build_log() as lines:
        result = builder.build(
            BuildTarget(params=SEED_PARAMS, out=out), BuildOptions(executor=executor)
        )
    assert (result.ok, result.year, result.out) == (True, 2021, out)
    assert executor.ran == [
        [
            "01_overview.ipynb",
            "02_proactive.ipynb",
            "03_requests.ipynb",
            "04_appeals.ipynb",
            "05_problems.ipynb",
            "06_other.ipynb",
        ]
    ]
    assert executor.closed == 0  # the caller's: it stops it, not the build
    # Library use: the progress goes to the logger only, nothing to the terminal.
    assert capsys.readouterr() == ("", "")
    assert lines[0] == TITLE
    assert lines[-1].startswith(f"完成：{out / 'report.html'}（用时 ")

    # The command line prints the same lines; nothing changed, so the build says so.
    assert cli.main(["build", "--params", str(SEED_PARAMS), "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.out.splitlines()[:2] == [TITLE, "  台账、参数和笔记本均无变化，沿用上次结果"]
    assert printed.err == ""


def test_keyword_calls_still_build(tmp_path):
    # reportkit.build(year=…, params=…, out=…, jobs=…, use_cache=…): the public API as before.
    import reportkit

    out = tmp_path / "2021"
    first = reportkit.build(year=2021, params=SEED_PARAMS, out=out, jobs=2, use_cache=True)
    again = reportkit.build(year=2021, params=SEED_PARAMS, out=out, jobs=2, use_cache=True)
    assert (first.ok, len(first.ran), again.ok, again.ran) == (True, 6, True, ())


def test_a_build_waits_for_the_one_it_follows_only_when_expected():
    executor = executors.KernelExecutor(jobs=1)
    executor.expect(["demo/2020"])
    order: list[str] = []

    def later():
        executor.wait_for("demo/2020")
        order.append("2021 checked")

    waiting = threading.Thread(target=later)
    waiting.start()
    time.sleep(0.2)
    order.append("2020 done")
    executor.finished("demo/2020")
    waiting.join(timeout=5)
    executor.wait_for("demo/2019")  # not one of this executor's builds: no wait
    assert order == ["2020 done", "2021 checked"]


def test_no_zygote_picks_the_kernel_executor(monkeypatch):
    monkeypatch.setenv("REPORTKIT_NO_ZYGOTE", "1")
    with executors.make_executor(3) as executor:
        assert (type(executor), executor.zygote, executor.jobs) == (
            executors.KernelExecutor,
            None,
            3,
        )


def test_the_command_line_starts_no_kernels_and_reads_no_last_year():
    """cli.py turns arguments into calls of reportkit.pipeline: it imports no kernel, zygote or
    check of its own."""
    source = Path(cli.__file__).read_text(encoding="utf-8")
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reportkit")
    }
    assert imported <= {
        "reportkit.contract",
        "reportkit.contract.errors",
        "reportkit.contract.years",
        "reportkit.pipeline",
        "reportkit.pipeline.batch",
        "reportkit.pipeline.builder",
        "reportkit.ingest.command",
        "reportkit.checks.review",
    }
    assert "Zygote" not in source and "json.dumps" not in source
