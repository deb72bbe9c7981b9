"""Attacks on the narrative sandbox and on applicants' personal data (issue #11, part C): each test
names what it attacks; the expected values are written from the rules, not from the program."""

from __future__ import annotations

import json
import shutil
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reportkit.cli import main
from reportkit.compute import narrative
from reportkit.compute.figures import Figure, OutreachView, ProposalView
from reportkit.compute.report import open_report
from reportkit.contract import phrasing
from reportkit.contract.errors import LedgerError, PrivacyLeak, TemplateError
from reportkit.ingest import privacy
from reportkit.ingest.ledgers import PersonalValues, load_ledgers, personal_column
from reportkit.ingest.privacy import fold, fold_runs, guard, privacy_leaks

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "params" / "2021.yaml"
OTHER = "六、其他需要报告的事项"  # the label of the section the attacks are written in
UNDERSCORE = "以“_”开头的名称是程序内部的，叙述中不能使用"
UNKNOWN = "没有这个数字；可用的名称见 README「叙述占位符」"
ZWSP = "\u200b"

REQUESTS = (
    "申请编号,收到日期,申请人类型,办理结果,办结日期,申请人姓名,证件号码,联系电话,地址\n"
    "A1,2021-01-05,自然人,予以公开,2021-01-20,张大山,420281199001011234,13812345678,湖北省大冶市东岳路1号\n"
)


def narrative_of(write_agency, text: str, ledgers: dict[str, str] | None = None):
    """An agency whose section 六 is `text` (written as YAML, exactly as typed)."""
    extra = "narrative:\n  六: " + json.dumps(text, ensure_ascii=False) + "\n"
    return open_report(params=write_agency(ledgers or {"requests.csv": REQUESTS}, extra=extra))


def refused(write_agency, text: str, ledgers: dict[str, str] | None = None) -> TemplateError:
    with pytest.raises(TemplateError) as e:
        _ = narrative_of(write_agency, text, ledgers).texts
    assert e.value.section == OTHER
    return e.value


# ------------------------------------------------------------------------------------------------
# 1. The narrative sandbox
# ------------------------------------------------------------------------------------------------
RUN_ID = "{{ 宣传.__init__.__globals__['__builtins__']['__import__']('os').popen('id').read() }}"


def test_narrative_cannot_run_a_command_through_globals(write_agency, tmp_path):
    e = refused(write_agency, RUN_ID)
    assert str(e) == f"叙述「{OTHER}」中的占位符「{RUN_ID}」：{UNDERSCORE}"
    marker = tmp_path / "ran"
    touch = RUN_ID.replace("popen('id')", f"popen('touch {marker}')")
    refused(write_agency, touch)
    assert not marker.exists()


def test_narrative_cannot_read_the_ledger_through_open(write_agency, tmp_path):
    # Every character of requests.csv, a zero-width space between each: past a substring guard.
    read = (
        "{{ '"
        + ZWSP
        + "'.join(宣传.__init__.__globals__['__builtins__']['open']('"
        + str(tmp_path / "data" / "requests.csv")
        + "').read()) }}"
    )
    e = refused(write_agency, read)
    assert (e.placeholder, e.args[0].endswith(UNDERSCORE)) == (read, True)


@pytest.mark.parametrize(
    "text, placeholder",
    [
        ("{{ ''.__class__ }}", "{{ ''.__class__ }}"),
        ("{{ 行政许可.__class__.__mro__ }}", "{{ 行政许可.__class__.__mro__ }}"),
        ("{{ 宣传['__init__'] }}", "{{ 宣传['__init__'] }}"),
        ("{{ 宣传._frame }}", "{{ 宣传._frame }}"),
        ("{{ 联系._x }}", "{{ 联系._x }}"),
        # Built while the template runs: refused when it is used, naming the name.
        ("{% set k = '_' ~ '_init__' %}{{ 宣传[k] }}", "__init__"),
    ],
)
def test_narrative_underscore_names_are_refused(write_agency, text, placeholder):
    e = refused(write_agency, text)
    assert str(e) == f"叙述「{OTHER}」中的占位符「{placeholder}」：{UNDERSCORE}"


