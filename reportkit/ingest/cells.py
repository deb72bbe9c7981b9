"""Cells as people type them: normalising labels, and parsing dates, counts and amounts."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import pandas as pd

from reportkit.contract import vocab
from reportkit.contract.schema import Column

# ------------------------------------------------------------------------------------------------
# Normalising what people type
# ------------------------------------------------------------------------------------------------
_SPACES_AND_QUOTES = re.compile(r"[\s\"'“”‘’「」『』]+")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")  # 收到日期（年/月/日） -> 收到日期


def norm(text: object) -> str:
    """The matching key of a header or category: NFKC (full width -> half width), no spaces,
    no quotation marks."""
    s = str(text)
    if not s.isascii():  # ASCII is its own NFKC form: ids and codes skip the normalisation
        s = unicodedata.normalize("NFKC", s)
    return _SPACES_AND_QUOTES.sub("", s)


def _header_key(text: object) -> str:
    """A header cell's key: as norm(), without the * or ※ that templates put on required columns."""
    return norm(_CONTROL.sub("", str(text))).strip("*※")


def _outcome_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for _num, group, leaves in vocab.OUTCOME_GROUPS:
        if not leaves:
            table[norm(group)] = group
            continue
        for leaf in leaves:
            key = f"{group}/{leaf}"
            table[norm(key)] = key
            table.setdefault(norm(leaf), key)
    table[norm(vocab.PARTLY_LABEL)] = vocab.PARTLY
    return table


OUTCOME_LOOKUP = _outcome_lookup()


def match_outcome(value: object) -> str | None:
    """The tables.json key of an 办理结果 as typed (leaf alone, group/leaf, numbered), or None."""
    key = norm(value)
    return OUTCOME_LOOKUP.get(key) or OUTCOME_LOOKUP.get(vocab.strip_numbering(key))


def _is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and v != v:
        return True
    return isinstance(v, str) and not v.strip()


def _shown(v: object) -> object:
    """A value as the user typed it (as Excel shows it), for messages."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time() else v.isoformat(" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip() if isinstance(v, str) else v


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as Excel labels it."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ------------------------------------------------------------------------------------------------
# Cell parsers: a value as people type it, or None when it is not one
# ------------------------------------------------------------------------------------------------
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_DATE_WITH_TIME = re.compile(
    r"^(\d{4}\D\d{1,2}\D\d{1,2}日?)(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$"
)
# What the first three formats accept: one separator used twice, a 1-2 digit month and day.
_PLAIN_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
FIRST_YEAR, LAST_YEAR = 1900, 2100  # a ledger date outside these years is a typing slip
DATE_HINT = "应为日期，如 2021-06-16、2021/6/16 或 Excel 日期"


def _any_date(v: object) -> dt.datetime | None:
    """A date in any form people write one (the time of day dropped), whatever its year."""
    if isinstance(v, bool):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, (int, float)):
        return _excel_serial(float(v))
    s = unicodedata.normalize("NFKC", str(v)).strip()
    plain = _PLAIN_DATE.fullmatch(s)
    if plain:  # the usual 2021-06-16 or 2021/6/16, without a strptime attempt per format
        try:
            return dt.datetime(int(plain[1]), int(plain[3]), int(plain[4]))
        except ValueError:
            return None  # no format reads 2021-02-30 either
    with_time = _DATE_WITH_TIME.match(s)
    s = with_time.group(1) if with_time else s
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            pass
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return _excel_serial(float(s))
    return None


def parse_date(v: object) -> dt.datetime | None:
    """A date as people write it in a ledger, or None when it is not one (or not a plausible one)."""
    d = _any_date(v)
    return d if d is not None and FIRST_YEAR <= d.year <= LAST_YEAR else None


def _excel_serial(x: float) -> dt.datetime | None:
    # Excel serials of the years 1955..2118 (a fraction is the time of day); anything else is not
    # a date someone meant.
    if 20000 <= x < 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(x))
    return None


def parse_int(v: object) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else None
    s = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    if re.fullmatch(r"[+-]?\d+(\.0*)?", s):
        return int(float(s)) if "." in s else int(s)
    return None


def parse_money(v: object) -> Decimal | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v)) if v == v and abs(v) != float("inf") else None
    s = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    s = re.sub(r"(万元|元)$", "", s).strip().lstrip("¥").strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


# Control characters (C0 but tab, line feed and carriage return) have no place in a ledger cell:
# a NUL or an escape code pasted in from another system. They are removed as the cell is read,
# with a note, rather than refused: the text around them is what the user typed and meant, and a
# note lets them clean the ledger when they next edit it.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


# ------------------------------------------------------------------------------------------------
# Converters of one distinct value: (value, problem, alias used)
# ------------------------------------------------------------------------------------------------
def _to_id(col: Column, v: object):
    return str(_shown(v)).strip(), None, None


def _to_date(col: Column, v: object):
    d = _any_date(v)
    if d is None:
        return None, DATE_HINT, None
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        return None, f"年份{d.year}不合理：{DATE_HINT}", None
    return d, None, None


def _not_negative(n: int | Decimal | None, not_read: str, negative: str, limit: int | None):
    """A count or an amount as read, or the problem: not read, below zero, or implausibly large."""
    if n is None:
        return None, not_read, None
    if n < 0:
        return None, negative, None
    if limit is not None and n >= limit:
        return None, "数值过大，请核对", None
    return n, None, None


def _to_int(col: Column, v: object):
    return _not_negative(parse_int(v), "应为整数", "不应为负数", 10**12)


def _to_money(col: Column, v: object):
    return _not_negative(parse_money(v), "应为金额数字，如 1200.50", "金额不应为负数", None)


def _suggest(key: str, choices: list[str]) -> str:
    keys = {norm(c): c for c in choices}
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.5)
    return f"（是否应为「{keys[close[0]]}」？）" if close else ""


def _to_category(col: Column, v: object):
    key = norm(v)
    for choice in col.choices:
        if norm(choice) == key:
            return choice, None, None
    for alias, official in vocab.ALIASES.items():
        if norm(alias) == key and official in col.choices:
            return official, None, official
    valid = "、".join(col.choices)
    return None, f"不是可用的类别{_suggest(key, list(col.choices))}，应为：{valid}", None


def _to_outcome(col: Column, v: object):
    found = match_outcome(v)
    if found:
        return found, None, None
    leaves = [o.split("/")[-1] for o in vocab.OUTCOMES]
    hint = _suggest(vocab.strip_numbering(norm(v)).split("/")[-1], leaves)
    return (
        None,
        f"不是表三的办理结果{hint}；应写表三的一项，如「予以公开」或「不予公开/属于国家秘密」",
        None,
    )


_CONVERTERS: dict[str, Callable[[Column, object], tuple[object, str | None, str | None]]] = {
    "id": _to_id,
    "text": _to_id,
    "date": _to_date,
    "int": _to_int,
    "money": _to_money,
    "category": _to_category,
    "outcome": _to_outcome,
}
