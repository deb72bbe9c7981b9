"""Hostile input files (issue #11, part D): each attack gives a plain Chinese message naming the
file, or is read safely, quickly and without a traceback; never a silent zero or blank."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from test_checks import clean_tables  # a consistent tables.json, written by hand

import reportkit
from reportkit.checks import run as checks
from reportkit.cli import main
from reportkit.contract.errors import LedgerError, ParamsError
from reportkit.ingest.ledgers import load_ledgers
from reportkit.ingest.params import load_params
from reportkit.pipeline import cache, previous

ROOT = Path(__file__).resolve().parent.parent
OUTREACH = "日期,活动类型,场次,参与人次\n2021-06-16,安全宣传,1,30\n"


def data_folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    return data


def ledger_error(data: Path) -> str:
    with pytest.raises(LedgerError) as e:
        load_ledgers(data)
    return str(e.value)


# ------------------------------------------------------------------------------------------------
# 1. A ledger that exists but cannot be read: an error naming it and why, never 未找到
# ------------------------------------------------------------------------------------------------
def test_ledger_that_is_a_folder(tmp_path):
    data = data_folder(tmp_path)
    (data / "requests.csv").mkdir()
    assert ledger_error(data) == (
        "requests.csv：是文件夹而不是文件：台账应为 .csv 或 .xlsx 文件，请把文件夹改名或移走"
    )


def test_ledger_that_is_a_dangling_link_to_a_network_share(tmp_path):
    data = data_folder(tmp_path)
    (data / "requests.csv").symlink_to("/mnt/网络盘/台账/requests.csv")
    assert ledger_error(data) == (
        "requests.csv：是一个链接，但链接指向的文件不存在（/mnt/网络盘/台账/requests.csv）："
        "请确认网络盘或移动盘已连接，或把台账文件复制到此处"
    )


def test_ledger_that_is_a_link_loop(tmp_path):
    data = data_folder(tmp_path)
    (data / "requests.csv").symlink_to("requests.xlsx.bak")
    (data / "requests.xlsx.bak").symlink_to("requests.csv")
    assert ledger_error(data) == (
        "requests.csv：是一个链接，但链接循环（链接最终又指回自己），打不开：请删除该链接，把台账文件复制到此处"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_ledger_that_is_a_fifo_neither_blocks_nor_counts_as_zero(tmp_path):
    data = data_folder(tmp_path)
    os.mkfifo(data / "outreach.csv")
    outcome: dict[str, str] = {}

    def read() -> None:
        try:
            load_ledgers(data)
            outcome["read"] = "no error"
        except LedgerError as e:
            outcome["read"] = str(e)

    # Opening a FIFO waits for a writer: a reader that opens it never returns.
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert outcome.get("read") == (
        "outreach.csv：不是普通文件（是管道、设备或套接字），无法作为台账读取：请换成 .csv 或 .xlsx 文件"
    )
    # The build's cache looks at the same names: it must not open the pipe either, and must tell
    # it from an absent ledger (else an unchanged rebuild would skip reading, and the error).
    assert cache.ledger_digest(data, "outreach") != cache.ledger_digest(data, "media") == "absent"


def test_cache_tells_an_unreadable_ledger_from_an_absent_one(tmp_path):
    data = data_folder(tmp_path)
    absent = cache.ledger_digest(data, "requests")
    (data / "requests.csv").symlink_to("/mnt/网络盘/台账/requests.csv")
    dangling = cache.ledger_digest(data, "requests")
    (data / "requests.csv").unlink()
    (data / "requests.csv").mkdir()
    folder = cache.ledger_digest(data, "requests")
    assert absent == "absent"
    assert dangling != absent and folder != absent


# ------------------------------------------------------------------------------------------------
# 2. XLSX formulas saved without their result
# ------------------------------------------------------------------------------------------------
def outreach_workbook(*rows: list[object]) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.active.append(["日期", "活动类型", "场次", "参与人次"])
    for row in rows:
        wb.active.append(row)
    return wb


def test_xlsx_formula_without_result_in_a_count_is_an_error_not_zero(tmp_path):
    data = data_folder(tmp_path)
    # openpyxl, like any program, writes the formula but no result: =1+1 read as blank gave 0.
    outreach_workbook(["2021-06-16", "安全宣传", 1, "=1+1"]).save(data / "outreach.xlsx")
    assert ledger_error(data) == (
        "outreach.xlsx 第2行「参与人次」列，值「=1+1」：是公式，但文件中没有保存它的计算结果（单元格 D2），"
        "读作空白会算错：请在 Excel 或 WPS 中打开此文件并保存（公式即被计算），或直接填写数值"
    )


def test_xlsx_formula_without_result_in_a_required_column_is_not_called_blank(tmp_path):
    data = data_folder(tmp_path)
    outreach_workbook(["2021-06-16", '="安全"&"宣传"', 1, 30]).save(data / "outreach.xlsx")
    message = ledger_error(data)
    assert message == (
        'outreach.xlsx 第2行「活动类型」列，值「="安全"&"宣传"」：是公式，但文件中没有保存它的计算结果'
        "（单元格 B2），读作空白会算错：请在 Excel 或 WPS 中打开此文件并保存（公式即被计算），或直接填写数值"
    )
    assert "必填项为空" not in message


def _with_results(path: Path, results: dict[str, str]) -> None:
    """Rewrite a workbook as Excel saves one: each formula followed by its result."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for formula, xml in results.items():
        assert formula in sheet
        sheet = sheet.replace(formula, xml)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)


