"""兑换台账 page of the 回馈 tab: every time-bank entry of a period, with the station account's totals."""

from __future__ import annotations

from datetime import date

from ...i18n import _
from ...services import timebank as svc
from ...services.hours import hours_text
from ..common import AppContext, run_service
from ..demand.projects import date_edit, selected_row_id
from ..qt import QHBoxLayout, QLabel, QPushButton, Qt, QVBoxLayout, QWidget
from .dialogs import entries_table, fill_entries, print_receipt


def as_date(edit) -> date:  # noqa: ANN001 - a QDateEdit
    day = edit.date()
    return date(day.year(), day.month(), day.day())


class StationLedgerPage(QWidget):
    """The station's side of every entry: a redemption brings hours in (+), a reversal gives them back (−)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ledger: svc.StationLedger | None = None
        today = date.today()
        self.date_from = date_edit(date(today.year, 1, 1))
        self.date_to = date_edit(today)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.refresh())
        self.print_button = QPushButton(_("打印凭证"))
        self.print_button.clicked.connect(self.print_selected)
        self.table = entries_table()
        self.table.horizontalHeaderItem(6).setText(_("站点账户（小时）"))
        self.table.setColumnWidth(6, 110)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.totals = QLabel(wordWrap=True)
        self.totals.setStyleSheet("font-weight: bold;")
        note = QLabel(_("每笔兑换记两笔账：志愿者账户减少、站点账户增加同样的时长；冲正记相反的两笔。记录只增不改。"),
                      wordWrap=True)
        note.setStyleSheet("color: #555;")
        self.status = QLabel()
        self.status.setStyleSheet("color: #2e7d32;")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("接受服务日期")))
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel(_("至")))
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        filters.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        ledger = run_service(self, self.ctx, lambda s: svc.station_ledger(
            s, self.ctx.actor, as_date(self.date_from), as_date(self.date_to)), write=False)
        if ledger is None:
            return
        self.ledger = ledger
        fill_entries(self.table, ledger.entries, lambda row: -row.signed_minutes)
        redeemed = sum(1 for e in ledger.entries if e.kind == "redeem")
        self.totals.setText(_("本期 {n} 笔（兑换 {r} 笔，冲正 {v} 笔），站点账户本期 {p} 小时；站点账户累计 {t} 小时。").format(
            n=len(ledger.entries), r=redeemed, v=len(ledger.entries) - redeemed, p=hours_text(ledger.period_total),
            t=hours_text(ledger.station_total)))
        self._update_buttons()

    def selected_entry(self) -> svc.EntryRow | None:
        entry_id = selected_row_id(self.table)
        entries = self.ledger.entries if self.ledger else []
        return next((e for e in entries if e.id == entry_id), None)

    def _update_buttons(self) -> None:
        self.print_button.setEnabled(self.selected_entry() is not None)

    def print_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        path = print_receipt(self, self.ctx, entry)
        if path:
            self.status.setText(_("凭证已保存：{p}（A5，可直接打印）").format(p=path))
