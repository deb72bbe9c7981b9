"""Property-based: random requests ledgers, valid and corrupted, in every encoding and form Excel
saves. A valid ledger gives exactly the 表三 counted by hand from its records; a corrupted one gives
either a clear reportkit error or a report whose checks either flag it or whose identities hold —
never any other exception."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit.checks import run as checks
from reportkit.cli import main
from reportkit.compute import tables
from reportkit.compute.report import Report, open_report
from reportkit.contract import vocab
from reportkit.contract.errors import ReportkitError
from reportkit.ingest.cells import _any_date
from reportkit.ingest.ledgers import load_ledgers

YEARS = (2020, 2021, 2022)
HEADER = ["申请编号", "收到日期", "申请人类型", "办理结果", "办结日期", "申请人姓名", "申请内容"]
FORMATS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "xlsx"]
EXCEL_EPOCH = dt.date(1899, 12, 30)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Request:
    id: str
    received: dt.date
    applicant: str
    outcome: str | None
    concluded: dt.date | None


@st.composite
def requests(draw) -> list[Request]:
    n = draw(st.integers(0, 25))
    out = []
    for i in range(n):
        received = draw(st.dates(dt.date(2019, 1, 1), dt.date(2022, 12, 31)))
        if draw(st.booleans()):
            concluded = received + dt.timedelta(days=draw(st.integers(0, 400)))
            outcome = draw(st.sampled_from(vocab.OUTCOMES))
        else:
            concluded, outcome = None, None
        out.append(
            Request(
                f"YSQ-{i:03d}",
                received,
                draw(st.sampled_from(vocab.APPLICANT_TYPES)),
                outcome,
                concluded,
            )
        )
    return out


def expected_table3(records: list[Request], year: int) -> dict[str, dict[str, int]]:
    """表三 counted by hand from the records, by the contract's rules."""
    t = {row: dict.fromkeys(vocab.T3_COLUMNS, 0) for row in vocab.T3_ROWS}

    def add(row: str, applicant: str) -> None:
        t[row][applicant] += 1
        t[row][vocab.TOTAL] += 1

    for r in records:
        got, done = r.received.year, (r.concluded.year if r.concluded else None)
        if got == year:
            add(vocab.NEW_REQUESTS, r.applicant)
        if got < year and (done is None or done >= year):
            add(vocab.CARRIED_IN, r.applicant)
        if done == year:
            add(r.outcome, r.applicant)
            add(vocab.TOTAL, r.applicant)
        if got <= year and (done is None or done > year):
            add(vocab.CARRIED_OUT, r.applicant)
    return t


def as_dict(frame) -> dict[str, dict[str, int]]:
    return {
        row: {col: int(frame.at[row, col]) for col in vocab.T3_COLUMNS} for row in vocab.T3_ROWS
    }


def identities_hold(t: dict[str, dict[str, int]]) -> bool:
    """一 + 二 = 三(七) + 四 per column; 三(七) = the sum of the outcomes; 总计 = the sum of the row."""
    for col in vocab.T3_COLUMNS:
        if (
            t[vocab.NEW_REQUESTS][col] + t[vocab.CARRIED_IN][col]
            != t[vocab.TOTAL][col] + t[vocab.CARRIED_OUT][col]
        ):
            return False
        if t[vocab.TOTAL][col] != sum(t[o][col] for o in vocab.OUTCOMES):
            return False
    return all(
        t[row][vocab.TOTAL] == sum(t[row][a] for a in vocab.APPLICANT_TYPES)
        for row in vocab.T3_ROWS
    )


# ------------------------------------------------------------------------------------------------
# Writing records as people do: varied date and label forms, title rows, encodings, XLSX
# ------------------------------------------------------------------------------------------------
def date_forms(d: dt.date, xlsx: bool) -> list[object]:
    forms: list[object] = [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        d.strftime("%Y%m%d"),
        f"{d.year}.{d.month}.{d.day}",
        str((d - EXCEL_EPOCH).days),
        f"{d.isoformat()} 08:30",
    ]
    if xlsx:
        forms += [dt.datetime(d.year, d.month, d.day), (d - EXCEL_EPOCH).days]
    return forms