def test_xlsx_formulas_with_saved_results_read_as_their_values(tmp_path):
    data = data_folder(tmp_path)
    outreach_workbook(
        ["2021-06-16", "安全宣传", 1, "=1+1"],
        ["2021-06-17", "安全宣传", '=IF(1=1,"",1)', 30],
    ).save(data / "outreach.xlsx")
    _with_results(
        data / "outreach.xlsx",
        {
            '<c r="D2"><f>1+1</f><v></v></c>': '<c r="D2"><f>1+1</f><v>2</v></c>',
            # a formula whose result is the empty text: a true blank, 场次 defaults to 1
            '<c r="C3"><f>IF(1=1,"",1)</f><v></v></c>': '<c r="C3" t="str"><f>IF(1=1,"",1)</f><v></v></c>',
        },
    )
    frame = load_ledgers(data)["outreach"]
    assert frame["参与人次"].tolist() == [2, 30]
    assert frame["场次"].tolist() == [1, 1]


def test_xlsx_formulas_saved_by_libreoffice_read_as_their_values(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "program" / "outreach.xlsx"
    source.parent.mkdir()
    outreach_workbook(["2021-06-16", "安全宣传", 1, "=1+1"]).save(source)
    data = data_folder(tmp_path)
    run = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(data),
            str(source),
        ],
        check=False,
        capture_output=True,
        timeout=120,
    )
    if not (data / "outreach.xlsx").is_file():
        pytest.skip(
            f"LibreOffice could not convert here: {run.stderr.decode(errors='replace')[-200:]}"
        )
    assert load_ledgers(data)["outreach"]["参与人次"].tolist() == [2]


# ------------------------------------------------------------------------------------------------
# 3. A hidden first sheet
# ------------------------------------------------------------------------------------------------
def test_hidden_first_sheet_is_not_read_instead_of_the_visible_ledger(tmp_path):
    data = data_folder(tmp_path)
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "去年"
    old.append(["日期", "活动类型", "场次"])
    old.append(["2021-01-05", "安全宣传", 1])
    old.sheet_state = "hidden"
    ledger = wb.create_sheet("台账")
    ledger.append(["日期", "活动类型", "场次"])
    for day in range(1, 47):
        ledger.append([f"2021-06-{day % 30 + 1:02d}", "安全宣传", 1])
    wb.create_sheet("说明")
    wb.save(data / "outreach.xlsx")
    ledgers = load_ledgers(data)
    assert int(ledgers["outreach"]["场次"].sum()) == 46
    assert (
        "outreach.xlsx 有多个工作表：读取的是工作表「台账」，未读取「去年」（隐藏）、「说明」"
        in [n.text for n in ledgers.notes]
    )


# ------------------------------------------------------------------------------------------------
# 4. The params file: alias bombs, deep nesting, huge files, long values
# ------------------------------------------------------------------------------------------------
BOMB = """\
agency: 测试局
year: 2021
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
data_dir: *h
"""
REFUSED = "参数文件中不能使用锚点、别名或多层嵌套，请直接写出内容"


def params_message(path: Path) -> str:
    with pytest.raises(ParamsError) as e:
        load_params(path)
    return str(e.value)


def test_params_yaml_alias_bomb_is_refused_at_once(tmp_path):
    path = tmp_path / "2021.yaml"
    path.write_text(BOMB, encoding="utf-8")
    started = time.monotonic()
    message = params_message(path)
    assert time.monotonic() - started < 5
    assert message == f"参数文件 {path.resolve()}：第3行定义了 YAML 锚点（&a）：{REFUSED}"


