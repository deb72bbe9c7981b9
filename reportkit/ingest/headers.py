"""A ledger's header: which row it is, where each column of the schema is, which columns are personal."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from reportkit.contract.schema import (
    _ENGLISH_HINTS,
    _NOT_PERSONAL_ENDINGS,
    _SIMPLIFIED,
    HEAD_ROWS,
    PEOPLE_LEDGERS,
    PERSONAL_COLUMNS,
    PERSONAL_HINTS,
    Schema,
)
from reportkit.ingest.cells import (
    _TRAILING_NOTE,
    _column_letter,
    _header_key,
    _is_blank,
    _shown,
    norm,
)
from reportkit.ingest.problems import Problems
from reportkit.ingest.sheets import _problem, _Sheet


@dataclass
class Header:
    """Where a ledger's header is and what its columns hold."""

    row: int  # 0-based row of the header in the grid
    columns: dict[str, int]  # schema column -> grid column
    personal: list[int]  # grid columns holding personal data


def find_header(sheet: _Sheet, schema: Schema, shown: str, personal_names: set[str]) -> Header:
    """The header row (a title row may sit above it), each schema column's position and the
    personal columns. A near miss of a column name is an error: the column would go unread."""
    head = sheet.head
    exact = {norm(c.name): c.name for c in schema.columns}
    bare = {_TRAILING_NOTE.sub("", k): name for k, name in exact.items() if "(" not in k}
    elsewhere = next(
        (
            title
            for title, rows in sheet.other_heads.items()
            if any(
                all(r in _match_columns(row, exact, bare) for r in schema.required) for row in rows
            )
        ),
        None,
    )
    where = (
        f"；表头在工作表「{elsewhere}」中，台账应放在第一个工作表（请把该工作表拖到最前）"
        if elsewhere
        else ""
    )
    if sheet.empty or not head:  # not head: a CSV of a byte-order mark alone
        raise _problem(
            shown,
            f"文件是空的：第1行应为表头（{'、'.join(schema.required)} …），其下每行一条记录{where}",
        )
    best: tuple[int, dict[str, int]] = (0, {})
    for i, row in enumerate(head):
        found = _match_columns(row, exact, bare)
        if all(r in found for r in schema.required):
            best = (i, found)
            break
        if len(found) > len(best[1]):
            best = (i, found)
    at, found = best
    row_cells = list(head[at])
    problems = Problems(shown)
    missing = [r for r in schema.required if r not in found]
    if not found:
        problems.add(
            None,
            None,
            None,
            f"找不到表头：前{HEAD_ROWS}行中没有一行含「{'」「'.join(schema.required)}」{where}"
            f"（表头可在标题行之下；列名须与规定一致，见 README）",
        )
        problems.raise_if_any()
    keys = [_header_key(h) if not _is_blank(h) else "" for h in row_cells]
    unmatched = [c.name for c in schema.columns if c.name not in found]
    # Two columns with one name: which one counts would be a guess.
    for name, j in found.items():
        twins = [
            k
            for k, h in enumerate(keys)
            if k != j and _match_columns([row_cells[k]], exact, bare).get(name) == 0
        ]
        if twins:
            letters = "和".join(_column_letter(k) for k in (j, *twins))
            problems.add(
                at + 1, name, None, f"表头中有多列都是「{name}」（{letters}列），请只保留一列"
            )
    hinted = schema.stem in PEOPLE_LEDGERS
    personal = [
        j
        for j, k in enumerate(keys)
        if k and _is_personal(k, personal_names, hinted) and j not in found.values()
    ]
    for name, j in list(found.items()):
        bare = personal_key(_TRAILING_NOTE.sub("", keys[j]))
        if personal_key(name) in personal_names or bare in personal_names:
            col = next(c for c in schema.columns if c.name == name)
            if col.required:
                problems.add(
                    at + 1,
                    name,
                    None,
                    "是本台账的必填列，不能在参数文件的 personal_columns 中标为个人信息",
                )
            else:  # marked personal in the params: dropped like 申请人姓名
                personal.append(j)
                del found[name]
    taken = set(found.values()) | set(personal)
    hints = {}
    for j, k in enumerate(keys):
        if not k or j in taken:
            continue
        near = _near_column(k, unmatched)
        if near and near not in hints:
            hints[near] = (j, _shown(row_cells[j]))
    for m in missing:
        hint = ""
        if m in hints:
            j, typed = hints.pop(m)
            hint = f"；{_column_letter(j)}列的「{typed}」{_rename(str(typed), m, '是否就是此列？')}"
        problems.add(
            at + 1, m, None, f"缺少必填列「{m}」（表头应含：{'、'.join(schema.required)}）{hint}"
        )
    for name, (_j, typed) in hints.items():
        problems.add(
            at + 1,
            str(typed),
            None,
            f"不是本台账的列名，{_rename(str(typed), name, f'是否应为「{name}」？')}，否则这一列不会被读取",
        )
    problems.raise_if_any()
    return Header(at, found, sorted(set(personal)))