def outcome_forms(key: str) -> list[str]:
    forms = [key, key.replace("/", "／"), f" {key} ", key.split("/")[-1]]  # the leaf alone, too
    if key == vocab.PARTLY:
        forms.append(vocab.PARTLY_LABEL)
    return forms


def applicant_forms(a: str) -> list[str]:
    return [a, f" {a} ", f"{a}\u3000", a[0] + " " + a[1:]]


@st.composite
def written(draw, records: list[Request]):
    """(file name, cells as rows) for the records, in a drawn form."""
    fmt = draw(st.sampled_from(FORMATS))
    xlsx = fmt == "xlsx"
    rows: list[list[object]] = []
    if draw(st.booleans()):
        rows.append(["某局依申请公开台账"] + [""] * (len(HEADER) - 1))
    rows.append([draw(st.sampled_from([h, f" {h}", h + "　"])) for h in HEADER])
    for r in records:
        rows.append(
            [
                r.id,
                draw(st.sampled_from(date_forms(r.received, xlsx))),
                draw(st.sampled_from(applicant_forms(r.applicant))),
                draw(st.sampled_from(outcome_forms(r.outcome))) if r.outcome else "",
                draw(st.sampled_from(date_forms(r.concluded, xlsx))) if r.concluded else "",
                draw(st.sampled_from(["张某某", "李某", ""])),
                draw(st.sampled_from(["申请公开应急预案", "请公开2021年的检查记录，谢谢", ""])),
            ]
        )
    rows += [[""] * len(HEADER)] * draw(st.integers(0, 2))
    return fmt, rows, draw(st.sampled_from(["\r\n", "\n"]))


def encode(fmt: str, rows: list[list[object]], newline: str) -> bytes | openpyxl.Workbook:
    if fmt == "xlsx":
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append([None if v == "" else v for v in row])
        return wb
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline, delimiter="\t" if fmt == "utf-16" else ",").writerows(
        rows
    )
    return buf.getvalue().encode(fmt)


def save(folder: Path, fmt: str, content: bytes | openpyxl.Workbook) -> Path:
    path = folder / ("requests.xlsx" if fmt == "xlsx" else "requests.csv")
    if isinstance(content, openpyxl.Workbook):
        content.save(path)
    else:
        path.write_bytes(content)
    return path


@contextlib.contextmanager
def agency():
    with tempfile.TemporaryDirectory(prefix="reportkit-prop-") as tmp:
        base = Path(tmp)
        (base / "data").mkdir()
        (base / "2021.yaml").write_text(
            "agency: 测试局\nyear: 2021\ndata_dir: data\n", encoding="utf-8"
        )
        yield base


# ------------------------------------------------------------------------------------------------
# Valid ledgers: exactly the hand-counted table
# ------------------------------------------------------------------------------------------------
@SETTINGS
@given(st.data())
def test_valid_ledgers_give_the_hand_counted_table(data):
    records = data.draw(requests())
    fmt, rows, newline = data.draw(written(records))
    with agency() as base:
        save(base / "data", fmt, encode(fmt, rows, newline))
        ledgers = load_ledgers(base / "data")
        for year in YEARS:
            got = as_dict(tables.table3(ledgers, year))
            assert got == expected_table3(records, year)
            assert identities_hold(got)
        assert {"张某某", "李某"} & ledgers.personal_values == {
            v for r in rows[1:] for v in r if v in ("张某某", "李某")
        }


# ------------------------------------------------------------------------------------------------
# Corrupted ledgers: a clear error, or checks that flag it, or identities that hold
# ------------------------------------------------------------------------------------------------
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


