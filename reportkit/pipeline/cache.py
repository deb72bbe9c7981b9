"""The build cache: a section re-runs only when something it read last time has changed.

A section's key covers its notebook's bytes, its papermill parameters, the reportkit code, the
params it used (the common keys plus the narrative sections it rendered) and the bytes of every
ledger it read, as recorded by reportkit.contract.trace in its kernel: the bytes of the build's snapshot
(reportkit/snapshot.py), digested before anything runs. The cache lives in the output folder,
next to the executed notebooks it refers to, and records their digests (and those of report.html,
tables.json and checks.json): a file changed since is never reused. A cache file of the wrong
shape counts as none.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from reportkit.contract import paths, vocab
from reportkit.contract.schema import LEDGER_STEMS
from reportkit.contract.trace import ALL

if TYPE_CHECKING:
    from reportkit.ingest.snapshot import Snapshot

CACHE_FILE = ".reportkit-cache.json"
STEMS = LEDGER_STEMS


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_file(path: Path | None) -> str:
    if path is None or not path.is_file():
        return "absent"
    return digest_bytes(path.read_bytes())


def _canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)


@lru_cache(maxsize=1)
def code_version() -> str:
    """The reportkit code and templates that produced an output: any change re-runs everything."""
    h = hashlib.sha256()
    for path in sorted(paths.PACKAGE_DIR.rglob("*")):
        if (
            path.is_file()
            and path.suffix in (".py", ".j2", ".css", ".yaml")
            and "__pycache__" not in path.parts
        ):
            h.update(path.relative_to(paths.PACKAGE_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def ledger_files(data_dir: Path, stem: str) -> list[Path]:
    """The entries that could hold ledger `stem` (its .csv and .xlsx, any letter case), files or
    not: a folder or a broken link under a ledger's name is an error of the build, not an absence."""
    if not data_dir.is_dir():
        return []
    return sorted(
        p for p in data_dir.iterdir() if p.stem == stem and p.suffix.lower() in (".csv", ".xlsx")
    )


def _entry_digest(path: Path) -> str:
    # Never opened unless a regular file: a pipe would block the build.
    try:
        return digest_file(path) if stat.S_ISREG(os.stat(path).st_mode) else "not-a-file"
    except OSError:  # a dangling or looping link, no permission: the build reports it
        return "unreadable"


def ledger_digest(data_dir: Path, stem: str) -> str:
    if stem == ALL:
        return digest_bytes(_canonical({s: ledger_digest(data_dir, s) for s in STEMS}).encode())
    files = ledger_files(data_dir, stem)
    return _canonical([[p.name, _entry_digest(p)] for p in files]) if files else "absent"


def params_digest(
    params_file: Path, main: Path, slugs: list[str], inputs: Inputs | None = None
) -> str:
    """The build's own params: every key but the narrative, plus the sections rendered. Another
    params file (last year's, for the copy check): all of it."""
    inputs = inputs or Inputs()
    if params_file.resolve() != main.resolve():
        return inputs.file_digest(params_file)
    data = inputs.read(params_file)
    try:
        raw = yaml.safe_load(data.decode("utf-8-sig")) if data is not None else None
    except (UnicodeDecodeError, yaml.YAMLError):
        raw = None
    if not isinstance(raw, dict):
        return inputs.file_digest(params_file)
    narrative = raw.pop("narrative", None) or {}
    if ALL in slugs:
        raw["narrative"] = narrative
    else:
        # Section keys may be written several ways; keep any whose name mentions a rendered slug.
        from reportkit.ingest.params import _SECTION_KEYS

        raw["narrative"] = {
            k: v for k, v in narrative.items() if _SECTION_KEYS.get(str(k).strip()) in slugs
        }
    return digest_bytes(_canonical(raw).encode())


