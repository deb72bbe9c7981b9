"""The statutory tables 表二, 表三 and 表四 for a report year, by the contract's counting rules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from reportkit.contract import vocab
from reportkit.contract.phrasing import json_number
from reportkit.ingest.ledgers import Ledgers


def in_year(dates: pd.Series, year: int) -> pd.Series:
    """Rows whose date falls in the report year (1 January to 31 December)."""
    return dates.dt.year == year


def yuan_to_wan(total_yuan: Decimal) -> Decimal:
    """元 -> 万元, rounded half-up to 0.01 as the table prints it."""
    return (Decimal(total_yuan) / Decimal(10000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def in_force(documents: pd.DataFrame, year: int, at_year_end: bool = True) -> pd.Series:
    """Documents in force on 31 December of `year` (现行有效): issued by then, not yet abolished.
    at_year_end=False: in force on any day of the year, so those abolished in it count too."""
    issued, abolished = documents["印发日期"].dt.year, documents["废止日期"].dt.year
    still = abolished > year if at_year_end else abolished >= year
    return (issued <= year) & (abolished.isna() | still)


def carried_in(requests: pd.DataFrame, year: int) -> pd.Series:
    """上年结转: received before the year and not concluded before it."""
    received, done = requests["收到日期"].dt.year, requests["办结日期"].dt.year
    return (received < year) & (done.isna() | (done >= year))


def carried_out(requests: pd.DataFrame, year: int) -> pd.Series:
    """结转下年度继续办理: received by the end of the year and not concluded in it."""
    received, done = requests["收到日期"].dt.year, requests["办结日期"].dt.year
    return (received <= year) & (done.isna() | (done > year))


def decisions_count(ledgers: Ledgers, stem: str, year: int) -> int:
    """行政许可 / 行政处罚 / 行政强制: decisions dated in the year."""
    return int(in_year(ledgers[stem]["决定日期"], year).sum())


def documents_counts(ledgers: Ledgers, year: int) -> dict[str, dict[str, int]]:
    """本年制发 / 本年废止 / 现行有效 for 规章 and 行政规范性文件."""
    df = ledgers["documents"]
    out: dict[str, dict[str, int]] = {}
    for kind in vocab.DOCUMENT_TYPES:
        d = df[df["类型"] == kind]
        out[kind] = {
            vocab.T2_ISSUED: int(in_year(d["印发日期"], year).sum()),
            vocab.T2_ABOLISHED: int(in_year(d["废止日期"], year).sum()),
            vocab.T2_IN_FORCE: int(in_force(d, year).sum()),
        }
    return out


def fees_wan(ledgers: Ledgers, year: int) -> Decimal:
    """行政事业性收费 in the year, in 万元."""
    df = ledgers["fees"]
    amounts = df.loc[in_year(df["日期"], year), "金额（元）"]
    return yuan_to_wan(sum(amounts, Decimal(0)))


def table2(ledgers: Ledgers, year: int) -> dict[str, dict[str, Any]]:
    """表二, keyed as tables.json section2."""
    t: dict[str, dict[str, Any]] = dict(documents_counts(ledgers, year))
    t[vocab.LICENSING] = {vocab.T2_DECISIONS: decisions_count(ledgers, "licensing", year)}
    t[vocab.PENALTY] = {vocab.T2_DECISIONS: decisions_count(ledgers, "penalties", year)}
    t[vocab.ENFORCEMENT] = {vocab.T2_DECISIONS: decisions_count(ledgers, "enforcement", year)}
    t[vocab.FEES] = {vocab.T2_FEES: fees_wan(ledgers, year)}
    return t


def request_sets(ledgers: Ledgers, year: int) -> dict[str, pd.DataFrame]:
    """The requests behind 表三's rows: new, carried in, concluded in the year, carried out."""
    df = ledgers["requests"]
    return {
        vocab.NEW_REQUESTS: df[in_year(df["收到日期"], year)],
        vocab.CARRIED_IN: df[carried_in(df, year)],
        "concluded": df[in_year(df["办结日期"], year)],
        vocab.CARRIED_OUT: df[carried_out(df, year)],
    }


