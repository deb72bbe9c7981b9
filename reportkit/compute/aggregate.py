"""Aggregated reports: an agency's own tables plus those of the agencies it includes (agencies.yaml).

Every cell of 表二, 表三 and 表四 is the own ledgers' cell plus the included agencies' cells for
the year: their builds' tables.json (outputs/<id>/<Y>/) or their published reports. Counts add
as integers. 行政事业性收费 is the one amount: the own ledgers' fees are summed in 元 and turned
into 万元 unrounded, the included agencies' 万元 are added as published (they are only known
rounded), and the total is rounded half-up to 0.01 once, as the statutory table prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from reportkit.compute import tables
from reportkit.compute.figures import Figure, Figures
from reportkit.contract import handover, trace, vocab
from reportkit.ingest.agencies import AgenciesError, Registry, agency_name

if TYPE_CHECKING:
    from reportkit.ingest.ledgers import Ledgers
    from reportkit.ingest.params import Params

CENT = Decimal("0.01")
HIERARCHY_RULE = "R13"
OWN_SOURCE = "本级台账"
BUILT_SOURCE = "该单位台账"
PUBLISHED_SOURCE = "该单位已发布的报告"

Grid = dict[str, dict[str, dict[str, Any]]]  # table (表二…) -> row -> column -> number


@dataclass
class Part:
    """One agency's contribution: its tables as numbers, and where they came from."""

    id: str
    agency: str
    grid: Grid
    source: str
    path: Path | None = None
    fees_yuan: Decimal | None = None  # the own ledgers' fees, unrounded (None for included ones)


def _layout() -> dict[str, tuple[str, dict[str, list[str]]]]:
    from reportkit.contract.findings import LAYOUT

    return LAYOUT


def grid_of(tables_json: dict, who: str, path: Path | None) -> Grid:
    """The cells of a tables.json as numbers; a cell that is not one (a published `/`, a blank)
    cannot be added up, and is an error naming the agency, the file, the cell and its value."""
    from reportkit.contract.findings import ERROR, where_text
    from reportkit.ingest.tablesjson import read_tables

    t, findings = read_tables(tables_json)
    bad = [f for f in findings if f.severity == ERROR]
    if bad:
        f = bad[0]
        more = f"（另有 {len(bad) - 1} 处）" if len(bad) > 1 else ""
        shown = f"「{f.found}」" if f.found is not None else "空缺"
        raise AgenciesError(
            f"机关「{who}」的统计表 {path or ''} 中 {where_text(f.where)} 为{shown}，"
            f"不是可以汇总的数字：{f.message}{more}"
        )
    return {"表二": t.t2, "表三": t.t3, "表四": t.t4}


def to_json(grid: Grid, agency: str, year: int) -> dict[str, Any]:
    """A grid as the contract's tables.json, rows and columns in the contract's order."""
    out: dict[str, Any] = {"agency": agency, "year": year}
    for table, (key, layout) in _layout().items():
        out[key] = {
            row: {col: tables._json_number(grid[table][row][col]) for col in cols}
            for row, cols in layout.items()
        }
    return out


def sum_grids(own: Part, parts: list[Part]) -> Grid:
    """Cell by cell: own + Σ parts; the fees in 万元 rounded half-up once (see the module doc)."""
    out: Grid = {}
    for table, (_key, layout) in _layout().items():
        out[table] = {}
        for row, cols in layout.items():
            out[table][row] = {}
            for col in cols:
                if col == vocab.T2_FEES:
                    own_wan = (
                        own.fees_yuan / Decimal(10000)
                        if own.fees_yuan is not None
                        else Decimal(own.grid[table][row][col])
                    )
                    total = own_wan + sum(
                        (Decimal(str(p.grid[table][row][col])) for p in parts), Decimal(0)
                    )
                    out[table][row][col] = total.quantize(CENT, rounding=ROUND_HALF_UP)
                else:
                    out[table][row][col] = int(own.grid[table][row][col]) + sum(
                        int(p.grid[table][row][col]) for p in parts
                    )
    return out


