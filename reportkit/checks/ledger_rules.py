"""The ledger rules (L-): rows a count cannot take as typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from reportkit.compute import tables
from reportkit.contract import vocab
from reportkit.contract.errors import Location
from reportkit.contract.findings import (
    FAR_YEARS,
    OLDEST_DOCUMENT_YEAR,
    Finding,
    finding,
)
from reportkit.contract.schema import (
    APPEAL_CONCLUDED,
    APPEAL_RESULT,
    APPLICANT_TYPE,
    CONCLUDED,
    DOCUMENT_NO,
    DOCUMENT_TYPE,
    FEE_AMOUNT,
    ISSUED,
    OUTCOME,
    RECEIVED,
    REPEALED,
    REQUEST_FEE,
    REQUEST_ID,
    REQUEST_TEXT,
)
from reportkit.ingest.ledgers import ROW, SCHEMAS, Ledgers, norm
from reportkit.ingest.tablesjson import _decimals

# =============================================================================================
# Ledgers
# =============================================================================================
# Row rules: (ledger, rule, column pointed at, rows that break it, expected, what to do).
Condition = Callable[[pd.DataFrame], pd.Series]
# fmt: off
ROW_RULES: list[tuple[str, str, str, Condition, str, str]] = [
    ("requests", "L-done-before-received", CONCLUDED, lambda d: d[CONCLUDED] < d[RECEIVED],
     "不早于收到日期", "办结日期早于收到日期，请改正其中之一"),
    ("requests", "L-done-no-result", OUTCOME, lambda d: d[CONCLUDED].notna() & d[OUTCOME].isna(),
     "表三的一项办理结果", "已填办结日期却没有办理结果，请填写办理结果；未办结的请清空办结日期"),
    ("requests", "L-result-no-done", CONCLUDED, lambda d: d[OUTCOME].notna() & d[CONCLUDED].isna(),
     "办结日期", "已填办理结果却没有办结日期，表三会把它算作结转下年度，请填写办结日期；未办结的请清空办理结果"),
    ("appeals", "L-appeal-result-no-date", APPEAL_CONCLUDED, lambda d: d[APPEAL_RESULT].notna() & d[APPEAL_CONCLUDED].isna(),
     "审结日期", "已填结果却没有审结日期，表四会把它算作尚未审结，请填写审结日期；尚未审结的请清空结果"),
    ("appeals", "L-appeal-date-no-result", APPEAL_RESULT, lambda d: d[APPEAL_CONCLUDED].notna() & d[APPEAL_RESULT].isna(),
     "结果维持、结果纠正或其他结果", "已填审结日期却没有结果，请填写结果；尚未审结的请清空审结日期"),
    ("appeals", "L-appeal-order", APPEAL_CONCLUDED, lambda d: d[APPEAL_CONCLUDED] < d[RECEIVED],
     "不早于收到日期", "审结日期早于收到日期，请改正其中之一"),
    ("documents", "L-document-order", REPEALED, lambda d: d[REPEALED] < d[ISSUED],
     "不早于印发日期", "废止日期早于印发日期，请改正其中之一"),
]
# fmt: on


def check_ledgers(
    ledgers: Ledgers, year: int, built_at: dt.date, can_make_regulations: bool | None = None
) -> list[Finding]:
    """Ledger rows that cannot be right (errors) or look mistyped (warnings)."""
    findings = [
        finding(rule, _at(ledgers, stem, r, column), expected, _shown(r[column]), message)
        for stem, rule, column, broken, expected, message in ROW_RULES
        for r in _flagged(ledgers[stem], broken(ledgers[stem]))
    ]
    return findings + [
        *_concluded_twice(ledgers),
        *_duplicate_ids(ledgers),
        *_dates(ledgers, year, built_at),
        *_fees(ledgers),
        *_regulation_rows(ledgers, year, can_make_regulations),
    ]


def _at(ledgers: Ledgers, stem: str, r: dict[str, Any], column: str) -> dict[str, Any]:
    path = ledgers.files.get(stem)
    return Location(path.name if path else f"{stem}.csv", int(r[ROW]), column).where()


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `df` as dicts (column -> value): what iterrows() gives, built column-wise, so
    that a rule flagging many rows of a big ledger stays quick."""
    return df.to_dict("records")


def _flagged(df: pd.DataFrame, mask: pd.Series) -> list[dict[str, Any]]:
    """The rows a rule flags (`mask`), as _records gives them; none without making a frame of
    them, the usual case (a dozen rules over every date column of every build)."""
    return _records(df[mask]) if mask.any() else []


def _records_at(df: pd.DataFrame, positions: list[int]) -> dict[int, dict[str, Any]]:
    """The rows at these positions of `df`, as dicts, by position: built in one go."""
    return dict(zip(positions, _records(df.iloc[positions]))) if positions else {}


def _shown(v: Any) -> Any:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return pd.Timestamp(v).strftime("%Y-%m-%d") if isinstance(v, (pd.Timestamp, dt.date)) else v


def _repeats(keys: pd.DataFrame | pd.Series) -> dict[Any, list[int]]:
    """Positions of the rows whose key repeats, grouped by key in order of first appearance. One
    vectorised pass finds them, so a ledger without repeats costs no loop over its rows."""
    repeated = np.flatnonzero(keys.duplicated(keep=False).to_numpy())
    groups: dict[Any, list[int]] = {}
    if not repeated.size:
        return groups
    values = keys.iloc[repeated]
    tuples = (
        values.itertuples(index=False, name=None) if isinstance(values, pd.DataFrame) else values
    )
    for position, key in zip(repeated.tolist(), tuples):
        groups.setdefault(key, []).append(position)
    return groups


