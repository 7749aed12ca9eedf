"""招募与报名 page of the 需求菜单 tab: notices for projects, their applicants, and the A4 poster."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import escape
from pathlib import Path

from ...errors import DuplicateError, StationError, ValidationError
from ...i18n import _
from ...reports.poster import recruitment_poster
from ...services import projects as project_svc
from ...services import recruitment as svc
from ...services import volunteers as vol_svc
from ...services.auth import Permission
from ...services.stations import station_info
from ...services.validation import split_skills
from ..common import AppContext, dialog_buttons, error_label, list_over_detail, run_service, show_error
from ..qt import (
    QComboBox,
    QCompleter,
    QDate,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ..roster.volunteer_dialog import AvailabilityGrid, VolunteerDialog
from .projects import USER, ReasonDialog, date_edit, fill_row, read_only_table, select_row_id, selected_row_id

NO_LIMIT = 0  # an age spin box at 0 shows "不限"


def age_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(NO_LIMIT, svc.MAX_AGE)
    box.setSpecialValueText(_("不限"))
    box.setSuffix(_(" 岁"))
    return box


class RecruitmentDialog(QDialog):
    """Publish a notice for a project (发布招募) or edit an open one (修改)."""

    def __init__(
        self, ctx: AppContext, project_id: int | None = None, recruitment_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.recruitment_id = recruitment_id
        self.saved_id: int | None = None
        self._version = 0
        self.setWindowTitle(_("修改招募") if recruitment_id else _("发布招募"))
        self.setMinimumWidth(640)
        with ctx.db.session(write=False) as session:
            projects = project_svc.list_projects(session, ctx.actor, include_closed=recruitment_id is not None)
            station = station_info(session, ctx.actor)
            skills = vol_svc.list_skills(session)
            detail = svc.get_recruitment(session, ctx.actor, recruitment_id) if recruitment_id else None
        self._projects = {p.id: p for p in projects}

        self.project = QComboBox()
        for p in projects:
            self.project.addItem(p.name, p.id)
        self.title = QLineEdit(placeholderText=_("如：家电义修志愿者招募"))
        self.requirements = QPlainTextEdit(placeholderText=_("服务内容、对志愿者的条件和要求"))
        self.requirements.setMaximumHeight(80)
        self.skills = QLineEdit(placeholderText=_("多个技能用顿号或逗号隔开，如：家电维修、电工（可不填）"))
        completer = QCompleter(skills, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.skills.setCompleter(completer)
        self.min_age = age_box()
        self.max_age = age_box()
        self.service_times = AvailabilityGrid()
        self.service_time_note = QLineEdit(placeholderText=_("如：每月第一个周六 9:00–11:00"))
        self.slots = QSpinBox()
        self.slots.setRange(1, svc.MAX_SLOTS)
        self.slots.setValue(5)
        self.slots.setSuffix(_(" 人"))
        self.deadline = date_edit(date.today() + timedelta(days=14))
        self.contact_name = QLineEdit(station.contact_person)
        self.contact_phone = QLineEdit(station.contact_phone)
        self.contact_phone.setToolTip(_("会完整印在海报上，请用服务站的公开电话"))
        self.error = error_label()

        form = QFormLayout()
        form.addRow(_("所属项目 *"), self.project)
        form.addRow(_("招募标题 *"), self.title)
        form.addRow(_("条件和要求"), self.requirements)
        form.addRow(_("技能要求"), self.skills)
        ages = QHBoxLayout()
        ages.addWidget(self.min_age)
        ages.addWidget(QLabel(_("至")))
        ages.addWidget(self.max_age)
        ages.addStretch(1)
        form.addRow(_("年龄要求"), ages)
        form.addRow(_("服务时间"), self.service_times)
        form.addRow(_("时间说明"), self.service_time_note)
        numbers = QHBoxLayout()
        numbers.addWidget(self.slots)
        numbers.addSpacing(16)
        numbers.addWidget(QLabel(_("报名截止 *")))
        numbers.addWidget(self.deadline)
        numbers.addStretch(1)
        form.addRow(_("招募名额 *"), numbers)
        contact = QHBoxLayout()
        contact.addWidget(self.contact_name)
        contact.addWidget(QLabel(_("电话")))
        contact.addWidget(self.contact_phone)
        form.addRow(_("联系人 *"), contact)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("保存") if recruitment_id else _("发布")))
        self.fields = {
            "project_id": self.project, "title": self.title, "requirements": self.requirements,
            "skills": self.skills, "min_age": self.min_age, "max_age": self.max_age,
            "service_time_note": self.service_time_note, "slots": self.slots, "deadline": self.deadline,
            "contact_name": self.contact_name, "contact_phone": self.contact_phone,
        }
        self.project.currentIndexChanged.connect(self._project_changed)
        if detail is not None:
            self._load(detail)
        else:
            if project_id is not None:
                self.project.setCurrentIndex(max(0, self.project.findData(project_id)))
            self._project_changed()

    def _project_changed(self) -> None:
        """Suggest a title, and keep the suggested deadline inside the project's period."""
        p = self._projects.get(self.project.currentData())
        if p is None or self.recruitment_id is not None:
            return
        if not self.title.text().strip() or self.title.property("suggested"):
            self.title.setText(_("{p}志愿者招募").format(p=p.name))
            self.title.setProperty("suggested", True)
        deadline = self.deadline.date().toPython()
        if deadline > p.ends_on:
            self.deadline.setDate(QDate(p.ends_on.year, p.ends_on.month, p.ends_on.day))

    def _load(self, d: svc.RecruitmentDetail) -> None:
        self._version = d.version
        self.project.setCurrentIndex(max(0, self.project.findData(d.project_id)))
        self.project.setEnabled(False)
        self.title.setText(d.title)
        self.requirements.setPlainText(d.requirements)
        self.skills.setText("、".join(d.skills))
        self.min_age.setValue(d.min_age or NO_LIMIT)
        self.max_age.setValue(d.max_age or NO_LIMIT)
        self.service_times.set_mask(d.service_times)
        self.service_time_note.setText(d.service_time_note)
        self.slots.setValue(d.slots)
        self.deadline.setDate(QDate(d.deadline.year, d.deadline.month, d.deadline.day))
        self.contact_name.setText(d.contact_name)
        self.contact_phone.setText(d.contact_phone)

    def input(self) -> svc.RecruitmentInput:
        return svc.RecruitmentInput(
            project_id=self.project.currentData(),
            title=self.title.text(),
            requirements=self.requirements.toPlainText(),
            skills=split_skills(self.skills.text()),
            min_age=self.min_age.value() or None,
            max_age=self.max_age.value() or None,
            service_times=self.service_times.mask(),
            service_time_note=self.service_time_note.text(),
            slots=self.slots.value(),
            deadline=self.deadline.date().toPython(),
            contact_name=self.contact_name.text(),
            contact_phone=self.contact_phone.text(),
        )

    def accept(self) -> None:
        self.error.clear()
        data = self.input()
        try:
            with self.ctx.db.session() as session:
                if self.recruitment_id is None:
                    self.saved_id = svc.publish_recruitment(session, self.ctx.actor, data)
                else:
                    svc.update_recruitment(session, self.ctx.actor, self.recruitment_id, data,
                                           expected_version=self._version)
                    self.saved_id = self.recruitment_id
        except StationError as exc:
            self.error.setText(exc.message)
            widget = self.fields.get(getattr(exc, "field", None) or "")
            if widget is not None:
                widget.setFocus()
            return
        super().accept()

    @classmethod
    def ask(
        cls, ctx: AppContext, project_id: int | None = None, recruitment_id: int | None = None,
        parent: QWidget | None = None,
    ) -> int | None:
        dialog = cls(ctx, project_id, recruitment_id, parent)
        return dialog.saved_id if dialog.exec() else None


