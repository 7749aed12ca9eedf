"""Register a volunteer (登记) or edit one."""

from __future__ import annotations

from ...errors import DuplicateError, StationError, ValidationError
from ...i18n import _
from ...services import teams as team_svc
from ...services import volunteers as svc
from ...services.validation import age_on, parse_id_number, split_skills
from ..common import AppContext, dialog_buttons, error_label, show_error
from ..qt import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    Qt,
    QVBoxLayout,
    QWidget,
)


class AvailabilityGrid(QWidget):
    """Weekday × 上午/下午/晚上 check boxes, read and written as the service's bitmask."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[tuple[int, int], QCheckBox] = {}
        for col, day in enumerate(svc.WEEKDAYS, start=1):
            grid.addWidget(QLabel(day), 0, col, alignment=Qt.AlignmentFlag.AlignCenter)
        for row, part in enumerate(svc.DAY_PARTS, start=1):
            grid.addWidget(QLabel(part), row, 0)
            for col in range(len(svc.WEEKDAYS)):
                box = QCheckBox()
                box.setToolTip(f"{svc.WEEKDAYS[col]}{part}")
                self.boxes[(col, row - 1)] = box
                grid.addWidget(box, row, col + 1, alignment=Qt.AlignmentFlag.AlignCenter)

    def mask(self) -> int:
        return sum(svc.availability_bit(d, p) for (d, p), box in self.boxes.items() if box.isChecked())

    def set_mask(self, mask: int) -> None:
        for (d, p), box in self.boxes.items():
            box.setChecked(bool(mask & svc.availability_bit(d, p)))


class VolunteerDialog(QDialog):
    """The registration form. Saving goes through the service, which owns every rule."""

    def __init__(self, ctx: AppContext, volunteer_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.volunteer_id = volunteer_id
        self.saved_id: int | None = None
        self.open_existing: int | None = None
        self._version = 0
        self.setWindowTitle(_("修改志愿者资料") if volunteer_id else _("登记志愿者"))
        self.setMinimumWidth(640)

        self.name = QLineEdit()
        self.id_number = QLineEdit(placeholderText=_("18位身份证号，末位可为 X"))
        self.id_hint = QLabel()
        self.id_hint.setStyleSheet("color: #555;")
        self.gender = QComboBox()
        self.gender.addItems([_("（按身份证号）"), "男", "女"])
        self.birth_date = QLineEdit(placeholderText=_("可不填，如 1990-01-31"))
        self.phone = QLineEdit(placeholderText=_("手机 13812345678 或座机 0760-88123456"))
        self.political = QComboBox()
        for code, label in svc.POLITICAL_STATUSES.items():
            self.political.addItem(label, code)
        self.political.setCurrentIndex(self.political.findData("masses"))
        self.is_owner = QCheckBox(_("本小区业主"))
        self.building = QLineEdit(placeholderText=_("楼栋"))
        self.unit = QLineEdit(placeholderText=_("单元"))
        self.room = QLineEdit(placeholderText=_("房号"))
        self.is_backbone = QCheckBox(_("骨干志愿者"))
        self.skills = QLineEdit(placeholderText=_("多个技能用顿号或逗号隔开，如：家电维修、急救"))
        self.availability = AvailabilityGrid()
        self.teams = QListWidget()
        self.teams.setMaximumHeight(110)
        self.emergency_contact = QLineEdit()
        self.emergency_phone = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(60)
        self.error = error_label()

        with ctx.db.session(write=False) as session:
            skills = svc.list_skills(session)
            teams = team_svc.list_teams(session, ctx.actor, include_inactive=False)
        completer = QCompleter(skills, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.skills.setCompleter(completer)
        for team in teams:
            item = QListWidgetItem(team.name)
            item.setData(Qt.ItemDataRole.UserRole, team.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.teams.addItem(item)
        self.id_number.editingFinished.connect(self._id_entered)

        person = QGroupBox(_("基本信息"))
        form = QFormLayout(person)
        form.addRow(_("姓名 *"), self.name)
        form.addRow(_("身份证号 *"), self.id_number)
        form.addRow("", self.id_hint)
        row = QHBoxLayout()
        row.addWidget(self.gender)
        row.addWidget(QLabel(_("出生日期")))
        row.addWidget(self.birth_date)
        form.addRow(_("性别"), row)
        form.addRow(_("联系电话 *"), self.phone)
        form.addRow(_("政治面貌"), self.political)
        home = QHBoxLayout()
        for widget in (self.is_owner, self.building, self.unit, self.room):
            home.addWidget(widget)
        form.addRow(_("住址"), home)
        emergency = QHBoxLayout()
        emergency.addWidget(self.emergency_contact)
        emergency.addWidget(QLabel(_("电话")))
        emergency.addWidget(self.emergency_phone)
        form.addRow(_("紧急联系人"), emergency)

        service = QGroupBox(_("服务意向"))
        form2 = QFormLayout(service)
        form2.addRow(_("服务技能"), self.skills)
        form2.addRow(_("服务时间"), self.availability)
        form2.addRow(_("服务队"), self.teams)
        form2.addRow("", self.is_backbone)
        form2.addRow(_("备注"), self.notes)

        buttons = dialog_buttons(self, _("保存"))
        layout = QVBoxLayout(self)
        layout.addWidget(person)
        layout.addWidget(service)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.fields = {
            "name": self.name, "id_number": self.id_number, "gender": self.gender, "birth_date": self.birth_date,
            "phone": self.phone, "political_status": self.political, "emergency_contact": self.emergency_contact,
            "emergency_phone": self.emergency_phone, "skills": self.skills, "building": self.building,
            "unit": self.unit, "room": self.room, "notes": self.notes, "team_ids": self.teams,
        }
        if volunteer_id is not None:
            self._load(volunteer_id)

    def _load(self, volunteer_id: int) -> None:
        # Editing needs the full ID number and phone: opening the form is an audited reveal.
        with self.ctx.db.session() as session:
            v = svc.get_volunteer(session, self.ctx.actor, volunteer_id, reveal=True)
        self._version = v.version
        self.name.setText(v.name)
        self.id_number.setText(v.id_number)
        self.gender.setCurrentText(v.gender)
        self.birth_date.setText(v.birth_date.isoformat())
        self.phone.setText(v.phone)
        self.political.setCurrentIndex(max(0, self.political.findData(v.political_status)))
        self.is_owner.setChecked(v.is_owner)
        self.building.setText(v.building)
        self.unit.setText(v.unit)
        self.room.setText(v.room)
        self.is_backbone.setChecked(v.is_backbone)
        self.skills.setText("、".join(v.skills))
        self.availability.set_mask(v.availability)
        for i in range(self.teams.count()):
            item = self.teams.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in v.team_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.emergency_contact.setText(v.emergency_contact)
        self.emergency_phone.setText(v.emergency_phone)
        self.notes.setPlainText(v.notes)
        self._id_entered()

    def _id_entered(self) -> None:
        """Show what the ID number says (gender, birth date, age) as soon as it is typed."""
        text = self.id_number.text()
        if not text.strip():
            self.id_hint.clear()
            return
        try:
            info = parse_id_number(text)
        except ValidationError as exc:
            self.id_hint.setText(exc.message)
            self.id_hint.setStyleSheet("color: #b00020;")
            return
        self.id_number.setText(info.number)
        from datetime import date

        hint = _("身份证号显示：{g}，出生于 {b}，{a} 岁").format(
            g=info.gender, b=info.birth_date.isoformat(), a=age_on(info.birth_date, date.today())
        )
        if not info.region_known:
            hint += _("（地区码 {r} 不在现行行政区划表中，老证件属正常情况）").format(r=info.region_code)
        self.id_hint.setText(hint)
        self.id_hint.setStyleSheet("color: #2e7d32;")

    def input(self) -> svc.VolunteerInput:
        gender = self.gender.currentText() if self.gender.currentIndex() > 0 else None
        team_ids = [
            self.teams.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.teams.count())
            if self.teams.item(i).checkState() == Qt.CheckState.Checked
        ]
        return svc.VolunteerInput(
            name=self.name.text(),
            id_number=self.id_number.text(),
            phone=self.phone.text(),
            gender=gender,
            birth_date=self.birth_date.text(),
            political_status=self.political.currentData(),
            is_owner=self.is_owner.isChecked(),
            building=self.building.text(),
            unit=self.unit.text(),
            room=self.room.text(),
            is_backbone=self.is_backbone.isChecked(),
            emergency_contact=self.emergency_contact.text(),
            emergency_phone=self.emergency_phone.text(),
            skills=split_skills(self.skills.text()),
            availability=self.availability.mask(),
            team_ids=team_ids,
            notes=self.notes.toPlainText(),
        )

    def accept(self) -> None:
        self.error.clear()
        data = self.input()
        try:
            with self.ctx.db.session() as session:
                if self.volunteer_id is None:
                    self.saved_id = svc.register_volunteer(session, self.ctx.actor, data)
                else:
                    svc.update_volunteer(session, self.ctx.actor, self.volunteer_id, data, expected_version=self._version)
                    self.saved_id = self.volunteer_id
        except DuplicateError as exc:
            self._show_field_error(exc)
            if exc.existing_id is not None and self.ask_open_existing(exc.message):
                self.open_existing = exc.existing_id
                super().reject()
            return
        except ValidationError as exc:
            self._show_field_error(exc)
            return
        except StationError as exc:
            show_error(self, exc.message)
            return
        super().accept()

    def ask_open_existing(self, message: str) -> bool:
        answer = QMessageBox.question(self, _("身份证号已登记"), message + "\n\n" + _("是否查看已有的记录？"))
        return answer == QMessageBox.StandardButton.Yes

    def _show_field_error(self, exc: ValidationError) -> None:
        self.error.setText(exc.message)
        widget = self.fields.get(exc.field or "")
        if widget is not None:
            widget.setFocus()
