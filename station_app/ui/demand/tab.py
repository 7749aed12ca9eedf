"""The 需求菜单 tab: from a visit to a household, through its needs, to a project and its recruitment."""

from __future__ import annotations

from ...i18n import _
from ..common import AppContext
from ..qt import QTabWidget, QVBoxLayout, QWidget
from .menu import MenuPage
from .needs import NeedsPage
from .overview import OverviewPage
from .projects import ProjectsPage
from .recipients import RecipientsPage
from .recruitment import RecruitmentPage


class DemandTab(QWidget):
    """Sub-pages in the order of the plan's workflow (§三.1–2), the Monday overview first."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.overview = OverviewPage(ctx)
        self.recipients = RecipientsPage(ctx)
        self.needs = NeedsPage(ctx)
        self.projects = ProjectsPage(ctx)
        self.recruitment = RecruitmentPage(ctx)
        self.menu = MenuPage(ctx)
        self.pages = QTabWidget()
        for page, title in (
            (self.overview, _("总览")),
            (self.recipients, _("服务对象与走访")),
            (self.needs, _("需求")),
            (self.projects, _("项目")),
            (self.recruitment, _("招募与报名")),
            (self.menu, _("服务菜单")),
        ):
            self.pages.addTab(page, title)
        # Each page reads fresh data when shown, so a change made on one shows on the others.
        self.pages.currentChanged.connect(lambda _index: self.pages.currentWidget().refresh())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    def show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        page.refresh()
