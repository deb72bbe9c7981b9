"""report.docx: GB/T 9704 page, fonts in the East Asian slot, the statutory tables with their
merges, page numbers, charts, the sample mark; and the document as LibreOffice prints it."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Emu
from present_seed import (
    APPLICANTS,
    HEADINGS,
    SEED_TABLES,
    T3_PRINTED,
    T4_KINDS,
    T4_RESULTS,
    TITLE,
    distinct_tables,
    libreoffice_pdf,
    para,
    seed_document,
)

from reportkit.contract.errors import ReportkitError
from reportkit.present.docx import write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    write_docx(seed_document(distinct_tables()), path)
    return path


@pytest.fixture(scope="module")
def doc(docx_path):
    return Document(str(docx_path))


def tables_by_caption(doc) -> dict[str, object]:
    """Each table keyed by the caption paragraph printed just above it."""
    body = doc.element.body
    found, last_text = {}, None
    tables = iter(doc.tables)
    for el in body.iterchildren():
        if el.tag == f"{W}p":
            text = "".join(t.text or "" for t in el.iter(f"{W}t"))
            if text:
                last_text = text
        elif el.tag == f"{W}tbl":
            found[last_text] = next(tables)
    return found


# ------------------------------------------------------------------------------------------------
# Page
# ------------------------------------------------------------------------------------------------
def test_a4_with_the_gbt9704_margins(doc):
    s = doc.sections[0]
    assert round(s.page_width.mm, 1) == 210.0 and round(s.page_height.mm, 1) == 297.0
    assert [round(x.mm, 1) for x in (s.top_margin, s.bottom_margin)] == [37.0, 35.0]
    assert [round(x.mm, 1) for x in (s.left_margin, s.right_margin)] == [28.0, 26.0]
    # 版心 156 × 225 mm
    assert round(Emu(s.page_width - s.left_margin - s.right_margin).mm, 1) == 156.0
    assert round(Emu(s.page_height - s.top_margin - s.bottom_margin).mm, 1) == 225.0


def test_22_lines_of_28_characters(doc):
    normal = doc.styles["Normal"]
    # 225 mm / 22 lines = 28.98 pt; exact spacing of 28.95 pt (579 twips) and a matching grid.
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(28.95)
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    assert 22 * 28.95 <= 225 / 25.4 * 72
    # 3号 characters condensed so that 28 fit in 156 mm, but no more.
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    condense = int(defaults.find(qn("w:rPr")).find(qn("w:spacing")).get(qn("w:val"))) / 20
    width_pt = 156 / 25.4 * 72
    assert 28 * (16 + condense) <= width_pt < 29 * (16 + condense)
    assert normal.font.size.pt == 16


def test_body_paragraphs_are_indented_two_characters_and_justified(doc):
    body = next(p for p in doc.paragraphs if p.text.startswith("2021年，我局"))
    assert body.style.name == "Normal"
    ind = doc.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert doc.styles["Normal"].paragraph_format.first_line_indent.pt == 32
    assert doc.styles["Normal"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


# ------------------------------------------------------------------------------------------------
# Fonts
# ------------------------------------------------------------------------------------------------
def _parts_xml(docx_path: Path):
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(docx_path) as z:
        for name in z.namelist():
            if re.match(r"word/(document|header\d*|footer\d*)\.xml$", name):
                yield name, etree.fromstring(z.read(name))


def test_every_run_names_its_east_asian_font(docx_path):
    runs = 0
    for name, root in _parts_xml(docx_path):
        for r in root.iter(f"{W}r"):
            runs += 1
            fonts_el = r.find(f"{W}rPr/{W}rFonts")
            assert fonts_el is not None, name
            assert fonts_el.get(f"{W}eastAsia"), name
    assert runs > 100


def test_every_style_names_an_east_asian_font_and_no_theme_font(doc):
    styles = doc.styles.element
    all_fonts = list(styles.iter(qn("w:rFonts")))
    assert len(all_fonts) > 10
    for f in all_fonts:
        assert f.get(qn("w:eastAsia")), f.getparent().getparent().get(qn("w:styleId"))
        assert f.get(qn("w:eastAsiaTheme")) is None and f.get(qn("w:asciiTheme")) is None
    # Chinese, not Japanese, for the theme's East Asian script (python-docx issue 1601).
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def _east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_title_headings_and_body_in_the_official_faces(doc):
    title = doc.paragraphs[0]
    assert title.text.replace("\n", "") == TITLE
    assert {_east_asia(r) for r in title.runs} == {"方正小标宋简体"}
    assert doc.styles[title.style.name].font.size.pt == 22  # 2号
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER or (
        title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    )

    h1 = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    assert {_east_asia(r) for r in h1.runs} == {"黑体"}
    h2 = next(p for p in doc.paragraphs if p.text == "（一）存在的主要问题")
    assert {_east_asia(r) for r in h2.runs} == {"楷体_GB2312"}
    for h in (h1, h2):
        assert doc.styles[h.style.name].font.size.pt == 16  # 3号

    body = next(p for p in doc.paragraphs if p.text.startswith("2021年，我局"))
    assert {_east_asia(r) for r in body.runs} == {"仿宋_GB2312"}
    assert {r._element.rPr.rFonts.get(qn("w:ascii")) for r in body.runs} == {"Times New Roman"}

    # A bold （一）… lead-in is a second-level heading run: 楷体; the rest of the paragraph 仿宋.
    lead = next(p for p in doc.paragraphs if p.text.startswith("（一）组织保障有力。"))
    assert lead.runs[0].text == "（一）组织保障有力。"
    assert _east_asia(lead.runs[0]) == "楷体_GB2312"
    assert _east_asia(lead.runs[1]) == "仿宋_GB2312"
    # Another bold lead-in stays bold 仿宋.
    other = next(p for p in doc.paragraphs if p.text.startswith("改进情况："))
    assert other.runs[0].bold and _east_asia(other.runs[0]) == "仿宋_GB2312"


def test_font_table_offers_installed_alternatives(docx_path):
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(docx_path) as z:
        root = etree.fromstring(z.read("word/fontTable.xml"))
    alt = {
        f.get(f"{W}name"): f.find(f"{W}altName").get(f"{W}val")
        for f in root.iter(f"{W}font")
        if f.find(f"{W}altName") is not None
    }
    assert alt["仿宋_GB2312"] == "仿宋" and alt["楷体_GB2312"] == "楷体"


# ------------------------------------------------------------------------------------------------
# Content
# ------------------------------------------------------------------------------------------------
def test_the_six_headings_in_order(doc):
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == HEADINGS
    # Level 1 is an outline level, so Word's navigation pane lists the sections.
    h1 = doc.styles["Heading 1"].element.pPr.find(qn("w:outlineLvl"))
    assert h1.get(qn("w:val")) == "0"


def test_the_seed_figures_are_in_the_text(doc):
    text = "\n".join(p.text for p in doc.paragraphs)
    for figure in ("920余场次", "13万份", "329.76万元", "105件", "57件次", "4件"):
        assert figure in text


def test_signature_and_date(doc):
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[-2:] == ["大冶市应急管理局", "2022年1月20日"]
    date = next(p for p in doc.paragraphs if p.text == "2022年1月20日")
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.paragraph_format.right_indent.pt == 4 * 16  # 右空四字
    # The agency centred over the date: 8 characters over 6.5 (digits are half as wide).
    agency = [p for p in doc.paragraphs if p.text == "大冶市应急管理局"][-1]
    assert agency.paragraph_format.right_indent.pt == (4 - (8 - 6.5) / 2) * 16


def test_table2_values_and_merges(doc):
    t = tables_by_caption(doc)["表二　主动公开政府信息情况"]
    rows = [[c.text for c in r.cells] for r in t.rows]
    assert rows[0] == ["第二十条第（一）项"] * 4  # one cell across the four columns
    assert rows[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert rows[2] == ["规章", "1", "0", "1"]
    assert rows[3] == ["行政规范性文件", "3", "0", "3"]
    assert rows[4] == ["第二十条第（五）项"] * 4
    assert rows[5] == ["信息内容"] + ["本年处理决定数量"] * 3  # the value spans three columns
    assert rows[6] == ["行政许可"] + ["105"] * 3
    assert rows[7] == ["第二十条第（六）项"] * 4
    assert rows[9] == ["行政处罚"] + ["57"] * 3
    assert rows[10] == ["行政强制"] + ["4"] * 3
    assert rows[12] == ["信息内容"] + ["本年收费金额（单位：万元）"] * 3
    assert rows[13] == ["行政事业性收费"] + ["3.25"] * 3
    assert len(rows) == 14
    assert t.cell(6, 1)._tc is t.cell(6, 3)._tc


def test_table3_has_every_row_and_value(doc):
    t = tables_by_caption(doc)["表三　收到和处理政府信息公开申请情况"]
    expected = distinct_tables()["section3"]
    assert len(t.rows) == 3 + 25 and len(t.columns) == 10
    for i, (group, label, key) in enumerate(T3_PRINTED):
        row = t.rows[3 + i].cells
        if group:
            assert row[1].text.replace("\n", "") == group and row[2].text == label
        else:
            assert row[2].text == label  # a whole-width label spans the label columns
        assert [c.text for c in row[3:]] == [str(expected[key][c]) for c in APPLICANTS]


def test_table3_merges_and_repeated_header(doc):
    t = tables_by_caption(doc)["表三　收到和处理政府信息公开申请情况"]
    corner = t.cell(0, 0)
    assert corner.text.startswith("（本列数据的勾稽关系为：第一项加第二项之和")
    assert t.cell(2, 2)._tc is corner._tc  # 3 rows × 3 columns
    assert t.cell(0, 3).text == "申请人情况" and t.cell(0, 9)._tc is t.cell(0, 3)._tc
    assert t.cell(1, 3).text == "自然人" and t.cell(2, 3)._tc is t.cell(1, 3)._tc
    assert t.cell(1, 4).text == "法人或其他组织" and t.cell(1, 8)._tc is t.cell(1, 4)._tc
    assert [t.cell(2, c).text for c in range(4, 9)] == APPLICANTS[1:6]
    # 三、本年度办理结果 runs beside 22 rows: （一） to （七）总计.
    results = t.cell(5, 0)
    assert results.text == "三、本年度办理结果"
    assert all(t.cell(r, 0)._tc is results._tc for r in range(5, 27))
    assert t.cell(27, 0)._tc is not results._tc
    # A group's label breaks after its number only: （三）/不予公开, never （三）不/予公开.
    assert t.cell(7, 1).text == "（三）\n不予公开" and t.cell(14, 1)._tc is t.cell(7, 1)._tc
    header = [
        r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None for r in t.rows
    ]
    assert header == [True] * 3 + [False] * 25
    # Narrow enough for the 156 mm text column.
    widths = [int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert sum(widths) / 1440 * 25.4 == pytest.approx(156, abs=0.5)


def test_table4(doc):
    t = tables_by_caption(doc)["表四　政府信息公开行政复议、行政诉讼情况"]
    assert len(t.columns) == 15 and len(t.rows) == 4
    assert t.cell(0, 0).text == "行政复议" and t.cell(0, 4)._tc is t.cell(0, 0)._tc
    assert t.cell(0, 5).text == "行政诉讼" and t.cell(0, 14)._tc is t.cell(0, 5)._tc
    assert t.cell(1, 5).text == "未经复议直接起诉" and t.cell(1, 10).text == "复议后起诉"
    assert [t.cell(2, c).text for c in range(15)] == T4_RESULTS * 3
    assert t.cell(2, 0)._tc is t.cell(1, 0)._tc  # 行政复议's columns span two header rows
    values = distinct_tables()["section4"]
    assert [t.cell(3, c).text for c in range(15)] == [
        str(values[k][r]) for k in T4_KINDS for r in T4_RESULTS
    ]


def test_chart_is_an_image_with_its_caption(doc, docx_path):
    blips = doc.element.body.findall(".//" + qn("a:blip"))
    assert len(blips) == 1
    doc_pr = doc.element.body.find(".//" + qn("wp:docPr"))
    assert doc_pr.get("descr") == "宣传活动场次柱状图"
    extent = doc.element.body.find(".//" + qn("wp:extent"))
    assert int(extent.get("cx")) / 36000 == pytest.approx(120, abs=0.1)  # width_mm
    assert "图1　宣传活动场次（按活动类型）" in [p.text for p in doc.paragraphs]


# ------------------------------------------------------------------------------------------------
# Page numbers and the sample mark
# ------------------------------------------------------------------------------------------------
def _footer_text(footer) -> tuple[str, str]:
    xml = footer._element
    instr = "".join(t.text for t in xml.iter(qn("w:instrText")))
    return "".join(t.text or "" for t in xml.iter(qn("w:t"))), instr


def test_page_numbers_odd_right_even_left(doc):
    assert doc.settings.odd_and_even_pages_header_footer
    s = doc.sections[0]
    for footer, align in (
        (s.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        text, instr = _footer_text(footer)
        assert text == "— 1 —" and instr.strip() == "PAGE"
        p = footer.paragraphs[0]
        assert p.alignment == align
        indent = (
            p.paragraph_format.right_indent
            if align == WD_ALIGN_PARAGRAPH.RIGHT
            else (p.paragraph_format.left_indent)
        )
        assert indent.pt == 14  # one 4号 character in from the edge
        for r in p.runs:
            assert _east_asia(r) == "宋体" and r.font.size.pt == 14


def test_sample_mark_on_every_page_only_when_sample(tmp_path):
    sample, real = tmp_path / "sample.docx", tmp_path / "real.docx"
    write_docx(seed_document(sample=True), sample)
    write_docx(seed_document(sample=False), real)
    s = Document(str(sample)).sections[0]
    for header in (s.header, s.even_page_header):
        assert "示例数据" in header.paragraphs[0].text
    assert "（示例数据）" in [p.text for p in Document(str(sample)).paragraphs]
    r = Document(str(real))
    # No running header at all: a 公文 has none.
    assert r.sections[0].header.is_linked_to_previous
    assert r.sections[0].even_page_header.is_linked_to_previous
    assert all("示例数据" not in p.text for p in r.paragraphs)


# ------------------------------------------------------------------------------------------------
# Bad content is a Chinese message, not a traceback
# ------------------------------------------------------------------------------------------------
def test_a_missing_table_cell_is_named(tmp_path):
    tables = distinct_tables()
    del tables["section3"]["不予处理/重复申请"]["法律服务机构"]
    with pytest.raises(ReportkitError, match="表三.*「不予处理/重复申请」行「法律服务机构」列"):
        write_docx(seed_document(tables), tmp_path / "r.docx")


def test_a_chart_that_is_not_a_png_is_refused(tmp_path):
    document = seed_document()
    chart = document["sections"][1]["blocks"][-1]
    chart["png"] = base64.b64encode(b"<svg onload='alert(1)'/>").decode()
    with pytest.raises(ReportkitError, match="宣传活动场次.*PNG"):
        write_docx(document, tmp_path / "r.docx")


def test_control_characters_in_narrative_are_dropped(tmp_path):
    document = seed_document()
    document["sections"][6]["blocks"][0]["runs"][0]["text"] = "本年度\x0b未收取\x00信息处理费。"
    write_docx(document, tmp_path / "r.docx")
    assert "本年度未收取信息处理费。" in [
        p.text for p in Document(str(tmp_path / "r.docx")).paragraphs
    ]


# ------------------------------------------------------------------------------------------------
# As printed by LibreOffice
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pdf(tmp_path_factory, docx_path) -> Path:
    work = tmp_path_factory.mktemp("lo")
    out = libreoffice_pdf(docx_path, work)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(out), str(work / "page")], check=True, timeout=120
    )
    artifacts = os.environ.get("REPORTKIT_ARTIFACTS")
    if artifacts:
        target = Path(artifacts) / "docx"
        target.mkdir(parents=True, exist_ok=True)
        for f in [out, *work.glob("page-*.png")]:
            shutil.copy(f, target / f.name)
    return out


def _pdf_text(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_libreoffice_prints_a_few_a4_pages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 3 <= pages <= 7
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(w / 72 * 25.4), round(h / 72 * 25.4)) == (210, 297)
    assert len(list(pdf.parent.glob("page-*.png"))) == pages


def test_the_printed_text_holds_headings_and_figures(pdf):
    text = re.sub(r"\s+", "", _pdf_text(pdf, "-layout"))
    assert TITLE in text
    for heading in HEADINGS:
        assert heading in text
    for figure in ("920余场次", "13万份", "329.76万元", "行政许可105", "行政处罚57"):
        assert figure in text
    assert "—1—" in text and "—2—" in text


def test_printed_lines_hold_28_characters(pdf):
    # The first paragraph's first line: two characters of indent and 26 of text.
    lines = [ln.strip() for ln in _pdf_text(pdf, "-f", "1", "-l", "1").splitlines()]
    first = next(ln for ln in lines if ln.startswith("按照"))
    assert len(re.sub(r"\s", "", first)) == 26


def test_seed_tables_render_too(tmp_path):
    # The seed's own all-zero 表三 and 表四 print 0 in every cell, never blank.
    document = seed_document(SEED_TABLES)
    write_docx(document, tmp_path / "r.docx")
    t3 = tables_by_caption(Document(str(tmp_path / "r.docx")))[
        "表三　收到和处理政府信息公开申请情况"
    ]
    assert all(c.text == "0" for r in t3.rows[3:] for c in r.cells[3:])


def test_the_privacy_guard_reads_inside_the_docx(tmp_path):
    # A .docx is a zip: a name in it is compressed, invisible to a search of the file's bytes.
    from reportkit.ingest import privacy

    document = seed_document()
    document["sections"][6]["blocks"].append(
        {
            "kind": "paragraph",
            "runs": [
                {"text": "申请人张"},
                {"text": "三丰", "bold": True},
                {"text": "，证件号码420222199001011234。"},
            ],
        }
    )
    out = tmp_path / "out"
    out.mkdir()
    write_docx(document, out / "report.docx")
    leaks = privacy.privacy_leaks(out, {"张三丰", "420222199001011234", "李四光"})
    assert leaks == [("report.docx", "420222199001011234"), ("report.docx", "张三丰")]


# Children that Word requires in this order (ECMA-376 Part 1: pPr 17.3.1.26, rPr 17.3.2.28,
# tblPr 17.4.60); Word reports a file whose elements are out of order as corrupt.
ORDER = {
    "pPr": ["pStyle", "keepNext", "widowControl", "snapToGrid", "spacing", "ind", "jc",
            "outlineLvl", "rPr"],
    "rPr": ["rStyle", "rFonts", "b", "i", "color", "spacing", "sz", "szCs", "lang"],
    "tblPr": ["tblStyle", "tblW", "jc", "tblBorders", "tblLayout", "tblCellMar", "tblLook"],
    "tcPr": ["tcW", "gridSpan", "vMerge", "vAlign"],
}  # fmt: skip


def test_elements_are_in_schema_order(docx_path):
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(docx_path) as z:
        names = [
            n for n in z.namelist() if re.match(r"word/(document|styles|header\d*|footer\d*)", n)
        ]
        roots = {n: etree.fromstring(z.read(n)) for n in names}
    checked = 0
    for name, root in roots.items():
        for parent_tag, order in ORDER.items():
            for parent in root.iter(f"{W}{parent_tag}"):
                tags = [c.tag.removeprefix(W) for c in parent if c.tag.removeprefix(W) in order]
                assert tags == sorted(tags, key=order.index), (name, parent_tag, tags)
                checked += 1
        for br in root.iter(f"{W}br"):
            assert br.getparent().tag == f"{W}r", name  # a break lives inside a run
    assert checked > 500


def test_a_full_page_holds_22_lines_of_28_characters(tmp_path):
    text = "政府信息公开工作坚持以人民为中心的发展思想，依法公开、真实公开、规范高效、强化监督。"
    document = seed_document()
    document["sections"] = [
        {"slug": "overview", "heading": "一、总体情况", "blocks": [para(text * 6)] * 12}
    ]
    write_docx(document, tmp_path / "lines.docx")
    pdf = libreoffice_pdf(tmp_path / "lines.docx", tmp_path)
    page2 = _pdf_text(pdf, "-f", "2", "-l", "2")
    lines = [ln for ln in page2.splitlines() if ln.strip() and not ln.startswith("—")]
    assert len(lines) == 22
    # A line inside a paragraph holds 28 characters (one may hang its closing 。 in the margin).
    assert max(len(ln.strip()) for ln in lines) == 28
    assert sum(len(ln.strip()) in (27, 28) for ln in lines) == 22


def test_lists_italics_and_third_level_headings(doc):
    texts = [p.text for p in doc.paragraphs]
    assert "1.成立办理专班；" in texts and "2.主动上门沟通会商。" in texts
    item = next(p for p in doc.paragraphs if p.text == "2.主动上门沟通会商。")
    assert item.style.name == "Normal"
    assert [r.bold for r in item.runs] == [None, True, None]
    h3 = next(p for p in doc.paragraphs if p.text == "建议提案办理")
    assert h3.style.name == "Heading 3"
    assert {_east_asia(r) for r in h3.runs} == {"仿宋_GB2312"}  # third level: 仿宋
    italic = next(p for p in doc.paragraphs if p.text.startswith("全年办理政协提案1件"))
    assert [r.italic for r in italic.runs] == [None, True, None]


def test_the_privacy_guard_does_not_join_neighbouring_paragraphs(tmp_path):
    from reportkit.ingest import privacy

    document = seed_document()
    document["sections"][6]["blocks"] += [para("本段以张结尾。张"), para("三季度起开展培训。")]
    out = tmp_path / "out"
    out.mkdir()
    write_docx(document, out / "report.docx")
    assert privacy.privacy_leaks(out, {"张三"}) == []


def test_the_same_document_gives_the_same_bytes(tmp_path):
    # python-docx stamps the time of saving into the package; two builds of one report must agree.
    import time

    write_docx(seed_document(), tmp_path / "a.docx")
    time.sleep(2.1)  # zip times have a 2-second resolution
    write_docx(seed_document(), tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
