"""项目 page of the 需求菜单 tab: projects designed from needs, the needs each covers, and their recruitment."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from ...errors import StationError
from ...i18n import _
from ...services import catalogue as cat_svc
from ...services import needs as needs_svc
from ...services import projects as svc
from ...services import teams as team_svc
from ...services.auth import Permission
from ..common import AppContext, dialog_buttons, error_label, list_over_detail, run_service
from ..qt import (
    QAbstractItemView,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

USER = Qt.ItemDataRole.UserRole


def date_edit(value: date) -> QDateEdit:
    """A date field with a calendar: impossible dates cannot be typed."""
    edit = QDateEdit(QDate(value.year, value.month, value.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def read_only_table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_row(table: QTableWidget, row: int, values: tuple[str, ...], row_id: int | None = None) -> None:
    for col, value in enumerate(values):
        item = QTableWidgetItem(value)
        if col == 0 and row_id is not None:
            item.setData(USER, row_id)
        table.setItem(row, col, item)


def selected_row_id(table: QTableWidget) -> int | None:
    """The id ``fill_row`` stored on the selected row, if a row is selected."""
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    return table.item(rows[0].row(), 0).data(USER) if rows else None


def select_row_id(table: QTableWidget, row_id: int) -> bool:
    """Select the row ``fill_row`` stored this id on; False when no row shows it (e.g. filtered out)."""
    for n in range(table.rowCount()):
        if table.item(n, 0).data(USER) == row_id:
            table.selectRow(n)
            return True
    return False


def check_items(widget: QListWidget) -> list[int]:
    return [
        widget.item(i).data(USER)
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
        and widget.item(i).flags() & Qt.ItemFlag.ItemIsEnabled
    ]


def checkable(text: str, value: int, checked: bool, enabled: bool = True) -> QListWidgetItem:
    item = QListWidgetItem(text)
    item.setData(USER, value)
    flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
    if not enabled:
        flags &= ~Qt.ItemFlag.ItemIsEnabled
    item.setFlags(flags)
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    return item


def need_text(n: needs_svc.NeedRow) -> str:
    category = f"（{n.category_label}）" if n.category_label else ""
    return _("{r} — {w}{c} · {u} · {s} · {d} 提出").format(
        r=n.recipient_name, w=n.what, c=category, u=n.urgency_label, s=n.status.label, d=n.raised_on.isoformat()
    )


class ReasonDialog(QDialog):
    """Asks why (结束项目, 结束招募, 取消报名); the service refuses an empty reason."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.reason = QPlainTextEdit()
        self.reason.setMaximumHeight(90)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt, wordWrap=True))
        layout.addWidget(self.reason)
        layout.addWidget(dialog_buttons(self, _("确定")))

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, prompt: str) -> str | None:
        """The reason typed, or None if cancelled. Tests patch this."""
        dialog = cls(title, prompt, parent)
        return dialog.reason.toPlainText() if dialog.exec() else None


