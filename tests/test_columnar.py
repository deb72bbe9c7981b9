"""A big CSV read through pyarrow (ingest/columnar.py) gives what pandas' parser gives: the same
frames, notes and personal values, and for a bad file the same message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reportkit.contract.errors import LedgerError
from reportkit.ingest import columnar
from reportkit.ingest.ledgers import load_ledgers

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "fixtures" / "bad_input"
HEADER = "申请编号,收到日期,申请人类型,办理结果,办结日期,申请人姓名\n"


def _read(folder: Path, monkeypatch, columnar_from: int, calls: list) -> tuple:
    """(frames, notes, personal values, error message) of a folder, with the Arrow path taken
    from `columnar_from` bytes up; `calls` gets whether each Arrow read succeeded."""
    real = columnar.read

    def spy(*args, **kwargs):
        got = real(*args, **kwargs)
        calls.append(got is not None)
        return got

    with monkeypatch.context() as m:
        m.setattr(columnar, "MIN_BYTES", columnar_from)
        m.setattr(columnar, "read", spy)
        try:
            ledgers = load_ledgers(folder)
        except LedgerError as e:
            return None, None, None, str(e)
        return ledgers.frames, ledgers.notes, ledgers.personal_values, None


def both_ways(folder: Path, monkeypatch) -> tuple[tuple, list[bool]]:
    """What pandas' path and the Arrow path read from a folder; asserts they agree."""
    arrow_calls: list[bool] = []
    old = _read(folder, monkeypatch, 1 << 62, [])
    new = _read(folder, monkeypatch, 0, arrow_calls)
    frames_old, notes_old, personal_old, error_old = old
    frames_new, notes_new, personal_new, error_new = new
    assert error_new == error_old
    assert notes_new == notes_old
    assert personal_new == personal_old
    if frames_old is not None:
        assert frames_new.keys() == frames_old.keys()
        for stem, frame in frames_old.items():
            assert list(frames_new[stem].dtypes) == list(frame.dtypes), stem
            pd.testing.assert_frame_equal(frames_new[stem], frame, check_exact=True)
    return old, arrow_calls


@pytest.mark.parametrize("data", ["data/daye", "data/demo", "examples/county/data/yjj"])
def test_seed_and_demo_read_the_same_both_ways(data, tmp_path, monkeypatch):
    folder = ROOT / data
    if not folder.is_dir():  # the county example's folders are named by agency
        folder = next(p for p in sorted((ROOT / "examples/county/data").iterdir()) if p.is_dir())
    (frames, _, _, error), calls = both_ways(folder, monkeypatch)
    assert error is None
    assert calls and all(calls)  # every CSV of these went through Arrow, none fell back
    assert len(frames["requests"]) > 0


