"""What a build withstands around its output folder: an --out naming someone else's folder, a
second build into the same folder, a kill while publishing, a full or read-only disk, bad years,
a params file named for another year, no ledgers, stale temporary files and a failed notebook
that the privacy guard removed. One test per attack; expected values written from the rules."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from reportkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "params" / "2021.yaml"
THIS_YEAR = dt.date.today().year


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: what a refused build must leave as it was."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def last_good(out: Path) -> dict[str, bytes]:
    """A folder as a previous build left it (marked, with a report), and its bytes."""
    out.mkdir(parents=True)
    (out / ".reportkit-build.json").write_text(
        '{"built_by": "reportkit", "year": 2021}\n', encoding="utf-8"
    )
    (out / "report.html").write_text("上次的报告", encoding="utf-8")
    (out / "tables.json").write_text('{"year": 2021}\n', encoding="utf-8")
    return tree(out)


def small_agency(base: Path, year: int = 2021, name: str | None = None) -> Path:
    """One requests ledger with one row, and a params file (named `<year>.yaml` by default)."""
    data = base / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "requests.csv").write_text(
        "申请编号,收到日期,申请人类型,办理结果,办结日期\nA1,2021-03-01,自然人,予以公开,2021-03-10\n",
        encoding="utf-8",
    )
    params = base / (name or f"{year}.yaml")
    params.write_text(f"agency: 测试局\nyear: {year}\ndata_dir: data\n", encoding="utf-8")
    return params


# ------------------------------------------------------------------------------------------------
# 1. --out names a folder that is not a reportkit build's
# ------------------------------------------------------------------------------------------------
def test_out_naming_a_folder_of_several_builds_deletes_nothing(tmp_path, capsys):
    outputs = tmp_path / "outputs"
    last_good(outputs / "2020")
    last_good(outputs / "2021")
    before = tree(outputs)

    code = main(["build", "--params", str(small_agency(tmp_path)), "--out", str(outputs)])

    assert code == 2
    err = capsys.readouterr().err
    assert f"输出文件夹 {outputs} 已存在，且不是 reportkit 生成的" in err
    assert "未做任何改动" in err and "Traceback" not in err
    assert tree(outputs) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021.yaml", "data", "outputs"]


def test_out_naming_the_data_folder_deletes_nothing(tmp_path, capsys):
    params = small_agency(tmp_path)
    data = tmp_path / "data"
    before = tree(data)

    code = main(["build", "--params", str(params), "--out", str(data)])

    assert code == 2
    err = capsys.readouterr().err
    assert f"输出文件夹 {data} 与台账文件夹 {data} 重叠" in err
    assert tree(data) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021.yaml", "data"]


def test_out_naming_an_existing_file_moves_nothing(tmp_path, capsys):
    target = tmp_path / "报告.docx"
    target.write_bytes(b"not ours")

    code = main(["build", "--params", str(small_agency(tmp_path)), "--out", str(target)])

    assert code == 2
    assert f"输出位置 {target} 已存在，但不是文件夹" in capsys.readouterr().err
    assert target.read_bytes() == b"not ours"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021.yaml", "data", "报告.docx"]


def test_recover_moves_and_removes_nothing_that_is_not_ours(tmp_path):
    from reportkit.pipeline.builder import recover

    out = tmp_path / "out"
    # Named like a halfway swap and like a dead build's staging folder, holding the user's files.
    previous = tmp_path / ".out.previous"
    previous.mkdir()
    (previous / "台账备份.xlsx").write_bytes(b"user")
    staging = tmp_path / ".out.staging-1-999999999"
    staging.mkdir()
    (staging / "草稿.docx").write_bytes(b"user")
    before = tree(tmp_path)

    recover(out)

    assert tree(tmp_path) == before
    assert not out.exists()


def test_a_folder_built_before_the_marker_is_still_replaced(tmp_path):
    # Outputs of earlier versions have no marker: the cache file beside report.html is theirs.
    from reportkit.pipeline.builder import publish

    out = tmp_path / "2021"
    out.mkdir()
    (out / ".reportkit-cache.json").write_text("{}", encoding="utf-8")
    (out / "report.html").write_text("旧版本的报告", encoding="utf-8")
    staging = tmp_path / ".2021.staging-1-1"
    last_good(staging)

    publish(staging, out)

    assert (out / "report.html").read_text(encoding="utf-8") == "上次的报告"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021"]


def test_an_empty_out_folder_is_built_into(tmp_path):
    out = tmp_path / "空文件夹"
    out.mkdir()

    assert main(["build", "--params", str(small_agency(tmp_path)), "--out", str(out)]) == 0

    assert (out / "report.html").is_file() and (out / "tables.json").is_file()
    assert (out / ".reportkit-build.json").is_file()  # the next build knows the folder as ours
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "2021.yaml",
        "data",
        "空文件夹",
    ]


# ------------------------------------------------------------------------------------------------
# 2. Two builds into one folder; a kill while publishing
# ------------------------------------------------------------------------------------------------
def test_a_second_build_into_a_folder_being_written_is_refused(tmp_path, capsys):
    import fcntl

    out = tmp_path / "out"
    before = last_good(out)
    # Another build holds the folder: its lock is on .out.lock beside the folder.
    with (tmp_path / ".out.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code = main(["build", "--params", str(small_agency(tmp_path)), "--out", str(out)])

    assert code == 2
    assert f"另一个 reportkit 构建正在写入输出文件夹 {out}" in capsys.readouterr().err
    assert tree(out) == before


class Killed(BaseException):
    """The process dying at this point: nothing after it runs."""


@pytest.mark.parametrize("killed_at", [0, 1, 2, 3])
def test_a_kill_between_the_publish_steps_leaves_an_output_folder(tmp_path, monkeypatch, killed_at):
    from reportkit.pipeline.builder import publish

    out = tmp_path / "out"
    last_good(out)
    staging = tmp_path / f".out.staging-1-{os.getpid()}"
    staging.mkdir()
    shutil.copytree(out, staging, dirs_exist_ok=True)
    (staging / "report.html").write_text("新的报告", encoding="utf-8")

    # Every rename and removal is a step; the process is killed at step `killed_at`.
    steps = []
    for module, name in ((os, "replace"), (os, "rename"), (shutil, "rmtree")):
        real = getattr(module, name)

        def step(*args, _real=real, **kwargs):
            steps.append(args)
            if len(steps) > killed_at:
                raise Killed
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, step)

    try:
        publish(staging, out)
    except Killed:
        pass
    monkeypatch.undo()

    assert (out / "report.html").read_text(encoding="utf-8") in ("上次的报告", "新的报告")


def test_publish_without_an_atomic_swap_still_recovers(tmp_path, monkeypatch):
    # Where renameat2 is missing: two renames, and recover() undoes a kill between them.
    from reportkit.pipeline import outfolder

    monkeypatch.setattr(outfolder, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    last_good(out)
    staging = tmp_path / ".out.staging-1-1"
    last_good(staging)
    (staging / "report.html").write_text("新的报告", encoding="utf-8")
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise Killed
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Killed):
        outfolder.publish(staging, out)
    monkeypatch.setattr(os, "replace", real_replace)
    assert not out.exists()  # the gap the fallback has

    outfolder.recover(out)

    assert (out / "report.html").read_text(encoding="utf-8") == "上次的报告"


# ------------------------------------------------------------------------------------------------
# 3. The disk, the years, the params, the ledgers, the temp folder, the failed notebook
# ------------------------------------------------------------------------------------------------
def test_disk_full_while_writing_the_report_keeps_the_last_good_one(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    before = last_good(out)
    real_write = pathlib.Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name == "report.html" and self.parent.name.startswith(".out.staging"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)
    code = main(["build", "--params", str(small_agency(tmp_path)), "--out", str(out)])

    assert code == 2
    err = capsys.readouterr().err
    assert (
        f"无法写入输出文件夹 {out}" in err
        and "磁盘空间已满" in err
        and "上次生成的报告保持不变" in err
    )
    assert "内部错误" not in err
    assert tree(out) == before
    assert not list(tmp_path.glob(".out.staging-*"))


@pytest.mark.parametrize(
    ("code", "cause"), [(errno.EROFS, "所在磁盘为只读"), (errno.EACCES, "没有写入权限")]
)
def test_a_read_only_output_folder_is_said_plainly(tmp_path, monkeypatch, capsys, code, cause):
    # Tests run as root, for whom chmod 0555 changes nothing: the system's refusal is simulated.
    out = tmp_path / "out"
    before = last_good(out)
    params = small_agency(tmp_path)
    real_mkdir = pathlib.Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self == tmp_path or tmp_path in self.parents:
            raise OSError(code, os.strerror(code), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)
    exit_code = main(["build", "--params", str(params), "--out", str(out)])

    assert exit_code == 2
    err = capsys.readouterr().err
    assert f"无法写入输出文件夹 {out}" in err and cause in err
    assert "内部错误" not in err
    assert tree(out) == before


@pytest.mark.parametrize("year", ["abc", "2021-", "20x1"])
def test_a_year_that_is_not_a_year_is_a_usage_error(year, capsys):
    assert main(["build", "--year", year]) == 2
    err = capsys.readouterr().err
    assert f"「{year}」不是年度：应写成 2021、2020-2021 或 2020,2021" in err
    assert "内部错误" not in err


@pytest.mark.parametrize("year", [1999, 2999])
def test_a_report_year_before_the_regulation_or_after_this_year_is_refused(tmp_path, capsys, year):
    params = small_agency(tmp_path, year=year)
    out = tmp_path / "out"

    assert main(["build", "--params", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        f"报告年度应在 2008 年（《政府信息公开条例》施行）至 {THIS_YEAR} 年之间，实际为 {year}"
        in err
    )
    assert not out.exists()
    # And as --year: a usage error, before any file is looked for.
    assert main(["build", "--year", str(year)]) == 2
    assert f"至 {THIS_YEAR} 年之间，实际为 {year}" in capsys.readouterr().err


def test_a_params_file_named_for_another_year_is_refused(tmp_path, capsys):
    # params/2022.yaml still saying `year: 2021` (copied, not edited) would replace 2021's outputs.
    params = small_agency(tmp_path, year=2021, name="2022.yaml")
    out = tmp_path / "out"
    before = last_good(out)

    assert main(["build", "--params", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"参数文件 {params} 的「year」：为 2021，但文件名表明是 2022 年" in err
    assert tree(out) == before

    # Another name, and --year saying otherwise than the file.
    other = small_agency(tmp_path, year=2021, name="草稿.yaml")
    assert main(["build", "--year", "2022", "--params", str(other), "--out", str(out)]) == 2
    assert (
        f"参数文件 {other} 的「year」：为 2021，与所要求的 2022 年不符" in capsys.readouterr().err
    )
    assert tree(out) == before


@pytest.mark.parametrize("data_state", ["empty", "missing"])
def test_a_build_without_any_ledger_is_refused(tmp_path, capsys, data_state):
    params = small_agency(tmp_path)
    shutil.rmtree(tmp_path / "data")
    if data_state == "empty":
        (tmp_path / "data").mkdir()
    out = tmp_path / "out"

    assert main(["build", "--params", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    state = "中没有任何台账文件" if data_state == "empty" else "不存在"
    assert f"台账文件夹 {tmp_path / 'data'}{state}，未生成报告" in err
    assert "requests.csv、appeals.csv" in err and "proposals.csv" in err
    assert f"请检查参数文件 {params} 中的 data_dir" in err
    assert not out.exists()


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(dead.stdout)


def test_stale_kernel_sockets_and_traces_of_dead_builds_are_removed(tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    dead_pid = _dead_pid()
    live_pid = os.getppid()  # alive while this test runs
    for name in (
        f"reportkit-kernel-{dead_pid}-0123456789ab-1",
        f"reportkit-kernel-{live_pid}-0123456789ab-1",
    ):
        (temp / name).write_bytes(b"")
    for name in (f"reportkit-trace-{dead_pid}-x1", f"reportkit-trace-{live_pid}-x1"):
        (temp / name).mkdir()
        (temp / name / "a.json").write_text("{}", encoding="utf-8")
    (temp / "reportkit-kernel-0123456789ab-1").write_bytes(b"")  # an older version's: no pid
    (temp / "other-tool-1").write_bytes(b"")

    # A build that stops early still cleans up first (here: its data folder is missing).
    params = small_agency(tmp_path)
    shutil.rmtree(tmp_path / "data")
    main(["build", "--params", str(params), "--out", str(tmp_path / "out")])

    assert sorted(p.name for p in temp.iterdir()) == sorted(
        [
            f"reportkit-kernel-{live_pid}-0123456789ab-1",
            f"reportkit-trace-{live_pid}-x1",
            "reportkit-kernel-0123456789ab-1",
            "other-tool-1",
        ]
    )


def test_a_failed_notebook_removed_by_the_privacy_guard_is_not_said_to_be_saved(
    tmp_path, monkeypatch, capsys
):
    # A section that shows an applicant's name, then fails: its notebook must not be kept.
    with (ROOT / "data" / "daye" / "requests.csv").open(encoding="utf-8-sig") as f:
        name = next(row["申请人姓名"] for row in csv.DictReader(f) if row.get("申请人姓名"))
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "params").mkdir()
    nb_path = root / "notebooks" / "04_appeals.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f'print("{name}")\nraise RuntimeError("口径有误")'))
    nbformat.write(nb, nb_path)
    monkeypatch.setenv("REPORTKIT_ROOT", str(root))
    out = tmp_path / "out"

    code = main(["build", "--params", str(SEED), "--out", str(out)])

    assert code == 1
    err = capsys.readouterr().err
    assert "章节「四、政府信息公开行政复议、行政诉讼情况」运行失败：RuntimeError: 口径有误" in err
    assert "出错的笔记本未保存：其中含申请人个人信息，已被隐私检查删除" in err
    assert "已保存" not in err.replace("未保存", "")
    assert not (out / "failed" / "04_appeals.ipynb").exists()


def test_a_build_of_another_project_leaves_the_working_directory_alone(tmp_path, monkeypatch):
    # papermill's cwd= chdir'd the build process around each of the concurrent section runs; the
    # threads restored each other's folders and left the process in the other project's root.
    root = tmp_path / "proj"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "params").mkdir()
    monkeypatch.setenv("REPORTKIT_ROOT", str(root))
    here = os.getcwd()
    assert main(["build", "--params", str(SEED), "--out", str(tmp_path / "out")]) == 0
    assert os.getcwd() == here


def test_stale_snapshots_of_dead_builds_are_removed(tmp_path, monkeypatch):
    # The same cleanup as the kernels' sockets (snapshot.remove_stale): copies of ledgers hold
    # personal data, so a killed build's snapshot goes; a running build's and others' stay.
    from reportkit.ingest import snapshot

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    dead_pid, live_pid = _dead_pid(), os.getppid()
    for name in (f"reportkit-snapshot-{dead_pid}-ab12", f"reportkit-snapshot-{live_pid}-cd34"):
        (temp / name).mkdir()
        (temp / name / "requests.csv").write_text("申请编号\n1\n", encoding="utf-8")
    (temp / "reportkit-snapshot-ef56").mkdir()  # no pid: left alone
    snapshot.sweep()
    assert sorted(p.name for p in temp.iterdir()) == sorted(
        [f"reportkit-snapshot-{live_pid}-cd34", "reportkit-snapshot-ef56"]
    )
