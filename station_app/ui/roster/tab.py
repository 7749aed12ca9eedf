"""The 志愿者花名册 tab: search, filters, the lazy table, a detail panel, and the dialogs."""

from __future__ import annotations

from ...i18n import _
from ...services import teams as team_svc
from ...services import volunteers as svc
from ...services.auth import Permission
from ..common import AppContext, run_service
from ..qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    Qt,
    QTableView,
    QTextBrowser,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from ..teams_dialog import TeamsDialog
from . import import_dialog as excel_dialogs
from .detail import detail_html, load_detail
from .model import COLUMNS, RosterModel
from .review_dialog import ReviewDialog, StatusDialog
from .volunteer_dialog import VolunteerDialog


class RosterTab(QWidget):
    SEARCH_DELAY_MS = 150

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        actor = ctx.actor
        self.model = RosterModel(ctx, self)

        self.search = QLineEdit(placeholderText=_("搜索：姓名、拼音首字母（如 zsf）、电话、身份证后四位、技能、编号"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItem(_("全部状态"), None)
        for status in svc.Status:
            self.status_filter.addItem(status.label, status.value)
        self.team_filter = QComboBox()
        self.political_filter = QComboBox()
        self.political_filter.addItem(_("全部政治面貌"), None)
        for code, label in svc.POLITICAL_STATUSES.items():
            self.political_filter.addItem(label, code)
        self.backbone_filter = QCheckBox(_("只看骨干"))

        self.add_button = QPushButton(_("登记志愿者"))
        self.edit_button = QPushButton(_("修改资料"))
        self.review_button = QPushButton(_("审核"))
        self.status_button = QPushButton(_("变更状态"))
        self.teams_button = QPushButton(_("服务队管理"))
        self.add_button.setEnabled(actor.can(Permission.EDIT_VOLUNTEERS))
        self.teams_button.setEnabled(actor.can(Permission.VIEW))
        self.import_button = QPushButton(_("从Excel导入…"))
        self.import_button.setEnabled(actor.can(Permission.EDIT_VOLUNTEERS))
        self.template_button = QPushButton(_("下载导入模板…"))
        self.export_button = QPushButton(_("导出Excel…"))
        self.export_button.setToolTip(_("导出全站志愿者花名册；只读账号导出的身份证号和电话是遮盖的"))
        self.package_button = QPushButton(_("导出转移包…"))
        self.package_button.setToolTip(_("志愿者搬到别的站点时：把选中的人（或列出的人、整个站点）的完整档案签名导出"))
        self.package_button.setVisible(actor.can(Permission.EXPORT_PACKAGES))

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((130, 90, 50, 50, 170, 120, 100, 70, 50)):
            self.table.setColumnWidth(col, width)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)

        self.detail = QTextBrowser()
        self.reveal_button = QPushButton(_("显示完整身份证号和电话"))
        self.reveal_button.setToolTip(_("查看完整个人信息会记入审计日志"))
        self.reveal_button.setVisible(actor.can(Permission.REVEAL_PERSONAL))
        self.reveal_button.setEnabled(False)
        self.count_label = QLabel()

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.team_filter)
        filters.addWidget(self.political_filter)
        filters.addWidget(self.backbone_filter)
        actions = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.review_button, self.status_button):
            actions.addWidget(button)
        actions.addStretch(1)
        for button in (self.import_button, self.template_button, self.export_button, self.package_button):
            actions.addWidget(button)
        actions.addWidget(self.teams_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail)
        right_layout.addWidget(self.reveal_button)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 320])

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self, singleShot=True, interval=self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self.apply_filter)  # Enter: no need to wait
        for combo in (self.status_filter, self.team_filter, self.political_filter):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.backbone_filter.toggled.connect(self.apply_filter)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.add_button.clicked.connect(self.add_volunteer)
        self.edit_button.clicked.connect(self.edit_selected)
        self.review_button.clicked.connect(self.review_selected)
        self.status_button.clicked.connect(self.change_status_selected)
        self.teams_button.clicked.connect(self.manage_teams)
        self.import_button.clicked.connect(lambda: self.import_excel())
        self.template_button.clicked.connect(lambda: excel_dialogs.save_template(self))
        self.export_button.clicked.connect(lambda: excel_dialogs.export_excel(self, self.ctx, "roster"))
        self.reveal_button.clicked.connect(lambda: self.show_detail(self.selected_id(), reveal=True))
        self.package_button.clicked.connect(self.export_package)

        self._fill_teams()
        self.apply_filter()

    # --- filtering ---------------------------------------------------------------------------
    def _fill_teams(self) -> None:
        current = self.team_filter.currentData()
        with self.ctx.db.session(write=False) as session:
            teams = team_svc.list_teams(session, self.ctx.actor)
        self.team_filter.blockSignals(True)
        self.team_filter.clear()
        self.team_filter.addItem(_("全部服务队"), None)
        for team in teams:
            self.team_filter.addItem(team.name, team.id)
        self.team_filter.setCurrentIndex(max(0, self.team_filter.findData(current)))
        self.team_filter.blockSignals(False)

    def current_filter(self) -> svc.RosterFilter:
        status = self.status_filter.currentData()
        return svc.RosterFilter(
            text=self.search.text(),
            status=svc.Status(status) if status else None,
            team_id=self.team_filter.currentData(),
            political_status=self.political_filter.currentData(),
            backbone_only=self.backbone_filter.isChecked(),
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        selected = self.selected_id()
        self.model.set_filter(self.current_filter())
        self._update_count()
        if selected is not None:
            self.select_volunteer(selected)
        self._selection_changed()

    def refresh(self) -> None:
        """Reload after data changed elsewhere (keeps filters and selection)."""
        self._fill_teams()
        self.apply_filter()

    def _update_count(self) -> None:
        with self.ctx.db.session(write=False) as session:
            counts = svc.count_by_status(session, self.ctx.actor)
        waiting = counts.get(svc.Status.APPLYING, 0)
        text = _("显示 {n} 名志愿者（全站已注册 {r} 名").format(
            n=self.model.rowCount(), r=counts.get(svc.Status.REGISTERED, 0)
        )
        text += _("，{w} 名申请待审核）").format(w=waiting) if waiting else _("）")
        self.count_label.setText(text)

    # --- selection and detail ----------------------------------------------------------------
    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.volunteer_id(rows[0].row()) if rows else None

    def select_volunteer(self, volunteer_id: int) -> bool:
        row = self.model.row_of(volunteer_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _selection_changed(self, *args) -> None:  # noqa: ANN002
        volunteer_id = self.selected_id()
        actor = self.ctx.actor
        status = None
        if volunteer_id is not None:
            status = self.show_detail(volunteer_id)
        else:
            self.detail.setHtml(f"<p style='color:#888'>{_('在左侧选择一名志愿者查看详细资料。')}</p>")
        self.edit_button.setEnabled(status is not None and actor.can(Permission.EDIT_VOLUNTEERS))
        self.review_button.setEnabled(status == svc.Status.APPLYING and actor.can(Permission.REVIEW_VOLUNTEERS))
        self.status_button.setEnabled(
            status is not None and bool(svc.STATUS_MOVES.get(status)) and actor.can(Permission.EDIT_VOLUNTEERS)
        )
        self.reveal_button.setEnabled(status is not None)

    def show_detail(self, volunteer_id: int | None, *, reveal: bool = False) -> svc.Status | None:
        if volunteer_id is None:
            return None
        loaded = run_service(
            self, self.ctx, lambda s: load_detail(s, self.ctx.actor, volunteer_id, reveal=reveal), write=reveal
        )
        if loaded is None:
            self.detail.clear()
            return None
        self.detail.setHtml(detail_html(*loaded))
        return loaded[0].status

    # --- actions -----------------------------------------------------------------------------
    def add_volunteer(self) -> None:
        dialog = VolunteerDialog(self.ctx, parent=self)
        if dialog.exec():
            self._after_change(dialog.saved_id)
        elif dialog.open_existing is not None:
            self._reveal_existing(dialog.open_existing)

    def edit_selected(self) -> None:
        volunteer_id = self.selected_id()
        if volunteer_id is None or not self.ctx.actor.can(Permission.EDIT_VOLUNTEERS):
            return
        dialog = VolunteerDialog(self.ctx, volunteer_id, parent=self)
        if dialog.exec():
            self._after_change(volunteer_id)
        elif dialog.open_existing is not None:
            self._reveal_existing(dialog.open_existing)

    def review_selected(self) -> None:
        volunteer_id = self.selected_id()
        if volunteer_id is None:
            return
        if ReviewDialog(self.ctx, volunteer_id, parent=self).exec():
            self._after_change(volunteer_id)

    def change_status_selected(self) -> None:
        volunteer_id = self.selected_id()
        if volunteer_id is None:
            return
        with self.ctx.db.session(write=False) as session:
            current = svc.get_volunteer(session, self.ctx.actor, volunteer_id).status
        if StatusDialog(self.ctx, volunteer_id, current, parent=self).exec():
            self._after_change(volunteer_id)

    def import_excel(self, path: str | None = None) -> excel_dialogs.RosterImportDialog | None:
        """从Excel导入…: the preview dialog (open, not blocking); the roster refreshes after an import."""
        dialog = excel_dialogs.open_import(self, self.ctx, path)
        if dialog is not None:
            dialog.imported.connect(lambda _ids: self.refresh())
        return dialog

    def export_package(self) -> None:
        from ..transfer.export_dialog import export_package

        row = self.model.row_of(self.selected_id()) if self.selected_id() is not None else None
        data = self.model.row_data(row) if row is not None else None
        selected = (data.id, data.name) if data is not None else None
        export_package(self, self.ctx, selected, [self.model.volunteer_id(r) for r in range(self.model.rowCount())])

    def manage_teams(self) -> None:
        TeamsDialog(self.ctx, parent=self).exec()
        self.refresh()

    def _after_change(self, volunteer_id: int | None) -> None:
        self.refresh()
        if volunteer_id is not None and not self.select_volunteer(volunteer_id):
            # Hidden by the current filters: show it anyway, so the user sees what was saved.
            self.show_detail(volunteer_id)

    def _reveal_existing(self, volunteer_id: int) -> None:
        """Jump to an existing record (e.g. after a duplicate ID number), clearing filters if needed."""
        if not self.select_volunteer(volunteer_id):
            for widget in (self.status_filter, self.team_filter, self.political_filter):
                widget.blockSignals(True)
                widget.setCurrentIndex(0)
                widget.blockSignals(False)
            self.backbone_filter.blockSignals(True)
            self.backbone_filter.setChecked(False)
            self.backbone_filter.blockSignals(False)
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.apply_filter()
            self.select_volunteer(volunteer_id)
        self.show_detail(volunteer_id)


__all__ = ["COLUMNS", "RosterTab"]
