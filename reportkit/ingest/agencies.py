"""`agencies.yaml`: the agencies of a project, what each is built from, and which include which.

Without the file a project is a single agency (params/<year>.yaml) exactly as before. With it,
each entry names an agency by id (letters, digits and '-', the folder under outputs/), with
either `params:` (a folder of <year>.yaml: built from ledgers) or `published:` (a folder of its
published reports <year>.tables.json / .html / .htm / .docx), and optionally `includes:` (ids
whose tables its report aggregates with its own).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from reportkit.contract import paths, trace
from reportkit.contract.errors import UsageError

AGENCIES_FILE = "agencies.yaml"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
PUBLISHED_SUFFIXES = (".tables.json", ".html", ".htm", ".docx")


class AgenciesError(UsageError):
    """agencies.yaml is unusable, or names an agency or year that cannot be had."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    params: str | None = None
    published: str | None = None
    includes: list[str] = []
    name: str | None = None  # optional: a published-only agency's full name

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> Any:
        v = str(v) if isinstance(v, int) and not isinstance(v, bool) else v
        if not isinstance(v, str) or not _ID.match(v):
            raise ValueError(
                f"标识「{v}」只能由字母、数字和 - 组成，且以字母或数字开头，如 yjj、county-2"
            )
        return v

    @field_validator("includes", mode="before")
    @classmethod
    def _includes(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, str):  # `includes: yjj` for one
            return [v]
        return [str(x) for x in v] if isinstance(v, list) else v


@dataclass
class Agency:
    """One entry of agencies.yaml, its folders resolved against the project root."""

    id: str
    params: Path | None
    published: Path | None
    includes: list[str]
    name: str | None
    line: int  # where the entry starts in agencies.yaml, for messages

    def params_file(self, year: int) -> Path | None:
        return self.params / f"{year}.yaml" if self.params else None

    def published_file(self, year: int) -> Path | None:
        """This agency's published report for `year`, the first of the accepted kinds there."""
        if not self.published:
            return None
        for suffix in PUBLISHED_SUFFIXES:
            path = self.published / f"{year}{suffix}"
            if path.is_file():
                return path
        return None

    def has_year(self, year: int) -> bool:
        if self.params:
            return bool(self.params_file(year) and self.params_file(year).is_file())
        return self.published_file(year) is not None

    def years(self) -> list[int]:
        if self.params:
            return paths.params_years(self.params)
        if not self.published or not self.published.is_dir():
            return []
        found = {
            p.name.split(".")[0]
            for p in self.published.iterdir()
            if any(p.name.endswith(s) for s in PUBLISHED_SUFFIXES)
        }
        return sorted(int(y) for y in found if y.isdigit() and len(y) == 4)


@dataclass
class Registry:
    """Every agency of agencies.yaml, in file order."""

    root: Path
    path: Path
    agencies: dict[str, Agency] = field(default_factory=dict)

    def get(self, agency_id: str) -> Agency:
        if agency_id not in self.agencies:
            known = "、".join(self.agencies) or "无"
            raise AgenciesError(f"{self.path} 中没有机关「{agency_id}」（已有的机关：{known}）")
        return self.agencies[agency_id]

    def ordered(self, ids: list[str] | None = None) -> list[str]:
        """`ids` (default: all) with every agency after the agencies it includes, otherwise in
        file order (cycles were refused on load)."""
        wanted = list(dict.fromkeys(ids)) if ids is not None else list(self.agencies)
        for a in wanted:
            self.get(a)
        done: list[str] = []

        def visit(a: str) -> None:
            if a in done:
                return
            for b in self.agencies[a].includes:
                visit(b)
            done.append(a)

        for a in self.agencies:  # file order decides among independent agencies
            visit(a)
        return [a for a in done if a in wanted]

    def including(self, params_file: Path | None) -> Agency | None:
        """The agency whose params folder holds `params_file`, if any."""
        if params_file is None:
            return None
        folder = Path(params_file).resolve().parent
        for a in self.agencies.values():
            if a.params is not None and a.params.resolve() == folder:
                return a
        return None

    def out_dir(self, agency_id: str, year: int) -> Path:
        return self.root / "outputs" / agency_id / str(year)

    def tables_files(self, agency_id: str, year: int) -> list[Path]:
        """Every file tables_of() would take an agency's `year` from, whether there or not: its
        build's tables.json, or each kind of published report in its folder."""
        a = self.get(agency_id)
        if a.params is not None:
            return [self.out_dir(a.id, year) / "tables.json"]
        return [a.published / f"{year}{s}" for s in PUBLISHED_SUFFIXES] if a.published else []

    def tables_of(
        self, agency_id: str, year: int, *, for_id: str | None = None
    ) -> tuple[dict, Path]:
        """An included agency's tables for `year`: its build's tables.json (outputs/<id>/<Y>/),
        or its published report. `for_id`: the including agency, named in the message."""
        a = self.get(agency_id)
        who = f"机关「{for_id}」汇总所含的" if for_id else ""
        if a.params is not None:
            path = self.out_dir(a.id, year) / "tables.json"
            if not path.is_file():
                raise AgenciesError(
                    f"{who}机关「{a.id}」还没有{year}年的统计表（{paths.shown(path, self.root)} 不存在）："
                    f"请先生成它的报告（reportkit build --year {year} --agency {a.id}），或用 --all 一并生成"
                )
            return _load_json(path), path
        path = a.published_file(year)
        if path is None:
            kinds = "、".join(f"{year}{s}" for s in PUBLISHED_SUFFIXES)
            raise AgenciesError(
                f"{who}机关「{a.id}」在 {paths.shown(a.published, self.root)} 中没有{year}年已发布的报告"
                f"（应为 {kinds} 之一）"
            )
        return read_published(path), path


