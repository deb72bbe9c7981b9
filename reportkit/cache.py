"""The build cache: a section re-runs only when something it read last time has changed.

A section's key covers its notebook's bytes, its papermill parameters, the reportkit code, the
params it used (the common keys plus the narrative sections it rendered) and the bytes of every
ledger it read, as recorded by reportkit.trace in its kernel. The cache lives in the output
folder, next to the executed notebooks it refers to.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import paths
from .trace import ALL

CACHE_FILE = ".reportkit-cache.json"
STEMS = [
    "requests", "appeals", "documents", "licensing", "penalties", "enforcement",
    "fees", "procurement", "outreach", "media", "proposals",
]


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
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".yaml") and "__pycache__" not in path.parts:
            h.update(path.relative_to(paths.PACKAGE_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def ledger_files(data_dir: Path, stem: str) -> list[Path]:
    """The entries that could hold ledger `stem` (its .csv and .xlsx, any letter case), files or
    not: a folder or a broken link under a ledger's name is an error of the build, not an absence."""
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if p.stem == stem and p.suffix.lower() in (".csv", ".xlsx"))


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


def params_digest(params_file: Path, main: Path, slugs: list[str]) -> str:
    """The build's own params: every key but the narrative, plus the sections rendered. Another
    params file (last year's, for the copy check): all of it."""
    if params_file.resolve() != main.resolve():
        return digest_file(params_file)
    try:
        raw = yaml.safe_load(params_file.read_text(encoding="utf-8-sig")) or {}
    except (OSError, yaml.YAMLError):
        return digest_file(params_file)
    narrative = raw.pop("narrative", None) or {}
    if ALL in slugs:
        raw["narrative"] = narrative
    else:
        # Section keys may be written several ways; keep any whose name mentions a rendered slug.
        from .params import _SECTION_KEYS

        raw["narrative"] = {k: v for k, v in narrative.items() if _SECTION_KEYS.get(str(k).strip()) in slugs}
    return digest_bytes(_canonical(raw).encode())


def section_key(notebook: Path, parameters: dict[str, Any], params_file: Path, recorded: dict[str, Any]) -> str:
    """The key of one section, given what it read when it last ran."""
    all_slugs = ["preface", "overview", "proactive", "requests", "appeals", "problems", "other"]
    inputs: dict[str, Any] = {
        "notebook": digest_file(notebook),
        "parameters": parameters,
        "code": code_version(),
        "params": {},
        "ledgers": {},
    }
    for p in recorded.get("params", []):
        slugs = recorded.get("narrative", {}).get(p, [])
        slugs = [ALL] if set(all_slugs) <= set(slugs) else slugs
        inputs["params"][p] = params_digest(Path(p), params_file, slugs)
    inputs["files"] = {f: digest_file(Path(f)) for f in recorded.get("files", [])}
    for item in recorded.get("ledgers", []):
        data_dir, stem = item.rsplit("::", 1)
        inputs["ledgers"][item] = ledger_digest(Path(data_dir), stem)
    return digest_bytes(_canonical(inputs).encode())


def load(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save(folder: Path, data: dict[str, Any]) -> None:
    (folder / CACHE_FILE).write_text(_canonical(data), encoding="utf-8")
