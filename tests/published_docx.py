"""Writes a Word report like the ones agencies type: the statutory tables with merged cells."""

from __future__ import annotations

from pathlib import Path

import docx

OUTCOME_ROWS = [
    ("（一）予以公开", None),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("（三）不予公开", "1.属于国家秘密"),
    (None, "2.其他法律行政法规禁止公开"),
    (None, "3.危及“三安全一稳定”"),
    (None, "4.保护第三方合法权益"),
    (None, "5.属于三类内部事务信息"),
    (None, "6.属于四类过程性信息"),
    (None, "7.属于行政执法案卷"),
    (None, "8.属于行政查询事项"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    (None, "2.没有现成信息需要另行制作"),
    (None, "3.补正后申请内容仍不明确"),
    ("（五）不予处理", "1.信访举报投诉类申请"),
    (None, "2.重复申请"),
    (None, "3.要求提供公开出版物"),
    (None, "4.无正当理由大量反复申请"),
    (None, "5.要求行政机关确认或重新出具已获取信息"),
    ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    (None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    (None, "3.其他"),
    ("（七）总计", None),
]
GROUP_SIZES = {"（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5, "（六）其他处理": 3}

# The figures the docx prints: 一 5 (自然人 4, 商业企业 1) + 二 1 = （七）5 + 四 1.
NEW = [4, 1, 0, 0, 0, 0, 5]
CARRIED_IN = [1, 0, 0, 0, 0, 0, 1]
OUTCOME_VALUES = {0: [2, 1, 0, 0, 0, 0, 3], 10: [1, 0, 0, 0, 0, 0, 1], 13: [1, 0, 0, 0, 0, 0, 1]}
TOTAL = [4, 1, 0, 0, 0, 0, 5]
CARRIED_OUT = [1, 0, 0, 0, 0, 0, 1]
T4 = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]


def write_report_docx(path: Path, agency: str = "示例县交通运输局", year: int = 2022) -> Path:
    """A .docx with the title, 表二 (values spanning 3 columns), 表三 (三、本年度办理结果 merged
    over 22 rows, each group over its items) and 表四, filled with the figures above."""
    d = docx.Document()
    d.add_paragraph(f"{agency}{year}年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    d.add_paragraph("（正文从略）")
    d.add_paragraph("二、主动公开政府信息情况")
    t2 = d.add_table(rows=14, cols=4)
    rows2 = [
        ("第二十条第（一）项",),
        ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        ("规章", "0", "0", "0"),
        ("行政规范性文件", "1", "0", "6"),
        ("第二十条第（五）项",),
        ("信息内容", "本年处理决定数量"),
        ("行政许可", "312"),
        ("第二十条第（六）项",),
        ("信息内容", "本年处理决定数量"),
        ("行政处罚", "48"),
        ("行政强制", "0"),
        ("第二十条第（八）项",),
        ("信息内容", "本年收费金额（单位：万元）"),
        ("行政事业性收费", "0.35"),
    ]
    for r, texts in enumerate(rows2):
        if len(texts) == 1:
            t2.cell(r, 0).merge(t2.cell(r, 3)).text = texts[0]
        elif len(texts) == 2:
            t2.cell(r, 0).text = texts[0]
            t2.cell(r, 1).merge(t2.cell(r, 3)).text = texts[1]
        else:
            for c, text in enumerate(texts):
                t2.cell(r, c).text = text
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t3 = d.add_table(rows=28, cols=10)
    t3.cell(0, 0).merge(
        t3.cell(2, 2)
    ).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    t3.cell(0, 3).merge(t3.cell(0, 9)).text = "申请人情况"
    t3.cell(1, 3).merge(t3.cell(2, 3)).text = "自然人"
    t3.cell(1, 4).merge(t3.cell(1, 8)).text = "法人或其他组织"
    t3.cell(1, 9).merge(t3.cell(2, 9)).text = "总计"
    for c, text in enumerate(
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], start=4
    ):
        t3.cell(2, c).text = text

    def values(r: int, vs: list[int]) -> None:
        for c, v in enumerate(vs, start=3):
            t3.cell(r, c).text = str(v)

    t3.cell(3, 0).merge(t3.cell(3, 2)).text = "一、本年新收政府信息公开申请数量"
    values(3, NEW)
    t3.cell(4, 0).merge(t3.cell(4, 2)).text = "二、上年结转政府信息公开申请数量"
    values(4, CARRIED_IN)
    t3.cell(5, 0).merge(t3.cell(26, 0)).text = "三、本年度办理结果"
    for i, (group, leaf) in enumerate(OUTCOME_ROWS):
        r = 5 + i
        if leaf is None:
            t3.cell(r, 1).merge(t3.cell(r, 2)).text = group
        else:
            if group:
                t3.cell(r, 1).merge(t3.cell(r + GROUP_SIZES[group] - 1, 1)).text = group
            t3.cell(r, 2).text = leaf
        values(r, TOTAL if group == "（七）总计" else OUTCOME_VALUES.get(i, [0] * 7))
    t3.cell(27, 0).merge(t3.cell(27, 2)).text = "四、结转下年度继续办理"
    values(27, CARRIED_OUT)
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t4 = d.add_table(rows=4, cols=15)
    t4.cell(0, 0).merge(t4.cell(1, 4)).text = "行政复议"
    t4.cell(0, 5).merge(t4.cell(0, 14)).text = "行政诉讼"
    t4.cell(1, 5).merge(t4.cell(1, 9)).text = "未经复议直接起诉"
    t4.cell(1, 10).merge(t4.cell(1, 14)).text = "复议后起诉"
    for c in range(15):
        t4.cell(2, c).text = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"][c % 5]
        t4.cell(3, c).text = str(T4[c])
    d.add_paragraph("五、存在的主要问题及改进情况")
    d.save(str(path))
    return path
