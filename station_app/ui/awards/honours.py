"""嘉许 page of the 星级与嘉许 tab: honours by year, awarding one, and managing the titles."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ...errors import StationError
from ...i18n import _
from ...services import certificates as certs
from ...services import honours as svc
from ...services.auth import Permission
from ..common import AppContext, dialog_buttons, error_label
from ..demand.projects import date_edit
from ..qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from ..roster.import_dialog import export_excel
from .stars import USER, lock_buttons, note_label, status_label

if TYPE_CHECKING:
    from ..printing.centre import CertificatePreviewDialog


def table(headers: tuple[str, ...]) -> QTableWidget:
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(list(headers))
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    widget.verticalHeader().setVisible(False)
    widget.horizontalHeader().setStretchLastSection(True)
    return widget


def fill(widget: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    widget.setRowCount(len(rows))
    for n, values in enumerate(rows):
        for col, value in enumerate(values):
            widget.setItem(n, col, QTableWidgetItem(value))


# --- 授予嘉许 --------------------------------------------------------------------------------------
class HonourDialog(QDialog):
    """Choose a title, then its target among the volunteers, teams or projects it is for; issuer, date, citation."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_row: svc.HonourRow | None = None
        self.setWindowTitle(_("授予嘉许"))
        self.setMinimumSize(560, 560)
        with ctx.db.session(write=False) as session:
            self.titles = svc.list_titles(session, ctx.actor, active_only=True)
        self.title = QComboBox()
        for t in self.titles:
            self.title.addItem(_("{n}（授予{k}）").format(n=t.name, k=t.kind_label), t.id)
        self.search = QLineEdit(placeholderText=_("输入姓名、拼音首字母或名称查找"), clearButtonEnabled=True)
        self.targets = QListWidget()
        self.targets.setMinimumHeight(150)
        self.issuer = QLineEdit(placeholderText=_("如：仁厚社区党委、石岐街道办事处"))
        self.awarded_on = date_edit(date.today())
        self.awarded_on.setMaximumDate(self.awarded_on.date())
        self.citation = QPlainTextEdit(placeholderText=_("嘉许词（不超过 500 字）"))
        self.citation.setMaximumHeight(110)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("称号"), self.title)
        form.addRow(_("查找对象"), self.search)
        form.addRow(_("获得者"), self.targets)
        form.addRow(_("颁发单位"), self.issuer)
        form.addRow(_("授予日期"), self.awarded_on)
        form.addRow(_("嘉许词"), self.citation)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("授予")))
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.load_targets)
        self.search.textChanged.connect(self._timer.start)
        self.title.currentIndexChanged.connect(self.load_targets)
        self.load_targets()

    def kind(self) -> str | None:
        title_id = self.title.currentData()
        return next((t.target_kind for t in self.titles if t.id == title_id), None)

    def load_targets(self) -> None:
        kind = self.kind()
        self.targets.clear()
        if kind is None:
            return
        with self.ctx.db.session(write=False) as session:
            found = svc.find_targets(session, self.ctx.actor, kind, self.search.text())
        for target in found:
            item = QListWidgetItem(target.label)
            item.setData(USER, target.id)
            self.targets.addItem(item)
        if not found:
            self.targets.addItem(QListWidgetItem(_("没有可选的{k}").format(k=svc.kind_label(kind))))
            self.targets.item(0).setFlags(Qt.ItemFlag.NoItemFlags)

    def choose_title(self, name: str) -> None:
        for n, t in enumerate(self.titles):
            if t.name == name:
                self.title.setCurrentIndex(n)

    def choose_target(self, name: str) -> bool:
        for n in range(self.targets.count()):
            if self.targets.item(n).text().split("（")[0] == name:
                self.targets.setCurrentRow(n)
                return True
        return False

    def data(self) -> svc.HonourInput:
        item = self.targets.currentItem()
        return svc.HonourInput(
            title_id=self.title.currentData(), target_id=item.data(USER) if item else None,
            awarded_on=self.awarded_on.date().toPython(), issuer=self.issuer.text(),
            citation=self.citation.toPlainText(), target_kind=self.kind(),
        )

    def accept(self) -> None:
        """Save through the service; a refusal stays in the dialog with the reason in red."""
        self.error.clear()
        data = self.data()
        try:
            with self.ctx.db.session() as session:
                self.result_row = svc.award_honour(session, self.ctx.actor, data)
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


