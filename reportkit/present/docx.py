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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reportkit.contract.errors import ReportkitError
from reportkit.present import document as model
from reportkit.present import layout
from reportkit.present.ooxml import (
    XML_INVALID,
    add_run,
    child,
    off_grid,
    set_fonts,
    statutory_table,
)

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
    style = styles[name] if name in styles else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
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
        child(style.element.get_or_add_pPr(), "w:outlineLvl").set(qn("w:val"), str(outline))
    return style


def _setup_styles(doc) -> None:
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, BODY_FONT, LATIN_FONT)
    child(rpr, "w:spacing").set(qn("w:val"), str(CHAR_CONDENSE_TWIPS))
    for tag in ("w:sz", "w:szCs"):
        child(rpr, tag).set(qn("w:val"), str(SIZE_3 * 2))
    lang = child(rpr, "w:lang")
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
    h3 = _paragraph_style(
        doc, "Heading 3", "Heading3", BODY_FONT, SIZE_3, indent_chars=2, outline=2
    )
    set_fonts(h3.element.get_or_add_rPr(), BODY_FONT, LATIN_FONT)
    for h in (h1, h2, h3):
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
    grid = child(s._sectPr, "w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))

    _page_number(doc, s.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(doc, s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    if not sample:
        return  # a 公文 has no running header
    for header in (s.header, s.even_page_header):
        p = header.paragraphs[0]
        p.style = doc.styles["示例标记"]
        add_run(p, model.SAMPLE_BANNER, SONG_FONT, size=SIZE_S5, color=RED)


def _field(paragraph, instruction: str, placeholder: str, font: str, size: float) -> None:
    """A Word field (PAGE, …): begin, instruction, separate, shown value, end."""

    def fld(kind: str) -> None:
        run = add_run(paragraph, "", font, size=size)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = add_run(paragraph, "", font, size=size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld("separate")
    add_run(paragraph, placeholder, font, size=size)
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
    off_grid(p)
    add_run(p, "— ", SONG_FONT, size=SIZE_4)
    _field(p, "PAGE", "1", SONG_FONT, SIZE_4)
    add_run(p, " —", SONG_FONT, size=SIZE_4)


# ------------------------------------------------------------------------------------------------
# Blocks
# ------------------------------------------------------------------------------------------------
def _paragraph(doc, runs: list[dict[str, Any]], prefix: str = "") -> None:
    p = _para(doc, "Normal")
    if prefix:
        add_run(p, prefix, BODY_FONT, LATIN_FONT)
    for i, r in enumerate(runs):
        text, bold, italic = r["text"], bool(r.get("bold")), bool(r.get("italic"))
        if i == 0 and not prefix and bold and _LEVEL2_LEAD.match(text):
            # 公文 sets a lead-in （一）… in 楷体, not in bold 仿宋.
            add_run(p, text, KAI_FONT, LATIN_FONT, italic=italic)
        else:
            add_run(p, text, BODY_FONT, LATIN_FONT, bold=bold, italic=italic)


def _list(doc, block: dict[str, Any]) -> None:
    """Each item a body paragraph: 1. 2. … when ordered (the third level of 公文 numbering), else
    a middle dot."""
    for n, runs in enumerate(block["items"], start=1):
        _paragraph(doc, runs, prefix=f"{n}." if block.get("ordered") else "· ")


HEADING_STYLES = {
    0: ("Heading 1", HEI_FONT),
    1: ("Heading 2", KAI_FONT),
    2: ("Heading 3", BODY_FONT),
}


def _heading(doc, text: str, outline: int) -> None:
    """A section heading (outline 0, 黑体), a narrative's ## (1, 楷体) or ### and below (2, 仿宋)."""
    style, font = HEADING_STYLES[outline]
    p = _para(doc, style)
    add_run(p, text, font, LATIN_FONT if font == BODY_FONT else None)


def _caption(doc, text: str, before_table: bool) -> None:
    p = _para(doc, "图表标题")
    off_grid(p)
    p.paragraph_format.keep_with_next = before_table
    add_run(p, text, HEI_FONT)


def _chart(doc, block: dict[str, Any], number: int) -> None:
    png = model.png_bytes(block)
    width = min(float(block.get("width_mm") or layout.TEXT_WIDTH_MM), layout.TEXT_WIDTH_MM)
    p = _para(doc, "图表标题")
    off_grid(p)
    p.paragraph_format.keep_with_next = True
    run = add_run(p, "", SONG_FONT)
    run.add_picture(io.BytesIO(png), width=Mm(width))
    for doc_pr in run._r.iter(qn("wp:docPr")):
        doc_pr.set("descr", XML_INVALID.sub("", str(block.get("alt") or block.get("caption", ""))))
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
    if layout.width_chars(title) <= per_line or not title.endswith(tail) or title == tail:
        return [title]
    return [title[: -len(tail)], tail]


def _signature(doc, agency: str, date: str | None) -> None:
    """署名 and 成文日期 (§7.3.5.1): the date four characters in from the right, the agency
    centred over it."""
    # The signature never stands alone on a page: the last lines of text go with it.
    paragraphs = doc.paragraphs
    if paragraphs:
        paragraphs[-1].paragraph_format.keep_with_next = True
    for _ in range(2):
        _para(doc, "Normal").paragraph_format.keep_with_next = True
    written = model.chinese_date(date) if date else ""
    a, d = layout.width_chars(agency), layout.width_chars(written or agency)
    date_right = 4.0
    agency_right = max(0.0, date_right + (d - a) / 2)
    for text, right in ((agency, agency_right), (written, date_right)):
        if not text:
            continue
        p = _para(doc, "Normal")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        ind = p._p.get_or_add_pPr().find(qn("w:ind"))
        ind.set(qn("w:firstLineChars"), "0")
        p.paragraph_format.right_indent = Pt(right * SIZE_3)
        p.paragraph_format.keep_with_next = text == agency and bool(written)
        add_run(p, text, BODY_FONT, LATIN_FONT)


def _para(doc, style: str):
    """A new paragraph in `style`, found by name once per document: python-docx looks a style
    name up by scanning every style, for every paragraph."""
    ids = doc.__dict__.setdefault("_rk_style_ids", {})
    if not ids:
        ids.update({s.name: s.style_id for s in doc.styles})
        ids[doc.styles.default(WD_STYLE_TYPE.PARAGRAPH).name] = None
    p = doc.add_paragraph()
    if ids[style] is not None:
        p._p.get_or_add_pPr().style = ids[style]
    return p


def build_document(document: dict[str, Any]):
    """The python-docx Document for a report `document` dict (see reportkit.present.document)."""
    model.validate(document)
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
            model.parse_date(document["date"]), dt.time()
        )

    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)  # the template's empty first paragraph
    title = _para(doc, "公文标题")
    for i, line in enumerate(_title_lines(document["title"])):
        if i:
            title.runs[-1].add_break()
        add_run(title, line, TITLE_FONT)
    title.paragraph_format.space_after = Pt(LINE_PITCH_TWIPS / 20)
    if sample:
        p = _para(doc, "示例标记")
        off_grid(p)
        p.paragraph_format.space_after = Pt(SIZE_3)
        add_run(p, f"（{model.SAMPLE_MARK}）", SONG_FONT, size=SIZE_3, color=RED)

    charts = 0
    for section in document["sections"]:
        if section.get("heading"):
            _heading(doc, section["heading"], 0)
        for block in section.get("blocks", []):
            kind = block["kind"]
            if kind == "heading":
                _heading(doc, block["text"], 1 if int(block.get("level", 2)) <= 2 else 2)
            elif kind == "paragraph":
                _paragraph(doc, block["runs"])
            elif kind == "list":
                _list(doc, block)
            elif kind == "table":
                grid = layout.grid(block["table"], block["data"])
                _caption(doc, block.get("caption") or grid.caption, before_table=True)
                statutory_table(doc, grid, SONG_FONT, LATIN_FONT)
                off_grid(_para(doc, "表格文字"))  # a little air below the table
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
        model.reproducible_zip(path)
    except OSError as e:
        raise ReportkitError(f"无法写入 {path}：{e.strerror or e}") from None
