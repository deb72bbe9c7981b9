"""check() is pure: given the report, last year and the day, it reads no file and no clock."""

from __future__ import annotations

import builtins
import datetime as dt
import io
import os
import shutil

from test_checks import LEDGERS, LICENSING, PROBLEMS, narrative

from reportkit.checks.run import Previous, check
from reportkit.compute.report import open_report
from reportkit.pipeline.previous import find_previous

JANUARY, MARCH = dt.date(2022, 1, 20), dt.date(2022, 3, 1)


def no_files(*args, **kwargs):
    raise AssertionError(f"check() opened a file: {args[:1]}")


def test_same_inputs_same_findings_without_any_file(write_agency, tmp_path, monkeypatch):
    # Last year's 五 differs only in the year it names (R12); a licence dated 2022-03-01 is
    # later than a build in January (L-date-future); last year's tables say 2019 (X-previous).
    write_agency(LEDGERS, year=2020, extra=narrative(五=PROBLEMS.replace("上年", "2019年")))
    params = write_agency(
        {**LEDGERS, "licensing.csv": LICENSING + "X3,2022-03-01\n"},
        extra=narrative(五=PROBLEMS.replace("上年", "2020年")),
    )
    report = open_report(params=params)
    last = open_report(params=tmp_path / "2020.yaml")
    previous = Previous({"agency": "测试局", "year": 2019}, last.params.narrative, last.texts)
    _ = report.tables_json, report.texts, report.ledgers  # loaded now, before the files go

    shutil.rmtree(tmp_path)
    for name, module in (("open", builtins), ("open", io), ("open", os)):
        monkeypatch.setattr(module, name, no_files)
    first = check(report, previous, today=JANUARY)
    again = check(report, previous, today=JANUARY)
    in_march = check(report, previous, today=MARCH)
    monkeypatch.undo()

    assert first == again
    assert [(f.rule, f.where) for f in first] == [
        ("X-previous", {"table": "tables.json"}),
        ("L-date-future", {"file": "licensing.csv", "row": 4, "column": "决定日期"}),
        ("R12", {"section": "五、存在的主要问题及改进情况"}),
    ]
    # On the day of the licence, it is no longer in the future: only that finding goes.
    assert in_march == [f for f in first if f.rule != "L-date-future"]


def test_without_last_year_the_cross_year_rules_do_not_run(write_agency):
    params = write_agency(LEDGERS, extra=narrative(五=PROBLEMS))
    assert check(open_report(params=params), None, today=JANUARY) == []


def test_last_year_is_found_by_the_pipeline(write_agency, tmp_path, monkeypatch):
    # What the build and `reportkit check` give check(): last year's text from 2020.yaml beside
    # the params, and why the cross-year rules on the tables did not run.
    monkeypatch.setenv("REPORTKIT_ROOT", str(tmp_path))
    write_agency(LEDGERS, year=2020, extra=narrative(五="2020年的问题与改进。" + PROBLEMS))
    params = write_agency(LEDGERS, extra=narrative(五=PROBLEMS))
    previous, why_not = find_previous(open_report(params=params))
    assert previous.tables is None
    assert previous.narrative == {"problems": "2020年的问题与改进。" + PROBLEMS}  # 五, by its slug
    assert previous.texts["problems"].startswith("2020年的问题与改进。")
    assert why_not.startswith("跨年检查（R10、R11、R12）未做：未找到上年的 tables.json")