class ApplyDialog(QDialog):
    """Sign up a volunteer on the roster (报名（已注册志愿者）): search, pick, save."""

    MAX_SHOWN = 50
    MAY_APPLY = {s.label for s in svc.MAY_APPLY}

    def __init__(self, ctx: AppContext, recruitment_id: int, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.recruitment_id = recruitment_id
        self.saved_id: int | None = None
        self.setWindowTitle(_("志愿者报名：{t}").format(t=title) if title else _("志愿者报名"))
        self.setMinimumSize(560, 420)
        self.search = QLineEdit(placeholderText=_("搜索：姓名、拼音首字母、电话、身份证后四位、编号"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #555;")
        self.note = QLineEdit(placeholderText=_("报名备注（可不填）"))
        self.error = error_label()
        self.search.textChanged.connect(self.run_search)
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        form = QFormLayout()
        form.addRow(_("备注"), self.note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("报名")))
        self.run_search()

    def run_search(self) -> None:
        """Registered volunteers and those in review whose name, phone … match; the rest are not offered."""
        text = self.search.text()
        with self.ctx.db.session(write=False) as session:
            ids = vol_svc.roster_ids(session, self.ctx.actor, vol_svc.RosterFilter(text=text), sort="name")
            rows = vol_svc.roster_rows(session, self.ctx.actor, ids[: self.MAX_SHOWN * 4])
        shown = [rows[i] for i in ids[: self.MAX_SHOWN * 4] if i in rows and rows[i].status in self.MAY_APPLY]
        self.results.clear()
        for r in shown[: self.MAX_SHOWN]:
            number = r.volunteer_no or _("审核中")
            item = QListWidgetItem(f"{r.name}　{number}　{r.status}　{r.gender} {r.age}岁　{r.phone}　{r.skills}")
            item.setData(USER, r.id)
            self.results.addItem(item)
        if len(shown) > self.MAX_SHOWN:
            self.hint.setText(_("只显示前 {n} 位，请输入更多文字缩小范围。").format(n=self.MAX_SHOWN))
        elif not shown:
            self.hint.setText(_("没有找到可以报名的志愿者（只有已注册或申请中的志愿者可以报名）。"))
        else:
            self.hint.setText(_("找到 {n} 位，请选择一位。").format(n=len(shown)))
        if self.results.count() == 1:
            self.results.setCurrentRow(0)

    def select_volunteer(self, volunteer_id: int) -> bool:
        for i in range(self.results.count()):
            if self.results.item(i).data(USER) == volunteer_id:
                self.results.setCurrentRow(i)
                return True
        return False

    def accept(self) -> None:
        self.error.clear()
        item = self.results.currentItem()
        if item is None:
            self.error.setText(_("请先在列表中选择一位志愿者。"))
            return
        try:
            with self.ctx.db.session() as session:
                self.saved_id = svc.apply_volunteer(
                    session, self.ctx.actor, self.recruitment_id, item.data(USER), self.note.text()
                )
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()

    @classmethod
    def ask(cls, ctx: AppContext, recruitment_id: int, title: str = "", parent: QWidget | None = None) -> int | None:
        dialog = cls(ctx, recruitment_id, title, parent)
        return dialog.saved_id if dialog.exec() else None


class NewResidentDialog(VolunteerDialog):
    """报名（新居民）: the roster's registration form; saving registers (申请中) and signs up in one go."""

    def __init__(self, ctx: AppContext, recruitment_id: int, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(ctx, None, parent)
        self.recruitment_id = recruitment_id
        self.setWindowTitle(_("新居民报名：{t}").format(t=title) if title else _("新居民报名"))
        hint = QLabel(_("登记后为“申请中”，由站长在志愿者花名册中审核；报名同时生效。"), wordWrap=True)
        hint.setStyleSheet("color: #555;")
        self.layout().insertWidget(0, hint)
        buttons = self.findChild(QDialogButtonBox)
        if buttons is not None:
            buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("登记并报名"))

    def accept(self) -> None:
        self.error.clear()
        data = self.input()
        try:
            with self.ctx.db.session() as session:
                self.saved_id = svc.apply_new_resident(session, self.ctx.actor, self.recruitment_id, data)
        except DuplicateError as exc:
            self._show_field_error(exc)
            self.error.setText(exc.message + _("若是本人，请关闭此窗口，用“报名（已注册志愿者）”报名。"))
            return
        except ValidationError as exc:
            self._show_field_error(exc)
            return
        except StationError as exc:
            show_error(self, exc.message)
            return
        QDialog.accept(self)

    @classmethod
    def ask(cls, ctx: AppContext, recruitment_id: int, title: str = "", parent: QWidget | None = None) -> int | None:
        dialog = cls(ctx, recruitment_id, title, parent)
        return dialog.saved_id if dialog.exec() else None


def poster_file_name(title: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("_") or _("招募")
    return _("招募海报-{t}.pdf").format(t=safe)


class RecruitmentPage(QWidget):
    HEADERS = (_("招募标题"), _("所属项目"), _("名额（已报/总数）"), _("报名截止"), _("状态"), _("联系人"))
    APPLICANT_HEADERS = (_("姓名"), _("志愿者编号"), _("志愿者状态"), _("年龄"), _("电话"), _("来源"),
                         _("报名状态"), _("报名时间"), _("备注"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.RecruitmentRow] = []
        self.detail: svc.RecruitmentDetail | None = None
        self.can_edit = ctx.actor.can(Permission.EDIT_DEMAND)
        self.can_register = self.can_edit and ctx.actor.can(Permission.EDIT_VOLUNTEERS)

        self.publish_button = QPushButton(_("发布招募"))
        self.edit_button = QPushButton(_("修改"))
        self.close_button = QPushButton(_("结束招募"))
        self.poster_button = QPushButton(_("打印海报"))
        self.poster_button.setToolTip(_("生成 A4 招募海报（PDF），可打印张贴在公告栏"))
        self.apply_button = QPushButton(_("报名（已注册志愿者）"))
        self.new_resident_button = QPushButton(_("报名（新居民）"))
        self.cancel_button = QPushButton(_("取消报名"))
        self.publish_button.clicked.connect(self.publish)
        self.edit_button.clicked.connect(self.edit)
        self.close_button.clicked.connect(self.close_notice)
        self.poster_button.clicked.connect(self.print_poster)
        self.apply_button.clicked.connect(self.apply_registered)
        self.new_resident_button.clicked.connect(self.apply_new_resident)
        self.cancel_button.clicked.connect(self.cancel_application)
        self.publish_button.setEnabled(self.can_edit)

        self.table = read_only_table(self.HEADERS)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_button.isEnabled() and self.edit())
        self.summary = QLabel(wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.applicants = read_only_table(self.APPLICANT_HEADERS)
        self.applicants.itemSelectionChanged.connect(self._update_buttons)
        self.status = QLabel()
        self.status.setStyleSheet("color: #2e7d32;")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        for button in (self.publish_button, self.edit_button, self.close_button, self.poster_button):
            top.addWidget(button)
        top.addStretch(1)
        apply_row = QHBoxLayout()
        self.applicants_label = QLabel(_("报名情况"))
        apply_row.addWidget(self.applicants_label)
        apply_row.addStretch(1)
        for button in (self.apply_button, self.new_resident_button, self.cancel_button):
            apply_row.addWidget(button)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.summary)
        lower_layout.addLayout(apply_row)
        lower_layout.addWidget(self.applicants, 1)
        splitter = list_over_detail(self.table, lower, (2, 3))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.refresh()

    # --- data -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        keep = self.selected_id()
        with self.ctx.db.session(write=False) as session:
            self.rows = svc.list_recruitments(session, self.ctx.actor)
        self.table.setRowCount(len(self.rows))
        for n, r in enumerate(self.rows):
            fill_row(self.table, n, (r.title, r.project_name, f"{r.slots_used} / {r.slots}", r.deadline.isoformat(),
                                     r.status_label, r.contact_name), r.id)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if not (keep is not None and self.select_recruitment(keep)) and self.rows:
            self.table.selectRow(0)
        self._selection_changed()

    def selected_id(self) -> int | None:
        return selected_row_id(self.table)

    def select_recruitment(self, recruitment_id: int) -> bool:
        return select_row_id(self.table, recruitment_id)

    def selected_application(self) -> svc.ApplicantRow | None:
        rows = self.applicants.selectionModel().selectedRows() if self.applicants.selectionModel() else []
        if not rows or self.detail is None:
            return None
        application_id = self.applicants.item(rows[0].row(), 0).data(USER)
        return next((a for a in self.detail.applicants if a.application_id == application_id), None)

    def _selection_changed(self) -> None:
        rid = self.selected_id()
        self.detail = None
        if rid is not None:
            with self.ctx.db.session(write=False) as session:
                self.detail = svc.get_recruitment(session, self.ctx.actor, rid)
        d = self.detail
        self.applicants.setRowCount(0)
        if d is None:
            self.summary.setText(_("还没有招募。在“项目”页选中项目后点“发布招募”，或点上面的“发布招募”。"))
            self.applicants_label.setText(_("报名情况"))
        else:
            self.summary.setText(self._summary_html(d))
            self.applicants_label.setText(
                _("报名情况：已报 {u} / {s} 人").format(u=d.slots_used, s=d.slots)
            )
            self.applicants.setRowCount(len(d.applicants))
            for n, a in enumerate(d.applicants):
                fill_row(self.applicants, n, (
                    a.name, a.volunteer_no or _("（审核后发放）"), a.volunteer_status_label, str(a.age), a.phone,
                    a.source_label, a.status_label if not a.cancel_reason else f"{a.status_label}：{a.cancel_reason}",
                    a.applied_at.astimezone().strftime("%Y-%m-%d %H:%M"), a.note,
                ), a.application_id)
            self.applicants.resizeColumnsToContents()
            # The note column takes the width left over (the last-section stretch alone leaves a gap after a refill).
            self.applicants.horizontalHeader().setSectionResizeMode(
                len(self.APPLICANT_HEADERS) - 1, QHeaderView.ResizeMode.Stretch
            )
        self._update_buttons()

    @staticmethod
    def _summary_html(d: svc.RecruitmentDetail) -> str:
        none = _("不限")
        lines = [
            f"<b style='font-size:14px'>{escape(d.title)}</b>　{escape(d.project_name)}（{d.project_category}）"
            f" · {d.status_label}" + (f"：{escape(d.closed_reason)}" if d.closed_reason else ""),
            _("条件和要求：") + (escape(d.requirements) or none),
            _("技能：{k}　年龄：{a}　服务时间：{t}").format(
                k=escape("、".join(d.skills)) or none, a=d.age_range or none, t=escape(d.service_times_text) or none
            ),
            _("名额 {s} 人　报名截止 {d}　联系人 {n} {p}").format(
                s=d.slots, d=d.deadline.isoformat(), n=escape(d.contact_name), p=escape(d.contact_phone)
            ),
        ]
        return "<br/>".join(lines)

    def _update_buttons(self) -> None:
        d = self.detail
        is_open = d is not None and d.status == "open"
        self.edit_button.setEnabled(self.can_edit and is_open)
        self.close_button.setEnabled(self.can_edit and is_open)
        self.poster_button.setEnabled(d is not None)
        self.apply_button.setEnabled(self.can_edit and is_open)
        self.new_resident_button.setEnabled(self.can_register and is_open)
        application = self.selected_application()
        self.cancel_button.setEnabled(
            self.can_edit and is_open and application is not None and application.status == "applied"
        )

    # --- actions --------------------------------------------------------------------------------
    def publish(self) -> None:
        rid = RecruitmentDialog.ask(self.ctx, parent=self)
        if rid is not None:
            self.refresh()
            self.select_recruitment(rid)

    def edit(self) -> None:
        rid = self.selected_id()
        if rid is not None and RecruitmentDialog.ask(self.ctx, recruitment_id=rid, parent=self) is not None:
            self.refresh()

    def close_notice(self) -> None:
        d = self.detail
        if d is None:
            return
        reason = ReasonDialog.ask(self, _("结束招募"), _("结束招募“{t}”：请填写原因，如“名额已满”。").format(t=d.title))
        if reason is None:
            return
        run_service(self, self.ctx, lambda s: svc.close_recruitment(s, self.ctx.actor, d.id, reason))
        self.refresh()

    def apply_registered(self) -> None:
        d = self.detail
        if d is not None and ApplyDialog.ask(self.ctx, d.id, d.title, self) is not None:
            self.refresh()

    def apply_new_resident(self) -> None:
        d = self.detail
        if d is not None and NewResidentDialog.ask(self.ctx, d.id, d.title, self) is not None:
            self.refresh()

    def cancel_application(self) -> None:
        application = self.selected_application()
        if application is None:
            return
        reason = ReasonDialog.ask(
            self, _("取消报名"), _("取消{n}的报名：请填写原因。名额会空出来。").format(n=application.name)
        )
        if reason is None:
            return
        run_service(self, self.ctx, lambda s: svc.cancel_application(s, self.ctx.actor, application.application_id,
                                                                    reason))
        self.refresh()

    def print_poster(self) -> None:
        """Write the A4 poster as a PDF where the user chooses."""
        d = self.detail
        if d is None:
            return
        suggested = str(Path.home() / poster_file_name(d.title))
        path, _filter = QFileDialog.getSaveFileName(self, _("保存招募海报"), suggested, _("PDF 文件 (*.pdf)"))
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        data = run_service(self, self.ctx, lambda s: svc.poster_data(s, self.ctx.actor, d.id), write=False)
        if data is None:
            return
        try:
            recruitment_poster(data, path)
        except OSError as exc:
            show_error(self, _("海报无法保存到“{p}”：{e}").format(p=path, e=exc.strerror or exc))
            return
        self.status.setText(_("海报已保存：{p}（A4，可直接打印）").format(p=path))
