"""reportkit: the 政府信息公开工作年度报告, computed from ledgers, checked and reproducible.

The package is laid out as the pipeline runs, each stage importing only the ones before it:
contract → ingest → compute → checks → present → pipeline (and cli.py on top).

A small public surface; heavy modules (pandas, matplotlib, papermill) load only when used, so
the command line starts fast. The modules' names from before the stage folders
(`reportkit.ledgers`, `rk.show`, …) still work: they are the same module objects as the new ones.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import logging
import sys
from types import ModuleType
from typing import Any

__version__ = "0.1.0"

# Progress and errors go to the "reportkit" logger; a library caller sees them only when it
# configures logging (the command line prints them). No "No handlers" fallback to stderr.
logging.getLogger("reportkit").addHandler(logging.NullHandler())

_LAZY = {
    "open_report": ("reportkit.compute.report", "open_report"),
    "Report": ("reportkit.compute.report", "Report"),
    "load_params": ("reportkit.ingest.params", "load_params"),
    "load_ledgers": ("reportkit.ingest.ledgers", "load_ledgers"),
    "build": ("reportkit.pipeline.builder", "build"),
    "check": ("reportkit.pipeline.checking", "run"),
    "findings_of": ("reportkit.pipeline.checking", "findings_of"),
    "ReportkitError": ("reportkit.contract.errors", "ReportkitError"),
    "LedgerError": ("reportkit.contract.errors", "LedgerError"),
}

# Where each module lived before the stage folders → where it lives now.
MOVED = {
    "vocab": "contract.vocab",
    "schema": "contract.schema",
    "errors": "contract.errors",
    "findings": "contract.findings",
    "paths": "contract.paths",
    "years": "contract.years",
    "phrasing": "contract.phrasing",
    "trace": "contract.trace",
    "params": "ingest.params",
    "cells": "ingest.cells",
    "sheets": "ingest.sheets",
    "personal": "ingest.personal",
    "ledgers": "ingest.ledgers",
    "privacy": "ingest.privacy",
    "snapshot": "ingest.snapshot",
    "agencies": "ingest.agencies",
    "tablesjson": "ingest.tablesjson",
    "tables": "compute.tables",
    "figures": "compute.figures",
    "narrative": "compute.narrative",
    "aggregate": "compute.aggregate",
    "report": "compute.report",
    "ledger_rules": "checks.ledger_rules",
    "narrative_rules": "checks.narrative_rules",
    "review": "checks.review",
    "review_output": "checks.review_output",
    "content": "present.content",
    "charts": "present.charts",
    "fonts": "present.fonts",
    "htmltables": "present.htmltables",
    "show": "present.show",
    "render": "present.render",
    "builder": "pipeline.builder",
    "batch": "pipeline.batch",
    "dask_tasks": "pipeline.dask_tasks",
    "kernels": "pipeline.kernels",
    "zygote": "pipeline.zygote",
    "cache": "pipeline.cache",
    "outfolder": "pipeline.outfolder",
    "onboard": "pipeline.onboard",
    "blanks": "pipeline.blanks",
    "overview": "pipeline.overview",
}
_STAGES = {"contract", "ingest", "compute", "checks", "present", "pipeline", "cli"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    if name in MOVED or name in _STAGES:
        return importlib.import_module(f"reportkit.{MOVED.get(name, name)}")
    raise AttributeError(f"module 'reportkit' has no attribute {name!r}")


class _OldName(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`import reportkit.ledgers` (the name before the stage folders) gives reportkit.ingest.ledgers itself."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        prefix, _, leaf = fullname.partition(".")
        if prefix != "reportkit" or leaf not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: Any) -> ModuleType:
        return importlib.import_module(f"reportkit.{MOVED[spec.name.partition('.')[2]]}")

    def exec_module(self, module: ModuleType) -> None:
        return None


if not any(isinstance(f, _OldName) for f in sys.meta_path):
    sys.meta_path.append(_OldName())

__all__ = sorted(_LAZY)
