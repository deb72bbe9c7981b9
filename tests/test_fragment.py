"""report-fragment.html: the body alone, inline styles only, every text escaped; and pasted
into a contenteditable in Chromium, its tables keep their structure."""

from __future__ import annotations

import base64
import re
import shutil
from html.parser import HTMLParser

import pytest
from present_seed import (
    APPLICANTS,
    HEADINGS,
    T3_PRINTED,
    T4_KINDS,
    T4_RESULTS,
    distinct_tables,
    seed_document,
)
from present_seed import png as seed_png

from reportkit.contract.errors import ReportkitError
from reportkit.present.fragment import render_fragment

ALLOWED = {
    "h2", "h3", "h4", "p", "strong", "em", "br", "ol", "ul", "li", "table", "colgroup", "col",
    "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip


class Parsed(HTMLParser):
    """Every element (tag, attrs), and each table as a list of rows of (tag, attrs, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.tables: list[list[list[tuple[str, dict, str]]]] = []
        self.text: list[str] = []
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("th", "td"):
            self._cell = [tag, a, ""]

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell:
            self.tables[-1][-1].append(tuple(self._cell))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell[2] += data


def parse(html: str) -> Parsed:
    p = Parsed()
    p.feed(html)
    p.close()
    return p


def expand(rows) -> list[list[str]]:
    """A table's rows of cells, spans expanded: the text at every (row, column) of the grid."""
    grid: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for _tag, attrs, text in row:
            while (r, c) in grid:
                c += 1
            for dr in range(int(attrs.get("rowspan", 1))):
                for dc in range(int(attrs.get("colspan", 1))):
                    grid[(r + dr, c + dc)] = text
            c += int(attrs.get("colspan", 1))
    n_rows = max(r for r, _ in grid) + 1
    n_cols = max(c for _, c in grid) + 1
    return [[grid.get((r, c)) for c in range(n_cols)] for r in range(n_rows)]


@pytest.fixture(scope="module")
def fragment() -> str:
    return render_fragment(seed_document(distinct_tables()))


@pytest.fixture(scope="module")
def parsed(fragment) -> Parsed:
    return parse(fragment)


# ------------------------------------------------------------------------------------------------
# What the fragment holds
# ------------------------------------------------------------------------------------------------
def test_only_body_tags_no_style_script_link_or_font(fragment, parsed):
    tags = {t for t, _ in parsed.elements}
    assert tags <= ALLOWED, tags - ALLOWED
    for tag, attrs in parsed.elements:
        assert set(attrs) <= {"style", "rowspan", "colspan", "src", "alt"}, (tag, attrs)
        style = attrs.get("style") or ""
        assert "font-family" not in style and "url(" not in style and "@" not in style
    assert not re.search(
        r"<(html|head|body|style|script|link|meta|font)\b", fragment, re.IGNORECASE
    )
    assert "@font-face" not in fragment and "<!--" not in fragment


def test_headings_in_order_and_figures(parsed):
    h2 = []
    for i, (tag, _) in enumerate(parsed.elements):
        if tag == "h2":
            h2.append(i)
    text = "".join(parsed.text)
    positions = [text.index(h) for h in HEADINGS]
    assert positions == sorted(positions) and len(h2) == 6
    for figure in ("920余场次", "13万份", "329.76万元", "105件", "57件次"):
        assert figure in text
    assert "大冶市应急管理局" in text and "2022年1月20日" in text


def test_bold_lead_ins_are_strong(fragment):
    assert "<strong>（一）组织保障有力。</strong>" in fragment


def test_headings_lists_and_italics(fragment, parsed):
    assert re.search(r"<h3 [^>]*>（一）存在的主要问题</h3>", fragment)
    assert re.search(r"<h4 [^>]*>建议提案办理</h4>", fragment)
    assert re.search(
        r"<ol [^>]*><li [^>]*>成立办理专班；</li><li [^>]*><strong>主动上门沟通</strong>会商。</li></ol>",
        fragment,
    )
    assert "<em>委员表示满意</em>" in fragment


def test_tables_are_ruled_with_inline_styles(parsed):
    assert len(parsed.tables) == 3
    for tag, attrs in parsed.elements:
        if tag == "table":
            assert "border-collapse:collapse" in attrs["style"]
        if tag in ("th", "td"):
            assert "border:1px solid #000" in attrs["style"]
            assert "vertical-align:middle" in attrs["style"]
        if tag == "td":
            assert "text-align:center" in attrs["style"]


def test_table2_layout(parsed):
    t2 = expand(parsed.tables[0])
    assert t2[0] == ["第二十条第（一）项"] * 4
    assert t2[2] == ["规章", "1", "0", "1"]
    assert t2[3] == ["行政规范性文件", "3", "0", "3"]
    assert t2[6] == ["行政许可", "105", "105", "105"]  # one cell over three columns
    assert t2[9] == ["行政处罚", "57", "57", "57"]
    assert t2[10] == ["行政强制", "4", "4", "4"]
    assert t2[13] == ["行政事业性收费", "3.25", "3.25", "3.25"]


def test_table3_every_value_and_merge(parsed):
    rows = parsed.tables[1]
    t3 = expand(rows)
    assert len(t3) == 28 and len(t3[0]) == 10
    expected = distinct_tables()["section3"]
    for i, (group, label, key) in enumerate(T3_PRINTED):
        row = t3[3 + i]
        assert row[2] == label
        if group:
            assert row[1] == group
        assert row[3:] == [str(expected[key][c]) for c in APPLICANTS]
    spans = {text: (int(a.get("rowspan", 1)), int(a.get("colspan", 1))) for r in rows
             for _t, a, text in r}  # fmt: skip
    assert spans["三、本年度办理结果"] == (22, 1)
    assert spans[t3[0][0]] == (3, 3) and t3[0][0].startswith("（本列数据的勾稽关系为")
    assert spans["申请人情况"] == (1, 7) and spans["法人或其他组织"] == (1, 5)
    assert spans["（三）不予公开"] == (8, 1) and spans["（六）其他处理"] == (3, 1)


def test_table4_values(parsed):
    t4 = expand(parsed.tables[2])
    values = distinct_tables()["section4"]
    assert t4[3] == [str(values[k][r]) for k in T4_KINDS for r in T4_RESULTS]
    assert t4[0][0] == "行政复议" and t4[0][5] == "行政诉讼" and t4[1][10] == "复议后起诉"


def test_chart_is_an_inline_png(parsed):
    imgs = [a for t, a in parsed.elements if t == "img"]
    assert len(imgs) == 1
    src = imgs[0]["src"]
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == seed_png()
    assert imgs[0]["alt"] == "宣传活动场次柱状图"
    assert "图1　宣传活动场次（按活动类型）" in "".join(parsed.text)


def test_all_text_is_escaped():
    document = seed_document()
    document["sections"][6]["blocks"][0]["runs"] = [
        {"text": '<script>alert("x")</script> & <img src=x onerror=alert(1)>'}
    ]
    document["sections"][1]["blocks"][-1]["alt"] = '"><script>alert(1)</script>'
    html = render_fragment(document)
    assert "<script" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in html
    p = parse(html)
    assert all(t != "script" for t, _ in p.elements)
    assert [a["alt"] for t, a in p.elements if t == "img"] == ['"><script>alert(1)</script>']


def test_a_chart_that_is_not_a_png_is_refused():
    document = seed_document()
    document["sections"][1]["blocks"][-1]["png"] = base64.b64encode(b"GIF89a...").decode()
    with pytest.raises(ReportkitError, match="PNG"):
        render_fragment(document)


def test_sample_mark_only_when_sample():
    assert "示例数据" in render_fragment(seed_document(sample=True))
    assert "示例数据" not in render_fragment(seed_document(sample=False))


# ------------------------------------------------------------------------------------------------
# Pasted into an editor in Chromium
# ------------------------------------------------------------------------------------------------
EDITOR = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>
<body><div id="editor" contenteditable="true" style="width:800px;min-height:200px"></div></body>
</html>"""


@pytest.fixture(scope="module")
def pasted(tmp_path_factory, fragment):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    page_file = tmp_path_factory.mktemp("editor") / "editor.html"
    page_file.write_text(EDITOR, encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        context = browser.new_context(offline=True)
        page = context.new_page()
        page.goto(page_file.as_uri())
        # A real paste: Ctrl+C puts the fragment on the clipboard as text/html (as copying it
        # from another page would), Ctrl+V pastes it through the editor's clipboard path.
        page.evaluate(
            """html => document.addEventListener('copy', e => {
                   e.clipboardData.setData('text/html', html);
                   e.clipboardData.setData('text/plain', '');
                   e.preventDefault();
               }, {once: true})""",
            fragment,
        )
        page.focus("#editor")
        page.keyboard.press("Control+C")
        page.keyboard.press("Control+V")
        page.wait_for_function("document.querySelectorAll('#editor table').length > 0")
        yield page
        browser.close()


def test_pasted_tables_keep_rows_spans_and_borders(pasted):
    shape = pasted.evaluate(
        """() => [...document.querySelectorAll('#editor table')].map(t => ({
            rows: t.rows.length,
            cells: [...t.rows].map(r => [...r.cells].map(c => [c.textContent, c.rowSpan,
                                                                c.colSpan])),
            border: getComputedStyle(t.rows[t.rows.length - 1].cells[0]).borderTopStyle,
        }))"""
    )
    assert [t["rows"] for t in shape] == [14, 28, 4]
    assert all(t["border"] == "solid" for t in shape)
    t3 = {text: (rs, cs) for row in shape[1]["cells"] for text, rs, cs in row}
    assert t3["三、本年度办理结果"] == (22, 1)
    assert t3["申请人情况"] == (1, 7)
    assert t3["（三）不予公开"] == (8, 1)
    # The first value row of 表三 and the 表四 row, read back from the editor.
    first = [c[0] for c in shape[1]["cells"][3]]
    expected = distinct_tables()
    assert first[-7:] == [
        str(expected["section3"]["本年新收政府信息公开申请数量"][c]) for c in APPLICANTS
    ]
    assert [c[0] for c in shape[2]["cells"][3]] == [
        str(expected["section4"][k][r]) for k in T4_KINDS for r in T4_RESULTS
    ]


def test_pasted_headings_and_image(pasted):
    headings = pasted.evaluate(
        "[...document.querySelectorAll('#editor h2')].map(h => h.textContent)"
    )
    assert headings == HEADINGS
    loaded = pasted.evaluate(
        """() => Promise.all([...document.querySelectorAll('#editor img')].map(i =>
              i.complete ? i.naturalWidth : new Promise(r => i.onload = () => r(i.naturalWidth))))"""
    )
    assert loaded == [240]
