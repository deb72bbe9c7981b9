"""The office overview of a `--all` build: outputs/overview-<Y>.html and outputs/overview-<Y>.xlsx.

Every agency of agencies.yaml: its build and check status, error and warning counts, what went
wrong, and its key figures against last year; two bar charts a leader reads first. The page is
one self-contained file: inline styles and SVG, no script, no font or image fetched.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from reportkit.contract import vocab
from reportkit.contract.errors import ReportkitError
from reportkit.ingest.agencies import Registry, agency_name
from reportkit.pipeline.batch import Outcome

# (label, table, row, column, unit): the figures compared with last year.
KEY_FIGURES = [
    ("新收申请", "section3", vocab.NEW_REQUESTS, vocab.TOTAL, "件"),
    ("办结申请", "section3", vocab.TOTAL, vocab.TOTAL, "件"),
    ("行政许可", "section2", vocab.LICENSING, vocab.T2_DECISIONS, "件"),
    ("行政处罚", "section2", vocab.PENALTY, vocab.T2_DECISIONS, "件"),
    ("行政复议", "section4", vocab.REVIEW, vocab.TOTAL, "件"),
    ("收费（万元）", "section2", vocab.FEES, vocab.T2_FEES, ""),
]
STATUS_OK, STATUS_FAILED, STATUS_PUBLISHED, STATUS_NONE = "已生成", "失败", "已发布报告", "未生成"


@dataclass
class Row:
    id: str
    name: str
    status: str
    errors: int | None = None
    warnings: int | None = None
    problem: str = ""
    includes: list[str] = field(default_factory=list)
    sample: bool = False
    now: dict[str, Any] = field(default_factory=dict)  # label -> value (None: not known)
    before: dict[str, Any] = field(default_factory=dict)


def _tables(registry: Registry, agency_id: str, year: int) -> dict | None:
    try:
        return registry.tables_of(agency_id, year)[0]
    except ReportkitError:
        return None


def _figures(tables: dict | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, key, row, col, _unit in KEY_FIGURES:
        try:
            out[label] = tables[key][row][col] if tables else None
        except (KeyError, TypeError):
            out[label] = None
    return out


def _sample(registry: Registry, agency_id: str, year: int) -> bool:
    f = registry.get(agency_id).params_file(year)
    try:
        raw = yaml.safe_load(f.read_text(encoding="utf-8-sig")) if f and f.is_file() else None
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return False
    return bool(isinstance(raw, dict) and raw.get("sample"))


def rows(registry: Registry, year: int, outcomes: list[Outcome]) -> list[Row]:
    """One row per agency of agencies.yaml, in dependency order."""
    by_id = {o.agency: o for o in outcomes if o.year == year}
    out = []
    for a_id in registry.ordered():
        a = registry.get(a_id)
        o = by_id.get(a_id)
        if a.params is None:
            status = STATUS_PUBLISHED if a.has_year(year) else STATUS_NONE
        elif o is None:
            status = STATUS_NONE
        else:
            status = STATUS_OK if o.ok else STATUS_FAILED
        r = Row(a_id, agency_name(registry, a_id, year), status, includes=list(a.includes))
        if o is not None:
            r.errors, r.warnings, r.problem = o.errors, o.warnings, o.error or ""
        if a.params is not None and o is None:
            r.problem = (
                f"本次未生成（没有{year}年的参数文件）" if not a.has_year(year) else "本次未生成"
            )
        elif a.params is None and not a.has_year(year):
            r.problem = f"没有{year}年已发布的报告"
        r.sample = _sample(registry, a_id, year)
        # A failed build's old outputs are not this year's result: no figures shown for it.
        r.now = _figures(_tables(registry, a_id, year) if status != STATUS_FAILED else None)
        r.before = _figures(_tables(registry, a_id, year - 1))
        out.append(r)
    return out


# ------------------------------------------------------------------------------------------------
# The page
# ------------------------------------------------------------------------------------------------
def _num(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, (float, Decimal)):
        return f"{Decimal(str(v)):.2f}"
    return str(v)


def _change(now: Any, before: Any) -> str:
    if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
        return ""
    d = Decimal(str(now)) - Decimal(str(before))
    if d == 0:
        return "持平"
    text = (
        f"{abs(d):.2f}" if isinstance(now, float) or isinstance(before, float) else str(abs(int(d)))
    )
    return ("增" if d > 0 else "减") + text


def _fitted(name: str, room: float, size: float = 12) -> str:
    """An agency's name as it fits `room` pixels at `size` (a Chinese character a full em, other
    characters about half): cut with 「…」 when longer, the whole name then in the bar's tooltip.
    Names such as 县发展和改革局（县粮食和物资储备局） ran off the chart's left edge."""

    def width(text: str) -> float:
        return sum(size if ord(ch) >= 0x2E80 else size * 0.55 for ch in text)

    if width(name) <= room:
        return name
    while name and width(name + "…") > room:
        name = name[:-1]
    return name + "…"


