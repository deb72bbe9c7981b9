"""Starting an agency (`reportkit init`) and a new report year (`reportkit new-year`).

Both only add files: an existing params file, ledger or agencies.yaml entry is never replaced;
the command refuses and says what is in the way before it writes anything.

An agency's id names its folders (params/<id>/, data/<id>/, outputs/<id>/). It is derived from
the name only when the name is written in Latin letters; a Chinese name needs --id, since a
meaningless `agency-3` would then name the agency's folders for years.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportkit.compute import narrative
from reportkit.contract import paths, vocab
from reportkit.contract.errors import ReportkitError
from reportkit.contract.years import year_range_problem

AGENCIES_FILE = "agencies.yaml"
# Put into narrative that a person must rewrite; `reportkit check` warns while it is there.
REWRITE_MARK = vocab.REWRITE_MARK
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")

# What each section should say, as comments above it in a new params file.
SECTION_HINTS: dict[str, str] = {
    vocab.PREFACE: "前言：一般不必改动；联系方式取自上面的 contact。",
    "overview": "写本年的工作措施（组织领导、制度建设、平台建设、监督保障等）；数字写成占位符，如 {{ 行政许可 }}、{{ 宣传.场次|约 }}。",
    "proactive": "表二由台账自动生成；这里写主动公开的重点和数量，数字写成占位符。",
    "requests": "表三由台账自动生成；下面的文字随数字自动变化，可保留，也可补充办理工作的做法。",
    "appeals": "表四由台账自动生成；下面的文字随数字自动变化，可保留；有纠错的，写明整改情况。",
    "problems": "必须按实际写：本年存在的主要问题，以及上年问题的改进情况（空白或写「无」会被评为缺项）。",
    "other": "信息处理费的收取情况，以及人大代表建议、政协提案办理等其他需要报告的事项。",
}
# Sections a person writes (the others are placeholder text that follows the numbers).
PROSE = {"overview", "proactive", "problems"}
PROBLEMS_DRAFT = "**存在的主要问题：** 一是……；二是……。\n\n**改进情况：** 一是（对上年所列问题的改进）……；二是……。\n"


@dataclass
class Written:
    """What a command wrote, and what the user should do next."""

    files: list[Path] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    def summary(self, root: Path) -> str:
        lines = ["已生成："] + [f"  {paths.shown(p, root)}" for p in self.files]
        lines += ["接下来："] + [f"  {i}. {s}" for i, s in enumerate(self.next_steps, start=1)]
        return "\n".join(lines)


def _q(value: object) -> str:
    """A YAML scalar that reads back as exactly `value` (JSON strings are YAML strings)."""
    return json.dumps(value, ensure_ascii=False)


# ------------------------------------------------------------------------------------------------
# agencies.yaml
# ------------------------------------------------------------------------------------------------
def read_agencies(root: Path) -> list[dict[str, Any]] | None:
    """The entries of `agencies.yaml`, or None when the project has none."""
    path = root / AGENCIES_FILE
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise ReportkitError(f"{path}：无法读取（{type(e).__name__}），请检查 YAML 格式") from None
    if data is None:
        return []
    entries = data.get("agencies") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ReportkitError(f"{path}：应为 agencies: 下的列表，每项含 id（见 README）")
    return entries


def _add_agency(root: Path, entry: dict[str, Any]) -> Path:
    """Append `entry` to agencies.yaml, keeping the file's own text (and comments) when the
    appended lines read back as intended; otherwise the whole file is written anew."""
    path = root / AGENCIES_FILE
    old = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    entries = read_agencies(root) or []
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, indent=2)
    block = "".join(f"  {line}\n" for line in block.splitlines())
    text = (old.rstrip("\n") + "\n" if old.strip() else "agencies:\n") + block
    try:
        ok = yaml.safe_load(text).get("agencies") == [*entries, entry]
    except (yaml.YAMLError, AttributeError):
        ok = False
    if not ok:  # e.g. a flow-style list: rewrite, keeping every other key
        data = yaml.safe_load(old) if old.strip() else {}
        data = data if isinstance(data, dict) else {}
        data["agencies"] = [*entries, entry]
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def agency_params_dir(agency_id: str, root: Path) -> Path:
    """The folder of an agency's params: from agencies.yaml, else `params/<id>/`."""
    for entry in read_agencies(root) or []:
        if str(entry.get("id")) == agency_id:
            if not entry.get("params"):
                raise ReportkitError(
                    f"机关「{agency_id}」在 {AGENCIES_FILE} 中没有 params（只有已发布的报告），无需生成参数文件"
                )
            return root / str(entry["params"])
    folder = root / "params" / agency_id
    if folder.is_dir():
        return folder
    known = [str(e.get("id")) for e in read_agencies(root) or []]
    listed = f"已有的机关：{'、'.join(known)}" if known else f"{AGENCIES_FILE} 中还没有机关"
    raise ReportkitError(f"找不到机关「{agency_id}」（{listed}）；新机关请先运行 reportkit init")


