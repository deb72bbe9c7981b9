"""Attacks on the ledger snapshot and the caches (issue #11, part B): each must fail on a build
that reads a ledger twice, keys its cache after the run or trusts what it cached."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from helpers import build_log

from reportkit.contract.errors import ReportkitError
from reportkit.pipeline import builder
from reportkit.present import fonts

ROOT = Path(__file__).resolve().parent.parent
ALL = {"overview", "proactive", "requests", "appeals", "problems", "other"}
# The seed agency's 2021 licensing decisions (大冶市应急管理局 2021 report, 表二 行政许可).
LICENSING_2021 = 105
TEN_LICENCES = "".join(f"XK-ATTACK-{i},2021-09-{i + 1:02d},测试事项\n" for i in range(10))


def agency_copy(base: Path) -> Path:
    """A copy of the seed agency's ledgers and 2021 params; returns the params file."""
    shutil.copytree(ROOT / "data" / "daye", base / "data")
    text = (ROOT / "params" / "2021.yaml").read_text(encoding="utf-8")
    (base / "2021.yaml").write_text(text.replace("../data/daye", "data"), encoding="utf-8")
    return base / "2021.yaml"


@pytest.fixture
def agency(tmp_path):
    return agency_copy(tmp_path)


def build(params: Path, out: Path, log: list[str] | None = None) -> builder.BuildResult:
    with build_log() as lines:
        result = builder.build(params=params, out=out)
    if log is not None:
        log.extend(lines)
    assert result.ok
    return result


def licences_in_tables(out: Path) -> int:
    tables = json.loads((out / "tables.json").read_text(encoding="utf-8"))
    return tables["section2"]["行政许可"]["本年处理决定数量"]


def licences_in_report(out: Path) -> int:
    page = (out / "report.html").read_text(encoding="utf-8")
    found = re.findall(r'<th scope="row">行政许可</th><td class="num" colspan="3">(\d+)</td>', page)
    assert len(found) == 1, found
    return int(found[0])


def during_sections(monkeypatch, change) -> None:
    """Run `change` after the build has read the ledgers, just before the section kernels start."""
    original = builder.run_sections

    def late(*args, **kwargs):
        change()
        return original(*args, **kwargs)

    monkeypatch.setattr(builder, "run_sections", late)


# ------------------------------------------------------------------------------------------------
# 1. a ledger changed during a build
# ------------------------------------------------------------------------------------------------
def test_ledger_appended_during_build(agency, tmp_path, monkeypatch):
    out = tmp_path / "out"
    licensing = agency.parent / "data" / "licensing.csv"
    with monkeypatch.context() as m:
        during_sections(
            m,
            lambda: licensing.write_text(
                licensing.read_text(encoding="utf-8") + TEN_LICENCES, encoding="utf-8"
            ),
        )
        build(agency, out)
    # The build read 105 decisions: the tables and the report both say so.
    assert licences_in_tables(out) == LICENSING_2021
    assert licences_in_report(out) == LICENSING_2021
    # The ledger now holds 115: the next build sees the change and shows it everywhere.
    result = build(agency, out)
    assert "proactive" in result.ran
    assert licences_in_tables(out) == LICENSING_2021 + 10
    assert licences_in_report(out) == LICENSING_2021 + 10


def test_ledger_moved_away_during_build(agency, tmp_path, monkeypatch):
    out = tmp_path / "out"
    licensing = agency.parent / "data" / "licensing.csv"
    with monkeypatch.context() as m:
        during_sections(m, lambda: licensing.rename(tmp_path / "licensing.csv"))
        build(agency, out)
    assert licences_in_tables(out) == LICENSING_2021
    assert licences_in_report(out) == LICENSING_2021
    # No licensing ledger any more: none this year, in the tables and in the report.
    result = build(agency, out)
    assert "proactive" in result.ran
    assert licences_in_tables(out) == 0
    assert licences_in_report(out) == 0


# ------------------------------------------------------------------------------------------------
# 2. a misnamed ledger hidden by the cache
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, says",
    [
        ("Requests.csv", "Requests.csv：文件名应为 requests.csv（全部小写），请改名"),
        ("依申请公开台账.csv", "依申请公开台账.csv：像是依申请公开台账"),
    ],
)
def test_misnamed_ledger_added_after_cached_build(agency, tmp_path, name, says):
    data = agency.parent / "data"
    requests = (data / "requests.csv").read_bytes()
    (data / "requests.csv").unlink()
    out = tmp_path / "out"
    build(agency, out)  # no requests ledger: none this year
    (data / name).write_bytes(requests)
    with pytest.raises(ReportkitError) as e:
        builder.build(params=agency, out=out)
    assert says in str(e.value)


