"""开具服务记录证明: a 志愿服务记录证明 for the volunteer on screen, made from 志愿者台账.

The dialog asks for the period (today's year by default; 今年 / 近一年 / 全部 at a click). 开具
signs, draws and books the certificate in one unit of work (making one issues its number), then
the certificate opens in a preview window to print or save. A refusal (an impossible period, no
counted service in it) stays in the dialog in red and nothing is issued.
"""

from __future__ import annotations

import logging
import traceback
from datetime import date
from pathlib import Path

from ...errors import StationError
from ...i18n import _
from ...services import certificates as certs
from ..awards.stars import note_label
from ..common import AppContext, dialog_buttons, error_label
from ..demand.projects import date_edit
from ..qt import QDate, QDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from .centre import CertificatePreviewDialog, make_record_certificate
from .signing import signing_key

log = logging.getLogger(__name__)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class RecordCertificateDialog(QDialog):
    """The period of a volunteer's 志愿服务记录证明; 开具 issues it (``self.printable``, drawn at ``self.path``)."""

    def __init__(self, ctx: AppContext, volunteer_id: int, name: str, *, first_day: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.volunteer_id = volunteer_id
        self.name = name
        self.first_day = first_day
        self.printable: certs.Printable | None = None
        self.path: Path | None = None
        self.setWindowTitle(_("开具志愿服务记录证明"))
        self.setMinimumWidth(520)
        today = date.today()
        who = QLabel(name)
        who.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.date_from = date_edit(date(today.year, 1, 1))
        self.date_to = date_edit(today)
        for edit in (self.date_from, self.date_to):
            edit.setMaximumDate(_qdate(today))
        self.this_year_button = QPushButton(_("今年"))
        self.last_year_button = QPushButton(_("近一年"))
        self.all_button = QPushButton(_("全部"))
        self.this_year_button.clicked.connect(lambda: self.set_period(date(today.year, 1, 1), today))
        self.last_year_button.clicked.connect(
            lambda: self.set_period(_qdate(today).addYears(-1).addDays(1).toPython(), today))
        self.all_button.clicked.connect(lambda: self.set_period(self.first_day or today, today))
        self.all_button.setEnabled(first_day is not None)
        self.all_button.setToolTip(
            _("自 {d}（登记日期或最早的服务记录）至今天").format(d=first_day.isoformat()) if first_day
            else _("这名志愿者没有登记日期和服务记录。"))
        period = QHBoxLayout()
        period.addWidget(self.date_from)
        period.addWidget(QLabel(_("至")))
        period.addWidget(self.date_to)
        period.addStretch(1)
        quick = QHBoxLayout()
        for button in (self.this_year_button, self.last_year_button, self.all_button):
            quick.addWidget(button)
        quick.addStretch(1)
        form = QFormLayout()
        form.addRow(_("志愿者"), who)
        form.addRow(_("服务期间"), period)
        form.addRow("", quick)
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note_label(_(
            "证明列出期间内已计入台账的服务记录和培训、截止日期前获得的星级和嘉许；身份证号遮盖显示，上门服务的地点只写到楼栋，并带有站点签名的二维码。"
            "开具即登记一个新的证明编号（不能撤回），之后可在“台账与打印 → 证书打印 → 打印记录”中补打。")))
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("开具")))

    def set_period(self, start: date, end: date) -> None:
        self.date_from.setDate(_qdate(start))
        self.date_to.setDate(_qdate(end))
        self.error.clear()

    def period(self) -> tuple[date, date]:
        return self.date_from.date().toPython(), self.date_to.date().toPython()

    def accept(self) -> None:
        """Issue the certificate; a refusal stays in the dialog in red and issues nothing."""
        self.error.clear()
        start, end = self.period()
        try:
            certs.check_period(start, end, date.today())  # before asking for the password
        except StationError as exc:
            self.error.setText(exc.message)
            return
        key = signing_key(self, self.ctx)
        if key is None:
            return

        try:
            with self.ctx.db.session() as session:
                self.printable, self.path = make_record_certificate(
                    session, self.ctx, key, self.volunteer_id, start, end)
        except StationError as exc:
            self.error.setText(exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - as run_service: logged where, not what (personal data)
            log.error("unexpected %s issuing a record certificate:\n%s", type(exc).__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
            self.error.setText(_("发生了意外错误，证明没有开具。详细信息已写入日志文件。"))
            return
        super().accept()


def issue_record_certificate(parent: QWidget, ctx: AppContext, volunteer_id: int, name: str, *,
                             first_day: date | None = None) -> CertificatePreviewDialog | None:
    """Ask for the period, issue the certificate, and show it to print or save (the preview, already open)."""
    dialog = RecordCertificateDialog(ctx, volunteer_id, name, first_day=first_day, parent=parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    printable, path = dialog.printable, dialog.path
    dialog.deleteLater()
    if not accepted or printable is None or path is None:
        return None
    preview = CertificatePreviewDialog(ctx, path, [printable], _("志愿服务记录证明 · {n}").format(n=name),
                                       pending=False, parent=parent)
    preview.status.setText(_("已开具志愿服务记录证明 {no}（服务 {h} 小时，{c} 条记录）。").format(
        no=printable.certificate_no, h=printable.document.total_hours_text, c=printable.document.record_count))
    preview.open()
    return preview
