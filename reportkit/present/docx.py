"""report.docx: the report laid out as a Chinese official document (GB/T 9704-2012).

Written with python-docx: a maintained, pure-Python library (lxml underneath) that gives the
document model — sections, styles, tables, pictures — and lets us reach the raw XML where it
has no API (East Asian fonts, fields, odd/even footers, the document grid, table header rows).
Writing WordprocessingML by hand would repeat all of that; docxtpl or a LibreOffice conversion
would need a template file or a running office suite.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ..errors import ReportkitError
from . import content, layout

# ------------------------------------------------------------------------------------------------
# GB/T 9704-2012: page, type sizes (号 in points) and the fonts government PCs have
# ------------------------------------------------------------------------------------------------
PAGE_W, PAGE_H = 210, 297
TOP, BOTTOM, LEFT, RIGHT = 37, 35, 28, 26  # mm: 版心 156 × 225
LINES, CHARS = 22, 28
SIZE_2, SIZE_3, SIZE_4, SIZE_5, SIZE_S5 = 22, 16, 14, 10.5, 9  # 2号, 3号, 4号, 5号, 小5号
# 22 lines fill the 225 mm 版心: a pitch of 28.95 pt (579 twips), the "exact" spacing offices use.
LINE_PITCH_TWIPS = 579
# 28 characters a line: 16 pt characters would fill 448 pt of the 442.2 pt 版心, so every
# character is condensed by 0.25 pt (in twentieths of a point). Word's character grid
# (docGrid linesAndChars) would do the same in Word and WPS, but LibreOffice lays a grid cell
# narrower than the font out as two cells a character, spreading every line; condensed spacing
# on a line-only grid gives 22 × 28 in all three.
CHAR_CONDENSE_TWIPS = -5

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
SONG_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Where one of the fonts above is missing, Word takes the named alternative from the font table.
ALT_FONTS = {
    TITLE_FONT: "宋体",
    BODY_FONT: "仿宋",
    KAI_FONT: "楷体",
    HEI_FONT: "SimHei",
    SONG_FONT: "SimSun",
}
RED = RGBColor(0xB3, 0x26, 0x1E)

# A paragraph that opens with a bold （一）… run: that run is a second-level heading, set in 楷体.
_LEVEL2_LEAD = re.compile(r"^\s*（[一二三四五六七八九十]+）")
# Characters XML 1.0 cannot hold: dropped from user text rather than failing on them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ------------------------------------------------------------------------------------------------
# Raw XML where python-docx has no API
# ------------------------------------------------------------------------------------------------
# The order WordprocessingML requires of these elements' children (ECMA-376 Part 1, 17.3.1.26,
# 17.3.2.28, 17.4.60, 17.4.82): Word refuses a file as corrupt when a child is out of place.
SCHEMA_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW "
    "jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
    "tblDescription",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
    "tcFitText vAlign hideMark",
    "tblBorders": "top left start bottom right end insideH insideV",
    "tblCellMar": "top left start bottom right end",
}
SCHEMA_ORDER = {k: [qn(f"w:{t}") for t in v.split()] for k, v in SCHEMA_ORDER.items()}


def _child(parent, tag: str):
    """parent's `tag` child, created in the place the schema gives it when missing."""
    el = parent.find(qn(tag))
    if el is not None:
        return el
    el = OxmlElement(tag)
    order = SCHEMA_ORDER.get(parent.tag.rsplit("}", 1)[-1])
    if order and qn(tag) in order:
        later = set(order[order.index(qn(tag)) + 1 :])
        for sibling in parent:
            if sibling.tag in later:
                sibling.addprevious(el)
                return el
    parent.append(el)
    return el


def set_fonts(rpr, east_asia: str, latin: str | None = None) -> None:
    """Name the fonts of an rPr in every slot; the East Asian slot is what CJK text uses.

    Theme attributes are removed: they win over the names, and python-docx's template points
    them at a Japanese theme font (python-docx issue 1601).
    """
    fonts = _child(rpr, "w:rFonts")
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    latin = latin or east_asia
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def _run(
    paragraph,
    text: str,
    east_asia: str,
    latin: str | None = None,
    size: float | None = None,
    bold: bool = False,
    color: RGBColor | None = None,
):
    run = paragraph.add_run(_XML_INVALID.sub("", text))
    set_fonts(run._element.get_or_add_rPr(), east_asia, latin)
    if size:
        run.font.size = Pt(size)
    if bold:
        run.bold = True
    if color is not None:
        run.font.color.rgb = color
    return run


