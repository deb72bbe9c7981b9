"""The fictional demo agency: one year's every cell checked by hand, identities over all years."""

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import ROOT

from reportkit.compute.report import open_report
from reportkit.contract import vocab


def _expected():
    spec = importlib.util.spec_from_file_location(
        "demo_expected", Path(__file__).with_name("demo_expected.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("demo_expected", module)
    spec.loader.exec_module(module)
    return module


E = _expected()
YEARS = [2021, 2022, 2023]


@pytest.fixture(scope="module")
def reports():
    return {y: open_report(params=ROOT / "params" / "demo" / f"{y}.yaml") for y in YEARS}


def test_2022_every_cell(reports):
    assert reports[2022].tables_json == E.TABLES_2022


@pytest.mark.parametrize("year", YEARS)
def test_tables_2_and_4_each_year(reports, year):
    j = reports[year].tables_json
    assert j["section2"] == E.SECTION2[year]
    assert j["section4"] == E.SECTION4[year]
    for row, total in E.SECTION3_TOTALS[year].items():
        assert j["section3"][row]["总计"] == total


@pytest.mark.parametrize("year", YEARS)
def test_identities_hold(reports, year):
    s3 = reports[year].tables_json["section3"]
    results = [r for r in vocab.OUTCOMES]
    for col in vocab.T3_COLUMNS:
        # Rule 1: 一 + 二 = 三(七) + 四.
        assert (
            s3[vocab.NEW_REQUESTS][col] + s3[vocab.CARRIED_IN][col]
            == s3[vocab.TOTAL][col] + s3[vocab.CARRIED_OUT][col]
        )
        # Rule 2: (七) = sum of every result row.
        assert s3[vocab.TOTAL][col] == sum(s3[r][col] for r in results)
    # Rule 3: every row adds up across the applicant columns.
    for row in vocab.T3_ROWS:
        assert sum(s3[row][c] for c in vocab.APPLICANT_TYPES) == s3[row][vocab.TOTAL]
    # Rule 4.
    for cells in reports[year].tables_json["section4"].values():
        assert (
            cells["结果维持"] + cells["结果纠正"] + cells["其他结果"] + cells["尚未审结"]
            == cells["总计"]
        )


@pytest.mark.parametrize("year", [2022, 2023])
def test_rule_10_carry_over_across_years(reports, year):
    this = reports[year].tables_json["section3"][vocab.CARRIED_IN]
    last = reports[year - 1].tables_json["section3"][vocab.CARRIED_OUT]
    assert this == last


def test_every_applicant_type_and_outcome_occurs(reports):
    s3 = reports[2022].tables_json["section3"]
    assert all(s3[r]["总计"] > 0 for r in vocab.OUTCOMES)
    assert all(s3[vocab.NEW_REQUESTS][c] > 0 for c in vocab.APPLICANT_TYPES)


@pytest.mark.parametrize("year", YEARS)
def test_figures(reports, year):
    f = reports[year].figures
    count, amount = E.PROCUREMENT[year]
    assert (f.procurement_count.value, f.procurement_amount_wan.value) == (count, Decimal(amount))
    assert f.media_reports.value == E.MEDIA_TOTALS[year]
    assert f.processing_fees_yuan.value == Decimal(E.REQUEST_FEES_YUAN[year])
    sessions, people, boards, banners, materials = E.OUTREACH_TOTALS[year]
    o = f.outreach
    assert (
        o.sessions.value,
        o.participants.value,
        o.boards.value,
        o.banners.value,
        o.materials.value,
    ) == (sessions, people, boards, banners, materials)
    for (kind, handling), n in E.PROPOSALS[year].items():
        assert f.proposals.kind(kind).handling(handling).count.value == n


def test_previous_year_values(reports):
    f = reports[2022].figures
    assert (f.licensing.value, f.licensing.previous) == (42, 36)
    assert f.licensing.yoy("件") == "与上年增加6件"
    assert f.outreach.type("安全宣传“五进”活动").sessions.previous == 120
