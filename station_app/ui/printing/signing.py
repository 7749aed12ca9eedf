"""The station's signing key for printing certificates: asked for once per signed-in session.

Certificates carry a QR code signed with the station key, which the administrator's login password
opens (``chain.unlock_signing_key``). The opened key is kept on the session's AppContext — a new
sign-in makes a new context, so signing out forgets it.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ...i18n import _
from ...services import chain
from ..common import AppContext, dialog_buttons, run_service
from ..qt import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

_ATTRIBUTE = "_signing_key"


class PasswordDialog(QDialog):
    """Asks for the signed-in user's password, with a line saying what it is for."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("打开签名密钥"))
        self.setMinimumWidth(420)
        intro = QLabel(text)
        intro.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(_("密码"), self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(dialog_buttons(self, _("确定")))

    @staticmethod
    def ask(parent: QWidget | None, text: str) -> str | None:
        """The password typed, or None if the user cancelled."""
        dialog = PasswordDialog(text, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        password = dialog.password.text()
        dialog.deleteLater()
        return password if accepted else None


def cached_signing_key(ctx: AppContext) -> Ed25519PrivateKey | None:
    """The key already opened in this session by this user, if any."""
    cached = getattr(ctx, _ATTRIBUTE, None)
    if cached is None:
        return None
    user_id, key = cached
    return key if user_id == ctx.actor.user_id else None


def forget_signing_key(ctx: AppContext) -> None:
    if hasattr(ctx, _ATTRIBUTE):
        delattr(ctx, _ATTRIBUTE)


def signing_key(parent: QWidget | None, ctx: AppContext) -> Ed25519PrivateKey | None:
    """The station's signing key: from this session, or opened with the user's password (asked now).

    None if the user cancelled, the password was wrong or the user holds no key (the reason shown).
    """
    key = cached_signing_key(ctx)
    if key is not None:
        return key
    password = PasswordDialog.ask(parent, _("打印证书要用站点签名密钥为二维码签名，请输入您的登录密码。"))
    if password is None:
        return None
    key = run_service(parent, ctx, lambda session: chain.unlock_signing_key(session, ctx.actor, password), write=False)
    if key is not None:
        setattr(ctx, _ATTRIBUTE, (ctx.actor.user_id, key))
    return key
