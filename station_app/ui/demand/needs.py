"""需求 page of the 需求菜单 tab: every need from assessment to done or closed, with its history."""

from __future__ import annotations

from ...i18n import _
from ...services import needs as svc
from ...services.auth import Permission
from ...services.catalogue import Category
from ..common import AppContext, run_service
from ..qt import (
    QAbstractItemView,
    QColor,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ..roster.import_dialog import export_excel
from ..rows_model import CENTER, Column, RowsModel, RowsTable, select_ids

UNMET_FILTER = "unmet"  # the status filter's "未满足" entry
URGENCY_COLOURS = {"urgent": QColor("#b00020"), "soon": QColor("#b26a00")}


def _need_tooltip(r: svc.NeedRow) -> str:
    return "\n".join(p for p in (r.description, _("希望时间：") + r.preferred_note if r.preferred_note else "") if p)


#: The needs list's columns, computed per cell when shown (24,000 unmet needs on a big station).
NEED_COLUMNS: tuple[Column[svc.NeedRow], ...] = (
    Column(_("服务对象"), lambda r: r.recipient_name),
    Column(_("需求"), lambda r: r.what, tooltip=_need_tooltip),
    Column(_("类别"), lambda r: r.category_label or _("菜单外")),
    Column(_("紧急程度"), lambda r: r.urgency_label, align=CENTER, foreground=lambda r: URGENCY_COLOURS.get(r.urgency)),
    Column(_("状态"), lambda r: r.status.label, align=CENTER),
    Column(_("提出日期"), lambda r: r.raised_on.isoformat()),
    Column(_("已等待（天）"), lambda r: str(r.days_open) if r.days_open else "", align=CENTER),
    Column(_("项目 / 活动"), lambda r: " · ".join(p for p in (r.project_name, r.activity_title) if p)),
)


class NeedHistoryDialog(QDialog):
    """A need's status history: who moved it, when, and why."""

    HEADERS = (_("时间"), _("原状态"), _("新状态"), _("原因"), _("操作人"), _("项目 / 活动"))

    def __init__(self, rows: list[svc.NeedHistoryRow], title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 320)
        self.table = QTableWidget(len(rows), len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for n, h in enumerate(rows):
            values = (
                h.changed_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                h.from_status.label if h.from_status else _("—"),
                h.to_status.label,
                h.reason,
                h.by,
                " · ".join(p for p in (h.project_name, h.activity_title) if p),
            )
            for col, value in enumerate(values):
                self.table.setItem(n, col, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()  # the reason column stretches over what is left
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(close)


class NeedsPage(QWidget):
    """Filter, select several, move them along; or hand them to the project dialog."""

    #: The selected need ids, when the user asks to design a project from them.
    create_project_requested = Signal(list)

    HEADERS = tuple(c.header for c in NEED_COLUMNS)
    SEARCH_DELAY_MS = 150

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.NeedRow] = []
        self.can_edit = ctx.actor.can(Permission.EDIT_DEMAND)

        self.search = QLineEdit(placeholderText=_("搜索：服务对象姓名或拼音首字母、需求内容"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItem(_("全部状态"), None)
        self.status_filter.addItem(_("未满足（待评估、待对接）"), UNMET_FILTER)
        for status in svc.NeedStatus:
            self.status_filter.addItem(status.label, status.value)
        self.status_filter.setCurrentIndex(1)  # what needs attention
        self.category_filter = QComboBox()
        self.category_filter.addItem(_("全部类别"), None)
        for category in Category:
            self.category_filter.addItem(category.label, category.value)

        self.assess_button = QPushButton(_("评估（转为待对接）"))
        self.close_button = QPushButton(_("关闭需求"))
        self.done_button = QPushButton(_("标记已完成"))
        self.reopen_button = QPushButton(_("重新打开"))
        self.history_button = QPushButton(_("查看历史"))
        self.project_button = QPushButton(_("用所选需求设计项目…"))
        self.project_button.setEnabled(self.can_edit)
        self.export_button = QPushButton(_("导出Excel…"))
        self.export_button.setToolTip(_("导出本站全部需求（不受上面的筛选影响）"))

        self.model: RowsModel[svc.NeedRow] = RowsModel(NEED_COLUMNS, parent=self)
        self.table = RowsTable(self.model, multi=True)
        self._refreshing = False  # selection signals while the list is replaced are not the user's
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in enumerate((100, 240, 90, 70, 70, 95, 90, 220)):
            self.table.setColumnWidth(col, width)
        self.count_label = QLabel()

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.category_filter)
        actions = QHBoxLayout()
        for button in (self.assess_button, self.close_button, self.done_button, self.reopen_button,
                       self.history_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.project_button)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self, singleShot=True, interval=self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self.refresh)
        self.status_filter.currentIndexChanged.connect(self.refresh)
        self.category_filter.currentIndexChanged.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(self._user_selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.show_history())
        self.assess_button.clicked.connect(self.assess_selected)
        self.close_button.clicked.connect(self.close_selected)
        self.done_button.clicked.connect(self.mark_done_selected)
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.history_button.clicked.connect(self.show_history)
        self.project_button.clicked.connect(self.request_project)
        self.export_button.clicked.connect(lambda: export_excel(self, self.ctx, "needs"))
        self.refresh()

    # --- data --------------------------------------------------------------------------------
    def current_filter(self) -> svc.NeedFilter:
        status = self.status_filter.currentData()
        return svc.NeedFilter(
            status=svc.NeedStatus(status) if status and status != UNMET_FILTER else None,
            unmet_only=status == UNMET_FILTER,
            category=self.category_filter.currentData(),
            text=self.search.text(),
        )

    def refresh(self) -> None:
        """Re-read with the current filters; the selected needs stay selected where still shown."""
        self._search_timer.stop()
        selected = self.selected_need_ids()
        with self.ctx.db.session(write=False) as session:
            rows = svc.list_needs(session, self.ctx.actor, self.current_filter())
        scrolled = self.table.verticalScrollBar().value()
        self._refreshing = True
        try:
            self.rows = rows
            self.model.set_rows(rows)
            select_ids(self.table, selected, scroll=False)
        finally:
            self._refreshing = False
        self.table.verticalScrollBar().setValue(scrolled)  # stay where the user was looking
        unmet = sum(1 for r in rows if r.status in svc.UNMET)
        self.count_label.setText(_("显示 {n} 条需求，其中未满足 {u} 条").format(n=len(rows), u=unmet))
        self._selection_changed()

    # --- selection ---------------------------------------------------------------------------
    def selected_rows(self) -> list[svc.NeedRow]:
        return [self.rows[i] for i in self.table.selected_row_numbers() if i < len(self.rows)]

    def selected_need_ids(self) -> list[int]:
        return [r.id for r in self.selected_rows()]

    def select_needs(self, need_ids: list[int]) -> None:
        """Select exactly these needs (those shown under the current filter), in one go; show the first."""
        select_ids(self.table, need_ids)

    def _user_selection_changed(self) -> None:
        if not self._refreshing:
            self._selection_changed()

    def _allowed(self, rows: list[svc.NeedRow], target: svc.NeedStatus) -> bool:
        return bool(rows) and self.can_edit and all(target in svc.NEED_MOVES[r.status] for r in rows)

    def _selection_changed(self) -> None:
        rows = self.selected_rows()
        self.assess_button.setEnabled(self._allowed(rows, svc.NeedStatus.PENDING_MATCH)
                                      and all(r.status == svc.NeedStatus.PENDING_ASSESSMENT for r in rows))
        self.close_button.setEnabled(self._allowed(rows, svc.NeedStatus.CLOSED))
        self.done_button.setEnabled(self._allowed(rows, svc.NeedStatus.DONE))
        self.reopen_button.setEnabled(self._allowed(rows, svc.NeedStatus.PENDING_ASSESSMENT)
                                      and all(r.status == svc.NeedStatus.CLOSED for r in rows))
        self.history_button.setEnabled(len(rows) == 1)

    # --- actions ------------------------------------------------------------------------------
    def _move(self, target: svc.NeedStatus, reason: str = "") -> bool:
        """Move every selected need in one unit of work: all of them, or none if one is refused."""
        rows = self.selected_rows()
        if not rows:
            return False

        def move(session) -> bool:  # noqa: ANN001
            for r in rows:
                svc.change_need_status(session, self.ctx.actor, r.id, target, reason, expected_version=r.version)
            return True

        done = run_service(self, self.ctx, move)
        self.refresh()
        return bool(done)

    def assess_selected(self) -> None:
        self._move(svc.NeedStatus.PENDING_MATCH, _("评估后待对接"))

    def close_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        reason = self.ask_reason(
            _("关闭需求"),
            _("关闭所选的 {n} 条需求的原因（如：已由家属解决、服务对象不再需要）：").format(n=len(rows)),
        )
        if reason is not None:
            self._move(svc.NeedStatus.CLOSED, reason)

    def mark_done_selected(self) -> None:
        self._move(svc.NeedStatus.DONE, _("服务已完成"))

    def reopen_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        reason = self.ask_reason(_("重新打开需求"), _("重新打开所选的 {n} 条需求的原因：").format(n=len(rows)))
        if reason is not None:
            self._move(svc.NeedStatus.PENDING_ASSESSMENT, reason)

    def ask_reason(self, title: str, prompt: str) -> str | None:
        """Ask for a reason; None if cancelled. Tests replace this."""
        text, ok = QInputDialog.getMultiLineText(self, title, prompt)
        return text if ok else None

    def show_history(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        need = rows[0]
        history = run_service(self, self.ctx, lambda s: svc.need_history(s, self.ctx.actor, need.id), write=False)
        if history is not None:
            self.history_dialog(history, _("需求历史：{r} — {w}").format(r=need.recipient_name, w=need.what)).exec()

    def history_dialog(self, rows: list[svc.NeedHistoryRow], title: str) -> NeedHistoryDialog:
        return NeedHistoryDialog(rows, title, self)

    def request_project(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self.inform(_("请先在列表中选择一条或多条需求（按住 Ctrl 可多选），再用它们设计项目。"))
            return
        taken = [r for r in rows if r.status not in svc.UNMET]
        if taken:
            names = "、".join(
                f"{r.recipient_name} — {r.what}（{r.status.label}）" for r in taken[:5]
            )
            self.inform(_("只有待评估或待对接的需求才能用来设计项目，这些需求不行：{n}").format(n=names))
            return
        self.create_project_requested.emit([r.id for r in rows])

    def inform(self, message: str) -> None:
        QMessageBox.information(self, _("需求"), message)
