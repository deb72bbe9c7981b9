"""Label variants printed in published reports, mapped to the official labels of vocab.py."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass

from reportkit.contract import vocab

# Spaces of every width, zero-width marks and quotation marks: printed labels differ by them only.
_NOISE = re.compile(r"[\s\u00a0\u3000\u200b\u200c\u200d\ufeff\"'“”‘’「」『』]+")


@functools.lru_cache(maxsize=8192)
def key(text: str) -> str:
    """The matching key of a printed label: NFKC (full width -> half width), no spaces or quotes."""
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _NOISE.sub("", text)


@functools.lru_cache(maxsize=8192)
def bare(text: str) -> str:
    """key() without the numbering in front (「（七）总计」 -> 「总计」)."""
    k = key(text)
    stripped = vocab.NUMBERING.sub("", k)
    return stripped or k


# ---------------------------------------------------------------------------------------------
# 表二
# ---------------------------------------------------------------------------------------------
T2_ROWS: dict[str, str] = {
    bare(row): row for _item, rows, _cols in vocab.TABLE2_LAYOUT for row in rows
}
T2_ALIASES: dict[str, str] = {bare(k): v for k, v in vocab.ALIASES.items()}
T2_ALIASES[bare("其他对外管理服务事项")] = ""  # a 2019 row; never a 2021 one

# Labels only the superseded 2019 template (国办公开办函〔2019〕60号) prints.
TEMPLATE_2019 = {
    bare(label)
    for label in (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "本年增减",
        "第二十条第（九）项",
        "采购项目数量",
        "采购总金额",
        "其他对外管理服务事项",
    )
}


# ---------------------------------------------------------------------------------------------
# 表三
# ---------------------------------------------------------------------------------------------
T3_FIXED: dict[str, str] = {
    bare(vocab.NEW_REQUESTS): vocab.NEW_REQUESTS,
    bare(vocab.CARRIED_IN): vocab.CARRIED_IN,
    bare(vocab.CARRIED_OUT): vocab.CARRIED_OUT,
    bare(vocab.TOTAL): vocab.TOTAL,
    bare(vocab.GRANTED): vocab.GRANTED,
    bare(vocab.PARTLY): vocab.PARTLY,
    bare(vocab.PARTLY_LABEL): vocab.PARTLY,
}
# Groups with leaves: key -> group name.
T3_GROUPS: dict[str, str] = {bare(g): g for _n, g, leaves in vocab.OUTCOME_GROUPS if leaves}
# Leaves: key -> "group/leaf". Leaf names are unique across groups.
T3_LEAVES: dict[str, str] = {
    bare(leaf): f"{g}/{leaf}" for _n, g, leaves in vocab.OUTCOME_GROUPS for leaf in leaves
}
T3_HEADERS = {bare(vocab.RESULTS), bare(vocab.T3_APPLICANT), bare(vocab.T3_TITLE_NOTE)}
OTHER_GROUP = vocab.OUTCOME_GROUPS[5][1]
_OVERDUE_SUPPLEMENT, _OVERDUE_FEE, _OTHER_LEAF = (
    f"{OTHER_GROUP}/{leaf}" for leaf in vocab.OUTCOME_GROUPS[5][2]
)
# Shortened （六） labels that some templates print: (words in the label) -> official key.
_SHORT_FORMS: list[tuple[tuple[str, ...], str]] = [
    (("逾期", "补正"), _OVERDUE_SUPPLEMENT),
    (("逾期", "缴"), _OVERDUE_FEE),
    (("逾期", "费"), _OVERDUE_FEE),
]
T3_COLUMNS: dict[str, str] = {bare(c): c for c in vocab.T3_COLUMNS}

# ---------------------------------------------------------------------------------------------
# 表四
# ---------------------------------------------------------------------------------------------
T4_KINDS: dict[str, str] = {bare(k): k for k in vocab.APPEAL_KINDS}
T4_COLUMNS: dict[str, str] = {bare(c): c for c in vocab.T4_COLUMNS}

_SUGGESTIONS: dict[str, str] = {
    **{k: v for k, v in T3_FIXED.items()},
    **{k: v for k, v in T3_LEAVES.items()},
    **{k: v for k, v in T2_ROWS.items()},
}


def suggest(label: str) -> str | None:
    """The official label closest to a printed one, for a 「是不是……」 note."""
    close = difflib.get_close_matches(bare(label), list(_SUGGESTIONS), n=1, cutoff=0.6)
    return _SUGGESTIONS[close[0]] if close else None


@dataclass
class RowMatch:
    """What a 表三 row's printed labels name: an official row key, or why not."""

    row: str | None  # the tables.json key, or None
    group: str | None  # the outcome group the labels name or continue
    note: str | None = None  # how a variant was read, or why a label was refused
    group_only: bool = False  # a group with leaves printed as one row (the 2019 （六）)
    unknown: str | None = None  # a label that is no official row's

    def refusal(self) -> str | None:
        """The note for an unknown label, with a 「是不是……」 (looked up only when needed)."""
        if self.unknown is None:
            return None
        guess = suggest(self.unknown)
        hint = f"是不是「{guess}」？" if guess else "请按规定格式的名称改正。"
        return f"表三「{self.unknown}」行不是规定格式的行名，未读入；{hint}"


