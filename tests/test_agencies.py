"""agencies.yaml: validation with Chinese messages, the order of a batch, and --all / --agency."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from reportkit.cli import main
from reportkit.ingest import agencies
from reportkit.pipeline import batch

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "examples" / "county"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "proj"
    (root / "params").mkdir(parents=True)
    monkeypatch.setenv("REPORTKIT_ROOT", str(root))
    return root


def _yaml(root: Path, text: str) -> Path:
    path = root / "agencies.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def county(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "county"
    shutil.copytree(COUNTY, root, ignore=shutil.ignore_patterns("outputs"))
    monkeypatch.setenv("REPORTKIT_ROOT", str(root))
    return root


def test_no_agencies_yaml_is_a_single_agency_project(project):
    assert agencies.load(project) is None


def test_the_format_init_writes_is_read(project):
    # What `reportkit init` appends (onboard._add_agency), and the contract's example.
    _yaml(
        project,
        """
        agencies:
          - id: yjj
            params: params/yjj
          - id: fgw
            published: published/fgw
          - id: county
            params: params/county
            includes: [yjj, fgw]
    """,
    )
    reg = agencies.load(project)
    assert list(reg.agencies) == ["yjj", "fgw", "county"]
    assert reg.get("yjj").params == (project / "params" / "yjj").resolve()
    assert reg.get("fgw").published == (project / "published" / "fgw").resolve()
    assert reg.get("county").includes == ["yjj", "fgw"]


def test_an_including_agency_comes_after_the_agencies_it_includes(project):
    _yaml(
        project,
        """
        agencies:
          - id: county
            params: params/county
            includes: [town]
          - id: town
            params: params/town
            includes: [village]
          - id: village
            params: params/village
          - id: other
            params: params/other
    """,
    )
    reg = agencies.load(project)
    assert reg.ordered() == ["village", "town", "county", "other"]
    assert reg.ordered(["county", "village"]) == ["village", "county"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "agencies:\n  - id: a\n    params: params/a\n    includes: [b]\n",
            ["第2行", "第1项（id: a）", "includes 中的「b」不是已列出的机关"],
        ),
        (
            (
                "agencies:\n  - id: a\n    params: params/a\n    includes: [b]\n"
                "  - id: b\n    params: params/b\n    includes: [a]\n"
            ),
            ["includes 形成循环", "a → b → a"],
        ),
        (
            "agencies:\n  - id: a\n    params: params/a\n  - id: a\n    params: params/b\n",
            ["第4行", "第2项（id: a）", "标识重复（第2行已有同一标识）"],
        ),
        (
            "agencies:\n  - id: a\n    params: params/a\n    published: published/a\n",
            ["第1项（id: a）", "同时写了 params 和 published"],
        ),
        ("agencies:\n  - id: a\n", ["第1项（id: a）", "缺少 params 和 published"]),
        (
            "agencies:\n  - id: 应急局\n    params: params/x\n",
            ["「id」标识「应急局」只能由字母、数字和 - 组成"],
        ),
        ("agencies:\n  - id: a\n    param: params/a\n", ["「param」不认识的键"]),
        (
            "agencies:\n  - id: a\n    params: params/a\n    includes: [a]\n",
            ["includes 不能包含自己"],
        ),
    ],
)
def test_bad_agencies_yaml_is_said_in_chinese(project, text, said):
    path = _yaml(project, text)
    with pytest.raises(agencies.AgenciesError) as e:
        agencies.load(project)
    message = str(e.value)
    assert str(path) in message
    for part in said:
        assert part in message


def test_bad_agencies_yaml_stops_the_command_without_a_traceback(project, capsys):
    _yaml(project, "agencies:\n  - id: a\n    params: params/a\n    includes: [zz]\n")
    code = main(["build", "--year", "2021", "--all"])
    err = capsys.readouterr().err
    assert code != 0
    assert "includes 中的「zz」不是已列出的机关" in err
    assert "Traceback" not in err


def test_all_without_agencies_yaml_says_what_to_do(project, capsys):
    assert main(["build", "--year", "2021", "--all"]) != 0
    err = capsys.readouterr().err
    assert "agencies.yaml 不存在" in err and "reportkit build --year" in err


def test_the_plan_of_the_sample_county(county):
    reg = agencies.load(county)
    tasks, notes = batch.plan(reg, [2022, 2021])
    # Years in order; within a year the departments before the government that includes them;
    # szz has only published reports and is not built.
    assert [t.key for t in tasks] == [
        "sfj/2021",
        "jyj/2021",
        "ztz/2021",
        "xzf/2021",
        "sfj/2022",
        "jyj/2022",
        "ztz/2022",
        "xzf/2022",
    ]
    xzf_2022 = tasks[-1]
    assert xzf_2022.includes == ["sfj/2022", "jyj/2022", "ztz/2022"]
    assert xzf_2022.after == "xzf/2021"
    assert xzf_2022.out == str(county / "outputs" / "xzf" / "2022")
    assert notes == []


def test_the_plan_of_some_agencies_says_what_is_not_built(county):
    reg = agencies.load(county)
    tasks, notes = batch.plan(reg, [2021, 2023], ["xzf", "szz"])
    assert [t.key for t in tasks] == ["xzf/2021"]
    assert tasks[0].includes == []  # sfj etc. not in this batch: their existing outputs are read
    assert "机关「szz」只有已发布的报告（published），无需生成" in notes
    assert any("机关「xzf」没有2023年的参数文件" in n for n in notes)


def test_unknown_agency_is_named(county, capsys):
    assert main(["build", "--year", "2021", "--agency", "nope"]) != 0
    err = capsys.readouterr().err
    assert "没有机关「nope」" in err and "sfj" in err


def test_params_and_out_do_not_go_with_all(county, capsys):
    for argv in (["--all", "--out", "x"], ["--workers", "2"]):
        with pytest.raises(SystemExit) as e:  # argparse's usage error, as for --params with years
            main(["build", "--year", "2021", *argv])
        assert e.value.code == 2


def test_check_all_checks_each_agency(county, capsys):
    # Departments only: the government's aggregate needs their built tables (test_aggregate).
    code = main(["check", "--year", "2021", "--agency", "sfj", "--agency", "jyj", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert sorted(data["agencies"]) == ["jyj", "sfj"]
    assert data["agencies"]["sfj"]["errors"] == 0


def test_check_of_an_aggregate_without_its_parts_built_says_why(county, capsys):
    code = main(["check", "--year", "2021", "--agency", "xzf"])
    out = capsys.readouterr().out
    assert code == 2
    assert "机关「xzf」汇总所含的机关「sfj」还没有2021年的统计表" in out
    assert "reportkit build --year 2021 --agency sfj" in out
