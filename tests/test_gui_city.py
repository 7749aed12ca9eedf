"""City-wide mode on screen: a city or town administrator logs in to the dashboard; a city administrator adds a station."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from station_app.models import Station
from station_app.services import city
from station_app.services.auth import Actor, authenticate
from station_app.ui import app as app_module
from station_app.ui.city.stations import AddStationDialog, AdminDialog, AdminsDialog
from station_app.ui.common import AppContext
from station_app.ui.login_dialog import LoginDialog
from station_app.ui.main_window import MainWindow

from .conftest import ADMIN_PASSWORD, setup_station
from .shots import shot

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]
PASSWORD = "city-2014"


@pytest.fixture
def city_db(sqlite_db):
    """Station SQ0101 (石岐街道), a city administrator, and a second station in 东区街道 added by them."""
    setup_station(sqlite_db)
    with sqlite_db.session() as s:
        city.first_city_admin(s, city="中山市", username="city", display_name="市志愿者联合会", password=PASSWORD)
    return sqlite_db


def login(db, username: str, password: str = PASSWORD) -> Actor:
    with db.session() as s:
        return authenticate(s, username, password)


def city_window(qtbot, db, actor: Actor) -> MainWindow:
    with db.session(write=False) as s:
        name = city.scope_label(s, actor)
    window = MainWindow(AppContext(db=db, actor=actor, station_name=name))
    qtbot.addWidget(window)
    return window


def fill(dialog: AddStationDialog) -> None:
    dialog.town.setCurrentText("东区街道")
    dialog.community.setText("竹苑社区")
    dialog.station_name.setText("竹苑新村物业志愿服务站")
    dialog.station_code.setText("dq0201")
    dialog.address.setText("中山市东区竹苑路6号")
    dialog.contact.setText("冯伟强")
    dialog.phone.setText("0760-88345678")
    dialog.admin_username.setText("zhuyuan")
    dialog.admin_name.setText("冯伟强")
    dialog.password.setText("zhuyuan-1")
    dialog.confirm.setText("zhuyuan-1")


def test_city_admin_login_shows_the_dashboard_not_the_station_tabs(qtbot, city_db, monkeypatch, tmp_path):
    actor = login(city_db, "city")
    monkeypatch.setattr(LoginDialog, "ask", staticmethod(lambda _db: actor))
    window = app_module.start_session(city_db)  # as the program starts: login, then the main window
    qtbot.addWidget(window)
    window.resize(1280, 760)
    window.show()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["全市看板", "站点"]
    assert not hasattr(window, "roster")
    assert "中山市" in window.statusBar().currentMessage() and "市级管理员" in window.statusBar().currentMessage()
    # Station menus are not offered above the stations.
    visible = {a.text() for m in window.menuBar().actions() if m.menu() for a in m.menu().actions() if a.isVisible()}
    assert "站点信息…" not in visible and "审计日志…" not in visible and "文书模板与印章…" not in visible
    assert "修改我的密码…" in visible and window.users_action.isEnabled()

    dash = window.dashboard
    assert dash.heading.text() == "中山市 · 全市看板"
    assert dash.stations.rowCount() == 1
    assert (dash.stations.item(0, 1).text(), dash.stations.item(0, 2).text()) == ("康华花园物业志愿服务站", "SQ0101")
    site = dash.stations.item(0, dash.FIRST_CHECK)
    assert site.text() == "✓" and "康华路1号" in site.toolTip()
    team = dash.stations.item(0, dash.FIRST_CHECK + 1)
    assert team.text() == "✗" and "已注册志愿者 0 人" in team.toolTip()
    assert "有队伍" in dash.evidence.toPlainText() and "达到 1/6 项" in dash.evidence.toPlainText()
    assert dash.towns.item(dash.towns.rowCount() - 1, 0).text() == "合计"
    shot(window, "city_dashboard")

    written = dash.export_excel(str(tmp_path / "看板"))
    assert written is not None and written.suffix == ".xlsx"
    assert "各站点" in load_workbook(written).sheetnames
    dash.year.setValue(date.today().year - 1)  # another year: the figures are read again
    assert f"{date.today().year - 1} 年服务时长" in dash.totals.text()


def test_city_admin_adds_a_station_and_it_shows_on_the_dashboard(qtbot, city_db, monkeypatch):
    window = city_window(qtbot, city_db, login(city_db, "city"))
    page = window.stations_page
    window.tabs.setCurrentWidget(page)
    assert page.table.rowCount() == 1

    refused = AddStationDialog(window.ctx, page)
    qtbot.addWidget(refused)
    fill(refused)
    refused.station_code.setText("SQ0101")  # taken
    refused.accept()
    assert "SQ0101" in refused.error.text() and "已被" in refused.error.text()

    def fill_and_accept(dialog: AddStationDialog) -> int:
        fill(dialog)
        shot(dialog, "city_add_station")
        dialog.accept()
        return int(dialog.result())

    monkeypatch.setattr(AddStationDialog, "exec", fill_and_accept)
    station_id = page.add_station()
    assert station_id is not None
    assert page.table.rowCount() == 2 and page.table.item(1, 3).text() == "DQ0201"
    assert page.table.item(1, 4).text() == "zhuyuan"
    with city_db.session(write=False) as s:
        assert s.scalar(select(Station.name).where(Station.id == station_id)) == "竹苑新村物业志愿服务站"
    head = login(city_db, "zhuyuan", "zhuyuan-1")  # the new 站长 can log in to their station
    assert head.station_id == station_id
    window.tabs.setCurrentWidget(window.dashboard)  # the dashboard reads the new station when shown
    assert window.dashboard.stations.rowCount() == 2
    assert {t.name for t in window.dashboard.dash.towns} == {"石岐街道", "东区街道"}


def test_city_admin_creates_a_town_admin_who_sees_one_town(qtbot, city_db):
    actor = login(city_db, "city")
    with city_db.session() as s:
        from station_app.services.stations import StationSetup

        city.create_station(s, actor, StationSetup(
            city="中山市", town="东区街道", community="竹苑社区", station_name="竹苑新村物业志愿服务站",
            station_code="DQ0201", address="", contact_person="", contact_phone="", admin_username="zhuyuan",
            admin_display_name="冯伟强", admin_password="zhuyuan-1", admin_password_confirm="zhuyuan-1"))
    window = city_window(qtbot, city_db, actor)
    admins = AdminsDialog(window.ctx, window)
    qtbot.addWidget(admins)
    assert admins.table.rowCount() == 1
    dialog = AdminDialog(window.ctx, admins)
    qtbot.addWidget(dialog)
    dialog.username.setText("dongqu")
    dialog.display_name.setText("东区街道志愿服务中心")
    dialog.role.setCurrentIndex(dialog.role.findData("town"))
    dialog.town.setCurrentIndex(dialog.town.findText("东区街道"))
    dialog.password.setText("dongqu-1")
    dialog.confirm.setText("dongqu-2")
    dialog.accept()
    assert "不一致" in dialog.error.text()
    dialog.confirm.setText("dongqu-1")
    dialog.accept()
    assert dialog.error.text() == ""
    admins.reload()
    assert admins.table.rowCount() == 2 and admins.table.item(1, 3).text() == "东区街道"

    town = login(city_db, "dongqu", "dongqu-1")
    town_window = city_window(qtbot, city_db, town)
    assert [town_window.tabs.tabText(i) for i in range(town_window.tabs.count())] == ["镇区看板"]
    assert not town_window.users_action.isEnabled()
    dash = town_window.dashboard
    assert dash.heading.text() == "东区街道 · 镇区看板"
    assert dash.stations.rowCount() == 1 and dash.stations.item(0, 2).text() == "DQ0201"
    assert dash.stations.item(0, dash.FIRST_CHECK).text() == "✗"  # no address yet
    shot(town_window, "town_dashboard")


def test_a_station_account_still_gets_the_station_tabs(qtbot, city_db):
    window = MainWindow(AppContext(db=city_db, actor=login(city_db, "admin", ADMIN_PASSWORD), station_name="康华"))
    qtbot.addWidget(window)
    assert window.tabs.count() == 8 and window.tabs.tabText(0) == "需求菜单"
    assert not hasattr(window, "dashboard")
