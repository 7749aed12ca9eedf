"""The 需求菜单 tab: from a visit to a household, through its needs, to a project and its recruitment."""

from __future__ import annotations

from ...i18n import _
from ..common import AppContext, PagedTab
from ..qt import QWidget
from .menu import MenuPage
from .needs import NeedsPage
from .overview import OverviewPage
from .projects import ProjectDialog, ProjectsPage
from .recipients import RecipientsPage
from .recruitment import RecruitmentPage


class DemandTab(PagedTab):
    """Sub-pages in the order of the plan's workflow (§三.1–2), the Monday overview first."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.overview = OverviewPage(ctx)
        self.recipients = RecipientsPage(ctx)
        self.needs = NeedsPage(ctx)
        self.projects = ProjectsPage(ctx)
        self.recruitment = RecruitmentPage(ctx)
        self.menu = MenuPage(ctx)
        super().__init__(ctx, [
            (self.overview, _("总览")),
            (self.recipients, _("服务对象与走访")),
            (self.needs, _("需求")),
            (self.projects, _("项目")),
            (self.recruitment, _("招募与报名")),
            (self.menu, _("服务菜单")),
        ], parent)
        self.needs.create_project_requested.connect(self.design_project)
        self.overview.need_activated.connect(self.show_need)
        self.overview.recipient_activated.connect(self.show_recipient)

    def design_project(self, need_ids: list[int]) -> int | None:
        """From the needs page: a project designed from the chosen needs, then shown on the projects page."""
        project_id = ProjectDialog.ask(self.ctx, need_ids, self)
        if project_id is None:
            return None
        self.needs.refresh()
        self.show_page(self.projects)
        self.projects.select_project(project_id)
        return project_id

    def show_need(self, need_id: int) -> None:
        """From the overview: the need on the needs page, whatever filter hid it."""
        self.show_page(self.needs)
        self.needs.select_needs([need_id])
        if need_id not in self.needs.selected_need_ids():
            self.needs.search.clear()
            self.needs.category_filter.setCurrentIndex(0)
            self.needs.status_filter.setCurrentIndex(0)  # 全部状态
            self.needs.refresh()
            self.needs.select_needs([need_id])

    def show_recipient(self, recipient_id: int) -> None:
        self.show_page(self.recipients)
        if not self.recipients.select_recipient(recipient_id):
            self.recipients.search.clear()
            self.recipients.group_filter.setCurrentIndex(0)
            self.recipients.overdue_only.setChecked(False)
            self.recipients.include_inactive.setChecked(True)
            self.recipients.refresh()
            self.recipients.select_recipient(recipient_id)
