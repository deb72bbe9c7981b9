"""Which inputs a section notebook read: the ledgers it touched and the narrative it rendered.

The build's cache keys each section on exactly these inputs, so changing one ledger re-runs only
the sections that read it. Recording is on only inside build kernels (REPORTKIT_TRACE is set).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ALL = "*"
_state: dict[str, Any] = {"ledgers": set(), "narrative": {}, "params": set(), "files": set()}


def enabled() -> bool:
    return bool(os.environ.get("REPORTKIT_TRACE"))


def _flush() -> None:
    path = os.environ.get("REPORTKIT_TRACE")
    if not path:
        return
    data = {
        "ledgers": sorted(_state["ledgers"]),
        "narrative": {k: sorted(v) for k, v in sorted(_state["narrative"].items())},
        "params": sorted(_state["params"]),
        "files": sorted(_state["files"]),
    }
    Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def params_loaded(params_file: Path) -> None:
    key = str(params_file)
    if key not in _state["params"]:
        _state["params"].add(key)
        _flush()


def file_read(path: Path) -> None:
    """Any other input file (last year's tables.json), whether or not it exists now."""
    key = str(path)
    if key not in _state["files"]:
        _state["files"].add(key)
        _flush()


def ledger_read(data_dir: Path, stem: str) -> None:
    key = f"{data_dir}::{stem}"
    if key not in _state["ledgers"]:
        _state["ledgers"].add(key)
        _flush()


def narrative_rendered(params_file: Path, slug: str) -> None:
    slugs = _state["narrative"].setdefault(str(params_file), set())
    if slug not in slugs:
        slugs.add(slug)
        _flush()


class TracedLedgers:
    """A Ledgers that records what is read from it; everything else is delegated."""

    def __init__(self, ledgers: Any):
        self._ledgers = ledgers

    def __getitem__(self, stem: str):
        ledger_read(self._ledgers.data_dir, stem)
        return self._ledgers[stem]

    def __getattr__(self, name: str) -> Any:
        # frames, notes, files, years(), personal_values: anything beyond one ledger reads them all.
        if name != "data_dir":
            ledger_read(self._ledgers.data_dir, ALL)
        return getattr(self._ledgers, name)
