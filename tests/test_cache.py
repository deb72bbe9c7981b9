"""The build cache re-runs exactly the sections whose inputs changed; concurrent years match
sequential builds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT, copy_project, copy_seed_agency, read_json

from reportkit.pipeline import builder, cache, checking, previous
from reportkit.pipeline.outfolder import mark

ALL = {"overview", "proactive", "requests", "appeals", "problems", "other"}


@pytest.fixture(scope="module")
def agency(tmp_path_factory):
    """A copy of the seed agency's ledgers and 2021 params that the tests may change."""
    base = tmp_path_factory.mktemp("agency")
    copy_seed_agency(base)
    return base


def build(agency: Path, out: Path) -> set[str]:
    result = builder.build(params=agency / "2021.yaml", out=out)
    assert result.ok
    return set(result.ran)


def test_cache_reruns_exactly_what_changed(agency, monkeypatch):
    out = agency / "out"
    assert build(agency, out) == ALL  # cold

    assert build(agency, out) == set()  # nothing changed: nothing runs

    # A media report is read by 一 only (its narrative counts them).
    with open(agency / "data" / "media.csv", "a", encoding="utf-8") as f:
        f.write("2021-07-01,示例媒体,新增报道,县级\n")
    assert build(agency, out) == {"overview"}

    # A licensing decision: 二 shows it; 一 checks every ledger.
    with open(agency / "data" / "licensing.csv", "a", encoding="utf-8") as f:
        f.write("XK-TEST-1,2021-08-01,测试事项\n")
    assert build(agency, out) == {"proactive", "overview"}
    tables = read_json(out, "tables.json")
    assert tables["section2"]["行政许可"]["本年处理决定数量"] == 106

    # One section's narrative: that section, and 一 whose checks read every section's text.
    params = agency / "2021.yaml"
    text = params.read_text(encoding="utf-8")
    params.write_text(
        text.replace(
            "委员对办理落实情况表示满意。", "委员对办理落实情况表示满意，并提出新的建议。"
        ),
        encoding="utf-8",
    )
    assert build(agency, out) == {"other", "overview"}
    assert "并提出新的建议" in (out / "report.html").read_text(encoding="utf-8")

    # A new reportkit version re-runs everything.
    monkeypatch.setattr(cache, "code_version", lambda: "another-version")
    assert build(agency, out) == ALL


