"""Which inputs a section notebook read: the ledgers it touched and the narrative it rendered.

The build's cache keys each section on exactly these inputs, so changing one ledger re-runs only
the sections that read it. Recording is on only inside build kernels (REPORTKIT_TRACE is set).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

ALL = "*"


def _new() -> dict[str, Any]:
    return {"ledgers": set(), "narrative": {}, "params": set(), "files": set()}


_state: dict[str, Any] = _new()
# A build recording what its own checks read (recording()): per thread, so that the builds of a
# batch running side by side keep theirs apart.
_recording: ContextVar[dict[str, Any] | None] = ContextVar("reportkit_trace", default=None)


def enabled() -> bool:
    return _recording.get() is not None or bool(os.environ.get("REPORTKIT_TRACE"))


def _current() -> dict[str, Any]:
    recording = _recording.get()
    return _state if recording is None else recording


@contextmanager
def recording() -> Iterator[dict[str, Any]]:
    """Record, in this thread, what is read inside the block (as a traced section does), into
    the dict yielded, rather than into a section's trace file."""
    state = _new()
    token = _recording.set(state)
    try:
        yield state
    finally:
        _recording.reset(token)


def replay(state: dict[str, Any]) -> None:
    """Record what `state` (from recording()) says was read, as if read here."""
    for path in sorted(state["params"]):
        params_loaded(Path(path))
    for path in sorted(state["files"]):
        file_read(Path(path))
    for key in sorted(state["ledgers"]):
        data_dir, stem = key.split("::", 1)
        ledger_read(Path(data_dir), stem)
    for path, slugs in sorted(state["narrative"].items()):
        for slug in sorted(slugs):
            narrative_rendered(Path(path), slug)


def _flush() -> None:
    path = os.environ.get("REPORTKIT_TRACE")
    if not path or _recording.get() is not None:
        return
    data = {
        "ledgers": sorted(_state["ledgers"]),
        "narrative": {k: sorted(v) for k, v in sorted(_state["narrative"].items())},
        "params": sorted(_state["params"]),
        "files": sorted(_state["files"]),
    }
    Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def params_loaded(params_file: Path) -> None:
    key, state = str(params_file), _current()
    if key not in state["params"]:
        state["params"].add(key)
        _flush()


def file_read(path: Path) -> None:
    """Any other input file (last year's tables.json), whether or not it exists now."""
    key, state = str(path), _current()
    if key not in state["files"]:
        state["files"].add(key)
        _flush()


def ledger_read(data_dir: Path, stem: str) -> None:
    key, state = f"{data_dir}::{stem}", _current()
    if key not in state["ledgers"]:
        state["ledgers"].add(key)
        _flush()


def narrative_rendered(params_file: Path, slug: str) -> None:
    slugs = _current()["narrative"].setdefault(str(params_file), set())
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
