"""`reportkit review`: a folder of published reports, paired by agency and year, checked."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
from published_docx import write_report_docx

from reportkit import cli

PAGES = Path(__file__).parent / "fixtures" / "published"
AGENCY = "示例县交通运输局"


def last_year_tables(carried_out_natural: int) -> dict:
    """示例县交通运输局 2021 as typed into a tables.json, consistent in itself: n new requests by
    自然人, all carried over to 2022; 行政规范性文件 现行有效 5."""
    from test_published import ROWS, ZERO_T2, ZERO_T4, r

    n = carried_out_natural
    section3 = {row: r(0, 0, 0, 0, 0, 0, 0) for row in ROWS}
    section3["本年新收政府信息公开申请数量"] = r(n, 0, 0, 0, 0, 0, n)
    section3["结转下年度继续办理"] = r(n, 0, 0, 0, 0, 0, n)
    section2 = {
        **ZERO_T2,
        "行政规范性文件": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 5},
    }
    return {
        "agency": AGENCY,
        "year": 2021,
        "section2": section2,
        "section3": section3,
        "section4": ZERO_T4,
    }


def folder_of_reports(root: Path, carried_out_natural: int = 2) -> Path:
    folder = root / "reports"
    (folder / "交通").mkdir(parents=True)
    for name in ("pingwu_tjj_2021_wrong_charset.html", "shanghai_bgt_2019.html"):
        shutil.copy(PAGES / name, folder / name)
    write_report_docx(folder / "交通" / "2022.docx", agency=AGENCY, year=2022)
    (folder / "交通" / "2021.tables.json").write_text(
        json.dumps(last_year_tables(carried_out_natural), ensure_ascii=False), encoding="utf-8"
    )
    (folder / "checks.json").write_text('{"errors": 0, "findings": []}', encoding="utf-8")
    return folder


def test_review_pairs_years_checks_and_writes_three_files(tmp_path, capsys):
    folder = folder_of_reports(tmp_path)
    out = tmp_path / "review"
    assert cli.main(["review", str(folder), "--out", str(out)]) == 1
    data = json.loads((out / "review.json").read_text(encoding="utf-8"))
    by_file = {r["file"]: r for r in data["reports"]}
    # checks.json is not a report; the other four are
    assert sorted(by_file) == [
        "pingwu_tjj_2021_wrong_charset.html",
        "shanghai_bgt_2019.html",
        "交通/2021.tables.json",
        "交通/2022.docx",
    ]
    assert by_file["pingwu_tjj_2021_wrong_charset.html"]["status"] == "通过"
    old = by_file["shanghai_bgt_2019.html"]
    assert old["status"] == "无法导入" and "国办公开办函〔2019〕60号" in old["import_error"]
    this = by_file["交通/2022.docx"]
    assert this["previous"] == "交通/2021.tables.json"
    # 2022 上年结转 自然人 1 (总计 1) against 2021 结转下年度 自然人 2 (总计 2): R10 in both columns;
    # 现行有效 5 + 制发 1 − 废止 0 = 6, as the docx prints: no R11.
    r10 = [(f["where"]["column"], f["expected"], f["found"]) for f in this["findings"]]
    assert r10 == [("自然人", 2, 1), ("总计", 2, 1)]
    assert this["status"] == "有错误"
    assert "台账" not in json.dumps(this["findings"], ensure_ascii=False)
    progress = capsys.readouterr().err
    assert "[1/5]" in progress and "[5/5]" in progress


def test_review_xlsx_has_a_sheet_of_reports_and_one_of_findings(tmp_path):
    folder = folder_of_reports(tmp_path)
    out = tmp_path / "review"
    cli.main(["review", str(folder), "--out", str(out)])
    wb = openpyxl.load_workbook(out / "review.xlsx")
    assert wb.sheetnames == ["报告", "问题"]
    reports = list(wb["报告"].iter_rows(values_only=True))
    assert reports[0][:4] == ("文件", "机关", "年度", "状态")
    assert ("交通/2022.docx", AGENCY, 2022, "有错误", 2, 0) in [r[:6] for r in reports]
    findings = list(wb["问题"].iter_rows(values_only=True))
    assert [(r[0], r[3], r[4]) for r in findings[1:]] == [
        ("交通/2022.docx", "错误", "R10"),
        ("交通/2022.docx", "错误", "R10"),
    ]


def test_review_html_is_self_contained_and_lists_every_report(tmp_path):
    folder = folder_of_reports(tmp_path)
    out = tmp_path / "review"
    cli.main(["review", str(folder), "--out", str(out)])
    page = (out / "review.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    for name in ("pingwu_tjj_2021_wrong_charset.html", "交通/2022.docx", "交通/2021.tables.json"):
        assert name in page
    assert "无法导入" in page and "有错误" in page and "通过" in page


def test_review_exit_0_when_no_report_has_an_error(tmp_path):
    folder = folder_of_reports(tmp_path, carried_out_natural=1)
    (folder / "shanghai_bgt_2019.html").unlink()
    out = folder / "review"  # the output inside the folder is not read back as reports
    assert cli.main(["review", str(folder), "--out", str(out)]) == 0
    assert cli.main(["review", str(folder), "--out", str(out)]) == 0
    data = json.loads((out / "review.json").read_text(encoding="utf-8"))
    assert len(data["reports"]) == 3


def test_review_of_an_empty_or_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["review", str(tmp_path / "nowhere")]) == 1
    (tmp_path / "empty").mkdir()
    assert cli.main(["review", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "找不到文件夹" in err and "没有报告" in err and "Traceback" not in err


def test_text_from_a_page_never_becomes_an_excel_formula(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    page = (PAGES / "constructed_messy_2022.html").read_text(encoding="utf-8")
    page = page.replace(
        "<td>行政 处罚</td><td colspan=3 align=center>56</td>",
        "<td>行政 处罚</td><td colspan=3 align=center>=1+1件</td>",
    )
    assert "=1+1件" in page
    (folder / "p.html").write_text(page, encoding="utf-8")
    cli.main(["review", str(folder), "--out", str(tmp_path / "out")])
    wb = openpyxl.load_workbook(tmp_path / "out" / "review.xlsx")
    notes = [c for row in wb["报告"].iter_rows() for c in row if "=1+1件" in str(c.value)]
    assert notes and all(c.data_type == "s" for c in notes)
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)


def test_review_writes_to_the_projects_outputs_review_by_default(tmp_path, monkeypatch):
    folder = folder_of_reports(tmp_path, carried_out_natural=1)
    monkeypatch.setenv("REPORTKIT_ROOT", str(tmp_path / "project"))
    cli.main(["review", str(folder)])
    written = sorted(p.name for p in (tmp_path / "project" / "outputs" / "review").iterdir())
    assert written == ["review.html", "review.json", "review.xlsx"]


def test_review_skips_what_a_browser_saves_beside_a_page(tmp_path):
    folder = tmp_path / "reports"
    (folder / "平武_files").mkdir(parents=True)
    shutil.copy(PAGES / "pingwu_tjj_2021_wrong_charset.html", folder / "平武.html")
    (folder / "平武_files" / "frame.htm").write_text("<html><body>广告</body></html>", "utf-8")
    (folder / "~$草稿.docx").write_bytes(b"lock")
    assert cli.main(["review", str(folder), "--out", str(tmp_path / "out")]) == 0
    data = json.loads((tmp_path / "out" / "review.json").read_text(encoding="utf-8"))
    assert [r["file"] for r in data["reports"]] == ["平武.html"]
