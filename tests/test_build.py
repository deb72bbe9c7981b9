"""End to end: `reportkit build` of the seed year, a failing section, and each notebook alone."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT, SEED_PARAMS, copy_project, read_json, visible_text

from reportkit.cli import main
from reportkit.contract import vocab


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "2021"
    code = main(["build", "--params", str(SEED_PARAMS), "--out", str(out)])
    assert code == 0
    return out


def test_outputs_written(seed_build):
    names = sorted(p.name for p in seed_build.iterdir() if not p.name.startswith("."))
    assert names == [
        "checks.json",
        "notebooks",
        "report-fragment.html",
        "report.docx",
        "report.html",
        "tables.json",
        "tables.xlsx",
    ]
    assert sorted(p.name for p in (seed_build / "notebooks").iterdir()) == [
        "01_overview.ipynb",
        "02_proactive.ipynb",
        "03_requests.ipynb",
        "04_appeals.ipynb",
        "05_problems.ipynb",
        "06_other.ipynb",
    ]


def test_headings_in_order_and_title(seed_build):
    html = (seed_build / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert [h for h in headings if h in vocab.SECTION_HEADINGS] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert "<title>大冶市应急管理局2021年政府信息公开工作年度报告</title>" in html


@pytest.mark.parametrize(
    "phrase",
    [
        "920余场次",
        "46场",
        "1.5万人次",
        "600余块",
        "400余条",
        "13万份",
        "110余篇",
        "105件，与上年减少16件",
        "57件次，比2020年度减少2起",
        "5次",
        "329.76万元",
        "规章1件",
        "规范性文件3件",
        "0714-8769998",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    ],
)
def test_seed_phrases_visible(seed_build, phrase):
    assert phrase in visible_text((seed_build / "report.html").read_text(encoding="utf-8"))


def test_table_cells_in_html(seed_build):
    text = visible_text((seed_build / "report.html").read_text(encoding="utf-8"))
    for label in [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
        "本年收费金额（单位：万元）",
        "属于国家秘密",
        "结转下年度继续办理",
        "复议后起诉",
        "尚未审结",
    ]:
        assert label in text
    # 表二's value cells, read back from the HTML table in order.
    html = (seed_build / "report.html").read_text(encoding="utf-8")
    t2 = html[html.index("第二十条第（一）项") : html.index("第二十条第（八）项") + 400]
    cells = [c.strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", t2)]
    numbers = [c for c in cells if re.fullmatch(r"\d+(\.\d+)?", c)]
    assert numbers == ["1", "0", "1", "3", "0", "3", "105", "57", "4", "0"]


def test_no_code_no_external_reference(seed_build):
    html = (seed_build / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "rk.show" not in html and "import reportkit" not in html
    assert "In&nbsp;[" not in html and "jp-InputPrompt" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert "分析人员" not in html  # analysts' cells and notes are not for leadership


def test_tables_json_follows_contract(seed_build):
    j = read_json(seed_build, "tables.json")
    assert j["agency"] == "大冶市应急管理局" and j["year"] == 2021
    assert j["section2"]["行政许可"] == {"本年处理决定数量": 105}
    assert len(j["section3"]) == 25 and list(j["section3"]) == vocab.T3_ROWS


def test_checks_json_written(seed_build):
    c = read_json(seed_build, "checks.json")
    assert c["errors"] == 0


def test_papermill_parameters_recorded(seed_build):
    for nb_path in (seed_build / "notebooks").iterdir():
        nb = nbformat.read(nb_path, as_version=4)
        assert nb.metadata.papermill.parameters == {"year": 2021, "params": str(SEED_PARAMS)}
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1


def test_failing_section_keeps_last_good_report(seed_build, tmp_path, monkeypatch, capsys):
    # A project copy whose 四 notebook raises; the output folder holds a good report already.
    root = tmp_path / "proj"
    copy_project(root, ("notebooks",))
    (root / "params").mkdir()
    nb_path = root / "notebooks" / "04_appeals.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("台账口径有误")'))
    nbformat.write(nb, nb_path)
    out = tmp_path / "out"
    shutil.copytree(seed_build, out)
    before = {p: (out / p).read_bytes() for p in ("report.html", "tables.json", "checks.json")}
    monkeypatch.setenv("REPORTKIT_ROOT", str(root))

    code = main(["build", "--params", str(SEED_PARAMS), "--out", str(out)])

    assert code == 1
    err = capsys.readouterr().err
    assert (
        "章节「四、政府信息公开行政复议、行政诉讼情况」运行失败：RuntimeError: 台账口径有误" in err
    )
    assert "Traceback" not in err
    assert {p: (out / p).read_bytes() for p in before} == before
    kept = nbformat.read(out / "failed" / "04_appeals.ipynb", as_version=4)
    assert any(
        o.get("ename") == "RuntimeError"
        for c in kept.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert not list(tmp_path.glob(".out.staging-*"))


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_each_notebook_runs_alone_with_papermill(notebook, tmp_path):
    out = tmp_path / notebook
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "papermill"),
            f"notebooks/{notebook}",
            str(out),
            "-p",
            "year",
            "2021",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    assert nb.metadata.papermill.parameters == {"year": 2021}
    html = "".join(
        o.get("data", {}).get("text/html", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert '<div class="narrative">' in html


def test_build_goes_on_when_its_reader_goes_away(tmp_path):
    # `reportkit build | head -1`: the pipe closes after the first line; the report is still built.
    out = tmp_path / "2021"
    build = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reportkit.cli",
            "build",
            "--params",
            str(SEED_PARAMS),
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = build.stdout.readline().decode("utf-8")
    build.stdout.close()
    _, err = build.communicate(timeout=300)
    assert first.startswith("reportkit：大冶市应急管理局2021年")
    assert build.returncode == 0, err.decode("utf-8", "replace")
    assert err.decode("utf-8") == ""
    assert (out / "report.html").is_file() and (out / "tables.json").is_file()


def test_word_excel_and_fragment_say_what_report_html_says(seed_build):
    """report.docx, tables.xlsx and the fragment come from the same blocks as report.html: the
    seed's figures and headings are in each, and tables.xlsx holds tables.json's numbers."""
    import docx
    import openpyxl

    doc = docx.Document(str(seed_build / "report.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    fragment = (seed_build / "report-fragment.html").read_text(encoding="utf-8")
    for said in [
        "一、总体情况",
        "六、其他需要报告的事项",
        "920余场次",
        "13万份",
        "329.76万元",
        "105件",
    ]:
        assert said in text, said
        assert said in fragment, said
    assert "105" in cells and "57" in cells  # 表二: 行政许可, 行政处罚
    book = openpyxl.load_workbook(seed_build / "tables.xlsx")
    numbers = [
        c.value
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, (int, float))
    ]
    # 表二's numbers as the seed report prints them: 规章 1/0/1, 规范性文件 3/0/3, 105, 57, 4, 0
    assert numbers[:10] == [1, 0, 1, 3, 0, 3, 105, 57, 4, 0]