# ------------------------------------------------------------------------------------------------
# 3. cached executed notebooks and outputs are checked before reuse
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One cold build of a copy of the seed agency, and a pristine copy of its data and outputs."""
    base = tmp_path_factory.mktemp("built")
    params = agency_copy(base)
    build(params, base / "out")
    for name in ("data", "out"):
        shutil.copytree(base / name, base / f"pristine-{name}")
    return base


@pytest.fixture
def tampered(built):
    """The built agency as the cold build left it (the cache names the ledgers by path, so the
    outputs are restored in place rather than copied elsewhere)."""
    for name in ("data", "out"):
        shutil.rmtree(built / name)
        shutil.copytree(built / f"pristine-{name}", built / name)
    return built / "2021.yaml"


def add_media_report(params: Path) -> None:
    """A change that re-runs only 一 (it counts media reports): the others come from the cache."""
    with open(params.parent / "data" / "media.csv", "a", encoding="utf-8") as f:
        f.write("2021-07-01,示例媒体,新增报道,县级\n")


def test_cached_notebook_with_cleared_outputs(tampered):
    out = tampered.parent / "out"
    path = out / "notebooks" / "03_requests.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbformat.write(nb, path)
    add_media_report(tampered)
    log: list[str] = []
    result = build(tampered, out, log)
    assert "requests" in result.ran
    heading = "三、收到和处理政府信息公开申请情况"
    assert f"  [3/6] {heading} … 缓存的 notebooks/03_requests.ipynb 与记录不符，重新运行" in log
    assert "<caption>表三　收到和处理政府信息公开申请情况</caption>" in (
        out / "report.html"
    ).read_text(encoding="utf-8")


def test_cached_notebook_with_html_added(tampered):
    out = tampered.parent / "out"
    path = out / "notebooks" / "02_proactive.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and "table2" in c.source)
    code.outputs.append(
        nbformat.v4.new_output("display_data", {"text/html": '<p id="injected">伪造</p>'})
    )
    nbformat.write(nb, path)
    add_media_report(tampered)
    result = build(tampered, out)
    assert "proactive" in result.ran
    assert "injected" not in (out / "report.html").read_text(encoding="utf-8")


def test_cached_notebook_truncated(tampered):
    out = tampered.parent / "out"
    path = out / "notebooks" / "04_appeals.ipynb"
    path.write_bytes(path.read_bytes()[:500])
    # Nothing else changed: the truncated notebook alone must make the build run that section.
    result = build(tampered, out)
    assert result.ran == ("appeals",)
    nbformat.read(path, as_version=4)  # a whole notebook again
    assert "<caption>表四　政府信息公开行政复议、行政诉讼情况</caption>" in (
        out / "report.html"
    ).read_text(encoding="utf-8")


def test_published_report_edited_after_build(tampered):
    out = tampered.parent / "out"
    page = (out / "report.html").read_text(encoding="utf-8")
    (out / "report.html").write_text(
        page.replace("</body>", '<p id="injected">伪造</p></body>'), encoding="utf-8"
    )
    log: list[str] = []
    build(tampered, out, log)
    assert "上次生成的 report.html 与缓存记录不符，重新生成" in log
    assert "injected" not in (out / "report.html").read_text(encoding="utf-8")
    assert licences_in_report(out) == LICENSING_2021


# ------------------------------------------------------------------------------------------------
# 4. a cache file of the wrong shape
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '{"sections": 5}',
        (
            '{"sections": {"overview": {"key": "k", "notebook": "n", "read": {"params": 5}}},'
            ' "build": []}'
        ),
    ],
)
def test_cache_of_wrong_shape(tampered, content):
    out = tampered.parent / "out"
    (out / ".reportkit-cache.json").write_text(content, encoding="utf-8")
    result = build(tampered, out)  # as with no cache: everything runs
    assert set(result.ran) == ALL
    assert licences_in_tables(out) == LICENSING_2021


# ------------------------------------------------------------------------------------------------
# 5. a truncated cached font subset
# ------------------------------------------------------------------------------------------------
def test_truncated_cached_font_subset(tmp_path, monkeypatch):
    from fontTools.ttLib import TTFont

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    flavor = fonts.font_format()
    first = fonts.cached_subset(fonts.SANS_FILE, "政府信息公开", flavor)
    [cached] = (tmp_path / "xdg" / "reportkit" / "fonts").glob(f"*.{flavor}")
    cached.write_bytes(cached.read_bytes()[:2000])  # a copy cut short: the magic bytes are intact
    again = fonts.cached_subset(fonts.SANS_FILE, "政府信息公开", flavor)
    assert hashlib.sha256(again).digest() == hashlib.sha256(first).digest()
    font = TTFont(io.BytesIO(again))
    assert {ord(c) for c in "政府信息公开"} <= set(font.getBestCmap())
    # The cache holds a whole subset again: the next build reads it as is.
    assert fonts.cached_subset(fonts.SANS_FILE, "政府信息公开", flavor) == first


def test_snapshot_error_names_the_data_folder(agency, tmp_path):
    # The build reads its private copy of the folder: a problem still names the user's folder.
    data = agency.parent / "data"
    (data / "requests.xlsx").write_bytes(b"")
    with pytest.raises(ReportkitError) as e:
        builder.build(params=agency, out=tmp_path / "out")
    message = str(e.value)
    assert f"{data}：同一台账有多个文件（requests.csv、requests.xlsx），请只保留一个" in message
    assert "reportkit-snapshot" not in message


def test_killed_build_leaves_no_ledger_copy(tmp_path, monkeypatch):
    # A killed build cannot remove its copy of the ledgers (personal data): the next one does.
    import subprocess
    import sys

    from reportkit.ingest import snapshot

    monkeypatch.setattr(snapshot.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    left = tmp_path / f"reportkit-snapshot-{dead}-abc"
    (left / "files").mkdir(parents=True)
    (left / "files" / "requests.csv").write_text("申请人姓名\n张三\n", encoding="utf-8")
    mine = snapshot.new_folder()
    assert not left.exists()
    assert mine.parent == tmp_path and mine.exists()
    assert mine.stat().st_mode & 0o777 == 0o700
