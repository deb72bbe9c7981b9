"""`reportkit build --all` of the sample county with one department's ledger broken: the failure is
reported with its agency and year, the government that includes it fails saying why, the others
build, and the office overview (page and workbook) shows every agency; the page opens offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "examples" / "county"
NAMES = ["示例县司法局", "示例县教育局", "示例镇人民政府", "山庄乡人民政府", "示例县人民政府"]


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("county") / "county"
    shutil.copytree(COUNTY, root, ignore=shutil.ignore_patterns("outputs"))
    with (root / "data" / "jyj" / "requests.csv").open("a", encoding="utf-8") as f:
        f.write("J9,2021-10-10,个人,,\n")  # row 7 in Excel: 个人 is not an applicant type
    env = {**os.environ, "REPORTKIT_ROOT": str(root), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "build", "--year", "2021", "--all"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=root,
    )
    return root, done


def test_failures_are_reported_and_the_others_build(batch_run):
    root, done = batch_run
    assert done.returncode == 1, done.stderr
    assert "错误：jyj 2021年：" in done.stderr
    assert "requests.csv" in done.stderr and "第7行" in done.stderr and "个人" in done.stderr
    assert "错误：xzf 2021年：未生成：所汇总的机关「jyj」2021年的报告未能生成" in done.stderr
    assert "Traceback" not in done.stderr
    for ok in ("sfj", "ztz"):
        assert (root / "outputs" / ok / "2021" / "report.html").is_file()
    assert not (root / "outputs" / "xzf" / "2021" / "report.html").exists()


def test_one_progress_display_for_the_batch(batch_run):
    _root, done = batch_run
    lines = done.stdout.splitlines()
    assert "reportkit：共 4 份报告（在本进程中运行）" in lines
    progress = [line for line in lines if re.match(r"\[\d/4\] ", line)]
    assert sorted(line[:5] for line in progress) == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert "完成：2 份成功，2 份失败" in lines
    # The builds' own section-by-section logs are not interleaved into the batch's display.
    assert not any("一、总体情况 …" in line for line in lines)


def test_overview_workbook(batch_run):
    root, _done = batch_run
    wb = openpyxl.load_workbook(root / "outputs" / "overview-2021.xlsx")
    sheet = wb["机关"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == ["sfj", "jyj", "ztz", "szz", "xzf"]
    assert {k: v["状态"] for k, v in rows.items()} == {
        "sfj": "已生成",
        "jyj": "失败",
        "ztz": "已生成",
        "szz": "已发布报告",
        "xzf": "失败",
    }
    assert rows["sfj"]["新收申请（2021年）"] == 3  # S1 S2 S3
    assert rows["szz"]["行政处罚（2021年）"] == 4  # as published
    assert rows["sfj"]["错误"] == 0
    problems = {r[0]: r[3] for r in wb["问题"].iter_rows(min_row=2, values_only=True)}
    assert "个人" in problems["jyj"] and "所汇总的机关「jyj」" in problems["xzf"]


def test_overview_page_is_self_contained(batch_run):
    root, _done = batch_run
    page = (root / "outputs" / "overview-2021.html").read_text(encoding="utf-8")
    assert "<script" not in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page
    assert page.count("<svg") == 2


def test_overview_opens_offline_in_chromium(batch_run, tmp_path):
    from test_browser import CHROMIUM_ARGS, _chromium

    sync_api = pytest.importorskip("playwright.sync_api")
    root, _done = batch_run
    path = root / "outputs" / "overview-2021.html"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
        seen: list[str] = []
        context.route(re.compile(r"^(?!file:|data:)"), lambda route: route.abort())
        page = context.new_page()
        page.on("request", lambda request: seen.append(request.url))
        page.goto(path.as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        text = page.inner_text("body")
        bars = page.locator("svg rect").count()
        artifacts = Path(os.environ.get("REPORTKIT_ARTIFACTS") or tmp_path)
        artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(artifacts / "overview-2021.png"), full_page=True)
        browser.close()
    assert [u for u in seen if u != path.as_uri() and not u.startswith("data:")] == []
    for name in NAMES:
        assert name in text
    assert "已生成 2 份" in text and "失败 2 份" in text
    assert "示例数据" in text
    # Each chart: two legend swatches and a bar for each agency with a 2021 figure (sfj, ztz and
    # szz; jyj and xzf failed, and no agency has 2020 tables).
    assert bars == 2 * (2 + 3)


def test_a_long_agency_name_is_cut_to_fit_the_chart_and_kept_whole_in_its_tooltip():
    # 190-pixel label column, 6 px from the bars: 180 px for a 12-px name. 18 Chinese characters
    # (216 px) do not fit: 14 of them (168 px) and 「…」 (about 7 px) do.
    from reportkit.pipeline.overview import bar_chart

    long, short = "县发展和改革局（县粮食和物资储备局）", "县人力资源和社会保障局"
    svg = bar_chart("收到申请", [(long, 3, 2), (short, 5, 1)], 2021)
    assert ">县发展和改革局（县粮食和物资…</text>" in svg
    assert f"<title>{long}</title>" in svg
    assert f'text-anchor="end">{short}</text>' in svg  # 132 px: as it is, no tooltip