class ProjectDialog(QDialog):
    """Design a project from needs (新建项目), or edit one and add more needs to it (修改).

    ``need_ids`` are ticked in the list of needs (the needs page passes its selection); the
    list also offers every other need still waiting for a match. Saving goes through the
    service, which owns every rule; a refusal shows in the red line and changes nothing.
    """

    def __init__(
        self, ctx: AppContext, need_ids: list[int] | None = None, parent: QWidget | None = None,
        project_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project_id = project_id
        self.saved_id: int | None = None
        self._version = 0
        chosen = list(dict.fromkeys(need_ids or []))
        self.setWindowTitle(_("修改项目") if project_id else _("新建项目"))
        self.setMinimumWidth(680)

        with ctx.db.session(write=False) as session:
            unmet = needs_svc.list_needs(session, ctx.actor, needs_svc.NeedFilter(unmet_only=True))
            every = {n.id: n for n in needs_svc.list_needs(session, ctx.actor)} if chosen else {}
            groups = cat_svc.list_key_groups(session, ctx.actor, include_retired=project_id is not None)
            teams = team_svc.list_teams(session, ctx.actor, include_inactive=False)
            detail = svc.get_project(session, ctx.actor, project_id) if project_id else None

        self.name = QLineEdit(placeholderText=_("如：银龄关爱·家电义修"))
        self.category = QComboBox()
        for category in cat_svc.Category:
            self.category.addItem(category.label, category.value)
        self.key_groups = QListWidget()
        self.key_groups.setMaximumHeight(90)
        self.key_groups.setFlow(QListWidget.Flow.LeftToRight)
        self.key_groups.setWrapping(True)
        for g in groups:
            self.key_groups.addItem(checkable(g.name, g.id, False))
        self.goal = QPlainTextEdit(placeholderText=_("这个项目要解决什么、做到什么程度"))
        self.goal.setMaximumHeight(70)
        today = date.today()
        self.starts_on = date_edit(today)
        self.ends_on = date_edit(today + timedelta(days=90))
        self.lead = QLineEdit(placeholderText=_("负责的社工姓名"))
        self.partner_team = QComboBox()
        self.partner_team.addItem(_("（无）"), None)
        for team in teams:
            self.partner_team.addItem(team.name, team.id)
        self.partner_org = QLineEdit(placeholderText=_("合作的单位或社会组织（可不填）"))
        self.needs = QListWidget()
        self.needs.setMinimumHeight(140)
        self.error = error_label()

        # The needs list: the chosen ones first and ticked, then the other unmet needs.
        listed: set[int] = set()
        if detail is not None:
            for n in detail.needs:
                self.needs.addItem(checkable(_("已纳入：") + need_text(n), n.id, True, enabled=False))
                listed.add(n.id)
        for need_id in chosen:
            n = every.get(need_id)
            if n is not None and n.id not in listed:
                self.needs.addItem(checkable(need_text(n), n.id, True))
                listed.add(n.id)
        for n in unmet:
            if n.id not in listed:
                self.needs.addItem(checkable(need_text(n), n.id, False))
        self.needs_hint = QLabel()
        self.needs_hint.setStyleSheet("color: #555;")
        self.needs.itemChanged.connect(lambda _item: self._count_needs())

        form = QFormLayout()
        form.addRow(_("项目名称 *"), self.name)
        form.addRow(_("项目类别 *"), self.category)
        form.addRow(_("服务对象类别"), self.key_groups)
        form.addRow(_("项目目标"), self.goal)
        period = QHBoxLayout()
        period.addWidget(self.starts_on)
        period.addWidget(QLabel(_("至")))
        period.addWidget(self.ends_on)
        period.addStretch(1)
        form.addRow(_("项目周期 *"), period)
        form.addRow(_("负责社工 *"), self.lead)
        partner = QHBoxLayout()
        partner.addWidget(self.partner_team)
        partner.addWidget(self.partner_org, 1)
        form.addRow(_("合作服务队 / 单位"), partner)
        needs_box = QGroupBox(_("对应的需求（至少一条）") if detail is None else _("对应的需求（可再勾选新的需求加入）"))
        needs_layout = QVBoxLayout(needs_box)
        needs_layout.addWidget(self.needs)
        needs_layout.addWidget(self.needs_hint)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(needs_box, 1)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("保存")))
        self.fields = {
            "name": self.name, "category": self.category, "key_group_ids": self.key_groups, "goal": self.goal,
            "starts_on": self.starts_on, "ends_on": self.ends_on, "lead_social_worker": self.lead,
            "partner_team_id": self.partner_team, "partner_org": self.partner_org, "need_ids": self.needs,
        }
        if detail is not None:
            self._load(detail)
        else:
            self._guess_category(unmet, every, chosen)
        self._count_needs()

    def _guess_category(self, unmet: list[needs_svc.NeedRow], every: dict, chosen: list[int]) -> None:
        """Preselect the category of the first chosen menu need (a suggestion the user may change)."""
        labels = {c.label: c.value for c in cat_svc.Category}
        for need_id in chosen:
            n = every.get(need_id)
            if n is not None and n.category_label in labels:
                self.category.setCurrentIndex(self.category.findData(labels[n.category_label]))
                return

    def _load(self, d: svc.ProjectDetail) -> None:
        self._version = d.version
        self.name.setText(d.name)
        self.category.setCurrentIndex(self.category.findData(d.category.value))
        for i in range(self.key_groups.count()):
            item = self.key_groups.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(USER) in d.key_group_ids else Qt.CheckState.Unchecked)
        self.goal.setPlainText(d.goal)
        self.starts_on.setDate(QDate(d.starts_on.year, d.starts_on.month, d.starts_on.day))
        self.ends_on.setDate(QDate(d.ends_on.year, d.ends_on.month, d.ends_on.day))
        self.lead.setText(d.lead_social_worker)
        index = self.partner_team.findData(d.partner_team_id) if d.partner_team_id is not None else 0
        self.partner_team.setCurrentIndex(max(0, index))
        self.partner_org.setText(d.partner_org)

    def _count_needs(self) -> None:
        n = len(self.chosen_needs())
        text = _("已勾选 {n} 条需求") if self.project_id is None else _("另勾选了 {n} 条需求，保存时加入项目")
        self.needs_hint.setText(text.format(n=n))

    def chosen_needs(self) -> list[int]:
        """Needs ticked to be brought into the project (not those already in it)."""
        return check_items(self.needs)

    def tick_need(self, need_id: int, checked: bool = True) -> bool:
        for i in range(self.needs.count()):
            item = self.needs.item(i)
            if item.data(USER) == need_id and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return True
        return False

    def input(self) -> svc.ProjectInput:
        return svc.ProjectInput(
            name=self.name.text(),
            category=self.category.currentData(),
            key_group_ids=check_items(self.key_groups),
            goal=self.goal.toPlainText(),
            starts_on=self.starts_on.date().toPython(),
            ends_on=self.ends_on.date().toPython(),
            lead_social_worker=self.lead.text(),
            partner_team_id=self.partner_team.currentData(),
            partner_org=self.partner_org.text(),
        )

    def accept(self) -> None:
        self.error.clear()
        data, need_ids = self.input(), self.chosen_needs()
        try:
            with self.ctx.db.session() as session:
                if self.project_id is None:
                    self.saved_id = svc.create_project(session, self.ctx.actor, data, need_ids)
                else:
                    svc.update_project(session, self.ctx.actor, self.project_id, data, expected_version=self._version)
                    if need_ids:
                        svc.add_needs_to_project(session, self.ctx.actor, self.project_id, need_ids)
                    self.saved_id = self.project_id
        except StationError as exc:
            self.error.setText(exc.message)
            widget = self.fields.get(getattr(exc, "field", None) or "")
            if widget is not None:
                widget.setFocus()
            return
        super().accept()

    @classmethod
    def ask(
        cls, ctx: AppContext, need_ids: list[int] | None = None, parent: QWidget | None = None,
        project_id: int | None = None,
    ) -> int | None:
        """Open the dialog; the saved project's id, or None if cancelled."""
        dialog = cls(ctx, need_ids, parent, project_id=project_id)
        return dialog.saved_id if dialog.exec() else None


