"""Record a visit (走访) and the needs it found, saved together in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...errors import StationError, ValidationError
from ...i18n import _
from ...services import catalogue
from ...services import needs as needs_svc
from ...services import recipients as svc
from ..common import AppContext, dialog_buttons, error_label, show_error
from ..qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

NOT_ON_MENU = None  # the menu combo's first entry: the need is written as free text


@dataclass
class NeedRowWidgets:
    """The editors of one row of the needs table."""

    item: QComboBox
    free_text: QLineEdit
    urgency: QComboBox
    preferred_note: QLineEdit
    description: QLineEdit

    def set_item(self, item_id: int | None) -> None:
        self.item.setCurrentIndex(max(0, self.item.findData(item_id)))

    def input(self) -> needs_svc.NeedInput:
        return needs_svc.NeedInput(
            recipient_id=None,  # the visit's recipient
            service_item_id=self.item.currentData(),
            free_text=self.free_text.text() if self.item.currentData() is NOT_ON_MENU else "",
            description=self.description.text(),
            urgency=self.urgency.currentData(),
            preferred_note=self.preferred_note.text(),
        )


class VisitDialog(QDialog):
    """Who visited, when and how, what was found, and the needs noted (from the menu or free text).

    Scripted use (tests): set the fields, call ``add_need_row(item_id=…)`` for each need, then
    ``accept()``; ``saved_visit_id`` holds the new visit's id, the red ``error`` line any refusal.
    """

    NEED_HEADERS = (_("需求（服务菜单）"), _("菜单外的需求内容"), _("紧急程度"), _("希望的服务时间"), _("说明"))

    def __init__(
        self, ctx: AppContext, recipient_id: int, recipient_name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.recipient_id = recipient_id
        self.saved_visit_id: int | None = None
        self.need_rows: list[NeedRowWidgets] = []
        self.setWindowTitle(_("记录走访：{name}").format(name=recipient_name) if recipient_name else _("记录走访"))
        self.resize(860, 600)

        with ctx.db.session(write=False) as session:
            self.menu = catalogue.list_menu(session, ctx.actor)

        self.visited_on = QLineEdit(date.today().isoformat())
        self.visited_on.setPlaceholderText(_("如 2024-05-20"))
        self.visitor_kind = QComboBox()
        for code, label in svc.VISITOR_KINDS.items():
            self.visitor_kind.addItem(label, code)
        self.visitor_name = QLineEdit(ctx.actor.display_name)
        self.method = QComboBox()
        for code, label in svc.VISIT_METHODS.items():
            self.method.addItem(label, code)
        self.findings = QPlainTextEdit(placeholderText=_("家中情况、身体状况、提到的困难……"))
        self.findings.setMaximumHeight(90)
        self.error = error_label()
        self.visitor_kind.currentIndexChanged.connect(self._kind_changed)

        visit_box = QGroupBox(_("走访情况"))
        form = QFormLayout(visit_box)
        row = QHBoxLayout()
        row.addWidget(self.visited_on)
        row.addWidget(QLabel(_("方式")))
        row.addWidget(self.method)
        row.addStretch(1)
        form.addRow(_("走访日期 *"), row)
        who = QHBoxLayout()
        who.addWidget(self.visitor_kind)
        who.addWidget(self.visitor_name, 1)
        form.addRow(_("走访人 *"), who)
        form.addRow(_("发现的情况"), self.findings)

        self.needs_table = QTableWidget(0, len(self.NEED_HEADERS))
        self.needs_table.setHorizontalHeaderLabels(list(self.NEED_HEADERS))
        self.needs_table.verticalHeader().setVisible(False)
        self.needs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.needs_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((230, 150, 80, 130)):
            self.needs_table.setColumnWidth(col, width)
        self.add_need_button = QPushButton(_("添加需求"))
        self.remove_need_button = QPushButton(_("删除所选需求"))
        self.add_need_button.clicked.connect(lambda: self.add_need_row())
        self.remove_need_button.clicked.connect(self.remove_selected_need)
        needs_box = QGroupBox(_("发现的需求（可不填；保存时与走访一起登记为“待评估”）"))
        needs_layout = QVBoxLayout(needs_box)
        needs_layout.addWidget(self.needs_table)
        need_buttons = QHBoxLayout()
        need_buttons.addWidget(self.add_need_button)
        need_buttons.addWidget(self.remove_need_button)
        need_buttons.addStretch(1)
        needs_layout.addLayout(need_buttons)

        buttons = dialog_buttons(self, _("保存走访"))
        layout = QVBoxLayout(self)
        layout.addWidget(visit_box)
        layout.addWidget(needs_box, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.fields = {
            "visited_on": self.visited_on, "visitor_kind": self.visitor_kind, "visitor_name": self.visitor_name,
            "method": self.method, "findings": self.findings,
        }

    @classmethod
    def ask(
        cls, ctx: AppContext, recipient_id: int, recipient_name: str = "", parent: QWidget | None = None
    ) -> int | None:
        """Open the dialog; the saved visit's id, or None if cancelled."""
        dialog = cls(ctx, recipient_id, recipient_name, parent)
        try:
            return dialog.saved_visit_id if dialog.exec() else None
        finally:
            dialog.deleteLater()

    def _kind_changed(self) -> None:
        """Staff visits default to the signed-in user; a building leader's name is typed."""
        own = self.ctx.actor.display_name
        if self.visitor_kind.currentData() == "staff":
            if not self.visitor_name.text().strip():
                self.visitor_name.setText(own)
        elif self.visitor_name.text().strip() == own:
            self.visitor_name.clear()
            self.visitor_name.setFocus()

    # --- needs rows ---------------------------------------------------------------------------
    def _menu_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.addItem(_("（菜单上没有，在右侧填写）"), NOT_ON_MENU)
        category = None
        for item in self.menu:
            if item.category != category:
                combo.insertSeparator(combo.count())
                category = item.category
            combo.addItem(item.label, item.id)
            if item.description:
                combo.setItemData(combo.count() - 1, item.description, Qt.ItemDataRole.ToolTipRole)
        combo.setMaxVisibleItems(20)
        return combo

    def add_need_row(
        self,
        item_id: int | None = None,
        free_text: str = "",
        urgency: str = "normal",
        preferred_note: str = "",
        description: str = "",
    ) -> NeedRowWidgets:
        row = NeedRowWidgets(
            item=self._menu_combo(),
            free_text=QLineEdit(free_text, placeholderText=_("如：陪同去医院复诊")),
            urgency=QComboBox(),
            preferred_note=QLineEdit(preferred_note, placeholderText=_("如：周末上午")),
            description=QLineEdit(description),
        )
        for code, label in needs_svc.URGENCIES.items():
            row.urgency.addItem(label, code)
        row.urgency.setCurrentIndex(max(0, row.urgency.findData(urgency)))
        row.item.currentIndexChanged.connect(lambda _i, r=row: self._item_changed(r))
        row.set_item(item_id)
        self._item_changed(row)
        n = self.needs_table.rowCount()
        self.needs_table.insertRow(n)
        for col, widget in enumerate((row.item, row.free_text, row.urgency, row.preferred_note, row.description)):
            self.needs_table.setCellWidget(n, col, widget)
        self.need_rows.append(row)
        self.needs_table.selectRow(n)
        return row

    @staticmethod
    def _item_changed(row: NeedRowWidgets) -> None:
        free = row.item.currentData() is NOT_ON_MENU
        row.free_text.setEnabled(free)
        if not free:
            row.free_text.clear()

    def remove_need_row(self, index: int) -> None:
        if 0 <= index < len(self.need_rows):
            self.needs_table.removeRow(index)
            del self.need_rows[index]

    def remove_selected_need(self) -> None:
        rows = sorted({i.row() for i in self.needs_table.selectionModel().selectedRows()}, reverse=True)
        if not rows and self.needs_table.currentRow() >= 0:
            rows = [self.needs_table.currentRow()]
        for index in rows:
            self.remove_need_row(index)

    # --- saving -------------------------------------------------------------------------------
    def visit_input(self) -> svc.VisitInput:
        return svc.VisitInput(
            recipient_id=self.recipient_id,
            visited_on=self.visited_on.text(),
            visitor_kind=self.visitor_kind.currentData(),
            visitor_name=self.visitor_name.text(),
            method=self.method.currentData(),
            findings=self.findings.toPlainText(),
        )

    def accept(self) -> None:
        self.error.clear()
        visit = self.visit_input()
        needs = [row.input() for row in self.need_rows]
        try:
            with self.ctx.db.session() as session:
                self.saved_visit_id = svc.record_visit(session, self.ctx.actor, visit, needs)
        except ValidationError as exc:
            self.saved_visit_id = None
            self.error.setText(exc.message)
            self._focus(exc.field or "")
            return
        except StationError as exc:
            self.saved_visit_id = None
            show_error(self, exc.message)
            return
        super().accept()

    def _focus(self, field: str) -> None:
        """Put the cursor where the refusal points: a visit field, or the need row it names."""
        if field.startswith("needs."):
            parts = field.split(".")
            if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(self.need_rows):
                row = self.need_rows[int(parts[1])]
                self.needs_table.selectRow(int(parts[1]))
                target = {"free_text": row.free_text, "urgency": row.urgency, "preferred_note": row.preferred_note,
                          "description": row.description}.get(parts[2] if len(parts) > 2 else "", row.item)
                target.setFocus()
            return
        widget = self.fields.get(field)
        if widget is not None:
            widget.setFocus()
