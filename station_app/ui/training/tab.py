"""The 培训 tab: training sessions with enrolment and attendance, and the backbone track (§三.3)."""

from __future__ import annotations

from ...i18n import _
from ..common import AppContext
from ..qt import QTabWidget, QVBoxLayout, QWidget
from .backbone import BackbonePage
from .sessions import SessionsPage


class TrainingTab(QWidget):
    """培训场次 (sessions, their lists, attendance, sign-in sheets) and 骨干培养 (the rule and its candidates)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sessions = SessionsPage(ctx)
        self.backbone = BackbonePage(ctx)
        self.pages = QTabWidget()
        self.pages.addTab(self.sessions, _("培训场次"))
        self.pages.addTab(self.backbone, _("骨干培养"))
        # Each page reads fresh data when shown: attendance marked on one shows on the other.
        self.pages.currentChanged.connect(lambda _index: self.pages.currentWidget().refresh())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    def refresh(self) -> None:
        self.pages.currentWidget().refresh()

    def show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        page.refresh()
