"""单条记录: one service outside an activity (业主互助 and other everyday help from the menu)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ...errors import StationError, ValidationError
from ...i18n import _
from ...services import catalogue as menu_svc
from ...services import ledger as svc
from ...services import recipients as rec_svc
from ...services import volunteers as vol_svc
from ...services.auth import Permission
from ..common import AppContext, error_label
from ..demand.projects import date_edit
from ..qt import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
from ..training.picker import VolunteerPickerDialog
from .widgets import choice_combo, hours_spin, minutes_of, span_of, time_edit


class SingleRecordForm(QWidget):
    """The form: volunteer, menu item, place, person served, date and times, hours, evaluation, organiser."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.volunteer_id: int | None = None
        self.saved_id: int | None = None
        self.can_record = ctx.actor.can(Permission.RECORD_HOURS)

        self.volunteer = QLineEdit(readOnly=True, placeholderText=_("点“选择…”找到志愿者"))
        self.pick_button = QPushButton(_("选择…"))
        self.pick_button.clicked.connect(self.pick_volunteer)
        self.item = QComboBox()
        self.place = QLineEdit(placeholderText=_("如：3栋1单元 502"))
        self.served = QComboBox()
        self.served.setEditable(True)
        self.served.lineEdit().setPlaceholderText(_("选登记的服务对象，或直接输入姓名（可不填）"))
        self.day = date_edit(date.today())
        self.starts, self.ends = time_edit(9), time_edit(10)
        self.minutes = hours_spin()
        self.evaluation = choice_combo(svc.EVALUATION_LABELS, "good")
        self.evaluation_note = QLineEdit(placeholderText=_("可不填"))
        self.organiser = QLineEdit()
        self.error = error_label()
        self.status = QLabel(wordWrap=True)
        self.status.setStyleSheet("color: #2e7d32;")
        self.save_button = QPushButton(_("保存记录"))
        self.save_button.clicked.connect(self.save)
        self.starts.timeChanged.connect(lambda _t: self._follow_span())
        self.ends.timeChanged.connect(lambda _t: self._follow_span())
        if not self.can_record:
            for widget in (self.pick_button, self.save_button):
                widget.setEnabled(False)
                widget.setToolTip(_("当前账号（{r}）没有“{p}”的权限。").format(
                    r=ctx.actor.role.label, p=Permission.RECORD_HOURS.value))

        who = QHBoxLayout()
        who.addWidget(self.volunteer, 1)
        who.addWidget(self.pick_button)
        times = QHBoxLayout()
        times.addWidget(self.day)
        times.addWidget(self.starts)
        times.addWidget(QLabel(_("至")))
        times.addWidget(self.ends)
        times.addStretch(1)
        how = QHBoxLayout()
        how.addWidget(self.evaluation)
        how.addWidget(self.evaluation_note, 1)
        form = QFormLayout()
        form.addRow(_("志愿者 *"), who)
        form.addRow(_("服务项目 *"), self.item)
        form.addRow(_("服务地点 *"), self.place)
        form.addRow(_("服务对象"), self.served)
        form.addRow(_("服务时间 *"), times)
        form.addRow(_("计入时长 *"), self.minutes)
        form.addRow(_("评价"), how)
        form.addRow(_("组织单位"), self.organiser)
        box = QGroupBox(_("录入一条活动以外的服务（如业主互助、日常帮扶）"))
        box.setLayout(form)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        hint = QLabel(_("时长按刻钟计，不超过实际服务时间；同一志愿者同一时间只能有一条记录；"
                        "一天超过审批线的需站长审批后才计入。"), wordWrap=True)
        hint.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(hint)
        layout.addLayout(save_row)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        keep_item, keep_served = self.item.currentData(), self.served.currentText()
        with self.ctx.db.session(write=False) as session:
            items = menu_svc.list_menu(session, self.ctx.actor)
            recipients = rec_svc.list_recipients(session, self.ctx.actor)
        self.item.clear()
        self.item.addItem(_("（请选择服务项目）"), None)
        for item in items:
            self.item.addItem(item.label, item.id)
        self.item.setCurrentIndex(max(0, self.item.findData(keep_item)))
        self.served.clear()
        self.served.addItem("", None)
        for r in recipients:
            self.served.addItem(r.name, r.id)
        self.served.setEditText(keep_served)
        if not self.organiser.text():
            self.organiser.setText(self.ctx.station_name)
        self._follow_span()

    def _follow_span(self) -> None:
        starts_at, ends_at = span_of(self.day.date().toPython(), self.starts, self.ends)
        self.minutes.setValue(svc.default_minutes(starts_at, ends_at) / 60)

    def set_volunteer(self, volunteer_id: int, name: str) -> None:
        self.volunteer_id = volunteer_id
        self.volunteer.setText(name)

    def pick_volunteer(self) -> None:
        def one(session: Session, ids: list[int]) -> tuple[int, str]:
            if len(ids) != 1:
                raise ValidationError(_("一条记录只登记一位志愿者，请只勾选一位。"))
            row = vol_svc.roster_rows(session, self.ctx.actor, ids)[ids[0]]
            return ids[0], f"{row.name}　{row.volunteer_no}"

        picked = VolunteerPickerDialog.ask(self.ctx, _("选择志愿者"), one, ok_text=_("选定"), parent=self)
        if picked is not None:
            self.set_volunteer(*picked)

    def input(self) -> svc.SingleInput:
        starts_at, ends_at = span_of(self.day.date().toPython(), self.starts, self.ends)
        text = self.served.currentText().strip()
        index = self.served.currentIndex()
        recipient_id = self.served.itemData(index) if index > 0 and self.served.itemText(index) == text else None
        return svc.SingleInput(
            volunteer_id=self.volunteer_id, service_item_id=self.item.currentData(), place=self.place.text(),
            starts_at=starts_at, ends_at=ends_at, minutes=minutes_of(self.minutes), recipient_id=recipient_id,
            served_person="" if recipient_id else text, evaluation=self.evaluation.currentData(),
            evaluation_note=self.evaluation_note.text(), organiser=self.organiser.text(),
        )

    def save(self) -> None:
        self.error.clear()
        self.status.clear()
        data = self.input()
        try:
            with self.ctx.db.session() as session:
                self.saved_id = svc.record_single(session, self.ctx.actor, data)
                row = svc.ledger_row(session, self.ctx.actor, self.saved_id)
        except StationError as exc:
            self.error.setText(exc.message)
            return
        self.status.setText(_("已保存：{n}，{c}，{w}，{h}（{s}，台账第 {q} 条）。").format(
            n=row.volunteer_name, c=row.line.content, w=row.when, h=svc.hours_label(row.line.minutes),
            s=row.status_label, q=row.line.seq))
        # Ready for the next one: same item, place and day; a new volunteer and time.
        self.volunteer_id = None
        self.volunteer.clear()
        self.evaluation_note.clear()