def _one_ledger(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("fixture", sorted(p.name for p in BAD.glob("*.csv")))
def test_bad_input_fixtures_read_the_same_both_ways(fixture, tmp_path, monkeypatch):
    stem = fixture.split("_")[0]
    folder = _one_ledger(tmp_path, f"{stem}.csv", (BAD / fixture).read_bytes())
    both_ways(folder, monkeypatch)


def test_gb18030_typo_goes_through_arrow_and_names_the_cell(tmp_path, monkeypatch):
    folder = _one_ledger(tmp_path, "requests.csv", (BAD / "requests_gb18030_typo.csv").read_bytes())
    (_, _, _, error), calls = both_ways(folder, monkeypatch)
    assert calls == [True]  # GBK is read by Arrow too (transcoded as it streams)
    assert error.startswith("requests.csv 第3行「申请人类型」列，值「自然任」：不是可用的类别")


def _rows(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


PLAIN = [
    "YSQ-1,2021-01-05,自然人,予以公开,2021-01-20,张某某",
    "YSQ-2,2021/2/3,商业企业,,,李某某",
    "YSQ-3,2021-03-01,法人或其他组织/商业企业,部分公开,2021-03-09,王某某",
]


CASES = {
    "plain": _rows(*PLAIN).encode(),
    "plain, GBK": _rows(*PLAIN).encode("gb18030"),
    "BOM then GBK": b"\xef\xbb\xbf" + _rows(*PLAIN).encode("gb18030"),
    "CRLF and a quoted value with a comma and a line break": _rows(
        *PLAIN, 'YSQ-4,2021-04-01,自然人,"予以公开",2021-04-02,"赵,某\r\n某"'
    )
    .replace("\n", "\r\n")
    .encode(),
    "a quote inside an unquoted value": _rows(
        *PLAIN, 'YSQ-5,2021-04-01,自然人,予以"公开,,钱某'
    ).encode(),
    "text after a closing quote": _rows(
        *PLAIN, 'YSQ-5,2021-04-01,"自然"人,予以公开,,钱某'
    ).encode(),
    "ids and dates with spaces around them": _rows(
        *PLAIN,
        " YSQ-6 ,\u30002021-05-01 ,自然人 ,予以公开,,孙某",
        "YSQ-7\u3000,2021-05-02,自然人,,,周某",
    ).encode(),
    "a duplicate id, one with a trailing space": _rows(
        *PLAIN, "YSQ-1 ,2021-05-01,自然人,,,吴某"
    ).encode(),
    "a duplicate id": _rows(*PLAIN, "YSQ-2,2021-05-01,自然人,,,吴某").encode(),
    "an Excel error value and a blank id": _rows(
        *PLAIN, "#N/A,2021-05-01,自然人,,,郑某", ",2021-05-02,自然人,,,冯某"
    ).encode(),
    "a blank row and a row of commas": _rows(PLAIN[0], "", ",,,,,", PLAIN[1]).encode(),
    "a short row": _rows(PLAIN[0], "YSQ-8,2021-05-01", PLAIN[1]).encode(),
    "a long row": _rows(PLAIN[0], "YSQ-8,2021-05-01,自然人,,,陈某,多出,两列", PLAIN[1]).encode(),
    "an unbalanced quote": _rows(PLAIN[0], 'YSQ-8,"2021-05-01,自然人,,,陈某', PLAIN[1]).encode(),
    "NUL and escape bytes": _rows(
        PLAIN[0], "YSQ-9\x00,2021-05-01,自然人\x00,予以公开\x1b[31m,,褚某", PLAIN[1]
    ).encode(),
    "a NUL in a personal column only": _rows(
        PLAIN[0], "YSQ-9,2021-05-01,自然人,,,卫\x00某"
    ).encode(),
    "UTF-8 rows then a GBK row": _rows(*PLAIN).encode()
    + "YSQ-9,2021-05-01,自然人,,,蒋某\n".encode("gbk"),
    "bytes that are no encoding": HEADER.encode() + b"\xff\xfe\xfd,\x80\x81\n",
    "a title row above the header, and a serial date": (
        "某某局依申请公开台账\n" + _rows("YSQ-1,44200,自然人,予以公开,44210,沈某")
    ).encode(),
    "header only": HEADER.encode(),
    "every id blank but one, free text all blank": _rows(
        "YSQ-1,2021-01-05,自然人,,,韩某", ",2021-01-06,自然人,,,杨某"
    ).encode(),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hand_written_cases_read_the_same_both_ways(case, tmp_path, monkeypatch):
    folder = _one_ledger(tmp_path, "requests.csv", CASES[case])
    both_ways(folder, monkeypatch)


def test_arrow_takes_only_what_it_reads_as_pandas_would(tmp_path, monkeypatch):
    # The plain files go through Arrow; the others fall back to pandas, which names their faults.
    expected = {
        "plain": True,
        "plain, GBK": True,
        "BOM then GBK": True,
        "ids and dates with spaces around them": True,
        "a blank row and a row of commas": True,  # a blank line: six empty cells, as in pandas
        "a short row": False,
        "an unbalanced quote": False,
        "NUL and escape bytes": False,
        "UTF-8 rows then a GBK row": None,  # told from the first megabyte: no column is read
    }
    for case, arrow in expected.items():
        folder = _one_ledger(tmp_path / case, "requests.csv", CASES[case])
        _, calls = both_ways(folder, monkeypatch)
        assert calls[:1] == ([] if arrow is None else [arrow]), case


def test_messages_for_attacks_are_the_same_and_clear(tmp_path, monkeypatch):
    # An unbalanced quote far down a big file, written by hand: the row where it opens.
    lines = [f"YSQ-{i},2021-01-05,自然人,予以公开,2021-01-20,某{i}" for i in range(1, 20001)]
    lines[14999] = 'YSQ-15000,"2021-01-05,自然人,予以公开,2021-01-20,某'
    folder = _one_ledger(tmp_path / "quote", "requests.csv", _rows(*lines).encode())
    (_, _, _, error), calls = both_ways(folder, monkeypatch)
    assert calls == [False]
    assert error == (
        'requests.csv 第15001行：从这一行起引号（"）不成对，'
        "其后的内容无法分列：请检查这一行，或在 Excel 中打开后重新另存为 CSV"
    )

    # A line longer than Arrow's blocks (here 3 MB of one cell, below the rows the header is
    # looked for in): pandas reads it, as before.
    lines = [f"YSQ-{i},2021-01-05,自然人,予以公开,2021-01-20,某{i}" for i in range(1, 101)]
    lines[60] += "长" * (1 << 20)
    folder = _one_ledger(tmp_path / "long", "requests.csv", _rows(*lines).encode())
    (frames, _, personal, error), calls = both_ways(folder, monkeypatch)
    assert calls == [False] and error is None
    assert len(frames["requests"]) == 100
    assert "某61" + "长" * (1 << 20) in personal

    # NUL bytes in a big file's id and category: removed, with a note, by either path.
    lines = [f"YSQ-{i},2021-01-05,自然人,予以公开,2021-01-20,某{i}" for i in range(1, 2001)]
    lines[1500] = "YSQ-1501\x00,2021-01-05,自然\x00人,予以公开,2021-01-20,某"
    folder = _one_ledger(tmp_path / "nul", "requests.csv", _rows(*lines).encode())
    (frames, notes, _, error), calls = both_ways(folder, monkeypatch)
    assert calls == [False] and error is None
    assert frames["requests"]["申请编号"].iloc[1500] == "YSQ-1501"
    assert (
        "requests.csv 第1502行「申请编号」含不可见的控制字符（如 NUL），已删去；建议在台账中一并删去"
        in map(str, notes)
    )


def test_free_text_needs_python_only_for_values_to_strip():
    import pyarrow as pa

    spaced = pa.chunked_array([pa.array(["A1", "A2\u3000"], pa.large_string())])
    assert columnar.free_text(spaced) is None  # str.strip() would change A2: Python does it
    plain = pa.chunked_array([pa.array(["A1", "", "#N/A", "A2"], pa.large_string())])
    values, blank, flagged = columnar.free_text(plain)
    assert list(values) == ["A1", "", "#N/A", "A2"]
    assert blank.tolist() == [False, True, False, False]
    assert flagged == (2,)
    with_blanks = columnar.with_blanks(values[1:], blank[1:])
    assert with_blanks.dtype == columnar.TEXT_DTYPE
    assert [v if isinstance(v, str) else None for v in with_blanks] == [None, "#N/A", "A2", None]


def test_take_gives_the_column_pandas_would_make():
    values_of = np.array(["自然人", "商业企业", None], dtype=object)
    codes = np.array([0, 1, 2, 1] * 500)
    taken = pd.Series(columnar.take(values_of, codes))
    pd.testing.assert_series_equal(taken, pd.Series(values_of[codes]))
    blank = np.array(["自然人", None], dtype=object)  # only blanks used: pandas keeps object
    pd.testing.assert_series_equal(
        pd.Series(columnar.take(blank, np.ones(2000, int))), pd.Series(blank[np.ones(2000, int)])
    )


def test_edge_spaces_are_those_str_strip_removes():
    import pyarrow as pa

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    # look-alikes that str.strip() keeps: a zero-width space, 、 and 「, a full-width ）, a letter
    kept = ["\u200b", "\u3001", "\u300c", "\uff09", "a", "申", "\u0100", "\u2030", "\u205e"]
    for c in spaces + kept:
        for text in (c + "A1", "A1" + c, c):
            chunk = pa.array(["YSQ-1", text, "申请"], pa.large_string())
            assert columnar._edge_space(chunk) is (text.strip() != text), repr(text)
            assert columnar._edge_space(chunk.slice(1, 1)) is (text.strip() != text), repr(text)
    assert columnar._edge_space(pa.array(["", "A"], pa.string())) is False


def test_all_different_counts_exactly():
    import pyarrow as pa

    def of(values: list[str]) -> bool:
        return columnar.all_different(pd.array(pa.array(values, pa.large_string()), dtype="str"))

    ids = [f"YSQ-{i:07d}" for i in range(5000)]
    assert of(ids) is True
    assert of(ids + ["YSQ-0000042"]) is False
    assert of(["A1", "A10", "B2", "申请1"]) is True  # lengths differ
    assert of(["申请1", "A10", "申请1"]) is False
    assert of(["x" * 70, "x" * 70]) is False  # too long for words: Arrow counts
    assert of([]) is True


def test_line_breaks_in_quoted_values_across_arrow_blocks(tmp_path, monkeypatch):
    # pyarrow is told whether values hold line breaks; here many do, over many small blocks.
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 1 << 12)
    lines = [
        f'YSQ-{i},2021-01-05,自然人,"予以\n公开",2021-01-20,"某{i}\r\n住址"'
        if i % 7 == 0
        else f"YSQ-{i},2021-01-05,自然人,予以公开,2021-01-20,某{i}"
        for i in range(1, 3001)
    ]
    folder = _one_ledger(tmp_path, "requests.csv", _rows(*lines).encode())
    (frames, _, personal, error), calls = both_ways(folder, monkeypatch)
    assert calls == [True] and error is None
    assert len(frames["requests"]) == 3000
    assert "某7\r\n住址" in personal
    assert set(frames["requests"]["办理结果"]) == {"予以公开"}  # a line break is no part of a name
    assert columnar.quotes(folder / "requests.csv", 0, ",") == (True, True)
    assert columnar.quotes(BAD / "penalties_unclosed_quote.csv", 0, ",") == (False, True)


def test_all_different_leaves_blanks_aside():
    import pyarrow as pa

    values = pd.array(pa.array(["A1", "", "A2", ""], pa.large_string()), dtype="str")
    assert columnar.all_different(values) is False  # "" twice
    blank = np.array([False, True, False, True])
    assert columnar.all_different(values, blank) is True
    assert columnar.all_different_soon(values, blank)() is True
    assert columnar.all_different(values, np.array([False, False, True, True])) is True


def test_a_duplicate_id_is_named_by_the_arrow_path(tmp_path, monkeypatch):
    folder = _one_ledger(tmp_path, "requests.csv", CASES["a duplicate id"])
    (_, _, _, error), calls = both_ways(folder, monkeypatch)
    assert calls == [True]
    assert error.endswith(
        "\nrequests.csv 第5行「申请编号」列，值「YSQ-2」：编号重复（与第3行相同），每条记录的编号应唯一"
    )


def test_personal_values_read_late_are_the_same_both_ways(monkeypatch):
    import reportkit.ingest.sheets as sheets

    monkeypatch.setattr(sheets, "EAGER_PERSONAL_BYTES", 0)  # read when the guard asks
    (_, _, personal, error), calls = both_ways(ROOT / "data/daye", monkeypatch)
    assert error is None and personal
    assert calls and all(calls)


def test_gb18030_decoded_value_by_value_as_the_whole_file_would_be(tmp_path, monkeypatch):
    # Past the first megabyte (the encoding is told from it), rows that are not GB18030: a lead
    # byte alone before a comma, and a UTF-8 row (read as GB18030 it is other characters).
    lines = [f"YSQ-{i},2021-01-05,自然人,予以公开,2021-01-20,某{i}" for i in range(1, 30001)]
    head = _rows(*lines).encode("gb18030")
    assert len(head) > 1 << 20
    utf8_row = "YSQ-30001,2021-01-05,自然人,予以公开,2021-01-20,某某\n".encode()
    even_row = "YSQ-30001,2021-01-05,其他,予以公开,2021-01-20,某某\n".encode()  # 6 bytes: 鍏朵粬
    folder = _one_ledger(tmp_path / "utf8", "requests.csv", head + utf8_row)
    (frames, _, _, error), calls = both_ways(folder, monkeypatch)
    assert calls == [False]  # 自然人 is 9 bytes in UTF-8: the last one pairs with the comma
    assert error == "requests.csv：无法识别文件编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV"

    lone = b"YSQ-30001,2021-01-05,\x81,,,\n"
    folder = _one_ledger(tmp_path / "lone", "requests.csv", head + lone)
    (_, _, _, error), calls = both_ways(folder, monkeypatch)
    assert calls == [False]
    assert error == "requests.csv：无法识别文件编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV"

    folder = _one_ledger(tmp_path / "even", "requests.csv", head + even_row)
    (_, _, _, error), calls = both_ways(folder, monkeypatch)
    assert calls == [True]
    assert "\nrequests.csv 第30002行「申请人类型」列，值「鍏朵粬」：不是可用的类别，" in error


@pytest.mark.parametrize("dtype", [object, "str"])
def test_table3_codes_are_those_of_a_categorical(dtype):
    from reportkit.compute.tables import _codes

    categories = ["自然人", "商业企业", "其他"]
    column = pd.Series(["其他", None, "自然人", "法人", "其他", np.nan, "商业企业"], dtype=dtype)
    # by hand: 其他 is 2, 自然人 0, 商业企业 1; blank and unknown are -1
    assert _codes(column, categories).tolist() == [2, -1, 0, -1, 2, -1, 1]
    assert _codes(column.iloc[:0], categories).tolist() == []
