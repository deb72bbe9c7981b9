"""Aggregated reports: the sample county's government (xzf) sums its departments and townships.

Expected cells are counted by hand from the rows in tools/sample_county.py:
- sfj 司法局: S1 S2 S3 received 2021 (S3 done 2022-01-10), S4 2022; penalties 3 in 2021, 2 in
  2022; fees 1250.50 + 3000 元 in 2021, 800 元 in 2022; one 行政复议 upheld in 2021.
- jyj 教育局: J1 J2 J3 in 2021 (J3 重复申请), J4 J5 in 2022 (J5 unfinished); licensing 5 + 4;
  fees 6789 元 in 2021.
- ztz 示例镇: Z1 in 2021; one penalty; 45 元.
- xzf 县政府 itself: X1 X2 in 2021, X3 in 2022; licensing 2 + 3; 20 元 in 2021; one suit 2022
  pending; one 行政规范性文件 issued 2021-04-01.
- szz 山庄乡 (published): 2021 two requests by 自然人 granted, 4 penalties, 0.12 万元;
  2022 one request granted, 1 penalty.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from reportkit.checks import run as checks
from reportkit.compute.aggregate import breakdown_block, check_hierarchy
from reportkit.compute.report import open_report
from reportkit.contract import vocab
from reportkit.ingest import agencies
from reportkit.present.content import block_html

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "examples" / "county"
NEW, CARRIED_IN, TOTAL, CARRIED_OUT = (
    vocab.NEW_REQUESTS,
    vocab.CARRIED_IN,
    vocab.TOTAL,
    vocab.CARRIED_OUT,
)
FEES = ("行政事业性收费", "本年收费金额（单位：万元）")


@pytest.fixture
def county(tmp_path, monkeypatch) -> Path:
    """The county with its departments' tables.json where their builds write them."""
    root = tmp_path / "county"
    shutil.copytree(COUNTY, root, ignore=shutil.ignore_patterns("outputs"))
    monkeypatch.setenv("REPORTKIT_ROOT", str(root))
    for a in ("sfj", "jyj", "ztz"):
        for year in (2021, 2022):
            tables = open_report(params=root / "params" / a / f"{year}.yaml").tables_json
            out = root / "outputs" / a / str(year)
            out.mkdir(parents=True)
            (out / "tables.json").write_text(
                json.dumps(tables, ensure_ascii=False), encoding="utf-8"
            )
    return root


def _xzf(root: Path, year: int):
    return open_report(params=root / "params" / "xzf" / f"{year}.yaml")


def test_2021_cells_are_the_sums(county):
    t = _xzf(county, 2021).tables_json
    t3, t2, t4 = t["section3"], t["section2"], t["section4"]
    assert t["agency"] == "示例县人民政府" and t["year"] == 2021
    assert t3[NEW][TOTAL] == 3 + 3 + 1 + 2 + 2
    assert t3[NEW]["自然人"] == 2 + 2 + 1 + 1 + 2
    assert (t3[NEW]["商业企业"], t3[NEW]["科研机构"], t3[NEW]["社会公益组织"]) == (1, 1, 1)
    assert t3["予以公开"][TOTAL] == 1 + 2 + 1 + 1 + 2  # S1; J1 J2; Z1; X1; szz
    assert t3["部分公开"][TOTAL] == 2  # S2, X2
    assert t3["不予处理/重复申请"][TOTAL] == 1  # J3
    assert t3[TOTAL][TOTAL] == 10
    assert t3[CARRIED_OUT] == {**dict.fromkeys(vocab.T3_COLUMNS, 0), "商业企业": 1, TOTAL: 1}  # S3
    assert t2["行政许可"]["本年处理决定数量"] == 5 + 2
    assert t2["行政处罚"]["本年处理决定数量"] == 3 + 1 + 4
    assert t2["行政规范性文件"] == {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 1}
    assert t4["行政复议"] == {"结果维持": 1, "结果纠正": 0, "其他结果": 0, "尚未审结": 0, "总计": 1}


def test_2021_fees_summed_then_rounded_once(county):
    # Own 20 元 = 0.002 万元 unrounded; sfj 4250.50 元 published as 0.43, jyj 6789 元 as 0.68,
    # ztz 45 元 as 0.00 (0.0045), szz 0.12: 0.002 + 0.43 + 0.68 + 0 + 0.12 = 1.232 -> 1.23.
    assert _xzf(county, 2021).tables_json["section2"][FEES[0]][FEES[1]] == 1.23