# What a change does, as far as the contract decides it: nothing the tables count ("harmless"), an
# error it names ("error"), or something only reportkit's reading decides (None).
HARMLESS, ERROR = "harmless", "error"
OPTIONAL = (HEADER.index("申请人姓名"), HEADER.index("申请内容"))  # counted by no table
EXCEL = ("=", "#")  # a formula or an error value: what the cell holds is Excel's to say


def record_rows(rows: list[list[object]]) -> list[int]:
    """Indices of the rows still holding a record as written: an id under the header."""
    return [k for k, r in enumerate(rows) if str(r[0]).startswith("YSQ-")]


def effect(
    kind: str,
    rows: list[list[object]],
    i: int,
    j: int,
    value: object,
    records: dict[str, Request],
    swapped: set[str],
) -> str | None:
    """The effect of a change to row i, column j of `rows` (before the change), by the rules."""
    ids = [r[0] for r in rows]
    if i not in record_rows(rows) or ids.count(rows[i][0]) != 1 or rows[i][0] in swapped:
        return None  # title, header, blank, duplicated or swapped row: left to reportkit
    record = records[rows[i][0]]
    if kind == "blank" and j in OPTIONAL:
        return HARMLESS  # an optional column may be blank
    if kind == "cell" and j in OPTIONAL and isinstance(value, str) and not value.startswith(EXCEL):
        return HARMLESS  # any text in a column no table counts
    if kind == "duplicate":
        return ERROR  # the same 申请编号 twice
    if kind == "swap dates" and record.concluded is None:
        return ERROR  # 收到日期 left blank, and 办结日期 set with 办理结果 blank
    if kind == "swap dates":  # the same two dates, or 办结日期 before 收到日期
        return HARMLESS if record.concluded == record.received else ERROR
    return None


@st.composite
def corrupted(
    draw, rows: list[list[object]], records: list[Request], decided: bool = False
) -> tuple[list[list[object]], list[str | None]]:
    """The rows with 1 to 3 changes, and the effect of each change (see effect()); `decided`: only
    changes to records whose effect the rules decide."""
    by_id = {r.id: r for r in records}
    rows = [list(r) for r in rows]
    effects: list[str | None] = []
    swapped: set[str] = set()  # a second swap would undo the first
    for _ in range(draw(st.integers(1, 3))):
        any_row = st.integers(0, len(rows) - 1)
        # half the time a record's row, whose changes the rules decide
        held = record_rows(rows)
        i = draw(st.one_of(any_row, st.sampled_from(held)) if held else any_row)
        j = draw(st.integers(0, len(HEADER) - 1))
        kind = draw(
            st.sampled_from(
                ["cell", "blank", "header", "duplicate", "junk row", "swap dates", "wide row"]
            )
        )
        if decided:
            i = draw(st.sampled_from(record_rows(rows)))
            j = draw(st.sampled_from(OPTIONAL))
            kind = draw(st.sampled_from(["cell", "blank", "duplicate", "swap dates"]))
        value = None
        if kind == "cell":
            value = draw(
                st.one_of(
                    TEXT,
                    st.sampled_from(
                        ["法人", "自然任", "2021-02-30", "#N/A", "-1", "TRUE", "0021-01-01"]
                    ),
                )
            )
        effects.append(effect(kind, rows, i, j, value, by_id, swapped))
        if kind == "swap dates":
            swapped.add(str(rows[i][0]))
        if kind == "cell":
            rows[i][j] = value
        elif kind == "blank":
            rows[i][j] = ""
        elif kind == "header":
            h = next((k for k, r in enumerate(rows[:2]) if any("收到日期" in str(v) for v in r)), 0)
            rows[h][j] = draw(
                st.sampled_from(["", "申请编码", "收到日期", "类型", "办结日期（年月日）"])
            )
        elif kind == "duplicate":
            rows.insert(i, list(rows[i]))
        elif kind == "junk row":
            rows.insert(i, [draw(TEXT) for _ in HEADER])
        elif kind == "swap dates":
            rows[i][1], rows[i][4] = rows[i][4], rows[i][1]
        elif kind == "wide row":
            rows[i] = rows[i] + [draw(TEXT) for _ in range(draw(st.integers(1, 4)))]
    return rows, effects


