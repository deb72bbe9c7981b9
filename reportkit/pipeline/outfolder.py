"""The output folder: only ever ours, one build at a time, replaced in one atomic step.

A build writes into a staging folder beside the output folder and swaps it in at the end. What
it may replace or remove is only what a reportkit build made: a folder holding the build marker
(or, for builds made before the marker existed, the cache file together with report.html), or an
empty folder. Anything else is refused with a message, and nothing is touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from reportkit.contract.errors import OutputFolderError
from reportkit.ingest.snapshot import alive
from reportkit.pipeline.cache import CACHE_FILE

MARKER = ".reportkit-build.json"

# The causes a user can act on, as the message names them.
DISK_ERRNOS = {
    errno.ENOSPC: "磁盘空间已满",
    getattr(errno, "EDQUOT", -1): "超出磁盘配额",
    errno.EROFS: "所在磁盘为只读",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
}


# ------------------------------------------------------------------------------------------------
# Whose folder it is
# ------------------------------------------------------------------------------------------------
def is_ours(folder: Path) -> bool:
    """A folder a reportkit build wrote (a published output or a staging folder)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    try:
        mark = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if isinstance(mark, dict) and mark.get("built_by") == "reportkit":
            return True
    except (OSError, ValueError):
        pass
    # Outputs of builds from before the marker: the cache file sits only beside a report.
    return (folder / CACHE_FILE).is_file() and (folder / "report.html").is_file()


def _is_empty(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and next(folder.iterdir(), None) is None


def mark(folder: Path, year: int | None) -> None:
    """Create `folder` if needed and mark it as a reportkit build's."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(
        json.dumps({"built_by": "reportkit", "year": year}) + "\n", encoding="utf-8"
    )


def check_out(out: Path, data_dir: Path | None = None) -> None:
    """Refuse an output folder the build must not replace. Changes nothing."""
    if data_dir is not None and (
        out == data_dir or data_dir in out.parents or out in data_dir.parents
    ):
        raise OutputFolderError(
            f"输出文件夹 {out} 与台账文件夹 {data_dir} 重叠：输出不能写进台账所在的文件夹。"
            "请用 --out 指定另一个文件夹"
        )
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputFolderError(
            f"输出位置 {out} 已存在，但不是文件夹；未做任何改动。请用 --out 指定一个文件夹"
        )
    if out.is_dir() and not (_is_empty(out) or is_ours(out)):
        shown = "、".join(sorted(p.name for p in out.iterdir())[:5])
        raise OutputFolderError(
            f"输出文件夹 {out} 已存在，且不是 reportkit 生成的（其中有 {shown} 等）；"
            "为免误删，未做任何改动。请用 --out 指定一个新的或空的文件夹"
        )


# ------------------------------------------------------------------------------------------------
# One build at a time
# ------------------------------------------------------------------------------------------------
def lock_file(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock for the block; another build holding it is an error.

    The lock is on a file beside the folder (the folder itself is swapped). The file stays: removing
    it would let a third build lock a new file while the second still holds the old one.
    """
    path = lock_file(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            raise OutputFolderError(
                f"另一个 reportkit 构建正在写入输出文件夹 {out}，"
                f"请等它完成后再运行（锁文件 {path}）"
            )
        yield
    finally:
        os.close(fd)  # releases the lock


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# ------------------------------------------------------------------------------------------------
# Publishing
# ------------------------------------------------------------------------------------------------
def previous_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.previous"


def staging_dir(out: Path, tag: str) -> Path:
    """The staging folder of one build; its name ends in the build's pid, so that a later build
    can tell a dead build's leftovers."""
    return out.parent / f".{out.name}.staging-{tag}-{os.getpid()}"


def _remove(folder: Path) -> None:
    """Remove a leftover folder if it is ours (or empty); anything else stays."""
    if is_ours(folder):
        shutil.rmtree(folder, ignore_errors=True)
    elif _is_empty(folder):
        with contextlib.suppress(OSError):
            folder.rmdir()


def recover(out: Path) -> None:
    """Undo what a killed build left: a swap stopped halfway (the previous outputs come back) and
    the staging folders of dead builds. Only our own folders are moved or removed."""
    prev = previous_dir(out)
    if is_ours(prev):
        if not out.exists():
            os.replace(prev, out)
        elif is_ours(out) or _is_empty(out):
            shutil.rmtree(prev, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and alive(int(pid))):
            _remove(stale)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # glibc before 2.28, or another C library
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (
        errno.ENOSYS,
        errno.EINVAL,
        errno.ENOTSUP,
        errno.EOPNOTSUPP,
    ):  # kernel or file system
        return False
    raise OSError(code, os.strerror(code), str(b))


def publish(staging: Path, out: Path) -> None:
    """Put the finished staging folder in place of `out`, so that `out` always holds either the
    previous outputs or the new ones, whenever the process is killed.

    An existing `out` is swapped with staging in one step, then removed from where staging was; a
    missing one is a single rename. Where the system cannot swap, two renames, and recover() undoes
    a kill between them at the next build.
    """
    check_out(out)  # the folder may have changed since the build started
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        _remove(staging)  # now the previous outputs (or the empty folder the user gave)
        return
    prev = previous_dir(out)
    _remove(prev)
    if prev.exists():
        raise OutputFolderError(f"无法发布：{prev} 已存在，且不是 reportkit 生成的；请移走它")
    os.replace(out, prev)
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(prev, out)
        raise
    shutil.rmtree(prev, ignore_errors=True)


def disk_error(e: OSError, out: Path) -> OutputFolderError | None:
    """The message for a write that failed for a reason the user can fix, else None."""
    cause = DISK_ERRNOS.get(e.errno or 0)
    if cause is None:
        return None
    if e.filename and not any(
        Path(os.path.abspath(e.filename)).is_relative_to(place)
        for place in (
            out.parent,
            Path(tempfile.gettempdir()),
            Path(tempfile.gettempdir()).resolve(),
        )
    ):
        return None  # not one of the build's writes (a ledger it could not read, say)
    where = f"（{e.filename}）" if e.filename else ""
    return OutputFolderError(f"无法写入输出文件夹 {out}{where}：{cause}。上次生成的报告保持不变")