@pytest.mark.parametrize(
    "text, placeholder",
    [
        ("{{ self }}", "{{ self }}"),
        ("{{ cycler }}", "cycler"),
        ("{{ joiner }}", "joiner"),
        ("{{ lipsum }}", "lipsum"),
        ("{{ namespace }}", "namespace"),
        ("{{ config }}", "config"),
        ("{{ range(10**9) }}", "range"),
        ("{{ dict }}", "dict"),
    ],
)
def test_narrative_sees_no_jinja_globals(write_agency, text, placeholder):
    e = refused(write_agency, text)
    assert str(e) == f"叙述「{OTHER}」中的占位符「{placeholder}」：{UNKNOWN}"


@pytest.mark.parametrize(
    "text, tag",
    [
        ("前文{% include 'requests.csv' %}", "{% include 'requests.csv' %}"),
        ("{% import 'requests.csv' as r %}", "{% import 'requests.csv' as r %}"),
        ("{% extends 'requests.csv' %}", "{% extends 'requests.csv' %}"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "{% macro f() %}"),
        ("{% block b %}{{ self.b() }}{% endblock %}", "{% block b %}"),
    ],
)
def test_narrative_cannot_include_files_or_recurse(write_agency, text, tag):
    e = refused(write_agency, text)
    assert (e.placeholder, e.args[0].split("：", 1)[1]) == (
        tag,
        "叙述中只能用 {{ … }}、{% if %}、{% for %} 和 {% set %}",
    )


def test_narrative_cannot_reach_ledger_rows_or_write_files(write_agency, tmp_path):
    # 宣传.rows() is a DataFrame: to_csv would write anywhere, and its cells are ledger rows.
    target = tmp_path / "written.csv"
    e = refused(write_agency, "{{ 宣传.rows().to_csv('" + str(target) + "') }}")
    assert e.placeholder == "rows"
    assert not target.exists()
    assert refused(write_agency, "{{ 机关.format() }}").placeholder == "format"
    assert (
        refused(write_agency, "{{ 宣传|attr('rows') }}")
        .args[0]
        .endswith("没有「attr」这种写法；可用的过滤器：约、同比、增幅、万元、上年值")
    )


@pytest.mark.parametrize(
    "text, why",
    [
        ("{{ 'x'*10**9 }}", "生成的文字超过100000字，请检查模板"),
        ("{{ 10**9*'x' }}", "生成的文字超过100000字，请检查模板"),
        ("{{ 9**99999999 }}", "数字过大，请检查模板"),
        ("{% set a = 'x'*100000 %}{{ a ~ a }}", "生成的文字超过100000字，请检查模板"),
        ("{% set a = 'x'*100000 %}{{ a + a }}", "生成的文字超过100000字，请检查模板"),
        ("{{ '%999999999d' % 1 }}", "叙述中不能用 % 格式化文字"),
        (
            (
                "{% for a in 'x'*1000 %}{% for b in 'x'*1000 %}{% for c in 'x'*1000 %}"
                "{% endfor %}{% endfor %}{% endfor %}"
            ),
            "循环次数超过10000次，请检查模板",
        ),
        (
            "{% for a in 'x'*1000 %}{{ 'y'*1000 }}{% endfor %}",
            "填入后的文字超过100000字，请检查模板（循环或重复）",
        ),
    ],
)
def test_narrative_work_is_bounded(write_agency, text, why):
    e = refused(write_agency, text)
    assert e.args[0].endswith("：" + why)


def test_every_kind_of_placeholder_still_fills():
    frame = pd.DataFrame(
        {
            "日期": pd.to_datetime(["2021-06-01", "2021-06-16", "2020-06-10"]),
            "活动类型": ["安全宣传“五进”活动", "安全宣传“五进”活动", "安全宣传“五进”活动"],
            "场次": [500, 423, 3],
        }
    )
    proposals = pd.DataFrame(
        {"收到日期": pd.to_datetime(["2021-03-01"]), "类别": ["政协提案"], "办理方式": ["会办"]}
    )
    names = {
        "机关": "测试局",
        "联系": {"电话": "0714-1234567", "办公室": None},
        "年度": 2021,
        "行政许可": Figure(105, 121, 2021),
        "行政处罚": Figure(5, 5, 2021),
        "集中采购金额": Figure(Decimal("329.76"), Decimal(1), 2021),
        "宣传": OutreachView(frame, 2021),
        "建议提案": ProposalView(proposals, 2021),
    }
    template = (
        "{{ 机关 }}{{ 年度 }}：许可{{ 行政许可 }}件，"
        "{{ 行政许可|同比('件') }}，{{ 行政许可|增幅 }}；"
        "处罚{{ 行政处罚|同比('起', '比{年}年度') }}；上年{{ 行政许可|上年值 }}件；"
        "{{ 集中采购金额|万元 }}；"
        "{{ 宣传.月(6).类型('安全宣传“五进”活动').场次|约 }}场次；"
        "{{ 宣传.期间((6, 1), (6, 15)).场次 }}；"
        "{{ 建议提案.类别('政协提案').办理方式('会办').件数 }}件；"
        "{{ 联系.电话 }}{{ 联系['电话'] }}{{ 联系.办公室 or 机关 }}；"
        "{% if 行政许可.value > 100 %}多{% else %}少{% endif %}；"
        "{% for c in '甲乙' %}{{ loop.index }}{{ c }}{% endfor %}；"
        "{% set n = 行政许可.value + 1 %}{{ n }}"
    )
    assert narrative.render(template, names, "other") == (
        "测试局2021：许可105件，与上年减少16件，同比下降13.2%；处罚与2020年度持平；上年121件；"
        "329.76万元；920余场次；500；1件；0714-12345670714-1234567测试局；多；1甲2乙；106"
    )


