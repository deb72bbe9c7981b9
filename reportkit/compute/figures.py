"""The figures the narrative states, each with its value in the previous year from the same ledgers.

`Figures(ledgers, year)` is what notebooks use (English names); `Figures.namespace()` is what the
narrative templates see (the Chinese names listed in README).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

import pandas as pd

from reportkit.compute import tables
from reportkit.contract import phrasing, vocab
from reportkit.ingest.ledgers import Ledgers, norm

OUTREACH_MEASURES = {
    "sessions": "场次",
    "participants": "参与人次",
    "boards": "展板（块）",
    "banners": "横幅（条）",
    "materials": "资料（份）",
}


class Lazy:
    """A narrative name whose value is computed only if a template uses it."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[], Any]):
        self.compute = compute


@dataclass(frozen=True)
class Figure:
    """One number of the report, with the same number for the year before."""

    value: int | Decimal
    previous: int | Decimal
    year: int
    label: str = ""

    def __str__(self) -> str:
        if isinstance(self.value, Decimal):
            return phrasing.plain(self.value)
        return str(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Figure):
            return (self.value, self.previous) == (other.value, other.previous)
        return self.value == other

    def __hash__(self) -> int:
        return hash((self.value, self.previous))

    @property
    def change(self) -> int | Decimal:
        return self.value - self.previous

    def approx(self) -> str:
        return phrasing.approx(self.value)

    def yoy(self, unit: str = "", against: str = "与上年") -> str:
        """与上年减少16件; `against` may hold {年} for the previous year: '比{年}年度' -> 比2020年度."""
        return phrasing.yoy(
            self.value, self.previous, unit, against.replace("{年}", str(self.year - 1))
        )

    def pct(self, against: str = "同比") -> str:
        return phrasing.pct_change(self.value, self.previous, against)

    def money(self) -> str:
        return phrasing.money_wan(self.value)


def _fig(compute: Callable[[int], int | Decimal], year: int, label: str = "") -> Figure:
    return Figure(compute(year), compute(year - 1), year, label)


def _measure(column: str, label: str) -> property:
    """An outreach view's measure: the sum of one ledger column over the view's rows, by year."""
    return property(lambda view: _fig(lambda y: int(view.rows(y)[column].sum()), view.year, label))


class OutreachView:
    """Outreach activities narrowed step by step: by 活动类型, by month, by day, by period.

    Dates are given without the year (month, day), so the same view of the year before is the
    previous-year value: `outreach.month(6).type('安全宣传“五进”活动').sessions`.
    """

    def __init__(self, frame: pd.DataFrame, year: int, filters: tuple = ()):
        self._frame, self.year, self._filters = frame, year, filters

    def _narrow(self, f: tuple) -> OutreachView:
        return OutreachView(self._frame, self.year, (*self._filters, f))

    def type(self, name: str) -> OutreachView:
        return self._narrow(("type", norm(name)))

    def month(self, month: int) -> OutreachView:
        return self._narrow(("month", int(month)))

    def day(self, month: int, day: int) -> OutreachView:
        return self._narrow(("day", int(month), int(day)))

    def period(self, start: tuple[int, int], end: tuple[int, int]) -> OutreachView:
        """From (month, day) to (month, day), both included."""
        return self._narrow(("period", tuple(start), tuple(end)))

    def rows(self, year: int | None = None) -> pd.DataFrame:
        """The ledger rows behind this view in `year` (default: the report year)."""
        year = self.year if year is None else year
        df = self._frame
        mask = tables.in_year(df["日期"], year)
        for f in self._filters:
            if f[0] == "type":
                mask &= df["活动类型"].map(norm) == f[1]
            elif f[0] == "month":
                mask &= df["日期"].dt.month == f[1]
            elif f[0] == "day":
                mask &= (df["日期"].dt.month == f[1]) & (df["日期"].dt.day == f[2])
            elif f[0] == "period":
                start = pd.Timestamp(dt.date(year, *f[1]))
                end = pd.Timestamp(dt.date(year, *f[2]))
                mask &= (df["日期"] >= start) & (df["日期"] <= end)
        return df[mask]

    sessions = _measure("场次", "场次")
    participants = _measure("参与人次", "参与人次")
    boards = _measure("展板（块）", "展板")
    banners = _measure("横幅（条）", "横幅")
    materials = _measure("资料（份）", "资料")

    # The narrative's Chinese names.
    类型 = type
    月 = month
    日 = day
    期间 = period
    场次 = sessions
    参与人次 = participants
    展板 = boards
    横幅 = banners
    资料 = materials


