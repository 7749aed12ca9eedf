"""Review an application (审核), and other status changes (暂停 / 退出 / 恢复)."""

from __future__ import annotations

from ...errors import StationError, ValidationError
from ...i18n import _
from ...services import volunteers as svc
from ..common import AppContext, dialog_buttons, error_label
from ..qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from .detail import detail_html


class ReviewDialog(QDialog):
    """Shows the application and records 通过 (with a volunteer number) or 未通过 (with a reason)."""

    def __init__(self, ctx: AppContext, volunteer_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.volunteer_id = volunteer_id
        self.volunteer_no: str | None = None
        self.setWindowTitle(_("审核志愿者申请"))
        self.setMinimumSize(560, 560)
        with ctx.db.session(write=False) as session:
            detail = svc.get_volunteer(session, ctx.actor, volunteer_id)
        view = QTextBrowser()
        view.setHtml(detail_html(detail))
        self.reason = QPlainTextEdit(placeholderText=_("审核意见；不通过时必须填写原因"))
        self.reason.setMaximumHeight(80)
        self.error = error_label()
        self.approve_button = QPushButton(_("通过"))
        self.reject_button = QPushButton(_("不通过"))
        buttons = QDialogButtonBox()
        buttons.addButton(self.approve_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.reject_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(_("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(QLabel(_("审核意见")))
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def decide(self, approve: bool) -> None:
        self.error.clear()
        try:
            with self.ctx.db.session() as session:
                self.volunteer_no = svc.review_volunteer(
                    session, self.ctx.actor, self.volunteer_id, approve=approve, reason=self.reason.toPlainText()
                )
        except StationError as exc:
            self.error.setText(exc.message)
            return
        self.accept()


class StatusDialog(QDialog):
    """Suspend, withdraw, resume or re-apply, always with a reason."""

    def __init__(self, ctx: AppContext, volunteer_id: int, current: svc.Status, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.volunteer_id = volunteer_id
        self.setWindowTitle(_("变更志愿者状态"))
        self.target = QComboBox()
        for status in sorted(svc.STATUS_MOVES.get(current, set()), key=list(svc.Status).index):
            self.target.addItem(status.label, status.value)
        self.reason = QPlainTextEdit(placeholderText=_("原因（必填）"))
        self.reason.setMaximumHeight(80)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("当前状态"), QLabel(current.label))
        form.addRow(_("改为"), self.target)
        form.addRow(_("原因"), self.reason)
        buttons = dialog_buttons(self, _("确定"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.error.clear()
        if self.target.count() == 0:
            self.error.setText(_("当前状态下没有可以变更的选项。"))
            return
        try:
            with self.ctx.db.session() as session:
                svc.change_status(
                    session, self.ctx.actor, self.volunteer_id, svc.Status(self.target.currentData()),
                    self.reason.toPlainText(),
                )
        except (ValidationError, StationError) as exc:
            self.error.setText(exc.message)
            return
        super().accept()
