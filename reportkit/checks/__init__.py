"""The reviewers' rules: tables.json, ledgers and narrative in, findings out (the 勾稽关系 and more).

Imports contract, ingest and compute. `reportkit.checks.<name>` still reaches every name the
former checks module had (it lives in reportkit.checks.run now)."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    run = importlib.import_module("reportkit.checks.run")
    try:
        return getattr(run, name)
    except AttributeError:
        raise AttributeError(f"module 'reportkit.checks' has no attribute {name!r}") from None
