"""校验台账: check the evidence chain, against the stored checkpoints and any typed in; sign and export them.

Opening the dialog runs ``chain.verify_chain``: 台账完整 with the entry count and the station key's
fingerprint, or the list of problems, each naming the entry. Extra checkpoints are pasted or typed
one a line (an exported line, or "条目数 链头哈希" copied from a paper monthly ledger); a mistyped
line is named in red and nothing is checked until it is fixed. An administrator can sign a new
checkpoint (their password opens the station key) and export the checkpoints to a text file that
``station-app verify --checkpoint-file`` reads.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from ...errors import StationError
from ...i18n import _
from ...services import chain
from ...services.auth import Permission
from ..common import AppContext, dialog_buttons, error_label, show_error
from ..qt import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)

OK_STYLE = "color: #1b5e20; font-size: 16px; font-weight: bold;"
BAD_STYLE = "color: #b00020; font-size: 16px; font-weight: bold;"


class SignCheckpointDialog(QDialog):
    """Asks the administrator's password, opens the station key and signs the chain's head."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.checkpoint: chain.Checkpoint | None = None
        self.setWindowTitle(_("签署台账检查点"))
        self.setMinimumWidth(440)
        intro = QLabel(_("检查点记下台账此刻的条目数和链头哈希，并用本站签名密钥签名。"
                         "签名密钥由站长密码保护，请输入您（{u}）的登录密码。").format(u=ctx.actor.display_name))
        intro.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("密码"), self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("签署")))

    def accept(self) -> None:
        try:
            with self.ctx.db.session() as session:
                key = chain.unlock_signing_key(session, self.ctx.actor, self.password.text())
                chain.make_checkpoint(session, self.ctx.actor, key)
                self.checkpoint = chain.latest_checkpoint(session, self.ctx.actor.station_id)
        except StationError as exc:
            self.error.setText(exc.message)
            self.password.selectAll()
            self.password.setFocus()
            return
        super().accept()


