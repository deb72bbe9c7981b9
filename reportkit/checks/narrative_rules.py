"""The narrative rules: numbers typed by hand (R8), headings, section 五, copies of last year, drafts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportkit.contract import vocab
from reportkit.contract.findings import (
    COPY_MIN_CHARS,
    PROBLEMS_MIN_CHARS,
    PROSE_SECTIONS,
    T3,
    T4,
    Finding,
    _plain,
    finding,
)
from reportkit.ingest.tablesjson import (
    Tables,
    _known,
    _label_key,
    read_tables,
)

# =============================================================================================
# Narrative: numbers typed in by hand (R8)
# =============================================================================================


@dataclass(frozen=True)
class FigureName:
    """How narratives name a figure, and the table cells it is."""

    pattern: str
    cells: tuple  # ("t2", row, column) | ("t3", rows) | ("t4", kinds) | ("doc", kind)
    placeholder: str | None = None
    sections: tuple[str, ...] = ()  # () = any section
    money: bool = False
    veto: str = ""  # words between the name and the number that mean another quantity


_DECISIONS_VETO = r"申请|受理|立案|听证|复议|诉讼"
_REQUEST_SECTIONS = ("overview", "requests")


def _group(name: str) -> list[str]:
    return [o for o in vocab.OUTCOMES if o.split("/")[0] == name]


# fmt: off
FIGURE_NAMES: list[FigureName] = [
    FigureName(r"行政许可(?!法)", ("t2", vocab.LICENSING, vocab.T2_DECISIONS), "行政许可", veto=_DECISIONS_VETO),
    FigureName(r"行政处罚(?!法)", ("t2", vocab.PENALTY, vocab.T2_DECISIONS), "行政处罚", veto=_DECISIONS_VETO),
    FigureName(r"行政强制(?!法)", ("t2", vocab.ENFORCEMENT, vocab.T2_DECISIONS), "行政强制", veto=_DECISIONS_VETO),
    FigureName(r"行政事业性收费", ("t2", vocab.FEES, vocab.T2_FEES), "行政事业性收费", money=True),
    FigureName(r"规章(?!制度)", ("doc", vocab.REGULATION)),
    FigureName(r"(?:行政)?规范性文件", ("doc", vocab.NORMATIVE)),
    FigureName(r"(?:新收|收到|受理)(?:政府信息公开|信息公开|依申请公开)?申请", ("t3", [vocab.NEW_REQUESTS]), "新收申请"),
    FigureName(r"新收|收到", ("t3", [vocab.NEW_REQUESTS]), "新收申请", ("requests",)),
    FigureName(r"上年结转", ("t3", [vocab.CARRIED_IN]), "上年结转申请", _REQUEST_SECTIONS),
    FigureName(r"结转下一?年度?(?:继续办理)?", ("t3", [vocab.CARRIED_OUT]), "结转下年申请", _REQUEST_SECTIONS),
    FigureName(r"办结", ("t3", [vocab.TOTAL]), "办结申请", ("requests",)),
    FigureName(r"(?<!主动)予以公开", ("t3", [vocab.GRANTED]), "予以公开", _REQUEST_SECTIONS),
    FigureName(r"部分公开", ("t3", [vocab.PARTLY]), "部分公开", _REQUEST_SECTIONS),
    *(FigureName(group, ("t3", _group(group)), None, _REQUEST_SECTIONS)
      for _num, group, leaves in vocab.OUTCOME_GROUPS if leaves),
    FigureName(r"行政复议(?!法)", ("t4", [vocab.REVIEW]), "行政复议", ("appeals",)),
    FigureName(r"行政诉讼(?!法)", ("t4", [vocab.DIRECT_SUIT, vocab.SUIT_AFTER_REVIEW]), "行政诉讼", ("appeals",)),
]
# fmt: on
# Words saying which 表二 column a 规章 / 规范性文件 number is in.
DOCUMENT_QUALIFIERS = {
    r"制发|印发|出台|制定|发布": vocab.T2_ISSUED,
    r"废止|宣布失效": vocab.T2_ABOLISHED,
    r"现行有效|现有|有效": vocab.T2_IN_FORCE,
}
DOCUMENT_PLACEHOLDERS = {
    (vocab.REGULATION, vocab.T2_ISSUED): "规章制发",
    (vocab.REGULATION, vocab.T2_ABOLISHED): "规章废止",
    (vocab.REGULATION, vocab.T2_IN_FORCE): "规章现行有效",
    (vocab.NORMATIVE, vocab.T2_ISSUED): "规范性文件制发",
    (vocab.NORMATIVE, vocab.T2_ABOLISHED): "规范性文件废止",
    (vocab.NORMATIVE, vocab.T2_IN_FORCE): "规范性文件现行有效",
}
# After these words (up to the next comma), a number is another year's, a change or an estimate.
_OTHER_QUANTITY = (
    r"上年(?!结转)|去年|前年|同比|环比|较|比|增加|减少|增长|下降|上升|累计|约|近|超过|多于|少于|不足|占"
    r"|(?P<year>\d{4})\s*年"
)
# A count or an amount: digits right before a unit, not inside a 文号, a date or an item number.
_NUMBER = r"(?<![\d.A-Za-z〔\[(（第/])(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>件次|件|起|宗|项|个|次|万元)"
_SENTENCE = re.compile(r"[。；;！!？?\n]")
_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
PLACEHOLDER_MARK = "□"
MAX_GAP = 24  # characters between a figure's name and its number


@dataclass(frozen=True)
class StatedNumber:
    """A number typed into the narrative beside a figure's name."""

    name: FigureName
    column: str | None  # for 规章 / 规范性文件: which 表二 column the words say
    number: Decimal
    unit: str
    words: str