class ProjectsPage(QWidget):
    HEADERS = (_("项目名称"), _("类别"), _("服务对象类别"), _("项目周期"), _("负责社工"), _("对应需求"), _("状态"))
    NEED_HEADERS = (_("服务对象"), _("需求"), _("类别"), _("紧急程度"), _("状态"), _("提出日期"), _("已等待"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.ProjectRow] = []
        self.can_edit = ctx.actor.can(Permission.EDIT_DEMAND)

        self.add_button = QPushButton(_("新建项目"))
        self.edit_button = QPushButton(_("修改"))
        self.close_button = QPushButton(_("结束项目"))
        self.recruit_button = QPushButton(_("发布招募"))
        self.add_button.setToolTip(_("勾选待评估、待对接的需求，设计一个项目来满足它们"))
        self.add_button.clicked.connect(self.add_project)
        self.edit_button.clicked.connect(self.edit_project)
        self.close_button.clicked.connect(self.close_project)
        self.recruit_button.clicked.connect(self.publish_recruitment)
        self.add_button.setEnabled(self.can_edit)

        self.table = read_only_table(self.HEADERS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_button.isEnabled() and self.edit_project())

        self.summary = QLabel(wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.needs_table = read_only_table(self.NEED_HEADERS)
        self.needs_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.close_button, self.recruit_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.count_label = QLabel()
        buttons.addWidget(self.count_label)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.summary)
        detail_layout.addWidget(QLabel(_("项目对应的需求：")))
        detail_layout.addWidget(self.needs_table, 1)
        splitter = list_over_detail(self.table, detail)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self.refresh()

    # --- data -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        keep = self.selected_id()
        with self.ctx.db.session(write=False) as session:
            self.rows = svc.list_projects(session, self.ctx.actor)
        self.table.setRowCount(len(self.rows))
        for n, r in enumerate(self.rows):
            needs = _("共 {t} 条，未完成 {o} 条").format(t=r.needs_total, o=r.needs_open)
            fill_row(self.table, n, (r.name, r.category_label, "、".join(r.key_groups), r.period,
                                     r.lead_social_worker, needs, r.status_label), r.id)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        running = sum(1 for r in self.rows if r.status == "active")
        self.count_label.setText(_("进行中 {a} 个，共 {n} 个项目").format(a=running, n=len(self.rows)))
        if not (keep is not None and self.select_project(keep)) and self.rows:
            self.table.selectRow(0)
        self._selection_changed()

    def selected_id(self) -> int | None:
        return selected_row_id(self.table)

    def selected_row(self) -> svc.ProjectRow | None:
        pid = self.selected_id()
        return next((r for r in self.rows if r.id == pid), None)

    def select_project(self, project_id: int) -> bool:
        return select_row_id(self.table, project_id)

    def _selection_changed(self) -> None:
        row = self.selected_row()
        active = row is not None and row.status == "active"
        self.edit_button.setEnabled(self.can_edit and active)
        self.close_button.setEnabled(self.can_edit and active)
        self.recruit_button.setEnabled(self.can_edit and active)
        self.needs_table.setRowCount(0)
        if row is None:
            self.summary.setText(_("还没有项目。在“需求”页选中需求后点“设计项目”，或点上面的“新建项目”。"))
            return
        with self.ctx.db.session(write=False) as session:
            d = svc.get_project(session, self.ctx.actor, row.id)
        self.summary.setText(self._summary_html(d))
        self.needs_table.setRowCount(len(d.needs))
        for n, need in enumerate(d.needs):
            waited = _("{d} 天").format(d=need.days_open) if need.days_open else ""
            fill_row(self.needs_table, n, (need.recipient_name, need.what, need.category_label, need.urgency_label,
                                           need.status.label, need.raised_on.isoformat(), waited), need.id)
        self.needs_table.resizeColumnsToContents()
        self.needs_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    @staticmethod
    def _summary_html(d: svc.ProjectDetail) -> str:
        partner = " / ".join(p for p in (d.partner_team, d.partner_org) if p) or _("无")
        notices = "、".join(f"{escape(t)}（{s}）" for _id, t, s in d.recruitments) or _("尚未发布")
        lines = [
            f"<b style='font-size:14px'>{escape(d.name)}</b>　{d.category_label} · {d.status_label}",
            _("服务对象类别：") + (escape("、".join(d.key_groups)) or _("未指定")),
            _("项目周期：{s} 至 {e}　负责社工：{l}　合作：{p}").format(
                s=d.starts_on.isoformat(), e=d.ends_on.isoformat(), l=escape(d.lead_social_worker), p=escape(partner)
            ),
            _("项目目标：") + (escape(d.goal) or _("未填写")),
            _("对应需求 {t} 条，其中 {o} 条尚未完成。招募：{r}").format(t=len(d.needs), o=d.needs_open, r=notices),
        ]
        return "<br/>".join(lines)

    # --- actions --------------------------------------------------------------------------------
    def add_project(self) -> None:
        project_id = ProjectDialog.ask(self.ctx, [], self)
        if project_id is not None:
            self.refresh()
            self.select_project(project_id)

    def edit_project(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if ProjectDialog.ask(self.ctx, [], self, project_id=row.id) is not None:
            self.refresh()

    def close_project(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        reason = ReasonDialog.ask(
            self, _("结束项目"),
            _("结束项目“{n}”：请填写原因。它尚在招募中的招募会一并结束，需求保持现状。").format(n=row.name),
        )
        if reason is None:
            return
        run_service(self, self.ctx, lambda s: svc.close_project(s, self.ctx.actor, row.id, reason))
        self.refresh()

    def publish_recruitment(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        from .recruitment import RecruitmentDialog

        if RecruitmentDialog.ask(self.ctx, project_id=row.id, parent=self) is not None:
            self.refresh()
