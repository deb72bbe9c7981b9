"""reportkit init and new-year, in a throwaway project under tmp_path (never in this checkout)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml

from reportkit.cli import main
from reportkit.compute.report import open_report
from reportkit.contract.errors import ReportkitError
from reportkit.ingest.params import load_params

CHECKOUT = Path(__file__).resolve().parent.parent
STEMS = [
    "requests",
    "appeals",
    "documents",
    "licensing",
    "penalties",
    "enforcement",
    "fees",
    "procurement",
    "outreach",
    "media",
    "proposals",
]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """An empty project: params/ and notebooks/ only; REPORTKIT_ROOT points at it."""
    root = tmp_path / "proj"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    monkeypatch.setenv("REPORTKIT_ROOT", str(root))
    monkeypatch.chdir(root)
    return root


def _init(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["init", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


# ------------------------------------------------------------------------------------------------
# init
# ------------------------------------------------------------------------------------------------
def test_init_writes_params_ledgers_and_agencies(project, capsys):
    code, out, _ = _init(capsys, "--agency", "某某县应急管理局", "--year", "2024", "--id", "yjj")
    assert code == 0
    assert "params/yjj/2024.yaml" in out and "接下来" in out
    p = load_params(project / "params/yjj/2024.yaml")
    assert (p.agency, p.year) == ("某某县应急管理局", 2024)
    assert p.data_path == (project / "data/yjj").resolve()
    # every section drafted: the preface and the six
    assert set(p.narrative) == {
        "preface",
        "overview",
        "proactive",
        "requests",
        "appeals",
        "problems",
        "other",
    }
    assert p.narrative["problems"].startswith("【请改写】")
    assert sorted(x.name for x in (project / "data/yjj").iterdir()) == sorted(
        f"{s}.xlsx" for s in STEMS
    )
    assert yaml.safe_load((project / "agencies.yaml").read_text(encoding="utf-8")) == {
        "agencies": [{"id": "yjj", "params": "params/yjj"}]
    }


def test_blank_ledger_layout(project, capsys):
    assert _init(capsys, "--agency", "某某县应急管理局", "--year", "2024", "--id", "yjj")[0] == 0
    wb = openpyxl.load_workbook(project / "data/yjj/requests.xlsx")
    assert wb.sheetnames == ["依申请公开台账", "填写说明", "选项"]
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible", "visible", "hidden"]
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [
        "申请编号",
        "收到日期",
        "申请人类型",
        "办理结果",
        "办结日期",
        "申请人姓名",
        "证件号码",
        "联系电话",
        "申请内容",
        "收费金额（元）",
    ]
    assert ws.max_row == 1  # no example row in the ledger itself: it would be counted
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].number_format == "yyyy-mm-dd"  # 收到日期
    assert ws.column_dimensions["E"].number_format == "yyyy-mm-dd"  # 办结日期
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert set(lists) == {"C2", "D2"}  # 申请人类型 and 办理结果 only
    names = {n: wb.defined_names[n].attr_text for n in wb.defined_names}
    assert names[lists["C2"].lstrip("=")] == "'选项'!$A$2:$A$7"
    assert names[lists["D2"].lstrip("=")] == "'选项'!$B$2:$B$22"  # the 21 results of 表三
    hidden = wb["选项"]
    assert [hidden.cell(r, 1).value for r in range(2, 8)] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert hidden.cell(2, 2).value == "予以公开" and hidden.cell(22, 2).value == "其他处理/其他"
    guide = wb["填写说明"]
    rows = {r[0]: r for r in guide.iter_rows(values_only=True) if r and r[0]}
    assert rows["收到日期"][1] == "*" and rows["办结日期"][1] in ("", None)
    assert rows["收到日期"][3] == dt.datetime(2024, 6, 16)  # an example date, as a date
    assert "不会出现" in rows["申请人姓名"][2]
    assert any("本年新收 = 收到日期在本年" in str(r[0]) for r in guide.iter_rows(values_only=True))


def test_init_chinese_name_needs_an_id(project, capsys):
    code, _, err = _init(capsys, "--agency", "某某县应急管理局", "--year", "2024")
    assert code == 1
    assert "--id" in err and "Traceback" not in err
    assert not (project / "params" / "yjj").exists() and not (project / "data").exists()


def test_init_latin_name_gives_the_id(project, capsys):
    assert _init(capsys, "--agency", "Demo Bureau", "--year", "2024")[0] == 0
    assert (project / "params/demo-bureau/2024.yaml").is_file()


def test_init_refuses_to_overwrite_and_writes_nothing(project, capsys):
    (project / "data/yjj").mkdir(parents=True)
    (project / "data/yjj/fees.csv").write_text("日期,项目,金额（元）\n", encoding="utf-8")
    code, _, err = _init(capsys, "--agency", "某某县应急管理局", "--year", "2024", "--id", "yjj")
    assert code == 1
    assert "data/yjj/fees.csv" in err and "不会覆盖" in err
    assert not (project / "params/yjj").exists()
    assert sorted(x.name for x in (project / "data/yjj").iterdir()) == ["fees.csv"]
    assert not (project / "agencies.yaml").exists()


def test_init_refuses_a_known_id(project, capsys):
    (project / "agencies.yaml").write_text(
        "agencies:\n  - id: yjj\n    params: params/yjj\n", encoding="utf-8"
    )
    code, _, err = _init(capsys, "--agency", "某某县应急管理局", "--year", "2024", "--id", "yjj")
    assert code == 1 and "new-year 2024 --agency yjj" in err


def test_init_keeps_agencies_yaml_text(project, capsys):
    before = "# 本项目的机关\nagencies:\n  - id: fgw  # 发改委\n    published: published/fgw\n"
    (project / "agencies.yaml").write_text(before, encoding="utf-8")
    assert _init(capsys, "--agency", '某某县"局": {x}', "--year", "2024", "--id", "x-1")[0] == 0
    text = (project / "agencies.yaml").read_text(encoding="utf-8")
    assert text.startswith(before)  # comments kept
    assert yaml.safe_load(text)["agencies"] == [
        {"id": "fgw", "published": "published/fgw"},
        {"id": "x-1", "params": "params/x-1"},
    ]
    # a name with quotes and YAML syntax is written as text, not as YAML
    assert load_params(project / "params/x-1/2024.yaml").agency == '某某县"局": {x}'


# ------------------------------------------------------------------------------------------------
# The blank ledgers, filled and saved by an office program, are read without change
# ------------------------------------------------------------------------------------------------
def _choices(wb, column: str) -> list[str]:
    """A drop-down's values, as the hidden list sheet holds them."""
    lists = wb["选项"]
    j = next(c.column for c in lists[1] if c.value == column)
    return [lists.cell(r, j).value for r in range(2, lists.max_row + 1) if lists.cell(r, j).value]


