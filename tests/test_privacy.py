"""Personal data and markup end to end: a build over ledgers with planted personal values and
`<script>` in a cell writes no personal value anywhere and no markup from a ledger or the narrative;
a build whose output would show a personal value fails and leaves the last good report."""

from __future__ import annotations

import csv
import html
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from helpers import SEED_PARAMS as SEED

from reportkit.cli import main
from reportkit.contract.errors import ReportkitError
from reportkit.ingest.ledgers import load_ledgers
from reportkit.present import show

# Planted in columns the kit must treat as personal: one listed in the params, two recognised by
# their header words although nothing lists them.
STAFF_PHONE = "13912345678"
PARTY = "赵某某"
PARTY_ID = "420281199001011234"
SCRIPT = """"'><script>alert("台账")</script>"""  # tries to close the attribute it lands in
NARRATIVE_EXTRA = (
    "\n\n**加粗的一句。**<script>alert('叙述')</script><img src=x onerror=alert(1)> "
    "[点这里](javascript:alert(2))\n"
)


def make_agency(base: Path, outreach_type: str = SCRIPT) -> Path:
    """The seed agency's ledgers and params, with personal values planted and a hostile cell."""
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data = base / "data"
    shutil.copytree((SEED.parent / seed["data_dir"]).resolve(), data)

    requests = pd.read_csv(data / "requests.csv", dtype=str, keep_default_na=False)
    requests["经办人电话"] = STAFF_PHONE
    requests.to_csv(data / "requests.csv", index=False, encoding="utf-8")
    penalties = pd.read_csv(data / "penalties.csv", dtype=str, keep_default_na=False)
    penalties["当事人"] = PARTY
    penalties["身份证号"] = PARTY_ID
    penalties.to_csv(data / "penalties.csv", index=False, encoding="utf-8")
    wb = openpyxl.load_workbook(data / "outreach.xlsx")
    wb.active.append(
        [
            pd.Timestamp("2021-11-05").to_pydatetime(),
            outreach_type,
            "宣传进社区",
            "东岳路街道",
            1,
            30,
        ]
    )
    wb.save(data / "outreach.xlsx")

    seed["data_dir"] = "data"
    seed["personal_columns"] = ["经办人电话"]
    seed["narrative"]["六、其他需要报告的事项"] += NARRATIVE_EXTRA
    params = base / "2021.yaml"
    params.write_text(yaml.safe_dump(seed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return params


def planted_values(data: Path) -> set[str]:
    """Every value of a personal column, read without reportkit."""
    values = {STAFF_PHONE, PARTY, PARTY_ID}
    with (data / "requests.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            values |= {row[c] for c in ("申请人姓名", "证件号码", "联系电话", "地址") if row.get(c)}
    return values


def output_texts(out: Path) -> dict[str, str]:
    """Each output file as a reader or a program could see it: raw, entities decoded, JSON decoded."""
    texts = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        text = raw + "\n" + html.unescape(raw)
        if path.suffix in (".json", ".ipynb"):
            text += "\n" + json.dumps(json.loads(raw), ensure_ascii=False)
        texts[str(path.relative_to(out))] = text
    return texts


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("agency")
    params = make_agency(base)
    out = base / "out"
    code = main(["build", "--params", str(params), "--out", str(out)])
    assert code == 0
    return base, params, out


def test_guard_knows_every_planted_value(built):
    base, _params, _out = built
    ledgers = load_ledgers(base / "data", ["经办人电话"])
    assert planted_values(base / "data") <= ledgers.personal_values
    # ... and none of them is in any frame the notebooks read.
    for frame in ledgers.frames.values():
        cells = set(frame.astype(str).to_numpy().ravel())
        assert not cells & planted_values(base / "data")


def test_planted_personal_values_in_no_output(built):
    base, _params, out = built
    values = planted_values(base / "data")
    assert len(values) > 5
    texts = output_texts(out)
    assert {"report.html", "tables.json", "checks.json"} <= set(texts)
    assert any(name.endswith(".ipynb") for name in texts)
    found = [(name, v) for name, text in texts.items() for v in values if v in text]
    assert found == []


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_script_in_a_ledger_cell_is_text(built):
    _base, _params, out = built
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    parsed = _Elements()
    parsed.feed(page)
    assert not [t for t, _ in parsed.tags if t == "script"]
    assert not [(t, a) for t, attrs in parsed.tags for a in attrs if a.startswith("on")]
    # The chart's alt text names the activity type: as text, exactly as typed.
    alts = [attrs.get("alt") or "" for t, attrs in parsed.tags if t == "img"]
    assert any(SCRIPT + "1场" in alt for alt in alts)


def test_narrative_markdown_formats_but_raw_html_is_text(built):
    _base, _params, out = built
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<strong>加粗的一句。</strong>" in page
    assert (
        "&lt;script&gt;alert(&#x27;叙述&#x27;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; "
        "[点这里](javascript:alert(2))"
    ) in page
    parsed = _Elements()
    parsed.feed(page)
    links = [attrs.get("href") or "" for t, attrs in parsed.tags if t == "a"]
    assert not [href for href in links if "javascript" in href.lower()]


def test_analyst_rows_leave_out_free_text():
    frame = pd.DataFrame({"_row": [2], "申请编号": ["A1"], "申请内容": ["请公开张某某的信息"]})
    assert list(show.rows(frame).data.columns) == ["行号", "申请编号"]


def test_a_leak_fails_the_build_and_keeps_the_last_good_report(built, tmp_path, capsys):
    # An applicant's name typed as an activity type would reach the chart's alt text.
    _base, _params, good = built
    params = make_agency(tmp_path, outreach_type="吴某某")
    out = tmp_path / "out"
    shutil.copytree(good, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    code = main(["build", "--params", str(params), "--out", str(out)])

    assert code == 1
    err = capsys.readouterr().err
    assert "输出文件中发现申请人个人信息，已删除本次生成的全部文件：" in err
    assert "吴**" in err and "吴某某" not in err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not list(tmp_path.glob(".out.staging-*"))


# ------------------------------------------------------------------------------------------------
# Which columns are personal, and when their values are read
# ------------------------------------------------------------------------------------------------
def write(tmp_path: Path, name: str, text: str) -> Path:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / name).write_text(text, encoding="utf-8")
    return data


def test_personal_columns_are_recognised_by_their_header(tmp_path):
    data = write(
        tmp_path,
        "requests.csv",
        "申请编号,收到日期,申请人类型,申请人（姓名/名称）,身份证号,手机号码,通讯地址,证件类型\n"
        "A1,2021-01-05,自然人,钱某某,420281199001019999,13700000009,某市某路9号,居民身份证\n",
    )
    write(tmp_path, "outreach.csv", "日期,活动类型,活动地址\n2021-06-01,咨询,东岳路街道\n")
    ledgers = load_ledgers(data)
    assert ledgers.personal_values == {"钱某某", "420281199001019999", "13700000009", "某市某路9号"}
    assert "东岳路街道" not in ledgers.personal_values  # an event's address is not about a person


def test_params_can_mark_an_optional_column_personal(tmp_path):
    data = write(
        tmp_path,
        "requests.csv",
        "申请编号,收到日期,申请人类型,申请内容\nA1,2021-01-05,自然人,请公开钱某某的处罚决定\n",
    )
    ledgers = load_ledgers(data, ["申请内容"])
    assert ledgers["requests"]["申请内容"].isna().all()
    assert ledgers.personal_values == {"请公开钱某某的处罚决定"}


def test_params_cannot_mark_a_required_column_personal(tmp_path):
    data = write(tmp_path, "requests.csv", "申请编号,收到日期,申请人类型\nA1,2021-01-05,自然人\n")
    with pytest.raises(ReportkitError) as e:
        load_ledgers(data, ["申请编号"])
    assert (
        str(e.value)
        == "requests.csv 第1行「申请编号」列：是本台账的必填列，不能在参数文件的 personal_columns 中标为个人信息"
    )


def test_placeholders_are_not_personal_values(tmp_path):
    data = write(
        tmp_path,
        "requests.csv",
        "申请编号,收到日期,申请人类型,联系电话\nA1,2021-01-05,自然人,无\nA2,2021-01-06,自然人,—\n",
    )
    assert load_ledgers(data).personal_values == set()


def test_a_big_ledger_personal_values_are_read_when_the_guard_asks(tmp_path, monkeypatch):
    import reportkit.ingest.sheets as sheets  # where a file is read

    monkeypatch.setattr(sheets, "EAGER_PERSONAL_BYTES", 0)
    text = "申请编号,收到日期,申请人类型,申请人姓名\nA1,2021-01-05,自然人,钱某某\nA2,2021-01-06,自然人,孙某某\n"
    data = write(tmp_path, "requests.csv", text)
    ledgers = load_ledgers(data)
    assert "钱某某" not in repr(ledgers.personal)  # not read yet
    assert ledgers.personal_values == {"钱某某", "孙某某"}

    # Changed between reading and the guard: the guard cannot vouch for it, so it says so.
    later = load_ledgers(data)
    (data / "requests.csv").write_text(text + "A3,2021-01-07,自然人,周某某\n", encoding="utf-8")
    with pytest.raises(ReportkitError) as e:
        _ = later.personal_values
    assert (
        str(e.value)
        == "requests.csv：在读取期间被修改（可能正在 Excel 中编辑）：请关闭文件后重新运行"
    )