# ------------------------------------------------------------------------------------------------
# init
# ------------------------------------------------------------------------------------------------
def agency_id_for(name: str) -> str | None:
    """An id from a name written in Latin letters ("Demo Bureau" -> "demo-bureau"); None for a
    Chinese name, which has no spelling reportkit could choose for the agency."""
    if not name.isascii():
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or None


def params_text(agency: str, year: int, data_dir: str) -> str:
    """A new agency's params file: every section drafted, with hints, marked for rewriting."""
    defaults = narrative.default_texts()
    lines = [
        f"# {agency}{year}年政府信息公开工作年度报告的参数（由 reportkit init 生成）。",
        f"# 叙述是起草用的样板：请按本机关本年的工作改写，改写后删去「{REWRITE_MARK}」（reportkit check 会提示）。",
        "# 叙述中的数字请写成占位符（{{ … }}），由 reportkit 从台账计算；可用的占位符见 README「叙述占位符」。",
        f"agency: {_q(agency)}",
        f"year: {year}",
        f"data_dir: {_q(data_dir)}  # 台账文件夹，相对于本文件",
        "contact:  # 印在前言中的联系方式；不需要的项可删去",
        '  办公室: ""  # 如 某某局办公室',
        '  地址: ""',
        '  邮编: ""',
        '  电话: ""',
        "# can_make_regulations: false  # 没有规章制定权的机关（如县级部门）请删去本行开头的 #",
        "# previous: ../../published/上年报告.tables.json  # 上年报告不是用 reportkit 生成的：上年已发布的报告",
        "# date: 2025-01-20  # 成文日期，印在报告末尾；不写则为生成报告之日",
        "narrative:",
    ]
    for slug in narrative.SLUGS:
        heading = vocab.section_label(slug)
        text = PROBLEMS_DRAFT if slug == "problems" else defaults.get(slug, "")
        if slug in PROSE:
            text = REWRITE_MARK + text
        lines.append(f"  # {SECTION_HINTS[slug]}")
        lines.append(f"  {heading}: |")
        lines += [f"    {line}" if line.strip() else "" for line in text.rstrip("\n").splitlines()]
    return "\n".join(lines) + "\n"


def init_agency(
    name: str, year: int, agency_id: str | None = None, root: Path | None = None
) -> Written:
    """`reportkit init`: params/<id>/<year>.yaml, data/<id>/ with a blank ledger for each kind,
    and the agency's entry in agencies.yaml. Refuses before writing when anything is in the way."""
    from reportkit.ingest.ledgers import SCHEMAS
    from reportkit.pipeline.blanks import write_blank_ledger

    root = (root or paths.project_root()).resolve()
    name = name.strip()
    if not name:
        raise ReportkitError("请用 --agency 写明机关全称，如 --agency 某某市应急管理局")
    if not name.isprintable():  # a line break would end the comment it is quoted in
        raise ReportkitError(f"机关名称「{name!r}」含换行或控制字符，请只写一行名称")
    if year_range_problem(year):
        raise ReportkitError(f"--year {year}：{year_range_problem(year)}")
    agency_id = agency_id or agency_id_for(name)
    if agency_id is None:
        raise ReportkitError(
            f"请用 --id 给「{name}」起一个简短的标识（字母、数字和 -），如 --id yjj；"
            "它是该机关的文件夹名：params/<id>/、data/<id>/、outputs/<id>/"
        )
    if not _ID.match(agency_id):
        raise ReportkitError(
            f"标识「{agency_id}」只能由字母、数字和 - 组成，且以字母或数字开头，如 yjj、county-2"
        )
    params_file = root / "params" / agency_id / f"{year}.yaml"
    data_dir = root / "data" / agency_id
    in_the_way = [params_file] if params_file.exists() else []
    for stem in SCHEMAS:
        in_the_way += [
            p for p in (data_dir / f"{stem}.xlsx", data_dir / f"{stem}.csv") if p.exists()
        ]
    if in_the_way:
        shown = "、".join(paths.shown(p, root) for p in in_the_way)
        raise ReportkitError(
            f"未生成任何文件：{shown} 已存在，不会覆盖。已有的机关开始新的一年请用 reportkit new-year {year}"
        )
    known = {str(e.get("id")) for e in read_agencies(root) or []}
    if agency_id in known:
        raise ReportkitError(
            f"未生成任何文件：{AGENCIES_FILE} 中已有机关「{agency_id}」；开始新的一年请用 "
            f"reportkit new-year {year} --agency {agency_id}，新机关请换一个 --id"
        )

    written = Written()
    params_file.parent.mkdir(parents=True, exist_ok=True)
    rel_data = Path("..", "..", "data", agency_id).as_posix()
    params_file.write_text(params_text(name, year, rel_data), encoding="utf-8")
    written.files.append(params_file)
    for stem in SCHEMAS:
        target = data_dir / f"{stem}.xlsx"
        write_blank_ledger(stem, target, year)
        written.files.append(target)
    written.files.append(_add_agency(root, {"id": agency_id, "params": f"params/{agency_id}"}))
    p = paths.shown(params_file, root)
    written.next_steps = [
        (
            f"在 {paths.shown(data_dir, root)}/ 的各台账中登记本年的记录（每个文件的「填写说明」工作表写明了各列的含义）；"
            "没有某类记录的，台账留空即可"
        ),
        f"改写 {p} 中标有「{REWRITE_MARK}」的叙述，填写 contact",
        f"reportkit check --params {p}，按提示改正；然后 reportkit build --params {p}",
        f"上年报告不是用 reportkit 生成的：在 {p} 中用 previous: 指向上年已发布的报告，以便做跨年检查",
    ]
    return written


