"""The one home of the vocabulary's rules: label numbering, the narrative texts, the ledger list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportkit.contract import vocab
from reportkit.contract.schema import LEDGER_STEMS


@pytest.mark.parametrize(
    "key, bare",
    [
        ("七、总计", "总计"),
        ("(七)总计", "总计"),
        ("七)总计", "总计"),
        ("七.总计", "总计"),
        ("7.属于国家秘密", "属于国家秘密"),
        ("7、属于国家秘密", "属于国家秘密"),
        ("(7)属于国家秘密", "属于国家秘密"),
        ("十一、其他", "其他"),
        ("(三)不予公开/1.属于国家秘密", "不予公开/属于国家秘密"),
        # numbering only in front: a number inside the label stays
        ("危及三安全一稳定", "危及三安全一稳定"),
        ("2021年", "2021年"),
    ],
)
def test_strip_numbering(key, bare):
    assert vocab.strip_numbering(key) == bare


def test_narrative_texts_and_their_labels():
    assert vocab.NARRATIVE_SLUGS == [
        "preface",
        "overview",
        "proactive",
        "requests",
        "appeals",
        "problems",
        "other",
    ]
    assert vocab.section_label("preface") == "前言"
    assert vocab.section_label("overview") == "一、总体情况"
    assert vocab.section_label("problems") == "五、存在的主要问题及改进情况"


def test_ledger_stems_in_the_contracts_order():
    from reportkit.pipeline import cache

    assert cache.STEMS is LEDGER_STEMS  # the cache digests the one list, not a copy
    assert len(LEDGER_STEMS) == 11
    assert LEDGER_STEMS[:3] == ["requests", "appeals", "documents"]
    assert LEDGER_STEMS[-1] == "proposals"


def test_each_section_notebook_is_titled_with_its_heading():
    # The notebooks are found by vocab.SECTIONS (NN_<slug>.ipynb); their title must not drift.
    folder = Path(__file__).resolve().parent.parent / "notebooks"
    titles = []
    for s in vocab.SECTIONS:
        nb = json.loads((folder / f"{int(s['index']):02d}_{s['slug']}.ipynb").read_text("utf-8"))
        titles.append("".join(nb["cells"][0]["source"]).splitlines()[0])
    assert titles == [
        "# 一、总体情况",
        "# 二、主动公开政府信息情况",
        "# 三、收到和处理政府信息公开申请情况",
        "# 四、政府信息公开行政复议、行政诉讼情况",
        "# 五、存在的主要问题及改进情况",
        "# 六、其他需要报告的事项",
    ]
    assert titles == [f"# {h}" for h in vocab.SECTION_HEADINGS]
