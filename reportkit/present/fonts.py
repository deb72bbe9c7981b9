"""Embedded web fonts: subsets of the packaged Noto CJK SC fonts as base64 @font-face rules."""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import fontTools  # the version only; the subsetter is imported when a subset is not cached

# Located, not imported: importing mplfonts would import matplotlib, which the page does not need.
FONT_DIR = Path(importlib.util.find_spec("mplfonts").origin).resolve().parent / "fonts"
SERIF_FILE = FONT_DIR / "NotoSerifCJKsc-Regular.otf"
SANS_FILE = FONT_DIR / "NotoSansCJKsc-Regular.otf"

SERIF_FAMILY = "RK Serif"
SANS_FAMILY = "RK Sans"

# Always kept, so numbers, Latin words and punctuation typed later never fall back to tofu:
# printable ASCII, CJK symbols and punctuation, full-width forms, and the quotes/dashes reports use.
BASE_CHARS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0x3000, 0x3040))
    + "".join(chr(c) for c in range(0xFF01, 0xFF5F))
    + "“”‘’—–…·•×÷±℃％"
)

# Part of every cache key: change it whenever subset_font's options change.
SUBSET_VERSION = "5"
# Subsets kept in the cache folder; the least recently used beyond this are removed.
CACHE_ENTRIES = 48


def font_format() -> str:
    """The web-font format the page embeds: 'woff'.

    WOFF (zlib) rather than WOFF2 (Brotli): Internet Explorer 11 and the older 360 and QQ browsers
    still found on office PCs read WOFF and not WOFF2, and Brotli at the quality fontTools writes
    took half a second a report for a file about a tenth smaller. The glyphs are the same.
    """
    return "woff"


def _charset(text: str) -> str:
    return "".join(sorted(set(text + BASE_CHARS)))


def _options(flavor: str | None, clean: bool = False) -> Any:
    from fontTools import subset

    options = subset.Options()
    options.flavor = flavor
    # Hints and extra names only add bytes; screen and print rendering of CJK does not need them.
    # `clean`: the source is a prepared copy, which has neither hints nor subroutines left, so
    # that nothing is looked for (every kept glyph's program run again): the same bytes, sooner.
    options.hinting = clean
    options.desubroutinize = not clean
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.name_languages = [0x0409]
    options.notdef_outline = True
    # Everything fontTools keeps by default except 'locl': in these SC fonts it only maps to the
    # Japanese, Korean and traditional forms, which a zh-CN page never shows; dropping them takes
    # a third off the subset and its time.
    options.layout_features = [f for f in options.layout_features if f != "locl"]
    return options


def _cut(source: Path | io.BytesIO, charset: str, flavor: str | None, clean: bool) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # The font's own timestamp, not the time of the build: the same text gives the same bytes.
    # Its own bounding box too: working out the subset's would run every kept glyph's outline
    # (a third of the time) for a header field that the whole font's box satisfies as well.
    font = TTFont(source, lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    subsetter = subset.Subsetter(_options(flavor, clean))
    subsetter.populate(text=charset)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = flavor
    font.save(out)
    font.close()
    return out.getvalue()


def subset_font(path: Path, text: str, flavor: str | None = None) -> bytes:
    """The font at `path` cut down to the glyphs of `text` plus BASE_CHARS, as woff/woff2 bytes.

    Cut from the font's prepared copy when there is one and it holds every character (the same
    bytes, in about a third of the time), else from the whole font."""
    charset = _charset(text)
    flavor = flavor or font_format()
    prepared = _prepared_bytes(path) if _prepared_set().issuperset(charset) else None
    if prepared is None:
        return _cut(path, charset, flavor, clean=False)
    return _cut(io.BytesIO(prepared), charset, flavor, clean=True)


# ------------------------------------------------------------------------------------------------
# Prepared fonts: the packaged font cut once, in the cache, to what reports are written in, its
# hints and subroutines already gone. Parsing the whole 16–23 MB font and cleaning the glyphs a
# report keeps were most of its subset's time; a batch of many reports makes the prepared copies
# once a machine (about 14 s for both faces) and every later subset, single builds' too, is cut
# from them. Never part of an output: the bytes are the same, only the time changes (tested).
# ------------------------------------------------------------------------------------------------
PREPARED_AT = 20  # a batch of this many reports or more prepares the fonts first


def _gb2312() -> str:
    """Every character of GB 2312 (its 6,763 hanzi and 682 symbols) and the control characters
    (a line break in a paragraph) that no font draws."""
    return "".join(chr(c) for c in range(0x20)) + "".join(
        bytes([row, col]).decode("gb2312", "ignore")
        for row in range(0xA1, 0xF8)
        for col in range(0xA1, 0xFF)
    )


@functools.cache
def _prepared_charset() -> str:
    return _charset(_gb2312())


@functools.cache
def _prepared_set() -> frozenset[str]:
    return frozenset(_prepared_charset())


def _prepared_target(path: Path) -> Path | None:
    try:
        return _cache_file(path, _prepared_charset(), "otf")
    except OSError:
        return None


def _prepared_bytes(path: Path) -> bytes | None:
    """The font's prepared copy from the cache, when there is an intact one."""
    target = _prepared_target(path)
    return None if target is None else _read_cached(target, "otf")


def prepare(path: Path) -> bool:
    """Make the font's prepared copy unless the cache has it; False when there is no cache, or
    none that can be written (found before spending the seconds a copy takes)."""
    target = _prepared_target(path)
    if target is None:
        return False
    if _read_cached(target, "otf") is not None:
        return True
    if not _writable(target.parent):
        return False
    data = _cut(path, _prepared_charset(), None, clean=False)  # hints and subroutines gone
    stored = _write_cached(target, data)
    if stored is None:
        return False
    for old in target.parent.glob(f"{path.stem}-*.otf"):  # other fontTools versions' copies
        if old != stored and _ours(old):
            old.unlink(missing_ok=True)
    return True


def prepared_all() -> bool:
    """Whether both faces have an intact prepared copy in the cache."""
    return all(_prepared_bytes(p) is not None for p in (SERIF_FILE, SANS_FILE))


def prepare_all() -> None:
    for path in (SERIF_FILE, SANS_FILE):
        if not prepare(path):
            return


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


# ------------------------------------------------------------------------------------------------
# The subset cache: parsing a 16–23 MB CJK font takes seconds, a cached subset milliseconds.
# ------------------------------------------------------------------------------------------------
_MAGIC = {"woff2": b"wOF2", "woff": b"wOFF", "otf": b"OTTO"}


def cache_dir() -> Path | None:
    """The user's cache folder for reportkit: $XDG_CACHE_HOME, %LOCALAPPDATA% or ~/.cache."""
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if os.name == "nt" else None
    )
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home folder (a bare service account): no cache
            return None
    return Path(base) / "reportkit" / "fonts"


