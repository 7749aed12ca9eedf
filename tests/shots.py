"""Screenshots that GUI tests leave in /tmp/shots for a person to look at (nothing asserts on them)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from station_app.ui.fonts import register_fonts

SHOTS = Path("/tmp/shots")


def shot(widget: QWidget, name: str) -> None:
    """Save ``name``.png with the bundled CJK font on this widget only (the suite's application font stays)."""
    app = QApplication.instance()
    before = app.font()
    families = register_fonts(app)
    app.setFont(before)
    if families:
        font = QFont(families[0], 10)
        font.setFamilies(families)
        widget.setFont(font)
        app.processEvents()  # let the layouts take the new font's sizes
        if isinstance(widget, QDialog):
            widget.adjustSize()
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))
