"""The params file (`params/<year>.yaml`): the control panel of one report, validated on load."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reportkit.contract import paths, vocab
from reportkit.contract.errors import ParamsError, shorten
from reportkit.contract.years import year_range_problem

PREFACE = vocab.PREFACE
# Every way a params file may name a narrative section -> the section's slug.
_SECTION_KEYS: dict[str, str] = {PREFACE: PREFACE, vocab.PREFACE_LABEL: PREFACE}
for _s in vocab.SECTIONS:
    for _k in (
        _s["slug"],
        _s["index"],
        _s["number"],
        _s["title"],
        _s["heading"],
        f"section{_s['index']}",
    ):
        _SECTION_KEYS[_k] = _s["slug"]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    office: str | None = Field(None, alias="办公室")
    address: str | None = Field(None, alias="地址")
    postcode: str | None = Field(None, alias="邮编")
    phone: str | None = Field(None, alias="电话")

    @field_validator("postcode", "phone", mode="before")
    @classmethod
    def _digits_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v


class Params(BaseModel):
    """One report's parameters. Keys beyond the contract's are optional and documented in README."""

    model_config = ConfigDict(extra="forbid", strict=False)
    agency: str
    year: int
    data_dir: str
    contact: Contact | None = None
    narrative: dict[str, str] = Field(default_factory=dict)
    # Whether the agency may make 规章 (governments with legislative power); None = not said.
    can_make_regulations: bool | None = None
    # Extra ledger columns holding personal data, dropped at reading like 申请人姓名.
    personal_columns: list[str] = Field(default_factory=list)
    # Marks fictional sample data: the report says 示例数据 everywhere.
    sample: bool = False
    # Last year's published report (tables.json, page or Word file), relative to this file: the
    # cross-year rules' source in a first reportkit year.
    previous: str | None = None
    # The report's date (成文日期), printed in its footer; None = the day it is built.
    date: dt.date | None = None

    # Filled by load_params, not by the file.
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("year", mode="before")
    @classmethod
    def _year_is_int(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().isdigit():  # "2021" quoted in YAML
            v = int(v.strip())
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError("应为整数年份，如 2021")
        problem = year_range_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("contact", mode="before")
    @classmethod
    def _contact_line(cls, v: Any) -> Any:
        # A single line of contact text is accepted as the office to contact.
        return {"办公室": v.strip()} if isinstance(v, str) else v

    @field_validator("narrative", mode="before")
    @classmethod
    def _sections(cls, v: Any) -> Any:
        if v is None:
            return {}
        if not isinstance(v, dict):
            raise ValueError("应为按章节写的叙述（章节: 文本）")
        out: dict[str, str] = {}
        for key, text in v.items():
            slug = _SECTION_KEYS.get(str(key).strip())
            if slug is None:
                raise ValueError(
                    f"不认识的章节「{shorten(key)}」，可用：前言、"
                    + "、".join(s["heading"] for s in vocab.SECTIONS)
                )
            if text is None:
                text = ""
            if not isinstance(text, str):
                raise ValueError(f"章节「{shorten(key)}」的叙述应为文本")
            out[slug] = text
        return out

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date) or v is None:
            return v
        try:  # YAML reads 2025-01-20 as a date; "2025-01-20" quoted arrives as text
            return dt.date.fromisoformat(str(v).strip())
        except ValueError:
            raise ValueError(f"应为日期，写作 YYYY-MM-DD，如 2025-01-20，实际为「{v}」") from None

    @property
    def data_path(self) -> Path:
        base = self.source.parent if self.source else paths.project_root()
        return (base / self.data_dir).resolve()

    @property
    def previous_path(self) -> Path | None:
        """`previous`, resolved like data_dir (relative to the params file's folder)."""
        if not self.previous:
            return None
        base = self.source.parent if self.source else paths.project_root()
        return (base / self.previous).resolve()


_TYPE_NAMES = {
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "dict_type": "应为键值对",
    "model_type": "应为键值对",
    "list_type": "应为列表",
}


def _explain(err: dict[str, Any]) -> tuple[str, str]:
    loc = shorten(".".join(str(p) for p in err["loc"]))
    kind = err["type"]
    if kind == "missing":
        return loc, "缺少必填项"
    if kind == "extra_forbidden":
        return loc, "不认识的键（请检查拼写；可用的键见 README）"
    if kind in _TYPE_NAMES:
        return loc, f"{_TYPE_NAMES[kind]}，实际为「{shorten(err.get('input'))}」"
    if kind in ("greater_than_equal", "less_than_equal"):
        return loc, f"超出合理范围：「{shorten(err.get('input'))}」"
    msg = str(err.get("msg", "")).removeprefix("Value error, ")
    return loc, shorten(msg, 300)  # pydantic may quote the value in its own words


# A params file is a page of settings and text: anything far bigger or deeper is not one.
MAX_PARAMS_BYTES = 1 << 20
MAX_PARAMS_DEPTH = 20


class _Refused(Exception):
    """A YAML construct the params file may not use, at a line of the file."""

    def __init__(self, mark: Any, message: str):
        self.line = mark.line + 1 if mark is not None else None
        super().__init__(message)


class _ParamsLoader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases (`&a` … `*a`): an alias repeated inside aliases
    expands a few lines into gigabytes. Nesting is bounded too, before Python's recursion is."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, f"使用了 YAML 别名（*{shorten(event.anchor, 30)}）")
        if getattr(event, "anchor", None):
            raise _Refused(event.start_mark, f"定义了 YAML 锚点（&{shorten(event.anchor, 30)}）")
        if self._depth >= MAX_PARAMS_DEPTH:
            raise _Refused(event.start_mark, f"嵌套超过{MAX_PARAMS_DEPTH}层")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _read_yaml(path: Path, shown: str) -> Any:
    """The params file's YAML, refusing what no params file needs: aliases, deep nesting, size."""
    size = path.stat().st_size
    if size > MAX_PARAMS_BYTES:
        raise ParamsError(
            shown,
            None,
            f"文件过大（{size // 1024} KB），参数文件应小于 {MAX_PARAMS_BYTES // 1024} KB",
        )
    text = path.read_text(encoding="utf-8-sig")
    try:
        return yaml.load(text, Loader=_ParamsLoader)  # a SafeLoader subclass
    except _Refused as e:
        where = f"第{e.line}行" if e.line else ""
        raise ParamsError(
            shown, None, f"{where}{e}：参数文件中不能使用锚点、别名或多层嵌套，请直接写出内容"
        ) from None


def load_params(source: str | Path | int | None = None, *, year: int | None = None) -> Params:
    """Read and validate a params file: a path, or a year meaning `params/<year>.yaml`."""
    if isinstance(source, int) and not isinstance(source, bool):
        year, source = source, None
    if source is None:
        if year is None:
            raise ParamsError("params/", None, "需要指定年份或参数文件")
        path = paths.params_file(year)
    else:
        path = Path(source)
    path = path.resolve()
    shown = str(path)
    if not path.is_file():
        raise ParamsError(shown, None, "文件不存在")
    try:
        raw = _read_yaml(path, shown)
    except UnicodeDecodeError:
        raise ParamsError(shown, None, "请以 UTF-8 编码保存") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"第{mark.line + 1}行" if mark else ""
        raise ParamsError(
            shown, None, f"YAML 格式错误{line}：{shorten(getattr(e, 'problem', e))}"
        ) from None
    if not isinstance(raw, dict):
        raise ParamsError(shown, None, "内容应为键值对（agency、year、data_dir …）")
    try:
        params = Params.model_validate(raw)
    except ValidationError as e:
        key, msg = _explain(e.errors()[0])
        raise ParamsError(shown, key, msg) from None
    params.source = path
    if year is not None and params.year != year:
        raise ParamsError(shown, "year", f"为 {params.year}，与所要求的 {year} 年不符")
    # params/2022.yaml saying 2021 would silently replace the 2021 outputs.
    named = re.fullmatch(r"\d{4}", path.stem)
    if named and int(path.stem) != params.year:
        why = f"为 {params.year}，但文件名表明是 {path.stem} 年：请改正其中之一"
        raise ParamsError(shown, "year", why)
    return params