def _cache_file(path: Path, text: str, flavor: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    stat = path.stat()
    key = "\0".join(
        [
            SUBSET_VERSION,
            fontTools.version,
            str(path.resolve()),
            str(stat.st_size),
            str(stat.st_mtime_ns),
            flavor,
            _charset(text),
        ]
    )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return folder / f"{path.stem}-{digest}.{flavor}"


# A subset is stored under its key's name plus the start of the SHA-256 of its bytes, and read
# back only when its bytes still have that digest: a truncated or altered entry (a full disk, a
# killed copy, another program) is removed and the subset made again, never embedded.
_DIGEST_CHARS = 16


def _stored_as(target: Path, data: bytes) -> Path:
    digest = hashlib.sha256(data).hexdigest()[:_DIGEST_CHARS]
    return target.with_name(f"{target.stem}-{digest}{target.suffix}")


def _read_cached(target: Path, flavor: str) -> bytes | None:
    try:
        stored = sorted(target.parent.glob(f"{target.stem}-*{target.suffix}"))
    except OSError:
        return None
    for entry in stored:
        try:
            data = entry.read_bytes()
        except OSError:
            continue
        if not data.startswith(_MAGIC[flavor]) or _stored_as(target, data) != entry:
            entry.unlink(missing_ok=True)
            continue
        try:
            os.utime(entry)  # marks it recently used, for pruning
        except OSError:
            pass
        return data
    return None


def _write_cached(target: Path, data: bytes) -> Path | None:
    """Store a subset; an unwritable cache folder only means the next build subsets again."""
    target = _stored_as(target, data)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)  # readers never see half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(target.parent)  # subsets only: a prepared copy is never one of the many
    except OSError:
        return None
    return target


# What _stored_as names a file: the font's stem, the key's digest, the bytes' digest. Only such
# files are ever removed from the folder, whatever else someone puts there.
_OURS = re.compile(r".+-[0-9a-f]{32}-[0-9a-f]{16}\.(?:woff2?|otf)")


def _ours(p: Path) -> bool:
    return _OURS.fullmatch(p.name) is not None


def _prune(folder: Path) -> None:
    entries = []
    for p in folder.iterdir():
        if p.suffix in (".woff2", ".woff") and _ours(p):
            try:
                entries.append((p.stat().st_mtime, p))
            except OSError:
                pass
    entries.sort(reverse=True)
    for _mtime, p in entries[CACHE_ENTRIES:]:
        p.unlink(missing_ok=True)


def cached_subset(path: Path, text: str, flavor: str | None = None) -> bytes:
    """subset_font, remembered in the user's cache folder by font file and character set."""
    flavor = flavor or font_format()
    try:
        target = _cache_file(path, text, flavor)
    except OSError:
        target = None
    if target is None:
        return subset_font(path, text, flavor)
    data = _read_cached(target, flavor)
    if data is None:
        data = subset_font(path, text, flavor)
        _write_cached(target, data)
    return data


# ------------------------------------------------------------------------------------------------
# The CSS
# ------------------------------------------------------------------------------------------------
def _rule(family: str, data: bytes, flavor: str) -> str:
    b64 = base64.b64encode(data).decode("ascii")
    return (
        "@font-face {\n"
        f'  font-family: "{family}";\n'
        f'  src: url("data:font/{flavor};base64,{b64}") format("{flavor}");\n'
        "  font-weight: normal;\n  font-style: normal;\n  font-display: block;\n}\n"
    )


def font_face_css(text: str, sans_text: str | None = None) -> str:
    """@font-face rules for "RK Serif" (body) and "RK Sans" (headings) holding the glyphs of `text`.

    `sans_text`, when given, is the only text set in the heading face: a much smaller subset.
    """
    flavor = font_format()
    serif = cached_subset(SERIF_FILE, text, flavor)
    sans = cached_subset(SANS_FILE, text if sans_text is None else sans_text, flavor)
    return _rule(SERIF_FAMILY, serif, flavor) + _rule(SANS_FAMILY, sans, flavor)
