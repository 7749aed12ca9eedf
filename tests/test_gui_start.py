"""First start, login, accounts and teams, as a station head meets them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from station_app.models import AuditEntry, Station, Team, User
from station_app.services.auth import Role, authenticate
from station_app.ui import app as app_module
from station_app.ui.common import AppContext
from station_app.ui.login_dialog import LoginDialog
from station_app.ui.qt import QDialog
from station_app.ui.setup_dialog import StationSetupDialog
from station_app.ui.teams_dialog import TeamEditDialog, TeamsDialog
from station_app.ui.users_dialog import PasswordDialog, UserEditDialog, UsersDialog

from .conftest import ADMIN_PASSWORD, setup_station

pytestmark = pytest.mark.gui


def fill_setup(dialog: StationSetupDialog) -> None:
    dialog.town.setCurrentText("小榄镇")
    dialog.community.setText("绩西社区")
    dialog.station_name.setText("华艺广场物业志愿服务站")
    dialog.station_code.setText("xl0203")
    dialog.contact_phone.setText("0760 22881234")
    dialog.admin_username.setText("chen")
    dialog.admin_name.setText("陈站长")
    dialog.password.setText("secret-1")
    dialog.password_confirm.setText("secret-1")


def test_first_start_creates_station_and_admin(qtbot, db):
    dialog = StationSetupDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.town.findText("石岐街道") >= 0  # Zhongshan's towns are offered
    fill_setup(dialog)
    dialog.accept()
    assert dialog.error.text() == ""
    with db.session(write=False) as session:
        station = session.scalar(select(Station))
        assert (station.name, station.code, station.contact_phone) == ("华艺广场物业志愿服务站", "XL0203", "0760-22881234")
        assert station.community.town.name == "小榄镇"
        assert session.scalar(select(User.role).where(User.username == "chen")) == "admin"
        # The plan's own teams are there from the start.
        assert "助老服务队" in session.scalars(select(Team.name)).all()


@pytest.mark.parametrize(
    ("widget", "value", "message"),
    [
        ("community", "", "社区不能为空"),
        ("station_code", "站点一", "站点编号"),
        ("password_confirm", "secret-2", "不一致"),
        ("password", "12", "至少"),
        ("contact_phone", "88123", "电话"),
    ],
)
def test_first_start_bad_input_changes_nothing(qtbot, db, widget, value, message):
    dialog = StationSetupDialog(db)
    qtbot.addWidget(dialog)
    fill_setup(dialog)
    getattr(dialog, widget).setText(value)
    dialog.accept()
    assert message in dialog.error.text()
    with db.session(write=False) as session:
        assert session.scalar(select(func.count(Station.id))) == 0
        assert session.scalar(select(func.count(User.id))) == 0


def test_login_wrong_password_then_right(qtbot, db):
    setup_station(db)
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.username.setText("admin")
    dialog.password.setText("wrong")
    dialog.accept()
    assert dialog.error.text() == "用户名或密码错误。"
    assert dialog.actor is None
    assert dialog.password.text() == ""
    dialog.password.setText(ADMIN_PASSWORD)
    dialog.accept()
    assert dialog.actor is not None and dialog.actor.role == Role.ADMIN


def test_start_session_runs_setup_then_login(qtbot, db, monkeypatch):
    asked = []

    def fake_setup(db, parent=None):
        asked.append("setup")
        dialog = StationSetupDialog(db)
        fill_setup(dialog)
        dialog.accept()
        return True

    monkeypatch.setattr(StationSetupDialog, "ask", classmethod(lambda cls, db, parent=None: fake_setup(db)))

    def fake_login(cls, db, station_name="", parent=None):
        asked.append("login")
        dialog = LoginDialog(db)
        dialog.username.setText("chen")
        dialog.password.setText("secret-1")
        dialog.accept()
        return dialog.actor

    monkeypatch.setattr(LoginDialog, "ask", classmethod(fake_login))
    window = app_module.start_session(db)
    qtbot.addWidget(window)
    assert asked == ["setup", "login"]
    assert "华艺广场物业志愿服务站" in window.windowTitle()

    # A second start skips the set-up.
    asked.clear()
    window2 = app_module.start_session(db)
    qtbot.addWidget(window2)
    assert asked == ["login"]


def test_cancelled_login_opens_nothing(qtbot, db, monkeypatch):
    setup_station(db)
    monkeypatch.setattr(LoginDialog, "ask", classmethod(lambda cls, db, station_name="", parent=None: None))
    assert app_module.start_session(db) is None


def test_admin_adds_clerk_and_clerk_changes_password(qtbot, db):
    admin = setup_station(db)
    ctx = AppContext(db=db, actor=admin)
    users = UsersDialog(ctx)
    qtbot.addWidget(users)
    assert users.table.rowCount() == 1

    add = UserEditDialog(ctx)
    qtbot.addWidget(add)
    add.username.setText("luru")
    add.display_name.setText("录入员小李")
    add.role.setCurrentIndex(add.role.findData("clerk"))
    add.password.setText("clerk-pass")
    add.confirm.setText("clerk-pass")
    add.accept()
    assert add.error.text() == ""
    users.reload()
    assert users.table.rowCount() == 2

    login = LoginDialog(db)
    qtbot.addWidget(login)
    login.username.setText("luru")
    login.password.setText("clerk-pass")
    login.accept()
    clerk = login.actor
    assert clerk.role == Role.CLERK

    change = PasswordDialog(AppContext(db=db, actor=clerk), clerk.user_id, "luru")
    qtbot.addWidget(change)
    change.old.setText("not-it")
    change.new.setText("clerk-pass-2")
    change.confirm.setText("clerk-pass-2")
    change.accept()
    assert "原密码不正确" in change.error.text()
    change.old.setText("clerk-pass")
    change.accept()
    assert change.error.text() == ""


def test_last_admin_cannot_be_demoted(qtbot, db):
    admin = setup_station(db)
    ctx = AppContext(db=db, actor=admin)
    users = UsersDialog(ctx)
    qtbot.addWidget(users)
    edit = UserEditDialog(ctx, users.users[0])
    qtbot.addWidget(edit)
    edit.role.setCurrentIndex(edit.role.findData("viewer"))
    edit.accept()
    assert "至少要保留一个" in edit.error.text()
    with db.session(write=False) as session:
        assert session.scalar(select(User.role)) == "admin"


def test_visiting_team_needs_its_organisation(qtbot, db):
    admin = setup_station(db)
    ctx = AppContext(db=db, actor=admin)
    teams = TeamsDialog(ctx)
    qtbot.addWidget(teams)
    before = teams.table.rowCount()
    edit = TeamEditDialog(ctx)
    qtbot.addWidget(edit)
    edit.name.setText("人民医院医疗志愿服务队")
    edit.kind.setCurrentIndex(edit.kind.findData("visiting"))
    edit.accept()
    assert "所属单位名称" in edit.error.text()
    edit.org_name.setText("中山市人民医院")
    edit.org_type.setCurrentIndex(edit.org_type.findData("医院"))
    edit.accept()
    assert edit.error.text() == ""
    teams.reload()
    assert teams.table.rowCount() == before + 1
    with db.session(write=False) as session:
        assert session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity == "team")) == 1


def test_corrupt_database_explained_and_left_alone(qtbot, tmp_path, monkeypatch):
    from station_app.ui.qt import QMessageBox

    path = tmp_path / "station.db"
    path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    before = path.read_bytes()
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append((title, text))))
    assert app_module.open_or_explain(f"sqlite:///{path}") is None
    assert shown and shown[0][0] == "无法打开数据库"
    assert "不是本程序的数据库" in shown[0][1]
    assert path.read_bytes() == before


def test_station_details_edited_by_admin_only(qtbot, db):
    from station_app.ui.main_window import MainWindow
    from station_app.ui.station_dialog import StationDialog

    admin = setup_station(db)
    ctx = AppContext(db=db, actor=admin, station_name="康华花园物业志愿服务站")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    dialog = StationDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.contact_phone.setText("88990011")  # no area code
    dialog.accept()
    assert "区号" in dialog.error.text()
    dialog.name.setText("康华花园志愿服务站")
    dialog.contact_phone.setText("0760-88990011")
    dialog.accept()
    assert dialog.error.text() == ""
    with db.session(write=False) as session:
        station = session.scalar(select(Station))
        assert (station.name, station.contact_phone, station.code) == ("康华花园志愿服务站", "0760-88990011", "SQ0101")

    from .conftest import add_user

    clerk = add_user(db, admin, "clerk", Role.CLERK)
    readonly = StationDialog(AppContext(db=db, actor=clerk))
    qtbot.addWidget(readonly)
    assert readonly.name.isReadOnly()


def test_the_key_holder_gives_a_second_admin_the_signing_key(qtbot, db):
    from station_app.services import chain
    from station_app.ui.users_dialog import KeyShareDialog

    admin = setup_station(db)
    ctx = AppContext(db=db, actor=admin)
    add = UserEditDialog(ctx)
    qtbot.addWidget(add)
    add.username.setText("fu")
    add.display_name.setText("副站长")
    add.role.setCurrentIndex(add.role.findData("admin"))
    add.password.setText("deputy-pass")
    add.confirm.setText("deputy-pass")
    add.accept()
    users = UsersDialog(ctx)
    qtbot.addWidget(users)
    column = UsersDialog.HEADERS.index("签名密钥")
    assert [users.table.item(r, column).text() for r in range(2)] == ["持有", "未持有"]

    deputy = next(u for u in users.users if u.username == "fu")
    share = KeyShareDialog(ctx, deputy)
    qtbot.addWidget(share)
    share.own.setText(ADMIN_PASSWORD)
    share.theirs.setText("wrong-pass")
    share.accept()
    assert "副站长 的密码不正确" in share.error.text()
    share.theirs.setText("deputy-pass")
    share.accept()
    assert share.error.text() == "" and share.result() == QDialog.DialogCode.Accepted
    users.reload()
    assert [users.table.item(r, column).text() for r in range(2)] == ["持有", "持有"]
    with db.session() as session:  # the deputy's own password now opens the key
        deputy_actor = authenticate(session, "fu", "deputy-pass")
        assert chain.unlock_signing_key(session, deputy_actor, "deputy-pass")