def _rename(typed: str, name: str, question: str) -> str:
    """How to turn a header as typed into the column it was meant as."""
    unit = re.search(r"\(([^()]*)\)$", norm(name))
    typed_unit = re.search(r"\(([^()]*)\)$", norm(typed))
    if unit and typed_unit and unit.group(1) != typed_unit.group(1):
        return f"单位不同：此列应以{unit.group(1)}计，请把数值换算为{unit.group(1)}后，把列名改为「{name}」"
    return f"{question}请把列名改为「{name}」"


def _match_columns(
    row: list[object], exact: dict[str, str], bare: dict[str, str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for j, h in enumerate(row):
        if _is_blank(h):
            continue
        key = _header_key(h)
        name = exact.get(key) or bare.get(_TRAILING_NOTE.sub("", key))
        if name and name not in found:
            found[name] = j
    return found


def personal_column(header: object, stem: str, extra: Iterable[str] = ()) -> bool:
    """Whether a ledger column holds personal data: dropped as the ledger is read, its values
    searched for in every output by the privacy guard.

    A column is personal when its header (spaces, width, letter case, quotation marks, a trailing
    note in brackets and traditional characters aside: 證件號碼 = 证件号码, EMAIL = Email,
    申请人（代理人）= 申请人) is
    - one of PERSONAL_COLUMNS, in any ledger: 申请人姓名, 证件号码, 联系电话, 地址,
      申请人, 姓名, 联系人, 代理人, 身份证号, 身份证号码, 手机号码, 电子邮箱, 邮箱, 住址,
      微信, QQ, Email;
    - or one listed in the params' `personal_columns`;
    - or, in the ledgers about people (依申请公开、复议诉讼、行政许可、处罚、强制、收费),
      one that contains a word of PERSONAL_HINTS: 姓名, 身份证, 证件, 电话, 手机, 住址,
      地址, 联系人, 联系方式, 邮箱, 邮件, 微信, QQ, 当事人, 代理人, 申请人 — or, in
      English, Name, Phone, Tel, Mobile, Email/E-mail, Address, WeChat, ID/ID No. —,
      unless it names a kind or a count: 申请人类型 (a required column), 证件类型, 申请人数
      are not personal.
    A column of the ledger's own schema (申请人类型, 申请内容 …) is never personal by a hint.
    """
    names = {personal_key(c) for c in (*PERSONAL_COLUMNS, *extra)}
    return _is_personal(_header_key(header), names, stem in PEOPLE_LEDGERS)


def personal_key(text: object) -> str:
    """A header or column name as personal columns are matched: norm(), simplified characters,
    lower case (Email = email)."""
    return norm(text).translate(_SIMPLIFIED).lower()


def _is_personal(key: str, personal_names: set[str], hinted: bool) -> bool:
    key = key.translate(_SIMPLIFIED).lower()
    base = _TRAILING_NOTE.sub("", key)
    if key in personal_names or base in personal_names:
        return True
    if not hinted or base.endswith(_NOT_PERSONAL_ENDINGS):
        return False
    return any(h in key for h in PERSONAL_HINTS) or bool(_ENGLISH_HINTS.search(base))


def _near_column(key: str, names: list[str]) -> str | None:
    """The schema column a header cell was probably meant as: same name but its unit, or one or
    two characters off."""
    stripped = _TRAILING_NOTE.sub("", key)
    for name in names:
        if _TRAILING_NOTE.sub("", norm(name)) == stripped:
            return name
    for name in names:
        target = norm(name)
        if (
            abs(len(target) - len(key)) <= 1
            and difflib.SequenceMatcher(None, key, target).ratio() >= 0.75
        ):
            return name
    return None
