"""Narrative templates: Markdown with placeholders over the computed figures, rendered safely.

A number in the report text comes from a placeholder, so it can never drift from the tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.sandbox
import yaml
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt

from reportkit.compute.figures import Figure, Lazy, OutreachView, ProposalView
from reportkit.contract import phrasing, vocab
from reportkit.contract.errors import TemplateError

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


# What a template may do, bounded so that a params file cannot stall or swamp a build.
MAX_TEXT = 100_000  # characters of a section once filled, and of any text made on the way
MAX_LOOPS = 10_000  # iterations of all the {% for %} loops of one section together
MAX_INT_BITS = 4096  # size of a whole number made by * or ** (10**1000 is about 3300 bits)

# The attributes a template may read on the kit's own objects; everything else is refused.
_ATTRIBUTES: dict[type, frozenset[str]] = {
    Figure: frozenset(
        {"value", "previous", "year", "label", "change", "approx", "yoy", "pct", "money"}
    ),
    OutreachView: frozenset(
        {
            "year",
            "类型",
            "月",
            "日",
            "期间",
            "场次",
            "参与人次",
            "展板",
            "横幅",
            "资料",
            "type",
            "month",
            "day",
            "period",
            "sessions",
            "participants",
            "boards",
            "banners",
            "materials",
        }
    ),
    ProposalView: frozenset({"year", "类别", "办理方式", "件数", "kind", "handling", "count"}),
    LoopContext: frozenset(
        {
            "index",
            "index0",
            "revindex",
            "revindex0",
            "first",
            "last",
            "length",
            "depth",
            "depth0",
            "previtem",
            "nextitem",
        }
    ),
}
# Statements a narrative has no use for and that could recurse, load files or hide output, with
# the word that opens each.
_FORBIDDEN_NODES = {
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.Block: "block",
    nodes.Include: "include",
    nodes.Extends: "extends",
    nodes.Import: "import",
    nodes.FromImport: "from",
    nodes.AssignBlock: "set",
    nodes.FilterBlock: "filter",
}
_LOOP_FILTER = "reportkit-loop"  # not a name a template can type: only put in by _confine
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


class _Refused(jinja2.sandbox.SecurityError):
    """Something a narrative may not do; `what` is the name or tag refused, `why` says why."""

    def __init__(self, what: str, why: str):
        super().__init__(why)
        self.what, self.why = what, why


_UNDERSCORE = "以“_”开头的名称是程序内部的，叙述中不能使用"
_UNKNOWN = "没有这个数字；可用的名称见 README「叙述占位符」"
_FILTER_NAMES = "约、同比、增幅、万元、上年值"


class _Budget:
    """The loop iterations left to one rendering."""

    def __init__(self) -> None:
        self.left = MAX_LOOPS


_budget: ContextVar[_Budget] = ContextVar("narrative_budget")


def _bounded_loop(iterable: Any) -> Iterator[Any]:
    budget = _budget.get()
    for item in iterable:
        budget.left -= 1
        if budget.left < 0:
            raise _Refused("for", f"循环次数超过{MAX_LOOPS}次，请检查模板")
        yield item


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_TEXT:
        raise _Refused("", f"生成的文字超过{MAX_TEXT}字，请检查模板")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise _Refused("", "数字过大，请检查模板")
    return value


class _Generator(CodeGenerator):
    """Compiles `a ~ b` to a join whose length is checked, like the intercepted + and *."""

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        self.write("environment.joined((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class NarrativeSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox narrowed to what a narrative needs: the figures and the filters.

    Attributes are read only from the kit's own figure objects (and keys of 联系); a name starting
    with `_` is refused outright; there are no globals (range, cycler, joiner, lipsum, namespace);
    text and numbers made by +, *, ** and ~ are bounded, and so are loops.
    """

    code_generator_class = _Generator
    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise _Refused(attribute, _UNDERSCORE)
        allowed = _ATTRIBUTES.get(type(obj))
        if allowed is not None and attribute in allowed:
            return getattr(obj, attribute)
        if allowed is None and isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, (str, tuple, list)) and isinstance(argument, (int, slice)):
            try:
                return obj[argument]
            except (IndexError, TypeError, ValueError):
                pass
        return self.undefined(obj=obj, name=argument)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise _Refused("%", "叙述中不能用 % 格式化文字")
        ints = isinstance(left, int) and isinstance(right, int)
        big_power = ints and abs(left) > 1 and right * abs(left).bit_length() > MAX_INT_BITS
        if operator == "**" and big_power:
            raise _Refused("**", "数字过大，请检查模板")
        if operator == "*" and ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise _Refused("*", "数字过大，请检查模板")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                sized = isinstance(a, (str, list, tuple)) and isinstance(b, int)
                if sized and len(a) * b > MAX_TEXT:
                    raise _Refused("*", f"生成的文字超过{MAX_TEXT}字，请检查模板")
        return _check_size(self.binop_table[operator](left, right))

    def joined(self, parts: tuple[Any, ...]) -> str:
        if sum(len(p) for p in parts if isinstance(p, str)) > MAX_TEXT:
            raise _Refused("~", f"生成的文字超过{MAX_TEXT}字，请检查模板")
        return _check_size("".join(map(str, parts)))


