"""The 台账与打印 tab: the service ledger read back, per volunteer, activity or project, team, month and
for the 党团服务平台, each exportable to Excel and PDF; and 证书打印, the print centre."""

from __future__ import annotations

from ...i18n import _
from ..common import AppContext, PagedTab
from ..printing.centre import PrintCentrePage
from ..qt import QWidget
from .pages import ActivityLedgerPage, MonthLedgerPage, PartyLedgerPage, TeamLedgerPage, VolunteerLedgerPage


class LedgerTab(PagedTab):
    """志愿者台账, 活动/项目台账, 服务队台账, 月度台账 (with its checkpoint), 党团服务 and 证书打印."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.volunteer = VolunteerLedgerPage(ctx)
        self.activity = ActivityLedgerPage(ctx)
        self.team = TeamLedgerPage(ctx)
        self.month = MonthLedgerPage(ctx)
        self.party = PartyLedgerPage(ctx)
        self.printing = PrintCentrePage(ctx)
        super().__init__(ctx, [
            (self.volunteer, _("志愿者台账")), (self.activity, _("活动/项目台账")), (self.team, _("服务队台账")),
            (self.month, _("月度台账")), (self.party, _("党团服务")), (self.printing, _("证书打印")),
        ], parent)
