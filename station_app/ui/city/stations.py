"""站点 (city administrators): the city's stations, 新建站点 with its 站长, and the town and city administrators."""

from __future__ import annotations

from ...errors import StationError
from ...i18n import _
from ...services import auth
from ...services import city as svc
from ...services.stations import StationSetup
from ..common import AppContext, dialog_buttons, error_label, run_service
from ..qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def _password() -> QLineEdit:
    return QLineEdit(echoMode=QLineEdit.EchoMode.Password)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class AddStationDialog(QDialog):
    """新建站点: where it is, what it is called, and its first 站长 with an initial password."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved_id: int | None = None
        self.setWindowTitle(_("新建站点"))
        towns = run_service(self, ctx, lambda s: svc.list_towns(s, ctx.actor), write=False) or []
        self.city_name = (towns[0].city if towns else None) or (
            run_service(self, ctx, svc.city_name, write=False) or _("中山市"))
        self.town = QComboBox(editable=True)
        self.town.addItems([t.name for t in towns])
        self.town.setCurrentText("")
        self.town.lineEdit().setPlaceholderText(_("选择已有镇区，或输入新的镇区"))
        self.community = QLineEdit()
        self.station_name = QLineEdit()
        self.station_name.setPlaceholderText(_("如：康华花园物业志愿服务站"))
        self.station_code = QLineEdit()
        self.station_code.setPlaceholderText(_("如：SQ0102（志愿者编号前缀，全市唯一）"))
        self.address = QLineEdit()
        self.contact = QLineEdit()
        self.phone = QLineEdit()
        self.admin_username = QLineEdit()
        self.admin_name = QLineEdit()
        self.password = _password()
        self.confirm = _password()
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("市"), QLabel(self.city_name))
        form.addRow(_("镇区"), self.town)
        form.addRow(_("社区"), self.community)
        form.addRow(_("站点名称"), self.station_name)
        form.addRow(_("站点编号"), self.station_code)
        form.addRow(_("地址"), self.address)
        form.addRow(_("联系人"), self.contact)
        form.addRow(_("联系电话"), self.phone)
        form.addRow(QLabel(_("<b>站长账号</b>（站长登录后可修改密码、新建本站其他账号）")))
        form.addRow(_("站长用户名"), self.admin_username)
        form.addRow(_("站长姓名"), self.admin_name)
        form.addRow(_("初始密码"), self.password)
        form.addRow(_("再次输入密码"), self.confirm)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("新建站点")))

    def setup(self) -> StationSetup:
        return StationSetup(
            city=self.city_name, town=self.town.currentText(), community=self.community.text(),
            station_name=self.station_name.text(), station_code=self.station_code.text(), address=self.address.text(),
            contact_person=self.contact.text(), contact_phone=self.phone.text(),
            admin_username=self.admin_username.text(), admin_display_name=self.admin_name.text(),
            admin_password=self.password.text(), admin_password_confirm=self.confirm.text(),
        )

    def accept(self) -> None:
        self.error.clear()
        try:
            with self.ctx.db.session() as session:
                self.saved_id = svc.create_station(session, self.ctx.actor, self.setup())
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class AdminDialog(QDialog):
    """新建镇区管理员 (for one town) or 市级管理员."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("新建管理员账号"))
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText(_("如：石岐街道志愿服务中心"))
        self.role = QComboBox()
        for role in (auth.Role.TOWN, auth.Role.CITY):
            self.role.addItem(role.label, role.value)
        self.town = QComboBox()
        for town in run_service(self, ctx, lambda s: svc.list_towns(s, ctx.actor), write=False) or []:
            self.town.addItem(town.name, town.id)
        self.role.currentIndexChanged.connect(lambda _i: self.town.setEnabled(self.role.currentData() == "town"))
        self.password = _password()
        self.confirm = _password()
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("用户名"), self.username)
        form.addRow(_("名称"), self.display_name)
        form.addRow(_("角色"), self.role)
        form.addRow(_("所管镇区"), self.town)
        form.addRow(_("密码"), self.password)
        form.addRow(_("再次输入密码"), self.confirm)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("保存")))

    def accept(self) -> None:
        self.error.clear()
        try:
            auth.check_new_password(self.password.text(), self.confirm.text())
            with self.ctx.db.session() as session:
                svc.create_admin(session, self.ctx.actor, username=self.username.text(),
                                 display_name=self.display_name.text(), role=auth.Role(self.role.currentData()),
                                 password=self.password.text(), town_id=self.town.currentData())
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()


class AdminsDialog(QDialog):
    """用户管理 for a city administrator: the town and city administrators (station accounts stay with each 站长)."""

    HEADERS = (_("用户名"), _("名称"), _("角色"), _("镇区"), _("状态"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("管理员账号"))
        self.resize(620, 360)
        self.table = _table(list(self.HEADERS))
        note = QLabel(_("这里管理镇区管理员和市级管理员。各站点的账号由该站站长在本站“用户管理”中新建。"), wordWrap=True)
        add = QPushButton(_("新建管理员…"))
        add.clicked.connect(self.add_admin)
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        admins = run_service(self, self.ctx, lambda s: svc.list_admins(s, self.ctx.actor), write=False) or []
        self.table.setRowCount(len(admins))
        for r, a in enumerate(admins):
            for c, value in enumerate((a.username, a.display_name, a.role.label, a.town,
                                       _("可用") if a.active else _("已停用"))):
                self.table.setItem(r, c, QTableWidgetItem(value))

    def add_admin(self) -> None:
        if AdminDialog(self.ctx, self).exec():
            self.reload()


class StationsPage(QWidget):
    """The city's stations, with 新建站点… and 管理员账号…."""

    HEADERS = (_("镇区"), _("社区"), _("站点"), _("编号"), _("站长账号"), _("建立日期"), _("说明"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.StationRow] = []
        self.table = _table(list(self.HEADERS))
        self.add_button = QPushButton(_("新建站点…"))
        self.add_button.clicked.connect(self.add_station)
        self.admins_button = QPushButton(_("管理员账号…"))
        self.admins_button.clicked.connect(lambda: AdminsDialog(self.ctx, self).exec())
        self.summary = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(self.add_button)
        top.addWidget(self.admins_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.refresh()

    def refresh(self) -> None:
        rows = run_service(self, self.ctx, lambda s: svc.list_stations(s, self.ctx.actor), write=False)
        if rows is None:
            return
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, s in enumerate(rows):
            for c, value in enumerate((s.town, s.community, s.name, s.code, s.heads, s.created_on.isoformat(), s.note)):
                self.table.setItem(r, c, QTableWidgetItem(value))
        towns = len({s.town for s in rows})
        self.summary.setText(_("共 {n} 个站点，{t} 个镇区").format(n=len(rows), t=towns))

    def add_station(self) -> int | None:
        dialog = AddStationDialog(self.ctx, self)
        if dialog.exec():
            self.refresh()
            return dialog.saved_id
        return None
