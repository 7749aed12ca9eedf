"""Bundled CJK fonts, registered at start-up so Chinese renders on a PC without Chinese fonts."""

from __future__ import annotations

import logging
from importlib.resources import as_file

from ..resources import resource_path
from .qt import QApplication, QFont, QFontDatabase

log = logging.getLogger(__name__)

# The UI font (黑体-like) first; the 楷体-like one covers rare characters (堃 喆 䶮 𠮷).
BUNDLED_FONTS = ("wqy-microhei.ttc", "LXGWWenKai-Regular.ttf")
_families: list[str] = []


def register_fonts(app: QApplication) -> list[str]:
    """Register the bundled fonts once and make them the application's font (with fallback)."""
    if not _families:
        for name in BUNDLED_FONTS:
            with as_file(resource_path("fonts", name)) as path:
                font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                log.error("could not load bundled font %s", name)
                continue
            families = QFontDatabase.applicationFontFamilies(font_id)
            _families.extend(f for f in families if f not in _families)
    if _families:
        font = QFont(_families[0], 10)
        font.setFamilies(_families)  # later families fill in glyphs the first lacks
        app.setFont(font)
    return list(_families)
