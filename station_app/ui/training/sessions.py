"""培训场次 page of the 培训 tab: sessions, their enrolments, attendance, and the sign-in sheet."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path

from ...errors import StationError
from ...i18n import _
from ...reports.signin import signin_sheet
from ...services import training as svc
from ...services.auth import Permission
from ..common import AppContext, dialog_buttons, error_label, list_over_detail, run_service, show_error
from ..demand.projects import USER, ReasonDialog, date_edit, fill_row, read_only_table, select_row_id, selected_row_id
from ..qt import (
    QComboBox,
    QDate,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    Qt,
    QTableWidget,
    QTime,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from .picker import VolunteerPickerDialog

ATTENDANCE_CHOICES = (("present", _("出席")), ("late", _("迟到")), ("absent", _("缺席")))


def hours_box(maximum_minutes: int = svc.MAX_SESSION_MINUTES) -> QDoubleSpinBox:
    """Training hours in quarter hours (0.25)."""
    box = QDoubleSpinBox()
    box.setDecimals(2)
    box.setSingleStep(0.25)
    box.setRange(0, maximum_minutes / 60)
    box.setSuffix(_(" 小时"))
    return box


def time_edit(hour: int, minute: int = 0) -> QTimeEdit:
    edit = QTimeEdit(QTime(hour, minute))
    edit.setDisplayFormat("HH:mm")
    return edit


def minutes_of(box: QDoubleSpinBox) -> int:
    return round(box.value() * 60)


class SessionDialog(QDialog):
    """Plan a training (新建培训) or change one (修改). A held session keeps its kind, times and credit."""

    def __init__(self, ctx: AppContext, session_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session_id = session_id
        self.saved_id: int | None = None
        self._version = 0
        self._following = True  # the credit follows the session's length until the user sets it
        self._setting_credit = False
        self.setWindowTitle(_("修改培训") if session_id else _("新建培训"))
        self.setMinimumWidth(520)
        detail = None
        if session_id is not None:
            with ctx.db.session(write=False) as session:
                detail = svc.get_session(session, ctx.actor, session_id)

        self.kind = QComboBox()
        for kind in svc.TrainingKind:
            self.kind.addItem(kind.label, kind.value)
        self.topic = QLineEdit(placeholderText=_("如：健康义诊岗前培训"))
        self.trainer = QLineEdit(placeholderText=_("讲师姓名"))
        self.place = QLineEdit(placeholderText=_("如：服务站活动室"))
        next_week = date.today() + timedelta(days=7)
        self.day = date_edit(next_week)
        self.starts = time_edit(9)
        self.ends = time_edit(11)
        self.credit = hours_box()
        self.credit.setToolTip(_("每位出席者计入的培训时长（不计入志愿服务时长），按刻钟计"))
        self.capacity = QSpinBox()
        self.capacity.setRange(1, svc.MAX_CAPACITY)
        self.capacity.setValue(30)
        self.capacity.setSuffix(_(" 人"))
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(60)
        self.locked_note = QLabel(wordWrap=True)
        self.locked_note.setStyleSheet("color: #555;")
        self.locked_note.hide()
        self.error = error_label()

        times = QHBoxLayout()
        times.addWidget(self.day)
        times.addWidget(self.starts)
        times.addWidget(QLabel(_("至")))
        times.addWidget(self.ends)
        times.addStretch(1)
        form = QFormLayout()
        form.addRow(_("培训类型 *"), self.kind)
        form.addRow(_("培训主题 *"), self.topic)
        form.addRow(_("讲师 *"), self.trainer)
        form.addRow(_("地点 *"), self.place)
        form.addRow(_("时间 *"), times)
        form.addRow(_("培训时长 *"), self.credit)
        form.addRow(_("名额 *"), self.capacity)
        form.addRow(_("备注"), self.notes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.locked_note)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("保存")))
        self.fields = {
            "kind": self.kind, "topic": self.topic, "trainer": self.trainer, "place": self.place,
            "starts_at": self.starts, "ends_at": self.ends, "credit_minutes": self.credit,
            "capacity": self.capacity, "notes": self.notes,
        }
        self.starts.timeChanged.connect(lambda _t: self._follow_length())
        self.ends.timeChanged.connect(lambda _t: self._follow_length())
        self.credit.valueChanged.connect(self._credit_edited)
        if detail is not None:
            self._load(detail)
        else:
            self._follow_length()

    def _credit_edited(self, _value: float) -> None:
        if not self._setting_credit:
            self._following = False

    def _follow_length(self) -> None:
        if not self._following:
            return
        starts_at, ends_at = self.times()
        self._setting_credit = True
        self.credit.setValue(max(0, svc.default_credit(starts_at, ends_at)) / 60 if ends_at > starts_at else 0)
        self._setting_credit = False

    def times(self) -> tuple[datetime, datetime]:
        day = self.day.date().toPython()
        return (datetime.combine(day, self.starts.time().toPython()), datetime.combine(day, self.ends.time().toPython()))

    def _load(self, d: svc.SessionDetail) -> None:
        r = d.row
        self._version = r.version
        self.kind.setCurrentIndex(self.kind.findData(r.kind.value))
        self.topic.setText(r.topic)
        self.trainer.setText(r.trainer)
        self.place.setText(r.place)
        self.day.setDate(QDate(r.starts_at.year, r.starts_at.month, r.starts_at.day))
        self.starts.setTime(QTime(r.starts_at.hour, r.starts_at.minute))
        self.ends.setTime(QTime(r.ends_at.hour, r.ends_at.minute))
        self._following = r.credit_minutes == svc.default_credit(r.starts_at, r.ends_at)
        self._setting_credit = True
        self.credit.setValue(r.credit_minutes / 60)
        self._setting_credit = False
        self.capacity.setValue(r.capacity)
        self.notes.setPlainText(r.notes)
        if r.status == "held":
            for widget in (self.kind, self.day, self.starts, self.ends, self.credit):
                widget.setEnabled(False)
            self.locked_note.setText(_("这次培训已登记出勤：培训类型、时间和培训时长以登记时为准，不能再改。"))
            self.locked_note.show()

    def input(self) -> svc.SessionInput:
        starts_at, ends_at = self.times()
        return svc.SessionInput(
            kind=self.kind.currentData(), topic=self.topic.text(), trainer=self.trainer.text(),
            place=self.place.text(), starts_at=starts_at, ends_at=ends_at,
            # Left to follow the length: the service takes the length to the quarter hour (and says so if too short).
            credit_minutes=None if self._following else minutes_of(self.credit),
            capacity=self.capacity.value(), notes=self.notes.toPlainText(),
        )

    def accept(self) -> None:
        self.error.clear()
        data = self.input()
        try:
            with self.ctx.db.session() as session:
                if self.session_id is None:
                    self.saved_id = svc.create_session(session, self.ctx.actor, data)
                else:
                    svc.update_session(session, self.ctx.actor, self.session_id, data, expected_version=self._version)
                    self.saved_id = self.session_id
        except StationError as exc:
            self.error.setText(exc.message)
            widget = self.fields.get(getattr(exc, "field", None) or "")
            if widget is not None and widget.isEnabled():
                widget.setFocus()
            return
        super().accept()

    @classmethod
    def ask(cls, ctx: AppContext, session_id: int | None = None, parent: QWidget | None = None) -> int | None:
        dialog = cls(ctx, session_id, parent)
        return dialog.saved_id if dialog.exec() else None


class AttendanceDialog(QDialog):
    """登记出勤: 出席 / 迟到 / 缺席 for each enrolled volunteer; 迟到 may be credited fewer hours.

    Once the session is held, changing someone's attendance is a correction and needs a reason.
    """

    HEADERS = (_("姓名"), _("志愿者编号"), _("出勤"), _("计入培训时长"), _("原登记的出勤"))

    def __init__(self, ctx: AppContext, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session_id = session_id
        self.saved = False
        with ctx.db.session(write=False) as session:
            self.detail = svc.get_session(session, ctx.actor, session_id)
        r = self.detail.row
        self.credit = r.credit_minutes
        self.setWindowTitle(_("登记出勤：{t}").format(t=r.topic))
        self.setMinimumSize(620, 440)
        intro = QLabel(_("{w}　{k}　每位出席者计 {h}（培训时长，不计入志愿服务时长）。迟到的可以少计。").format(
            w=r.when, k=r.kind_label, h=r.credit_text), wordWrap=True)
        self.summary = QLabel()
        self.table = QTableWidget(len(self.detail.enrolments), len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.choices: list[QComboBox] = []
        self.minutes: list[QDoubleSpinBox] = []
        for n, e in enumerate(self.detail.enrolments):
            before = e.attendance_label if e.attendance else ""
            if e.attendance == "late" and e.credited_minutes != self.credit:
                before += f"（{svc.hours_text(e.credited_minutes)}）"
            fill_row(self.table, n, (e.name, e.volunteer_no, "", "", before), e.id)
            choice = QComboBox()
            for value, label in ATTENDANCE_CHOICES:
                choice.addItem(label, value)
            choice.setCurrentIndex(choice.findData(e.attendance or "present"))
            box = hours_box(self.credit)
            box.setMinimum(0.25)
            box.setValue((e.credited_minutes if e.attendance == "late" else self.credit) / 60)
            choice.currentIndexChanged.connect(lambda _i, row=n: self._choice_changed(row))
            self.table.setCellWidget(n, 2, choice)
            self.table.setCellWidget(n, 3, box)
            self.choices.append(choice)
            self.minutes.append(box)
            self._choice_changed(n)
        for col, width in enumerate((110, 130, 90, 130)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.all_present = QPushButton(_("全部出席"))
        self.all_present.clicked.connect(self.mark_all_present)
        self.is_correction = r.status == "held" and any(e.attendance for e in self.detail.enrolments)
        self.table.setColumnHidden(4, not self.is_correction)  # 原登记: what a correction changes
        self.reason = QPlainTextEdit()
        self.reason.setMaximumHeight(60)
        self.reason.setPlaceholderText(_("更改已登记的出勤时必填，如：签到表核对后发现登记错了"))
        self.reason_label = QLabel(_("更正原因"))
        self.error = error_label()
        top = QHBoxLayout()
        top.addWidget(self.all_present)
        top.addStretch(1)
        top.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        if self.is_correction:
            layout.addWidget(self.reason_label)
            layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("保存出勤")))
        self._count()

    def _choice_changed(self, row: int) -> None:
        value = self.choices[row].currentData()
        box = self.minutes[row]
        box.setEnabled(value == "late")
        if value == "absent":
            box.setMinimum(0)
            box.setValue(0)
        else:
            if value == "present" or box.value() == 0:
                box.setValue(self.credit / 60)
            box.setMinimum(0.25)
        self._count()

    def _count(self) -> None:
        values = [c.currentData() for c in self.choices]
        self.summary.setText(_("出席 {p}，迟到 {l}，缺席 {a}").format(
            p=values.count("present"), l=values.count("late"), a=values.count("absent")))

    def mark_all_present(self) -> None:
        for choice in self.choices:
            choice.setCurrentIndex(choice.findData("present"))

    def set_attendance(self, name: str, attendance: str, hours: float | None = None) -> None:
        """Choose a row's attendance by the volunteer's name (as a person would with the mouse)."""
        row = next(n for n, e in enumerate(self.detail.enrolments) if e.name == name)
        self.choices[row].setCurrentIndex(self.choices[row].findData(attendance))
        if hours is not None:
            self.minutes[row].setValue(hours)

    def marks(self) -> list[svc.AttendanceMark]:
        marks = []
        for e, choice, box in zip(self.detail.enrolments, self.choices, self.minutes, strict=True):
            attendance = choice.currentData()
            marks.append(svc.AttendanceMark(e.id, attendance, minutes_of(box) if attendance == "late" else None))
        return marks

    def accept(self) -> None:
        self.error.clear()
        marks = self.marks()
        reason = self.reason.toPlainText()
        try:
            with self.ctx.db.session() as session:
                svc.mark_attendance(session, self.ctx.actor, self.session_id, marks, reason=reason)
        except StationError as exc:
            self.error.setText(exc.message)
            if getattr(exc, "field", None) == "reason":
                self.reason.setFocus()
            return
        self.saved = True
        super().accept()

    @classmethod
    def ask(cls, ctx: AppContext, session_id: int, parent: QWidget | None = None) -> bool:
        dialog = cls(ctx, session_id, parent)
        return bool(dialog.exec()) and dialog.saved


class SigninFileDialog:
    """Where to save a sign-in sheet PDF. Tests patch ``ask``."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(parent, _("保存签到表"), suggested, _("PDF 文件 (*.pdf)"))
        if not path:
            return None
        return path if path.lower().endswith(".pdf") else path + ".pdf"


