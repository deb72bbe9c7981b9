"""Embedded web fonts: subsets of the packaged Noto CJK SC fonts as base64 @font-face rules."""

from __future__ import annotations

import base64
import importlib.util
import io
from pathlib import Path

import mplfonts
from fontTools import subset
from fontTools.ttLib import TTFont

FONT_DIR = Path(mplfonts.__file__).resolve().parent / "fonts"
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


def font_format() -> str:
    """'woff2' when a Brotli module is importable (fontTools needs one to write it), else 'woff'."""
    has_brotli = any(importlib.util.find_spec(m) for m in ("brotli", "brotlicffi"))
    return "woff2" if has_brotli else "woff"


def subset_font(path: Path, text: str, flavor: str | None = None) -> bytes:
    """The font at `path` cut down to the glyphs of `text` plus BASE_CHARS, as woff2/woff bytes."""
    flavor = flavor or font_format()
    options = subset.Options()
    options.flavor = flavor
    # Hints and extra names only add bytes; screen and print rendering of CJK does not need them.
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.name_languages = [0x0409]
    options.notdef_outline = True
    font = TTFont(path, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text + BASE_CHARS))))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = flavor
    font.save(out)
    font.close()
    return out.getvalue()


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
    serif = subset_font(SERIF_FILE, text, flavor)
    sans = subset_font(SANS_FILE, text if sans_text is None else sans_text, flavor)
    return _rule(SERIF_FAMILY, serif, flavor) + _rule(SANS_FAMILY, sans, flavor)
