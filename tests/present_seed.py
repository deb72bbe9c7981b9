"""The seed report (大冶市应急管理局, 2021) as a `document` dict and tables.json, written by hand
from the published report and format.md, for the tests of reportkit.present."""

from __future__ import annotations

import base64
import copy
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from reportkit.present import fonts

AGENCY = "大冶市应急管理局"
TITLE = "大冶市应急管理局2021年政府信息公开工作年度报告"
HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
T4_RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
T4_KINDS = ["行政复议", "未经复议直接起诉", "复议后起诉"]

# 表三 as format.md prints it: (group label or None, the row's own label, tables.json key).
T3_PRINTED = [
    (None, "一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
    (None, "二、上年结转政府信息公开申请数量", "上年结转政府信息公开申请数量"),
    (None, "（一）予以公开", "予以公开"),
    (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    ("（三）不予公开", "1.属于国家秘密", "不予公开/属于国家秘密"),
    ("（三）不予公开", "2.其他法律行政法规禁止公开", "不予公开/其他法律行政法规禁止公开"),
    ("（三）不予公开", "3.危及“三安全一稳定”", "不予公开/危及“三安全一稳定”"),
    ("（三）不予公开", "4.保护第三方合法权益", "不予公开/保护第三方合法权益"),
    ("（三）不予公开", "5.属于三类内部事务信息", "不予公开/属于三类内部事务信息"),
    ("（三）不予公开", "6.属于四类过程性信息", "不予公开/属于四类过程性信息"),
    ("（三）不予公开", "7.属于行政执法案卷", "不予公开/属于行政执法案卷"),
    ("（三）不予公开", "8.属于行政查询事项", "不予公开/属于行政查询事项"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", "无法提供/本机关不掌握相关政府信息"),
    ("（四）无法提供", "2.没有现成信息需要另行制作", "无法提供/没有现成信息需要另行制作"),
    ("（四）无法提供", "3.补正后申请内容仍不明确", "无法提供/补正后申请内容仍不明确"),
    ("（五）不予处理", "1.信访举报投诉类申请", "不予处理/信访举报投诉类申请"),
    ("（五）不予处理", "2.重复申请", "不予处理/重复申请"),
    ("（五）不予处理", "3.要求提供公开出版物", "不予处理/要求提供公开出版物"),
    ("（五）不予处理", "4.无正当理由大量反复申请", "不予处理/无正当理由大量反复申请"),
    (
        "（五）不予处理",
        "5.要求行政机关确认或重新出具已获取信息",
        "不予处理/要求行政机关确认或重新出具已获取信息",
    ),
    (
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "其他处理/申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "（六）其他处理",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "其他处理/申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("（六）其他处理", "3.其他", "其他处理/其他"),
    (None, "（七）总计", "总计"),
    (None, "四、结转下年度继续办理", "结转下年度继续办理"),
]

# The seed's tables.json: its 表二 as published; it received no request and no appeal.
SEED_TABLES = {
    "agency": AGENCY,
    "year": 2021,
    "section2": {
        "规章": {"本年制发件数": 1, "本年废止件数": 0, "现行有效件数": 1},
        "行政规范性文件": {"本年制发件数": 3, "本年废止件数": 0, "现行有效件数": 3},
        "行政许可": {"本年处理决定数量": 105},
        "行政处罚": {"本年处理决定数量": 57},
        "行政强制": {"本年处理决定数量": 4},
        "行政事业性收费": {"本年收费金额（单位：万元）": 0},
    },
    "section3": {key: {c: 0 for c in APPLICANTS} for _g, _l, key in T3_PRINTED},
    "section4": {k: {c: 0 for c in T4_RESULTS} for k in T4_KINDS},
}


def distinct_tables() -> dict:
    """The seed tables with every 表三/表四 cell a different number and a fee with decimals, so a
    value printed in the wrong place shows. (Inputs, not expectations: they need not add up.)"""
    t = copy.deepcopy(SEED_TABLES)
    for i, (_g, _l, key) in enumerate(T3_PRINTED):
        t["section3"][key] = {c: 100 + 10 * i + j for j, c in enumerate(APPLICANTS)}
    for i, kind in enumerate(T4_KINDS):
        t["section4"][kind] = {c: 10 * (i + 1) + j for j, c in enumerate(T4_RESULTS)}
    t["section2"]["行政事业性收费"]["本年收费金额（单位：万元）"] = 3.25
    return t


def png(width: int = 240, height: int = 120) -> bytes:
    """A small PNG drawn by hand: three grey bars on white."""
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            bar = x // 80
            top = height - (30 + 30 * bar)
            inside = 10 <= x % 80 <= 70 and y >= top
            row += b"\x60\x60\x60" if inside else b"\xff\xff\xff"
        rows.append(b"\x00" + bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def para(*runs) -> dict:
    """A paragraph block; a run given as a tuple (text, True) is bold, a dict is taken as is."""
    return {
        "kind": "paragraph",
        "runs": [
            {"text": r[0], "bold": True}
            if isinstance(r, tuple)
            else r
            if isinstance(r, dict)
            else {"text": r}
            for r in runs
        ],
    }


def seed_document(tables: dict | None = None, sample: bool = False) -> dict:
    """The seed report's content as the producer hands it to the writers."""
    t = tables or SEED_TABLES
    chart = {
        "kind": "chart",
        "caption": "宣传活动场次（按活动类型）",
        "alt": "宣传活动场次柱状图",
        "png": base64.b64encode(png()).decode("ascii"),
        "width_mm": 120,
    }
    overview = [
        para(
            "2021年，我局以习近平新时代中国特色社会主义思想为指导，贯彻落实《中华人民共和国政府"
            "信息公开条例》，坚持依法公开、真实公开、规范高效、强化监督。"
        ),
        para(("（一）组织保障有力。", True), "制定本年度政府信息公开工作方案，成立领导小组。"),
        para(
            ("（三）公开内容丰富。", True),
            "“安全生产月”期间开展安全宣传“五进”活动920余场次。6月16日“安全咨询日”当天，"
            "发放宣传资料和小礼品13万份。",
        ),
        chart,
    ]
    return {
        "title": TITLE,
        "agency": AGENCY,
        "year": 2021,
        "sample": sample,
        "date": "2022-01-20",
        "sections": [
            {
                "slug": "preface",
                "heading": None,
                "blocks": [
                    para(
                        "按照《中华人民共和国政府信息公开条例》规定，现公布本报告。本报告内容涵盖"
                        "我局2021年1月1日至12月31日期间的政府信息公开工作情况。"
                    ),
                    para(
                        "如对本报告有任何疑问，请与大冶市应急管理局办公室联系（电话：0714-8769998）。"
                    ),
                ],
            },
            {"slug": "overview", "heading": HEADINGS[0], "blocks": overview},
            {
                "slug": "proactive",
                "heading": HEADINGS[1],
                "blocks": [
                    para(
                        "全年办理行政许可及其他对外管理服务事项105件；实施行政处罚57件次；采取行政"
                        "强制措施4件。开展政府集中采购5次，实际采购金额329.76万元。"
                    ),
                    {
                        "kind": "table",
                        "table": "table2",
                        "caption": "表二　主动公开政府信息情况",
                        "data": t["section2"],
                    },
                ],
            },
            {
                "slug": "requests",
                "heading": HEADINGS[2],
                "blocks": [
                    para("2021年度未收到政府信息公开申请。"),
                    {
                        "kind": "table",
                        "table": "table3",
                        "caption": "表三　收到和处理政府信息公开申请情况",
                        "data": t["section3"],
                    },
                ],
            },
            {
                "slug": "appeals",
                "heading": HEADINGS[3],
                "blocks": [
                    {
                        "kind": "table",
                        "table": "table4",
                        "caption": "表四　政府信息公开行政复议、行政诉讼情况",
                        "data": t["section4"],
                    },
                ],
            },
            {
                "slug": "problems",
                "heading": HEADINGS[4],
                "blocks": [
                    {"kind": "heading", "level": 2, "text": "（一）存在的主要问题"},
                    para("一是个别股室重业务监管、轻政务公开，主动公开意识不强。"),
                    {"kind": "heading", "level": 2, "text": "（二）改进情况"},
                    para(("改进情况：", True), "加强学习和督办，压实各股室责任。"),
                ],
            },
            {
                "slug": "other",
                "heading": HEADINGS[5],
                "blocks": [
                    para("本年度未收取政府信息公开信息处理费。"),
                    {"kind": "heading", "level": 3, "text": "建议提案办理"},
                    para("全年办理政协提案1件，", {"text": "委员表示满意", "italic": True}, "。"),
                    {
                        "kind": "list",
                        "ordered": True,
                        "items": [
                            [{"text": "成立办理专班；"}],
                            [{"text": "主动上门沟通", "bold": True}, {"text": "会商。"}],
                        ],
                    },
                ],
            },
        ],
    }


# ------------------------------------------------------------------------------------------------
# Printing with LibreOffice
# ------------------------------------------------------------------------------------------------
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{dir}</dir>
  <cachedir>{cache}</cachedir>
  {aliases}
</fontconfig>
"""
# The government fonts are not on this machine: print them in the packaged Noto CJK faces.
FONT_STAND_INS = {
    "仿宋_GB2312": "Noto Serif CJK SC",
    "楷体_GB2312": "Noto Serif CJK SC",
    "方正小标宋简体": "Noto Serif CJK SC",
    "宋体": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC",
}


def libreoffice_pdf(source: Path, work: Path) -> Path:
    """`source` printed to PDF in `work` by LibreOffice, with its own profile and fonts there;
    the test is skipped when LibreOffice or poppler is missing."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"
        )
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed")
    aliases = "\n  ".join(
        f'<alias binding="same"><family>{k}</family><prefer><family>{v}</family></prefer></alias>'
        for k, v in FONT_STAND_INS.items()
    )
    conf = work / "fonts.conf"
    conf.write_text(
        FONTS_CONF.format(dir=fonts.FONT_DIR, cache=work / "fc-cache", aliases=aliases),
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ],
        env=env,
        capture_output=True,
        timeout=180,
        check=True,
    )
    out = work / (source.stem + ".pdf")
    assert out.exists()
    return out


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(next(ln.split()[-1] for ln in info.stdout.splitlines() if ln.startswith("Pages:")))