class Inputs:
    """The digests of one build's inputs, each file read once: ledgers from the build's snapshot
    (the very bytes its sections see), other files the first time they are asked for, which the
    build arranges to be before any section runs. Without a snapshot, ledgers are read here."""

    def __init__(self, snap: Snapshot | None = None):
        self.snap = snap
        self._bytes: dict[str, bytes | None] = {}
        self._ledgers: dict[tuple[str, str], str] = {}

    def read(self, path: Path) -> bytes | None:
        key = str(path)
        if key not in self._bytes:
            try:
                self._bytes[key] = path.read_bytes() if path.is_file() else None
            except OSError:
                self._bytes[key] = None
        return self._bytes[key]

    def file_digest(self, path: Path | None) -> str:
        data = self.read(path) if path is not None else None
        return "absent" if data is None else digest_bytes(data)

    def _snap_of(self, data_dir: Path) -> Snapshot | None:
        if self.snap is not None and Path(data_dir) == self.snap.data_dir:
            return self.snap
        return None

    def ledger_digest(self, data_dir: Path, stem: str) -> str:
        key = (str(data_dir), stem)
        if key not in self._ledgers:
            snap = self._snap_of(data_dir)
            if stem == ALL:
                found = {s: self.ledger_digest(data_dir, s) for s in STEMS}
                self._ledgers[key] = digest_bytes(_canonical(found).encode())
            elif snap is not None:
                # Same form as ledger_digest's, so that a snapshot and the files agree.
                named = [[n, d] for n, d in sorted(snap.digests.items()) if Path(n).stem == stem]
                self._ledgers[key] = _canonical(named) if named else "absent"
            else:
                self._ledgers[key] = ledger_digest(Path(data_dir), stem)
        return self._ledgers[key]

    def listing(self, data_dir: Path) -> str:
        """Every name in the data folder: a new or renamed file (Requests.csv, 依申请公开台账.xlsx)
        is then seen, and loading and its checks run again."""
        snap = self._snap_of(data_dir)
        if snap is not None:
            return digest_bytes(_canonical(snap.listing).encode())
        try:
            names = sorted(p.name + ("" if p.is_file() else "/") for p in Path(data_dir).iterdir())
        except OSError:
            return "absent"
        return digest_bytes(_canonical(names).encode())


def section_key(
    notebook: Path,
    parameters: dict[str, Any],
    params_file: Path,
    recorded: dict[str, Any],
    known: Inputs | None = None,
) -> str:
    """The key of one section from what it read when it last ran (`known`: the build's digests)."""
    known = known or Inputs()
    inputs: dict[str, Any] = {
        "notebook": known.file_digest(notebook),
        "parameters": parameters,
        "code": code_version(),
        "params": {},
        "ledgers": {},
    }
    for p in recorded.get("params", []):
        slugs = recorded.get("narrative", {}).get(p, [])
        slugs = [ALL] if set(vocab.NARRATIVE_SLUGS) <= set(slugs) else slugs
        inputs["params"][p] = params_digest(Path(p), params_file, slugs, known)
    inputs["files"] = {f: known.file_digest(Path(f)) for f in recorded.get("files", [])}
    for item in recorded.get("ledgers", []):
        data_dir, stem = item.rsplit("::", 1)
        inputs["ledgers"][item] = known.ledger_digest(Path(data_dir), stem)
    return digest_bytes(_canonical(inputs).encode())


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _valid_read(read: Any) -> bool:
    """What a section read, as trace.py records it."""
    if not isinstance(read, dict):
        return False
    if not all(_strings(read.get(k, [])) for k in ("ledgers", "params", "files")):
        return False
    if not all("::" in item for item in read.get("ledgers", [])):
        return False
    narrative = read.get("narrative", {})
    return isinstance(narrative, dict) and all(_strings(v) for v in narrative.values())


def _valid_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and isinstance(entry.get("notebook"), str)
        and _valid_read(entry.get("read"))
    )


def load(out: Path) -> dict[str, Any]:
    """The cache of an output folder; anything unreadable or of the wrong shape counts as no cache
    (a section entry of the wrong shape as no entry for that section)."""
    try:
        data = json.loads((out / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    sections = data.get("sections")
    outputs = data.get("outputs")
    if not isinstance(sections, dict):
        sections = {}
    if not (isinstance(outputs, dict) and all(map(_strings_pair, outputs.items()))):
        outputs = {}
    return {
        "sections": {k: v for k, v in sections.items() if _valid_entry(v)},
        "build": data["build"] if isinstance(data.get("build"), str) else None,
        "outputs": outputs,
    }


def _strings_pair(item: tuple[Any, Any]) -> bool:
    return isinstance(item[0], str) and isinstance(item[1], str)


def changed_outputs(folder: Path, recorded: dict[str, str]) -> list[str]:
    """The output files that no longer have the bytes the cache recorded when it wrote them (an
    older cache, which recorded none: the cache file itself)."""
    if not recorded:
        return [CACHE_FILE]
    return [name for name, d in sorted(recorded.items()) if digest_file(folder / name) != d]


def save(folder: Path, data: dict[str, Any]) -> None:
    (folder / CACHE_FILE).write_text(_canonical(data), encoding="utf-8")
