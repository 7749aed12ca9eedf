"""The 回馈 tab: a volunteer's time-bank account (兑换, 冲正, 凭证) and the station's ledger (兑换台账)."""

from __future__ import annotations

from ...i18n import _
from ..common import AppContext, PagedTab
from ..qt import QWidget
from .account import AccountPage
from .ledger import StationLedgerPage


class TimeBankTab(PagedTab):
    """志愿者兑换 (search a volunteer, balance, history, redeem, reverse, print) and 兑换台账 (every entry)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.account = AccountPage(ctx)
        self.ledger = StationLedgerPage(ctx)
        super().__init__(ctx, [(self.account, _("志愿者兑换")), (self.ledger, _("兑换台账"))], parent)
