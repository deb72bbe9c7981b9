"""Ledgers as office PCs save them: every kind of bad input gives one exact Chinese message naming
the file, the Excel row, the column and the value, never a traceback; tolerated forms read right."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import SEED_PARAMS

from reportkit.cli import main
from reportkit.compute import tables
from reportkit.compute.report import open_report
from reportkit.contract.errors import LedgerError, ReportkitError
from reportkit.ingest.ledgers import MAX_PROBLEMS, load_ledgers

FIXTURES = Path(__file__).parent / "fixtures" / "bad_input"

DATE = "应为日期，如 2021-06-16、2021/6/16 或 Excel 日期"
APPLICANTS = "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他"
ENCODING = "无法识别文件编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV"
MIXED = (
    "文件前面是 UTF-8 编码，从这一行起却是另一种编码（多半是 GBK）：文件中混有两种编码。"
    "请在 Excel 中打开，整体另存为「CSV UTF-8」后再试"
)
EXCEL_ERROR = "是 Excel 的错误值（公式出错）：请修正公式，或直接填写正确的值"
TYPO = f"requests.csv 第3行「申请人类型」列，值「自然任」：不是可用的类别（是否应为「自然人」？），应为：{APPLICANTS}"


def fixture(name: str) -> tuple[str, bytes]:
    """A fixture file under the ledger name it stands for: requests_gb18030_typo.csv -> requests.csv."""
    path = FIXTURES / name
    stem = name.split("_", 1)[0]
    return f"{stem}{path.suffix}", path.read_bytes()


def workbook(*rows: list[object], merge: tuple[str, ...] = ()) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    for rng in merge:
        wb.active.merge_cells(rng)
    return wb


def folder(tmp_path: Path, files: dict[str, str | bytes | openpyxl.Workbook]) -> Path:
    data = tmp_path / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    for name, content in files.items():
        if isinstance(content, openpyxl.Workbook):
            content.save(data / name)
        elif isinstance(content, bytes):
            (data / name).write_bytes(content)
        else:
            (data / name).write_text(content, encoding="utf-8")
    return data


def message(tmp_path: Path, files: dict) -> str:
    with pytest.raises(ReportkitError) as e:
        load_ledgers(folder(tmp_path, files))
    return str(e.value)


def _second_sheet() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    ws = wb.create_sheet("台账")
    ws.append(["编号", "决定日期"])
    ws.append(["XK-1", "2021-01-01"])
    return wb


# ------------------------------------------------------------------------------------------------
# The named cases: (ledger files, the exact message)
# ------------------------------------------------------------------------------------------------
REQ = "申请编号,收到日期,申请人类型,办理结果,办结日期\n"
MANY = "编号,决定日期\n" + "".join(f"CF-{i:03d},不详\n" for i in range(120))

CASES: dict[str, tuple[dict, str]] = {
    # -- encodings ------------------------------------------------------------------------------
    "gb18030 csv from Excel, category typo": (dict([fixture("requests_gb18030_typo.csv")]), TYPO),
    "utf-8 with BOM, category typo": (dict([fixture("requests_utf8_bom_typo.csv")]), TYPO),
    "BOM in front of GBK text, category typo": (
        dict([fixture("requests_bom_then_gbk_typo.csv")]),
        TYPO,
    ),
    "utf-8 rows then GBK rows": (
        dict([fixture("requests_mixed_utf8_gbk.csv")]),
        f"requests.csv 第3行：{MIXED}",
    ),
    "neither utf-8 nor gb18030": (
        dict([fixture("requests_unknown_encoding.csv")]),
        f"requests.csv：{ENCODING}",
    ),
    # -- files ----------------------------------------------------------------------------------
    "empty file": (
        dict([fixture("media_empty.csv")]),
        "media.csv：文件是空的：第1行应为表头（日期、媒体、标题 …），其下每行一条记录",
    ),
    "only separators": (
        dict([fixture("media_only_commas.csv")]),
        "media.csv：文件是空的：第1行应为表头（日期、媒体、标题 …），其下每行一条记录",
    ),
    "a UTF-16 byte-order mark alone": (
        {"media.csv": b"\xff\xfe"},
        "media.csv：文件是空的：第1行应为表头（日期、媒体、标题 …），其下每行一条记录",
    ),
    "xlsx saved as .csv": (
        {"licensing.csv": b"PK\x03\x04\x14\x00\x06\x00"},
        "licensing.csv：实际是 Excel 工作簿（.xlsx）：请把文件扩展名改为 .xlsx，或在 Excel 中另存为 CSV",
    ),
    "csv saved as .xlsx": (
        {"licensing.xlsx": "编号,决定日期\n1,2021-01-01\n"},
        "licensing.xlsx：不是有效的 Excel 工作簿：如果它其实是 CSV 文本，请把扩展名改为 .csv",
    ),
    "old .xls": (
        {"licensing.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64)},
        "licensing.xls：是旧版 Excel 文件（.xls），reportkit 读取不了：请在 Excel 中另存为 licensing.xlsx 或 licensing.csv",
    ),
    "file named by its title": (
        {"2021年依申请公开台账.xlsx": workbook(["申请编号"])},
        "2021年依申请公开台账.xlsx：像是依申请公开台账：台账文件须按规定命名，请改名为 requests.xlsx 或 requests.csv",
    ),
    "file name in capitals": (
        {"Penalties.csv": "编号,决定日期\n1,2021-01-01\n"},
        "Penalties.csv：文件名应为 penalties.csv（全部小写），请改名",
    ),
    "unclosed quote": (
        dict([fixture("penalties_unclosed_quote.csv")]),
        'penalties.csv 第2行：从这一行起引号（"）不成对，其后的内容无法分列：请检查这一行，或在 Excel 中打开后重新另存为 CSV',
    ),
    "ledger on the second sheet": (
        {"licensing.xlsx": _second_sheet()},
        "licensing.xlsx：文件是空的：第1行应为表头（编号、决定日期 …），其下每行一条记录；"
        "表头在工作表「台账」中，台账应放在第一个工作表（请把该工作表拖到最前）",
    ),
    # -- headers --------------------------------------------------------------------------------
    "no header in the first rows": (
        {"penalties.csv": "CF-001,2021-01-01,x\nCF-002,2021-01-02,y\n"},
        "penalties.csv：找不到表头：前10行中没有一行含「编号」「决定日期」（表头可在标题行之下；列名须与规定一致，见 README）",
    ),
    "required column misspelt": (
        {"penalties.csv": "编号,决定日起,案由\nCF-001,2021-01-01,x\n"},
        "penalties.csv 第1行「决定日期」列：缺少必填列「决定日期」（表头应含：编号、决定日期）；"
        "B列的「决定日起」是否就是此列？请把列名改为「决定日期」",
    ),
    "amount column in the wrong unit": (
        {"fees.csv": "日期,项目,金额（万元）\n2021-01-01,复印费,0.02\n"},
        "fees.csv 第1行「金额（元）」列：缺少必填列「金额（元）」（表头应含：日期、项目、金额（元））；"
        "C列的「金额（万元）」单位不同：此列应以元计，请把数值换算为元后，把列名改为「金额（元）」",
    ),
    "optional column without its unit": (
        {"requests.csv": "申请编号,收到日期,申请人类型,收费金额\nA1,2021-01-05,自然人,20\n"},
        "requests.csv 第1行「收费金额」列：不是本台账的列名，是否应为「收费金额（元）」？"
        "请把列名改为「收费金额（元）」，否则这一列不会被读取",
    ),
    "two columns with one name": (
        {"enforcement.csv": "编号,决定日期,措施,决定日期\nQZ-1,2021-01-01,查封,2021-01-02\n"},
        "enforcement.csv 第1行「决定日期」列：表头中有多列都是「决定日期」（B和D列），请只保留一列",
    ),
    # -- cells ----------------------------------------------------------------------------------
    "applicant type 法人 lists the valid values": (
        {"requests.csv": REQ + "A1,2021-01-05,法人,,\n"},
        f"requests.csv 第2行「申请人类型」列，值「法人」：不是可用的类别，应为：{APPLICANTS}",
    ),
    "outcome near miss": (
        {"requests.csv": REQ + "A1,2021-01-05,自然人,予以公开了,2021-01-20\n"},
        "requests.csv 第2行「办理结果」列，值「予以公开了」：不是表三的办理结果（是否应为「予以公开」？）；"
        "应写表三的一项，如「予以公开」或「不予公开/属于国家秘密」",
    ),
    "appeal kind typo": (
        {"appeals.csv": "案件编号,类别,收到日期\nFY-1,行政服议,2021-05-01\n"},
        "appeals.csv 第2行「类别」列，值「行政服议」：不是可用的类别（是否应为「行政复议」？），"
        "应为：行政复议、未经复议直接起诉、复议后起诉",
    ),
    "document type typo": (
        {"documents.csv": "文号,标题,类型,印发日期\n甲〔2021〕1号,办法,规张,2021-05-01\n"},
        "documents.csv 第2行「类型」列，值「规张」：不是可用的类别（是否应为「规章」？），应为：规章、行政规范性文件",
    ),
    "proposal handling typo": (
        {"proposals.csv": "编号,类别,办理方式,收到日期\nJY-1,人大代表建议,主力,2021-03-01\n"},
        "proposals.csv 第2行「办理方式」列，值「主力」：不是可用的类别（是否应为「主办」？），应为：主办、会办",
    ),
    "dates that are not dates": (
        {
            "licensing.csv": "编号,决定日期\nXK-1,2021-02-30\nXK-2,0021-06-16\nXK-3,#VALUE!\nXK-4,6月16日\n"
        },
        "台账有4处问题：\n"
        f"licensing.csv 第2行「决定日期」列，值「2021-02-30」：{DATE}\n"
        f"licensing.csv 第3行「决定日期」列，值「0021-06-16」：年份21不合理：{DATE}\n"
        f"licensing.csv 第4行「决定日期」列，值「#VALUE!」：{EXCEL_ERROR}\n"
        f"licensing.csv 第5行「决定日期」列，值「6月16日」：{DATE}",
    ),
    "counts that are not whole numbers": (
        {
            "outreach.csv": "日期,活动类型,场次,参与人次\n2021-06-01,咨询,两场,-3\n2021-06-02,咨询,1.5,99999999999999\n"
        },
        "台账有4处问题：\n"
        "outreach.csv 第2行「场次」列，值「两场」：应为整数\n"
        "outreach.csv 第3行「场次」列，值「1.5」：应为整数\n"
        "outreach.csv 第2行「参与人次」列，值「-3」：不应为负数\n"
        "outreach.csv 第3行「参与人次」列，值「99999999999999」：数值过大，请核对",
    ),
    "amounts that are not amounts": (
        {
            "procurement.csv": "日期,项目,金额（万元）\n2021-01-01,电脑,约100\n2021-02-01,打印机,-5\n"
        },
        "台账有2处问题：\n"
        "procurement.csv 第2行「金额（万元）」列，值「约100」：应为金额数字，如 1200.50\n"
        "procurement.csv 第3行「金额（万元）」列，值「-5」：金额不应为负数",
    ),
    "required cell blank": (
        {"media.csv": "日期,媒体,标题\n2021-01-01,湖北日报,\n"},
        "media.csv 第2行「标题」列：必填项为空",
    ),
    "row holding only a name": (
        {
            "requests.csv": REQ.replace("\n", ",申请人姓名\n")
            + "A1,2021-01-05,自然人,,,张某某\n,,,,,李某某\n"
        },
        "台账有3处问题：\n"
        "requests.csv 第3行「申请编号」列：必填项为空\n"
        "requests.csv 第3行「收到日期」列：必填项为空\n"
        "requests.csv 第3行「申请人类型」列：必填项为空",
    ),
    "duplicate id": (
        {"enforcement.csv": "编号,决定日期\nQZ-1,2021-01-01\nQZ-2,2021-01-02\nQZ-1 ,2021-01-03\n"},
        "enforcement.csv 第4行「编号」列，值「QZ-1」：编号重复（与第2行相同），每条记录的编号应唯一",
    ),
    "xlsx: merged amount, error value, boolean": (
        {
            "requests.xlsx": workbook(
                ["某局依申请公开台账"],
                ["申请编号", "收到日期", "申请人类型", "办理结果", "办结日期", "收费金额（元）"],
                ["A1", dt.datetime(2021, 2, 1, 9, 30), "自然人", "予以公开", 44240, 100],
                ["A2", "2021/2/3", "自然人", "#N/A", None, 100],
                ["A3", dt.datetime(2021, 2, 3), True, None, None, None],
                merge=("A1:F1", "F3:F4"),
            )
        },
        "台账有3处问题：\n"
        "requests.xlsx 第3行「收费金额（元）」列：是跨第3至4行的合并单元格：每行应各自填写（合并后无法确定每行的值），请取消合并\n"
        f"requests.xlsx 第5行「申请人类型」列，值「TRUE」：不是可用的类别，应为：{APPLICANTS}\n"
        f"requests.xlsx 第4行「办理结果」列，值「#N/A」：{EXCEL_ERROR}",
    ),
    "every ledger's problems at once": (
        {
            "licensing.csv": "编号,决定日期\nXK-1,明天\n",
            "media.csv": "日期,媒体,标题\n2021-13-01,湖北日报,标题\n",
        },
        "台账有2处问题：\n"
        f"licensing.csv 第2行「决定日期」列，值「明天」：{DATE}\n"
        f"media.csv 第2行「日期」列，值「2021-13-01」：{DATE}",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_message(tmp_path, case):
    files, expected = CASES[case]
    assert message(tmp_path, files) == expected


def test_at_least_twenty_named_cases():
    assert len(CASES) >= 20


def test_problems_capped_per_ledger(tmp_path):
    text = message(tmp_path, {"penalties.csv": MANY})
    lines = text.splitlines()
    assert lines[0] == f"台账有120处问题（每个文件最多列出前{MAX_PROBLEMS}处）："
    assert lines[1] == f"penalties.csv 第2行「决定日期」列，值「不详」：{DATE}"
    assert (
        lines[MAX_PROBLEMS]
        == f"penalties.csv 第{MAX_PROBLEMS + 1}行「决定日期」列，值「不详」：{DATE}"
    )
    assert (
        lines[-1]
        == f"penalties.csv：另有{120 - MAX_PROBLEMS}处同类问题未逐一列出，请按上面的说明一并修正"
    )
    assert len(lines) == MAX_PROBLEMS + 2


def test_error_carries_the_first_cell(tmp_path):
    with pytest.raises(LedgerError) as e:
        load_ledgers(folder(tmp_path, dict([fixture("requests_gb18030_typo.csv")])))
    assert (e.value.file, e.value.row, e.value.column, e.value.value) == (
        "requests.csv",
        3,
        "申请人类型",
        "自然任",
    )


# ------------------------------------------------------------------------------------------------
# Tolerated: read right, maybe with a note
# ------------------------------------------------------------------------------------------------
def test_utf16_tab_separated(tmp_path):
    ledgers = load_ledgers(folder(tmp_path, dict([fixture("requests_utf16_tabs.csv")])))
    assert list(ledgers["requests"]["申请人类型"]) == ["自然人", "自然人"]


def test_title_row_serial_dates_and_trailing_rows_in_gb18030(tmp_path):
    ledgers = load_ledgers(folder(tmp_path, dict([fixture("licensing_title_row_gb18030.csv")])))
    df = ledgers["licensing"]
    assert list(df["_row"]) == [3, 4]
    assert list(df["决定日期"].dt.strftime("%Y-%m-%d")) == ["2021-06-16", "2021-06-16"]
    assert list(df["事项名称"]) == ["烟花爆竹经营（零售）许可", "危险化学品经营许可"]


def test_dates_as_people_type_them(tmp_path):
    text = "编号,决定日期\n" + "".join(
        f"{i},{d}\n"
        for i, d in enumerate(
            [
                "2021.6.16",
                "20210616",
                "2021年6月16日",
                "2021-06-16 14:30",
                "2021/6/16 9:05:01",
                "44363.5",
                "２０２１－０６－１６",
            ]
        )
    )
    df = load_ledgers(folder(tmp_path, {"licensing.csv": text}))["licensing"]
    assert set(df["决定日期"]) == {dt.datetime(2021, 6, 16)}


def test_xlsx_title_merged_header_numbers_as_text(tmp_path):
    wb = workbook(
        ["某局宣传活动台账", None, None, None],
        ["日期", "活动类型", "场次", "参与人次"],
        [dt.datetime(2021, 6, 16, 10, 0), "安全宣传", "2", "1,200"],
        [dt.datetime(2021, 6, 17), None, 1.0, "３００"],
        [None, None, None, None],
        [None, None, None, None],
        merge=("A1:D1", "B3:B4"),  # one 活动类型 typed for two rows
    )
    df = load_ledgers(folder(tmp_path, {"outreach.xlsx": wb}))["outreach"]
    assert list(df["_row"]) == [3, 4]
    assert list(df["活动类型"]) == ["安全宣传", "安全宣传"]
    assert list(df["场次"]) == [2, 1] and list(df["参与人次"]) == [1200, 300]
    assert list(df["日期"]) == [dt.datetime(2021, 6, 16), dt.datetime(2021, 6, 17)]


def test_headers_with_markers_notes_and_full_width(tmp_path):
    text = "*编号, 决定日期（年/月/日）,事项　名称\nXK-1,2021-01-01,ａ\n"
    df = load_ledgers(folder(tmp_path, {"licensing.csv": text}))["licensing"]
    assert list(df.columns) == ["_row", "编号", "决定日期", "事项名称"]


def test_money_as_people_type_it(tmp_path):
    text = (
        '日期,项目,金额（元）\n2021-01-01,a,"￥1,200.50"\n2021-02-01,b,300元\n2021-03-01,c, 0.5 \n'
    )
    df = load_ledgers(folder(tmp_path, {"fees.csv": text}))["fees"]
    assert list(df["金额（元）"]) == [Decimal("1200.50"), Decimal(300), Decimal("0.5")]


def test_alias_accepted_with_a_note(tmp_path):
    text = "文号,标题,类型,印发日期\n甲〔2021〕1号,办法,规范性文件,2021-05-01\n"
    ledgers = load_ledgers(folder(tmp_path, {"documents.csv": text}))
    assert ledgers["documents"].loc[0, "类型"] == "行政规范性文件"
    assert (
        "documents.csv 第2行「类型」写作「规范性文件」，已按「行政规范性文件」计入；建议改为规范名称"
        in [n.text for n in ledgers.notes]
    )


def test_header_only_ledger_is_noted(tmp_path):
    ledgers = load_ledgers(folder(tmp_path, {"licensing.csv": "编号,决定日期,事项名称\r\n"}))
    assert len(ledgers["licensing"]) == 0
    assert "licensing.csv 只有表头，没有记录，按本年无此类记录处理" in [
        n.text for n in ledgers.notes
    ]


def test_cells_beyond_the_header_are_ignored(tmp_path):
    text = "编号,决定日期,案由\nCF-1,2021-01-01,x,备注：已结案,多余\nCF-2,2021-01-02,y\n"
    df = load_ledgers(folder(tmp_path, {"penalties.csv": text}))["penalties"]
    assert list(df["编号"]) == ["CF-1", "CF-2"]


def test_gb18030_ledgers_give_the_same_tables_as_utf8(tmp_path):
    """The seed agency's ledgers, re-saved as Excel would on Chinese Windows, give the same tables."""
    utf8 = open_report(params=SEED_PARAMS)
    data = tmp_path / "data"
    shutil.copytree(utf8.params.data_path, data)
    for path in data.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\n", "\r\n")
        path.write_bytes(text.encode("gb18030"))
    assert any(
        p.read_bytes() != (utf8.params.data_path / p.name).read_bytes() for p in data.glob("*.csv")
    )
    params = tmp_path / "2021.yaml"
    params.write_text(f"agency: {utf8.agency}\nyear: 2021\ndata_dir: data\n", encoding="utf-8")
    gb = open_report(params=params)
    assert gb.tables_json == utf8.tables_json
    assert tables.table3(gb.ledgers, 2021).equals(tables.table3(utf8.ledgers, 2021))


