"""The 时长录入 tab: activity hour sheets, single records, the ledger with corrections, approvals."""

from __future__ import annotations

from ...i18n import _
from ..common import AppContext, PagedTab
from ..qt import QWidget
from .activity import ActivityHoursPage
from .ledger import LedgerPage
from .pending import PendingPage
from .single import SingleRecordForm


class HoursTab(PagedTab):
    """活动时长登记, 单条记录, 记录与更正 and 待审批."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.activity = ActivityHoursPage(ctx)
        self.single = SingleRecordForm(ctx)
        self.ledger = LedgerPage(ctx)
        self.pending = PendingPage(ctx)
        super().__init__(ctx, [
            (self.activity, _("活动时长登记")), (self.single, _("单条记录")), (self.ledger, _("记录与更正")),
            (self.pending, _("待审批")),
        ], parent)