def own_part(ledgers: Ledgers, agency_id: str, agency: str, year: int) -> Part:
    df = ledgers["fees"]
    yuan = sum(df.loc[tables.in_year(df["日期"], year), "金额（元）"], Decimal(0))
    grid = grid_of(tables.tables_json(ledgers, agency, year), agency_id, None)
    return Part(agency_id, agency, grid, OWN_SOURCE, None, Decimal(yuan))


def included_part(registry: Registry, agency_id: str, year: int, for_id: str) -> Part:
    if trace.enabled():
        # The section re-runs when an included agency's tables change, and when they appear or
        # go: last year's, missing at first, count once they are there (_previous_grid).
        for candidate in registry.tables_files(agency_id, year):
            trace.file_read(candidate)
        params_file = registry.get(agency_id).params_file(year)
        if params_file is not None:
            trace.file_read(params_file)  # its name (agency_name) is its params' `agency`
    data, path = registry.tables_of(agency_id, year, for_id=for_id)
    if isinstance(data.get("year"), int) and data["year"] != year:
        raise AgenciesError(
            f"机关「{agency_id}」的统计表 {path} 是{data['year']}年的，不是{year}年的"
        )
    name = agency_name(registry, agency_id, year)
    if registry.get(agency_id).params is None and data.get("agency"):
        name = str(data["agency"])
    source = BUILT_SOURCE if registry.get(agency_id).params is not None else PUBLISHED_SOURCE
    return Part(agency_id, name, grid_of(data, agency_id, path), source, path)


@dataclass
class Aggregate:
    """An including agency's report year: its own part, the included parts and their sum."""

    agency_id: str
    year: int
    own: Part
    parts: list[Part]
    grid: Grid
    previous_grid: Grid | None = None  # last year's aggregate, for the figures' 上年值
    # What building it read (trace.recording()), when reads were being recorded: a section
    # handed the build's aggregate (shared()) records them as its own.
    reads: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def count(self) -> int:
        """Agencies covered: this one and every included one."""
        return 1 + len(self.parts)

    def tables_json(self) -> dict[str, Any]:
        return to_json(self.grid, self.own.agency, self.year)

    def table2(self) -> dict[str, dict[str, Any]]:
        return {row: dict(cols) for row, cols in self.grid["表二"].items()}

    def table3(self) -> pd.DataFrame:
        t = pd.DataFrame.from_dict(self.grid["表三"], orient="index")
        return t.loc[vocab.T3_ROWS, vocab.T3_COLUMNS].astype("int64")

    def table4(self) -> pd.DataFrame:
        t = pd.DataFrame.from_dict(self.grid["表四"], orient="index")
        return t.loc[vocab.APPEAL_KINDS, vocab.T4_COLUMNS].astype("int64")

    def names(self) -> dict[str, Any]:
        """`{{ 汇总.机关数 }}`, `{{ 汇总.所属机关数 }}`, `{{ 汇总.名单 }}`, `{{ 汇总.申请最多 }}`."""
        ranked = sorted(
            [self.own, *self.parts],
            key=lambda p: -int(p.grid["表三"][vocab.NEW_REQUESTS][vocab.TOTAL]),
        )
        top = [
            f"{p.agency}{int(p.grid['表三'][vocab.NEW_REQUESTS][vocab.TOTAL])}件"
            for p in ranked[:3]
            if int(p.grid["表三"][vocab.NEW_REQUESTS][vocab.TOTAL])
        ]
        return {
            "机关数": self.count,
            "所属机关数": len(self.parts),
            "名单": "、".join(p.agency for p in self.parts),
            "申请最多": "、".join(top) if top else "无",
        }

    def coverage(self) -> str:
        """The sentence the preface ends with: what the report covers."""
        return (
            f"本报告汇总了{self.own.agency}本级及所属{len(self.parts)}个单位"
            f"（{'、'.join(p.agency for p in self.parts)}），共{self.count}个单位的数据，"
            "表二、表三、表四为各单位数据之和，各单位分项数据见第六部分末尾的附表。"
        )


