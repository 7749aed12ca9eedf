"""活动时长登记: pick a finished activity, mark who came and for how long, save the lot at once.

Rows already in the ledger are locked and show their ledger line; a mistake there is fixed by a
correction (记录与更正). A refusal shows in red, naming the volunteer and the rule, and keeps
everything the user typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ...errors import StationError
from ...i18n import _
from ...services import hours
from ...services import ledger as svc
from ...services import volunteers as vol_svc
from ...services.auth import Permission
from ..common import AppContext, error_label, list_over_detail
from ..demand.projects import fill_row, read_only_table, select_row_id, selected_row_id
from ..qt import (
    QColor,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from ..training.picker import VolunteerPickerDialog
from .widgets import choice_combo, hours_spin, minutes_of, span_of, time_edit

LOCKED_COLOUR = "#f1f3f4"


@dataclass
class _Row:
    """One line of the sheet on screen: locked (in the ledger) or with its editors."""

    volunteer_id: int
    assignment_id: int | None
    name: str
    shift_label: str
    day: date
    crosses_midnight: bool
    recorded: hours.LedgerLine | None = None
    attendance: QComboBox | None = None
    starts: QTimeEdit | None = None
    ends: QTimeEdit | None = None
    minutes: QDoubleSpinBox | None = None
    evaluation: QComboBox | None = None
    note: QLineEdit | None = None

    def span(self) -> tuple[datetime, datetime]:
        return span_of(self.day, self.starts, self.ends, next_day_allowed=self.crosses_midnight)

    def entry(self) -> svc.EntryLine:
        starts_at, ends_at = self.span()
        return svc.EntryLine(
            volunteer_id=self.volunteer_id, assignment_id=self.assignment_id,
            attendance=self.attendance.currentData(), starts_at=starts_at, ends_at=ends_at,
            minutes=minutes_of(self.minutes), evaluation=self.evaluation.currentData(),
            evaluation_note=self.note.text(),
        )


class EntrySheetTable(QTableWidget):
    """The volunteers of one activity: 出勤, actual times, hours, evaluation, note."""

    HEADERS = (_("姓名"), _("班次"), _("出勤"), _("开始"), _("结束"), _("计入时长"), _("评价"), _("评价说明"), _("台账状态"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.lines: list[_Row] = []
        for col, width in enumerate((130, 90, 76, 76, 76, 100, 80, 160)):
            self.setColumnWidth(col, width)
        self.horizontalHeader().setSectionResizeMode(len(self.HEADERS) - 1, QHeaderView.ResizeMode.Stretch)

    def load(self, sheet: svc.EntrySheet, default_attendance: str) -> None:
        self.setRowCount(0)
        self.lines = []
        crosses = sheet.ends_at.date() > sheet.starts_at.date()
        for r in sheet.rows:
            row = _Row(r.volunteer_id, r.assignment_id, r.name + (f"（{r.role_label}）" if r.role_label else ""),
                       r.shift_label, r.starts_at.date(), crosses, r.recorded)
            self._add(row, r.starts_at, r.ends_at, default_attendance)

    def add_walk_in(self, volunteer_id: int, name: str, starts_at: datetime, ends_at: datetime) -> None:
        row = _Row(volunteer_id, None, name, _("临时参加"), starts_at.date(), ends_at.date() > starts_at.date())
        self._add(row, starts_at, ends_at, "present")

    def _add(self, row: _Row, starts_at: datetime, ends_at: datetime, attendance: str) -> None:
        n = self.rowCount()
        self.insertRow(n)
        self.lines.append(row)
        if row.recorded is not None:
            self._fill_locked(n, row)
            return
        if row.assignment_id is None:
            state = _("临时参加，未登记")
        elif attendance == "absent":  # the sheet was saved before without this volunteer
            state = _("未计时长（上次登记为缺席，可补登）")
        else:
            state = _("未登记")
        fill_row(self, n, (row.name, row.shift_label, "", "", "", "", "", "", state))
        row.attendance = choice_combo(svc.ATTENDANCE_LABELS, attendance)
        row.starts, row.ends = time_edit(starts_at.hour, starts_at.minute), time_edit(ends_at.hour, ends_at.minute)
        row.minutes = hours_spin()
        row.evaluation = choice_combo(svc.EVALUATION_LABELS, "good")
        row.note = QLineEdit(placeholderText=_("可不填"))
        for col, widget in enumerate((row.attendance, row.starts, row.ends, row.minutes, row.evaluation, row.note), 2):
            self.setCellWidget(n, col, widget)
        row.starts.timeChanged.connect(lambda _t, r=row: self._follow_span(r))
        row.ends.timeChanged.connect(lambda _t, r=row: self._follow_span(r))
        row.attendance.currentIndexChanged.connect(lambda _i, r=row: self._attendance_changed(r))
        self._follow_span(row)
        self._attendance_changed(row)

    def _fill_locked(self, n: int, row: _Row) -> None:
        line = row.recorded
        assert line is not None
        times = (f"{line.starts_at:%H:%M}", f"{line.ends_at:%H:%M}") if line.starts_at and line.ends_at else ("", "")
        values = (row.name, row.shift_label, svc.ATTENDANCE_LABELS.get(line.attendance, ""), *times,
                  svc.hours_label(line.minutes), svc.EVALUATION_LABELS.get(line.evaluation, ""), line.evaluation_note,
                  _("{s}（台账第 {q} 条）").format(s=hours.LINE_STATUS[line.status], q=line.seq))
        for col, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setBackground(QColor(LOCKED_COLOUR))
            item.setToolTip(_("已记入台账，不能在这里修改；有误请到“记录与更正”申请更正。"))
            self.setItem(n, col, item)

    @staticmethod
    def _follow_span(row: _Row) -> None:
        starts_at, ends_at = row.span()
        row.minutes.setValue(svc.default_minutes(starts_at, ends_at) / 60)

    @staticmethod
    def _attendance_changed(row: _Row) -> None:
        present = row.attendance.currentData() != "absent"
        for widget in (row.starts, row.ends, row.minutes, row.evaluation, row.note):
            widget.setEnabled(present)

    def open_rows(self) -> list[_Row]:
        return [r for r in self.lines if r.recorded is None]

    def row_named(self, name: str) -> _Row:
        return next(r for r in self.lines if r.name.split("（")[0] == name)

    def remove_selected_walk_in(self) -> bool:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return False
        n = rows[0].row()
        line = self.lines[n]
        if line.recorded is not None or line.assignment_id is not None:
            return False
        self.removeRow(n)
        del self.lines[n]
        return True


class ActivityHoursPage(QWidget):
    """活动时长登记: finished activities (those without hours first) above the selected one's sheet."""

    HEADERS = (_("时间"), _("活动"), _("地点"), _("排班人数"), _("时长登记"), _("活动状态"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.activities: list[svc.FinishedActivity] = []
        self.sheet: svc.EntrySheet | None = None
        self.can_record = ctx.actor.can(Permission.RECORD_HOURS)

        self.table = read_only_table(self.HEADERS)
        self.table.itemSelectionChanged.connect(self.load_sheet)
        self.count_label = QLabel()
        self.title = QLabel(wordWrap=True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.entries = EntrySheetTable()
        self.all_present_button = QPushButton(_("全部出席"))
        self.walk_in_button = QPushButton(_("添加临时参加的志愿者…"))
        self.remove_button = QPushButton(_("移除临时添加"))
        self.save_button = QPushButton(_("保存时长"))
        self.save_button.setDefault(True)
        self.note = QLineEdit(placeholderText=_("备注（可不填），如：按签到表登记"))
        self.error = error_label()
        self.status = QLabel(wordWrap=True)
        self.status.setStyleSheet("color: #2e7d32;")
        self.all_present_button.clicked.connect(self.mark_all_present)
        self.walk_in_button.clicked.connect(self.add_walk_ins)
        self.remove_button.clicked.connect(self.remove_walk_in)
        self.save_button.clicked.connect(self.save)
        if not self.can_record:
            tip = _("当前账号（{r}）没有“{p}”的权限，只能查看。").format(
                r=ctx.actor.role.label, p=Permission.RECORD_HOURS.value)
            for button in (self.all_present_button, self.walk_in_button, self.remove_button, self.save_button):
                button.setToolTip(tip)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("已结束的活动（未登记时长的排在前面）")))
        top.addStretch(1)
        top.addWidget(self.count_label)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(self.table)
        buttons = QHBoxLayout()
        for button in (self.all_present_button, self.walk_in_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        save_row = QHBoxLayout()
        save_row.addWidget(self.note, 1)
        save_row.addWidget(self.save_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.title)
        lower_layout.addLayout(buttons)
        lower_layout.addWidget(self.entries, 1)
        lower_layout.addLayout(save_row)
        lower_layout.addWidget(self.error)
        lower_layout.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(list_over_detail(upper, lower, (2, 3)), 1)
        self.refresh()

    # --- data -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        keep = self.selected_id()
        with self.ctx.db.session(write=False) as session:
            self.activities = svc.finished_activities(session, self.ctx.actor)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.activities))
        for n, a in enumerate(self.activities):
            fill_row(self.table, n, (a.when, a.title, a.place, _("{n} 人").format(n=a.assigned), a.progress,
                                     a.status_label), a.id)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.blockSignals(False)
        waiting = sum(1 for a in self.activities if not a.entered)
        self.count_label.setText(_("近一年 {n} 个，其中 {w} 个待登记").format(n=len(self.activities), w=waiting))
        if not (keep is not None and select_row_id(self.table, keep)) and self.activities:
            self.table.selectRow(0)
        self.load_sheet()

    def selected_id(self) -> int | None:
        return selected_row_id(self.table)

    def select_activity(self, activity_id: int) -> bool:
        return select_row_id(self.table, activity_id)

    def load_sheet(self) -> None:
        activity_id = self.selected_id()
        self.error.clear()
        self.sheet = None
        if activity_id is not None:
            try:
                with self.ctx.db.session(write=False) as session:
                    self.sheet = svc.activity_entry_sheet(session, self.ctx.actor, activity_id)
            except StationError as exc:
                self.error.setText(exc.message)
        s = self.sheet
        if s is None:
            self.title.setText(_("没有已结束的活动。活动结束后，在这里登记每位志愿者的服务时长。"))
            self.entries.setRowCount(0)
            self.entries.lines = []
        else:
            self.title.setText(_("<b style='font-size:14px'>{t}</b>　{w}　{p}　{c}　组织单位：{o}").format(
                t=s.title, w=s.when, p=s.place, c=s.category_label, o=s.organiser))
            # After a first save, those left without hours were marked absent: keep them so.
            self.entries.load(s, "absent" if s.entered else "present")
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_sheet = self.sheet is not None
        for button in (self.all_present_button, self.walk_in_button, self.remove_button):
            button.setEnabled(self.can_record and has_sheet)
        self.save_button.setEnabled(self.can_record and has_sheet and bool(self.entries.open_rows()))

    # --- actions --------------------------------------------------------------------------------
    def mark_all_present(self) -> None:
        for row in self.entries.open_rows():
            row.attendance.setCurrentIndex(row.attendance.findData("present"))

    def add_walk_ins(self) -> None:
        s = self.sheet
        if s is None:
            return

        def names(session: Session, ids: list[int]) -> list[tuple[int, str]]:
            found = vol_svc.roster_rows(session, self.ctx.actor, ids)
            return [(vid, found[vid].name) for vid in ids if vid in found]

        picked = VolunteerPickerDialog.ask(
            self.ctx, _("添加临时参加“{t}”的志愿者").format(t=s.title), names, ok_text=_("添加"),
            taken=[r.volunteer_id for r in self.entries.lines], taken_label=_("已在名单中"), parent=self,
        )
        for vid, name in picked or []:
            self.entries.add_walk_in(vid, name, s.starts_at, s.ends_at)
        self._update_buttons()

    def remove_walk_in(self) -> None:
        if not self.entries.remove_selected_walk_in():
            self.error.setText(_("请先选中一行还没保存的临时参加的志愿者。"))
        self._update_buttons()

    def save(self) -> None:
        s = self.sheet
        if s is None:
            return
        self.error.clear()
        self.status.clear()
        lines = [row.entry() for row in self.entries.open_rows()]
        try:
            with self.ctx.db.session() as session:
                ids = svc.record_activity_hours(session, self.ctx.actor, s.activity_id, lines, self.note.text())
                saved = svc.ledger_rows(session, self.ctx.actor, date_from=s.starts_at.date(),
                                        date_to=s.ends_at.date(), volunteer_ids=[line.volunteer_id for line in lines])
        except StationError as exc:
            self.error.setText(exc.message)  # the table keeps what was typed
            return
        waiting = sum(1 for r in saved if r.line.record_id in ids and r.line.status == "pending")
        absent = sum(1 for line in lines if line.attendance == "absent")
        self.note.clear()
        self.refresh()
        self.select_activity(s.activity_id)
        self.status.setText(_("已保存“{t}”：{n} 人计入时长{w}，{a} 人缺席。").format(
            t=s.title, n=len(ids), a=absent, w=_("（其中 {k} 条超过审批线，待站长审批）").format(k=waiting) if waiting else ""))
