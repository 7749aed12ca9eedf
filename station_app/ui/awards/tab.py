"""The 星级与嘉许 tab: star levels from service hours (§三.6), their confirmation and review, and honours."""

from __future__ import annotations

from ...i18n import _
from ..common import AppContext, PagedTab
from ..qt import QWidget
from .honours import HonoursPage
from .stars import EligiblePage, OverviewPage, ReviewPage


class AwardsTab(PagedTab):
    """星级总览, 新达星级 (认定), 待复核 (flagged awards) and 嘉许 (honours and their titles)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.overview = OverviewPage(ctx)
        self.eligible = EligiblePage(ctx)
        self.review = ReviewPage(ctx)
        self.honours = HonoursPage(ctx)
        super().__init__(ctx, [
            (self.overview, _("星级总览")), (self.eligible, _("新达星级")), (self.review, _("待复核")),
            (self.honours, _("嘉许")),
        ], parent)
