"""Helpers shared by the tests: project paths, the lines a build logs, copies of the seed agency,
reading a built report. Expected values stay in each test, written by hand there."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED_PARAMS = ROOT / "params" / "2021.yaml"  # 大冶市应急管理局 2021, the published seed
SEED_DATA = ROOT / "data" / "daye"  # its ledgers (SEED_PARAMS' data_dir)


@contextlib.contextmanager
def build_log() -> Iterator[list[str]]:
    """The progress lines that builds log meanwhile (the "reportkit" logger, INFO and up), one
    string per line, as `reportkit build` prints them."""
    lines: list[str] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.extend(record.getMessage().splitlines())

    log = logging.getLogger("reportkit")
    handler, level = Lines(logging.INFO), log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def copy_seed_agency(base: Path) -> Path:
    """The seed agency's ledgers (in base/data) and 2021 params (base/2021.yaml) that a test may
    change; returns the params file."""
    shutil.copytree(SEED_DATA, base / "data")
    params = SEED_PARAMS.read_text(encoding="utf-8").replace("../data/daye", "data")
    (base / "2021.yaml").write_text(params, encoding="utf-8")
    return base / "2021.yaml"


def copy_project(dest: Path, names: tuple[str, ...] = ("notebooks", "params", "data")) -> Path:
    """A copy of the project's folders, to point REPORTKIT_ROOT at; returns `dest`."""
    for name in names:
        shutil.copytree(ROOT / name, dest / name)
    return dest


def read_json(out: Path, name: str = "tables.json") -> Any:
    """A JSON output of a build (tables.json, checks.json), as a program reads it."""
    return json.loads((out / name).read_text(encoding="utf-8"))


def chart_html(fig, alt: str, caption: str | None = None) -> str:
    """A figure as the report embeds it."""
    from reportkit.present import content

    return content.block_html(content.chart_block(fig, alt, caption))


class _Text(HTMLParser):
    """The visible text of a page (what a reader sees), without tags, styles or scripts."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """What a reader of the page sees, as one string."""
    p = _Text()
    p.feed(html)
    return "".join(p.parts)
