"""Chinese phrasing of figures, the way annual reports write them: 920余, 1.5万, 与上年减少16件."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import SupportsFloat

_UNITS = [(Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万")]


def plain(d: Decimal) -> str:
    """A Decimal as text, without exponent or trailing zeros: 1.50 -> '1.5', 130 -> '130'."""
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def json_number(d: Decimal) -> int | float:
    """A Decimal as a JSON number: whole -> int (130), else float (1.5)."""
    return int(d) if d == d.to_integral_value() else float(d)


def _floor_sig(n: int, digits: int) -> int:
    """n floored to `digits` significant digits: 923 -> 920, 15230 -> 15000."""
    if n < 10**digits:
        return n
    step = 10 ** (len(str(n)) - digits)
    return n // step * step


def approx(n: int | SupportsFloat) -> str:
    """An approximate count: two significant digits kept (floored), 余 when something was cut;
    from 10,000 in 万 (from 10^8 in 亿) with at most one decimal and no 余.

    923 -> '920余', 46 -> '46', 603 -> '600余', 600 -> '600', 113 -> '110余',
    15230 -> '1.5万', 131000 -> '13万'.
    """
    n = int(n)
    if n < 0:
        return "-" + approx(-n)
    kept = _floor_sig(n, 2)
    for size, unit in _UNITS:
        if n >= size:
            return plain(Decimal(kept) / size) + unit
    return f"{kept}余" if kept != n else str(n)


def money_wan(amount_wan: Decimal | float | int) -> str:
    """An amount in 万元, to the fen of a 万 at most: Decimal('329.76') -> '329.76万元', 300 -> '300万元'."""
    d = Decimal(str(amount_wan)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return plain(d) + "万元"


def yoy(
    current: int | Decimal, previous: int | Decimal, unit: str = "", against: str = "与上年"
) -> str:
    """Year-on-year change as reports write it.

    yoy(105, 121, '件') -> '与上年减少16件'; yoy(57, 59, '起', against='比2020年度') -> '比2020年度减少2起';
    equal -> '与上年持平', and '与2020年度持平' for against='比2020年度' (比…持平 is not said).
    """
    diff = Decimal(str(current)) - Decimal(str(previous))
    if diff == 0:
        return f"与{against[1:]}持平" if against.startswith("比") else f"{against}持平"
    word = "增加" if diff > 0 else "减少"
    return f"{against}{word}{plain(abs(diff))}{unit}"


def pct_change(current: int | Decimal, previous: int | Decimal, against: str = "同比") -> str:
    """Percentage change to one decimal: (105, 121) -> '同比下降13.2%'; previous 0 -> '上年为0'."""
    cur, prev = Decimal(str(current)), Decimal(str(previous))
    if prev == 0:
        return f"{against}持平" if cur == 0 else "上年为0"
    change = ((cur - prev) / prev * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if change == 0:
        return f"{against}持平"
    word = "增长" if change > 0 else "下降"
    return f"{against}{word}{plain(abs(change))}%"


__all__ = ["approx", "money_wan", "yoy", "pct_change", "plain", "json_number"]