def _concluded_twice(ledgers: Ledgers) -> list[Finding]:
    """Two concluded rows with the same day, applicant type and request text: entered twice?"""
    df = ledgers["requests"]
    done = df[
        df[CONCLUDED].notna() & df[REQUEST_TEXT].notna() & (df[OUTCOME] != "不予处理/重复申请")
    ]
    keys = pd.DataFrame(
        {
            "received": done[RECEIVED].to_numpy(),
            "applicant": done[APPLICANT_TYPE].to_numpy(dtype=object),
            "text": [norm(v) for v in done[REQUEST_TEXT].tolist()],
        }
    )
    groups = list(_repeats(keys).values())
    records = _records_at(done, [p for positions in groups for p in positions])
    out = []
    for positions in groups:
        first, *others = (records[p] for p in positions)
        for r in others:
            out.append(
                finding(
                    "L-concluded-twice",
                    _at(ledgers, "requests", r, REQUEST_ID),
                    "只录入一次",
                    r[REQUEST_ID],
                    f"与第{first[ROW]}行（{first[REQUEST_ID]}）的收到日期、申请人类型和申请内容都相同，且都已办结，"
                    "表三会计两次；如是同一申请录入了两次，请删去一行；如确为两件申请，可忽略",
                )
            )
    return out


def _duplicate_ids(ledgers: Ledgers) -> list[Finding]:
    out = []
    for stem, schema in SCHEMAS.items():
        id_col = schema.id_column
        if not id_col:
            continue
        df = ledgers[stem][ledgers[stem][id_col].notna()]
        keys = pd.Series([norm(v).casefold() for v in df[id_col].tolist()], dtype=object)
        repeats = _repeats(keys)
        # in row order, each against the first row with its key, as the rows are read
        rows = sorted((p, positions[0]) for positions in repeats.values() for p in positions[1:])
        records = _records_at(df, [p for positions in repeats.values() for p in positions])
        for position, first in rows:
            r, other = records[position], records[first]
            out.append(
                finding(
                    "L-duplicate-id",
                    _at(ledgers, stem, r, id_col),
                    "唯一的编号",
                    r[id_col],
                    f"与第{other[ROW]}行的「{other[id_col]}」实为同一编号；同一记录请只录入一次，"
                    "不同记录请改用不同编号",
                )
            )
    return out


def _dates(ledgers: Ledgers, year: int, built_at: dt.date | None) -> list[Finding]:
    """Dates after the build day (only when the day is given: check() reads no clock) and dates
    far before the report year."""
    out = []
    for stem, schema in SCHEMAS.items():
        df = ledgers[stem]
        oldest = OLDEST_DOCUMENT_YEAR if stem == "documents" else year - FAR_YEARS
        for col in (c.name for c in schema.columns if c.kind == "date"):
            # (rule, rows that break it, expected, message): a date after the build, or far back
            rules = []
            if built_at is not None:
                day = built_at.isoformat()
                future = df[col] > pd.Timestamp(built_at)
                why = f"晚于报告生成之日（{day}），不可能发生，请改正年份或日期"
                rules.append(("L-date-future", future, f"不晚于{day}", why))
            why = f"离报告年度{year}年太远，请核对是否输错了年份"
            rules.append(("L-date-far", df[col].dt.year < oldest, f"{oldest}年或以后", why))
            for rule, broken, expected, message in rules:
                out += [
                    finding(rule, _at(ledgers, stem, r, col), expected, _shown(r[col]), message)
                    for r in _flagged(df, broken)
                ]
    return out


def _fees(ledgers: Ledgers) -> list[Finding]:
    out = []
    for stem, col in (("fees", FEE_AMOUNT), ("requests", REQUEST_FEE)):
        df = ledgers[stem]
        for r in _flagged(df, df[col].notna()):
            amount: Decimal = r[col]
            if _decimals(amount) > 2:
                out.append(
                    finding(
                        "L-fee-decimals",
                        _at(ledgers, stem, r, col),
                        "元，至多两位小数",
                        amount,
                        f"有{_decimals(amount)}位小数，而元只到分，多半是按万元填写，"
                        "请换算为元（万元数 × 10000）",
                    )
                )
            elif 0 < amount < 1:
                out.append(
                    finding(
                        "L-fee-size",
                        _at(ledgers, stem, r, col),
                        "不少于 1 元",
                        amount,
                        "不足 1 元，多半是按万元填写，请换算为元（万元数 × 10000）",
                    )
                )
    return out


def _regulation_rows(
    ledgers: Ledgers, year: int, can_make_regulations: bool | None
) -> list[Finding]:
    """The 规章 rows behind R7, so that the user finds them."""
    if can_make_regulations is not False:
        return []
    df = ledgers["documents"]
    # the rows that 表二 counts somewhere: in force on some day of the year
    counted = tables.in_force(df, year, at_year_end=False)
    return [
        finding(
            "L-regulation",
            _at(ledgers, "documents", r, DOCUMENT_TYPE),
            vocab.NORMATIVE,
            vocab.REGULATION,
            f"「{r[DOCUMENT_NO]}」类型为规章，但本机关没有规章制定权；如是本机关的文件，类型应为行政规范性文件",
        )
        for r in _flagged(df, counted & (df[DOCUMENT_TYPE] == vocab.REGULATION))
    ]