# ------------------------------------------------------------------------------------------------
# The command line: one message, no traceback (unless --debug); params and folders named
# ------------------------------------------------------------------------------------------------
def agency(tmp_path: Path, files: dict, extra: str = "") -> Path:
    folder(tmp_path, files)
    params = tmp_path / "2021.yaml"
    params.write_text(f"agency: 测试局\nyear: 2021\ndata_dir: data\n{extra}", encoding="utf-8")
    return params


def test_check_prints_the_message_without_traceback(tmp_path, capsys):
    params = agency(tmp_path, dict([fixture("requests_gb18030_typo.csv")]))
    assert main(["check", "--params", str(params)]) == 2
    err = capsys.readouterr().err
    assert err == f"错误：{TYPO}\n"


def test_build_stops_on_a_bad_ledger_before_writing(tmp_path, capsys):
    params = agency(tmp_path, dict([fixture("requests_gb18030_typo.csv")]))
    out = tmp_path / "out"
    assert main(["build", "--params", str(params), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"错误：{TYPO}"
    assert "Traceback" not in err
    assert not out.exists()


def test_debug_shows_the_traceback(tmp_path):
    params = agency(tmp_path, dict([fixture("requests_gb18030_typo.csv")]))
    with pytest.raises(LedgerError):
        main(["--debug", "check", "--params", str(params)])


def test_params_error_names_the_key(tmp_path, capsys):
    params = agency(tmp_path, {}, extra="personal_colums: [经办人]\n")
    assert main(["check", "--params", str(params)]) == 2
    assert capsys.readouterr().err == (
        f"错误：参数文件 {params} 的「personal_colums」：不认识的键（请检查拼写；可用的键见 README）\n"
    )


def test_missing_data_folder_names_the_path(tmp_path, capsys):
    params = tmp_path / "2021.yaml"
    params.write_text("agency: 测试局\nyear: 2021\ndata_dir: 台账\n", encoding="utf-8")
    assert main(["check", "--params", str(params)]) == 2
    assert capsys.readouterr().err == f"错误：台账文件夹不存在：{tmp_path / '台账'}\n"


def test_check_json_still_reports_bad_input_as_error(tmp_path, capsys):
    params = agency(tmp_path, {"media.csv": "日期,媒体,标题\n2021-01-01,湖北日报,\n"})
    assert main(["check", "--params", str(params), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "错误：media.csv 第2行「标题」列：必填项为空\n"
    with pytest.raises(ValueError):
        json.loads(captured.out or "x")
