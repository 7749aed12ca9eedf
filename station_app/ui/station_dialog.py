"""Station details (站点信息): administrators keep the name and contacts up to date."""

from __future__ import annotations

from ..errors import StationError
from ..i18n import _
from ..services.auth import Permission
from ..services.stations import StationEdit, station_info, update_station
from .common import AppContext, dialog_buttons, error_label
from .qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


class StationDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("站点信息"))
        self.setMinimumWidth(460)
        with ctx.db.session(write=False) as session:
            info = station_info(session, ctx.actor)
        editable = ctx.actor.can(Permission.MANAGE_STATION)
        self.name = QLineEdit(info.name)
        self.address = QLineEdit(info.address)
        self.contact_person = QLineEdit(info.contact_person)
        self.contact_phone = QLineEdit(info.contact_phone)
        for field in (self.name, self.address, self.contact_person, self.contact_phone):
            field.setReadOnly(not editable)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(_("市 / 镇区 / 社区"), QLabel(f"{info.city} / {info.town} / {info.community}"))
        code = QLabel(info.code)
        code.setToolTip(_("站点编号是志愿者编号的前缀，设置后不能修改。"))
        form.addRow(_("站点编号"), code)
        form.addRow(_("站点名称"), self.name)
        form.addRow(_("地址"), self.address)
        form.addRow(_("联系人"), self.contact_person)
        form.addRow(_("联系电话"), self.contact_phone)
        if editable:
            buttons = dialog_buttons(self, _("保存"))
        else:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
            buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.error.clear()
        try:
            with self.ctx.db.session() as session:
                update_station(session, self.ctx.actor, StationEdit(
                    name=self.name.text(), address=self.address.text(),
                    contact_person=self.contact_person.text(), contact_phone=self.contact_phone.text(),
                ))
        except StationError as exc:
            self.error.setText(exc.message)
            return
        self.ctx.station_name = self.name.text().strip()
        super().accept()
