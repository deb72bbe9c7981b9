"""One report year in one object: params, ledgers, tables, figures and narrative, as notebooks use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.compute import narrative, tables
from reportkit.compute.figures import Figures
from reportkit.contract import paths, trace, vocab
from reportkit.contract.errors import NotebookParameterError, ParamsError
from reportkit.contract.years import year_range_problem
from reportkit.ingest import snapshot
from reportkit.ingest.ledgers import Ledgers, load_ledgers
from reportkit.ingest.params import Params, load_params


@dataclass
class Report:
    params: Params
    ledgers: Ledgers
    _text_cache: dict[str, str] = field(default_factory=dict, repr=False)
    # An agency of agencies.yaml with `includes`: its tables are the sum (see aggregate.py).
    aggregate: Any = None

    @property
    def year(self) -> int:
        return self.params.year

    @property
    def agency(self) -> str:
        return self.params.agency

    @property
    def title(self) -> str:
        return vocab.REPORT_TITLE.format(agency=self.agency, year=self.year)

    @cached_property
    def figures(self) -> Figures:
        if self.aggregate is not None:
            from reportkit.compute.aggregate import AggregateFigures

            return AggregateFigures(self.ledgers, self.year, self.aggregate)
        return Figures(self.ledgers, self.year)

    @cached_property
    def table2(self) -> dict[str, dict[str, Any]]:
        if self.aggregate is not None:
            return self.aggregate.table2()
        return tables.table2(self.ledgers, self.year)

    @cached_property
    def table3(self) -> pd.DataFrame:
        if self.aggregate is not None:
            return self.aggregate.table3()
        return tables.table3(self.ledgers, self.year)

    @cached_property
    def table4(self) -> pd.DataFrame:
        if self.aggregate is not None:
            return self.aggregate.table4()
        return tables.table4(self.ledgers, self.year)

    @cached_property
    def tables_json(self) -> dict[str, Any]:
        if self.aggregate is not None:
            return self.aggregate.tables_json()
        return tables.tables_json(self.ledgers, self.agency, self.year)

    def names(self) -> dict[str, Any]:
        """What a narrative template can use: the figures plus 机关 and 联系."""
        c = self.params.contact
        contact = {
            k: getattr(c, f, None) if c else None
            for k, f in [
                ("办公室", "office"),
                ("地址", "address"),
                ("邮编", "postcode"),
                ("电话", "phone"),
            ]
        }
        # 联系.括注: "地址：…，邮编：…，电话：…" from whatever parts the params give.
        contact["括注"] = "，".join(
            f"{k}：{contact[k]}" for k in ("地址", "邮编", "电话") if contact[k]
        )
        names = {"机关": self.agency, "联系": contact, **self.figures.namespace()}
        if self.aggregate is not None:
            names["汇总"] = self.aggregate.names()
        return names

    @cached_property
    def _names(self) -> dict[str, Any]:
        return self.names()

    @cached_property
    def texts(self) -> dict[str, str]:
        """Filled Markdown for the preface and each section slug."""
        return {slug: self.text(slug) for slug in narrative.SLUGS}

    def text(self, slug: str) -> str:
        """One section's filled Markdown; only the figures its template uses are computed."""
        if slug not in self._text_cache:
            if trace.enabled() and self.params.source:
                trace.narrative_rendered(self.params.source, slug)
            text = narrative.text(slug, self.params.narrative, self._names)
            if slug == "preface" and self.aggregate is not None:
                text = text.rstrip("\n") + "\n\n" + self.aggregate.coverage() + "\n"
            self._text_cache[slug] = text
        return self._text_cache[slug]

    def html(self, slug: str) -> str:
        return narrative.to_html(self.text(slug))


def open_report(year: int | None = None, params: str | Path | None = None) -> Report:
    """Load params (a file, or `params/<year>.yaml`) and the ledgers they point to.

    These are a notebook's parameters: a relative `params` is taken from the project root, as
    papermill run from the root sees it (JupyterLab runs a notebook in notebooks/); `year` None
    means the params file's year, or with no params file the latest year in params/."""
    year = _year_parameter(year)
    root = paths.project_root()
    if params:
        path = Path(params)
        p = load_params(path if path.is_absolute() else root / path)
        if year is not None and p.year != year:
            # A notebook run with -p year Y and an explicit params file: the file decides, loudly.
            raise ParamsError(str(p.source), "year", f"为 {p.year}，与所要求的 {year} 年不符")
    else:
        years = paths.params_years(root / "params")
        if year is None:
            if not years:
                raise NotebookParameterError(_no_year("params/ 中还没有任何年度的参数文件。", root))
            year = years[-1]
        path = paths.params_file(year, root)
        if not path.is_file():
            raise NotebookParameterError(
                _no_year(f"找不到{year}年的参数文件 params/{year}.yaml。", root)
            )
        p = load_params(path, year=year)
    # Inside a build, the ledgers as the build read them once (reportkit/snapshot.py).
    snap = snapshot.current(p.data_path)
    if snap is not None:
        ledgers = snap.load(p.personal_columns)
    else:
        ledgers = load_ledgers(p.data_path, p.personal_columns)
    if trace.enabled():
        trace.params_loaded(p.source)
        ledgers = trace.TracedLedgers(ledgers)
    return Report(p, ledgers, aggregate=_aggregate(p, ledgers, root))


def _aggregate(p: Params, ledgers: Ledgers, root: Path) -> Any:
    """The aggregate when agencies.yaml lists this params folder's agency with `includes`."""
    from reportkit.ingest import agencies

    registry = agencies.load(root)  # recorded as read: it says whether this report sums others
    agency = registry.including(p.source) if registry is not None else None
    if agency is None or not agency.includes:
        return None
    from reportkit.compute import aggregate

    given = aggregate.shared(p)  # inside a build: the one the build made, with what it read
    if given is not None:
        trace.replay(given.reads)
        return given
    if not trace.enabled():
        return aggregate.build_aggregate(p, ledgers, registry, agency.id)
    with trace.recording() as reads:
        agg = aggregate.build_aggregate(p, ledgers, registry, agency.id)
    trace.replay(reads)  # into what the section (or the build's checks) read
    agg.reads = reads
    return agg


def _year_parameter(year: object) -> int | None:
    """The `year` parameter as an int (papermill passes `-p year abc` as text), or None."""
    if year is None or (isinstance(year, str) and not year.strip()):
        return None
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int):
        head = f"参数 year 为「{year}」，应为报告年度（四位数字），如 2021。"
        raise NotebookParameterError(_no_year(head, paths.project_root()))
    if year_range_problem(year):
        head = f"参数 year 为「{year}」：{year_range_problem(year)}。"
        raise NotebookParameterError(_no_year(head, paths.project_root()))
    return year


def _no_year(head: str, root: Path) -> str:
    """What is wrong, the years that exist, and what to do: a few lines, no traceback."""
    folders = [root / "params", *sorted(f for f in (root / "params").glob("*") if f.is_dir())]
    have = [
        f"{f.relative_to(root).as_posix()}/：{'、'.join(map(str, ys))}"
        for f in folders
        if (ys := paths.params_years(f))
    ]
    lines = [head, "已有的年度：" + ("；".join(have) if have else "无")]
    lines.append(
        "请把 year 改为已有的年度，或用 params 指定参数文件（相对项目根目录，如 params/demo/2022.yaml）；"
        "开始新的一年：reportkit new-year <年度>（从上一年的参数生成）；新机关：reportkit init"
    )
    return "\n".join(lines)
