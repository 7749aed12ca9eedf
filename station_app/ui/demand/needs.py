"""需求 page of the 需求菜单 tab (placeholder until it is built)."""

from __future__ import annotations

from ..common import AppContext
from ..qt import QLabel, QVBoxLayout, QWidget


class NeedsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        QVBoxLayout(self).addWidget(QLabel("需求"))

    def refresh(self) -> None:
        pass