def test_2022_cells_are_the_sums(county):
    t3 = _xzf(county, 2022).tables_json["section3"]
    assert t3[NEW][TOTAL] == 1 + 2 + 0 + 1 + 1  # S4; J4 J5; X3; szz
    assert t3[CARRIED_IN][TOTAL] == 1 and t3[CARRIED_IN]["商业企业"] == 1  # S3
    assert t3["予以公开"][TOTAL] == 3  # S3, X3, szz
    assert t3["无法提供/本机关不掌握相关政府信息"][TOTAL] == 1  # S4
    assert t3[CARRIED_OUT][TOTAL] == 1  # J5
    t = _xzf(county, 2022).tables_json
    assert t["section2"]["行政处罚"]["本年处理决定数量"] == 2 + 1
    assert t["section2"]["行政规范性文件"] == {
        "本年制发件数": 0,
        "本年废止件数": 0,
        "现行有效件数": 1,
    }
    assert t["section2"][FEES[0]][FEES[1]] == 0.08
    assert t["section4"]["未经复议直接起诉"]["尚未审结"] == 1


def test_every_rule_applies_to_the_aggregate_and_it_is_clean(county):
    findings = checks.check_report(_xzf(county, 2022), previous=_xzf(county, 2021).tables_json)
    assert [f for f in findings if f.severity == "error"] == []


def test_r13_finds_a_cell_that_is_not_the_sum(county):
    report = _xzf(county, 2021)
    tampered = json.loads(json.dumps(report.tables_json))
    tampered["section3"][NEW]["自然人"] = 7
    found = check_hierarchy(tampered, report.aggregate)
    assert [(f.rule, f.where["row"], f.where["column"], f.expected, f.found) for f in found] == [
        ("R13", NEW, "自然人", 8, 7)
    ]
    assert "示例县司法局" in found[0].message


def test_placeholders_and_the_coverage_sentence(county):
    path = county / "params" / "xzf" / "2022.yaml"
    text = path.read_text(encoding="utf-8")
    text += (
        "  一: |\n    全县{{ 汇总.机关数 }}个单位（所属{{ 汇总.所属机关数 }}个：{{ 汇总.名单 }}）"
        "新收申请{{ 新收申请 }}件，行政处罚{{ 行政处罚 }}件（上年{{ 行政处罚|上年值 }}件）；"
        "申请最多：{{ 汇总.申请最多 }}。\n"
    )
    path.write_text(text, encoding="utf-8")
    report = _xzf(county, 2022)
    assert report.text("overview").strip() == (
        "全县5个单位（所属4个：示例县司法局、示例县教育局、示例镇人民政府、山庄乡人民政府）"
        "新收申请5件，行政处罚3件（上年8件）；"
        "申请最多：示例县教育局2件、示例县人民政府1件、示例县司法局1件。"
    )
    assert (
        "本报告汇总了示例县人民政府本级及所属4个单位（示例县司法局、示例县教育局、示例镇人民政府、"
        "山庄乡人民政府），共5个单位的数据" in report.text("preface")
    )


def test_the_breakdown_appendix(county):
    block = breakdown_block(_xzf(county, 2021).aggregate)
    assert block["kind"] == "table" and block["table"] == "breakdown"
    rows = {r[0]: r for r in block["data"]["rows"]}
    cols = block["data"]["columns"]
    new, fees, source = (
        cols.index("本年新收申请"),
        cols.index("行政事业性收费（万元）"),
        cols.index("数据来源"),
    )
    assert list(rows) == [
        "示例县人民政府（本级）",
        "示例县司法局",
        "示例县教育局",
        "示例镇人民政府",
        "山庄乡人民政府",
        "合计",
    ]
    assert [rows[n][new] for n in rows] == [2, 3, 3, 1, 2, 11]
    assert rows["示例县司法局"][fees] == "0.43" and rows["合计"][fees] == "1.23"
    assert rows["山庄乡人民政府"][source] == "该单位已发布的报告"
    page = block_html(block)
    assert "<caption>附表　2021年各单位主要数据</caption>" in page
    assert "<th>山庄乡人民政府</th>" in page


def test_generic_table_escapes_its_cells():
    block = {
        "kind": "table",
        "table": "breakdown",
        "caption": "<b>",
        "data": {"columns": ["<x>"], "rows": [["<script>"]]},
    }
    page = block_html(block)
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>" not in page


def test_a_published_cell_that_is_not_a_number_is_named(county):
    path = county / "published" / "szz" / "2021.tables.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["section2"]["行政处罚"]["本年处理决定数量"] = "/"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(agencies.AgenciesError) as e:
        _xzf(county, 2021)
    message = str(e.value)
    assert "机关「szz」" in message and str(path) in message
    assert "表二「行政处罚」行「本年处理决定数量」列" in message and "「/」" in message


