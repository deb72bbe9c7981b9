"""The privacy guard: no applicant's personal value in any output file, however it is disguised.

A value is searched for as a reader would see it: invisible characters (zero-width spaces and
joiners, BOM, soft hyphen, word joiner …) removed and width and compatibility forms unified
(NFKC), in the values and in the files alike; HTML entities (&#8203;) and JSON escapes decoded.
Values the params file itself holds (the agency's name, its contact, the narrative) are the
agency's own words, written deliberately: they are not leaks.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportkit.contract.errors import PrivacyLeak

if TYPE_CHECKING:
    from reportkit.ingest.params import Params

# Characters that show nothing: Unicode category Cf (zero-width space, joiners, BOM, soft hyphen,
# word joiner, direction marks, tags …) and the other default-ignorable ones (variation selectors,
# combining grapheme joiner, Hangul fillers). Written out rather than computed: scanning all of
# Unicode costs 0.3 s; tests/test_attacks_privacy.py checks the list against unicodedata.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f-\u1160\u17b4-\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff"
    "\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)
# Long runs of base64 (embedded fonts and images) hold no readable text: not searched.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{256,}")
# Up to this many values, and this many characters in all, one Aho-Corasick automaton finds them
# all in one pass over a text (built in about 30 µs a value, its size growing with their length);
# beyond, one set per value length is looked up at every position.
_FEW_VALUES = 100_000
_FEW_CHARACTERS = 5_000_000
_SHOWN = 5  # leaks listed in the message


def fold(text: str) -> str:
    """Text as a reader sees it: no invisible characters, width and compatibility forms unified.

    fold('张\u200b三') -> '张三'; fold('１３８') -> '138'.
    """
    if text.isascii():  # ASCII has no invisible character and is its own NFKC form
        return text
    text = _INVISIBLE.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return text


_XML_TAG = re.compile(r"<[^>]+>")
# Where a paragraph, table cell or shared string ends: a line break, so that the end of one and
# the start of the next never read as one value.
_XML_BREAK = re.compile(r"</(?:w:p|w:tc|si|c|row)>")


# Parts of a Word or Excel file that are pictures: no text to read in them.
_PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".svg")


def _office_parts(path: Path) -> list[str]:
    """A Word or Excel file's text, which its zip compression hides from a byte search: the parts'
    names, each part (but pictures) as written, and each XML part with tags removed so that text
    split over runs reads whole (but not text that only follows on in the next paragraph or
    cell). The zip's own bytes are not searched: they are these parts compressed."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = ["\n".join(z.namelist()), z.comment.decode("utf-8", errors="ignore")]
        for info in z.infolist():
            if info.filename.lower().endswith(_PICTURES):
                continue
            text = z.read(info).decode("utf-8", errors="ignore")
            parts.append(text)
            if info.filename.endswith((".xml", ".rels")):
                parts.append(_XML_TAG.sub("", _XML_BREAK.sub("\n", text)))
    return parts


def searchable_text(path: Path) -> str:
    """A file's text as a browser, a notebook or a program could show it, folded."""
    raw = path.read_bytes().decode("utf-8", errors="ignore")
    parts = [raw]
    if path.suffix in (".docx", ".xlsx"):
        import zipfile

        try:
            parts = _office_parts(path)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            pass  # not a zip after all: its bytes as they are
    # Base64 runs (embedded pictures and fonts) dropped before folding, which keeps ASCII as it
    # is: what folding turns into base64 (full-width letters) is searched, as it was not before.
    parts = [_BASE64_RUN.sub(" ", p) for p in parts]
    if path.suffix in (".json", ".ipynb"):
        try:
            parts.append(json.dumps(json.loads(parts[0]), ensure_ascii=False))
        except ValueError:
            pass
    # Entities in any file (&#8203; between characters, &#x5F20; for 张): a browser decodes them.
    parts += [html.unescape(p) for p in parts if "&" in p]
    return fold_runs("\n".join(parts))


_WIDE_RUN = re.compile(r"[^\x00-\x7f]+")


def fold_runs(text: str) -> str:
    """fold(text), computed stretch by stretch: a long file is mostly ASCII, which folding keeps as
    it is, and no character joins an ASCII one that follows it (ASCII characters are starters
    that nothing composes with), so each non-ASCII stretch folds on its own, with the character
    before it (which a combining mark may join: e + U+0301 is é). fold_runs(t) == fold(t) for
    every t (tests/test_privacy.py)."""
    if text.isascii():
        return text
    out, done = [], 0
    for m in _WIDE_RUN.finditer(text):
        start = max(m.start() - 1, done)
        out += [text[done:start], fold(text[start : m.end()])]
        done = m.end()
    out.append(text[done:])
    return "".join(out)


def _folded(values: Iterable[str]) -> tuple[set[str], dict[str, str]]:
    """Each value worth searching for, folded; and for those that folding changed, folded -> as
    the ledger holds it."""
    stripped = [v.strip() for v in values]
    # Most values are ASCII ids and phone numbers: their own folded form.
    keys = {v for v in stripped if v.isascii() and len(v) >= 2}
    wide = [v for v in stripped if not v.isascii()]
    # The others folded in one pass over them all (a million names in C, not in a Python loop).
    joined = "\0".join(wide)
    folded = fold(joined).split("\0") if joined.count("\0") == len(wide) - 1 else []
    if len(folded) != len(wide):
        folded = [fold(v) for v in wide]
    folded = [k.strip() for k in folded]
    keys.update(k for k in folded if len(k) >= 2)
    original = {k: v for v, k in zip(wide, folded) if k != v and len(k) >= 2}
    return keys, original