@lru_cache(maxsize=1)
def environment() -> NarrativeSandbox:
    # Autoescape is off because the result is Markdown, which is rendered with raw HTML disabled.
    env = NarrativeSandbox(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    env.globals.clear()
    env.filters.clear()
    env.filters.update(FILTERS)
    env.filters[_LOOP_FILTER] = _bounded_loop
    return env


def _tag_with(template: str, name: str) -> str:
    """The {{ … }} or {% … %} of the template that holds `name` (for messages), else `name`."""
    return next((m.group(0) for m in _TAG.finditer(template) if name in m.group(0)), name)


def _confine(ast: nodes.Template, template: str, label: str) -> None:
    """Refuse what a narrative may not write, before anything runs; bound every loop."""
    for node in ast.find_all(nodes.Node):
        word = _FORBIDDEN_NODES.get(type(node))
        if isinstance(node, nodes.For) and node.recursive:
            word = "for"
        if word:
            why = "叙述中只能用 {{ … }}、{% if %}、{% for %} 和 {% set %}"
            raise TemplateError(label, _statement(template, word), why)
        name = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value if isinstance(node.arg.value, str) else None
        elif isinstance(node, nodes.Name) and node.name in ("self", "caller", "varargs", "kwargs"):
            # Jinja's own names, not figures (self is the template itself).
            raise TemplateError(label, _tag_with(template, node.name), _UNKNOWN)
        if name is not None and name.startswith("_"):
            raise TemplateError(label, _tag_with(template, name), _UNDERSCORE)
        if isinstance(node, nodes.For):
            bounded = nodes.Filter(node.iter, _LOOP_FILTER, [], [], None, None, lineno=node.lineno)
            node.iter = bounded
            node.iter.set_environment(environment())


def _statement(template: str, word: str) -> str:
    """The first {% word … %} of the template, for messages."""
    m = re.search(r"\{%-?\s*" + word + r"\b.*?%\}", template, re.DOTALL)
    return m.group(0) if m else word


@lru_cache(maxsize=1)
def default_texts() -> dict[str, str]:
    """The kit's own narrative for sections a params file leaves out."""
    return yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=256)
def _compiled(
    template: str, label: str, env: NarrativeSandbox
) -> tuple[frozenset[str], jinja2.Template | TemplateError]:
    """The names a template uses and the template checked, bounded and compiled (or the error
    to raise once its names are known to exist): once per process and text, as compiling costs
    more than filling in. A template that cannot be parsed raises, each time."""
    try:
        ast = env.parse(template)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(
            label,
            e.source.splitlines()[e.lineno - 1].strip() if e.source else "",
            f"模板语法错误（第{e.lineno}行）：{e.message}",
        ) from None
    try:
        used = jinja2.meta.find_undeclared_variables(ast)
    except jinja2.TemplateAssertionError as e:  # an unknown filter or test, found as it compiles
        m = re.search(r"named '([^']+)'", str(e))
        name = m.group(1) if m else ""
        tag = _tag_with(template, name) if name else ""
        why = f"没有「{name}」这种写法；可用的过滤器：{_FILTER_NAMES}"
        raise TemplateError(label, tag, why) from None
    try:
        _confine(ast, template, label)
        return frozenset(used), env.from_string(ast)
    except TemplateError as e:
        return frozenset(used), e
    except jinja2.TemplateError as e:
        return frozenset(used), TemplateError(label, "", f"无法填入：{e}")
    except (RecursionError, MemoryError):
        return frozenset(used), TemplateError(label, "", "模板过于复杂，无法填入")


def render(template: str, names: dict[str, Any], section: str) -> str:
    """Fill a section's Markdown template. Unknown placeholders are errors naming them and the section."""
    label = vocab.section_label(section)
    used, compiled = _compiled(template, label, environment())
    unknown = sorted(used - set(names))
    if unknown:
        raise TemplateError(label, unknown[0], _UNKNOWN)
    if isinstance(compiled, TemplateError):
        raise compiled.with_traceback(None) from None
    # Only the names this template uses are computed (and only their ledgers are touched).
    values = {k: (v.compute() if isinstance(v, Lazy) else v) for k, v in names.items() if k in used}
    token = _budget.set(_Budget())
    try:
        out: list[str] = []
        size = 0
        # Piece by piece, so that a text growing past the limit stops before it fills memory.
        for piece in compiled.generate(values):
            size += len(piece)
            if size > MAX_TEXT:
                raise _Refused("", f"填入后的文字超过{MAX_TEXT}字，请检查模板（循环或重复）")
            out.append(piece)
        return "".join(out)
    except _Refused as e:
        raise TemplateError(label, _tag_with(template, e.what) if e.what else "", e.why) from None
    except jinja2.UndefinedError as e:
        m = re.search(r"has no attribute '([^']+)'", str(e))
        why = "没有这个数字或写法；可用的名称见 README"
        raise TemplateError(label, m.group(1) if m else str(e), why) from None
    except (TypeError, ValueError, AttributeError, ArithmeticError, jinja2.TemplateError) as e:
        raise TemplateError(label, "", f"无法填入：{e}") from None
    except (RecursionError, MemoryError):
        raise TemplateError(label, "", "模板过于复杂，无法填入") from None
    finally:
        _budget.reset(token)


SLUGS = vocab.NARRATIVE_SLUGS


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
