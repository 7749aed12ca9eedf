"""新建活动 / 修改活动: what, where, when, its shifts, whom it serves, and who leads it.

The dialog only gathers the input; ``services.activities`` owns every rule, and a refusal shows
in the red line with nothing saved.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ...errors import StationError
from ...i18n import _
from ...services import activities as svc
from ...services import catalogue as cat_svc
from ...services import needs as needs_svc
from ...services import projects as project_svc
from ...services import recipients as rec_svc
from ...services import teams as team_svc
from ...services.training import TrainingKind
from ...services.validation import split_skills
from ..common import AppContext, dialog_buttons, error_label
from ..demand.projects import check_items, checkable, date_edit, need_text
from ..qt import (
    QAbstractItemView,
    QComboBox,
    QDate,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSignalBlocker,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTime,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

USER = Qt.ItemDataRole.UserRole
HINT_STYLE = "color: #555;"


def time_edit(value: time) -> QTimeEdit:
    edit = QTimeEdit(QTime(value.hour, value.minute))
    edit.setDisplayFormat("HH:mm")
    return edit


def py_time(edit: QTimeEdit) -> time:
    t = edit.time()
    return time(t.hour(), t.minute())


class ShiftTable(QWidget):
    """The shifts (班次) as rows: name, start, end, places. Times are on the activity's day."""

    HEADERS = (_("班次名称"), _("开始"), _("结束"), _("名额（人）"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(_("添加班次"))
        self.remove_button = QPushButton(_("删除所选班次"))
        self.total = QLabel()
        self.total.setStyleSheet(HINT_STYLE)
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.total)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        hint = QLabel(_("一个活动分几个时段时，每个时段设一个班次；只有一个班次时，它就是整个活动时间。"), wordWrap=True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)
        self._update_total()

    def add_row(self, label: str = "", start: time | None = None, end: time | None = None, capacity: int = 2,
                shift_id: int | None = None) -> int:
        if start is None or end is None:
            # A new shift follows the last one, one hour long by default.
            last_end = py_time(self.table.cellWidget(self.table.rowCount() - 1, 2)) if self.table.rowCount() else time(9)
            start = start or last_end
            end = end or (datetime.combine(date.today(), start) + timedelta(hours=1)).time()
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(label)
        name.setData(USER, shift_id)
        self.table.setItem(row, 0, name)
        self.table.setCellWidget(row, 1, time_edit(start))
        self.table.setCellWidget(row, 2, time_edit(end))
        spin = QSpinBox()
        spin.setRange(0, svc.MAX_CAPACITY)
        spin.setValue(capacity)
        spin.valueChanged.connect(lambda _v: self._update_total())
        self.table.setCellWidget(row, 3, spin)
        self._update_total()
        return row

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.rowCount():
            rows = [self.table.rowCount() - 1]
        for row in rows:
            self.table.removeRow(row)
        self._update_total()

    def clear(self) -> None:
        self.table.setRowCount(0)
        self._update_total()

    def row_count(self) -> int:
        return self.table.rowCount()

    def set_row(self, row: int, *, label: str | None = None, start: time | None = None, end: time | None = None,
                capacity: int | None = None) -> None:
        if label is not None:
            self.table.item(row, 0).setText(label)
        if start is not None:
            self.table.cellWidget(row, 1).setTime(QTime(start.hour, start.minute))
        if end is not None:
            self.table.cellWidget(row, 2).setTime(QTime(end.hour, end.minute))
        if capacity is not None:
            self.table.cellWidget(row, 3).setValue(capacity)

    def row_values(self, row: int) -> tuple[str, time, time, int, int | None]:
        item = self.table.item(row, 0)
        return (item.text() if item else "", py_time(self.table.cellWidget(row, 1)),
                py_time(self.table.cellWidget(row, 2)), self.table.cellWidget(row, 3).value(),
                item.data(USER) if item else None)

    def shifts(self, day: date) -> list[svc.ShiftInput]:
        out = []
        for row in range(self.table.rowCount()):
            label, start, end, capacity, shift_id = self.row_values(row)
            out.append(svc.ShiftInput(datetime.combine(day, start), datetime.combine(day, end), capacity, label,
                                      id=shift_id))
        return out

    def _update_total(self) -> None:
        total = sum(self.table.cellWidget(r, 3).value() for r in range(self.table.rowCount())
                    if self.table.cellWidget(r, 3) is not None)
        self.total.setText(_("共 {k} 个班次，需要志愿者 {n} 人").format(k=self.table.rowCount(), n=total))


class RecipientPicker(QWidget):
    """Tick the recipients an activity serves: filter by key group, search by name or pinyin."""

    MAX_SHOWN = 200

    def __init__(self, ctx: AppContext, groups: list[cat_svc.KeyGroupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.chosen: dict[int, str] = {}
        self.group = QComboBox()
        self.group.addItem(_("全部服务对象"), None)
        for g in groups:
            self.group.addItem(g.name, g.id)
        self.search = QLineEdit(placeholderText=_("搜索：姓名、拼音首字母、电话"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.tick_all = QPushButton(_("全部勾选所列"))
        self.untick_all = QPushButton(_("全部取消"))
        self.count = QLabel()
        self.count.setStyleSheet(HINT_STYLE)
        bar = QHBoxLayout()
        bar.addWidget(self.group)
        bar.addWidget(self.search, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.tick_all)
        buttons.addWidget(self.untick_all)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.group.currentIndexChanged.connect(lambda _i: self.run_search())
        self.search.textChanged.connect(lambda _t: self.run_search())
        self.list.itemChanged.connect(self._item_changed)
        self.tick_all.clicked.connect(lambda: self._tick_shown(True))
        self.untick_all.clicked.connect(self._untick_everything)
        self.run_search()

    def run_search(self) -> None:
        with self.ctx.db.session(write=False) as session:
            rows = rec_svc.list_recipients(session, self.ctx.actor, self.search.text(), self.group.currentData())
        blocker = QSignalBlocker(self.list)
        self.list.clear()
        for r in rows[: self.MAX_SHOWN]:
            groups = "、".join(r.key_groups)
            text = f"{r.name}　{r.gender} {r.age}岁" + (f"　{groups}" if groups else "")
            self.list.addItem(checkable(text, r.id, r.id in self.chosen))
        del blocker
        self._shown_names = {r.id: r.name for r in rows[: self.MAX_SHOWN]}
        self._update_count(len(rows))

    def _item_changed(self, item) -> None:  # noqa: ANN001 - QListWidgetItem
        rid = item.data(USER)
        if item.checkState() == Qt.CheckState.Checked:
            self.chosen[rid] = self._shown_names.get(rid, "")
        else:
            self.chosen.pop(rid, None)
        self._update_count()

    def _tick_shown(self, checked: bool) -> None:
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _untick_everything(self) -> None:
        self.chosen.clear()
        self._tick_shown(False)
        self._update_count()

    def _update_count(self, found: int | None = None) -> None:
        text = _("已选 {n} 位服务对象").format(n=len(self.chosen))
        if found is not None and found > self.MAX_SHOWN:
            text += _("（只列出前 {m} 位，请搜索缩小范围）").format(m=self.MAX_SHOWN)
        self.count.setText(text)

    def set_chosen(self, chosen: list[tuple[int, str]]) -> None:
        self.chosen = dict(chosen)
        self.run_search()

    def tick(self, recipient_id: int, checked: bool = True) -> bool:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(USER) == recipient_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return True
        return False

    def chosen_ids(self) -> list[int]:
        return sorted(self.chosen)


class ActivityDialog(QDialog):
    """Schedule an activity (新建活动) or edit one (修改活动). ``day`` presets the date (from the calendar)."""

    def __init__(
        self, ctx: AppContext, activity_id: int | None = None, parent: QWidget | None = None, *,
        day: date | None = None, today: date | None = None, need_ids: list[int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.activity_id = activity_id
        self.saved_id: int | None = None
        self.saved_ids: list[int] = []
        self._version = 0
        self.today = today or date.today()
        self.setWindowTitle(_("修改活动") if activity_id else _("新建活动"))
        self.setMinimumSize(1000, 640)

        with ctx.db.session(write=False) as session:
            detail = svc.get_activity(session, ctx.actor, activity_id) if activity_id else None
            self.menu = cat_svc.list_menu(session, ctx.actor, include_retired=detail is not None)
            projects = project_svc.list_projects(session, ctx.actor, include_closed=detail is not None)
            teams = team_svc.list_teams(session, ctx.actor, include_inactive=detail is not None)
            groups = cat_svc.list_key_groups(session, ctx.actor)
            unmet = needs_svc.list_needs(session, ctx.actor, needs_svc.NeedFilter(unmet_only=True))
        self.detail = detail

        # --- basics ---------------------------------------------------------------------------
        self.item = QComboBox()
        self.item.addItem(_("（不选菜单项目）"), None)
        for m in self.menu:
            if m.active or (detail is not None and m.id == detail.service_item_id):
                self.item.addItem(m.label, m.id)
        self.category = QComboBox()
        for c in cat_svc.Category:
            self.category.addItem(c.label, c.value)
        self.title = QLineEdit(placeholderText=_("如：重阳敬老义诊"))
        self.project = QComboBox()
        self.project.addItem(_("（不属于项目）"), None)
        for p in projects:
            if p.status == "active" or (detail is not None and p.id == detail.project_id):
                self.project.addItem(p.name, p.id)
        self.place = QLineEdit(placeholderText=_("如：康华花园会所一楼活动室"))
        first_day = day or self.today + timedelta(days=1)
        self.day = date_edit(first_day)
        self.starts = time_edit(time(9))
        self.ends = time_edit(time(11))
        self.lead = QLineEdit(placeholderText=_("社工带志愿者：负责的社工姓名"))
        self.partner_team = QComboBox()
        self.partner_team.addItem(_("（无）"), None)
        for t in sorted(teams, key=lambda t: (t.kind != "visiting", t.name)):
            suffix = f"（{t.org_type}）" if t.kind == "visiting" and t.org_type else _("（本站）")
            self.partner_team.addItem(t.name + suffix, t.id)
        self.partner_org = QLineEdit(placeholderText=_("企业、学校、医院、社会组织等（可不填）"))
        self.skills = QLineEdit(placeholderText=_("多个技能用顿号或逗号隔开"))
        self.training = QComboBox()
        self.training.addItem(_("（不要求）"), None)
        for k in TrainingKind:
            self.training.addItem(_("须参加过{k}").format(k=k.label), k.value)
        self.description = QPlainTextEdit(placeholderText=_("活动内容、注意事项（可不填）"))
        self.description.setMaximumHeight(70)
        self.error = error_label()

        when = QHBoxLayout()
        when.addWidget(self.day)
        when.addWidget(self.starts)
        when.addWidget(QLabel(_("至")))
        when.addWidget(self.ends)
        when.addStretch(1)
        self.form = QFormLayout()
        self.form.addRow(_("服务项目"), self.item)
        self.form.addRow(_("活动类别 *"), self.category)
        self.form.addRow(_("活动名称 *"), self.title)
        self.form.addRow(_("所属项目"), self.project)
        self.form.addRow(_("地点 *"), self.place)
        self.form.addRow(_("时间 *"), when)
        self.form.addRow(_("负责社工"), self.lead)
        self.form.addRow(_("合作服务队"), self.partner_team)
        self.form.addRow(_("合作单位"), self.partner_org)
        self.form.addRow(_("所需技能"), self.skills)
        self.form.addRow(_("上岗要求"), self.training)
        self.form.addRow(_("活动说明"), self.description)

        # --- shifts, recipients, needs ----------------------------------------------------------
        self.shift_table = ShiftTable()
        self.recipients = RecipientPicker(ctx, groups)
        self.needs = QListWidget()
        listed: set[int] = set()
        if detail is not None:
            for n in detail.needs:
                if n.status == needs_svc.NeedStatus.MATCHED:
                    self.needs.addItem(checkable(need_text(n), n.id, True))
                    listed.add(n.id)
        for n in unmet:
            if n.id not in listed:
                self.needs.addItem(checkable(need_text(n), n.id, n.id in (need_ids or [])))
        self.needs_hint = QLabel()
        self.needs_hint.setStyleSheet(HINT_STYLE)
        self.needs_hint.setWordWrap(True)
        self.needs.itemChanged.connect(lambda _item: self._count_needs())
        needs_page = QWidget()
        needs_layout = QVBoxLayout(needs_page)
        needs_layout.setContentsMargins(0, 0, 0, 0)
        needs_layout.addWidget(self.needs, 1)
        needs_layout.addWidget(self.needs_hint)
        self.side = QTabWidget()
        self.side.addTab(self.shift_table, _("班次"))
        self.side.addTab(self.recipients, _("服务对象"))
        self.side.addTab(needs_page, _("对接需求"))

        basics = QGroupBox(_("活动信息"))
        basics.setLayout(self.form)
        columns = QHBoxLayout()
        columns.addWidget(basics, 5)
        columns.addWidget(self.side, 6)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(columns, 1)
        self.layout_.addWidget(self.error)
        self.buttons = dialog_buttons(self, _("保存"))
        self.layout_.addWidget(self.buttons)

        self.fields = {
            "title": self.title, "service_item_id": self.item, "category": self.category, "project_id": self.project,
            "place": self.place, "starts_at": self.starts, "ends_at": self.ends, "description": self.description,
            "shifts": self.shift_table.table, "volunteers_needed": self.shift_table.table,
            "required_training": self.training, "skills": self.skills, "recipient_ids": self.recipients.search,
            "need_ids": self.needs, "lead_social_worker": self.lead, "partner_team_id": self.partner_team,
            "partner_org": self.partner_org,
        }
        self._old_span = (time(9), time(11))
        self.item.currentIndexChanged.connect(lambda _i: self._item_changed())
        self.starts.timeChanged.connect(lambda _t: self._times_changed())
        self.ends.timeChanged.connect(lambda _t: self._times_changed())
        if detail is not None:
            self._load(detail)
        else:
            self.shift_table.add_row("", time(9), time(11), 2)
        self._count_needs()

    # --- behaviour --------------------------------------------------------------------------------
    def _item_changed(self) -> None:
        """The category follows the menu item; its skills and training are offered as defaults."""
        item_id = self.item.currentData()
        info = next((m for m in self.menu if m.id == item_id), None)
        self.category.setEnabled(info is None)
        if info is None:
            return
        self.category.setCurrentIndex(self.category.findData(info.category.value))
        self.skills.setText("、".join(info.skills))
        self.training.setCurrentIndex(max(0, self.training.findData(info.required_training)))
        if not self.title.text().strip():
            self.title.setText(info.name)

    def _times_changed(self) -> None:
        """A single shift that spanned the activity keeps spanning it."""
        old_start, old_end = self._old_span
        new_start, new_end = py_time(self.starts), py_time(self.ends)
        if self.shift_table.row_count() == 1:
            _label, s, e, _c, _id = self.shift_table.row_values(0)
            if (s, e) == (old_start, old_end):
                self.shift_table.set_row(0, start=new_start, end=new_end)
        self._old_span = (new_start, new_end)

    needs_hint_text = _("已勾选 {n} 条需求。勾选的需求保存后变为“已对接”；取消活动时会退回“待对接”。")

    def _count_needs(self) -> None:
        self.needs_hint.setText(self.needs_hint_text.format(n=len(check_items(self.needs))))

    def _load(self, d: svc.ActivityDetail) -> None:
        self._version = d.version
        with QSignalBlocker(self.item):
            self.item.setCurrentIndex(max(0, self.item.findData(d.service_item_id)))
        self.category.setCurrentIndex(self.category.findData(d.category.value))
        self.category.setEnabled(d.service_item_id is None)
        self.title.setText(d.title)
        self.project.setCurrentIndex(max(0, self.project.findData(d.project_id)))
        self.place.setText(d.place)
        self.day.setDate(QDate(d.starts_at.year, d.starts_at.month, d.starts_at.day))
        self._old_span = (d.starts_at.time(), d.ends_at.time())
        with QSignalBlocker(self.starts), QSignalBlocker(self.ends):
            self.starts.setTime(QTime(d.starts_at.hour, d.starts_at.minute))
            self.ends.setTime(QTime(d.ends_at.hour, d.ends_at.minute))
        self.lead.setText(d.lead_social_worker)
        self.partner_team.setCurrentIndex(max(0, self.partner_team.findData(d.partner_team_id)))
        self.partner_org.setText(d.partner_org)
        self.skills.setText("、".join(d.skills))
        self.training.setCurrentIndex(max(0, self.training.findData(d.required_training)))
        self.description.setPlainText(d.description)
        self.shift_table.clear()
        for s in d.shifts:
            self.shift_table.add_row(s.label, s.starts_at.time(), s.ends_at.time(), s.capacity, s.id)
        self.recipients.set_chosen(d.recipients)
        if d.series_id is not None and not d.series_detached:
            note = QLabel(_("这是周期活动（{r}）中的一次。在这里修改只改这一次，其他各次不变。").format(r=d.series_rule),
                          wordWrap=True)
            note.setStyleSheet("color: #1565c0;")
            self.layout_.insertWidget(0, note)

    # --- reading the form ---------------------------------------------------------------------------
    def select_item(self, name: str) -> bool:
        for i in range(self.item.count()):
            if self.item.itemText(i).endswith(" · " + name):
                self.item.setCurrentIndex(i)
                return True
        return False

    def set_day(self, day: date) -> None:
        self.day.setDate(QDate(day.year, day.month, day.day))

    def tick_need(self, need_id: int, checked: bool = True) -> bool:
        for i in range(self.needs.count()):
            item = self.needs.item(i)
            if item.data(USER) == need_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return True
        return False

    def input(self) -> svc.ActivityInput:
        day = self.day.date().toPython()
        return svc.ActivityInput(
            title=self.title.text(),
            starts_at=datetime.combine(day, py_time(self.starts)),
            ends_at=datetime.combine(day, py_time(self.ends)),
            place=self.place.text(),
            service_item_id=self.item.currentData(),
            category=self.category.currentData(),
            project_id=self.project.currentData(),
            description=self.description.toPlainText(),
            shifts=self.shift_table.shifts(day),
            volunteers_needed=0,
            required_training=self.training.currentData(),
            skills=split_skills(self.skills.text()),
            recipient_ids=self.recipients.chosen_ids(),
            need_ids=check_items(self.needs),
            lead_social_worker=self.lead.text(),
            partner_team_id=self.partner_team.currentData(),
            partner_org=self.partner_org.text(),
        )

    def save(self, session, data: svc.ActivityInput) -> None:  # noqa: ANN001 - a Session
        if self.activity_id is None:
            self.saved_id = svc.create_activity(session, self.ctx.actor, data)
            self.saved_ids = [self.saved_id]
        else:
            svc.update_activity(session, self.ctx.actor, self.activity_id, data, expected_version=self._version)
            self.saved_id = self.activity_id
            self.saved_ids = [self.activity_id]

    def accept(self) -> None:
        self.error.clear()
        try:
            data = self.input()
            with self.ctx.db.session() as session:
                self.save(session, data)
        except StationError as exc:
            self.error.setText(exc.message)
            widget = self.fields.get(getattr(exc, "field", None) or "")
            if widget is not None:
                if widget is self.shift_table.table:
                    self.side.setCurrentWidget(self.shift_table)
                elif widget is self.recipients.search:
                    self.side.setCurrentWidget(self.recipients)
                widget.setFocus()
            return
        super().accept()

    @classmethod
    def ask(
        cls, ctx: AppContext, activity_id: int | None = None, parent: QWidget | None = None, *,
        day: date | None = None, need_ids: list[int] | None = None,
    ) -> int | None:
        """Open the dialog; the saved activity's id, or None if cancelled."""
        dialog = cls(ctx, activity_id, parent, day=day, need_ids=need_ids)
        return dialog.saved_id if dialog.exec() else None