def table3(ledgers: Ledgers, year: int) -> pd.DataFrame:
    """表三: the 25 rows of tables.json section3 by the 7 columns, every cell an int.

    Counted with integer codes (one pass per row set) rather than by filtering the ledger once
    per outcome: a million-row ledger takes a tenth of a second. request_sets() gives the rows.
    """
    df = ledgers["requests"]
    received, done = df["收到日期"].dt.year, df["办结日期"].dt.year
    applicant = _codes(df["申请人类型"], vocab.APPLICANT_TYPES)
    outcome = _codes(df["办理结果"], vocab.OUTCOMES)
    concluded = (done == year).to_numpy()
    masks = {
        vocab.NEW_REQUESTS: (received == year).to_numpy(),
        vocab.CARRIED_IN: carried_in(df, year).to_numpy(),
        vocab.TOTAL: concluded,
        vocab.CARRIED_OUT: carried_out(df, year).to_numpy(),
    }
    n = len(vocab.APPLICANT_TYPES)
    rows = {
        label: np.bincount(applicant[m & (applicant >= 0)], minlength=n)
        for label, m in masks.items()
    }
    both = concluded & (outcome >= 0) & (applicant >= 0)
    by_outcome = np.bincount(outcome[both] * n + applicant[both], minlength=len(vocab.OUTCOMES) * n)
    for i, label in enumerate(vocab.OUTCOMES):
        rows[label] = by_outcome[i * n : (i + 1) * n]
    table = pd.DataFrame(
        {label: rows[label] for label in vocab.T3_ROWS}, index=vocab.APPLICANT_TYPES
    ).T
    table[vocab.TOTAL] = table.sum(axis=1)
    return table.astype("int64")


def _codes(column: pd.Series, categories: list[str]) -> np.ndarray:
    """Each row's position in `categories` (-1 when absent or blank), as pd.Categorical gives it,
    but matched once per distinct value: a million rows of text are hashed in Arrow, not Python."""
    codes, uniques = pd.factorize(column)
    return np.append(pd.Index(categories).get_indexer(uniques), -1)[codes]


def appeal_cases(ledgers: Ledgers, year: int) -> pd.DataFrame:
    """Appeals received in the year, each with the column of 表四 it counts under."""
    df = ledgers["appeals"]
    cases = df[in_year(df["收到日期"], year)].copy()
    decided = (
        cases["审结日期"].notna() & (cases["审结日期"].dt.year <= year) & cases["结果"].notna()
    )
    cases["表四列"] = cases["结果"].where(decided, vocab.PENDING)
    return cases


def table4(ledgers: Ledgers, year: int) -> pd.DataFrame:
    """表四: 行政复议 / 未经复议直接起诉 / 复议后起诉 by 结果维持 … 总计."""
    cases = appeal_cases(ledgers, year)
    # Counted with integer codes, as 表三 is: pd.crosstab cost ten times as much, and 表四 is
    # asked for by the build, its checks, the narrative's figures and the sections alike.
    kinds, columns = vocab.APPEAL_KINDS, vocab.T4_COLUMNS[:-1]
    kind, column = _codes(cases["类别"], kinds), _codes(cases["表四列"], columns)
    known = (kind >= 0) & (column >= 0)
    counts = np.bincount(
        kind[known] * len(columns) + column[known], minlength=len(kinds) * len(columns)
    )
    # The axes named as pd.crosstab named them (a year without cases had no names): an analyst's
    # notebook shows the same frame as before.
    table = pd.DataFrame(
        counts.reshape(len(kinds), len(columns)),
        index=pd.Index(kinds, name="类别" if len(cases) else None),
        columns=pd.Index(columns, name="表四列" if len(cases) else None),
    ).astype("int64")
    table[vocab.TOTAL] = table.sum(axis=1)
    return table


def _json_number(v: Any) -> int | float:
    return json_number(v) if isinstance(v, Decimal) else int(v)


def section2_json(t2: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {row: {col: _json_number(v) for col, v in cols.items()} for row, cols in t2.items()}


def section3_json(t3: pd.DataFrame) -> dict[str, Any]:
    return {row: {col: int(t3.at[row, col]) for col in vocab.T3_COLUMNS} for row in vocab.T3_ROWS}


def section4_json(t4: pd.DataFrame) -> dict[str, Any]:
    return {
        kind: {col: int(t4.at[kind, col]) for col in vocab.T4_COLUMNS}
        for kind in vocab.APPEAL_KINDS
    }


def tables_json(ledgers: Ledgers, agency: str, year: int) -> dict[str, Any]:
    """The contract's tables.json: rows and columns in the contract's order."""
    return {
        "agency": agency,
        "year": year,
        "section2": section2_json(table2(ledgers, year)),
        "section3": section3_json(table3(ledgers, year)),
        "section4": section4_json(table4(ledgers, year)),
    }
