"""The sample ledgers in data/ match their designed aggregates.

Reads the files with plain pandas/openpyxl (not with reportkit) and counts by the contract's
ledger rules. Expected numbers are hand-written literals: the daye ones are the published 2021
report's (and the designed 2020 ones), the demo ones come from tests/demo_expected.py.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import ROOT

DATA = ROOT / "data"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


expected = _load("demo_expected", Path(__file__).with_name("demo_expected.py"))

# contract section 2, in order (requests also carries the extra column 地址)
HEADERS = {
    "requests": [
        "申请编号",
        "收到日期",
        "申请人类型",
        "办理结果",
        "办结日期",
        "申请人姓名",
        "证件号码",
        "联系电话",
        "申请内容",
        "收费金额（元）",
        "地址",
    ],
    "appeals": ["案件编号", "类别", "收到日期", "结果", "审结日期"],
    "documents": ["文号", "标题", "类型", "印发日期", "废止日期"],
    "licensing": ["编号", "决定日期", "事项名称"],
    "penalties": ["编号", "决定日期", "案由"],
    "enforcement": ["编号", "决定日期", "措施"],
    "fees": ["日期", "项目", "金额（元）"],
    "procurement": ["日期", "项目", "金额（万元）"],
    "outreach": [
        "日期",
        "活动类型",
        "活动名称",
        "地点",
        "场次",
        "参与人次",
        "展板（块）",
        "横幅（条）",
        "资料（份）",
    ],
    "media": ["日期", "媒体", "标题", "媒体级别"],
    "proposals": ["编号", "类别", "办理方式", "收到日期", "办理结果"],
}
DATE_COLUMNS = {
    "requests": ["收到日期", "办结日期"],
    "appeals": ["收到日期", "审结日期"],
    "documents": ["印发日期", "废止日期"],
    "licensing": ["决定日期"],
    "penalties": ["决定日期"],
    "enforcement": ["决定日期"],
    "fees": ["日期"],
    "procurement": ["日期"],
    "outreach": ["日期"],
    "media": ["日期"],
    "proposals": ["收到日期"],
}
ID_COLUMNS = {
    "requests": "申请编号",
    "appeals": "案件编号",
    "documents": "文号",
    "licensing": "编号",
    "penalties": "编号",
    "enforcement": "编号",
    "proposals": "编号",
}
XLSX = {("daye", "outreach"), ("demo", "requests")}
FOLDERS = ["daye", "demo"]

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
COLUMNS = APPLICANTS + ["总计"]
ROWS = expected.SECTION3_ROWS
NEW, CARRIED, TOTAL, CARRY_OUT = ROWS[0], ROWS[1], ROWS[-2], ROWS[-1]
LEAF_ROWS = ROWS[2:-2]  # the 21 outcome leaves
# a leaf written alone → its row; 其他 only exists as 其他处理/其他
LEAF_ALONE = {r.split("/", 1)[1]: r for r in LEAF_ROWS if "/" in r and r != "其他处理/其他"}
APPEAL_KINDS = ["行政复议", "未经复议直接起诉", "复议后起诉"]
APPEAL_RESULTS = ["结果维持", "结果纠正", "其他结果"]
WUJIN, ZIXUN = "安全宣传“五进”活动", "安全咨询日宣传咨询活动"
OUTREACH_NUMS = ["场次", "参与人次", "展板（块）", "横幅（条）", "资料（份）"]


# ---------------------------------------------------------------------------------------------
# reading and counting helpers
# ---------------------------------------------------------------------------------------------


def parse_date(v) -> dt.date | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date()
    if isinstance(v, dt.date):
        return v
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(str(v).strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(f"not a date: {v!r}")


def ledger_path(folder: str, stem: str) -> Path:
    found = [p for p in (DATA / folder).iterdir() if p.stem == stem]
    assert len(found) == 1, found
    return found[0]


def read(folder: str, stem: str) -> pd.DataFrame:
    path = ledger_path(folder, stem)
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    raw = pd.read_excel(path, sheet_name=0, header=None, dtype=object)
    head = next(i for i in range(len(raw)) if raw.iat[i, 0] == HEADERS[stem][0])
    df = raw.iloc[head + 1 :].reset_index(drop=True)
    df.columns = list(raw.iloc[head])
    return df.astype(object).where(df.notna(), "")


def dates(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].map(parse_date)


def in_year(df: pd.DataFrame, col: str, year: int) -> pd.Series:
    return dates(df, col).map(lambda d: d is not None and d.year == year)


def num(v, default: int) -> int:
    if isinstance(v, str):
        return int(v) if v.strip() else default
    return int(v)


def money(v) -> Decimal:
    return Decimal(str(v).strip())


def wan_yuan(yuan: Decimal) -> Decimal:
    return (yuan / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def result_row(label: str) -> str:
    if label in ("予以公开", "部分公开") or label in LEAF_ROWS:
        return label
    return LEAF_ALONE[label]


def section3(df: pd.DataFrame, year: int) -> dict:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    table = {row: dict.fromkeys(COLUMNS, 0) for row in ROWS}
    for received, done, kind, label in zip(
        dates(df, "收到日期"), dates(df, "办结日期"), df["申请人类型"], df["办理结果"]
    ):
        rows = []
        if start <= received <= end:
            rows.append(NEW)
        if received < start and (done is None or done >= start):
            rows.append(CARRIED)
        if done is not None and start <= done <= end:
            rows += [result_row(label), TOTAL]
        if received <= end and (done is None or done > end):
            rows.append(CARRY_OUT)
        for row in rows:
            table[row][kind] += 1
            table[row]["总计"] += 1
    return table


def section4(df: pd.DataFrame, year: int) -> dict:
    table = {k: dict.fromkeys(APPEAL_RESULTS + ["尚未审结", "总计"], 0) for k in APPEAL_KINDS}
    for kind, received, result, done in zip(
        df["类别"], dates(df, "收到日期"), df["结果"], dates(df, "审结日期")
    ):
        if received.year != year:
            continue
        col = result if done is not None and done.year <= year else "尚未审结"
        table[kind][col] += 1
        table[kind]["总计"] += 1
    return table


def documents(df: pd.DataFrame, year: int, kind: str) -> dict:
    end = dt.date(year, 12, 31)
    sub = df[df["类型"] == kind]
    issued, gone = dates(sub, "印发日期"), dates(sub, "废止日期")
    return {
        "本年制发件数": sum(d.year == year for d in issued),
        "本年废止件数": sum(g is not None and g.year == year for g in gone),
        "现行有效件数": sum(i <= end and (g is None or g > end) for i, g in zip(issued, gone)),
    }


def rows_in_year(folder: str, stem: str, year: int) -> int:
    df = read(folder, stem)
    return int(in_year(df, DATE_COLUMNS[stem][0], year).sum())


def outreach_by_type(folder: str, year: int) -> dict:
    df = read(folder, "outreach")
    df = df[in_year(df, "日期", year)]
    out = {}
    for kind, group in df.groupby("活动类型", sort=False):
        out[kind] = tuple(
            sum(num(v, 1 if col == "场次" else 0) for v in group[col]) for col in OUTREACH_NUMS
        )
    return out


def proposals(folder: str, year: int) -> dict:
    df = read(folder, "proposals")
    df = df[in_year(df, "收到日期", year)]
    return {
        (k, how): int(((df["类别"] == k) & (df["办理方式"] == how)).sum())
        for k in ("人大代表建议", "政协提案")
        for how in ("主办", "会办")
    }


# ---------------------------------------------------------------------------------------------
# file format
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", FOLDERS)
def test_one_file_per_stem_in_the_designed_format(folder):
    files = sorted(p.name for p in (DATA / folder).iterdir())
    wanted = sorted(f"{stem}.{'xlsx' if (folder, stem) in XLSX else 'csv'}" for stem in HEADERS)
    assert files == wanted


@pytest.mark.parametrize("folder", FOLDERS)
@pytest.mark.parametrize("stem", list(HEADERS))
def test_headers_ids_and_dates(folder, stem):
    df = read(folder, stem)
    assert list(df.columns) == HEADERS[stem]
    if stem in ID_COLUMNS:
        ids = df[ID_COLUMNS[stem]]
        assert ids.map(lambda v: bool(str(v).strip())).all()
        assert ids.is_unique
    for col in DATE_COLUMNS[stem]:
        dates(df, col)  # every cell parses (or is blank)


@pytest.mark.parametrize("folder", FOLDERS)
def test_csv_is_utf8_without_bom_and_some_dates_use_slashes(folder):
    slashed = 0
    for path in (DATA / folder).glob("*.csv"):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path
        text = raw.decode("utf-8")
        slashed += len(re.findall(r"(?<![\d/])20\d\d/\d{1,2}/\d{1,2}(?![\d/])", text))
        assert "\r" not in text
    assert slashed >= 5


def test_xlsx_layouts_and_real_date_cells():
    ws = openpyxl.load_workbook(DATA / "daye" / "outreach.xlsx").worksheets[0]
    assert [c.value for c in ws[1]] == HEADERS["outreach"]
    assert all(ws.cell(r, 1).is_date for r in range(2, ws.max_row + 1))

    ws = openpyxl.load_workbook(DATA / "demo" / "requests.xlsx").worksheets[0]
    assert ws["A1"].value == "示例县应急管理局依申请公开台账（示例数据）"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:K1"]
    assert [c.value for c in ws[2]] == HEADERS["requests"]
    assert all(ws.cell(r, 2).is_date for r in range(3, ws.max_row + 1))
    assert any(ws.cell(r, 5).is_date for r in range(3, ws.max_row + 1))


def test_the_generator_is_deterministic(tmp_path):
    gen = _load("make_sample_data", ROOT / "tools" / "make_sample_data.py")
    gen.main(["--out", str(tmp_path)])
    for folder in FOLDERS:
        made = sorted(p.name for p in (tmp_path / folder).iterdir())
        assert made == sorted(p.name for p in (DATA / folder).iterdir())
        for name in made:
            made_bytes = (tmp_path / folder / name).read_bytes()
            assert made_bytes == (DATA / folder / name).read_bytes(), name


@pytest.mark.parametrize("folder", FOLDERS)
def test_request_personal_columns_look_real_but_are_fake(folder):
    df = read(folder, "requests")
    assert df["申请人姓名"].map(lambda v: "某" in v).all()
    assert df["证件号码"].map(lambda v: len(v) == 18 and v.startswith("000000")).all()
    assert df["联系电话"].map(lambda v: re.fullmatch(r"1380000\d{4}", v) is not None).all()
    assert df["地址"].map(lambda v: "某某" in v).all()
    assert df["申请内容"].map(bool).all()


@pytest.mark.parametrize("folder", FOLDERS)
def test_categories_and_clean_ledgers(folder):
    req = read(folder, "requests")
    assert set(req["申请人类型"]) <= set(APPLICANTS)
    for label, received, done in zip(
        req["办理结果"], dates(req, "收到日期"), dates(req, "办结日期")
    ):
        assert (label == "") == (done is None)
        if label:
            result_row(label)  # a known leaf
            assert done >= received
    app = read(folder, "appeals")
    assert set(app["类别"]) <= set(APPEAL_KINDS)
    assert set(app["结果"]) <= set(APPEAL_RESULTS) | {""}
    for result, received, done in zip(app["结果"], dates(app, "收到日期"), dates(app, "审结日期")):
        assert (result == "") == (done is None)
        assert done is None or done >= received
    assert set(read(folder, "documents")["类型"]) <= {"规章", "行政规范性文件"}
    prop = read(folder, "proposals")
    assert set(prop["类别"]) <= {"人大代表建议", "政协提案"}
    assert set(prop["办理方式"]) <= {"主办", "会办"}
    assert set(read(folder, "media")["媒体级别"]) <= {"中央", "省级", "市级", "县级"}


@pytest.mark.parametrize("folder", FOLDERS)
def test_outreach_has_blank_cells(folder):
    df = read(folder, "outreach")
    assert (df["场次"] == "").sum() >= 3
    assert sum((df[col] == "").sum() for col in OUTREACH_NUMS[1:]) >= 3


# ---------------------------------------------------------------------------------------------
# daye: the published 2021 report (and a designed 2020)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "year", "count"),
    [
        ("licensing", 2020, 121),
        ("licensing", 2021, 105),
        ("penalties", 2020, 59),
        ("penalties", 2021, 57),
        ("enforcement", 2020, 6),
        ("enforcement", 2021, 4),
    ],
)
def test_daye_decisions(stem, year, count):
    assert rows_in_year("daye", stem, year) == count


def test_daye_decisions_span_the_year():
    for stem in ("licensing", "penalties"):
        df = read("daye", stem)
        months = {d.month for d in dates(df, "决定日期") if d.year == 2021}
        assert len(months) >= 10


def test_daye_documents():
    df = read("daye", "documents")
    assert documents(df, 2021, "规章") == {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 1}
    assert documents(df, 2021, "行政规范性文件") == {
        "本年制发件数": 3,
        "本年废止件数": 0,
        "现行有效件数": 3,
    }
    assert documents(df, 2020, "规章") == {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0}
    assert documents(df, 2020, "行政规范性文件") == {
        "本年制发件数": 0,
        "本年废止件数": 1,
        "现行有效件数": 0,
    }


def test_daye_fees_ledger_is_header_only():
    df = read("daye", "fees")
    assert len(df) == 0
    assert (DATA / "daye" / "fees.csv").read_text(encoding="utf-8") == "日期,项目,金额（元）\n"


def test_daye_procurement():
    df = read("daye", "procurement")
    for year, count, total in [(2021, 5, "329.76"), (2020, 4, "284.27")]:
        sub = df[in_year(df, "日期", year)]
        assert len(sub) == count
        assert sum(money(v) for v in sub["金额（万元）"]) == Decimal(total)
        assert sub["金额（万元）"].map(lambda v: re.fullmatch(r"\d+\.\d\d", v) is not None).all()


DAYE_OUTREACH = {  # 场次, 参与人次, 展板, 横幅, 资料 — blank 场次 counted as 1
    2021: {
        WUJIN: (923, 8420, 150, 126, 18600),
        ZIXUN: (46, 15230, 603, 405, 131000),
        "安全培训": (24, 1860, 0, 12, 2400),
        "防灾减灾宣传": (15, 3200, 48, 30, 9000),
        "应急演练": (9, 1450, 0, 7, 0),
        "消防安全宣传": (11, 2100, 20, 16, 5200),
    },
    2020: {
        WUJIN: (850, 7900, 130, 110, 16500),
        ZIXUN: (40, 12000, 500, 380, 110000),
        "安全培训": (20, 1500, 0, 10, 2000),
        "防灾减灾宣传": (12, 2600, 40, 25, 7000),
        "应急演练": (6, 980, 0, 5, 0),
        "消防安全宣传": (8, 1600, 16, 12, 4000),
    },
}


@pytest.mark.parametrize("year", [2020, 2021])
def test_daye_outreach_by_type(year):
    assert outreach_by_type("daye", year) == DAYE_OUTREACH[year]


def test_daye_outreach_totals_2021():
    df = read("daye", "outreach")
    df = df[in_year(df, "日期", 2021)]
    assert sum(num(v, 1) for v in df["场次"]) == 1028
    assert sum(num(v, 0) for v in df["参与人次"]) == 32260


@pytest.mark.parametrize("year", [2020, 2021])
def test_daye_outreach_dates(year):
    df = read("daye", "outreach")
    df = df.assign(d=dates(df, "日期"))
    df = df[df["d"].map(lambda d: d.year == year)]
    june16 = dt.date(year, 6, 16)
    wujin = df[df["活动类型"] == WUJIN]["d"]
    assert wujin.map(lambda d: d.month == 6 and d != june16).all()
    assert (wujin == june16).sum() == 0
    assert (df[df["活动类型"] == ZIXUN]["d"] == june16).all()
    assert set(df[df["d"] == june16]["活动类型"]) == {ZIXUN}
    others = df[~df["活动类型"].isin([WUJIN, ZIXUN])]["d"]
    assert others.map(lambda d: d.month != 6).all()
    assert len({d.month for d in others}) >= 6
    # the June campaign contains blank 场次 rows, which count as 1
    assert (df[df["活动类型"] == WUJIN]["场次"] == "").sum() >= 2


def test_daye_media():
    df = read("daye", "media")
    assert rows_in_year("daye", "media", 2021) == 113
    assert rows_in_year("daye", "media", 2020) == 98
    sub = df[in_year(df, "日期", 2021)]
    assert sub["媒体级别"].value_counts().to_dict() == {
        "县级": 58,
        "市级": 35,
        "省级": 18,
        "中央": 2,
    }
    assert {"荆楚网", "东楚网", "大冶市融媒体中心", "湖北日报", "黄石日报"} <= set(sub["媒体"])


def test_daye_proposals():
    assert proposals("daye", 2021) == {
        ("人大代表建议", "主办"): 0,
        ("人大代表建议", "会办"): 0,
        ("政协提案", "主办"): 0,
        ("政协提案", "会办"): 1,
    }
    assert proposals("daye", 2020) == {
        ("人大代表建议", "主办"): 2,
        ("人大代表建议", "会办"): 0,
        ("政协提案", "主办"): 0,
        ("政协提案", "会办"): 0,
    }


def test_daye_requests():
    df = read("daye", "requests")
    t2021 = section3(df, 2021)
    assert all(v == 0 for row in t2021.values() for v in row.values())
    t2020 = section3(df, 2020)
    assert t2020[NEW] == {
        "自然人": 1,
        "商业企业": 1,
        "科研机构": 0,
        "社会公益组织": 0,
        "法律服务机构": 0,
        "其他": 0,
        "总计": 2,
    }
    assert t2020["予以公开"]["自然人"] == 1
    assert t2020["无法提供/本机关不掌握相关政府信息"]["商业企业"] == 1
    assert t2020[TOTAL]["总计"] == 2
    assert t2020[CARRIED]["总计"] == 0 and t2020[CARRY_OUT]["总计"] == 0


def test_daye_appeals():
    df = read("daye", "appeals")
    zero = {"结果维持": 0, "结果纠正": 0, "其他结果": 0, "尚未审结": 0, "总计": 0}
    assert section4(df, 2021) == {k: zero for k in APPEAL_KINDS}
    t2020 = section4(df, 2020)
    assert t2020["行政复议"] == {
        "结果维持": 1,
        "结果纠正": 0,
        "其他结果": 0,
        "尚未审结": 0,
        "总计": 1,
    }
    assert t2020["未经复议直接起诉"] == zero and t2020["复议后起诉"] == zero


# ---------------------------------------------------------------------------------------------
# demo: the designed tables (tests/demo_expected.py)
# ---------------------------------------------------------------------------------------------


def test_expected_module_is_self_consistent():
    t = expected.TABLES_2022
    assert set(t) == {"agency", "year", "section2", "section3", "section4"}
    assert t["agency"] == "示例县应急管理局" and t["year"] == 2022
    assert list(t["section3"]) == ROWS and len(ROWS) == 25
    s3 = t["section3"]
    for row in ROWS:
        assert list(s3[row]) == COLUMNS
        assert sum(s3[row][c] for c in APPLICANTS) == s3[row]["总计"], row
    for c in COLUMNS:
        assert sum(s3[row][c] for row in LEAF_ROWS) == s3[TOTAL][c], c
        assert s3[NEW][c] + s3[CARRIED][c] == s3[TOTAL][c] + s3[CARRY_OUT][c], c
    for _year, s4 in expected.SECTION4.items():
        for kind in APPEAL_KINDS:
            row = s4[kind]
            assert (
                row["结果维持"] + row["结果纠正"] + row["其他结果"] + row["尚未审结"] == row["总计"]
            )
    totals = expected.SECTION3_TOTALS
    for year in (2021, 2022, 2023):
        r = totals[year]
        assert r[NEW] + r[CARRIED] == r[TOTAL] + r[CARRY_OUT]
    assert totals[2022][CARRIED] == totals[2021][CARRY_OUT]
    assert totals[2023][CARRIED] == totals[2022][CARRY_OUT]
    assert {row: s3[row]["总计"] for row in (NEW, CARRIED, TOTAL, CARRY_OUT)} == totals[2022]


def test_demo_section3_2022():
    assert section3(read("demo", "requests"), 2022) == expected.TABLES_2022["section3"]


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_demo_section3_totals(year):
    table = section3(read("demo", "requests"), year)
    assert {
        row: table[row]["总计"] for row in (NEW, CARRIED, TOTAL, CARRY_OUT)
    } == expected.SECTION3_TOTALS[year]


def test_demo_requests_exercise_everything():
    df = read("demo", "requests")
    t2021, t2022, t2023 = (section3(df, y) for y in (2021, 2022, 2023))
    for leaf in LEAF_ROWS:  # every leaf concluded in 2022
        assert t2022[leaf]["总计"] >= 1, leaf
    for kind in APPLICANTS:  # every applicant type in 2022
        assert t2022[NEW][kind] >= 1, kind
    assert sum(t2022[CARRIED][k] > 0 for k in APPLICANTS) >= 3
    assert t2022[CARRY_OUT]["总计"] > 0
    assert t2021[CARRIED]["总计"] > 0  # received in late 2020
    # unfinished rows at the end of 2022 are concluded in 2023; some rows are blank (still open)
    recv, done = dates(df, "收到日期"), dates(df, "办结日期")
    assert any(r.year == 2022 and d is not None and d.year == 2023 for r, d in zip(recv, done))
    assert any(d is None for d in done)
    # the carried columns agree across years
    assert t2022[CARRIED] == t2021[CARRY_OUT] and t2023[CARRIED] == t2022[CARRY_OUT]


def test_demo_request_results_are_written_in_mixed_forms():
    labels = [v for v in read("demo", "requests")["办理结果"] if v]
    assert "予以公开" in labels and "部分公开" in labels
    assert "其他处理/其他" in labels and "其他" not in labels
    grouped = [v for v in labels if "/" in v and v != "其他处理/其他"]
    alone = [v for v in labels if v in LEAF_ALONE]
    assert len(grouped) >= 5 and len(alone) >= 5
    assert "危及“三安全一稳定”" in labels or "不予公开/危及“三安全一稳定”" in labels


def test_demo_request_fees():
    df = read("demo", "requests")
    fees = [
        (parse_date(r).year, money(v))
        for r, v in zip(df["收到日期"], df["收费金额（元）"])
        if str(v).strip()
    ]
    assert 3 <= len(fees) <= 6 < len(df) // 5
    for year, total in expected.REQUEST_FEES_YUAN.items():
        assert sum((f for y, f in fees if y == year), Decimal(0)) == Decimal(total)


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_demo_section4(year):
    assert section4(read("demo", "appeals"), year) == expected.SECTION4[year]


def test_demo_appeals_cover_every_kind_and_result():
    df = read("demo", "appeals")
    seen = set(zip(df["类别"], df["结果"]))
    assert {(k, r) for k in APPEAL_KINDS for r in APPEAL_RESULTS} <= seen
    assert (df["结果"] == "").sum() >= 2


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_demo_section2(year):
    s2 = expected.SECTION2[year]
    docs = read("demo", "documents")
    assert documents(docs, year, "规章") == s2["规章"]
    assert documents(docs, year, "行政规范性文件") == s2["行政规范性文件"]
    for stem, key in (
        ("licensing", "行政许可"),
        ("penalties", "行政处罚"),
        ("enforcement", "行政强制"),
    ):
        assert rows_in_year("demo", stem, year) == s2[key]["本年处理决定数量"]
    fees = read("demo", "fees")
    yuan = sum((money(v) for v in fees[in_year(fees, "日期", year)]["金额（元）"]), Decimal(0))
    assert yuan == Decimal(expected.FEES_YUAN[year])
    assert wan_yuan(yuan) == Decimal(str(s2["行政事业性收费"]["本年收费金额（单位：万元）"]))


def test_demo_documents_history():
    docs = read("demo", "documents")
    assert (
        documents(docs, 2020, "行政规范性文件")["现行有效件数"]
        == expected.DOCUMENTS_IN_FORCE_END_2020
    )
    assert (docs["类型"] == "规章").sum() == 0
    prev = expected.DOCUMENTS_IN_FORCE_END_2020
    for year in (2021, 2022, 2023):
        row = expected.SECTION2[year]["行政规范性文件"]
        assert prev + row["本年制发件数"] - row["本年废止件数"] == row["现行有效件数"]
        prev = row["现行有效件数"]


def test_demo_fee_rounding_is_half_up():
    # 12650.00 元 = 1.265 万元: half-up gives 1.27, while half-even and binary floats give 1.26
    assert wan_yuan(Decimal("12650.00")) == Decimal("1.27")
    assert Decimal("1.265").quantize(Decimal("0.01")) == Decimal("1.26")
    assert round(12650.00 / 10000, 2) == 1.26
    assert expected.TABLES_2022["section2"]["行政事业性收费"]["本年收费金额（单位：万元）"] == 1.27


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_demo_procurement(year):
    df = read("demo", "procurement")
    sub = df[in_year(df, "日期", year)]
    count, total = expected.PROCUREMENT[year]
    assert len(sub) == count
    assert sum(money(v) for v in sub["金额（万元）"]) == Decimal(total)


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_demo_outreach(year):
    by_type = outreach_by_type("demo", year)
    assert by_type == expected.OUTREACH[year]
    totals = tuple(sum(v[i] for v in by_type.values()) for i in range(5))
    assert totals == expected.OUTREACH_TOTALS[year]


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_demo_media_and_proposals(year):
    df = read("demo", "media")
    sub = df[in_year(df, "日期", year)]
    assert len(sub) == expected.MEDIA_TOTALS[year]
    counts = sub["媒体级别"].value_counts().to_dict()
    assert {k: counts.get(k, 0) for k in expected.MEDIA[year]} == expected.MEDIA[year]
    assert proposals("demo", year) == expected.PROPOSALS[year]
