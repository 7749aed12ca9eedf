"""待审批: records over the station's daily limit and corrections, for an administrator to decide.

Others see the list read-only. The approval limit (审批线) is set here by administrators.
"""

from __future__ import annotations

from ...errors import StationError
from ...i18n import _
from ...services import hours
from ...services import ledger as svc
from ...services.auth import Permission
from ..common import AppContext, dialog_buttons, error_label
from ..demand.projects import fill_row, read_only_table, select_row_id, selected_row_id
from ..qt import QDialog, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget
from .ledger import HistoryDialog
from .widgets import entered_text, hours_spin, minutes_of


class DecisionDialog(QDialog):
    """批准 or 不批准 one item, with a note (required when not approving)."""

    def __init__(self, ctx: AppContext, item: svc.PendingItem, approve: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item = item
        self.approve = approve
        self.saved_id: int | None = None
        verb = _("批准") if approve else _("不批准")
        self.setWindowTitle(_("{v}：{n}").format(v=verb, n=item.volunteer_name))
        self.setMinimumWidth(480)
        what = QLabel(_("{k}　{n}　{d}　{c}<br/>现计入：{o}<br/>申请：{w}<br/>批准后当天合计 {t}{r}").format(
            k=item.kind_label, n=item.volunteer_name, d=item.service_date.isoformat(), c=item.content, o=item.old_text,
            w=item.new_text, t=svc.hours_label(item.day_total_minutes),
            r=_("<br/>更正原因：{r}").format(r=item.reason) if item.reason else ""), wordWrap=True)
        self.note = QPlainTextEdit()
        self.note.setMaximumHeight(80)
        self.note.setPlaceholderText(_("可不填") if approve else _("必填：为什么不批准（录入人会看到）"))
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(QLabel(_("审批说明") + ("" if approve else " *")))
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, verb))

    def accept(self) -> None:
        self.error.clear()
        try:
            with self.ctx.db.session() as session:
                self.saved_id = svc.decide(session, self.ctx.actor, self.item.target_id, self.approve,
                                           self.note.toPlainText())
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()

    @classmethod
    def ask(cls, ctx: AppContext, item: svc.PendingItem, approve: bool, parent: QWidget | None = None) -> int | None:
        dialog = cls(ctx, item, approve, parent)
        return dialog.saved_id if dialog.exec() else None


class PendingPage(QWidget):
    HEADERS = (_("类型"), _("志愿者"), _("服务日期"), _("服务内容"), _("现计入"), _("申请"), _("批准后当天合计"), _("原因"),
               _("录入人"), _("录入时间"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[svc.PendingItem] = []
        self.can_decide = ctx.actor.can(Permission.APPROVE_HOURS)
        self.can_set_limit = ctx.actor.can(Permission.MANAGE_RULES)
        self.table = read_only_table(self.HEADERS)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.show_history())
        self.approve_button = QPushButton(_("批准…"))
        self.reject_button = QPushButton(_("不批准…"))
        self.history_button = QPushButton(_("查看历史"))
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        self.history_button.clicked.connect(self.show_history)
        self.count_label = QLabel()
        self.status = QLabel(wordWrap=True)
        self.status.setStyleSheet("color: #2e7d32;")
        self.read_only_note = QLabel(_("只有站长/管理员可以审批，这里只能查看。"), styleSheet="color: #555;")
        self.read_only_note.setVisible(not self.can_decide)
        if not self.can_decide:
            tip = _("当前账号（{r}）没有“{p}”的权限。").format(r=ctx.actor.role.label, p=Permission.APPROVE_HOURS.value)
            self.approve_button.setToolTip(tip)
            self.reject_button.setToolTip(tip)

        self.limit = hours_spin()
        self.limit.setRange(1, svc.DAY_MINUTES / 60)
        self.limit_button = QPushButton(_("保存审批线"))
        self.limit_button.clicked.connect(self.save_limit)
        self.limit.setEnabled(self.can_set_limit)
        self.limit_button.setVisible(self.can_set_limit)
        self.limit_error = error_label()
        limit_row = QHBoxLayout()
        limit_row.addWidget(QLabel(_("录入员登记的时长，使志愿者一天合计超过")))
        limit_row.addWidget(self.limit)
        limit_row.addWidget(QLabel(_("的，需站长/管理员审批后才计入。")))
        limit_row.addStretch(1)
        limit_row.addWidget(self.limit_button)
        limit_box = QGroupBox(_("审批线"))
        limit_layout = QVBoxLayout(limit_box)
        limit_layout.addLayout(limit_row)
        limit_layout.addWidget(self.limit_error)

        buttons = QHBoxLayout()
        for button in (self.approve_button, self.reject_button, self.history_button):
            buttons.addWidget(button)
        buttons.addWidget(self.read_only_note)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(limit_box)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        keep = self.selected_id()
        with self.ctx.db.session(write=False) as session:
            self.items = svc.pending_items(session, self.ctx.actor)
            limit = svc.get_approval_limit(session, self.ctx.actor)
        self.limit.setValue(limit / 60)
        self.table.setRowCount(len(self.items))
        for n, i in enumerate(self.items):
            fill_row(self.table, n, (i.kind_label, i.volunteer_name, i.service_date.isoformat(), i.content, i.old_text,
                                     i.new_text, svc.hours_label(i.day_total_minutes), i.reason, i.recorder_name,
                                     entered_text(i.entered_at)), i.target_id)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        self.count_label.setText(_("共 {n} 条待审批").format(n=len(self.items)) if self.items else _("没有待审批的记录"))
        if not (keep is not None and select_row_id(self.table, keep)) and self.items:
            self.table.selectRow(0)
        self._update_buttons()

    def selected_id(self) -> int | None:
        return selected_row_id(self.table)

    def selected_item(self) -> svc.PendingItem | None:
        tid = self.selected_id()
        return next((i for i in self.items if i.target_id == tid), None)

    def _update_buttons(self) -> None:
        has = self.selected_item() is not None
        self.approve_button.setEnabled(self.can_decide and has)
        self.reject_button.setEnabled(self.can_decide and has)
        self.history_button.setEnabled(has)

    def decide(self, approve: bool) -> None:
        item = self.selected_item()
        if item is None or DecisionDialog.ask(self.ctx, item, approve, self) is None:
            return
        self.refresh()
        self.status.setText(_("已{v}：{n}，{d}，{k}。").format(
            v=_("批准") if approve else _("不批准"), n=item.volunteer_name, d=item.service_date.isoformat(),
            k=item.kind_label))

    def show_history(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        HistoryDialog.show_for(self.ctx, item.record_id, self)

    def save_limit(self) -> None:
        self.limit_error.clear()
        try:
            with self.ctx.db.session() as session:
                svc.set_approval_limit(session, self.ctx.actor, minutes_of(self.limit))
        except StationError as exc:
            self.limit_error.setText(exc.message)
            return
        self.status.setText(_("审批线已改为每人每天 {h} 小时。").format(h=hours.hours_text(minutes_of(self.limit))))
