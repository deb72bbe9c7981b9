from decimal import Decimal

import pytest

from reportkit.contract import phrasing


@pytest.mark.parametrize(
    "n, text",
    [
        (923, "920余"),
        (46, "46"),
        (603, "600余"),
        (405, "400余"),
        (113, "110余"),
        (600, "600"),
        (15230, "1.5万"),
        (131000, "13万"),
        (0, "0"),
        (9, "9"),
        (99, "99"),
        (101, "100余"),
        (9999, "9900余"),
        (10000, "1万"),
        (10999, "1万"),
        (99999, "9.9万"),
        (1234567, "120万"),
        (250_000_000, "2.5亿"),
    ],
)
def test_approx(n, text):
    assert phrasing.approx(n) == text


@pytest.mark.parametrize(
    "cur, prev, unit, against, text",
    [
        (105, 121, "件", "与上年", "与上年减少16件"),
        (57, 59, "起", "比2020年度", "比2020年度减少2起"),
        (7, 7, "件", "与上年", "与上年持平"),
        (10, 4, "件", "与上年", "与上年增加6件"),
    ],
)
def test_yoy(cur, prev, unit, against, text):
    assert phrasing.yoy(cur, prev, unit, against) == text


def test_pct_change():
    assert phrasing.pct_change(105, 121) == "同比下降13.2%"  # 16/121 = 13.22%
    assert phrasing.pct_change(150, 100) == "同比增长50%"
    assert phrasing.pct_change(5, 5) == "同比持平"
    assert phrasing.pct_change(3, 0) == "上年为0"


def test_money():
    assert phrasing.money_wan(Decimal("329.76")) == "329.76万元"
    assert phrasing.money_wan(300) == "300万元"
    assert phrasing.money_wan(Decimal("0.5")) == "0.5万元"
    assert phrasing.money_wan(Decimal("1.235")) == "1.24万元"  # half-up


@pytest.mark.parametrize(
    "d, text",
    [
        (Decimal("1.50"), "1.5"),
        (Decimal("130"), "130"),
        (Decimal("130.00"), "130"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.05"), "0.05"),
        (Decimal("12345.6"), "12345.6"),
        (Decimal("-3.10"), "-3.1"),
    ],
)
def test_plain_decimal_text(d, text):
    # The one Decimal -> text rule: the printed 表二 fees and the narrative's figures.
    assert phrasing.plain(d) == text


@pytest.mark.parametrize(
    "d, number, kind",
    [(Decimal("12.00"), 12, int), (Decimal("1E+1"), 10, int), (Decimal("0.35"), 0.35, float)],
)
def test_json_number(d, number, kind):
    out = phrasing.json_number(d)
    assert out == number and type(out) is kind