def test_a_missing_part_says_which_and_what_to_do(county):
    shutil.rmtree(county / "outputs" / "jyj" / "2021")
    with pytest.raises(agencies.AgenciesError) as e:
        _xzf(county, 2021)
    assert "机关「xzf」汇总所含的机关「jyj」还没有2021年的统计表" in str(e.value)
    assert "reportkit build --year 2021 --agency jyj" in str(e.value)


def test_a_department_report_is_not_an_aggregate(county):
    report = open_report(params=county / "params" / "sfj" / "2021.yaml")
    assert report.aggregate is None
    assert report.tables_json["section3"][NEW][TOTAL] == 3
    assert "汇总" not in report.names()


def test_the_seed_project_is_unchanged(monkeypatch):
    monkeypatch.setenv("REPORTKIT_ROOT", str(ROOT))
    report = open_report(params=ROOT / "params" / "2021.yaml")
    assert report.aggregate is None
    assert report.tables_json["section2"]["行政许可"]["本年处理决定数量"] == 105


def test_fee_rule_on_its_own():
    from reportkit.compute.aggregate import Part, sum_grids

    def grid(fee: Decimal) -> dict:
        empty = {
            t: {r: dict.fromkeys(cols, 0) for r, cols in layout.items()}
            for t, (_k, layout) in checks.LAYOUT.items()
        }
        empty["表二"][FEES[0]][FEES[1]] = fee
        return empty

    # 4999 元 own = 0.4999 万元 (unrounded; its own report prints 0.50) + two parts of 0.25
    # as published: 0.9999 -> 1.00, rounded once.
    own = Part("a", "甲", grid(Decimal("0.50")), "本级台账", None, Decimal(4999))
    parts = [Part(x, x, grid(Decimal("0.25")), "", None) for x in ("b", "c")]
    assert sum_grids(own, parts)["表二"][FEES[0]][FEES[1]] == Decimal("1.00")


def test_the_decisions_chart_shows_the_aggregate(county):
    from reportkit.compute.aggregate import decisions_frame

    df = decisions_frame(_xzf(county, 2022).aggregate)
    assert df.index.tolist() == [2021, 2022]
    assert df["行政许可"].tolist() == [5 + 2, 4 + 3]
    assert df["行政处罚"].tolist() == [3 + 1 + 4, 2 + 1]


def test_the_breakdown_in_word_and_the_fragment(county, tmp_path):
    import zipfile

    from reportkit.present.document import validate
    from reportkit.present.docx import write_docx
    from reportkit.present.fragment import render_fragment

    block = breakdown_block(_xzf(county, 2021).aggregate)
    doc = {
        "title": "示例县人民政府2021年政府信息公开工作年度报告",
        "agency": "示例县人民政府",
        "year": 2021,
        "sample": True,
        "date": "2022-01-20",
        "sections": [{"slug": "other", "heading": "六、其他需要报告的事项", "blocks": [block]}],
    }
    validate(doc)
    page = render_fragment(doc)
    assert "附表　2021年各单位主要数据" in page and "山庄乡人民政府" in page and "1.23" in page
    write_docx(doc, tmp_path / "report.docx")
    xml = zipfile.ZipFile(tmp_path / "report.docx").read("word/document.xml").decode("utf-8")
    assert "山庄乡人民政府" in xml and "该单位已发布的报告" in xml and "1.23" in xml


def test_taking_an_agency_out_of_includes_rebuilds_the_aggregate(county, capsys):
    # agencies.yaml says whom xzf sums: with 山庄乡 (szz) taken out of `includes`, the next build
    # is not the cached one. It was: nothing the sections had read had changed, so the report
    # kept 山庄乡 in its coverage sentence and appendix, 5 units instead of 4.
    from reportkit.cli import main

    assert main(["build", "--year", "2021", "--agency", "xzf"]) == 0
    page = (county / "outputs" / "xzf" / "2021" / "report.html").read_text(encoding="utf-8")
    assert "所属4个单位" in page and "山庄乡人民政府" in page
    path = county / "agencies.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[sfj, jyj, ztz, szz]", "[sfj, jyj, ztz]"), encoding="utf-8")
    assert main(["build", "--year", "2021", "--agency", "xzf"]) == 0
    page = (county / "outputs" / "xzf" / "2021" / "report.html").read_text(encoding="utf-8")
    assert "所属3个单位" in page and "共4个单位" in page
    assert "山庄乡人民政府" not in page
    capsys.readouterr()


