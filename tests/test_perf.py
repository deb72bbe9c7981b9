"""Per-task cost (issue #14): charts drawn once per format, narrative templates compiled once."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from reportkit.present import charts, content


def decisions() -> pd.DataFrame:
    return pd.DataFrame(
        {"行政许可": [121, 105], "行政处罚": [59, 57], "行政强制": [6, 4]},
        index=pd.Index([2020, 2021], name="年度"),
    )


def test_chart_block_lays_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # savefig(bbox_inches="tight") twice drew the figure 4 times (measure + write, per format);
    # one draw per format is enough, the layout and tight box worked out without drawing.
    draws: list[int] = []
    original = Figure.draw

    def counting(self: Figure, renderer: object) -> None:
        draws.append(1)
        original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting)
    block = content.chart_block(charts.decisions_by_year(decisions()), "alt")
    assert len(draws) == 2
    assert block["svg"] and block["png"]


def test_png_is_the_svg_picture_at_200_dpi() -> None:
    # The PNG is cut to the same tight box as the SVG: its size in pixels is the SVG's size in
    # points (1/72 inch) × 200/72, to within a pixel of rounding.
    svg, png = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    w_pt, h_pt = (
        float(x) for x in re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    )
    w_px, h_px = Image.open(io.BytesIO(png)).size
    assert abs(w_px - w_pt * 200 / 72) <= 1.5
    assert abs(h_px - h_pt * 200 / 72) <= 1.5
    assert not svg.startswith(b"<!DOCTYPE") and b"<!DOCTYPE" not in svg


def test_a_matplotlib_without_the_internal_still_gives_both_pictures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # svg_and_png leans on matplotlib.backend_bases._get_renderer; a release without it falls
    # back to two plain savefigs: the same SVG, a PNG of the same size to within a pixel.
    fast_svg, fast_png = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    monkeypatch.setattr(charts, "_renderer_of", lambda: None)
    svg, png = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    assert svg == charts.svg_bytes(charts.decisions_by_year(decisions()))
    (w, h), (fw, fh) = Image.open(io.BytesIO(png)).size, Image.open(io.BytesIO(fast_png)).size
    assert abs(w - fw) <= 1 and abs(h - fh) <= 1


def test_svg_is_what_svg_bytes_writes() -> None:
    # Same layout, same tight box: the page's SVG does not change (up to float noise in the
    # hashed clip ids and the sign of a zero).
    def norm(b: bytes) -> bytes:
        return re.sub(rb"p[0-9a-f]{10}", b"P", b).replace(b"-0 ", b"0 ")

    one = charts.svg_bytes(charts.decisions_by_year(decisions()))
    two, _ = charts.svg_and_png(charts.decisions_by_year(decisions()), 200)
    assert norm(one) == norm(two)


def test_layout_engine_is_kept() -> None:
    fig = charts.decisions_by_year(decisions())
    engine = fig.get_layout_engine()
    charts.svg_and_png(fig, 200)
    assert fig.get_layout_engine() is engine


def test_narrative_template_compiled_once_per_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportkit.compute import narrative

    compiled: list[int] = []
    original = narrative.NarrativeSandbox.from_string

    def counting(self: object, source: object, *args: object, **kwargs: object) -> object:
        compiled.append(1)
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(narrative.NarrativeSandbox, "from_string", counting)
    text = "本年共受理{{ n }}件（test_perf 专用）。{% for x in xs %}{{ x }}、{% endfor %}"
    first = narrative.render(text, {"n": 7, "xs": ["甲", "乙"]}, "preface")
    second = narrative.render(text, {"n": 8, "xs": ["丙"]}, "preface")
    assert first == "本年共受理7件（test_perf 专用）。甲、乙、"
    assert second == "本年共受理8件（test_perf 专用）。丙、"
    assert len(compiled) == 1


def test_narrative_refusals_unchanged_by_the_cache() -> None:
    from reportkit.compute import narrative
    from reportkit.contract.errors import TemplateError

    # An unknown name is reported before a forbidden tag, as when each text was compiled anew,
    # and a refused template is refused every time.
    both = "{{ 不存在的数 }}{% macro m() %}{% endmacro %}（test_perf）"
    for _ in range(2):
        with pytest.raises(TemplateError) as e:
            narrative.render(both, {}, "preface")
        assert e.value.placeholder == "不存在的数"
    macro = "{% macro m() %}{% endmacro %}（test_perf）"
    messages = set()
    for _ in range(2):
        with pytest.raises(TemplateError) as e:
            narrative.render(macro, {}, "preface")
        messages.add(str(e.value))
    assert len(messages) == 1 and "macro" in messages.pop()


def test_appeal_figures_compute_table4_once_a_year(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import SEED_DATA

    from reportkit.compute import figures, tables
    from reportkit.ingest.ledgers import load_ledgers

    calls: list[int] = []
    original = tables.table4

    def counting(ledgers: object, year: int) -> pd.DataFrame:
        calls.append(year)
        return original(ledgers, year)

    monkeypatch.setattr(tables, "table4", counting)
    f = figures.Figures(load_ledgers(SEED_DATA), 2021)
    total = f.appeals_total().value
    review = f.appeals_total("行政复议").value
    litigation = f.appeals_total("行政诉讼").value
    assert total == review + litigation
    assert sorted(calls) == [2020, 2021]


def test_document_figures_count_the_ledger_once_a_year(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import SEED_DATA

    from reportkit.compute import figures, tables
    from reportkit.ingest.ledgers import load_ledgers

    calls: list[int] = []
    original = tables.documents_counts

    def counting(ledgers: object, year: int) -> dict:
        calls.append(year)
        return original(ledgers, year)

    monkeypatch.setattr(tables, "documents_counts", counting)
    f = figures.Figures(load_ledgers(SEED_DATA), 2021)
    got = {
        (kind, column): f.documents(kind, column).value
        for kind in ("规章", "行政规范性文件")
        for column in ("本年制发件数", "本年废止件数", "现行有效件数")
    }
    # The seed's 表二, as the published 2021 report prints it.
    assert got == {
        ("规章", "本年制发件数"): 1,
        ("规章", "本年废止件数"): 0,
        ("规章", "现行有效件数"): 1,
        ("行政规范性文件", "本年制发件数"): 3,
        ("行政规范性文件", "本年废止件数"): 0,
        ("行政规范性文件", "现行有效件数"): 3,
    }
    assert sorted(calls) == [2020, 2021]


def test_builds_reading_the_same_bytes_parse_them_once(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    from pathlib import Path

    from helpers import SEED_DATA

    from reportkit.ingest import ledgers as ledgers_module
    from reportkit.ingest import snapshot

    tmp = Path(str(tmp_path))
    data = tmp / "data"
    shutil.copytree(SEED_DATA, data)
    parsed: list[Path] = []
    original = ledgers_module.load_ledgers

    def counting(folder: Path, *args: object) -> object:
        parsed.append(folder)
        return original(folder, *args)

    monkeypatch.setattr(ledgers_module, "load_ledgers", counting)

    def load(name: str) -> object:
        folder = tmp / name
        folder.mkdir(mode=0o700)
        return snapshot.Snapshot.take(data, folder).load()

    first, second = load("build1"), load("build2")
    assert len(parsed) == 1  # the second build of the same bytes unpickles the first's parse
    assert first.frames.keys() == second.frames.keys()
    for stem in first.frames:
        pd.testing.assert_frame_equal(first.frames[stem], second.frames[stem])
        assert first.frames[stem] is not second.frames[stem]  # each build its own copy
    assert set(first.personal) == set(second.personal) and len(second.personal) > 0
    value = next(iter(second.personal))
    assert second.personal.source(value) == first.personal.source(value)
    assert second.files == first.files and second.notes == first.notes

    # A ledger saved between the builds: the next build reads the new bytes.
    appeals = data / "appeals.csv"
    appeals.write_text(appeals.read_text(encoding="utf-8"), encoding="utf-8")  # same bytes
    load("build3")
    assert len(parsed) == 1
    lines = appeals.read_text(encoding="utf-8").splitlines()
    appeals.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one row fewer
    third = load("build4")
    assert len(parsed) == 2
    assert len(third.frames["appeals"]) == len(first.frames["appeals"]) - 1