# --- 称号管理 --------------------------------------------------------------------------------------
class TitlesDialog(QDialog):
    """The station's honour titles: add, rename, retire and bring back."""

    HEADERS = (_("称号"), _("授予对象"), _("状态"), _("已授予"), _("说明"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.TitleRow] = []
        self.setWindowTitle(_("称号管理"))
        self.setMinimumSize(720, 480)
        self.table = table(self.HEADERS)
        self.table.itemSelectionChanged.connect(self.load_selected)
        self.name = QLineEdit()
        self.kind = QComboBox()
        for key, label in svc.TARGET_KINDS.items():
            self.kind.addItem(label, key)
        self.description = QLineEdit()
        self.error = error_label()
        self.status = status_label()
        self.add_button = QPushButton(_("新增称号"))
        self.save_button = QPushButton(_("保存修改"))
        self.active_button = QPushButton(_("停用"))
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.active_button.clicked.connect(self.toggle_active)
        lock_buttons(ctx, Permission.MANAGE_RULES, self.add_button, self.save_button, self.active_button)
        form = QFormLayout()
        form.addRow(_("称号名称"), self.name)
        form.addRow(_("授予对象"), self.kind)
        form.addRow(_("说明"), self.description)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.active_button)
        buttons.addStretch(1)
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note_label(_("停用的称号不能再授予，已授予的嘉许保留原称号名称。已授予过的称号不能改授予对象。")))
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        with self.ctx.db.session(write=False) as session:
            self.rows = svc.list_titles(session, self.ctx.actor)
        fill(self.table, [(t.name, t.kind_label, _("使用中") if t.active else _("已停用"), str(t.awarded), t.description)
                          for t in self.rows])
        for col, width in enumerate((150, 110, 70, 60)):
            self.table.setColumnWidth(col, width)
        if select_id is not None:
            self.table.selectRow(next((n for n, t in enumerate(self.rows) if t.id == select_id), 0))
        self._update_buttons()

    def selected(self) -> svc.TitleRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def load_selected(self) -> None:
        title = self.selected()
        if title is not None:
            self.name.setText(title.name)
            self.kind.setCurrentIndex(self.kind.findData(title.target_kind))
            self.description.setText(title.description)
        self._update_buttons()

    def _update_buttons(self) -> None:
        if not self.ctx.actor.can(Permission.MANAGE_RULES):
            return
        title = self.selected()
        self.save_button.setEnabled(title is not None)
        self.active_button.setEnabled(title is not None)
        self.active_button.setText(_("启用") if title is not None and not title.active else _("停用"))

    def form(self) -> svc.TitleInput:
        return svc.TitleInput(self.name.text(), self.kind.currentData(), self.description.text())

    def _run(self, action, done: str) -> None:
        self.error.clear()
        try:
            with self.ctx.db.session() as session:
                title_id = action(session)
        except StationError as exc:
            self.error.setText(exc.message)
            return
        self.status.setText(done)
        self.refresh(title_id)

    def add(self) -> None:
        data = self.form()
        self._run(lambda s: svc.create_title(s, self.ctx.actor, data), _("已新增称号“{n}”。").format(n=data.name.strip()))

    def save(self) -> None:
        title = self.selected()
        if title is None:
            return
        data = self.form()
        self._run(lambda s: svc.update_title(s, self.ctx.actor, title.id, data) or title.id,
                  _("已保存称号“{n}”。").format(n=data.name.strip()))

    def toggle_active(self) -> None:
        title = self.selected()
        if title is None:
            return
        self._run(lambda s: svc.set_title_active(s, self.ctx.actor, title.id, not title.active) or title.id,
                  (_("已启用称号“{n}”。") if not title.active else _("已停用称号“{n}”。")).format(n=title.name))


