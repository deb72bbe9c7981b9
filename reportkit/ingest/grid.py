"""Tables of a saved web page or a Word file as grids of cells, merged cells expanded."""

from __future__ import annotations

import codecs
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree

from lxml import etree

from reportkit.contract.errors import ReportkitError

MAX_COLSPAN = 64  # a typo such as colspan="300" must not blow a grid up
MAX_ROWSPAN = 500


class Cell(NamedTuple):
    """One printed cell; every grid position a merged cell covers holds the same Cell. (A tuple:
    a page has thousands, and a frozen dataclass takes three times as long to make.)"""

    text: str
    origin: int  # unique per printed cell: positions of one merged cell share it


Grid = list[list[Cell]]
EMPTY = Cell("", -1)


@dataclass
class Page:
    """What the importer needs from a file: its tables as grids, and its title candidates."""

    grids: list[Grid]
    # texts that may hold 「<机关><年>年政府信息公开工作年度报告」, best first
    titles: Iterable[str]
    encoding: str | None = None


class ExpandGrid:
    """Rows of (text, rowspan, colspan) cells -> a rectangular-enough grid of Cells."""

    def __init__(self) -> None:
        self.rows: Grid = []
        self._pending: dict[int, list] = {}  # column -> [rows still covered, cell]
        self._next_origin = 0

    def add_row(self, cells: list[tuple[str, int, int]]) -> None:
        row: list[Cell] = []
        pending = self._pending

        def fill() -> None:
            while len(row) in pending:
                left = pending[len(row)]
                row.append(left[1])
                left[0] -= 1
                if left[0] <= 0:
                    del pending[len(row) - 1]

        for text, rowspan, colspan in cells:
            if pending:
                fill()
            cell = Cell(text, self._next_origin)
            self._next_origin += 1
            if rowspan == 1 and colspan == 1:  # most cells
                row.append(cell)
                continue
            for _ in range(min(colspan, MAX_COLSPAN)):
                if rowspan > 1:
                    pending[len(row)] = [min(rowspan, MAX_ROWSPAN) - 1, cell]
                row.append(cell)
        if pending:
            fill()
        for col in sorted(c for c in pending if c >= len(row)):  # covered columns further right
            row.extend([EMPTY] * (col - len(row)))
            fill()
        self.rows.append(row)


def _span(value: str | None) -> int:
    if not value:
        return 1
    if value.isdigit():
        return int(value) or 1
    m = re.match(r"\s*(\d+)", value)
    return int(m.group(1)) if m and int(m.group(1)) > 0 else 1