def t3_row(labels: list[str], group: str | None) -> RowMatch:
    """The 表三 row that a row's label cells (left to right) name. `group` is the outcome group of
    the rows above, for pages that print a group's name only on its first row."""
    keys = [bare(label) for label in labels if key(label)]
    if not keys:
        return RowMatch(None, group)
    for k in keys:
        for gk, name in T3_GROUPS.items():
            if k == gk or (k.startswith(gk) and len(k) > len(gk)):
                group = name
    last = keys[-1]
    printed = labels[-1].strip()
    if last in T3_FIXED:
        return RowMatch(T3_FIXED[last], None if T3_FIXED[last] in _ENDS_GROUPS else group)
    if last in T3_GROUPS:
        return RowMatch(None, T3_GROUPS[last], group_only=True)
    if last in T3_LEAVES:
        return RowMatch(T3_LEAVES[last], group)
    if last.startswith(bare(vocab.PARTLY)):
        return RowMatch(vocab.PARTLY, None)
    for (
        gk,
        name,
    ) in T3_GROUPS.items():  # group and leaf in one cell: 「（三）不予公开1.属于国家秘密」
        if last.startswith(gk):
            rest = bare(last[len(gk) :])
            if rest in T3_LEAVES:
                return RowMatch(T3_LEAVES[rest], group)
            if not rest:
                return RowMatch(None, name, group_only=True)
    if group == OTHER_GROUP or "逾期" in last:
        for words, official in _SHORT_FORMS:
            if all(w in last for w in words):
                note = f"表三「{printed}」行按「{official}」读入（规定格式的名称是「{official.split('/')[1]}」）"
                return RowMatch(official, OTHER_GROUP, note)
    if last in T3_HEADERS:
        return RowMatch(None, group)
    if group is not None:
        # A leaf printed with a slip inside its group (「5.属于三类内容事务信息」 on a real page):
        # within one group the leaves differ enough that a close match names one.
        leaves = {k: v for k, v in T3_LEAVES.items() if v.startswith(group + "/")}
        close = difflib.get_close_matches(last, list(leaves), n=1, cutoff=0.8)
        if close:
            official = leaves[close[0]]
            note = f"表三「{printed}」行按「{official}」读入（规定格式的名称是「{official.split('/')[1]}」）"
            return RowMatch(official, group, note)
    return RowMatch(None, group, unknown=printed)


_ENDS_GROUPS = {vocab.NEW_REQUESTS, vocab.CARRIED_IN, vocab.CARRIED_OUT, vocab.TOTAL}


def t2_row(label: str) -> tuple[str | None, str | None]:
    """The 表二 row a printed label names, and a note when it is a variant (「规范性文件」)."""
    k = bare(label)
    if k in T2_ROWS:
        return T2_ROWS[k], None
    official = T2_ALIASES.get(k)
    if official:
        return (
            official,
            f"表二「{label.strip()}」行按「{official}」读入（规定格式的名称是「{official}」）",
        )
    return None, None
