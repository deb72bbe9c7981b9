"""表二、表三、表四 as HTML: every label, merge and value checked against format.md by hand."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pandas as pd
import pytest

from reportkit.contract import vocab
from reportkit.present import htmltables


# ------------------------------------------------------------------------------------------------
# A tiny table reader: the cells of each section, and the grid they cover once merges are expanded
# ------------------------------------------------------------------------------------------------
class Cell:
    def __init__(self, tag: str, attrs: dict[str, str | None]):
        self.tag = tag
        self.rowspan = int(attrs.get("rowspan") or 1)
        self.colspan = int(attrs.get("colspan") or 1)
        self.cls = attrs.get("class") or ""
        self.text = ""

    def __repr__(self) -> str:
        return f"<{self.tag} {self.rowspan}x{self.colspan} {self.text!r}>"


class TableReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, list[list[Cell]]] = {"thead": [], "tbody": []}
        self.caption = ""
        self.tables: list[dict[str, str | None]] = []
        self._section = "tbody"
        self._cell: Cell | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append(a)
        elif tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr":
            self.sections[self._section].append([])
        elif tag in ("th", "td"):
            self._cell = Cell(tag, a)
            self.sections[self._section][-1].append(self._cell)
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.text += data
        elif self._in_caption:
            self.caption += data


def read(html: str) -> TableReader:
    r = TableReader()
    r.feed(html)
    return r


def grid(rows: list[list[Cell]]) -> list[list[str]]:
    """Each row as the texts of the columns it covers (a merged cell repeats in every slot)."""
    out: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in out:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    out[(r + dr, c + dc)] = cell.text
            c += cell.colspan
    height = max(r for r, _ in out) + 1
    width = max(c for _, c in out) + 1
    assert all((r, c) in out for r in range(height) for c in range(width)), "table has holes"
    return [[out[(r, c)] for c in range(width)] for r in range(height)]


# ------------------------------------------------------------------------------------------------
# 表二
# ------------------------------------------------------------------------------------------------
T2 = {
    "规章": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
    "行政规范性文件": {"本年制发件数": 3, "本年废止件数": 1, "现行有效件数": 12},
    "行政许可": {"本年处理决定数量": 105},
    "行政处罚": {"本年处理决定数量": 57},
    "行政强制": {"本年处理决定数量": 4},
    "行政事业性收费": {"本年收费金额（单位：万元）": Decimal("1.50")},
}


def test_table2_one_grid_of_four_columns():
    r = read(htmltables.table2_html(T2))
    assert r.tables[0]["class"].split()[0] == "statutory"
    assert r.caption == "表二　主动公开政府信息情况"
    rows = r.sections["thead"] + r.sections["tbody"]
    assert grid(rows) == [
        ["第二十条第（一）项"] * 4,
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "0"],
        ["行政规范性文件", "3", "1", "12"],
        ["第二十条第（五）项"] * 4,
        ["信息内容", *["本年处理决定数量"] * 3],
        ["行政许可", *["105"] * 3],
        ["第二十条第（六）项"] * 4,
        ["信息内容", *["本年处理决定数量"] * 3],
        ["行政处罚", *["57"] * 3],
        ["行政强制", *["4"] * 3],
        ["第二十条第（八）项"] * 4,
        ["信息内容", *["本年收费金额（单位：万元）"] * 3],
        ["行政事业性收费", *["1.5"] * 3],
    ]


def test_table2_merges_and_number_cells():
    r = read(htmltables.table2_html(T2))
    rows = r.sections["thead"] + r.sections["tbody"]
    items = [row[0] for row in rows if row[0].text.startswith("第二十条")]
    assert [c.colspan for c in items] == [4, 4, 4, 4]
    licensing = next(row for row in rows if row[0].text == "行政许可")
    assert [(c.tag, c.colspan, c.cls) for c in licensing] == [("th", 1, ""), ("td", 3, "num")]
    documents = next(row for row in rows if row[0].text == "规章")
    assert [(c.tag, c.colspan, c.cls) for c in documents[1:]] == [("td", 1, "num")] * 3
    # The header rows of the first item are the <thead>.
    assert [[c.text for c in row] for row in r.sections["thead"]] == [
        ["第二十条第（一）项"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ]


@pytest.mark.parametrize(
    "fee, shown",
    [
        (Decimal(0), "0"),
        (Decimal("0.00"), "0"),
        (Decimal("329.76"), "329.76"),
        (Decimal("12.5"), "12.5"),
        (Decimal("3.00"), "3"),
        (Decimal("1.005"), "1.01"),
        (0, "0"),
        (2, "2"),
    ],
)
def test_table2_fees_up_to_two_decimals(fee, shown):
    t2 = {**T2, "行政事业性收费": {"本年收费金额（单位：万元）": fee}}
    rows = read(htmltables.table2_html(t2)).sections["tbody"]
    fees = next(row for row in rows if row[0].text == "行政事业性收费")
    assert fees[1].text == shown


def test_a_missing_value_is_an_error_not_a_blank():
    with pytest.raises(ValueError):
        htmltables.number(float("nan"))


# ------------------------------------------------------------------------------------------------
# 表三
# ------------------------------------------------------------------------------------------------
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# The label columns of 表三 exactly as the official form prints them, row by row (format.md).
R3 = "三、本年度办理结果"
G3, G4, G5, G6 = "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"
T3_LABELS = [
    ("一、本年新收政府信息公开申请数量",) * 3,
    ("二、上年结转政府信息公开申请数量",) * 3,
    (R3, "（一）予以公开", "（一）予以公开"),
    (R3, *("（二）部分公开（区分处理的，只计这一情形，不计其他情形）",) * 2),
    (R3, G3, "1.属于国家秘密"),
    (R3, G3, "2.其他法律行政法规禁止公开"),
    (R3, G3, "3.危及“三安全一稳定”"),
    (R3, G3, "4.保护第三方合法权益"),
    (R3, G3, "5.属于三类内部事务信息"),
    (R3, G3, "6.属于四类过程性信息"),
    (R3, G3, "7.属于行政执法案卷"),
    (R3, G3, "8.属于行政查询事项"),
    (R3, G4, "1.本机关不掌握相关政府信息"),
    (R3, G4, "2.没有现成信息需要另行制作"),
    (R3, G4, "3.补正后申请内容仍不明确"),
    (R3, G5, "1.信访举报投诉类申请"),
    (R3, G5, "2.重复申请"),
    (R3, G5, "3.要求提供公开出版物"),
    (R3, G5, "4.无正当理由大量反复申请"),
    (R3, G5, "5.要求行政机关确认或重新出具已获取信息"),
    (R3, G6, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    (R3, G6, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    (R3, G6, "3.其他"),
    (R3, "（七）总计", "（七）总计"),
    ("四、结转下年度继续办理",) * 3,
]


@pytest.fixture
def t3() -> pd.DataFrame:
    """All zero but four cells, set by hand."""
    t = pd.DataFrame(0, index=vocab.T3_ROWS, columns=vocab.T3_COLUMNS)
    t.at["本年新收政府信息公开申请数量", "自然人"] = 5
    t.at["不予公开/属于国家秘密", "商业企业"] = 2
    t.at["其他处理/其他", "总计"] = 7
    t.at["结转下年度继续办理", "其他"] = 1
    return t


def test_table3_header(t3):
    r = read(htmltables.table3_html(t3))
    assert r.caption == "表三　收到和处理政府信息公开申请情况"
    head = r.sections["thead"]
    assert [(c.text, c.rowspan, c.colspan) for c in head[0]] == [(NOTE, 3, 3), ("申请人情况", 1, 7)]
    assert [(c.text, c.rowspan, c.colspan) for c in head[1]] == [
        ("自然人", 2, 1),
        ("法人或其他组织", 1, 5),
        ("总计", 2, 1),
    ]
    assert [c.text for c in head[2]] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert grid(head) == [
        [NOTE] * 3 + ["申请人情况"] * 7,
        [NOTE] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
        [NOTE] * 3
        + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
    ]


def test_table3_the_25_rows_in_order_with_three_merged_label_columns(t3):
    body = grid(read(htmltables.table3_html(t3)).sections["tbody"])
    assert len(body) == 25
    assert [tuple(row[:3]) for row in body] == T3_LABELS


def test_table3_group_cells_span_their_leaves(t3):
    rows = read(htmltables.table3_html(t3)).sections["tbody"]
    spans = {c.text: (c.rowspan, c.colspan) for row in rows for c in row if c.tag == "th"}
    assert spans[R3] == (22, 1)
    assert spans[G3] == (8, 1)
    assert spans[G4] == (3, 1)
    assert spans[G5] == (5, 1)
    assert spans[G6] == (3, 1)
    assert spans["一、本年新收政府信息公开申请数量"] == (1, 3)
    assert spans["（一）予以公开"] == (1, 2)
    assert spans["（七）总计"] == (1, 2)
    assert spans["1.属于国家秘密"] == (1, 1)
    # A group's label shares the row of its first leaf; no subtotal rows.
    secret_row = next(row for row in rows if any(c.text == G3 for c in row))
    assert [c.text for c in secret_row if c.tag == "th"] == [G3, "1.属于国家秘密"]


def test_table3_narrow_label_cells_break_only_between_whole_parts(t3):
    html = htmltables.table3_html(t3)
    assert (
        '<th rowspan="8" scope="rowgroup" class="group">'
        '<span class="part">（三）</span><span class="part">不予公开</span></th>'
    ) in html
    # 三、本年度办理结果 is one part: the stylesheet runs it down its narrow column.
    assert (
        '<th rowspan="22" scope="rowgroup" class="section">'
        '<span class="part">三、本年度办理结果</span></th>'
    ) in html


def test_table3_values_land_in_their_cells_and_zero_is_0(t3):
    body = grid(read(htmltables.table3_html(t3)).sections["tbody"])
    values = {row[2]: row[3:] for row in body}
    assert values["一、本年新收政府信息公开申请数量"] == ["5", "0", "0", "0", "0", "0", "0"]
    assert values["1.属于国家秘密"] == ["0", "2", "0", "0", "0", "0", "0"]
    assert values["3.其他"] == ["0", "0", "0", "0", "0", "0", "7"]
    assert values["四、结转下年度继续办理"] == ["0", "0", "0", "0", "0", "1", "0"]
    assert values["2.重复申请"] == ["0"] * 7
    # Every value cell is printed, right-aligned by class.
    cells = [
        c
        for row in read(htmltables.table3_html(t3)).sections["tbody"]
        for c in row
        if c.tag == "td"
    ]
    assert len(cells) == 25 * 7
    assert all(c.cls == "num" and c.text != "" for c in cells)


def test_table3_missing_row_is_an_error(t3):
    with pytest.raises(KeyError):
        htmltables.table3_html(t3.drop(index="予以公开"))


# ------------------------------------------------------------------------------------------------
# 表四
# ------------------------------------------------------------------------------------------------
RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_table4_layout_and_values():
    t4 = pd.DataFrame(0, index=vocab.APPEAL_KINDS, columns=vocab.T4_COLUMNS)
    t4.loc["行政复议"] = [1, 2, 0, 1, 4]
    t4.loc["复议后起诉"] = [0, 0, 3, 0, 3]
    r = read(htmltables.table4_html(t4))
    assert r.caption == "表四　政府信息公开行政复议、行政诉讼情况"
    head = r.sections["thead"]
    assert [(c.text, c.rowspan, c.colspan) for c in head[0]] == [
        ("行政复议", 1, 5),
        ("行政诉讼", 1, 10),
    ]
    assert [(c.text, c.rowspan, c.colspan) for c in head[1]] == [
        *((label, 2, 1) for label in RESULTS),
        ("未经复议直接起诉", 1, 5),
        ("复议后起诉", 1, 5),
    ]
    assert grid(head) == [
        ["行政复议"] * 5 + ["行政诉讼"] * 10,
        RESULTS + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
        RESULTS * 3,
    ]
    body = r.sections["tbody"]
    assert len(body) == 1
    assert [c.text for c in body[0]] == [
        "1",
        "2",
        "0",
        "1",
        "4",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "3",
        "0",
        "3",
    ]
    assert all(c.tag == "td" and c.cls == "num" for c in body[0])


# ------------------------------------------------------------------------------------------------
# Escaping
# ------------------------------------------------------------------------------------------------
def test_labels_are_escaped(monkeypatch, t3):
    monkeypatch.setattr(vocab, "T3_TITLE_NOTE", '<script>alert("x")</script>&')
    html = htmltables.table3_html(t3)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in html
    assert read(html).sections["thead"][0][0].text == '<script>alert("x")</script>&'


def test_header_cell_escapes_text_and_attributes_stay_fixed():
    assert htmltables.th("a<b>&c", colspan=2) == '<th colspan="2">a&lt;b&gt;&amp;c</th>'
