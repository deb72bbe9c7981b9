"""Backtest: the published 2021 report of 大冶市应急管理局, rebuilt from the sample ledgers."""

import json

import pytest

from reportkit.compute.report import open_report


@pytest.fixture(scope="module")
def seed():
    return open_report(year=2021)


def test_seed_table2(seed):
    assert seed.tables_json["section2"] == {
        "规章": {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 1},
        "行政规范性文件": {"本年制发件数": 3, "本年废止件数": 0, "现行有效件数": 3},
        "行政许可": {"本年处理决定数量": 105},
        "行政处罚": {"本年处理决定数量": 57},
        "行政强制": {"本年处理决定数量": 4},
        "行政事业性收费": {"本年收费金额（单位：万元）": 0},
    }


def test_seed_tables_3_and_4_all_zero_but_present(seed):
    j = seed.tables_json
    assert len(j["section3"]) == 25
    assert all(v == 0 for row in j["section3"].values() for v in row.values())
    assert all(v == 0 for row in j["section4"].values() for v in row.values())


def test_seed_figures(seed):
    f = seed.figures
    assert (f.licensing.value, f.licensing.previous) == (105, 121)
    assert (f.penalties.value, f.penalties.previous) == (57, 59)
    assert f.procurement_count.value == 5
    assert str(f.procurement_amount_wan.value) == "329.76"
    june = f.outreach.month(6).type("安全宣传“五进”活动")
    # The designed rows of tools/make_sample_data.py (DAYE["outreach"][2021], DAYE["media"][2021]),
    # which the published 「920余场次」「1.5万人次」「600余块」… round down.
    assert june.sessions.value == 923
    day = f.outreach.day(6, 16)
    assert day.sessions.value == 46
    assert day.participants.value == 15230
    assert day.boards.value == 603
    assert day.banners.value == 405
    assert day.materials.value == 131000
    assert f.media_reports.value == 2 + 18 + 35 + 58  # 中央, 省级, 市级, 县级
    assert f.proposals.kind("政协提案").handling("会办").count.value == 1


@pytest.mark.parametrize(
    "phrase",
    [
        "920余场次",
        "46场",
        "1.5万人次",
        "600余块",
        "400余条",
        "13万份",
        "110余篇",
        "105件，与上年减少16件",
        "57件次，比2020年度减少2起",
        "5次",
        "329.76万元",
        "规章1件",
        "规范性文件3件",
        "政协提案1件",
        "会办",
    ],
)
def test_seed_phrases_in_text(seed, phrase):
    assert phrase in "".join(seed.texts.values())


def test_seed_preface_has_contact(seed):
    assert "0714-8769998" in seed.texts["preface"]
    assert "2021年1月1日至12月31日" in seed.texts["preface"]


def test_seed_2020_is_the_year_before(seed):
    prev = open_report(year=2020)
    assert prev.tables_json["section2"]["行政许可"]["本年处理决定数量"] == 121
    assert prev.tables_json["section2"]["行政处罚"]["本年处理决定数量"] == 59
    # strict JSON that reads back as the same tables (no NaN, Decimal, tuple or non-string key)
    assert (
        json.loads(json.dumps(prev.tables_json, ensure_ascii=False, allow_nan=False))
        == prev.tables_json
    )
