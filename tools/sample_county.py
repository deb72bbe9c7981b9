"""The fictional 示例县 (示例数据): a county government that aggregates its departments and townships.

Written by ``python tools/make_sample_data.py`` into ``examples/county/``, a project of its own
(agencies.yaml, params/<id>/, data/<id>/, published/<id>/) so that the seed project at the root
stays a single agency. Build it with ``REPORTKIT_ROOT=examples/county reportkit build --year 2021
--all`` (the section notebooks are the checkout's).

- ``xzf`` 示例县人民政府: its own ledgers, and ``includes`` every other agency;
- ``sfj`` 示例县司法局, ``jyj`` 示例县教育局, ``ztz`` 示例镇人民政府: ledgers;
- ``szz`` 山庄乡人民政府: known only by its published reports (``<year>.tables.json``).

Every row is written out below, so the expected tables (tests/test_aggregate.py) are counted by
hand from this file.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

YEARS = (2021, 2022)

REQUESTS_HEADER = ["申请编号", "收到日期", "申请人类型", "办理结果", "办结日期"]
AGENCIES: dict[str, dict] = {
    "sfj": {
        "agency": "示例县司法局",
        "requests": [
            ["S1", "2021-02-03", "自然人", "予以公开", "2021-02-20"],
            ["S2", "2021-04-11", "自然人", "部分公开", "2021-05-06"],
            ["S3", "2021-12-20", "商业企业", "予以公开", "2022-01-10"],
            ["S4", "2022-03-15", "自然人", "无法提供/本机关不掌握相关政府信息", "2022-04-01"],
        ],
        "penalties": ["2021-03-02", "2021-06-18", "2021-10-09", "2022-04-12", "2022-08-30"],
        "fees": [
            ["2021-05-10", "公证费", "1250.50"],
            ["2021-09-01", "公证费", "3000"],
            ["2022-07-07", "公证费", "800"],
        ],
        "appeals": [["F1", "行政复议", "2021-06-01", "结果维持", "2021-08-01"]],
    },
    "jyj": {
        "agency": "示例县教育局",
        "requests": [
            ["J1", "2021-01-05", "自然人", "予以公开", "2021-01-20"],
            ["J2", "2021-03-09", "社会公益组织", "予以公开", "2021-03-30"],
            ["J3", "2021-07-01", "自然人", "不予处理/重复申请", "2021-07-15"],
            ["J4", "2022-05-05", "法律服务机构", "部分公开", "2022-05-25"],
            ["J5", "2022-11-28", "自然人", "", ""],
        ],
        "licensing": [
            "2021-02-01",
            "2021-03-01",
            "2021-04-01",
            "2021-05-01",
            "2021-06-01",
            "2022-02-01",
            "2022-03-01",
            "2022-04-01",
            "2022-05-01",
        ],
        "fees": [["2021-08-08", "考试费", "6789"]],
    },
    "ztz": {
        "agency": "示例镇人民政府",
        "requests": [["Z1", "2021-09-09", "自然人", "予以公开", "2021-09-20"]],
        "penalties": ["2021-11-11"],
        "fees": [["2021-04-04", "工本费", "45"]],
    },
    "xzf": {
        "agency": "示例县人民政府",
        "requests": [
            ["X1", "2021-05-05", "自然人", "予以公开", "2021-05-18"],
            ["X2", "2021-06-06", "科研机构", "部分公开", "2021-06-28"],
            ["X3", "2022-02-02", "自然人", "予以公开", "2022-02-20"],
        ],
        "licensing": ["2021-07-01", "2021-08-01", "2022-01-15", "2022-06-15", "2022-09-15"],
        "fees": [["2021-03-03", "工本费", "20"]],
        "appeals": [["G1", "未经复议直接起诉", "2022-03-01", "", ""]],
        "documents": [
            ["示政规〔2021〕1号", "示例县政府信息公开办法", "行政规范性文件", "2021-04-01", ""]
        ],
        "includes": ["sfj", "jyj", "ztz", "szz"],
    },
}
# 山庄乡人民政府's published tables: (新收 自然人, 予以公开 自然人, 行政处罚, 收费 万元).
PUBLISHED = {"szz": ("山庄乡人民政府", {2021: (2, 2, 4, 0.12), 2022: (1, 1, 1, 0)})}
# 五、存在的主要问题及改进情况, written anew each year (the checks warn when copied).
PROBLEMS = {
    2021: (
        "**存在的主要问题：** 一是示例数据中的部门台账登记还不够及时；二是乡镇公开专栏更新频次不一。\n\n"
        "**改进情况：** 一是按月核对台账；二是统一栏目设置并定期检查。\n"
    ),
    2022: (
        "**存在的主要问题：** 一是部分单位办理时限偏紧；二是政策解读形式较为单一。\n\n"
        "**改进情况：** 上年所列台账登记和专栏更新问题已按月核对、统一栏目设置。\n"
    ),
}


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _published_tables(agency: str, year: int, spec: tuple) -> dict:
    from_vocab = json.loads(json.dumps(_EMPTY))
    new, granted, penalties, fees = spec
    t3 = from_vocab["section3"]
    for row, n in (("本年新收政府信息公开申请数量", new), ("予以公开", granted), ("总计", granted)):
        t3[row]["自然人"] = t3[row]["总计"] = n
    from_vocab["section2"]["行政处罚"]["本年处理决定数量"] = penalties
    from_vocab["section2"]["行政事业性收费"]["本年收费金额（单位：万元）"] = fees
    return {"agency": agency, "year": year, **from_vocab}


_T3_ROWS = [
    "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量",
    "予以公开",
    "部分公开",
    "不予公开/属于国家秘密",
    "不予公开/其他法律行政法规禁止公开",
    "不予公开/危及“三安全一稳定”",
    "不予公开/保护第三方合法权益",
    "不予公开/属于三类内部事务信息",
    "不予公开/属于四类过程性信息",
    "不予公开/属于行政执法案卷",
    "不予公开/属于行政查询事项",
    "无法提供/本机关不掌握相关政府信息",
    "无法提供/没有现成信息需要另行制作",
    "无法提供/补正后申请内容仍不明确",
    "不予处理/信访举报投诉类申请",
    "不予处理/重复申请",
    "不予处理/要求提供公开出版物",
    "不予处理/无正当理由大量反复申请",
    "不予处理/要求行政机关确认或重新出具已获取信息",
    "其他处理/申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "其他处理/申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "其他处理/其他",
    "总计",
    "结转下年度继续办理",
]
_T3_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
_EMPTY = {
    "section2": {
        "规章": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
        "行政规范性文件": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
        "行政许可": {"本年处理决定数量": 0},
        "行政处罚": {"本年处理决定数量": 0},
        "行政强制": {"本年处理决定数量": 0},
        "行政事业性收费": {"本年收费金额（单位：万元）": 0},
    },
    "section3": {row: dict.fromkeys(_T3_COLUMNS, 0) for row in _T3_ROWS},
    "section4": {
        kind: {"结果维持": 0, "结果纠正": 0, "其他结果": 0, "尚未审结": 0, "总计": 0}
        for kind in ("行政复议", "未经复议直接起诉", "复议后起诉")
    },
}


def make_county(root: Path) -> None:
    """Write examples/county/ (or `root`): agencies.yaml, params, ledgers, published tables."""
    lines = ["# 示例县（示例数据，虚构）：县政府的报告汇总各部门和乡镇的数据。", "agencies:"]
    for a_id, spec in AGENCIES.items():
        lines += [f"  - id: {a_id}", f"    params: params/{a_id}"]
        if spec.get("includes"):
            lines.append(f"    includes: [{', '.join(spec['includes'])}]")
        if a_id == "ztz":  # the published-only township is listed before the government
            lines += ["  - id: szz", "    published: published/szz"]
    (root).mkdir(parents=True, exist_ok=True)
    (root / "agencies.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for a_id, spec in AGENCIES.items():
        data = root / "data" / a_id
        _csv(data / "requests.csv", REQUESTS_HEADER, spec["requests"])
        for stem in ("licensing", "penalties"):
            if spec.get(stem):
                _csv(
                    data / f"{stem}.csv",
                    ["编号", "决定日期"],
                    [[f"{stem[:1].upper()}{i + 1}", d] for i, d in enumerate(spec[stem])],
                )
        if spec.get("fees"):
            _csv(data / "fees.csv", ["日期", "项目", "金额（元）"], spec["fees"])
        if spec.get("appeals"):
            _csv(
                data / "appeals.csv",
                ["案件编号", "类别", "收到日期", "结果", "审结日期"],
                spec["appeals"],
            )
        if spec.get("documents"):
            _csv(
                data / "documents.csv",
                ["文号", "标题", "类型", "印发日期", "废止日期"],
                spec["documents"],
            )
        for year in YEARS:
            params = root / "params" / a_id / f"{year}.yaml"
            params.parent.mkdir(parents=True, exist_ok=True)
            problems = "\n".join(
                "    " + line if line else "" for line in PROBLEMS[year].splitlines()
            )
            params.write_text(
                f"agency: {spec['agency']}\nyear: {year}\ndata_dir: ../../data/{a_id}\nsample: true\n"
                f"can_make_regulations: false\ndate: {year + 1}-01-20\n"
                f"narrative:\n  五: |\n{problems}\n",
                encoding="utf-8",
            )
    for a_id, (agency, years) in PUBLISHED.items():
        for year, spec in years.items():
            path = root / "published" / a_id / f"{year}.tables.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(_published_tables(agency, year, spec), ensure_ascii=False, indent=2)
            path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    make_county(Path(__file__).resolve().parent.parent / "examples" / "county")