def test_params_yaml_alias_alone_is_refused_with_its_line(tmp_path):
    # An anchor defined by another document cannot be used; an alias alone still names its line.
    path = tmp_path / "2021.yaml"
    path.write_text("agency: 测试局\nyear: 2021\ndata_dir: *dir\n", encoding="utf-8")
    assert (
        params_message(path)
        == f"参数文件 {path.resolve()}：第3行使用了 YAML 别名（*dir）：{REFUSED}"
    )


def test_params_deeply_nested_yaml(tmp_path):
    path = tmp_path / "2021.yaml"
    path.write_text("agency: 测试局\nyear: 2021\ndata_dir: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert params_message(path) == f"参数文件 {path.resolve()}：第3行嵌套超过20层：{REFUSED}"


def test_params_huge_file(tmp_path):
    path = tmp_path / "2021.yaml"
    path.write_text("agency: 测试局\nyear: 2021\ndata_dir: data\n# " + "x" * (2 << 20) + "\n")
    assert (
        params_message(path)
        == f"参数文件 {path.resolve()}：文件过大（2048 KB），参数文件应小于 1024 KB"
    )


def test_params_long_value_is_shortened_in_the_message(tmp_path):
    path = tmp_path / "2021.yaml"
    path.write_text(f"agency: [{'长' * 5000}]\nyear: 2021\ndata_dir: data\n", encoding="utf-8")
    shown = "['" + "长" * 98  # the list as pydantic received it, cut to 100 characters
    assert params_message(path) == (
        f"参数文件 {path.resolve()} 的「agency」：应为文本，实际为「{shown}…（共5004个字符）」"
    )


# ------------------------------------------------------------------------------------------------
# 5. tables.json: deeply nested, not an object, huge
# ------------------------------------------------------------------------------------------------
def check_tables_cli(capsys, *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().err.strip()


def clean_tables_file(tmp_path: Path) -> Path:
    path = tmp_path / "clean.json"
    path.write_text(json.dumps(clean_tables(), ensure_ascii=False), encoding="utf-8")
    return path


def test_tables_json_nested_100000_deep(tmp_path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert check_tables_cli(capsys, "--tables", str(deep)) == (
        2,
        f"错误：{deep} 的括号嵌套层数过多，不是 tables.json 的格式",
    )


def test_previous_tables_json_nested_deep_inside_an_object(tmp_path, capsys):
    deep = tmp_path / "last.json"
    deep.write_text('{"section3": ' + "[" * 900 + "]" * 900 + "}")  # below the parser's limit
    clean = clean_tables_file(tmp_path)
    assert check_tables_cli(capsys, "--tables", str(clean), "--previous", str(deep)) == (
        2,
        f"错误：{deep} 的括号嵌套层数过多，不是 tables.json 的格式",
    )


def test_last_years_default_tables_json_nested_deep_does_not_crash_the_year_check(tmp_path):
    # Found in last year's default output folder (not named by the user): unusable, so the
    # cross-year rules are not run, as for any tables.json that cannot be read.
    last = tmp_path / "outputs" / "2020" / "tables.json"
    last.parent.mkdir(parents=True)
    last.write_text("[" * 100_000 + "]" * 100_000)
    params = SimpleNamespace(year=2021, previous_path=None, source=None)
    report = SimpleNamespace(year=2021, agency="测试局", params=params)
    assert previous.previous_for(report, root=tmp_path) is None


def test_tables_json_not_an_object_huge_or_with_an_endless_integer(tmp_path, capsys):
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2, 3]")
    huge = tmp_path / "huge.json"
    huge.write_text('{"section2": {}, "pad": "' + "x" * (5 << 20) + '"}')
    digits = tmp_path / "digits.json"
    digits.write_text('{"year": ' + "9" * 5000 + "}")
    assert check_tables_cli(capsys, "--tables", str(listed)) == (
        2,
        f"错误：{listed} 的内容应为一个对象，含 section2、section3、section4",
    )
    assert check_tables_cli(capsys, "--tables", str(huge)) == (
        2,
        f"错误：{huge} 过大（5120 KB），不像 tables.json（通常只有几 KB）：请检查是否选错了文件",
    )
    assert check_tables_cli(capsys, "--tables", str(digits)) == (
        2,
        f"错误：{digits} 中有位数过多、无法读取的数字，不是 tables.json 的内容",
    )


# ------------------------------------------------------------------------------------------------
# 6. Counts and fees out of any sane range
# ------------------------------------------------------------------------------------------------
def r5(tables: dict) -> list[tuple[dict, object, str]]:
    return [(f.where, f.found, f.message) for f in checks.check_tables(tables) if f.rule == "R5"]


def test_count_of_10_to_the_400_is_refused(tmp_path, capsys):
    t = clean_tables()
    t["section3"]["部分公开"]["科研机构"] = 10**400
    shown = "1" + "0" * 99 + "…（共401个字符）"
    need = "不小于 0 的整数，没有的写 0"
    assert r5(t) == [
        (
            {"table": "表三", "row": "部分公开", "column": "科研机构"},
            shown,
            f"数值过大（{shown}），请核对，应为{need}",
        )
    ]
    # the same typed into a file, through the command, as JSON
    path = tmp_path / "t.json"
    path.write_text(json.dumps(t, ensure_ascii=False), encoding="utf-8")
    assert main(["check", "--tables", str(path), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [f["found"] for f in out["findings"] if f["rule"] == "R5"] == [shown]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("1e400", "数值过大（1e400），请核对"),
        (float("inf"), "「inf」不是有限的数字"),  # what json reads 1e400 and Infinity as
        (float("nan"), "「nan」不是有限的数字"),
        ("NaN", "「NaN」不是有限的数字"),
        ("Infinity", "「Infinity」不是有限的数字"),
        (-5, "为负数 -5"),
        (1.5, "1.5 不是整数"),
        (1_000_000_000, "数值过大（1000000000），请核对"),
    ],
)
def test_count_not_a_whole_number_in_range(typed, problem):
    t = clean_tables()
    t["section4"]["行政复议"]["结果纠正"] = typed
    where = {"table": "表四", "row": "行政复议", "column": "结果纠正"}
    assert [(f[0], f[2]) for f in r5(t)] == [(where, f"{problem}，应为不小于 0 的整数，没有的写 0")]


def test_fee_not_a_finite_amount_in_range():
    fee = {"table": "表二", "row": "行政事业性收费", "column": "本年收费金额（单位：万元）"}
    need = "不小于 0 的金额（万元）"
    found = []
    for typed in (float("inf"), "1e400", -0.5):
        t = clean_tables()
        t["section2"]["行政事业性收费"]["本年收费金额（单位：万元）"] = typed
        found += [(f[0], f[2]) for f in r5(t)]
    assert found == [
        (fee, f"「inf」不是有限的数字，应为{need}"),
        (fee, f"数值过大（1e400），请核对，应为{need}"),
        (fee, f"为负数 -0.5，应为{need}"),
    ]


def test_count_with_an_endless_exponent_does_not_hang(tmp_path):
    # int(Decimal("1e999999999")) would build a number of a billion digits: run it apart.
    code = (
        "from reportkit import checks\n"
        "from test_checks import clean_tables\n"
        "t = clean_tables()\n"
        "t['section3']['部分公开']['科研机构'] = '1e999999999'\n"
        "print([f.rule for f in checks.check_tables(t)])\n"
    )
    package_root = Path(reportkit.__file__).parent.parent  # the reportkit under test
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package_root), str(ROOT / "tests")])}
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        check=False,
        capture_output=True,
        timeout=60,
        text=True,
    )
    assert run.stdout.strip() == "['R5']", run.stderr[-500:]


