"""The content model: a section is a list of blocks that every output (HTML, Word, Excel, fragment) renders.

A block is a plain JSON-able dict, one of:

- ``{"kind": "heading", "level": 2, "text": "（一）主动公开"}``
- ``{"kind": "paragraph", "runs": [{"text": "…", "bold": True}, {"text": "…"}]}``
- ``{"kind": "list", "ordered": False, "items": [[run, …], …]}``
- ``{"kind": "table", "table": "table2" | "table3" | "table4", "caption": "…", "data": {…}}``,
  ``data`` being the ``section2`` / ``section3`` / ``section4`` object of tables.json;
- ``{"kind": "table", "table": "breakdown", "caption": "…", "data": {"columns": [...],
  "rows": [[...], ...], "note": "…"}}``: any other table (an aggregated report's breakdown by
  agency), cells as given, the first column a row header;
- ``{"kind": "chart", "caption": "…", "alt": "…", "svg": "<base64>", "png": "<base64>",
  "width_mm": 150}``.

A section notebook displays each block as a MIME bundle holding its HTML (what the analyst sees)
and the block itself under ``MIME``; the build reads the blocks back from the executed notebooks
and renders every output from them, so no output can say what another does not.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.contract import vocab
from reportkit.present import htmltables

MIME = "application/vnd.reportkit.block+json"
ANALYST_TAG = "analyst"
CHART_WIDTH_MM = 150
PNG_DPI = 200

Block = dict[str, Any]
Run = dict[str, Any]


# ------------------------------------------------------------------------------------------------
# Making blocks
# ------------------------------------------------------------------------------------------------
def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def _inline_runs(token: Any) -> list[Run]:
    """The runs of one inline token: text with bold/italic; line breaks folded as Markdown does."""
    runs: list[Run] = []
    bold = italic = False
    children = token.children or []
    for i, t in enumerate(children):
        if t.type == "strong_open":
            bold = True
        elif t.type == "strong_close":
            bold = False
        elif t.type == "em_open":
            italic = True
        elif t.type == "em_close":
            italic = False
        elif t.type in ("text", "code_inline"):
            _add(runs, t.content, bold, italic)
        elif t.type == "softbreak":
            # A line break inside a paragraph: nothing between Chinese characters, a space elsewhere.
            before = children[i - 1].content[-1:] if i else ""
            after = children[i + 1].content[:1] if i + 1 < len(children) else ""
            if not (_is_cjk(before) or _is_cjk(after)):
                _add(runs, " ", bold, italic)
        elif t.type == "hardbreak":
            _add(runs, "\n", bold, italic)
    return runs


def _add(runs: list[Run], text: str, bold: bool, italic: bool) -> None:
    if not text:
        return
    style = {k: True for k, on in (("bold", bold), ("italic", italic)) if on}
    if runs and {k: v for k, v in runs[-1].items() if k != "text"} == style:
        runs[-1]["text"] += text
    else:
        runs.append({"text": text, **style})


def narrative_blocks(markdown_text: str) -> list[Block]:
    """Filled narrative Markdown as blocks: paragraphs, headings and lists (raw HTML is text)."""
    from reportkit.compute.narrative import markdown_tokens

    blocks: list[Block] = []
    lists: list[Block] = []
    tokens = markdown_tokens(markdown_text)
    for i, t in enumerate(tokens):
        if t.type in ("bullet_list_open", "ordered_list_open"):
            lists.append({"kind": "list", "ordered": t.type == "ordered_list_open", "items": []})
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            done = lists.pop()
            if lists:  # a nested list is flattened into its parent's items
                lists[-1]["items"].extend(done["items"])
            else:
                blocks.append(done)
        elif t.type == "inline":
            opener = tokens[i - 1]
            runs = _inline_runs(t)
            if opener.type == "heading_open":
                text = "".join(r["text"] for r in runs)
                blocks.append({"kind": "heading", "level": int(opener.tag[1:]), "text": text})
            elif lists:
                lists[-1]["items"].append(runs)
            elif runs:
                blocks.append({"kind": "paragraph", "runs": runs})
    return blocks


def table_block(table: str, data: dict[str, Any]) -> Block:
    """One statutory table (``table2``…``table4``) with its tables.json data."""
    index = {"table2": 1, "table3": 2, "table4": 3}[table]
    return {"kind": "table", "table": table, "caption": htmltables.caption(index), "data": data}


def chart_block(fig: Any, alt: str, caption: str | None = None) -> Block:
    """A chart as SVG (for pages) and PNG (for Word); closes the figure."""
    from reportkit.present import charts

    try:
        if caption:  # the caption is the chart's title, set above it: not said twice
            for ax in fig.axes:
                ax.set_title("")
        svg, png = charts.svg_and_png(fig, PNG_DPI)
    finally:
        charts.close(fig)
    return {
        "kind": "chart",
        "caption": caption or "",
        "alt": alt,
        "svg": base64.b64encode(svg).decode("ascii"),
        "png": base64.b64encode(png).decode("ascii"),
        "width_mm": CHART_WIDTH_MM,
    }


# ------------------------------------------------------------------------------------------------
# Blocks as HTML (the notebook's display and report.html)
# ------------------------------------------------------------------------------------------------
def runs_html(runs: list[Run]) -> str:
    """A paragraph's runs as HTML: escaped (quotes too), line breaks as <br>, <em>/<strong>."""
    out = []
    for r in runs:
        text = html.escape(r["text"]).replace("\n", "<br>")
        if r.get("italic"):
            text = f"<em>{text}</em>"
        if r.get("bold"):
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


