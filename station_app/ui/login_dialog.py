"""Sign in."""

from __future__ import annotations

from ..db import Database
from ..errors import StationError
from ..i18n import _
from ..services.auth import Actor, authenticate
from .common import dialog_buttons, error_label
from .qt import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


class LoginDialog(QDialog):
    def __init__(self, db: Database, station_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(_("登录 — 物业志愿服务站管理系统"))
        self.setMinimumWidth(360)
        self.username = QLineEdit()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.error = error_label()
        title = QLabel(station_name or _("物业志愿服务站管理系统"))
        title.setStyleSheet("font-size: 16px; font-weight: bold;")
        form = QFormLayout()
        form.addRow(_("用户名"), self.username)
        form.addRow(_("密码"), self.password)
        buttons = dialog_buttons(self, _("登录"), _("退出"))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.error.clear()
        try:
            with self.db.session() as session:
                self.actor = authenticate(session, self.username.text(), self.password.text())
        except StationError as exc:
            self.error.setText(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        super().accept()

    @classmethod
    def ask(cls, db: Database, station_name: str = "", parent: QWidget | None = None) -> Actor | None:
        dialog = cls(db, station_name, parent)
        return dialog.actor if dialog.exec() == QDialog.DialogCode.Accepted else None