def build_aggregate(
    params: Params, ledgers: Ledgers, registry: Registry, agency_id: str
) -> Aggregate:
    """The aggregate of `agency_id` for the params' year (raises AgenciesError in Chinese)."""
    year = params.year
    agency = registry.get(agency_id)
    own = own_part(ledgers, agency_id, params.agency, year)
    parts = [included_part(registry, b, year, agency_id) for b in agency.includes]
    agg = Aggregate(agency_id, year, own, parts, sum_grids(own, parts))
    agg.previous_grid = _previous_grid(params, ledgers, registry, agency_id)
    return agg


# Where a build leaves its aggregate for its sections: a file in the build's own temporary folder.
SHARED = "REPORTKIT_AGGREGATE"


def share(folder: Path, env: dict[str, str], params: Params, agg: Aggregate) -> None:
    """Leave the build's aggregate (with what building it read) for the sections it runs next,
    which find the file's path in SHARED (contract/handover.py): each would otherwise build it
    again, reading every part's tables.json and params, this year's and last."""
    if agg.reads is not None:
        handover.leave(folder, env, SHARED, params.source, params.year, {"aggregate": agg})


def shared(params: Params) -> Aggregate | None:
    """The build's aggregate when it is this report's: the same params file, as it is now, the
    same year; else None (it is built here)."""
    data = handover.take(SHARED, params.source, params.year)
    agg = data.get("aggregate") if data is not None else None
    return agg if isinstance(agg, Aggregate) else None


def _previous_grid(params: Params, ledgers: Ledgers, registry: Registry, agency_id: str) -> Grid:
    """Last year's aggregate: own ledgers of Y-1 plus the included agencies' Y-1 tables that
    exist (an agency without last year's tables counts as none: said in README)."""
    y = params.year - 1
    own = own_part(ledgers, agency_id, params.agency, y)
    parts = []
    for b in registry.get(agency_id).includes:
        try:
            parts.append(included_part(registry, b, y, agency_id))
        except AgenciesError:
            continue
    return sum_grids(own, parts)


class AggregateFigures(Figures):
    """The narrative's figures of an aggregated report: the cells of the statutory tables come
    from the aggregate (so the text says what the tables say); the rest (outreach, media,
    proposals, procurement, 信息处理费) from the own ledgers, which are all it has of them."""

    def __init__(self, ledgers: Ledgers, year: int, aggregate: Aggregate):
        super().__init__(ledgers, year)
        self.aggregate = aggregate

    def _cell(self, table: str, row: str, col: str, label: str) -> Figure:
        now = self.aggregate.grid[table][row][col]
        before = (self.aggregate.previous_grid or self.aggregate.grid)[table][row][col]
        return Figure(now, before, self.year, label)

    def _decisions(self, stem: str, label: str) -> Figure:
        return self._cell("表二", label, vocab.T2_DECISIONS, label)

    @property
    def fees_wan(self) -> Figure:
        return self._cell("表二", vocab.FEES, vocab.T2_FEES, vocab.FEES)

    def documents(self, kind: str, column: str) -> Figure:
        return self._cell("表二", kind, column, kind + column)

    def requests_row(self, row: str, column: str = vocab.TOTAL) -> Figure:
        return self._cell("表三", row, column, row)

    def appeals_total(self, kind: str | None = None) -> Figure:
        kinds = {
            None: vocab.APPEAL_KINDS,
            vocab.LITIGATION: [vocab.DIRECT_SUIT, vocab.SUIT_AFTER_REVIEW],
        }.get(kind, [kind])

        def total(grid: Grid) -> int:
            return sum(int(grid["表四"][k][vocab.TOTAL]) for k in kinds)

        prev = self.aggregate.previous_grid or self.aggregate.grid
        return Figure(total(self.aggregate.grid), total(prev), self.year, kind or "")


