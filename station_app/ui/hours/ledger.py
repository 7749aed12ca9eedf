"""记录与更正: the station's ledger lines, their history, and correction requests.

Nothing here edits a record: a correction is a new ledger line pointing at the original, with a
reason; both stay visible (double-click a line for its history).
"""

from __future__ import annotations

from datetime import date, timedelta

from ...errors import StationError
from ...i18n import _
from ...services import hours
from ...services import ledger as svc
from ...services.auth import Permission, Role
from ..common import AppContext, dialog_buttons, error_label
from ..demand.projects import fill_row, read_only_table, select_row_id, selected_row_id
from ..qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from .widgets import entered_text, hours_spin, minutes_of, set_time, span_of, time_edit

PERIODS = (("30", _("近 30 天")), ("90", _("近 90 天")), ("year", _("今年")), ("all", _("全部（最近 2000 条）")))


class CorrectionDialog(QDialog):
    """申请更正: new times and hours on the record's own date, or 作废; a reason is required."""

    def __init__(self, ctx: AppContext, row: svc.LedgerRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.saved_id: int | None = None
        line = row.line
        self.setWindowTitle(_("申请更正：{n}").format(n=row.volunteer_name))
        self.setMinimumWidth(520)
        current = QLabel(_("现在计入：{w}　{h}　{c}（台账第 {q} 条）").format(
            w=row.when, h=svc.hours_label(line.minutes), c=line.content, q=line.seq), wordWrap=True)
        self.day = line.service_date
        self.starts, self.ends = time_edit(9), time_edit(10)
        if line.starts_at and line.ends_at:
            set_time(self.starts, line.starts_at)
            set_time(self.ends, line.ends_at)
        self.minutes = hours_spin()
        self.minutes.setValue(line.minutes / 60)
        self.void = QCheckBox(_("作废这条记录（计 0 小时，如重复录入）"))
        self.reason = QPlainTextEdit()
        self.reason.setMaximumHeight(80)
        self.reason.setPlaceholderText(_("必填，如：签到表核对后发现 11:00 就离开了"))
        self.error = error_label()
        self.starts.timeChanged.connect(lambda _t: self._follow_span())
        self.ends.timeChanged.connect(lambda _t: self._follow_span())
        self.void.toggled.connect(self._void_toggled)
        times = QHBoxLayout()
        times.addWidget(QLabel(self.day.isoformat()))
        times.addWidget(self.starts)
        times.addWidget(QLabel(_("至")))
        times.addWidget(self.ends)
        times.addStretch(1)
        form = QFormLayout()
        form.addRow(_("更正后的时间"), times)
        form.addRow(_("更正后的时长"), self.minutes)
        form.addRow("", self.void)
        form.addRow(_("更正原因 *"), self.reason)
        admin = ctx.actor.role is Role.ADMIN
        note = QLabel(_("站长/管理员的更正立即生效。") if admin else _("更正提交后，由站长/管理员审批通过才计入；原记录始终保留。"),
                      wordWrap=True)
        note.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addWidget(current)
        layout.addLayout(form)
        layout.addWidget(QLabel(_("日期不能更正：日期错了请作废后重新录入。"), styleSheet="color: #555;"))
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("更正并生效") if admin else _("提交更正")))

    def _follow_span(self) -> None:
        if not self.void.isChecked():
            starts_at, ends_at = span_of(self.day, self.starts, self.ends)
            self.minutes.setValue(svc.default_minutes(starts_at, ends_at) / 60)

    def _void_toggled(self, checked: bool) -> None:
        for widget in (self.starts, self.ends, self.minutes):
            widget.setEnabled(not checked)
        if checked:
            self.minutes.setValue(0)
        else:
            self._follow_span()

    def accept(self) -> None:
        self.error.clear()
        if self.void.isChecked():
            starts_at = ends_at = None
            minutes = 0
        else:
            starts_at, ends_at = span_of(self.day, self.starts, self.ends)
            minutes = minutes_of(self.minutes)
        try:
            with self.ctx.db.session() as session:
                self.saved_id = svc.request_correction(session, self.ctx.actor, self.row.line.record_id, starts_at,
                                                       ends_at, minutes, self.reason.toPlainText())
        except StationError as exc:
            self.error.setText(exc.message)
            if getattr(exc, "field", None) == "reason":
                self.reason.setFocus()
            return
        super().accept()

    @classmethod
    def ask(cls, ctx: AppContext, row: svc.LedgerRow, parent: QWidget | None = None) -> int | None:
        dialog = cls(ctx, row, parent)
        return dialog.saved_id if dialog.exec() else None


