"""report.html: the notebooks' leadership output, the assembled page, fonts, no requests."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import textwrap
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from helpers import ROOT, chart_html

from reportkit.compute import figures
from reportkit.compute.report import Report, open_report
from reportkit.contract.errors import ReportkitError
from reportkit.present import charts, fonts, htmltables, render

HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
SLUGS = ["overview", "proactive", "requests", "appeals", "problems", "other"]
GENERATED = dt.datetime(2022, 1, 20, 9, 30)
PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
    "rkJggg=="
)


# ------------------------------------------------------------------------------------------------
# A tiny report year, written by hand
# ------------------------------------------------------------------------------------------------
REQUESTS = """\
申请编号,收到日期,申请人类型,办理结果,办结日期
R1,2021-02-01,自然人,予以公开,2021-02-20
R2,2021-03-01,商业企业,属于国家秘密,2021-03-05
R3,2021-12-30,自然人,,
"""
APPEALS = """\
案件编号,类别,收到日期,结果,审结日期
A1,行政复议,2021-03-01,结果维持,2021-05-01
"""


def make_report(
    folder: Path, agency: str = "测试局", sample: bool = True, narrative: str = ""
) -> Report:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "requests.csv").write_text(REQUESTS, encoding="utf-8")
    (data / "appeals.csv").write_text(APPEALS, encoding="utf-8")
    params = folder / "2021.yaml"
    params.write_text(
        f"agency: '{agency}'\nyear: 2021\ndata_dir: data\nsample: {'true' if sample else 'false'}\n"
        "contact:\n  办公室: 测试局办公室\n  电话: 0714-0000000\n" + textwrap.dedent(narrative),
        encoding="utf-8",
    )
    return open_report(params=params)


def section_bodies(report: Report) -> dict[str, str]:
    bodies = {
        slug: f'<div class="narrative">{report.html(slug)}</div><p>正文{slug}</p>' for slug in SLUGS
    }
    bodies["requests"] += htmltables.table3_html(report.table3)
    bodies["appeals"] += htmltables.table4_html(report.table4)
    return bodies


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Report, str]:
    """The tiny year rendered once with the real embedded fonts (subsetting takes a few seconds)."""
    report = make_report(tmp_path_factory.mktemp("tiny"))
    return report, render.render_report(report, section_bodies(report), generated=GENERATED)


@pytest.fixture
def cheap_fonts(monkeypatch):
    """Skip the font subsetting where a test is not about fonts; records the text asked for."""
    asked: list[tuple[str, str | None]] = []

    def fake(text: str, sans_text: str | None = None) -> str:
        asked.append((text, sans_text))
        return '@font-face { font-family: "RK Serif"; src: url("data:font/woff2;base64,AAAA"); }\n'

    monkeypatch.setattr(fonts, "font_face_css", fake)
    return asked


def test_page_frame(tiny):
    _report, page = tiny
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "<title>测试局2021年政府信息公开工作年度报告</title>" in page
    assert "<h1>测试局2021年政府信息公开工作年度报告</h1>" in page
    assert '<meta charset="utf-8">' in page


def test_six_sections_in_order_with_exact_headings_and_their_bodies(tiny):
    _, page = tiny
    assert re.findall(r"<h2>(.*?)</h2>", page) == HEADINGS
    assert re.findall(r'<section id="([a-z]+)">', page) == SLUGS
    sections = re.findall(r'<section id="([a-z]+)">(.*?)</section>', page, re.DOTALL)
    for slug, content in sections:
        assert f"<p>正文{slug}</p>" in content
    requests = dict(sections)["requests"]
    assert "表三　收到和处理政府信息公开申请情况" in requests
    assert "1.属于国家秘密" in requests


def test_preface_contents_and_footer(tiny):
    report, page = tiny
    preface = re.search(r'<div class="preface">(.*?)</div>', page, re.DOTALL).group(1)
    assert report.html("preface").strip() in preface
    assert "测试局办公室" in preface
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.DOTALL).group(0)
    assert re.findall(r'<a href="#([a-z]+)">(.*?)</a>', toc) == list(zip(SLUGS, HEADINGS))
    footer = re.search(r"<footer.*?</footer>", page, re.DOTALL).group(0)
    assert "数据期间：2021年1月1日至12月31日" in footer
    assert "生成日期：2022年1月20日" in footer
    assert (
        page.index("<h1>")
        < page.index('class="preface"')
        < page.index('class="toc"')
        < page.index("<h2>")
    )


def test_sample_banner(tiny):
    _, page = tiny
    assert '<p class="sample-banner" role="note">示例数据' in page
    assert '@top-center { content: "示例数据"' in page


def test_no_banner_for_real_data(tmp_path, cheap_fonts):
    report = make_report(tmp_path, sample=False)
    page = render.render_report(report, section_bodies(report), generated=GENERATED)
    assert "示例数据" not in page


def test_self_contained_and_script_free(tiny):
    _, page = tiny
    assert render.external_references(page) == []
    assert "<script" not in page.lower()
    assert not re.search(r"https?://", page)


def test_css_typography_and_print(tiny):
    _, page = tiny
    css = re.search(r"<style>(.*)</style>", page, re.DOTALL).group(1)
    assert (
        '"RK Sans", "SimHei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif'
        in css
    )
    assert '"RK Serif", "FangSong", "SimSun", "Songti SC", "Noto Serif CJK SC", serif' in css
    assert "max-width: 40em" in css
    assert "table-layout: fixed" in css
    assert "thead { display: table-header-group; }" in css
    assert "size: A4" in css and "counter(page)" in css
    assert "break-inside: avoid" in css
    assert 'content: "图" counter(figure)' in css  # figures numbered like the tables are named
    # Every character the stylesheet prints is in the fonts' subsets.
    for printed in re.findall(r'content: "([^"]*)"', css):
        assert set(printed) <= set(render.CSS_TEXT + " "), printed


def test_embedded_fonts_cover_every_visible_character(tiny):
    _, page = tiny
    faces = dict(
        re.findall(
            r'font-family: "(RK \w+)";\s*src: url\("data:font/(?:woff2|woff);base64,([^"]+)"', page
        )
    )
    assert set(faces) == {"RK Serif", "RK Sans"}
    text, heading_text = render.visible_text(page)
    for family, needed in [("RK Serif", text), ("RK Sans", heading_text)]:
        cmap = TTFont(io.BytesIO(base64.b64decode(faces[family]))).getBestCmap()
        missing = {ch for ch in needed if not ch.isspace() and ord(ch) not in cmap}
        assert missing == set(), family
    assert "申" in heading_text and "表三" in heading_text  # headings and captions
    assert "测试局" not in heading_text  # the title is set in the serif face, like 小标宋
    assert "数据期间" not in heading_text  # the footer is body text
    assert len(faces["RK Serif"]) < 1_500_000


def test_visible_text_skips_styles_and_scripts():
    page = (
        "<style>p{content:'样式'}</style><h2>标题</h2><p>正文<b>粗</b></p>"
        "<script>脚本</script><caption>表</caption>"
    )
    assert render.visible_text(page) == ("标题正文粗表", "标题表")
    page = "<h1>题目</h1><figure><figcaption>图题</figcaption></figure><p class='x sans'>目录</p>"
    assert render.visible_text(page) == ("题目图题目录", "图题目录")


def test_title_and_narrative_are_escaped(tmp_path, cheap_fonts):
    narrative = "narrative:\n  五、存在的主要问题及改进情况: '<script>alert(1)</script> 问题'\n"
    report = make_report(tmp_path, agency="A&B<局>", narrative=narrative)
    page = render.render_report(report, section_bodies(report), generated=GENERATED)
    assert "<title>A&amp;B&lt;局&gt;2021年政府信息公开工作年度报告</title>" in page
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 问题" in page
    # The subset is asked for the text a reader sees, headings apart.
    text, sans = cheap_fonts[-1]
    assert "A&B<局>2021年" in text and "A&B" not in sans  # the title is in the serif face
    assert "@font-face" not in text


def test_missing_section_body_is_an_error(tmp_path, cheap_fonts):
    report = make_report(tmp_path)
    bodies = section_bodies(report)
    del bodies["appeals"]
    with pytest.raises(ReportkitError, match="四、政府信息公开行政复议、行政诉讼情况"):
        render.render_report(report, bodies, generated=GENERATED)


def test_a_body_loading_from_elsewhere_is_refused(tmp_path, cheap_fonts):
    report = make_report(tmp_path)
    bodies = section_bodies(report)
    bodies["overview"] += '<img alt="x" src="https://example.org/logo.png">'
    with pytest.raises(ReportkitError, match="example.org"):
        render.render_report(report, bodies, generated=GENERATED)


# ------------------------------------------------------------------------------------------------
# external_references
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "html, found",
    [
        ('<img src="https://a.example/x.png">', ["https://a.example/x.png"]),
        ('<script src="//cdn.example/require.js"></script>', ["//cdn.example/require.js"]),
        ('<link rel="stylesheet" href="style.css">', ["style.css"]),
        ('<a href="http://www.gov.cn">网站</a>', ["http://www.gov.cn"]),
        ("<style>@font-face{src:url('fonts/x.woff2')}</style>", ["fonts/x.woff2"]),
        ('<style>@import "print.css";</style>', ["print.css"]),
        (
            '<div style="background: url(http://a.example/bg.png)"></div>',
            ["http://a.example/bg.png"],
        ),
        ('<img srcset="a.png 1x, data:image/png;base64,AA 2x">', ["a.png"]),
        ('<a href="#overview">一</a><img src="data:image/svg+xml;base64,AAAA">', []),
        ('<style>@font-face{src:url("data:font/woff2;base64,AAAA")}</style>', []),
        ("<p>文字里的 http://example.org 不是引用</p>", []),
    ],
)
def test_external_references(html, found):
    assert render.external_references(html) == found


# ------------------------------------------------------------------------------------------------
# The sample years, when the checkout has them
# ------------------------------------------------------------------------------------------------
@pytest.mark.skipif(
    not (ROOT / "params" / "demo" / "2022.yaml").is_file(), reason="no sample params"
)
def test_demo_year_renders_self_contained():
    report = open_report(params=ROOT / "params" / "demo" / "2022.yaml")
    bodies = section_bodies(report)
    bodies["proactive"] += htmltables.table2_html(report.table2)
    bodies["overview"] += chart_html(
        charts.outreach_by_type(figures.outreach_by_type(report.ledgers, report.year)),
        alt="宣传活动场次",
    )
    page = render.render_report(report, bodies, generated=GENERATED)
    assert re.findall(r"<h2>(.*?)</h2>", page) == HEADINGS
    assert render.external_references(page) == []
    assert "示例数据" in page
    assert len(page.encode("utf-8")) < 2_000_000


# ------------------------------------------------------------------------------------------------
# fonts
# ------------------------------------------------------------------------------------------------
def test_font_subset_holds_the_text_ascii_and_punctuation():
    data = fonts.subset_font(fonts.SANS_FILE, "政府信息公开")
    assert data[:4] == b"wOFF"
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "政府信息公开AZaz09，。、（）：“”")
    assert ord("龘") not in cmap
    assert len(data) < 60_000


def test_a_subset_draws_each_glyph_as_the_whole_font_does():
    """Cut down, hints off and its header's box left as the whole font's: the outlines are the
    same point for point, so the page looks as it would with the whole font installed."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen

    text = "政府信息公开年度报告，（一）123"
    sub = TTFont(io.BytesIO(fonts.subset_font(fonts.SERIF_FILE, text)))
    whole = TTFont(fonts.SERIF_FILE, lazy=True)

    def outline(font, ch):
        glyphs = font.getGlyphSet()
        pen = DecomposingRecordingPen(glyphs)
        glyphs[font.getBestCmap()[ord(ch)]].draw(pen)
        return pen.value

    for ch in "政报，（1":
        assert outline(sub, ch) == outline(whole, ch), ch
        assert outline(sub, ch)  # a real outline, not an empty glyph
    assert sub["head"].xMin == whole["head"].xMin and sub["head"].yMax == whole["head"].yMax