class ProposalView:
    """人大代表建议 and 政协提案 received in the year, narrowed by 类别 and 办理方式."""

    def __init__(self, frame: pd.DataFrame, year: int, filters: tuple = ()):
        self._frame, self.year, self._filters = frame, year, filters

    def kind(self, name: str) -> ProposalView:
        return ProposalView(self._frame, self.year, (*self._filters, ("类别", name)))

    def handling(self, name: str) -> ProposalView:
        return ProposalView(self._frame, self.year, (*self._filters, ("办理方式", name)))

    def rows(self, year: int | None = None) -> pd.DataFrame:
        year = self.year if year is None else year
        df = self._frame
        mask = tables.in_year(df["收到日期"], year)
        for column, value in self._filters:
            mask &= df[column].map(norm) == norm(value)
        return df[mask]

    @property
    def count(self) -> Figure:
        return _fig(lambda y: len(self.rows(y)), self.year, "件")

    类别 = kind
    办理方式 = handling
    件数 = count


class Figures:
    """Every figure of one report year, computed from the ledgers."""

    def __init__(self, ledgers: Ledgers, year: int):
        self.ledgers, self.year = ledgers, year
        self._yearly: dict[tuple[Callable, int], Any] = {}

    @cached_property
    def outreach(self) -> OutreachView:
        return OutreachView(self.ledgers["outreach"], self.year)

    @cached_property
    def proposals(self) -> ProposalView:
        return ProposalView(self.ledgers["proposals"], self.year)

    def _decisions(self, stem: str, label: str) -> Figure:
        return _fig(lambda y: tables.decisions_count(self.ledgers, stem, y), self.year, label)

    @property
    def licensing(self) -> Figure:
        return self._decisions("licensing", vocab.LICENSING)

    @property
    def penalties(self) -> Figure:
        return self._decisions("penalties", vocab.PENALTY)

    @property
    def enforcement(self) -> Figure:
        return self._decisions("enforcement", vocab.ENFORCEMENT)

    @property
    def fees_wan(self) -> Figure:
        return _fig(lambda y: tables.fees_wan(self.ledgers, y), self.year, vocab.FEES)

    def documents(self, kind: str, column: str) -> Figure:
        return _fig(lambda y: self._documents(y)[kind][column], self.year, kind + column)

    def _once(self, compute: Callable[[Ledgers, int], Any], year: int) -> Any:
        """A whole table of the year, computed once: each of its figures (表三's rows, 表四's
        kinds, the six 规章/规范性文件 counts), this year and last, would compute it again."""
        key = (compute, year)
        if key not in self._yearly:
            self._yearly[key] = compute(self.ledgers, year)
        return self._yearly[key]

    def _documents(self, year: int) -> dict[str, dict[str, int]]:
        return self._once(tables.documents_counts, year)

    def _procurement(self, y: int) -> pd.DataFrame:
        df = self.ledgers["procurement"]
        return df[tables.in_year(df["日期"], y)]

    @property
    def procurement_count(self) -> Figure:
        return _fig(lambda y: len(self._procurement(y)), self.year, "政府集中采购次数")

    @property
    def procurement_amount_wan(self) -> Figure:
        return _fig(
            lambda y: sum(self._procurement(y)["金额（万元）"], Decimal(0)),
            self.year,
            "政府集中采购金额",
        )

    def media_rows(self, year: int | None = None) -> pd.DataFrame:
        df = self.ledgers["media"]
        return df[tables.in_year(df["日期"], self.year if year is None else year)]

    @property
    def media_reports(self) -> Figure:
        return _fig(lambda y: len(self.media_rows(y)), self.year, "媒体报道")

    def _table3(self, year: int) -> pd.DataFrame:
        return self._once(tables.table3, year)

    def _table4(self, year: int) -> pd.DataFrame:
        return self._once(tables.table4, year)

    def requests_row(self, row: str, column: str = vocab.TOTAL) -> Figure:
        """A cell of 表三 (rows as tables.json names them), with last year's."""
        return _fig(lambda y: int(self._table3(y).at[row, column]), self.year, row)

    def appeals_total(self, kind: str | None = None) -> Figure:
        """Cases of 表四 in the year: one kind, 行政诉讼 (both suit kinds), or all when None."""
        kinds = {
            None: vocab.APPEAL_KINDS,
            vocab.LITIGATION: [vocab.DIRECT_SUIT, vocab.SUIT_AFTER_REVIEW],
        }.get(kind, [kind])
        return _fig(
            lambda y: int(self._table4(y).loc[kinds, vocab.TOTAL].sum()),
            self.year,
            kind or "",
        )

    @property
    def processing_fees_yuan(self) -> Figure:
        """信息处理费 charged to applicants (依申请公开台账 收费金额（元）), by 办结日期 in the year."""

        def total(y: int) -> Decimal:
            df = self.ledgers["requests"]
            return sum(
                df.loc[tables.in_year(df["办结日期"], y), "收费金额（元）"].dropna(), Decimal(0)
            )

        return _fig(total, self.year, "信息处理费")

    def namespace(self) -> dict[str, Lazy]:
        """The names a narrative template may use (documented in README), each computed only when
        a template uses it."""
        d = vocab
        doc = self.documents
        return {
            "年度": Lazy(lambda: self.year),
            "上年": Lazy(lambda: self.year - 1),
            "行政许可": Lazy(lambda: self.licensing),
            "行政处罚": Lazy(lambda: self.penalties),
            "行政强制": Lazy(lambda: self.enforcement),
            "行政事业性收费": Lazy(lambda: self.fees_wan),
            "规章制发": Lazy(lambda: doc(d.REGULATION, d.T2_ISSUED)),
            "规章废止": Lazy(lambda: doc(d.REGULATION, d.T2_ABOLISHED)),
            "规章现行有效": Lazy(lambda: doc(d.REGULATION, d.T2_IN_FORCE)),
            "规范性文件制发": Lazy(lambda: doc(d.NORMATIVE, d.T2_ISSUED)),
            "规范性文件废止": Lazy(lambda: doc(d.NORMATIVE, d.T2_ABOLISHED)),
            "规范性文件现行有效": Lazy(lambda: doc(d.NORMATIVE, d.T2_IN_FORCE)),
            "集中采购次数": Lazy(lambda: self.procurement_count),
            "集中采购金额": Lazy(lambda: self.procurement_amount_wan),
            "宣传": Lazy(lambda: self.outreach),
            "媒体报道": Lazy(lambda: self.media_reports),
            "建议提案": Lazy(lambda: self.proposals),
            "新收申请": Lazy(lambda: self.requests_row(d.NEW_REQUESTS)),
            "上年结转申请": Lazy(lambda: self.requests_row(d.CARRIED_IN)),
            "办结申请": Lazy(lambda: self.requests_row(d.TOTAL)),
            "结转下年申请": Lazy(lambda: self.requests_row(d.CARRIED_OUT)),
            "予以公开": Lazy(lambda: self.requests_row(d.GRANTED)),
            "部分公开": Lazy(lambda: self.requests_row(d.PARTLY)),
            "行政复议": Lazy(lambda: self.appeals_total(d.REVIEW)),
            "行政诉讼": Lazy(lambda: self.appeals_total(d.LITIGATION)),
            "复议诉讼": Lazy(lambda: self.appeals_total()),
            "信息处理费": Lazy(lambda: self.processing_fees_yuan),
        }