# ------------------------------------------------------------------------------------------------
# new-year
# ------------------------------------------------------------------------------------------------
_TOP_KEY = r"^{key}[ \t]*:.*(?:\n(?:[ \t]+.*|[ \t]*))*?(?=\n\S|\Z)\n?"


def next_year_text(text: str, year: int) -> str:
    """Last year's params text for `year`: the year changed, `previous:` and `date:` (last year's
    own) dropped, a note that the narrative is last year's; comments and wording kept."""
    out = re.sub(r"^year[ \t]*:.*$", f"year: {year}", text, count=1, flags=re.MULTILINE)
    for key in ("previous", "date"):
        out = re.sub(_TOP_KEY.format(key=key), "", out, count=1, flags=re.MULTILINE)
    note = (
        f"# 以下叙述沿用{year - 1}年的，请按{year}年的工作逐节改写"
        "（未改写的章节，reportkit check 会提示「照抄上年」）。\n"
    )
    out = re.sub(
        r"^narrative[ \t]*:", lambda m: note + m.group(0), out, count=1, flags=re.MULTILINE
    )
    return f"# {year}年的参数，由 reportkit new-year 从{year - 1}年的复制。\n" + out


def _expected(raw: dict[str, Any], year: int) -> dict[str, Any]:
    data = {k: v for k, v in raw.items() if k not in ("previous", "date")}
    data["year"] = year
    return data


def new_year(year: int, agencies: list[str] | None = None, root: Path | None = None) -> Written:
    """`reportkit new-year`: each agency's params for `year` from its `year - 1` file.

    Without --agency: every agency (of agencies.yaml, and params/ itself) that has params for
    `year - 1`. Refuses before writing when a target exists or a named source is missing."""
    root = (root or paths.project_root()).resolve()
    if year_range_problem(year):
        raise ReportkitError(f"年度 {year}：{year_range_problem(year)}")
    if agencies:
        folders = [agency_params_dir(a, root) for a in agencies]
    else:
        # Every agency of agencies.yaml that had a report last year, and the single-agency
        # params/<year-1>.yaml a project kept from before it listed agencies.
        listed = [root / str(e["params"]) for e in read_agencies(root) or [] if e.get("params")]
        folders = [
            f
            for f in dict.fromkeys([root / "params", *listed])
            if (f / f"{year - 1}.yaml").is_file()
        ]
        folders = folders or listed or [root / "params"]
    pairs = [(f / f"{year - 1}.yaml", f / f"{year}.yaml") for f in folders]
    missing = [src for src, _ in pairs if not src.is_file()]
    if missing:
        shown = "；".join(
            f"{paths.shown(p, root)}（已有：{_years_in(p.parent) or '无'}）" for p in missing
        )
        raise ReportkitError(
            f"未生成任何文件：找不到上年的参数文件 {shown}；新机关请用 reportkit init"
        )
    present = [dst for _, dst in pairs if dst.exists()]
    if present:
        shown = "、".join(paths.shown(p, root) for p in present)
        raise ReportkitError(f"未生成任何文件：{shown} 已存在，不会覆盖")

    from reportkit.ingest.params import load_params

    written = Written()
    outputs = []
    for src, dst in pairs:
        last = load_params(src)  # a broken last year is said now, not after copying it
        text = src.read_text(encoding="utf-8-sig")
        raw = yaml.safe_load(text)
        new = next_year_text(text, year)
        try:
            same = yaml.safe_load(new) == _expected(raw, year)
        except yaml.YAMLError:
            same = False
        if not same:  # an unusual layout: the data is what matters, the comments are lost
            new = (
                f"# {year}年的参数，由 reportkit new-year 从{year - 1}年的复制。\n"
                + yaml.safe_dump(_expected(raw, year), allow_unicode=True, sort_keys=False)
            )
        dst.write_text(new, encoding="utf-8")
        load_params(dst, year=year)
        written.files.append(dst)
        outputs.append((dst, last))
    shown = "、".join(paths.shown(d, root) for d, _ in outputs)
    first = paths.shown(outputs[0][0], root)
    data = "、".join(sorted({paths.shown(p.data_path, root) for _, p in outputs}))
    written.next_steps = [
        f"在同一批台账（{data}）中继续往下登记{year}年的记录，不要新建文件",
        f"逐节改写 {shown} 中的叙述（沿用的是{year - 1}年的文字）",
        (
            f"先生成{year - 1}年的报告（或保留其 tables.json），跨年检查要用；"
            f"然后 reportkit check --params {first}，再 reportkit build --params {first}"
        ),
    ]
    return written


def _years_in(folder: Path) -> str:
    return "、".join(str(y) for y in paths.params_years(folder))