class _Finder:
    """Finds which of many values occur in a text, overlapping ones too. Up to _FEW_VALUES values
    (and _FEW_CHARACTERS characters) with an Aho-Corasick automaton (ahocorasick-rs: one pass over the text for all of them);
    more (a big ledger's millions, whose automaton would take minutes to build) by one set per
    value length, looked up at every position, so that the time grows with the text, not with
    the ledger."""

    def __init__(self, values: set[str]):
        self.values = values
        self.by_length: dict[int, set[str]] = {}
        self._automaton: Any = None
        if len(self.values) > _FEW_VALUES or sum(map(len, self.values)) > _FEW_CHARACTERS:
            for v in self.values:
                self.by_length.setdefault(len(v), set()).add(v)

    def found(self, text: str) -> set[str]:
        if not self.values:
            return set()
        if not self.by_length:
            if self._automaton is None:
                import ahocorasick_rs

                self._automaton = ahocorasick_rs.AhoCorasick(sorted(self.values))
            return set(self._automaton.find_matches_as_strings(text, overlapping=True))
        return {
            text[i : i + n]
            for n, group in self.by_length.items()
            for i in range(len(text) - n + 1)
            if text[i : i + n] in group
        }

    def discard(self, found: set[str]) -> None:
        if found:
            self.values -= found
            self._automaton = None  # built again, without them, when next needed
        for v in found:
            self.by_length.get(len(v), set()).discard(v)


def params_texts(params: Params | None) -> list[str]:
    """Every text of a params file: the agency's own words (agency, contact, narrative …)."""
    if params is None:
        return []
    out: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(k)
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)

    walk(params.model_dump())
    return out


def privacy_leaks(
    folder: Path, personal_values: Iterable[str], allowed: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(file, value as the ledger holds it) for every personal value found in any file under
    `folder`. Values that occur in an `allowed` text (the params' own words) are not searched."""
    values, original = _folded(personal_values)
    finder = _Finder(values)
    own = fold("\n".join(allowed))
    if own and values:
        finder.discard(finder.found(own))
    leaks = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found = finder.found(searchable_text(path)) if values else set()
        leaks.extend((str(path.relative_to(folder)), original.get(k, k)) for k in sorted(found))
    return leaks


def mask(value: str) -> str:
    """A personal value as messages may show it: its first character, then one * per character."""
    value = str(value)
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*"


# Shapes that are personal whatever column they are in: an ID card number, a mobile number, an
# e-mail address.
_LOOKS_PERSONAL = re.compile(
    r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)|[\w.+-]+@[\w-]+\.\w+"
)


class Masker:
    """Tells whether a value a message would show is personal: one of the ledger's personal values,
    one that holds such a value (张三 13800000000), or an ID card, mobile or e-mail shape."""

    def __init__(self, personal: Iterable[str]):
        self.by_length: dict[int, set[str]] = {}
        for key in _folded(personal)[0]:
            self.by_length.setdefault(len(key), set()).add(key)

    def is_personal(self, value: object) -> bool:
        key = fold(str(value)).strip()
        if _LOOKS_PERSONAL.search(key):
            return True
        return any(
            key[i : i + n] in group
            for n, group in self.by_length.items()
            if n <= len(key)
            for i in range(len(key) - n + 1)
        )

    def shown(self, value: object) -> object:
        """The value as a message may show it: masked when personal."""
        return mask(str(value)) if value is not None and self.is_personal(value) else value


def remove_leaking(
    folder: Path, personal_values: Iterable[str], params: Params | None = None
) -> set[Path]:
    """Delete every file under `folder` holding a personal value (a failed section's notebook);
    returns the files deleted."""
    removed: set[Path] = set()
    if folder.is_dir():
        for name, _value in privacy_leaks(folder, personal_values, params_texts(params)):
            (folder / name).unlink(missing_ok=True)
            removed.add(folder / name)
    return removed


def guard(folder: Path, personal: Iterable[str], params: Params | None = None) -> None:
    """Raise PrivacyLeak when any file under `folder` holds a personal value: which file, which
    value (masked), which ledger column it came from, and what to do."""
    leaks = privacy_leaks(folder, personal, params_texts(params))
    if not leaks:
        return
    source = getattr(personal, "source", lambda _v: None)
    shown = []
    for f, v in leaks[:_SHOWN]:
        where = source(v)
        shown.append(f"{f} 含「{mask(v)}」" + (f"（来自{where}）" if where else ""))
    more = f"等{len(leaks)}处" if len(leaks) > _SHOWN else ""
    raise PrivacyLeak(
        f"输出文件中发现申请人个人信息，已删除本次生成的全部文件：{'；'.join(shown)}{more}。\n"
        "请在所注明的台账列中找到这个值，查明它为何出现在报告中（常见原因：某行错位，把个人信息填进了"
        "其他列），改正台账后重新生成；如果它其实不是个人信息（例如地址列只填了“大冶市”这样的地名），"
        "请在该列填写完整信息或留空。"
    )
