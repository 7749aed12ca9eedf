"""First start: the station's details and the first administrator."""

from __future__ import annotations

from ..db import Database
from ..errors import ValidationError
from ..i18n import _
from ..services.stations import StationSetup, initialise_station, known_towns
from .common import dialog_buttons, error_label
from .qt import QComboBox, QDialog, QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class StationSetupDialog(QDialog):
    """Asks for the station and creates it with its administrator in one unit of work."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(_("首次使用：设置服务站"))
        self.setMinimumWidth(520)
        towns = known_towns()

        self.city = QComboBox(editable=True)
        self.city.addItems(list(towns))
        self.town = QComboBox(editable=True)
        self.town.addItems(towns.get("中山市", []))
        self.city.currentTextChanged.connect(lambda c: self._fill_towns(towns.get(c, [])))
        self.community = QLineEdit(placeholderText=_("例如：仁厚社区"))
        self.station_name = QLineEdit(placeholderText=_("例如：康华花园物业志愿服务站"))
        self.station_code = QLineEdit(placeholderText=_("例如：SQ0101（志愿者编号的前缀）"))
        self.address = QLineEdit()
        self.contact_person = QLineEdit()
        self.contact_phone = QLineEdit(placeholderText=_("手机或座机，例如 0760-88123456"))
        self.admin_username = QLineEdit("admin")
        self.admin_name = QLineEdit(placeholderText=_("站长姓名"))
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password_confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.error = error_label()

        station_box = QGroupBox(_("服务站"))
        form = QFormLayout(station_box)
        form.addRow(_("市"), self.city)
        form.addRow(_("镇区"), self.town)
        form.addRow(_("社区"), self.community)
        form.addRow(_("站点名称"), self.station_name)
        form.addRow(_("站点编号"), self.station_code)
        form.addRow(_("地址"), self.address)
        form.addRow(_("联系人"), self.contact_person)
        form.addRow(_("联系电话"), self.contact_phone)

        admin_box = QGroupBox(_("第一个管理员账号（站长）"))
        form2 = QFormLayout(admin_box)
        form2.addRow(_("用户名"), self.admin_username)
        form2.addRow(_("姓名"), self.admin_name)
        form2.addRow(_("密码"), self.password)
        form2.addRow(_("再次输入密码"), self.password_confirm)

        buttons = dialog_buttons(self, _("完成设置"), _("退出"))

        layout = QVBoxLayout(self)
        intro = QLabel(_("欢迎使用物业志愿服务站管理系统。请填写本站信息并设置站长账号，之后即可登录使用。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(station_box)
        layout.addWidget(admin_box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _fill_towns(self, towns: list[str]) -> None:
        self.town.clear()
        self.town.addItems(towns)

    def setup(self) -> StationSetup:
        return StationSetup(
            city=self.city.currentText(),
            town=self.town.currentText(),
            community=self.community.text(),
            station_name=self.station_name.text(),
            station_code=self.station_code.text(),
            address=self.address.text(),
            contact_person=self.contact_person.text(),
            contact_phone=self.contact_phone.text(),
            admin_username=self.admin_username.text(),
            admin_display_name=self.admin_name.text(),
            admin_password=self.password.text(),
            admin_password_confirm=self.password_confirm.text(),
        )

    def accept(self) -> None:
        self.error.clear()
        try:
            with self.db.session() as session:
                initialise_station(session, self.setup())
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()

    @classmethod
    def ask(cls, db: Database, parent: QWidget | None = None) -> bool:
        return cls(db, parent).exec() == QDialog.DialogCode.Accepted
