"""志愿者兑换 page of the 回馈 tab: find a volunteer, see the account, redeem, reverse, print a receipt."""

from __future__ import annotations

import uuid

from ...i18n import _
from ...services import timebank as svc
from ...services import volunteers as vol_svc
from ...services.auth import Permission
from ...services.hours import hours_text, level_name, stars_text
from ..common import AppContext, run_service
from ..demand.projects import ReasonDialog, select_row_id, selected_row_id
from ..qt import (
    QColor,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .dialogs import RedeemDialog, entries_table, fill_entries, print_receipt

USER = Qt.ItemDataRole.UserRole
GREY = QColor("#888888")


class AccountPage(QWidget):
    MAX_SHOWN = 50

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.volunteer_id: int | None = None
        self.account: svc.Balance | None = None
        self.entries: list[svc.EntryRow] = []
        self.can_redeem = ctx.actor.can(Permission.REDEEM_HOURS)

        self.search = QLineEdit(placeholderText=_("搜索志愿者：姓名、拼音首字母、电话、志愿者编号"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.hint = QLabel(wordWrap=True)
        self.hint.setStyleSheet("color: #555;")
        self.search.textChanged.connect(lambda _t: self.run_search())
        self.results.currentItemChanged.connect(lambda item, _prev: self._picked(item))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.results, 1)
        left_layout.addWidget(self.hint)

        self.person = QLabel(_("请在左侧选择一位志愿者。"))
        self.person.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.available = QLabel()
        self.available.setStyleSheet("font-size: 22px; color: #1565c0;")
        self.figures = QLabel(wordWrap=True)
        self.stars = QLabel(wordWrap=True)
        self.stars.setToolTip(_("星级只按累计服务时长计算，兑换不会降低星级。"))
        balance_box = QGroupBox(_("时间银行账户"))
        box_layout = QVBoxLayout(balance_box)
        box_layout.addWidget(self.person)
        box_layout.addWidget(self.available)
        box_layout.addWidget(self.figures)
        box_layout.addWidget(self.stars)

        self.redeem_button = QPushButton(_("兑换…"))
        self.reverse_button = QPushButton(_("冲正…"))
        self.print_button = QPushButton(_("打印凭证"))
        self.print_button.setToolTip(_("把选中的兑换或冲正保存为 A5 凭证（PDF），一式两份打印签字"))
        if not self.can_redeem:
            why = _("当前账号（{role}）没有“{p}”的权限，只能查看。").format(
                role=ctx.actor.role.label, p=Permission.REDEEM_HOURS.value)
            for button in (self.redeem_button, self.reverse_button):
                button.setToolTip(why)
        self.redeem_button.clicked.connect(self.redeem)
        self.reverse_button.clicked.connect(self.reverse)
        self.print_button.clicked.connect(self.print_selected)
        buttons = QHBoxLayout()
        for button in (self.redeem_button, self.reverse_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.history = entries_table()
        self.history.setColumnHidden(3, True)  # the volunteer: the one chosen
        self.history.itemSelectionChanged.connect(self._update_buttons)
        self.status = QLabel(wordWrap=True)
        self.status.setStyleSheet("color: #2e7d32;")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(balance_box)
        right_layout.addLayout(buttons)
        right_layout.addWidget(QLabel(_("兑换记录（新的在上）")))
        right_layout.addWidget(self.history, 1)
        right_layout.addWidget(self.status)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.run_search()
        self.show_account()

    # --- finding the volunteer --------------------------------------------------------------------
    def run_search(self) -> None:
        text = self.search.text()
        actor = self.ctx.actor
        with self.ctx.db.session(write=False) as session:
            ids = vol_svc.roster_ids(session, actor, vol_svc.RosterFilter(text=text), sort="name")
            rows = vol_svc.roster_rows(session, actor, ids[: self.MAX_SHOWN])
        self.results.blockSignals(True)
        self.results.clear()
        for vid in ids[: self.MAX_SHOWN]:
            row = rows.get(vid)
            if row is None:
                continue
            item = QListWidgetItem(f"{row.name}　{row.volunteer_no or _('尚无编号')}　{row.status}")
            item.setData(USER, vid)
            if row.status != vol_svc.Status.REGISTERED.label:
                item.setForeground(GREY)
            self.results.addItem(item)
            if vid == self.volunteer_id:
                self.results.setCurrentItem(item)
        self.results.blockSignals(False)
        if len(ids) > self.MAX_SHOWN:
            self.hint.setText(_("找到 {n} 位，只显示前 {m} 位，请输入更多文字。").format(n=len(ids), m=self.MAX_SHOWN))
        else:
            self.hint.setText(_("找到 {n} 位志愿者。").format(n=len(ids)) if ids else _("没有找到志愿者。"))

    def select_volunteer(self, volunteer_id: int) -> bool:
        """Choose a listed volunteer, as a click in the list would; False if not listed."""
        for i in range(self.results.count()):
            if self.results.item(i).data(USER) == volunteer_id:
                self.results.setCurrentRow(i)
                return True
        return False

    def _picked(self, item: QListWidgetItem | None) -> None:
        self.volunteer_id = item.data(USER) if item is not None else None
        self.status.clear()
        self.show_account()

    # --- the account ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.run_search()
        self.show_account()

    def show_account(self, select_entry: int | None = None) -> None:
        keep = select_entry or selected_row_id(self.history)
        self.account, self.entries = None, []
        if self.volunteer_id is not None:
            with self.ctx.db.session(write=False) as session:
                self.account = svc.balance(session, self.ctx.actor, self.volunteer_id)
                self.entries = svc.history(session, self.ctx.actor, self.volunteer_id)
        account = self.account
        if account is None:
            self.person.setText(_("请在左侧选择一位志愿者。"))
            for label in (self.available, self.figures, self.stars):
                label.clear()
        else:
            self.person.setText(f"{account.name}　{account.volunteer_no or _('尚无编号')}")
            self.available.setText(_("可用余额 {h} 小时").format(h=hours_text(account.balance)))
            self.figures.setText(_("累计服务 {e} 小时　已兑换 {r} 小时").format(
                e=hours_text(account.earned), r=hours_text(-account.redeemed)))
            level = f"{stars_text(account.star_level)} {level_name(account.star_level)}" if account.star_level else (
                stars_text(0))
            self.stars.setText(_("星级：{lv}（按累计服务时长，兑换不影响星级）").format(lv=level))
        fill_entries(self.history, self.entries, lambda row: row.signed_minutes)
        if keep is not None:
            select_row_id(self.history, keep)
        self._update_buttons()

    def balance_text(self) -> str:
        return self.available.text()

    def selected_entry(self) -> svc.EntryRow | None:
        entry_id = selected_row_id(self.history)
        return next((e for e in self.entries if e.id == entry_id), None)

    def _update_buttons(self) -> None:
        entry = self.selected_entry()
        self.redeem_button.setEnabled(self.can_redeem and self.account is not None)
        self.reverse_button.setEnabled(self.can_redeem and entry is not None and entry.can_reverse)
        self.print_button.setEnabled(entry is not None)

    # --- actions ----------------------------------------------------------------------------------
    def redeem(self) -> None:
        if self.account is None:
            return
        with self.ctx.db.session(write=False) as session:
            items = svc.redeemable_items(session, self.ctx.actor)
        done = RedeemDialog.ask(self.ctx, self.account, items, parent=self)
        if done is None:
            return
        self.show_account(done.id)
        self.status.setText(_("已兑换：{s} × {q}，{h} 小时，凭证 {no}。可点“打印凭证”保存凭证。").format(
            s=done.service_name, q=done.quantity, h=hours_text(done.minutes), no=done.receipt_no))

    def reverse(self) -> None:
        entry = self.selected_entry()
        if entry is None or not entry.can_reverse:
            return
        reason = ReasonDialog.ask(self, _("冲正兑换"), _("冲正 {no}（{s} × {q}，{h} 小时）：时长退回志愿者账户，原记录保留。请写明原因：").format(
            no=entry.receipt_no, s=entry.service_name, q=entry.quantity, h=hours_text(entry.minutes)))
        if reason is None:
            return
        token = uuid.uuid4().hex
        self.reverse_button.setEnabled(False)
        done = run_service(self, self.ctx, lambda s: svc.reverse(s, self.ctx.actor, entry.id, reason, token))
        self.show_account(done.id if done else entry.id)
        if done is not None:
            self.status.setText(_("已冲正 {o}，退回 {h} 小时，冲正凭证 {no}。").format(
                o=entry.receipt_no, h=hours_text(done.minutes), no=done.receipt_no))

    def print_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        path = print_receipt(self, self.ctx, entry)
        if path:
            self.status.setText(_("凭证已保存：{p}（A5，可直接打印）").format(p=path))
