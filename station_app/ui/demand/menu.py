"""服务菜单 page of the 需求菜单 tab: the six actions' services, and the key groups with their visit rules.

Administrators (MANAGE_MENU) edit; everyone else reads the same screens with the buttons disabled.
"""

from __future__ import annotations

from ...errors import StationError
from ...i18n import _
from ...services import catalogue as svc
from ...services.auth import Permission
from ...services.training import TrainingKind
from ...services.validation import SKILL_SEPARATORS, split_skills
from ...services.volunteers import list_skills
from ..common import AppContext, dialog_buttons, error_label, run_service
from ..qt import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QColor,
    QComboBox,
    QCompleter,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

RETIRED_COLOR = QColor("#888888")


def format_minutes(minutes: int) -> str:
    """90 → "1 小时 30 分", 120 → "2 小时", 45 → "45 分钟"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("{m} 分钟").format(m=rest)
    if not rest:
        return _("{h} 小时").format(h=hours)
    return _("{h} 小时 {m} 分").format(h=hours, m=rest)


def read_only_reason(ctx: AppContext) -> str:
    return _("当前账号（{role}）没有“{p}”的权限，只能查看。").format(
        role=ctx.actor.role.label, p=Permission.MANAGE_MENU.value
    )


class SkillsCompleter(QCompleter):
    """Completes the skill being typed after the last 、 or comma, keeping the ones before it."""

    def __init__(self, skills: list[str], line_edit: QLineEdit) -> None:
        super().__init__(skills, line_edit)
        self.line_edit = line_edit
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt override
        return [SKILL_SEPARATORS.split(path)[-1].strip()]

    def pathFromIndex(self, index) -> str:  # noqa: N802, ANN001 - Qt override
        text = self.line_edit.text()
        done = [s for s in SKILL_SEPARATORS.split(text)[:-1] if s]
        return "、".join([*done, str(index.data())])


class MenuItemDialog(QDialog):
    """Add a menu item, or change one (unticking 在用 retires it)."""

    def __init__(
        self,
        ctx: AppContext,
        item: svc.MenuItemInfo | None = None,
        category: svc.Category | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item = item
        self.saved_id: int | None = None
        self.setWindowTitle(_("修改服务项目") if item else _("新增服务项目"))
        self.setMinimumWidth(480)

        self.category = QComboBox()
        for c in svc.Category:
            self.category.addItem(c.label, c.value)
        self.name = QLineEdit(placeholderText=_("如：维修家电"))
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(_("服务内容、注意事项"))
        self.description.setMaximumHeight(80)
        self.hours = QSpinBox(minimum=0, maximum=24, suffix=_(" 小时"))
        self.minutes = QSpinBox(minimum=0, maximum=59, singleStep=5, suffix=_(" 分钟"))
        self.skills = QLineEdit(placeholderText=_("多个技能用顿号或逗号隔开，如：家电维修、电工"))
        self.free = QRadioButton(svc.CHARGES["free"])
        self.low_cost = QRadioButton(svc.CHARGES["low_cost"])
        self.charge = QButtonGroup(self)
        self.charge.addButton(self.free)
        self.charge.addButton(self.low_cost)
        self.redeemable = QCheckBox(_("可用服务时长兑换"))
        self.redeemable.setToolTip(_("志愿者可以用积存的服务时长兑换这项服务（时间银行回馈）"))
        # The time-bank price of one service, in hours by the quarter: needed when redeemable.
        self.redeem_hours = QDoubleSpinBox(minimum=0, maximum=svc.MAX_REDEEM_MINUTES / 60, singleStep=0.25,
                                           decimals=2, suffix=_(" 小时/次"))
        self.redeem_hours.setToolTip(_("兑换一次这项服务要用多少小时服务时长（0.25 小时的整数倍）"))
        self.redeem_hours.setEnabled(False)
        self.redeemable.toggled.connect(self._redeemable_toggled)
        self.required_training = QComboBox()
        self.required_training.addItem(_("无"), None)
        for kind in TrainingKind:
            self.required_training.addItem(kind.label, kind.value)
        self.required_training.setToolTip(_("安排志愿者做这项服务前，要求他参加过的培训（如健康义诊要求岗前培训）"))
        self.active = QCheckBox(_("在用"))
        self.active.setToolTip(_("停用的项目不能再被选为新需求，已有需求上仍保留它的名称"))
        self.error = error_label()

        with ctx.db.session(write=False) as session:
            self.skills.setCompleter(SkillsCompleter(list_skills(session), self.skills))

        if item is not None:
            self.category.setCurrentIndex(self.category.findData(item.category.value))
            self.name.setText(item.name)
            self.description.setPlainText(item.description)
            self.hours.setValue(item.typical_minutes // 60)
            self.minutes.setValue(item.typical_minutes % 60)
            self.skills.setText("、".join(item.skills))
            (self.low_cost if item.charge == "low_cost" else self.free).setChecked(True)
            self.redeem_hours.setValue((item.redeem_minutes or 0) / 60)
            self.redeemable.setChecked(item.redeemable)
            self.required_training.setCurrentIndex(max(0, self.required_training.findData(item.required_training)))
            self.active.setChecked(item.active)
        else:
            if category is not None:
                self.category.setCurrentIndex(self.category.findData(svc.Category(category).value))
            self.hours.setValue(1)
            self.free.setChecked(True)
            self.active.setChecked(True)

        duration = QHBoxLayout()
        duration.addWidget(self.hours)
        duration.addWidget(self.minutes)
        duration.addStretch(1)
        charge = QHBoxLayout()
        charge.addWidget(self.free)
        charge.addWidget(self.low_cost)
        charge.addStretch(1)
        form = QFormLayout()
        form.addRow(_("类别 *"), self.category)
        form.addRow(_("名称 *"), self.name)
        form.addRow(_("说明"), self.description)
        form.addRow(_("一般用时"), duration)
        form.addRow(_("所需技能"), self.skills)
        form.addRow(_("所需培训"), self.required_training)
        form.addRow(_("收费"), charge)
        redeem = QHBoxLayout()
        redeem.addWidget(self.redeemable)
        redeem.addWidget(QLabel(_("兑换价")))
        redeem.addWidget(self.redeem_hours)
        redeem.addStretch(1)
        form.addRow("", redeem)
        form.addRow("", self.active)
        self.fields = {
            "category": self.category, "name": self.name, "description": self.description,
            "typical_minutes": self.hours, "skills": self.skills, "charge": self.free,
            "required_training": self.required_training, "redeem_minutes": self.redeem_hours,
        }
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("保存")))

    def _redeemable_toggled(self, on: bool) -> None:
        """Ticking 可用服务时长兑换 asks for a price; an empty one starts at the typical duration."""
        self.redeem_hours.setEnabled(on)
        if on and self.redeem_hours.value() == 0:
            typical = self.hours.value() * 60 + self.minutes.value()
            self.redeem_hours.setValue(-(-typical // svc.QUARTER) * svc.QUARTER / 60)

    def data(self) -> svc.MenuItemInput:
        return svc.MenuItemInput(
            category=self.category.currentData(),
            name=self.name.text(),
            description=self.description.toPlainText(),
            typical_minutes=self.hours.value() * 60 + self.minutes.value(),
            skills=split_skills(self.skills.text()),
            charge="low_cost" if self.low_cost.isChecked() else "free",
            redeemable=self.redeemable.isChecked(),
            redeem_minutes=round(self.redeem_hours.value() * 60) if self.redeemable.isChecked() else None,
            active=self.active.isChecked(),
            required_training=self.required_training.currentData(),
        )

    def accept(self) -> None:
        self.error.clear()
        data = self.data()
        try:
            with self.ctx.db.session() as session:
                if self.item is None:
                    self.saved_id = svc.create_menu_item(session, self.ctx.actor, data)
                else:
                    svc.update_menu_item(session, self.ctx.actor, self.item.id, data)
                    self.saved_id = self.item.id
        except StationError as exc:
            self.error.setText(exc.message)
            widget = self.fields.get(getattr(exc, "field", None) or "")
            if widget is not None:
                widget.setFocus()
            return
        super().accept()


class KeyGroupEditDialog(QDialog):
    """Add a key group or change its name and visit rule."""

    DEFAULT_INTERVAL = 30

    def __init__(self, ctx: AppContext, group: svc.KeyGroupInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.group = group
        self.saved_id: int | None = None
        self.setWindowTitle(_("修改重点对象类别") if group else _("新增重点对象类别"))
        self.setMinimumWidth(380)
        self.name = QLineEdit(group.name if group else "")
        self.has_rule = QCheckBox(_("定期走访，每"))
        self.interval = QSpinBox(minimum=1, maximum=svc.MAX_VISIT_INTERVAL_DAYS, suffix=_(" 天一次"))
        interval = group.visit_interval_days if group else self.DEFAULT_INTERVAL
        self.has_rule.setChecked(interval is not None)
        self.interval.setValue(interval or self.DEFAULT_INTERVAL)
        self.interval.setEnabled(interval is not None)
        self.has_rule.toggled.connect(self.interval.setEnabled)
        self.error = error_label()
        rule = QHBoxLayout()
        rule.addWidget(self.has_rule)
        rule.addWidget(self.interval)
        rule.addStretch(1)
        form = QFormLayout()
        form.addRow(_("名称 *"), self.name)
        form.addRow(_("走访周期"), rule)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("保存")))

    def accept(self) -> None:
        self.error.clear()
        interval = self.interval.value() if self.has_rule.isChecked() else None
        try:
            with self.ctx.db.session() as session:
                self.saved_id = svc.save_key_group(
                    session, self.ctx.actor, self.group.id if self.group else None, self.name.text(), interval,
                    active=self.group.active if self.group else True,
                )
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class KeyGroupsDialog(QDialog):
    """The key groups (重点对象类别) and how often their households should be visited."""

    HEADERS = (_("类别"), _("走访周期"), _("状态"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.groups: list[svc.KeyGroupInfo] = []
        self.setWindowTitle(_("重点对象类别与走访周期"))
        self.resize(520, 440)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 150)
        note = QLabel(_("一位服务对象属于多个类别时，按其中最短的周期提醒走访；"
                        "未设周期或已停用的类别不提醒。停用的类别保留在已有记录上。"))
        note.setWordWrap(True)
        self.can_edit = ctx.actor.can(Permission.MANAGE_MENU)
        self.add_button = QPushButton(_("新增类别"))
        self.edit_button = QPushButton(_("修改名称或周期"))
        self.toggle_button = QPushButton(_("停用"))
        self.add_button.clicked.connect(self.add_group)
        self.edit_button.clicked.connect(self.edit_group)
        self.toggle_button.clicked.connect(self.toggle_group)
        self.table.doubleClicked.connect(lambda _i: self.edit_button.isEnabled() and self.edit_group())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        if not self.can_edit:
            for button in (self.add_button, self.edit_button, self.toggle_button):
                button.setToolTip(read_only_reason(ctx))
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.toggle_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addLayout(buttons)
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        current = self.selected()
        select_id = select_id if select_id is not None else (current.id if current else None)
        with self.ctx.db.session(write=False) as session:
            self.groups = svc.list_key_groups(session, self.ctx.actor, include_retired=True)
        self.table.setRowCount(len(self.groups))
        for row, group in enumerate(self.groups):
            interval = (_("每 {n} 天").format(n=group.visit_interval_days) if group.visit_interval_days
                        else _("不定期"))
            values = (group.name, interval, _("在用") if group.active else _("已停用"))
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if not group.active:
                    cell.setForeground(RETIRED_COLOR)
                self.table.setItem(row, col, cell)
            if group.id == select_id:
                self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> svc.KeyGroupInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.groups[rows[0].row()] if rows and rows[0].row() < len(self.groups) else None

    def select_group(self, name: str) -> bool:
        for row, group in enumerate(self.groups):
            if group.name == name:
                self.table.selectRow(row)
                return True
        return False

    def _update_buttons(self) -> None:
        group = self.selected()
        self.add_button.setEnabled(self.can_edit)
        self.edit_button.setEnabled(self.can_edit and group is not None)
        self.toggle_button.setEnabled(self.can_edit and group is not None)
        self.toggle_button.setText(_("启用") if group is not None and not group.active else _("停用"))

    def add_group(self) -> None:
        dialog = KeyGroupEditDialog(self.ctx, parent=self)
        if dialog.exec():
            self.reload(dialog.saved_id)

    def edit_group(self) -> None:
        group = self.selected()
        if group is None:
            return
        dialog = KeyGroupEditDialog(self.ctx, group, parent=self)
        if dialog.exec():
            self.reload(group.id)

    def toggle_group(self) -> None:
        group = self.selected()
        if group is None:
            return
        run_service(self, self.ctx, lambda s: svc.save_key_group(
            s, self.ctx.actor, group.id, group.name, group.visit_interval_days, active=not group.active))
        self.reload(group.id)


class MenuPage(QWidget):
    """The service menu: categories on the left, their items on the right."""

    HEADERS = (_("类别"), _("名称"), _("说明"), _("一般用时"), _("所需技能"), _("所需培训"), _("收费"), _("时长兑换"),
               _("状态"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.all_items: list[svc.MenuItemInfo] = []
        self.items: list[svc.MenuItemInfo] = []  # the rows shown

        self.categories = QListWidget()
        self.categories.setFixedWidth(160)
        self.show_retired = QCheckBox(_("显示已停用"))
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for col, width in enumerate((80, 150, 260, 100, 150, 80, 50, 110, 60)):
            self.table.setColumnWidth(col, width)
        self.count_label = QLabel()

        self.can_edit = ctx.actor.can(Permission.MANAGE_MENU)
        self.add_button = QPushButton(_("新增项目"))
        self.edit_button = QPushButton(_("修改"))
        self.toggle_button = QPushButton(_("停用"))
        self.groups_button = QPushButton(_("重点对象类别与走访周期…"))
        if not self.can_edit:
            for button in (self.add_button, self.edit_button, self.toggle_button):
                button.setToolTip(read_only_reason(ctx))
        self.add_button.clicked.connect(self.add_item)
        self.edit_button.clicked.connect(self.edit_item)
        self.toggle_button.clicked.connect(self.toggle_item)
        self.groups_button.clicked.connect(self.open_key_groups)
        self.table.doubleClicked.connect(lambda _i: self.edit_button.isEnabled() and self.edit_item())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.categories.currentRowChanged.connect(lambda _row: self._fill_table())
        self.show_retired.toggled.connect(lambda _on: self._fill())

        actions = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.toggle_button):
            actions.addWidget(button)
        actions.addWidget(self.show_retired)
        actions.addStretch(1)
        actions.addWidget(self.groups_button)
        body = QHBoxLayout()
        body.addWidget(self.categories)
        body.addWidget(self.table, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addLayout(body, 1)
        layout.addWidget(self.count_label)
        self.refresh()

    # --- data ---------------------------------------------------------------------------
    def refresh(self, select_id: int | None = None) -> None:
        current = self.selected()
        select_id = select_id if select_id is not None else (current.id if current else None)
        with self.ctx.db.session(write=False) as session:
            self.all_items = svc.list_menu(session, self.ctx.actor, include_retired=True)
        self._fill(select_id)

    def _visible(self) -> list[svc.MenuItemInfo]:
        return [i for i in self.all_items if i.active or self.show_retired.isChecked()]

    def _fill(self, select_id: int | None = None) -> None:
        """Category list with counts, then the table."""
        visible = self._visible()
        category = self.current_category()
        with_counts = [(None, _("全部类别"), len(visible))] + [
            (c, c.label, sum(1 for i in visible if i.category == c)) for c in svc.Category
        ]
        self.categories.blockSignals(True)
        self.categories.clear()
        for code, label, n in with_counts:
            entry = QListWidgetItem(f"{label}（{n}）")
            entry.setData(Qt.ItemDataRole.UserRole, code)
            self.categories.addItem(entry)
        self.categories.setCurrentRow([c for c, _l, _n in with_counts].index(category))
        self.categories.blockSignals(False)
        self._fill_table(select_id)

    def _fill_table(self, select_id: int | None = None) -> None:
        if select_id is None and (current := self.selected()) is not None:
            select_id = current.id
        category = self.current_category()
        self.items = [i for i in self._visible() if category is None or i.category == category]
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            values = (
                item.category.label, item.name, item.description, format_minutes(item.typical_minutes),
                "、".join(item.skills), item.required_training_label, svc.CHARGES.get(item.charge, item.charge),
                item.redeem_text, _("在用") if item.active else _("已停用"),
            )
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if col == 2 and value:
                    cell.setToolTip(value)
                if not item.active:
                    cell.setForeground(RETIRED_COLOR)
                self.table.setItem(row, col, cell)
        self.table.clearSelection()
        for row, item in enumerate(self.items):
            if item.id == select_id:
                self.table.selectRow(row)
                self.table.scrollToItem(self.table.item(row, 0))
        retired = sum(1 for i in self.all_items if not i.active)
        text = _("共 {n} 项").format(n=len(self.items))
        if retired and not self.show_retired.isChecked():
            text += _("（另有 {r} 项已停用，勾选“显示已停用”可查看）").format(r=retired)
        self.count_label.setText(text)
        self._update_buttons()

    def current_category(self) -> svc.Category | None:
        entry = self.categories.currentItem()
        return entry.data(Qt.ItemDataRole.UserRole) if entry is not None else None

    def selected(self) -> svc.MenuItemInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def select_item(self, item_id: int) -> bool:
        for row, item in enumerate(self.items):
            if item.id == item_id:
                self.table.selectRow(row)
                return True
        return False

    def shown_names(self) -> list[str]:
        return [i.name for i in self.items]

    def _update_buttons(self) -> None:
        item = self.selected()
        self.add_button.setEnabled(self.can_edit)
        self.edit_button.setEnabled(self.can_edit and item is not None)
        self.toggle_button.setEnabled(self.can_edit and item is not None)
        self.toggle_button.setText(_("启用") if item is not None and not item.active else _("停用"))

    # --- actions ------------------------------------------------------------------------
    def _show_item(self, item_id: int) -> None:
        """Re-read and make sure the item is in view (its category, retired ones shown if needed)."""
        with self.ctx.db.session(write=False) as session:
            self.all_items = svc.list_menu(session, self.ctx.actor, include_retired=True)
        item = next((i for i in self.all_items if i.id == item_id), None)
        if item is not None:
            category = self.current_category()
            if category is not None and category != item.category:
                self.categories.blockSignals(True)
                self.categories.setCurrentRow(list(svc.Category).index(item.category) + 1)
                self.categories.blockSignals(False)
        self._fill(item_id)

    def add_item(self) -> None:
        dialog = MenuItemDialog(self.ctx, category=self.current_category(), parent=self)
        if dialog.exec() and dialog.saved_id is not None:
            self._show_item(dialog.saved_id)

    def edit_item(self) -> None:
        item = self.selected()
        if item is None:
            return
        dialog = MenuItemDialog(self.ctx, item, parent=self)
        if dialog.exec():
            self._show_item(item.id)

    def toggle_item(self) -> None:
        item = self.selected()
        if item is None:
            return
        run_service(self, self.ctx, lambda s: svc.set_menu_item_active(s, self.ctx.actor, item.id, not item.active))
        self.refresh(item.id)

    def open_key_groups(self) -> None:
        KeyGroupsDialog(self.ctx, parent=self).exec()
