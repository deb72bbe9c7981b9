"""Nothing lost: a build killed while its sections run leaves the last good report byte for byte,
and the next build succeeds and clears what the killed one left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import SEED_PARAMS as SEED

from reportkit.cli import main
from reportkit.pipeline.builder import recover
from reportkit.pipeline.outfolder import mark

OUTPUTS = ("report.html", "tables.json", "checks.json")


def staging_dirs(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.staging-*"))


def wait_for(condition, seconds: float = 180) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def last_good(tmp_path):
    out = tmp_path / "2021"
    assert main(["build", "--params", str(SEED), "--out", str(out)]) == 0
    return out, {name: (out / name).read_bytes() for name in OUTPUTS}


def test_killed_build_leaves_the_last_good_report(last_good, tmp_path):
    out, before = last_good
    log = (tmp_path / "killed.log").open("wb")
    build = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reportkit.cli",
            "build",
            "--params",
            str(SEED),
            "--out",
            str(out),
            "--no-cache",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its kernels share its process group, to be cleaned up below
    )
    try:
        # Sections are running once papermill has written a first notebook into the staging folder.
        running = wait_for(
            lambda: any(list(d.joinpath("notebooks").glob("*.ipynb")) for d in staging_dirs(out))
        )
        assert running, (tmp_path / "killed.log").read_text(encoding="utf-8", errors="replace")
        os.kill(build.pid, signal.SIGKILL)
        assert build.wait(timeout=30) == -signal.SIGKILL
    finally:
        try:
            os.killpg(build.pid, signal.SIGKILL)  # the kernels it had started
        except ProcessLookupError:
            pass
        log.close()

    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before
    assert staging_dirs(out), "the build was killed before it had staged anything"

    # The next build succeeds and removes the dead build's staging folder.
    assert main(["build", "--params", str(SEED), "--out", str(out)]) == 0
    assert staging_dirs(out) == []
    assert {name: (out / name).read_bytes() for name in ("tables.json",)} == {
        "tables.json": before["tables.json"]
    }
    assert (out / "report.html").is_file()


def test_recover_restores_outputs_after_a_swap_killed_halfway(tmp_path):
    # publish() moves out -> .out.previous, then staging -> out; killed between the two renames:
    out = tmp_path / "out"
    previous = tmp_path / ".out.previous"
    mark(previous, 2021)  # as every build marks its folders
    (previous / "report.html").write_text("上次的报告", encoding="utf-8")
    recover(out)
    assert (out / "report.html").read_text(encoding="utf-8") == "上次的报告"
    assert not previous.exists()


def test_recover_drops_the_previous_copy_once_the_new_outputs_are_in(tmp_path):
    out = tmp_path / "out"
    mark(out, 2021)
    (out / "report.html").write_text("新的报告", encoding="utf-8")
    previous = tmp_path / ".out.previous"
    mark(previous, 2021)  # as every build marks its folders
    (previous / "report.html").write_text("上次的报告", encoding="utf-8")
    recover(out)
    assert (out / "report.html").read_text(encoding="utf-8") == "新的报告"
    assert not previous.exists()


def test_recover_keeps_a_live_build_staging_folder(tmp_path):
    out = tmp_path / "out"
    live = tmp_path / f".out.staging-1-{os.getpid()}"
    live.mkdir()
    dead = tmp_path / ".out.staging-1-999999999"
    dead.mkdir()
    recover(out)
    assert live.exists() and not dead.exists()
