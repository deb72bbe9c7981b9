"""report.html: the section notebooks' leadership output assembled into one self-contained page."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
from markupsafe import Markup

from reportkit.compute.report import Report
from reportkit.contract import vocab
from reportkit.contract.errors import ReportkitError
from reportkit.present import fonts
from reportkit.present.content import block_html, narrative_blocks

TEMPLATES = Path(__file__).resolve().parent / "templates"

SANS_STACK = '"RK Sans", "SimHei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif'
SERIF_STACK = '"RK Serif", "FangSong", "SimSun", "Songti SC", "Noto Serif CJK SC", serif'
SAMPLE_BANNER = "示例数据：本报告由虚构的示例台账生成，仅供演示，不反映任何机关的实际情况"
SAMPLE_MARK = "示例数据"
# Text the stylesheet itself prints (page numbers, figure numbers, the sample mark), which no HTML
# text node holds.
CSS_TEXT = "—第页图　" + SAMPLE_MARK


# ------------------------------------------------------------------------------------------------
# The page
# ------------------------------------------------------------------------------------------------
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def render_report(report: Report, bodies: dict[str, str], generated: dt.date | None = None) -> str:
    """The whole report.html: title, preface, contents, the six sections, footer; fonts embedded."""
    missing = [s["heading"] for s in vocab.SECTIONS if s["slug"] not in bodies]
    if missing:
        raise ReportkitError("缺少章节内容：" + "、".join(missing))
    generated = generated or report.params.date or dt.datetime.now()
    names = {
        "title": report.title,
        "sample": bool(report.params.sample),
        "sample_banner": SAMPLE_BANNER,
        "sample_mark": SAMPLE_MARK,
        "preface": Markup(
            "\n".join(block_html(b) for b in narrative_blocks(report.text("preface")))
        ),
        "sections": [{**s, "body": Markup(bodies[s["slug"]])} for s in vocab.SECTIONS],
        "period": f"{report.year}年1月1日至12月31日",
        "generated": _date(generated),
        "sans": Markup(SANS_STACK),
        "serif": Markup(SERIF_STACK),
    }
    template = _environment().get_template("report.html.j2")
    # Rendered twice: the first page tells which characters the embedded font subsets must hold.
    draft = template.render(**names, font_css="")
    text, heading_text = visible_text(draft)
    css = fonts.font_face_css(text + CSS_TEXT, heading_text + CSS_TEXT)
    page = template.render(**names, font_css=Markup(css))
    loaded = [
        u for tag, attr, u in _references(page) if not (attr == "href" and tag in ("a", "area"))
    ]
    if loaded:
        raise ReportkitError("报告引用了外部地址，离线时无法显示，请删去：" + "、".join(loaded[:5]))
    return page


# ------------------------------------------------------------------------------------------------
# Reading a page back: its visible text and its references
# ------------------------------------------------------------------------------------------------
# Set in "RK Sans" by report.css: these tags, and any element of class "sans" (the title, h1, is
# set in the serif face, like a 小标宋 title).
_HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6", "caption", "figcaption"}
_HIDDEN_TAGS = {"style", "script", "template"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.heading: list[str] = []
        self._hidden = 0
        self._sans: list[str] = []  # open elements set in the heading face

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _HEADING_TAGS or "sans" in (dict(attrs).get("class") or "").split():
            self._sans.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._sans:
            del self._sans[len(self._sans) - 1 - self._sans[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.text.append(data)
        if self._sans:
            self.heading.append(data)


def visible_text(page: str) -> tuple[str, str]:
    """(all text a reader can see, the part of it set in headings and captions)."""
    p = _TextParser()
    p.feed(page)
    p.close()
    return "".join(p.text), "".join(p.heading)


_URL_ATTRS = {
    "src",
    "href",
    "srcset",
    "poster",
    "data",
    "action",
    "formaction",
    "background",
    "xlink:href",
}
_CSS_URL = re.compile(
    r"""url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]*)\3""", re.IGNORECASE
)


def _is_local(url: str) -> bool:
    u = url.strip().lower()
    return u == "" or u.startswith(("#", "data:"))


_SRCSET_URL = re.compile(r"[\s,]*(\S+)")


def _srcset_urls(value: str) -> list[str]:
    """The addresses of a srcset; an address may itself hold commas (a data: URI)."""
    urls, pos = [], 0
    while m := _SRCSET_URL.match(value, pos):
        url, pos = m.group(1), m.end()
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = value.find(",", pos)  # skip the width/density descriptor
            pos = len(value) if comma < 0 else comma + 1
        urls.append(url)
    return urls


class _RefParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []
        self._in_style = False

    def _css(self, tag: str, css: str) -> None:
        for m in _CSS_URL.finditer(css):
            self.refs.append((tag, "url", m.group(2) if m.group(2) is not None else m.group(4)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self._css(tag, value)
            elif name == "srcset":
                self.refs.extend((tag, name, url) for url in _srcset_urls(value))
            elif name in _URL_ATTRS:
                self.refs.append((tag, name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css("style", data)


def _references(page: str) -> list[tuple[str, str, str]]:
    """(tag, attribute or 'url', address) of every reference to something outside the page."""
    p = _RefParser()
    p.feed(page)
    p.close()
    return [r for r in p.refs if not _is_local(r[2])]


def external_references(page: str) -> list[str]:
    """Every src/href/url()/@import in the page that points anywhere but the page itself."""
    return [url for _tag, _attr, url in _references(page)]
