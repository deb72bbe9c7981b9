"""The seed year built end to end on the ordinary-kernel path (REPORTKIT_NO_ZYGOTE=1, the path of
every system that cannot fork kernels): the same tables.json and the six sections.

Not skipped anywhere (unlike test_kernels.py, which needs fork), so the normal pytest run and CI
always build once without the zygote."""

from __future__ import annotations

import re

from helpers import SEED_PARAMS, read_json
from present_seed import HEADINGS, SEED_TABLES

from reportkit.pipeline import builder, kernels

SECTIONS = {"overview", "proactive", "requests", "appeals", "problems", "other"}


def test_seed_builds_with_ordinary_kernels(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTKIT_NO_ZYGOTE", "1")
    forks_from = []  # the zygote each kernel pool was given
    pool_init = kernels.KernelPool.__init__

    def spy(self, *args, **kwargs):
        forks_from.append(kwargs.get("zygote"))
        pool_init(self, *args, **kwargs)

    monkeypatch.setattr(kernels.KernelPool, "__init__", spy)
    out = tmp_path / "2021"
    result = builder.build(params=SEED_PARAMS, out=out, use_cache=False)

    assert (result.ok, result.error) == (True, None)
    assert set(result.ran) == SECTIONS  # every section ran in a kernel, none came from a cache
    assert forks_from == [None]  # one pool, with no zygote: kernels started the ordinary way
    assert read_json(out, "tables.json") == SEED_TABLES
    html = (out / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert [h for h in headings if h in HEADINGS] == HEADINGS
