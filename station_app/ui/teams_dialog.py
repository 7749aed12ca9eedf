"""Service teams (服务队管理): list, add, edit."""

from __future__ import annotations

from ..errors import StationError
from ..i18n import _
from ..services import teams as svc
from ..services.auth import Permission
from .common import AppContext, dialog_buttons, error_label
from .qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class TeamEditDialog(QDialog):
    def __init__(self, ctx: AppContext, team: svc.TeamInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.team = team
        self.setWindowTitle(_("修改服务队") if team else _("新建服务队"))
        self.setMinimumWidth(440)
        self.name = QLineEdit(team.name if team else "")
        self.kind = QComboBox()
        for code, label in svc.TEAM_KINDS.items():
            self.kind.addItem(label, code)
        self.org_type = QComboBox()
        self.org_type.addItem("", "")
        for org_type in svc.ORG_TYPES:
            self.org_type.addItem(org_type, org_type)
        self.org_name = QLineEdit(team.org_name if team else "")
        self.contact_name = QLineEdit(team.contact_name if team else "")
        self.contact_phone = QLineEdit(team.contact_phone if team else "")
        self.description = QPlainTextEdit(team.description if team else "")
        self.description.setMaximumHeight(70)
        self.active = QCheckBox(_("在用"))
        self.active.setChecked(team.active if team else True)
        if team:
            self.kind.setCurrentIndex(self.kind.findData(team.kind))
            self.org_type.setCurrentIndex(max(0, self.org_type.findData(team.org_type)))
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("名称 *"), self.name)
        form.addRow(_("类型"), self.kind)
        form.addRow(_("所属单位类型"), self.org_type)
        form.addRow(_("所属单位名称"), self.org_name)
        form.addRow(_("联系人"), self.contact_name)
        form.addRow(_("联系电话"), self.contact_phone)
        form.addRow(_("简介"), self.description)
        form.addRow("", self.active)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        buttons = dialog_buttons(self, _("保存"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _kind_changed(self) -> None:
        visiting = self.kind.currentData() == "visiting"
        self.org_type.setEnabled(visiting)
        self.org_name.setEnabled(visiting)

    def accept(self) -> None:
        self.error.clear()
        data = svc.TeamInput(
            name=self.name.text(), kind=self.kind.currentData(), org_type=self.org_type.currentData() or "",
            org_name=self.org_name.text(), contact_name=self.contact_name.text(),
            contact_phone=self.contact_phone.text(), description=self.description.toPlainText(),
            active=self.active.isChecked(),
        )
        try:
            with self.ctx.db.session() as session:
                if self.team is None:
                    svc.create_team(session, self.ctx.actor, data)
                else:
                    svc.update_team(session, self.ctx.actor, self.team.id, data)
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class TeamsDialog(QDialog):
    HEADERS = (_("名称"), _("类型"), _("所属单位"), _("联系人"), _("队员数"), _("状态"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.teams: list[svc.TeamInfo] = []
        self.setWindowTitle(_("服务队管理"))
        self.resize(760, 420)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        can_edit = ctx.actor.can(Permission.MANAGE_TEAMS)
        self.add_button = QPushButton(_("新建服务队"))
        self.edit_button = QPushButton(_("修改"))
        self.add_button.setEnabled(can_edit)
        self.edit_button.setEnabled(can_edit)
        self.add_button.clicked.connect(self.add_team)
        self.edit_button.clicked.connect(self.edit_team)
        self.table.doubleClicked.connect(lambda _i: can_edit and self.edit_team())
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        with self.ctx.db.session(write=False) as session:
            self.teams = svc.list_teams(session, self.ctx.actor)
        self.table.setRowCount(len(self.teams))
        for row, team in enumerate(self.teams):
            org = f"{team.org_type} · {team.org_name}" if team.org_name else ""
            values = (team.name, svc.TEAM_KINDS[team.kind], org, team.contact_name, str(team.member_count),
                      _("在用") if team.active else _("停用"))
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)

    def add_team(self) -> None:
        if TeamEditDialog(self.ctx, parent=self).exec():
            self.reload()

    def edit_team(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.teams) and TeamEditDialog(self.ctx, self.teams[row], parent=self).exec():
            self.reload()
