"""User accounts (用户管理, administrators) and changing one's own password."""

from __future__ import annotations

from ..errors import StationError
from ..i18n import _
from ..services import auth, chain
from .common import AppContext, dialog_buttons, error_label
from .qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def _password() -> QLineEdit:
    return QLineEdit(echoMode=QLineEdit.EchoMode.Password)


class UserEditDialog(QDialog):
    """New account (with password) or edit one (name, role, active)."""

    def __init__(self, ctx: AppContext, user: auth.UserInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.setWindowTitle(_("修改账号") if user else _("新建账号"))
        self.username = QLineEdit(user.username if user else "")
        self.username.setEnabled(user is None)
        self.display_name = QLineEdit(user.display_name if user else "")
        self.role = QComboBox()
        for role in auth.STATION_ROLES:
            self.role.addItem(role.label, role.value)
        self.role.setCurrentIndex(self.role.findData((user.role if user else auth.Role.CLERK).value))
        self.active = QCheckBox(_("可以登录"))
        self.active.setChecked(user.active if user else True)
        self.password = _password()
        self.confirm = _password()
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("用户名"), self.username)
        form.addRow(_("姓名"), self.display_name)
        form.addRow(_("角色"), self.role)
        if user is None:
            form.addRow(_("密码"), self.password)
            form.addRow(_("再次输入密码"), self.confirm)
        else:
            form.addRow("", self.active)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("保存")))

    def accept(self) -> None:
        self.error.clear()
        role = auth.Role(self.role.currentData())
        try:
            with self.ctx.db.session() as session:
                if self.user is None:
                    auth.check_new_password(self.password.text(), self.confirm.text())
                    auth.create_user(
                        session, self.ctx.actor, username=self.username.text(), display_name=self.display_name.text(),
                        role=role, password=self.password.text(), station_id=self.ctx.actor.station_id,
                    )
                else:
                    auth.update_user(session, self.ctx.actor, self.user.id, display_name=self.display_name.text(),
                                     role=role, active=self.active.isChecked())
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class PasswordDialog(QDialog):
    """Change one's own password (old one required) or, for an administrator, reset another's."""

    def __init__(self, ctx: AppContext, user_id: int, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user_id = user_id
        own = user_id == ctx.actor.user_id
        self.setWindowTitle(_("修改密码") if own else _("重置 {u} 的密码").format(u=username))
        self.old = _password()
        self.new = _password()
        self.confirm = _password()
        self.error = error_label()
        form = QFormLayout()
        if own:
            form.addRow(_("原密码"), self.old)
        form.addRow(_("新密码"), self.new)
        form.addRow(_("再次输入新密码"), self.confirm)
        self.own = own
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("确定")))

    def accept(self) -> None:
        self.error.clear()
        try:
            auth.check_new_password(self.new.text(), self.confirm.text())
            with self.ctx.db.session() as session:
                auth.set_password(session, self.ctx.actor, self.user_id, self.new.text(),
                                  old_password=self.old.text() if self.own else None)
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class KeyShareDialog(QDialog):
    """The key holder gives another administrator their own copy of the station's signing key."""

    def __init__(self, ctx: AppContext, user: auth.UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.setWindowTitle(_("交给 {u} 签名密钥").format(u=user.display_name))
        self.own = _password()
        self.theirs = _password()
        self.error = error_label()
        note = QLabel(_("签名密钥用来签署台账检查点。请 {u} 到场，各自输入自己的密码；"
                        "密钥会用 {u} 的密码另存一份，以后 {u} 登录时也能签署。").format(u=user.display_name))
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("我的密码（{u}）").format(u=ctx.actor.display_name), self.own)
        form.addRow(_("{u} 的密码").format(u=user.display_name), self.theirs)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("交给签名密钥")))

    def accept(self) -> None:
        self.error.clear()
        try:
            with self.ctx.db.session() as session:
                chain.share_signing_key(session, self.ctx.actor, self.own.text(), self.user.id, self.theirs.text())
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class UsersDialog(QDialog):
    HEADERS = (_("用户名"), _("姓名"), _("角色"), _("状态"), _("签名密钥"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.users: list[auth.UserInfo] = []
        self.setWindowTitle(_("用户管理"))
        self.resize(560, 360)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        add = QPushButton(_("新建账号"))
        edit = QPushButton(_("修改"))
        reset = QPushButton(_("重置密码"))
        self.share_button = QPushButton(_("交给签名密钥…"))
        self.share_button.setToolTip(_("让选中的站长/管理员也能签署台账检查点（需持有密钥的站长操作）"))
        self.share_button.setEnabled(ctx.actor.can(auth.Permission.SIGN_LEDGER))
        close = QPushButton(_("关闭"))
        add.clicked.connect(self.add_user)
        edit.clicked.connect(self.edit_user)
        reset.clicked.connect(self.reset_password)
        self.share_button.clicked.connect(self.share_key)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for button in (add, edit, reset, self.share_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        with self.ctx.db.session(write=False) as session:
            self.users = auth.list_users(session, self.ctx.actor)
            holders = chain.key_holders(session, self.ctx.actor.station_id)
        self.table.setRowCount(len(self.users))
        for r, user in enumerate(self.users):
            key = _("持有") if user.id in holders else (_("未持有") if user.role is auth.Role.ADMIN else "")
            for c, value in enumerate((user.username, user.display_name, user.role.label,
                                       _("可用") if user.active else _("已停用"), key)):
                self.table.setItem(r, c, QTableWidgetItem(value))

    def _current(self) -> auth.UserInfo | None:
        row = self.table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) else None

    def add_user(self) -> None:
        if UserEditDialog(self.ctx, parent=self).exec():
            self.reload()

    def edit_user(self) -> None:
        user = self._current()
        if user and UserEditDialog(self.ctx, user, parent=self).exec():
            self.reload()

    def reset_password(self) -> None:
        user = self._current()
        if user:
            PasswordDialog(self.ctx, user.id, user.username, parent=self).exec()
            self.reload()  # a reset by someone else takes away the user's copy of the signing key

    def share_key(self) -> None:
        user = self._current()
        if user and KeyShareDialog(self.ctx, user, parent=self).exec():
            self.reload()
