import pytest

from reportkit.contract.errors import ParamsError
from reportkit.ingest.params import load_params


def write(tmp_path, text):
    p = tmp_path / "p.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_valid_params_and_section_names(tmp_path):
    p = write(
        tmp_path,
        "agency: 示例局\nyear: 2022\ndata_dir: d\ncontact: {办公室: 办公室, 邮编: 435100}\n"
        "narrative:\n  一、总体情况: 甲\n  五: 乙\n  other: 丙\n",
    )
    params = load_params(p)
    assert params.year == 2022
    assert params.contact.postcode == "435100"
    assert params.narrative == {"overview": "甲", "problems": "乙", "other": "丙"}
    assert params.data_path == (tmp_path / "d").resolve()


def test_unknown_key_names_file_and_key(tmp_path):
    p = write(tmp_path, "agency: 局\nyear: 2021\ndata_dir: d\nagnecy: x\n")
    with pytest.raises(ParamsError) as e:
        load_params(p)
    assert e.value.key == "agnecy"
    assert str(e.value) == f"参数文件 {p} 的「agnecy」：不认识的键（请检查拼写；可用的键见 README）"


def test_missing_required_key(tmp_path):
    p = write(tmp_path, "agency: 局\nyear: 2021\n")
    with pytest.raises(ParamsError) as e:
        load_params(p)
    assert e.value.key == "data_dir"
    assert str(e.value).endswith("的「data_dir」：缺少必填项")


def test_wrong_type(tmp_path):
    p = write(tmp_path, "agency: 局\nyear: 二〇二一\ndata_dir: d\n")
    with pytest.raises(ParamsError) as e:
        load_params(p)
    assert e.value.key == "year"
    assert "应为整数年份" in str(e.value)


def test_unknown_narrative_section(tmp_path):
    p = write(tmp_path, "agency: 局\nyear: 2021\ndata_dir: d\nnarrative:\n  七、其他: x\n")
    with pytest.raises(ParamsError) as e:
        load_params(p)
    assert e.value.key == "narrative"
    assert "不认识的章节「七、其他」" in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(ParamsError, match="文件不存在"):
        load_params(tmp_path / "none.yaml")


def test_contact_unknown_key(tmp_path):
    p = write(tmp_path, "agency: 局\nyear: 2021\ndata_dir: d\ncontact: {传真: 1}\n")
    with pytest.raises(ParamsError) as e:
        load_params(p)
    assert e.value.key == "contact.传真"


def test_lenient_forms(tmp_path):
    p = write(
        tmp_path,
        'agency: 局\nyear: "2021"\ndata_dir: d\ncontact: 局办公室（电话：0000-1234567）\n'
        "narrative:\n  section1: 甲\n  section6: 乙\n",
    )
    params = load_params(p)
    assert params.year == 2021
    assert params.contact.office == "局办公室（电话：0000-1234567）"
    assert params.narrative == {"overview": "甲", "other": "乙"}


def test_year_must_match_when_both_given(tmp_path):
    p = write(tmp_path, "agency: 局\nyear: 2021\ndata_dir: d\n")
    with pytest.raises(ParamsError) as e:
        load_params(p, year=2022)
    assert str(e.value) == f"参数文件 {p} 的「year」：为 2021，与所要求的 2022 年不符"