def signin_file_name(topic: str, day: date) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", topic).strip("_") or _("培训")
    return _("签到表-{d}-{t}.pdf").format(d=day.isoformat(), t=safe)


PERIODS = (
    ("recent", _("近三个月及以后")),
    ("upcoming", _("即将举行")),
    ("year", _("近一年及以后")),
    ("all", _("全部时间")),
)


class SessionsPage(QWidget):
    HEADERS = (_("时间"), _("类型"), _("培训主题"), _("讲师"), _("地点"), _("培训时长"), _("报名 / 名额"), _("出勤"),
               _("状态"))
    ENROLMENT_HEADERS = (_("姓名"), _("志愿者编号"), _("联系电话"), _("出勤"), _("计入培训时长"), _("登记人"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.SessionRow] = []
        self.detail: svc.SessionDetail | None = None
        self.can_edit = ctx.actor.can(Permission.EDIT_SCHEDULE)

        self.period = QComboBox()
        for value, label in PERIODS:
            self.period.addItem(label, value)
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(_("全部类型"), None)
        for kind in svc.TrainingKind:
            self.kind_filter.addItem(kind.label, kind.value)
        self.status_filter = QComboBox()
        self.status_filter.addItem(_("全部状态"), None)
        for value, label in svc.SESSION_STATUSES.items():
            self.status_filter.addItem(label, value)
        self.search = QLineEdit(placeholderText=_("搜索主题、讲师、地点"))
        self.search.setClearButtonEnabled(True)
        for combo in (self.period, self.kind_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search.textChanged.connect(lambda _t: self.refresh())

        self.add_button = QPushButton(_("新建培训"))
        self.edit_button = QPushButton(_("修改"))
        self.cancel_button = QPushButton(_("取消培训"))
        self.enrol_button = QPushButton(_("报名"))
        self.remove_button = QPushButton(_("移除"))
        self.attendance_button = QPushButton(_("登记出勤"))
        self.print_button = QPushButton(_("打印签到表"))
        self.print_button.setToolTip(_("生成 A4 签到表（PDF），培训现场签到、签退用"))
        self.add_button.clicked.connect(self.add_session)
        self.edit_button.clicked.connect(self.edit_session)
        self.cancel_button.clicked.connect(self.cancel_session)
        self.enrol_button.clicked.connect(self.enrol)
        self.remove_button.clicked.connect(self.remove_enrolment)
        self.attendance_button.clicked.connect(self.mark_attendance)
        self.print_button.clicked.connect(self.print_signin)
        if not self.can_edit:
            reason = _("当前账号（{role}）没有“{p}”的权限，只能查看。").format(
                role=ctx.actor.role.label, p=Permission.EDIT_SCHEDULE.value)
            for button in (self.add_button, self.edit_button, self.cancel_button, self.enrol_button,
                           self.remove_button, self.attendance_button):
                button.setToolTip(reason)

        self.table = read_only_table(self.HEADERS)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_button.isEnabled() and self.edit_session())
        self.summary = QLabel(wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.enrolments = read_only_table(self.ENROLMENT_HEADERS)
        self.enrolments.itemSelectionChanged.connect(self._update_buttons)
        self.enrolments_label = QLabel(_("报名名单"))
        self.count_label = QLabel()
        self.status = QLabel()
        self.status.setStyleSheet("color: #2e7d32;")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        filters = QHBoxLayout()
        for label, widget in ((_("时间"), self.period), (_("类型"), self.kind_filter), (_("状态"), self.status_filter)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)
        top = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.cancel_button, self.print_button):
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.count_label)
        enrol_row = QHBoxLayout()
        enrol_row.addWidget(self.enrolments_label)
        enrol_row.addStretch(1)
        for button in (self.enrol_button, self.remove_button, self.attendance_button):
            enrol_row.addWidget(button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.summary)
        lower_layout.addLayout(enrol_row)
        lower_layout.addWidget(self.enrolments, 1)
        splitter = list_over_detail(self.table, lower, (3, 3))
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.refresh()

    # --- data -----------------------------------------------------------------------------------
    def session_filter(self) -> svc.SessionFilter:
        today = date.today()
        period = self.period.currentData()
        starts_on = {
            "recent": svc.months_before(today, 3), "upcoming": today, "year": svc.months_before(today, 12),
        }.get(period)
        return svc.SessionFilter(starts_on=starts_on, kind=self.kind_filter.currentData(),
                                 status=self.status_filter.currentData(), text=self.search.text())

    def refresh(self) -> None:
        keep = self.selected_id()
        with self.ctx.db.session(write=False) as session:
            self.rows = svc.list_sessions(session, self.ctx.actor, self.session_filter())
        self.table.setRowCount(len(self.rows))
        now = datetime.now()
        for n, r in enumerate(self.rows):
            if r.status == "held":
                attended = _("{a} 人到场").format(a=r.attended) + (_("，{u} 人待登记").format(u=r.unmarked)
                                                                  if r.unmarked else "")
            elif r.status == "planned" and r.enrolled and r.starts_at <= now:
                attended = _("待登记")
            else:
                attended = ""
            status = r.status_label + (f"：{r.cancel_reason}" if r.cancel_reason else "")
            fill_row(self.table, n, (r.when, r.kind_label, r.topic, r.trainer, r.place, r.credit_text,
                                     f"{r.enrolled} / {r.capacity}", attended, status), r.id)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        planned = sum(1 for r in self.rows if r.status == "planned")
        self.count_label.setText(_("共 {n} 次培训，其中计划中 {p} 次").format(n=len(self.rows), p=planned))
        if not (keep is not None and self.select_session(keep)) and self.rows:
            self.table.selectRow(0)
        self._selection_changed()

    def selected_id(self) -> int | None:
        return selected_row_id(self.table)

    def select_session(self, session_id: int) -> bool:
        return select_row_id(self.table, session_id)

    def show_session(self, session_id: int) -> None:
        """Select a session, clearing the filters if they hide it."""
        if self.select_session(session_id):
            return
        for widget in (self.period, self.kind_filter, self.status_filter, self.search):
            widget.blockSignals(True)
        self.period.setCurrentIndex(self.period.findData("all"))
        self.kind_filter.setCurrentIndex(0)
        self.status_filter.setCurrentIndex(0)
        self.search.clear()
        for widget in (self.period, self.kind_filter, self.status_filter, self.search):
            widget.blockSignals(False)
        self.refresh()
        self.select_session(session_id)

    def selected_enrolment(self) -> svc.EnrolmentRow | None:
        rows = self.enrolments.selectionModel().selectedRows() if self.enrolments.selectionModel() else []
        if not rows or self.detail is None:
            return None
        enrolment_id = self.enrolments.item(rows[0].row(), 0).data(USER)
        return next((e for e in self.detail.enrolments if e.id == enrolment_id), None)

    def select_enrolment(self, name: str) -> bool:
        for n in range(self.enrolments.rowCount()):
            if self.enrolments.item(n, 0).text() == name:
                self.enrolments.selectRow(n)
                return True
        return False

    def _selection_changed(self) -> None:
        sid = self.selected_id()
        self.detail = None
        if sid is not None:
            with self.ctx.db.session(write=False) as session:
                self.detail = svc.get_session(session, self.ctx.actor, sid)
        d = self.detail
        self.enrolments.setRowCount(0)
        if d is None:
            self.summary.setText(_("没有符合条件的培训。点“新建培训”安排一次，或换一个时间范围。"))
            self.enrolments_label.setText(_("报名名单"))
        else:
            self.summary.setText(self._summary_html(d))
            self.enrolments_label.setText(_("报名名单：{e} / {c} 人").format(e=d.row.enrolled, c=d.row.capacity))
            self.enrolments.setRowCount(len(d.enrolments))
            for n, e in enumerate(d.enrolments):
                credited = svc.hours_text(e.credited_minutes) if e.attendance else ""
                fill_row(self.enrolments, n, (e.name, e.volunteer_no, e.phone, e.attendance_label, credited,
                                              e.marked_by), e.id)
                if e.is_backbone:
                    self.enrolments.item(n, 0).setToolTip(_("骨干志愿者"))
            self.enrolments.resizeColumnsToContents()
            self.enrolments.horizontalHeader().setSectionResizeMode(
                len(self.ENROLMENT_HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self._update_buttons()

    @staticmethod
    def _summary_html(d: svc.SessionDetail) -> str:
        r = d.row
        status = r.status_label + (f"：{escape(r.cancel_reason)}" if r.cancel_reason else "")
        lines = [
            f"<b style='font-size:14px'>{escape(r.topic)}</b>　{r.kind_label} · {status}",
            _("时间：{w}　地点：{p}　讲师：{t}").format(w=r.when, p=escape(r.place), t=escape(r.trainer)),
            _("培训时长：每位出席者 {h}（计入培训记录，不计入志愿服务时长）　名额 {c} 人").format(
                h=r.credit_text, c=r.capacity),
        ]
        if r.status == "held":
            lines.append(_("已到场 {a} 人（出席和迟到），缺席 {x} 人{u}").format(
                a=r.attended, x=r.enrolled - r.attended - r.unmarked,
                u=_("，{n} 人待登记").format(n=r.unmarked) if r.unmarked else ""))
        if r.notes:
            lines.append(_("备注：") + escape(r.notes))
        return "<br/>".join(lines)

    def _update_buttons(self) -> None:
        d = self.detail
        status = d.row.status if d is not None else None
        self.add_button.setEnabled(self.can_edit)
        self.edit_button.setEnabled(self.can_edit and status in ("planned", "held"))
        self.cancel_button.setEnabled(self.can_edit and status == "planned")
        self.enrol_button.setEnabled(self.can_edit and status in ("planned", "held"))
        enrolment = self.selected_enrolment()
        self.remove_button.setEnabled(
            self.can_edit and status in ("planned", "held") and enrolment is not None and enrolment.attendance is None
        )
        self.attendance_button.setEnabled(
            self.can_edit and d is not None and status != "cancelled" and d.started and bool(d.enrolments)
        )
        if d is not None and not d.started:
            self.attendance_button.setToolTip(_("培训开始后才能登记出勤"))
        else:
            self.attendance_button.setToolTip("")
        self.print_button.setEnabled(d is not None and status != "cancelled")

    # --- actions --------------------------------------------------------------------------------
    def add_session(self) -> None:
        sid = SessionDialog.ask(self.ctx, parent=self)
        if sid is not None:
            self.refresh()
            self.show_session(sid)

    def edit_session(self) -> None:
        sid = self.selected_id()
        if sid is not None and SessionDialog.ask(self.ctx, sid, self) is not None:
            self.refresh()

    def cancel_session(self) -> None:
        d = self.detail
        if d is None:
            return
        reason = ReasonDialog.ask(
            self, _("取消培训"),
            _("取消培训“{t}”（{w}）：请填写原因。报名名单会保留，请通知已报名的 {n} 位志愿者。").format(
                t=d.row.topic, w=d.row.when, n=d.row.enrolled),
        )
        if reason is None:
            return
        run_service(self, self.ctx, lambda s: svc.cancel_session(s, self.ctx.actor, d.id, reason))
        self.refresh()

    def enrol(self) -> None:
        d = self.detail
        if d is None:
            return
        free = d.row.capacity - d.row.enrolled
        title = _("报名培训：{t}（还剩 {f} 个名额）").format(t=d.row.topic, f=max(free, 0))
        saved = VolunteerPickerDialog.ask(
            self.ctx, title, lambda s, ids: svc.enrol_volunteers(s, self.ctx.actor, d.id, ids),
            ok_text=_("报名"), taken=[e.volunteer_id for e in d.enrolments], taken_label=_("已报名"), parent=self,
        )
        if saved is not None:
            self.refresh()

    def remove_enrolment(self) -> None:
        enrolment = self.selected_enrolment()
        if enrolment is None:
            return
        run_service(self, self.ctx, lambda s: svc.withdraw_enrolment(s, self.ctx.actor, enrolment.id))
        self.refresh()

    def mark_attendance(self) -> None:
        d = self.detail
        if d is not None and AttendanceDialog.ask(self.ctx, d.id, self):
            self.refresh()

    def print_signin(self) -> None:
        d = self.detail
        if d is None:
            return
        suggested = str(Path.home() / signin_file_name(d.row.topic, d.row.starts_at.date()))
        path = SigninFileDialog.ask(self, suggested)
        if not path:
            return
        data = run_service(self, self.ctx, lambda s: svc.signin_sheet_data(s, self.ctx.actor, d.id), write=False)
        if data is None:
            return
        try:
            signin_sheet(data, path)
        except OSError as exc:
            show_error(self, _("签到表无法保存到“{p}”：{e}").format(p=path, e=exc.strerror or exc))
            return
        self.status.setText(_("签到表已保存：{p}（A4，可直接打印）").format(p=path))
