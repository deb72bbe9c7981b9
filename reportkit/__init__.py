"""reportkit: the 政府信息公开工作年度报告, computed from ledgers, checked and reproducible.

A small public surface; heavy modules (pandas, matplotlib, papermill) load only when used, so
the command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "open_report": ("reportkit.report", "open_report"),
    "Report": ("reportkit.report", "Report"),
    "load_params": ("reportkit.params", "load_params"),
    "load_ledgers": ("reportkit.ledgers", "load_ledgers"),
    "build": ("reportkit.builder", "build"),
    "check": ("reportkit.checks", "run"),
    "ReportkitError": ("reportkit.errors", "ReportkitError"),
    "LedgerError": ("reportkit.errors", "LedgerError"),
}
_SUBMODULES = {
    "builder", "charts", "checks", "errors", "figures", "htmltables", "ledgers", "narrative",
    "params", "paths", "phrasing", "render", "report", "show", "tables", "vocab",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    if name in _SUBMODULES:
        return importlib.import_module(f"reportkit.{name}")
    raise AttributeError(f"module 'reportkit' has no attribute {name!r}")


__all__ = sorted(_LAZY)