# ------------------------------------------------------------------------------------------------
# 2. The guard against disguised values
# ------------------------------------------------------------------------------------------------
def test_every_invisible_character_is_removed_before_matching():
    invisible = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert len(invisible) > 150
    assert fold("张" + "".join(invisible) + "大山") == "张大山"
    assert fold("张\u00ad大\ufeff山\u2060\u200d\u034f\ufe0f") == "张大山"
    assert fold("４２０２８１ＡＢＣ") == "420281ABC"


DISGUISED = {
    "report.html": "<p>张&#8203;大&#x200B;山，４２０２８１１９９００１０１１２３４</p>",
    "tables.json": json.dumps({"x": "13812\u200c345678"}),
    "notebooks/06_other.ipynb": json.dumps({"cells": [{"source": "湖北省\u00ad大冶市东岳路1号"}]}),
    "checks.json": '{"note": "\\u5f20\\u200b\\u5927\\u200b\\u5c71"}',
}


@pytest.mark.parametrize("many", [False, True])
def test_guard_finds_values_split_by_invisible_characters_and_entities(tmp_path, many, monkeypatch):
    for name, text in DISGUISED.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    personal = {"张大山", "420281199001011234", "13812345678", "湖北省大冶市东岳路1号"}
    # Past _FEW_VALUES values the guard looks every position up in one set per length (a big
    # ledger) instead of building an automaton: 3000 values cross a limit lowered to 2000.
    monkeypatch.setattr(privacy, "_FEW_VALUES", 2000)
    others = {f"无关的人{i:05d}" for i in range(3000)} if many else set()
    assert sorted(privacy_leaks(tmp_path, personal | others)) == [
        ("checks.json", "张大山"),
        ("notebooks/06_other.ipynb", "湖北省大冶市东岳路1号"),
        ("report.html", "420281199001011234"),
        ("report.html", "张大山"),
        ("tables.json", "13812345678"),
    ]


@pytest.mark.parametrize("many", ["few", "many values", "long values"])
def test_guard_finds_values_that_overlap(tmp_path, many, monkeypatch):
    # 张三丰 and 三丰路 share 三丰: one found must not hide the other, with the automaton and with
    # the sets by length that replace it for very many values, or very long ones (a hostile
    # ledger's 100,000 addresses of a thousand characters would make an automaton of gigabytes).
    monkeypatch.setattr(privacy, "_FEW_VALUES", 0 if many == "many values" else 2000)
    monkeypatch.setattr(privacy, "_FEW_CHARACTERS", 5 if many == "long values" else 10**6)
    (tmp_path / "report.html").write_text("<p>住址张三丰路，联系人张三丰</p>", encoding="utf-8")
    assert privacy_leaks(tmp_path, {"张三丰", "三丰路", "李四"}) == [
        ("report.html", "三丰路"),
        ("report.html", "张三丰"),
    ]


