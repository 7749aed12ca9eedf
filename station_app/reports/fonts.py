"""The bundled CJK fonts, registered with ReportLab once and embedded (subset) in every PDF.

ReportLab needs TrueType outlines, so the fonts are the two the UI bundles too:
WenQuanYi Micro Hei (黑体-like, for headings) and LXGW WenKai (楷体-like, covers rare
characters such as 堃 喆 䶮 𠮷, so it is the fallback for any text Micro Hei lacks).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from importlib.resources import as_file

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..errors import StationError
from ..resources import resource_path

HEI = "WQYMicroHei"
KAI = "LXGWWenKai"
# (ReportLab name, file in resources/fonts, sub-font index inside a .ttc)
BUNDLED = ((HEI, "wqy-microhei.ttc", 0), (KAI, "LXGWWenKai-Regular.ttf", 0))

_lock = threading.Lock()
_registered: dict[str, TTFont] = {}


def register_fonts() -> tuple[str, str]:
    """Register the bundled fonts (once per process); returns (heading font, body font) names."""
    with _lock:
        if not _registered:
            for name, filename, index in BUNDLED:
                # TTFont reads the whole file when constructed, so a temporary copy (zipped
                # installs) may go away afterwards.
                with as_file(resource_path("fonts", filename)) as path:
                    font = TTFont(name, str(path), subfontIndex=index)
                pdfmetrics.registerFont(font)
                _registered[name] = font
    return HEI, KAI


def covers(font_name: str, text: str) -> bool:
    """Whether the registered font has a glyph for every character of ``text``."""
    register_fonts()
    cmap = _registered[font_name].face.charToGlyph
    return all(ord(ch) in cmap for ch in text if not ch.isspace())


def font_for(text: str, preferred: str = HEI) -> str:
    """``preferred`` if it can draw all of ``text``, else the font with the wider coverage (WenKai)."""
    return preferred if covers(preferred, text) else KAI


def missing_glyphs(text: str) -> list[str]:
    """The distinct characters of ``text`` (whitespace aside) that no bundled font can draw, in order."""
    register_fonts()
    cmaps = [_registered[name].face.charToGlyph for name, _file, _index in BUNDLED]
    missing: list[str] = []
    for ch in dict.fromkeys(text):
        if not ch.isspace() and all(ord(ch) not in cmap for cmap in cmaps):
            missing.append(ch)
    return missing


class GlyphMissing(StationError):
    """A text to print holds a character neither bundled font has: it would print as a blank or a box."""

    def __init__(self, who: str, chars: list[str]) -> None:
        named = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in chars)
        super().__init__(
            f"{who}中，{named}在内置的两种字体中都没有，打印出来会是空白或方框。"
            "请核对姓名用字，或改用同音常用字并在备注中说明。"
        )
        self.who = who
        self.chars = chars


def check_printable(items: Iterable[tuple[str, str]]) -> None:
    """Raise :class:`GlyphMissing` for the first (who, text) whose text a bundled font cannot draw.

    ``who`` names the document the way the message should, e.g. "“张三”的证书".
    """
    for who, text in items:
        chars = missing_glyphs(text)
        if chars:
            raise GlyphMissing(who, chars)
