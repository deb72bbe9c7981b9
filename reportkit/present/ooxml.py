"""WordprocessingML where python-docx has no API: schema-ordered children, East Asian fonts,
runs of user text, and the statutory tables as Word tables with merged cells."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as xml_escape

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from reportkit.contract.errors import ReportkitError
from reportkit.present import layout

# Characters XML 1.0 cannot hold: dropped from user text rather than failing on them.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

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


def child(parent: BaseOxmlElement, tag: str) -> BaseOxmlElement:
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


def set_fonts(rpr: BaseOxmlElement, east_asia: str, latin: str | None = None) -> None:
    """Name the fonts of an rPr in every slot; the East Asian slot is what CJK text uses.

    Theme attributes are removed: they win over the names, and python-docx's template points
    them at a Japanese theme font (python-docx issue 1601).
    """
    fonts = child(rpr, "w:rFonts")
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    latin = latin or east_asia
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def add_run(
    paragraph: Paragraph,
    text: str,
    east_asia: str,
    latin: str | None = None,
    size: float | None = None,
    bold: bool = False,
    color: RGBColor | None = None,
    italic: bool = False,
) -> Run:
    """A run of `text` (control characters XML cannot hold dropped) with its fonts named."""
    run = paragraph.add_run(XML_INVALID.sub("", text))
    set_fonts(run._element.get_or_add_rPr(), east_asia, latin)
    if size:
        run.font.size = Pt(size)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if color is not None:
        run.font.color.rgb = color
    return run


def off_grid(paragraph: Paragraph) -> None:
    """Small text (tables, captions, footers) keeps its own line height instead of the 22-line grid."""
    ppr = paragraph._p.get_or_add_pPr()
    child(ppr, "w:snapToGrid").set(qn("w:val"), "0")


# ------------------------------------------------------------------------------------------------
# The statutory tables
# ------------------------------------------------------------------------------------------------
def _borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = child(tbl_pr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = child(borders, f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
    margins = child(tbl_pr, "w:tblCellMar")
    for side in ("left", "right"):
        m = child(margins, f"w:{side}")
        m.set(qn("w:w"), str(round(Mm(1).twips)))
        m.set(qn("w:type"), "dxa")
    child(tbl_pr, "w:tblLayout").set(qn("w:type"), "fixed")


def twips(mm: float) -> str:
    return str(round(mm / 25.4 * 1440))


def statutory_table(doc: Document, grid: layout.Grid, font: str, latin: str) -> None:
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
        col.set(qn("w:w"), twips(width))
    starts = {(c.row, c.col): c for c in grid.cells}
    below: dict[tuple[int, int], layout.Cell] = {}  # positions a vertical merge continues into
    for c in grid.cells:
        for r in range(c.row + 1, c.row + c.rowspan):
            below[(r, c.col)] = c
    rows = []
    for r in range(grid.n_rows):
        header = "<w:tblHeader/>" if r < grid.header_rows else ""  # repeated on every page
        cells = []
        col = 0
        while col < grid.n_cols:
            cell = starts.get((r, col)) or below.get((r, col))
            if cell is None:
                raise ReportkitError(f"{grid.caption}第{r + 1}行第{col + 1}列没有单元格")
            cells.append(_tc(grid, cell, cell.row != r, font, latin))
            col += cell.colspan
        rows.append(
            f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{twips(7)}" w:hRule="atLeast"/>'
            f"{header}</w:trPr>{''.join(cells)}</w:tr>"
        )
    # One parse for the whole table: python-docx's element API places every child by a schema
    # scan, which made 表三's 215 cells cost most of a second.
    for tr in parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>"):
        tbl.append(tr)


def _tc(grid: layout.Grid, c: layout.Cell, continued: bool, font: str, latin: str) -> str:
    """One cell's w:tc as XML text, its elements in the schema's order."""
    span = f'<w:gridSpan w:val="{c.colspan}"/>' if c.colspan > 1 else ""
    merge = ""
    if c.rowspan > 1:
        merge = "<w:vMerge/>" if continued else '<w:vMerge w:val="restart"/>'
    width = twips(sum(grid.widths_mm[c.col : c.col + c.colspan]))
    # Short tables (表二, 表四) stay whole on one page.
    keep = "<w:keepNext/>" if grid.kind in ("table2", "table4") else ""
    jc = "left" if c.align == "left" else "center"
    fonts = (
        f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{font}" w:cs="{latin}" '
        f'w:hint="eastAsia"/>'
    )
    size = round(grid.font_pt * 2)
    runs = []
    if not continued:
        parts = c.parts or (c.text,)
        for i, part in enumerate(parts):
            brk = "<w:br/>" if i < len(parts) - 1 else ""
            text = xml_escape(XML_INVALID.sub("", str(part)))
            runs.append(
                f'<w:r><w:rPr>{fonts}<w:sz w:val="{size}"/></w:rPr>'
                f'<w:t xml:space="preserve">{text}</w:t>{brk}</w:r>'
            )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}{merge}'
        f'<w:vAlign w:val="center"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="RKTableText"/>{keep}<w:snapToGrid w:val="0"/>'
        f'<w:jc w:val="{jc}"/></w:pPr>{"".join(runs)}</w:p></w:tc>'
    )