def test_font_face_css_rules():
    css = fonts.font_face_css("正文", sans_text="标题")
    assert css.count("@font-face") == 2
    assert 'font-family: "RK Serif";' in css and 'font-family: "RK Sans";' in css
    # WOFF, which Internet Explorer 11 and older 360/QQ browsers read too (WOFF2 they do not)
    assert 'src: url("data:font/woff;base64,' in css and 'format("woff")' in css
    assert render.external_references(f"<style>{css}</style>") == []


# ------------------------------------------------------------------------------------------------
# The subset cache
# ------------------------------------------------------------------------------------------------
CACHE_TEXT = "政府信息公开工作年度报告（缓存）"


def cached_files(cache_home: Path) -> list[Path]:
    folder = cache_home / "reportkit" / "fonts"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_cache_folder_follows_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert fonts.cache_dir() == tmp_path / "xdg" / "reportkit" / "fonts"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if fonts.os.name != "nt":
        assert fonts.cache_dir() == tmp_path / "home" / ".cache" / "reportkit" / "fonts"


def test_a_warm_call_subsets_nothing_and_gives_the_same_css(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cold = fonts.font_face_css(CACHE_TEXT, "标题")
    assert [p.suffix for p in cached_files(tmp_path)] == [".woff", ".woff"]

    def no_subsetting(*args, **kwargs):
        raise AssertionError("a cached subset was made again")

    monkeypatch.setattr(fonts, "subset_font", no_subsetting)
    warm = fonts.font_face_css(CACHE_TEXT, "标题")
    assert warm == cold
    # The key is the character set: the same characters in another order hit the same entry.
    fonts.font_face_css(CACHE_TEXT[::-1] + CACHE_TEXT, "题标")
    assert len(cached_files(tmp_path)) == 2


def test_an_unwritable_cache_folder_is_silently_skipped(monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    data = fonts.cached_subset(fonts.SANS_FILE, CACHE_TEXT)
    assert ord("缓") in TTFont(io.BytesIO(data)).getBestCmap()
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_a_damaged_cache_entry_is_replaced(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    good = fonts.cached_subset(fonts.SANS_FILE, CACHE_TEXT)
    (entry,) = cached_files(tmp_path)
    entry.write_bytes(b"half a fo")
    assert fonts.cached_subset(fonts.SANS_FILE, CACHE_TEXT) == good
    assert entry.read_bytes() == good


# ------------------------------------------------------------------------------------------------
# Prepared fonts (a batch's copy of each face cut to GB 2312, so that reports' subsets are quicker)
# ------------------------------------------------------------------------------------------------
# GB 2312 in the kit; a few characters here, so that preparing takes a second, not fifteen.
SMALL_PREPARED = "政府信息公开工作年度报告标题（缓存）" + fonts.BASE_CHARS


@pytest.fixture
def small_prepared(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    charset = fonts._charset(SMALL_PREPARED)
    monkeypatch.setattr(fonts, "_prepared_charset", lambda: charset)
    monkeypatch.setattr(fonts, "_prepared_set", lambda: frozenset(charset))
    sources = []
    cut = fonts._cut

    def watched(source, charset, flavor, clean):
        sources.append("prepared copy" if isinstance(source, io.BytesIO) else "whole font")
        return cut(source, charset, flavor, clean)

    monkeypatch.setattr(fonts, "_cut", watched)
    return sources


def prepared_files(cache_home: Path) -> list[Path]:
    return sorted((cache_home / "reportkit" / "fonts").glob("*.otf"))


def test_a_subset_cut_from_the_prepared_copy_is_the_same_bytes(small_prepared, tmp_path):
    whole = fonts.subset_font(fonts.SANS_FILE, "年度报告（缓存）")
    assert small_prepared == ["whole font"]
    assert fonts.prepare(fonts.SANS_FILE) is True
    assert [p.name.startswith("NotoSansCJKsc-Regular-") for p in prepared_files(tmp_path)] == [True]
    small_prepared.clear()
    assert fonts.subset_font(fonts.SANS_FILE, "年度报告（缓存）") == whole
    assert small_prepared == ["prepared copy"]
    # A character the copy does not hold: the whole font, and the character is there.
    small_prepared.clear()
    data = fonts.subset_font(fonts.SANS_FILE, "年度报告龘")
    assert small_prepared == ["whole font"]
    assert ord("龘") in TTFont(io.BytesIO(data)).getBestCmap()
    # Preparing again finds the copy and makes nothing.
    small_prepared.clear()
    assert fonts.prepare(fonts.SANS_FILE) is True and small_prepared == []


def test_a_damaged_prepared_copy_is_not_used_and_is_removed(small_prepared, tmp_path):
    whole = fonts.subset_font(fonts.SANS_FILE, "标题")
    fonts.prepare(fonts.SANS_FILE)
    (copy,) = prepared_files(tmp_path)
    copy.write_bytes(copy.read_bytes()[:5000])
    small_prepared.clear()
    assert fonts.subset_font(fonts.SANS_FILE, "标题") == whole
    assert small_prepared == ["whole font"] and not copy.exists()


def test_a_big_batch_prepares_the_fonts_first_and_a_small_one_does_not(monkeypatch, caplog):
    from reportkit.pipeline import batch

    made = []
    monkeypatch.setattr(fonts, "prepared_all", lambda: False)
    monkeypatch.setattr(fonts, "prepare_all", lambda: made.append("both faces"))
    batch._prepare_fonts(fonts.PREPARED_AT - 1)
    assert made == []
    batch._prepare_fonts(fonts.PREPARED_AT)
    assert made == ["both faces"]

    def full_disk():
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fonts, "prepare_all", full_disk)
    with caplog.at_level("INFO", logger="reportkit"):
        batch._prepare_fonts(fonts.PREPARED_AT)  # a warning, not a failed batch
    assert "网页字体未能预先准备" in caplog.text and "No space left on device" in caplog.text


def test_no_prepared_copy_is_made_where_it_could_not_be_kept(small_prepared, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert fonts.prepare(fonts.SANS_FILE) is False
    assert small_prepared == []  # not cut for nothing
    fonts.prepare_all()
    assert small_prepared == [] and blocker.read_text(encoding="utf-8").startswith("a file")


def test_only_files_the_cache_wrote_are_ever_removed_from_its_folder(
    small_prepared, tmp_path, monkeypatch
):
    folder = tmp_path / "reportkit" / "fonts"
    folder.mkdir(parents=True)
    theirs = [folder / "NotoSansCJKsc-Regular-my-own-copy.otf", folder / "notes.woff"]
    for p in theirs:
        p.write_bytes(b"not the kit's")
    old_copy = folder / f"NotoSansCJKsc-Regular-{'a' * 32}-{'b' * 16}.otf"  # an earlier version's
    old_copy.write_bytes(b"OTTO an older copy")
    monkeypatch.setattr(fonts, "CACHE_ENTRIES", 0)  # prune every subset it may
    assert fonts.prepare(fonts.SANS_FILE) is True
    fonts.cached_subset(fonts.SANS_FILE, "标题")
    assert all(p.read_bytes() == b"not the kit's" for p in theirs)
    assert not old_copy.exists()