def _literal_text(template: str) -> str:
    """The template's own words: each {{ }} becomes a mark, each {% %} a sentence break."""
    marks = {"{{": PLACEHOLDER_MARK, "{%": "\n", "{#": ""}
    return _TEMPLATE_TAG.sub(lambda m: marks[m.group(0)[:2]], template)


def _tokens(sentence: str, slug: str) -> list[tuple[int, int, str, Any]]:
    """Figure names, qualifiers, other-quantity words, numbers and clause breaks, in order and
    without overlaps (the longest wins where two start together)."""
    found: list[tuple[int, int, str, Any]] = []

    def scan(pattern: str, kind: str, value: Callable[[re.Match], Any]) -> None:
        found.extend((m.start(), m.end(), kind, value(m)) for m in re.finditer(pattern, sentence))

    for name in FIGURE_NAMES:
        if not name.sections or slug in name.sections:
            scan(name.pattern, "name", lambda m, name=name: name)
    for pattern, column in DOCUMENT_QUALIFIERS.items():
        scan(pattern, "qualifier", lambda m, column=column: column)
    scan(_OTHER_QUANTITY, "other", lambda m: m.group("year"))
    scan(_NUMBER, "number", lambda m: m)
    scan(rf"[，,、：:{PLACEHOLDER_MARK}]", "break", lambda m: m.group(0))
    found.sort(key=lambda tok: (tok[0], tok[0] - tok[1]))
    kept: list[tuple[int, int, str, Any]] = []
    for tok in found:
        if not kept or tok[0] >= kept[-1][1]:
            kept.append(tok)
    return kept


def stated_numbers(template: str, slug: str, year: int) -> list[StatedNumber]:
    """Literal numbers right after a figure's name in the same clause (「行政许可105件」), skipping
    numbers of another year, changes and estimates, and names that are ambiguous."""
    out = []
    for sentence in _SENTENCE.split(_literal_text(template)):
        name: FigureName | None = None
        column, armed_at, ambiguous, other = None, None, False, False
        for start, end, kind, value in _tokens(sentence, slug):
            if kind == "break":  # a new clause; a placeholder has used up the name before it
                armed_at, other = None, False
                ambiguous = ambiguous and value != PLACEHOLDER_MARK
            elif kind == "name":
                ambiguous = armed_at is not None and value != name  # 「规章和规范性文件12件」
                name, armed_at = value, start
            elif kind == "qualifier":
                column = value  # 「制发规范性文件3件，废止1件」: 废止 re-arms the document name
                if name is not None and name.cells[0] == "doc" and armed_at is None:
                    armed_at = start
            elif kind == "other":
                other = other or value is None or int(value) != year
            elif kind == "number":
                if armed_at is not None and not ambiguous and not other:
                    stated = _stated(name, column, value, sentence[armed_at:end])
                    out += [stated] if stated else []
                armed_at, ambiguous = None, False
    return out


def _stated(
    name: FigureName, column: str | None, number: re.Match, words: str
) -> StatedNumber | None:
    """The number as stated, unless too far from the name or about another quantity."""
    gap = words[: -len(number.group(0))]
    if len(gap) > MAX_GAP or (name.veto and re.search(name.veto, gap)):
        return None
    return StatedNumber(name, column, Decimal(number.group("n")), number.group("unit"), words)


def _table_figure(t: Tables, s: StatedNumber) -> tuple[int | Decimal | None, str, str | None]:
    """The table's value for a stated number (None when unknown), how the table calls it, and the
    placeholder that prints it."""
    kind, *cells = s.name.cells
    if kind == "t2":
        row, col = cells
        return t.t2[row][col], f"表二{row}「{col}」", s.name.placeholder
    if kind == "doc":
        row = cells[0]
        if s.column is None:
            return None, "", None
        return (
            t.t2[row][s.column],
            f"表二{row}「{s.column}」",
            DOCUMENT_PLACEHOLDERS[(row, s.column)],
        )
    grid, table = (t.t3, T3) if kind == "t3" else (t.t4, T4)
    values = [grid[row][vocab.TOTAL] for row in cells[0]]
    names = "、".join(dict.fromkeys(row.split("/")[0] for row in cells[0]))
    return (sum(values) if _known(*values) else None), f"{table}「{names}」总计", s.name.placeholder