def _off_grid(paragraph) -> None:
    """Small text (tables, captions, footers) keeps its own line height instead of the 22-line grid."""
    ppr = paragraph._p.get_or_add_pPr()
    _child(ppr, "w:snapToGrid").set(qn("w:val"), "0")


def _indent_chars(ppr_format, chars: float, size: float) -> None:
    """First-line indent in characters (firstLineChars, which Word and WPS scale with the font),
    with the same length in twips for readers that ignore it."""
    ppr_format.first_line_indent = Pt(chars * size)
    ind = ppr_format.element.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(round(chars * 100)))


# ------------------------------------------------------------------------------------------------
# Styles
# ------------------------------------------------------------------------------------------------
def _paragraph_style(
    doc,
    name: str,
    style_id: str,
    font: str,
    size: float,
    *,
    base="Normal",
    latin: str | None = None,
    align=None,
    indent_chars: float | None = None,
    exact: bool = True,
    outline: int | None = None,
):
    styles = doc.styles
    style = (
        styles[name]
        if name in [s.name for s in styles]
        else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    )
    style.style_id = style_id
    if base:
        style.base_style = styles[base]
    style.quick_style = True
    set_fonts(style.element.get_or_add_rPr(), font, latin)
    style.font.size = Pt(size)
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    pf = style.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    if exact:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(LINE_PITCH_TWIPS / 20)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if align is not None:
        pf.alignment = align
    if indent_chars is not None:
        _indent_chars(pf, indent_chars, size)
    if outline is not None:
        _child(style.element.get_or_add_pPr(), "w:outlineLvl").set(qn("w:val"), str(outline))
    return style


def _setup_styles(doc) -> None:
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, BODY_FONT, LATIN_FONT)
    _child(rpr, "w:spacing").set(qn("w:val"), str(CHAR_CONDENSE_TWIPS))
    for tag in ("w:sz", "w:szCs"):
        _child(rpr, tag).set(qn("w:val"), str(SIZE_3 * 2))
    lang = _child(rpr, "w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    # Every other style of the template loses its theme fonts too, so none falls back to them.
    for rfonts in styles_el.iter(qn("w:rFonts")):
        if rfonts.get(qn("w:eastAsia")) is None:
            set_fonts(rfonts.getparent(), BODY_FONT, LATIN_FONT)

    normal = doc.styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT, LATIN_FONT)
    normal.font.size = Pt(SIZE_3)
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PITCH_TWIPS / 20)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.widow_control = True
    _indent_chars(pf, 2, SIZE_3)

    _paragraph_style(
        doc,
        "公文标题",
        "RKTitle",
        TITLE_FONT,
        SIZE_2,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent_chars=0,
        exact=False,
    )
    # Built-in heading styles, so Word's navigation pane and outline view list the sections.
    h1 = _paragraph_style(doc, "Heading 1", "Heading1", HEI_FONT, SIZE_3, indent_chars=2, outline=0)
    h2 = _paragraph_style(doc, "Heading 2", "Heading2", KAI_FONT, SIZE_3, indent_chars=2, outline=1)
    for h in (h1, h2):
        h.paragraph_format.keep_with_next = True
        h.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _paragraph_style(
        doc,
        "表格文字",
        "RKTableText",
        SONG_FONT,
        SIZE_5,
        latin=LATIN_FONT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent_chars=0,
        exact=False,
    )
    cap = _paragraph_style(
        doc,
        "图表标题",
        "RKCaption",
        HEI_FONT,
        SIZE_4,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent_chars=0,
        exact=False,
    )
    cap.paragraph_format.space_before = Pt(6)
    cap.paragraph_format.space_after = Pt(6)
    _paragraph_style(doc, "页码", "RKPageNumber", SONG_FONT, SIZE_4, indent_chars=0, exact=False)
    _paragraph_style(
        doc,
        "示例标记",
        "RKSampleMark",
        SONG_FONT,
        SIZE_S5,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent_chars=0,
        exact=False,
    )