# =============================================================================================
# Web pages
# =============================================================================================
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_page(data: bytes) -> tuple[str, str]:
    """The page's text and the encoding it was read with. A page's meta charset is often wrong
    (a GBK page declaring UTF-8 after a CMS migration), so bytes that are valid UTF-8 are read as
    UTF-8, then the declared encoding, then GB18030 (a superset of GBK and GB2312)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii", "ignore").lower() if m else ""
    if declared in ("gb2312", "gbk", "x-gbk", "gb_2312-80", "euc-cn"):
        declared = "gb18030"  # what those pages really hold: GB2312 pages carry GBK characters
    for name in dict.fromkeys([declared, "gb18030"]):
        if not name:
            continue
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace"), "gb18030"


def _cell_text(cell, layout: set) -> str:
    # Word pastes split a label over spans, <br>, <p> and <o:p>: the pieces join without a gap.
    if cell in layout:
        return ""  # a layout cell holding a whole table: its rows are read as that table's
    if not len(cell):  # a cell of bare text (most of a plain page's)
        return cell.text or ""
    return _text(cell)


def _text(element) -> str:
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


# lxml's plain HTML parser: lxml.html's would look up a Python class for every element it hands
# out, a third of the time of reading a page. Comments (Word's conditional ones too) are dropped.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def page_from_html(data: bytes) -> Page:
    """The tables and title candidates of a saved web page (any encoding)."""
    text, encoding = decode_page(data)
    text = _XML_DECL.sub("", text)
    if not text.strip():
        return Page([], [], encoding)
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return Page([], [], encoding)
    if root is None:
        return Page([], [], encoding)
    for bad in root.iter("script", "style", "noscript", "textarea"):
        bad.text = None  # keeps their tails: the words after a <script> are the page's
    grids = []
    tables = list(root.iter("table"))
    layout = {cell for t in tables for cell in t.iterancestors("td", "th")}
    for table in tables:
        expand = ExpandGrid()
        for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
            expand.add_row(
                [
                    (_cell_text(td, layout), _span(td.get("rowspan")), _span(td.get("colspan")))
                    for td in tr
                    if td.tag in ("td", "th")
                ]
            )
        if expand.rows:
            grids.append(expand.rows)
    return Page(grids, _html_titles(root), encoding)


def _html_titles(root) -> Iterator[str]:
    """Title candidates, best first, found only as far as they are read: most pages' <title> has
    agency and year, and then nothing else is looked at."""
    head = root.find("head")
    title = head.find("title") if head is not None else None
    if title is not None and title.text:  # found without scanning the page
        yield title.text
    for xpath in (
        "//meta[@name='ArticleTitle' or @name='title' or @property='og:title']/@content",
        "//h1|//h2|//h3",
        "//*[contains(@class, 'title') or contains(@id, 'title')]",
    ):
        for el in root.xpath(xpath)[:20]:
            text = el if isinstance(el, str) else _text(el)
            if text and len(text) < 300:
                yield str(text)
    # A title printed as centred paragraphs, the agency on one line and 「关于…年度报告」 on the next
    centred = [
        _text(el) for el in root.xpath("//p[@align='center' or contains(@style, 'center')]")[:10]
    ]
    yield from (a + b for a, b in itertools.pairwise(centred))
    yield from centred
    yield from (_text(el) for el in root.xpath("//p")[:30])


# =============================================================================================
# Word files
# =============================================================================================
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# A report's document.xml is a few MB at most; a zip that unpacks to more is a bomb, not a report.
MAX_DOCX_XML = 64 << 20


def _member(z: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """One part of the package, read no further than MAX_DOCX_XML (the header's size may lie)."""
    with z.open(name) as f:
        data = f.read(MAX_DOCX_XML + 1)
    if len(data) > MAX_DOCX_XML:
        raise ReportkitError(
            f"{path}：Word 文件的正文解压后超过 {MAX_DOCX_XML >> 20} MB，不像年度报告，未读入"
        )
    return data


def page_from_docx(path: Path) -> Page:
    """The tables (gridSpan and vMerge expanded) and first paragraphs of a .docx."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = _member(z, "word/document.xml", path)
            names = z.namelist()
            core = _member(z, "docProps/core.xml", path) if "docProps/core.xml" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError):
        raise ReportkitError(
            f"{path}：不是有效的 Word（.docx）文件，请用 Word 另存为 .docx 后再导入"
        ) from None
    try:
        body = ElementTree.fromstring(xml).find(f"{_W}body")
    except ElementTree.ParseError:
        raise ReportkitError(f"{path}：Word 文件已损坏，无法读取") from None
    grids = [_docx_grid(tbl) for tbl in body.iter(f"{_W}tbl")] if body is not None else []
    titles = []
    if core:
        m = re.search(rb"<dc:title>([^<]*)</dc:title>", core)
        if m:
            titles.append(m.group(1).decode("utf-8", "replace"))
    paragraphs = [] if body is None else body.findall(f"{_W}p")[:15]
    lines = ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in paragraphs]
    lines = [line for line in lines if line.strip()]
    # each line, then each two lines together: a title may put the agency on a line of its own
    titles += lines + [a + b for a, b in itertools.pairwise(lines)]
    return Page([g for g in grids if g], titles)


def _docx_grid(tbl) -> Grid:
    """A Word table: a cell with <w:vMerge/> (no val, or val="continue") continues the one above."""
    rows: Grid = []
    origin = 0
    for tr in tbl.findall(f"{_W}tr"):
        row: list[Cell] = []
        props = tr.find(f"{_W}trPr")
        before = props.find(f"{_W}gridBefore") if props is not None else None
        if before is not None:
            row.extend([EMPTY] * _span(before.get(f"{_W}val")))
        for tc in tr.findall(f"{_W}tc"):
            tcpr = tc.find(f"{_W}tcPr")
            span, merge = 1, None
            if tcpr is not None:
                gs = tcpr.find(f"{_W}gridSpan")
                span = min(_span(gs.get(f"{_W}val")), MAX_COLSPAN) if gs is not None else 1
                vm = tcpr.find(f"{_W}vMerge")
                merge = None if vm is None else (vm.get(f"{_W}val") or "continue")
            col = len(row)
            above = rows[-1][col] if merge == "continue" and rows and col < len(rows[-1]) else None
            if above is None:
                text = "".join(t.text or "" for t in tc.iter(f"{_W}t"))
                above = Cell(text, origin)
                origin += 1
            row.extend([above] * span)
        rows.append(row)
    return rows
