"""Narrative templates: Markdown with placeholders over the computed figures, rendered safely.

A number in the report text comes from a placeholder, so it can never drift from the tables.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import yaml
from markdown_it import MarkdownIt

from . import phrasing, vocab
from .errors import TemplateError
from .figures import Figure, Lazy

DEFAULTS_FILE = Path(__file__).parent / "defaults" / "narrative.yaml"


def _number(v: Any) -> Any:
    return v.value if isinstance(v, Figure) else v


def _approx(v: Any) -> str:
    return phrasing.approx(_number(v))


def _yoy(v: Figure, unit: str = "", against: str = "与上年") -> str:
    if not isinstance(v, Figure):
        raise TypeError("同比 只能用于有上年数值的数字")
    return v.yoy(unit, against)


def _pct(v: Figure, against: str = "同比") -> str:
    if not isinstance(v, Figure):
        raise TypeError("增幅 只能用于有上年数值的数字")
    return v.pct(against)


def _money(v: Any) -> str:
    return phrasing.money_wan(_number(v))


def _prev(v: Figure) -> Any:
    return v.previous


FILTERS = {
    "approx": _approx,
    "约": _approx,
    "yoy": _yoy,
    "同比": _yoy,
    "pct": _pct,
    "增幅": _pct,
    "money": _money,
    "万元": _money,
    "prev": _prev,
    "上年值": _prev,
}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    # Autoescape is off because the result is Markdown, which is rendered with raw HTML disabled.
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env


def section_label(slug: str) -> str:
    if slug == "preface":
        return "前言"
    return next(s["heading"] for s in vocab.SECTIONS if s["slug"] == slug)


@lru_cache(maxsize=1)
def default_texts() -> dict[str, str]:
    """The kit's own narrative for sections a params file leaves out."""
    return yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))


def render(template: str, names: dict[str, Any], section: str) -> str:
    """Fill a section's Markdown template. Unknown placeholders are errors naming them and the section."""
    label = section_label(section)
    env = environment()
    try:
        ast = env.parse(template)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(label, e.source.splitlines()[e.lineno - 1].strip() if e.source else "", f"模板语法错误（第{e.lineno}行）：{e.message}") from None
    used = jinja2.meta.find_undeclared_variables(ast)
    unknown = sorted(used - set(names))
    if unknown:
        raise TemplateError(label, unknown[0], "没有这个数字；可用的名称见 README「叙述占位符」")
    # Only the names this template uses are computed (and only their ledgers are touched).
    values = {k: (v.compute() if isinstance(v, Lazy) else v) for k, v in names.items() if k in used}
    try:
        return env.from_string(template).render(values)
    except jinja2.UndefinedError as e:
        m = re.search(r"has no attribute '([^']+)'", str(e))
        raise TemplateError(label, m.group(1) if m else str(e), "没有这个数字或写法；可用的名称见 README") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise TemplateError(label, "", f"无法填入：{e}") from None


SLUGS = ["preface", *(s["slug"] for s in vocab.SECTIONS)]


def template_for(slug: str, params_narrative: dict[str, str]) -> str:
    """The section's template: the params' text, else the kit's default."""
    return params_narrative.get(slug, default_texts().get(slug, ""))


def text(slug: str, params_narrative: dict[str, str], names: dict[str, Any]) -> str:
    """One section's filled Markdown."""
    return render(template_for(slug, params_narrative), names, slug).strip()


def texts(params_narrative: dict[str, str], names: dict[str, Any]) -> dict[str, str]:
    """Every section's filled Markdown (preface and the six sections); params override defaults."""
    return {slug: text(slug, params_narrative, names) for slug in SLUGS}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # CommonMark with raw HTML off: formatting yes, markup or script from the text no.
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def to_html(markdown_text: str) -> str:
    return _markdown().render(markdown_text)


def markdown_tokens(markdown_text: str) -> list:
    """The Markdown's block tokens (markdown-it), for the content model."""
    return _markdown().parse(markdown_text)
