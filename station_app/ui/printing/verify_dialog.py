"""校验证书: is a printed certificate genuine? Its QR code is scanned (a USB scanner types the text
and presses Enter) or its text pasted, and ``certificates.verify_payload`` checks the signature.

The answer is one big line — green 证书有效 or red 证书无效 — then what the certificate states (or why
it is not valid), the issuing station, and whether this station's print record knows it.
"""

from __future__ import annotations

from html import escape

from ...i18n import _
from ...services import certificates
from ..common import AppContext, run_service
from ..qt import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, Qt, QTimer, QVBoxLayout, QWidget

VALID_STYLE = "color: #1b5e20; font-size: 22px; font-weight: bold;"
INVALID_STYLE = "color: #b00020; font-size: 22px; font-weight: bold;"
HINT_STYLE = "color: #555;"


class VerifyCertificateDialog(QDialog):
    """Scan or paste a certificate's QR text; 校验 shows whether it is valid and what it certifies."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: certificates.Verification | None = None
        self.setWindowTitle(_("校验证书"))
        self.setMinimumSize(560, 480)
        intro = QLabel(_("用扫码枪扫描证书上的二维码（扫完会自动校验），或把二维码的内容粘贴到下面，再点“校验”。"))
        intro.setWordWrap(True)
        self.payload = QPlainTextEdit()
        self.payload.setPlaceholderText(_("在这里扫描或粘贴二维码内容"))
        self.payload.setMaximumHeight(110)
        self.payload.textChanged.connect(self._on_text_changed)
        self.check_button = QPushButton(_("校验"))
        self.check_button.setDefault(False)
        self.check_button.setAutoDefault(False)  # Enter belongs to the text box (the scanner's end of line)
        self.check_button.clicked.connect(lambda: self.check())
        clear = QPushButton(_("清空"))
        clear.setAutoDefault(False)
        clear.clicked.connect(lambda: self.reset())
        close = QPushButton(_("关闭"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.verdict = QLabel()
        self.kind = QLabel()
        self.kind.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.details = QLabel(wordWrap=True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(clear)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.payload)
        layout.addLayout(buttons)
        layout.addWidget(self.verdict)
        layout.addWidget(self.kind)
        layout.addWidget(self.details, 1)
        self.reset()

    # --- checking --------------------------------------------------------------------------------
    def _on_text_changed(self) -> None:
        text = self.payload.toPlainText()
        if text.endswith("\n") and text.strip():
            QTimer.singleShot(0, self, self.check)  # not from inside the edit's own signal

    def check(self) -> certificates.Verification | None:
        text = self.payload.toPlainText().strip()
        if not text:
            self._hint(_("请先扫描或粘贴证书二维码的内容。"))
            return None
        found = run_service(self, self.ctx, lambda session: certificates.verify_payload(session, text), write=False)
        if found is None:
            return None
        self.result = found
        self._show(found)
        # The next scan replaces this one instead of adding to it.
        self.payload.blockSignals(True)
        self.payload.setPlainText(text)
        self.payload.blockSignals(False)
        self.payload.selectAll()
        self.payload.setFocus()
        return found

    def reset(self) -> None:
        self.result = None
        self.payload.clear()
        self._hint(_("等待扫描……"))
        self.payload.setFocus()

    # --- showing -----------------------------------------------------------------------------------
    def _hint(self, text: str) -> None:
        self.verdict.setText(text)
        self.verdict.setStyleSheet(HINT_STYLE)
        self.kind.setText("")
        self.kind.setVisible(False)
        self.details.setText("")

    def _show(self, found: certificates.Verification) -> None:
        if found.valid:
            self.verdict.setText(_("✓ 证书有效"))
            self.verdict.setStyleSheet(VALID_STYLE)
        else:
            self.verdict.setText(_("✗ 证书无效"))
            self.verdict.setStyleSheet(INVALID_STYLE)
        self.kind.setText(found.kind_label)
        self.kind.setVisible(bool(found.kind_label))
        rows: list[tuple[str, str]] = []
        if not found.valid and found.reason:
            rows.append((_("原因"), found.reason))
        rows.extend(found.facts)
        if found.station:
            rows.append((_("颁发站点"), found.station))
        if found.on_record:
            rows.append((_("本站记录"), found.on_record))
        cells = "".join(
            f"<tr><td style='color:#555; padding:3px 12px 3px 0;'>{escape(label)}</td>"
            f"<td style='padding:3px 0;'><b>{escape(value)}</b></td></tr>"
            for label, value in rows
        )
        self.details.setText(f"<table>{cells}</table>")
