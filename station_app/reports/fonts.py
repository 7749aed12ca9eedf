"""The bundled CJK fonts, registered with ReportLab once and embedded (subset) in every PDF.

ReportLab needs TrueType outlines, so the fonts are the two the UI bundles too:
WenQuanYi Micro Hei (黑体-like, for headings) and LXGW WenKai (楷体-like, covers rare
characters such as 堃 喆 䶮 𠮷, so it is the fallback for any text Micro Hei lacks).
"""

from __future__ import annotations

import threading
from importlib.resources import as_file

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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