def test_last_years_part_that_appears_later_is_counted_at_the_next_build(county, capsys):
    # 行政许可 2021: jyj 5 + xzf 2 = 7. Last year's aggregate counts the parts whose 2020 tables
    # exist: none at first (xzf's own 2020 ledger has none), so 7 more than 0. Once jyj's 2020
    # tables.json is there (5 licences), the next build says 2 more: it had kept the cached
    # sections, as nothing they had read had changed.
    from reportkit.cli import main

    out = county / "outputs"
    assert main(["build", "--year", "2021", "--agency", "xzf"]) == 0
    page = (out / "xzf" / "2021" / "report.html").read_text(encoding="utf-8")
    assert "全年作出行政许可决定7件，与上年增加7件" in page
    last = json.loads((out / "jyj" / "2021" / "tables.json").read_text(encoding="utf-8"))
    last["year"] = 2020
    (out / "jyj" / "2020").mkdir(parents=True)
    (out / "jyj" / "2020" / "tables.json").write_text(
        json.dumps(last, ensure_ascii=False), encoding="utf-8"
    )
    assert main(["build", "--year", "2021", "--agency", "xzf"]) == 0
    page = (out / "xzf" / "2021" / "report.html").read_text(encoding="utf-8")
    assert "全年作出行政许可决定7件，与上年增加2件" in page
    capsys.readouterr()


def test_a_parts_new_name_reaches_the_aggregate_without_building_the_part_again(county, capsys):
    # A part's name in the aggregate (coverage sentence, appendix) is its params' `agency`: the
    # aggregate's sections re-run when it changes, though the part's tables.json has not.
    from reportkit.cli import main

    assert main(["build", "--year", "2021", "--agency", "xzf"]) == 0
    params = county / "params" / "jyj" / "2021.yaml"
    text = params.read_text(encoding="utf-8")
    params.write_text(text.replace("agency: 示例县教育局", "agency: 示例县教育和体育局"), "utf-8")
    assert main(["build", "--year", "2021", "--agency", "xzf"]) == 0
    page = (county / "outputs" / "xzf" / "2021" / "report.html").read_text(encoding="utf-8")
    assert "示例县教育和体育局" in page and "示例县教育局" not in page
    capsys.readouterr()


def test_the_build_hands_its_aggregate_to_its_sections(county, tmp_path, monkeypatch):
    # A build makes the aggregate once, recording what that read, and leaves both for its
    # sections, which would otherwise each read every part's tables and params again. A section
    # takes it only while the params file is the one it was made from.
    from reportkit.compute import aggregate
    from reportkit.contract import trace

    with trace.recording():
        made = _xzf(county, 2021).aggregate
    assert str(county / "outputs" / "jyj" / "2021" / "tables.json") in made.reads["files"]
    assert str(county / "published" / "szz" / "2021.html") in made.reads["files"]  # not there
    env: dict[str, str] = {}
    aggregate.share(tmp_path, env, made_params := _xzf(county, 2021).params, made)
    monkeypatch.setenv(aggregate.SHARED, env[aggregate.SHARED])

    def no_building(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(aggregate, "build_aggregate", no_building)
    with trace.recording() as reads:
        given = _xzf(county, 2021).aggregate
    assert given.grid == made.grid and given.parts == made.parts
    assert reads["files"] >= made.reads["files"]  # the section depends on the same files
    assert aggregate.shared(made_params) is not None
    # Another year, or the params file edited since: built anew.
    with pytest.raises(AssertionError, match="built again"):
        _xzf(county, 2022)
    path = county / "params" / "xzf" / "2021.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# 改过\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="built again"):
        _xzf(county, 2021)
    # A file that is not what a build writes counts as none.
    path.write_text(path.read_text(encoding="utf-8").replace("\n# 改过\n", ""), encoding="utf-8")
    assert aggregate.shared(made_params) is not None
    Path(env[aggregate.SHARED]).write_bytes(b"not a pickle")
    assert aggregate.shared(made_params) is None


def test_an_agencies_yaml_written_later_makes_the_next_build_an_aggregate(county, capsys):
    # Built while the project had no agencies.yaml, xzf's report is its own; once agencies.yaml
    # says it includes four units, the next build sums them (it had kept the cached sections).
    from reportkit.cli import main

    path = county / "agencies.yaml"
    text = path.read_text(encoding="utf-8")
    path.unlink()
    params = ["build", "--params", str(county / "params" / "xzf" / "2021.yaml")]
    out = county / "outputs" / "xzf-single"
    assert main([*params, "--out", str(out)]) == 0
    assert "本报告汇总了" not in (out / "report.html").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    assert main([*params, "--out", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "所属4个单位" in page and "山庄乡人民政府" in page
    capsys.readouterr()