def check_stated_numbers(narrative: dict[str, str], tables: dict, year: int) -> list[Finding]:
    """R8: a number typed into the narrative beside a figure's name that differs from the table."""
    t, _ = read_tables(tables)
    out = []
    for slug, template in narrative.items():
        for s in stated_numbers(template, slug, year):
            expected, what, placeholder = _table_figure(t, s)
            if (
                s.name.money != (s.unit == "万元")
                or expected is None
                or Decimal(expected) == s.number
            ):
                continue
            fix = (
                f"请改用占位符 {{{{ {placeholder} }}}}，数字就会随台账自动生成"
                if placeholder
                else "请改正，或改用占位符让数字随台账自动生成"
            )
            out.append(
                finding(
                    "R8",
                    {"section": vocab.section_label(slug)},
                    expected,
                    s.number,
                    f"叙述写的「{s.words}」与{what}（{_plain(expected)}）不符；{fix}",
                )
            )
    return out


# =============================================================================================
# Narrative: headings, section 五, copies of last year
# =============================================================================================
_HEADING_KEYS = {_label_key(s["title"]): s["heading"] for s in vocab.SECTIONS}


def check_headings(narrative: dict[str, str]) -> list[Finding]:
    """R9: a narrative that types a section heading itself; the report prints the official one."""
    out = []
    for slug, template in narrative.items():
        for line in template.splitlines():
            heading = _HEADING_KEYS.get(_label_key(re.sub(r"[#*_\s]", "", line)))
            if heading:
                out.append(
                    finding(
                        "R9",
                        {"section": vocab.section_label(slug)},
                        None,
                        line.strip(),
                        f"叙述中写了标题「{line.strip()}」，而报告会自动印出规范标题「{heading}」，"
                        "请删去这一行",
                    )
                )
    return out


def check_rewrite_marks(narrative: dict[str, str]) -> list[Finding]:
    """T-rewrite: a section still carrying the mark that `reportkit init` puts on its drafts."""
    REWRITE_MARK = vocab.REWRITE_MARK

    return [
        finding(
            "T-rewrite",
            {"section": vocab.section_label(slug)},
            "按本机关本年的工作改写",
            "起草样板",
            f"仍是起草用的样板，请按本机关本年的工作改写，改写后删去「{REWRITE_MARK}」",
        )
        for slug, template in narrative.items()
        if REWRITE_MARK in template
    ]


def _meaningful(text: str) -> str:
    """Text without spaces and punctuation, for counting and comparing."""
    return re.sub(r"[\W_]+", "", text)


def check_problems_section(narrative: dict[str, str], texts: dict[str, str]) -> list[Finding]:
    """五 must say something: not the kit's reminder, not empty, not 「无」."""
    text = texts.get("problems", "")
    if "problems" in narrative and len(_meaningful(text)) >= PROBLEMS_MIN_CHARS:
        return []
    return [
        finding(
            "T-problems",
            {"section": vocab.section_label("problems")},
            f"至少{PROBLEMS_MIN_CHARS}字",
            text if "problems" in narrative else "未填写",
            "没有实际内容，请在参数文件 narrative 的「五」中写明本年存在的主要问题，以及上年问题的改进"
            "情况（空白、「无」或寥寥数字会被评为缺项）",
        )
    ]


def _without_numbers(text: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", "#", _meaningful(text))


def check_copied_narrative(
    narrative: dict[str, str],
    texts: dict[str, str],
    prev_narrative: dict[str, str],
    prev_texts: dict[str, str],
) -> list[Finding]:
    """R12: a section whose text is last year's. Prose sections (一, 五) count as copied even when
    only the numbers changed; the others, built on placeholders, only when every word and number is
    the same. Sections both years leave to the kit's default text are not copies."""
    out = []
    for s in vocab.SECTIONS:
        slug = s["slug"]
        same = _without_numbers if slug in PROSE_SECTIONS else _meaningful
        this, last = same(texts.get(slug, "")), same(prev_texts.get(slug, ""))
        written = slug in narrative or slug in prev_narrative
        if written and len(this) >= COPY_MIN_CHARS and this == last:
            aside = "（数字除外）" if slug in PROSE_SECTIONS else "，数字也一样"
            message = f"与上年报告的文字相同{aside}，请按本年的工作重写，不要照抄上年"
            out.append(
                finding("R12", {"section": s["heading"]}, "与上年不同", "与上年相同", message)
            )
    return out
