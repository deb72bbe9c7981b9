"""A big CSV read column by column with pyarrow: repeated values as codes, free text kept in Arrow.

Only the plain case takes this path: a file pyarrow parses into exactly `width` fields on every
row, in UTF-8 or GB18030, with no control character in the columns read. Anything else (a ragged
row, a blank line, an unbalanced quote, a byte that does not decode, a NUL) returns None, and the
caller reads the file with pandas' parser as before, which names the problem in Chinese. So the
two paths give the same frames, and a bad file gets the same message either way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

# Files from this size up are read here; smaller ones are quicker through pandas (no pyarrow to
# import). Tests lower it to compare the two paths.
MIN_BYTES = 16 << 20
ENCODINGS = {"utf-8": "utf8", "gb18030": "gb18030"}
# Blocks parsed at a time: bigger ones are no faster, and each costs memory on every thread.
BLOCK_BYTES = 1 << 20

# The str dtype pandas gives a column of text (what a DataFrame makes of an object array of str).
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)


def read(
    path: Path,
    skip: int,
    encoding: str,
    sep: str,
    width: int,
    wanted: list[int],
    repeated: set[int],
) -> dict[int, Any] | None:
    """The `wanted` columns of a CSV (its text from byte `skip`), every record from Excel row 1:
    the `repeated` ones as pd.Categorical, the others as pyarrow string arrays. None when the file
    is not plain enough for this path (see the module's docstring)."""
    # pyarrow ends a quote left open at the end of the file as if it were closed, where pandas
    # names the row: the quotes are checked on the other core while pyarrow parses. pyarrow is
    # quicker when told that no value holds a line break, which the check also says: only then
    # is a file parsed again, the slower way.
    source = _Source(path, skip, encoding, sep, width, wanted, repeated)
    found: list[tuple[bool, bool]] = []
    checker = threading.Thread(target=lambda: found.append(quotes(path, skip, sep)))
    checker.start()
    try:
        table = _parse(source, False)
    finally:
        checker.join()
    plain, line_breaks = found[0] if found else (False, True)  # it failed: pandas reads it
    if not plain:
        return None
    if line_breaks:
        table = _parse(source, True)
    if table is None:
        return None
    # Column by column, each let go of once converted: a GB18030 file's text is not held twice.
    columns = {j: table.column(str(j)) for j in wanted}
    del table
    return _columns(columns, repeated, encoding)


class _Source(NamedTuple):
    """What read() was asked to parse, as pyarrow is asked for it (once or twice)."""

    path: Path
    skip: int
    encoding: str
    sep: str
    width: int
    wanted: list[int]
    repeated: set[int]


def _parse(source: _Source, line_breaks: bool) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    path, skip, encoding, sep, width, wanted, repeated = source

    names = [str(j) for j in range(width)]
    # GB18030 is parsed as bytes: a separator, quote or line break is never part of one of its
    # characters; only the values are decoded (_columns), not the whole file.
    gbk = encoding == "gb18030"
    # Free text as pandas keeps it (large_string), so that it is not copied again on the way.
    text, word = (pa.large_binary(), pa.binary()) if gbk else (pa.large_string(), pa.string())
    types = {names[j]: pa.dictionary(pa.int32(), word) if j in repeated else text for j in wanted}
    try:
        with path.open("rb") as f:
            f.seek(skip)
            return pcsv.read_csv(
                f,
                read_options=pcsv.ReadOptions(
                    column_names=names, encoding="utf8", block_size=BLOCK_BYTES
                ),
                parse_options=pcsv.ParseOptions(
                    delimiter=sep, newlines_in_values=line_breaks, ignore_empty_lines=False
                ),
                convert_options=pcsv.ConvertOptions(
                    include_columns=[names[j] for j in wanted],
                    column_types=types,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    check_utf8=not gbk,
                ),
            )
    except (pa.ArrowException, UnicodeDecodeError, ValueError):
        return None


def _columns(columns: dict[int, Any], repeated: set[int], encoding: str) -> Any:
    import pyarrow as pa

    out: dict[int, Any] = {}
    for j in list(columns):
        column = columns.pop(j)
        if j in repeated:
            column = column.unify_dictionaries() if column.num_chunks > 1 else column
            dictionary = (
                column.chunk(0).dictionary if column.num_chunks else pa.array([], pa.string())
            )
            if _has_control(dictionary):
                return None
            indices = [c.indices.to_numpy(zero_copy_only=False) for c in column.chunks]
            codes = np.concatenate(indices) if indices else np.empty(0, np.int32)
            values = dictionary.to_pylist()
            if encoding == "gb18030":
                try:
                    values = [v.decode("gb18030") for v in values]
                except UnicodeDecodeError:
                    return None  # pandas' path tells the user about the encoding
            out[j] = pd.Categorical.from_codes(
                codes, dtype=pd.CategoricalDtype(pd.Index(values, dtype=object))
            )
        else:
            if any(_has_control(c) for c in column.chunks):
                return None
            if encoding == "gb18030":
                column = _from_gb18030(column)
                if column is None:
                    return None
            out[j] = column
    return out


def _from_gb18030(column: Any) -> Any:
    """A column of GB18030 bytes as UTF-8 text (None when a value does not decode). Each block's
    values are decoded at once, a NUL after each to find them again: no Python object per value."""
    import pyarrow as pa

    chunks = []
    for chunk in column.chunks:
        b, o = _utf8(chunk)
        data = b[o[0] : o[-1]]
        if not (data >= 0x80).any():  # ASCII (ids, dates): the same bytes in UTF-8
            chunks.append(chunk.cast(pa.large_string()))
            continue
        n = len(chunk)
        nuls = o[1:] - o[0] + np.arange(n)  # where each value ends, once a NUL follows each
        joined = np.zeros(data.size + n, np.uint8)
        at = np.ones(joined.size, bool)
        at[nuls] = False
        joined[at] = data
        try:  # a NUL is no part of a GB18030 character: a lead byte before one fails here
            utf8 = np.frombuffer(joined.tobytes().decode("gb18030").encode(), np.uint8)
        except UnicodeDecodeError:
            return None
        ends = np.flatnonzero(utf8 == 0)
        if len(ends) != n:  # a NUL of its own (the control check has ruled that out)
            return None
        offsets = np.concatenate([[0], ends - np.arange(n)]).astype(np.int64)
        body = utf8[utf8 != 0]
        buffers = [None, pa.py_buffer(offsets), pa.py_buffer(body)]
        chunks.append(pa.Array.from_buffers(pa.large_string(), n, buffers))
    return pa.chunked_array(chunks, pa.large_string())


def quotes(path: Path, skip: int, sep: str) -> tuple[bool, bool]:
    """(plain, line breaks) of a CSV's quotes. Plain: every quote is where pandas and pyarrow
    read it alike, and none is left open at the end (a quote outside a quoted value opens one at
    the start of a value, or is the second of a doubled quote; a quote closing one is followed
    by the end of the value). Line breaks: whether a quoted value holds one.
    Quotes are ASCII and no byte of a multi-byte character in UTF-8 or GB18030, so bytes suffice."""
    starts = np.array([ord(sep), 10, 13], np.uint8)
    ends = np.array([ord(sep), 10, 13, 34], np.uint8)
    count, last_quote, last_byte, at = 0, -2, 10, skip  # the text starts as after a line break
    breaks = False
    with path.open("rb") as f:
        f.seek(skip)
        while (chunk := np.fromfile(f, np.uint8, count=1 << 23)).size:
            q = np.flatnonzero(chunk == 34)
            if not breaks and (q.size or count % 2):
                lines = np.flatnonzero((chunk == 10) | (chunk == 13))
                breaks = bool(((np.searchsorted(q, lines) + count) % 2).any())
            if q.size:
                before = np.where(q > 0, chunk[np.maximum(q - 1, 0)], last_byte)
                after = chunk[np.minimum(q + 1, chunk.size - 1)]
                ahead = np.isin(after, ends) | (q + 1 == chunk.size)  # the next chunk: see below
                opening = (np.arange(q.size) + count) % 2 == 0
                doubled = np.concatenate([[last_quote], q[:-1] + at]) == q + at - 1
                if (opening & ~np.isin(before, starts) & ~doubled).any():
                    return False, breaks
                if (~opening & ~ahead).any():
                    return False, breaks
                count, last_quote = count + q.size, int(q[-1]) + at
            last_byte, at = int(chunk[-1]), at + chunk.size
            if q.size and q[-1] == chunk.size - 1 and count % 2 == 0:
                # a closing quote ends the chunk: the next byte must end the value too
                following = f.read(1)
                f.seek(-len(following), 1)
                if following and following[0] not in ends:
                    return False, breaks
    return count % 2 == 0, breaks


def _has_control(array: Any) -> bool:
    """Whether a string array's bytes hold a control character (below 32 but tab, LF and CR)."""
    data = array.buffers()[2]
    if data is None:
        return False
    low = np.frombuffer(data, np.uint8) < 32
    if not low.any():  # the usual case: one pass, no copy
        return False
    b = np.frombuffer(data, np.uint8)[low]
    return bool(((b != 9) & (b != 10) & (b != 13)).any())


def to_numpy(column: Any) -> np.ndarray:
    """An Arrow column of text as the object array pandas' parser would have given."""
    out = np.empty(len(column), dtype=object)
    out[:] = column.to_numpy(zero_copy_only=False) if len(column) else []
    return out


def free_text(column: Any) -> tuple[Any, np.ndarray, tuple[int, ...]] | None:
    """A column of ids or free text, each cell its own value, judged in Arrow: (the values as a
    str array, blank per value, positions holding an Excel error value). None when a value needs
    str.strip() or when no value is text (the caller then goes through the values in Python)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from reportkit.contract.schema import EXCEL_ERRORS

    if not len(column) or any(map(_edge_space, column.chunks)):
        return None
    blank = pc.equal(pc.binary_length(column), 0).to_numpy(zero_copy_only=False)
    if blank.all():
        return None
    errors = pc.is_in(column, value_set=pa.array(sorted(EXCEL_ERRORS), pa.string()))
    flagged = tuple(np.flatnonzero(errors.to_numpy(zero_copy_only=False)).tolist())
    return pd.array(column, dtype=TEXT_DTYPE), blank, flagged


def _utf8(chunk: Any) -> tuple[np.ndarray, np.ndarray]:
    """A string array's UTF-8 bytes and the offset of each value (one more: the end)."""
    _, offsets, data = chunk.buffers()
    kind = np.int64 if chunk.type in ("large_string", "large_binary") else np.int32
    o = np.frombuffer(offsets, kind)[chunk.offset : chunk.offset + len(chunk) + 1].astype(np.int64)
    b = np.frombuffer(data, np.uint8) if data is not None else np.zeros(1, np.uint8)
    return (b if b.size else np.zeros(1, np.uint8)), o


# str.isspace() characters in UTF-8: these ASCII bytes, C2 85, C2 A0, E1 9A 80, E2 80 80-8A,
# E2 80 A8, E2 80 A9, E2 80 AF, E2 81 9F and E3 80 80 (checked against str.isspace() in tests).
_ASCII_SPACE = np.zeros(256, bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_AFTER_E2_80 = np.zeros(256, bool)
_AFTER_E2_80[[*range(0x80, 0x8B), 0xA8, 0xA9, 0xAF]] = True


def _wide_space(x: np.ndarray, y: np.ndarray, z: np.ndarray | None) -> np.ndarray:
    """Whether bytes x y (z) are a two (three) byte space. Arrow has checked the text is UTF-8,
    so a lead byte is followed by its continuation bytes, and a match is a whole character."""
    if z is None:
        return (x == 0xC2) & ((y == 0x85) | (y == 0xA0))
    e2 = (x == 0xE2) & (((y == 0x80) & _AFTER_E2_80[z]) | ((y == 0x81) & (z == 0x9F)))
    return e2 | (((x == 0xE1) & (y == 0x9A) | (x == 0xE3) & (y == 0x80)) & (z == 0x80))


def _edge_space(chunk: Any) -> bool:
    """Whether a value of a string array starts or ends with a character str.strip() removes,
    told from its first and last three bytes (a few comparisons per value, whatever the script)."""
    if not len(chunk):
        return False
    b, o = _utf8(chunk)
    full = o[1:] > o[:-1]
    start, end = o[:-1][full], o[1:][full]
    top = b.size - 1
    f0, f1, f2 = b[start], b[np.minimum(start + 1, top)], b[np.minimum(start + 2, top)]
    l3, l2, l1 = b[np.maximum(end - 3, 0)], b[np.maximum(end - 2, 0)], b[end - 1]
    found = _ASCII_SPACE[f0] | _ASCII_SPACE[l1]
    found |= _wide_space(f0, f1, None) | _wide_space(f0, f1, f2)
    found |= _wide_space(l2, l1, None) | _wide_space(l3, l2, l1)
    return bool(found.any())


def all_different(values: Any, skip: np.ndarray | None = None) -> bool:
    """Whether no value of a str array repeats (those marked in `skip` aside). Values of one byte
    length are hashed as words by numpy (a set of a million ids costs more); only when two hashes
    meet are the values compared, by Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = values.__arrow_array__()
    keep = np.ones(len(arrow), bool) if skip is None else ~skip

    def exactly() -> bool:
        kept = arrow.filter(pa.array(keep))
        return len(pc.unique(kept)) == len(kept)

    hashes = []
    for chunk in arrow.chunks:
        b, o = _utf8(chunk)
        lengths = np.diff(o)
        kinds = np.unique(lengths)
        if len(kinds) > 8 or (len(kinds) and kinds[-1] > 64):  # not ids: let Arrow count
            return exactly()
        h = np.empty(len(chunk), np.uint64)
        for length in kinds.tolist():
            rows = np.flatnonzero(lengths == length)  # a block of rows: small matrices
            words = np.zeros((len(rows), -(-length // 8) * 8 or 8), np.uint8)
            if length:
                words[:, :length] = b[o[rows][:, None] + np.arange(length)]
            mixed = np.full(len(rows), length, np.uint64)
            for word in words.view(np.uint64).T:
                mixed = (mixed ^ word) * np.uint64(0x9E3779B97F4A7C15)
                mixed ^= mixed >> np.uint64(29)
            h[rows] = mixed
        hashes.append(h)
    kept = np.concatenate(hashes)[keep] if hashes else np.empty(0, np.uint64)
    return len(pd.unique(kept)) == len(kept) or exactly()


def with_blanks(values: Any, blank: np.ndarray) -> Any:
    """A str array of values, then one more for the empty cell, with every blank one missing.
    Only a validity bitmap is made: the text itself is not copied."""
    import pyarrow as pa

    chunks, at = [], 0
    for chunk in values.__arrow_array__().chunks:
        # The bitmap counts from the chunk's buffers' start, which a slice may have moved on.
        valid = np.concatenate([np.ones(chunk.offset, bool), ~blank[at : at + len(chunk)]])
        bitmap = pa.array(valid, pa.bool_()).buffers()[1]
        _, offsets, data = chunk.buffers()
        chunks.append(
            pa.Array.from_buffers(
                chunk.type, len(chunk), [bitmap, offsets, data], offset=chunk.offset
            )
        )
        at += len(chunk)
    chunks.append(pa.nulls(1, values.__arrow_array__().type))
    return pd.array(pa.chunked_array(chunks), dtype=TEXT_DTYPE)


def all_different_soon(values: Any, blank: np.ndarray) -> Callable[[], bool]:
    """all_different() of the values not blank, worked out on another thread (numpy and Arrow
    let go of the GIL): the function returned waits for the answer."""
    answer: list[bool] = []
    worker = threading.Thread(target=lambda: answer.append(all_different(values, blank)))
    worker.start()

    def wait() -> bool:
        worker.join()
        return answer[0] if answer else all_different(values, blank)  # it failed: here then

    return wait


def take(values_of: np.ndarray, codes: np.ndarray) -> Any:
    """values_of[codes] as the column pandas would make of it: for text, a str array taken in
    Arrow rather than a million Python objects that pandas would then convert one by one."""
    if values_of.dtype != object or len(codes) < 1000:
        return values_of[codes]
    used = np.bincount(codes, minlength=len(values_of)) > 0
    small = pd.Series(values_of[used])  # pandas' own inference, on the values the rows hold
    if small.dtype != TEXT_DTYPE:
        return values_of[codes]
    position = np.cumsum(used) - 1
    return small.array.take(position[codes])