def test_an_unchanged_build_does_not_import_pandas(agency):
    """The unchanged path only hashes files and compares digests: importing pandas alone costs
    more than all of it (it crept in once through the snapshot's look-up of the ledger names)."""
    out = agency / "out-unchanged"
    build(agency, out)
    code = (
        "import sys\n"
        "from reportkit.pipeline import builder\n"
        f"r = builder.build(params={str(agency / '2021.yaml')!r}, out={str(out)!r})\n"
        "print(sorted(r.ran), 'pandas' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.splitlines()[-1] == "[] False False"


def test_no_cache_runs_everything(agency):
    out = agency / "out-nocache"
    build(agency, out)
    result = builder.build(params=agency / "2021.yaml", out=out, use_cache=False)
    assert set(result.ran) == ALL


def _outputs(folder: Path) -> dict[str, object]:
    """What a reader gets from an output folder: files, tables, findings, report, cell outputs."""
    got: dict[str, object] = {
        "files": sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    }
    for name in ("tables.json", "checks.json", "report.html"):
        got[name] = (folder / name).read_text(encoding="utf-8")
    for nb_path in sorted((folder / "notebooks").iterdir()):
        nb = nbformat.read(nb_path, as_version=4)
        got[nb_path.name] = [c.get("outputs") for c in nb.cells if c.cell_type == "code"]
    return got


def test_concurrent_years_match_sequential(tmp_path, monkeypatch):
    # In turn: 2020, then 2021, each into its default folder of a project copy (so 2021 is
    # checked against 2020's tables, as a concurrent batch does).
    seqproj = tmp_path / "seqproj"
    copy_project(seqproj)
    monkeypatch.setenv("REPORTKIT_ROOT", str(seqproj))
    for y in (2020, 2021):
        assert builder.build(y).ok
    seq = {y: seqproj / "outputs" / str(y) for y in (2020, 2021)}
    # Concurrent: both years at once into their default folders of another project copy.
    proj = tmp_path / "proj"
    copy_project(proj)
    monkeypatch.setenv("REPORTKIT_ROOT", str(proj))
    results = builder.build_many([2020, 2021])
    assert [r.ok for r in results] == [True, True]
    for y in (2020, 2021):
        a, b = _outputs(seq[y]), _outputs(proj / "outputs" / str(y))
        assert a["files"] == b["files"]
        for key in a:
            if key.endswith(".ipynb"):
                # Paths in the parameters differ between the two projects; outputs are the same.
                assert json.dumps(a[key]).replace(str(seqproj), "") == json.dumps(b[key]).replace(
                    str(proj), ""
                )
            elif key != "files":
                assert a[key] == b[key], key


def test_a_year_is_checked_against_the_year_built_alongside(tmp_path, monkeypatch):
    # outputs/2020 holds a stale report whose 结转下年度 (99 in every column) disagrees with the
    # ledgers. Built one after the other, 2020 is replaced first and 2021's 上年结转 then agrees
    # with it (rule R10); built together, 2021 must wait for 2020 rather than read the stale one.
    from reportkit.compute.report import open_report

    proj = tmp_path / "proj"
    copy_project(proj)
    stale = open_report(params=ROOT / "params" / "2020.yaml").tables_json
    stale["section3"]["结转下年度继续办理"] = {
        k: 99 for k in stale["section3"]["结转下年度继续办理"]
    }
    (proj / "outputs" / "2020").mkdir(parents=True)
    (proj / "outputs" / "2020" / "tables.json").write_text(
        json.dumps(stale, ensure_ascii=False), encoding="utf-8"
    )
    mark(proj / "outputs" / "2020", 2020)  # a stale build: a build replaces only its own folders
    monkeypatch.setenv("REPORTKIT_ROOT", str(proj))
    results = builder.build_many([2021, 2020])  # in any order
    assert [(r.year, r.ok, r.error) for r in results] == [(2021, True, None), (2020, True, None)]
    found = read_json(proj / "outputs" / "2021", "checks.json")
    assert [f for f in found["findings"] if f["rule"] == "R10"] == []


def test_previous_year_of_another_agency_is_ignored(tmp_path, monkeypatch):
    # outputs/2021 holds the seed agency's report; the demo agency's 2022 must not be compared with it.
    proj = tmp_path / "proj"
    (proj / "outputs" / "2021").mkdir(parents=True)
    seed_2021 = {
        "agency": "大冶市应急管理局",
        "year": 2021,
        "section3": {"结转下年度继续办理": {"总计": 99}},
    }
    (proj / "outputs" / "2021" / "tables.json").write_text(
        json.dumps(seed_2021, ensure_ascii=False), encoding="utf-8"
    )
    from reportkit.compute.report import open_report

    assert (
        previous.previous_for(open_report(params=ROOT / "params" / "demo" / "2022.yaml"), proj)
        is None
    )
    assert (
        previous.previous_for(open_report(params=agency_2022(tmp_path)), proj)["section3"]
        == seed_2021["section3"]
    )
    monkeypatch.setattr(
        "reportkit.contract.paths.default_out_dir", lambda y, root=None: proj / "outputs" / str(y)
    )
    findings = checking.run(params=ROOT / "params" / "demo" / "2022.yaml")
    assert [f.rule for f in findings if f.rule == "R10"] == []


def agency_2022(tmp_path: Path) -> Path:
    """Params for 大冶市应急管理局 2022 over the sample ledgers."""
    p = tmp_path / "2022.yaml"
    p.write_text(
        f"agency: 大冶市应急管理局\nyear: 2022\ndata_dir: {ROOT / 'data' / 'daye'}\n",
        encoding="utf-8",
    )
    return p


def test_last_years_tables_rerun_the_overview_only(tmp_path, monkeypatch):
    # The overview's analysts' cell checks against last year's tables.json: a new one re-runs it.
    proj = tmp_path / "proj"
    copy_project(proj)
    monkeypatch.setenv("REPORTKIT_ROOT", str(proj))
    assert set(builder.build(2021).ran) == ALL
    last = {
        "agency": "大冶市应急管理局",
        "year": 2020,
        "section3": {},
        "section2": {},
        "section4": {},
    }
    (proj / "outputs" / "2020").mkdir(parents=True)
    (proj / "outputs" / "2020" / "tables.json").write_text(
        json.dumps(last, ensure_ascii=False), encoding="utf-8"
    )
    assert set(builder.build(2021).ran) == {"overview"}


def test_years_on_the_command_line():
    from reportkit.cli import _years

    assert _years(["2019-2021"]) == [2019, 2020, 2021]
    assert _years(["2021", "2020,2019"]) == [2021, 2020, 2019]
    assert _years(["2020-2021", "2021"]) == [2020, 2021]  # a year given twice is built once