# ------------------------------------------------------------------------------------------------
# 7. Control characters in ledger cells: removed, with a note
# ------------------------------------------------------------------------------------------------
def test_nul_and_control_characters_in_ledger_cells_are_removed_with_a_note(tmp_path):
    data = data_folder(tmp_path)
    (data / "requests.csv").write_bytes(
        "申请编号,收到日期,申请人类型,申请内容\n"
        "YSQ-1\x00,2021-01-05,自然人\x00,内容\x1b[31m见附件\n"
        'YSQ-2,2021-01-06,自然人,"两行\n\t内容"\n'.encode()
    )
    ledgers = load_ledgers(data)
    frame = ledgers["requests"]
    assert frame["申请编号"].tolist() == ["YSQ-1", "YSQ-2"]
    assert frame["申请人类型"].tolist() == ["自然人", "自然人"]
    assert frame["申请内容"].tolist() == [
        "内容[31m见附件",
        "两行\n\t内容",
    ]  # tab and line break kept
    notes = [n.text for n in ledgers.notes if n.kind == "control"]
    assert notes == [
        f"requests.csv 第2行「{column}」含不可见的控制字符（如 NUL），已删去；建议在台账中一并删去"
        for column in ("申请编号", "申请人类型", "申请内容")
    ]


def test_nul_cannot_hide_a_duplicate_id(tmp_path):
    data = data_folder(tmp_path)
    (data / "licensing.csv").write_bytes(
        "编号,决定日期\nXK-1\x00,2021-01-05\nXK-1,2021-02-05\n".encode()
    )
    assert ledger_error(data) == (
        "licensing.csv 第3行「编号」列，值「XK-1」：编号重复（与第2行相同），每条记录的编号应唯一"
    )