def _setup_settings(doc) -> None:
    settings = doc.settings
    # Odd pages carry the page number on the right, even pages on the left.
    settings.odd_and_even_pages_header_footer = True
    el = settings.element
    theme_lang = el.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _setup_font_table(doc) -> None:
    """List our fonts in the font table with GB2312 charset and an installed alternative."""
    part = next(
        (p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"),
        None,
    )
    if part is None:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, alt in ALT_FONTS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
        etree.SubElement(font, qn("w:family")).set(
            qn("w:val"), "modern" if name != HEI_FONT else "swiss"
        )
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_thumbnail(doc) -> None:
    """The template's preview picture shows python-docx's blank page, not this report."""
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            pkg.rels.pop(rid)


# ------------------------------------------------------------------------------------------------
# Page: size, margins, grid, footers with page numbers, the sample mark
# ------------------------------------------------------------------------------------------------
def _setup_page(doc, sample: bool) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Mm(PAGE_W), Mm(PAGE_H)
    s.top_margin, s.bottom_margin = Mm(TOP), Mm(BOTTOM)
    s.left_margin, s.right_margin = Mm(LEFT), Mm(RIGHT)
    s.gutter = Mm(0)
    # The page number's line sits 7 mm below the 版心 (§7.5): footer bottom = 35 − 7 − one line.
    s.footer_distance = Mm(BOTTOM - 7) - Pt(SIZE_4 * 1.3)
    s.header_distance = Mm(15)
    grid = _child(s._sectPr, "w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))

    _page_number(doc, s.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(doc, s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    for header in (s.header, s.even_page_header):
        p = header.paragraphs[0]
        p.style = doc.styles["示例标记"]
        if sample:
            _run(p, content.SAMPLE_BANNER, SONG_FONT, size=SIZE_S5, color=RED)


def _field(paragraph, instruction: str, placeholder: str, font: str, size: float) -> None:
    """A Word field (PAGE, …): begin, instruction, separate, shown value, end."""

    def fld(kind: str) -> None:
        run = _run(paragraph, "", font, size=size)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = _run(paragraph, "", font, size=size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld("separate")
    _run(paragraph, placeholder, font, size=size)
    fld("end")


def _page_number(doc, footer, align) -> None:
    """「— 1 —」 in 4号 宋体, one character in from the outer edge."""
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.style = doc.styles["页码"]
    p.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = Pt(SIZE_4)
    else:
        p.paragraph_format.left_indent = Pt(SIZE_4)
    _off_grid(p)
    _run(p, "— ", SONG_FONT, size=SIZE_4)
    _field(p, "PAGE", "1", SONG_FONT, SIZE_4)
    _run(p, " —", SONG_FONT, size=SIZE_4)


# ------------------------------------------------------------------------------------------------
# Blocks
# ------------------------------------------------------------------------------------------------
def _paragraph(doc, runs: list[dict[str, Any]]) -> None:
    p = doc.add_paragraph(style="Normal")
    for i, r in enumerate(runs):
        text, bold = r["text"], bool(r.get("bold"))
        if i == 0 and bold and _LEVEL2_LEAD.match(text):
            # 公文 sets a lead-in （一）… in 楷体, not in bold 仿宋.
            _run(p, text, KAI_FONT, LATIN_FONT)
        else:
            _run(p, text, BODY_FONT, LATIN_FONT, bold=bold)


def _heading(doc, text: str, level: int) -> None:
    p = doc.add_paragraph(style="Heading 1" if level <= 1 else "Heading 2")
    font = HEI_FONT if level <= 1 else KAI_FONT
    _run(p, text, font)


def _caption(doc, text: str, before_table: bool) -> None:
    p = doc.add_paragraph(style="图表标题")
    _off_grid(p)
    p.paragraph_format.keep_with_next = before_table
    _run(p, text, HEI_FONT)


def _borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = _child(tbl_pr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = _child(borders, f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
    margins = _child(tbl_pr, "w:tblCellMar")
    for side in ("left", "right"):
        m = _child(margins, f"w:{side}")
        m.set(qn("w:w"), str(round(Mm(1).twips)))
        m.set(qn("w:type"), "dxa")
    _child(tbl_pr, "w:tblLayout").set(qn("w:type"), "fixed")


def _twips(mm: float) -> str:
    return str(round(mm / 25.4 * 1440))


def _table(doc, grid: layout.Grid) -> None:
    """The grid as a Word table: a merged cell is one w:tc spanning columns (gridSpan) and the
    first of a vertical run (vMerge restart) over the w:tc that continue it.

    Written as XML rather than with Table.cell()/merge(), which rescan the whole table on every
    call: 表三's 215 cells took seconds.
    """
    table = doc.add_table(rows=0, cols=grid.n_cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    tbl = table._tbl
    for col, width in zip(tbl.tblGrid.iter(qn("w:gridCol")), grid.widths_mm):
        col.set(qn("w:w"), _twips(width))
    starts = {(c.row, c.col): c for c in grid.cells}
    below: dict[tuple[int, int], layout.Cell] = {}  # positions a vertical merge continues into
    for c in grid.cells:
        for r in range(c.row + 1, c.row + c.rowspan):
            below[(r, c.col)] = c
    for r in range(grid.n_rows):
        tr = OxmlElement("w:tr")
        tr_pr = _child(tr, "w:trPr")
        _child(tr_pr, "w:cantSplit")
        if r < grid.header_rows:
            _child(tr_pr, "w:tblHeader")  # repeated at the top of each page the table runs onto
        height = _child(tr_pr, "w:trHeight")
        height.set(qn("w:val"), _twips(7))
        height.set(qn("w:hRule"), "atLeast")
        col = 0
        while col < grid.n_cols:
            cell = starts.get((r, col)) or below.get((r, col))
            if cell is None:
                raise ReportkitError(f"{grid.caption}第{r + 1}行第{col + 1}列没有单元格")
            tr.append(_tc(grid, cell, continued=cell.row != r))
            col += cell.colspan
        tbl.append(tr)


def _tc(grid: layout.Grid, c: layout.Cell, continued: bool):
    tc = OxmlElement("w:tc")
    tc_pr = _child(tc, "w:tcPr")
    width = _child(tc_pr, "w:tcW")
    width.set(qn("w:w"), _twips(sum(grid.widths_mm[c.col : c.col + c.colspan])))
    width.set(qn("w:type"), "dxa")
    if c.colspan > 1:
        _child(tc_pr, "w:gridSpan").set(qn("w:val"), str(c.colspan))
    if c.rowspan > 1:
        merge = _child(tc_pr, "w:vMerge")
        if not continued:
            merge.set(qn("w:val"), "restart")
    _child(tc_pr, "w:vAlign").set(qn("w:val"), "center")
    p = Paragraph(OxmlElement("w:p"), None)
    tc.append(p._p)
    p._p.get_or_add_pPr().style = "RKTableText"
    _off_grid(p)
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT if c.align == "left" else WD_ALIGN_PARAGRAPH.CENTER
    if grid.kind == "table2":
        p.paragraph_format.keep_with_next = True  # 表二 stays on one page
    if not continued:
        _run(p, c.text, SONG_FONT, LATIN_FONT, size=grid.font_pt)
    return tc


def _chart(doc, block: dict[str, Any], number: int) -> None:
    png = content.png_bytes(block)
    width = min(float(block.get("width_mm") or layout.TEXT_WIDTH_MM), layout.TEXT_WIDTH_MM)
    p = doc.add_paragraph(style="图表标题")
    _off_grid(p)
    p.paragraph_format.keep_with_next = True
    run = _run(p, "", SONG_FONT)
    run.add_picture(io.BytesIO(png), width=Mm(width))
    for doc_pr in run._r.iter(qn("wp:docPr")):
        doc_pr.set("descr", _XML_INVALID.sub("", str(block.get("alt") or block.get("caption", ""))))
    caption = block.get("caption")
    if caption:
        _caption(doc, f"图{number}　{caption}", before_table=False)


# ------------------------------------------------------------------------------------------------
# Title, signature and the whole document
# ------------------------------------------------------------------------------------------------
def _title_lines(title: str) -> list[str]:
    """A title too long for one line breaks before 「政府信息公开工作年度报告」, so no line ends
    in the middle of a phrase (大冶市应急管理局2021年 / 政府信息公开工作年度报告)."""
    tail = "政府信息公开工作年度报告"
    per_line = (PAGE_W - LEFT - RIGHT) / 25.4 * 72 / SIZE_2
    if _width_chars(title) <= per_line or not title.endswith(tail) or title == tail:
        return [title]
    return [title[: -len(tail)], tail]


def _width_chars(text: str) -> float:
    """Printed width in full-width characters: digits and Latin letters are half as wide."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def _signature(doc, agency: str, date: str | None) -> None:
    """署名 and 成文日期 (§7.3.5.1): the date four characters in from the right, the agency
    centred over it."""
    # The signature never stands alone on a page: the last lines of text go with it.
    paragraphs = doc.paragraphs
    if paragraphs:
        paragraphs[-1].paragraph_format.keep_with_next = True
    for _ in range(2):
        doc.add_paragraph(style="Normal").paragraph_format.keep_with_next = True
    written = content.chinese_date(date) if date else ""
    a, d = _width_chars(agency), _width_chars(written or agency)
    date_right = 4.0
    agency_right = max(0.0, date_right + (d - a) / 2)
    for text, right in ((agency, agency_right), (written, date_right)):
        if not text:
            continue
        p = doc.add_paragraph(style="Normal")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        ind = p._p.get_or_add_pPr().find(qn("w:ind"))
        ind.set(qn("w:firstLineChars"), "0")
        p.paragraph_format.right_indent = Pt(right * SIZE_3)
        p.paragraph_format.keep_with_next = text == agency and bool(written)
        _run(p, text, BODY_FONT, LATIN_FONT)


def build_document(document: dict[str, Any]):
    """The python-docx Document for a report `document` dict (see reportkit.present.content)."""
    content.validate(document)
    doc = Document()
    _setup_styles(doc)
    _setup_settings(doc)
    _setup_font_table(doc)
    _drop_thumbnail(doc)
    sample = bool(document.get("sample"))
    _setup_page(doc, sample)
    props = doc.core_properties
    props.title = document["title"]
    props.author = props.last_modified_by = document["agency"]
    props.comments = props.keywords = props.subject = ""
    props.category = "政府信息公开工作年度报告"
    if document.get("date"):
        props.created = props.modified = dt.datetime.combine(
            content.parse_date(document["date"]), dt.time()
        )

    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)  # the template's empty first paragraph
    title = doc.add_paragraph(style="公文标题")
    for i, line in enumerate(_title_lines(document["title"])):
        if i:
            title.runs[-1].add_break()
        _run(title, line, TITLE_FONT)
    title.paragraph_format.space_after = Pt(LINE_PITCH_TWIPS / 20)
    if sample:
        p = doc.add_paragraph(style="示例标记")
        _off_grid(p)
        p.paragraph_format.space_after = Pt(SIZE_3)
        _run(p, f"（{content.SAMPLE_MARK}）", SONG_FONT, size=SIZE_3, color=RED)

    charts = 0
    for section in document["sections"]:
        if section.get("heading"):
            _heading(doc, section["heading"], 1)
        for block in section.get("blocks", []):
            kind = block["kind"]
            if kind == "heading":
                _heading(doc, block["text"], int(block.get("level", 2)))
            elif kind == "paragraph":
                _paragraph(doc, block["runs"])
            elif kind == "table":
                grid = layout.grid(block["table"], block["data"])
                _caption(doc, block.get("caption") or grid.caption, before_table=True)
                _table(doc, grid)
                _off_grid(doc.add_paragraph(style="表格文字"))  # a little air below the table
            elif kind == "chart":
                charts += 1
                _chart(doc, block, charts)
    _signature(doc, document["agency"], document.get("date"))
    return doc


def write_docx(document: dict[str, Any], path: Path) -> None:
    """Write the report `document` as report.docx at `path`."""
    doc = build_document(document)
    try:
        doc.save(str(path))
    except OSError as e:
        raise ReportkitError(f"无法写入 {path}：{e.strerror or e}") from None