def test_guard_reads_a_word_file_part_by_part(tmp_path):
    # The zip's bytes are compressed: the guard reads each part, a part's name and the text
    # split over runs; the pictures are not read as text.
    import zipfile

    with zipfile.ZipFile(tmp_path / "report.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "word/document.xml", "<w:p><w:r><w:t>张</w:t></w:r><w:r><w:t>大山</w:t></w:r></w:p>"
        )
        z.writestr("word/media/13812345678.png", b"\x89PNG")
        z.writestr("word/media/image1.png", b"420281199001011234")
        z.comment = "湖北省大冶市东岳路1号".encode()
    personal = {"张大山", "13812345678", "420281199001011234", "湖北省大冶市东岳路1号"}
    assert privacy_leaks(tmp_path, personal) == [
        ("report.docx", "13812345678"),
        ("report.docx", "张大山"),
        ("report.docx", "湖北省大冶市东岳路1号"),
    ]
    (tmp_path / "report.docx").write_bytes("不是 zip：张大山".encode())  # read as it is
    assert privacy_leaks(tmp_path, personal) == [("report.docx", "张大山")]


@settings(max_examples=3000, deadline=None)
@given(
    st.text(
        alphabet="ae>1 \n\u0301\u0338\u200b\ufeff\u00ad张１\uff21\u1100\u1161\u11a8\u0653\u0627\ufb01\u0327\u212b\u034f"
    )
)
def test_folding_stretch_by_stretch_is_folding_the_whole(text):
    assert fold_runs(text) == fold(text)


def test_folding_stretch_by_stretch_keeps_what_joins_across_a_stretch():
    assert fold_runs("e\u0301x") == "\u00e9x"  # e + combining acute: é
    assert fold_runs("a>\u0338b") == "a\u226fb"  # > + combining long solidus: ≯
    assert fold_runs("ab\u200bc张\u200b三") == "abc张三"


def test_guard_finds_a_ledger_value_written_in_full_width(tmp_path):
    (tmp_path / "report.html").write_text("<p>电话13812345678</p>", encoding="utf-8")
    wide = "１３８１２３４５６７８"
    assert privacy_leaks(tmp_path, {wide}) == [("report.html", wide)]


# ------------------------------------------------------------------------------------------------
# 3. Personal columns under other headers
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header, value",
    [
        ("申请人", "钱大海"),
        ("联系人", "孙小红"),
        ("申请人（代理人）", "周律师"),
        ("代理人", "吴代理"),
        ("Email", "qian@example.com"),
        ("E-mail", "qian@example.org"),
        ("QQ", "123456789"),
        ("qq号", "987654321"),
        ("EMAIL", "sun@example.net"),
        ("微信", "wx_qian88"),
        ("證件號碼", "420281199202021111"),
        ("電話", "13711112222"),
        ("聯繫人", "郑某人"),
        ("姓名", "冯某某"),
        ("住址", "某县某村8组"),
        ("联系方式", "0714-7654321"),
        ("Name", "Qian Dahai"),
        ("Phone", "13733334444"),
        ("Address", "8 Some Road"),
        ("ID No.", "420281199303031111"),
    ],
)
def test_personal_column_under_another_header_is_dropped_and_guarded(tmp_path, header, value):
    data = tmp_path / "data"
    data.mkdir()
    (data / "requests.csv").write_text(
        f"申请编号,收到日期,申请人类型,{header}\nA1,2021-01-05,自然人,{value}\n", encoding="utf-8"
    )
    ledgers = load_ledgers(data)
    assert ledgers.personal_values == {value}
    assert value not in set(ledgers["requests"].astype(str).to_numpy().ravel())
    assert list(ledgers["requests"]["申请人类型"]) == ["自然人"]


def test_kinds_and_counts_of_people_stay_ordinary_columns():
    assert not personal_column("申请人类型", "requests")
    assert not personal_column("申请人类型（自然人/法人）", "requests")
    assert not personal_column("证件类型", "requests")
    assert not personal_column("申请人数", "requests")
    assert personal_column("經辦人電話", "requests")
    assert not personal_column("活动地址", "outreach")  # an event's address is not about a person
    assert personal_column("联系人", "outreach")  # a name is a name in any ledger
    assert personal_column("经办人工号", "outreach", ["经办人工号"])  # listed in the params


# ------------------------------------------------------------------------------------------------
# 4. Personal values in the messages of a ledger error
# ------------------------------------------------------------------------------------------------
def test_shifted_row_error_masks_the_name_and_address(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "requests.csv").write_text(
        REQUESTS
        + "A2,张大山,湖北省大冶市东岳路1号,予以公开,2021-01-20,"
        + "王某,420281199001015678,13900000000,\n",
        encoding="utf-8",
    )
    with pytest.raises(LedgerError) as e:
        load_ledgers(data)
    assert str(e.value).splitlines() == [
        "台账有2处问题：",
        (
            "requests.csv 第3行「收到日期」列，值「张**」："
            "应为日期，如 2021-06-16、2021/6/16 或 Excel 日期"
        ),
        (
            "requests.csv 第3行「申请人类型」列，值「湖**********」：不是可用的类别，"
            "应为：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他"
        ),
    ]


