"""The ledgers of one build, read once: the build and every section kernel see the same bytes.

A build copies each ledger file of its data folder into its own private temp folder (mkdtemp,
0700), hashing the bytes as it copies them; every other name in the folder is kept as an empty
file, so the checks on misnamed files see the same listing. The cache keys come from those
digests, taken before anything runs. The build parses the copies and leaves the parsed ledgers
(no personal values) for its kernels, which find the folder through REPORTKIT_SNAPSHOT. A file
changed or moved while the build runs changes nothing in it: the next build sees the change.

A notebook run outside a build (JupyterLab, plain papermill) has no snapshot and reads the files.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import pickle
import shutil
import stat
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from reportkit.contract.errors import CellProblem, LedgerError

ENV = "REPORTKIT_SNAPSHOT"
PREFIX = "reportkit-snapshot-"
_INDEX = "index.json"
_COPIES = "files"
LEDGER_SUFFIXES = (".csv", ".xlsx")

# The snapshot of the build running in this thread (the build process); kernels use ENV.
_active: contextvars.ContextVar[Snapshot | None] = contextvars.ContextVar(
    "reportkit_snapshot", default=None
)


# Ledgers parsed in this process, by what was parsed (data folder, listing, each ledger's digest,
# extra personal columns): the builds of a batch that read the same bytes -- an agency's years,
# most often -- parse them once. A few kept; the personal values are resolved before keeping, as
# the copies they would be read from go with the build that made them.
_parsed: OrderedDict[tuple, tuple[bytes, list, set]] = OrderedDict()
_parsed_lock = threading.Lock()
_PARSED_KEPT = 4


def _is_ledger_name(name: str) -> bool:
    from reportkit.contract.schema import SCHEMAS

    path = Path(name)
    return path.stem in SCHEMAS and path.suffix.lower() in LEDGER_SUFFIXES


def _copy_hashing(src: Path, dst: Path) -> str:
    """Copy src to dst and return the SHA-256 of exactly the bytes copied."""
    h = hashlib.sha256()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(1 << 20):
            h.update(chunk)
            fout.write(chunk)
    return h.hexdigest()


class Snapshot:
    """One data folder as a build read it: its listing, a copy and a digest of each ledger."""

    def __init__(
        self,
        folder: Path,
        data_dir: Path,
        listing: list[str],
        digests: dict[str, str],
        irregular: bool = False,
    ):
        self.folder, self.data_dir, self.listing, self.digests = folder, data_dir, listing, digests
        self.irregular = irregular  # an entry with a ledger's name is not a regular file

    @property
    def copies(self) -> Path:
        return self.folder / _COPIES

    @classmethod
    def take(cls, data_dir: Path, folder: Path) -> Snapshot | None:
        """Copy the ledgers of `data_dir` into `folder` (an empty private folder); None when the
        data folder does not exist (loading then says so, as without a snapshot)."""
        data_dir = Path(data_dir)
        if not data_dir.is_dir():
            return None
        copies = folder / _COPIES
        copies.mkdir(mode=0o700)
        listing: list[str] = []
        digests: dict[str, str] = {}
        irregular = False
        for p in sorted(data_dir.iterdir()):
            try:
                is_dir = p.is_dir()
                if _is_ledger_name(p.name) and stat.S_ISREG(os.stat(p).st_mode):
                    digests[p.name] = _copy_hashing(p, copies / p.name)
                elif _is_ledger_name(p.name):
                    # A folder, pipe or broken link under a ledger's name: never opened here;
                    # loading reports it from the folder itself.
                    digests[p.name], irregular = "not-a-file", True
                elif is_dir:
                    (copies / p.name).mkdir()
                else:
                    # Only the name matters (the checks on misnamed ledgers); the bytes stay home.
                    (copies / p.name).touch()
            except OSError:
                if _is_ledger_name(p.name):
                    digests[p.name], irregular = "unreadable", True
                continue
            listing.append(p.name + ("/" if is_dir else ""))
        snap = cls(folder, data_dir, listing, digests, irregular)
        index = {
            "data_dir": str(data_dir),
            "listing": listing,
            "digests": digests,
            "irregular": irregular,
        }
        (folder / _INDEX).write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
        return snap

    @classmethod
    def open(cls, folder: Path) -> Snapshot | None:
        """A build's snapshot, as a kernel finds it; None unless it is ours and private."""
        try:
            st = folder.stat()
            if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
                return None
            index = json.loads((folder / _INDEX).read_text(encoding="utf-8"))
            return cls(
                folder,
                Path(index["data_dir"]),
                list(index["listing"]),
                dict(index["digests"]),
                bool(index["irregular"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _pickle_path(self, personal: tuple[str, ...]) -> Path:
        key = hashlib.sha256(json.dumps(personal, ensure_ascii=False).encode()).hexdigest()[:16]
        return self.folder / f"ledgers-{key}.pickle"

    def load(self, extra_personal: list[str] | tuple[str, ...] = ()) -> Any:
        """The parsed ledgers of this snapshot, as load_ledgers gives them for the data folder:
        parsed once, then unpickled (a fresh copy for each caller, as load_ledgers gives)."""
        from reportkit.ingest.ledgers import Ledgers, PersonalValues

        personal = tuple(extra_personal)
        cached = self._pickle_path(personal)
        if cached.is_file():
            # Written by the build that owns this private folder: frames, notes and file names.
            frames, notes, names = pickle.loads(cached.read_bytes())
            files = {s: (self.data_dir / n if n else None) for s, n in names.items()}
            # Personal values are only for the build's privacy guard: read from the copies if asked.
            later = PersonalValues(pending=[lambda: self._personal(personal)])
            ledgers = Ledgers(self.data_dir, frames, files, notes, later)
        elif (hit := self._parsed_before(personal)) is not None:
            data, columns, values = hit
            ledgers = self._unpickled(data, PersonalValues(values, columns=columns))
            self._keep_pickle(cached, data)
        else:
            ledgers = self._parse(personal)
            names = {s: (p.name if p else None) for s, p in ledgers.files.items()}
            data = pickle.dumps(
                (ledgers.frames, ledgers.notes, names), protocol=pickle.HIGHEST_PROTOCOL
            )
            self._keep_pickle(cached, data)
            if not self.irregular:
                found = ledgers.personal
                found.resolved()
                with _parsed_lock:
                    _parsed[self._parsed_key(personal)] = (
                        data,
                        list(found._columns),
                        set(found._values),
                    )
                    while len(_parsed) > _PARSED_KEPT:
                        _parsed.popitem(last=False)
        return ledgers

    def _parsed_key(self, personal: tuple[str, ...]) -> tuple:
        return (
            str(self.data_dir),
            tuple(self.listing),
            tuple(sorted(self.digests.items())),
            personal,
        )

    def _parsed_before(self, personal: tuple[str, ...]) -> tuple[bytes, list, set] | None:
        if self.irregular:  # its errors are read afresh
            return None
        with _parsed_lock:
            return _parsed.get(self._parsed_key(personal))

    def _unpickled(self, data: bytes, personal_values: Any) -> Any:
        """Fresh frames (each caller gets its own copy) from the pickled ledgers."""
        from reportkit.ingest.ledgers import Ledgers

        frames, notes, names = pickle.loads(data)
        files = {s: (self.data_dir / n if n else None) for s, n in names.items()}
        return Ledgers(self.data_dir, frames, files, notes, personal_values)

    @staticmethod
    def _keep_pickle(cached: Path, data: bytes) -> None:
        """For the kernels: the parsed ledgers, written whole or not at all."""
        with contextlib.suppress(OSError):
            tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, cached)  # a kernel never reads half a file

    def _personal(self, personal: tuple[str, ...]) -> Any:
        """The personal values of the copies, with the column of each, as PersonalValues keeps them."""
        found = self._parse(personal).personal
        found.resolved()
        return list(found._columns)

    def _parse(self, personal: tuple[str, ...]) -> Any:
        from reportkit.ingest.ledgers import load_ledgers

        if self.irregular:
            # load_ledgers names the entry that is not a file and why (and never opens it).
            return load_ledgers(self.data_dir, personal)
        try:
            ledgers = load_ledgers(self.copies, personal)
        except LedgerError as e:
            raise self._named(e) from None
        ledgers.data_dir = self.data_dir
        ledgers.files = {
            s: (self.data_dir / p.name if p else None) for s, p in ledgers.files.items()
        }
        return ledgers

    def _named(self, e: LedgerError) -> LedgerError:
        """The same error, naming the data folder rather than this private copy of it."""
        copies, real = str(self.copies), str(self.data_dir)
        problems = [
            replace(p, file=p.file.replace(copies, real), message=p.message.replace(copies, real))
            for p in e.problems
            if isinstance(p, CellProblem)
        ]
        if hasattr(e, "total"):  # problems.TooManyProblems: the same kind, the same count
            return type(e)(problems, e.total)  # type: ignore[call-arg]
        return LedgerError(problems)


def current(data_dir: Path) -> Snapshot | None:
    """The snapshot of `data_dir` taken by the build this code runs in, if any."""
    snap = _active.get() or _from_env()
    if snap is not None and Path(snap.data_dir) == Path(data_dir).resolve():
        return snap
    return None


_env_snapshot: dict[str, Snapshot | None] = {}


def _from_env() -> Snapshot | None:
    """In a section kernel: the snapshot its build named in REPORTKIT_SNAPSHOT (one per kernel)."""
    folder = os.environ.get(ENV)
    if not folder:
        return None
    if folder not in _env_snapshot:
        _env_snapshot[folder] = Snapshot.open(Path(folder))
    return _env_snapshot[folder]


@contextlib.contextmanager
def active(snap: Snapshot | None) -> Iterator[None]:
    """Within the block (this thread), open_report reads `snap` instead of the files."""
    token = _active.set(snap)
    try:
        yield
    finally:
        _active.reset(token)


def new_folder() -> Path:
    """A private temp folder for one build's snapshot; named by pid, so that a later build can
    remove what a killed one left (copies of ledgers hold personal data)."""
    sweep()
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))


def sweep() -> None:
    """Remove the snapshot folders of builds that are no longer running (ours only)."""
    remove_stale(PREFIX)


def remove_stale(prefix: str) -> None:
    """Remove the temp files and folders named <prefix><pid>-… whose build is no longer running.
    Names without a pid (older versions) or of another user are left alone."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    for stale in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        pid = stale.name[len(prefix) :].split("-", 1)[0]
        try:
            # 7 digits at most: Linux's largest pid_max.
            if not pid.isdigit() or len(pid) > 7 or alive(int(pid)):
                continue
            if uid is not None and stale.lstat().st_uid != uid:
                continue
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink()
        except OSError:  # gone meanwhile, or not ours to remove
            continue


def alive(pid: int) -> bool:
    """Whether process `pid` exists (one of another user counts: it is not ours to clean up)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (OSError, OverflowError):  # no such process, or no such pid at all
        return False
    return True