def _frame(data: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(data, orient="index")


def generic_table_html(block: Block) -> str:
    """A table given as columns and rows (not a statutory one): every cell escaped."""
    data = block["data"]
    esc = lambda v: html.escape(str(v), quote=False)  # noqa: E731
    head = "".join(f"<th>{esc(c)}</th>" for c in data["columns"])
    body = "".join(
        "<tr>"
        + "".join(
            f"<th>{esc(v)}</th>" if i == 0 else f"<td>{esc(v)}</td>" for i, v in enumerate(row)
        )
        + "</tr>"
        for row in data["rows"]
    )
    cap = f"<caption>{esc(block['caption'])}</caption>" if block.get("caption") else ""
    note = f'<p class="table-note">{esc(data["note"])}</p>' if data.get("note") else ""
    return (
        f'<table class="statutory generic">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{note}"
    )


def table_html(block: Block) -> str:
    data = block["data"]
    if block["table"] not in ("table2", "table3", "table4"):
        return generic_table_html(block)
    if block["table"] == "table2":
        return htmltables.table2_html(data)
    if block["table"] == "table3":
        return htmltables.table3_html(_frame(data))
    return htmltables.table4_html(_frame(data))


def block_html(block: Block) -> str:
    """One block as HTML; every text is escaped."""
    kind = block.get("kind")
    if kind == "paragraph":
        return f"<p>{runs_html(block['runs'])}</p>"
    if kind == "heading":
        level = min(max(int(block["level"]), 2), 6) + 1  # the page's h1/h2 are title and sections
        return f"<h{level}>{html.escape(block['text'], quote=False)}</h{level}>"
    if kind == "list":
        tag = "ol" if block.get("ordered") else "ul"
        items = "".join(f"<li>{runs_html(runs)}</li>" for runs in block["items"])
        return f"<{tag}>{items}</{tag}>"
    if kind == "table":
        return table_html(block)
    if kind == "chart":
        img = (
            f'<img alt="{html.escape(block["alt"], quote=True)}" '
            f'src="data:image/svg+xml;base64,{block["svg"]}">'
        )
        cap = (
            f"<figcaption>{html.escape(block['caption'])}</figcaption>" if block["caption"] else ""
        )
        return f'<figure class="chart">{cap}{img}</figure>'
    raise ValueError(f"未知的内容块：{kind!r}")


def section_html(blocks: list[Block]) -> str:
    """A section's body: its narrative wrapped as the stylesheet expects, then tables and charts."""
    out: list[str] = []
    text: list[str] = []
    for b in blocks:
        if b["kind"] in ("paragraph", "heading", "list"):
            text.append(block_html(b))
            continue
        if text:
            out.append('<div class="narrative">' + "\n".join(text) + "</div>")
            text = []
        out.append(block_html(b))
    if text:
        out.append('<div class="narrative">' + "\n".join(text) + "</div>")
    return "\n".join(out)


def display(block: Block) -> None:
    """Show a block in the notebook: its HTML for the reader, the block itself for the build."""
    from IPython.display import display as ipy_display

    ipy_display({"text/html": section_html([block]), MIME: block}, raw=True)


# ------------------------------------------------------------------------------------------------
# Reading blocks back
# ------------------------------------------------------------------------------------------------
def blocks_of(notebook: str | Path | dict[str, Any]) -> list[Block]:
    """The blocks an executed section notebook displayed, in order; analysts' cells left out."""
    nb = notebook if isinstance(notebook, dict) else json.loads(Path(notebook).read_text("utf-8"))
    found: list[Block] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        if ANALYST_TAG in (cell.get("metadata", {}).get("tags") or []):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            block = output.get("data", {}).get(MIME)
            if isinstance(block, dict):
                found.append(block)
    return found


def document(report: Any, sections: dict[str, list[Block]], date: str) -> dict[str, Any]:
    """The whole report as one JSON-able dict: what report.docx and the fragment render."""
    return {
        "title": report.title,
        "agency": report.agency,
        "year": report.year,
        "sample": bool(report.params.sample),
        "date": date,
        "sections": [
            {
                "slug": "preface",
                "heading": None,
                "blocks": narrative_blocks(report.text("preface")),
            },
            *(
                {"slug": s["slug"], "heading": s["heading"], "blocks": sections[s["slug"]]}
                for s in vocab.SECTIONS
            ),
        ],
    }
