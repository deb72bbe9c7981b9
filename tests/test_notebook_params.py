"""The section notebooks' parameters: typed, resolved from the project root, short clear errors."""

from __future__ import annotations

import json

import papermill as pm
import pytest
from helpers import ROOT

from reportkit.compute.report import open_report
from reportkit.contract import errors
from reportkit.contract.errors import NotebookParameterError, ParamsError

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXISTING = "已有的年度：params/：2020、2021；params/demo/：2021、2022、2023"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_are_typed_and_year_defaults_to_none(notebook):
    found = pm.inspect_notebook(str(notebook))
    assert {name: (p["inferred_type_name"], p["default"]) for name, p in found.items()} == {
        "year": ("int", "None"),
        "params": ("str", '""'),
    }


def test_params_alone_gives_the_year(monkeypatch):
    # papermill NB OUT -p params params/demo/2022.yaml: the file's year, not a default year
    report = open_report(params="params/demo/2022.yaml")
    assert (report.agency, report.year) == ("示例县应急管理局", 2022)


def test_params_relative_to_the_project_root_not_the_notebook_folder(monkeypatch):
    monkeypatch.chdir(ROOT / "notebooks")  # where JupyterLab runs a notebook's kernel
    assert open_report(params="params/demo/2023.yaml").year == 2023


def test_year_alone_and_as_text():
    assert open_report(year=2020).params.source == ROOT / "params" / "2020.yaml"
    assert open_report(year="2020").year == 2020


def test_neither_gives_the_latest_year():
    assert open_report().year == 2021


def test_year_and_params_that_disagree():
    with pytest.raises(ParamsError, match="为 2022，与所要求的 2021 年不符"):
        open_report(year=2021, params="params/demo/2022.yaml")


@pytest.mark.parametrize(
    "year, head",
    [
        ("abc", "参数 year 为「abc」，应为报告年度（四位数字），如 2021。"),
        (2019, "找不到2019年的参数文件 params/2019.yaml。"),
        (1999, "参数 year 为「1999」：报告年度应在 2008 年（《政府信息公开条例》施行）至 "),
        (21, "参数 year 为「21」：报告年度应在 2008 年（《政府信息公开条例》施行）至 "),
    ],
)
def test_a_year_without_params_says_what_exists_and_what_to_do(year, head):
    with pytest.raises(NotebookParameterError) as caught:
        open_report(year=year)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(head)
    assert lines[1] == EXISTING
    assert "reportkit new-year" in lines[2] and len(lines) == 3


def test_errors_show_without_a_traceback_in_ipython():
    e = errors.ParamsError("params/x.yaml", "year", "缺少必填项")
    assert e._render_traceback_() == [
        "\x1b[0;31mParamsError\x1b[0m: 参数文件 params/x.yaml 的「year」：缺少必填项"
    ]


def _error_output(nb: dict) -> dict:
    return next(
        o
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if o["output_type"] == "error"
    )


def test_papermill_with_a_bad_year_fails_with_a_short_message(tmp_path):
    out = tmp_path / "out.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as caught:
        pm.execute_notebook(
            str(ROOT / "notebooks" / "05_problems.ipynb"),
            str(out),
            parameters={"year": 2019},
            cwd=str(ROOT),
            progress_bar=False,
            kernel_name="python3",
        )
    assert caught.value.ename == "NotebookParameterError"
    error = _error_output(json.loads(out.read_text(encoding="utf-8")))
    assert len(error["traceback"]) == 1  # not the 20 frames of reportkit's and IPython's stack
    assert "找不到2019年的参数文件" in error["traceback"][0] and EXISTING in error["traceback"][0]


def test_papermill_from_the_notebook_folder_with_params_alone(tmp_path):
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "05_problems.ipynb"),
        str(out),
        parameters={"params": "params/demo/2023.yaml"},
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        kernel_name="python3",
    )
    text = out.read_text(encoding="utf-8")
    assert "基层站所对公开标准的把握仍不统一" in text  # the demo agency's 2023 text
    assert '"output_type": "error"' not in text