def bar_chart(title: str, items: list[tuple[str, Any, Any]], year: int) -> str:
    """Horizontal bars as inline SVG: this year (dark) and last year (light) per agency."""
    bar_h, gap, label_w, width = 12, 10, 190, 640
    values = [v for _n, a, b in items for v in (a, b) if isinstance(v, (int, float))]
    top = max(values + [1])
    plot_w = width - label_w - 60
    height = 40 + len(items) * (2 * bar_h + gap)
    parts = [
        (
            f'<svg role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-label="{html.escape(title)}">'
        ),
        f'<text x="0" y="16" font-size="14" font-weight="bold">{html.escape(title)}</text>',
        (
            f'<rect x="{label_w}" y="24" width="10" height="8" fill="#b22222"/>'
            f'<text x="{label_w + 14}" y="32" font-size="11">{year}年</text>'
            f'<rect x="{label_w + 70}" y="24" width="10" height="8" fill="#e8a0a0"/>'
            f'<text x="{label_w + 84}" y="32" font-size="11">{year - 1}年</text>'
        ),
    ]
    y = 40
    for name, now, before in items:
        shown = _fitted(name, label_w - 10)
        tip = f"<title>{html.escape(name)}</title>" if shown != name else ""
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h + 4}" font-size="12" text-anchor="end">'
            f"{tip}{html.escape(shown)}</text>"
        )
        for value, color, dy in ((now, "#b22222", 0), (before, "#e8a0a0", bar_h)):
            if isinstance(value, (int, float)):
                w = max(1.0, plot_w * float(value) / float(top)) if value else 0
                parts.append(
                    f'<rect x="{label_w}" y="{y + dy}" width="{w:.1f}" height="{bar_h - 1}" fill="{color}"/>'
                    f'<text x="{label_w + w + 4:.1f}" y="{y + dy + bar_h - 2}" font-size="10">{_num(value)}</text>'
                )
        y += 2 * bar_h + gap
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body { font-family: "RK Sans", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimHei", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.summary span { display: inline-block; margin-right: 2em; font-size: 1.1em; }
.banner { background: #fff3cd; border: 1px solid #e0c36a; padding: .5em 1em; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border: 1px solid #999; padding: .3em .5em; vertical-align: top; }
th { background: #f0f0f0; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.bad { color: #b22222; font-weight: bold; } td.ok { color: #1b7a2b; }
.problem { white-space: pre-wrap; font-size: .85em; max-width: 28em; }
small { color: #666; }
"""


def page(registry: Registry, year: int, table: list[Row]) -> str:
    built = sum(r.status == STATUS_OK for r in table)
    failed = sum(r.status == STATUS_FAILED for r in table)
    errors = sum(r.errors or 0 for r in table)
    warnings = sum(r.warnings or 0 for r in table)
    esc = html.escape
    head = "".join(
        f"<th>{esc(label)}<br><small>{year}年 / 上年</small></th>" for label, *_ in KEY_FIGURES
    )
    body = []
    for r in table:
        status_class = {STATUS_OK: "ok", STATUS_FAILED: "bad"}.get(r.status, "")
        name = esc(r.name) + (
            f"<br><small>汇总：{esc('、'.join(r.includes))}</small>" if r.includes else ""
        )
        cells = "".join(
            f'<td class="n">{_num(r.now.get(label))} / {_num(r.before.get(label))}'
            f"<br><small>{_change(r.now.get(label), r.before.get(label))}</small></td>"
            for label, *_ in KEY_FIGURES
        )
        body.append(
            f'<tr><td>{esc(r.id)}</td><td>{name}</td><td class="{status_class}">{esc(r.status)}</td>'
            f'<td class="n">{_num(r.errors)}</td><td class="n">{_num(r.warnings)}</td>{cells}'
            f'<td class="problem">{esc(r.problem)}</td></tr>'
        )

    def label(r: Row) -> str:
        return r.name + ("（汇总）" if r.includes else "")

    charts = [
        bar_chart(
            f"{year}年新收政府信息公开申请（件）",
            [(label(r), r.now.get("新收申请"), r.before.get("新收申请")) for r in table],
            year,
        ),
        bar_chart(
            f"{year}年行政处罚决定（件）",
            [(label(r), r.now.get("行政处罚"), r.before.get("行政处罚")) for r in table],
            year,
        ),
    ]
    sample = any(r.sample for r in table)
    banner = '<p class="banner">示例数据：本页由虚构的示例台账生成，仅供演示</p>' if sample else ""
    body_html = (
        f"<h1>{year}年政府信息公开工作年度报告 生成总览</h1>{banner}"
        f'<p class="summary"><span>机关 {len(table)} 个</span><span>已生成 {built} 份</span>'
        f"<span>失败 {failed} 份</span><span>检查错误 {errors} 个</span><span>警告 {warnings} 个</span></p>"
        f"<h2>主要数据</h2>{''.join(charts)}"
        "<h2>各机关</h2><table><thead><tr><th>标识</th><th>机关</th><th>状态</th><th>错误</th><th>警告</th>"
        f"{head}<th>问题</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
        "<p><small>汇总机关的数字含其所汇总的各单位；上年数字取自上年生成的 tables.json 或已发布的报告。"
        "</small></p>"
    )
    # The report's Chinese face, subset to the characters of this page (SVG text included), so
    # the page reads the same on a machine without a CJK font and fetches nothing.
    from reportkit.present.fonts import font_face_css

    text = "".join(sorted(set(html.unescape(re.sub(r"<[^>]+>", "", body_html)))))
    fonts = font_face_css(text + "0123456789", text + "0123456789")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{year}年政府信息公开工作年度报告 生成总览</title><style>{fonts}{_CSS}</style></head>"
        f"<body>{body_html}</body></html>\n"
    )


def workbook(year: int, table: list[Row], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "机关"
    header = ["标识", "机关", "汇总", "状态", "错误", "警告"]
    for label, *_ in KEY_FIGURES:
        header += [f"{label}（{year}年）", f"{label}（{year - 1}年）"]
    ws.append(header)
    for r in table:
        line: list[Any] = [r.id, r.name, "、".join(r.includes), r.status, r.errors, r.warnings]
        for label, *_ in KEY_FIGURES:
            line += [_cell(r.now.get(label)), _cell(r.before.get(label))]
        ws.append(line)
    problems = wb.create_sheet("问题")
    problems.append(["标识", "机关", "状态", "问题"])
    for r in table:
        if r.problem:
            problems.append([r.id, r.name, r.status, r.problem])
    for sheet in (ws, problems):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    wb.save(path)


def _cell(v: Any) -> Any:
    return float(v) if isinstance(v, Decimal) else v


def write(registry: Registry, year: int, outcomes: list[Outcome]) -> list[Path]:
    """outputs/overview-<Y>.html and .xlsx; returns their paths."""
    table = rows(registry, year, outcomes)
    folder = registry.root / "outputs"
    folder.mkdir(parents=True, exist_ok=True)
    page_path = folder / f"overview-{year}.html"
    page_path.write_text(page(registry, year, table), encoding="utf-8")
    book = folder / f"overview-{year}.xlsx"
    workbook(year, table, book)
    return [page_path, book]