def decisions_frame(agg: Aggregate) -> pd.DataFrame:
    """行政许可 / 行政处罚 / 行政强制 of last year's and this year's aggregate, for the chart."""
    labels = [vocab.LICENSING, vocab.PENALTY, vocab.ENFORCEMENT]
    grids = {agg.year - 1: agg.previous_grid or agg.grid, agg.year: agg.grid}
    data = {
        label: [int(g["表二"][label][vocab.T2_DECISIONS]) for g in grids.values()]
        for label in labels
    }
    return pd.DataFrame(data, index=pd.Index(list(grids), name="年度")).astype("int64")


# ------------------------------------------------------------------------------------------------
# The breakdown appendix and the hierarchy rule
# ------------------------------------------------------------------------------------------------
BREAKDOWN_COLUMNS = [
    "单位",
    "本年新收申请",
    "上年结转申请",
    "办结申请",
    "结转下年度",
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政事业性收费（万元）",
    "行政复议",
    "行政诉讼",
    "数据来源",
]


def _row(p: Part | None, agg: Aggregate, label: str, source: str) -> list[Any]:
    g = p.grid if p is not None else agg.grid
    t3, t2, t4 = g["表三"], g["表二"], g["表四"]
    if p is not None and p.fees_yuan is not None:
        fees = tables.yuan_to_wan(p.fees_yuan)
    else:
        fees = Decimal(str(t2[vocab.FEES][vocab.T2_FEES])).quantize(CENT, rounding=ROUND_HALF_UP)
    suits = int(t4[vocab.DIRECT_SUIT][vocab.TOTAL]) + int(t4[vocab.SUIT_AFTER_REVIEW][vocab.TOTAL])
    return [
        label,
        int(t3[vocab.NEW_REQUESTS][vocab.TOTAL]),
        int(t3[vocab.CARRIED_IN][vocab.TOTAL]),
        int(t3[vocab.TOTAL][vocab.TOTAL]),
        int(t3[vocab.CARRIED_OUT][vocab.TOTAL]),
        int(t2[vocab.LICENSING][vocab.T2_DECISIONS]),
        int(t2[vocab.PENALTY][vocab.T2_DECISIONS]),
        int(t2[vocab.ENFORCEMENT][vocab.T2_DECISIONS]),
        f"{fees:.2f}",
        int(t4[vocab.REVIEW][vocab.TOTAL]),
        suits,
        source,
    ]


def breakdown_block(agg: Aggregate) -> dict[str, Any]:
    """The appendix: one row per agency covered, then the total (the statutory tables' cells)."""
    rows = [_row(agg.own, agg, f"{agg.own.agency}（本级）", OWN_SOURCE)]
    rows += [_row(p, agg, p.agency, p.source) for p in agg.parts]
    rows.append(_row(None, agg, "合计", "—"))
    return {
        "kind": "table",
        "table": "breakdown",
        "caption": f"附表　{agg.year}年各单位主要数据",
        "data": {
            "columns": BREAKDOWN_COLUMNS,
            "rows": rows,
            "note": "合计为表二、表三、表四中的数字；收费合计由本级按元汇总、所属单位按已报万元相加后，统一四舍五入到0.01万元。",
        },
    }


def check_hierarchy(tables_json: dict, agg: Aggregate) -> list:
    """R13: every cell of the aggregated tables equals the sum of its parts."""
    from reportkit.contract.findings import finding

    found = grid_of(tables_json, agg.agency_id, None)
    expected = sum_grids(agg.own, agg.parts)
    out = []
    for table, rows in expected.items():
        for row, cols in rows.items():
            for col, want in cols.items():
                have = found[table][row][col]
                if have is None or Decimal(str(have)) != Decimal(str(want)):
                    names = "、".join([agg.own.agency, *(p.agency for p in agg.parts)])
                    out.append(
                        finding(
                            HIERARCHY_RULE,
                            {"table": table, "row": row, "column": col},
                            want,
                            have,
                            f"汇总数应等于各单位（{names}）之和 {want}，实为 {have}",
                        )
                    )
    return out