def _load_json(path: Path) -> dict:
    from reportkit.ingest.tablesjson import load_tables

    return load_tables(path)


def read_published(path: Path) -> dict:
    """A published report's tables: a tables.json, or a saved page or Word file imported."""
    from reportkit.ingest.tablesjson import load_any

    return load_any(path)


# ------------------------------------------------------------------------------------------------
# Loading and validating
# ------------------------------------------------------------------------------------------------
def _entry_lines(text: str) -> list[int]:
    """The line (1-based) where each item of `agencies:` starts; empty when not plain YAML."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "agencies" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _problem(
    path: Path, index: int, line: int | None, agency_id: Any, message: str
) -> AgenciesError:
    where = f"第{line}行" if line else ""
    who = f"第{index + 1}项" + (f"（id: {agency_id}）" if agency_id is not None else "")
    return AgenciesError(f"{path}{where} {who}：{message}")


def load(root: Path | None = None) -> Registry | None:
    """The project's agencies.yaml, validated, or None when the project has none. Inside a
    section, recorded as read, there or not: it says who sums whom, so a section re-runs when it
    is written or edited (an agency added to or taken from `includes`)."""
    root = (root or paths.project_root()).resolve()
    if trace.enabled():
        trace.file_read(root / AGENCIES_FILE)
    path = root / AGENCIES_FILE
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
        # libyaml's safe loader where PyYAML was built with it: the same documents, ten times as
        # fast (every section of an office's batch reads this file).
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except UnicodeDecodeError:
        raise AgenciesError(f"{path}：请以 UTF-8 编码保存") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else ""
        raise AgenciesError(f"{path}{where}：YAML 格式错误：{getattr(e, 'problem', e)}") from None
    registry = Registry(root, path)
    if data is None:
        return registry
    entries = data.get("agencies") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise AgenciesError(
            f"{path}：应为 agencies: 下的列表，每项含 id 和 params 或 published（见 README）"
        )
    lines = _entry_lines(text)
    for i, raw in enumerate(entries):
        line = lines[i] if i < len(lines) else None
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(raw, dict):
            raise _problem(path, i, line, None, "应为键值对（id、params 或 published、includes）")
        try:
            e = _Entry.model_validate(raw)
        except ValidationError as err:
            first = err.errors()[0]
            key = ".".join(str(p) for p in first["loc"]) or "?"
            msg = {
                "missing": "缺少必填项",
                "extra_forbidden": "不认识的键（可用：id、params、published、includes、name）",
            }.get(first["type"], str(first.get("msg", "")).removeprefix("Value error, "))
            raise _problem(path, i, line, raw_id, f"「{key}」{msg}") from None
        if e.id in registry.agencies:
            first_line = registry.agencies[e.id].line
            raise _problem(path, i, line, e.id, f"标识重复（第{first_line}行已有同一标识）")
        if bool(e.params) == bool(e.published):
            why = "同时写了" if e.params else "缺少"
            raise _problem(
                path,
                i,
                line,
                e.id,
                f"{why} params 和 published：有台账的机关写 params（参数文件夹），"
                "只有已发布报告的机关写 published（报告文件夹），二者必居其一",
            )
        registry.agencies[e.id] = Agency(
            id=e.id,
            params=(root / e.params).resolve() if e.params else None,
            published=(root / e.published).resolve() if e.published else None,
            includes=list(dict.fromkeys(e.includes)),
            name=e.name,
            line=line or i + 1,
        )
    for i, a in enumerate(registry.agencies.values()):
        for b in a.includes:
            if b not in registry.agencies:
                known = "、".join(registry.agencies)
                raise _problem(
                    path, i, a.line, a.id, f"includes 中的「{b}」不是已列出的机关（已有：{known}）"
                )
            if b == a.id:
                raise _problem(path, i, a.line, a.id, "includes 不能包含自己")
        if a.includes and a.params is None:
            raise _problem(
                path, i, a.line, a.id, "只有已发布报告（published）的机关不能写 includes"
            )
    _refuse_cycles(registry)
    return registry


def _refuse_cycles(registry: Registry) -> None:
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(a: str, trail: list[str]) -> None:
        if state.get(a) == 2:
            return
        if state.get(a) == 1:
            cycle = trail[trail.index(a) :] + [a]
            first = registry.agencies[cycle[0]]
            raise AgenciesError(
                f"{registry.path}第{first.line}行（id: {first.id}）：includes 形成循环："
                + " → ".join(cycle)
            )
        state[a] = 1
        for b in registry.agencies[a].includes:
            visit(b, trail + [a])
        state[a] = 2

    for a in registry.agencies:
        visit(a, [])


def agency_name(registry: Registry, agency_id: str, year: int) -> str:
    """An agency's full name for a year: its params' `agency`, a published report's, else the id."""
    a = registry.get(agency_id)
    if a.params is not None and a.params_file(year) and a.params_file(year).is_file():
        try:
            raw = yaml.safe_load(a.params_file(year).read_text(encoding="utf-8-sig"))
            if isinstance(raw, dict) and raw.get("agency"):
                return str(raw["agency"])
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            pass
    if a.name:
        return a.name
    published = a.published_file(year)
    if published is not None and published.name.endswith(".json"):
        try:
            return str(json.loads(published.read_text(encoding="utf-8-sig")).get("agency") or a.id)
        except (OSError, ValueError):
            pass
    return a.id
