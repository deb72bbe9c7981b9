"""One report year in one object: params, ledgers, tables, figures and narrative, as notebooks use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from . import narrative, snapshot, tables, trace, vocab
from .figures import Figures
from .ledgers import Ledgers, load_ledgers
from .errors import ParamsError
from .params import Params, load_params


@dataclass
class Report:
    params: Params
    ledgers: Ledgers
    _text_cache: dict[str, str] = field(default_factory=dict, repr=False)

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
        return Figures(self.ledgers, self.year)

    @cached_property
    def table2(self) -> dict[str, dict[str, Any]]:
        return tables.table2(self.ledgers, self.year)

    @cached_property
    def table3(self) -> pd.DataFrame:
        return tables.table3(self.ledgers, self.year)

    @cached_property
    def table4(self) -> pd.DataFrame:
        return tables.table4(self.ledgers, self.year)

    @cached_property
    def tables_json(self) -> dict[str, Any]:
        return tables.tables_json(self.ledgers, self.agency, self.year)

    def names(self) -> dict[str, Any]:
        """What a narrative template can use: the figures plus 机关 and 联系."""
        c = self.params.contact
        contact = {k: getattr(c, f, None) if c else None for k, f in
                   [("办公室", "office"), ("地址", "address"), ("邮编", "postcode"), ("电话", "phone")]}
        # 联系.括注: "地址：…，邮编：…，电话：…" from whatever parts the params give.
        contact["括注"] = "，".join(f"{k}：{contact[k]}" for k in ("地址", "邮编", "电话") if contact[k])
        return {"机关": self.agency, "联系": contact, **self.figures.namespace()}

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
            self._text_cache[slug] = narrative.text(slug, self.params.narrative, self._names)
        return self._text_cache[slug]

    def html(self, slug: str) -> str:
        return narrative.to_html(self.text(slug))


def open_report(year: int | None = None, params: str | Path | None = None) -> Report:
    """Load params (a file, or `params/<year>.yaml`) and the ledgers they point to."""
    p = load_params(params, year=None) if params else load_params(year=year)
    if year is not None and params and p.year != year:
        # A notebook run with -p year Y and an explicit params file: the file decides, loudly.
        raise ParamsError(str(p.source), "year", f"为 {p.year}，与所要求的 {year} 年不符")
    # Inside a build, the ledgers as the build read them once (reportkit/snapshot.py).
    snap = snapshot.current(p.data_path)
    if snap is not None:
        ledgers = snap.load(p.personal_columns)
    else:
        ledgers = load_ledgers(p.data_path, p.personal_columns)
    if trace.enabled():
        trace.params_loaded(p.source)
        ledgers = trace.TracedLedgers(ledgers)
    return Report(p, ledgers)
