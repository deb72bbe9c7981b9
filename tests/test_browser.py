"""report.html in a real browser: Debian's Chromium, driven by Playwright, offline.

The seed report is built once for the module; screenshots and the printed PDF go to
$REPORTKIT_ARTIFACTS (or a temporary folder) for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from helpers import ROOT, SEED_PARAMS, chart_html

from reportkit.compute import figures
from reportkit.compute.report import open_report
from reportkit.contract import vocab
from reportkit.pipeline import builder
from reportkit.present import charts, htmltables, render

DEMO_PARAMS = ROOT / "params" / "demo" / "2022.yaml"
HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The text column of an A4 page under report.css's @page margins (156 mm), in CSS pixels.
A4_TEXT_WIDTH = round(156 / 25.4 * 96)


def _chromium() -> str:
    """Debian's chromium; installed with apt-get when missing and we are root, else a skip."""
    if shutil.which("chromium"):
        return shutil.which("chromium")
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        pytest.skip("chromium is missing and only root can `apt-get install chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "chromium"]
    # Without package lists (a fresh container) the install fails once; update and try again.
    for cmd in (install, ["apt-get", "update", "-qq"], install):
        if shutil.which("chromium"):
            break
        subprocess.run(cmd, env=env, capture_output=True, timeout=900, check=False)
    if not shutil.which("chromium"):
        pytest.skip("chromium is missing and `apt-get install -y chromium` did not install it")
    return shutil.which("chromium")


# ------------------------------------------------------------------------------------------------
# Fixtures: the browser, the artifacts folder, the seed report, the demo's tables
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    env = os.environ.get("REPORTKIT_ARTIFACTS")
    folder = Path(env) if env else tmp_path_factory.mktemp("browser-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory) -> Path:
    """The seed year built as `reportkit build` builds it (about 20 s)."""
    out = tmp_path_factory.mktemp("seed") / "2021"
    builder.build(params=SEED_PARAMS, out=out)
    return out / "report.html"


@pytest.fixture(scope="module")
def demo_tables_page(tmp_path_factory) -> Path:
    """The demo year's narrative, 表二–表四 and a chart, in the real page (no notebooks run)."""
    report = open_report(params=DEMO_PARAMS)
    slugs = [s["slug"] for s in vocab.SECTIONS]
    bodies = {s: f'<div class="narrative">{report.html(s)}</div>' for s in slugs}
    bodies["proactive"] += htmltables.table2_html(report.table2)
    bodies["requests"] += htmltables.table3_html(report.table3)
    bodies["appeals"] += htmltables.table4_html(report.table4)
    bodies["overview"] += chart_html(
        charts.outreach_by_type(figures.outreach_by_type(report.ledgers, report.year)),
        alt="宣传活动场次",
        caption="宣传活动场次（按活动类型）",
    )
    page = render.render_report(report, bodies, generated=dt.datetime(2023, 1, 20))
    path = tmp_path_factory.mktemp("demo") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def open_page(browser, path: Path, width: int = 1280, height: int = 900):
    """A fresh page showing `path`, fonts loaded; every request it makes is recorded in .seen."""
    context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
    seen: list[str] = []
    # Nothing may leave the machine even if the page tried: abort, and record, any such request.
    context.route(
        re.compile(r"^(?!file:|data:)"),
        lambda route: route.abort(),
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("request", lambda request: seen.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.seen = seen
    return page


@pytest.fixture(scope="module")
def seed_page(browser, seed_report):
    page = open_page(browser, seed_report)
    yield page
    page.context.close()


# ------------------------------------------------------------------------------------------------
# The seed report on screen
# ------------------------------------------------------------------------------------------------
def test_no_network_request_is_attempted(seed_page, seed_report):
    page = seed_page
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy content, if any
    page.wait_for_timeout(200)
    outside = [u for u in page.seen if u != seed_report.as_uri() and not u.startswith("data:")]
    assert outside == []
    assert page.seen[0] == seed_report.as_uri()


def test_the_request_record_would_catch_a_request(browser, tmp_path):
    # Control for the test above: a page that does try to load something is caught.
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<img alt="" src="http://example.invalid/logo.png">', encoding="utf-8")
    page = open_page(browser, leaky)
    try:
        assert "http://example.invalid/logo.png" in page.seen
    finally:
        page.context.close()


def test_the_six_headings_are_visible_in_order(seed_page):
    headings = seed_page.locator("main h2")
    assert headings.all_inner_texts() == HEADINGS
    for i in range(len(HEADINGS)):
        assert headings.nth(i).is_visible()
    assert seed_page.locator("h1").inner_text() == "大冶市应急管理局2021年政府信息公开工作年度报告"


def test_chinese_is_set_in_the_embedded_fonts(seed_page):
    faces = seed_page.evaluate(
        "[...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.status])"
    )
    assert sorted(faces) == [["RK Sans", "loaded"], ["RK Serif", "loaded"]]
    for family, sample in [("RK Serif", "政府信息公开"), ("RK Sans", "总体情况")]:
        assert seed_page.evaluate(f"document.fonts.check('16px \"{family}\"', '{sample}')")
    body_font = seed_page.evaluate("getComputedStyle(document.body).fontFamily")
    heading_font = seed_page.evaluate("getComputedStyle(document.querySelector('h2')).fontFamily")
    assert body_font.startswith('"RK Serif"') and heading_font.startswith('"RK Sans"')


def cell(page, table: str, text: str):
    """The first header or value cell of the table whose whole text is `text`."""
    exact = re.compile(rf"^\s*{re.escape(text)}\s*$")
    return page.locator(f"table.{table}").locator("th, td").filter(has_text=exact).first


@pytest.mark.parametrize(
    "table, text",
    [
        ("t2", "105"),  # 行政许可
        ("t2", "57"),  # 行政处罚
        ("t2", "行政规范性文件"),
        ("t3", "一、本年新收政府信息公开申请数量"),
        ("t3", "1.属于国家秘密"),
        ("t3", "（七）总计"),
        ("t3", "四、结转下年度继续办理"),
        ("t4", "未经复议直接起诉"),
        ("t4", "结果维持"),
    ],
)
def test_table_cells_are_visible(seed_page, table, text):
    target = cell(seed_page, table, text)
    target.scroll_into_view_if_needed()
    assert target.is_visible()


def test_every_chart_has_alt_text(seed_page):
    alts = seed_page.locator("figure.chart img").evaluate_all("els => els.map(e => e.alt)")
    assert alts and all(len(a) > 4 for a in alts)


def test_screenshots_of_the_first_screen_and_of_each_table(seed_page, artifacts):
    first = artifacts / "seed-first-screen.png"
    seed_page.evaluate("window.scrollTo(0, 0)")
    title = seed_page.locator("h1").bounding_box()
    assert title["y"] + title["height"] < seed_page.viewport_size["height"]  # on the first screen
    seed_page.screenshot(path=str(first))
    tables = seed_page.locator("table.statutory")
    assert tables.count() == 3
    for i in range(tables.count()):
        kind = tables.nth(i).get_attribute("class").split()[-1]  # t2, t3, t4
        shot = artifacts / f"seed-table-{kind}.png"
        tables.nth(i).screenshot(path=str(shot))
        assert shot.stat().st_size > 5_000
    seed_page.screenshot(path=str(artifacts / "seed-full-page.png"), full_page=True)
    assert first.stat().st_size > 20_000


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))


def test_printing_to_a4_pdf(seed_page, artifacts):
    seed_page.emulate_media(media="print")
    try:
        pdf = seed_page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    finally:
        seed_page.emulate_media(media="screen")
    (artifacts / "seed-report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    # Six short sections and three tables: about six pages; never one, never a dozen.
    assert 4 <= pdf_pages(pdf) <= 10
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                str(artifacts / "seed-report.pdf"),
                str(artifacts / "seed-pdf-page"),
            ],
            check=False,
            timeout=120,
        )


# ------------------------------------------------------------------------------------------------
# The demo's tables: never wider than their column, on screen or on A4
# ------------------------------------------------------------------------------------------------
FITS = """els => els.map(t => {
  const box = t.getBoundingClientRect(), column = t.parentElement.getBoundingClientRect();
  const spill = [...t.querySelectorAll('th, td')].filter(c => c.scrollWidth > c.clientWidth + 1);
  return {table: t.className, width: box.width, column: column.width,
          right: box.right, page: document.documentElement.clientWidth, spill: spill.length};
})"""


@pytest.mark.parametrize(
    "media, width", [("screen", 1280), ("screen", 640), ("print", A4_TEXT_WIDTH)]
)
def test_demo_tables_fit_their_column(browser, demo_tables_page, artifacts, media, width):
    page = open_page(browser, demo_tables_page, width=width)
    try:
        page.emulate_media(media=media)
        measured = page.locator("table.statutory").evaluate_all(FITS)
        assert [m["table"] for m in measured] == ["statutory t2", "statutory t3", "statutory t4"]
        for m in measured:
            assert m["width"] <= m["column"] + 0.5, m
            assert m["right"] <= m["page"] + 0.5, m
            assert m["spill"] == 0, m  # no cell's text runs out of its cell
        t3 = page.locator("table.t3")
        t3_box = t3.bounding_box()
        column_box = page.locator("section#requests").bounding_box()
        assert t3_box["width"] <= column_box["width"] + 0.5
        t3.screenshot(path=str(artifacts / f"demo-table-t3-{media}-{width}.png"))
        assert page.seen and all(u.startswith(("file:", "data:")) for u in page.seen)
    finally:
        page.context.close()


def test_demo_prints_with_its_sample_marking(browser, demo_tables_page, artifacts):
    page = open_page(browser, demo_tables_page)
    try:
        assert page.locator(".sample-banner").is_visible()
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        (artifacts / "demo-tables.pdf").write_bytes(pdf)
        assert 2 <= pdf_pages(pdf) <= 8
    finally:
        page.context.close()
