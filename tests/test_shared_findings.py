"""The build's findings handed to 01's check cell (pipeline/checking.py share_findings): the cell
shows the same findings and records the same inputs as when it checks for itself, so the cache
still re-runs it when last year's tables or any ledger change; a stale hand-over is not used."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

from helpers import copy_project

from reportkit.contract import trace
from reportkit.contract.findings import Finding
from reportkit.pipeline import checking

CELL = """
import json, sys
from reportkit.compute.report import open_report
from reportkit.pipeline.checking import findings_of
found = findings_of(open_report(params=sys.argv[1]))
print(json.dumps([f.message for f in found] + found.notes, ensure_ascii=False))
"""


def cell(root: Path, params: Path, trace_file: Path, shared: Path | None) -> list[str]:
    """01's check cell in a traced process of its own, as a section runs it."""
    env = {**os.environ, "REPORTKIT_ROOT": str(root), "REPORTKIT_TRACE": str(trace_file)}
    env.pop(checking.SHARED, None)
    if shared is not None:
        env[checking.SHARED] = str(shared)
    run = subprocess.run(
        [sys.executable, "-c", CELL, str(params)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


class Pool:  # what share_findings needs of an executor's pool
    def __init__(self, folder: Path):
        self.trace_dir, self.env = folder, {}


def share(root: Path, params: Path, folder: Path, monkeypatch) -> Path:
    """What the build does: open and check the report while recording, then hand it over."""
    monkeypatch.setenv("REPORTKIT_ROOT", str(root))
    monkeypatch.delenv("REPORTKIT_TRACE", raising=False)
    from reportkit.compute.report import open_report

    with trace.recording() as reads:
        report = open_report(params=params)
        _ = report.texts, report.tables_json
        today = dt.date.today()
        found = checking.check_year(report, today, root)
    pool = Pool(folder)
    checking.share_findings(pool, report, found, reads, today)
    return Path(pool.env[checking.SHARED])


def test_the_check_cell_takes_the_builds_findings_with_their_inputs(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "project")
    params = root / "params" / "2021.yaml"  # the seed: last year's params are there (R12 text)
    shared = share(root, params, tmp_path, monkeypatch)

    alone = cell(root, params, tmp_path / "alone.json", None)
    handed = cell(root, params, tmp_path / "handed.json", shared)
    assert handed == alone
    read_alone = json.loads((tmp_path / "alone.json").read_text(encoding="utf-8"))
    read_handed = json.loads((tmp_path / "handed.json").read_text(encoding="utf-8"))
    assert read_handed == read_alone
    # What the checks read, by hand: last year's params and every ledger of the data folder,
    # every section's narrative of this year, and where last year's tables were looked for.
    assert str(root / "params" / "2020.yaml") in read_alone["params"]
    assert f"{root / 'data' / 'daye'}::*" in read_alone["ledgers"]
    assert len(read_alone["narrative"][str(params)]) == 7  # the preface and six sections
    assert str(root / "outputs" / "2020" / "tables.json") in read_alone["files"]

    # The cell really took the hand-over: a finding planted in it is shown.
    data = pickle.loads(shared.read_bytes())
    data["findings"].append(Finding("R8", "warning", {}, None, None, "植入的发现"))
    shared.write_bytes(pickle.dumps(data))
    assert "植入的发现" in cell(root, params, tmp_path / "planted.json", shared)


def test_a_stale_hand_over_is_not_used(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "project")
    params = root / "params" / "2021.yaml"
    shared = share(root, params, tmp_path, monkeypatch)
    data = pickle.loads(shared.read_bytes())
    data["findings"].append(Finding("R8", "warning", {}, None, None, "植入的发现"))
    shared.write_bytes(pickle.dumps(data))

    params.write_text(params.read_text(encoding="utf-8") + "\n# 改过\n", encoding="utf-8")
    assert "植入的发现" not in cell(root, params, tmp_path / "t.json", shared)
    data["today"] = "2000-01-01"  # found on another day
    data["digest"] = hashlib.sha256(params.read_bytes()).hexdigest()
    shared.write_bytes(pickle.dumps(data))
    assert "植入的发现" not in cell(root, params, tmp_path / "t.json", shared)
    data["today"] = dt.date.today().isoformat()  # everything the same again: used
    shared.write_bytes(pickle.dumps(data))
    assert "植入的发现" in cell(root, params, tmp_path / "t.json", shared)