# ------------------------------------------------------------------------------------------------
# Tables for the analysts' notebooks and the charts
# ------------------------------------------------------------------------------------------------
def outreach_by_type(ledgers: Ledgers, year: int) -> pd.DataFrame:
    """Sessions, participants, boards, banners and materials by 活动类型 in the year."""
    df = ledgers["outreach"]
    rows = df[tables.in_year(df["日期"], year)]
    cols = list(OUTREACH_MEASURES.values())
    out = (
        rows.groupby("活动类型", sort=False)[cols].sum()
        if len(rows)
        else pd.DataFrame(columns=cols)
    )
    return out.sort_values("场次", ascending=False).astype("int64")


def outreach_by_month(ledgers: Ledgers, year: int) -> pd.DataFrame:
    """The same measures by month 1–12 (every month present)."""
    df = ledgers["outreach"]
    rows = df[tables.in_year(df["日期"], year)]
    cols = list(OUTREACH_MEASURES.values())
    out = rows.groupby(rows["日期"].dt.month)[cols].sum().reindex(range(1, 13), fill_value=0)
    out.index.name = "月份"
    return out.astype("int64")


def decisions_by_year(ledgers: Ledgers, years: list[int] | None = None) -> pd.DataFrame:
    """行政许可 / 行政处罚 / 行政强制 per year, over the years the ledgers hold (or `years`)."""
    stems = {
        "licensing": vocab.LICENSING,
        "penalties": vocab.PENALTY,
        "enforcement": vocab.ENFORCEMENT,
    }
    if years is None:
        found: set[int] = set()
        for stem in stems:
            found.update(int(y) for y in ledgers[stem]["决定日期"].dt.year.dropna().unique())
        years = sorted(found)
    data = {
        label: [tables.decisions_count(ledgers, stem, y) for y in years]
        for stem, label in stems.items()
    }
    out = pd.DataFrame(data, index=pd.Index(years, name="年度"))
    return out.astype("int64")


def requests_outcomes(ledgers: Ledgers, year: int) -> pd.Series:
    """Concluded requests by outcome group （一）–（六） (for the 表三 chart)."""
    return outcomes_of(tables.table3(ledgers, year))


def outcomes_of(t3: pd.DataFrame) -> pd.Series:
    """表三's concluded requests by outcome group （一）–（六）."""
    out = {}
    for _num, group, leaves in vocab.OUTCOME_GROUPS:
        keys = [f"{group}/{leaf}" for leaf in leaves] if leaves else [group]
        out[group] = int(t3.loc[keys, vocab.TOTAL].sum())
    return pd.Series(out, name="件数")
