"""The review's three files: review.json, review.xlsx (reports and findings) and review.html (one
self-contained page, sortable by a few lines of inline script)."""

from __future__ import annotations

from pathlib import Path

from reportkit.checks import run as checks
from reportkit.checks.review import FAILED, PASSED, UNREADABLE, WARNED, Entry, h, write_json_text

REPORT_COLUMNS = ["文件", "机关", "年度", "状态", "错误", "警告", "对比的上年报告", "导入说明"]
FINDING_COLUMNS = ["文件", "机关", "年度", "级别", "规则", "位置", "说明"]


def write_json(entries: list[Entry], path: Path) -> None:
    path.write_text(write_json_text(entries), encoding="utf-8")


def _report_row(e: Entry) -> list:
    notes = e.error or "\n".join(e.notes)
    previous = e.previous.name if e.previous else ""
    return [e.name, e.agency or "", e.year or "", e.status, e.errors, e.warnings, previous, notes]


def _finding_rows(e: Entry) -> list[list]:
    return [
        [
            e.name,
            e.agency or "",
            e.year or "",
            checks.SEVERITY_NAMES[f.severity],
            f.rule,
            checks.where_text(f.where),
            f.message,
        ]
        for f in sorted(e.findings, key=lambda f: f.severity != checks.ERROR)
    ]


def write_xlsx(entries: list[Entry], path: Path) -> None:
    """A sheet of reports and a sheet of findings, headers frozen, columns wide enough to read.
    Written streaming (write-only): a review of a thousand reports has many thousand rows."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    for title, header, rows, widths in (
        ("报告", REPORT_COLUMNS, [_report_row(e) for e in entries], [40, 28, 8, 10, 6, 6, 40, 80]),
        (
            "问题",
            FINDING_COLUMNS,
            [r for e in entries for r in _finding_rows(e)],
            [40, 28, 8, 6, 10, 40, 100],
        ),
    ):
        sheet = wb.create_sheet(title)
        sheet.freeze_panes = "A2"
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
        sheet.append(header)
        for row in rows:
            sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in row])
    wb.save(path)


def _text_cell(sheet, value: str):
    """A cell that stays text: a label printed 「=…」 on a page must not become an Excel formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#eee;cursor:pointer;user-select:none}th[data-sort]::after{content:" ⇅";color:#888}
td.n{text-align:right}.s-通过{color:#1a7f37}.s-有警告{color:#9a6700}
.s-有错误,.s-无法导入{color:#cf222e;font-weight:bold}
section{border-top:1px solid #ddd;margin-top:1.5em}.note{color:#555}
"""

# Sorting by a click on a header: numbers as numbers, the rest as text; a second click reverses.
_JS = """
document.querySelectorAll("th[data-sort]").forEach(function (th) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var i = Array.prototype.indexOf.call(th.parentNode.children, th);
    var dir = th.dataset.dir === "1" ? -1 : 1; th.dataset.dir = dir === 1 ? "1" : "-1";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[i].dataset.v || a.cells[i].textContent;
      var y = b.cells[i].dataset.v || b.cells[i].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      if (!isNaN(nx) && !isNaN(ny)) return (nx - ny) * dir;
      return x.localeCompare(y, "zh") * dir;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""
_ORDER = {FAILED: 0, UNREADABLE: 1, WARNED: 2, PASSED: 3}


def write_html(entries: list[Entry], path: Path, folder: Path) -> None:
    """review.html: a sortable table of every report, then each report's findings."""
    counts = {s: sum(e.status == s for e in entries) for s in (FAILED, UNREADABLE, WARNED, PASSED)}
    summary = "，".join(f"{s} {n} 份" for s, n in counts.items() if n)
    head = "".join(
        f'<th data-sort="1">{h(c)}</th>'
        for c in ["文件", "机关", "年度", "状态", "错误", "警告", "对比上年"]
    )
    rows = []
    for i, e in enumerate(entries):
        prev = h(e.previous.name) if e.previous else "—"
        rows.append(
            f'<tr><td><a href="#r{i}">{h(e.name)}</a></td><td>{h(e.agency)}</td>'
            f'<td class="n">{h(e.year)}</td>'
            f'<td class="s-{h(e.status)}" data-v="{_ORDER[e.status]}">{h(e.status)}</td>'
            f'<td class="n">{e.errors}</td><td class="n">{e.warnings}</td><td>{prev}</td></tr>'
        )
    details = [_details(i, e) for i, e in enumerate(entries)]
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>年度报告审阅：{h(folder.name)}</title><style>{_CSS}</style></head>
<body><h1>政府信息公开工作年度报告审阅</h1>
<p>文件夹 {h(folder)}：共 {len(entries)} 份报告，{h(summary)}。点击表头排序。</p>
<table id="reports"><thead><tr>{head}</tr></thead><tbody>
{"".join(rows)}
</tbody></table>
{"".join(details)}
<script>{_JS}</script></body></html>
"""
    path.write_text(page, encoding="utf-8")


def _details(i: int, e: Entry) -> str:
    parts = [f'<section id="r{i}"><h2>{h(e.name)}</h2>']
    who = f"{h(e.agency or '机关不明')} {h(e.year or '年度不明')}"
    parts.append(f'<p>{who}：<span class="s-{h(e.status)}">{h(e.status)}</span>')
    if e.previous:
        parts.append(f"；跨年检查对比 {h(e.previous.name)}")
    parts.append("</p>")
    if e.error:
        parts.append(f'<p class="note">{h(e.error)}</p>')
    if e.notes:
        items = "".join(f"<li>{h(n)}</li>" for n in e.notes)
        parts.append(f'<p class="note">导入说明：</p><ul class="note">{items}</ul>')
    if e.findings:
        rows = "".join(
            f"<tr><td>{h(r[3])}</td><td>{h(r[4])}</td><td>{h(r[5])}</td><td>{h(r[6])}</td></tr>"
            for r in _finding_rows(e)
        )
        parts.append(
            '<table><thead><tr><th data-sort="1">级别</th><th data-sort="1">规则</th>'
            '<th data-sort="1">位置</th><th>说明</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    elif not e.error:
        parts.append("<p>检查通过：未发现问题</p>")
    parts.append("</section>")
    return "".join(parts)