def expected_outcome(effects: list[str | None]) -> set[str] | None:
    """The outcomes the rules allow: {'clean'} when every change was harmless; when one was an
    error and none undecided, 'error' (the ledger refused) or 'flagged' (an error finding:
    办结日期 before 收到日期 is one); None when the rules alone do not decide."""
    if None in effects:
        return None
    return {"clean"} if ERROR not in effects else {"error", "flagged"}


@st.composite
def damaged_bytes(draw, raw: bytes) -> bytes:
    kind = draw(st.sampled_from(["none", "insert", "truncate"]))
    if kind == "none" or not raw:
        return raw
    at = draw(st.integers(0, len(raw)))
    if kind == "insert":
        return raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    return raw[:at]


def outcome(base: Path, name: str = "requests.") -> tuple[str, Report | None]:
    """'error' (a reportkit error), 'flagged' (checks find an error) or 'clean', with the report
    when it loaded; asserts the rest."""
    try:
        report = open_report(params=base / "2021.yaml")
        findings = checks.check_report(report)
    except ReportkitError as e:
        text = str(e)
        assert text and "Traceback" not in text
        assert name in text or "台账" in text
        return "error", None
    if any(f.severity == "error" for f in findings):
        return "flagged", report
    for year in YEARS:
        assert identities_hold(as_dict(tables.table3(report.ledgers, year)))
    return "clean", report


@SETTINGS
@given(st.data())
def test_corrupted_ledgers_fail_clearly_or_stay_consistent(data):
    records = data.draw(requests())
    fmt, rows, newline = data.draw(written(records))
    rows, effects = data.draw(corrupted(rows, records))
    with agency() as base:
        content = encode(fmt, rows, newline)
        expected = expected_outcome(effects)
        if not isinstance(content, openpyxl.Workbook):
            damaged = data.draw(damaged_bytes(content))
            expected = expected if damaged == content else None  # damaged bytes: left to reportkit
            content = damaged
        save(base / "data", fmt, content)
        got, report = outcome(base)
    if expected is not None:
        assert got in expected, effects
    if expected == {"clean"}:  # only harmless changes: the table of the records as drawn
        for year in YEARS:
            assert as_dict(tables.table3(report.ledgers, year)) == expected_table3(records, year)


@SETTINGS
@given(st.data())
def test_changes_the_rules_decide_give_their_outcome(data):
    # A blank or any text in an optional column changes nothing; a repeated 申请编号, or
    # 办结日期 swapped before 收到日期 (or into a request not yet concluded), is an error.
    records = data.draw(requests().filter(bool))
    fmt, rows, newline = data.draw(written(records))
    rows, effects = data.draw(corrupted(rows, records, decided=True))
    expected = expected_outcome(effects)
    with agency() as base:
        save(base / "data", fmt, encode(fmt, rows, newline))
        got, report = outcome(base)
    if expected is not None:  # None: a change to a row changed before
        assert got in expected, effects
    if expected == {"clean"}:
        for year in YEARS:
            assert as_dict(tables.table3(report.ledgers, year)) == expected_table3(records, year)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["requests.csv", "requests.xlsx", "appeals.csv"]))
def test_any_bytes_as_a_ledger_never_crash(raw, name):
    with agency() as base:
        (base / "data" / name).write_bytes(raw)
        # 400 random bytes never hold a required header (申请编号 … / 案件编号 …), and an
        # empty file is no ledger either: a present ledger without its header is an error.
        assert outcome(base, name)[0] == "error"


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_the_command_line_never_shows_an_internal_error(data):
    records = data.draw(requests())
    fmt, rows, newline = data.draw(written(records))
    # half the time only changes the rules decide, whose exit code is then known
    decided = bool(records) and data.draw(st.booleans())
    rows, effects = data.draw(corrupted(rows, records, decided=decided))
    with agency() as base:
        save(base / "data", fmt, encode(fmt, rows, newline))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", "--params", str(base / "2021.yaml")])
        assert code in (0, 1, 2)
        assert "内部错误" not in err.getvalue() and "Traceback" not in err.getvalue()
        if code == 2:
            assert err.getvalue().startswith("错误：")
        # a clean ledger exits 0; one the rules call wrong 1 (an error finding) or 2 (bad input)
        expected = expected_outcome(effects)
        if expected is not None:
            assert code in ({0} if expected == {"clean"} else {1, 2}), effects


