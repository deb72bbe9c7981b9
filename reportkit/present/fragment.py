"""report-fragment.html: the report body for a portal's article editor — inline styles only.

Portal editors (UEditor, KindEditor, TinyMCE and the like) drop <style>, <script>, <link> and
font declarations and often anything outside a small set of tags, so the fragment uses only
headings, paragraphs, lists, <strong>/<em>, tables with rowspan/colspan and <img> with a data: PNG, and puts
every rule it needs (borders, alignment, widths) in style attributes. No font is named: the
portal's own stylesheet sets the type.
"""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from reportkit.present import document as model
from reportkit.present import layout
from reportkit.present.content import runs_html

_P = "margin:0 0 0.6em;text-indent:2em;text-align:justify;line-height:1.8"
_H2 = "margin:1.2em 0 0.5em;font-size:1.25em;font-weight:bold"
_H3 = "margin:0.8em 0 0.4em;font-size:1.1em;font-weight:bold"
_H4 = "margin:0.6em 0 0.3em;font-size:1em;font-weight:bold"
_LIST = "margin:0 0 0.6em;padding-left:2em"
_LI = "margin:0 0 0.3em;line-height:1.8"
_CAPTION = "margin:0.8em 0 0.4em;text-align:center;text-indent:0;font-weight:bold"
_TABLE = "width:100%;max-width:100%;border-collapse:collapse;border:1px solid #000;margin:0 0 1em"
_CELL = "border:1px solid #000;padding:4px 6px;vertical-align:middle;text-align:{align}"
_SAMPLE = "margin:0 0 1em;padding:0.4em;text-align:center;text-indent:0;color:#8c1d18;border:1px solid #b3261e"
_FIGURE = "margin:0.6em 0 0.2em;text-align:center;text-indent:0"
_FIG_CAPTION = "margin:0 0 1em;text-align:center;text-indent:0"


def _span(rowspan: int, colspan: int) -> str:
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )


def _table(grid: layout.Grid, caption: str) -> str:
    rows: list[list[str]] = [[] for _ in range(grid.n_rows)]
    for c in sorted(grid.cells, key=lambda c: (c.row, c.col)):
        tag = "td" if c.kind == "value" else "th"
        style = _CELL.format(align=c.align)
        if tag == "th":
            style += ";font-weight:normal"
        rows[c.row].append(
            f'<{tag}{_span(c.rowspan, c.colspan)} style="{style}">{escape(c.text)}</{tag}>'
        )
    cols = "".join(
        f'<col style="width:{w / layout.TEXT_WIDTH_MM * 100:.1f}%">' for w in grid.widths_mm
    )
    head = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[: grid.header_rows])
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[grid.header_rows :])
    return (
        f'<p style="{_CAPTION}">{escape(caption)}</p>\n'
        f'<table style="{_TABLE}"><colgroup>{cols}</colgroup>'
        + (f"<thead>{head}</thead>" if head else "")
        + f"<tbody>{body}</tbody></table>"
    )


def _chart(block: dict[str, Any], number: int) -> str:
    # Re-encoded from the checked bytes, so nothing but base64 reaches the attribute.
    data = base64.b64encode(model.png_bytes(block)).decode("ascii")
    width = min(float(block.get("width_mm") or layout.TEXT_WIDTH_MM), layout.TEXT_WIDTH_MM)
    percent = width / layout.TEXT_WIDTH_MM * 100
    alt = escape(str(block.get("alt") or block.get("caption") or ""), quote=True)
    img = (
        f'<p style="{_FIGURE}"><img src="data:image/png;base64,{data}" alt="{alt}" '
        f'style="width:{percent:.0f}%;max-width:100%;height:auto"></p>'
    )
    caption = block.get("caption")
    if caption:
        img += f'\n<p style="{_FIG_CAPTION}">图{number}　{escape(caption)}</p>'
    return img


def render_fragment(document: dict[str, Any]) -> str:
    """The report body as HTML with inline styles; the portal supplies the page and its title."""
    model.validate(document)
    parts: list[str] = []
    if document.get("sample"):
        parts.append(f'<p style="{_SAMPLE}">{escape(model.SAMPLE_BANNER)}</p>')
    charts = 0
    for section in document["sections"]:
        if section.get("heading"):
            parts.append(f'<h2 style="{_H2}">{escape(section["heading"])}</h2>')
        for block in section.get("blocks", []):
            kind = block["kind"]
            if kind == "heading":
                # Sections are h2; a narrative's own headings (## or ###) go below them.
                tag = "h3" if int(block.get("level", 2)) <= 2 else "h4"
                style = _H3 if tag == "h3" else _H4
                parts.append(f'<{tag} style="{style}">{escape(block["text"])}</{tag}>')
            elif kind == "paragraph":
                parts.append(f'<p style="{_P}">{runs_html(block["runs"])}</p>')
            elif kind == "list":
                tag = "ol" if block.get("ordered") else "ul"
                items = "".join(f'<li style="{_LI}">{runs_html(i)}</li>' for i in block["items"])
                parts.append(f'<{tag} style="{_LIST}">{items}</{tag}>')
            elif kind == "table":
                grid = layout.grid(block["table"], block["data"])
                parts.append(_table(grid, block.get("caption") or grid.caption))
            elif kind == "chart":
                charts += 1
                parts.append(_chart(block, charts))
    if document.get("date"):
        right = "margin:1.5em 0 0;text-align:right;text-indent:0"
        parts.append(f'<p style="{right}">{escape(document["agency"])}</p>')
        parts.append(
            f'<p style="margin:0;text-align:right;text-indent:0">'
            f"{escape(model.chinese_date(document['date']))}</p>"
        )
    return "\n".join(parts) + "\n"