def test_error_masks_an_id_number_or_phone_from_no_personal_column(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "requests.csv").write_text(
        "申请编号,收到日期,申请人类型\nA1,13812345678,自然人\nA2,2021-01-05,420281199001011234\n",
        encoding="utf-8",
    )
    with pytest.raises(LedgerError) as e:
        load_ledgers(data)
    lines = str(e.value).splitlines()
    assert lines[1].startswith("requests.csv 第2行「收到日期」列，值「1**********」：")
    assert lines[2].startswith("requests.csv 第3行「申请人类型」列，值「4*****************」：")
    assert "13812345678" not in str(e.value) and "420281199001011234" not in str(e.value)


# ------------------------------------------------------------------------------------------------
# 5. A coarse personal value the agency itself writes, and what a stop says
# ------------------------------------------------------------------------------------------------
def test_guard_message_names_the_column_the_file_and_what_to_do(tmp_path):
    (tmp_path / "report.html").write_text("<p>宣传进社区：张大山</p>", encoding="utf-8")
    personal = PersonalValues(columns=[("requests.csv「申请人姓名」列", {"张大山"})])
    with pytest.raises(PrivacyLeak) as e:
        guard(tmp_path, personal)
    assert str(e.value).splitlines()[0] == (
        "输出文件中发现申请人个人信息，已删除本次生成的全部文件："
        "report.html 含「张**」（来自requests.csv「申请人姓名」列）。"
    )
    assert "改正台账后重新生成" in str(e.value)


def seed_agency(base: Path) -> tuple[Path, Path]:
    """A copy of the seed agency's ledgers and params in `base`: (params, data folder)."""
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data = base / "data"
    shutil.copytree((SEED.parent / seed["data_dir"]).resolve(), data)
    seed["data_dir"] = "data"
    params = base / "2021.yaml"
    params.write_text(yaml.safe_dump(seed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return params, data


def test_a_coarse_address_the_agency_names_does_not_block_the_build(tmp_path):
    params, data = seed_agency(tmp_path)
    requests = pd.read_csv(data / "requests.csv", dtype=str, keep_default_na=False)
    requests.loc[0, "地址"] = "大冶市"  # the agency is 大冶市应急管理局
    requests.to_csv(data / "requests.csv", index=False, encoding="utf-8")
    assert main(["build", "--params", str(params), "--out", str(tmp_path / "out")]) == 0
    assert "大冶市应急管理局" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_a_name_hidden_by_zero_width_spaces_in_a_ledger_cell_stops_the_build(tmp_path, capsys):
    # An applicant's name typed, with zero-width spaces, as an activity type reaches the chart.
    params, data = seed_agency(tmp_path)
    wb = openpyxl.load_workbook(data / "outreach.xlsx")
    hidden = ZWSP.join("吴某某")
    day = pd.Timestamp("2021-11-05").to_pydatetime()
    wb.active.append([day, hidden, "宣传进社区", "东岳路街道", 1, 30])
    wb.save(data / "outreach.xlsx")
    out = tmp_path / "out"
    assert main(["build", "--params", str(params), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "输出文件中发现申请人个人信息，已删除本次生成的全部文件：" in err
    assert "report.html 含「吴**」（来自requests.csv「申请人姓名」列）" in err
    assert "吴某某" not in err and "Traceback" not in err
    assert not (out / "report.html").exists()


# ------------------------------------------------------------------------------------------------
# 6. 比2020年度持平
# ------------------------------------------------------------------------------------------------
def test_yoy_against_a_named_year_says_与_when_unchanged():
    assert Figure(57, 57, 2021).yoy("起", "比{年}年度") == "与2020年度持平"
    assert Figure(57, 59, 2021).yoy("起", "比{年}年度") == "比2020年度减少2起"
    assert Figure(60, 59, 2021).yoy("起", "比{年}年度") == "比2020年度增加1起"
    assert phrasing.yoy(3, 3, "件") == "与上年持平"
    assert phrasing.yoy(3, 3, "件", "比上年") == "与上年持平"