# ------------------------------------------------------------------------------------------------
# Every ledger: random grids of typical and odd cells, as CSV or as typed XLSX cells
# ------------------------------------------------------------------------------------------------
ODD_CELLS = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "",
            " ",
            "2021-06-16",
            "2021/6/16",
            "44363",
            "法人",
            "规范性文件",
            "主办",
            "行政复议",
            "结果维持",
            "予以公开",
            "1,200",
            "-3",
            "3.5",
            "#REF!",
            "TRUE",
            "0021-01-01",
            "9999-12-31",
        ]
    ),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 12, 31)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_ledger_with_odd_cells_fails_clearly_or_loads(data):
    from reportkit.ingest.ledgers import SCHEMAS

    stem = data.draw(st.sampled_from(sorted(SCHEMAS)))
    names = [c.name for c in SCHEMAS[stem].columns]
    header = data.draw(st.permutations(names + ["备注", "申请人姓名"]))
    rows = [header] + data.draw(
        st.lists(st.lists(ODD_CELLS, min_size=len(header), max_size=len(header)), max_size=8)
    )
    xlsx = data.draw(st.booleans())
    with agency() as base:
        if xlsx:
            wb = openpyxl.Workbook()
            for row in rows:
                wb.active.append([v.replace("\x0b", "") if isinstance(v, str) else v for v in row])
            wb.save(base / "data" / f"{stem}.xlsx")
        else:
            buf = io.StringIO()
            csv.writer(buf).writerows([["" if v is None else str(v) for v in row] for row in rows])
            (base / "data" / f"{stem}.csv").write_bytes(
                buf.getvalue().encode(data.draw(st.sampled_from(["utf-8", "gb18030"])))
            )
        got, report = outcome(base, stem)
    records = records_written(rows[1:], xlsx)
    if got != "error" and records is not None:
        # loaded: one record per row with something in it, blank rows skipped
        assert len(report.ledgers[stem]) == records


def records_written(rows: list[list[object]], xlsx: bool) -> int | None:
    """How many of the rows hold something, by what the file holds: an empty or all-space cell is
    blank. None when a cell's fate is Excel's to decide (NaN, a formula, an error value)."""
    count = 0
    for row in rows:
        if xlsx and any(
            (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v.startswith(EXCEL))
            for v in row
        ):
            return None
        if xlsx:  # a workbook holds the typed value, or nothing for None
            cells = [v for v in row if v is not None]
        else:  # a CSV holds text
            cells = ["" if v is None else str(v) for v in row]
        count += any(not (isinstance(v, str) and not v.strip()) for v in cells)
    return count


@given(
    year=st.integers(0, 9999),
    month=st.integers(0, 13),
    day=st.integers(0, 32),
    separators=st.sampled_from(["--", "//", "..", "--", "//", "-/", "/."]),
    widths=st.tuples(st.sampled_from([3, 4, 4, 4, 5]), st.integers(1, 3), st.integers(1, 3)),
)
@SETTINGS
def test_typed_dates_read_as_strptime_reads_them(year, month, day, separators, widths):
    # reportkit reads the common forms without strptime; what it accepts must be exactly what the
    # three formats accept, mixed separators and impossible dates included.
    text = f"{year:0{widths[0]}d}{separators[0]}{month:0{widths[1]}d}{separators[1]}{day:0{widths[2]}d}"
    expected = None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        with contextlib.suppress(ValueError):
            expected = dt.datetime.strptime(text, fmt)
            break
    assert _any_date(text) == expected, text
