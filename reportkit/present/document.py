"""The report `document` dict that the writers render: its shape, checked once, and its helpers.

```
{"title": str, "agency": str, "year": int, "sample": bool, "date": "YYYY-MM-DD",
 "sections": [{"slug": str, "heading": str | None, "blocks": [block, ...]}, ...]}
```
The blocks are reportkit.present.content's: heading (level, text), paragraph (runs of text with bold and
italic), list (ordered, items: lists of runs), table (table2|table3|table4, caption, data: the
section2/3/4 object of tables.json), chart (caption, alt, png: base64, width_mm; its svg is for
pages). reportkit.present.content.document() makes the dict.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

from reportkit.contract.errors import ReportkitError
from reportkit.present.layout import TABLE_KINDS, is_generic
from reportkit.present.render import SAMPLE_BANNER, SAMPLE_MARK

__all__ = ["SAMPLE_BANNER", "SAMPLE_MARK", "chinese_date", "parse_date", "png_bytes", "validate"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BLOCK_KINDS = ("heading", "paragraph", "list", "table", "chart")


def _fail(where: str, message: str) -> None:
    raise ReportkitError(f"报告内容{where}：{message}")


def validate(document: dict[str, Any]) -> None:
    """Raise ReportkitError naming the first part of `document` that is not as described above."""
    if not isinstance(document, dict):
        _fail("", "应为对象")
    for key in ("title", "agency"):
        if not isinstance(document.get(key), str) or not document[key].strip():
            _fail(f"的「{key}」", "缺失或为空")
    if document.get("date"):
        parse_date(document["date"])
    sections = document.get("sections")
    if not isinstance(sections, list):
        _fail("的「sections」", "应为章节列表")
    for i, section in enumerate(sections, start=1):
        where = f"第{i}节" + (f"「{section.get('heading')}」" if isinstance(section, dict) else "")
        if not isinstance(section, dict) or not isinstance(section.get("blocks", []), list):
            _fail(where, "应为含「blocks」列表的对象")
        if section.get("heading") is not None and not isinstance(section["heading"], str):
            _fail(where, f"标题「{section['heading']}」应为文字")
        for j, block in enumerate(section.get("blocks", []), start=1):
            _validate_block(block, f"{where}第{j}块")


def _validate_block(block: Any, where: str) -> None:
    kind = block.get("kind") if isinstance(block, dict) else None
    if kind not in BLOCK_KINDS:
        _fail(where, f"类型「{kind}」未知，应为 {'、'.join(BLOCK_KINDS)}")
    if kind == "heading" and not isinstance(block.get("text"), str):
        _fail(where, "小标题缺少文字")
    if kind == "paragraph" and not _is_runs(block.get("runs")):
        _fail(where, "段落的「runs」应为含「text」文字的列表")
    if kind == "list":
        items = block.get("items")
        if not isinstance(items, list) or not all(_is_runs(item) for item in items):
            _fail(where, "列表的「items」应为各项文字（runs）的列表")
    if kind == "table":
        if block.get("table") not in TABLE_KINDS and not is_generic(block.get("data")):
            _fail(where, f"表格「{block.get('table')}」未知，应为 table2、table3 或 table4")
        if not isinstance(block.get("data"), dict):
            _fail(where, "表格缺少「data」")
    if kind == "chart":
        png_bytes(block)
        width = block.get("width_mm")
        if width is not None and (
            isinstance(width, bool) or not isinstance(width, (int, float)) or width <= 0
        ):
            _fail(where, f"图表宽度「{width}」应为正数（毫米）")


def _is_runs(runs: Any) -> bool:
    return isinstance(runs, list) and all(
        isinstance(r, dict) and isinstance(r.get("text"), str) for r in runs
    )


def png_bytes(block: dict[str, Any]) -> bytes:
    """The chart's PNG, decoded and checked to be one, so nothing else is embedded as an image."""
    try:
        data = base64.b64decode(block.get("png") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        data = b""
    if not data.startswith(PNG_SIGNATURE):
        raise ReportkitError(f"图表「{block.get('caption', '')}」的图片不是有效的 PNG（base64）")
    return data


def parse_date(value: str | dt.date) -> dt.date:
    """成文日期 from 'YYYY-MM-DD' (or a date)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ReportkitError(f"报告内容的成文日期「{value}」应写作 2022-01-20") from None


def chinese_date(value: str | dt.date) -> str:
    """成文日期 as GB/T 9704-2012 prints it: Arabic numerals, 2022年1月20日."""
    d = parse_date(value)
    return f"{d.year}年{d.month}月{d.day}日"


def reproducible_zip(path: Path) -> None:
    """Rewrite a .docx/.xlsx package with fixed entry times, so the same report gives the same
    bytes on every machine and run (python-docx and openpyxl stamp the time of saving)."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    # openpyxl sets the package's modified time to the moment of saving: it takes the created one.
    entries = [
        (info, _modified_as_created(data) if info.filename == "docProps/core.xml" else data)
        for info, data in entries
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            z.writestr(fixed, data)


_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _modified_as_created(core: bytes) -> bytes:
    created = _CREATED.search(core)
    if not created:
        return core
    return _MODIFIED.sub(lambda m: m.group(1) + created.group(1) + m.group(2), core)
