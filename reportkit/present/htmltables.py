"""The statutory tables 表二, 表三 and 表四 as HTML, in the official layout with merged cells."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

import pandas as pd

from reportkit.contract import vocab
from reportkit.contract.phrasing import plain

_NUMERALS = "一二三四"


def number(value: Any) -> str:
    """A value as printed: whole numbers as digits, amounts to at most 2 decimals, zero as 0."""
    d = Decimal(str(value))
    if not d.is_finite():
        raise ValueError(f"表格数值缺失或无效：{value!r}")
    return plain(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _span(rowspan: int = 1, colspan: int = 1) -> str:
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )


def th(
    text: str,
    rowspan: int = 1,
    colspan: int = 1,
    scope: str | None = None,
    cls: str | None = None,
    balanced: bool = False,
    parts: list[str] | None = None,
) -> str:
    """A header cell. `balanced` breaks a short label in a narrow column into two even lines
    (结果/维持, not 结果维/持), as the printed forms show them; `parts` (joined, they are `text`)
    are kept whole, so a narrow cell breaks only between them (（三）/不予公开, not （三）不/予公开)."""
    attrs = (
        _span(rowspan, colspan)
        + (f' scope="{scope}"' if scope else "")
        + (f' class="{cls}"' if cls else "")
    )
    content = escape(text)
    if parts:
        content = "".join(f'<span class="part">{escape(p)}</span>' for p in parts)
    elif balanced and 2 < len(text) <= 6:
        content = f'<span class="w{(len(text) + 1) // 2}">{content}</span>'
    return f"<th{attrs}>{content}</th>"


def td(value: Any, colspan: int = 1) -> str:
    return f'<td class="num"{_span(colspan=colspan)}>{number(value)}</td>'


def tr(cells: list[str]) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def _table(
    kind: str, caption: str, colgroup: list[str], head: list[str], bodies: list[list[str]]
) -> str:
    cols = "".join(f'<col class="{c}">' for c in colgroup)
    parts = [
        f'<table class="statutory {kind}">',
        f"<caption>{escape(caption)}</caption>",
        f"<colgroup>{cols}</colgroup>",
        "<thead>" + "".join(head) + "</thead>",
        *("<tbody>" + "".join(rows) + "</tbody>" for rows in bodies),
        "</table>",
    ]
    return "\n".join(parts)


def caption(section_index: int) -> str:
    """表二 … 表四 are named after their sections: 「表二　主动公开政府信息情况」."""
    s = vocab.SECTIONS[section_index]
    return f"表{s['number']}　{s['title']}"


# ------------------------------------------------------------------------------------------------
# 表二
# ------------------------------------------------------------------------------------------------
def table2_html(t2: dict[str, dict[str, Any]]) -> str:
    """表二 as one 4-column grid: each 第二十条 item a header row, then 信息内容 and its rows."""
    groups: list[list[str]] = []
    for item, rows, columns in vocab.TABLE2_LAYOUT:
        span = 3 // len(columns)  # one value column spans all three
        rows_html = [
            tr([th(item, colspan=4, scope="colgroup", cls="item")]),
            tr(
                [
                    th(vocab.T2_CONTENT, scope="col"),
                    *(th(c, colspan=span, scope="col") for c in columns),
                ]
            ),
        ]
        for row in rows:
            rows_html.append(
                tr([th(row, scope="row"), *(td(t2[row][c], colspan=span) for c in columns)])
            )
        groups.append(rows_html)
    # Only the first item's header is the <thead>: the table is kept on one page, never repeats it.
    first = groups[0]
    return _table("t2", caption(1), ["label", "n", "n", "n"], first[:2], [first[2:], *groups[1:]])


# ------------------------------------------------------------------------------------------------
# 表三
# ------------------------------------------------------------------------------------------------
def _t3_values(t3: pd.DataFrame, key: str) -> list[str]:
    return [td(t3.at[key, col]) for col in vocab.T3_COLUMNS]


def table3_html(t3: pd.DataFrame) -> str:
    """表三 as the official form draws it: three label columns, merged group cells, 7 counts."""
    legal = vocab.LEGAL_PERSONS
    head = [
        tr(
            [
                th(vocab.T3_TITLE_NOTE, rowspan=3, colspan=3, cls="note"),
                th(vocab.T3_APPLICANT, colspan=7, scope="colgroup"),
            ]
        ),
        tr(
            [
                th(vocab.NATURAL_PERSON, rowspan=2, scope="col"),
                th(vocab.LEGAL_PERSONS_GROUP, colspan=len(legal), scope="colgroup"),
                th(vocab.TOTAL, rowspan=2, scope="col"),
            ]
        ),
        tr([th(p, scope="col", balanced=True) for p in legal]),
    ]

    result_rows: list[list[str]] = []
    for num, group, leaves in vocab.OUTCOME_GROUPS:
        if not leaves:
            label = vocab.PARTLY_LABEL if group == vocab.PARTLY else group
            result_rows.append([th(num + label, colspan=2, scope="row"), *_t3_values(t3, group)])
            continue
        for i, leaf in enumerate(leaves):
            group_cell = (
                [
                    th(
                        num + group,
                        rowspan=len(leaves),
                        scope="rowgroup",
                        cls="group",
                        parts=[num, group],
                    )
                ]
                if i == 0
                else []
            )
            leaf_cell = th(f"{i + 1}.{leaf}", scope="row", cls="leaf")
            result_rows.append([*group_cell, leaf_cell, *_t3_values(t3, f"{group}/{leaf}")])
    result_rows.append(
        [
            th(vocab.RESULTS_TOTAL_NUMBER + vocab.TOTAL, colspan=2, scope="row"),
            *_t3_values(t3, vocab.TOTAL),
        ]
    )
    result_rows[0].insert(
        0,
        th(
            f"{_NUMERALS[2]}、{vocab.RESULTS}",
            rowspan=len(result_rows),
            scope="rowgroup",
            cls="section",
            parts=[f"{_NUMERALS[2]}、{vocab.RESULTS}"],
        ),
    )

    def whole_row(n: int, key: str) -> str:
        return tr([th(f"{_NUMERALS[n]}、{key}", colspan=3, scope="row"), *_t3_values(t3, key)])

    body = [
        whole_row(0, vocab.NEW_REQUESTS),
        whole_row(1, vocab.CARRIED_IN),
        *(tr(cells) for cells in result_rows),
        whole_row(3, vocab.CARRIED_OUT),
    ]
    colgroup = ["l1", "l2", "l3", *(["n"] * len(vocab.T3_COLUMNS))]
    return _table("t3", caption(2), colgroup, head, [body])


# ------------------------------------------------------------------------------------------------
# 表四
# ------------------------------------------------------------------------------------------------
def table4_html(t4: pd.DataFrame) -> str:
    """表四: 行政复议 (5 columns), 行政诉讼 (未经复议直接起诉, 复议后起诉: 5 each); one row."""
    n = len(vocab.T4_COLUMNS)
    suits = [vocab.DIRECT_SUIT, vocab.SUIT_AFTER_REVIEW]
    head = [
        tr(
            [
                th(vocab.REVIEW, colspan=n, scope="colgroup"),
                th(vocab.LITIGATION, colspan=n * len(suits), scope="colgroup"),
            ]
        ),
        tr(
            [
                *(th(c, rowspan=2, scope="col", balanced=True) for c in vocab.T4_COLUMNS),
                *(th(s, colspan=n, scope="colgroup") for s in suits),
            ]
        ),
        tr([th(c, scope="col", balanced=True) for _ in suits for c in vocab.T4_COLUMNS]),
    ]
    values = [td(t4.at[kind, col]) for kind in vocab.APPEAL_KINDS for col in vocab.T4_COLUMNS]
    return _table("t4", caption(3), ["n"] * len(values), head, [[tr(values)]])
