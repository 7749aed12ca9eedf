"""The 兑换 dialog, where receipts are saved, and the pieces both 回馈 pages share."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ...errors import StationError
from ...i18n import _
from ...reports.receipt import write_receipt
from ...services import timebank as svc
from ...services.hours import hours_text
from ..common import AppContext, dialog_buttons, error_label, run_service, show_error
from ..demand.projects import date_edit, fill_row, read_only_table
from ..qt import (
    QComboBox,
    QDate,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)
ENTRY_HEADERS = (_("凭证编号"), _("类型"), _("日期"), _("志愿者"), _("服务"), _("数量"), _("时长（小时）"),
                 _("服务提供方"), _("经办人"), _("备注"))
ENTRY_WIDTHS = (160, 50, 90, 80, 110, 45, 85, 140, 70)


def signed_hours(minutes: int) -> str:
    """+1.5 / −2: which way the hours moved on an account."""
    text = hours_text(abs(minutes))
    return ("+" if minutes > 0 else "−" if minutes < 0 else "") + text


def entry_note(row: svc.EntryRow) -> str:
    if row.kind == "reversal":
        return _("冲正 {no}：{why}").format(no=row.reverses_receipt_no, why=row.note)
    if row.reversed_by_receipt_no:
        return _("已冲正（{no}）").format(no=row.reversed_by_receipt_no) + (f"　{row.note}" if row.note else "")
    return row.note


def entries_table() -> QTableWidget:
    table = read_only_table(ENTRY_HEADERS)
    for col, width in enumerate(ENTRY_WIDTHS):
        table.setColumnWidth(col, width)
    return table


def fill_entries(table: QTableWidget, rows: list[svc.EntryRow], signed: Callable[[svc.EntryRow], int]) -> None:
    """One line per entry; ``signed(row)`` is the minutes to show (the volunteer's or the station's side)."""
    table.setRowCount(len(rows))
    for n, row in enumerate(rows):
        fill_row(table, n, (
            row.receipt_no, row.kind_label, row.received_on.isoformat(), row.volunteer_name, row.service_name,
            str(row.quantity), signed_hours(signed(row)), row.provider, row.recorder_name, entry_note(row),
        ), row.id)


class ReceiptFileDialog:
    """Where to save a receipt PDF. Tests patch ``ask``."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(parent, _("保存兑换凭证"), suggested, _("PDF 文件 (*.pdf)"))
        if not path:
            return None
        return path if path.lower().endswith(".pdf") else path + ".pdf"


def print_receipt(parent: QWidget, ctx: AppContext, entry: svc.EntryRow) -> str | None:
    """Ask where, write the entry's receipt there; returns the path saved, None if not."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", entry.receipt_no)
    kind = _("冲正凭证") if entry.kind == "reversal" else _("兑换凭证")
    path = ReceiptFileDialog.ask(parent, str(Path.home() / f"{kind}-{safe}.pdf"))
    if not path:
        return None
    data = run_service(parent, ctx, lambda s: svc.receipt(s, ctx.actor, entry.id), write=False)
    if data is None:
        return None
    try:
        write_receipt(data, path)
    except OSError as exc:
        show_error(parent, _("凭证无法保存到“{p}”：{e}").format(p=path, e=exc.strerror or exc))
        return None
    return path


class RedeemDialog(QDialog):
    """兑换: a redeemable service, how many, who provided it, when; the balance before and after.

    The dialog's request token is made once, so a second save (a double click, a retry after a
    lost reply) returns the first redemption. 兑换 is disabled from the click until the answer.
    """

    def __init__(
        self, ctx: AppContext, account: svc.Balance, items: list[svc.RedeemableItem], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.account = account
        self.items = items
        self.saved: svc.EntryRow | None = None
        self.saving = False
        self.request_token = uuid.uuid4().hex
        self.setWindowTitle(_("时长兑换：{n}").format(n=account.name))
        self.setMinimumWidth(460)

        self.item = QComboBox()
        for item in items:
            self.item.addItem(item.label, item.id)
        self.quantity = QSpinBox(minimum=1, maximum=svc.MAX_QUANTITY, suffix=_(" 次"))
        self.provider = QLineEdit(placeholderText=_("如：便民维修服务队、张师傅家电维修店、志愿者王阿姨"))
        self.received_on = date_edit(date.today())
        self.received_on.setMaximumDate(QDate.currentDate())
        self.note = QLineEdit()
        self.before_after = QLabel(wordWrap=True)
        self.error = error_label()
        self.item.currentIndexChanged.connect(lambda _i: self._show_cost())
        self.quantity.valueChanged.connect(lambda _v: self._show_cost())

        person = QLabel(_("{n}（{no}）　可用余额 {h} 小时").format(
            n=account.name, no=account.volunteer_no or _("尚无编号"), h=hours_text(account.balance)))
        form = QFormLayout()
        form.addRow(_("志愿者"), person)
        form.addRow(_("兑换服务 *"), self.item)
        form.addRow(_("数量 *"), self.quantity)
        form.addRow(_("服务提供方 *"), self.provider)
        form.addRow(_("接受服务日期 *"), self.received_on)
        form.addRow(_("备注"), self.note)
        self.buttons = dialog_buttons(self, _("兑换"))
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if not items:
            self.error.setText(_("服务菜单里还没有可兑换且定了兑换价的项目，请站长在“需求菜单 → 服务菜单”中设置。"))
            self.ok.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.before_after)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._show_cost()

    def cost(self) -> int:
        item = next((i for i in self.items if i.id == self.item.currentData()), None)
        return item.price_minutes * self.quantity.value() if item else 0

    def _show_cost(self) -> None:
        cost, left = self.cost(), self.account.balance - self.cost()
        text = _("兑换前 {b} 小时　本次 {c} 小时　兑换后 {a} 小时").format(
            b=hours_text(self.account.balance), c=hours_text(cost), a=hours_text(left))
        self.before_after.setText(text + (_("（余额不足）") if left < 0 else ""))
        self.before_after.setStyleSheet("color: #b00020;" if left < 0 else "color: #2e7d32;")

    def data(self) -> svc.RedeemInput:
        day = self.received_on.date()
        return svc.RedeemInput(
            volunteer_id=self.account.volunteer_id, service_item_id=self.item.currentData(),
            quantity=self.quantity.value(), provider=self.provider.text(),
            received_on=date(day.year(), day.month(), day.day()), note=self.note.text(),
            request_token=self.request_token,
        )

    def accept(self) -> None:
        if self.saving or self.saved is not None:
            return  # the first click is being answered, or was
        self.saving = True
        self.ok.setEnabled(False)
        self.error.clear()
        try:
            with self.ctx.db.session() as session:
                self.saved = svc.redeem(session, self.ctx.actor, self.data())
        except StationError as exc:
            self.error.setText(exc.message)
            self.ok.setEnabled(True)
            return
        except Exception as exc:  # nothing was saved; the same token makes a retry safe
            log.error("unexpected %s while redeeming", type(exc).__name__)
            self.error.setText(_("发生了意外错误，兑换没有保存，可以再点一次“兑换”。"))
            self.ok.setEnabled(True)
            return
        finally:
            self.saving = False
        super().accept()

    @classmethod
    def ask(
        cls, ctx: AppContext, account: svc.Balance, items: list[svc.RedeemableItem], parent: QWidget | None = None
    ) -> svc.EntryRow | None:
        dialog = cls(ctx, account, items, parent)
        return dialog.saved if dialog.exec() else None
