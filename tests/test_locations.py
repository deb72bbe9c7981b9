"""One Location for ledger problems, notes and findings; ledger notes as objects the checks read."""

from __future__ import annotations

from reportkit.checks.run import check_aliases
from reportkit.contract.errors import (
    ABSENT,
    ALIAS,
    CONTROL,
    HEADER_ONLY,
    SHEET,
    CellProblem,
    LedgerNote,
    Location,
)
from reportkit.contract.findings import finding, where_text
from reportkit.ingest.ledgers import load_ledgers


def test_a_location_has_one_text_form():
    assert str(Location("requests.csv", 5, "办结日期")) == "requests.csv 第5行「办结日期」列"
    assert str(Location("requests.csv", 5)) == "requests.csv 第5行"
    assert str(Location("requests.csv", None, "办结日期")) == "requests.csv 「办结日期」列"
    assert str(Location("requests.csv")) == "requests.csv"
    assert Location("requests.csv", 5, "办结日期").where() == {
        "file": "requests.csv",
        "row": 5,
        "column": "办结日期",
    }


def test_a_cell_problem_and_a_finding_name_the_cell_alike():
    problem = CellProblem("requests.csv", 5, "办结日期", "2021-13-01", "应为日期")
    assert str(problem) == "requests.csv 第5行「办结日期」列，值「2021-13-01」：应为日期"
    found = finding(
        "L-done-before-received", problem.at.where(), "不早于收到日期", "2021-01-01", "改正"
    )
    assert where_text(found.where) == "requests.csv 第5行「办结日期」列"
    assert found.at == problem.at == Location("requests.csv", 5, "办结日期")
    # tables keep their own form
    assert (
        where_text({"table": "表三", "row": "总计", "column": "自然人"})
        == "表三「总计」行「自然人」列"
    )


def test_each_kind_of_note_says_what_it_always_said():
    alias = LedgerNote(ALIAS, Location("documents.csv", 2, "类型"), "规范性文件", "行政规范性文件")
    assert str(alias) == (
        "documents.csv 第2行「类型」写作「规范性文件」，已按「行政规范性文件」计入；建议改为规范名称"
    )
    more = LedgerNote(ALIAS, Location("documents.csv", None, "类型"), more=(alias, alias, alias))
    assert more.text == (
        "documents.csv 另有3行「类型」写作简称，已按规范名称计入；建议一并改为规范名称"
    )
    control = LedgerNote(CONTROL, Location("requests.csv", 4, "申请编号"))
    assert control.text == (
        "requests.csv 第4行「申请编号」含不可见的控制字符（如 NUL），已删去；建议在台账中一并删去"
    )
    controls = LedgerNote(CONTROL, Location("requests.csv", None, "申请编号"), more=(control,) * 2)
    assert controls.text == "requests.csv 另有2行「申请编号」含不可见的控制字符，已删去"
    assert LedgerNote(ABSENT, Location("fees"), "行政事业性收费台账").text == (
        "未找到行政事业性收费台账（fees.csv 或 fees.xlsx），按本年无此类记录处理"
    )
    assert LedgerNote(HEADER_ONLY, Location("fees.csv")).text == (
        "fees.csv 只有表头，没有记录，按本年无此类记录处理"
    )
    assert LedgerNote(SHEET, Location("a.xlsx"), said="a.xlsx 有多个工作表").text == (
        "a.xlsx 有多个工作表"
    )


def test_alias_findings_come_from_the_notes_fields_not_their_text():
    # A value the old sentence-parsing could not read back (「」 inside it) still gives its finding.
    odd = LedgerNote(ALIAS, Location("documents.csv", 7, "类型"), "「规范」文件", "行政规范性文件")
    rest = tuple(
        LedgerNote(ALIAS, Location("documents.csv", row, "类型"), "规章类", "规章")
        for row in (30, 31)
    )
    summary = LedgerNote(ALIAS, Location("documents.csv", None, "类型"), more=rest)
    other = LedgerNote(HEADER_ONLY, Location("fees.csv"))
    found = check_aliases([odd, other, summary])
    assert [(f.where["row"], f.expected, f.found) for f in found] == [
        (7, "行政规范性文件", "「规范」文件"),
        (30, "规章", "规章类"),
        (31, "规章", "规章类"),
    ]
    assert found[1].message == "已按「规章」计入；请在台账中改写为规范名称「规章」"
    assert {f.severity for f in found} == {"warning"}


def test_control_characters_in_25_rows_are_20_notes_and_one_for_the_other_5(tmp_path):
    rows = "".join(f"YSQ-{i}\x00,2021-01-05,自然人\n" for i in range(1, 26))
    (tmp_path / "requests.csv").write_text("申请编号,收到日期,申请人类型\n" + rows, "utf-8")
    notes = [n for n in load_ledgers(tmp_path).notes if n.kind == CONTROL]
    assert [n.at.row for n in notes[:20]] == list(range(2, 22))
    assert notes[20].text == "requests.csv 另有5行「申请编号」含不可见的控制字符，已删去"
    assert [n.at.row for n in notes[20].rows()] == [22, 23, 24, 25, 26]
    assert len(notes) == 21