def _fill(path: Path, rows: list[dict[str, object]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    for i, row in enumerate(rows, start=2):
        for column, value in row.items():
            ws.cell(i, header.index(column) + 1, value)
    wb.save(path)


def _resave_with_libreoffice(folder: Path, tmp: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: cannot re-save the ledgers as Excel would"
        )
    out = tmp / "resaved"
    files = sorted(folder.glob("*.xlsx"))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp}/lo-onboard",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    if not all((out / f.name).is_file() for f in files):
        pytest.skip("LibreOffice could not open .xlsx files (is libreoffice-calc installed?)")
    for f in files:
        shutil.copyfile(out / f.name, f)


def test_filled_blank_ledgers_resaved_by_libreoffice_check_and_count(project, tmp_path, capsys):
    assert _init(capsys, "--agency", "某某县应急管理局", "--year", "2024", "--id", "yjj")[0] == 0
    data = project / "data/yjj"
    wb = openpyxl.load_workbook(data / "requests.xlsx")
    applicant, result = _choices(wb, "申请人类型"), _choices(wb, "办理结果")
    person, firm = applicant[0], applicant[1]  # 自然人, 商业企业
    granted, secret, absent = result[0], result[2], result[10]
    assert (granted, secret, absent) == (
        "予以公开",
        "不予公开/属于国家秘密",
        "无法提供/本机关不掌握相关政府信息",
    )
    d = dt.datetime
    _fill(
        data / "requests.xlsx",
        [
            {
                "申请编号": "2024-001",
                "收到日期": d(2024, 3, 1),
                "申请人类型": person,
                "办理结果": granted,
                "办结日期": d(2024, 3, 10),
                "申请人姓名": "张小明",
                "证件号码": "420281199001011234",
            },
            {
                "申请编号": "2024-002",
                "收到日期": d(2024, 5, 6),
                "申请人类型": firm,
                "办理结果": secret,
                "办结日期": d(2024, 5, 20),
            },
            {"申请编号": "2024-003", "收到日期": d(2024, 12, 20), "申请人类型": person},
            # received last year, concluded this year: 上年结转
            {
                "申请编号": "2023-009",
                "收到日期": d(2023, 12, 28),
                "申请人类型": person,
                "办理结果": absent,
                "办结日期": d(2024, 1, 5),
            },
        ],
    )
    kinds = _choices(openpyxl.load_workbook(data / "appeals.xlsx"), "类别")
    results = _choices(openpyxl.load_workbook(data / "appeals.xlsx"), "结果")
    _fill(
        data / "appeals.xlsx",
        [
            {
                "案件编号": "F-1",
                "类别": kinds[0],
                "收到日期": d(2024, 4, 1),
                "结果": results[0],
                "审结日期": d(2024, 6, 1),
            },
            {"案件编号": "S-1", "类别": kinds[2], "收到日期": d(2024, 11, 1)},
        ],
    )
    doc = _choices(openpyxl.load_workbook(data / "documents.xlsx"), "类型")[1]
    _fill(
        data / "documents.xlsx",
        [
            {
                "文号": "某应急〔2024〕1号",
                "标题": "关于甲的通知",
                "类型": doc,
                "印发日期": d(2024, 2, 1),
            },
            {
                "文号": "某应急〔2020〕3号",
                "标题": "关于乙的规定",
                "类型": doc,
                "印发日期": d(2020, 5, 1),
                "废止日期": d(2024, 8, 1),
            },
        ],
    )
    _fill(
        data / "licensing.xlsx",
        [
            {"编号": "X1", "决定日期": d(2024, 1, 2)},
            {"编号": "X2", "决定日期": d(2024, 7, 9)},
            {"编号": "X0", "决定日期": d(2023, 7, 9)},
        ],
    )
    _fill(
        data / "penalties.xlsx",
        [{"编号": "C1", "决定日期": d(2024, 9, 30), "案由": "未按规定培训"}],
    )
    _fill(data / "fees.xlsx", [{"日期": d(2024, 3, 3), "项目": "信息处理费", "金额（元）": 1500}])
    _fill(
        data / "outreach.xlsx",
        [
            {"日期": d(2024, 6, 16), "活动类型": "安全咨询日", "参与人次": 300},
            {"日期": d(2024, 6, 20), "活动类型": "安全咨询日", "场次": 2, "参与人次": 50},
        ],
    )
    _resave_with_libreoffice(data, tmp_path)

    resaved = openpyxl.load_workbook(data / "requests.xlsx")
    assert resaved.sheetnames[0] == "依申请公开台账" and resaved["选项"].sheet_state == "hidden"
    assert resaved.worksheets[0].data_validations.dataValidation  # the drop-downs survive

    code = main(["check", "--params", "params/yjj/2024.yaml", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    found = json.loads(out)
    assert found["errors"] == 0
    assert "张小明" not in out and "420281199001011234" not in out

    t = open_report(params=project / "params/yjj/2024.yaml").tables_json
    s3 = t["section3"]
    zero = {
        "自然人": 0,
        "商业企业": 0,
        "科研机构": 0,
        "社会公益组织": 0,
        "法律服务机构": 0,
        "其他": 0,
    }
    assert s3["本年新收政府信息公开申请数量"] == {**zero, "自然人": 2, "商业企业": 1, "总计": 3}
    assert s3["上年结转政府信息公开申请数量"] == {**zero, "自然人": 1, "总计": 1}
    assert s3["予以公开"] == {**zero, "自然人": 1, "总计": 1}
    assert s3["不予公开/属于国家秘密"] == {**zero, "商业企业": 1, "总计": 1}
    assert s3["无法提供/本机关不掌握相关政府信息"] == {**zero, "自然人": 1, "总计": 1}
    assert s3["总计"] == {**zero, "自然人": 2, "商业企业": 1, "总计": 3}
    assert s3["结转下年度继续办理"] == {**zero, "自然人": 1, "总计": 1}
    s4 = t["section4"]
    assert s4["行政复议"] == {"结果维持": 1, "结果纠正": 0, "其他结果": 0, "尚未审结": 0, "总计": 1}
    assert s4["复议后起诉"] == {
        "结果维持": 0,
        "结果纠正": 0,
        "其他结果": 0,
        "尚未审结": 1,
        "总计": 1,
    }
    assert s4["未经复议直接起诉"]["总计"] == 0
    s2 = t["section2"]
    assert s2["行政规范性文件"] == {"本年制发件数": 1, "本年废止件数": 1, "现行有效件数": 1}
    assert s2["规章"] == {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0}
    assert s2["行政许可"] == {"本年处理决定数量": 2}
    assert s2["行政处罚"] == {"本年处理决定数量": 1}
    assert s2["行政强制"] == {"本年处理决定数量": 0}
    assert float(s2["行政事业性收费"]["本年收费金额（单位：万元）"]) == 0.15
    report = open_report(params=project / "params/yjj/2024.yaml")
    outreach = report.figures.outreach
    assert (outreach.sessions.value, outreach.participants.value) == (3, 350)  # blank 场次 is 1

    # ... and the whole report builds from them: init -> Excel-filled ledgers -> report.
    shutil.copytree(CHECKOUT / "notebooks", project / "notebooks", dirs_exist_ok=True)
    out = project / "outputs" / "yjj-2024"
    assert main(["build", "--params", "params/yjj/2024.yaml", "--out", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<title>某某县应急管理局2024年政府信息公开工作年度报告</title>" in page
    assert json.loads((out / "tables.json").read_text(encoding="utf-8"))["section3"] == s3
    for built in out.rglob("*"):
        if built.is_file() and built.suffix in (".html", ".json", ".ipynb"):
            assert "张小明" not in built.read_text(encoding="utf-8", errors="ignore"), built


# ------------------------------------------------------------------------------------------------
# new-year
# ------------------------------------------------------------------------------------------------
LAST_YEAR = """\
# 测试局的参数（手写的注释要保留）
agency: 测试局
year: 2023
data_dir: ../data
previous: ../published/2022.tables.json
date: 2024-01-20
narrative:
  一、总体情况: |
    {{ 年度 }}年，测试局依照《中华人民共和国政府信息公开条例》做好政府信息公开工作，组织领导有力，制度建设完善，平台建设扎实。
  五、存在的主要问题及改进情况: |
    存在的主要问题：一是主动公开意识不强，二是政策解读偏少。改进情况：一是加强培训，二是文件与解读同步发布。
"""
REQUESTS_CSV = "申请编号,收到日期,申请人类型,办理结果,办结日期\nR1,2023-12-28,自然人,予以公开,2024-01-05\nR2,2024-02-01,自然人,,\n"


def _single_agency(project: Path) -> Path:
    (project / "data").mkdir()
    (project / "data/requests.csv").write_text(REQUESTS_CSV, encoding="utf-8")
    (project / "published").mkdir()
    (project / "published/2022.tables.json").write_text("{}", encoding="utf-8")
    path = project / "params/2023.yaml"
    path.write_text(LAST_YEAR, encoding="utf-8")
    return path


def test_new_year_carries_params_over(project, capsys):
    _single_agency(project)
    assert main(["new-year", "2024"]) == 0
    out = capsys.readouterr().out
    assert (
        "params/2024.yaml" in out and "接下来" in out and "check --params params/2024.yaml" in out
    )
    text = (project / "params/2024.yaml").read_text(encoding="utf-8")
    assert "# 测试局的参数（手写的注释要保留）" in text
    assert "以下叙述沿用2023年的" in text
    new, old = load_params(project / "params/2024.yaml"), load_params(project / "params/2023.yaml")
    assert new.year == 2024 and new.agency == "测试局" and new.data_dir == "../data"
    # last year's own report date and last year's previous report do not carry over
    assert (new.date, new.previous) == (None, None)
    assert new.narrative == old.narrative


def test_new_year_copy_is_caught_until_rewritten(project, capsys):
    _single_agency(project)
    (project / "params/2023.yaml").write_text(
        LAST_YEAR.replace("previous: ../published/2022.tables.json\n", ""), encoding="utf-8"
    )
    assert main(["new-year", "2024"]) == 0
    capsys.readouterr()
    assert main(["check", "--params", "params/2024.yaml", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    copied = sorted(f["where"]["section"] for f in found if f["rule"] == "R12")
    assert copied == ["一、总体情况", "五、存在的主要问题及改进情况"]


def test_new_year_refuses_to_overwrite(project, capsys):
    _single_agency(project)
    (project / "params/2024.yaml").write_text("agency: 已有\n", encoding="utf-8")
    assert main(["new-year", "2024"]) == 1
    assert "params/2024.yaml 已存在" in capsys.readouterr().err
    assert (project / "params/2024.yaml").read_text(encoding="utf-8") == "agency: 已有\n"


def test_new_year_without_last_year_lists_the_years(project, capsys):
    _single_agency(project)
    assert main(["new-year", "2026"]) == 1
    err = capsys.readouterr().err
    assert "params/2025.yaml" in err and "已有：2023" in err
    assert not (project / "params/2026.yaml").exists()


def test_new_year_for_an_agency_of_agencies_yaml(project, capsys):
    assert _init(capsys, "--agency", "某某县应急管理局", "--year", "2024", "--id", "yjj")[0] == 0
    assert main(["new-year", "2025", "--agency", "yjj"]) == 0
    p = load_params(project / "params/yjj/2025.yaml")
    assert p.year == 2025 and p.data_path == (project / "data/yjj").resolve()
    assert main(["new-year", "2025", "--agency", "nope"]) == 1
    err = capsys.readouterr().err
    assert "找不到机关「nope」" in err and "已有的机关：yjj" in err


# ------------------------------------------------------------------------------------------------
# previous: last year's published report, and saying when the cross-year rules cannot run
# ------------------------------------------------------------------------------------------------
def _previous_tables(carried_out: int) -> dict:
    zero = {
        "自然人": 0,
        "商业企业": 0,
        "科研机构": 0,
        "社会公益组织": 0,
        "法律服务机构": 0,
        "其他": 0,
        "总计": 0,
    }
    return {
        "agency": "测试局",
        "year": 2023,
        "section3": {"结转下年度继续办理": {**zero, "自然人": carried_out, "总计": carried_out}},
    }


def _first_year(project: Path, previous: str | None) -> Path:
    (project / "data").mkdir(exist_ok=True)
    (project / "data/requests.csv").write_text(REQUESTS_CSV, encoding="utf-8")
    path = project / "params/2024.yaml"
    path.write_text(
        "agency: 测试局\nyear: 2024\ndata_dir: ../data\n"
        + (f"previous: {previous}\n" if previous else "")
        + "narrative:\n  五: 一是主动公开意识不强，二是政策解读偏少；改进情况：一是加强培训，二是文件与解读同步发布。\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("carried_out, code", [(1, 0), (2, 1)])
def test_previous_feeds_the_cross_year_rules(project, capsys, carried_out, code):
    (project / "published").mkdir()
    (project / "published/2023.tables.json").write_text(
        json.dumps(_previous_tables(carried_out), ensure_ascii=False), encoding="utf-8"
    )
    _first_year(project, "../published/2023.tables.json")
    assert main(["check", "--params", "params/2024.yaml", "--json"]) == code
    out = json.loads(capsys.readouterr().out)
    r10 = [
        (f["where"]["column"], f["expected"], f["found"])
        for f in out["findings"]
        if f["rule"] == "R10"
    ]
    # this year's 上年结转: R1, received 2023-12-28 and concluded in 2024, by a 自然人
    assert r10 == ([] if carried_out == 1 else [("自然人", 2, 1), ("总计", 2, 1)])
    assert out["notes"] == []


def test_previous_missing_file_is_a_params_error(project, capsys):
    _first_year(project, "../published/nope.tables.json")
    assert main(["check", "--params", "params/2024.yaml"]) == 2
    err = capsys.readouterr().err
    assert "previous" in err and "nope.tables.json" in err and "不存在" in err


def test_previous_page_with_no_tables_is_named(project, capsys):
    """A `previous:` page is imported like any published report; one with no tables says which."""
    (project / "published").mkdir()
    (project / "published/2023.html").write_text("<html></html>", encoding="utf-8")
    _first_year(project, "../published/2023.html")
    assert main(["check", "--params", "params/2024.yaml"]) == 2
    err = capsys.readouterr().err
    assert "2023.html" in err and "Traceback" not in err


def test_check_says_when_cross_year_rules_did_not_run(project, capsys):
    _first_year(project, None)
    assert main(["check", "--params", "params/2024.yaml"]) == 0  # exit code unchanged
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "检查通过：未发现问题（有的检查未做，见下）"
    assert "跨年检查（R10、R11、R12）未做" in text and "outputs/2023/tables.json" in text
    assert main(["check", "--params", "params/2024.yaml", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert len(notes) == 1 and "未找到上年的 tables.json" in notes[0]


def test_check_names_the_other_agencys_tables(project, capsys):
    _first_year(project, None)
    (project / "outputs/2023").mkdir(parents=True)
    other = {**_previous_tables(1), "agency": "别的局"}
    (project / "outputs/2023/tables.json").write_text(
        json.dumps(other, ensure_ascii=False), encoding="utf-8"
    )
    assert main(["check", "--params", "params/2024.yaml"]) == 0
    assert "outputs/2023/tables.json 是另一机关（别的局）的" in capsys.readouterr().out


def test_check_finds_last_year_under_the_agency_id(project, capsys):
    _first_year(project, None)
    (project / "params/yjj").mkdir()
    (project / "params/2024.yaml").rename(project / "params/yjj/2024.yaml")
    (project / "params/yjj/2024.yaml").write_text(
        (project / "params/yjj/2024.yaml")
        .read_text(encoding="utf-8")
        .replace("../data", "../../data"),
        encoding="utf-8",
    )
    (project / "outputs/yjj/2023").mkdir(parents=True)
    (project / "outputs/yjj/2023/tables.json").write_text(
        json.dumps(_previous_tables(2), ensure_ascii=False), encoding="utf-8"
    )
    assert (
        main(["check", "--params", "params/yjj/2024.yaml"]) == 1
    )  # R10: 2 carried out, 1 carried in
    assert "[R10]" in capsys.readouterr().out


def test_init_drafts_are_flagged_until_rewritten(project, capsys):
    assert _init(capsys, "--agency", "某某县应急管理局", "--year", "2024", "--id", "yjj")[0] == 0
    assert main(["check", "--params", "params/yjj/2024.yaml", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    assert sorted(f["where"]["section"] for f in found if f["rule"] == "T-rewrite") == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "五、存在的主要问题及改进情况",
    ]


# ------------------------------------------------------------------------------------------------
# date: the report's date in the footer
# ------------------------------------------------------------------------------------------------
def _footer_date(project: Path, monkeypatch, extra: str) -> str:
    from reportkit.contract import vocab
    from reportkit.present import fonts, render

    monkeypatch.setattr(fonts, "font_face_css", lambda text, sans_text=None: "")
    path = _first_year(project, None)
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    report = open_report(params=path)
    page = render.render_report(report, {s["slug"]: "<p>正文</p>" for s in vocab.SECTIONS})
    return page.split("生成日期：", 1)[1].split("<", 1)[0]


def test_report_date_from_params(project, monkeypatch):
    assert _footer_date(project, monkeypatch, "date: 2025-01-20\n") == "2025年1月20日"


def test_report_date_defaults_to_today(project, monkeypatch):
    today = dt.date.today()
    assert _footer_date(project, monkeypatch, "") == f"{today.year}年{today.month}月{today.day}日"


@pytest.mark.parametrize("value", ["2025-13-01", "明年一月"])
def test_report_date_must_be_a_date(project, value):
    path = _first_year(project, None)
    path.write_text(path.read_text(encoding="utf-8") + f"date: '{value}'\n", encoding="utf-8")
    with pytest.raises(ReportkitError, match="「date」.*YYYY-MM-DD"):
        load_params(path)


def test_new_year_without_agency_takes_every_agency_with_last_year(project, capsys):
    _single_agency(project)  # params/2023.yaml, from before the project listed agencies
    assert _init(capsys, "--agency", "某某县应急管理局", "--year", "2023", "--id", "yjj")[0] == 0
    assert _init(capsys, "--agency", "某某县财政局", "--year", "2024", "--id", "czj")[0] == 0
    czj = (project / "params/czj/2024.yaml").read_text(encoding="utf-8")
    assert main(["new-year", "2024"]) == 0
    assert (project / "params/2024.yaml").is_file() and (project / "params/yjj/2024.yaml").is_file()
    assert (project / "params/czj/2024.yaml").read_text(encoding="utf-8") == czj  # had no 2023
    capsys.readouterr()
    assert main(["new-year", "2024"]) == 1  # done already: refused, not overwritten
    assert "params/2024.yaml、params/yjj/2024.yaml 已存在" in capsys.readouterr().err


def test_init_rejects_a_name_on_two_lines(project, capsys):
    code, _, err = _init(capsys, "--agency", "某某局\nyear: 1999", "--year", "2024", "--id", "x")
    assert code == 1 and "换行" in err
    assert not (project / "params/x").exists()


@pytest.mark.parametrize(
    "argv",
    [["init", "--agency", "某某局", "--id", "x", "--year", "1999"], ["new-year", "abc"]],
)
def test_a_bad_year_is_said_in_chinese(project, capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "报告年度应在 2008 年" in err or "不是年度" in err
    assert not (project / "params/x").exists()
