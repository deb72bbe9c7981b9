import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from reportkit.contract.errors import LedgerError
from reportkit.ingest.ledgers import SCHEMAS, load_ledgers, match_outcome, read_ledger

REQUESTS = "申请编号,收到日期,申请人类型,办理结果,办结日期,申请人姓名,证件号码\n"


def read(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    frame, notes, personal = read_ledger(path, SCHEMAS[path.stem])
    return frame, notes, personal


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    text = REQUESTS + "A1,2021-03-01,自然人,予以公开,2021/3/9,张某某,000000199001010011\n"
    frame, _, personal = read(tmp_path, "requests.csv", text, encoding)
    assert frame.loc[0, "申请人类型"] == "自然人"
    assert frame.loc[0, "办结日期"] == dt.datetime(2021, 3, 9)
    assert frame.loc[0, "_row"] == 2
    # Personal columns are dropped at reading; their values are kept only for the privacy guard.
    assert "申请人姓名" not in frame.columns and "证件号码" not in frame.columns
    assert personal == {"张某某", "000000199001010011"}


def test_headers_and_categories_tolerate_spaces_and_width(tmp_path):
    text = "申请编号, 收到日期 ,申请人　类型,办理结果,办结日期\nA1,2021-01-05,商业 企业,（三）不予公开／1.属于国家秘密,2021-02-01\n"
    frame, _, _ = read(tmp_path, "requests.csv", text)
    assert frame.loc[0, "申请人类型"] == "商业企业"
    assert frame.loc[0, "办理结果"] == "不予公开/属于国家秘密"


@pytest.mark.parametrize(
    "typed, key",
    [
        ("予以公开", "予以公开"),
        ("部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
        ("属于国家秘密", "不予公开/属于国家秘密"),
        ('危及"三安全一稳定"', "不予公开/危及“三安全一稳定”"),
        ("其他处理/其他", "其他处理/其他"),
        ("其他", "其他处理/其他"),
        ("3.补正后申请内容仍不明确", "无法提供/补正后申请内容仍不明确"),
        ("不予处理/重复申请", "不予处理/重复申请"),
        ("不存在", None),
        # numbering as people type it, one rule with tables.json labels
        ("三、不予公开/1.属于国家秘密", "不予公开/属于国家秘密"),
        ("(三)不予公开/2、其他法律行政法规禁止公开", "不予公开/其他法律行政法规禁止公开"),
        ("三)不予公开/(4)保护第三方合法权益", "不予公开/保护第三方合法权益"),
        ("四.无法提供/1)本机关不掌握相关政府信息", "无法提供/本机关不掌握相关政府信息"),
        ("（一）予以公开", "予以公开"),
    ],
)
def test_outcome_forms(typed, key):
    assert match_outcome(typed) == key


def test_date_forms(tmp_path):
    text = "编号,决定日期,事项名称\n1,2021-06-16,a\n2,2021/6/16,b\n3,2021年6月16日,c\n4,44363,d\n"
    frame, _, _ = read(tmp_path, "licensing.csv", text)
    assert list(frame["决定日期"].dt.strftime("%Y-%m-%d")) == ["2021-06-16"] * 4


def test_outreach_defaults_and_numbers_as_text(tmp_path):
    text = '日期,活动类型,场次,参与人次,展板（块）,横幅（条）,资料（份）\n2021-06-16,咨询,,"1,200",3.0,,\n'
    frame, _, _ = read(tmp_path, "outreach.csv", text)
    row = frame.iloc[0]
    assert (
        row["场次"],
        row["参与人次"],
        row["展板（块）"],
        row["横幅（条）"],
        row["资料（份）"],
    ) == (1, 1200, 3, 0, 0)


def test_money_is_exact(tmp_path):
    text = "日期,项目,金额（万元）\n2021-01-01,a,100.10\n2021-02-01,b,229.66\n"
    frame, _, _ = read(tmp_path, "procurement.csv", text)
    assert sum(frame["金额（万元）"], Decimal(0)) == Decimal("329.76")


def test_alias_accepted_with_note(tmp_path):
    text = "文号,标题,类型,印发日期\n甲〔2021〕1号,办法,规范性文件,2021-05-01\n"
    frame, notes, _ = read(tmp_path, "documents.csv", text)
    assert frame.loc[0, "类型"] == "行政规范性文件"
    assert [n.text for n in notes] == [
        "documents.csv 第2行「类型」写作「规范性文件」，已按「行政规范性文件」计入；建议改为规范名称"
    ]


def test_every_problem_named_with_excel_row(tmp_path):
    text = (
        REQUESTS
        + "A1,2021-13-01,自然人,,,,\n"  # row 2: bad date
        + "A2,2021-03-01,法人,,,,\n"  # row 3: unknown category
        + "A1,2021-03-02,自然人,,,,\n"  # row 4: duplicate id
    )
    with pytest.raises(LedgerError) as e:
        read(tmp_path, "requests.csv", text)
    err = e.value
    assert (err.file, err.row, err.column, err.value) == (
        "requests.csv",
        2,
        "收到日期",
        "2021-13-01",
    )
    assert [str(p) for p in err.problems] == [
        "requests.csv 第2行「收到日期」列，值「2021-13-01」：应为日期，如 2021-06-16、2021/6/16 或 Excel 日期",
        "requests.csv 第3行「申请人类型」列，值「法人」：不是可用的类别，应为：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他",
        "requests.csv 第4行「申请编号」列，值「A1」：编号重复（与第2行相同），每条记录的编号应唯一",
    ]


def test_missing_required_column(tmp_path):
    with pytest.raises(LedgerError) as e:
        read(tmp_path, "penalties.csv", "编号,案由\n1,x\n")
    assert (e.value.row, e.value.column) == (1, "决定日期")
    assert "缺少必填列「决定日期」" in str(e.value)


def test_bad_number(tmp_path):
    with pytest.raises(LedgerError) as e:
        read(tmp_path, "outreach.csv", "日期,活动类型,场次\n2021-01-01,a,两场\n")
    assert (e.value.row, e.value.column, e.value.value) == (2, "场次", "两场")
    assert str(e.value).endswith("应为整数")


def test_xlsx_with_title_row_merged_cells_and_excel_dates(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某局依申请公开台账"])
    ws.merge_cells("A1:E1")
    ws.append(["申请编号", "收到日期", "申请人类型", "办理结果", "办结日期"])
    ws.append(["A1", dt.datetime(2021, 2, 1), "自然人", "予以公开", dt.datetime(2021, 2, 10)])
    ws.append(["A2", dt.datetime(2021, 2, 3), "法人", None, None])
    ws.append([None, None, None, None, None])  # trailing empty row
    path = tmp_path / "requests.xlsx"
    wb.save(path)
    with pytest.raises(LedgerError) as e:
        read_ledger(path, SCHEMAS["requests"])
    # Title row 1, header row 2, so the second data row is Excel row 4.
    assert (e.value.file, e.value.row, e.value.column) == ("requests.xlsx", 4, "申请人类型")


def test_absent_ledgers_are_empty_and_noted(tmp_path):
    (tmp_path / "licensing.csv").write_text("编号,决定日期\n1,2021-01-01\n", encoding="utf-8")
    ledgers = load_ledgers(tmp_path)
    assert len(ledgers["licensing"]) == 1
    assert len(ledgers["requests"]) == 0
    assert "未找到依申请公开台账（requests.csv 或 requests.xlsx），按本年无此类记录处理" in [
        n.text for n in ledgers.notes
    ]