class HistoryDialog(QDialog):
    """A record's whole history: the original, every correction and every decision."""

    HEADERS = (_("台账号"), _("类型"), _("时间"), _("时长"), _("计入变化"), _("说明"), _("经办人"), _("录入时间"))

    def __init__(self, ctx: AppContext, record_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        with ctx.db.session(write=False) as session:
            row = svc.ledger_row(session, ctx.actor, record_id)
            entries = svc.line_history(session, ctx.actor, record_id)
        self.setWindowTitle(_("记录历史：{n}").format(n=row.volunteer_name))
        self.setMinimumSize(860, 320)
        line = row.line
        summary = QLabel(_("<b>{n}</b>　{c}　{w}<br/>现计入 {h}　状态：{s}").format(
            n=row.volunteer_name, c=line.content, w=row.when, h=svc.hours_label(line.counted_minutes),
            s=row.status_label), wordWrap=True)
        self.table = read_only_table(self.HEADERS)
        self.table.setRowCount(len(entries))
        for n, e in enumerate(entries):
            delta = ("+" if e.delta_minutes > 0 else "") + hours.hours_text(e.delta_minutes)
            fill_row(self.table, n, (str(e.seq), e.kind_label, e.when, e.minutes_text, delta, e.text, e.by,
                                     entered_text(e.entered_at)), e.id)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel(_("台账只追加、不修改：更正和审批都作为新的一行记在原记录之后。"), styleSheet="color: #555;"))
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout.addLayout(bottom)

    @classmethod
    def show_for(cls, ctx: AppContext, record_id: int, parent: QWidget | None = None) -> None:
        cls(ctx, record_id, parent).exec()


class LedgerPage(QWidget):
    """The station's recent ledger lines with their status; corrections and history from here."""

    HEADERS = (_("服务时间"), _("志愿者"), _("服务内容"), _("类别"), _("地点"), _("时长（小时）"), _("状态"), _("录入人"),
               _("台账号"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.LedgerRow] = []
        self.can_correct = ctx.actor.can(Permission.RECORD_HOURS)
        self.period = QComboBox()
        for value, label in PERIODS:
            self.period.addItem(label, value)
        self.status_filter = QComboBox()
        self.status_filter.addItem(_("全部状态"), None)
        for value, label in hours.LINE_STATUS.items():
            self.status_filter.addItem(label, value)
        self.search = QLineEdit(placeholderText=_("按志愿者姓名或服务内容筛选"))
        self.search.setClearButtonEnabled(True)
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search.textChanged.connect(lambda _t: self._fill())
        self.correct_button = QPushButton(_("申请更正…"))
        self.history_button = QPushButton(_("查看历史"))
        self.correct_button.clicked.connect(self.correct)
        self.history_button.clicked.connect(self.show_history)
        self.table = read_only_table(self.HEADERS)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.show_history())
        self.count_label = QLabel()
        self.status = QLabel(wordWrap=True)
        self.status.setStyleSheet("color: #2e7d32;")
        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("时间")))
        filters.addWidget(self.period)
        filters.addWidget(QLabel(_("状态")))
        filters.addWidget(self.status_filter)
        filters.addWidget(self.search, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.correct_button)
        buttons.addWidget(self.history_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel(_("双击一行查看它的原始记录、更正和审批。"), styleSheet="color: #555;"))
        layout.addWidget(self.status)
        self.refresh()

    def _date_from(self) -> date | None:
        today = date.today()
        period = self.period.currentData()
        if period == "all":
            return None
        if period == "year":
            return date(today.year, 1, 1)
        return today - timedelta(days=int(period))

    def refresh(self) -> None:
        self.status.clear()  # an earlier "submitted" may have been decided since
        with self.ctx.db.session(write=False) as session:
            self.rows = svc.ledger_rows(session, self.ctx.actor, date_from=self._date_from(),
                                        status=self.status_filter.currentData())
        self._fill()

    def _fill(self) -> None:
        keep = self.selected_id()
        text = self.search.text().strip()
        shown = [r for r in self.rows if not text or text in r.volunteer_name or text in r.line.content]
        self.table.setRowCount(len(shown))
        for n, r in enumerate(shown):
            line = r.line
            fill_row(self.table, n, (r.when, f"{r.volunteer_name}　{r.volunteer_no}".strip(), line.content,
                                     line.category, line.place, r.hours_text, r.status_label, line.recorder_name,
                                     str(line.seq)), line.record_id)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        pending = sum(1 for r in shown if r.line.status == "pending" or r.line.has_pending_correction)
        self.count_label.setText(_("共 {n} 条，其中 {p} 条待审批").format(n=len(shown), p=pending))
        if keep is not None:
            select_row_id(self.table, keep)
        self._update_buttons()

    def selected_id(self) -> int | None:
        return selected_row_id(self.table)

    def select_record(self, record_id: int) -> bool:
        return select_row_id(self.table, record_id)

    def selected_row(self) -> svc.LedgerRow | None:
        rid = self.selected_id()
        return next((r for r in self.rows if r.line.record_id == rid), None)

    def _update_buttons(self) -> None:
        row = self.selected_row()
        can = self.can_correct and row is not None and row.line.status == "counted" and not row.line.has_pending_correction
        self.correct_button.setEnabled(can)
        self.history_button.setEnabled(row is not None)
        if row is not None and row.line.has_pending_correction:
            self.correct_button.setToolTip(_("这条记录已有一条更正在等待审批"))
        elif row is not None and row.line.status != "counted":
            self.correct_button.setToolTip(_("只有已计入的记录可以更正"))
        else:
            self.correct_button.setToolTip("")

    def correct(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        cid = CorrectionDialog.ask(self.ctx, row, self)
        if cid is not None:
            self.refresh()
            self.select_record(row.line.record_id)
            self.status.setText(_("已提交更正：{n}，{d}。").format(n=row.volunteer_name, d=row.line.service_date.isoformat())
                                + ("" if self.ctx.actor.role is Role.ADMIN else _("等待站长/管理员审批。")))

    def show_history(self) -> None:
        rid = self.selected_id()
        if rid is not None:
            HistoryDialog.show_for(self.ctx, rid, self)