# ------------------------------------------------------------------------------------------------
# The analysts' cells
# ------------------------------------------------------------------------------------------------
def test_analyst_rows_are_tidy():
    import pandas as pd

    from reportkit.present import show

    frame = pd.DataFrame(
        {
            "_row": [2, 3, 4],
            "文号": ["甲〔2021〕1号", "甲〔2022〕1号", "甲〔2022〕2号"],
            "类型": ["行政规范性文件", "规章", None],
            "印发日期": pd.to_datetime(["2021-03-01", "2022-05-06", "2022-07-08"]),
            "废止日期": pd.to_datetime(["2022-01-10", None, None]),
            "场次": [1.0, float("nan"), 3.0],
        }
    )
    styled = show.rows(frame, 2021)
    assert styled.data.to_dict("records") == [
        {
            "行号": "2",
            "文号": "甲〔2021〕1号",
            "类型": "行政规范性文件",
            "印发日期": "2021-03-01",
            "废止日期": "2022-01-10",
            "场次": "1.0",
        },
    ]
    shown = show.rows(frame, 2022).data
    assert list(shown["行号"]) == ["2", "3", "4"]  # row 2 was abolished in 2022
    assert list(shown["废止日期"]) == ["2022-01-10", "", ""] and list(shown["类型"]) == [
        "行政规范性文件",
        "规章",
        "",
    ]
    html = show.rows(frame).to_html()
    assert "text-align: left" in html
    assert "None" not in html and "NaT" not in html and "nan" not in html
    assert html.count("<th ") == 6  # the six headers: no second row number


def _shown_html(monkeypatch) -> list[str]:
    from reportkit.present import show

    shown: list[str] = []
    monkeypatch.setattr(show, "_html", shown.append)
    return shown


def test_analyst_check_cell_passes(monkeypatch):
    from reportkit.pipeline.checking import findings_of
    from reportkit.present import show

    shown = _shown_html(monkeypatch)
    show.findings(findings_of(open_report(params="params/demo/2022.yaml")))
    assert shown[0].startswith("<p>检查通过：未发现问题</p>")


def test_the_check_cell_as_older_notebooks_wrote_it_still_shows_findings(monkeypatch):
    """`rk.show.findings(report)` (before rk.findings_of): the same page, less the cross-year
    rules, with a note saying how to have them."""
    from reportkit.present import show

    shown = _shown_html(monkeypatch)
    show.findings(open_report(params="params/demo/2022.yaml"))
    assert shown[0] == (
        "<p>检查通过：未发现问题</p><p>说明：跨年检查（R10、R11、R12）未做：请把本单元格改为 "
        "rk.show.findings(rk.findings_of(report))，它会查找上年的报告</p>"
    )


def test_analyst_check_cell_shows_each_finding_whole(monkeypatch, write_agency):
    from reportkit.present import show

    params = write_agency(
        {
            "requests.csv": "申请编号,收到日期,申请人类型,办理结果,办结日期\nR1,2021-03-01,自然人,,2021-03-05\n"
        }
    )
    from reportkit.pipeline.checking import findings_of

    shown = _shown_html(monkeypatch)
    show.findings(findings_of(open_report(params=params)))
    page = shown[0]
    # L-done-no-result; R1 in 自然人 and 总计 (the row is neither an outcome nor carried over);
    # T-problems (no 五 written)
    assert page.startswith("<p>共 3 个错误、1 个警告</p>")
    # L-done-no-result's message is 38 characters; T-problems' is over 50: neither is cut
    assert "已填办结日期却没有办理结果，请填写办理结果；未办结的请清空办结日期" in page
    assert "（空白、「无」或寥寥数字会被评为缺项）" in page and "..." not in page
    assert "说明：跨年检查（R10、R11、R12）未做" in page