# --- 嘉许 list -----------------------------------------------------------------------------------
class HonoursPage(QWidget):
    HEADERS = (_("授予日期"), _("称号"), _("对象类别"), _("获得者"), _("颁发单位"), _("证书编号"), _("嘉许词"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.HonourRow] = []
        self.year = QComboBox()
        self.kind = QComboBox()
        self.kind.addItem(_("全部对象"), None)
        for key, label in svc.TARGET_KINDS.items():
            self.kind.addItem(label, key)
        self.table = table(self.HEADERS)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # print several at once
        self.table.itemSelectionChanged.connect(self._update_print_button)
        self.award_button = QPushButton(_("授予嘉许…"))
        self.titles_button = QPushButton(_("称号管理…"))
        self.print_button = QPushButton(_("打印荣誉证书…"))
        self.award_button.clicked.connect(self.award)
        self.titles_button.clicked.connect(self.manage_titles)
        self.print_button.clicked.connect(lambda: self.print_certificates())
        self.export_button = QPushButton(_("导出Excel…"))
        self.export_button.setToolTip(_("导出全部星级认定和嘉许（两个工作表）"))
        self.export_button.clicked.connect(lambda: export_excel(self, self.ctx, "awards"))
        lock_buttons(ctx, Permission.CONFIRM_AWARDS, self.award_button)
        lock_buttons(ctx, Permission.MANAGE_RULES, self.titles_button)
        self.may_print = lock_buttons(ctx, Permission.PRINT_CERTIFICATES, self.print_button)
        self.count_label = QLabel()
        self.status = status_label()
        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("年度")))
        filters.addWidget(self.year)
        filters.addWidget(QLabel(_("对象")))
        filters.addWidget(self.kind)
        filters.addWidget(self.count_label)
        filters.addStretch(1)
        filters.addWidget(self.award_button)
        filters.addWidget(self.titles_button)
        filters.addWidget(self.print_button)
        filters.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.refresh()
        self.year.currentIndexChanged.connect(self.load)
        self.kind.currentIndexChanged.connect(self.load)

    def refresh(self) -> None:
        """Years first (a new honour may add one), then the list."""
        with self.ctx.db.session(write=False) as session:
            years = svc.honour_years(session, self.ctx.actor)
        current = self.year.currentData()
        self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem(_("全部年份"), None)
        for y in sorted(set(years) | {date.today().year}, reverse=True):
            self.year.addItem(_("{y} 年").format(y=y), y)
        index = self.year.findData(current)
        self.year.setCurrentIndex(max(index, 0))
        self.year.blockSignals(False)
        self.load()

    def load(self) -> None:
        with self.ctx.db.session(write=False) as session:
            self.rows = svc.list_honours(session, self.ctx.actor, year=self.year.currentData(),
                                         target_kind=self.kind.currentData())
        fill(self.table, [(h.awarded_on.isoformat(), h.title, h.kind_label, h.target_name, h.issuer, h.certificate_no,
                           h.citation.replace("\n", " ")) for h in self.rows])
        for col, width in enumerate((100, 130, 100, 120, 140, 160)):
            self.table.setColumnWidth(col, width)
        self.count_label.setText(_("共 {n} 项嘉许").format(n=len(self.rows)))
        self._update_print_button()

    def selected(self) -> list[svc.HonourRow]:
        return [self.rows[index.row()] for index in sorted(self.table.selectionModel().selectedRows())]

    def _update_print_button(self) -> None:
        if not self.may_print:
            return
        chosen = len(self.selected())
        self.print_button.setEnabled(chosen > 0)
        self.print_button.setToolTip(_("打印所选 {n} 项嘉许的荣誉证书。").format(n=chosen) if chosen
                                     else _("请先在列表中选择要打印的嘉许（按住 Ctrl 或 Shift 可多选）。"))

    def print_certificates(self) -> CertificatePreviewDialog | None:
        """The selected honours' certificates in a preview window, to print or save."""
        chosen = self.selected()
        if not chosen:
            return None
        from ..printing.centre import print_certificates  # the print centre imports the awards pages

        actor, honour_ids = self.ctx.actor, [h.id for h in chosen]
        title = (_("荣誉证书 · {n}").format(n=chosen[0].target_name) if len(chosen) == 1
                 else _("荣誉证书 · {n} 份").format(n=len(chosen)))
        return print_certificates(self, self.ctx, lambda s, key: certs.honour_certificates(s, actor, key, honour_ids),
                                  title)

    def award(self) -> None:
        dialog = HonourDialog(self.ctx, self)
        if dialog.exec() and dialog.result_row is not None:
            h = dialog.result_row
            self.status.setText(_("已授予 {n}“{t}”，证书编号 {c}").format(n=h.target_name, t=h.title, c=h.certificate_no))
        self.refresh()

    def manage_titles(self) -> None:
        TitlesDialog(self.ctx, self).exec()
        self.refresh()