class VerifyDialog(QDialog):
    """The ledger's integrity check, with extra checkpoints typed in; signing and export for administrators."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: chain.VerifyReport | None = None
        self.setWindowTitle(_("校验台账"))
        self.setMinimumSize(720, 560)
        self.result = QLabel()
        self.details = QLabel(wordWrap=True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = QListWidget()
        self.problems.setWordWrap(True)
        self.extra = QPlainTextEdit()
        self.extra.setPlaceholderText(
            _("每行一个检查点：导出的检查点行，或月度台账上抄下的“条目数 链头哈希”，例如\n"
              "128 9df9 b2c7 4fed fcb6 53a6 c5f5 00db 278f 7bd4 1095 e381 5c74 e47b 1045 94ac c86d")
        )
        self.extra.setMaximumHeight(90)
        self.extra_error = error_label()
        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")
        self.verify_button = QPushButton(_("重新校验"))
        self.sign_button = QPushButton(_("签署检查点…"))
        self.export_button = QPushButton(_("导出检查点…"))
        close = QPushButton(_("关闭"))
        self.verify_button.clicked.connect(lambda: self.verify())
        self.sign_button.clicked.connect(lambda: self.sign())
        self.export_button.clicked.connect(lambda: self.export_checkpoints())
        close.clicked.connect(self.reject)
        self.sign_button.setVisible(ctx.actor.can(Permission.SIGN_LEDGER))
        buttons = QHBoxLayout()
        for button in (self.verify_button, self.sign_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.result)
        layout.addWidget(self.details)
        layout.addWidget(self.problems, 1)
        layout.addWidget(QLabel(_("再核对其他检查点（可选，每行一个）：")))
        layout.addWidget(self.extra)
        layout.addWidget(self.extra_error)
        layout.addWidget(self.status)
        layout.addStretch(1)  # takes the problems list's room when there are none
        layout.addLayout(buttons)
        self.verify()

    # --- checking --------------------------------------------------------------------------------
    def typed_checkpoints(self) -> list[chain.Checkpoint] | None:
        """The checkpoints typed in, or None (and the first mistyped line named in red)."""
        try:
            found = chain.parse_checkpoint_lines(self.extra.toPlainText().splitlines())
        except StationError as exc:
            self.extra_error.setText(exc.message)
            return None
        self.extra_error.setText("")
        return found

    def verify(self) -> chain.VerifyReport | None:
        given = self.typed_checkpoints()
        if given is None:
            return None
        try:
            with self.ctx.db.session(write=False) as session:
                report = chain.verify_chain(session, self.ctx.actor.station_id, given)
        except StationError as exc:
            show_error(self, exc.message)
            return None
        self.report = report
        self._show(report)
        return report

    def _show(self, report: chain.VerifyReport) -> None:
        fingerprint = chain.fingerprint(report.public_key) if report.public_key else _("（尚无签名密钥）")
        if report.ok:
            self.result.setText(_("✔ 台账完整"))
            self.result.setStyleSheet(OK_STYLE)
        else:
            self.result.setText(_("✘ 发现 {n} 处问题：台账在程序之外被改动过").format(n=len(report.problems)))
            self.result.setStyleSheet(BAD_STYLE)
        latest = self._latest()
        lines = [
            _("共 {n} 条，已逐条核对哈希；已核对检查点 {k} 个。").format(n=report.count, k=report.checkpoints_checked),
            _("链头：{h}").format(h=chain.grouped(report.head_hash)),
            _("本站公钥指纹：{f}").format(f=fingerprint),
            _("最新签署的检查点：{c}").format(
                c=_("第 {n} 条（{d}）").format(n=latest.count, d=latest.made_on.isoformat() if latest.made_on else "—")
                if latest else _("尚未签署")),
        ]
        self.details.setText("<br/>".join(escape(line) for line in lines))
        self.problems.clear()
        for problem in report.problems:
            self.problems.addItem(problem.message)
        self.problems.setVisible(bool(report.problems))

    def _latest(self) -> chain.Checkpoint | None:
        with self.ctx.db.session(write=False) as session:
            return chain.latest_checkpoint(session, self.ctx.actor.station_id)

    # --- signing and exporting ----------------------------------------------------------------------
    def sign(self) -> chain.Checkpoint | None:
        dialog = SignCheckpointDialog(self.ctx, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.checkpoint is None:
            return None
        checkpoint = dialog.checkpoint
        self.status.setText(_("已签署检查点：第 {n} 条（{d}）。").format(
            n=checkpoint.count, d=checkpoint.made_on.isoformat() if checkpoint.made_on else ""))
        self.verify()
        return checkpoint

    def export_checkpoints(self, path: str | None = None) -> Path | None:
        with self.ctx.db.session(write=False) as session:
            checkpoints = chain.stored_checkpoints(session, self.ctx.actor.station_id)
            public = chain.station_public_key(session, self.ctx.actor.station_id)
        if not checkpoints:
            show_error(self, _("还没有签署过检查点，没有可导出的内容。"))
            return None
        code = checkpoints[-1].station_code
        if path is None:
            suggested = str(Path.home() / f"台账检查点-{code}-{date.today().isoformat()}.txt")
            path, _filter = QFileDialog.getSaveFileName(self, _("导出检查点"), suggested, _("文本文件 (*.txt)"))
            if not path:
                return None
        header = [
            _("# {s} 台账检查点，导出于 {d}").format(s=self.ctx.station_name or code, d=date.today().isoformat()),
            _("# 本站公钥指纹：{f}").format(f=chain.fingerprint(public) if public else "—"),
            _("# 核对：station-app verify --checkpoint-file 本文件，或粘贴到“校验台账”对话框"),
        ]
        try:
            Path(path).write_text("\n".join(header + [c.text() for c in checkpoints]) + "\n", encoding="utf-8")
        except OSError as exc:
            show_error(self, _("无法写入文件 {f}：{e}").format(f=path, e=exc.strerror or exc))
            return None
        self.status.setText(_("已导出 {n} 个检查点：{p}").format(n=len(checkpoints), p=path))
        return Path(path)
